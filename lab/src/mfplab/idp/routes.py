"""The provider's HTTP surface in Entra v2 shapes; the logic stays in the provider."""

from aiohttp import web

from .devicelogin import AUTHORIZE_HEADERS, Entry, SignInPages
from .errors import EntraError

# The Google-shaped provider's sign-in pages post here; it has no device code entry.
GOOGLE_SIGN_IN = Entry("/google/signin", "mfplab_google_signin", AUTHORIZE_HEADERS)

# RFC 6749 §5.1: token responses must not be cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _answer(request, produce, *args):
    """Run one provider call and turn its result or EntraError into Entra's JSON answer."""
    correlation_id = request.headers.get("client-request-id")
    try:
        return web.json_response(produce(*args), headers=NO_STORE)
    except EntraError as error:
        return web.json_response(error.body(correlation_id), status=400, headers=NO_STORE)


def _google_answer(google, produce, *args):
    """Google's JSON answer, or its error shape ({"error", "error_description"}) and status."""
    try:
        return web.json_response(produce(*args), headers=NO_STORE)
    except google.request_error as error:
        return web.json_response(error.body(), status=error.status, headers=NO_STORE)


def add_google_routes(app, google):
    async def openid_configuration(_request):
        return _google_answer(google, google.discovery)

    async def token(request):
        return _google_answer(google, google.redeem, await request.post())

    app.add_routes([
        web.get("/google/.well-known/openid-configuration", openid_configuration),
        web.post("/google/token", token),
    ])
    SignInPages(google, "/google/o/oauth2/v2/auth", GOOGLE_SIGN_IN, device_code=None).add_routes(app)


def build_app(provider, middlewares=(), google=None):
    async def openid_configuration(request):
        return _answer(request, provider.discovery, request.match_info["tenant"])

    async def keys(request):
        return _answer(request, provider.jwks, request.match_info["tenant"])

    async def device_code(request):
        form = await request.post()
        return _answer(request, provider.start_device_flow, request.match_info["tenant"], form)

    async def token(request):
        form = await request.post()
        return _answer(request, provider.redeem, request.match_info["tenant"], form)

    app = web.Application(middlewares=middlewares)
    app.add_routes([
        web.get("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration),
        web.get("/{tenant}/discovery/v2.0/keys", keys),
        web.post("/{tenant}/oauth2/v2.0/devicecode", device_code),
        web.post("/{tenant}/oauth2/v2.0/token", token),
    ])
    SignInPages(provider).add_routes(app)
    if google is not None:
        add_google_routes(app, google)
    return app
