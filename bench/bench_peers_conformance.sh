#!/bin/sh
# Conformance run time for the same transactions against the same server: `brcheck run
# --target URL` against Dredd, both driven at one `brcheck serve`. The transactions are the
# ones Dredd generates from the vendor OpenAPI subsets (GET operations the demo world answers
# with 200, path parameters naming its ids; bench/peers/make_inputs.py), written as brcheck
# fixtures too: 3 CockroachDB (Bearer) and 3 Atlas (Digest: Dredd's hooks fetch a challenge
# per transaction) requests. Wall time of each whole command, process start and document
# parsing included, best of RUNS; Dredd's own "Tests took" figure is shown as well. What each
# checks differs: Dredd validates status, headers and body against the OpenAPI schema; brcheck
# checks status and body matchers, the invariants after every step, plays every step on an
# in-process model too (lockstep) and loads the fixture's world through the admin API first.
# With BENCH_MD=FILE a Markdown section is appended to FILE.
# usage: bench/bench_peers_conformance.sh [BRCHECK] [RUNS]  (defaults: build/brcheck 3)
set -u
case "${1:-}" in -h | --help) sed -n '2,13p' "$0" | cut -c3-; exit 0 ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BRCHECK=${1:-$ROOT/build/brcheck}
RUNS=${2:-3}
BENCH_MD=${BENCH_MD:-}
command -v python3 >/dev/null || { echo "python3 is needed to make the peers' inputs"; exit 77; }
WORK=$(mktemp -d)
. "$ROOT/bench/peers/common.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

md_skip() { # reason
    echo "skipped: $1"
    [ -n "$BENCH_MD" ] && printf '## Conformance run time: brcheck vs Dredd\n\nSkipped: %s\n\n' "$1" >>"$BENCH_MD"
    exit 0
}
"$BRCHECK" run --help 2>&1 | grep -q -- '--target.*URL\|or a URL' ||
    md_skip "this brcheck has no HTTP target (brcheck run --target URL)"
start_ours || exit 1
make_inputs || exit 1
"$PEERS/install.sh" || md_skip "npm install of bench/peers failed (see bench/peers/npm-install.log)"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/in/dredd-transactions.json")

# Seconds of wall time of a command (its output in $WORK/out), or nothing when it failed.
timed() {
    t0=$(date +%s.%N)
    "$@" >"$WORK/out" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    echo "$t0 $t1 $rc" | awk '{ printf "%.3f %d\n", $2 - $1, $3 }'
}
best() { sort -n | head -1; }

: >"$WORK/ours.t"
: >"$WORK/dredd.t"
: >"$WORK/dredd.self"
ours_rc=0 dredd_rc=0 ours_verdict="" dredd_verdict=""
i=0
# shellcheck disable=SC2046 # "seconds status" splits into $1 $2
while [ $i -lt "$RUNS" ]; do
    set -- $(timed "$BRCHECK" run --target "$OURS" "$WORK/in/fixtures")
    echo "$1" >>"$WORK/ours.t"
    ours_rc=$2
    ours_verdict=$(grep -E '^[0-9]+ fixtures:' "$WORK/out" | tail -1)
    set -- $(timed "$PEERS/node_modules/.bin/dredd" "$WORK/in/dredd-crdb.json" "$OURS" \
        --path "$WORK/in/dredd-atlas.json" --hookfiles "$PEERS/dredd-hooks.js" --color false)
    echo "$1" >>"$WORK/dredd.t"
    dredd_rc=$2
    cp "$WORK/out" "$WORK/dredd.out"
    dredd_verdict=$(sed -n 's/^complete: \([0-9]* passing.*total\)/\1/p' "$WORK/out" | tail -1)
    sed -n 's/^complete: Tests took \([0-9]*\)ms/\1/p' "$WORK/out" >>"$WORK/dredd.self"
    i=$((i + 1))
done
[ -n "$dredd_verdict" ] || md_skip "Dredd did not run: $(tail -c 400 "$WORK/dredd.out" | tr '\n|' '  ')"
ours_t=$(best <"$WORK/ours.t")
dredd_t=$(best <"$WORK/dredd.t")
dredd_self=$(best <"$WORK/dredd.self")
ratio=$(awk -v a="$ours_t" -v b="$dredd_t" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
speedup=$(awk -v a="$ours_t" -v b="$dredd_t" 'BEGIN { printf "%.0f", (a > 0 ? b / a : 0) }')
fails=$(grep -E "^(fail: )?(body|headers|statusCode): At " "$WORK/dredd.out" | sed 's/^fail: //' |
    sort | uniq -c | sed 's/^ *//' | head -12)

echo "conformance run time, $n transactions (3 CockroachDB Bearer, 3 Atlas Digest) against one brcheck serve, best of $RUNS:"
printf '  %-28s %7.3f s  (%s; exit %s)\n' "brcheck run --target URL" "$ours_t" "$ours_verdict" "$ours_rc"
printf '  %-28s %7.3f s  (Tests took %s ms by its own count; %s; exit %s)\n' "dredd" "$dredd_t" "$dredd_self" "$dredd_verdict" "$dredd_rc"
echo "  ratio brcheck/Dredd wall time: $ratio (Dredd takes ${speedup}x as long)"
[ -n "$fails" ] && echo "  Dredd's findings against brcheck serve:" && echo "$fails" | sed 's/^/    /'

if [ -n "$BENCH_MD" ]; then
    {
        echo "## Conformance run time: brcheck vs Dredd"
        echo
        echo "\`bench/bench_peers_conformance.sh\`: the $n transactions Dredd generates from the vendor OpenAPI"
        echo "subsets (GET operations the demo world answers with 200: 3 CockroachDB with Bearer, 3 Atlas with"
        echo "Digest, which Dredd's hooks compute from a fresh challenge per transaction), the same requests"
        echo "written as brcheck fixtures; both against one \`brcheck serve\`. Wall time of the whole command"
        echo "(process start and parsing included), best of $RUNS. Dredd validates status, headers and body"
        echo "against the schema; brcheck checks its matchers and the invariants after every step, replays"
        echo "each step on an in-process model (lockstep) and first loads the fixture's world through the"
        echo "admin API. Design target: the whole suite over HTTP in < 3 s (\`bench/run-all.sh\` measures it too)."
        echo
        echo "| tool | transactions | wall time s | verdict | ratio brcheck/Dredd |"
        echo "|---|---:|---:|---|---|"
        echo "| brcheck run --target URL | $n | $ours_t | $ours_verdict (exit $ours_rc) | **$ratio** (Dredd ${speedup}x as long) |"
        echo "| Dredd 14.1.0 | $n | $dredd_t (tests alone: $dredd_self ms) | $dredd_verdict (exit $dredd_rc) | |"
        if [ -n "$fails" ]; then
            echo
            echo "Dredd's findings against \`brcheck serve\` (count, finding). Dredd's OpenAPI 3 support treats every"
            echo "documented property and response header as required; the subsets mark none of \`next_page\`,"
            echo "\`previous_page\`, \`links\` or the RateLimit headers required, and Atlas answers its media type"
            echo "with \`;charset=utf-8\` (the recorded answers in the vendor folder show it):"
            echo
            echo "$fails" | sed 's/^/    /'
        fi
        echo
    } >>"$BENCH_MD"
fi
exit 0
