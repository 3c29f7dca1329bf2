# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection sends what public clients of real Sharp printers send, and reads what those pages show
(tests/fixtures/sharp/captures.yml names the sources)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
import yaml

from ansible_collections.printfleet.mfp.plugins.module_utils._page import Page

CAPTURES = yaml.safe_load((Path(__file__).parents[3] / 'fixtures' / 'sharp' / 'captures.yml').read_text('utf-8'))
ADMIN_PASSWORD = 'Admin-Secret-1'


def posted_as_captured(posted, captured, allowed_extra=()):
    """`posted` (a form) holds every field of the `captured` body with its value, placeholders aside;
    beyond them only `allowed_extra` fields."""
    expected = urllib.parse.parse_qsl(captured, keep_blank_values=True)
    for name, value in expected:
        assert name in posted, 'the collection did not post %s (captured: %s)' % (name, captured)
        if value == '<password>':
            assert posted[name] == ADMIN_PASSWORD
        elif value == '<user>':
            assert posted[name] == 'admin'
        elif value == '<token2>':
            assert len(posted[name]) == 80
        elif value != '<any>':
            assert posted[name] == value, (name, posted[name], value)
    extra = set(posted) - set(dict(expected))
    assert extra <= set(allowed_extra), 'posted beyond the capture: %s' % sorted(extra)


@pytest.mark.parametrize('capture', CAPTURES['logins'], ids=lambda capture: capture['authentication'])
@pytest.mark.parametrize('lang', ['en', 'sv'])
def test_the_login_posts_what_the_captured_client_posts(device, task, capture, lang):
    device.login_mode, device.lang = capture['authentication'], lang
    result = task('mfp_oauth_token', state='query', mfp_admin_user='admin')
    assert not result.get('failed'), result
    logins = [form for path, form in device.posts if path == '/login.html']
    assert len(logins) == len(capture['steps'])
    for posted, captured in zip(logins, capture['steps']):
        # The two-step form's second page carries ggt_hidden(10008)=3 (issue 9), which pba_print leaves out.
        posted_as_captured(posted, captured, allowed_extra=['ggt_hidden(10008)'])


@pytest.mark.parametrize('profile, model', [('bp_classic', 'BP-C131PW'), ('mx_classic', 'MX-3071'),
                                            ('bp_a3', 'BP-B550WD'), ('bp_a3_panel', 'BP-70C65')])
def test_a_settings_post_carries_every_hidden_field_as_captured_clients_do(device, task, profile, model):
    device.profile, device.model = profile, model
    assert not task('mfp_smtp', port=25, mfp_admin_user='admin').get('failed')
    ((path, form),) = device.writes()
    hidden = [name.replace('<page>', path.strip('/').rsplit('.', 1)[0]) for name in CAPTURES['settings_post']['hidden']]
    assert all(form.get(name) is not None for name in hidden), form
    assert form['action'] == device.controls['submit']
    assert len(form['token1']) == len(form['token2']) == 80


def test_delete_is_one_post_as_sharps_app_sends_it(device, task):
    device.set_token('obtained', 'scan@contoso.example')
    assert task('mfp_oauth_token', state='absent')['changed']
    assert device.pressed() == [CAPTURES['fragments']['delete']['action']]


def test_captured_fragments_read_as_the_device_means_them():
    fragments = CAPTURES['fragments']
    control = Page('<form>%s</form>' % fragments['control']['html'])
    assert control.controls == {'export_btn': 'Execute(J)'} and control.fields == {}   # a control is never posted
    assert Page(fragments['result_ok']['html']).text('status') == 'The settings have been saved.'
    busy = Page(fragments['result_busy']['html'])
    assert busy.error_code() == 5000 and busy.error_message() == 'The machine is busy. Try again later.'
    for title in fragments['login_title']['titles']:
        assert Page('<title>%s</title>' % title).model() == 'BP-71C65'
