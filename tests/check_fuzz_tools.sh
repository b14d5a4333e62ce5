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

echo "ok: $n_checks checks"
