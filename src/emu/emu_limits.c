/* emu_limits.c — token buckets and the sliding window. */
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

/* The times of the last `requests` requests, oldest at `next` once the ring is full. */
struct window {
	int requests;
	int seconds;
	enum emu_window_block block;
	double *times;
	int count;
	int next;
};

struct emu_limits {
	pthread_mutex_t lock;
	bool enabled;
	struct window window;
	struct bucket routes[EMU_LIMIT_ROUTE_COUNT]; /* rate 0: no bucket for that route */
};

static void *allocate(size_t size)
{
	void *p = calloc(1, size);
	if (!p) {
		fputs("simtop-emu: out of memory\n", stderr);
		abort();
	}
	return p;
}

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

static void window_init(struct window *window, int requests, int seconds, enum emu_window_block block)
{
	free(window->times);
	window->requests = requests;
	window->seconds = seconds;
	window->block = block;
	window->times = allocate((size_t)requests * sizeof *window->times);
	window->count = 0;
	window->next = 0;
}

struct emu_limits *emu_limits_new(bool enabled, int window_requests, int window_seconds,
				  enum emu_window_block block)
{
	struct emu_limits *limits = allocate(sizeof *limits);
	pthread_mutex_init(&limits->lock, NULL);
	limits->enabled = enabled;
	window_init(&limits->window, window_requests, window_seconds, block);
	bucket_init(&limits->routes[EMU_LIMIT_LIST], 10, 5);
	bucket_init(&limits->routes[EMU_LIMIT_ENDPOINT_GET], 50, 25);
	bucket_init(&limits->routes[EMU_LIMIT_SIM_GET], 100, 50);
	bucket_init(&limits->routes[EMU_LIMIT_AUTHENTICATE], 100.0 / 300.0, 100);
	bucket_init(&limits->routes[EMU_LIMIT_CONNECTIVITY], 50, 25);
	bucket_init(&limits->routes[EMU_LIMIT_ENDPOINT_STATS], 100, 50);
	bucket_init(&limits->routes[EMU_LIMIT_ENDPOINT_EVENTS], 10, 5);
	return limits;
}

void emu_limits_free(struct emu_limits *limits)
{
	if (!limits)
		return;
	pthread_mutex_destroy(&limits->lock);
	free(limits->window.times);
	free(limits);
}

void emu_limits_set_enabled(struct emu_limits *limits, bool enabled)
{
	pthread_mutex_lock(&limits->lock);
	limits->enabled = enabled;
	pthread_mutex_unlock(&limits->lock);
}

void emu_limits_set_window(struct emu_limits *limits, int window_requests, int window_seconds,
			   enum emu_window_block block)
{
	pthread_mutex_lock(&limits->lock);
	window_init(&limits->window, window_requests, window_seconds, block);
	pthread_mutex_unlock(&limits->lock);
}

unsigned emu_limits_window_admit(struct emu_limits *limits, double now)
{
	pthread_mutex_lock(&limits->lock);
	unsigned refusal = 0;
	struct window *window = &limits->window;
	if (limits->enabled) {
		/* Full when the oldest of the last `requests` requests is still inside the window. */
		if (window->count == window->requests && now - window->times[window->next] < window->seconds)
			refusal = (unsigned)window->block;
		/* Refused or not, the request is counted, as an edge firewall counts it. */
		window->times[window->next] = now;
		window->next = (window->next + 1) % window->requests;
		if (window->count < window->requests)
			window->count++;
	}
	pthread_mutex_unlock(&limits->lock);
	return refusal;
}

bool emu_limits_admit(struct emu_limits *limits, enum emu_limit_route route, double now)
{
	pthread_mutex_lock(&limits->lock);
	bool admitted = true;
	struct bucket *own = &limits->routes[route];
	if (limits->enabled && own->rate > 0) {
		bucket_refill(own, now);
		if (own->tokens < 1)
			admitted = false;
		else
			own->tokens -= 1;
	}
	pthread_mutex_unlock(&limits->lock);
	return admitted;
}
