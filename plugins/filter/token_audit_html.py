# -*- coding: utf-8 -*-
# Copyright (c) printfleet.mfp contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: token_audit_html
short_description: Render a fleet token audit as a self-contained HTML page
version_added: 0.1.0
author:
  - printfleet.mfp contributors
description:
  - One page to open in a browser or attach to a mail, with counts per compliance status and per token
    state, then a table with one row per printer, coloured by compliance status, with the reasons for
    each non-compliance.
  - The printers that need action come first (noncompliant, then error, then unreachable, then compliant),
    by host within each status. A printer whose token is Obtained but that does not comply (token issued
    for another account, SMTP not on OAuth 2.0, another provider) is coloured and listed as noncompliant.
  - The token state is shown in its own cell, in the manual's words with the device's own label when it differs
    (for example C(Invalid (Ogiltig)) for a Swedish UI).
  - The token cell also shows the device's message about the token's last failure as the device shows it
    (C(The token is no longer valid (AADSTS50173\).)), and the reasons say what the provider's code means and
    what to do.
  - For a printer waiting for authorization, the token cell also says where to sign in, with which code and
    until when, or for a browser sign-in the address to open, when the row has them (C(sign_in), from
    P(printfleet.mfp.token_compliance#filter)). The address is shown as text, not as a link.
  - When the audit verified mail (the role's C(token_audit_verify_mail)), a C(Mail verified) column says C(yes)
    or C(no) for each printer whose Connection Test ran, with the printer's answer, which quotes the mail server
    (C(Connection test failed. 550 5.7.30 Basic authentication is not supported for Client Submission)).
  - The page is self-contained. The style is inline, there is no script and no link to anything outside the
    page. Every value from the devices is HTML-escaped.
options:
  _input:
    description: The audit rows, as made by P(printfleet.mfp.token_compliance#filter) plus C(host) and optionally C(address).
    type: list
    elements: dict
    required: true
  generated_at:
    description: The time of the audit shown on the page. Defaults to now, in UTC.
    type: str
  title:
    description: The page title.
    type: str
    default: OAuth 2.0 mail token audit
  google_refresh_token_cap:
    description:
      - How many live refresh tokens Google keeps per Google account and OAuth client. The page warns about each
        Google account that this many printers or more share (P(printfleet.mfp.token_audit_summary#filter)).
    type: int
    default: 100
    version_added: 0.2.0
seealso:
  - plugin: printfleet.mfp.token_compliance
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Write the audit as an HTML page
  ansible.builtin.copy:
    content: "{{ audit_rows | printfleet.mfp.token_audit_html(title='Printers, Stockholm office') }}"
    dest: reports/token_audit.html
    mode: '0644'
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
_value:
  description: The HTML document.
  type: str
'''

from html import escape

from ansible_collections.printfleet.mfp.plugins.plugin_utils._token_audit import (
    GOOGLE_REFRESH_TOKEN_CAP, STATES, STATUSES, flat, generated_at as report_time, mail_answer, mail_tested, state_text,
    summary, token_text,
)

STYLE = '''
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 2rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
.meta { color: #59636e; margin: 0 0 1.5rem; }
.counts { display: flex; flex-wrap: wrap; gap: 2rem; margin-bottom: 1.5rem; }
.counts ul { list-style: none; display: flex; flex-wrap: wrap; gap: .5rem; margin: 0; padding: 0; }
.counts li { padding: .35rem .75rem; border-radius: 6px; border-left: 6px solid; }
.counts b { font-size: 1.25rem; margin-right: .35rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid #d1d9e0; }
th { background: #f6f8fa; position: sticky; top: 0; }
tbody td:first-child { border-left: 6px solid; font-weight: 600; }
td ul { margin: 0; padding-left: 1.1rem; }
.badge { display: inline-block; padding: .1rem .5rem; border-radius: 999px; font-weight: 600; color: #fff; }
.sign-in, .message { margin-top: .25rem; }
.mail-yes { color: #1a7f37; font-weight: 600; }
.mail-no { color: #cf222e; font-weight: 600; }
.sign-in code { font-size: 1.1em; font-weight: 600; overflow-wrap: anywhere; }
.state-obtained { background: #e6f4ea; border-color: #1a7f37; }
.state-waiting_for_authorization { background: #fff8c5; border-color: #9a6700; }
.state-not_obtained { background: #f6f8fa; border-color: #818b98; }
.state-invalid { background: #ffebe9; border-color: #cf222e; }
.state-unknown { background: #eef1f4; border-color: #424a53; }
.status-compliant { background: #1a7f37; border-color: #1a7f37; }
.status-noncompliant { background: #cf222e; border-color: #cf222e; }
.status-unreachable { background: #424a53; border-color: #424a53; }
.status-error { background: #8250df; border-color: #8250df; }
li.status-compliant, li.status-noncompliant, li.status-unreachable, li.status-error { color: #fff; border-color: rgba(0, 0, 0, .25); }
tr.status-compliant { background: #e6f4ea; }
tr.status-noncompliant { background: #ffebe9; }
tr.status-unreachable { background: #eef1f4; }
tr.status-error { background: #fbefff; }
tr[class^="status-"] td:first-child { border-left-color: inherit; }
'''

# The rows someone must act on first, the most dangerous at the top; compliant printers last.
ACTION_ORDER = ('noncompliant', 'error', 'unreachable', 'compliant')

COLUMN_TITLES = ('Printer', 'Address', 'Token', 'Token issued for', 'Provider', 'Account',
                 'SMTP auth', 'POP auth', 'Status', 'Reasons')
# Shown before Status when the audit verified mail.
MAIL_TITLE = 'Mail verified'


def token_audit_html(rows, generated_at=None, title='OAuth 2.0 mail token audit',
                     google_refresh_token_cap=GOOGLE_REFRESH_TOKEN_CAP):
    generated_at = generated_at or report_time()
    counts = summary(rows, google_refresh_token_cap)
    return ''.join((
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        '<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n' % (escape(title), STYLE),
        '<h1>%s</h1>\n' % escape(title),
        '<p class="meta">Generated <time datetime="%s">%s</time> &middot; %d printer%s</p>\n'
        % (escape(generated_at), escape(generated_at), counts['hosts'], '' if counts['hosts'] == 1 else 's'),
        '<section class="counts">\n',
        _counts('Compliance', 'status', STATUSES, counts['status'], lambda status: status),
        _counts('Token state', 'state', STATES, counts['token_state'], state_text),
        '</section>\n',
        _warnings(counts['warnings']),
        _table(rows),
        '</body>\n</html>\n',
    ))


def _warnings(warnings):
    if not warnings:
        return ''
    items = ''.join('<li>%s</li>' % escape(warning) for warning in warnings)
    return '<section class="warnings" role="alert"><h2>Warnings</h2><ul>%s</ul></section>\n' % items


def _counts(heading, kind, keys, counted, name):
    items = ''.join('<li class="%s-%s"><b>%d</b>%s</li>' % (kind, key, counted[key], escape(name(key))) for key in keys)
    return '<div><h2>%s</h2><ul>%s</ul></div>\n' % (escape(heading), items)


def _table(rows):
    with_mail = mail_tested(rows)
    titles = COLUMN_TITLES[:-2] + ((MAIL_TITLE,) if with_mail else ()) + COLUMN_TITLES[-2:]
    head = ''.join('<th scope="col">%s</th>' % escape(title) for title in titles)
    body = ''.join(_row(row, with_mail) for row in sorted(rows, key=_action_first))
    return '<table>\n<thead><tr>%s</tr></thead>\n<tbody>\n%s</tbody>\n</table>\n' % (head, body)


def _action_first(row):
    return ACTION_ORDER.index(_status(row)), str(row.get('host', ''))


def _status(row):
    return row['status'] if row['status'] in STATUSES else 'error'


def _row(row, with_mail):
    cells = flat(row)
    status = _status(row)
    token = escape(token_text(row, 'Not read')) + _message(cells) + _sign_in(row)
    reasons = ''.join('<li>%s</li>' % escape(str(reason)) for reason in row.get('reasons') or ())
    return '<tr class="status-%s">%s<td>%s</td>%s%s<td><span class="badge status-%s">%s</span></td><td>%s</td></tr>\n' % (
        status,
        _cells(cells['host'], cells['address']),
        token,
        _cells(cells['token_account'], cells['provider'], cells['account'], cells['smtp_auth_method'],
               cells['pop_auth_method']),
        _mail(row, cells) if with_mail else '',
        status, status,
        '<ul>%s</ul>' % reasons if reasons else '',
    )


def _cells(*texts):
    return ''.join('<td>%s</td>' % escape(text) for text in texts)


def _mail(row, cells):
    """`yes` or `no` with the printer's answer to its Connection Test; empty for a printer not tested."""
    if not cells['mail_verified']:
        return '<td></td>'
    return '<td><span class="mail-%s">%s</span><div class="message">%s</div></td>' % (
        cells['mail_verified'], cells['mail_verified'], escape(mail_answer(row)))


def _message(cells):
    """The device's message about the token's last failure, as shown: the provider's code is in it."""
    if not cells['token_message']:
        return ''
    return '<div class="message">%s</div>' % escape(cells['token_message'])


def _sign_in(row):
    """The sign-in a waiting token needs, so whoever reads the report can do it without the device's page."""
    sign_in = row.get('sign_in') or {}
    if sign_in.get('sign_in_url'):
        return '<div class="sign-in">Open <code>%s</code> in a browser and sign in%s</div>' % (
            escape(str(sign_in['sign_in_url'])), _optional(' before %s', sign_in.get('expires_at')))
    if not sign_in.get('user_code'):
        return ''
    return '<div class="sign-in">Sign in%s with code <code>%s</code>%s</div>' % (
        _optional(' at <code>%s</code>', sign_in.get('verification_uri')),
        escape(str(sign_in['user_code'])),
        _optional(' before %s', sign_in.get('expires_at')),
    )


def _optional(template, value):
    return template % escape(str(value)) if value else ''


class FilterModule:

    def filters(self):
        return {'token_audit_html': token_audit_html}
