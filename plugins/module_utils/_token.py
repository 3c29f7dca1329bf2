# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shared OAuth token as the pages show it, and the facts every module sets."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from collections.abc import Mapping

from ansible_collections.printfleet.mfp.plugins.module_utils import _profiles as profiles
from ansible_collections.printfleet.mfp.plugins.module_utils._errors import MfpError
from ansible_collections.printfleet.mfp.plugins.module_utils._provider_reasons import advice, provider_code

NOT_OBTAINED = 'not_obtained'
WAITING = 'waiting_for_authorization'
OBTAINED = 'obtained'
INVALID = 'invalid'
# Every state, as each language's table names them.
STATES = frozenset(profiles.LANGUAGES['en']['token_states'].values())
# `message`: the device's message about the token's last failure, as shown; `provider_code`: the
# provider's code in it (AADSTS50173); `sign_in`: how a pending sign-in is done (DEVICE_CODE, BROWSER).
FACT_KEYS = ('state', 'label', 'provider', 'account', 'token_account', 'auth_method', 'message', 'provider_code',
             'sign_in')
# How a pending sign-in is done: a user code entered at the verification URL (device code flow), or
# the sign-in address opened in a browser, which the provider sends back to the device (browser).
DEVICE_CODE = 'device_code'
BROWSER = 'browser'


def token_info(page):
    """The token panel of a settings page."""
    label = page.text('token_status')
    if label is None:
        raise MfpError('The device page shows no token status (tokenStatus).')
    user_code, sign_in_url = page.text('user_code'), page.text('sign_in_url')
    message = page.text('token_message')
    code = provider_code(message)
    return {
        'state': profiles.token_state(page.lang, label),
        'label': label,
        'account': page.text('token_account'),
        'sign_in': DEVICE_CODE if user_code else BROWSER if sign_in_url else None,
        'user_code': user_code,
        'verification_uri': page.text('verification_uri'),
        'sign_in_url': sign_in_url,
        'expires_at': page.text('expires_at'),
        'message': message,
        'provider_code': code,
        'advice': advice(code),
    }


def sign_in_instructions(token, account):
    """What the person does for a pending sign-in, in one sentence."""
    if token['sign_in'] == BROWSER:
        return 'Open %s in a browser and sign in as %s (before %s)' % (
            token['sign_in_url'], account, token['expires_at'])
    return 'Sign in at %s with the code %s (valid until %s)' % (
        token['verification_uri'], token['user_code'], token['expires_at'])


def deleted_token(lang):
    """The token panel as [Delete] leaves it, in the page's language: what check mode reports."""
    return _panel(NOT_OBTAINED, profiles.token_label(lang, NOT_OBTAINED), None)


def waiting_token(lang):
    """The token panel as [Get Token] leaves it, before the device shows the code: what check mode reports."""
    return _panel(WAITING, profiles.token_label(lang, WAITING), None)


def _panel(state, label, account):
    """A token panel without a pending sign-in or message."""
    return {'state': state, 'label': label, 'account': account, 'sign_in': None, 'user_code': None,
            'verification_uri': None, 'sign_in_url': None, 'expires_at': None, 'message': None,
            'provider_code': None, 'advice': None}


def page_view(profile, service, page):
    """The settings and token panel a page shows, as oauth_facts takes them."""
    return profiles.read_settings(profile, service, page), token_info(page)


def planned_view(service, view, planned):
    """The page as the earlier tasks of a check-mode run would have left it.

    Nothing was written in check mode, so a page still shows what an earlier task only planned: an
    account change, a [Delete], OAuth 2.0 selected. Their facts (`planned`, the host's
    `mfp_oauth`) carry that plan; without it a later task would plan the same change again, or
    refuse [Get Token] for an authentication method the run would have switched.
    """
    shown = planned.get(service) if planned else None
    if not isinstance(shown, Mapping) or shown.get('state') not in STATES:
        return view
    settings, token = view
    settings = dict(settings, provider=shown.get('provider') or settings['provider'],
                    account=shown.get('account') or '')
    if shown.get('auth_method'):
        settings['auth_method'] = shown['auth_method']
    if (shown['state'], shown.get('token_account')) != (token['state'], token['account']):
        token = _panel(shown['state'], shown.get('label'), shown.get('token_account'))
    return settings, token


def oauth_facts(profile, views):
    """`ansible_facts` for both services from the settings pages read.

    `views`: service -> (settings, token) of each page read (in check mode, as they would be).
    Where the profile shares one credential, the token panel, provider and account are one setting
    that both pages show, so one page gives them for both services; the authentication method of a
    service whose page was not read is unknown here (None). Where POP's credential is independent,
    nothing of a page not read is known (all None). The action plugin fills in what it can from
    the host's earlier facts.
    """
    facts = {}
    for service in profiles.SERVICES:
        if service not in views and not profiles.shares_credential(profile):
            facts[service] = dict.fromkeys(FACT_KEYS)
            continue
        shown = service if service in views else next(iter(views))
        settings, token = views[shown]
        facts[service] = {
            'state': token['state'],
            'label': token['label'],
            'provider': settings['provider'],
            'account': settings['account'] or None,
            'token_account': token['account'],
            'auth_method': settings['auth_method'] if shown == service else None,
            'message': token['message'],
            'provider_code': token['provider_code'],
            'sign_in': token['sign_in'],
        }
    return {'mfp_oauth': facts}


def completed_facts(facts, known):
    """Fill in, in place, what a task could not know of a page it did not read from `known`, the host's
    earlier `mfp_oauth` facts (None: nothing known).

    A task reads only the page it acts on (a request budget). Where the token panel, provider and
    account are shared, the other page's authentication method is the one thing it cannot know;
    where POP's credential is independent, it knows nothing of the other page.
    """
    if known is None:
        return facts
    for service, shown in facts.items():
        earlier = known.get(service)
        if not isinstance(earlier, Mapping):
            continue
        if shown.get('state') is None:   # a page not read whose credential is its own: as earlier tasks saw it
            shown.update((key, earlier.get(key)) for key in shown)
        elif shown.get('auth_method') is None:
            shown['auth_method'] = earlier.get('auth_method')
    return facts


def same_account(one, other):
    # Providers may return the account in another case than it was typed.
    return (one or '').casefold() == (other or '').casefold()


def issued_for(token, account):
    """Whether the token was issued for `account`.

    A firmware that does not show whom a token was issued for (no tokenAccount row) gets the
    benefit of the doubt: its token was requested for the account on its page, and deleting it on
    every run would make no task idempotent.
    """
    return token['account'] is None or same_account(token['account'], account)
