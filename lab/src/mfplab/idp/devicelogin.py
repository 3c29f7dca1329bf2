"""The provider's sign-in pages: a person signs in, consents if needed, and is done.

Two ways in, one way through. /devicelogin first asks for the code a device shows (device code
flow); /{tenant}/oauth2/v2.0/authorize starts from an app's authorization request (browser
sign-in) and ends by sending the person's browser back to the app's redirect URI with a code.
Each visit's progress stays server side, keyed by an opaque id in an HttpOnly cookie; every form
carries a fresh anti-forgery value, so a stale or forged post restarts the visit instead of acting.
"""

import hmac
import secrets
import time
from dataclasses import dataclass, field

from aiohttp import web

from . import pages
from .errors import EntraError, SignInBlocked

HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# Browsers apply form-action to the redirect a form post answers with: the authorization request's
# last form sends the person on to the app's (registered) redirect URI.
AUTHORIZE_HEADERS = dict(HEADERS, **{"Content-Security-Policy": HEADERS["Content-Security-Policy"].replace(
    "form-action 'self'", "form-action 'self' https:")})
CODE_REJECTED = "That code didn't work. Check the code and try again."
# How long an abandoned visit is kept.
VISIT_SECONDS = 3600


@dataclass(frozen=True)
class Entry:
    """One way into the sign-in pages: where its forms post, and the cookie its visits are known by."""
    path: str
    cookie: str
    headers: dict


DEVICE_CODE = Entry("/devicelogin", "mfplab_devicelogin", HEADERS)
AUTHORIZE = Entry("/login", "mfplab_login", AUTHORIZE_HEADERS)


@dataclass
class _Visit:
    id: str
    entry: Entry
    started: float = field(default_factory=time.time)
    step: str = "code"
    csrf: str = ""
    key: str | None = None   # the user code, or the authorization request's id
    client_name: str = ""
    scopes: list = field(default_factory=list)
    username: str | None = None


class SignInPages:
    def __init__(self, provider):
        self._provider = provider
        self._visits = {}

    def add_routes(self, app):
        app.add_routes([
            web.get(DEVICE_CODE.path, self._start_device_login),
            web.post(DEVICE_CODE.path, self._submit),
            web.get("/{tenant}/oauth2/v2.0/authorize", self._authorize),
            web.post(AUTHORIZE.path, self._submit),
        ])

    def _new_visit(self, entry):
        oldest = time.time() - VISIT_SECONDS
        for visit_id in [key for key, visit in self._visits.items() if visit.started < oldest]:
            del self._visits[visit_id]
        visit = _Visit(secrets.token_urlsafe(32), entry)
        self._visits[visit.id] = visit
        return visit

    def _page(self, visit, render, *args, status=200, **kwargs):
        visit.csrf = secrets.token_urlsafe(32)
        html = render(visit.csrf, *args, action=visit.entry.path, **kwargs)
        response = web.Response(text=html, status=status, content_type="text/html", headers=visit.entry.headers)
        response.set_cookie(visit.entry.cookie, visit.id, path=visit.entry.path, httponly=True, secure=True,
                            samesite="Strict")
        return response

    def _finish(self, visit, html=None, redirect=None):
        """The visit's last answer: a page, or the browser sent back to the app."""
        del self._visits[visit.id]
        if redirect:
            response = web.Response(status=302, headers=dict(visit.entry.headers, Location=redirect))
        else:
            response = web.Response(text=html, content_type="text/html", headers=visit.entry.headers)
        response.del_cookie(visit.entry.cookie, path=visit.entry.path)
        return response

    def _restart(self, visit, error, status=200):
        """Back to the first step: the code (device code flow); an authorization request cannot be
        entered by hand, so its visit ends with the error."""
        if visit.entry is AUTHORIZE:
            return self._finish(visit, pages.error_page(error))
        visit.step, visit.key, visit.username = "code", None, None
        return self._page(visit, pages.code_page, error=error, status=status)

    async def _start_device_login(self, request):
        return self._page(self._new_visit(DEVICE_CODE), pages.code_page)

    async def _authorize(self, request):
        try:
            started = self._provider.start_authorization(request.match_info["tenant"], request.query)
        except EntraError as error:
            # Nobody is sent to an address that is not known to be the app's.
            return web.Response(text=pages.error_page(str(error)), status=400, content_type="text/html",
                                headers=HEADERS)
        if "redirect" in started:
            return web.Response(status=302, headers=dict(HEADERS, Location=started["redirect"]))
        visit = self._new_visit(AUTHORIZE)
        self._signing_in(visit, started["request"], started)
        return self._page(visit, pages.sign_in_page, visit.client_name)

    async def _submit(self, request):
        form = await request.post()
        entry = DEVICE_CODE if request.path == DEVICE_CODE.path else AUTHORIZE
        visit = self._visits.get(request.cookies.get(entry.cookie, ""))
        presented = form.get("csrf", "").encode()
        if visit is None or visit.entry is not entry or not hmac.compare_digest(presented, visit.csrf.encode()):
            if entry is AUTHORIZE:
                return web.Response(text=pages.error_page("This page expired. Go back to the app and sign in again."),
                                    status=400, content_type="text/html", headers=HEADERS)
            return self._restart(self._new_visit(DEVICE_CODE), "This page expired. Enter the code again.", status=400)
        if visit.step == "code":
            return self._enter_code(visit, form)
        try:
            self._provider.describe(visit.key)  # still pending? It may have expired or been used.
        except (LookupError, ValueError):
            return self._restart(visit, CODE_REJECTED)
        if visit.step == "sign_in":
            return self._sign_in(visit, form)
        return self._consent(visit, form)

    @staticmethod
    def _signing_in(visit, key, described):
        visit.step, visit.key = "sign_in", key
        visit.client_name, visit.scopes = described["client_name"], described["scopes"]

    def _enter_code(self, visit, form):
        try:
            described = self._provider.describe(form.get("user_code", ""))
        except (LookupError, ValueError):
            return self._page(visit, pages.code_page, error=CODE_REJECTED)
        self._signing_in(visit, described["user_code"], described)
        return self._page(visit, pages.sign_in_page, visit.client_name)

    def _sign_in(self, visit, form):
        username = form.get("username", "")
        try:
            result = self._provider.sign_in(visit.key, username, form.get("password", ""))
        except SignInBlocked as blocked:
            return self._finish(visit, pages.blocked_page(blocked.details))
        except (LookupError, ValueError) as problem:
            return self._page(visit, pages.sign_in_page, visit.client_name, username=username, error=str(problem))
        visit.username = result["username"]
        if result["needs_consent"]:
            visit.step = "consent"
            return self._page(visit, pages.consent_page, visit.client_name, visit.username, visit.scopes)
        return self._approve(visit, consented=False)

    def _consent(self, visit, form):
        decision = form.get("decision")
        if decision == "accept":
            return self._approve(visit, consented=True)
        if decision == "decline":
            declined = self._provider.decline(visit.key, visit.username)
            return self._finish(visit, pages.declined_page(visit.client_name), declined.get("redirect"))
        return self._page(visit, pages.consent_page, visit.client_name, visit.username, visit.scopes)

    def _approve(self, visit, consented):
        try:
            approved = self._provider.finish_sign_in(visit.key, visit.username, consented)
        except SignInBlocked as blocked:   # the tenant's policy changed while the person read the consent page
            return self._finish(visit, pages.blocked_page(blocked.details))
        except (LookupError, ValueError) as problem:  # e.g. the account was disabled meanwhile
            return self._restart(visit, str(problem))
        return self._finish(visit, pages.signed_in_page(visit.client_name), approved.get("redirect"))
