/* test_prompt.c — the status-line editor: readline's keys, characters that are more than a
 * byte or a column, the window that keeps the cursor in sight, and Tab completing file names
 * in a scratch directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <locale.h>

#include <cmocka.h>
#include <curses.h>

#include "keys.h"
#include "prompt.h"
#include "scratch.h"

#define CTRL(letter) ((letter) - 'a' + 1)

/* Type a script of keys as the test scripts write them ("ab<Left><C-w>"). */
static enum prompt_result type(struct prompt *prompt, const char *keys)
{
	enum prompt_result result = PROMPT_EDITING;
	while (*keys) {
		size_t length = 0;
		int key = keys_parse(keys, &length);
		assert_true(key >= 0);
		result = prompt_key(prompt, key);
		keys += length;
	}
	return result;
}

/* The text with a | where the cursor is. */
static const char *with_cursor(const struct prompt *prompt)
{
	static char shown[PROMPT_TEXT_MAX + 1];
	snprintf(shown, sizeof(shown), "%.*s|%s", (int)prompt->cursor, prompt->text, prompt->text + prompt->cursor);
	return shown;
}

static void test_moves_and_erases(void **state)
{
	(void)state;
	struct prompt prompt = { 0 };
	prompt_open(&prompt, "filter: ", "sim:act", NULL);
	assert_string_equal(with_cursor(&prompt), "sim:act|");
	type(&prompt, "<C-a>");
	assert_string_equal(with_cursor(&prompt), "|sim:act");
	type(&prompt, "<Right><C-f>");
	assert_string_equal(with_cursor(&prompt), "si|m:act");
	type(&prompt, "<C-e>");
	assert_string_equal(with_cursor(&prompt), "sim:act|");
	type(&prompt, "<Home>x<End>y");
	assert_string_equal(with_cursor(&prompt), "xsim:acty|");
	type(&prompt, "<Left><C-b><Backspace>");
	assert_string_equal(with_cursor(&prompt), "xsim:a|ty");
	type(&prompt, "<Delete>");
	assert_string_equal(with_cursor(&prompt), "xsim:a|y");
	type(&prompt, "<C-d><C-h>");
	assert_string_equal(with_cursor(&prompt), "xsim:|");
	/* At the ends nothing moves or goes. */
	type(&prompt, "<Right><Delete><Home><Left><Backspace>");
	assert_string_equal(with_cursor(&prompt), "|xsim:");
	assert_int_equal(prompt_key(&prompt, '\n'), PROMPT_ACCEPT);
	assert_int_equal(prompt_key(&prompt, 27), PROMPT_CANCEL);
}

static void test_kills_and_yank(void **state)
{
	(void)state;
	struct prompt prompt = { 0 };
	prompt_open(&prompt, "filter: ", "sim:act ep:dis  tag:pumps", NULL);
	/* Ctrl-W: back over the blanks, then the word. */
	type(&prompt, "<C-w>");
	assert_string_equal(with_cursor(&prompt), "sim:act ep:dis  |");
	type(&prompt, "<C-w>");
	assert_string_equal(with_cursor(&prompt), "sim:act |");
	type(&prompt, "<C-y>");
	assert_string_equal(with_cursor(&prompt), "sim:act ep:dis  |");
	/* Ctrl-U kills from the start to the cursor only; Ctrl-K from the cursor to the end. */
	type(&prompt, "<Left><Left><Left><Left><Left><Left><Left><Left>");
	assert_string_equal(with_cursor(&prompt), "sim:act |ep:dis  ");
	type(&prompt, "<C-u>");
	assert_string_equal(with_cursor(&prompt), "|ep:dis  ");
	type(&prompt, "<C-e><C-y>");
	assert_string_equal(with_cursor(&prompt), "ep:dis  sim:act |");
	type(&prompt, "<C-a><Right><Right><Right><C-k>");
	assert_string_equal(with_cursor(&prompt), "ep:|");
	type(&prompt, "<C-a><C-y>");
	assert_string_equal(with_cursor(&prompt), "dis  sim:act |ep:");
	/* Nothing killed when there is nothing to kill: the last kill stays. */
	type(&prompt, "<C-e><C-k><C-y>");
	assert_string_equal(with_cursor(&prompt), "dis  sim:act ep:dis  sim:act |");

	/* In a path, Ctrl-W stops at a '/' too. */
	prompt_open(&prompt, "file: ", "~/exports/old.csv", NULL);
	prompt.complete_paths = true;
	type(&prompt, "<C-w>");
	assert_string_equal(with_cursor(&prompt), "~/exports/|");
	type(&prompt, "<C-w>");
	assert_string_equal(with_cursor(&prompt), "~/|");
	/* What one prompt killed, the next can put back. */
	prompt_open(&prompt, "file: ", NULL, NULL);
	type(&prompt, "<C-y>");
	assert_string_equal(with_cursor(&prompt), "exports/|");
}

/* é as one code point and as e + a combining accent, and a wide character: each is one step
 * of the cursor and one Backspace; the window counts its columns. */
static void test_characters_and_columns(void **state)
{
	(void)state;
	struct prompt prompt = { 0 };
	prompt_open(&prompt, "name: ", "a\u00e9e\u0301\u65e5z", NULL);
	type(&prompt, "<Left>");
	assert_string_equal(with_cursor(&prompt), "a\u00e9e\u0301\u65e5|z");
	type(&prompt, "<Left>");
	assert_string_equal(with_cursor(&prompt), "a\u00e9e\u0301|\u65e5z");
	assert_int_equal(prompt_cursor_bytes(&prompt), 3);
	size_t start;
	int column;
	prompt_view(&prompt, 40, &start, &column);
	assert_int_equal(start, 0);
	assert_int_equal(column, 3); /* a, é, e with its accent */
	type(&prompt, "<Left>");
	assert_string_equal(with_cursor(&prompt), "a\u00e9|e\u0301\u65e5z");
	assert_int_equal(prompt_cursor_bytes(&prompt), 3);
	type(&prompt, "<Left>");
	assert_string_equal(with_cursor(&prompt), "a|\u00e9e\u0301\u65e5z");
	type(&prompt, "<Right><Right><Backspace>");
	assert_string_equal(with_cursor(&prompt), "a\u00e9|\u65e5z");
	type(&prompt, "<Delete>");
	assert_string_equal(with_cursor(&prompt), "a\u00e9|z");
	/* Typed characters go in whole. */
	assert_int_equal(prompt_key(&prompt, KEYS_CHARACTER | 0x65e5), PROMPT_EDITING);
	assert_string_equal(with_cursor(&prompt), "a\u00e9\u65e5|z");
	/* The filter's error column counts code points: the 4th is z, 4 columns in. */
	assert_int_equal(prompt_character_column(&prompt, 0, 4), 4);
	assert_int_equal(prompt_character_column(&prompt, 1, 1), -1);
}

/* A text wider than the room: the window follows the cursor and comes back when the end of the
 * text leaves room. */
static void test_window_follows_cursor(void **state)
{
	(void)state;
	struct prompt prompt = { 0 };
	prompt_open(&prompt, "file: ", "0123456789abcdefghij", NULL);
	size_t start;
	int column;
	prompt_view(&prompt, 10, &start, &column);
	/* At the end: the last 9 characters and the cursor's blank. */
	assert_int_equal(start, 11);
	assert_int_equal(column, 9);
	/* Off the end, the cursor's blank is not needed: the last 10 show. */
	type(&prompt, "<Left><Left><Left>");
	prompt_view(&prompt, 10, &start, &column);
	assert_int_equal(start, 10);
	assert_int_equal(column, 7);
	type(&prompt, "<Home>");
	prompt_view(&prompt, 10, &start, &column);
	assert_int_equal(start, 0);
	assert_int_equal(column, 0);
	type(&prompt, "<Right><Right><Right><Right><Right><Right><Right><Right><Right><Right>");
	prompt_view(&prompt, 10, &start, &column);
	assert_int_equal(start, 1);
	assert_int_equal(column, 9);
	/* Wide characters: never half of one on the left edge. */
	prompt_open(&prompt, "file: ", "\u65e5\u65e5\u65e5\u65e5\u65e5\u65e5", NULL);
	prompt_view(&prompt, 6, &start, &column);
	assert_int_equal(start, 12); /* two of them (4 columns) and the blank */
	assert_int_equal(column, 4);
	/* Shorter text: all of it shows again. */
	type(&prompt, "<C-u>ab");
	prompt_view(&prompt, 6, &start, &column);
	assert_int_equal(start, 0);
	assert_int_equal(column, 2);
}

static void test_history(void **state)
{
	(void)state;
	struct prompt_history history = { 0 };
	prompt_history_add(&history, "one");
	prompt_history_add(&history, "two");
	prompt_history_add(&history, "two");
	prompt_history_add(&history, "");
	assert_int_equal(history.count, 2);
	struct prompt prompt = { 0 };
	prompt_open(&prompt, "filter: ", NULL, &history);
	type(&prompt, "new<Up>");
	assert_string_equal(prompt.text, "two");
	type(&prompt, "<C-p>");
	assert_string_equal(prompt.text, "one");
	type(&prompt, "<Up>");
	assert_string_equal(prompt.text, "one");
	type(&prompt, "<Down><C-n>");
	assert_string_equal(with_cursor(&prompt), "new|");
	prompt_history_free(&history);
}

/* The keys the prompt leaves to the caller (Ctrl-L redraws over any prompt). */
static void test_uses_key(void **state)
{
	(void)state;
	struct prompt prompt = { 0 };
	prompt_open(&prompt, "filter: ", NULL, NULL);
	assert_true(prompt_uses_key(&prompt, 'l'));
	assert_true(prompt_uses_key(&prompt, CTRL('w')));
	assert_true(prompt_uses_key(&prompt, KEY_LEFT));
	assert_false(prompt_uses_key(&prompt, CTRL('l')));
	assert_false(prompt_uses_key(&prompt, KEY_F(1)));
	/* Tab completes in a path prompt only; the filter's Tab does nothing. */
	assert_false(prompt_uses_key(&prompt, '\t'));
	type(&prompt, "sim<Tab>");
	assert_string_equal(with_cursor(&prompt), "sim|");
	assert_string_equal(prompt.note, "");
	prompt.complete_paths = true;
	assert_true(prompt_uses_key(&prompt, '\t'));
}

static void touch(const char *directory, const char *name)
{
	char *path = xasprintf("%s/%s", directory, name);
	FILE *file = fopen(path, "w");
	assert_non_null(file);
	fclose(file);
	free(path);
}

static void make_directory(const char *directory, const char *name)
{
	char *path = xasprintf("%s/%s", directory, name);
	assert_int_equal(mkdir(path, 0700), 0);
	free(path);
}

/* Tab in a scratch directory: the longest common prefix, a '/' after a directory (and after a
 * link to one), the second Tab's list, hidden names, ~/, and names that could not be shown. */
static void test_tab_completes_paths(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("prompt");
	touch(directory, "fleet-march.csv");
	touch(directory, "fleet-may.csv");
	touch(directory, "other.json");
	touch(directory, ".hidden.csv");
	touch(directory, "bad\033[31m.csv");
	make_directory(directory, "exports");
	touch(directory, "exports/a.csv");
	char *link = xasprintf("%s/linked", directory);
	assert_int_equal(symlink("exports", link), 0);
	free(link);

	struct prompt prompt = { 0 };
	char *typed = xasprintf("%s/fl", directory);
	prompt_open(&prompt, "file: ", typed, NULL);
	prompt.complete_paths = true;
	/* The names agree as far as "fleet-ma". */
	type(&prompt, "<Tab>");
	char *expected = xasprintf("%s/fleet-ma|", directory);
	assert_string_equal(with_cursor(&prompt), expected);
	free(expected);
	assert_string_equal(prompt.note, "2 names begin with \"fleet-ma\": Tab again lists them");
	type(&prompt, "<Tab>");
	assert_string_equal(prompt.note, "2 names:  fleet-march.csv  fleet-may.csv");
	/* Any other key takes the list away; one more letter makes the name unique. */
	type(&prompt, "y");
	assert_string_equal(prompt.note, "");
	type(&prompt, "<Tab>");
	expected = xasprintf("%s/fleet-may.csv|", directory);
	assert_string_equal(with_cursor(&prompt), expected);
	free(expected);

	/* A directory gets its '/', and so does a link to one. */
	free(typed);
	typed = xasprintf("%s/exp", directory);
	prompt_open(&prompt, "file: ", typed, NULL);
	prompt.complete_paths = true;
	type(&prompt, "<Tab>");
	expected = xasprintf("%s/exports/|", directory);
	assert_string_equal(with_cursor(&prompt), expected);
	free(expected);
	type(&prompt, "<Tab>");
	expected = xasprintf("%s/exports/a.csv|", directory);
	assert_string_equal(with_cursor(&prompt), expected);
	free(expected);
	free(typed);
	typed = xasprintf("%s/li", directory);
	prompt_open(&prompt, "file: ", typed, NULL);
	prompt.complete_paths = true;
	type(&prompt, "<Tab>");
	expected = xasprintf("%s/linked/|", directory);
	assert_string_equal(with_cursor(&prompt), expected);
	free(expected);

	/* Hidden names only after a '.'; the name with an escape sequence never. */
	free(typed);
	typed = xasprintf("%s/", directory);
	prompt_open(&prompt, "file: ", typed, NULL);
	prompt.complete_paths = true;
	type(&prompt, "<Tab>");
	assert_string_equal(prompt.note, "5 names: Tab again lists them");
	type(&prompt, "<Tab>");
	assert_string_equal(prompt.note, "5 names:  exports/  fleet-march.csv  fleet-may.csv  linked/  other.json");
	type(&prompt, ".<Tab>");
	expected = xasprintf("%s/.hidden.csv|", directory);
	assert_string_equal(with_cursor(&prompt), expected);
	free(expected);
	free(typed);
	typed = xasprintf("%s/ba", directory);
	prompt_open(&prompt, "file: ", typed, NULL);
	prompt.complete_paths = true;
	type(&prompt, "<Tab>");
	assert_string_equal(prompt.note, "no file name begins with \"ba\"");

	/* The name before the cursor is completed; what follows it stays. */
	free(typed);
	typed = xasprintf("%s/oth.bak", directory);
	prompt_open(&prompt, "file: ", typed, NULL);
	prompt.complete_paths = true;
	type(&prompt, "<Left><Left><Left><Left><Tab>");
	expected = xasprintf("%s/other.json|.bak", directory);
	assert_string_equal(with_cursor(&prompt), expected);
	free(expected);

	/* ~/ is the home directory, and stays ~/ in the text; ~ alone becomes ~/. */
	const char *home = getenv("HOME");
	char *saved_home = home ? xstrdup(home) : NULL;
	setenv("HOME", directory, 1);
	prompt_open(&prompt, "file: ", "~", NULL);
	prompt.complete_paths = true;
	type(&prompt, "<Tab>");
	assert_string_equal(with_cursor(&prompt), "~/|");
	type(&prompt, "ot<Tab>");
	assert_string_equal(with_cursor(&prompt), "~/other.json|");
	/* The relative path is the current directory's. */
	char *cwd = getcwd(NULL, 0);
	assert_int_equal(chdir(directory), 0);
	prompt_open(&prompt, "file: ", "exports/", NULL);
	prompt.complete_paths = true;
	type(&prompt, "<Tab>");
	assert_string_equal(with_cursor(&prompt), "exports/a.csv|");
	prompt_open(&prompt, "file: ", "nowhere/x", NULL);
	prompt.complete_paths = true;
	type(&prompt, "<Tab>");
	assert_string_equal(prompt.note, "cannot read the directory: No such file or directory");
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
	if (saved_home)
		setenv("HOME", saved_home, 1);
	free(saved_home);
	free(typed);
	remove_tree(directory);
	free(directory);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moves_and_erases),
		cmocka_unit_test(test_kills_and_yank),
		cmocka_unit_test(test_characters_and_columns),
		cmocka_unit_test(test_window_follows_cursor),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_uses_key),
		cmocka_unit_test(test_tab_completes_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
