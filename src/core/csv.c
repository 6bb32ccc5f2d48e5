/* csv.c — identifiers from a CSV export, and marking the devices they name. */
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "text.h"
#include "util.h"

/* A bigger file is not an export of one workspace. */
#define FILE_MAX ((size_t)1 << 30)

static const char *const kind_names[CSV_KIND_COUNT] = {
	[CSV_ENDPOINT_ID] = "endpoint_id",
	[CSV_SIM_ID] = "sim_id",
	[CSV_ICCID_WITH_LUHN] = "iccid_with_luhn",
	[CSV_ICCID] = "iccid",
	[CSV_IMSI] = "imsi",
};

/* Header names after normalising (lower case, blanks, dots and dashes as underscores). */
static const struct {
	const char *name;
	enum csv_id_kind kind;
} columns[] = {
	{ "endpoint_id", CSV_ENDPOINT_ID },
	{ "id", CSV_ENDPOINT_ID },
	{ "sim_id", CSV_SIM_ID },
	{ "iccid", CSV_ICCID },
	{ "sim_iccid", CSV_ICCID },
	{ "iccid_with_luhn", CSV_ICCID_WITH_LUHN },
	{ "sim_iccid_with_luhn", CSV_ICCID_WITH_LUHN },
	{ "imsi", CSV_IMSI },
	{ "sim_imsi", CSV_IMSI },
};

#define COLUMN_NAMES "endpoint_id, sim_id, iccid, iccid_with_luhn, imsi, id"

const char *csv_id_kind_name(enum csv_id_kind kind)
{
	if ((unsigned)kind >= CSV_KIND_COUNT)
		return "";
	return kind_names[kind];
}

void csv_ids_free(struct csv_ids *ids)
{
	free(ids->items);
	ids->items = NULL;
	ids->count = ids->capacity = 0;
}

static void add_id(struct csv_ids *ids, const struct csv_id *id)
{
	ids->items = xgrow(ids->items, &ids->capacity, ids->count + 1, sizeof(*ids->items));
	ids->items[ids->count++] = *id;
}

/* --- records ------------------------------------------------------------------------------ */

struct reader {
	const char *text;
	size_t length;
	size_t at;
	size_t line;     /* line of text[at] */
	char delimiter;
	const char *name;
	char *message;
	size_t size;
	/* The current record: fields as NUL-terminated strings in data. */
	char *data;
	size_t data_length, data_capacity;
	size_t *starts;  /* offset of each field in data */
	size_t *lines;   /* line where each field starts */
	size_t fields, start_capacity, line_capacity;
	size_t record_line;
};

static bool fail(struct reader *reader, size_t line, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(struct reader *reader, size_t line, const char *format, ...)
{
	if (!reader->message || reader->size == 0)
		return false;
	int used = snprintf(reader->message, reader->size, "%s:%zu: ", reader->name, line);
	if (used < 0 || (size_t)used >= reader->size)
		return false;
	va_list args;
	va_start(args, format);
	vsnprintf(reader->message + used, reader->size - (size_t)used, format, args);
	va_end(args);
	return false;
}

static void put(struct reader *reader, char c)
{
	if (reader->data_length == reader->data_capacity)
		reader->data = xgrow(reader->data, &reader->data_capacity, reader->data_length + 1, 1);
	reader->data[reader->data_length++] = c;
}

static void begin_field(struct reader *reader)
{
	reader->starts = xgrow(reader->starts, &reader->start_capacity, reader->fields + 1, sizeof(*reader->starts));
	reader->lines = xgrow(reader->lines, &reader->line_capacity, reader->fields + 1, sizeof(*reader->lines));
	reader->starts[reader->fields] = reader->data_length;
	reader->lines[reader->fields] = reader->line;
	reader->fields++;
}

/* At a line end (LF, CRLF or a lone CR): step over it. */
static bool at_line_end(struct reader *reader)
{
	if (reader->at >= reader->length)
		return false;
	char c = reader->text[reader->at];
	if (c == '\n') {
		reader->at++;
	} else if (c == '\r') {
		reader->at++;
		if (reader->at < reader->length && reader->text[reader->at] == '\n')
			reader->at++;
	} else {
		return false;
	}
	reader->line++;
	return true;
}

/* Read one record into reader's fields. 1: a record, 0: end of input, -1: error (message
 * set). */
static int read_record(struct reader *reader)
{
	reader->fields = 0;
	reader->data_length = 0;
	reader->record_line = reader->line;
	if (reader->at >= reader->length)
		return 0;
	const char *text = reader->text;
	for (;;) {
		begin_field(reader);
		/* Blanks before an opening quote belong to no one. */
		size_t look = reader->at;
		while (look < reader->length && (text[look] == ' ' || text[look] == '\t'))
			look++;
		if (look < reader->length && text[look] == '"') {
			size_t quote_line = reader->line;
			reader->at = look + 1;
			for (;;) {
				if (reader->at >= reader->length)
					return fail(reader, quote_line, "unterminated quote"), -1;
				char c = text[reader->at];
				if (c == '"') {
					if (reader->at + 1 < reader->length && text[reader->at + 1] == '"') {
						put(reader, '"');
						reader->at += 2;
						continue;
					}
					reader->at++;
					break;
				}
				if (c == '\0')
					return fail(reader, reader->line, "NUL byte: not a text file"), -1;
				if (c == '\n' || (c == '\r' && !(reader->at + 1 < reader->length && text[reader->at + 1] == '\n')))
					reader->line++;
				put(reader, c);
				reader->at++;
			}
		}
		/* Unquoted text, or what follows a closing quote, up to the delimiter or line end. */
		while (reader->at < reader->length) {
			char c = text[reader->at];
			if (c == reader->delimiter || c == '\n' || c == '\r')
				break;
			if (c == '\0')
				return fail(reader, reader->line, "NUL byte: not a text file"), -1;
			put(reader, c);
			reader->at++;
		}
		put(reader, '\0');
		if (reader->at < reader->length && text[reader->at] == reader->delimiter) {
			reader->at++;
			continue;
		}
		at_line_end(reader);
		return 1;
	}
}

static const char *field(const struct reader *reader, size_t index)
{
	return reader->data + reader->starts[index];
}

/* What a cell is trimmed of: spaces and tabs, nothing else. */
#define CELL_BLANKS " \t"

static bool record_blank(const struct reader *reader)
{
	for (size_t i = 0; i < reader->fields; i++)
		for (const char *c = field(reader, i); *c; c++)
			if (*c != ' ' && *c != '\t')
				return false;
	return true;
}

/* The delimiter of the first line with text: the most frequent of , ; TAB outside quotes. */
static char guess_delimiter(const char *text, size_t length)
{
	size_t commas = 0, semicolons = 0, tabs = 0;
	bool quoted = false, seen_text = false;
	for (size_t i = 0; i < length; i++) {
		char c = text[i];
		if (c == '"')
			quoted = !quoted;
		if (quoted)
			continue;
		if (c == '\n' || c == '\r') {
			if (seen_text)
				break;
			continue;
		}
		seen_text = true;
		commas += c == ',';
		semicolons += c == ';';
		tabs += c == '\t';
	}
	if (semicolons > commas && semicolons >= tabs)
		return ';';
	if (tabs > commas && tabs > semicolons)
		return '\t';
	return ',';
}

/* --- identifiers -------------------------------------------------------------------------- */

static bool all_digits(const char *text, size_t minimum, size_t maximum)
{
	size_t length = strlen(text);
	if (length < minimum || length > maximum)
		return false;
	for (size_t i = 0; i < length; i++)
		if (text[i] < '0' || text[i] > '9')
			return false;
	return true;
}

/* The Luhn check digit of digits (length of them). */
static char luhn_digit(const char *digits, size_t length)
{
	int sum = 0;
	bool twice = true;  /* the rightmost digit of the payload is doubled */
	for (size_t i = length; i-- > 0; twice = !twice) {
		int digit = digits[i] - '0';
		if (twice) {
			digit *= 2;
			if (digit > 9)
				digit -= 9;
		}
		sum += digit;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

static bool luhn_valid(const char *digits)
{
	size_t length = strlen(digits);
	return length >= 2 && luhn_digit(digits, length - 1) == digits[length - 1];
}

/* Check one cell of an identifier column; false with the reason in message. */
static bool read_value(struct reader *reader, enum csv_id_kind kind, const char *column, char *cell,
		      size_t line, struct csv_id *id)
{
	char *value = util_trim(cell, CELL_BLANKS);
	/* Excel writes ="0123" to keep digits as text. */
	size_t length = strlen(value);
	if (length >= 3 && value[0] == '=' && value[1] == '"' && value[length - 1] == '"') {
		value[length - 1] = '\0';
		value = util_trim(value + 2, CELL_BLANKS);
	}
	char shown[48];
	text_clean_buffer(shown, sizeof(shown), value);
	memset(id, 0, sizeof(*id));
	id->kind = kind;
	id->line = reader->record_line;
	switch (kind) {
	case CSV_ENDPOINT_ID:
	case CSV_SIM_ID:
		if (!all_digits(value, 1, 18) || !util_parse_int64(value, &id->id) || id->id <= 0)
			return fail(reader, line, "%s \"%s\" is not an id (a positive number)", column, shown);
		break;
	case CSV_ICCID:
		if (!all_digits(value, 18, CSV_VALUE_MAX))
			return fail(reader, line, "%s \"%s\" is not an ICCID (18 to 22 digits)", column, shown);
		break;
	case CSV_ICCID_WITH_LUHN:
		if (!all_digits(value, 19, CSV_VALUE_MAX))
			return fail(reader, line, "%s \"%s\" is not an ICCID with its check digit (19 to 22 digits)",
				    column, shown);
		if (!luhn_valid(value))
			return fail(reader, line, "%s \"%s\" has a wrong check digit", column, shown);
		break;
	case CSV_IMSI:
		if (!all_digits(value, 6, 15))
			return fail(reader, line, "%s \"%s\" is not an IMSI (6 to 15 digits)", column, shown);
		break;
	case CSV_KIND_COUNT:
		return false;
	}
	memcpy(id->value, value, strlen(value) + 1);
	return true;
}

/* Lower case, trimmed, blanks, dots and dashes as underscores, into out. */
static void normalise_header(char *out, size_t size, const char *name)
{
	while (*name == ' ' || *name == '\t')
		name++;
	size_t length = 0;
	for (; *name && length + 1 < size; name++) {
		char c = *name;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == ' ' || c == '.' || c == '-' || c == '\t')
			c = '_';
		out[length++] = c;
	}
	while (length && out[length - 1] == '_')
		length--;
	out[length] = '\0';
}

struct column {
	int kind;        /* enum csv_id_kind, or -1 for a column that is ignored */
	char name[32];   /* as recognised, for messages */
};

static void free_reader(struct reader *reader)
{
	free(reader->data);
	free(reader->starts);
	free(reader->lines);
}

bool csv_parse_ids(const char *text, size_t length, const char *name, struct csv_ids *ids,
		   char *message, size_t size)
{
	memset(ids, 0, sizeof(*ids));
	if (message && size)
		message[0] = '\0';
	if (length >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		length -= 3;
	}
	struct reader reader = {
		.text = text,
		.length = length,
		.line = 1,
		.delimiter = guess_delimiter(text, length),
		.name = name ? name : "csv",
		.message = message,
		.size = size,
	};
	struct column *header = NULL;
	size_t header_count = 0;
	bool ok = false;
	int status;

	/* The header: the first record with text. */
	while ((status = read_record(&reader)) == 1 && record_blank(&reader))
		;
	if (status < 0)
		goto done;
	if (status == 0) {
		fail(&reader, reader.line, "empty file: expected a header naming one of " COLUMN_NAMES);
		goto done;
	}
	header_count = reader.fields;
	header = xcalloc(header_count, sizeof(*header));
	bool recognised = false;
	for (size_t i = 0; i < header_count; i++) {
		char normal[32];
		normalise_header(normal, sizeof(normal), field(&reader, i));
		header[i].kind = -1;
		for (size_t c = 0; c < ARRAY_SIZE(columns); c++) {
			if (strcmp(normal, columns[c].name) == 0) {
				header[i].kind = (int)columns[c].kind;
				memcpy(header[i].name, normal, strlen(normal) + 1);
				recognised = true;
				break;
			}
		}
	}
	if (!recognised) {
		fail(&reader, reader.record_line, "no identifier column in the header; expected one of " COLUMN_NAMES);
		goto done;
	}

	while ((status = read_record(&reader)) == 1) {
		if (record_blank(&reader))
			continue;
		for (size_t i = 0; i < header_count && i < reader.fields; i++) {
			if (header[i].kind < 0)
				continue;
			char *cell = reader.data + reader.starts[i];
			if (*util_trim(cell, CELL_BLANKS) == '\0')
				continue;
			struct csv_id id;
			if (!read_value(&reader, (enum csv_id_kind)header[i].kind, header[i].name, cell,
					reader.lines[i], &id))
				goto done;
			add_id(ids, &id);
		}
	}
	ok = status == 0;
done:
	free(header);
	free_reader(&reader);
	if (!ok)
		csv_ids_free(ids);
	return ok;
}

bool csv_read_ids(const char *path, struct csv_ids *ids, char *message, size_t size)
{
	struct stat info;
	memset(ids, 0, sizeof(*ids));
	/* A CSV from the portal need not be private, but a FIFO or a device must not hang us. */
	int fd = files_open(path, O_RDONLY, FILES_REGULAR, "the CSV file", &info, message, size);
	if (fd < 0)
		return false;
	if ((uintmax_t)info.st_size > FILE_MAX) {
		snprintf(message, size, "%s: too large for a list of devices", path);
		close(fd);
		text_clean_in_place(message, size);
		return false;
	}
	size_t length = (size_t)info.st_size, used = 0;
	char *text = files_read_all(fd, length, &used);
	if (!text || used < length) {
		snprintf(message, size, "%s: %s", path, !text ? strerror(errno) : "file shrank while reading");
		free(text);
		close(fd);
		text_clean_in_place(message, size);
		return false;
	}
	close(fd);
	bool ok = csv_parse_ids(text, length, path, ids, message, size);
	free(text);
	/* Messages quote the path and the file's cells. */
	if (!ok)
		text_clean_in_place(message, size);
	return ok;
}

/* --- marking ------------------------------------------------------------------------------ */

/* A temporary hash from one text field of the fleet to the device holding it, built the
 * first time a row needs it. */
struct text_index {
	struct text_slot {
		uint32_t device;  /* device index + 1; 0 where free */
		uint32_t hash;    /* high bits of the hash, to skip most strings unread */
	} *slots;
	size_t capacity;
	enum device_text field;
	const struct fleet *fleet;
};

static uint64_t hash_text(const char *text, size_t length)
{
	uint64_t hash = UINT64_C(0xcbf29ce484222325);  /* FNV-1a */
	for (size_t i = 0; i < length; i++) {
		hash ^= (unsigned char)text[i];
		hash *= UINT64_C(0x100000001b3);
	}
	return hash ^ (hash >> 29);
}

static void index_build(struct text_index *index)
{
	const struct fleet *fleet = index->fleet;
	size_t count = fleet_count(fleet);
	index->capacity = 64;
	while (index->capacity < count * 2)
		index->capacity *= 2;
	index->slots = xcalloc(index->capacity, sizeof(*index->slots));
	size_t mask = index->capacity - 1;
	for (size_t device = 0; device < count; device++) {
		const struct device *entry = fleet_device(fleet, device);
		const char *text = fleet_text(fleet, entry, index->field);
		if (!*text || fleet_device_vacant(entry))
			continue;
		/* ICCIDs and IMSIs are unique; should one repeat, a lookup finds one of them. */
		uint64_t hash = hash_text(text, strlen(text));
		size_t at = hash & mask;
		while (index->slots[at].device)
			at = (at + 1) & mask;
		index->slots[at].device = (uint32_t)(device + 1);
		index->slots[at].hash = (uint32_t)(hash >> 32);
	}
}

static bool index_find(struct text_index *index, const char *text, size_t length, size_t *device)
{
	if (length == 0)
		return false;
	if (!index->slots)
		index_build(index);
	size_t mask = index->capacity - 1;
	uint64_t hash = hash_text(text, length);
	for (size_t at = hash & mask; index->slots[at].device; at = (at + 1) & mask) {
		if (index->slots[at].hash != (uint32_t)(hash >> 32))
			continue;
		size_t candidate = index->slots[at].device - 1;
		const char *stored = fleet_text(index->fleet, fleet_device(index->fleet, candidate), index->field);
		if (strncmp(stored, text, length) == 0 && stored[length] == '\0') {
			*device = candidate;
			return true;
		}
	}
	return false;
}

/* The device one identifier names, if the fleet holds it. */
static bool resolve(const struct csv_id *id, const struct fleet *fleet, struct text_index *iccids,
		    struct text_index *imsis, size_t *device)
{
	size_t length = strlen(id->value);
	switch (id->kind) {
	case CSV_ENDPOINT_ID:
		return fleet_find_endpoint(fleet, id->id, device);
	case CSV_SIM_ID:
		return fleet_find_sim(fleet, id->id, device);
	case CSV_ICCID_WITH_LUHN:
		/* emnify's iccid is this without the check digit. */
		return index_find(iccids, id->value, length - 1, device) ||
		       index_find(iccids, id->value, length, device);
	case CSV_ICCID:
		if (index_find(iccids, id->value, length, device))
			return true;
		return length == 20 && luhn_valid(id->value) && index_find(iccids, id->value, length - 1, device);
	case CSV_IMSI:
		return index_find(imsis, id->value, length, device);
	case CSV_KIND_COUNT:
		break;
	}
	return false;
}

size_t csv_mark(const struct csv_ids *ids, const struct fleet *fleet, struct marks *marks,
		struct csv_ids *unknown)
{
	if (unknown)
		memset(unknown, 0, sizeof(*unknown));
	struct text_index iccids = { .field = TEXT_ICCID, .fleet = fleet };
	struct text_index imsis = { .field = TEXT_IMSI, .fleet = fleet };

	size_t missing = 0;
	/* One row's identifiers are adjacent and share its line. */
	for (size_t start = 0, end; start < ids->count; start = end) {
		end = start + 1;
		while (end < ids->count && ids->items[end].line == ids->items[start].line)
			end++;
		const struct csv_id *first = NULL;
		bool found = false;
		for (int kind = 0; kind < CSV_KIND_COUNT && !found; kind++) {
			for (size_t i = start; i < end && !found; i++) {
				size_t device;
				if ((int)ids->items[i].kind != kind)
					continue;
				if (!first)
					first = &ids->items[i];
				if (resolve(&ids->items[i], fleet, &iccids, &imsis, &device)) {
					marks_set(marks, fleet_device(fleet, device), true);
					found = true;
				}
			}
		}
		if (!found && first) {
			missing++;
			if (unknown)
				add_id(unknown, first);
		}
	}
	free(iccids.slots);
	free(imsis.slots);
	return missing;
}
