#!/bin/sh
# brcheck fuzz against the model with one rule broken at a time: each mutant must be found
# within the budget, shrunk to at most MAX_STEPS steps in at most MAX_PLAYS plays (when set),
# and the fixture written must fail with that mutant and pass on the faithful model.
# usage: check_fuzz_mutants.sh BRCHECK OUTDIR [RULE...]   (no RULE: every mutant; then a
#        mutant not found is reported, and the exit status says whether all were found)
set -u
brcheck=$1
out=$2
shift 2
steps=${FUZZ_STEPS:-2000}
runs=${FUZZ_RUNS:-3}
max_steps=${MAX_STEPS:-6}
max_plays=${MAX_PLAYS:-0}
rules="$*"
if [ -z "$rules" ]; then
  rules=$("$brcheck" rules --json | grep '"id"' | sed 's/.*"id": "\(.*\)".*/\1/')
fi
found=0
missed=0
bad=0
rm -rf "$out"
mkdir -p "$out"
for rule in $rules; do
  dir="$out/$rule"
  "$brcheck" fuzz --target model --mutant "$rule" --seed 1 --steps "$steps" --runs "$runs" \
    --out "$dir" >"$out.log" 2>&1
  rc=$?
  if [ $rc -eq 2 ] && grep -q "no mutant" "$out.log"; then
    continue
  fi
  if [ $rc -ne 1 ]; then
    echo "NOT FOUND $rule (exit $rc)"
    missed=$((missed + 1))
    continue
  fi
  fx=$(ls "$dir"/*.json)
  n=$(sed -n 's/^shrunk [0-9]* steps to \([0-9]*\) in.*/\1/p' "$out.log")
  plays=$(sed -n 's/^shrunk .* (\([0-9]*\) plays)$/\1/p' "$out.log")
  "$brcheck" run --mutant "$rule" "$fx" >/dev/null 2>&1
  with=$?
  "$brcheck" run "$fx" >/dev/null 2>&1
  without=$?
  if [ "$n" -gt "$max_steps" ] || [ $with -ne 1 ] || [ $without -ne 0 ] ||
    { [ "$max_plays" -gt 0 ] && [ "$plays" -gt "$max_plays" ]; }; then
    echo "BAD $rule: $n steps in $plays plays, replay with the mutant exits $with, without $without"
    bad=$((bad + 1))
  else
    echo "found $rule: $n steps ($(sed -n 's/^shrunk .* in \(.*\)$/\1/p' "$out.log"))"
    found=$((found + 1))
  fi
done
echo "mutants: $found found, $missed not found, $bad bad fixtures"
[ $missed -eq 0 ] && [ $bad -eq 0 ] && [ $found -gt 0 ]
