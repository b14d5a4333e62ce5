#!/bin/sh
# The careful client over HTTP: a 429 with Retry-After and a 503 are waited out and retried
# (the fixture passes), a dropped connection is retried, a 500 is a violation naming the
# step's rule (exit 1) and an unreachable target is exit 2.
brcheck=$1
fixture=$2 # a Zilliz fixture whose first step is a request
. "$(dirname "$0")/http_lib.sh"
start_serve
rule=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s=d['steps'][0]; print((s.get('rules') or [k for k in d['rules'] if not k.startswith('INV-')])[0])" "$fixture")
arm() {
  curl -sf -X DELETE -H "$admin" "$url/_brcheck/v1/faults" >/dev/null || fail "cannot clear faults"
  curl -sf -X POST -H "$admin" -H 'Content-Type: application/json' -d "$1" \
    "$url/_brcheck/v1/faults" >/dev/null || fail "cannot arm $1"
}
armed() { curl -sf -H "$admin" "$url/_brcheck/v1/faults"; }

arm '{"path": "/v2/*", "status": 429, "retryAfter": 1, "times": 1}'
t0=$(date +%s)
"$brcheck" run --target "$url" "$fixture" >"$work/out" 2>&1 || { cat "$work/out"; fail "429 with Retry-After was not waited out"; }
t1=$(date +%s)
[ $((t1 - t0)) -ge 1 ] || fail "the Retry-After of 1 s was not honoured"
armed | grep -q '"status"' && fail "the 429 fault was never hit"

arm '{"path": "/v2/*", "status": 503, "times": 1}'
"$brcheck" run --target "$url" "$fixture" >"$work/out" 2>&1 || { cat "$work/out"; fail "503 once was not retried"; }

arm '{"path": "/v2/*", "drop": true, "times": 1}'
"$brcheck" run --target "$url" "$fixture" >"$work/out" 2>&1 || { cat "$work/out"; fail "a dropped connection was not retried"; }

arm '{"path": "/v2/*", "drop": true, "times": 0}'
"$brcheck" run --target "$url" "$fixture" >"$work/out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || { cat "$work/out"; fail "connections dropped every time: exit $rc, want 1"; }
grep -q "dropped twice" "$work/out" || fail "no 'dropped twice' message"

arm '{"path": "/v2/*", "status": 500, "times": 1}'
"$brcheck" run --target "$url" "$fixture" >"$work/out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || { cat "$work/out"; fail "a 500 gave exit $rc, want 1"; }
grep -q "\[$rule\] step 1" "$work/out" || { cat "$work/out"; fail "the 500 is not charged to $rule at step 1"; }
curl -sf -X DELETE -H "$admin" "$url/_brcheck/v1/faults" >/dev/null

# the same fixture passes again once no fault is armed: the faults, not the server, failed it
"$brcheck" run --target "$url" "$fixture" >"$work/out" 2>&1 || fail "the fixture fails without faults"

# nobody listening: exit 2 with a clear message
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null; serve_pid=""
"$brcheck" run --target "$url" "$fixture" >"$work/out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "unreachable target: exit $rc, want 2"
grep -q "cannot reach" "$work/out" || fail "no 'cannot reach' message"
echo "ok"
