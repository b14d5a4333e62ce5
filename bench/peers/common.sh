# Shared by bench/bench_peers_*.sh (sourced, POSIX sh): our server, its captured answers,
# the peer tools' inputs made from them, free ports, waiting, and wrk figures.
# Needs: ROOT (the source tree), BRCHECK, WORK (a scratch folder removed by the caller).

PEERS="$ROOT/bench/peers"
VENDOR_DIR=${BRCHECK_VENDOR_DIR:-$ROOT/../shared/vendor}
CRDB_PATH=/api/v1/clusters/10000000-0000-4000-8000-000000000003/backups
ATLAS_PATH=/api/atlas/v2/groups/5f0000000000000000000002/clusters/M2Shop/backup/tenant/snapshots
ATLAS_ACCEPT='Accept: application/vnd.atlas.2023-01-01+json'
PIDS=""

cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    rm -rf "$WORK"
}

# A free loopback TCP port.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits up to $2 seconds until URL $1 answers anything over HTTP.
wait_http() {
    n=$(($2 * 5))
    while [ "$n" -gt 0 ]; do
        curl -s -o /dev/null --max-time 1 "$1" && return 0
        sleep 0.2
        n=$((n - 1))
    done
    return 1
}

# Starts `brcheck serve` on a free port: sets OURS (base URL) and OURS_PID.
start_ours() {
    "$BRCHECK" serve --listen 127.0.0.1:0 --port-file "$WORK/ours.port" --quiet >"$WORK/ours.log" 2>&1 &
    OURS_PID=$!
    PIDS="$PIDS $OURS_PID"
    for _ in $(seq 100); do [ -s "$WORK/ours.port" ] && break; sleep 0.05; done
    [ -s "$WORK/ours.port" ] || { echo "brcheck serve did not start: $(cat "$WORK/ours.log")" >&2; return 1; }
    OURS="http://127.0.0.1:$(cat "$WORK/ours.port")"
}

# Captures our answers on the two list paths and makes every peer input into $WORK/in.
make_inputs() {
    mkdir -p "$WORK/cap"
    curl -sf -o "$WORK/cap/crdb.body" -w '%{content_type}\n' -H 'Authorization: Bearer crdb-demo-key' \
        "$OURS$CRDB_PATH" >"$WORK/cap/crdb.type" &&
        curl -sf -o "$WORK/cap/atlas.body" -w '%{content_type}\n' --digest \
            -u atlas-demo-public:atlas-demo-private -H "$ATLAS_ACCEPT" "$OURS$ATLAS_PATH" \
            >"$WORK/cap/atlas.type" || { echo "cannot capture our answers from $OURS" >&2; return 1; }
    [ -f "$VENDOR_DIR/crdb_cloud_backup_restore_subset.json" ] ||
        { echo "vendor OpenAPI subsets not found in $VENDOR_DIR (set BRCHECK_VENDOR_DIR)" >&2; return 1; }
    python3 "$PEERS/make_inputs.py" "$VENDOR_DIR" "$WORK/cap" "$WORK/in" "$ROOT/server/demo_world.json"
}

# Fresh Atlas Digest nonces from our server's challenges (for bench/peers/digest.lua).
atlas_nonces() { # count
    i=0
    while [ $i -lt "$1" ]; do
        curl -s -D - -o /dev/null "$OURS$ATLAS_PATH" | sed -n 's/.*nonce="\([0-9a-f]*\)".*/\1/p'
        i=$((i + 1))
    done | tr '\n' ' '
}

# "rps p99_ms non2xx socket_errors bytes_per_request" from wrk output on stdin.
wrk_figures() {
    awk '
    function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v / 1000 }
                     if (v ~ /ms$/) { sub(/ms/, "", v); return v + 0 }
                     if (v ~ /s$/) { sub(/s/, "", v); return v * 1000 }
                     if (v ~ /m$/) { sub(/m/, "", v); return v * 60000 } return v }
    function bytes(v) { m = 1; if (v ~ /KB$/) m = 1024; else if (v ~ /MB$/) m = 1048576; else if (v ~ /GB$/) m = 1073741824
                        sub(/[KMG]?B$/, "", v); return v * m }
    /Requests\/sec/ { rps = $2 }
    $1 == "99%" { p99 = ms($2) }
    /requests in/ { total = $1; rd = bytes($5) }
    /Non-2xx/ { non2xx = $NF }
    /Socket errors/ { gsub(/,/, ""); err = $4 + $6 + $8 + $10 }
    END { printf "%s %s %d %d %.0f\n", rps ? rps : 0, p99 ? p99 : 0, non2xx, err, total ? rd / total : 0 }'
}
