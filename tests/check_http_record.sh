#!/bin/sh
# brcheck record: a session through the recording proxy (curl against brcheck serve) is
# written as a fixture skeleton without credentials (no Authorization, secret-looking headers
# and query values as REDACTED, no Digest secret of the world); replayed over HTTP against a
# fresh server with the same world it passes, and against a different world it fails.
brcheck=$1
source_fixture=$2 # a Zilliz fixture: its world is served
. "$(dirname "$0")/http_lib.sh"
python3 -c "import json,sys; json.dump(json.load(open(sys.argv[1]))['given'], open(sys.argv[2], 'w'))" \
  "$source_fixture" "$work/world.json"
start_serve --world "$work/world.json"
out="$work/recorded-session.json"
"$brcheck" record --upstream "$url" --listen 127.0.0.1:0 --port-file "$work/rport" --out "$out" \
  --world "$work/world.json" >"$work/record.log" 2>&1 &
rec_pid=$!
extra_pids=$rec_pid
wait_file "$work/rport" || { cat "$work/record.log"; fail "brcheck record did not start"; }
proxy="http://127.0.0.1:$(cat "$work/rport")"
cluster=$(python3 -c "import json,sys; w=json.load(open(sys.argv[1])); print([c['id'] for c in w['clusters'] if c.get('plan','').lower().startswith('ded') or c.get('plan')=='Enterprise'][0])" "$work/world.json")
key="Authorization: Bearer owner-key"
curl -sf -H "$key" -H 'Content-Type: application/json' -d '{"backupType": "CLUSTER"}' \
  "$proxy/v2/clusters/$cluster/backups/create" >"$work/created" ||
  { tail -n 20 "$work/record.log" "$work/serve.log"; fail "create through the proxy"; }
backup=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['data']['backupId'])" "$work/created")
# credentials a client may send besides Authorization: headers and query values (SEC-SECRETS)
curl -sf -H "$key" -H "X-Api-Key: xak-Hdr-S3cret" -H "Cookie: session=ck-Hdr-S3cret" \
  "$proxy/v2/clusters/$cluster/backups/$backup?access_token=qt-Query-S3cret" >/dev/null ||
  fail "describe"
curl -s -H "$key" "$proxy/v2/clusters/$cluster/backups/no-such-backup" >/dev/null
curl -s "$proxy/v2/backups?clusterId=$cluster&token=qt-Query2-S3cret" >/dev/null # no credentials: 401
kill -INT "$rec_pid"; wait "$rec_pid"; extra_pids=""
[ -s "$out" ] || fail "no fixture written"
grep -q "owner-key\"" "$out" || fail "the key name is not in the fixture"
grep -qi '"authorization"' "$out" && fail "an Authorization header was written"
grep -n -e 'S3cret' "$out" && fail "a secret header or query value was written"
grep -q '"X-Api-Key": "REDACTED"' "$out" || fail "the X-Api-Key header is not kept redacted"
grep -q '?access_token=REDACTED"' "$out" || fail "the access_token query value is not kept redacted"
grep -q '&token=REDACTED"' "$out" || fail "the token query value is not kept redacted"
grep -q '\$capture:backupId' "$out" || fail "the new backup id is not captured"
grep -q '${backupId}' "$out" || fail "the captured id is not reused"
steps=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['steps']))" "$out")
[ "$steps" -eq 4 ] || fail "$steps steps recorded, want 4"
# replay against a fresh server with the same world
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null; serve_pid=""
start_serve --world "$work/world.json"
"$brcheck" run --target "$url" "$out" >"$work/replay" 2>&1 || { cat "$work/replay"; cat "$out"; fail "the recorded fixture does not replay"; }
# and in-process too
"$brcheck" run "$out" >"$work/replay2" 2>&1 || { cat "$work/replay2"; fail "the recorded fixture fails in-process"; }
# a recording is a real check: with the first answer changed it fails
python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); d['steps'][0]['expect']['status']=201
json.dump(d, open(sys.argv[1],'w'))" "$out"
"$brcheck" run --target "$url" "$out" >/dev/null 2>&1 && fail "a changed expectation still passes"
# An Atlas session with Digest credentials: the world's key secrets stay out of the fixture
# (its "given" keeps the key without "secret": replayed, the public key is the private key
# too), and the fixture still replays, over HTTP and in-process.
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null; serve_pid=""
demo_world="$(dirname "$0")/../server/demo_world.json"
start_serve --world "$demo_world"
out="$work/atlas-session.json"
rm -f "$work/rport"
"$brcheck" record --upstream "$url" --listen 127.0.0.1:0 --port-file "$work/rport" --out "$out" \
  --world "$demo_world" >"$work/record3.log" 2>&1 &
rec_pid=$!
extra_pids=$rec_pid
wait_file "$work/rport" || { cat "$work/record3.log"; fail "brcheck record did not start"; }
proxy="http://127.0.0.1:$(cat "$work/rport")"
group=5f0000000000000000000002
curl -sf --digest -u atlas-demo-public:atlas-demo-private \
  "$proxy/api/atlas/v1.0/groups/$group/clusters/M2Shop" >/dev/null || fail "Atlas GET cluster"
curl -sf --digest -u atlas-demo-public:atlas-demo-private -H "X-Api-Key: xak-Atlas-S3cret" \
  "$proxy/api/atlas/v1.0/groups/$group/clusters/M5Reports" >/dev/null || fail "Atlas GET cluster 2"
kill -INT "$rec_pid"; wait "$rec_pid"; extra_pids=""
grep -q '"key": "atlas-demo-public"' "$out" || fail "the Atlas key is not in the fixture"
grep -n -e 'atlas-demo-private' -e 'atlas-reader-private' -e 'S3cret' -e '"secret"' "$out" &&
  fail "a Digest secret or a secret header was written"
steps=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['steps']))" "$out")
[ "$steps" -eq 2 ] || fail "$steps Atlas steps recorded, want 2"
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null; serve_pid=""
start_serve
"$brcheck" run --target "$url" "$out" >"$work/replay3" 2>&1 ||
  { cat "$work/replay3"; fail "the recorded Atlas fixture does not replay"; }
"$brcheck" run "$out" >"$work/replay4" 2>&1 ||
  { cat "$work/replay4"; fail "the recorded Atlas fixture fails in-process"; }
# a fixture that cannot be written is a start-up error, before a client records a session
# into nothing (it used to listen and warn on every exchange)
timeout 10 "$brcheck" record --upstream "$url" --listen 127.0.0.1:0 --port-file "$work/rport2" \
  --out "$work/no-such-dir/x.json" >"$work/record2.log" 2>&1
rc=$?
[ "$rc" -eq 2 ] || { cat "$work/record2.log"; fail "an unwritable --out: exit $rc, want 2"; }
grep -q "cannot write $work/no-such-dir/x.json: No such file or directory" "$work/record2.log" ||
  { cat "$work/record2.log"; fail "an unwritable --out does not say why"; }
[ -e "$work/rport2" ] && fail "an unwritable --out still wrote the port file"
echo "ok"
