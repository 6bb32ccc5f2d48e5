#!/bin/sh
# simtop list --filter with conn: and data: terms: the network's view of the devices the rest
# of the query lets through is read first, then the query decides. The rows are exactly those
# the emulator's truth (/_emu/live.csv) gives, only the candidates are read (the emulator's
# call counters), and simtop apply refuses such a filter with the usage status.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 80 --unpaired 10 --seed 8 --no-limits --epoch 1764590400
"$SIMTOP" list --format csv >all.csv 2>all.stderr
assert_eq "$?" 0 "exit status of the plain list"

# The plain list's endpoints (endpoint_id, sim_status, endpoint_status) joined to the truth
# (sim_id, connectivity, current_month_mb, last_month_mb, events): joined.txt has
#   1 endpoint_id, 2 sim_status, 3 endpoint_status, 4 sim_id, 5 connectivity, 6 current_month_mb
curl -s "$EMU_URL/_emu/live.csv" | tail -n +2 | tr -d '\r' | sort -t, -k1,1 >live.sorted
tail -n +2 all.csv | tr -d '\r' | awk -F, '$2 != "" { print $2 "," $7 "," $8 }' | sort -t, -k1,1 >devices.txt
join -t, devices.txt live.sorted >joined.txt
endpoints=$(wc -l <devices.txt)
assert_eq "$(wc -l <joined.txt)" "$endpoints" "every endpoint of the list in live.csv"
# Some Activated SIMs have no endpoint: nothing to read of them.
sims_alone=$(tail -n +2 all.csv | tr -d '\r' | awk -F, '$2 == "" && $7 == "Activated"' | wc -l)
[ "$sims_alone" -gt 0 ] && pass "$sims_alone Activated SIMs without an endpoint" ||
	fail "the fleet has no Activated SIM without an endpoint"

# listed FILE: the endpoint ids of a CSV that simtop list wrote, sorted.
listed() {
	tail -n +2 "$1" | tr -d '\r' | awk -F, '{ print $2 }' | sort
}
# truth AWK: the endpoint ids of joined.txt the condition holds for, sorted.
truth() {
	awk -F, "$1 { print \$1 }" joined.txt | sort
}
# same WHAT EXPECTED LISTED: the two files hold the same ids, and not none.
same() {
	if [ ! -s "$2" ]; then
		fail "$1: the truth selects no device (a test that cannot tell)"
	elif cmp -s "$2" "$3"; then
		pass "$1: the $(wc -l <"$3") devices of the truth"
	else
		fail "$1: the listed devices differ from the truth"
		diff "$2" "$3" | head -10
	fi
}

# --- sim:act data:0: Activated, no data this month ------------------------------------------
conn_before=$(emu_stat connectivity) stats_before=$(emu_stat endpoint_stats)
"$SIMTOP" list --filter 'sim:act data:0' --rate 500 --format csv >idle.csv 2>idle.stderr
assert_eq "$?" 0 "exit status of --filter 'sim:act data:0'"
truth '$2 == "Activated" && $6 + 0 == 0' >idle.expected
listed idle.csv >idle.listed
same "sim:act data:0" idle.expected idle.listed
activated=$(truth '$2 == "Activated"' | wc -l)
[ "$(wc -l <idle.listed)" -lt "$activated" ] && pass "data:0 leaves out Activated SIMs that used data" ||
	fail "every Activated SIM listed as idle"
assert_eq "$(tail -n +2 idle.csv | tr -d '\r' | awk -F, '$7 != "Activated"' | wc -l)" 0 "rows without an Activated SIM"
# Only the candidates were read: stats of each Activated SIM's endpoint, once, and no
# connectivity.
assert_eq "$(($(emu_stat endpoint_stats) - stats_before))" "$activated" "stats calls for sim:act data:0"
assert_eq "$(($(emu_stat connectivity) - conn_before))" 0 "connectivity calls for sim:act data:0"
assert_not_contains idle.stderr "could not be read"

# --- conn:online: every endpoint is a candidate ---------------------------------------------
conn_before=$(emu_stat connectivity) stats_before=$(emu_stat endpoint_stats)
"$SIMTOP" list --filter 'conn:online' --rate 500 --format csv >online.csv 2>online.stderr
assert_eq "$?" 0 "exit status of --filter 'conn:online'"
truth '$5 == "ONLINE"' >online.expected
listed online.csv >online.listed
same "conn:online" online.expected online.listed
assert_eq "$(($(emu_stat connectivity) - conn_before))" "$endpoints" "connectivity calls for conn:online"
assert_eq "$(($(emu_stat endpoint_stats) - stats_before))" 0 "stats calls for conn:online"
# Connectivity that is neither ONLINE nor anything else read: ATTACHED by a prefix.
"$SIMTOP" list --filter 'conn:att' --rate 500 --format csv >attached.csv 2>/dev/null
assert_eq "$?" 0 "exit status of --filter 'conn:att'"
truth '$5 == "ATTACHED"' >attached.expected
listed attached.csv >attached.listed
same "conn:att" attached.expected attached.listed

# --- a negated live term, with other terms ----------------------------------------------------
conn_before=$(emu_stat connectivity) stats_before=$(emu_stat endpoint_stats)
"$SIMTOP" list --filter 'ep:en !conn:online data:>=1' --rate 500 --format csv >odd.csv 2>/dev/null
assert_eq "$?" 0 "exit status of --filter 'ep:en !conn:online data:>=1'"
truth '$3 == "Enabled" && $5 != "ONLINE" && $6 + 0 >= 1' >odd.expected
listed odd.csv >odd.listed
same "ep:en !conn:online data:>=1" odd.expected odd.listed
enabled=$(truth '$3 == "Enabled"' | wc -l)
assert_eq "$(($(emu_stat connectivity) - conn_before)),$(($(emu_stat endpoint_stats) - stats_before))" \
	"$enabled,$enabled" "connectivity and stats calls for the Enabled endpoints"

# --- --with a column the filter did not read: only for the rows listed ----------------------
stats_before=$(emu_stat endpoint_stats)
"$SIMTOP" list --filter 'conn:online' --with connectivity,usage --rate 500 --format csv >with.csv 2>/dev/null
assert_eq "$?" 0 "exit status of --filter 'conn:online' --with connectivity,usage"
listed with.csv >with.listed
same "conn:online --with" online.expected with.listed
assert_eq "$(tail -n +2 with.csv | tr -d '\r' | awk -F, '$(NF-1) != "ONLINE"' | wc -l)" 0 "rows whose connectivity cell is not ONLINE"
assert_eq "$(($(emu_stat endpoint_stats) - stats_before))" "$(wc -l <online.expected)" "stats calls: one per row listed"

# JSON: the same rows.
"$SIMTOP" list --filter 'sim:act data:0' --rate 500 --format json >idle.json 2>/dev/null
assert_eq "$?" 0 "exit status of --format json --filter 'sim:act data:0'"
assert_eq "$(grep -c '^{' idle.json)" "$(wc -l <idle.expected)" "JSON objects of sim:act data:0"

# --- apply refuses a live filter, before anything is sent ------------------------------------
requests_before=$(emu_stat requests)
"$SIMTOP" apply offline --filter 'data:0' --yes >apply.out 2>apply.stderr
assert_eq "$?" 2 "exit status of apply with --filter 'data:0'"
assert_contains apply.stderr "simtop list --filter 'data:0'"
assert_contains apply.stderr "apply --from"
"$SIMTOP" apply offline --filter 'sim:act conn:off' --dry-run >apply2.out 2>apply2.stderr
assert_eq "$?" 2 "exit status of apply --dry-run with --filter 'sim:act conn:off'"
assert_contains apply2.stderr "simtop list --filter 'sim:act conn:off'"
assert_eq "$(($(emu_stat requests) - requests_before))" 0 "API requests of the refused applies"
assert_eq "$(patches)" 0 "PATCHes"

# A bad live term: the usage status and its column.
"$SIMTOP" list --filter 'sim:act data:abc' >/dev/null 2>bad.stderr
assert_eq "$?" 2 "exit status of --filter 'sim:act data:abc'"
assert_contains bad.stderr "column 14"
assert_contains bad.stderr "is not MB this month"
finish
