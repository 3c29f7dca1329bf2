"""The OpenID Connect discovery document, in the shape and with the constants Entra's v2.0 one has."""

from .scopes import OIDC_SCOPES

# What Entra's v2.0 discovery documents publish besides the endpoints (seen in recorded responses).
ENTRA_DISCOVERY_CONSTANTS = {
    "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    "response_modes_supported": ["query", "fragment", "form_post"],
    "subject_types_supported": ["pairwise"],
    "id_token_signing_alg_values_supported": ["RS256"],
    "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
    "scopes_supported": list(OIDC_SCOPES),
    "request_uri_parameter_supported": False,
    # The lab serves no Graph; like Entra's, its document names Graph's userinfo endpoint.
    "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
    "http_logout_supported": True,
    "frontchannel_logout_supported": True,
    "claims_supported": [
        "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host",
        "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash",
        "c_hash", "email",
    ],
    "cloud_instance_name": "microsoftonline.com",
    "cloud_graph_host_name": "graph.windows.net",
    "msgraph_host": "graph.microsoft.com",
    "rbac_url": "https://pas.windows.net",
}
TENANT_REGION_SCOPE = "WW"   # worldwide; Entra names the tenant's region here (EU, NA, ...)


def openid_configuration(root, issuer, one_tenant):
    """The document for the endpoints under `root` (the provider's URL and the tenant path segment)."""
    return dict(
        ENTRA_DISCOVERY_CONSTANTS,
        token_endpoint=f"{root}/oauth2/v2.0/token",
        jwks_uri=f"{root}/discovery/v2.0/keys",
        issuer=issuer,
        authorization_endpoint=f"{root}/oauth2/v2.0/authorize",
        device_authorization_endpoint=f"{root}/oauth2/v2.0/devicecode",
        end_session_endpoint=f"{root}/oauth2/v2.0/logout",
        kerberos_endpoint=f"{root}/kerberos",
        tenant_region_scope=TENANT_REGION_SCOPE if one_tenant else None,
    )
