/* emu_query.h — emnify's q filter on the two lists (GET /api/v1/sim?q=..., GET
 * /api/v1/endpoint?q=...).
 *
 * q is a comma list of field:value terms, the way emnify documents it and its Python SDK builds
 * it ("status:1,endpoint:null"). A SIM (endpoint) is listed when it matches every term. The
 * emulator knows the fields a fleet view needs:
 *   SIM list       status:N       the SIM's status id is N
 *                  endpoint:null  the SIM has no endpoint (the SDK's "SIMs without a device")
 *   endpoint list  status:N       the endpoint's status id is N
 *                  sim_status:N   the endpoint has a SIM whose status id is N
 * N is a decimal status id; an id no status has matches nothing. Matching reads the statuses as
 * they are when the request is served, so a list filtered by status follows the PATCHes.
 *
 * Everything else is refused, as emnify refuses bad query criteria: 422 with error code 1301
 * (InvalidQueryCriteria). That includes a field emnify documents but the emulator does not
 * emulate (iccid, name, ...), so that a test relying on one fails loudly instead of getting an
 * unfiltered list. INFERRED: how emnify matches values (exact, prefix), whether a field may be
 * repeated and how it words its 1301 messages are not documented; the emulator matches exactly,
 * ANDs repeated fields like any other terms, and words its own messages. */
#ifndef SIMTOP_EMU_QUERY_H
#define SIMTOP_EMU_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu_fleet.h"

/* Longest q the emulator takes, in bytes: it is echoed whole in X-Filter. */
#define EMU_QUERY_TEXT_MAX 200
/* The shortest term, "a:b", and its comma take 4 of those bytes. */
#define EMU_QUERY_TERMS_MAX (EMU_QUERY_TEXT_MAX / 4 + 1)

enum emu_query_field {
	EMU_QUERY_SIM_STATUS,           /* SIM list: status */
	EMU_QUERY_SIM_WITHOUT_ENDPOINT, /* SIM list: endpoint:null */
	EMU_QUERY_ENDPOINT_STATUS,      /* endpoint list: status */
	EMU_QUERY_ENDPOINT_SIM_STATUS,  /* endpoint list: sim_status */
};

struct emu_query_term {
	enum emu_query_field field;
	int64_t value;                  /* the status id; unused for endpoint:null */
};

struct emu_query {
	size_t count;
	struct emu_query_term terms[EMU_QUERY_TERMS_MAX];
};

/* Parse q (as decoded from the URL) for the SIM list (sims) or the endpoint list. False with
 * the message of the 422 in error (size bytes, plain ASCII) when q is malformed, too long or
 * names a field the list does not take. */
bool emu_query_parse(const char *text, bool sims, struct emu_query *query, char *error, size_t size);

/* True when device index's SIM (for a query of the SIM list) or endpoint matches every term.
 * The device must have that SIM (endpoint). */
bool emu_query_matches(const struct emu_query *query, const struct emu_fleet *fleet, int64_t index);

#endif
