"""The device's OAuth client: the real msal library; device authorization grant or browser sign-in
(authorization code with PKCE, back to the device's own address), and refresh.

Every method blocks on HTTP; the device calls them in an executor thread because the identity
provider may be served by the same event loop.
"""

import threading
import warnings

import msal
import requests


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
