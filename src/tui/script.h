/* script.h — headless test scripts (SIMTOP_SCRIPT=FILE).
 *
 * One step per key or command. A line starting with ':' is a command (":save-display FILE",
 * ":save-svg FILE", ":resize 80x24", ":wait-idle", ":quit"); a line starting with '#' and blank lines are ignored;
 * any other line is keys, typed one after the other: characters, or names in angle brackets
 * ("jjj<Enter>", "<PgDn>"). The caller takes the next step only when nothing is in flight. */
#ifndef SIMTOP_SCRIPT_H
#define SIMTOP_SCRIPT_H

#include <stdbool.h>

struct script;

enum script_step_kind {
	SCRIPT_KEY,
	SCRIPT_COMMAND,
	SCRIPT_END,
};

struct script_step {
	enum script_step_kind kind;
	int key;               /* SCRIPT_KEY */
	const char *command;   /* SCRIPT_COMMAND: the line without ':'; valid until the next call */
	int line;              /* line number, for messages */
};

/* Open a script; dies with a message when the file cannot be read. */
struct script *script_open(const char *path);
void script_close(struct script *script);
/* The next step. An unknown key name is a fatal error naming its line. */
void script_next(struct script *script, struct script_step *step);

#endif
