#!/bin/sh
# Live state of chosen devices (L): the question first (devices, calls, time at the limits), then
# the reads with progress and Esc, two columns with the answers (blank where nothing was read),
# and the filter terms conn: and data: over them — the workflow of README: which Activated SIMs
# had no traffic this month, marked and offered for switching offline. Against the emulator's
# synthetic network (--epoch fixes its clock).
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 120 --seed 8 --no-limits --epoch 1764590400
curl -s "$EMU_URL/_emu/live.csv" >live.csv
curl -s "$EMU_URL/_emu/state.csv" >state.csv
# The truth: endpoints with an Activated SIM (status 1), and of those the ones without traffic.
awk -F, 'NR > 1 && $3 == 1 && $2 != "" { print $2 }' state.csv | sort >activated.ids
awk -F, 'NR > 1 && $4 + 0 == 0 { print $1 }' live.csv | sort >idle.ids
comm -12 activated.ids idle.ids >billed-idle.ids
activated=$(wc -l <activated.ids | tr -d ' ')
idle=$(wc -l <billed-idle.ids | tr -d ' ')
[ "$idle" -gt 0 ] && [ "$idle" -lt "$activated" ] &&
	pass "$idle of $activated endpoints with an Activated SIM had no traffic this month" ||
	fail "the fleet should have some idle Activated SIMs, not $idle of $activated"

mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\n' >"$XDG_CONFIG_HOME/simtop/config"
run_script live <<STEPS
:resize 120x40
:save-display before.screen
/sim:act data:0<Enter>
:save-display unknown.screen
L
:save-display question.screen
<Enter>
:save-display read.screen
a
f
:save-display offline.screen
<Esc>
/conn:session<Enter>
:save-display session.screen
/!conn:session sim:act<Enter>
:save-display not-session.screen
STEPS
# Nothing is read before L, and no column shows what nobody read.
assert_not_contains before.screen "CONN"
assert_contains unknown.screen "0 shown · $activated live state unknown"
assert_contains unknown.screen "No device matches yet: L reads the live state the filter needs."
assert_contains question.screen "Read the network's view of $activated devices (0 shown, $activated whose live state the filter needs)"
assert_contains question.screen "$((activated * 2)) calls"
assert_contains question.screen "Enter reads, Esc cancels"
assert_eq "$(emu_stat connectivity)" "$activated" "connectivity calls: one per device asked for"
assert_eq "$(emu_stat endpoint_stats)" "$activated" "stats calls: one per device asked for"
assert_contains read.screen "Live state of $activated devices read"
assert_contains read.screen "filter: sim:act data:0 · $idle shown · row 1"
assert_contains read.screen "CONN <1m"
# Every row shown is one of the truth's, and the count is the truth's.
[ "$idle" -le 36 ] || fail "the screen holds 36 rows: make the fleet smaller"
assert_eq "$(grep -c 'Activated' read.screen)" "$idle" "rows shown with an Activated SIM"
assert_contains offline.screen "Switch $idle devices: SIM Suspended and endpoint Disabled"
assert_contains offline.screen "The filter chose by live state read"
assert_contains offline.screen "ago (the oldest): Esc, then L, reads it again"
# conn:session is conn:online: the rows say "session", never "online" in the CONN column.
sessions=$(awk -F, 'NR > 1 && $3 == "ONLINE"' live.csv | wc -l | tr -d ' ')
assert_contains session.screen "filter: conn:session · $sessions shown"
assert_contains session.screen "⇅ session"
assert_not_contains not-session.screen "⇅ session"
assert_not_contains not-session.screen "live state unknown"

# simtop list: the same question without a screen, and apply refuses to guess.
"$SIMTOP" list --filter 'sim:act data:0' --format csv >list.csv 2>list.err
assert_eq "$?" 0 "list --filter 'sim:act data:0' exits 0"
cut -d, -f2 list.csv | sed 1d | sort >listed.ids
cmp -s listed.ids billed-idle.ids && pass "list --filter 'sim:act data:0' lists exactly the idle Activated SIMs" ||
	fail "list --filter 'sim:act data:0' differs from the truth: $(diff listed.ids billed-idle.ids | head -5)"
"$SIMTOP" apply offline --filter 'data:0' --yes >apply.out 2>apply.err
assert_eq "$?" 2 "apply with a data: filter is a usage error"
assert_contains apply.err "simtop list --filter 'data:0' --format csv > chosen.csv"

# In a real terminal, at a pace the operator chose (rate = 10; under emnify's limits alone the
# reads go at their routes' 50 and 100 a second): progress while the calls go out, and Esc stops
# them; what arrived is shown, the rest stays blank.
# calls_answered_at_least N: the progress line says N calls or more are answered.
calls_answered_at_least() {
	tmux_run capture-pane -p -J -t live >"$test_dir/pane" 2>/dev/null
	answered_now=$(sed -n "s/.*reading the network's view .* \([0-9][0-9,]*\) of [0-9,]* calls.*/\1/p" "$test_dir/pane" |
		tr -d ,)
	[ "${answered_now:-0}" -ge "$1" ]
}
if [ -n "$TMUX_BIN" ]; then
	printf '[default]\nrate = 10\n' >"$XDG_CONFIG_HOME/simtop/config"
	emu_start --devices 120 --seed 9 --epoch 1764590400
	tmux_session live \
		"env HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME \
		EMNIFY_BASE_PATH=$EMU_URL EMNIFY_APPLICATION_TOKEN=emu-demo-token TERM=screen-256color $SIMTOP"
	tmux_run resize-window -t live -x 120 -y 40 2>/dev/null
	tmux_wait_for "120 devices"
	tmux_wait_for " shown"
	tmux_run send-keys -t live a L
	tmux_wait_for "Read the network's view of"
	tmux_run send-keys -t live Enter
	tmux_wait_for "reading the network's view"
	tmux_wait_for "calls · Esc stops"
	wait_until "ten calls answered" "calls_answered_at_least 10"
	tmux_run send-keys -t live Escape
	tmux_wait_for "Stopped:"
	answered=$(sed -n 's/.*Stopped: \([0-9]*\) of \([0-9]*\) calls answered.*/\1 \2/p' "$test_dir/pane")
	set -- $answered
	[ -n "${1:-}" ] && [ "$1" -gt 0 ] && [ "$1" -lt "$2" ] && pass "Esc stopped the read after $1 of $2 calls" ||
		fail "Esc did not stop the read part-way: '$answered'"
	calls=$(($(emu_stat connectivity) + $(emu_stat endpoint_stats)))
	[ "$calls" -le $(($1 + 8)) ] && pass "the API saw $calls calls: none sent after Esc but those in flight" ||
		fail "the API saw $calls calls after $1 were answered"
	assert_contains "$test_dir/pane" "CONN"
	tmux_run send-keys -t live q
	wait_until "simtop to quit" "! tmux_run has-session -t live 2>/dev/null"
fi
finish
