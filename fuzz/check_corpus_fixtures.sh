#!/bin/sh
# Every seed and regression input of the `request` and `sequence` harnesses, written as a
# fixture (fuzz_decode, as crash-to-fixture.sh does), and the findings kept as fixtures in
# regress/fixtures/, played by `brcheck run` against the in-process model and over HTTP
# against `brcheck serve`: the runner and the server must agree with the harness, which
# passes them all. A disagreement is a fault in one of them (the
# runner and the server once left what a fresh world does at its clock to the first request,
# so a refused first request seemed to change the world: INV-ATOMIC).
#
# usage: check_corpus_fixtures.sh BRCHECK FUZZ_DECODE FUZZ_DIR
set -u
brcheck=$1 decode=$2 fuzz=$3
. "$(dirname "$0")/../tests/http_lib.sh"
mkdir "$work/fx"
n=0
for h in request sequence; do
    for d in "$fuzz/corpus/$h" "$fuzz/regress/$h"; do
        [ -d "$d" ] || continue
        for f in "$d"/*; do
            [ -f "$f" ] || continue
            n=$((n + 1))
            id="corpus-$h-$n"
            if ! "$decode" "$h" "$f" "$id" >"$work/fx/$id.json" 2>"$work/err"; then
                rm -f "$work/fx/$id.json"
                # an input that decodes to no step (an empty one) makes no fixture: fuzz_decode
                # refuses it, as brcheck run would refuse the fixture
                grep -q 'decodes to no step' "$work/err" && continue
                cat "$work/err"
                fail "fuzz_decode $h $f"
            fi
        done
    done
done
[ "$n" -gt 0 ] || fail "no inputs under $fuzz/corpus and $fuzz/regress"
echo "$n inputs written as fixtures"
# findings kept as fixtures (decoded with the generator they were found with)
for f in "$fuzz"/regress/fixtures/*.json; do
    [ -f "$f" ] && cp "$f" "$work/fx/"
done
play() {
    "$brcheck" run "$@" "$work/fx" >"$work/out" 2>&1
    rc=$?
    tail -1 "$work/out"
    [ "$rc" -eq 0 ] || { grep -A3 '^FAIL\|^ERROR' "$work/out" | head -40; fail "brcheck run $* exit $rc"; }
}
play
start_serve --quiet
play --target "$url"
echo "ok"
