/* live.h — the network's view of many devices for `simtop list --with connectivity,usage`:
 * GET /api/v1/endpoint/{id}/connectivity and /stats of every listed device with an endpoint,
 * a few at a time, within each route's limit and the per-IP window (api.h). Nothing is read
 * that was not asked for. */
#ifndef SIMTOP_LIVE_H
#define SIMTOP_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "fleet.h"
#include "output.h"

/* Parse "connectivity,usage" (either, both, in any order) into live's columns; false, with
 * message, for any other word. */
bool live_parse_columns(const char *text, struct output_live *live, char *message, size_t size);

/* Read what live's columns need for the devices at rows (count of them) into live->cells (one
 * per device of fleet, allocated here; the caller frees it). Progress goes to stderr when
 * progress is true; each device whose state could not be read is named on stderr, its cells
 * left empty. Returns how many devices could not be read. */
size_t live_fetch(struct api *api, const struct fleet *fleet, const size_t *rows, size_t count,
		  struct output_live *live, bool progress);

#endif
