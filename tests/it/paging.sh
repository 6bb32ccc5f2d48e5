#!/bin/sh
# Several pages of both lists, with lower-case header names: every device arrives once, no page
# is asked for past the last, and the list matches the emulator's true state.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 12345 --seed 21 --lower-case-headers --no-limits

"$SIMTOP" list --format csv >fleet.csv 2>list.stderr
assert_eq "$?" 0 "exit status of simtop list"
assert_eq "$(($(wc -l <fleet.csv) - 1))" 12345 "devices listed"

# Pages asked for: exactly the pages of the endpoint list (1000 a page), then of the SIMs that
# no endpoint holds (2500 a page, q=endpoint:null; one page even when there are none).
curl -s "$EMU_URL/_emu/state" >state.json
endpoints=$(sed -n 's/.*"endpoints": *\([0-9]*\).*/\1/p' state.json)
sim_only=$(sed -n 's/.*"sim_only": *\([0-9]*\).*/\1/p' state.json)
sim_pages=$(((sim_only + 2499) / 2500))
[ "$sim_pages" -gt 0 ] || sim_pages=1
assert_eq "$(emu_stat endpoint_list)" $(((endpoints + 999) / 1000)) "endpoint pages asked for"
assert_eq "$(emu_stat sim_list)" "$sim_pages" "SIM pages asked for"
assert_eq "$(emu_stat sim_list_filtered)" "$sim_pages" "SIM pages asked for with q=endpoint:null"

# The same devices and statuses as the emulator holds (ids and status words).
curl -s "$EMU_URL/_emu/state.csv" | tail -n +2 | tr -d '\r' |
	awk -F, 'BEGIN { s[0]="Issued"; s[1]="Activated"; s[2]="Suspended"; s[3]="Deleted"; s[4]="Factory Test";
	                 e[0]="Enabled"; e[1]="Disabled"; e[2]="Deleted" }
	         { print $1 "," $2 "," ($3 == "" ? "" : s[$3]) "," ($4 == "" ? "" : e[$4]) }' | sort >truth.txt
tail -n +2 fleet.csv | tr -d '\r' | awk -F, '{ print $1 "," $2 "," $7 "," $8 }' | sort >listed.txt
if cmp -s truth.txt listed.txt; then
	pass "the list matches the emulator's state, device by device"
else
	fail "the list differs from the emulator's state"
	diff truth.txt listed.txt | head -20
fi

# A page past the end answers the last page again (the client must stop on X-Total-Pages).
token=$(curl -s -X POST -d '{"application_token":"emu-demo-token"}' "$EMU_URL/api/v1/authenticate" |
	sed -n 's/.*"auth_token": *"\([^"]*\)".*/\1/p')
curl -s -D past.headers -o /dev/null -H "Authorization: Bearer $token" "$EMU_URL/api/v1/endpoint?page=999&per_page=1000"
assert_contains past.headers "x-current-page: $(((endpoints + 999) / 1000))"
finish
