#!/bin/sh
# The man pages format without a single groff warning, and simtop.1 names every action with
# its default keys.
. "$top_srcdir/tests/lib/harness.sh"

if [ -z "$GROFF" ]; then
	echo "groff is not installed"; exit 77
fi
for page in simtop.1 simtop-emu.1; do
	"$GROFF" -t -man -Tutf8 -ww -z "$top_srcdir/man/$page" >"$page.lint" 2>&1
	if [ -s "$page.lint" ]; then
		fail "$page: groff warns:"; cat "$page.lint"
	else
		pass "$page formats cleanly"
	fi
done

# Every action of actions.h appears in the KEYS section under its name.
for name in $(sed -n 's/^	_([A-Z_]*, *"\([a-z-]*\)".*/\1/p' "$top_srcdir/src/tui/actions.h"); do
	roff_name=$(echo "$name" | sed 's/-/\\\\-/g')
	if grep -q "($roff_name)" "$top_srcdir/man/simtop.1"; then
		pass "simtop.1 documents $name"
	else
		fail "simtop.1 does not document the action $name"
	fi
done
# Every action's default keys (actions.h) stand in its KEYS entry as the page spells them
# (<Up> is Up, <C-b> is Ctrl\-B), in the same order.
sed -n 's/^	_([A-Z_]*, *"\([a-z-]*\)", *"\([^"]*\)".*/\1|\2/p' "$top_srcdir/src/tui/actions.h" >actions.keys
while IFS='|' read -r name keys; do
	entry=$(echo "$name" | sed 's/-/\\-/g')
	want=$(echo "$keys" | tr ' ' '\n' | sed 's/^<C-\(.\)>$/Ctrl\\-\1/; s/^<\(.*\)>$/\1/' |
		awk '/^Ctrl\\-/ { print substr($0, 1, 6) toupper(substr($0, 7)); next } { print }' | tr '\n' ' ')
	got=$(grep -F "($entry)\"" "$top_srcdir/man/simtop.1" | head -n 1 |
		sed 's/^\.BR* //; s/ *" ([^)]*)".*$//; s/", "/\n/g' | tr -d '"' | sed 's/^ *//; s/ *$//' | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		pass "simtop.1 gives $name its keys: $got"
	else
		fail "simtop.1 gives $name the keys '$got'; actions.h gives '$want'"
	fi
done <actions.keys
finish
