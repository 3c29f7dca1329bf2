"""One process, one event loop: the identity provider, the mail servers, every device and the control API.

Each device listens on its own loopback address over HTTPS. Idle devices cost nothing but an
open listening socket: no timers run unless a device has work pending.
"""

import asyncio
import json
import logging
import os
import resource
import threading
import time

import yaml
from aiohttp import web

from mfplab.control import control_app
from mfplab.faults import Faults, ProviderFaults
from mfplab.firmware.device import Device
from mfplab.firmware.lifecycle import iso_time
from mfplab.firmware.oauth import DeviceOAuthClient, GoogleOAuthClient
from mfplab.fleet import callback_url, inventory
from mfplab.idp import IdentityProvider
from mfplab.idp.google import GMAIL_SCOPE, GoogleProvider
from mfplab.mail.client import MailClient
from mfplab.mail.servers import MailServers
from mfplab.pki import LabCA
from mfplab.state import control_secret_path, lab_info_path, new_control_secret, private_dir, write_private
from mfplab.store import JsonStore

MAIL_SCOPES = ["https://outlook.office.com/SMTP.Send", "https://outlook.office.com/POP.AccessAsUser.All"]
# Gmail's SMTP and POP take XOAUTH2 with the full-mail scope only; openid and email name the account.
GOOGLE_MAIL_SCOPES = ["openid", "email", GMAIL_SCOPE]

log = logging.getLogger("mfplab")
# libyaml's, where PyYAML has it: the inventory of 10,000 devices in half a second instead of four.
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


async def listen(app, address, port, ssl_context):
    # Access logs off: a fleet run makes thousands of requests and the lab must stay quiet.
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, address, port, ssl_context=ssl_context, reuse_address=True).start()
    return runner


# Open files beyond one listener per device: the provider's and control's listeners, the clients'
# connections (a fleet run keeps one per printer it reads at a time), the state files being written.
SPARE_OPEN_FILES = 1024


def ensure_open_files(devices):
    """Raise this process's soft limit of open files to what `devices` listeners and their clients need:
    a default soft limit of 1024 is less than a fleet of 1,000 printers takes."""
    needed = devices + SPARE_OPEN_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise OSError(f"{devices} devices need {needed} open files and the hard limit is {hard}: "
                          f"raise it (ulimit -Hn, or LimitNOFILE in a systemd unit) or serve fewer devices")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


class Served:
    """An app on its own address over HTTPS with faults in front of it; not listening while `offline`."""

    def __init__(self, address, port, faults):
        self.address = address
        self.port = port
        self.faults = faults
        self._runner = None

    @property
    def listening(self):
        return self._runner is not None

    def _app(self):
        raise NotImplementedError

    def _ssl_context(self):
        raise NotImplementedError

    async def listen(self):
        if self.faults.settings["offline"] or self.listening:
            return
        self._runner = await listen(self._app(), self.address, self.port, self._ssl_context())

    async def stop_listening(self):
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()


class DeviceHost(Served):
    """One device on its address: the firmware, its listener, the faults in front of it and the
    visitor who logs in on a schedule."""

    def __init__(self, device, spec, ca):
        super().__init__(spec["address"], spec["port"], Faults(spec["name"], spec.get("faults")))
        self.device = device
        self.name = spec["name"]
        self.faults.on_power_loss = self._power_lost
        self.last_power_loss = None
        self._ca = ca
        self._certificate = self.faults.settings["certificate"]
        self._reboot = None
        self._power_off = None
        self._visitor = None
        self._visitor_schedule = (0, None)

    async def apply_faults(self, changes):
        settings = self.faults.update(changes)
        if settings["certificate"] != self._certificate:
            # A new certificate is served from the next listen: the web server restarts with it.
            self._certificate = settings["certificate"]
            await self.stop_listening()
        if settings["offline"] and self.listening:
            await self.stop_listening()
        elif not settings["offline"] and not self.listening and self._reboot is None:
            await self.listen()
        self._schedule_visitor()
        return settings

    def _app(self):
        return self.device.app(middlewares=[self.faults.middleware])

    def _ssl_context(self):
        return self._ca.server_context(self.address, self._certificate)

    async def listen(self):
        await super().listen()
        if self.listening:
            self.faults.cap_connections(self._runner.server)

    async def start(self):
        await self.listen()
        self._schedule_visitor()

    async def stop_listening(self):
        self.faults.release()   # held requests end now: the server's cleanup waits for its handlers
        await super().stop_listening()

    def _schedule_visitor(self):
        """(Re)start the visitor's schedule when the faults changed it; none without visitor_every_seconds.
        Other faults changing leave a visit in progress be."""
        schedule = (self.faults.settings["visitor_every_seconds"], self.faults.settings["visitor_hold_seconds"])
        if schedule == self._visitor_schedule:
            return
        self._visitor_schedule = schedule
        if self._visitor is not None:
            self._visitor.cancel()   # a visit in progress ends: the visitor logs out
            self._visitor = None
        if schedule[0]:
            self._visitor = asyncio.get_running_loop().create_task(self._visits(*schedule))

    async def _visits(self, every, hold):
        """Every `every` seconds after the last visit ended, someone logs in and holds the session `hold` seconds."""
        while True:
            await asyncio.sleep(every)
            if self.listening:   # the web page of a device that is down cannot be visited
                await self.device.visit(hold)

    def _power_lost(self, kept):
        """The power failed during a save (the faults' middleware, on the request's task): off now, back later."""
        self.last_power_loss = {"kept": kept, "at": iso_time(time.time())}
        if self._reboot is None and self._power_off is None:
            # Its own task: switching off waits for the request being handled, which is the caller.
            self._power_off = asyncio.get_running_loop().create_task(self._switch_off())

    async def _switch_off(self):
        try:
            await self.reboot(self.faults.settings["power_loss_seconds"])
        finally:
            self._power_off = None

    async def reboot(self, seconds):
        """Drop every connection, forget sessions, come back after `seconds` with settings kept."""
        if self._reboot is not None:
            raise ValueError(f"{self.name} is already rebooting")
        await self.stop_listening()
        self.device.reboot()
        self._reboot = asyncio.get_running_loop().create_task(self._come_back(seconds))

    async def _come_back(self, seconds):
        try:
            await asyncio.sleep(seconds)
            await self.listen()
        finally:
            self._reboot = None

    async def close(self):
        tasks = [task for task in (self._reboot, self._power_off, self._visitor) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.stop_listening()
        await self.device.stop()

    def ground_truth(self):
        truth = self.device.ground_truth()
        truth["up"] = self.listening
        truth["faults"] = dict(self.faults.settings)
        truth["fault_counts"] = dict(self.faults.counts, held_now=self.faults.held)
        truth["last_power_loss"] = self.last_power_loss
        return truth


class ProviderHost(Served):
    """The identity provider on its address, and the faults in front of it."""

    def __init__(self, idp, config, ssl_context, google=None):
        super().__init__(config["address"], config["port"], ProviderFaults(config.get("faults")))
        self.idp = idp
        self.google = google   # the Google-shaped provider, served under /google on the same address
        self._context = ssl_context

    def _app(self):
        return self.idp.app(middlewares=[self.faults.middleware], google=self.google)

    def _ssl_context(self):
        return self._context

    async def apply_faults(self, changes):
        settings = self.faults.update(changes)
        if settings["offline"]:
            await self.stop_listening()
        else:
            await self.listen()
        return settings

    def ground_truth(self):
        return {"up": self.listening, "faults": dict(self.faults.settings), "fault_counts": dict(self.faults.counts)}


class Lab:
    """The emulated world for one fleet, with its state under `state_dir`."""

    def __init__(self, fleet, state_dir):
        self.fleet = fleet
        self.state_dir = private_dir(state_dir)
        self.ca = LabCA(self.state_dir)
        self.idp = None
        self.google = None
        self.provider = None
        self.mail = None
        self.hosts = {}
        self._runners = []
        self.stopped = None

    @property
    def inventory_path(self):
        return self.state_dir / "inventory.yml"

    def _device_spec(self, spec, store):
        """The firmware's starting spec; a device that starts with a token gets a real one."""
        spec = dict(spec)
        token = spec["token"]
        provider = (spec["settings"].get("oauth") or {}).get("provider") or "microsoft"
        if token["state"] == "obtained" and store.load() is None:
            if provider == "google":
                issued = self.google.issue_tokens(token["account"], self.fleet.google_client["client_id"],
                                                  GOOGLE_MAIL_SCOPES)
            else:
                issued = self.idp.issue_tokens(token["account"], self.fleet.device_client_id, MAIL_SCOPES)
            spec["token"] = dict(token, provider=provider, refresh_token=issued["refresh_token"])
        elif token["state"] == "invalid":
            # Issued long ago and dead since: there is no refresh token the provider would honour.
            spec["token"] = dict(token, provider=provider, refresh_token=None)
        return spec

    async def start(self):
        self.stopped = asyncio.Event()
        fleet = self.fleet
        ensure_open_files(len(fleet.devices))
        idp_config = fleet.identity_provider
        idp_store, google_store = JsonStore(self.state_dir / "idp.json"), JsonStore(self.state_dir / "google.json")
        self.idp = IdentityProvider(idp_config, idp_store, fleet.idp_base_url)
        self.google = GoogleProvider(fleet.google, google_store, fleet.idp_base_url, self.idp.signing_key)
        self.provider = ProviderHost(self.idp, idp_config, self.ca.server_context(idp_config["address"]), self.google)
        await self.provider.listen()
        self.mail = MailServers(fleet.mail, self.idp, self.ca, JsonStore(self.state_dir / "mail.json"), self.google)
        await self.mail.start()
        mail_client = MailClient(self.mail.network(), self.ca.ca_path)
        authority = f"{fleet.idp_base_url}/organizations"
        # Devices that start with a token are issued one: each provider writes its state once for them all.
        with idp_store.holding(), google_store.holding():
            for spec in fleet.devices:
                store = JsonStore(self.state_dir / "devices" / f"{spec['name']}.json")
                oauth = {"microsoft": DeviceOAuthClient(authority, fleet.device_client_id, str(self.ca.ca_path),
                                                        MAIL_SCOPES, callback_url(spec))}
                if fleet.google_client:
                    oauth["google"] = GoogleOAuthClient(
                        f"{self.google.base_url}/.well-known/openid-configuration",
                        fleet.google_client["client_id"], fleet.google_client.get("client_secret"), self.ca.ca_path,
                        GOOGLE_MAIL_SCOPES, callback_url(spec))
                device = Device(self._device_spec(spec, store), store, oauth, mail_client)
                host = DeviceHost(device, spec, self.ca)
                self.hosts[spec["name"]] = host
        await asyncio.gather(*(host.start() for host in self.hosts.values()))
        for host in self.hosts.values():
            await host.device.start()
        self._runners.append(await listen(
            control_app(self, new_control_secret(self.state_dir)), fleet.lab["control_address"], fleet.lab["control_port"], None
        ))
        self._write_files()

    def _write_files(self):
        write_private(self.inventory_path, (
            "# Written by mfplab for the fleet it serves; lab passwords only.\n"
            + yaml.dump(inventory(self.fleet, self.ca.ca_path, control_secret_path(self.state_dir)),
                        Dumper=SAFE_DUMPER, sort_keys=False)
        ).encode("utf-8"))
        # Last: clients wait for lab.json, and find everything it names in place.
        write_private(lab_info_path(self.state_dir), json.dumps({
            "pid": os.getpid(),
            "control_url": self.fleet.control_url,
            "idp_url": self.fleet.idp_base_url,
            "ca_path": str(self.ca.ca_path),
            "inventory": str(self.inventory_path),
        }, indent=1).encode("utf-8"))

    async def stop(self):
        await asyncio.gather(*(host.close() for host in self.hosts.values()))
        await self.provider.stop_listening()
        if self.mail is not None:   # a start that failed before the mail servers
            await self.mail.stop()
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()
        lab_info_path(self.state_dir).unlink(missing_ok=True)

    def host(self, name):
        try:
            return self.hosts[name]
        except KeyError:
            raise LookupError(f"no device named {name!r} in this fleet") from None

    async def serve_until_stopped(self):
        await self.start()
        try:
            await self.stopped.wait()
        finally:
            await self.stop()


class LoopThread:
    """An event loop on a daemon thread, so that blocking clients (requests, msal) can talk to what it serves."""

    RUN_TIMEOUT = 120

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="mfplab", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def run(self, coro, timeout=None):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout or self.RUN_TIMEOUT)

    def call(self, func, *args, **kwargs):
        """Run a plain function on the loop, where the objects it serves live."""
        async def on_loop():
            return func(*args, **kwargs)
        return self.run(on_loop())


class LabThread(LoopThread):
    """The lab on a background thread: how tests and the demo run it beside blocking clients."""

    def __init__(self, fleet, state_dir):
        super().__init__()
        self.lab = Lab(fleet, state_dir)

    def __enter__(self):
        self.start()
        try:
            self.run(self.lab.start())
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self.lab.stopped is not None:
            self.run(self.lab.stop())
        self.stop()
