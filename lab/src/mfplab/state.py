"""A running lab announces itself in its state directory: `lab.json` says where to reach it."""

import json
from pathlib import Path


def lab_info_path(state_dir):
    return Path(state_dir) / "lab.json"


def read_lab_info(state_dir):
    """The running lab's pid, control URL, provider URL, CA and inventory paths; FileNotFoundError if none runs."""
    return json.loads(lab_info_path(state_dir).read_text(encoding="utf-8"))
