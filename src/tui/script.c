/* script.c — headless test scripts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "script.h"
#include "util.h"

struct script {
	FILE *file;
	const char *path;
	char *line;
	size_t line_capacity;
	const char *keys;  /* keys left on the current line, or NULL */
	int line_number;
};

struct script *script_open(const char *path)
{
	struct script *script = xcalloc(1, sizeof(*script));
	script->file = fopen(path, "r");
	if (!script->file)
		die(2, "cannot read the script %s: %s", path, strerror(errno));
	script->path = path;
	return script;
}

void script_close(struct script *script)
{
	if (!script)
		return;
	fclose(script->file);
	free(script->line);
	free(script);
}

void script_next(struct script *script, struct script_step *step)
{
	step->command = NULL;
	for (;;) {
		if (script->keys && *script->keys) {
			size_t length = 0;
			int key = keys_parse(script->keys, &length);
			if (key < 0)
				die(2, "%s:%d: unknown key name in '%s'", script->path, script->line_number, script->keys);
			script->keys += length;
			step->kind = SCRIPT_KEY;
			step->key = key;
			step->line = script->line_number;
			return;
		}
		script->keys = NULL;
		ssize_t length = getline(&script->line, &script->line_capacity, script->file);
		if (length < 0) {
			step->kind = SCRIPT_END;
			return;
		}
		script->line_number++;
		while (length > 0 && (script->line[length - 1] == '\n' || script->line[length - 1] == '\r'))
			script->line[--length] = '\0';
		const char *text = script->line;
		if (text[0] == '\0' || text[0] == '#')
			continue;
		if (text[0] == ':') {
			step->kind = SCRIPT_COMMAND;
			step->command = text + 1;
			step->line = script->line_number;
			return;
		}
		script->keys = text;
	}
}
