# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""token_compliance: each finding of the manual's token states and of the policy, in words."""

from __future__ import annotations

import json

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.printfleet.mfp.plugins.filter.token_compliance import BASIC_AUTH_ENDS, FilterModule, token_compliance
from ansible_collections.printfleet.mfp.tests.unit.plugins.filter.audit_results import (
    ADMIN_PASSWORD, BROWSER_SIGN_IN, MAIL_PASSWORD, SCAN, SIGN_IN, failed, queried, unreachable,
)


def test_obtained_token_for_the_expected_account_over_oauth2_complies():
    verdict = token_compliance(queried(), expected_provider='microsoft', expected_account=SCAN)

    assert verdict['status'] == 'compliant'
    assert verdict['reasons'] == []
    assert verdict['smtp'] == {'state': 'obtained', 'label': 'Obtained', 'provider': 'microsoft', 'account': SCAN,
                               'token_account': SCAN, 'auth_method': 'oauth2', 'message': None,
                               'provider_code': None}


def test_each_page_not_on_oauth2_is_a_finding():
    verdict = token_compliance(queried(smtp_auth='smtp_auth', pop_auth='plain'))

    assert verdict == {**verdict, 'status': 'noncompliant',
                       'reasons': ['SMTP uses smtp_auth, not OAuth 2.0' + BASIC_AUTH_ENDS, 'POP uses plain, not OAuth 2.0']}


def test_smtp_without_authentication_says_so():
    assert token_compliance(queried(smtp_auth='none'))['reasons'] == ['SMTP uses no authentication, not OAuth 2.0']


def test_user_password_authentication_is_allowed_when_oauth2_is_not_required():
    verdict = token_compliance(queried(smtp_auth='smtp_auth', pop_auth='apop'), require_oauth2=False)

    assert verdict['status'] == 'compliant'


@pytest.mark.parametrize('state, label, reason', [
    ('invalid', 'Ogiltig', 'token is Invalid (Ogiltig)'),
    ('invalid', 'Invalid', 'token is Invalid'),
    ('waiting_for_authorization', 'Waiting for Authorization', 'token is Waiting for authorization'),
    ('waiting_for_authorization', 'Väntar på auktorisering', 'token is Waiting for authorization (Väntar på auktorisering)'),
    ('not_obtained', 'Not Obtained', 'token is Not obtained'),
    ('not_obtained', 'Ej hämtad', 'token is Not obtained (Ej hämtad)'),
])
def test_a_token_that_is_not_obtained_is_named_with_the_devices_own_label(state, label, reason):
    verdict = token_compliance(queried(state=state, label=label))

    # Both pages show the one shared token: one finding, not two.
    assert verdict['reasons'] == [reason]
    assert verdict['status'] == 'noncompliant'


def test_a_token_that_is_not_obtained_is_allowed_when_not_required():
    verdict = token_compliance(queried(state='not_obtained', label='Ej hämtad', token_account=None),
                               require_obtained=False)

    assert verdict['status'] == 'compliant'


def test_an_invalid_token_is_a_finding_even_when_obtained_is_not_required():
    verdict = token_compliance(queried(state='invalid', label='Ogiltig'), require_obtained=False)
    assert verdict['status'] == 'noncompliant'
    assert verdict['reasons'] == ['token is Invalid (Ogiltig)']


@pytest.mark.parametrize('message, label, reason', [
    (('The token is no longer valid (AADSTS50173).', 'AADSTS50173'), 'Invalid',
     "token is Invalid: The token is no longer valid (AADSTS50173): the account's password was reset or its sessions "
     'revoked — run the roll-out to renew'),
    (('Token är inte längre giltig (AADSTS700082).', 'AADSTS700082'), 'Ogiltig',
     'token is Invalid (Ogiltig): Token är inte längre giltig (AADSTS700082): the token went unused for 90 days and '
     'expired — run the roll-out to renew; audit printers that rarely send mail regularly'),
    (('The token is no longer valid (AADSTS99999).', 'AADSTS99999'), 'Invalid',
     'token is Invalid: The token is no longer valid (AADSTS99999)'),
])
def test_an_invalid_token_carries_the_providers_reason(message, label, reason):
    verdict = token_compliance(queried(state='invalid', label=label, message=message))
    assert verdict['reasons'] == [reason]


BLOCKED = ('Token kunde inte hämtas (AADSTS53003).', 'AADSTS53003')


def test_a_sign_in_conditional_access_refused_is_a_finding_even_during_a_roll_out():
    verdict = token_compliance(queried(state='not_obtained', label='Ej hämtad', token_account=None, message=BLOCKED),
                               require_obtained=False)
    assert verdict['status'] == 'noncompliant'
    reason, = verdict['reasons']
    assert reason.startswith("token is Not obtained (Ej hämtad): Token kunde inte hämtas (AADSTS53003): the tenant's "
                             'Conditional Access blocks device code sign-in')
    assert verdict['smtp']['provider_code'] == 'AADSTS53003'


def test_a_declined_sign_in_is_accepted_during_a_roll_out():
    verdict = token_compliance(queried(state='not_obtained', label='Not Obtained', token_account=None,
                                       message=('Authorization was declined.', None)), require_obtained=False)
    assert verdict['status'] == 'compliant'


@pytest.mark.parametrize('provider', ['Microsoft', 'yahoo'])
def test_an_expected_provider_the_modules_do_not_know_is_refused(provider):
    with pytest.raises(AnsibleFilterError, match="expected_provider must be one of microsoft, google, not '%s'" % provider):
        token_compliance(queried(), expected_provider=provider)


def test_a_token_issued_for_the_old_account_after_an_account_change():
    verdict = token_compliance(queried(token_account='old@contoso.example'))

    assert verdict['reasons'] == ['token issued for old@contoso.example but account is scan@contoso.example']


def test_a_token_left_behind_when_the_account_was_cleared():
    verdict = token_compliance(queried(account=None, token_account='old@contoso.example'))

    assert verdict['reasons'] == ['token issued for old@contoso.example but no account is set']


def test_the_account_is_compared_without_regard_to_case():
    verdict = token_compliance(queried(account='Scan@Contoso.example', token_account='SCAN@contoso.example'),
                               expected_account=SCAN)

    assert verdict['status'] == 'compliant'


def test_another_account_than_expected():
    verdict = token_compliance(queried(account='old@contoso.example', token_account='old@contoso.example'),
                               expected_account=SCAN)

    assert verdict['reasons'] == ['OAuth account is old@contoso.example, expected scan@contoso.example']


def test_no_account_where_one_is_expected():
    verdict = token_compliance(queried(state='not_obtained', label='Not Obtained', account=None, token_account=None),
                               expected_account=SCAN, require_obtained=False)

    assert verdict['reasons'] == ['no OAuth account is set, expected scan@contoso.example']


@pytest.mark.parametrize('provider, reason', [
    ('google', 'OAuth provider is google, expected microsoft'),
    (None, 'no OAuth provider is set, expected microsoft'),
])
def test_another_provider_than_expected(provider, reason):
    assert token_compliance(queried(provider=provider), expected_provider='microsoft')['reasons'] == [reason]


def test_the_account_and_provider_are_not_checked_when_no_one_expects_them():
    assert token_compliance(queried(provider='google', account='any@fabrikam.example',
                                    token_account='any@fabrikam.example'))['status'] == 'compliant'


def test_all_findings_in_the_order_an_admin_fixes_them():
    verdict = token_compliance(
        queried(state='invalid', label='Ogiltig', provider='google', account='old@contoso.example',
                token_account='older@contoso.example', smtp_auth='smtp_auth'),
        expected_provider='microsoft', expected_account=SCAN)

    assert verdict['reasons'] == [
        'SMTP uses smtp_auth, not OAuth 2.0' + BASIC_AUTH_ENDS,
        'OAuth provider is google, expected microsoft',
        'OAuth account is old@contoso.example, expected scan@contoso.example',
        'token is Invalid (Ogiltig)',
        'token issued for older@contoso.example but account is old@contoso.example',
    ]


def test_a_token_waiting_for_authorization_carries_the_sign_in_to_do():
    verdict = token_compliance(queried(state='waiting_for_authorization', label='Waiting for Authorization',
                                       token_account=None, sign_in=SIGN_IN))

    assert verdict['sign_in'] == dict(SIGN_IN, kind='device_code', sign_in_url=None)
    assert verdict['reasons'] == ['token is Waiting for authorization']


def test_a_token_waiting_for_a_browser_sign_in_carries_its_address():
    verdict = token_compliance(queried(state='waiting_for_authorization', label='Waiting for Authorization',
                                       token_account=None, sign_in=BROWSER_SIGN_IN))

    assert verdict['sign_in'] == {'kind': 'browser', 'sign_in_url': BROWSER_SIGN_IN['sign_in_url'], 'user_code': None,
                                  'verification_uri': None, 'expires_at': '2026-11-27T10:15:00Z'}


def test_a_token_without_a_code_to_enter_has_no_sign_in():
    assert token_compliance(queried())['sign_in'] is None


def test_a_device_that_does_not_answer_is_unreachable_with_the_message():
    message = 'Cannot reach the device at https://192.0.2.6:443 (GET /login.html): Connection refused'

    verdict = token_compliance(unreachable(message))

    assert verdict == {'status': 'unreachable', 'reasons': [message], 'smtp': None, 'pop': None, 'sign_in': None,
                       'mail_verified': None}


def test_a_device_lost_after_it_answered_is_an_error():
    message = 'The device at https://192.0.2.6:443 stopped answering (GET /nw_service_smtp.html): Connection reset'

    verdict = token_compliance(failed(message))

    assert verdict == {'status': 'error', 'reasons': [message], 'smtp': None, 'pop': None, 'sign_in': None,
                       'mail_verified': None}


def test_a_host_ansible_marked_unreachable_is_unreachable():
    verdict = token_compliance({'unreachable': True, 'msg': 'Failed to connect to the jump host via ssh'})

    assert verdict['status'] == 'unreachable'
    assert verdict['reasons'] == ['Failed to connect to the jump host via ssh']


def test_a_wrong_admin_password_is_an_error_with_the_message():
    message = 'Login to mfp-hq-07 failed: Login failed. Check the login name and password.'

    verdict = token_compliance(failed(message))

    assert verdict == {'status': 'error', 'reasons': [message], 'smtp': None, 'pop': None, 'sign_in': None,
                       'mail_verified': None}


def test_a_result_without_token_facts_is_an_error():
    verdict = token_compliance({'changed': False, 'skipped': True})

    assert verdict['status'] == 'error'
    assert 'ansible_facts.mfp_oauth' in verdict['reasons'][0]


def test_a_page_missing_from_the_facts_is_a_finding():
    result = queried()
    del result['ansible_facts']['mfp_oauth']['pop']

    verdict = token_compliance(result)

    assert verdict['reasons'] == ['the POP page was not read']
    assert verdict['pop'] is None


def test_only_the_documented_facts_reach_the_verdict():
    result = queried()
    result['ansible_facts']['mfp_oauth']['smtp']['password'] = MAIL_PASSWORD
    result['invocation'] = {'module_args': {'mfp_admin_password': ADMIN_PASSWORD}}
    result['mfp_admin_password'] = ADMIN_PASSWORD

    verdict = token_compliance(result)

    assert set(verdict) == {'status', 'reasons', 'smtp', 'pop', 'sign_in', 'mail_verified'}
    assert set(verdict['smtp']) == {'state', 'label', 'provider', 'account', 'token_account', 'auth_method',
                                    'message', 'provider_code'}
    assert ADMIN_PASSWORD not in json.dumps(verdict)
    assert MAIL_PASSWORD not in json.dumps(verdict)


def test_anything_but_a_task_result_is_refused():
    with pytest.raises(AnsibleFilterError, match='registered result of mfp_oauth_token'):
        token_compliance(['mfp-hq-01'])


def test_the_filter_is_registered_under_its_documented_name():
    assert FilterModule().filters() == {'token_compliance': token_compliance}


def test_a_connection_test_that_did_not_pass_is_a_finding_with_the_servers_answer():
    refused = 'Connection test failed. 550 5.7.30 Basic authentication is not supported for Client Submission'
    verdict = token_compliance(dict(queried(), mail_verified={'passed': False, 'message': refused}))
    assert verdict['status'] == 'noncompliant' and verdict['reasons'] == ['mail not verified: ' + refused]
    assert verdict['mail_verified'] == {'passed': False, 'message': refused}
    passed = token_compliance(dict(queried(), mail_verified={'passed': True, 'message': 'Connection test succeeded.'}))
    assert passed['status'] == 'compliant' and passed['mail_verified']['passed'] is True
    assert token_compliance(queried())['mail_verified'] is None
