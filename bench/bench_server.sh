#!/bin/sh
# Mock server load benchmark with wrk: requests/s and p99 for a model route and for the
# admin ping (a static answer, the floor) measured in the same run, and their ratio; then a
# soak with 500 connections checking that resident memory does not grow more than 5%.
# Usage: bench/bench_server.sh [BRCHECK] [SECONDS] [SOAK_SECONDS]
set -eu
BRCHECK=${1:-./build/brcheck}
SECS=${2:-10}
SOAK=${3:-60}
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/setup.sh installs it)"; exit 77; }
dir=$(mktemp -d)
"$BRCHECK" serve --listen 127.0.0.1:0 --port-file "$dir/port" --quiet >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$dir/port")"
model="$base/v2/backups?clusterId=in01-demo0dedicated01"

# Requests/s and the 99th percentile (ms) of one wrk run.
measure() { # url conns secs [header]
    if [ -n "${4:-}" ]; then out=$(wrk -t1 -c"$2" -d"$3"s --latency -H "$4" "$1"); else out=$(wrk -t1 -c"$2" -d"$3"s --latency "$1"); fi
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}')
    errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
    echo "$rps $p99 $errs"
}
wrk -t1 -c64 -d2s -H 'Authorization: Bearer zilliz-demo-key' "$model" >/dev/null # warm-up
set -- $(measure "$base/_brcheck/v1/ping" 64 "$SECS")
ping_rps=$1 ping_p99=$2
set -- $(measure "$model" 64 "$SECS" 'Authorization: Bearer zilliz-demo-key')
model_rps=$1 model_p99=$2
shift 2; model_errs="$*"
echo "mock server, 64 connections, ${SECS}s each (one wrk thread, one server event thread), same run:"
printf '  %-44s %10.0f req/s  p99 %6.2f ms\n' "ping (static, no model work)" "$ping_rps" "$ping_p99"
printf '  %-44s %10.0f req/s  p99 %6.2f ms %s\n' "GET /v2/backups (Zilliz list, via the model)" "$model_rps" "$model_p99" "$model_errs"
awk -v m="$model_rps" -v p="$ping_rps" -v l="$model_p99" 'BEGIN {
    printf "  ratio model/ping %.2f; design target >= 50000 req/s and p99 <= 2 ms: %s\n", m / p,
        (m >= 50000 && l <= 2) ? "met" : "NOT met" }'

if [ "$SOAK" -gt 0 ]; then
    # Resident memory sampled while the 500 connections are open: 10 s in, and 2 s before
    # the end (after wrk closes them the server gives memory back, which would hide growth).
    rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
    measure "$model" 500 "$SOAK" 'Authorization: Bearer zilliz-demo-key' > "$dir/soak" &
    sleep 10
    before=$(rss)
    sleep $((SOAK - 12))
    after=$(rss)
    wait $!
    set -- $(cat "$dir/soak")
    awk -v b="$before" -v a="$after" -v r="$1" -v p="$2" -v s="$SOAK" 'BEGIN {
        g = (a - b) * 100.0 / b
        printf "soak: %ds at 500 connections, %.0f req/s, p99 %.2f ms; RSS %d -> %d KiB (%+.1f%%): %s\n",
            s, r, p, b, a, g, (g <= 5) ? "within 5%" : "GREW MORE THAN 5%"
        exit (g <= 5) ? 0 : 1 }'
fi
