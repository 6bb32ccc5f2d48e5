/* prompt.c — the status-line editor. */
#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "keys.h"
#include "path_complete.h"
#include "prompt.h"
#include "text.h"
#include "util.h"

/* Control keys as curses reports them. */
#define CTRL(letter) ((letter) - 'a' + 1)
#define KEY_ESCAPE 27
#define KEY_DEL 127

void prompt_open(struct prompt *prompt, const char *label, const char *initial, struct prompt_history *history)
{
	prompt->label = label;
	snprintf(prompt->text, sizeof(prompt->text), "%s", initial ? initial : "");
	prompt->cursor = strlen(prompt->text);
	prompt->history = history;
	prompt->history_position = history ? history->count : 0;
	prompt->draft[0] = '\0';
	/* killed stays: what one prompt killed, the next can put back. */
	prompt->complete_paths = false;
	prompt->tab_lists = false;
	prompt->note[0] = '\0';
	prompt->scroll = 0;
}

/* --- characters --------------------------------------------------------------------------- */

static bool is_continuation(char byte)
{
	return ((unsigned char)byte & 0xC0) == 0x80;
}

/* The code point at text + offset (not at the end) and its length in bytes; a byte that starts
 * no valid sequence is one character of its own, one column wide. */
static size_t decode(const char *text, size_t offset, wchar_t *character)
{
	mbstate_t state = { 0 };
	size_t length = mbrtowc(character, text + offset, strnlen(text + offset, MB_LEN_MAX), &state);
	if (length == (size_t)-1 || length == (size_t)-2 || length == 0) {
		*character = L'?';
		return 1;
	}
	return length;
}

/* Columns of one code point: a combining mark takes none; anything unprintable counts one, as
 * in text_width(). */
static int columns_of(wchar_t character)
{
	int width = wcwidth(character);
	return width < 0 ? 1 : width;
}

/* The end of the character that starts at offset: its code point and the marks after it. */
static size_t next_boundary(const char *text, size_t offset)
{
	if (!text[offset])
		return offset;
	wchar_t character;
	offset += decode(text, offset, &character);
	while (text[offset]) {
		size_t length = decode(text, offset, &character);
		if (wcwidth(character) != 0)
			break;
		offset += length;
	}
	return offset;
}

/* The start of the character that ends at offset. */
static size_t previous_boundary(const char *text, size_t offset)
{
	while (offset > 0) {
		size_t start = offset - 1;
		while (start > 0 && is_continuation(text[start]))
			start--;
		wchar_t character;
		decode(text, start, &character);
		offset = start;
		if (wcwidth(character) != 0)
			break; /* a base character, not a mark on one */
	}
	return offset;
}

static int width_between(const char *text, size_t from, size_t to)
{
	int width = 0;
	wchar_t character;
	while (from < to && text[from]) {
		from += decode(text, from, &character);
		width += columns_of(character);
	}
	return width;
}

/* --- editing ------------------------------------------------------------------------------ */

/* Insert count bytes at the cursor; false (nothing changes) when they do not fit. */
static bool insert(struct prompt *prompt, const char *bytes, size_t count)
{
	size_t length = strlen(prompt->text);
	if (length + count >= sizeof(prompt->text))
		return false;
	memmove(prompt->text + prompt->cursor + count, prompt->text + prompt->cursor, length - prompt->cursor + 1);
	memcpy(prompt->text + prompt->cursor, bytes, count);
	prompt->cursor += count;
	return true;
}

/* Remove the bytes from start to end, the cursor going to start; kill keeps them for Ctrl-Y. */
static void cut(struct prompt *prompt, size_t start, size_t end, bool kill)
{
	if (end <= start)
		return;
	if (kill)
		snprintf(prompt->killed, sizeof(prompt->killed), "%.*s", (int)(end - start), prompt->text + start);
	memmove(prompt->text + start, prompt->text + end, strlen(prompt->text + end) + 1);
	prompt->cursor = start;
}

/* Where Ctrl-W stops: at a blank, and in a path also at a '/', as the shells' rubout does. */
static bool is_word_end(const struct prompt *prompt, char byte)
{
	return byte == ' ' || byte == '\t' || (prompt->complete_paths && byte == '/');
}

static void kill_word_before(struct prompt *prompt)
{
	size_t start = prompt->cursor;
	while (start > 0 && is_word_end(prompt, prompt->text[start - 1]))
		start--;
	while (start > 0 && !is_word_end(prompt, prompt->text[start - 1]))
		start--;
	cut(prompt, start, prompt->cursor, true);
}

static void recall(struct prompt *prompt, int direction)
{
	struct prompt_history *history = prompt->history;
	if (!history)
		return;
	int position = prompt->history_position + direction;
	if (position < 0 || position > history->count)
		return;
	if (prompt->history_position == history->count)
		snprintf(prompt->draft, sizeof(prompt->draft), "%s", prompt->text);
	prompt->history_position = position;
	const char *text = position == history->count ? prompt->draft : history->entries[position];
	snprintf(prompt->text, sizeof(prompt->text), "%s", text);
	prompt->cursor = strlen(prompt->text);
}

/* --- completion --------------------------------------------------------------------------- */

static void note(struct prompt *prompt, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void note(struct prompt *prompt, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	vsnprintf(prompt->note, sizeof(prompt->note), format, arguments);
	va_end(arguments);
	text_clean_in_place(prompt->note, sizeof(prompt->note));
}

/* "12 names: a.csv  b/  c.csv …", as many as the note holds. */
static void list_names(struct prompt *prompt, const struct path_completion *found)
{
	int used = snprintf(prompt->note, sizeof(prompt->note), "%zu names:", found->count);
	for (size_t i = 0; i < found->count; i++) {
		size_t room = sizeof(prompt->note) - (size_t)used;
		int written = snprintf(prompt->note + used, room, "  %s", found->names[i]);
		if (written < 0 || (size_t)written >= room - 4) {
			snprintf(prompt->note + used, room, " \u2026");
			break;
		}
		used += written;
	}
}

/* Tab: the name before the cursor completed as far as the matching names agree; when several
 * match, the note says how many, and the next Tab lists them. */
static void complete(struct prompt *prompt, bool listing)
{
	char typed[PROMPT_TEXT_MAX];
	snprintf(typed, sizeof(typed), "%.*s", (int)prompt->cursor, prompt->text);
	struct path_completion found;
	path_complete(typed, &found);
	const char *base = typed + strlen(typed) - found.base;
	if (found.count == 0) {
		if (found.error)
			note(prompt, "cannot read the directory: %s", strerror(found.error));
		else if (base[0])
			note(prompt, "no file name begins with \"%s\"", base);
		else
			note(prompt, "no file there");
	} else if (found.count > 1 && listing && found.common == found.base) {
		list_names(prompt, &found);
		prompt->tab_lists = true;
	} else {
		/* What the names share beyond what was typed; a single name whole, its '/' included. */
		if (found.common > found.base &&
		    !insert(prompt, found.names[0] + found.base, found.common - found.base))
			note(prompt, "the name does not fit in the prompt");
		if (found.count > 1 && found.common == 0)
			note(prompt, "%zu names: Tab again lists them", found.count);
		else if (found.count > 1)
			note(prompt, "%zu names begin with \"%.*s\": Tab again lists them", found.count,
			     (int)found.common, found.names[0]);
		prompt->tab_lists = found.count > 1;
	}
	path_complete_free(&found);
}

/* --- keys --------------------------------------------------------------------------------- */

bool prompt_uses_key(const struct prompt *prompt, int key)
{
	char bytes[8];
	if (keys_character(key, bytes) > 0)
		return true;
	switch (key) {
	case '\n': case '\r': case KEY_ENTER: case KEY_ESCAPE:
	case KEY_BACKSPACE: case KEY_DEL: case CTRL('h'): case KEY_DC: case CTRL('d'):
	case KEY_LEFT: case CTRL('b'): case KEY_RIGHT: case CTRL('f'):
	case KEY_HOME: case CTRL('a'): case KEY_END: case CTRL('e'):
	case CTRL('u'): case CTRL('k'): case CTRL('w'): case CTRL('y'):
	case KEY_UP: case CTRL('p'): case KEY_DOWN: case CTRL('n'):
		return true;
	case '\t':
		return prompt->complete_paths;
	default:
		return false;
	}
}

enum prompt_result prompt_key(struct prompt *prompt, int key)
{
	bool listing = prompt->tab_lists;
	prompt->tab_lists = false;
	prompt->note[0] = '\0';
	char bytes[8];
	size_t count = keys_character(key, bytes);
	if (count > 0) {
		insert(prompt, bytes, count);
		return PROMPT_EDITING;
	}
	size_t length = strlen(prompt->text);
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		return PROMPT_ACCEPT;
	case KEY_ESCAPE:
		return PROMPT_CANCEL;
	case KEY_BACKSPACE:
	case KEY_DEL:
	case CTRL('h'):
		cut(prompt, previous_boundary(prompt->text, prompt->cursor), prompt->cursor, false);
		break;
	case KEY_DC:
	case CTRL('d'):
		cut(prompt, prompt->cursor, next_boundary(prompt->text, prompt->cursor), false);
		break;
	case KEY_LEFT:
	case CTRL('b'):
		prompt->cursor = previous_boundary(prompt->text, prompt->cursor);
		break;
	case KEY_RIGHT:
	case CTRL('f'):
		prompt->cursor = next_boundary(prompt->text, prompt->cursor);
		break;
	case KEY_HOME:
	case CTRL('a'):
		prompt->cursor = 0;
		break;
	case KEY_END:
	case CTRL('e'):
		prompt->cursor = length;
		break;
	case CTRL('u'):
		cut(prompt, 0, prompt->cursor, true);
		break;
	case CTRL('k'):
		cut(prompt, prompt->cursor, length, true);
		break;
	case CTRL('w'):
		kill_word_before(prompt);
		break;
	case CTRL('y'):
		if (!insert(prompt, prompt->killed, strlen(prompt->killed)))
			note(prompt, "what was killed does not fit in the prompt");
		break;
	case KEY_UP:
	case CTRL('p'):
		recall(prompt, -1);
		break;
	case KEY_DOWN:
	case CTRL('n'):
		recall(prompt, +1);
		break;
	case '\t':
		if (prompt->complete_paths)
			complete(prompt, listing);
		break;
	default:
		break;
	}
	return PROMPT_EDITING;
}

/* --- drawing ------------------------------------------------------------------------------ */

size_t prompt_cursor_bytes(const struct prompt *prompt)
{
	return next_boundary(prompt->text, prompt->cursor) - prompt->cursor;
}

void prompt_view(struct prompt *prompt, int width, size_t *start, int *column)
{
	const char *text = prompt->text;
	size_t cursor = prompt->cursor;
	/* The cursor's cell: its character, or one blank at the end. */
	int cursor_width = text[cursor] ? width_between(text, cursor, next_boundary(text, cursor)) : 1;
	if (width < 1)
		width = 1;
	/* The text may have changed under the window since the last draw. */
	if (prompt->scroll > cursor)
		prompt->scroll = cursor;
	else if (is_continuation(text[prompt->scroll]))
		prompt->scroll = previous_boundary(text, prompt->scroll);
	while (prompt->scroll < cursor && width_between(text, prompt->scroll, cursor) + cursor_width > width)
		prompt->scroll = next_boundary(text, prompt->scroll);
	/* Room to the right of the end: show more on the left. */
	while (prompt->scroll > 0) {
		size_t earlier = previous_boundary(text, prompt->scroll);
		if (width_between(text, earlier, SIZE_MAX) + (text[cursor] ? 0 : 1) > width)
			break;
		prompt->scroll = earlier;
	}
	*start = prompt->scroll;
	*column = width_between(text, prompt->scroll, cursor);
}

int prompt_character_column(const struct prompt *prompt, size_t start, int character)
{
	const char *text = prompt->text;
	size_t offset = 0;
	wchar_t decoded;
	for (int i = 1; i < character && text[offset]; i++)
		offset += decode(text, offset, &decoded);
	if (offset < start)
		return -1;
	return width_between(text, start, offset);
}

/* --- history ------------------------------------------------------------------------------ */

void prompt_history_add(struct prompt_history *history, const char *text)
{
	if (!text[0] || (history->count > 0 && strcmp(history->entries[history->count - 1], text) == 0))
		return;
	if (history->count == PROMPT_HISTORY_MAX) {
		free(history->entries[0]);
		memmove(history->entries, history->entries + 1, sizeof(history->entries[0]) * (PROMPT_HISTORY_MAX - 1));
		history->count--;
	}
	history->entries[history->count++] = xstrdup(text);
}

void prompt_history_free(struct prompt_history *history)
{
	for (int i = 0; i < history->count; i++)
		free(history->entries[i]);
	history->count = 0;
}
