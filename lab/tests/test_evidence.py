"""The lab accepts what public clients of real Sharp printers send, and renders what they read
(tests/fixtures/sharp/captures.yml names the sources)."""

import urllib.parse
from pathlib import Path

import pytest
import yaml

from firmware_fixtures import PASSWORD, POP, SMTP, err, serve_device

CAPTURES = yaml.safe_load((Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "sharp" / "captures.yml")
                          .read_text(encoding="utf-8"))


@pytest.fixture
def served(background_loop, lab_ca, tmp_path):
    devices = []

    def serve(**overrides):
        device, browser = serve_device(background_loop, lab_ca, tmp_path / f"device{len(devices)}.json", **overrides)
        devices.append(device)
        return device, browser

    yield serve
    for device in devices:
        background_loop.run(device.stop())


def as_captured(body, page):
    """The captured body, in its order, with the placeholders filled from `page` (the form it answers)."""
    fields = page.form().fields
    values = {"<password>": PASSWORD, "<user>": "admin"}
    return [(name, fields[name] if value in ("<token2>", "<token1>", "<any>") else values.get(value, value))
            for name, value in urllib.parse.parse_qsl(body, keep_blank_values=True)]


@pytest.mark.parametrize("capture", CAPTURES["logins"], ids=lambda capture: capture["authentication"])
@pytest.mark.parametrize("profile, model", [("bp_classic", "BP-C131PW"), ("mx_classic", "MX-3071")])
def test_the_login_of_each_authentication_mode_accepts_the_captured_body(served, capture, profile, model):
    # The form follows the device's authentication mode, whatever its family.
    _device, browser = served(profile=profile, model=model, authentication=capture["authentication"])
    page = browser.get(f"/login.html?{SMTP}")
    assert page.response.cookies.get("MFPSESSIONID"), "the first GET sets the session cookie"
    visitor = page.response.cookies["MFPSESSIONID"]
    for body in capture["steps"]:
        page = browser.post(f"/login.html?{SMTP}", as_captured(body, page))
    assert page.status == 302 and page.response.headers["Location"] == SMTP
    assert page.response.cookies["MFPSESSIONID"] != visitor, "a new session id at login"
    assert browser.get(SMTP).status == 200


def test_the_captured_login_without_the_cookie_it_was_shown_with_is_refused(served, lab_ca):
    _device, browser = served()
    capture = CAPTURES["logins"][0]
    page = browser.get(f"/login.html?{SMTP}")
    browser.browser._http.cookies.clear()   # another client replaying the form
    refused = browser.post(f"/login.html?{SMTP}", as_captured(capture["steps"][0], page))
    assert refused.status == 200 and err(refused).startswith("The page has expired")


@pytest.mark.parametrize("path", [SMTP, POP])
@pytest.mark.parametrize("profile, model", [("bp_classic", "BP-C131PW"), ("mx_classic", "MX-3071"),
                                            ("bp_a3", "BP-B550WD"), ("bp_a3_panel", "BP-70C65")])
def test_a_settings_form_carries_the_captured_hidden_fields_and_controls(served, path, profile, model):
    _device, browser = served(profile=profile, model=model, authentication="password")
    assert browser.login(target=path).status == 302
    page = browser.get(path)
    hidden = [name.replace("<page>", path.strip("/").rsplit(".", 1)[0]) for name in CAPTURES["settings_post"]["hidden"]]
    assert all(name in page.form().fields for name in hidden)
    assert len(page.form().fields["token1"]) == len(page.form().fields["token2"]) == 80
    assert not page.form().buttons   # only type="button" controls, as the captured one:
    assert 'type="button"' in CAPTURES["fragments"]["control"]["html"]
    assert 'onclick="validate(this.name)">' in page.response.text


def test_delete_is_one_post_with_action_deletebtn(served):
    token = {"state": "obtained", "account": "scan@contoso.example", "provider": "microsoft", "refresh_token": "rt"}
    _device, browser = served(token=token)
    browser.login()
    page = browser.submit(SMTP, button=CAPTURES["fragments"]["delete"]["action"])
    assert page.text("tokenStatus") == "Not Obtained"
    assert f'<p class="ok">{page.text(".ok")}</p>' in page.response.text


@pytest.mark.parametrize("language, title", [("en", "Login - BP-71C65"), ("sv", "Inloggning - BP-71C65")])
def test_login_titles_are_the_captured_ones(served, language, title):
    assert title in CAPTURES["fragments"]["login_title"]["titles"]
    _device, browser = served(model="BP-71C65", language=language)
    assert f"<title>{title}</title>" in browser.get(f"/login.html?{SMTP}").response.text
