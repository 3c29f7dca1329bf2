# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""mfp_fleet_mail_oauth: every printer of the play rolled out from one task, each on its own variables."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from ansible_collections.printfleet.mfp.plugins.action.mfp_fleet_mail_oauth import DEFAULTS, VARIABLES
from ansible_collections.printfleet.mfp.plugins.action.mfp_fleet_mail_oauth import ActionModule as FleetRollOut
from ansible_collections.printfleet.mfp.tests.unit.plugins.action.test_mfp_action import ADMIN_PASSWORD, action
from ansible_collections.printfleet.mfp.tests.unit.plugins.action.test_mfp_fleet_audit import play_vars

ROLE = Path(__file__).resolve().parents[4] / 'roles' / 'mail_oauth'
ACCOUNT = 'scan@contoso.example'

# forks 1: the printers of these plays are all the one scripted device, which holds one admin session at a
# time, as a real printer does.


def printer(device, **host_vars):
    return dict({'ansible_host': device.host, 'mfp_admin_password': ADMIN_PASSWORD}, **host_vars)


def test_each_printer_is_rolled_out_on_its_own_variables(device):
    hostvars = {
        'hq': printer(device, mail_oauth_account=ACCOUNT),
        'site': printer(device, mail_oauth_account='site@contoso.example', mail_oauth_token_acquire=False),
        'bad-port': printer(device, mail_oauth_account=ACCOUNT, mfp_port=0),
        'jump': printer(device, mail_oauth_account=ACCOUNT, mfp_execution='module'),
    }
    # As the role gives them: the first printer's own account is each printer's own.
    args = {'provider': 'microsoft', 'account': ACCOUNT, 'smtp': {}, 'pop': None, 'forks': 1}
    result = action(FleetRollOut, args).run(task_vars=play_vars(hostvars))
    results = result['results']
    assert list(results) == list(hostvars)
    assert results['hq']['actions'] == {'smtp': ['get_token']} and results['hq']['status']['waiting']
    # The second printer's own account, and no [Get Token] (its mail_oauth_token_acquire): the token of hq's
    # account is deleted, as an account change does.
    assert results['site']['actions'] == {'smtp': ['delete']}
    assert device.settings['oauth']['account'] == 'site@contoso.example'
    assert 'mfp_port must be from 1 to 65535' in results['bad-port']['msg']
    assert results['jump']['msg'] == FleetRollOut.MODE_ONLY and 'mail_oauth_fleet: false' in FleetRollOut.MODE_ONLY
    assert result['failed_hosts'] == ['bad-port', 'jump'] and result['changed_hosts'] == ['hq', 'site']
    assert result['changed'] and not result.get('failed')
    assert result['msg'] == '4 printers: 2 changed, 2 failed (bad-port, jump)'
    assert ADMIN_PASSWORD not in json.dumps(result)
    # The bad port and the jump host's printer were not contacted: two logins.
    assert device.requests.count(('POST', '/login.html')) == 2


def test_a_value_the_play_sets_is_every_printers(device):
    hostvars = {'hq': printer(device, mail_oauth_account='hq@contoso.example'),
                'site': printer(device, mail_oauth_account='site@contoso.example')}
    args = {'provider': 'microsoft', 'account': ACCOUNT, 'get_token': False, 'forks': 1}
    result = action(FleetRollOut, args).run(task_vars=play_vars(hostvars))
    assert not result['failed_hosts'] and result['changed_hosts'] == ['hq']   # site: the same account again
    assert device.settings['oauth']['account'] == ACCOUNT


def test_the_plan_shows_each_printers_diff_under_its_name_and_writes_nothing(device):
    hostvars = {'hq': printer(device, mail_oauth_account=ACCOUNT), 'site': printer(device, mail_oauth_account=ACCOUNT)}
    before = device.snapshot()
    rollout = action(FleetRollOut, {'account': ACCOUNT, 'forks': 1}, check_mode=True)
    rollout._task.diff = True
    result = rollout.run(task_vars=play_vars(hostvars))
    assert device.writes() == [] and device.snapshot() == before
    assert [diff['before_header'] for diff in result['diff']] == ['hq', 'site']
    assert all(diff['after']['smtp']['auth_method'] == 'oauth2' for diff in result['diff'])


def test_only_the_printers_named(device):
    hostvars = {'hq': printer(device, mail_oauth_account=ACCOUNT), 'site': printer(device, mail_oauth_account=ACCOUNT)}
    result = action(FleetRollOut, {'state': 'query', 'hosts': ['site'], 'forks': 1}).run(task_vars=play_vars(hostvars))
    assert list(result['results']) == ['site'] and not result['changed']


def test_bad_forks_fail_before_any_request(device):
    hostvars = {'hq': printer(device, mail_oauth_account=ACCOUNT)}
    result = action(FleetRollOut, {'forks': 0}).run(task_vars=play_vars(hostvars))
    assert result['failed'] and 'forks must be from 1 to 1000' in result['msg'] and device.requests == []


def test_the_defaults_are_the_roles():
    defaults = yaml.safe_load((ROLE / 'defaults' / 'main.yml').read_text(encoding='utf-8'))
    assert dict((key, defaults.get(variable)) for key, variable in VARIABLES.items()) == DEFAULTS
