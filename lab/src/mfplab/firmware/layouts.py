"""The firmware layouts as data: page paths, form field names, option values, labels and messages.

This mirrors docs/device-protocol.md. The layouts differ where real families differ (field
indices, option values, control names, the confirmation style, whether POP's OAuth credential is
its own, whether the token can be obtained on the web page, model names); labels and messages are
shared by all. The login form follows the device's authentication mode (LOGIN_MODES), not its layout.
"""

SMTP_PATH = "/nw_service_smtp.html"
POP_PATH = "/sys_email_status_special.html"
MAIN_PATH = "/main.html"
LOGIN_PATH = "/login.html"
LOGOUT_PATH = "/logout.html"

# The login form, as captured Sharp logins post it: the page's script sets `action` to LOGIN_ACTION
# when [Login] is clicked (the control itself is not a form field), and ADMINISTRATOR_ROLE is the
# role select's one option in administrator-authority mode.
LOGIN_ACTION = "loginbtn"
ADMINISTRATOR_ROLE = "3"
# The form follows the device's user-authentication mode, not its family; `ggt_hidden(10008)`
# carries the mode. `first`: a control to press before the password is asked (two steps).
LOGIN_MODES = {
    # Administrator authority: the role select and the password (MX-5070N, MX-M6071 captures).
    "administrator": {"mode": "5", "role": "ggt_select(10009)", "user": None, "password": "ggt_textbox(10003)"},
    # User authentication with a typed login name (printer-credcheck fills ggt_textbox(10002) when shown).
    "login_name": {"mode": "5", "role": None, "user": "ggt_textbox(10002)", "password": "ggt_textbox(10003)"},
    # User authentication off: the password alone (BP-71C65, pba_print).
    "password": {"mode": "4", "role": None, "user": None, "password": "ggt_textbox(10003)"},
    # User authentication on: [Administrator Login] (action=adminloginbtn), then the password (BP-71C65).
    "admin_two_step": {"mode": "3", "role": None, "user": None, "password": "ggt_textbox(10006)",
                       "first": "adminloginbtn"},
}

# How [Get Token] has a person sign in: a user code to enter at the provider (device code flow), or the
# provider's sign-in page that sends the browser back to the device (authorization code with PKCE).
SIGN_IN_KINDS = ("device_code", "browser")
# Where the provider sends the person's browser back to after a browser sign-in.
CALLBACK_PATH = "/oauth2/callback"

# Every control is `<input type="button" name=… onclick="validate(this.name)">`: the page's script
# puts the pressed control's name into the one hidden `action` field and submits the whole form
# (captured Sharp pages). The names differ between firmware families; the labels do not.
# A confirmation page (the `page` confirmation style) has its own two controls.
CONFIRM_CONTROLS = {"ok": "okbtn", "cancel": "cancelbtn"}

# The result line of a page: `<p class="ok">…` or `<p class="err">ERROR[n]: …` (Sharp's mobile
# app reads these). 5000 (machine busy) is seen on real devices; the other numbers are ours.
ERROR_CODES = {
    "validation": 1001, "page_expired": 1002, "provider_unreachable": 1003, "test_failed": 1004,
    "sign_in": 1005, "login_failed": 1101, "locked": 1102, "another_admin": 1103, "busy": 5000,
}

# The setting values a select offers, first option first (an omitted select means the first one).
# Option values are numbered from a family's first value: the texts are what the families share.
SMTP_AUTH_OPTIONS = ("none", "smtp_auth", "oauth2")
POP_AUTH_OPTIONS = ("plain", "apop", "oauth2")
PROVIDER_OPTIONS = ("", "microsoft", "google")


def _options(settings, first):
    """(option value, setting value) pairs."""
    return tuple((str(first + i), setting) for i, setting in enumerate(settings))


def _page(path, first, kinds, buttons, options):
    """Fields numbered consecutively from `first`. A password box is named like a text box
    (`ggt_textbox(n)`, `type="password"`), as on captured Sharp pages."""
    return {
        "path": path,
        # The hidden field every captured settings form carries, named after its page.
        "web_change": path.strip("/").rsplit(".", 1)[0] + "WebChange",
        "fields": {key: f"ggt_{'textbox' if kind == 'password' else kind}({first + i})"
                   for i, (key, kind) in enumerate(kinds)},
        "kinds": dict(kinds),
        "buttons": buttons,
        "options": options,
    }


def _smtp_page(first, first_option):
    kinds = (
        ("primary_server", "textbox"), ("port", "textbox"), ("timeout", "textbox"),
        ("sender_name", "textbox"), ("sender_address", "textbox"), ("ssl_tls", "checkbox"),
        ("auth_method", "select"), ("user", "textbox"), ("password", "password"),
        ("change_password", "checkbox"), ("provider", "select"), ("account", "textbox"),
    )
    return _page(SMTP_PATH, first, kinds, ("submit", "get_token", "delete", "connection_test"),
                 {"auth_method": _options(SMTP_AUTH_OPTIONS, first_option),
                  "provider": _options(PROVIDER_OPTIONS, first_option)})


def _pop_page(first, first_option):
    kinds = (
        ("server", "textbox"), ("port", "textbox"), ("check_interval", "textbox"),
        ("ssl", "checkbox"), ("auth_method", "select"), ("user", "textbox"),
        ("password", "password"), ("change_password", "checkbox"), ("provider", "select"),
        ("account", "textbox"),
    )
    return _page(POP_PATH, first, kinds, ("submit", "get_token", "delete"),
                 {"auth_method": _options(POP_AUTH_OPTIONS, first_option),
                  "provider": _options(PROVIDER_OPTIONS, first_option)})


LAYOUTS = {
    "bp_classic": {
        "models": ("BP-C131PW", "BP-C533WD", "BP-C542WD", "BP-50C26", "BP-70C45"),
        # The login mode of a device that does not name one (fleet file: `authentication`).
        "login": "administrator",
        "pages": {"smtp": _smtp_page(1, 0), "pop": _pop_page(1, 0)},
        "controls": {"submit": "submitbtn", "get_token": "gettokenbtn", "delete": "deletebtn",
                     "connection_test": "testButton", "logout": "logoutbtn"},
        # [Get Token] and [Delete] ask with the browser's confirm(): one POST does it.
        "confirm": "script",
        # One OAuth provider, account and token, shown on both pages (the manual of the A4 models).
        "credential": "shared",
        "token_on_web": True,
        # How [Get Token] signs in (SIGN_IN_KINDS); a fleet entry's `sign_in` overrides it.
        "sign_in": "device_code",
    },
    "mx_classic": {
        "models": ("MX-3071", "MX-2651", "MX-4071", "MX-5071"),
        "login": "login_name",
        "pages": {"smtp": _smtp_page(101, 1), "pop": _pop_page(201, 1)},
        "controls": {"submit": "executebtn", "get_token": "tokengetbtn", "delete": "tokendeletebtn",
                     "connection_test": "testButton", "logout": "logoutbtn"},
        # [Get Token] and [Delete] answer with a confirmation page ([OK] / [Cancel]).
        "confirm": "page",
        "credential": "shared",
        "token_on_web": True,
        "sign_in": "device_code",
    },
}
# A3 models (Sharp's manuals of the BP-B550WD and BP-70M90): POP's provider, account and token are
# its own, independent of SMTP's.
# After [Get Token] "the login page of the selected provider" opens (their manuals): a browser sign-in.
LAYOUTS["bp_a3"] = dict(LAYOUTS["bp_classic"], models=("BP-B550WD", "BP-70M90", "BP-70M75"), credential="independent",
                        sign_in="browser")
# The BP-70C65 cannot obtain a token on its web page (its manual): no [Get Token] there; the token
# is obtained on the control panel, and the page shows its state and offers [Delete].
LAYOUTS["bp_a3_panel"] = dict(LAYOUTS["bp_a3"], models=("BP-70C65",), token_on_web=False)

TEXTS = {
    "en": {
        "title": "Web Page",
        "login_title": "Login",
        "login_user": "Login Name",
        "login_password": "Password",
        "login_button": "Login",
        "admin_login_button": "Administrator Login",
        "administrator": "Administrator",
        "menu": {
            "smtp": ("System Settings", "Network Settings", "Service Setting", "SMTP"),
            "pop": ("System Settings", "System Control", "E-mail Alert/Status", "E-mail Status (Special tab)"),
        },
        "labels": {
            "primary_server": "Primary Server", "port": "Port Number", "timeout": "Timeout",
            "sender_name": "Sender Name", "sender_address": "Sender Address",
            "ssl_tls": "Enable SSL/TLS", "server": "POP3 Server", "check_interval": "Check Interval",
            "ssl": "Enable SSL", "auth_method": "Authentication Method", "user": "User Name",
            "password": "Password", "change_password": "Change Password", "provider": "Provider",
            "account": "Account Name",
        },
        "options": {
            "none": "None", "smtp_auth": "SMTP-AUTH", "plain": "Plain", "apop": "APOP",
            "oauth2": "OAuth 2.0", "": "", "microsoft": "Microsoft", "google": "Google",
        },
        "buttons": {
            "submit": "Submit(U)", "get_token": "Get Token", "delete": "Delete",
            "connection_test": "Connection Test", "ok": "OK", "cancel": "Cancel", "logout": "Logout(L)",
        },
        "token_rows": {
            "status": "Token", "account": "Authorized Account", "user_code": "User Code",
            "verification_uri": "Verification URL", "sign_in_url": "Sign-in Address", "expires": "Expires",
            "message": "Message",
        },
        "token_states": {
            "not_obtained": "Not Obtained", "waiting_for_authorization": "Waiting for Authorization",
            "obtained": "Obtained", "invalid": "Invalid",
        },
        "token_messages": {
            "declined": "Authorization was declined.",
            "expired": "The authorization request expired. Press [Get Token] to try again.",
            "failed": "The token could not be obtained ({code}).",
            "refresh_failed": "The token is no longer valid ({code}).",
            "stale_sign_in": "A sign-in came back that this request did not start; it was ignored. "
                             "Sign in at the address shown.",
        },
        "messages": {
            "signed_in": "The token has been obtained. You can close this window.",
            "login_failed": "Login failed. Check the login name and password.",
            "locked": "Login is locked because of repeated failed attempts. Try again later.",
            "another_admin": "Another administrator is logged in. Try again later.",
            "page_expired": "The page has expired. Reload the page and try again.",
            "logged_out": "You have logged out.",
            "saved": "The settings have been saved.",
            "deleted": "The token has been deleted.",
            "confirm_get_token": "Obtain a token for {account}?",
            "confirm_delete": "Delete the token?",
            "confirm_get_token_script": "Obtain a token for the account entered?",
            "busy": "The machine is busy. Try again later.",
            "provider_unreachable": "Could not connect to the provider. The token was not obtained.",
            "test_ok": "Connection test succeeded.",
            "test_failed": "Connection test failed.",
        },
        "reasons": {
            "required": "Enter a value.",
            "range": "Enter a number from {low} to {high}.",
            "too_long": "Enter at most {limit} characters.",
            "host": "Enter a valid host name or IPv4 address.",
            "email": "Enter a valid e-mail address.",
            "option": "Select one of the options.",
            "provider": "Select a provider.",
            "oauth_first": "Select OAuth 2.0 to get a token.",
        },
    },
    "sv": {
        "title": "Webbsida",
        "login_title": "Inloggning",
        "login_user": "Inloggningsnamn",
        "login_password": "Lösenord",
        "login_button": "Logga in",
        "admin_login_button": "Administratörsinloggning",
        "administrator": "Administratör",
        "menu": {
            "smtp": ("Systeminställningar", "Nätverksinställningar", "Service Inställning", "SMTP"),
            "pop": ("Systeminställningar", "Systemstyrning", "E-post varning/status", "E-post status (Special-fliken)"),
        },
        "labels": {
            "primary_server": "Primär server", "port": "Portnummer", "timeout": "Timeout",
            "sender_name": "Sändarnamn", "sender_address": "Avsändaradress",
            "ssl_tls": "Aktivera SSL/TLS", "server": "POP3-server", "check_interval": "Kontrollintervall",
            "ssl": "Aktivera SSL", "auth_method": "Autentiseringsmetod", "user": "Användarnamn",
            "password": "Lösenord", "change_password": "Ändra lösenord", "provider": "Leverantör",
            "account": "Kontonamn",
        },
        "options": {
            "none": "Ingen", "smtp_auth": "SMTP-AUTH", "plain": "Klartext", "apop": "APOP",
            "oauth2": "OAuth 2.0", "": "", "microsoft": "Microsoft", "google": "Google",
        },
        "buttons": {
            "submit": "Skicka(U)", "get_token": "Hämta token", "delete": "Radera",
            "connection_test": "Anslutningstest", "ok": "OK", "cancel": "Avbryt", "logout": "Logga ut(L)",
        },
        "token_rows": {
            "status": "Token", "account": "Auktoriserat konto", "user_code": "Användarkod",
            "verification_uri": "Verifierings-URL", "sign_in_url": "Inloggningsadress", "expires": "Går ut",
            "message": "Meddelande",
        },
        "token_states": {
            "not_obtained": "Ej hämtad", "waiting_for_authorization": "Väntar på auktorisering",
            "obtained": "Hämtad", "invalid": "Ogiltig",
        },
        "token_messages": {
            "declined": "Auktoriseringen nekades.",
            "expired": "Auktoriseringsbegäran har gått ut. Tryck på [Hämta token] för att försöka igen.",
            "failed": "Token kunde inte hämtas ({code}).",
            "refresh_failed": "Token är inte längre giltig ({code}).",
            "stale_sign_in": "En inloggning kom tillbaka som denna begäran inte startade; den ignorerades. "
                             "Logga in på adressen som visas.",
        },
        "messages": {
            "signed_in": "Token har hämtats. Du kan stänga fönstret.",
            "login_failed": "Inloggningen misslyckades. Kontrollera inloggningsnamn och lösenord.",
            "locked": "Inloggningen är låst på grund av upprepade misslyckade försök. Försök igen senare.",
            "another_admin": "En annan administratör är inloggad. Försök igen senare.",
            "page_expired": "Sidan har gått ut. Läs in sidan igen och försök på nytt.",
            "logged_out": "Du har loggats ut.",
            "saved": "Inställningarna har sparats.",
            "deleted": "Token har raderats.",
            "confirm_get_token": "Hämta en token för {account}?",
            "confirm_delete": "Radera token?",
            "confirm_get_token_script": "Hämta en token för det angivna kontot?",
            "busy": "Maskinen är upptagen. Försök igen senare.",
            "provider_unreachable": "Det gick inte att ansluta till leverantören. Ingen token hämtades.",
            "test_ok": "Anslutningstestet lyckades.",
            "test_failed": "Anslutningstestet misslyckades.",
        },
        "reasons": {
            "required": "Ange ett värde.",
            "range": "Ange ett tal från {low} till {high}.",
            "too_long": "Ange högst {limit} tecken.",
            "host": "Ange ett giltigt värdnamn eller en giltig IPv4-adress.",
            "email": "Ange en giltig e-postadress.",
            "option": "Välj ett av alternativen.",
            "provider": "Välj en leverantör.",
            "oauth_first": "Välj OAuth 2.0 för att hämta en token.",
        },
    },
}
