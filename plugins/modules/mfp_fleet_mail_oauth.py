#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: mfp_fleet_mail_oauth
short_description: Roll out OAuth 2.0 mail to every printer of the play from one task
version_added: 0.3.0
description:
  - The engine of the role C(printfleet.mfp.mail_oauth) in fleet mode. Runs once for the play, on the
    controller (an action plugin; it runs once even without C(run_once)).
  - Runs M(printfleet.mfp.mfp_mail_oauth) for every printer of the play's current batch (C(ansible_play_batch)),
    or of O(hosts), O(forks) printers at a time, in threads of one process. A task per printer costs the
    controller a forked worker each, which is most of what a roll-out that changes nothing costs.
  - Each printer's connection comes from its host variables (C(mfp_admin_password), C(mfp_port),
    C(mfp_ca_path), C(mfp_timeout), C(mfp_retries), ...), completed and validated as for a task of
    M(printfleet.mfp.mfp_mail_oauth) on that host. A printer with invalid settings is not contacted and fails.
  - Each printer's O(provider), O(account), O(smtp), O(pop), O(get_token) and O(force) are its host variables
    C(mail_oauth_provider), C(mail_oauth_account), C(mail_oauth_smtp), C(mail_oauth_pop),
    C(mail_oauth_token_acquire) and C(mail_oauth_token_force) (inventory, C(group_vars), C(host_vars), extra vars),
    unless the task's value differs from its own host's variable (a value the play sets for every printer,
    play vars, role parameters, a literal), then that value; else the role's defaults.
  - A value the play sets that equals the role's default cannot be told from the default, so there a printer's
    own host variable wins (Ansible would rank the play's value first). Set such a value per group instead.
  - Never fails itself for a printer; each printer's result is in RV(results), the printers that failed or did not
    answer in RV(failed_hosts). The role fails those printers after this task, so that the play recap names them.
  - Printers with C(mfp_execution=module) cannot be run from here and fail. Run them per host with
    M(printfleet.mfp.mfp_mail_oauth) (the role's C(mail_oauth_fleet=false)).
  - Not in the action group C(printfleet.mfp.mfp), so C(module_defaults) of the group do not reach it; set
    connection options as host or group variables.
author:
  - printfleet.mfp maintainers (@printfleet)
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying the device.
    support: full
  diff_mode:
    description: Returns details on what has changed (or would change in C(check_mode)) in diff mode.
    support: full
    details:
      - One diff per printer that changes, headed by its inventory name.
  facts:
    description: Action returns an C(ansible_facts) dictionary that will update existing host facts.
    support: none
    details:
      - One task cannot set facts per host. Each printer's facts are in its result in RV(results).
  idempotent:
    description: Running twice with the same arguments reports no change the second time.
    support: full
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
      - It runs on the controller and drives every printer of the play; the printers' own connection settings apply.
options:
  provider:
    description: The OAuth 2.0 provider, as M(printfleet.mfp.mfp_mail_oauth) takes it, for every printer without its own.
    type: str
    choices: [microsoft, google]
  account:
    description: The account, as M(printfleet.mfp.mfp_mail_oauth) takes it, for every printer without its own.
    type: str
  smtp:
    description: SMTP settings, as M(printfleet.mfp.mfp_mail_oauth) takes them, for every printer without its own.
    type: dict
    default: {}
    suboptions:
      primary_server:
        description: Primary Server, host name or IPv4 address.
        type: str
      port:
        description: Port Number, 1 to 65535.
        type: int
      timeout:
        description: Timeout in seconds, 1 to 60.
        type: int
      sender_name:
        description: Sender Name, at most 64 characters.
        type: str
      sender_address:
        description: Sender Address (e-mail address).
        type: str
      ssl_tls:
        description: Enable SSL/TLS.
        type: bool
  pop:
    description: POP settings, as M(printfleet.mfp.mfp_mail_oauth) takes them, for every printer without its own.
    type: dict
    suboptions:
      server:
        description: POP3 Server, host name or IPv4 address.
        type: str
      port:
        description: Port Number, 1 to 65535.
        type: int
      check_interval:
        description: Check Interval in minutes, 1 to 240.
        type: int
      ssl:
        description: Enable SSL.
        type: bool
  state:
    description: As M(printfleet.mfp.mfp_mail_oauth) takes it, for every printer.
    type: str
    choices: [present, query]
    default: present
  get_token:
    description: As M(printfleet.mfp.mfp_mail_oauth) takes it, for every printer without its own.
    type: bool
    default: true
  force:
    description: As M(printfleet.mfp.mfp_mail_oauth) takes it, for every printer without its own.
    type: bool
    default: false
  hosts:
    description: The printers to run, by inventory name; by default the play's current batch.
    type: list
    elements: str
  forks:
    description: How many printers are driven at a time, 1 to 1000.
    type: int
    default: 50
seealso:
  - module: printfleet.mfp.mfp_mail_oauth
'''

EXAMPLES = r'''
- name: Roll out OAuth 2.0 mail to the fleet, 50 printers at a time
  printfleet.mfp.mfp_fleet_mail_oauth:
    provider: microsoft
    account: "{{ mail_oauth_account }}"   # each printer's own mail_oauth_account
    smtp: {primary_server: smtp.office365.com, port: 587, ssl_tls: true}
    pop: {}
  register: rollout
  # The action runs once either way; run_once also gives every printer the registered result.
  run_once: true

- name: Fail the printers it failed on
  ansible.builtin.fail:
    msg: "{{ rollout.results[inventory_hostname].msg }}"
  when: inventory_hostname in rollout.failed_hosts
'''

RETURN = r'''
results:
  description: Each printer's result, by inventory name, as M(printfleet.mfp.mfp_mail_oauth) returns it (its warnings in
    the task's).
  returned: always
  type: dict
  sample: {mfp-hq-01: {changed: false, actions: {smtp: [], pop: []}, status: {authorized: true, waiting: false}}}
changed_hosts:
  description: The printers that changed (in check mode, would change).
  returned: always
  type: list
  elements: str
failed_hosts:
  description: The printers that failed or did not answer; each one's message is in RV(results).
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import FLEET_MAIL_OAUTH_SPEC


def main():
    # The roll-out needs the inventory's printers and their variables: only its action plugin has them.
    module = AnsibleModule(supports_check_mode=True, **FLEET_MAIL_OAUTH_SPEC)
    module.fail_json(msg='mfp_fleet_mail_oauth runs on the controller, through its action plugin; it cannot run as a '
                         'module.')


if __name__ == '__main__':
    main()
