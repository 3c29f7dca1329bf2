"""Integration targets: each role under targets/ is a scenario played by ansible-playbook against a lab.

Every target gets a fresh lab of its own (own loopback addresses and ports, so targets run in
parallel): English and Swedish UIs, both firmware layouts. The targets check what the modules
claim against the lab's ground truth through its control API.

    .venv/bin/python -m pytest -q -n 2 tests/integration
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mfplab.fleet import default_fleet_path, parse_fleet
from mfplab.server import LabThread

ROOT = Path(__file__).resolve().parents[2]
# The repository's tools: the collection tree and lab addresses every run from here shares.
sys.path.insert(0, str(ROOT / "scripts"))
from collection_tree import collections_path  # noqa: E402  pylint: disable=wrong-import-position
from lab_addresses import on_free_addresses  # noqa: E402  pylint: disable=wrong-import-position

TARGETS = ROOT / "tests" / "integration" / "targets"
BIN = Path(sys.executable).parent

# A target run at -vvvv, whose whole output must not show a password of the fleet.
VERBOSE_TARGETS = {"module_mode"}

DEVICES = [
    {"name": "mfp-en-bp"},
    {"name": "mfp-sv-bp", "language": "sv", "model": "BP-C533WD"},
    {"name": "mfp-en-mx", "profile": "mx_classic", "model": "MX-3071", "admin_password": "Mx-Admin-2026"},
    {"name": "mfp-sv-mx", "profile": "mx_classic", "model": "MX-3071", "language": "sv",
     "admin_password": "Mx-Admin-2026"},
]


def targets():
    return sorted(path.name for path in TARGETS.iterdir() if (path / "aliases").is_file())


def fleet_document():
    """The default fleet's provider and device defaults, on addresses and ports of its own (targets run in parallel)."""
    default = yaml.safe_load(default_fleet_path().read_text(encoding="utf-8"))
    return on_free_addresses({
        "identity_provider": dict(default["identity_provider"], poll_interval_seconds=1),
        "defaults": default["defaults"],
        "devices": DEVICES,
    })


def secrets(fleet):
    """Every password the fleet knows: admin passwords, mailbox passwords, passwords set on the pages."""
    found = {device["admin_password"] for device in fleet.devices}
    for tenant in fleet.identity_provider["tenants"]:
        found.update(account["password"] for account in tenant["accounts"])
    for device in fleet.devices:
        found.update(page.get("password") for page in device["settings"].values() if page.get("password"))
    return found


def environment(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ANSIBLE_") and key.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        ANSIBLE_COLLECTIONS_PATH=str(collections_path()),
        ANSIBLE_ROLES_PATH=str(TARGETS),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        # The sessions the collection remembers across its processes: each run's own.
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORKS="4",
        ANSIBLE_CALLBACK_RESULT_FORMAT="yaml",
        NO_PROXY="*",
    )
    return env


@pytest.mark.parametrize("target", targets())
def test_target(target, tmp_path):
    fleet = parse_fleet(fleet_document())
    playbook = tmp_path / "target.yml"
    playbook.write_text(yaml.safe_dump([{
        "name": f"Integration target {target}",
        "hosts": "printers",
        "gather_facts": False,
        # The printers are driven over HTTP by the modules; the play's other tasks (the lab's
        # control API) run on the controller.
        "connection": "local",
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "roles": [target],
    }], sort_keys=False), encoding="utf-8")
    verbosity = ["-vvvv"] if target in VERBOSE_TARGETS else []
    with LabThread(fleet, tmp_path / "lab") as lab:
        command = [str(BIN / "ansible-playbook"), "-i", str(lab.lab.inventory_path), str(playbook), *verbosity]
        run = subprocess.run(command, cwd=tmp_path, env=environment(tmp_path), capture_output=True, text=True,
                             check=False, timeout=300)
    output = run.stdout + run.stderr
    (tmp_path / "ansible-playbook.log").write_text(output, encoding="utf-8")  # to read after a failure
    assert run.returncode == 0, output[-20000:]
    if target in VERBOSE_TARGETS:
        assert "ESTABLISH LOCAL CONNECTION" in output, "not the -vvvv output"
        leaked = sorted(secret for secret in secrets(fleet) if secret in output)
        assert not leaked, f"passwords in the -vvvv output: {leaked}"
