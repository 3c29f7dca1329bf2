"""The lab's identity provider, driven the way printers and people use it: msal, a browser, the control API."""

import base64
import hashlib
import json
import re
import time
from datetime import datetime

import jwt
import msal
import pytest
import requests
from cryptography import x509

from mfplab.idp import IdentityProvider
from mfplab.store import JsonStore

from loopback import free_port

CLIENT_ID = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"
OTHER_CLIENT_ID = "0c9d8e7f-1a2b-4c3d-9e8f-7a6b5c4d3e2f"
CONTOSO_ID = "1a2b3c4d-0000-4000-8000-00000000c0de"
SCOPES = ["https://outlook.office.com/SMTP.Send"]
PASSWORDS = ["Scan-2026!", "Old-2026!", "Desk-2026!", "Mfp-2026!"]
CONFIG = {
    "clients": [{"client_id": CLIENT_ID, "name": "MFP Mail (lab)"},
                {"client_id": OTHER_CLIENT_ID, "name": "Scan archive (lab)"}],
    "tenants": [
        {
            "name": "contoso", "id": CONTOSO_ID, "domain": "contoso.example", "admin_consent": True,
            "accounts": [
                {"username": "scan@contoso.example", "password": "Scan-2026!", "display_name": "Scan to mail"},
                {"username": "old@contoso.example", "password": "Old-2026!", "display_name": "Old mailbox"},
            ],
        },
        {
            "name": "fabrikam", "domain": "fabrikam.example", "admin_consent": False,
            "accounts": [{"username": "desk@fabrikam.example", "password": "Desk-2026!"}],
        },
        {
            "name": "northwind", "domain": "northwind.example", "admin_consent": True,
            "conditional_access": {"block_device_code_flow": True},
            "accounts": [{"username": "mfp@northwind.example", "password": "Mfp-2026!"}],
        },
    ],
    "poll_interval_seconds": 1,
}


class Lab:
    """One served IdentityProvider plus the clients the tests talk to it with."""

    def __init__(self, background_loop, lab_ca, store, config):
        host = "127.0.0.2"
        self.loop = background_loop
        self.ca_path = str(lab_ca.ca_path)
        self.base = f"https://{host}:{free_port(host)}"
        self.idp = IdentityProvider(config, store, self.base)
        served = background_loop.serve(self.idp.app(), host, int(self.base.rsplit(":", 1)[1]),
                                       lab_ca.server_context(host))
        assert served == self.base

    def control(self, method, *args, **kwargs):
        """Call a control method on the loop thread, as the lab's control API does."""
        return self.loop.call(getattr(self.idp, method), *args, **kwargs)

    def session(self):
        session = requests.Session()
        session.trust_env = False
        session.verify = self.ca_path
        return session

    def msal_app(self, client_id=CLIENT_ID, tenant="organizations"):
        # A new app each time: msal remembers HTTP 400 answers for 60 s per app.
        return msal.PublicClientApplication(
            client_id, authority=f"{self.base}/{tenant}", instance_discovery=False, http_client=self.session()
        )

    def refresh(self, refresh_token, scopes=None):
        return self.msal_app().acquire_token_by_refresh_token(refresh_token, scopes or SCOPES)

    def signed_in(self, username, app=None):
        """A completed device flow for this user: (msal app, token result)."""
        app = app or self.msal_app()
        flow = app.initiate_device_flow(scopes=SCOPES)
        self.control("approve", flow["user_code"], username)
        return app, app.acquire_token_by_device_flow(flow, exit_condition=lambda flow: True)


@pytest.fixture
def store(tmp_path):
    return JsonStore(tmp_path / "idp.json")


@pytest.fixture
def lab(background_loop, lab_ca, store):
    return Lab(background_loop, lab_ca, store, CONFIG)


def poll_once(app, flow):
    return app.acquire_token_by_device_flow(flow, exit_condition=lambda flow: True)


def verify_access_token(lab, token):
    jwks = lab.session().get(f"{lab.base}/organizations/discovery/v2.0/keys").json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWKSet.from_dict(jwks)[kid].key
    return jwt.decode(token, key, algorithms=["RS256"], audience="https://outlook.office.com",
                      issuer=f"{lab.base}/{CONTOSO_ID}/v2.0")


# --- discovery ---

def test_discovery_names_endpoints_for_the_tenant_id_or_domain(lab):
    session = lab.session()
    multi = session.get(f"{lab.base}/organizations/v2.0/.well-known/openid-configuration").json()
    assert multi["token_endpoint"] == f"{lab.base}/organizations/oauth2/v2.0/token"
    assert multi["device_authorization_endpoint"] == f"{lab.base}/organizations/oauth2/v2.0/devicecode"
    assert multi["issuer"] == f"{lab.base}/{{tenantid}}/v2.0"
    for name in ("contoso.example", CONTOSO_ID, CONTOSO_ID.upper(), "Contoso.Example"):
        document = session.get(f"{lab.base}/{name}/v2.0/.well-known/openid-configuration").json()
        assert document["issuer"] == f"{lab.base}/{CONTOSO_ID}/v2.0"
        assert document["token_endpoint"] == f"{lab.base}/{CONTOSO_ID}/oauth2/v2.0/token"
        assert document["tenant_region_scope"] == "WW"


def test_discovery_has_the_keys_entra_publishes(lab):
    document = lab.session().get(f"{lab.base}/organizations/v2.0/.well-known/openid-configuration").json()
    root = f"{lab.base}/organizations"
    assert document["end_session_endpoint"] == f"{root}/oauth2/v2.0/logout"
    assert document["kerberos_endpoint"] == f"{root}/kerberos"
    assert document["userinfo_endpoint"] == "https://graph.microsoft.com/oidc/userinfo"
    assert document["response_modes_supported"] == ["query", "fragment", "form_post"]
    assert document["cloud_instance_name"] == "microsoftonline.com"
    assert document["msgraph_host"] == "graph.microsoft.com"
    assert document["tenant_region_scope"] is None
    assert document["frontchannel_logout_supported"] is True and document["http_logout_supported"] is True
    assert {"sub", "tid", "preferred_username", "msgraph_host"} <= set(document["claims_supported"])
    assert document["subject_types_supported"] == ["pairwise"]


def test_every_signing_key_carries_its_certificate(lab):
    [key] = lab.session().get(f"{lab.base}/organizations/discovery/v2.0/keys").json()["keys"]
    assert (key["kty"], key["use"]) == ("RSA", "sig") and "d" not in key and "alg" not in key
    der = base64.b64decode(key["x5c"][0])
    thumbprint = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()
    assert key["x5t"] == key["kid"] == thumbprint
    certificate = x509.load_der_x509_certificate(der)
    public = certificate.public_key().public_numbers()
    assert public.n == int.from_bytes(base64.urlsafe_b64decode(key["n"] + "=="), "big")
    assert certificate.issuer == certificate.subject   # self-signed, as Entra's are
    _app, tokens = lab.signed_in("scan@contoso.example")
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["kid"] == header["x5t"] == key["kid"]
    verify_access_token(lab, tokens["access_token"])


def test_a_tenants_display_name_is_not_an_authority(lab):
    answer = lab.session().get(f"{lab.base}/contoso/v2.0/.well-known/openid-configuration")
    assert answer.status_code == 400 and answer.json()["error_codes"] == [90002]
    assert answer.json()["error_description"].startswith(
        "AADSTS90002: Tenant 'contoso' not found. Check to make sure you have the correct tenant ID and are "
        "signing into the correct cloud. Check with your subscription administrator, this may happen if there "
        "are no active subscriptions for the tenant.")
    with pytest.raises(ValueError, match="check your tenant name"):
        lab.msal_app(tenant="contoso")


def test_unknown_tenant_gets_entra_error_and_msal_refuses_the_authority(lab):
    answer = lab.session().get(f"{lab.base}/nosuch/v2.0/.well-known/openid-configuration",
                               headers={"client-request-id": "c0ffee00-0000-4000-8000-000000000001"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "invalid_tenant" and body["error_codes"] == [90002]
    assert body["error_description"].startswith("AADSTS90002: Tenant 'nosuch' not found.")
    assert "Trace ID: " in body["error_description"] and "Timestamp: " in body["error_description"]
    assert body["correlation_id"] == "c0ffee00-0000-4000-8000-000000000001"
    assert {"timestamp", "trace_id", "error_uri"} <= body.keys()
    with pytest.raises(ValueError, match="check your tenant name") as refused:
        lab.msal_app(tenant="nosuch")
    assert "AADSTS90002" in str(refused.value.__context__)  # msal's own discovery error, wrapped


# --- device flow through msal ---

def test_device_flow_with_msal_then_refresh_and_silent_refresh(lab):
    app = lab.msal_app()
    flow = app.initiate_device_flow(scopes=SCOPES)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", flow["user_code"])
    assert flow["verification_uri"] == f"{lab.base}/devicelogin"
    assert flow["message"] == (f"To sign in, use a web browser to open the page {lab.base}/devicelogin "
                               f"and enter the code {flow['user_code']} to authenticate.")
    assert lab.control("approve", flow["user_code"], "scan@contoso.example", "Scan-2026!")["approved"]

    result = poll_once(app, flow)
    assert "access_token" in result, result
    claims = verify_access_token(lab, result["access_token"])
    assert claims["scp"] == "SMTP.Send" and claims["tid"] == CONTOSO_ID
    assert claims["preferred_username"] == claims["upn"] == "scan@contoso.example"
    assert result["id_token_claims"]["aud"] == CLIENT_ID
    assert [account["username"] for account in app.get_accounts()] == ["scan@contoso.example"]

    assert poll_once(app, flow)["error"] == "bad_verification_code"  # the code was consumed
    refreshed = lab.refresh(result["refresh_token"])
    assert verify_access_token(lab, refreshed["access_token"])["oid"] == claims["oid"]
    assert refreshed["refresh_token"] != result["refresh_token"]
    assert "access_token" in lab.refresh(result["refresh_token"])  # rotated tokens stay valid, as in Entra

    silent = app.acquire_token_silent(SCOPES, app.get_accounts()[0], force_refresh=True)
    assert silent["token_source"] == "identity_provider"
    assert verify_access_token(lab, silent["access_token"])["preferred_username"] == "scan@contoso.example"


def test_polling_before_approval_is_pending_and_listed(lab):
    app = lab.msal_app()
    flow = app.initiate_device_flow(scopes=SCOPES)
    result = poll_once(app, flow)
    assert result["error"] == "authorization_pending" and result["error_codes"] == [70016]
    [pending] = lab.control("pending")
    assert pending["user_code"] == flow["user_code"] and pending["client_id"] == CLIENT_ID
    assert pending["approved"] is False and pending["expires_at"].endswith("Z")
    lab.control("approve", flow["user_code"], "scan@contoso.example")
    assert lab.control("pending")[0]["approved"] is True
    assert "access_token" in poll_once(app, flow)
    assert lab.control("pending") == []


def test_declined_code_reports_authorization_declined(lab):
    app = lab.msal_app()
    flow = app.initiate_device_flow(scopes=SCOPES)
    lab.control("decline", flow["user_code"], "scan@contoso.example")
    result = poll_once(app, flow)
    assert result["error"] == "authorization_declined" and result["error_codes"] == [70000]
    with pytest.raises(ValueError):
        lab.control("approve", flow["user_code"], "scan@contoso.example")


def test_expired_device_code(background_loop, lab_ca, store):
    lab = Lab(background_loop, lab_ca, store, dict(CONFIG, device_code_lifetime_seconds=1))
    app = lab.msal_app()
    flow = app.initiate_device_flow(scopes=SCOPES)
    assert flow["expires_in"] == 1
    time.sleep(1.1)
    result = poll_once(app, flow)
    assert result["error"] == "expired_token" and result["error_codes"] == [70020]
    assert result["error_description"].startswith(
        "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. "
        "This device code has expired.")
    with pytest.raises(ValueError):
        lab.control("approve", flow["user_code"], "scan@contoso.example")
    assert lab.control("pending") == []


def test_unknown_client_is_700016(lab):
    stranger = "00000000-1111-4222-8333-444444444444"
    flow = lab.msal_app(client_id=stranger).initiate_device_flow(scopes=SCOPES)
    assert "user_code" not in flow
    assert flow["error"] == "unauthorized_client" and flow["error_codes"] == [700016]
    _app, tokens = lab.signed_in("scan@contoso.example")
    refused = lab.msal_app(client_id=stranger).acquire_token_by_refresh_token(tokens["refresh_token"], SCOPES)
    assert refused["error_codes"] == [700016]


def test_scopes_for_two_resources_are_refused(lab):
    flow = lab.msal_app().initiate_device_flow(scopes=SCOPES + ["https://graph.microsoft.com/Mail.Send"])
    assert flow["error"] == "invalid_scope" and flow["error_codes"] == [28000]


def test_a_tenant_specific_authority_only_admits_that_tenants_users(lab):
    app = lab.msal_app(tenant="fabrikam.example")
    flow = app.initiate_device_flow(scopes=SCOPES)
    with pytest.raises(ValueError, match="50020"):
        lab.control("approve", flow["user_code"], "scan@contoso.example")
    lab.control("approve", flow["user_code"], "desk@fabrikam.example")
    assert poll_once(app, flow)["id_token_claims"]["preferred_username"] == "desk@fabrikam.example"
    _app, contoso_tokens = lab.signed_in("scan@contoso.example")
    refused = lab.msal_app(tenant="fabrikam.example").acquire_token_by_refresh_token(
        contoso_tokens["refresh_token"], SCOPES)
    assert refused["error_codes"] == [50020]


# --- refresh failures the lab stages through the control API ---

@pytest.mark.parametrize("stage, code", [
    (lambda lab: lab.control("revoke", "scan@contoso.example"), 50173),
    (lambda lab: lab.control("expire", "scan@contoso.example"), 700082),
    (lambda lab: lab.control("set_account_enabled", "scan@contoso.example", False), 50057),
    (lambda lab: lab.control("set_admin_consent", "contoso", False), 65001),
], ids=["revoked", "inactive", "disabled", "consent-withdrawn"])
def test_refresh_failures_surface_through_msal(lab, stage, code):
    _app, tokens = lab.signed_in("scan@contoso.example")
    assert "access_token" in lab.refresh(tokens["refresh_token"])
    stage(lab)
    result = lab.refresh(tokens["refresh_token"])
    assert result["error"] == "invalid_grant" and result["error_codes"] == [code]
    assert result["error_description"].startswith(f"AADSTS{code}:")


ENTRA_INSTANT = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z"


def test_revoked_and_inactive_grants_quote_their_dates_as_entra_does(lab):
    _app, tokens = lab.signed_in("scan@contoso.example")
    lab.control("revoke", "scan@contoso.example")
    revoked = lab.refresh(tokens["refresh_token"])["error_description"]
    quoted = re.search(f"The grant was issued on '({ENTRA_INSTANT})' and the TokensValidFrom date \\(before which "
                       f"tokens are not valid\\) for this user is '({ENTRA_INSTANT})'\\.", revoked)
    assert quoted, revoked
    issued, valid_from = (datetime.fromisoformat(text[:19]) for text in quoted.groups())
    assert issued <= valid_from and quoted.group(2).endswith(".0000000Z")   # TokensValidFrom is whole seconds

    _app, tokens = lab.signed_in("old@contoso.example")
    lab.control("expire", "old@contoso.example")
    inactive = lab.refresh(tokens["refresh_token"])["error_description"]
    assert re.match(f"AADSTS700082: The refresh token has expired due to inactivity. The token was issued on "
                    f"{ENTRA_INSTANT} and was inactive for 90.00:00:00.\r\nTrace ID: ", inactive), inactive


def test_sub_is_per_application_and_oid_is_shared(lab):
    _app, first = lab.signed_in("scan@contoso.example")
    _app, second = lab.signed_in("scan@contoso.example", app=lab.msal_app(client_id=OTHER_CLIENT_ID))
    claims = [first["id_token_claims"], second["id_token_claims"]]
    assert claims[0]["oid"] == claims[1]["oid"]
    assert claims[0]["sub"] != claims[1]["sub"] and claims[0]["sub"] != claims[0]["oid"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", claims[0]["sub"])
    refreshed = lab.refresh(first["refresh_token"])
    assert verify_access_token(lab, refreshed["access_token"])["sub"] == claims[0]["sub"]   # stable for one app


def test_a_refresh_may_ask_for_any_consented_scope_but_no_other(lab):
    pop = "https://outlook.office.com/POP.AccessAsUser.All"
    _app, tokens = lab.signed_in("scan@contoso.example")   # granted SMTP.Send; the admin consented to POP too
    widened = lab.refresh(tokens["refresh_token"], [pop])
    assert verify_access_token(lab, widened["access_token"])["scp"] == "POP.AccessAsUser.All"
    refused = lab.refresh(tokens["refresh_token"], ["https://outlook.office.com/EWS.AccessAsUser.All"])
    assert refused["error"] == "invalid_grant" and refused["error_codes"] == [65001]
    assert refused["suberror"] == "consent_required"
    assert refused["error_description"].startswith(
        f"AADSTS65001: The user or administrator has not consented to use the application with ID '{CLIENT_ID}' "
        "named 'MFP Mail (lab)'. Send an interactive authorization request for this user and resource.")

    _app, own = lab.signed_in("desk@fabrikam.example")   # no admin consent: the person consented to SMTP.Send only
    assert lab.refresh(own["refresh_token"], [pop])["error_codes"] == [65001]
    assert "access_token" in lab.refresh(own["refresh_token"], ["https://outlook.office.com/smtp.send"])


def test_revocation_spares_tokens_issued_afterwards_and_reenabling_restores_access(lab):
    _app, before = lab.signed_in("scan@contoso.example")
    assert lab.control("revoke", "scan@contoso.example")["revoked_refresh_tokens"] == 1
    _app, after = lab.signed_in("scan@contoso.example")
    assert "access_token" in lab.refresh(after["refresh_token"])
    assert lab.refresh(before["refresh_token"])["error_codes"] == [50173]
    lab.control("set_account_enabled", "scan@contoso.example", False)
    assert lab.refresh(after["refresh_token"])["error_codes"] == [50057]
    lab.control("set_account_enabled", "scan@contoso.example", True)
    assert "access_token" in lab.refresh(after["refresh_token"])


def test_own_consent_outlives_admin_consent(lab):
    _app, tokens = lab.signed_in("desk@fabrikam.example")  # fabrikam has no admin consent: approve() consents
    lab.control("set_admin_consent", "fabrikam", False)
    assert "access_token" in lab.refresh(tokens["refresh_token"])
    [desk] = [a for a in lab.control("ground_truth")["accounts"] if a["username"] == "desk@fabrikam.example"]
    assert desk["consented_clients"] == [CLIENT_ID]


def test_control_api_rejects_unknown_names_and_bad_requests(lab):
    flow = lab.msal_app().initiate_device_flow(scopes=SCOPES)
    with pytest.raises(LookupError):
        lab.control("approve", "ZZZZZZZZ", "scan@contoso.example")
    with pytest.raises(LookupError):
        lab.control("approve", flow["user_code"], "nobody@contoso.example")
    with pytest.raises(ValueError):
        lab.control("approve", flow["user_code"], "scan@contoso.example", "wrong")
    with pytest.raises(LookupError):
        lab.control("set_admin_consent", "nosuch", True)
    with pytest.raises(LookupError):
        lab.control("revoke", "nobody@contoso.example")
    with pytest.raises(ValueError):
        lab.control("set_account_enabled", "scan@contoso.example", "no")
    lab.control("set_account_enabled", "old@contoso.example", False)
    with pytest.raises(ValueError):
        lab.control("approve", flow["user_code"], "old@contoso.example")
    assert lab.control("pending")[0]["approved"] is False


# --- Conditional Access blocking the device code flow ---

CA_BLOCKED = ("AADSTS53003: Access has been blocked by Conditional Access policies. "
              "The access policy does not allow token issuance.")


def assert_blocked_by_conditional_access(result):
    assert result["error"] == "invalid_grant" and result["error_codes"] == [53003]
    assert result["error_description"].startswith(CA_BLOCKED) and result["suberror"] == "message_only"
    assert "access_token" not in result and "refresh_token" not in result


def test_a_tenant_that_blocks_device_code_refuses_the_sign_in_and_ends_the_poll(lab):
    app = lab.msal_app()
    flow = app.initiate_device_flow(scopes=SCOPES)   # the code is still handed out: the policy is the user's tenant's
    browser = Browser(lab)
    browser.submit(user_code=flow["user_code"])
    assert "AADSTS50126" in browser.submit(username="mfp@northwind.example", password="wrong").text
    assert poll_once(app, flow)["error"] == "authorization_pending"

    page = browser.submit(username="mfp@northwind.example", password="Mfp-2026!")
    assert "You don&#x27;t have access to this" in page.text
    assert "Your sign-in was successful but does not meet the criteria to access this resource." in page.text
    details = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", page.text))
    assert details["Error Code"] == "53003" and details["App id"] == CLIENT_ID
    assert details["App name"] == "MFP Mail (lab)" and details["Timestamp"].endswith("Z")
    assert_blocked_by_conditional_access(poll_once(app, flow))
    assert lab.control("pending") == []
    with pytest.raises(ValueError):
        lab.control("approve", flow["user_code"], "mfp@northwind.example")


def test_conditional_access_switched_through_the_control_api(lab):
    assert lab.control("set_conditional_access", "contoso", {"block_device_code_flow": True})[
        "conditional_access"] == {"block_device_code_flow": True}
    app = lab.msal_app()
    flow = app.initiate_device_flow(scopes=SCOPES)
    answer = lab.control("approve", flow["user_code"], "scan@contoso.example")
    assert answer["approved"] is False and answer["error"].startswith(CA_BLOCKED)
    assert answer["user_code"] == flow["user_code"] and answer["username"] == "scan@contoso.example"
    assert_blocked_by_conditional_access(poll_once(app, flow))
    _app, fabrikam = lab.signed_in("desk@fabrikam.example")   # other tenants keep their own policy
    assert "access_token" in fabrikam

    lab.control("set_conditional_access", "contoso", {"block_device_code_flow": False})
    _app, tokens = lab.signed_in("scan@contoso.example")
    assert "access_token" in tokens
    for bad in ({"block_browser_sign_in": True}, {"block_device_code_flow": "yes"}):
        with pytest.raises(ValueError):
            lab.control("set_conditional_access", "contoso", bad)
    with pytest.raises(LookupError):
        lab.control("set_conditional_access", "nosuch", {"block_device_code_flow": True})


# --- the browser path ---

class Browser:
    """A person at /devicelogin, with requests standing in for the browser."""

    def __init__(self, lab):
        self.url = f"{lab.base}/devicelogin"
        self.session = lab.session()
        self.page = self.session.get(self.url)

    def submit(self, **fields):
        csrf = re.search(r'name="csrf" value="([^"]+)"', self.page.text).group(1)
        self.page = self.session.post(self.url, data=dict(fields, csrf=csrf))
        return self.page


def test_browser_sign_in_with_consent_gives_the_device_its_tokens(lab):
    app = lab.msal_app()
    flow = app.initiate_device_flow(scopes=SCOPES)
    browser = Browser(lab)
    assert browser.page.status_code == 200 and 'method="post"' in browser.page.text
    cookie = browser.page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie
    assert "Check the code and try again" in browser.submit(user_code="ABCD2345").text

    page = browser.submit(user_code=flow["user_code"].lower())
    assert "Sign in" in page.text and "MFP Mail (lab)" in page.text
    page = browser.submit(username="desk@fabrikam.example", password="wrong")
    assert "AADSTS50126" in page.text and 'name="password"' in page.text
    assert lab.control("pending")[0]["approved"] is False

    page = browser.submit(username="desk@fabrikam.example", password="Desk-2026!")
    assert "Permissions requested" in page.text and "SMTP.Send" in page.text
    assert lab.control("pending")[0]["approved"] is False
    page = browser.submit(decision="accept")
    assert ("You have signed in to the MFP Mail (lab) application on your device. "
            "You may now close this window.") in page.text

    result = poll_once(app, flow)
    assert result["id_token_claims"]["preferred_username"] == "desk@fabrikam.example"
    [desk] = [a for a in lab.control("ground_truth")["accounts"] if a["username"] == "desk@fabrikam.example"]
    assert desk["consented_clients"] == [CLIENT_ID] and desk["live_refresh_tokens"] == 1


def test_browser_decline_on_consent_page(lab):
    app = lab.msal_app()
    flow = app.initiate_device_flow(scopes=SCOPES)
    browser = Browser(lab)
    browser.submit(user_code=flow["user_code"])
    browser.submit(username="desk@fabrikam.example", password="Desk-2026!")
    assert "declined" in browser.submit(decision="decline").text
    result = poll_once(app, flow)
    assert result["error"] == "authorization_declined"
    [desk] = [a for a in lab.control("ground_truth")["accounts"] if a["username"] == "desk@fabrikam.example"]
    assert desk["consented_clients"] == []


def test_browser_skips_consent_where_the_admin_consented(lab):
    app = lab.msal_app()
    flow = app.initiate_device_flow(scopes=SCOPES)
    browser = Browser(lab)
    browser.submit(user_code=flow["user_code"])
    assert "AADSTS50034" in browser.submit(username="nobody@contoso.example", password="x").text
    lab.control("set_account_enabled", "old@contoso.example", False)
    assert "AADSTS50057" in browser.submit(username="old@contoso.example", password="Old-2026!").text
    assert "You have signed in" in browser.submit(username="scan@contoso.example", password="Scan-2026!").text
    assert poll_once(app, flow)["id_token_claims"]["preferred_username"] == "scan@contoso.example"


def test_browser_refuses_a_post_without_the_anti_forgery_value(lab):
    flow = lab.msal_app().initiate_device_flow(scopes=SCOPES)
    browser = Browser(lab)
    forged = browser.session.post(browser.url, data={"user_code": flow["user_code"], "csrf": "guess"})
    assert forged.status_code == 400 and "expired" in forged.text
    stranger = lab.session()  # no cookie: no server-side visit to act on
    stranger.get(browser.url)
    browser.submit(user_code=flow["user_code"])
    replay = stranger.post(browser.url, data={"username": "scan@contoso.example", "password": "Scan-2026!",
                                              "csrf": "guess"})
    assert replay.status_code == 400
    assert lab.control("pending")[0]["approved"] is False


# --- persistence, seeding, ground truth ---

def test_a_restarted_provider_keeps_keys_tokens_codes_and_flags(background_loop, lab_ca, store, tmp_path):
    first = Lab(background_loop, lab_ca, store, CONFIG)
    _app, tokens = first.signed_in("scan@contoso.example")
    app = first.msal_app()
    flow = app.initiate_device_flow(scopes=SCOPES)
    first.control("set_account_enabled", "old@contoso.example", False)

    second = Lab(background_loop, lab_ca, JsonStore(tmp_path / "idp.json"), CONFIG)
    keys = "{}/organizations/discovery/v2.0/keys"
    assert second.session().get(keys.format(second.base)).json() == first.session().get(keys.format(first.base)).json()
    assert "access_token" in second.refresh(tokens["refresh_token"])
    assert [code["user_code"] for code in second.control("pending")] == [flow["user_code"]]
    second.control("approve", flow["user_code"], "scan@contoso.example")
    assert "access_token" in second.msal_app().acquire_token_by_device_flow(flow, exit_condition=lambda f: True)
    [old] = [a for a in second.control("ground_truth")["accounts"] if a["username"] == "old@contoso.example"]
    assert old["enabled"] is False


def test_issued_tokens_are_redeemable_by_msal(lab):
    seeded = lab.control("issue_tokens", "scan@contoso.example", CLIENT_ID, SCOPES)
    assert seeded["token_type"] == "Bearer" and seeded["expires_in"] == 3600
    assert verify_access_token(lab, seeded["access_token"])["scp"] == "SMTP.Send"
    result = lab.refresh(seeded["refresh_token"])
    assert verify_access_token(lab, result["access_token"])["preferred_username"] == "scan@contoso.example"
    with pytest.raises(LookupError):
        lab.control("issue_tokens", "scan@contoso.example", "no-such-client", SCOPES)


def test_ground_truth_and_store_hold_no_secrets(lab, store):
    _app, tokens = lab.signed_in("scan@contoso.example")
    pending = lab.msal_app().initiate_device_flow(scopes=SCOPES)
    truth = lab.control("ground_truth")
    [scan] = [a for a in truth["accounts"] if a["username"] == "scan@contoso.example"]
    assert scan["enabled"] is True and scan["live_refresh_tokens"] == 1
    assert [t["admin_consent"] for t in truth["tenants"]] == [True, False, True]
    assert [t["conditional_access"]["block_device_code_flow"] for t in truth["tenants"]] == [False, False, True]
    assert [code["user_code"] for code in truth["pending"]] == [pending["user_code"]]
    dumped = json.dumps(truth)
    secrets = PASSWORDS + [tokens["refresh_token"], tokens["access_token"], pending["device_code"]]
    assert not [secret for secret in secrets if secret in dumped]
    assert "password" not in dumped and "PRIVATE KEY" not in dumped
    stored = store.path.read_text()
    assert tokens["refresh_token"] not in stored and pending["device_code"] not in stored
