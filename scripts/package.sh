#!/usr/bin/env bash
# The Galaxy package as a user gets it: builds the tarball into build/package/, checks what it
# ships (scripts/check_package.py), and imports it as Galaxy does (galaxy-importer, offline,
# its ansible-lint run included), failing on any warning or error of the import.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
out="$PWD/build/package"
rm -rf "$out"
mkdir -p "$out/tmp"
ansible-galaxy collection build --output-path "$out" . > /dev/null
tarball="$(ls "$out"/printfleet-mfp-*.tar.gz)"
checked=0
python scripts/check_package.py "$tarball" || checked=$?
status=0
# In $out: the importer writes its result, importer_result.json, to the current directory.
(cd "$out" && GALAXY_IMPORTER_CONFIG="$OLDPWD/scripts/galaxy-importer.cfg" \
    GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP="$out/tmp" python -m galaxy_importer.main "$tarball") \
    > "$out/import.log" 2>&1 || status=$?
if [ "$status" != 0 ] || grep -Eq '^(WARNING|ERROR|CRITICAL)' "$out/import.log"; then
    grep -E '^(WARNING|ERROR|CRITICAL)|Traceback' "$out/import.log" || tail -20 "$out/import.log"
    echo "galaxy-importer: the import of $tarball is not clean (exit $status); see $out/import.log" >&2
    exit 1
fi
echo "galaxy-importer: $tarball imports clean"
exit "$checked"
