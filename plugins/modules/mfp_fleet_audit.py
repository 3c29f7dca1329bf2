#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: mfp_fleet_audit
short_description: Audit the OAuth 2.0 mail tokens of every printer of the play from one task, and write the fleet report
version_added: 0.2.0
description:
  - The engine of the role C(printfleet.mfp.token_audit). Runs once for the play, on the controller
    (an action plugin; it runs once even without C(run_once)).
  - With O(read=true), reads every printer of the play's current batch (C(ansible_play_batch)) as
    M(printfleet.mfp.mfp_info) reads it (one login, the SMTP and POP pages, the logout), O(forks) printers
    at a time, in threads of one process. A task per printer costs the controller a forked worker each,
    which is most of what a per-host audit costs.
  - Each printer's connection comes from its host variables (C(mfp_admin_password), C(mfp_port),
    C(mfp_ca_path), C(mfp_timeout), C(mfp_retries), ...), completed as for a task of
    M(printfleet.mfp.mfp_info) on that host, with the same validation. A printer with invalid settings is
    not contacted and is reported as V(error). Timeouts and retries are each printer's own.
  - Judges each printer with P(printfleet.mfp.token_compliance#filter) against its policy, that is its host
    variables C(token_audit_require_oauth2), C(token_audit_require_obtained), C(token_audit_expected_provider)
    and C(token_audit_expected_account) (inventory, C(group_vars), C(host_vars), facts, extra vars), else
    what O(policy) says the play sets for every printer, else the defaults.
  - With O(read=false), reads nothing. Each printer's row is its host variable C(token_audit_row), as the
    role's per-host mode makes it.
  - Every printer of the play is in the report. One that does not answer is V(unreachable), one that
    could not be audited V(error), with the message; one that failed or left the play before this task
    V(error) (not audited). With C(serial), the rows of earlier batches kept as C(token_audit_row) are
    in the report too.
  - Writes the reports (JSON, CSV, JUnit XML, HTML) with P(printfleet.mfp.token_audit_csv#filter),
    P(printfleet.mfp.token_audit_junit#filter) and P(printfleet.mfp.token_audit_html#filter), each by
    renaming a complete file over the old one, mode C(0644).
  - Printers with C(mfp_execution=module) cannot be read from here and are reported as V(error). Audit
    them with M(printfleet.mfp.mfp_info) per host (the role's C(token_audit_fleet=false)).
  - Not in the action group C(printfleet.mfp.mfp), so C(module_defaults) of the group do not reach it; set
    connection options as host or group variables.
author:
  - printfleet.mfp maintainers (@printfleet)
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying the device.
    support: full
    details:
      - The printers are only read, so check mode changes nothing in what it does; the reports are
        written also in check mode.
  diff_mode:
    description: Returns details on what has changed (or would change in C(check_mode)) in diff mode.
    support: none
  facts:
    description: Action returns an C(ansible_facts) dictionary that will update existing host facts.
    support: none
    details:
      - One task cannot set facts per host. The rows are returned as RV(rows); the role's
        C(token_audit_host_rows) keeps each as its printer's host variable C(token_audit_row).
  idempotent:
    description: Running twice reports no change.
    support: partial
    details:
      - Changed when a report file changed; the JSON, JUnit and HTML reports hold the time they were made.
  action:
    description: Has an action plugin of the same name that runs the module's logic in the controller process.
    support: full
  async:
    description: Supports being used with the C(async) keyword.
    support: none
  bypass_host_loop:
    description: Runs once for the play, whatever hosts it has, as if with C(run_once).
    support: full
  delegation:
    description: Can be used with C(delegate_to) and related keywords.
    support: none
    details:
      - It runs on the controller and reads every printer of the play; the printers' own connection settings apply.
options:
  read:
    description:
      - Read the printers of the current batch. V(false) takes each printer's row from its host variable
        C(token_audit_row) instead.
    type: bool
    default: true
  forks:
    description:
      - How many printers are read at a time (from 1 to 1000). Each is one admin session on one printer.
    type: int
    default: 50
  verify_mail:
    description:
      - Also verify that each printer's mail flows, as O(printfleet.mfp.mfp_info#module:verify_mail=true) does for
        its own host (the role's C(token_audit_verify_mail)).
    type: bool
    default: false
  policy:
    description:
      - The policy as the play gives it to the host the task runs for (the role passes its variables),
        with the keys C(require_oauth2), C(require_obtained), C(expected_provider) and C(expected_account)
        (the options of P(printfleet.mfp.token_compliance#filter)).
      - A value that differs from what that host's own variables give was set for the play (play vars,
        role parameters), above inventory variables, so it holds for every printer.
    type: dict
    default: {}
  report_dir:
    description:
      - The directory on the controller the reports are written to. Created when missing (with the
        umask's mode); an existing one keeps its own.
    type: path
    required: true
  report_name:
    description: The file name of the reports, without extension (C(.json), C(.csv), C(.xml), C(.html)).
    type: str
    default: token_audit
  report_formats:
    description: The reports to write.
    type: list
    elements: str
    choices: [json, csv, junit, html]
    default: [json, csv, junit, html]
  report_title:
    description: The title of the HTML page and the name of the JUnit test suite.
    type: str
    default: OAuth 2.0 mail token audit
  google_refresh_token_cap:
    description:
      - Google keeps at most this many live refresh tokens per Google account and OAuth client, and ends the
        oldest past it without a word. The summary's C(warnings) (and the HTML report) name each Google
        account this many printers or more are set to.
    type: int
    default: 100
seealso:
  - module: printfleet.mfp.mfp_info
  - plugin: printfleet.mfp.token_compliance
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Audit the printers of the play and write the reports
  printfleet.mfp.mfp_fleet_audit:
    forks: 100
    report_dir: /srv/reports/printers
  run_once: true
  register: audit

- name: Show the table
  ansible.builtin.debug:
    msg: "{{ audit.lines }}"
  run_once: true
'''

RETURN = r'''
rows:
  description:
    - One row per printer of the play, in inventory order, as P(printfleet.mfp.token_compliance#filter)
      makes it plus C(host) and C(address).
  returned: always
  type: list
  elements: dict
  sample:
    - host: mfp-hq-05
      address: 10.1.0.5
      status: noncompliant
      reasons: [token is Invalid]
      smtp: {state: invalid, label: Invalid, provider: microsoft, account: scan@contoso.example,
             token_account: scan@contoso.example, auth_method: oauth2}
      pop: {state: invalid, label: Invalid, provider: microsoft, account: scan@contoso.example,
            token_account: scan@contoso.example, auth_method: oauth2}
      sign_in: null
summary:
  description:
    - The rows counted per status and token state, and the warnings about the fleet as a whole
      (P(printfleet.mfp.token_audit_summary#filter)).
  returned: always
  type: dict
  sample: {hosts: 4, status: {compliant: 1, noncompliant: 2, unreachable: 1, error: 0},
           token_state: {obtained: 2, waiting_for_authorization: 0, not_obtained: 0, invalid: 1, unknown: 1},
           warnings: []}
reports:
  description: The path of each report written, by format.
  returned: always
  type: dict
  sample: {json: /srv/reports/printers/token_audit.json, html: /srv/reports/printers/token_audit.html}
report_base:
  description: The path of the reports without extension.
  returned: always
  type: str
  sample: /srv/reports/printers/token_audit
lines:
  description:
    - The table of the fleet (P(printfleet.mfp.token_audit_table#filter)), an empty line, the counts per
      status and where the reports are, which the role prints at the end.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import FLEET_AUDIT_SPEC


def main():
    # The audit needs the inventory's printers and their variables: only its action plugin has them.
    module = AnsibleModule(supports_check_mode=True, **FLEET_AUDIT_SPEC)
    module.fail_json(msg='mfp_fleet_audit runs on the controller, through its action plugin; it cannot run as a module.')


if __name__ == '__main__':
    main()
