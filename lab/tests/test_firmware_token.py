"""The token lifecycle against the lab's identity provider: the device's msal client does the real grant."""

import time

import pytest

from mfplab.firmware.device import Device
from mfplab.firmware.oauth import DeviceOAuthClient
from mfplab.idp import IdentityProvider
from mfplab.store import JsonStore
from firmware_fixtures import POP, SMTP, device_spec, serve_device
from loopback import free_port, loopback_address

CLIENT_ID = "0e5a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"
SCOPES = ["https://outlook.office.com/SMTP.Send", "https://outlook.office.com/POP.AccessAsUser.All"]
OAUTH_FORM = {
    "ggt_textbox(1)": "smtp.office365.com", "ggt_textbox(2)": "587", "ggt_checkbox(6)": "1",
    "ggt_select(7)": "2", "ggt_select(11)": "1", "ggt_textbox(12)": "scan@contoso.example",
}


def idp_config(lifetime):
    return {
        "clients": [{"client_id": CLIENT_ID, "name": "MFP Mail (lab)"}],
        "tenants": [{
            "name": "contoso", "domain": "contoso.example", "admin_consent": True,
            "accounts": [
                {"username": "scan@contoso.example", "password": "Scan-2026!", "display_name": "Scan"},
                {"username": "desk@contoso.example", "password": "Desk-2026!", "display_name": "Desk"},
            ],
        }],
        "device_code_lifetime_seconds": lifetime,
        "poll_interval_seconds": 1,
    }


class TokenLab:
    """An identity provider and devices whose msal clients use it."""

    def __init__(self, background_loop, lab_ca, tmp_path, lifetime):
        self.loop, self.lab_ca, self.tmp_path = background_loop, lab_ca, tmp_path
        address = loopback_address()
        self.base_url = f"https://{address}:{free_port(address)}"
        self.idp = IdentityProvider(idp_config(lifetime), JsonStore(tmp_path / "idp.json"), self.base_url)
        background_loop.serve(self.idp.app(), address, int(self.base_url.rsplit(":", 1)[1]),
                              lab_ca.server_context(address))
        self.devices = []

    def oauth_client(self):
        return DeviceOAuthClient(f"{self.base_url}/organizations", CLIENT_ID, self.lab_ca.ca_path, SCOPES)

    def device(self, **overrides):
        device, browser = serve_device(self.loop, self.lab_ca, self.tmp_path / "device.json",
                                       oauth=self.oauth_client(), **overrides)
        self.devices.append(device)
        return device, browser

    def truth(self, device):
        return self.loop.call(device.ground_truth)["token"]

    def wait_for_state(self, device, state, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            token = self.truth(device)
            if token["state"] == state:
                return token
            time.sleep(0.1)
        raise AssertionError(f"token still {self.truth(device)}, wanted {state}")

    def get_token(self, browser, path=SMTP, form=None):
        # bp_classic asks with the browser's confirm(): one POST with action=gettokenbtn.
        return browser.submit(path, form or OAUTH_FORM, button="gettokenbtn")


@pytest.fixture
def token_lab(background_loop, lab_ca, tmp_path, request):
    lab = TokenLab(background_loop, lab_ca, tmp_path, getattr(request, "param", 60))
    yield lab
    for device in lab.devices:
        background_loop.run(device.stop())


def test_get_token_waits_for_sign_in_then_holds_the_signed_in_account(token_lab):
    device, browser = token_lab.device()
    browser.login()
    page = token_lab.get_token(browser)
    assert page.text(".ok") == "The settings have been saved."
    assert page.text("tokenStatus") == "Waiting for Authorization"
    user_code = page.text("tokenUserCode")
    assert len(user_code) == 8
    assert page.text("tokenVerificationUri") == f"{token_lab.base_url}/devicelogin"
    assert page.text("tokenExpires").endswith("Z")
    waiting = token_lab.truth(device)
    assert waiting["state"] == "waiting_for_authorization" and waiting["user_code"] == user_code

    # Someone else signs in than the Account Name says: the token is theirs.
    token_lab.loop.call(token_lab.idp.approve, user_code, "desk@contoso.example")
    obtained = token_lab.wait_for_state(device, "obtained")
    assert obtained["account"] == "desk@contoso.example" and obtained["provider"] == "microsoft"
    assert obtained["user_code"] is None
    for path in (SMTP, POP):
        page = browser.get(path)
        assert page.text("tokenStatus") == "Obtained"
        assert page.text("tokenAccount") == "desk@contoso.example"
        assert page.text("tokenUserCode") is None
    assert browser.get(POP).form().fields["ggt_textbox(10)"] == "scan@contoso.example"

    # The token refreshes; this device is on no network, so no mail server answers (test_mail.py has them).
    assert token_lab.loop.run(device.send_mail())["error"] == "server_not_found"
    assert token_lab.truth(device)["state"] == "obtained"
    token_lab.loop.call(token_lab.idp.revoke, "desk@contoso.example")
    used = token_lab.loop.run(device.send_mail())
    assert used["state"] == "invalid" and used["error"].startswith("AADSTS")
    page = browser.get(POP)
    assert page.text("tokenStatus") == "Invalid"
    assert used["error"] in page.text("tokenMessage")
    assert token_lab.truth(device)["last_error"] == used["error"]

    page = browser.submit(SMTP, button="deletebtn")
    assert page.text("tokenStatus") == "Not Obtained" and page.text("tokenMessage") is None


def test_a_tenant_that_blocks_device_code_sign_in_leaves_the_code_on_the_panel(token_lab):
    token_lab.loop.call(token_lab.idp.set_conditional_access, "contoso", {"block_device_code_flow": True})
    device, browser = token_lab.device()
    browser.login()
    page = token_lab.get_token(browser)
    answer = token_lab.loop.call(token_lab.idp.approve, page.text("tokenUserCode"), "scan@contoso.example")
    assert answer["approved"] is False and answer["error"].startswith("AADSTS53003:")
    failed = token_lab.wait_for_state(device, "not_obtained")
    assert failed["last_error"] == "AADSTS53003" and failed["account"] is None
    assert failed["message"] == "The token could not be obtained (AADSTS53003)."
    page = browser.get(SMTP)
    assert page.text("tokenStatus") == "Not Obtained"
    assert page.text("tokenMessage") == "The token could not be obtained (AADSTS53003)."


def test_a_declined_sign_in_leaves_no_token(token_lab):
    device, browser = token_lab.device(language="sv")
    browser.login()
    page = token_lab.get_token(browser, POP, {
        "ggt_textbox(1)": "outlook.office365.com", "ggt_textbox(2)": "995", "ggt_select(5)": "2",
        "ggt_select(9)": "1", "ggt_textbox(10)": "scan@contoso.example",
    })
    assert page.text("tokenStatus") == "Väntar på auktorisering"
    token_lab.loop.call(token_lab.idp.decline, page.text("tokenUserCode"))
    declined = token_lab.wait_for_state(device, "not_obtained")
    assert declined["message"] == "Auktoriseringen nekades."
    page = browser.get(SMTP)
    assert page.text("tokenStatus") == "Ej hämtad" and page.text("tokenMessage") == "Auktoriseringen nekades."


@pytest.mark.parametrize("token_lab", [2], indirect=True)
def test_an_unused_code_expires(token_lab):
    device, browser = token_lab.device()
    browser.login()
    assert token_lab.get_token(browser).text("tokenStatus") == "Waiting for Authorization"
    expired = token_lab.wait_for_state(device, "not_obtained", timeout=8)
    assert expired["message"] == "The authorization request expired. Press [Get Token] to try again."
    assert expired["user_code"] is None
    assert token_lab.loop.run(device.send_mail())["state"] == "not_obtained"


def test_a_pending_code_is_polled_again_by_the_next_device_over_the_same_store(token_lab):
    device, browser = token_lab.device()
    browser.login()
    user_code = token_lab.get_token(browser).text("tokenUserCode")
    token_lab.loop.run(device.stop())

    spec = device_spec(settings={}, token={"state": "not_obtained"})
    reborn = token_lab.loop.call(Device, spec, JsonStore(token_lab.tmp_path / "device.json"),
                                 token_lab.oauth_client())
    token_lab.devices.append(reborn)
    assert token_lab.truth(reborn)["user_code"] == user_code
    token_lab.loop.run(reborn.start())
    token_lab.loop.call(token_lab.idp.approve, user_code, "scan@contoso.example")
    assert token_lab.wait_for_state(reborn, "obtained")["account"] == "scan@contoso.example"
    assert token_lab.truth(device)["state"] == "waiting_for_authorization"   # the stopped one polls no more


def test_delete_while_waiting_stops_polling(token_lab):
    device, browser = token_lab.device()
    browser.login()
    user_code = token_lab.get_token(browser).text("tokenUserCode")
    page = browser.submit(SMTP, button="deletebtn")
    assert page.text("tokenStatus") == "Not Obtained"
    token_lab.loop.call(token_lab.idp.approve, user_code, "scan@contoso.example")
    time.sleep(1.5)   # more than a poll interval
    assert token_lab.truth(device)["state"] == "not_obtained"
