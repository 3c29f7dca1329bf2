#!/usr/bin/env bash
# Every test of the project; `make test` and CI run exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

echo "== lab, unit and integration tests (pytest)"
python -m pytest -q -n 2 lab/tests

echo "== sanity"
if [ -x scripts/sanity.sh ]; then scripts/sanity.sh; fi
