#!/usr/bin/env bash
# The oldest and the newest ansible-core the collection supports (README's "Tested with"), each in
# a venv of its own under build/: the unit tests, and integration targets played against the lab
# by that core (module_mode: how each core hands a module its arguments; mfp_oauth_token: the
# in-controller run end to end). The rest of make test runs on .venv's core (2.19, Python 3.11).
# A venv is made once, and made again only when its line below changes.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

# name, interpreter, pins. The oldest core with the oldest urllib3 meta/ee-requirements.txt allows.
venvs=(
    "oldest python3.11 ansible-core==2.18.19 urllib3==1.26.20"
    "newest python3.12 ansible-core==2.21.5 urllib3==2.8.0"
)

# The interpreter that runs: pyenv's shims answer `command -v` also for a version pyenv has not
# selected, so try each candidate: the name, then pyenv's versions of that Python, newest first.
interpreter_path() {
    local candidate
    for candidate in "$1" $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}/versions/${1#python}".*/bin/"$1" 2>/dev/null | sort -rV); do
        if "$candidate" -c '' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
}

for line in "${venvs[@]}"; do
    read -r name interpreter pins <<<"$line"
    venv="$root/build/venv-$name"
    if [ "$(cat "$venv/.pins" 2>/dev/null)" != "$line" ]; then
        python="$(interpreter_path "$interpreter")"
        if [ -z "$python" ]; then
            # A contributor's machine may lack it; CI's has it and must not skip.
            [ -z "${CI:-}" ] || { echo "compat: $interpreter not found" >&2; exit 1; }
            echo "compat: $interpreter not found: $name core skipped" >&2
            continue
        fi
        rm -rf "$venv"
        "$python" -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check $pins pytest pytest-xdist junitparser -e lab
        echo "$line" >"$venv/.pins"
    fi
    "$venv/bin/python" -c 'import sys, ansible.release, urllib3
print(f"\n-- {sys.argv[1]}: ansible-core {ansible.release.__version__}, Python {sys.version.split()[0]}, urllib3 {urllib3.__version__}")' "$name"
    PYTHON="$venv/bin/python" scripts/unit.sh -q
    "$venv/bin/python" -m pytest -q -p no:cacheprovider -n 2 tests/integration/test_targets.py \
        -k 'module_mode or mfp_oauth_token'
done
