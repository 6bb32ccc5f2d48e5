#!/bin/sh
# --rate N means N: no saved-up burst first, and the estimate printed before a job is what it
# then takes, within 10%.
#
# 1. --rate 2: at most 3 requests of the job's 5 in its first second (the emulator's counters,
#    sampled every 50 ms; the job's requests are all but the authentication and the load's
#    two list pages).
# 2. --rate 4 on a fleet of 8: the time the command takes, load included, is within 10% of
#    the estimate, from the numbers the plan printed: the first request at once, then one
#    every 1 / rate seconds.
. "$top_srcdir/tests/lib/harness.sh"

# job_requests: the requests the emulator received, less the authentication and the load's
# two pages (one of each list: the fleets here are small).
job_requests() {
	echo $(($(emu_stat requests) - $(emu_stat authenticate) - 2))
}
# planned FILE: the requests the plan printed.
planned() {
	sed -n 's/^\([0-9,]*\) requests\{0,1\} (.*/\1/p' "$1" | tr -d ,
}
now_ms() {
	date +%s%3N
}

# --- 1. the first second at --rate 2 ---------------------------------------------------------
emu_start --devices 3 --seed 3 --misaligned 0 --unpaired 0
"$SIMTOP" apply offline --filter "" --yes --rate 2 >first.out 2>first.err &
apply_pid=$!
first_ms=""
in_first_second=0
polls=0
while kill -0 "$apply_pid" 2>/dev/null; do
	polls=$((polls + 1))
	if [ "$polls" -gt 600 ]; then
		fail "rate 2: the job still ran after 30 s"
		kill "$apply_pid"
		break
	fi
	count=$(job_requests)
	[ "$count" -lt 0 ] && count=0
	now=$(now_ms)
	if [ -z "$first_ms" ] && [ "$count" -gt 0 ]; then
		first_ms=$now
	fi
	# The first second of the job, counted from when its first request was seen.
	if [ -n "$first_ms" ] && [ $((now - first_ms)) -le 1000 ]; then
		in_first_second=$count
	fi
	sleep 0.05
done
wait "$apply_pid"
assert_eq "$?" 0 "rate 2: exit status"
[ -n "$first_ms" ] && [ "$in_first_second" -le 3 ] && pass "rate 2: $in_first_second requests in the first second" ||
	fail "rate 2: $in_first_second requests in the first second"
assert_eq "$(job_requests)" "$(planned first.out)" "rate 2: requests as planned"

# --- 2. the estimate at --rate 4 -------------------------------------------------------------
emu_start --devices 8 --seed 3 --misaligned 0 --unpaired 0
started=$(now_ms)
"$SIMTOP" apply offline --filter "" --yes --rate 4 >estimate.out 2>estimate.err
assert_eq "$?" 0 "rate 4: exit status"
took=$(($(now_ms) - started))
planned=$(planned estimate.out)
assert_eq "$(job_requests)" "$planned" "rate 4: requests as planned"
assert_contains estimate.out "at 4.0/s"
estimate=$(((planned - 1) * 1000 / 4))
low=$((estimate * 9 / 10))
high=$((estimate * 11 / 10 + 200))
[ "$took" -ge "$low" ] && [ "$took" -le "$high" ] && pass "rate 4: took $took ms, estimate $estimate ms" ||
	fail "rate 4: took $took ms, estimate $estimate ms (10% is $low..$high)"
finish
