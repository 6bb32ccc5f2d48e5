#!/bin/sh
# Bulk jobs by emnify's rules against the emulator: endpoint changes in bulk calls, never two
# endpoint changes in flight, SIM before endpoint (offline) and endpoint before SIM (online),
# the fewest calls, and nothing applied twice — also with faults and lost answers.
# bulk-limits.sh has the same through short-lived tokens, the per-IP window's blocks and a
# permission refusal.
#
# The emulator's true state, counters and change log (/_emu/changes) are the evidence.
. "$top_srcdir/tests/lib/harness.sh"

# changes: the emulator's change log as lines "seq kind id from to via".
changes() {
	curl -s "$EMU_URL/_emu/changes" | tr '{' '\n' |
		sed -n 's/.*"seq":\([0-9]*\),"kind":"\([a-z]*\)","id":\([0-9]*\),"from":\([0-9-]*\),"to":\([0-9-]*\),"via":"\([a-z]*\)".*/\1 \2 \3 \4 \5 \6/p'
}

# check_order NAME FIRST SECOND: for every device whose SIM and endpoint both changed, the
# change of kind FIRST came before that of kind SECOND. Pairs from the emulator's state.
check_order() {
	curl -s "$EMU_URL/_emu/state.csv" | awk -F, 'NR > 1 && $1 != "" && $2 != "" { print $1, $2 }' >pairs.txt
	changes >changes.txt
	bad=$(awk -v first="$2" -v second="$3" '
		FILENAME == "pairs.txt" { endpoint_of[$1] = $2; next }
		$2 == "sim" { sim_seq[$3] = $1 }
		$2 == "endpoint" { endpoint_seq[$3] = $1 }
		END {
			for (sim in endpoint_of) {
				endpoint = endpoint_of[sim]
				if (!(sim in sim_seq) || !(endpoint in endpoint_seq)) continue
				pairs++
				if (first == "sim" && sim_seq[sim] > endpoint_seq[endpoint]) bad++
				if (first == "endpoint" && endpoint_seq[endpoint] > sim_seq[sim]) bad++
			}
			print bad + 0, pairs + 0
		}' pairs.txt changes.txt)
	set -- "$1" $bad
	[ "$3" -gt 0 ] && pass "$1: $3 devices changed on both sides" || fail "$1: no device changed on both sides"
	assert_eq "$2" 0 "$1: devices whose SIM and endpoint changed in the wrong order"
}

# twice NAME: no object was changed to the same status twice.
twice() {
	changes | awk '{ print $2, $3, $5 }' | sort | uniq -d >twice.txt
	assert_eq "$(wc -l <twice.txt)" 0 "$1: changes applied twice"
}

# job_requests FILE: the requests of a job, from simtop apply's summary line.
job_requests() {
	sed -n 's/.*(\([0-9]*\) requests\{0,1\}, [0-9.]*\/s).*/\1/p' "$1"
}

# The client keeps no per-route limits here (the emulator's are off too): --rate paces it.
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\n' >"$XDG_CONFIG_HOME/simtop/config"

# --- offline: one bulk call for every endpoint, the fewest calls -------------------------------
emu_start --devices 3000 --seed 21 --misaligned 30 --no-limits
"$SIMTOP" apply offline --filter align:misaligned --yes --rate 1000 >offline.out 2>offline.err
assert_eq "$?" 0 "offline exit status"
sims=$(sed -n 's/^  \([0-9,]*\) SIMs\{0,1\} Activated → Suspended$/\1/p' offline.out | tr -d ,)
endpoints=$(sed -n 's/^  \([0-9,]*\) endpoints\{0,1\} Enabled → Disabled$/\1/p' offline.out | tr -d ,)
[ "${sims:-0}" -gt 100 ] && [ "${endpoints:-0}" -gt 100 ] && pass "plan: $sims SIMs and $endpoints endpoints" ||
	fail "plan: ${sims:-0} SIMs and ${endpoints:-0} endpoints"
assert_eq "$(emu_stat sim_patch)" "$sims" "single SIM PATCHes (one per SIM change)"
assert_eq "$(emu_stat endpoint_patch)" 0 "single endpoint PATCHes"
assert_eq "$(emu_stat endpoint_multi)" 1 "bulk endpoint calls"
assert_eq "$(emu_stat endpoint_multi_items)" "$endpoints" "items in bulk calls"
assert_eq "$(emu_stat endpoint_multi_applied)" "$endpoints" "bulk items applied"
assert_eq "$(emu_stat endpoint_patch_overlap)" 0 "endpoint changes that overlapped another"
twice offline
# The floor: the SIM changes, one bulk call, and reading back by list (3 endpoint pages).
requests=$(job_requests offline.out)
floor=$((sims + 1 + 3))
awk -v r="$requests" -v f="$floor" 'BEGIN { exit !(r <= 1.15 * f) }' &&
	pass "job requests $requests within 1.15 × the floor $floor" ||
	fail "job requests $requests above 1.15 × the floor $floor"
# Read back by list: the 3 endpoint pages again after the load's 3, and no GET.
assert_eq "$(emu_stat endpoint_list)" 6 "endpoint list pages (load and read-back)"
assert_eq "$(emu_stat endpoint_get)" 0 "endpoints read back one by one"
"$SIMTOP" list --filter align:misaligned --format csv >left.csv 2>/dev/null
left=$(($(wc -l <left.csv) - 1))
skipped=$(sed -n 's/^  \([0-9,]*\) skipped: .*/\1/p' offline.out | tr -d , | awk '{ n += $1 } END { print n + 0 }')
[ "$left" -le "$skipped" ] && pass "misaligned left: $left (skipped: $skipped)" ||
	fail "misaligned left: $left, more than the $skipped skipped"

# --- online in several bulk calls (devices offline or misaligned: most change on both sides) --------------------------------------------------------------
emu_start --devices 400 --seed 22 --misaligned 40 --no-limits
SIMTOP_BULK_MAX=25 "$SIMTOP" apply online --filter '!align:online' --yes --rate 1000 >online.out 2>online.err
assert_eq "$?" 0 "online exit status"
endpoints=$(sed -n 's/^  \([0-9,]*\) endpoints\{0,1\} Disabled → Enabled$/\1/p' online.out | tr -d ,)
multi=$(emu_stat endpoint_multi)
assert_eq "$multi" "$(( (endpoints + 24) / 25 ))" "bulk calls of 25 for $endpoints endpoints"
assert_eq "$(emu_stat endpoint_patch_overlap)" 0 "endpoint changes that overlapped another"
check_order online endpoint sim
twice online

# --- faults: 5xx and dropped connections, bulk calls and SIM PATCHes alike ---------------------
emu_start --devices 600 --seed 23 --misaligned 40 --no-limits --faults 15
SIMTOP_BULK_MAX=40 SIMTOP_BACKOFF_BASE_MS=5 "$SIMTOP" apply offline --filter '!align:offline' --yes --rate 1000 \
	>faults.out 2>faults.err
status=$?
[ "$status" -le 1 ] && pass "faults: exit status $status" || fail "faults: exit status $status"
assert_eq "$(emu_stat endpoint_patch_overlap)" 0 "faults: endpoint changes that overlapped another"
check_order faults sim endpoint
twice faults
# Every device reached its target, or is listed with what stopped it.
"$SIMTOP" list --filter '!align:offline' --format csv 2>/dev/null | tail -n +2 | cut -d, -f2 >left.txt
skipped=$(sed -n 's/^  \([0-9,]*\) skipped: .*/\1/p' faults.out | tr -d , | awk '{ n += $1 } END { print n + 0 }')
reported=$(grep -c '^\(failed\|half-done\|unknown\|changed elsewhere\) ' faults.out)
[ "$(wc -l <left.txt)" -le $((skipped + reported)) ] &&
	pass "faults: $(wc -l <left.txt) not offline, $reported reported, $skipped skipped" ||
	fail "faults: $(wc -l <left.txt) not offline, only $reported reported and $skipped skipped"

# --- lost answers: every change is carried out and then never answered -------------------------
# Each PATCH waits out its timeout (twice the silence) before it is read back: a small fleet.
emu_start --devices 30 --seed 24 --misaligned 20 --no-limits --stall patch --stall-after
SIMTOP_SILENCE_MS=500 SIMTOP_GIVE_UP_MS=60000 "$SIMTOP" apply offline --filter align:online --yes --rate 1000 \
	>lost.out 2>lost.err
assert_eq "$?" 0 "lost answers: exit status (settled by reading back)"
assert_eq "$(emu_stat endpoint_multi)" 1 "lost answers: bulk calls (the lost one read back, not resent)"
assert_contains lost.out " 0 failed"
check_order lost sim endpoint
twice lost

finish
