"""`make demo`: the whole roll-out on the lab's default fleet, as an administrator runs it.

Starts the default lab (12 printers, English and Swedish web UIs, some on user/password
authentication, one holding a token for an old account, one Invalid, one unreachable), then:

-  basic     `playbooks/audit.yml --limit` one printer on basic authentication, with its Connection Test
   auth      (`token_audit_verify_mail`): mail passes; the tenant switches basic authentication off, as
             Exchange Online does by default from the end of December 2026; the same test fails with
             550 5.7.30 (after the roll-out, step 4 shows it passing on OAuth 2.0);
1. plan      `playbooks/rollout.yml --check --diff`: what would change on each printer;
2. roll-out  the same playbook for real: pages set to OAuth 2.0, [Get Token] pressed, the list of
             sign-ins printed;
3. wait      the roll-out again with `mail_oauth_token_wait=true`; meanwhile a person signs in for
             each printer the role listed: with its user code at the verification URL (the identity
             provider's /devicelogin page), or, for the printer that signs in by browser, at its
             sign-in address, from where the provider sends the browser back to the printer; the wait
             ends when every printer holds its token;
4. audit     `playbooks/audit.yml`, with every printer's Connection Test: the compliance table and the
             fleet report.

Every reachable printer must end compliant, its mail verified, and the unreachable one be reported as
such. The lab is stopped at the end, also when a step fails.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from collection_tree import collections_path
from mfplab.cli import status_table
from mfplab.fleet import load_fleet
from mfplab.person import Person
from mfplab.server import LabThread

ROOT = Path(__file__).resolve().parents[1]
WORK_DIR = ROOT / "build" / "demo"
LAB_STATE = WORK_DIR / "lab"
REPORT_DIR = WORK_DIR / "reports"
# The lab's mail settings (and the audit policy that goes with them), as the docs use them.
SETTINGS = ROOT / "examples" / "lab" / "mail_oauth.yml"
ACCOUNT, ACCOUNT_PASSWORD = "scan@contoso.example", "Scan-Lab-2026"
# How long the person takes per sign-in: the wait's progress shows them arrive one after the other.
SIGN_IN_SECONDS = 1
# The role's task that prints the sign-ins: the person starts once the operator has the list.
SIGN_IN_LIST = "List the sign-ins still to do, once for the fleet"
# A printer on basic authentication before the roll-out, and its tenant.
BASIC_AUTH_PRINTER, TENANT = "mfp-hq-01", "contoso"


def step(text):
    print(f"\n== {text}", flush=True)


class Ansible:
    """ansible-playbook against the lab's inventory, with the collection taken from this repository.

    The demo's callback (scripts/demo_callback) keeps the terminal short and records every result;
    `playbook` returns those records.
    """

    def __init__(self, inventory, forks):
        self.inventory = os.path.relpath(inventory, ROOT)
        self.runs = 0
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
        self.env.update(
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{self.env.get('PATH', '')}",
            ANSIBLE_COLLECTIONS_PATH=str(collections_path()),
            ANSIBLE_CALLBACK_PLUGINS=str(ROOT / "scripts" / "demo_callback"),
            ANSIBLE_STDOUT_CALLBACK="demo_record",
            ANSIBLE_FORKS=str(forks),
            # The lab is on loopback: no proxy between the controller and the printers.
            NO_PROXY="*",
        )

    @property
    def next_record(self):
        """Where the next playbook run records its results."""
        return WORK_DIR / f"run-{self.runs + 1}.jsonl"

    def playbook(self, playbook, *args, offline=()):
        """The run's records; it must end with no failed printer, and none unreachable but `offline`."""
        record = self.next_record
        self.runs += 1
        command = ["ansible-playbook", "-i", self.inventory, playbook, "-e", f"@{os.path.relpath(SETTINGS, ROOT)}", *args]
        print("$ " + " ".join(str(part) for part in command), flush=True)
        run = subprocess.run(command, env=dict(self.env, DEMO_RECORD=str(record)), cwd=ROOT, check=False, timeout=300)
        records = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
        unexpected = unexpected_outcomes(records, offline)
        # ansible-playbook ends with 4 when a printer was unreachable, and with 2 when one failed.
        if unexpected or run.returncode not in ((0, 4) if offline else (0,)):
            ended = f"demo: ansible-playbook {' '.join(command[3:])} ended with code {run.returncode}"
            raise SystemExit("\n".join([ended, *unexpected]))
        return records


def unexpected_outcomes(records, offline):
    """A printer that failed, or one unreachable that the fleet does not keep offline."""
    return [f"  {record['host']}: {record['status']} in '{record['task']}': {record['result'].get('msg', '')}"
            for record in records
            if (record["status"] == "failed" and not record["ignored"])
            or (record["status"] == "unreachable" and record["host"] not in offline)]


BUTTONS = {"get_token": "[Get Token]", "delete": "[Delete]"}
PAGES = ("smtp", "pop")


def rollout_results(records):
    """Each printer's mfp_mail_oauth result in a roll-out: the fleet task's, or the printer's own task's where it
    ran (per-host mode, or a printer the fleet task failed on)."""
    results = {}
    for record in records:
        if record["action"] == "printfleet.mfp.mfp_fleet_mail_oauth" and "results" in record["result"]:
            results.update(record["result"]["results"])
        elif record["action"] == "printfleet.mfp.mfp_mail_oauth" and not record["result"].get("skipped"):
            results[record["host"]] = record["result"]
    return results


def _shown(value):
    return "-" if value in (None, "") else str(value)


def page_changes(page, diff):
    """What a page's diff changes, in a few words: `SMTP smtp_auth → oauth2`, `account a → b`.

    The provider and account are shared by both pages, so they read the same from either; the
    token state is left to the buttons, which say why it changes.
    """
    before, after = diff["before"], diff["after"]
    for key in after:
        if key == "token_state" or before.get(key) == after.get(key):
            continue
        change = f"{_shown(before.get(key))} → {_shown(after.get(key))}"
        if key == "auth_method":
            yield f"{page} {change}"
        elif key in ("provider", "account"):
            yield f"{key} {change}"
        else:
            yield f"{page} {key} {change}"


def plan_summary(records, hosts):
    """One line per printer: what the roll-out would change on its pages, and the buttons it would press."""
    lines = []
    results = rollout_results(records)
    width = max(map(len, hosts))
    for host in hosts:
        result = results.get(host, {})
        if result.get("unreachable") or result.get("failed"):
            lines.append(f"{host.ljust(width)}  {'unreachable' if result.get('unreachable') else 'failed'}")
            continue
        diff = result.get("diff") or {"before": {}, "after": {}}
        changes = []
        for page in PAGES:
            if page in diff["after"]:
                shown = {"before": diff["before"][page], "after": diff["after"][page]}
                changes.extend(change for change in page_changes(page.upper(), shown) if change not in changes)
        buttons = [BUTTONS.get(action, action) for page in PAGES for action in result.get("actions", {}).get(page, [])]
        lines.append(f"{host.ljust(width)}  " + ("; ".join(filter(None, [", ".join(changes), " ".join(buttons)]))
                                                 or "nothing to change"))
    return lines


def pending_sign_ins(records):
    """The printers the role left waiting for a sign-in, with the code and URL it printed for each."""
    return {host: result["status"] for host, result in rollout_results(records).items()
            if result.get("status", {}).get("state") == "waiting_for_authorization"}


def person_signs_in(status, ca_path):
    """What the mailbox user does in a browser for one printer: enter its code at the verification URL, or
    open its sign-in address and come back to the printer; sign in, and accept the permissions if asked."""
    person = Person(ca_path, ACCOUNT, ACCOUNT_PASSWORD)
    if status["sign_in"] == "browser":
        page = person.sign_in_at(status["sign_in_url"])
        if page.text("tokenStatus") is None or page.text(".err"):
            raise SystemExit(f"demo: the sign-in at {status['sign_in_url']} did not complete "
                             f"(HTTP {page.status} at {page.url}: {page.text('.err')})")
        return f"opened its sign-in address, signed in; back at the printer: {page.text('.ok')}"
    page = person.sign_in_with_code(status["verification_uri"], status["user_code"])
    if "You have signed in" not in page.response.text:
        raise SystemExit(f"demo: the sign-in with {status['user_code']} did not complete (HTTP {page.status} at {page.url})")
    return f"code {status['user_code']} at {status['verification_uri']}: signed in"


def sign_in_each(sign_ins, ca_path, record):
    """The mailbox user, once the roll-out waits: signs in for each printer the role listed."""
    deadline = time.monotonic() + 120
    while SIGN_IN_LIST not in (record.read_text(encoding="utf-8") if record.exists() else ""):
        if time.monotonic() > deadline:
            return
        time.sleep(0.2)
    for host, status in sorted(sign_ins.items()):
        time.sleep(SIGN_IN_SECONDS)
        print(f"  (person) {host}: {person_signs_in(status, ca_path)}", flush=True)


def check_outcome(report, offline):
    """Every reachable printer compliant with its mail verified, every offline one reported unreachable;
    the problems, else []."""
    problems = []
    for row in report["hosts"]:
        expected = "unreachable" if row["host"] in offline else "compliant"
        if row["status"] != expected:
            problems.append(f"{row['host']} is {row['status']}, expected {expected}: {'; '.join(row['reasons'])}")
        elif expected == "compliant" and not (row["mail_verified"] or {}).get("passed"):
            problems.append(f"{row['host']}: mail not verified: {row['mail_verified']}")
    return problems


def mail_verified(ansible, host, report_dir):
    """The audit of one printer with its Connection Test, as an administrator runs it: its mail_verified."""
    ansible.playbook("playbooks/audit.yml", "--limit", host, "-e", "token_audit_verify_mail=true",
                     "-e", f"token_audit_report_dir={report_dir}")
    row, = json.loads((report_dir / "token_audit.json").read_text(encoding="utf-8"))["hosts"]
    return row["mail_verified"]


def basic_auth_switched_off(ansible, lab_thread):
    """A printer on basic authentication sends mail until its tenant switches basic authentication off."""
    before = mail_verified(ansible, BASIC_AUTH_PRINTER, WORK_DIR / "basic-auth-on")
    # On the lab's loop, where the mail servers read the switch: what the control API's basic-auth call does.
    lab_thread.call(lab_thread.lab.mail.authority.set_basic_auth, TENANT, False)
    print(f"  (tenant admin) {TENANT}: basic authentication for SMTP AUTH switched off, as Exchange Online does "
          "by default from the end of December 2026", flush=True)
    after = mail_verified(ansible, BASIC_AUTH_PRINTER, WORK_DIR / "basic-auth-off")
    if not before["passed"] or after["passed"] or "550 5.7.30" not in after["message"]:
        raise SystemExit(f"demo: {BASIC_AUTH_PRINTER} on basic authentication: expected its Connection Test to pass, "
                         f"then fail with 550 5.7.30; it answered {before['message']!r}, then {after['message']!r}")
    print(f"  {BASIC_AUTH_PRINTER} on basic authentication: {before['message']}\n"
          f"  {BASIC_AUTH_PRINTER} once switched off:        {after['message']}", flush=True)


def on_oauth(report):
    """What the printer that was on basic authentication answers after the roll-out."""
    row = next(row for row in report["hosts"] if row["host"] == BASIC_AUTH_PRINTER)
    return (row["mail_verified"] or {}).get("message")


def run_story(lab, fleet, lab_thread):
    hosts = [device["name"] for device in fleet.devices]
    offline = {device["name"] for device in fleet.devices if device["faults"].get("offline")}
    ansible = Ansible(lab.inventory_path, forks=len(hosts))

    step(f"basic auth: {BASIC_AUTH_PRINTER}'s Connection Test before and after its tenant switches basic "
         "authentication off")
    basic_auth_switched_off(ansible, lab_thread)

    step("1/4 plan: what the roll-out would change on each printer (check mode, nothing is written)")
    records = ansible.playbook("playbooks/rollout.yml", "--check", "--diff", offline=offline)
    print("\n".join(plan_summary(records, hosts)))

    step("2/4 roll-out: both pages on OAuth 2.0 for the account, [Get Token] where needed")
    sign_ins = pending_sign_ins(ansible.playbook("playbooks/rollout.yml", offline=offline))

    step(f"3/4 wait: the roll-out again, waiting for the sign-ins; meanwhile a person signs in as {ACCOUNT}")
    person = threading.Thread(target=sign_in_each, args=(sign_ins, lab.ca.ca_path, ansible.next_record), daemon=True)
    person.start()
    try:
        ansible.playbook("playbooks/rollout.yml", "-e", "mail_oauth_token_wait=true",
                         "-e", "mail_oauth_token_poll_interval=2", "-e", "mail_oauth_token_wait_timeout=120",
                         offline=offline)
    finally:
        person.join(60)

    step("4/4 audit: every printer against the policy, its mail verified with its Connection Test, and the fleet report")
    ansible.playbook("playbooks/audit.yml", "-e", f"token_audit_report_dir={REPORT_DIR}", "-e", "token_audit_verify_mail=true",
                     offline=offline)
    report = json.loads((REPORT_DIR / "token_audit.json").read_text(encoding="utf-8"))
    print(f"  {BASIC_AUTH_PRINTER} on OAuth 2.0: {on_oauth(report)}", flush=True)
    return check_outcome(report, offline)


def main():
    started = time.monotonic()
    shutil.rmtree(WORK_DIR, ignore_errors=True)   # every demo starts from the fleet file
    fleet = load_fleet()
    step(f"starting the lab: {len(fleet.devices)} printers and an identity provider on loopback")
    with LabThread(fleet, LAB_STATE) as running:
        lab = running.lab
        print(status_table([host.ground_truth() for host in lab.hosts.values()]))
        try:
            problems = run_story(lab, fleet, running)
        finally:
            step("stopping the lab")
    if problems:
        print("\n".join(["demo: the fleet did not end as expected:", *problems]))
        return 1
    print(f"every reachable printer is compliant and sends mail; report: {REPORT_DIR / 'token_audit.html'}")
    print(f"demo done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
