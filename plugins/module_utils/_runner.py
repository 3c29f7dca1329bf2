# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one entry point of every module, called by the module's main() and by its action plugin."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import SETTINGS_SERVICES, validate
from ansible_collections.printfleet.mfp.plugins.module_utils._errors import MfpError
from ansible_collections.printfleet.mfp.plugins.module_utils._info import run_info
from ansible_collections.printfleet.mfp.plugins.module_utils._mail_oauth import run_mail_oauth
from ansible_collections.printfleet.mfp.plugins.module_utils._oauth_token import run_token
from ansible_collections.printfleet.mfp.plugins.module_utils._session import HAS_URLLIB3, URLLIB3_IMPORT_ERROR
from ansible_collections.printfleet.mfp.plugins.module_utils._settings import run_settings


def run(name, params, check_mode, diff_mode, planned=None):
    """The module's result dict; a failure is a result with `failed` and a clear `msg`.

    `planned`: the host's `mfp_oauth` facts as the earlier tasks of the run left them; used in
    check mode only, where the device still shows what those tasks only planned.
    """
    planned = planned if check_mode else None
    try:
        validate(name, params)
        if name in SETTINGS_SERVICES:
            return run_settings(SETTINGS_SERVICES[name], params, check_mode, diff_mode, planned)
        if name == 'mfp_mail_oauth':
            return run_mail_oauth(params, check_mode, diff_mode, planned)
        if name == 'mfp_info':
            return run_info(params)   # reads only: the same in check mode
        return run_token(params, check_mode, diff_mode, planned)
    except MfpError as error:
        return dict(error.details, failed=True, msg=str(error))


def run_module(module, name):
    if not HAS_URLLIB3:
        module.fail_json(msg=missing_required_lib('urllib3'), exception=URLLIB3_IMPORT_ERROR)
    result = run(name, module.params, module.check_mode, module._diff)
    for warning in result.pop('warnings', ()):
        module.warn(warning)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)
