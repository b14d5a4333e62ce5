#!/bin/sh
# brcheck mutate: every mutant is killed by the suite over HTTP (score 100%), and a suite
# too small to kill them is reported with survivors and exit 1.
brcheck=$1
fixtures=$2
shift 2 # further options, e.g. --only ZC
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$brcheck" mutate --fixtures "$fixtures" --json "$work/m.json" "$@" >"$work/out" 2>&1
rc=$?
tail -1 "$work/out"
[ "$rc" -eq 0 ] || { grep -E 'SURVIVED|cannot' "$work/out"; echo "FAIL: mutate exit $rc"; exit 1; }
grep -q '(100.0%)' "$work/out" || { echo "FAIL: score below 100%"; exit 1; }
# the JSON report lists every fixture that killed each mutant (the table shortens it)
python3 - "$work/m.json" <<'PY' || { echo "FAIL: the JSON report's kills"; exit 1; }
import json, sys
m = json.load(open(sys.argv[1]))
rows = m["mutants"]
assert rows and m["killed"] == m["total"] == len(rows), m
for r in rows:
    assert isinstance(r["by"], list) and len(r["by"]) == r["fixtures"] > 0, r
    assert all(isinstance(i, str) and i for i in r["by"]), r
print("JSON report: %d mutants, up to %d killing fixtures each" % (len(rows), max(len(r["by"]) for r in rows)))
PY
# one fixture alone cannot kill every mutant: survivors are reported, exit 1
one=$(find "$fixtures" -name '*.json' | sort | head -1)
"$brcheck" mutate --fixtures "$one" "$@" >"$work/small" 2>&1
rc=$?
[ "$rc" -eq 1 ] || { cat "$work/small"; echo "FAIL: a one-fixture suite gave exit $rc, want 1"; exit 1; }
grep -q SURVIVED "$work/small" || { echo "FAIL: no survivor listed"; exit 1; }
echo ok
