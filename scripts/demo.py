#!/usr/bin/env python3
"""`make demo`: the main job on the lab.

Starts the default lab fleet, prints it, then does on one printer what an administrator does by
hand today: open the SMTP tab, choose OAuth 2.0, a provider and an account, press [Get Token]
and [OK]; a mailbox user signs in with the shown code on the provider's /devicelogin page; the
printer's token goes Not Obtained → Waiting for Authorization → Obtained. Then stops the lab.
"""

import shutil
import sys
import time
from pathlib import Path

from mfplab.browser import Browser
from mfplab.cli import status_table
from mfplab.fleet import load_fleet
from mfplab.server import LabThread

STATE_DIR = Path("build/demo-lab")
DEVICE = "mfp-hq-01"
ACCOUNT, ACCOUNT_PASSWORD = "scan@contoso.example", "Scan-Lab-2026"
SMTP_PAGE = "/nw_service_smtp.html"
# bp_classic field names (docs/device-protocol.md): authentication, provider, account, buttons.
AUTH, PROVIDER, ACCOUNT_NAME = "ggt_select(7)", "ggt_select(11)", "ggt_textbox(12)"
GET_TOKEN, CONFIRM_OK = "ggt_button(21)", "ggt_submit(31)"
PASSWORD_FIELD, LOGIN_BUTTON = "ggt_textbox(10003)", "ggt_submit(10008)"


def step(text):
    print(f"\n== {text}", flush=True)


def token_line(page):
    status = page.text("tokenStatus")
    code = page.text("tokenUserCode")
    return f"Token: {status}" + (f" (code {code} at {page.text('tokenVerificationUri')})" if code else "")


def administrator_requests_token(base_url, ca_path, admin_password):
    admin = Browser(ca_path)
    admin.open(f"{base_url}/login.html?{SMTP_PAGE}")
    page = admin.submit(button=LOGIN_BUTTON, **{PASSWORD_FIELD: admin_password})
    print(f"logged in; SMTP tab shows {token_line(page)}")
    admin.submit(button=GET_TOKEN, **{AUTH: "2", PROVIDER: "1", ACCOUNT_NAME: ACCOUNT})
    print(f"[Get Token] → {admin.page.text('confirmMessage')}  [OK]")
    page = admin.submit(button=CONFIRM_OK)
    print(f"SMTP tab shows {token_line(page)}")
    return admin, page.text("tokenUserCode"), page.text("tokenVerificationUri")


def person_signs_in(verification_uri, user_code, ca_path):
    person = Browser(ca_path)
    person.open(verification_uri)
    person.submit(user_code=user_code)
    page = person.submit(username=ACCOUNT, password=ACCOUNT_PASSWORD)
    if page.forms and "decision" in page.form().buttons:
        print("the provider asks for consent: Accept")
        page = person.submit(button="decision", button_value="accept")
    if "You have signed in" not in page.response.text:
        raise SystemExit(f"demo: the sign-in did not complete (HTTP {page.status} at {page.url})")
    print(f"{ACCOUNT} signed in: the provider says the device may now use the account")


def wait_for_obtained(admin, base_url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = admin.open(f"{base_url}{SMTP_PAGE}")
        if page.text("tokenStatus") != "Waiting for Authorization":
            return page
        time.sleep(1)
    raise SystemExit("demo: the printer did not obtain its token in time")


def main():
    shutil.rmtree(STATE_DIR, ignore_errors=True)   # every demo starts from the fleet file
    fleet = load_fleet()
    step(f"starting the lab: {len(fleet.devices)} printers and an identity provider on loopback")
    with LabThread(fleet, STATE_DIR) as running:
        lab = running.lab
        ca_path = lab.ca.ca_path
        print(status_table([host.ground_truth() for host in lab.hosts.values()]))
        host = lab.host(DEVICE)
        base_url = f"https://{host.address}:{host.port}"
        admin_password = next(d["admin_password"] for d in fleet.devices if d["name"] == DEVICE)

        step(f"{DEVICE}: the administrator chooses OAuth 2.0 and presses [Get Token] on {base_url}{SMTP_PAGE}")
        admin, user_code, verification_uri = administrator_requests_token(base_url, ca_path, admin_password)

        step(f"a person opens {verification_uri} and enters code {user_code}")
        person_signs_in(verification_uri, user_code, ca_path)

        step(f"{DEVICE}: the printer polls the provider")
        page = wait_for_obtained(admin, base_url)
        print(f"SMTP tab shows {token_line(page)}, account {page.text('tokenAccount')}")
        pop = admin.open(f"{base_url}/sys_email_status_special.html")
        print(f"POP page shows {token_line(pop)} (the credential is shared)")
        admin.open(f"{base_url}/logout.html")
        truth = host.ground_truth()
        print(f"ground truth: token {truth['token']['state']} for {truth['token']['account']}")
        step("stopping the lab")
    return 0 if truth["token"]["state"] == "obtained" else 1


if __name__ == "__main__":
    sys.exit(main())
