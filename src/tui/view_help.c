/* view_help.c — the help screen, generated from the actions table (actions.h). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "draw.h"
#include "keys.h"
#include "util.h"
#include "view.h"

/* Lines: a heading, one line per main action, Ctrl-C (not an action: it cannot be rebound),
 * a heading and a line per action of the confirmation, then the alignment legend. */
#define HELP_HEADER_LINES 2
#define HELP_MAIN_LINES (ACTION_DIALOG_FIRST - 1 + 1)
#define HELP_DIALOG_LINES (2 + ACTION_COUNT - ACTION_DIALOG_FIRST)
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
#define HELP_LEGEND_LINES (2 + ARRAY_SIZE(legend))

static size_t help_count(const struct list_view *list)
{
	(void)list;
	return HELP_HEADER_LINES + HELP_MAIN_LINES + HELP_DIALOG_LINES + HELP_LEGEND_LINES;
}

static void action_line(enum action action, char *text, size_t size)
{
	snprintf(text, size, " %-13s %-14s %s", keys_action_keys(action), keys_action_name(action),
		 keys_action_help(action));
}

static void legend_line(struct view_context *context, size_t line, char *text, size_t size, int *attr)
{
	if (line == 0) {
		text[0] = '\0';
	} else if (line == 1) {
		snprintf(text, size, "Alignment (SIM status against endpoint status)");
		*attr = display_attr(ROLE_HEADER);
	} else {
		enum alignment alignment = legend[line - 2].alignment;
		const char *word = legend[line - 2].word;
		snprintf(text, size, "  %s %-11s %s", model_alignment_glyph(alignment, context->ascii),
			 word ? word : model_alignment_word(alignment), legend[line - 2].meaning);
	}
}

static void help_line(const struct list_view *list, struct view_context *context, size_t line, char *text,
		      size_t size, int *attr)
{
	(void)list;
	text[0] = '\0';
	if (line == 0) {
		snprintf(text, size, "Keys");
		*attr = display_attr(ROLE_HEADER);
		return;
	}
	if (line < HELP_HEADER_LINES)
		return;
	line -= HELP_HEADER_LINES;
	if (line + 1 < HELP_MAIN_LINES) {
		action_line((enum action)(line + 1), text, size);
		return;
	}
	if (line + 1 == HELP_MAIN_LINES) {
		snprintf(text, size, " %-13s %-14s %s", "<C-c>", "", "Quit, or cancel a job as Esc (twice in 2 s: quit)");
		return;
	}
	line -= HELP_MAIN_LINES;
	if (line < HELP_DIALOG_LINES) {
		if (line == 1) {
			snprintf(text, size, "In the confirmation");
			*attr = display_attr(ROLE_HEADER);
		} else if (line > 1) {
			action_line((enum action)(ACTION_DIALOG_FIRST + (int)line - 2), text, size);
		}
		return;
	}
	legend_line(context, line - HELP_DIALOG_LINES, text, size, attr);
}

static int help_handle(struct view *view, struct view_context *context, enum action action, int page_rows)
{
	if (action == ACTION_HELP)
		return REACT_NONE;  /* here already */
	return list_view_handle(view, context, action, page_rows);
}

static const struct view_ops help_ops = {
	.name = "help",
	.draw = list_view_draw,
	.handle = help_handle,
	.hint_text = "Esc back  q close",
	.free = view_free,
};

struct view *view_help_new(void)
{
	struct list_view *help = xcalloc(1, sizeof(*help));
	help->view.ops = &help_ops;
	help->title = " Help";
	help->count = help_count;
	help->line = help_line;
	return &help->view;
}
