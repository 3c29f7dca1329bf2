#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: mfp_pop
short_description: POP settings of a multifunction printer, including OAuth 2.0
version_added: 0.1.0
description:
  - Sets the POP page of the device (System Settings → System Control → E-mail Alert/Status →
    E-mail Status, Special tab).
  - Reads the whole form, changes the settings the task declares and posts the whole form back,
    so settings the task does not declare stay as they were. Reads the result and fails when the
    device did not take a value, with the device's own message when it refused one.
  - Provider and account are shared with the SMTP page, except on models whose POP page keeps an OAuth
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
  server:
    description: POP3 Server, host name or IPv4 address. Required by the device with OAuth 2.0.
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
  auth_method:
    description:
      - The authentication method.
      - V(plain) and V(apop) log in with O(user) and O(password), V(oauth2) uses the token of
        O(account) at O(provider).
    type: str
    choices: [plain, apop, oauth2]
  user:
    description: User Name for V(plain) and V(apop), at most 64 characters.
    type: str
  password:
    description:
      - Password for V(plain) and V(apop). The device never shows it, so it cannot be compared; see O(update_password).
    type: str
  update_password:
    description:
      - V(on_create) sends O(password) only when this task also switches O(auth_method) to
        V(plain) or V(apop), or changes O(user).
      - V(always) sends it on every run, which is then always reported as a change.
    type: str
    choices: [always, on_create]
    default: on_create
  provider:
    description: The OAuth 2.0 provider. Required with O(auth_method=oauth2). Shared with the SMTP page.
    type: str
    choices: [microsoft, google]
  account:
    description: Account Name (e-mail address) the token is obtained for. Required with O(auth_method=oauth2).
      Shared with the SMTP page.
    type: str
  keep_token:
    description:
      - Keep an existing token when this task changes O(provider) or O(account).
      - By default it is deleted, as the manual asks when the account changes, since it was issued for the old account.
    type: bool
    default: false
seealso:
  - module: printfleet.mfp.mfp_smtp
  - module: printfleet.mfp.mfp_oauth_token
'''

EXAMPLES = r'''
- name: Read e-mail status requests from Exchange Online with OAuth 2.0
  printfleet.mfp.mfp_pop:
    server: outlook.office365.com
    port: 995
    ssl: true
    check_interval: 5
    auth_method: oauth2
    provider: microsoft
    account: scan@contoso.example

# A token Obtained for the old account stays on the device, though it cannot be used for the
# new one; the next mfp_oauth_token with state=present deletes it and presses [Get Token].
- name: Change the account without deleting the token
  printfleet.mfp.mfp_pop:
    account: scan2@contoso.example
    provider: microsoft
    keep_token: true
'''

RETURN = r'''
settings:
  description: The POP settings after the task (in check mode, as they would be). Never the password.
  returned: success
  type: dict
  sample:
    server: outlook.office365.com
    port: 995
    check_interval: 5
    ssl: true
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
      description: The provider's code in RV(token.message) (the same in every UI language), or V(null).
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
        - Only the POP page is read. The token, provider and account are shared by both pages, so
          they are current for both services; on models whose POP page keeps its own credential,
          nothing of the page not read is known, so its entry is V(null) but for C(auth_method).
          C(smtp.auth_method) is taken from the host's
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
    module = AnsibleModule(supports_check_mode=True, **module_kwargs('mfp_pop'))
    run_module(module, 'mfp_pop')


if __name__ == '__main__':
    main()
