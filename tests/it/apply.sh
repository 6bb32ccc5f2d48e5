#!/bin/sh
# simtop apply against the emulator: the plan, the refusals that send nothing, an offline job
# whose true state and PATCH counts are checked, an online job's order in the journal and the
# audit log, and the exit status 1 when devices are changed elsewhere or fail.
#
# Covers: --dry-run, --read-only, no terminal without --yes, a bad --from CSV, nothing
# selected (all exit 2, no PATCH); exactly one PATCH per planned step and none for a step
# already in its target state, no forbidden transition sent (no 409); --from with an unknown
# id; online sends endpoint then SIM; journal and audit log mode 0600, one audit line per
# step with the user; on a terminal (script(1)): the question, a device changed on the server
# between load and apply reported as "changed elsewhere", and 100% faults reported per device.
. "$top_srcdir/tests/lib/harness.sh"

mode_of() {
	stat -c %a "$1"
}

emu_start --devices 1000 --seed 12 --misaligned 15 --no-limits
query='!align:offline'

# --- nothing is sent --------------------------------------------------------------------------
"$SIMTOP" apply offline --filter "$query" --dry-run >dry.out 2>dry.err
assert_eq "$?" 0 "dry run exit status"
assert_contains dry.out "Dry run: nothing was sent."
assert_contains dry.out "SIMs Activated → Suspended"
assert_contains dry.out "skipped: SIM Issued cannot be suspended"
assert_contains dry.out "at 10.0/s, at most 1,900 per 5 min"
assert_eq "$(patches)" 0 "PATCHes after --dry-run"
# Every count agrees with its noun: one device, one SIM change, one read-back.
"$SIMTOP" list --filter "align:online" --format csv 2>/dev/null | head -n 2 >one.csv
"$SIMTOP" apply offline --from one.csv --dry-run >dry-one.out 2>dry-one.err
assert_contains dry-one.out "offline (SIM Suspended and endpoint Disabled) on 1 device:"
assert_contains dry-one.out "  1 SIM Activated → Suspended"
assert_contains dry-one.out "  1 endpoint Enabled → Disabled"
assert_contains dry-one.out "3 requests (1 SIM change, 1 bulk call, 1 read-back): "
assert_not_contains dry-one.out "1 devices"

"$SIMTOP" apply offline --filter "$query" --yes --read-only >ro.out 2>ro.err
assert_eq "$?" 2 "--read-only exit status"
assert_contains ro.err "read-only"
"$SIMTOP" apply offline --filter "$query" </dev/null >notty.out 2>notty.err
assert_eq "$?" 2 "exit status without a terminal and without --yes"
assert_contains notty.err "add --yes"
printf 'endpoint_id\r\n11000001\r\n12x\r\n' >bad.csv
"$SIMTOP" apply offline --from bad.csv --yes >bad.out 2>bad.err
assert_eq "$?" 2 "exit status for a malformed CSV"
assert_contains bad.err "bad.csv:3:"
"$SIMTOP" apply offline --filter "name:no-such-device-anywhere" --yes >none.out 2>none.err
assert_eq "$?" 2 "exit status when nothing is selected"
assert_contains none.err "nothing selected"
"$SIMTOP" apply reboot --filter "$query" --yes >usage.out 2>usage.err
assert_eq "$?" 2 "exit status for an unknown action"
assert_eq "$(patches)" 0 "PATCHes after every refusal"

# --- offline on a filtered set ------------------------------------------------------------
# The emulator's limits are off; so are the client's per-route limits (GET /endpoint/{id}
# 50/s would set the pace), and --rate sets the overall one.
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\n' >"$XDG_CONFIG_HOME/simtop/config"
"$SIMTOP" list --filter "$query" --format csv >selected.csv 2>/dev/null
curl -s "$EMU_URL/_emu/state.csv" >before.csv
"$SIMTOP" apply offline --filter "$query" --yes --rate 1000 >offline.out 2>offline.err
assert_eq "$?" 0 "offline exit status"
steps=$(planned_steps offline.out)
[ "$steps" -gt 500 ] && pass "planned $steps steps" || fail "planned only $steps steps"
assert_eq "$(patches)" "$steps" "PATCHes received (one per planned step)"
assert_eq "$(applied)" "$steps" "PATCHes applied"
assert_eq "$(emu_stat status_409)" 0 "forbidden transitions sent (409)"
assert_contains offline.out "offline: "
assert_contains offline.out " 0 failed, 0 half-done, 0 cancelled"
# The true state: every selected device is offline, but for the SIMs emnify cannot suspend.
curl -s "$EMU_URL/_emu/state.csv" >after.csv
awk -F, 'NR == FNR { if (FNR > 1) { sel[$1 "," $2] = 1 }; next }
	FNR > 1 && (($1 "," $2) in sel) {
		n++
		if ($2 != "" && $4 != 1) bad++
		if ($1 != "" && $3 == 1) bad++
	}
	END { print n + 0, bad + 0 }' selected.csv after.csv >check.txt
read -r checked wrong <check.txt
[ "$checked" -gt 500 ] && pass "checked $checked devices" || fail "checked only $checked devices"
assert_eq "$wrong" 0 "selected devices not offline afterwards"
# Devices outside the selection were not touched.
awk -F, 'NR == FNR { if (FNR > 1) { sel[$1 "," $2] = 1 }; next }
	FNR > 1 && !(($1 "," $2) in sel) { print }' selected.csv before.csv | sort >outside.before
awk -F, 'NR == FNR { if (FNR > 1) { sel[$1 "," $2] = 1 }; next }
	FNR > 1 && !(($1 "," $2) in sel) { print }' selected.csv after.csv | sort >outside.after
if cmp -s outside.before outside.after; then pass "devices outside the selection unchanged"; else fail "devices outside the selection changed"; fi

journal=$(sed -n 's/^journal: //p' offline.err)
[ -f "$journal" ] && pass "journal $journal" || fail "no journal named on stderr"
assert_eq "$(mode_of "$journal")" 600 "journal mode"
case "$journal" in "$XDG_STATE_HOME"/simtop/journal/*) pass "journal under XDG_STATE_HOME" ;; *) fail "journal at $journal" ;; esac
assert_eq "$(grep -c '"type":"intent"' "$journal")" "$steps" "intents in the journal"
assert_eq "$(grep -c '"state":"done"' "$journal")" "$steps" "done results in the journal"
assert_contains "$journal" '"type":"end","cancelled":false'
audit="$XDG_STATE_HOME/simtop/audit.log"
assert_eq "$(mode_of "$audit")" 600 "audit log mode"
assert_eq "$(grep -c '"result":"done"' "$audit")" "$steps" "audit lines"
assert_eq "$(grep -c "\"user\":\"$(id -un)\"" "$audit")" "$steps" "audit lines with the user"

# A second run finds nothing to send.
"$SIMTOP" apply offline --filter "$query" --yes --rate 1000 >again.out 2>again.err
assert_eq "$?" 0 "exit status of a plan with nothing to send"
assert_contains again.out "Nothing to send"
assert_eq "$(patches)" "$steps" "PATCHes after the plan with nothing to send"

# --- online from a CSV: endpoint first, then SIM ------------------------------------------
{
	echo "endpoint_id"
	awk -F, '$3 == 2 && $4 == 1 { print $2 }' after.csv | head -n 20
	echo "99999999"
} >online.csv
before_patches=$(patches)
"$SIMTOP" apply online --from online.csv --yes --rate 1000 >online.out 2>online.err
assert_eq "$?" 0 "online exit status"
assert_contains online.err "1 row of online.csv names no device"
assert_contains online.err "online.csv:22: endpoint_id 99999999"
assert_contains online.out "20 endpoints Disabled → Enabled"
assert_contains online.out "20 SIMs Suspended → Activated"
assert_contains online.out "Warning: emnify charges for activated SIMs, even when their endpoint is disabled. This plan activates 20 SIMs."
assert_eq "$(($(patches) - before_patches))" 40 "PATCHes of the online job"
online_journal=$(sed -n 's/^journal: //p' online.err)
# The plan in the journal puts the endpoint first for every device...
assert_eq "$(head -n 1 "$online_journal" | grep -o '"steps":\[{"target":"[a-z]*"' | sort -u)" '"steps":[{"target":"endpoint"' "first step of every device"
# ...and the intents follow that order: a device's step 1 never before its step 0.
sed -n 's/.*"type":"intent","device":\([0-9]*\),"step":\([01]\).*/\1 \2/p' "$online_journal" |
	awk '$2 == 0 { seen[$1] = 1 } $2 == 1 && !seen[$1] { bad++ } END { print bad + 0 }' >order.txt
assert_eq "$(cat order.txt)" 0 "SIM steps sent before their endpoint step"
# The audit log agrees: per device, the endpoint line comes before the SIM line.
grep '"action":"online"' "$audit" | sed -n 's/.*"endpoint_id":\([0-9]*\),"target":"\([a-z]*\)".*/\1 \2/p' |
	awk '$2 == "endpoint" { seen[$1] = 1 } $2 == "sim" && !seen[$1] { bad++ } END { print bad + 0, NR }' >audit-order.txt
assert_eq "$(cat audit-order.txt)" "0 40" "audit order (SIM before endpoint, lines)"

# --- on a terminal: the question, a change made elsewhere, and faults ------------------------
if ! command -v script >/dev/null 2>&1; then
	echo "script(1) is missing: the terminal cases are skipped"
	finish
fi
token=$(curl -s -X POST -d '{"application_token":"emu-demo-token"}' "$EMU_URL/api/v1/authenticate" |
	sed -n 's/.*"auth_token": *"\([^"]*\)".*/\1/p')

# run_on_terminal NAME COMMAND: run COMMAND on a pseudo-terminal; once it asks, run
# at_question, then answer with $answer. Sets status.
run_on_terminal() {
	name=$1
	rm -f "$name.fifo"
	mkfifo "$name.fifo"
	script -qec "$2" /dev/null <"$name.fifo" >"$name.tty" 2>&1 &
	script_pid=$!
	exec 3>"$name.fifo"
	wait_until "the question of $name" 'grep -q "devices?\|device?" "$name.tty" 2>/dev/null'
	at_question
	echo "$answer" >&3
	exec 3>&-
	wait_child "$script_pid" "simtop on the terminal of $name, answered"
	status=$exit_status
}

# The operator says no: nothing is sent.
before_patches=$(patches)
at_question() { :; }
answer=n
run_on_terminal decline "'$SIMTOP' apply online --filter 'align:offline' --rate 1000"
assert_eq "$status" 2 "exit status when the operator declines"
assert_contains decline.tty "Type the number of devices to confirm"
assert_contains decline.tty "not confirmed; nothing was sent"
assert_eq "$(patches)" "$before_patches" "PATCHes after declining"

# A device changed on the server after it was loaded: the plan skipped its SIM (Suspended
# already) but the SIM was activated meanwhile, so the read-back does not match the plan.
emu_start --devices 300 --seed 13 --misaligned 30 --no-limits
token=$(curl -s -X POST -d '{"application_token":"emu-demo-token"}' "$EMU_URL/api/v1/authenticate" |
	sed -n 's/.*"auth_token": *"\([^"]*\)".*/\1/p')
changed=$(curl -s "$EMU_URL/_emu/state.csv" | awk -F, '$3 == 2 && $4 == 0 { print $1; exit }')
at_question() {
	curl -s -o /dev/null -X PATCH -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		-d '{"status":{"id":1}}' "$EMU_URL/api/v1/sim/$changed"
}
answer=y
run_on_terminal elsewhere "'$SIMTOP' apply offline --filter 'align:misaligned' --rate 1000"
assert_eq "$status" 1 "exit status with a device changed elsewhere"
assert_contains elsewhere.tty "[y/N]"
assert_contains elsewhere.tty "changed elsewhere"
assert_contains elsewhere.tty "$changed"
assert_contains elsewhere.tty "1 changed elsewhere"

# Every request fails once the question is answered: each device is reported.
emu_start --devices 300 --seed 14 --no-limits
printf 'endpoint_id\n11000001\n11000002\n11000003\n' >faulty.csv
at_question() { emu_post "/_emu/faults?pct=100"; }
run_on_terminal faults "SIMTOP_BACKOFF_BASE_MS=2 '$SIMTOP' apply offline --from faulty.csv --rate 1000"
assert_eq "$status" 1 "exit status when every request fails"
assert_eq "$(grep -c '^unknown .*outcome unknown' faults.tty)" 3 "devices reported with an unknown outcome"
assert_contains faults.tty "3 failed"
assert_eq "$(emu_stat sim_patch_applied)" 0 "PATCHes applied under 100% faults"
finish
