/* view.h — the small vtable every screen implements.
 *
 * Views are stacked: the fleet view at the bottom, detail and help above it. A view draws the
 * body (the rows between the title line and the status line) and handles actions; handlers
 * return what the loop must do next instead of reaching into the loop's state. */
#ifndef SIMTOP_VIEW_H
#define SIMTOP_VIEW_H

#include <stddef.h>

#include "actions.h"

struct tui;
struct view;

/* What a handler asks of the loop; several may be or'ed. */
enum reaction {
	REACT_NONE = 0,
	REACT_REDRAW = 1 << 0,
	REACT_CLOSE = 1 << 1,       /* pop this view */
	REACT_QUIT = 1 << 2,
	REACT_REFRESH = 1 << 3,     /* load the fleet again */
	REACT_OPEN_DETAIL = 1 << 4, /* push the detail view of the fleet cursor's device */
	REACT_OPEN_HELP = 1 << 5,
	REACT_ROWS = 1 << 6,        /* filter, sort or marks changed: rebuild the shown rows */
	REACT_OPEN_SUMMARY = 1 << 7,
	REACT_PROMPT_FILTER = 1 << 8,
	REACT_PROMPT_MARK = 1 << 9,
	REACT_PROMPT_IMPORT = 1 << 10,
	REACT_PROMPT_EXPORT_SHOWN = 1 << 11,
	REACT_PROMPT_EXPORT_MARKED = 1 << 12,
};

struct view_ops {
	const char *name;
	/* Draw rows first_row .. first_row + height - 1. */
	void (*draw)(struct view *view, struct tui *tui, int first_row, int height);
	int (*handle)(struct view *view, struct tui *tui, enum action action, int page_rows);
	/* Keys worth showing in the status line now. */
	const char *(*hint)(struct view *view, struct tui *tui);
	/* Where the user is ("row 12 of 4,212"), left in the status line; NULL when not needed. */
	void (*position)(struct view *view, struct tui *tui, char *buffer, size_t size);
	/* Release the view. May be called while the view still waits for the API (see
	 * view_device.c): the view then frees itself when the last answer arrives. */
	void (*free)(struct view *view);
};

struct view {
	const struct view_ops *ops;
};

/* Constructors. */
struct view *view_fleet_new(void);
struct view *view_help_new(void);
struct view *view_summary_new(struct tui *tui);
/* A scrolling list of text lines under a title; takes ownership of lines (each malloc'ed). */
struct view *view_text_new(const char *title, char **lines, size_t count);
/* The detail view of device index in tui's fleet; it reads both objects from the API. */
struct view *view_device_new(struct tui *tui, size_t device);

/* Fleet view: the device index under the cursor; false when the fleet is empty. */
int view_fleet_cursor_device(struct view *view, struct tui *tui, size_t *device);
/* Fleet view: put the cursor on row position (clamped). */
void view_fleet_set_cursor(struct view *view, struct tui *tui, size_t position);

/* Shared by the scrolling text views: clamp and move an offset for an action. */
int view_scroll(size_t *offset, size_t line_count, int page_rows, enum action action);

#endif
