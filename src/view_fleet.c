/* view_fleet.c — the fleet table: one row per device, columns fitted to the width.
 * Only the visible rows are drawn, so a million rows scroll as fast as ten. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "text.h"
#include "tui.h"
#include "util.h"
#include "view.h"

/* _(ID, title, minimum width, maximum width). Columns are shown left to right while they fit;
 * the slack then widens NAME, TAGS and ICCID up to their maximum. */
#define FLEET_COLUMN_LIST(_) \
	_(MARK,     "M",        1,  1) \
	_(ALIGN,    "ALIGN",    12, 12) \
	_(SIM,      "SIM",      12, 12) \
	_(ENDPOINT, "ENDPOINT", 8,  8) \
	_(NAME,     "NAME",     16, 40) \
	_(ICCID,    "ICCID",    19, 20) \
	_(IMSI,     "IMSI",     15, 15) \
	_(MSISDN,   "MSISDN",   15, 15) \
	_(IP,       "IP",       15, 15) \
	_(TAGS,     "TAGS",     8,  40)

enum fleet_column {
#define FLEET_COLUMN_ENUM(id, title, min, max) COLUMN_##id,
	FLEET_COLUMN_LIST(FLEET_COLUMN_ENUM)
#undef FLEET_COLUMN_ENUM
	COLUMN_COUNT
};

static const struct {
	const char *title;
	int min, max;
} columns[COLUMN_COUNT] = {
#define FLEET_COLUMN_INFO(id, title, min, max) [COLUMN_##id] = { title, min, max },
	FLEET_COLUMN_LIST(FLEET_COLUMN_INFO)
#undef FLEET_COLUMN_INFO
};

struct fleet_view {
	struct view view;
	size_t cursor;  /* position in tui->rows */
	size_t top;     /* first row shown */
	int width[COLUMN_COUNT]; /* 0: not shown */
	bool has_anchor;         /* the last row marked with Space, for range marks */
	struct device anchor;
};

/* The table column that shows each sort column, for the header's arrow. */
static const enum fleet_column sort_column_shown[SORT_COUNT] = {
	[SORT_DEFAULT] = COLUMN_COUNT, [SORT_ALIGN] = COLUMN_ALIGN, [SORT_SIM] = COLUMN_SIM,
	[SORT_ENDPOINT] = COLUMN_ENDPOINT, [SORT_NAME] = COLUMN_NAME, [SORT_ICCID] = COLUMN_ICCID,
	[SORT_IMSI] = COLUMN_IMSI, [SORT_MSISDN] = COLUMN_MSISDN, [SORT_IP] = COLUMN_IP, [SORT_TAGS] = COLUMN_TAGS,
};

static void fit_columns(struct fleet_view *fleet_view, int screen_width)
{
	int used = -1;
	for (int column = 0; column < COLUMN_COUNT; column++) {
		int need = columns[column].min + 1;
		if (used + need <= screen_width) {
			fleet_view->width[column] = columns[column].min;
			used += need;
		} else {
			fleet_view->width[column] = 0;
		}
	}
	static const enum fleet_column grow[] = { COLUMN_NAME, COLUMN_TAGS, COLUMN_ICCID };
	for (size_t i = 0; i < ARRAY_SIZE(grow); i++) {
		int *width = &fleet_view->width[grow[i]];
		if (*width == 0)
			continue;
		int extra = columns[grow[i]].max - *width;
		if (extra > screen_width - used)
			extra = screen_width - used;
		*width += extra;
		used += extra;
	}
}

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

static void draw_row(struct fleet_view *fleet_view, struct tui *tui, int row, const struct device *device, bool is_cursor)
{
	bool marked = marks_has(tui->marks, device);
	int base = is_cursor ? display_attr(ROLE_CURSOR) : marked ? display_attr(ROLE_MARKED) : (int)A_NORMAL;
	enum alignment alignment = fleet_alignment(device);
	int x = 0;
	for (int column = 0; column < COLUMN_COUNT; column++) {
		int width = fleet_view->width[column];
		if (width == 0)
			continue;
		const char *text = "";
		char align_cell[64];
		int attr = base;
		switch ((enum fleet_column)column) {
		case COLUMN_MARK: text = marked ? "*" : ""; break;
		case COLUMN_ALIGN:
			snprintf(align_cell, sizeof(align_cell), "%s %s", model_alignment_glyph(alignment, tui->ascii),
				 model_alignment_label(alignment, device->sim_status, device->endpoint_status));
			text = align_cell;
			if (!is_cursor && !marked)
				attr = display_attr(alignment_role(alignment));
			break;
		case COLUMN_SIM: text = model_sim_status_name(device->sim_status); break;
		case COLUMN_ENDPOINT: text = model_endpoint_status_name(device->endpoint_status); break;
		case COLUMN_NAME: text = fleet_text(tui->fleet, device, TEXT_NAME); break;
		case COLUMN_ICCID: text = fleet_text(tui->fleet, device, TEXT_ICCID); break;
		case COLUMN_IMSI: text = fleet_text(tui->fleet, device, TEXT_IMSI); break;
		case COLUMN_MSISDN: text = fleet_text(tui->fleet, device, TEXT_MSISDN); break;
		case COLUMN_IP: text = fleet_text(tui->fleet, device, TEXT_IP); break;
		case COLUMN_TAGS: text = fleet_text(tui->fleet, device, TEXT_TAGS); break;
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

static void clamp(struct fleet_view *fleet_view, const struct tui *tui, int page_rows)
{
	size_t count = tui->rows.count;
	if (count == 0) {
		fleet_view->cursor = fleet_view->top = 0;
		return;
	}
	if (fleet_view->cursor >= count)
		fleet_view->cursor = count - 1;
	if (page_rows < 1)
		page_rows = 1;
	if (fleet_view->cursor < fleet_view->top)
		fleet_view->top = fleet_view->cursor;
	if (fleet_view->cursor >= fleet_view->top + (size_t)page_rows)
		fleet_view->top = fleet_view->cursor - (size_t)page_rows + 1;
	/* No empty space below the last row when the list could fill the screen. */
	if (count >= (size_t)page_rows && fleet_view->top > count - (size_t)page_rows)
		fleet_view->top = count - (size_t)page_rows;
}

static void fleet_draw(struct view *view, struct tui *tui, int first_row, int height)
{
	struct fleet_view *fleet_view = (struct fleet_view *)view;
	fit_columns(fleet_view, COLS);
	int header = display_attr(ROLE_HEADER);
	int x = 0;
	for (int column = 0; column < COLUMN_COUNT; column++) {
		if (fleet_view->width[column] == 0)
			continue;
		char title[32];
		if ((int)sort_column_shown[tui->sort] == column)
			snprintf(title, sizeof(title), "%s%s", columns[column].title,
				 tui->descending ? (tui->ascii ? "v" : "\u25bc") : (tui->ascii ? "^" : "\u25b2"));
		else
			snprintf(title, sizeof(title), "%s", columns[column].title);
		draw_cell(first_row, x, title, fleet_view->width[column] + 1, header);
		x += fleet_view->width[column] + 1;
	}
	draw_clear_to_end(first_row, x, header);

	int page_rows = height - 1;
	clamp(fleet_view, tui, page_rows);
	if (tui->rows.count == 0) {
		const char *text = tui->progress.running ? "Loading the fleet..."
			: fleet_count(tui->fleet) == 0 ? "No devices."
			: "No device matches: / changes the filter, M shows all rows again.";
		draw_text(first_row + 2, 2, text, COLS - 2, A_NORMAL);
		return;
	}
	for (int i = 0; i < page_rows; i++) {
		size_t position = fleet_view->top + (size_t)i;
		if (position >= tui->rows.count)
			break;
		const struct device *device = fleet_device(tui->fleet, tui->rows.index[position]);
		draw_row(fleet_view, tui, first_row + 1 + i, device, position == fleet_view->cursor);
	}
}

/* Mark every row between the anchor (the last row marked with Space) and the cursor. */
static int mark_range(struct fleet_view *fleet_view, struct tui *tui)
{
	if (!fleet_view->has_anchor) {
		tui_message(tui, false, "Mark a row with Space first; v then marks from it to the cursor");
		return REACT_REDRAW;
	}
	size_t anchor = tui->rows.count, index;
	if ((fleet_view->anchor.endpoint_id && fleet_find_endpoint(tui->fleet, fleet_view->anchor.endpoint_id, &index)) ||
	    (fleet_view->anchor.sim_id && fleet_find_sim(tui->fleet, fleet_view->anchor.sim_id, &index)))
		anchor = rows_find(&tui->rows, index);
	if (anchor >= tui->rows.count) {
		tui_message(tui, false, "The last marked row is not shown: mark a row with Space first");
		return REACT_REDRAW;
	}
	size_t from = anchor < fleet_view->cursor ? anchor : fleet_view->cursor;
	size_t to = anchor < fleet_view->cursor ? fleet_view->cursor : anchor;
	struct rows range = { .index = tui->rows.index + from, .count = to - from + 1 };
	marks_set_rows(tui->marks, tui->fleet, &range, true);
	return REACT_ROWS;
}

static int fleet_handle(struct view *view, struct tui *tui, enum action action, int page_rows)
{
	struct fleet_view *fleet_view = (struct fleet_view *)view;
	size_t count = tui->rows.count;
	size_t page = page_rows > 2 ? (size_t)page_rows - 1 : 1;
	size_t *cursor = &fleet_view->cursor;
	switch (action) {
	case ACTION_MOVE_UP: if (*cursor > 0) (*cursor)--; break;
	case ACTION_MOVE_DOWN: if (*cursor + 1 < count) (*cursor)++; break;
	case ACTION_PAGE_UP: *cursor = *cursor > page ? *cursor - page : 0; break;
	case ACTION_PAGE_DOWN: *cursor = count == 0 ? 0 : (*cursor + page < count ? *cursor + page : count - 1); break;
	case ACTION_MOVE_FIRST: *cursor = 0; break;
	case ACTION_MOVE_LAST: *cursor = count ? count - 1 : 0; break;
	case ACTION_OPEN_DETAIL: return count ? REACT_OPEN_DETAIL : REACT_NONE;
	case ACTION_REFRESH: return REACT_REFRESH;
	case ACTION_HELP: return REACT_OPEN_HELP;
	case ACTION_SUMMARY: return REACT_OPEN_SUMMARY;
	case ACTION_QUIT: return REACT_QUIT;
	case ACTION_SORT_NEXT:
		tui->sort = (enum sort_column)((tui->sort + 1) % SORT_COUNT);
		tui->descending = false;
		tui_message(tui, false, "Sorted by %s", sort_column_name(tui->sort));
		return REACT_ROWS;
	case ACTION_SORT_REVERSE:
		tui->descending = !tui->descending;
		tui_message(tui, false, "Sorted by %s, %s", sort_column_name(tui->sort),
			    tui->descending ? "descending" : "ascending");
		return REACT_ROWS;
	case ACTION_MARK:
		if (count == 0)
			return REACT_NONE;
		{
			const struct device *device = fleet_device(tui->fleet, tui->rows.index[*cursor]);
			marks_toggle(tui->marks, device);
			/* The row is shown, so only the shown count moves. */
			if (marks_has(tui->marks, device))
				tui->marked_shown++;
			else
				tui->marked_shown--;
			fleet_view->anchor = *device;
			fleet_view->has_anchor = true;
		}
		if (*cursor + 1 < count)
			(*cursor)++;
		/* With only marked rows shown, unmarking removes the row. */
		return tui->only_marked ? REACT_ROWS : REACT_REDRAW;
	case ACTION_MARK_RANGE: return count ? mark_range(fleet_view, tui) : REACT_NONE;
	case ACTION_MARK_SHOWN:
		marks_set_rows(tui->marks, tui->fleet, &tui->rows, true);
		return REACT_ROWS;
	case ACTION_INVERT_MARKS:
		marks_invert_rows(tui->marks, tui->fleet, &tui->rows);
		return REACT_ROWS;
	case ACTION_ONLY_MARKED:
		tui->only_marked = !tui->only_marked;
		return REACT_ROWS;
	case ACTION_MOVE_LEFT:
	case ACTION_MOVE_RIGHT:
	case ACTION_BACK:
	case ACTION_NONE:
	case ACTION_COUNT:
	default:
		return REACT_NONE;
	}
	clamp(fleet_view, tui, page_rows - 1);
	return REACT_REDRAW;
}

static const char *fleet_hint(struct view *view, struct tui *tui)
{
	(void)view;
	(void)tui;
	return "? help";
}

/* "filter: sim:act · 61 shown · 12 marked (3 hidden by the filter) · row 5": the counts come
 * first so that a narrow terminal cuts the row number, not them. */
/* " filter: QUERY · only marked · 61 shown · 12 marked (3 hidden by the filter) · row 5": the
 * counts always show whole; the row goes first when the line is too long, then the filter
 * is cut with an ellipsis. */
static void fleet_position(struct view *view, struct tui *tui, char *buffer, size_t size)
{
	struct fleet_view *fleet_view = (struct fleet_view *)view;
	char counts[200], with_row[240], row[32];
	tui_describe_rows(tui, counts, sizeof(counts));
	snprintf(with_row, sizeof(with_row), "%s \u00b7 row %s", counts,
		 util_thousands((int64_t)fleet_view->cursor + 1, row, sizeof(row)));
	const char *only = tui->only_marked ? " only marked \u00b7" : "";
	const char *filter = tui->filter ? tui->filter_text : "";
	int fixed = text_width(only) + (tui->filter ? text_width(" filter:  \u00b7") : 0) + 1;
	int room = COLS - 1 - fixed;
	const char *tail = tui->rows.count > 0 && text_width(filter) + text_width(with_row) <= room ? with_row : counts;
	if (!tui->filter) {
		snprintf(buffer, size, "%s %s", only, tail);
		return;
	}
	room -= text_width(tail);
	size_t fits = text_fit(filter, room > 1 ? room : 1, NULL);
	if (filter[fits] != '\0')  /* cut: keep a column for the ellipsis */
		fits = text_fit(filter, room > 2 ? room - 1 : 1, NULL);
	snprintf(buffer, size, " filter: %.*s%s \u00b7%s %s", (int)fits, filter,
		 filter[fits] ? (tui->ascii ? "~" : "\u2026") : "", only, tail);
}

static void fleet_free_view(struct view *view)
{
	free(view);
}

static const struct view_ops fleet_ops = {
	.name = "fleet",
	.draw = fleet_draw,
	.handle = fleet_handle,
	.hint = fleet_hint,
	.position = fleet_position,
	.free = fleet_free_view,
};

struct view *view_fleet_new(void)
{
	struct fleet_view *fleet_view = xcalloc(1, sizeof(*fleet_view));
	fleet_view->view.ops = &fleet_ops;
	return &fleet_view->view;
}

int view_fleet_cursor_device(struct view *view, struct tui *tui, size_t *device)
{
	struct fleet_view *fleet_view = (struct fleet_view *)view;
	if (tui->rows.count == 0)
		return 0;
	size_t position = fleet_view->cursor < tui->rows.count ? fleet_view->cursor : tui->rows.count - 1;
	*device = tui->rows.index[position];
	return 1;
}

void view_fleet_set_cursor(struct view *view, struct tui *tui, size_t position)
{
	struct fleet_view *fleet_view = (struct fleet_view *)view;
	fleet_view->cursor = position;
	clamp(fleet_view, tui, LINES - 3);
}
