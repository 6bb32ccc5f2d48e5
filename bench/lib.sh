# Helpers shared by bench/jobs.sh and bench/bulk.sh; sourced, not run. The script sets
# $builddir (where simtop-emu is) and $work (its scratch directory) first; start_emu sets
# $emu_pid and $url, and points simtop at the emulator.

now_ms() { date +%s%3N; }

# start_emu [simtop-emu options]: an emulator on a free port, fleet seed 1.
start_emu() {
	rm -f "$work/port"
	"$builddir/simtop-emu" --port 0 --seed 1 "$@" >"$work/port" 2>/dev/null &
	emu_pid=$!
	while [ ! -s "$work/port" ]; do sleep 0.01; done
	url="http://127.0.0.1:$(head -n 1 "$work/port")"
	export EMNIFY_BASE_PATH="$url" EMNIFY_APPLICATION_TOKEN=emu-demo-token
}
stop_emu() {
	kill "$emu_pid"; wait "$emu_pid" 2>/dev/null || true; emu_pid=""
}
# stat_of NAME: one counter of the emulator's /_emu/stats.
stat_of() {
	curl -s "$url/_emu/stats" | tr ',{}' '\n\n\n' | sed -n "s/^ *\"$1\" *: *\([0-9]*\).*/\1/p"
}
