#!/bin/sh
# The line above the status line tells what the operator cannot see otherwise:
# 1. a load that waits to retry shows the countdown, in a real terminal, and an API that stays
#    silent ends in a full-screen message that names the host;
# 2. data that parses but cannot be true (simtop-emu --odd-data) is named once the fleet is
#    loaded, and stays named while the operator works;
# 3. a job that the API's edge blocks (the per-IP window spent, a 403 page) pauses with a
#    countdown in a real terminal, then goes on, and no device fails.
. "$top_srcdir/tests/lib/harness.sh"

# --- 1. a silent API, in tmux -------------------------------------------------------------
if [ -n "$TMUX_BIN" ]; then
	emu_start --devices 50 --no-limits --stall get
	tmux_session notices \
		"env EMNIFY_BASE_PATH=$EMU_URL EMNIFY_APPLICATION_TOKEN=emu-demo-token SIMTOP_SILENCE_MS=500 SIMTOP_BACKOFF_BASE_MS=1000 \
		SIMTOP_GIVE_UP_MS=8000 TERM=screen-256color $SIMTOP"
	tmux_wait_for "no answer from 127.0.0.1, retry"
	grep -E "retry [0-9]+ of [0-9]+ in [0-9]+ s" "$test_dir/pane" >/dev/null &&
		pass "the retry note counts down" || fail "the retry note has no countdown"
	tmux_wait_for "simtop cannot show the fleet" && tmux_wait_for "no answer from 127.0.0.1 for"
	tmux_run send-keys -t notices q
else
	echo "tmux is not installed: the retry countdown is not checked"
fi

# --- 3. a job paused by the per-IP window, in tmux ------------------------------------------
if [ -n "$TMUX_BIN" ]; then
	# The client is told of a far larger window than the emulator keeps, so it runs into it.
	mkdir -p "$XDG_CONFIG_HOME/simtop"
	printf '[default]\nip_window_calls = 100000\n' >"$XDG_CONFIG_HOME/simtop/config"
	# 40 devices: the job's calls fill the window once, so that it pauses once (10 s).
	emu_start --devices 40 --seed 5 --misaligned 0 --ip-window 30/4 --ip-block 403
	tmux_session paused \
		"env HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME \
		EMNIFY_BASE_PATH=$EMU_URL EMNIFY_APPLICATION_TOKEN=emu-demo-token TERM=screen-256color $SIMTOP --rate 30"
	tmux_wait_for " shown"
	tmux_run send-keys -t paused / a l i g n : o n l i n e Enter a f Tab Enter
	tmux_wait_for "per-IP limit, HTTP 403"
	grep -E "paused [0-9]+ s: per-IP limit" "$test_dir/pane" >/dev/null &&
		pass "the pause counts down" || fail "the pause shows no countdown"
	tmux_wait_for "devices reached their target"
	[ "$(emu_stat ip_window_blocked)" -ge 1 ] && pass "blocks: $(emu_stat ip_window_blocked)" || fail "no block"
	tmux_run send-keys -t paused q
	rm -f "$XDG_CONFIG_HOME/simtop/config"
else
	echo "tmux is not installed: the pause countdown is not checked"
fi

# --- 2. odd data --------------------------------------------------------------------------
emu_start --devices 300 --seed 5 --no-limits --odd-data shared-sim,duplicate-endpoint
run_script odd <<'STEPS'
:resize 140x30
:save-display odd-loaded.screen
jjj
:save-display odd-moved.screen
STEPS
assert_contains odd-loaded.screen "odd data from the API"
assert_contains odd-loaded.screen "claimed by two endpoints"
assert_contains odd-moved.screen "odd data from the API"
# A clean fleet shows no such line.
emu_start --devices 300 --seed 5 --no-limits
run_script clean <<'STEPS'
:save-display clean.screen
STEPS
assert_not_contains clean.screen "odd data"
finish
