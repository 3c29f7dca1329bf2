"""A roll-out on a mixed fleet with a printer set to Google: Google has browser sign-in only, so even a
device-code model lists a sign-in address (the Google-shaped provider's); after the person's sign-ins
the fleet is compliant, and the audit warns when as many printers share a Google account as Google
keeps live tokens for it.

    .venv/bin/python -m pytest -q tests/integration/test_google_sign_in.py
"""

import html
import json

import pytest
import yaml

from mfplab.fleet import default_fleet_path, parse_fleet
from mfplab.person import Person
from mfplab.server import LabThread

from test_browser_sign_in import run, truth
from test_playbooks import ACCOUNT, person_signing_in, record_of, sign_in_list
from test_targets import fleet_document

GOOGLE_ACCOUNT, GOOGLE_PASSWORD = "scan@tailspin.example", "Tailspin-Lab-2026"
# The lab's settings come as extra vars, which no host_vars override: these take each printer's own
# provider and account from its host_vars, else the lab's.
PER_PRINTER = ("-e", json.dumps({
    "mail_oauth_provider": "{{ printer_provider | default('microsoft') }}",
    "mail_oauth_account": "{{ printer_account | default('%s') }}" % ACCOUNT,
}))


@pytest.fixture
def lab(tmp_path):
    document = fleet_document()
    document["google"] = yaml.safe_load(default_fleet_path().read_text(encoding="utf-8"))["google"]
    document["devices"] = [{"name": "code"}, {"name": "gmail", "language": "sv"}]
    with LabThread(parse_fleet(document), tmp_path / "lab") as running:
        # The printer's own provider and account, as an inventory's host_vars give them.
        host_vars = running.lab.inventory_path.parent / "host_vars"
        host_vars.mkdir(exist_ok=True)
        (host_vars / "gmail.yml").write_text(
            f"printer_provider: google\nprinter_account: {GOOGLE_ACCOUNT}\n", encoding="utf-8")
        yield running


def audit(tmp_path, lab, step, *args):
    """The audit with each printer's own provider and account: (the JSON report, {task name: {host: result}})."""
    code, tasks, output = run(tmp_path, lab, step, "audit.yml", *PER_PRINTER, *args,
                              "-e", f"token_audit_report_dir={tmp_path / step}",
                              "-e", "token_audit_fail_on_noncompliant=false")
    assert code == 0, output[-5000:]
    return json.loads((tmp_path / step / "token_audit.json").read_text(encoding="utf-8")), tasks


def test_a_google_printer_signs_in_by_browser_and_the_mixed_fleet_ends_compliant(lab, tmp_path):
    code, tasks, output = run(tmp_path, lab, "rollout", "rollout.yml", *PER_PRINTER)
    assert code == 0, output[-5000:]
    devices = truth(lab)
    address = devices["gmail"]["token"]["sign_in_url"]
    assert devices["gmail"]["token"]["sign_in"] == "browser" and devices["code"]["token"]["sign_in"] == "device_code"
    assert address.startswith(f"{lab.lab.fleet.idp_base_url}/google/o/oauth2/v2/auth?")
    assert any(address in row for row in sign_in_list(tasks))

    # The Google account's person signs in at the printer's address; the browser goes back to the printer.
    back = Person(lab.lab.ca.ca_path, GOOGLE_ACCOUNT, GOOGLE_PASSWORD).sign_in_at(address)
    assert back.text("tokenStatus") == "Hämtad" and back.text("tokenAccount") == GOOGLE_ACCOUNT
    # The Microsoft printer's person signs in with its code while the roll-out waits.
    with person_signing_in(lab, record_of(tmp_path / "wait", "rollout.yml")):
        code, _tasks, output = run(tmp_path, lab, "wait", "rollout.yml", *PER_PRINTER, "-e", "mail_oauth_token_wait=true",
                                   "-e", "mail_oauth_token_poll_interval=1", "-e", "mail_oauth_token_wait_timeout=120")
    assert code == 0, output[-5000:]
    devices = truth(lab)
    assert {name: (device["token"]["state"], device["token"]["provider"], device["token"]["account"])
            for name, device in devices.items()} == {"code": ("obtained", "microsoft", ACCOUNT),
                                                     "gmail": ("obtained", "google", GOOGLE_ACCOUNT)}
    assert lab.call(lab.lab.google.live_refresh_tokens, GOOGLE_ACCOUNT) == 1

    report, _tasks = audit(tmp_path, lab, "audit-compliant")
    rows = {row["host"]: row for row in report["hosts"]}
    assert {host: row["status"] for host, row in rows.items()} == {"code": "compliant", "gmail": "compliant"}
    assert rows["gmail"]["smtp"]["provider"] == "google"


def test_the_audit_warns_about_a_google_account_shared_up_to_the_cap(lab, tmp_path):
    code, _tasks, output = run(tmp_path, lab, "rollout", "rollout.yml", *PER_PRINTER)
    assert code == 0, output[-5000:]
    report, tasks = audit(tmp_path, lab, "audit", "-e", "token_audit_google_refresh_token_cap=1")
    warning = (f"1 printers share google account {GOOGLE_ACCOUNT}: Google keeps at most 1 live tokens per account "
               "and OAuth client; past that the oldest printers' tokens stop working silently")
    assert report["summary"]["warnings"] == [warning]
    warned = tasks["Warn about the fleet as a whole (a Google account shared past Google's cap of live tokens)"]
    assert f"WARNING: {warning}" in json.dumps(warned, ensure_ascii=False)
    assert html.escape(warning) in (tmp_path / "audit" / "token_audit.html").read_text(encoding="utf-8")
