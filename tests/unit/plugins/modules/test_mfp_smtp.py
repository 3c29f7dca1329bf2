# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.printfleet.mfp.tests.unit.plugins import fake_device

OAUTH = dict(auth_method='oauth2', provider='microsoft', account='scan@contoso.example')
SMTP = '/nw_service_smtp.html'


def saves(device):
    """The POSTs that saved a settings page (not logins)."""
    return [form for path, form in device.writes()]


def test_switch_to_oauth2_then_second_run_is_unchanged(device, task):
    first = task('mfp_smtp', **OAUTH)
    assert first['changed'] is True, first
    assert device.settings['smtp']['auth_method'] == 'oauth2'
    assert device.settings['oauth'] == {'provider': 'microsoft', 'account': 'scan@contoso.example'}
    assert first['settings']['auth_method'] == 'oauth2'
    assert first['ansible_facts']['mfp_oauth']['smtp']['auth_method'] == 'oauth2'
    assert first['ansible_facts']['mfp_oauth']['pop']['account'] == 'scan@contoso.example'

    del device.requests[:]
    second = task('mfp_smtp', **OAUTH)
    assert second['changed'] is False, second
    assert second['diff']['before'] == second['diff']['after']
    # The SMTP page alone: log in, read it, log out.
    assert device.requests == [('GET', '/login.html'), ('POST', '/login.html'), ('GET', SMTP), ('POST', SMTP)]
    assert not device.logged_in


def test_facts_from_the_smtp_page_alone(device, task):
    device.settings['oauth'] = {'provider': 'microsoft', 'account': 'scan@contoso.example'}
    device.set_token('obtained', 'scan@contoso.example')
    result = task('mfp_smtp', port=25)
    assert ('GET', '/sys_email_status_special.html') not in device.requests
    shared = {'state': 'obtained', 'label': 'Obtained', 'provider': 'microsoft', 'account': 'scan@contoso.example',
              'token_account': 'scan@contoso.example', 'message': None, 'provider_code': None, 'sign_in': None}
    assert result['ansible_facts'] == {'mfp_oauth': {
        'smtp': dict(shared, auth_method='smtp_auth'),
        'pop': dict(shared, auth_method=None),  # not on this page; the action plugin knows it from earlier facts
    }}


EXPECTED_SETTINGS = {
    'primary_server': 'smtp.office365.com', 'port': 25, 'timeout': 20, 'sender_name': 'Scanner',
    'sender_address': 'scan@contoso.example', 'ssl_tls': True, 'auth_method': 'smtp_auth',
    'user': 'scan@contoso.example', 'provider': None, 'account': '',
}


@pytest.mark.parametrize('profile, model', [('bp_classic', 'BP-70C45'), ('mx_classic', 'MX-2651')])
def test_every_field_is_read_where_the_profile_says(device, task, profile, model):
    device.profile, device.model = profile, model
    result = task('mfp_smtp', port=25, mfp_admin_user='admin')
    assert result['settings'] == EXPECTED_SETTINGS


def test_undeclared_settings_stay(device, task):
    before = device.snapshot()
    task('mfp_smtp', port=25)
    assert device.settings['smtp'] == dict(before['smtp'], port='25')
    assert device.settings['pop'] == before['pop']
    assert device.settings['oauth'] == before['oauth']
    (form,) = saves(device)
    assert form['ggt_textbox(1)'] == 'smtp.office365.com'
    assert form['ggt_checkbox(6)'] == '1'
    assert form['ggt_select(7)'] == '1'
    assert form['ggt_textbox(9)'] == '' and 'ggt_checkbox(10)' not in form
    assert form['action'] == 'submitbtn' and 'submitbtn' not in form
    assert len(form['token1']) == len(form['token2']) == 80
    assert form['ordinate'] == '0' and form['nw_service_smtpWebChange'] == ''


@pytest.mark.parametrize('in_header', [True, False])
def test_a_latin_1_device_keeps_its_undeclared_text_and_gets_declared_text_right(device, task, in_header):
    device.charset, device.charset_in_header = 'iso-8859-1', in_header
    device.settings['smtp']['sender_name'] = 'Skrivare Malmö'
    assert task('mfp_smtp', port=25)['changed']
    assert device.settings['smtp']['sender_name'] == 'Skrivare Malmö'
    assert task('mfp_smtp', sender_name='Skanner Göteborg')['changed']
    assert device.settings['smtp']['sender_name'] == 'Skanner Göteborg'
    assert task('mfp_smtp', sender_name='Skanner Göteborg')['changed'] is False


def test_check_mode_posts_nothing_and_reports_the_diff(device, task):
    before = device.snapshot()
    result = task('mfp_smtp', check_mode=True, port=25, ssl_tls=False)
    assert result['changed'] is True
    assert result['diff']['before']['port'] == 587 and result['diff']['after']['port'] == 25
    assert result['diff']['after']['ssl_tls'] is False
    assert result['settings']['port'] == 25
    assert saves(device) == []
    assert device.settings == before
    assert not device.logged_in


def test_password_is_masked_in_diff_and_result(device, task):
    result = task('mfp_smtp', auth_method='smtp_auth', user='other@contoso.example', password='New-Smtp-Secret')
    assert result['changed'] and result['password_updated']
    assert device.settings['smtp']['password'] == 'New-Smtp-Secret'
    assert result['diff']['before']['password'] == '********'
    assert result['diff']['after']['password'].startswith('********')
    assert 'New-Smtp-Secret' not in json.dumps(result)
    assert 'Admin-Secret-1' not in json.dumps(result)
    (form,) = saves(device)
    assert form['ggt_textbox(9)'] == 'New-Smtp-Secret' and form['ggt_checkbox(10)'] == '1'


def test_update_password_on_create_sends_it_only_with_a_new_login(device, task):
    result = task('mfp_smtp', auth_method='smtp_auth', user='scan@contoso.example', password='New-Smtp-Secret')
    assert result['changed'] is False and result['password_updated'] is False
    assert device.settings['smtp']['password'] == 'Old-Smtp-Secret'
    assert saves(device) == []
    assert 'password' not in result['diff']['after']


def test_update_password_always_writes_every_run(device, task):
    for attempt in (1, 2):
        result = task('mfp_smtp', password='New-Smtp-Secret', update_password='always')
        assert result['changed'] is True and result['password_updated'] is True, attempt
    assert device.settings['smtp']['password'] == 'New-Smtp-Secret'


def test_account_change_deletes_the_token(device, task):
    device.settings['oauth'] = {'provider': 'microsoft', 'account': 'old-scan@contoso.example'}
    device.set_token('obtained', 'old-scan@contoso.example')
    result = task('mfp_smtp', **OAUTH)
    assert result['changed'] and result['token_deleted']
    assert device.token['state'] == 'not_obtained'
    assert result['token']['state'] == 'not_obtained'
    assert result['diff']['before']['token_state'] == 'obtained'
    assert result['diff']['after']['token_state'] == 'not_obtained'
    assert result['ansible_facts']['mfp_oauth']['pop']['state'] == 'not_obtained'
    # The new account was saved before the token was deleted.
    assert device.settings['oauth']['account'] == 'scan@contoso.example'
    assert device.pressed() == ['submitbtn', 'deletebtn']   # [Delete] confirmed by the page's confirm()


def test_an_account_typed_in_another_case_changes_nothing(device, task):
    device.settings['smtp']['auth_method'] = 'oauth2'
    device.settings['oauth'] = {'provider': 'microsoft', 'account': 'Scan@Contoso.example'}
    device.set_token('obtained', 'scan@contoso.example')
    result = task('mfp_smtp', **OAUTH)
    assert result['changed'] is False and not result['token_deleted']
    assert device.token['state'] == 'obtained' and saves(device) == []


def test_a_token_left_for_another_account_is_deleted_on_the_next_run(device, task):
    # The account is already the declared one (changed on the device's own page, or by a run that
    # failed before [Delete]), but the token is still the old account's.
    device.settings['smtp']['auth_method'] = 'oauth2'
    device.settings['oauth'] = {'provider': 'microsoft', 'account': 'scan@contoso.example'}
    device.set_token('obtained', 'old-scan@contoso.example')
    result = task('mfp_smtp', **OAUTH)
    assert result['changed'] and result['token_deleted']
    assert device.token['state'] == 'not_obtained'
    assert task('mfp_smtp', **OAUTH)['changed'] is False


def test_a_task_that_declares_no_account_leaves_any_token_alone(device, task):
    device.settings['oauth'] = {'provider': 'microsoft', 'account': 'scan@contoso.example'}
    device.set_token('obtained', 'old-scan@contoso.example')
    result = task('mfp_smtp', port=25)
    assert not result['token_deleted'] and device.token['state'] == 'obtained'


def test_account_change_keeps_the_token_when_asked(device, task):
    device.settings['oauth'] = {'provider': 'microsoft', 'account': 'old-scan@contoso.example'}
    device.set_token('obtained', 'old-scan@contoso.example')
    result = task('mfp_smtp', keep_token=True, **OAUTH)
    assert result['changed'] and not result['token_deleted']
    assert device.token['state'] == 'obtained'


@pytest.mark.parametrize('lang, label', [('en', 'Not Obtained'), ('sv', 'Ej hämtad')])
def test_check_mode_account_change_reports_what_the_real_run_does(device, task, lang, label):
    device.lang = lang
    device.settings['oauth'] = {'provider': 'microsoft', 'account': 'old-scan@contoso.example'}
    device.set_token('obtained', 'old-scan@contoso.example')
    planned = task('mfp_smtp', check_mode=True, **OAUTH)
    assert device.writes() == []
    assert device.token['state'] == 'obtained'
    assert planned['token_deleted'] is True
    assert planned['token'] == {'state': 'not_obtained', 'label': label, 'account': None, 'sign_in': None,
                                'user_code': None, 'verification_uri': None, 'sign_in_url': None, 'expires_at': None,
                                'message': None, 'provider_code': None, 'advice': None}
    assert planned['ansible_facts']['mfp_oauth']['smtp'] == {
        'state': 'not_obtained', 'label': label, 'provider': 'microsoft', 'account': 'scan@contoso.example',
        'token_account': None, 'auth_method': 'oauth2', 'message': None, 'provider_code': None, 'sign_in': None}
    assert planned['ansible_facts']['mfp_oauth']['pop']['state'] == 'not_obtained'

    applied = task('mfp_smtp', **OAUTH)
    assert device.token['state'] == 'not_obtained'
    assert applied == planned


def test_device_validation_message_is_surfaced(device, task, monkeypatch):
    device.lang = 'sv'
    # A firmware stricter than the manual: only the device's own message can explain it.
    monkeypatch.setitem(fake_device.RANGES, 'timeout', (1, 30))
    result = task('mfp_smtp', timeout=45)
    assert result['failed']
    assert 'Timeout: Ange ett tal från 1 till 30.' in result['msg']
    assert result['device_message'] == 'ERROR[1001]: Timeout: Ange ett tal från 1 till 30.'
    assert device.settings['smtp']['timeout'] == '20'
    assert not device.logged_in


def test_a_value_the_device_did_not_take_fails(device, task):
    device.ignored.add('sender_name')
    result = task('mfp_smtp', sender_name='Scanner 2')
    assert result['failed']
    assert "sender_name (sent 'Scanner 2', the device shows 'Scanner')" in result['msg']


@pytest.mark.parametrize('args, message', [
    (dict(port=0), 'port must be from 1 to 65535'),
    (dict(port=65536), 'port must be from 1 to 65535'),
    (dict(timeout=61), 'timeout must be from 1 to 60'),
    (dict(sender_address='not-an-address'), "sender_address 'not-an-address' is not an e-mail address"),
    (dict(primary_server='smtp..example'), 'is not a host name or IPv4 address'),
    (dict(primary_server='300.1.1.1'), 'is not a host name or IPv4 address'),
    (dict(sender_name='x' * 65), 'sender_name is longer than the device allows (64 characters)'),
    (dict(auth_method='oauth2', provider='microsoft', account='a@b.example', primary_server=''),
     'primary_server is required with auth_method oauth2'),
    (dict(auth_method='smtp_auth', user=''), 'user is required with auth_method smtp_auth'),
    (dict(auth_method='oauth2', provider='google', account='a@b.example', password='x'),
     'password is only used with auth_method smtp_auth'),
    (dict(account='a@b'), "account 'a@b' is not an e-mail address"),
    (dict(mfp_port=0), 'mfp_port must be from 1 to 65535'),
    (dict(mfp_retries=-1), 'mfp_retries must be from 0 to 10'),
    (dict(mfp_ca_path='/nonexistent/ca.pem'), 'mfp_ca_path /nonexistent/ca.pem is not a readable file'),
    (dict(mfp_host=''), 'mfp_host is empty'),
    (dict(mfp_host='https://mfp-01.example'), "mfp_host 'https://mfp-01.example' is not a host name or IP address"),
    (dict(auth_method='oauth2', provider='microsoft', account=''), 'account is empty'),
    (dict(primary_server='smtp.example.com\n'), 'is not a host name or IPv4 address'),
    (dict(sender_address='scan@contoso.example\n'), 'is not an e-mail address'),
    (dict(sender_name='Scanner\n'), "sender_name holds a control character ('\\n' at position 8)"),
    (dict(sender_name='Scan\tner'), "sender_name holds a control character ('\\t' at position 5)"),
    (dict(auth_method='smtp_auth', user='scan\r@contoso'), "user holds a control character ('\\r' at position 5)"),
    (dict(mfp_admin_password='Admin-Secret-1\n'), "mfp_admin_password holds a control character ('\\n' at position 15)"),
])
def test_bad_input_fails_before_any_request(device, task, args, message):
    result = task('mfp_smtp', **args)
    assert result['failed']
    assert message in result['msg']
    assert device.requests == []


def test_oauth2_needs_provider_and_account(device, task):
    with pytest.raises(AssertionError, match='provider, account'):
        task('mfp_smtp', auth_method='oauth2')
    assert device.requests == []


def test_swedish_ui_behaves_like_english(device, task):
    device.lang = 'sv'
    device.set_token('obtained', 'scan@contoso.example')
    device.settings['oauth'] = {'provider': 'microsoft', 'account': 'scan@contoso.example'}
    result = task('mfp_smtp', port=25)
    assert result['changed']
    assert result['token'] == dict(result['token'], state='obtained', label='Hämtad')
    assert task('mfp_smtp', port=25)['changed'] is False


def test_mx_classic_profile_logs_in_with_a_name(device, task):
    device.profile = 'mx_classic'
    device.model = 'MX-3071'
    result = task('mfp_smtp', port=25, mfp_admin_user='admin')
    assert result['changed'], result
    login = device.posts[0][1]
    assert login['ggt_textbox(10002)'] == 'admin'
    (form,) = saves(device)
    assert form['ggt_textbox(102)'] == '25' and form['action'] == 'executebtn'
    assert device.settings['smtp']['port'] == '25'


def actions(device):
    return [form.get('action') for path, form in device.posts]


def test_verify_mail_tests_the_saved_settings_after_the_save(device, task):
    result = task('mfp_smtp', verify_mail=True, port=25)
    assert result['changed'] is True
    assert result['mail_verified'] == {'passed': True, 'message': 'Connection test succeeded.'}
    # Saved first, then tested: the test is of what the printer now holds.
    assert actions(device)[1:3] == ['submitbtn', 'testButton']
    assert result['settings']['port'] == 25


def test_verify_mail_in_check_mode_tests_only_what_would_not_change(device, task):
    unchanged = task('mfp_smtp', check_mode=True, verify_mail=True)
    assert unchanged['mail_verified'] == {'passed': True, 'message': 'Connection test succeeded.'}
    del device.posts[:]
    before = device.snapshot()
    planned = task('mfp_smtp', check_mode=True, verify_mail=True, port=25)
    assert planned['mail_verified'] is None
    assert any('not run in check mode' in warning for warning in planned['warnings'])
    assert 'testButton' not in actions(device) and saves(device) == []
    assert device.snapshot() == before


def test_without_verify_mail_no_connection_test(device, task):
    result = task('mfp_smtp', port=25)
    assert 'mail_verified' not in result
    assert 'testButton' not in actions(device)
