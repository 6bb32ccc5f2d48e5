/* json_slim.c — a strict pass over a JSON array that copies only the members read
 * (json_slim.h).
 *
 * A recursive descent over the grammar of RFC 8259, as strict as cJSON or stricter wherever
 * the two could read a page differently: white space is what cJSON skips (any byte up to
 * space; after the array only space, tab and line ends, as emnify.c checks), a number is at
 * most 63 bytes (cJSON reads no more of one), a \u escape is refused where cJSON refuses it
 * (half a surrogate pair), and an escape or a NUL byte in a key, or a \u escape in a member
 * left out, makes it decline, since only cJSON knows what those decode to. A page cJSON would
 * refuse is never copied: the copy is parsed an item at a time, and an item refused early must
 * not hide a later one that cJSON cannot parse at all.
 *
 * Each scan_* takes the position of a value's first byte and returns the position after it,
 * or NULL when the text is not what it should be; the position stays in a register. */
#include "json_slim.h"

#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Longest number cJSON reads whole. */
#define NUMBER_MAX 63

struct kept_key {
	size_t length;
	const char *text;
};

/* A key as it stood in the item before, in the order keys come: the items of a page have the
 * same keys in the same order, so a key is first compared with the one at its place in the
 * item before, byte for byte, and scanned only when it differs. */
struct seen_key {
	const unsigned char *text;  /* in the page, with both quotes */
	size_t length;
	unsigned held;              /* what scan_string() found in it */
	bool named;                 /* is_kept() */
};

#define SEEN_KEYS_MAX 64

struct slim {
	const unsigned char *end;
	char *out;
	size_t used, capacity;
	struct kept_key keys[JSON_SLIM_KEYS_MAX];
	uint32_t keys_by_byte[256];  /* bit k: keys[k] starts with that byte */
	struct seen_key seen[SEEN_KEYS_MAX];
	size_t seen_count;           /* of the items so far, at most SEEN_KEYS_MAX */
	size_t key_place;            /* keys read so far in this item */
};

static bool emit(struct slim *slim, const void *bytes, size_t length)
{
	if (length > slim->capacity - slim->used)
		return false;  /* cannot happen: the copy is never longer than the page */
	memcpy(slim->out + slim->used, bytes, length);
	slim->used += length;
	return true;
}

static bool emit_byte(struct slim *slim, char byte)
{
	if (slim->used >= slim->capacity)
		return false;
	slim->out[slim->used++] = byte;
	return true;
}

static const unsigned char *skip_space(const unsigned char *at, const unsigned char *end)
{
	while (at < end && *at <= ' ')
		at++;
	return at;
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* The four hex digits at at (which may be read up to end) as a number; -1 when they are not. */
static long hex4(const unsigned char *at, const unsigned char *end)
{
	if (end - at < 4)
		return -1;
	long value = 0;
	for (int i = 0; i < 4; i++) {
		if (!is_hex(at[i]))
			return -1;
		value = value * 16 + (at[i] <= '9' ? at[i] - '0' : (at[i] | 0x20) - 'a' + 10);
	}
	return value;
}

/* A \u escape, at its 'u': the position after it (and after the low half of a surrogate pair),
 * or NULL where cJSON would refuse it: a low surrogate alone, a high one without its low
 * half. */
static const unsigned char *scan_unicode(const unsigned char *at, const unsigned char *end)
{
	long code = hex4(at + 1, end);
	if (code < 0 || (code >= 0xDC00 && code <= 0xDFFF))
		return NULL;
	at += 5;
	if (code >= 0xD800 && code <= 0xDBFF) {
		if (end - at < 6 || at[0] != '\\' || at[1] != 'u')
			return NULL;
		long low = hex4(at + 2, end);
		if (low < 0xDC00 || low > 0xDFFF)
			return NULL;
		at += 6;
	}
	return at;
}

#if !defined(__SSE2__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static uint64_t load_word(const unsigned char *at)
{
	uint64_t word;
	memcpy(&word, at, sizeof(word));
	return word;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* The high bit of each byte of word that is byte: exact for the lowest such byte (a borrow
 * may mark bytes above it as well). */
static uint64_t bytes_equal(uint64_t word, unsigned char byte)
{
	uint64_t x = word ^ (ONES * byte);
	return (x - ONES) & ~x & HIGHS;
}
#endif

/* The first quote, backslash or NUL from at on; end when there is none. Sixteen bytes at a
 * time with SSE2 (every x86-64), else eight where the lowest byte of a word is the first in
 * memory. */
static const unsigned char *find_special(const unsigned char *at, const unsigned char *end)
{
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), zero = _mm_setzero_si128();
	while (end - at >= 16) {
		__m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)at);
		__m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
					       _mm_cmpeq_epi8(bytes, zero));
		unsigned found = (unsigned)_mm_movemask_epi8(special);
		if (found)
			return at + __builtin_ctz(found);
		at += 16;
	}
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - at >= 8) {
		uint64_t word = load_word(at);
		uint64_t found = bytes_equal(word, '"') | bytes_equal(word, '\\') | bytes_equal(word, 0);
		if (found)
			return at + __builtin_ctzll(found) / 8;
		at += 8;
	}
#endif
	while (at < end && *at != '"' && *at != '\\' && *at)
		at++;
	return at;
}

/* What a string held besides plain bytes. */
enum {
	STRING_ESCAPE = 1,   /* any escape */
	STRING_UNICODE = 2,  /* a \u escape */
	STRING_NUL = 4,      /* a NUL byte */
};

/* A string, at its opening quote; *held (set by the caller) gains what it held. */
static inline const unsigned char *scan_string(const unsigned char *at, const unsigned char *end, unsigned *held)
{
	at++;
	for (;;) {
		at = find_special(at, end);
		if (at >= end)
			return NULL;
		if (*at == '"')
			return at + 1;
		if (*at == '\0') {
			*held |= STRING_NUL;
			at++;
			continue;
		}
		*held |= STRING_ESCAPE;
		if (++at >= end)
			return NULL;
		if (*at == 'u') {
			*held |= STRING_UNICODE;
			if (!(at = scan_unicode(at, end)))
				return NULL;
		} else if (*at && strchr("\"\\/bfnrt", *at)) {
			at++;
		} else {
			return NULL;
		}
	}
}

static const unsigned char *scan_digits(const unsigned char *at, const unsigned char *end)
{
	const unsigned char *start = at;
	while (at < end && *at >= '0' && *at <= '9')
		at++;
	return at > start ? at : NULL;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static const unsigned char *scan_number(const unsigned char *at, const unsigned char *end)
{
	const unsigned char *start = at;
	if (at < end && *at == '-')
		at++;
	if (at < end && *at == '0')
		at++;
	else if (!(at = scan_digits(at, end)))
		return NULL;
	if (at < end && *at == '.' && !(at = scan_digits(at + 1, end)))
		return NULL;
	if (at < end && (*at | 0x20) == 'e') {
		at++;
		if (at < end && (*at == '+' || *at == '-'))
			at++;
		if (!(at = scan_digits(at, end)))
			return NULL;
	}
	return at - start <= NUMBER_MAX ? at : NULL;
}

static const unsigned char *scan_word(const unsigned char *at, const unsigned char *end, const char *word,
				      size_t length)
{
	if ((size_t)(end - at) < length || memcmp(at, word, length) != 0)
		return NULL;
	return at + length;
}

/* Whether the key of length bytes at key (its quotes left out) is one kept. Asked only for a
 * key not seen at its place in the item before: a few times a page. */
static bool is_kept(const struct slim *slim, const unsigned char *key, size_t length)
{
	if (length == 0)
		return false;
	for (uint32_t candidates = slim->keys_by_byte[key[0]]; candidates; candidates &= candidates - 1) {
		const struct kept_key *kept = &slim->keys[__builtin_ctz(candidates)];
		if (kept->length == length && memcmp(key, kept->text, length) == 0)
			return true;
	}
	return false;
}

/* A string value, at its opening quote; copy: write it. A \u escape in a string left out is
 * still cJSON's to judge: declined. */
static const unsigned char *scan_string_value(struct slim *slim, const unsigned char *at, bool copy)
{
	const unsigned char *start = at;
	unsigned held = 0;
	if (!(at = scan_string(at, slim->end, &held)) || (!copy && (held & STRING_UNICODE)) ||
	    (copy && !emit(slim, start, (size_t)(at - start))))
		return NULL;
	return at;
}

/* Whether the length bytes at a and b are the same; both may be read up to end. Keys are short:
 * 16-byte compares with SSE2, where memcmp() would cost a call and a loop. */
static bool same_bytes(const unsigned char *a, const unsigned char *b, size_t length, const unsigned char *end)
{
#if defined(__SSE2__)
	while (end - a >= 16 && end - b >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)a);
		__m128i y = _mm_loadu_si128((const __m128i *)(const void *)b);
		unsigned equal = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, y));
		if (length <= 16) {
			unsigned wanted = length == 16 ? 0xFFFFu : (1u << length) - 1;
			return (equal & wanted) == wanted;
		}
		if (equal != 0xFFFFu)
			return false;
		a += 16;
		b += 16;
		length -= 16;
	}
#else
	(void)end;
#endif
	return memcmp(a, b, length) == 0;
}

static const unsigned char *scan_value(struct slim *slim, const unsigned char *at, bool copy, int depth);

/* At the byte that opens an object or array (written when copy): the position of its first
 * member or element, or, when it is empty (*closed), the position after it. */
static const unsigned char *open_or_close(struct slim *slim, const unsigned char *at, unsigned char open,
					  unsigned char close, bool copy, bool *closed)
{
	if (copy && !emit_byte(slim, (char)open))
		return NULL;
	at = skip_space(at + 1, slim->end);
	*closed = at < slim->end && *at == close;
	if (*closed)
		return copy && !emit_byte(slim, (char)close) ? NULL : at + 1;
	return at;
}

/* After a member or an element: the byte that closes the object or array (written when copy;
 * *closed, and the position after it), or a comma (the position of what follows it); NULL when
 * neither follows. */
static const unsigned char *next_or_close(struct slim *slim, const unsigned char *at, unsigned char close, bool copy,
					  bool *closed)
{
	const unsigned char *end = slim->end;
	at = skip_space(at, end);
	*closed = at < end && *at == close;
	if (*closed)
		return copy && !emit_byte(slim, (char)close) ? NULL : at + 1;
	if (at >= end || *at != ',')
		return NULL;
	return skip_space(at + 1, end);
}

/* An object, at its '{'; copy: write it, with only the members kept. */
static const unsigned char *scan_object(struct slim *slim, const unsigned char *at, bool copy, int depth)
{
	const unsigned char *end = slim->end;
	bool closed;
	if (!(at = open_or_close(slim, at, '{', '}', copy, &closed)) || closed)
		return at;
	for (size_t kept = 0;;) {
		if (at >= end || *at != '"')
			return NULL;
		const unsigned char *key = at;
		size_t place = slim->key_place++;
		struct seen_key scanned, *seen = place < SEEN_KEYS_MAX ? &slim->seen[place] : &scanned;
		if (seen != &scanned && place < slim->seen_count && (size_t)(end - at) >= seen->length &&
		    same_bytes(at, seen->text, seen->length, end)) {
			at += seen->length;  /* the same bytes as a key read before: the same key */
		} else {
			unsigned held = 0;
			if (!(at = scan_string(at, end, &held)))
				return NULL;
			size_t length = (size_t)(at - key);
			*seen = (struct seen_key){ key, length, held, is_kept(slim, key + 1, length - 2) };
			if (seen != &scanned && place >= slim->seen_count)
				slim->seen_count = place + 1;
		}
		size_t key_length = seen->length;  /* with both quotes */
		/* What such a key decodes to, and whether it is valid at all, is cJSON's to say;
		 * and cJSON's key ends at a NUL ("status\0x" is "status"). */
		if ((seen->held & STRING_UNICODE) || (copy && seen->held))
			return NULL;
		bool keep = copy && seen->named;
		at = skip_space(at, end);
		if (at >= end || *at != ':')
			return NULL;
		if (keep && ((kept++ > 0 && !emit_byte(slim, ',')) || !emit(slim, key, key_length) || !emit_byte(slim, ':')))
			return NULL;
		at = skip_space(at + 1, end);
		/* Most values are strings: scanned here, without going through scan_value(). */
		bool string = at < end && *at == '"';
		if (!(at = string ? scan_string_value(slim, at, keep) : scan_value(slim, at, keep, depth + 1)))
			return NULL;
		if (!(at = next_or_close(slim, at, '}', copy, &closed)) || closed)
			return at;
	}
}

/* An array, at its '['; its objects are slimmed too. */
static const unsigned char *scan_array(struct slim *slim, const unsigned char *at, bool copy, int depth)
{
	bool closed;
	if (!(at = open_or_close(slim, at, '[', ']', copy, &closed)) || closed)
		return at;
	for (size_t count = 0;; count++) {
		if (copy && count > 0 && !emit_byte(slim, ','))
			return NULL;
		if (!(at = scan_value(slim, at, copy, depth + 1)) || !(at = next_or_close(slim, at, ']', copy, &closed)) ||
		    closed)
			return at;
	}
}

/* Any value, at its first byte; copy: write it. */
static const unsigned char *scan_value(struct slim *slim, const unsigned char *at, bool copy, int depth)
{
	const unsigned char *end = slim->end, *start = at;
	if (depth > JSON_SLIM_DEPTH_MAX || at >= end)
		return NULL;
	switch (*at) {
	case '{':
		return scan_object(slim, at, copy, depth);
	case '[':
		return scan_array(slim, at, copy, depth);
	case '"':
		return scan_string_value(slim, at, copy);
	case 't':
		at = scan_word(at, end, "true", 4);
		break;
	case 'f':
		at = scan_word(at, end, "false", 5);
		break;
	case 'n':
		at = scan_word(at, end, "null", 4);
		break;
	default:
		at = scan_number(at, end);
		break;
	}
	if (at && copy && !emit(slim, start, (size_t)(at - start)))
		return NULL;
	return at;
}

bool json_slim_array(const char *body, size_t length, const char *const *keys, size_t key_count, char *out,
		     size_t *slim_length, size_t *items)
{
	if (!body || key_count > JSON_SLIM_KEYS_MAX)
		return false;
	struct slim slim = { .end = (const unsigned char *)body + length, .out = out, .capacity = length };
	for (size_t k = 0; k < key_count; k++) {
		slim.keys[k] = (struct kept_key){ strlen(keys[k]), keys[k] };
		slim.keys_by_byte[(unsigned char)keys[k][0]] |= UINT32_C(1) << k;
	}
	const unsigned char *at = skip_space((const unsigned char *)body, slim.end), *end = slim.end;
	if (at >= end || *at != '[')
		return false;
	/* The array by hand: each of its values must be an object. */
	slim.out[slim.used++] = '[';
	at = skip_space(at + 1, end);
	if (at >= end)
		return false;
	size_t count = 0;
	if (*at != ']') {
		for (;; count++) {
			if (at >= end || *at != '{')
				return false;
			if (count > 0 && !emit_byte(&slim, ','))
				return false;
			slim.key_place = 0;
			if (!(at = scan_object(&slim, at, true, 1)))
				return false;
			at = skip_space(at, end);
			if (at < end && *at == ']') {
				count++;
				break;
			}
			if (at >= end || *at != ',')
				return false;
			at = skip_space(at + 1, end);
		}
	}
	at++;
	while (at < end && (*at == ' ' || *at == '\t' || *at == '\r' || *at == '\n'))
		at++;
	if (at != end || !emit_byte(&slim, ']') || slim.used > length)
		return false;
	slim.out[slim.used] = '\0';
	*slim_length = slim.used;
	*items = count;
	return true;
}
