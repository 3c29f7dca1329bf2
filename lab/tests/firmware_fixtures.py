"""A device served on its own loopback address, and its administrator at the web UI, for the firmware tests."""

from mfplab.browser import Browser
from mfplab.firmware.device import Device
from mfplab.store import JsonStore

from loopback import free_port, loopback_address

SMTP = "/nw_service_smtp.html"
POP = "/sys_email_status_special.html"
PASSWORD = "Lab-admin-1"


class Admin:
    """An administrator at one device's web UI (bp_classic field names), seeing redirects as pages."""

    def __init__(self, base_url, ca_path):
        self.base_url = base_url
        self.browser = Browser(ca_path, follow_redirects=False)

    def get(self, path):
        return self.browser.open(self.base_url + path)

    def post(self, path, fields):
        return self.browser.post(self.base_url + path, fields)

    def login(self, password=PASSWORD, user=None, target=SMTP):
        """Log in through the login form; the raw response (302 on success)."""
        self.get(f"/login.html?{target}")
        typed = {"ggt_textbox(10003)": password}
        if user is not None:
            typed["ggt_textbox(10002)"] = user
        return self.browser.submit(action="loginbtn", **typed)   # as the page's script does on [Login]

    def submit(self, path, changes=None, button="submitbtn"):
        """Read-modify-write: the whole form as rendered, with `changes`, posted as the page's script
        does when the control named `button` is pressed (and its confirm() answered OK)."""
        self.get(path)
        return self.browser.submit(action=button, **(changes or {}))

    def confirm(self, page, ok=True):
        """Answer a confirmation page (mx_classic) with [OK] or [Cancel]."""
        return self.browser.submit(page.form(), action="okbtn" if ok else "cancelbtn")


def err(page):
    """The message of a page's result line `<p class="err">ERROR[n]: …`, without the code; None if none."""
    text = page.text(".err")
    return text.split(": ", 1)[1] if text else None


def device_spec(**overrides):
    address = loopback_address()
    spec = {
        "name": "mfp-001", "address": address, "port": free_port(address),
        "model": "BP-C131PW", "profile": "bp_classic", "language": "en",
        "admin_user": "admin", "admin_password": PASSWORD,
        "session_idle_seconds": 300, "lockout": {"attempts": 3, "seconds": 300},
        "settings": {}, "token": {"state": "not_obtained"},
    }
    spec.update(overrides)
    return spec


def serve_device(background_loop, lab_ca, store_path, oauth=None, **overrides):
    """A device served on its own loopback address: (device, admin)."""
    spec = device_spec(**overrides)
    device = background_loop.call(Device, spec, JsonStore(store_path), oauth)
    base_url = background_loop.serve(device.app(), spec["address"], spec["port"],
                                     lab_ca.server_context(spec["address"]))
    background_loop.run(device.start())
    return device, Admin(base_url, lab_ca.ca_path)
