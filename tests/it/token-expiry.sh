#!/bin/sh
# The session token expires in the middle of loading: simtop authenticates again and finishes.
. "$top_srcdir/tests/lib/harness.sh"

# Not about pacing: the client keeps no per-route limits, the emulator's latency sets the pace.
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\n' >"$XDG_CONFIG_HOME/simtop/config"

emu_start --devices 15000 --seed 4 --no-limits --latency 150 --token-lifetime 1
"$SIMTOP" list --format csv >fleet.csv 2>list.stderr
assert_eq "$?" 0 "exit status"
assert_eq "$(($(wc -l <fleet.csv) - 1))" 15000 "devices loaded"
[ "$(emu_stat tokens_issued)" -ge 2 ] && pass "authenticated $(emu_stat tokens_issued) times" ||
	fail "authenticated only $(emu_stat tokens_issued) time(s)"

# Tokens revoked under a running load (a 401 on a request): one re-authentication, no failure.
emu_start --devices 10000 --seed 4 --no-limits --latency 300
"$SIMTOP" list --format csv >revoked.csv 2>revoked.stderr &
list_pid=$!
# Once the load is under way (its first pages asked for), every token is revoked.
wait_stat endpoint_list 1 && pass "the load was under way"
emu_post /_emu/expire-tokens
wait_child "$list_pid" "the load whose tokens were revoked"
assert_eq "$exit_status" 0 "exit status after tokens were expired"
assert_eq "$(($(wc -l <revoked.csv) - 1))" 10000 "devices loaded after tokens were expired"
[ "$(emu_stat status_401)" -ge 1 ] && pass "401s were answered: $(emu_stat status_401)" || fail "no 401 happened"
finish
