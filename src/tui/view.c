/* view.c — what every view shares: handing a view to the loop, the list base, cursor moves. */
#include <curses.h>
#include <stdlib.h>

#include "draw.h"
#include "view.h"

void view_free(struct view *view)
{
	free(view);
}

int view_push(struct view_context *context, struct view *view)
{
	if (!view)
		return REACT_REDRAW;
	context->pushed = view;
	return REACT_PUSH;
}

static size_t line_count(const struct list_view *list)
{
	return list->count ? list->count(list) : list->line_count;
}

void list_view_draw(struct view *view, struct view_context *context, int first_row, int height)
{
	struct list_view *list = (struct list_view *)view;
	draw_cell(first_row, 0, list->title, COLS, display_attr(ROLE_HEADER));
	size_t count = line_count(list);
	for (int i = 0; i < height - 1; i++) {
		size_t line = list->top + (size_t)i;
		if (line >= count)
			break;
		char buffer[1024];
		const char *text = buffer;
		int attr = A_NORMAL;
		if (list->line)
			list->line(list, context, line, buffer, sizeof(buffer), &attr);
		else
			text = list->lines[line];
		draw_cell(first_row + 1 + i, 1, text, COLS - 1, attr);
	}
}

void list_view_free_lines(struct list_view *list)
{
	for (size_t i = 0; i < list->line_count; i++)
		free(list->lines[i]);
	free(list->lines);
	list->lines = NULL;
	list->line_count = 0;
}

int list_view_handle(struct view *view, struct view_context *context, enum action action, int page_rows)
{
	(void)context;
	struct list_view *list = (struct list_view *)view;
	size_t page = page_rows > 2 ? (size_t)page_rows - 1 : 1;
	size_t count = line_count(list);
	size_t last = count > page ? count - page : 0;
	size_t *top = &list->top;
	switch (action) {
	case ACTION_MOVE_UP: if (*top > 0) (*top)--; break;
	case ACTION_MOVE_DOWN: if (*top < last) (*top)++; break;
	case ACTION_PAGE_UP: *top = *top > page ? *top - page : 0; break;
	case ACTION_PAGE_DOWN: *top = *top + page < last ? *top + page : last; break;
	case ACTION_MOVE_FIRST: *top = 0; break;
	case ACTION_MOVE_LAST: *top = last; break;
	case ACTION_MOVE_LEFT:
	case ACTION_BACK:
	case ACTION_QUIT: return REACT_CLOSE;
	case ACTION_REFRESH: return REACT_REFRESH;
	case ACTION_HELP: return view_push(context, view_help_new(context));
	default: return REACT_NONE;
	}
	return REACT_REDRAW;
}

bool view_move_cursor(size_t *cursor, size_t count, size_t page, enum action action)
{
	switch (action) {
	case ACTION_MOVE_UP: if (*cursor > 0) (*cursor)--; return true;
	case ACTION_MOVE_DOWN: if (*cursor + 1 < count) (*cursor)++; return true;
	case ACTION_PAGE_UP: *cursor = *cursor > page ? *cursor - page : 0; return true;
	case ACTION_PAGE_DOWN:
		*cursor = count == 0 ? 0 : (*cursor + page < count ? *cursor + page : count - 1);
		return true;
	case ACTION_MOVE_FIRST: *cursor = 0; return true;
	case ACTION_MOVE_LAST: *cursor = count ? count - 1 : 0; return true;
	default: return false;
	}
}
