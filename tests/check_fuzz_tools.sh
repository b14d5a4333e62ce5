#!/bin/sh
# The fuzzing tools around the AFL++ harnesses refuse what they cannot do, with a message and
# exit 2, and leave nothing behind: fuzz_decode (an unreadable input, an input that decodes to
# no step, a bad --sequence-seed, a bad ID), crash-to-fixture.sh (an unknown harness, a
# missing option value, an --out that is no <id>.json or in no folder, an input that does not
# fail), campaign.sh and stability.sh (a bad --time or --instances, a missing value, a file
# of fuzz/ that is no harness), make-corpus.py (--decoder after the corpus's name is used).
# And crash-to-fixture.sh's fixture is named by --out, so `brcheck run` takes it.
# No AFL++ needed: the replay driver is a stand-in that fails on inputs holding CRASH and on
# empty ones
# (tests/check_crash_to_fixture_afl.sh runs afl-tmin).
# usage: check_fuzz_tools.sh BRCHECK BUILD SRC
set -u
brcheck=$1 build=$2 src=$3
decode="$build/fuzz/fuzz_decode"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
n_checks=0

# expect RC PATTERN CMD...: CMD exits RC and its stderr (or stdout) matches PATTERN (grep -E);
# its stdout is left in $work/stdout.
expect() {
  want=$1 pat=$2
  shift 2
  "$@" >"$work/stdout" 2>"$work/stderr"
  rc=$?
  n_checks=$((n_checks + 1))
  [ "$rc" = "$want" ] || { cat "$work/stderr"; fail "exit $rc (want $want): $*"; }
  [ -z "$pat" ] || cat "$work/stderr" "$work/stdout" | grep -Eq -- "$pat" ||
    { cat "$work/stderr"; fail "no message /$pat/: $*"; }
}
# unchanged DIR: the folder's listing is what it was when listed with snapshot DIR
snapshot() { (cd "$1" && find . | sort) >"$work/snap"; }
unchanged() { (cd "$1" && find . | sort) | cmp -s - "$work/snap" || fail "$2: $1 changed"; }

[ -x "$decode" ] || fail "no $decode"
: >"$work/empty"
printf 'x' >"$work/one"

# --- fuzz_decode: unreadable inputs, inputs with no step, --sequence-seed, ID
expect 2 "is a folder" "$decode" request "$work"
[ -s "$work/stdout" ] && fail "fuzz_decode request FOLDER printed a fixture"
expect 2 "cannot read .*no-such" "$decode" request "$work/no-such"
expect 2 "decodes to no step" "$decode" sequence "$work/empty"
[ -s "$work/stdout" ] && fail "fuzz_decode sequence EMPTY printed a fixture"
expect 0 "" "$decode" request "$work/empty"   # a request input always makes one request
for bad in "5 3x" "-1 5" "+5 5" " 5 5" "99999999999999999999999 5" "5 100" "5 65" "5 0" "5 -3" \
  "5 9999999999999999999" "x 5" "5 " "5"; do
  # shellcheck disable=SC2086
  set -- $bad
  [ "$bad" = " 5 5" ] && set -- " 5" 5
  [ "$bad" = "5 " ] && set -- 5 ""
  expect 2 "SEED|STEPS" "$decode" --sequence-seed "$@"
  [ -s "$work/stdout" ] && fail "fuzz_decode --sequence-seed $bad wrote an input"
done
expect 2 'SEED "" ' "$decode" --sequence-seed "" 5
expect 2 'STEPS "100" is not a number 1..64' "$decode" --sequence-seed 5 100
for good in "5 1" "5 64" "18446744073709551615 3" "0 2"; do
  # shellcheck disable=SC2086
  expect 0 "" "$decode" --sequence-seed $good
  cp "$work/stdout" "$work/seed"
  expect 0 "" "$decode" sequence "$work/seed" seed-run
  steps=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["steps"]))' "$work/stdout")
  [ "$steps" = "${good#* }" ] || fail "--sequence-seed $good decodes to $steps steps"
done
long=$(printf '%0128d' 0)
for bad in "bad/id" "-x" ".hidden" "a b" "" "$long"; do
  expect 2 "no fixture id" "$decode" request "$work/one" "$bad"
done
expect 0 "" "$decode" request "$work/one" "${long#0}"   # 127 characters

# --- crash-to-fixture.sh against a stand-in replay driver (real fuzz_decode)
fake="$work/build"
mkdir -p "$fake/fuzz" "$work/out"
ln -s "$(cd "$build/fuzz" && pwd)/fuzz_decode" "$fake/fuzz/fuzz_decode"
for h in request sequence http; do
  cat >"$fake/fuzz/fuzz_${h}_replay" <<'EOF'
#!/bin/sh
for f; do :; done
if [ ! -s "$f" ] || grep -q CRASH "$f"; then echo "brcheck-fuzz: INV-STANDIN after a stand-in step" >&2; kill -ABRT $$; fi
echo "replayed 1 input"
EOF
  chmod +x "$fake/fuzz/fuzz_${h}_replay"
done
c2f() { sh "$src/fuzz/crash-to-fixture.sh" "$@" --build "$fake" --afl-build "$work/no-afl"; }
printf 'aaaaCRASHbbbbbbbbbbbbbbbb' >"$work/crash"
cp "$work/crash" "$work/crash.orig"
printf 'hello, no fault in here' >"$work/pass"
cp "$work/pass" "$work/pass.orig"

snapshot "$work/out"
expect 2 "unknown harness foo" c2f "$work/crash" foo
expect 2 "unknown harness noop" c2f "$work/crash" noop
expect 2 "--build needs a value" sh "$src/fuzz/crash-to-fixture.sh" "$work/crash" request --build
expect 2 "--out needs a value" c2f "$work/crash" request --out
expect 2 "no such input" c2f "$work/no-such" request
expect 2 "no folder" c2f "$work/crash" request --out "$work/no-such-folder/zc-x.json"
[ -e "$work/no-such-folder" ] && fail "crash-to-fixture made the --out folder"
expect 2 "<id>.json" c2f "$work/crash" request --out "$work/out/zc-x.txt"
expect 2 "only letters" c2f "$work/crash" request --out "$work/out/zc x.json"
expect 2 "start with a letter" c2f "$work/crash" request --out "$work/out/-x.json"
expect 2 "start with a letter" c2f "$work/crash" request --out "$work/out/.json"
expect 2 "longer than 127" c2f "$work/crash" request --out "$work/out/${long}x.json"
unchanged "$work/out" "a refused --out"

# an input that does not fail: refused (exit 1), nothing written, the input as it was
expect 1 "does not fail" c2f "$work/pass" request --out "$work/out/zc-pass.json"
unchanged "$work/out" "an input that does not fail"
cmp -s "$work/pass" "$work/pass.orig" || fail "the input changed"
# ... unless --fixed: its fixture, from the input as it is
expect 0 "does not fail \(--fixed\)" c2f "$work/pass" request --fixed --out "$work/out/zc-pass.json"
cmp -s "$work/out/zc-pass.input" "$work/pass.orig" || fail "--fixed changed the input"

# a failing input: the fixture's id follows --out, and brcheck run takes it
for h in request sequence; do
  expect 0 "INV-STANDIN" c2f "$work/crash" "$h" --out "$work/out/$h-finding.json"
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/out/$h-finding.json")
  [ "$id" = "$h-finding" ] || fail "$h: the fixture's id is $id, not $h-finding"
  cmp -s "$work/out/$h-finding.input" "$work/crash.orig" || fail "$h: the .input is not the input"
  expect 0 "" "$brcheck" run "$work/out/$h-finding.json"
done
cmp -s "$work/crash" "$work/crash.orig" || fail "the input changed"
# http: the input goes to --out as it is
expect 0 "input $work/out/finding.raw" c2f "$work/crash" http --out "$work/out/finding.raw"
cmp -s "$work/out/finding.raw" "$work/crash.orig" || fail "http: --out is not the input"

# a step that fails stops it (exit 2) with nothing written: a sequence input that fails but
# decodes to no step
snapshot "$work/out"
expect 2 "decodes to no step" c2f "$work/empty" sequence --out "$work/out/short.json"
unchanged "$work/out" "a fixture that could not be decoded"

# --- campaign.sh and stability.sh: usage errors before anything runs (stand-in AFL++ tools
# first on PATH, so that nothing would be built or fuzzed if a check let one through)
mkdir "$work/bin"
for t in afl-fuzz afl-clang-fast afl-cmin afl-showmap cmake; do
  printf '#!/bin/sh\necho "stand-in %s: should not run" >&2\nexit 99\n' "$t" >"$work/bin/$t"
  chmod +x "$work/bin/$t"
done
camp() { PATH="$work/bin:$PATH" sh "$src/fuzz/campaign.sh" --work "$work/camp" --build "$work/camp-build" "$@"; }
expect 2 "--time 0: give the budget in whole seconds" camp --time 0 request
expect 2 "--time 000: give" camp --time 000 request
expect 2 "--time 1m: give" camp --time 1m request
expect 2 "--time needs a value" camp request --time
expect 2 "--instances 0: give" camp --instances 0 request
expect 2 "--instances 00: give" camp --instances 00 request
expect 2 "--instances -1: give|unknown option" camp --instances -1 request
expect 2 "--work needs a value" camp request --work
for h in noop common decode foo; do
  expect 2 "unknown harness $h" camp "$h"
  expect 2 "unknown harness $h" sh "$src/fuzz/stability.sh" --build "$work/camp-build" "$h"
done
expect 2 "--build needs a value" sh "$src/fuzz/stability.sh" request --build
[ -e "$work/camp" ] || [ -e "$work/camp-build" ] && fail "campaign.sh made its folders on a usage error"

# --- make-corpus.py: --decoder after the corpus's name is used (a stand-in decoder that
# fails: the script stops before writing anything)
printf '#!/bin/sh\ntouch "%s/decoder-ran"\nexit 3\n' "$work" >"$work/bin/fake-decode"
chmod +x "$work/bin/fake-decode"
snapshot "$src/fuzz/corpus"
expect 2 "fake-decode" python3 "$src/fuzz/make-corpus.py" sequence --decoder "$work/bin/fake-decode"
[ -e "$work/decoder-ran" ] || fail "make-corpus.py sequence --decoder did not use the decoder"
rm -f "$work/decoder-ran"
expect 2 "fake-decode" python3 "$src/fuzz/make-corpus.py" --decoder "$work/bin/fake-decode" sequence
[ -e "$work/decoder-ran" ] || fail "make-corpus.py --decoder sequence did not use the decoder"
expect 2 "--decoder needs" python3 "$src/fuzz/make-corpus.py" sequence --decoder
expect 2 "unknown option" python3 "$src/fuzz/make-corpus.py" sequence --bogus
unchanged "$src/fuzz/corpus" "make-corpus.py on an error"

echo "ok: $n_checks checks"
