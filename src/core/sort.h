/* sort.h — the fleet table's sort orders.
 *
 * Every order is total and deterministic: rows that tie on the column keep the default order
 * of rows.h (endpoint devices by endpoint id, then SIM-only devices by SIM id), in both
 * directions. Text compares byte by byte with ASCII letters folded to lower case; IPv4
 * addresses compare as numbers (10.0.0.9 before 10.0.0.10) and come before any other address
 * text; statuses compare by emnify's status id (Issued, Activated, Suspended, Deleted,
 * Factory Test; Enabled, Disabled, Deleted); alignments in the order of model.h. Descending
 * reverses the column's order of values, but empty values (no SIM, no endpoint, no name, ...)
 * come last in both directions, among themselves in the default order. */
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
 * Rows must hold distinct, non-vacant devices of fleet, in any order: rows already in the
 * default order (sort_build_rows(), filtered or not) are the fast case, rows in another
 * order (arrival order while loading) cost an extra sort. Radix sorts over compact 8-byte
 * keys: O(rows) for status columns, and for text O(rows) per 8 bytes of common prefix.
 *
 * Not thread-safe: keeps its scratch buffers (68 bytes per row of the largest sort so far)
 * in static storage from one call to the next and never frees them, so that sorting again
 * does not fault in fresh pages. */
void sort_rows(struct rows *rows, const struct fleet *fleet, enum sort_column column, bool descending);

/* Rebuild rows from every device of fleet but the vacant ones (rows_build()), in the default
 * order: the rows the fleet view shows before any sort. */
void sort_build_rows(struct rows *rows, const struct fleet *fleet);

#endif
