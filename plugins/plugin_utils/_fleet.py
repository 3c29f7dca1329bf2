# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the fleet actions share: one task runs a module for every printer of the play, in threads.

Each printer is run as the module's own action runs it for its host (its host variables complete the
options, the same validation and masking), in threads of this process instead of a forked worker
per printer: what a worker costs the controller is most of a per-host task's CPU.
"""

from __future__ import annotations

import concurrent.futures

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import FLEET_FORKS

from ansible_collections.printfleet.mfp.plugins.plugin_utils._action import MfpActionBase, finished, run_in_controller

FLEET_MODE_ONLY = ('mfp_execution is module for this printer: {action} runs printers from the controller only. '
                   'Run printers reachable only from a jump host per host ({switch}: false).')


def validated(spec, args, name):
    """(the task's options, None), or (None, the failed result): nothing has been sent to a printer then."""
    validation = ArgumentSpecValidator(**spec).validate(args)
    errors = list(validation.error_messages)
    forks = validation.validated_parameters.get('forks')
    if not errors and not FLEET_FORKS[0] <= forks <= FLEET_FORKS[1]:
        errors.append('forks must be from %d to %d, not %d.' % (FLEET_FORKS + (forks,)))
    if errors:
        return None, dict(failed=True, msg='Invalid options for %s: %s' % (name, ' '.join(errors)))
    return validation.validated_parameters, None


def run_all(jobs, forks):
    """Run the jobs, (key, a callable for one printer) pairs, at most `forks` at a time: {key: its result}, in
    their order. `jobs` may prepare each printer as it is taken: the first ones run meanwhile."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=forks) as pool:
        futures = [(key, pool.submit(job)) for key, job in jobs]
        return dict((key, future.result()) for key, future in futures)


def play_level(resolved, own, variables, defaults):
    """The values the play sets for every printer (play vars, extra vars, role parameters).

    `resolved`: the values as the task's own host sees them, with the play's variables; `own`: that
    host's variables without them (hostvars). A value they disagree on came from the play, which ranks
    above inventory variables for every printer. `variables`: the host variable of each value;
    `defaults`: each value where a printer has no such variable.
    """
    mine = host_values(own, {}, variables, defaults)
    return dict((key, resolved[key]) for key in variables if key in resolved and resolved[key] != mine[key])


def host_values(host_vars, played, variables, defaults):
    """A printer's values: what the play sets for every printer, else its host variables, else the defaults."""
    return dict((key, played[key] if key in played else host_vars.get(variable, defaults[key]))
                for key, variable in variables.items())


class FleetActionBase(MfpActionBase):
    """The base of a fleet action: the task runs once, for every printer of the play."""

    BYPASS_HOST_LOOP = True
    # The failure of a printer that needs per-host mode (FLEET_MODE_ONLY, naming the role's switch).
    MODE_ONLY = ''

    def _printer(self, host, host_vars, args):
        """(the printer's address, what runs the module for it, in a thread): prepared here, where templating is
        safe. A printer whose options do not template or validate gets its failure, without a request."""
        try:
            args = self._with_host_variables(args, host_vars, host)
        except AnsibleError as error:   # its variables do not template (an undefined one, say): its own failure
            failure = dict(failed=True, msg=str(error))
            return host, lambda: failure
        params, failure = self._validated(args)
        if failure is None and params['mfp_execution'] == 'module':
            failure = dict(failed=True, msg=self.MODE_ONLY)
        if failure:
            return args['mfp_host'], lambda: failure
        facts = host_vars.get('ansible_facts')
        check_mode, diff_mode = self._task.check_mode, self._task.diff

        def run():
            outcome = run_in_controller(self.MODULE, params, check_mode, diff_mode, facts)
            return finished(self.MODULE, outcome, params, facts)
        return args['mfp_host'], run
