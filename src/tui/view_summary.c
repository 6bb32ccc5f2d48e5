/* view_summary.c — the fleet counted by SIM status × endpoint status, with the unpaired row
 * and column and the totals. Enter filters the fleet to the cell under the cursor; the
 * mark-shown key marks every device of the cell. Counts cover the whole fleet. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "filter.h"
#include "util.h"
#include "view.h"

/* Row and column order: the statuses an operator sees most come first; the last entry of each
 * is "none" (unpaired), then the total. */
static const int sim_order[] = { SIM_ACTIVATED, SIM_SUSPENDED, SIM_ISSUED, SIM_FACTORY_TEST, SIM_DELETED, SIM_NONE };
static const int endpoint_order[] = { ENDPOINT_ENABLED, ENDPOINT_DISABLED, ENDPOINT_DELETED, ENDPOINT_NONE };
#define SUMMARY_ROWS ((int)ARRAY_SIZE(sim_order) + 1)
#define SUMMARY_COLUMNS ((int)ARRAY_SIZE(endpoint_order) + 1)
#define LABEL_WIDTH 15
#define CELL_WIDTH 12

struct summary_view {
	struct view view;
	int row, column;  /* the cell under the cursor */
	size_t counts[SUMMARY_ROWS][SUMMARY_COLUMNS];
};

static int sim_index(int status)
{
	for (int i = 0; i < (int)ARRAY_SIZE(sim_order); i++)
		if (sim_order[i] == status)
			return i;
	return (int)ARRAY_SIZE(sim_order) - 1;
}

static int endpoint_index(int status)
{
	for (int i = 0; i < (int)ARRAY_SIZE(endpoint_order); i++)
		if (endpoint_order[i] == status)
			return i;
	return (int)ARRAY_SIZE(endpoint_order) - 1;
}

static void count_fleet(struct summary_view *summary, const struct session *session)
{
	memset(summary->counts, 0, sizeof(summary->counts));
	for (size_t i = 0; i < session->base.count; i++) {
		const struct device *device = fleet_device(session->fleet, session->base.index[i]);
		int row = sim_index(device->sim_status), column = endpoint_index(device->endpoint_status);
		summary->counts[row][column]++;
		summary->counts[row][SUMMARY_COLUMNS - 1]++;
		summary->counts[SUMMARY_ROWS - 1][column]++;
		summary->counts[SUMMARY_ROWS - 1][SUMMARY_COLUMNS - 1]++;
	}
}

/* The query that selects one cell: statuses, "none", or any status for a total. */
static void cell_query(int row, int column, char *query, size_t size)
{
	int sim = row < SUMMARY_ROWS - 1 ? sim_order[row] : FILTER_ANY_STATUS;
	int endpoint = column < SUMMARY_COLUMNS - 1 ? endpoint_order[column] : FILTER_ANY_STATUS;
	filter_status_query(query, size, sim, endpoint);
}

static enum color_role cell_role(int row, int column)
{
	if (row >= SUMMARY_ROWS - 1 || column >= SUMMARY_COLUMNS - 1)
		return ROLE_HEADER;
	return ROLE_COUNT;
}

static void summary_draw(struct view *view, struct view_context *context, int first_row, int height)
{
	struct summary_view *summary = (struct summary_view *)view;
	count_fleet(summary, context->session);
	int header = display_attr(ROLE_HEADER);
	draw_cell(first_row, 0, " Summary: SIM status \u00d7 endpoint status (Enter filters to a cell, a marks it)",
		  COLS, header);
	if (height < SUMMARY_ROWS + 3)
		return;
	int row = first_row + 2;
	draw_cell(row, 0, "", LABEL_WIDTH, header);
	for (int column = 0; column < SUMMARY_COLUMNS; column++) {
		char title[32];
		if (column == SUMMARY_COLUMNS - 1)
			snprintf(title, sizeof(title), "%*s", CELL_WIDTH, "Total");
		else if (endpoint_order[column] == ENDPOINT_NONE)
			snprintf(title, sizeof(title), "%*s", CELL_WIDTH, "no endpoint");
		else
			snprintf(title, sizeof(title), "%*s", CELL_WIDTH, model_endpoint_status_name(endpoint_order[column]));
		draw_cell(row, LABEL_WIDTH + column * CELL_WIDTH, title, CELL_WIDTH, header);
	}
	for (int r = 0; r < SUMMARY_ROWS; r++) {
		row = first_row + 3 + r;
		const char *label = r == SUMMARY_ROWS - 1 ? "Total"
			: sim_order[r] == SIM_NONE ? "no SIM" : model_sim_status_name(sim_order[r]);
		char text[32];
		snprintf(text, sizeof(text), " %s", label);
		draw_cell(row, 0, text, LABEL_WIDTH, header);
		for (int column = 0; column < SUMMARY_COLUMNS; column++) {
			char number[32];
			util_thousands((int64_t)summary->counts[r][column], number, sizeof(number));
			snprintf(text, sizeof(text), "%*s", CELL_WIDTH, number);
			int attr = A_NORMAL;
			if (cell_role(r, column) == ROLE_HEADER) {
				attr = header;
			} else if (summary->counts[r][column] > 0) {
				int sim = sim_order[r], endpoint = endpoint_order[column];
				enum alignment alignment = model_alignment(sim, endpoint);
				if (alignment == ALIGN_MISALIGNED)
					attr = display_attr(ROLE_MISALIGNED);
			}
			if (r == summary->row && column == summary->column)
				attr = display_attr(ROLE_CURSOR);
			draw_cell(row, LABEL_WIDTH + column * CELL_WIDTH, text, CELL_WIDTH, attr);
		}
	}
	char query[128], line[256];
	cell_query(summary->row, summary->column, query, sizeof(query));
	snprintf(line, sizeof(line), " cell: %s", query[0] ? query : "(every device)");
	draw_cell(first_row + 4 + SUMMARY_ROWS, 0, line, COLS, A_NORMAL);
}

static int summary_handle(struct view *view, struct view_context *context, enum action action, int page_rows)
{
	(void)page_rows;
	struct session *session = context->session;
	struct summary_view *summary = (struct summary_view *)view;
	char query[128], message[256];
	int column;
	switch (action) {
	case ACTION_MOVE_UP: if (summary->row > 0) summary->row--; return REACT_REDRAW;
	case ACTION_MOVE_DOWN: if (summary->row < SUMMARY_ROWS - 1) summary->row++; return REACT_REDRAW;
	case ACTION_MOVE_LEFT: if (summary->column > 0) summary->column--; return REACT_REDRAW;
	case ACTION_MOVE_RIGHT: if (summary->column < SUMMARY_COLUMNS - 1) summary->column++; return REACT_REDRAW;
	case ACTION_MOVE_FIRST: summary->row = 0; summary->column = 0; return REACT_REDRAW;
	case ACTION_MOVE_LAST: summary->row = SUMMARY_ROWS - 1; summary->column = SUMMARY_COLUMNS - 1; return REACT_REDRAW;
	case ACTION_OPEN_DETAIL:
		cell_query(summary->row, summary->column, query, sizeof(query));
		if (!session_set_filter(session, query, message, sizeof(message), &column)) {
			session_message(session, true, "%s", message);
			return REACT_REDRAW;
		}
		prompt_history_add(context->filter_history, query);
		return REACT_CLOSE;
	case ACTION_MARK_SHOWN:
		cell_query(summary->row, summary->column, query, sizeof(query));
		if (!session_mark_query(session, query, message, sizeof(message), &column))
			session_message(session, true, "%s", message);
		return REACT_REDRAW;
	case ACTION_HELP: return view_push(context, view_help_new(context));
	case ACTION_REFRESH: return REACT_REFRESH;
	case ACTION_SUMMARY:
	case ACTION_BACK:
	case ACTION_QUIT: return REACT_CLOSE;
	default: return REACT_NONE;
	}
}

static const struct view_ops summary_ops = {
	.name = "summary",
	.draw = summary_draw,
	.handle = summary_handle,
	.hint_text = "Enter filter  a mark  Esc back",
	.free = view_free,
};

struct view *view_summary_new(void)
{
	struct summary_view *summary = xcalloc(1, sizeof(*summary));
	summary->view.ops = &summary_ops;
	return &summary->view;
}
