#!/bin/sh
# Calls and time of bulk offline jobs by emnify's rules, beside the floor and the tree before.
# usage: bench/bulk.sh BUILDDIR [BEFORE_BUILDDIR]
#
# What is measured, on fresh emulator fleets (seed 1) of 3,000 and 10,000 devices:
# 1. `simtop apply offline --filter align:misaligned` (the issue's case: a fleet with 29%
#    misaligned devices) and `--filter ""` (every device offline), with the emulator's limits
#    off, the client's per-route limits off and --rate 1000, 5 ms of latency per request: the
#    calls the job makes, load included (the emulator's own request counter), against the
#    floor — SIM changes + ⌈endpoint changes / 2,000⌉ + the list pages of the load — and the
#    wall time. BEFORE_BUILDDIR's simtop runs the same jobs against the same emulator.
# 2. The projection at emnify's published limits: the time those calls take at 10 calls a
#    second and at most 1,900 in any 5 minutes (the client's window: 2,000 less 5%); for the
#    tree before, at its 6.67 calls a second. The model is checked by one measured run: the
#    3,000-device misaligned job against the emulator with its published per-route limits on
#    and a window of 200 calls per 30 s (the same 6.67/s on average, a window ten times
#    shorter), the client told the same window.
set -eu
builddir=$(cd "$1" && pwd)
before=${2:+$(cd "$2" && pwd)}
work=$(mktemp -d)
emu_pid=""
trap '[ -n "$emu_pid" ] && kill $emu_pid 2>/dev/null; rm -rf "$work"' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset EMNIFY_APPLICATION_TOKEN EMNIFY_BASE_PATH SIMTOP_BACKOFF_BASE_MS SIMTOP_BULK_MAX
export HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state"
mkdir -p "$XDG_CONFIG_HOME/simtop"

. "$(dirname "$0")/lib.sh"
# count OUT PATTERN: the number in front of a plan line of simtop apply.
count() {
	sed -n "s/^  \([0-9,]*\) $2\$/\1/p" "$1" | tr -d , | awk '{ n += $1 } END { print n + 0 }'
}
# seconds CALLS RATE WINDOW_CALLS WINDOW_S: the limiter's model (ratelimit_window_seconds).
seconds() {
	awk -v n="$1" -v r="$2" -v w="$3" -v t="$4" 'BEGIN {
		if (w == 0 || n <= w) { print (n - 1) / r; exit }
		period = w / r > t ? w / r : t
		full = int((n - 1) / w); rest = n - full * w
		print full * period + (rest - 1) / r }'
}
minutes() {
	awk -v s="$1" 'BEGIN { printf "%d min %02d s", s / 60, s % 60 }'
}

# job TREE DEVICES FILTER: one job on a fresh fleet; prints a row of the first table.
job() {
	tree=$1 devices=$2 filter=$3 simtop="$1/simtop"
	start_emu --devices "$devices" --misaligned 29 --no-limits --latency 5
	printf '[default]\nrate_limits = false\n' >"$XDG_CONFIG_HOME/simtop/config"
	start=$(now_ms)
	"$simtop" apply offline --filter "$filter" --yes --rate 1000 >"$work/out" 2>"$work/err" || true
	wall=$(( $(now_ms) - start ))
	calls=$(stat_of requests)
	sims=$(count "$work/out" 'SIMs\{0,1\} Activated → Suspended')
	endpoints=$(count "$work/out" 'endpoints\{0,1\} Enabled → Disabled')
	pages=$(( (devices + 999) / 1000 + (devices + 2499) / 2500 ))
	floor=$(( sims + (endpoints + 1999) / 2000 + pages ))
	changed=$(sed -n 's/^offline: \([0-9]*\) done,.*/\1/p' "$work/out")
	failed=$(sed -n 's/.* \([0-9]*\) failed, \([0-9]*\) half-done.*/\1+\2/p' "$work/out")
	label="this tree"
	[ "$tree" = "$builddir" ] || label="before"
	if [ "$label" = "this tree" ]; then
		projected=$(seconds "$calls" 10 1900 300)
	else
		projected=$(awk -v n="$calls" 'BEGIN { print n / (2000 / 300) }')
	fi
	printf '| %s | %s | `%s` | %s | %s | %s | %s | %s | %s | %.1f s | %s | %s |\n' "$label" "$devices" \
		"${filter:-\"\"}" "$sims" "$endpoints" "$calls" "$floor" \
		"$(awk -v c="$calls" -v f="$floor" 'BEGIN { printf "%.2f", c / f }')" \
		"$(awk -v c="$calls" -v d="$changed" 'BEGIN { printf "%.2f", d ? c / d : 0 }')" \
		"$(awk -v w="$wall" 'BEGIN { print w / 1000 }')" "$(minutes "$projected")" "$failed"
	stop_emu
}

echo "| tree | fleet | filter | SIM changes | endpoint changes | calls (load included) | floor | calls / floor | calls per changed device | wall time, limits off | at emnify's limits (projected) | failed + half-done |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for devices in 3000 10000; do
	for filter in align:misaligned ""; do
		job "$builddir" "$devices" "$filter"
		[ -z "$before" ] || job "$before" "$devices" "$filter"
	done
done

# The model against a measured run with a window ten times shorter.
echo
start_emu --devices 3000 --misaligned 29 --ip-window 200/30
printf '[default]\nip_window_calls = 200\nip_window_seconds = 30\n' >"$XDG_CONFIG_HOME/simtop/config"
start=$(now_ms)
"$builddir/simtop" apply offline --filter align:misaligned --yes >"$work/out" 2>"$work/err" || true
wall=$(( $(now_ms) - start ))
calls=$(stat_of requests)
echo "| run | calls (load included) | model: 10/s, at most 190 per 30 s | measured | 429s and blocks |"
echo "| --- | ---: | ---: | ---: | ---: |"
printf '| 3,000 devices, align:misaligned, published per-route limits, window 200/30 s | %s | %.1f s | %.1f s | %s |\n' \
	"$calls" "$(seconds "$calls" 10 190 30)" "$(awk -v w="$wall" 'BEGIN { print w / 1000 }')" \
	"$(( $(stat_of status_429) + $(stat_of status_403) ))"
stop_emu
