"""The sign-in pages' HTML (/devicelogin, /authorize): plain forms that work without JavaScript, every value escaped."""

from html import escape

_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f2f2f2;margin:0}"
    "main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem 2.5rem;box-shadow:0 2px 6px #0003}"
    "h1{font-size:1.5rem;font-weight:600}label{display:block;margin:.8rem 0 .2rem}"
    "input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.4rem;font-size:1rem}"
    "button{margin-top:1.2rem;margin-right:.5rem;padding:.4rem 1.4rem;font-size:1rem}"
    ".error{color:#a80000}.who{color:#555}"
)


def _layout(title, body):
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width\"><title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><main><h1>{escape(title)}</h1>{body}</main></body></html>\n"
    )


def _error(message):
    return f"<p class=\"error\" role=\"alert\">{escape(message)}</p>" if message else ""


def _form(csrf, fields, buttons, action):
    return (
        f"<form method=\"post\" action=\"{escape(action)}\">"
        f"<input type=\"hidden\" name=\"csrf\" value=\"{escape(csrf)}\">{fields}{buttons}</form>"
    )


def code_page(csrf, action, error=None):
    fields = (
        "<p>Enter the code displayed on your device to allow access.</p>"
        "<label for=\"user_code\">Code</label>"
        "<input type=\"text\" id=\"user_code\" name=\"user_code\" autocomplete=\"off\" autofocus required>"
    )
    return _layout("Enter code", _error(error) + _form(csrf, fields, "<button type=\"submit\">Next</button>", action))


def sign_in_page(csrf, client_name, action, username="", error=None):
    fields = (
        f"<p>Sign in to continue to {escape(client_name)} on your device.</p>"
        "<label for=\"username\">Email or username</label>"
        f"<input type=\"text\" id=\"username\" name=\"username\" value=\"{escape(username)}\" required>"
        "<label for=\"password\">Password</label>"
        "<input type=\"password\" id=\"password\" name=\"password\" required>"
    )
    return _layout("Sign in", _error(error) + _form(csrf, fields, "<button type=\"submit\">Sign in</button>", action))


def consent_page(csrf, client_name, username, scopes, action):
    permissions = "".join(f"<li>{escape(scope)}</li>" for scope in scopes)
    fields = (
        f"<p class=\"who\">{escape(username)}</p>"
        f"<p>{escape(client_name)} needs permission to:</p><ul>{permissions}</ul>"
        "<p>Accepting lets this app use your data as described. Decline if you did not start this sign-in.</p>"
    )
    buttons = (
        "<button type=\"submit\" name=\"decision\" value=\"accept\">Accept</button>"
        "<button type=\"submit\" name=\"decision\" value=\"decline\">Decline</button>"
    )
    return _layout("Permissions requested", _form(csrf, fields, buttons, action))


def signed_in_page(client_name):
    return _layout("You're signed in", (
        f"<p>You have signed in to the {escape(client_name)} application on your device. "
        "You may now close this window.</p>"
    ))


def declined_page(client_name):
    return _layout("Sign-in declined", (
        f"<p>You have declined to sign in to the {escape(client_name)} application on your device. "
        "You may now close this window.</p>"
    ))


def error_page(message):
    """A sign-in the provider cannot go on with, and cannot send back to the app (Entra's "Sorry, but
    we're having trouble signing you in." with the AADSTS message)."""
    return _layout("Sorry, but we're having trouble signing you in.", _error(message))


def blocked_page(details):
    """Entra's page for a sign-in that succeeded but that Conditional Access refuses, with its troubleshooting details."""
    rows = "".join(f"<dt>{escape(name)}</dt><dd>{escape(value)}</dd>" for name, value in details.items())
    return _layout("You don't have access to this", (
        "<p>Your sign-in was successful but does not meet the criteria to access this resource. For example, you "
        "might be signing in from a browser, app, location, or an authentication flow that is restricted by your "
        "admin.</p><h2>Troubleshooting details</h2>"
        f"<dl class=\"error\" role=\"alert\">{rows}</dl>"
    ))
