#!/bin/sh
# The tree is clang-format clean (.clang-format at the root).
set -u
cf=${1:-clang-format}
cd "$(dirname "$0")/.." || exit 1
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find model conformance cli tests bench -name '*.[ch]')
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086
$cf --dry-run --Werror $files
