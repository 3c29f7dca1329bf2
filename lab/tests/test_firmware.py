"""The emulated firmware's web UI, driven over HTTPS like a browser (no identity provider needed)."""

import json
import time

import pytest
from aiohttp import web

from mfplab.faults import Faults
from mfplab.firmware.device import Device
from mfplab.store import JsonStore
from firmware_fixtures import PASSWORD, POP, SMTP, Admin, device_spec, err, serve_device

# bp_classic SMTP field names
SERVER, PORT, TIMEOUT, SENDER_NAME, SENDER_ADDRESS, SSL_TLS, AUTH, USER, SMTP_PASSWORD, CHANGE_PASSWORD, \
    PROVIDER, ACCOUNT = (f"ggt_{kind}({i})" for i, kind in enumerate(
        ("textbox", "textbox", "textbox", "textbox", "textbox", "checkbox", "select", "textbox", "textbox",
         "checkbox", "select", "textbox"), start=1))
# bp_classic control names (the `action` its page script posts)
SUBMIT, GET_TOKEN, DELETE, CONNECTION_TEST = "submitbtn", "gettokenbtn", "deletebtn", "testButton"

FULL_SMTP = {
    SERVER: "smtp.office365.com", PORT: "587", TIMEOUT: "30", SENDER_NAME: 'Våning 3 "MFP" <A&B>',
    SENDER_ADDRESS: "scan@contoso.example", SSL_TLS: "1", AUTH: "2", PROVIDER: "1",
    ACCOUNT: "scan@contoso.example",
}


@pytest.fixture
def served(background_loop, lab_ca, tmp_path):
    """serve(**spec overrides) -> (device, browser); devices are stopped afterwards."""
    devices = []

    def serve(store_name="device.json", **overrides):
        device, browser = serve_device(background_loop, lab_ca, tmp_path / store_name, **overrides)
        devices.append(device)
        return device, browser

    yield serve
    for device in devices:
        background_loop.run(device.stop())


@pytest.fixture
def admin(served):
    """A logged-in browser on a default bp_classic device: (device, browser)."""
    device, browser = served()
    assert browser.login().status == 302
    return device, browser


def truth(background_loop, device):
    return background_loop.call(device.ground_truth)


# --- pages and login ---

def test_top_page_links_both_settings_pages_and_unknown_paths_are_404(served, background_loop):
    device, browser = served()
    root = browser.get("/")
    assert root.status == 302 and root.response.headers["Location"] == "/main.html"
    main = browser.get("/main.html")
    assert main.status == 200 and main.text("modelName") == "BP-C131PW"
    assert f'href="{SMTP}"' in main.response.text and f'href="{POP}"' in main.response.text
    assert "System Settings → Network Settings → Service Setting → SMTP" in main.response.text
    assert browser.get("/nosuch.html").status == 404
    assert truth(background_loop, device)["counters"]["requests"] == 3


def test_requests_refused_by_the_lab_middleware_still_count(background_loop, lab_ca, tmp_path):
    @web.middleware
    async def refuse(request, handler):
        return web.Response(status=503)

    spec = device_spec()
    device = Device(spec, JsonStore(tmp_path / "device.json"), None)
    base_url = background_loop.serve(device.app(middlewares=[refuse]), spec["address"], spec["port"],
                                     lab_ca.server_context(spec["address"]))
    browser = Admin(base_url, lab_ca.ca_path)
    assert browser.get(SMTP).status == 503
    assert browser.post(SMTP, {}).status == 503
    counters = truth(background_loop, device)["counters"]
    assert counters["requests"] == 2 and counters["posts"] == 1


def test_protected_pages_redirect_to_login_for_that_page(served):
    _device, browser = served()
    for page in (SMTP, POP):
        response = browser.get(page)
        assert response.status == 302
        assert response.response.headers["Location"] == f"/login.html?{page}"


def test_login_sets_session_cookie_and_redirects_to_the_page(served, background_loop):
    device, browser = served()
    form = browser.get(f"/login.html?{POP}").form()
    assert form.action == f"/login.html?{POP}"
    assert len(form.fields["token2"]) == 80
    assert "ggt_textbox(10002)" not in form.fields   # bp_classic: password only
    response = browser.login(target=POP)
    assert response.status == 302 and response.response.headers["Location"] == POP
    cookie = response.response.headers["Set-Cookie"]
    assert cookie.startswith("MFPSESSIONID=") and "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
    assert browser.get(POP).status == 200
    state = truth(background_loop, device)
    assert state["session"]["active"] and state["counters"]["logins"] == 1


def test_wrong_password_shows_form_again_and_counts(served, background_loop):
    device, browser = served()
    page = browser.login(password="wrong")
    assert page.status == 200
    assert err(page) == "Login failed. Check the login name and password."
    assert page.form().fields["token2"] and "ggt_textbox(10003)" in page.form().fields
    assert browser.get(SMTP).status == 302
    state = truth(background_loop, device)
    assert state["counters"]["failed_logins"] == 1
    assert state["session"] == {"active": False, "holder": None, "user_agent": None, "locked_until": None,
                                "failed_logins_in_row": 1}


def test_lockout_refuses_even_the_right_password_until_it_ends(served, background_loop):
    device, browser = served(lockout={"attempts": 3, "seconds": 1})
    for _attempt in range(3):
        browser.login(password="wrong")
    refused = browser.login()
    assert refused.status == 200
    assert err(refused) == "Login is locked because of repeated failed attempts. Try again later."
    state = truth(background_loop, device)
    assert state["session"]["locked_until"] and state["counters"]["failed_logins"] == 3
    time.sleep(1.1)
    assert browser.login().status == 302
    assert truth(background_loop, device)["session"]["failed_logins_in_row"] == 0


def test_login_token2_is_single_use_and_required(served, background_loop):
    device, browser = served()
    form = browser.get(f"/login.html?{SMTP}").form()
    fields = dict(form.fields, **{"ggt_textbox(10003)": PASSWORD, "action": "loginbtn"})
    assert browser.post(form.action, fields).status == 302
    browser.get("/logout.html")
    replayed = browser.post(form.action, fields)
    assert err(replayed) == "The page has expired. Reload the page and try again."
    missing = browser.post(form.action, {"ggt_textbox(10003)": PASSWORD, "action": "loginbtn"})
    assert missing.status == 200 and err(missing).startswith("The page has expired")
    assert truth(background_loop, device)["counters"]["logins"] == 1


def test_a_login_post_without_the_login_action_is_no_login(served, background_loop):
    # The firmware's script sets action=loginbtn on [Login]; a client that posts the form without
    # it (no script, or the button's name instead) gets the login form again, and no failed login.
    device, browser = served()
    form = browser.get(f"/login.html?{SMTP}").form()
    assert form.fields["action"] == "" and form.fields["ggt_select(10009)"] == "3"
    assert form.fields["ordinate"] == "0" and form.fields["ggt_hidden(10008)"] == "5"
    again = browser.post(form.action, dict(form.fields, **{"ggt_textbox(10003)": PASSWORD}))
    assert again.status == 200 and again.form().fields["token2"] and err(again) is None
    counters = truth(background_loop, device)["counters"]
    assert counters["logins"] == 0 and counters["failed_logins"] == 0


def test_mx_classic_asks_the_login_name_and_uses_its_own_field_names(served):
    _device, browser = served(model="MX-3071", profile="mx_classic")
    assert err(browser.login()).startswith("Login failed")
    assert err(browser.login(user="operator")).startswith("Login failed")
    assert browser.login(user="admin").status == 302
    page = browser.get(SMTP)
    assert page.text("modelName") == "MX-3071"
    assert page.form().fields["ggt_textbox(102)"] == "25"
    assert 'name="executebtn" value="Submit(U)" onclick="validate(this.name)"' in page.response.text
    assert browser.get(POP).form().fields["ggt_textbox(203)"] == "5"


def test_only_one_administrator_at_a_time(served, background_loop, lab_ca):
    device, first = served()
    second = Admin(first.base_url, lab_ca.ca_path)
    assert first.login().status == 302
    refused = second.login()
    assert err(refused) == "Another administrator is logged in. Try again later."
    assert truth(background_loop, device)["counters"]["failed_logins"] == 0
    assert first.get(SMTP).status == 200            # the first session is untouched
    assert first.login().status == 302              # its own cookie replaces its session
    first.get("/logout.html")
    assert second.login().status == 302


def test_idle_session_expires(served, background_loop, lab_ca):
    device, browser = served(session_idle_seconds=0.3)
    browser.login()
    assert browser.get(SMTP).status == 200
    time.sleep(0.4)
    assert browser.get(SMTP).status == 302
    assert not truth(background_loop, device)["session"]["active"]
    assert Admin(browser.base_url, lab_ca.ca_path).login().status == 302


def test_logout_ends_the_session(admin, background_loop):
    device, browser = admin
    page = browser.get("/logout.html")
    assert page.text(".ok") == "You have logged out."
    assert page.form().fields["token2"]
    assert browser.get(SMTP).status == 302
    assert not truth(background_loop, device)["session"]["active"]


def test_forced_session_expiry_and_reboot_need_a_new_login(admin, background_loop):
    device, browser = admin
    background_loop.call(device.expire_sessions)
    assert browser.get(SMTP).status == 302
    browser.login()
    browser.submit(SMTP, {SENDER_NAME: "kept"})
    background_loop.call(device.reboot)
    assert browser.get(SMTP).status == 302
    browser.login()
    assert browser.get(SMTP).form().fields[SENDER_NAME] == "kept"


# --- CSRF and form semantics ---

def test_settings_post_without_or_with_spent_token2_changes_nothing(admin, background_loop):
    device, browser = admin
    page = browser.get(SMTP)
    fields = dict(page.form().fields, **{SENDER_NAME: "first", "action": SUBMIT})
    assert browser.post(SMTP, fields).text(".ok") == "The settings have been saved."
    replay = browser.post(SMTP, dict(fields, **{SENDER_NAME: "second"}))
    assert err(replay) == "The page has expired. Reload the page and try again."
    no_token = {k: v for k, v in fields.items() if k != "token2"}
    no_token[SENDER_NAME] = "third"
    assert err(browser.post(SMTP, no_token)).startswith("The page has expired")
    state = truth(background_loop, device)
    assert state["settings"]["smtp"]["sender_name"] == "first"
    assert state["counters"]["settings_saved"] == 1


def test_token2_of_an_earlier_session_is_refused(admin, background_loop):
    device, browser = admin
    old = browser.get(SMTP).form().fields
    browser.get("/logout.html")
    browser.login()
    page = browser.post(SMTP, dict(old, **{SENDER_NAME: "stale", "action": SUBMIT}))
    assert err(page).startswith("The page has expired")
    assert truth(background_loop, device)["settings"]["smtp"]["sender_name"] == ""


def test_a_partial_post_empties_what_it_omits(admin, background_loop):
    device, browser = admin
    browser.submit(SMTP, FULL_SMTP)
    fields = browser.get(SMTP).form().fields
    page = browser.post(SMTP, {"token1": fields["token1"], "token2": fields["token2"], PORT: "2525", TIMEOUT: "20",
                               "action": SUBMIT})
    assert page.text(".ok") == "The settings have been saved."
    smtp = truth(background_loop, device)["settings"]["smtp"]
    assert smtp == {"primary_server": "", "port": 2525, "timeout": 20, "sender_name": "", "sender_address": "",
                    "ssl_tls": False, "auth_method": "none", "user": "", "password_set": False}
    assert truth(background_loop, device)["settings"]["oauth"] == {"provider": "", "account": ""}


def test_read_modify_write_keeps_every_other_setting(admin, background_loop):
    device, browser = admin
    browser.submit(SMTP, FULL_SMTP)
    browser.submit(SMTP, {TIMEOUT: "45"})
    smtp = truth(background_loop, device)["settings"]["smtp"]
    assert smtp == {"primary_server": "smtp.office365.com", "port": 587, "timeout": 45,
                    "sender_name": 'Våning 3 "MFP" <A&B>', "sender_address": "scan@contoso.example", "ssl_tls": True,
                    "auth_method": "oauth2", "user": "", "password_set": False}
    page = browser.get(SMTP)
    fields = page.form().fields
    assert fields[SSL_TLS] == "1" and fields[AUTH] == "2" and fields[PROVIDER] == "1"
    assert "&lt;A&amp;B&gt;" in page.response.text and "<A&B>" not in page.response.text   # escaped, not markup


@pytest.mark.parametrize("changes, message", [
    ({PORT: "70000"}, "Port Number: Enter a number from 1 to 65535."),
    ({PORT: ""}, "Port Number: Enter a number from 1 to 65535."),
    ({TIMEOUT: "0"}, "Timeout: Enter a number from 1 to 60."),
    ({SERVER: "smtp..example"}, "Primary Server: Enter a valid host name or IPv4 address."),
    ({SERVER: "300.1.1.1"}, "Primary Server: Enter a valid host name or IPv4 address."),
    ({SENDER_ADDRESS: "not-an-address"}, "Sender Address: Enter a valid e-mail address."),
    ({ACCOUNT: ""}, "Account Name: Enter a value."),
    ({PROVIDER: "0"}, "Provider: Select a provider."),
    ({SERVER: ""}, "Primary Server: Enter a value."),
    ({AUTH: "1"}, "User Name: Enter a value."),
    ({AUTH: "9"}, "Authentication Method: Select one of the options."),
    ({SENDER_NAME: "x" * 65}, "Sender Name: Enter at most 64 characters."),
])
def test_a_validation_error_changes_nothing(admin, background_loop, changes, message):
    device, browser = admin
    browser.submit(SMTP, FULL_SMTP)
    before = truth(background_loop, device)
    page = browser.submit(SMTP, dict(changes, **{SENDER_NAME: changes.get(SENDER_NAME, "edited")}))
    assert err(page) == message
    assert page.form().fields[SENDER_NAME] == changes.get(SENDER_NAME, "edited")   # the posted values, not the stored
    after = truth(background_loop, device)
    assert after["settings"] == before["settings"]
    assert after["counters"]["settings_saved"] == before["counters"]["settings_saved"]


def test_pop_validation_and_swedish_messages(served, background_loop):
    device, browser = served(language="sv")
    browser.login()
    page = browser.submit(POP, {"ggt_textbox(2)": "0"})
    assert err(page) == "Portnummer: Ange ett tal från 1 till 65535."
    page = browser.submit(POP, {"ggt_textbox(3)": "241"})
    assert err(page) == "Kontrollintervall: Ange ett tal från 1 till 240."
    page = browser.submit(POP, {"ggt_textbox(1)": "pop.example", "ggt_select(5)": "0"})
    assert err(page) == "Användarnamn: Ange ett värde."
    assert truth(background_loop, device)["settings"]["pop"]["server"] == ""
    page = browser.submit(POP, {"ggt_textbox(1)": "pop.example", "ggt_textbox(6)": "scanner"})
    assert page.text(".ok") == "Inställningarna har sparats."


# --- languages, shared credential, passwords ---

@pytest.mark.parametrize("language, state, label", [
    ("en", "not_obtained", "Not Obtained"), ("sv", "not_obtained", "Ej hämtad"),
    ("en", "obtained", "Obtained"), ("sv", "obtained", "Hämtad"),
    ("en", "invalid", "Invalid"), ("sv", "invalid", "Ogiltig"),
])
def test_token_panel_labels_in_the_ui_language(served, language, state, label):
    token = {"state": state}
    if state != "not_obtained":
        token.update(account="scan@contoso.example", provider="microsoft", refresh_token="rt")
    _device, browser = served(language=language, token=token)
    browser.login()
    for path in (SMTP, POP):
        page = browser.get(path)
        assert f'<html lang="{language}">' in page.response.text
        assert page.text("tokenStatus") == label
        assert page.text("tokenAccount") == (None if state == "not_obtained" else "scan@contoso.example")


def test_swedish_labels_follow_the_manual(served):
    _device, browser = served(language="sv")
    browser.login()
    smtp = browser.get(SMTP).response.text
    for label in ("Primär server", "Portnummer", "Sändarnamn", "Avsändaradress", "Aktivera SSL/TLS",
                  "Autentiseringsmetod", "Hämta token", "Radera", "Leverantör", "Kontonamn"):
        assert label in smtp
    pop = browser.get(POP).response.text
    assert "POP3-server" in pop and "Kontrollintervall" in pop
    assert "Systeminställningar → Systemstyrning → E-post varning/status → E-post status (Special-fliken)" in pop


def test_provider_and_account_are_shared_by_both_pages(admin, background_loop):
    device, browser = admin
    page = browser.submit(POP, {"ggt_select(9)": "1", "ggt_textbox(10)": "mailbox@contoso.example"})
    assert page.text(".ok") == "The settings have been saved."
    smtp = browser.get(SMTP).form()
    assert smtp.fields[PROVIDER] == "1" and smtp.fields[ACCOUNT] == "mailbox@contoso.example"
    assert truth(background_loop, device)["settings"]["oauth"] == {
        "provider": "microsoft", "account": "mailbox@contoso.example"}


def test_passwords_are_write_only_and_change_only_with_change_password(admin, background_loop, tmp_path):
    device, browser = admin
    auth = {AUTH: "1", USER: "scanner", SERVER: "smtp.example"}
    browser.submit(SMTP, dict(auth, **{SMTP_PASSWORD: "S3cret-pw", CHANGE_PASSWORD: "1"}))
    page = browser.get(SMTP)
    assert "S3cret-pw" not in page.response.text and page.form().fields[SMTP_PASSWORD] == ""
    assert CHANGE_PASSWORD not in page.form().fields
    assert truth(background_loop, device)["settings"]["smtp"]["password_set"]
    browser.submit(SMTP, {SMTP_PASSWORD: "ignored"})      # no Change Password: kept
    stored = JsonStore(tmp_path / "device.json").load()
    assert stored["settings"]["smtp"]["password"] == "S3cret-pw"
    browser.submit(SMTP, {CHANGE_PASSWORD: "1"})           # Change Password with nothing typed: cleared
    assert not truth(background_loop, device)["settings"]["smtp"]["password_set"]


# --- token buttons without a provider ---

def test_get_token_and_delete_are_confirmed_by_the_pages_script(admin):
    # bp_classic: confirm() in the browser, so one POST with action=gettokenbtn does it.
    _device, browser = admin
    page = browser.get(SMTP)
    text = page.response.text
    assert f'<input type="button" name="{GET_TOKEN}" value="Get Token" onclick="validate(this.name)">' in text
    assert 'confirm("Obtain a token for the account entered?")' in text and 'confirm("Delete the token?")' in text
    fields = page.form().fields
    assert fields["action"] == "" and fields["ordinate"] == "0" and fields["nw_service_smtpWebChange"] == ""
    assert len(fields["token1"]) == 80 and len(fields["token2"]) == 80
    assert not page.form().buttons   # no submit buttons: every control is type="button"


# mx_classic SMTP fields for [Get Token]: OAuth 2.0, Microsoft, an account
# (mx_classic numbers its options from 1: OAuth 2.0 is 3, Microsoft 2)
MX_OAUTH = {"ggt_textbox(101)": "smtp.office365.com", "ggt_select(107)": "3", "ggt_select(111)": "2",
            "ggt_textbox(112)": "new@contoso.example"}


@pytest.fixture
def mx_admin(served):
    """A logged-in browser on an mx_classic device (confirmation pages): (device, browser)."""
    device, browser = served(model="MX-3071", profile="mx_classic")
    assert browser.login(user="admin").status == 302
    return device, browser


def test_mx_classic_asks_on_a_confirmation_page_and_cancel_changes_nothing(mx_admin, background_loop):
    device, browser = mx_admin
    form = MX_OAUTH
    confirm = browser.submit(SMTP, form, button="tokengetbtn")
    assert confirm.text("confirmMessage") == "Obtain a token for new@contoso.example?"
    assert 'name="okbtn"' in confirm.response.text and 'name="cancelbtn"' in confirm.response.text
    assert truth(background_loop, device)["counters"]["settings_saved"] == 0
    page = browser.confirm(confirm, ok=False)
    assert page.text("tokenStatus") == "Not Obtained"
    state = truth(background_loop, device)
    assert state["settings"]["oauth"]["account"] == "" and state["counters"]["settings_saved"] == 0
    page = browser.confirm(browser.submit(SMTP, form, button="tokengetbtn"))
    assert err(page) == "Could not connect to the provider. The token was not obtained."
    assert truth(background_loop, device)["settings"]["oauth"]["account"] == "new@contoso.example"


def test_get_token_needs_provider_and_account(admin):
    _device, browser = admin
    page = browser.submit(SMTP, {AUTH: "2", PROVIDER: "1", SERVER: "smtp.office365.com"}, button=GET_TOKEN)
    assert err(page) == "Account Name: Enter a value."
    assert page.text("confirmMessage") is None


def test_get_token_needs_oauth2_selected_first(admin):
    _device, browser = admin
    page = browser.submit(SMTP, dict(FULL_SMTP, **{AUTH: "1"}), button=GET_TOKEN)
    assert err(page) == "Authentication Method: Select OAuth 2.0 to get a token."
    assert page.text("confirmMessage") is None


@pytest.mark.parametrize("provider", ["1", "2"])
def test_get_token_without_a_reachable_provider_saves_but_stays_not_obtained(admin, background_loop, provider):
    device, browser = admin
    page = browser.submit(SMTP, dict(FULL_SMTP, **{PROVIDER: provider}), button=GET_TOKEN)
    assert page.text(".err") == "ERROR[1003]: Could not connect to the provider. The token was not obtained."
    assert page.text("tokenStatus") == "Not Obtained"
    state = truth(background_loop, device)
    assert state["token"]["state"] == "not_obtained"
    assert state["settings"]["smtp"]["auth_method"] == "oauth2" and state["counters"]["settings_saved"] == 1


def test_a_busy_machine_shows_the_confirmation_again(background_loop, lab_ca, tmp_path):
    spec = device_spec(model="MX-3071", profile="mx_classic")
    device = Device(spec, JsonStore(tmp_path / "mx.json"), None)
    faults = Faults(spec["name"], {})
    base_url = background_loop.serve(device.app(middlewares=[faults.middleware]), spec["address"], spec["port"],
                                     lab_ca.server_context(spec["address"]))
    browser = Admin(base_url, lab_ca.ca_path)
    browser.login(user="admin")
    confirm = browser.submit(SMTP, MX_OAUTH, button="tokengetbtn")
    faults.update({"busy_rate": 1.0})
    again = browser.confirm(confirm)
    assert again.text(".err").startswith("ERROR[5000]") and again.text("confirmMessage") == confirm.text("confirmMessage")
    faults.update({"busy_rate": None})
    assert err(browser.confirm(again)) == "Could not connect to the provider. The token was not obtained."
    assert truth(background_loop, device)["settings"]["oauth"]["account"] == "new@contoso.example"


def test_a_confirmation_is_answered_once_and_not_after_a_reboot(mx_admin, background_loop):
    device, browser = mx_admin
    form = MX_OAUTH
    confirm = browser.submit(SMTP, form, button="tokengetbtn")
    forged = dict(confirm.form().fields, action="okbtn", token2="0" * 80)
    assert err(browser.post(SMTP, forged)).startswith("The page has expired")
    assert browser.confirm(confirm).text("confirmMessage") is None   # the confirmation was spent
    confirm = browser.submit(SMTP, form, button="tokengetbtn")
    background_loop.call(device.reboot)
    assert browser.confirm(confirm).status == 302
    assert truth(background_loop, device)["counters"]["settings_saved"] == 0


def test_delete_is_one_post_and_ignores_posted_values(served, background_loop):
    token = {"state": "obtained", "account": "scan@contoso.example", "provider": "microsoft", "refresh_token": "rt"}
    device, browser = served(token=token)
    browser.login()
    page = browser.submit(POP, {"ggt_textbox(2)": "995"}, button=DELETE)
    assert page.text(".ok") == "The token has been deleted."
    assert page.text("tokenStatus") == "Not Obtained" and page.text("tokenAccount") is None
    state = truth(background_loop, device)
    assert state["token"]["state"] == "not_obtained" and state["settings"]["pop"]["port"] == 110
    assert browser.get(SMTP).text("tokenStatus") == "Not Obtained"


def test_connection_test_tests_the_posted_values_without_saving_them(admin, background_loop):
    device, browser = admin
    assert err(browser.submit(SMTP, button=CONNECTION_TEST)) == "Connection test failed. (no server): name or service not known"
    page = browser.submit(SMTP, {SERVER: "smtp.example"}, button=CONNECTION_TEST)
    # A device on no network: the name does not resolve (test_mail.py tests against the lab's servers).
    assert err(page) == "Connection test failed. smtp.example: name or service not known"
    assert page.form().fields[SERVER] == "smtp.example"     # the page keeps what was tested
    assert truth(background_loop, device)["settings"]["smtp"]["primary_server"] == ""   # nothing saved
    assert err(browser.submit(SMTP, FULL_SMTP, button=CONNECTION_TEST)) == "Connection test failed. no_token"


def test_unknown_actions_and_the_old_submit_button_convention_change_nothing(admin, background_loop):
    device, browser = admin
    for extra in ({"action": "nosuchbtn"}, {"action": "", "ggt_submit(20)": "Submit"}, {"ggt_submit(20)": "Submit"}):
        fields = dict(browser.get(SMTP).form().fields, **{SENDER_NAME: "changed"}, **extra)
        page = browser.post(SMTP, fields)
        assert page.status == 200 and page.text(".ok") is None and page.text(".err") is None
        assert page.form().fields[SENDER_NAME] == ""
    assert truth(background_loop, device)["counters"]["settings_saved"] == 0


def test_logout_control_on_the_page_ends_the_session(admin, background_loop):
    device, browser = admin
    page = browser.get(SMTP)
    assert '<input type="button" name="logoutbtn" value="Logout(L)" onclick="validate(this.name)">' in \
        page.response.text
    page = browser.submit(SMTP, button="logoutbtn")
    assert page.text(".ok") == "You have logged out." and page.form().fields["token2"]
    assert browser.get(SMTP).status == 302
    assert not truth(background_loop, device)["session"]["active"]


def test_token1_must_match_its_token2(admin, background_loop):
    device, browser = admin
    fields = dict(browser.get(SMTP).form().fields, **{SENDER_NAME: "x", "action": SUBMIT})
    assert err(browser.post(SMTP, dict(fields, token1="f" * 80))).startswith("The page has expired")
    assert truth(background_loop, device)["counters"]["settings_saved"] == 0


def test_busy_machine_answers_error_5000_and_does_nothing(background_loop, lab_ca, tmp_path):
    spec = device_spec()
    device = Device(spec, JsonStore(tmp_path / "device.json"), None)
    faults = Faults(spec["name"], {"busy_rate": 1.0})
    base_url = background_loop.serve(device.app(middlewares=[faults.middleware]), spec["address"], spec["port"],
                                     lab_ca.server_context(spec["address"]))
    browser = Admin(base_url, lab_ca.ca_path)
    assert browser.login().status == 302    # the login is no settings post
    page = browser.submit(SMTP, {SENDER_NAME: "busy"})
    assert page.text(".err") == "ERROR[5000]: The machine is busy. Try again later."
    assert page.form().fields["token2"] and page.form().fields[SENDER_NAME] == ""
    faults.update({"busy_rate": None})
    assert browser.submit(SMTP, {SENDER_NAME: "busy"}).text(".ok") == "The settings have been saved."
    assert truth(background_loop, device)["counters"]["settings_saved"] == 1


# --- ground truth and persistence ---

def test_ground_truth_holds_no_secrets(served, background_loop):
    token = {"state": "obtained", "account": "scan@contoso.example", "provider": "microsoft",
             "refresh_token": "RT-very-secret"}
    settings = {"smtp": {"password": "smtp-pw-secret", "user": "u"}, "pop": {"password": "pop-pw-secret"}}
    device, _browser = served(token=token, settings=settings)
    state = truth(background_loop, device)
    text = json.dumps(state)
    for secret in ("RT-very-secret", "smtp-pw-secret", "pop-pw-secret", PASSWORD):
        assert secret not in text
    assert state["settings"]["smtp"]["password_set"] and state["settings"]["pop"]["password_set"]
    assert state["token"]["state"] == "obtained" and state["token"]["account"] == "scan@contoso.example"
    assert set(state) == {"name", "address", "port", "model", "profile", "language", "settings", "token",
                          "session", "counters"}


def test_settings_and_token_survive_a_new_device_over_the_same_store(served, background_loop, tmp_path):
    token = {"state": "obtained", "account": "scan@contoso.example", "provider": "microsoft", "refresh_token": "rt"}
    device, browser = served(token=token, settings={"smtp": {"sender_name": "initial"}})
    assert truth(background_loop, device)["settings"]["smtp"]["sender_name"] == "initial"
    browser.login()
    browser.submit(SMTP, dict(FULL_SMTP, **{SENDER_NAME: "changed"}))
    spec = device_spec(settings={"smtp": {"sender_name": "ignored"}}, token={"state": "not_obtained"})
    reborn = Device(spec, JsonStore(tmp_path / "device.json"), None)
    state = reborn.ground_truth()
    assert state["settings"]["smtp"]["sender_name"] == "changed"
    assert state["settings"]["oauth"]["account"] == "scan@contoso.example"
    assert state["token"]["state"] == "obtained" and state["token"]["account"] == "scan@contoso.example"


# --- A3 models: POP's own credential, and a token obtained on the panel ---

def test_an_independent_pop_credential_is_pops_alone(served, background_loop):
    smtp_token = {"state": "obtained", "account": "scan@contoso.example", "provider": "microsoft", "refresh_token": "a"}
    pop_token = {"state": "obtained", "account": "pop@contoso.example", "provider": "microsoft", "refresh_token": "b"}
    device, browser = served(profile="bp_a3", model="BP-B550WD", token=smtp_token, pop_token=pop_token,
                             settings={"oauth": {"provider": "microsoft", "account": "scan@contoso.example"}})
    browser.login()
    assert browser.get(POP).text("tokenAccount") == "pop@contoso.example"
    page = browser.submit(POP, {"ggt_select(9)": "1", "ggt_textbox(10)": "mailbox@contoso.example"})
    assert page.text(".ok") == "The settings have been saved."
    assert browser.get(SMTP).form().fields[ACCOUNT] == "scan@contoso.example"   # SMTP's own, untouched
    assert browser.submit(POP, button=DELETE).text("tokenStatus") == "Not Obtained"
    assert browser.get(SMTP).text("tokenStatus") == "Obtained"
    state = truth(background_loop, device)
    assert state["settings"]["oauth"]["account"] == "scan@contoso.example"
    assert state["settings"]["pop_oauth"] == {"provider": "microsoft", "account": "mailbox@contoso.example"}
    assert state["token"]["state"] == "obtained" and state["pop_token"]["state"] == "not_obtained"


def test_a_panel_only_model_offers_no_get_token_on_its_page(served, background_loop):
    token = {"state": "obtained", "account": "scan@contoso.example", "provider": "microsoft", "refresh_token": "rt"}
    device, browser = served(profile="bp_a3_panel", model="BP-70C65", token=token)
    browser.login()
    page = browser.get(SMTP)
    assert f'name="{GET_TOKEN}"' not in page.response.text and f'name="{DELETE}"' in page.response.text
    ignored = browser.submit(SMTP, dict(FULL_SMTP), button=GET_TOKEN)
    assert ignored.text(".ok") is None and ignored.text(".err") is None
    assert ignored.text("tokenStatus") == "Obtained"
    assert browser.submit(SMTP, button=DELETE).text("tokenStatus") == "Not Obtained"
    assert truth(background_loop, device)["token"]["state"] == "not_obtained"
