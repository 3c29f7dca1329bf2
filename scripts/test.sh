#!/usr/bin/env bash
# Every test of the project; `make test` and CI run exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

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

step "lint: playbook syntax, ansible-lint (production profile), plugin docs, changelog"
scripts/lint.sh

step "sanity: ansible-test"
scripts/sanity.sh
