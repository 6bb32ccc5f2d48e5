#!/bin/sh
# Find and mark: typing a filter, a refused query, the misaligned toggle, sort, every marking
# key, marks hidden by the filter, the summary view and its drill-down, mark by query, CSV in
# (with identifiers not in the fleet) and out.
. "$top_srcdir/tests/lib/harness.sh"

emu_start --devices 2000 --seed 3 --no-limits

# A portal-style export naming three devices of the fleet and two that are not in it.
curl -s "$EMU_URL/_emu/state.csv" | tr -d '\r' | awk -F, 'NR > 1 && $1 != "" && $2 != "" { print; n++ } n == 3 { exit }' >first3.txt
{
	printf 'id,name,status,sim_id,iccid,tags\r\n'
	awk -F, '{ printf "%s,device %d,Enabled,%s,,\"a, b\"\r\n", $2, NR, $1 }' first3.txt
	printf '99999901,gone,Enabled,,,\r\n'
	printf ',,,88888801,,\r\n'
} >portal.csv

run_script find <<STEPS
/sim:act ep:dis<Enter>
:save-display filter.screen
/sim:bogus
:save-display filter-error.screen
<Esc>
:save-display filter-restored.screen
!
:save-display misaligned.screen
<Space><Space>jjv
:save-display marks.screen
i
:save-display invert.screen
/sim:susp<Enter>
:save-display hidden.screen
A/<Enter>a
:save-display all.screen
A+name:pump<Enter>M
:save-display only-marked.screen
MAss
:save-display sort-sim.screen
S
:save-display sort-reverse.screen
<Tab>
:save-display summary.screen
jl<Enter>
:save-display drill.screen
<Tab>ja
<Esc>
:save-display summary-marked.screen
AIportal.csv<Enter>
:save-display csv-unknown.screen
<Esc>Emarked.csv<Enter>
:save-display exported.screen
STEPS

for screen in filter filter-error filter-restored misaligned marks invert hidden all only-marked \
	sort-sim sort-reverse summary drill summary-marked csv-unknown exported; do
	assert_screen "$screen.screen"
done

# The facts the screens must show, whatever else changes on them.
assert_contains filter.screen "filter: sim:act ep:dis"
assert_contains filter-error.screen "^ unknown SIM status"
assert_contains filter-restored.screen "filter: sim:act ep:dis"
assert_contains misaligned.screen "filter: align:misaligned"
assert_contains marks.screen "5 marked"
assert_contains hidden.screen "hidden by the filter"
assert_contains all.screen "2,000 marked"
assert_contains only-marked.screen "only marked"
assert_contains sort-sim.screen "SIM▲"
assert_contains sort-reverse.screen "SIM▼"
assert_contains drill.screen "filter: sim:suspended ep:disabled"
assert_contains csv-unknown.screen "2 of 5 rows"
assert_contains csv-unknown.screen "99999901"
assert_contains exported.screen "Wrote 3 marked rows"
assert_eq "$(tr -d '\r' <marked.csv | head -n 1)" \
	"sim_id,endpoint_id,iccid,imsi,msisdn,name,sim_status,endpoint_status,alignment,ip_address,tags" "export header"
assert_eq "$(($(wc -l <marked.csv) - 1))" 3 "exported rows"

# The second ! brings back the filter that was active before the first, here none.
run_script toggle <<'STEPS'
/pump<Enter>
/<Enter>
!!
:save-display toggle.screen
STEPS
assert_not_contains toggle.screen "filter:"
assert_contains toggle.screen "2,000 shown"

# While a filter is typed, the count of the rows it shows is on the prompt line. Each key
# applies the query typed so far: a word that turns into a field (`name` → `name:`, `sim` →
# `sim:`) must count the whole fleet again, not the rows the word showed.
listed() { "$SIMTOP" list --format csv --filter "$1" | tail -n +2 | wc -l; }
run_script typing <<'STEPS'
/sim:act ep:dis
:save-display typing.screen
<Enter>/name:
:save-display typing-name.screen
<Enter>/pump<Enter>/sim:sus<Enter>/<Up><Up><Enter>
:save-display recalled.screen
STEPS
assert_contains typing.screen "filter: sim:act ep:dis"
assert_contains typing.screen " $(listed 'sim:act ep:dis') shown"
assert_contains typing-name.screen " $(listed 'name:') shown"
assert_contains recalled.screen "filter: pump ·"
assert_contains recalled.screen " $(listed pump) shown"

# Sorting keeps the cursor on its device: the detail view opens on the same one.
run_script sort-cursor <<'STEPS'
jjjjjjj<Enter>
:save-display before-sort.screen
<Esc>sss<Enter>
:save-display after-sort.screen
STEPS
assert_contains after-sort.screen "$(grep 'ICCID' before-sort.screen)"
assert_contains after-sort.screen "$(grep 'Name' before-sort.screen)"

# Export as JSON: the marked rows, one object each.
run_script export-json <<'STEPS'
/sim:sus<Enter>a
Emarked.json<Enter>
:save-display exported-json.screen
STEPS
assert_contains exported-json.screen "marked rows to marked.json"
assert_eq "$(head -c 1 marked.json)" "[" "JSON export starts an array"
assert_eq "$(grep -c '^{' marked.json)" "$(listed 'sim:suspended')" "JSON export objects"

# --mark-from at start: the same file, marked once the fleet is loaded.
run_script mark-from --mark-from portal.csv <<'STEPS'
:save-display mark-from.screen
STEPS
assert_contains mark-from.screen "2 of 5 rows"
finish
