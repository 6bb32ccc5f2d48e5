/* emu_api.h — the emnify routes: everything outside /_emu/.
 *
 *   POST  /api/v1/authenticate
 *   GET   /api/v1/sim            GET /api/v1/sim/{id}        PATCH /api/v1/sim/{id}
 *   GET   /api/v1/endpoint       GET /api/v1/endpoint/{id}   PATCH /api/v1/endpoint/{id}
 *   PATCH /api/v2/endpoint/multi (bulk: up to 2000 endpoint status changes in one call)
 *   GET   /api/v1/endpoint/{id}/connectivity   .../stats   .../event (the network, emu_live.h)
 *
 * Each request goes through, in order: counting, the configured latency, the per-IP window
 * (an edge firewall's: before anything else can answer), stalling, fault injection (before
 * anything can change), the route buckets, routing (404, 405), authentication, permissions
 * (--forbid) and the route itself. Answers use the real API's status codes, headers and body
 * shapes.
 *
 * emnify asks clients to send single-endpoint PATCHes, and bulk calls, one at a time: an
 * endpoint PATCH (single or bulk) that starts while another is still being served, from its
 * arrival (latency included) until its answer is queued or it is held (--stall), is counted as
 * endpoint_patch_overlap. */
#ifndef SIMTOP_EMU_API_H
#define SIMTOP_EMU_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <microhttpd.h>

#include "emu_context.h"

/* Most endpoints one bulk call may change, as documented. */
#define EMU_API_MULTI_ITEMS_MAX 2000

/* Routes that --forbid answers with 403 {"error_code":1104,"error_token":"Forbidden",...}. */
enum emu_api_forbidden {
	EMU_API_FORBID_SIM_PATCH,      /* "sim-patch":      PATCH /api/v1/sim/{id} */
	EMU_API_FORBID_ENDPOINT_PATCH, /* "endpoint-patch": PATCH /api/v1/endpoint/{id} */
	EMU_API_FORBID_MULTI,          /* "multi":          PATCH /api/v2/endpoint/multi */
	EMU_API_FORBID_COUNT
};

/* Add the routes named in a comma-separated list to *routes (bit 1 << enum emu_api_forbidden
 * each). False with the word that names no route in bad (size bytes) when one does not. */
bool emu_api_parse_forbidden(const char *list, uint32_t *routes, char *bad, size_t size);

/* Answer one complete request. body holds length bytes (NUL-terminated); body_too_large tells
 * that the client sent more than the emulator keeps. Returns MHD_NO when the connection must be
 * dropped without an answer (an injected fault). */
enum MHD_Result emu_api_handle(struct emu_context *context, struct MHD_Connection *connection,
			       const char *method, const char *url, const char *body, size_t length,
			       bool body_too_large);

#endif
