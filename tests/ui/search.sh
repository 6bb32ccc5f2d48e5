#!/bin/sh
# Search and jump: \ searches as you type without filtering, n and N go to the next and previous
# match, wrapping round, Esc goes back; : goes to one device by id, ICCID (with or without its
# check digit), IMSI, MSISDN or name, and says when the filter hides it.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 300 --seed 8 --no-limits
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\n' >"$XDG_CONFIG_HOME/simtop/config"
"$SIMTOP" list --format csv >fleet.csv
# The rows in the default order, as the screen shows them: name is column 6 of the CSV.
header=$(head -n 1 fleet.csv)
column_of() { echo "$header" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
name_column=$(column_of name)
iccid_column=$(column_of iccid)
tail -n +2 fleet.csv | cut -d, -f"$name_column" >names.txt
# The first, second and last rows whose name holds "pump"; the row of endpoint 11000005.
first_pump=$(grep -n pump names.txt | sed -n 1p | cut -d: -f1)
second_pump=$(grep -n pump names.txt | sed -n 2p | cut -d: -f1)
last_pump=$(grep -n pump names.txt | tail -n 1 | cut -d: -f1)
iccid_16=$(tail -n +2 fleet.csv | sed -n 16p | cut -d, -f"$iccid_column")
name_40=$(sed -n 40p names.txt)
[ -n "$first_pump" ] && [ -n "$second_pump" ] && [ -n "$iccid_16" ] && [ -n "$name_40" ] &&
	pass "pumps at rows $first_pump, $second_pump … $last_pump; row 16's ICCID $iccid_16; row 40 is $name_40" ||
	fail "the fleet lacks what the test needs"

run_script search <<STEPS
:resize 100x30
\\pump
:save-display typed.screen
<Enter>
:save-display found.screen
n
:save-display next.screen
NN
:save-display wrapped.screen
\\zzzz
:save-display none.screen
<Esc>
:save-display back.screen
j:$iccid_16<Enter>
:save-display iccid.screen
<Home>:${iccid_16}7<Enter>
:save-display luhn.screen
<Home>:11000005<Enter>
:save-display id.screen
<Home>:$(echo "$name_40" | tr 'a-z' 'A-Z')<Enter>
:save-display name.screen
<Home>:nosuchthing<Enter>
:save-display unknown.screen
/sim:sus<Enter>
<Home>:$iccid_16<Enter>
:save-display hidden.screen
STEPS
assert_contains typed.screen "search: pump"
assert_contains typed.screen "pump: row $first_pump of 300"
assert_contains found.screen "pump: row $first_pump of 300 (n next, N previous)"
# The rows are not filtered.
assert_contains found.screen "300 shown"
assert_contains next.screen "· row $second_pump "
assert_contains wrapped.screen "· row $last_pump "
assert_contains none.screen "No shown device matches zzzz"
assert_contains back.screen "· row $last_pump "
assert_contains iccid.screen "· row 16 "
assert_contains luhn.screen "· row 16 "
assert_contains id.screen "· row 5 "
assert_contains name.screen "· row 40 "
assert_contains unknown.screen "No device is nosuchthing"
assert_contains hidden.screen "$iccid_16 is hidden by the filter"
finish
