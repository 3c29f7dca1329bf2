# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""mfp_mail_oauth: the three steps of a roll-out in one admin session, and the printer's status."""

from __future__ import annotations

import pytest

from ansible_collections.printfleet.mfp.plugins.module_utils._mail_oauth import status

ACCOUNT = 'scan@contoso.example'
ROLL_OUT = dict(provider='microsoft', account=ACCOUNT, smtp={'primary_server': 'smtp.office365.com', 'port': 587},
                pop={'check_interval': 10})


def logins(device):
    return device.requests.count(('POST', '/login.html'))


def test_a_first_roll_out_sets_both_pages_and_presses_get_token_in_one_login(device, task):
    result = task('mfp_mail_oauth', **ROLL_OUT)
    assert not result.get('failed'), result
    assert result['changed'] and result['actions'] == {'smtp': ['get_token'], 'pop': []}
    assert device.settings['smtp']['auth_method'] == device.settings['pop']['auth_method'] == 'oauth2'
    assert device.settings['smtp']['primary_server'] == 'smtp.office365.com'
    assert device.settings['pop']['check_interval'] == '10'   # as the form posted it
    assert device.settings['oauth'] == {'provider': 'microsoft', 'account': ACCOUNT}
    assert result['status']['waiting'] and result['status']['user_code'] == 'F7K2QW9M'
    assert result['status']['pop_token'] is None   # one token for both pages
    assert logins(device) == 1 and not device.logged_in


def test_a_printer_that_needs_nothing_costs_one_login_and_five_requests(device, task):
    task('mfp_mail_oauth', **ROLL_OUT)
    device.set_token('obtained', ACCOUNT)
    device.requests.clear()
    result = task('mfp_mail_oauth', **ROLL_OUT)
    assert not result['changed'] and result['actions'] == {'smtp': [], 'pop': []}
    assert result['status']['authorized'] and not result['status']['waiting']
    assert len(device.requests) == 5 and logins(device) == 1


def test_a_pending_sign_in_keeps_its_code(device, task):
    task('mfp_mail_oauth', **ROLL_OUT)
    result = task('mfp_mail_oauth', **ROLL_OUT)
    assert not result['changed'] and result['status']['user_code'] == 'F7K2QW9M'
    assert device.pressed().count(device.controls['get_token']) == 1


def test_the_plan_writes_nothing_and_says_what_each_page_and_button_would_do(device, task):
    before = device.snapshot()
    result = task('mfp_mail_oauth', check_mode=True, **ROLL_OUT)
    assert device.writes() == [] and device.snapshot() == before
    assert result['changed'] and result['actions'] == {'smtp': ['get_token'], 'pop': []}
    assert result['diff']['before']['smtp']['auth_method'] != 'oauth2'
    assert result['diff']['after']['smtp']['auth_method'] == result['diff']['after']['pop']['auth_method'] == 'oauth2'
    assert result['diff']['after']['smtp']['token_state'] == 'waiting_for_authorization'
    assert result['ansible_facts']['mfp_oauth']['smtp']['state'] == 'waiting_for_authorization'


def test_an_account_change_deletes_the_old_token_then_asks_for_a_new_one(oauth_device, task):
    oauth_device.settings['oauth']['account'] = 'old-scan@contoso.example'
    oauth_device.set_token('obtained', 'old-scan@contoso.example')
    result = task('mfp_mail_oauth', **ROLL_OUT)
    assert result['actions'] == {'smtp': ['delete', 'get_token'], 'pop': []}
    assert oauth_device.token['state'] == 'waiting_for_authorization'
    assert result['diff']['before']['smtp']['account'] == 'old-scan@contoso.example'


def test_without_pop_the_pop_page_is_not_read(device, task):
    result = task('mfp_mail_oauth', provider='microsoft', account=ACCOUNT)
    assert result['actions'] == {'smtp': ['get_token']} and 'pop' not in result['settings']
    assert ('GET', '/sys_email_status_special.html') not in device.requests


def test_get_token_false_only_sets_the_pages(device, task):
    result = task('mfp_mail_oauth', get_token=False, **ROLL_OUT)
    assert result['actions'] == {'smtp': [], 'pop': []} and device.token['state'] == 'not_obtained'
    assert not result['status']['authorized'] and not result['status']['waiting']


def test_the_query_reads_and_changes_nothing(oauth_device, task):
    oauth_device.set_token('obtained', ACCOUNT)
    result = task('mfp_mail_oauth', state='query', provider='microsoft', account=ACCOUNT, pop={})
    assert not result['changed'] and oauth_device.writes() == []
    assert result['status']['authorized']


@pytest.mark.parametrize('options, error', [
    ({'smtp': {'port': 0}}, 'smtp: port must be from 1 to 65535'),
    ({'pop': {'server': 'not a host'}}, "pop: server 'not a host' is not a host name"),
    ({'account': ''}, 'account is empty'),
])
def test_bad_input_fails_before_any_request(device, task, options, error):
    result = task('mfp_mail_oauth', **dict(ROLL_OUT, **options))
    assert result['failed'] and error in result['msg'], result['msg']
    assert device.requests == []


@pytest.fixture
def a3_device(device):
    """An A3 model, whose POP page keeps a provider, account and token of its own."""
    device.profile, device.model = 'bp_a3', 'BP-B550WD'
    return device


def test_an_a3_model_gets_a_token_on_each_page(a3_device, task):
    result = task('mfp_mail_oauth', **ROLL_OUT)
    assert result['actions'] == {'smtp': ['get_token'], 'pop': ['get_token']}
    assert result['status']['pop_token']['state'] == 'waiting_for_authorization'
    assert logins(a3_device) == 1


PANEL = {'state': 'obtained', 'label': 'Obtained', 'account': ACCOUNT, 'sign_in': None, 'user_code': None,
         'verification_uri': None, 'sign_in_url': None, 'expires_at': None, 'message': None, 'provider_code': None,
         'advice': None}
WAITING = dict(PANEL, state='waiting_for_authorization', label='Waiting', account=None, sign_in='device_code',
               user_code='ABCD1234')


def test_status_of_a_shared_token_has_no_pop_token():
    shown = status('bp_classic', {'smtp': PANEL, 'pop': PANEL}, 'SCAN@contoso.example')
    assert shown['authorized'] and shown['pop_token'] is None and not shown['waiting'] and not shown['panel_only']


def test_status_of_pops_own_token_counts_both():
    shown = status('bp_a3', {'smtp': PANEL, 'pop': WAITING}, ACCOUNT)
    assert not shown['authorized'] and shown['waiting'] and shown['pop_token']['user_code'] == 'ABCD1234'
    assert shown['smtp_token']['authorized'] and not shown['pop_token']['authorized']


def test_status_of_a_token_for_another_account_is_not_authorized():
    shown = status('bp_classic', {'smtp': dict(PANEL, account='old@contoso.example')}, ACCOUNT)
    assert not shown['authorized'] and shown['expected_account'] == ACCOUNT


def test_status_of_a_panel_only_model_without_its_token():
    missing = dict(PANEL, state='not_obtained', account=None)
    shown = status('bp_a3_panel', {'smtp': missing, 'pop': missing}, ACCOUNT)
    assert shown['panel_only'] and not shown['waiting'] and shown['pop_token'] is not None
    assert not status('bp_a3_panel', {'smtp': PANEL, 'pop': PANEL}, ACCOUNT)['panel_only']
