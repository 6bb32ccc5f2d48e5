#!/bin/sh
# The TUI without a terminal: with standard input or output not a terminal (and no
# SIMTOP_SCRIPT), simtop says so, points to simtop list and apply, and exits 2 at once instead
# of spinning. timeout turns a regression into a failure, not a hang.
. "$top_srcdir/tests/lib/harness.sh"

export EMNIFY_APPLICATION_TOKEN=unused EMNIFY_BASE_PATH=http://127.0.0.1:9

# check_quick NAME STATUS: the run ended with 2, within a second, with the explanation.
check_quick() {
	assert_eq "$2" 2 "exit status of $1"
	assert_eq "$((elapsed_ms < 1000))" 1 "$1 ended within a second (${elapsed_ms} ms)"
	assert_contains "$1.stderr" "needs a terminal"
	assert_contains "$1.stderr" "simtop list"
	assert_contains "$1.stderr" "simtop apply"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

started=$(now_ms)
timeout 10 "$SIMTOP" </dev/null >stdin-null.stdout 2>stdin-null.stderr
status=$?
elapsed_ms=$(($(now_ms) - started))
check_quick stdin-null "$status"
assert_contains stdin-null.stderr "standard input is not one"

started=$(now_ms)
echo | timeout 10 "$SIMTOP" --demo >stdin-pipe.stdout 2>stdin-pipe.stderr
status=$?
elapsed_ms=$(($(now_ms) - started))
check_quick stdin-pipe "$status"

# Standard output to a file, standard input a terminal: under tmux, where there is one.
if [ -n "$TMUX_BIN" ]; then
	tmux_session notty \
		"started=\$(date +%s%N); timeout 10 $SIMTOP >stdout-file.stdout 2>stdout-file.stderr; echo \$? \$(((\$(date +%s%N) - started) / 1000000)) >stdout-file.result"
	wait_file stdout-file.result
	read -r status elapsed_ms <stdout-file.result || status=none
	check_quick stdout-file "$status"
	assert_contains stdout-file.stderr "standard output is not one"
	assert_eq "$(wc -c <stdout-file.stdout)" 0 "bytes written to the file"
fi

# SIMTOP_SCRIPT runs headless on purpose: no terminal needed.
printf ':quit\n' >quit.steps
SIMTOP_SCRIPT="$test_dir/quit.steps" timeout 10 "$SIMTOP" </dev/null >script.stdout 2>script.stderr
assert_eq "$?" 0 "exit status of a scripted run without a terminal"
# simtop list never needed one.
timeout 10 "$SIMTOP" list </dev/null >list.stdout 2>list.stderr
assert_not_contains list.stderr "needs a terminal"
finish
