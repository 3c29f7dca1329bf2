# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""mfp_mail_oauth: a printer's OAuth 2.0 mail in one admin session: the SMTP page, the POP page, [Get Token].

The steps are those of mfp_smtp, mfp_pop and mfp_oauth_token (apply_settings, bring_token), chained as
tasks of those modules would be, through the facts each step leaves (in check mode: the plan of the
steps before), but with one login and each page read once: a printer that needs nothing costs the
login, its two pages and the logout.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.printfleet.mfp.plugins.module_utils import _profiles as profiles
from ansible_collections.printfleet.mfp.plugins.module_utils._arguments import oauth_page
from ansible_collections.printfleet.mfp.plugins.module_utils._errors import MfpError
from ansible_collections.printfleet.mfp.plugins.module_utils._oauth_token import bring_token
from ansible_collections.printfleet.mfp.plugins.module_utils._session import Session
from ansible_collections.printfleet.mfp.plugins.module_utils._settings import apply_settings, masked_diff
from ansible_collections.printfleet.mfp.plugins.module_utils._token import (
    OBTAINED, WAITING, completed_facts, oauth_facts, page_view, same_account,
)

# What a printer's status keeps of each token panel.
PANEL_KEYS = ('state', 'label', 'account', 'sign_in', 'user_code', 'verification_uri', 'sign_in_url', 'expires_at',
              'message', 'provider_code', 'advice')


def page_params(service, params):
    """The options of mfp_smtp or mfp_pop that set the page of `service` to OAuth 2.0 as `params` declare."""
    return dict(oauth_page(service, params[service]), provider=params['provider'], account=params['account'],
                update_password='on_create', keep_token=False)


def run_mail_oauth(params, check_mode, diff_mode, planned=None):
    services = profiles.SERVICES if params['pop'] is not None else ('smtp',)
    with Session(params) as session:
        if params['state'] == 'query':
            result = _query(session, services, params['account'])
        else:
            result = _present(session, services, params, check_mode, diff_mode, planned)
        result['warnings'] = session.warnings
    return result


def _query(session, services, account):
    pages = dict((service, session.open(service) if service == 'smtp' else session.read(service))
                 for service in services)
    views = dict((service, page_view(session.profile, service, page)) for service, page in pages.items())
    return {'changed': False, 'actions': dict((service, []) for service in services),
            'status': status(session.profile, dict((service, view[1]) for service, view in views.items()), account),
            'ansible_facts': oauth_facts(session.profile, views)}


def _present(session, services, params, check_mode, diff_mode, planned):
    # The facts as the steps so far leave the printer (in check mode: as they would), from which the next
    # step plans in check mode, and each token's [Get Token] is decided.
    facts, panels, settings, actions, diffs = planned, {}, {}, {}, {}
    changed = False
    page = session.open('smtp')
    pages = {}
    for service in services:
        page = page if service == 'smtp' else session.read(service)
        step, page = apply_settings(session, service, page, page_params(service, params), check_mode, diff_mode,
                                    facts if check_mode else None)
        facts = completed_facts(step['ansible_facts']['mfp_oauth'], facts)
        changed = _note(step, changed, pages, service, page, check_mode)
        panels[service], settings[service] = step['token'], step['settings']
        actions[service] = ['delete'] if step['token_deleted'] else []
        if diff_mode:
            diffs[service] = step['diff']
    shared = profiles.shares_credential(session.profile)
    for service in ('smtp',) if shared else services:
        if not params['get_token'] or not _needs_token(facts[service], params['account']):
            continue
        page = pages.get(service) or session.read(service)
        try:
            step, page = bring_token(session, service, page, _token_params(service, params), check_mode, diff_mode,
                                     facts if check_mode else None)
        except MfpError as error:
            if error.details.get('token_on_web') is False:   # a panel-only model: the status says what to do
                continue
            raise
        facts = completed_facts(step['ansible_facts']['mfp_oauth'], facts)
        changed = _note(step, changed, pages, service, page, check_mode)
        panels[service] = step['token']
        if shared and 'pop' in panels:   # one token: SMTP's [Get Token] got POP's too
            panels['pop'] = step['token']
        actions[service].extend(step['actions'])
        if diff_mode:
            diffs[service]['after'].update(token_state=step['diff']['after']['token_state'])
    result = {'changed': changed, 'settings': settings, 'actions': actions,
              'status': status(session.profile, panels, params['account']),
              'ansible_facts': {'mfp_oauth': facts}}
    if diff_mode:
        result['diff'] = masked_diff(dict((service, diff['before']) for service, diff in diffs.items()),
                                     dict((service, diff['after']) for service, diff in diffs.items()))
    return result


def _note(step, changed, pages, service, page, check_mode):
    """Whether the steps so far changed the printer; `pages` keeps the pages still as the printer shows them."""
    if step['changed'] and not check_mode:
        pages.clear()   # a save or button may change the other page too (a shared credential)
    pages[service] = page
    return changed or step['changed']


def _token_params(service, params):
    return dict(service=service, state='present', provider=params['provider'], account=params['account'],
                force=params['force'], wait=False)


def _needs_token(fact, account):
    """Whether [Get Token] is still to press for a token the facts show: neither Obtained for the account nor
    waiting for a sign-in (pressing again would void the code a person may be typing in)."""
    return fact['state'] != WAITING and not (fact['state'] == OBTAINED and same_account(fact['token_account'], account))


def status(profile, panels, account):
    """What the mail_oauth role keeps of a printer (its sign-in list, its wait), from the token panels.

    `panels`: SMTP's, and POP's where the task sets the POP page. The result is SMTP's panel with
    `smtp_token` (the same, with `authorized`: Obtained for `account`), `pop_token` (POP's, where the
    POP page keeps a token of its own, as on A3 models; else None), `expected_account`, `panel_only`
    (a token is missing and the web page cannot obtain
    one: a person does it on the control panel), `authorized` (every token it needs is) and
    `waiting` (a token waits for a sign-in the web page shows a code or address for).
    """
    smtp = _token_status(panels['smtp'], account)
    # Where POP shares SMTP's credential, its page shows SMTP's token: one token, one sign-in.
    pop = (_token_status(panels['pop'], account) if panels.get('pop') and not profiles.shares_credential(profile)
           else None)
    authorized = smtp['authorized'] and (pop is None or pop['authorized'])
    panel_only = not profiles.PROFILES[profile]['token_on_web'] and not authorized
    return dict(smtp, expected_account=account, smtp_token=smtp, pop_token=pop, panel_only=panel_only,
                authorized=authorized, waiting=not panel_only and WAITING in (smtp['state'], (pop or {}).get('state')))


def _token_status(panel, account):
    return dict(((key, panel[key]) for key in PANEL_KEYS),
                authorized=panel['state'] == OBTAINED and same_account(panel['account'], account))
