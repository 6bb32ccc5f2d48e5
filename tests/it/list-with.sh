#!/bin/sh
# simtop list --with connectivity,usage adds the network's view of each device: connectivity
# (the API's word) and data_month_mb (this month's data in MB, 0 when the month is absent),
# empty for a device without an endpoint; a device whose view cannot be read is named on
# stderr, its cells left empty, and simtop exits 1.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 60 --unpaired 10 --seed 8 --no-limits --epoch 1764590400
"$SIMTOP" list --with connectivity,usage --rate 500 --format csv >with.csv 2>with.stderr
assert_eq "$?" 0 "exit status of list --with"
assert_eq "$(head -n 1 with.csv | tr -d '\r')" \
	"sim_id,endpoint_id,iccid,imsi,msisdn,name,sim_status,endpoint_status,alignment,ip_address,tags,connectivity,data_month_mb" \
	"the CSV header"

# Against the emulator's truth, endpoint by endpoint (MB to three decimals).
curl -s "$EMU_URL/_emu/live.csv" | tail -n +2 | tr -d '\r' |
	awk -F, '{ mb = sprintf("%.3f", $4); sub(/0+$/, "", mb); sub(/\.$/, "", mb); print $1 "," $3 "," mb }' |
	sort >truth.txt
tail -n +2 with.csv | tr -d '\r' | awk -F, '$2 != "" { print $2 "," $(NF-1) "," $NF }' | sort >listed.txt
if cmp -s truth.txt listed.txt; then
	pass "connectivity and this month's MB match the emulator for all $(wc -l <listed.txt) endpoints"
else
	fail "the network's view differs from the emulator's"
	diff truth.txt listed.txt | head -10
fi
# A SIM without an endpoint has nothing to ask: empty cells, and no call.
tail -n +2 with.csv | tr -d '\r' | awk -F, '$2 == ""' >sims-only.txt
[ -s sims-only.txt ] && pass "the fleet has SIMs without an endpoint" || fail "no SIM without an endpoint"
assert_eq "$(awk -F, '$(NF-1) != "" || $NF != ""' sims-only.txt | wc -l)" 0 "filled cells of SIMs without an endpoint"
endpoints=$(wc -l <listed.txt)
assert_eq "$(emu_stat connectivity)" "$endpoints" "connectivity calls"
assert_eq "$(emu_stat endpoint_stats)" "$endpoints" "stats calls"
# The billed but idle: Activated SIMs with no data this month.
tr -d '\r' <with.csv | grep -q ',Activated,Enabled,online,.*,0$' && pass "some Activated SIMs had no traffic this month" ||
	fail "no idle Activated SIM in the list"

"$SIMTOP" list --with usage --rate 500 --format json >with.json 2>/dev/null
grep -q '"data_month_mb":[0-9]' with.json && pass "JSON carries data_month_mb as a number" || fail "no number in JSON"
assert_not_contains with.json '"connectivity"'

# The API goes silent halfway: what could not be read is named, its cells stay empty, exit 1.
SIMTOP_SILENCE_MS=300 SIMTOP_GIVE_UP_MS=1500 SIMTOP_BACKOFF_BASE_MS=100 \
	"$SIMTOP" list --with connectivity --rate 20 --format csv >silent.csv 2>silent.stderr &
pid=$!
wait_stat connectivity $((endpoints + 5))
emu_post "/_emu/stall?what=get"
wait_child "$pid" "simtop list --with against a silent API"
assert_eq "$exit_status" 1 "exit status when some devices could not be read"
assert_contains silent.stderr "connectivity could not be read"
assert_contains silent.stderr "could not be read: their cells are empty"
empty=$(tail -n +2 silent.csv | tr -d '\r' | awk -F, '$2 != "" && $NF == ""' | wc -l)
[ "$empty" -gt 0 ] && pass "$empty endpoints left empty" || fail "no endpoint left empty"

# More calls than the per-IP window holds are refused without --yes, before any is sent.
emu_post "/_emu/stall?what=none"
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nip_window_calls = 40\nip_window_seconds = 2\n' >"$XDG_CONFIG_HOME/simtop/config"
before=$(emu_stat connectivity)
"$SIMTOP" list --with connectivity,usage --format csv >big.csv 2>big.stderr
assert_eq "$?" 2 "exit status of a read larger than the window"
assert_contains big.stderr "pass --yes"
assert_eq "$(emu_stat connectivity)" "$before" "connectivity calls of the refused read"
"$SIMTOP" list --with connectivity,usage --yes --format csv >big.csv 2>big.stderr
assert_eq "$?" 0 "exit status with --yes"
assert_eq "$(($(emu_stat connectivity) - before))" "$endpoints" "connectivity calls with --yes, the window sliding"
# A live filter with --with: both reads together are what the window is asked for.
before_stats=$(emu_stat endpoint_stats)
before=$(emu_stat connectivity)
"$SIMTOP" list --filter 'data:>=0' --with connectivity --format csv >both.csv 2>both.stderr
assert_eq "$?" 2 "exit status of a filter and --with larger than the window together"
assert_contains both.stderr "pass --yes"
assert_eq "$(emu_stat endpoint_stats),$(emu_stat connectivity)" "$before_stats,$before" \
	"calls of the refused filter and --with"
rm "$XDG_CONFIG_HOME/simtop/config"

# In a locale that writes 1,5 for one and a half, numbers keep their decimal point: in JSON, in
# CSV and in data:. (Only where the locale can be built here. glibc keeps a few bytes of the
# LOCPATH it loads a locale from, which the sanitizer build would report as a leak of simtop's.)
if localedef -i de_DE -f UTF-8 "$test_dir/locales/de_DE.UTF-8" >/dev/null 2>&1 ||
	{ mkdir -p "$test_dir/locales" && localedef -i de_DE -f UTF-8 "$test_dir/locales/de_DE.UTF-8" >/dev/null 2>&1; }; then
	no_libc_leaks="${ASAN_OPTIONS:-}:detect_leaks=0"
	ASAN_OPTIONS=$no_libc_leaks LOCPATH="$test_dir/locales" LC_ALL=de_DE.UTF-8 \
		"$SIMTOP" list --with usage --format json >de.json 2>de.stderr
	assert_eq "$?" 0 "exit status in de_DE.UTF-8"
	grep -q '"data_month_mb":[0-9]*\.[0-9]' de.json && pass "JSON's MB have a decimal point in de_DE" ||
		fail "no decimal point in JSON in de_DE: $(grep -o '"data_month_mb":[^}]*' de.json | head -2)"
	assert_not_contains de.json '"data_month_mb":1,'
	ASAN_OPTIONS=$no_libc_leaks LOCPATH="$test_dir/locales" LC_ALL=de_DE.UTF-8 \
		"$SIMTOP" list --filter 'data:<0.5' --format csv >de.csv 2>de.stderr
	assert_eq "$?" 0 "data:<0.5 in de_DE.UTF-8"
else
	echo "skipped: the de_DE locale cannot be built here"
fi

"$SIMTOP" list --with speed >/dev/null 2>bad.stderr
assert_eq "$?" 2 "exit status of --with with an unknown column"
assert_contains bad.stderr "--with takes connectivity, usage or both"
finish
