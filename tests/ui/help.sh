#!/bin/sh
# The help fits 80×24: its pages (keys by what they are for, the confirmation and the
# alignments, the filter language) each hold their lines whole; → and Space turn the page, ←
# goes back and, from the first page, closes the help. Every action is on a page.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 50 --seed 8 --no-limits
run_script help <<'STEPS'
:resize 80x24
?
:save-display page-1.screen
<Right>
:save-display page-2.screen
<Space>
:save-display page-3.screen
l
:save-display page-4.screen
l
:save-display page-5.screen
l
:save-display page-5-again.screen
hhhh
:save-display page-1-again.screen
h
:save-display closed.screen
STEPS
for page in 1 2 3 4 5; do
	assert_contains page-$page.screen "Help $page/5"
	# Below the title and the page's heading no line is cut (the title line may be).
	cut=$(sed -n '3,22p' page-$page.screen | grep -c '…')
	assert_eq "$cut" 0 "cut lines on page $page"
	[ "$(sed -n 23,24p page-$page.screen | grep -c .)" -ge 1 ] || fail "page $page lost its status line"
done
assert_contains page-5.screen "data:0 data:<1"
assert_contains page-5.screen "conn:attached"
assert_contains page-4.screen "▲ billed"
assert_contains page-5-again.screen "Help 5/5"
assert_contains page-1-again.screen "Help 1/5"
assert_not_contains closed.screen "Help"
# Every action of actions.h is on one of the pages, once.
sed -n 's/^	_([A-Z_]*, *"\([a-z-]*\)".*/\1/p' "$top_srcdir/src/tui/actions.h" >actions.names
# (The legend's lines, "  ● online  SIM Activated…", and the title name no action.)
cat page-[1-4].screen | grep -v '^   [^ ] ' | grep -v '^ simtop ' >pages.txt
while read -r name; do
	count=$(grep -cE "(^| )$name {2,}" pages.txt)
	assert_eq "$count" 1 "help lines naming $name"
done <actions.names
finish
