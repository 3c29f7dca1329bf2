#!/usr/bin/env bash
# Unit tests: pytest over tests/unit, with the collection importable as
# ansible_collections.printfleet.mfp through a symlink tree under build/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
tree="$root/build/unit"
collection="$tree/ansible_collections/printfleet/mfp"
rm -rf "$tree"
mkdir -p "$collection"
for entry in galaxy.yml meta plugins tests; do
    ln -s "$root/$entry" "$collection/$entry"
done
cd "$collection"
PYTHONPATH="$tree${PYTHONPATH:+:$PYTHONPATH}" exec "$python" -m pytest -p no:cacheprovider tests/unit "$@"
