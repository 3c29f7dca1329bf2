#!/usr/bin/env bash
# ansible-test sanity and integration on a copy of the repository at build/ansible_collections/printfleet/mfp
# (the path ansible-test requires), offline: the pip bootstrap script ansible-test would
# download is primed with one that uses the interpreter's own ensurepip.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${VENV_BIN:-$root/.venv/bin}"
python_version="${PYTHON_VERSION:-3.11}"
collection="$root/build/ansible_collections/printfleet/mfp"

# ansible-test 2.19 bootstraps pip ${pip_version} from ~/.ansible/test/cache/get_pip_<version>.py.
pip_version="$("$bin/python" -c 'from ansible_test._internal.python_requirements import get_venv_packages as g; from ansible_test._internal.host_configs import NativePythonConfig as c; print(g(c(version="'"$python_version"'"))["pip"])' 2>/dev/null || echo 24.2)"
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if [ ! -s "$cache" ] || ! grep -q 'printfleet offline bootstrap' "$cache"; then
    mkdir -p "$(dirname "$cache")"
    cat > "$cache" <<'PY'
# printfleet offline bootstrap: install pip from the interpreter's bundled wheel (ensurepip)
# instead of downloading get-pip.py; ansible-test's arguments (pip==X, --no-setuptools, ...) are not needed.
import ensurepip
ensurepip.bootstrap(upgrade=True)
PY
fi

rm -rf "$root/build/ansible_collections"
mkdir -p "$collection"
# The whole tree as checked out (tracked files and new ones git does not ignore; a file deleted
# but not yet `git rm`-ed is left out), lab and scripts included: contributors' code is held to
# the same checks as the shipped parts.
git -C "$root" ls-files -z --cached --others --exclude-standard \
    | tar -C "$root" --null --no-recursion --ignore-failed-read --files-from=- -cf - | tar -C "$collection" -xf -
cd "$collection"
# A repository of its own: otherwise ansible-test finds the project's .git above, where build/ is
# ignored, and skips every file. Untracked files are what it checks.
git init --quiet .
echo '/tests/output/' > .gitignore
export PATH="$bin:$PATH"
ansible-test sanity --python "$python_version" --venv --color=no "$@"
# The integration targets need the lab, and tests/integration/test_targets.py plays them against
# one: their aliases mark them unsupported, so plain ansible-test integration skips each of them
# (and fails on one that is not marked).
ansible-test integration --python "$python_version" --venv --color=no
