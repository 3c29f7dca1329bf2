# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""mfp_oauth_token: bring the shared token to the declared state with [Get Token] and [Delete]."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.printfleet.mfp.plugins.module_utils import _profiles as profiles
from ansible_collections.printfleet.mfp.plugins.module_utils._errors import MfpError
from ansible_collections.printfleet.mfp.plugins.module_utils._provider_reasons import ACCOUNT, blocked_by, explained
from ansible_collections.printfleet.mfp.plugins.module_utils._session import Session
from ansible_collections.printfleet.mfp.plugins.module_utils._settings import masked_diff
from ansible_collections.printfleet.mfp.plugins.module_utils._token import (
    INVALID, NOT_OBTAINED, OBTAINED, WAITING, deleted_token, issued_for, oauth_facts, page_view, planned_view,
    same_account, sign_in_instructions, token_info, waiting_token,
)


def run_token(params, check_mode, diff_mode, planned=None):
    service = params['service']
    with Session(params) as session:
        result = bring_token(session, service, session.open(service), params, check_mode, diff_mode, planned)[0]
        result['warnings'] = session.warnings
    return result


def bring_token(session, service, page, params, check_mode, diff_mode, planned=None):
    """Bring the token `page` shows to the declared state in `session`: (the result, the page after)."""
    view = planned_view(service, page_view(session.profile, service, page), planned)
    settings, before = view
    wanted = {
        'provider': params['provider'] or settings['provider'],
        'account': params['account'] or settings['account'],
    }
    if params['state'] == 'present' and not (wanted['provider'] and wanted['account']):
        raise MfpError('No OAuth provider and account are set on the %s page: give provider and account.'
                       % service.upper())
    actions = _actions(params['state'], before, settings, wanted)
    if params['state'] == 'present' and not params['force']:
        _refuse_hopeless_renewal(before, settings, wanted)
    if 'get_token' in actions and not profiles.PROFILES[session.profile]['token_on_web']:
        raise MfpError(
            'The %s (profile %s) cannot obtain a token on its web page: its token is obtained on the control '
            'panel. Nothing was changed. On the printer\'s control panel, open the %s settings, check that they '
            'show provider %s and account %s, press [Get Token] and sign in as the panel shows; then run this '
            'task again (state=query reads the token state from the web page).'
            % (session.model or 'printer', session.profile, service.upper(), wanted['provider'],
               wanted['account']), token=before, token_on_web=False)
    if 'get_token' in actions and settings['auth_method'] != 'oauth2':
        refusal = ('The %s page uses %s, not OAuth 2.0, and [Get Token] needs OAuth 2.0 selected: set '
                   'auth_method oauth2 with mfp_%s first.' % (service.upper(), settings['auth_method'], service))
        if not check_mode:
            raise MfpError(refusal)
        # No earlier task of this run planned the switch (or it ran in module mode, where the
        # plan's facts do not reach the module): the plan goes on, and says what the run needs.
        session.warnings.append('Check mode planned [Get Token], but the real run would fail here unless an '
                                'earlier task selects OAuth 2.0. ' + refusal)
    if 'get_token' in actions and blocked_by(before['provider_code']):
        session.warnings.append(
            'The provider refused the token for %s: %s. [Get Token] %s pressed all the same (the cause may have '
            'been fixed since); the sign-in will be refused again until it is.'
            % (wanted['account'], explained(before['message']), 'would be' if check_mode else 'was'))
    if actions and not check_mode:
        if 'get_token' in actions and not _same_credential(settings, wanted):
            # Saved first: the token is requested for the saved provider and account, and a device
            # need not save the form that [Get Token] posts.
            page = session.submit(service, page, wanted)
        for button in actions:
            page = session.press(service, page, button)
    # In check mode nothing was pressed: the page as the earlier tasks leave it.
    token = before if check_mode else token_info(page)
    if params['wait'] and params['state'] == 'present' and not check_mode:
        page, token = _wait(session, service, page, token, wanted['account'], params)
    # In check mode, the page as the buttons would leave it.
    after = (_pressed_view(view, wanted, actions, page.lang) if check_mode
             else page_view(session.profile, service, page))
    views = {service: after}
    if params['state'] == 'query':
        other = next(name for name in profiles.SERVICES if name != service)
        views[other] = page_view(session.profile, other, session.read(other))
    result = {
        'changed': bool(actions),
        'actions': actions,
        'token': token,
        'user_code': token['user_code'],
        'verification_uri': token['verification_uri'],
        'sign_in_url': token['sign_in_url'],
        'expires_at': token['expires_at'],
        'ansible_facts': oauth_facts(session.profile, views),
    }
    if diff_mode:
        result['diff'] = masked_diff(_diff_view(before, settings), _diff_view(after[1], wanted))
    return result, page


def _actions(state, token, settings, wanted):
    """The buttons to press, in order, to reach `state` (DESIGN §4)."""
    if state == 'query':
        return []
    if state == 'absent':
        return [] if token['state'] == NOT_OBTAINED else ['delete']
    same_credential = _same_credential(settings, wanted)
    if token['state'] == WAITING and same_credential:
        return []  # pressing again would void the code a person may be typing in right now
    if token['state'] == OBTAINED and same_credential and issued_for(token, wanted['account']):
        return []
    if token['state'] == NOT_OBTAINED:
        return ['get_token']
    return ['delete', 'get_token']


def _same_credential(settings, wanted):
    return settings['provider'] == wanted['provider'] and same_account(settings['account'], wanted['account'])


def _wait(session, service, page, token, account, params):
    """Poll the page until the token is Obtained; fail clearly, with the code, otherwise.

    Logged out between polls: the device's one admin session stays free for people meanwhile, and an
    idle timeout shorter than poll_interval ends nothing."""
    deadline = session.clock() + params['wait_timeout']
    while token['state'] == WAITING:
        if session.clock() >= deadline:
            raise MfpError('No sign-in within %d s: the token for %s is still waiting for authorization. '
                           '%s, then run the task again.'
                           % (params['wait_timeout'], account, sign_in_instructions(token, account)),
                           token=token, user_code=token['user_code'], verification_uri=token['verification_uri'],
                           sign_in_url=token['sign_in_url'], expires_at=token['expires_at'])
        session.logout()
        session.sleep(params['poll_interval'])
        page = session.open(service)
        token = token_info(page)
    if token['state'] != OBTAINED:
        raise MfpError('The token for %s was not obtained: the device shows %s%s.'
                       % (account, token['label'], ': %s' % explained(token['message']) if token['message'] else ''),
                       token=token)
    if not issued_for(token, account):
        raise MfpError('The token was obtained for %s, not for %s: sign in with the account the device is set up for.'
                       % (token['account'], account), token=token)
    return page, token


def _refuse_hopeless_renewal(token, settings, wanted):
    """Fail before pressing anything when the provider's reason for an Invalid token says the account itself
    cannot sign in (it is disabled): [Delete] would erase that reason and [Get Token] leave a sign-in nobody
    can finish. Another account or provider replaces the token."""
    if token['state'] != INVALID or blocked_by(token['provider_code']) != ACCOUNT:
        return
    account = token['account'] or settings['account']
    if settings['provider'] != wanted['provider'] or not same_account(account, wanted['account']):
        return
    raise MfpError('The token for %s is Invalid: %s. Nothing was pressed: deleting the token would erase this '
                   'reason, and a new sign-in for the account cannot succeed until that is done. Once it is, run '
                   'the task again with force=true (the mail_oauth role: mail_oauth_token_force=true) to renew the '
                   'token.' % (account, explained(token['message'])), token=token)


def _pressed_view(view, wanted, actions, lang):
    """The page as the buttons would leave it: what the facts of a check-mode run show, so that a later
    task plans on top of it as the real run would (on a shared credential, no second [Get Token] on POP)."""
    settings, token = view
    if 'get_token' in actions:
        return dict(settings, **wanted), waiting_token(lang)
    return (settings, deleted_token(lang)) if actions else view


def _diff_view(token, credential):
    return {'provider': credential['provider'], 'account': credential['account'] or None,
            'token_state': token['state'], 'token_account': token['account']}
