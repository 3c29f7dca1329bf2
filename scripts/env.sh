# Source this from the repository root after `make venv`:  . scripts/env.sh
# Puts the repository's venv on PATH, makes printfleet.mfp resolve to this repository
# (scripts/collection_tree.py: build/collections/ansible_collections/printfleet/mfp links here),
# and turns proxies off: the lab's printers are on loopback, and a proxy from the environment
# would be used for them.
root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
ANSIBLE_COLLECTIONS_PATH="$(python3 "$root/scripts/collection_tree.py")"
export PATH="$root/.venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH NO_PROXY='*' no_proxy='*'
unset root
