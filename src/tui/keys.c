/* keys.c — key names and the default keymap built from actions.h. */
#include <ctype.h>
#include <stdlib.h>
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "keys.h"
#include "text.h"
#include "util.h"

#define KEY_CODE_MAX (KEY_MAX + 1)

static enum action keymaps[KEYMAP_COUNT][KEY_CODE_MAX];
/* The keys of each action, as the help screen shows them: the defaults, or the config's. */
static char bound_keys[ACTION_COUNT][64];

struct action_info {
	const char *name;
	const char *keys;
	const char *help;
};

static const struct action_info action_info[ACTION_COUNT] = {
	[ACTION_NONE] = { "none", "", "" },
#define ACTION_INFO(id, name, keys, help) [ACTION_##id] = { name, keys, help },
	ACTION_LIST(ACTION_INFO)
	DIALOG_ACTION_LIST(ACTION_INFO)
#undef ACTION_INFO
};

static const struct {
	const char *name;
	int key;
} key_names[] = {
	{ "Up", KEY_UP }, { "Down", KEY_DOWN }, { "Left", KEY_LEFT }, { "Right", KEY_RIGHT },
	{ "PgUp", KEY_PPAGE }, { "PgDn", KEY_NPAGE }, { "Home", KEY_HOME }, { "End", KEY_END },
	{ "Enter", '\n' }, { "Esc", 27 }, { "Space", ' ' }, { "Tab", '\t' },
	{ "Backspace", KEY_BACKSPACE }, { "Delete", KEY_DC }, { "LessThan", '<' },
};

int keys_parse(const char *text, size_t *length)
{
	if (text[0] == '\0')
		return -1;
	if ((unsigned char)text[0] >= 0x80) {
		mbstate_t state = { 0 };
		wchar_t character;
		size_t used = mbrtowc(&character, text, strlen(text), &state);
		if (used == (size_t)-1 || used == (size_t)-2 || used == 0)
			return -1;
		*length = used;
		return KEYS_CHARACTER | (int)character;
	}
	if (text[0] != '<' || text[1] == '\0' || !strchr(text, '>')) {
		*length = 1;
		return (unsigned char)text[0];
	}
	const char *end = strchr(text, '>');
	size_t name_length = (size_t)(end - text - 1);
	const char *name = text + 1;
	*length = name_length + 2;

	if (name_length == 3 && (name[0] == 'C' || name[0] == 'c') && name[1] == '-' && isalpha((unsigned char)name[2]))
		return tolower((unsigned char)name[2]) - 'a' + 1;
	if (name_length >= 2 && (name[0] == 'F' || name[0] == 'f') && isdigit((unsigned char)name[1])) {
		int number = atoi(name + 1);
		if (number >= 1 && number <= 12)
			return KEY_F(number);
	}
	for (size_t i = 0; i < ARRAY_SIZE(key_names); i++)
		if (strlen(key_names[i].name) == name_length && strncasecmp(key_names[i].name, name, name_length) == 0)
			return key_names[i].key;
	return -1;
}

const char *keys_name(int key, char *buffer, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(key_names); i++)
		if (key_names[i].key == key && key != '<') {
			snprintf(buffer, size, "<%s>", key_names[i].name);
			return buffer;
		}
	if (key >= 1 && key <= 26)
		snprintf(buffer, size, "<C-%c>", 'a' + key - 1);
	else if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buffer, size, "<F%d>", key - KEY_F(0));
	else if (key > ' ' && key < 127)
		snprintf(buffer, size, "%c", key);
	else
		snprintf(buffer, size, "<%d>", key);
	return buffer;
}

size_t keys_character(int key, char bytes[8])
{
	if (key >= ' ' && key < 127) {
		bytes[0] = (char)key;
		return 1;
	}
	if (!(key & KEYS_CHARACTER))
		return 0;
	wchar_t character = (wchar_t)(key & ~KEYS_CHARACTER);
	if (iswcntrl((wint_t)character))
		return 0;
	mbstate_t state = { 0 };
	size_t count = wcrtomb(bytes, character, &state);
	return count == (size_t)-1 ? 0 : count;
}

enum action keys_action(enum keymap keymap, int key)
{
	if (key < 0 || key >= KEY_CODE_MAX)
		return ACTION_NONE;
	return keymaps[keymap][key];
}

enum keymap keys_action_keymap(enum action action)
{
	return action >= ACTION_DIALOG_FIRST ? KEYMAP_DIALOG : KEYMAP_MAIN;
}

const char *keys_action_name(enum action action) { return action_info[action].name; }
const char *keys_action_help(enum action action) { return action_info[action].help; }
const char *keys_action_keys(enum action action) { return bound_keys[action]; }

/* Enter arrives as '\r' on some terminals and as KEY_ENTER on keypads; Backspace as DEL or
 * Ctrl-H. */
static void bind_key(int key, enum action action)
{
	enum action *keymap = keymaps[keys_action_keymap(action)];
	keymap[key] = action;
	if (key == '\n')
		keymap['\r'] = keymap[KEY_ENTER] = action;
	if (key == KEY_BACKSPACE)
		keymap[127] = keymap[8] = action;
}

/* The keys of a list as written ("<Down> j"), one by one; false at a name that is no key. */
static bool next_key(const char **keys, int *key, size_t *length)
{
	while (**keys == ' ' || **keys == '\t')
		(*keys)++;
	if (!**keys)
		return false;
	*length = 0;
	*key = keys_parse(*keys, length);
	return true;
}

/* Drop the keys of taken from the keys the help screen shows for action. */
static void remove_keys(enum action action, const char *taken)
{
	char kept[sizeof(bound_keys[0])] = "";
	const char *keys = bound_keys[action];
	int key;
	size_t length;
	while (next_key(&keys, &key, &length)) {
		bool is_taken = false;
		const char *other = taken;
		int taken_key;
		size_t taken_length;
		while (next_key(&other, &taken_key, &taken_length)) {
			is_taken = is_taken || taken_key == key;
			other += taken_length;
		}
		if (!is_taken)
			snprintf(kept + strlen(kept), sizeof(kept) - strlen(kept), "%s%.*s", kept[0] ? " " : "",
				 (int)length, keys);
		keys += length;
	}
	snprintf(bound_keys[action], sizeof(bound_keys[action]), "%s", kept);
}

bool keys_bind(const char *action_name, const char *keys, char *message, size_t size)
{
	enum action action = ACTION_NONE;
	for (int i = 1; i < ACTION_COUNT; i++)
		if (strcmp(action_info[i].name, action_name) == 0)
			action = (enum action)i;
	if (action == ACTION_NONE) {
		snprintf(message, size, "unknown action \"%.40s\"", action_name);
		text_clean_in_place(message, size);
		return false;
	}
	if (strlen(keys) >= sizeof(bound_keys[0])) {
		snprintf(message, size, "too many keys for %s", action_name);
		return false;
	}
	/* Every key first, so that a bad one changes nothing. */
	const char *at = keys;
	int key;
	size_t length;
	while (next_key(&at, &key, &length)) {
		if (key < 0 || key >= KEY_CODE_MAX) {
			snprintf(message, size, "%s: \"%.*s\" is no key (an ASCII character, or <Up> <Down> <Left> <Right> "
				 "<PgUp> <PgDn> <Home> <End> <Enter> <Esc> <Space> <Tab> <Backspace> <Delete> "
				 "<C-x> <F1>…<F12>)", action_name, (int)(length ? length : strlen(at)), at);
			/* The keys are the config file's text. */
			text_clean_in_place(message, size);
			return false;
		}
		at += length;
	}
	enum keymap keymap = keys_action_keymap(action);
	for (int i = 1; i < ACTION_COUNT; i++)
		if (i != (int)action && keys_action_keymap((enum action)i) == keymap)
			remove_keys((enum action)i, keys);
	for (int code = 0; code < KEY_CODE_MAX; code++)
		if (keymaps[keymap][code] == action)
			keymaps[keymap][code] = ACTION_NONE;
	at = keys;
	while (next_key(&at, &key, &length)) {
		bind_key(key, action);
		at += length;
	}
	snprintf(bound_keys[action], sizeof(bound_keys[action]), "%s", keys);
	return true;
}

void keys_init(void)
{
	memset(keymaps, 0, sizeof(keymaps));
	for (int action = 0; action < ACTION_COUNT; action++)
		snprintf(bound_keys[action], sizeof(bound_keys[action]), "%s", action_info[action].keys);
	for (int action = 1; action < ACTION_COUNT; action++) {
		const char *keys = action_info[action].keys;
		while (*keys) {
			if (*keys == ' ') {
				keys++;
				continue;
			}
			size_t length = 0;
			int key = keys_parse(keys, &length);
			if (key >= 0 && key < KEY_CODE_MAX)
				bind_key(key, (enum action)action);
			keys += length;
		}
	}
}
