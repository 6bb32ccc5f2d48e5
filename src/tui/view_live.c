/* view_live.c — the question before a live read: which devices, how many calls, how long at
 * the current limits. Enter reads, Esc does not. Nothing is read that the operator did not
 * confirm here. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "draw.h"
#include "util.h"
#include "view.h"

struct live_view {
	struct view view;
	struct session_live_plan plan;
	int64_t *ids;                 /* what the operator is asked about, and what is read */
};

static void live_draw(struct view *view, struct view_context *context, int first_row, int height)
{
	(void)context;
	const struct session_live_plan *plan = &((struct live_view *)view)->plan;
	char devices[32], calls[32], others[32], duration[48];
	char lines[8][320];
	int count = 0;
	util_thousands((int64_t)plan->devices, devices, sizeof(devices));
	util_thousands((int64_t)plan->estimate.calls, calls, sizeof(calls));
	util_format_duration(plan->estimate.seconds, duration, sizeof(duration));
	if (plan->marked)
		snprintf(lines[count++], sizeof(lines[0]), "Read the network's view of %s marked device%s", devices,
			 plan->devices == 1 ? "" : "s");
	else if (plan->unknown == 0)
		snprintf(lines[count++], sizeof(lines[0]), "Read the network's view of %s shown device%s", devices,
			 plan->devices == 1 ? "" : "s");
	else
		snprintf(lines[count++], sizeof(lines[0]), "Read the network's view of %s device%s (%s shown, %s whose "
			 "live state the filter needs)", devices, plan->devices == 1 ? "" : "s",
			 util_thousands((int64_t)(plan->devices - plan->unknown), others, sizeof(others)),
			 util_thousands((int64_t)plan->unknown, calls, sizeof(calls)));
	util_thousands((int64_t)plan->estimate.calls, calls, sizeof(calls));
	lines[count++][0] = '\0';
	snprintf(lines[count++], sizeof(lines[0]),
		 "  Connectivity and this month's data volume: %s calls, at least %s at the current limits.", calls,
		 duration);
	if (plan->without_endpoint > 0)
		snprintf(lines[count++], sizeof(lines[0]), "  %s %s device%s no endpoint: nothing to read there.",
			 util_thousands((int64_t)plan->without_endpoint, others, sizeof(others)),
			 plan->marked ? "marked" : "shown", plan->without_endpoint == 1 ? " has" : "s have");
	if (plan->left_out > 0)
		snprintf(lines[count++], sizeof(lines[0]),
			 "  %s more shown devices are left out (%d at most without marks): mark the ones to read.",
			 util_thousands((int64_t)plan->left_out, others, sizeof(others)), SESSION_LIVE_SHOWN_MAX);
	snprintf(lines[count++], sizeof(lines[0]),
		 "  Nothing changes and nothing is billed; the calls count against emnify's limits.");
	lines[count++][0] = '\0';
	snprintf(lines[count++], sizeof(lines[0]), "  Enter reads, Esc cancels");
	draw_cell(first_row, 0, " Live state", COLS, display_attr(ROLE_HEADER));
	for (int i = 0; i < height - 1; i++)
		draw_cell(first_row + 1 + i, 1, i < count ? lines[i] : "", COLS - 1,
			  i == 0 || i == count - 1 ? A_BOLD : A_NORMAL);
}

static int live_handle(struct view *view, struct view_context *context, enum action action, int page_rows)
{
	(void)page_rows;
	switch (action) {
	case ACTION_CONFIRM: {
		struct live_view *live_view = (struct live_view *)view;
		session_live_read(context->session, live_view->ids, live_view->plan.devices);
		return REACT_CLOSE;
	}
	case ACTION_CANCEL:
		session_message(context->session, false, "Cancelled: nothing was read");
		return REACT_CLOSE;
	default:
		return REACT_NONE;
	}
}

static void live_view_free(struct view *view)
{
	free(((struct live_view *)view)->ids);
	free(view);
}

static const struct view_ops live_ops = {
	.name = "live",
	.keymap = KEYMAP_DIALOG,
	.draw = live_draw,
	.handle = live_handle,
	.hint_text = "Enter read  Esc cancel",
	.free = live_view_free,
};

struct view *view_live_new(struct view_context *context)
{
	struct session_live_plan plan;
	int64_t *ids;
	if (!session_live_plan_ids(context->session, &plan, &ids))
		return NULL;
	struct live_view *live_view = xcalloc(1, sizeof(*live_view));
	live_view->view.ops = &live_ops;
	live_view->plan = plan;
	live_view->ids = ids;
	return &live_view->view;
}
