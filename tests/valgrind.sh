#!/usr/bin/env bash
# Runs the unit tests and a pipeline run on generated data under valgrind; any leak or memory
# error fails the test.
set -euo pipefail
lake="$1"
unit="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible)
"${vg[@]}" "$unit" >"$tmp/unit.log" || { cat "$tmp/unit.log"; echo "valgrind: unit tests failed"; exit 1; }
"${vg[@]}" "$lake" gen "$tmp/in" --songs 60 --events 600 --bad-records >/dev/null
"${vg[@]}" "$lake" run --input "$tmp/in" --output "$tmp/out" --threads 2 >/dev/null
"${vg[@]}" "$lake" run --input "$tmp/in" --output "$tmp/out2" --threads 2 --spill-rows 5 | grep -q "spilled:" ||
    { echo "valgrind: the --spill-rows run spilled nothing"; exit 1; }
"${vg[@]}" "$lake" run --input "$tmp/in" --output "$tmp/out" --threads 2 --max-bad-records 0 >/dev/null 2>&1 && { echo "valgrind: expected a bad-record failure"; exit 1; }
[ $? -ne 99 ] || { echo "valgrind: memory errors on the failure path"; exit 1; }
echo "valgrind: 3 passed, 0 failed"
