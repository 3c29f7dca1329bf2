# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""mfp_info: read a device without changing it, and say how well its pages match its profile.

Private to the collection. The probe logs in, reads the SMTP and POP pages and logs out: its only
POSTs are the login (two on a two-step device), the logout, which presses the page's [Logout], and
with verify_mail [Connection Test], which saves nothing (the SMTP page is then read again). What the pages
show is judged afterwards, from the pages alone (examine()), so that a captured page can be judged in a
test the same way as a live one.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.printfleet.mfp.plugins.module_utils import _profiles as profiles
from ansible_collections.printfleet.mfp.plugins.module_utils._capture import Recorder, Sanitizer
from ansible_collections.printfleet.mfp.plugins.module_utils._errors import MfpError
from ansible_collections.printfleet.mfp.plugins.module_utils._page import Page
from ansible_collections.printfleet.mfp.plugins.module_utils._session import Session
from ansible_collections.printfleet.mfp.plugins.module_utils._token import oauth_facts, token_info

# A firmware version as About pages and footers show it: "Firmware Version: 1.02.3", "ROM Version 5.10".
_FIRMWARE = re.compile(r'\b(?:Firmware|ROM|Firmwareversion|Main Firmware)(?: ?Version)?\s*:?\s*([0-9][\w.-]*)', re.I)
_TAG = re.compile(r'<[^>]*>')
# The checks without which a page's settings and token are not known (the audit reports such a page as an error).
READING_CHECKS = ('page language known', 'options understood', 'token panel understood')
# The token panel's elements whose text is a secret in a capture (the code a person types in).


def run_info(params):
    recorder = Recorder()
    session = Session(params)
    session.recorder = recorder.record
    pages, errors = {}, {}
    failure = None
    mail_verified = None
    try:
        with session:
            for service in profiles.SERVICES:
                try:
                    # The first page read comes with the login.
                    pages[service] = session.read(service) if _logged_in(recorder) else session.open(service)
                except MfpError as error:
                    if not _logged_in(recorder):
                        raise
                    errors[service] = str(error)   # a page the device lacks: the other one is read all the same
                if service == 'smtp' and params['verify_mail'] and 'smtp' in pages:
                    passed, message = session.test_connection(pages['smtp'])
                    mail_verified = {'passed': passed, 'message': message}
                    # The test uses the token as a scan does: the pages are read after it, so that a token the
                    # provider refused shows Invalid with the provider's reason, on the POP page too.
                    pages['smtp'] = session.read('smtp')
    except MfpError as error:
        failure = error
    login_path = profiles.login_path(session.profile)
    login_pages = [Page(body) for body in recorder.bodies('GET', login_path) + recorder.bodies('POST', login_path)
                   if body]
    result = examine(session.profile, login_form(login_pages), pages, errors, two_step=_two_step(login_pages))
    result.update(
        changed=False,
        mail_verified=mail_verified,
        profile_source='detected' if params['mfp_profile'] == 'auto' else 'given',
        firmware_version=_firmware_version(exchange['body'] for exchange in recorder.exchanges),
        requests=recorder.requests(),
        warnings=session.warnings,
    )
    result['expectations'].insert(1, _check('login', 'login accepted', _logged_in(recorder),
                                            str(failure) if failure else None))
    result['expectations_held'] = all(check['held'] for check in result['expectations'])
    if not result['expectations_held'] and not failure:
        result['warnings'].append('The pages of %s do not match profile %s in every point (see expectations): '
                                  'the other modules may fail on this device.' % (session.host, session.profile))
    if params['capture']:
        result['capture'] = sanitized_capture(params, recorder, result, login_pages, pages)
    if failure:
        # The capture of what was read goes with the failure: that is what a support request needs.
        result.update(failure.details, failed=True, msg=str(failure))
    return result


def login_form(login_pages):
    """The login form the password went in: the first login page with a password box (after
    [Administrator Login] on a two-step device), else the first one read; None if none was."""
    return next((page for page in login_pages if page.passwords), login_pages[0] if login_pages else None)


def _two_step(login_pages):
    return bool(login_pages) and not login_pages[0].passwords and any(page.passwords for page in login_pages)


def _logged_in(recorder):
    return any(exchange['method'] == 'POST' and exchange['path'].startswith(profiles.login_path())
               and exchange['status'] in (301, 302, 303) for exchange in recorder.exchanges)


def examine(profile, login_page, pages, errors=None, two_step=False):
    """What the pages show, and which expectations of `profile` they meet.

    `login_page`: the login form's Page (None when none was read); `pages`: service -> Page read;
    `errors`: service -> why its page could not be read; `two_step`: the form came after
    [Administrator Login].
    """
    errors = errors or {}
    result = {
        'model': login_page.model() if login_page else None,
        'language': login_page.lang if login_page else None,
        'profile': profile,
        'pages': {'login': _found(profiles.login_path(profile), login_page)},
        'tokens': {},
        'oauth': None,
        'expectations': _login_checks(profile, login_page, two_step),
    }
    views = {}
    for service in profiles.SERVICES:
        page = pages.get(service)
        result['pages'][service] = _found(profiles.page_path(service, profile), page, errors.get(service))
        result['tokens'][service] = None
        if page is None or profile is None:
            continue
        checks, token, settings = _page_checks(profile, service, page)
        result['expectations'].extend(checks)
        result['tokens'][service] = token
        if token and settings:
            views[service] = (settings, token)
    if views:
        # Only the pages understood: oauth_facts would fill a page not understood from the other one.
        facts = oauth_facts(profile, views)['mfp_oauth']
        result['oauth'] = dict((service, facts[service]) for service in views)
    return result


def _found(path, page, error=None):
    return {'path': path, 'read': page is not None, 'title': page.text('title') if page else None, 'error': error}


def _check(page, check, held, detail=None):
    return {'page': page, 'check': check, 'held': bool(held), 'detail': detail}


def _login_checks(profile, page, two_step=False):
    if page is None:
        return [_check('login', 'login page read', False,
                       'the device served no login page at %s' % profiles.login_path(profile))]
    model = page.model()
    known = page.lang in profiles.LANGUAGES
    checks = [_check('login', 'login page read', True, page.text('title')),
              _check('login', 'model shown', model, model),
              _check('login', 'language known', known,
                     'lang=%r; known: %s' % (page.lang, ', '.join(sorted(profiles.LANGUAGES))))]
    if model:
        try:
            covering = profiles.profile_for_model(model)
        except MfpError as error:
            checks.append(_check('login', 'model covered by a profile', False, str(error)))
        else:
            checks.append(_check('login', 'model covered by a profile', covering == profile,
                                 'profile %s covers %s' % (covering, model)))
    if known:
        # The login form is read as rendered, whatever the profile: its mode, not its field names.
        missing = profiles.login_form_missing(page)
        checks.append(_check('login', 'login form understood', not missing,
                             'missing: %s' % ', '.join(missing) if missing else _login_mode(page, two_step)))
    return checks


def _login_mode(page, two_step):
    """The device's login mode as docs/device-protocol.md names them."""
    if two_step:
        return 'admin_two_step: [%s], then the password' % profiles.control_label(page.lang, 'admin_login')
    if page.text_boxes:
        return 'login_name: login name and password'
    if page.options:
        return 'administrator: role and password'
    return 'password: the password alone'


def _page_checks(profile, service, page):
    known = page.lang in profiles.LANGUAGES
    checks = [_check(service, 'page language known', known, 'lang=%r' % page.lang)]
    settings = token = None
    if not known:
        return checks, token, settings
    names = profiles.field_names(profile, service, page)
    checks += [_fields_check(service, page, names), _controls_check(profile, service, page)]
    try:
        settings = profiles.read_settings(profile, service, page)
    except MfpError as error:
        checks.append(_check(service, 'options understood', False, str(error)))
    else:
        missing = _options_missing(service, page, names)
        checks.append(_check(service, 'options understood', not missing,
                             'missing: %s' % '; '.join(missing) if missing else None))
    try:
        token = token_info(page)
    except MfpError as error:
        checks.append(_check(service, 'token panel understood', False, str(error)))
    else:
        checks.append(_check(service, 'token panel understood', True, token['label']))
    return checks, token, settings


def _fields_check(service, page, names):
    """Every setting's field, by its label where the page labels it, else by the profile's name."""
    labels = profiles.LANGUAGES[page.lang]['labels']
    missing = ['%s (label %r or field %s)' % (setting, labels[setting], name)
               for setting, name in sorted(names.items()) if name not in page.fields]
    if missing:
        return _check(service, 'fields present', False, 'missing: %s' % ', '.join(missing))
    by_label = sorted(setting for setting, name in names.items() if page.labels.get(name) == labels[setting])
    return _check(service, 'fields present', True, 'found by label: %d of %d' % (len(by_label), len(names)))


def _controls_check(profile, service, page):
    """The controls the modules press, found by label, and the `action` field their script posts."""
    wanted = ['submit', 'delete', 'logout'] + (['get_token'] if profiles.PROFILES[profile]['token_on_web'] else [])
    missing = ['[%s]' % profiles.control_label(page.lang, what) for what in wanted if not profiles.control(page, what)]
    field = profiles.action_field(profile)
    if field not in page.hidden:
        missing.append('hidden field %s' % field)
    shown = ', '.join('[%s]' % label for label in page.controls.values()) or 'none'
    return _check(service, 'controls present', not missing,
                  'missing: %s; the page shows %s' % (', '.join(missing), shown) if missing else shown)


def _options_missing(service, page, names):
    """The option texts a select lacks of those the modules may choose."""
    texts = profiles.LANGUAGES[page.lang]['options']
    missing = []
    for setting, values in sorted(profiles.OPTIONS[service].items()):
        lacking = [texts[value] for value in values if page.option_value(names[setting], texts[value]) is None]
        if lacking:
            missing.append('%s: %s' % (setting, ', '.join(repr(text) for text in lacking)))
    return missing


def _firmware_version(bodies):
    for body in bodies:
        found = _FIRMWARE.search(_TAG.sub(' ', body))
        if found:
            return found.group(1)
    return None


def sanitized_capture(params, recorder, result, login_pages, pages):
    """The sanitized capture: what the probe found, and every request and answer."""
    # Every profile's: a device whose model no profile covers is captured all the same.
    fields = []
    for name in profiles.PROFILES:
        for service in profiles.SERVICES:
            names = profiles.page(name, service)['fields']
            fields += [names['user'], names['password'], names['account']]
    for page in login_pages:
        fields += page.text_boxes   # the login name, whatever the form calls it
    for service, page in pages.items():
        # The fields found by label, whatever the profiles call them.
        names = profiles.field_names(result['profile'], service, page) if result['profile'] else {}
        fields += [names.get(setting) for setting in ('user', 'password', 'account')]
    codes = [token['user_code'] for token in result['tokens'].values() if token]
    # The elements showing a user code, in every family's pages.
    secret_ids = sorted(set(element for family in profiles.FAMILIES.values()
                            for element, key in family['text_ids'].items() if key == 'user_code'))
    sanitizer = Sanitizer(secrets=[params['mfp_admin_password'], params['mfp_admin_user']] + codes,
                          secret_fields=[field for field in fields if field], secret_ids=secret_ids)
    exchanges = sanitizer.exchanges(recorder.exchanges)
    found = dict((key, result[key]) for key in ('model', 'firmware_version', 'language', 'profile', 'profile_source',
                                                'pages', 'tokens', 'oauth', 'expectations', 'expectations_held', 'requests'))
    return {'probe': sanitizer.value(found), 'exchanges': exchanges}
