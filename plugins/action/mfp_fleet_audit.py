# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""mfp_fleet_audit: the whole play's printers read concurrently by this one task, judged and reported.

Each printer is read as the action of mfp_info reads it for its own host (its host variables complete
the options, the same validation and masking), in threads of this process instead of a forked
worker per printer: what a worker costs the controller is most of a per-host audit's CPU.
"""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import FLEET_AUDIT_SPEC, FLEET_FORKS
from ansible_collections.printfleet.mfp.plugins.plugin_utils import _fleet_audit as fleet
from ansible_collections.printfleet.mfp.plugins.plugin_utils._action import MfpActionBase, finished, run_in_controller

VALIDATOR = ArgumentSpecValidator(**FLEET_AUDIT_SPEC)
FLEET_MODE_ONLY = ('mfp_execution is module for this printer: mfp_fleet_audit reads printers from the controller only. '
                   'Audit printers reachable only from a jump host per host (token_audit_fleet: false).')


class ActionModule(MfpActionBase):
    # Each printer is read as mfp_info reads it.
    MODULE = 'mfp_info'
    BYPASS_HOST_LOOP = True

    def run(self, tmp=None, task_vars=None):
        result = ActionBase.run(self, tmp, task_vars)
        task_vars = task_vars or {}
        validation = VALIDATOR.validate(self._task.args)
        options = validation.validated_parameters
        if not validation.error_messages and not FLEET_FORKS[0] <= options['forks'] <= FLEET_FORKS[1]:
            validation.errors.append(ValueError('forks must be from %d to %d, not %d.'
                                                % (FLEET_FORKS + (options['forks'],))))
        if validation.error_messages:
            result.update(failed=True, msg='Invalid options for mfp_fleet_audit: %s' % ' '.join(validation.error_messages))
            return result
        hostvars = task_vars['hostvars']
        play_level = fleet.play_level_policy(options['policy'], hostvars[task_vars['inventory_hostname']])
        batch, in_play = set(task_vars['ansible_play_batch']), set(task_vars['ansible_play_hosts'])
        rows, jobs = {}, {}
        for host in task_vars['ansible_play_hosts_all']:
            host_vars = hostvars[host]   # each look-up computes the host's variables anew
            if options['read'] and host in batch:
                jobs[host] = self._reading(host, host_vars, play_level, options['verify_mail'])
            elif fleet.ROW_VARIABLE in host_vars:   # read per host, or in an earlier batch
                rows[host] = host_vars[fleet.ROW_VARIABLE]
            elif host not in in_play:
                rows[host] = fleet.not_audited(host)
        rows.update(zip(jobs, fleet.read_all(list(jobs.values()), options['forks'])))
        ordered = [rows[host] for host in task_vars['ansible_play_hosts_all'] if host in rows]
        result.update(fleet.report(ordered, options['report_dir'], options['report_name'], options['report_formats'],
                                   options['report_title'], options['google_refresh_token_cap']))
        return result

    def _reading(self, host, host_vars, play_level, verify_mail):
        """What reads the printer `host` and makes its row, in a thread; prepared here, where templating is safe."""
        try:
            args = self._with_host_variables({'verify_mail': verify_mail}, host_vars, host)
        except AnsibleError as error:   # its variables do not template (an undefined one, say): its own failure
            failure = dict(failed=True, msg=str(error))
            return lambda: fleet.row(host, host, failure, {})
        params, failure = self._validated(args)
        try:
            policy = fleet.host_policy(host_vars, play_level)
        except (AnsibleError, TypeError) as error:   # not a boolean, or not templated
            policy, failure = {}, dict(failed=True, msg='Invalid policy for %s: %s' % (host, error))
        if failure is None and params['mfp_execution'] == 'module':
            failure = dict(failed=True, msg=FLEET_MODE_ONLY)
        if failure:
            return lambda: fleet.row(host, args['mfp_host'], failure, policy)

        def read():
            outcome = run_in_controller(self.MODULE, params, self._task.check_mode, False, None)
            return fleet.row(host, args['mfp_host'], finished(self.MODULE, outcome, params, None), policy)
        return read
