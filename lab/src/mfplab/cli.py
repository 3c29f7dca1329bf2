"""`mfplab`: start and stop the lab, look at it, and act on it as a person or provider admin would."""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from mfplab.fault_settings import BOUNDS, NO_FAULTS, NO_PROVIDER_FAULTS
from mfplab.fleet import FleetError, load_fleet
from mfplab.state import lab_info_path, private_dir, read_control_secret, read_lab_info

STARTUP_SECONDS = 60


def default_state_dir():
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(os.environ.get("MFPLAB_STATE") or Path(base) / "mfplab")


class LabClient:
    """Talks to a running lab's control API, found through `lab.json` in its state directory and
    authorized with the secret beside it."""

    def __init__(self, state_dir):
        self.state_dir = Path(state_dir)
        try:
            self.info = read_lab_info(self.state_dir)
            secret = read_control_secret(self.state_dir)
        except FileNotFoundError:
            raise SystemExit(f"mfplab: no lab is running with state in {self.state_dir} (start one: mfplab up)")
        self._http = requests.Session()
        self._http.trust_env = False
        self._http.headers["Authorization"] = f"Bearer {secret}"

    def call(self, method, path, body=None):
        if method == "POST" and body is None:
            body = {}   # the control API takes JSON posts only
        try:
            response = self._http.request(method, self.info["control_url"] + path, json=body, timeout=120)
        except requests.ConnectionError:
            raise SystemExit(f"mfplab: the lab at {self.info['control_url']} does not answer (stale {lab_info_path(self.state_dir)}?)")
        answer = response.json()
        if response.status_code >= 400:
            raise SystemExit(f"mfplab: {answer.get('error', response.text)}")
        return answer


def status_table(devices):
    """The fleet as a person reads it: one row per device."""
    header = ("device", "address", "model", "ui", "up", "smtp auth", "pop auth", "token", "account")
    rows = [header]
    for d in devices:
        token = d["token"]
        rows.append((
            d["name"], f"{d['address']}:{d['port']}", d["model"], d["language"], "yes" if d["up"] else "no",
            d["settings"]["smtp"]["auth_method"], d["settings"]["pop"]["auth_method"],
            token["state"], token.get("account") or "-",
        ))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def _up(args):
    state_dir = Path(args.state)
    if lab_info_path(state_dir).exists():
        raise SystemExit(f"mfplab: a lab already runs with state in {state_dir} (stop it: mfplab down)")
    try:
        load_fleet(args.fleet)
    except FleetError as error:
        raise SystemExit(f"mfplab: {error}")
    if args.foreground:
        return _serve(args)
    private_dir(state_dir)
    command = [sys.executable, "-m", "mfplab", "--state", str(state_dir), "serve"]
    if args.fleet:
        command += ["--fleet", str(args.fleet)]
    with open(state_dir / "lab.log", "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    deadline = time.monotonic() + STARTUP_SECONDS
    while not lab_info_path(state_dir).exists():
        if process.poll() is not None or time.monotonic() > deadline:
            tail = (state_dir / "lab.log").read_text(encoding="utf-8", errors="replace")[-2000:]
            raise SystemExit(f"mfplab: the lab did not start; {state_dir / 'lab.log'} ends with:\n{tail}")
        time.sleep(0.1)
    client = LabClient(state_dir)
    print(status_table(client.call("GET", "/devices")["devices"]))
    print(f"\nidentity provider: {client.info['idp_url']}/devicelogin")
    print(f"inventory:         {client.info['inventory']}")
    print(f"lab CA:            {client.info['ca_path']}")
    return 0


def _serve(args):
    from mfplab.server import Lab

    lab = Lab(load_fleet(args.fleet), args.state)

    async def serve():
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, lambda: lab.stopped.set() if lab.stopped else task.cancel())
        await lab.serve_until_stopped()

    asyncio.run(serve())
    return 0


def _down(args):
    client = LabClient(args.state)
    client.call("POST", "/shutdown")
    deadline = time.monotonic() + 30
    while lab_info_path(args.state).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    print("lab stopped")
    return 0


def _status(args):
    answer = LabClient(args.state).call("GET", "/devices")
    if args.json:
        return _print(answer)
    print(status_table(answer["devices"]))
    return 0


def _print(answer):
    print(json.dumps(answer, indent=1))
    return 0


# One line each; docs/lab.md's fault table says what each does to a request and whether it was processed.
FAULT_HELP = {
    "latency_ms": "added to every request", "jitter_ms": "up to this much more, at random",
    "error_rate": "share of requests answered 503 (not processed)",
    "drop_rate": "share of connections dropped before the request is handled",
    "busy_rate": "share of settings posts answered ERROR[5000] (machine busy, nothing done)",
    "offline": "not listening: connections refused",
    "lost_answer_rate": "share of requests processed whose answer is then lost (connection dropped)",
    "hang": "accept connections and never answer (not processed)",
    "stall_rate": "share of answers stalled after their headers (processed)",
    "cut_rate": "share of answers cut halfway through the body (processed)",
    "max_connections": "concurrent connections; one more is reset (0: no cap)",
    "power_loss_rate": "share of settings saves during which the power fails",
    "power_loss_seconds": "how long the device stays off after a power loss",
    "certificate": "the HTTPS certificate served",
    "visitor_every_seconds": "someone logs in as administrator this long after the last visit (0: nobody)",
    "visitor_hold_seconds": "and holds the session this long",
}
PROVIDER_FAULT_HELP = {
    "offline": "not listening: connections refused", "latency_ms": "added to every request",
    "error_rate": "share of requests answered 500 or 503", "throttle_rate": "share of requests answered 429",
    "retry_after_seconds": "the Retry-After of a 429",
}


def _fault_options(command, defaults, helps):
    for key, default in defaults.items():
        option = "--" + key.replace("_", "-")
        if isinstance(default, bool):
            command.add_argument(option, action=argparse.BooleanOptionalAction, default=None, help=helps[key])
        elif isinstance(default, str):
            command.add_argument(option, choices=BOUNDS[key], help=helps[key])
        else:
            command.add_argument(option, type=type(default), help=helps[key])
    command.add_argument("--clear", action="store_true", help="remove every fault")


def _faults(defaults, path):
    def set_faults(args):
        if args.clear:
            changes = dict.fromkeys(defaults)
        else:
            changes = {key: getattr(args, key) for key in defaults if getattr(args, key) is not None}
        return _print(LabClient(args.state).call("POST", path(args), changes))
    return set_faults


COMMANDS = {
    "status": _status,
    "device": lambda a: _print(LabClient(a.state).call("GET", f"/devices/{a.device}")),
    "pending": lambda a: _print(LabClient(a.state).call("GET", "/idp/pending")),
    "approve": lambda a: _print(LabClient(a.state).call(
        "POST", "/idp/approve", {"user_code": a.code, "username": a.user, "password": a.password})),
    "decline": lambda a: _print(LabClient(a.state).call("POST", "/idp/decline", {"user_code": a.code})),
    "reboot": lambda a: _print(LabClient(a.state).call("POST", f"/devices/{a.device}/reboot", {"seconds": a.seconds})),
    "expire-sessions": lambda a: _print(LabClient(a.state).call("POST", f"/devices/{a.device}/expire-sessions")),
    "send-mail": lambda a: _print(LabClient(a.state).call(
        "POST", f"/devices/{a.device}/send-mail", {"to": a.to} if a.to else {})),
    "check-mail": lambda a: _print(LabClient(a.state).call("POST", f"/devices/{a.device}/check-mail")),
    "mail": lambda a: _print(LabClient(a.state).call("GET", "/mail")),
    "mailbox": lambda a: _print(LabClient(a.state).call("GET", f"/mail/{a.mailbox}")),
    "basic-auth": lambda a: _print(LabClient(a.state).call(
        "POST", f"/mail/tenants/{a.tenant}/basic-auth", {"enabled": a.switch == "on"})),
    "inventory": lambda a: print(LabClient(a.state).info["inventory"]),
}


def _account_command(action):
    return lambda a: _print(LabClient(a.state).call("POST", f"/idp/accounts/{a.account}/{action}"))


def _conditional_access(args):
    return _print(LabClient(args.state).call(
        "POST", f"/idp/tenants/{args.tenant}/conditional-access", {"block_device_code_flow": args.block_device_code}))


def parser():
    top = argparse.ArgumentParser(prog="mfplab", description=__doc__)
    top.add_argument("--state", default=str(default_state_dir()),
                     help="the lab's state directory (default: $MFPLAB_STATE or ~/.local/state/mfplab)")
    sub = top.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="start the lab in the background and print the fleet")
    up.add_argument("--fleet", help="fleet file (default: the lab's default fleet)")
    up.add_argument("--foreground", action="store_true", help="stay in the foreground until Ctrl-C")
    up.set_defaults(func=_up)
    serve = sub.add_parser("serve", help=argparse.SUPPRESS)
    serve.add_argument("--fleet")
    serve.set_defaults(func=_serve)
    sub.add_parser("down", help="stop the lab").set_defaults(func=_down)

    status = sub.add_parser("status", help="the fleet: address, model, UI language, auth, token state")
    status.add_argument("--json", action="store_true", help="every device's full ground truth")
    sub.add_parser("pending", help="user codes waiting for a sign-in")
    sub.add_parser("inventory", help="path of the Ansible inventory the lab wrote")
    for name, help_text in (("device", "one device's ground truth"),
                            ("reboot", "reboot a device (settings kept)"),
                            ("expire-sessions", "end a device's admin session"),
                            ("send-mail", "a scan to e-mail now: refresh the token if OAuth, send over SMTP"),
                            ("check-mail", "let a device check its POP mailbox now")):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("device")
        if name == "reboot":
            command.add_argument("--seconds", type=float, default=5)
        if name == "send-mail":
            command.add_argument("--to", help="recipient (default: the device's sender address)")
    sub.add_parser("mail", help="the mail servers: address, ports, server names, tenants, mailboxes")
    sub.add_parser("mailbox", help="the messages in a mailbox").add_argument("mailbox")
    basic = sub.add_parser("basic-auth", help="switch a tenant's basic authentication for SMTP and POP")
    basic.add_argument("tenant", help="the tenant's name, id or domain")
    basic.add_argument("switch", choices=("on", "off"))
    approve = sub.add_parser("approve", help="sign in with a user code as a mailbox user, and consent")
    approve.add_argument("code")
    approve.add_argument("--user", required=True)
    approve.add_argument("--password", help="checked when given")
    sub.add_parser("decline", help="decline a user code").add_argument("code")
    for action, help_text in (("revoke", "revoke the account's tokens (like a password reset)"),
                              ("expire", "let the account's tokens go inactive (the 90-day rule)"),
                              ("disable", "disable the account"), ("enable", "enable the account again")):
        command = sub.add_parser(action, help=help_text)
        command.add_argument("account")
        command.set_defaults(func=_account_command(action))
    policy = sub.add_parser("conditional-access", help="switch a tenant's Conditional Access policy")
    policy.add_argument("tenant", help="the tenant's name, id or domain")
    policy.add_argument("--block-device-code", action=argparse.BooleanOptionalAction, required=True,
                        help="block (or allow again) sign-in with a device code")
    policy.set_defaults(func=_conditional_access)
    fault = sub.add_parser("fault", help="set a device's faults")
    fault.add_argument("device")
    _fault_options(fault, NO_FAULTS, FAULT_HELP)
    fault.set_defaults(func=_faults(NO_FAULTS, lambda a: f"/devices/{a.device}/faults"))
    provider_fault = sub.add_parser("provider-fault", help="set the identity provider's faults")
    _fault_options(provider_fault, NO_PROVIDER_FAULTS, PROVIDER_FAULT_HELP)
    provider_fault.set_defaults(func=_faults(NO_PROVIDER_FAULTS, lambda a: "/idp/faults"))
    for name, func in COMMANDS.items():
        sub.choices[name].set_defaults(func=func)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    return args.func(args) or 0
