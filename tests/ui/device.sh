#!/bin/sh
# The device view (Enter) reads the device's network state when it opens: connectivity, this and
# last month's usage, its latest events (ten a page, the next ten when scrolled to the end), and
# its endpoint and SIM, each part with its own reading state and error; r reads that device
# again, and nothing else. Against the emulator's synthetic network (--epoch fixes its clock).
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 300 --seed 8 --no-limits --epoch 1764590400
curl -s "$EMU_URL/_emu/live.csv" >live.csv
# The first endpoint in a data session and its truth; and an offline one.
online=$(awk -F, '$3 == "ONLINE" { print $1; exit }' live.csv)
offline=$(awk -F, 'NR > 1 && $3 == "OFFLINE" { print $1; exit }' live.csv)
online_mb=$(awk -F, -v id="$online" '$1 == id { printf "%.2f", $4 }' live.csv)
[ -n "$online" ] && [ -n "$offline" ] && pass "the fleet has an ONLINE ($online) and an OFFLINE ($offline) endpoint" ||
	fail "no ONLINE or no OFFLINE endpoint in live.csv"

run_script device <<STEPS
:resize 120x60
/id:$online<Enter>
<Enter>
:save-display online.screen
<End>
:save-display online-end.screen
r
<Home>
:save-display online-again.screen
<Esc>
:save-display back.screen
/id:$offline<Enter>
<Enter>
:save-display offline.screen
STEPS
assert_contains online.screen "Connectivity, as the network says now"
assert_contains online.screen "State          in a data session (ONLINE)"
assert_contains online.screen "This month     $online_mb MB"
assert_contains online.screen "Latest events"
assert_contains online.screen "Create PDP Context"
assert_contains online.screen "Endpoint, as the API returns it now"
assert_not_contains online.screen "reading GET"
assert_not_contains online.screen "could not be read"
assert_contains online-again.screen "State          in a data session (ONLINE)"
assert_contains offline.screen "State          not reachable (OFFLINE)"
# What the view read stays in the fleet's live columns.
assert_contains back.screen "CONN <1m"
assert_contains back.screen "⇅ session"

assert_contains offline.screen "This month     0 MB, no traffic"
# Scrolled to the end, the next ten events were read: two event pages, and r read them again.
assert_eq "$(emu_stat connectivity)" 3 "connectivity calls (online, its r, offline)"
assert_eq "$(emu_stat endpoint_stats)" 3 "stats calls"
[ "$(emu_stat endpoint_events)" -ge 4 ] && pass "event pages read: $(emu_stat endpoint_events)" ||
	fail "event pages read: $(emu_stat endpoint_events), expected at least 4"
assert_eq "$(emu_stat endpoint_list)" 1 "endpoint list calls: r in the device view loads no fleet"

# In a real terminal: each part shows that it is being read, then its own error when the API
# goes silent; r reads them again once it answers.
if [ -n "$TMUX_BIN" ]; then
	tmux_session device \
		"env HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME \
		EMNIFY_BASE_PATH=$EMU_URL EMNIFY_APPLICATION_TOKEN=emu-demo-token SIMTOP_SILENCE_MS=1000 \
		SIMTOP_BACKOFF_BASE_MS=100 SIMTOP_GIVE_UP_MS=3000 TERM=screen-256color $SIMTOP"
	tmux_run resize-window -t device -x 120 -y 50 2>/dev/null
	tmux_wait_for "300 devices"
	tmux_wait_for " shown"
	emu_post "/_emu/stall?what=get"
	tmux_run send-keys -t device / i d : "$online" Enter Enter
	tmux_wait_for "Connectivity: reading GET /api/v1/endpoint/$online/connectivity"
	assert_contains pane "Usage: reading GET /api/v1/endpoint/$online/stats"
	assert_contains pane "Latest events: reading GET /api/v1/endpoint/$online/event"
	tmux_wait_for "Connectivity: could not be read"
	tmux_wait_for "Usage: could not be read"
	emu_post "/_emu/stall?what=none"
	tmux_run send-keys -t device r
	tmux_wait_for "State          in a data session (ONLINE)"
	tmux_run send-keys -t device q q
else
	echo "tmux is not installed: the reading and failing states are not checked"
fi
finish
