#!/bin/sh
# Data that parses but cannot be true (simtop-emu --odd-data): `simtop list` still lists the
# fleet and exits 0, and says on stderr what was odd and how many rows it touched; a lying
# X-Total-Pages ends the load after ceil(X-Total-Count / per_page) + 1 pages of each list at
# most; a SIM claimed by two endpoints shows on both rows and never gets a PATCH from apply.
. "$top_srcdir/tests/lib/harness.sh"

devices=2600
# Both lists span several pages: 3 of endpoints (1000 a page), 2 of SIMs (2500 a page). The
# emulator ignores q, so that simtop gets (and must make sense of) the whole SIM list.
fleet="--devices $devices --unpaired 0 --seed 31 --no-limits --ignore-q"

# list_odd KIND: start an emulator bending KIND, list the fleet into KIND.csv and KIND.err.
list_odd() {
	[ -n "$emu_pids" ] && kill "${emu_pids##* }" 2>/dev/null
	# shellcheck disable=SC2086
	emu_start $fleet --odd-data "$1"
	timeout 120 "$SIMTOP" list --format csv >"$1.csv" 2>"$1.err"
	assert_eq "$?" 0 "exit status of simtop list with $1"
}

# --- a sane fleet says nothing ----------------------------------------------------------------
# shellcheck disable=SC2086
emu_start $fleet
"$SIMTOP" list --format csv >sane.csv 2>sane.err
assert_eq "$?" 0 "exit status of simtop list"
assert_not_contains sane.err "odd data"

# --- each kind --------------------------------------------------------------------------------
list_odd duplicate-sim
assert_contains duplicate-sim.err "simtop: odd data from the API: 1 duplicate SIM id (2 records)"
assert_eq "$(($(wc -l <duplicate-sim.csv) - 1))" "$devices" "devices listed (one row per SIM id)"

list_odd duplicate-endpoint
assert_contains duplicate-endpoint.err "simtop: odd data from the API: 1 duplicate endpoint id (2 records)"
assert_eq "$(($(wc -l <duplicate-endpoint.csv) - 1))" "$devices" "devices listed (one row per endpoint id)"

list_odd shared-sim
assert_contains shared-sim.err "simtop: odd data from the API: 1 SIM claimed by two endpoints (2 rows)"
shared=$(tail -n +2 shared-sim.csv | cut -d, -f1 | sort | uniq -d)
assert_eq "$(echo "$shared" | wc -w)" 1 "SIM ids shown on two rows"
# Both claimants show the SIM; neither looks unpaired.
assert_eq "$(tail -n +2 shared-sim.csv | grep -c "^$shared,[0-9]")" 2 "endpoint rows showing the shared SIM"
assert_eq "$(tail -n +2 shared-sim.csv | grep "^$shared," | grep -c ',unpaired,')" 0 "shared-SIM rows shown unpaired"

list_odd repeat-pages
assert_contains repeat-pages.err "1 endpoint page repeated an earlier one"
assert_contains repeat-pages.err "1 SIM page repeated an earlier one"

# X-Total-Pages 99999 with 2,600 records: at most ceil(count / per_page) + 1 pages each.
list_odd total-pages
curl -s "$EMU_URL/_emu/state" >state.json
endpoints=$(sed -n 's/.*"endpoints": *\([0-9]*\).*/\1/p' state.json)
sims=$(sed -n 's/.*"sims": *\([0-9]*\).*/\1/p' state.json)
assert_contains total-pages.err "the endpoint list's X-Total-Pages 99999 disagrees with 2,600 records at 1,000 per page"
assert_contains total-pages.err "the SIM list's X-Total-Pages 99999 disagrees with 2,600 records at 2,500 per page"
endpoint_pages=$(emu_stat endpoint_list)
sim_pages=$(emu_stat sim_list)
[ "$endpoint_pages" -le $(((endpoints + 999) / 1000 + 1)) ] && pass "$endpoint_pages endpoint pages asked for" ||
	fail "$endpoint_pages endpoint pages asked for, more than $(((endpoints + 999) / 1000 + 1))"
[ "$sim_pages" -le $(((sims + 2499) / 2500 + 1)) ] && pass "$sim_pages SIM pages asked for" ||
	fail "$sim_pages SIM pages asked for, more than $(((sims + 2499) / 2500 + 1))"
assert_eq "$(($(wc -l <total-pages.csv) - 1))" "$devices" "devices listed despite X-Total-Pages"

# Several kinds at once: one line names them all.
list_odd duplicate-sim,duplicate-endpoint,shared-sim
assert_contains duplicate-sim,duplicate-endpoint,shared-sim.err \
	"odd data from the API: 1 duplicate SIM id (2 records), 1 duplicate endpoint id (2 records), 1 SIM claimed by two endpoints (2 rows)"

# --- a shared SIM gets no PATCH -----------------------------------------------------------------
kill "${emu_pids##* }" 2>/dev/null
emu_start --devices 20 --unpaired 0 --seed 31 --no-limits --odd-data shared-sim
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\n' >"$XDG_CONFIG_HOME/simtop/config"
"$SIMTOP" list --format csv >small.csv 2>/dev/null
shared=$(tail -n +2 small.csv | cut -d, -f1 | sort | uniq -d)
iccid=$(grep "^$shared," small.csv | head -n 1 | cut -d, -f3)
for action in online offline sim-activate sim-suspend; do
	"$SIMTOP" apply "$action" --filter "iccid:$iccid" --yes --rate 1000 >"apply-$action.out" 2>"apply-$action.err"
	assert_contains "apply-$action.out" "2 skipped: the SIM is claimed by more than one endpoint"
	assert_contains "apply-$action.err" "odd data from the API: 1 SIM claimed by two endpoints (2 rows)"
done
assert_eq "$(emu_stat sim_patch)" 0 "SIM PATCHes sent for a SIM two endpoints claim"
finish
