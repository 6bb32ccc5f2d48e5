#!/bin/sh
# The fleet table's columns at 60×24, 80×24 and 200×50: NAME and ICCID on screen at every width,
# compact statuses when narrow; scrolling sideways (l, h) reaches every column; < and > sort by
# the column beside the sorted one, which stays on screen however far the table scrolled; C
# chooses and orders the columns, and so does the config key columns (an unknown name refused).
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 300 --seed 8 --no-limits --epoch 1764590400
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\nsnapshot = false\n' >"$XDG_CONFIG_HOME/simtop/config"

run_script columns <<'STEPS'
:resize 60x24
:save-display columns-60.screen
:resize 80x24
:save-display columns-80.screen
:resize 200x50
:save-display columns-200.screen
:resize 80x24
l
:save-display scrolled-1.screen
llllllllll
:save-display scrolled-end.screen
>
:save-display sorted-align.screen
>>>>
:save-display sorted-iccid.screen
hhhhhhhhhhhh
:save-display scrolled-back.screen
<<<<<
:save-display sorted-default.screen
C<C-u>name,tags,iccid<Enter>
:save-display chosen.screen
C<C-u>name,colour<Enter>
:save-display chosen-bad.screen
<Esc>
STEPS
for screen in columns-60 columns-80 columns-200 scrolled-1 scrolled-end sorted-iccid scrolled-back chosen; do
	assert_screen "$screen.screen"
done
# At every width both identifying columns are there.
for width in 60 80 200; do
	assert_contains columns-$width.screen "NAME"
	assert_contains columns-$width.screen "ICCID"
	assert_contains columns-$width.screen "8988303670800000000"
done
assert_contains columns-60.screen "Act"
assert_contains columns-200.screen "Activated"
assert_contains scrolled-end.screen "TAGS"
assert_contains sorted-align.screen "Sorted by align"
assert_contains sorted-iccid.screen "Sorted by iccid"
assert_contains sorted-default.screen "Sorted in the default order"
assert_contains chosen-bad.screen 'no column "colour"'

# The config key: the columns and their order at start; an unknown one is refused, named.
printf '[default]\nrate_limits = false\nsnapshot = false\ncolumns = iccid, name, imsi\n' \
	>"$XDG_CONFIG_HOME/simtop/config"
run_script configured <<'STEPS'
:resize 80x24
:save-display configured.screen
STEPS
assert_contains configured.screen "M ICCID                NAME"
printf '[default]\ncolumns = iccid,nickname\n' >"$XDG_CONFIG_HOME/simtop/config"
"$SIMTOP" list --format csv >/dev/null 2>bad-config.err
assert_eq "$?" 2 "exit status with an unknown column in the config"
assert_contains bad-config.err 'columns in'
assert_contains bad-config.err 'no column "nickname"'
finish
