"""Every login form of tests/fixtures/sharp/captures.yml, on both firmware families, end to end: the
modules log in, read, write, press [Get Token] and [Delete] through the lab's pages; one printer
answers some of the posts with ERROR[5000] (busy), which the modules ask again.

    .venv/bin/python -m pytest -q tests/integration/test_login_modes.py
"""

import subprocess

import yaml

from mfplab.fleet import parse_fleet
from mfplab.server import LabThread

from test_targets import BIN, ROOT, environment, fleet_document

MODES = [capture["authentication"] for capture in yaml.safe_load(
    (ROOT / "tests" / "fixtures" / "sharp" / "captures.yml").read_text(encoding="utf-8"))["logins"]]
ACCOUNT = "scan@contoso.example"

DEVICES = [
    {"name": f"{profile}-{mode}", "profile": profile, "model": model, "authentication": mode,
     "language": "sv" if profile == "mx_classic" else "en"}
    for mode in MODES for profile, model in (("bp_classic", "BP-C131PW"), ("mx_classic", "MX-3071"))
] + [{"name": "busy", "faults": {"busy_rate": 0.3}}]

PLAY = [{
    "hosts": "printers", "gather_facts": False, "connection": "local",
    "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
    "tasks": [
        {"printfleet.mfp.mfp_smtp": {"auth_method": "oauth2", "provider": "microsoft", "account": ACCOUNT}},
        {"printfleet.mfp.mfp_oauth_token": {"provider": "microsoft", "account": ACCOUNT}, "register": "asked"},
        {"printfleet.mfp.mfp_oauth_token": {"state": "absent", "service": "pop"}, "register": "deleted"},
        {"printfleet.mfp.mfp_oauth_token": {"state": "query"}, "register": "audit"},
        {"ansible.builtin.assert": {"that": [
            "asked.token.state == 'waiting_for_authorization'",
            "deleted is changed",
            "audit.ansible_facts.mfp_oauth.smtp.state == 'not_obtained'",
            "audit.ansible_facts.mfp_oauth.smtp.auth_method == 'oauth2'",
        ]}},
    ],
}]


def run_play(tmp_path, devices, play):
    """Play `play` against a fresh lab of `devices`; (ansible-playbook's output, each device's ground truth)."""
    document = fleet_document()
    document["devices"] = devices
    fleet = parse_fleet(document)
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    with LabThread(fleet, tmp_path / "lab") as lab:
        run = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(lab.lab.inventory_path), str(playbook)],
                             cwd=tmp_path, env=environment(tmp_path), capture_output=True, text=True, check=False,
                             timeout=300)
        # In-process, as the other integration tests read it: the control API wants the lab's secret.
        truth = {name: lab.call(host.ground_truth) for name, host in lab.lab.hosts.items()}
    assert run.returncode == 0, (run.stdout + run.stderr)[-20000:]
    return truth


def test_every_login_mode_and_a_busy_printer_end_to_end(tmp_path):
    truth = run_play(tmp_path, DEVICES, PLAY)
    for name, device in truth.items():
        assert device["counters"]["failed_logins"] == 0, name
        assert device["settings"]["smtp"]["auth_method"] == "oauth2", name
        assert not device["session"]["active"], f"{name}: the session was not ended"
    # The busy printer answered some posts with ERROR[5000]; they were made again.
    assert truth["busy"]["counters"]["posts"] > truth["bp_classic-administrator"]["counters"]["posts"]


A3_DEVICES = [
    {"name": "a3", "profile": "bp_a3", "model": "BP-B550WD",
     "settings": {"smtp": {"auth_method": "oauth2", "user": "", "password": ""},
                  "oauth": {"provider": "microsoft", "account": ACCOUNT}},
     "token": {"state": "obtained", "account": ACCOUNT}},
    {"name": "a3-panel", "profile": "bp_a3_panel", "model": "BP-70C65", "language": "sv",
     "settings": {"smtp": {"auth_method": "oauth2", "user": "", "password": ""},
                  "oauth": {"provider": "microsoft", "account": ACCOUNT}},
     "token": {"state": "invalid", "account": ACCOUNT}},
]
POP_ACCOUNT = "old-scan@contoso.example"

A3_PLAY = [{
    "hosts": "printers", "gather_facts": False, "connection": "local",
    "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
    "tasks": [
        {"name": "POP's own account and token", "when": "inventory_hostname == 'a3'", "block": [
            {"printfleet.mfp.mfp_pop": {"auth_method": "oauth2", "provider": "microsoft", "account": POP_ACCOUNT}},
            {"printfleet.mfp.mfp_oauth_token": {"service": "pop", "provider": "microsoft", "account": POP_ACCOUNT}},
            {"printfleet.mfp.mfp_oauth_token": {"state": "query"}, "register": "audit"},
            {"printfleet.mfp.mfp_info": {}, "register": "probe"},
            {"ansible.builtin.assert": {"that": [
                "probe.expectations_held and probe.profile == 'bp_a3'",
                "probe.oauth == audit.ansible_facts.mfp_oauth",
                "audit.ansible_facts.mfp_oauth.smtp.state == 'obtained'",
                "audit.ansible_facts.mfp_oauth.smtp.account == '%s'" % ACCOUNT,
                "audit.ansible_facts.mfp_oauth['pop'].state == 'waiting_for_authorization'",
                "audit.ansible_facts.mfp_oauth['pop'].account == '%s'" % POP_ACCOUNT,
            ]}},
        ]},
        {"name": "The token of a panel-only model", "when": "inventory_hostname == 'a3-panel'", "block": [
            {"printfleet.mfp.mfp_oauth_token": {"provider": "microsoft", "account": ACCOUNT},
             "register": "renew", "ignore_errors": True},
            {"printfleet.mfp.mfp_oauth_token": {"state": "query"}, "register": "audit"},
            # The probe expects no [Get Token] of a panel-only model.
            {"printfleet.mfp.mfp_info": {}, "register": "probe"},
            {"ansible.builtin.assert": {"that": [
                "probe.expectations_held and probe.profile == 'bp_a3_panel'",
                "probe.tokens['pop'].state == 'not_obtained' and probe.tokens.smtp.state == 'invalid'",
                "renew is failed and 'obtained on the control panel' in renew.msg",
                "audit.ansible_facts.mfp_oauth.smtp.state == 'invalid'",
            ]}},
        ]},
    ],
}]


def test_a3_models_pops_own_credential_and_a_panel_only_token(tmp_path):
    truth = run_play(tmp_path, A3_DEVICES, A3_PLAY)
    a3, panel = truth["a3"], truth["a3-panel"]
    assert a3["token"]["state"] == "obtained" and a3["pop_token"]["state"] == "waiting_for_authorization"
    assert a3["settings"]["pop_oauth"]["account"] == POP_ACCOUNT and a3["settings"]["oauth"]["account"] == ACCOUNT
    assert panel["token"]["state"] == "invalid" and panel["counters"]["settings_saved"] == 0
