# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""mfp_fleet_audit: every printer of the play in the report, each on its own variables and policy."""

from __future__ import annotations

import json

from ansible_collections.printfleet.mfp.plugins.action.mfp_fleet_audit import ActionModule as FleetAction
from ansible_collections.printfleet.mfp.plugins.plugin_utils import _fleet_audit as fleet
from ansible_collections.printfleet.mfp.tests.unit.plugins.action.test_mfp_action import ADMIN_PASSWORD, action


def play_vars(hostvars, batch=None, in_play=None):
    """task_vars of the first printer of a play of `hostvars`' printers."""
    names = list(hostvars)
    return dict(hostvars[names[0]], inventory_hostname=names[0], hostvars=hostvars, ansible_play_hosts_all=names,
                ansible_play_batch=batch if batch is not None else names,
                ansible_play_hosts=in_play if in_play is not None else names)


# forks 1: the printers of these plays are all the one scripted device, which holds one admin session at a
# time, as a real printer does; reading it from two threads would meet "another administrator".


def test_every_printer_of_the_play_is_in_the_report(device, tmp_path):
    hostvars = {
        'printer1': {'ansible_host': device.host, 'mfp_admin_password': ADMIN_PASSWORD},
        'strict': {'ansible_host': device.host, 'mfp_admin_password': ADMIN_PASSWORD,
                   'token_audit_expected_provider': 'google'},
        'bad-port': {'ansible_host': device.host, 'mfp_admin_password': ADMIN_PASSWORD, 'mfp_port': 0},
        'bad-policy': {'ansible_host': device.host, 'mfp_admin_password': ADMIN_PASSWORD,
                       'token_audit_require_oauth2': 'maybe'},
        'jump': {'ansible_host': device.host, 'mfp_admin_password': ADMIN_PASSWORD, 'mfp_execution': 'module'},
        'failed-before': {},
    }
    in_play = [name for name in hostvars if name != 'failed-before']
    result = action(FleetAction, {'report_dir': str(tmp_path), 'forks': 1, 'report_formats': ['json', 'csv']}).run(
        task_vars=play_vars(hostvars, batch=in_play, in_play=in_play))
    assert not result.get('failed'), result
    rows = {row['host']: row for row in result['rows']}
    assert list(rows) == list(hostvars)
    assert rows['printer1']['status'] == 'noncompliant' and rows['printer1']['address'] == device.host
    assert 'no OAuth provider is set, expected google' in rows['strict']['reasons']
    assert rows['bad-port']['status'] == 'error' and 'mfp_port must be from 1 to 65535' in rows['bad-port']['reasons'][0]
    assert rows['bad-policy']['status'] == 'error' and 'not a valid boolean' in rows['bad-policy']['reasons'][0]
    assert rows['jump']['reasons'] == [FleetAction.MODE_ONLY] and 'token_audit_fleet: false' in FleetAction.MODE_ONLY
    assert rows['failed-before']['reasons'] == [fleet.NOT_AUDITED]
    assert result['summary']['hosts'] == 6 and result['changed']
    written = json.loads((tmp_path / 'token_audit.json').read_text(encoding='utf-8'))
    assert written['hosts'] == result['rows'] and sorted(result['reports']) == ['csv', 'json']
    assert ADMIN_PASSWORD not in json.dumps(result)
    # The bad port, the bad policy and the jump host's printer were not contacted: two logins.
    assert device.requests.count(('POST', '/login.html')) == 2


def test_the_play_sets_the_policy_above_inventory_variables(device, tmp_path):
    hostvars = {'first': {'ansible_host': device.host, 'mfp_admin_password': ADMIN_PASSWORD,
                          'token_audit_expected_account': 'group@contoso.example'},
                'second': {'ansible_host': device.host, 'mfp_admin_password': ADMIN_PASSWORD}}
    # The role's variables as the first printer sees them: the play's account, above its group's.
    policy = {'require_oauth2': True, 'require_obtained': True, 'expected_provider': None,
              'expected_account': 'play@contoso.example'}
    result = action(FleetAction, {'report_dir': str(tmp_path), 'policy': policy, 'forks': 1}).run(
        task_vars=play_vars(hostvars))
    for row in result['rows']:
        assert 'no OAuth account is set, expected play@contoso.example' in row['reasons'], row


def test_a_policy_of_the_first_printers_group_is_not_the_others(device, tmp_path):
    hostvars = {'first': {'ansible_host': device.host, 'mfp_admin_password': ADMIN_PASSWORD,
                          'token_audit_expected_account': 'group@contoso.example'},
                'second': {'ansible_host': device.host, 'mfp_admin_password': ADMIN_PASSWORD}}
    policy = {'require_oauth2': True, 'require_obtained': True, 'expected_provider': None,
              'expected_account': 'group@contoso.example'}
    result = action(FleetAction, {'report_dir': str(tmp_path), 'policy': policy, 'forks': 1}).run(
        task_vars=play_vars(hostvars))
    first, second = result['rows']
    assert 'no OAuth account is set, expected group@contoso.example' in first['reasons']
    assert not any('expected group@contoso.example' in reason for reason in second['reasons'])


def test_per_host_rows_are_taken_as_they_are(tmp_path):
    row = {'host': 'printer1', 'address': '192.0.2.1', 'status': 'compliant', 'reasons': [], 'smtp': None, 'pop': None,
           'sign_in': None}
    hostvars = {'printer1': {'token_audit_row': row}, 'printer2': {}}
    result = action(FleetAction, {'report_dir': str(tmp_path), 'read': False}).run(
        task_vars=play_vars(hostvars, in_play=['printer1']))
    assert result['rows'] == [row, fleet.not_audited('printer2')]
    assert result['lines'][-2] == '2 printers: 1 compliant, 0 noncompliant, 0 unreachable, 1 error'


def test_a_report_unchanged_is_not_written_again(tmp_path):
    path = tmp_path / 'report.csv'
    assert fleet.write(str(path), 'a,b\r\n') and not fleet.write(str(path), 'a,b\r\n')
    assert oct(path.stat().st_mode & 0o777) == '0o644' and list(tmp_path.iterdir()) == [path]
