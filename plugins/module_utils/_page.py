# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One rendered device page: its form values, buttons, messages and token panel."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from html.parser import HTMLParser

# Elements whose text the modules read, by id.
TEXT_IDS = {
    'modelName': 'model',
    'errorMessage': 'error',
    'statusMessage': 'status',
    'confirmMessage': 'confirm',
    'tokenStatus': 'token_status',
    'tokenAccount': 'token_account',
    'tokenUserCode': 'user_code',
    'tokenVerificationUri': 'verification_uri',
    'tokenExpires': 'expires_at',
    'tokenMessage': 'token_message',
}


class Page(HTMLParser):
    """Parse a page once; then read `fields` (name -> value, None for an unchecked checkbox),
    `buttons` (name -> label), `texts` (see TEXT_IDS, and `title`), `lang` and `action`."""

    def __init__(self, html):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.lang = None
        self.action = None
        self.fields = {}
        self.buttons = {}
        self.texts = {}
        self._text_key = None
        self._text_tag = None
        self._select = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict((k, v if v is not None else '') for k, v in attrs)
        if tag == 'html':
            self.lang = attrs.get('lang')
        elif tag == 'form' and self.action is None:
            self.action = attrs.get('action')
        elif tag == 'input':
            self._input(attrs)
        elif tag == 'select':
            self._select = attrs.get('name')
            self.fields[self._select] = None
        elif tag == 'option' and self._select:
            # An HTML select with no option selected submits its first option.
            if 'selected' in attrs or self.fields[self._select] is None:
                self.fields[self._select] = attrs.get('value', '')
        key = 'title' if tag == 'title' else TEXT_IDS.get(attrs.get('id'))
        if key:
            self._text_key = key
            self._text_tag = tag
            self.texts[key] = ''

    def handle_endtag(self, tag):
        if tag == 'select':
            self._select = None
        if tag == self._text_tag:
            self.texts[self._text_key] = self.texts[self._text_key].strip()
            self._text_key = self._text_tag = None

    def handle_data(self, data):
        if self._text_key:
            self.texts[self._text_key] += data

    def _input(self, attrs):
        name = attrs.get('name')
        if not name:
            return
        kind = attrs.get('type', 'text').lower()
        value = attrs.get('value', '')
        if kind == 'submit':
            self.buttons[name] = value
        elif kind in ('button', 'reset'):
            return   # a browser never posts these; a page's script acts on the click
        elif kind in ('checkbox', 'radio'):
            if 'checked' in attrs:
                self.fields[name] = value or 'on'
            else:
                self.fields.setdefault(name, None)
        else:
            self.fields[name] = value

    def text(self, key):
        return self.texts.get(key) or None

    def model(self):
        """The model name: the header's, else the title's last part (Sharp: "Login - BP-C131PW")."""
        title = self.text('title') or ''
        return self.text('model') or (title.rsplit(' - ', 1)[1].strip() if ' - ' in title else None)
