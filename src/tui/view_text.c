/* view_text.c — a scrolling list of text lines under a title (e.g. the identifiers of a CSV
 * file that are not in the fleet). */
#include <stdlib.h>

#include "util.h"
#include "view.h"

struct text_view {
	struct list_view list;
	char *title;
};

static void text_free(struct view *view)
{
	struct text_view *text_view = (struct text_view *)view;
	list_view_free_lines(&text_view->list);
	free(text_view->title);
	free(text_view);
}

static const struct view_ops text_ops = {
	.name = "text",
	.draw = list_view_draw,
	.handle = list_view_handle,
	.hint_text = "Esc back",
	.free = text_free,
};

struct view *view_text_new(const char *title, char **lines, size_t count)
{
	struct text_view *text_view = xcalloc(1, sizeof(*text_view));
	text_view->list.view.ops = &text_ops;
	text_view->title = xstrdup(title);
	text_view->list.title = text_view->title;
	text_view->list.lines = lines;
	text_view->list.line_count = count;
	return &text_view->list.view;
}
