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
from ansible.plugins.action import ActionBase

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import FLEET_AUDIT_SPEC
from ansible_collections.printfleet.mfp.plugins.plugin_utils import _fleet_audit as audit
from ansible_collections.printfleet.mfp.plugins.plugin_utils._fleet import (
    FLEET_MODE_ONLY, FleetActionBase, host_values, play_level, run_all, validated,
)


class ActionModule(FleetActionBase):
    # Each printer is read as mfp_info reads it.
    MODULE = 'mfp_info'
    MODE_ONLY = FLEET_MODE_ONLY.format(action='mfp_fleet_audit', switch='token_audit_fleet')

    def run(self, tmp=None, task_vars=None):
        result = ActionBase.run(self, tmp, task_vars)
        task_vars = task_vars or {}
        options, failure = validated(FLEET_AUDIT_SPEC, self._task.args, 'mfp_fleet_audit')
        if failure:
            result.update(failure)
            return result
        hostvars = task_vars['hostvars']
        played = play_level(options['policy'], hostvars[task_vars['inventory_hostname']], audit.POLICY_VARIABLES,
                            audit.POLICY_DEFAULTS)
        batch, in_play = set(task_vars['ansible_play_batch']), set(task_vars['ansible_play_hosts'])
        rows = {}

        def readings():
            """Each printer to read, prepared as it is taken; the others' rows."""
            for host in task_vars['ansible_play_hosts_all']:
                host_vars = hostvars[host]   # each look-up computes the host's variables anew
                if options['read'] and host in batch:
                    yield host, self._reading(host, host_vars, played, options['verify_mail'])
                elif audit.ROW_VARIABLE in host_vars:   # read per host, or in an earlier batch
                    rows[host] = host_vars[audit.ROW_VARIABLE]
                elif host not in in_play:
                    rows[host] = audit.not_audited(host)
        rows.update(run_all(readings(), options['forks']))
        ordered = [rows[host] for host in task_vars['ansible_play_hosts_all'] if host in rows]
        result.update(audit.report(ordered, options['report_dir'], options['report_name'], options['report_formats'],
                                   options['report_title'], options['google_refresh_token_cap']))
        return result

    def _reading(self, host, host_vars, played, verify_mail):
        """What reads the printer `host` and makes its row, in a thread."""
        address, read = self._printer(host, host_vars, {'verify_mail': verify_mail})
        try:
            policy = audit.typed_policy(host_values(host_vars, played, audit.POLICY_VARIABLES, audit.POLICY_DEFAULTS))
        except (AnsibleError, TypeError) as error:   # not a boolean, or not templated
            failure = dict(failed=True, msg='Invalid policy for %s: %s' % (host, error))
            return lambda: audit.row(host, address, failure, {})
        return lambda: audit.row(host, address, read(), policy)
