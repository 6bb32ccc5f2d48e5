#!/bin/sh
# The second start shows the whole fleet from the snapshot of the first, in a real terminal,
# while the fresh load cannot finish; an action asked for meanwhile waits for the fresh fleet,
# which then replaces the saved one, and only then opens its confirmation.
. "$top_srcdir/tests/lib/harness.sh"

if [ -z "$TMUX_BIN" ]; then
	echo "tmux is not installed"; exit 77
fi

emu_start --devices 3000 --seed 7 --no-limits
# The first complete load (here simtop list's) keeps the fleet for the next start.
"$SIMTOP" list --format csv >first.csv 2>first.stderr
assert_eq "$?" 0 "exit status of the first list"
snapshot=$(ls "$HOME"/.cache/simtop/fleet-* 2>/dev/null)
[ -n "$snapshot" ] && pass "a snapshot is written: $(basename "$snapshot")" || fail "no snapshot in $HOME/.cache/simtop"
assert_eq "$(stat -c %a "$HOME/.cache/simtop")" 700 "mode of the cache directory"
assert_eq "$(stat -c %a "$snapshot")" 600 "mode of the snapshot"

# The lists stall now: the fresh load cannot finish until they answer again. A stalled page
# is given up after half a second of silence and asked again soon after.
emu_post "/_emu/stall?what=get"
tmux_session snapshot \
	"env HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_STATE_HOME=$XDG_STATE_HOME \
	EMNIFY_BASE_PATH=$EMU_URL EMNIFY_APPLICATION_TOKEN=emu-demo-token SIMTOP_SILENCE_MS=500 \
	SIMTOP_BACKOFF_BASE_MS=200 TERM=screen-256color $SIMTOP"
tmux_wait_for "3,000 devices"
tmux_wait_for "saved "
tmux_wait_for "The fleet as saved"
assert_contains pane "3,000 shown"

# An action on the saved statuses waits for the fresh ones.
tmux_run send-keys -t snapshot / a l i g n : m i s Enter a f
tmux_wait_for "Waiting for the fresh fleet: the confirmation of offline opens once it is in"
assert_not_contains pane "Confirm"

emu_post "/_emu/stall?what=none"
tmux_wait_for "Confirm"
tmux_wait_for "Switch"
assert_eq "$(patches)" 0 "PATCHes sent"
tmux_run send-keys -t snapshot Escape
tmux_wait_for "Cancelled: nothing was sent"
tmux_run send-keys -t snapshot q
wait_until "simtop to quit" "! tmux_run has-session -t snapshot 2>/dev/null"
assert_eq "$(patches)" 0 "PATCHes sent after the cancel"
finish
