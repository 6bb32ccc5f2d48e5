/* tui.h — the interactive program: state shared by the views, and the event loop.
 *
 * One thread and one loop own all I/O: api_wait() sleeps on the libcurl transfers and the
 * terminal at once, so loading and refreshing never block scrolling. In script mode
 * (SIMTOP_SCRIPT) keys come from a file and each step waits until nothing is in flight.
 *
 * What the fleet view shows is derived, never edited by hand: every device in the default
 * order (base), then the filter, then "only marked", then the sort (rows). Marks are device
 * ids, so they survive refresh, filter and sort. */
#ifndef SIMTOP_TUI_H
#define SIMTOP_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "transport.h"
#include "filter.h"
#include "fleet.h"
#include "marks.h"
#include "prompt.h"
#include "rows.h"
#include "sort.h"
#include "job.h"

struct view;

struct tui {
	struct api *api;
	struct transport *transport;  /* the job engine's, over api; NULL without api */
	struct fleet *fleet;          /* what the screen shows; owned */
	struct fleet *incoming;       /* a refresh in progress, swapped in when complete; owned */
	struct rows base;             /* every device of fleet, default order */
	struct rows rows;             /* what the fleet view shows */
	struct api_load_progress progress;
	bool loaded;                  /* the shown fleet is complete */
	const char *workspace;        /* label in the title line */
	const char *api_url, *profile; /* a journal's origin (with the token's workspace) */
	bool ascii;                   /* ASCII glyphs */
	bool read_only;               /* no action may change anything; the title says so */

	struct marks *marks;
	size_t marked_shown;          /* marked devices among rows, kept with the rows */
	size_t marked_hidden;         /* marked devices of the fleet that the rows leave out */
	struct filter *filter;        /* NULL: every device */
	char filter_text[PROMPT_TEXT_MAX];
	bool only_marked;
	enum sort_column sort;
	bool descending;
	struct prompt_history filter_history, query_history, path_history;

	/* A bulk job: the confirmed plan waits in pending_* until the loop starts it. */
	struct plan *pending_plan;    /* owned; moves to job_plan when the job starts */
	enum journal_state (*pending_states)[2]; /* resume: step states from the journal, or NULL */
	struct journal *pending_journal;        /* resume: the journal to continue, or NULL */
	struct job *job;              /* running or just finished, or NULL */
	struct plan *job_plan;        /* the plan of job; owned */
	struct journal *journal;
	struct audit *audit;
	double rate;                  /* requests per second for jobs; 0: emnify's published limit */
	enum plan_action plan_action; /* what REACT_OPEN_PLAN confirms */
	int confirm_threshold;        /* above this many devices the operator types the count */

	char message[512];            /* shown above the status line until the next key; "" for none */
	bool message_is_error;
	char fatal[1024];             /* full-screen error when nothing can be shown */
	char data_warning[256];       /* what was odd in the shown fleet's data, "" when nothing */
	bool redraw;                  /* set by callbacks (API answers) that change the screen */
};

struct tui_options {
	struct api *api;              /* NULL: no token; the screen says how to give one */
	const char *workspace;
	const char *script_path;      /* SIMTOP_SCRIPT, or NULL */
	const char *startup_error;    /* shown full screen instead of loading, or NULL */
	const char *mark_from;        /* --mark-from FILE: marked once the fleet is loaded, or NULL */
	bool ascii;
	bool monochrome;
	bool read_only;
	double rate;                  /* --rate, 0: emnify's published limit */
	int confirm_threshold;        /* 0: 100 */
	const char *api_url;          /* where jobs run, for their journals: the base URL */
	const char *profile;          /* and the config profile */
};

/* Run the interactive program until the user quits. Returns the exit status. */
int tui_run(const struct tui_options *options);

/* "1,234 shown · 12 marked (3 hidden by the filter)": the counts the status line always
 * shows, and the filter prompt while typing. */
void tui_describe_rows(const struct tui *tui, char *buffer, size_t size);

/* Set the message shown above the status line until the next key (printf style). */
void tui_message(struct tui *tui, bool error, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* Push a view on top (views that open another one, such as the confirmation's full plan). */
void tui_push_view(struct tui *tui, struct view *view);

/* Replace the filter; false (and *column, message) when the query is invalid, which leaves
 * the filter as it was. The caller asks the loop to rebuild the rows (REACT_ROWS). */
bool tui_set_filter(struct tui *tui, const char *query, char *message, size_t size, int *column);

/* Mark the devices listed in a CSV file; reports in the status line, and returns a view that
 * lists the identifiers not in the fleet (NULL when all were found or the file was refused). */
struct view *tui_mark_from_csv(struct tui *tui, const char *path);

#endif
