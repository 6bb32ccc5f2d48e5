#!/bin/sh
# CSV runs nothing: a name that starts a formula is written with a leading ' by simtop list and
# by the TUI's exports (--csv-raw turns it off for list; JSON stays exact). Export files are
# created 0600, never through a symbolic link, and an existing file is overwritten only after
# a yes; ~/ is expanded in the export and import prompts.
. "$top_srcdir/tests/lib/harness.sh"

# Seed 5 gives the hostile name =cmd|' /C calc'!A0-8207 to the seventh device.
emu_start --devices 400 --seed 5 --hostile --no-limits
formula="=cmd|' /C calc'!A0-8207"

"$SIMTOP" list --format csv >guarded.csv 2>guarded.stderr
assert_eq "$?" 0 "exit status of list --format csv"
assert_contains guarded.csv ",'$formula,"
assert_not_contains guarded.csv ",$formula,"
"$SIMTOP" list --format csv --csv-raw >raw.csv 2>raw.stderr
assert_eq "$?" 0 "exit status of list --format csv --csv-raw"
assert_contains raw.csv ",$formula,"
# The guard adds a ' at the start of a cell, and changes nothing else.
unguarded=$(sed "s/\(^\|,\|\"\)'\([-=+@]\)/\1\2/g" guarded.csv | cmp -s - raw.csv && echo same)
assert_eq "$unguarded" same "guarded CSV without the quotes it added"
"$SIMTOP" list --format json >fleet.json 2>json.stderr
assert_contains fleet.json "\"name\":\"$formula\""
"$SIMTOP" list --format json --csv-raw >/dev/null 2>raw-json.stderr
assert_eq "$?" 2 "exit status of --csv-raw with --format json"
assert_contains raw-json.stderr "--csv-raw goes with --format csv"
SIMTOP_SCRIPT=/dev/null "$SIMTOP" --csv-raw >/dev/null 2>raw-tui.stderr
assert_eq "$?" 2 "exit status of --csv-raw without list"

# A file that is there already: kept on n, overwritten (and made 0600) on y.
umask 000
printf 'precious\n' >simtop-shown.csv
chmod 644 simtop-shown.csv
run_script keep <<'STEPS'
e<Enter>
:save-display ask.screen
n
:save-display kept.screen
STEPS
assert_contains ask.screen "simtop-shown.csv exists: overwrite? y/N"
assert_contains kept.screen "Not written: simtop-shown.csv is kept as it was"
assert_eq "$(cat simtop-shown.csv)" precious "the file after n"
run_script overwrite <<'STEPS'
e<Enter>
y
:save-display overwritten.screen
STEPS
assert_contains overwritten.screen "Wrote 400 shown rows to simtop-shown.csv"
assert_eq "$(tr -d '\r' <simtop-shown.csv | head -n 1 | cut -d, -f1)" sim_id "the file after y"
assert_eq "$(stat -c %a simtop-shown.csv)" 600 "mode of the overwritten file"
assert_contains simtop-shown.csv ",'$formula,"

# A new file is 0600 whatever the umask; a JSON export is exact.
run_script new <<'STEPS'
enew.csv<Enter>
enew.json<Enter>
:save-display new.screen
STEPS
assert_eq "$(stat -c %a new.csv)" 600 "mode of a new CSV export (umask 000)"
assert_eq "$(stat -c %a new.json)" 600 "mode of a new JSON export"
assert_contains new.csv ",'$formula,"
assert_contains new.json "\"name\":\"$formula\""

# A symbolic link at the path is refused, dangling or not; so are a FIFO and a directory.
printf 'other\n' >target.csv
ln -s target.csv link.csv
ln -s missing.csv dangling.csv
mkfifo fifo.csv
mkdir folder.csv
run_script refused <<'STEPS'
elink.csv<Enter>
:save-display link.screen
edangling.csv<Enter>
:save-display dangling.screen
efifo.csv<Enter>
:save-display fifo.screen
efolder.csv<Enter>
:save-display folder.screen
STEPS
assert_contains link.screen "Not written: link.csv is a symbolic link"
assert_contains dangling.screen "Not written: dangling.csv is a symbolic link"
assert_eq "$(cat target.csv)" other "the symbolic link's target"
[ -e missing.csv ] && fail "the dangling link's target was created" || pass "the dangling link's target was not created"
assert_contains fifo.screen "fifo.csv is a FIFO, not a regular file"
assert_contains folder.screen "folder.csv is a directory, not a regular file"

# ~/ in the export and the import prompt is the home directory.
printf 'endpoint_id\n11000001\n11000002\n' >"$HOME/two.csv"
run_script home <<'STEPS'
# Wide enough for the message with the whole path, wherever the build directory is.
:resize 300x24
e~/home-export.csv<Enter>
:save-display home-export.screen
I~/two.csv<Enter>
:save-display home-import.screen
STEPS
assert_contains home-export.screen "rows to $HOME/home-export.csv"
assert_eq "$(stat -c %a "$HOME/home-export.csv")" 600 "mode of the export under ~/"
assert_contains home-import.screen "~/two.csv: all 2 rows found"
finish
