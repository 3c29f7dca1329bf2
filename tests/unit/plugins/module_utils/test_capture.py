# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The capture's sanitizer, on markup shaped like the public captures of Sharp pages (EVIDENCE.md)."""

from __future__ import annotations

from ansible_collections.printfleet.mfp.plugins.module_utils._capture import Sanitizer

TOKEN1 = '3f9a' * 20
TOKEN2 = 'c0ffee12' * 10
JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzY2FuQGNvbnRvc28uZXhhbXBsZSJ9.c2lnbmF0dXJl'
SETTINGS_PAGE = (
    '<form name="main" method="post" action="/nw_service_smtp.html">'
    '<input type="hidden" name="nw_service_smtpWebchange" value="">'
    '<input type="hidden" name="action" value="">'
    '<input type="hidden" name="ordinate" value="0">'
    '<input type="hidden" name="token1" value="%s">'
    "<input type=hidden name='token2' value='%s'>"
    '<input type="text" name="ggt_textbox(8)" value="scanner-user">'
    '<input type="password" name="ggt_textbox(9)" value="Smtp-Pass-1">'
    '<input type="text" name="ggt_textbox(12)" value="Scan@Contoso.example">'
    '<input name="export_btn" type="button" value="Execute(J)" onclick="validate(this.name)">'
    '</form><table id="tokenPanel"><tr><td id="tokenUserCode">F7K2QW9M</td></tr>'
    '<tr><td id="tokenVerificationUri">https://login.example.test/device?code=F7K2QW9M&amp;tenant=contoso</td></tr>'
    '<tr><td id="tokenAccount">scan@contoso.example</td></tr></table>'
    '<script>var access = "%s"; location.href = "/logout.html?sid=S3cr3tSess&lang=en";</script>'
    '<p>Administrator: admin. Password hint: Admin-Secret-1</p>'
) % (TOKEN1, TOKEN2, JWT)


def sanitized(markup=SETTINGS_PAGE, headers=()):
    sanitizer = Sanitizer(secrets=['Admin-Secret-1', 'admin'], secret_fields=['ggt_textbox(8)', 'ggt_textbox(12)'],
                          secret_ids=['tokenUserCode'])
    exchange = {'method': 'GET', 'path': '/nw_service_smtp.html', 'posted_fields': None, 'status': 200,
                'headers': list(headers), 'body': markup}
    return sanitizer.exchanges([exchange])[0]


def test_every_secret_of_a_settings_page_is_replaced():
    body = sanitized()['body']
    for secret in (TOKEN1, TOKEN2, JWT, 'F7K2QW9M', 'scanner-user', 'Smtp-Pass-1', 'S3cr3tSess', 'Admin-Secret-1',
                   'contoso', 'Contoso'):
        assert secret not in body


def test_placeholders_say_what_was_there_and_keep_the_page_usable():
    body = sanitized()['body']
    assert '<input type="hidden" name="token1" value="masked-token1-80">' in body
    assert "<input type=hidden name='token2' value=\"masked-token2-80\">" in body
    assert 'name="ggt_textbox(9)" value="masked-password-11"' in body
    assert 'name="ggt_textbox(8)" value="masked-field-12"' in body
    assert '<td id="tokenUserCode">masked-text-8</td>' in body
    # The same address, in whatever case, gets the same placeholder address.
    assert 'name="ggt_textbox(12)" value="account1@example.invalid"' in body
    assert '<td id="tokenAccount">account1@example.invalid</td>' in body
    assert 'https://login.example.test/device?masked-query' in body
    assert '/logout.html?sid=masked-parameter-10&lang=en' in body
    assert 'var access = "masked-jwt-' in body


def test_what_is_no_secret_stays():
    body = sanitized()['body']
    for kept in ('name="nw_service_smtpWebchange" value=""', 'name="ordinate" value="0"', 'name="action" value=""',
                 'value="Execute(J)" onclick="validate(this.name)"', 'action="/nw_service_smtp.html"'):
        assert kept in body
    # The admin user `admin` is masked as a word, not inside "Administrator".
    assert '<p>Administrator: masked-secret-5. Password hint: masked-secret-14</p>' in body


def test_cookies_are_masked_in_headers_and_wherever_they_appear_again():
    headers = [('Set-Cookie', 'MFPSESSIONID=AbC123xyz987QWE; Path=/; Secure; HttpOnly'),
               ('Location', '/nw_service_smtp.html'), ('Server', 'Rapid Logic/1.1')]
    exchange = sanitized('<script>document.cookie = "MFPSESSIONID=AbC123xyz987QWE";</script>', headers)
    assert exchange['headers'] == [['Set-Cookie', 'MFPSESSIONID=masked-cookie-15; Path=/; Secure; HttpOnly'],
                                   ['Location', '/nw_service_smtp.html'], ['Server', 'Rapid Logic/1.1']]
    assert 'AbC123xyz987QWE' not in exchange['body']


def test_a_deleted_cookie_masks_nothing_else():
    exchange = sanitized('<input type="password" name="ggt_password(9)" value="">',
                         [('Set-Cookie', 'MFPSESSIONID=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/')])
    assert exchange['body'] == '<input type="password" name="ggt_password(9)" value="">'
    assert exchange['headers'][0][1].startswith('MFPSESSIONID=masked-cookie-2; expires=')


def test_results_are_sanitized_too():
    sanitizer = Sanitizer(secrets=['F7K2QW9M'])
    assert sanitizer.value({'tokens': [{'user_code': 'F7K2QW9M', 'account': 'scan@contoso.example', 'state': 'x'}],
                            'held': True}) == {
        'tokens': [{'user_code': 'masked-secret-8', 'account': 'account1@example.invalid', 'state': 'x'}], 'held': True}
