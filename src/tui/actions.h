/* actions.h — every user action, once. The X-macros feed the action enum, the default key
 * bindings (keys.c), the help screen (view_help.c) and, checked by tests/man-lint.sh, the KEYS
 * section of the man page, so they cannot drift apart.
 *
 * Two keymaps: the main one (ACTION_LIST), and the confirmation dialog's (DIALOG_ACTION_LIST),
 * which has the dialog's keys to itself while it is open. A key may mean one thing in each.
 *
 * _(ID, name, default keys, help text). Keys are written as in scripts and the config file:
 * a character, or a name in angle brackets (<Down>, <PgDn>, <Enter>, <Esc>, <Space>, <Tab>). */
#ifndef SIMTOP_ACTIONS_H
#define SIMTOP_ACTIONS_H

#define ACTION_LIST(_) \
	_(MOVE_UP,        "move-up",        "<Up> k",       "Move the cursor up one row") \
	_(MOVE_DOWN,      "move-down",      "<Down> j",     "Move the cursor down one row") \
	_(MOVE_LEFT,      "move-left",      "<Left> h",     "Scroll columns left; summary: left; detail: back") \
	_(MOVE_RIGHT,     "move-right",     "<Right> l",    "Scroll the columns right; summary: move right") \
	_(PAGE_UP,        "page-up",        "<PgUp> <C-b>", "Move up one screen") \
	_(PAGE_DOWN,      "page-down",      "<PgDn> <C-f>", "Move down one screen") \
	_(MOVE_FIRST,     "move-first",     "<Home> g",     "Go to the first row") \
	_(MOVE_LAST,      "move-last",      "<End> G",      "Go to the last row") \
	_(FILTER,         "filter",         "/",            "Filter as you type; Esc restores, Up/Down recall") \
	_(SEARCH,         "search",         "\\",           "Search as you type, without filtering") \
	_(SEARCH_NEXT,    "search-next",    "n",            "Go to the next device the search matches") \
	_(SEARCH_PREV,    "search-prev",    "N",            "Go to the previous device the search matches") \
	_(JUMP,           "jump",           ":",            "Go to a device by id, ICCID, IMSI, MSISDN, name") \
	_(MISALIGNED,     "misaligned",     "!",            "Show only misaligned devices, or undo that") \
	_(SORT_NEXT,      "sort-next",      "s",            "Sort by the next column") \
	_(SORT_REVERSE,   "sort-reverse",   "S",            "Reverse the sort order") \
	_(SORT_LEFT,      "sort-left",      "<",            "Sort by the column left of the sorted one") \
	_(SORT_RIGHT,     "sort-right",     ">",            "Sort by the column right of the sorted one") \
	_(COLUMNS,        "columns",        "C",            "Choose and order the columns: name,iccid,...") \
	_(MARK,           "mark",           "<Space>",      "Mark or unmark the row and move down") \
	_(MARK_RANGE,     "mark-range",     "v",            "Mark from the last marked row to the cursor") \
	_(MARK_SHOWN,     "mark-shown",     "a",            "Mark every shown row (summary: the cell)") \
	_(UNMARK_ALL,     "unmark-all",     "A",            "Unmark every device") \
	_(INVERT_MARKS,   "invert-marks",   "i",            "Invert the marks among the shown rows") \
	_(ONLY_MARKED,    "only-marked",    "M",            "Show only marked rows, or all again") \
	_(MARK_QUERY,     "mark-query",     "+",            "Mark the devices a query matches") \
	_(MARK_FROM_CSV,  "mark-from-csv",  "I",            "Mark the devices listed in a CSV file") \
	_(EXPORT_SHOWN,   "export-shown",   "e",            "Export the shown rows (CSV, or JSON by .json)") \
	_(EXPORT_MARKED,  "export-marked",  "E",            "Export the marked rows") \
	_(COPY,           "copy",           "y",            "Copy the cursor's ICCID to the clipboard") \
	_(COPY_MENU,      "copy-menu",      "Y",            "Copy IMSI, MSISDN, name, ids or marked rows") \
	_(SUMMARY,        "summary",        "<Tab>",        "SIM status x endpoint status counts") \
	_(ONLINE,         "online",         "o",            "Switch the marked (or cursor's) devices online") \
	_(OFFLINE,        "offline",        "f",            "Switch the marked (or cursor's) devices offline") \
	_(OTHER_ACTIONS,  "other-actions",  "x",            "SIM activate/suspend, endpoint enable/disable") \
	_(OPEN_DETAIL,    "open-detail",    "<Enter>",      "The device and its network state; summary: cell") \
	_(LIVE,           "live",           "L",            "Read connectivity, MB this month: marked/shown") \
	_(REFRESH,        "refresh",        "r",            "Load the fleet again (device view: the device)") \
	_(HELP,           "help",           "?",            "Show this help") \
	_(REDRAW,         "redraw",         "<C-l>",        "Redraw the whole screen") \
	_(BACK,           "back",           "<Esc>",        "Close a view; stop a job or read; clear filter") \
	_(QUIT,           "quit",           "q",            "Quit (closes the view on top first)")

#define DIALOG_ACTION_LIST(_) \
	_(CONFIRM,        "confirm",        "<Enter>",      "Confirm: the button chosen, or the count typed") \
	_(CANCEL,         "cancel",         "<Esc> q",      "Close the confirmation: nothing is sent") \
	_(SWITCH_BUTTON,  "switch-button",  "<Tab> <Left> <Right>", "Move between Cancel and Apply") \
	_(ERASE_DIGIT,    "erase-digit",    "<Backspace>",  "Erase the last digit of the count typed") \
	_(SHOW_PLAN,      "show-plan",      "p",            "Show the plan device by device") \
	_(TOGGLE_HIDDEN,  "toggle-hidden",  "h",            "Include the marked devices the filter hides") \
	_(SCROLL_UP,      "scroll-up",      "<Up>",         "Scroll the confirmation up one line") \
	_(SCROLL_DOWN,    "scroll-down",    "<Down>",       "Scroll the confirmation down one line") \
	_(SCROLL_PGUP,    "scroll-pgup",    "<PgUp>",       "Scroll the confirmation up one screen") \
	_(SCROLL_PGDN,    "scroll-pgdn",    "<PgDn>",       "Scroll the confirmation down one screen")

enum action {
	ACTION_NONE = 0,
#define ACTION_ENUM(id, name, keys, help) ACTION_##id,
	ACTION_LIST(ACTION_ENUM)
	DIALOG_ACTION_LIST(ACTION_ENUM)
#undef ACTION_ENUM
	ACTION_COUNT
};

/* The first action of the dialog's keymap. */
#define ACTION_DIALOG_FIRST ACTION_CONFIRM

enum keymap {
	KEYMAP_MAIN,
	KEYMAP_DIALOG,
	KEYMAP_COUNT
};

#endif
