"""A lab fleet on loopback addresses and ports of its own, so that labs run side by side.

The integration driver gives each target such a fleet; molecule's create step writes one for its
scenario:  python scripts/lab_addresses.py FLEET_FILE OUTPUT_FILE
"""

import random
import socket
import sys
from pathlib import Path

import yaml


def on_free_addresses(document):
    """The fleet document (mfplab's fleet file format) on a random 127.N.0.0/16 network, with free
    ports for the control API, the devices, the identity provider and the mail servers."""
    net = random.randrange(64, 192)
    return dict(
        document,
        lab=dict(document.get("lab", {}), control_port=free_port(), first_device_address=f"127.{net}.1.1",
                 device_port=free_port()),
        identity_provider=dict(document["identity_provider"], address=f"127.{net}.0.2", port=free_port()),
        # Port 0: the mail servers take free ports when they start (the lab's GET /mail names them).
        mail=dict(document.get("mail", {}), address=f"127.{net}.0.3", submission_port=0, implicit_tls_port=0,
                  pop3_port=0),
    )


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    fleet_file, output_file = map(Path, sys.argv[1:])
    fleet = on_free_addresses(yaml.safe_load(fleet_file.read_text(encoding="utf-8")))
    output_file.write_text(yaml.safe_dump(fleet, sort_keys=False), encoding="utf-8")
