/* keys.h — key names and the keymap from keys to actions. */
#ifndef SIMTOP_KEYS_H
#define SIMTOP_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "actions.h"

/* Key codes: curses codes (KEY_DOWN…) and ASCII as they are; any other character is its
 * Unicode code point with KEYS_CHARACTER set, so it cannot collide with a curses code. */
#define KEYS_CHARACTER (1 << 24)

/* The UTF-8 bytes of a printable character key (1 to 4, no NUL), or 0 for any other key. */
size_t keys_character(int key, char bytes[8]);

/* Parse one key name ("j", "é", "<Enter>", "<C-f>", "<F1>") into a key code; -1 if unknown.
 * *length receives the bytes consumed, so a script line can hold several keys. */
int keys_parse(const char *text, size_t *length);

/* Readable name of a key code ("<PgDn>", "j"), into buffer; returns buffer. */
const char *keys_name(int key, char *buffer, size_t size);

/* The action bound to a key in a keymap, ACTION_NONE if none. */
enum action keys_action(enum keymap keymap, int key);
/* The keymap an action belongs to. */
enum keymap keys_action_keymap(enum action action);

/* Name ("move-down") and help text of an action; default keys as written in actions.h. */
const char *keys_action_name(enum action action);
const char *keys_action_help(enum action action);
const char *keys_action_keys(enum action action);

/* Load the default bindings. Called once at start, before keys_bind(). */
void keys_init(void);

/* Bind an action, by name ("offline"), to keys written as in actions.h ("F", "<Down> j n"), in
 * place of its default keys; the keys leave any action of the same keymap that had them (and
 * its line of the help screen). False, with message (size bytes), for an unknown action or key name, which
 * changes nothing. */
bool keys_bind(const char *action_name, const char *keys, char *message, size_t size);

#endif
