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
assert_contains progress.screen " left · "
assert_contains progress.screen " requests/s"
# The rows of the devices whose endpoints the job enabled show it before the job ends: every
# marked row was Disabled when it started.
assert_contains progress.screen "Suspended    Enabled"
assert_contains results.screen "cancelled"
assert_contains remarked.screen "Marked the"
# Nothing was sent for the cancelled confirmations; the online job sent pairs in order.
patches=$(( $(emu_stat sim_patch) + $(emu_stat endpoint_patch) ))
[ "$patches" -gt 0 ] && pass "the job sent $patches PATCHes" || fail "the job sent no PATCH"
[ "$(emu_stat status_409)" -eq 0 ] && pass "no forbidden transition was sent" || fail "a forbidden transition was sent"
ls "$XDG_STATE_HOME"/simtop/journal/*.jsonl >/dev/null 2>&1 && pass "a journal was written" || fail "no journal"
assert_eq "$(stat -c %a "$XDG_STATE_HOME/simtop/audit.log")" 600 "audit log mode"

# Confirmations name up to 5 devices, by name and ICCID, with what the plan does to each, and
# every count agrees with its noun: the cursor's device alone, then three marked ones.
emu_start --devices 3000 --seed 3 --no-limits
run_script names --rate 100 <<'STEPS'
:resize 80x24
f
:save-display confirm-one.screen
<Esc>
<Space><Space><Space>f
:save-display confirm-three.screen
STEPS
for screen in confirm-one confirm-three; do
	assert_screen "$screen.screen"
done
assert_contains confirm-one.screen "Switch 1 device: SIM Suspended and endpoint Disabled"
assert_contains confirm-one.screen ", ICCID 89883"
assert_contains confirm-one.screen "SIM Activated → Suspended, then endpoint Enabled → Disabled"
assert_contains confirm-one.screen "(1 SIM change, 1 bulk call, 1 read-back)"
assert_contains confirm-one.screen "Apply to 1 device "
assert_not_contains confirm-one.screen "1 devices"
assert_contains confirm-three.screen "Switch 3 devices:"
assert_eq "$(grep -c ', ICCID 89883' confirm-three.screen)" 3 "devices named in confirm-three.screen"
assert_contains confirm-three.screen "(3 SIM changes, 1 bulk call, 3 read-backs)"
assert_contains confirm-three.screen "Apply to 3 devices "
# A plan taller than 80x24 scrolls, its question in sight at the bottom: every device online
# (a fleet whose data holds shared SIMs has a notice line, and a reason more to skip).
emu_start --devices 3000 --seed 3 --no-limits --odd-data shared-sim
run_script long-plan --rate 100 <<'STEPS'
:resize 80x24
a
o
:save-display confirm-long.screen
<PgDn>
:save-display confirm-long-end.screen
<Down><PgUp>
:save-display confirm-long-top.screen
<Down>
:save-display confirm-long-line.screen
<Up><Up>
:save-display confirm-long-up.screen
p
:save-display plan-long.screen
STEPS
for screen in confirm-long confirm-long-end confirm-long-line; do
	assert_screen "$screen.screen"
done
assert_contains confirm-long.screen " Confirm · lines 1–18 of 20 · Up, Down, PgUp, PgDn scroll"
assert_not_contains confirm-long.screen "p shows the plan device by device."
assert_contains confirm-long-end.screen " Confirm · lines 3–20 of 20 "
assert_contains confirm-long-end.screen "p shows the plan device by device."
assert_not_contains confirm-long-end.screen "Switch 3,000 devices"
assert_contains confirm-long-top.screen " Confirm · lines 1–18 of 20 "
assert_contains confirm-long-line.screen " Confirm · lines 2–19 of 20 "
assert_contains confirm-long-up.screen " Confirm · lines 1–18 of 20 "
for screen in confirm-long confirm-long-end confirm-long-line; do
	assert_eq "$(sed -n 22p $screen.screen | grep -c 'Type [0-9,]* and press Enter')" 1 "the question on row 22 of $screen.screen"
	assert_eq "$(wc -l <$screen.screen)" 24 "rows of $screen.screen"
	assert_eq "$(($(wc -L <$screen.screen) <= 80))" 1 "$screen.screen fits in 80 columns"
done
assert_contains plan-long.screen " The plan, device by device"
assert_contains plan-long.screen ", ICCID 89883"

# Results name the devices, say what happened in words and with the statuses they were left
# in: the API refuses every bulk endpoint change (no permission), so each SIM is suspended
# and its endpoint is not: half-done.
emu_start --devices 3000 --seed 3 --no-limits --forbid multi,endpoint-patch
run_script results-named --rate 100 <<'STEPS'
f<Tab><Enter>
:wait-idle
:save-display results-one.screen
a
:save-display remarked-one.screen
A<Down><Space><Space><Space>f<Tab><Enter>
:wait-idle
:save-display results-three.screen
STEPS
for screen in results-one results-three; do
	assert_screen "$screen.screen"
done
assert_contains results-one.screen " Job results: a marks this device for a retry"
assert_contains results-one.screen "offline on 1 device: 1 half-done"
assert_contains results-one.screen ", ICCID 89883"
assert_contains results-one.screen " · half-done: SIM changed, endpoint not"
assert_contains results-one.screen "now SIM Suspended, endpoint Enabled"
assert_contains remarked-one.screen "Marked the device that did not reach its target"
assert_contains results-three.screen " Job results: a marks these 3 devices for a retry"
assert_contains results-three.screen "offline on 3 devices: 3 half-done"
assert_eq "$(grep -c ', ICCID 89883.* · half-done: ' results-three.screen)" 3 "devices named in results-three.screen"

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
