"""The fleet file: which devices the lab emulates, the identity provider and mail servers they talk to.

A fleet file is YAML. `defaults` apply to every device; each `devices` entry overrides them and
may stand for many devices with `count` (its `name` is then a format with `{n}`). Devices
without an `address` get consecutive loopback addresses from `lab.first_device_address`.
"""

import copy
import ipaddress
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from mfplab.fault_settings import NO_FAULTS, NO_PROVIDER_FAULTS, PROVIDER_BOUNDS, with_changes
from mfplab.firmware.layouts import CALLBACK_PATH, LAYOUTS, LOGIN_MODES, SIGN_IN_KINDS
from mfplab.idp.directory import Directory

LAB_DEFAULTS = {
    "control_address": "127.0.0.1",
    "control_port": 8479,
    "first_device_address": "127.1.0.1",
    "device_port": 8443,
}

DEVICE_DEFAULTS = {
    "profile": "bp_classic",
    "model": "BP-C131PW",
    "language": "en",
    "admin_user": "admin",
    "admin_password": "admin",
    "session_idle_seconds": 300,
    "lockout": {"attempts": 3, "seconds": 300},   # typical of Sharp devices: 3 attempts, 5 minutes
    "authentication": None,   # the login form's mode (LOGIN_MODES); None: the profile's usual one
    "sign_in": None,          # how [Get Token] signs in (SIGN_IN_KINDS); None: the profile's usual one
    "settings": {},
    "token": {"state": "not_obtained"},
    "faults": {},
}

IDP_DEFAULTS = {"address": "127.0.0.2", "port": 8443, "clients": [], "tenants": [], "faults": {}}

# The mail servers: one loopback address, a port per server (0: any free one), the names the devices'
# settings hold that lead there, and the tenants whose basic authentication is switched off.
MAIL_DEFAULTS = {
    "address": "127.0.0.3",
    "submission_port": 0,
    "implicit_tls_port": 0,
    "pop3_port": 0,
    "server_names": ["smtp.office365.com", "outlook.office365.com"],
    "basic_auth_disabled": [],
}

TOKEN_STATES = {"not_obtained", "obtained", "invalid"}
LANGUAGES = {"en", "sv"}


class FleetError(ValueError):
    """A fleet file that cannot describe a lab; the message names the entry."""


@dataclass
class Fleet:
    lab: dict
    identity_provider: dict
    devices: list
    mail: dict = field(default_factory=lambda: copy.deepcopy(MAIL_DEFAULTS))

    @property
    def idp_base_url(self):
        return f"https://{self.identity_provider['address']}:{self.identity_provider['port']}"

    @property
    def control_url(self):
        return f"http://{self.lab['control_address']}:{self.lab['control_port']}"

    @property
    def device_client_id(self):
        return self.identity_provider["clients"][0]["client_id"]


def default_fleet_path():
    return Path(str(resources.files("mfplab") / "default_fleet.yml"))


def load_fleet(path=None):
    path = Path(path) if path else default_fleet_path()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise FleetError(f"cannot read fleet file {path}: {error}") from error
    return parse_fleet(document)


def _merge(base, override):
    """Deep merge of dicts; values in `override` win."""
    merged = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _loopback(address, where):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError as error:
        raise FleetError(f"{where}: {error}") from error
    if not ip.is_loopback or ip.version != 4:
        raise FleetError(f"{where}: {address} is not an IPv4 loopback address (127.0.0.0/8)")
    return ip


def _address_pool(first):
    ip = first
    while True:
        if ip.packed[-1] not in (0, 255):
            yield str(ip)
        ip += 1
        _loopback(str(ip), "address pool")


def _expand(entries):
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or "name" not in entry:
            raise FleetError(f"devices[{index}]: each device needs a name")
        count = entry.get("count")
        if count is None:
            yield entry
            continue
        if not isinstance(count, int) or count < 1:
            raise FleetError(f"devices[{index}]: count must be a positive whole number")
        template = {key: value for key, value in entry.items() if key != "count"}
        for n in range(1, count + 1):
            yield dict(template, name=entry["name"].format(n=n))


def _check_device(device):
    name = device["name"]
    if device["profile"] not in LAYOUTS:
        raise FleetError(f"device {name}: profile must be one of {sorted(LAYOUTS)}")
    if device["authentication"] is not None and device["authentication"] not in LOGIN_MODES:
        raise FleetError(f"device {name}: authentication must be one of {sorted(LOGIN_MODES)}")
    if device["sign_in"] is not None and device["sign_in"] not in SIGN_IN_KINDS:
        raise FleetError(f"device {name}: sign_in must be one of {sorted(SIGN_IN_KINDS)}")
    if device["language"] not in LANGUAGES:
        raise FleetError(f"device {name}: language must be one of {sorted(LANGUAGES)}")
    try:
        with_changes(NO_FAULTS, device["faults"])
    except ValueError as error:
        raise FleetError(f"device {name}: {error}") from None
    for key in ("token", "pop_token"):   # pop_token: POP's own, on profiles with an independent POP credential
        token = device.get(key)
        if token is None and key == "pop_token":
            continue
        if token.get("state") not in TOKEN_STATES:
            raise FleetError(f"device {name}: {key}.state must be one of {sorted(TOKEN_STATES)}")
        if token["state"] != "not_obtained" and not token.get("account"):
            raise FleetError(f"device {name}: a {key} that is {token['state']} needs the account it was issued for")


def _check_mail(mail, directory):
    _loopback(mail["address"], "mail.address")
    for key in ("submission_port", "implicit_tls_port", "pop3_port"):
        if not isinstance(mail[key], int) or not 0 <= mail[key] <= 65535:
            raise FleetError(f"mail.{key}: a port number (0 for any free port)")
    for key in ("server_names", "basic_auth_disabled"):
        if not isinstance(mail[key], list) or not all(isinstance(item, str) and item for item in mail[key]):
            raise FleetError(f"mail.{key}: a list of names")
    for reference in mail["basic_auth_disabled"]:
        try:
            directory.tenant(reference)
        except LookupError as error:
            raise FleetError(f"mail.basic_auth_disabled: {error}") from None


def parse_fleet(document):
    lab = _merge(LAB_DEFAULTS, document.get("lab"))
    idp = _merge(IDP_DEFAULTS, document.get("identity_provider"))
    mail = _merge(MAIL_DEFAULTS, document.get("mail"))
    _loopback(lab["control_address"], "lab.control_address")
    _loopback(idp["address"], "identity_provider.address")
    if not idp["clients"]:
        raise FleetError("identity_provider.clients: the devices' OAuth client must be registered")
    try:
        directory = Directory(idp)
    except (KeyError, TypeError, ValueError) as error:
        raise FleetError(f"identity_provider: {error}") from None
    _check_mail(mail, directory)
    try:
        with_changes(NO_PROVIDER_FAULTS, idp["faults"], NO_PROVIDER_FAULTS, PROVIDER_BOUNDS)
    except ValueError as error:
        raise FleetError(f"identity_provider.faults: {error}") from None

    defaults = _merge(DEVICE_DEFAULTS, document.get("defaults"))
    pool = _address_pool(_loopback(lab["first_device_address"], "lab.first_device_address"))
    devices, names, taken = [], set(), {idp["address"], lab["control_address"], mail["address"]}
    for entry in _expand(document.get("devices") or []):
        device = _merge(defaults, entry)
        device.setdefault("port", lab["device_port"])
        if "address" in device:
            _loopback(device["address"], f"device {device['name']}")
        else:
            device["address"] = next(address for address in pool if address not in taken)
        if device["name"] in names:
            raise FleetError(f"device {device['name']}: the name is used twice")
        if device["address"] in taken:
            raise FleetError(f"device {device['name']}: address {device['address']} is used twice")
        names.add(device["name"])
        taken.add(device["address"])
        _check_device(device)
        devices.append(device)
    if not devices:
        raise FleetError("devices: the fleet has no devices")
    idp["clients"] = [dict(client, redirect_uris=_redirect_uris(client, devices)) if "redirect_uris" in client else client
                      for client in idp["clients"]]
    return Fleet(lab=lab, identity_provider=idp, devices=devices, mail=mail)


def _redirect_uris(client, devices):
    """A client's registered redirect URIs; one naming `{address}`, `{port}` or `{name}` stands for that
    device's in each device that signs in by browser (how the lab registers every printer's callback)."""
    registered = []
    for uri in client["redirect_uris"] or ():
        if not any(part in uri for part in ("{address}", "{port}", "{name}")):
            registered.append(uri)
            continue
        registered += [uri.format(address=device["address"], port=device["port"], name=device["name"])
                       for device in devices if sign_in_kind(device) == "browser"]
    return list(dict.fromkeys(registered))


def sign_in_kind(device):
    """How a fleet entry's [Get Token] signs in: its `sign_in`, else its profile's."""
    return device["sign_in"] or LAYOUTS[device["profile"]]["sign_in"]


def callback_url(device):
    """Where the provider sends the person's browser back to after a device's browser sign-in."""
    return f"https://{device['address']}:{device['port']}{CALLBACK_PATH}"


def login_mode(device):
    """The login form of a fleet entry: its `authentication` mode, else its profile's usual one."""
    return LOGIN_MODES[device["authentication"] or LAYOUTS[device["profile"]]["login"]]


def inventory(fleet, ca_path, control_secret_path):
    """The Ansible inventory for a fleet: one host per device, grouped by profile and language.

    The control API's URL and the path of its secret are there for plays that act on the lab
    (tests, demos): they read the secret with a file lookup.
    """
    hosts, groups = {}, {}
    for device in fleet.devices:
        host = {
            "ansible_host": device["address"],
            "mfp_port": device["port"],
            "mfp_admin_password": device["admin_password"],
            "mfp_ca_path": str(ca_path),
        }
        if login_mode(device)["user"]:   # the login form asks for a name
            host["mfp_admin_user"] = device["admin_user"]
        hosts[device["name"]] = host
        for group in (f"profile_{device['profile']}", f"ui_{device['language']}"):
            groups.setdefault(group, {"hosts": {}})["hosts"][device["name"]] = None
    return {
        "all": {
            "children": {
                "printers": {"hosts": hosts, "children": groups},
            },
            "vars": {
                "mfplab_control_url": fleet.control_url,
                "mfplab_control_secret_path": str(control_secret_path),
                "mfplab_idp_url": fleet.idp_base_url,
            },
        }
    }
