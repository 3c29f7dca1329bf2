# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Registered results of mfp_oauth_token state=query, as printers of a fleet give them."""

from __future__ import annotations

from ansible_collections.printfleet.mfp.plugins.filter.token_compliance import token_compliance

SCAN = 'scan@contoso.example'
ADMIN_PASSWORD = 'Admin-Secret-1'
MAIL_PASSWORD = 'Mail-Secret-2'


# The token panel of a printer waiting for authorization.
SIGN_IN = {'user_code': 'F7K2QW9M', 'verification_uri': 'https://login.microsoftonline.com/common/oauth2/deviceauth',
           'expires_at': '2026-11-27T10:15:00Z'}
# A browser sign-in's panel: the address to open, no code.
BROWSER_SIGN_IN = {'sign_in': 'browser', 'expires_at': '2026-11-27T10:15:00Z',
                   'sign_in_url': 'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=6f1c'
                                  '&response_type=code&state=Zs1Q&code_challenge=E9Me&code_challenge_method=S256'}


# The token message of a printer whose refresh the provider refused (password reset), in Swedish.
REVOKED_SV = ('Token är inte längre giltig (AADSTS50173).', 'AADSTS50173')


def queried(state='obtained', label='Obtained', account=SCAN, token_account=SCAN, provider='microsoft',
            smtp_auth='oauth2', pop_auth='oauth2', sign_in=None, message=(None, None)):
    """A successful query: both pages show the shared credential, each its own auth method.
    `message`: the device's token message and the provider's code in it."""
    shown, code = message

    def page(auth_method):
        return {'state': state, 'label': label, 'provider': provider, 'account': account,
                'token_account': token_account, 'auth_method': auth_method, 'message': shown, 'provider_code': code}
    return {
        'changed': False,
        'actions': [],
        'token': {'state': state, 'label': label, 'account': token_account, 'user_code': None,
                  'verification_uri': None, 'expires_at': None, 'message': shown, 'provider_code': code,
                  'advice': None, **(sign_in or {})},
        'ansible_facts': {'mfp_oauth': {'smtp': page(smtp_auth), 'pop': page(pop_auth)}},
    }


def failed(msg):
    return {'failed': True, 'msg': msg, 'changed': False}


def unreachable(msg):
    """A device that did not answer, registered with ignore_unreachable."""
    return {'unreachable': True, 'msg': msg, 'changed': False}


def row(host, result, **policy):
    """One report row, as the role builds it."""
    return {'host': host, 'address': '192.0.2.%d' % (len(host) % 250), **token_compliance(result, **policy)}


def fleet():
    """A fleet in the states a real one is found in, in English and Swedish."""
    return [
        row('mfp-hq-01', queried()),
        row('mfp-hq-02', queried(state='not_obtained', label='Not Obtained', token_account=None,
                                 smtp_auth='smtp_auth', pop_auth='plain')),
        row('mfp-hq-04', queried(account='old-scan@contoso.example', token_account='old-scan@contoso.example'),
            expected_account=SCAN),
        row('mfp-sto-05', queried(state='invalid', label='Ogiltig', message=REVOKED_SV)),
        row('mfp-sto-06', queried(state='waiting_for_authorization', label='Väntar på auktorisering',
                                  token_account=None, sign_in=SIGN_IN)),
        row('mfp-sto-01', queried(label='Hämtad')),
        row('mfp-hq-06', unreachable('Cannot reach the device at https://192.0.2.6:443 (GET /login.html): '
                                     'Connection refused')),
        row('mfp-hq-07', failed('Login to mfp-hq-07 failed: Login failed. Check the login name and password.')),
    ]
