"""Writes on a flaky network, and sessions that never block people (issue 10), against the lab:
a fleet whose printers answer some requests 503, drop some connections and are busy for some posts
converges in two runs; the wait for a sign-in holds no session while it sleeps, so a printer whose
idle timeout is shorter than the poll interval still ends the wait; a session a process of the
collection left open is ended, not waited for as another administrator's.

    .venv/bin/python -m pytest -q tests/integration/test_flaky_network.py
"""

import json
import subprocess
import sys
import threading

import pytest
import yaml

from mfplab.browser import Browser
from mfplab.fleet import parse_fleet
from mfplab.server import LabThread

from test_playbooks import ACCOUNT, PASSWORD, ground_truth, playbook
from test_targets import BIN, DEVICES, environment, fleet_document

# Seeded per printer name, so each run meets the same faults request for request.
FLAKY = {"error_rate": 0.2, "drop_rate": 0.1, "busy_rate": 0.2}


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """Where the collection keeps the sessions it holds: the runs' XDG_CACHE_HOME, and this process's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def lab_of(tmp_path, devices):
    document = fleet_document()
    document["devices"] = devices
    return LabThread(parse_fleet(document), tmp_path / "lab")


def play(tmp_path, lab, tasks):
    playbook_path = tmp_path / "play.yml"
    playbook_path.write_text(yaml.safe_dump([{
        "hosts": "printers", "gather_facts": False, "connection": "local",
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": tasks,
    }], sort_keys=False), encoding="utf-8")
    run = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(lab.lab.inventory_path), str(playbook_path)],
                         cwd=tmp_path, env=environment(tmp_path), capture_output=True, text=True, check=False,
                         timeout=300)
    return run.returncode, run.stdout + run.stderr


def test_a_flaky_fleet_converges_in_two_runs_and_loses_nothing(tmp_path, cache):
    with lab_of(tmp_path, [dict(device, faults=FLAKY) for device in DEVICES]) as lab:
        codes = [playbook(tmp_path, lab.lab.inventory_path, "rollout.yml")[0] for run in range(2)]
        truth = {name: lab.call(host.ground_truth) for name, host in lab.lab.hosts.items()}
        pending = lab.call(lab.lab.idp.pending)
        after_second = ground_truth(lab)
        third, tasks, output = playbook(tmp_path, lab.lab.inventory_path, "rollout.yml")
        after_third = ground_truth(lab)
    assert codes[-1] == 0, codes
    for name, device in truth.items():
        assert device["settings"]["smtp"]["auth_method"] == "oauth2", name
        assert device["settings"]["pop"]["auth_method"] == "oauth2", name
        assert device["settings"]["oauth"] == {"provider": "microsoft", "account": ACCOUNT}, name
        assert device["token"]["state"] == "waiting_for_authorization", name
        assert device["counters"]["failed_logins"] == 0, name
        assert not device["session"]["active"], f"{name}: a session was left open"
    # One [Get Token] per printer: no sign-in requested twice (it would void the code shown).
    assert len(pending) == len(DEVICES)
    assert third == 0 and after_third == after_second, output[-5000:]


def test_the_wait_holds_no_session_and_outlasts_an_idle_timeout_shorter_than_the_poll(tmp_path, cache):
    printer = {"name": "mfp-idle", "session_idle_seconds": 2,
               "settings": {"smtp": {"auth_method": "oauth2", "user": "", "password": ""},
                            "oauth": {"provider": "microsoft", "account": ACCOUNT}}}
    with lab_of(tmp_path, [printer]) as lab:
        stop = threading.Event()

        def person():   # signs in a while after the code is shown: the wait has polled by then
            while not stop.wait(0.5):
                codes = [code for code in lab.call(lab.lab.idp.pending) if not code["approved"]]
                if codes and not stop.wait(5):
                    lab.call(lab.lab.idp.approve, codes[0]["user_code"], ACCOUNT, PASSWORD)
                    return

        thread = threading.Thread(target=person, daemon=True)
        thread.start()
        try:
            code, output = play(tmp_path, lab, [
                {"printfleet.mfp.mfp_oauth_token": {"provider": "microsoft", "account": ACCOUNT}},
                {"printfleet.mfp.mfp_oauth_token": {"provider": "microsoft", "account": ACCOUNT, "wait": True,
                                                    "wait_timeout": 60, "poll_interval": 3},
                 "register": "waited"},
                {"ansible.builtin.assert": {"that": ["waited.token.state == 'obtained'",
                                                     "ansible_facts.mfp_oauth.smtp.state == 'obtained'"]}},
            ])
        finally:
            stop.set()
            thread.join(10)
        truth = lab.call(lab.lab.hosts["mfp-idle"].ground_truth)
    assert code == 0, output[-20000:]
    assert truth["token"]["state"] == "obtained" and not truth["session"]["active"]
    assert truth["counters"]["logins"] >= 3   # the [Get Token] task's, then one per poll


def test_a_session_left_open_by_a_process_of_the_collection_is_ended_not_waited_for(tmp_path, cache):
    from collection_tree import collections_path   # the collection's own record of its sessions
    sys.path.insert(0, str(collections_path()))
    from ansible_collections.printfleet.mfp.plugins.module_utils import _own_sessions

    with lab_of(tmp_path, [{"name": "mfp-left-open"}]) as lab:
        host = lab.lab.hosts["mfp-left-open"]
        base_url = f"https://{host.address}:{host.port}"
        # Logged in as the collection does, by a worker that was then killed: its record stays.
        browser = Browser(lab.lab.ca.ca_path)
        browser.open(f"{base_url}/login.html?/nw_service_smtp.html")
        browser.submit(action="loginbtn", **{"ggt_textbox(10003)": host.device.spec["admin_password"]})
        worker = subprocess.Popen([sys.executable, "-c", ""])
        worker.wait()
        _own_sessions.remember(base_url, None, {"MFPSESSIONID": browser._http.cookies["MFPSESSIONID"]})
        record = _own_sessions._path(base_url, None)
        with open(record, encoding="utf-8") as kept:
            content = json.load(kept)
        with open(record, "w", encoding="utf-8") as kept:
            json.dump(dict(content, pid=worker.pid), kept)
        assert lab.call(host.ground_truth)["session"]["active"]

        code, output = play(tmp_path, lab, [{"printfleet.mfp.mfp_oauth_token": {"state": "query", "mfp_busy_timeout": 0}}])
        truth = lab.call(host.ground_truth)
    assert code == 0, output[-20000:]
    assert not truth["session"]["active"] and truth["counters"]["failed_logins"] == 0
    assert not list((cache / "printfleet.mfp" / "sessions").iterdir())
