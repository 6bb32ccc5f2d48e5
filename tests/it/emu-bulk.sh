#!/bin/sh
# The emulator's bulk endpoint PATCH, change log, overlap counter, per-IP window, permissions
# and organisation claims, spoken to with curl (simtop-emu alone, no simtop).
#
# 1. PATCH /api/v2/endpoint/multi takes endpoints offline: 204, empty body, JSON content type;
#    the true state, the single GETs and /_emu/changes (via "multi") show it.
# 2. A batch with bad items answers 422 with one errors[] entry per bad item, naming no id,
#    and applies nothing; with bulk-partial on (control route, or --bulk-partial) the good items
#    are applied and the answer is still 422. Over 2000 items: 422 (1403); not an array or not
#    JSON: 400 (1000); no token: 401.
# 3. /_emu/changes lists the applied changes in order, SIM and endpoint, single and multi, once
#    each; an item already in its target state changes nothing; clearing empties the log.
# 4. Stalls and faults cover the bulk call: stalled after, it is applied and never answered; a
#    fault answers before anything is applied.
# 5. endpoint_patch_overlap: two concurrent endpoint PATCHes (with --latency) count, sequential
#    ones do not.
# 6. The per-IP window: a small window answers 429 {"message":"Too Many Requests"} when full, 200
#    again after its seconds; control routes never count; --ip-block 403 (and the control route)
#    answers 403 with an HTML page.
# 7. --forbid answers 403 with error code 1104 and applies nothing; --org and --org-name set the
#    claims of the issued JWT.
. "$top_srcdir/tests/lib/harness.sh"

# multi BODY: a bulk call; the HTTP status, the body in api.body.
multi() {
	emu_call PATCH /api/v2/endpoint/multi "$1"
}
# endpoint_status ID: the true status of an endpoint (the state.csv column).
endpoint_status() {
	curl -s "$EMU_URL/_emu/state.csv" | awk -F, -v id="$1" '$2 == id { print $4 }'
}
sim_status() {
	curl -s "$EMU_URL/_emu/state.csv" | awk -F, -v id="$1" '$1 == id { print $3 }'
}
changes() {
	curl -s "$EMU_URL/_emu/changes" >changes.json
	cat changes.json
}
# change_lines: the change log one change a line, without seq.
change_lines() {
	changes | sed 's/},{/}\n{/g' | sed 's/^\[//; s/\]$//; s/"seq":[0-9]*,//'
	echo
}

# --- 1. a bulk offline ----------------------------------------------------------------------
# Every device a pair, all Activated and Enabled (seed 3, as in the other tests).
emu_start --devices 20 --seed 3 --misaligned 0 --unpaired 0
TOKEN=$(emu_token)
assert_eq "$(endpoint_status 11000001)$(endpoint_status 11000002)$(endpoint_status 11000003)" "000" "before: endpoints enabled"
status=$(multi '[{"id":11000001,"status":{"id":1}},{"id":11000002,"status":{"id":1,"description":"Disabled"},"name":"n","tags":"t"},{"id":11000003,"status":{"id":1}}]')
assert_eq "$status" 204 "bulk offline: status"
assert_eq "$(wc -c <api.body)" 0 "bulk offline: body length"
assert_contains api.headers "Content-Type: application/json"
assert_eq "$(endpoint_status 11000001)$(endpoint_status 11000002)$(endpoint_status 11000003)$(endpoint_status 11000004)" "1110" "bulk offline: true state"
emu_call GET /api/v1/endpoint/11000002 >/dev/null
assert_contains api.body '"status":{"id":1,"description":"Disabled"}'
assert_eq "$(emu_stat endpoint_multi),$(emu_stat endpoint_multi_items),$(emu_stat endpoint_multi_applied)" "1,3,3" "bulk offline: calls, items, applied"
assert_eq "$(emu_stat endpoint_patch)" 0 "bulk offline: single endpoint PATCHes"

# --- 2. bad items -----------------------------------------------------------------------------
bad='[{"id":11000007,"status":{"id":1}},{"id":11099999,"status":{"id":1}},{"id":11000006,"status":{"id":2}},{"status":{"id":1}}]'
assert_eq "$(multi "$bad")" 422 "bad items: status"
assert_contains api.body '{"error_code":1400,"error_token":"InputValidationFailed","message":"Update endpoint validation error","errors":[{'
assert_eq "$(grep -o '"error_code":14[0-9][0-9]' api.body | wc -l)" 4 "bad items: top-level and three entries"
assert_contains api.body '"message":"Endpoint not found"'
assert_contains api.body '"message":"Invalid status"'
assert_not_contains api.body '11099999'
assert_not_contains api.body '11000006'
assert_not_contains api.body '11000007'
assert_eq "$(endpoint_status 11000007)" 0 "bad items, atomic: the good item is not applied"
assert_eq "$(emu_stat endpoint_multi_items)" 3 "bad items, atomic: no item processed"

emu_post "/_emu/bulk-partial?on=1"
assert_eq "$(multi "$bad")" 422 "bad items, partial: status"
assert_eq "$(endpoint_status 11000007)$(endpoint_status 11000006)" "10" "bad items, partial: the good item applied, the bad one not"
emu_post "/_emu/bulk-partial?on=0"

# An endpoint without a SIM cannot be enabled, a deleted one not changed (a state file makes
# one deleted); --bulk-partial from the start applies the good items.
printf '# simtop-emu state v1 seed=5 devices=40 misaligned=0 unpaired=50\nendpoint 11000002 2\n' >deleted.state
emu_start --devices 40 --seed 5 --misaligned 0 --unpaired 50 --bulk-partial --state-file deleted.state
TOKEN=$(emu_token)
lonely=$(curl -s "$EMU_URL/_emu/state.csv" | awk -F, '$1 == "" { print $2; exit }')
lonely_status=$(endpoint_status "$lonely")
paired=$(curl -s "$EMU_URL/_emu/state.csv" | awk -F, '$1 != "" && $2 != "" && $4 == 0 { print $2; exit }')
[ -n "$lonely" ] && [ -n "$paired" ] && pass "endpoints: $lonely without SIM, $paired paired" || fail "no endpoint without a SIM, or none paired"
assert_eq "$(multi "[{\"id\":$lonely,\"status\":{\"id\":0}},{\"id\":11000002,\"status\":{\"id\":1}},{\"id\":$paired,\"status\":{\"id\":1}}]")" 422 "no SIM, deleted: status"
assert_contains api.body '"message":"An endpoint without a SIM cannot be enabled"'
assert_contains api.body '"message":"A deleted endpoint cannot be changed"'
assert_not_contains api.body "$lonely"
assert_eq "$(endpoint_status "$lonely"),$(endpoint_status 11000002),$(endpoint_status "$paired")" "$lonely_status,2,1" "no SIM, deleted, --bulk-partial: true state"

# Too many items, not an array, not JSON, no token.
items=$(awk 'BEGIN { printf "["; for (i = 0; i < 2001; i++) printf "%s{\"id\":%d,\"status\":{\"id\":1}}", i ? "," : "", 11000001 + i % 40; printf "]" }')
assert_eq "$(multi "$items")" 422 "2001 items: status"
assert_contains api.body '"errors":[{"error_code":1403,"error_token":"InvalidFormat"'
assert_eq "$(multi '{"id":11000001,"status":{"id":1}}')" 400 "an object: status"
assert_contains api.body '"error_code":1000,"error_token":"BadRequest"'
assert_eq "$(multi '[{"id":11000001,')" 400 "not JSON: status"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -d '[]' "$EMU_URL/api/v2/endpoint/multi")" 401 "no token: status"

# --- 3. the change log ----------------------------------------------------------------------
emu_start --devices 20 --seed 3 --misaligned 0 --unpaired 0
TOKEN=$(emu_token)
# Offline for two devices: SIMs suspended, then endpoints disabled in one call (one of them
# twice: the second is already in its target state).
emu_call PATCH /api/v1/sim/4000001 '{"status":{"id":2}}' >/dev/null
emu_call PATCH /api/v1/sim/4000002 '{"status":{"id":2}}' >/dev/null
multi '[{"id":11000001,"status":{"id":1}},{"id":11000002,"status":{"id":1}},{"id":11000001,"status":{"id":1}}]' >/dev/null
# Online for one: endpoint enabled (single), then its SIM activated.
emu_call PATCH /api/v1/endpoint/11000001 '{"status":{"id":0}}' >/dev/null
emu_call PATCH /api/v1/sim/4000001 '{"status":{"id":1}}' >/dev/null
change_lines >changes.lines
cat >changes.expected <<'EOF'
{"kind":"sim","id":4000001,"from":1,"to":2,"via":"single"}
{"kind":"sim","id":4000002,"from":1,"to":2,"via":"single"}
{"kind":"endpoint","id":11000001,"from":0,"to":1,"via":"multi"}
{"kind":"endpoint","id":11000002,"from":0,"to":1,"via":"multi"}
{"kind":"endpoint","id":11000001,"from":1,"to":0,"via":"single"}
{"kind":"sim","id":4000001,"from":2,"to":1,"via":"single"}
EOF
if diff -u changes.expected changes.lines >changes.diff; then
	pass "change log: order, kinds, via, once each"
else
	fail "change log differs:"; cat changes.diff
fi
assert_eq "$(grep -o '"seq":[0-9]*' changes.json | tr -d '"seq:' | tr '\n' ' ')" "1 2 3 4 5 6 " "change log: seq"
assert_eq "$(emu_stat endpoint_multi_items),$(emu_stat endpoint_multi_applied)" "3,2" "change log: items, applied"
emu_post /_emu/changes/clear
assert_eq "$(changes)" "[]" "change log: cleared"

# --- 4. stalls and faults ---------------------------------------------------------------------
emu_post "/_emu/stall?what=patch&when=after"
curl -s -m 1 -o /dev/null -X PATCH -H "Authorization: Bearer $TOKEN" -d '[{"id":11000003,"status":{"id":1}}]' \
	"$EMU_URL/api/v2/endpoint/multi"
assert_eq "$?" 28 "stalled after: no answer (curl timed out)"
assert_eq "$(endpoint_status 11000003)" 1 "stalled after: applied"
emu_post "/_emu/stall?what=none"
emu_post "/_emu/faults?pct=100"
status=$(multi '[{"id":11000004,"status":{"id":1}}]')
case $status in 000|502|503) pass "faulted: answered $status" ;; *) fail "faulted: answered $status" ;; esac
assert_eq "$(endpoint_status 11000004)" 0 "faulted: not applied"
emu_post "/_emu/faults?pct=0"
assert_eq "$(emu_stat endpoint_patch_overlap)" 0 "stalled and faulted calls left nothing in flight"

# --- 5. overlapping endpoint PATCHes --------------------------------------------------------
emu_start --devices 20 --seed 3 --misaligned 0 --unpaired 0 --latency 300
TOKEN=$(emu_token)
emu_call PATCH /api/v1/endpoint/11000001 '{"status":{"id":1}}' >/dev/null
multi '[{"id":11000002,"status":{"id":1}}]' >/dev/null
emu_call PATCH /api/v1/sim/4000001 '{"status":{"id":2}}' >/dev/null &
emu_call PATCH /api/v1/sim/4000002 '{"status":{"id":2}}' >/dev/null
wait $!
assert_eq "$(emu_stat endpoint_patch_overlap)" 0 "sequential endpoint PATCHes, concurrent SIM PATCHes: overlaps"
emu_call PATCH /api/v1/endpoint/11000003 '{"status":{"id":1}}' >/dev/null &
emu_call PATCH /api/v1/endpoint/11000004 '{"status":{"id":1}}' >/dev/null
wait $!
overlaps=$(emu_stat endpoint_patch_overlap)
[ "$overlaps" -ge 1 ] && pass "concurrent endpoint PATCHes: $overlaps overlap" || fail "concurrent endpoint PATCHes: no overlap counted"

# --- 6. the per-IP window ---------------------------------------------------------------------
emu_start --devices 20 --seed 3 --ip-window 10/1
TOKEN=$(emu_token)
codes=""
for i in 1 2 3 4 5 6 7 8 9; do
	codes="$codes$(emu_call GET /api/v1/sim/4000001) "
	emu_stat requests >/dev/null # control routes never count
done
assert_eq "$codes" "200 200 200 200 200 200 200 200 200 " "window: the first ten requests (authentication included)"
assert_eq "$(emu_call GET /api/v1/sim/4000001)" 429 "window full: status"
assert_eq "$(cat api.body)" '{"message":"Too Many Requests"}' "window full: body"
assert_eq "$(emu_stat ip_window_blocked)" 1 "window full: blocked"
# The window is one of time: no state to wait for but its second passing.
sleep 1.1
assert_eq "$(emu_call GET /api/v1/sim/4000001)" 200 "window, 1 s later: status"

emu_post "/_emu/ip-window?requests=2&seconds=60&block=403"
emu_call GET /api/v1/sim/4000001 >/dev/null
emu_call GET /api/v1/sim/4000001 >/dev/null
assert_eq "$(emu_call GET /api/v1/sim/4000001)" 403 "window set by the control route, full: status"
assert_contains api.headers "Content-Type: text/html"
assert_contains api.body "Request blocked."

emu_start --devices 20 --seed 3 --ip-window 1/60 --ip-block 403
TOKEN=$(emu_token)
assert_eq "$(emu_call GET /api/v1/sim/4000001)" 403 "--ip-block 403: status"
assert_contains api.headers "Content-Type: text/html"
assert_eq "$(emu_stat status_403),$(emu_stat ip_window_blocked)" "1,1" "--ip-block 403: counted"

# --- 7. permissions and organisations -------------------------------------------------------
emu_start --devices 20 --seed 3 --misaligned 0 --unpaired 0 --forbid sim-patch --forbid multi --org 7 --org-name 'Second "workspace"'
TOKEN=$(emu_token)
assert_eq "$(emu_call PATCH /api/v1/sim/4000001 '{"status":{"id":2}}')" 403 "forbidden SIM PATCH: status"
assert_eq "$(cat api.body)" '{"error_code":1104,"error_token":"Forbidden","message":"Access denied: the application token'"'"'s role may not perform this operation"}' "forbidden SIM PATCH: body"
assert_eq "$(multi '[{"id":11000001,"status":{"id":1}}]')" 403 "forbidden bulk call: status"
assert_contains api.body '"error_code":1104'
assert_eq "$(emu_call PATCH /api/v1/endpoint/11000002 '{"status":{"id":1}}')" 204 "allowed endpoint PATCH: status"
assert_eq "$(sim_status 4000001),$(endpoint_status 11000001),$(endpoint_status 11000002)" "1,0,1" "forbidden: nothing applied"
payload=$(echo "$TOKEN" | cut -d. -f2 | tr '_-' '/+')
while [ $((${#payload} % 4)) -ne 0 ]; do payload="$payload="; done
echo "$payload" | base64 -d >claims.json
assert_contains claims.json '"esc.org":7,'
assert_contains claims.json '"esc.orgName":"Second \"workspace\""'
finish
