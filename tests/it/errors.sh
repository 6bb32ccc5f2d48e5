#!/bin/sh
# Each way the start can fail says what failed and what to do, on the screen and on stderr:
# no token, a token the API rejects, an unreachable API, a non-https URL, a response that is
# not what the API sends, a token file others can read, a token on the command line.
. "$top_srcdir/tests/lib/harness.sh"

# No token.
unset EMNIFY_APPLICATION_TOKEN
run_script no-token <<'STEPS'
:save-display no-token.screen
STEPS
assert_contains no-token.screen "No emnify application token"
assert_contains no-token.screen "EMNIFY_APPLICATION_TOKEN"
"$SIMTOP" list >/dev/null 2>no-token.stderr
assert_eq "$?" 1 "exit status of list without a token"
assert_contains no-token.stderr "No emnify application token"

# A token the API rejects.
emu_start --devices 100 --no-limits
export EMNIFY_APPLICATION_TOKEN=not-the-right-token
run_script rejected <<'STEPS'
:save-display rejected.screen
STEPS
assert_contains rejected.screen "rejected"
"$SIMTOP" list >/dev/null 2>rejected.stderr
assert_eq "$?" 1 "exit status of list with a rejected token"
assert_contains rejected.stderr "rejected"
assert_not_contains rejected.stderr "not-the-right-token"

# Nothing listening.
export EMNIFY_APPLICATION_TOKEN=emu-demo-token EMNIFY_BASE_PATH=http://127.0.0.1:9
run_script unreachable <<'STEPS'
:save-display unreachable.screen
STEPS
assert_contains unreachable.screen "cannot reach"
"$SIMTOP" list >/dev/null 2>unreachable.stderr
assert_eq "$?" 1 "exit status of list when the API is unreachable"
assert_contains unreachable.stderr "cannot reach"

# Plain http to anything but loopback.
export EMNIFY_BASE_PATH=http://api.example.com
run_script plain-http <<'STEPS'
:save-display plain-http.screen
STEPS
assert_contains plain-http.screen "https"
"$SIMTOP" list >/dev/null 2>plain-http.stderr
assert_eq "$?" 2 "exit status of list with a plain http URL"
assert_contains plain-http.stderr "https"

# A server that answers, but not as emnify does.
emu_start --devices 3000 --no-limits --corrupt-lists
run_script corrupt <<'STEPS'
:save-display corrupt.screen
STEPS
assert_contains corrupt.screen "not an emnify response"
"$SIMTOP" list >/dev/null 2>corrupt.stderr
assert_eq "$?" 1 "exit status of list with a corrupt response"
assert_contains corrupt.stderr "not an emnify response"

# Token files others can read are refused; tokens on the command line are refused.
emu_start --devices 100 --no-limits
printf 'emu-demo-token\n' >token
chmod 644 token
"$SIMTOP" list --token-file token >/dev/null 2>open-token.stderr
assert_eq "$?" 2 "exit status with a token file others can read"
assert_contains open-token.stderr "chmod 600"
chmod 600 token
unset EMNIFY_APPLICATION_TOKEN
"$SIMTOP" list --token-file token >/dev/null 2>token-file.stderr
assert_eq "$?" 0 "exit status with a private token file"
"$SIMTOP" list --token secret >/dev/null 2>argv-token.stderr
assert_eq "$?" 2 "exit status with a token on the command line"
assert_contains argv-token.stderr "never taken on the command line"
finish
