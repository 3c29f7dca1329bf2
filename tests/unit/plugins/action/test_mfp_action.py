# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action plugins: host variables as defaults, validation in the controller, module mode."""

from __future__ import annotations

import json
from unittest.mock import MagicMock

import pytest
from urllib3.exceptions import NewConnectionError

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.printfleet.mfp.plugins.action.mfp_oauth_token import ActionModule as TokenAction
from ansible_collections.printfleet.mfp.plugins.action.mfp_pop import ActionModule as PopAction
from ansible_collections.printfleet.mfp.plugins.action.mfp_smtp import ActionModule as SmtpAction
from ansible_collections.printfleet.mfp.plugins.plugin_utils import _action

ADMIN_PASSWORD = 'Admin-Secret-1'


def action(cls, args, check_mode=False, delegate_to=None):
    task = MagicMock(args=args, async_val=0, check_mode=check_mode, diff=False, delegate_to=delegate_to)
    return cls(task=task, connection=MagicMock(), play_context=MagicMock(), loader=DataLoader(),
               templar=Templar(loader=DataLoader()), shared_loader_obj=MagicMock())


def printer_vars(**host_vars):
    """task_vars of inventory host printer1, as the executor hands them to an action."""
    host_vars.setdefault('mfp_admin_password', ADMIN_PASSWORD)
    return dict(host_vars, inventory_hostname='printer1', hostvars={'printer1': host_vars})


def test_connection_options_come_from_host_variables(device):
    result = action(TokenAction, {'state': 'query'}).run(task_vars=printer_vars(ansible_host=device.host))
    assert not result.get('failed'), result
    assert result['ansible_facts']['mfp_oauth']['smtp']['state'] == 'not_obtained'
    assert device.requests[-1] == ('POST', '/sys_email_status_special.html') and not device.logged_in


def test_task_arguments_win_over_host_variables(device):
    args = {'state': 'query', 'mfp_host': device.host}
    result = action(TokenAction, args).run(task_vars=printer_vars(mfp_host='elsewhere.example.test'))
    assert not result.get('failed'), result


def test_the_printer_address_is_used_when_delegated(device):
    # The executor puts the delegated connection's address into ansible_host of task_vars.
    task_vars = {'inventory_hostname': device.host, 'ansible_host': 'jump.example.test',
                 'mfp_admin_password': ADMIN_PASSWORD,
                 'hostvars': {device.host: {'mfp_admin_password': ADMIN_PASSWORD}}}
    result = action(TokenAction, {'state': 'query'}, delegate_to='jump').run(task_vars=task_vars)
    assert not result.get('failed'), result


def test_invalid_arguments_fail_in_the_controller(device):
    result = action(SmtpAction, {'port': 'many', 'auth_method': 'oauth2'}).run(task_vars=printer_vars())
    assert result['failed']
    assert 'port' in result['msg'] and 'provider, account' in result['msg']
    assert device.requests == []


def test_no_password_in_the_result(device):
    result = action(SmtpAction, {'password': 'New-Smtp-Secret', 'update_password': 'always',
                                 'mfp_host': device.host}).run(task_vars=printer_vars())
    assert result['changed']
    text = json.dumps(result)
    assert 'New-Smtp-Secret' not in text and ADMIN_PASSWORD not in text


def test_secrets_are_masked_wherever_a_result_shows_them(device, monkeypatch):
    echo = 'The device refused New-Smtp-Secret; admin password was Admin-Secret-1'
    monkeypatch.setattr(_action, 'run', lambda *args: {'failed': True, 'msg': echo, 'details': {'echo': echo}})
    result = action(SmtpAction, {'password': 'New-Smtp-Secret', 'mfp_host': device.host}).run(task_vars=printer_vars())
    text = json.dumps(result)
    assert 'New-Smtp-Secret' not in text and ADMIN_PASSWORD not in text
    assert result['msg'] == 'The device refused ********; admin password was ********'


def test_module_mode_runs_the_module_on_the_task_host(device):
    plugin = action(SmtpAction, {'port': 25, 'mfp_execution': 'module'})
    plugin._execute_module = MagicMock(return_value={'changed': True})
    result = plugin.run(task_vars=printer_vars(ansible_host='192.0.2.10', mfp_profile='bp_classic'))
    assert result['changed']
    kwargs = plugin._execute_module.call_args.kwargs
    assert kwargs['module_name'] == 'printfleet.mfp.mfp_smtp'
    assert kwargs['module_args'] == {'port': 25, 'mfp_execution': 'module', 'mfp_host': '192.0.2.10',
                                     'mfp_admin_password': ADMIN_PASSWORD, 'mfp_profile': 'bp_classic'}
    assert device.requests == []


@pytest.mark.parametrize('cls', [SmtpAction, TokenAction])
def test_check_mode_is_passed_on(device, cls):
    result = action(cls, {'mfp_host': device.host, 'state': 'absent'} if cls is TokenAction else
                    {'mfp_host': device.host, 'port': 25}, check_mode=True).run(task_vars=printer_vars())
    assert not result.get('failed'), result
    assert device.writes() == []


def earlier_facts(smtp_auth_method, pop_auth_method):
    shared = {'state': 'not_obtained', 'label': 'Not Obtained', 'provider': None, 'account': None,
              'token_account': None, 'message': None, 'provider_code': None, 'sign_in': None}
    return {'mfp_oauth': {'smtp': dict(shared, auth_method=smtp_auth_method),
                          'pop': dict(shared, auth_method=pop_auth_method)}}


def test_the_page_not_read_keeps_its_authentication_method_from_earlier_facts(device):
    # The device's POP page says plain; apop can only have come from the facts.
    task_vars = printer_vars(ansible_host=device.host, ansible_facts=earlier_facts('oauth2', 'apop'))
    result = action(SmtpAction, {'port': 25}).run(task_vars=task_vars)
    assert result['ansible_facts']['mfp_oauth']['smtp']['auth_method'] == 'smtp_auth'
    assert result['ansible_facts']['mfp_oauth']['pop']['auth_method'] == 'apop'
    assert ('GET', '/sys_email_status_special.html') not in device.requests


def test_an_independent_page_not_read_keeps_all_its_earlier_facts(device):
    device.profile, device.model = 'bp_a3', 'BP-70M90'   # POP's credential is its own
    earlier = earlier_facts('oauth2', 'apop')
    earlier['mfp_oauth']['pop'].update(state='obtained', account='pop@contoso.example')
    task_vars = printer_vars(ansible_host=device.host, ansible_facts=earlier)
    result = action(SmtpAction, {'port': 25}).run(task_vars=task_vars)
    assert result['ansible_facts']['mfp_oauth']['pop'] == earlier['mfp_oauth']['pop']
    assert result['ansible_facts']['mfp_oauth']['smtp']['auth_method'] == 'smtp_auth'


def test_without_earlier_facts_the_page_not_read_has_no_authentication_method(device):
    result = action(PopAction, {'port': 110}).run(task_vars=printer_vars(ansible_host=device.host))
    assert result['ansible_facts']['mfp_oauth']['pop']['auth_method'] == 'plain'
    assert result['ansible_facts']['mfp_oauth']['smtp']['auth_method'] is None


def test_earlier_facts_of_the_printer_are_used_when_delegated(device):
    printer = {'mfp_admin_password': ADMIN_PASSWORD, 'ansible_host': device.host,
               'ansible_facts': earlier_facts('none', 'apop')}
    task_vars = {'inventory_hostname': 'printer1', 'ansible_host': 'jump.example.test', 'ansible_facts': {},
                 'hostvars': {'printer1': printer}}
    result = action(SmtpAction, {'port': 25}, delegate_to='jump').run(task_vars=task_vars)
    assert result['ansible_facts']['mfp_oauth']['pop']['auth_method'] == 'apop'


def test_a_device_that_does_not_answer_makes_the_host_unreachable(device):
    device.faults = [NewConnectionError(None, 'Connection refused')] * 4
    result = action(TokenAction, {'state': 'query'}).run(task_vars=printer_vars(ansible_host=device.host))
    assert result['unreachable'] is True
    assert 'failed' not in result  # a failed result would hide the unreachable one from Ansible
    assert result['msg'].startswith('Cannot reach the device at https://mfp.example.test:443 (GET /login.html)')


def test_a_device_that_refuses_the_login_is_failed_not_unreachable(device):
    args = {'state': 'query', 'mfp_admin_password': 'wrong'}
    result = action(TokenAction, args).run(task_vars=printer_vars(ansible_host=device.host))
    assert result['failed'] is True and 'unreachable' not in result


def test_module_mode_reports_an_unreachable_device_as_unreachable(device):
    plugin = action(TokenAction, {'state': 'query', 'mfp_execution': 'module'})
    plugin._execute_module = MagicMock(return_value={'failed': True, 'unreachable': True, 'msg': 'Cannot reach'})
    result = plugin.run(task_vars=printer_vars(ansible_host='192.0.2.10'))
    assert result['unreachable'] is True and 'failed' not in result


def test_check_mode_plans_get_token_against_the_facts_earlier_tasks_left(device):
    # The device is still on user/password; the SMTP task before, in check mode, planned OAuth 2.0.
    planned = {'smtp': {'state': 'not_obtained', 'label': 'Not Obtained', 'provider': 'microsoft',
                        'account': 'scan@contoso.example', 'token_account': None, 'auth_method': 'oauth2'}}
    args = {'provider': 'microsoft', 'account': 'scan@contoso.example'}
    result = action(TokenAction, args, check_mode=True).run(
        task_vars=printer_vars(ansible_host=device.host, ansible_facts={'mfp_oauth': planned}))
    assert not result.get('failed'), result
    assert result['actions'] == ['get_token'] and result['warnings'] == []
    assert device.writes() == []


def test_without_urllib3_the_message_names_the_controller(device, monkeypatch):
    monkeypatch.setattr(_action, 'HAS_URLLIB3', False)
    result = action(TokenAction, {'state': 'query'}).run(task_vars=printer_vars(ansible_host=device.host))
    assert result['failed']
    assert result['msg'].startswith('The Python library urllib3 is missing from the Python that runs Ansible on this '
                                    'controller (')
    assert "'s Python" not in result['msg'] and device.requests == []
