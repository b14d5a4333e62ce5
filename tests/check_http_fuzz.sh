#!/bin/sh
# brcheck fuzz over HTTP: against the faithful `brcheck serve` a fixed seed and budget find
# nothing, and an in-process finding (with Atlas links) plays there without a difference; against `brcheck serve --mutant RULE` each sampled mutant is found, shrunk to at
# most MAX_STEPS steps, and the fixture written fails against that server and passes on the
# faithful model.
# usage: check_http_fuzz.sh BRCHECK RULE...
brcheck=$1
shift
steps=${FUZZ_STEPS:-2000}
runs=${FUZZ_RUNS:-3}
max_steps=${MAX_STEPS:-6}
. "$(dirname "$0")/http_lib.sh"

stop_serve() {
  kill "$serve_pid" 2>/dev/null
  wait "$serve_pid" 2>/dev/null
  serve_pid=""
}

start_serve --quiet
"$brcheck" fuzz --target "$url" --seed 1 --steps "$steps" --runs 2 --out "$work/faithful" \
  >"$work/out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || { cat "$work/out"; fail "the faithful server diverged (exit $rc)"; }
grep -q "^no divergence: $((2 * steps)) steps against $url" "$work/out" ||
  { cat "$work/out"; fail "not every step was played"; }
# a finding of the in-process model, whose Atlas links carry the vendor's origin, passes
# against the faithful server, which builds them on its own (links are written origin-free)
"$brcheck" fuzz --target model --mutant MA-WIPE --seed 1 --steps "$steps" --runs "$runs" \
  --out "$work/model-finding" >"$work/model-finding.log" 2>&1
[ $? -eq 1 ] || { cat "$work/model-finding.log"; fail "MA-WIPE not found in-process"; }
fx=$(ls "$work"/model-finding/*.json)
grep -q '"href": "\$regex:^https?://\[^/?#\]+/api/atlas/' "$fx" || fail "links not origin-free in $fx"
"$brcheck" run --target "$url" "$fx" >"$work/model-finding.run" 2>&1 ||
  { cat "$work/model-finding.run"; fail "an in-process finding fails on the faithful server"; }
stop_serve

for rule in "$@"; do
  start_serve --quiet --mutant "$rule"
  out="$work/$rule"
  "$brcheck" fuzz --target "$url" --seed 1 --steps "$steps" --runs "$runs" --out "$out" \
    >"$out.log" 2>&1
  rc=$?
  [ "$rc" -eq 1 ] || { cat "$out.log"; fail "$rule: not found over HTTP (exit $rc)"; }
  fx=$(ls "$out"/*.json)
  [ -f "${fx%.json}.sh" ] || fail "$rule: no curl script next to $fx"
  n=$(sed -n 's/^shrunk [0-9]* steps to \([0-9]*\) in.*/\1/p' "$out.log")
  [ -n "$n" ] && [ "$n" -le "$max_steps" ] || { cat "$out.log"; fail "$rule: shrunk to '$n' steps"; }
  # the command printed to reproduce it plays the fixture against the same server
  again=$(sed -n 's/^reproduce: brcheck //p' "$out.log")
  [ "$again" = "run --target $url $fx" ] || fail "$rule: reproduce line 'brcheck $again'"
  "$brcheck" run --target "$url" "$fx" >"$out.run" 2>&1
  with=$?
  stop_serve
  "$brcheck" run "$fx" >/dev/null 2>&1
  without=$?
  [ "$with" -eq 1 ] || { cat "$out.run"; fail "$rule: the fixture exits $with against the mutant server"; }
  [ "$without" -eq 0 ] || fail "$rule: the fixture exits $without on the faithful model"
  echo "found $rule over HTTP: $n steps ($(sed -n 's/^shrunk .* in \(.*\)$/\1/p' "$out.log"))"
done
echo ok
