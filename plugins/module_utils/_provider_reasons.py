# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The provider's reason a token failed, as the device's token message shows it, in words an administrator acts on.

A printer shows the provider's code in its token message, in any UI language ("The token is no
longer valid (AADSTS50173).", "Token är inte längre giltig (AADSTS50173)."): the code is read
from the message, never the words around it. The one table of what each code means and what to do
is REASONS; docs/troubleshooting.md tells the same.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
from collections import namedtuple

# Entra's codes as the messages carry them (AADSTS and digits).
_CODE = re.compile(r'\bAADSTS\d+\b')

# `meaning` and `remedy` in an administrator's words; `blocked_by`: who must act before a new sign-in
# can succeed, None when the person signing in can. ACCOUNT: the account itself cannot sign in, so a
# renewal would erase the reason and leave a sign-in nobody can finish (the sign-in page refuses
# the person, the code expires). TENANT: the tenant refuses the printers' sign-ins; a renewal is
# refused again with the same code, which the device then shows.
Reason = namedtuple('Reason', 'meaning remedy blocked_by')
ACCOUNT = 'account'
TENANT = 'tenant'

_CONDITIONAL_ACCESS = ("an Entra administrator excludes the printers' application or mailbox accounts from the "
                       "Authentication flows (device code flow) policy, or the printers move to a model with browser "
                       "sign-in; the failed sign-in's Conditional Access tab in the sign-in logs names the policy")
_CODE_EXPIRED = Reason('the sign-in code expired (after 15 minutes) before anyone signed in with it',
                       'run the roll-out again for a new code and sign in sooner, or let the roll-out wait '
                       '(mail_oauth_token_wait)', None)

# Microsoft Entra ID's codes a printer's sign-in or token refresh meets
# (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
REASONS = {
    # A refresh refused: the token turns Invalid.
    'AADSTS50173': Reason("the account's password was reset or its sessions revoked",
                          'run the roll-out to renew', None),
    'AADSTS700082': Reason('the token went unused for 90 days and expired',
                           'run the roll-out to renew; audit printers that rarely send mail regularly', None),
    'AADSTS70043': Reason("a Conditional Access sign-in frequency policy ended the token",
                          "run the roll-out to renew; exclude the printers' mailbox accounts from the sign-in "
                          'frequency policy, or the token ends again as often', None),
    'AADSTS50057': Reason('the account is disabled in Entra ID',
                          'an Entra administrator enables the account, or the printers are set to another account',
                          ACCOUNT),
    'AADSTS50055': Reason("the account's password expired",
                          'run the roll-out to renew; the person sets a new password at the sign-in', None),
    'AADSTS50053': Reason('the account is locked after repeated failed sign-ins, or sign-ins from its address '
                          'are blocked',
                          'wait until the lock ends (the sign-in logs name the cause), then run the roll-out to '
                          'renew', None),
    'AADSTS65001': Reason("nobody has consented to the printers' application (consent withdrawn, or the tenant "
                          'allows admin consent only)',
                          "an Entra administrator grants admin consent for the printers' application, then run the "
                          'roll-out to renew', None),
    'AADSTS50076': Reason('multi-factor authentication is now required for the account',
                          'run the roll-out to renew; the person signs in with multi-factor authentication', None),
    'AADSTS50079': Reason('the account must register for multi-factor authentication',
                          "register the account's security info, then run the roll-out to renew and sign in with "
                          'multi-factor authentication', None),
    # A sign-in refused: the token stays (or falls back to) Not obtained.
    'AADSTS53003': Reason("the tenant's Conditional Access blocks device code sign-in (or another Conditional Access "
                          'policy blocks tokens for the printers)', _CONDITIONAL_ACCESS, TENANT),
    'AADSTS53000': Reason('a Conditional Access policy requires a compliant device, which a printer cannot be',
                          "an Entra administrator excludes the printers' application or mailbox accounts from that "
                          'policy', TENANT),
    'AADSTS50097': Reason('a Conditional Access policy requires device authentication, which a printer cannot do',
                          "an Entra administrator excludes the printers' application or mailbox accounts from that "
                          'policy', TENANT),
    'AADSTS7000218': Reason("the printers' application is not registered as a public client",
                            "in the application's registration, Authentication, allow public client flows (for a "
                            "vendor's application, the vendor fixes it)", TENANT),
    'AADSTS700016': Reason("the printers' application is not known in the tenant",
                           "an Entra administrator adds the printers' application to the tenant (admin consent); "
                           "check the printer's provider setting", TENANT),
    'AADSTS70000': Reason('the sign-in was declined, or its code was not valid',
                          'run the roll-out again and accept the sign-in as the mailbox account', None),
    # Entra answers an expired device code with 70020; its reference names 70019 (CodeExpired), which
    # the lab answered until issue 11: both read the same.
    'AADSTS70020': _CODE_EXPIRED,
    'AADSTS70019': _CODE_EXPIRED,
    'AADSTS50126': Reason('a wrong user name or password was entered at the sign-in page',
                          'run the roll-out again and sign in with the right password', None),
    'AADSTS50020': Reason("the account that signed in is from another tenant than the printers' account",
                          'run the roll-out again and sign in as the mailbox account', None),
}


def provider_code(message):
    """The provider's code a token message shows (AADSTS50173), or None."""
    found = _CODE.search(message or '')
    return found.group(0) if found else None


def advice(code):
    """What the code means and what to do ("the account is disabled in Entra ID — an Entra
    administrator enables ..."), or None for a code the table does not know."""
    reason = REASONS.get(code)
    return '%s — %s' % (reason.meaning, reason.remedy) if reason else None


def blocked_by(code):
    """Who must act before a new sign-in can succeed (ACCOUNT, TENANT), or None: the person signing in can,
    or the code is not one the table knows."""
    reason = REASONS.get(code)
    return reason.blocked_by if reason else None


def explained(message):
    """The device's message, without its full stop, with what its code means and what to do; None without one."""
    if not message:
        return None
    shown = message.rstrip('. ')   # a sentence of its own in the messages that quote it
    known = advice(provider_code(message))
    return '%s: %s' % (shown, known) if known else shown
