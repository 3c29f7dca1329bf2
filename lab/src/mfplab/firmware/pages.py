"""HTML of the device's pages. Every value that reaches the page goes through `escape`."""

import json
from html import escape
from typing import NamedTuple

from .layouts import ADMINISTRATOR_ROLE, CONFIRM_CONTROLS, ERROR_CODES, LOGIN_ACTION, POP_PATH, SMTP_PATH

MENU_LINKS = (("smtp", SMTP_PATH), ("pop", POP_PATH))


class Ui(NamedTuple):
    """What every page of one device needs: its language, model, layout, texts and login form (LOGIN_MODES)."""
    language: str
    model: str
    layout: dict
    texts: dict
    login: dict


def _document(ui, title, body):
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(ui.language)}">\n'
        f'<head><meta charset="utf-8"><title>{escape(title)} - {escape(ui.model)}</title></head>\n'
        "<body>\n"
        f'<div id="header"><span id="modelName">{escape(ui.model)}</span></div>\n'
        f"{body}\n"
        "</body>\n</html>\n"
    )


def _notices(error, status):
    """The result line(s): `<p class="ok">` and `<p class="err">ERROR[n]: …` (n from ERROR_CODES)."""
    html = ""
    if status:
        html += f'<p class="ok">{escape(status)}</p>\n'
    if error:
        code, message = error
        html += f'<p class="err">ERROR[{ERROR_CODES[code]}]: {escape(message)}</p>\n'
    return html


def _hidden(name, value):
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def _control(name, label):
    """A control as captured Sharp pages render it: the page's validate() posts the form with `action`."""
    return f'<input type="button" name="{escape(name)}" value="{escape(label)}" onclick="validate(this.name)">'


def _script(confirms):
    """validate(): confirm() first where `confirms` (control name -> question) asks, then set `action` and submit."""
    questions = "".join(
        f"if (name == {json.dumps(name)} && !confirm({json.dumps(question)})) return;\n"
        for name, question in confirms.items()
    )
    return (f"<script>\nfunction validate(name) {{\nvar form = document.forms[0];\n{questions}"
            "form.elements['action'].value = name;\nform.submit();\n}\n</script>\n")


def main_page(ui):
    items = "".join(
        f'<li><a href="{escape(path)}">{escape(" → ".join(ui.texts["menu"][page]))}</a></li>\n'
        for page, path in MENU_LINKS
    )
    return _document(ui, ui.texts["title"], f'<ul id="menu">\n{items}</ul>')


def login_page(ui, action, token2, error=None, status=None, first_step=False):
    """The login form of the device's authentication mode; `first_step`: the [Administrator Login]
    step of a two-step mode, which asks no password."""
    texts, fields = ui.texts, ui.login
    if first_step:
        hidden = "\n".join(_hidden(name, value) for name, value in (("action", ""), ("ordinate", "0"),
                                                                    ("token2", token2)))
        body = (f'<h1>{escape(texts["login_title"])}</h1>\n{_notices(error, status)}{_script({})}'
                f'<form method="post" action="{escape(action)}">\n{hidden}\n'
                f"{_control(fields['first'], texts['admin_login_button'])}\n</form>")
        return _document(ui, texts["login_title"], body)
    rows = ""
    if fields["role"]:
        rows += (f'<tr><th>{escape(texts["login_user"])}</th><td><select name="{escape(fields["role"])}">'
                 f'<option value="{ADMINISTRATOR_ROLE}" selected>{escape(texts["administrator"])}</option>'
                 '</select></td></tr>\n')
    if fields["user"]:
        rows += (f'<tr><th>{escape(texts["login_user"])}</th>'
                 f'<td><input type="text" name="{escape(fields["user"])}" value=""></td></tr>\n')
    rows += (f'<tr><th>{escape(texts["login_password"])}</th>'
             f'<td><input type="password" name="{escape(fields["password"])}" value=""></td></tr>\n')
    hidden = "\n".join(_hidden(name, value) for name, value in (
        ("action", ""), ("ordinate", "0"), ("ggt_hidden(10008)", fields["mode"]), ("token2", token2)))
    body = (
        f'<h1>{escape(texts["login_title"])}</h1>\n{_notices(error, status)}{_script({})}'
        f'<form method="post" action="{escape(action)}">\n{hidden}\n'
        f"<table>\n{rows}</table>\n{_control(LOGIN_ACTION, texts['login_button'])}\n</form>"
    )
    return _document(ui, texts["login_title"], body)


def _page_hidden(layout, tokens):
    token1, token2 = tokens
    return "\n".join(_hidden(name, value) for name, value in (
        (layout["web_change"], ""), ("action", ""), ("ordinate", "0"), ("token1", token1), ("token2", token2)))


def settings_page(ui, page, values, token, tokens, error=None, status=None):
    """A settings page: every field, the controls and the token panel in one form."""
    texts, layout, controls = ui.texts, ui.layout["pages"][page], ui.layout["controls"]
    rows = "".join(
        f'<tr><th>{escape(texts["labels"][key])}</th><td>{_field(ui, layout, key, name, values[key])}</td></tr>\n'
        for key, name in layout["fields"].items()
    )
    buttons = " ".join(_control(controls[key], texts["buttons"][key]) for key in page_controls(ui, page))
    confirms = {}
    if ui.layout["confirm"] == "script":
        confirms = {controls["get_token"]: texts["messages"]["confirm_get_token_script"],
                    controls["delete"]: texts["messages"]["confirm_delete"]}
    body = (
        f'{_breadcrumb(texts, page)}{_notices(error, status)}{_script(confirms)}'
        f'<form method="post" action="{escape(layout["path"])}">\n{_page_hidden(layout, tokens)}\n'
        f'<p>{_control(controls["logout"], texts["buttons"]["logout"])}</p>\n'
        f'<table id="settings">\n{rows}</table>\n{_token_panel(texts, token)}<p>{buttons}</p>\n</form>'
    )
    return _document(ui, texts["menu"][page][-1], body)


def page_controls(ui, page):
    """The controls a settings page offers: no [Get Token] where the token is obtained on the panel."""
    return [key for key in ui.layout["pages"][page]["buttons"] if key != "get_token" or ui.layout["token_on_web"]]


def confirm_page(ui, page, message, tokens, error=None):
    """The confirmation page after [Get Token] or [Delete], for firmware of the `page` confirmation style."""
    texts, layout = ui.texts, ui.layout["pages"][page]
    controls = " ".join(_control(name, texts["buttons"][key]) for key, name in CONFIRM_CONTROLS.items())
    body = (
        f'{_breadcrumb(texts, page)}{_notices(error, None)}{_script({})}'
        f'<form method="post" action="{escape(layout["path"])}">\n'
        f'<p id="confirmMessage">{escape(message)}</p>\n{_page_hidden(layout, tokens)}\n{controls}\n</form>'
    )
    return _document(ui, texts["menu"][page][-1], body)


def _breadcrumb(texts, page):
    return f'<p id="menuPath">{escape(" → ".join(texts["menu"][page]))}</p>\n'


def _field(ui, layout, key, name, value):
    kind = layout["kinds"][key]
    if kind == "checkbox":
        checked = " checked" if value else ""
        return f'<input type="checkbox" name="{escape(name)}" value="1"{checked}>'
    if kind == "select":
        options = "".join(
            f'<option value="{escape(code)}"{" selected" if setting == value else ""}>'
            f'{escape(ui.texts["options"][setting])}</option>'
            for code, setting in layout["options"][key]
        )
        return f'<select name="{escape(name)}">{options}</select>'
    if kind == "password":
        return f'<input type="password" name="{escape(name)}" value="">'  # write-only
    return f'<input type="text" name="{escape(name)}" value="{escape(value)}">'


def _link(address):
    """The sign-in address as a link the administrator can open or pass on."""
    return f'<a href="{escape(address)}">{escape(address)}</a>'


def sign_in_result_page(ui, token, error=None, status=None):
    """What the person's browser shows when the provider sends it back to the device (CALLBACK_PATH):
    the result line and, for the sign-in this device waited for, its token panel."""
    panel = _token_panel(ui.texts, token) if token else ""
    return _document(ui, ui.texts["buttons"]["get_token"], f"{_notices(error, status)}{panel}")


def _token_panel(texts, token):
    labels = texts["token_rows"]
    rows = [("status", "tokenStatus", texts["token_states"][token["state"]])]
    rows += [
        (row, element, token[key])
        for row, element, key in (
            ("account", "tokenAccount", "account"),
            ("user_code", "tokenUserCode", "user_code"),
            ("verification_uri", "tokenVerificationUri", "verification_uri"),
            ("sign_in_url", "tokenSignInUrl", "sign_in_url"),
            ("expires", "tokenExpires", "expires_at"),
            ("message", "tokenMessage", "message"),
        )
        if token[key]
    ]
    html = "".join(
        f'<tr><th>{escape(labels[row])}</th><td id="{element}">{_link(value) if row == "sign_in_url" else escape(value)}'
        '</td></tr>\n'
        for row, element, value in rows
    )
    return f'<table id="tokenPanel">\n{html}</table>\n'
