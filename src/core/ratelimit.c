/* ratelimit.c — token buckets and the back-off schedule. */
#include "ratelimit.h"

#include <stdlib.h>

#include "util.h"

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

/* --- the sliding window ------------------------------------------------------------------- */

void ratelimit_window_init(struct ratelimit_window *window, size_t limit, int64_t window_ms, double margin_pct)
{
	window->times = NULL;
	window->count = window->head = 0;
	window->window_ms = window_ms;
	window->limit = 0;
	if (limit == 0 || window_ms <= 0)
		return;
	if (margin_pct > 0 && margin_pct < 100)
		limit = (size_t)((double)limit * (100.0 - margin_pct) / 100.0);
	window->limit = limit > 0 ? limit : 1;
	window->times = xcalloc(window->limit, sizeof(*window->times));
}

void ratelimit_window_free(struct ratelimit_window *window)
{
	free(window->times);
	window->times = NULL;
	window->limit = window->count = window->head = 0;
}

/* Forget the calls that left the window by now. */
static void window_expire(struct ratelimit_window *window, int64_t now_ms)
{
	while (window->count > 0 && window->times[window->head] + window->window_ms <= now_ms) {
		window->head = (window->head + 1) % window->limit;
		window->count--;
	}
}

int64_t ratelimit_window_wait_ms(struct ratelimit_window *window, int64_t now_ms)
{
	if (window->limit == 0)
		return 0;
	window_expire(window, now_ms);
	if (window->count < window->limit)
		return 0;
	return window->times[window->head] + window->window_ms - now_ms;
}

void ratelimit_window_take(struct ratelimit_window *window, int64_t now_ms)
{
	if (window->limit == 0)
		return;
	window_expire(window, now_ms);
	if (window->count == window->limit) {
		/* Not asked first: the oldest is forgotten, the count stays right from here on. */
		window->head = (window->head + 1) % window->limit;
		window->count--;
	}
	window->times[(window->head + window->count) % window->limit] = now_ms;
	window->count++;
}

double ratelimit_window_seconds(size_t calls, double rate, size_t limit, int64_t window_ms)
{
	double window_s = (double)window_ms / 1000.0;

	if (calls == 0)
		return 0;
	if (limit == 0 || window_ms <= 0 || calls <= limit)
		return rate > 0 ? (double)(calls - 1) / rate : 0;
	/* Each full window's calls go out at the pace, and the next window opens when its
	 * first call leaves: the pattern repeats every window_ms (or every limit / rate when
	 * the pace is the slower). */
	double period = rate > 0 && (double)limit / rate > window_s ? (double)limit / rate : window_s;
	size_t full = (calls - 1) / limit;
	size_t rest = calls - full * limit;
	return (double)full * period + (rate > 0 ? (double)(rest - 1) / rate : 0);
}
