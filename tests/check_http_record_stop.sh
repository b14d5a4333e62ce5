#!/bin/sh
# brcheck record stops promptly while the upstream keeps a request unanswered (a python3
# upstream that sleeps on /v2/slow): SIGINT gives the request up and exits within a few
# seconds (it used to wait for the upstream timeout, 120 s), with every exchange already
# answered in the fixture; two signals in a row exit at once; --upstream-timeout bounds a
# forwarded request (the client gets 502, nothing is recorded) and a bad value is a usage
# error.
brcheck=$1
. "$(dirname "$0")/http_lib.sh"
cat >"$work/upstream.py" <<'PY'
import http.server, json, os, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/v2/slow"):
            open(sys.argv[2] + ".slow", "a").write("1\n")
            time.sleep(300)
        body = json.dumps({"code": 0, "data": {"clusterId": "in01-fast"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
s.daemon_threads = True
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.server_address[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PY
python3 "$work/upstream.py" "$work/uport" "$work/marker" >"$work/upstream.log" 2>&1 &
up_pid=$!
extra_pids=$up_pid
wait_file "$work/uport" || { cat "$work/upstream.log"; fail "the python3 upstream did not start"; }
upstream="http://127.0.0.1:$(cat "$work/uport")"

# start_record NAME [options]: sets rec_pid, proxy; the fixture is $work/NAME.json
start_record() {
  name=$1
  shift
  rm -f "$work/rport" "$work/marker.slow"
  "$brcheck" record --upstream "$upstream" --listen 127.0.0.1:0 --port-file "$work/rport" \
    --out "$work/$name.json" --vendor zilliz "$@" >"$work/$name.log" 2>&1 &
  rec_pid=$!
  extra_pids="$up_pid $rec_pid"
  wait_file "$work/rport" || { cat "$work/$name.log"; fail "brcheck record did not start"; }
  proxy="http://127.0.0.1:$(cat "$work/rport")"
  curl -sf "$proxy/v2/fast" >/dev/null || { cat "$work/$name.log"; fail "$name: the fast request"; }
}

# slow_request: a request the upstream holds, in flight once the upstream has it
slow_request() {
  curl -s -o "$work/slow.out" -w '%{http_code}' --max-time 60 "$proxy/v2/slow" >"$work/slow.code" &
  slow_pid=$!
  wait_file "$work/marker.slow" || fail "the slow request did not reach the upstream"
}

# stopped_within SECONDS: waits for rec_pid at most that long (then kills it); sets rc
stopped_within() {
  i=0
  while kill -0 "$rec_pid" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt $(($1 * 10)) ]; then
      kill -KILL "$rec_pid"
      return 1
    fi
    sleep 0.1
  done
  wait "$rec_pid"
  rc=$?
  extra_pids=$up_pid
  return 0
}

# one_step FILE: the fixture holds exactly the fast exchange
one_step() {
  python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
paths = [s['request']['path'] for s in d['steps']]
sys.exit(0 if paths == ['/v2/fast'] else 'steps: %s' % paths)" "$1"
}

# 1. one SIGINT while the upstream holds a request
start_record one
slow_request
kill -INT "$rec_pid"
stopped_within 5 || { cat "$work/one.log"; fail "SIGINT did not stop the recorder within 5 s"; }
[ "$rc" -eq 0 ] || { cat "$work/one.log"; fail "stopped by SIGINT: exit $rc, want 0"; }
one_step "$work/one.json" || fail "the fixture does not hold the answered exchange alone"
grep -q "1 exchanges written" "$work/one.log" || { cat "$work/one.log"; fail "no summary"; }
wait "$slow_pid"
code=$(cat "$work/slow.code")
[ "$code" = 502 ] || [ "$code" = 000 ] || fail "the given-up request got HTTP $code"

# 2. two signals in a row: the second exits at once, the fixture complete and no temporary
start_record two
slow_request
kill -INT "$rec_pid"
kill -INT "$rec_pid" 2>/dev/null
stopped_within 3 || { cat "$work/two.log"; fail "two SIGINTs did not stop the recorder within 3 s"; }
[ "$rc" -eq 130 ] || [ "$rc" -eq 0 ] || { cat "$work/two.log"; fail "two SIGINTs: exit $rc"; }
one_step "$work/two.json" || fail "after two SIGINTs the fixture does not hold the answered exchange"
[ -e "$work/two.json.tmp" ] && fail "a temporary fixture was left behind"
wait "$slow_pid"

# 3. --upstream-timeout: the client gets 502 in about that time; nothing is recorded
start_record three --upstream-timeout 1
start=$(date +%s)
code=$(curl -s -o "$work/slow.out" -w '%{http_code}' --max-time 30 "$proxy/v2/slow")
took=$(($(date +%s) - start))
[ "$code" = 502 ] || fail "--upstream-timeout 1: HTTP $code, want 502"
[ "$took" -le 5 ] || fail "--upstream-timeout 1: the answer took $took s"
grep -q "no answer within --upstream-timeout" "$work/slow.out" ||
  { cat "$work/slow.out"; fail "the 502 does not say the upstream timed out"; }
kill -INT "$rec_pid"
stopped_within 5 || fail "SIGINT did not stop the recorder"
one_step "$work/three.json" || fail "a timed-out request was recorded"

# 4. a bad --upstream-timeout is a usage error naming the value, before listening
for bad in 0 -3 1.5 abc 86401; do
  rm -f "$work/rport"
  "$brcheck" record --upstream "$upstream" --listen 127.0.0.1:0 --port-file "$work/rport" \
    --out "$work/bad.json" --upstream-timeout "$bad" >"$work/bad.log" 2>&1
  rc=$?
  [ "$rc" -eq 2 ] || fail "--upstream-timeout $bad: exit $rc, want 2"
  grep -q -- "--upstream-timeout is whole seconds from 1 to 86400 (got $bad)" "$work/bad.log" ||
    { cat "$work/bad.log"; fail "--upstream-timeout $bad: no clear message"; }
  [ -e "$work/rport" ] && fail "--upstream-timeout $bad: it listened"
  [ -e "$work/bad.json" ] && fail "--upstream-timeout $bad: it wrote a fixture"
done
echo "ok"
