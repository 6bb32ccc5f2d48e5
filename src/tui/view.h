/* view.h — the small vtable every screen implements, and the base the list views share.
 *
 * Views are stacked: the fleet view at the bottom, detail, help and dialogs above it. A view
 * draws the body (the rows between the title line and the status line), acts on the session
 * through session.h, and returns what the loop must do next: one of a few generic reactions.
 * No view knows the loop, and the loop knows no view but the fleet view at the bottom. */
#ifndef SIMTOP_VIEW_H
#define SIMTOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "actions.h"
#include "prompt.h"
#include "session.h"

struct api;
struct view;

/* What every view may use; owned by the loop, alive as long as the views. */
struct view_context {
	struct session *session;
	struct api *api;              /* for the device view's own reads; NULL without a token */
	bool ascii;                   /* ASCII glyphs */
	struct prompt_history *filter_history; /* a filter a view sets is recalled like a typed one */
	bool redraw;                  /* set by callbacks (API answers) that change what a view shows */
	struct view *pushed;          /* view_push()'s view, until the loop takes it */
};

/* What a handler asks of the loop; several may be or'ed. */
enum reaction {
	REACT_NONE = 0,
	REACT_REDRAW = 1 << 0,
	REACT_CLOSE = 1 << 1,       /* pop this view */
	REACT_QUIT = 1 << 2,
	REACT_REFRESH = 1 << 3,     /* load the fleet again */
	REACT_PUSH = 1 << 4,        /* push context->pushed on top (after a close) */
};

struct view_ops {
	const char *name;
	enum keymap keymap;           /* which keys the view's handle() sees (actions.h) */
	/* Draw rows first_row .. first_row + height - 1. */
	void (*draw)(struct view *view, struct view_context *context, int first_row, int height);
	int (*handle)(struct view *view, struct view_context *context, enum action action, int page_rows);
	/* Optional: sees a key no action of the view's keymap has (typed digits); returns a
	 * reaction, or -1 when the key means nothing here. */
	int (*key)(struct view *view, struct view_context *context, int key);
	/* Keys worth showing in the status line: hint_text, or what hint() says now. */
	const char *hint_text;
	const char *(*hint)(struct view *view, struct view_context *context);
	/* Where the user is ("row 12 of 4,212"), left in the status line; NULL when not needed. */
	void (*position)(struct view *view, struct view_context *context, char *buffer, size_t size);
	/* Optional: a click at (row, column) of the screen (config mouse = true); returns a
	 * reaction. */
	int (*click)(struct view *view, struct view_context *context, int row, int column);
	/* Release the view. May be called while the view still waits for the API (see
	 * view_device.c): the view then frees itself when the last answer arrives. */
	void (*free)(struct view *view);
};

struct view {
	const struct view_ops *ops;
};

/* The free() of a view that owns nothing but itself. */
void view_free(struct view *view);

/* Hand view to the loop to push on top: REACT_PUSH, or REACT_REDRAW when view is NULL (its
 * constructor refused and left a message in the session). */
int view_push(struct view_context *context, struct view *view);

/* --- the list base ------------------------------------------------------------------------ */

/* A view of lines under a title, scrolled by the movement actions: the text, results, device
 * and help views. Each gives its lines, as an array or through line(); the base draws and
 * scrolls them. */
struct list_view {
	struct view view;
	size_t top;                   /* first line shown */
	const char *title;            /* the header line */
	/* The lines, when they are kept as strings: each malloc'ed, freed by list_view_free_lines(). */
	char **lines;
	size_t line_count;
	/* Otherwise: how many lines, and line number line (0 ..) into text; *attr (A_NORMAL
	 * unless set) its attributes. */
	size_t (*count)(const struct list_view *list);
	void (*line)(const struct list_view *list, struct view_context *context, size_t line, char *text,
		     size_t size, int *attr);
};

void list_view_draw(struct view *view, struct view_context *context, int first_row, int height);
void list_view_free_lines(struct list_view *list);
/* The movement actions scroll; left, Esc and q close; r refreshes; ? opens the help. */
int list_view_handle(struct view *view, struct view_context *context, enum action action, int page_rows);

/* Move a cursor in a list of count rows (the fleet view's, the menu's) for a movement action
 * (page: rows one page moves); false for any other action. */
bool view_move_cursor(size_t *cursor, size_t count, size_t page, enum action action);

/* --- constructors -------------------------------------------------------------------------- */

/* The fleet table with the columns of a list (columns.h; NULL or invalid: the default). */
struct view *view_fleet_new(const char *columns);
/* Choose the fleet table's columns (columns_parse()); false, with message, leaves them. */
bool view_fleet_set_columns(struct view *fleet_view, const char *text, char *message, size_t size);
/* The columns chosen now, as view_fleet_set_columns() reads them. */
void view_fleet_columns(const struct view *fleet_view, char *buffer, size_t size);
/* The help, in pages (the context must outlive the view, as it does). */
struct view *view_help_new(struct view_context *context);
struct view *view_summary_new(void);
/* The confirmation of a bulk action on the marked devices (or the cursor's device when none
 * is marked). NULL, with a message in the session, when there is nothing to act on. */
struct view *view_plan_new(struct view_context *context, enum plan_action action);
/* The confirmation of an interrupted job found in a journal; the view owns what resume holds
 * (path aside) until the job starts. */
struct view *view_plan_resume(struct view_context *context, struct session_resume *resume);
/* The question before reading the live state of the marked (or shown) devices. NULL, with a
 * message in the session, when there is nothing to read. */
struct view *view_live_new(struct view_context *context);
/* Copy what to the terminal's clipboard (session_copy(), OSC 52); the message says what. */
void view_copy(struct view_context *context, enum session_copy what);
/* The menu of what can be copied. */
struct view *view_copy_new(void);
/* The menu of the single-sided changes; the choice opens its confirmation. */
struct view *view_actions_new(struct view_context *context);
/* After a job: every device that failed or was left half-done, by name; a key re-marks them.
 * ascii: cut names with "~" rather than "…". */
struct view *view_results_new(const struct session *session, bool ascii);
/* A scrolling list of text lines under a title; takes ownership of lines (each malloc'ed). */
struct view *view_text_new(const char *title, char **lines, size_t count);
/* The detail view of device index of the session's fleet; it reads both objects from the API. */
struct view *view_device_new(struct view_context *context, size_t device);

#endif
