#!/bin/sh
# A fleet whose names carry escape sequences, control characters, wide characters and very
# long strings: the screen stays intact.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 400 --seed 5 --hostile --no-limits

run_script hostile <<'STEPS'
:save-display hostile.screen
<PgDn>
:save-display hostile-2.screen
:resize 200x50
:save-display hostile-wide.screen
STEPS

for screen in hostile hostile-2 hostile-wide; do
	assert_screen "$screen.screen"
	# No escape or other control character reaches the screen.
	if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$screen.screen"; then
		fail "$screen.screen holds control characters"
	else
		pass "$screen.screen holds no control characters"
	fi
done
assert_eq "$(wc -l <hostile.screen)" 24 "rows of hostile.screen"
assert_eq "$(($(wc -L <hostile.screen) <= 80))" 1 "hostile.screen fits in 80 columns"
assert_eq "$(($(wc -L <hostile-wide.screen) <= 200))" 1 "hostile-wide.screen fits in 200 columns"
finish
