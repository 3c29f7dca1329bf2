"""The provider's reason a printer shows for its token, end to end against the lab: the audit's rows
and reports carry it (revoked: AADSTS50173, unused: AADSTS700082), a roll-out does not delete
the token of a disabled account (AADSTS50057) but fails that printer with the reason, and the
roll-out's wait says why the provider refused a sign-in.

    .venv/bin/python -m pytest -q tests/integration/test_provider_reasons.py
"""

import csv
import io
import json
import threading

import pytest

from mfplab.fleet import parse_fleet
from mfplab.server import LabThread

from test_playbooks import ACCOUNT, FLEET_TASK, PASSWORD, SIGN_IN_LIST, playbook, record_of, rollout_results
from test_targets import DEVICES, fleet_document

WAIT_FAILED = "Fail the printers without a token for the account"
# Where a printer's roll-out failure shows: the task of its own after the fleet task failed on it.
FAILED_ROLL_OUT = "Roll out the mail settings and get the tokens of the printer"
# Rolled out and signed in: the lab issues each printer a refresh token the provider knows.
ROLLED_OUT = {
    "settings": {"smtp": {"auth_method": "oauth2", "user": "", "password": ""},
                 "pop": {"auth_method": "oauth2", "user": "", "password": ""},
                 "oauth": {"provider": "microsoft", "account": ACCOUNT}},
    "token": {"state": "obtained", "account": ACCOUNT},
}
SWEDISH = {device["name"] for device in DEVICES if device.get("language") == "sv"}


@pytest.fixture
def lab(tmp_path):
    """The English and Swedish printers of both layouts, each with a token for the scan mailbox."""
    document = fleet_document()
    document["devices"] = [dict(device, **ROLLED_OUT) for device in DEVICES]
    with LabThread(parse_fleet(document), tmp_path / "lab") as running:
        yield running


def send_mail(lab, name):
    """The printer uses its token (a refresh at the provider), as when it next sends mail."""
    return lab.run(lab.lab.hosts[name].device.send_mail())


def token(lab, name):
    return lab.call(lab.lab.hosts[name].ground_truth)["token"]


@pytest.mark.parametrize("action, code, meaning", [
    ("revoke", "AADSTS50173", "the account's password was reset or its sessions revoked"),
    ("expire", "AADSTS700082", "the token went unused for 90 days and expired"),
])
def test_every_audit_report_carries_the_providers_reason(lab, tmp_path, action, code, meaning):
    lab.call(getattr(lab.lab.idp, action), ACCOUNT)
    for name in lab.lab.hosts:
        assert send_mail(lab, name)["error"] == code
    reports = tmp_path / "reports"
    status, _tasks, output = playbook(tmp_path, lab.lab.inventory_path, "audit.yml", "-e", f"token_audit_report_dir={reports}")
    assert status == 0, output[-5000:]

    rows = {row["host"]: row for row in json.loads((reports / "token_audit.json").read_text(encoding="utf-8"))["hosts"]}
    assert sorted(rows) == sorted(lab.lab.hosts)
    for name, row in rows.items():
        shown = ("Token är inte längre giltig (%s)." if name in SWEDISH else "The token is no longer valid (%s).") % code
        assert row["status"] == "noncompliant"
        assert row["smtp"]["message"] == shown and row["smtp"]["provider_code"] == code
        label = "Invalid (Ogiltig)" if name in SWEDISH else "Invalid"
        assert row["reasons"][0].startswith(f"token is {label}: {shown[:-1]}: {meaning} — run the roll-out to renew")
    lines = list(csv.DictReader(io.StringIO((reports / "token_audit.csv").read_text(encoding="utf-8"), newline="")))
    assert {line["host"]: line["provider_code"] for line in lines} == dict.fromkeys(lab.lab.hosts, code)
    assert all(meaning in line["reasons"] for line in lines)
    for report in ("token_audit.html", "token_audit.xml"):
        text = (reports / report).read_text(encoding="utf-8")
        assert text.count(code) >= len(lab.lab.hosts), report


def test_a_roll_out_keeps_the_token_of_a_disabled_account_and_says_what_to_do(lab, tmp_path):
    lab.call(lab.lab.idp.set_account_enabled, ACCOUNT, False)
    disabled = "mfp-sv-bp"
    assert send_mail(lab, disabled)["error"] == "AADSTS50057"
    before = lab.call(lab.lab.hosts[disabled].ground_truth)

    # The plan (--check) fails that printer the same way.
    (tmp_path / "plan").mkdir()
    status, tasks, output = playbook(tmp_path / "plan", lab.lab.inventory_path, "rollout.yml", "--check")
    assert status == 2, output[-5000:]
    assert "AADSTS50057" in tasks[FAILED_ROLL_OUT][disabled]["msg"] and "actions" not in tasks[FAILED_ROLL_OUT][disabled]

    (tmp_path / "rollout").mkdir()
    status, tasks, output = playbook(tmp_path / "rollout", lab.lab.inventory_path, "rollout.yml")
    assert status == 2, output[-5000:]   # a host failed
    failed = tasks[FAILED_ROLL_OUT][disabled]
    assert rollout_results(tasks)[disabled]["failed"], output[-5000:]
    assert failed["msg"].startswith("The token for scan@contoso.example is Invalid: Token är inte längre giltig "
                                    "(AADSTS50057): the account is disabled in Entra ID — an Entra administrator "
                                    "enables the account, or the printers are set to another account.")
    # Nothing pressed: the token is still Invalid, with the provider's reason on its page.
    after = lab.call(lab.lab.hosts[disabled].ground_truth)
    assert after["token"] == before["token"]
    assert after["token"]["state"] == "invalid" and after["token"]["last_error"] == "AADSTS50057"
    # The printers that did not use their token meanwhile still have it; the roll-out went on for them.
    assert all(token(lab, name)["state"] == "obtained" for name in lab.lab.hosts if name != disabled)
    assert set(tasks[FAILED_ROLL_OUT]) == {disabled}

    # Once the account is enabled again, force renews it.
    lab.call(lab.lab.idp.set_account_enabled, ACCOUNT, True)
    (tmp_path / "forced").mkdir()
    status, tasks, output = playbook(tmp_path / "forced", lab.lab.inventory_path, "rollout.yml",
                                     "--limit", disabled, "-e", "mail_oauth_token_force=true")
    assert status == 0, output[-5000:]
    assert rollout_results(tasks)[disabled]["actions"]["smtp"] == ["delete", "get_token"]
    assert token(lab, disabled)["state"] == "waiting_for_authorization"


def approve_then_disable(idp):
    """The person signs in with every code; the account is disabled before the printers fetch their tokens."""
    for pending in idp.pending():
        idp.approve(pending["user_code"], ACCOUNT, PASSWORD)
    idp.set_account_enabled(ACCOUNT, False)


def sign_in_where_conditional_access_blocks_device_code(idp):
    """The person signs in with every code; the tenant's Conditional Access refuses each sign-in."""
    for pending in idp.pending():
        assert idp.approve(pending["user_code"], ACCOUNT, PASSWORD)["approved"] is False


@pytest.fixture
def new_lab(tmp_path):
    """An English and a Swedish printer still without a token; `conditional_access`: the tenant's policy."""
    def start(conditional_access=False):
        document = fleet_document()
        document["devices"] = [device for device in DEVICES if device["name"] in ("mfp-en-bp", "mfp-sv-bp")]
        running = LabThread(parse_fleet(document), tmp_path / "lab").__enter__()
        started.append(running)
        if conditional_access:
            running.call(running.lab.idp.set_conditional_access, "contoso", {"block_device_code_flow": True})
        return running
    started = []
    yield start
    for running in started:
        running.__exit__(None, None, None)


def roll_out_while_signing_in(tmp_path, lab, sign_in, *args):
    """The roll-out with its wait, while the person signs in (`sign_in` on the lab's provider) once it lists the codes."""
    (tmp_path / "run").mkdir(exist_ok=True)
    record, done = record_of(tmp_path / "run", "rollout.yml"), threading.Event()

    def person():
        while not done.wait(0.5):
            if SIGN_IN_LIST in (record.read_text(encoding="utf-8") if record.exists() else ""):
                lab.call(sign_in, lab.lab.idp)
                return

    thread = threading.Thread(target=person, daemon=True)
    thread.start()
    try:
        return playbook(tmp_path / "run", lab.lab.inventory_path, "rollout.yml", "-e", "mail_oauth_token_wait=true",
                        "-e", "mail_oauth_token_poll_interval=1", "-e", "mail_oauth_token_wait_timeout=60", *args)
    finally:
        done.set()
        thread.join(10)


def test_the_wait_says_why_the_provider_refused_the_sign_in(new_lab, tmp_path):
    status, tasks, output = roll_out_while_signing_in(tmp_path, new_lab(), approve_then_disable)
    assert status == 2, output[-5000:]
    failures = tasks[WAIT_FAILED]
    assert sorted(failures) == ["mfp-en-bp", "mfp-sv-bp"]
    shown = {"mfp-en-bp": "Not Obtained (The token could not be obtained (AADSTS50057).)",
             "mfp-sv-bp": "Ej hämtad (Token kunde inte hämtas (AADSTS50057).)"}
    for name, result in failures.items():
        assert result["msg"] == (f"The token for scan@contoso.example was not obtained: the printer shows {shown[name]}: "
                                 "the account is disabled in Entra ID — an Entra administrator enables the account, "
                                 "or the printers are set to another account.")


def test_a_tenant_that_blocks_device_code_sign_in_is_named_as_the_cause(new_lab, tmp_path):
    lab = new_lab(conditional_access=True)
    status, tasks, output = roll_out_while_signing_in(tmp_path, lab, sign_in_where_conditional_access_blocks_device_code)
    assert status == 2, output[-5000:]
    failures = tasks[WAIT_FAILED]
    assert sorted(failures) == ["mfp-en-bp", "mfp-sv-bp"]
    for result in failures.values():
        assert "(AADSTS53003).): the tenant's Conditional Access blocks device code sign-in" in result["msg"]
        assert "Authentication flows" in result["msg"] and "browser sign-in" in result["msg"]

    # The audit, even one that accepts tokens still to be signed in for, names the cause.
    reports = tmp_path / "reports"
    status, _tasks, output = playbook(tmp_path, lab.lab.inventory_path, "audit.yml",
                                      "-e", f"token_audit_report_dir={reports}", "-e", "token_audit_require_obtained=false")
    assert status == 0, output[-5000:]
    rows = json.loads((reports / "token_audit.json").read_text(encoding="utf-8"))["hosts"]
    assert [row["status"] for row in rows] == ["noncompliant", "noncompliant"]
    assert all(row["smtp"]["provider_code"] == "AADSTS53003" for row in rows)
    assert all("the tenant's Conditional Access blocks device code sign-in" in row["reasons"][0] for row in rows)

    # A roll-out presses [Get Token] again (the policy may have changed) and warns it will be refused again.
    (tmp_path / "again").mkdir()
    status, tasks, output = playbook(tmp_path / "again", lab.lab.inventory_path, "rollout.yml")
    assert status == 0, output[-5000:]
    results, [fleet] = rollout_results(tasks), tasks[FLEET_TASK].values()
    for host, result in results.items():
        assert result["actions"]["smtp"] == ["get_token"]
        warning, = [warning for warning in fleet["warnings"] if warning.startswith(host + ": ")]
        assert warning.startswith(host + ": The provider refused the token for scan@contoso.example: ")
        assert "the sign-in will be refused again until it is" in warning
