#!/bin/sh
# simtop --demo starts its emulator with an environment that holds no EMNIFY_* variable, no
# token and no proxy: another process of the machine can read /proc/PID/environ of the emulator.
. "$top_srcdir/tests/lib/harness.sh"

if [ -z "$TMUX_BIN" ]; then
	echo "tmux is not installed"; exit 77
fi
secret="real-application-token-0123456789"
socket="$test_dir/tmux.socket"
tmux_run() { "$TMUX_BIN" -S "$socket" "$@"; }
trap 'tmux_run kill-server 2>/dev/null; cleanup' EXIT

# The operator's real settings are in the environment when the demo starts.
tmux_run -f /dev/null new-session -d -s demo -x 100 -y 30 \
	"env EMNIFY_APPLICATION_TOKEN=$secret EMNIFY_BASE_PATH=http://127.0.0.1:9 \
	http_proxy=http://127.0.0.1:9 all_proxy=http://127.0.0.1:9 TERM=screen-256color \
	$SIMTOP --demo=40; echo exited \$? >$test_dir/exit-status"

tries=0
until tmux_run capture-pane -p -t demo 2>/dev/null | grep -qF "40 devices"; do
	tries=$((tries + 1))
	if [ "$tries" -gt 200 ]; then
		fail "the demo never showed its 40 devices"
		tmux_run capture-pane -p -t demo
		finish
	fi
	sleep 0.1
done
pass "the demo shows its fleet"

simtop_pid=$(tmux_run list-panes -t demo -F '#{pane_pid}')
emu_pid=$(pgrep -f -- "simtop-emu --port 0 --devices 40" | head -n 1)
if [ -z "$emu_pid" ]; then
	fail "no demo emulator is running"
else
	tr '\0' '\n' <"/proc/$emu_pid/environ" >emu.environ
	tr '\0' '\n' <"/proc/$emu_pid/cmdline" >emu.cmdline
	assert_not_contains emu.environ "EMNIFY_"
	assert_not_contains emu.environ "$secret"
	assert_not_contains emu.environ "proxy"
	assert_not_contains emu.cmdline "$secret"
	assert_contains emu.environ "PATH="
fi

tmux_run send-keys -t demo q
tries=0
while [ ! -s "$test_dir/exit-status" ] && [ "$tries" -lt 100 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
assert_contains "$test_dir/exit-status" "exited 0"
[ -n "$emu_pid" ] && sleep 0.2 && [ -d "/proc/$emu_pid" ] && fail "the demo emulator outlived simtop"
: "$simtop_pid"
finish
