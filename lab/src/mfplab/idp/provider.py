"""The identity provider: device codes, sign-in and consent, token minting, and the control
operations the lab uses to stage what happens to a tenant (revocation, disabled users, consent).

All state that must survive a lab restart lives in one JSON document saved on every change.
Refresh tokens rotate like Entra's: each refresh returns a new token and the presented one stays
valid until it is revoked or falls inactive. The store keeps only SHA-256 digests of tokens.
Device codes are consumed by the poll that receives the tokens.
A browser sign-in (/authorize) is kept in memory while the person signs in; the authorization code it
ends with is stored (as a digest) until it expires, and works once, with the PKCE verifier of its request.
Both kinds of sign-in go through the same steps (sign_in, finish_sign_in, decline), named by a user
code or by the id of an authorization request.
Consent is kept per user and app as the scopes consented to; admin consent for a tenant grants the
app's registered permissions. A refresh may ask for any consented scope, not only the grant's.
"""

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import urlencode

from . import errors, scopes as scope_rules
from .directory import MULTI_TENANT_SEGMENTS, Directory, conditional_access
from .discovery import openid_configuration
from .routes import build_app
from .tokens import SigningKey, client_info, digest, new_secret, pairwise_subject

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
AUTHORIZATION_CODE_GRANT = "authorization_code"
# How long a person may take on the sign-in pages of one /authorize request.
AUTHORIZATION_REQUEST_SECONDS = 3600
# Letters and digits a person cannot misread (no 0/O, 1/I/L).
USER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
USER_CODE_LENGTH = 8
# Expired device codes are kept a while so a late poll hears expired_token, not bad_verification_code.
EXPIRED_CODE_RETENTION_SECONDS = 3600
OIDC_SCOPES_FOR_SEEDED_TOKENS = ["openid", "profile", "offline_access"]


def _iso8601(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _normalize_user_code(user_code):
    return "".join(str(user_code).split()).replace("-", "").upper()


def _with_query(uri, parameters):
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode(parameters)}"


# RFC 7636: how a code_verifier becomes the code_challenge of its authorization request.
PKCE_METHODS = {
    "plain": lambda verifier: verifier,
    "S256": lambda verifier: base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("utf-8")).digest())
    .rstrip(b"=").decode("ascii"),
}


def _verifier_matches(record, verifier):
    """Whether the token request's code_verifier answers the authorization request's code_challenge."""
    if not record["code_challenge"]:
        return True
    if not verifier:
        return False
    return hmac.compare_digest(PKCE_METHODS[record["code_challenge_method"]](verifier), record["code_challenge"])


class IdentityProvider:
    """A Microsoft-compatible IdP on one base URL; every method runs on the lab's event-loop thread."""

    def __init__(self, config, store, base_url):
        self.directory = Directory(config)
        self.settings = self.directory.settings
        self.base_url = base_url.rstrip("/")
        self._store = store
        self._state = store.load(None) or {}
        for section in ("refresh_tokens", "device_codes", "authorization_codes", "account_enabled", "admin_consent",
                        "consented_scopes", "conditional_access"):
            self._state.setdefault(section, {})
        if "signing_key" not in self._state:
            self._state["signing_key"] = SigningKey.generate().to_pem()
        self._authorizations = {}   # request id -> an /authorize request a person is signing in for
        self.signing_key = SigningKey.from_pem(self._state["signing_key"], self._state.get("signing_certificate"))
        if "signing_certificate" not in self._state:
            self._state["signing_certificate"] = self.signing_key.certificate_pem()
            self._save()

    def app(self, middlewares=()):
        return build_app(self, middlewares)

    def _save(self):
        self._store.save(self._state)

    # --- what the configuration says, overridden by what the control API changed ---

    def _enabled(self, account):
        return self._state["account_enabled"].get(account.username, account.enabled)

    def _admin_consent(self, tenant):
        return self._state["admin_consent"].get(tenant.id, tenant.admin_consent)

    def _user_consents(self, account):
        return self._state["consented_scopes"].get(account.username, {})

    def _needs_consent(self, account, client, requested):
        """Whether these scopes need the person's consent: the app has none, or not for every scope."""
        own = self._user_consents(account).get(client.client_id)
        admin = self._admin_consent(account.tenant)
        if own is None and not admin:
            return True
        consented = [*(own or []), *(client.permissions if admin else [])]
        return bool(scope_rules.not_covered(requested, consented))

    def _record_consent(self, account, client_id, scopes):
        consented = self._state["consented_scopes"].setdefault(account.username, {}).setdefault(client_id, [])
        consented.extend(scope for scope in scope_rules.resource_scopes(scopes) if scope not in consented)

    def _conditional_access(self, tenant):
        return dict(tenant.conditional_access, **self._state["conditional_access"].get(tenant.id, {}))

    def _inactive(self, record, now):
        """Marked inactive by the control API, or unused for longer than the inactivity limit."""
        return record["inactive"] or now - record["last_used_at"] > self.settings["refresh_token_inactivity_seconds"]

    # --- HTTP endpoints' logic (raise errors.EntraError) ---

    def resolve_tenant(self, segment):
        """The tenant a URL path segment names, or None for organizations/common."""
        if segment.lower() in MULTI_TENANT_SEGMENTS:
            return None
        try:
            return self.directory.tenant_in_path(segment)
        except LookupError:
            raise errors.tenant_not_found(segment) from None

    def _issuer(self, tenant_id):
        return f"{self.base_url}/{tenant_id}/v2.0"

    def discovery(self, segment):
        tenant = self.resolve_tenant(segment)
        # Entra's multi-tenant documents carry a literal placeholder as issuer; tokens name the real tenant.
        return openid_configuration(
            f"{self.base_url}/{tenant.id if tenant else segment.lower()}",
            self._issuer(tenant.id if tenant else "{tenantid}"),
            one_tenant=tenant is not None,
        )

    def jwks(self, segment):
        self.resolve_tenant(segment)
        return self.signing_key.jwks()

    def _client(self, form, segment):
        client_id = form.get("client_id")
        if not client_id:
            raise errors.missing_parameter("client_id")
        try:
            return self.directory.client(client_id)
        except LookupError:
            raise errors.unknown_client(client_id, segment) from None

    @staticmethod
    def _requested_scopes(form):
        requested = scope_rules.parse(form.get("scope", ""))
        try:
            scope_rules.audience_and_permissions(requested)
        except ValueError:
            raise errors.several_resources(requested) from None
        return requested

    def start_device_flow(self, segment, form):
        tenant = self.resolve_tenant(segment)
        client = self._client(form, segment)
        if not form.get("scope"):
            raise errors.missing_parameter("scope")
        requested = self._requested_scopes(form)
        now = time.time()
        self._forget_old_device_codes(now)
        device_code = new_secret()
        user_code = self._new_user_code()
        self._state["device_codes"][digest(device_code)] = {
            "user_code": user_code,
            "client_id": client.client_id,
            "scopes": requested,
            "tenant_id": tenant.id if tenant else None,
            "issued_at": now,
            "expires_at": now + self.settings["device_code_lifetime_seconds"],
            "status": "pending",
            "username": None,
        }
        self._save()
        verification_uri = f"{self.base_url}/devicelogin"
        return {
            "user_code": user_code,
            "device_code": device_code,
            "verification_uri": verification_uri,
            "expires_in": self.settings["device_code_lifetime_seconds"],
            "interval": self.settings["poll_interval_seconds"],
            "message": (
                f"To sign in, use a web browser to open the page {verification_uri} "
                f"and enter the code {user_code} to authenticate."
            ),
        }

    def _new_user_code(self):
        taken = {record["user_code"] for record in self._state["device_codes"].values()}
        while True:
            code = "".join(secrets.choice(USER_CODE_ALPHABET) for _position in range(USER_CODE_LENGTH))
            if code not in taken:
                return code

    def _forget_old_device_codes(self, now):
        codes = self._state["device_codes"]
        for key in [key for key, record in codes.items()
                    if record["expires_at"] + EXPIRED_CODE_RETENTION_SECONDS < now]:
            del codes[key]

    def redeem(self, segment, form):
        """The token endpoint: a token response dict, or errors.EntraError."""
        tenant = self.resolve_tenant(segment)
        grant_type = form.get("grant_type")
        if not grant_type:
            raise errors.missing_parameter("grant_type")
        client = self._client(form, segment)
        want_client_info = form.get("client_info") == "1"
        if grant_type == DEVICE_CODE_GRANT:
            return self._redeem_device_code(client, form, want_client_info)
        if grant_type == "refresh_token":
            return self._redeem_refresh_token(tenant, client, form, want_client_info)
        if grant_type == AUTHORIZATION_CODE_GRANT:
            return self._redeem_authorization_code(client, form, want_client_info)
        raise errors.unsupported_grant_type(grant_type)

    def _redeem_device_code(self, client, form, want_client_info):
        device_code = form.get("device_code")
        if not device_code:
            raise errors.missing_parameter("device_code")
        key = digest(device_code)
        record = self._state["device_codes"].get(key)
        if record is None or record["client_id"] != client.client_id:
            raise errors.bad_verification_code()
        if record["expires_at"] <= time.time():
            raise errors.device_code_expired()
        if record["status"] == "declined":
            raise errors.authorization_declined()
        if record["status"] == "blocked":
            raise errors.blocked_by_conditional_access()
        if record["status"] == "pending":
            raise errors.authorization_pending()
        del self._state["device_codes"][key]
        account = self._account_of(record)
        if not self._enabled(account):
            self._save()
            raise errors.account_disabled()
        return self._mint(account, client, record["scopes"], record["scopes"], want_client_info)

    def _redeem_authorization_code(self, client, form, want_client_info):
        code = form.get("code")
        if not code:
            raise errors.missing_parameter("code")
        now = time.time()
        self._forget_old_authorization_codes(now)
        record = self._state["authorization_codes"].get(digest(code))
        if record is None or record["client_id"] != client.client_id:
            raise errors.malformed_grant()
        if record["redeemed"]:
            raise errors.authorization_code_redeemed()
        if record["expires_at"] <= now:
            raise errors.authorization_code_expired()
        if form.get("redirect_uri") != record["redirect_uri"]:
            raise errors.reply_address_mismatch(form.get("redirect_uri", ""), record["redirect_uri"])
        if not _verifier_matches(record, form.get("code_verifier")):
            raise errors.pkce_mismatch()
        record["redeemed"] = True
        account = self._account_of(record)
        if not self._enabled(account):
            self._save()
            raise errors.account_disabled()
        return self._mint(account, client, record["scopes"], record["scopes"], want_client_info, record["nonce"])

    def _forget_old_authorization_codes(self, now):
        codes = self._state["authorization_codes"]
        for key in [key for key, record in codes.items() if record["expires_at"] + EXPIRED_CODE_RETENTION_SECONDS < now]:
            del codes[key]

    def _redeem_refresh_token(self, tenant, client, form, want_client_info):
        token = form.get("refresh_token")
        if not token:
            raise errors.missing_parameter("refresh_token")
        record = self._state["refresh_tokens"].get(digest(token))
        if record is None or record["client_id"] != client.client_id:
            raise errors.malformed_grant()
        account = self._account_of(record)
        if tenant and account.tenant != tenant:
            raise errors.user_from_other_tenant(account.username, tenant.name)
        if not self._enabled(account):
            raise errors.account_disabled()
        if record["revoked_at"]:
            raise errors.grant_revoked(record["issued_at"], record["revoked_at"])
        now = time.time()
        if self._inactive(record, now):
            raise errors.token_inactive(record["issued_at"], self.settings["refresh_token_inactivity_seconds"])
        requested = self._requested_scopes(form) or record["scopes"]
        if self._needs_consent(account, client, requested):
            raise errors.consent_required(client.client_id, client.name)
        record["last_used_at"] = now
        return self._mint(account, client, requested, record["scopes"], want_client_info)

    def _account_of(self, record):
        try:
            return self.directory.account(record["username"])
        except LookupError:  # removed from the fleet file since the grant was made
            self._save()
            raise errors.malformed_grant() from None

    def _mint(self, account, client, requested, grant_scopes, want_client_info, nonce=None):
        """A token response; a refresh token (carrying grant_scopes) only if offline_access was granted;
        the ID token carries the `nonce` of the authorization request."""
        now = int(time.time())
        lifetime = self.settings["token_lifetime_seconds"]
        audience, permissions = scope_rules.audience_and_permissions(requested)
        oid = account.object_id
        identity = {
            "iss": self._issuer(account.tenant.id),
            "iat": now, "nbf": now, "exp": now + lifetime,
            "tid": account.tenant.id, "oid": oid, "sub": pairwise_subject(account.tenant.id, oid, client.client_id),
            "preferred_username": account.username, "name": account.display_name, "ver": "2.0",
        }
        access_claims = dict(
            identity, aud=audience, scp=" ".join(permissions), upn=account.username,
            azp=client.client_id, appid=client.client_id, uti=uuid.uuid4().hex,
        )
        response = {
            "token_type": "Bearer",
            "scope": " ".join(scope for scope in requested if scope != "offline_access"),
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": self.signing_key.sign(access_claims),
        }
        if "offline_access" in grant_scopes:
            refresh_token = new_secret()
            self._state["refresh_tokens"][digest(refresh_token)] = {
                "username": account.username,
                "client_id": client.client_id,
                "scopes": grant_scopes,
                "issued_at": time.time(),   # to the sub-second, as error texts quote it
                "last_used_at": now,
                "revoked_at": None,
                "inactive": False,
            }
            response["refresh_token"] = refresh_token
        if "openid" in requested:
            claims = dict(identity, aud=client.client_id, **({"nonce": nonce} if nonce else {}))
            response["id_token"] = self.signing_key.sign(claims)
        if want_client_info:
            response["client_info"] = client_info(oid, account.tenant.id)
        self._save()
        return response

    # --- browser sign-in: the authorization request ---

    def start_authorization(self, segment, query):
        """An /authorize request: {"request": id, ...} for the person to sign in for, or {"redirect": url}
        with the error the app hears. errors.EntraError when the app or its redirect URI cannot be trusted:
        the provider's page shows it, and nobody is sent anywhere."""
        tenant = self.resolve_tenant(segment)
        client = self._client(query, segment)
        redirect_uri = query.get("redirect_uri")
        if not redirect_uri:
            raise errors.missing_parameter("redirect_uri")
        if redirect_uri not in client.redirect_uris:
            raise errors.redirect_uri_not_registered(redirect_uri, client.client_id)
        state = query.get("state")
        try:
            if query.get("response_type") != "code":
                raise errors.unsupported_response_type(query.get("response_type", ""))
            if not query.get("scope"):
                raise errors.missing_parameter("scope")
            requested = self._requested_scopes(query)
            method = query.get("code_challenge_method", "plain")
            if query.get("code_challenge") and method not in PKCE_METHODS:
                raise errors.missing_parameter("code_challenge_method")
        except errors.EntraError as error:
            return {"redirect": _with_query(redirect_uri, error.redirect_parameters(state))}
        now = time.time()
        for key in [key for key, record in self._authorizations.items() if record["expires_at"] <= now]:
            del self._authorizations[key]
        request_id = secrets.token_urlsafe(32)
        self._authorizations[request_id] = {
            "client_id": client.client_id, "scopes": requested, "tenant_id": tenant.id if tenant else None,
            "redirect_uri": redirect_uri, "state": state, "nonce": query.get("nonce"),
            "code_challenge": query.get("code_challenge"), "code_challenge_method": method,
            "expires_at": now + AUTHORIZATION_REQUEST_SECONDS, "status": "pending", "username": None,
        }
        return dict(self.describe(request_id), request=request_id)

    def _authorization_code(self, request_id, record, account):
        """The code the person's browser takes back to the app: the redirect URL."""
        del self._authorizations[request_id]
        code = new_secret()
        now = time.time()
        self._state["authorization_codes"][digest(code)] = {
            key: record[key] for key in ("client_id", "scopes", "redirect_uri", "nonce", "code_challenge",
                                         "code_challenge_method")}
        self._state["authorization_codes"][digest(code)].update(
            username=account.username, issued_at=now, redeemed=False,
            expires_at=now + self.settings["authorization_code_lifetime_seconds"])
        self._save()
        parameters = {"code": code, **({"state": record["state"]} if record["state"] else {}),
                      "session_state": str(uuid.uuid4())}
        return _with_query(record["redirect_uri"], parameters)

    # --- the sign-in steps the browser pages and approve() share, for a user code or an authorization request ---

    def _pending(self, key):
        """The sign-in `key` names: an authorization request's id, else a user code. LookupError if unknown,
        ValueError if it can no longer be signed in for."""
        record = self._authorizations.get(key)
        if record is None:
            return self._live_code(key)
        if record["expires_at"] <= time.time():
            raise ValueError("this sign-in request has expired")
        return record

    def _live_code(self, user_code):
        wanted = _normalize_user_code(user_code)
        for record in self._state["device_codes"].values():
            if record["user_code"] == wanted:
                if record["expires_at"] <= time.time():
                    raise ValueError(f"code {wanted} has expired")
                if record["status"] != "pending":
                    raise ValueError(f"code {wanted} was already {record['status']}")
                return record
        raise LookupError(f"unknown code {wanted}")

    def describe(self, key):
        """Which app a pending sign-in is for; LookupError if unknown, ValueError if no longer pending."""
        record = self._pending(key)
        client = self.directory.client(record["client_id"])
        return {"user_code": record.get("user_code"), "client_id": client.client_id, "client_name": client.name,
                "scopes": list(record["scopes"])}

    def sign_in(self, key, username, password=None):
        """Check a person may sign in (password only if given); reports whether they must consent.

        errors.SignInBlocked if the person's tenant blocks device code sign-in and `key` is a user code:
        the code is then spent, and the device's next poll hears AADSTS53003. A browser sign-in is no
        device code flow: that policy does not refuse it.
        """
        record = self._pending(key)
        try:
            account = self.directory.account(username)
        except LookupError:
            raise LookupError(f"AADSTS50034: The user account {username} does not exist in the directory.") from None
        if password is not None and not hmac.compare_digest(password.encode(), account.password.encode()):
            raise ValueError("AADSTS50126: Error validating credentials due to invalid username or password.")
        if not self._enabled(account):
            raise ValueError("AADSTS50057: The user account is disabled.")
        if record["tenant_id"] not in (None, account.tenant.id):
            raise ValueError(f"AADSTS50020: User account {account.username} does not exist in this tenant.")
        client = self.directory.client(record["client_id"])
        if "user_code" in record and self._conditional_access(account.tenant)["block_device_code_flow"]:
            record["status"] = "blocked"
            record["username"] = account.username
            self._save()
            raise errors.SignInBlocked(errors.blocked_by_conditional_access(), account.username, {
                "Error Code": "53003",
                "Request Id": str(uuid.uuid4()),
                "Correlation Id": str(uuid.uuid4()),
                "Timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "App name": client.name,
                "App id": client.client_id,
            })
        return {
            "username": account.username,
            "display_name": account.display_name,
            "needs_consent": self._needs_consent(account, client, record["scopes"]),
        }

    def finish_sign_in(self, key, username, consented):
        """Approve the sign-in for this (already signed-in) person, recording their consent if they gave it.
        An authorization request answers with the `redirect` that takes the code back to the app."""
        self.sign_in(key, username)  # re-checked: the account or request may have changed meanwhile
        record = self._pending(key)
        account = self.directory.account(username)
        if consented:
            self._record_consent(account, record["client_id"], record["scopes"])
        if "user_code" not in record:
            return {"username": account.username, "client_id": record["client_id"],
                    "redirect": self._authorization_code(key, record, account)}
        record["status"] = "approved"
        record["username"] = account.username
        self._save()
        return {"user_code": record["user_code"], "username": account.username,
                "client_id": record["client_id"], "approved": True}

    # --- control API ---

    def approve(self, user_code, username, password=None):
        """Sign in and consent as the person would; a sign-in a tenant policy blocks answers approved: false."""
        try:
            signed_in = self.sign_in(user_code, username, password)
        except errors.SignInBlocked as blocked:
            return {"user_code": _normalize_user_code(user_code), "username": blocked.username,
                    "client_id": blocked.details["App id"], "approved": False, "error": str(blocked.error)}
        return self.finish_sign_in(user_code, username, consented=signed_in["needs_consent"])

    def decline(self, key, username=None):
        """The person declines (the consent page's Cancel): an authorization request answers with the
        `redirect` that tells the app so."""
        record = self._pending(key)
        if username is not None:
            username = self.directory.account(username).username
        if "user_code" not in record:
            del self._authorizations[key]
            return {"username": username, "declined": True, "redirect": _with_query(
                record["redirect_uri"], errors.consent_declined().redirect_parameters(record["state"]))}
        record["status"] = "declined"
        record["username"] = username
        self._save()
        return {"user_code": record["user_code"], "username": username, "declined": True}

    def pending(self):
        now = time.time()
        return [
            {"user_code": record["user_code"], "client_id": record["client_id"],
             "expires_at": _iso8601(record["expires_at"]), "approved": record["status"] == "approved"}
            for record in self._state["device_codes"].values()
            if record["status"] in ("pending", "approved") and record["expires_at"] > now
        ]

    def _tokens_of(self, username):
        account = self.directory.account(username)
        return account, [record for record in self._state["refresh_tokens"].values()
                         if record["username"] == account.username]

    def revoke(self, username):
        account, records = self._tokens_of(username)
        now = time.time()
        revoked = [record for record in records if not record["revoked_at"]]
        for record in revoked:
            record["revoked_at"] = now
        self._save()
        return {"username": account.username, "revoked_refresh_tokens": len(revoked)}

    def expire(self, username):
        account, records = self._tokens_of(username)
        expired = [record for record in records if not record["inactive"]]
        for record in expired:
            record["inactive"] = True
        self._save()
        return {"username": account.username, "expired_refresh_tokens": len(expired)}

    def set_account_enabled(self, username, enabled):
        if not isinstance(enabled, bool):
            raise ValueError("enabled must be true or false")
        account = self.directory.account(username)
        self._state["account_enabled"][account.username] = enabled
        self._save()
        return {"username": account.username, "enabled": enabled}

    def set_conditional_access(self, tenant, settings):
        """Switch a tenant's Conditional Access settings; those not named stay as they are."""
        tenant = self.directory.tenant(tenant)
        changed = dict(self._state["conditional_access"].get(tenant.id, {}), **settings)
        conditional_access(changed, tenant.name)   # ValueError for unknown names or non-booleans
        self._state["conditional_access"][tenant.id] = changed
        self._save()
        return {"tenant": tenant.name, "tenant_id": tenant.id, "conditional_access": self._conditional_access(tenant)}

    def set_admin_consent(self, tenant, granted):
        if not isinstance(granted, bool):
            raise ValueError("granted must be true or false")
        tenant = self.directory.tenant(tenant)
        self._state["admin_consent"][tenant.id] = granted
        self._save()
        return {"tenant": tenant.name, "tenant_id": tenant.id, "admin_consent": granted}

    def issue_tokens(self, username, client_id, scopes):
        """Tokens as a completed device flow would return them; consent is recorded as approve() would."""
        if isinstance(scopes, str) or not all(isinstance(scope, str) for scope in scopes):
            raise ValueError("scopes must be a list of strings")
        account = self.directory.account(username)
        client = self.directory.client(client_id)
        if not self._enabled(account):
            raise ValueError(f"account {account.username} is disabled")
        requested = list(dict.fromkeys([*scopes, *OIDC_SCOPES_FOR_SEEDED_TOKENS]))
        scope_rules.audience_and_permissions(requested)  # ValueError if they span resources
        if self._needs_consent(account, client, requested):
            self._record_consent(account, client.client_id, requested)
        return self._mint(account, client, requested, requested, want_client_info=True)

    def _live_refresh_tokens(self, username):
        now = time.time()
        return sum(
            1 for record in self._state["refresh_tokens"].values()
            if record["username"] == username and not record["revoked_at"] and not self._inactive(record, now)
        )

    def ground_truth(self):
        return {
            "tenants": [
                {"name": tenant.name, "id": tenant.id, "domain": tenant.domain,
                 "admin_consent": self._admin_consent(tenant),
                 "conditional_access": self._conditional_access(tenant)}
                for tenant in self.directory.tenants
            ],
            "clients": [{"client_id": client.client_id, "name": client.name}
                        for client in self.directory.clients.values()],
            "accounts": [
                {"username": account.username, "tenant": account.tenant.name,
                 "display_name": account.display_name, "enabled": self._enabled(account),
                 "consented_clients": list(self._user_consents(account)),
                 "live_refresh_tokens": self._live_refresh_tokens(account.username)}
                for account in self.directory.accounts.values()
            ],
            "pending": self.pending(),
        }
