# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Device knowledge as data: pages, form fields, option values, labels and messages.

A new printer family is a new entry in PROFILES, not new logic. The collection reads what a page
shows where it can: controls by their label (their names from the page), fields by their label
(the profile's field names where a page does not label them), options by their text, the login
form as rendered (docs/device-protocol.md).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.printfleet.mfp.plugins.module_utils import _device_settings as device_settings
from ansible_collections.printfleet.mfp.plugins.module_utils._errors import MfpError

SERVICES = ('smtp', 'pop')

# The access key Sharp appends to a control's label: "Logout(L)", "Execute(J)".
_ACCESS_KEY = re.compile(r'\([A-Z0-9]\)$')

# How each setting is read from and written to its form field (the table's `kind`).
KINDS = dict((setting['name'], setting['kind']) for setting in device_settings.SETTINGS)

# The setting values each select offers; a select's option is found by its visible text
# (LANGUAGES' `options`), its value taken from the page. A blank provider reads as None.
_PROVIDERS = (None, 'microsoft', 'google')
OPTIONS = {
    'smtp': {'auth_method': ('none', 'smtp_auth', 'oauth2'), 'provider': _PROVIDERS},
    'pop': {'auth_method': ('plain', 'apop', 'oauth2'), 'provider': _PROVIDERS},
}

# Authentication methods that use the page's user name and password.
PASSWORD_METHODS = {'smtp': ('smtp_auth',), 'pop': ('plain', 'apop')}

# What the profiles of one web UI family share: page paths, the login form, the element ids and
# result-line classes the page parser reads. A profile names its family (`family`); a page read
# before the profile is known (the login page) is read as DEFAULT_FAMILY's.
FAMILIES = {
    'sharp_classic': {
        'login_path': '/login.html',
        # Where a session ends when the last page read offers no [Logout] control (a page that failed
        # to load, say); captured pages offer the control, no capture shows this path.
        'logout_path': '/logout.html',
        # Every control of a Sharp page is `<input type="button" name=… onclick="validate(this.name)">`:
        # the page's script sets the hidden `action` field to the pressed control's name and submits the
        # whole form. The collection finds a control by its label (LANGUAGES' `controls`) and takes its
        # name from the page.
        'action_field': 'action',
        # The classic web UI keeps its page paths across families; field names differ.
        'paths': {'smtp': '/nw_service_smtp.html', 'pop': '/sys_email_status_special.html'},
        # Elements whose text the modules read, by id.
        'text_ids': {
            'modelName': 'model',
            'confirmMessage': 'confirm',
            'tokenStatus': 'token_status',
            'tokenAccount': 'token_account',
            'tokenUserCode': 'user_code',
            'tokenVerificationUri': 'verification_uri',
            # A browser sign-in's address (the provider's sign-in page, which sends the browser back to the device).
            'tokenSignInUrl': 'sign_in_url',
            'tokenExpires': 'expires_at',
            'tokenMessage': 'token_message',
        },
        # The result line Sharp pages show after a POST: <p class="ok">… or <p class="err">ERROR[n]: …
        'result_classes': {'ok': 'status', 'err': 'error'},
    },
}
DEFAULT_FAMILY = 'sharp_classic'

# The form control each kind of setting is on a Sharp page: `ggt_<control>(<number>)`.
_CONTROLS = {'text': 'textbox', 'number': 'textbox', 'password': 'textbox', 'checkbox': 'checkbox', 'select': 'select'}


def _pages(first_field):
    """The pages of a profile whose field names number each page's settings, in page order, from
    `first_field[service]` on (the settings table's `positions`)."""
    return dict((service, {'fields': dict(
        (setting['name'], 'ggt_%s(%d)' % (_CONTROLS[setting['kind']],
                                          first_field[service] + setting['positions'][service] - 1))
        for setting in device_settings.on_page(service))}) for service in SERVICES)


# `credential`: `shared` (one OAuth provider, account and token shown on both pages) or
# `independent` (POP's own, as Sharp's manuals say of A3 models). `token_on_web`: False where the
# token can only be obtained on the control panel (the manual of the BP-70C65). `pages`: the name of
# each setting's field (found by its label where the page labels it).
PROFILES = {
    'bp_classic': {
        'models': ('BP-C131PW', 'BP-C533WD', 'BP-C542WD', 'BP-50C26', 'BP-70C45'),
        'family': 'sharp_classic',
        'credential': 'shared',
        'token_on_web': True,
        'pages': _pages({'smtp': 1, 'pop': 1}),
    },
    'mx_classic': {
        'models': ('MX-3071', 'MX-2651', 'MX-4071', 'MX-5071'),
        'family': 'sharp_classic',
        'credential': 'shared',
        'token_on_web': True,
        'pages': _pages({'smtp': 101, 'pop': 201}),
    },
}

PROFILES['bp_a3'] = dict(PROFILES['bp_classic'], models=('BP-B550WD', 'BP-70M90', 'BP-70M75'), credential='independent')
PROFILES['bp_a3_panel'] = dict(PROFILES['bp_a3'], models=('BP-70C65',), token_on_web=False)


def _field_labels(lang):
    """Setting -> the label (the manual's) that names its field on a page whatever its index."""
    return dict((setting['name'], setting['labels'][lang]) for setting in device_settings.SETTINGS)


# Labels and messages the modules must understand, per UI language (`<html lang>`).
LANGUAGES = {
    'en': {
        'labels': _field_labels('en'),
        # Control labels, matched without a trailing access key: "Submit(U)" is [Submit].
        'controls': {
            'login': ('Login',), 'admin_login': ('Administrator Login',), 'submit': ('Submit',),
            'get_token': ('Get Token',), 'delete': ('Delete',), 'ok': ('OK',), 'logout': ('Logout',),
            'connection_test': ('Connection Test',),
        },
        'options': {
            'none': 'None', 'smtp_auth': 'SMTP-AUTH', 'oauth2': 'OAuth 2.0', 'plain': 'Plain', 'apop': 'APOP',
            None: '', 'microsoft': 'Microsoft', 'google': 'Google',
        },
        'token_states': {
            'Not Obtained': 'not_obtained',
            'Waiting for Authorization': 'waiting_for_authorization',
            'Obtained': 'obtained',
            'Invalid': 'invalid',
        },
        'login_errors': {
            'Login failed. Check the login name and password.': 'login_failed',
            'Login is locked because of repeated failed attempts. Try again later.': 'locked',
            'Another administrator is logged in. Try again later.': 'another_admin',
            'The page has expired. Reload the page and try again.': 'page_expired',
        },
    },
    'sv': {
        'labels': _field_labels('sv'),
        'controls': {
            'login': ('Logga in',), 'admin_login': ('Administratörsinloggning',), 'submit': ('Skicka',),
            'get_token': ('Hämta token',), 'delete': ('Radera',), 'ok': ('OK',), 'logout': ('Logga ut',),
            'connection_test': ('Anslutningstest',),
        },
        'options': {
            'none': 'Ingen', 'smtp_auth': 'SMTP-AUTH', 'oauth2': 'OAuth 2.0', 'plain': 'Klartext', 'apop': 'APOP',
            None: '', 'microsoft': 'Microsoft', 'google': 'Google',
        },
        'token_states': {
            'Ej hämtad': 'not_obtained',
            'Väntar på auktorisering': 'waiting_for_authorization',
            'Hämtad': 'obtained',
            'Ogiltig': 'invalid',
        },
        'login_errors': {
            'Inloggningen misslyckades. Kontrollera inloggningsnamn och lösenord.': 'login_failed',
            'Inloggningen är låst på grund av upprepade misslyckade försök. Försök igen senare.': 'locked',
            'En annan administratör är inloggad. Försök igen senare.': 'another_admin',
            'Sidan har gått ut. Läs in sidan igen och försök på nytt.': 'page_expired',
        },
    },
}


def family(profile=None):
    """The family data of `profile`; DEFAULT_FAMILY's while the profile is not known (None or auto)."""
    return FAMILIES[PROFILES[profile]['family'] if profile in PROFILES else DEFAULT_FAMILY]


def login_path(profile=None):
    return family(profile)['login_path']


def logout_path(profile=None):
    return family(profile)['logout_path']


def action_field(profile=None):
    """The hidden field a page's script sets to the pressed control's name."""
    return family(profile)['action_field']


def page_path(service, profile=None):
    return family(profile)['paths'][service]


def page_paths(profile=None):
    """Service -> the path of its settings page."""
    return dict(family(profile)['paths'])


def text_ids(profile=None):
    """Element id -> the key under which the page parser keeps its text."""
    return family(profile)['text_ids']


def result_classes(profile=None):
    """Class of the result line (<p class=…>) -> its key in the page's texts (status or error)."""
    return family(profile)['result_classes']


def profile_for_model(model):
    """The profile name covering `model` (as shown in the page header)."""
    for name, profile in PROFILES.items():
        if model in profile['models']:
            return name
    known = '; '.join('%s: %s' % (name, ', '.join(p['models'])) for name, p in PROFILES.items())
    raise MfpError(
        'No profile covers the model %r shown by the device (%s). '
        'Set mfp_profile to the profile that matches its web pages.' % (model, known))


def _language(lang):
    if lang not in LANGUAGES:
        raise MfpError('The device shows its web pages in language %r; known languages: %s.'
                       % (lang, ', '.join(sorted(LANGUAGES))))
    return LANGUAGES[lang]


def token_state(lang, label):
    """The normalized token state for the label in the token panel."""
    states = _language(lang)['token_states']
    if label not in states:
        raise MfpError('Unknown token status label %r (language %r); known labels: %s.'
                       % (label, lang, ', '.join(sorted(states))))
    return states[label]


def token_label(lang, state):
    """The label the token panel shows for `state` in language `lang`, None if the table has none."""
    return next((label for label, shown in _language(lang)['token_states'].items() if shown == state), None)


def shares_credential(profile):
    """Whether both pages show one OAuth provider, account and token."""
    return PROFILES[profile]['credential'] == 'shared'


def control(page, what):
    """The name of the control labelled [what] (login, submit, get_token, delete, ok, logout, connection_test)
    on `page`, or None."""
    labels = _language(page.lang)['controls'][what]
    return next((name for name, label in page.controls.items() if _ACCESS_KEY.sub('', label).strip() in labels), None)


def login_form_missing(page, profile=None):
    """What a login form (`page`, in a known language) lacks of what the collection posts: [] if nothing."""
    field = action_field(profile)
    return [name for name, found in (
        ('field ' + field, field in page.fields),
        ('password box', len(page.passwords) == 1),
        ('[%s] control' % control_label(page.lang, 'login'), control(page, 'login')),
    ) if not found]


def control_label(lang, what):
    return _language(lang)['controls'][what][0]


def login_error(lang, message):
    """The reason for a refused login (login_failed, locked, another_admin, page_expired) or None."""
    return _language(lang)['login_errors'].get(message)


def page(profile, service):
    return PROFILES[profile]['pages'][service]


def field_names(profile, service, shown):
    """Setting name -> the name of its field on the page `shown`: the field its label names where the
    page labels exactly one so, else the profile's name for it."""
    names = dict(page(profile, service)['fields'])
    labels = LANGUAGES[shown.lang]['labels'] if shown.lang in LANGUAGES else {}
    labelled = {}
    for name, label in shown.labels.items():
        labelled.setdefault(label, []).append(name)
    for setting in names:
        found = labelled.get(labels.get(setting), ())
        if len(found) == 1:
            names[setting] = found[0]
    return names


def read_settings(profile, service, shown):
    """Setting name -> value from a page (`shown`, a Page) as it shows them (passwords are never rendered)."""
    fields = shown.fields
    names = field_names(profile, service, shown)
    missing = sorted(name for name in names.values() if name not in fields)
    if missing:
        raise MfpError('The %s page shows no field %s: it does not match profile %s.'
                       % (service.upper(), ', '.join(missing), profile))
    settings = {}
    for setting, name in names.items():
        kind = KINDS[setting]
        raw = fields.get(name)
        if kind == 'password' or setting == 'change_password':
            continue
        if kind == 'checkbox':
            settings[setting] = raw is not None
        elif kind == 'select':
            settings[setting] = _option_setting(shown, service, setting, shown.option_text(name, raw))
        elif kind == 'number':
            settings[setting] = int(raw) if raw and raw.isdigit() else raw
        else:
            settings[setting] = raw or ''
    return settings


def _option_setting(shown, service, setting, text):
    labels = _language(shown.lang)['options']
    for value in OPTIONS[service][setting]:
        if labels[value] == text:
            return value
    raise MfpError('The %s page shows %r for %s, an option no profile knows (language %r).'
                   % (service.upper(), text, setting, shown.lang))


def write_settings(profile, service, shown, settings, password=None):
    """The form values to post: the page's own fields (`shown`, a Page) with `settings` applied.

    `password` is sent with "Change Password" on; without it the stored password stays.
    """
    names = field_names(profile, service, shown)
    form = dict(shown.fields)
    for setting, value in settings.items():
        kind, name = KINDS[setting], names[setting]
        if kind == 'checkbox':
            form[name] = '1' if value else None
        elif kind == 'select':
            label = _language(shown.lang)['options'][value]
            form[name] = shown.option_value(name, label)
            if form[name] is None:
                raise MfpError('The %s page offers no option %r for %s (it offers %s).'
                               % (service.upper(), label, setting,
                                  ', '.join(repr(option[1].strip()) for option in shown.options.get(name, ()))))
        else:
            form[name] = str(value)
    form[names['password']] = password or ''
    form[names['change_password']] = '1' if password is not None else None
    return form
