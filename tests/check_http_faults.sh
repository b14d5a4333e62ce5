#!/bin/sh
# The careful client over HTTP: a 429 with Retry-After and a 503 are waited out and retried
# (the fixture passes), a dropped GET is resent once and a dropped POST not at all, a 500 is
# a violation naming the step's rule (exit 1) and an unreachable target is exit 2.
brcheck=$1
fixture=$2 # a Zilliz fixture whose first step is a POST, whose path no other step requests
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

# a GET is resent once on a dropped connection; a POST that went out whole is not (it may have
# taken effect): it is a violation, and the server saw it once (the fault armed for two drops
# of the step's path, which no other step requests, has one left)
arm '{"path": "/v2/*", "method": "GET", "drop": true, "times": 1}'
"$brcheck" run --target "$url" "$fixture" >"$work/out" 2>&1 || { cat "$work/out"; fail "a dropped GET was not resent"; }
armed | grep -q '"drop"' && fail "the GET drop fault was never hit"

post=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['steps'][0]['request']['path'])" "$fixture")
arm '{"path": "'"$post"'", "method": "POST", "drop": true, "times": 2}'
"$brcheck" run --target "$url" "$fixture" >"$work/out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || { cat "$work/out"; fail "a dropped POST: exit $rc, want 1"; }
grep -q "not resent: the POST may have taken effect" "$work/out" || { cat "$work/out"; fail "no 'not resent' message for the POST"; }
armed | grep -q '"times": *1' || { armed; fail "the dropped POST was sent again"; }

arm '{"path": "/v2/*", "method": "GET", "drop": true, "times": 0}'
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
