# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controls as Sharp pages have them: found by label, posted as `action`, confirmed, retried when busy."""

from __future__ import annotations

import pytest

OAUTH = dict(provider='microsoft', account='scan@contoso.example')


@pytest.fixture
def oauth_device(device):
    device.settings['smtp']['auth_method'] = 'oauth2'
    device.settings['oauth'] = dict(OAUTH)
    return device


def test_control_names_come_from_the_page(device, task):
    device.control_names = {'submit': 'savebtn', 'logout': 'logoutButton'}
    result = task('mfp_smtp', port=25)
    assert not result.get('failed'), result
    assert device.pressed() == ['savebtn'] and device.settings['smtp']['port'] == '25'
    assert device.posts[-1][1]['action'] == 'logoutButton' and not device.logged_in


def test_swedish_labels_find_the_controls(device, task):
    device.lang = 'sv'
    result = task('mfp_smtp', port=25)
    assert not result.get('failed'), result
    assert device.pressed() == ['submitbtn'] and not device.logged_in


def test_an_ignored_submit_is_an_error_naming_the_control(device, task):
    device.deaf_to.add('submitbtn')
    result = task('mfp_smtp', port=25)
    assert result['failed']
    assert result['msg'].startswith('The device ignored [Submit] (action=submitbtn) on the SMTP page of '
                                    'mfp.example.test: it showed no result and the page is unchanged')
    assert device.settings['smtp']['port'] == '587' and not device.logged_in


def test_an_ignored_get_token_is_an_error_naming_the_control(oauth_device, task):
    oauth_device.deaf_to.add('gettokenbtn')
    result = task('mfp_oauth_token', **OAUTH)
    assert result['failed'] and 'ignored [Get Token] (action=gettokenbtn)' in result['msg']


def test_a_page_without_the_control_does_not_match_the_profile(device, task):
    original = device._control
    device._control = lambda key: '' if key == 'submit' else original(key)
    result = task('mfp_smtp', port=25)
    assert result['failed']
    assert result['msg'].startswith('The SMTP page of mfp.example.test shows no [Submit] control (it shows '
                                    '[Logout(L)], [Get Token], [Delete], [Connection Test])')
    assert device.writes() == []


@pytest.mark.parametrize('style, posted', [('script', ['gettokenbtn']), ('page', ['gettokenbtn', 'okbtn'])])
def test_get_token_with_either_confirmation_style(oauth_device, task, style, posted):
    oauth_device.confirm_style = style
    result = task('mfp_oauth_token', **OAUTH)
    assert not result.get('failed'), result
    assert oauth_device.pressed() == posted
    assert result['token']['state'] == 'waiting_for_authorization'


def test_mx_classic_deletes_through_its_confirmation_page(oauth_device, task):
    oauth_device.profile, oauth_device.model = 'mx_classic', 'MX-3071'
    oauth_device.set_token('obtained', 'old@contoso.example')
    result = task('mfp_oauth_token', state='absent', mfp_admin_user='admin')
    assert not result.get('failed'), result
    assert oauth_device.pressed() == ['tokendeletebtn', 'okbtn'] and oauth_device.token['state'] == 'not_obtained'


def test_a_busy_machine_is_asked_again_after_a_back_off(device, task):
    device.busy_posts = 2
    result = task('mfp_smtp', port=25)
    assert not result.get('failed'), result
    assert device.pressed() == ['submitbtn'] * 3 and device.settings['smtp']['port'] == '25'
    assert device.clock.sleeps == [0.5, 1.0]
    tokens = [form['token2'] for path, form in device.writes()]
    assert len(set(tokens)) == 3   # each attempt with the tokens of the page the busy device answered


def test_a_machine_busy_beyond_the_retries_fails_with_its_message(device, task):
    device.busy_posts = 100
    result = task('mfp_smtp', port=25, mfp_retries=1, mfp_busy_timeout=0)
    assert result['failed']
    assert result['msg'] == ('The device refused the SMTP settings: ERROR[5000]: The machine is busy. '
                             'Try again later.')
    assert len(device.writes()) == 2 and not device.logged_in


def test_a_busy_machine_is_waited_for_as_long_as_another_administrator(device, task):
    device.busy_posts = 6   # longer than the retries, shorter than mfp_busy_timeout
    result = task('mfp_smtp', port=25, mfp_retries=1, mfp_busy_timeout=60)
    assert not result.get('failed'), result
    waited = sum(device.clock.sleeps)
    assert len(device.writes()) == 7 and waited < 60
    device.busy_posts = 100   # busy past mfp_busy_timeout: the task fails with the machine's message
    result = task('mfp_smtp', port=26, mfp_retries=1, mfp_busy_timeout=60)
    assert result['failed'] and 'ERROR[5000]' in result['msg']
    assert 60 <= sum(device.clock.sleeps) - waited <= 60 + 8   # back-offs of at most 8 s, past the time out


@pytest.mark.parametrize('lang', ['en', 'sv'])
def test_fields_are_found_by_their_label_whatever_their_index(device, task, lang):
    device.lang, device.index_shift = lang, 50   # a firmware numbering its fields otherwise than the profile
    result = task('mfp_smtp', port=25, sender_name='Floor 3')
    assert not result.get('failed'), result
    assert result['settings']['primary_server'] == 'smtp.office365.com' and result['settings']['auth_method'] == 'smtp_auth'
    ((path, form),) = device.writes()
    assert path == '/nw_service_smtp.html'
    assert form['ggt_textbox(52)'] == '25' and form['ggt_textbox(54)'] == 'Floor 3' and 'ggt_textbox(2)' not in form
    assert device.settings['smtp']['port'] == '25' and device.settings['smtp']['sender_address'] == 'scan@contoso.example'


def test_unlabelled_fields_at_other_indices_do_not_match_the_profile(device, task):
    device.index_shift, device.labelled = 50, False
    result = task('mfp_smtp', port=25)
    assert result['failed'] and 'does not match profile bp_classic' in result['msg']
    assert device.writes() == []


def test_labelled_fields_serve_even_a_wrongly_chosen_profile(device, task):
    result = task('mfp_smtp', port=25, mfp_profile='mx_classic', mfp_admin_user='admin')   # a bp_classic device
    assert not result.get('failed'), result
    assert device.settings['smtp']['port'] == '25'


def test_a_machine_busy_at_the_confirmation_is_asked_again_from_it(oauth_device, task):
    oauth_device.confirm_style = 'page'
    original = oauth_device._confirm_page

    def busy_once_confirming(path, message, error=None):
        if error is None:
            oauth_device.busy_posts = 1   # the [OK] that answers this page finds the machine busy
        return original(path, message, error)

    oauth_device._confirm_page = busy_once_confirming
    result = task('mfp_oauth_token', **OAUTH)
    assert not result.get('failed'), result
    assert oauth_device.pressed() == ['gettokenbtn', 'okbtn', 'okbtn'] and oauth_device.clock.sleeps == [0.5]
    assert oauth_device.token['state'] == 'waiting_for_authorization'


def test_a_page_of_the_old_convention_named_submit_buttons_is_refused_before_posting(device, task):
    # What the lab's pages had before issue 9: a named submit button, no `action`; a Sharp device ignores it.
    original = device._control
    device._control = lambda key: ('<input type="submit" name="ggt_submit(20)" value="Submit">' if key == 'submit'
                                   else original(key))
    result = task('mfp_smtp', port=25)
    assert result['failed'] and 'shows no [Submit] control' in result['msg']
    assert device.writes() == [] and not device.logged_in
