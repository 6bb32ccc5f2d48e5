/* view_actions.c — the menu of the less common changes: one side of a device at a time. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "draw.h"
#include "util.h"
#include "view.h"

static const enum plan_action menu[] = {
	PLAN_ONLINE, PLAN_OFFLINE, PLAN_SIM_ACTIVATE, PLAN_SIM_SUSPEND, PLAN_ENDPOINT_ENABLE, PLAN_ENDPOINT_DISABLE,
};

struct actions_view {
	struct view view;
	size_t selected;
};

static void actions_draw(struct view *view, struct view_context *context, int first_row, int height)
{
	(void)context;
	struct actions_view *actions = (struct actions_view *)view;
	draw_cell(first_row, 0, " Change the marked devices (or the cursor's device)", COLS, display_attr(ROLE_HEADER));
	for (int i = 0; i < (int)ARRAY_SIZE(menu) && i + 2 < height; i++) {
		char text[128];
		snprintf(text, sizeof(text), "  %d  %-13s %s", i + 1, plan_action_name(menu[i]), plan_action_text(menu[i]));
		draw_cell(first_row + 2 + i, 1, text, COLS - 1, (size_t)i == actions->selected ? display_attr(ROLE_CURSOR) : (int)A_NORMAL);
	}
	draw_cell(first_row + 3 + (int)ARRAY_SIZE(menu), 1, "  Nothing is sent before the confirmation.", COLS - 1, A_NORMAL);
}

/* The menu gives way to the confirmation of the change chosen. */
static int choose(struct view_context *context, size_t index)
{
	return REACT_CLOSE | view_push(context, view_plan_new(context, menu[index]));
}

static int actions_key(struct view *view, struct view_context *context, int key)
{
	(void)view;
	if (key >= '1' && key < '1' + (int)ARRAY_SIZE(menu))
		return choose(context, (size_t)(key - '1'));
	return -1;
}

static int actions_handle(struct view *view, struct view_context *context, enum action action, int page_rows)
{
	(void)page_rows;
	struct actions_view *actions = (struct actions_view *)view;
	if (action == ACTION_MOVE_UP || action == ACTION_MOVE_DOWN) {
		view_move_cursor(&actions->selected, ARRAY_SIZE(menu), 1, action);
		return REACT_REDRAW;
	}
	switch (action) {
	case ACTION_OPEN_DETAIL: return choose(context, actions->selected);
	case ACTION_BACK:
	case ACTION_MOVE_LEFT:
	case ACTION_QUIT:
	case ACTION_OTHER_ACTIONS: return REACT_CLOSE;
	default: return REACT_NONE;
	}
}

static const struct view_ops actions_ops = {
	.name = "actions",
	.draw = actions_draw,
	.handle = actions_handle,
	.key = actions_key,
	.hint_text = "1-6 or Enter choose  Esc back",
	.free = view_free,
};

struct view *view_actions_new(struct view_context *context)
{
	if (!session_may_act(context->session))
		return NULL;
	struct actions_view *actions = xcalloc(1, sizeof(*actions));
	actions->view.ops = &actions_ops;
	return &actions->view;
}
