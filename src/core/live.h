/* live.h — what the network says of devices: connectivity and this month's data volume, read
 * on the operator's request for chosen devices (DESIGN.md §12), never in the background.
 *
 * The store keeps one state per endpoint id, with the time each half was read, so that a
 * refresh of the fleet (new device indexes) keeps what was read. A device without an endpoint
 * has no live state. Reading the store from several threads at once is safe while nobody
 * writes it (the filter's matcher does so).
 *
 * A fetch reads the live state of a list of endpoints through the transport, a few calls in
 * flight at a time, and writes each answer into the store as it arrives; the transport keeps
 * to the API's limits (per route, and the per-IP window). */
#ifndef SIMTOP_LIVE_H
#define SIMTOP_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "transport.h"

struct live_state {
	int64_t endpoint_id;
	int64_t connectivity_read_at;   /* wall-clock seconds; 0: not read */
	int64_t usage_read_at;          /* wall-clock seconds; 0: not read */
	double data_month_mb;           /* this month's data volume; 0 when the month is absent */
	enum connectivity connectivity; /* CONNECTIVITY_UNKNOWN for a word emnify does not document */
	char word[24];                  /* the API's word as sent ("ONLINE"), cleaned */
};

struct live;

struct live *live_new(void);
void live_free(struct live *live);

/* The state of an endpoint; NULL when nothing of it was read (always for id 0). */
const struct live_state *live_find(const struct live *live, int64_t endpoint_id);
/* Endpoints with anything read. */
size_t live_count(const struct live *live);
/* The oldest time (wall-clock seconds) among the values read; 0 when nothing was read. */
int64_t live_oldest(const struct live *live);

/* Write what was read at the wall-clock second at. */
void live_set_connectivity(struct live *live, int64_t endpoint_id, const char *word, int64_t at);
void live_set_usage(struct live *live, int64_t endpoint_id, double data_month_mb, int64_t at);

/* The kinds of call a fetch makes, as bits. */
enum {
	LIVE_CONNECTIVITY = 1 << TRANSPORT_LIVE_CONNECTIVITY,
	LIVE_USAGE = 1 << TRANSPORT_LIVE_USAGE,
	LIVE_BOTH = LIVE_CONNECTIVITY | LIVE_USAGE,
};

/* Calls and seconds a fetch of devices endpoints takes at the transport's limits (the routes'
 * own, the live pace and the per-IP window, the window empty at the start). */
struct live_estimate {
	size_t calls;
	double seconds;
};
struct live_estimate live_estimate(const struct transport *transport, size_t devices, unsigned kinds);

/* "connectivity" or "usage", for messages. */
const char *live_what_word(enum transport_live what);

/* One read that failed, after the transport's own retries. */
struct live_failure {
	int64_t endpoint_id;
	enum transport_live what;
	char message[256];
};

struct live_fetch_progress {
	bool running;           /* false once every call settled, or after live_fetch_cancel() */
	bool cancelled;
	size_t calls_total;
	size_t calls_done;      /* answered, whether read or failed */
	size_t calls_failed;
	size_t devices;         /* endpoints asked for */
};

struct live_fetch;

/* Start reading kinds (LIVE_* bits) of count endpoints (ids, 0 skipped) into live, which must
 * outlive the fetch. An answer that the token was
 * rejected stops the fetch: what was not sent yet fails with the same message. */
struct live_fetch *live_fetch_start(const struct transport *transport, struct live *live,
				    const int64_t *endpoint_ids, size_t count, unsigned kinds);
void live_fetch_progress(const struct live_fetch *fetch, struct live_fetch_progress *progress);
/* The reads that failed so far, in the order they failed. */
const struct live_failure *live_fetch_failures(const struct live_fetch *fetch, size_t *count);
/* Drop every call not answered yet; what was read stays in the store. */
void live_fetch_cancel(struct live_fetch *fetch);
/* Cancels first when still running. NULL is fine. */
void live_fetch_free(struct live_fetch *fetch);

#endif
