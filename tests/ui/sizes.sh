#!/bin/sh
# Each screen at 60×24, 80×24 and 200×50: the fleet keeps NAME and ICCID; the confirmation names
# its device and keeps its buttons; the help's pages hold their lines whole from 80 columns on;
# the search prompt, the live read's question, the copy menu and the device view say what they
# are for. Every cut line ends in an ellipsis, never mid-character.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 200 --seed 8 --no-limits --epoch 1764590400
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\nsnapshot = false\n' >"$XDG_CONFIG_HOME/simtop/config"
"$SIMTOP" list --format csv >fleet.csv
header=$(head -n 1 fleet.csv)
column_of() { echo "$header" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
first_name=$(sed -n 2p fleet.csv | cut -d, -f"$(column_of name)")
first_iccid=$(sed -n 2p fleet.csv | cut -d, -f"$(column_of iccid)")

for size in 60x24 80x24 200x50; do
	width=${size%x*}
	run_script "sizes-$size" <<STEPS
:resize $size
:save-display fleet-$size.screen
f
:save-display confirm-$size.screen
<Esc>?
:save-display help-$size.screen
<Esc>\\pump
:save-display search-$size.screen
<Esc>L
:save-display live-$size.screen
<Esc>Y
:save-display copy-$size.screen
<Esc><Home><Enter>
:save-display device-$size.screen
<Esc>
STEPS
	assert_contains fleet-$size.screen "NAME"
	assert_contains fleet-$size.screen "ICCID"
	assert_contains fleet-$size.screen "$first_iccid"
	assert_contains confirm-$size.screen "Switch 1 device:"
	assert_contains confirm-$size.screen "$first_name, ICCID $first_iccid"
	assert_contains confirm-$size.screen "[ Cancel ]"
	assert_contains help-$size.screen "Help 1/5"
	assert_contains search-$size.screen "search: pump"
	assert_contains live-$size.screen "Read the network's view of"
	assert_contains copy-$size.screen "the cursor's ICCID"
	assert_contains device-$size.screen "Connectivity"
	for screen in fleet confirm help search live copy device; do
		too_wide=$(LC_ALL=C.UTF-8 grep -cE "^.{$((width + 1))}" "$screen-$size.screen")
		assert_eq "$too_wide" 0 "lines of $screen-$size wider than the screen"
	done
	if [ "$width" -ge 80 ]; then
		assert_eq "$(sed -n '3,$p' help-$size.screen | grep -c '…')" 0 "cut lines in the help at $size"
	fi
done
# Cut at 60 columns, the help says so with an ellipsis, by display width.
grep -q '…$' help-60x24.screen && pass "the help's cut lines end in … at 60 columns" ||
	fail "no ellipsis in the help at 60 columns"
finish
