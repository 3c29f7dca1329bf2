"""The whole lab in one process: fleet, identity provider, control API, faults and restarts."""

import json
import os
import random
import stat
import subprocess
import sys
import time

import pytest
import requests
import yaml

from mfplab import store
from mfplab.browser import Browser
from mfplab.fleet import load_fleet, parse_fleet
from mfplab.server import LabThread

from loopback import free_port

SMTP = "/nw_service_smtp.html"
ADMIN_PASSWORD = "Lab-Admin-2026"
ACCOUNT, ACCOUNT_PASSWORD = "scan@contoso.example", "Scan-Lab-2026"


def fleet_document(devices):
    """A small fleet on loopback addresses and ports of its own, so parallel tests never collide."""
    net = f"127.{random.randint(64, 254)}.{random.randint(0, 254)}"
    return {
        "lab": {"control_port": free_port(), "device_port": free_port(),
                "first_device_address": f"{net}.10"},
        "identity_provider": dict(load_fleet().identity_provider, address=f"{net}.2", port=free_port(),
                                  poll_interval_seconds=1),
        "defaults": {"admin_password": ADMIN_PASSWORD},
        "devices": devices,
    }


# Scan to e-mail with the token, as Exchange Online wants it: STARTTLS on 587, XOAUTH2.
OAUTH_SMTP = {"primary_server": "smtp.office365.com", "port": 587, "ssl_tls": True, "auth_method": "oauth2",
              "sender_address": ACCOUNT}

DEVICES = [
    {"name": "plain", "settings": {"smtp": {"primary_server": "smtp.office365.com", "port": 587}}},
    {"name": "holder", "settings": {"oauth": {"provider": "microsoft", "account": ACCOUNT}, "smtp": OAUTH_SMTP},
     "token": {"state": "obtained", "account": ACCOUNT}},
    {"name": "stale", "token": {"state": "invalid", "account": ACCOUNT}},
    {"name": "gone", "faults": {"offline": True}},
]


@pytest.fixture
def lab(tmp_path):
    with LabThread(parse_fleet(fleet_document(DEVICES)), tmp_path / "state") as running:
        yield running


class Control:
    """A client of the control API, as the CLI is one: it finds the secret beside lab.json."""

    def __init__(self, lab):
        self.url = lab.lab.fleet.control_url
        self.http = requests.Session()
        self.http.trust_env = False
        secret = (lab.lab.state_dir / "control.secret").read_text(encoding="ascii")
        self.http.headers["Authorization"] = f"Bearer {secret}"

    def get(self, path):
        return self.http.get(self.url + path, timeout=30)

    def post(self, path, body=None):
        return self.http.post(self.url + path, json={} if body is None else body, timeout=60)

    def device(self, name):
        return self.get(f"/devices/{name}").json()


@pytest.fixture
def control(lab):
    return Control(lab)


def base_url(lab, name):
    host = lab.lab.host(name)
    return f"https://{host.address}:{host.port}"


def logged_in(lab, name):
    browser = Browser(lab.lab.ca.ca_path)
    browser.open(f"{base_url(lab, name)}/login.html?{SMTP}")
    page = browser.submit(action="loginbtn", **{"ggt_textbox(10003)": ADMIN_PASSWORD})
    assert page.text("tokenStatus"), "login should land on the SMTP page"
    return browser


def fetch(lab, name, path="/main.html"):
    http = requests.Session()
    http.trust_env = False
    return http.get(base_url(lab, name) + path, verify=str(lab.lab.ca.ca_path), timeout=10)


def test_the_control_api_shows_every_device_and_no_secret(lab, control):
    devices = control.get("/devices").json()["devices"]
    assert [d["name"] for d in devices] == ["plain", "holder", "stale", "gone"]
    assert [d["up"] for d in devices] == [True, True, True, False]
    assert devices[1]["token"] == dict(devices[1]["token"], state="obtained", account=ACCOUNT)
    assert devices[2]["token"]["state"] == "invalid"
    text = json.dumps(devices) + control.get("/idp").text
    stored = (lab.lab.state_dir / "devices" / "holder.json").read_text()
    refresh_token = json.loads(stored)["token"]["refresh_token"]
    for secret in (ADMIN_PASSWORD, ACCOUNT_PASSWORD, refresh_token):
        assert secret and secret not in text
    assert control.get("/health").json() == {"devices": 4, "up": 3}


def test_unknown_devices_and_bad_requests_are_answered_as_such(control):
    assert control.get("/devices/nope").status_code == 404
    assert control.post("/devices/plain/faults", {"error_rate": 3}).status_code == 400
    assert control.post("/devices/plain/faults", {"melt": True}).status_code == 400
    assert control.post("/devices/plain/reboot", {"seconds": 9999}).status_code == 400
    assert control.post("/idp/approve", {"user_code": "X"}).json() == {"error": "username is required"}


def account_enabled(control):
    [account] = [a for a in control.get("/idp").json()["accounts"] if a["username"] == ACCOUNT]
    return account["enabled"]


def anonymous(lab):
    http = requests.Session()
    http.trust_env = False
    return http


@pytest.mark.parametrize("method, path", [
    ("GET", "/health"), ("GET", "/devices"), ("GET", "/devices/plain"), ("GET", "/idp"), ("GET", "/idp/pending"),
    ("GET", "/inventory"), ("POST", f"/idp/accounts/{ACCOUNT}/disable"), ("POST", "/devices/plain/faults"),
    ("POST", "/idp/faults"), ("POST", "/shutdown"),
])
def test_the_control_api_answers_401_without_the_labs_secret(lab, control, method, path):
    for headers in ({}, {"Authorization": "Bearer not-the-secret"}, {"Authorization": "not-the-secret"}):
        response = anonymous(lab).request(method, lab.lab.fleet.control_url + path, json={"offline": True},
                                          headers=headers, timeout=30)
        assert response.status_code == 401, (method, path, headers)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert ADMIN_PASSWORD not in response.text
    assert account_enabled(control)
    assert control.device("plain")["faults"]["offline"] is False
    assert control.get("/idp").json()["up"] is True
    assert not lab.lab.stopped.is_set()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None])
def test_a_post_that_is_not_json_is_refused_and_changes_nothing(lab, control, content_type):
    # What a web page in the operator's browser can send without asking first (a "simple request").
    headers = {"Content-Type": content_type} if content_type else {}
    holder = control.device("holder")
    for path, body in ((f"/idp/accounts/{ACCOUNT}/disable", '{}'),
                       ("/devices/holder/send-mail", ""), ("/shutdown", "")):
        response = control.http.post(control.url + path, data=body, headers=headers, timeout=30)
        assert response.status_code == 415, (path, content_type)
        assert "application/json" in response.json()["error"]
    assert account_enabled(control)
    assert control.device("holder")["token"] == holder["token"]
    assert not lab.lab.stopped.is_set()


def test_the_state_directory_secret_inventory_and_keys_are_the_owners_only(lab):
    state = lab.lab.state_dir

    def mode(path):
        return stat.S_IMODE(os.stat(path).st_mode)

    assert mode(state) == 0o700
    private = [state / "control.secret", state / "inventory.yml", state / "ca.key", *state.glob("certs/*.key")]
    assert len(private) > 4
    assert {str(path): mode(path) for path in private} == {str(path): 0o600 for path in private}
    assert len((state / "control.secret").read_text(encoding="ascii")) >= 32


def test_the_labs_files_are_created_private_not_chmod_ed_afterwards(tmp_path, monkeypatch):
    # Created open and chmod-ed after, a file is readable by others for a moment: a umask of 0
    # shows it, and no chmod may follow.
    chmods = []
    monkeypatch.setattr(os, "chmod", lambda path, *args, **kwargs: chmods.append(str(path)))
    old_umask = os.umask(0)
    try:
        with LabThread(parse_fleet(fleet_document(DEVICES[:1])), tmp_path / "state") as running:
            state = running.lab.state_dir
            modes = {path.name: stat.S_IMODE(os.stat(path).st_mode)
                     for path in (state, state / "control.secret", state / "inventory.yml", state / "ca.key",
                                  *state.glob("certs/*.key"))}
    finally:
        os.umask(old_umask)
    assert chmods == []
    assert modes == dict.fromkeys(modes, 0o600) | {"state": 0o700}


def test_a_new_lab_gets_a_new_secret(tmp_path):
    fleet = parse_fleet(fleet_document(DEVICES[:1]))
    secrets = []
    for start in ("first", "second"):   # the same state directory, started twice
        with LabThread(fleet, tmp_path / "state") as running:
            secrets.append((running.lab.state_dir / "control.secret").read_text(encoding="ascii"))
    assert secrets[0] != secrets[1]


def test_the_inventory_lists_each_device_with_its_address_and_the_lab_ca(lab):
    inventory = yaml.safe_load(lab.lab.inventory_path.read_text())
    hosts = inventory["all"]["children"]["printers"]["hosts"]
    assert set(hosts) == {"plain", "holder", "stale", "gone"}
    assert hosts["plain"]["ansible_host"] == lab.lab.host("plain").address
    assert hosts["plain"]["mfp_ca_path"] == str(lab.lab.ca.ca_path)
    assert inventory["all"]["vars"]["mfplab_control_secret_path"] == str(lab.lab.state_dir / "control.secret")


def test_latency_is_added_to_every_request(lab, control):
    control.post("/devices/plain/faults", {"latency_ms": 300})
    started = time.monotonic()
    assert fetch(lab, "plain").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_an_error_rate_answers_503_and_counts_the_request(lab, control):
    before = control.device("plain")["counters"]["requests"]
    control.post("/devices/plain/faults", {"error_rate": 1})
    assert fetch(lab, "plain").status_code == 503
    control.post("/devices/plain/faults", {"error_rate": None})
    assert fetch(lab, "plain").status_code == 200
    assert control.device("plain")["counters"]["requests"] == before + 2


def test_a_drop_rate_closes_connections_without_an_answer(lab, control):
    control.post("/devices/plain/faults", {"drop_rate": 1})
    with pytest.raises(requests.ConnectionError):
        fetch(lab, "plain")
    control.post("/devices/plain/faults", {"drop_rate": 0})
    assert fetch(lab, "plain").status_code == 200


def test_an_offline_device_refuses_connections_until_it_is_back(lab, control):
    with pytest.raises(requests.ConnectionError):
        fetch(lab, "gone")
    assert control.post("/devices/gone/faults", {"offline": False}).json()["faults"]["offline"] is False
    assert fetch(lab, "gone").status_code == 200
    control.post("/devices/gone/faults", {"offline": True})
    with pytest.raises(requests.ConnectionError):
        fetch(lab, "gone")


def test_a_reboot_drops_connections_and_sessions_but_keeps_settings(lab, control):
    browser = logged_in(lab, "plain")
    control.post("/devices/plain/reboot", {"seconds": 1})
    assert control.device("plain")["up"] is False
    with pytest.raises(requests.ConnectionError):
        fetch(lab, "plain")
    time.sleep(1.5)
    truth = control.device("plain")
    assert truth["up"] is True
    assert truth["settings"]["smtp"]["primary_server"] == "smtp.office365.com"
    page = browser.open(base_url(lab, "plain") + SMTP)
    assert "/login.html" in page.url


def test_forced_session_expiry_sends_the_administrator_back_to_login(lab, control):
    browser = logged_in(lab, "plain")
    control.post("/devices/plain/expire-sessions")
    assert "/login.html" in browser.open(base_url(lab, "plain") + SMTP).url


def test_a_revoked_account_makes_its_holders_invalid_when_they_next_send_mail(lab, control):
    assert control.post("/devices/holder/send-mail").json()["state"] == "obtained"
    answer = control.post(f"/idp/accounts/{ACCOUNT}/revoke").json()
    assert answer == {"username": ACCOUNT, "revoked_refresh_tokens": 2}   # the seeded one and its rotation
    assert control.device("holder")["token"]["state"] == "obtained"   # the device has not asked yet
    assert control.post("/devices/holder/send-mail").json() == {"state": "invalid", "error": "AADSTS50173"}
    token = control.device("holder")["token"]
    assert token["state"] == "invalid" and token["last_error"] == "AADSTS50173"
    assert token["message"] == "The token is no longer valid (AADSTS50173)."


def test_conditional_access_is_switched_per_tenant_through_the_control_api(lab, control):
    answer = control.post("/idp/tenants/contoso.example/conditional-access", {"block_device_code_flow": True})
    assert answer.status_code == 200
    assert answer.json()["conditional_access"] == {"block_device_code_flow": True}
    [contoso] = [tenant for tenant in control.get("/idp").json()["tenants"] if tenant["name"] == "contoso"]
    assert contoso["conditional_access"] == {"block_device_code_flow": True}
    refused = control.post("/idp/tenants/contoso/conditional-access", {"block_everything": True})
    assert refused.status_code == 400 and "block_device_code_flow" in refused.json()["error"]
    assert control.post("/idp/tenants/nosuch/conditional-access", {}).status_code == 404


def test_a_token_for_another_account_than_the_pages_cannot_send_mail(lab, control):
    # A person changes the account on the page; the token stays, as the manual says, but is useless.
    browser = logged_in(lab, "holder")
    browser.submit(action="submitbtn", **{"ggt_textbox(12)": "new-scan@contoso.example"})
    assert control.device("holder")["settings"]["oauth"]["account"] == "new-scan@contoso.example"
    assert control.post("/devices/holder/send-mail").json() == {
        "state": "obtained", "error": "authentication_failed", "reply": "535 5.7.3 Authentication unsuccessful"}
    assert control.device("holder")["token"]["state"] == "obtained"


def test_get_token_then_an_approval_through_the_control_api_obtains_it(lab, control):
    browser = logged_in(lab, "plain")
    browser.submit(action="gettokenbtn",   # confirmed by the page's confirm(): one POST
                   **{"ggt_select(7)": "2", "ggt_select(11)": "1", "ggt_textbox(12)": ACCOUNT})
    code = control.device("plain")["token"]["user_code"]
    assert [p["user_code"] for p in control.get("/idp/pending").json()["pending"]] == [code]
    control.post("/idp/approve", {"user_code": code, "username": ACCOUNT})
    deadline = time.monotonic() + 15
    while control.device("plain")["token"]["state"] != "obtained" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert control.device("plain")["token"]["account"] == ACCOUNT


def test_settings_and_tokens_survive_a_lab_restart(tmp_path):
    fleet = parse_fleet(fleet_document(DEVICES))
    with LabThread(fleet, tmp_path / "state") as running:
        browser = logged_in(running, "plain")
        browser.submit(action="submitbtn", **{"ggt_textbox(4)": "Floor 3 scanner"})
        browser.open(base_url(running, "plain") + "/logout.html")
        before = running.lab.host("holder").ground_truth()["token"]
    with LabThread(fleet, tmp_path / "state") as running:
        assert running.lab.host("plain").ground_truth()["settings"]["smtp"]["sender_name"] == "Floor 3 scanner"
        assert running.lab.host("holder").ground_truth()["token"] == before
        assert running.run(running.lab.host("holder").device.send_mail()) == {"state": "obtained", "reply": "250 2.0.0 OK"}


def test_a_fleet_that_starts_with_tokens_seeds_the_provider_in_one_write(tmp_path, monkeypatch):
    # One write per seeded token rewrote every token before it: 10,000 devices took minutes to start.
    holders = [dict(DEVICES[1], name=f"holder-{n}") for n in range(5)]
    writes = []
    real_write = store.write_private
    monkeypatch.setattr(store, "write_private", lambda path, data: (writes.append(path.name), real_write(path, data)))
    with LabThread(parse_fleet(fleet_document(holders)), tmp_path / "state") as running:
        assert writes.count("idp.json") == 2   # made (its signing key), then seeded
        assert len(json.loads((running.lab.state_dir / "idp.json").read_text(encoding="utf-8"))["refresh_tokens"]) == 5
        for holder in holders:   # each one's token works
            assert running.run(running.lab.host(holder["name"]).device.send_mail())["state"] == "obtained"


def test_the_cli_starts_reports_and_stops_a_lab(tmp_path):
    fleet_file = tmp_path / "fleet.yml"
    fleet_file.write_text(yaml.safe_dump(fleet_document(DEVICES[:2])))
    state = tmp_path / "state"
    cli = [sys.executable, "-m", "mfplab", "--state", str(state)]
    up = subprocess.run(cli + ["up", "--fleet", str(fleet_file)], capture_output=True, text=True, check=False, timeout=60)
    try:
        assert up.returncode == 0, up.stderr
        assert "holder" in up.stdout and "obtained" in up.stdout
        status = subprocess.run(cli + ["status", "--json"], capture_output=True, text=True, check=False, timeout=30)
        assert [d["name"] for d in json.loads(status.stdout)["devices"]] == ["plain", "holder"]
        fault = subprocess.run(cli + ["fault", "holder", "--lost-answer-rate", "0.5", "--certificate", "expired"],
                               capture_output=True, text=True, check=False, timeout=30)
        assert json.loads(fault.stdout)["faults"] == dict(json.loads(fault.stdout)["faults"], lost_answer_rate=0.5,
                                                          certificate="expired")
        provider_fault = subprocess.run(cli + ["provider-fault", "--throttle-rate", "0.25"],
                                        capture_output=True, text=True, check=False, timeout=30)
        assert json.loads(provider_fault.stdout)["faults"]["throttle_rate"] == 0.25
        again = subprocess.run(cli + ["up", "--fleet", str(fleet_file)], capture_output=True, text=True, check=False, timeout=30)
        assert again.returncode != 0 and "already runs" in again.stderr
        blocked = subprocess.run(cli + ["conditional-access", "fabrikam", "--block-device-code"],
                                 capture_output=True, text=True, check=False, timeout=30)
        assert blocked.returncode == 0, blocked.stderr
        assert json.loads(blocked.stdout)["conditional_access"] == {"block_device_code_flow": True}
        switched = subprocess.run(cli + ["basic-auth", "fabrikam", "off"], capture_output=True, text=True, check=False,
                                  timeout=30)
        assert json.loads(switched.stdout) == {"tenant": "fabrikam", "basic_auth": False}
        sent = subprocess.run(cli + ["send-mail", "holder", "--to", "mfp@fabrikam.example"], capture_output=True,
                              text=True, check=False, timeout=30)
        assert json.loads(sent.stdout) == {"state": "obtained", "reply": "250 2.0.0 OK"}
        mailbox = subprocess.run(cli + ["mailbox", "mfp@fabrikam.example"], capture_output=True, text=True,
                                 check=False, timeout=30)
        assert [m["authenticated_as"] for m in json.loads(mailbox.stdout)["messages"]] == [ACCOUNT]
    finally:
        down = subprocess.run(cli + ["down"], capture_output=True, text=True, check=False, timeout=60)
    assert down.returncode == 0, down.stderr
    assert not (state / "lab.json").exists()


def test_the_lab_raises_its_open_files_limit_to_what_its_devices_need(monkeypatch):
    from mfplab import server
    limits = {"soft": 1024, "hard": 4096}
    monkeypatch.setattr(server.resource, "getrlimit", lambda which: (limits["soft"], limits["hard"]))
    monkeypatch.setattr(server.resource, "setrlimit", lambda which, value: limits.update(soft=value[0]))
    server.ensure_open_files(1000)
    assert limits["soft"] == 1000 + server.SPARE_OPEN_FILES
    with pytest.raises(OSError, match="10000 devices need 11024 open files and the hard limit is 4096"):
        server.ensure_open_files(10000)
