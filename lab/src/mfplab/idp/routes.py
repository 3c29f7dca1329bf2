"""The provider's HTTP surface in Entra v2 shapes; the logic stays in the provider."""

from aiohttp import web

from .devicelogin import SignInPages
from .errors import EntraError

# RFC 6749 §5.1: token responses must not be cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _answer(request, produce, *args):
    """Run one provider call and turn its result or EntraError into Entra's JSON answer."""
    correlation_id = request.headers.get("client-request-id")
    try:
        return web.json_response(produce(*args), headers=NO_STORE)
    except EntraError as error:
        return web.json_response(error.body(correlation_id), status=400, headers=NO_STORE)


def build_app(provider, middlewares=()):
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
    return app
