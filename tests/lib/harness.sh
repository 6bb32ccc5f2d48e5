# harness.sh — shared by the shell tests: a fixed environment, an emulator per test, the
# program run from a script, and assertions. Sourced, not run.
#
# Set by the Makefile: top_srcdir, top_builddir, SIMTOP, SIMTOP_EMU, TMUX_BIN, GROFF, bindir.

set -u
# Files the tests write must be ones simtop trusts (not group-writable) whatever the umask.
umask 022
test_name=$(basename "$0" .sh)
test_dir="$top_builddir/tests/tmp/$test_name"
rm -rf "$test_dir"
mkdir -p "$test_dir"
cd "$test_dir" || exit 99

# A fixed environment: no user config, no real token, UTF-8, a known terminal.
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=xterm-256color
export HOME="$test_dir/home" XDG_CONFIG_HOME="$test_dir/home/.config" XDG_STATE_HOME="$test_dir/home/.state"
mkdir -p "$HOME"
unset EMNIFY_APPLICATION_TOKEN EMNIFY_BASE_PATH NO_COLOR SIMTOP_SCRIPT
# Run inside tmux or not, the suites start their own tmux servers.
unset TMUX TMUX_PANE
# Retries back off in milliseconds instead of seconds, so fault storms finish quickly.
export SIMTOP_BACKOFF_BASE_MS=20

failures=0
test_started_ms=$(date +%s%3N)
emu_pids=""
emu_count=0

tmux_sockets=""

cleanup() {
	for socket in $tmux_sockets; do
		"$TMUX_BIN" -S "$socket" kill-server 2>/dev/null
	done
	for pid in $emu_pids; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

pass() {
	echo "ok: $*"
}

# elapsed_ms: milliseconds since the test started (the suite's time, printed by finish).
elapsed_ms() {
	echo $(($(date +%s%3N) - test_started_ms))
}

# End the test: exit 1 when any assertion failed.
finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$test_name: $failures assertion(s) failed in $(elapsed_ms) ms"
		exit 1
	fi
	echo "$test_name: all assertions passed in $(elapsed_ms) ms"
	exit 0
}

# emu_start [simtop-emu options...]: start an emulator on an ephemeral loopback port; sets
# EMU_PORT and EMU_URL and exports the token and URL the way an operator would.
emu_start() {
	emu_count=$((emu_count + 1))
	emu_out="$test_dir/emu.$emu_count.out"
	"$SIMTOP_EMU" --port 0 "$@" >"$emu_out" 2>"$test_dir/emu.err" &
	emu_pids="$emu_pids $!"
	tries=0
	EMU_PORT=""
	while [ -z "$EMU_PORT" ]; do
		EMU_PORT=$(head -n 1 "$emu_out" 2>/dev/null)
		tries=$((tries + 1))
		if [ "$tries" -gt 200 ]; then
			echo "simtop-emu did not print its port:"; cat "$test_dir/emu.err"
			exit 99
		fi
		[ -n "$EMU_PORT" ] || sleep 0.05
	done
	EMU_URL="http://127.0.0.1:$EMU_PORT"
	export EMNIFY_BASE_PATH="$EMU_URL" EMNIFY_APPLICATION_TOKEN=emu-demo-token
}

# emu_stat NAME: one counter of /_emu/stats.
emu_stat() {
	curl -s "$EMU_URL/_emu/stats" | tr ',{}' '\n\n\n' | sed -n "s/^ *\"$1\" *: *\([0-9]*\).*/\1/p"
}

# emu_post PATH: a control route.
emu_post() {
	curl -s -X POST "$EMU_URL$1" >/dev/null
}

# emu_token: a fresh auth token from the running emulator, for emu_call's $TOKEN.
emu_token() {
	curl -s -d '{"application_token":"emu-demo-token"}' "$EMU_URL/api/v1/authenticate" |
		sed -n 's/.*"auth_token":"\([^"]*\)".*/\1/p'
}

# emu_call METHOD PATH [BODY]: an API call to the emulator with $TOKEN; prints the HTTP status,
# leaves the body in api.body and the headers in api.headers.
emu_call() {
	curl -s -o api.body -D api.headers -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN" \
		${3:+-d "$3"} "$EMU_URL$2"
}

# emu_header NAME: the value of a response header of the last emu_call (case-blind name).
emu_header() {
	tr -d '\r' <api.headers | sed -n "s/^$1: *//Ip"
}

# run_script NAME: run simtop headless with the steps on stdin; screens land in $test_dir.
run_script() {
	script_name=$1
	shift
	cat >"$test_dir/$script_name.steps"
	SIMTOP_SCRIPT="$test_dir/$script_name.steps" timeout 120 "$SIMTOP" "$@" \
		>"$test_dir/$script_name.stdout" 2>"$test_dir/$script_name.stderr"
	status=$?
	if [ "$status" -ne 0 ]; then
		fail "$script_name: simtop exited with $status"
		cat "$test_dir/$script_name.stderr"
	fi
}

# assert_screen FILE: compare a saved screen with tests/ui/expected/FILE.
# With SIMTOP_UPDATE_SCREENS=1 the expected file is written instead.
assert_screen() {
	expected="$top_srcdir/tests/ui/expected/$1"
	if [ "${SIMTOP_UPDATE_SCREENS:-}" = 1 ]; then
		cp "$test_dir/$1" "$expected"
		pass "$1 updated"
		return
	fi
	if diff -u "$expected" "$test_dir/$1" >"$test_dir/$1.diff"; then
		pass "$1"
	else
		fail "$1 differs from the expected screen:"
		cat "$test_dir/$1.diff"
	fi
}

# assert_contains FILE TEXT: FILE holds the fixed string TEXT.
assert_contains() {
	if grep -qF -- "$2" "$1"; then
		pass "$1 contains '$2'"
	else
		fail "$1 does not contain '$2'"
		sed 's/^/    /' "$1" | head -40
	fi
}

assert_not_contains() {
	if grep -qF -- "$2" "$1"; then
		fail "$1 contains '$2'"
	else
		pass "$1 does not contain '$2'"
	fi
}

# assert_eq ACTUAL EXPECTED WHAT
assert_eq() {
	if [ "$1" = "$2" ]; then
		pass "$3 = $2"
	else
		fail "$3: expected '$2', got '$1'"
	fi
}

# patches: status changes the emulator received so far, single PATCHes and the items of bulk
# endpoint calls alike; applied: those that changed a status.
patches() {
	echo $(($(emu_stat sim_patch) + $(emu_stat endpoint_patch) + $(emu_stat endpoint_multi_items)))
}
applied() {
	echo $(($(emu_stat sim_patch_applied) + $(emu_stat endpoint_patch_applied) + $(emu_stat endpoint_multi_applied)))
}

# results_in FILES...: the result lines of journals so far.
results_in() {
	cat "$@" 2>/dev/null | grep -c '"type":"result"'
}
# wait_results DIR COUNT: until the journals in DIR hold COUNT results, for 30 s at most
# (a job running in the background; the glob is read anew each time).
wait_results() {
	tries=0
	until [ "$(results_in "$1"/*.jsonl)" -ge "$2" ]; do
		tries=$((tries + 1))
		if [ "$tries" -gt 600 ]; then
			fail "the journals in $1 never held $2 results"
			return 1
		fi
		sleep 0.05
	done
}

# planned_steps FILE: the sum of the transition counts of a plan printed by simtop apply.
planned_steps() {
	sed -n 's/^  \([0-9][0-9,]*\) \(SIM\|SIMs\|endpoint\|endpoints\) .* → .*/\1/p' "$1" | tr -d , |
		awk '{ n += $1 } END { print n + 0 }'
}

# complete_simtop FILE WORD...: what the bash completion in FILE offers for the last WORD (the
# one the cursor is on; the first is simtop), one a line, sorted; called as bash calls it, with
# COMP_WORDS and COMP_CWORD, without bash-completion.
complete_simtop() {
	bash -c '. "$1" && shift && COMP_WORDS=("$@") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _simtop
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' bash "$@" | LC_ALL=C sort
}

# --- a real terminal ------------------------------------------------------------------------
# tmux_session NAME COMMAND: run the shell command line COMMAND in a 100x30 pane of a new tmux
# server of this test's own, in a session NAME; tmux_run and the tmux_wait_* calls then talk
# to that server. Every server is killed when the test ends.
tmux_run() {
	"$TMUX_BIN" -S "$tmux_socket" "$@"
}
tmux_session() {
	tmux_session_name=$1
	tmux_socket="$test_dir/tmux.$(echo "$tmux_sockets" | wc -w).socket"
	tmux_sockets="$tmux_sockets $tmux_socket"
	tmux_run -f /dev/null new-session -d -s "$1" -x 100 -y 30 "$2"
}

# tmux_wait_for TEXT: poll the pane until it shows TEXT (30 s at most); the last capture is in
# $test_dir/pane. Lines the terminal wrapped are joined (-J), so a long path (the build
# directory's) is found whole whatever its length.
tmux_wait_for() {
	tries=0
	while ! tmux_run capture-pane -p -J -t "$tmux_session_name" >"$test_dir/pane" 2>/dev/null ||
		! grep -qF -- "$1" "$test_dir/pane"; do
		tries=$((tries + 1))
		if [ "$tries" -gt 300 ]; then
			fail "the terminal never showed '$1'"
			cat "$test_dir/pane"
			return 1
		fi
		sleep 0.1
	done
	pass "the terminal shows '$1'"
}

# tmux_wait_gone TEXT: poll the pane until it no longer shows TEXT (30 s at most).
tmux_wait_gone() {
	tries=0
	while ! tmux_run capture-pane -p -J -t "$tmux_session_name" >"$test_dir/pane" 2>/dev/null ||
		grep -qF -- "$1" "$test_dir/pane"; do
		tries=$((tries + 1))
		if [ "$tries" -gt 300 ]; then
			fail "the terminal still shows '$1'"
			return 1
		fi
		sleep 0.1
	done
}

# wait_until WHAT CONDITION: until the shell command CONDITION succeeds, polled every 50 ms for
# 30 s at most; a timeout fails the test, naming WHAT. Returns CONDITION's last status.
wait_until() {
	tries=0
	until eval "$2"; do
		tries=$((tries + 1))
		if [ "$tries" -gt 600 ]; then
			fail "waited 30 s for $1, in vain"
			return 1
		fi
		sleep 0.05
	done
}

# wait_file FILE: until FILE exists and is not empty (30 s at most; a timeout fails).
wait_file() {
	waited_file=$1
	wait_until "$1 to be written" '[ -s "$waited_file" ]'
}

# wait_stat NAME COUNT: until the emulator's counter NAME reaches COUNT (30 s at most; a
# timeout fails).
wait_stat() {
	waited_stat=$1 waited_count=$2
	wait_until "the emulator's $1 to reach $2" '[ "$(emu_stat "$waited_stat")" -ge "$waited_count" ]'
}

# wait_child PID WHAT: until the process PID (a child of the test's) has ended, for 30 s at most;
# a timeout fails naming WHAT and kills it. Sets exit_status to the process's status.
wait_child() {
	waited_pid=$1
	if wait_until "$2 to end" '! kill -0 "$waited_pid" 2>/dev/null'; then
		wait "$1"
		exit_status=$?
	else
		kill -9 "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		exit_status=timeout
	fi
}
