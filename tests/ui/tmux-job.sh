#!/bin/sh
# A job in a real terminal: the rows show each device's new status while the job runs; Ctrl-C
# reaches simtop as SIGINT and cancels the job (the screen says so, the steps in flight finish); q q quits with a job running and, once the terminal
# is restored, prints the unfinished count, the journal and the resume command; Ctrl-C twice
# quits the same way.
. "$top_srcdir/tests/lib/harness.sh"

if [ -z "$TMUX_BIN" ]; then
	echo "tmux is not installed"; exit 77
fi
emu_start --devices 90 --seed 23 --no-limits --latency 200
export XDG_STATE_HOME="$test_dir/state"
journal_dir="$XDG_STATE_HOME/simtop/journal"
# start_simtop N: simtop in a new tmux server and session; its exit status lands in exit-status.N. The
# shell traps SIGINT so that it outlives a Ctrl-C meant for simtop, and stays to show the
# pane after simtop exits.
start_simtop() {
	rm -f "$test_dir/exit-status.$1"
	tmux_session job \
		"trap : INT; env EMNIFY_BASE_PATH=$EMU_URL EMNIFY_APPLICATION_TOKEN=emu-demo-token XDG_STATE_HOME=$XDG_STATE_HOME TERM=screen-256color $SIMTOP; echo exited \$? >$test_dir/exit-status.$1; sleep 60"
	tmux_wait_for "ALIGN" && tmux_wait_gone "loading"
}
# start_job: mark the online devices and switch them offline.
start_job() {
	tmux_run send-keys -t job / a l i g n : o n l i n e Enter
	tmux_run send-keys -t job a f
	tmux_wait_for "[ Cancel ]"
	tmux_run send-keys -t job Tab Enter
	tmux_wait_for " done ·"
}
wait_exit() {
	wait_file "$test_dir/exit-status.$1"
	assert_contains "$test_dir/exit-status.$1" "exited $2"
}

# While the job runs, a row shows its device's new status as soon as its change is answered
# (every row the filter showed was online when the job started), with the progress beside it.
start_simtop 1
start_job
tmux_wait_for "Suspended"
assert_contains "$test_dir/pane" " left · "
assert_contains "$test_dir/pane" " requests/s · ETA "
assert_contains "$test_dir/pane" "Esc cancels"

# Ctrl-C cancels; the steps in flight finish, every intent gets its result.
tmux_run send-keys -t job C-c
tmux_wait_for "Cancelling: steps in flight finish, nothing new starts"
tmux_wait_for "cancelled"
journal=$(ls "$journal_dir"/*.jsonl)
assert_eq "$(results_in "$journal")" "$(grep -c '"type":"intent"' "$journal")" "results in the journal (one per intent)"
assert_eq "$(grep -c '"type":"end","cancelled":true' "$journal")" 1 "the journal ends, cancelled"
assert_eq "$(applied)" "$(grep -c '"state":"done","http":204' "$journal")" "steps the emulator applied"

# q q with a job running: the terminal comes back, then the report.
tmux_run send-keys -t job Escape
start_job
tmux_run send-keys -t job q
tmux_wait_for "q again quits now"
tmux_run send-keys -t job q
tmux_wait_for "To finish the job: simtop --resume '"
wait_exit 1 1
tmux_run capture-pane -p -J -t job >q-q.pane
assert_not_contains q-q.pane "ALIGN"
assert_contains q-q.pane "simtop: the job is unfinished: "
second=$(ls -t "$journal_dir"/*.jsonl | head -n 1)
assert_contains q-q.pane "Journal: $second"
assert_eq "$(grep -c '"type":"end"' "$second")" 0 "end lines in the journal q q left"

# Ctrl-C twice, as signals from the terminal: the second, within 2 s, quits at once with the
# same report. (A fresh state directory: the journal q q left would be offered for a resume.)
export XDG_STATE_HOME="$test_dir/state-twice"
start_simtop 2
start_job
tmux_run send-keys -t job C-c
tmux_wait_for "Ctrl-C again quits now"
tmux_run send-keys -t job C-c
tmux_wait_for "To finish the job: simtop --resume '"
wait_exit 2 1
tmux_run capture-pane -p -J -t job >twice.pane
assert_not_contains twice.pane "ALIGN"

# A lost terminal (SIGHUP) lets the job go on unattended; a SIGTERM after it (as a logout sends)
# cancels the job, and the report goes to standard error, here a file.
export XDG_STATE_HOME="$test_dir/state-hangup"
tmux_session job \
	"exec env EMNIFY_BASE_PATH=$EMU_URL EMNIFY_APPLICATION_TOKEN=emu-demo-token XDG_STATE_HOME=$XDG_STATE_HOME TERM=screen-256color $SIMTOP 2>$test_dir/hangup.stderr"
pid=$(tmux_run display-message -p -t job '#{pane_pid}')
tmux_wait_for "ALIGN" && tmux_wait_gone "loading"
start_job
tmux_run kill-server
# The job goes on: results reach the journal after the hang-up, and simtop still runs.
at_hangup=$(results_in "$XDG_STATE_HOME"/simtop/journal/*.jsonl)
wait_results "$XDG_STATE_HOME/simtop/journal" $((at_hangup + 2)) &&
	kill -0 "$pid" 2>/dev/null && pass "the job goes on after the hang-up" || fail "simtop ended at the hang-up"
kill -TERM "$pid"
# Not a child of the test's (tmux started it): polled.
wait_until "simtop to end after SIGTERM" '! kill -0 "$pid" 2>/dev/null' && pass "SIGTERM ended the unattended job"
journal=$(ls "$XDG_STATE_HOME"/simtop/journal/*.jsonl)
assert_contains hangup.stderr "To finish the job: simtop --resume '$journal'"
assert_eq "$(grep -c '"type":"end","cancelled":true' "$journal")" 1 "the unattended job's journal ends, cancelled"
finish
