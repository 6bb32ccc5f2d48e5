/* prompt.h — a one-line editor for the status line: the filter, mark-by-query, file names.
 *
 * It edits as readline does: Left/Right (Ctrl-B/Ctrl-F) move by character, Home/End
 * (Ctrl-A/Ctrl-E) to the ends, Backspace (Ctrl-H) and Delete (Ctrl-D) erase one character;
 * Ctrl-U kills to the start, Ctrl-K to the end, Ctrl-W the word before the cursor, and Ctrl-Y
 * puts back what was killed last; Up/Down (Ctrl-P/Ctrl-N) recall the history. Text is UTF-8: a
 * character is a code point with the combining marks after it, so the cursor never stops
 * inside what the terminal draws as one cell (or two, for a wide character). In a prompt that
 * completes paths, Tab completes the file name before the cursor (path_complete.h) as far as
 * the names that match agree, and a second Tab lists them in the note. History is per
 * prompt, newest last. */
#ifndef SIMTOP_PROMPT_H
#define SIMTOP_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#define PROMPT_TEXT_MAX 512
#define PROMPT_HISTORY_MAX 32
#define PROMPT_NOTE_MAX 1024

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
	char killed[PROMPT_TEXT_MAX]; /* what Ctrl-U, Ctrl-K or Ctrl-W took last, for Ctrl-Y */
	bool complete_paths;          /* Tab completes file names; false after prompt_open() */
	bool tab_lists;               /* the last key was a Tab that found several names */
	char note[PROMPT_NOTE_MAX];   /* for the line above the prompt, "" for none; clean text */
	size_t scroll;                /* byte offset of the first character shown (prompt_view) */
};

enum prompt_result {
	PROMPT_EDITING,   /* the text may have changed */
	PROMPT_ACCEPT,    /* Enter */
	PROMPT_CANCEL,    /* Esc */
};

/* Start editing with initial text (may be NULL), cursor at its end. */
void prompt_open(struct prompt *prompt, const char *label, const char *initial, struct prompt_history *history);
/* Apply one key (keys.h codes, characters included). The note is cleared by every key. */
enum prompt_result prompt_key(struct prompt *prompt, int key);
/* True for the keys prompt_key() does something with: characters and the editing keys above.
 * The others (Ctrl-L…) are free for the caller. */
bool prompt_uses_key(const struct prompt *prompt, int key);

/* What to draw in width columns (at least 1) with the cursor in sight: the text from byte
 * *start, the cursor *column display columns into it. The window moves only as far as the
 * cursor needs, and back left as far as the end of the text allows. */
void prompt_view(struct prompt *prompt, int width, size_t *start, int *column);
/* Bytes of the character under the cursor, combining marks included; 0 at the end. */
size_t prompt_cursor_bytes(const struct prompt *prompt);
/* Display columns from byte start to the character-th character of the text (1-based,
 * counted in code points as filter_parse() counts them); -1 when it is before start. */
int prompt_character_column(const struct prompt *prompt, size_t start, int character);

/* Remember text as the newest history entry (skips empty and repeated entries). */
void prompt_history_add(struct prompt_history *history, const char *text);
void prompt_history_free(struct prompt_history *history);

#endif
