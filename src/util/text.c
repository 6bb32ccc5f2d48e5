/* text.c — untrusted strings: cleaning and display widths. */
#include "text.h"

#include <langinfo.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "util.h"

#define REPLACEMENT 0xFFFDu
#define ESC 0x1B
#define BEL 0x07

/* Decode one UTF-8 character at text[0..available). Returns the bytes it takes (at least 1
 * when available > 0) and sets *code; a malformed sequence gives *code = -1 and the length of
 * its maximal valid prefix, so each bad sequence becomes one U+FFFD (Unicode §3.9). */
static size_t decode(const unsigned char *text, size_t available, int32_t *code)
{
	unsigned char lead = text[0];
	if (lead < 0x80) {
		*code = lead;
		return 1;
	}

	size_t need;
	uint32_t value;
	unsigned char low = 0x80, high = 0xBF; /* allowed range of the second byte */
	if (lead >= 0xC2 && lead <= 0xDF) {
		need = 2;
		value = lead & 0x1F;
	} else if (lead >= 0xE0 && lead <= 0xEF) {
		need = 3;
		value = lead & 0x0F;
		if (lead == 0xE0)
			low = 0xA0;  /* overlong */
		else if (lead == 0xED)
			high = 0x9F; /* surrogates */
	} else if (lead >= 0xF0 && lead <= 0xF4) {
		need = 4;
		value = lead & 0x07;
		if (lead == 0xF0)
			low = 0x90;  /* overlong */
		else if (lead == 0xF4)
			high = 0x8F; /* above U+10FFFF */
	} else {
		*code = -1;
		return 1;
	}

	size_t length = 1;
	for (; length < need; length++) {
		if (length >= available) {
			*code = -1;
			return length;
		}
		unsigned char byte = text[length];
		unsigned char min = length == 1 ? low : 0x80;
		unsigned char max = length == 1 ? high : 0xBF;
		if (byte < min || byte > max) {
			*code = -1;
			return length;
		}
		value = (value << 6) | (byte & 0x3F);
	}
	*code = (int32_t)value;
	return length;
}

/* Zero-width format characters that wcwidth() lets through but that can reorder or hide text
 * on a terminal: bidi controls, joiners, invisible operators, the BOM. */
static bool is_format_character(int32_t code)
{
	return code == 0x061C || code == 0x180E || (code >= 0x200B && code <= 0x200F) ||
	       (code >= 0x2028 && code <= 0x202E) || (code >= 0x2060 && code <= 0x206F) ||
	       code == 0xFEFF || (code >= 0xFFF9 && code <= 0xFFFB) ||
	       (code >= 0xE0000 && code <= 0xE007F);
}

static bool locale_is_utf8(void)
{
	const char *codeset = nl_langinfo(CODESET);
	return strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0;
}

/* Which escape sequence a character introduces. */
enum sequence {
	SEQUENCE_NONE,
	SEQUENCE_CSI,    /* parameters, intermediates, one final byte */
	SEQUENCE_OSC,    /* a string ended by BEL or ST */
	SEQUENCE_STRING, /* DCS, SOS, PM, APC: a string ended by ST */
};

/* The C1 control (U+0080..U+009F, or the same raw byte) as a sequence introducer. */
static enum sequence c1_sequence(int32_t code)
{
	switch (code) {
	case 0x9B: return SEQUENCE_CSI;
	case 0x9D: return SEQUENCE_OSC;
	case 0x90: case 0x98: case 0x9E: case 0x9F: return SEQUENCE_STRING;
	default: return SEQUENCE_NONE;
	}
}

/* Skip a CSI sequence's body from text[at]: parameter and intermediate bytes, then a final
 * byte. A sequence cut short by anything else ends there; that byte is handled normally. */
static size_t skip_csi(const unsigned char *text, size_t length, size_t at)
{
	while (at < length && text[at] >= 0x20 && text[at] <= 0x3F)
		at++;
	if (at < length && text[at] >= 0x40 && text[at] <= 0x7E)
		at++;
	return at;
}

/* Skip a control string's body up to and including its terminator: ST as ESC \ or as U+009C
 * (C2 9C), or BEL when bel_ends it (OSC). Unterminated strings run to the end, as a terminal
 * would swallow them. */
static size_t skip_string(const unsigned char *text, size_t length, size_t at, bool bel_ends)
{
	while (at < length) {
		if (bel_ends && text[at] == BEL)
			return at + 1;
		if (text[at] == ESC && at + 1 < length && text[at + 1] == '\\')
			return at + 2;
		if (text[at] == 0xC2 && at + 1 < length && text[at + 1] == 0x9C)
			return at + 2;
		if (text[at] == 0x9C)
			return at + 1;
		at++;
	}
	return at;
}

static size_t skip_sequence(const unsigned char *text, size_t length, size_t at, enum sequence kind)
{
	switch (kind) {
	case SEQUENCE_CSI: return skip_csi(text, length, at);
	case SEQUENCE_OSC: return skip_string(text, length, at, true);
	case SEQUENCE_STRING: return skip_string(text, length, at, false);
	case SEQUENCE_NONE: break;
	}
	return at;
}

/* Skip what follows an ESC at text[at - 1]. */
static size_t skip_escape(const unsigned char *text, size_t length, size_t at)
{
	if (at >= length)
		return at;
	switch (text[at]) {
	case '[': return skip_csi(text, length, at + 1);
	case ']': return skip_string(text, length, at + 1, true);
	case 'P': case 'X': case '^': case '_': return skip_string(text, length, at + 1, false);
	default: break;
	}
	/* nF sequences (ESC ( B and the like): intermediates, then one final byte. A plain
	 * two-byte ESC X is the case without intermediates. */
	size_t end = at;
	while (end < length && text[end] >= 0x20 && text[end] <= 0x2F)
		end++;
	if (end < length && text[end] >= 0x30 && text[end] <= 0x7E)
		return end + 1;
	/* Not a sequence: drop the ESC alone and read on. */
	return at;
}

static size_t encode(uint32_t code, char *out)
{
	if (code < 0x80) {
		out[0] = (char)code;
		return 1;
	}
	if (code < 0x800) {
		out[0] = (char)(0xC0 | (code >> 6));
		out[1] = (char)(0x80 | (code & 0x3F));
		return 2;
	}
	if (code < 0x10000) {
		out[0] = (char)(0xE0 | (code >> 12));
		out[1] = (char)(0x80 | ((code >> 6) & 0x3F));
		out[2] = (char)(0x80 | (code & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (code >> 18));
	out[1] = (char)(0x80 | ((code >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((code >> 6) & 0x3F));
	out[3] = (char)(0x80 | (code & 0x3F));
	return 4;
}

/* True when the byte needs no more than a copy: printable ASCII. */
static bool plain(unsigned char byte)
{
	return byte >= 0x20 && byte < 0x7F;
}

size_t text_clean_buffer(char *out, size_t size, const char *input)
{
	if (size == 0)
		return 0;
	if (!input)
		input = "";
	const unsigned char *text = (const unsigned char *)input;
	size_t max_bytes = size - 1;
	size_t used = 0;

	/* Most of what the API sends is printable ASCII: copy that straight. */
	while (plain(text[used]) && used < max_bytes) {
		out[used] = (char)text[used];
		used++;
	}
	if (!text[used] || used == max_bytes) {
		out[used] = '\0';
		return used;
	}

	size_t length = used + strlen(input + used);
	/* In a locale that is not UTF-8, wcwidth() knows nothing beyond ASCII: keep everything
	 * printable rather than drop every accented letter. Asked only when needed. */
	int utf8 = -1;

	size_t at = used;
	while (at < length) {
		unsigned char byte = text[at];
		char encoded[4];
		size_t bytes;

		if (byte == ESC) {
			at = skip_escape(text, length, at + 1);
			continue;
		}
		if (byte < 0x20 || byte == 0x7F) {
			encoded[0] = ' ';
			bytes = 1;
			at++;
		} else {
			int32_t code;
			size_t taken = decode(text + at, length - at, &code);
			at += taken;
			if (code < 0 && byte == 0x9B) {
				/* A raw 8-bit CSI: terminals not in UTF-8 mode act on it, so its
				 * parameters go too. Other stray bytes only become U+FFFD: a
				 * string introducer would swallow the rest of the text. */
				at = skip_csi(text, length, at);
				continue;
			}
			if (code < 0) {
				bytes = encode(REPLACEMENT, encoded);
			} else if (code >= 0x80 && code <= 0x9F) {
				enum sequence kind = c1_sequence(code);
				if (kind != SEQUENCE_NONE) {
					at = skip_sequence(text, length, at, kind);
					continue;
				}
				encoded[0] = ' ';
				bytes = 1;
			} else if (code >= 0x80 && is_format_character(code)) {
				continue;
			} else if (code >= 0x80) {
				if (utf8 < 0)
					utf8 = locale_is_utf8();
				if (utf8 && wcwidth((wchar_t)code) < 0)
					continue;
				bytes = encode((uint32_t)code, encoded);
			} else {
				bytes = encode((uint32_t)code, encoded);
			}
		}

		/* Stop at the bound rather than cut a character. */
		if (used + bytes > max_bytes)
			break;
		memcpy(out + used, encoded, bytes);
		used += bytes;
	}
	out[used] = '\0';
	return used;
}

char *text_clean(const char *input, size_t max_bytes)
{
	size_t length = input ? strlen(input) : 0;
	/* Each input byte yields at most 3 output bytes (a lone bad byte becomes U+FFFD). */
	size_t room = length <= max_bytes / 3 ? length * 3 : max_bytes;
	char *out = xmalloc(room + 1);
	text_clean_buffer(out, room + 1, input);
	return out;
}

/* Width of one decoded character; unprintable ones count as one column, as whatever stands in
 * for them on a terminal would. */
static int char_width(int32_t code)
{
	if (code < 0)
		return 1;
	int width = wcwidth((wchar_t)code);
	return width < 0 ? 1 : width;
}

int text_width(const char *text)
{
	const unsigned char *bytes = (const unsigned char *)text;
	size_t length = strlen(text);
	int width = 0;
	for (size_t at = 0; at < length;) {
		int32_t code;
		at += decode(bytes + at, length - at, &code);
		width += char_width(code);
	}
	return width;
}

size_t text_fit(const char *text, int max_columns, int *used_columns)
{
	const unsigned char *bytes = (const unsigned char *)text;
	size_t length = strlen(text);
	size_t fit = 0;
	int columns = 0;
	if (max_columns > 0) {
		for (size_t at = 0; at < length;) {
			int32_t code;
			size_t taken = decode(bytes + at, length - at, &code);
			int width = char_width(code);
			/* Zero-width marks that follow a character that fits belong to it. */
			if (columns + width > max_columns)
				break;
			columns += width;
			at += taken;
			fit = at;
		}
	}
	if (used_columns)
		*used_columns = columns;
	return fit;
}

void text_clean_in_place(char *text, size_t size)
{
	char *clean;

	if (size == 0)
		return;
	clean = text_clean(text, size - 1);
	snprintf(text, size, "%s", clean);
	free(clean);
}
