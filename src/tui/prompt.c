/* prompt.c — the status-line editor. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "prompt.h"
#include "util.h"

void prompt_open(struct prompt *prompt, const char *label, const char *initial, struct prompt_history *history)
{
	prompt->label = label;
	snprintf(prompt->text, sizeof(prompt->text), "%s", initial ? initial : "");
	prompt->cursor = strlen(prompt->text);
	prompt->history = history;
	prompt->history_position = history ? history->count : 0;
	prompt->draft[0] = '\0';
}

static bool is_continuation(char byte)
{
	return ((unsigned char)byte & 0xC0) == 0x80;
}

static void insert(struct prompt *prompt, const char *bytes, size_t count)
{
	size_t length = strlen(prompt->text);
	if (length + count >= sizeof(prompt->text))
		return;
	memmove(prompt->text + prompt->cursor + count, prompt->text + prompt->cursor, length - prompt->cursor + 1);
	memcpy(prompt->text + prompt->cursor, bytes, count);
	prompt->cursor += count;
}

static void delete_before(struct prompt *prompt)
{
	if (prompt->cursor == 0)
		return;
	size_t start = prompt->cursor - 1;
	while (start > 0 && is_continuation(prompt->text[start]))
		start--;
	memmove(prompt->text + start, prompt->text + prompt->cursor, strlen(prompt->text + prompt->cursor) + 1);
	prompt->cursor = start;
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

enum prompt_result prompt_key(struct prompt *prompt, int key)
{
	char bytes[8];
	size_t count = keys_character(key, bytes);
	if (count > 0) {
		insert(prompt, bytes, count);
		return PROMPT_EDITING;
	}
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		return PROMPT_ACCEPT;
	case 27:
		return PROMPT_CANCEL;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		delete_before(prompt);
		break;
	case KEY_DC:
		if (prompt->text[prompt->cursor]) {
			size_t end = prompt->cursor + 1;
			while (prompt->text[end] && is_continuation(prompt->text[end]))
				end++;
			memmove(prompt->text + prompt->cursor, prompt->text + end, strlen(prompt->text + end) + 1);
		}
		break;
	case KEY_LEFT:
		while (prompt->cursor > 0) {
			prompt->cursor--;
			if (!is_continuation(prompt->text[prompt->cursor]))
				break;
		}
		break;
	case KEY_RIGHT:
		if (prompt->text[prompt->cursor]) {
			prompt->cursor++;
			while (prompt->text[prompt->cursor] && is_continuation(prompt->text[prompt->cursor]))
				prompt->cursor++;
		}
		break;
	case KEY_HOME:
	case 1: /* C-a */
		prompt->cursor = 0;
		break;
	case KEY_END:
	case 5: /* C-e */
		prompt->cursor = strlen(prompt->text);
		break;
	case 21: /* C-u */
		prompt->text[0] = '\0';
		prompt->cursor = 0;
		break;
	case KEY_UP:
		recall(prompt, -1);
		break;
	case KEY_DOWN:
		recall(prompt, +1);
		break;
	default:
		break;
	}
	return PROMPT_EDITING;
}

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
