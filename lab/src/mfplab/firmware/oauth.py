"""The device's OAuth clients, one per provider. Microsoft: the real msal library; device
authorization grant or browser sign-in (authorization code with PKCE, back to the device's own
address), and refresh. Google: browser sign-in and refresh over plain HTTP.

Every method blocks on HTTP; the device calls them in an executor thread because the identity
provider may be served by the same event loop.
"""

import hmac
import secrets
import threading
import warnings
from urllib.parse import urlencode

import jwt
import msal
import requests

from mfplab.idp.provider import PKCE_METHODS


class DeviceOAuthClient:
    def __init__(self, authority, client_id, ca_path, scopes, redirect_uri=None):
        """`redirect_uri`: where the provider sends the person's browser back to (the device's callback)."""
        self.authority = authority
        self.redirect_uri = redirect_uri
        self.client_id = client_id
        self.ca_path = str(ca_path)
        self.scopes = list(scopes)
        self._app = None
        self._app_lock = threading.Lock()

    def _application(self):
        # Built on first use: msal fetches the provider's metadata in its constructor, which must
        # not happen on the event loop. One app per device, since msal throttles per app.
        with self._app_lock:
            if self._app is None:
                http = requests.Session()
                http.trust_env = False   # else REQUESTS_CA_BUNDLE would override `verify`
                http.verify = self.ca_path
                self._app = msal.PublicClientApplication(
                    self.client_id, authority=self.authority, http_client=http, instance_discovery=False
                )
            return self._app

    def start(self):
        """Begin a device authorization grant: the msal flow (user_code, verification_uri, …)."""
        flow = self._application().initiate_device_flow(scopes=self.scopes)
        if "interval" in flow:
            # msal's one-poll exit only works with a positive interval.
            flow["interval"] = max(1, flow["interval"])
        return flow

    def poll(self, flow):
        """One token request for the flow; msal's result dict (updates the flow's poll bookkeeping)."""
        return self._application().acquire_token_by_device_flow(flow, exit_condition=lambda _flow: True)

    def start_browser_sign_in(self):
        """Begin a browser sign-in: msal's auth code flow (auth_uri: the sign-in address; state, PKCE verifier, nonce)."""
        with warnings.catch_warnings():
            # The answer comes back in the callback's query (a GET the device serves), not as a form post.
            warnings.filterwarnings("ignore", message="response_mode='form_post' is recommended")
            return self._application().initiate_auth_code_flow(self.scopes, redirect_uri=self.redirect_uri)

    def finish_browser_sign_in(self, flow, answer):
        """Redeem the code the browser brought back (`answer`: the callback's query) with the flow's PKCE verifier."""
        return self._application().acquire_token_by_auth_code_flow(dict(flow), answer)

    def refresh(self, refresh_token):
        return self._application().acquire_token_by_refresh_token(refresh_token, scopes=self.scopes)


class GoogleOAuthClient:
    """The device's client at Google: browser sign-in (authorization code with PKCE, access_type=offline)
    and refresh, in plain HTTP (msal speaks only to Microsoft). Results have msal's shape: token
    response or {"error", "error_description"}, with `id_token_claims` after a sign-in."""

    def __init__(self, discovery_url, client_id, client_secret, ca_path, scopes, redirect_uri):
        self.discovery_url = discovery_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.ca_path = str(ca_path)
        self.scopes = list(scopes)
        self.redirect_uri = redirect_uri
        self._metadata = None
        self._http = requests.Session()
        self._http.trust_env = False   # else REQUESTS_CA_BUNDLE would override `verify`

    def _endpoint(self, name):
        if self._metadata is None:
            answer = self._http.get(self.discovery_url, verify=self.ca_path, timeout=10)
            answer.raise_for_status()
            self._metadata = answer.json()
        return self._metadata[name]

    def _token(self, form):
        answer = self._http.post(self._endpoint("token_endpoint"), verify=self.ca_path, timeout=10, data=dict(
            form, client_id=self.client_id, **({"client_secret": self._client_secret} if self._client_secret else {})))
        if answer.status_code >= 500:
            return {"error": "server_error"}
        return answer.json()

    def start_browser_sign_in(self):
        verifier = secrets.token_urlsafe(64)
        state = secrets.token_urlsafe(24)
        query = urlencode({
            "client_id": self.client_id, "redirect_uri": self.redirect_uri, "response_type": "code",
            "scope": " ".join(self.scopes), "access_type": "offline", "prompt": "consent", "state": state,
            "code_challenge": PKCE_METHODS["S256"](verifier), "code_challenge_method": "S256",
        })
        return {"auth_uri": f"{self._endpoint('authorization_endpoint')}?{query}", "state": state,
                "code_verifier": verifier}

    def finish_browser_sign_in(self, flow, answer):
        if not hmac.compare_digest(str(answer.get("state", "")).encode(), flow["state"].encode()):
            raise ValueError("the sign-in came back with another state")
        result = self._token({"grant_type": "authorization_code", "code": answer["code"],
                              "code_verifier": flow["code_verifier"], "redirect_uri": self.redirect_uri})
        if "id_token" in result:
            # Straight from the token endpoint over verified TLS: OpenID Connect Core 3.1.3.7 lets the
            # client trust it without checking the signature.
            result["id_token_claims"] = jwt.decode(result["id_token"], options={"verify_signature": False})
        return result

    def refresh(self, refresh_token):
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})
