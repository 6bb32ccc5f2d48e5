/* util.h — allocation that never returns NULL, fatal errors, small string helpers. */
#ifndef SIMTOP_UTIL_H
#define SIMTOP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation wrappers: on failure they print a message and exit(3). Never NULL. */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *pointer, size_t size);
/* Grow an array of count elements of size bytes so that it holds at least need elements. */
void *xgrow(void *pointer, size_t *capacity, size_t need, size_t size);
char *xstrdup(const char *text);
char *xstrndup(const char *text, size_t length);
/* printf into a newly allocated string; the caller frees it. */
char *xasprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Called by die() before it prints, so the terminal can be restored first. */
extern void (*util_die_hook)(void);
/* Print "simtop: MESSAGE" to stderr and exit(code). */
void die(int code, const char *format, ...) __attribute__((format(printf, 2, 3), noreturn));

/* $HOME, else the password database's home directory; NULL when neither gives one. */
const char *util_home_directory(void);
/* "~" or "~/x" → the home directory (+ "/x"); any other path is copied as it is. The caller
 * frees the result. */
char *util_expand_home(const char *path);

/* text as one word for a POSIX shell, to paste as it is printed: 'text', each ' inside written
 * as '\''. The caller frees the result. */
char *util_shell_quote(const char *text);

/* The host of a URL ("https://user@host:8080/x" → "host", "http://[::1]:9" → "::1"): what
 * the connection goes to, user information and port left out. false when the URL has none,
 * its [IPv6] address is not closed, or the host does not fit in size - 1 bytes. */
bool util_url_host(const char *url, char *host, size_t size);

/* Monotonic clock in milliseconds. */
int64_t util_now_ms(void);

/* Case-insensitive ASCII comparisons. */
bool util_equal_nocase(const char *a, const char *b);
bool util_prefix_nocase(const char *text, const char *prefix);
/* The length bytes of text end in suffix, ASCII case ignored. */
bool util_suffix_nocase(const char *text, size_t length, const char *suffix);

/* White space as the C locale's isspace() has it, whatever the locale is. */
#define UTIL_BLANKS " \t\r\n\f\v"
static inline bool util_is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}
/* Cut every character of set off both ends of text, in place; returns the new start. Callers
 * name the set: a config file trims UTIL_BLANKS, a CSV cell only spaces and tabs. */
char *util_trim(char *text, const char *set);

/* length bytes as base64 (RFC 4648, with padding), NUL-terminated; the caller frees it. */
char *util_base64(const void *data, size_t length);

/* Parse a decimal int64; false on any junk, overflow or empty input. */
bool util_parse_int64(const char *text, int64_t *value);

/* Write text as a JSON string, quotes included, control characters escaped. */
void util_json_string(FILE *out, const char *text);

/* "under 1 s", "12 s", "4 min 10 s", "2 h 5 min" into buffer. */
void util_format_duration(double seconds, char *buffer, size_t size);

/* Format 1234567 as "1,234,567" into buffer (at least 32 bytes); returns buffer. */
char *util_thousands(int64_t value, char *buffer, size_t size);

#endif
