"""Shared fixtures for the lab's own tests."""

import pytest

from mfplab.pki import LabCA
from mfplab.server import LoopThread, listen


@pytest.fixture
def lab_ca(tmp_path):
    return LabCA(tmp_path / "pki")


class BackgroundLoop(LoopThread):
    """A running loop that serves the apps a test builds, each on its own address."""

    RUN_TIMEOUT = 30

    def __init__(self):
        super().__init__()
        self.start()
        self._runners = []

    def serve(self, app, host, port, ssl_context):
        self._runners.append(self.run(listen(app, host, port, ssl_context)))
        return f"https://{host}:{port}"

    def close(self):
        for runner in self._runners:
            self.run(runner.cleanup())
        self.stop()


@pytest.fixture
def background_loop():
    loop = BackgroundLoop()
    yield loop
    loop.close()
