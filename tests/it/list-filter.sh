#!/bin/sh
# simtop list --filter: the same query language as the TUI, the same rows as a plain grep over
# the CSV, and a refused query with its position and exit status 2.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 5000 --seed 13 --no-limits
"$SIMTOP" list --format csv >all.csv 2>all.stderr
assert_eq "$?" 0 "exit status of the full list"

# filter → expected count from the full CSV (columns: 7 sim_status, 8 endpoint_status, 9 alignment).
check() {
	query=$1 expected=$2
	"$SIMTOP" list --format csv --filter "$query" >filtered.csv 2>filtered.stderr
	assert_eq "$?" 0 "exit status of --filter '$query'"
	assert_eq "$(($(wc -l <filtered.csv) - 1))" "$expected" "rows of --filter '$query'"
}
count() { tail -n +2 all.csv | tr -d '\r' | awk -F, "$1" | wc -l; }

# billed is the misaligned kind with an Activated SIM behind a Disabled endpoint: the column
# says billed for exactly those rows, align:billed picks them, align:misaligned takes them in.
check "align:misaligned" "$(count '$9 == "misaligned" || $9 == "billed"')"
check "align:billed" "$(count '$9 == "billed"')"
check "align:misaligned !align:billed" "$(count '$9 == "misaligned"')"
assert_eq "$(count '($9 == "billed") != ($7 == "Activated" && $8 == "Disabled")')" 0 \
	"rows whose alignment says billed, or not, against their statuses"
[ "$(count '$9 == "billed"')" -gt 0 ] && pass "the fleet has billed devices" || fail "no billed device to test with"
check "sim:act ep:dis" "$(count '$7 == "Activated" && $8 == "Disabled"')"
check "sim:none" "$(count '$7 == ""')"
check "!align:online" "$(count '$9 != "online"')"
check "align:new,test" "$(count '$9 == "new" || $9 == "test"')"
check "pump" "$(tail -n +2 all.csv | grep -ci pump)"

# JSON: the same rows, one object each.
"$SIMTOP" list --format json --filter "sim:act ep:dis" >filtered.json 2>filtered.stderr
assert_eq "$?" 0 "exit status of --format json --filter"
assert_eq "$(grep -c '^{' filtered.json)" "$(count '$7 == "Activated" && $8 == "Disabled"')" "JSON objects"
assert_contains filtered.json '"sim_status":"Activated","endpoint_status":"Disabled","alignment":"billed"'

# A refused query: exit 2, the message, and a caret under the error.
"$SIMTOP" list --filter "sim:act ep:sideways" >/dev/null 2>bad.stderr
assert_eq "$?" 2 "exit status of a bad query"
assert_contains bad.stderr "column 12"
assert_contains bad.stderr "sideways"
finish
