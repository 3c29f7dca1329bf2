"""Atomic JSON files, the owner's only: how the lab keeps device settings and provider state across restarts."""

import json
from pathlib import Path

from mfplab.state import private_dir, write_private


class JsonStore:
    """One JSON document on disk, replaced atomically so a crash never leaves half a file."""

    def __init__(self, path):
        self.path = Path(path)

    def load(self, default=None):
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return default

    def save(self, document):
        private_dir(self.path.parent)
        write_private(self.path, json.dumps(document, indent=1, sort_keys=True).encode("utf-8"))
