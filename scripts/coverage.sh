#!/bin/sh
# Line and branch coverage (gcov + lcov) of the coverage build: the unit tests and the whole
# ctest suite in-process, then every fixture over HTTP against `brcheck serve` from the same
# build; HTML under reports/coverage/ (git-ignored), one line per folder on stdout, the
# figures into reports/coverage-summary.md and README.md (between the coverage markers).
#
#   scripts/coverage.sh [--no-build] [--no-write]
#   scripts/coverage.sh --check BUILD_DIR [--require-coverage]
#
# --no-build  uses build-coverage/ as it is (no configure, no build)
# --no-write  prints the figures without touching reports/coverage-summary.md and README.md
# --check     (ctest check:coverage) measures the model's coverage from the unit tests and the
#             fixture suite of BUILD_DIR, with the counters written to a private folder
#             (GCOV_PREFIX) so that a parallel ctest is not disturbed; exit 1 below the
#             targets (model/: lines >= 95%, branches >= 90%), 77 (skipped) when BUILD_DIR
#             is not a coverage build.
# --require-coverage  with --check: a BUILD_DIR that is not a coverage build is an error
#             (exit 2) instead of a skip, for a job that must measure.
# Environment: BR_COVERAGE_DIR (default build-coverage), JOBS (default 2).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
MODEL_LINES=95
MODEL_BRANCHES=90
JOBS=${JOBS:-2}

# The comment block at the top, up to the first line of code.
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }

# lcov 2.x spells the branch switch differently and wants mismatches tolerated explicitly.
lcov_major=$(lcov --version 2>/dev/null | sed -n 's/.*version \([0-9]*\).*/\1/p')
[ -n "$lcov_major" ] || { echo "coverage: lcov is not installed (apt-get install lcov)" >&2; exit 2; }
if [ "$lcov_major" -ge 2 ]; then
  BR="--rc branch_coverage=1"
  TOLERATE="--ignore-errors mismatch,unused,empty"
else
  BR="--rc lcov_branch_coverage=1"
  TOLERATE=""
fi

# Filters a raw capture down to the project's own sources: no system headers, no tests,
# benchmarks, fuzz harnesses or generated files.  filter RAW OUT
filter() {
  # shellcheck disable=SC2086
  lcov -q $BR $TOLERATE --extract "$1" "$root/model/*" "$root/conformance/*" "$root/server/*" \
    "$root/cli/*" -o "$2" >/dev/null
}

# Per-folder figures of an lcov file: "folder lines_hit lines_found branches_hit branches_found"
folders() {
  awk -v root="$root/" '
    function add(k) { lh[k] += LH; lf[k] += LF; bh[k] += BH; bf[k] += BF }
    /^SF:/ { f = substr($0, 4); sub("^" root, "", f); LH = LF = BH = BF = 0 }
    /^LH:/ { LH = substr($0, 4) } /^LF:/ { LF = substr($0, 4) }
    /^BRH:/ { BH = substr($0, 5) } /^BRF:/ { BF = substr($0, 5) }
    /^end_of_record/ {
      split(f, p, "/")
      add(p[1] "/")
      if (p[1] == "model" && (p[2] == "zilliz" || p[2] == "crdb" || p[2] == "atlas")) add("model/" p[2])
      add("total")
    }
    END {
      n = split("model/ model/zilliz model/crdb model/atlas conformance/ server/ cli/ total", order, " ")
      for (i = 1; i <= n; i++) { k = order[i]; if (k in lf) print k, lh[k] + 0, lf[k] + 0, bh[k] + 0, bf[k] + 0 }
    }' "$1"
}

pct() { awk -v h="$1" -v f="$2" 'BEGIN { if (f == 0) print "n/a"; else printf "%.1f", 100 * h / f }'; }

# Exit 1 unless model/ reaches the targets. model_ok FIGURES
model_ok() {
  awk -v L="$MODEL_LINES" -v B="$MODEL_BRANCHES" '
    $1 == "model/" { found = 1
      l = $3 ? 100 * $2 / $3 : 0; b = $5 ? 100 * $4 / $5 : 0
      printf "model/: lines %.1f%% (target %d%%), branches %.1f%% (target %d%%)\n", l, L, b, B
      ok = l >= L && b >= B }
    END { exit !(found && ok) }' "$1"
}

# ---- check:coverage ------------------------------------------------------------------------
if [ "${1:-}" = "--check" ]; then
  [ $# -ge 2 ] || { echo "coverage: --check needs the build folder" >&2; usage >&2; exit 2; }
  require=0
  case ${3:-} in
    "") ;;
    --require-coverage) require=1 ;;
    *) echo "coverage: unknown option $3" >&2; usage >&2; exit 2 ;;
  esac
  [ $# -le 3 ] || { echo "coverage: unexpected argument $4" >&2; usage >&2; exit 2; }
  build=$(cd "$2" 2>/dev/null && pwd) || { echo "coverage: cannot enter $2" >&2; exit 2; }
  if ! grep -q '^BR_COVERAGE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    if [ "$require" -eq 1 ]; then
      echo "coverage: $build is not a coverage build (BR_COVERAGE is off)" >&2
      exit 2
    fi
    echo "not a coverage build (BR_COVERAGE is off): skipped"
    exit 77
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # Counters go to $work/$build/... instead of next to the objects; the notes are copied there.
  (cd "$build" && find . -name '*.gcno' | while read -r f; do
    mkdir -p "$work$build/$(dirname "$f")" && cp "$f" "$work$build/$f"; done)
  export GCOV_PREFIX="$work" GCOV_PREFIX_STRIP=0
  status=0
  for t in "$build"/tests/test_model_* "$build"/tests/test_bad_input "$build"/tests/test_alloc_* \
    "$build"/tests/test_branches_*; do
    [ -x "$t" ] || continue
    "$t" >"$work/unit.log" 2>&1 || { echo "FAIL $(basename "$t")"; tail -20 "$work/unit.log"; status=1; }
  done
  "$build/brcheck" run "$root/fixtures" >"$work/run.log" 2>&1 ||
    { echo "FAIL brcheck run"; tail -20 "$work/run.log"; status=1; }
  unset GCOV_PREFIX GCOV_PREFIX_STRIP
  # shellcheck disable=SC2086
  lcov -q $BR $TOLERATE --capture --directory "$work$build" -o "$work/raw.info" >/dev/null 2>&1 ||
    { echo "lcov --capture failed"; exit 1; }
  filter "$work/raw.info" "$work/cov.info"
  folders "$work/cov.info" >"$work/figures"
  model_ok "$work/figures" || status=1
  [ "$status" -eq 0 ] && echo "model coverage meets its targets" || echo "model coverage check FAILED"
  exit "$status"
fi

# ---- the full measurement ------------------------------------------------------------------
build_it=1
write=1
for a in "$@"; do
  case $a in
    --no-build) build_it=0 ;;
    --no-write) write=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "coverage: unknown option $a" >&2; usage >&2; exit 2 ;;
  esac
done
build=${BR_COVERAGE_DIR:-$root/build-coverage}
if [ "$build_it" -eq 1 ]; then
  if [ "$build" = "$root/build-coverage" ]; then
    (cd "$root" && cmake --preset coverage >/dev/null)
  else
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBR_COVERAGE=ON >/dev/null
  fi
  cmake --build "$build" -j "$JOBS"
fi
grep -q '^BR_COVERAGE:BOOL=ON' "$build/CMakeCache.txt" ||
  { echo "coverage: $build is not a coverage build" >&2; exit 2; }

lcov -q --zerocounters --directory "$build"
find "$build" -name '*.gcda' -delete

# 1. In-process: the unit tests, every fixture as its own test, the tree checks, the server
#    and HTTP tests. Not the short fuzz campaign (an AFL++ build of its own) nor this check.
echo "== ctest (in-process and loopback tests)"
failed_tests=""
ctest --test-dir "$build" -j "$JOBS" -LE 'coverage|fuzz-short' --output-on-failure >"$build/coverage-ctest.log" 2>&1 ||
  failed_tests=$(grep -E '^\s+[0-9]+ - ' "$build/coverage-ctest.log" | sed 's/^ *//' | tr '\n' ';')
tail -3 "$build/coverage-ctest.log"

# 2. Over HTTP: the whole suite against `brcheck serve` from the same build.
echo "== the suite over HTTP against brcheck serve"
work=$(mktemp -d)
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
http="skipped"
"$build/brcheck" serve --listen 127.0.0.1:0 --port-file "$work/port" >"$work/serve.log" 2>&1 &
serve_pid=$!
i=0
while [ ! -s "$work/port" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -s "$work/port" ]; then
  set +e
  "$build/brcheck" run --target "http://127.0.0.1:$(cat "$work/port")" "$root/fixtures" >"$work/http.log" 2>&1
  rc=$?
  set -e
  tail -1 "$work/http.log"
  case $rc in
    0) http="every fixture passed" ;;
    1) http="ran, with violations (see brcheck run --target output)" ;;
    *) http="skipped: brcheck run --target exited $rc: $(tail -1 "$work/http.log")" ;;
  esac
else
  http="skipped: brcheck serve did not start ($(tail -1 "$work/serve.log"))"
fi
# SIGTERM stops the server gracefully, so that its counters are written.
kill -TERM "$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true
serve_pid=""
case $http in skipped*) echo "HTTP part SKIPPED: ${http#skipped: }" ;; *) echo "HTTP part: $http" ;; esac

# 3. Capture, filter, HTML.
echo "== lcov"
# shellcheck disable=SC2086
lcov -q $BR $TOLERATE --capture --directory "$build" -o "$build/coverage.raw.info" >/dev/null 2>"$work/lcov.err" ||
  { cat "$work/lcov.err"; exit 1; }
filter "$build/coverage.raw.info" "$build/coverage.info"
rm -rf "$root/reports/coverage"
# shellcheck disable=SC2086
genhtml -q $BR --branch-coverage --prefix "$root" --title "brcheck coverage" \
  -o "$root/reports/coverage" "$build/coverage.info" >/dev/null
folders "$build/coverage.info" >"$work/figures"

# 4. One line per folder; the summary files.
echo "== coverage (lines, branches)"
while read -r k lh lf bh bf; do
  printf '%-14s lines %5s%% (%d/%d)  branches %5s%% (%d/%d)\n' "$k" "$(pct "$lh" "$lf")" "$lh" "$lf" \
    "$(pct "$bh" "$bf")" "$bh" "$bf"
done <"$work/figures"
echo "HTML: reports/coverage/index.html"

{
  echo "| folder | lines | branches |"
  echo "|---|---:|---:|"
  while read -r k lh lf bh bf; do
    echo "| $k | $(pct "$lh" "$lf")% ($lh/$lf) | $(pct "$bh" "$bf")% ($bh/$bf) |"
  done <"$work/figures"
  echo
  echo "Measured by \`scripts/coverage.sh\` ($(gcc -dumpfullversion 2>/dev/null || echo gcc) gcov, lcov $(lcov --version | sed -n 's/.*version //p'), -O0): the ctest suite in-process and over loopback HTTP, then every fixture over HTTP against \`brcheck serve\` ($http). Targets for \`model/\`: lines >= $MODEL_LINES%, branches >= $MODEL_BRANCHES%."
  [ -z "$failed_tests" ] || echo "Failing tests during the measurement: $failed_tests"
} >"$work/table.md"
# What model/ leaves uncovered, per file: lines never run, and branches never taken (line
# numbers), for reports/coverage-summary.md only.
{
  cat "$work/table.md"
  echo
  echo "Uncovered in \`model/\` (line numbers; a branch line is listed once per untaken branch group):"
  echo
  awk -v root="$root/" '
    /^SF:/ { f = substr($0, 4); sub("^" root, "", f); keep = f ~ /^model\// }
    keep && /^DA:/ { split(substr($0, 4), a, ","); if (a[2] == 0) { nl[f]++; L[f] = L[f] " " a[1] } }
    keep && /^BRDA:/ { split(substr($0, 6), a, ","); if (a[4] == "-" || a[4] == 0) { nb[f]++;
        if (!((f, a[1]) in seen)) { seen[f, a[1]] = 1; B[f] = B[f] " " a[1] } } }
    END { for (f in nl) files[f] = 1; for (f in nb) files[f] = 1
      n = 0; for (f in files) order[++n] = f
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (order[j] < order[i]) { t = order[i]; order[i] = order[j]; order[j] = t }
      for (i = 1; i <= n; i++) { f = order[i]
        printf "- `%s`: %d lines%s; %d branches, at%s\n", f, nl[f], nl[f] ? " (" substr(L[f], 2) ")" : "", nb[f], B[f] } }' \
    "$build/coverage.info"
} >"$work/summary.md"

# Between the markers of FILE, put TABLE.  replace FILE BEGIN END TABLE
replace() {
  awk -v table="$4" -v b="$2" -v e="$3" '
    $0 == b { print; while ((getline l < table) > 0) print l; skip = 1; next }
    $0 == e { skip = 0 }
    !skip { print }' "$1" >"$work/replaced" && cp "$work/replaced" "$1"
}
if [ "$write" -eq 1 ]; then
  summary=$root/reports/coverage-summary.md
  if [ ! -f "$summary" ]; then
    printf '# Coverage\n\n<!-- coverage:begin -->\n<!-- coverage:end -->\n' >"$summary"
  fi
  replace "$summary" '<!-- coverage:begin -->' '<!-- coverage:end -->' "$work/summary.md"
  if grep -q '^<!-- coverage:begin -->$' "$root/README.md"; then
    replace "$root/README.md" '<!-- coverage:begin -->' '<!-- coverage:end -->' "$work/table.md"
  fi
  echo "wrote reports/coverage-summary.md (and the README's coverage table)"
fi
[ -z "$failed_tests" ] || { echo "some tests failed during the measurement: $failed_tests"; exit 1; }
model_ok "$work/figures" || { echo "model/ is below its coverage targets"; exit 1; }
