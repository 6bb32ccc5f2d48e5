#!/bin/sh
# The emulator's network side of an endpoint, spoken to with curl (simtop-emu alone, no simtop).
#
# 1. Connectivity: a disabled endpoint, or one whose SIM is not Activated, answers exactly the
#    recorded OFFLINE body; ONLINE carries a pdp_context, ATTACHED a location without one.
# 2. Stats: a month without traffic is absent; an endpoint offline by its statuses has no
#    current_month; some Enabled+Activated endpoints have none either (billed but idle).
# 3. Events: the recorded shape, newest first, lower-case paging headers, clamped pages;
#    200 [] for an unknown id; 404 for the connectivity and stats of one.
# 4. /_emu/live.csv matches what the routes answer.
# 5. Each route's bucket answers 429 once its burst is spent, and counts in /_emu/stats.
# 6. --odd-data sim-status-missing drops the nested SIM status of one endpoint in three.
. "$top_srcdir/tests/lib/harness.sh"

# header_spelled NAME: the header name exactly as sent, if sent.
header_spelled() {
	tr -d '\r' <api.headers | sed -n "s/^\($1\): .*/\1/Ip"
}
# first_endpoint AWK: the first endpoint id of joined.csv the condition holds for (columns:
# 1 endpoint_id, 2 sim_id, 3 sim_status, 4 endpoint_status, 5 connectivity, 6 current_month_mb,
# 7 last_month_mb, 8 events).
first_endpoint() {
	awk -F, "$1 { print \$1; exit }" joined.csv
}

emu_start --devices 400 --seed 11 --misaligned 10 --unpaired 6 --no-limits
TOKEN=$(emu_token)
curl -s "$EMU_URL/_emu/state.csv" >state.csv
curl -s "$EMU_URL/_emu/live.csv" >live.csv
assert_eq "$(head -n 1 live.csv)" "endpoint_id,sim_id,connectivity,current_month_mb,last_month_mb,events" "live.csv header"
# Join on the endpoint id: state.csv's sim_status and endpoint_status next to the live truth.
tail -n +2 state.csv | awk -F, '$2 != "" { print $2 "," $3 "," $4 }' | sort -t, -k1,1 >state.sorted
tail -n +2 live.csv | awk -F, '{ print $1 "," $3 "," $4 "," $5 "," $6 }' | sort -t, -k1,1 >live.sorted
join -t, state.sorted live.sorted | awk -F, '{ print $1 ",," $2 "," $3 "," $4 "," $5 "," $6 "," $7 }' >joined.csv
assert_eq "$(wc -l <joined.csv)" "$(tail -n +2 live.csv | wc -l)" "live.csv has every endpoint"

# --- 1. connectivity -------------------------------------------------------------------------
offline_body='{"status":{"description":"OFFLINE"},"services":[]}'
disabled=$(first_endpoint '$4 == 1')
suspended=$(first_endpoint '$3 == 2 && $4 == 0')
[ -n "$suspended" ] || suspended=$(first_endpoint '$3 == 2')
no_sim=$(first_endpoint '$3 == ""')
for id in $disabled $suspended $no_sim; do
	assert_eq "$(emu_call GET /api/v1/endpoint/$id/connectivity)" 200 "connectivity of $id: status"
	assert_eq "$(cat api.body)" "$offline_body" "connectivity of $id (offline by its statuses)"
done
assert_eq "$(emu_header Content-Type)" "application/json" "connectivity: content type, as recorded"
# No device offline by its statuses is anything but OFFLINE in the truth.
assert_eq "$(awk -F, '!($3 == 1 && $4 == 0) && $5 != "OFFLINE"' joined.csv | wc -l)" 0 "truth: offline by statuses"
live_count=$(awk -F, '$3 == 1 && $4 == 0' joined.csv | wc -l)
online=$(awk -F, '$3 == 1 && $4 == 0 && $5 == "ONLINE"' joined.csv | wc -l)
attached=$(awk -F, '$3 == 1 && $4 == 0 && $5 == "ATTACHED"' joined.csv | wc -l)
blocked=$(awk -F, '$3 == 1 && $4 == 0 && $5 == "BLOCKED"' joined.csv | wc -l)
[ $((online + attached)) -gt $((live_count * 3 / 4)) ] ||
	fail "most live devices should be ONLINE or ATTACHED: $online + $attached of $live_count"
[ "$blocked" -ge 1 ] && [ "$blocked" -lt $((live_count / 10)) ] || fail "a few BLOCKED expected, got $blocked"

id=$(first_endpoint '$5 == "ONLINE"')
emu_call GET /api/v1/endpoint/$id/connectivity >/dev/null
assert_contains api.body '{"status":{"description":"ONLINE"},"location":{"last_updated":"'
assert_contains api.body '"pdp_context":{"apn":"em","rat_type":{"id":'
assert_contains api.body '"services":["SMS","Data"]}'
id=$(first_endpoint '$5 == "ATTACHED"')
emu_call GET /api/v1/endpoint/$id/connectivity >/dev/null
assert_contains api.body '{"status":{"description":"ATTACHED"},"location":{'
assert_not_contains api.body '"pdp_context"'
id=$(first_endpoint '$5 == "BLOCKED"')
emu_call GET /api/v1/endpoint/$id/connectivity >/dev/null
assert_contains api.body '{"status":{"description":"BLOCKED"},"location":{'
# Same seed, same answer.
emu_call GET /api/v1/endpoint/$id/connectivity >/dev/null
cp api.body again.body
emu_call GET /api/v1/endpoint/$id/connectivity >/dev/null
cmp -s api.body again.body && pass "connectivity is stable" || fail "connectivity changed between calls"

# --- 2. stats --------------------------------------------------------------------------------
emu_call GET /api/v1/endpoint/$disabled/stats >/dev/null
assert_not_contains api.body '"current_month"'
assert_not_contains api.body '"last_hour"'
assert_eq "$(awk -F, '!($3 == 1 && $4 == 0) && $6 != "0"' joined.csv | wc -l)" 0 "truth: no traffic this month when offline by statuses"
idle=$(awk -F, '$3 == 1 && $4 == 0 && $6 == "0"' joined.csv | wc -l)
[ "$idle" -ge $((live_count / 20)) ] && [ "$idle" -le $((live_count / 4)) ] ||
	fail "billed but idle: $idle of $live_count live devices"
id=$(first_endpoint '$3 == 1 && $4 == 0 && $6 == "0"')
emu_call GET /api/v1/endpoint/$id/stats >/dev/null
assert_not_contains api.body '"current_month"'
[ "$(awk -F, '$6 != "0" && $6 + 0 < 1' joined.csv | wc -l)" -ge 1 ] || fail "no tiny month (< 1 MB)"
[ "$(awk -F, '$6 + 0 > 100' joined.csv | wc -l)" -ge 1 ] || fail "no large month (> 100 MB)"
id=$(first_endpoint '$6 != "0" && $7 != "0"')
emu_call GET /api/v1/endpoint/$id/stats >/dev/null
assert_contains api.body '{"last_month":{"data":{"volume":'
assert_contains api.body '"sms":{"volume":'
# volume = volume_tx + volume_rx, to the millionth.
sed 's/.*"current_month":{"data":{"volume":\([0-9.]*\),"volume_tx":\([0-9.]*\),"volume_rx":\([0-9.]*\),.*/\1 \2 \3/' api.body |
	awk '{ if (sprintf("%.6f", $2 + $3) != $1) exit 1 }' && pass "volume is tx + rx" || fail "volume is not tx + rx"
assert_eq "$(emu_call GET /api/v1/endpoint/99999999/stats)" 404 "stats of an unknown id"
assert_contains api.body '"error_code":1401'
assert_eq "$(emu_call GET /api/v1/endpoint/99999999/connectivity)" 404 "connectivity of an unknown id"
assert_eq "$(emu_call GET /api/v1/endpoint/abc/connectivity)" 400 "connectivity of a non-number id"

# --- 3. events -------------------------------------------------------------------------------
id=$(first_endpoint '$5 == "ONLINE" && $8 > 12')
events=$(awk -F, -v id="$id" '$1 == id { print $8 }' joined.csv)
assert_eq "$(emu_call GET "/api/v1/endpoint/$id/event?per_page=5")" 200 "events: status"
for name in x-count-per-page x-current-page x-sort x-total-count x-total-pages; do
	assert_eq "$(header_spelled $name)" "$name" "events: header $name in lower case"
done
assert_eq "$(emu_header x-total-count),$(emu_header x-count-per-page)" "$events,5" "events: total and per page"
assert_eq "$(emu_header x-total-pages)" $(((events + 4) / 5)) "events: pages"
assert_eq "$(grep -o '"event_type":' api.body | wc -l)" 5 "events: a page of 5"
for key in '"timestamp":"' '"alert":false' '"description":"' '"event_source":{"id":0,"description":"Network"}' \
	'"event_severity":{"id":0,"description":"Info"}' '"organisation":{"id":1,' '"sim":{"iccid":"' \
	'"imsi":{"id":' '"endpoint":{"id":'"$id" '"detail":{'; do
	assert_contains api.body "$key"
done
# An ONLINE device's newest event is its data session.
assert_contains api.body '"event_type":{"id":3,"description":"Create PDP Context"}'
# Newest first: the ids descend.
grep -o '"id":[0-9]\{12,\}' api.body | cut -d: -f2 >ids
sort -rn ids | cmp -s - ids && pass "events newest first" || fail "events are not newest first"
emu_call GET "/api/v1/endpoint/$id/event?per_page=5&page=999" >/dev/null
assert_eq "$(emu_header x-current-page)" $(((events + 4) / 5)) "events: a page past the end is the last"
emu_call GET "/api/v1/endpoint/$id/event" >/dev/null
assert_eq "$(emu_header x-count-per-page)" 100 "events: default per_page"
assert_eq "$(emu_call GET /api/v1/endpoint/99999999/event)" 200 "events of an unknown id: status"
assert_eq "$(cat api.body)" "[]" "events of an unknown id"
id=$(first_endpoint '$3 == 2')
emu_call GET "/api/v1/endpoint/$id/event?per_page=1" >/dev/null
assert_contains api.body '"description":"Purge location"'

# --- 4. the truth matches the answers ----------------------------------------------------------
for id in $(awk -F, 'NR % 37 == 1 { print $1 }' joined.csv); do
	conn=$(awk -F, -v id="$id" '$1 == id { print $5 }' joined.csv)
	month=$(awk -F, -v id="$id" '$1 == id { print $6 }' joined.csv)
	emu_call GET /api/v1/endpoint/$id/connectivity >/dev/null
	assert_contains api.body "{\"status\":{\"description\":\"$conn\"}"
	emu_call GET /api/v1/endpoint/$id/stats >/dev/null
	if [ "$month" = 0 ]; then
		assert_not_contains api.body '"current_month"'
	else
		assert_contains api.body "\"current_month\":{\"data\":{\"volume\":$month,"
	fi
done

# --- 5. buckets and counters -------------------------------------------------------------------
emu_start --devices 50 --seed 3
TOKEN=$(emu_token)
hammer() {
	urls=""
	n=0
	while [ $n -lt "$2" ]; do
		urls="$urls $EMU_URL$1"
		n=$((n + 1))
	done
	# One curl for them all, on one kept-alive connection: no process start between calls.
	curl -s -w '\n%{http_code}\n' -H "Authorization: Bearer $TOKEN" $urls | grep -c '^429$'
}
# Bursts 5 (events) and 25 (connectivity) at one curl's pace, well under 1 ms a call: the last ones
# refused.
[ "$(hammer /api/v1/endpoint/11000001/event 12)" -ge 1 ] && pass "event list: 429 past its burst" ||
	fail "event list: no 429 past a burst of 5"
[ "$(hammer /api/v1/endpoint/11000001/connectivity 40)" -ge 1 ] && pass "connectivity: 429 past its burst" ||
	fail "connectivity: no 429 past a burst of 25"
assert_eq "$(emu_stat connectivity),$(emu_stat endpoint_events)" "40,12" "counters connectivity, endpoint_events"
emu_call GET /api/v1/endpoint/11000001/stats >/dev/null
assert_eq "$(emu_stat endpoint_stats)" 1 "counter endpoint_stats"
emu_post '/_emu/limits?on=0'
assert_eq "$(hammer /api/v1/endpoint/11000001/event 12)" 0 "event list: no 429 with limits off"
# They count in the per-IP window.
emu_post '/_emu/limits?on=1'
emu_post '/_emu/ip-window?requests=3&seconds=60'
hammer /api/v1/endpoint/11000002/stats 5 >/dev/null
[ "$(emu_stat ip_window_blocked)" -ge 1 ] && pass "the live routes count in the per-IP window" ||
	fail "the per-IP window never refused a live route"

# --- 6. sim-status-missing ---------------------------------------------------------------------
emu_start --devices 30 --seed 5 --unpaired 0 --odd-data sim-status-missing --no-limits
TOKEN=$(emu_token)
emu_call GET /api/v1/endpoint >/dev/null
with=$(grep -o '"sim_profile_type_id":1,"status":' api.body | wc -l)
without=$(grep -o '"sim_profile_type_id":1,"imsi":' api.body | wc -l)
assert_eq "$((with + without))" 30 "sim-status-missing: every nested sim"
assert_eq "$without" 10 "sim-status-missing: one in three without status"
{ cat api.body; echo; } | sed 's/},{"id":/\n/g; s/^\[{"id"://' | head -n 1 | grep -q '"sim_profile_type_id":1,"imsi":' &&
	pass "sim-status-missing: the first endpoint lacks it" || fail "sim-status-missing: the first endpoint has its status"
emu_call GET /api/v1/endpoint/11000001 >/dev/null
assert_contains api.body '"sim_profile_type_id":1,"status":'
emu_call GET /api/v1/sim >/dev/null
assert_eq "$(grep -o '"status":{"id":' api.body | wc -l)" 30 "sim-status-missing: the SIM list keeps its statuses"

finish
