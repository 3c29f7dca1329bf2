#!/usr/bin/env bash
# Unit tests: pytest over tests/unit, with the collection importable as
# ansible_collections.printfleet.mfp through the tree scripts/env.sh links (build/collections).
# PYTHON: the interpreter (and so the ansible-core) to run them with; scripts/compat.sh sets it.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-$PWD/.venv/bin/python}"
. scripts/env.sh
PYTHONPATH="$ANSIBLE_COLLECTIONS_PATH${PYTHONPATH:+:$PYTHONPATH}" exec "$python" -m pytest -p no:cacheprovider tests/unit "$@"
