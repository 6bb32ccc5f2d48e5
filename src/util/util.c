/* util.c — allocation that never returns NULL, fatal errors, small string helpers. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

void (*util_die_hook)(void);

void die(int code, const char *format, ...)
{
	/* Clear the hook first: if restoring the terminal dies too, we must not loop. */
	void (*hook)(void) = util_die_hook;
	util_die_hook = NULL;
	if (hook)
		hook();

	va_list args;
	va_start(args, format);
	fputs("simtop: ", stderr);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
	va_end(args);
	exit(code);
}

static void out_of_memory(size_t size)
{
	die(3, "out of memory (%zu bytes)", size);
}

void *xmalloc(size_t size)
{
	void *pointer = malloc(size ? size : 1);
	if (!pointer)
		out_of_memory(size);
	return pointer;
}

void *xcalloc(size_t count, size_t size)
{
	void *pointer = calloc(count ? count : 1, size ? size : 1);
	if (!pointer)
		out_of_memory(count * size);
	return pointer;
}

void *xrealloc(void *pointer, size_t size)
{
	void *grown = realloc(pointer, size ? size : 1);
	if (!grown)
		out_of_memory(size);
	return grown;
}

void *xgrow(void *pointer, size_t *capacity, size_t need, size_t size)
{
	if (need <= *capacity)
		return pointer;
	/* Grow geometrically for amortised O(1) appends: by half, and by a quarter once an array
	 * passes 16 MiB, so the fleet's big arrays carry little slack (large reallocs move
	 * pages, not bytes). */
	size_t grown = *capacity < 16 ? 16 : *capacity;
	size_t unit = size ? size : 1;
	while (grown < need) {
		if (grown > SIZE_MAX / 2 / unit)
			out_of_memory(SIZE_MAX);
		grown += grown * unit < ((size_t)16 << 20) ? grown / 2 : grown / 4;
	}
	pointer = xrealloc(pointer, grown * size);
	*capacity = grown;
	return pointer;
}

char *xstrdup(const char *text)
{
	return xstrndup(text, strlen(text));
}

char *xstrndup(const char *text, size_t length)
{
	size_t actual = strnlen(text, length);
	char *copy = xmalloc(actual + 1);
	memcpy(copy, text, actual);
	copy[actual] = '\0';
	return copy;
}

char *xasprintf(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	int length = vsnprintf(NULL, 0, format, args);
	va_end(args);
	if (length < 0)
		die(3, "cannot format a message: %s", strerror(errno));

	char *text = xmalloc((size_t)length + 1);
	va_start(args, format);
	vsnprintf(text, (size_t)length + 1, format, args);
	va_end(args);
	return text;
}

const char *util_home_directory(void)
{
	const char *home = getenv("HOME");
	struct passwd *entry;

	if (home && *home)
		return home;
	entry = getpwuid(getuid());
	return entry && entry->pw_dir && *entry->pw_dir ? entry->pw_dir : NULL;
}

char *util_expand_home(const char *path)
{
	const char *home;

	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') && (home = util_home_directory()))
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

char *util_shell_quote(const char *text)
{
	size_t quotes = 0;
	for (const char *c = text; *c; c++)
		quotes += *c == '\'';
	char *quoted = xmalloc(strlen(text) + 3 * quotes + 3);
	char *out = quoted;
	*out++ = '\'';
	for (const char *c = text; *c; c++) {
		if (*c == '\'') {
			memcpy(out, "'\\''", 4);
			out += 4;
		} else {
			*out++ = *c;
		}
	}
	*out++ = '\'';
	*out = '\0';
	return quoted;
}

bool util_url_host(const char *url, char *host, size_t size)
{
	const char *authority = strstr(url, "://");
	const char *end, *at, *host_end;

	authority = authority ? authority + 3 : url;
	end = authority + strcspn(authority, "/?#");
	at = memchr(authority, '@', (size_t)(end - authority));
	if (at)
		authority = at + 1;
	if (*authority == '[') {
		host_end = memchr(authority, ']', (size_t)(end - authority));
		if (!host_end)
			return false;
		authority++;
	} else {
		host_end = memchr(authority, ':', (size_t)(end - authority));
		if (!host_end)
			host_end = end;
	}
	if (host_end == authority || (size_t)(host_end - authority) >= size)
		return false;
	memcpy(host, authority, (size_t)(host_end - authority));
	host[host_end - authority] = '\0';
	return true;
}

int64_t util_now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

bool util_equal_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

bool util_prefix_nocase(const char *text, const char *prefix)
{
	for (; *prefix; text++, prefix++)
		if (!*text || tolower((unsigned char)*text) != tolower((unsigned char)*prefix))
			return false;
	return true;
}

bool util_suffix_nocase(const char *text, size_t length, const char *suffix)
{
	size_t suffix_length = strlen(suffix);

	return length >= suffix_length && strncasecmp(text + length - suffix_length, suffix, suffix_length) == 0;
}

char *util_trim(char *text, const char *set)
{
	while (*text && strchr(set, *text))
		text++;
	size_t length = strlen(text);
	while (length > 0 && strchr(set, text[length - 1]))
		text[--length] = '\0';
	return text;
}

bool util_parse_int64(const char *text, int64_t *value)
{
	bool negative = *text == '-';
	if (negative)
		text++;
	if (!*text)
		return false;

	/* Accumulate as a negative number: its range holds INT64_MIN. */
	int64_t result = 0;
	for (; *text; text++) {
		if (*text < '0' || *text > '9')
			return false;
		int digit = *text - '0';
		if (result < (INT64_MIN + digit) / 10)
			return false;
		result = result * 10 - digit;
	}
	if (!negative) {
		if (result == INT64_MIN)
			return false;
		result = -result;
	}
	*value = result;
	return true;
}

char *util_thousands(int64_t value, char *buffer, size_t size)
{
	/* Digits from the right, as an unsigned magnitude so INT64_MIN works. */
	char digits[32];
	size_t length = 0;
	uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
	int group = 0;
	do {
		if (group == 3) {
			digits[length++] = ',';
			group = 0;
		}
		digits[length++] = (char)('0' + magnitude % 10);
		magnitude /= 10;
		group++;
	} while (magnitude);
	if (value < 0)
		digits[length++] = '-';

	if (size == 0)
		return buffer;
	size_t out = 0;
	while (length && out + 1 < size)
		buffer[out++] = digits[--length];
	buffer[out] = '\0';
	return buffer;
}

void util_json_string(FILE *out, const char *text)
{
	fputc('"', out);
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		switch (*c) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*c < 0x20 || *c == 0x7F)
				fprintf(out, "\\u%04x", *c);
			else
				fputc(*c, out);
		}
	}
	fputc('"', out);
}

void util_format_duration(double seconds, char *buffer, size_t size)
{
	long whole = (long)(seconds + 0.5);

	if (whole < 1)
		snprintf(buffer, size, "under 1 s");
	else if (whole < 60)
		snprintf(buffer, size, "%ld s", whole);
	else if (whole < 3600)
		snprintf(buffer, size, "%ld min %ld s", whole / 60, whole % 60);
	else
		snprintf(buffer, size, "%ld h %ld min", whole / 3600, whole % 3600 / 60);
}

char *util_base64(const void *data, size_t length)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *in = data;
	char *out = xmalloc((length + 2) / 3 * 4 + 1), *at = out;
	for (size_t i = 0; i < length; i += 3) {
		uint32_t bits = (uint32_t)in[i] << 16 | (i + 1 < length ? (uint32_t)in[i + 1] << 8 : 0) |
				(i + 2 < length ? in[i + 2] : 0);
		*at++ = alphabet[bits >> 18 & 63];
		*at++ = alphabet[bits >> 12 & 63];
		*at++ = i + 1 < length ? alphabet[bits >> 6 & 63] : '=';
		*at++ = i + 2 < length ? alphabet[bits & 63] : '=';
	}
	*at = '\0';
	return out;
}
