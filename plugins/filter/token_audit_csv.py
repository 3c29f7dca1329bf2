# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: token_audit_csv
short_description: Render a fleet token audit as CSV
version_added: 0.1.0
author:
  - printfleet.mfp contributors
description:
  - One header line, then one line per printer with the columns C(host), C(address), C(status),
    C(token_state), C(token_label) (the device's own label, in its UI language), C(token_account),
    C(token_message) (the device's message about the token's last failure, as shown), C(provider_code) (the
    provider's code in it, such as C(AADSTS50173)), C(provider), C(account), C(smtp_auth_method),
    C(pop_auth_method), C(mail_verified), C(reasons) (joined with C(; ), with what the provider's code means and what
    to do), and for a printer waiting for a sign-in C(sign_in) (V(device_code) or V(browser)), C(sign_in_address)
    (the verification URL where the C(user_code) is entered, or the address a browser sign-in opens) and C(user_code).
  - A cell that starts with C(=), C(+), C(-), C(@), a tab or a carriage return gets a leading C(') so that
    a spreadsheet shows it as text instead of running it as a formula.
options:
  _input:
    description: The audit rows, as made by P(printfleet.mfp.token_compliance#filter) plus C(host) and optionally C(address).
    type: list
    elements: dict
    required: true
seealso:
  - plugin: printfleet.mfp.token_compliance
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Write the audit as CSV
  ansible.builtin.copy:
    content: "{{ audit_rows | printfleet.mfp.token_audit_csv }}"
    dest: reports/token_audit.csv
    mode: '0644'
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
_value:
  description: The CSV text, lines ended with CR LF (RFC 4180).
  type: str
  sample: |
    host,address,status,token_state,token_label,token_account,token_message,provider_code,provider,account,smtp_auth_method,pop_auth_method,mail_verified,reasons,sign_in,sign_in_address,user_code
    mfp-sto-04,127.1.0.10,compliant,obtained,Hämtad,scan@contoso.example,,,microsoft,scan@contoso.example,oauth2,oauth2,yes,,,,
'''

import csv
import io

from ansible_collections.printfleet.mfp.plugins.plugin_utils._token_audit import COLUMNS, flat

# OWASP's list: some spreadsheets drop a leading tab or CR and run the formula after it.
FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')


def token_audit_csv(rows):
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _inert(value) for column, value in flat(row).items()})
    return text.getvalue()


def _inert(cell):
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


class FilterModule:

    def filters(self):
        return {'token_audit_csv': token_audit_csv}
