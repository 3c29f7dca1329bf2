"""The browser side of the device code flow: enter the code, sign in, consent if needed, done.

Each visit's progress stays server side, keyed by an opaque id in an HttpOnly cookie; every form
carries a fresh anti-forgery value, so a stale or forged post restarts the visit instead of acting.
"""

import hmac
import secrets
import time
from dataclasses import dataclass, field

from aiohttp import web

from . import pages
from .errors import SignInBlocked

COOKIE = "mfplab_devicelogin"
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
CODE_REJECTED = "That code didn't work. Check the code and try again."


@dataclass
class _Visit:
    id: str
    started: float = field(default_factory=time.time)
    step: str = "code"
    csrf: str = ""
    user_code: str | None = None
    client_name: str = ""
    scopes: list = field(default_factory=list)
    username: str | None = None


class DeviceLogin:
    def __init__(self, provider):
        self._provider = provider
        self._visits = {}

    def add_routes(self, app):
        app.add_routes([web.get("/devicelogin", self._start), web.post("/devicelogin", self._submit)])

    def _new_visit(self):
        # A visit cannot outlive the code it is for; drop abandoned ones as new ones arrive.
        oldest = time.time() - self._provider.settings["device_code_lifetime_seconds"]
        for visit_id in [key for key, visit in self._visits.items() if visit.started < oldest]:
            del self._visits[visit_id]
        visit = _Visit(secrets.token_urlsafe(32))
        self._visits[visit.id] = visit
        return visit

    def _page(self, visit, render, *args, status=200, **kwargs):
        visit.csrf = secrets.token_urlsafe(32)
        response = web.Response(
            text=render(visit.csrf, *args, **kwargs), status=status, content_type="text/html", headers=HEADERS
        )
        response.set_cookie(COOKIE, visit.id, path="/devicelogin", httponly=True, secure=True, samesite="Strict")
        return response

    def _finish(self, visit, html):
        del self._visits[visit.id]
        response = web.Response(text=html, content_type="text/html", headers=HEADERS)
        response.del_cookie(COOKIE, path="/devicelogin")
        return response

    def _restart(self, visit, error, status=200):
        visit.step, visit.user_code, visit.username = "code", None, None
        return self._page(visit, pages.code_page, error=error, status=status)

    async def _start(self, request):
        return self._page(self._new_visit(), pages.code_page)

    async def _submit(self, request):
        form = await request.post()
        visit = self._visits.get(request.cookies.get(COOKIE, ""))
        presented = form.get("csrf", "").encode()
        if visit is None or not hmac.compare_digest(presented, visit.csrf.encode()):
            return self._restart(self._new_visit(), "This page expired. Enter the code again.", status=400)
        if visit.step == "code":
            return self._enter_code(visit, form)
        try:
            self._provider.describe_code(visit.user_code)  # still pending? It may have expired or been used.
        except (LookupError, ValueError):
            return self._restart(visit, CODE_REJECTED)
        if visit.step == "sign_in":
            return self._sign_in(visit, form)
        return self._consent(visit, form)

    def _enter_code(self, visit, form):
        try:
            code = self._provider.describe_code(form.get("user_code", ""))
        except (LookupError, ValueError):
            return self._page(visit, pages.code_page, error=CODE_REJECTED)
        visit.step, visit.user_code = "sign_in", code["user_code"]
        visit.client_name, visit.scopes = code["client_name"], code["scopes"]
        return self._page(visit, pages.sign_in_page, visit.client_name)

    def _sign_in(self, visit, form):
        username = form.get("username", "")
        try:
            result = self._provider.sign_in(visit.user_code, username, form.get("password", ""))
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
            self._provider.decline(visit.user_code, visit.username)
            return self._finish(visit, pages.declined_page(visit.client_name))
        return self._page(visit, pages.consent_page, visit.client_name, visit.username, visit.scopes)

    def _approve(self, visit, consented):
        try:
            self._provider.finish_sign_in(visit.user_code, visit.username, consented)
        except SignInBlocked as blocked:   # the tenant's policy changed while the person read the consent page
            return self._finish(visit, pages.blocked_page(blocked.details))
        except (LookupError, ValueError) as problem:  # e.g. the account was disabled meanwhile
            return self._restart(visit, str(problem))
        return self._finish(visit, pages.signed_in_page(visit.client_name))
