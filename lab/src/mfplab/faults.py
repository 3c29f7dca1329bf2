"""Per-device faults: what a flaky network or a busy printer does to a client.

All faults are bounded: latency is capped, rates are probabilities per request, a held request
or answer ends when the client gives up (or after MAX_HOLD_SECONDS), and a reboot ends after
the seconds it was given. Each fault either stops a request before the firmware sees it (not
processed) or after the firmware acted (processed, the answer lost); docs/lab.md lists which.
"""

import asyncio
import random
import socket
import struct

from aiohttp import web

from mfplab.fault_settings import (
    BOUNDS, MAX_HOLD_SECONDS, NO_FAULTS, NO_PROVIDER_FAULTS, PROVIDER_BOUNDS, with_changes,
)
from mfplab.idp import errors

# Set on a POST the busy machine answers with ERROR[5000] instead of acting on it.
BUSY = web.RequestKey("mfp_busy", bool)
# Set on a POST during whose settings save the power fails: "old" or "new", the document the
# store's atomic replace keeps.
POWER_LOSS = web.RequestKey("mfp_power_loss", str)
KEPT = ("old", "new")

# What the faults did, for the ground truth.
FAULT_COUNTS = ("requests_hung", "answers_lost", "answers_stalled", "answers_cut", "connections_refused",
                "power_losses")
HOLD_POLL_SECONDS = 0.2


class DroppedConnection(Exception):
    """Raised after the transport is aborted, so the handler chain stops without a response."""


class PowerLost(Exception):
    """The power failed during a settings save; `kept` names the settings the store kept."""

    def __init__(self, kept):
        super().__init__(kept)
        self.kept = kept


def reset(transport):
    """Abort with a TCP reset (linger 0), as a server does that has no slot for the connection."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class _FaultSet:
    """Fault settings, checked against their bounds, and the seeded chance of each rate."""

    def __init__(self, seed, settings, defaults, bounds):
        # Seeded by the device's name, so a fault run repeats request for request.
        self._random = random.Random(seed)
        self._kinds = (defaults, bounds)
        self.settings = with_changes(defaults, settings or {}, *self._kinds)

    def update(self, changes):
        """Merge `changes` (None resets a fault to none) and return the resulting settings."""
        self.settings = with_changes(self.settings, changes, *self._kinds)
        return dict(self.settings)

    def _happens(self, rate):
        # No draw for a fault that is off, so adding a fault does not shift the others' sequence.
        return bool(self.settings[rate]) and self._random.random() < self.settings[rate]

    async def _latency(self):
        jitter = self.settings.get("jitter_ms", 0)
        delay = (self.settings["latency_ms"] + (self._random.uniform(0, jitter) if jitter else 0)) / 1000
        if delay:
            await asyncio.sleep(delay)


class Faults(_FaultSet):
    """The faults currently set on one device, and the middleware that applies them."""

    def __init__(self, name, settings=None):
        super().__init__(name, settings, NO_FAULTS, BOUNDS)
        self.counts = dict.fromkeys(FAULT_COUNTS, 0)
        self.on_power_loss = None    # the host switches the device off: called with what was kept
        self._held = set()

    @property
    def held(self):
        """How many requests and answers `hang` and `stall_rate` hold now."""
        return len(self._held)

    def release(self):
        """End every held request and answer: the device is switching off."""
        for transport in list(self._held):
            transport.abort()

    def cap_connections(self, server):
        """Reset, right after it is accepted, each connection beyond `max_connections` (aiohttp's web.Server)."""
        accepted = server.connection_made

        def connection_made(handler, transport):
            accepted(handler, transport)
            cap = self.settings["max_connections"]
            if cap and len(server.connections) > cap:
                self.counts["connections_refused"] += 1
                reset(transport)

        server.connection_made = connection_made

    @web.middleware
    async def middleware(self, request, handler):
        await self._latency()
        if self.settings["hang"]:
            self.counts["requests_hung"] += 1
            await self._hold(request)
            raise _dropped(request)
        if self._happens("drop_rate"):
            raise _dropped(request)
        if self._happens("error_rate"):
            return web.Response(status=503, text="<html><body><h1>503 Service Unavailable</h1></body></html>",
                                content_type="text/html")
        if request.method == "POST":
            if self._happens("busy_rate"):
                request[BUSY] = True   # the firmware answers ERROR[5000] and does nothing
            if self._happens("power_loss_rate"):
                request[POWER_LOSS] = self._random.choice(KEPT)   # the firmware's next save fails half-way
        try:
            response = await handler(request)
        except PowerLost as lost:
            self.counts["power_losses"] += 1
            self.on_power_loss(lost.kept)
            raise _dropped(request) from None
        return await self._answer(request, response)

    async def _answer(self, request, response):
        """The firmware acted: its answer is sent whole, lost, stalled or cut."""
        if self._happens("lost_answer_rate"):
            self.counts["answers_lost"] += 1
            raise _dropped(request)
        if self._happens("stall_rate"):
            self.counts["answers_stalled"] += 1
            _send_part(request, response)
            await self._hold(request)
            raise _dropped(request)
        if self._happens("cut_rate"):
            self.counts["answers_cut"] += 1
            _send_part(request, response)
            raise _dropped(request)
        return response

    async def _hold(self, request):
        """Wait until the client closes the connection, the device switches off, or MAX_HOLD_SECONDS."""
        transport = request.transport
        if transport is None:
            return
        self._held.add(transport)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_HOLD_SECONDS
        try:
            while not transport.is_closing() and request.transport is not None and loop.time() < deadline:
                await asyncio.sleep(HOLD_POLL_SECONDS)
        finally:
            self._held.discard(transport)


def _dropped(request):
    if request.transport is not None:
        request.transport.abort()
    return DroppedConnection()


def _send_part(request, response):
    """What a server had sent when it stopped: the status line, the headers and half the body; an
    answer without a body (a redirect) stops before the blank line that ends its headers."""
    body = response.body or b""
    head = [f"HTTP/1.1 {response.status} {response.reason}"]
    head += [f"{name}: {value}" for name, value in response.headers.items() if name.lower() != "content-length"]
    head += [f"Set-Cookie: {cookie.OutputString()}" for cookie in response.cookies.values()]
    head.append(f"Content-Length: {len(body)}")
    sent = "\r\n".join(head).encode("latin-1") + b"\r\n"
    if body:
        sent += b"\r\n" + body[:len(body) // 2]
    if request.transport is not None:
        request.transport.write(sent)


class ProviderFaults(_FaultSet):
    """The identity provider's faults: slow, failing (HTTP 500/503) or throttling (HTTP 429 with
    Retry-After), each answer in Entra's JSON error shape. `offline` is the host's: it stops listening."""

    def __init__(self, settings=None):
        super().__init__("identity_provider", settings, NO_PROVIDER_FAULTS, PROVIDER_BOUNDS)
        self.counts = {"errors": 0, "throttled": 0}

    @web.middleware
    async def middleware(self, request, handler):
        await self._latency()
        correlation_id = request.headers.get("client-request-id")
        if self._happens("throttle_rate"):
            self.counts["throttled"] += 1
            return web.json_response(errors.throttled().body(correlation_id), status=429,
                                     headers={"Retry-After": str(self.settings["retry_after_seconds"])})
        if self._happens("error_rate"):
            self.counts["errors"] += 1
            status = self._random.choice((500, 503))
            return web.json_response(errors.service_unavailable(status).body(correlation_id), status=status)
        return await handler(request)
