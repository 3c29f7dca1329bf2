# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

POP = '/sys_email_status_special.html'
OAUTH = dict(auth_method='oauth2', provider='microsoft', account='scan@contoso.example')


def saves(device):
    return [form for path, form in device.writes()]


def test_switch_to_oauth2_then_unchanged(device, task):
    before = device.snapshot()
    first = task('mfp_pop', check_interval=10, **OAUTH)
    assert first['changed']
    assert device.settings['pop'] == dict(before['pop'], auth_method='oauth2', check_interval='10')
    assert device.settings['smtp'] == before['smtp']
    assert first['settings'] == {'server': 'outlook.office365.com', 'port': 995, 'check_interval': 10, 'ssl': True,
                                 'auth_method': 'oauth2', 'user': 'scan@contoso.example', 'provider': 'microsoft',
                                 'account': 'scan@contoso.example'}
    (form,) = saves(device)
    assert form['ggt_textbox(1)'] == 'outlook.office365.com' and form['ggt_checkbox(4)'] == '1'
    assert form['ggt_select(5)'] == '2' and form['ggt_select(9)'] == '1'
    assert form['action'] == 'submitbtn'
    del device.requests[:]
    second = task('mfp_pop', check_interval=10, **OAUTH)
    assert second['changed'] is False
    # The POP page alone: log in, read it, log out.
    assert device.requests == [('GET', '/login.html'), ('POST', '/login.html'), ('GET', POP), ('POST', POP)]
    assert second['ansible_facts']['mfp_oauth']['pop']['auth_method'] == 'oauth2'
    assert second['ansible_facts']['mfp_oauth']['smtp'] == dict(second['ansible_facts']['mfp_oauth']['pop'],
                                                                auth_method=None)


def test_unchecking_ssl_posts_no_checkbox(device, task):
    result = task('mfp_pop', ssl=False)
    assert result['changed'] and device.settings['pop']['ssl'] is False
    (form,) = saves(device)
    assert 'ggt_checkbox(4)' not in form


def test_check_mode_and_diff(device, task):
    result = task('mfp_pop', check_mode=True, port=110, password='New-Pop-Secret', auth_method='apop')
    assert result['changed'] and result['password_updated']
    assert result['diff']['before'] == dict(result['diff']['before'], port=995, auth_method='plain', password='********')
    assert result['diff']['after']['port'] == 110
    assert 'New-Pop-Secret' not in repr(result)
    assert saves(device) == []


def test_check_mode_provider_change_reports_the_token_deleted(device, task):
    device.settings['oauth'] = {'provider': 'google', 'account': 'scan@contoso.example'}
    device.set_token('obtained', 'scan@contoso.example')
    planned = task('mfp_pop', check_mode=True, **OAUTH)
    assert saves(device) == [] and device.token['state'] == 'obtained'
    assert planned['token_deleted'] and planned['token']['state'] == 'not_obtained'
    assert planned['ansible_facts']['mfp_oauth']['pop']['state'] == 'not_obtained'
    assert planned['ansible_facts']['mfp_oauth']['pop']['provider'] == 'microsoft'
    assert task('mfp_pop', **OAUTH) == planned


def test_apop_with_new_password(device, task):
    task('mfp_pop', auth_method='apop', password='New-Pop-Secret')
    assert device.settings['pop']['auth_method'] == 'apop'
    assert device.settings['pop']['password'] == 'New-Pop-Secret'


def test_mx_classic_pop_fields(device, task):
    device.profile, device.model = 'mx_classic', 'MX-5071'
    result = task('mfp_pop', port=110, mfp_admin_user='admin')
    assert result['settings'] == {'server': 'outlook.office365.com', 'port': 110, 'check_interval': 5, 'ssl': True,
                                  'auth_method': 'plain', 'user': 'scan@contoso.example', 'provider': None,
                                  'account': ''}
    (form,) = saves(device)
    assert form['ggt_textbox(202)'] == '110' and form['action'] == 'executebtn'
    assert device.settings['pop']['port'] == '110'


@pytest.mark.parametrize('args, message', [
    (dict(check_interval=0), 'check_interval must be from 1 to 240'),
    (dict(check_interval=241), 'check_interval must be from 1 to 240'),
    (dict(server='bad host'), 'is not a host name'),
    (dict(auth_method='oauth2', provider='microsoft', account='a@b.example', server=''), 'server is required'),
    (dict(auth_method='plain', user=''), 'user is required with auth_method plain'),
    (dict(user='u' * 65), 'user is longer than the device allows'),
])
def test_bad_input_fails_before_any_request(device, task, args, message):
    result = task('mfp_pop', **args)
    assert result['failed'] and message in result['msg']
    assert device.requests == []
