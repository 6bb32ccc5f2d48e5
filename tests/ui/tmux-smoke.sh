#!/bin/sh
# One real terminal: simtop in tmux loads the fleet, moves, opens the detail, is redrawn by
# Ctrl-L after something else wrote over it, quits.
. "$top_srcdir/tests/lib/harness.sh"

if [ -z "$TMUX_BIN" ]; then
	echo "tmux is not installed"; exit 77
fi
emu_start --devices 2500 --seed 11 --no-limits
tmux_session smoke \
	"env EMNIFY_BASE_PATH=$EMU_URL EMNIFY_APPLICATION_TOKEN=emu-demo-token TERM=screen-256color $SIMTOP; echo exited \$? >$test_dir/exit-status"

tmux_wait_for "2,500 devices" && tmux_wait_for "ALIGN"
tmux_run send-keys -t smoke j Enter
tmux_wait_for "Device detail" && tmux_wait_for "Connectivity, as the network says now"
tmux_run send-keys -t smoke Escape
tmux_wait_for "ICCID"
# Something else writes over the screen (a wall message, a background job): Ctrl-L paints it
# all again.
printf '\033[HSCRIBBLED OVER THE SCREEN\033[2J' >"$(tmux_run display-message -p -t smoke '#{pane_tty}')"
tmux_wait_gone "2,500 devices"
tmux_run send-keys -t smoke C-l
tmux_wait_for "2,500 devices" && tmux_wait_for "ALIGN"
tmux_run send-keys -t smoke q
wait_file "$test_dir/exit-status"
assert_contains "$test_dir/exit-status" "exited 0"
finish
