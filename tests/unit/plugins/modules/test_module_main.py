# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The modules themselves, as they run on a delegated host with mfp_execution=module."""

from __future__ import annotations

import json

import pytest

from ansible_collections.printfleet.mfp.plugins.modules import mfp_oauth_token, mfp_pop, mfp_smtp
from ansible_collections.printfleet.mfp.tests.unit.plugins.conftest import patch_module_args

ADMIN_PASSWORD = 'Admin-Secret-1'


def run_main(module, capsys, **args):
    args.setdefault('mfp_host', 'mfp.example.test')
    args.setdefault('mfp_admin_password', ADMIN_PASSWORD)
    with patch_module_args(args), pytest.raises(SystemExit):
        module.main()
    return json.loads(capsys.readouterr().out)


def test_smtp_module_changes_and_masks(device, capsys):
    result = run_main(mfp_smtp, capsys, port=25, password='New-Smtp-Secret', update_password='always',
                      _ansible_diff=True)
    assert result['changed'] and device.settings['smtp']['port'] == '25'
    out = json.dumps(result)
    assert 'New-Smtp-Secret' not in out and ADMIN_PASSWORD not in out
    assert result['diff']['after']['password'].startswith('********')


def test_pop_module_check_mode(device, capsys):
    result = run_main(mfp_pop, capsys, port=110, _ansible_check_mode=True)
    assert result['changed'] and device.settings['pop']['port'] == '995'


def test_token_module_failure(device, capsys):
    result = run_main(mfp_oauth_token, capsys, state='query', mfp_admin_password='wrong')
    assert result['failed'] and 'refused the admin password' in result['msg']
    assert device.failed_logins == 1


def test_token_module_bad_input(device, capsys):
    result = run_main(mfp_oauth_token, capsys, account='nobody', provider='google')
    assert result['failed'] and "account 'nobody' is not an e-mail address" in result['msg']
    assert device.requests == []
