"""Mail really flows, per printer, against the lab's mail servers: XOAUTH2 accepted for the right
mailbox and refused for another, basic authentication accepted until the tenant switches it off,
tokens the provider no longer honours; and playbooks/audit.yml with -e token_audit_verify_mail=true
reports each case per printer in its reports, in check mode too.

    .venv/bin/python -m pytest -q tests/integration/test_mail_flow.py
"""

import csv
import json
import re

import pytest

from mfplab.fleet import parse_fleet
from mfplab.server import LabThread

from test_playbooks import ground_truth, playbook
from test_targets import fleet_document

SCAN = "scan@contoso.example"
ON_OAUTH = {"smtp": {"auth_method": "oauth2", "user": "", "password": ""},
            "pop": {"auth_method": "oauth2", "user": "", "password": ""}}
# Mailboxes of their own, whose tokens the provider stops honouring in the tests.
REVOKED, EXPIRED = "scan-sto@contoso.example", "scan-lab@contoso.example"
ACCOUNTS = [{"username": REVOKED, "password": "Sto-Lab-2026", "display_name": "Scan, Stockholm"},
            {"username": EXPIRED, "password": "Lab-Lab-2026", "display_name": "Scan, lab"}]


def on_oauth(account, token_account=None):
    """Settings and token of a printer on OAuth 2.0 for `account`, its token obtained for `token_account`."""
    return {"settings": dict(ON_OAUTH, oauth={"provider": "microsoft", "account": account}),
            "token": {"state": "obtained", "account": token_account or account}}


PRINTERS = [
    {"name": "mfp-oauth", **on_oauth(SCAN)},
    # The token was obtained for the old mailbox; the printer authenticates as the scan mailbox.
    {"name": "mfp-other-mailbox", "language": "sv", "profile": "mx_classic", "model": "MX-3071",
     "admin_password": "Mx-Admin-2026", **on_oauth(SCAN, "old-scan@contoso.example")},
    # The fleet file's defaults: SMTP-AUTH and POP with the scan mailbox's password.
    {"name": "mfp-basic"},
    {"name": "mfp-basic-sv", "language": "sv", "profile": "mx_classic", "model": "MX-3071",
     "admin_password": "Mx-Admin-2026"},
    {"name": "mfp-revoked", **on_oauth(REVOKED)},
    {"name": "mfp-expired", **on_oauth(EXPIRED)},
]
BASIC_AUTH_ENDS = ("still on basic authentication, which will fail when the tenant switches it off "
                   "(Exchange Online: by default from the end of December 2026)")
REFUSED_BASIC = "550 5.7.30 Basic authentication is not supported for Client Submission"


@pytest.fixture
def lab(tmp_path):
    document = fleet_document()
    tenants = document["identity_provider"]["tenants"]
    tenants[0] = dict(tenants[0], accounts=tenants[0]["accounts"] + ACCOUNTS)
    document["devices"] = PRINTERS
    with LabThread(parse_fleet(document), tmp_path / "lab") as running:
        yield running


def send_scan(lab, name):
    """A scan to e-mail from the printer, to its own mailbox: the lab's send-mail."""
    return lab.run(lab.lab.hosts[name].device.send_mail())


def mailbox(lab, address):
    return lab.call(lab.lab.mail.mailboxes.messages, address)


def switch_basic_auth(lab, enabled):
    lab.call(lab.lab.mail.authority.set_basic_auth, "contoso", enabled)


def audit(lab, tmp_path, name, *args):
    """audit.yml with the mail verified, as users run it: the JSON, CSV, HTML and JUnit reports."""
    reports = tmp_path / name
    code, _tasks, output = playbook(tmp_path, lab.lab.inventory_path, "audit.yml", "-e", "token_audit_verify_mail=true",
                                    "-e", f"token_audit_report_dir={reports}", *args)
    assert code == 0, output[-5000:]
    rows = {row["host"]: row for row in json.loads((reports / "token_audit.json").read_text(encoding="utf-8"))["hosts"]}
    with open(reports / "token_audit.csv", encoding="utf-8", newline="") as text:
        cells = {line["host"]: line for line in csv.DictReader(text)}
    page = (reports / "token_audit.html").read_text(encoding="utf-8")
    junit = (reports / "token_audit.xml").read_text(encoding="utf-8")
    for host, row in rows.items():
        verified = "yes" if row["mail_verified"]["passed"] else "no"
        assert cells[host]["mail_verified"] == verified
        html_row = re.search(rf'<tr class="status-[a-z]+"><td>{host}</td>.*?</tr>', page).group(0)
        assert f'<span class="mail-{verified}">{verified}</span>' in html_row
        assert re.search(rf'<testcase [^>]*name="{host}">\s*<properties>\s*<property name="mail_verified" '
                         rf'value="{verified}" />', junit)
    return rows


def answers(rows):
    return {host: (row["mail_verified"]["passed"], row["mail_verified"]["message"]) for host, row in rows.items()}


def test_xoauth2_is_accepted_for_the_printers_mailbox_and_refused_for_another(lab):
    sent = send_scan(lab, "mfp-oauth")
    assert sent["reply"].startswith("250 2.0.0"), sent
    landed, = mailbox(lab, SCAN)
    assert (landed["from"], landed["authenticated_as"], landed["method"]) == (SCAN, SCAN, "XOAUTH2")
    assert landed["subject"] == "Scanned image from BP-C131PW"

    refused = send_scan(lab, "mfp-other-mailbox")
    assert (refused["error"], refused["reply"]) == ("authentication_failed", "535 5.7.3 Authentication unsuccessful")
    assert len(mailbox(lab, SCAN)) == 1


def test_basic_authentication_is_accepted_until_the_tenant_switches_it_off(lab):
    assert send_scan(lab, "mfp-basic")["reply"].startswith("250 2.0.0")
    assert mailbox(lab, SCAN)[-1]["method"] == "LOGIN"

    switch_basic_auth(lab, False)

    refused = send_scan(lab, "mfp-basic")
    assert (refused["error"], refused["reply"]) == ("authentication_failed", REFUSED_BASIC)
    assert len(mailbox(lab, SCAN)) == 1
    # The printers on OAuth 2.0 do not notice.
    assert send_scan(lab, "mfp-oauth")["reply"].startswith("250 2.0.0")


def test_the_audit_verifies_mail_on_every_printer_and_reports_each_case(lab, tmp_path):
    lab.call(lab.lab.idp.revoke, REVOKED)   # a password reset: the provider refuses the printer's refresh
    lab.call(lab.lab.idp.expire, EXPIRED)   # a token unused past its lifetime
    before = {name: truth["settings"] for name, truth in ground_truth(lab).items()}

    rows = audit(lab, tmp_path, "before")

    assert answers(rows) == {
        "mfp-oauth": (True, "Connection test succeeded. 235 2.7.0 Authentication successful"),
        "mfp-other-mailbox": (False, "Anslutningstestet misslyckades. 535 5.7.3 Authentication unsuccessful"),
        "mfp-basic": (True, "Connection test succeeded. 235 2.7.0 Authentication successful"),
        "mfp-basic-sv": (True, "Anslutningstestet lyckades. 235 2.7.0 Authentication successful"),
        "mfp-revoked": (False, "Connection test failed. AADSTS50173"),
        "mfp-expired": (False, "Connection test failed. AADSTS700082"),
    }
    assert rows["mfp-oauth"]["status"] == "compliant" and rows["mfp-oauth"]["reasons"] == []
    assert rows["mfp-other-mailbox"]["reasons"] == [
        "token issued for old-scan@contoso.example but account is scan@contoso.example",
        "mail not verified: Anslutningstestet misslyckades. 535 5.7.3 Authentication unsuccessful"]
    # Passes today, and the audit says it will not for long.
    assert rows["mfp-basic"]["reasons"][0] == "SMTP uses smtp_auth, not OAuth 2.0: " + BASIC_AUTH_ENDS
    assert not any(reason.startswith("mail not verified") for reason in rows["mfp-basic"]["reasons"])
    # The test refreshed the token as a scan does: the provider's refusal shows on the pages read after it.
    assert rows["mfp-revoked"]["smtp"]["state"] == "invalid"
    assert rows["mfp-revoked"]["reasons"][1:] == [
        "token is Invalid: The token is no longer valid (AADSTS50173): the account's password was reset or its "
        "sessions revoked — run the roll-out to renew", "mail not verified: Connection test failed. AADSTS50173"]
    assert rows["mfp-expired"]["smtp"]["state"] == "invalid"
    assert rows["mfp-expired"]["reasons"][-1] == "mail not verified: Connection test failed. AADSTS700082"
    # The Connection Test saves nothing.
    assert {name: truth["settings"] for name, truth in ground_truth(lab).items()} == before

    switch_basic_auth(lab, False)
    after = audit(lab, tmp_path, "after")

    for name in ("mfp-basic", "mfp-basic-sv"):
        assert not after[name]["mail_verified"]["passed"]
        assert after[name]["mail_verified"]["message"].endswith(REFUSED_BASIC)
        assert after[name]["reasons"][0] == "SMTP uses smtp_auth, not OAuth 2.0: " + BASIC_AUTH_ENDS
        assert after[name]["reasons"][-1] == "mail not verified: " + after[name]["mail_verified"]["message"]
    assert after["mfp-oauth"]["mail_verified"]["passed"]

    # Check mode: the audit reads, tests and reports the same; the printers save nothing.
    checked = audit(lab, tmp_path, "checked", "--check")
    assert answers(checked) == answers(after)
    assert {host: row["reasons"] for host, row in checked.items()} == {host: row["reasons"] for host, row in after.items()}
    assert {name: truth["settings"] for name, truth in ground_truth(lab).items()} == before
