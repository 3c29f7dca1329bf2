"""Atomic JSON files: how the lab keeps device settings and provider state across restarts."""

import json
import os
import tempfile
from pathlib import Path


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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1, sort_keys=True)
        os.replace(tmp, self.path)
