/* emu_stats.h — request counters that tests read back from GET /_emu/stats.
 *
 * One X-macro list names every counter, so the enum and the JSON keys cannot drift apart.
 * Route counters count every request that reached the route with its method, refused ones
 * included (endpoint_multi: bulk PATCH /api/v2/endpoint/multi calls); sim_list_filtered and
 * endpoint_list_filtered count, among the list calls, those that carry a (non-empty) q, whatever
 * the emulator then does with it (served, ignored, refused); *_applied count PATCHes
 * that changed a status; endpoint_multi_items the items of bulk calls that passed validation
 * and were processed, endpoint_multi_applied those that changed a status; endpoint_patch_overlap
 * the endpoint PATCHes (single or bulk) that started while another was still being processed;
 * status_* count API responses by HTTP status; ip_window_blocked the requests the per-IP window
 * refused; dropped counts connections closed without an answer; stalled the requests held
 * unanswered (--stall); connectivity, endpoint_stats and endpoint_events the GETs of an
 * endpoint's connectivity, usage and event list. Lock-free. */
#ifndef SIMTOP_EMU_STATS_H
#define SIMTOP_EMU_STATS_H

#include <stdint.h>

#include "emu_buf.h"

#define EMU_STATS_LIST(X) \
	X(requests) \
	X(authenticate) \
	X(sim_list) \
	X(endpoint_list) \
	X(sim_get) \
	X(endpoint_get) \
	X(sim_patch) \
	X(endpoint_patch) \
	X(sim_patch_applied) \
	X(endpoint_patch_applied) \
	X(status_2xx) \
	X(status_401) \
	X(status_404) \
	X(status_409) \
	X(status_422) \
	X(status_429) \
	X(status_5xx) \
	X(dropped) \
	X(tokens_issued) \
	X(status_400) \
	X(status_405) \
	X(stalled) \
	X(endpoint_multi) \
	X(endpoint_multi_items) \
	X(endpoint_multi_applied) \
	X(endpoint_patch_overlap) \
	X(status_403) \
	X(ip_window_blocked) \
	X(sim_list_filtered) \
	X(endpoint_list_filtered) \
	X(connectivity) \
	X(endpoint_stats) \
	X(endpoint_events)

enum emu_stat {
#define EMU_STAT_ENUM(name) EMU_STAT_##name,
	EMU_STATS_LIST(EMU_STAT_ENUM)
#undef EMU_STAT_ENUM
	EMU_STAT_COUNT
};

struct emu_stats {
	int64_t counters[EMU_STAT_COUNT];
};

void emu_stats_add(struct emu_stats *stats, enum emu_stat which);

/* Count one API response by its HTTP status (only the classes listed above are kept). */
void emu_stats_add_status(struct emu_stats *stats, unsigned http_status);

/* Append the counters as one JSON object, in list order. */
void emu_stats_render(struct emu_stats *stats, struct emu_buf *buf);

#endif
