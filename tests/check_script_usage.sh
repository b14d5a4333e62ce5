#!/bin/sh
# The helper scripts speak their usage: scripts/coverage.sh --help prints its comment block
# (and no line of code) with every option it parses, --check ... --require-coverage on a
# build without coverage is an error (exit 2), not a skip; tests/check_reports.py --help
# prints its usage, without arguments it gives the usage line and exit 2, never a traceback.
set -u
src=$1
build=$2 # a build folder without coverage
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
out=$(sh "$src/scripts/coverage.sh" --help 2>&1) || fail "coverage.sh --help exits $?"
echo "$out" | grep -q -- '--require-coverage' || fail "coverage.sh --help lacks --require-coverage"
echo "$out" | grep -q 'set -eu' && fail "coverage.sh --help prints a line of code: set -eu"
if grep -q '^BR_COVERAGE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "$build is a coverage build: --require-coverage on a plain build not checked"
else
  sh "$src/scripts/coverage.sh" --check "$build" >/dev/null 2>&1
  [ $? -eq 77 ] || fail "coverage.sh --check on a plain build is not a skip (77)"
  err=$(sh "$src/scripts/coverage.sh" --check "$build" --require-coverage 2>&1 >/dev/null)
  rc=$?
  [ $rc -eq 2 ] || fail "coverage.sh --check --require-coverage on a plain build exits $rc, not 2"
  echo "$err" | grep -q 'not a coverage build' || fail "--require-coverage: stderr is: $err"
  err=$(sh "$src/scripts/coverage.sh" --check "$build" --require-coverag 2>&1 >/dev/null)
  rc=$?
  [ $rc -eq 2 ] && echo "$err" | grep -q 'unknown option --require-coverag' ||
    fail "coverage.sh --check with a misspelled option: exit $rc, $err"
fi
out=$(python3 "$src/tests/check_reports.py" --help 2>&1) || fail "check_reports.py --help exits $?"
echo "$out" | grep -q '^usage: check_reports.py KIND' || fail "check_reports.py --help: $out"
err=$(python3 "$src/tests/check_reports.py" 2>&1)
rc=$?
[ $rc -eq 2 ] || fail "check_reports.py without arguments exits $rc, not 2"
echo "$err" | grep -q Traceback && fail "check_reports.py without arguments: a traceback"
echo "$err" | grep -q '^usage: ' || fail "check_reports.py without arguments: $err"
[ $fails -eq 0 ] && echo "all checks passed"
[ $fails -eq 0 ]
