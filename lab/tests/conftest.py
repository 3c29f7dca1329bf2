"""Shared fixtures for the lab's own tests."""

import asyncio
import threading

import pytest
from aiohttp import web

from mfplab.pki import LabCA


@pytest.fixture
def lab_ca(tmp_path):
    return LabCA(tmp_path / "pki")


class BackgroundLoop:
    """An asyncio loop in a thread, so blocking clients (requests, msal) can talk to it."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self._runners = []

    def run(self, coro, timeout=30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, func, *args, **kwargs):
        """Run a plain function on the loop thread (the lab's objects live there)."""
        async def wrapper():
            return func(*args, **kwargs)
        return self.run(wrapper())

    def serve(self, app, host, port, ssl_context):
        async def start():
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, host, port, ssl_context=ssl_context, reuse_address=True)
            await site.start()
            return runner
        self._runners.append(self.run(start()))
        return f"https://{host}:{port}"

    def close(self):
        for runner in self._runners:
            self.run(runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


@pytest.fixture
def background_loop():
    loop = BackgroundLoop()
    yield loop
    loop.close()
