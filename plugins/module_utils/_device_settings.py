# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The device settings, one declarative entry each: what the rest of the collection derives them from.

The argument specs and input checks (_arguments), the settings a page declares (_settings), how a
setting is read and written and the label that finds its field (_profiles) all come from SETTINGS.
The module docs cannot be generated (ansible-doc reads them statically): a unit test holds them to
this table.

A new setting is a new entry here; then its option in the module docs (held to the entry by
tests/unit/plugins/modules/test_docs.py) and its tests; the role only if it exposes the setting. The
lab's firmware and the unit tests' fake device model the device itself, and show the new field
where a firmware has it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def _setting(name, positions, kind, en, sv, doc, option='setting', value_range=None, max_length=None, check=None):
    return {
        'name': name,
        # Service -> the setting's place on that page (1 = the first field), from which each
        # profile's field names derive.
        'positions': positions,
        # How it is read from and written to its form field: text, number, checkbox, select, password.
        'kind': kind,
        # The row heading that identifies its field on the page (the manual's), per UI language.
        'labels': {'en': en, 'sv': sv},
        # `setting`: a module option compared with the page; `password`: a write-only module option;
        # None: a field the collection sets itself.
        'option': option,
        'range': value_range,
        'max_length': max_length,
        # The input check before any request: host, address (e-mail) or free_text (one printable line).
        'check': check,
        # How the module docs begin the option's description.
        'doc': doc,
    }


SETTINGS = (
    _setting('primary_server', {'smtp': 1}, 'text', 'Primary Server', 'Primär server',
             'Primary Server, host name or IPv4 address.', max_length=127, check='host'),
    _setting('server', {'pop': 1}, 'text', 'POP3 Server', 'POP3-server',
             'POP3 Server, host name or IPv4 address.', max_length=127, check='host'),
    _setting('port', {'smtp': 2, 'pop': 2}, 'number', 'Port Number', 'Portnummer',
             'Port Number', value_range=(1, 65535)),
    _setting('timeout', {'smtp': 3}, 'number', 'Timeout', 'Timeout',
             'Timeout in seconds', value_range=(1, 60)),
    _setting('check_interval', {'pop': 3}, 'number', 'Check Interval', 'Kontrollintervall',
             'Check Interval in minutes', value_range=(1, 240)),
    _setting('sender_name', {'smtp': 4}, 'text', 'Sender Name', 'Sändarnamn',
             'Sender Name', max_length=64, check='free_text'),
    _setting('sender_address', {'smtp': 5}, 'text', 'Sender Address', 'Avsändaradress',
             'Sender Address (e-mail address)', max_length=127, check='address'),
    _setting('ssl_tls', {'smtp': 6}, 'checkbox', 'Enable SSL/TLS', 'Aktivera SSL/TLS', 'Enable SSL/TLS.'),
    _setting('ssl', {'pop': 4}, 'checkbox', 'Enable SSL', 'Aktivera SSL', 'Enable SSL.'),
    _setting('auth_method', {'smtp': 7, 'pop': 5}, 'select', 'Authentication Method', 'Autentiseringsmetod',
             'The authentication method.'),
    _setting('user', {'smtp': 8, 'pop': 6}, 'text', 'User Name', 'Användarnamn',
             'User Name for', max_length=64, check='free_text'),
    _setting('password', {'smtp': 9, 'pop': 7}, 'password', 'Password', 'Lösenord',
             'Password for', option='password', check='free_text'),
    _setting('change_password', {'smtp': 10, 'pop': 8}, 'checkbox', 'Change Password', 'Ändra lösenord',
             None, option=None),
    _setting('provider', {'smtp': 11, 'pop': 9}, 'select', 'Provider', 'Leverantör',
             'The OAuth 2.0 provider.'),
    _setting('account', {'smtp': 12, 'pop': 10}, 'text', 'Account Name', 'Kontonamn',
             'Account Name (e-mail address) the token is obtained for.', max_length=127, check='address'),
)

BY_NAME = dict((setting['name'], setting) for setting in SETTINGS)


def on_page(service):
    """The settings of the page of `service`, in page order."""
    return sorted((setting for setting in SETTINGS if service in setting['positions']),
                  key=lambda setting: setting['positions'][service])


def names(service, option='setting'):
    """The names of the settings of `service`'s page that are module options of this sort, in page order."""
    return tuple(setting['name'] for setting in on_page(service) if setting['option'] == option)


def with_check(check):
    return tuple(setting['name'] for setting in SETTINGS if setting['check'] == check)
