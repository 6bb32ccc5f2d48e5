#!/bin/sh
# The mouse, with mouse = true: a click on a row puts the cursor there, a click on a column's
# title sorts by it (again: the other way), the wheel scrolls three rows a notch; without it
# (the default) clicks are the terminal's, for its own selection, and simtop takes none.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 120 --seed 8 --no-limits
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\nsnapshot = false\n' >"$XDG_CONFIG_HOME/simtop/config"
run_script default <<'STEPS'
:resize 100x30
:click 6 10
:save-display ignored.screen
STEPS
assert_contains ignored.screen "· row 1 "

printf '[default]\nrate_limits = false\nsnapshot = false\nmouse = true\n' >"$XDG_CONFIG_HOME/simtop/config"
run_script mouse <<'STEPS'
:resize 100x30
:click 6 10
:save-display clicked.screen
:wheel down
:save-display wheel-down.screen
:wheel up
:wheel up
:save-display wheel-up.screen
:click 1 40
:save-display sorted.screen
:click 1 40
:save-display sorted-again.screen
:click 29 10
:save-display outside.screen
STEPS
# Row 6 of the screen is the fifth row of the table (title, header, then the rows).
assert_contains clicked.screen "· row 5 "
assert_contains wheel-down.screen "· row 8 "
assert_contains wheel-up.screen "· row 2 "
assert_contains sorted.screen "Sorted by name, ascending"
assert_contains sorted.screen "NAME▲"
assert_contains sorted-again.screen "Sorted by name, descending"
assert_contains sorted-again.screen "NAME▼"
# A click on the status line, below the last row, moves nothing.
row_before=$(sed -n 's/.*· \(row [0-9]*\) .*/\1/p' sorted-again.screen)
[ -n "$row_before" ] && assert_contains outside.screen "· $row_before "
finish
