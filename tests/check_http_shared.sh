#!/bin/sh
# One `brcheck serve`, two clients: a call naming a world another client has replaced since
# (X-Brcheck-World) gets 412 and changes nothing; brcheck fuzz and brcheck run whose world
# is replaced under them stop with that reason (exit 2, errors), never report a divergence
# or a failed fixture.
# usage: check_http_shared.sh BRCHECK FIXTURES
brcheck=$1
fixtures=$2
. "$(dirname "$0")/http_lib.sh"
start_serve --quiet
world='{"orgs": [{"id": "org-1", "vendor": "zilliz", "projects": [{"id": "proj-1"}]}],
 "keys": [{"key": "k", "org": "org-1", "roles": ["ORG_OWNER"]}],
 "clusters": [{"id": "in01-a", "project": "proj-1", "plan": "Enterprise"}]}'
load() { curl -sf -X PUT -H "$admin" -H 'Content-Type: application/json' -d "$world" "$url/_brcheck/v1/world"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

g1=$(load | field '["generation"]') || fail "no generation from PUT world"
g2=$(load | field '["generation"]')
[ "$g2" -eq $((g1 + 1)) ] || fail "generations $g1 then $g2"
digest() { curl -sf -H "$admin" "$url/_brcheck/v1/digest" | field '["digest"]'; }
clock() { curl -sf -H "$admin" "$url/_brcheck/v1/clock" | field '["epoch"]'; }
d0=$(digest)
t0=$(clock)

code=$(curl -s -o "$work/a" -w '%{http_code}' -X POST -H 'Authorization: Bearer k' \
  -H "X-Brcheck-World: $g1" -H 'Content-Type: application/json' -d '{"backupType": "CLUSTER"}' \
  "$url/v2/clusters/in01-a/backups/create")
[ "$code" = 412 ] || { cat "$work/a"; fail "a request naming world $g1 got HTTP $code, want 412"; }
grep -q '"worldReplaced":true' "$work/a" || fail "no worldReplaced in $(cat "$work/a")"
code=$(curl -s -o "$work/a" -w '%{http_code}' -X POST -H "$admin" -H "X-Brcheck-World: $g1" \
  -H 'Content-Type: application/json' -d '{"advance": 3600}' "$url/_brcheck/v1/clock")
[ "$code" = 412 ] || fail "a clock move naming world $g1 got HTTP $code, want 412"
code=$(curl -s -o "$work/a" -w '%{http_code}' -H "$admin" -H "X-Brcheck-World: $g1" \
  "$url/_brcheck/v1/digest")
[ "$code" = 412 ] || fail "a digest naming world $g1 got HTTP $code, want 412"
# A generation this server never reached: a world loaded before it was restarted.
code=$(curl -s -o "$work/a" -w '%{http_code}' -X POST -H 'Authorization: Bearer k' \
  -H "X-Brcheck-World: $((g2 + 5))" -H 'Content-Type: application/json' \
  -d '{"backupType": "CLUSTER"}' "$url/v2/clusters/in01-a/backups/create")
[ "$code" = 412 ] || fail "a request naming world $((g2 + 5)) of $g2 got HTTP $code, want 412"
grep -q 'restarted' "$work/a" || fail "412 for a later world does not say why: $(cat "$work/a")"
# Not a generation: refused with the reason, for vendor requests and admin calls alike.
bad_world() {
  if [ -z "$1" ]; then hdr='X-Brcheck-World;'; else hdr="X-Brcheck-World: $1"; fi
  code=$(curl -s -o "$work/a" -w '%{http_code}' -X POST -H 'Authorization: Bearer k' -H "$hdr" \
    -H 'Content-Type: application/json' -d '{"backupType": "CLUSTER"}' \
    "$url/v2/clusters/in01-a/backups/create")
  [ "$code" = 400 ] || { cat "$work/a"; fail "a request naming world '$1' got HTTP $code, want 400"; }
  grep -q 'X-Brcheck-World must be' "$work/a" || fail "no reason for '$1': $(cat "$work/a")"
  code=$(curl -s -o "$work/a" -w '%{http_code}' -X POST -H "$admin" -H "$hdr" \
    -H 'Content-Type: application/json' -d '{"advance": 60}' "$url/_brcheck/v1/clock")
  [ "$code" = 400 ] || { cat "$work/a"; fail "a clock move naming world '$1' got HTTP $code"; }
  grep -q 'X-Brcheck-World must be' "$work/a" || fail "no reason for '$1': $(cat "$work/a")"
}
for bad in abc -1 +3 7x 0x10 99999999999999999999999 18446744073709551616 ''; do
  bad_world "$bad"
done
[ "$(digest)" = "$d0" ] || fail "a refused call changed the world"
[ "$(clock)" = "$t0" ] || fail "a refused clock move moved the clock"
code=$(curl -s -o "$work/a" -w '%{http_code}' -X POST -H 'Authorization: Bearer k' \
  -H "X-Brcheck-World: $g2" -H 'Content-Type: application/json' -d '{"backupType": "CLUSTER"}' \
  "$url/v2/clusters/in01-a/backups/create")
[ "$code" = 200 ] || { cat "$work/a"; fail "a request naming the current world got HTTP $code"; }

# Another client keeps loading worlds while brcheck fuzz and brcheck run play.
(while :; do load >/dev/null; sleep 0.05; done) &
extra_pids=$!
"$brcheck" fuzz --target "$url" --seed 1 --steps 100000 --time 60 --out "$work/fz" >"$work/fuzz" 2>&1
rc=$?
[ "$rc" -eq 2 ] || { cat "$work/fuzz"; fail "brcheck fuzz with its world replaced: exit $rc, want 2"; }
grep -q "another client loaded a world" "$work/fuzz" || { cat "$work/fuzz"; fail "no reason given"; }
[ ! -d "$work/fz" ] || [ -z "$(ls "$work/fz")" ] || fail "a fixture was written for a lost world"

i=0
while :; do
  "$brcheck" run --target "$url" "$fixtures" >"$work/run" 2>&1
  rc=$?
  grep -q "another client loaded a world" "$work/run" && break
  i=$((i + 1))
  [ "$i" -lt 10 ] || { tail -3 "$work/run"; fail "the fixtures never saw their world replaced"; }
done
[ "$rc" -eq 2 ] || { tail -3 "$work/run"; fail "brcheck run with its world replaced: exit $rc, want 2"; }
tail -1 "$work/run" | grep -q " 0 failed" || { tail -1 "$work/run"; fail "fixtures failed for a lost world"; }
echo ok
