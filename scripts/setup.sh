#!/bin/sh
# Installs every Debian package brcheck needs (idempotent), then configures and builds.
# Usage: ./scripts/setup.sh            normal build in build/
#        ./scripts/setup.sh asan       ASan+UBSan build in build-asan/ (also: tsan, coverage, fuzz)
set -eu
cd "$(dirname "$0")/.."
preset=${1:-default}

packages="build-essential cmake ninja-build pkg-config clang clang-format \
libjansson-dev libcmocka-dev libcurl4-openssl-dev libmicrohttpd-dev \
faketime libfaketime lcov afl++ libmimalloc-dev wrk python3 \
libxml2-utils python3-jsonschema chromium zip unzip"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

cmake --preset "$preset"
cmake --build --preset "$preset"
