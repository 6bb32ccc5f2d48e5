#!/bin/sh
# Start-up at scale: list calls and load time against emnify's list limit, the load with the
# limits off against curl downloading the pages the load needs, and the whole fleet on screen
# from the snapshot at the second start. Side by side with the tree before, when given.
# usage: bench/startup.sh BUILDDIR [BEFORE_BUILDDIR] [DEVICE COUNTS...]   (default: 100000 1000000)
set -eu
builddir=$(cd "$1" && pwd)
shift
before=""
if [ $# -gt 0 ] && [ -d "$1" ]; then
	before=$(cd "$1" && pwd)
	shift
fi
sizes=${*:-100000 1000000}
work=$(mktemp -d)
emu_pid=""
trap '[ -n "$emu_pid" ] && kill $emu_pid 2>/dev/null; rm -rf "$work"' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset EMNIFY_APPLICATION_TOKEN EMNIFY_BASE_PATH
. "$(dirname "$0")/lib.sh"

# tui_bench TREE: one headless start of TREE's simtop, its bench line into $work/bench.
tui_bench() {
	echo ":quit" >"$work/steps"
	SIMTOP_BENCH=1 SIMTOP_SCRIPT="$work/steps" "$1/simtop" 2>"$work/bench"
}
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$work/bench"; }

# fresh_home RATE_LIMITS: a new HOME (so no snapshot) with rate_limits = RATE_LIMITS.
fresh_home() {
	rm -rf "$work/home"
	mkdir -p "$work/home/.config/simtop"
	printf '[default]\nrate_limits = %s\n' "$1" >"$work/home/.config/simtop/config"
	export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_CACHE_HOME="$work/home/.cache"
}

echo "1. With emnify's list limit (10 calls a second, burst 5): simtop list, 100,000 devices"
printf '%-12s | %10s | %10s | %8s | %s\n' "tree" "list calls" "wall time" "devices" "floor: needed calls / 10 per s"
for tree in "$builddir" $before; do
	fresh_home true
	start_emu --devices 100000
	start=$(now_ms)
	"$tree/simtop" list --format csv >"$work/list.csv"
	wall=$(( $(now_ms) - start ))
	calls=$(( $(stat_of endpoint_list) + $(stat_of sim_list) ))
	endpoints=$(curl -s "$url/_emu/state" | sed -n 's/.*"endpoints": *\([0-9]*\).*/\1/p')
	sim_only=$(curl -s "$url/_emu/state" | sed -n 's/.*"sim_only": *\([0-9]*\).*/\1/p')
	needed=$(( (endpoints + 999) / 1000 + (sim_only + 2499) / 2500 ))
	stop_emu
	label=$([ "$tree" = "$builddir" ] && echo "this tree" || echo "before")
	printf '%-12s | %10s | %7s ms | %8s | %s calls, %s ms\n' "$label" "$calls" "$wall" \
		"$(( $(wc -l <"$work/list.csv") - 1 ))" "$needed" "$(( needed * 100 ))"
done

echo
echo "2. Limits off: the load against curl downloading the pages it needs; then the second start"
printf '%-9s %-10s | %13s | %9s | %13s | %12s | %s\n' "devices" "tree" "first load" "peak" "curl, needed" \
	"2nd start:" "fleet on screen / fresh fleet in"
for devices in $sizes; do
	for tree in "$builddir" $before; do
		fresh_home false
		start_emu --devices "$devices" --no-limits
		tui_bench "$tree"
		loaded=$(field loaded_ms)
		peak=$(field peak_rss_kb)
		# The floor: the endpoint pages and the pages of SIMs without an endpoint, four at a time.
		token=$(curl -s -X POST -d '{"application_token":"emu-demo-token"}' "$url/api/v1/authenticate" |
			sed -n 's/.*"auth_token": *"\([^"]*\)".*/\1/p')
		state=$(curl -s "$url/_emu/state")
		endpoints=$(echo "$state" | sed -n 's/.*"endpoints": *\([0-9]*\).*/\1/p')
		sim_only=$(echo "$state" | sed -n 's/.*"sim_only": *\([0-9]*\).*/\1/p')
		sim_pages=$(( (sim_only + 2499) / 2500 ))
		[ "$sim_pages" -gt 0 ] || sim_pages=1
		start=$(now_ms)
		curl -s --no-progress-meter --parallel --parallel-max 4 -H "Authorization: Bearer $token" \
			"$url/api/v1/endpoint?per_page=1000&page=[1-$(( (endpoints + 999) / 1000 ))]" -o /dev/null \
			"$url/api/v1/sim?per_page=2500&q=endpoint%3Anull&page=[1-$sim_pages]" -o /dev/null
		curl_ms=$(( $(now_ms) - start ))
		tui_bench "$tree"
		second_first=$(field first_rows_ms)
		second_loaded=$(field loaded_ms)
		stop_emu
		label=$([ "$tree" = "$builddir" ] && echo "this tree" || echo "before")
		printf '%-9s %-10s | %10s ms | %6s MB | %10s ms | %12s | %s ms / %s ms\n' "$devices" "$label" "$loaded" \
			"$((peak / 1024))" "$curl_ms" "" "$second_first" "$second_loaded"
	done
done
