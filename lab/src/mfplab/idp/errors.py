"""Entra-shaped OAuth errors: the AADSTS codes and wording clients (msal, firmware) key on."""

import datetime
import uuid


class EntraError(Exception):
    """An OAuth error the token or device code endpoint answers with HTTP 400."""

    def __init__(self, error, code, message, suberror=None):
        super().__init__(f"AADSTS{code}: {message}")
        self.error = error
        self.code = code
        self.message = message
        self.suberror = suberror

    def body(self, correlation_id=None):
        """The JSON body Entra sends, with fresh trace and correlation ids."""
        trace_id = str(uuid.uuid4())
        correlation_id = correlation_id or str(uuid.uuid4())
        timestamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        body = {
            "error": self.error,
            "error_description": (
                f"AADSTS{self.code}: {self.message}\r\nTrace ID: {trace_id}\r\n"
                f"Correlation ID: {correlation_id}\r\nTimestamp: {timestamp}"
            ),
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}",
        }
        if self.suberror:
            body["suberror"] = self.suberror
        return body

    def redirect_parameters(self, state):
        """The query an authorization request's redirect URI gets for this error, as Entra sends it."""
        body = self.body()
        parameters = {key: body[key] for key in ("error", "error_description", "error_uri")}
        if state:
            parameters["state"] = state
        return parameters


class SignInBlocked(Exception):
    """The person's sign-in succeeded but a tenant policy refuses the token: the error the device's
    poll will hear, and the troubleshooting details Entra's page shows the person."""

    def __init__(self, error, username, details):
        super().__init__(str(error))
        self.error = error
        self.username = username
        self.details = details


def _entra_time(epoch):
    """Entra's instant in error texts: ISO 8601 with seven fractional digits, e.g. 2021-07-19T14:01:41.1468970Z."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond * 10:07d}Z"


def tenant_not_found(tenant):
    return EntraError(
        "invalid_tenant", 90002,
        f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing "
        "into the correct cloud. Check with your subscription administrator, this may happen if there are no "
        "active subscriptions for the tenant.",
    )


def missing_parameter(name):
    return EntraError("invalid_request", 900144, f"The request body must contain the following parameter: '{name}'.")


def unsupported_grant_type(grant_type):
    return EntraError("unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'.")


def unknown_client(client_id, tenant):
    return EntraError(
        "unauthorized_client", 700016,
        f"Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen "
        "if the application has not been installed by the administrator of the tenant or consented to by any "
        "user in the tenant. You may have sent your authentication request to the wrong tenant.",
    )


def several_resources(scopes):
    return EntraError(
        "invalid_scope", 28000,
        "Provided value for the input parameter scope is not valid because it contains more than one resource. "
        f"Scope {' '.join(scopes)} is not valid.",
    )


def authorization_pending():
    return EntraError(
        "authorization_pending", 70016,
        "The provided request has not yet been authorized by the user. The user must input their code.",
    )


def authorization_declined():
    return EntraError("authorization_declined", 70000, "The user declined to authorize the request.")


def device_code_expired():
    return EntraError(
        "expired_token", 70020,
        "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
    )


def bad_verification_code():
    return EntraError(
        "bad_verification_code", 70000, "The provided value for the input parameter 'device_code' is not valid."
    )


def malformed_grant():
    return EntraError("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")


def token_inactive(issued_at, inactive_seconds):
    days = int(inactive_seconds // 86400)
    return EntraError(
        "invalid_grant", 700082,
        f"The refresh token has expired due to inactivity. The token was issued on {_entra_time(issued_at)} and was "
        f"inactive for {days}.00:00:00.",
    )


def grant_revoked(issued_at, valid_from):
    return EntraError(
        "invalid_grant", 50173,
        "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might "
        f"have changed or reset their password. The grant was issued on '{_entra_time(issued_at)}' and the "
        # Entra keeps TokensValidFrom to the second.
        f"TokensValidFrom date (before which tokens are not valid) for this user is '{_entra_time(int(valid_from))}'.",
    )


def account_disabled():
    return EntraError("invalid_grant", 50057, "The user account is disabled.")


def blocked_by_conditional_access():
    return EntraError(
        "invalid_grant", 53003,
        "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        suberror="message_only",
    )


def consent_required(client_id, client_name):
    return EntraError(
        "invalid_grant", 65001,
        f"The user or administrator has not consented to use the application with ID '{client_id}' named "
        f"'{client_name}'. Send an interactive authorization request for this user and resource.",
        suberror="consent_required",
    )


def user_from_other_tenant(username, tenant):
    return EntraError(
        "invalid_grant", 50020,
        f"User account '{username}' from identity provider does not exist in tenant '{tenant}' and cannot "
        "access the application in that tenant.",
    )


# --- the authorization code grant (browser sign-in) ---

def redirect_uri_not_registered(redirect_uri, client_id):
    """Shown on the provider's page, never sent to the address: an unregistered one cannot be trusted."""
    return EntraError(
        "invalid_request", 50011,
        f"The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured "
        f"for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to "
        "your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more "
        "about how to fix this.",
    )


def reply_address_mismatch(given, requested):
    return EntraError(
        "invalid_grant", 50011,
        f"The reply address '{given}' does not match the reply address '{requested}' provided when requesting "
        "Authorization code.",
    )


def unsupported_response_type(response_type):
    return EntraError("unsupported_response_type", 700054,
                      f"response_type '{response_type}' is not enabled for the application.")


def authorization_code_expired():
    return EntraError(
        "invalid_grant", 70008,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive "
        "authorization request for this user and resource.",
    )


def authorization_code_redeemed():
    return EntraError(
        "invalid_grant", 54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing "
        "refresh token.",
    )


def pkce_mismatch():
    return EntraError(
        "invalid_grant", 501481,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    )


def consent_declined():
    """What the app's redirect URI hears when the person answers the consent page with Cancel."""
    return EntraError("access_denied", 65004, "User declined to consent to access the app.")


# What Entra answers when it fails or throttles (docs/device-protocol.md: the bodies are assumed).
def service_unavailable(status):
    return EntraError("server_error" if status == 500 else "temporarily_unavailable", 90006,
                      "The service is temporarily unavailable. Please try again later.")


def throttled():
    return EntraError("temporarily_unavailable", 90006,
                      "The service is temporarily unavailable because of too many requests. Please try again later.")
