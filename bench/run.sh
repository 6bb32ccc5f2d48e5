#!/bin/sh
# Loading benchmarks: simtop against simtop-emu with rate limits off, side by side with curl
# downloading the same pages in the same run (the transfer floor).
# usage: bench/run.sh BUILDDIR [DEVICE COUNTS...]   (default: 10000 100000 1000000)
set -eu
builddir=$(cd "$1" && pwd)
shift
sizes=${*:-10000 100000 1000000}
work=$(mktemp -d)
emu_pid=""
trap '[ -n "$emu_pid" ] && kill $emu_pid 2>/dev/null; rm -rf "$work"' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset EMNIFY_APPLICATION_TOKEN EMNIFY_BASE_PATH
export HOME="$work" XDG_CONFIG_HOME="$work/config"

now_ms() { date +%s%3N; }

printf '%-9s | %-34s | %-20s | %-24s\n' "devices" "simtop: first rows / loaded / peak" "simtop list (csv)" "curl, same pages (floor)"
printf '%-9s-+-%-34s-+-%-20s-+-%-24s\n' "---------" "----------------------------------" "--------------------" "------------------------"
# Both sides without rate limits: this measures transfer, parsing and joining.
mkdir -p "$work/config/simtop"
printf '[default]\nrate_limits = false\n' >"$work/config/simtop/config"

for devices in $sizes; do
	rm -f "$work/port"
	"$builddir/simtop-emu" --port 0 --devices "$devices" --seed 1 --no-limits >"$work/port" 2>/dev/null &
	emu_pid=$!
	while [ ! -s "$work/port" ]; do sleep 0.01; done
	url="http://127.0.0.1:$(head -n 1 "$work/port")"
	export EMNIFY_BASE_PATH="$url" EMNIFY_APPLICATION_TOKEN=emu-demo-token

	# The TUI, headless: it quits at the end of the script, once nothing is in flight.
	echo ":quit" >"$work/steps"
	SIMTOP_BENCH=1 SIMTOP_SCRIPT="$work/steps" "$builddir/simtop" 2>"$work/bench"
	first=$(sed -n 's/.*first_rows_ms=\([0-9]*\).*/\1/p' "$work/bench")
	loaded=$(sed -n 's/.*loaded_ms=\([0-9]*\).*/\1/p' "$work/bench")
	peak=$(sed -n 's/.*peak_rss_kb=\([0-9]*\).*/\1/p' "$work/bench")

	start=$(now_ms)
	"$builddir/simtop" list --format csv >/dev/null
	list_ms=$(( $(now_ms) - start ))

	# The floor: the same pages with curl, four at a time, bodies thrown away.
	token=$(curl -s -X POST -d '{"application_token":"emu-demo-token"}' "$url/api/v1/authenticate" |
		sed -n 's/.*"auth_token": *"\([^"]*\)".*/\1/p')
	state=$(curl -s "$url/_emu/state")
	endpoints=$(echo "$state" | sed -n 's/.*"endpoints": *\([0-9]*\).*/\1/p')
	sims=$(echo "$state" | sed -n 's/.*"sims": *\([0-9]*\).*/\1/p')
	start=$(now_ms)
	curl -s --no-progress-meter --parallel --parallel-max 4 -H "Authorization: Bearer $token" \
		"$url/api/v1/endpoint?per_page=1000&page=[1-$(( (endpoints + 999) / 1000 ))]" -o /dev/null \
		"$url/api/v1/sim?per_page=2500&page=[1-$(( (sims + 2499) / 2500 ))]" -o /dev/null
	curl_ms=$(( $(now_ms) - start ))

	kill "$emu_pid"; wait "$emu_pid" 2>/dev/null || true; emu_pid=""
	printf '%-9s | %7s ms / %7s ms / %5s MB | %17s ms | %21s ms\n' "$devices" "$first" "$loaded" \
		"$((peak / 1024))" "$list_ms" "$curl_ms"
done
