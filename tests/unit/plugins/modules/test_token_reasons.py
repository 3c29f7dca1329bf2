# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The provider's reason a token failed: kept in the facts, explained in failures, and a token whose
account is disabled not deleted by a renewal (issue 10), a sign-in Conditional Access refuses said so (issue 11)."""

from __future__ import annotations

import pytest

ACCOUNT = 'scan@contoso.example'
EXPECTED = dict(provider='microsoft', account=ACCOUNT)
DISABLED = {'en': 'The token is no longer valid (AADSTS50057).', 'sv': 'Token är inte längre giltig (AADSTS50057).'}
REVOKED = 'The token is no longer valid (AADSTS50173).'
BLOCKED = {'en': 'The token could not be obtained (AADSTS53003).', 'sv': 'Token kunde inte hämtas (AADSTS53003).'}


def pressed(device):
    names = {device.controls['get_token']: 'get_token', device.controls['delete']: 'delete'}
    return [names[action] for action in device.pressed() if action in names]


@pytest.fixture
def oauth_device(device):
    device.settings['smtp']['auth_method'] = 'oauth2'
    device.settings['pop']['auth_method'] = 'oauth2'
    device.settings['oauth'] = dict(EXPECTED)
    return device


@pytest.mark.parametrize('lang', ['en', 'sv'])
def test_the_facts_carry_the_message_and_the_providers_code(oauth_device, task, lang):
    oauth_device.lang = lang
    oauth_device.set_token('invalid', ACCOUNT, DISABLED[lang])
    result = task('mfp_oauth_token', state='query')
    for service in ('smtp', 'pop'):
        facts = result['ansible_facts']['mfp_oauth'][service]
        assert (facts['message'], facts['provider_code']) == (DISABLED[lang], 'AADSTS50057')
    assert result['token']['provider_code'] == 'AADSTS50057'
    assert result['token']['advice'].startswith('the account is disabled in Entra ID — ')


def test_mfp_info_carries_the_reason_of_each_page(oauth_device, task):
    oauth_device.lang = 'sv'
    oauth_device.set_token('invalid', ACCOUNT, 'Token är inte längre giltig (AADSTS50173).')
    result = task('mfp_info')
    assert result['tokens']['smtp']['provider_code'] == 'AADSTS50173'
    assert result['oauth']['pop']['message'] == 'Token är inte längre giltig (AADSTS50173).'
    assert result['oauth']['pop']['provider_code'] == 'AADSTS50173'


@pytest.mark.parametrize('lang', ['en', 'sv'])
def test_a_disabled_account_is_not_renewed_and_the_task_says_what_to_do(oauth_device, task, lang):
    oauth_device.lang = lang
    oauth_device.set_token('invalid', ACCOUNT, DISABLED[lang])
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['failed']
    assert result['msg'].startswith('The token for scan@contoso.example is Invalid: %s: the account is disabled in '
                                    'Entra ID — an Entra administrator enables the account, or the printers are set '
                                    'to another account. Nothing was pressed' % DISABLED[lang].rstrip('.'))
    assert 'force=true' in result['msg']
    assert oauth_device.writes() == []
    assert oauth_device.token == {'state': 'invalid', 'account': ACCOUNT, 'user_code': None,
                                  'message': DISABLED[lang]}


def test_check_mode_plans_the_same_refusal(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT, DISABLED['en'])
    result = task('mfp_oauth_token', check_mode=True, **EXPECTED)
    assert result['failed'] and 'AADSTS50057' in result['msg']
    assert 'actions' not in result
    assert oauth_device.writes() == []


def test_a_disabled_account_typed_in_another_case_is_the_same_account(oauth_device, task):
    oauth_device.set_token('invalid', 'Scan@Contoso.example', DISABLED['en'])
    assert task('mfp_oauth_token', **EXPECTED)['failed']
    assert oauth_device.writes() == []


def test_another_account_replaces_the_disabled_one(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT, DISABLED['en'])
    result = task('mfp_oauth_token', provider='microsoft', account='new-scan@contoso.example')
    assert not result.get('failed'), result
    assert result['actions'] == ['delete', 'get_token']
    assert oauth_device.settings['oauth']['account'] == 'new-scan@contoso.example'


def test_force_renews_once_the_account_is_enabled_again(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT, DISABLED['en'])
    result = task('mfp_oauth_token', force=True, **EXPECTED)
    assert pressed(oauth_device) == ['delete', 'get_token']
    assert result['token']['state'] == 'waiting_for_authorization'


def test_absent_still_deletes_the_token_of_a_disabled_account(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT, DISABLED['en'])
    assert task('mfp_oauth_token', state='absent')['changed']
    assert pressed(oauth_device) == ['delete']


def test_a_revoked_token_is_renewed_as_ever(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT, REVOKED)
    result = task('mfp_oauth_token', diff=True, **EXPECTED)
    assert pressed(oauth_device) == ['delete', 'get_token']
    assert result['warnings'] == []


@pytest.mark.parametrize('lang', ['en', 'sv'])
def test_the_wait_says_conditional_access_blocks_device_code_sign_in(oauth_device, task, lang):
    oauth_device.lang = lang
    oauth_device.refuse_after, oauth_device.refusal = 8, BLOCKED[lang]
    result = task('mfp_oauth_token', wait=True, poll_interval=5, **EXPECTED)
    assert result['failed']
    assert result['msg'].startswith('The token for scan@contoso.example was not obtained: the device shows ')
    assert "%s: the tenant's Conditional Access blocks device code sign-in" % BLOCKED[lang].rstrip('.') in result['msg']
    assert 'Authentication flows' in result['msg'] and 'browser sign-in' in result['msg']
    assert result['token']['provider_code'] == 'AADSTS53003'
    assert not oauth_device.logged_in


def test_get_token_after_a_conditional_access_refusal_warns_it_will_be_refused_again(oauth_device, task):
    oauth_device.set_token('not_obtained', None, BLOCKED['en'])
    result = task('mfp_oauth_token', **EXPECTED)
    assert pressed(oauth_device) == ['get_token']
    warning, = result['warnings']
    assert warning.startswith('The last sign-in for scan@contoso.example was refused: The token could not be obtained '
                              "(AADSTS53003): the tenant's Conditional Access blocks device code sign-in")
    planned = task('mfp_oauth_token', check_mode=True, **EXPECTED)
    assert planned['warnings'] == []    # now waiting: nothing to press, nothing to warn about
