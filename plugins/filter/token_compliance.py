# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: token_compliance
short_description: Judge a printer's OAuth 2.0 mail settings and token against a policy
version_added: 0.1.0
author:
  - printfleet.mfp contributors
description:
  - Takes the registered result of M(printfleet.mfp.mfp_info) (or of M(printfleet.mfp.mfp_oauth_token) with
    O(printfleet.mfp.mfp_oauth_token#module:state=query)) and says whether the printer complies with the policy,
    with a reason for each finding.
  - A result that Ansible marked unreachable (the modules report a device that does not answer that way)
    gives V(unreachable); a failed one (a wrong admin password, a TLS error, ...) gives V(error). The
    task's message is the reason.
  - A result of M(printfleet.mfp.mfp_info) with a page it could not read, or whose options or token status
    its profile does not understand (a firmware update, say), gives V(error), with what was not understood.
  - "The OAuth credential (provider, account, token) is shared by the SMTP and POP pages on most models, so a
    finding about it is reported once even though both pages show it. Where the pages show different
    credentials (A3 models, whose POP page has its own provider, account and token), each finding about
    one of them names its page (C(POP: token is Waiting for authorization))."
  - >-
    A finding about the token's state carries the provider's reason the device shows, with what its code
    means and what to do (C(token is Invalid: The token is no longer valid (AADSTS50173\): the account's
    password was reset or its sessions revoked — run the roll-out to renew)); the code is read from the
    device's message in any UI language.
  - The result of the filter, with C(host) added, is one row of the reports made by
    P(printfleet.mfp.token_audit_csv#filter), P(printfleet.mfp.token_audit_junit#filter),
    P(printfleet.mfp.token_audit_html#filter) and P(printfleet.mfp.token_audit_table#filter).
options:
  _input:
    description:
      - The registered result of M(printfleet.mfp.mfp_info), or of M(printfleet.mfp.mfp_oauth_token) with
        O(printfleet.mfp.mfp_oauth_token#module:state=query).
    type: dict
    required: true
  require_oauth2:
    description: SMTP and POP must both use the OAuth 2.0 authentication method.
    type: bool
    default: true
  require_obtained:
    description:
      - The token must be Obtained (not Not obtained or Waiting for authorization).
      - With V(false), a token not obtained yet or waiting for a sign-in is accepted, for an audit of the
        settings during a roll-out. An Invalid token never is, as the printer cannot send or read mail
        until it is deleted and obtained again; nor is a token whose sign-in the provider refused for a reason
        a new sign-in does not get past (C(AADSTS53003), the tenant's Conditional Access blocks device code
        sign-in).
    type: bool
    default: true
  expected_provider:
    description: The OAuth provider the device must be set to. Not checked when not given.
    type: str
    choices: [microsoft, google]
  expected_account:
    description:
      - The OAuth account (e-mail address) the device must be set to. Not checked when not given.
      - Compared without regard to case, as the providers do.
    type: str
seealso:
  - module: printfleet.mfp.mfp_info
  - module: printfleet.mfp.mfp_oauth_token
  - plugin: printfleet.mfp.token_audit_summary
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Read the token of each printer
  printfleet.mfp.mfp_info:
  register: token_query
  ignore_errors: true
  ignore_unreachable: true

- name: Judge it
  ansible.builtin.set_fact:
    token_row: >-
      {{ token_query | printfleet.mfp.token_compliance(expected_provider='microsoft',
                                                       expected_account='scan@contoso.example')
         | combine({'host': inventory_hostname}) }}
  # token_row.status: noncompliant
  # token_row.reasons:
  #   - SMTP uses smtp_auth, not OAuth 2.0
  #   - "token is Invalid (Ogiltig): Token är inte längre giltig (AADSTS50173): the account's password was reset
  #     or its sessions revoked — run the roll-out to renew"
'''

RETURN = r'''
_value:
  description: The verdict and what the device showed.
  type: dict
  contains:
    status:
      description: The verdict.
      type: str
      choices: [compliant, noncompliant, unreachable, error]
      sample: noncompliant
    reasons:
      description:
        - One sentence per finding; empty when compliant.
        - For V(unreachable) and V(error), the message of the failed task.
      type: list
      elements: str
      sample: ["POP uses plain, not OAuth 2.0", "token issued for old@contoso.example but account is scan@contoso.example"]
    smtp:
      description:
        - The SMTP page's C(state), C(label), C(provider), C(account), C(token_account), C(auth_method),
          C(message) (the device's message about the token's last failure) and C(provider_code) (the provider's
          code in it), as in RV(printfleet.mfp.mfp_info#module:oauth) and C(ansible_facts.mfp_oauth.smtp); V(null)
          when the device was not read.
      type: dict
      sample: {state: invalid, label: Ogiltig, provider: microsoft, account: scan@contoso.example,
               token_account: scan@contoso.example, auth_method: oauth2,
               message: 'Token är inte längre giltig (AADSTS50173).', provider_code: AADSTS50173}
    pop:
      description: The same for the POP page.
      type: dict
    sign_in:
      description:
        - While a token waits for authorization, the sign-in to do, as the token panel shows it (the SMTP
          page's, else the POP page's where POP has a token of its own)
          (RV(printfleet.mfp.mfp_info#module:tokens), RV(printfleet.mfp.mfp_oauth_token#module:token)).
        - C(kind) V(device_code) has the C(user_code) to enter at C(verification_uri); C(kind) V(browser) has the
          C(sign_in_url) to open in a browser (the provider's sign-in page, which sends the browser back to the
          printer). Either before C(expires_at). The sign-in address is no secret (see
          RV(printfleet.mfp.mfp_oauth_token#module:sign_in_url)).
        - V(null) when there is no sign-in to do, or the device was not read.
      type: dict
      sample: {kind: device_code, user_code: F7K2QW9M, sign_in_url: null,
               verification_uri: "https://login.microsoftonline.com/common/oauth2/deviceauth",
               expires_at: "2026-11-27T10:15:00Z"}
    mail_verified:
      description:
        - What the printer's Connection Test answered (RV(printfleet.mfp.mfp_info#module:mail_verified), with
          O(printfleet.mfp.mfp_info#module:verify_mail=true)); a test that did not pass is also a finding.
        - V(null) when the mail was not verified.
      type: dict
      sample: {passed: false, message: "Connection test failed. 550 5.7.30 Basic authentication is not supported for Client Submission"}
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import SPECS
from ansible_collections.printfleet.mfp.plugins.module_utils._info import READING_CHECKS
from ansible_collections.printfleet.mfp.plugins.module_utils._provider_reasons import blocked_by, explained
from ansible_collections.printfleet.mfp.plugins.module_utils._token import same_account
from ansible_collections.printfleet.mfp.plugins.plugin_utils._token_audit import SERVICE_KEYS, state_text

SERVICE_NAMES = {'smtp': 'SMTP', 'pop': 'POP'}
SIGN_IN_KEYS = ('user_code', 'verification_uri', 'sign_in_url', 'expires_at')
# Exchange Online refuses basic authentication for client submission by default from then (550 5.7.30).
BASIC_AUTH_ENDS = (': still on basic authentication, which will fail when the tenant switches it off '
                   '(Exchange Online: by default from the end of December 2026)')
# What makes a page's OAuth credential: both pages show the same one unless POP has its own.
CREDENTIAL_KEYS = ('state', 'label', 'provider', 'account', 'token_account', 'message')


# What the modules accept as a provider; None: not checked.
PROVIDERS = (None,) + tuple(SPECS['mfp_oauth_token']['argument_spec']['provider']['choices'])


def token_compliance(result, require_oauth2=True, require_obtained=True, expected_provider=None,
                     expected_account=None):
    if not isinstance(result, dict):
        raise AnsibleFilterError('token_compliance expects the registered result of mfp_oauth_token, got %s'
                                 % type(result).__name__)
    if expected_provider not in PROVIDERS:
        raise AnsibleFilterError('token_compliance: expected_provider must be one of %s, not %r'
                                 % (', '.join(provider for provider in PROVIDERS if provider), expected_provider))
    if result.get('unreachable'):
        return not_read('unreachable', [result.get('msg') or 'The device did not answer.'])
    if result.get('failed'):
        return not_read('error', [result.get('msg') or 'The token query failed.'])
    misread = _misread(result)
    if misread:
        return not_read('error', misread)
    # mfp_info returns as `oauth` what mfp_oauth_token sets as facts.
    facts = (result.get('ansible_facts') or {}).get('mfp_oauth') or result.get('oauth')
    if not facts:
        return not_read('error', ['The token was not read: the task returned no ansible_facts.mfp_oauth.'])
    pages = {service: _page(facts.get(service)) for service in SERVICE_NAMES}
    read = [page for page in pages.values() if page]
    reasons = ['the %s page was not read' % SERVICE_NAMES[service] for service, page in pages.items() if not page]
    if require_oauth2:
        reasons += [_auth_finding(service, page) for service, page in pages.items() if page]
    # One credential shown on both pages is judged once; credentials of their own each with its page's name.
    shared = len(set(tuple(page[key] for key in CREDENTIAL_KEYS) for page in read)) <= 1
    for service, page in pages.items():
        if not page:
            continue
        findings = []
        if expected_provider:
            findings.append(_provider_finding(page, expected_provider))
        if expected_account:
            findings.append(_account_finding(page, expected_account))
        findings += [_state_finding(page, require_obtained), _token_account_finding(page)]
        reasons += [finding if shared else '%s: %s' % (SERVICE_NAMES[service], finding)
                    for finding in findings if finding]
    tested = result.get('mail_verified')
    if tested and not tested.get('passed'):
        reasons.append('mail not verified: %s' % tested.get('message'))
    reasons = _unique(reason for reason in reasons if reason)
    tokens = [result.get('token')] + [(result.get('tokens') or {}).get(service) for service in SERVICE_NAMES]
    pending = (token for token in tokens if token and (token.get('user_code') or token.get('sign_in_url')))
    return {'status': 'noncompliant' if reasons else 'compliant', 'reasons': reasons, **pages,
            'sign_in': _sign_in(next(pending, {})),
            'mail_verified': _mail_verified(tested)}


def not_read(status, reasons):
    """The verdict on a printer whose pages were not read or not judged: no page, no sign-in, no test."""
    return {'status': status, 'reasons': reasons, 'smtp': None, 'pop': None, 'sign_in': None, 'mail_verified': None}


def _mail_verified(tested):
    return {'passed': bool(tested.get('passed')), 'message': tested.get('message')} if tested else None


def _misread(result):
    """The pages an mfp_info result could not read or understand, in its words (a token query fails instead)."""
    reasons = []
    for service, name in SERVICE_NAMES.items():
        error = ((result.get('pages') or {}).get(service) or {}).get('error')
        if error:
            reasons.append('the %s page was not read: %s' % (name, error))
        reasons += ['the %s page was not understood: %s' % (name, check.get('detail') or check.get('check'))
                    for check in result.get('expectations') or ()
                    if check.get('page') == service and not check.get('held') and check.get('check') in READING_CHECKS]
    return reasons


def _page(service_facts):
    if not service_facts:
        return None
    return {key: service_facts.get(key) for key in SERVICE_KEYS}


def _sign_in(token):
    """The sign-in a waiting token needs, so that a report can ask for it without the device's page."""
    if not (token.get('user_code') or token.get('sign_in_url')):
        return None
    return dict(((key, token.get(key)) for key in SIGN_IN_KEYS), kind='browser' if token.get('sign_in_url') else 'device_code')


def _auth_finding(service, page):
    method = page['auth_method']
    if method == 'oauth2':
        return None
    finding = '%s uses %s, not OAuth 2.0' % (SERVICE_NAMES[service], 'no authentication' if method == 'none' else method)
    if service == 'smtp' and method == 'smtp_auth':
        finding += BASIC_AUTH_ENDS
    return finding


def _provider_finding(page, expected):
    if page['provider'] == expected:
        return None
    if not page['provider']:
        return 'no OAuth provider is set, expected %s' % expected
    return 'OAuth provider is %s, expected %s' % (page['provider'], expected)


def _account_finding(page, expected):
    if same_account(page['account'], expected):
        return None
    if not page['account']:
        return 'no OAuth account is set, expected %s' % expected
    return 'OAuth account is %s, expected %s' % (page['account'], expected)


def _state_finding(page, require_obtained):
    """The token's state, with the provider's reason the device shows: what it means and what to do.

    A token still to be signed in for is accepted during a roll-out (not `require_obtained`), unless
    the provider refused its sign-in for a reason a new one does not get past (Conditional Access, the
    account disabled).
    """
    state = page['state']
    if state == 'obtained' or (not require_obtained and state != 'invalid' and not blocked_by(page['provider_code'])):
        return None
    finding = 'token is %s' % state_text(state, page['label'])
    reason = explained(page['message'])
    return '%s: %s' % (finding, reason) if reason else finding


def _token_account_finding(page):
    """A token works only for the account it was issued for; changing the account does not delete it."""
    issued_for = page['token_account']
    if not issued_for or same_account(issued_for, page['account']):
        return None
    if not page['account']:
        return 'token issued for %s but no account is set' % issued_for
    return 'token issued for %s but account is %s' % (issued_for, page['account'])


def _unique(reasons):
    return list(dict.fromkeys(reasons))


class FilterModule:

    def filters(self):
        return {'token_compliance': token_compliance}
