# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: token_audit_junit
short_description: Render a fleet token audit as JUnit XML for CI systems
version_added: 0.1.0
author:
  - printfleet.mfp contributors
description:
  - One test suite with one test case per printer, so that a pipeline (GitLab, Jenkins, Azure DevOps,
    GitHub Actions test reporters) shows the fleet's compliance like test results.
  - A compliant printer passes. A non-compliant one has a C(failure) listing the reasons; an unreachable
    one, or one that could not be audited, has an C(error) with the task's message.
  - Each test case's C(system-out) tells what the device showed (token state with the device's own label,
    the device's message about the token's last failure with the provider's code, account, provider,
    authentication methods). The C(failure) carries the reasons, with what the provider's code means and what to do.
  - When the audit verified mail (the role's C(token_audit_verify_mail)), a test case whose printer ran its
    Connection Test has a property C(mail_verified) (C(yes) or C(no)) and a C(system-out) line with the
    printer's answer, which quotes the mail server; a test that did not pass is also a C(failure) reason.
options:
  _input:
    description: The audit rows, as made by P(printfleet.mfp.token_compliance#filter) plus C(host).
    type: list
    elements: dict
    required: true
  suite_name:
    description: The name of the test suite.
    type: str
    default: printfleet.mfp token audit
  generated_at:
    description: The time of the audit, for the suite's C(timestamp). Omitted when not given.
    type: str
seealso:
  - plugin: printfleet.mfp.token_compliance
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Write the audit as JUnit XML for the pipeline
  ansible.builtin.copy:
    content: "{{ audit_rows | printfleet.mfp.token_audit_junit(generated_at=now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ')) }}"
    dest: reports/token_audit.xml
    mode: '0644'
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
_value:
  description: The JUnit XML document.
  type: str
  sample: |
    <?xml version="1.0" encoding="UTF-8"?>
    <testsuites name="printfleet.mfp token audit" tests="2" failures="1" errors="0" skipped="0">
      <testsuite name="printfleet.mfp token audit" tests="2" failures="1" errors="0" skipped="0">
        <testcase classname="token_audit" name="mfp-hq-01">
          <failure type="noncompliant" message="SMTP uses smtp_auth, not OAuth 2.0">SMTP uses smtp_auth, not OAuth 2.0</failure>
        </testcase>
        <testcase classname="token_audit" name="mfp-sto-04" />
      </testsuite>
    </testsuites>
'''

import re
import xml.etree.ElementTree as ET

from ansible_collections.printfleet.mfp.plugins.plugin_utils._token_audit import (
    credential, flat, mail_answer, summary, token_text,
)

# The JUnit element of a status that is not a pass.
OUTCOMES = {'noncompliant': 'failure', 'unreachable': 'error', 'error': 'error'}
# Characters XML 1.0 cannot carry at all, not even escaped.
NOT_XML = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def token_audit_junit(rows, suite_name='printfleet.mfp token audit', generated_at=None):
    counts = summary(rows)['status']
    totals = {
        'tests': str(len(rows)),
        'failures': str(counts['noncompliant']),
        'errors': str(counts['unreachable'] + counts['error']),
        'skipped': '0',
    }
    suites = ET.Element('testsuites', name=_xml(suite_name), **totals)
    suite = ET.SubElement(suites, 'testsuite', name=_xml(suite_name), **totals)
    if generated_at:
        suite.set('timestamp', _xml(generated_at))
    for row in rows:
        _testcase(suite, row)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding='unicode') + '\n'


def _testcase(suite, row):
    case = ET.SubElement(suite, 'testcase', classname='token_audit', name=_xml(row['host']))
    verified = flat(row)['mail_verified']
    if verified:
        ET.SubElement(ET.SubElement(case, 'properties'), 'property', name='mail_verified', value=verified)
    reasons = [_xml(reason) for reason in row.get('reasons') or ()]
    if row['status'] in OUTCOMES:
        ET.SubElement(case, OUTCOMES[row['status']], type=row['status'],
                      message='; '.join(reasons)).text = '\n'.join(reasons)
    if credential(row):
        ET.SubElement(case, 'system-out').text = _xml(_what_the_device_showed(row))


def _what_the_device_showed(row):
    cells = flat(row)
    mail = ('mail verified: %s: %s' % (cells['mail_verified'], mail_answer(row)),) if cells['mail_verified'] else ()
    return '\n'.join((
        'token: %s%s' % (token_text(row, None),
                         ', issued for %s' % cells['token_account'] if cells['token_account'] else ''),
        'token message: %s' % (cells['token_message'] or '-'),
        'OAuth provider: %s, account: %s' % (cells['provider'] or '-', cells['account'] or '-'),
        'SMTP authentication: %s' % (cells['smtp_auth_method'] or '-'),
        'POP authentication: %s' % (cells['pop_auth_method'] or '-'),
    ) + mail)


def _xml(value):
    return NOT_XML.sub('\ufffd', str(value))


class FilterModule:

    def filters(self):
        return {'token_audit_junit': token_audit_junit}
