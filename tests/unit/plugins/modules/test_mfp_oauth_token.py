# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The token lifecycle, as the manual tells it: press Get Token, sign in, see Obtained."""

from __future__ import annotations

import pytest
from urllib3.exceptions import ProtocolError

ACCOUNT = 'scan@contoso.example'
EXPECTED = dict(provider='microsoft', account=ACCOUNT)


def pressed(device):
    """The token controls pressed ([Get Token], [Delete]), in order; confirmed by the page's confirm()."""
    names = {device.controls['get_token']: 'get_token', device.controls['delete']: 'delete'}
    return [names[action] for action in device.pressed() if action in names]


def test_not_obtained_press_get_token_and_report_the_code(oauth_device, task):
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['changed'] and result['actions'] == ['get_token']
    assert pressed(oauth_device) == ['get_token']
    assert result['user_code'] == 'F7K2QW9M'
    assert result['verification_uri'] == 'https://idp.example.test/devicelogin'
    assert result['expires_at'] == '2026-11-27T10:15:00Z'
    assert result['ansible_facts']['mfp_oauth']['smtp']['state'] == 'waiting_for_authorization'
    assert result['ansible_facts']['mfp_oauth']['pop']['state'] == 'waiting_for_authorization'


def test_waiting_never_presses_again(oauth_device, task):
    task('mfp_oauth_token', **EXPECTED)
    second = task('mfp_oauth_token', **EXPECTED)
    assert second['changed'] is False and second['actions'] == []
    assert second['user_code'] == 'F7K2QW9M'
    assert pressed(oauth_device) == ['get_token']


def test_wait_until_a_person_signs_in(oauth_device, task):
    oauth_device.approve_after = 12
    result = task('mfp_oauth_token', wait=True, poll_interval=5, **EXPECTED)
    assert result['changed'] and result['token']['state'] == 'obtained'
    assert result['token']['account'] == ACCOUNT
    assert result['user_code'] is None
    assert oauth_device.clock.sleeps == [5, 5, 5]
    assert task('mfp_oauth_token', **EXPECTED)['changed'] is False


def test_wait_timeout_fails_with_the_code(oauth_device, task):
    result = task('mfp_oauth_token', wait=True, wait_timeout=30, poll_interval=10, **EXPECTED)
    assert result['failed']
    assert 'F7K2QW9M' in result['msg'] and 'https://idp.example.test/devicelogin' in result['msg']
    assert result['user_code'] == 'F7K2QW9M'
    assert sum(oauth_device.clock.sleeps) == 30
    assert not oauth_device.logged_in


def test_sign_in_with_another_account_fails_the_wait(oauth_device, task):
    oauth_device.approve_after = 1
    oauth_device.approve_account = 'someone@contoso.example'
    result = task('mfp_oauth_token', wait=True, **EXPECTED)
    assert result['failed']
    assert 'obtained for someone@contoso.example, not for scan@contoso.example' in result['msg']


def test_obtained_for_the_account_is_no_change(oauth_device, task):
    oauth_device.set_token('obtained', 'Scan@Contoso.example')
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['changed'] is False and pressed(oauth_device) == []
    # The page of the service alone: log in, read it, log out.
    assert oauth_device.requests == [('GET', '/login.html'), ('POST', '/login.html'), ('GET', '/nw_service_smtp.html'),
                                     ('POST', '/nw_service_smtp.html')]   # [Logout(L)] on the page read


def test_a_firmware_that_does_not_show_the_tokens_account_is_still_idempotent(oauth_device, task):
    oauth_device.set_token('obtained', None)   # no "Authorized Account" row on the page
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['changed'] is False and pressed(oauth_device) == []
    assert result['ansible_facts']['mfp_oauth']['smtp']['token_account'] is None


def test_an_account_typed_in_another_case_is_the_same_account(oauth_device, task):
    oauth_device.settings['oauth']['account'] = 'Scan@Contoso.example'
    oauth_device.set_token('obtained', ACCOUNT)
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['changed'] is False and pressed(oauth_device) == []


@pytest.mark.parametrize('args', [dict(provider='microsoft', account=''), dict(EXPECTED, mfp_host='https://printer'),
                                  dict(EXPECTED, mfp_host='[2001:db8::10]'), dict(EXPECTED, mfp_host='printer:443'),
                                  dict(provider='microsoft', account=ACCOUNT + '\n')])
def test_bad_input_fails_before_any_request(oauth_device, task, args):
    result = task('mfp_oauth_token', **args)
    assert result['failed'] and result['msg'].startswith('Invalid options for mfp_oauth_token')
    assert oauth_device.requests == []


def test_an_ipv6_device_address_is_used_in_brackets(oauth_device, task):
    oauth_device.host = '2001:db8::10'
    urls = []
    original = oauth_device.send
    oauth_device.send = lambda request, **kwargs: urls.append(request.url) or original(request, **kwargs)
    assert 'failed' not in task('mfp_oauth_token', state='query', mfp_host='2001:db8::10')
    assert urls and all(url.startswith('https://[2001:db8::10]:443/') for url in urls)


def test_get_token_needs_oauth2_selected_first(oauth_device, task):
    oauth_device.settings['smtp']['auth_method'] = 'smtp_auth'
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['failed']
    assert result['msg'] == ('The SMTP page uses smtp_auth, not OAuth 2.0, and [Get Token] needs OAuth 2.0 selected: '
                             'set auth_method oauth2 with mfp_smtp first.')
    assert oauth_device.writes() == []


def test_check_mode_plans_get_token_and_warns_when_nothing_selects_oauth2(oauth_device, task):
    oauth_device.settings['smtp']['auth_method'] = 'smtp_auth'
    result = task('mfp_oauth_token', check_mode=True, **EXPECTED)
    assert not result.get('failed') and result['changed'] and result['actions'] == ['get_token']
    assert result['warnings'] == ['Check mode planned [Get Token], but the real run would fail here unless an earlier '
                                  'task selects OAuth 2.0. The SMTP page uses smtp_auth, not OAuth 2.0, and [Get Token] '
                                  'needs OAuth 2.0 selected: set auth_method oauth2 with mfp_smtp first.']
    assert oauth_device.writes() == []


def test_obtained_for_another_account_is_replaced(oauth_device, task):
    oauth_device.settings['oauth']['account'] = 'old-scan@contoso.example'
    oauth_device.set_token('obtained', 'old-scan@contoso.example')
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['actions'] == ['delete', 'get_token']
    assert pressed(oauth_device) == ['delete', 'get_token']
    assert oauth_device.settings['oauth']['account'] == ACCOUNT
    assert result['diff']['before']['token_account'] == 'old-scan@contoso.example'


def test_invalid_is_renewed(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT)
    result = task('mfp_oauth_token', **EXPECTED)
    assert pressed(oauth_device) == ['delete', 'get_token']
    assert result['token']['state'] == 'waiting_for_authorization'


def test_check_mode_presses_nothing(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT)
    result = task('mfp_oauth_token', check_mode=True, wait=True, **EXPECTED)
    assert result['changed'] and result['actions'] == ['delete', 'get_token']
    assert result['diff']['after']['token_state'] == 'waiting_for_authorization'
    assert oauth_device.writes() == []
    assert oauth_device.token['state'] == 'invalid'


def test_absent_deletes_then_is_unchanged(oauth_device, task):
    oauth_device.set_token('obtained', ACCOUNT)
    assert task('mfp_oauth_token', state='absent')['changed'] is True
    assert oauth_device.token['state'] == 'not_obtained'
    del oauth_device.requests[:]
    assert task('mfp_oauth_token', state='absent', service='pop')['changed'] is False
    assert pressed(oauth_device) == ['delete']
    assert oauth_device.requests == [('GET', '/login.html'), ('POST', '/login.html'),
                                     ('GET', '/sys_email_status_special.html'), ('POST', '/sys_email_status_special.html')]


def test_pop_page_buttons_share_the_token(oauth_device, task):
    result = task('mfp_oauth_token', service='pop', **EXPECTED)
    assert [path for path, form in oauth_device.writes()] == ['/sys_email_status_special.html']
    assert result['ansible_facts']['mfp_oauth']['smtp']['state'] == 'waiting_for_authorization'


def test_query_reports_facts_in_swedish(oauth_device, task):
    oauth_device.lang = 'sv'
    oauth_device.settings['pop']['auth_method'] = 'plain'   # each page reports its own method
    oauth_device.set_token('obtained', ACCOUNT)
    result = task('mfp_oauth_token', state='query')
    assert result['changed'] is False
    assert result['ansible_facts'] == {'mfp_oauth': {
        'smtp': {'state': 'obtained', 'label': 'Hämtad', 'provider': 'microsoft', 'account': ACCOUNT,
                 'token_account': ACCOUNT, 'auth_method': 'oauth2'},
        'pop': {'state': 'obtained', 'label': 'Hämtad', 'provider': 'microsoft', 'account': ACCOUNT,
                'token_account': ACCOUNT, 'auth_method': 'plain'},
    }}


def test_present_without_any_account_is_a_clear_error(device, task):
    result = task('mfp_oauth_token')
    assert result['failed'] and 'give provider and account' in result['msg']
    assert pressed(device) == []


def test_device_refusal_of_get_token_is_surfaced(device, task):
    device.settings['pop']['auth_method'] = 'oauth2'
    device.settings['pop']['server'] = ''
    result = task('mfp_oauth_token', service='pop', **EXPECTED)
    assert result['failed']
    assert result['msg'].endswith('POP3 Server: Enter a value.')
    assert device.token['state'] == 'not_obtained'


def test_the_wait_holds_no_session_between_polls(oauth_device, task):
    oauth_device.approve_after = 12
    held = []
    original = oauth_device.wait

    def wait(seconds):
        held.append(oauth_device.logged_in)
        original(seconds)

    oauth_device.wait = wait
    result = task('mfp_oauth_token', wait=True, poll_interval=5, **EXPECTED)
    assert result['token']['state'] == 'obtained' and result['user_code'] is None
    assert held == [False, False, False]   # a person can log in while it sleeps
    assert not oauth_device.logged_in


def test_the_wait_outlasts_an_idle_timeout_shorter_than_the_poll_interval(oauth_device, task):
    oauth_device.idle_seconds = 3
    oauth_device.approve_after = 12
    result = task('mfp_oauth_token', wait=True, poll_interval=5, **EXPECTED)
    assert not result.get('failed'), result
    assert result['token']['state'] == 'obtained'
    assert result['ansible_facts']['mfp_oauth']['smtp']['state'] == 'obtained'


def test_a_wait_whose_logouts_fail_warns_once_and_ends_its_own_session_at_the_next_poll(oauth_device, task):
    oauth_device.approve_after = 12
    oauth_device.post_faults = {'logoutbtn': [ProtocolError('Connection aborted.', ConnectionResetError())] * 4}
    result = task('mfp_oauth_token', wait=True, poll_interval=5, **EXPECTED)
    assert result['token']['state'] == 'obtained', result
    assert len(result['warnings']) == 1 and result['warnings'][0].startswith('Logging out of mfp.example.test failed')
    assert not oauth_device.logged_in
