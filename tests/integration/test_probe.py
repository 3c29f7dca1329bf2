"""playbooks/probe.yml as a user with a printer the collection does not know runs it: read-only, and
with -e probe_capture_dir a capture to attach to a support request that holds none of the fleet's secrets.

    .venv/bin/python -m pytest -q tests/integration/test_probe.py
"""

import json
import re

import pytest

from mfplab.fleet import parse_fleet
from mfplab.server import LabThread

from test_playbooks import OLD_ACCOUNT_PRINTER, ground_truth, playbook
from test_targets import DEVICES, fleet_document, secrets

# The pages each printer answers, in order: the login page, the login (a redirect, no page), SMTP, POP, and
# [Logout(L)] pressed on the POP page.
PAGE_FILES = ["01-get-login.html", "03-get-nw_service_smtp.html", "04-get-sys_email_status_special.html",
              "05-post-sys_email_status_special.html"]


def fleet(*more):
    """The fleet of test_playbooks (still on user/password authentication, one printer on the old account), and `more`."""
    return parse_fleet(dict(fleet_document(), devices=DEVICES + [OLD_ACCOUNT_PRINTER, *more]))


@pytest.fixture
def lab(tmp_path):
    with LabThread(fleet(), tmp_path / "lab") as running:
        yield running


def counters(lab):
    return {name: lab.call(host.ground_truth)["counters"] for name, host in lab.lab.hosts.items()}


def assert_read_only(lab, counted, probed):
    """What each printer counted since `counted` is what its mfp_info result says it did: one login, and
    no POST but the login's and the logout's ([Logout(L)] on the last page read, the POP page)."""
    now = counters(lab)
    for name in counted:
        after = now[name]
        posted = [request for request in probed[name]["requests"] if request.startswith("POST ")]
        assert after["posts"] - counted[name]["posts"] == len(posted), name
        assert posted == ["POST /login.html", "POST /sys_email_status_special.html"], posted
        assert after["logins"] - counted[name]["logins"] == 1, name
        assert after["settings_saved"] == counted[name]["settings_saved"], name


def test_the_probe_changes_nothing_and_its_capture_holds_no_secret(lab, tmp_path):
    for run in ("rollout", "probe"):   # each playbook run in a folder of its own
        (tmp_path / run).mkdir()
    rollout = playbook(tmp_path / "rollout", lab.lab.inventory_path, "rollout.yml")
    assert rollout[0] == 0, rollout[2][-5000:]
    user_codes = [pending["user_code"] for pending in lab.call(lab.lab.idp.pending)]
    assert len(user_codes) == 5
    before, counted = ground_truth(lab), counters(lab)

    capture_dir = tmp_path / "capture"
    # In check mode, as a careful user runs it first: the printers are read, the capture written all the same.
    code, tasks, output = playbook(tmp_path / "probe", lab.lab.inventory_path, "probe.yml", "--check",
                                   "-e", f"probe_capture_dir={capture_dir}")
    assert code == 0, output[-5000:]
    assert ground_truth(lab) == before
    assert_read_only(lab, counted, tasks["Read the printer without changing it"])

    shown = tasks["Show what was found"]
    assert shown["mfp-en-mx"]["msg"][:3] == [
        "model MX-3071, firmware not shown, profile mx_classic (detected), UI language en",
        "token: Waiting for Authorization", "every expectation of the profile held"]
    assert shown["mfp-sv-bp"]["msg"][1] == "token: Väntar på auktorisering"

    accounts = {"scan@contoso.example", "old-scan@contoso.example"}
    for printer in before:
        folder = capture_dir / printer
        assert sorted(path.name for path in folder.iterdir()) == sorted(PAGE_FILES + ["capture.json"])
        capture = json.loads((folder / "capture.json").read_text(encoding="utf-8"))
        assert capture["probe"]["expectations_held"] and capture["probe"]["tokens"]["smtp"]["user_code"].startswith("masked-")
        text = "\n".join(path.read_text(encoding="utf-8") for path in folder.iterdir())
        leaked = sorted(secret for secret in secrets(fleet()) | set(user_codes) | accounts if secret in text)
        assert not leaked, f"{printer}: secrets in the capture: {leaked}"
        assert not re.search(r"[0-9a-fA-F]{32}", text), f"{printer}: a CSRF token is left"
        # The visitor's cookie of the first GET, the login's new one, and the visitor's the logout gives.
        cookies = re.findall(r"MFPSESSIONID=([^;\s\"]*)", text)
        assert len(cookies) == 3 and all(cookie.startswith("masked-cookie-") for cookie in cookies), cookies
        login = (folder / "01-get-login.html").read_text(encoding="utf-8")
        assert 'name="token2" value="masked-token2-' in login and 'type="password"' in login
        # What was no secret is as the printer served it: an empty (write-only) password field stays empty.
        assert re.search(r'<input type="password" name="[^"]+" value="">', login), login


def test_the_probe_of_a_model_no_profile_covers_fails_after_writing_its_capture(tmp_path):
    document = fleet_document()
    document["devices"] = [{"name": "mfp-new-model", "model": "BP-X999"}]
    capture_dir = tmp_path / "capture"
    with LabThread(parse_fleet(document), tmp_path / "lab") as running:
        code, tasks, output = playbook(tmp_path, running.lab.inventory_path, "probe.yml",
                                       "-e", f"probe_capture_dir={capture_dir}")
        truth = running.call(running.lab.hosts["mfp-new-model"].ground_truth)
    assert code == 2, output[-5000:]
    assert truth["counters"]["posts"] == 0 and truth["counters"]["requests"] == 1
    assert "No profile covers the model 'BP-X999'" in tasks["Fail the printer when it could not be probed"]["mfp-new-model"]["msg"]
    assert sorted(path.name for path in (capture_dir / "mfp-new-model").iterdir()) == ["01-get-login.html", "capture.json"]


def test_the_audit_reads_through_the_probe_in_check_mode_too(tmp_path):
    reports = tmp_path / "reports"
    with LabThread(fleet({"name": "mfp-offline", "faults": {"offline": True}}), tmp_path / "lab") as lab:
        before, counted = ground_truth(lab), counters(lab)
        # Per-host mode, where each printer's mfp_info result shows its requests (tests/integration/test_audit_modes.py:
        # fleet mode gives the same rows).
        code, tasks, output = playbook(tmp_path, lab.lab.inventory_path, "audit.yml", "--check",
                                       "-e", f"token_audit_report_dir={reports}", "-e", "token_audit_fleet=false")
        assert code == 0, output[-5000:]
        assert ground_truth(lab) == before
        read = tasks["Read the token and OAuth settings of the printer"]
        assert read["mfp-offline"]["unreachable"] and read["mfp-offline"]["requests"] == []
        del counted["mfp-offline"]
        assert_read_only(lab, counted, read)
    rows = {row["host"]: row for row in json.loads((reports / "token_audit.json").read_text(encoding="utf-8"))["hosts"]}
    # The lab's settings (-e @examples/lab/mail_oauth.yml) expect the account the fleet moves to.
    assert rows["mfp-old-account"]["reasons"] == ["OAuth account is old-scan@contoso.example, expected scan@contoso.example"]
    assert rows["mfp-offline"]["status"] == "unreachable"
    assert rows["mfp-offline"]["reasons"][0].startswith("Cannot reach the device at https://")
    assert rows["mfp-sv-mx"]["status"] == "noncompliant"
    assert rows["mfp-sv-mx"]["reasons"] == [
        "SMTP uses smtp_auth, not OAuth 2.0: still on basic authentication, which will fail when the tenant "
        "switches it off (Exchange Online: by default from the end of December 2026)", "POP uses plain, not OAuth 2.0",
        "no OAuth provider is set, expected microsoft",
        "no OAuth account is set, expected scan@contoso.example", "token is Not obtained (Ej hämtad)"]
