/* emu_api.h — the emnify routes: everything outside /_emu/.
 *
 *   POST  /api/v1/authenticate
 *   GET   /api/v1/sim            GET /api/v1/sim/{id}        PATCH /api/v1/sim/{id}
 *   GET   /api/v1/endpoint       GET /api/v1/endpoint/{id}   PATCH /api/v1/endpoint/{id}
 *
 * Each request goes through, in order: counting, the configured latency, fault injection
 * (before anything can change), rate limits, routing (404, 405), authentication and the route
 * itself. Answers use the real API's status codes, headers and body shapes. */
#ifndef SIMTOP_EMU_API_H
#define SIMTOP_EMU_API_H

#include <stdbool.h>
#include <stddef.h>
#include <microhttpd.h>

#include "emu_context.h"

/* Answer one complete request. body holds length bytes (NUL-terminated); body_too_large tells
 * that the client sent more than the emulator keeps. Returns MHD_NO when the connection must be
 * dropped without an answer (an injected fault). */
enum MHD_Result emu_api_handle(struct emu_context *context, struct MHD_Connection *connection,
			       const char *method, const char *url, const char *body, size_t length,
			       bool body_too_large);

#endif
