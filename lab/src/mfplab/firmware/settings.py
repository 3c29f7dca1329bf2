"""The device's mail settings: defaults, form <-> settings, and server-side validation.

A page's form values are a dict keyed by setting name (`port`, `provider`, …): text fields as
posted strings, checkboxes as booleans, selects as setting values (`"oauth2"`), or None when a
client posted an option the select does not offer.
"""

import copy
import ipaddress
import re

DEFAULTS = {
    "smtp": {
        "primary_server": "", "port": 25, "timeout": 20, "sender_name": "", "sender_address": "",
        "ssl_tls": False, "auth_method": "none", "user": "", "password": "",
    },
    "pop": {
        "server": "", "port": 110, "check_interval": 5, "ssl": False, "auth_method": "plain",
        "user": "", "password": "",
    },
    "oauth": {"provider": "", "account": ""},
}

SHARED = ("provider", "account")  # the OAuth credential, shown on both pages unless independent
INDEPENDENT_POP = "pop_oauth"     # POP's own credential on firmware where it is independent


def credential_key(page, independent):
    """The settings section holding the OAuth provider and account a page shows."""
    return INDEPENDENT_POP if independent and page == "pop" else "oauth"


NUMBERS = {"port": (1, 65535), "timeout": (1, 60), "check_interval": (1, 240)}
MAX_LENGTH = {"primary_server": 127, "server": 127, "sender_name": 64, "sender_address": 127,
              "user": 64, "account": 127}

_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_DIGITS = re.compile(r"[0-9]{1,6}")


def complete(settings, independent=False):
    """A full settings document: `settings` (maybe partial, maybe None) over the defaults. With an
    `independent` POP credential it has its own section."""
    result = copy.deepcopy(DEFAULTS)
    if independent:
        result[INDEPENDENT_POP] = copy.deepcopy(DEFAULTS["oauth"])
    for section, values in (settings or {}).items():
        if section in result:
            result[section].update({k: v for k, v in values.items() if k in result[section]})
    return result


def public(settings):
    """The settings without secrets: passwords become `password_set`."""
    result = copy.deepcopy(settings)
    for section in ("smtp", "pop"):
        result[section]["password_set"] = bool(result[section].pop("password"))
    return result


def page_values(page, settings, independent=False):
    """The form values a page renders for the stored settings (passwords never)."""
    values = dict(settings[page])
    for key in NUMBERS:
        if key in values:
            values[key] = str(values[key])
    values.update({key: settings[credential_key(page, independent)][key] for key in SHARED})
    values["password"] = ""
    values["change_password"] = False
    return values


def read_form(page_layout, form):
    """The form values of a POST, with HTML semantics: omitted checkbox off, text empty, select first."""
    values = {}
    for key, name in page_layout["fields"].items():
        kind = page_layout["kinds"][key]
        if kind == "checkbox":
            values[key] = name in form
        elif kind == "select":
            options = page_layout["options"][key]
            posted = form.get(name, options[0][0])
            values[key] = dict(options).get(posted)
        else:
            values[key] = form.get(name, "")
    return values


def apply_form(page, values, settings, for_token=False, independent=False):
    """Validate a page's form values against the stored settings.

    Returns (new settings, None) or (None, (field, reason, params)) for the first error in page
    order. `for_token`: the form was posted with [Get Token], which needs OAuth 2.0, provider and account.
    """
    error = next(_errors(page, values, for_token), None)
    if error:
        return None, error
    result = copy.deepcopy(settings)
    section = result[page]
    for key in section:
        if key == "password":
            if values["change_password"]:
                section[key] = values[key]
        elif key in NUMBERS:
            section[key] = int(values[key])
        else:
            section[key] = values[key]
    result[credential_key(page, independent)] = {key: values[key] for key in SHARED}
    return result, None


def _errors(page, values, for_token):
    """(field, reason, params) for every invalid field, in page order."""
    oauth = values["auth_method"] == "oauth2"
    server_key = "primary_server" if page == "smtp" else "server"
    for key, value in values.items():
        if value is None:
            yield key, "option", {}
        elif key == "auth_method" and for_token and not oauth:
            yield key, "oauth_first", {}   # the manual's order: OAuth 2.0, provider, account, then [Get Token]
        elif key in MAX_LENGTH and len(value) > MAX_LENGTH[key]:
            yield key, "too_long", {"limit": MAX_LENGTH[key]}
        elif key in NUMBERS and not _in_range(value, *NUMBERS[key]):
            low, high = NUMBERS[key]
            yield key, "range", {"low": low, "high": high}
        elif key == server_key:
            if value and not _is_host(value):
                yield key, "host", {}
            elif not value and oauth:
                yield key, "required", {}
        elif key == "sender_address" and value and not _EMAIL.fullmatch(value):
            yield key, "email", {}
        elif key == "user" and not value and _needs_user(page, values):
            yield key, "required", {}
        elif key == "provider" and not value and (oauth or for_token):
            yield key, "provider", {}
        elif key == "account":
            if value and not _EMAIL.fullmatch(value):
                yield key, "email", {}
            elif not value and (oauth or for_token):
                yield key, "required", {}


def _needs_user(page, values):
    if page == "smtp":
        return values["auth_method"] == "smtp_auth"
    return values["auth_method"] in ("plain", "apop") and bool(values["server"])


def _in_range(text, low, high):
    return bool(_DIGITS.fullmatch(text)) and low <= int(text) <= high


def _is_host(text):
    if re.fullmatch(r"[0-9.]+", text):  # looks numeric: must be a real IPv4 address
        try:
            ipaddress.IPv4Address(text)
            return True
        except ValueError:
            return False
    return all(_HOST_LABEL.fullmatch(label) for label in text.split("."))
