/* emu_limits.c — token buckets. */
#include "emu_limits.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct bucket {
	double rate;            /* tokens per second */
	double burst;           /* capacity */
	double tokens;
	double updated;         /* when tokens was last brought up to date; < 0 before first use */
};

struct emu_limits {
	pthread_mutex_t lock;
	bool enabled;
	struct bucket general;
	struct bucket routes[EMU_LIMIT_ROUTE_COUNT]; /* rate 0: no bucket for that route */
};

static void bucket_init(struct bucket *bucket, double rate, double burst)
{
	bucket->rate = rate;
	bucket->burst = burst;
	bucket->tokens = burst;
	bucket->updated = -1;
}

static void bucket_refill(struct bucket *bucket, double now)
{
	if (bucket->updated >= 0 && now > bucket->updated) {
		bucket->tokens += (now - bucket->updated) * bucket->rate;
		if (bucket->tokens > bucket->burst)
			bucket->tokens = bucket->burst;
	}
	bucket->updated = now;
}

struct emu_limits *emu_limits_new(bool enabled)
{
	struct emu_limits *limits = calloc(1, sizeof *limits);
	if (!limits) {
		fputs("simtop-emu: out of memory\n", stderr);
		abort();
	}
	pthread_mutex_init(&limits->lock, NULL);
	limits->enabled = enabled;
	bucket_init(&limits->general, 2000.0 / 300.0, 2000);
	bucket_init(&limits->routes[EMU_LIMIT_LIST], 10, 5);
	bucket_init(&limits->routes[EMU_LIMIT_ENDPOINT_GET], 50, 25);
	bucket_init(&limits->routes[EMU_LIMIT_SIM_GET], 100, 50);
	bucket_init(&limits->routes[EMU_LIMIT_AUTHENTICATE], 100.0 / 300.0, 100);
	return limits;
}

void emu_limits_free(struct emu_limits *limits)
{
	if (!limits)
		return;
	pthread_mutex_destroy(&limits->lock);
	free(limits);
}

void emu_limits_set_enabled(struct emu_limits *limits, bool enabled)
{
	pthread_mutex_lock(&limits->lock);
	limits->enabled = enabled;
	pthread_mutex_unlock(&limits->lock);
}

bool emu_limits_enabled(struct emu_limits *limits)
{
	pthread_mutex_lock(&limits->lock);
	bool enabled = limits->enabled;
	pthread_mutex_unlock(&limits->lock);
	return enabled;
}

bool emu_limits_admit(struct emu_limits *limits, enum emu_limit_route route, double now)
{
	pthread_mutex_lock(&limits->lock);
	bool admitted = true;
	if (limits->enabled) {
		struct bucket *own = limits->routes[route].rate > 0 ? &limits->routes[route] : NULL;
		bucket_refill(&limits->general, now);
		if (own)
			bucket_refill(own, now);
		/* Check both before taking from either: a refusal costs nothing. */
		if (limits->general.tokens < 1 || (own && own->tokens < 1)) {
			admitted = false;
		} else {
			limits->general.tokens -= 1;
			if (own)
				own->tokens -= 1;
		}
	}
	pthread_mutex_unlock(&limits->lock);
	return admitted;
}
