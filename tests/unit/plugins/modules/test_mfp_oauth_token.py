# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The token lifecycle, as the manual tells it: press Get Token, sign in, see Obtained."""

from __future__ import annotations

import pytest
from urllib3.exceptions import ProtocolError

from ansible_collections.printfleet.mfp.tests.unit.plugins.fake_device import SIGN_IN_URL

ACCOUNT = 'scan@contoso.example'
EXPECTED = dict(provider='microsoft', account=ACCOUNT)
# Token messages as the pages show them, with the provider's code.
DISABLED = {'en': 'The token is no longer valid (AADSTS50057).', 'sv': 'Token är inte längre giltig (AADSTS50057).'}
REVOKED = 'The token is no longer valid (AADSTS50173).'
BLOCKED = {'en': 'The token could not be obtained (AADSTS53003).', 'sv': 'Token kunde inte hämtas (AADSTS53003).'}


def pressed(device):
    """The token controls pressed ([Get Token], [Delete]), in order; confirmed by the page's confirm()."""
    names = {device.controls['get_token']: 'get_token', device.controls['delete']: 'delete'}
    return [names[action] for action in device.pressed() if action in names]


def test_not_obtained_press_get_token_and_report_the_code(oauth_device, task):
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['changed'] and result['actions'] == ['get_token']
    assert pressed(oauth_device) == ['get_token']
    assert result['user_code'] == 'F7K2QW9M'
    assert result['verification_uri'] == 'https://idp.example.test/devicelogin'
    assert result['expires_at'] == '2026-11-27T10:15:00Z'
    assert result['ansible_facts']['mfp_oauth']['smtp']['state'] == 'waiting_for_authorization'
    assert result['ansible_facts']['mfp_oauth']['pop']['state'] == 'waiting_for_authorization'


def test_waiting_never_presses_again(oauth_device, task):
    task('mfp_oauth_token', **EXPECTED)
    second = task('mfp_oauth_token', **EXPECTED)
    assert second['changed'] is False and second['actions'] == []
    assert second['user_code'] == 'F7K2QW9M'
    assert pressed(oauth_device) == ['get_token']


def test_wait_until_a_person_signs_in(oauth_device, task):
    oauth_device.approve_after = 12
    result = task('mfp_oauth_token', wait=True, poll_interval=5, **EXPECTED)
    assert result['changed'] and result['token']['state'] == 'obtained'
    assert result['token']['account'] == ACCOUNT
    assert result['user_code'] is None
    assert oauth_device.clock.sleeps == [5, 5, 5]
    assert task('mfp_oauth_token', **EXPECTED)['changed'] is False


def test_wait_timeout_fails_with_the_code(oauth_device, task):
    result = task('mfp_oauth_token', wait=True, wait_timeout=30, poll_interval=10, **EXPECTED)
    assert result['failed']
    assert 'F7K2QW9M' in result['msg'] and 'https://idp.example.test/devicelogin' in result['msg']
    assert result['user_code'] == 'F7K2QW9M'
    assert sum(oauth_device.clock.sleeps) == 30
    assert not oauth_device.logged_in


def test_sign_in_with_another_account_fails_the_wait(oauth_device, task):
    oauth_device.approve_after = 1
    oauth_device.approve_account = 'someone@contoso.example'
    result = task('mfp_oauth_token', wait=True, **EXPECTED)
    assert result['failed']
    assert 'obtained for someone@contoso.example, not for scan@contoso.example' in result['msg']


def test_obtained_for_the_account_is_no_change(oauth_device, task):
    oauth_device.set_token('obtained', 'Scan@Contoso.example')
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['changed'] is False and pressed(oauth_device) == []
    # The page of the service alone: log in, read it, log out.
    assert oauth_device.requests == [('GET', '/login.html'), ('POST', '/login.html'), ('GET', '/nw_service_smtp.html'),
                                     ('POST', '/nw_service_smtp.html')]   # [Logout(L)] on the page read


def test_a_firmware_that_does_not_show_the_tokens_account_is_still_idempotent(oauth_device, task):
    oauth_device.set_token('obtained', None)   # no "Authorized Account" row on the page
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['changed'] is False and pressed(oauth_device) == []
    assert result['ansible_facts']['mfp_oauth']['smtp']['token_account'] is None


def test_an_account_typed_in_another_case_is_the_same_account(oauth_device, task):
    oauth_device.settings['oauth']['account'] = 'Scan@Contoso.example'
    oauth_device.set_token('obtained', ACCOUNT)
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['changed'] is False and pressed(oauth_device) == []


@pytest.mark.parametrize('args', [dict(provider='microsoft', account=''), dict(EXPECTED, mfp_host='https://printer'),
                                  dict(EXPECTED, mfp_host='[2001:db8::10]'), dict(EXPECTED, mfp_host='printer:443'),
                                  dict(provider='microsoft', account=ACCOUNT + '\n')])
def test_bad_input_fails_before_any_request(oauth_device, task, args):
    result = task('mfp_oauth_token', **args)
    assert result['failed'] and result['msg'].startswith('Invalid options for mfp_oauth_token')
    assert oauth_device.requests == []


def test_an_ipv6_device_address_is_used_in_brackets(oauth_device, task):
    oauth_device.host = '2001:db8::10'
    urls = []
    original = oauth_device.send
    oauth_device.send = lambda request, **kwargs: urls.append(request.url) or original(request, **kwargs)
    assert 'failed' not in task('mfp_oauth_token', state='query', mfp_host='2001:db8::10')
    assert urls and all(url.startswith('https://[2001:db8::10]:443/') for url in urls)


def test_get_token_needs_oauth2_selected_first(oauth_device, task):
    oauth_device.settings['smtp']['auth_method'] = 'smtp_auth'
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['failed']
    assert result['msg'] == ('The SMTP page uses smtp_auth, not OAuth 2.0, and [Get Token] needs OAuth 2.0 selected: '
                             'set auth_method oauth2 with mfp_smtp first.')
    assert oauth_device.writes() == []


def test_check_mode_plans_get_token_and_warns_when_nothing_selects_oauth2(oauth_device, task):
    oauth_device.settings['smtp']['auth_method'] = 'smtp_auth'
    result = task('mfp_oauth_token', check_mode=True, **EXPECTED)
    assert not result.get('failed') and result['changed'] and result['actions'] == ['get_token']
    assert result['warnings'] == ['Check mode planned [Get Token], but the real run would fail here unless an earlier '
                                  'task selects OAuth 2.0. The SMTP page uses smtp_auth, not OAuth 2.0, and [Get Token] '
                                  'needs OAuth 2.0 selected: set auth_method oauth2 with mfp_smtp first.']
    assert oauth_device.writes() == []


def test_obtained_for_another_account_is_replaced(oauth_device, task):
    oauth_device.settings['oauth']['account'] = 'old-scan@contoso.example'
    oauth_device.set_token('obtained', 'old-scan@contoso.example')
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['actions'] == ['delete', 'get_token']
    assert pressed(oauth_device) == ['delete', 'get_token']
    assert oauth_device.settings['oauth']['account'] == ACCOUNT
    assert result['diff']['before']['token_account'] == 'old-scan@contoso.example'


def test_invalid_is_renewed(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT)
    result = task('mfp_oauth_token', **EXPECTED)
    assert pressed(oauth_device) == ['delete', 'get_token']
    assert result['token']['state'] == 'waiting_for_authorization'


def test_check_mode_presses_nothing(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT)
    result = task('mfp_oauth_token', check_mode=True, wait=True, **EXPECTED)
    assert result['changed'] and result['actions'] == ['delete', 'get_token']
    assert result['diff']['after']['token_state'] == 'waiting_for_authorization'
    assert oauth_device.writes() == []
    assert oauth_device.token['state'] == 'invalid'


def test_absent_deletes_then_is_unchanged(oauth_device, task):
    oauth_device.set_token('obtained', ACCOUNT)
    assert task('mfp_oauth_token', state='absent')['changed'] is True
    assert oauth_device.token['state'] == 'not_obtained'
    del oauth_device.requests[:]
    assert task('mfp_oauth_token', state='absent', service='pop')['changed'] is False
    assert pressed(oauth_device) == ['delete']
    assert oauth_device.requests == [('GET', '/login.html'), ('POST', '/login.html'),
                                     ('GET', '/sys_email_status_special.html'), ('POST', '/sys_email_status_special.html')]


def test_pop_page_buttons_share_the_token(oauth_device, task):
    result = task('mfp_oauth_token', service='pop', **EXPECTED)
    assert [path for path, form in oauth_device.writes()] == ['/sys_email_status_special.html']
    assert result['ansible_facts']['mfp_oauth']['smtp']['state'] == 'waiting_for_authorization'


def test_query_reports_facts_in_swedish(oauth_device, task):
    oauth_device.lang = 'sv'
    oauth_device.settings['pop']['auth_method'] = 'plain'   # each page reports its own method
    oauth_device.set_token('obtained', ACCOUNT)
    result = task('mfp_oauth_token', state='query')
    assert result['changed'] is False
    assert result['ansible_facts'] == {'mfp_oauth': {
        'smtp': {'state': 'obtained', 'label': 'Hämtad', 'provider': 'microsoft', 'account': ACCOUNT,
                 'token_account': ACCOUNT, 'auth_method': 'oauth2', 'message': None, 'provider_code': None,
                 'sign_in': None},
        'pop': {'state': 'obtained', 'label': 'Hämtad', 'provider': 'microsoft', 'account': ACCOUNT,
                'token_account': ACCOUNT, 'auth_method': 'plain', 'message': None, 'provider_code': None,
                'sign_in': None},
    }}


def test_present_without_any_account_is_a_clear_error(device, task):
    result = task('mfp_oauth_token')
    assert result['failed'] and 'give provider and account' in result['msg']
    assert pressed(device) == []


def test_device_refusal_of_get_token_is_surfaced(device, task):
    device.settings['pop']['auth_method'] = 'oauth2'
    device.settings['pop']['server'] = ''
    result = task('mfp_oauth_token', service='pop', **EXPECTED)
    assert result['failed']
    assert result['msg'].endswith('POP3 Server: Enter a value.')
    assert device.token['state'] == 'not_obtained'


@pytest.mark.parametrize('lang', ['en', 'sv'])
def test_a_browser_sign_in_returns_its_address_where_a_code_would_be(oauth_device, task, lang):
    oauth_device.lang, oauth_device.sign_in = lang, 'browser'
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['changed'] and pressed(oauth_device) == ['get_token']
    assert result['sign_in_url'] == SIGN_IN_URL   # read from the panel's link, entities and all
    assert result['user_code'] is None and result['verification_uri'] is None
    assert result['expires_at'] == '2026-11-27T10:15:00Z'
    assert result['token']['sign_in'] == 'browser' and result['token']['sign_in_url'] == SIGN_IN_URL
    assert result['ansible_facts']['mfp_oauth']['smtp']['sign_in'] == 'browser'
    assert result['ansible_facts']['mfp_oauth']['pop']['sign_in'] == 'browser'
    again = task('mfp_oauth_token', **EXPECTED)   # waiting: nothing pressed, the same address
    assert again['changed'] is False and again['sign_in_url'] == SIGN_IN_URL


def test_a_browser_sign_in_not_done_in_time_fails_with_its_address(oauth_device, task):
    oauth_device.sign_in = 'browser'
    result = task('mfp_oauth_token', wait=True, wait_timeout=10, poll_interval=5, **EXPECTED)
    assert result['failed'] and result['sign_in_url'] == SIGN_IN_URL and result['user_code'] is None
    assert ('Open %s in a browser and sign in as %s (before 2026-11-27T10:15:00Z), then run the task again.'
            % (SIGN_IN_URL, ACCOUNT)) in result['msg']


def test_a_device_code_sign_in_is_named_so_in_the_facts(oauth_device, task):
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['sign_in_url'] is None and result['token']['sign_in'] == 'device_code'
    assert result['ansible_facts']['mfp_oauth']['smtp']['sign_in'] == 'device_code'


# The provider's reason a token failed: kept in the facts, explained in failures; a token whose account is
# disabled is not deleted by a renewal (issue 10); a sign-in Conditional Access refused says so (issue 11).


@pytest.mark.parametrize('lang', ['en', 'sv'])
def test_the_facts_carry_the_message_and_the_providers_code(oauth_device, task, lang):
    oauth_device.lang = lang
    oauth_device.set_token('invalid', ACCOUNT, DISABLED[lang])
    result = task('mfp_oauth_token', state='query')
    for service in ('smtp', 'pop'):
        facts = result['ansible_facts']['mfp_oauth'][service]
        assert (facts['message'], facts['provider_code']) == (DISABLED[lang], 'AADSTS50057')
    assert result['token']['provider_code'] == 'AADSTS50057'
    assert result['token']['advice'].startswith('the account is disabled in Entra ID — ')


def test_mfp_info_carries_the_reason_of_each_page(oauth_device, task):
    oauth_device.lang = 'sv'
    oauth_device.set_token('invalid', ACCOUNT, 'Token är inte längre giltig (AADSTS50173).')
    result = task('mfp_info')
    assert result['tokens']['smtp']['provider_code'] == 'AADSTS50173'
    assert result['oauth']['pop']['message'] == 'Token är inte längre giltig (AADSTS50173).'
    assert result['oauth']['pop']['provider_code'] == 'AADSTS50173'


@pytest.mark.parametrize('lang', ['en', 'sv'])
def test_a_disabled_account_is_not_renewed_and_the_task_says_what_to_do(oauth_device, task, lang):
    oauth_device.lang = lang
    oauth_device.set_token('invalid', ACCOUNT, DISABLED[lang])
    result = task('mfp_oauth_token', **EXPECTED)
    assert result['failed']
    assert result['msg'].startswith('The token for scan@contoso.example is Invalid: %s: the account is disabled in '
                                    'Entra ID — an Entra administrator enables the account, or the printers are set '
                                    'to another account. Nothing was pressed' % DISABLED[lang].rstrip('.'))
    assert 'force=true' in result['msg']
    assert oauth_device.writes() == []
    assert oauth_device.token == {'state': 'invalid', 'account': ACCOUNT, 'user_code': None, 'sign_in_url': None,
                                  'message': DISABLED[lang]}


def test_check_mode_plans_the_same_refusal(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT, DISABLED['en'])
    result = task('mfp_oauth_token', check_mode=True, **EXPECTED)
    assert result['failed'] and 'AADSTS50057' in result['msg']
    assert 'actions' not in result
    assert oauth_device.writes() == []


def test_a_disabled_account_typed_in_another_case_is_the_same_account(oauth_device, task):
    oauth_device.set_token('invalid', 'Scan@Contoso.example', DISABLED['en'])
    assert task('mfp_oauth_token', **EXPECTED)['failed']
    assert oauth_device.writes() == []


def test_another_account_replaces_the_disabled_one(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT, DISABLED['en'])
    result = task('mfp_oauth_token', provider='microsoft', account='new-scan@contoso.example')
    assert not result.get('failed'), result
    assert result['actions'] == ['delete', 'get_token']
    assert oauth_device.settings['oauth']['account'] == 'new-scan@contoso.example'


def test_force_renews_once_the_account_is_enabled_again(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT, DISABLED['en'])
    result = task('mfp_oauth_token', force=True, **EXPECTED)
    assert pressed(oauth_device) == ['delete', 'get_token']
    assert result['token']['state'] == 'waiting_for_authorization'


def test_absent_still_deletes_the_token_of_a_disabled_account(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT, DISABLED['en'])
    assert task('mfp_oauth_token', state='absent')['changed']
    assert pressed(oauth_device) == ['delete']


def test_a_revoked_token_is_renewed_as_ever(oauth_device, task):
    oauth_device.set_token('invalid', ACCOUNT, REVOKED)
    result = task('mfp_oauth_token', diff=True, **EXPECTED)
    assert pressed(oauth_device) == ['delete', 'get_token']
    assert result['warnings'] == []


@pytest.mark.parametrize('lang', ['en', 'sv'])
def test_the_wait_says_conditional_access_blocks_device_code_sign_in(oauth_device, task, lang):
    oauth_device.lang = lang
    oauth_device.refuse_after, oauth_device.refusal = 8, BLOCKED[lang]
    result = task('mfp_oauth_token', wait=True, poll_interval=5, **EXPECTED)
    assert result['failed']
    assert result['msg'].startswith('The token for scan@contoso.example was not obtained: the device shows ')
    assert "%s: the tenant's Conditional Access blocks device code sign-in" % BLOCKED[lang].rstrip('.') in result['msg']
    assert 'Authentication flows' in result['msg'] and 'browser sign-in' in result['msg']
    assert result['token']['provider_code'] == 'AADSTS53003'
    assert not oauth_device.logged_in


def test_get_token_after_a_conditional_access_refusal_warns_it_will_be_refused_again(oauth_device, task):
    oauth_device.set_token('not_obtained', None, BLOCKED['en'])
    result = task('mfp_oauth_token', **EXPECTED)
    assert pressed(oauth_device) == ['get_token']
    warning, = result['warnings']
    assert warning.startswith('The provider refused the token for scan@contoso.example: The token could not be obtained '
                              "(AADSTS53003): the tenant's Conditional Access blocks device code sign-in")
    planned = task('mfp_oauth_token', check_mode=True, **EXPECTED)
    assert planned['warnings'] == []    # now waiting: nothing to press, nothing to warn about


def test_an_invalid_token_conditional_access_refused_is_renewed_with_a_warning(oauth_device, task):
    # The tenant refuses the new sign-in with the same code, which the device then shows: nothing is lost.
    oauth_device.set_token('invalid', ACCOUNT, 'The token is no longer valid (AADSTS53003).')
    result = task('mfp_oauth_token', **EXPECTED)
    assert pressed(oauth_device) == ['delete', 'get_token']
    warning, = result['warnings']
    assert "the tenant's Conditional Access blocks device code sign-in" in warning


def test_the_wait_holds_no_session_between_polls(oauth_device, task):
    oauth_device.approve_after = 12
    held = []
    original = oauth_device.wait

    def wait(seconds):
        held.append(oauth_device.logged_in)
        original(seconds)

    oauth_device.wait = wait
    result = task('mfp_oauth_token', wait=True, poll_interval=5, **EXPECTED)
    assert result['token']['state'] == 'obtained' and result['user_code'] is None
    assert held == [False, False, False]   # a person can log in while it sleeps
    assert not oauth_device.logged_in


def test_the_wait_outlasts_an_idle_timeout_shorter_than_the_poll_interval(oauth_device, task):
    oauth_device.idle_seconds = 3
    oauth_device.approve_after = 12
    result = task('mfp_oauth_token', wait=True, poll_interval=5, **EXPECTED)
    assert not result.get('failed'), result
    assert result['token']['state'] == 'obtained'
    assert result['ansible_facts']['mfp_oauth']['smtp']['state'] == 'obtained'


def test_a_wait_whose_logouts_fail_warns_once_and_ends_its_own_session_at_the_next_poll(oauth_device, task):
    oauth_device.approve_after = 12
    oauth_device.post_faults = {'logoutbtn': [ProtocolError('Connection aborted.', ConnectionResetError())] * 4}
    result = task('mfp_oauth_token', wait=True, poll_interval=5, **EXPECTED)
    assert result['token']['state'] == 'obtained', result
    assert len(result['warnings']) == 1 and result['warnings'][0].startswith('Logging out of mfp.example.test failed')
    assert not oauth_device.logged_in


def test_a_capture_masks_the_query_of_a_sign_in_address(oauth_device, task):
    oauth_device.sign_in = 'browser'
    task('mfp_oauth_token', **EXPECTED)
    captured = str(task('mfp_info', capture=True)['capture'])
    assert 'idp.example.test/organizations/oauth2/v2.0/authorize' in captured
    assert 'Zs1Q' not in captured and 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' not in captured
