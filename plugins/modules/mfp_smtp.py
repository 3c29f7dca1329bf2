#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: mfp_smtp
short_description: SMTP settings of a multifunction printer, including OAuth 2.0
version_added: 0.1.0
description:
  - Sets the SMTP page of the device (System Settings → Network Settings → Service Setting → SMTP tab).
  - Reads the whole form, changes the settings the task declares and posts the whole form back,
    so settings the task does not declare stay as they were. Reads the result and fails when the
    device did not take a value, with the device's own message when it refused one.
  - Provider and account are shared with the POP page, except on models whose POP page keeps an OAuth
    credential of its own (profiles V(bp_a3) and V(bp_a3_panel)). When this task changes them while a token
    exists, the token is deleted, so that the new account can be authorized with
    M(printfleet.mfp.mfp_oauth_token) (see O(keep_token)).
author:
  - printfleet.mfp maintainers (@printfleet)
extends_documentation_fragment:
  - printfleet.mfp._connection
  - printfleet.mfp._attributes
attributes:
  idempotent:
    description: Running twice with the same arguments reports no change the second time.
    support: partial
    details:
      - Not with O(update_password=always) and a O(password), because the device never shows its password,
        so it is written (and reported as a change) on every run.
options:
  primary_server:
    description: Primary Server, host name or IPv4 address. Required by the device with OAuth 2.0.
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
    description: Sender Address (e-mail address), or an empty string for none.
    type: str
  ssl_tls:
    description: Enable SSL/TLS.
    type: bool
  auth_method:
    description:
      - The authentication method.
      - V(none) sends without authentication, V(smtp_auth) logs in with O(user) and O(password),
        V(oauth2) uses the token of O(account) at O(provider).
    type: str
    choices: [none, smtp_auth, oauth2]
  user:
    description: User Name for V(smtp_auth), at most 64 characters.
    type: str
  password:
    description:
      - Password for V(smtp_auth). The device never shows it, so it cannot be compared; see O(update_password).
    type: str
  update_password:
    description:
      - V(on_create) sends O(password) only when this task also switches O(auth_method) to
        V(smtp_auth) or changes O(user).
      - V(always) sends it on every run, which is then always reported as a change.
    type: str
    choices: [always, on_create]
    default: on_create
  provider:
    description: The OAuth 2.0 provider. Required with O(auth_method=oauth2). Shared with the POP page.
    type: str
    choices: [microsoft, google]
  account:
    description: Account Name (e-mail address) the token is obtained for. Required with O(auth_method=oauth2).
      Shared with the POP page.
    type: str
  keep_token:
    description:
      - Keep an existing token when this task changes O(provider) or O(account).
      - By default it is deleted, as the manual asks when the account changes, since it was issued for the old account.
    type: bool
    default: false
  verify_mail:
    description:
      - After the settings are saved, press [Connection Test] on the SMTP page and return the device's answer as
        RV(mail_verified). The device connects to the mail server and authenticates with its saved settings
        (the token, or the saved password). The test saves nothing.
      - The device tests what it has saved, so in check mode the test runs only when the task would change
        nothing; otherwise RV(mail_verified) is V(null), with a warning.
      - Right after a first roll-out to OAuth 2.0 the token is not obtained yet and the test fails; verify after
        the sign-in (P(printfleet.mfp.mfp_info#module) and the audit have the same option).
    type: bool
    default: false
    version_added: 0.2.0
seealso:
  - module: printfleet.mfp.mfp_pop
  - module: printfleet.mfp.mfp_oauth_token
'''

EXAMPLES = r'''
# module_defaults with the action group sets an option for mfp_smtp, mfp_pop and mfp_oauth_token
# alike; a play can have it too.
- name: Send scans through Exchange Online with OAuth 2.0, trusting the printers' own CA
  module_defaults:
    group/printfleet.mfp.mfp:
      mfp_ca_path: /etc/pki/printfleet/ca.pem
  block:
    - name: Set the SMTP page
      printfleet.mfp.mfp_smtp:
        primary_server: smtp.office365.com
        port: 587
        ssl_tls: true
        sender_address: scan@contoso.example
        auth_method: oauth2
        provider: microsoft
        account: scan@contoso.example

- name: Plain SMTP-AUTH, setting the password only when switching to it
  printfleet.mfp.mfp_smtp:
    auth_method: smtp_auth
    user: scan@contoso.example
    password: "{{ vault_scan_password }}"
    update_password: on_create

- name: Printers only reachable from a jump host
  printfleet.mfp.mfp_smtp:
    port: 587
    mfp_execution: module
  delegate_to: jump.printers.example
'''

RETURN = r'''
mail_verified:
  description:
    - With O(verify_mail=true), what [Connection Test] answered, after the task; V(null) when it was not run
      (check mode with changes to save). Not returned without O(verify_mail).
  returned: when O(verify_mail=true)
  type: dict
  version_added: 0.2.0
  contains:
    passed:
      description: Whether the device reported the test as passed.
      type: bool
      sample: true
    message:
      description: The device's result line without its C(ERROR[n]) code; the lab's firmware quotes the mail server.
      type: str
      sample: Connection test succeeded. 235 2.7.0 Authentication successful
settings:
  description: The SMTP settings after the task (in check mode, as they would be). Never the password.
  returned: success
  type: dict
  sample:
    primary_server: smtp.office365.com
    port: 587
    timeout: 20
    sender_name: Scanner
    sender_address: scan@contoso.example
    ssl_tls: true
    auth_method: oauth2
    user: ""
    provider: microsoft
    account: scan@contoso.example
password_updated:
  description: Whether the password was sent (in check mode, would be).
  returned: success
  type: bool
  sample: false
token_deleted:
  description: Whether the token was deleted because provider or account changed (in check mode, would be).
  returned: success
  type: bool
  sample: false
token:
  description: The token panel of the page after the task (in check mode, as it would be).
  returned: success
  type: dict
  contains:
    state:
      description: Normalized token state.
      type: str
      sample: obtained
      choices: [not_obtained, waiting_for_authorization, obtained, invalid]
    label:
      description: The state as the device shows it, in its UI language.
      type: str
      sample: Obtained
    account:
      description: The account the token was issued for.
      type: str
      sample: scan@contoso.example
    sign_in:
      description:
        - How the pending sign-in is done, while waiting for authorization; else null.
        - V(device_code) (a code to enter at the verification URL) or V(browser) (an address to open in a browser,
          whose sign-in page sends the browser back to the device).
      type: str
      sample: device_code
      choices: [device_code, browser]
    user_code:
      description: The code to enter at RV(token.verification_uri) while waiting for a device code sign-in.
      type: str
      sample: F7K2QW9M
    verification_uri:
      description: Where to sign in with RV(token.user_code) while waiting for a device code sign-in.
      type: str
      sample: https://login.microsoftonline.com/common/oauth2/deviceauth
    sign_in_url:
      description:
        - The address to open in a browser and sign in at while waiting for a browser sign-in.
        - Not a secret, and fine to pass to the person who signs in. PKCE ties the sign-in to the device that
          started it, and its C(state) parameter only lets the device recognize the answer.
      type: str
      sample: https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=…&state=…
    expires_at:
      description: When the pending sign-in expires.
      type: str
      sample: "2026-11-27T10:15:00Z"
    message:
      description: The device's message about the last token failure, as it shows it, in its UI language.
      type: str
      sample: The token is no longer valid (AADSTS50173).
    provider_code:
      description:
        - The provider's code in RV(token.message) (the same in every UI language), or V(null).
        - Entra's C(AADSTS) code, or Google's error name (C(invalid_grant)).
      type: str
      sample: AADSTS50173
    advice:
      description:
        - What RV(token.provider_code) means and what to do, in an administrator's words; V(null) for a code
          the collection does not know (docs/troubleshooting.md lists them).
      type: str
      sample: the account's password was reset or its sessions revoked — run the roll-out to renew
ansible_facts:
  description: Facts about the shared OAuth credential.
  returned: success
  type: dict
  contains:
    mfp_oauth:
      description:
        - One entry per service, V(smtp) and V(pop), each with C(state), C(label), C(provider),
          C(account), C(token_account), C(auth_method), C(message) (the device's message about the token's
          last failure, as shown) and C(provider_code) (the provider's code in it, such as C(AADSTS50173)).
        - Only the SMTP page is read. The token, provider and account are shared by both pages, so
          they are current for both services; on models whose POP page keeps its own credential,
          nothing of the page not read is known, so its entry is V(null) but for C(auth_method).
          C(pop.auth_method) is taken from the host's
          C(ansible_facts.mfp_oauth) set by an earlier task, else it is V(null).
        - In check mode, as they would be after the task, like RV(settings) and RV(token).
      type: dict
      sample:
        smtp: {state: obtained, label: Obtained, provider: microsoft, account: scan@contoso.example,
               token_account: scan@contoso.example, auth_method: oauth2, message: null, provider_code: null}
        pop: {state: obtained, label: Obtained, provider: microsoft, account: scan@contoso.example,
              token_account: scan@contoso.example, auth_method: plain, message: null, provider_code: null}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import module_kwargs
from ansible_collections.printfleet.mfp.plugins.module_utils._runner import run_module


def main():
    module = AnsibleModule(supports_check_mode=True, **module_kwargs('mfp_smtp'))
    run_module(module, 'mfp_smtp')


if __name__ == '__main__':
    main()
