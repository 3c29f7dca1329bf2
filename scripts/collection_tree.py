"""printfleet.mfp resolved to this repository: the one tree every tool run from here uses.

build/collections/ansible_collections/printfleet/mfp links to the repository root, so Ansible
finds the collection's working copy with ANSIBLE_COLLECTIONS_PATH=build/collections and nothing
is installed anywhere. scripts/env.sh sets it up for the shell (running this file prints the
path); the Python tools (demo, bench, the integration driver) import `collections_path`.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "build" / "collections"


def collections_path():
    """The ANSIBLE_COLLECTIONS_PATH under which printfleet.mfp is this repository."""
    link = TREE / "ansible_collections" / "printfleet" / "mfp"
    if not (link.is_symlink() and link.resolve() == ROOT):
        link.parent.mkdir(parents=True, exist_ok=True)
        # Tools may start at once (pytest workers): each links under a name of its own and renames
        # it into place, which replaces a link atomically.
        staged = link.with_name(f".mfp-{os.getpid()}")
        staged.unlink(missing_ok=True)
        staged.symlink_to(ROOT)
        os.replace(staged, link)
    return TREE


if __name__ == "__main__":
    print(collections_path())
