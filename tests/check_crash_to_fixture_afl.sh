#!/bin/sh
# crash-to-fixture.sh with afl-tmin: a failing input is minimized and its fixture named by
# --out; a minimized input that no longer fails under the replay driver is not used; an input
# that does not fail is refused before afl-tmin runs (afl-tmin's non-crash mode rewrote it).
# The first two with a small AFL++-instrumented target that aborts on a marker and a stand-in
# replay driver; the last with the real harness of the AFL++ build (build-fuzz), when it is
# there. Exit 77 (skipped) without afl-tmin and afl-clang-fast.
# usage: check_crash_to_fixture_afl.sh BRCHECK BUILD AFL_BUILD SRC
set -u
brcheck=$1 build=$2 afl_build=$3 src=$4
if ! command -v afl-tmin >/dev/null || ! command -v afl-clang-fast >/dev/null; then
  echo "skipped: needs afl-tmin and afl-clang-fast (AFL++)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# target NEEDLE DIR: DIR/fuzz/fuzz_request, instrumented, aborts when stdin holds NEEDLE
target() {
  mkdir -p "$2/fuzz"
  cat >"$work/target.c" <<EOF
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void)
{
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, stdin);
    buf[n] = 0;
    if (strstr(buf, "$1")) abort();
    return 0;
}
EOF
  AFL_QUIET=1 afl-clang-fast -O1 -o "$2/fuzz/fuzz_request" "$work/target.c" >"$work/cc.log" 2>&1 ||
    { cat "$work/cc.log"; fail "afl-clang-fast"; }
}
target CRASH "$work/afl"
target CR "$work/afl-cr"
fake="$work/build"
mkdir -p "$fake/fuzz" "$work/out"
ln -s "$(cd "$build/fuzz" && pwd)/fuzz_decode" "$fake/fuzz/fuzz_decode"
cat >"$fake/fuzz/fuzz_request_replay" <<'EOF'
#!/bin/sh
for f; do :; done
if grep -q CRASH "$f"; then echo "brcheck-fuzz: INV-STANDIN after a stand-in step" >&2; kill -ABRT $$; fi
echo "replayed 1 input"
EOF
chmod +x "$fake/fuzz/fuzz_request_replay"
printf 'aaaaaaaaaaCRASHbbbbbbbbbbbbbbbbbbbbbbbb' >"$work/crash"
cp "$work/crash" "$work/crash.orig"

# minimized: smaller, still failing, the fixture named by --out and taken by brcheck run
sh "$src/fuzz/crash-to-fixture.sh" "$work/crash" request --build "$fake" --afl-build "$work/afl" \
  --out "$work/out/zc-minimized.json" >"$work/log" 2>&1 || { cat "$work/log"; fail "exit $?"; }
cat "$work/log"
grep -q "afl-tmin: 39 -> " "$work/log" || fail "afl-tmin did not run"
grep -q CRASH "$work/out/zc-minimized.input" || fail "the minimized input lost its fault"
[ "$(wc -c <"$work/out/zc-minimized.input")" -lt 39 ] || fail "the input was not minimized"
cmp -s "$work/crash" "$work/crash.orig" || fail "the input changed"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/out/zc-minimized.json")
[ "$id" = zc-minimized ] || fail "the fixture's id is $id"
"$brcheck" run "$work/out/zc-minimized.json" >"$work/run" 2>&1 || { cat "$work/run"; fail "brcheck run"; }

# afl-tmin keeps what fails in the AFL++ build (CR); the replay driver fails on CRASH only:
# the input stays as it was
sh "$src/fuzz/crash-to-fixture.sh" "$work/crash" request --build "$fake" --afl-build "$work/afl-cr" \
  --out "$work/out/zc-kept.json" >"$work/log" 2>&1 || { cat "$work/log"; fail "exit $?"; }
grep -q "does not fail under" "$work/log" || { cat "$work/log"; fail "no word of the unused minimization"; }
cmp -s "$work/out/zc-kept.input" "$work/crash.orig" || fail "a minimized input that passes was used"

# the real harness: an input that does not fail is refused, afl-tmin never runs on it
if [ -x "$afl_build/fuzz/fuzz_request" ] && [ -x "$build/fuzz/fuzz_request_replay" ]; then
  seed=$(find "$src/fuzz/corpus/request" -type f -size -64c | sort | head -1)
  cp "$seed" "$work/seed"
  sh "$src/fuzz/crash-to-fixture.sh" "$work/seed" request --build "$build" --afl-build "$afl_build" \
    --out "$work/out/zc-seed.json" >"$work/log" 2>&1
  rc=$?
  [ "$rc" = 1 ] || { cat "$work/log"; fail "an input that does not fail: exit $rc"; }
  grep -q "does not fail" "$work/log" || fail "no message for an input that does not fail"
  grep -q "afl-tmin" "$work/log" && fail "afl-tmin ran on an input that does not fail"
  [ -e "$work/out/zc-seed.json" ] || [ -e "$work/out/zc-seed.input" ] && fail "files written"
  cmp -s "$seed" "$work/seed" || fail "the input changed"
else
  echo "(no $afl_build/fuzz/fuzz_request: the check with the real harness is skipped)"
fi
echo ok
