#!/bin/sh
# Checks the peer benchmarks' inputs without the peers (no npm): against a fresh
# `brcheck serve`, the WireMock stubs hold our answers byte for byte, the Prism documents hold
# them as the list paths' examples, the brcheck fixtures play exactly Dredd's transactions and
# pass over HTTP, and bench/peers/digest.lua's Digest is accepted by our server under wrk
# (and a wrong password is refused, so the check bites).
# usage: bench/peers/check_inputs.sh BRCHECK   (exit 77: python3, wrk or the vendor subsets missing)
set -u
BRCHECK=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
. "$ROOT/bench/peers/common.sh"
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }
[ -f "$VENDOR_DIR/crdb_cloud_backup_restore_subset.json" ] || { echo "no vendor subsets in $VENDOR_DIR"; exit 77; }

start_ours || fail "brcheck serve did not start"
make_inputs || fail "inputs not made"
python3 - "$WORK" <<'EOF' || fail "inputs differ from our answers"
import json, sys
w = sys.argv[1]
def load(p):
    with open(p, encoding="utf-8") as f:
        return json.load(f)
for v, m, spec, media in (("crdb", "crdb-backups", "prism-crdb", "application/json"),
                          ("atlas", "atlas-snapshots", "prism-atlas", "application/vnd.atlas.2023-01-01+json")):
    body = open(f"{w}/cap/{v}.body", encoding="utf-8").read()
    ctype = open(f"{w}/cap/{v}.type", encoding="utf-8").read().strip()
    assert body.startswith("{"), f"{v}: captured body is no JSON object: {body[:80]!r}"
    stub = load(f"{w}/in/wiremock/mappings/{m}.json")
    assert stub["response"]["body"] == body, f"{v}: WireMock body differs"
    assert stub["response"]["headers"]["Content-Type"] == ctype, f"{v}: WireMock Content-Type differs"
    doc = load(f"{w}/in/{spec}.json")
    (path, item), = doc["paths"].items()
    ex = item["get"]["responses"]["200"]["content"][media]["example"]
    assert ex == json.loads(body), f"{v}: Prism example differs"
    assert stub["request"]["urlPath"].count("/") == path.count("/"), f"{v}: paths differ"
tx = load(f"{w}/in/dredd-transactions.json")
steps = []
for v in ("crdb", "atlas"):
    fx = load(f"{w}/in/fixtures/bench-dredd-{v}.json")
    steps += [(v, s["request"]["method"], s["request"]["path"]) for s in fx["steps"]]
assert steps == [(t["vendor"], t["method"], t["path"]) for t in tx], "fixtures differ from Dredd's transactions"
assert len(tx) == 6, f"{len(tx)} transactions"
for v in ("crdb", "atlas"):
    doc = load(f"{w}/in/dredd-{v}.json")
    for p, item in doc["paths"].items():
        for prm in item["get"]["parameters"]:
            assert prm["in"] != "path" or "example" in prm, f"{p}: {prm['name']} has no example"
EOF
"$BRCHECK" run --target "$OURS" "$WORK/in/fixtures" >"$WORK/run.out" 2>&1 ||
    { cat "$WORK/run.out"; fail "the fixtures of Dredd's transactions do not pass over HTTP"; }
grep -q '^2 fixtures: 2 passed' "$WORK/run.out" || fail "not 2 fixtures passed: $(tail -1 "$WORK/run.out")"

command -v wrk >/dev/null || { echo "wrk missing: digest.lua not checked"; exit 77; }
digest_run() { # ha1
    # shellcheck disable=SC2046 # one nonce per word
    wrk -t1 -c4 -d1s -H "$ATLAS_ACCEPT" -s "$PEERS/digest.lua" "$OURS$ATLAS_PATH" -- \
        "$1" atlas-demo-public 'MMS Public API' $(atlas_nonces 4) 2>&1 | tee "$WORK/wrk.out" | wrk_figures
}
ha1=$(printf 'atlas-demo-public:MMS Public API:atlas-demo-private' | md5sum | cut -d' ' -f1)
# shellcheck disable=SC2046
set -- $(digest_run "$ha1")
awk -v r="$1" 'BEGIN { exit !(r > 0) }' || { cat "$WORK/wrk.out"; fail "no requests"; }
[ "$3" = 0 ] || { cat "$WORK/wrk.out"; fail "digest.lua: $3 answers were not 2xx"; }
bad=$(printf 'atlas-demo-public:MMS Public API:wrong' | md5sum | cut -d' ' -f1)
# shellcheck disable=SC2046
set -- $(digest_run "$bad")
total=$(awk '/requests in/ { print $1 }' "$WORK/wrk.out")
[ "$3" = "$total" ] && [ "$total" -gt 0 ] || fail "a wrong password was not refused ($3 of $total non-2xx)"
echo "peer inputs match our answers; Dredd's transactions pass as fixtures; digest.lua accepted, wrong password refused"
