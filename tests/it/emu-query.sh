#!/bin/sh
# The emulator's q filter on both lists, spoken to with curl (simtop-emu alone, no simtop).
#
# 1. q=endpoint:null lists exactly the SIMs without an endpoint (the unpaired SIMs of the
#    fleet, as /_emu/state.csv shows them), q=status:N the SIMs (endpoints) of status N,
#    q=sim_status:N the endpoints whose SIM has status N; terms joined by "," must all match,
#    URL-encoded or not; X-Filter echoes q, and is absent without q.
# 2. The paging headers count the filtered list; a page past its end is its last page again.
# 3. A PATCH changes what a status filter lists at once.
# 4. A malformed q, an unknown field, a field the emulator does not emulate or a value a field
#    does not take answer 422 with error code 1301 (InvalidQueryCriteria); q is looked at only
#    after authentication.
# 5. The counters: *_list count every list call, *_list_filtered those with q.
# 6. --ignore-q serves the whole list without X-Filter, --refuse-q answers 422; both can be
#    switched at run time (refusing wins), and together on the command line are refused.
# 7. Odd data bends the filtered list: duplicate-sim repeats its first SIM on its last page.
. "$top_srcdir/tests/lib/harness.sh"

# sims_in, endpoints_in: the items of the last list page (one "iccid" per SIM, one nested
# "ip_address_space" object per endpoint).
sims_in() {
	grep -o '"iccid":' api.body | wc -l
}
endpoints_in() {
	grep -o '"ip_address_space":{' api.body | wc -l
}
# truth AWK: how many devices of /_emu/state.csv the condition holds for (columns: 1 sim_id,
# 2 endpoint_id, 3 sim_status, 4 endpoint_status).
truth() {
	tail -n +2 state.csv | awk -F, "$1" | wc -l
}
# sim_ids: the ids of the SIMs of the last list page, one a line, in order.
sim_ids() {
	{ cat api.body; echo; } | sed 's/},{"id":/\n/g; s/^\[{"id"://' | sed -n 's/^\([0-9]*\),"iccid".*/\1/p'
}

# --- 1. what each filter lists ----------------------------------------------------------------
emu_start --devices 600 --seed 7 --unpaired 20 --misaligned 10 --no-limits
TOKEN=$(emu_token)
curl -s "$EMU_URL/_emu/state.csv" >state.csv
lonely=$(truth '$1 != "" && $2 == ""')
[ "$lonely" -gt 10 ] || fail "the fleet should have unpaired SIMs, has $lonely"

assert_eq "$(emu_call GET '/api/v1/sim?q=endpoint:null&per_page=2500')" 200 "endpoint:null: status"
assert_eq "$(emu_header X-Total-Count)" "$lonely" "endpoint:null: X-Total-Count (unpaired SIMs)"
assert_eq "$(sims_in)" "$lonely" "endpoint:null: SIMs listed"
assert_not_contains api.body '"endpoint":{'
assert_eq "$(emu_header X-Filter)" "endpoint:null" "endpoint:null: X-Filter"
# The very SIMs the state lists without endpoint, in id order.
sim_ids >listed.ids
tail -n +2 state.csv | awk -F, '$1 != "" && $2 == "" { print $1 }' >lonely.ids
if cmp -s lonely.ids listed.ids; then
	pass "endpoint:null lists the SIMs without endpoint, in id order"
else
	fail "endpoint:null lists other SIMs than the state's unpaired ones"
	diff lonely.ids listed.ids | head
fi

for status in 0 1 2; do
	expected=$(truth "\$1 != \"\" && \$3 == $status")
	emu_call GET "/api/v1/sim?q=status:$status&per_page=2500" >/dev/null
	assert_eq "$(emu_header X-Total-Count),$(sims_in)" "$expected,$expected" "SIM status:$status: count, items"
	assert_eq "$(grep -o '"status":{"id":[0-9]' api.body | sort -u)" "\"status\":{\"id\":$status" "SIM status:$status: statuses"
done
for status in 0 1; do
	expected=$(truth "\$2 != \"\" && \$4 == $status")
	emu_call GET "/api/v1/endpoint?q=status:$status" >/dev/null
	assert_eq "$(emu_header X-Total-Count),$(endpoints_in)" "$expected,$expected" "endpoint status:$status: count, items"
	assert_eq "$(emu_header X-Filter)" "status:$status" "endpoint status:$status: X-Filter"
done
expected=$(truth '$2 != "" && $3 == 2')
emu_call GET '/api/v1/endpoint?q=sim_status:2' >/dev/null
assert_eq "$(emu_header X-Total-Count),$(endpoints_in)" "$expected,$expected" "endpoint sim_status:2: count, items"

# The SDK's form: terms joined by ",", all of which must hold; URL-encoded the same.
expected=$(truth '$1 != "" && $2 == "" && $3 == 1')
emu_call GET '/api/v1/sim?q=status:1,endpoint:null' >/dev/null
assert_eq "$(emu_header X-Total-Count),$(sims_in)" "$expected,$expected" "status:1,endpoint:null: count, items"
assert_eq "$(emu_header X-Filter)" "status:1,endpoint:null" "status:1,endpoint:null: X-Filter"
emu_call GET '/api/v1/sim?q=status%3A1%2Cendpoint%3Anull' >/dev/null
assert_eq "$(emu_header X-Total-Count),$(emu_header X-Filter)" "$expected,status:1,endpoint:null" "URL-encoded q"
emu_call GET '/api/v1/sim?q=status:1,status:2' >/dev/null
assert_eq "$(emu_header X-Total-Count)" 0 "status:1,status:2: nothing is both"
emu_call GET '/api/v1/sim?q=status:7' >/dev/null
assert_eq "$(emu_header X-Total-Count),$(emu_header X-Total-Pages),$(cat api.body)" "0,1,[]" "status:7: empty, one page"

# Without q (or with an empty one): the whole list, no X-Filter.
emu_call GET '/api/v1/sim?per_page=2500' >/dev/null
assert_eq "$(emu_header X-Total-Count)" "$(truth '$1 != ""')" "no q: every SIM"
assert_not_contains api.headers "X-Filter"
emu_call GET '/api/v1/sim?q=&per_page=2500' >/dev/null
assert_eq "$(emu_header X-Total-Count)" "$(truth '$1 != ""')" "empty q: every SIM"
assert_not_contains api.headers "X-Filter"

# --- 2. paging a filtered list -----------------------------------------------------------------
activated=$(truth '$1 != "" && $3 == 1')
pages=$(((activated + 6) / 7))
emu_call GET '/api/v1/sim?q=status:1&per_page=7&page=2' >/dev/null
assert_eq "$(emu_header X-Count-Per-Page),$(emu_header X-Current-Page),$(emu_header X-Total-Pages),$(emu_header X-Total-Count)" \
	"7,2,$pages,$activated" "status:1 page 2 of 7: headers"
assert_eq "$(sims_in)" 7 "status:1 page 2: items"
emu_call GET "/api/v1/sim?q=status:1&per_page=7&page=$pages" >/dev/null
assert_eq "$(sims_in)" $((activated - 7 * (pages - 1))) "status:1 last page: items"
cp api.body last.body
emu_call GET '/api/v1/sim?q=status:1&per_page=7&page=9999' >/dev/null
assert_eq "$(emu_header X-Current-Page)" "$pages" "status:1 page past the end: X-Current-Page"
if cmp -s last.body api.body; then
	pass "a page past the end of a filtered list is its last page again"
else
	fail "a page past the end of a filtered list differs from its last page"
fi
emu_call GET '/api/v1/endpoint?q=status:1&per_page=3&page=0' >/dev/null
assert_eq "$(emu_header X-Current-Page),$(endpoints_in)" "1,3" "endpoint status:1 page 0: the first page"

# --- 3. a PATCH moves a SIM between filters ----------------------------------------------------
sim=$(tail -n +2 state.csv | awk -F, '$1 != "" && $3 == 1 { print $1; exit }')
suspended=$(truth '$1 != "" && $3 == 2')
status=$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $TOKEN" \
	-d '{"status":{"id":2}}' "$EMU_URL/api/v1/sim/$sim")
assert_eq "$status" 204 "suspend SIM $sim"
emu_call GET '/api/v1/sim?q=status:1&per_page=2500' >/dev/null
assert_eq "$(emu_header X-Total-Count),$(sims_in)" "$((activated - 1)),$((activated - 1))" "status:1 after the PATCH"
assert_not_contains api.body "{\"id\":$sim,"
emu_call GET '/api/v1/sim?q=status:2&per_page=2500' >/dev/null
assert_eq "$(emu_header X-Total-Count)" "$((suspended + 1))" "status:2 after the PATCH"
assert_contains api.body "{\"id\":$sim,"

# --- 4. refused criteria -------------------------------------------------------------------------
# refused PATH WHAT: the call answers 422 with error code 1301 and no X-Filter.
refused() {
	assert_eq "$(emu_call GET "$1")" 422 "$2: status"
	assert_contains api.body '{"error_code":1301,"error_token":"InvalidQueryCriteria","message":"'
	assert_not_contains api.headers "X-Filter"
}
refused '/api/v1/sim?q=colour:blue' "unknown field"
assert_contains api.body "field 'colour' is unknown"
refused '/api/v1/sim?q=iccid:8988303' "a documented field the emulator does not emulate"
assert_contains api.body "field 'iccid' is not emulated"
refused '/api/v1/endpoint?q=endpoint:null' "endpoint:null on the endpoint list"
refused '/api/v1/sim?q=endpoint:11000001' "endpoint with an id"
refused '/api/v1/sim?q=status:active' "status by name"
refused '/api/v1/sim?q=status' "no colon"
refused '/api/v1/sim?q=status:1,' "an empty term"
refused '/api/v1/sim?q=:1' "no field"
refused "/api/v1/sim?q=$(printf 'status:1,%.0s' $(seq 1 40))status:1" "longer than 200 characters"
refused '/api/v1/sim?q=%FF%FE:1' "a field that is not text"
assert_contains api.body "a field is unknown"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$EMU_URL/api/v1/sim?q=colour:blue")" 401 "bad q without a token: 401 first"

# --- 5. the counters ---------------------------------------------------------------------------
before_plain=$(emu_stat sim_list) before_filtered=$(emu_stat sim_list_filtered)
before_endpoints=$(emu_stat endpoint_list_filtered)
emu_call GET '/api/v1/sim' >/dev/null
emu_call GET '/api/v1/sim?q=endpoint:null' >/dev/null
emu_call GET '/api/v1/sim?q=endpoint:null&page=2' >/dev/null
emu_call GET '/api/v1/sim?q=colour:blue' >/dev/null
emu_call GET '/api/v1/endpoint?q=status:0' >/dev/null
assert_eq "$(($(emu_stat sim_list) - before_plain)),$(($(emu_stat sim_list_filtered) - before_filtered))" "4,3" \
	"SIM list calls, and those with q (a refused one included)"
assert_eq "$(($(emu_stat endpoint_list_filtered) - before_endpoints))" 1 "endpoint list calls with q"

# --- 6. back ends that ignore or refuse q --------------------------------------------------------
all_sims=$(truth '$1 != ""')
emu_post '/_emu/ignore-q?on=1'
emu_call GET '/api/v1/sim?q=endpoint:null&per_page=2500' >/dev/null
assert_eq "$(emu_header X-Total-Count),$(sims_in)" "$all_sims,$all_sims" "ignore-q at run time: every SIM"
assert_not_contains api.headers "X-Filter"
assert_eq "$(emu_call GET '/api/v1/sim?q=colour:blue')" 200 "ignore-q: even a bad q is not looked at"
emu_post '/_emu/refuse-q?on=1'
refused '/api/v1/sim?q=endpoint:null' "ignore-q and refuse-q: refusing wins"
emu_post '/_emu/ignore-q?on=0'
refused '/api/v1/endpoint?q=status:0' "refuse-q at run time"
assert_contains api.body "filtering is not supported"
assert_eq "$(emu_call GET '/api/v1/endpoint')" 200 "refuse-q: a list without q is served"
emu_post '/_emu/refuse-q?on=0'
emu_call GET '/api/v1/sim?q=endpoint:null' >/dev/null
assert_eq "$(emu_header X-Total-Count)" "$lonely" "both off again: filtered"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$EMU_URL/_emu/refuse-q?on=2")" 400 "refuse-q?on=2"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "$EMU_URL/_emu/ignore-q")" 405 "GET /_emu/ignore-q"

emu_start --devices 600 --seed 7 --unpaired 20 --misaligned 10 --no-limits --ignore-q
TOKEN=$(emu_token)
emu_call GET '/api/v1/sim?q=endpoint:null&per_page=2500' >/dev/null
assert_eq "$(emu_header X-Total-Count),$(sims_in)" "$all_sims,$all_sims" "--ignore-q: every SIM"
assert_not_contains api.headers "X-Filter"
assert_eq "$(emu_stat sim_list_filtered),$(emu_stat sim_list)" "1,1" "--ignore-q: the call still counts as filtered"

emu_start --devices 600 --seed 7 --unpaired 20 --misaligned 10 --no-limits --refuse-q
TOKEN=$(emu_token)
refused '/api/v1/sim?q=endpoint:null' "--refuse-q"
assert_eq "$(emu_call GET '/api/v1/sim')" 200 "--refuse-q: a list without q is served"
assert_eq "$(emu_stat sim_list_filtered),$(emu_stat sim_list),$(emu_stat status_422)" "1,2,1" "--refuse-q: counters"

"$SIMTOP_EMU" --ignore-q --refuse-q >both.out 2>both.err
assert_eq "$?" 2 "--ignore-q with --refuse-q: exit status"
assert_contains both.err "exclude each other"

# --- 7. odd data on a filtered list --------------------------------------------------------------
emu_start --devices 600 --seed 7 --unpaired 20 --misaligned 10 --no-limits --odd-data duplicate-sim
TOKEN=$(emu_token)
emu_call GET '/api/v1/sim?q=endpoint:null&per_page=2500' >/dev/null
assert_eq "$(emu_header X-Total-Count),$(sims_in)" "$lonely,$((lonely + 1))" "duplicate-sim, filtered: one SIM more than counted"
assert_eq "$(sim_ids | tail -n 1)" "$(head -n 1 lonely.ids)" "duplicate-sim, filtered: the last is the filtered list's first"
finish
