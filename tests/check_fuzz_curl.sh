#!/bin/sh
# The curl script `brcheck fuzz` writes beside a finding, played against real `brcheck serve`
# servers on loopback:
#  - hostile values (a raw body holding the lines BODY and BRCHECK_WORLD, "${home}", quotes
#    in names, keys, headers and inspected values, $(touch ...) and backquotes): a recording
#    proxy in front of the server sees the bytes of the fixture exactly, nothing is executed, and the
#    verdict is 0; an inspect step or a simulator step's expectError that does not hold is 1;
#  - set-up failures stop the script with exit 2 and a message: no server there, not brcheck
#    serve, a wrong BRCHECK_ADMIN_TOKEN (which leaves the world as it was);
#  - without python3 the answers are printed and the verdict is 3;
#  - for each RULE: the script written for the finding of `brcheck fuzz --mutant RULE`
#    exits 1 against `brcheck serve --mutant RULE` and 0 against the faithful server.
# usage: check_fuzz_curl.sh BRCHECK FUZZ_CURL_WRITE SRCDIR [RULE...]  (RULE all: every mutant)
brcheck=$1
writer=$2
src=$3
shift 3
steps=${FUZZ_STEPS:-2000}
runs=${FUZZ_RUNS:-3}
. "$(dirname "$0")/http_lib.sh"

stop_serve() {
  kill "$serve_pid" 2>/dev/null
  wait "$serve_pid" 2>/dev/null
  serve_pid=""
}

# play SCRIPT [VAR=VALUE...]: runs the script in $work/cwd against $url; sets rc
play() {
  script=$1
  shift
  rm -rf "$work/cwd"
  mkdir "$work/cwd"
  (cd "$work/cwd" && env BRCHECK_URL="$url" "$@" sh "$script") >"$work/play.out" 2>&1
  rc=$?
}

# ---- hostile values ----
hostile="$src/tests/data/fuzz-curl-hostile.json"
"$writer" "$hostile" "$work/hostile.sh" || fail "cannot write the script for $hostile"
# what the script sends is recorded on its way, by a proxy in front of the server (the
# server's journal keeps no record of a refusal that changed nothing)
start_serve --quiet
python3 "$(dirname "$0")/recording_proxy.py" "$url" "$work/proxy-port" "$work/sent" &
proxy_pid=$!
extra_pids="$extra_pids $proxy_pid"
wait_file "$work/proxy-port" || fail "the recording proxy did not start"
server_url=$url
url="http://127.0.0.1:$(cat "$work/proxy-port")"
play "$work/hostile.sh"
url=$server_url
kill "$proxy_pid" 2>/dev/null
wait "$proxy_pid" 2>/dev/null
[ "$rc" -eq 0 ] || { cat "$work/play.out"; fail "hostile values: the script exits $rc, not 0"; }
ran=$(ls "$work/cwd")
[ -z "$ran" ] || { cat "$work/play.out"; fail "hostile values: the script executed what it sent: $ran"; }
stop_serve
python3 - "$hostile" "$work/sent" <<'EOF' || fail "hostile values: the server did not receive the fixture's bytes"
import json, sys
fx = json.load(open(sys.argv[1]))
sent = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8")]
reqs = [r for r in sent if not r["p"].startswith("/_brcheck/")]
sims = [json.loads(r["b"]) for r in sent if r["p"] == "/_brcheck/v1/sim" and r["m"] == "POST"]
worlds = [json.loads(r["b"]) for r in sent if r["p"] == "/_brcheck/v1/world" and r["m"] == "PUT"]
want = [s["request"] for s in fx["steps"] if "request" in s]
assert len(reqs) == len(want), "%d requests sent, the fixture has %d" % (len(reqs), len(want))
for got, w in zip(reqs, want):
    path, _, query = w["path"].partition("?")
    body = w["bodyRaw"] if "bodyRaw" in w else json.dumps(w["body"], separators=(",", ":"), ensure_ascii=False)
    assert got["m"] == w["method"] and got["p"] == path, (got["m"], got["p"], w)
    assert (got.get("q") or "") == query, ("query", got.get("q"), query)
    assert got.get("b") == body, ("body", got.get("b"), body)
    headers = {k.lower(): v for k, v in got["h"]}
    for k, v in w.get("headers", {}).items():
        assert headers.get(k.lower()) == v, ("header", k, headers.get(k.lower()), v)
    assert headers.get("authorization") == "Bearer " + w["key"], headers.get("authorization")
assert sims == [s["sim"] for s in fx["steps"] if "sim" in s], sims
assert worlds and worlds[-1]["clusters"][0]["name"] == fx["given"]["clusters"][0]["name"]
print("the server received every byte as the fixture has it")
EOF

# an inspect step and a simulator step's expectError that do not hold are divergences
python3 - "$hostile" "$work" <<'EOF'
import json, sys
fx = json.load(open(sys.argv[1]))
fx["steps"] = [s for s in fx["steps"] if "request" not in s]
for s in fx["steps"]:
    if "inspect" in s:
        s["inspect"]["expect"] = "Dedicated-01"
json.dump(fx, open(sys.argv[2] + "/inspect.json", "w"))
fx["steps"] = [s for s in fx["steps"] if "sim" in s]
fx["steps"][0]["expectError"] = False
json.dump(fx, open(sys.argv[2] + "/sim.json", "w"))
EOF
start_serve --quiet
for kind in inspect sim; do
  "$writer" "$work/$kind.json" "$work/$kind.sh" || fail "cannot write the script for $kind.json"
  play "$work/$kind.sh"
  [ "$rc" -eq 1 ] && grep -q "DIFFERS" "$work/play.out" ||
    { cat "$work/play.out"; fail "a $kind step that does not hold: the script exits $rc, not 1"; }
done
echo "an inspect step and a simulator refusal are judged"

# ---- set-up failures ----
admin_get() { curl -sS -H "$admin" "$url/_brcheck/v1/$1"; }
before=$(admin_get world)
play "$work/hostile.sh" BRCHECK_ADMIN_TOKEN=wrong-token
[ "$rc" -eq 2 ] && grep -q "SET-UP FAILED:.*HTTP 401.*BRCHECK_ADMIN_TOKEN" "$work/play.out" ||
  { cat "$work/play.out"; fail "a wrong admin token: exit $rc, not 2 with the reason"; }
grep -q "^# step" "$work/play.out" && fail "a wrong admin token: the script went on to the steps"
[ "$(admin_get world)" = "$before" ] || fail "a wrong admin token changed the server's world"
play "$work/hostile.sh" BRCHECK_PYTHON=
[ "$rc" -eq 3 ] && grep -q "CANNOT JUDGE" "$work/play.out" &&
  grep -q "the faithful model has: " "$work/play.out" ||
  { cat "$work/play.out"; fail "without python3: exit $rc, not 3 with both sides printed"; }
dead=$url
stop_serve
play "$work/hostile.sh" BRCHECK_URL="$dead"
[ "$rc" -eq 2 ] && grep -q "SET-UP FAILED: cannot reach brcheck serve at $dead" "$work/play.out" ||
  { cat "$work/play.out"; fail "no server: exit $rc, not 2 with the reason"; }
python3 -u -m http.server --bind 127.0.0.1 0 >"$work/http.log" 2>&1 &
extra_pids="$!"
wait_file "$work/http.log" || fail "python3 -u -m http.server did not start"
other="http://127.0.0.1:$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$work/http.log" | head -1)"
play "$work/hostile.sh" BRCHECK_URL="$other"
[ "$rc" -eq 2 ] && grep -q "SET-UP FAILED: $other is not brcheck serve" "$work/play.out" ||
  { cat "$work/play.out"; fail "not brcheck serve: exit $rc, not 2 with the reason"; }
echo "set-up failures: exit 2 with the reason"

# ---- findings of mutants ----
if [ "$*" = all ]; then
  set -- $("$brcheck" serve --list-mutants | sed -n "s/^\([A-Z][A-Z0-9-]*\)  .*/\1/p")
fi
for rule in "$@"; do
  out="$work/$rule"
  "$brcheck" fuzz --target model --mutant "$rule" --seed 1 --steps "$steps" --runs "$runs" \
    --out "$out" >"$out.log" 2>&1
  [ $? -eq 1 ] || { cat "$out.log"; fail "$rule: brcheck fuzz found nothing"; }
  script=$(ls "$out"/*.sh)
  start_serve --quiet --mutant "$rule"
  play "$script"
  with=$rc
  cp "$work/play.out" "$out.with"
  stop_serve
  start_serve --quiet
  play "$script"
  without=$rc
  stop_serve
  [ "$with" -eq 1 ] || { cat "$out.with"; fail "$rule: the script exits $with against the mutant server"; }
  [ "$without" -eq 0 ] || { cat "$work/play.out"; fail "$rule: the script exits $without against the faithful server"; }
  echo "$rule: the script reproduces the divergence, and none on the faithful server"
done
echo ok
