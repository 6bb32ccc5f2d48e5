/* view_fleet.c — the fleet table: one row per device, the chosen columns fitted to the width
 * (columns.h) and scrolled sideways. Only the visible rows are drawn, so a million rows scroll
 * as fast as ten. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "columns.h"
#include "draw.h"
#include "text.h"
#include "util.h"
#include "view.h"

struct fleet_view {
	struct view view;
	size_t top;                   /* first row shown; the cursor is the session's */
	struct column_choice columns; /* chosen, in order */
	size_t first_column;          /* scrolled right past this many chosen columns */
	struct column_layout layout;  /* as last drawn */
	int first_row;                /* where the header was last drawn */
	int height;                   /* and the rows it had, the header's included */
};

static enum color_role alignment_role(enum alignment alignment)
{
	switch (alignment) {
	case ALIGN_ONLINE: return ROLE_ONLINE;
	case ALIGN_OFFLINE: return ROLE_OFFLINE;
	case ALIGN_NEW: return ROLE_NEW;
	case ALIGN_TEST: return ROLE_TEST;
	case ALIGN_MISALIGNED: return ROLE_MISALIGNED;
	case ALIGN_UNPAIRED:
	case ALIGN_COUNT: break;
	}
	return ROLE_UNPAIRED;
}

/* What the network said, in words that are not the alignment's: an ONLINE endpoint is in a
 * data session. The filter takes conn:session for conn:online. */
static const struct {
	const char *glyph, *ascii, *word;
} connectivity_cells[CONNECTIVITY_COUNT] = {
	[CONNECTIVITY_UNKNOWN] = { "?", "?", "" },
	[CONNECTIVITY_ONLINE] = { "\u21c5", "=", "session" },
	[CONNECTIVITY_ATTACHED] = { "\u2218", ":", "attached" },
	[CONNECTIVITY_OFFLINE] = { "\u00d7", "x", "offline" },
	[CONNECTIVITY_BLOCKED] = { "\u2298", "#", "blocked" },
};

/* The CONN cell: blank when not read; an undocumented word as the API sent it. */
static const char *connectivity_cell(const struct live_state *state, bool ascii, char *buffer, size_t size)
{
	if (!state || !state->connectivity_read_at)
		return "";
	enum connectivity connectivity = state->connectivity;
	snprintf(buffer, size, "%s %s", ascii ? connectivity_cells[connectivity].ascii : connectivity_cells[connectivity].glyph,
		 connectivity == CONNECTIVITY_UNKNOWN ? state->word : connectivity_cells[connectivity].word);
	return buffer;
}

/* The MB cell, right-aligned: "0", "0.25", "12.5", "1,234"; blank when not read. */
static const char *data_cell(const struct live_state *state, int width, char *buffer, size_t size)
{
	if (!state || !state->usage_read_at)
		return "";
	double mb = state->data_month_mb;
	char number[32];
	if (mb == 0)
		snprintf(number, sizeof(number), "0");
	else if (mb < 10)
		snprintf(number, sizeof(number), "%.2f", mb);
	else if (mb < 1000)
		snprintf(number, sizeof(number), "%.1f", mb);
	else
		util_thousands((int64_t)(mb + 0.5), number, sizeof(number));
	snprintf(buffer, size, "%*s", width, number);
	return buffer;
}

/* Short status words for narrow screens. */
static const char *compact_sim(int status)
{
	static const char *const words[SIM_STATUS_COUNT] = {
		[SIM_ISSUED] = "Iss", [SIM_ACTIVATED] = "Act", [SIM_SUSPENDED] = "Sus", [SIM_DELETED] = "Del",
		[SIM_FACTORY_TEST] = "Test",
	};
	return status >= 0 && status < SIM_STATUS_COUNT ? words[status] : "";
}

static const char *compact_endpoint(int status)
{
	static const char *const words[ENDPOINT_STATUS_COUNT] = {
		[ENDPOINT_ENABLED] = "Ena", [ENDPOINT_DISABLED] = "Dis", [ENDPOINT_DELETED] = "Del",
	};
	return status >= 0 && status < ENDPOINT_STATUS_COUNT ? words[status] : "";
}

static const char *id_cell(int64_t id, char *buffer, size_t size)
{
	if (id == 0)
		return "";
	snprintf(buffer, size, "%lld", (long long)id);
	return buffer;
}

static void draw_row(struct fleet_view *fleet_view, struct view_context *context, int row, size_t index,
		     bool is_cursor)
{
	const struct fleet *fleet = context->session->fleet;
	const struct device *device = fleet_device(fleet, index);
	/* A device the job could not bring to its target says so where its alignment stands. */
	bool failed = session_device_failed(context->session, index);
	const struct column_layout *layout = &fleet_view->layout;
	bool marked = marks_has(context->session->marks, device);
	int base = is_cursor ? display_attr(ROLE_CURSOR) : marked ? display_attr(ROLE_MARKED) : (int)A_NORMAL;
	enum alignment alignment = fleet_alignment(device);
	const struct live_state *live = live_count(context->session->live) > 0
		? live_find(context->session->live, device->endpoint_id) : NULL;
	draw_cell(row, 0, marked ? "*" : "", 2, base);
	int x = 2;
	for (size_t i = 0; i < layout->count; i++) {
		int width = layout->width[i];
		bool compact = layout->compact[i];
		const char *text = "";
		char cell[64];
		int attr = base;
		switch (layout->shown[i]) {
		case COLUMN_ALIGN: {
			const char *glyph = failed ? (context->ascii ? "x" : "\u2717") : model_alignment_glyph(alignment, context->ascii);
			snprintf(cell, sizeof(cell), "%s %s", glyph, failed ? "failed"
				 : model_alignment_label(alignment, device->sim_status, device->endpoint_status));
			text = compact ? glyph : cell;
			if (!is_cursor && !marked)
				attr = display_attr(failed ? ROLE_MISALIGNED : alignment_role(alignment));
			break;
		}
		case COLUMN_SIM:
			text = compact ? compact_sim(device->sim_status) : model_sim_status_name(device->sim_status);
			break;
		case COLUMN_ENDPOINT:
			text = compact ? compact_endpoint(device->endpoint_status)
				       : model_endpoint_status_name(device->endpoint_status);
			break;
		case COLUMN_CONN: text = connectivity_cell(live, context->ascii, cell, sizeof(cell)); break;
		case COLUMN_DATA: text = data_cell(live, width, cell, sizeof(cell)); break;
		case COLUMN_NAME: text = fleet_text(fleet, device, TEXT_NAME); break;
		case COLUMN_ICCID: text = fleet_text(fleet, device, TEXT_ICCID); break;
		case COLUMN_IMSI: text = fleet_text(fleet, device, TEXT_IMSI); break;
		case COLUMN_MSISDN: text = fleet_text(fleet, device, TEXT_MSISDN); break;
		case COLUMN_IMEI: text = fleet_text(fleet, device, TEXT_IMEI); break;
		case COLUMN_IP: text = fleet_text(fleet, device, TEXT_IP); break;
		case COLUMN_TAGS: text = fleet_text(fleet, device, TEXT_TAGS); break;
		case COLUMN_SIM_ID: text = id_cell(device->sim_id, cell, sizeof(cell)); break;
		case COLUMN_ENDPOINT_ID: text = id_cell(device->endpoint_id, cell, sizeof(cell)); break;
		case COLUMN_COUNT: break;
		}
		draw_cell(row, x, text, width, attr);
		x += width;
		if (x < COLS)
			draw_cell(row, x, "", 1, base);
		x++;
	}
	draw_clear_to_end(row, x, base);
}

/* Keep the first row shown such that the cursor is on screen. */
static void clamp(struct fleet_view *fleet_view, const struct session *session, int page_rows)
{
	size_t count = session->rows.count, cursor = session->cursor;
	if (count == 0) {
		fleet_view->top = 0;
		return;
	}
	if (page_rows < 1)
		page_rows = 1;
	if (cursor < fleet_view->top)
		fleet_view->top = cursor;
	if (cursor >= fleet_view->top + (size_t)page_rows)
		fleet_view->top = cursor - (size_t)page_rows + 1;
	/* No empty space below the last row when the list could fill the screen. */
	if (count >= (size_t)page_rows && fleet_view->top > count - (size_t)page_rows)
		fleet_view->top = count - (size_t)page_rows;
}

static void fleet_draw(struct view *view, struct view_context *context, int first_row, int height)
{
	struct fleet_view *fleet_view = (struct fleet_view *)view;
	const struct session *session = context->session;
	struct column_layout *layout = &fleet_view->layout;
	fleet_view->first_row = first_row;
	fleet_view->height = height;
	columns_fit(&fleet_view->columns, live_count(session->live) > 0, fleet_view->first_column, session->sort, COLS,
		    layout);
	int header = display_attr(ROLE_HEADER);
	/* The live columns' titles carry the age of the oldest value read. */
	char age[32] = "";
	int64_t oldest = live_oldest(session->live);
	if (oldest > 0) {
		int64_t seconds = (int64_t)time(NULL) - oldest;
		if (seconds < 60)
			snprintf(age, sizeof(age), " <1m");
		else if (seconds < 3600)
			snprintf(age, sizeof(age), " %lldm", (long long)(seconds / 60));
		else if (seconds < 86400)
			snprintf(age, sizeof(age), " %lldh", (long long)(seconds / 3600));
		else
			snprintf(age, sizeof(age), " %lldd", (long long)(seconds / 86400));
	}
	/* Scrolled right, the mark column's title points left. */
	draw_cell(first_row, 0, layout->more_left ? (context->ascii ? "<" : "\u25c2") : "M", 2, header);
	int x = 2;
	for (size_t i = 0; i < layout->count; i++) {
		enum column column = layout->shown[i];
		const struct column_info *info = columns_info(column);
		const char *name = layout->compact[i] ? info->compact_title : info->title;
		char title[64];
		if (column == COLUMN_CONN || column == COLUMN_DATA)
			snprintf(title, sizeof(title), "%s%s", name, age);
		else if (session->sort != SORT_DEFAULT && info->sort == session->sort)
			snprintf(title, sizeof(title), "%s%s", name,
				 session->descending ? (context->ascii ? "v" : "\u25bc") : (context->ascii ? "^" : "\u25b2"));
		else
			snprintf(title, sizeof(title), "%s", name);
		draw_cell(first_row, x, title, layout->width[i] + 1, header);
		x += layout->width[i] + 1;
	}
	draw_clear_to_end(first_row, x, header);
	/* More columns to the right: the last column of the title says so. */
	if (layout->more_right)
		draw_text(first_row, COLS - 1, context->ascii ? ">" : "\u25b8", 1, header);

	int page_rows = height - 1;
	clamp(fleet_view, session, page_rows);
	if (session->rows.count == 0) {
		const char *text = session->progress.running ? "Loading the fleet..."
			: fleet_count(session->fleet) == 0 ? "No devices."
			: session->only_marked && session->filter ? "No marked device matches: / changes the filter, M shows all rows."
			: session->only_marked ? "No device is marked: M shows all rows again, Space marks one."
			: session->unknown.count ? "No device matches yet: L reads the live state the filter needs."
			: "No device matches: / changes the filter, Esc clears it.";
		draw_text(first_row + 2, 2, text, COLS - 2, A_NORMAL);
		return;
	}
	for (int i = 0; i < page_rows; i++) {
		size_t position = fleet_view->top + (size_t)i;
		if (position >= session->rows.count)
			break;
		draw_row(fleet_view, context, first_row + 1 + i, session->rows.index[position], position == session->cursor);
	}
}

static int open_detail(struct view_context *context)
{
	size_t device;
	if (!session_cursor_device(context->session, &device))
		return REACT_NONE;
	return view_push(context, view_device_new(context, device));
}

/* Sort by the sortable column left or right of the one sorted now, in the order of the chosen
 * columns; past either end, the default order. */
static void sort_beside(struct fleet_view *fleet_view, struct session *session, bool right)
{
	enum sort_column order[COLUMN_COUNT];
	size_t count = 0, at = 0;
	bool live = live_count(session->live) > 0;
	for (size_t i = 0; i < fleet_view->columns.count; i++) {
		enum column column = fleet_view->columns.order[i];
		const struct column_info *info = columns_info(column);
		if (info->sort != SORT_COUNT && (live || (column != COLUMN_CONN && column != COLUMN_DATA)))
			order[count++] = info->sort;
	}
	while (at < count && order[at] != session->sort)
		at++;
	enum sort_column next = SORT_DEFAULT;
	if (at == count) /* the default order: the first or the last column */
		next = count == 0 ? SORT_DEFAULT : right ? order[0] : order[count - 1];
	else if (right ? at + 1 < count : at > 0)
		next = order[right ? at + 1 : at - 1];
	session_sort_by(session, next, false);
	if (next == SORT_DEFAULT)
		session_message(session, false, "Sorted in the default order (< and > choose the column, S reverses)");
	else
		session_message(session, false, "Sorted by %s (< and > choose the column, S reverses)",
				sort_column_name(next));
}

static int fleet_handle(struct view *view, struct view_context *context, enum action action, int page_rows)
{
	struct fleet_view *fleet_view = (struct fleet_view *)view;
	struct session *session = context->session;
	size_t page = page_rows > 2 ? (size_t)page_rows - 1 : 1;
	size_t cursor = session->cursor;
	if (view_move_cursor(&cursor, session->rows.count, page, action)) {
		session_move_cursor(session, cursor);
		clamp(fleet_view, session, page_rows - 1);
		return REACT_REDRAW;
	}
	switch (action) {
	case ACTION_MOVE_LEFT:
		if (fleet_view->first_column > 0)
			fleet_view->first_column--;
		break;
	case ACTION_MOVE_RIGHT:
		if (fleet_view->layout.more_right &&
		    fleet_view->first_column + 1 < columns_available(&fleet_view->columns, live_count(session->live) > 0))
			fleet_view->first_column++;
		break;
	case ACTION_SORT_LEFT:
	case ACTION_SORT_RIGHT:
		sort_beside(fleet_view, session, action == ACTION_SORT_RIGHT);
		break;
	case ACTION_OPEN_DETAIL: return open_detail(context);
	case ACTION_REFRESH: return REACT_REFRESH;
	case ACTION_HELP: return view_push(context, view_help_new(context));
	case ACTION_SUMMARY: return view_push(context, view_summary_new());
	case ACTION_QUIT: return REACT_QUIT;
	case ACTION_SORT_NEXT: session_sort_next(session); break;
	case ACTION_SORT_REVERSE: session_sort_reverse(session); break;
	case ACTION_MARK: session_toggle_mark(session); break;
	case ACTION_MARK_RANGE: session_mark_range(session); break;
	case ACTION_MARK_SHOWN: session_mark_shown(session); break;
	case ACTION_INVERT_MARKS: session_invert_marks(session); break;
	case ACTION_ONLY_MARKED: session_toggle_only_marked(session); break;
	case ACTION_ONLINE: return view_push(context, view_plan_new(context, PLAN_ONLINE));
	case ACTION_OFFLINE: return view_push(context, view_plan_new(context, PLAN_OFFLINE));
	case ACTION_OTHER_ACTIONS: return view_push(context, view_actions_new(context));
	default: return REACT_NONE;
	}
	return REACT_REDRAW;
}

/* " filter: QUERY · only marked · 61 shown · 12 marked (3 hidden by the filter) · row 5": the
 * counts always show whole; the row goes first when the line is too long, then the filter
 * is cut with an ellipsis. */
static void fleet_position(struct view *view, struct view_context *context, char *buffer, size_t size)
{
	(void)view;
	const struct session *session = context->session;
	char counts[200], with_row[240], row[32];
	session_describe_rows(session, counts, sizeof(counts));
	snprintf(with_row, sizeof(with_row), "%s \u00b7 row %s", counts,
		 util_thousands((int64_t)session->cursor + 1, row, sizeof(row)));
	const char *only = session->only_marked ? " only marked \u00b7" : "";
	const char *filter = session->filter ? session->filter_text : "";
	int fixed = text_width(only) + (session->filter ? text_width(" filter:  \u00b7") : 0) + 1;
	int room = COLS - 1 - fixed;
	const char *tail = session->rows.count > 0 && text_width(filter) + text_width(with_row) <= room ? with_row : counts;
	if (!session->filter) {
		snprintf(buffer, size, "%s %s", only, tail);
		return;
	}
	room -= text_width(tail);
	size_t fits = text_fit(filter, room > 1 ? room : 1, NULL);
	if (filter[fits] != '\0')  /* cut: keep a column for the ellipsis */
		fits = text_fit(filter, room > 2 ? room - 1 : 1, NULL);
	snprintf(buffer, size, " filter: %.*s%s \u00b7%s %s", (int)fits, filter,
		 filter[fits] ? (context->ascii ? "~" : "\u2026") : "", only, tail);
}

/* A click on a column's title sorts by it (again: the other way round); on a row, the cursor
 * goes there. */
static int fleet_click(struct view *view, struct view_context *context, int row, int column)
{
	struct fleet_view *fleet_view = (struct fleet_view *)view;
	struct session *session = context->session;
	const struct column_layout *layout = &fleet_view->layout;
	if (row == fleet_view->first_row) {
		int x = 2;
		for (size_t i = 0; i < layout->count; i++) {
			const struct column_info *info = columns_info(layout->shown[i]);
			if (column >= x && column <= x + layout->width[i]) {
				if (info->sort == SORT_COUNT)
					return REACT_NONE;
				session_sort_by(session, info->sort, info->sort == session->sort && !session->descending);
				session_message(session, false, "Sorted by %s, %s", sort_column_name(info->sort),
						session->descending ? "descending" : "ascending");
				return REACT_REDRAW;
			}
			x += layout->width[i] + 1;
		}
		return REACT_NONE;
	}
	size_t position = fleet_view->top + (size_t)(row - fleet_view->first_row - 1);
	if (row <= fleet_view->first_row || row >= fleet_view->first_row + fleet_view->height ||
	    position >= session->rows.count)
		return REACT_NONE;
	session_move_cursor(session, position);
	return REACT_REDRAW;
}

static const struct view_ops fleet_ops = {
	.name = "fleet",
	.draw = fleet_draw,
	.handle = fleet_handle,
	.click = fleet_click,
	.hint_text = "? help",
	.position = fleet_position,
	.free = view_free,
};

struct view *view_fleet_new(const char *columns)
{
	struct fleet_view *fleet_view = xcalloc(1, sizeof(*fleet_view));
	fleet_view->view.ops = &fleet_ops;
	char message[256];
	if (!columns || !columns_parse(columns, &fleet_view->columns, message, sizeof(message)))
		columns_parse(COLUMNS_DEFAULT, &fleet_view->columns, message, sizeof(message));
	return &fleet_view->view;
}

bool view_fleet_set_columns(struct view *view, const char *text, char *message, size_t size)
{
	struct fleet_view *fleet_view = (struct fleet_view *)view;
	if (!columns_parse(text, &fleet_view->columns, message, size))
		return false;
	fleet_view->first_column = 0;
	return true;
}

void view_fleet_columns(const struct view *view, char *buffer, size_t size)
{
	columns_format(&((const struct fleet_view *)view)->columns, buffer, size);
}

