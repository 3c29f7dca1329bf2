"""The device's OAuth client: the real msal library, device authorization grant and refresh.

Every method blocks on HTTP; the device calls them in an executor thread because the identity
provider may be served by the same event loop.
"""

import threading

import msal
import requests


class DeviceOAuthClient:
    def __init__(self, authority, client_id, ca_path, scopes):
        self.authority = authority
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

    def refresh(self, refresh_token):
        return self._application().acquire_token_by_refresh_token(refresh_token, scopes=self.scopes)
