#!/bin/sh
# Runs every benchmark in one go (about 10 minutes on a 2-core machine, at most 15) and writes
# reports/bench.md: one table per benchmark with both sides' figures measured in the same
# run, their ratio and the design target (docs/performance.md), the machine and the
# date; each benchmark's own output below its table; skipped parts with the reason.
#   in-process model vs jansson floor (build/bench_model), scale (build/bench_scale, when
#   built), fixture suite in-process and over HTTP, mock server vs its static ping and a
#   500-connection soak (bench/bench_server.sh), brcheck serve vs Prism and WireMock
#   (bench/bench_peers_mock.sh), brcheck run vs Dredd (bench/bench_peers_conformance.sh),
#   fuzzing execs/s (bench/bench_fuzz.sh), shrinking (build/bench_shrink, when built).
# usage: bench/run-all.sh [--out FILE] [--build DIR] [--fuzz-build DIR] [--quick]
#   --out FILE        the report (default reports/bench.md)
#   --build DIR       the build to measure (default build/; RelWithDebInfo as set-up makes it)
#   --fuzz-build DIR  the AFL++ build for bench_fuzz.sh's afl-fuzz part (default build-fuzz/)
#   --quick           shorter runs (3 s wrk, no soak, 5 s afl-fuzz): a smoke test, not figures
#   --budget S        a part is not started when less than it usually takes is left of S
#                     seconds (default 900); it is listed as skipped
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/reports/bench.md
BUILD=$ROOT/build
FUZZ_BUILD=$ROOT/build-fuzz
QUICK=0
BUDGET=900
while [ $# -gt 0 ]; do
    case "$1" in
    --out) OUT=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --fuzz-build) FUZZ_BUILD=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --budget) BUDGET=$2; shift 2 ;;
    -h | --help) sed -n '2,17p' "$0" | cut -c3-; exit 0 ;;
    *) echo "run-all.sh: unknown option '$1' (--help)" >&2; exit 2 ;;
    esac
done
case "$BUDGET" in '' | *[!0-9]*) echo "run-all.sh: --budget takes whole seconds" >&2; exit 2 ;; esac
case "$OUT" in /*) ;; *) OUT=$(pwd)/$OUT ;; esac
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || { echo "run-all.sh: no build folder (./scripts/setup.sh)" >&2; exit 2; }
BRCHECK=$BUILD/brcheck
BUILD_LABEL=${BUILD#"$ROOT"/}
[ -x "$BRCHECK" ] || { echo "run-all.sh: $BRCHECK is not built (./scripts/setup.sh)" >&2; exit 2; }
if [ $QUICK = 1 ]; then WRK_S=3 SOAK_S=0 PEER_S=3 PEER_WARM=2 AFL_S=5 RUNS=1; else
    WRK_S=10 SOAK_S=30 PEER_S=10 PEER_WARM=5 AFL_S=60 RUNS=3; fi

WORK=$(mktemp -d)
SERVE_PID=""
trap '[ -n "$SERVE_PID" ] && kill $SERVE_PID 2>/dev/null; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
MD=$WORK/report.md
SKIPS=$WORK/skips
: >"$SKIPS"
started=$(date +%s)

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
skip() { echo "| $1 | $2 |" >>"$SKIPS"; log "skipped $1: $2"; }
# Runs a part with a time limit; its output in $WORK/$1.out (also on stderr as it comes).
# A part is not started when less of the budget is left than it usually takes.
part() { # name limit_seconds usual_seconds command...
    name=$1 limit=$2 usual=$3
    shift 3
    left=$((BUDGET - ($(date +%s) - started)))
    if [ "$left" -lt "$usual" ]; then
        echo "not run: ${left} s of the ${BUDGET} s budget left, it usually takes ${usual} s" >"$WORK/$name.out"
        skip "$name" "not run: ${left} s of the ${BUDGET} s budget left (--budget)"
        return 0
    fi
    [ "$limit" -gt "$left" ] && limit=$left
    log "$name: $*"
    timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$WORK/$name.out" >&2
    return 0
}
raw() { # name: the part's own output, folded
    printf '<details><summary>output</summary>\n\n```\n'
    cat "$WORK/$1.out"
    printf '```\n</details>\n\n'
}
num() { # awk program printing one figure from the part's output; "?" when not found
    v=$(awk "$2" "$WORK/$1.out" 2>/dev/null | head -1)
    echo "${v:-?}"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "?" || b == "?" || b + 0 == 0) print "?"; else printf "%.2f", a / b }'; }
verdict() { # value op target
    awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { if (v == "?") { print "?"; exit }
        ok = (op == ">=") ? (v + 0 >= t + 0) : (v + 0 <= t + 0); print ok ? "met" : "**not met**" }'
}

# ---- the machine
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
load=$(cut -d' ' -f1-3 /proc/loadavg)
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2>/dev/null)
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
# changed tracked files, not counting the report this run writes
dirty=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null |
    grep -v " $(basename "$OUT")\$" | grep -c . || true)

# ---- in-process model
if [ -x "$BUILD/bench_model" ]; then
    part model 240 30 "$BUILD/bench_model"
    floor=$(num model '/^floor/ { for (i = 1; i <= NF; i++) if ($(i+1) == "req/s") { print $i; exit } }')
    model=$(num model '/^model/ { for (i = 1; i <= NF; i++) if ($(i+1) == "req/s") { print $i; exit } }')
    trans=$(num model '/transitions\/s/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^transitions\/s/) { print $i; exit } }')
    {
        echo "## In-process model (build/bench_model)"
        echo
        echo "| measure | ours (model) | floor (jansson parse+build+dump, same bodies) | ratio | design target | |"
        echo "|---|---:|---:|---:|---|---|"
        r=$(ratio "$model" "$floor")
        echo "| Zilliz mix, JSON requests/s on one core | $model | $floor | $r | >= 150k req/s, >= 0.75 of the floor | $(verdict "$model" ">=" 150000) / $(verdict "$r" ">=" 0.75) |"
        awk '/^(cockroach|atlas) *mix:/ { v = $1; m = ""; f = ""
            for (i = 1; i <= NF; i++) { if ($i == "model") m = $(i+1); if ($i == "floor") f = $(i+1) }
            if (m != "" && f != "" && f + 0 > 0) printf "| %s mix (recorded fixtures), requests/s | %s | %s | %.2f | (no separate target) | |\n", v, m, f, m / f }' "$WORK/model.out"
        awk '/^typed transitions:/ { line = $0; sub(/^typed transitions: */, "", line)
            n = split(line, w, " "); rate = ""; what = line
            for (i = 1; i < n; i++) if (w[i+1] ~ /^transitions\/s/) rate = w[i]
            sub(/, [0-9.]+ transitions\/s.*/, "", what)
            if (rate != "") printf "| typed job transitions/s: %s | %s | | | >= 5M/s | %s |\n", what, rate,
                (rate + 0 >= 5000000) ? "met" : "**not met**" }' "$WORK/model.out"
        [ "$trans" = "?" ] && echo "| typed job transitions/s | ? | | | >= 5M/s | ? |"
        echo
        raw model
    } >>"$MD"
else
    skip "in-process model" "$BUILD/bench_model is not built"
fi

# ---- scale
if [ -x "$BUILD/bench_scale" ]; then
    part scale 150 40 "$BUILD/bench_scale"
    {
        echo "## Scale (build/bench_scale)"
        echo
        echo "| vendor | model bytes per backup at 1M | list page time 1M / 1k: first page | middle page | design target | |"
        echo "|---|---:|---:|---:|---|---|"
        awk '$2 == 1000000 && $3 + 0 > 0 { bytes[$1] = $3 }
            /page time ratio/ { first[$1] = "?"; mid[$1] = "?"; order[++n] = $1
                for (i = 1; i < NF; i++) { f = $(i+1); sub(/,$/, "", f)
                    if ($i == "first") first[$1] = f; if ($i == "middle") mid[$1] = f } }
            END { for (i = 1; i <= n; i++) { v = order[i]; b = (v in bytes) ? bytes[v] : "?"
                ok = (b != "?" && first[v] != "?" && mid[v] != "?" && b + 0 <= 300 && first[v] + 0 <= 2 &&
                      mid[v] + 0 <= 2) ? "met" : "**not met**"
                printf "| %s | %s | %s | %s | <= 300 B/backup, page ratio <= 2 | %s |\n", v, b, first[v], mid[v], ok } }' \
            "$WORK/scale.out"
        echo
        raw scale
    } >>"$MD"
else
    skip "scale (bench_scale)" "$BUILD_LABEL/bench_scale is not built yet (bench/bench_scale.c not in the tree)"
fi

# ---- the fixture suite, in-process and over HTTP
timed_run() { # name command... : best wall time of RUNS in $WORK/name.t, output in name.out
    : >"$WORK/$1.t"
    n=$1
    shift
    i=0
    while [ $i -lt $RUNS ]; do
        t0=$(date +%s.%N)
        "$@" >"$WORK/$n.out" 2>&1
        echo "$t0 $(date +%s.%N)" | awk '{ printf "%.3f\n", $2 - $1 }' >>"$WORK/$n.t"
        i=$((i + 1))
    done
    sort -n "$WORK/$n.t" | head -1
}
log "suite: brcheck run, in-process and over HTTP"
t_model=$(timed_run suite_model "$BRCHECK" run)
sum_model=$(grep -E '^[0-9]+ fixtures:' "$WORK/suite_model.out" | tail -1)
"$BRCHECK" serve --listen 127.0.0.1:0 --port-file "$WORK/port" --quiet >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
if [ -s "$WORK/port" ] && "$BRCHECK" run --help 2>&1 | grep -q 'or a URL'; then
    t_http=$(timed_run suite_http "$BRCHECK" run --target "http://127.0.0.1:$(cat "$WORK/port")")
    sum_http=$(grep -E '^[0-9]+ fixtures:' "$WORK/suite_http.out" | tail -1)
else
    t_http="?" sum_http="not run: no HTTP target or the server did not start"
fi
kill $SERVE_PID 2>/dev/null
wait $SERVE_PID 2>/dev/null
SERVE_PID=""
r=$(ratio "$t_http" "$t_model")
{
    echo "## The fixture suite (brcheck run), wall time, best of $RUNS"
    echo
    echo "| target | wall time s | verdict | design target | |"
    echo "|---|---:|---|---|---|"
    echo "| in-process model | $t_model | $sum_model | < 0.5 s | $(verdict "$t_model" "<=" 0.5) |"
    echo "| brcheck serve over HTTP (loopback, lockstep on) | $t_http | $sum_http | < 3 s | $(verdict "$t_http" "<=" 3) |"
    echo
    echo "HTTP/in-process ratio: $r. A verdict other than all passed is another change in progress in the"
    echo "tree, not a benchmark figure."
    echo
} >>"$MD"

# ---- mock server vs its floor, soak
part server 240 $((25 + SOAK_S)) "$ROOT/bench/bench_server.sh" "$BRCHECK" $WRK_S $SOAK_S
ping_rps=$(num server '/ping \(static/ { for (i = 1; i <= NF; i++) if ($(i+1) == "req/s") { print $i; exit } }')
ping_p99=$(num server '/ping \(static/ { for (i = 1; i <= NF; i++) if ($i == "p99") { print $(i+1); exit } }')
srv_rps=$(num server '/GET \/v2\/backups/ { for (i = 1; i <= NF; i++) if ($(i+1) == "req/s") { print $i; exit } }')
srv_p99=$(num server '/GET \/v2\/backups/ { for (i = 1; i <= NF; i++) if ($i == "p99") { print $(i+1); exit } }')
{
    echo "## Mock server vs its own static answer (bench/bench_server.sh)"
    echo
    echo "wrk, one thread, 64 connections, ${WRK_S} s each, one server event thread."
    echo
    echo "| route | req/s | p99 ms | design target | |"
    echo "|---|---:|---:|---|---|"
    echo "| GET /v2/backups (Zilliz list, through the model) | $srv_rps | $srv_p99 | >= 50k req/s, p99 <= 2 ms | $(verdict "$srv_rps" ">=" 50000) / $(verdict "$srv_p99" "<=" 2) |"
    echo "| admin ping (static, the floor) | $ping_rps | $ping_p99 | | |"
    echo "| ratio model/ping | $(ratio "$srv_rps" "$ping_rps") | | | |"
    echo
    if [ "$SOAK_S" -gt 0 ]; then
        echo "Soak (500 connections, ${SOAK_S} s; RSS must not grow more than 5%):"
        echo
        grep '^soak' "$WORK/server.out" | sed 's/^/    /'
        echo
    fi
    raw server
} >>"$MD"
[ "$SOAK_S" -gt 0 ] || skip "server soak" "--quick"

# ---- peers: mock servers, conformance
BENCH_MD=$MD part peers_mock 300 120 "$ROOT/bench/bench_peers_mock.sh" "$BRCHECK" $PEER_S $PEER_WARM
grep -q '^## Mock servers side by side' "$MD" || skip "Prism / WireMock comparison" "bench_peers_mock.sh did not finish: $(tail -1 "$WORK/peers_mock.out")"
BENCH_MD=$MD part peers_conf 180 20 "$ROOT/bench/bench_peers_conformance.sh" "$BRCHECK" $RUNS
grep -q '^## Conformance run time' "$MD" || skip "Dredd comparison" "bench_peers_conformance.sh did not finish: $(tail -1 "$WORK/peers_conf.out")"

# ---- fuzzing
part fuzz 480 330 "$ROOT/bench/bench_fuzz.sh" "$BUILD" "$FUZZ_BUILD" $AFL_S
{
    echo "## Fuzzing execs/s (bench/bench_fuzz.sh)"
    echo
    echo "| harness | replay driver, no fuzzer (the ceiling of one core) execs/s | afl-fuzz ${AFL_S} s execs/s | ratio afl/replay | share of the afl-fuzz ceiling (noop, same run) | harness us per exec (1/afl - 1/noop) | stability | design target | |"
    echo "|---|---:|---:|---:|---:|---:|---|---|---|"
    noop=$(num fuzz "/^noop +afl-fuzz/ { for (i = 1; i <= NF; i++) if (\$(i+1) ~ /^execs\\/s/ && \$i + 0 > best) best = \$i } END { if (best) print best }")
    floor=$(num fuzz "/^forkserver fork server floor:/ { print \$5 }")
    echo "| fork server floor (build/bench_forkserver: AFL++'s persistent-mode round trip alone, one core) | | $floor | | | | | | |"
    echo "| noop (the driver around an empty entry point; the better of a run before and one after the harnesses) | | $noop | | 1.00 | 0 | | | |"
    for h in request sequence; do
        rep=$(num fuzz "/^$h +replay:/ { print \$(NF-1) }")
        afl=$(num fuzz "/^$h +afl-fuzz/ { for (i = 1; i <= NF; i++) if (\$(i+1) ~ /^execs\\/s/) { print \$i; exit } }")
        stab=$(num fuzz "/^$h +afl-fuzz/ { print \$NF }")
        own=$(num fuzz "/^$h +against noop:/ { print \$(NF-6) }")
        tgt="" v=""
        [ $h = sequence ] && tgt=">= 20k execs/s per core, stability 100%" && v="$(verdict "$afl" ">=" 20000)"
        echo "| $h | $rep | $afl | $(ratio "$afl" "$rep") | $(ratio "$afl" "$noop") | $own | $stab | $tgt | $v |"
    done
    echo
    echo "A harness cannot pass the noop row: that is afl-fuzz's own cost per input on this machine (fork server round trip, mutation, coverage map). Nor can noop pass the fork server floor by much: three processes pass each input between them, and a context switch costs what the floor's raw output shows. afl-fuzz's figure moves with the inputs it keeps, which its mutations start from (each line below gives their number and average size): in the first seconds a change anywhere in the instrumented code can send it down longer inputs, and 20 s runs of builds with the same cost per input gave 2,600 to 6,900 execs/s for \`sequence\`; hence runs of ${AFL_S} s."
    echo
    raw fuzz
} >>"$MD"
grep -q 'afl-fuzz' "$WORK/fuzz.out" ||
    skip "afl-fuzz execs/s" "no AFL++ build in $FUZZ_BUILD (cmake --preset fuzz && cmake --build build-fuzz), or afl-fuzz missing"

# ---- shrinking
if [ -x "$BUILD/bench_shrink" ]; then
    part shrink 150 10 "$BUILD/bench_shrink"
    {
        echo "## Shrinking (build/bench_shrink)"
        echo
        echo "| mutant | steps before -> after | plays | seconds | design target | |"
        echo "|---|---|---:|---:|---|---|"
        python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if not isinstance(r, dict) or r.get("bench") != "shrink":
        continue
    t = r.get("target_seconds", 10)
    ok = "met" if r.get("seconds", 1e9) < t and r.get("from", 0) >= 100 else "**not met**"
    print("| %s | %s -> %s | %s | %s | 100 steps to 1-minimal in < %s s | %s |" % (
        r.get("mutant", "?"), r.get("from", "?"), r.get("to", "?"), r.get("plays", "?"),
        r.get("seconds", "?"), t, ok))
' "$WORK/shrink.out"
        echo
        raw shrink
    } >>"$MD"
else
    skip "shrinking (bench_shrink)" "$BUILD_LABEL/bench_shrink is not built yet (bench/bench_shrink.c not in the tree)"
fi

# ---- the report
took=$(($(date +%s) - started))
mkdir -p "$(dirname "$OUT")"
{
    echo "# Benchmarks"
    echo
    echo "Generated by \`bench/run-all.sh\`$([ $QUICK = 1 ] && echo ' --quick (a smoke test: short runs)'); do not edit by hand."
    echo "Every ratio compares two figures measured in the same run on the same machine. The machine is"
    echo "shared with builds and fuzzers of other work, so absolute figures move from run to run;"
    echo "the ratios are what to compare. Design targets: docs/performance.md."
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
    echo "| machine | $(nproc) cores ($cpu), $mem, load average at start $load |"
    echo "| build | $BUILD_LABEL ($btype), commit $commit$([ "$dirty" -gt 0 ] && echo " with $dirty files changed in the tree") |"
    echo "| peers | Prism $(node -p 'require("'"$ROOT"'/bench/peers/node_modules/@stoplight/prism-cli/package.json").version' 2>/dev/null || echo '-'), WireMock $(node -p 'require("'"$ROOT"'/bench/peers/node_modules/wiremock/package.json").version' 2>/dev/null || echo '-') on $(java -version 2>&1 | head -1 | tr -d '"'), Dredd $(node -p 'require("'"$ROOT"'/bench/peers/node_modules/dredd/package.json").version' 2>/dev/null || echo '-'), node $(node --version 2>/dev/null), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2) |"
    echo "| run time | ${took} s |"
    echo
    if [ -s "$SKIPS" ]; then
        echo "Skipped:"
        echo
        echo "| part | reason |"
        echo "|---|---|"
        cat "$SKIPS"
        echo
    fi
    cat "$MD"
} >"$OUT"
log "wrote $OUT in ${took}s"
