# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Declared versus current settings of one page: the plan, the masked diff, and applying it.

The one place for diff and check-mode logic; mfp_smtp and mfp_pop only declare options.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.printfleet.mfp.plugins.module_utils import _device_settings as device_settings
from ansible_collections.printfleet.mfp.plugins.module_utils import _profiles as profiles
from ansible_collections.printfleet.mfp.plugins.module_utils._errors import MfpError
from ansible_collections.printfleet.mfp.plugins.module_utils._session import Session
from ansible_collections.printfleet.mfp.plugins.module_utils._token import (
    NOT_OBTAINED, deleted_token, issued_for, oauth_facts, page_view, planned_view, same_account,
)

MASK = '********'

# The module options of each page that are device settings (passwords handled apart), in page order.
SETTINGS = dict((service, device_settings.names(service)) for service in profiles.SERVICES)


def plan(current, declared):
    """The declared settings whose value differs from the current one."""
    return dict((key, value) for key, value in declared.items() if not _same(key, current.get(key), value))


def _same(key, shown, declared):
    return same_account(shown, declared) if key == 'account' else shown == declared


def masked_diff(before, after, secrets=()):
    """Ansible's before/after diff; each secret in `secrets` is about to be written, shown masked."""
    before, after = dict(before), dict(after)
    for key in secrets:
        before[key] = MASK
        after[key] = MASK + ' (new)'
    return {'before': before, 'after': after}


def run_settings(service, params, check_mode, diff_mode, planned=None):
    with Session(params) as session:
        result = apply_settings(session, service, session.open(service), params, check_mode, diff_mode, planned)[0]
        result['warnings'] = session.warnings
    return result


def apply_settings(session, service, page, params, check_mode, diff_mode, planned=None):
    """Bring the settings `page` shows to the declared ones in `session`: (the result, the page after)."""
    declared = dict((key, params[key]) for key in SETTINGS[service] if params[key] is not None)
    current, token = planned_view(service, page_view(session.profile, service, page), planned)
    changes = plan(current, declared)
    password = params['password'] if _send_password(service, params, changes) else None
    delete_token = not params['keep_token'] and token['state'] != NOT_OBTAINED and (
        'provider' in changes or 'account' in changes or _issued_for_another(token, declared))
    if not check_mode and (changes or password is not None):
        page = session.submit(service, page, changes, password)
        _confirm_saved(session.profile, service, page, declared)
    if not check_mode and delete_token:
        page = session.press(service, page, 'delete')
    if check_mode:
        # Nothing was posted: report the page as a real run would leave it.
        after = dict(current, **changes)
        after_token = deleted_token(page.lang) if delete_token else token
    else:
        after, after_token = page_view(session.profile, service, page)
    result = {
        'changed': bool(changes) or password is not None or delete_token,
        'settings': after,
        'password_updated': password is not None,
        'token_deleted': delete_token,
        'token': after_token,
        'ansible_facts': oauth_facts(session.profile, {service: (after, after_token)}),
    }
    if params.get('verify_mail'):
        result['mail_verified'] = _verified_mail(session, page, check_mode and (changes or password is not None))
    if diff_mode:
        result['diff'] = masked_diff(
            dict(current, token_state=token['state']),
            dict(after, token_state=after_token['state']),
            secrets=('password',) if password is not None else ())
    return result, page


def _verified_mail(session, page, unsaved):
    """[Connection Test] on the SMTP page as saved: {passed, message}. It saves nothing, but it tests what is
    saved: in check mode, with changes the run would save, it would test the old settings, so it is not run."""
    if unsaved:
        session.warnings.append('verify_mail: the Connection Test was not run in check mode, because the printer '
                                'would test its saved settings, not the ones this task would save.')
        return None
    passed, message = session.test_connection(page)
    return {'passed': passed, 'message': message}


def _issued_for_another(token, declared):
    """A token for another account than the declared one: left by a run that failed before [Delete],
    or by an account changed on the device's own page (which keeps the token)."""
    return 'account' in declared and not issued_for(token, declared['account'])


def _send_password(service, params, changes):
    """Passwords are write-only: `on_create` sends one only when the login it belongs to changes."""
    if params['password'] is None:
        return False
    if params['update_password'] == 'always':
        return True
    return 'user' in changes or changes.get('auth_method') in profiles.PASSWORD_METHODS[service]


def _confirm_saved(profile, service, page, declared):
    """Fail when the device saved but shows a declared value other than the one posted."""
    shown = profiles.read_settings(profile, service, page)
    refused = ['%s (sent %r, the device shows %r)' % (key, value, shown.get(key))
               for key, value in declared.items() if not _same(key, shown.get(key), value)]
    if refused:
        raise MfpError('The device did not take these %s settings: %s.' % (service.upper(), '; '.join(refused)))
