"""The faults a real fleet meets, as a client sees them, and what the ground truth counts of them.

Each test sets a fault (through the fleet file or the control API) and shows what a client meets:
whether the device processed the request, what the connection did, what the device shows after.
Waits are bounded: a client timeout of a second or less, or a poll with a deadline.
"""

import json
import time

import pytest
import requests

from mfplab.browser import Browser
from mfplab.fleet import parse_fleet
from mfplab.server import LabThread

from test_lab import ACCOUNT, ADMIN_PASSWORD, DEVICES, SMTP, Control, base_url, fleet_document

CLIENT_TIMEOUT = (5, 0.5)   # connect, read: what a client waits for an answer that does not come
SENDER_NAME, PORT = "ggt_textbox(4)", "ggt_textbox(2)"


@pytest.fixture
def lab(tmp_path):
    with LabThread(parse_fleet(fleet_document(DEVICES)), tmp_path / "state") as running:
        yield running


@pytest.fixture
def control(lab):
    return Control(lab)


def eventually(condition, seconds=10):
    """Poll `condition` until it holds or `seconds` pass; its last value."""
    deadline = time.monotonic() + seconds
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def session():
    http = requests.Session()
    http.trust_env = False
    return http


def get(lab, name, http=None, **kwargs):
    kwargs.setdefault("timeout", CLIENT_TIMEOUT)
    return (http or session()).get(base_url(lab, name) + "/main.html", verify=str(lab.lab.ca.ca_path), **kwargs)


def answers(lab, name):
    """Whether the device answers a page now (a refused or reset connection is a no)."""
    try:
        return get(lab, name).status_code == 200
    except requests.ConnectionError:
        return False


def login_form(lab, name):
    browser = Browser(lab.lab.ca.ca_path, timeout=CLIENT_TIMEOUT)
    browser.open(f"{base_url(lab, name)}/login.html?{SMTP}")
    return browser


def logged_in(lab, name):
    """An administrator on the SMTP page, whose browser gives up on an answer as a client does."""
    browser = login_form(lab, name)
    assert browser.submit(action="loginbtn", **{"ggt_textbox(10003)": ADMIN_PASSWORD}).text("tokenStatus")
    return browser


# --- the request was processed, the answer lost ---

def test_a_lost_answer_to_a_login_leaves_the_session_open_and_blocks_the_next_login(lab, control):
    browser = login_form(lab, "plain")
    control.post("/devices/plain/faults", {"lost_answer_rate": 1})
    with pytest.raises(requests.ConnectionError):
        browser.submit(action="loginbtn", **{"ggt_textbox(10003)": ADMIN_PASSWORD})
    truth = control.device("plain")
    assert truth["session"]["active"] and truth["session"]["holder"] == "web"
    assert truth["counters"]["logins"] == 1
    assert truth["fault_counts"]["answers_lost"] == 1
    control.post("/devices/plain/faults", {"lost_answer_rate": None})
    page = login_form(lab, "plain").submit(action="loginbtn", **{"ggt_textbox(10003)": ADMIN_PASSWORD})
    assert "Another administrator is logged in" in page.text(".err")


@pytest.mark.parametrize("device, button, changes, processed", [
    ("plain", "submitbtn", {SENDER_NAME: "Lost answer"},
     lambda truth: truth["settings"]["smtp"]["sender_name"] == "Lost answer"
     and truth["counters"]["settings_saved"] == 1),
    ("plain", "gettokenbtn", {"ggt_select(7)": "2", "ggt_select(11)": "1", "ggt_textbox(12)": ACCOUNT},
     lambda truth: truth["token"]["state"] == "waiting_for_authorization" and truth["counters"]["token_requests"] == 1),
    ("holder", "deletebtn", {},
     lambda truth: truth["token"]["state"] == "not_obtained" and truth["counters"]["token_deletes"] == 1),
])
def test_a_lost_answer_to_a_settings_post_follows_what_the_device_did(lab, control, device, button, changes, processed):
    browser = logged_in(lab, device)
    control.post(f"/devices/{device}/faults", {"lost_answer_rate": 1})
    with pytest.raises(requests.ConnectionError):
        browser.submit(action=button, **changes)
    assert processed(control.device(device))


# --- the request was not processed: the device never answers, or resets the connection ---

def test_a_hung_device_accepts_the_connection_and_never_answers(lab, control):
    control.post("/devices/plain/faults", {"hang": True})
    with pytest.raises(requests.ReadTimeout):
        get(lab, "plain")
    with pytest.raises(requests.ReadTimeout):
        login_form(lab, "plain")
    truth = control.device("plain")
    assert truth["fault_counts"]["requests_hung"] == 2
    # The lab lets go of a request once its client gave up.
    assert eventually(lambda: control.device("plain")["fault_counts"]["held_now"] == 0)
    assert truth["session"]["active"] is False
    control.post("/devices/plain/faults", {"hang": False})
    assert get(lab, "plain").status_code == 200


def test_a_connection_beyond_the_cap_is_reset_before_any_request_is_read(lab, control):
    control.post("/devices/plain/faults", {"max_connections": 1})
    first = session()
    assert get(lab, "plain", first).status_code == 200   # its connection stays open (keep-alive)
    requests_before = control.device("plain")["counters"]["requests"]
    with pytest.raises(requests.ConnectionError):
        get(lab, "plain")
    truth = control.device("plain")
    assert truth["fault_counts"]["connections_refused"] == 1
    assert truth["counters"]["requests"] == requests_before
    first.close()
    assert eventually(lambda: answers(lab, "plain"))


# --- the answer was being sent: the request was processed ---

def test_a_stalled_answer_sends_its_headers_then_nothing(lab, control):
    browser = logged_in(lab, "plain")
    control.post("/devices/plain/faults", {"stall_rate": 1})
    answer = get(lab, "plain", stream=True)
    assert answer.status_code == 200 and int(answer.headers["Content-Length"]) > 0
    with pytest.raises(requests.ConnectionError):   # the body's read times out
        answer.content
    with pytest.raises(requests.ConnectionError):   # a ReadTimeout
        browser.submit(action="submitbtn", **{SENDER_NAME: "Stalled answer"})
    truth = control.device("plain")
    assert truth["counters"]["settings_saved"] == 1
    assert truth["settings"]["smtp"]["sender_name"] == "Stalled answer"
    assert truth["fault_counts"]["answers_stalled"] == 2
    assert eventually(lambda: control.device("plain")["fault_counts"]["held_now"] == 0)


def test_a_cut_answer_ends_halfway_through_its_body(lab, control):
    control.post("/devices/plain/faults", {"cut_rate": 1})
    answer = get(lab, "plain", stream=True)
    assert answer.status_code == 200
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        answer.content
    assert control.device("plain")["fault_counts"]["answers_cut"] == 1


# --- power lost during a save: old or new settings, never a mix ---

def test_power_lost_during_a_save_keeps_the_old_or_the_new_settings_whole(lab, control):
    browser = logged_in(lab, "plain")
    old = control.device("plain")["settings"]["smtp"]
    control.post("/devices/plain/faults", {"power_loss_rate": 1, "power_loss_seconds": 0.5})
    with pytest.raises(requests.ConnectionError):
        browser.submit(action="submitbtn", **{SENDER_NAME: "Power lost", PORT: "2525"})
    truth = control.device("plain")
    assert truth["up"] is False
    kept = truth["last_power_loss"]["kept"]
    assert kept in ("old", "new")
    smtp = truth["settings"]["smtp"]
    expected = {"old": (old["sender_name"], old["port"]), "new": ("Power lost", 2525)}[kept]
    assert (smtp["sender_name"], smtp["port"]) == expected
    assert truth["counters"]["settings_saved"] == (1 if kept == "new" else 0)
    assert eventually(lambda: control.device("plain")["up"])
    back = control.device("plain")
    assert back["session"]["active"] is False and back["settings"] == truth["settings"]
    stored = json.loads((lab.lab.state_dir / "devices" / "plain.json").read_text())["settings"]["smtp"]
    assert (stored["sender_name"], stored["port"]) == expected
    assert back["fault_counts"]["power_losses"] == 1


# --- certificates ---

@pytest.mark.parametrize("certificate, reason", [("expired", "certificate has expired"),
                                                 ("changed", "self-signed certificate")])
def test_an_expired_or_changed_certificate_fails_verification_with_the_lab_ca(lab, control, certificate, reason):
    control.post("/devices/plain/faults", {"certificate": certificate})
    with pytest.raises(requests.exceptions.SSLError, match=reason):
        get(lab, "plain")
    control.post("/devices/plain/faults", {"certificate": "valid"})
    assert get(lab, "plain").status_code == 200


def test_a_certificate_set_in_the_fleet_file_is_served_from_the_start(tmp_path):
    fleet = parse_fleet(fleet_document([{"name": "renewed-late", "faults": {"certificate": "expired"}}]))
    with LabThread(fleet, tmp_path / "state") as running:
        with pytest.raises(requests.exceptions.SSLError, match="certificate has expired"):
            get(running, "renewed-late")


# --- someone else logs in on a schedule ---

def test_a_scheduled_visitor_holds_the_admin_session_then_logs_out(lab, control):
    control.post("/devices/plain/faults", {"visitor_every_seconds": 0.2, "visitor_hold_seconds": 2})
    assert eventually(lambda: control.device("plain")["session"]["holder"] == "visitor")
    control.post("/devices/plain/faults", {"latency_ms": 0})   # another fault changing leaves the visit be
    assert control.device("plain")["session"]["holder"] == "visitor"
    page = login_form(lab, "plain").submit(action="loginbtn", **{"ggt_textbox(10003)": ADMIN_PASSWORD})
    assert "Another administrator is logged in" in page.text(".err")
    control.post("/devices/plain/faults", {"visitor_every_seconds": None})   # no further visits
    assert eventually(lambda: not control.device("plain")["session"]["active"])
    truth = control.device("plain")
    assert truth["counters"]["visitor_logins"] >= 1 and truth["counters"]["logins"] == 0
    assert logged_in(lab, "plain")


def test_the_visitor_waits_while_another_administrator_is_logged_in(lab, control):
    browser = logged_in(lab, "plain")
    control.post("/devices/plain/faults", {"visitor_every_seconds": 0.1, "visitor_hold_seconds": 1})
    time.sleep(0.5)   # several visits were due
    truth = control.device("plain")
    assert truth["session"]["holder"] == "web" and truth["counters"]["visitor_logins"] == 0
    browser.submit(action="logoutbtn")
    assert eventually(lambda: control.device("plain")["session"]["holder"] == "visitor")


# --- the identity provider ---

def provider(lab, path, **kwargs):
    return session().post(lab.lab.fleet.idp_base_url + path, verify=str(lab.lab.ca.ca_path), timeout=10, **kwargs)


TOKEN = "/organizations/oauth2/v2.0/token"


def test_a_provider_offline_refuses_connections_and_leaves_tokens_obtained(lab, control):
    assert control.post("/idp/faults", {"offline": True}).json()["faults"]["offline"] is True
    assert control.get("/idp").json()["up"] is False
    with pytest.raises(requests.ConnectionError):
        provider(lab, TOKEN)
    assert control.post("/devices/holder/send-mail").json() == {"state": "obtained", "error": "provider_unreachable"}
    control.post("/idp/faults", {"offline": False})
    assert control.post("/devices/holder/send-mail").json() == {"state": "obtained", "reply": "250 2.0.0 OK"}


def test_a_failing_provider_answers_5xx_in_entras_shape_and_the_sign_in_page_fails_too(lab, control):
    control.post("/idp/faults", {"error_rate": 1})
    answer = provider(lab, TOKEN, data={"grant_type": "refresh_token"})
    assert answer.status_code in (500, 503)
    assert answer.json()["error"] in ("server_error", "temporarily_unavailable")
    assert "AADSTS90006" in answer.json()["error_description"]
    assert session().get(lab.lab.fleet.idp_base_url + "/devicelogin", verify=str(lab.lab.ca.ca_path),
                         timeout=10).status_code in (500, 503)
    assert control.post("/devices/holder/send-mail").json() == {"state": "obtained", "error": "provider_unreachable"}
    assert control.device("holder")["token"]["state"] == "obtained"


def test_a_throttling_provider_answers_429_with_retry_after_and_a_token_stays_obtained(lab, control):
    control.post("/idp/faults", {"throttle_rate": 1, "retry_after_seconds": 30})
    answer = provider(lab, TOKEN, data={"grant_type": "refresh_token"})
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "30"
    assert answer.json()["error"] == "temporarily_unavailable"
    assert control.post("/devices/holder/send-mail").json() == {"state": "obtained", "error": "provider_unreachable"}
    assert control.device("holder")["token"]["state"] == "obtained"
    assert control.get("/idp").json()["fault_counts"]["throttled"] >= 2


def test_a_device_waiting_for_a_sign_in_keeps_polling_through_throttling(lab, control):
    browser = logged_in(lab, "plain")
    browser.submit(action="gettokenbtn", **{"ggt_select(7)": "2", "ggt_select(11)": "1", "ggt_textbox(12)": ACCOUNT})
    code = control.device("plain")["token"]["user_code"]
    control.post("/idp/faults", {"throttle_rate": 1, "retry_after_seconds": 1})
    assert eventually(lambda: control.get("/idp").json()["fault_counts"]["throttled"] >= 2)
    assert control.device("plain")["token"]["state"] == "waiting_for_authorization"
    control.post("/idp/faults", {"throttle_rate": None})
    control.post("/idp/approve", {"user_code": code, "username": ACCOUNT})
    assert eventually(lambda: control.device("plain")["token"]["state"] == "obtained", seconds=15)


def test_provider_faults_are_bounded(lab, control):
    assert control.post("/idp/faults", {"throttle_rate": 1.5}).status_code == 400
    assert control.post("/idp/faults", {"hang": True}).status_code == 400
    assert control.post("/devices/plain/faults", {"visitor_hold_seconds": 0}).status_code == 400
    assert control.post("/devices/plain/faults", {"certificate": "stolen"}).status_code == 400
