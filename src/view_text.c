/* view_text.c — a scrolling list of text lines under a title (e.g. the identifiers of a CSV
 * file that are not in the fleet). */
#include <curses.h>
#include <stdlib.h>

#include "draw.h"
#include "tui.h"
#include "util.h"
#include "view.h"

struct text_view {
	struct view view;
	char *title;
	char **lines;
	size_t count;
	size_t offset;
};

static void text_draw(struct view *view, struct tui *tui, int first_row, int height)
{
	(void)tui;
	struct text_view *text_view = (struct text_view *)view;
	draw_cell(first_row, 0, text_view->title, COLS, display_attr(ROLE_HEADER));
	for (int i = 0; i < height - 1; i++) {
		size_t line = text_view->offset + (size_t)i;
		if (line >= text_view->count)
			break;
		draw_cell(first_row + 1 + i, 1, text_view->lines[line], COLS - 1, A_NORMAL);
	}
}

static int text_handle(struct view *view, struct tui *tui, enum action action, int page_rows)
{
	(void)tui;
	struct text_view *text_view = (struct text_view *)view;
	if (action == ACTION_HELP)
		return REACT_OPEN_HELP;
	return view_scroll(&text_view->offset, text_view->count, page_rows - 1, action);
}

static const char *text_hint(struct view *view, struct tui *tui)
{
	(void)view;
	(void)tui;
	return "Esc back";
}

static void text_free(struct view *view)
{
	struct text_view *text_view = (struct text_view *)view;
	for (size_t i = 0; i < text_view->count; i++)
		free(text_view->lines[i]);
	free(text_view->lines);
	free(text_view->title);
	free(text_view);
}

static const struct view_ops text_ops = {
	.name = "text",
	.draw = text_draw,
	.handle = text_handle,
	.hint = text_hint,
	.free = text_free,
};

struct view *view_text_new(const char *title, char **lines, size_t count)
{
	struct text_view *text_view = xcalloc(1, sizeof(*text_view));
	text_view->view.ops = &text_ops;
	text_view->title = xstrdup(title);
	text_view->lines = lines;
	text_view->count = count;
	return &text_view->view;
}
