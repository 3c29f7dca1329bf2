# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument specs of the modules and the input checks that run before any device request.

The action plugins validate with the same specs in the controller, so a module and its
action plugin can never disagree about what is valid.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import ipaddress
import os
import re

from ansible_collections.printfleet.mfp.plugins.module_utils import _device_settings as device_settings
from ansible_collections.printfleet.mfp.plugins.module_utils import _profiles as profiles
from ansible_collections.printfleet.mfp.plugins.module_utils._errors import MfpError

CONNECTION_SPEC = dict(
    mfp_host=dict(type='str'),
    mfp_port=dict(type='int', default=443),
    mfp_protocol=dict(type='str', default='https', choices=['https', 'http']),
    mfp_admin_user=dict(type='str'),
    mfp_admin_password=dict(type='str', required=True, no_log=True),
    mfp_validate_certs=dict(type='bool', default=True),
    mfp_ca_path=dict(type='path'),
    mfp_timeout=dict(type='int', default=30),
    mfp_retries=dict(type='int', default=3),
    mfp_busy_timeout=dict(type='int', default=60),
    mfp_profile=dict(type='str', default='auto', choices=['auto'] + sorted(profiles.PROFILES)),
    mfp_execution=dict(type='str', default='controller', choices=['controller', 'module']),
)

# The option type of each kind of device setting (the settings table's `kind`).
_TYPES = {'text': 'str', 'number': 'int', 'checkbox': 'bool', 'select': 'str', 'password': 'str'}


def _option(name, service):
    """The argument spec of the device setting `name` on the page of `service`, from the settings table."""
    setting = device_settings.BY_NAME[name]
    spec = dict(type=_TYPES[setting['kind']])
    if setting['kind'] == 'select':
        spec['choices'] = [value for value in profiles.OPTIONS[service][name] if value is not None]
    if setting['option'] == 'password':
        spec['no_log'] = True
    return spec


def _page_options(service):
    """The options of a settings module: its page's settings, its password, and how the password and
    token are handled."""
    names = device_settings.names(service) + device_settings.names(service, 'password')
    return dict(
        ((name, _option(name, service)) for name in names),
        update_password=dict(type='str', default='on_create', choices=['always', 'on_create'], no_log=False),
        keep_token=dict(type='bool', default=False, no_log=False),
    )


# The settings modules and the page each one acts on.
SETTINGS_SERVICES = {'mfp_smtp': 'smtp', 'mfp_pop': 'pop'}

# What mfp_mail_oauth sets on each page itself (OAuth 2.0, its provider and account; no user name):
# its page options are the page's other settings.
OAUTH_SETS = ('auth_method', 'user', 'provider', 'account')
MAIL_OAUTH_PAGES = dict((service, tuple(name for name in device_settings.names(service) if name not in OAUTH_SETS))
                        for service in profiles.SERVICES)


def _oauth_page_options(service):
    return dict((name, _option(name, service)) for name in MAIL_OAUTH_PAGES[service])


def oauth_page(service, declared):
    """The settings of the page of `service` as mfp_mail_oauth declares them: OAuth 2.0 and the `declared`
    page dictionary; the others None (left as they are). No password: OAuth 2.0 has none."""
    page = dict.fromkeys(device_settings.names(service))
    page.update(declared or {}, auth_method='oauth2', password=None)
    return page


SPECS = {
    'mfp_smtp': dict(
        argument_spec=dict(CONNECTION_SPEC, verify_mail=dict(type='bool', default=False), **_page_options('smtp')),
        required_if=[('auth_method', 'oauth2', ('provider', 'account'))],
    ),
    'mfp_pop': dict(
        argument_spec=dict(CONNECTION_SPEC, **_page_options('pop')),
        required_if=[('auth_method', 'oauth2', ('provider', 'account'))],
    ),
    'mfp_oauth_token': dict(
        argument_spec=dict(
            CONNECTION_SPEC,
            provider=_option('provider', 'smtp'),
            account=_option('account', 'smtp'),
            state=dict(type='str', default='present', choices=['present', 'absent', 'query']),
            service=dict(type='str', default='smtp', choices=list(profiles.SERVICES)),
            wait=dict(type='bool', default=False),
            wait_timeout=dict(type='int', default=600),
            poll_interval=dict(type='int', default=5),
            force=dict(type='bool', default=False),
        ),
        required_together=[('provider', 'account')],
    ),
    'mfp_mail_oauth': dict(
        argument_spec=dict(
            CONNECTION_SPEC,
            provider=dict(_option('provider', 'smtp'), required=True),
            account=dict(_option('account', 'smtp'), required=True),
            smtp=dict(type='dict', default={}, options=_oauth_page_options('smtp')),
            pop=dict(type='dict', options=_oauth_page_options('pop')),
            state=dict(type='str', default='present', choices=['present', 'query']),
            get_token=dict(type='bool', default=True),
            force=dict(type='bool', default=False),
        ),
    ),
    'mfp_info': dict(
        argument_spec=dict(
            CONNECTION_SPEC,
            capture=dict(type='bool', default=False),
            verify_mail=dict(type='bool', default=False),
        ),
    ),
}

# mfp_fleet_audit: no connection option, each printer's come from its host variables.
REPORT_FORMATS = ['json', 'csv', 'junit', 'html']
FLEET_AUDIT_SPEC = dict(
    argument_spec=dict(
        read=dict(type='bool', default=True),
        forks=dict(type='int', default=50),
        verify_mail=dict(type='bool', default=False),
        policy=dict(type='dict', default={}),
        report_dir=dict(type='path', required=True),
        report_name=dict(type='str', default='token_audit'),
        report_formats=dict(type='list', elements='str', choices=REPORT_FORMATS, default=REPORT_FORMATS),
        report_title=dict(type='str', default='OAuth 2.0 mail token audit'),
        # Google's documented cap (plugin_utils/_token_audit.GOOGLE_REFRESH_TOKEN_CAP).
        google_refresh_token_cap=dict(type='int', default=100, no_log=False),
    ),
)
FLEET_FORKS = (1, 1000)

# mfp_fleet_mail_oauth: mfp_mail_oauth's options as the play gives them (each printer's may differ), which printers.
FLEET_MAIL_OAUTH_SPEC = dict(
    argument_spec=dict(
        dict((name, dict(spec, required=False))
             for name, spec in SPECS['mfp_mail_oauth']['argument_spec'].items() if name not in CONNECTION_SPEC),
        forks=dict(type='int', default=50),
        hosts=dict(type='list', elements='str'),
    ),
)

# The device's own limits (docs/device-protocol.md; the settings table's), checked before any request.
RANGES = dict(
    [('mfp_port', (1, 65535)), ('mfp_timeout', (1, 3600)), ('mfp_retries', (0, 10)), ('mfp_busy_timeout', (0, 3600))]
    + [(setting['name'], setting['range']) for setting in device_settings.SETTINGS if setting['range']]
    + [('wait_timeout', (1, 86400)), ('poll_interval', (1, 300))])
MAX_LENGTH = dict((setting['name'], setting['max_length']) for setting in device_settings.SETTINGS
                  if setting['max_length'])
# Typed into one-line text boxes of the device: a control character (a newline from a file lookup,
# a tab) would be saved as it is, and break the mail headers the device writes.
FREE_TEXT = device_settings.with_check('free_text') + ('mfp_admin_user', 'mfp_admin_password')
HOSTS = device_settings.with_check('host')
ADDRESSES = device_settings.with_check('address')

# Matched whole (fullmatch): `$` would also let a trailing newline through.
_HOST_LABEL = re.compile(r'(?!-)[A-Za-z0-9-]{1,63}(?<!-)')
_IPV4 = re.compile(r'[0-9.]+')
_NOT_IN_HOST = re.compile(r'[\s/:\[\]@?#]')
_CONTROL = re.compile(r'[\x00-\x1f\x7f-\x9f]')
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def module_kwargs(name):
    """AnsibleModule / ArgumentSpecValidator keyword arguments for the module `name`."""
    return copy.deepcopy(SPECS[name])


def validate(name, params):
    """Raise MfpError naming every invalid option; nothing has been sent to the device yet."""
    errors = []
    if not params.get('mfp_host'):
        errors.append('mfp_host is empty: give the device address (by default the inventory host).')
    elif not _is_device_address(params['mfp_host']):
        errors.append('mfp_host %r is not a host name or IP address: give it without scheme, port, path or brackets.'
                      % params['mfp_host'])
    if params.get('account') == '' and (name in ('mfp_oauth_token', 'mfp_mail_oauth')
                                        or params.get('auth_method') == 'oauth2'):
        errors.append('account is empty: give the mailbox account the printer sends and reads mail as.')
    if params.get('mfp_ca_path') and not os.path.isfile(params['mfp_ca_path']):
        errors.append('mfp_ca_path %s is not a readable file.' % params['mfp_ca_path'])
    errors.extend(_value_errors(params))
    if name in SETTINGS_SERVICES:
        errors.extend(_settings_errors(SETTINGS_SERVICES[name], params))
    if name == 'mfp_mail_oauth':
        for service in profiles.SERVICES:
            if params[service] is not None:
                page = oauth_page(service, params[service])
                errors.extend('%s: %s' % (service, error)
                              for error in list(_value_errors(page)) + list(_settings_errors(service, page)))
    if errors:
        raise MfpError('Invalid options for %s: %s' % (name, ' '.join(errors)))


def _value_errors(params):
    """The options of `params` out of the device's range, too long, or not of the form the device takes."""
    for key, (low, high) in RANGES.items():
        value = params.get(key)
        if value is not None and not low <= value <= high:
            yield '%s must be from %d to %d, not %d.' % (key, low, high, value)
    for key, limit in MAX_LENGTH.items():
        value = params.get(key)
        if value is not None and len(value) > limit:
            yield '%s is longer than the device allows (%d characters).' % (key, limit)
    for key in FREE_TEXT:
        control = _CONTROL.search(params.get(key) or '')
        if control:
            # The position, not the value: a password must not appear in the message.
            yield ('%s holds a control character (%r at position %d): the device takes one line of printable text.'
                   % (key, control.group(), control.start() + 1))
    for key in HOSTS:
        if params.get(key) and not _is_host(params[key]):
            yield '%s %r is not a host name or IPv4 address.' % (key, params[key])
    for key in ADDRESSES:
        if params.get(key) and not _ADDRESS.fullmatch(params[key]):
            yield '%s %r is not an e-mail address.' % (key, params[key])


def _settings_errors(service, params):
    server = 'primary_server' if service == 'smtp' else 'server'
    method = params['auth_method']
    if method == 'oauth2' and params[server] == '':
        yield '%s is required with auth_method oauth2.' % server
    if method in profiles.PASSWORD_METHODS[service] and params['user'] == '':
        yield 'user is required with auth_method %s.' % method
    if params['password'] is not None and method is not None and method not in profiles.PASSWORD_METHODS[service]:
        yield 'password is only used with auth_method %s, not %s.' % (' or '.join(profiles.PASSWORD_METHODS[service]),
                                                                      method)


def _is_host(text):
    if _IPV4.fullmatch(text):
        parts = text.split('.')
        return len(parts) == 4 and all(part.isdigit() and int(part) <= 255 for part in parts)
    return all(_HOST_LABEL.fullmatch(label) for label in text.split('.'))


def _is_device_address(text):
    """An IPv6 address (without brackets), or what may be a host name or IPv4 address: not a URL.

    Lenient on purpose: whatever resolves on the controller is the user's to choose.
    """
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return not _NOT_IN_HOST.search(text)
    return True
