/* test_ratelimit.c — token buckets under a controlled clock, and the back-off schedule. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ratelimit.h"

static void test_burst_then_rate(void **state)
{
	(void)state;
	struct ratelimit limit;
	ratelimit_init(&limit, RATELIMIT_LIST_RATE, RATELIMIT_LIST_BURST, 1000);
	/* A full bucket lets the burst through at once, then nothing. */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(ratelimit_wait_ms(&limit, 1000), 0);
		assert_true(ratelimit_take(&limit, 1000));
	}
	assert_false(ratelimit_take(&limit, 1000));
	/* 10 per second: the next token in 100 ms. */
	assert_int_equal(ratelimit_wait_ms(&limit, 1000), 100);
	assert_int_equal(ratelimit_wait_ms(&limit, 1040), 60);
	assert_false(ratelimit_take(&limit, 1099));
	assert_int_equal(ratelimit_wait_ms(&limit, 1099), 1);
	assert_true(ratelimit_take(&limit, 1100));
	assert_false(ratelimit_take(&limit, 1100));
	assert_int_equal(ratelimit_wait_ms(&limit, 1100), 100);
}

/* --rate 1 means 1: the burst of an operator's rate is one second's worth, and a restart
 * (a job starting after a load) begins with a single token, so the first second sees at most
 * two requests, and N requests take N - 1 seconds after the first. */
static void test_operator_rate_has_no_saved_burst(void **state)
{
	(void)state;
	struct ratelimit limit;
	assert_true(ratelimit_burst_for(1) == 1);
	assert_true(ratelimit_burst_for(0.2) == 1);
	assert_true(ratelimit_burst_for(25) == 25);

	ratelimit_init(&limit, 1, ratelimit_burst_for(1), 0);
	/* Idle for a minute (the load, the question): still one token, not sixty. */
	ratelimit_restart(&limit, 60000);
	int first_second = 0;
	for (int64_t now = 60000; now <= 61000; now++)
		while (ratelimit_take(&limit, now))
			first_second++;
	assert_int_equal(first_second, 2);

	/* A restart also drops a bigger saved burst (emnify's own limit, after a load). */
	ratelimit_init(&limit, RATELIMIT_IP_RATE, RATELIMIT_IP_BURST, 0);
	ratelimit_restart(&limit, 5000);
	assert_true(ratelimit_take(&limit, 5000));
	assert_false(ratelimit_take(&limit, 5000));
}

static void test_refill_caps_at_burst(void **state)
{
	(void)state;
	struct ratelimit limit;
	ratelimit_init(&limit, 10, 5, 0);
	for (int i = 0; i < 5; i++)
		assert_true(ratelimit_take(&limit, 0));
	/* An hour idle refills only up to the burst. */
	int64_t later = 3600 * 1000;
	int taken = 0;
	while (ratelimit_take(&limit, later))
		taken++;
	assert_int_equal(taken, 5);
}

/* Taking as fast as allowed for 10 s lets through the burst plus rate × time. */
static void test_sustained_rate(void **state)
{
	(void)state;
	struct ratelimit limit;
	ratelimit_init(&limit, 10, 5, 0);
	int taken = 0;
	for (int64_t now = 0; now <= 10000; now++)
		while (ratelimit_take(&limit, now))
			taken++;
	assert_int_equal(taken, 5 + 100);

	/* Sleeping exactly as long as wait_ms says always finds a token. */
	ratelimit_init(&limit, RATELIMIT_IP_RATE, RATELIMIT_IP_BURST, 0);
	int64_t now = 0;
	for (int i = 0; i < 100; i++)
		assert_true(ratelimit_take(&limit, now));
	for (int i = 0; i < 50; i++) {
		int64_t wait = ratelimit_wait_ms(&limit, now);
		assert_true(wait > 0);
		now += wait;
		assert_true(ratelimit_take(&limit, now));
	}
	/* 2000 per 5 minutes is 150 ms a request. */
	assert_int_equal(now, 50 * 150);
}

/* For awkward rates too, wait_ms is exact: a token is there after it, not a millisecond
 * before. */
static void test_wait_is_exact(void **state)
{
	(void)state;
	static const double rates[] = { 3, 7, 10, 2000.0 / 300.0, 33.3, 0.5, 999 };
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		struct ratelimit limit;
		ratelimit_init(&limit, rates[r], 2, 0);
		int64_t now = 0;
		for (int i = 0; i < 500; i++) {
			while (ratelimit_take(&limit, now))
				;
			int64_t wait = ratelimit_wait_ms(&limit, now);
			assert_true(wait >= 1);
			if (wait > 1) {
				struct ratelimit early = limit;
				assert_false(ratelimit_take(&early, now + wait - 1));
			}
			now += wait;
			assert_true(ratelimit_take(&limit, now));
			now += i % 7; /* take at uneven times */
		}
	}
}

static void test_unlimited(void **state)
{
	(void)state;
	struct ratelimit limit;
	ratelimit_init(&limit, 0, 5, 0);
	for (int i = 0; i < 10000; i++)
		assert_true(ratelimit_take(&limit, 0));
	assert_int_equal(ratelimit_wait_ms(&limit, 0), 0);
	ratelimit_init(&limit, -1, 0, 0);
	assert_true(ratelimit_take(&limit, 0));
	assert_int_equal(ratelimit_wait_ms(&limit, 0), 0);
}

static void test_odd_inputs(void **state)
{
	(void)state;
	struct ratelimit limit;
	/* A burst below one still lets one request through. */
	ratelimit_init(&limit, 1, 0, 0);
	assert_true(ratelimit_take(&limit, 0));
	assert_false(ratelimit_take(&limit, 0));
	assert_int_equal(ratelimit_wait_ms(&limit, 0), 1000);
	/* A clock going backwards refills nothing and breaks nothing. */
	assert_false(ratelimit_take(&limit, -5000));
	assert_int_equal(ratelimit_wait_ms(&limit, -5000), 1000);
	assert_true(ratelimit_take(&limit, -4000));
}

static void test_backoff_values(void **state)
{
	(void)state;
	const int64_t base = RATELIMIT_BACKOFF_BASE_MS, cap = RATELIMIT_BACKOFF_CAP_MS;
	assert_int_equal(ratelimit_backoff_ms(1, base, cap, 0.0), 0);
	assert_int_equal(ratelimit_backoff_ms(1, base, cap, 0.5), 250);
	assert_int_equal(ratelimit_backoff_ms(1, base, cap, 0.999999), 499);
	assert_int_equal(ratelimit_backoff_ms(2, base, cap, 0.5), 500);
	assert_int_equal(ratelimit_backoff_ms(3, base, cap, 0.5), 1000);
	assert_int_equal(ratelimit_backoff_ms(6, base, cap, 0.5), 8000);
	/* 500 × 2^6 = 32000 is past the cap. */
	assert_int_equal(ratelimit_backoff_ms(7, base, cap, 0.5), 15000);
	assert_int_equal(ratelimit_backoff_ms(7, base, cap, 0.999999), 29999);
	/* Attempts below 1 count as the first. */
	assert_int_equal(ratelimit_backoff_ms(0, base, cap, 0.5), 250);
	assert_int_equal(ratelimit_backoff_ms(-3, base, cap, 0.5), 250);
	/* A base above the cap is capped; nothing to wait without a base or a cap. */
	assert_int_equal(ratelimit_backoff_ms(1, 50000, cap, 0.5), 15000);
	assert_int_equal(ratelimit_backoff_ms(5, 0, cap, 0.5), 0);
	assert_int_equal(ratelimit_backoff_ms(5, base, 0, 0.5), 0);
}

static void test_backoff_bounds(void **state)
{
	(void)state;
	const int64_t base = RATELIMIT_BACKOFF_BASE_MS, cap = RATELIMIT_BACKOFF_CAP_MS;
	/* The largest wait of each attempt never shrinks and never reaches the cap. */
	int64_t previous = -1;
	for (int attempt = 1; attempt <= 200; attempt++) {
		int64_t longest = ratelimit_backoff_ms(attempt, base, cap, 0.9999999999);
		assert_true(longest >= previous);
		assert_true(longest < cap);
		assert_true(ratelimit_backoff_ms(attempt, base, cap, 0.0) == 0);
		previous = longest;
	}
	assert_int_equal(previous, cap - 1);
	/* Huge attempts and huge values do not overflow. */
	assert_int_equal(ratelimit_backoff_ms(INT32_MAX, base, cap, 0.5), cap / 2);
	int64_t wait = ratelimit_backoff_ms(100, INT64_MAX / 4, INT64_MAX, 0.5);
	assert_true(wait >= 0);
	assert_true(wait < INT64_MAX);
	/* Randomness out of [0,1) stays in range. */
	assert_int_equal(ratelimit_backoff_ms(3, base, cap, -1.0), 0);
	assert_int_equal(ratelimit_backoff_ms(3, base, cap, NAN), 0);
	assert_int_equal(ratelimit_backoff_ms(3, base, cap, 1.0), 1999);
	assert_int_equal(ratelimit_backoff_ms(3, base, cap, 1e300), 1999);
	assert_int_equal(ratelimit_backoff_ms(3, base, cap, INFINITY), 1999);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_operator_rate_has_no_saved_burst),
		cmocka_unit_test(test_refill_caps_at_burst),
		cmocka_unit_test(test_sustained_rate),
		cmocka_unit_test(test_wait_is_exact),
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_odd_inputs),
		cmocka_unit_test(test_backoff_values),
		cmocka_unit_test(test_backoff_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
