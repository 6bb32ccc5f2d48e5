/* list_live.h — the network's view of many devices for `simtop list`: its --with columns and
 * its conn: and data: filter terms. GET /api/v1/endpoint/{id}/connectivity and /stats of the
 * devices asked for, a few at a time, within each route's limit and the per-IP window (api.h,
 * live.h). Nothing is read that was not asked for. */
#ifndef SIMTOP_LIST_LIVE_H
#define SIMTOP_LIST_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "fleet.h"
#include "live.h"
#include "output.h"

/* Parse "connectivity,usage" (either, both, in any order) into with's columns; false, with
 * message, for any other word. */
bool list_live_parse_columns(const char *text, struct output_live *with, char *message, size_t size);

/* Whether reading kinds (LIVE_* bits) of the devices at rows (count of them) may go ahead: a
 * read of more calls than emnify's per-IP window holds (which every other client on the IP
 * shares) may not unless yes, and stderr says why, with the calls and the time. Else true, and
 * with progress the calls and the time are said on stderr. */
bool list_live_check(struct api *api, const struct fleet *fleet, const size_t *rows, size_t count, unsigned kinds,
		     bool yes, bool progress);

/* Read kinds of the devices at rows into live. Progress goes to stderr when progress is true;
 * each read that failed is named on stderr. Returns how many devices could not be read in full. */
size_t list_live_fetch(struct api *api, const struct fleet *fleet, const size_t *rows, size_t count, unsigned kinds,
		       struct live *live, bool progress);

#endif
