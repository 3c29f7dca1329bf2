#!/usr/bin/env bash
# Every test of the project; `make test` and CI run exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

# A user's collections are theirs: no step may install printfleet.mfp there (ansible-lint's and
# molecule's prerun would), or their next `ansible-galaxy collection install` of a release says
# "Nothing to do". Checked at the end, unless the user had installed it before.
user_collection="$HOME/.ansible/collections/ansible_collections/printfleet/mfp"
user_had_collection="$([ -e "$user_collection" ] && echo yes || true)"

step "lab: firmware, identity provider, fleet, control API, faults"
python -m pytest -q -n 2 lab/tests

step "unit: modules, action plugins, session, filters"
scripts/unit.sh -q

step "compat: unit tests and two integration targets on the oldest and the newest ansible-core"
scripts/compat.sh

step "integration: playbooks against the lab"
python -m pytest -q -n 2 tests/integration

# ANSIBLE_HOME under build/: molecule's prerun installs the collection it builds there, and keeps
# its ephemeral directory (the scenario's lab) there, instead of in ~/.ansible.
step "molecule: roll-out converges, is idempotent and verified"
ANSIBLE_HOME="$PWD/build/molecule" molecule test

step "lint: playbook syntax, plain ansible-lint (the whole repository, production profile), plugin docs, changelog"
scripts/lint.sh

step "package: the Galaxy tarball as users get it, galaxy-importer"
scripts/package.sh

step "ansible-test: sanity on the whole tree; integration skips the targets that need the lab"
scripts/sanity.sh

step "the user's collections: printfleet.mfp not installed into ~/.ansible/collections"
if [ -z "$user_had_collection" ] && [ -e "$user_collection" ]; then
    echo "a step installed printfleet.mfp into $user_collection" >&2
    exit 1
fi
