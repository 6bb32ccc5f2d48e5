#!/bin/sh
# simtop --demo starts its emulator with an environment that holds no EMNIFY_* variable, no
# token and no proxy: another process of the machine can read /proc/PID/environ of the emulator.
. "$top_srcdir/tests/lib/harness.sh"

if [ -z "$TMUX_BIN" ]; then
	echo "tmux is not installed"; exit 77
fi
secret="real-application-token-0123456789"
secret_environment="EMNIFY_APPLICATION_TOKEN=$secret EMNIFY_BASE_PATH=http://127.0.0.1:9 \
	http_proxy=http://127.0.0.1:9 all_proxy=http://127.0.0.1:9"

# The operator's real settings are in the environment when the demo starts.
tmux_session demo \
	"env $secret_environment TERM=screen-256color $SIMTOP --demo=40; echo exited \$? >$test_dir/exit-status"
tmux_wait_for "40 devices" || finish

# The demo's emulator is the child of this test's simtop (other tests may run emulators of 40
# devices at the same time).
emu_pid=""
for pid in $(pgrep -f -- "simtop-emu --port 0 --devices 40"); do
	parent=$(ps -o ppid= -p "$pid" | tr -d ' ')
	tr '\0' ' ' <"/proc/$parent/cmdline" 2>/dev/null | grep -q -- "--demo=40" && emu_pid=$pid
done
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
wait_file "$test_dir/exit-status"
assert_contains "$test_dir/exit-status" "exited 0"
[ -n "$emu_pid" ] && wait_until "the demo emulator to end with simtop" '[ ! -d "/proc/$emu_pid" ]' &&
	pass "the demo emulator ended with simtop"
finish
