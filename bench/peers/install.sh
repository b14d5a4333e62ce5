#!/bin/sh
# Installs the peer tools the benchmarks compare brcheck with (Stoplight Prism, WireMock,
# Dredd; versions pinned in package.json) into bench/peers/node_modules with npm. Not part of
# scripts/setup.sh: only the peer benchmarks need them. Idempotent; exit 1 when npm fails.
# usage: bench/peers/install.sh
set -u
dir=$(cd "$(dirname "$0")" && pwd)
command -v npm >/dev/null || { echo "peers: npm is not installed (apt-get install -y npm)" >&2; exit 1; }
if [ -x "$dir/node_modules/.bin/prism" ] && [ -x "$dir/node_modules/.bin/dredd" ] &&
    ls "$dir"/node_modules/wiremock/build/wiremock-standalone-*.jar >/dev/null 2>&1; then
    exit 0
fi
echo "peers: npm install into $dir/node_modules (Prism, WireMock, Dredd)..." >&2
if ! (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >"$dir/npm-install.log" 2>&1); then
    echo "peers: npm install failed; see $dir/npm-install.log" >&2
    exit 1
fi
