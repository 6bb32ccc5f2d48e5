/* view.h — the small vtable every screen implements.
 *
 * Views are stacked: the fleet view at the bottom, detail and help above it. A view draws the
 * body (the rows between the title line and the status line) and handles actions; handlers
 * return what the loop must do next instead of reaching into the loop's state. */
#ifndef SIMTOP_VIEW_H
#define SIMTOP_VIEW_H

#include <stddef.h>

#include "actions.h"
#include "journal.h"
#include "plan.h"

struct job;

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
	REACT_START_JOB = 1 << 13,  /* the confirmation was given: run tui->pending_plan */
	REACT_OPEN_PLAN = 1 << 14,  /* confirm tui->plan_action on the marked devices */
};

struct view_ops {
	const char *name;
	/* Draw rows first_row .. first_row + height - 1. */
	void (*draw)(struct view *view, struct tui *tui, int first_row, int height);
	int (*handle)(struct view *view, struct tui *tui, enum action action, int page_rows);
	/* Optional: sees every key before the keymap (dialogs that take typed text); returns a
	 * reaction, or -1 to let the keymap have the key. */
	int (*key)(struct view *view, struct tui *tui, int key);
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
/* The confirmation of a bulk action on the marked devices (or the cursor's device when none
 * is marked). NULL, with a status line message, when there is nothing to act on. */
struct view *view_plan_new(struct tui *tui, enum plan_action action, size_t cursor_device, bool has_cursor);
/* The confirmation of an interrupted job found in a journal; the view owns plan and states
 * until the job starts. */
struct view *view_plan_resume(struct tui *tui, struct plan *plan, enum journal_state (*states)[2],
			      struct journal *journal);
/* The menu of the four single-sided changes; the choice goes to tui->plan_action. */
struct view *view_actions_new(struct tui *tui);
/* After a job: every device that failed or was left half-done; a key re-marks them. */
struct view *view_results_new(struct tui *tui, const struct plan *plan, const struct job *job);
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
