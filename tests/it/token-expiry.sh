#!/bin/sh
# The session token expires in the middle of loading: simtop authenticates again and finishes.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 30000 --seed 4 --no-limits --latency 150 --token-lifetime 1
"$SIMTOP" list --format csv >fleet.csv 2>list.stderr
assert_eq "$?" 0 "exit status"
assert_eq "$(($(wc -l <fleet.csv) - 1))" 30000 "devices loaded"
[ "$(emu_stat tokens_issued)" -ge 2 ] && pass "authenticated $(emu_stat tokens_issued) times" ||
	fail "authenticated only $(emu_stat tokens_issued) time(s)"

# Tokens revoked under a running load (a 401 on a request): one re-authentication, no failure.
emu_start --devices 30000 --seed 4 --no-limits --latency 300
"$SIMTOP" list --format csv >revoked.csv 2>revoked.stderr &
list_pid=$!
# Once the load is under way (its first pages asked for), every token is revoked.
tries=0
until [ "$(emu_stat endpoint_list)" -ge 1 ] || [ "$tries" -gt 200 ]; do
	tries=$((tries + 1))
	sleep 0.02
done
[ "$tries" -le 200 ] && pass "the load was under way" || fail "the load never asked for a page"
emu_post /_emu/expire-tokens
wait "$list_pid"
assert_eq "$?" 0 "exit status after tokens were expired"
assert_eq "$(($(wc -l <revoked.csv) - 1))" 30000 "devices loaded after tokens were expired"
[ "$(emu_stat status_401)" -ge 1 ] && pass "401s were answered: $(emu_stat status_401)" || fail "no 401 happened"
finish
