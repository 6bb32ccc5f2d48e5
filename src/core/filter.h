/* filter.h — the query language of the TUI filter, mark-by-query and `simtop list --filter`.
 *
 * A query is a list of terms separated by blanks; a device matches when every term matches.
 *
 *   word            case-insensitive substring of any text field: name, ICCID, IMSI, MSISDN,
 *                   IMEI, IP address, tags
 *   field:value     one field; fields are
 *                     sim      SIM status       issued activated suspended deleted "factory test" none
 *                     ep       endpoint status  enabled disabled deleted none ("endpoint" too)
 *                     align    alignment        online offline new test billed misaligned unpaired
 *                     name iccid imsi msisdn imei ip   case-insensitive substring; empty value:
 *                              the field is empty (`name:`)
 *                     tag      equals one of the comma-separated tags, case-insensitive and
 *                              trimmed; `tag:` alone matches devices without tags
 *                     id       equals the SIM id or the endpoint id
 *                     conn     connectivity as last read (live.h): online (a data session;
 *                              `session` too, the screen's word), attached, offline, blocked
 *                     data     this month's data volume in MB as last read: a number (equal),
 *                              or one after <, <=, >, >= (`data:0`, `data:<1`, `data:>100`)
 *                   conn and data match only devices whose live state was read, negated or
 *                   not: never a device without an endpoint (it has none), and for a device
 *                   whose state was not read the term is unknown, so that it matches nothing
 *                   (filter_rows() lists those devices apart).
 *                   Status and alignment words are case-insensitive and may be cut to a unique
 *                   prefix (`sim:act`, `ep:dis`, `align:mis`); `_` or `-` stand for a blank
 *                   (`sim:factory_test`). `billed` is the misalignment that costs money, SIM
 *                   Activated behind a Disabled endpoint; `misaligned` matches it too (model.h).
 *                   `none` is a device without that side.
 *   a,b             OR inside one term: `sim:act,sus`, `tag:red,blue`, `pump,valve`
 *   !term           negation
 *   "..."           groups blanks, commas and a leading `~` or `!` into a value; inside quotes
 *                   \" is a quote and \\ a backslash
 *   ~regex          POSIX extended regular expression, case-insensitive, on any text field or,
 *                   after `field:`, on that field (on each tag for `tag:`, on the status words
 *                   for sim/ep/align). A regex takes the rest of the value, commas included
 *                   (`name:~^pump-0{2,}`; use | for alternatives): `name:pump,~^val` is "pump"
 *                   OR the regex "^val".
 *
 * A term is a field when it starts with letters and a colon; anything else is a word (quote a
 * word that holds a colon: `"fe80::1"`). Field names are case-insensitive. */
#ifndef SIMTOP_FILTER_H
#define SIMTOP_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "fleet.h"
#include "rows.h"

struct live;

struct filter;

/* Parse a whole query before anything is applied. An empty or blank query (or NULL) gives a
 * filter that matches everything. On error returns NULL, writes what is wrong into message
 * (size bytes, may quote a cleaned piece of the query) and the 1-based position of the
 * offending character into *column, counted in characters (UTF-8 sequences; bytes for ASCII).
 * message may be NULL when size is 0; column may be NULL. The caller frees the filter. */
struct filter *filter_parse(const char *query, char *message, size_t size, int *column);

/* True when the filter has no terms (matches everything). */
bool filter_is_empty(const struct filter *filter);

/* The live state the filter's conn: and data: terms read, as LIVE_* bits (live.h); 0 when it
 * has none. */
unsigned filter_live_kinds(const struct filter *filter);

/* No allocation; statuses compare as integers, words as precomputed lower-case needles. live
 * (may be NULL: nothing read) is the network's view for conn: and data:. When the device does
 * not match only because a live state it needs was not read, *unknown (may be NULL) is set. */
bool filter_match(const struct filter *filter, const struct fleet *fleet, const struct live *live,
		  const struct device *device, bool *unknown);

/* Keep only the rows whose devices match, in their order; unknown (may be NULL) receives the
 * rows that would need a live state not read (filter_match's *unknown), in their order. The
 * devices are matched in the order they lie in memory, by up to 8 threads (one per processor,
 * from 65,536 rows) that only read the fleet and live; returns when all is done.
 * O(rows + devices / 64). */
void filter_rows(const struct filter *filter, const struct fleet *fleet, const struct live *live,
		 struct rows *rows, struct rows *unknown);

void filter_free(struct filter *filter);

/* Any status, in filter_status_query(). */
#define FILTER_ANY_STATUS (-2)

/* Write into out (size bytes) the query that selects one cell of the summary table: the SIM
 * status and the endpoint status (enum values, SIM_NONE/ENDPOINT_NONE for "none", or
 * FILTER_ANY_STATUS for a total), e.g. `sim:"factory test" ep:enabled`; "" when both are
 * FILTER_ANY_STATUS. */
void filter_status_query(char *out, size_t size, int sim_status, int endpoint_status);

#endif
