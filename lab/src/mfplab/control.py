"""The lab's control API: JSON over HTTP on a loopback address, for tests, demos and the CLI.

It does what a person, a provider administrator or a flaky network would do to the fleet, and
reads each device's ground truth (settings, token, counters; never a secret).

Only the lab's own clients may use it: every request carries the secret the lab wrote to its
state directory (`Authorization: Bearer <secret>`, else 401), and every POST is JSON (else 415).
A web page open in the operator's browser can send a cross-site "simple request" (a form post,
text/plain, no custom header) to loopback; it can neither read the secret nor send JSON without
a CORS preflight, which this API never answers.
"""

import hmac

from aiohttp import web

ACCOUNT_ACTIONS = {
    "revoke": lambda idp, username: idp.revoke(username),
    "expire": lambda idp, username: idp.expire(username),
    "disable": lambda idp, username: idp.set_account_enabled(username, False),
    "enable": lambda idp, username: idp.set_account_enabled(username, True),
}


def _only_the_labs_clients(secret):
    expected = f"Bearer {secret}".encode("ascii")

    @web.middleware
    async def guard(request, handler):
        given = request.headers.get("Authorization", "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            return web.json_response(
                {"error": "send the lab's secret (control.secret in its state directory) as 'Authorization: Bearer <secret>'"},
                status=401, headers={"WWW-Authenticate": 'Bearer realm="mfplab"'},
            )
        if request.method not in ("GET", "HEAD") and request.content_type != "application/json":
            return web.json_response({"error": "the request must be JSON: Content-Type: application/json"}, status=415)
        return await handler(request)

    return guard


@web.middleware
async def _errors_as_json(request, handler):
    try:
        return await handler(request)
    except LookupError as error:
        return web.json_response({"error": str(error.args[0] if error.args else error)}, status=404)
    except ValueError as error:
        return web.json_response({"error": str(error)}, status=400)


async def _body(request):
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise ValueError("the request body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ValueError("the request body must be a JSON object")
    return body


def _required(body, key):
    if not body.get(key):
        raise ValueError(f"{key} is required")
    return body[key]


def control_app(lab, secret):
    routes = web.RouteTableDef()

    @routes.get("/health")
    async def health(request):
        return web.json_response({"devices": len(lab.hosts), "up": sum(h.listening for h in lab.hosts.values())})

    @routes.get("/devices")
    async def devices(request):
        return web.json_response({"devices": [host.ground_truth() for host in lab.hosts.values()]})

    @routes.get("/devices/{name}")
    async def device(request):
        return web.json_response(lab.host(request.match_info["name"]).ground_truth())

    @routes.post("/devices/{name}/faults")
    async def faults(request):
        host = lab.host(request.match_info["name"])
        return web.json_response({"faults": await host.apply_faults(await _body(request))})

    @routes.post("/devices/{name}/reboot")
    async def reboot(request):
        host = lab.host(request.match_info["name"])
        seconds = float((await _body(request)).get("seconds", 5))
        if not 0 <= seconds <= 600:
            raise ValueError("seconds must be between 0 and 600")
        await host.reboot(seconds)
        return web.json_response({"rebooting": host.name, "seconds": seconds})

    @routes.post("/devices/{name}/expire-sessions")
    async def expire_sessions(request):
        host = lab.host(request.match_info["name"])
        host.device.expire_sessions()
        return web.json_response({"expired": host.name})

    @routes.post("/devices/{name}/send-mail")
    async def send_mail(request):
        host = lab.host(request.match_info["name"])
        to = (await _body(request)).get("to")
        if to is not None and not isinstance(to, str):
            raise ValueError("to must be an e-mail address")
        return web.json_response(await host.device.send_mail(to))

    @routes.post("/devices/{name}/check-mail")
    async def check_mail(request):
        return web.json_response(await lab.host(request.match_info["name"]).device.check_mail())

    @routes.get("/mail")
    async def mail(request):
        return web.json_response(lab.mail.ground_truth())

    @routes.get("/mail/{mailbox}")
    async def mailbox(request):
        mailbox = request.match_info["mailbox"]
        return web.json_response({"mailbox": mailbox, "messages": lab.mail.mailboxes.messages(mailbox)})

    @routes.post("/mail/tenants/{tenant}/basic-auth")
    async def basic_auth(request):
        enabled = (await _body(request)).get("enabled")
        return web.json_response(lab.mail.authority.set_basic_auth(request.match_info["tenant"], enabled))

    @routes.get("/idp")
    async def idp(request):
        return web.json_response({**lab.idp.ground_truth(), **lab.provider.ground_truth()})

    @routes.post("/idp/faults")
    async def idp_faults(request):
        return web.json_response({"faults": await lab.provider.apply_faults(await _body(request))})

    @routes.get("/idp/pending")
    async def pending(request):
        return web.json_response({"pending": lab.idp.pending()})

    @routes.post("/idp/approve")
    async def approve(request):
        body = await _body(request)
        return web.json_response(lab.idp.approve(
            _required(body, "user_code"), _required(body, "username"), body.get("password")
        ))

    @routes.post("/idp/decline")
    async def decline(request):
        body = await _body(request)
        return web.json_response(lab.idp.decline(_required(body, "user_code"), body.get("username")))

    @routes.post("/idp/accounts/{username}/{action}")
    async def account(request):
        username, action = request.match_info["username"], request.match_info["action"]
        if action not in ACCOUNT_ACTIONS:
            raise LookupError(f"no account action {action!r}; known: {sorted(ACCOUNT_ACTIONS)}")
        # As with Entra, the devices holding a token for the account find out when they next use it
        # (send mail: POST /devices/{name}/send-mail), not now.
        return web.json_response(ACCOUNT_ACTIONS[action](lab.idp, username))

    @routes.post("/idp/tenants/{tenant}/consent")
    async def consent(request):
        granted = bool((await _body(request)).get("granted", True))
        return web.json_response(lab.idp.set_admin_consent(request.match_info["tenant"], granted))

    @routes.post("/idp/tenants/{tenant}/conditional-access")
    async def conditional_access(request):
        return web.json_response(lab.idp.set_conditional_access(request.match_info["tenant"], await _body(request)))

    @routes.get("/inventory")
    async def inventory(request):
        return web.Response(text=lab.inventory_path.read_text(encoding="utf-8"), content_type="text/yaml")

    @routes.post("/shutdown")
    async def shutdown(request):
        lab.stopped.set()
        return web.json_response({"stopping": True})

    app = web.Application(middlewares=[_only_the_labs_clients(secret), _errors_as_json])
    app.add_routes(routes)
    return app
