# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One rendered device page: its form values, controls, result line and token panel."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
from html.parser import HTMLParser

from ansible_collections.printfleet.mfp.plugins.module_utils import _profiles as profiles

_ERROR_CODE = re.compile(r'^ERROR\[(\d+)\]:\s*')


class Page(HTMLParser):
    """Parse a page once; then read `fields` (name -> value, None for an unchecked checkbox),
    `labels` (field name -> the heading of its table row, as the page labels it),
    `options` (select name -> [(value, visible text)]), `hidden`, `passwords` and `text_boxes` (the names of
    such inputs), `controls` (name -> label of each `type="button"` control,
    which the page's script posts as `action`), `texts` (the profile family's `text_ids` and
    `result_classes`, and `title`), `lang` and `action`. `profile`: the profile whose family the page
    belongs to, None while it is not known (the login page)."""

    def __init__(self, html, profile=None):
        HTMLParser.__init__(self, convert_charrefs=True)
        self._text_ids = profiles.text_ids(profile)
        self._result_classes = profiles.result_classes(profile)
        self.lang = None
        self.action = None
        self.fields = {}
        self.options = {}
        self.labels = {}
        self.hidden = set()
        self.passwords = []
        self.text_boxes = []
        self.controls = {}
        self.texts = {}
        self._text_key = None
        self._text_tag = None
        self._select = None
        self._option = None
        self._heading = None     # the text of the <th> being read
        self._row_label = None   # the row's heading, once read
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict((k, v if v is not None else '') for k, v in attrs)
        if tag == 'html':
            self.lang = attrs.get('lang')
        elif tag == 'form' and self.action is None:
            self.action = attrs.get('action')
        elif tag == 'tr':
            self._row_label = None
        elif tag == 'th':
            self._heading = ''
        elif tag == 'input':
            self._input(attrs)
            self._label(attrs.get('name'))
        elif tag == 'select':
            self._select = attrs.get('name')
            self.fields[self._select] = None
            self.options[self._select] = []
            self._label(self._select)
        elif tag == 'option' and self._select:
            # An HTML select with no option selected submits its first option.
            if 'selected' in attrs or self.fields[self._select] is None:
                self.fields[self._select] = attrs.get('value', '')
            self._option = [attrs.get('value', ''), '']
            self.options[self._select].append(self._option)
        key = 'title' if tag == 'title' else self._text_ids.get(attrs.get('id'))
        if tag == 'p' and attrs.get('class') in self._result_classes:
            key = self._result_classes[attrs['class']]
        if key and self._text_key is None:
            self._text_key = key
            self._text_tag = tag
            self.texts[key] = ''

    def handle_endtag(self, tag):
        if tag == 'th' and self._heading is not None:
            self._row_label, self._heading = self._heading.strip(), None
        elif tag in ('tr', 'table'):
            self._row_label = None
        if tag in ('select', 'option'):
            self._option = None
        if tag == 'select':
            self._select = None
        if tag == self._text_tag:
            self.texts[self._text_key] = self.texts[self._text_key].strip()
            self._text_key = self._text_tag = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data
        if self._option is not None:
            self._option[1] += data
        if self._text_key:
            self.texts[self._text_key] += data

    def _input(self, attrs):
        name = attrs.get('name')
        if not name:
            return
        kind = attrs.get('type', 'text').lower()
        value = attrs.get('value', '')
        if kind == 'button':
            self.controls[name] = value   # never posted itself: its name goes in `action`
        elif kind in ('submit', 'reset', 'image'):
            return   # Sharp pages have none; posting one would be a convention the device ignores
        elif kind in ('checkbox', 'radio'):
            if 'checked' in attrs:
                self.fields[name] = value or 'on'
            else:
                self.fields.setdefault(name, None)
        else:
            if kind == 'hidden':
                self.hidden.add(name)
            elif kind == 'password':
                self.passwords.append(name)
            elif kind == 'text':
                self.text_boxes.append(name)
            self.fields[name] = value

    def _label(self, name):
        if name in self.fields and self._row_label:   # a form field, not a control
            self.labels.setdefault(name, self._row_label)

    def text(self, key):
        return self.texts.get(key) or None

    def option_text(self, name, value):
        """The visible text of option `value` of select `name`, or None if it offers none such."""
        return next((text.strip() for option, text in self.options.get(name, ()) if option == value), None)

    def option_value(self, name, text):
        """The value of the option of select `name` showing `text`, or None."""
        return next((option for option, shown in self.options.get(name, ()) if shown.strip() == text), None)

    def error_code(self):
        """The n of the result line's ERROR[n], or None."""
        found = _ERROR_CODE.match(self.text('error') or '')
        return int(found.group(1)) if found else None

    def error_message(self):
        """The result line's error without its ERROR[n] code, or None."""
        error = self.text('error')
        return _ERROR_CODE.sub('', error) if error else None

    def model(self):
        """The model name: the header's, else the title's last part (Sharp: "Login - BP-C131PW")."""
        title = self.text('title') or ''
        return self.text('model') or (title.rsplit(' - ', 1)[1].strip() if ' - ' in title else None)
