#!/bin/sh
# Proxies: a plain-http loopback API (the emulator, the demo) is never reached through a proxy
# from the environment, which would see the token in the clear. A second simtop-emu stands in
# for the proxy: it must hear nothing, and the list must succeed.
. "$top_srcdir/tests/lib/harness.sh"
# No exception from the environment that would make the test pass without the rule.
unset no_proxy NO_PROXY http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY

emu_start --devices 20 --seed 5
proxy_url=$EMU_URL
emu_start --devices 20 --seed 5
api_url=$EMU_URL

# emu_requests URL: requests the emulator at URL received (any path it serves or refuses).
emu_requests() {
	curl -s --noproxy '*' "$1/_emu/stats" | tr ',{}' '\n\n\n' | sed -n 's/^ *"requests" *: *\([0-9]*\).*/\1/p'
}

for variable in http_proxy HTTP_PROXY all_proxy ALL_PROXY; do
	env "$variable=$proxy_url" "$SIMTOP" list --format csv >"$variable.csv" 2>"$variable.err"
	assert_eq "$?" 0 "list with $variable set: exit status"
	assert_eq "$(($(wc -l <"$variable.csv") - 1))" 20 "list with $variable set: devices"
	assert_eq "$(emu_requests "$proxy_url")" 0 "list with $variable set: requests the proxy received"
done
[ "$(emu_requests "$api_url")" -gt 0 ] && pass "the API received the requests" || fail "the API received nothing"
finish
