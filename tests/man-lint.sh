#!/bin/sh
# The man pages format without a single groff warning; simtop.1's KEYS section and README.md's
# key table name every action of actions.h with its default keys, and nothing else.
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
# A C string's \\ is one backslash.
sed -n 's/^	_([A-Z_]*, *"\([a-z-]*\)", *"\([^"]*\)".*/\1|\2/p' "$top_srcdir/src/tui/actions.h" |
	sed 's/\\\\/\\/g' >actions.keys
while IFS='|' read -r name keys; do
	entry=$(echo "$name" | sed 's/-/\\-/g')
	want=$(printf '%s\n' "$keys" | tr ' ' '\n' | sed 's/^<C-\(.\)>$/Ctrl\\-\1/; s/^<\(.*\)>$/\1/' |
		awk '/^Ctrl\\-/ { print substr($0, 1, 6) toupper(substr($0, 7)); next } { print }' | tr '\n' ' ')
	got=$(grep -F "($entry)\"" "$top_srcdir/man/simtop.1" | head -n 1 |
		sed 's/^\.BR* //; s/ *" ([^)]*)".*$//; s/", "/\n/g; s/\\e/\\/g' | tr -d '"' | sed 's/^ *//; s/ *$//' |
		tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		pass "simtop.1 gives $name its keys: $got"
	else
		fail "simtop.1 gives $name the keys '$got'; actions.h gives '$want'"
	fi
done <actions.keys

# README.md's key table, "| `key` `key` | name | what it does |", one row per action in the
# order of actions.h, its keys as actions.h (and the config file) spell them.
sed -n '/^## Keys$/,/^## /p' "$top_srcdir/README.md" | grep '^| `' |
	awk -F'|' '{ keys = $2; name = $3; gsub(/`/, "", keys); gsub(/^ +| +$/, "", keys); gsub(/ +/, " ", keys)
		gsub(/^ +| +$/, "", name); print name "|" keys }' >readme.keys
if [ ! -s readme.keys ]; then
	fail "README.md has no key table under ## Keys"
fi
while IFS='|' read -r name keys; do
	got=$(awk -F'|' -v name="$name" '$1 == name { print $2 }' readme.keys)
	if [ "$got" = "$keys" ]; then
		pass "README.md gives $name its keys: $got"
	else
		fail "README.md gives $name the keys '$got'; actions.h gives '$keys'"
	fi
done <actions.keys
# Nothing in the table that is no action, nor an action twice, and the same order.
cut -d'|' -f1 actions.keys >actions.names
cut -d'|' -f1 readme.keys >readme.names
if diff -u actions.names readme.names >readme.diff; then
	pass "README.md's key table has the actions of actions.h, in their order"
else
	fail "README.md's key table has other rows than actions.h (- actions.h, + README.md):"
	cat readme.diff
fi
finish
