# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: token_audit_table
short_description: Render a fleet token audit as a plain-text table
version_added: 0.1.0
author:
  - printfleet.mfp contributors
description:
  - One line per printer with its host name, token state (with the device's own label when it
    differs), compliance status and the reasons, in aligned columns under a header line; a printer
    waiting for a sign-in also says what the person does (C(code F7K2QW9M at https://…), or
    C(open https://… in a browser) for a browser sign-in).
  - When the audit verified mail (the role's C(token_audit_verify_mail)), a C(MAIL) column after the token says
    C(yes) or C(no) for each printer whose Connection Test ran (C(-) for one not tested, such as an unreachable
    printer); a test that did not pass is also a reason, with the server's answer.
  - Meant for the end of a playbook run, a chat message or a mail body.
options:
  _input:
    description: The audit rows, as made by P(printfleet.mfp.token_compliance#filter) plus C(host).
    type: list
    elements: dict
    required: true
seealso:
  - plugin: printfleet.mfp.token_compliance
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Show the fleet's compliance
  ansible.builtin.debug:
    msg: "{{ audit_rows | printfleet.mfp.token_audit_table }}"
  run_once: true
'''

RETURN = r'''
_value:
  description: The lines of the table, header first.
  type: list
  elements: str
  sample:
    - "HOST        TOKEN             STATUS        REASONS"
    - "mfp-hq-05   Invalid           noncompliant  token is Invalid: The token is no longer valid (AADSTS50173):
      the account's password was reset or its sessions revoked — run the roll-out to renew"
    - "mfp-hq-06   -                 unreachable   Cannot reach the device at https://127.1.0.6:8443 (GET /login.html): connection refused"
    - "mfp-sto-04  Obtained (Hämtad) compliant"
'''

from ansible_collections.printfleet.mfp.plugins.plugin_utils._token_audit import (
    mail_tested, mail_verified, sign_in_text, token_text,
)


def token_audit_table(rows):
    with_mail = mail_tested(rows)
    header = ('HOST', 'TOKEN') + (('MAIL',) if with_mail else ()) + ('STATUS', 'REASONS')
    lines = [header] + [_cells(row, with_mail) for row in rows]
    widths = [max(len(line[column]) for line in lines) for column in range(len(header) - 1)]
    return ['  '.join([cell.ljust(width) for cell, width in zip(line, widths)] + [line[-1]]).rstrip()
            for line in lines]


def _cells(row, with_mail):
    reasons = [str(reason) for reason in row.get('reasons') or ()]
    if sign_in_text(row):
        reasons.append('sign in: ' + sign_in_text(row))
    mail = (mail_verified(row) or '-',) if with_mail else ()
    return (str(row['host']), token_text(row, '-')) + mail + (str(row['status']), '; '.join(reasons))


class FilterModule:

    def filters(self):
        return {'token_audit_table': token_audit_table}
