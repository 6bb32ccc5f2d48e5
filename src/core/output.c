/* output.c — the joined fleet as a table, CSV or JSON. Everything streams row by row, so a
 * million devices need no more memory than ten. */
#include "output.h"

#include <inttypes.h>
#include <string.h>

#include "live.h"
#include "text.h"
#include "util.h"

/* The columns of every format, in the order of output.h. Titles are for the table; its wide
 * free-text columns are cut at max_width display columns. */
#define COLUMN_LIST(_) \
	_(SIM_ID,          "sim_id",          "SIM ID",      20) \
	_(ENDPOINT_ID,     "endpoint_id",     "ENDPOINT ID", 20) \
	_(ICCID,           "iccid",           "ICCID",       22) \
	_(IMSI,            "imsi",            "IMSI",        16) \
	_(MSISDN,          "msisdn",          "MSISDN",      16) \
	_(NAME,            "name",            "NAME",        32) \
	_(SIM_STATUS,      "sim_status",      "SIM",         12) \
	_(ENDPOINT_STATUS, "endpoint_status", "ENDPOINT",    8) \
	_(ALIGNMENT,       "alignment",       "ALIGN",       10) \
	_(IP_ADDRESS,      "ip_address",      "IP",          39) \
	_(TAGS,            "tags",            "TAGS",        32) \
	_(CONNECTIVITY,    "connectivity",    "CONNECTIVITY", 12) \
	_(DATA_MONTH_MB,   "data_month_mb",   "DATA MB",     14)

enum column {
#define COLUMN_ENUM(id, key, title, width) COLUMN_##id,
	COLUMN_LIST(COLUMN_ENUM)
#undef COLUMN_ENUM
	COLUMN_COUNT
};

static const struct {
	const char *key;
	const char *title;
	int max_width;
} columns[COLUMN_COUNT] = {
#define COLUMN_ROW(id, key, title, width) [COLUMN_##id] = { key, title, width },
	COLUMN_LIST(COLUMN_ROW)
#undef COLUMN_ROW
};

/* Room for an id in decimal. */
#define ID_BUFFER 24

bool output_parse_format(const char *name, enum output_format *format)
{
	static const struct {
		const char *name;
		enum output_format format;
	} names[] = { { "table", OUTPUT_TABLE }, { "csv", OUTPUT_CSV }, { "json", OUTPUT_JSON } };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(name, names[i].name) == 0) {
			*format = names[i].format;
			return true;
		}
	}
	return false;
}

/* Whether a column is written: the live ones only when asked for. */
static bool shown(enum column column, const struct output_live *live)
{
	if (column == COLUMN_CONNECTIVITY)
		return live && live->connectivity;
	if (column == COLUMN_DATA_MONTH_MB)
		return live && live->usage;
	return true;
}

/* "12.5", "0": MB with at most three decimals, no trailing zeros. */
static const char *format_mb(double mb, char buffer[ID_BUFFER])
{
	snprintf(buffer, ID_BUFFER, "%.3f", mb);
	char *end = buffer + strlen(buffer);
	while (end > buffer && end[-1] == '0')
		*--end = '\0';
	if (end > buffer && end[-1] == '.')
		*--end = '\0';
	return buffer;
}

/* The text of one cell of a device; "" for what is absent. Numbers are written into
 * buffer. */
static const char *cell(const struct fleet *fleet, const struct device *device, enum column column,
			const struct output_live *live, char buffer[ID_BUFFER])
{
	const struct live_state *state = live && (column == COLUMN_CONNECTIVITY || column == COLUMN_DATA_MONTH_MB)
		? live_find(live->states, device->endpoint_id) : NULL;
	int64_t id;
	switch (column) {
	case COLUMN_CONNECTIVITY:
		return state && state->connectivity_read_at ? state->word : "";
	case COLUMN_DATA_MONTH_MB:
		return state && state->usage_read_at ? format_mb(state->data_month_mb, buffer) : "";
	case COLUMN_SIM_ID:
	case COLUMN_ENDPOINT_ID:
		id = column == COLUMN_SIM_ID ? device->sim_id : device->endpoint_id;
		if (id == 0)
			return "";
		snprintf(buffer, ID_BUFFER, "%" PRId64, id);
		return buffer;
	case COLUMN_ICCID: return fleet_text(fleet, device, TEXT_ICCID);
	case COLUMN_IMSI: return fleet_text(fleet, device, TEXT_IMSI);
	case COLUMN_MSISDN: return fleet_text(fleet, device, TEXT_MSISDN);
	case COLUMN_NAME: return fleet_text(fleet, device, TEXT_NAME);
	case COLUMN_SIM_STATUS: return model_sim_status_name(device->sim_status);
	case COLUMN_ENDPOINT_STATUS: return model_endpoint_status_name(device->endpoint_status);
	case COLUMN_ALIGNMENT:
		/* The word the screen shows, "billed" included, in every format. */
		return model_alignment_label(fleet_alignment(device), device->sim_status, device->endpoint_status);
	case COLUMN_IP_ADDRESS: return fleet_text(fleet, device, TEXT_IP);
	case COLUMN_TAGS: return fleet_text(fleet, device, TEXT_TAGS);
	case COLUMN_COUNT: break;
	}
	return "";
}

/* The device of the i-th row to write (its index in *index), or NULL to skip it (vacant or
 * out of range). */
static const struct device *row_device(const struct fleet *fleet, const size_t *rows, size_t i, size_t *index_out)
{
	size_t index = rows ? rows[i] : i;
	*index_out = index;
	if (index >= fleet_count(fleet))
		return NULL;
	const struct device *device = fleet_device(fleet, index);
	return fleet_device_vacant(device) ? NULL : device;
}

/* --- table ------------------------------------------------------------------------------- */

/* One cell cut to width columns ("…" marks a cut). Padding is held back in *pending and only
 * written before the next cell with text, so lines carry no trailing blanks. */
static void write_table_cell(FILE *out, const char *text, int width, int *pending)
{
	int used = text_width(text);
	if (used > 0) {
		for (; *pending > 0; (*pending)--)
			fputc(' ', out);
		if (used <= width) {
			fputs(text, out);
		} else {
			size_t bytes = text_fit(text, width - 1, &used);
			fwrite(text, 1, bytes, out);
			fputs("\u2026", out);
			used++;
		}
	}
	*pending += width - used + 2;
}

static void write_table(FILE *out, const struct fleet *fleet, const size_t *rows, size_t count,
			const struct output_live *live)
{
	size_t index;
	/* First pass: each column as wide as its widest cell, within its maximum. */
	int width[COLUMN_COUNT];
	char buffer[ID_BUFFER];
	for (int column = 0; column < COLUMN_COUNT; column++)
		width[column] = text_width(columns[column].title);
	for (size_t i = 0; i < count; i++) {
		const struct device *device = row_device(fleet, rows, i, &index);
		if (!device)
			continue;
		for (int column = 0; column < COLUMN_COUNT; column++) {
			int cell_width = text_width(cell(fleet, device, (enum column)column, live, buffer));
			if (cell_width > width[column])
				width[column] = cell_width < columns[column].max_width ? cell_width
										     : columns[column].max_width;
		}
	}

	int pending = 0;
	for (int column = 0; column < COLUMN_COUNT; column++)
		if (shown((enum column)column, live))
			write_table_cell(out, columns[column].title, width[column], &pending);
	fputc('\n', out);
	for (size_t i = 0; i < count; i++) {
		const struct device *device = row_device(fleet, rows, i, &index);
		if (!device)
			continue;
		pending = 0;
		for (int column = 0; column < COLUMN_COUNT; column++)
			if (shown((enum column)column, live))
				write_table_cell(out, cell(fleet, device, (enum column)column, live, buffer),
						 width[column], &pending);
		fputc('\n', out);
	}
}

/* --- CSV --------------------------------------------------------------------------------- */

void output_csv_field(FILE *out, const char *text, bool formula_guard)
{
	if (!text)
		return;
	/* What Excel, LibreOffice and Google Sheets start a formula (or a DDE call) with. */
	bool guard = formula_guard && text[0] && strchr("=+-@\t\r", text[0]);
	bool quote = strpbrk(text, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', out);
	if (guard)
		fputc('\'', out);
	for (const char *c = text; *c; c++) {
		if (*c == '"')
			fputc('"', out);
		fputc(*c, out);
	}
	if (quote)
		fputc('"', out);
}

static void write_csv(FILE *out, const struct fleet *fleet, const size_t *rows, size_t count, bool formula_guard,
		      const struct output_live *live)
{
	char buffer[ID_BUFFER];
	size_t index;
	for (int column = 0; column < COLUMN_COUNT; column++) {
		if (!shown((enum column)column, live))
			continue;
		if (column)
			fputc(',', out);
		fputs(columns[column].key, out);
	}
	fputs("\r\n", out);
	for (size_t i = 0; i < count; i++) {
		const struct device *device = row_device(fleet, rows, i, &index);
		if (!device)
			continue;
		for (int column = 0; column < COLUMN_COUNT; column++) {
			if (!shown((enum column)column, live))
				continue;
			if (column)
				fputc(',', out);
			output_csv_field(out, cell(fleet, device, (enum column)column, live, buffer),
					 formula_guard);
		}
		fputs("\r\n", out);
	}
}

/* --- JSON -------------------------------------------------------------------------------- */

static void write_json(FILE *out, const struct fleet *fleet, const size_t *rows, size_t count,
		       const struct output_live *live)
{
	char buffer[ID_BUFFER];
	bool first = true;
	size_t index;
	fputc('[', out);
	for (size_t i = 0; i < count; i++) {
		const struct device *device = row_device(fleet, rows, i, &index);
		if (!device)
			continue;
		fputs(first ? "\n{" : ",\n{", out);
		first = false;
		for (int column = 0; column < COLUMN_COUNT; column++) {
			if (!shown((enum column)column, live))
				continue;
			fprintf(out, "%s\"%s\":", column ? "," : "", columns[column].key);
			const char *text = cell(fleet, device, (enum column)column, live, buffer);
			if (!*text)
				fputs("null", out);
			else if (column == COLUMN_SIM_ID || column == COLUMN_ENDPOINT_ID || column == COLUMN_DATA_MONTH_MB)
				fputs(text, out); /* numbers */
			else
				util_json_string(out, text);
		}
		fputc('}', out);
	}
	fputs(first ? "]\n" : "\n]\n", out);
}

bool output_write_live(FILE *out, const struct fleet *fleet, const size_t *rows, size_t count,
		       enum output_format format, const struct output_live *live)
{
	if (!rows)
		count = fleet_count(fleet);
	switch (format) {
	case OUTPUT_TABLE: write_table(out, fleet, rows, count, live); break;
	case OUTPUT_CSV: write_csv(out, fleet, rows, count, true, live); break;
	case OUTPUT_CSV_RAW: write_csv(out, fleet, rows, count, false, live); break;
	case OUTPUT_JSON: write_json(out, fleet, rows, count, live); break;
	}
	return fflush(out) == 0 && !ferror(out);
}

bool output_write(FILE *out, const struct fleet *fleet, const size_t *rows, size_t count,
		  enum output_format format)
{
	return output_write_live(out, fleet, rows, count, format, NULL);
}
