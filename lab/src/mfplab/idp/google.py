"""A provider shaped like Google's OAuth 2.0 endpoints: browser sign-in only, and the limits that bite fleets.

Served under /google on the identity provider's address (see google_routes). Google's device flow
does not allow Gmail scopes, so a printer signs in by browser (authorization code with PKCE).
Refresh tokens do not rotate (a refresh answers with an access token only) and die, all with
invalid_grant "Token has been expired or revoked.", when:
  - the account holds more than `refresh_token_cap` live tokens for one OAuth client (the oldest goes, silently);
  - the password changes and the token carries Gmail scopes;
  - unused for six months;
  - seven days after issue while the app's publishing status is "testing" (external user type).
The store keeps SHA-256 digests of tokens and codes only. The sign-in pages are the lab's one set
(devicelogin.SignInPages); this class gives them the steps they call.
"""

import hmac
import secrets
import time
from dataclasses import dataclass

from .provider import PKCE_METHODS, _verifier_matches, _with_query
from .tokens import digest, new_secret

GMAIL_SCOPE = "https://mail.google.com/"
BASIC_SCOPES = ("openid", "email", "profile")
REFRESH_TOKEN_CAP = 100                      # per Google Account per OAuth 2.0 client ID (Google's OAuth 2.0 docs)
UNUSED_SECONDS = 183 * 86400                 # "has not been used for six months"
TESTING_SECONDS = 7 * 86400                  # publishing status "Testing", external user type
ACCESS_TOKEN_SECONDS = 3599                  # what Google's token responses say in expires_in
AUTHORIZATION_CODE_SECONDS = 600
AUTHORIZATION_REQUEST_SECONDS = 3600
PUBLISHING_STATUSES = ("production", "testing")
DEFAULTS = {"clients": [], "accounts": [], "publishing_status": "production", "refresh_token_cap": REFRESH_TOKEN_CAP}


class GoogleError(Exception):
    """An OAuth error in Google's shape: {"error", "error_description"} and its HTTP status."""

    def __init__(self, error, description, status=400):
        super().__init__(f"Error {status}: {error}")
        self.error = error
        self.description = description
        self.status = status

    def body(self):
        return {"error": self.error, "error_description": self.description}

    def redirect_parameters(self, state):
        return {"error": self.error, **({"state": state} if state else {})}


DEAD_TOKEN = ("invalid_grant", "Token has been expired or revoked.")


def _missing(name):
    return GoogleError("invalid_request", f"Missing required parameter: {name}")


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    display_name: str
    subject: str     # Google's `sub`: a stable numeric id


def check_config(config):
    """The fleet's `google` section with its defaults; ValueError for what cannot describe it."""
    config = dict(DEFAULTS, **(config or {}))
    if config["publishing_status"] not in PUBLISHING_STATUSES:
        raise ValueError(f"publishing_status: one of {', '.join(PUBLISHING_STATUSES)}")
    if not isinstance(config["refresh_token_cap"], int) or config["refresh_token_cap"] < 1:
        raise ValueError("refresh_token_cap: a positive number")
    for client in config["clients"]:
        if not client.get("client_id") or not client.get("name"):
            raise ValueError("clients: each needs client_id and name")
    for account in config["accounts"]:
        if not account.get("username") or not account.get("password"):
            raise ValueError("accounts: each needs username and password")
    return config


class GoogleProvider:
    request_error = GoogleError   # what start_authorization raises when nobody may be sent back

    def __init__(self, config, store, base_url, signing_key):
        config = check_config(config)
        self.base_url = f"{base_url.rstrip('/')}/google"
        self.publishing_status = config["publishing_status"]
        self.cap = config["refresh_token_cap"]
        self.clients = {client["client_id"]: client for client in config["clients"]}
        self.accounts = {
            account["username"].lower(): Account(account["username"], account["password"],
                                                 account.get("display_name", account["username"]),
                                                 str(100000000000000000000 + number))
            for number, account in enumerate(config["accounts"], start=1)
        }
        self._signing_key = signing_key
        self._store = store
        self._state = store.load(None) or {}
        for section in ("refresh_tokens", "authorization_codes", "consents"):
            self._state.setdefault(section, {})
        self._authorizations = {}

    def _save(self):
        self._store.save(self._state)

    def _account(self, username):
        account = self.accounts.get(str(username).lower())
        if account is None:
            raise LookupError(f"Couldn't find your Google Account ({username})")
        return account

    def _client(self, parameters, authenticate=True):
        """The client the parameters name; `authenticate`: its secret must be there too (the token endpoint)."""
        client_id = parameters.get("client_id")
        if not client_id:
            raise _missing("client_id")
        if client_id not in self.clients:
            raise GoogleError("invalid_client", "The OAuth client was not found.", status=401)
        client = self.clients[client_id]
        secret = client.get("client_secret")
        if authenticate and secret and not hmac.compare_digest(parameters.get("client_secret", "").encode(), secret.encode()):
            raise GoogleError("invalid_client", "Unauthorized", status=401)
        return client

    # --- the discovery document and the token endpoint ---

    def discovery(self):
        return {
            "issuer": self.base_url,
            "authorization_endpoint": f"{self.base_url}/o/oauth2/v2/auth",
            "token_endpoint": f"{self.base_url}/token",
            "revocation_endpoint": f"{self.base_url}/revoke",
            "response_types_supported": ["code", "token", "id_token", "code token", "code id_token",
                                         "token id_token", "code token id_token", "none"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["aud", "email", "email_verified", "exp", "family_name", "given_name", "iat",
                                 "iss", "name", "picture", "sub"],
            "code_challenge_methods_supported": list(PKCE_METHODS),
            "grant_types_supported": ["authorization_code", "refresh_token",
                                      "urn:ietf:params:oauth:grant-type:device_code",
                                      "urn:ietf:params:oauth:grant-type:jwt-bearer"],
        }

    def redeem(self, form):
        grant_type = form.get("grant_type")
        if not grant_type:
            raise _missing("grant_type")
        client = self._client(form)
        if grant_type == "authorization_code":
            return self._redeem_code(client, form)
        if grant_type == "refresh_token":
            return self._refresh(client, form)
        raise GoogleError("unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    def _redeem_code(self, client, form):
        code = form.get("code")
        if not code:
            raise _missing("code")
        record = self._state["authorization_codes"].get(digest(code))
        if record is None or record["client_id"] != client["client_id"]:
            raise GoogleError("invalid_grant", "Malformed auth code.")
        if record["redeemed"] or record["expires_at"] <= time.time():
            raise GoogleError("invalid_grant", "Bad Request")
        if form.get("redirect_uri") != record["redirect_uri"]:
            raise GoogleError("redirect_uri_mismatch", "Bad Request")
        if not _verifier_matches(record, form.get("code_verifier")):
            raise GoogleError("invalid_grant", "Invalid code verifier.")
        record["redeemed"] = True
        account = self._account(record["username"])
        response = self._access(account, client, record["scopes"], record["nonce"])
        response["refresh_token"] = self._new_refresh_token(account, client, record["scopes"])
        self._save()
        return response

    def _refresh(self, client, form):
        token = form.get("refresh_token")
        if not token:
            raise _missing("refresh_token")
        record = self._state["refresh_tokens"].get(digest(token))
        if record is None or record["client_id"] != client["client_id"] or not self._live(record, time.time()):
            raise GoogleError(*DEAD_TOKEN)
        record["last_used_at"] = time.time()
        self._save()
        return self._access(self._account(record["username"]), client, record["scopes"])

    def _live(self, record, now):
        if record["revoked_at"] or now - record["last_used_at"] > UNUSED_SECONDS:
            return False
        in_testing = self.publishing_status == "testing" and not set(record["scopes"]) <= set(BASIC_SCOPES)
        return not (in_testing and now - record["issued_at"] > TESTING_SECONDS)

    def _access(self, account, client, scopes, nonce=None):
        now = int(time.time())
        access_token = "ya29." + new_secret()
        live = {key: record for key, record in self._state.get("access_tokens", {}).items() if record["expires_at"] > now}
        self._state["access_tokens"] = live
        live[digest(access_token)] = {
            "username": account.username, "scopes": scopes, "expires_at": now + ACCESS_TOKEN_SECONDS}
        response = {"access_token": access_token, "expires_in": ACCESS_TOKEN_SECONDS,
                    "scope": " ".join(scopes), "token_type": "Bearer"}
        if "openid" in scopes:
            claims = {"iss": self.base_url, "azp": client["client_id"], "aud": client["client_id"],
                      "sub": account.subject, "email": account.username, "email_verified": True,
                      "iat": now, "exp": now + ACCESS_TOKEN_SECONDS, **({"nonce": nonce} if nonce else {})}
            response["id_token"] = self._signing_key.sign(claims)
        return response

    def _new_refresh_token(self, account, client, scopes):
        """A new refresh token; past the cap for this account and client the oldest live one dies, silently."""
        now = time.time()
        live = sorted((record for record in self._state["refresh_tokens"].values()
                       if record["username"] == account.username and record["client_id"] == client["client_id"]
                       and self._live(record, now)), key=lambda record: record["issued_at"])
        for record in live[:max(0, len(live) + 1 - self.cap)]:
            record["revoked_at"] = now
        token = new_secret()
        self._state["refresh_tokens"][digest(token)] = {
            "username": account.username, "client_id": client["client_id"], "scopes": scopes,
            "issued_at": now, "last_used_at": now, "revoked_at": None}
        return token

    def access_token_holder(self, access_token, scope):
        """The account a live access token with `scope` belongs to, else None (what a mail server checks)."""
        record = self._state.get("access_tokens", {}).get(digest(access_token))
        if record is None or record["expires_at"] <= time.time() or scope not in record["scopes"]:
            return None
        return record["username"]

    # --- browser sign-in: the authorization request and the steps the sign-in pages call ---

    def start_authorization(self, _segment, query):
        """{"request": id, ...} for the person to sign in for, or {"redirect": url} with the error the app
        hears; GoogleError ("Error 400: redirect_uri_mismatch") when nobody may be sent back."""
        client = self._client(query, authenticate=False)
        redirect_uri = query.get("redirect_uri")
        if not redirect_uri or redirect_uri not in client.get("redirect_uris", ()):
            raise GoogleError("redirect_uri_mismatch", "Bad Request")
        state = query.get("state")
        requested = list(dict.fromkeys(query.get("scope", "").split()))
        method = query.get("code_challenge_method", "plain")
        bad_challenge = query.get("code_challenge") and method not in PKCE_METHODS
        if query.get("response_type") != "code" or not requested or bad_challenge:
            return {"redirect": _with_query(redirect_uri, GoogleError("invalid_request", "").redirect_parameters(state))}
        request_id = secrets.token_urlsafe(32)
        now = time.time()
        for key in [key for key, record in self._authorizations.items() if record["expires_at"] <= now]:
            del self._authorizations[key]
        self._authorizations[request_id] = {
            "client_id": client["client_id"], "scopes": requested, "redirect_uri": redirect_uri, "state": state,
            "nonce": query.get("nonce"), "code_challenge": query.get("code_challenge"),
            "code_challenge_method": method, "expires_at": now + AUTHORIZATION_REQUEST_SECONDS}
        return dict(self.describe(request_id), request=request_id)

    def _pending(self, key):
        record = self._authorizations.get(key)
        if record is None:
            raise LookupError("unknown sign-in request")
        if record["expires_at"] <= time.time():
            raise ValueError("this sign-in request has expired")
        return record

    def describe(self, key):
        record = self._pending(key)
        client = self.clients[record["client_id"]]
        return {"user_code": None, "client_id": client["client_id"], "client_name": client["name"],
                "scopes": list(record["scopes"])}

    def sign_in(self, key, username, password=None):
        record = self._pending(key)
        account = self._account(username)
        if password is not None and not hmac.compare_digest(password.encode(), account.password.encode()):
            raise ValueError("Wrong password. Try again or click Forgot password to reset it.")
        consented = self._state["consents"].get(account.username, {}).get(record["client_id"], [])
        return {"username": account.username, "display_name": account.display_name,
                "needs_consent": not set(record["scopes"]) <= set(consented)}

    def finish_sign_in(self, key, username, consented):
        record = self._pending(key)
        account = self._account(username)
        if consented:
            self._state["consents"].setdefault(account.username, {})[record["client_id"]] = record["scopes"]
        del self._authorizations[key]
        code = "4/" + new_secret()
        now = time.time()
        self._state["authorization_codes"] = {
            key: kept for key, kept in self._state["authorization_codes"].items() if kept["expires_at"] > now}
        self._state["authorization_codes"][digest(code)] = dict(
            {name: record[name] for name in ("client_id", "scopes", "redirect_uri", "nonce", "code_challenge",
                                             "code_challenge_method")},
            username=account.username, redeemed=False, expires_at=now + AUTHORIZATION_CODE_SECONDS)
        self._save()
        parameters = {"code": code, **({"state": record["state"]} if record["state"] else {}),
                      "scope": " ".join(record["scopes"])}
        return {"username": account.username, "client_id": record["client_id"],
                "redirect": _with_query(record["redirect_uri"], parameters)}

    def decline(self, key, username=None):
        record = self._pending(key)
        del self._authorizations[key]
        return {"username": username, "declined": True, "redirect": _with_query(
            record["redirect_uri"], GoogleError("access_denied", "").redirect_parameters(record["state"]))}

    # --- control API: what happens to a Google account ---

    def _tokens_of(self, username):
        account = self._account(username)
        return account, [record for record in self._state["refresh_tokens"].values()
                         if record["username"] == account.username]

    def password_change(self, username):
        """The account's password changed: its refresh tokens carrying Gmail scopes are revoked."""
        account, records = self._tokens_of(username)
        revoked = [record for record in records if not record["revoked_at"] and GMAIL_SCOPE in record["scopes"]]
        for record in revoked:
            record["revoked_at"] = time.time()
        self._save()
        return {"username": account.username, "revoked_refresh_tokens": len(revoked)}

    def age(self, username, days):
        """Let `days` pass for the account's tokens (issued and last used that much earlier)."""
        if not isinstance(days, (int, float)) or isinstance(days, bool) or days < 0:
            raise ValueError("days must be a number of days, 0 or more")
        account, records = self._tokens_of(username)
        for record in records:
            record["issued_at"] -= days * 86400
            record["last_used_at"] -= days * 86400
        self._save()
        return {"username": account.username, "aged_refresh_tokens": len(records), "days": days}

    def live_refresh_tokens(self, username):
        now = time.time()
        return sum(1 for record in self._tokens_of(username)[1] if self._live(record, now))

    def issue_tokens(self, username, client_id, scopes):
        """Tokens as a finished browser sign-in would give them (a fleet entry that starts Obtained)."""
        account = self._account(username)
        client = self._client({"client_id": client_id}, authenticate=False)
        scopes = list(dict.fromkeys(["openid", "email", *scopes]))
        response = self._access(account, client, scopes)
        response["refresh_token"] = self._new_refresh_token(account, client, scopes)
        self._save()
        return response

    def ground_truth(self):
        return {
            "publishing_status": self.publishing_status,
            "refresh_token_cap": self.cap,
            "clients": [{"client_id": client["client_id"], "name": client["name"]} for client in self.clients.values()],
            "accounts": [{"username": account.username, "live_refresh_tokens": self.live_refresh_tokens(account.username)}
                         for account in self.accounts.values()],
        }
