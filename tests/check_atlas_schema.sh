#!/bin/sh
# Plays the Atlas fixtures with a traffic log, then validates every Atlas answer against
# the vendor schema subset (tests/check_atlas_schema.py).
set -u
brcheck=$1
src=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$brcheck" run --traffic "$out" "$src/fixtures/atlas" >/dev/null || { echo "atlas fixtures failed"; exit 1; }
python3 "$src/tests/check_atlas_schema.py" "$src/spec/vendor/atlas_tenant_schemas.json" "$out"
