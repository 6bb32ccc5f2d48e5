#!/bin/sh
# simtop list: the CSV columns, RFC 4180 quoting, JSON, the table, usage errors.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 500 --seed 9 --hostile --no-limits

"$SIMTOP" list --format csv >fleet.csv 2>csv.stderr
assert_eq "$?" 0 "exit status of list --format csv"
assert_eq "$(head -n 1 fleet.csv | tr -d '\r')" \
	"sim_id,endpoint_id,iccid,imsi,msisdn,name,sim_status,endpoint_status,alignment,ip_address,tags" "CSV header"
assert_eq "$(head -n 1 fleet.csv | od -c | grep -c '\\r')" 1 "CSV lines end in CRLF"
# Alignment words only from the documented set; statuses in emnify's words.
bad=$(tail -n +2 fleet.csv | tr -d '\r' | grep -v '^"' | awk -F, '$9 !~ /^(online|offline|new|test|billed|misaligned|unpaired)$/' | wc -l)
assert_eq "$bad" 0 "rows with an unknown alignment word"
assert_contains fleet.csv ",Activated,Enabled,online,"

"$SIMTOP" list --format json >fleet.json 2>json.stderr
assert_eq "$?" 0 "exit status of list --format json"
assert_eq "$(head -c 1 fleet.json)" "[" "JSON starts with an array"
assert_contains fleet.json '"alignment":'
assert_eq "$(grep -o '"sim_id":' fleet.json | wc -l)" 500 "JSON objects"

"$SIMTOP" list >fleet.table 2>table.stderr
assert_eq "$?" 0 "exit status of list (table)"
assert_contains fleet.table "ALIGN"
if LC_ALL=C grep -q "$(printf '\033')" fleet.table fleet.csv; then
	fail "an escape character reached the output"
else
	pass "no escape character in the output"
fi

"$SIMTOP" list --format xml >/dev/null 2>xml.stderr
assert_eq "$?" 2 "exit status with an unknown format"
assert_contains xml.stderr "table, csv or json"
"$SIMTOP" --no-such-option >/dev/null 2>usage.stderr
assert_eq "$?" 2 "exit status with an unknown option"
assert_contains usage.stderr "usage:"
finish
