#!/bin/sh
# Execs per second of each fuzzing harness: the replay driver over its seed corpus, repeated
# (no fuzzer, no instrumentation: the ceiling of one core), and, when the AFL++ build exists,
# a short afl-fuzz run per harness (fuzzer_stats' execs_per_sec), and, as the peer of the same
# run, the `noop` harness (the same AFL++ driver around an empty entry point) over the sequence
# seeds, first and last: what afl-fuzz reaches on this machine when the harness costs nothing
# (the better of the two runs; the machine is shared, so one may be slowed). The last line
# reads each harness against it: its own time per exec is 1/harness - 1/noop. afl-fuzz runs
# with a fixed seed (-s 1): its random choices repeat from run to run (its schedule still
# weighs inputs by their speed, so the machine shows in the figures as it should). afl-fuzz
# binds itself and the harness to a free core, as a campaign does (unbound when none is free:
# said on its line). Before them, build/bench_forkserver: the fork server's round trip in
# persistent mode with nothing else, the floor under every afl-fuzz figure on this machine.
# usage: bench/bench_fuzz.sh [BUILD] [AFL_BUILD] [SECONDS]  (defaults: build build-fuzz 20)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$ROOT/build}
afl_build=${2:-$ROOT/build-fuzz}
secs=${3:-20}
case "${1:-}" in -h | --help) sed -n '2,14p' "$0" | cut -c3-; exit 0 ;; esac
for h in request sequence http; do
  replay="$build/fuzz/fuzz_${h}_replay"
  [ -x "$replay" ] || continue
  n=$(ls "$ROOT/fuzz/corpus/$h" | wc -l)
  rounds=20
  start=$(date +%s.%N)
  i=0
  while [ $i -lt $rounds ]; do "$replay" "$ROOT/fuzz/corpus/$h" >/dev/null || exit 1; i=$((i + 1)); done
  end=$(date +%s.%N)
  echo "$h $n $rounds $start $end" | awk '{printf "%-9s replay: %d inputs x %d in %.2fs = %.0f execs/s\n", $1, $2, $3, $5-$4, $2*$3/($5-$4)}'
done
command -v afl-fuzz >/dev/null || exit 0
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
floor=""
if [ -x "$build/bench_forkserver" ] && "$build/bench_forkserver" 2 >"$tmp" 2>&1; then
  sed 's/^/forkserver /' "$tmp"
  floor=$(sed -n 's/^fork server floor: \([0-9]*\) .*/\1/p' "$tmp")
fi
: >"$tmp"
# a campaign builds only the harnesses it runs: the others (and noop) are built here
if [ -f "$afl_build/CMakeCache.txt" ]; then
  targets=""
  for h in noop request sequence http; do [ -x "$afl_build/fuzz/fuzz_$h" ] || targets="$targets fuzz_$h"; done
  # shellcheck disable=SC2086
  [ -z "$targets" ] || cmake --build "$afl_build" --target $targets >"$tmp" 2>&1 ||
    { tail -5 "$tmp" >&2; echo "bench_fuzz: could not build$targets in $afl_build" >&2; }
  : >"$tmp"
fi
for h in noop request sequence http noop; do
  bin="$afl_build/fuzz/fuzz_$h"
  [ -x "$bin" ] || { echo "$h afl-fuzz did not run: $bin is not built" >&2; continue; }
  seeds=$h
  [ $h = noop ] && seeds=sequence
  bound=""
  for affinity in bound unbound; do
    out=$(mktemp -d "$ROOT/fuzz/out-bench.XXXXXX") || exit 1
    # bound: AFL_NO_AFFINITY unset (some afl-fuzz versions take even an empty value as set)
    affinity_env="-u AFL_NO_AFFINITY"
    [ $affinity = unbound ] && affinity_env="AFL_NO_AFFINITY=1"
    # shellcheck disable=SC2086
    env $affinity_env BR_FUZZ_WARMUP="$ROOT/fuzz/corpus/$seeds" \
    AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
      afl-fuzz -i "$ROOT/fuzz/corpus/$seeds" -o "$out" -V "$secs" -s 1 -m none -- "$bin" \
      >"$out.log" 2>&1
    # every core already taken by another afl-fuzz: the same run unbound
    if [ $affinity = bound ] && [ ! -f "$out/default/fuzzer_stats" ] &&
      grep -q 'CPU cores on your system are allocated' "$out.log"; then
      rm -rf "$out" "$out.log"
      bound=", unbound: no free core"
      continue
    fi
    break
  done
  s="$out/default/fuzzer_stats"
  if [ -f "$s" ]; then
    eps=$(sed -n 's/^execs_per_sec *: *//p' "$s")
    # what the figure moves with: the inputs afl-fuzz kept, which its mutations start from
    queue=$(find "$out/default/queue" -type f -printf '%s\n' |
      awk '{ s += $1; n++ } END { if (n) printf "queue: %d inputs, %.0f bytes on average", n, s / n }')
    printf '%-9s afl-fuzz %ss: %s execs/s%s (%s), stability %s\n' "$h" "$secs" "$eps" "$bound" \
      "$queue" "$(sed -n 's/^stability *: *//p' "$s")"
    echo "$h $eps" >>"$tmp"
  else
    echo "$h afl-fuzz did not run: $(tail -1 "$out.log")" >&2
  fi
  rm -rf "$out" "$out.log"
done
# Each harness against the noop peer (its better run): share of the ceiling, and its own
# microseconds per exec.
awk '$1 == "noop" && $2 > noop { noop = $2 } $1 != "noop" { h[++n] = $1; e[n] = $2 }
  END { if (noop > 0) for (i = 1; i <= n; i++) if (e[i] > 0)
    printf "%-9s against noop: %.2f of the afl-fuzz ceiling (%.0f execs/s), %.1f us per exec in the harness\n",
      h[i], e[i] / noop, noop, (1 / e[i] - 1 / noop) * 1e6 }' "$tmp"
[ -z "$floor" ] || awk -v floor="$floor" '$1 == "noop" && $2 > noop { noop = $2 }
  END { if (noop > 0) printf "noop      against the fork server floor: %.2f (%.0f of %s execs/s)\n", noop / floor, noop, floor }' "$tmp"
