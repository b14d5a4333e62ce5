#!/bin/sh
# Turns a fuzzer's finding into a readable fixture: replays the input (it must fail), minimizes
# it with afl-tmin (when the AFL++ build is there), and decodes it with fuzz_decode into
# fixture JSON.
# usage: fuzz/crash-to-fixture.sh INPUT HARNESS [--build DIR] [--afl-build DIR] [--out FILE] [--fixed]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
usage() {
  cat <<EOF2
usage: fuzz/crash-to-fixture.sh INPUT HARNESS [--build DIR] [--afl-build DIR] [--out FILE] [--fixed]
  INPUT        a crash or hang from a campaign (fuzz/out/HARNESS/sync/*/crashes/id:...)
  HARNESS      request, sequence or http (an http input is raw HTTP already: it is
               minimized and replayed, not decoded; send it to \`brcheck serve\` with
               nc 127.0.0.1 8080 < FILE, after filling in any Digest \`auto\` values)
  --build      the build holding fuzz_decode and fuzz_HARNESS_replay (default build; a
               memory error may fail only in a sanitizer build: --build build-asan)
  --afl-build  the AFL++ build for afl-tmin (default build-fuzz; skipped when missing)
  --out FILE   where the fixture goes (default fuzz/out/fixtures/<id>.json); its name less
               .json is the fixture's id (brcheck run wants the file named <id>.json): 1..127
               letters, digits, '.', '_' or '-', starting with a letter or a digit. The folder
               must exist. For http, where the minimized input goes (any name).
  --fixed      the input no longer fails (its fault is fixed): write the fixture anyway, from
               the input as it is (afl-tmin is not run: without a failure to keep it would
               only keep the input's coverage, and change its bytes)
First replays INPUT with fuzz_HARNESS_replay: an input that neither crashes nor violates a
check (nor runs past 10 s, a hang) is refused unless --fixed. Writes the minimized input next
to the fixture (<id>.input), prints the replay's verdict and the fixture's path. Once the
model is fixed, copy the .input into fuzz/regress/HARNESS/ and, for the sequence harness, the
fixture into fuzz/regress/fixtures/ (an input's meaning moves with the generator; the
fixture's does not); if the scenario is worth keeping in the suite, also into
fixtures/<vendor>/ with real expectations.
Exit 0 on success, 1 when the input does not fail (without --fixed), 2 on a usage error or a
step that failed (nothing is written then).
EOF2
}
die() { echo "crash-to-fixture: $*" >&2; exit 2; }
[ $# -ge 1 ] && { [ "$1" = --help ] || [ "$1" = -h ]; } && { usage; exit 0; }
[ $# -ge 2 ] || { usage >&2; exit 2; }
input=$1 harness=$2
shift 2
build="$ROOT/build" afl_build="$ROOT/build-fuzz" out="" fixed=0
while [ $# -gt 0 ]; do
  case "$1" in
  --build | --afl-build | --out)
    # (an option in its place: the value was left out)
    case "${2:---}" in --*) die "$1 needs a value (--help)" ;; esac
    case "$1" in
    --build) build=$2 ;;
    --afl-build) afl_build=$2 ;;
    --out) out=$2 ;;
    esac
    shift 2 ;;
  --fixed) fixed=1; shift ;;
  -h | --help) usage; exit 0 ;;
  *) die "unknown argument $1 (--help)" ;;
  esac
done
case "$harness" in
request | sequence | http) ;;
*) die "unknown harness $harness (request, sequence or http)" ;;
esac
[ -f "$input" ] || die "no such input file $input"
[ -r "$input" ] || die "cannot read $input"
if [ -n "$out" ]; then
  outdir=$(dirname "$out")
  [ -d "$outdir" ] || die "--out $out: no folder $outdir"
  if [ "$harness" != http ]; then
    base=$(basename "$out")
    id=${base%.json}
    [ "$id.json" = "$base" ] || die "--out $out: a fixture's file is named <id>.json"
    # the rule fuzz_decode checks the id by (brcheck run keeps 127 bytes of it)
    case "$id" in
    [A-Za-z0-9]*) ;;
    *) die "--out $out: the id \"$id\" must start with a letter or a digit" ;;
    esac
    case "$id" in
    *[!A-Za-z0-9._-]*) die "--out $out: the id \"$id\" may hold only letters, digits, '.', '_' and '-'" ;;
    esac
    [ ${#id} -le 127 ] || die "--out $out: the id is longer than 127 characters"
  fi
fi
decode="$build/fuzz/fuzz_decode"
replay="$build/fuzz/fuzz_${harness}_replay"
[ "$harness" = http ] && decode=/bin/true
[ -x "$decode" ] && [ -x "$replay" ] ||
  die "build $build first (fuzz_decode, fuzz_${harness}_replay)"

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# replay_input FILE LOG: 0 the input passes, 1 it fails (a crash, a violated check, a sanitizer
# report: any exit but 0 and 2), 3 it runs past 10 s (a hang), 2 the replay driver refused it.
replay_input() {
  if command -v timeout >/dev/null; then
    BR_FUZZ_TRACE=1 timeout 10 "$replay" "$1" >"$2" 2>&1
  else
    BR_FUZZ_TRACE=1 "$replay" "$1" >"$2" 2>&1
  fi
  rc=$?
  case $rc in
  0) return 0 ;;
  2) return 2 ;;
  124) command -v timeout >/dev/null && return 3; return 1 ;;
  *) return 1 ;;
  esac
}
replay_input "$input" "$tmp/replay.log"
verdict=$?
case $verdict in
0)
  if [ "$fixed" = 0 ]; then
    echo "crash-to-fixture: $input does not fail: $replay ran it to the end with no violation" >&2
    echo "  (a memory error may show only in a sanitizer build: --build build-asan; for an input" >&2
    echo "  whose fault is fixed, --fixed writes its fixture anyway)" >&2
    exit 1
  fi
  echo "crash-to-fixture: $input does not fail (--fixed): kept as it is, not minimized" ;;
2) tail -3 "$tmp/replay.log" >&2; die "$replay could not replay $input" ;;
esac

min="$tmp/min"
cp "$input" "$min" || die "cannot copy $input"
afl="$afl_build/fuzz/fuzz_$harness"
if [ "$verdict" = 0 ]; then
  :
elif [ "$verdict" = 3 ]; then
  echo "crash-to-fixture: the input runs past 10 s (a hang): not minimized (each try would take as long)"
elif command -v afl-tmin >/dev/null && [ -x "$afl" ]; then
  if AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    afl-tmin -i "$input" -o "$tmp/tmin" -t 5000 -m none -- "$afl" >"$tmp/tmin.log" 2>&1 &&
    [ -f "$tmp/tmin" ]; then
    # afl-tmin keeps what fails in the AFL++ build; the fixture is of what fails here
    if replay_input "$tmp/tmin" "$tmp/replay-min.log"; [ $? = 1 ]; then
      cp "$tmp/tmin" "$min" || die "cannot copy afl-tmin's output"
      mv "$tmp/replay-min.log" "$tmp/replay.log"
      echo "crash-to-fixture: afl-tmin: $(wc -c <"$input") -> $(wc -c <"$min") bytes"
    else
      echo "crash-to-fixture: afl-tmin's input does not fail under $replay; keeping the input as it is"
    fi
  else
    echo "crash-to-fixture: afl-tmin failed (last lines of its log below); keeping the input as it is"
    tail -3 "$tmp/tmin.log"
  fi
else
  echo "crash-to-fixture: no afl-tmin or no AFL++ build at $afl_build; the input is not minimized"
fi
if [ "$verdict" != 0 ]; then
  echo "crash-to-fixture: the replay's verdict:"
  grep -v '^replay' "$tmp/replay.log" | tail -3
fi

if [ "$harness" = http ]; then
  if [ -z "$out" ]; then
    mkdir -p "$ROOT/fuzz/out/fixtures" || die "cannot create $ROOT/fuzz/out/fixtures"
    out="$ROOT/fuzz/out/fixtures/http-$(cksum <"$min" | cut -d' ' -f1).input"
  fi
  cp "$min" "$out" || { rm -f "$out"; die "cannot write $out"; }
  echo "crash-to-fixture: input $out"
  exit 0
fi
fixture="$tmp/fixture.json"
if [ -n "$out" ]; then
  "$decode" "$harness" "$min" "$id" >"$fixture" || die "fuzz_decode could not write the fixture"
else
  "$decode" "$harness" "$min" >"$fixture" || die "fuzz_decode could not write the fixture"
  id=$(sed -n 's/^  "id": "\(.*\)",$/\1/p' "$fixture" | head -1)
  [ -n "$id" ] || die "no id in fuzz_decode's fixture"
  mkdir -p "$ROOT/fuzz/out/fixtures" || die "cannot create $ROOT/fuzz/out/fixtures"
  out="$ROOT/fuzz/out/fixtures/$id.json"
fi
cp "$fixture" "$out" || { rm -f "$out"; die "cannot write $out"; }
cp "$min" "${out%.json}.input" || { rm -f "$out" "${out%.json}.input"; die "cannot write ${out%.json}.input"; }
echo "crash-to-fixture: fixture $out"
echo "crash-to-fixture: input   ${out%.json}.input"
exit 0
