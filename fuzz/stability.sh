#!/bin/sh
# Stability check of a harness: runs a set of inputs through afl-showmap twice, in name order
# and in reverse order, in one persistent-mode child each, and compares every input's
# coverage map between the two runs. An input whose map differs took another path because
# of the inputs run before it: state the harness keeps from one input to the next (a cache,
# a counter, a connection left open), which AFL++ reports as instability and which makes a
# finding hard to replay. Prints each such input; exit 1 when there is one.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<EOF
usage: fuzz/stability.sh [--build DIR] [--ci] [--keep] HARNESS [FILE-OR-DIR...]
  HARNESS        request, sequence or http
  FILE-OR-DIR    the inputs (default: fuzz/corpus/HARNESS and fuzz/regress/HARNESS); a queue
                 folder of a campaign (fuzz/out/<h>/sync/<instance>/queue) works too
  --build DIR    the AFL++ build (default build-fuzz; fuzz/campaign.sh or the preset fuzz
                 makes it)
  --ci           run only when BRCHECK_FUZZ_CI=1 (exit 77 otherwise, as when DIR lacks the
                 harness: ctest counts it as skipped)
  --keep         keep the work folder (the two runs' maps) and print where it is
Exit 0: every input's map is the same in both orders; 1: some differ; 2: usage or run error.
EOF
}

build="$ROOT/build-fuzz"
ci=0
keep=0
harness=""
inputs=""
while [ $# -gt 0 ]; do
  case "$1" in
  --build)
    case "${2:---}" in --*) echo "stability: --build needs a value (--help)" >&2; exit 2 ;; esac
    build=$2; shift 2 ;;
  --ci) ci=1; shift ;;
  --keep) keep=1; shift ;;
  -h | --help) usage; exit 0 ;;
  -*) echo "stability: unknown option $1 (--help)" >&2; exit 2 ;;
  *) if [ -z "$harness" ]; then harness=$1; else inputs="$inputs $1"; fi; shift ;;
  esac
done
[ -n "$harness" ] || { usage >&2; exit 2; }
case "$harness" in
request | sequence | http) ;;
*) echo "stability: unknown harness $harness (request, sequence or http)" >&2; exit 2 ;;
esac
if [ "$ci" = 1 ] && [ "${BRCHECK_FUZZ_CI:-0}" != 1 ]; then
  echo "stability: skipped (set BRCHECK_FUZZ_CI=1)"
  exit 77
fi
bin="$build/fuzz/fuzz_$harness"
if [ ! -x "$bin" ] || ! command -v afl-showmap >/dev/null; then
  echo "stability: needs afl-showmap and $bin (cmake --preset fuzz && cmake --build build-fuzz)" >&2
  [ "$ci" = 1 ] && exit 77
  exit 2
fi
[ -n "$inputs" ] || inputs="$ROOT/fuzz/corpus/$harness $ROOT/fuzz/regress/$harness"

work=$(mktemp -d "${TMPDIR:-/tmp}/brcheck-stability.XXXXXX") || exit 2
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
mkdir "$work/list" "$work/forward" "$work/backward"
# Every input once, under a name that keeps its origin; the backward run takes them in
# reverse through a numbered prefix.
n=0
for src in $inputs; do
  # (afl-showmap skips empty files: so does the check)
  if [ -d "$src" ]; then find "$src" -maxdepth 1 -type f -size +0 ! -name '.*'; elif [ -s "$src" ]; then echo "$src"; else
    echo "stability: no such input $src" >&2
  fi
done | sort >"$work/list/all"
total=$(wc -l <"$work/list/all")
[ "$total" -ge 2 ] || { echo "stability: fewer than two inputs" >&2; exit 2; }
while IFS= read -r f; do
  n=$((n + 1))
  name=$(printf '%06d' "$n")
  cp "$f" "$work/forward/$name"
  cp "$f" "$work/backward/$(printf '%06d' $((total + 1 - n)))-$name"
  printf '%s %s\n' "$name" "$f" >>"$work/list/names"
done <"$work/list/all"

run() { # folder maps
  BR_FUZZ_WARMUP="$ROOT/fuzz/corpus/$harness" AFL_QUIET=1 \
    afl-showmap -i "$work/$1" -o "$work/$2" -m none -t 5000 -- "$bin" >"$work/$2.log" 2>&1
  [ "$(ls "$work/$2" 2>/dev/null | wc -l)" -eq "$total" ] ||
    { echo "stability: afl-showmap did not map every input:" >&2; tail -5 "$work/$2.log" >&2; exit 2; }
}
run forward maps-forward
run backward maps-backward

differ=0
while read -r name file; do
  other=$(printf '%06d' $((total + 1 - ${name#"${name%%[!0]*}"})))-$name
  if ! cmp -s "$work/maps-forward/$name" "$work/maps-backward/$other"; then
    differ=$((differ + 1))
    [ "$differ" -le 20 ] && echo "differs: $file"
  fi
done <"$work/list/names"
echo "stability: $harness: $differ of $total inputs took another path when run after other inputs"
[ "$keep" = 1 ] && echo "stability: maps in $work/maps-forward and $work/maps-backward"
[ "$differ" -eq 0 ]
