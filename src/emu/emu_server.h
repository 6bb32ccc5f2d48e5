/* emu_server.h — the HTTP side of simtop-emu: the emnify routes, the /_emu control routes,
 * rate limits, injected faults and latency, and the counters tests read back.
 *
 * The server listens on 127.0.0.1 only and runs one thread per connection (libmicrohttpd),
 * so a delayed or slow response never holds up another connection. The fleet, auth and limits
 * objects are borrowed: they must outlive the server. */
#ifndef SIMTOP_EMU_SERVER_H
#define SIMTOP_EMU_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu_auth.h"
#include "emu_fleet.h"
#include "emu_limits.h"
#include "emu_odd.h"

struct emu_server_options {
	struct emu_fleet *fleet;
	struct emu_auth *auth;
	struct emu_limits *limits;
	uint64_t seed;          /* seeds the fault dice */
	double faults_pct;      /* share of API requests that fail, 0..100 */
	int latency_ms;         /* added to every API response */
	bool lower_case_headers; /* send every response header name in lower case */
	bool corrupt_lists;     /* answer list calls with a page cut in half */
	int stall;              /* enum emu_stall: API requests held unanswered */
	bool stall_after;       /* held after being carried out */
	uint32_t forbidden;     /* routes answered 403 (bits of enum emu_api_forbidden) */
	bool bulk_partial;      /* a bulk call with bad items applies its good ones */
	struct emu_odd odd;     /* bend list pages into data that cannot be true (prepared) */
	bool ignore_q;          /* lists ignore q and serve everything */
	int64_t epoch;          /* "now" of the network state, Unix seconds; 0: the start */
	bool refuse_q;          /* lists answer any q with 422 */
	int port;               /* 0: let the system pick one */
};

struct emu_server;

/* Bind 127.0.0.1:port and start serving. Returns NULL with a message in error on failure. */
struct emu_server *emu_server_start(const struct emu_server_options *options, char *error, size_t error_size);

/* The port actually bound (useful when options->port was 0). */
int emu_server_port(const struct emu_server *server);

/* Stop accepting, finish or close every connection, and free the server. */
void emu_server_stop(struct emu_server *server);

#endif
