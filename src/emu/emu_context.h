/* emu_context.h — what every request handler of the emulator shares.
 *
 * One context lives as long as the server. The pointers are borrowed from emu_main; the
 * runtime settings below may be changed by control routes while requests run, so they are
 * read and written with atomics. */
#ifndef SIMTOP_EMU_CONTEXT_H
#define SIMTOP_EMU_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "emu_auth.h"
#include "emu_fleet.h"
#include "emu_limits.h"
#include "emu_odd.h"
#include "emu_stats.h"

/* Fault rates are kept in parts per million so they fit an atomic integer. */
#define EMU_FAULTS_PER_MILLION(pct) ((uint32_t)((pct) * 10000.0 + 0.5))

struct emu_context {
	struct emu_fleet *fleet;
	struct emu_auth *auth;
	struct emu_limits *limits;
	struct emu_stats stats;
	uint64_t seed;
	uint32_t faults_ppm;        /* atomic: API requests that fail, per million */
	uint64_t request_serial;    /* atomic: numbers API requests (fault dice, request ids) */
	int latency_ms;
	bool lower_case_headers;
	bool corrupt_lists;         /* list pages are cut in half (tests of the client's checks) */
	uint32_t stall;             /* atomic: enum emu_stall, the API requests held unanswered */
	uint32_t stall_after;       /* atomic: held after being carried out (see emu_stall.h) */
	int stall_release_fd;       /* readable once the server stops: every held request ends */
	uint32_t forbidden;         /* bit (1 << enum emu_api_forbidden) per route answered 403 */
	uint32_t bulk_partial;      /* atomic: a bulk call with bad items applies its good ones */
	uint32_t endpoint_changes_in_flight; /* atomic: endpoint PATCHes (single or bulk) being served */
	uint32_t ignore_q;          /* atomic: lists serve everything whatever q says (emu_query.h) */
	uint32_t refuse_q;          /* atomic: lists answer every q with 422; before ignore_q */
	struct emu_odd odd;         /* list pages bent into data that cannot be true (emu_odd.h) */
	int64_t live_epoch;         /* Unix seconds: "now" for the network state (emu_live.h) */
};

#endif
