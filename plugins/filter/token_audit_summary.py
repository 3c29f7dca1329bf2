# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: token_audit_summary
short_description: Count a fleet token audit per compliance status and per token state
version_added: 0.1.0
author:
  - printfleet.mfp contributors
description:
  - Counts the rows of a token audit (one per printer, as made by P(printfleet.mfp.token_compliance#filter)
    plus C(host)) per compliance status and per token state. Every status and state is present, also with 0.
options:
  _input:
    description: The audit rows.
    type: list
    elements: dict
    required: true
seealso:
  - plugin: printfleet.mfp.token_compliance
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Say how the fleet is doing
  ansible.builtin.debug:
    msg: >-
      {{ counts.status.compliant }} of {{ counts.hosts }} printers comply,
      {{ counts.token_state.invalid }} have an Invalid token.
  vars:
    counts: "{{ audit_rows | printfleet.mfp.token_audit_summary }}"
'''

RETURN = r'''
_value:
  description: The counts.
  type: dict
  contains:
    hosts:
      description: The number of rows.
      type: int
      sample: 12
    status:
      description: Rows per compliance status.
      type: dict
      sample: {compliant: 9, noncompliant: 2, unreachable: 1, error: 0}
    token_state:
      description: Rows per token state; V(unknown) counts the printers whose token was not read.
      type: dict
      sample: {obtained: 9, waiting_for_authorization: 0, not_obtained: 1, invalid: 1, unknown: 1}
    warnings:
      description: Findings about the fleet as a whole, in an administrator's words; empty when there are none.
      type: list
      elements: str
      sample: ["120 printers share google account scan@tailspin.example: Google keeps at most 100 live tokens per
               account and OAuth client; past that the oldest printers' tokens stop working silently"]
'''

from ansible_collections.printfleet.mfp.plugins.plugin_utils._token_audit import GOOGLE_REFRESH_TOKEN_CAP, summary


def token_audit_summary(rows, google_refresh_token_cap=GOOGLE_REFRESH_TOKEN_CAP):
    return summary(rows, google_refresh_token_cap)


class FilterModule:

    def filters(self):
        return {'token_audit_summary': token_audit_summary}
