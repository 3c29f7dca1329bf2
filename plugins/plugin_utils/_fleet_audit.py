# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleet audit of mfp_fleet_audit: read many printers at once, judge them, write the reports.

The judgement and every report are the filters' own functions (token_compliance, token_audit_*),
so that the per-host path of the role, which applies them as filters, gives the same rows and files.
"""

from __future__ import annotations

import os
import tempfile

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.filter.core import to_nice_json

from ansible_collections.printfleet.mfp.plugins.filter.token_audit_csv import token_audit_csv
from ansible_collections.printfleet.mfp.plugins.filter.token_audit_html import token_audit_html
from ansible_collections.printfleet.mfp.plugins.filter.token_audit_junit import token_audit_junit
from ansible_collections.printfleet.mfp.plugins.filter.token_audit_table import token_audit_table
from ansible_collections.printfleet.mfp.plugins.filter.token_compliance import not_read, token_compliance
from ansible_collections.printfleet.mfp.plugins.plugin_utils._token_audit import generated_at, summary

# The policy options of token_compliance, the host variables that set them per printer (the role's),
# and their defaults (the role's and the filter's).
POLICY_VARIABLES = {
    'require_oauth2': 'token_audit_require_oauth2',
    'require_obtained': 'token_audit_require_obtained',
    'expected_provider': 'token_audit_expected_provider',
    'expected_account': 'token_audit_expected_account',
}
POLICY_DEFAULTS = {'require_oauth2': True, 'require_obtained': True, 'expected_provider': None,
                   'expected_account': None}
BOOLEAN_POLICY = ('require_oauth2', 'require_obtained')

# The host variable a per-host audit keeps each printer's row in (the role's).
ROW_VARIABLE = 'token_audit_row'
NOT_AUDITED = ('not audited: the printer failed or left the play before its row was made (see the output above)')

# The file of each report format.
EXTENSIONS = {'json': 'json', 'csv': 'csv', 'junit': 'xml', 'html': 'html'}


def typed_policy(values):
    """A printer's policy values as token_compliance takes them (its booleans from any form Ansible accepts)."""
    return dict((key, boolean(value) if key in BOOLEAN_POLICY else value) for key, value in values.items())


def row(host, address, result, policy):
    """The printer's report row, as the role's per-host judgement makes it."""
    try:
        verdict = token_compliance(result, **policy)
    except AnsibleFilterError as error:   # a policy value the filter refuses: the printer's row says so
        verdict = not_read('error', [str(error)])
    return dict({'host': host, 'address': address}, **verdict)


def not_audited(host):
    return dict({'host': host}, **not_read('error', [NOT_AUDITED]))


def reports(rows, counts, generated, title, formats, google_refresh_token_cap):
    """The text of each report format asked for."""
    render = {
        'json': lambda: to_nice_json({'generated_at': generated, 'summary': counts, 'hosts': rows},
                                     indent=2, sort_keys=False, ensure_ascii=False),
        'csv': lambda: token_audit_csv(rows),
        'junit': lambda: token_audit_junit(rows, suite_name=title, generated_at=generated),
        'html': lambda: token_audit_html(rows, title=title, generated_at=generated,
                                         google_refresh_token_cap=google_refresh_token_cap),
    }
    return dict((name, render[name]()) for name in formats)


def write(path, text):
    """Write `text` to `path` (mode 0644) by renaming a complete file over it; whether it changed."""
    try:
        with open(path, encoding='utf-8', newline='') as existing:
            if existing.read() == text:
                return False
    except (OSError, UnicodeDecodeError):
        pass
    directory = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix='.' + os.path.basename(path) + '.')
    try:
        with os.fdopen(handle, 'w', encoding='utf-8', newline='') as output:
            output.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return True


def closing_lines(rows, counts, base, formats):
    """The table of the fleet, the counts per status and where the reports are."""
    status = ', '.join('%d %s' % (count, name) for name, count in counts['status'].items())
    where = ('HTML report: %s.html' % base) if 'html' in formats else ('Reports: %s.*' % base)
    printers = '%d printer%s' % (counts['hosts'], '' if counts['hosts'] == 1 else 's')
    return token_audit_table(rows) + ['', '%s: %s' % (printers, status), where]


def report(rows, report_dir, name, formats, title, google_refresh_token_cap):
    """Write the reports of `rows`; what the task returns of them."""
    counts = summary(rows, google_refresh_token_cap)
    base = os.path.join(report_dir, name)
    os.makedirs(report_dir, exist_ok=True)   # a new directory gets the umask's mode, an existing one keeps its own
    changed = False
    paths = {}
    for kind, text in reports(rows, counts, generated_at(), title, formats, google_refresh_token_cap).items():
        paths[kind] = '%s.%s' % (base, EXTENSIONS[kind])
        changed = write(paths[kind], text) or changed
    return {'changed': changed, 'rows': rows, 'summary': counts, 'reports': paths, 'report_base': base,
            'lines': closing_lines(rows, counts, base, formats)}
