#!/bin/sh
# Secrets stay in the process: a running simtop has a core file size limit of 0, and is not
# dumpable, so other processes of its user cannot read its memory (/proc/PID/mem, ptrace) or
# its environment. The TUI is held open by a script it reads from a FIFO.
. "$top_srcdir/tests/lib/harness.sh"

export EMNIFY_APPLICATION_TOKEN=secret-token-of-the-test EMNIFY_BASE_PATH=http://127.0.0.1:9
mkfifo steps.fifo
chmod 666 steps.fifo
# As root, the check that the process is not dumpable needs simtop to run as another user: a
# non-dumpable process's /proc files belong to root instead of to its user.
as_user=""
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
chmod 755 "$test_dir"
SIMTOP_SCRIPT="$test_dir/steps.fifo" $as_user "$SIMTOP" >tui.stdout 2>tui.stderr &
pid=$!
# Opening the FIFO waits until simtop opens it, which it does after its start-up.
exec 3>steps.fifo

limits=$(grep '^Max core file size' "/proc/$pid/limits")
echo "$limits"
case $limits in
"Max core file size"*" 0 "*" 0 "*) pass "core file size limit 0 (soft and hard)" ;;
*) fail "core file size limit: $limits" ;;
esac
if [ -n "$as_user" ]; then
	assert_eq "$(stat -c %u "/proc/$pid/environ")" 0 "owner of /proc/PID/environ of simtop running as uid 65534"
	if setpriv --reuid=65534 --regid=65534 --clear-groups cat "/proc/$pid/environ" >environ.read 2>/dev/null; then
		fail "its own user could read the environment of simtop"
	else
		pass "its own user cannot read the environment of simtop"
	fi
elif [ "$(id -u)" -ne 0 ]; then
	if cat "/proc/$pid/environ" >environ.read 2>/dev/null; then
		fail "the environment of simtop is readable"
	else
		pass "the environment of simtop is not readable by its user"
	fi
fi

printf ':quit\n' >&3
exec 3>&-
tries=0
while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 100 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
if kill -0 "$pid" 2>/dev/null; then
	kill "$pid"
	fail "simtop did not quit"
fi
wait "$pid"
assert_eq "$?" 0 "exit status"

# simtop list turns core files off too: looked at while it waits for a slow emulator.
emu_start --devices 10 --no-limits --latency 1500
"$SIMTOP" list --format json >/dev/null 2>list.stderr &
pid=$!
limits=""
tries=0
while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 100 ]; do
	limits=$(grep '^Max core file size' "/proc/$pid/limits" 2>/dev/null)
	case $limits in *" 0 "*" 0 "*) break ;; esac
	sleep 0.02
	tries=$((tries + 1))
done
case $limits in
"Max core file size"*" 0 "*" 0 "*) pass "simtop list: core file size limit 0" ;;
*) fail "simtop list: core file size limit: $limits" ;;
esac
wait "$pid"
assert_eq "$?" 0 "exit status of simtop list"
finish
