#!/bin/sh
# The man pages format without a single groff warning, and simtop.1 names every action.
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
for name in $(sed -n 's/^	_([A-Z_]*, *"\([a-z-]*\)".*/\1/p' "$top_srcdir/src/actions.h"); do
	roff_name=$(echo "$name" | sed 's/-/\\\\-/g')
	if grep -q "($roff_name)" "$top_srcdir/man/simtop.1"; then
		pass "simtop.1 documents $name"
	else
		fail "simtop.1 does not document the action $name"
	fi
done
finish
