/* csv.h — device identifiers from a CSV file: `simtop --mark-from FILE`, `simtop apply --from`.
 *
 * The file needs a header row. Columns are recognised by name, case-insensitively and
 * trimmed, with blanks, dots and dashes read as underscores ("SIM ID", "sim.id"):
 *   endpoint_id, id           an endpoint id; `id` is the endpoint id as in the portal's
 *                             Device list export, where each row is an endpoint
 *   sim_id                    a SIM id
 *   iccid, sim_iccid          19 digits as emnify stores them; 20 digits whose last one is the
 *                             Luhn check digit of the first 19 match too
 *   iccid_with_luhn           the ICCID with its check digit; the check digit must be right
 *   imsi, sim_imsi            up to 15 digits
 * Other columns are ignored. At least one column must be recognised.
 *
 * Format: RFC 4180 with the usual exports in mind: a UTF-8 BOM, LF, CRLF or CR line ends,
 * quoted fields (with commas, doubled quotes, line breaks), blank lines skipped, rows with
 * more or fewer fields than the header (a missing field is empty). The delimiter is the one
 * of , ; TAB that the header line uses most (spreadsheets in many locales write ;). Values
 * are trimmed; an empty cell is no identifier; Excel's ="123" form is accepted.
 *
 * A malformed file — no recognised column, an unterminated quote, a NUL byte, a value that is
 * not a valid identifier of its column — is rejected whole with "NAME:LINE: what is wrong". */
#ifndef SIMTOP_CSV_H
#define SIMTOP_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fleet.h"
#include "marks.h"

/* Kinds of identifier, in the order csv_mark() tries them within one row. */
enum csv_id_kind {
	CSV_ENDPOINT_ID,
	CSV_SIM_ID,
	CSV_ICCID_WITH_LUHN,
	CSV_ICCID,
	CSV_IMSI,
	CSV_KIND_COUNT
};

#define CSV_VALUE_MAX 22

struct csv_id {
	enum csv_id_kind kind;
	size_t line;     /* 1-based line where the identifier's row starts */
	int64_t id;      /* CSV_ENDPOINT_ID, CSV_SIM_ID; 0 for the others */
	char value[CSV_VALUE_MAX + 1]; /* the digits as written, trimmed */
};

/* Every identifier found, in file order (row by row, column by column). Owned. */
struct csv_ids {
	struct csv_id *items;
	size_t count;
	size_t capacity;
};

/* "endpoint_id", "sim_id", "iccid_with_luhn", "iccid", "imsi". */
const char *csv_id_kind_name(enum csv_id_kind kind);

/* Read the file at path. *ids is initialised here (the caller frees it with csv_ids_free()
 * after a success); on failure it is left empty, and message (size bytes) says
 * "PATH:LINE: what is wrong" or "PATH: why it cannot be read". */
bool csv_read_ids(const char *path, struct csv_ids *ids, char *message, size_t size);
/* The same on length bytes of text (no NUL needed); name stands for the file in messages. */
bool csv_parse_ids(const char *text, size_t length, const char *name, struct csv_ids *ids,
		   char *message, size_t size);
void csv_ids_free(struct csv_ids *ids);

/* Mark the device each row names. A row names one device: its identifiers are tried in the
 * order of enum csv_id_kind and the first one found in the fleet decides (a row whose
 * endpoint id and SIM id name different devices marks the endpoint's; a row whose endpoint
 * is gone but whose ICCID is known marks the ICCID's). A SIM id or ICCID marks the device
 * that holds the SIM, with or without an endpoint. Returns how many rows named no device;
 * when unknown is not NULL it is initialised and receives, for each such row, its identifier
 * that comes first in that order, with its line (the caller frees it with csv_ids_free()).
 * Builds a hash of the fleet's ICCIDs, or IMSIs, the first time a row needs one: O(fleet +
 * ids). Rows are told apart by their line, so ids must come from one csv_parse_ids(). */
size_t csv_mark(const struct csv_ids *ids, const struct fleet *fleet, struct marks *marks,
		struct csv_ids *unknown);

#endif
