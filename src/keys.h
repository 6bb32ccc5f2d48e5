/* keys.h — key names and the keymap from keys to actions. */
#ifndef SIMTOP_KEYS_H
#define SIMTOP_KEYS_H

#include <stddef.h>

#include "actions.h"

/* Parse one key name ("j", "<Enter>", "<C-f>", "<F1>") into a curses key code; -1 if unknown.
 * *length receives the bytes consumed, so a script line can hold several keys. */
int keys_parse(const char *text, size_t *length);

/* Readable name of a key code ("<PgDn>", "j"), into buffer; returns buffer. */
const char *keys_name(int key, char *buffer, size_t size);

/* The action bound to a key, ACTION_NONE if none. */
enum action keys_action(int key);

/* Name ("move-down") and help text of an action; default keys as written in actions.h. */
const char *keys_action_name(enum action action);
const char *keys_action_help(enum action action);
const char *keys_action_keys(enum action action);

/* Load the default bindings. Called once at start. */
void keys_init(void);

#endif
