#!/bin/sh
# Find benchmarks: milliseconds from a keystroke to the redrawn screen for filter changes and
# sorts, measured in the program (SIMTOP_BENCH=1, headless SIMTOP_SCRIPT), beside the same
# question answered by awk, grep, wc and sort over the `simtop list --format csv` output saved
# to a file, in the same run. Every figure is the median of $reps repetitions.
# usage: bench/find.sh BUILDDIR [DEVICE COUNTS...]   (default: 100000 1000000)
set -eu
builddir=$(cd "$1" && pwd)
shift
sizes=${*:-100000 1000000}
reps=3
# Targets of issue 3 (at 1,000,000 devices): a filter change under 50 ms, a sort under 200 ms.
filter_target=50
sort_target=200
target_devices=1000000
# Upper bounds, so that a hung step cannot hold the run: the emulator's port, one simtop run.
port_wait_ticks=3000  # of 10 ms
run_seconds=900

work=$(mktemp -d)
emu_pid=""
child=""
cleanup() {
	for pid in $child $emu_pid; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset EMNIFY_APPLICATION_TOKEN EMNIFY_BASE_PATH SIMTOP_BENCH SIMTOP_SCRIPT
export HOME="$work" XDG_CONFIG_HOME="$work/config"
mkdir -p "$work/config/simtop"
printf '[default]\nrate_limits = false\n' >"$work/config/simtop/config"

now_ms() { date +%s%3N; }
# A long step, bounded by timeout and run in the background so that a signal reaches the
# trap at once rather than when the step ends.
bounded() {
	timeout "$run_seconds" "$@" &
	child=$!
	status=0
	wait "$child" || status=$?
	child=""
	return "$status"
}
fail() { echo "bench/find.sh: $*" >&2; exit 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# One script line of keys and one label per key: a label names what that key measures.
key_line() { echo "$1" >>"$work/steps"; }
label() { for name in "$@"; do echo "$rep $name" >>"$work/labels"; done; }
# /QUERY<Enter>, filtered as typed: '/' opens the prompt, every character applies the query
# typed so far, Enter keeps it. $1: group label, $2: the query.
typed() {
	key_line "/$2<Enter>"
	label "$1_open"
	n=${#2}
	while [ "$n" -gt 1 ]; do label "$1_key"; n=$((n - 1)); done
	label "$1_last" "$1_enter"
}

sort_columns="align sim endpoint name iccid imsi msisdn ip tags"
# The CSV column of each sort column, for the baseline (tags: quoted commas, no baseline).
csv_field() {
	case $1 in
	align) echo 9 ;; sim) echo 7 ;; endpoint) echo 8 ;; name) echo 6 ;; iccid) echo 3 ;;
	imsi) echo 4 ;; msisdn) echo 5 ;; ip) echo 10 ;; *) echo "" ;;
	esac
}

# The keys. Toggling `!` off brings back the filter that was active, so every toggle, the
# sorted ones too, comes before the first typed filter: off then shows the whole fleet.
: >"$work/steps"
: >"$work/labels"
rep=1
while [ "$rep" -le "$reps" ]; do
	key_line '!!'
	label toggle_on toggle_off
	rep=$((rep + 1))
done
rep=1
while [ "$rep" -le "$reps" ]; do
	# s: the next column ascending; S: the same column reversed. After tags, s goes back to
	# the default order.
	for column in $sort_columns; do
		key_line 'sS'
		label "s_$column" "S_$column"
	done
	key_line 's'
	label s_default
	# A filter change while sorted by ICCID: the shown rows are sorted again.
	key_line 'sssss'
	label nav nav nav nav nav
	key_line '!!'
	label sorted_toggle_on sorted_toggle_off
	key_line 'sssss'
	label nav nav nav nav nav
	rep=$((rep + 1))
done
rep=1
while [ "$rep" -le "$reps" ]; do
	typed q 'sim:act ep:dis'
	key_line '/<Enter>'
	label clear_open clear
	typed w 'pump'
	key_line '/<Enter>'
	label clear_open clear
	# Words while sorted by name: the shown rows visit the devices in no order of theirs.
	key_line 'ssss'
	label nav nav nav nav
	typed n 'pump'
	key_line '/<Enter>'
	label clear_open clear
	typed d '0100012'
	key_line '/<Enter>'
	label clear_open clear
	key_line 'ssssss'
	label nav nav nav nav nav nav
	rep=$((rep + 1))
done
key_line ':quit'

# Per label, the median over the repetitions (and the rows shown the last time); per typed
# query, the median of each repetition's slowest key.
summarise() {
	awk '
	function med(list,   n, v, i, j, t) {
		n = split(list, v, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		return v[int((n + 1) / 2)]
	}
	{
		rep = $1; name = $2; ms = $3; rows[name] = $4
		all[name] = all[name] " " ms
		group = name; sub(/_.*/, "", group)
		if (!((rep, group) in max) || ms + 0 > max[rep, group] + 0) max[rep, group] = ms
		if (!((rep, group) in seen)) { seen[rep, group] = 1; reps[group] = reps[group] " " rep }
	}
	END {
		for (name in all) printf "ms_%s %s\nrows_%s %s\n", name, med(all[name]), name, rows[name]
		for (group in reps) {
			n = split(reps[group], r, " "); list = ""
			for (i = 1; i <= n; i++) list = list " " max[r[i], group]
			printf "max_%s %s\n", group, med(list)
		}
	}'
}
get() { sed -n "s/^$1 //p" "$work/results"; }

# A baseline: the median wall time of a shell command over the saved CSV; its output goes to
# $2 (default $work/out, kept for the count check; /dev/null for the sorts).
baseline() {
	i=0
	while [ "$i" -lt "$reps" ]; do
		start=$(now_ms)
		eval "$1" >"${2:-$work/out}" || true  # grep -c finds nothing: status 1, still a time
		echo $(($(now_ms) - start))
		i=$((i + 1))
	done | median
}

# The two lines of a typed query: its last key, beside the baseline, and its slowest key.
typed_lines() { # devices group title keys last-key-note baseline-command baseline-ms
	ms=$(get "ms_$2_last")
	line "$1" "$3: last key$5" "$ms" "$(get "rows_$2_last")" "$6" "$7" "$(verdict "$ms" $filter_target "$1")"
	ms=$(get "max_$2")
	line "$1" "$3: slowest of $4 keys" "$ms" "" "" "" "$(verdict "$ms" $filter_target "$1")"
}

verdict() { # ms target devices
	if [ "$3" -lt "$target_devices" ]; then
		echo ""
	elif [ "$1" -lt "$2" ]; then
		echo "< $2 ok"
	else
		echo "< $2 MISSED"
	fi
}

line() { # devices step ms rows baseline-command baseline-ms target
	printf '%-9s | %-42s | %9s | %10s | %-47s | %7s | %s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7"
}
line "devices" "keys (simtop, SIMTOP_BENCH=1)" "simtop ms" "rows shown" "baseline over the CSV (same run)" "base ms" "target at 1M"
printf '%s\n' "----------+--------------------------------------------+-----------+------------+-------------------------------------------------+---------+-------------"

for devices in $sizes; do
	rm -f "$work/port"
	"$builddir/simtop-emu" --port 0 --devices "$devices" --seed 1 --no-limits >"$work/port" 2>/dev/null &
	emu_pid=$!
	ticks=0
	while [ ! -s "$work/port" ]; do
		kill -0 "$emu_pid" 2>/dev/null || fail "simtop-emu --devices $devices did not start"
		ticks=$((ticks + 1))
		[ "$ticks" -le "$port_wait_ticks" ] || fail "simtop-emu printed no port"
		sleep 0.01
	done
	port=$(head -n 1 "$work/port")
	export EMNIFY_BASE_PATH="http://127.0.0.1:$port" EMNIFY_APPLICATION_TOKEN=emu-demo-token

	# The TUI, headless: the load finishes before the first key; each key then waits until
	# the screen of the one before is drawn.
	bounded env SIMTOP_BENCH=1 SIMTOP_SCRIPT="$work/steps" "$builddir/simtop" 2>"$work/bench" ||
		fail "simtop failed at $devices devices: $(tail -n 3 "$work/bench")"
	sed -n 's/^bench: key_to_screen_ms=\([0-9]*\) rows=\([0-9]*\)$/\1 \2/p' "$work/bench" >"$work/keys"
	[ "$(wc -l <"$work/keys")" -eq "$(wc -l <"$work/labels")" ] ||
		fail "$(wc -l <"$work/keys") redraws for $(wc -l <"$work/labels") keys at $devices devices"
	paste -d ' ' "$work/labels" "$work/keys" | summarise >"$work/results"
	loaded=$(sed -n 's/.*loaded_ms=\([0-9]*\).*/\1/p' "$work/bench")

	# The baseline's input: the same fleet as CSV, saved once without its header (not timed).
	bounded "$builddir/simtop" list --format csv >"$work/list.csv" ||
		fail "simtop list failed at $devices devices"
	kill "$emu_pid"; wait "$emu_pid" 2>/dev/null || true; emu_pid=""
	csv="$work/fleet.csv"
	tail -n +2 "$work/list.csv" >"$csv"
	rm -f "$work/list.csv"

	mismatch=""
	check() { # label, count from the baseline
		[ "$(get "rows_$1")" = "$2" ] || mismatch="$mismatch $1 (simtop $(get "rows_$1"), baseline $2)"
	}
	# "Misaligned only" shows the billed devices too (the CSV names their alignment "billed").
	t=$(baseline "awk -F, '\$9==\"misaligned\"||\$9==\"billed\"' '$csv' | wc -l"); n_misaligned=$(cat "$work/out")
	check toggle_on "$n_misaligned"
	ms=$(get ms_toggle_on)
	line "$devices" "! misaligned only: on" "$ms" "$(get rows_toggle_on)" \
		"awk -F, '\$9==\"misaligned\"||\$9==\"billed\"' | wc -l" "$t" "$(verdict "$ms" $filter_target "$devices")"
	t_all=$(baseline "wc -l <'$csv'"); n_all=$(cat "$work/out")
	check toggle_off "$n_all"
	ms=$(get ms_toggle_off)
	line "$devices" "! misaligned only: off" "$ms" "$(get rows_toggle_off)" \
		"wc -l" "$t_all" "$(verdict "$ms" $filter_target "$devices")"

	t=$(baseline "awk -F, '\$7==\"Activated\" && \$8==\"Disabled\"' '$csv' | wc -l"); n=$(cat "$work/out")
	check q_last "$n"
	typed_lines "$devices" q "/sim:act ep:dis" 16 " (s)" \
		"awk -F, '\$7==\"Activated\"&&\$8==\"Disabled\"'|wc -l" "$t"

	t=$(baseline "grep -ci pump '$csv'"); n=$(cat "$work/out")
	check w_last "$n"
	typed_lines "$devices" w "/pump" 6 " (p)" "grep -ci pump" "$t"
	check n_last "$n"
	typed_lines "$devices" n "/pump sorted by name" 6 "" "grep -ci pump" "$t"

	# Digits: every text field holds some, so none is skipped. The CSV has no IMEI column,
	# so the counts may differ; the baseline is only a time.
	t=$(baseline "grep -c 0100012 '$csv'")
	typed_lines "$devices" d "/0100012 sorted by name" 9 "" "grep -c 0100012" "$t"

	check clear "$n_all"
	ms=$(get ms_clear)
	line "$devices" "/<Enter>: clear the filter" "$ms" "$(get rows_clear)" \
		"wc -l" "$t_all" "$(verdict "$ms" $filter_target "$devices")"

	check sorted_toggle_on "$n_misaligned"
	check sorted_toggle_off "$n_all"
	ms=$(get ms_sorted_toggle_on)
	line "$devices" "! on, sorted by iccid" "$ms" "$(get rows_sorted_toggle_on)" "" "" \
		"$(verdict "$ms" $filter_target "$devices")"
	ms=$(get ms_sorted_toggle_off)
	line "$devices" "! off, sorted by iccid" "$ms" "$(get rows_sorted_toggle_off)" "" "" \
		"$(verdict "$ms" $filter_target "$devices")"

	for column in $sort_columns; do
		field=$(csv_field "$column")
		for key in s S; do
			if [ "$key" = s ]; then step="s: sort by $column"; flag=""; else step="S: $column, reversed"; flag=" -r"; fi
			command="" t=""
			if [ -n "$field" ]; then
				command="sort -s -f$flag -t, -k$field,$field"
				t=$(baseline "$command '$csv'" /dev/null)
			fi
			ms=$(get "ms_${key}_$column")
			line "$devices" "$step" "$ms" "$(get "rows_${key}_$column")" "$command" "$t" \
				"$(verdict "$ms" $sort_target "$devices")"
		done
	done
	ms=$(get ms_s_default)
	line "$devices" "s: back to the default order" "$ms" "$(get rows_s_default)" "" "" \
		"$(verdict "$ms" $sort_target "$devices")"
	printf '%-9s | %s\n' "$devices" "(loaded in $loaded ms; figures are medians of $reps runs)"
	[ -z "$mismatch" ] || echo "WARNING: row counts differ from the baseline's:$mismatch" >&2
done
