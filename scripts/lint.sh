#!/usr/bin/env bash
# Everything linted, with the collection resolvable as printfleet.mfp through build/collections:
# playbook syntax, plain ansible-lint as a contributor runs it (.ansible-lint: the whole repository,
# production profile), the plugin docs (ansible-doc renders each module; antsibull-docs) and the
# changelog (antsibull-changelog).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
for playbook in playbooks/*.yml; do
    ansible-playbook --syntax-check -i localhost, "$playbook"
done
# ANSIBLE_HOME under build/: ansible-lint also looks in ANSIBLE_HOME's collections, where a
# printfleet.mfp installed from Galaxy would shadow the repository's tree.
ANSIBLE_HOME="$PWD/build/lint-home" ansible-lint
modules=(printfleet.mfp.mfp_smtp printfleet.mfp.mfp_pop printfleet.mfp.mfp_oauth_token printfleet.mfp.mfp_info
         printfleet.mfp.mfp_fleet_audit)
# ansible-doc only warns about a module it cannot render: check that each one is in its answer.
ansible-doc --json "${modules[@]}" | python -c '
import json, sys
missing = sorted(set(sys.argv[1:]) - set(json.load(sys.stdin)))
sys.exit("ansible-doc rendered no documentation for " + ", ".join(missing) if missing else 0)' "${modules[@]}"
antsibull-docs lint-collection-docs --plugin-docs "$ANSIBLE_COLLECTIONS_PATH/ansible_collections/printfleet/mfp"
antsibull-changelog lint
