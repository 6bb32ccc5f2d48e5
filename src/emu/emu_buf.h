/* emu_buf.h — a growing byte buffer with the few JSON writers the emulator needs.
 *
 * Responses are built here in one allocation that doubles as needed, so a page of 1000 objects
 * costs a handful of reallocs, not thousands of small mallocs. Allocation failure aborts the
 * process (the emulator has nothing sensible to do without memory), so no writer can fail.
 *
 * The buffer is always NUL-terminated after data[length], which lets callers hand it to
 * string functions; the terminator is not part of length. */
#ifndef SIMTOP_EMU_BUF_H
#define SIMTOP_EMU_BUF_H

#include <stddef.h>
#include <stdint.h>

struct emu_buf {
	char *data;     /* owned; NULL until the first write */
	size_t length;
	size_t capacity;
};

/* Make room for at least extra more bytes (plus the terminator). */
void emu_buf_reserve(struct emu_buf *buf, size_t extra);

void emu_buf_add(struct emu_buf *buf, const char *bytes, size_t length);
void emu_buf_add_str(struct emu_buf *buf, const char *text);
void emu_buf_add_char(struct emu_buf *buf, char c);
void emu_buf_add_int(struct emu_buf *buf, int64_t value);

/* Append printf-style text (for the rare, small, non-hot pieces). */
void emu_buf_printf(struct emu_buf *buf, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* Append text as a JSON string literal with its quotes. Bytes below 0x20 become \u00XX (or \n,
 * \t, ...), '"' and '\\' are escaped, everything else (UTF-8 included) is copied as is. */
void emu_buf_add_json_string(struct emu_buf *buf, const char *text);

/* Append a JSON string, or null when text is NULL. */
void emu_buf_add_json_string_or_null(struct emu_buf *buf, const char *text);

/* Give the data away: the caller owns the returned pointer (free() it) and buf is empty again.
 * Never NULL, even for an empty buffer. */
char *emu_buf_take(struct emu_buf *buf, size_t *length);

void emu_buf_free(struct emu_buf *buf);

#endif
