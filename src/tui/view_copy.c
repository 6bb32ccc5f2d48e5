/* view_copy.c — copying to the terminal's clipboard (OSC 52, display.h): y copies the cursor's
 * ICCID at once, Y offers this menu of the other fields and the marked rows as CSV. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "draw.h"
#include "util.h"
#include "view.h"

struct copy_view {
	struct view view;
	size_t selected;
};

void view_copy(struct view_context *context, enum session_copy what)
{
	char *text;
	size_t length;
	if (!session_copy(context->session, what, &text, &length))
		return;
	display_clipboard(text, length);
	free(text);
}

static void copy_draw(struct view *view, struct view_context *context, int first_row, int height)
{
	(void)context;
	struct copy_view *copy = (struct copy_view *)view;
	draw_cell(first_row, 0, " Copy to the clipboard (the terminal's, through SSH and tmux)", COLS,
		  display_attr(ROLE_HEADER));
	for (int i = 0; i < SESSION_COPY_COUNT && i + 2 < height; i++) {
		char text[128];
		snprintf(text, sizeof(text), "  %d  %s%s", i + 1,
			 i == SESSION_COPY_MARKED_CSV ? "the " : "the cursor's ", session_copy_words((enum session_copy)i));
		draw_cell(first_row + 2 + i, 1, text, COLS - 1,
			  (size_t)i == copy->selected ? display_attr(ROLE_CURSOR) : (int)A_NORMAL);
	}
	draw_cell(first_row + 3 + SESSION_COPY_COUNT, 1,
		  "  In tmux, the clipboard needs set-clipboard on (tmux.conf).", COLS - 1, A_NORMAL);
}

static int copy_key(struct view *view, struct view_context *context, int key)
{
	(void)view;
	if (key >= '1' && key < '1' + SESSION_COPY_COUNT) {
		view_copy(context, (enum session_copy)(key - '1'));
		return REACT_CLOSE;
	}
	return -1;
}

static int copy_handle(struct view *view, struct view_context *context, enum action action, int page_rows)
{
	(void)page_rows;
	struct copy_view *copy = (struct copy_view *)view;
	if (action == ACTION_MOVE_UP || action == ACTION_MOVE_DOWN) {
		view_move_cursor(&copy->selected, SESSION_COPY_COUNT, 1, action);
		return REACT_REDRAW;
	}
	switch (action) {
	case ACTION_OPEN_DETAIL:
		view_copy(context, (enum session_copy)copy->selected);
		return REACT_CLOSE;
	case ACTION_BACK:
	case ACTION_MOVE_LEFT:
	case ACTION_QUIT:
	case ACTION_COPY_MENU: return REACT_CLOSE;
	default: return REACT_NONE;
	}
}

static const struct view_ops copy_ops = {
	.name = "copy",
	.draw = copy_draw,
	.handle = copy_handle,
	.key = copy_key,
	.hint_text = "1-7 or Enter copy  Esc back",
	.free = view_free,
};

struct view *view_copy_new(void)
{
	struct copy_view *copy = xcalloc(1, sizeof(*copy));
	copy->view.ops = &copy_ops;
	return &copy->view;
}
