/* view_help.c — the help screen, generated from the actions table (actions.h). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "draw.h"
#include "keys.h"
#include "tui.h"
#include "util.h"
#include "view.h"

struct help_view {
	struct view view;
	size_t offset;
};

/* Lines: a heading, one line per action, Ctrl-C (not an action: it cannot be rebound), then
 * the alignment legend. */
#define HELP_HEADER_LINES 2
#define HELP_ACTION_LINES (ACTION_COUNT - 1 + 1)
#define HELP_LEGEND_LINES (2 + ALIGN_COUNT)

static size_t help_line_count(void)
{
	return HELP_HEADER_LINES + HELP_ACTION_LINES + HELP_LEGEND_LINES;
}

static void help_line(struct tui *tui, size_t line, int row)
{
	char text[256];
	int attr = A_NORMAL;
	if (line == 0) {
		snprintf(text, sizeof(text), "Keys");
		attr = display_attr(ROLE_HEADER);
	} else if (line == 1) {
		text[0] = '\0';
	} else if (line < HELP_HEADER_LINES + (ACTION_COUNT - 1)) {
		enum action action = (enum action)(line - HELP_HEADER_LINES + 1);
		snprintf(text, sizeof(text), " %-13s %-14s %s", keys_action_keys(action),
			 keys_action_name(action), keys_action_help(action));
	} else if (line < HELP_HEADER_LINES + HELP_ACTION_LINES) {
		snprintf(text, sizeof(text), " %-13s %-14s %s", "<C-c>", "",
			 "Quit, or cancel a job as Esc (twice in 2 s: quit)");
	} else {
		size_t legend = line - HELP_HEADER_LINES - HELP_ACTION_LINES;
		if (legend == 0) {
			text[0] = '\0';
		} else if (legend == 1) {
			snprintf(text, sizeof(text), "Alignment (SIM status against endpoint status)");
			attr = display_attr(ROLE_HEADER);
		} else {
			static const char *const meaning[ALIGN_COUNT] = {
				[ALIGN_ONLINE] = "SIM Activated, endpoint Enabled",
				[ALIGN_OFFLINE] = "SIM Suspended, endpoint Disabled",
				[ALIGN_NEW] = "SIM Issued, endpoint Disabled",
				[ALIGN_TEST] = "SIM Factory Test, endpoint Enabled",
				[ALIGN_MISALIGNED] = "statuses disagree; billed: SIM Activated, endpoint Disabled",
				[ALIGN_UNPAIRED] = "a SIM without endpoint, or an endpoint without SIM",
			};
			enum alignment alignment = (enum alignment)(legend - 2);
			snprintf(text, sizeof(text), "  %s %-11s %s", model_alignment_glyph(alignment, tui->ascii),
				 model_alignment_word(alignment), meaning[alignment]);
		}
	}
	draw_cell(row, 1, text, COLS - 1, attr);
}

static void help_draw(struct view *view, struct tui *tui, int first_row, int height)
{
	struct help_view *help = (struct help_view *)view;
	draw_cell(first_row, 0, " Help", COLS, display_attr(ROLE_HEADER));
	size_t count = help_line_count();
	for (int i = 0; i < height - 1; i++) {
		size_t line = help->offset + (size_t)i;
		if (line >= count)
			break;
		help_line(tui, line, first_row + 1 + i);
	}
}

int view_scroll(size_t *offset, size_t line_count, int page_rows, enum action action)
{
	size_t page = page_rows > 1 ? (size_t)page_rows : 1;
	size_t last = line_count > page ? line_count - page : 0;
	switch (action) {
	case ACTION_MOVE_UP: if (*offset > 0) (*offset)--; break;
	case ACTION_MOVE_DOWN: if (*offset < last) (*offset)++; break;
	case ACTION_PAGE_UP: *offset = *offset > page ? *offset - page : 0; break;
	case ACTION_PAGE_DOWN: *offset = *offset + page < last ? *offset + page : last; break;
	case ACTION_MOVE_FIRST: *offset = 0; break;
	case ACTION_MOVE_LAST: *offset = last; break;
	case ACTION_MOVE_LEFT:
	case ACTION_BACK:
	case ACTION_QUIT: return REACT_CLOSE;
	case ACTION_REFRESH: return REACT_REFRESH;
	default: return REACT_NONE;
	}
	return REACT_REDRAW;
}

static int help_handle(struct view *view, struct tui *tui, enum action action, int page_rows)
{
	(void)tui;
	struct help_view *help = (struct help_view *)view;
	return view_scroll(&help->offset, help_line_count(), page_rows - 1, action);
}

static const char *help_hint(struct view *view, struct tui *tui)
{
	(void)view;
	(void)tui;
	return "Esc back  q close";
}

static void help_free(struct view *view)
{
	free(view);
}

static const struct view_ops help_ops = {
	.name = "help",
	.draw = help_draw,
	.handle = help_handle,
	.hint = help_hint,
	.free = help_free,
};

struct view *view_help_new(void)
{
	struct help_view *help = xcalloc(1, sizeof(*help));
	help->view.ops = &help_ops;
	return &help->view;
}
