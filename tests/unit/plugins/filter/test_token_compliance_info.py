# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The audit reads through mfp_info: the same verdict as from a token query, and pages it cannot read named."""

from __future__ import annotations

import pytest

from ansible_collections.printfleet.mfp.plugins.filter.token_compliance import token_compliance
from ansible_collections.printfleet.mfp.plugins.module_utils import _profiles as profiles
from ansible_collections.printfleet.mfp.tests.unit.plugins.fake_device import SIGN_IN_URL

SCAN = 'scan@contoso.example'


def on_oauth2(device, state, account=SCAN):
    for page in ('smtp', 'pop'):
        device.settings[page]['auth_method'] = 'oauth2'
    device.settings['oauth'] = {'provider': 'microsoft', 'account': SCAN}
    device.token.update(state=state, account=account if state == 'obtained' else None,
                        user_code='F7K2QW9M' if state == 'waiting_for_authorization' else None)


@pytest.mark.parametrize('state, account, lang', [
    ('obtained', SCAN, 'en'), ('obtained', 'old-scan@contoso.example', 'sv'), ('invalid', SCAN, 'sv'),
    ('waiting_for_authorization', None, 'en'), ('not_obtained', None, 'en'),
])
def test_the_verdict_from_mfp_info_is_the_verdict_from_a_token_query(device, task, state, account, lang):
    device.lang = lang
    on_oauth2(device, state, account)
    policy = dict(expected_provider='microsoft', expected_account=SCAN)
    assert token_compliance(task('mfp_info'), **policy) == token_compliance(task('mfp_oauth_token', state='query'),
                                                                            **policy)


def test_a_printer_waiting_for_a_sign_in_carries_it_from_the_smtp_token_panel(device, task):
    on_oauth2(device, 'waiting_for_authorization')
    row = token_compliance(task('mfp_info'), require_obtained=False)
    assert row['status'] == 'compliant'
    assert row['sign_in'] == {'kind': 'device_code', 'user_code': 'F7K2QW9M', 'sign_in_url': None,
                              'verification_uri': 'https://idp.example.test/devicelogin',
                              'expires_at': '2026-11-27T10:15:00Z'}


def test_a_printer_waiting_for_a_browser_sign_in_carries_its_address_from_the_token_panel(device, task):
    on_oauth2(device, 'waiting_for_authorization')
    device.token.update(user_code=None, sign_in_url=SIGN_IN_URL)
    row = token_compliance(task('mfp_info'), require_obtained=False)
    assert row['sign_in'] == {'kind': 'browser', 'user_code': None, 'verification_uri': None,
                              'sign_in_url': SIGN_IN_URL, 'expires_at': '2026-11-27T10:15:00Z'}


def test_a_token_status_the_profile_does_not_know_is_an_error_that_names_it(device, task, monkeypatch):
    render = device._page
    monkeypatch.setattr(device, '_page', lambda *args, **kwargs: render(*args, **kwargs).replace('Not Obtained', 'Revoked'))
    row = token_compliance(task('mfp_info'))
    assert row['status'] == 'error' and row['smtp'] is None
    assert row['reasons'] == [
        "the %s page was not understood: Unknown token status label 'Revoked' (language 'en'); known labels: "
        "Invalid, Not Obtained, Obtained, Waiting for Authorization." % name for name in ('SMTP', 'POP')]


def test_a_page_the_printer_does_not_serve_is_an_error_that_names_it(device, task, monkeypatch):
    monkeypatch.setitem(profiles.family()['paths'], 'pop', '/sys_email_status_oauth.html')
    row = token_compliance(task('mfp_info'))
    assert row['status'] == 'error'
    assert row['reasons'] == ['the POP page was not read: mfp.example.test answered GET /sys_email_status_oauth.html '
                              'with HTTP 404.']


def test_an_a3_printer_with_its_own_pop_token_is_judged_per_page(device, task):
    device.profile, device.model = 'bp_a3', 'BP-B550WD'
    on_oauth2(device, 'obtained')
    device.settings['pop_oauth'] = {'provider': 'microsoft', 'account': 'old-scan@contoso.example'}
    device.pop_token.update(state='waiting_for_authorization', user_code='P0PC0DE9')
    result = task('mfp_info')
    assert result['expectations_held'] and result['oauth']['pop']['account'] == 'old-scan@contoso.example'
    row = token_compliance(result, expected_provider='microsoft', expected_account=SCAN)
    assert row['status'] == 'noncompliant'
    assert row['reasons'] == ['POP: OAuth account is old-scan@contoso.example, expected scan@contoso.example',
                              'POP: token is Waiting for authorization']
    assert row['sign_in']['user_code'] == 'P0PC0DE9'
    assert token_compliance(task('mfp_oauth_token', state='query'), expected_provider='microsoft',
                            expected_account=SCAN)['reasons'] == row['reasons']
