#!/bin/sh
# Act, on the screen: the confirmation (counts, the charge warning, marks hidden by the filter,
# the typed count above the threshold, Cancel by default), progress, cancel, the results view
# and its re-mark, the read-back rows, read-only.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 3000 --seed 3 --no-limits --latency 20
export XDG_STATE_HOME="$test_dir/state"
# Bulk calls of 20 endpoints: the online job is cancelled after its first batch, with the
# devices of the later ones not started.
export SIMTOP_BULK_MAX=20
suspended_disabled=$(curl -s "$EMU_URL/_emu/state" | sed -n 's/.*"Suspended\/Disabled": *\([0-9]*\).*/\1/p')

run_script act --rate 100 <<STEPS
# A small plan: Cancel is the default, so Enter sends nothing.
/sim:act ep:dis<Enter>
<Space><Space>
/<Enter>
f
:save-display confirm-small.screen
<Enter>
:save-display cancelled.screen
# Hidden marks: the two marked devices are not shown under this filter.
/align:online<Enter>
<Down><Space>f
:save-display confirm-hidden.screen
<Esc>A
# Above the threshold: the count must be typed; online activates SIMs, so the warning shows.
/sim:susp ep:dis<Enter>
ao
:save-display confirm-online.screen
<Enter>
:save-display wrong-count.screen
$suspended_disabled<Enter>
:wait-progress 20
:save-display progress.screen
<Esc>
:wait-idle
:save-display results.screen
a
:save-display remarked.screen
STEPS

for screen in confirm-small cancelled confirm-hidden confirm-online wrong-count; do
	assert_screen "$screen.screen"
done
assert_contains confirm-small.screen "2 devices"
assert_contains confirm-small.screen "[ Cancel ]"
assert_contains cancelled.screen "Cancelled: nothing was sent"
assert_contains confirm-hidden.screen "2 marked devices are hidden by the filter: left out"
assert_contains confirm-online.screen "emnify charges for activated SIMs"
assert_contains confirm-online.screen "Type $suspended_disabled and press Enter"
assert_contains wrong-count.screen "Type $suspended_disabled, the number of devices"
assert_contains progress.screen "Esc cancels"
assert_contains progress.screen " done ·"
assert_contains results.screen "cancelled"
assert_contains remarked.screen "Marked the"
# Nothing was sent for the cancelled confirmations; the online job sent pairs in order.
patches=$(( $(emu_stat sim_patch) + $(emu_stat endpoint_patch) ))
[ "$patches" -gt 0 ] && pass "the job sent $patches PATCHes" || fail "the job sent no PATCH"
[ "$(emu_stat status_409)" -eq 0 ] && pass "no forbidden transition was sent" || fail "a forbidden transition was sent"
ls "$XDG_STATE_HOME"/simtop/journal/*.jsonl >/dev/null 2>&1 && pass "a journal was written" || fail "no journal"
assert_eq "$(stat -c %a "$XDG_STATE_HOME/simtop/audit.log")" 600 "audit log mode"

# Read-only: the actions say so and send nothing.
before=$(( $(emu_stat sim_patch) + $(emu_stat endpoint_patch) ))
run_script read-only --read-only <<'STEPS'
f
:save-display read-only.screen
STEPS
assert_contains read-only.screen "(read-only)"
assert_contains read-only.screen "Read-only: simtop changes nothing"
assert_eq "$(( $(emu_stat sim_patch) + $(emu_stat endpoint_patch) ))" "$before" "PATCHes sent in read-only mode"

# An apply killed with kill -9: the TUI offers to finish it at its next start, and does,
# without applying any step twice.
emu_start --devices 150 --seed 31 --no-limits --latency 100
export XDG_STATE_HOME="$test_dir/state-resume"
journal_dir="$XDG_STATE_HOME/simtop/journal"
"$SIMTOP" apply offline --filter "align:online" --yes --rate 40 >killed.out 2>killed.err &
apply_pid=$!
wait_results "$journal_dir" 40
kill -9 "$apply_pid"
wait "$apply_pid" 2>/dev/null
planned=$(planned_steps killed.out)
devices=$(sed -n 's/.* on \([0-9][0-9]*\) devices:.*/\1/p' killed.out | head -n 1)
run_script resume --rate 400 <<STEPS
:save-display resume-offer.screen
$devices<Enter>
:wait-idle
:save-display resume-done.screen
STEPS
assert_contains resume-offer.screen "Finish the interrupted job"
assert_contains resume-offer.screen "steps were already settled"
assert_contains resume-done.screen "reached their target"
assert_eq "$(applied)" "$planned" "steps applied, each once"
assert_eq "$(grep -c '"type":"end"' "$journal_dir"/*.jsonl)" 1 "the journal ends"
finish
