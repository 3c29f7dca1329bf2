#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: mfp_oauth_token
short_description: The OAuth 2.0 token of a multifunction printer's mail settings
version_added: 0.1.0
description:
  - Obtains, replaces, deletes or reports the OAuth 2.0 token the device uses for SMTP and POP,
    with the [Get Token] and [Delete] buttons and their confirmation step.
  - On most models the token is shared by the SMTP and POP pages, and O(service) only says which page's buttons
    are pressed. On A3 models (profiles C(bp_a3), C(bp_a3_panel)) POP has a provider, account and token of its own,
    and O(service=pop) acts on POP's.
  - With O(state=present), Not Obtained presses [Get Token]. When the page is set to O(provider) and
    O(account), a token Obtained for O(account) is left alone, and while the device waits for
    authorization nothing is pressed, so that the pending code stays valid; the code is returned.
    Otherwise (an Invalid token, a token obtained for another account, or the page set to another
    provider or account) [Delete] is pressed, then [Get Token].
  - As the manual orders it, [Get Token] needs OAuth 2.0 selected as the page's authentication method;
    set it first with M(printfleet.mfp.mfp_smtp) or M(printfleet.mfp.mfp_pop). A task that would press
    [Get Token] on a page that is not on OAuth 2.0 fails before any button, also in check mode.
  - The token panel shows the account a token was issued for, not its provider, so a token is judged
    by its account. M(printfleet.mfp.mfp_smtp) and M(printfleet.mfp.mfp_pop) delete the token when they
    change the provider or account, unless given C(keep_token=true).
  - Getting a token ends in Waiting for Authorization, until a person signs in. With a device code sign-in
    (most models) the person enters RV(user_code) at RV(verification_uri). With a browser sign-in (Sharp's A3
    models, where [Get Token] opens the provider's login page) the person opens RV(sign_in_url) in a browser and
    signs in there; the provider sends the browser back to the device, which finishes the token.
    C(ansible_facts.mfp_oauth) says which (C(sign_in)). O(wait=true) polls the device until the token is Obtained.
  - In check mode nothing is pressed. RV(actions) lists the buttons that would be pressed;
    RV(token) shows the token before any button would be pressed, C(ansible_facts.mfp_oauth) as the
    buttons would leave it (so a later task of the plan does not plan the same [Get Token] again);
    O(wait) is skipped.
author:
  - printfleet.mfp maintainers (@printfleet)
extends_documentation_fragment:
  - printfleet.mfp._connection
  - printfleet.mfp._attributes
attributes:
  idempotent:
    description: Running twice with the same arguments reports no change the second time.
    support: full
    details:
      - A second run while the device waits for authorization, with the same provider and account,
        presses nothing and reports no change.
options:
  state:
    description:
      - V(present) makes sure a token for O(account) exists or is being authorized.
      - V(absent) deletes the token unless none is there.
      - V(query) only reports, and sets C(ansible_facts.mfp_oauth). M(printfleet.mfp.mfp_info) reads the same
        without setting facts; the audit uses it.
    type: str
    choices: [present, absent, query]
    default: present
  service:
    description: The page whose buttons are pressed. Both pages show the same token, except on A3 models, where POP's is its own.
    type: str
    choices: [smtp, pop]
    default: smtp
  provider:
    description:
      - The provider the token must be for. Defaults to the provider set on the device.
      - When it differs from the device's, it is saved (Submit) before [Get Token] is pressed.
      - Give O(provider) and O(account) together, or neither.
    type: str
    choices: [microsoft, google]
  account:
    description:
      - The account (e-mail address) the token must be for. Defaults to the Account Name set on the device.
      - When it differs from the device's, it is saved (Submit) before [Get Token] is pressed.
      - Give O(provider) and O(account) together, or neither.
    type: str
  wait:
    description:
      - With O(state=present), wait until the token is Obtained, polling the device.
      - Logged out between two polls (one login per poll), so the device's one admin session is free
        for people while the task waits, and a device idle timeout shorter than O(poll_interval)
        ends nothing.
      - The task fails when the token ends up in another state (for example Not Obtained after a
        declined sign-in, or one the tenant's Conditional Access refused, with the device's message, what
        its provider code means and what to do), or Obtained for another account than the
        expected one (O(account), else the device's).
      - Skipped in check mode.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait with O(wait=true). On timeout the task fails with the pending code.
    type: int
    default: 600
  poll_interval:
    description: Seconds between two reads of the device with O(wait=true).
    type: int
    default: 5
  force:
    description:
      - With O(state=present), renew an Invalid token even when the provider's reason on the device says that
        a new sign-in for the same account cannot succeed (C(AADSTS50057), the account is disabled).
      - Without it such a task fails before pressing anything, with the reason and what to do, because
        [Delete] would erase the reason and [Get Token] start a sign-in nobody can finish. Set it once the
        cause is fixed (the account enabled again). Changing to another account or provider needs no O(force).
      - Other Invalid tokens are renewed ([Delete], then [Get Token]) without it.
    type: bool
    default: false
    version_added: 0.2.0
seealso:
  - module: printfleet.mfp.mfp_smtp
  - module: printfleet.mfp.mfp_pop
  - module: printfleet.mfp.mfp_info
'''

EXAMPLES = r'''
- name: Press Get Token where needed
  printfleet.mfp.mfp_oauth_token:
    provider: microsoft
    account: scan@contoso.example
  register: token

- name: Tell the operator where to sign in
  ansible.builtin.debug:
    msg: >-
      {{ inventory_hostname }}: {{ ('open ' ~ token.sign_in_url ~ ' in a browser and sign in') if token.sign_in_url
         else ('sign in at ' ~ token.verification_uri ~ ' with code ' ~ token.user_code) }}
  when: token.token.state == 'waiting_for_authorization'

- name: Wait up to 15 minutes for the sign-in
  printfleet.mfp.mfp_oauth_token:
    account: scan@contoso.example
    provider: microsoft
    wait: true
    wait_timeout: 900

- name: Audit the token state of the fleet (sets ansible_facts.mfp_oauth)
  printfleet.mfp.mfp_oauth_token:
    state: query

- name: Delete the token
  printfleet.mfp.mfp_oauth_token:
    state: absent
'''

RETURN = r'''
actions:
  description: The buttons pressed (in check mode, that would be pressed), in order.
  returned: success
  type: list
  elements: str
  sample: [delete, get_token]
user_code:
  description: While waiting for a device code sign-in, the code to enter at RV(verification_uri); else null.
  returned: success
  type: str
  sample: F7K2QW9M
verification_uri:
  description: While waiting for a device code sign-in, where to sign in; else null.
  returned: success
  type: str
  sample: https://login.microsoftonline.com/common/oauth2/deviceauth
sign_in_url:
  description:
    - While waiting for a browser sign-in, the address to open in a browser and sign in at (the provider's sign-in
      page, which sends the browser back to the device); else null.
    - It may be shown to the operator and passed to the person who signs in. It holds no secret. PKCE ties
      the sign-in to the device, and the C(state) parameter in it only lets the device tell its own answer.
  returned: success
  type: str
  sample: https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=…&state=…
expires_at:
  description: While waiting for authorization, when the pending sign-in expires; else null.
  returned: success
  type: str
  sample: "2026-11-27T10:15:00Z"
token:
  description: The token panel after the task (in check mode, before it).
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
          last failure, as shown), C(provider_code) (the provider's code in it, such as C(AADSTS50173)) and
          C(sign_in) (while waiting for authorization, how the person signs in, V(device_code) or V(browser) as
          RV(token.sign_in); else V(null)).
        - O(state=query) reads both pages. Otherwise only the page of O(service) is read; the token,
          provider and account are shared by both pages, so they are current for both services,
          and the other service's C(auth_method) is taken from the host's C(ansible_facts.mfp_oauth)
          set by an earlier task, else it is V(null).
        - In check mode, as the buttons in RV(actions) would leave the token (V(waiting_for_authorization)
          after [Get Token], V(not_obtained) after [Delete]).
      type: dict
      sample:
        smtp: {state: invalid, label: Invalid, provider: microsoft, account: scan@contoso.example,
               token_account: scan@contoso.example, auth_method: oauth2,
               message: 'The token is no longer valid (AADSTS50173).', provider_code: AADSTS50173, sign_in: null}
        pop: {state: invalid, label: Invalid, provider: microsoft, account: scan@contoso.example,
              token_account: scan@contoso.example, auth_method: plain,
              message: 'The token is no longer valid (AADSTS50173).', provider_code: AADSTS50173, sign_in: null}
token_on_web:
  description:
    - V(false) when the task failed because the model obtains its token on its control panel only
      (profile C(bp_a3_panel)); nothing was pressed, and C(msg) says what the person does on the panel.
    - The C(printfleet.mfp.mail_oauth) role reads it to list such printers for the panel instead of failing them.
  returned: when the token can only be obtained on the control panel
  type: bool
  sample: false
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import module_kwargs
from ansible_collections.printfleet.mfp.plugins.module_utils._runner import run_module


def main():
    module = AnsibleModule(supports_check_mode=True, **module_kwargs('mfp_oauth_token'))
    run_module(module, 'mfp_oauth_token')


if __name__ == '__main__':
    main()
