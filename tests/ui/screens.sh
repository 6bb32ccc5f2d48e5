#!/bin/sh
# Screens of the real program, headless: the first screen, scrolling to the last of 100,000
# rows, the detail view, help, and resizes to 80x24 and 200x50.
. "$top_srcdir/tests/lib/harness.sh"

# The loads are not about pacing: limits off on both sides, so 100,000 devices load in seconds.
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\n' >"$XDG_CONFIG_HOME/simtop/config"
emu_start --devices 100000 --seed 3 --no-limits --epoch 1764590400

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

# Keys from the config file's [keys]: n moves down in place of j, F is offline in place of f;
# the help screen shows the keys as bound. A small fleet does.
emu_start --devices 200 --seed 3 --no-limits
printf '[default]\nrate_limits = false\n[keys]\nmove-down = n <Down>\noffline = F\n' >"$XDG_CONFIG_HOME/simtop/config"
run_script keys <<'STEPS'
nnn
:save-display keys-moved.screen
j
:save-display keys-unbound.screen
?
:save-display keys-help.screen
<PgDn>
:save-display keys-help-2.screen
G<Up><Up><Up>
:save-display keys-help-end.screen
STEPS
assert_contains keys-moved.screen "row 4"
assert_contains keys-unbound.screen "j is not bound to anything"
assert_contains keys-help.screen " n <Down> "
assert_not_contains keys-help.screen "<Down> j"
assert_contains keys-help-2.screen "  F             offline "
# Ctrl-C is no action, but the help says what it does, below the main keys (and above the
# confirmation's, which end the help with the legend).
assert_contains keys-help-end.screen "<C-c>"
assert_contains keys-help-end.screen "Quit, or cancel a job as Esc (twice in 2 s: quit)"
# A key name that is no key: the file and line, and nothing starts.
printf '[keys]\noffline = <Fn>\n' >"$XDG_CONFIG_HOME/simtop/config"
"$SIMTOP" list >/dev/null 2>keys.stderr
assert_eq "$?" 2 "exit status with a bad key name"
assert_contains keys.stderr "config:2: offline: \"<Fn>\" is no key"
rm "$XDG_CONFIG_HOME/simtop/config"
finish
