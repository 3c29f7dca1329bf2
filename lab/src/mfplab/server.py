"""One process, one event loop: the identity provider, every device and the control API.

Each device listens on its own loopback address over HTTPS. Idle devices cost nothing but an
open listening socket: no timers run unless a device has work pending.
"""

import asyncio
import json
import logging
import os
import resource
import threading

import yaml
from aiohttp import web

from mfplab.control import control_app
from mfplab.faults import Faults
from mfplab.firmware.device import Device
from mfplab.firmware.oauth import DeviceOAuthClient
from mfplab.fleet import inventory
from mfplab.idp import IdentityProvider
from mfplab.pki import LabCA
from mfplab.state import control_secret_path, lab_info_path, new_control_secret, private_dir, write_private
from mfplab.store import JsonStore

MAIL_SCOPES = ["https://outlook.office.com/SMTP.Send", "https://outlook.office.com/POP.AccessAsUser.All"]

log = logging.getLogger("mfplab")


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


class DeviceHost:
    """One device on its address: the firmware, its listener, and the faults in front of it."""

    def __init__(self, device, spec, ssl_context):
        self.device = device
        self.name = spec["name"]
        self.address = spec["address"]
        self.port = spec["port"]
        self.faults = Faults(self.name, spec.get("faults"))
        self._ssl_context = ssl_context
        self._runner = None
        self._reboot = None

    @property
    def listening(self):
        return self._runner is not None

    async def apply_faults(self, changes):
        settings = self.faults.update(changes)
        if settings["offline"] and self.listening:
            await self._close()
        elif not settings["offline"] and not self.listening and self._reboot is None:
            await self.listen()
        return settings

    async def listen(self):
        if self.faults.settings["offline"] or self.listening:
            return
        app = self.device.app(middlewares=[self.faults.middleware])
        self._runner = await listen(app, self.address, self.port, self._ssl_context)

    async def _close(self):
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def reboot(self, seconds):
        """Drop every connection, forget sessions, come back after `seconds` with settings kept."""
        if self._reboot is not None:
            raise ValueError(f"{self.name} is already rebooting")
        await self._close()
        self.device.reboot()
        self._reboot = asyncio.get_running_loop().create_task(self._come_back(seconds))

    async def _come_back(self, seconds):
        try:
            await asyncio.sleep(seconds)
            await self.listen()
        finally:
            self._reboot = None

    async def close(self):
        if self._reboot is not None:
            self._reboot.cancel()
        await self._close()
        await self.device.stop()

    def ground_truth(self):
        truth = self.device.ground_truth()
        truth["up"] = self.listening
        truth["faults"] = dict(self.faults.settings)
        return truth


class Lab:
    """The emulated world for one fleet, with its state under `state_dir`."""

    def __init__(self, fleet, state_dir):
        self.fleet = fleet
        self.state_dir = private_dir(state_dir)
        self.ca = LabCA(self.state_dir)
        self.idp = None
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
        if token["state"] == "obtained" and store.load() is None:
            issued = self.idp.issue_tokens(token["account"], self.fleet.device_client_id, MAIL_SCOPES)
            spec["token"] = dict(token, provider="microsoft", refresh_token=issued["refresh_token"])
        elif token["state"] == "invalid":
            # Issued long ago and dead since: there is no refresh token the provider would honour.
            spec["token"] = dict(token, provider="microsoft", refresh_token=None)
        return spec

    async def start(self):
        self.stopped = asyncio.Event()
        fleet = self.fleet
        ensure_open_files(len(fleet.devices))
        idp_config = fleet.identity_provider
        self.idp = IdentityProvider(idp_config, JsonStore(self.state_dir / "idp.json"), fleet.idp_base_url)
        self._runners.append(await listen(
            self.idp.app(), idp_config["address"], idp_config["port"], self.ca.server_context(idp_config["address"])
        ))
        authority = f"{fleet.idp_base_url}/organizations"
        for spec in fleet.devices:
            store = JsonStore(self.state_dir / "devices" / f"{spec['name']}.json")
            oauth = DeviceOAuthClient(authority, fleet.device_client_id, str(self.ca.ca_path), MAIL_SCOPES)
            device = Device(self._device_spec(spec, store), store, oauth)
            host = DeviceHost(device, spec, self.ca.server_context(spec["address"]))
            self.hosts[spec["name"]] = host
        await asyncio.gather(*(host.listen() for host in self.hosts.values()))
        for host in self.hosts.values():
            await host.device.start()
        self._runners.append(await listen(
            control_app(self, new_control_secret(self.state_dir)), fleet.lab["control_address"], fleet.lab["control_port"], None
        ))
        self._write_files()

    def _write_files(self):
        write_private(self.inventory_path, (
            "# Written by mfplab for the fleet it serves; lab passwords only.\n"
            + yaml.safe_dump(inventory(self.fleet, self.ca.ca_path, control_secret_path(self.state_dir)),
                             sort_keys=False)
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
