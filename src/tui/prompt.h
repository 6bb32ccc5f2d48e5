/* prompt.h — a one-line editor for the status line: the filter, mark-by-query, file names.
 * Text is UTF-8; the cursor moves by characters. History is per prompt, newest last. */
#ifndef SIMTOP_PROMPT_H
#define SIMTOP_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#define PROMPT_TEXT_MAX 512
#define PROMPT_HISTORY_MAX 32

struct prompt_history {
	char *entries[PROMPT_HISTORY_MAX];
	int count;
};

struct prompt {
	const char *label;            /* "filter: " */
	char text[PROMPT_TEXT_MAX];
	size_t cursor;                /* byte offset in text, at a character boundary */
	struct prompt_history *history;
	int history_position;         /* == history->count when editing a new line */
	char draft[PROMPT_TEXT_MAX];  /* the new line, kept while browsing the history */
};

enum prompt_result {
	PROMPT_EDITING,   /* the text may have changed */
	PROMPT_ACCEPT,    /* Enter */
	PROMPT_CANCEL,    /* Esc */
};

/* Start editing with initial text (may be NULL), cursor at its end. */
void prompt_open(struct prompt *prompt, const char *label, const char *initial, struct prompt_history *history);
/* Apply one key (keys.h codes, characters included). */
enum prompt_result prompt_key(struct prompt *prompt, int key);
/* Remember text as the newest history entry (skips empty and repeated entries). */
void prompt_history_add(struct prompt_history *history, const char *text);
void prompt_history_free(struct prompt_history *history);

#endif
