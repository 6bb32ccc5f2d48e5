#!/bin/sh
# The lean load: every endpoint with its SIM from the endpoint list, then only the SIMs that no
# endpoint holds (GET /api/v1/sim?q=endpoint:null). Exactly right whether the API filters, ignores
# q (it then sends every SIM) or refuses it (simtop then lists every SIM and says so once); and
# simtop list --cached lists the fleet the last load kept, saying how old it is.
. "$top_srcdir/tests/lib/harness.sh"

# check_fleet NAME: simtop list into NAME.csv matches the emulator's state device by device.
check_fleet() {
	"$SIMTOP" list --format csv >"$1.csv" 2>"$1.stderr"
	assert_eq "$?" 0 "exit status of simtop list ($1)"
	curl -s "$EMU_URL/_emu/state.csv" | tail -n +2 | tr -d '\r' |
		awk -F, 'BEGIN { s[0]="Issued"; s[1]="Activated"; s[2]="Suspended"; s[3]="Deleted"; s[4]="Factory Test";
		                 e[0]="Enabled"; e[1]="Disabled"; e[2]="Deleted" }
		         { print $1 "," $2 "," ($3 == "" ? "" : s[$3]) "," ($4 == "" ? "" : e[$4]) }' | sort >"$1.truth"
	tail -n +2 "$1.csv" | tr -d '\r' | awk -F, '{ print $1 "," $2 "," $7 "," $8 }' | sort >"$1.listed"
	if cmp -s "$1.truth" "$1.listed"; then
		pass "$1: the list matches the emulator's state, device by device ($(wc -l <"$1.listed") devices)"
	else
		fail "$1: the list differs from the emulator's state"
		diff "$1.truth" "$1.listed" | head -10
	fi
}

# 6,000 devices, 10% unpaired: SIMs without an endpoint and endpoints without a SIM.
fleet="--devices 6000 --unpaired 10 --seed 41 --no-limits"

# --- q answered: one page of the SIMs without an endpoint ------------------------------------
# shellcheck disable=SC2086
emu_start $fleet
check_fleet filtered
curl -s "$EMU_URL/_emu/state" >state.json
endpoints=$(sed -n 's/.*"endpoints": *\([0-9]*\).*/\1/p' state.json)
sim_only=$(sed -n 's/.*"sim_only": *\([0-9]*\).*/\1/p' state.json)
[ "$sim_only" -gt 0 ] && pass "$sim_only SIMs have no endpoint" || fail "the fleet has no unpaired SIM"
assert_eq "$(emu_stat endpoint_list)" $(((endpoints + 999) / 1000)) "endpoint pages"
assert_eq "$(emu_stat sim_list)" 1 "SIM pages"
assert_eq "$(emu_stat sim_list_filtered)" 1 "SIM pages asked with q"
assert_not_contains filtered.stderr "every SIM"

# --- q ignored: every SIM arrives, and the join still gives one row per device ---------------
# shellcheck disable=SC2086
emu_start $fleet --ignore-q
check_fleet ignored
sims=$(curl -s "$EMU_URL/_emu/state" | sed -n 's/.*"sims": *\([0-9]*\).*/\1/p')
assert_eq "$(emu_stat sim_list_filtered)" $(((sims + 2499) / 2500)) "SIM pages asked with q (ignored: the whole list)"
assert_not_contains ignored.stderr "odd data"

# --- q refused: every SIM is listed instead, and simtop says so once --------------------------
# shellcheck disable=SC2086
emu_start $fleet --refuse-q
check_fleet refused
assert_contains refused.stderr "the API refused the SIM list's filter q=endpoint:null (HTTP 422): every SIM was listed instead"
assert_eq "$(grep -c "refused the SIM list" refused.stderr)" 1 "times the refusal is said"
assert_eq "$(emu_stat sim_list_filtered)" 1 "SIM pages asked with q (refused)"
sims=$(curl -s "$EMU_URL/_emu/state" | sed -n 's/.*"sims": *\([0-9]*\).*/\1/p')
assert_eq "$(($(emu_stat sim_list) - 1))" $(((sims + 2499) / 2500)) "SIM pages of the whole list after the refusal"

# --- endpoint pages that leave out their SIM's status: every SIM is listed to learn it ---------
# shellcheck disable=SC2086
emu_start $fleet --odd-data sim-status-missing
check_fleet status-missing
assert_contains status-missing.stderr "endpoints named their SIM without its status: every SIM was listed to learn it"
assert_eq "$(emu_stat sim_list_filtered)" 0 "SIM pages asked with q when statuses are missing"

# A refusal is said once per api; the snapshot of the last load is the refused one's, below.
# shellcheck disable=SC2086
emu_start $fleet --refuse-q
"$SIMTOP" list --format csv >refused.csv 2>/dev/null

# --- list --cached: the fleet the last load kept ----------------------------------------------
lists_before=$(emu_stat endpoint_list)
"$SIMTOP" list --cached --format csv >cached.csv 2>cached.stderr
assert_eq "$?" 0 "exit status of simtop list --cached"
assert_eq "$(emu_stat endpoint_list)" "$lists_before" "endpoint pages asked by list --cached"
if cmp -s refused.csv cached.csv; then
	pass "list --cached gives the rows of the last load"
else
	fail "list --cached differs from the last load"
	diff refused.csv cached.csv | head -5
fi
grep -E "^simtop: the fleet as saved .+ ago \(Emulated Org\), not read from the API$" cached.stderr >/dev/null &&
	pass "list --cached says how old the fleet is" || { fail "no age on stderr"; cat cached.stderr; }

rm -rf "$HOME/.cache/simtop"
"$SIMTOP" list --cached >none.csv 2>none.stderr
assert_eq "$?" 1 "exit status of list --cached without a saved fleet"
assert_contains none.stderr "no saved fleet for $EMU_URL (profile default)"
"$SIMTOP" list --no-snapshot >/dev/null 2>&1
[ -d "$HOME/.cache/simtop" ] && [ -n "$(ls "$HOME/.cache/simtop")" ] && fail "--no-snapshot wrote a snapshot" ||
	pass "--no-snapshot keeps nothing"
finish
