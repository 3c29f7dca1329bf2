# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What mfp_info read from a device, and the sanitized capture of it a user can attach to a support request.

Private to the collection. The capture keeps the pages' markup as the device served it, so that it
can become a test fixture, and replaces every secret: passwords, session cookies, CSRF tokens,
user codes, the query strings of absolute URLs, long random strings, the admin user name, and
mailbox account names (personal data, not secrets: replaced by placeholder addresses that keep the
shape, the same address by the same placeholder).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import html
import re
from urllib.parse import quote, quote_plus

from ansible_collections.printfleet.mfp.plugins.module_utils._session import _charset

# A hidden input or a URL parameter by one of these names carries a secret.
SECRET_NAME = re.compile(r'token|session|sid|csrf|nonce|secret|key|pass|code|cookie|auth', re.I)
# The response headers a capture keeps: what the page is, where it leads, what server sent it.
HEADERS = ('Content-Type', 'Location', 'Server', 'Set-Cookie')

_INPUT = re.compile(r'<input\b[^>]*>', re.I)
_ATTRIBUTE = re.compile(r'''([^\s"'<>/=]+)(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'<>]+)''')
# An element's text by its id (the token panel's user code and verification URL).
_ELEMENT_TEXT = r'''(<[a-z][^>]*\bid\s*=\s*["']?%s\b[^>]*>)([^<]*)'''
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL_QUERY = re.compile(r'''(https?://[^\s"'<>?#]+)\?[^\s"'<>#]*''', re.I)
_PARAMETER = re.compile(r'''([?&;](?:amp;)?([^=&;\s"'<>?]+)=)([^&;\s"'<>#]*)''')
_JWT = re.compile(r'eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*')
# Random strings: 32 hex digits or more, 40 base64 characters or more.
_RANDOM = re.compile(r'(?<![\w+/])(?:[0-9a-fA-F]{32,}|(?=[\w+/-]*\d)[\w+/-]{40,}={0,2})(?![\w+/])')
_COOKIE = re.compile(r'^(\s*[^=;\s]+=)([^;]*)')
PLACEHOLDER_DOMAIN = 'example.invalid'


def masked(what, value=''):
    """The placeholder of a secret: what it was and how long, never what it said."""
    return 'masked-%s-%d' % (what, len(value))


class Recorder(object):
    """Every answer of a device run, as Session.recorder receives them."""

    def __init__(self):
        self.exchanges = []

    def record(self, method, path, form, response):
        self.exchanges.append({
            'method': method,
            'path': path,
            # The names of the fields posted, never their values (the login posts the password).
            'posted_fields': sorted(form) if form is not None else None,
            'status': response.status,
            'headers': [(name, value) for name, value in response.headers.items() if name.title() in HEADERS],
            'body': (response.data or b'').decode(_charset(response), 'replace'),
        })

    def requests(self):
        """Each request as `METHOD /path` (the login's query string names a page, nothing else)."""
        return ['%s %s' % (exchange['method'], exchange['path'].split('?')[0]) for exchange in self.exchanges]

    def bodies(self, method, path):
        """The pages answered to `method` on `path` (with or without query string), in order."""
        return [exchange['body'] for exchange in self.exchanges
                if exchange['method'] == method and exchange['path'].split('?')[0] == path]


class Sanitizer(object):
    """Replaces secrets in the text of a capture.

    `secrets`: strings known to be secret wherever they appear (the admin password and user, the
    user codes the token panels showed). `secret_fields`: form fields whose values are secret or
    personal whatever their type (the profile's user name, password and account fields).
    `secret_ids`: ids of elements whose text is secret (the token panel's user code).
    """

    def __init__(self, secrets=(), secret_fields=(), secret_ids=()):
        self.secrets = set(secret for secret in secrets if secret)
        self.secret_fields = frozenset(secret_fields)
        self.secret_ids = tuple(secret_ids)
        self.addresses = {}

    def exchange(self, exchange):
        """One recorded request and answer, sanitized."""
        for name, value in exchange['headers']:
            cookie = _COOKIE.match(value) if name.title() == 'Set-Cookie' else None
            if cookie and cookie.group(2).strip('"'):   # not a deleted cookie's empty value
                self._keep_secret(cookie.group(2).strip('"'))
        return {
            'request': '%s %s' % (exchange['method'], self.text(exchange['path'])),
            'posted_fields': exchange['posted_fields'],
            'status': exchange['status'],
            'headers': [[name, self._header(name, value)] for name, value in exchange['headers']],
            'body': self.page(exchange['body']),
        }

    def page(self, markup):
        for element in self.secret_ids:
            markup = re.sub(_ELEMENT_TEXT % re.escape(element), self._element_text, markup, flags=re.I)
        return self.text(_INPUT.sub(self._input, markup))

    def exchanges(self, exchanges):
        """A run's exchanges, sanitized. Twice: a secret found on a later page is masked on the earlier ones too."""
        for exchange in exchanges:
            self.exchange(exchange)
        return [self.exchange(exchange) for exchange in exchanges]

    def text(self, text):
        """Known secrets, then the patterns of secrets, then addresses replaced in any text."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            for form in set((secret, html.escape(secret), quote(secret, safe=''), quote_plus(secret))):
                # Whole words only: an admin user `admin` is not the start of "Administrator".
                text = re.sub(r'(?<!\w)%s(?!\w)' % re.escape(form), masked('secret', secret), text)
        text = _JWT.sub(lambda match: masked('jwt', match.group()), text)
        text = _URL_QUERY.sub(lambda match: match.group(1) + '?masked-query', text)
        text = _PARAMETER.sub(self._parameter, text)
        text = _RANDOM.sub(lambda match: masked('random', match.group()), text)
        return _ADDRESS.sub(self._address, text)

    def value(self, value):
        """A result (dicts, lists, strings) with every string sanitized."""
        if isinstance(value, dict):
            return dict((key, self.value(item)) for key, item in value.items())
        if isinstance(value, (list, tuple)):
            return [self.value(item) for item in value]
        return self.text(value) if isinstance(value, str) else value

    def _header(self, name, value):
        if name.title() == 'Set-Cookie':
            return self.text(_COOKIE.sub(lambda match: match.group(1) + masked('cookie', match.group(2)), value))
        return self.text(value)

    def _input(self, match):
        tag = match.group()
        attributes = dict((found.group(1).lower(), _unquoted(found.group(3))) for found in _ATTRIBUTE.finditer(tag))
        kind = attributes.get('type', 'text').lower()
        name = attributes.get('name', '')
        value = html.unescape(attributes.get('value', ''))
        if not value:
            return tag   # an empty value tells that a field is write-only, and hides nothing
        if kind == 'password':
            what = 'password'
        elif name in self.secret_fields:
            what = 'field'
        elif kind == 'hidden' and SECRET_NAME.search(name):
            what = name
        else:
            return tag
        self._keep_secret(value)
        return _ATTRIBUTE.sub(lambda attribute: self._value_attribute(attribute, what, value), tag)

    def _value_attribute(self, attribute, what, value):
        if attribute.group(1).lower() != 'value':
            return attribute.group()
        placeholder = self._address(_ADDRESS.fullmatch(value)) if _ADDRESS.fullmatch(value) else masked(what, value)
        return '%s%s"%s"' % (attribute.group(1), attribute.group(2), placeholder)

    def _element_text(self, match):
        secret = html.unescape(match.group(2).strip())
        if not secret:
            return match.group()
        self._keep_secret(secret)
        return match.group(1) + masked('text', secret)

    def _keep_secret(self, value):
        # An address gets its placeholder wherever it appears (_address), not a mask.
        if not _ADDRESS.fullmatch(value):
            self.secrets.add(value)

    def _parameter(self, match):
        if not match.group(3) or not SECRET_NAME.search(match.group(2)) or match.group(3).startswith('masked-'):
            return match.group()
        return match.group(1) + masked('parameter', match.group(3))

    def _address(self, match):
        address = match.group().lower()
        if address.endswith('@' + PLACEHOLDER_DOMAIN):
            return match.group()
        if address not in self.addresses:
            self.addresses[address] = 'account%d@%s' % (len(self.addresses) + 1, PLACEHOLDER_DOMAIN)
        return self.addresses[address]


def _unquoted(value):
    return value[1:-1] if value[:1] in ('"', "'") else value
