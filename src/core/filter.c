/* filter.c — the query language: a parser that checks the whole query first, and a matcher
 * that allocates nothing.
 *
 * Every status and alignment term folds into one 24-bit mask over the (SIM status, endpoint
 * status) pairs a device can be in, so those terms cost one bit test per device however many
 * there are. Text terms keep lower-cased needles; the matcher folds the haystack on the fly. */
#include "filter.h"

#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live.h"
#include "text.h"
#include "util.h"

/* --- status pairs ------------------------------------------------------------------------ */

/* A pair is (sim_status + 1) * 4 + (endpoint_status + 1): six SIM values (none included)
 * times four endpoint values. */
#define PAIR_SIM_VALUES 6
#define PAIR_ENDPOINT_VALUES 4
#define PAIR_ALL ((UINT32_C(1) << (PAIR_SIM_VALUES * PAIR_ENDPOINT_VALUES)) - 1)
/* A status outside the known ids: no status term matches it. */
#define PAIR_UNKNOWN 31

static unsigned pair_of(int sim_status, int endpoint_status)
{
	unsigned sim = (unsigned)(sim_status + 1), endpoint = (unsigned)(endpoint_status + 1);
	if (sim >= PAIR_SIM_VALUES || endpoint >= PAIR_ENDPOINT_VALUES)
		return PAIR_UNKNOWN;
	return sim * PAIR_ENDPOINT_VALUES + endpoint;
}

/* The words a status field accepts, each with the pairs it selects. */
struct choice {
	const char *word;
	uint32_t pairs;
};

enum choice_set { CHOICES_SIM, CHOICES_ENDPOINT, CHOICES_ALIGN };

#define CHOICES_MAX 8

static const char *const sim_words[] = {
	[SIM_ISSUED] = "issued", [SIM_ACTIVATED] = "activated", [SIM_SUSPENDED] = "suspended",
	[SIM_DELETED] = "deleted", [SIM_FACTORY_TEST] = "factory test",
};
static const char *const endpoint_words[] = {
	[ENDPOINT_ENABLED] = "enabled", [ENDPOINT_DISABLED] = "disabled", [ENDPOINT_DELETED] = "deleted",
};

struct choice_list {
	const char *what;  /* for messages */
	struct choice choices[CHOICES_MAX];
	size_t count;
};

static void add_choice(struct choice_list *list, const char *word, uint32_t pairs)
{
	list->choices[list->count].word = word;
	list->choices[list->count].pairs = pairs;
	list->count++;
}

/* The pairs with this SIM status (SIM_NONE included), whatever the endpoint's. */
static uint32_t pairs_with_sim(int sim)
{
	uint32_t pairs = 0;
	for (int endpoint = ENDPOINT_NONE; endpoint < ENDPOINT_STATUS_COUNT; endpoint++)
		pairs |= UINT32_C(1) << pair_of(sim, endpoint);
	return pairs;
}

static uint32_t pairs_with_endpoint(int endpoint)
{
	uint32_t pairs = 0;
	for (int sim = SIM_NONE; sim < SIM_STATUS_COUNT; sim++)
		pairs |= UINT32_C(1) << pair_of(sim, endpoint);
	return pairs;
}

/* The three choice lists, in the order messages list them. Alignments come from model.h, so
 * the filter follows its table. */
static void build_choices(enum choice_set set, struct choice_list *list)
{
	list->count = 0;
	switch (set) {
	case CHOICES_SIM:
		list->what = "SIM status";
		for (int sim = 0; sim < SIM_STATUS_COUNT; sim++)
			add_choice(list, sim_words[sim], pairs_with_sim(sim));
		add_choice(list, "none", pairs_with_sim(SIM_NONE));
		break;
	case CHOICES_ENDPOINT:
		list->what = "endpoint status";
		for (int endpoint = 0; endpoint < ENDPOINT_STATUS_COUNT; endpoint++)
			add_choice(list, endpoint_words[endpoint], pairs_with_endpoint(endpoint));
		add_choice(list, "none", pairs_with_endpoint(ENDPOINT_NONE));
		break;
	case CHOICES_ALIGN:
		list->what = "alignment";
		for (int alignment = 0; alignment < ALIGN_COUNT; alignment++) {
			/* The words of model_alignment_label(), in the order the man page lists them:
			 * billed before misaligned, which takes the billed devices in too. */
			uint32_t pairs = 0, billed = 0;
			for (int sim = SIM_NONE; sim < SIM_STATUS_COUNT; sim++)
				for (int endpoint = ENDPOINT_NONE; endpoint < ENDPOINT_STATUS_COUNT; endpoint++) {
					if ((int)model_alignment(sim, endpoint) != alignment)
						continue;
					pairs |= UINT32_C(1) << pair_of(sim, endpoint);
					if (model_alignment_billed(sim, endpoint))
						billed |= UINT32_C(1) << pair_of(sim, endpoint);
				}
			if (billed)
				add_choice(list, MODEL_BILLED_WORD, billed);
			add_choice(list, model_alignment_word((enum alignment)alignment), pairs);
		}
		break;
	}
}

/* --- fields ------------------------------------------------------------------------------ */

enum field_kind {
	KIND_WORD,     /* no field: any text field */
	KIND_STATUS,   /* sim, ep, align */
	KIND_TEXT,     /* one text field */
	KIND_TAG,
	KIND_ID,
	KIND_CONN,     /* live: connectivity */
	KIND_DATA,     /* live: this month's data volume */
};

static const struct field {
	const char *name;
	enum field_kind kind;
	int which;     /* enum choice_set or enum device_text */
} fields[] = {
	{ "sim", KIND_STATUS, CHOICES_SIM },
	{ "ep", KIND_STATUS, CHOICES_ENDPOINT },
	{ "endpoint", KIND_STATUS, CHOICES_ENDPOINT },
	{ "align", KIND_STATUS, CHOICES_ALIGN },
	{ "name", KIND_TEXT, TEXT_NAME },
	{ "iccid", KIND_TEXT, TEXT_ICCID },
	{ "imsi", KIND_TEXT, TEXT_IMSI },
	{ "msisdn", KIND_TEXT, TEXT_MSISDN },
	{ "imei", KIND_TEXT, TEXT_IMEI },
	{ "ip", KIND_TEXT, TEXT_IP },
	{ "tag", KIND_TAG, TEXT_TAGS },
	{ "id", KIND_ID, 0 },
	{ "conn", KIND_CONN, 0 },
	{ "data", KIND_DATA, 0 },
};

#define FIELD_NAMES "sim, ep, align, name, iccid, imsi, msisdn, imei, ip, tag, id, conn, data"

/* --- the compiled filter ------------------------------------------------------------------ */

enum needle_kind {
	NEEDLE_TEXT,   /* substring (text fields, words) or whole tag */
	NEEDLE_EMPTY,  /* the field is empty */
	NEEDLE_ANY,    /* an empty word: matches anything */
	NEEDLE_REGEX,
	NEEDLE_ID,
	NEEDLE_CONNECTIVITY,  /* one of the connectivity states in states */
	NEEDLE_NUMBER,        /* a comparison with number */
};

/* How a data: value compares. */
enum compare { COMPARE_EQUAL, COMPARE_LESS, COMPARE_LESS_EQUAL, COMPARE_GREATER, COMPARE_GREATER_EQUAL };

struct needle {
	enum needle_kind kind;
	char *text;      /* lower-cased (ASCII) */
	size_t length;
	uint64_t first_bytes; /* the first byte in every byte */
	uint64_t case_bits;   /* 0x20 in every byte when the first byte is a letter */
	uint64_t second_bytes, second_case_bits;  /* the same for the second byte (NUL if none) */
	uint64_t head, head_mask; /* the first 8 bytes (fewer: the mask keeps only those) */
	uint64_t trigrams[FLEET_TRIGRAM_WORDS];  /* fleet_add_trigrams() of the text */
	bool numeric;    /* only digits and dots: may match a field the fleet marks numeric */
	regex_t regex;
	int64_t id;
	unsigned states;     /* NEEDLE_CONNECTIVITY: bit (1 << enum connectivity) per state */
	enum compare compare;
	double number;       /* NEEDLE_NUMBER */
};

struct term {
	enum field_kind kind;
	int field;       /* enum device_text for KIND_TEXT */
	bool negate;
	int cost;        /* cheap terms are tried first */
	struct needle *needles;  /* OR of these */
	size_t count;
};

struct filter {
	uint32_t pairs;  /* AND of every status term; UINT32_MAX when there is none */
	unsigned live_kinds; /* LIVE_* bits its conn: and data: terms read */
	struct term *terms;
	size_t count;
	size_t capacity;
};


/* --- matching ----------------------------------------------------------------------------- */

#define BYTES_01 UINT64_C(0x0101010101010101)
#define BYTES_20 UINT64_C(0x2020202020202020)
#define BYTES_80 UINT64_C(0x8080808080808080)

static bool equal_folded(const unsigned char *text, const struct needle *needle)
{
	const unsigned char *want = (const unsigned char *)needle->text;
	for (size_t i = 0; i < needle->length; i++)
		if (text_fold(text[i]) != want[i])
			return false;
	return true;
}

/* The zero bytes of a word, as its bytes' high bits: the lowest one flagged is exact, and so
 * is every zero byte; a 0x01 byte above a zero may be flagged too. */
static inline uint64_t zero_bytes(uint64_t word)
{
	return (word - BYTES_01) & ~word & BYTES_80;
}

/* 8 bytes of text, the first in the lowest bits whatever the machine's byte order. */
static inline uint64_t load_word(const unsigned char *text)
{
	uint64_t word;
	memcpy(&word, text, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	word = __builtin_bswap64(word);
#endif
	return word;
}

/* text_fold() on 8 bytes at once: each byte 'A'..'Z' gets 0x20 added. */
static inline uint64_t fold_word(uint64_t word)
{
	uint64_t low = word & ~BYTES_80;
	uint64_t from_a = low + BYTES_01 * (0x80 - 'A');     /* high bit: at least 'A' */
	uint64_t past_z = low + BYTES_01 * (0x80 - 'Z' - 1); /* high bit: past 'Z' */
	uint64_t upper = from_a & ~past_z & ~word & BYTES_80;
	return word | upper >> 2;
}

/* Whether the needle is at text, which has at least 8 readable bytes. */
static bool needle_at(const unsigned char *text, const struct needle *needle)
{
	if ((fold_word(load_word(text)) ^ needle->head) & needle->head_mask)
		return false;
	/* The first 8 bytes matched, so none of them was the NUL. */
	for (size_t i = 8; i < needle->length; i++)
		if (text_fold(text[i]) != (unsigned char)needle->text[i])
			return false;
	return true;
}

/* Case-insensitive substring; the needle is lower-case and not empty; haystack is a text of
 * the fleet (fleet.h: FLEET_TEXT_SLACK readable bytes past its NUL). Reads 8 bytes at a time
 * and compares the whole needle only where its first two bytes are (OR 0x20 folds a letter's
 * two cases together and nothing else onto a letter): a word search is most of the time of a
 * filter at a million devices, and in fields of digits one digit alone is found everywhere. */
static inline bool contains(const char *haystack, const struct needle *needle)
{
	const unsigned char *text = (const unsigned char *)haystack;
	for (size_t at = 0;; at += 8) {
		uint64_t word = load_word(text + at);
		uint64_t end = zero_bytes(word);
		uint64_t starts = zero_bytes((word | needle->case_bits) ^ needle->first_bytes);
		if (needle->length > 1 && starts) {
			uint64_t next = load_word(text + at + 1);  /* no further than 8 past the NUL */
			starts &= zero_bytes((next | needle->second_case_bits) ^ needle->second_bytes);
		}
		if (end)
			starts &= (end & -end) - 1;  /* only before the text's end */
		for (; starts; starts &= starts - 1)
			if (needle_at(text + at + (size_t)__builtin_ctzll(starts) / 8, needle))
				return true;
		if (end)
			return false;
	}
}

/* Match a regex against length bytes at text, which need not end there. */
static bool regex_on(const regex_t *regex, const char *text, size_t length)
{
#ifdef REG_STARTEND
	regmatch_t range = { .rm_so = 0, .rm_eo = (regoff_t)length };
	return regexec(regex, text, 1, &range, REG_STARTEND) == 0;
#else
	char copy[1024];
	if (length >= sizeof(copy))
		length = sizeof(copy) - 1;
	memcpy(copy, text, length);
	copy[length] = '\0';
	return regexec(regex, copy, 0, NULL, 0) == 0;
#endif
}

static bool text_matches(const char *text, const struct needle *needle)
{
	switch (needle->kind) {
	case NEEDLE_TEXT:
		return contains(text, needle);
	case NEEDLE_EMPTY:
		return *text == '\0';
	case NEEDLE_ANY:
		return true;
	case NEEDLE_REGEX:
		return regexec(&needle->regex, text, 0, NULL, 0) == 0;
	case NEEDLE_ID:
	case NEEDLE_CONNECTIVITY:
	case NEEDLE_NUMBER:
		return false;
	}
	return false;
}

/* Tags are one comma-separated string; a needle matches one tag, trimmed. */
static bool tags_match(const char *tags, const struct needle *needle)
{
	bool any = false;
	const char *at = tags;
	for (;;) {
		const char *end = strchr(at, ',');
		if (!end)
			end = at + strlen(at);
		const char *start = at;
		while (start < end && util_is_blank((unsigned char)*start))
			start++;
		const char *stop = end;
		while (stop > start && util_is_blank((unsigned char)stop[-1]))
			stop--;
		size_t length = (size_t)(stop - start);
		if (length > 0) {
			any = true;
			if (needle->kind == NEEDLE_TEXT && length == needle->length) {
				if (equal_folded((const unsigned char *)start, needle))
					return true;
			} else if (needle->kind == NEEDLE_REGEX && regex_on(&needle->regex, start, length)) {
				return true;
			}
		}
		if (!*end)
			break;
		at = end + 1;
	}
	if (needle->kind == NEEDLE_EMPTY)
		return !any;
	return needle->kind == NEEDLE_ANY;
}

/* The text fields of a device a word (NEEDLE_TEXT) must read: those with text, and of those
 * not the numeric ones for a word that has a character other than a digit or a dot. */
static unsigned fields_to_read(const struct device *device, const struct needle *needle)
{
	unsigned wanted = 0;
	if (!needle->numeric)
		return ~(unsigned)device->numeric_text & ((1u << TEXT_COUNT) - 1);
	for (int field = 0; field < TEXT_COUNT; field++)
		if (device->text[field] != 0)
			wanted |= 1u << field;
	return wanted;
}

/* False when a trigram of the needle is in no text field of the device (fleet.h:
 * device.trigrams), so that the needle cannot be in any. A needle of one or two bytes has
 * none and is always looked for. */
static bool trigrams_present(const struct device *device, const struct needle *needle)
{
	uint64_t missing = 0;
	for (int i = 0; i < FLEET_TRIGRAM_WORDS; i++)
		missing |= needle->trigrams[i] & ~device->trigrams[i];
	return missing == 0;
}

/* A bare word, on any text field. */
static bool word_matches(const struct fleet *fleet, const struct device *device, const struct needle *needle)
{
	if (needle->kind == NEEDLE_ANY)
		return true;
	if (!trigrams_present(device, needle))
		return false;
	if (needle->kind == NEEDLE_TEXT) {
		for (unsigned wanted = fields_to_read(device, needle); wanted; wanted &= wanted - 1)
			if (contains(fleet_text(fleet, device, (enum device_text)__builtin_ctz(wanted)), needle))
				return true;
		return false;
	}
	/* A regex may match "": it reads every field. */
	for (int field = 0; field < TEXT_COUNT; field++)
		if (text_matches(fleet_text(fleet, device, (enum device_text)field), needle))
			return true;
	return false;
}

static bool term_matches(const struct term *term, const struct fleet *fleet, const struct device *device)
{
	for (size_t n = 0; n < term->count; n++) {
		const struct needle *needle = &term->needles[n];
		switch (term->kind) {
		case KIND_WORD:
			if (word_matches(fleet, device, needle))
				return true;
			break;
		case KIND_TEXT:
			if (trigrams_present(device, needle) && text_matches(fleet_text(fleet, device, (enum device_text)term->field), needle))
				return true;
			break;
		case KIND_TAG:
			if (tags_match(fleet_text(fleet, device, TEXT_TAGS), needle))
				return true;
			break;
		case KIND_ID:
			if (device->sim_id == needle->id || device->endpoint_id == needle->id)
				return true;
			break;
		case KIND_STATUS:
		case KIND_CONN:
		case KIND_DATA:
			break;
		}
	}
	return false;
}

static bool is_live(const struct term *term)
{
	return term->kind == KIND_CONN || term->kind == KIND_DATA;
}

/* Whether the half of the live state a conn: or data: term reads was read. */
static bool live_known(const struct term *term, const struct live_state *state)
{
	if (!state)
		return false;
	return term->kind == KIND_CONN ? state->connectivity_read_at != 0 : state->usage_read_at != 0;
}

static bool compare_number(const struct needle *needle, double value)
{
	switch (needle->compare) {
	case COMPARE_EQUAL: return value == needle->number;
	case COMPARE_LESS: return value < needle->number;
	case COMPARE_LESS_EQUAL: return value <= needle->number;
	case COMPARE_GREATER: return value > needle->number;
	case COMPARE_GREATER_EQUAL: return value >= needle->number;
	}
	return false;
}

/* A conn: or data: term over a known state. */
static bool live_matches(const struct term *term, const struct live_state *state)
{
	for (size_t n = 0; n < term->count; n++) {
		const struct needle *needle = &term->needles[n];
		if (term->kind == KIND_CONN ? (needle->states >> state->connectivity & 1)
					    : compare_number(needle, state->data_month_mb))
			return true;
	}
	return false;
}

bool filter_match(const struct filter *filter, const struct fleet *fleet, const struct live *live,
		  const struct device *device, bool *unknown)
{
	if (unknown)
		*unknown = false;
	if (!filter)
		return true;
	unsigned pair = pair_of(device->sim_status, device->endpoint_status);
	if (!(filter->pairs >> pair & 1))
		return false;
	const struct live_state *state = NULL;
	bool looked = false, missing = false;
	for (size_t t = 0; t < filter->count; t++) {
		const struct term *term = &filter->terms[t];
		if (!is_live(term)) {
			if (term_matches(term, fleet, device) == term->negate)
				return false;
			continue;
		}
		/* Without an endpoint there is no live state to read: nothing to know. */
		if (!device->endpoint_id)
			return false;
		if (!looked) {
			state = live_find(live, device->endpoint_id);
			looked = true;
		}
		if (!live_known(term, state))
			missing = true;
		else if (live_matches(term, state) == term->negate)
			return false;
	}
	if (missing && unknown)
		*unknown = true;
	return !missing;
}

/* One share of the fleet, matched by one thread: the shown devices in a range of indexes. */
struct match_share {
	const struct filter *filter;
	const struct fleet *fleet;
	const struct live *live;
	size_t from, to;        /* device indexes; from is a multiple of 64, and to unless last */
	const uint64_t *shown;  /* bit per device: in the rows */
	uint64_t *matched;      /* bit per device, shared; a share writes only its own words */
	uint64_t *unknown;      /* the same for the devices whose live state is missing */
};

static void *match_share(void *argument)
{
	const struct match_share *share = argument;
	for (size_t word = share->from / 64; word * 64 < share->to; word++) {
		for (uint64_t bits = share->shown[word]; bits; bits &= bits - 1) {
			size_t device = word * 64 + (size_t)__builtin_ctzll(bits);
			bool unknown;
			if (filter_match(share->filter, share->fleet, share->live, fleet_device(share->fleet, device),
					 &unknown))
				share->matched[word] |= UINT64_C(1) << (device % 64);
			else if (unknown)
				share->unknown[word] |= UINT64_C(1) << (device % 64);
		}
	}
	return NULL;
}

/* Match the shown devices in the order they lie in memory, split among the processors when
 * there are many: rows in a sorted order would visit devices and their strings at random,
 * several times slower at a million devices. */
static void match_shown(const struct filter *filter, const struct fleet *fleet, const struct live *live,
			size_t rows, const uint64_t *shown, uint64_t *matched, uint64_t *unknown)
{
	enum { SHARES_MAX = 8, SHARE_MIN = 65536 };
	size_t devices = fleet_count(fleet);
	long processors = sysconf(_SC_NPROCESSORS_ONLN);
	size_t shares = processors > 1 ? (size_t)processors : 1;
	if (shares > SHARES_MAX)
		shares = SHARES_MAX;
	if (shares > rows / SHARE_MIN)
		shares = rows / SHARE_MIN > 0 ? rows / SHARE_MIN : 1;
	size_t step = (devices / shares + 63) / 64 * 64;

	struct match_share share[SHARES_MAX];
	pthread_t thread[SHARES_MAX];
	bool started[SHARES_MAX] = { false };
	for (size_t i = 0; i < shares; i++) {
		size_t from = i * step < devices ? i * step : devices;
		share[i] = (struct match_share){
			.filter = filter, .fleet = fleet, .live = live, .shown = shown, .matched = matched,
			.unknown = unknown, .from = from,
			.to = i + 1 == shares || from + step > devices ? devices : from + step,
		};
		/* The caller takes the first share; a thread that cannot start leaves its share to
		 * the caller too. */
		if (i > 0)
			started[i] = pthread_create(&thread[i], NULL, match_share, &share[i]) == 0;
	}
	for (size_t i = 0; i < shares; i++)
		if (!started[i])
			match_share(&share[i]);
	for (size_t i = 1; i < shares; i++)
		if (started[i])
			pthread_join(thread[i], NULL);
}

static bool bit_set(const uint64_t *bits, size_t index)
{
	return bits[index / 64] >> (index % 64) & 1;
}

void filter_rows(const struct filter *filter, const struct fleet *fleet, const struct live *live,
		 struct rows *rows, struct rows *unknown)
{
	if (unknown)
		unknown->count = 0;
	if (!filter || filter_is_empty(filter))
		return;
	size_t devices = fleet_count(fleet), words = devices / 64 + 1;
	uint64_t *shown = xcalloc(words, sizeof(*shown));
	uint64_t *matched = xcalloc(words, sizeof(*matched));
	uint64_t *missing = xcalloc(words, sizeof(*missing));
	for (size_t i = 0; i < rows->count; i++)
		if (rows->index[i] < devices)
			shown[rows->index[i] / 64] |= UINT64_C(1) << (rows->index[i] % 64);
	match_shown(filter, fleet, live, rows->count, shown, matched, missing);
	size_t kept = 0;
	for (size_t i = 0; i < rows->count; i++) {
		size_t device = rows->index[i];
		if (device >= devices)
			continue;
		if (bit_set(matched, device)) {
			rows->index[kept++] = device;
		} else if (unknown && bit_set(missing, device)) {
			unknown->index = xgrow(unknown->index, &unknown->capacity, unknown->count + 1,
					       sizeof(*unknown->index));
			unknown->index[unknown->count++] = device;
		}
	}
	rows->count = kept;
	free(missing);
	free(matched);
	free(shown);
}

unsigned filter_live_kinds(const struct filter *filter)
{
	return filter ? filter->live_kinds : 0;
}

bool filter_is_empty(const struct filter *filter)
{
	return !filter || (filter->count == 0 && filter->pairs == UINT32_MAX);
}

static void free_needle(struct needle *needle)
{
	if (needle->kind == NEEDLE_REGEX)
		regfree(&needle->regex);
	free(needle->text);
}

static void free_term(struct term *term)
{
	for (size_t n = 0; n < term->count; n++)
		free_needle(&term->needles[n]);
	free(term->needles);
}

void filter_free(struct filter *filter)
{
	if (!filter)
		return;
	for (size_t t = 0; t < filter->count; t++)
		free_term(&filter->terms[t]);
	free(filter->terms);
	free(filter);
}

/* --- parsing ------------------------------------------------------------------------------ */

/* One alternative of a value, decoded: quotes removed, escapes resolved. */
struct piece {
	char *text;
	size_t length;
	size_t offset;   /* byte offset of its first character in the query */
	bool regex;      /* starts with an unquoted ~ (offset points at it) */
};

struct parser {
	const char *query;
	size_t at;
	char *message;
	size_t size;
	int *column;
	struct piece *pieces;
	size_t piece_count;
	size_t piece_capacity;
	char *buffer;    /* the piece being decoded */
	size_t length;
	size_t capacity;
};

/* Characters, not bytes, so the column matches what the user typed. */
static int column_of(const char *query, size_t offset)
{
	int column = 1;
	for (size_t i = 0; i < offset && query[i]; i++)
		if (((unsigned char)query[i] & 0xc0) != 0x80)
			column++;
	return column;
}

static bool fail(struct parser *parser, size_t offset, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(struct parser *parser, size_t offset, const char *format, ...)
{
	if (parser->message && parser->size) {
		va_list args;
		va_start(args, format);
		vsnprintf(parser->message, parser->size, format, args);
		va_end(args);
	}
	if (parser->column)
		*parser->column = column_of(parser->query, offset);
	return false;
}

/* A piece of the query for a message: cleaned and kept short. */
static const char *quote(char *out, size_t size, const char *text, size_t length)
{
	char raw[48];
	if (length >= sizeof(raw))
		length = sizeof(raw) - 1;
	memcpy(raw, text, length);
	raw[length] = '\0';
	text_clean_buffer(out, size, raw);
	return out;
}

static void append(struct parser *parser, char c)
{
	parser->buffer = xgrow(parser->buffer, &parser->capacity, parser->length + 1, 1);
	parser->buffer[parser->length++] = c;
}

static void end_piece(struct parser *parser, size_t offset, bool regex)
{
	parser->pieces = xgrow(parser->pieces, &parser->piece_capacity, parser->piece_count + 1,
			       sizeof(*parser->pieces));
	struct piece *piece = &parser->pieces[parser->piece_count++];
	piece->text = xstrndup(parser->buffer ? parser->buffer : "", parser->length);
	piece->length = parser->length;
	piece->offset = offset;
	piece->regex = regex;
	parser->length = 0;
}

static void clear_pieces(struct parser *parser)
{
	for (size_t i = 0; i < parser->piece_count; i++)
		free(parser->pieces[i].text);
	parser->piece_count = 0;
}

/* Decode the value at parser->at up to the next unquoted blank into pieces, split at unquoted
 * commas. A piece that starts with an unquoted ~ is a regex and takes the rest of the value. */
static bool read_value(struct parser *parser)
{
	const char *query = parser->query;
	size_t piece_offset = parser->at;
	bool regex = false, quoted = false;
	size_t quote_offset = 0;
	for (;;) {
		unsigned char c = (unsigned char)query[parser->at];
		if (c == '\0') {
			if (quoted)
				return fail(parser, quote_offset, "unterminated quote");
			break;
		}
		if (quoted) {
			if (c == '"') {
				quoted = false;
			} else if (c == '\\' && (query[parser->at + 1] == '"' || query[parser->at + 1] == '\\')) {
				append(parser, query[++parser->at]);
			} else {
				append(parser, (char)c);
			}
			parser->at++;
			continue;
		}
		if (util_is_blank(c))
			break;
		if (c == '"') {
			quoted = true;
			quote_offset = parser->at++;
			continue;
		}
		if (c == ',' && !regex) {
			end_piece(parser, piece_offset, false);
			piece_offset = ++parser->at;
			continue;
		}
		if (c == '~' && !regex && parser->at == piece_offset) {
			regex = true;
			parser->at++;
			continue;
		}
		append(parser, (char)c);
		parser->at++;
	}
	end_piece(parser, piece_offset, regex);
	return true;
}

/* Above this, a regex is refused: glibc's regcomp() copies a repeated expression once per
 * repetition ((a+)+ doubles, a{100} is a hundred copies) and regexec() slows down with the
 * copies, so a short pattern can ask for gigabytes or minutes. Real filters stay far below. */
#define REGEX_COST_MAX 1000
#define REGEX_DEPTH_MAX 64

static size_t saturate(size_t value)
{
	return value > REGEX_COST_MAX ? REGEX_COST_MAX + 1 : value;
}

/* A bound {n}, {n,} or {n,m} at text; its largest count of copies, 0 when it is no bound. */
static size_t bound_copies(const char *text, size_t *length)
{
	size_t at = 1, low = 0, high = 0;
	bool comma = false, digits = false;
	for (; text[at] >= '0' && text[at] <= '9'; at++, digits = true)
		low = saturate(low * 10 + (size_t)(text[at] - '0'));
	if (text[at] == ',') {
		comma = true;
		for (at++; text[at] >= '0' && text[at] <= '9'; at++)
			high = saturate(high * 10 + (size_t)(text[at] - '0'));
	}
	if (!digits || text[at] != '}')
		return 0;
	*length = at + 1;
	/* a{n,} is n copies and a star. */
	size_t copies = comma ? (high ? high : low + 1) : low;
	return copies ? copies : 1;
}

/* Length of the bracket expression at text, "[...]": one node, whatever it holds ("[]a]",
 * "[^]a]", "[[:alpha:])]"). */
static size_t bracket_length(const char *text)
{
	size_t at = 1;
	if (text[at] == '^')
		at++;
	if (text[at] == ']')
		at++;
	while (text[at] && text[at] != ']') {
		char kind = text[at + 1];
		if (text[at] == '[' && (kind == ':' || kind == '.' || kind == '=')) {
			size_t end = at + 2;
			while (text[end] && !(text[end] == kind && text[end + 1] == ']'))
				end++;
			if (text[end]) {
				at = end + 2;
				continue;
			}
		}
		at++;
	}
	return text[at] ? at + 1 : at;
}

/* Why a regex would be too costly to compile or run, or NULL. Its cost is roughly how many
 * nodes regcomp() builds. Adjacent repetitions (a+*, a{2}?) are undefined in POSIX and make
 * glibc's matcher take seconds, so they are refused outright. */
static const char *regex_problem(const char *text)
{
	size_t total[REGEX_DEPTH_MAX] = { 0 }, last[REGEX_DEPTH_MAX] = { 0 };
	size_t depth = 0;
	bool repeated = false;  /* the previous token was a repetition */
	for (size_t at = 0; text[at];) {
		char c = text[at];
		size_t length = 1, copies = 0;
		bool repetition = c == '*' || c == '+' || c == '?' ||
				  (c == '{' && (copies = bound_copies(text + at, &length)) > 0);
		if (repetition && repeated)
			return "a repetition of a repetition (such as +* or {2}?) in a regular expression";
		if (c == '(' && depth + 1 < REGEX_DEPTH_MAX) {
			depth++;
			total[depth] = last[depth] = 0;
		} else if (c == ')' && depth > 0) {
			size_t group = total[depth--] + 1;
			last[depth] = group;
			total[depth] = saturate(total[depth] + group);
		} else if (c == '|') {
			last[depth] = 0;
		} else if (c == '+') {
			total[depth] = saturate(total[depth] + last[depth]);
			last[depth] = saturate(last[depth] * 2);
		} else if (copies > 0) {
			total[depth] = saturate(total[depth] + saturate(last[depth] * (copies - 1)));
			last[depth] = saturate(last[depth] * copies);
		} else if (!repetition) {
			if (c == '\\' && text[at + 1])
				length = 2;
			else if (c == '[')
				length = bracket_length(text + at);
			last[depth] = 1;
			total[depth] = saturate(total[depth] + 1);
		}
		repeated = repetition;
		if (total[depth] > REGEX_COST_MAX)
			return "regular expression too complex (too many repetitions)";
		at += length;
	}
	size_t sum = 0;
	for (size_t level = 0; level <= depth; level++)
		sum = saturate(sum + total[level]);
	return sum > REGEX_COST_MAX ? "regular expression too complex (too many repetitions)" : NULL;
}

static bool compile_regex(struct parser *parser, const struct piece *piece, regex_t *regex)
{
	if (piece->length == 0)
		return fail(parser, piece->offset, "empty regular expression after '~'");
	const char *problem = regex_problem(piece->text);
	if (problem)
		return fail(parser, piece->offset, "%s", problem);
	int error = regcomp(regex, piece->text, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (error != 0) {
		char reason[128];
		regerror(error, regex, reason, sizeof(reason));
		regfree(regex);
		return fail(parser, piece->offset, "bad regular expression: %s", reason);
	}
	return true;
}

/* Status words compare case-insensitively with _ and - standing for a blank. */
static bool word_prefix(const char *word, const char *value, bool *exact)
{
	size_t i = 0;
	for (; value[i]; i++) {
		unsigned char c = (unsigned char)value[i];
		if (c == '_' || c == '-')
			c = ' ';
		if (!word[i] || text_fold(c) != (unsigned char)word[i])
			return false;
	}
	*exact = word[i] == '\0';
	return true;
}

static void list_words(char *out, size_t size, const struct choice_list *list, const bool *only)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < list->count; i++) {
		if (only && !only[i])
			continue;
		int written = snprintf(out + used, size - used, "%s%s", used ? ", " : "", list->choices[i].word);
		if (written < 0 || (size_t)written >= size - used)
			return;
		used += (size_t)written;
	}
}

static bool status_pairs(struct parser *parser, const struct field *field, size_t field_offset,
			 const struct piece *piece, uint32_t *pairs)
{
	struct choice_list list;
	build_choices((enum choice_set)field->which, &list);
	char words[160];
	if (piece->regex) {
		regex_t regex;
		if (!compile_regex(parser, piece, &regex))
			return false;
		for (size_t i = 0; i < list.count; i++)
			if (regexec(&regex, list.choices[i].word, 0, NULL, 0) == 0)
				*pairs |= list.choices[i].pairs;
		regfree(&regex);
		return true;
	}
	if (piece->length == 0) {
		list_words(words, sizeof(words), &list, NULL);
		return fail(parser, field_offset, "%s: missing %s; one of: %s", field->name, list.what, words);
	}
	bool matching[CHOICES_MAX] = { false };
	size_t found = 0, last = 0;
	for (size_t i = 0; i < list.count; i++) {
		bool exact = false;
		if (!word_prefix(list.choices[i].word, piece->text, &exact))
			continue;
		if (exact) {
			*pairs |= list.choices[i].pairs;
			return true;
		}
		matching[i] = true;
		found++;
		last = i;
	}
	char shown[64];
	if (found == 0) {
		list_words(words, sizeof(words), &list, NULL);
		return fail(parser, piece->offset, "unknown %s \"%s\"; one of: %s", list.what,
			    quote(shown, sizeof(shown), piece->text, piece->length), words);
	}
	if (found > 1) {
		list_words(words, sizeof(words), &list, matching);
		return fail(parser, piece->offset, "%s \"%s\" is ambiguous: %s", list.what,
			    quote(shown, sizeof(shown), piece->text, piece->length), words);
	}
	*pairs |= list.choices[last].pairs;
	return true;
}

/* conn: one state, cut to a unique prefix, or a regex over the state words. "session" (the
 * screen's word for a data session) stands for online. */
static bool connectivity_needle(struct parser *parser, const struct piece *piece, struct needle *needle)
{
	static const struct { const char *word; enum connectivity state; } words[] = {
		{ "online", CONNECTIVITY_ONLINE }, { "session", CONNECTIVITY_ONLINE },
		{ "attached", CONNECTIVITY_ATTACHED }, { "offline", CONNECTIVITY_OFFLINE },
		{ "blocked", CONNECTIVITY_BLOCKED },
	};
	const char *choices = "online (or session), attached, offline, blocked";
	char shown[64];
	regex_t regex;
	if (piece->regex && !compile_regex(parser, piece, &regex))
		return false;
	size_t found = 0;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		bool exact = false;
		if (piece->regex ? regexec(&regex, words[i].word, 0, NULL, 0) != 0 : !word_prefix(words[i].word, piece->text, &exact))
			continue;
		if (exact) {
			needle->states = 1u << words[i].state;
			found = 1;
			break;
		}
		found += !(needle->states >> words[i].state & 1);
		needle->states |= 1u << words[i].state;
	}
	if (piece->regex) {
		regfree(&regex);
		if (needle->states == 0)
			return fail(parser, piece->offset, "conn: the regular expression matches no state; the states: %s",
				    choices);
	} else if (piece->length == 0)
		return fail(parser, piece->offset, "conn: missing state; one of: %s", choices);
	else if (found == 0)
		return fail(parser, piece->offset, "unknown connectivity \"%s\"; one of: %s",
			    quote(shown, sizeof(shown), piece->text, piece->length), choices);
	else if (found > 1)
		return fail(parser, piece->offset, "connectivity \"%s\" is ambiguous; one of: %s",
			    quote(shown, sizeof(shown), piece->text, piece->length), choices);
	needle->kind = NEEDLE_CONNECTIVITY;
	return true;
}

/* data: a number of MB, after <, <=, >, >= or = (equal without one). */
static bool number_needle(struct parser *parser, const struct piece *piece, struct needle *needle)
{
	static const struct { const char *sign; enum compare compare; } signs[] = {
		{ "<=", COMPARE_LESS_EQUAL }, { ">=", COMPARE_GREATER_EQUAL }, { "<", COMPARE_LESS },
		{ ">", COMPARE_GREATER }, { "=", COMPARE_EQUAL },
	};
	const char *text = piece->text;
	needle->compare = COMPARE_EQUAL;
	for (size_t i = 0; i < ARRAY_SIZE(signs); i++) {
		if (strncmp(text, signs[i].sign, strlen(signs[i].sign)) == 0) {
			needle->compare = signs[i].compare;
			text += strlen(signs[i].sign);
			break;
		}
	}
	char *end = NULL;
	needle->number = strtod(text, &end);
	if (piece->regex || !*text || *end || !(needle->number >= 0) || needle->number > 1e15) {
		char shown[64];
		return fail(parser, piece->offset,
			    "data: \"%s\" is not MB this month; e.g. data:0, data:<1, data:>=100",
			    quote(shown, sizeof(shown), piece->text, piece->length));
	}
	needle->kind = NEEDLE_NUMBER;
	return true;
}

static bool make_needle(struct parser *parser, struct term *term, struct piece *piece, struct needle *needle)
{
	memset(needle, 0, sizeof(*needle));
	if (term->kind == KIND_CONN)
		return connectivity_needle(parser, piece, needle);
	if (term->kind == KIND_DATA)
		return number_needle(parser, piece, needle);
	if (term->kind == KIND_ID) {
		if (piece->regex || !util_parse_int64(piece->text, &needle->id) || needle->id <= 0) {
			char shown[64];
			return fail(parser, piece->offset, "id: \"%s\" is not an id (a positive number)",
				    quote(shown, sizeof(shown), piece->text, piece->length));
		}
		needle->kind = NEEDLE_ID;
		return true;
	}
	if (piece->regex) {
		if (!compile_regex(parser, piece, &needle->regex))
			return false;
		needle->kind = NEEDLE_REGEX;
		return true;
	}
	char *text = piece->text;
	size_t length = piece->length;
	if (term->kind == KIND_TAG) {
		/* Tags compare trimmed. */
		while (length && util_is_blank((unsigned char)text[length - 1]))
			text[--length] = '\0';
		size_t skip = 0;
		while (skip < length && util_is_blank((unsigned char)text[skip]))
			skip++;
		memmove(text, text + skip, length - skip + 1);
		length -= skip;
	}
	if (length == 0) {
		needle->kind = term->kind == KIND_WORD ? NEEDLE_ANY : NEEDLE_EMPTY;
		return true;
	}
	for (size_t i = 0; i < length; i++)
		text[i] = (char)text_fold((unsigned char)text[i]);
	needle->kind = NEEDLE_TEXT;
	needle->text = text;
	needle->length = length;
	needle->first_bytes = BYTES_01 * (unsigned char)text[0];
	needle->case_bits = text[0] >= 'a' && text[0] <= 'z' ? BYTES_20 : 0;
	needle->second_bytes = BYTES_01 * (unsigned char)text[1];  /* the NUL when length is 1 */
	needle->second_case_bits = text[1] >= 'a' && text[1] <= 'z' ? BYTES_20 : 0;
	unsigned char head[8] = { 0 };
	memcpy(head, text, length < 8 ? length : 8);
	needle->head = load_word(head);
	needle->head_mask = length < 8 ? (UINT64_C(1) << (8 * length)) - 1 : UINT64_MAX;
	fleet_add_trigrams(text, needle->trigrams);
	needle->numeric = strspn(text, "0123456789.") == length;
	piece->text = NULL;  /* the needle owns it now */
	return true;
}

static int term_cost(const struct term *term)
{
	int cost = term->kind == KIND_ID ? 0 : term->kind == KIND_TEXT ? 1 : term->kind == KIND_TAG ? 2 : 3;
	for (size_t n = 0; n < term->count; n++)
		if (term->needles[n].kind == NEEDLE_REGEX)
			return cost + 4;
	return cost;
}

/* Parse one term at parser->at (not blank, not the end). */
static bool parse_term(struct parser *parser, struct filter *filter)
{
	const char *query = parser->query;
	size_t term_offset = parser->at;
	bool negate = false;
	while (query[parser->at] == '!') {
		negate = !negate;
		parser->at++;
	}
	if (query[parser->at] == '\0' || util_is_blank((unsigned char)query[parser->at]))
		return fail(parser, term_offset, "nothing to negate after '!'");

	const struct field *field = NULL;
	size_t field_offset = parser->at, name_end = parser->at;
	while ((query[name_end] >= 'a' && query[name_end] <= 'z') ||
	       (query[name_end] >= 'A' && query[name_end] <= 'Z') || query[name_end] == '_')
		name_end++;
	if (name_end > field_offset && query[name_end] == ':') {
		size_t length = name_end - field_offset;
		for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
			if (strlen(fields[i].name) == length &&
			    util_prefix_nocase(query + field_offset, fields[i].name)) {
				field = &fields[i];
				break;
			}
		}
		if (!field) {
			char shown[64];
			return fail(parser, field_offset, "unknown field \"%s\"; fields: " FIELD_NAMES,
				    quote(shown, sizeof(shown), query + field_offset, length));
		}
		parser->at = name_end + 1;
	}

	clear_pieces(parser);
	if (!read_value(parser))
		return false;

	if (field && field->kind == KIND_STATUS) {
		uint32_t pairs = 0;
		for (size_t i = 0; i < parser->piece_count; i++)
			if (!status_pairs(parser, field, field_offset, &parser->pieces[i], &pairs))
				return false;
		if (negate)
			pairs = ~pairs & PAIR_ALL;
		filter->pairs &= pairs;
		return true;
	}

	struct term term = {
		.kind = field ? field->kind : KIND_WORD,
		.field = field ? field->which : 0,
		.negate = negate,
	};
	term.needles = xcalloc(parser->piece_count, sizeof(*term.needles));
	for (size_t i = 0; i < parser->piece_count; i++) {
		if (!make_needle(parser, &term, &parser->pieces[i], &term.needles[i])) {
			free_term(&term);
			return false;
		}
		term.count++;
	}
	term.cost = term_cost(&term);
	if (term.kind == KIND_CONN)
		filter->live_kinds |= LIVE_CONNECTIVITY;
	if (term.kind == KIND_DATA)
		filter->live_kinds |= LIVE_USAGE;

	/* Keep terms ordered by cost, stable, so the cheap ones reject most devices first. */
	filter->terms = xgrow(filter->terms, &filter->capacity, filter->count + 1, sizeof(*filter->terms));
	size_t at = filter->count;
	while (at > 0 && filter->terms[at - 1].cost > term.cost) {
		filter->terms[at] = filter->terms[at - 1];
		at--;
	}
	filter->terms[at] = term;
	filter->count++;
	return true;
}

struct filter *filter_parse(const char *query, char *message, size_t size, int *column)
{
	if (message && size)
		message[0] = '\0';
	if (column)
		*column = 0;
	struct parser parser = {
		.query = query ? query : "",
		.message = message,
		.size = size,
		.column = column,
	};
	struct filter *filter = xcalloc(1, sizeof(*filter));
	filter->pairs = UINT32_MAX;
	bool ok = true;
	for (;;) {
		while (util_is_blank((unsigned char)parser.query[parser.at]))
			parser.at++;
		if (parser.query[parser.at] == '\0')
			break;
		if (!parse_term(&parser, filter)) {
			ok = false;
			break;
		}
	}
	clear_pieces(&parser);
	free(parser.pieces);
	free(parser.buffer);
	if (!ok) {
		filter_free(filter);
		return NULL;
	}
	return filter;
}

/* --- summary cells ------------------------------------------------------------------------ */

static size_t put_status(char *out, size_t size, size_t used, const char *field, const char *word)
{
	if (used >= size)
		return used;
	bool blank = strchr(word, ' ') != NULL;
	int written = snprintf(out + used, size - used, "%s%s:%s%s%s", used ? " " : "", field,
			       blank ? "\"" : "", word, blank ? "\"" : "");
	if (written < 0)
		return used;
	return used + (size_t)written;
}

void filter_status_query(char *out, size_t size, int sim_status, int endpoint_status)
{
	if (size == 0)
		return;
	out[0] = '\0';
	size_t used = 0;
	if (sim_status == SIM_NONE)
		used = put_status(out, size, used, "sim", "none");
	else if (sim_status >= 0 && sim_status < SIM_STATUS_COUNT)
		used = put_status(out, size, used, "sim", sim_words[sim_status]);
	if (endpoint_status == ENDPOINT_NONE)
		put_status(out, size, used, "ep", "none");
	else if (endpoint_status >= 0 && endpoint_status < ENDPOINT_STATUS_COUNT)
		put_status(out, size, used, "ep", endpoint_words[endpoint_status]);
}
