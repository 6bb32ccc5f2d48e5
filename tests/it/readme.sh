#!/bin/sh
# Every simtop command of README's examples, as written, on the demo's fleet (simtop-emu
# --devices 3000 --seed 7, as simtop --demo starts it): each exits 0 and, for a list or a plan,
# finds devices. A command that opens the TUI runs headless and quits once loaded; one that asks
# for a confirmation on a terminal (apply without --yes) runs with --dry-run, the plan it would
# confirm. Set-up, build and token lines are not simtop's examples, and the placeholder token
# (...) has no fleet behind it.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 3000 --seed 7 --no-limits
mkdir -p "$XDG_CONFIG_HOME/simtop"
printf '[default]\nrate_limits = false\nsnapshot = false\n' >"$XDG_CONFIG_HOME/simtop/config"
printf ':quit\n' >quit.steps
awk '/^```sh$/ { inside = 1; next } /^```/ { inside = 0 } inside' "$top_srcdir/README.md" |
	sed 's/ *#.*$//' | grep -E '^(\./)?simtop( |$)' | grep -v -e '--demo' -e '--token-file' >examples.txt
[ "$(wc -l <examples.txt)" -ge 6 ] && pass "$(wc -l <examples.txt | tr -d ' ') examples of simtop in README" ||
	fail "README's examples were not found"
n=0
while IFS= read -r example; do
	n=$((n + 1))
	command=$(echo "$example" | sed -E 's|^(\./)?simtop|"$SIMTOP"|')
	case "$example" in
	*" list "*) ;;
	*" apply "*" --yes"*) ;;
	*" apply "*" --dry-run"*) ;;
	*" apply "*) command="$command --dry-run" ;;
	*) command="SIMTOP_SCRIPT=quit.steps $command" ;;
	esac
	eval "$command" >example.$n.out 2>example.$n.err </dev/null
	status=$?
	assert_eq "$status" 0 "exit status of: $example"
	[ "$status" -eq 0 ] || cat example.$n.err
	case "$example" in
	*" > "*) file=$(echo "$example" | sed 's/.*> *//')
		rows=$(($(wc -l <"$file") - 1))
		[ "$rows" -gt 0 ] && pass "$file holds $rows devices" || fail "$example wrote no device" ;;
	*" apply "*) assert_not_contains example.$n.err "nothing selected" ;;
	esac
done <examples.txt
finish
