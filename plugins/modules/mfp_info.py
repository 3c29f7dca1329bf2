#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: mfp_info
short_description: Read a multifunction printer's model, mail pages and token panels without changing anything
version_added: 0.1.0
description:
  - Logs in to the device, reads its SMTP and POP pages and logs out. It posts nothing but the login
    form and the logout (the page's [Logout] control), presses no other control (but [Connection Test] with
    O(verify_mail=true)) and saves no setting, also outside check mode.
  - Returns the model, the firmware version where a page shows one, the device profile, the pages found,
    both token panels and the OAuth settings, and which expectations of the profile the pages met
    (the login form by the device's login mode, the setting fields by their labels, the controls by their
    labels, the option texts, the token status labels) and which they did not.
  - Meant as a safe first contact with a printer model the collection does not know yet, or after a
    firmware update; with O(capture=true) it also returns a sanitized copy of every page read, which
    the playbook C(printfleet.mfp.probe) writes to files a user can attach to a support request.
  - Sets no facts. A login refused by the device, an unknown model (without O(mfp_profile)) or a
    device that cannot be reached fails the task; pages that do not meet their profile do not (see
    RV(expectations)), and a failed task still returns what was read, with RV(capture).
author:
  - printfleet.mfp maintainers (@printfleet)
extends_documentation_fragment:
  - printfleet.mfp._connection
  - printfleet.mfp._attributes
attributes:
  check_mode:
    support: full
    details:
      - The module only reads, so check mode changes nothing in what it does.
  diff_mode:
    support: N/A
    details:
      - The module changes nothing, so there is no diff.
  facts:
    description: Action returns an C(ansible_facts) dictionary that will update existing host facts.
    support: none
    details:
      - The OAuth settings are returned as RV(oauth), not set as C(ansible_facts.mfp_oauth).
  idempotent:
    description: Running twice reports no change.
    support: full
    details:
      - It never reports a change.
options:
  capture:
    description:
      - Also return RV(capture), every request made and every page read, sanitized.
      - Replaced by placeholders that say what was there and how long it was, never what it said
        (C(masked-password-12)) are the values of password fields, of hidden fields whose name speaks of a
        token, session, key, code or password (C(token1), C(token2)), of the user name, password and account
        fields the profiles name, the session cookies (C(MFPSESSIONID)), the user code in the token panel,
        the query strings of absolute URLs (a verification URL's), URL parameters named like secrets,
        signed tokens (JWT) and long random strings, and the admin user name and password wherever they appear.
      - Mailbox account names and other e-mail addresses are personal data rather than secrets; they are
        replaced by placeholder addresses (C(account1@example.invalid)), the same address by the same placeholder,
        so that a reader still sees which pages share an account.
      - Model, server names, ports and other settings are kept; they are what a support request is about.
    type: bool
    default: false
  verify_mail:
    description:
      - Also press [Connection Test] on the SMTP page, with the form as the page shows it, and return the
        device's answer as RV(mail_verified). The device then connects to its saved mail server and
        authenticates with its saved settings (the token, or the saved password, as the page's password box
        stays empty, which keeps it); the test saves nothing, so this stays a read-only task, in check
        mode too.
      - The test uses the token as a scan to e-mail does, so the device refreshes it with the provider first;
        a token the provider refuses (revoked, expired) turns Invalid then, as it would at the next scan. The
        pages are read after the test, so the result shows the token as it is then, with the provider's reason.
      - A printer still on basic authentication (SMTP-AUTH) that passes now fails once its Exchange Online
        tenant switches basic authentication off (C(550 5.7.30), by default from the end of December 2026).
    type: bool
    default: false
    version_added: 0.2.0
notes:
  - Ansible's module guidelines put reading into C(_info) modules rather than a C(state=query), so the role
    C(printfleet.mfp.token_audit) reads through this module; P(printfleet.mfp.token_compliance#filter) judges its
    RV(oauth) as it judges the facts of a token query, and reports a printer whose pages the module could not
    read or understand as an error that names what was not understood, where a query fails with the first.
  - M(printfleet.mfp.mfp_oauth_token) keeps O(printfleet.mfp.mfp_oauth_token#module:state=query) for plays that
    want C(ansible_facts.mfp_oauth) set for their later tasks.
  - Five requests per device, as many as a token query makes (the login page, the login, the SMTP page, the POP page,
    the logout); a device whose login takes two steps ([Administrator Login] first) answers one more.
seealso:
  - module: printfleet.mfp.mfp_oauth_token
  - name: Supporting a new model
    description: From the probe's capture to a device profile.
    link: https://github.com/printfleet/printfleet.mfp/blob/main/docs/supporting-a-new-model.md
'''

EXAMPLES = r'''
- name: Read a printer without changing it
  printfleet.mfp.mfp_info:
  register: printer

- name: Show what was found
  ansible.builtin.debug:
    msg: >-
      {{ printer.model }} (profile {{ printer.profile }}):
      token {{ printer.tokens.smtp.label | default('not read') }};
      {{ printer.expectations | rejectattr('held') | map(attribute='check') | list }} did not hold

- name: Read a printer and keep a sanitized copy of its pages
  printfleet.mfp.mfp_info:
    capture: true
  register: probed

- name: Write the capture to a file on the controller
  ansible.builtin.copy:
    content: "{{ probed.capture | to_nice_json }}"
    dest: "/tmp/capture-{{ inventory_hostname }}.json"
    mode: "0600"
  delegate_to: localhost
'''

RETURN = r'''
model:
  description: The model name the login page shows; V(null) when it shows none.
  returned: always
  type: str
  sample: BP-C131PW
firmware_version:
  description: The firmware version, when one of the pages read shows it; else V(null).
  returned: always
  type: str
  sample: "05.02.B1"
language:
  description: The UI language of the pages (C(<html lang>)).
  returned: always
  type: str
  sample: en
profile:
  description: The device profile used, detected from the model or given with O(mfp_profile); V(null) when none.
  returned: always
  type: str
  sample: bp_classic
profile_source:
  description: V(detected) from the model on the login page, or V(given) with O(mfp_profile).
  returned: always
  type: str
  choices: [detected, given]
  sample: detected
pages:
  description: The pages the module looked for, C(login), C(smtp) and C(pop), and what it found.
  returned: always
  type: dict
  contains:
    path:
      description: The page's path.
      type: str
      sample: /nw_service_smtp.html
    read:
      description: Whether the page was read.
      type: bool
      sample: true
    title:
      description: The page's title.
      type: str
      sample: SMTP - BP-C131PW
    error:
      description: Why a page could not be read after the login; else V(null).
      type: str
      sample: mfp1 answered GET /sys_email_status_special.html with HTTP 404.
  sample:
    login: {path: /login.html, read: true, title: Login - BP-C131PW, error: null}
    smtp: {path: /nw_service_smtp.html, read: true, title: SMTP - BP-C131PW, error: null}
    pop: {path: /sys_email_status_special.html, read: true, title: E-mail Status - BP-C131PW, error: null}
tokens:
  description:
    - The token panel of the C(smtp) and C(pop) page, as RV(printfleet.mfp.mfp_oauth_token#module:token)
      describes it; V(null) for a page not read or not understood.
    - Both pages show the same token on models that share it.
  returned: always
  type: dict
  sample:
    smtp: {state: waiting_for_authorization, label: Waiting for Authorization, account: null, sign_in: device_code,
           user_code: F7K2QW9M, verification_uri: "https://login.microsoftonline.com/common/oauth2/deviceauth",
           sign_in_url: null, expires_at: "2026-11-27T10:15:00Z", message: null, provider_code: null, advice: null}
    pop: {state: invalid, label: Invalid, account: scan@contoso.example, sign_in: null, user_code: null,
          verification_uri: null, sign_in_url: null, expires_at: null,
          message: 'The token is no longer valid (AADSTS50173).', provider_code: AADSTS50173,
          advice: "the account's password was reset or its sessions revoked — run the roll-out to renew"}
oauth:
  description:
    - The token and OAuth settings of each page understood, C(smtp) and C(pop), in the shape of
      C(ansible_facts.mfp_oauth) as M(printfleet.mfp.mfp_oauth_token) sets it; V(null) when no page was understood.
    - A page not read or not understood has no entry (see RV(expectations)).
  returned: always
  type: dict
  sample:
    smtp: {state: invalid, label: Invalid, provider: microsoft, account: scan@contoso.example,
           token_account: scan@contoso.example, auth_method: oauth2,
           message: 'The token is no longer valid (AADSTS50173).', provider_code: AADSTS50173, sign_in: null}
    pop: {state: invalid, label: Invalid, provider: microsoft, account: scan@contoso.example,
          token_account: scan@contoso.example, auth_method: oauth2,
          message: 'The token is no longer valid (AADSTS50173).', provider_code: AADSTS50173, sign_in: null}
expectations:
  description: Each expectation of the profile, on which page, and whether it held.
  returned: always
  type: list
  elements: dict
  contains:
    page:
      description: V(login), V(smtp) or V(pop).
      type: str
      sample: smtp
    check:
      description: What was expected.
      type: str
      sample: fields present
    held:
      description: Whether the page met it.
      type: bool
      sample: false
    detail:
      description: What was found, or what was missing; V(null) when there is nothing to add.
      type: str
      sample: "missing: account (label 'Account Name' or field ggt_textbox(12))"
  sample:
    - {page: login, check: login page read, held: true, detail: Login - BP-C131PW}
    - {page: login, check: login accepted, held: true, detail: null}
    - {page: login, check: login form understood, held: true, detail: "administrator: role and password"}
    - {page: smtp, check: fields present, held: false, detail: "missing: account (label 'Account Name' or field ggt_textbox(12))"}
    - {page: smtp, check: controls present, held: true, detail: "[Logout(L)], [Submit(U)], [Get Token], [Delete], [Connection Test]"}
mail_verified:
  description:
    - With O(verify_mail=true), what [Connection Test] answered; else, or when the SMTP page was not read, V(null).
  returned: always
  type: dict
  contains:
    passed:
      description: Whether the device reported the test as passed.
      type: bool
      sample: false
    message:
      description: The device's result line without its C(ERROR[n]) code; the lab's firmware quotes the mail server.
      type: str
      sample: "Connection test failed. 550 5.7.30 Basic authentication is not supported for Client Submission"
  sample: {passed: true, message: "Connection test succeeded. 235 2.7.0 Authentication successful"}
expectations_held:
  description: Whether every expectation held. When not, the task also warns.
  returned: always
  type: bool
  sample: true
requests:
  description: Every request made, in order, as C(METHOD /path).
  returned: always
  type: list
  elements: str
  sample: [GET /login.html, POST /login.html, GET /nw_service_smtp.html, GET /sys_email_status_special.html,
           POST /sys_email_status_special.html]
capture:
  description: With O(capture=true), what was found and every request and answer, sanitized (see O(capture)).
  returned: when O(capture=true)
  type: dict
  contains:
    probe:
      description: RV(model), RV(firmware_version), RV(language), RV(profile), RV(profile_source), RV(pages),
        RV(tokens), RV(expectations) and RV(requests), sanitized.
      type: dict
    exchanges:
      description:
        - One entry per request, with C(request) (C(METHOD /path?query)), C(posted_fields) (the names of the
          fields posted, never their values; V(null) for a GET), C(status), C(headers) (C(Content-Type),
          C(Location), C(Server) and C(Set-Cookie), as name and value) and C(body) (the page as served).
      type: list
      elements: dict
  sample:
    probe: {model: BP-C131PW, profile: bp_classic, expectations_held: true}
    exchanges:
      - request: GET /login.html?/nw_service_smtp.html
        posted_fields: null
        status: 200
        headers: [[Content-Type, text/html; charset=utf-8]]
        body: '<input type="hidden" name="token2" value="masked-token2-80">'
      - request: POST /login.html?/nw_service_smtp.html
        posted_fields: [action, ggt_hidden(10008), ggt_select(10009), ggt_textbox(10003), ordinate, token2]
        status: 302
        headers: [[Location, /nw_service_smtp.html], [Set-Cookie, MFPSESSIONID=masked-cookie-43; Path=/; Secure]]
        body: ''
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import module_kwargs
from ansible_collections.printfleet.mfp.plugins.module_utils._runner import run_module


def main():
    module = AnsibleModule(supports_check_mode=True, **module_kwargs('mfp_info'))
    run_module(module, 'mfp_info')


if __name__ == '__main__':
    main()
