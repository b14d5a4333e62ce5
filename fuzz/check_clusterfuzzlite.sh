#!/bin/sh
# Builds the harnesses as ClusterFuzzLite / OSS-Fuzz does (fuzz/clusterfuzzlite/build.sh with
# $SRC, $OUT, $CC, $CFLAGS and $LIB_FUZZING_ENGINE of an AddressSanitizer libFuzzer build), in
# a copy of the source tree, then runs each harness in $OUT over its unzipped seed corpus with
# its dictionary for a few seconds. Fails when a harness does not build, is missing from $OUT,
# or libFuzzer reports a crash, a leak or a timeout.
# Usage: fuzz/check_clusterfuzzlite.sh [--ci] [SECONDS]   (--ci: only when BRCHECK_FUZZ_CI=1)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--ci" ]; then
    shift
    [ "${BRCHECK_FUZZ_CI:-}" = 1 ] || { echo "check_clusterfuzzlite: BRCHECK_FUZZ_CI is not 1: skipped"; exit 77; }
fi
secs=${1:-10}
command -v clang >/dev/null || { echo "check_clusterfuzzlite: clang is not installed (scripts/setup.sh installs it)"; exit 2; }
command -v zip >/dev/null && command -v unzip >/dev/null ||
    { echo "check_clusterfuzzlite: zip and unzip are needed (scripts/setup.sh installs them)"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/src/brcheck" "$work/out"
# the tracked files only: no build folders, no campaign output
(cd "$src" && git ls-files -z 2>/dev/null | xargs -0 tar -cf - 2>/dev/null || tar --exclude='./build*' --exclude=./fuzz/out -cf - .) |
    tar -C "$work/src/brcheck" -xf -
export SRC="$work/src" OUT="$work/out" CC=clang
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
echo "check_clusterfuzzlite: building with fuzz/clusterfuzzlite/build.sh"
if ! bash "$work/src/brcheck/fuzz/clusterfuzzlite/build.sh" > "$work/build.log" 2>&1; then
    tail -30 "$work/build.log"
    echo "check_clusterfuzzlite: FAIL: build.sh failed"
    exit 1
fi
fail=0
for h in request sequence http; do
    dict=
    [ -f "$src/fuzz/dict/$h.dict" ] && dict="-dict=$OUT/$h.dict" # sequence has none: its bytes are choices
    for f in "$h" "${h}_seed_corpus.zip" ${dict:+"$h.dict"}; do
        [ -s "$OUT/$f" ] || { echo "check_clusterfuzzlite: FAIL: \$OUT/$f is missing"; fail=1; }
    done
    [ -x "$OUT/$h" ] || continue
    mkdir -p "$work/corpus/$h"
    unzip -q "$OUT/${h}_seed_corpus.zip" -d "$work/corpus/$h"
    seeds=$(find "$work/corpus/$h" -type f | wc -l)
    if (cd "$work" && "$OUT/$h" $dict -max_total_time="$secs" -timeout=10 \
            -print_final_stats=1 "$work/corpus/$h" > "$work/$h.log" 2>&1); then
        execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$work/$h.log")
        echo "check_clusterfuzzlite: $h: ${execs:-?} inputs in ${secs}s from $seeds seeds, no finding"
    else
        grep -E 'ERROR|SUMMARY|==[0-9]+==|brcheck-fuzz' "$work/$h.log" | head -20 | grep . ||
            tail -20 "$work/$h.log"
        echo "check_clusterfuzzlite: FAIL: $h: libFuzzer reported a finding (log above)"
        fail=1
    fi
done
exit $fail
