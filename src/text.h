/* text.h — untrusted strings: cleaning and display widths. No curses here.
 *
 * Every string that comes from the API passes through text_clean() before it is stored, so
 * nothing that reaches the terminal can carry control characters or escape sequences. Widths
 * are display columns (wcwidth), not bytes. The locale must be UTF-8 (setlocale done by main). */
#ifndef SIMTOP_TEXT_H
#define SIMTOP_TEXT_H

#include <stddef.h>

/* Copy at most max_bytes of cleaned text into a new string: invalid UTF-8 becomes U+FFFD,
 * ESC sequences (CSI, OSC, …) are removed whole, other C0/C1 controls and DEL become a space,
 * and zero-width or unprintable characters are dropped. The caller frees the result. */
char *text_clean(const char *input, size_t max_bytes);

/* Display width of a cleaned UTF-8 string. */
int text_width(const char *text);

/* Number of bytes of text that fit in max_columns display columns without splitting a
 * character; *used_columns (may be NULL) receives the columns those bytes take. */
size_t text_fit(const char *text, int max_columns, int *used_columns);

#endif
