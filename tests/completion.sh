#!/bin/sh
# The bash completion (completions/simtop) completes the commands, apply's actions, the options
# of each form, --format, --with, the profiles of the config file and file names; and it knows
# every option of main.c's table, every action of plan.h and every format of output.c.
. "$top_srcdir/tests/lib/harness.sh"

if ! command -v bash >/dev/null; then
	echo "bash is not installed"; exit 77
fi
# completions WORD...: what simtop WORD... offers for the last WORD, one a line, sorted.
completions() {
	complete_simtop "$top_srcdir/completions/simtop" simtop "$@"
}
# assert_completes WANT WORD...: the completions, on one line, are WANT.
assert_completes() {
	want=$1
	shift
	assert_eq "$(completions "$@" | tr '\n' ' ' | sed 's/ $//')" "$want" "simtop $* <Tab>"
}

assert_completes "list" li
assert_completes "apply list" ""
assert_completes "apply" a
assert_completes "ep-disable ep-enable offline online sim-activate sim-suspend" apply ""
assert_completes "sim-activate sim-suspend" apply sim-
assert_completes "csv json table" list --format ""
assert_completes "csv" list --format c
# "=" is a word of its own in COMP_WORDS (COMP_WORDBREAKS), or part of the word.
assert_completes "csv json table" list --format = ""
assert_completes "json" list --format = j
assert_completes "--format=json" list --format=j
assert_completes "connectivity usage" list --with ""
assert_completes "connectivity,usage" list --with connectivity,
assert_completes "usage,connectivity" list --with = usage,c
assert_completes "" --demo = ""
assert_completes "" list --rate ""
assert_completes "--cached --csv-raw" list --c
assert_completes "--from" apply offline --fr
assert_completes "" --fr
assert_completes "--mark-from" --mark
assert_completes "" --dry
assert_completes "--dry-run" --resume journal.jsonl --dry

# Profiles: the [profile NAME] sections of the config file simtop reads, no other section, and
# nothing in a name is run.
mkdir -p "$XDG_CONFIG_HOME/simtop"
cat >"$XDG_CONFIG_HOME/simtop/config" <<'EOF'
[default]
token_file = token
[profile staging]
  [ profile  prod-eu ]
[keys]
[profile $(id>pwned)]
[profile `id>pwned`]
EOF
assert_completes '$(id>pwned) `id>pwned` prod-eu staging' --profile ""
assert_completes "staging" list --profile st
assert_completes "prod-eu" --profile = p
if [ -e pwned ] || [ -e "$HOME/pwned" ]; then
	fail "a profile name was run"
else
	pass "no profile name was run"
fi
# A relative XDG_CONFIG_HOME is ignored, as simtop ignores it.
mkdir -p "$HOME/.config/simtop"
printf '[profile home]\n' >"$HOME/.config/simtop/config"
assert_eq "$(XDG_CONFIG_HOME=relative && completions --profile '')" "home" "--profile with a relative XDG_CONFIG_HOME"
assert_eq "$(XDG_CONFIG_HOME='' && completions --profile '')" "home" "--profile without XDG_CONFIG_HOME"

# File names, for each option that takes a file.
mkdir -p files/journals
: >files/idle.csv
: >files/ids.csv
: >files/token
for option in --mark-from --token-file --resume; do
	assert_completes "files/idle.csv files/ids.csv" $option files/i
done
assert_completes "files/journals" --resume files/j
assert_completes "files/idle.csv files/ids.csv" apply offline --from files/i
assert_completes "files/token" --token-file = files/t

# The options of main.c's table, each in at least one form, and no other (--token is there only
# to be refused, and is not offered).
sed -n '/long_options\[\] = {/,/^	};/s/^[[:space:]]*{ "\([a-z-]*\)",.*/--\1/p' "$top_srcdir/src/cli/main.c" |
	grep -vx -- --token | LC_ALL=C sort >main.options
if [ "$(wc -l <main.options)" -lt 10 ]; then
	fail "main.c's option table was not found ($(wc -l <main.options) options)"
fi
{ completions --; completions list --; completions apply online --; completions --resume journal --; } |
	LC_ALL=C sort -u >completion.options
if diff -u main.options completion.options >options.diff; then
	pass "the completion offers the $(wc -l <main.options) options of main.c"
else
	fail "the completion's options differ from main.c's (- main.c, + completion):"; cat options.diff
fi

# apply's actions are plan.h's, and --format's values output.c's.
sed -n '/^#define PLAN_ACTION_LIST/,/[^\\]$/s/^	_([A-Z_]*, *"\([a-z-]*\)",.*/\1/p' "$top_srcdir/src/core/plan.h" |
	LC_ALL=C sort >plan.actions
completions apply "" >completion.actions
if [ -s plan.actions ] && diff -u plan.actions completion.actions >actions.diff; then
	pass "the completion offers the $(wc -l <plan.actions) actions of plan.h"
else
	fail "the completion's actions differ from plan.h's (- plan.h, + completion):"; cat actions.diff
fi
sed -n '/^bool output_parse_format/,/^}/p' "$top_srcdir/src/core/output.c" | grep -o '{ "[a-z]*", OUTPUT_' |
	sed 's/{ "\([a-z]*\)".*/\1/' | LC_ALL=C sort >output.formats
completions list --format "" >completion.formats
if [ -s output.formats ] && diff -u output.formats completion.formats >formats.diff; then
	pass "the completion offers the formats of output.c"
else
	fail "the completion's formats differ from output.c's (- output.c, + completion):"; cat formats.diff
fi
finish
