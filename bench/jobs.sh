#!/bin/sh
# Bulk-job throughput: `simtop apply offline` against simtop-emu, as a share of the rate the
# client is set to, beside emnify's documented workflow (Postman Runner, one call a second).
# usage: bench/jobs.sh BUILDDIR [DEVICES [RATE [LIMITED_DEVICES]]]
#        (default: 10000 devices at --rate 100; 300 devices at emnify's published limit)
#
# What is measured:
# 1. DEVICES devices offline at --rate RATE against an emulator with its limits off (it
#    cannot be set to a custom rate): the client's own limiter is the only brake, so this is
#    how close the job keeps to the rate it is given, with 8 devices in flight and 5 ms of
#    emulated latency per request.
# 2. LIMITED_DEVICES devices offline at the default rate (emnify's 2000 requests per 5
#    minutes, 6.7/s) against the emulator with emnify's published limits on: the share of the
#    real limit, and whether any request was refused with 429.
# The share counts every request of the job: one PATCH per step and one read-back GET per
# device (simtop reads each device back to report the truth), over the job's whole run: a job
# keeps to its rate from the first request (no saved-up burst goes first). Postman's figures
# are computed: two PATCHes per device, one a second, no read-back.
set -eu
builddir=$(cd "$1" && pwd)
devices=${2:-10000}
rate=${3:-100}
limited=${4:-300}
work=$(mktemp -d)
emu_pid=""
trap '[ -n "$emu_pid" ] && kill $emu_pid 2>/dev/null; rm -rf "$work"' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset EMNIFY_APPLICATION_TOKEN EMNIFY_BASE_PATH SIMTOP_BACKOFF_BASE_MS
export HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state"

. "$(dirname "$0")/lib.sh"

# run NAME RATE_LABEL CONFIGURED [simtop options]: one job; prints a table row.
run() {
	name=$1 label=$2 configured=$3
	shift 3
	start=$(now_ms)
	"$builddir/simtop" apply offline --filter "" --yes "$@" >"$work/$name.out" 2>"$work/$name.err" || true
	wall=$(( $(now_ms) - start ))
	summary=$(tail -n 1 "$work/$name.out")
	requests=$(echo "$summary" | sed -n 's/.*(\([0-9]*\) requests, \([0-9.]*\)\/s).*/\1/p')
	measured=$(echo "$summary" | sed -n 's/.*(\([0-9]*\) requests, \([0-9.]*\)\/s).*/\2/p')
	failed=$(echo "$summary" | sed -n 's/.* \([0-9]*\) failed, \([0-9]*\) half-done.*/\1+\2/p')
	patches=$(( $(stat_of sim_patch) + $(stat_of endpoint_patch) ))
	throttled=$(stat_of status_429)
	share=$(awk -v m="$measured" -v c="$configured" 'BEGIN { printf "%.1f%%", 100 * m / c }')
	selected=$(sed -n 's/^offline (.*) on \([0-9,]*\) devices:$/\1/p' "$work/$name.out")
	printf '| %s | %s | %s | %s | %s | %s | %s/s | %s | %s | %s |\n' "$label" "$selected" "$patches" "$requests" \
		"$(awk -v w="$wall" 'BEGIN { printf "%.1f s", w / 1000 }')" "$configured/s" "$measured" "$share" \
		"$throttled" "$failed"
	echo "$patches" >"$work/$name.patches"
	echo "$requests" >"$work/$name.requests"
	echo "${share%\%}" >"$work/$name.share"
}

echo "| run | devices | PATCHes | job requests | wall time (load included) | rate set | measured | share | 429s | failed + half-done |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"

start_emu --devices "$devices" --no-limits --latency 5
run fast "simtop, --rate $rate, emulator limits off" "$rate" --rate "$rate"
stop_emu

start_emu --devices "$limited"
run limited "simtop, default rate, emulator with emnify's limits" "6.67"
stop_emu

# Postman Runner sends the same PATCHes, one a second, and reads nothing back.
fast_patches=$(cat "$work/fast.patches")
printf '| Postman Runner (computed: 1 call/s, no read-back) | %s | %s | %s | %s h %s min | 1/s | 1/s | 15%% of emnify'"'"'s limit | - | - |\n' \
	"$devices" "$fast_patches" "$fast_patches" "$((fast_patches / 3600))" "$((fast_patches % 3600 / 60))"
echo
# At emnify's limit the same job takes its requests over the measured share of 6.67/s.
awk -v n="$(cat "$work/fast.requests")" -v d="$devices" -v p="$fast_patches" -v share="$(cat "$work/limited.share")" 'BEGIN {
	s = n / (2000 / 300 * share / 100)
	printf "%d devices at emnify'"'"'s limit: simtop %d h %d min (%.0f devices/hour), Postman Runner %d h %d min (%.0f devices/hour)\n",
		d, s / 3600, s % 3600 / 60, d * 3600 / s, p / 3600, p % 3600 / 60, d * 3600 / p
}'
