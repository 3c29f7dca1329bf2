"""The lab's state directory: private to its owner, and how a running lab announces itself in it.

`lab.json` says where to reach the running lab; `control.secret` beside it is what its control
API asks of every client. The directory is 0700 and every file in it that holds a secret (the
secret, the inventory with admin passwords, private keys, stored tokens) is created 0600, never
opened wider first and narrowed after.
"""

import json
import os
import secrets
import tempfile
from pathlib import Path

CONTROL_SECRET_FILE = "control.secret"


def private_dir(path):
    """`path` and its parents, `path` itself readable by its owner only."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        # State left by a lab from before the directory was private: close it before anything
        # secret is written into it.
        path.chmod(0o700)
    return path


def write_private(path, data):
    """Write `data` (bytes) to `path` atomically, in a file created 0600 (mkstemp's O_EXCL open)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def lab_info_path(state_dir):
    return Path(state_dir) / "lab.json"


def read_lab_info(state_dir):
    """The running lab's pid, control URL, provider URL, CA and inventory paths; FileNotFoundError if none runs."""
    return json.loads(lab_info_path(state_dir).read_text(encoding="utf-8"))


def control_secret_path(state_dir):
    return Path(state_dir) / CONTROL_SECRET_FILE


def new_control_secret(state_dir):
    """A new secret for the control API, written for the owner only; the one a previous lab left is replaced."""
    secret = secrets.token_urlsafe(32)
    write_private(control_secret_path(state_dir), secret.encode("ascii"))
    return secret


def read_control_secret(state_dir):
    """What a client sends as `Authorization: Bearer <secret>`; FileNotFoundError if no lab wrote one."""
    return control_secret_path(state_dir).read_text(encoding="ascii").strip()
