#!/bin/sh
# Fixtures run in parallel (-j) give the verdicts they give one at a time. Every worker
# thread walks inspect paths, captures and reports at once, so state shared between threads
# (a static buffer, strtok, a global cursor) shows up here as a failed fixture.
# Also: the sources call none of the libc functions that keep hidden state between calls.
# Usage: check_parallel_runs.sh BRCHECK FIXTURES_DIR SOURCE_DIR
set -u
brcheck=$1
fixtures=$2
src=$3
fail() { echo "FAIL: $*"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

unsafe=$(grep -rnE '\b(strtok|localtime|gmtime|ctime|asctime|rand|srand|drand48|getlogin|ttyname)\(' \
  "$src/model" "$src/conformance" "$src/server" "$src/cli" "$src/fuzz" --include='*.c' --include='*.h' |
  grep -v '^\S*:[0-9]*:\s*\(/\*\|\*\)')
[ -z "$unsafe" ] || fail "functions with hidden state between calls (use the _r forms):
$unsafe"

# fixtures that inspect the world after restores: many copies of each in one run, so
# several threads walk inspect paths at the same moment
set --
for f in "$fixtures"/*/*.json; do
  grep -q '"inspect"' "$f" && set -- "$@" "$f"
done
[ $# -gt 0 ] || fail "no fixture with an inspect step under $fixtures"
list=""
i=0
while [ $i -lt 12 ]; do
  list="$list $*"
  i=$((i + 1))
done
# shellcheck disable=SC2086
"$brcheck" run -j 4 $list >"$work/inspect" 2>&1 || {
  grep -A3 '^FAIL' "$work/inspect" | head -20
  fail "inspect-heavy fixtures fail when run 4 at a time"
}
tail -1 "$work/inspect"
grep -q ' 0 failed, 0 skipped, 0 errors' "$work/inspect" || fail "not every fixture passed"

# the whole suite, many times, at -j 4
i=0
while [ $i -lt 20 ]; do
  "$brcheck" run -j 4 "$fixtures" >"$work/all" 2>&1 || {
    grep -A3 '^FAIL' "$work/all" | head -20
    fail "the suite at -j 4 fails (run $i)"
  }
  i=$((i + 1))
done
tail -1 "$work/all"
echo "ok"
