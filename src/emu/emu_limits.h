/* emu_limits.h — emnify's published rate limits: per-route token buckets and the per-IP window.
 *
 *   list calls (GET /sim and GET /endpoint lists, one bucket)   10/s, burst 5
 *   GET /endpoint/{id}                                          50/s, burst 25
 *   GET /sim/{id}                                               100/s, burst 50
 *   POST /authenticate                                          100 per 5 minutes
 *   GET /endpoint/{id}/connectivity                             50/s, burst 25
 *   GET /endpoint/{id}/stats                                    100/s, burst 50
 *   GET /endpoint/{id}/event lists                              10/s, burst 5
 *   every API call, per source IP                               2000 in any 5 minutes
 *
 * The last limit is an edge firewall's rate rule (AWS WAF): a sliding window that counts every
 * request that reaches it, refused ones too, and refuses while it holds the limit. Every client
 * of a loopback emulator has the same address, so it is one window here. The window is asked
 * first; a request it admits then takes one token from its route's bucket, if the route has
 * one, or is refused with 429 when that bucket is empty. Thread-safe.
 *
 * The published table gives one rate per row of paths; the emulator keeps the two lists in one
 * bucket, as before, and gives each per-endpoint read its own. The endpoint event list is not in
 * the table: INFERRED, it has the rate of the general event list (GET /api/v1/event). */
#ifndef SIMTOP_EMU_LIMITS_H
#define SIMTOP_EMU_LIMITS_H

#include <stdbool.h>

enum emu_limit_route {
	EMU_LIMIT_OTHER,        /* no bucket of its own (PATCHes, bulk calls, unknown routes) */
	EMU_LIMIT_LIST,
	EMU_LIMIT_ENDPOINT_GET,
	EMU_LIMIT_SIM_GET,
	EMU_LIMIT_AUTHENTICATE,
	EMU_LIMIT_CONNECTIVITY,
	EMU_LIMIT_ENDPOINT_STATS,
	EMU_LIMIT_ENDPOINT_EVENTS,
	EMU_LIMIT_ROUTE_COUNT
};

/* The published per-IP window. */
#define EMU_LIMITS_WINDOW_REQUESTS 2000
#define EMU_LIMITS_WINDOW_SECONDS 300
/* Bounds of a configured window (the window keeps one timestamp per request it may hold). */
#define EMU_LIMITS_WINDOW_REQUESTS_MAX 1000000
#define EMU_LIMITS_WINDOW_SECONDS_MAX 86400

/* How the window refuses: the gateway's 429 {"message":"Too Many Requests"}, or the edge
 * firewall's 403 with an HTML page. */
enum emu_window_block {
	EMU_WINDOW_BLOCK_429 = 429,
	EMU_WINDOW_BLOCK_403 = 403,
};

struct emu_limits;

/* Buckets start full and the window empty; requests in 1..EMU_LIMITS_WINDOW_REQUESTS_MAX,
 * seconds in 1..EMU_LIMITS_WINDOW_SECONDS_MAX. Never NULL. */
struct emu_limits *emu_limits_new(bool enabled, int window_requests, int window_seconds,
				  enum emu_window_block block);
void emu_limits_free(struct emu_limits *limits);

void emu_limits_set_enabled(struct emu_limits *limits, bool enabled);

/* Change the window (same bounds as emu_limits_new); it starts empty again. */
void emu_limits_set_window(struct emu_limits *limits, int window_requests, int window_seconds,
			   enum emu_window_block block);

/* Count one API request at time now (seconds on a monotonic clock) in the window. Returns 0 when
 * the window admits it, or the HTTP status to refuse it with (enum emu_window_block). Always 0
 * while limits are off, and then nothing is counted. */
unsigned emu_limits_window_admit(struct emu_limits *limits, double now);

/* Take a token for one request on route at time now. Returns false when it must be refused
 * with 429; always true for EMU_LIMIT_OTHER and while limits are off. */
bool emu_limits_admit(struct emu_limits *limits, enum emu_limit_route route, double now);

#endif
