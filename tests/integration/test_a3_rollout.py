"""The roll-out on A3 models beside an ordinary printer: POP's own token on a BP-B550WD (profile
bp_a3, which signs in by browser) gets its own [Get Token] and sign-in address, and a BP-70C65
(bp_a3_panel), whose token is obtained on its control panel, gets its pages set and is listed for
the panel instead of failing.

    .venv/bin/python -m pytest -q tests/integration/test_a3_rollout.py
"""

import pytest

from mfplab.fleet import parse_fleet
from mfplab.server import LabThread

from test_playbooks import ACCOUNT, person_signing_in, playbook, record_of, rollout_results, sign_in_list
from test_targets import fleet_document

PANEL_ROW = "a3-panel  scan@contoso.example  SMTP and POP settings"


@pytest.fixture
def lab(tmp_path):
    """An ordinary printer and two A3 models, all still on user/password authentication."""
    document = fleet_document()
    document["devices"] = [
        {"name": "classic"},
        {"name": "a3", "profile": "bp_a3", "model": "BP-B550WD"},
        {"name": "a3-panel", "profile": "bp_a3_panel", "model": "BP-70C65"},
    ]
    with LabThread(parse_fleet(document), tmp_path / "lab") as running:
        yield running


def truth(lab):
    return {name: lab.call(host.ground_truth) for name, host in lab.lab.hosts.items()}


def written(lab):
    """What a run may write: each printer's settings and tokens."""
    return {name: (device["settings"], device["token"], device.get("pop_token")) for name, device in truth(lab).items()}


def tokens(lab):
    """Each printer's token states: SMTP's (shared on `classic`), and POP's own on the A3 models."""
    return {name: (device["token"]["state"], device.get("pop_token", {}).get("state"))
            for name, device in truth(lab).items()}


def run(tmp_path, lab, step, *args):
    """The roll-out, recorded apart for each step (the record of a run keeps only the tasks that ran)."""
    directory = tmp_path / step
    directory.mkdir()
    return playbook(directory, lab.lab.inventory_path, "rollout.yml", *args)


def changed(tasks):
    return sorted((task, host) for task, hosts in tasks.items() for host, result in hosts.items()
                  if result.get("changed"))


def test_a3_printers_get_pops_own_token_and_a_panel_only_one_is_listed_for_the_panel(lab, tmp_path):
    before = written(lab)

    # The plan: POP's [Get Token] planned where POP keeps its own token; nothing written.
    code, tasks, output = run(tmp_path, lab, "plan", "--check", "--diff")
    assert code == 0, output[-5000:]
    assert written(lab) == before
    results = rollout_results(tasks)
    # POP's [Get Token] on the A3 model alone; none on the panel-only model, which is not failed.
    assert {host: result["actions"] for host, result in results.items()} == {
        "classic": {"smtp": ["get_token"], "pop": []}, "a3": {"smtp": ["get_token"], "pop": ["get_token"]},
        "a3-panel": {"smtp": [], "pop": []}}
    assert results["a3-panel"]["status"]["panel_only"] and not results["a3"]["status"]["panel_only"]
    listed = sign_in_list(tasks)
    assert PANEL_ROW in listed
    assert listed[-1] == ("Check mode, nothing was written: [Get Token] would be pressed on 2 printers: "
                          "classic, a3 (SMTP and POP pages); each then waits for a sign-in.")

    # The roll-out: a code for the ordinary printer, a sign-in address per page for the A3 model; the
    # panel-only printer set, not failed.
    code, tasks, output = run(tmp_path, lab, "rollout")
    assert code == 0, output[-5000:]
    listed = sign_in_list(tasks)
    sign_ins = {row.split()[0] + row.split()[1] * row.startswith("a3 "): row.split()[-1 if row.startswith("a3 ") else -3]
                for row in listed if row.startswith(("classic ", "a3 ("))}
    assert sorted(sign_ins) == ["a3(POP)", "a3(SMTP)", "classic"] and len(set(sign_ins.values())) == 3
    assert sign_ins["a3(SMTP)"] == truth(lab)["a3"]["token"]["sign_in_url"]
    assert sign_ins["a3(POP)"] == truth(lab)["a3"]["pop_token"]["sign_in_url"]
    assert PANEL_ROW in listed
    assert "3 printers: 1 to obtain on the control panel, 2 waiting for authorization" in listed
    assert "Changed 3 printers: classic, a3, a3-panel." in listed
    assert tokens(lab) == {"classic": ("waiting_for_authorization", None),
                           "a3": ("waiting_for_authorization", "waiting_for_authorization"),
                           "a3-panel": ("not_obtained", "not_obtained")}
    panel = truth(lab)["a3-panel"]["settings"]
    assert panel["smtp"]["auth_method"] == panel["pop"]["auth_method"] == "oauth2"

    # A second run while the tokens wait: nothing changed, nothing pressed, the same code and addresses.
    code, tasks, output = run(tmp_path, lab, "again")
    assert code == 0, output[-5000:]
    assert changed(tasks) == []
    assert all(not any(result["actions"].values()) for result in rollout_results(tasks).values())
    assert all(sign_in in line for sign_in in sign_ins.values() for line in [" ".join(sign_in_list(tasks))])

    # The wait: the mailbox user signs in with the code and at each address; the A3 model is authorized
    # with both tokens.
    with person_signing_in(lab, record_of(tmp_path / "wait", "rollout.yml")):
        code, tasks, output = run(tmp_path, lab, "wait", "-e", "mail_oauth_token_wait=true",
                                  "-e", "mail_oauth_token_poll_interval=1", "-e", "mail_oauth_token_wait_timeout=120")
    assert code == 0, output[-5000:]
    assert tokens(lab) == {"classic": ("obtained", None), "a3": ("obtained", "obtained"),
                           "a3-panel": ("not_obtained", "not_obtained")}
    progress = tasks["Show how many printers are authorized"]
    assert next(iter(progress.values()))["msg"].startswith(
        "2/3 authorized, 0 waiting for a sign-in, 1 to obtain on the control panel (not waited for) (")

    # Compliant: a third run changes nothing and presses nothing.
    code, tasks, output = run(tmp_path, lab, "compliant")
    assert code == 0, output[-5000:]
    assert changed(tasks) == []
    assert "3 printers: 2 authorized, 1 to obtain on the control panel" in sign_in_list(tasks)
    assert "Changed 0 printers." in sign_in_list(tasks)


def test_a_wait_without_pops_sign_in_fails_the_printer_with_pops_code(tmp_path):
    """SMTP's token Obtained for the account, POP's own not: the wait reads the POP page, and at its end the
    printer fails with the POP page's sign-in address, though SMTP's token is fine."""
    document = fleet_document()
    document["devices"] = [{
        "name": "a3", "profile": "bp_a3", "model": "BP-B550WD",
        "settings": {"smtp": {"auth_method": "oauth2", "user": "", "password": ""},
                     "oauth": {"provider": "microsoft", "account": ACCOUNT}},
        "token": {"state": "obtained", "account": ACCOUNT}}]
    with LabThread(parse_fleet(document), tmp_path / "lab") as lab:
        code, tasks, output = run(tmp_path, lab, "wait", "-e", "mail_oauth_token_wait=true",
                                  "-e", "mail_oauth_token_poll_interval=1", "-e", "mail_oauth_token_wait_timeout=3")
        assert tokens(lab) == {"a3": ("obtained", "waiting_for_authorization")}
    assert code == 2, output[-5000:]
    rolled_out = rollout_results(tasks)["a3"]
    assert rolled_out["actions"] == {"smtp": [], "pop": ["get_token"]}
    pop_address = rolled_out["status"]["pop_token"]["sign_in_url"]
    assert [row.split()[:3] for row in sign_in_list(tasks) if row.startswith("a3 ")] == [["a3", "(POP)", ACCOUNT]]
    assert tasks["Read the tokens of the printer"]["a3"]["status"]["pop_token"]["sign_in_url"] == pop_address
    failure = tasks["Fail the printers without a token for the account"]["a3"]["msg"]
    assert failure.startswith("POP page: No sign-in for %s within 3 s. Open %s in a browser and sign in as %s (before "
                              % (ACCOUNT, pop_address, ACCOUNT))
