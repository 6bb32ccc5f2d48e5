/* ratelimit.h — token buckets for emnify's published limits, and the back-off schedule.
 * Time is passed in (milliseconds, monotonic) so tests control it. */
#ifndef SIMTOP_RATELIMIT_H
#define SIMTOP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bucket refilled at rate tokens per second up to burst tokens. rate <= 0 means unlimited. */
struct ratelimit {
	double rate;
	double burst;
	double tokens;
	int64_t updated_ms;
};

void ratelimit_init(struct ratelimit *limit, double rate, double burst, int64_t now_ms);
/* Take one token if there is one. */
bool ratelimit_take(struct ratelimit *limit, int64_t now_ms);
/* Milliseconds until a token will be there (0 if one is now). */
int64_t ratelimit_wait_ms(struct ratelimit *limit, int64_t now_ms);
/* Start over with at most one token: what was saved up while idle is no burst. */
void ratelimit_restart(struct ratelimit *limit, int64_t now_ms);
/* The burst for a rate an operator sets: one second's worth, at least 1, so that N per second
 * means at most N (plus the one token there at the start) in any second. */
double ratelimit_burst_for(double rate);

/* Exponential back-off with full jitter: attempt 1 waits up to base_ms, each next attempt
 * doubles it, capped at cap_ms. random01 is a number in [0,1) supplied by the caller. */
int64_t ratelimit_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, double random01);

/* A sliding window: at most limit calls in any window_ms. Every call is remembered until it
 * leaves the window (a ring of limit times), so the count is exact, not an average. limit 0
 * means unlimited. This is emnify's per-IP rule (2,000 calls per 5 minutes), which an edge
 * firewall enforces by counting, not by a bucket: a burst of 2,000 passes, the 2,001st waits
 * for the oldest call to leave the window. */
struct ratelimit_window {
	int64_t *times;     /* ring of the calls still inside the window, oldest at head */
	size_t limit, count, head;
	int64_t window_ms;
};

/* limit calls per window_ms, less margin_pct percent (rounded down, at least 1). */
void ratelimit_window_init(struct ratelimit_window *window, size_t limit, int64_t window_ms, double margin_pct);
void ratelimit_window_free(struct ratelimit_window *window);
/* Milliseconds until one more call fits (0: now). */
int64_t ratelimit_window_wait_ms(struct ratelimit_window *window, int64_t now_ms);
/* Count one call made now. Call only when ratelimit_window_wait_ms() said 0. */
void ratelimit_window_take(struct ratelimit_window *window, int64_t now_ms);
/* Seconds that calls more calls take at rate per second (0: no pace) within the window, the
 * window empty at the start: for estimates. */
double ratelimit_window_seconds(size_t calls, double rate, size_t limit, int64_t window_ms);

/* emnify's published limits (reference/emnify-api.md §6). */
#define RATELIMIT_LIST_RATE 10.0   /* GET /sim, GET /endpoint: 10 per second… */
#define RATELIMIT_LIST_BURST 5.0   /* …burst 5 */
#define RATELIMIT_IP_RATE (2000.0 / 300.0) /* every call: 2000 per 5 minutes per IP */
#define RATELIMIT_DEFAULT_RATE 10.0 /* the pace: emnify's advice of about 100 ms between calls */
#define RATELIMIT_IP_BURST 100.0
#define RATELIMIT_IP_WINDOW_CALLS 2000
#define RATELIMIT_IP_WINDOW_MS (300 * 1000)
#define RATELIMIT_IP_WINDOW_MARGIN_PCT 5.0 /* keep 5% below it: others on the same IP, skew */
#define RATELIMIT_RETRY_MAX 8      /* attempts before a request fails for good */
#define RATELIMIT_BACKOFF_BASE_MS 500
#define RATELIMIT_BACKOFF_CAP_MS 30000

#endif
