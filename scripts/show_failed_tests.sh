#!/usr/bin/env bash
# Prints the last lines of what each failed test of a ctest run printed, from the run's own
# records (Testing/Temporary/LastTestsFailed.log and LastTest.log). scripts/test.sh calls it at
# the very end, so a long log's tail (all a CI summary may keep) still says why a test failed.
#
#   scripts/show_failed_tests.sh BUILD_DIR [LINES]    (LINES: 80)
set -euo pipefail

build_dir=${1:?usage: show_failed_tests.sh BUILD_DIR [LINES]}
lines=${2:-80}
records="$build_dir/Testing/Temporary"
[[ -s $records/LastTestsFailed.log ]] || exit 0

# LastTestsFailed.log holds "N:name" lines; LastTest.log holds each test's output between its
# "Output:" rule and "<end of output>".
while IFS=: read -r _ name; do
  printf '\n==> failed: %s (%s), the last %d lines it printed\n' "$name" "$build_dir" "$lines"
  awk -v name="$name" '
    $0 ~ /^[0-9]+\/[0-9]+ Test: / { current = substr($0, index($0, ": ") + 2); inside = 0; next }
    current == name && /^Output:$/ { inside = 1; getline; next }
    inside && $0 == "<end of output>" { inside = 0 }
    inside { print }
  ' "$records/LastTest.log" | tail -n "$lines"
done <"$records/LastTestsFailed.log"
