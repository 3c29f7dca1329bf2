"""Who may use a mailbox: XOAUTH2 access tokens from the lab's identity provider, and basic
authentication against the directory's passwords unless the mailbox's tenant has switched it off.

The answers are outcomes, not protocol replies: SMTP and POP3 word them each their own way.
"""

import base64
import hmac

import jwt

OUTLOOK = "https://outlook.office.com"
SMTP_SCOPE = "SMTP.Send"
POP_SCOPE = "POP.AccessAsUser.All"

OK = "ok"
BAD_TOKEN = "bad_token"             # unsigned, expired, another audience or scope, another mailbox
BAD_CREDENTIALS = "bad_credentials"  # basic authentication: unknown user or wrong password
BASIC_DISABLED = "basic_disabled"    # basic authentication refused for the mailbox's tenant
MALFORMED = "malformed"              # not an XOAUTH2 initial response


def xoauth2_fields(raw):
    """(user, token) from an XOAUTH2 initial response `user=…^Aauth=Bearer …^A^A`; None if malformed."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    fields = dict(part.split("=", 1) for part in text.split("\x01") if "=" in part)
    scheme, _space, token = fields.get("auth", "").partition(" ")
    if not fields.get("user") or scheme.lower() != "bearer" or not token:
        return None
    return fields["user"], token


def decode_base64(text):
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return None


class MailAuthority:
    """Runs on the lab's loop; `state` is the mail store's document (the tenants' switches live there)."""

    def __init__(self, idp, state, save):
        self._idp = idp
        self._state = state
        self._save = save

    # the tenants' switch

    def basic_auth_enabled(self, tenant):
        return tenant.id not in self._state["basic_auth_disabled"]

    def set_basic_auth(self, reference, enabled):
        """Switch basic authentication for client submission and POP on or off for a tenant."""
        if not isinstance(enabled, bool):
            raise ValueError("enabled must be true or false")
        tenant = self._idp.directory.tenant(reference)
        disabled = set(self._state["basic_auth_disabled"]) - {tenant.id}
        if not enabled:
            disabled.add(tenant.id)
        self._state["basic_auth_disabled"] = sorted(disabled)
        self._save()
        return {"tenant": tenant.name, "basic_auth": enabled}

    def tenants(self):
        return {tenant.name: {"basic_auth": self.basic_auth_enabled(tenant)} for tenant in self._idp.directory.tenants}

    # authentication

    def basic(self, user, password):
        """(outcome, mailbox) for a user name and password (AUTH LOGIN/PLAIN, USER/PASS)."""
        try:
            account = self._idp.directory.account(user)
        except LookupError:
            return BAD_CREDENTIALS, None
        if not self.basic_auth_enabled(account.tenant):
            # Refused whatever the password: the tenant no longer takes passwords for mail.
            return BASIC_DISABLED, None
        if not hmac.compare_digest(password.encode("utf-8"), account.password.encode("utf-8")):
            return BAD_CREDENTIALS, None
        return OK, account.username

    def xoauth2(self, raw, scope):
        """(outcome, mailbox) for an XOAUTH2 initial response, for a token that must carry `scope`."""
        fields = xoauth2_fields(raw)
        if fields is None:
            return MALFORMED, None
        user, token = fields
        try:
            claims = jwt.decode(token, self._public_key(token), algorithms=["RS256"], audience=OUTLOOK,
                                options={"require": ["exp", "aud"]})
        except jwt.PyJWTError:
            return BAD_TOKEN, None
        mailbox = claims.get("upn") or claims.get("preferred_username") or ""
        if scope not in claims.get("scp", "").split() or mailbox.casefold() != user.casefold():
            return BAD_TOKEN, None
        try:
            return OK, self._idp.directory.account(mailbox).username
        except LookupError:
            return BAD_TOKEN, None

    def _public_key(self, token):
        """The provider's published key the token names (its JWKS, as Exchange reads Entra's)."""
        kid = jwt.get_unverified_header(token).get("kid")
        for key in self._idp.signing_key.jwks()["keys"]:
            if key["kid"] == kid:
                return jwt.PyJWK(key, algorithm="RS256").key
        raise jwt.InvalidKeyError(f"no published key {kid!r}")
