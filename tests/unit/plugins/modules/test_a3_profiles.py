# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A3 models as Sharp's manuals describe them: POP's OAuth credential is its own (BP-B550WD,
BP-70M90), and the BP-70C65 obtains its token on the control panel only."""

from __future__ import annotations

import pytest

SMTP_ACCOUNT = 'scan@contoso.example'
POP_ACCOUNT = 'mailbox@contoso.example'


@pytest.fixture
def a3_device(device):
    device.profile, device.model = 'bp_a3', 'BP-B550WD'
    for page in ('smtp', 'pop'):
        device.settings[page]['auth_method'] = 'oauth2'
    device.settings['oauth'] = {'provider': 'microsoft', 'account': SMTP_ACCOUNT}
    device.set_token('obtained', SMTP_ACCOUNT)
    return device


def test_pops_account_is_its_own_and_smtps_token_stays(a3_device, task):
    result = task('mfp_pop', auth_method='oauth2', provider='microsoft', account=POP_ACCOUNT)
    assert not result.get('failed'), result
    assert a3_device.settings['pop_oauth'] == {'provider': 'microsoft', 'account': POP_ACCOUNT}
    assert a3_device.settings['oauth']['account'] == SMTP_ACCOUNT
    assert a3_device.token['state'] == 'obtained'   # SMTP's token is not POP's to delete
    facts = result['ansible_facts']['mfp_oauth']
    assert facts['pop']['account'] == POP_ACCOUNT
    assert facts['smtp'] == dict.fromkeys(facts['smtp'])   # a page not read tells nothing of its own credential


def test_get_token_on_the_pop_page_asks_for_pops_token(a3_device, task):
    a3_device.settings['pop_oauth'] = {'provider': 'microsoft', 'account': POP_ACCOUNT}
    result = task('mfp_oauth_token', service='pop', provider='microsoft', account=POP_ACCOUNT)
    assert result['actions'] == ['get_token']
    assert a3_device.pop_token['state'] == 'waiting_for_authorization' and a3_device.token['state'] == 'obtained'
    query = task('mfp_oauth_token', state='query')['ansible_facts']['mfp_oauth']
    assert query['smtp']['state'] == 'obtained' and query['pop']['state'] == 'waiting_for_authorization'
    assert (query['smtp']['account'], query['pop']['account']) == (SMTP_ACCOUNT, POP_ACCOUNT)


def test_a_panel_only_model_fails_with_what_to_do_on_the_panel(a3_device, task):
    a3_device.profile, a3_device.model = 'bp_a3_panel', 'BP-70C65'
    a3_device.set_token('invalid', SMTP_ACCOUNT)
    result = task('mfp_oauth_token', provider='microsoft', account=SMTP_ACCOUNT)
    assert result['failed'] and result['token_on_web'] is False
    assert result['msg'].startswith('The BP-70C65 (profile bp_a3_panel) cannot obtain a token on its web page: its '
                                    "token is obtained on the control panel. Nothing was changed. On the printer's "
                                    'control panel, open the SMTP settings, check that they show provider microsoft '
                                    'and account scan@contoso.example, press [Get Token]')
    assert a3_device.writes() == [] and a3_device.token['state'] == 'invalid'   # not deleted either


def test_a_panel_only_model_is_still_audited_and_its_token_deleted(a3_device, task):
    a3_device.profile, a3_device.model = 'bp_a3_panel', 'BP-70C65'
    assert task('mfp_oauth_token', state='query')['ansible_facts']['mfp_oauth']['smtp']['state'] == 'obtained'
    assert task('mfp_oauth_token', provider='microsoft', account=SMTP_ACCOUNT)['changed'] is False
    assert task('mfp_oauth_token', state='absent')['changed'] is True
    assert a3_device.token['state'] == 'not_obtained'
