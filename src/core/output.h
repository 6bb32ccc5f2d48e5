/* output.h — the joined fleet as text for `simtop list` and exports: table, CSV, JSON.
 *
 * CSV and JSON carry exactly these keys, in this order:
 *   sim_id,endpoint_id,iccid,imsi,msisdn,name,sim_status,endpoint_status,alignment,ip_address,tags
 * Statuses are emnify's words ("Activated", "Factory Test"), alignment the word the screen shows
 * (model_alignment_label): one of online,offline,new,test,billed,misaligned,unpaired, billed
 * being the misaligned devices with an Activated SIM behind a Disabled endpoint; what is absent
 * is an empty cell (CSV) or null (JSON). CSV follows RFC 4180 (CRLF line ends, quotes doubled,
 * fields with , " CR LF quoted). JSON is one array, one object per line, ids as numbers. The
 * table has the same columns under upper-case titles, each as wide as its widest cell up to a
 * maximum (long cells are cut by display width and end in "…"), and no trailing blanks. Vacant
 * rows (fleet_device_vacant) are left out of every format. */
#ifndef SIMTOP_OUTPUT_H
#define SIMTOP_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "fleet.h"

enum output_format {
	OUTPUT_TABLE,
	OUTPUT_CSV,
	OUTPUT_CSV_RAW,   /* CSV without the formula guard (simtop list --csv-raw) */
	OUTPUT_JSON,
};

/* "table", "csv" or "json"; false for anything else (OUTPUT_CSV_RAW has no name of its own). */
bool output_parse_format(const char *name, enum output_format *format);

/* Write the devices whose indexes are listed in rows (count of them) — or every device in
 * fleet order when rows is NULL (count is then ignored). Indexes past the fleet are skipped.
 * Returns false when writing failed (errno set). */
bool output_write(FILE *out, const struct fleet *fleet, const size_t *rows, size_t count,
		  enum output_format format);

/* What the network said of devices (live.h), for `simtop list --with` and exports: the columns
 * connectivity (the API's word, "ONLINE") and data_month_mb (this month's data in MB, 0 when
 * the month is absent) follow the usual ones; a cell not read is empty (null in JSON). */
struct live;
struct output_live {
	bool connectivity, usage;                 /* the columns to write */
	const struct live *states;
};
/* output_write() with the live columns; live may be NULL. */
bool output_write_live(FILE *out, const struct fleet *fleet, const size_t *rows, size_t count,
		       enum output_format format, const struct output_live *live);

/* One RFC 4180 CSV field, quoted when needed; NULL writes nothing. With formula_guard, a
 * field that begins with = + - @ TAB or CR is written with a ' in front. */
void output_csv_field(FILE *out, const char *text, bool formula_guard);

#endif
