/* text.h — untrusted strings: cleaning and display widths. No curses here.
 *
 * Every string that comes from the API passes through text_clean() before it is stored, so
 * nothing that reaches the terminal can carry control characters or escape sequences. Widths
 * are display columns (wcwidth), not bytes. The locale must be UTF-8 (setlocale done by main). */
#ifndef SIMTOP_TEXT_H
#define SIMTOP_TEXT_H

#include <stddef.h>

/* Copy at most max_bytes of cleaned text (the terminating NUL not counted) into a new string,
 * never cutting a character: invalid UTF-8 becomes U+FFFD (one per malformed sequence);
 * escape sequences are removed whole — CSI, OSC (ended by BEL or ST), DCS/SOS/PM/APC (ended by
 * ST; unterminated ones run to the end), ESC with intermediates and a final byte — and so are
 * their C1 forms (U+009B, U+009D, U+0090, …) and a raw 0x9B byte with its parameters; other
 * C0/C1 controls and DEL become a space; characters wcwidth() calls unprintable, and invisible
 * format characters (zero-width space, bidi controls, BOM), are dropped. Combining marks stay.
 * input may be NULL (gives ""). The caller frees the result. */
char *text_clean(const char *input, size_t max_bytes);
/* The same into out, which holds size bytes (the NUL included; size 0 writes nothing).
 * Returns the length written. */
size_t text_clean_buffer(char *out, size_t size, const char *input);

/* Clean text, a string in a buffer of size bytes, in place (as text_clean, cut to fit): for
 * messages that quote a file's name or content, or anything else from outside. */
void text_clean_in_place(char *text, size_t size);

/* Display width of a cleaned UTF-8 string (anything unprintable left in it counts 1). */
int text_width(const char *text);

/* Number of bytes of text that fit in max_columns display columns without splitting a
 * character (combining marks stay with their base); *used_columns (may be NULL) receives the
 * columns those bytes take. */
size_t text_fit(const char *text, int max_columns, int *used_columns);

/* ASCII case folding ('A'..'Z' to 'a'..'z', nothing else): names and tags from the API are
 * free text, but the words people type to find them are ASCII. */
static inline unsigned char text_fold(unsigned char c)
{
	return (unsigned char)(c - 'A') < 26 ? (unsigned char)(c | 0x20) : c;
}

#endif
