#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: mfp_mail_oauth
short_description: A printer's OAuth 2.0 mail in one admin session, SMTP and POP pages and their token
version_added: 0.3.0
description:
  - Sets the SMTP page and, with O(pop), the POP page to OAuth 2.0 for O(account) at O(provider), and presses
    [Get Token] for each token that is neither Obtained for the account nor waiting for a sign-in; all in
    one admin session, each page read once.
  - Does what M(printfleet.mfp.mfp_smtp), M(printfleet.mfp.mfp_pop) and M(printfleet.mfp.mfp_oauth_token)
    do as three tasks (the same steps, the same checks, check mode and diff), with one login instead of
    three. A printer that needs nothing costs the login, its two pages and the logout.
  - Settings the task does not declare stay as they were. Changing the provider or account deletes the token
    issued for the old one, as the manual asks.
  - Where the POP page shares SMTP's credential, SMTP's [Get Token] gets POP's token too. Where it keeps its own
    (profiles V(bp_a3) and V(bp_a3_panel)), each page gets its own [Get Token] and sign-in.
  - A model that obtains its token on the control panel only (V(bp_a3_panel)) is not a failure; RV(status)
    says so (C(panel_only)), and what a person does at the panel.
  - The C(printfleet.mfp.mail_oauth) role runs it for each printer, or the whole play's printers at once
    from one task (its C(mail_oauth_fleet)).
author:
  - printfleet.mfp maintainers (@printfleet)
extends_documentation_fragment:
  - printfleet.mfp._connection
  - printfleet.mfp._attributes
attributes:
  idempotent:
    description: Running twice with the same arguments reports no change the second time.
    support: full
options:
  provider:
    description: The OAuth 2.0 provider of the mailbox.
    type: str
    required: true
    choices: [microsoft, google]
  account:
    description: Account Name (e-mail address) the printer sends and reads mail as; the tokens are obtained for it.
    type: str
    required: true
  smtp:
    description:
      - SMTP settings to declare besides OAuth 2.0 (which this module sets), as M(printfleet.mfp.mfp_smtp) takes them.
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
    description:
      - POP settings to declare besides OAuth 2.0, as M(printfleet.mfp.mfp_pop) takes them. V({}) sets the POP page
        to OAuth 2.0 and declares nothing else.
      - Omitted (V(null)), the POP page is left alone and its token is not looked at.
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
    description:
      - V(present) sets the pages and gets the tokens.
      - V(query) only reads the pages and returns RV(status) (what a wait for sign-ins reads); it never changes anything.
    type: str
    choices: [present, query]
    default: present
  get_token:
    description: Press [Get Token] where a token is needed. V(false) only sets the pages.
    type: bool
    default: true
  force:
    description:
      - Renew an Invalid token even when the provider's reason says a new sign-in cannot succeed (a disabled account),
        as O(printfleet.mfp.mfp_oauth_token#module:force) does.
    type: bool
    default: false
seealso:
  - module: printfleet.mfp.mfp_smtp
  - module: printfleet.mfp.mfp_pop
  - module: printfleet.mfp.mfp_oauth_token
'''

EXAMPLES = r'''
- name: Send and read mail with Exchange Online over OAuth 2.0
  printfleet.mfp.mfp_mail_oauth:
    provider: microsoft
    account: scan@contoso.example
    smtp: {primary_server: smtp.office365.com, port: 587, ssl_tls: true}
    pop: {server: outlook.office365.com, port: 995, ssl: true}
  register: mail

- name: Show the sign-in a person has to do
  ansible.builtin.debug:
    msg: "Sign in at {{ mail.status.verification_uri }} with {{ mail.status.user_code }} as scan@contoso.example"
  when: mail.status.waiting and mail.status.sign_in == 'device_code'

- name: Read whether the printer is authorized (nothing is changed)
  printfleet.mfp.mfp_mail_oauth:
    state: query
    provider: microsoft
    account: scan@contoso.example
    pop: {}
  register: mail
'''

RETURN = r'''
settings:
  description: The settings of each page set, V(smtp) and V(pop), after the task (in check mode, as they would be).
  returned: success and O(state=present)
  type: dict
  sample:
    smtp: {primary_server: smtp.office365.com, port: 587, timeout: 20, sender_name: Scanner,
           sender_address: scanner@contoso.example, ssl_tls: true, auth_method: oauth2, user: "",
           provider: microsoft, account: scan@contoso.example}
actions:
  description:
    - The buttons pressed on each page (in check mode, that would be pressed), in order; V(delete) for a token
      of another account or provider.
  returned: success
  type: dict
  sample: {smtp: [delete, get_token], pop: []}
status:
  description:
    - The tokens of the printer as the task leaves them (in check mode, as it found them), what the
      C(printfleet.mfp.mail_oauth) role lists and waits for.
    - SMTP's token panel (C(state), C(label), C(account), C(sign_in), C(user_code), C(verification_uri), C(sign_in_url),
      C(expires_at), C(message), C(provider_code), C(advice), as RV(printfleet.mfp.mfp_oauth_token#module:token)), and
      C(authorized) (every token the printer needs is Obtained for O(account)), C(waiting) (a token waits for a
      sign-in its web page shows a code or address for), C(panel_only) (a token is missing and the model obtains
      tokens on its control panel only), C(expected_account), C(smtp_token) (SMTP's panel with its own
      C(authorized)) and C(pop_token) (POP's, where the POP page shows a token of its own; else V(null)).
  returned: success
  type: dict
  sample:
    state: waiting_for_authorization
    label: Waiting for authorization
    account: null
    sign_in: device_code
    user_code: F7K2QW9M
    verification_uri: https://login.microsoftonline.com/common/oauth2/deviceauth
    sign_in_url: null
    expires_at: "2026-11-27T10:15:00Z"
    message: null
    provider_code: null
    advice: null
    authorized: false
    waiting: true
    panel_only: false
    expected_account: scan@contoso.example
    smtp_token: {state: waiting_for_authorization, authorized: false}
    pop_token: null
ansible_facts:
  description: Facts about the OAuth credential of each service, as M(printfleet.mfp.mfp_oauth_token) sets them.
  returned: success
  type: dict
  contains:
    mfp_oauth:
      description:
        - One entry per service, V(smtp) and V(pop), each with C(state), C(label), C(provider), C(account),
          C(token_account), C(auth_method), C(message), C(provider_code) and C(sign_in).
      type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import module_kwargs
from ansible_collections.printfleet.mfp.plugins.module_utils._runner import run_module


def main():
    module = AnsibleModule(supports_check_mode=True, **module_kwargs('mfp_mail_oauth'))
    run_module(module, 'mfp_mail_oauth')


if __name__ == '__main__':
    main()
