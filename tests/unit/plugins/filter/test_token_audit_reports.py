# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleet report in each format: what a reviewer, a spreadsheet, a CI system and a browser get."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET

import junitparser
import pytest

from ansible_collections.printfleet.mfp.plugins.filter.token_audit_csv import token_audit_csv
from ansible_collections.printfleet.mfp.plugins.filter.token_compliance import BASIC_AUTH_ENDS
from ansible_collections.printfleet.mfp.plugins.filter.token_audit_html import token_audit_html
from ansible_collections.printfleet.mfp.plugins.filter.token_audit_junit import token_audit_junit
from ansible_collections.printfleet.mfp.plugins.filter.token_audit_summary import token_audit_summary
from ansible_collections.printfleet.mfp.plugins.filter.token_audit_table import token_audit_table
from ansible_collections.printfleet.mfp.tests.unit.plugins.filter.audit_results import (
    ADMIN_PASSWORD, BROWSER_SIGN_IN, MAIL_PASSWORD, failed, fleet, queried, row, unreachable,
)

# What every report says of the Swedish printer whose token the provider revoked: the device's message
# as shown, and what its code means and what to do.
REVOKED = ("token is Invalid (Ogiltig): Token är inte längre giltig (AADSTS50173): the account's password was reset "
           "or its sessions revoked — run the roll-out to renew")
HOSTILE_ACCOUNT = '"><script>alert(1)</script><img src=x onerror=alert(2)>@evil.example'


def by_host(rows):
    return {entry['host']: entry for entry in rows}


def test_summary_counts_every_status_and_token_state():
    assert token_audit_summary(fleet()) == {
        'hosts': 8,
        'status': {'compliant': 2, 'noncompliant': 4, 'unreachable': 1, 'error': 1},
        'token_state': {'obtained': 3, 'waiting_for_authorization': 1, 'not_obtained': 1, 'invalid': 1,
                        'unknown': 2},
    }


def test_csv_round_trips_every_row_with_the_devices_own_labels():
    lines = list(csv.DictReader(io.StringIO(token_audit_csv(fleet()), newline='')))
    rows = by_host(lines)

    assert [line['host'] for line in lines] == [entry['host'] for entry in fleet()]
    assert rows['mfp-sto-05'] == {
        'host': 'mfp-sto-05', 'address': '192.0.2.10', 'status': 'noncompliant', 'token_state': 'invalid',
        'token_label': 'Ogiltig', 'token_account': 'scan@contoso.example',
        'token_message': 'Token är inte längre giltig (AADSTS50173).', 'provider_code': 'AADSTS50173',
        'provider': 'microsoft', 'account': 'scan@contoso.example', 'smtp_auth_method': 'oauth2',
        'pop_auth_method': 'oauth2', 'mail_verified': '', 'reasons': REVOKED, 'sign_in': '', 'sign_in_address': '',
        'user_code': '',
    }
    assert {key: rows['mfp-sto-06'][key] for key in ('sign_in', 'sign_in_address', 'user_code')} == {
        'sign_in': 'device_code', 'sign_in_address': 'https://login.microsoftonline.com/common/oauth2/deviceauth',
        'user_code': 'F7K2QW9M'}
    assert rows['mfp-sto-06']['token_label'] == 'Väntar på auktorisering'
    assert rows['mfp-hq-02']['reasons'] == ('SMTP uses smtp_auth, not OAuth 2.0' + BASIC_AUTH_ENDS + '; POP uses plain, not OAuth 2.0; '
                                            'token is Not obtained')
    assert rows['mfp-hq-06']['status'] == 'unreachable'
    assert rows['mfp-hq-06']['token_state'] == 'unknown'
    assert rows['mfp-hq-06']['reasons'].startswith('Cannot reach the device at https://192.0.2.6:443')


# OWASP's formula starts; a spreadsheet may drop a leading tab or CR and run what follows.
@pytest.mark.parametrize('account', ['=HYPERLINK("http://evil.example","x")', '+1+1', '-1+1', '@SUM(A1:A2)',
                                     '\t=1+1', '\r=1+1'])
def test_csv_keeps_a_spreadsheet_from_running_a_cell_as_a_formula(account):
    hostile = row('mfp-x', queried(account=account, token_account=None))

    line = next(csv.DictReader(io.StringIO(token_audit_csv([hostile]), newline='')))

    assert line['account'] == "'" + account


def test_junit_is_read_by_a_junit_consumer_with_the_right_counts():
    suites = junitparser.JUnitXml.fromstring(token_audit_junit(fleet(), generated_at='2026-11-27T10:00:00Z'))
    suite = next(iter(suites))

    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (8, 4, 2, 0)
    assert suite.timestamp == '2026-11-27T10:00:00Z'
    cases = {case.name: case for case in suite}
    assert cases['mfp-hq-01'].is_passed
    assert cases['mfp-sto-01'].is_passed
    failure, = cases['mfp-sto-05'].result
    assert isinstance(failure, junitparser.Failure)
    assert failure.message == REVOKED
    assert 'token message: Token är inte längre giltig (AADSTS50173).' in cases['mfp-sto-05'].system_out
    unreachable, = cases['mfp-hq-06'].result
    assert isinstance(unreachable, junitparser.Error)
    assert unreachable.type == 'unreachable'
    wrong_password, = cases['mfp-hq-07'].result
    assert (wrong_password.type, wrong_password.message) == (
        'error', 'Login to mfp-hq-07 failed: Login failed. Check the login name and password.')
    assert 'token: Waiting for authorization (Väntar på auktorisering)' in cases['mfp-sto-06'].system_out


def test_junit_lists_every_reason_of_a_failure():
    suite = next(iter(junitparser.JUnitXml.fromstring(token_audit_junit(fleet()))))
    failure, = next(case for case in suite if case.name == 'mfp-hq-02').result

    assert failure.text.splitlines() == ['SMTP uses smtp_auth, not OAuth 2.0' + BASIC_AUTH_ENDS, 'POP uses plain, not OAuth 2.0',
                                         'token is Not obtained']


def test_junit_stays_well_formed_when_a_device_sends_control_characters():
    rows = [row('mfp-x', queried(account='scan\x00\x1b@contoso.example', token_account='x@contoso.example'))]

    suite = next(iter(junitparser.JUnitXml.fromstring(token_audit_junit(rows))))

    failure, = next(iter(suite)).result
    assert failure.message == 'token issued for x@contoso.example but account is scan\ufffd\ufffd@contoso.example'


def html_rows(page):
    """(row class, host) of each table row, in the page's order."""
    return re.findall(r'<tr class="([a-z_-]+)"><td>([^<]+)</td>', page)


def test_html_colours_each_printer_by_its_compliance_and_lists_those_to_act_on_first():
    page = token_audit_html(fleet(), generated_at='2026-11-27T10:00:00Z')

    assert html_rows(page) == [
        ('status-noncompliant', 'mfp-hq-02'), ('status-noncompliant', 'mfp-hq-04'),
        ('status-noncompliant', 'mfp-sto-05'), ('status-noncompliant', 'mfp-sto-06'),
        ('status-error', 'mfp-hq-07'), ('status-unreachable', 'mfp-hq-06'),
        ('status-compliant', 'mfp-hq-01'), ('status-compliant', 'mfp-sto-01'),
    ]
    assert ('<td>Invalid (Ogiltig)<div class="message">Token är inte längre giltig (AADSTS50173).</div></td>'
            in page)
    assert '<td>Obtained (Hämtad)</td>' in page
    assert '<span class="badge status-unreachable">unreachable</span>' in page
    assert '<time datetime="2026-11-27T10:00:00Z">2026-11-27T10:00:00Z</time>' in page


def test_html_lists_the_printers_of_a_status_by_host_whatever_order_they_came_in():
    assert html_rows(token_audit_html(list(reversed(fleet())))) == html_rows(token_audit_html(fleet()))


@pytest.mark.parametrize('result, policy', [
    (queried(token_account='old@contoso.example'), {}),
    (queried(smtp_auth='smtp_auth'), {}),
    (queried(provider='google'), {'expected_provider': 'microsoft'}),
])
def test_html_shows_an_obtained_token_that_does_not_comply_as_noncompliant(result, policy):
    page = token_audit_html([row('mfp-hq-01', queried()), row('mfp-x', result, **policy)])

    assert html_rows(page) == [('status-noncompliant', 'mfp-x'), ('status-compliant', 'mfp-hq-01')]
    assert re.search(r'<tr class="status-noncompliant"><td>mfp-x</td><td>[^<]*</td><td>Obtained</td>', page)


def test_html_gives_the_sign_in_a_waiting_token_needs():
    page = token_audit_html(fleet())

    assert ('<td>Waiting for authorization (Väntar på auktorisering)<div class="sign-in">Sign in at '
            '<code>https://login.microsoftonline.com/common/oauth2/deviceauth</code> with code <code>F7K2QW9M</code> '
            'before 2026-11-27T10:15:00Z</div></td>') in page
    assert page.count('class="sign-in"') == 1


def browser_row():
    return row('mfp-a3', queried(state='waiting_for_authorization', label='Waiting for Authorization',
                                 token_account=None, sign_in=BROWSER_SIGN_IN))


def test_every_report_gives_the_address_of_a_browser_sign_in():
    address = BROWSER_SIGN_IN['sign_in_url']
    page = token_audit_html([browser_row()])
    assert ('<div class="sign-in">Open <code>%s</code> in a browser and sign in before 2026-11-27T10:15:00Z</div>'
            % address.replace('&', '&amp;')) in page
    [line] = csv.DictReader(io.StringIO(token_audit_csv([browser_row()]), newline=''))
    assert (line['sign_in'], line['sign_in_address'], line['user_code']) == ('browser', address, '')
    assert token_audit_table([browser_row()])[1].endswith(
        'token is Waiting for authorization; sign in: open %s in a browser' % address)
    assert token_audit_table(fleet())[[entry['host'] for entry in fleet()].index('mfp-sto-06') + 1].endswith(
        'sign in: code F7K2QW9M at https://login.microsoftonline.com/common/oauth2/deviceauth')


def test_html_takes_a_row_without_a_sign_in():
    """The role reports a printer that left the play before the audit with a row of its own."""
    left = {'host': 'mfp-x', 'status': 'error', 'reasons': ['not audited'], 'smtp': None, 'pop': None}

    page = token_audit_html([left])

    assert html_rows(page) == [('status-error', 'mfp-x')]
    assert '<td>Not read</td>' in page


def test_html_counts_printers_per_status_and_per_token_state():
    page = token_audit_html(fleet())

    assert re.findall(r'<li class="status-([a-z]+)"><b>(\d+)</b>', page) == [
        ('compliant', '2'), ('noncompliant', '4'), ('unreachable', '1'), ('error', '1')]
    assert re.findall(r'<li class="state-([a-z_]+)"><b>(\d+)</b>', page) == [
        ('obtained', '3'), ('waiting_for_authorization', '1'), ('not_obtained', '1'), ('invalid', '1'), ('unknown', '2')]


def test_html_gives_the_reason_for_each_non_compliance():
    page = token_audit_html(fleet())

    assert ('<li>OAuth account is old-scan@contoso.example, expected scan@contoso.example</li>') in page
    assert '<li>Login to mfp-hq-07 failed: Login failed. Check the login name and password.</li>' in page
    assert '<li>%s</li>' % html.escape(REVOKED) in page


def test_html_escapes_what_the_device_says():
    hostile = row('mfp-x', queried(account=HOSTILE_ACCOUNT, token_account='old@contoso.example',
                                   label='<b>Obtained</b>', message=('<script>alert(5)</script>', None),
                                   sign_in={'user_code': '<script>alert(3)</script>',
                                            'verification_uri': '"><img src=x onerror=alert(4)>',
                                            'expires_at': '<b>soon</b>'}))

    page = token_audit_html([hostile], title='<i>Fleet</i>')

    assert '<script' not in page
    assert '<img' not in page
    assert '<b>Obtained' not in page and '<b>soon' not in page and '<i>' not in page
    assert '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;' in page
    assert '<code>&lt;script&gt;alert(3)&lt;/script&gt;</code>' in page


def test_html_is_self_contained():
    page = token_audit_html(fleet())

    assert '<style>' in page
    assert not re.search(r'<script|<link|<img|<iframe|\bsrc=|\bhref=|@import|url\(', page)


def test_table_has_one_aligned_line_per_printer():
    lines = token_audit_table(fleet())

    assert lines[0].split() == ['HOST', 'TOKEN', 'STATUS', 'REASONS']
    assert len(lines) == 1 + len(fleet())
    status_column = lines[0].index('STATUS')
    statuses = {line[status_column:].split()[0] for line in lines[1:]}
    assert statuses == {'compliant', 'noncompliant', 'unreachable', 'error'}
    assert lines[4].split('  ')[0] == 'mfp-sto-05'
    assert lines[4].endswith('noncompliant  ' + REVOKED)
    assert lines[1].endswith('compliant')
    assert re.match(r'mfp-hq-06 +- +unreachable +Cannot reach the device', lines[7])


@pytest.mark.parametrize('render', [token_audit_csv, token_audit_junit, token_audit_html,
                                    lambda rows: '\n'.join(token_audit_table(rows)),
                                    lambda rows: json.dumps(token_audit_summary(rows))])
def test_no_report_carries_a_secret(render):
    result = queried()
    result['ansible_facts']['mfp_oauth']['smtp']['password'] = MAIL_PASSWORD
    result['ansible_facts']['mfp_oauth']['pop']['access_token'] = MAIL_PASSWORD
    result['invocation'] = {'module_args': {'mfp_admin_password': ADMIN_PASSWORD}}
    locked_out = failed('Login to mfp-y failed: Login failed. Check the login name and password.')
    locked_out['invocation'] = {'module_args': {'mfp_admin_password': ADMIN_PASSWORD}}

    report = render([row('mfp-x', result), row('mfp-y', locked_out)])

    assert ADMIN_PASSWORD not in report
    assert MAIL_PASSWORD not in report
    assert not re.search(r'password|access_token', report.replace('login name and password', ''))


@pytest.mark.parametrize('count, heading', [(1, '1 printer</p>'), (2, '2 printers</p>')])
def test_html_counts_the_printers_in_words_that_agree(count, heading):
    page = token_audit_html(fleet()[:count], generated_at='2026-11-27T10:00:00Z')
    assert page.count(heading) == 1


PASSED = {'passed': True, 'message': 'Connection test succeeded. 235 2.7.0 Authentication successful'}
REFUSED = {'passed': False,
           'message': 'Connection test failed. 550 5.7.30 Basic authentication is not supported for Client Submission'}


def verified_fleet():
    """An audit that pressed each reachable printer's Connection Test: one on OAuth 2.0 that passed, one on
    basic authentication that its tenant refuses, and one that did not answer (not tested)."""
    return [
        row('mfp-hq-01', dict(queried(), mail_verified=PASSED)),
        row('mfp-hq-02', dict(queried(smtp_auth='smtp_auth', pop_auth='plain'), mail_verified=REFUSED),
            require_oauth2=False),
        row('mfp-hq-06', unreachable('Cannot reach the device at https://192.0.2.6:443 (GET /login.html): '
                                     'Connection refused')),
    ]


def test_every_report_says_whether_mail_was_verified_and_what_the_server_answered():
    rows = verified_fleet()

    assert [line['mail_verified'] for line in csv.DictReader(io.StringIO(token_audit_csv(rows), newline=''))] == [
        'yes', 'no', '']
    table = token_audit_table(rows)
    assert table[0].split() == ['HOST', 'TOKEN', 'MAIL', 'STATUS', 'REASONS']
    assert [line.split()[:4] for line in table[1:]] == [
        ['mfp-hq-01', 'Obtained', 'yes', 'compliant'], ['mfp-hq-02', 'Obtained', 'no', 'noncompliant'],
        ['mfp-hq-06', '-', '-', 'unreachable']]
    assert table[2].endswith('noncompliant  mail not verified: ' + REFUSED['message'])


def test_junit_gives_each_verified_printer_a_property_and_the_servers_answer():
    document = token_audit_junit(verified_fleet())
    cases = {case.name: case for case in next(iter(junitparser.JUnitXml.fromstring(document)))}
    # junitparser reads no properties of a test case: the JUnit schema's testcase/properties, read as XML.
    properties = {case.get('name'): [(prop.get('name'), prop.get('value')) for prop in case.iter('property')]
                  for case in ET.fromstring(document).iter('testcase')}

    assert properties == {'mfp-hq-01': [('mail_verified', 'yes')], 'mfp-hq-02': [('mail_verified', 'no')],
                          'mfp-hq-06': []}
    assert cases['mfp-hq-01'].is_passed
    assert 'mail verified: yes: ' + PASSED['message'] in cases['mfp-hq-01'].system_out
    failure, = cases['mfp-hq-02'].result
    assert failure.message == 'mail not verified: ' + REFUSED['message']


def test_html_shows_a_mail_verified_column_with_the_servers_answer():
    page = token_audit_html(verified_fleet())

    titles = re.findall(r'<th scope="col">([^<]+)</th>', page)
    assert titles[-3:] == ['Mail verified', 'Status', 'Reasons']
    hq02 = re.search(r'<tr class="status-noncompliant"><td>mfp-hq-02</td>.*?</tr>', page).group(0)
    assert '<span class="mail-no">no</span><div class="message">%s</div>' % html.escape(REFUSED['message']) in hq02
    hq01 = re.search(r'<tr class="status-compliant"><td>mfp-hq-01</td>.*?</tr>', page).group(0)
    assert '<span class="mail-yes">yes</span>' in hq01
    assert len(re.findall(r'<td', re.search(r'<td>mfp-hq-06</td>.*?</tr>', page).group(0))) == len(titles)


def test_reports_of_an_audit_that_did_not_verify_mail_have_no_mail_column():
    assert 'MAIL' not in token_audit_table(fleet())[0]
    assert 'Mail verified' not in token_audit_html(fleet())
    assert '<properties>' not in token_audit_junit(fleet())
