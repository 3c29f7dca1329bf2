# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action plugin of every module: run its logic in the controller process.

Printers are inventory hosts without Python or SSH, so by default nothing is sent to them
but HTTP. With mfp_execution=module the module itself runs on the task's (delegated) host.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

# Imported here, at plugin load, so that the strategy's class-only load in the main process
# does the import once and the forked per-task workers inherit it.
from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import CONNECTION_SPEC, SPECS, module_kwargs
from ansible_collections.printfleet.mfp.plugins.module_utils._runner import run
from ansible_collections.printfleet.mfp.plugins.module_utils._session import HAS_URLLIB3, URLLIB3_IMPORT_ERROR, tls_context
from ansible_collections.printfleet.mfp.plugins.module_utils._token import completed_facts

# Built here for the same reason: a validator keeps no state between validate() calls.
VALIDATORS = dict((name, ArgumentSpecValidator(**module_kwargs(name))) for name in SPECS)

# The options whose values are masked wherever they appear in a result, as AnsibleModule does.
NO_LOG_OPTIONS = dict((name, [option for option, spec in SPECS[name]['argument_spec'].items() if spec.get('no_log')])
                      for name in SPECS)

# Not ansible-core's missing_required_lib(), which names the task's host and its interpreter: the
# modules run here, in the Python that runs Ansible on the controller.
MISSING_URLLIB3 = ('The Python library urllib3 is missing from the Python that runs Ansible on this controller (%s). '
                   'Install it there (%s -m pip install urllib3); ansible_python_interpreter does not apply, since the '
                   'modules run in the controller process (unless mfp_execution is module).'
                   % (sys.executable, sys.executable))

# OpenSSL sets itself up on the first TLS context a process makes. Made here, in Ansible's main
# process, that happens once per run instead of once in every forked per-task worker.
if HAS_URLLIB3:
    tls_context(False)


class MfpActionBase(ActionBase):

    MODULE = ''
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        printer_vars = self._printer_vars(task_vars)
        args = self._with_host_variables(self._task.args, printer_vars, task_vars.get('inventory_hostname'))
        params, failure = self._validated(args)
        if failure:
            result.update(failure)
            return result
        if params['mfp_execution'] == 'module':
            outcome = self._execute_module(module_name='printfleet.mfp.' + self.MODULE,
                                           module_args=args,
                                           task_vars=task_vars)
        else:
            outcome = run_in_controller(self.MODULE, params, self._task.check_mode, self._task.diff,
                                        printer_vars.get('ansible_facts'))
        result.update(outcome)
        return finished(self.MODULE, result, params, printer_vars.get('ansible_facts'))

    def _validated(self, args):
        """(params, None), or (None, the failed result) when `args` are not valid: nothing has been sent
        to the printer then."""
        validation = VALIDATORS[self.MODULE].validate(args)
        if validation.error_messages:
            return None, dict(failed=True, msg='Invalid options for %s: %s'
                              % (self.MODULE, ' '.join(validation.error_messages)))
        return validation.validated_parameters, None

    def _printer_vars(self, task_vars):
        """The variables of the inventory host (the printer) the task runs for."""
        if self._task.delegate_to:
            # The executor has put the delegated host's address into ansible_host of task_vars.
            return task_vars.get('hostvars', {}).get(task_vars.get('inventory_hostname'), {})
        return task_vars

    def _with_host_variables(self, args, printer_vars, printer):
        """Task arguments completed with the host variables of the same name (mfp_*)."""
        args = dict(args)
        for name in CONNECTION_SPEC:
            if args.get(name) is None and printer_vars.get(name) is not None:
                args[name] = self._templar.template(printer_vars[name])
        if args.get('mfp_host') is None:
            args['mfp_host'] = self._templar.template(printer_vars.get('ansible_host')) or printer
        return args


def run_in_controller(module, params, check_mode, diff_mode, host_facts):
    """The result of `module` for validated `params`, run here, in the controller process."""
    if not HAS_URLLIB3:
        return dict(failed=True, msg=MISSING_URLLIB3, exception=URLLIB3_IMPORT_ERROR)
    return run(module, params, check_mode, diff_mode, _known_facts(host_facts))


def finished(module, result, params, host_facts):
    """The result as Ansible takes it: unreachable not also failed, the facts completed from the host's
    earlier ones, every no_log value of `params` masked (a module masks its own; in the controller this
    is the place)."""
    if result.get('unreachable'):
        # Ansible counts the host unreachable only when the result does not also say failed.
        result.pop('failed', None)
    _complete_facts(result, host_facts)
    secrets = set(str(params[option]) for option in NO_LOG_OPTIONS[module] if params[option])
    return remove_values(result, secrets)


def _known_facts(host_facts):
    """The host's `mfp_oauth` facts as the earlier tasks of the run left them, or None."""
    known = host_facts.get('mfp_oauth') if isinstance(host_facts, Mapping) else None
    return known if isinstance(known, Mapping) else None


def _complete_facts(outcome, host_facts):
    """Fill in the task's `mfp_oauth` facts from the host's earlier ones (completed_facts)."""
    facts = (outcome.get('ansible_facts') or {}).get('mfp_oauth')
    if facts:
        completed_facts(facts, _known_facts(host_facts))
