#!/usr/bin/env bash
# The collection's docs and changelog: antsibull-docs and antsibull-changelog lint.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${VENV_BIN:-$root/.venv/bin}"
tree="$root/build/collections"
mkdir -p "$tree/ansible_collections/printfleet"
ln -sfn "$root" "$tree/ansible_collections/printfleet/mfp"
cd "$root"
"$bin/antsibull-changelog" lint
PATH="$bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$tree" "$bin/antsibull-docs" lint-collection-docs --plugin-docs "$tree/ansible_collections/printfleet/mfp"
