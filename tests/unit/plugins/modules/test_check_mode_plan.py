# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The plan (--check --diff) of a roll-out: each task plans against what the tasks before it
would leave, as the host's facts carry it, and predicts what the real run does."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.printfleet.mfp.plugins.plugin_utils._action import _complete_facts

ACCOUNT = 'scan@contoso.example'
OLD_ACCOUNT = 'old-scan@contoso.example'
OAUTH = dict(auth_method='oauth2', provider='microsoft', account=ACCOUNT)


def roll_out(task, check_mode):
    """The mail_oauth role's tasks, with the facts each leaves handed to the next (as Ansible does)."""
    facts = None
    results = []
    for name, args in (('mfp_smtp', OAUTH), ('mfp_pop', OAUTH),
                       ('mfp_oauth_token', dict(provider='microsoft', account=ACCOUNT))):
        result = task(name, check_mode=check_mode, planned=facts, **args)
        assert not result.get('failed'), result
        # As the action plugin does: what a page not read shows comes from the earlier facts.
        _complete_facts(result, {'mfp_oauth': facts})
        facts = result['ansible_facts']['mfp_oauth']
        results.append(result)
    return results


def summary(results):
    smtp, pop, token = results
    return [smtp['changed'], smtp['token_deleted'], pop['changed'], pop['token_deleted'], token['actions']]


@pytest.fixture
def old_account_device(device):
    for page in ('smtp', 'pop'):
        device.settings[page]['auth_method'] = 'oauth2'
    device.settings['oauth'] = dict(provider='microsoft', account=OLD_ACCOUNT)
    device.set_token('obtained', OLD_ACCOUNT)
    return device


def test_first_roll_out_plans_get_token_on_a_printer_still_on_user_and_password(device, task):
    plan = roll_out(task, check_mode=True)
    assert plan[2]['actions'] == ['get_token'] and plan[2]['warnings'] == []
    assert device.writes() == [], 'check mode posted a form'
    assert summary(plan) == summary(roll_out(task, check_mode=False))


def test_account_change_is_planned_once_as_the_real_run_makes_it(old_account_device, task):
    before = copy.deepcopy(old_account_device.settings)
    plan = roll_out(task, check_mode=True)
    assert old_account_device.settings == before
    # SMTP takes the new account and deletes the old account's token; POP, sharing both, has nothing left to do.
    assert summary(plan) == [True, True, False, False, ['get_token']]
    assert summary(roll_out(task, check_mode=False)) == summary(plan)


def test_a_real_run_ignores_the_facts_of_earlier_tasks(old_account_device, task):
    planned = {'smtp': dict(state='not_obtained', label='Not Obtained', provider='microsoft', account=ACCOUNT,
                            token_account=None, auth_method='oauth2')}
    result = task('mfp_oauth_token', planned=planned, provider='microsoft', account=ACCOUNT)
    assert result['actions'] == ['delete', 'get_token']


def test_after_a_planned_get_token_the_facts_show_the_token_waiting_so_pop_plans_no_second_one(device, task):
    # The mail_oauth role presses POP's [Get Token] only where POP's token, as the facts show it after
    # SMTP's, still needs one: on a shared credential it is SMTP's, waiting in the plan as in the real run.
    plan = roll_out(task, check_mode=True)
    assert plan[2]['token']['state'] == 'not_obtained'   # the page before the button
    assert [plan[2]['ansible_facts']['mfp_oauth'][service]['state'] for service in ('smtp', 'pop')] == [
        'waiting_for_authorization'] * 2
    pop = task('mfp_oauth_token', check_mode=True, planned=plan[2]['ansible_facts']['mfp_oauth'], service='pop',
               provider='microsoft', account=ACCOUNT)
    assert pop['actions'] == [] and device.writes() == []
