/* emu_limits.h — emnify's published rate limits as token buckets.
 *
 *   list calls (GET /sim and GET /endpoint lists, one bucket)   10/s, burst 5
 *   GET /endpoint/{id}                                          50/s, burst 25
 *   GET /sim/{id}                                               100/s, burst 50
 *   POST /authenticate                                          100 per 5 minutes
 *   every API call                                              2000 per 5 minutes
 *
 * The last limit is per source IP in the real service; every client of a loopback emulator has
 * the same address, so it is one bucket here. A request takes one token from the general bucket
 * and one from its route's bucket, or none at all when either is empty. Thread-safe. */
#ifndef SIMTOP_EMU_LIMITS_H
#define SIMTOP_EMU_LIMITS_H

#include <stdbool.h>

enum emu_limit_route {
	EMU_LIMIT_OTHER,        /* only the general bucket applies (PATCH, unknown routes) */
	EMU_LIMIT_LIST,
	EMU_LIMIT_ENDPOINT_GET,
	EMU_LIMIT_SIM_GET,
	EMU_LIMIT_AUTHENTICATE,
	EMU_LIMIT_ROUTE_COUNT
};

struct emu_limits;

/* Buckets start full. Never NULL. */
struct emu_limits *emu_limits_new(bool enabled);
void emu_limits_free(struct emu_limits *limits);

void emu_limits_set_enabled(struct emu_limits *limits, bool enabled);
bool emu_limits_enabled(struct emu_limits *limits);

/* Admit one request on route at time now (seconds on a monotonic clock). Returns false when
 * it must be refused with 429; always true while limits are off. */
bool emu_limits_admit(struct emu_limits *limits, enum emu_limit_route route, double now);

#endif
