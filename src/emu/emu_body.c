/* emu_body.c — a strict, small JSON reader for request bodies. */
#include "emu_body.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deep enough for any sane body, shallow enough that recursion cannot exhaust the stack. */
#define MAX_DEPTH 32

struct parser {
	const char *p;
	const char *end;
	const char *start;
	int depth;
	int field_depth;        /* depth of the object whose keys are read: 1, or 2 in an array */
	char *error;
	size_t error_size;
	bool failed;
};

/* What the caller wants from the next value, if anything. */
enum capture {
	CAPTURE_NONE,
	CAPTURE_TOKEN,          /* top-level "application_token" */
	CAPTURE_STATUS,         /* top-level "status" */
	CAPTURE_STATUS_ID,      /* "id" inside the top-level "status" */
	CAPTURE_ID,             /* top-level "id" */
};

static bool fail(struct parser *parser, const char *what)
{
	if (!parser->failed) {
		long offset = (long)(parser->p - parser->start);
		if (parser->p >= parser->end)
			snprintf(parser->error, parser->error_size, "Malformed JSON: %s at end of input", what);
		else if ((unsigned char)*parser->p >= 0x20 && (unsigned char)*parser->p < 0x7f)
			snprintf(parser->error, parser->error_size, "Malformed JSON: %s at offset %ld ('%c')",
				 what, offset, *parser->p);
		else
			snprintf(parser->error, parser->error_size, "Malformed JSON: %s at offset %ld", what, offset);
	}
	parser->failed = true;
	return false;
}

static void skip_space(struct parser *parser)
{
	while (parser->p < parser->end &&
	       (*parser->p == ' ' || *parser->p == '\t' || *parser->p == '\n' || *parser->p == '\r'))
		parser->p++;
}

static bool literal(struct parser *parser, const char *word)
{
	size_t length = strlen(word);
	if ((size_t)(parser->end - parser->p) < length || memcmp(parser->p, word, length) != 0)
		return fail(parser, "invalid literal");
	parser->p += length;
	return true;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool read_hex4(struct parser *parser, unsigned *value)
{
	if (parser->end - parser->p < 4)
		return fail(parser, "truncated \\u escape");
	*value = 0;
	for (int i = 0; i < 4; i++) {
		int digit = hex_value(parser->p[i]);
		if (digit < 0)
			return fail(parser, "invalid \\u escape");
		*value = *value * 16 + (unsigned)digit;
	}
	parser->p += 4;
	return true;
}

/* Append one byte to out (capacity size, may be NULL) unless full; note overflow. */
static void put_byte(char *out, size_t size, size_t *used, bool *overflow, unsigned char c)
{
	if (!out)
		return;
	if (*used + 1 < size)
		out[(*used)++] = (char)c;
	else
		*overflow = true;
}

static void put_utf8(char *out, size_t size, size_t *used, bool *overflow, unsigned cp)
{
	if (cp < 0x80) {
		put_byte(out, size, used, overflow, (unsigned char)cp);
	} else if (cp < 0x800) {
		put_byte(out, size, used, overflow, (unsigned char)(0xC0 | (cp >> 6)));
		put_byte(out, size, used, overflow, (unsigned char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		put_byte(out, size, used, overflow, (unsigned char)(0xE0 | (cp >> 12)));
		put_byte(out, size, used, overflow, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
		put_byte(out, size, used, overflow, (unsigned char)(0x80 | (cp & 0x3F)));
	} else {
		put_byte(out, size, used, overflow, (unsigned char)(0xF0 | (cp >> 18)));
		put_byte(out, size, used, overflow, (unsigned char)(0x80 | ((cp >> 12) & 0x3F)));
		put_byte(out, size, used, overflow, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
		put_byte(out, size, used, overflow, (unsigned char)(0x80 | (cp & 0x3F)));
	}
}

/* Read a string (the opening quote is next). When out is not NULL the unescaped text is stored
 * there, NUL-terminated, cut at size and *overflow set. */
static bool read_string(struct parser *parser, char *out, size_t size, bool *overflow)
{
	size_t used = 0;
	bool cut = false;
	parser->p++; /* the quote */
	for (;;) {
		if (parser->p >= parser->end)
			return fail(parser, "unterminated string");
		unsigned char c = (unsigned char)*parser->p;
		if (c == '"') {
			parser->p++;
			break;
		}
		if (c < 0x20)
			return fail(parser, "control character in string");
		if (c != '\\') {
			put_byte(out, size, &used, &cut, c);
			parser->p++;
			continue;
		}
		parser->p++;
		if (parser->p >= parser->end)
			return fail(parser, "unterminated escape");
		char e = *parser->p++;
		unsigned cp;
		switch (e) {
		case '"': case '\\': case '/':
			put_byte(out, size, &used, &cut, (unsigned char)e);
			break;
		case 'b': put_byte(out, size, &used, &cut, '\b'); break;
		case 'f': put_byte(out, size, &used, &cut, '\f'); break;
		case 'n': put_byte(out, size, &used, &cut, '\n'); break;
		case 'r': put_byte(out, size, &used, &cut, '\r'); break;
		case 't': put_byte(out, size, &used, &cut, '\t'); break;
		case 'u':
			if (!read_hex4(parser, &cp))
				return false;
			if (cp >= 0xD800 && cp < 0xDC00 && parser->end - parser->p >= 6 &&
			    parser->p[0] == '\\' && parser->p[1] == 'u') {
				unsigned low;
				const char *save = parser->p;
				parser->p += 2;
				if (!read_hex4(parser, &low))
					return false;
				if (low >= 0xDC00 && low < 0xE000)
					cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
				else
					parser->p = save; /* not a pair: the next escape stands alone */
			}
			if (cp >= 0xD800 && cp < 0xE000)
				cp = 0xFFFD; /* a lone surrogate has no UTF-8 form */
			put_utf8(out, size, &used, &cut, cp);
			break;
		default:
			parser->p--;
			return fail(parser, "invalid escape");
		}
	}
	if (out)
		out[used] = '\0';
	if (overflow)
		*overflow = cut;
	return true;
}

/* Read a number; on success *text and *length delimit it. */
static bool read_number(struct parser *parser, const char **text, size_t *length)
{
	const char *start = parser->p;
	if (parser->p < parser->end && *parser->p == '-')
		parser->p++;
	if (parser->p >= parser->end || *parser->p < '0' || *parser->p > '9')
		return fail(parser, "invalid number");
	if (*parser->p == '0')
		parser->p++;
	else
		while (parser->p < parser->end && *parser->p >= '0' && *parser->p <= '9')
			parser->p++;
	if (parser->p < parser->end && *parser->p == '.') {
		parser->p++;
		if (parser->p >= parser->end || *parser->p < '0' || *parser->p > '9')
			return fail(parser, "invalid number");
		while (parser->p < parser->end && *parser->p >= '0' && *parser->p <= '9')
			parser->p++;
	}
	if (parser->p < parser->end && (*parser->p == 'e' || *parser->p == 'E')) {
		parser->p++;
		if (parser->p < parser->end && (*parser->p == '+' || *parser->p == '-'))
			parser->p++;
		if (parser->p >= parser->end || *parser->p < '0' || *parser->p > '9')
			return fail(parser, "invalid number");
		while (parser->p < parser->end && *parser->p >= '0' && *parser->p <= '9')
			parser->p++;
	}
	*text = start;
	*length = (size_t)(parser->p - start);
	return true;
}

/* A number as a whole value, the way clients send ids: 1, or 1.0 (Python SDKs send floats).
 * False when it has a fraction or lies beyond +-1e15. */
static bool integral_value(const char *text, size_t length, int64_t *value)
{
	char copy[64];
	size_t n = length < sizeof copy - 1 ? length : sizeof copy - 1;
	memcpy(copy, text, n);
	copy[n] = '\0';
	double number = strtod(copy, NULL);
	if (length >= sizeof copy || number != floor(number) || number < -1e15 || number > 1e15)
		return false;
	*value = (int64_t)number;
	return true;
}

static void capture_status_id(struct emu_body *body, const char *text, size_t length)
{
	size_t shown = length < sizeof body->status_id_text - 1 ? length : sizeof body->status_id_text - 1;
	memcpy(body->status_id_text, text, shown);
	body->status_id_text[shown] = '\0';
	body->status = integral_value(text, length, &body->status_id) ? EMU_BODY_STATUS_ID : EMU_BODY_STATUS_BAD_ID;
}

static bool read_value(struct parser *parser, struct emu_body *body, enum capture capture);

static bool read_object(struct parser *parser, struct emu_body *body, enum capture capture)
{
	parser->p++; /* the brace */
	if (++parser->depth > MAX_DEPTH)
		return fail(parser, "nesting too deep");
	skip_space(parser);
	if (parser->p < parser->end && *parser->p == '}') {
		parser->p++;
		parser->depth--;
		return true;
	}
	for (;;) {
		skip_space(parser);
		if (parser->p >= parser->end || *parser->p != '"')
			return fail(parser, "expected a key");
		char key[32];
		bool long_key = false;
		if (!read_string(parser, key, sizeof key, &long_key))
			return false;
		skip_space(parser);
		if (parser->p >= parser->end || *parser->p != ':')
			return fail(parser, "expected ':'");
		parser->p++;

		enum capture next = CAPTURE_NONE;
		bool field = !long_key && parser->depth == parser->field_depth;
		if (field && strcmp(key, "application_token") == 0)
			next = CAPTURE_TOKEN;
		else if (field && strcmp(key, "status") == 0)
			next = CAPTURE_STATUS;
		else if (field && strcmp(key, "id") == 0)
			next = CAPTURE_ID;
		else if (!long_key && capture == CAPTURE_STATUS && strcmp(key, "id") == 0)
			next = CAPTURE_STATUS_ID;
		if (!read_value(parser, body, next))
			return false;

		skip_space(parser);
		if (parser->p < parser->end && *parser->p == ',') {
			parser->p++;
			continue;
		}
		if (parser->p < parser->end && *parser->p == '}') {
			parser->p++;
			parser->depth--;
			return true;
		}
		return fail(parser, "expected ',' or '}'");
	}
}

static void body_reset(struct emu_body *body)
{
	memset(body, 0, sizeof *body);
	body->status = EMU_BODY_STATUS_ABSENT;
	body->id = EMU_BODY_ID_ABSENT;
}

static void list_add(struct emu_body_list *list, size_t *capacity, const struct emu_body *body)
{
	if (list->count == *capacity) {
		*capacity = *capacity ? *capacity * 2 : 64;
		struct emu_body_item *grown = realloc(list->items, *capacity * sizeof *grown);
		if (!grown) {
			fputs("simtop-emu: out of memory\n", stderr);
			abort();
		}
		list->items = grown;
	}
	list->items[list->count++] = (struct emu_body_item){
		.id = body->id, .id_value = body->id_value, .status = body->status, .status_id = body->status_id,
	};
}

/* One element of an array. With list (the top level of a bulk body) it must be an object, and
 * what is read of it becomes an item of list. */
static bool read_element(struct parser *parser, struct emu_body *body, struct emu_body_list *list,
			 size_t *capacity)
{
	if (!list)
		return read_value(parser, body, CAPTURE_NONE);
	skip_space(parser);
	if (parser->p >= parser->end || *parser->p != '{')
		return fail(parser, "expected an object in the array");
	struct emu_body item;
	body_reset(&item);
	if (!read_value(parser, &item, CAPTURE_NONE))
		return false;
	list_add(list, capacity, &item);
	return true;
}

static bool read_array(struct parser *parser, struct emu_body *body, struct emu_body_list *list)
{
	size_t capacity = 0;
	parser->p++; /* the bracket */
	if (++parser->depth > MAX_DEPTH)
		return fail(parser, "nesting too deep");
	skip_space(parser);
	if (parser->p < parser->end && *parser->p == ']') {
		parser->p++;
		parser->depth--;
		return true;
	}
	for (;;) {
		if (!read_element(parser, body, list, &capacity))
			return false;
		skip_space(parser);
		if (parser->p < parser->end && *parser->p == ',') {
			parser->p++;
			continue;
		}
		if (parser->p < parser->end && *parser->p == ']') {
			parser->p++;
			parser->depth--;
			return true;
		}
		return fail(parser, "expected ',' or ']'");
	}
}

static bool read_value(struct parser *parser, struct emu_body *body, enum capture capture)
{
	skip_space(parser);
	if (parser->p >= parser->end)
		return fail(parser, "expected a value");

	if (capture == CAPTURE_STATUS) {
		/* Until an "id" is found inside, a present "status" lacks one. */
		body->status = EMU_BODY_STATUS_NO_ID;
	}

	switch (*parser->p) {
	case '{':
	case '[':
		if (capture == CAPTURE_ID)
			body->id = EMU_BODY_ID_BAD;
		return *parser->p == '{' ? read_object(parser, body, capture) : read_array(parser, body, NULL);
	case '"':
		if (capture == CAPTURE_TOKEN) {
			body->has_token = true;
			return read_string(parser, body->token, sizeof body->token, &body->token_too_long);
		}
		if (capture == CAPTURE_ID) {
			body->id = EMU_BODY_ID_BAD;
			return read_string(parser, NULL, 0, NULL);
		}
		if (capture == CAPTURE_STATUS_ID) {
			/* "id":"1" is a type error the API reports as invalid format. */
			const char *start = parser->p;
			if (!read_string(parser, NULL, 0, NULL))
				return false;
			size_t length = (size_t)(parser->p - start);
			snprintf(body->status_id_text, sizeof body->status_id_text, "%.*s",
				 (int)(length < 30 ? length : 30), start);
			body->status = EMU_BODY_STATUS_BAD_ID;
			return true;
		}
		return read_string(parser, NULL, 0, NULL);
	case 't':
	case 'f':
		if (capture == CAPTURE_STATUS_ID)
			body->status = EMU_BODY_STATUS_BAD_ID;
		if (capture == CAPTURE_ID)
			body->id = EMU_BODY_ID_BAD;
		return literal(parser, *parser->p == 't' ? "true" : "false");
	case 'n':
		/* "id":null is as good as no id. */
		return literal(parser, "null");
	default: {
		const char *text = NULL;
		size_t length = 0;
		if (!read_number(parser, &text, &length))
			return false;
		if (capture == CAPTURE_STATUS_ID)
			capture_status_id(body, text, length);
		if (capture == CAPTURE_ID)
			body->id = integral_value(text, length, &body->id_value) ? EMU_BODY_ID_VALUE : EMU_BODY_ID_BAD;
		return true;
	}
	}
}

/* Past leading blanks, at the character that must open the body. */
static bool body_opens_with(struct parser *parser, char opening, const char *expected)
{
	skip_space(parser);
	if (parser->p >= parser->end) {
		snprintf(parser->error, parser->error_size, "Malformed JSON: the body is empty");
		parser->failed = true;
		return false;
	}
	return *parser->p == opening || fail(parser, expected);
}

static bool body_ends(struct parser *parser, const char *after)
{
	skip_space(parser);
	return parser->p == parser->end || fail(parser, after);
}

bool emu_body_parse(const char *text, size_t length, struct emu_body *out, char *error, size_t error_size)
{
	body_reset(out);
	struct parser parser = {
		.p = text, .end = text + length, .start = text, .field_depth = 1,
		.error = error, .error_size = error_size,
	};
	return body_opens_with(&parser, '{', "expected a JSON object") && read_value(&parser, out, CAPTURE_NONE) &&
	       body_ends(&parser, "unexpected data after the object");
}

bool emu_body_parse_list(const char *text, size_t length, struct emu_body_list *out, char *error,
			 size_t error_size)
{
	*out = (struct emu_body_list){ 0 };
	struct parser parser = {
		.p = text, .end = text + length, .start = text, .field_depth = 2,
		.error = error, .error_size = error_size,
	};
	if (body_opens_with(&parser, '[', "expected a JSON array") && read_array(&parser, NULL, out) &&
	    body_ends(&parser, "unexpected data after the array"))
		return true;
	free(out->items);
	*out = (struct emu_body_list){ 0 };
	return false;
}
