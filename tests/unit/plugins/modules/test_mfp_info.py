# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""mfp_info: read the device, change nothing, judge the pages against the profile, capture them sanitized."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from urllib3.connection import HTTPSConnection
from urllib3.exceptions import NewConnectionError

from ansible_collections.printfleet.mfp.plugins.module_utils import _profiles as profiles
from ansible_collections.printfleet.mfp.plugins.module_utils._info import examine
from ansible_collections.printfleet.mfp.plugins.module_utils._page import Page
from ansible_collections.printfleet.mfp.plugins.modules import mfp_info
from ansible_collections.printfleet.mfp.tests.unit.plugins.conftest import ADMIN_PASSWORD, patch_module_args

ACCOUNT = 'scan@contoso.example'
# Captures made with playbooks/probe.yml (docs/supporting-a-new-model.md), one folder per model.
CAPTURES = Path(__file__).resolve().parents[1] / 'fixtures' / 'captures'
READS = ['GET /login.html', 'POST /login.html', 'GET /nw_service_smtp.html', 'GET /sys_email_status_special.html',
         'POST /sys_email_status_special.html']
# The only POSTs: the login and [Logout(L)] on the last page read (path, action).
POSTS = [('/login.html', 'loginbtn'), ('/sys_email_status_special.html', 'logoutbtn')]


def waiting_for_sign_in(device):
    device.settings['smtp']['auth_method'] = 'oauth2'
    device.settings['oauth'] = {'provider': 'microsoft', 'account': ACCOUNT}
    device.token.update(state='waiting_for_authorization', user_code='F7K2QW9M')


def posts(device):
    return [(path, form.get('action')) for path, form in device.posts]


def failed_checks(result):
    return [(check['page'], check['check']) for check in result['expectations'] if not check['held']]


@pytest.mark.parametrize('check_mode', [False, True])
def test_reads_both_pages_and_posts_nothing_but_the_login(device, task, check_mode):
    waiting_for_sign_in(device)
    settings, token = device.snapshot(), dict(device.token)
    result = task('mfp_info', check_mode=check_mode)
    assert result['changed'] is False and 'failed' not in result
    assert 'ansible_facts' not in result
    assert posts(device) == POSTS
    assert device.snapshot() == settings and device.token == token and not device.logged_in
    assert result['requests'] == READS
    assert (result['model'], result['profile'], result['profile_source'], result['language']) == (
        'BP-C131PW', 'bp_classic', 'detected', 'en')
    assert result['expectations_held'] and not failed_checks(result) and result['warnings'] == []
    assert {page: found['read'] for page, found in result['pages'].items()} == {'login': True, 'smtp': True, 'pop': True}
    assert result['tokens']['smtp'] == result['tokens']['pop']
    assert result['tokens']['pop']['user_code'] == 'F7K2QW9M'
    assert result['oauth']['smtp'] == {'state': 'waiting_for_authorization', 'label': 'Waiting for Authorization',
                                       'provider': 'microsoft', 'account': ACCOUNT, 'token_account': None,
                                       'auth_method': 'oauth2', 'message': None, 'provider_code': None,
                                       'sign_in': 'device_code'}
    assert result['oauth']['pop']['auth_method'] == 'plain'
    assert 'capture' not in result


def test_the_mx_profile_and_a_swedish_ui(device, task):
    device.profile, device.model, device.lang = 'mx_classic', 'MX-3071', 'sv'
    result = task('mfp_info', mfp_admin_user='admin')
    assert (result['profile'], result['language']) == ('mx_classic', 'sv')
    assert result['tokens']['smtp']['label'] == 'Ej hämtad' and result['expectations_held']


def test_the_capture_holds_every_page_read_and_no_secret(device, task):
    device.profile, device.model, device.admin_user = 'mx_classic', 'MX-3071', 'scanadmin'
    waiting_for_sign_in(device)
    result = task('mfp_info', capture=True, mfp_admin_user='scanadmin')
    capture = result['capture']
    assert [exchange['request'].split('?')[0] for exchange in capture['exchanges']] == READS
    login_post = capture['exchanges'][1]
    assert 'ggt_textbox(10003)' in login_post['posted_fields'] and login_post['status'] == 302
    cookie = dict(login_post['headers'])['Set-Cookie']
    assert cookie.startswith('MFPSESSIONID=masked-cookie-') and device.session is None
    smtp = capture['exchanges'][2]['body']
    assert 'name="token1" value="masked-token1-80"' in smtp and 'name="token2" value="masked-token2-80"' in smtp
    assert 'value="account1@example.invalid"' in smtp and 'smtp.office365.com' in smtp
    assert capture['probe']['tokens']['smtp']['user_code'].startswith('masked-')
    assert capture['probe']['model'] == 'MX-3071' and capture['probe']['expectations_held']
    text = json.dumps(capture)
    for secret in (ADMIN_PASSWORD, 'scanadmin', 'F7K2QW9M', ACCOUNT, 'Old-Smtp-Secret', 'Old-Pop-Secret'):
        assert secret not in text
    assert not re.search(r'[0-9a-f]{32}', text), 'a CSRF token is left'


def test_an_unknown_model_is_captured_without_a_login(device, task):
    device.model = 'BP-X999'
    result = task('mfp_info', capture=True)
    assert result['failed'] and "No profile covers the model 'BP-X999'" in result['msg']
    assert device.posts == [] and result['requests'] == ['GET /login.html']
    assert result['model'] == 'BP-X999' and result['profile'] is None
    assert ('login', 'model covered by a profile') in failed_checks(result)
    assert ('login', 'login accepted') in failed_checks(result)
    assert 'name="ggt_textbox(10003)"' in result['capture']['exchanges'][0]['body']


def test_a_login_form_it_does_not_understand_is_not_posted(device, task, monkeypatch):
    render = device._login_form
    monkeypatch.setattr(device, '_login_form', lambda *args, **kwargs: render(*args, **kwargs).replace(
        'value="Login"', 'value="Sign in"'))
    result = task('mfp_info', capture=True)
    assert result['failed'] and 'has no [Login] control' in result['msg']
    assert device.posts == [] and result['profile_source'] == 'detected'
    assert failed_checks(result) == [('login', 'login accepted'), ('login', 'login form understood')]
    assert 'value="Sign in"' in result['capture']['exchanges'][0]['body']


def test_a_given_profile_that_does_not_cover_the_model_is_reported(device, task):
    result = task('mfp_info', mfp_profile='mx_classic')
    assert 'failed' not in result and result['profile_source'] == 'given'
    # The pages label their fields, so mx_classic reads them all the same; the model is named.
    assert failed_checks(result) == [('login', 'model covered by a profile')]
    assert result['expectations'][4]['detail'] == 'profile bp_classic covers BP-C131PW'


@pytest.mark.parametrize('mode, profile, detail', [
    ('administrator', 'bp_classic', 'administrator: role and password'),
    ('login_name', 'mx_classic', 'login_name: login name and password'),
    ('password', 'bp_classic', 'password: the password alone'),
    ('admin_two_step', 'bp_a3', 'admin_two_step: [Administrator Login], then the password'),
])
def test_the_login_form_is_judged_by_its_mode(device, task, mode, profile, detail):
    device.profile, device.model, device.login_mode = profile, profiles.PROFILES[profile]['models'][0], mode
    result = task('mfp_info', mfp_admin_user='admin')
    login = [check for check in result['expectations'] if check['check'] == 'login form understood']
    assert login == [{'page': 'login', 'check': 'login form understood', 'held': True, 'detail': detail}]
    assert result['expectations_held'] and result['profile'] == profile


def test_a_panel_only_model_is_not_expected_to_offer_get_token(device, task):
    device.profile, device.model = 'bp_a3_panel', 'BP-70C65'
    result = task('mfp_info')
    assert result['expectations_held'] and result['profile'] == 'bp_a3_panel'
    assert [check['detail'] for check in result['expectations'] if check['check'] == 'controls present'] == [
        '[Logout(L)], [Submit(U)], [Delete], [Connection Test]', '[Logout(L)], [Submit(U)], [Delete]']


def test_controls_and_options_are_found_by_their_text(device, task, monkeypatch):
    render = device._page

    def relabelled(*args, **kwargs):
        return render(*args, **kwargs).replace('value="Get Token"', 'value="Fetch"').replace('>Google<', '>Gmail<')
    monkeypatch.setattr(device, '_page', relabelled)
    result = task('mfp_info')
    assert 'failed' not in result and failed_checks(result) == [
        ('smtp', 'controls present'), ('smtp', 'options understood'),
        ('pop', 'controls present'), ('pop', 'options understood')]
    details = [check['detail'] for check in result['expectations'] if not check['held']]
    assert details[0] == ('missing: [Get Token]; the page shows [Logout(L)], [Submit(U)], [Fetch], [Delete], '
                          '[Connection Test]')
    assert details[1] == "missing: provider: 'Google'"


def test_a_refused_login_is_tried_once_and_captured_without_the_password(device, task):
    result = task('mfp_info', capture=True, mfp_admin_password='Wrong-Secret-9')
    assert result['failed'] and 'refused the admin password' in result['msg']
    assert device.failed_logins == 1
    assert 'Wrong-Secret-9' not in json.dumps(result['capture'])
    assert 'Login failed.' in result['capture']['exchanges'][1]['body']


def test_a_page_off_its_profile_is_reported_not_failed(device, task, monkeypatch):
    render = device._page

    def renamed_account_field(path, *args, **kwargs):
        page = render(path, *args, **kwargs).replace('Not Obtained', 'Nope')
        # Neither its label nor the profile's name finds the account field.
        return page.replace('ggt_textbox(12)', 'ggt_textbox(13)').replace('Account Name', 'Mailbox')
    monkeypatch.setattr(device, '_page', renamed_account_field)
    result = task('mfp_info')
    assert 'failed' not in result and not result['expectations_held']
    assert failed_checks(result) == [('smtp', 'fields present'), ('smtp', 'options understood'),
                                     ('smtp', 'token panel understood'), ('pop', 'token panel understood')]
    assert result['expectations'][7]['detail'] == "missing: account (label 'Account Name' or field ggt_textbox(12))"
    assert result['tokens'] == {'smtp': None, 'pop': None} and result['oauth'] is None
    assert result['warnings'] == ['The pages of mfp.example.test do not match profile bp_classic in every point '
                                  '(see expectations): the other modules may fail on this device.']


def test_a_page_the_device_lacks_does_not_stop_the_other(device, task, monkeypatch):
    monkeypatch.setitem(profiles.family()['paths'], 'smtp', '/nw_service_smtp_oauth.html')
    result = task('mfp_info')
    assert 'failed' not in result
    assert result['pages']['smtp'] == {'path': '/nw_service_smtp_oauth.html', 'read': False, 'title': None,
                                       'error': 'mfp.example.test answered GET /nw_service_smtp_oauth.html with HTTP 404.'}
    assert result['pages']['pop']['read'] and result['tokens']['pop']['state'] == 'not_obtained'
    assert sorted(result['oauth']) == ['pop'] and not device.logged_in


def test_an_unreachable_device_is_unreachable(device, task):
    device.faults = [NewConnectionError(HTTPSConnection('mfp.example.test'), 'Connection refused')]
    result = task('mfp_info', mfp_retries=0)
    assert result['unreachable'] and result['failed'] and result['requests'] == []


def captured_pages(capture):
    """The login page and the settings pages of a capture, as the probe read them."""
    pages = {}
    for exchange in capture['exchanges']:
        method, path = exchange['request'].split(' ', 1)
        if method == 'GET' and exchange['status'] == 200:
            pages.setdefault(path.split('?')[0], Page(exchange['body']))
    return pages.get(profiles.login_path()), dict(
        (service, pages[path]) for service, path in profiles.page_paths().items() if path in pages)


@pytest.mark.parametrize('name', sorted(path.name for path in CAPTURES.iterdir()))
def test_every_captured_model_meets_the_profile_that_covers_it(name):
    capture = json.loads((CAPTURES / name / 'capture.json').read_text(encoding='utf-8'))
    login, pages = captured_pages(capture)
    result = examine(profiles.profile_for_model(login.model()), login, pages)
    assert failed_checks(result) == []
    assert sorted(pages) == sorted(profiles.SERVICES)
    assert result['model'] == capture['probe']['model']
    assert dict((service, token['state']) for service, token in result['tokens'].items()) == dict(
        (service, token['state']) for service, token in capture['probe']['tokens'].items())


def test_the_module_itself_reads_in_check_mode_and_masks_the_password(device, capsys):
    with patch_module_args({'mfp_host': device.host, 'mfp_admin_password': ADMIN_PASSWORD, 'capture': True,
                            '_ansible_check_mode': True}), pytest.raises(SystemExit):
        mfp_info.main()
    result = json.loads(capsys.readouterr().out)
    assert result['changed'] is False and result['requests'] == READS and result['expectations_held']
    assert posts(device) == POSTS
    assert ADMIN_PASSWORD not in json.dumps(result)


@pytest.mark.parametrize('footer, version', [
    ('<tr><th>Firmware Version</th><td>05.02.B1</td></tr>', '05.02.B1'),
    ('<p>Main Firmware: 2.10.J1.00</p>', '2.10.J1.00'),
    ('<p>Firmwareversion 1.4</p>', '1.4'),
    ('<p>Version of the page: none</p>', None),
])
def test_the_firmware_version_where_a_page_shows_it(device, task, monkeypatch, footer, version):
    render = device._document
    monkeypatch.setattr(device, '_document', lambda body, **kwargs: render(body + footer, **kwargs))
    assert task('mfp_info')['firmware_version'] == version


@pytest.mark.parametrize('check_mode', [False, True])
def test_verify_mail_presses_connection_test_on_the_smtp_page_and_saves_nothing(device, task, check_mode):
    settings = device.snapshot()
    result = task('mfp_info', check_mode=check_mode, verify_mail=True)
    assert result['changed'] is False and 'failed' not in result
    assert result['mail_verified'] == {'passed': True, 'message': 'Connection test succeeded.'}
    # Pressed on the SMTP page, before the pages are read for the result: a token refused in the test shows so.
    assert posts(device) == [POSTS[0], ('/nw_service_smtp.html', 'testButton'), POSTS[1]]
    assert device.snapshot() == settings


def test_a_device_that_ignores_connection_test_fails_the_verification(device, task):
    device.deaf_to = ('testButton',)
    result = task('mfp_info', verify_mail=True)
    assert result['failed'] and 'ignored [Connection Test] (action=testButton)' in result['msg']
    assert not device.logged_in
