/* ratelimit.c — token buckets and the back-off schedule. */
#include "ratelimit.h"

/* Token arithmetic in doubles leaves rounding noise: 0.99999999997 tokens is one token. */
#define TOKEN_EPSILON 1e-9

static bool unlimited(const struct ratelimit *limit)
{
	return !(limit->rate > 0);
}

void ratelimit_init(struct ratelimit *limit, double rate, double burst, int64_t now_ms)
{
	limit->rate = rate;
	/* A bucket must hold at least one token, or nothing could ever pass. */
	limit->burst = burst >= 1 ? burst : 1;
	limit->tokens = limit->burst;
	limit->updated_ms = now_ms;
}

static void refill(struct ratelimit *limit, int64_t now_ms)
{
	/* A clock that goes backwards refills nothing; time restarts from there. */
	if (now_ms > limit->updated_ms) {
		limit->tokens += (double)(now_ms - limit->updated_ms) * limit->rate / 1000.0;
		if (limit->tokens > limit->burst)
			limit->tokens = limit->burst;
	}
	limit->updated_ms = now_ms;
}

bool ratelimit_take(struct ratelimit *limit, int64_t now_ms)
{
	if (unlimited(limit))
		return true;
	refill(limit, now_ms);
	if (limit->tokens < 1 - TOKEN_EPSILON)
		return false;
	limit->tokens -= 1;
	if (limit->tokens < 0)
		limit->tokens = 0;
	return true;
}

int64_t ratelimit_wait_ms(struct ratelimit *limit, int64_t now_ms)
{
	if (unlimited(limit))
		return 0;
	refill(limit, now_ms);
	if (limit->tokens >= 1 - TOKEN_EPSILON)
		return 0;
	/* Aim a little inside the epsilon so that rounding noise neither adds a millisecond nor
	 * leaves the bucket short when the caller wakes; round up to whole milliseconds. */
	double wait = (1 - TOKEN_EPSILON / 2 - limit->tokens) * 1000.0 / limit->rate;
	int64_t whole = (int64_t)wait;
	if ((double)whole < wait)
		whole++;
	return whole > 0 ? whole : 1;
}

void ratelimit_restart(struct ratelimit *limit, int64_t now_ms)
{
	limit->tokens = limit->burst < 1 ? limit->burst : 1;
	limit->updated_ms = now_ms;
}

double ratelimit_burst_for(double rate)
{
	return rate > 1 ? rate : 1;
}

int64_t ratelimit_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, double random01)
{
	if (base_ms <= 0 || cap_ms <= 0)
		return 0;
	/* base * 2^(attempt-1), stopping at the cap before it can overflow. */
	int64_t ceiling = base_ms < cap_ms ? base_ms : cap_ms;
	for (int i = 1; i < attempt && ceiling < cap_ms; i++)
		ceiling = ceiling > cap_ms / 2 ? cap_ms : ceiling * 2;

	/* Out-of-range randomness (NaN included) stays inside [0, ceiling). */
	if (!(random01 > 0))
		return 0;
	if (random01 >= 1)
		return ceiling - 1;
	int64_t wait = (int64_t)(random01 * (double)ceiling);
	if (wait >= ceiling)
		wait = ceiling - 1;
	return wait;
}
