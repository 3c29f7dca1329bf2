"""One emulated MFP: its web UI, administrator session, mail settings, shared OAuth token and mail client."""

import asyncio
import hmac
import secrets

from aiohttp import web

from mfplab.faults import BUSY, POWER_LOSS, PowerLost
from mfplab.mail.client import MailClient, scan_message

from . import pages
from . import settings as model
from .layouts import (
    ADMINISTRATOR_ROLE, CALLBACK_PATH, CONFIRM_CONTROLS, LAYOUTS, LOGIN_ACTION, LOGIN_MODES, LOGIN_PATH, LOGOUT_PATH,
    MAIN_PATH, POP_PATH, SMTP_PATH, TEXTS,
)
from .lifecycle import BROWSER_SIGN_IN_SECONDS, TokenLifecycle, describe, initial_state, iso_time
from .sessions import AdminSessions

COOKIE = "MFPSESSIONID"
PAGES = {SMTP_PATH: "smtp", POP_PATH: "pop"}
LOGIN_TARGETS = (MAIN_PATH, SMTP_PATH, POP_PATH)
# What the device handled: logins over the web UI and by the scheduled visitor, failed logins,
# settings saves, token requests ([Get Token] that reached the provider) and token deletions.
COUNTERS = ("requests", "posts", "logins", "failed_logins", "settings_saved", "token_requests", "token_deletes",
            "logouts", "visitor_logins")
USER_AGENT_KEPT = 120   # characters of the User-Agent of a login, kept to tell clients apart


def _html(text):
    return web.Response(text=text, content_type="text/html", charset="utf-8")


def _redirect(location):
    return web.Response(status=302, headers={"Location": location})


class Device:
    """The firmware of one device. `spec` is the lab's normalized fleet entry (see ground_truth)."""

    def __init__(self, spec, store, oauth, mail=None):
        self.spec = spec
        self._mail = mail or MailClient()   # none given: a device on no network, no server resolves
        self._store = store
        language = spec.get("language", "en")
        layout = LAYOUTS[spec["profile"]]
        login = LOGIN_MODES[spec.get("authentication") or layout["login"]]
        self.ui = pages.Ui(language, spec["model"], layout, TEXTS[language], login)
        stored = store.load(None)
        first_start = stored is None
        if first_start:
            stored = {"settings": spec.get("settings"), "token": spec.get("token")}
        self.independent = layout["credential"] == "independent"
        self.settings = model.complete(stored["settings"], self.independent)
        # How [Get Token] signs in: the fleet entry's `sign_in`, else the layout's.
        sign_in = (spec.get("sign_in") or layout["sign_in"],
                   spec.get("browser_sign_in_seconds", BROWSER_SIGN_IN_SECONDS))
        # The credential sections of the settings and their tokens: one shared, or SMTP's and POP's.
        self.tokens = {"oauth": TokenLifecycle(initial_state(stored["token"]), oauth, self._save, *sign_in)}
        if self.independent:
            pop_token = stored.get("pop_token", spec.get("pop_token") if first_start else None)
            self.tokens[model.INDEPENDENT_POP] = TokenLifecycle(initial_state(pop_token), oauth, self._save, *sign_in)
        self.token = self.tokens["oauth"]   # SMTP's, the one mail is sent with
        if first_start:   # the spec's initial state is used once; from now on the store rules
            self._save()
        lockout = spec.get("lockout") or {}
        self.sessions = AdminSessions(
            spec.get("session_idle_seconds", 300), lockout.get("attempts", 3), lockout.get("seconds", 300)
        )
        self.counters = dict.fromkeys(COUNTERS, 0)

    # the lab's interface

    def app(self, middlewares=()):
        @web.middleware
        async def count(request, handler):   # first, so refused and unknown requests count too
            return await self._count(request, handler)

        app = web.Application(middlewares=[count, *middlewares])
        app.router.add_get("/", self._root)
        app.router.add_get(MAIN_PATH, self._main)
        app.router.add_get(LOGOUT_PATH, self._logout)
        app.router.add_get(CALLBACK_PATH, self._sign_in_callback)
        for method in ("GET", "POST"):
            app.router.add_route(method, LOGIN_PATH, self._login)
            for path in PAGES:
                app.router.add_route(method, path, self._settings_page)
        return app

    def ground_truth(self):
        session = self.sessions.state()
        return {
            **{key: self.spec.get(key) for key in ("name", "address", "port", "model", "profile")},
            "language": self.ui.language,
            "settings": model.public(self.settings),
            "token": describe(self.token.state, self.ui.texts),
            **({"pop_token": describe(self._token("pop").state, self.ui.texts)} if self.independent else {}),
            "session": {**session, "locked_until": iso_time(session["locked_until"])},
            "counters": dict(self.counters),
        }

    def expire_sessions(self):
        self.sessions.clear()

    def reboot(self):
        """Sessions, login forms and pending confirmations are lost; settings and token are kept."""
        self.sessions.clear(reboot=True)

    async def visit(self, hold_seconds):
        """Someone else (a person at the web page or panel, another tool) logs in as administrator,
        uses the pages for `hold_seconds` and logs out. Refused while any session is active or the
        login is locked; a reboot or forced expiry ends the visit early. True if the visitor got in."""
        if self.sessions.held_by_other(None) or self.sessions.locked():
            return False
        session = self.sessions.open(holder="visitor")
        self.counters["visitor_logins"] += 1
        loop = asyncio.get_running_loop()
        ends = loop.time() + hold_seconds
        try:
            while (left := ends - loop.time()) > 0:
                await asyncio.sleep(min(left, self.sessions.idle_seconds / 2))
                if self.sessions.current(session.id) is None:   # touched: a person clicking around
                    break
        finally:
            self.sessions.close(session.id)
        return True

    async def start(self):
        for token in self.tokens.values():
            token.resume()

    async def stop(self):
        for token in self.tokens.values():
            await token.stop()

    async def send_mail(self, to=None):
        """A scan to e-mail with the saved settings: refresh the token if OAuth 2.0, then submit over
        SMTP. {"state": the token's, "reply": the server's} or with "error" (the token's or the mail's)."""
        smtp = self.settings["smtp"]
        credential, failed = await self._smtp_credential(smtp, self.settings["oauth"]["account"])
        if failed:
            return failed
        sender = smtp["sender_address"] or (credential[1] if credential else "")
        message = scan_message(sender, to or sender, self.spec["model"])
        sent = await self._in_thread(self._mail.submit, smtp, credential, message)
        return {"state": self.token.state["state"], **sent}

    async def check_mail(self):
        """What the POP side does at its check interval: log in with the saved settings, fetch what waits."""
        pop = self.settings["pop"]
        if not pop["server"]:
            return {"error": "not_configured"}
        if pop["auth_method"] == "oauth2":
            token = self._token("pop")
            used = await token.use()
            if "error" in used:
                return used
            account = self.settings[model.credential_key("pop", self.independent)]["account"]
            credential = ("XOAUTH2", account, used["access_token"])
        else:
            credential = (pop["auth_method"].upper(), pop["user"], pop["password"])
        return {"state": self._token("pop").state["state"], **await self._in_thread(self._mail.check, pop, credential)}

    async def _smtp_credential(self, smtp, account):
        """(credential, None) for SMTP's authentication method, or (None, the token's failure)."""
        if smtp["auth_method"] == "oauth2":
            used = await self.token.use()
            if "error" in used:
                return None, used
            return ("XOAUTH2", account, used["access_token"]), None
        if smtp["auth_method"] == "smtp_auth":
            return ("LOGIN", smtp["user"], smtp["password"]), None
        return None, None

    @staticmethod
    async def _in_thread(func, *args):
        # Blocking clients, and the mail servers may be served by this same event loop.
        return await asyncio.get_running_loop().run_in_executor(None, func, *args)

    # request handling

    async def _count(self, request, handler):
        self.counters["requests"] += 1
        if request.method == "POST":
            self.counters["posts"] += 1
        return await handler(request)

    async def _root(self, request):
        return _redirect(MAIN_PATH)

    async def _main(self, request):
        return self._with_cookie(request, _html(pages.main_page(self.ui)))

    @staticmethod
    def _with_cookie(request, response):
        """The first GET of a visitor without a cookie gets one (MFPSESSIONID), as captured devices do."""
        if not request.cookies.get(COOKIE):
            response.set_cookie(COOKIE, secrets.token_hex(16), path="/", secure=True, httponly=True)
        return response

    async def _sign_in_callback(self, request):
        """The provider sends the person's browser back here after a browser sign-in. No administrator
        session is asked for (the person is the mailbox user): the state ties the answer to the [Get
        Token] that started it, and an answer with another state changes nothing but the panel's message."""
        answer = dict(request.query)
        token = next((token for token in self.tokens.values() if token.waits_for(answer.get("state", ""))), None)
        if token is None:
            for waiting in self.tokens.values():
                if waiting.waits_for_browser():
                    waiting.ignore_stale_sign_in()
            error = ("sign_in", self.ui.texts["token_messages"]["stale_sign_in"])
            return web.Response(text=pages.sign_in_result_page(self.ui, None, error), status=400,
                                content_type="text/html", charset="utf-8")
        await token.finish_browser_sign_in(answer)
        shown = describe(token.state, self.ui.texts)
        if shown["state"] == "obtained":
            return _html(pages.sign_in_result_page(self.ui, shown, status=self.ui.texts["messages"]["signed_in"]))
        return _html(pages.sign_in_result_page(self.ui, shown, ("sign_in", shown["message"])))

    async def _login(self, request):
        target = request.query_string if request.query_string in LOGIN_TARGETS else MAIN_PATH
        action = f"{LOGIN_PATH}?{target}"
        cookie = request.cookies.get(COOKIE)
        if request.method == "GET":
            if cookie:
                return self._login_form(action, cookie)
            cookie = secrets.token_hex(16)
            response = self._login_form(action, cookie)
            response.set_cookie(COOKIE, cookie, path="/", secure=True, httponly=True)
            return response
        form = await request.post()
        first = self.ui.login.get("first")
        if first and form.get("action") == first:
            # [Administrator Login] of a two-step mode: the password form, for the same visitor.
            if not self.sessions.login_tokens.take(None, form.get("token2"), cookie):
                return self._login_form(action, cookie, error="page_expired")
            return self._login_form(action, cookie, second_step=True)
        if form.get("action") != LOGIN_ACTION:
            return self._login_form(action, cookie)   # not [Login] (no script ran): the form again, as the firmware does
        # token2 is single-use and bound to the cookie the form was shown to.
        if not self.sessions.login_tokens.take(None, form.get("token2"), cookie):
            return self._login_form(action, cookie, error="page_expired")
        if self.sessions.locked():
            return self._login_form(action, cookie, error="locked")
        if not self._credentials_match(form):
            self.counters["failed_logins"] += 1
            self.sessions.record_failure()
            return self._login_form(action, cookie, error="login_failed")
        if self.sessions.held_by_other(cookie):
            return self._login_form(action, cookie, error="another_admin")
        session = self.sessions.open(holder="web", user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_KEPT])
        self.counters["logins"] += 1
        response = _redirect(target)
        # A new session id at login: the visitor's cookie is not the administrator's.
        response.set_cookie(COOKIE, session.id, path="/", secure=True, httponly=True)
        return response

    def _credentials_match(self, form):
        fields = self.ui.login
        admin_user = self.spec.get("admin_user", "admin")
        if fields["role"] and form.get(fields["role"]) != ADMINISTRATOR_ROLE:
            return False
        user = form.get(fields["user"], "") if fields["user"] else admin_user
        password = form.get(fields["password"], "")
        # Both compared, so a wrong user name costs the same time as a wrong password.
        user_ok = hmac.compare_digest(user.encode(), admin_user.encode())
        password_ok = hmac.compare_digest(password.encode(), self.spec["admin_password"].encode())
        return user_ok and password_ok

    async def _logout(self, request):
        return self._logged_out(request)

    def _logged_out(self, request):
        """[Logout(L)] on a page, or GET /logout.html: the session ends, the login form is shown."""
        if self.sessions.close(request.cookies.get(COOKIE)):
            self.counters["logouts"] += 1
        cookie = secrets.token_hex(16)
        response = self._login_form(f"{LOGIN_PATH}?{MAIN_PATH}", cookie, status=self.ui.texts["messages"]["logged_out"])
        response.set_cookie(COOKIE, cookie, path="/", secure=True, httponly=True)
        return response

    def _login_form(self, action, cookie, error=None, status=None, second_step=False):
        """The login form; a two-step mode shows its first step unless asked for the second (or an error
        of the second step is shown)."""
        notice = (error, self.ui.texts["messages"][error]) if error else None
        token2 = self.sessions.login_tokens.issue(cookie)[1]
        first_step = bool(self.ui.login.get("first")) and not second_step and error not in (
            "login_failed", "locked", "another_admin")
        return _html(pages.login_page(self.ui, action, token2, notice, status, first_step))

    async def _settings_page(self, request):
        page = PAGES[request.path]
        session = self.sessions.current(request.cookies.get(COOKIE))
        if session is None:
            return _redirect(f"{LOGIN_PATH}?{request.path}")
        if request.method == "GET":
            session.pending = None
            return self._page(page, session)
        form = await request.post()
        if not session.tokens.take(form.get("token1", ""), form.get("token2")):
            session.pending = None
            return self._page(page, session, error=self._message("page_expired"))
        action = form.get("action", "")
        controls = self.ui.layout["controls"]
        pressed = next((key for key, name in controls.items() if name == action), None)
        if pressed == "logout":
            return self._logged_out(request)
        if request.get(BUSY, False):
            # The machine is busy (printing, a panel user): nothing is done; the client tries again,
            # from the confirmation page again if it was answering one.
            if session.pending and session.pending["page"] == page:
                return self._confirm(page, session, session.pending, error=self._message("busy"))
            session.pending = None
            return self._page(page, session, error=self._message("busy"))
        power_loss = request.get(POWER_LOSS)
        if action in CONFIRM_CONTROLS.values() and session.pending:
            return await self._confirmed(page, session, action == CONFIRM_CONTROLS["ok"], power_loss)
        session.pending = None
        if pressed not in pages.page_controls(self.ui, page):
            # An unknown action (or none: a named submit button, no script) is ignored, as real devices do.
            return self._page(page, session)
        values = model.read_form(self.ui.layout["pages"][page], form)
        if pressed == "submit":
            return self._submit(page, session, values, power_loss)
        if pressed == "connection_test":
            return await self._connection_test(page, session, values)
        if pressed == "delete":
            if self.ui.layout["confirm"] == "page":
                return self._confirm(page, session, {"action": "delete"}, self.ui.texts["messages"]["confirm_delete"])
            return self._delete(page, session)
        # [Get Token] saves nothing before the confirmation: only whether the form passes matters here.
        error = self._apply(page, values, for_token=True)[1]
        if error:
            return self._page(page, session, values, error=self._error_text(error))
        if self.ui.layout["confirm"] == "page":
            message = self.ui.texts["messages"]["confirm_get_token"].format(account=values["account"])
            return self._confirm(page, session, {"action": "get_token", "values": values}, message)
        return await self._get_token(page, session, values, power_loss)

    def _submit(self, page, session, values, power_loss=None):
        new_settings, error = self._apply(page, values)
        if error:
            return self._page(page, session, values, error=self._error_text(error))
        self._save_settings(new_settings, power_loss)
        return self._page(page, session, status=self.ui.texts["messages"]["saved"])

    def _delete(self, page, session):
        self._token(page).delete()
        self.counters["token_deletes"] += 1
        return self._page(page, session, status=self.ui.texts["messages"]["deleted"])

    async def _get_token(self, page, session, values, power_loss=None):
        """[Get Token] confirmed: the form is saved, then the token requested for its provider and account."""
        new_settings, error = self._apply(page, values, for_token=True)
        if error:
            return self._page(page, session, values, error=self._error_text(error))
        self._save_settings(new_settings, power_loss)
        self.counters["token_requests"] += 1
        if not await self._token(page).request(values["provider"]):
            return self._page(page, session, error=self._message("provider_unreachable"))
        return self._page(page, session, status=self.ui.texts["messages"]["saved"])

    async def _confirmed(self, page, session, ok, power_loss=None):
        """[OK] or [Cancel] on a confirmation page."""
        pending, session.pending = session.pending, None
        if not ok:
            return self._page(page, session)
        if pending["action"] == "delete":
            return self._delete(page, session)
        return await self._get_token(page, session, pending["values"], power_loss)

    async def _connection_test(self, page, session, values):
        """Tests the posted values without saving them: connects, authenticates, reports the server's answer."""
        tested, error = self._apply(page, values)
        if error:
            return self._page(page, session, values, error=self._error_text(error))
        smtp = tested["smtp"]
        credential, failed = await self._smtp_credential(smtp, tested["oauth"]["account"])
        result = failed or await self._in_thread(self._mail.submit, smtp, credential)
        messages = self.ui.texts["messages"]
        if "error" in result:
            detail = result.get("reply") or result["error"]
            return self._page(page, session, values, error=("test_failed", f"{messages['test_failed']} {detail}"))
        return self._page(page, session, values, status=f"{messages['test_ok']} {result['reply']}")

    def _page(self, page, session, values=None, error=None, status=None):
        values = values or model.page_values(page, self.settings, self.independent)
        token = describe(self._token(page).state, self.ui.texts)
        return _html(pages.settings_page(self.ui, page, values, token, session.tokens.issue(), error, status))

    def _confirm(self, page, session, pending, message=None, error=None):
        session.pending = dict(pending, page=page, message=message or pending["message"])
        return _html(pages.confirm_page(self.ui, page, session.pending["message"], session.tokens.issue(), error))

    def _apply(self, page, values, for_token=False):
        return model.apply_form(page, values, self.settings, for_token, self.independent)

    def _token(self, page):
        """The token a page shows and its [Get Token] and [Delete] act on."""
        return self.tokens[model.credential_key(page, self.independent)]

    def _message(self, key):
        return key, self.ui.texts["messages"][key]

    def _error_text(self, error):
        field, reason, params = error
        texts = self.ui.texts
        return "validation", f"{texts['labels'][field]}: {texts['reasons'][reason].format(**params)}"

    def _save_settings(self, new_settings, power_loss=None):
        """Save the settings; with `power_loss` ("old" or "new") the power fails during the write and
        PowerLost is raised: the store's atomic replace keeps one whole document, never a mix."""
        if power_loss != "old":
            self.settings = new_settings
            self.counters["settings_saved"] += 1
            self._save()
        if power_loss:
            raise PowerLost(power_loss)

    def _save(self):
        document = {"settings": self.settings, "token": self.token.state}
        if self.independent:
            document["pop_token"] = self._token("pop").state
        self._store.save(document)
