#!/bin/sh
# Copy (y, Y) puts text on the terminal's clipboard with OSC 52; tmux, with set-clipboard on,
# takes it into its paste buffer, as it passes it on to the terminal outside. The cursor's ICCID,
# a field from the menu, the marked rows as CSV; a field the device lacks copies nothing.
. "$top_srcdir/tests/lib/harness.sh"

if [ -z "$TMUX_BIN" ]; then
	echo "tmux is not installed"; exit 77
fi
emu_start --devices 120 --seed 8 --no-limits
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\nsnapshot = false\n' >"$XDG_CONFIG_HOME/simtop/config"
"$SIMTOP" list --format csv >fleet.csv
header=$(head -n 1 fleet.csv)
column_of() { echo "$header" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
first_iccid=$(sed -n 2p fleet.csv | cut -d, -f"$(column_of iccid)")
second_imsi=$(sed -n 3p fleet.csv | cut -d, -f"$(column_of imsi)")
second_name=$(sed -n 3p fleet.csv | cut -d, -f"$(column_of name)")

tmux_session copy \
	"env HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME \
	EMNIFY_BASE_PATH=$EMU_URL EMNIFY_APPLICATION_TOKEN=emu-demo-token TERM=screen-256color $SIMTOP"
tmux_run set-option -g set-clipboard on
tmux_wait_for "120 devices"
tmux_wait_for " shown"
# y: the first row's ICCID.
tmux_run send-keys -t copy y
tmux_wait_for "Copied the ICCID $first_iccid"
wait_until "a paste buffer" "tmux_run show-buffer >buffer.txt 2>/dev/null && [ -s buffer.txt ]"
assert_eq "$(cat buffer.txt)" "$first_iccid" "the clipboard after y"
# Y 2: the second row's IMSI, from the menu.
tmux_run send-keys -t copy j Y
tmux_wait_for "the cursor's IMSI"
tmux_run send-keys -t copy 2
tmux_wait_for "Copied the IMSI $second_imsi of $second_name"
wait_until "the IMSI in the paste buffer" "[ \"\$(tmux_run show-buffer)\" = '$second_imsi' ]"
# Y 7 with two devices marked: their rows as CSV, the header first.
tmux_run send-keys -t copy k Space Space Y 7
tmux_wait_for "Copied the 2 marked rows as CSV"
wait_until "CSV in the paste buffer" "tmux_run show-buffer | head -n 1 | grep -q '^sim_id,endpoint_id,'"
tmux_run show-buffer | tr -d '\r' >marked.csv
sed -n 1,3p fleet.csv | tr -d '\r' >expected.csv
cmp -s marked.csv expected.csv && pass "the marked rows, as CSV, are the list's" ||
	fail "the marked rows differ: $(diff marked.csv expected.csv | head -5)"
tmux_run send-keys -t copy q
wait_until "simtop to quit" "! tmux_run has-session -t copy 2>/dev/null"
finish
