"""The playbooks as an operator runs them, on a lab fleet before its roll-out: the plan
(--check --diff), the wait for sign-ins, and an inventory without printers.

    .venv/bin/python -m pytest -q tests/integration/test_playbooks.py
"""

import contextlib
import json
import subprocess
import threading

import pytest

from mfplab.fleet import parse_fleet
from mfplab.person import Person
from mfplab.server import LabThread

from test_targets import BIN, DEVICES, ROOT, environment, fleet_document

SETTINGS = ROOT / "examples" / "lab" / "mail_oauth.yml"
ACCOUNT, PASSWORD = "scan@contoso.example", "Scan-Lab-2026"
SIGN_IN_LIST = "List the sign-ins still to do, once for the fleet"
FLEET_TASK = "Roll out the mail settings and get the tokens of every printer from the controller"
HOST_TASK = "Roll out the mail settings and get the tokens of the printer"
# The role's two modes: every printer from one task (the default), and a task per printer.
MODES = {"fleet": (), "per-host": ("-e", "mail_oauth_fleet=false")}
# Rolled out before, for the mailbox account the fleet now moves away from.
OLD_ACCOUNT_PRINTER = {
    "name": "mfp-old-account",
    "settings": {"smtp": {"auth_method": "oauth2", "user": "", "password": ""},
                 "pop": {"auth_method": "oauth2", "user": "", "password": ""},
                 "oauth": {"provider": "microsoft", "account": "old-scan@contoso.example"}},
    "token": {"state": "obtained", "account": "old-scan@contoso.example"},
}


@pytest.fixture
def lab(tmp_path):
    """A fleet still on user/password authentication, and one printer on the old account."""
    document = fleet_document()
    document["devices"] = DEVICES + [OLD_ACCOUNT_PRINTER]
    with LabThread(parse_fleet(document), tmp_path / "lab") as running:
        yield running


def record_of(tmp_path, name):
    """Where `playbook` records the results of a run of `name` in `tmp_path`, as they come."""
    return tmp_path / f"{name}.jsonl"


def playbook(tmp_path, inventory, name, *args):
    """ansible-playbook as `make demo` runs it: (return code, {task name: {host: result}}, the output)."""
    record = record_of(tmp_path, name)
    env = dict(environment(tmp_path), ANSIBLE_CALLBACK_PLUGINS=str(ROOT / "scripts" / "demo_callback"),
               ANSIBLE_STDOUT_CALLBACK="demo_record", DEMO_RECORD=str(record))
    command = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(ROOT / "playbooks" / name),
               "-e", f"@{SETTINGS}", *args]
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=300)
    tasks = {}
    for line in record.read_text(encoding="utf-8").splitlines() if record.exists() else []:
        result = json.loads(line)
        # A role's task is named "<role> : <name>".
        tasks.setdefault(result["task"].split(" : ")[-1], {})[result["host"]] = result["result"]
    return run.returncode, tasks, run.stdout + run.stderr


def ground_truth(lab):
    """Each printer's settings and token, as the lab holds them."""
    truth = {name: lab.call(host.ground_truth) for name, host in lab.lab.hosts.items()}
    return {name: {"settings": printer["settings"], "token": printer["token"]} for name, printer in truth.items()}


def rollout_results(tasks):
    """Each printer's mfp_mail_oauth result: from the fleet task's results, or from the printer's own task."""
    fleet = [result for result in tasks.get(FLEET_TASK, {}).values() if not result.get("skipped")]
    if fleet:
        return fleet[0]["results"]
    return {host: result for host, result in tasks[HOST_TASK].items() if not result.get("skipped")}


def sign_in_list(tasks):
    # Run once, for the fleet: reported for the first printer.
    return next(iter(tasks[SIGN_IN_LIST].values()))["msg"]


def browser_sign_ins(lab):
    """The sign-in address of every token a printer waits for by browser, as its panel shows it."""
    return [token["sign_in_url"] for host in lab.lab.hosts.values() for device in [lab.call(host.ground_truth)]
            for token in (device["token"], device.get("pop_token") or {}) if token.get("sign_in_url")]


@contextlib.contextmanager
def person_signing_in(lab, record):
    """The mailbox user, in the background while a run goes on: once the run has printed its sign-in
    list (its `record` holds that task), signs in with each code a printer waits for, and opens each
    printer's sign-in address in a browser, so that the run waits for the sign-ins. Yields the codes and
    addresses signed in with, as they are."""
    signed_in, stop = [], threading.Event()
    mailbox_user = Person(lab.lab.ca.ca_path, ACCOUNT, PASSWORD)

    def person():
        while not stop.wait(0.5):
            if SIGN_IN_LIST not in (record.read_text(encoding="utf-8") if record.exists() else ""):
                continue
            for pending in lab.call(lab.lab.idp.pending):
                if not pending["approved"]:
                    lab.call(lab.lab.idp.approve, pending["user_code"], ACCOUNT, PASSWORD)
                    signed_in.append(pending["user_code"])
            for address in browser_sign_ins(lab):
                if address not in signed_in:
                    mailbox_user.sign_in_at(address)
                    signed_in.append(address)

    thread = threading.Thread(target=person, daemon=True)
    thread.start()
    try:
        yield signed_in
    finally:
        stop.set()
        thread.join(10)


@pytest.mark.parametrize("mode", MODES)
def test_the_plan_of_a_first_roll_out_changes_nothing_and_names_what_would(lab, tmp_path, mode):
    before = ground_truth(lab)
    code, tasks, output = playbook(tmp_path, lab.lab.inventory_path, "rollout.yml", "--check", "--diff", *MODES[mode])
    assert code == 0, output[-5000:]
    assert ground_truth(lab) == before
    results = rollout_results(tasks)
    assert sorted(results) == sorted(before)
    # The printer on the old account: SMTP takes the new one and deletes the old token; POP shares both.
    assert {host: result["actions"] for host, result in results.items()} == dict(
        {name: {"smtp": ["get_token"], "pop": []} for name in before},
        **{"mfp-old-account": {"smtp": ["delete", "get_token"], "pop": []}})
    assert all(result["changed"] and result["diff"]["after"]["smtp"]["auth_method"] == "oauth2"
               for result in results.values())
    if mode == "fleet":   # each printer's diff, under its name
        fleet = next(iter(tasks[FLEET_TASK].values()))
        assert sorted(diff["before_header"] for diff in fleet["diff"]) == sorted(before)
    listed = sign_in_list(tasks)
    assert listed[-1].startswith("Check mode, nothing was written: [Get Token] would be pressed on 5 printers: ")
    assert sorted(listed[-1].rsplit(": ", 1)[1].split("; ")[0].split(", ")) == sorted(before)


def test_the_plan_of_an_account_change(lab, tmp_path):
    code, tasks, output = playbook(tmp_path, lab.lab.inventory_path, "change_account.yml", "--check", "--diff")
    assert code == 0, output[-5000:]
    moved = rollout_results(tasks)["mfp-old-account"]
    assert moved["changed"] and moved["actions"]["smtp"] == ["delete", "get_token"]
    assert moved["diff"]["after"]["smtp"]["account"] == ACCOUNT


@pytest.mark.parametrize("mode", MODES)
def test_the_wait_shows_the_codes_then_ends_when_every_printer_is_signed_in(lab, tmp_path, mode):
    with person_signing_in(lab, record_of(tmp_path, "rollout.yml")) as signed_in:
        code, tasks, output = playbook(tmp_path, lab.lab.inventory_path, "rollout.yml", "-e", "mail_oauth_token_wait=true",
                                       "-e", "mail_oauth_token_poll_interval=1", "-e", "mail_oauth_token_wait_timeout=120",
                                       *MODES[mode])
    assert code == 0, output[-5000:]
    listed = sign_in_list(tasks)
    assert len(signed_in) == 5 and all(any(user_code in line for line in listed) for user_code in signed_in)
    assert listed[-1] == "Waiting up to 120 s for the sign-ins; the waiting printers are read every 2 s."
    assert all(truth["token"]["state"] == "obtained" for truth in ground_truth(lab).values())


@pytest.mark.parametrize("name", ["rollout.yml", "change_account.yml", "audit.yml"])
def test_an_inventory_without_printers_fails_clearly(tmp_path, name):
    inventory = tmp_path / "inventory.yml"
    inventory.write_text("all:\n  children:\n    printers:\n      hosts: {}\n", encoding="utf-8")
    code, tasks, output = playbook(tmp_path, inventory, name)
    assert code == 2, output[-5000:]
    assert "The inventory has no host in the group printers, so nothing was done" in output


def test_the_plan_for_one_printer_speaks_of_one_printer(lab, tmp_path):
    code, tasks, output = playbook(tmp_path, lab.lab.inventory_path, "rollout.yml", "--check", "--limit", "mfp-en-bp")
    assert code == 0, output[-5000:]
    assert sign_in_list(tasks)[-3:] == [
        "Would change 1 printer: mfp-en-bp.",
        "1 printer: 1 not obtained",
        "Check mode, nothing was written: [Get Token] would be pressed on 1 printer: mfp-en-bp; each then waits "
        "for a sign-in."]
