# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""mfp_fleet_mail_oauth: mfp_mail_oauth for every printer of the play, concurrently, from this one task."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import FLEET_MAIL_OAUTH_SPEC
from ansible_collections.printfleet.mfp.plugins.plugin_utils._fleet import (
    FLEET_MODE_ONLY, FleetActionBase, host_values, play_level, run_all, validated,
)

# The options a printer may have its own value of: the host variable of each (the mail_oauth role's),
# and the value where a printer has none (the role's defaults).
VARIABLES = {
    'provider': 'mail_oauth_provider',
    'account': 'mail_oauth_account',
    'smtp': 'mail_oauth_smtp',
    'pop': 'mail_oauth_pop',
    'get_token': 'mail_oauth_token_acquire',
    'force': 'mail_oauth_token_force',
}
DEFAULTS = {'provider': 'microsoft', 'account': None, 'smtp': {}, 'pop': None, 'get_token': True, 'force': False}


class ActionModule(FleetActionBase):
    MODULE = 'mfp_mail_oauth'
    MODE_ONLY = FLEET_MODE_ONLY.format(action='mfp_fleet_mail_oauth', switch='mail_oauth_fleet')

    def run(self, tmp=None, task_vars=None):
        result = ActionBase.run(self, tmp, task_vars)
        task_vars = task_vars or {}
        options, failure = validated(FLEET_MAIL_OAUTH_SPEC, self._task.args, 'mfp_fleet_mail_oauth')
        if failure:
            result.update(failure)
            return result
        hostvars = task_vars['hostvars']
        # As given, not as validated (which fills in every suboption): compared with the host variables.
        given = dict((key, value) for key, value in self._task.args.items() if key in VARIABLES)
        played = play_level(given, hostvars[task_vars['inventory_hostname']], VARIABLES, DEFAULTS)
        hosts = options['hosts'] if options['hosts'] is not None else task_vars['ansible_play_batch']

        def printers():
            """Each printer's roll-out, prepared as it is taken."""
            for host in hosts:
                host_vars = hostvars[host]   # each look-up computes the host's variables anew
                values = host_values(host_vars, played, VARIABLES, DEFAULTS)
                yield host, self._printer(host, host_vars, dict(values, state=options['state']))[1]
        results = run_all(printers(), options['forks'])
        result.update(_fleet_result(results, self._task.diff))
        return result


def _fleet_result(results, diff_mode):
    """The task's result: each printer's, the printers that changed and failed, their diffs and warnings."""
    changed = [host for host, outcome in results.items() if outcome.get('changed')]
    failed = [host for host, outcome in results.items() if outcome.get('failed') or outcome.get('unreachable')]
    warnings = ['%s: %s' % (host, warning) for host, outcome in results.items()
                for warning in outcome.pop('warnings', ())]
    fleet = {
        'changed': bool(changed),
        'results': results,
        'changed_hosts': changed,
        'failed_hosts': failed,
        'msg': '%d printer%s: %d changed, %d failed%s' % (
            len(results), '' if len(results) == 1 else 's', len(changed), len(failed),
            (' (%s)' % ', '.join(failed)) if failed else ''),
    }
    if warnings:
        fleet['warnings'] = warnings
    if diff_mode:
        fleet['diff'] = [dict(results[host]['diff'], before_header=host, after_header=host)
                         for host in changed if results[host].get('diff')]
    return fleet
