#!/bin/sh
# Turns a fuzzer's finding into a readable fixture: minimizes the input with afl-tmin (when the
# AFL++ build is there), replays it, and decodes it with fuzz_decode into fixture JSON.
# usage: fuzz/crash-to-fixture.sh INPUT HARNESS [--build DIR] [--afl-build DIR] [--out FILE]
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
usage() {
  cat <<EOF2
usage: fuzz/crash-to-fixture.sh INPUT HARNESS [--build DIR] [--afl-build DIR] [--out FILE]
  INPUT        a crash or hang from a campaign (fuzz/out/HARNESS/sync/*/crashes/id:...)
  HARNESS      request, sequence or http (an http input is raw HTTP already: it is
               minimized and replayed, not decoded; send it to \`brcheck serve\` with
               nc 127.0.0.1 8080 < FILE, after filling in any Digest \`auto\` values)
  --build      the build holding fuzz_decode and fuzz_HARNESS_replay (default build)
  --afl-build  the AFL++ build for afl-tmin (default build-fuzz; skipped when missing)
  --out FILE   where the fixture goes (default fuzz/out/fixtures/<id>.json)
Writes the minimized input next to the fixture (<id>.input), prints the replay's verdict
and the fixture's path. Once the model is fixed, copy the .input into fuzz/regress/HARNESS/
and, for the sequence harness, the fixture into fuzz/regress/fixtures/ (an input's meaning moves with
the generator; the fixture's does not); if the scenario is worth keeping in the suite, also
into fixtures/<vendor>/ with real expectations. Exit 0 on success, 2 on a usage error.
EOF2
}
[ $# -ge 1 ] && { [ "$1" = --help ] || [ "$1" = -h ]; } && { usage; exit 0; }
[ $# -ge 2 ] || { usage >&2; exit 2; }
input=$1 harness=$2
shift 2
build="$ROOT/build" afl_build="$ROOT/build-fuzz" out=""
while [ $# -gt 0 ]; do
  case "$1" in
  --build) build=$2; shift 2 ;;
  --afl-build) afl_build=$2; shift 2 ;;
  --out) out=$2; shift 2 ;;
  *) echo "crash-to-fixture: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -f "$input" ] || { echo "crash-to-fixture: no such input $input" >&2; exit 2; }
decode="$build/fuzz/fuzz_decode"
replay="$build/fuzz/fuzz_${harness}_replay"
[ "$harness" = http ] && decode=/bin/true
[ -x "$decode" ] && [ -x "$replay" ] ||
  { echo "crash-to-fixture: build $build first (fuzz_decode, fuzz_${harness}_replay)" >&2; exit 2; }

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
min="$tmp/min"
cp "$input" "$min"
afl="$afl_build/fuzz/fuzz_$harness"
if command -v afl-tmin >/dev/null && [ -x "$afl" ]; then
  if AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    afl-tmin -i "$input" -o "$tmp/tmin" -t 5000 -m none -- "$afl" >"$tmp/tmin.log" 2>&1; then
    cp "$tmp/tmin" "$min"
    echo "crash-to-fixture: afl-tmin: $(wc -c <"$input") -> $(wc -c <"$min") bytes"
  else
    echo "crash-to-fixture: afl-tmin failed; keeping the input as it is"
  fi
else
  echo "crash-to-fixture: no AFL++ build at $afl_build; the input is not minimized"
fi

if [ "$harness" = http ]; then
  [ -n "$out" ] || { mkdir -p "$ROOT/fuzz/out/fixtures"
    out="$ROOT/fuzz/out/fixtures/http-$(cksum <"$min" | cut -d' ' -f1).input"; }
  cp "$min" "$out"
  echo "crash-to-fixture: replaying the minimized input:"
  BR_FUZZ_TRACE=1 "$replay" "$min" 2>&1 | tail -5
  echo "crash-to-fixture: input $out"
  exit 0
fi
fixture="$tmp/fixture.json"
"$decode" "$harness" "$min" >"$fixture" || exit 2
id=$(sed -n 's/^  "id": "\(.*\)",$/\1/p' "$fixture" | head -1)
[ -n "$out" ] || { mkdir -p "$ROOT/fuzz/out/fixtures"; out="$ROOT/fuzz/out/fixtures/$id.json"; }
cp "$fixture" "$out"
cp "$min" "${out%.json}.input"
echo "crash-to-fixture: replaying the minimized input:"
"$replay" "$min" 2>&1 | tail -3
echo "crash-to-fixture: fixture $out"
echo "crash-to-fixture: input   ${out%.json}.input"
exit 0
