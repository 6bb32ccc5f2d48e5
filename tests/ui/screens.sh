#!/bin/sh
# Screens of the real program, headless: the first screen, scrolling to the last of 100,000
# rows, the detail view, help, and resizes to 80x24 and 200x50.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 100000 --seed 3 --no-limits

run_script fleet <<'STEPS'
:save-display first.screen
<PgDn><PgDn>j
:save-display pagedown.screen
G
:save-display last.screen
k<PgUp>
:save-display last-pageup.screen
g
<Enter>
:save-display detail.screen
<Esc>?
:save-display help.screen
q
:resize 200x50
:save-display wide.screen
:resize 80x24
:save-display narrow.screen
q
STEPS

for screen in first pagedown last last-pageup detail help wide narrow; do
	assert_screen "$screen.screen"
done

# The last row is the last device of the fleet: the emulator's last SIM-only device or the
# highest endpoint id, whichever the default order puts last; the title counts every device.
assert_contains first.screen "100,000 devices"
assert_not_contains first.screen "loading"
# Every saved screen is as wide as the terminal at most, and as tall as it.
for screen in first last detail help narrow; do
	assert_eq "$(wc -l <"$screen.screen")" 24 "rows of $screen.screen"
	assert_eq "$(($(wc -L <"$screen.screen") <= 80))" 1 "$screen.screen fits in 80 columns"
done
assert_eq "$(wc -l <wide.screen)" 50 "rows of wide.screen"
finish
