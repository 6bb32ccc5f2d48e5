#!/bin/sh
# Files simtop trusts: a config that other users can change is refused before anything is
# sent (the token would go to the host it names); a FIFO where a file is expected is refused
# at once instead of hanging; a journal others can change is not resumed; messages that quote
# a file carry no escape sequences to the terminal.
. "$top_srcdir/tests/lib/harness.sh"

config_dir="$XDG_CONFIG_HOME/simtop"
config="$config_dir/config"
mkdir -p "$config_dir"
esc=$(printf '\033')

# elapsed_since START: whole seconds since START (from date +%s).
elapsed_since() {
	echo $(($(date +%s) - $1))
}

# --- a world-writable config pointing api_url at a live emulator ------------------------------
emu_start --devices 50 --no-limits
unset EMNIFY_BASE_PATH
printf 'api_url = %s\n' "$EMU_URL" >"$config"
chmod 666 "$config"
timeout 10 "$SIMTOP" list >list.out 2>writable.stderr
assert_eq "$?" 2 "exit status of list with a world-writable config"
assert_contains writable.stderr "the config file $config can be changed by other users (mode 0666)"
assert_contains writable.stderr "run chmod go-w $config"
assert_eq "$(emu_stat requests)" 0 "requests the emulator received from a refused config"
run_script writable <<'STEPS'
:save-display writable.screen
STEPS
assert_contains writable.screen "chmod go-w"
assert_eq "$(emu_stat requests)" 0 "requests the emulator received from the TUI"
chmod 664 "$config"
timeout 10 "$SIMTOP" list >/dev/null 2>group.stderr
assert_eq "$?" 2 "exit status of list with a group-writable config"
assert_contains group.stderr "(mode 0664)"
# The same file, private: the emulator it names is used (so the refusal above was the file's).
chmod 644 "$config"
timeout 30 "$SIMTOP" list >list.out 2>private.stderr
assert_eq "$?" 0 "exit status of list with a config only its owner can change"
[ "$(emu_stat requests)" -gt 0 ] && pass "the private config's api_url was used" ||
	fail "the private config's api_url was not used"

# --- a config line and [keys] with escape sequences ------------------------------------------
printf '\033[2J\033]0;owned\007colour = blue\n' >"$config"
"$SIMTOP" list >/dev/null 2>escape.stderr
assert_eq "$?" 2 "exit status with a bad key"
assert_contains escape.stderr "$config:1: unknown key"
assert_not_contains escape.stderr "$esc"
printf '[keys]\noffline = <\033[2J>\n' >"$config"
"$SIMTOP" list >/dev/null 2>keys.stderr
assert_eq "$?" 2 "exit status with a bad key name"
assert_contains keys.stderr "is no key"
assert_not_contains keys.stderr "$esc"
rm -f "$config"

# --- FIFOs where a file is expected: refused at once ---------------------------------------
export EMNIFY_BASE_PATH="$EMU_URL"
mkfifo token.fifo devices.fifo
start=$(date +%s)
timeout 10 "$SIMTOP" list --token-file token.fifo >/dev/null 2>fifo-token.stderr
assert_eq "$?" 2 "exit status with a FIFO as --token-file"
assert_contains fifo-token.stderr "the token file token.fifo is a FIFO, not a regular file"
[ "$(elapsed_since "$start")" -le 2 ] && pass "FIFO token file refused at once" ||
	fail "FIFO token file took $(elapsed_since "$start") s"
start=$(date +%s)
timeout 10 "$SIMTOP" apply offline --from devices.fifo --yes >/dev/null 2>fifo-csv.stderr
assert_eq "$?" 2 "exit status with a FIFO as apply --from"
assert_contains fifo-csv.stderr "devices.fifo is a FIFO, not a regular file"
[ "$(elapsed_since "$start")" -le 2 ] && pass "FIFO CSV refused at once" ||
	fail "FIFO CSV took $(elapsed_since "$start") s"

# --- a journal others can change is not resumed ---------------------------------------------
journal_dir="$XDG_STATE_HOME/simtop/journal"
timeout 60 "$SIMTOP" apply offline --filter "align:online" --yes --rate 200 >job.out 2>job.err
assert_eq "$?" 0 "exit status of the job that writes a journal"
# Its plan alone, as if killed before the first step; the devices are put back online.
head -n 1 "$(ls "$journal_dir"/*.jsonl)" >unfinished.jsonl
rm -f "$journal_dir"/*.jsonl
timeout 60 "$SIMTOP" apply online --filter "align:offline" --yes --rate 200 >back.out 2>back.err
before=$(emu_stat requests)
chmod 664 unfinished.jsonl
timeout 10 "$SIMTOP" --resume unfinished.jsonl --yes >resume.out 2>resume.err
assert_eq "$?" 2 "exit status of --resume of a group-writable journal"
assert_contains resume.err "the journal unfinished.jsonl can be changed by other users (mode 0664)"
assert_contains resume.err "run chmod go-w unfinished.jsonl"
assert_eq "$(emu_stat requests)" "$before" "requests sent by the refused resume"
chmod 600 unfinished.jsonl
patches_before=$(patches)
timeout 60 "$SIMTOP" --resume unfinished.jsonl --yes --rate 200 >resumed.out 2>resumed.err
assert_eq "$?" 0 "exit status of --resume of a private journal"
[ "$(patches)" -gt "$patches_before" ] && pass "the private journal was resumed" ||
	fail "the private journal sent nothing"

# The TUI at start offers no journal others can change, and says why.
head -n 1 unfinished.jsonl >"$journal_dir/found.jsonl"
chmod 620 "$journal_dir/found.jsonl"
patches_before=$(patches)
run_script found <<'STEPS'
:resize 300x24
:save-display found.screen
STEPS
assert_contains found.screen "the journal $journal_dir/found.jsonl can be changed by other users (mode 0620)"
assert_eq "$(patches)" "$patches_before" "PATCHes sent by the TUI at start"
finish
