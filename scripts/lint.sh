#!/usr/bin/env bash
# Roles, playbooks, examples and the molecule scenario: ansible-playbook --syntax-check and
# ansible-lint (production profile), with the collection resolvable as printfleet.mfp through
# build/collections.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${VENV_BIN:-$root/.venv/bin}"
tree="$root/build/collections"
mkdir -p "$tree/ansible_collections/printfleet"
ln -sfn "$root" "$tree/ansible_collections/printfleet/mfp"
export ANSIBLE_COLLECTIONS_PATH="$tree"
cd "$root"
for playbook in playbooks/*.yml; do
    "$bin/ansible-playbook" --syntax-check -i localhost, "$playbook"
done
PATH="$bin:$PATH" exec "$bin/ansible-lint" --profile production roles playbooks examples extensions "$@"
