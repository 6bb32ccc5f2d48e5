/* emu_buf.c — growing buffer and JSON string writers. */
#include "emu_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
	fputs("simtop-emu: out of memory\n", stderr);
	abort();
}

void emu_buf_reserve(struct emu_buf *buf, size_t extra)
{
	size_t need = buf->length + extra + 1;
	if (need <= buf->capacity)
		return;
	size_t capacity = buf->capacity ? buf->capacity : 256;
	while (capacity < need)
		capacity *= 2;
	char *data = realloc(buf->data, capacity);
	if (!data)
		out_of_memory();
	buf->data = data;
	buf->capacity = capacity;
}

void emu_buf_add(struct emu_buf *buf, const char *bytes, size_t length)
{
	emu_buf_reserve(buf, length);
	memcpy(buf->data + buf->length, bytes, length);
	buf->length += length;
	buf->data[buf->length] = '\0';
}

void emu_buf_add_str(struct emu_buf *buf, const char *text)
{
	emu_buf_add(buf, text, strlen(text));
}

void emu_buf_add_char(struct emu_buf *buf, char c)
{
	emu_buf_reserve(buf, 1);
	buf->data[buf->length++] = c;
	buf->data[buf->length] = '\0';
}

void emu_buf_add_int(struct emu_buf *buf, int64_t value)
{
	char digits[24];
	int n = 0;
	/* Work on the unsigned magnitude so INT64_MIN does not overflow. */
	uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
	do {
		digits[n++] = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude);
	emu_buf_reserve(buf, (size_t)n + 1);
	if (value < 0)
		buf->data[buf->length++] = '-';
	while (n)
		buf->data[buf->length++] = digits[--n];
	buf->data[buf->length] = '\0';
}

void emu_buf_printf(struct emu_buf *buf, const char *format, ...)
{
	/* Format into the spare room first; only a longer text needs a second pass. */
	emu_buf_reserve(buf, 128);
	size_t room = buf->capacity - buf->length;
	va_list args;
	va_start(args, format);
	int needed = vsnprintf(buf->data + buf->length, room, format, args);
	va_end(args);
	if (needed < 0) {
		buf->data[buf->length] = '\0';
		return;
	}
	if ((size_t)needed >= room) {
		emu_buf_reserve(buf, (size_t)needed);
		va_start(args, format);
		vsnprintf(buf->data + buf->length, (size_t)needed + 1, format, args);
		va_end(args);
	}
	buf->length += (size_t)needed;
}

void emu_buf_add_json_string(struct emu_buf *buf, const char *text)
{
	static const char hex[] = "0123456789abcdef";
	size_t length = strlen(text);
	/* Worst case every byte becomes \u00XX. */
	emu_buf_reserve(buf, length * 6 + 2);
	char *out = buf->data + buf->length;
	*out++ = '"';
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			*out++ = '\\';
			*out++ = (char)c;
		} else if (c >= 0x20) {
			*out++ = (char)c;
		} else if (c == '\n') {
			*out++ = '\\';
			*out++ = 'n';
		} else if (c == '\r') {
			*out++ = '\\';
			*out++ = 'r';
		} else if (c == '\t') {
			*out++ = '\\';
			*out++ = 't';
		} else if (c == '\b') {
			*out++ = '\\';
			*out++ = 'b';
		} else if (c == '\f') {
			*out++ = '\\';
			*out++ = 'f';
		} else {
			memcpy(out, "\\u00", 4);
			out += 4;
			*out++ = hex[c >> 4];
			*out++ = hex[c & 15];
		}
	}
	*out++ = '"';
	buf->length = (size_t)(out - buf->data);
	buf->data[buf->length] = '\0';
}

void emu_buf_add_json_string_or_null(struct emu_buf *buf, const char *text)
{
	if (text)
		emu_buf_add_json_string(buf, text);
	else
		emu_buf_add(buf, "null", 4);
}

char *emu_buf_take(struct emu_buf *buf, size_t *length)
{
	if (!buf->data)
		emu_buf_reserve(buf, 0);
	char *data = buf->data;
	data[buf->length] = '\0';
	if (length)
		*length = buf->length;
	buf->data = NULL;
	buf->length = 0;
	buf->capacity = 0;
	return data;
}

void emu_buf_free(struct emu_buf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->length = 0;
	buf->capacity = 0;
}
