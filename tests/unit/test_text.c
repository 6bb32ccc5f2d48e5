/* test_text.c — cleaning of untrusted strings, display widths, and the helpers of util.h. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "text.h"
#include "util.h"

/* Clean input with a generous bound and compare with the expected text. */
static void expect_clean(const char *input, const char *expected)
{
	char *clean = text_clean(input, 1024);
	assert_string_equal(clean, expected);
	free(clean);
}

static void expect_clean_bounded(const char *input, size_t max_bytes, const char *expected)
{
	char *clean = text_clean(input, max_bytes);
	assert_string_equal(clean, expected);
	assert_true(strlen(clean) <= max_bytes);
	free(clean);
}

static void test_plain_text_unchanged(void **state)
{
	(void)state;
	expect_clean("pump-0412", "pump-0412");
	expect_clean("", "");
	expect_clean("Al sdfgjlsdk;jfgls 'djfgjsdkl'f", "Al sdfgjlsdk;jfgls 'djfgjsdkl'f");
	expect_clean(NULL, "");
}

static void test_csi_removed(void **state)
{
	(void)state;
	expect_clean("a\x1b[31mred\x1b[0m b", "ared b");
	expect_clean("\x1b[?25lhidden cursor", "hidden cursor");
	expect_clean("\x1b[2J\x1b[Hclear", "clear");
	expect_clean("x\x1b[1;2 qy", "xy");          /* intermediate byte */
	expect_clean("x\x1b[38;5;196mred", "xred");
	/* A CSI cut short by a control: the sequence ends, the control becomes a space. */
	expect_clean("a\x1b[12\nb", "a b");
}

static void test_osc_removed(void **state)
{
	(void)state;
	expect_clean("x\x1b]0;evil title\x07y", "xy");
	expect_clean("x\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\y", "xlinky");
	expect_clean("x\x1b]52;c;cGFzdGU=\x07y", "xy"); /* clipboard write */
	expect_clean("a\x1b]0;never ends", "a");          /* unterminated: swallowed */
	expect_clean("a\x1b]0;t\xc2\x9c" "b", "ab");      /* ended by U+009C */
}

static void test_string_sequences_removed(void **state)
{
	(void)state;
	expect_clean("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"); /* DCS (sixel) */
	expect_clean("a\x1b_apc payload\x1b\\b", "ab"); /* APC */
	expect_clean("a\x1b^pm payload\x1b\\b", "ab");  /* PM */
	expect_clean("a\x1bXsos payload\x1b\\b", "ab"); /* SOS */
	expect_clean("a\x1bPunterminated", "a");
	/* BEL does not end a DCS. */
	expect_clean("a\x1bPx\x07y\x1b\\b", "ab");
}

static void test_short_escapes_removed(void **state)
{
	(void)state;
	expect_clean("a\x1b" "7b\x1b" "8c", "abc"); /* save / restore cursor */
	expect_clean("a\x1b" "cb", "ab");           /* full reset */
	expect_clean("a\x1b(Bb", "ab");             /* charset designation (nF) */
	expect_clean("a\x1b#8b", "ab");             /* screen alignment test */
	expect_clean("a\x1b", "a");                 /* lone ESC at the end */
	expect_clean("a\x1b\x1b[31mb", "ab");       /* ESC ESC [ */
}

static void test_c1_controls(void **state)
{
	(void)state;
	expect_clean("a\xc2\x9b" "31mb", "ab");          /* U+009B CSI */
	expect_clean("a\x9b" "31mb", "ab");              /* raw 8-bit CSI */
	expect_clean("a\xc2\x9d" "0;title\x07" "b", "ab"); /* U+009D OSC */
	expect_clean("a\xc2\x90" "dcs\xc2\x9c" "b", "ab"); /* U+0090 DCS ... U+009C ST */
	expect_clean("a\xc2\x85" "b", "a b");            /* NEL */
	expect_clean("a\xc2\x80" "b", "a b");
	expect_clean("a\xc2\x9f" "apc\x1b\\b", "ab");    /* U+009F APC */
	/* A raw string introducer is only a bad byte: it must not swallow the text after it. */
	expect_clean("a\x9d" "0;t\x07" "b", "a\xef\xbf\xbd" "0;t b");
}

static void test_c0_controls_and_del(void **state)
{
	(void)state;
	expect_clean("a\tb\nc\rd\x01" "e\x7f", "a b c d e ");
	expect_clean("\x08\x08\x08overwrite", "   overwrite");
	expect_clean("bell\x07", "bell ");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	expect_clean("a\xff" "b", "a\xef\xbf\xbd" "b");
	expect_clean("a\xe2\x82", "a\xef\xbf\xbd");               /* truncated: one U+FFFD */
	expect_clean("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");     /* overlong '/' */
	expect_clean("\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	expect_clean("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
	expect_clean("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	expect_clean("\xe2\x82" "x", "\xef\xbf\xbd" "x");
	expect_clean("\x80", "\xef\xbf\xbd"); /* a stray continuation byte that is also C1 */
	expect_clean("\xa0", "\xef\xbf\xbd");
}

static void test_valid_utf8_kept(void **state)
{
	(void)state;
	expect_clean("Zürich", "Zürich");
	expect_clean("日本語", "日本語");
	expect_clean("pump \xf0\x9f\x98\x80", "pump \xf0\x9f\x98\x80"); /* emoji */
	expect_clean("e\xcc\x81", "e\xcc\x81");                         /* combining acute */
	expect_clean("\xef\xbf\xbd", "\xef\xbf\xbd");
}

static void test_invisible_characters_dropped(void **state)
{
	(void)state;
	expect_clean("a\xe2\x80\x8b" "b", "ab");           /* zero-width space */
	expect_clean("abc\xe2\x80\xae" "def", "abcdef");    /* right-to-left override */
	expect_clean("\xef\xbb\xbf" "bom", "bom");          /* byte order mark */
	expect_clean("a\xe2\x81\xa6" "b\xe2\x81\xa9", "ab"); /* isolates */
	expect_clean("a\xef\xbf\xbe" "b", "ab");            /* noncharacter U+FFFE */
}

static void test_max_bytes(void **state)
{
	(void)state;
	expect_clean_bounded("abcdef", 3, "abc");
	expect_clean_bounded("abcdef", 0, "");
	expect_clean_bounded("日本", 4, "日");
	expect_clean_bounded("日本", 6, "日本");
	expect_clean_bounded("aé", 2, "a");
	expect_clean_bounded("a\xff", 3, "a");               /* U+FFFD needs 3 bytes */
	expect_clean_bounded("\x1b[31mabc", 2, "ab");        /* the bound counts output bytes */
	expect_clean_bounded("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 7, "\xf0\x9f\x98\x80");
}

static void test_clean_in_place(void **state)
{
	(void)state;
	char message[32];
	char small[8] = "ab\xc3\xa9\xc3\xa9";

	snprintf(message, sizeof(message), "a\033[31mred\033[0m\tline\r");
	text_clean_in_place(message, sizeof(message));
	assert_string_equal(message, "ared line ");
	/* Cut to the size given, never in the middle of a character. */
	text_clean_in_place(small, 5);
	assert_string_equal(small, "ab\xc3\xa9");
}

static void test_url_host(void **state)
{
	(void)state;
	char host[16];

	assert_true(util_url_host("https://cdn.emnify.net", host, sizeof(host)));
	assert_string_equal(host, "cdn.emnify.net");
	assert_true(util_url_host("http://127.0.0.1:40000/x?y", host, sizeof(host)));
	assert_string_equal(host, "127.0.0.1");
	assert_true(util_url_host("http://[::1]:8080", host, sizeof(host)));
	assert_string_equal(host, "::1");
	/* User information is not the host: the connection goes after the @. */
	assert_true(util_url_host("http://127.0.0.1@evil.example:80", host, sizeof(host)));
	assert_string_equal(host, "evil.example");
	assert_false(util_url_host("https://", host, sizeof(host)));
	assert_false(util_url_host("http://[::1:8080", host, sizeof(host)));
	assert_false(util_url_host("https://a-host-name-too-long.example", host, sizeof(host)));
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("日本"), 4);
	assert_int_equal(text_width("\xf0\x9f\x98\x80"), 2);
	assert_int_equal(text_width("e\xcc\x81"), 1);
	assert_int_equal(text_width("Zürich"), 6);
	assert_int_equal(text_width("\xef\xbf\xbd"), 1);
	assert_int_equal(text_width("ｱ"), 1); /* half-width katakana */
}

static void test_fit(void **state)
{
	(void)state;
	int used = -1;
	assert_int_equal(text_fit("abc", 10, &used), 3);
	assert_int_equal(used, 3);
	assert_int_equal(text_fit("abcdef", 4, &used), 4);
	assert_int_equal(used, 4);
	/* A wide character that would straddle the edge stays out. */
	assert_int_equal(text_fit("日本語", 5, &used), 6);
	assert_int_equal(used, 4);
	assert_int_equal(text_fit("日本語", 1, &used), 0);
	assert_int_equal(used, 0);
	assert_int_equal(text_fit("a日", 2, &used), 1);
	assert_int_equal(used, 1);
	/* A combining mark stays with its base. */
	assert_int_equal(text_fit("e\xcc\x81x", 1, &used), 3);
	assert_int_equal(used, 1);
	assert_int_equal(text_fit("\xf0\x9f\x98\x80!", 2, &used), 4);
	assert_int_equal(used, 2);
	assert_int_equal(text_fit("abc", 0, &used), 0);
	assert_int_equal(used, 0);
	assert_int_equal(text_fit("abc", -3, NULL), 0);
	assert_int_equal(text_fit("abc", 2, NULL), 2);
}

/* Every prefix text_fit() reports ends on a character boundary. */
static void test_fit_never_splits(void **state)
{
	(void)state;
	const char *text = "aé日\xf0\x9f\x98\x80" "e\xcc\x81z";
	for (int columns = 0; columns <= 10; columns++) {
		int used;
		size_t bytes = text_fit(text, columns, &used);
		assert_true(used <= columns);
		unsigned char next = (unsigned char)text[bytes];
		assert_true(next == '\0' || (next & 0xC0) != 0x80);
		char *prefix = strndup(text, bytes);
		assert_int_equal(text_width(prefix), used);
		free(prefix);
	}
}

/* The string helpers of util.h live here too: they are text handling as well. */
static void test_parse_int64(void **state)
{
	(void)state;
	int64_t value = 0;
	assert_true(util_parse_int64("0", &value));
	assert_int_equal(value, 0);
	assert_true(util_parse_int64("4397515", &value));
	assert_int_equal(value, 4397515);
	assert_true(util_parse_int64("-17", &value));
	assert_int_equal(value, -17);
	assert_true(util_parse_int64("9223372036854775807", &value));
	assert_int_equal(value, INT64_MAX);
	assert_true(util_parse_int64("-9223372036854775808", &value));
	assert_int_equal(value, INT64_MIN);
	value = 42;
	assert_false(util_parse_int64("9223372036854775808", &value));
	assert_false(util_parse_int64("-9223372036854775809", &value));
	assert_false(util_parse_int64("99999999999999999999", &value));
	assert_false(util_parse_int64("", &value));
	assert_false(util_parse_int64("-", &value));
	assert_false(util_parse_int64(" 1", &value));
	assert_false(util_parse_int64("1 ", &value));
	assert_false(util_parse_int64("12a", &value));
	assert_false(util_parse_int64("+1", &value));
	assert_false(util_parse_int64("0x10", &value));
	assert_int_equal(value, 42);
}

static void test_thousands(void **state)
{
	(void)state;
	char buffer[32];
	assert_string_equal(util_thousands(0, buffer, sizeof(buffer)), "0");
	assert_string_equal(util_thousands(999, buffer, sizeof(buffer)), "999");
	assert_string_equal(util_thousands(1000, buffer, sizeof(buffer)), "1,000");
	assert_string_equal(util_thousands(4212, buffer, sizeof(buffer)), "4,212");
	assert_string_equal(util_thousands(1234567, buffer, sizeof(buffer)), "1,234,567");
	assert_string_equal(util_thousands(-1234567, buffer, sizeof(buffer)), "-1,234,567");
	assert_string_equal(util_thousands(INT64_MAX, buffer, sizeof(buffer)), "9,223,372,036,854,775,807");
	assert_string_equal(util_thousands(INT64_MIN, buffer, sizeof(buffer)), "-9,223,372,036,854,775,808");
	char small[4];
	assert_string_equal(util_thousands(1234567, small, sizeof(small)), "1,2");
}

static void test_nocase_and_allocation(void **state)
{
	(void)state;
	assert_true(util_equal_nocase("X-Total-Pages", "x-total-pages"));
	assert_false(util_equal_nocase("X-Total-Pages", "x-total-page"));
	assert_false(util_equal_nocase("a", "ab"));
	assert_true(util_equal_nocase("", ""));
	assert_true(util_prefix_nocase("Content-Type: json", "content-type"));
	assert_true(util_prefix_nocase("abc", ""));
	assert_false(util_prefix_nocase("ab", "abc"));

	size_t capacity = 0;
	int *numbers = xgrow(NULL, &capacity, 1, sizeof(*numbers));
	assert_true(capacity >= 1);
	for (int i = 0; i < 100000; i++) {
		numbers = xgrow(numbers, &capacity, (size_t)i + 1, sizeof(*numbers));
		numbers[i] = i;
	}
	assert_true(capacity >= 100000);
	assert_true(capacity < 200000); /* geometric, not wasteful */
	assert_int_equal(numbers[99999], 99999);
	size_t same = capacity;
	numbers = xgrow(numbers, &capacity, 10, sizeof(*numbers));
	assert_int_equal(capacity, same);
	free(numbers);

	char *text = xasprintf("%s has %d devices", "acme", 4212);
	assert_string_equal(text, "acme has 4212 devices");
	free(text);
	text = xstrndup("abcdef", 3);
	assert_string_equal(text, "abc");
	free(text);
	text = xstrndup("ab", 10);
	assert_string_equal(text, "ab");
	free(text);
	/* The monotonic clock in milliseconds, not seconds or microseconds: read between two
	 * readings of CLOCK_MONOTONIC, it lies between them in milliseconds (no sleep, no
	 * bound on how long anything took). */
	struct timespec first, last;
	clock_gettime(CLOCK_MONOTONIC, &first);
	int64_t now = util_now_ms();
	clock_gettime(CLOCK_MONOTONIC, &last);
	assert_true(now >= (int64_t)first.tv_sec * 1000 + first.tv_nsec / 1000000);
	assert_true(now <= (int64_t)last.tv_sec * 1000 + last.tv_nsec / 1000000);
}

static void hook_marks_pipe(void)
{
	fputs("[hook]", stderr);
	fflush(stderr);
}

/* die() runs the hook (which restores the terminal) before its message, then exits. */
/* Quoted words come back from a shell exactly as they were. */
static void test_shell_quote(void **state)
{
	(void)state;
	static const char *const words[] = {
		"/home/op/.local/state/simtop/journal/2026-12-01T10:00:00Z-offline.jsonl",
		"", "it's", "''", "a b\tc", "$HOME `id` $(id) \"x\" \\ ; & | * ? ~ !", "日本",
	};
	char *quoted = util_shell_quote("it's");
	assert_string_equal(quoted, "'it'\\''s'");
	free(quoted);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		quoted = util_shell_quote(words[i]);
		char *command = xasprintf("printf '%%s' %s", quoted);
		FILE *shell = popen(command, "r");
		assert_non_null(shell);
		char output[256] = "";
		size_t length = fread(output, 1, sizeof(output) - 1, shell);
		output[length] = '\0';
		assert_int_equal(pclose(shell), 0);
		assert_string_equal(output, words[i]);
		free(command);
		free(quoted);
	}
}

static void test_die(void **state)
{
	(void)state;
	int pipe_fds[2];
	assert_int_equal(pipe(pipe_fds), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		dup2(pipe_fds[1], STDERR_FILENO);
		close(pipe_fds[0]);
		util_die_hook = hook_marks_pipe;
		die(5, "boom %d", 7);
	}
	close(pipe_fds[1]);
	char output[128] = "";
	size_t used = 0;
	ssize_t got;
	while ((got = read(pipe_fds[0], output + used, sizeof(output) - 1 - used)) > 0)
		used += (size_t)got;
	output[used] = '\0';
	close(pipe_fds[0]);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 5);
	assert_string_equal(output, "[hook]simtop: boom 7\n");
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		return 77; /* skip: no UTF-8 locale */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_csi_removed),
		cmocka_unit_test(test_osc_removed),
		cmocka_unit_test(test_string_sequences_removed),
		cmocka_unit_test(test_short_escapes_removed),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_c0_controls_and_del),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_valid_utf8_kept),
		cmocka_unit_test(test_invisible_characters_dropped),
		cmocka_unit_test(test_max_bytes),
		cmocka_unit_test(test_clean_in_place),
		cmocka_unit_test(test_url_host),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_fit_never_splits),
		cmocka_unit_test(test_parse_int64),
		cmocka_unit_test(test_thousands),
		cmocka_unit_test(test_nocase_and_allocation),
		cmocka_unit_test(test_die),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
