# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Writes retried when safe: a post the device provably did not act on goes again on a freshly read
page; one whose answer was lost goes again only when the page, read again, does not show it done."""

from __future__ import annotations

import pytest
from urllib3.exceptions import ConnectTimeoutError, ProtocolError, ProxyError, ReadTimeoutError

from ansible_collections.printfleet.mfp.plugins.module_utils import _session
from ansible_collections.printfleet.mfp.tests.unit.plugins.fake_device import LOST, POP, SMTP
from ansible_collections.printfleet.mfp.tests.unit.plugins.module_utils.test_session import LOGIN, logins, refused, reset

ACCOUNT = 'scan@contoso.example'
OAUTH = dict(provider='microsoft', account=ACCOUNT)


def requests_after_login(device):
    return device.requests[device.requests.index(LOGIN) + 1:]


def count(device, action):
    """How many POSTs with `action` the device acted on."""
    return [form.get('action') for path, form in device.posts].count(action)


def test_a_save_answered_503_goes_again_on_a_freshly_read_page(device, task):
    device.post_faults = {'submitbtn': [503]}
    result = task('mfp_smtp', port=25)
    assert not result.get('failed'), result
    assert result['changed'] and device.settings['smtp']['port'] == '25'
    assert requests_after_login(device) == [('GET', SMTP), ('POST', SMTP), ('GET', SMTP), ('POST', SMTP),
                                            ('POST', SMTP)]   # the last: [Logout(L)]
    assert count(device, 'submitbtn') == 1 and device.clock.sleeps == [0.5]


def test_a_save_whose_answer_was_lost_is_not_posted_again_when_the_page_shows_it(device, task):
    device.post_faults = {'submitbtn': [LOST]}
    result = task('mfp_smtp', port=25, primary_server='smtp.contoso.example')
    assert not result.get('failed'), result
    assert result['changed'] and result['settings']['port'] == 25
    assert count(device, 'submitbtn') == 1
    assert device.settings['smtp']['primary_server'] == 'smtp.contoso.example'
    assert task('mfp_smtp', port=25, primary_server='smtp.contoso.example')['changed'] is False


def test_a_save_whose_answer_was_lost_goes_again_when_the_page_does_not_show_it(device, task):
    # Dropped before the device acted (the lab's drop_rate): the page read again shows the old value.
    device.post_faults = {'submitbtn': [reset('Connection reset by peer')]}
    result = task('mfp_smtp', port=25)
    assert not result.get('failed'), result
    assert count(device, 'submitbtn') == 1 and device.settings['smtp']['port'] == '25'


def test_a_password_alone_is_posted_again_after_a_lost_answer(device, task):
    # No page shows a password: saving the same values again is the only way to be sure.
    device.post_faults = {'submitbtn': [LOST]}
    result = task('mfp_smtp', password='New-Secret', update_password='always')
    assert not result.get('failed'), result
    assert count(device, 'submitbtn') == 2 and device.settings['smtp']['password'] == 'New-Secret'
    assert 'New-Secret' not in repr(result)


def test_a_lost_get_token_answer_is_not_pressed_again_when_the_page_shows_the_code(oauth_device, task):
    oauth_device.post_faults = {'gettokenbtn': [LOST]}
    result = task('mfp_oauth_token', **OAUTH)
    assert not result.get('failed'), result
    assert result['actions'] == ['get_token'] and result['user_code'] == 'F7K2QW9M'
    assert count(oauth_device, 'gettokenbtn') == 1
    assert result['ansible_facts']['mfp_oauth']['smtp']['state'] == 'waiting_for_authorization'


def test_a_get_token_answered_503_is_pressed_again(oauth_device, task):
    oauth_device.post_faults = {'gettokenbtn': [503, refused()]}
    result = task('mfp_oauth_token', **OAUTH)
    assert not result.get('failed'), result
    assert count(oauth_device, 'gettokenbtn') == 1 and oauth_device.clock.sleeps == [0.5, 1.0]
    assert result['token']['state'] == 'waiting_for_authorization'


@pytest.mark.parametrize('lost', ['tokengetbtn', 'okbtn'])
def test_a_confirmation_page_whose_answer_was_lost(oauth_device, task, lost):
    # [Get Token] lost: only the confirmation was shown, so it is pressed again; [OK] lost after the
    # device acted: the page shows the code, nothing is pressed again.
    oauth_device.profile, oauth_device.model = 'mx_classic', 'MX-3071'
    oauth_device.post_faults = {lost: [LOST]}
    result = task('mfp_oauth_token', mfp_admin_user='admin', **OAUTH)
    assert not result.get('failed'), result
    assert result['token']['state'] == 'waiting_for_authorization'
    assert count(oauth_device, 'okbtn') == 1
    assert count(oauth_device, 'tokengetbtn') == (2 if lost == 'tokengetbtn' else 1)


def test_an_ok_answered_503_starts_again_from_get_token(oauth_device, task):
    oauth_device.profile, oauth_device.model = 'mx_classic', 'MX-3071'
    oauth_device.post_faults = {'okbtn': [503]}
    result = task('mfp_oauth_token', mfp_admin_user='admin', **OAUTH)
    assert not result.get('failed'), result
    assert count(oauth_device, 'tokengetbtn') == 2 and count(oauth_device, 'okbtn') == 1


def test_a_lost_delete_answer_is_not_pressed_again_when_the_page_shows_it_deleted(oauth_device, task):
    oauth_device.set_token('obtained', ACCOUNT)
    oauth_device.post_faults = {'deletebtn': [LOST]}
    result = task('mfp_oauth_token', state='absent')
    assert not result.get('failed'), result
    assert result['changed'] and result['token']['state'] == 'not_obtained'
    assert count(oauth_device, 'deletebtn') == 1


def test_a_read_timeout_on_a_save_is_decided_by_the_page(device, task):
    device.post_faults = {'submitbtn': [ReadTimeoutError(None, POP, 'Read timed out.')]}
    result = task('mfp_pop', check_interval=10)
    assert not result.get('failed'), result
    assert device.settings['pop']['check_interval'] == '10'
    assert device.requests[-4:] == [('POST', POP), ('GET', POP), ('POST', POP), ('POST', POP)]


def test_a_save_that_keeps_failing_says_nothing_was_changed(device, task):
    device.post_faults = {'submitbtn': [503] * 4}
    result = task('mfp_smtp', port=25)
    assert result['failed'] and 'unreachable' not in result
    assert result['msg'] == (
        'mfp.example.test answered POST /nw_service_smtp.html with HTTP 503; tried 4 times (mfp_retries 3), and the '
        'device did not act on it, so nothing was changed by it. Run the task again when the device answers; a higher '
        'mfp_retries rides out longer outages.')
    assert device.settings['smtp']['port'] == '587'
    assert device.clock.sleeps == [0.5, 1.0, 2.0]
    assert not device.logged_in


def test_a_save_whose_answers_keep_getting_lost_says_the_device_may_have_acted(device, task):
    device.post_faults = {'submitbtn': [reset('Connection reset by peer')] * 2}
    result = task('mfp_smtp', port=25, mfp_retries=1)
    assert result['failed']
    assert result['msg'].startswith('The device at https://mfp.example.test:443 stopped answering '
                                    '(POST /nw_service_smtp.html): Connection reset by peer; tried 2 times')
    assert result['msg'].endswith('the device may have acted on it. Run the task again: it reads the device and '
                                  'does only what is left to do.')


def test_a_busy_machine_and_a_503_share_the_retries(device, task):
    device.busy_posts = 1
    device.post_faults = {'submitbtn': [503, 503]}
    result = task('mfp_smtp', port=25, mfp_retries=2, mfp_busy_timeout=0)
    assert result['failed'] and 'ERROR[5000]' in result['msg']
    assert device.requests.count(('POST', SMTP)) == 3 + 1   # 503, 503, busy; [Logout(L)]


def test_a_refused_connection_on_login_is_retried_from_a_fresh_login_page(device, task):
    device.post_faults = {'loginbtn': [refused()]}
    result = task('mfp_oauth_token', state='query')
    assert not result.get('failed'), result
    assert device.requests[:5] == [('GET', '/login.html'), LOGIN, ('GET', '/login.html'), LOGIN, ('GET', SMTP)]
    assert device.failed_logins == 0


def test_a_login_dropped_before_the_device_acted_logs_in_again(device, task):
    device.post_faults = {'loginbtn': [reset('Connection reset by peer')]}
    result = task('mfp_oauth_token', state='query')
    assert not result.get('failed'), result
    # The page read with the cookie we hold is refused (302): no session, so a fresh login.
    assert device.requests[:6] == [('GET', '/login.html'), LOGIN, ('GET', SMTP), ('GET', '/login.html'), LOGIN,
                                   ('GET', SMTP)]


def test_a_login_whose_answer_was_lost_uses_the_session_the_device_opened(device, task):
    device.keeps_visitor_cookie = True   # the session is the cookie of the login page: we hold it
    device.post_faults = {'loginbtn': [LOST]}
    result = task('mfp_oauth_token', state='query')
    assert not result.get('failed'), result
    assert logins(device) == [LOGIN]
    assert not device.logged_in


def test_a_login_whose_answer_was_lost_with_a_session_cookie_we_never_got(device, task):
    # The device opened a session under a new cookie, whose answer was lost: it holds the one admin
    # session until its idle timeout, and the message says so.
    device.post_faults = {'loginbtn': [LOST]}
    result = task('mfp_oauth_token', state='query', mfp_busy_timeout=10)
    assert result['failed']
    assert result['msg'].startswith('Another administrator is logged in to mfp.example.test')
    assert 'A login of this task whose answer was lost may have opened that session' in result['msg']


def test_a_wrong_password_is_still_one_attempt_after_a_refused_connection(device, task):
    device.post_faults = {'loginbtn': [refused()]}
    result = task('mfp_oauth_token', state='query', mfp_admin_password='wrong', mfp_retries=5)
    assert 'refused the admin password' in result['msg']
    assert device.failed_logins == 1 and len(logins(device)) == 2


def test_a_failed_logout_is_retried(device, task):
    device.post_faults = {'logoutbtn': [503, reset('Connection reset by peer')]}
    result = task('mfp_oauth_token', state='query')
    assert not result.get('failed') and not result['warnings'], result
    assert not device.logged_in
    assert count(device, 'logoutbtn') == 1


def test_a_logout_whose_answer_was_lost_is_done_when_the_session_is_gone(device, task):
    device.post_faults = {'logoutbtn': [LOST]}
    result = task('mfp_oauth_token', state='query')
    assert not result['warnings']
    assert count(device, 'logoutbtn') == 1 and device.requests[-1] == ('GET', SMTP)   # answered 302: ended


def test_a_page_read_is_still_retried_alike(device, task):
    device.faults = [503, reset('reset'), ProtocolError('Connection aborted.', ConnectionResetError())]
    result = task('mfp_oauth_token', state='query')
    assert not result.get('failed'), result
    assert device.clock.sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize('error, unsent', [
    (refused(), True),   # NewConnectionError, NameResolutionError: ConnectTimeoutError in urllib3 1.26 and 2.x
    (ConnectTimeoutError(None, 'Connection to mfp.example.test timed out. (connect timeout=30)'), True),
    (ProxyError('Unable to connect to proxy', refused()), True),
    (ProxyError('Unable to connect to proxy', ProtocolError('Connection aborted.', ConnectionResetError())), False),
    (reset('Connection reset by peer'), False),
    (ReadTimeoutError(None, SMTP, 'Read timed out.'), False),
])
def test_what_provably_never_reached_the_device(error, unsent):
    assert _session._unsent(error) is unsent


@pytest.mark.parametrize('kept', ['old', 'new'])
def test_a_printer_that_restarts_during_a_save_is_logged_in_to_again(device, task, kept):
    # Power lost during [Submit]: the connection drops, the printer comes back without sessions, keeping
    # the old or the new settings whole. The page read again redirects to the login: log in, then decide.
    original, struck = device.send, []

    def power_loss(request, **kwargs):
        if request.method == 'POST' and 'action=submitbtn' in (request.body or '') and not struck:
            struck.append(request)
            if kept == 'new':
                original(request, **kwargs)
            device.session = None
            raise reset('Connection reset by peer')
        return original(request, **kwargs)

    device.send = power_loss
    result = task('mfp_smtp', port=25)
    assert not result.get('failed'), result
    assert result['changed'] and device.settings['smtp']['port'] == '25'
    assert len(logins(device)) == 2 and device.failed_logins == 0
    # Kept new: the page shows it saved, not posted again; kept old: posted again, once.
    assert count(device, 'submitbtn') == 1 and len(struck) == 1
