"""playbooks/audit.yml in its two modes: fleet mode (the default, one task reads every printer) and
per-host mode (token_audit_fleet=false, one mfp_info task per printer) give the same rows and reports,
for compliant, non-compliant, unreachable and failing printers alike.

    .venv/bin/python -m pytest -q tests/integration/test_audit_modes.py
"""

import json

import yaml

from mfplab.server import LabThread

from test_playbooks import ground_truth, playbook
from test_probe import counters, fleet

# Per printer: the report's rows hold the printer's own policy and its own admin password.
EXTRA_INVENTORY = {"all": {"children": {"printers": {"hosts": {
    "mfp-wrong-password": {"mfp_admin_password": "Not-The-Password-1"},
    "mfp-google": {"token_audit_require_oauth2": False},
}}}}}


def audit(tmp_path, lab, mode, *args, inventory=None):
    """The audit in `mode` (its own folder), with `inventory` beside the lab's; (return code, tasks, output,
    the JSON report, the other reports)."""
    folder = tmp_path / mode
    folder.mkdir()
    extra = folder / "extra.yml"
    extra.write_text(yaml.safe_dump(inventory or {"all": {}}), encoding="utf-8")
    reports = folder / "reports"
    code, tasks, output = playbook(folder, lab.lab.inventory_path, "audit.yml", "-i", str(extra),
                                   "-e", f"token_audit_report_dir={reports}",
                                   "-e", f"token_audit_fleet={mode == 'fleet'}", *args)
    report = json.loads((reports / "token_audit.json").read_text(encoding="utf-8"))
    others = {name: (reports / name).read_text(encoding="utf-8") for name in ("token_audit.csv",)}
    return code, tasks, output, report, others


def test_fleet_mode_and_per_host_mode_give_the_same_rows(tmp_path):
    more = [{"name": "mfp-offline", "faults": {"offline": True}}, {"name": "mfp-wrong-password"},
            {"name": "mfp-google", "settings": {"oauth": {"provider": "google", "account": "scan@contoso.example"}}}]
    with LabThread(fleet(*more), tmp_path / "lab") as lab:
        before, counted = ground_truth(lab), counters(lab)
        # In check mode, as a careful user runs it first: the reports are written all the same.
        fleet_run = audit(tmp_path, lab, "fleet", "--check", inventory=EXTRA_INVENTORY)
        after_fleet = counters(lab)
        per_host_run = audit(tmp_path, lab, "per-host", "--check", inventory=EXTRA_INVENTORY)
        assert ground_truth(lab) == before
    for code, _tasks, output, _report, _others in (fleet_run, per_host_run):
        assert code == 0, output[-5000:]
    fleet_report, per_host_report = fleet_run[3], per_host_run[3]
    assert fleet_report["hosts"] == per_host_report["hosts"]
    assert fleet_report["summary"] == per_host_report["summary"]
    assert fleet_run[4] == per_host_run[4]
    rows = {row["host"]: row for row in fleet_report["hosts"]}
    assert sorted(rows) == sorted(before)
    assert rows["mfp-offline"]["status"] == "unreachable"
    assert rows["mfp-wrong-password"]["status"] == "error"
    assert rows["mfp-wrong-password"]["reasons"][0].startswith("Login to ")
    assert "Not-The-Password-1" not in json.dumps(fleet_report)
    # Its own policy (host variable): no finding on its user/password authentication methods.
    assert rows["mfp-google"]["reasons"] == ["OAuth provider is google, expected microsoft", "token is Not obtained"]
    # The table the run ends with is the same too (but for the reports' folder).
    shown = [next(iter(run[1]["Show the compliance of the fleet"].values()))["msg"] for run in (fleet_run, per_host_run)]
    assert shown[0][:-1] == shown[1][:-1] and shown[0][-1].endswith("/fleet/reports/token_audit.html")
    # Fleet mode: one login per printer that answers, and nothing else posted but the logout.
    for name in before:
        if name in ("mfp-offline",):
            continue
        logins = after_fleet[name]["logins"] - counted[name]["logins"]
        assert logins == (0 if name == "mfp-wrong-password" else 1), name
        assert after_fleet[name]["settings_saved"] == counted[name]["settings_saved"], name


def test_fleet_mode_keeps_each_row_as_a_host_variable_on_request(tmp_path):
    with LabThread(fleet(), tmp_path / "lab") as lab:
        code, tasks, output, report, _others = audit(tmp_path, lab, "fleet", "-e", "token_audit_host_rows=true")
    assert code == 0, output[-5000:]
    kept = tasks["Keep each printer's row as its host variable token_audit_row"]
    assert [item["item"] for item in next(iter(kept.values()))["results"]] == report["hosts"]


def test_fleet_mode_fails_the_run_after_the_reports_when_asked_to(tmp_path):
    with LabThread(fleet(), tmp_path / "lab") as lab:
        code, tasks, output, report, _others = audit(tmp_path, lab, "fleet", "-e", "token_audit_fail_on_noncompliant=true")
    assert code == 2, output[-5000:]
    failing = sorted(row["host"] for row in report["hosts"] if row["status"] != "compliant")
    message = next(iter(tasks["Fail the run when a printer is not compliant"].values()))["msg"]
    assert message.startswith(f"{len(failing)} of {len(report['hosts'])} printers are not compliant: ")
    assert message.endswith(f"See {tmp_path / 'fleet' / 'reports' / 'token_audit'}.*")
