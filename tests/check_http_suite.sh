#!/bin/sh
# The whole fixture suite passes over HTTP against `brcheck serve` (with the in-process
# model in lockstep), and prints its wall time; -j/--shard split it exactly.
brcheck=$1
fixtures=$2
. "$(dirname "$0")/http_lib.sh"
start_serve
t0=$(date +%s.%N)
"$brcheck" run --target "$url" "$fixtures" >"$work/out" 2>&1
rc=$?
t1=$(date +%s.%N)
tail -1 "$work/out"
[ "$rc" -eq 0 ] || { grep -A4 '^FAIL' "$work/out" | head -40; fail "suite over HTTP exit $rc"; }
grep -q ' 0 failed, 0 skipped, 0 errors' "$work/out" || fail "not every fixture passed"
echo "suite over HTTP: $(awk "BEGIN{print $t1 - $t0}") s wall"
# shards cover the suite exactly once
total=$(sed -n 's/^\([0-9]*\) fixtures:.*/\1/p' "$work/out")
sum=0
for k in 1 2 3; do
  "$brcheck" run -j 2 --shard "$k/3" "$fixtures" >"$work/shard$k" 2>&1 || fail "shard $k/3 failed"
  n=$(sed -n 's/^\([0-9]*\) fixtures:.*/\1/p' "$work/shard$k")
  sum=$((sum + n))
done
[ "$sum" -eq "$total" ] || fail "shards hold $sum fixtures, the suite $total"
"$brcheck" run --shard 4/3 "$fixtures" >/dev/null 2>&1 && fail "--shard 4/3 accepted"
"$brcheck" run -j 0 "$fixtures" >/dev/null 2>&1 && fail "-j 0 accepted"
# a target profile: the example for brcheck serve passes; a real-endpoint profile skips what
# cannot be set up there (counted); a bad profile is exit 2
src=$(dirname "$0")/..
"$brcheck" run --target "$url" --profile "$src/profiles/brcheck-serve.json" "$fixtures" \
  >"$work/p1" 2>&1 || { tail -3 "$work/p1"; fail "the brcheck-serve profile fails"; }
printf '{"admin": false, "skip": [{"fixture": "zc-*", "reason": "not today"}]}' >"$work/real.json"
"$brcheck" run --target "$url" --profile "$work/real.json" "$fixtures" >"$work/p2" 2>&1
skipped=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' "$work/p2")
[ "${skipped:-0}" -gt 0 ] || { tail -3 "$work/p2"; fail "nothing skipped against a real-endpoint profile"; }
printf '{"admn": true}' >"$work/bad.json"
"$brcheck" run --target "$url" --profile "$work/bad.json" "$fixtures" >"$work/p3" 2>&1
[ $? -eq 2 ] || fail "a profile with an unknown field is not exit 2"
grep -q 'unknown field' "$work/p3" || fail "no message for the unknown field"
echo "ok"
