#!/bin/sh
# Every mutant of the given rule family (the model with exactly that rule broken) must be
# caught by that vendor's fixtures: `brcheck run --mutant RULE` exits 1.
set -u
brcheck=$1
family=$2      # ZC, CC, MA
fixtures=$3
survivors=0
killed=0
for rule in $("$brcheck" rules --json | grep '"id"' | sed 's/.*"id": "\(.*\)".*/\1/' | grep "^$family-"); do
  "$brcheck" run --mutant "$rule" "$fixtures" >/dev/null 2>&1
  rc=$?
  case $rc in
    1) killed=$((killed + 1)) ;;
    2) ;;  # no mutant for that rule (observational rules)
    *) echo "mutant $rule SURVIVED"; survivors=$((survivors + 1)) ;;
  esac
done
echo "$family mutants: $killed killed, $survivors survived"
[ "$survivors" -eq 0 ] && [ "$killed" -gt 0 ]
