"""Atomic JSON files, the owner's only: how the lab keeps device settings and provider state across restarts."""

import contextlib
import json
from pathlib import Path

from mfplab.state import private_dir, write_private


class JsonStore:
    """One JSON document on disk, replaced atomically so a crash never leaves half a file."""

    def __init__(self, path):
        self.path = Path(path)
        self._holding = False
        self._pending = None   # the last document saved while holding

    def load(self, default=None):
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return default

    def save(self, document):
        if self._holding:
            self._pending = document
            return
        private_dir(self.path.parent)
        write_private(self.path, json.dumps(document, indent=1, sort_keys=True).encode("utf-8"))

    @contextlib.contextmanager
    def holding(self):
        """The saves in the block make one write at its end, of the last document saved: seeding a
        provider with the tokens of 10,000 devices then writes its state once instead of once a token."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
            if self._pending is not None:
                document, self._pending = self._pending, None
                self.save(document)
