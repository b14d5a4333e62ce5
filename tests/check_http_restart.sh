#!/bin/sh
# A `brcheck serve` restarted (without --state) under a running brcheck fuzz: the fuzzer
# stops with that reason (exit 2, no fixture) instead of reporting the server's fresh world
# as a divergence, or blaming another client.
# usage: check_http_restart.sh BRCHECK
brcheck=$1
. "$(dirname "$0")/http_lib.sh"
start_serve --quiet
"$brcheck" fuzz --target "$url" --seed 1 --steps 1000000 --time 120 --out "$work/fz" \
  >"$work/fuzz" 2>&1 &
fuzz_pid=$!
extra_pids=$fuzz_pid
sleep 1
kill -0 "$fuzz_pid" 2>/dev/null || { cat "$work/fuzz"; fail "brcheck fuzz ended early"; }
kill -STOP "$fuzz_pid"
kill "$serve_pid"
wait "$serve_pid"
"$brcheck" serve --listen "127.0.0.1:$port" --quiet >"$work/serve2.log" 2>&1 &
serve_pid=$!
i=0
until curl -sf "$url/_brcheck/v1/ping" >/dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -lt 100 ] || { cat "$work/serve2.log"; fail "the server did not start again on $port"; }
  sleep 0.1
done
kill -CONT "$fuzz_pid"
wait "$fuzz_pid"
rc=$?
extra_pids=""
[ "$rc" -eq 2 ] || { tail -5 "$work/fuzz"; fail "brcheck fuzz over a restarted server: exit $rc"; }
grep -q "was restarted after this run loaded its world" "$work/fuzz" ||
  { tail -5 "$work/fuzz"; fail "the reason is not the restart"; }
[ ! -d "$work/fz" ] || [ -z "$(ls "$work/fz")" ] || fail "a fixture was written for a lost world"
echo ok
