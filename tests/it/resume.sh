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
emu_start --devices 150 --seed 31 --no-limits --latency 100
"$SIMTOP" apply offline --filter "" --yes --rate 40 >first.out 2>first.err &
apply_pid=$!
wait_results "$journal_dir" 60
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
before_dry=$(md5sum <"$journal")
"$SIMTOP" --resume "$journal" --dry-run >dry.out 2>dry.err
assert_eq "$?" 0 "exit status of --resume --dry-run"
assert_contains dry.out "Read back before resuming:"
assert_contains dry.out "Dry run: nothing was sent."
assert_eq "$(md5sum <"$journal")" "$before_dry" "the journal after the dry run"
assert_eq "$(patches)" "$killed_patches" "PATCHes sent by the refusals and the dry run"

# A journal from another API is refused, naming both.
other_url=$EMU_URL
emu_start --devices 10 --seed 32 --no-limits
EMNIFY_BASE_PATH=$EMU_URL "$SIMTOP" --resume "$journal" --yes >other.out 2>other.err
assert_eq "$?" 2 "exit status of a resume against another API"
assert_contains other.err "not resumed"
assert_contains other.err "$other_url"
assert_contains other.err "$EMU_URL"
assert_eq "$(patches)" 0 "PATCHes sent to the other API"
EMU_URL=$other_url
export EMNIFY_BASE_PATH=$EMU_URL

# A device the job has not reached yet is taken offline elsewhere meanwhile: the resume reads
# it back and sends it nothing.
token=$(curl -s -X POST -d '{"application_token":"emu-demo-token"}' "$EMU_URL/api/v1/authenticate" |
	sed -n 's/.*"auth_token": *"\([^"]*\)".*/\1/p')
set -- $(curl -s "$EMU_URL/_emu/state.csv" | awk -F, '$3 == 1 && $4 == 0 { sim = $1; endpoint = $2 } END { print sim, endpoint }')
for change in "sim/$1" "endpoint/$2"; do
	curl -s -o /dev/null -X PATCH -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		-d "{\"status\":{\"id\":$([ "${change%%/*}" = sim ] && echo 2 || echo 1)}}" "$EMU_URL/api/v1/$change"
done
killed_patches=$(patches)

# Two resumes at once: the second names the process that holds the journal and sends nothing.
"$SIMTOP" --resume "$journal" --yes --rate 200 >resume.out 2>resume.err &
resume_pid=$!
wait_until "the first resume to start" 'grep -q "Resuming the job" resume.out 2>/dev/null'
"$SIMTOP" --resume "$journal" --yes --rate 200 >second.out 2>second.err
assert_eq "$?" 2 "exit status of a second resume at once"
assert_contains second.err "in use by simtop process $resume_pid"
wait_child "$resume_pid" "the first resume"
assert_eq "$exit_status" 0 "exit status of the resume"
reached=$(sed -n 's/.* \([0-9]*\) already in \(its\|their\) target state.*/\1/p' resume.out)
[ "${reached:-0}" -ge 1 ] && pass "devices found already offline before resuming: $reached" ||
	fail "no device found already offline before resuming"
assert_eq "$(($(patches) - $(applied)))" 0 "needless changes (sent to a status already there)"
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
emu_start --devices 150 --seed 32 --no-limits --latency 100 --misaligned 0
"$SIMTOP" apply offline --filter "align:online" --yes --rate 40 >cancel.out 2>cancel.err &
apply_pid=$!
wait_results "$journal_dir" 30
kill -INT "$apply_pid"
wait_child "$apply_pid" "the job after SIGINT"
assert_eq "$exit_status" 1 "exit status of a cancelled job"
assert_contains cancel.err "cancelling"
assert_contains cancel.out "not started (cancelled); to finish the job: simtop --resume"
journal=$(ls "$journal_dir"/*.jsonl)
assert_contains "$journal" '"type":"end","cancelled":true'
assert_eq "$(in_flight "$journal")" 0 "steps left in flight by the cancel"
# Every device was online before: a half-way one would now be misaligned.
assert_eq "$(curl -s "$EMU_URL/_emu/state" | sed -n 's/.*"misaligned":\([0-9]*\).*/\1/p')" 0 "devices left half-way"
"$SIMTOP" --resume "$journal" --yes --rate 400 >cancel-resume.out 2>cancel-resume.err
assert_eq "$?" 0 "exit status of the resumed cancelled job"
pairs=$(curl -s "$EMU_URL/_emu/state")
assert_eq "$(echo "$pairs" | sed -n 's/.*"Activated\/Enabled":\([0-9]*\).*/\1/p')" 0 "devices online after resuming the cancelled job"
assert_eq "$(echo "$pairs" | sed -n 's/.*"misaligned":\([0-9]*\).*/\1/p')" 0 "devices misaligned after resuming the cancelled job"
assert_eq "$(applied)" "$(planned_steps cancel.out)" "steps applied over both runs"
assert_eq "$(patches)" "$(planned_steps cancel.out)" "PATCHes received over both runs"
finish
