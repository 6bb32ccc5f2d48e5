/* columns.h — the fleet table's columns: which there are, which the operator chose and in what
 * order (config `columns = name,iccid,…`, or the C key), and which fit the width.
 *
 * Fitting keeps the columns that identify a device longest: the details go first (tags, IP,
 * MSISDN, IMSI…), then the statuses get compact forms (a glyph for the alignment, "Act" for
 * Activated), then the columns that matter least go, and NAME and ICCID go last. Scrolled right (h/l, ←/→), the table starts at a later chosen column
 * and shows as many as fit from there. The sorted column is shown whatever the width or the
 * scroll. No curses here: widths are display columns, and tests fit layouts directly. */
#ifndef SIMTOP_COLUMNS_H
#define SIMTOP_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "sort.h"

/* _(ID, config name, title, compact title, min, max, compact width (0: none), keep, sort).
 * keep: the higher, the longer a column stays when the width is short. */
#define COLUMN_LIST(_) \
	_(ALIGN,       "align",       "ALIGN",    "A",   12, 12, 1, 7, SORT_ALIGN) \
	_(SIM,         "sim",         "SIM",      "SIM", 12, 12, 4, 6, SORT_SIM) \
	_(ENDPOINT,    "endpoint",    "ENDPOINT", "EP",  8,  8,  3, 5, SORT_ENDPOINT) \
	_(CONN,        "conn",        "CONN",     "",    10, 10, 0, 4, SORT_COUNT) \
	_(DATA,        "data",        "MB",       "",    7,  7,  0, 4, SORT_COUNT) \
	_(NAME,        "name",        "NAME",     "",    16, 40, 0, 10, SORT_NAME) \
	_(ICCID,       "iccid",       "ICCID",    "",    19, 20, 0, 9, SORT_ICCID) \
	_(IMSI,        "imsi",        "IMSI",     "",    15, 15, 0, 3, SORT_IMSI) \
	_(MSISDN,      "msisdn",      "MSISDN",   "",    15, 15, 0, 2, SORT_MSISDN) \
	_(IMEI,        "imei",        "IMEI",     "",    15, 15, 0, 1, SORT_COUNT) \
	_(IP,          "ip",          "IP",       "",    15, 15, 0, 1, SORT_IP) \
	_(TAGS,        "tags",        "TAGS",     "",    8,  40, 0, 0, SORT_TAGS) \
	_(SIM_ID,      "sim_id",      "SIM ID",   "",    10, 10, 0, 0, SORT_COUNT) \
	_(ENDPOINT_ID, "endpoint_id", "EP ID",    "",    10, 10, 0, 0, SORT_COUNT)

enum column {
#define COLUMN_ENUM(id, name, title, compact_title, min, max, compact, keep, sort) COLUMN_##id,
	COLUMN_LIST(COLUMN_ENUM)
#undef COLUMN_ENUM
	COLUMN_COUNT
};

#define COLUMNS_DEFAULT "align,sim,endpoint,conn,data,name,iccid,imsi,msisdn,ip,tags"

struct column_info {
	const char *name, *title, *compact_title;
	int min, max, compact;
	int keep;
	enum sort_column sort;     /* SORT_COUNT: not sortable */
};
const struct column_info *columns_info(enum column column);

/* The chosen columns, in order, each once. */
struct column_choice {
	enum column order[COLUMN_COUNT];
	size_t count;
};
/* Parse "name,iccid,imsi" (names of COLUMN_LIST, case-insensitive, blanks around commas
 * allowed; "ep" is endpoint). False, with message, for an unknown or repeated name or an empty
 * list; choice is then unchanged. */
bool columns_parse(const char *text, struct column_choice *choice, char *message, size_t size);
/* The list as columns_parse() reads it. */
void columns_format(const struct column_choice *choice, char *buffer, size_t size);

/* The columns shown, left to right, after the mark column (one column and a blank). */
struct column_layout {
	enum column shown[COLUMN_COUNT];
	int width[COLUMN_COUNT];      /* of each shown column, in display columns */
	bool compact[COLUMN_COUNT];   /* shown in its compact form */
	size_t count;
	bool more_left, more_right;   /* chosen columns left out on either side */
};
/* Fit the chosen columns (CONN and DATA only when live) into width display columns, from the
 * first-th of them on (0: not scrolled), keeping sorted (SORT_DEFAULT: none) in. */
void columns_fit(const struct column_choice *choice, bool live, size_t first, enum sort_column sorted, int width,
		 struct column_layout *layout);
/* The number of chosen columns that may be shown (CONN and DATA only when live): the bound of
 * first. */
size_t columns_available(const struct column_choice *choice, bool live);

#endif
