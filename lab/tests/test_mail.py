"""The lab's mail servers with real clients (smtplib, poplib), and devices that send and test over them."""

import base64
import contextlib
import json
import poplib
import smtplib
import ssl
import time

import pytest

from mfplab.fleet import FleetError, parse_fleet
from mfplab.server import MAIL_SCOPES, LabThread

from test_lab import ACCOUNT, ACCOUNT_PASSWORD, OAUTH_SMTP, Control, fleet_document, logged_in

OTHER = "old-scan@contoso.example"
BASIC_SMTP = dict(OAUTH_SMTP, auth_method="smtp_auth", user=ACCOUNT, password=ACCOUNT_PASSWORD)
OAUTH_POP = {"server": "outlook.office365.com", "port": 995, "ssl": True, "auth_method": "oauth2"}
OAUTH = {"provider": "microsoft", "account": ACCOUNT}
DEVICES = [
    {"name": "modern", "settings": {"smtp": OAUTH_SMTP, "pop": OAUTH_POP, "oauth": OAUTH},
     "token": {"state": "obtained", "account": ACCOUNT}},
    {"name": "legacy", "settings": {"smtp": BASIC_SMTP}},
    {"name": "implicit", "settings": {"smtp": dict(BASIC_SMTP, port=465)}},
    {"name": "typo", "settings": {"smtp": dict(BASIC_SMTP, primary_server="smtp.office356.com")}},
    {"name": "borrowed", "settings": {"smtp": OAUTH_SMTP, "oauth": OAUTH},
     "token": {"state": "obtained", "account": OTHER}},
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with LabThread(parse_fleet(fleet_document(DEVICES)), tmp_path_factory.mktemp("mail") / "state") as running:
        yield running


@pytest.fixture(scope="module")
def control(lab):
    return Control(lab)


@pytest.fixture
def contoso_basic_auth(control):
    """Basic authentication on for contoso, as the fleet starts; on again after the test."""
    yield lambda enabled: control.post("/mail/tenants/contoso/basic-auth", {"enabled": enabled}).json()
    control.post("/mail/tenants/contoso/basic-auth", {"enabled": True})


def tls(lab):
    return ssl.create_default_context(cafile=str(lab.lab.ca.ca_path))


def submission(lab, implicit=False):
    mail = lab.lab.mail
    if implicit:
        connection = smtplib.SMTP_SSL(mail.config["address"], mail.ports["implicit_tls_port"], context=tls(lab),
                                      timeout=10)
    else:
        connection = smtplib.SMTP(mail.config["address"], mail.ports["submission_port"], timeout=10)
        connection.starttls(context=tls(lab))
    connection.ehlo()
    return connection


def pop3(lab):
    mail = lab.lab.mail
    return contextlib.closing(poplib.POP3_SSL(mail.config["address"], mail.ports["pop3_port"], context=tls(lab),
                                              timeout=10))


def access_token(lab, username, scopes=None):
    return lab.call(lab.lab.idp.issue_tokens, username, lab.lab.fleet.device_client_id,
                    scopes or MAIL_SCOPES)["access_token"]


def xoauth2(user, token):
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def smtp_xoauth2(lab, user, token):
    with submission(lab) as connection:
        try:
            return connection.auth("XOAUTH2", lambda challenge=None: xoauth2(user, token))
        except smtplib.SMTPAuthenticationError as error:
            return error.smtp_code, error.smtp_error


def smtp_login(lab, user, password, implicit=False):
    with submission(lab, implicit) as connection:
        try:
            return connection.login(user, password)
        except smtplib.SMTPAuthenticationError as error:
            return error.smtp_code, error.smtp_error


def test_xoauth2_is_accepted_for_the_tokens_mailbox_and_the_mail_lands_there(lab, control):
    token = access_token(lab, ACCOUNT)
    with submission(lab) as connection:
        assert connection.auth("XOAUTH2", lambda challenge=None: xoauth2(ACCOUNT, token)) == (
            235, b"2.7.0 Authentication successful")
        connection.sendmail(ACCOUNT, [OTHER], b"Subject: by hand\r\n\r\nhello\r\n")
    [message] = [m for m in control.get(f"/mail/{OTHER}").json()["messages"] if m["subject"] == "by hand"]
    assert message["authenticated_as"] == ACCOUNT and message["method"] == "XOAUTH2"


def test_xoauth2_is_refused_for_another_mailbox_an_expired_token_and_the_wrong_audience_or_scope(lab):
    refused = (535, b"5.7.3 Authentication unsuccessful")
    assert smtp_xoauth2(lab, OTHER, access_token(lab, ACCOUNT)) == refused
    now = int(time.time())
    expired = lab.lab.idp.signing_key.sign({"aud": "https://outlook.office.com", "scp": "SMTP.Send", "upn": ACCOUNT,
                                            "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600})
    assert smtp_xoauth2(lab, ACCOUNT, expired) == refused
    assert smtp_xoauth2(lab, ACCOUNT, access_token(lab, ACCOUNT, ["User.Read"])) == refused   # a Graph token
    pop_only = access_token(lab, ACCOUNT, ["https://outlook.office.com/POP.AccessAsUser.All"])
    assert smtp_xoauth2(lab, ACCOUNT, pop_only) == refused
    assert smtp_xoauth2(lab, ACCOUNT, access_token(lab, ACCOUNT)[:-4] + "AAAA") == refused   # signature broken


def test_basic_authentication_works_until_the_tenant_switches_it_off(lab, contoso_basic_auth):
    assert smtp_login(lab, ACCOUNT, ACCOUNT_PASSWORD) == (235, b"2.7.0 Authentication successful")
    assert smtp_login(lab, ACCOUNT, "wrong") == (
        535, b"5.7.139 Authentication unsuccessful, the user credentials were incorrect.")
    assert contoso_basic_auth(False) == {"tenant": "contoso", "basic_auth": False}
    refusal = (550, b"5.7.30 Basic authentication is not supported for Client Submission")
    assert smtp_login(lab, ACCOUNT, ACCOUNT_PASSWORD) == refusal
    assert smtp_login(lab, ACCOUNT, ACCOUNT_PASSWORD, implicit=True) == refusal
    assert smtp_xoauth2(lab, ACCOUNT, access_token(lab, ACCOUNT))[0] == 235   # OAuth is not affected
    with pop3(lab) as pop:
        pop.user(ACCOUNT)
        with pytest.raises(poplib.error_proto, match="Logon failure"):
            pop.pass_(ACCOUNT_PASSWORD)


def test_no_authentication_no_mail_and_no_auth_before_starttls(lab):
    mail = lab.lab.mail
    with smtplib.SMTP(mail.config["address"], mail.ports["submission_port"], timeout=10) as plain:
        plain.ehlo()
        assert "auth" not in plain.esmtp_features and "starttls" in plain.esmtp_features
    with submission(lab) as connection:
        assert connection.mail(ACCOUNT) == (530, b"5.7.57 Client not authenticated to send mail.")


def test_pop3_xoauth2_reads_and_deletes_the_mailbox(lab, control):
    control.post("/devices/modern/send-mail", {"to": ACCOUNT})
    waiting = len(control.get(f"/mail/{ACCOUNT}").json()["messages"])
    assert waiting >= 1
    with pop3(lab) as pop:
        assert pop.getwelcome() == b"+OK The Microsoft Exchange POP3 service is ready."
        assert pop.capa()["SASL"] == ["PLAIN", "XOAUTH2"]
        pop._shortcmd("AUTH XOAUTH2")
        with pytest.raises(poplib.error_proto, match="Authentication failure"):
            pop._shortcmd(base64.b64encode(xoauth2(OTHER, access_token(lab, ACCOUNT)).encode()).decode())
    with pop3(lab) as pop:
        pop._shortcmd("AUTH XOAUTH2")
        assert pop._shortcmd(base64.b64encode(xoauth2(ACCOUNT, access_token(lab, ACCOUNT)).encode()).decode()) == \
            b"+OK User successfully authenticated."
        assert pop.stat()[0] == waiting
        assert b"Scanned image from" in b"\n".join(pop.retr(1)[1])
        pop.dele(1)
        pop.quit()
    assert len(control.get(f"/mail/{ACCOUNT}").json()["messages"]) == waiting - 1


def test_a_scan_to_email_refreshes_the_token_and_sends_with_xoauth2(lab, control):
    answer = control.post("/devices/modern/send-mail", {"to": OTHER}).json()
    assert answer == {"state": "obtained", "reply": "250 2.0.0 OK"}
    message = control.get(f"/mail/{OTHER}").json()["messages"][-1]
    assert message["subject"] == "Scanned image from BP-C131PW" and message["method"] == "XOAUTH2"
    stored = (lab.lab.state_dir / "mail.json").read_text() + json.dumps(answer)
    refresh_token = json.loads((lab.lab.state_dir / "devices" / "modern.json").read_text())["token"]["refresh_token"]
    assert refresh_token not in stored and "Bearer" not in stored and ACCOUNT_PASSWORD not in stored


def test_devices_fail_the_way_they_would(lab, control, contoso_basic_auth):
    assert control.post("/devices/borrowed/send-mail").json() == {
        "state": "obtained", "error": "authentication_failed", "reply": "535 5.7.3 Authentication unsuccessful"}
    assert control.post("/devices/typo/send-mail").json() == {
        "state": "not_obtained", "error": "server_not_found", "reply": "smtp.office356.com: name or service not known"}
    for name in ("legacy", "implicit"):
        assert control.post(f"/devices/{name}/send-mail").json() == {"state": "not_obtained", "reply": "250 2.0.0 OK"}
    contoso_basic_auth(False)
    assert control.post("/devices/legacy/send-mail").json() == {
        "state": "not_obtained", "error": "authentication_failed",
        "reply": "550 5.7.30 Basic authentication is not supported for Client Submission"}


def test_connection_test_reports_the_servers_answer_for_the_posted_values(lab, control, contoso_basic_auth):
    browser = logged_in(lab, "legacy")
    before = control.device("legacy")["counters"]["settings_saved"]
    page = browser.submit(action="testButton")
    assert page.text(".ok") == "Connection test succeeded. 235 2.7.0 Authentication successful"
    contoso_basic_auth(False)
    page = browser.submit(action="testButton")
    assert page.text(".err") == ("ERROR[1004]: Connection test failed. "
                                 "550 5.7.30 Basic authentication is not supported for Client Submission")
    page = browser.submit(action="testButton", **{"ggt_textbox(2)": "2525"})   # nothing listens there
    assert page.text(".err").startswith("ERROR[1004]: Connection test failed. smtp.office365.com:2525")
    assert control.device("legacy")["counters"]["settings_saved"] == before   # tested, never saved
    browser.open(f"{browser_base(lab, 'legacy')}/logout.html")

    modern = logged_in(lab, "modern")
    assert modern.submit(action="testButton").text(".ok") == \
        "Connection test succeeded. 235 2.7.0 Authentication successful"


def browser_base(lab, name):
    host = lab.lab.host(name)
    return f"https://{host.address}:{host.port}"


def test_the_pop_side_checks_mail_with_its_method(lab, control):
    control.post("/devices/modern/send-mail", {"to": ACCOUNT})
    checked = control.post("/devices/modern/check-mail").json()
    assert checked["reply"] == "+OK User successfully authenticated." and checked["messages"] >= 1
    assert control.get(f"/mail/{ACCOUNT}").json()["messages"] == []   # fetched and deleted, as a printer does
    assert control.post("/devices/legacy/check-mail").json() == {"error": "not_configured"}


def test_the_fleet_file_names_the_mail_servers_tenants(lab):
    document = fleet_document(DEVICES[:1])
    assert parse_fleet(document).mail["server_names"] == ["smtp.office365.com", "outlook.office365.com"]
    with pytest.raises(FleetError, match="mail.basic_auth_disabled"):
        parse_fleet(dict(document, mail={"basic_auth_disabled": ["nosuch"]}))
    with pytest.raises(FleetError, match="mail.address"):
        parse_fleet(dict(document, mail={"address": "10.0.0.1"}))
    disabled = parse_fleet(dict(document, mail={"basic_auth_disabled": ["contoso"]}))
    assert disabled.mail["basic_auth_disabled"] == ["contoso"]
