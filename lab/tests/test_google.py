"""The Google-shaped provider: browser sign-in from a device, Google's error shapes, and the limits that
bite fleets (live tokens per account and client, password change, six months unused, Testing's 7 days)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from mfplab.firmware.oauth import GoogleOAuthClient
from mfplab.idp import IdentityProvider
from mfplab.idp.google import GMAIL_SCOPE, GoogleProvider
from mfplab.person import Person
from mfplab.store import JsonStore
from firmware_fixtures import SMTP, serve_device
from loopback import free_port, loopback_address

from test_firmware_browser import idp_config
from test_firmware_token import OAUTH_FORM

GOOGLE_CLIENT = "801244436155-lab.apps.googleusercontent.com"
SECRET = "GOCSPX-test"
SCAN = ("scan@tailspin.example", "Tailspin-2026!")
SCOPES = ["openid", "email", GMAIL_SCOPE]
GOOGLE_FORM = dict(OAUTH_FORM, **{"ggt_select(11)": "2", "ggt_textbox(12)": SCAN[0]})   # provider: Google
DEAD = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}


class GoogleLab:
    """The identity provider's address serving the Google-shaped provider, and one device that may pick it."""

    def __init__(self, loop, lab_ca, tmp_path, publishing_status="production"):
        self.loop, self.ca_path = loop, lab_ca.ca_path
        address = loopback_address()
        port = free_port(address)
        self.callback = f"https://{address}:{port}/oauth2/callback"
        idp_address = loopback_address()
        base_url = f"https://{idp_address}:{free_port(idp_address)}"
        idp = IdentityProvider(idp_config([], 600), JsonStore(tmp_path / "idp.json"), base_url)
        self.google = GoogleProvider({
            "publishing_status": publishing_status,
            "clients": [{"client_id": GOOGLE_CLIENT, "client_secret": SECRET, "name": "MFP Mail (lab)",
                         "redirect_uris": [self.callback]}],
            "accounts": [{"username": SCAN[0], "password": SCAN[1]}],
        }, JsonStore(tmp_path / "google.json"), base_url, idp.signing_key)
        loop.serve(idp.app(google=self.google), idp_address, int(base_url.rsplit(":", 1)[1]),
                   lab_ca.server_context(idp_address))
        self.base_url = f"{base_url}/google"
        oauth = {"google": GoogleOAuthClient(f"{self.base_url}/.well-known/openid-configuration", GOOGLE_CLIENT,
                                             SECRET, self.ca_path, SCOPES, self.callback)}
        # A device-code model: Google has browser sign-in only, so its [Get Token] opens Google's page anyway.
        self.device, self.admin = serve_device(loop, lab_ca, tmp_path / "device.json", oauth=oauth, address=address,
                                               port=port)
        self.admin.login()

    def truth(self):
        return self.loop.call(self.device.ground_truth)["token"]

    def token_request(self, **form):
        return requests.post(f"{self.base_url}/token", data=form, verify=str(self.ca_path), timeout=10)

    def refresh(self, refresh_token):
        return self.token_request(grant_type="refresh_token", client_id=GOOGLE_CLIENT, client_secret=SECRET,
                                  refresh_token=refresh_token)

    def issue(self):
        return self.loop.call(self.google.issue_tokens, SCAN[0], GOOGLE_CLIENT, [GMAIL_SCOPE])["refresh_token"]


@pytest.fixture
def google_lab(background_loop, lab_ca, tmp_path, request):
    lab = GoogleLab(background_loop, lab_ca, tmp_path, **getattr(request, "param", {}))
    yield lab
    background_loop.run(lab.device.stop())


def test_a_device_signs_in_at_google_by_browser_and_a_password_change_makes_its_token_invalid(google_lab):
    page = google_lab.admin.submit(SMTP, GOOGLE_FORM, button="gettokenbtn")
    address = page.text("tokenSignInUrl")
    assert address.startswith(f"{google_lab.base_url}/o/oauth2/v2/auth?") and page.text("tokenUserCode") is None
    query = parse_qs(urlsplit(address).query)
    assert query["access_type"] == ["offline"] and query["code_challenge_method"] == ["S256"]
    assert query["scope"] == [" ".join(SCOPES)]

    back = Person(google_lab.ca_path, *SCAN).sign_in_at(address)
    assert back.url.startswith(google_lab.callback + "?code=4%2F")
    assert back.text("tokenStatus") == "Obtained" and back.text("tokenAccount") == SCAN[0]
    assert google_lab.truth()["provider"] == "google"
    # The token refreshes at Google; this device is on no network, so no mail server answers.
    assert google_lab.loop.run(google_lab.device.send_mail())["error"] == "server_not_found"

    changed = google_lab.loop.call(google_lab.google.password_change, SCAN[0])
    assert changed["revoked_refresh_tokens"] == 1
    used = google_lab.loop.run(google_lab.device.send_mail())
    assert used["state"] == "invalid"
    token = google_lab.truth()
    assert token["state"] == "invalid" and token["last_error"] == "invalid_grant: Token has been expired or revoked."
    assert token["message"] == "The token is no longer valid (invalid_grant: Token has been expired or revoked.)."


def test_the_token_past_the_cap_silently_ends_the_oldest_for_that_account_and_client(google_lab):
    first, second = google_lab.issue(), google_lab.issue()
    for _more in range(98):
        google_lab.issue()
    assert google_lab.refresh(first).status_code == 200
    assert google_lab.loop.call(google_lab.google.live_refresh_tokens, SCAN[0]) == 100

    google_lab.issue()   # the 101st
    dead = google_lab.refresh(first)
    assert dead.status_code == 400 and dead.json() == DEAD
    assert google_lab.refresh(second).status_code == 200
    assert google_lab.loop.call(google_lab.google.live_refresh_tokens, SCAN[0]) == 100


def test_six_months_unused_ends_a_token_and_production_has_no_seven_days(google_lab):
    token = google_lab.issue()
    google_lab.loop.call(google_lab.google.age, SCAN[0], 30)
    answer = google_lab.refresh(token)
    assert answer.status_code == 200 and "refresh_token" not in answer.json()   # Google does not rotate it
    google_lab.loop.call(google_lab.google.age, SCAN[0], 184)
    assert google_lab.refresh(token).json() == DEAD


@pytest.mark.parametrize("google_lab", [{"publishing_status": "testing"}], indirect=True)
def test_an_app_in_testing_status_loses_its_tokens_after_seven_days(google_lab):
    token = google_lab.issue()
    google_lab.loop.call(google_lab.google.age, SCAN[0], 6)
    assert google_lab.refresh(token).status_code == 200
    google_lab.loop.call(google_lab.google.age, SCAN[0], 2)
    assert google_lab.refresh(token).json() == DEAD


def test_the_token_endpoint_answers_in_googles_shapes(google_lab):
    unknown = google_lab.token_request(grant_type="refresh_token", client_id="nobody", refresh_token="x")
    assert unknown.status_code == 401 and unknown.json() == {
        "error": "invalid_client", "error_description": "The OAuth client was not found."}
    missing = google_lab.token_request(grant_type="authorization_code", client_id=GOOGLE_CLIENT, client_secret=SECRET)
    assert missing.json() == {"error": "invalid_request", "error_description": "Missing required parameter: code"}
    bad = google_lab.token_request(grant_type="authorization_code", client_id=GOOGLE_CLIENT, client_secret=SECRET,
                                   code="4/nothing", redirect_uri=google_lab.callback)
    assert bad.json() == {"error": "invalid_grant", "error_description": "Malformed auth code."}
    grant = google_lab.token_request(grant_type="password", client_id=GOOGLE_CLIENT, client_secret=SECRET)
    assert grant.json()["error"] == "unsupported_grant_type"
    discovery = requests.get(f"{google_lab.base_url}/.well-known/openid-configuration", verify=str(google_lab.ca_path),
                             timeout=10).json()
    assert discovery["authorization_endpoint"] == f"{google_lab.base_url}/o/oauth2/v2/auth"
    assert discovery["token_endpoint"] == f"{google_lab.base_url}/token"


def test_a_redirect_uri_google_does_not_know_sends_nobody_anywhere(google_lab):
    answer = requests.get(f"{google_lab.base_url}/o/oauth2/v2/auth", verify=str(google_lab.ca_path), timeout=10,
                          allow_redirects=False, params={
                              "client_id": GOOGLE_CLIENT, "redirect_uri": "https://attacker.example/cb",
                              "response_type": "code", "scope": GMAIL_SCOPE})
    assert answer.status_code == 400 and "redirect_uri_mismatch" in answer.text and "Location" not in answer.headers
