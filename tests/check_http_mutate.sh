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
# one fixture alone cannot kill every mutant: survivors are reported, exit 1
one=$(find "$fixtures" -name '*.json' | sort | head -1)
"$brcheck" mutate --fixtures "$one" "$@" >"$work/small" 2>&1
rc=$?
[ "$rc" -eq 1 ] || { cat "$work/small"; echo "FAIL: a one-fixture suite gave exit $rc, want 1"; exit 1; }
grep -q SURVIVED "$work/small" || { echo "FAIL: no survivor listed"; exit 1; }
echo ok
