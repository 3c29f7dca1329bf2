"""HTML of the device's pages. Every value that reaches the page goes through `escape`."""

from html import escape
from typing import NamedTuple

from .layouts import ADMINISTRATOR_ROLE, CONFIRM_FIELDS, LOGIN_ACTION, LOGIN_HIDDEN, LOGOUT_PATH, POP_PATH, SMTP_PATH

MENU_LINKS = (("smtp", SMTP_PATH), ("pop", POP_PATH))


class Ui(NamedTuple):
    """What every page of one device needs: its language, model, layout and texts."""
    language: str
    model: str
    layout: dict
    texts: dict


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
    html = ""
    if status:
        html += f'<div id="statusMessage">{escape(status)}</div>\n'
    if error:
        html += f'<div id="errorMessage" class="error">{escape(error)}</div>\n'
    return html


def _hidden(name, value):
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def _submit(name, label):
    return f'<input type="submit" name="{escape(name)}" value="{escape(label)}">'


def main_page(ui):
    items = "".join(
        f'<li><a href="{escape(path)}">{escape(" → ".join(ui.texts["menu"][page]))}</a></li>\n'
        for page, path in MENU_LINKS
    )
    return _document(ui, ui.texts["title"], f'<ul id="menu">\n{items}</ul>')


def login_page(ui, action, token2, error=None, status=None):
    texts, fields = ui.texts, ui.layout["login"]
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
    hidden = "\n".join(_hidden(name, value) for name, value in dict(LOGIN_HIDDEN, token2=token2).items())
    # What the firmware's script does on a click: the button is no form field, `action` says what was pressed.
    button = (f'<input type="button" value="{escape(texts["login_button"])}" '
              f"onclick=\"this.form.elements['action'].value='{LOGIN_ACTION}'; this.form.submit();\">")
    body = (
        f'<h1>{escape(texts["login_title"])}</h1>\n{_notices(error, status)}'
        f'<form method="post" action="{escape(action)}">\n{hidden}\n'
        f"<table>\n{rows}</table>\n{button}\n</form>"
    )
    return _document(ui, texts["login_title"], body)


def settings_page(ui, page, values, token, token2, error=None, status=None):
    """A settings page: every field, the buttons and the token panel in one form."""
    texts, layout = ui.texts, ui.layout["pages"][page]
    rows = "".join(
        f'<tr><th>{escape(texts["labels"][key])}</th><td>{_field(ui, layout, key, name, values[key])}</td></tr>\n'
        for key, name in layout["fields"].items()
    )
    buttons = " ".join(_submit(name, texts["buttons"][action]) for action, name in layout["buttons"].items())
    body = (
        f'{_breadcrumb(texts, page)}<p><a href="{LOGOUT_PATH}">{escape(texts["logout"])}</a></p>\n'
        f"{_notices(error, status)}"
        f'<form method="post" action="{escape(layout["path"])}">\n{_hidden("token2", token2)}\n'
        f'<table id="settings">\n{rows}</table>\n{_token_panel(texts, token)}<p>{buttons}</p>\n</form>'
    )
    return _document(ui, texts["menu"][page][-1], body)


def confirm_page(ui, page, action, message, token2):
    """The confirmation step after [Get Token] or [Delete]."""
    texts, layout = ui.texts, ui.layout["pages"][page]
    body = (
        f'{_breadcrumb(texts, page)}<form method="post" action="{escape(layout["path"])}">\n'
        f'<p id="confirmMessage">{escape(message)}</p>\n{_hidden("token2", token2)}\n'
        f'{_hidden(CONFIRM_FIELDS["action"], action)}\n'
        f'{_submit(CONFIRM_FIELDS["ok"], texts["buttons"]["ok"])}\n'
        f'{_submit(CONFIRM_FIELDS["cancel"], texts["buttons"]["cancel"])}\n</form>'
    )
    return _document(ui, texts["menu"][page][-1], body)


def _breadcrumb(texts, page):
    return f'<p id="menuPath">{escape(" → ".join(texts["menu"][page]))}</p>\n'


def _field(ui, layout, key, name, value):
    kind = name.split("(")[0]
    if kind == "ggt_checkbox":
        checked = " checked" if value else ""
        return f'<input type="checkbox" name="{escape(name)}" value="1"{checked}>'
    if kind == "ggt_select":
        options = "".join(
            f'<option value="{escape(code)}"{" selected" if setting == value else ""}>'
            f'{escape(ui.texts["options"][setting])}</option>'
            for code, setting in layout["options"][key]
        )
        return f'<select name="{escape(name)}">{options}</select>'
    if kind == "ggt_password":
        return f'<input type="password" name="{escape(name)}" value="">'  # write-only
    return f'<input type="text" name="{escape(name)}" value="{escape(value)}">'


def _token_panel(texts, token):
    labels = texts["token_rows"]
    rows = [("status", "tokenStatus", texts["token_states"][token["state"]])]
    rows += [
        (row, element, token[key])
        for row, element, key in (
            ("account", "tokenAccount", "account"),
            ("user_code", "tokenUserCode", "user_code"),
            ("verification_uri", "tokenVerificationUri", "verification_uri"),
            ("expires", "tokenExpires", "expires_at"),
            ("message", "tokenMessage", "message"),
        )
        if token[key]
    ]
    html = "".join(
        f'<tr><th>{escape(labels[row])}</th><td id="{element}">{escape(value)}</td></tr>\n'
        for row, element, value in rows
    )
    return f'<table id="tokenPanel">\n{html}</table>\n'
