/* sort.h — the fleet table's sort orders.
 *
 * Every order is total and deterministic: rows that tie on the column keep the default order
 * of rows.h (endpoint devices by endpoint id, then SIM-only devices by SIM id), in both
 * directions. Text compares byte by byte with ASCII letters folded to lower case; IPv4
 * addresses compare as numbers (10.0.0.9 before 10.0.0.10) and come before any other address
 * text; statuses compare by emnify's status id (Issued, Activated, Suspended, Deleted,
 * Factory Test; Enabled, Disabled, Deleted); alignments in the order of model.h. Empty values
 * (no SIM, no name, ...) come last in ascending order; descending reverses the column's order,
 * so they come first. */
#ifndef SIMTOP_SORT_H
#define SIMTOP_SORT_H

#include <stdbool.h>

#include "fleet.h"
#include "rows.h"

/* Sortable columns, in the order of the fleet table. */
#define SORT_COLUMN_LIST(_) \
	_(DEFAULT,  "default") \
	_(ALIGN,    "align") \
	_(SIM,      "sim") \
	_(ENDPOINT, "endpoint") \
	_(NAME,     "name") \
	_(ICCID,    "iccid") \
	_(IMSI,     "imsi") \
	_(MSISDN,   "msisdn") \
	_(IP,       "ip") \
	_(TAGS,     "tags")

enum sort_column {
#define SORT_COLUMN_ENUM(id, name) SORT_##id,
	SORT_COLUMN_LIST(SORT_COLUMN_ENUM)
#undef SORT_COLUMN_ENUM
	SORT_COUNT
};

/* Lower-case name of a column ("iccid"); "" for a value out of range. */
const char *sort_column_name(enum sort_column column);
/* The column with that name, case-insensitive ("ep" names SORT_ENDPOINT too); false when
 * there is none. */
bool sort_column_parse(const char *name, enum sort_column *column);

/* Sort rows by column, reversed when descending; SORT_DEFAULT is the rows.h default order.
 * Rows must hold distinct, non-vacant devices of fleet. Radix sorts over compact 8-byte keys:
 * O(rows) for status columns, and for text O(rows) per 8 bytes of common prefix. Allocates
 * 48 bytes per row for the duration of the call. */
void sort_rows(struct rows *rows, const struct fleet *fleet, enum sort_column column, bool descending);

#endif
