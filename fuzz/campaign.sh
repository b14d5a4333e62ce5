#!/bin/sh
# An AFL++ campaign over the harnesses (fuzz/README.md): builds the instrumented harnesses,
# minimizes the seeds with afl-cmin, runs one -M and N-1 -S instances per harness sharing
# one sync folder, stops at the time budget and prints each instance's figures.
# Exit: 0 nothing found, 1 a crash or a hang was saved, 2 usage or build error,
# 77 with --ci when BRCHECK_FUZZ_CI is not 1 (ctest counts it as skipped).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<EOF
usage: fuzz/campaign.sh [--time SECONDS] [--instances N] [--work DIR] [--build DIR]
                        [--name PREFIX] [--asan] [--no-cmin] [--ci] [HARNESS...]
Runs an AFL++ campaign per harness (request, sequence, http; default all three), one after
the other; for several harnesses side by side start one campaign.sh per harness.
  --time SECONDS   budget per harness, 1 or more (default 600)
  --instances N    parallel afl-fuzz instances per harness, 1 or more (default 1): one -M
                   (-p explore), then -S: CmpLog (-c, -p fast), the ASan build (-p coe), -p exploit, ...
  --work DIR       where corpora, sync folders and logs go (default fuzz/out, git-ignored;
                   /tmp is fine); an existing sync folder is resumed
  --build DIR      the AFL++ build folder (default build-fuzz, the CMake preset "fuzz");
                   DIR-cmplog and DIR-asan hold the CmpLog and ASan builds
  --name PREFIX    instance name prefix (default: this host's name); give each machine its
                   own when several share one sync folder
  --secondary-only do not start a -M instance (the other machines of a shared campaign)
  --asan           every instance runs the ASan+UBSan build (DIR-asan; slower, catches
                   memory errors and undefined behaviour that do not crash)
  --no-cmin        start from the seeds as they are
  --ci             run only when BRCHECK_FUZZ_CI=1 (exit 77 otherwise)
Exit 0 when nothing was found, 1 when any instance saved a crash or a hang, 2 on errors.
EOF
}

time_budget=600
instances=1
work="$ROOT/fuzz/out"
build="$ROOT/build-fuzz"
name=$(hostname 2>/dev/null | tr -c 'A-Za-z0-9_\n-' '_' | cut -c1-20)
[ -n "$name" ] || name=host
secondary_only=0
asan=0
cmin=1
ci=0
harnesses=""
while [ $# -gt 0 ]; do
  case "$1" in
  --time | --instances | --work | --build | --name)
    # (an option in its place: the value was left out)
    case "${2:---}" in --*) echo "campaign: $1 needs a value (--help)" >&2; exit 2 ;; esac
    case "$1" in
    --time) time_budget=$2 ;;
    --instances) instances=$2 ;;
    --work) work=$2 ;;
    --build) build=$2 ;;
    --name) name=$2 ;;
    esac
    shift 2 ;;
  --secondary-only) secondary_only=1; shift ;;
  --asan) asan=1; shift ;;
  --no-cmin) cmin=0; shift ;;
  --ci) ci=1; shift ;;
  -h | --help) usage; exit 0 ;;
  -*) echo "campaign: unknown option $1 (--help)" >&2; exit 2 ;;
  *) harnesses="$harnesses $1"; shift ;;
  esac
done
# whole_number N: digits only, not all zeros (with --time 0 afl-fuzz stopped at once and the
# summary showed a nonsense execs/s)
whole_number() { case "$1" in '' | *[!0-9]*) return 1 ;; *[1-9]*) return 0 ;; *) return 1 ;; esac; }
whole_number "$time_budget" ||
  { echo "campaign: --time $time_budget: give the budget in whole seconds, 1 or more" >&2; exit 2; }
whole_number "$instances" ||
  { echo "campaign: --instances $instances: give a whole number, 1 or more" >&2; exit 2; }
[ -n "$harnesses" ] || harnesses="request sequence http"
for h in $harnesses; do
  case "$h" in
  request | sequence | http) ;;
  *) echo "campaign: unknown harness $h (request, sequence or http)" >&2; exit 2 ;;
  esac
done
if [ "$ci" = 1 ] && [ "${BRCHECK_FUZZ_CI:-0}" != 1 ]; then
  echo "campaign: skipped (set BRCHECK_FUZZ_CI=1 to run the short campaign)"
  exit 77
fi
command -v afl-fuzz >/dev/null || { echo "campaign: afl-fuzz not found (scripts/setup.sh installs afl++)" >&2; exit 2; }

# This container has no CPU frequency control, core dumps go to a file, and no terminal.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export AFL_AUTORESUME=1 AFL_NO_WARN_INSTABILITY=1

# run_instance LOG AFL-FUZZ-ARGS...: afl-fuzz bound to a free core (itself and the harness on
# one core: a fork server round trip then costs no wake-up across cores, 15-30% more execs/s
# on a 2-core VM); when every core is taken by other afl-fuzz instances, which afl-fuzz
# refuses, the same instance unbound. AFL_NO_AFFINITY=1 in the environment: always unbound.
run_instance() {
  log=$1
  shift
  if [ -z "${AFL_NO_AFFINITY:-}" ]; then
    afl-fuzz "$@" >"$log" 2>&1 && return 0
    grep -q 'CPU cores on your system are allocated' "$log" || return 1
    echo "campaign: every core is taken: this instance runs unbound" >>"$log"
  fi
  AFL_NO_AFFINITY=1 afl-fuzz "$@" >>"$log" 2>&1
}
cc=afl-clang-fast
command -v "$cc" >/dev/null || { echo "campaign: $cc not found" >&2; exit 2; }

# build DIR EXTRA-ENV TARGETS...: configures (once) and builds the harnesses with AFL++'s compiler.
# Campaigns started side by side share the build folders: one configures and builds a folder
# at a time (flock on DIR.lock), the others wait and then find it built.
build_tree() {
  dir=$1
  if command -v flock >/dev/null; then
    (
      flock 9 || exit 1
      build_tree_locked "$@"
    ) 9>"$dir.lock"
  else
    build_tree_locked "$@"
  fi
}
build_tree_locked() {
  dir=$1; extra=$2; shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    env $extra cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER="$cc" >"$work/logs/cmake-$(basename "$dir").log" 2>&1 ||
      { echo "campaign: configuring $dir failed (see $work/logs)" >&2; return 1; }
  fi
  env $extra cmake --build "$dir" -j2 --target "$@" >"$work/logs/build-$(basename "$dir").log" 2>&1 ||
    { echo "campaign: building $dir failed (see $work/logs/build-$(basename "$dir").log)" >&2; return 1; }
}

mkdir -p "$work/logs" || exit 2
targets=""
for h in $harnesses; do targets="$targets fuzz_$h"; done
# shellcheck disable=SC2086
build_tree "$build" "" $targets || exit 2
if [ "$instances" -ge 2 ]; then
  # shellcheck disable=SC2086
  build_tree "$build-cmplog" "AFL_LLVM_CMPLOG=1" $targets || exit 2
fi
if [ "$instances" -ge 3 ] || [ "$asan" = 1 ]; then
  # shellcheck disable=SC2086
  build_tree "$build-asan" "AFL_USE_ASAN=1 AFL_USE_UBSAN=1" $targets || exit 2
fi

found=0
for h in $harnesses; do
  bin="$build/fuzz/fuzz_$h"
  [ "$asan" = 1 ] && bin="$build-asan/fuzz/fuzz_$h"
  [ -x "$bin" ] || { echo "campaign: $bin was not built (AFL++ compiler?)" >&2; exit 2; }
  seeds="$ROOT/fuzz/corpus/$h"
  sync="$work/$h/sync"
  # Before the fork point the harness runs over its seeds once (fuzz/afl_main.c: what is set
  # up on first use happens in the parent, not in every child's first input).
  export BR_FUZZ_WARMUP="$seeds"
  mkdir -p "$sync"
  dict=""
  [ -f "$ROOT/fuzz/dict/$h.dict" ] && dict="-x $ROOT/fuzz/dict/$h.dict"
  input="$seeds"
  if [ -d "$sync/${name}-0" ] || [ -d "$sync/main" ]; then
    input=-  # resume the existing sync folder
  elif [ "$cmin" = 1 ]; then
    rm -rf "$work/$h/cmin"
    # afl-cmin refuses any path under /tmp (seeds, harness, output, current folder) unless
    # AFL_ALLOW_TMP is set: work and build folders there are fine.
    if AFL_ALLOW_TMP=1 afl-cmin -i "$seeds" -o "$work/$h/cmin" -- "$bin" >"$work/logs/cmin-$h.log" 2>&1 &&
      [ -n "$(ls "$work/$h/cmin" 2>/dev/null)" ]; then
      input="$work/$h/cmin"
      echo "campaign: $h: afl-cmin kept $(ls "$input" | wc -l) of $(ls "$seeds" | wc -l) seeds"
    else
      echo "campaign: $h: afl-cmin failed (see $work/logs/cmin-$h.log); using the seeds as they are"
    fi
  fi
  pids=""
  i=0
  while [ "$i" -lt "$instances" ]; do
    inst="${name}-$i"
    role="-S $inst"
    target="$bin"
    extra=""
    case $i in
    0) if [ "$secondary_only" = 1 ]; then extra="-p explore"; else role="-M $inst"; extra="-p explore"; fi ;;
    1) extra="-p fast -c $build-cmplog/fuzz/fuzz_$h -l 2" ;;
    2) target="$build-asan/fuzz/fuzz_$h"; extra="-p coe" ;;
    *) set -- exploit rare mmopt seek lin quad
       shift $(( (i - 3) % 6 )); extra="-p $1" ;;
    esac
    # shellcheck disable=SC2086
    run_instance "$work/logs/$h-$inst.log" -i "$input" -o "$sync" $role $extra $dict \
      -V "$time_budget" -t 2000 -m none -- "$target" &
    pids="$pids $!"
    i=$((i + 1))
  done
  echo "campaign: $h: $instances instance(s) for ${time_budget}s, sync folder $sync"
  for p in $pids; do wait "$p"; done

  printf '%-10s %-14s %10s %10s %9s %7s %7s %7s\n' harness instance execs/s execs stability paths crashes hangs
  for stats in "$sync"/*/fuzzer_stats; do
    [ -f "$stats" ] || continue
    inst=$(basename "$(dirname "$stats")")
    get() { sed -n "s/^$1 *: *//p" "$stats" | head -1; }
    crashes=$(get saved_crashes); [ -n "$crashes" ] || crashes=$(get unique_crashes)
    hangs=$(get saved_hangs); [ -n "$hangs" ] || hangs=$(get unique_hangs)
    printf '%-10s %-14s %10s %10s %9s %7s %7s %7s\n' "$h" "$inst" "$(get execs_per_sec)" \
      "$(get execs_done)" "$(get stability)" "$(get corpus_count)" "${crashes:-0}" "${hangs:-0}"
    [ "${crashes:-0}" = 0 ] && [ "${hangs:-0}" = 0 ] || found=1
  done
  if [ -z "$(ls "$sync"/*/fuzzer_stats 2>/dev/null)" ]; then
    echo "campaign: $h: no instance ran; see $work/logs/$h-*.log" >&2
    tail -5 "$work/logs/$h-${name}-0.log" >&2
    exit 2
  fi
done
if [ "$found" = 1 ]; then
  echo "campaign: crashes or hangs saved under $work/*/sync/*/crashes and hangs;"
  echo "          turn each into a fixture with fuzz/crash-to-fixture.sh INPUT HARNESS"
  exit 1
fi
exit 0
