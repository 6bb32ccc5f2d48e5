#!/bin/sh
# The prompts edit as readline does (Ctrl-W, Ctrl-U, Ctrl-A/E, Ctrl-K, Ctrl-Y), keep the cursor
# in sight in a long line, and complete file names with Tab in the import and export prompts
# (not in the filter's); Esc in the fleet view clears the filter, after a running job has had
# its Esc; Ctrl-L redraws, over a prompt too. The alignment word of a billed device is the same
# on the screen, in the filter and in an export.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 300 --seed 3 --no-limits
listed() { "$SIMTOP" list --format csv --filter "$1" | tail -n +2 | wc -l; }
# last_lines FILE: the prompt or status line and the line above it, blanks trimmed.
last_lines() { tail -n 2 "$1" | sed 's/ *$//'; }

run_script edit <<'STEPS'
/sim:act ep:dis tag:x<C-w>
:save-display kill-word.screen
<C-w><C-a>!<C-e>ep:en
:save-display home-end.screen
<Left><Left><Left><Left><Left><Left><C-k>
:save-display kill-end.screen
<C-u>
:save-display kill-start.screen
<C-y><Enter>
:save-display yanked.screen
/sim<Tab>
:save-display filter-tab.screen
<Esc>
STEPS
assert_contains kill-word.screen "filter: sim:act ep:dis "
assert_contains kill-word.screen " $(listed 'sim:act ep:dis') shown"
assert_contains home-end.screen "filter: !sim:act ep:en "
assert_contains home-end.screen " $(listed '!sim:act ep:en') shown"
assert_contains kill-end.screen "filter: !sim:act "
assert_contains kill-start.screen "$(listed '') shown"
assert_not_contains kill-start.screen "sim:act"
assert_contains yanked.screen "filter: !sim:act · $(listed '!sim:act') shown"
# No completion in the filter: Tab neither changes the query nor says anything.
assert_eq "$(tail -n 1 filter-tab.screen | sed 's/  .*//')" "filter: sim" "the filter prompt after Tab"
assert_not_contains filter-tab.screen "names"

# Esc in the fleet view clears the filter, says how to get it back, and / Up does; Esc in
# another view only closes it; with no filter, Esc changes nothing.
run_script escape <<'STEPS'
/align:billed<Enter>
<Enter>
<Esc>
:save-display escape-detail.screen
<Esc>
:save-display escape-cleared.screen
/<Up><Enter>
:save-display escape-recalled.screen
/<Enter><Esc>
:save-display escape-nothing.screen
STEPS
assert_contains escape-detail.screen "filter: align:billed · $(listed align:billed) shown"
assert_not_contains escape-cleared.screen "filter:"
assert_contains escape-cleared.screen "$(listed '') shown"
assert_contains escape-cleared.screen "Filter cleared: / then Up brings it back"
assert_contains escape-recalled.screen "filter: align:billed · $(listed align:billed) shown"
assert_not_contains escape-nothing.screen "Filter cleared"
assert_not_contains escape-nothing.screen "not bound"

# With a job running, Esc cancels it and leaves the filter; once the job has ended (and its
# results view is closed), the next Esc clears the filter.
emu_start --devices 60 --seed 21 --no-limits --latency 150
export XDG_STATE_HOME="$test_dir/state"
run_script escape-job <<'STEPS'
/align:online<Enter>a
f<Tab><Enter>
:wait-progress 2
<Esc>
:save-display escape-job.screen
:wait-idle
:save-display escape-job-ended.screen
<Esc>
<Esc>
:save-display escape-job-cleared.screen
STEPS
assert_contains escape-job.screen "cancelling"
assert_contains escape-job.screen "filter: align:online"
assert_contains escape-job-ended.screen "cancelled"
assert_contains escape-job-cleared.screen "Filter cleared"
assert_not_contains escape-job-cleared.screen "filter:"
emu_start --devices 300 --seed 3 --no-limits

# The alignment word: billed rows show billed, align:billed shows only them, align:misaligned
# takes them in, and an export writes the word the table shows.
run_script billed <<'STEPS'
/align:billed<Enter>
:save-display billed.screen
ebilled.csv<Enter>
/align:misaligned<Enter>
:save-display misaligned.screen
STEPS
rows() { sed -n '3,22p' "$1" | grep -v '^$'; }
assert_eq "$(rows billed.screen | grep -vc 'billed     Activated    Disabled')" 0 "rows under align:billed that are not billed"
[ "$(listed align:billed)" -gt 0 ] && [ "$(listed align:misaligned)" -gt "$(listed align:billed)" ] &&
	pass "align:misaligned ($(listed align:misaligned)) takes in the billed ($(listed align:billed))" ||
	fail "align:misaligned does not take in align:billed"
assert_contains misaligned.screen "▲ billed"
assert_contains misaligned.screen "▲ misaligned"
assert_eq "$(tail -n +2 billed.csv | tr -d '\r' | cut -d, -f7-9 | sort -u)" "Activated,Disabled,billed" "the export's alignment column"

# Ctrl-L redraws and is no unbound key: the screen is the same, and the prompt stays open with
# its text.
run_script redraw <<'STEPS'
:save-display before-redraw.screen
<C-l>
:save-display after-redraw.screen
/sim:sus<C-l>
:save-display prompt-redraw.screen
<Enter>
STEPS
if cmp -s before-redraw.screen after-redraw.screen; then
	pass "Ctrl-L leaves the same screen"
else
	fail "Ctrl-L changed the screen:"; diff before-redraw.screen after-redraw.screen
fi
assert_contains prompt-redraw.screen "filter: sim:sus "
assert_contains prompt-redraw.screen " $(listed 'sim:sus') shown"

# Tab in the file prompts: the common prefix, the list on the second Tab, ~/ with a '/' after a
# directory, and a long path scrolled so that its end and the cursor show in 80 columns.
touch fleet-march.csv fleet-may.csv
mkdir -p "$HOME/exports/a-folder-with-a-rather-long-name-for-the-prompt"
run_script complete <<'STEPS'
Ifl<Tab>
:save-display tab-once.screen
<Tab>
:save-display tab-twice.screen
<Esc>
e~/ex<Tab>a<Tab>
:save-display tab-home.screen
out.csv<Enter>
:save-display tab-written.screen
STEPS
assert_eq "$(last_lines tab-once.screen)" \
	"$(printf '%s\n%s' '2 names begin with "fleet-ma": Tab again lists them' 'mark the devices listed in CSV file: fleet-ma')" \
	"the import prompt after one Tab"
assert_eq "$(last_lines tab-twice.screen)" \
	"$(printf '%s\n%s' '2 names:  fleet-march.csv  fleet-may.csv' 'mark the devices listed in CSV file: fleet-ma')" \
	"the import prompt after a second Tab"
# The label takes 52 columns of 80: the path's start scrolls out, its last 27 characters and
# the cursor stay.
assert_eq "$(tail -n 1 tab-home.screen | sed 's/ *$//')" \
	"export the shown rows to (Enter: simtop-shown.csv): r-long-name-for-the-prompt/" \
	"the export prompt, scrolled"
exported="$HOME/exports/a-folder-with-a-rather-long-name-for-the-prompt/out.csv"
assert_eq "$(tr -d '\r' <"$exported" | wc -l)" "$(($(listed '') + 1))" "lines of the file written through the completed path"
assert_contains tab-written.screen "Wrote $(listed '') shown rows"
finish
