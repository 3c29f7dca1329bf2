# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The provider's reason read from the device's token message, in every UI language, and what it means."""

from __future__ import annotations

import pytest

from ansible_collections.printfleet.mfp.plugins.module_utils._provider_reasons import (
    ACCOUNT, REASONS, TENANT, advice, blocked_by, explained, provider_code,
)

# The token messages as Sharp pages show them (docs/device-protocol.md), in English and Swedish.
MESSAGES = [
    ('The token is no longer valid (AADSTS50173).', 'AADSTS50173'),
    ('Token är inte längre giltig (AADSTS50173).', 'AADSTS50173'),
    ('The token could not be obtained (AADSTS53003).', 'AADSTS53003'),
    ('Token kunde inte hämtas (AADSTS53003).', 'AADSTS53003'),
    ('The token is no longer valid (AADSTS700082).', 'AADSTS700082'),
    ('Token är inte längre giltig (AADSTS50057).', 'AADSTS50057'),
    ('Authorization was declined.', None),
    ('Auktoriseringsbegäran har gått ut. Tryck på [Hämta token] för att försöka igen.', None),
    ('The token could not be obtained (expired_token).', None),
    (None, None),
    ('', None),
]


@pytest.mark.parametrize('message, code', MESSAGES)
def test_the_code_is_read_from_the_message_in_any_language(message, code):
    assert provider_code(message) == code


def test_a_code_is_not_read_out_of_a_longer_word():
    assert provider_code('see XAADSTS50173Y') is None


@pytest.mark.parametrize('code', [
    'AADSTS50173', 'AADSTS700082', 'AADSTS50057', 'AADSTS65001', 'AADSTS70020', 'AADSTS50076', 'AADSTS50079',
    'AADSTS53003', 'AADSTS7000218',
])
def test_the_codes_a_printer_meets_have_a_meaning_and_a_remedy(code):
    reason = REASONS[code]
    assert reason.meaning and reason.remedy
    assert advice(code) == '%s — %s' % (reason.meaning, reason.remedy)


def test_an_expired_code_reads_the_same_as_entra_and_the_lab_give_it():
    # Entra answers an expired device code with 70020; the lab answered 70019 until issue 11.
    assert advice('AADSTS70019') == advice('AADSTS70020')
    assert 'expired' in advice('AADSTS70020')


def test_the_english_and_swedish_messages_explain_alike():
    english = explained('The token is no longer valid (AADSTS50173).')
    swedish = explained('Token är inte längre giltig (AADSTS50173).')
    assert english == ("The token is no longer valid (AADSTS50173): the account's password was reset or its sessions "
                       'revoked — run the roll-out to renew')
    assert swedish.split(': ', 1)[1] == english.split(': ', 1)[1]


def test_conditional_access_says_what_an_entra_administrator_does():
    reason = explained('The token could not be obtained (AADSTS53003).')
    assert "the tenant's Conditional Access blocks device code sign-in" in reason
    assert 'Authentication flows' in reason and 'browser sign-in' in reason


def test_a_message_without_a_known_code_is_kept_as_shown():
    assert explained('Authorization was declined.') == 'Authorization was declined'
    assert explained('The token could not be obtained (AADSTS99999).') == 'The token could not be obtained (AADSTS99999)'
    assert explained(None) is None
    assert advice('AADSTS99999') is None and advice(None) is None


def test_who_must_act_before_a_new_sign_in_can_succeed():
    assert blocked_by('AADSTS50057') == ACCOUNT     # the account is disabled
    assert blocked_by('AADSTS53003') == TENANT      # Conditional Access blocks device code sign-in
    assert blocked_by('AADSTS7000218') == TENANT
    assert not any(blocked_by(code) for code in ('AADSTS50173', 'AADSTS700082', 'AADSTS65001', 'AADSTS70020'))
    assert blocked_by(None) is None and blocked_by('AADSTS99999') is None   # unknown: renew as ever
