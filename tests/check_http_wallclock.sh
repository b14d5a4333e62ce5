#!/bin/sh
# brcheck run and brcheck fuzz play virtual time: against `brcheck serve --clock wall` they
# stop at the start with that reason, once (exit 2, nothing played, no fixture written)
# instead of reporting the clock's own moves as divergences.
# usage: check_http_wallclock.sh BRCHECK FIXTURE
brcheck=$1
fixture=$2
. "$(dirname "$0")/http_lib.sh"
start_serve --quiet --clock wall
curl -sf -H "$admin" "$url/_brcheck/v1/clock" | grep -q '"clock":"wall"' || fail "GET clock does not say wall"
"$brcheck" fuzz --target "$url" --seed 1 --steps 200 --out "$work/fz" >"$work/fuzz" 2>&1
rc=$?
[ "$rc" -eq 2 ] || { cat "$work/fuzz"; fail "brcheck fuzz on a wall clock: exit $rc, want 2"; }
grep -q "runs on the wall clock" "$work/fuzz" || { cat "$work/fuzz"; fail "no reason given"; }
[ ! -e "$work/fz" ] || fail "a fixture was written"
# the whole suite: refused once at the start, not an error per fixture
"$brcheck" run --target "$url" "$fixture" "$(dirname "$fixture")" >"$work/run" 2>&1
rc=$?
[ "$rc" -eq 2 ] || { cat "$work/run"; fail "brcheck run on a wall clock: exit $rc, want 2"; }
[ "$(grep -c "runs on the wall clock" "$work/run")" -eq 1 ] ||
  { cat "$work/run"; fail "the reason not given exactly once"; }
! grep -q "^ERROR\|^FAIL\|fixtures:" "$work/run" || { cat "$work/run"; fail "fixtures were played"; }
echo ok
