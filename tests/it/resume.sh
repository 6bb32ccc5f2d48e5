#!/bin/sh
# A job killed with kill -9 in the middle is finished by `simtop --resume JOURNAL` without
# applying any step twice; a job cancelled with Ctrl-C leaves no device half-way and is
# finished the same way.
#
# Covers: --resume refusing a file that is not a journal, refusing without a terminal and
# without --yes, --dry-run; steps whose intent was written but whose answer never came are
# settled by reading back (not sent again when they were applied): the emulator received at
# most planned + in-flight PATCHes and applied exactly the planned steps; SIGINT cancels
# (in-flight devices finish their pair), exit 1, and the rest is resumed.
. "$top_srcdir/tests/lib/harness.sh"

# steps whose last journal line is an intent: sent (or about to be) when the job died
in_flight() {
	sed -n 's/.*"type":"\(intent\|result\)","device":\([0-9]*\),"step":\([01]\).*/\2.\3 \1/p' "$1" |
		awk '{ last[$1] = $2 } END { for (s in last) if (last[s] == "intent") n++; print n + 0 }'
}
# offline_misses: paired or single devices not offline (SIMs that cannot be suspended aside).
offline_misses() {
	curl -s "$EMU_URL/_emu/state.csv" |
		awk -F, 'NR > 1 && (($2 != "" && $4 != 1) || ($1 != "" && $3 == 1)) { n++ } END { print n + 0 }'
}
journal_dir="$XDG_STATE_HOME/simtop/journal"

# --- kill -9 in the middle ----------------------------------------------------------------------
emu_start --devices 300 --seed 31 --no-limits --latency 100
"$SIMTOP" apply offline --filter "" --yes --rate 40 >first.out 2>first.err &
apply_pid=$!
wait_results "$journal_dir" 120
kill -9 "$apply_pid"
wait "$apply_pid" 2>/dev/null
journal=$(ls "$journal_dir"/*.jsonl)
planned=$(planned_steps first.out)
flying=$(in_flight "$journal")
killed_patches=$(patches)
[ "$(results_in "$journal")" -lt "$planned" ] && pass "killed after $(results_in "$journal") of $planned steps, $flying in flight" ||
	fail "the job finished before it was killed"
assert_not_contains "$journal" '"type":"end"'

echo "not a journal" >junk.jsonl
"$SIMTOP" --resume junk.jsonl --yes >junk.out 2>junk.err
assert_eq "$?" 2 "exit status for a file that is not a journal"
assert_contains junk.err "is not a simtop journal"
"$SIMTOP" --resume "$journal" </dev/null >notty.out 2>notty.err
assert_eq "$?" 2 "exit status of --resume without a terminal and without --yes"
"$SIMTOP" --resume "$journal" --dry-run >dry.out 2>dry.err
assert_eq "$?" 0 "exit status of --resume --dry-run"
assert_contains dry.out "read back first): $flying;"
assert_eq "$(patches)" "$killed_patches" "PATCHes sent by the refusals and the dry run"

"$SIMTOP" --resume "$journal" --yes --rate 200 >resume.out 2>resume.err
assert_eq "$?" 0 "exit status of the resume"
assert_contains resume.out "Resuming the job of $journal"
assert_contains resume.out " 0 failed, 0 half-done, 0 cancelled"
assert_eq "$(offline_misses)" 0 "devices not offline after the resume"
assert_eq "$(applied)" "$planned" "steps applied (no step twice, none lost)"
received=$(patches)
[ "$received" -le $((planned + flying)) ] && pass "PATCHes received: $received <= $planned planned + $flying in flight" ||
	fail "PATCHes received: $received > $planned planned + $flying in flight"
assert_contains "$journal" '"type":"end","cancelled":false'
assert_eq "$(emu_stat status_409)" 0 "forbidden transitions sent"

# --- Ctrl-C: in-flight devices finish their pair, nothing new starts -----------------------
rm -f "$journal_dir"/*.jsonl
emu_start --devices 300 --seed 32 --no-limits --latency 100 --misaligned 0
"$SIMTOP" apply offline --filter "align:online" --yes --rate 40 >cancel.out 2>cancel.err &
apply_pid=$!
wait_results "$journal_dir" 60
kill -INT "$apply_pid"
wait "$apply_pid"
assert_eq "$?" 1 "exit status of a cancelled job"
assert_contains cancel.err "cancelling"
assert_contains cancel.out "not started (cancelled); to finish the job: simtop --resume"
journal=$(ls "$journal_dir"/*.jsonl)
assert_contains "$journal" '"type":"end","cancelled":true'
assert_eq "$(in_flight "$journal")" 0 "steps left in flight by the cancel"
# Every device was online before: a half-way one would now be misaligned.
assert_eq "$(curl -s "$EMU_URL/_emu/state" | sed -n 's/.*"misaligned":\([0-9]*\).*/\1/p')" 0 "devices left half-way"
"$SIMTOP" --resume "$journal" --yes --rate 200 >cancel-resume.out 2>cancel-resume.err
assert_eq "$?" 0 "exit status of the resumed cancelled job"
pairs=$(curl -s "$EMU_URL/_emu/state")
assert_eq "$(echo "$pairs" | sed -n 's/.*"Activated\/Enabled":\([0-9]*\).*/\1/p')" 0 "devices online after resuming the cancelled job"
assert_eq "$(echo "$pairs" | sed -n 's/.*"misaligned":\([0-9]*\).*/\1/p')" 0 "devices misaligned after resuming the cancelled job"
assert_eq "$(applied)" "$(planned_steps cancel.out)" "steps applied over both runs"
assert_eq "$(patches)" "$(planned_steps cancel.out)" "PATCHes received over both runs"
finish
