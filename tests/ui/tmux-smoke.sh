#!/bin/sh
# One real terminal: simtop in tmux loads the fleet, moves, opens the detail, quits.
. "$top_srcdir/tests/lib/harness.sh"

if [ -z "$TMUX_BIN" ]; then
	echo "tmux is not installed"; exit 77
fi
emu_start --devices 2500 --seed 11 --no-limits
socket="$test_dir/tmux.socket"
tmux_run() { "$TMUX_BIN" -S "$socket" "$@"; }

tmux_run -f /dev/null new-session -d -s smoke -x 100 -y 30 \
	"env EMNIFY_BASE_PATH=$EMU_URL EMNIFY_APPLICATION_TOKEN=emu-demo-token TERM=screen-256color $SIMTOP; echo exited \$? >$test_dir/exit-status"

# wait_for TEXT: poll the pane until it shows TEXT (at most 20 s).
wait_for() {
	tries=0
	while ! tmux_run capture-pane -p -t smoke >"$test_dir/pane" 2>/dev/null || ! grep -qF -- "$1" "$test_dir/pane"; do
		tries=$((tries + 1))
		if [ "$tries" -gt 200 ]; then
			fail "the terminal never showed '$1'"
			cat "$test_dir/pane"
			return 1
		fi
		sleep 0.1
	done
	pass "the terminal shows '$1'"
}

wait_for "2,500 devices" && wait_for "ALIGN"
tmux_run send-keys -t smoke j Enter
wait_for "Device detail" && wait_for "as the API returns it now"
tmux_run send-keys -t smoke Escape
wait_for "ICCID"
tmux_run send-keys -t smoke q
tries=0
while [ ! -s "$test_dir/exit-status" ] && [ "$tries" -lt 100 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
assert_contains "$test_dir/exit-status" "exited 0"
tmux_run kill-server 2>/dev/null
finish
