#!/bin/sh
# SEC-SECRETS: failing steps go into every report (JSON, JUnit, SARIF, HTML, Markdown), the
# traffic log and the text output with secrets redacted. failing-restore's answer carries a
# restoreCluster password (sent with a Bearer key); failing-atlas-digest is sent with a Digest
# key pair and an explicit Digest Authorization header; failing-secret-field's expectations
# fail on the password itself, on the object holding it and on a captured password, so the
# mismatch messages name the secret field. Neither the passwords, the keys' secret parts,
# the Authorization values nor the Digest material may appear anywhere.
set -u
brcheck=$1
data=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$brcheck" run --report "$out/report.json" --junit "$out/report.xml" --sarif "$out/report.sarif" \
  --html "$out/report.html" --markdown "$out/report.md" --traffic "$out/traffic.jsonl" \
  "$data/failing-restore.json" "$data/failing-atlas-digest.json" \
  "$data/failing-secret-field.json" >"$out/stdout.txt" 2>&1
rc=$?
[ "$rc" -eq 1 ] || { echo "expected exit 1 (a violation), got $rc"; cat "$out/stdout.txt"; exit 1; }
grep -q REDACTED "$out/report.json" || { echo "the report shows no redaction"; exit 1; }
# Every report carries every failure, so an empty or truncated report does not pass.
for f in report.json report.xml report.sarif report.html report.md; do
  [ -s "$out/$f" ] || { echo "$f was not written"; exit 1; }
  for id in failing-restore failing-atlas-digest failing-secret-field; do
    grep -q "$id" "$out/$f" || { echo "$f does not report $id"; exit 1; }
  done
done
for f in report.xml report.sarif report.html; do
  grep -q REDACTED "$out/$f" || { echo "$f does not show the redacted answer"; exit 1; }
done
# The four failing steps of failing-secret-field are reported, each naming the password field
# (or the object holding it) with the value redacted.
n=$(grep -c 'password: expected .*, got "\[REDACTED\]"' "$out/stdout.txt")
[ "$n" -eq 3 ] || { echo "$n mismatches on the password shown redacted, want 3"; cat "$out/stdout.txt"; exit 1; }
grep -q '\$\.data: expected "not an object", got {.*"password":"\[REDACTED\]"' "$out/stdout.txt" ||
  { echo "the mismatch on the object holding the password is not shown redacted"; cat "$out/stdout.txt"; exit 1; }
for f in "$out"/report.* "$out/traffic.jsonl" "$out/stdout.txt"; do
  if grep -q -i -e 'S3cret-Passw0rd!' -e 'Pw1-Field-S3cret' -e 'Pw2-Object-S3cret' \
    -e 'Pw3-Captured-S3cret' -e 'Pw4-Other-S3cret' -e 'Pw5-Other-S3cret' -e 'k-secret-token' \
    -e 'd1gest-Pr1vate-Secret' \
    -e 'Bearer ' -e 'Digest username' -e 'n0nce-Material-42' \
    -e '6629fae49393a05397450978507c4ef1' "$f"; then
    echo "secret found in $(basename "$f"):"
    grep -n -i -o -e '.\{0,40\}S3cret-Passw0rd!.\{0,20\}' -e '.\{0,40\}k-secret-token' \
      -e '.\{0,40\}d1gest-Pr1vate-Secret' -e '.\{0,20\}Bearer .\{0,20\}' \
      -e '.\{0,20\}Digest username.\{0,20\}' -e '.\{0,20\}n0nce-Material-42' \
      -e '.\{0,40\}Pw[1-5]-[A-Za-z]*-S3cret' "$f" | head -5
    exit 1
  fi
done
echo "no secret in any report (json, junit, sarif, html, markdown), the traffic log or the output"
