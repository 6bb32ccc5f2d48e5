#!/bin/sh
# Bulk jobs against the emulator's limits: tokens that expire during the job, the per-IP
# window's blocks (429, and an edge's 403 page) that pause the job without failing a device,
# and emnify's own 403 (no permission) that stops it. Nothing is applied twice.
#
# The emulator's true state, counters and change log (/_emu/changes) are the evidence.
. "$top_srcdir/tests/lib/harness.sh"

# changes: the emulator's change log as lines "seq kind id from to via".
changes() {
	curl -s "$EMU_URL/_emu/changes" | tr '{' '\n' |
		sed -n 's/.*"seq":\([0-9]*\),"kind":"\([a-z]*\)","id":\([0-9]*\),"from":\([0-9-]*\),"to":\([0-9-]*\),"via":"\([a-z]*\)".*/\1 \2 \3 \4 \5 \6/p'
}

# twice NAME: no object was changed to the same status twice.
twice() {
	changes | awk '{ print $2, $3, $5 }' | sort | uniq -d >twice.txt
	assert_eq "$(wc -l <twice.txt)" 0 "$1: changes applied twice"
}

# The client keeps no per-route limits here: --rate paces it.
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\n' >"$XDG_CONFIG_HOME/simtop/config"

# --- 3-second tokens: the job (about 3 s at this rate) outlives the first ---------------------
emu_start --devices 300 --seed 25 --misaligned 40 --no-limits --token-lifetime 3 --latency 20
SIMTOP_BULK_MAX=10 "$SIMTOP" apply offline --filter align:misaligned --yes --rate 30 >tokens.out 2>tokens.err
assert_eq "$?" 0 "3-second tokens: exit status"
[ "$(emu_stat tokens_issued)" -ge 2 ] && pass "tokens issued: $(emu_stat tokens_issued)" ||
	fail "only $(emu_stat tokens_issued) token issued"
twice tokens

# --- the per-IP window: blocks pause the job, no device fails ----------------------------------
# The client is told of a far larger window than the emulator keeps, so it runs into blocks.
printf '[default]\nrate_limits = false\nip_window_calls = 100000\n' >"$XDG_CONFIG_HOME/simtop/config"
for block in 429 403; do
	emu_start --devices 200 --seed 26 --misaligned 40 --ip-window 30/2 --ip-block "$block"
	"$SIMTOP" apply offline --filter align:misaligned --yes --rate 1000 >window-$block.out 2>window-$block.err
	assert_eq "$?" 0 "window blocks ($block): exit status"
	assert_contains window-$block.out " 0 failed"
	[ "$(emu_stat ip_window_blocked)" -ge 1 ] && pass "window blocks ($block): $(emu_stat ip_window_blocked)" ||
		fail "window blocks ($block): none happened"
	twice "window-$block"
done
printf '[default]\nrate_limits = false\n' >"$XDG_CONFIG_HOME/simtop/config"

# --- no permission: emnify's own 403 stops the job, naming it ---------------------------------
emu_start --devices 200 --seed 27 --no-limits --forbid sim-patch
"$SIMTOP" apply offline --filter align:online --yes --rate 1000 >forbid.out 2>forbid.err
assert_eq "$?" 1 "no permission: exit status"
assert_contains forbid.out "The job stopped: no permission"
assert_eq "$(emu_stat endpoint_multi)" 0 "no permission: endpoints disabled behind SIMs that were not suspended"
[ "$(emu_stat sim_patch)" -le 4 ] && pass "no permission: $(emu_stat sim_patch) SIM PATCHes (the few in flight)" ||
	fail "no permission: $(emu_stat sim_patch) SIM PATCHes after the first refusal"
assert_eq "$(applied)" 0 "no permission: changes applied"
finish
