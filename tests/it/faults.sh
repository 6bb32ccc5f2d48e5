#!/bin/sh
# A storm of 5xx answers, dropped connections and 429s still ends with every row loaded.
. "$top_srcdir/tests/lib/harness.sh"

# The client ignores emnify's limits until the last load, which is about them.
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\n' >"$XDG_CONFIG_HOME/simtop/config"

# 5xx with HTML bodies and dropped connections on a quarter of the requests.
emu_start --devices 10000 --seed 8 --faults 25 --no-limits
"$SIMTOP" list --format csv >faults.csv 2>faults.stderr
assert_eq "$?" 0 "exit status under faults"
assert_eq "$(($(wc -l <faults.csv) - 1))" 10000 "devices loaded under faults"
[ "$(emu_stat status_5xx)" -gt 0 ] && pass "5xx answers were sent" || fail "no 5xx was sent"
[ "$(emu_stat dropped)" -gt 0 ] && pass "connections were dropped" || fail "no connection was dropped"

# 429s: the emulator keeps emnify's limits, the client is told to ignore them.
emu_start --devices 10000 --seed 8
# Back-off long enough for emnify's 10 list calls per second to let the retries through.
SIMTOP_BACKOFF_BASE_MS=200 "$SIMTOP" list --format csv >storm.csv 2>storm.stderr
assert_eq "$?" 0 "exit status through a 429 storm"
assert_eq "$(($(wc -l <storm.csv) - 1))" 10000 "devices loaded through a 429 storm"
[ "$(emu_stat status_429)" -gt 0 ] && pass "429s were sent: $(emu_stat status_429)" || fail "no 429 was sent"

# With the limits kept (the default), the same load draws no 429 at all.
rm "$XDG_CONFIG_HOME/simtop/config"
emu_start --devices 10000 --seed 8
"$SIMTOP" list --format csv >limited.csv 2>limited.stderr
assert_eq "$(($(wc -l <limited.csv) - 1))" 10000 "devices loaded within the limits"
assert_eq "$(emu_stat status_429)" 0 "429s drawn within the limits"
finish
