"""Per-device faults: what a flaky network or a busy printer does to a client.

All faults are bounded: latency is capped, rates are probabilities per request, and a reboot
ends after the seconds it was given.
"""

import asyncio
import random

from aiohttp import web

from mfplab.fault_settings import NO_FAULTS, with_changes

# Set on a POST the busy machine answers with ERROR[5000] instead of acting on it.
BUSY = web.RequestKey("mfp_busy", bool)


class DroppedConnection(Exception):
    """Raised after the transport is aborted, so the handler chain stops without a response."""


class Faults:
    """The faults currently set on one device, and the middleware that applies them."""

    def __init__(self, name, settings=None):
        # Seeded by the device name, so a fault run repeats request for request.
        self._random = random.Random(name)
        self.settings = dict(NO_FAULTS)
        self.update(settings or {})

    def update(self, changes):
        """Merge `changes` (None resets a fault to none) and return the resulting settings."""
        self.settings = with_changes(self.settings, changes)
        return dict(self.settings)

    def _delay(self):
        jitter = self.settings["jitter_ms"]
        return (self.settings["latency_ms"] + (self._random.uniform(0, jitter) if jitter else 0)) / 1000

    @web.middleware
    async def middleware(self, request, handler):
        delay = self._delay()
        if delay:
            await asyncio.sleep(delay)
        if self.settings["drop_rate"] and self._random.random() < self.settings["drop_rate"]:
            request.transport.abort()
            raise DroppedConnection()
        if self.settings["error_rate"] and self._random.random() < self.settings["error_rate"]:
            return web.Response(status=503, text="<html><body><h1>503 Service Unavailable</h1></body></html>",
                                content_type="text/html")
        if request.method == "POST" and self.settings["busy_rate"] and self._random.random() < self.settings["busy_rate"]:
            request[BUSY] = True   # the firmware answers ERROR[5000] and does nothing
        return await handler(request)
