# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleet token audit: what every report shows of an audit row (one row per printer).

A row is the output of the token_compliance filter plus C(host) (and optionally C(address)):
status, reasons, and the token facts of SMTP and POP as the device showed them.
"""

from __future__ import annotations

import datetime

STATUSES = ('compliant', 'noncompliant', 'unreachable', 'error')

# The manual's names of the four token states. A printer whose token was not read is `unknown`.
STATE_NAMES = {
    'obtained': 'Obtained',
    'waiting_for_authorization': 'Waiting for authorization',
    'not_obtained': 'Not obtained',
    'invalid': 'Invalid',
}
UNKNOWN = 'unknown'
# Google's documented limit of live refresh tokens per Google Account per OAuth 2.0 client ID
# (https://developers.google.com/identity/protocols/oauth2, "Refresh token expiration").
GOOGLE_REFRESH_TOKEN_CAP = 100
STATES = tuple(STATE_NAMES) + (UNKNOWN,)

# The only keys a report takes from the device facts: nothing else can leak into a report.
SERVICE_KEYS = ('state', 'label', 'provider', 'account', 'token_account', 'auth_method', 'message', 'provider_code')

COLUMNS = ('host', 'address', 'status', 'token_state', 'token_label', 'token_account', 'token_message',
           'provider_code', 'provider', 'account', 'smtp_auth_method', 'pop_auth_method', 'mail_verified', 'reasons',
           'sign_in', 'sign_in_address', 'user_code')


def state_text(state, label=None):
    """The state in the manual's words, with the device's own label when it says it otherwise."""
    name = STATE_NAMES.get(state, 'Unknown')
    if label and label.casefold() != name.casefold():
        return '%s (%s)' % (name, label)
    return name


def credential(row):
    """The shared OAuth credential (token, provider, account) as the row's pages show it."""
    return row.get('smtp') or row.get('pop') or {}


def token_text(row, unread):
    """The row's token state as state_text() says it, or `unread` when the device was not read."""
    shown = credential(row)
    return state_text(shown.get('state'), shown.get('label')) if shown else unread


def token_state(row):
    state = credential(row).get('state')
    return state if state in STATE_NAMES else UNKNOWN


def generated_at():
    """The time of a report: now, in UTC, as ISO 8601 to the second."""
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def sign_in_text(row):
    """What a waiting printer's sign-in asks of the person, in a few words; '' when there is none."""
    sign_in = row.get('sign_in') or {}
    if sign_in.get('sign_in_url'):
        return 'open %s in a browser' % sign_in['sign_in_url']
    if sign_in.get('user_code'):
        return 'code %s at %s' % (sign_in['user_code'], sign_in.get('verification_uri'))
    return ''


def flat(row):
    """The row as COLUMNS of text, for tables and CSV."""
    shared = credential(row)
    sign_in = row.get('sign_in') or {}
    return {
        'host': _text(row.get('host')),
        'address': _text(row.get('address')),
        'status': _text(row.get('status')),
        'token_state': token_state(row),
        'token_label': _text(shared.get('label')),
        'token_account': _text(shared.get('token_account')),
        'token_message': _text(shared.get('message')),
        'provider_code': _text(shared.get('provider_code')),
        'provider': _text(shared.get('provider')),
        'account': _text(shared.get('account')),
        'smtp_auth_method': _text((row.get('smtp') or {}).get('auth_method')),
        'pop_auth_method': _text((row.get('pop') or {}).get('auth_method')),
        'mail_verified': mail_verified(row),
        'reasons': '; '.join(_text(reason) for reason in row.get('reasons') or ()),
        # A waiting printer's sign-in: device_code (user_code at the verification URL) or browser (the address alone).
        'sign_in': _text(sign_in.get('kind')),
        'sign_in_address': _text(sign_in.get('sign_in_url') or sign_in.get('verification_uri')),
        'user_code': _text(sign_in.get('user_code')),
    }


def mail_verified(row):
    """`yes` or `no` after the printer's Connection Test (the audit's verify option); empty when not tested."""
    tested = row.get('mail_verified')
    if not tested:
        return ''
    return 'yes' if tested.get('passed') else 'no'


def mail_answer(row):
    """What the printer answered to its Connection Test (it quotes the mail server); empty when not tested."""
    return _text((row.get('mail_verified') or {}).get('message'))


def mail_tested(rows):
    """Whether the audit verified mail on any printer: the table and the page then show a column for it."""
    return any(row.get('mail_verified') for row in rows)


def summary(rows, google_refresh_token_cap=GOOGLE_REFRESH_TOKEN_CAP):
    """How many printers there are, per compliance status and per token state, and the warnings about the fleet
    as a whole (shared_google_accounts)."""
    by_status = dict.fromkeys(STATUSES, 0)
    by_state = dict.fromkeys(STATES, 0)
    for row in rows:
        by_status[row['status']] += 1
        by_state[token_state(row)] += 1
    return {'hosts': len(rows), 'status': by_status, 'token_state': by_state,
            'warnings': shared_google_accounts(rows, google_refresh_token_cap)}


def shared_google_accounts(rows, cap=GOOGLE_REFRESH_TOKEN_CAP):
    """A warning for each Google account that `cap` printers or more are set to: each printer holds one live
    refresh token of the account for the printers' OAuth client, and Google ends the oldest past the cap,
    silently. One row per printer; every audit path (the role's, a fleet-wide task's) calls this."""
    printers = {}
    for row in rows:
        shown = credential(row)
        if shown.get('provider') == 'google' and shown.get('account'):
            account = shown['account'].lower()
            printers[account] = printers.get(account, 0) + 1
    return ['%d printers share google account %s: Google keeps at most %d live tokens per account and OAuth '
            "client; past that the oldest printers' tokens stop working silently" % (count, account, cap)
            for account, count in sorted(printers.items()) if count >= cap]


def _text(value):
    return '' if value is None else str(value)
