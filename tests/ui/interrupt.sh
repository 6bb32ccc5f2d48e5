#!/bin/sh
# Ctrl-C and SIGTERM during a job, headless: the first acts as Esc (steps in flight finish and
# are journaled, nothing new starts), a second Ctrl-C within 2 s quits; SIGTERM quits once the
# steps in flight have settled. Quitting with a job unfinished prints, after the terminal is
# restored, the unfinished count, the journal and the exact resume command, and exits 1.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 60 --seed 21 --no-limits --latency 150
journal_dir() { echo "$XDG_STATE_HOME/simtop/journal"; }
online_now() { "$SIMTOP" list --format csv --filter align:online | tail -n +2 | wc -l; }
online=$(online_now)

# journal_facts DIR: intents, results and end lines of the one journal in DIR.
intents() { grep -c '"type":"intent"' "$(journal_dir)"/*.jsonl; }
ends() { grep -c '"type":"end"' "$(journal_dir)"/*.jsonl; }

# Ctrl-C as a key, once: the job is cancelled, the TUI stays.
export XDG_STATE_HOME="$test_dir/state-key"
run_script cancel <<'STEPS'
/align:online<Enter>a
f<Tab><Enter>
:wait-progress 2
<C-c>
:save-display cancelling.screen
:wait-idle
:save-display cancelled.screen
STEPS
assert_contains cancelling.screen "Cancelling: steps in flight finish, nothing new starts"
assert_contains cancelling.screen "Ctrl-C again quits now"
assert_contains cancelled.screen "cancelled"
assert_eq "$(results_in "$(journal_dir)"/*.jsonl)" "$(intents)" "journal results (one per intent: the steps in flight finished)"
assert_eq "$(grep -c '"type":"end","cancelled":true' "$(journal_dir)"/*.jsonl)" 1 "the journal ends, cancelled"
assert_eq "$(applied)" "$(grep -c '"state":"done","http":204' "$(journal_dir)"/*.jsonl)" "steps the emulator applied"
[ "$(applied)" -lt "$online" ] && pass "the job stopped early ($(applied) steps)" || fail "the job was not cancelled"
assert_eq "$(wc -c <cancel.stderr)" 0 "bytes printed after a cancel the TUI shows"

# Ctrl-C twice: quits with the job running, and says how to finish it.
export XDG_STATE_HOME="$test_dir/state-twice"
online=$(online_now)
cat >twice.steps <<'STEPS'
/align:online<Enter>a
f<Tab><Enter>
:wait-progress 2
<C-c><C-c>
:save-display never.screen
STEPS
SIMTOP_SCRIPT="$test_dir/twice.steps" timeout 60 "$SIMTOP" >twice.stdout 2>twice.stderr
assert_eq "$?" 1 "exit status after Ctrl-C twice during a job"
journal=$(ls "$(journal_dir)"/*.jsonl)
assert_contains twice.stderr "of $online devices did not reach their end"
assert_contains twice.stderr "Journal: $journal"
assert_contains twice.stderr "To finish the job: simtop --resume '$journal'"
[ -e never.screen ] && fail "simtop took a step after the second Ctrl-C" || pass "the second Ctrl-C quit at once"
assert_eq "$(ends)" 0 "end lines in the journal left behind"

# The printed command finishes the job (at a higher rate: its pace is not the point).
command=$(sed -n 's/^To finish the job: //p' twice.stderr)
eval "\"\$SIMTOP\" ${command#simtop } --yes --rate 100" >resumed.out 2>resumed.err
assert_eq "$?" 0 "exit status of the printed resume command"
assert_eq "$(ends)" 1 "end lines after the resume"

# SIGTERM: cancels, waits for the steps in flight, then quits with the same report.
export XDG_STATE_HOME="$test_dir/state-term"
emu_start --devices 60 --seed 21 --no-limits --latency 150
online=$(online_now)
cat >term.steps <<'STEPS'
/align:online<Enter>a
f<Tab><Enter>
:wait-idle
:save-display never.screen
STEPS
# timeout(1) delivers SIGTERM twice (to its child and to its group): the second must not
# turn the graceful stop into an immediate one.
SIMTOP_SCRIPT="$test_dir/term.steps" timeout 60 "$SIMTOP" >term.stdout 2>term.stderr &
pid=$!
wait_results "$(journal_dir)" 2
kill -TERM "$pid"
wait_child "$pid" "simtop after SIGTERM during a job"
assert_eq "$exit_status" 1 "exit status after SIGTERM during a job"
journal=$(ls "$(journal_dir)"/*.jsonl)
assert_contains term.stderr "To finish the job: simtop --resume '$journal'"
assert_contains term.stderr "of $online devices did not reach their end"
assert_eq "$(results_in "$journal")" "$(grep -c '"type":"intent"' "$journal")" "journal results after SIGTERM (one per intent)"
assert_eq "$(grep -c '"type":"end","cancelled":true' "$journal")" 1 "the journal ends, cancelled"

# Without a job, SIGTERM quits cleanly (simtop waits for its next step on a FIFO).
mkfifo idle.fifo
SIMTOP_SCRIPT="$test_dir/idle.fifo" "$SIMTOP" >idle.stdout 2>idle.stderr &
pid=$!
exec 3>idle.fifo
# A screen saved: simtop is in its loop, waiting for the next step.
echo ":save-display idle.screen" >&3
wait_file idle.screen
kill -TERM "$pid"
wait_child "$pid" "simtop after SIGTERM without a job"
exec 3>&-
assert_eq "$exit_status" 0 "exit status after SIGTERM without a job"
assert_eq "$(wc -c <idle.stderr)" 0 "bytes printed after SIGTERM without a job"
finish
