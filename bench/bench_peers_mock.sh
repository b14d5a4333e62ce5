#!/bin/sh
# Mock servers side by side under wrk: `brcheck serve` (stateful: every answer comes from the
# model) against Stoplight Prism (`prism mock` on the vendor OpenAPI subsets, our answer set
# as the example) and WireMock (standalone jar from the npm package, stubs holding our
# answers byte for byte); neither of those keeps state. Same paths, same response bodies,
# same wrk settings (one thread, 64 connections), each server warmed up first, all in one run:
#   CockroachDB GET /api/v1/clusters/{id}/backups with 'Authorization: Bearer' (ours checks
#     the key and its role; Prism checks that the header is there; WireMock ignores it)
#   Atlas GET /api/atlas/v2/groups/{g}/clusters/{c}/backup/tenant/snapshots with HTTP Digest
#     computed per request by bench/peers/digest.lua, sent to all three (ours verifies it,
#     with a rising nonce count; the others ignore it): same client work for every server.
# Peers are installed by bench/peers/install.sh (npm); one that cannot start is skipped with
# the reason. With BENCH_MD=FILE a Markdown section is appended to FILE.
# usage: bench/bench_peers_mock.sh [BRCHECK] [SECONDS] [WARMUP_SECONDS]  (defaults:
#        build/brcheck 10 5)
set -u
case "${1:-}" in -h | --help) sed -n '2,15p' "$0" | cut -c3-; exit 0 ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BRCHECK=${1:-$ROOT/build/brcheck}
SECS=${2:-10}
WARM=${3:-5}
BENCH_MD=${BENCH_MD:-}
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/setup.sh installs it)"; exit 77; }
command -v python3 >/dev/null || { echo "python3 is needed to make the peers' inputs"; exit 77; }
WORK=$(mktemp -d)
. "$ROOT/bench/peers/common.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

start_ours || exit 1
make_inputs || exit 1

skipped=""
skip() { # name reason
    echo "skipped $1: $2"
    skipped="$skipped
| $1 | $2 |"
}

# The peers.
PRISM_CRDB="" PRISM_ATLAS="" WIREMOCK=""
if "$PEERS/install.sh"; then
    for v in crdb atlas; do
        port=$(free_port)
        "$PEERS/node_modules/.bin/prism" mock -h 127.0.0.1 -p "$port" -v silent \
            "$WORK/in/prism-$v.json" >"$WORK/prism-$v.log" 2>&1 &
        PIDS="$PIDS $!"
        if wait_http "http://127.0.0.1:$port/" 60; then
            eval "PRISM_$(echo $v | tr '[:lower:]' '[:upper:]')=http://127.0.0.1:$port"
        else
            skip "Prism ($v)" "did not start within 60 s: $(tail -c 300 "$WORK/prism-$v.log" | tr '\n|' '  ')"
        fi
    done
    jar=$(ls "$PEERS"/node_modules/wiremock/build/wiremock-standalone-*.jar 2>/dev/null | tail -1)
    if ! command -v java >/dev/null; then
        skip WireMock "no Java on this machine (apt-get install -y default-jre-headless)"
    elif [ -z "$jar" ]; then
        skip WireMock "the npm package wiremock holds no standalone jar"
    else
        port=$(free_port)
        java -jar "$jar" --port "$port" --bind-address 127.0.0.1 --root-dir "$WORK/in/wiremock" \
            --no-request-journal --disable-request-logging --disable-banner >"$WORK/wiremock.log" 2>&1 &
        PIDS="$PIDS $!"
        if wait_http "http://127.0.0.1:$port/__admin/health" 90; then
            WIREMOCK="http://127.0.0.1:$port"
        else
            skip WireMock "did not start within 90 s: $(tail -c 300 "$WORK/wiremock.log" | tr '\n|' '  ')"
        fi
    fi
else
    skip Prism "npm install of bench/peers failed (see bench/peers/npm-install.log)"
    skip WireMock "npm install of bench/peers failed (see bench/peers/npm-install.log)"
fi

# The same request check for every server: status and body bytes must be ours.
same_answer() { # base path name [curl args...]
    base=$1 path=$2 name=$3
    shift 3
    got=$(curl -s -o "$WORK/got" -w '%{http_code}' "$@" "$base$path")
    if [ "$got" != 200 ] || ! cmp -s "$WORK/got" "$WORK/cap/$name.body"; then
        echo "  $base$path answered $got with a different body; not measured"
        return 1
    fi
}

# One wrk measurement (after a warm-up) of one server: prints the figures line.
# shellcheck disable=SC2046 # one nonce per word
run_wrk() { # vendor base [wrk options...]
    v=$1 base=$2
    shift 2
    if [ "$v" = crdb ]; then
        wrk -t1 -c64 "$@" -H 'Authorization: Bearer crdb-demo-key' "$base$CRDB_PATH"
    else
        wrk -t1 -c64 "$@" -H "$ATLAS_ACCEPT" -s "$PEERS/digest.lua" "$base$ATLAS_PATH" -- \
            "$HA1" atlas-demo-public 'MMS Public API' $(atlas_nonces 64)
    fi
}
warm() { # vendor base
    [ "$WARM" -gt 0 ] && run_wrk "$1" "$2" -d"$WARM"s >/dev/null 2>&1
    return 0
}
measure() { # vendor base
    run_wrk "$1" "$2" -d"$SECS"s --latency 2>&1 | wrk_figures
}
HA1=$(printf 'atlas-demo-public:MMS Public API:atlas-demo-private' | md5sum | cut -d' ' -f1)

# Each server on each path: the answer checked against ours, then a warm-up (the JVM and
# node JITs are warm on both paths before the first measurement).
checked=""
for v in crdb atlas; do
    eval "prism=\$PRISM_$(echo $v | tr '[:lower:]' '[:upper:]')"
    for server in ours Prism WireMock; do
        case $server in ours) base=$OURS ;; Prism) base=$prism ;; WireMock) base=$WIREMOCK ;; esac
        [ -n "$base" ] || continue
        if [ $server != ours ]; then
            if [ $v = crdb ]; then
                same_answer "$base" "$CRDB_PATH" $v -H 'Authorization: Bearer crdb-demo-key' || continue
            else
                same_answer "$base" "$ATLAS_PATH" $v -H "$ATLAS_ACCEPT" || continue
            fi
        fi
        checked="$checked $v:$server"
        warm $v "$base"
    done
done

echo "mock servers under wrk: one thread, 64 connections, ${SECS}s each after a ${WARM}s warm-up of every server on every path, same run"
echo "ours is stateful (every answer from the model, auth checked); Prism and WireMock answer a fixed body"
md_rows=""
for v in crdb atlas; do
    if [ $v = crdb ]; then
        label="CockroachDB backups list (Bearer)"
        path=$CRDB_PATH
        prism=$PRISM_CRDB
    else
        label="Atlas tenant snapshots list (Digest)"
        path=$ATLAS_PATH
        prism=$PRISM_ATLAS
    fi
    echo "$label: GET $path ($(wc -c <"$WORK/cap/$v.body") body bytes)"
    # shellcheck disable=SC2046 # the figures line splits into $1..$5
    set -- $(measure $v "$OURS")
    ours_rps=$1 ours_p99=$2
    printf '  %-10s %9.0f req/s  p99 %8.2f ms  non-2xx %s, socket errors %s, %s bytes/answer\n' ours "$1" "$2" "$3" "$4" "$5"
    md_rows="$md_rows
| $label | ours (brcheck serve) | $(printf '%.0f' "$1") | $(printf '%.2f' "$2") | $3 / $4 | $5 | |"
    for peer in Prism WireMock; do
        case " $checked " in *" $v:$peer "*) ;; *) continue ;; esac
        base=$prism
        [ $peer = WireMock ] && base=$WIREMOCK
        # shellcheck disable=SC2046 # the figures line splits into $1..$5
        set -- $(measure $v "$base")
        ratio=$(awk -v a="$ours_rps" -v b="$1" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
        p99r=$(awk -v a="$ours_p99" -v b="$2" 'BEGIN { printf "%.1f", (a > 0 ? b / a : 0) }')
        printf '  %-10s %9.0f req/s  p99 %8.2f ms  non-2xx %s, socket errors %s, %s bytes/answer; ours/%s: %sx the req/s, p99 %sx lower\n' \
            $peer "$1" "$2" "$3" "$4" "$5" $peer "$ratio" "$p99r"
        md_rows="$md_rows
| $label | $peer | $(printf '%.0f' "$1") | $(printf '%.2f' "$2") | $3 / $4 | $5 | ours/$peer: **${ratio}x** the req/s, p99 ${p99r}x lower |"
    done
done

if [ -n "$BENCH_MD" ]; then
    {
        echo "## Mock servers side by side (wrk)"
        echo
        echo "\`bench/bench_peers_mock.sh\`: one wrk thread, 64 connections, ${SECS} s per server and path, one server at a"
        echo "time, same run, after a ${WARM} s warm-up of every server on every path (the JITs of WireMock's JVM and"
        echo "Prism's node are warm before the first measurement)."
        echo "Ours is stateful (every answer comes from the model; the Bearer key and its role, or the"
        echo "Atlas Digest with its rising nonce count, are checked on every request); Prism"
        echo "(\`prism mock\`, the vendor OpenAPI subset with our answer as its example; it checks only that a"
        echo "Bearer header is present) and WireMock (standalone jar, request journal off, stubs holding our"
        echo "answers) answer a fixed body and keep no state. Each peer's answer is checked byte-equal to ours"
        echo "before it is measured. The Atlas rows send a Digest header computed per request"
        echo "(\`bench/peers/digest.lua\`) to all three servers, so the client work is the same."
        echo "Design target for ours: >= 50k req/s with p99 <= 2 ms (docs/performance.md)."
        echo
        echo "| path | server | req/s | p99 ms | non-2xx / socket errors | bytes per answer | ratio |"
        echo "|---|---|---:|---:|---|---:|---|$md_rows"
        if [ -n "$skipped" ]; then
            echo
            echo "| skipped | reason |"
            echo "|---|---|$skipped"
        fi
        echo
    } >>"$BENCH_MD"
fi
exit 0
