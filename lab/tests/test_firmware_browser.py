"""A minimal browser for the firmware tests: reads forms like a browser and posts them back.

No tests here; the firmware test modules import it.
"""

import random
import socket
from html.parser import HTMLParser

import requests

from mfplab.firmware import Device
from mfplab.store import JsonStore

SMTP = "/nw_service_smtp.html"
POP = "/sys_email_status_special.html"
PASSWORD = "Lab-admin-1"


class Page(HTMLParser):
    """What a browser sees of a page: the form it would submit and the text of elements with ids."""

    def __init__(self, response):
        super().__init__()
        self.response = response
        self.status = response.status_code
        self.html = response.text
        self.fields = {}       # name -> value, as a browser would submit them (no buttons)
        self.inputs = {}       # name -> attributes of every input, incl. buttons and passwords
        self.texts = {}        # element id -> text
        self.form_action = None
        self._select = None
        self._open_ids = []
        self.feed(self.html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form_action = attrs.get("action")
        elif tag == "input":
            name = attrs.get("name")
            self.inputs[name] = attrs
            kind = attrs.get("type", "text")
            if kind == "checkbox":
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            elif kind != "submit":
                self.fields[name] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select:
            if self._select not in self.fields or "selected" in attrs:
                self.fields[self._select] = attrs["value"]
        if "id" in attrs:
            self._open_ids.append((tag, attrs["id"]))
            self.texts[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()

    def handle_data(self, data):
        for _, element_id in self._open_ids:
            self.texts[element_id] += data

    def text(self, element_id):
        return self.texts.get(element_id)


class Browser:
    def __init__(self, base_url, ca_path):
        self.base_url = base_url
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = str(ca_path)

    def get(self, path):
        return Page(self.http.get(self.base_url + path, allow_redirects=False, timeout=10))

    def post(self, path, fields):
        return Page(self.http.post(self.base_url + path, data=fields, allow_redirects=False, timeout=10))

    def login(self, password=PASSWORD, user=None, target=SMTP):
        """Log in through the login form; the raw response (302 on success)."""
        form = self.get(f"/login.html?{target}")
        fields = dict(form.fields)
        fields["ggt_textbox(10003)"] = password
        if user is not None:
            fields["ggt_textbox(10002)"] = user
        fields["ggt_submit(10008)"] = "Login"
        return self.post(form.form_action, fields)

    def submit(self, path, changes=None, button="ggt_submit(20)"):
        """Read-modify-write: the whole form as rendered, with `changes`, posted with `button`."""
        fields = dict(self.get(path).fields)
        fields.update(changes or {})
        fields = {name: value for name, value in fields.items() if value is not None}
        fields[button] = "x"
        return self.post(path, fields)

    def confirm(self, page, ok=True):
        """Answer a confirmation page with [OK] or [Cancel]."""
        fields = dict(page.fields)
        fields["ggt_submit(31)" if ok else "ggt_submit(32)"] = "x"
        return self.post(page.form_action, fields)


def loopback_address():
    return f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"


def free_port(host):
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def device_spec(**overrides):
    address = loopback_address()
    spec = {
        "name": "mfp-001", "address": address, "port": free_port(address),
        "model": "BP-C131PW", "profile": "bp_classic", "language": "en",
        "admin_user": "admin", "admin_password": PASSWORD,
        "session_idle_seconds": 300, "lockout": {"attempts": 5, "seconds": 300},
        "settings": {}, "token": {"state": "not_obtained"},
    }
    spec.update(overrides)
    return spec


def serve_device(background_loop, lab_ca, store_path, oauth=None, **overrides):
    """A device served on its own loopback address: (device, browser)."""
    spec = device_spec(**overrides)
    device = background_loop.call(Device, spec, JsonStore(store_path), oauth)
    base_url = background_loop.serve(device.app(), spec["address"], spec["port"],
                                     lab_ca.server_context(spec["address"]))
    background_loop.run(device.start())
    return device, Browser(base_url, lab_ca.ca_path)
