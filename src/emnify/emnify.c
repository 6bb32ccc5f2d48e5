/* emnify.c — emnify's JSON and headers mapped to records, error bodies to one-line messages. */
#include "emnify.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_slim.h"
#include "text.h"
#include "util.h"

/* Bound of every string taken from a page: far above any real name, tag list or number. */
#define FIELD_MAX 512
/* Integers a double holds exactly; cJSON keeps numbers as doubles, so ids above this cannot be
 * read back exactly and are refused. emnify's ids are far below it. */
#define EXACT_DOUBLE_MAX 9007199254740992.0
/* How much of a non-JSON error body a message quotes, in characters. */
#define QUOTE_CHARS 60

/* --- the page arena ------------------------------------------------------------------------
 * cJSON builds a tree of a page with one malloc per value and one per string, and frees them
 * one by one: tens of thousands of calls a page, most of the time a load took. While a page is
 * parsed, cJSON allocates from this arena instead and frees nothing; the arena is emptied
 * after each item of a slimmed page (json_slim.h), or after a page read whole. Its blocks
 * stay, reachable, for the next page, and so does the buffer of the slimmed copy. cJSON's
 * hooks are global, so they are installed once, and dispatch by thread: a thread parsing a
 * page (arena_begin .. arena_end) uses its own arena, every other use of cJSON, on any thread,
 * malloc and free. */

struct arena_block {
	struct arena_block *next;
	size_t used, capacity;
	max_align_t data[];
};

static _Thread_local struct {
	struct arena_block *first, *current;
	bool active;
	char *slim;            /* the slimmed copy of a page (json_slim.h), kept for the next */
	size_t slim_capacity;
} arena;

#define ARENA_BLOCK_BYTES ((size_t)1 << 20)

static void *arena_alloc(size_t size)
{
	size_t align = sizeof(max_align_t);
	size = (size + align - 1) / align * align;
	struct arena_block *block = arena.current;
	while (block && block->capacity - block->used < size) {
		block = block->next;
		if (block)
			block->used = 0;
	}
	if (!block) {
		size_t capacity = size > ARENA_BLOCK_BYTES ? size : ARENA_BLOCK_BYTES;
		block = malloc(sizeof(*block) + capacity);
		if (!block)
			return NULL;  /* cJSON reports the parse as failed */
		block->capacity = capacity;
		block->used = 0;
		/* Chained after the last block. */
		block->next = NULL;
		struct arena_block **link = &arena.first;
		while (*link)
			link = &(*link)->next;
		*link = block;
	}
	arena.current = block;
	void *memory = (char *)block->data + block->used;
	block->used += size;
	return memory;
}

static void *hook_malloc(size_t size)
{
	return arena.active ? arena_alloc(size) : malloc(size);
}

static void hook_free(void *memory)
{
	if (!arena.active)  /* an arena's memory all goes at once, in arena_begin() */
		free(memory);
}

static void index_field_keys(void);

/* Once per process, before any thread parses. */
static void initialise(void)
{
	cJSON_Hooks hooks = { .malloc_fn = hook_malloc, .free_fn = hook_free };
	cJSON_InitHooks(&hooks);
	index_field_keys();
}

static pthread_once_t initialise_once = PTHREAD_ONCE_INIT;

void emnify_thread_end(void)
{
	free(arena.slim);
	arena.slim = NULL;
	arena.slim_capacity = 0;
	struct arena_block *block = arena.first;
	while (block) {
		struct arena_block *next = block->next;
		free(block);
		block = next;
	}
	arena.first = arena.current = NULL;
}

void emnify_init(void)
{
	pthread_once(&initialise_once, initialise);
}

static void arena_begin(void)
{
	emnify_init();
	arena.current = arena.first;
	if (arena.current)
		arena.current->used = 0;
	arena.active = true;
}

static void arena_end(void)
{
	arena.active = false;
}

/* Drop a UTF-8 character that truncation left incomplete at the end of text. */
static void trim_partial_character(char *text)
{
	size_t length = strlen(text);
	size_t lead = length;
	while (lead > 0 && length - lead < 4 && ((unsigned char)text[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead == 0)
		return;
	unsigned char byte = (unsigned char)text[lead - 1];
	size_t need = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
	if (lead - 1 + need > length)
		text[lead - 1] = '\0';
}

/* Append to a message buffer; output past its end is cut at a character boundary. */
static void append(char *message, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void append(char *message, size_t size, const char *format, ...)
{
	if (!message || size == 0)
		return;
	size_t used = strlen(message);
	if (used + 1 >= size)
		return;
	va_list args;
	va_start(args, format);
	int wrote = vsnprintf(message + used, size - used, format, args);
	va_end(args);
	if (wrote > 0 && (size_t)wrote >= size - used)
		trim_partial_character(message);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parse a whole body as one JSON value: cJSON stops at the end of the first value, so check
 * that only white space follows. On failure *error_at is the byte offset of the problem. */
static cJSON *parse_json(const char *body, size_t length, size_t *error_at)
{
	const char *end = NULL;
	*error_at = 0;
	if (!body || length == 0)
		return NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(body, length, &end, false);
	if (!root) {
		if (end && end >= body && end <= body + length)
			*error_at = (size_t)(end - body);
		return NULL;
	}
	size_t at = end ? (size_t)(end - body) : length;
	while (at < length && is_blank(body[at]))
		at++;
	if (at < length) {
		cJSON_Delete(root);
		*error_at = at;
		return NULL;
	}
	return root;
}

/* --- pages ------------------------------------------------------------------------------- */

/* Cleaned strings of one page live in chunks that never move, so records can point into
 * them, and go all at once when the page is done: no allocation per string. */
#define CHUNK_SIZE 65536

/* The field of each member, by its place, in the object read before at the same level: the
 * items of a page have the same keys in the same order, so a key is first compared with the
 * one its place had (FIELD_COUNT: none known). */
#define GUESSED_PLACES 24
struct field_guess {
	signed char field[GUESSED_PLACES];
};

struct page {
	const char *kind;  /* "SIM page" or "endpoint page" */
	struct field_guess item_fields, sim_fields;
	size_t item;
	size_t sims_without_status;  /* endpoint page: SIMs named without their status */
	char *message;
	size_t size;
	char **chunks;
	size_t chunk_count;
	size_t chunk_capacity;
	size_t chunk_used; /* bytes used in the last chunk */
};

static bool item_error(struct page *page, const char *format, ...) __attribute__((format(printf, 2, 3)));
static bool item_error(struct page *page, const char *format, ...)
{
	if (!page->message || page->size == 0)
		return false;
	char reason[256];
	va_list args;
	va_start(args, format);
	vsnprintf(reason, sizeof(reason), format, args);
	va_end(args);
	page->message[0] = '\0';
	append(page->message, page->size, "%s item %zu: %s", page->kind, page->item, reason);
	return false;
}

static void page_free_strings(struct page *page)
{
	for (size_t i = 0; i < page->chunk_count; i++)
		free(page->chunks[i]);
	free(page->chunks);
}

/* Clean text into the page's chunks; the result lives until page_free_strings(). */
static const char *page_clean(struct page *page, const char *text)
{
	if (page->chunk_count == 0 || page->chunk_used + FIELD_MAX + 1 > CHUNK_SIZE) {
		page->chunks = xgrow(page->chunks, &page->chunk_capacity, page->chunk_count + 1,
				     sizeof(*page->chunks));
		page->chunks[page->chunk_count++] = xmalloc(CHUNK_SIZE);
		page->chunk_used = 0;
	}
	char *out = page->chunks[page->chunk_count - 1] + page->chunk_used;
	page->chunk_used += text_clean_buffer(out, FIELD_MAX + 1, text) + 1;
	return out;
}

/* The keys a list item is read for. An item is walked once and each key found is kept (the
 * first, as cJSON_GetObjectItemCaseSensitive() would find it): looking each key up instead
 * compares every key of the item again, most of the cost of reading a page. */
enum field {
	FIELD_ID, FIELD_STATUS, FIELD_NAME, FIELD_IMEI, FIELD_IP_ADDRESS, FIELD_TAGS, FIELD_SIM, FIELD_ENDPOINT,
	FIELD_ICCID, FIELD_IMSI, FIELD_MSISDN, FIELD_COUNT
};
static const char *const field_keys[FIELD_COUNT] = {
	[FIELD_ID] = "id", [FIELD_STATUS] = "status", [FIELD_NAME] = "name", [FIELD_IMEI] = "imei",
	[FIELD_IP_ADDRESS] = "ip_address", [FIELD_TAGS] = "tags", [FIELD_SIM] = "sim", [FIELD_ENDPOINT] = "endpoint",
	[FIELD_ICCID] = "iccid", [FIELD_IMSI] = "imsi", [FIELD_MSISDN] = "msisdn",
};

/* The fields whose key starts with each byte, in field order, ended by FIELD_COUNT: a key
 * is compared with those only, and whole only when its second byte matches too. Most keys
 * of an item (created, service_profile, ...) are passed over at the first or second byte. */
#define FIELDS_PER_BYTE 6
static int fields_by_byte[256][FIELDS_PER_BYTE];

static void index_field_keys(void)
{
	for (int byte = 0; byte < 256; byte++)
		fields_by_byte[byte][0] = FIELD_COUNT;
	for (int field = 0; field < FIELD_COUNT; field++) {
		int *entry = fields_by_byte[(unsigned char)field_keys[field][0]];
		int used = 0;
		while (entry[used] != FIELD_COUNT)
			used++;
		if (used + 1 >= FIELDS_PER_BYTE)
			die(3, "internal error: too many fields start with '%c'", field_keys[field][0]);
		entry[used] = field;
		entry[used + 1] = FIELD_COUNT;
	}
}

/* strcmp() for the short rest of a key, without a call. */
static bool same_text(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* The field whose key is key; FIELD_COUNT for none. */
static int field_of_key(const char *key)
{
	for (const int *field = fields_by_byte[(unsigned char)key[0]]; *field != FIELD_COUNT; field++)
		if (key[1] == field_keys[*field][1] && (key[1] == '\0' || same_text(key + 2, field_keys[*field] + 2)))
			return *field;
	return FIELD_COUNT;
}

static void collect_fields(const cJSON *object, const cJSON *fields[FIELD_COUNT], struct field_guess *guess)
{
	for (int field = 0; field < FIELD_COUNT; field++)
		fields[field] = NULL;
	size_t place = 0;
	for (const cJSON *child = object->child; child; child = child->next, place++) {
		const char *key = child->string;
		if (!key)
			continue;
		int field = place < GUESSED_PLACES ? guess->field[place] : FIELD_COUNT;
		if (field == FIELD_COUNT || !same_text(key, field_keys[field])) {
			field = field_of_key(key);
			if (place < GUESSED_PLACES)
				guess->field[place] = (signed char)field;
		}
		if (field != FIELD_COUNT && !fields[field])
			fields[field] = child;
	}
}

/* A positive integer id, exact in a double. */
static bool read_id(struct page *page, const cJSON *value, const char *path, int64_t *id)
{
	if (!value)
		return item_error(page, "missing %s", path);
	if (!cJSON_IsNumber(value))
		return item_error(page, "%s is not a number", path);
	double number = value->valuedouble;
	if (!(number >= 1 && number <= EXACT_DOUBLE_MAX) || (double)(int64_t)number != number)
		return item_error(page, "%s is not a positive integer id", path);
	*id = (int64_t)number;
	return true;
}

/* {"id": N, ...} with 0 <= N < count. */
static bool read_status(struct page *page, const cJSON *value, const char *path, int count, int *status)
{
	if (!value)
		return item_error(page, "missing %s.id", path);
	if (!cJSON_IsObject(value))
		return item_error(page, "%s is not an object", path);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(value, "id");
	if (!id)
		return item_error(page, "missing %s.id", path);
	if (!cJSON_IsNumber(id))
		return item_error(page, "%s.id is not a number", path);
	double number = id->valuedouble;
	if (!(number >= 0 && number < count) || (double)(int)number != number)
		return item_error(page, "%s.id %g is not a known status", path, number);
	*status = (int)number;
	return true;
}

/* A string field, cleaned and bounded; NULL when absent or null. */
static bool read_string(struct page *page, const cJSON *value, const char *path, const char **text)
{
	*text = NULL;
	if (!value || cJSON_IsNull(value))
		return true;
	if (!cJSON_IsString(value))
		return item_error(page, "%s is not a string", path);
	*text = page_clean(page, value->valuestring);
	return true;
}

/* An optional nested object ("endpoint" of a SIM, "sim" of an endpoint): absent or null is
 * none. */
static bool read_nested(struct page *page, const cJSON *value, const char *key, const cJSON **nested)
{
	*nested = value && cJSON_IsNull(value) ? NULL : value;
	if (*nested && !cJSON_IsObject(*nested))
		return item_error(page, "%s is not an object", key);
	return true;
}

static bool read_sim(struct page *page, const cJSON *item, void *record)
{
	struct sim_record *sim = record;
	const cJSON *field[FIELD_COUNT], *endpoint;
	memset(sim, 0, sizeof(*sim));
	collect_fields(item, field, &page->item_fields);
	if (!read_id(page, field[FIELD_ID], "id", &sim->id) ||
	    !read_status(page, field[FIELD_STATUS], "status", SIM_STATUS_COUNT, &sim->sim_status) ||
	    !read_string(page, field[FIELD_ICCID], "iccid", &sim->iccid) ||
	    !read_string(page, field[FIELD_IMSI], "imsi", &sim->imsi) ||
	    !read_string(page, field[FIELD_MSISDN], "msisdn", &sim->msisdn) ||
	    !read_nested(page, field[FIELD_ENDPOINT], "endpoint", &endpoint))
		return false;
	if (endpoint && !read_id(page, cJSON_GetObjectItemCaseSensitive(endpoint, "id"), "endpoint.id", &sim->endpoint_id))
		return false;
	return true;
}

static bool read_endpoint(struct page *page, const cJSON *item, void *record)
{
	struct endpoint_record *endpoint = record;
	const cJSON *field[FIELD_COUNT], *sim;
	memset(endpoint, 0, sizeof(*endpoint));
	endpoint->sim_status = SIM_NONE;
	collect_fields(item, field, &page->item_fields);
	if (!read_id(page, field[FIELD_ID], "id", &endpoint->id) ||
	    !read_status(page, field[FIELD_STATUS], "status", ENDPOINT_STATUS_COUNT, &endpoint->endpoint_status) ||
	    !read_string(page, field[FIELD_NAME], "name", &endpoint->name) ||
	    !read_string(page, field[FIELD_IMEI], "imei", &endpoint->imei) ||
	    !read_string(page, field[FIELD_IP_ADDRESS], "ip_address", &endpoint->ip_address) ||
	    !read_string(page, field[FIELD_TAGS], "tags", &endpoint->tags) ||
	    !read_nested(page, field[FIELD_SIM], "sim", &sim))
		return false;
	if (!sim)
		return true;
	/* The nested SIM's status may be left out; the SIM page then supplies it. */
	const cJSON *sim_field[FIELD_COUNT];
	collect_fields(sim, sim_field, &page->sim_fields);
	if (!read_id(page, sim_field[FIELD_ID], "sim.id", &endpoint->sim_id) ||
	    (sim_field[FIELD_STATUS] &&
	     !read_status(page, sim_field[FIELD_STATUS], "sim.status", SIM_STATUS_COUNT, &endpoint->sim_status)) ||
	    !read_string(page, sim_field[FIELD_ICCID], "sim.iccid", &endpoint->iccid) ||
	    !read_string(page, sim_field[FIELD_IMSI], "sim.imsi", &endpoint->imsi) ||
	    !read_string(page, sim_field[FIELD_MSISDN], "sim.msisdn", &endpoint->msisdn))
		return false;
	page->sims_without_status += endpoint->sim_status == SIM_NONE;
	return true;
}

/* Parse the body as a JSON array; NULL with a message when it is not one. */
static cJSON *parse_array(const char *body, size_t length, const char *kind, char *message, size_t size)
{
	size_t at;
	cJSON *root = parse_json(body, length, &at);
	if (message && size)
		message[0] = '\0';
	if (!root) {
		if (length == 0)
			append(message, size, "%s is empty", kind);
		else
			append(message, size, "%s is not valid JSON (near byte %zu of %zu)", kind, at, length);
		return NULL;
	}
	if (!cJSON_IsArray(root)) {
		append(message, size, "%s is not a JSON array", kind);
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* What differs between the two list pages: the record, how an item is read, how it joins. */
struct page_kind {
	const char *name;
	size_t record_size;
	enum fleet_list list;
	bool (*read)(struct page *page, const cJSON *item, void *record);
	int64_t (*id)(const void *record);
	void (*prefetch)(const struct fleet *fleet, const void *record);
	void (*add)(struct fleet *fleet, const void *record);
};

static int64_t sim_record_id(const void *record)
{
	return ((const struct sim_record *)record)->id;
}

static int64_t endpoint_record_id(const void *record)
{
	return ((const struct endpoint_record *)record)->id;
}

static void prefetch_sim_record(const struct fleet *fleet, const void *record)
{
	const struct sim_record *sim = record;
	fleet_prefetch(fleet, sim->id, sim->endpoint_id);
}

static void prefetch_endpoint_record(const struct fleet *fleet, const void *record)
{
	const struct endpoint_record *endpoint = record;
	fleet_prefetch(fleet, endpoint->sim_id, endpoint->id);
}

static void add_sim_record(struct fleet *fleet, const void *record)
{
	fleet_add_sim(fleet, record);
}

static void add_endpoint_record(struct fleet *fleet, const void *record)
{
	fleet_add_endpoint(fleet, record);
}

/* How many records ahead of the one added their ids' slots are prefetched. */
#define PREFETCH_AHEAD 8

/* A page read into records, not yet in a fleet (emnify.h). */
struct emnify_parsed_page {
	const struct page_kind *kind;
	char *records;
	struct page page;           /* its strings, and what parsing counted */
	struct emnify_page seen;
};

static struct emnify_parsed_page *new_parsed_page(const struct page_kind *kind, char *message, size_t size)
{
	struct emnify_parsed_page *parsed = xcalloc(1, sizeof(*parsed));
	parsed->kind = kind;
	parsed->page = (struct page){ .kind = kind->name, .message = message, .size = size };
	memset(parsed->page.item_fields.field, FIELD_COUNT, sizeof(parsed->page.item_fields.field));
	memset(parsed->page.sim_fields.field, FIELD_COUNT, sizeof(parsed->page.sim_fields.field));
	return parsed;
}

/* Read one item into the next record; false with the page's message when it is refused. */
static bool read_item(struct emnify_parsed_page *parsed, const cJSON *item)
{
	const struct page_kind *kind = parsed->kind;
	struct page *page = &parsed->page;
	if (!cJSON_IsObject(item))
		return item_error(page, "not an object");
	char *record = parsed->records + page->item * kind->record_size;
	if (!kind->read(page, item, record))
		return false;
	fleet_page_ids_add(&parsed->seen.ids, kind->id(record));
	page->item++;
	return true;
}

enum reading { READ_ALL, READ_REFUSED_ITEM, READ_NOT_JSON };

/* The page as cJSON reads it whole. */
static enum reading read_whole_page(struct emnify_parsed_page *parsed, const char *body, size_t length)
{
	cJSON *root = parse_array(body, length, parsed->kind->name, parsed->page.message, parsed->page.size);
	if (!root)
		return READ_NOT_JSON;
	size_t total = (size_t)cJSON_GetArraySize(root);
	parsed->records = xcalloc(total ? total : 1, parsed->kind->record_size);
	const cJSON *item;
	cJSON_ArrayForEach(item, root)
		if (!read_item(parsed, item))
			return READ_REFUSED_ITEM;
	return READ_ALL;
}

/* The slimmed copy of a page (json_slim.h) of count items, an item at a time: cJSON parses an
 * item, it is read, and the arena starts again for the next one, so that what cJSON builds and
 * what is read of it stay in the cache. READ_NOT_JSON, with nothing said, when cJSON refuses an
 * item: the page itself is then read whole, and says why. */
static enum reading read_slim_page(struct emnify_parsed_page *parsed, const char *slim, size_t length, size_t count)
{
	parsed->records = xcalloc(count ? count : 1, parsed->kind->record_size);
	const char *at = slim + 1, *end = slim + length;  /* after the '[' */
	for (size_t i = 0; i < count; i++) {
		arena_begin();
		const char *item_end = NULL;
		cJSON *item = cJSON_ParseWithLengthOpts(at, (size_t)(end - at), &item_end, false);
		if (!item || !item_end || item_end >= end)
			return READ_NOT_JSON;
		if (!read_item(parsed, item))
			return READ_REFUSED_ITEM;
		at = item_end + 1;  /* past the ',' (or the ']') the copy has there */
	}
	return READ_ALL;
}

static struct emnify_parsed_page *parse_page(const struct page_kind *kind, const char *body, size_t length,
					     char *message, size_t size)
{
	struct emnify_parsed_page *parsed = new_parsed_page(kind, message, size);
	/* cJSON reads a copy with only the members read, when the page is plain enough for one
	 * (json_slim.h); else, or should cJSON refuse the copy, the page itself, and says why. */
	enum reading reading = READ_NOT_JSON;
	arena.slim = xgrow(arena.slim, &arena.slim_capacity, length + 1, 1);
	size_t slim_length, count;
	if (json_slim_array(body, length, field_keys, FIELD_COUNT, arena.slim, &slim_length, &count))
		reading = read_slim_page(parsed, arena.slim, slim_length, count);
	if (reading == READ_NOT_JSON) {
		emnify_parsed_page_free(parsed);
		parsed = new_parsed_page(kind, message, size);
		arena_begin();
		reading = read_whole_page(parsed, body, length);
	}
	arena_end();  /* the trees go with the arena; cJSON_Delete() would free nothing */
	struct page *page = &parsed->page;
	parsed->seen.sims_without_status = page->sims_without_status;
	page->message = NULL;
	page->size = 0;
	if (reading != READ_ALL) {
		emnify_parsed_page_free(parsed);
		return NULL;
	}
	return parsed;
}

static const struct page_kind sim_kind = {
	"SIM page", sizeof(struct sim_record), FLEET_LIST_SIMS, read_sim, sim_record_id, prefetch_sim_record,
	add_sim_record,
};
static const struct page_kind endpoint_kind = {
	"endpoint page", sizeof(struct endpoint_record), FLEET_LIST_ENDPOINTS, read_endpoint, endpoint_record_id,
	prefetch_endpoint_record, add_endpoint_record,
};

struct emnify_parsed_page *emnify_parse_page(enum fleet_list list, const char *body, size_t length, char *message,
					     size_t size)
{
	if (message && size)
		message[0] = '\0';
	return parse_page(list == FLEET_LIST_SIMS ? &sim_kind : &endpoint_kind, body, length, message, size);
}

void emnify_add_page(struct emnify_parsed_page *parsed, struct fleet *fleet, int64_t number,
		     struct emnify_page *result)
{
	struct emnify_page seen = parsed->seen;
	const struct page_kind *kind = parsed->kind;
	/* A page served again is in the fleet already. */
	seen.repeated = number > 0 && fleet_note_page(fleet, kind->list, number, &seen.ids, NULL);
	size_t count = seen.repeated ? 0 : parsed->page.item;
	for (size_t i = 0; i < count; i++) {
		/* The id tables of a large fleet do not fit in the cache. */
		if (i + PREFETCH_AHEAD < count)
			kind->prefetch(fleet, parsed->records + (i + PREFETCH_AHEAD) * kind->record_size);
		kind->add(fleet, parsed->records + i * kind->record_size);
	}
	if (result)
		*result = seen;
}

void emnify_parsed_page_free(struct emnify_parsed_page *parsed)
{
	if (!parsed)
		return;
	free(parsed->records);
	page_free_strings(&parsed->page);
	free(parsed);
}

/* Parse and add at once, for callers on one thread. */
static enum emnify_result parse_and_add(enum fleet_list list, const char *body, size_t length, struct fleet *fleet,
					int64_t number, struct emnify_page *page, char *message, size_t size)
{
	if (page)
		*page = (struct emnify_page){ 0 };
	struct emnify_parsed_page *parsed = emnify_parse_page(list, body, length, message, size);
	if (!parsed)
		return EMNIFY_BAD_RESPONSE;
	emnify_add_page(parsed, fleet, number, page);
	emnify_parsed_page_free(parsed);
	return EMNIFY_OK;
}

enum emnify_result emnify_parse_sim_page(const char *body, size_t length, struct fleet *fleet, int64_t number,
					 struct emnify_page *page, char *message, size_t size)
{
	return parse_and_add(FLEET_LIST_SIMS, body, length, fleet, number, page, message, size);
}

enum emnify_result emnify_parse_endpoint_page(const char *body, size_t length, struct fleet *fleet,
					      int64_t number, struct emnify_page *page, char *message, size_t size)
{
	return parse_and_add(FLEET_LIST_ENDPOINTS, body, length, fleet, number, page, message, size);
}

/* --- headers ----------------------------------------------------------------------------- */

void emnify_paging_header(struct emnify_paging *paging, const char *line, size_t length)
{
	const char *colon = memchr(line, ':', length);
	if (!colon)
		return;
	const char *name = line, *name_end = colon;
	while (name < name_end && is_blank(*name))
		name++;
	while (name_end > name && is_blank(name_end[-1]))
		name_end--;
	const char *value = colon + 1, *value_end = line + length;
	while (value < value_end && is_blank(*value))
		value++;
	while (value_end > value && is_blank(value_end[-1]))
		value_end--;

	/* The documented names, and the newer backend's aliases that carry the same values. */
	const struct {
		const char *name;
		int64_t *field;
	} names[] = {
		{ "X-Total-Count", &paging->total_count },
		{ "X-Total-Pages", &paging->total_pages },
		{ "X-Current-Page", &paging->current_page },
		{ "X-Count-Per-Page", &paging->per_page },
		{ "X-Pages", &paging->total_pages },
		{ "X-Page", &paging->current_page },
		{ "X-Per-Page", &paging->per_page },
	};
	char key[32], number[32];
	size_t name_length = (size_t)(name_end - name), value_length = (size_t)(value_end - value);
	if (name_length >= sizeof(key) || value_length >= sizeof(number))
		return;
	memcpy(key, name, name_length);
	key[name_length] = '\0';
	memcpy(number, value, value_length);
	number[value_length] = '\0';

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!util_equal_nocase(key, names[i].name))
			continue;
		int64_t parsed;
		if (util_parse_int64(number, &parsed) && parsed >= 0)
			*names[i].field = parsed;
		return;
	}
}

/* --- authentication ---------------------------------------------------------------------- */

static int base64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

/* Decode base64url (padding optional) into a new buffer; NULL on a bad character. */
static char *base64url_decode(const char *text, size_t length, size_t *decoded)
{
	while (length > 0 && text[length - 1] == '=')
		length--;
	char *out = xmalloc(length * 3 / 4 + 1);
	size_t used = 0;
	uint32_t bits = 0;
	int count = 0;
	for (size_t i = 0; i < length; i++) {
		int value = base64url_value((unsigned char)text[i]);
		if (value < 0) {
			free(out);
			return NULL;
		}
		bits = (bits << 6) | (uint32_t)value;
		count += 6;
		if (count >= 8) {
			count -= 8;
			out[used++] = (char)((bits >> count) & 0xFF);
		}
	}
	out[used] = '\0';
	*decoded = used;
	return out;
}

bool emnify_jwt_expiry(const char *jwt, int64_t *expires)
{
	const char *first = strchr(jwt, '.');
	if (!first)
		return false;
	const char *second = strchr(first + 1, '.');
	if (!second)
		return false;
	size_t length;
	char *payload = base64url_decode(first + 1, (size_t)(second - first - 1), &length);
	if (!payload)
		return false;
	size_t at;
	cJSON *claims = parse_json(payload, length, &at);
	free(payload);
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
	bool found = false;
	if (cJSON_IsNumber(exp) && exp->valuedouble > 0 && exp->valuedouble <= EXACT_DOUBLE_MAX) {
		*expires = (int64_t)exp->valuedouble;
		found = true;
	}
	cJSON_Delete(claims);
	return found;
}

bool emnify_jwt_workspace(const char *jwt, int64_t *organisation, char *name, size_t size)
{
	const char *first = strchr(jwt, '.');
	const char *second = first ? strchr(first + 1, '.') : NULL;
	size_t length, at;

	*organisation = 0;
	if (size)
		name[0] = '\0';
	if (!second)
		return false;
	char *payload = base64url_decode(first + 1, (size_t)(second - first - 1), &length);
	if (!payload)
		return false;
	cJSON *claims = parse_json(payload, length, &at);
	free(payload);
	if (!cJSON_IsObject(claims)) {
		cJSON_Delete(claims);
		return false;
	}
	const cJSON *org = cJSON_GetObjectItemCaseSensitive(claims, "esc.org");
	const cJSON *org_name = cJSON_GetObjectItemCaseSensitive(claims, "esc.orgName");
	if (cJSON_IsNumber(org) && org->valuedouble > 0 && org->valuedouble <= EXACT_DOUBLE_MAX)
		*organisation = (int64_t)org->valuedouble;
	if (cJSON_IsString(org_name) && size) {
		char *clean = text_clean(org_name->valuestring, 80);
		snprintf(name, size, "%s", clean);
		free(clean);
	}
	cJSON_Delete(claims);
	return true;
}

/* A JWT is base64url segments joined by dots: nothing else may go into a header line. */
static bool token_is_clean(const char *token)
{
	if (!*token)
		return false;
	for (const char *c = token; *c; c++)
		if (base64url_value((unsigned char)*c) < 0 && *c != '.' && *c != '=')
			return false;
	return true;
}

enum emnify_result emnify_parse_auth(const char *body, size_t length, char **token, int64_t *expires,
				     char *message, size_t size)
{
	*token = NULL;
	*expires = 0;
	if (message && size)
		message[0] = '\0';
	size_t at;
	cJSON *root = parse_json(body, length, &at);
	if (!cJSON_IsObject(root)) {
		append(message, size, "the authentication response is not a JSON object");
		cJSON_Delete(root);
		return EMNIFY_BAD_RESPONSE;
	}
	const cJSON *auth = cJSON_GetObjectItemCaseSensitive(root, "auth_token");
	if (!cJSON_IsString(auth)) {
		if (cJSON_GetObjectItemCaseSensitive(root, "mfa_token"))
			append(message, size, "the API asked for a second factor; use an application token");
		else
			append(message, size, "the authentication response has no auth_token");
		cJSON_Delete(root);
		return EMNIFY_BAD_RESPONSE;
	}
	if (!token_is_clean(auth->valuestring)) {
		append(message, size, "the auth_token holds characters a JWT cannot have");
		cJSON_Delete(root);
		return EMNIFY_BAD_RESPONSE;
	}
	*token = xstrdup(auth->valuestring);
	if (!emnify_jwt_expiry(*token, expires))
		*expires = 0;
	cJSON_Delete(root);
	return EMNIFY_OK;
}

/* --- error bodies ------------------------------------------------------------------------ */

/* Up to QUOTE_CHARS characters of a body that is not what we expected, cleaned, with runs of
 * white space folded; "..." marks a cut. */
static void quote_body(const char *body, size_t length, char *quote, size_t size)
{
	size_t take = length < 4 * QUOTE_CHARS ? length : 4 * QUOTE_CHARS;
	char *raw = xstrndup(body, take);
	char *clean = text_clean(raw, 4 * QUOTE_CHARS);
	free(raw);

	size_t used = 0, characters = 0;
	bool space = false, cut = take < length;
	for (const char *c = clean; *c; c++) {
		if (*c == ' ') {
			space = used > 0;
			continue;
		}
		/* Count characters at their lead bytes, so a cut never splits one. */
		if (((unsigned char)*c & 0xC0) != 0x80) {
			if (characters + space >= QUOTE_CHARS || used + 5 + space >= size) {
				cut = true;
				break;
			}
			if (space) {
				quote[used++] = ' ';
				characters++;
				space = false;
			}
			characters++;
		}
		quote[used++] = *c;
	}
	quote[used] = '\0';
	if (cut)
		strcat(quote, "...");
	free(clean);
}

static bool body_is_blank(const char *body, size_t length)
{
	for (size_t i = 0; i < length; i++)
		if (!is_blank(body[i]))
			return false;
	return true;
}

/* "message", cleaned; NULL when absent or not a string. The caller frees. */
static char *clean_member(const cJSON *object, const char *key)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, key);
	if (!cJSON_IsString(value) || !*value->valuestring)
		return NULL;
	return text_clean(value->valuestring, FIELD_MAX);
}

void emnify_error_message(long http_status, const char *body, size_t length, char *message, size_t size)
{
	if (!message || size == 0)
		return;
	message[0] = '\0';
	if (!body || body_is_blank(body, length)) {
		append(message, size, "HTTP %ld with an empty body", http_status);
		return;
	}

	size_t at;
	cJSON *root = parse_json(body, length, &at);
	char quote[4 * QUOTE_CHARS + 8];
	if (!root) {
		quote_body(body, length, quote, sizeof(quote));
		append(message, size, "HTTP %ld with a non-JSON body: %s", http_status, quote);
		return;
	}

	char *text = cJSON_IsObject(root) ? clean_member(root, "message") : NULL;
	char *token = cJSON_IsObject(root) ? clean_member(root, "error_token") : NULL;
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "error_code");
	const cJSON *errors = cJSON_GetObjectItemCaseSensitive(root, "errors");
	if (!cJSON_IsArray(errors))
		errors = NULL;
	bool has_code = cJSON_IsNumber(code);

	append(message, size, "HTTP %ld", http_status);
	bool said = false;
	if (text) {
		append(message, size, ": %s", text);
		said = true;
	}
	/* The details of a validation error are in errors[]: the first after a colon, the
	 * others after semicolons. */
	bool first_detail = true;
	const cJSON *error;
	cJSON_ArrayForEach(error, errors) {
		char *detail = clean_member(error, "message");
		if (detail) {
			append(message, size, "%s%s", first_detail ? ": " : "; ", detail);
			first_detail = false;
			said = true;
			free(detail);
		}
	}
	if (token && has_code)
		append(message, size, " (%s %.0f)", token, code->valuedouble);
	else if (token)
		append(message, size, " (%s)", token);
	else if (has_code)
		append(message, size, " (error %.0f)", code->valuedouble);
	else if (!said) {
		/* JSON, but neither of the shapes the API uses. */
		quote_body(body, length, quote, sizeof(quote));
		message[0] = '\0';
		append(message, size, "HTTP %ld with an unexpected JSON body: %s", http_status, quote);
	}
	free(text);
	free(token);
	cJSON_Delete(root);
}

/* --- request bodies ---------------------------------------------------------------------- */

char *emnify_auth_body(const char *application_token)
{
	cJSON *root = cJSON_CreateObject();
	if (!root || !cJSON_AddStringToObject(root, "application_token", application_token))
		die(3, "out of memory (authentication body)");
	char *printed = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!printed)
		die(3, "out of memory (authentication body)");
	char *body = xstrdup(printed);
	cJSON_free(printed);
	return body;
}

char *emnify_status_body(int status_id)
{
	return xasprintf("{\"status\":{\"id\":%d}}", status_id);
}

/* --- statuses read back ------------------------------------------------------------------- */

/* An object's status.id, within the bound of known statuses; false when absent or odd. */
static bool object_status(const cJSON *object, int *status)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(object, "status"), "id");

	if (!cJSON_IsNumber(id) || id->valuedouble < 0 || id->valuedouble > 100 ||
	    id->valuedouble != (double)(int)id->valuedouble)
		return false;
	*status = (int)id->valuedouble;
	return true;
}

static bool object_id(const cJSON *object, int64_t *id)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(object, "id");

	if (!cJSON_IsNumber(value) || value->valuedouble < 1 || value->valuedouble > EXACT_DOUBLE_MAX ||
	    value->valuedouble != (double)(int64_t)value->valuedouble)
		return false;
	*id = (int64_t)value->valuedouble;
	return true;
}

static bool read_object(const cJSON *item, bool endpoint, struct transport_object *object)
{
	int64_t id;
	int status;

	*object = (struct transport_object){ 0, ENDPOINT_NONE, 0, SIM_NONE };
	if (!cJSON_IsObject(item) || !object_id(item, &id) || !object_status(item, &status))
		return false;
	if (!endpoint) {
		object->sim_id = id;
		object->sim_status = status;
		return true;
	}
	object->endpoint_id = id;
	object->endpoint_status = status;
	const cJSON *sim = cJSON_GetObjectItemCaseSensitive(item, "sim");
	if (!sim || cJSON_IsNull(sim))
		return true;
	if (!cJSON_IsObject(sim) || !object_id(sim, &object->sim_id))
		return false;
	if (!object_status(sim, &object->sim_status))
		object->sim_status = SIM_NONE;
	return true;
}

enum emnify_result emnify_parse_object(const char *body, size_t length, bool endpoint,
				       struct transport_object *object, char *message, size_t size)
{
	size_t at;
	cJSON *root = parse_json(body, length, &at);
	bool ok = read_object(root, endpoint, object);

	cJSON_Delete(root);
	if (message && size)
		message[0] = '\0';
	if (!ok)
		append(message, size, "the %s read back has no id or status.id", endpoint ? "endpoint" : "SIM");
	return ok ? EMNIFY_OK : EMNIFY_BAD_RESPONSE;
}

enum emnify_result emnify_parse_object_page(const char *body, size_t length, struct transport_object **objects,
					    size_t *count, char *message, size_t size)
{
	size_t at;
	cJSON *root = parse_json(body, length, &at);
	size_t item = 0;

	*objects = NULL;
	*count = 0;
	if (message && size)
		message[0] = '\0';
	if (!cJSON_IsArray(root)) {
		append(message, size, "the endpoint page is not a JSON array");
		cJSON_Delete(root);
		return EMNIFY_BAD_RESPONSE;
	}
	size_t total = (size_t)cJSON_GetArraySize(root);
	*objects = xcalloc(total ? total : 1, sizeof(**objects));
	const cJSON *element;
	cJSON_ArrayForEach(element, root) {
		if (!read_object(element, true, &(*objects)[item])) {
			append(message, size, "endpoint page item %zu: no id or status.id", item);
			free(*objects);
			*objects = NULL;
			cJSON_Delete(root);
			return EMNIFY_BAD_RESPONSE;
		}
		item++;
	}
	*count = item;
	cJSON_Delete(root);
	return EMNIFY_OK;
}

/* --- live state ----------------------------------------------------------------------------- */

/* The text at key of object, cleaned into out: a string as it is, a number as written, or an
 * object by its "name" or "description" (emnify names operators, countries and types so). */
static void copy_text(const cJSON *object, const char *key, char *out, size_t size)
{
	const cJSON *value = object ? cJSON_GetObjectItemCaseSensitive(object, key) : NULL;
	out[0] = '\0';
	if (cJSON_IsObject(value)) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(value, "name");
		value = cJSON_IsString(name) ? name : cJSON_GetObjectItemCaseSensitive(value, "description");
	}
	if (cJSON_IsString(value)) {
		text_clean_buffer(out, size, value->valuestring);
	} else if (cJSON_IsNumber(value)) {
		snprintf(out, size, "%g", value->valuedouble);
	}
}

static cJSON *parse_object(const char *body, size_t length, const char *kind, char *message, size_t size)
{
	size_t at;
	cJSON *root = parse_json(body, length, &at);
	if (message && size)
		message[0] = '\0';
	if (!cJSON_IsObject(root)) {
		append(message, size, "%s is not a JSON object", kind);
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

enum emnify_result emnify_parse_connectivity(const char *body, size_t length, struct emnify_connectivity *out,
					     char *message, size_t size)
{
	memset(out, 0, sizeof(*out));
	cJSON *root = parse_object(body, length, "the connectivity answer", message, size);
	if (!root)
		return EMNIFY_BAD_RESPONSE;
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(root, "status");
	const cJSON *word = cJSON_IsObject(status) ? cJSON_GetObjectItemCaseSensitive(status, "description") : NULL;
	if (!cJSON_IsString(word)) {
		append(message, size, "the connectivity answer has no status.description");
		cJSON_Delete(root);
		return EMNIFY_BAD_RESPONSE;
	}
	text_clean_buffer(out->word, sizeof(out->word), word->valuestring);
	out->state = model_connectivity_parse(word->valuestring);
	const cJSON *location = cJSON_GetObjectItemCaseSensitive(root, "location");
	const cJSON *pdp = cJSON_GetObjectItemCaseSensitive(root, "pdp_context");
	location = cJSON_IsObject(location) ? location : NULL;
	pdp = cJSON_IsObject(pdp) ? pdp : NULL;
	copy_text(location, "operator", out->operator_name, sizeof(out->operator_name));
	copy_text(location, "country", out->country, sizeof(out->country));
	copy_text(pdp, "rat_type", out->rat_type, sizeof(out->rat_type));
	copy_text(pdp, "apn", out->apn, sizeof(out->apn));
	copy_text(location, "last_updated", out->updated, sizeof(out->updated));
	if (!out->updated[0])
		copy_text(pdp, "created", out->updated, sizeof(out->updated));
	cJSON_Delete(root);
	return EMNIFY_OK;
}

/* A month of the stats answer; false (message) when it is there but not what emnify sends. */
static bool read_month(const cJSON *root, const char *key, struct emnify_month *month, char *message, size_t size)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(root, key);
	memset(month, 0, sizeof(*month));
	if (!value || cJSON_IsNull(value))
		return true;
	if (!cJSON_IsObject(value)) {
		append(message, size, "%s is not an object", key);
		return false;
	}
	month->present = true;
	static const struct {
		const char *part, *field;
	} numbers[] = { { "data", "volume" }, { "data", "cost" }, { "sms", "volume" } };
	double *targets[] = { &month->data_mb, &month->data_cost, &month->sms };
	for (size_t i = 0; i < ARRAY_SIZE(numbers); i++) {
		const cJSON *part = cJSON_GetObjectItemCaseSensitive(value, numbers[i].part);
		const cJSON *number = cJSON_IsObject(part) ? cJSON_GetObjectItemCaseSensitive(part, numbers[i].field) : NULL;
		if (number && !cJSON_IsNull(number) && !cJSON_IsNumber(number)) {
			append(message, size, "%s.%s.%s is not a number", key, numbers[i].part, numbers[i].field);
			return false;
		}
		if (cJSON_IsNumber(number))
			*targets[i] = number->valuedouble;
	}
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(value, "data");
	const cJSON *currency = cJSON_IsObject(data) ? cJSON_GetObjectItemCaseSensitive(data, "currency") : NULL;
	if (cJSON_IsObject(currency)) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(currency, "code");
		currency = cJSON_IsString(code) ? code : cJSON_GetObjectItemCaseSensitive(currency, "symbol");
	}
	if (cJSON_IsString(currency))
		text_clean_buffer(month->currency, sizeof(month->currency), currency->valuestring);
	return true;
}

enum emnify_result emnify_parse_usage(const char *body, size_t length, struct emnify_usage *out, char *message,
				      size_t size)
{
	memset(out, 0, sizeof(*out));
	cJSON *root = parse_object(body, length, "the stats answer", message, size);
	if (!root)
		return EMNIFY_BAD_RESPONSE;
	bool valid = read_month(root, "current_month", &out->current_month, message, size) &&
		     read_month(root, "last_month", &out->last_month, message, size);
	cJSON_Delete(root);
	return valid ? EMNIFY_OK : EMNIFY_BAD_RESPONSE;
}

enum emnify_result emnify_parse_events(const char *body, size_t length, struct emnify_event *events, size_t max,
				       size_t *count, char *message, size_t size)
{
	*count = 0;
	cJSON *root = parse_array(body, length, "the event list", message, size);
	if (!root)
		return EMNIFY_BAD_RESPONSE;
	const cJSON *item;
	cJSON_ArrayForEach(item, root) {
		if (*count == max)
			break;
		if (!cJSON_IsObject(item)) {
			append(message, size, "event %zu is not an object", *count);
			cJSON_Delete(root);
			return EMNIFY_BAD_RESPONSE;
		}
		struct emnify_event *event = &events[(*count)++];
		copy_text(item, "timestamp", event->timestamp, sizeof(event->timestamp));
		copy_text(item, "event_type", event->type, sizeof(event->type));
		copy_text(item, "description", event->description, sizeof(event->description));
		event->alert = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "alert"));
	}
	cJSON_Delete(root);
	return EMNIFY_OK;
}

bool emnify_is_error_object(const char *body, size_t length)
{
	size_t at;
	cJSON *root = parse_json(body, length, &at);
	bool error = cJSON_IsObject(root) && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(root, "error_code"));

	cJSON_Delete(root);
	return error;
}

char *emnify_endpoints_body(const struct transport_endpoint_change *changes, size_t count)
{
	/* {"id":9007199254740992,"status":{"id":1}}, is at most 44 bytes. */
	size_t size = 2 + count * 48, used = 0;
	char *body = xmalloc(size);

	body[used++] = '[';
	for (size_t i = 0; i < count; i++)
		used += (size_t)snprintf(body + used, size - used, "%s{\"id\":%lld,\"status\":{\"id\":%d}}",
					 i ? "," : "", (long long)changes[i].id, changes[i].status);
	body[used++] = ']';
	body[used] = '\0';
	return body;
}
