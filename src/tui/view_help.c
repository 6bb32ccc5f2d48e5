/* view_help.c — the help screen, in pages that each fit 80×24: the keys by what they are for
 * (generated from the actions table, actions.h, with the keys as bound), the confirmation's
 * keys and the alignments, and a cheat sheet of the filter language. → and Space turn the
 * page, ← goes back a page (from the first: closes), as in the detail view. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "draw.h"
#include "keys.h"
#include "util.h"
#include "view.h"

enum { HELP_LINE_MAX = 256 };

/* The pages of keys: each action of the main keymap on the first page that names it; an
 * action no page names goes on the last page of keys, so none is ever missing. */
static const struct {
	const char *title;
	enum action actions[24];
} key_pages[] = {
	{ "Move and find", {
		ACTION_MOVE_UP, ACTION_MOVE_DOWN, ACTION_PAGE_UP, ACTION_PAGE_DOWN, ACTION_MOVE_FIRST,
		ACTION_MOVE_LAST, ACTION_MOVE_LEFT, ACTION_MOVE_RIGHT, ACTION_FILTER, ACTION_MISALIGNED,
		ACTION_SEARCH, ACTION_SEARCH_NEXT, ACTION_SEARCH_PREV, ACTION_JUMP, ACTION_SORT_NEXT,
		ACTION_SORT_REVERSE, ACTION_SORT_LEFT, ACTION_SORT_RIGHT, ACTION_COLUMNS } },
	{ "Mark and act", {
		ACTION_MARK, ACTION_MARK_RANGE, ACTION_MARK_SHOWN, ACTION_INVERT_MARKS, ACTION_UNMARK_ALL,
		ACTION_ONLY_MARKED, ACTION_MARK_QUERY, ACTION_MARK_FROM_CSV, ACTION_ONLINE, ACTION_OFFLINE,
		ACTION_OTHER_ACTIONS, ACTION_LIVE, ACTION_EXPORT_SHOWN, ACTION_EXPORT_MARKED, ACTION_COPY,
		ACTION_COPY_MENU } },
	{ "Views and the rest", {
		ACTION_OPEN_DETAIL, ACTION_SUMMARY, ACTION_REFRESH, ACTION_HELP, ACTION_BACK, ACTION_QUIT } },
};
#define KEY_PAGES ARRAY_SIZE(key_pages)

static const char *const filter_sheet[] = {
	"One language filters (/), searches (\\), marks (+) and selects (simtop list).",
	"Terms are separated by blanks, and a device must match every one.",
	"",
	"  pump             a word in any text field: name, ICCID, IMSI, IMEI, IP, tags",
	"  sim:act          SIM: issued activated suspended deleted \"factory test\" none",
	"  ep:dis           endpoint status: enabled disabled deleted none",
	"  align:mis        online offline new test misaligned billed unpaired",
	"  name:pump-0      one field of name iccid imsi msisdn imei ip; name: is empty",
	"  tag:pumps        one of the tags, whole; tag: alone, no tags",
	"  id:11000005      the SIM id or the endpoint id",
	"  conn:attached    as L read it: online (session) attached offline blocked",
	"  data:0 data:<1   this month's MB as L read it; < <= > >= or a number",
	"  sim:act,sus      either value",
	"  !tag:pumps       not",
	"  \"two words\"      quotes hold blanks, commas, ! and ~",
	"  name:~^pump-0    a regular expression (POSIX, case-insensitive)",
	"",
	"Status words may be cut short: sim:act, ep:dis, align:mis.",
	"sim:act ep:dis: billed while offline. After L, sim:act data:0: billed, no data.",
};

/* The alignment words as the table writes them, billed (a kind of misaligned) included. */
static const struct {
	enum alignment alignment;
	const char *word;     /* NULL: model_alignment_word() */
	const char *meaning;
} legend[] = {
	{ ALIGN_ONLINE, NULL, "SIM Activated, endpoint Enabled" },
	{ ALIGN_OFFLINE, NULL, "SIM Suspended, endpoint Disabled" },
	{ ALIGN_NEW, NULL, "SIM Issued, endpoint Disabled" },
	{ ALIGN_TEST, NULL, "SIM Factory Test, endpoint Enabled" },
	{ ALIGN_MISALIGNED, MODEL_BILLED_WORD, "SIM Activated, endpoint Disabled: charged while offline" },
	{ ALIGN_MISALIGNED, NULL, "the statuses disagree otherwise; align:mis takes billed in" },
	{ ALIGN_UNPAIRED, NULL, "a SIM without endpoint, or an endpoint without SIM" },
};

/* The pages: the key pages, the confirmation and the alignments, the filter language. */
#define HELP_PAGES (KEY_PAGES + 2)

struct help_view {
	struct list_view list;
	size_t page;
	char title[128];
	struct view_context *context;
};

static void add_line(struct list_view *list, size_t *capacity, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void add_line(struct list_view *list, size_t *capacity, const char *format, ...)
{
	char text[HELP_LINE_MAX];
	va_list args;
	va_start(args, format);
	vsnprintf(text, sizeof(text), format, args);
	va_end(args);
	list->lines = xgrow(list->lines, capacity, list->line_count + 1, sizeof(*list->lines));
	list->lines[list->line_count++] = xstrdup(text);
}

static void add_action(struct list_view *list, size_t *capacity, enum action action)
{
	add_line(list, capacity, "%-13s %-15s %s", keys_action_keys(action), keys_action_name(action),
		 keys_action_help(action));
}

/* Whether a key page names action. */
static bool on_a_page(enum action action)
{
	for (size_t p = 0; p < KEY_PAGES; p++)
		for (size_t i = 0; i < ARRAY_SIZE(key_pages[p].actions) && key_pages[p].actions[i]; i++)
			if (key_pages[p].actions[i] == action)
				return true;
	return false;
}

static void build_page(struct help_view *help)
{
	struct list_view *list = &help->list;
	size_t capacity = 0;
	list_view_free_lines(list);
	list->top = 0;
	size_t page = help->page;
	const char *name = page < KEY_PAGES ? key_pages[page].title
			   : page == KEY_PAGES ? "Confirmation, alignments" : "The filter language";
	snprintf(help->title, sizeof(help->title), " Help %zu/%d: %s   (\u2192 next page, \u2190 back)",
		 page + 1, (int)HELP_PAGES, name);
	list->title = help->title;
	if (page < KEY_PAGES) {
		for (size_t i = 0; i < ARRAY_SIZE(key_pages[page].actions) && key_pages[page].actions[i]; i++)
			add_action(list, &capacity, key_pages[page].actions[i]);
		if (page + 1 == KEY_PAGES) {
			for (int action = 1; action < ACTION_DIALOG_FIRST; action++)
				if (!on_a_page((enum action)action))
					add_action(list, &capacity, (enum action)action);
			add_line(list, &capacity, "%-13s %-15s %s", "<C-c>", "",
				 "Quit, or cancel a job as Esc (twice in 2 s: quit)");
		}
	} else if (page == KEY_PAGES) {
		for (int action = ACTION_DIALOG_FIRST; action < ACTION_COUNT; action++)
			add_action(list, &capacity, (enum action)action);
		add_line(list, &capacity, "%s", "");
		add_line(list, &capacity, "%s", "Alignment: the SIM status against the endpoint status");
		for (size_t i = 0; i < ARRAY_SIZE(legend); i++)
			add_line(list, &capacity, "  %s %-11s %s", model_alignment_glyph(legend[i].alignment, help->context->ascii),
				 legend[i].word ? legend[i].word : model_alignment_word(legend[i].alignment),
				 legend[i].meaning);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(filter_sheet); i++)
			add_line(list, &capacity, "%s", filter_sheet[i]);
	}
}

static int help_handle(struct view *view, struct view_context *context, enum action action, int page_rows)
{
	struct help_view *help = (struct help_view *)view;
	switch (action) {
	case ACTION_HELP:
		return REACT_NONE;  /* here already */
	case ACTION_MOVE_RIGHT:
	case ACTION_MARK:       /* Space */
		if (help->page + 1 < HELP_PAGES) {
			help->page++;
			build_page(help);
		}
		return REACT_REDRAW;
	case ACTION_MOVE_LEFT:
		if (help->page == 0)
			return REACT_CLOSE;
		help->page--;
		build_page(help);
		return REACT_REDRAW;
	default:
		return list_view_handle(view, context, action, page_rows);
	}
}

static void help_free(struct view *view)
{
	struct help_view *help = (struct help_view *)view;
	list_view_free_lines(&help->list);
	free(help);
}

static const struct view_ops help_ops = {
	.name = "help",
	.draw = list_view_draw,
	.handle = help_handle,
	.hint_text = "\u2192 next page  Esc back",
	.free = help_free,
};

struct view *view_help_new(struct view_context *context)
{
	struct help_view *help = xcalloc(1, sizeof(*help));
	help->list.view.ops = &help_ops;
	help->context = context;
	build_page(help);
	return &help->list.view;
}
