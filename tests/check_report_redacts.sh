#!/bin/sh
# SEC-SECRETS: a failing step's answer (with a restoreCluster password) goes into the JSON
# report and the text output redacted; the key and the password never appear.
set -u
brcheck=$1
data=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$brcheck" run --report "$out/report.json" "$data/failing-restore.json" >"$out/stdout.txt" 2>&1
rc=$?
[ "$rc" -eq 1 ] || { echo "expected exit 1 (a violation), got $rc"; exit 1; }
grep -q REDACTED "$out/report.json" || { echo "the report shows no redaction"; exit 1; }
for f in "$out/report.json" "$out/stdout.txt"; do
  if grep -q -e 'S3cret-Passw0rd!' -e 'k-secret-token' "$f"; then
    echo "secret found in $f"; exit 1
  fi
done
echo "no secret in the report or the output"
