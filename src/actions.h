/* actions.h — every user action, once. The X-macro feeds the action enum, the default key
 * bindings (keys.c), the help screen (view_help.c) and the KEYS section of the man page, so
 * they cannot drift apart.
 *
 * _(ID, name, default keys, help text). Keys are written as in scripts and the config file:
 * a character, or a name in angle brackets (<Down>, <PgDn>, <Enter>, <Esc>, <Space>, <Tab>). */
#ifndef SIMTOP_ACTIONS_H
#define SIMTOP_ACTIONS_H

#define ACTION_LIST(_) \
	_(MOVE_UP,      "move-up",      "<Up> k",        "Move the cursor up one row") \
	_(MOVE_DOWN,    "move-down",    "<Down> j",      "Move the cursor down one row") \
	_(PAGE_UP,      "page-up",      "<PgUp> <C-b>",  "Move up one screen") \
	_(PAGE_DOWN,    "page-down",    "<PgDn> <C-f>",  "Move down one screen") \
	_(MOVE_FIRST,   "move-first",   "<Home> g",      "Go to the first row") \
	_(MOVE_LAST,    "move-last",    "<End> G",       "Go to the last row") \
	_(OPEN_DETAIL,  "open-detail",  "<Enter>",       "Every field of the SIM and the endpoint") \
	_(REFRESH,      "refresh",      "r",             "Load the fleet again from the API") \
	_(HELP,         "help",         "?",             "Show this help") \
	_(BACK,         "back",         "<Esc> <Left> h", "Close the detail or help view") \
	_(QUIT,         "quit",         "q",             "Quit (closes the detail or help view first)")

enum action {
	ACTION_NONE = 0,
#define ACTION_ENUM(id, name, keys, help) ACTION_##id,
	ACTION_LIST(ACTION_ENUM)
#undef ACTION_ENUM
	ACTION_COUNT
};

#endif
