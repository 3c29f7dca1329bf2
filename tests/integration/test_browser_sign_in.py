"""A roll-out on a mixed fleet: printers that sign in with a device code beside printers that sign in
by browser (an A4 printer of the browser variant with a Swedish web UI, and an A3 model, whose POP
keeps a token of its own). The sign-in list gives each its code or address, the audit reports the
address of a printer still waiting, and after the person's sign-ins the fleet is compliant.

    .venv/bin/python -m pytest -q tests/integration/test_browser_sign_in.py
"""

import json

import pytest

from mfplab.fleet import parse_fleet
from mfplab.server import LabThread

from test_playbooks import ACCOUNT, person_signing_in, playbook, record_of, rollout_results, sign_in_list
from test_targets import fleet_document

BROWSER_HEADER = ("Open the printer's sign-in address in a browser and sign in as the account; the provider then "
                  "sends the browser back to the printer, which gets its token:")


@pytest.fixture
def lab(tmp_path):
    document = fleet_document()
    document["devices"] = [
        {"name": "code"},
        {"name": "browser", "language": "sv", "model": "BP-C533WD", "sign_in": "browser"},
        {"name": "a3", "profile": "bp_a3", "model": "BP-B550WD"},
    ]
    with LabThread(parse_fleet(document), tmp_path / "lab") as running:
        yield running


def truth(lab):
    return {name: lab.call(host.ground_truth) for name, host in lab.lab.hosts.items()}


def run(tmp_path, lab, step, name, *args):
    directory = tmp_path / step
    directory.mkdir()
    return playbook(directory, lab.lab.inventory_path, name, *args)


def audit(tmp_path, lab, step):
    code, _tasks, output = run(tmp_path, lab, step, "audit.yml", "-e", f"token_audit_report_dir={tmp_path / step}",
                               "-e", "token_audit_fail_on_noncompliant=false")
    assert code == 0, output[-5000:]
    report = json.loads((tmp_path / step / "token_audit.json").read_text(encoding="utf-8"))
    return {row["host"]: row for row in report["hosts"]}


def test_a_mixed_fleet_lists_codes_and_addresses_and_ends_compliant_after_the_sign_ins(lab, tmp_path):
    code, tasks, output = run(tmp_path, lab, "rollout", "rollout.yml")
    assert code == 0, output[-5000:]
    devices = truth(lab)
    assert devices["code"]["token"]["sign_in"] == "device_code"
    addresses = {"browser": devices["browser"]["token"]["sign_in_url"], "a3 (SMTP)": devices["a3"]["token"]["sign_in_url"],
                 "a3 (POP)": devices["a3"]["pop_token"]["sign_in_url"]}
    assert all(address.startswith(lab.lab.fleet.idp_base_url) for address in addresses.values())
    listed = sign_in_list(tasks)
    browser_rows = listed[listed.index(BROWSER_HEADER) + 2:listed.index(BROWSER_HEADER) + 5]
    assert {row.rsplit("  ", 1)[0].split("  ")[0].strip(): row.split()[-1] for row in browser_rows} == addresses
    code_row = next(row for row in listed if row.startswith("code "))
    assert devices["code"]["token"]["user_code"] in code_row
    facts = rollout_results(tasks)
    assert facts["browser"]["status"]["sign_in_url"] == addresses["browser"] and facts["browser"]["status"]["user_code"] is None
    assert facts["browser"]["ansible_facts"]["mfp_oauth"]["smtp"]["sign_in"] == "browser"
    assert facts["code"]["ansible_facts"]["mfp_oauth"]["smtp"]["sign_in"] == "device_code"

    # The audit before anybody signed in: every printer waits, and its row says how to sign in.
    rows = audit(tmp_path, lab, "audit-waiting")
    assert {host: row["status"] for host, row in rows.items()} == dict.fromkeys(("code", "browser", "a3"), "noncompliant")
    assert rows["browser"]["sign_in"]["kind"] == "browser"
    assert rows["browser"]["sign_in"]["sign_in_url"] == addresses["browser"]
    assert rows["code"]["sign_in"]["kind"] == "device_code" and rows["code"]["sign_in"]["user_code"]
    html = (tmp_path / "audit-waiting" / "token_audit.html").read_text(encoding="utf-8")
    assert addresses["browser"].replace("&", "&amp;") in html

    # The wait: the person signs in with the code and at each address; every printer gets its token.
    with person_signing_in(lab, record_of(tmp_path / "wait", "rollout.yml")) as signed_in:
        code, tasks, output = run(tmp_path, lab, "wait", "rollout.yml", "-e", "mail_oauth_token_wait=true",
                                  "-e", "mail_oauth_token_poll_interval=1", "-e", "mail_oauth_token_wait_timeout=120")
    assert code == 0, output[-5000:]
    assert sorted(set(signed_in) & set(addresses.values())) == sorted(addresses.values())
    devices = truth(lab)
    assert {name: (device["token"]["state"], device["token"]["account"]) for name, device in devices.items()} == dict.fromkeys(
        ("code", "browser", "a3"), ("obtained", ACCOUNT))
    assert devices["a3"]["pop_token"]["state"] == "obtained"

    rows = audit(tmp_path, lab, "audit-compliant")
    assert {host: (row["status"], row["sign_in"]) for host, row in rows.items()} == dict.fromkeys(
        ("code", "browser", "a3"), ("compliant", None))
