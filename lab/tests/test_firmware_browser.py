"""The browser sign-in firmware variant: [Get Token] shows a sign-in address; the person's browser signs
in at the provider and comes back to the device, which redeems the code with its PKCE verifier."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from mfplab.browser import Browser
from mfplab.firmware.oauth import DeviceOAuthClient
from mfplab.idp import IdentityProvider
from mfplab.person import Person
from mfplab.store import JsonStore
from firmware_fixtures import POP, SMTP, serve_device
from loopback import free_port, loopback_address

from test_firmware_token import CLIENT_ID, OAUTH_FORM, SCOPES

SCAN, DESK = ("scan@contoso.example", "Scan-2026!"), ("desk@fabrikam.example", "Desk-2026!")


def idp_config(redirect_uris, code_lifetime):
    return {
        "clients": [{"client_id": CLIENT_ID, "name": "MFP Mail (lab)", "redirect_uris": redirect_uris}],
        "tenants": [
            # A tenant that blocks device code sign-in: a browser sign-in is no device code flow.
            {"name": "contoso", "domain": "contoso.example", "admin_consent": True,
             "conditional_access": {"block_device_code_flow": True},
             "accounts": [{"username": SCAN[0], "password": SCAN[1]}]},
            {"name": "fabrikam", "domain": "fabrikam.example", "admin_consent": False,
             "accounts": [{"username": DESK[0], "password": DESK[1]}]},
        ],
        "authorization_code_lifetime_seconds": code_lifetime,
    }


class BrowserLab:
    """A provider, and one device of the browser sign-in variant whose callback it has (or has not) registered."""

    def __init__(self, loop, lab_ca, tmp_path, registered=True, code_lifetime=600, wait_seconds=60, **device):
        self.loop, self.ca_path = loop, lab_ca.ca_path
        address = loopback_address()
        port = free_port(address)
        self.callback = f"https://{address}:{port}/oauth2/callback"
        idp_address = loopback_address()
        self.base_url = f"https://{idp_address}:{free_port(idp_address)}"
        config = idp_config([self.callback] if registered else [], code_lifetime)
        self.idp = IdentityProvider(config, JsonStore(tmp_path / "idp.json"), self.base_url)
        loop.serve(self.idp.app(), idp_address, int(self.base_url.rsplit(":", 1)[1]), lab_ca.server_context(idp_address))
        oauth = DeviceOAuthClient(f"{self.base_url}/organizations", CLIENT_ID, self.ca_path, SCOPES, self.callback)
        device.setdefault("sign_in", "browser")
        self.device, self.admin = serve_device(loop, lab_ca, tmp_path / "device.json", oauth=oauth, address=address,
                                               port=port, browser_sign_in_seconds=wait_seconds, **device)
        self.admin.login()

    def get_token(self, path=SMTP, form=None):
        return self.admin.submit(path, form or OAUTH_FORM, button="gettokenbtn")

    def truth(self, key="token"):
        return self.loop.call(self.device.ground_truth)[key]

    def person(self, who=SCAN):
        return Person(self.ca_path, *who)


@pytest.fixture
def browser_lab(background_loop, lab_ca, tmp_path, request):
    lab = BrowserLab(background_loop, lab_ca, tmp_path, **getattr(request, "param", {}))
    yield lab
    background_loop.run(lab.device.stop())


def test_get_token_shows_a_sign_in_address_and_the_browser_brings_the_token_back(browser_lab):
    page = browser_lab.get_token()
    assert page.text("tokenStatus") == "Waiting for Authorization"
    assert page.text("tokenUserCode") is None and page.text("tokenVerificationUri") is None
    address = page.text("tokenSignInUrl")
    assert address.startswith(f"{browser_lab.base_url}/organizations/oauth2/v2.0/authorize?")
    query = parse_qs(urlsplit(address).query)
    assert query["client_id"] == [CLIENT_ID] and query["redirect_uri"] == [browser_lab.callback]
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["code_challenge"] and "code_verifier" not in query
    assert page.text("tokenExpires").endswith("Z")
    waiting = browser_lab.truth()
    assert waiting["sign_in"] == "browser" and waiting["sign_in_url"] == address and waiting["user_code"] is None

    # Someone else signs in than the Account Name says (and must consent): the token is theirs.
    back = browser_lab.person(DESK).sign_in_at(address)
    assert back.url.startswith(browser_lab.callback + "?code=")
    assert back.text(".ok") == "The token has been obtained. You can close this window."
    assert back.text("tokenStatus") == "Obtained" and back.text("tokenAccount") == DESK[0]
    obtained = browser_lab.truth()
    assert obtained["state"] == "obtained" and obtained["account"] == DESK[0] and obtained["sign_in_url"] is None
    assert browser_lab.admin.get(POP).text("tokenStatus") == "Obtained"
    # The token refreshes; this device is on no network, so no mail server answers.
    assert browser_lab.loop.run(browser_lab.device.send_mail())["error"] == "server_not_found"

    # The browser going back to the same answer: no request waits for it, nothing changes.
    again = Browser(browser_lab.ca_path).open(back.url)
    assert again.status == 400 and again.text("tokenStatus") is None
    assert browser_lab.truth()["state"] == "obtained" and browser_lab.truth()["message"] is None


def test_the_tenant_blocking_device_code_does_not_block_a_browser_sign_in(browser_lab):
    address = browser_lab.get_token().text("tokenSignInUrl")
    back = browser_lab.person(SCAN).sign_in_at(address)
    assert back.text("tokenStatus") == "Obtained" and browser_lab.truth()["account"] == SCAN[0]


@pytest.mark.parametrize("browser_lab", [{"language": "sv"}], indirect=True)
def test_a_declined_consent_comes_back_as_not_obtained_on_a_swedish_panel(browser_lab):
    page = browser_lab.get_token()
    assert page.text("tokenStatus") == "Väntar på auktorisering" and page.text("tokenSignInUrl")
    back = browser_lab.person(DESK).sign_in_at(page.text("tokenSignInUrl"), decision="decline")
    assert back.text(".err") == "ERROR[1005]: Auktoriseringen nekades."
    declined = browser_lab.truth()
    assert declined["state"] == "not_obtained" and declined["last_error"] == "AADSTS65004"
    panel = browser_lab.admin.get(SMTP)
    assert panel.text("tokenStatus") == "Ej hämtad" and panel.text("tokenMessage") == "Auktoriseringen nekades."


def test_an_answer_with_another_state_is_ignored_and_said_so(browser_lab):
    address = browser_lab.get_token().text("tokenSignInUrl")
    forged = Browser(browser_lab.ca_path).open(f"{browser_lab.callback}?code=stolen&state=not-the-state")
    assert forged.status == 400
    assert forged.text(".err").startswith("ERROR[1005]: A sign-in came back that this request did not start")
    panel = browser_lab.admin.get(SMTP)
    assert panel.text("tokenStatus") == "Waiting for Authorization" and panel.text("tokenSignInUrl") == address
    assert panel.text("tokenMessage") == ("A sign-in came back that this request did not start; it was ignored. "
                                          "Sign in at the address shown.")
    assert browser_lab.person(SCAN).sign_in_at(address).text("tokenStatus") == "Obtained"
    assert browser_lab.truth()["message"] is None


@pytest.mark.parametrize("browser_lab", [{"registered": False}], indirect=True)
def test_an_unregistered_callback_stops_at_the_providers_page_and_the_device_keeps_waiting(browser_lab):
    address = browser_lab.get_token().text("tokenSignInUrl")
    page = Browser(browser_lab.ca_path).open(address)
    assert page.status == 400 and "AADSTS50011" in page.response.text and browser_lab.callback in page.response.text
    assert browser_lab.truth()["state"] == "waiting_for_authorization"


@pytest.mark.parametrize("browser_lab", [{"code_lifetime": 0}], indirect=True)
def test_a_code_the_provider_refuses_shows_its_code_on_the_panel(browser_lab):
    back = browser_lab.person(SCAN).sign_in_at(browser_lab.get_token().text("tokenSignInUrl"))
    assert back.text(".err") == "ERROR[1005]: The token could not be obtained (AADSTS70008)."
    assert browser_lab.truth()["state"] == "not_obtained"
    assert browser_lab.admin.get(SMTP).text("tokenMessage") == "The token could not be obtained (AADSTS70008)."


@pytest.mark.parametrize("browser_lab", [{"wait_seconds": 1}], indirect=True)
def test_a_sign_in_that_does_not_come_back_in_time_expires(browser_lab):
    address = browser_lab.get_token().text("tokenSignInUrl")
    deadline = time.monotonic() + 10
    while browser_lab.truth()["state"] == "waiting_for_authorization" and time.monotonic() < deadline:
        time.sleep(0.1)
    expired = browser_lab.truth()
    assert expired["state"] == "not_obtained"
    assert expired["message"] == "The authorization request expired. Press [Get Token] to try again."
    back = browser_lab.person(SCAN).sign_in_at(address)   # too late: the device waits no more
    assert back.status == 400 and browser_lab.truth()["state"] == "not_obtained"


@pytest.mark.parametrize("browser_lab", [{"profile": "bp_a3", "model": "BP-B550WD", "sign_in": None}], indirect=True)
def test_an_a3_model_signs_in_by_browser_for_pops_own_token(browser_lab):
    page = browser_lab.get_token(POP, {"ggt_textbox(1)": "outlook.office365.com", "ggt_textbox(2)": "995",
                                       "ggt_select(5)": "2", "ggt_select(9)": "1", "ggt_textbox(10)": SCAN[0]})
    assert page.text("tokenSignInUrl") and browser_lab.admin.get(SMTP).text("tokenStatus") == "Not Obtained"
    browser_lab.person(SCAN).sign_in_at(page.text("tokenSignInUrl"))
    assert browser_lab.truth("pop_token")["state"] == "obtained" and browser_lab.truth()["state"] == "not_obtained"
