#!/bin/sh
# Shared by the tests/check_http_*.sh scripts: start `brcheck serve` on a free loopback port
# (its port comes back through --port-file) and stop it when the script exits.
# Usage: . http_lib.sh; start_serve [serve options]; ... "$url" ...
set -u
work=$(mktemp -d)
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  for p in $extra_pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
extra_pids=""
trap cleanup EXIT INT TERM
admin="Authorization: Bearer admin-demo-token"

# start_serve [options]: sets serve_pid, port, url
start_serve() {
  rm -f "$work/port"
  "$brcheck" serve --listen 127.0.0.1:0 --port-file "$work/port" "$@" >"$work/serve.log" 2>&1 &
  serve_pid=$!
  wait_file "$work/port" || { echo "brcheck serve did not start"; cat "$work/serve.log"; exit 1; }
  port=$(cat "$work/port")
  url="http://127.0.0.1:$port"
}

wait_file() {
  i=0
  while [ ! -s "$1" ]; do
    i=$((i + 1))
    [ "$i" -gt 100 ] && return 1
    sleep 0.1
  done
  return 0
}

fail() { echo "FAIL: $*"; exit 1; }
