"""OAuth scope strings the Entra way: OIDC scopes ride along, everything else names one resource."""

OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
# Entra's default resource for bare permission names such as "User.Read".
GRAPH = "https://graph.microsoft.com"


def parse(scope_text):
    """Scopes from a space-separated string, duplicates dropped, order kept."""
    return list(dict.fromkeys(scope_text.split()))


def resource_scopes(scopes):
    return [scope for scope in scopes if scope not in OIDC_SCOPES]


def _resource_and_permission(scope):
    resource, _slash, permission = scope.rpartition("/") if "://" in scope else (GRAPH, "", scope)
    return resource, permission


def not_covered(requested, consented):
    """The requested resource scopes missing from `consented` (compared case-insensitively, as Entra does).

    `.default` is not modelled: nothing the lab serves asks for it.
    """
    def key(scope):
        return tuple(part.lower() for part in _resource_and_permission(scope))

    granted = {key(scope) for scope in consented}
    return [scope for scope in resource_scopes(requested) if key(scope) not in granted]


def audience_and_permissions(scopes):
    """(aud, permissions) an access token for these scopes carries; ValueError if they span resources."""
    by_resource = {}
    for scope in resource_scopes(scopes):
        resource, permission = _resource_and_permission(scope)
        by_resource.setdefault(resource, []).append(permission)
    if len(by_resource) > 1:
        raise ValueError(f"scopes {' '.join(scopes)} name more than one resource")
    if not by_resource:
        # Only OIDC scopes: Entra answers with a Graph token carrying them.
        return GRAPH, [scope for scope in scopes if scope != "offline_access"]
    return next(iter(by_resource.items()))
