"""Browser sign-in at the lab's identity provider (authorization code with PKCE), driven by real msal
apps and a person at a browser, and Entra's errors for a wrong redirect, an expired or reused code
and a PKCE mismatch."""

import re
import time
from urllib.parse import parse_qs, urlsplit

import msal
import pytest
import requests

from mfplab.person import Person

# `store` is a fixture: imported so that pytest finds it for the tests here.
from test_idp import CLIENT_ID, CONFIG, SCOPES, Lab, store  # noqa: F401  pylint: disable=unused-import

REDIRECT = "https://127.0.0.9:8443/oauth2/callback"
WITH_REDIRECT = dict(CONFIG, clients=[dict(client, redirect_uris=[REDIRECT]) for client in CONFIG["clients"]])


@pytest.fixture
def lab(background_loop, lab_ca, store):
    return Lab(background_loop, lab_ca, store, WITH_REDIRECT)


def person(lab, username="scan@contoso.example", password="Scan-2026!"):
    """A person whose browser stops where the provider sends it back to the app (nobody listens at REDIRECT)."""
    return Person(lab.ca_path, username, password, follow_redirects=False)


def answer(page):
    """The query the provider sends the browser back to the app with."""
    location = page.response.headers["Location"]
    assert location.startswith(REDIRECT + "?"), location
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def redeem(lab, code, **changes):
    """A raw token request for an authorization code, as an app sends it."""
    form = dict({"grant_type": "authorization_code", "client_id": CLIENT_ID, "code": code,
                 "redirect_uri": REDIRECT, "scope": " ".join(SCOPES)}, **changes)
    return lab.session().post(f"{lab.base}/organizations/oauth2/v2.0/token", data=form).json()


def authorize_url(lab, **query):
    return requests.Request("GET", f"{lab.base}/organizations/oauth2/v2.0/authorize", params=dict(
        {"client_id": CLIENT_ID, "redirect_uri": REDIRECT, "response_type": "code", "scope": " ".join(SCOPES),
         "state": "s-1"}, **query)).prepare().url


@pytest.mark.filterwarnings("ignore:response_mode=.form_post. is recommended")
@pytest.mark.parametrize("kind", [msal.PublicClientApplication, msal.ConfidentialClientApplication])
def test_msal_completes_a_browser_sign_in(lab, kind):
    options = {"client_credential": "lab-secret"} if kind is msal.ConfidentialClientApplication else {}
    app = kind(CLIENT_ID, authority=f"{lab.base}/organizations", instance_discovery=False,
               http_client=lab.session(), **options)
    flow = app.initiate_auth_code_flow(SCOPES, redirect_uri=REDIRECT)
    query = parse_qs(urlsplit(flow["auth_uri"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["response_type"] == ["code"]

    returned = answer(person(lab).sign_in_at(flow["auth_uri"]))
    assert returned["state"] == flow["state"] and "session_state" in returned
    result = app.acquire_token_by_auth_code_flow(flow, returned)
    assert "access_token" in result, result
    assert result["id_token_claims"]["preferred_username"] == "scan@contoso.example"
    assert result["id_token_claims"]["nonce"]   # msal checked it against its own
    assert [account["username"] for account in app.get_accounts()] == ["scan@contoso.example"]
    assert "access_token" in lab.refresh(result["refresh_token"])


def test_a_person_who_must_consent_and_declines_sends_access_denied_back(lab):
    declined = answer(Person(lab.ca_path, "desk@fabrikam.example", "Desk-2026!", follow_redirects=False)
                      .sign_in_at(authorize_url(lab), decision="decline"))
    assert declined["error"] == "access_denied" and declined["state"] == "s-1"
    assert declined["error_description"].startswith("AADSTS65004: User declined to consent to access the app.")
    assert declined["error_uri"] == "https://login.microsoftonline.com/error?code=65004"

    consented = answer(Person(lab.ca_path, "desk@fabrikam.example", "Desk-2026!", follow_redirects=False)
                       .sign_in_at(authorize_url(lab)))
    assert "code" in consented
    [desk] = [a for a in lab.control("ground_truth")["accounts"] if a["username"] == "desk@fabrikam.example"]
    assert desk["consented_clients"] == [CLIENT_ID]


def test_conditional_access_that_blocks_device_code_lets_a_browser_sign_in_through(lab):
    northwind = Person(lab.ca_path, "mfp@northwind.example", "Mfp-2026!", follow_redirects=False)
    code = answer(northwind.sign_in_at(authorize_url(lab)))["code"]
    assert "access_token" in redeem(lab, code)
    flow = lab.msal_app().initiate_device_flow(scopes=SCOPES)   # the same tenant's device code is still refused
    assert "You don&#x27;t have access to this" in northwind.sign_in_with_code(
        flow["verification_uri"], flow["user_code"]).response.text


def test_an_unregistered_redirect_uri_is_shown_not_followed(lab):
    other = "https://127.0.0.10:8443/oauth2/callback"
    page = lab.session().get(authorize_url(lab, redirect_uri=other), allow_redirects=False)
    assert page.status_code == 400 and "Location" not in page.headers
    assert (f"AADSTS50011: The redirect URI &#x27;{other}&#x27; specified in the request does not match the "
            f"redirect URIs configured for the application &#x27;{CLIENT_ID}&#x27;.") in page.text
    assert "AADSTS700016" in lab.session().get(authorize_url(lab, client_id="00000000-1111-4222-8333-444444444444"),
                                               allow_redirects=False).text


def test_a_request_the_provider_refuses_after_trusting_the_redirect_goes_back_with_the_error(lab):
    page = lab.session().get(authorize_url(lab, response_type="token"), allow_redirects=False)
    refused = {key: values[0] for key, values in parse_qs(urlsplit(page.headers["Location"]).query).items()}
    assert refused["error"] == "unsupported_response_type" and refused["state"] == "s-1"
    assert refused["error_description"].startswith("AADSTS700054:")


def signed_in_code(lab, **query):
    return answer(person(lab).sign_in_at(authorize_url(lab, **query)))["code"]


def test_a_code_works_once(lab):
    code = signed_in_code(lab)
    assert "access_token" in redeem(lab, code)
    reused = redeem(lab, code)
    assert reused["error"] == "invalid_grant" and reused["error_codes"] == [54005]
    assert reused["error_description"].startswith(
        "AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use "
        "an existing refresh token.")


def test_an_expired_code(background_loop, lab_ca, store):
    lab = Lab(background_loop, lab_ca, store, dict(WITH_REDIRECT, authorization_code_lifetime_seconds=1))
    code = signed_in_code(lab)
    time.sleep(1.1)
    expired = redeem(lab, code)
    assert expired["error"] == "invalid_grant" and expired["error_codes"] == [70008]
    assert expired["error_description"].startswith(
        "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new "
        "interactive authorization request for this user and resource.")


def test_the_code_must_come_back_with_its_requests_redirect_uri(lab):
    code = signed_in_code(lab)
    other = "https://127.0.0.9:8443/elsewhere"
    refused = redeem(lab, code, redirect_uri=other)
    assert refused["error"] == "invalid_grant" and refused["error_codes"] == [50011]
    assert refused["error_description"].startswith(
        f"AADSTS50011: The reply address '{other}' does not match the reply address '{REDIRECT}' provided when "
        "requesting Authorization code.")


@pytest.mark.parametrize("verifier", [None, "not-the-verifier-" + "x" * 30])
def test_a_pkce_mismatch(lab, verifier):
    challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"   # RFC 7636's example: S256 of its verifier
    code = signed_in_code(lab, code_challenge=challenge, code_challenge_method="S256")
    refused = redeem(lab, code, **({"code_verifier": verifier} if verifier else {}))
    assert refused["error"] == "invalid_grant" and refused["error_codes"] == [501481]
    assert refused["error_description"].startswith(
        "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.")
    code = signed_in_code(lab, code_challenge=challenge, code_challenge_method="S256")
    assert "access_token" in redeem(lab, code, code_verifier="dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")


def test_a_wrong_password_stays_on_the_sign_in_page_and_the_code_is_never_in_the_store(lab, store):
    page = Person(lab.ca_path, "scan@contoso.example", "wrong", follow_redirects=False).sign_in_at(authorize_url(lab))
    assert page.status == 200 and "AADSTS50126" in page.response.text
    code = signed_in_code(lab)
    assert code not in store.path.read_text()
    assert re.fullmatch(r"[A-Za-z0-9_-]{64}", code)
