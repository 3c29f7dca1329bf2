"""The shared OAuth token: its state, the sign-in it waits for, and refresh on use.

`state` is the persisted document:
  {"state", "provider", "account", "refresh_token", "flow", "message_key", "last_error"}
`flow` is msal's pending flow while waiting: a device flow (user_code, polled by a task) or, for a
browser sign-in, an auth code flow (auth_uri, state, PKCE verifier; finished by the device's
callback, with an expiry the device sets itself); `account` is whoever signed in.
"""

import asyncio
import hmac
import re
import time

PENDING = ("authorization_pending", "slow_down")
DECLINED = ("authorization_declined", "access_denied")
EXPIRED = ("expired_token", "code_expired")
# A provider failing or throttling (HTTP 5xx, 429) says nothing about the grant: try again later.
TRANSIENT = ("temporarily_unavailable", "server_error")
NO_TOKEN = "no_token"
UNREACHABLE = "provider_unreachable"
SERVED_PROVIDER = "microsoft"   # the only provider the lab serves
# How long the device waits for a browser sign-in to come back (the provider sets no limit before the
# person signs in); a device code's own lifetime is the provider's.
BROWSER_SIGN_IN_SECONDS = 900


def initial_state(token):
    """A full token document from a spec's or store's (maybe partial) one."""
    state = {"state": "not_obtained", "provider": "", "account": "", "refresh_token": "",
             "flow": None, "message_key": None, "last_error": None}
    state.update(token or {})
    return state


def error_code(result):
    """The provider's AADSTS code of an error result, else its OAuth error name."""
    found = re.search(r"AADSTS\d+", result.get("error_description") or "")
    if found:
        return found.group(0)
    if result.get("error_codes"):
        return f"AADSTS{result['error_codes'][0]}"
    return result.get("error") or "unknown_error"


class TokenLifecycle:
    def __init__(self, state, oauth, save, sign_in="device_code", browser_sign_in_seconds=BROWSER_SIGN_IN_SECONDS):
        """`sign_in`: how [Get Token] has a person sign in (layouts.SIGN_IN_KINDS)."""
        self.state = state
        self._oauth = oauth
        self._save = save          # persists the device's document after every change
        self._sign_in = sign_in
        self._browser_sign_in_seconds = browser_sign_in_seconds
        self._poller = None        # the task that ends the wait: a device code's polls, or a browser sign-in's expiry

    async def request(self, provider):
        """[Get Token] + [OK]: start the sign-in. False if the provider is unreachable."""
        if self._oauth is None or provider != SERVED_PROVIDER:
            return False
        browser = self._sign_in == "browser"
        start = self._oauth.start_browser_sign_in if browser else self._oauth.start
        try:
            flow = await asyncio.get_running_loop().run_in_executor(None, start)
        except Exception:  # noqa: BLE001 - any transport or discovery failure means "unreachable"
            return False
        if ("auth_uri" if browser else "user_code") not in flow:
            return False
        if browser:
            flow["expires_at"] = time.time() + self._browser_sign_in_seconds
        self._cancel_poller()
        self._set(state="waiting_for_authorization", provider=provider, account="", refresh_token="",
                  flow=flow, message_key=None, last_error=None)
        self._poller = asyncio.get_running_loop().create_task(self._wait(flow))
        return True

    def waits_for(self, state):
        """Whether this token waits for the browser sign-in whose `state` came back."""
        flow = self.state["flow"] or {}
        return bool(flow.get("auth_uri") and state) and hmac.compare_digest(flow["state"].encode(), state.encode())

    def waits_for_browser(self):
        return bool((self.state["flow"] or {}).get("auth_uri"))

    async def finish_browser_sign_in(self, answer):
        """The browser came back with the provider's `answer` (code, or error) for the flow waited for."""
        flow = self.state["flow"]
        if "code" in answer:
            try:
                result = await asyncio.get_running_loop().run_in_executor(
                    None, self._oauth.finish_browser_sign_in, flow, answer)
            except Exception:  # noqa: BLE001 - the provider did not answer, or its answer did not check out
                result = {"error": UNREACHABLE}
        else:
            result = {key: answer.get(key) for key in ("error", "error_description")}
        if self.state["flow"] is not flow:   # deleted or replaced meanwhile
            return
        self._cancel_poller()
        self._set(flow=None, **_outcome(result))

    def ignore_stale_sign_in(self):
        """A sign-in came back with a state this token does not wait for: it keeps waiting, and says so."""
        self._set(message_key="stale_sign_in", last_error=None)

    def delete(self):
        self._cancel_poller()
        self._set(state="not_obtained", provider="", account="", refresh_token="", flow=None,
                  message_key=None, last_error=None)

    def resume(self):
        """Continue waiting for a flow that was pending when the device last stopped."""
        if self.state["state"] == "waiting_for_authorization" and self.state["flow"] and self._poller is None:
            self._poller = asyncio.get_running_loop().create_task(self._wait(self.state["flow"]))

    async def stop(self):
        poller, self._poller = self._poller, None
        if poller is not None:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)

    async def use(self):
        """Before mail is sent: refresh the token with the provider; on success the result carries the
        access token, for the caller to use and drop. A refused refresh makes it Invalid; a provider
        that does not answer, fails or throttles leaves it as it was."""
        refresh_token = self.state["refresh_token"]
        if self.state["state"] != "obtained":
            return {"state": self.state["state"], "error": self.state["last_error"] or NO_TOKEN}
        if self._oauth is None or self.state["provider"] != SERVED_PROVIDER:
            return {"state": "obtained", "error": UNREACHABLE}
        try:
            result = await asyncio.get_running_loop().run_in_executor(None, self._oauth.refresh, refresh_token)
        except Exception:  # noqa: BLE001 - no answer from the provider leaves the token as it was
            return {"state": "obtained", "error": UNREACHABLE}
        if self.state["refresh_token"] != refresh_token:  # deleted or replaced meanwhile
            return {"state": self.state["state"]}
        if "access_token" in result:
            self._set(refresh_token=result.get("refresh_token") or refresh_token)
            return {"state": "obtained", "access_token": result["access_token"]}
        if result.get("error") in TRANSIENT:
            return {"state": "obtained", "error": UNREACHABLE}
        code = error_code(result)
        self._set(state="invalid", message_key="refresh_failed", last_error=code)
        return {"state": "invalid", "error": code}

    def _wait(self, flow):
        return self._expire(flow) if flow.get("auth_uri") else self._poll(flow)

    async def _expire(self, flow):
        """A browser sign-in that does not come back in time: Not Obtained, as an unused code's."""
        await asyncio.sleep(max(0, flow["expires_at"] - time.time()))
        if self.state["flow"] is flow:
            self._poller = None
            self._set(flow=None, state="not_obtained", message_key="expired", last_error="expired_token")

    async def _poll(self, flow):
        while True:
            await asyncio.sleep(flow.get("interval", 5))
            outcome = _poll_outcome(await self._poll_once(flow), flow)
            if outcome is not None:
                self._poller = None
                self._set(flow=None, **outcome)
                return

    async def _poll_once(self, flow):
        if self._oauth is not None:
            # msal updates its bookkeeping in the flow; give the thread a copy so a concurrent save
            # of the persisted flow never sees it change, and take the updates back here.
            working = dict(flow)
            try:
                return await asyncio.get_running_loop().run_in_executor(None, self._oauth.poll, working)
            except Exception:  # noqa: BLE001 - provider unreachable: keep trying until the code expires
                pass
            finally:
                flow.update(working)
        return {"error": "authorization_pending"}

    def _cancel_poller(self):
        if self._poller is not None:
            self._poller.cancel()
            self._poller = None

    def _set(self, **changes):
        self.state.update(changes)
        self._save()


def _poll_outcome(result, flow):
    """The token changes one poll's answer brings, or None while the person has not answered yet."""
    error = result.get("error")
    if "access_token" in result or error in DECLINED:
        return _outcome(result)
    if error in EXPIRED or time.time() >= flow.get("expires_at", 0):
        code = error_code(result) if error in EXPIRED else "expired_token"
        return {"state": "not_obtained", "message_key": "expired", "last_error": code}
    if error not in PENDING + TRANSIENT:
        return _outcome(result)
    return None


def _outcome(result):
    """The token changes the provider's last answer to a sign-in brings: Obtained, declined or failed."""
    if "access_token" in result:
        account = (result.get("id_token_claims") or {}).get("preferred_username", "")
        return {"state": "obtained", "account": account, "refresh_token": result.get("refresh_token", ""),
                "message_key": None, "last_error": None}
    if result.get("error") in DECLINED:
        return {"state": "not_obtained", "message_key": "declined", "last_error": error_code(result)}
    return {"state": "not_obtained", "message_key": "failed", "last_error": error_code(result)}


def describe(state, texts):
    """The token as the panel and the ground truth show it: no refresh token, no device code, no PKCE verifier."""
    flow = state["flow"] or {}
    message = None
    if state["message_key"]:
        message = texts["token_messages"][state["message_key"]].format(code=state["last_error"])
    return {
        "state": state["state"],
        "account": state["account"] or None,
        "provider": state["provider"] or None,
        "sign_in": ("browser" if flow.get("auth_uri") else "device_code") if flow else None,
        "user_code": flow.get("user_code"),
        "verification_uri": flow.get("verification_uri"),
        "sign_in_url": flow.get("auth_uri"),
        "expires_at": iso_time(flow.get("expires_at")),
        "message": message,
        "last_error": state["last_error"],
    }


def iso_time(epoch):
    """UTC ISO 8601 of an epoch time, or None."""
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
