#!/bin/sh
# Live state for many devices: `simtop list --with connectivity,usage` against simtop-emu with
# emnify's published limits, beside the floor those limits allow and curl at one call a second.
# usage: bench/live.sh BUILDDIR [DEVICES]   (default 1000; 300 takes about a minute)
#
# The fleet: DEVICES devices, each with an endpoint and its SIM (fleet seed 1, --unpaired 0), so
# the live calls are one connectivity and one stats call per device. The emulator enforces
# emnify's limits: lists 10/s burst 5, connectivity 50/s burst 25, endpoint stats 100/s burst
# 50, authenticate 100 per 5 min, and every API call at most 2,000 in any 5 minutes per IP.
# simtop runs with `rate_limits = true` in a fresh HOME (no snapshot). Counted by the emulator:
# calls by kind, 429s (and window blocks); checked: every device's row has both columns.
#
# The floor is the earliest the last call can go when each call goes as soon as its route's
# bucket (full at the start) and the per-IP window let it, with no latency: the live calls in
# parallel across the two routes after the authentication and the list pages. Once the calls
# exceed 2,000, the 2,001st must wait until the first has left the window, 300 s after it.
# The same schedule with simtop's own limits (each route's bucket less its jitter margin, and
# 1,900 per 5 minutes) is printed as a model of what simtop should take; past one window simtop
# reads only with --yes, which is given. The curl baseline is measured on 20 calls,
# each followed by `sleep 1` (one device at a time, a second apart), and extrapolated.
set -eu
builddir=$(cd "$1" && pwd)
devices=${2:-1000}
work=$(mktemp -d)
emu_pid=""
trap '[ -n "$emu_pid" ] && kill $emu_pid 2>/dev/null; rm -rf "$work"' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset EMNIFY_APPLICATION_TOKEN EMNIFY_BASE_PATH SIMTOP_BACKOFF_BASE_MS
mkdir -p "$work/home/.config/simtop"
printf '[default]\nrate_limits = true\n' >"$work/home/.config/simtop/config"
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_CACHE_HOME="$work/home/.cache" \
	XDG_STATE_HOME="$work/home/.state"

. "$(dirname "$0")/lib.sh"

# schedule AUTH LISTS CONN STATS PACE PACE_BURST WINDOW_CALLS AUTH_BURST LIST_BURST CONN_BURST
#          STATS_BURST: seconds until the last call, and the seconds of each kind alone
#          (route bucket only), one line "total auth lists conn stats".
schedule() {
	awk -v a="$1" -v l="$2" -v c="$3" -v s="$4" -v pace="$5" -v pb="$6" -v w="$7" \
		-v ab="$8" -v lb="$9" -v cb="${10}" -v sb="${11}" 'BEGIN {
		n[1] = a; r[1] = 100 / 300; b[1] = ab
		n[2] = l; r[2] = 10; b[2] = lb
		n[3] = c; r[3] = 50; b[3] = cb
		n[4] = s; r[4] = 100; b[4] = sb
		for (k = 1; k <= 4; k++) {
			tok[k] = b[k]; upd[k] = 0; total += n[k]
			alone[k] = n[k] > b[k] ? (n[k] - b[k]) / r[k] : 0
		}
		ptok = pb; pupd = 0; gate = 0
		for (i = 0; i < total; i++) {
			best = -1
			for (k = 1; k <= 4; k++) {
				if (n[k] == 0 || (k == 2 && n[1] > 0) || (k >= 3 && n[1] + n[2] > 0))
					continue
				t = tok[k] >= 1 ? upd[k] : upd[k] + (1 - tok[k]) / r[k]
				if (pace > 0 && ptok < 1 && pupd + (1 - ptok) / pace > t)
					t = pupd + (1 - ptok) / pace
				if (i >= w && at[i - w] + 300 > t)
					t = at[i - w] + 300
				if (gate > t)
					t = gate
				if (best < 0 || t < bt) { best = k; bt = t }
			}
			tok[best] += (bt - upd[best]) * r[best]
			if (tok[best] > b[best]) tok[best] = b[best]
			tok[best]--; upd[best] = bt
			if (pace > 0) {
				ptok += (bt - pupd) * pace
				if (ptok > pb) ptok = pb
				ptok--; pupd = bt
			}
			at[i] = bt; n[best]--
			if (best <= 2)
				gate = bt
		}
		printf "%.1f %.1f %.1f %.1f %.1f\n", at[total - 1], alone[1], alone[2], alone[3], alone[4] }'
}
# human SECONDS: "12.3 s", or "5 min 07 s" from a minute on.
# ratio A B: A / B as "1.03", or "15" from 10 on.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { r = b > 0 ? a / b : 0; printf (r < 10 ? "%.2f" : "%.0f"), r }'
}
human() {
	awk -v s="$1" 'BEGIN { if (s < 60) printf "%.1f s", s; else printf "%d min %02d s", s / 60, s % 60 }'
}

start_emu --devices "$devices" --unpaired 0
endpoints=$(curl -s "$url/_emu/state" | sed -n 's/.*"endpoints": *\([0-9]*\).*/\1/p')
start=$(now_ms)
status=0
"$builddir/simtop" list --with connectivity,usage --yes --format csv >"$work/list.csv" 2>"$work/list.err" || status=$?
wall=$(awk -v ms="$(( $(now_ms) - start ))" 'BEGIN { print ms / 1000 }')
auth=$(stat_of authenticate)
lists=$(( $(stat_of endpoint_list) + $(stat_of sim_list) ))
conn=$(stat_of connectivity)
stats=$(stat_of endpoint_stats)
calls=$(stat_of requests)
throttled=$(stat_of status_429)
blocked=$(stat_of ip_window_blocked)
# Rows with an endpoint id, and those of them whose last two cells (connectivity,
# data_month_mb: never quoted) are both there.
rows=$(awk -F, 'NR > 1 && $2 != "" { n++ } END { print n + 0 }' "$work/list.csv")
complete=$(awk -F, 'NR > 1 && $2 != "" && $(NF - 1) != "" && $NF != "" { n++ } END { print n + 0 }' "$work/list.csv")
stop_emu

# The floor's calls: the authentication, the list pages a lean load needs (endpoint pages and
# one page of SIMs without an endpoint), one call per device per kind.
floor_lists=$(( (endpoints + 999) / 1000 + 1 ))
schedule 1 "$floor_lists" "$endpoints" "$endpoints" 0 0 2000 100 5 25 50 >"$work/floor"
read -r floor f_auth f_lists f_conn f_stats <"$work/floor"
floor_calls=$(( 1 + floor_lists + 2 * endpoints ))
# simtop's own limits: no pace for live reads, 1,900 per 5 minutes, each route's bucket less its
# jitter margin (api.c burst_with_margin).
model=$(schedule "$auth" "$lists" "$conn" "$stats" 0 0 1900 20 4 20 40 | cut -d' ' -f1)
# The most devices whose calls fit one window.
fits=$(( (2000 - 1 - floor_lists) / 2 ))
fits_floor=$(schedule 1 "$floor_lists" "$fits" "$fits" 0 0 2000 100 5 25 50 | cut -d' ' -f1)
fits_model=$(schedule 1 "$floor_lists" "$fits" "$fits" 0 0 1900 20 4 20 40 | cut -d' ' -f1)

# curl at one call a second, on a fresh emulator (the first one's window is spent): the first
# 10 devices' connectivity and stats, 20 calls.
start_emu --devices "$devices" --unpaired 0
token=$(curl -s -X POST -d '{"application_token":"emu-demo-token"}' "$url/api/v1/authenticate" |
	sed -n 's/.*"auth_token": *"\([^"]*\)".*/\1/p')
awk -F, 'NR > 1 && $2 != "" { print $2 }' "$work/list.csv" | head -n 10 >"$work/ids"
start=$(now_ms)
sample=0
while read -r id; do
	for route in connectivity stats; do
		curl -s -o /dev/null -H "Authorization: Bearer $token" "$url/api/v1/endpoint/$id/$route"
		sleep 1
		sample=$((sample + 1))
	done
done <"$work/ids"
sample_ms=$(( $(now_ms) - start ))
curl_429=$(stat_of status_429)
stop_emu
curl_s=$(awk -v ms="$sample_ms" -v n="$sample" -v calls="$floor_calls" 'BEGIN { print n ? calls * ms / n / 1000 : 0 }')

echo "Live state for $devices devices with endpoints: simtop list --with connectivity,usage --format csv"
echo "(simtop-emu on 127.0.0.1 with emnify's limits, fleet seed 1, rate_limits = true)"
echo
echo "| kind | route limit | calls, simtop | calls, floor | floor, this kind alone |"
echo "| --- | --- | ---: | ---: | ---: |"
printf '| authenticate | 100 per 5 min, burst 100 | %s | 1 | %s |\n' "$auth" "$(human "$f_auth")"
printf '| list pages (endpoints, SIMs without one) | 10/s, burst 5 | %s | %s | %s |\n' "$lists" "$floor_lists" \
	"$(human "$f_lists")"
printf '| connectivity | 50/s, burst 25 | %s | %s | %s |\n' "$conn" "$endpoints" "$(human "$f_conn")"
printf '| endpoint stats | 100/s, burst 50 | %s | %s | %s |\n' "$stats" "$endpoints" "$(human "$f_stats")"
printf '| every call, per IP | 2,000 in any 5 min | %s | %s | %s |\n' "$calls" "$floor_calls" \
	"$([ "$floor_calls" -gt 2000 ] && echo "wait for the window" || echo "fits one window")"
echo
echo "| run | calls | 429s (window blocks) | rows with both columns | wall time | × floor |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
printf '| simtop, measured (exit status %s) | %s | %s (%s) | %s of %s | %s | %s |\n' "$status" "$calls" "$throttled" \
	"$blocked" "$complete" "$rows" "$(human "$wall")" "$(ratio "$wall" "$floor")"
printf '| floor at emnify'"'"'s limits, no latency (computed) | %s | - | - | %s | 1.00 |\n' "$floor_calls" "$(human "$floor")"
printf '| simtop'"'"'s own limits: route buckets, 1,900 per 5 min (computed) | %s | - | - | %s | %s |\n' "$calls" \
	"$(human "$model")" "$(ratio "$model" "$floor")"
printf '| curl, one call then sleep 1 (extrapolated from %s measured calls, %s 429s) | %s | - | - | %s | %s |\n' \
	"$sample" "$curl_429" "$floor_calls" "$(human "$curl_s")" \
	"$(ratio "$curl_s" "$floor")"
echo
{
	printf 'The floor: each kind alone takes (calls - burst) / rate, and the kinds run side by side, '
	printf 'so the routes alone allow %s. ' "$(human "$f_conn")"
	if [ "$floor_calls" -gt 2000 ]; then
		printf 'But %s calls (authentication and list pages included) exceed the 2,000 per IP in any ' "$floor_calls"
		printf '5 minutes: the last %s must wait until the first calls leave the window, 300 s after ' \
			"$((floor_calls - 2000))"
		printf 'they went, so the window sets the floor at %s. ' "$(human "$floor")"
	else
		printf '%s calls fit one window of 2,000, so the window adds nothing. ' "$floor_calls"
	fi
	printf 'Up to %s devices fit one window (floor %s); one device more and the floor is ' "$fits" \
		"$(human "$fits_floor")"
	printf '300 s or more.\n'
	printf 'simtop keeps to each route'"'"'s limit (its buckets hold a little less, against jitter) and to '
	printf 'at most 1,900 calls in any 5 minutes (5%% below the window): for %s devices its own limits ' "$fits"
	printf 'take %s, %s × the floor.\n' "$(human "$fits_model")" \
		"$(ratio "$fits_model" "$fits_floor")"
} | fold -s -w 100 | sed "s/ *$//"
[ ! -s "$work/list.err" ] || { echo; echo "simtop's standard error:"; head -n 5 "$work/list.err"; }
