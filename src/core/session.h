/* session.h — what an operator works on, without a screen: the fleet and its refresh, the
 * filter, the sort, the marks, the rows derived from them, the cursor's device, CSV in and out,
 * the life of a bulk job (start, progress, results, the offer to resume), and the network's
 * view of chosen devices (live.h), read on request.
 *
 * The TUI draws a session and turns keys into session calls; tests drive one directly
 * (tests/unit/test_session.c). Nothing here knows curses or curl: the API is a transport
 * (transport.h), and the session learns what arrived when the caller polls session_update().
 *
 * What the rows show is derived, never edited by hand: every device in the default order
 * (base), then the sort, then the filter, then "only marked" (rows). Marks are device ids, so
 * they survive refresh, filter and sort; the cursor follows its device through all of them.
 *
 * Calls that can be refused return false and leave the reason in the session's message (the
 * line the operator reads next); calls that succeed may leave a message too ("Sorted by
 * name"). Fields are for reading: change them only through these calls. */
#ifndef SIMTOP_SESSION_H
#define SIMTOP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "csv.h"
#include "filter.h"
#include "fleet.h"
#include "job.h"
#include "journal.h"
#include "live.h"
#include "marks.h"
#include "plan.h"
#include "rows.h"
#include "snapshot.h"
#include "sort.h"
#include "transport.h"

#define SESSION_QUERY_MAX 1024
/* While pages arrive, the rows are rebuilt at most this often: cheap at 1M rows, smooth to watch. */
#define SESSION_LOADING_ROWS_MS 100
/* Without marks, a live read takes at most this many of the shown devices: 1,000 calls, half
 * of emnify's per-IP window. */
#define SESSION_LIVE_SHOWN_MAX 500

struct session_options {
	struct transport *transport;  /* NULL: no API (no token); nothing is loaded or sent */
	const char *api_url;          /* where jobs run, for their journals: the base URL */
	const char *profile;          /* and the config profile */
	bool read_only;               /* no action may change anything */
	int confirm_threshold;        /* above this many devices the operator types the count; 0: 100 */
	const char *snapshot_path;    /* where the fleet is kept between starts (snapshot.h); NULL: not kept */
	int64_t snapshot_max_age;     /* seconds a snapshot stays worth showing; 0: no limit */
};

/* What session_update() found; several may be or'ed. */
enum session_event {
	SESSION_CHANGED = 1 << 0,      /* something shown changed: draw again */
	SESSION_REFRESHED = 1 << 1,    /* the fleet was replaced: device indexes held elsewhere are stale */
	SESSION_FIRST_LOAD = 1 << 2,   /* the first complete fleet from the API arrived (after a
				        * snapshot, with SESSION_REFRESHED) */
	SESSION_JOB_FINISHED = 1 << 3, /* the job ended: session.last_plan and last_job tell how */
	SESSION_LIVE_FINISHED = 1 << 4, /* a live read ended (the message says how) */
};

struct session {
	struct fleet *fleet;          /* what is shown; never NULL */
	struct fleet *incoming;       /* a refresh in progress, swapped in when complete, or NULL */
	struct rows base;             /* every device of fleet, default order */
	struct rows rows;             /* what is shown */
	size_t cursor;                /* position in rows (0 when rows is empty) */
	struct transport_load_progress progress;
	bool loaded;                  /* a complete fleet has come from the API */
	bool from_snapshot;           /* the fleet shown is a snapshot's: nothing acts on it */
	struct snapshot_info snapshot; /* of the snapshot shown, or last seen */
	/* A confirmation asked for while the snapshot is shown: it opens once the fresh fleet is
	 * in (the caller opens it on SESSION_FIRST_LOAD). */
	bool action_waits;
	enum plan_action waiting_action;
	char fatal[1024];             /* the first load failed: nothing can be shown; "" otherwise */
	char data_warning[256];       /* what was odd in the shown fleet's data, "" when nothing */

	struct marks *marks;
	size_t marked_shown;          /* marked devices among rows */
	size_t marked_hidden;         /* marked devices of the fleet that rows leave out */
	struct filter *filter;        /* NULL: every device */
	char filter_text[SESSION_QUERY_MAX];
	bool only_marked;
	/* Devices the filter leaves out only because a live state its conn: or data: terms need
	 * was not read (filter.h), in the order of the rows. */
	struct rows unknown;
	struct filter *search;        /* the last search (session_search), or NULL */
	char search_text[SESSION_QUERY_MAX];
	enum sort_column sort;
	bool descending;

	struct transport *transport;
	bool read_only;
	int confirm_threshold;
	struct job *job;              /* running, or NULL */
	struct plan *job_plan;        /* the plan of job; owned */
	struct journal *journal;      /* the journal of job */
	struct audit *audit;          /* opened with the first job */
	/* The job that ended last, for its results, until the next one starts; owned. */
	struct job *last_job;
	struct plan *last_plan;
	char *last_journal_path;
	size_t last_trouble;          /* its devices that failed, were left half-done or cancelled, or
				       * changed elsewhere */
	struct marks *job_failed;     /* the devices that failed or were left half-done in the
				       * running job, or the last; never NULL (session_device_failed) */

	struct live *live;            /* what the network said of devices, by endpoint id; never NULL */
	struct live_fetch *live_fetch; /* a live read running, or NULL */
	int64_t live_started_ms;

	char message[512];            /* for the operator, until the next one; "" for none */
	bool message_is_error;

	/* Private: every device in the sort order, so a filter change never sorts again. */
	struct rows sorted;
	bool sorted_valid;
	enum sort_column sorted_column;
	bool sorted_descending;
	size_t rows_seen;             /* fleet_count when the rows were last built */
	size_t vacant_seen;           /* fleet_vacant_count then */
	bool base_in_arrival_order;   /* base was last built unsorted, from this fleet */
	int64_t rows_built_ms;
	char filter_before_misaligned[SESSION_QUERY_MAX];
	bool has_anchor;              /* the device last marked with session_toggle_mark() */
	struct device anchor;
	const char *api_url, *profile;
	const char *snapshot_path;
	int64_t snapshot_max_age;
	bool snapshot_due;            /* a complete load is to be written to the snapshot */
	int64_t live_rows_ms;         /* when a live read last rebuilt the rows */
};

/* Never NULL. The transport, if any, stays the caller's and must outlive the session. */
struct session *session_new(const struct session_options *options);
void session_free(struct session *session);

/* Set the message (printf style). */
void session_message(struct session *session, bool error, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* --- loading ----------------------------------------------------------------------------- */

/* Show the snapshot of this API and profile, if there is one worth showing, until the fresh
 * fleet arrives; false when none is shown (the message says why one found is not). Call before
 * the first session_load(). */
bool session_show_snapshot(struct session *session, int64_t now);
/* Load the fleet (or, once one is shown, load a fresh copy beside it). False, with a message,
 * when there is no API or a load is already running. After every complete load the fleet is
 * written to the snapshot (when there is a path). */
bool session_load(struct session *session);
/* Take in what arrived: pages of a load, the end of a load, a job's progress and end. Call
 * after every wait on the API. Returns session_event flags. A complete load is written to the
 * snapshot at the call after the one that took it in, so that it is shown first. */
unsigned session_update(struct session *session);

/* --- the cursor ---------------------------------------------------------------------------- */

/* The device index under the cursor; false when no row is shown. */
bool session_cursor_device(const struct session *session, size_t *device);
/* Put the cursor on row position, clamped to the rows. */
void session_move_cursor(struct session *session, size_t position);

/* --- filter, sort, marks ------------------------------------------------------------------- */

/* Replace the filter (an empty query shows every device). False when the query is invalid:
 * message (size bytes) says why and *column (from 1) where; the filter stays as it was. */
bool session_set_filter(struct session *session, const char *query, char *message, size_t size, int *column);
/* The filter "align:misaligned", or back to the filter from before it. */
void session_toggle_misaligned(struct session *session);
void session_sort_next(struct session *session);
void session_sort_reverse(struct session *session);
void session_sort_by(struct session *session, enum sort_column column, bool descending);

/* Mark or unmark the cursor's device and move the cursor down; false when no row is shown. */
bool session_toggle_mark(struct session *session);
/* Mark every row between the device last toggled and the cursor; false (message) without one. */
bool session_mark_range(struct session *session);
void session_mark_shown(struct session *session);
void session_invert_marks(struct session *session);
void session_unmark_all(struct session *session);
void session_toggle_only_marked(struct session *session);
/* Mark the devices a query matches, shown or not. False for an invalid query (as for
 * session_set_filter(), and the marks stay as they were). */
bool session_mark_query(struct session *session, const char *query, char *message, size_t size, int *column);
/* Replace the marks with these devices (by their ids). */
void session_mark_devices(struct session *session, const struct device *devices, size_t count);

/* --- search and jump ------------------------------------------------------------------------ */

/* Move the cursor to the next shown row after position from (or the previous one before it,
 * forward false) whose device matches query, in the filter language, wrapping round the rows;
 * the rows stay as they are. The query is kept for session_search_again(). False when the
 * query is invalid (message, size and *column as for session_set_filter(); the cursor stays)
 * or when no shown row matches (the session's message says so). */
bool session_search(struct session *session, const char *query, size_t from, bool forward, char *message,
		    size_t size, int *column);
/* The last search again, from the cursor; false (message) without one or when nothing matches. */
bool session_search_again(struct session *session, bool forward);
/* Put the cursor on the device whose SIM or endpoint id, ICCID (with or without its check
 * digit), IMSI, MSISDN or name (case-insensitive) is text, exactly; shown rows are looked at
 * first, in their order. False, with a message, when there is none, or when the filter hides
 * it. */
bool session_jump(struct session *session, const char *text);

/* "1,234 shown · 12 marked (3 hidden by the filter) · 40 live state unknown". */
void session_describe_rows(const struct session *session, char *buffer, size_t size);

/* --- copy ----------------------------------------------------------------------------------- */

/* What can be copied: a field of the cursor's device, or the marked devices as CSV. */
#define SESSION_COPY_LIST(_) \
	_(ICCID,       "ICCID") \
	_(IMSI,        "IMSI") \
	_(MSISDN,      "MSISDN") \
	_(NAME,        "name") \
	_(SIM_ID,      "SIM id") \
	_(ENDPOINT_ID, "endpoint id") \
	_(MARKED_CSV,  "marked rows as CSV")
enum session_copy {
#define SESSION_COPY_ENUM(id, words) SESSION_COPY_##id,
	SESSION_COPY_LIST(SESSION_COPY_ENUM)
#undef SESSION_COPY_ENUM
	SESSION_COPY_COUNT
};
/* What the copy of what says it copied: "ICCID". */
const char *session_copy_words(enum session_copy what);
/* Copies larger than this are refused: terminals drop longer OSC 52 sequences. */
#define SESSION_COPY_MAX (64 * 1024)
/* The text to copy (malloc'ed, *length bytes, the caller's), and in the message what it is
 * ("Copied the ICCID 8988… of pump-12"), for the caller to say once the text is handed on.
 * False, with the reason as the message, when there is nothing to copy (no row, an empty field,
 * nothing marked) or too much (more than SESSION_COPY_MAX bytes: export instead). */
bool session_copy(struct session *session, enum session_copy what, char **text, size_t *length);

/* --- CSV in and out ------------------------------------------------------------------------ */

/* What marking from a CSV file found. */
struct session_csv_marks {
	size_t rows;                  /* data rows of the file */
	size_t missing;               /* rows that name no device of the fleet */
	size_t added;                 /* devices marked that were not before */
	struct csv_ids unknown;       /* the identifiers not in the fleet; free with csv_ids_free() */
};
/* Mark the devices a CSV file lists (csv_read_ids(); ~ is expanded). False when the file is
 * refused (nothing to free then). */
bool session_mark_from_csv(struct session *session, const char *path, struct session_csv_marks *found);

enum session_export {
	SESSION_EXPORT_WRITTEN,
	SESSION_EXPORT_EXISTS,   /* a regular file is there: ask, then call again with overwrite */
	SESSION_EXPORT_REFUSED,  /* the message says why */
};
/* Write the shown rows (or every marked device) to path: CSV, or JSON when it ends in .json. */
enum session_export session_export(struct session *session, const char *path, bool marked_only, bool overwrite);

/* --- live state --------------------------------------------------------------------------- */

/* What a live read would read: the marked devices, or else the shown rows and then the devices
 * the filter leaves out for want of live state, SESSION_LIVE_SHOWN_MAX at most. */
struct session_live_plan {
	bool marked;                  /* the marked devices (else the shown ones) */
	size_t devices;               /* with an endpoint: these are read */
	size_t unknown;               /* of them, not shown: the filter needs their live state */
	size_t without_endpoint;      /* chosen, but with nothing to read */
	size_t left_out;              /* shown, past SESSION_LIVE_SHOWN_MAX */
	struct live_estimate estimate; /* calls, and seconds at the transport's limits */
};
/* False, with a message, when nothing can be read now: no API, a job or a read running, no
 * device with an endpoint chosen. With ids, *ids receives the endpoints chosen (plan->devices
 * of them, malloc'ed, the caller's), for session_live_read(). */
bool session_live_plan(struct session *session, struct session_live_plan *plan);
bool session_live_plan_ids(struct session *session, struct session_live_plan *plan, int64_t **ids);
/* Read connectivity and this month's usage of these endpoints (those a confirmed plan chose).
 * False, with a message, as above. Progress: live_fetch_progress(session->live_fetch). */
bool session_live_read(struct session *session, const int64_t *ids, size_t count);
/* session_live_plan_ids(), then session_live_read() of what it chose. */
bool session_live_start(struct session *session);
/* Drop the reads not answered yet; false when no read runs. */
bool session_live_cancel(struct session *session);
/* What the device view read of one endpoint goes into the live state too. */
void session_note_connectivity(struct session *session, int64_t endpoint_id, const char *word);
void session_note_usage(struct session *session, int64_t endpoint_id, double data_month_mb);

/* --- jobs ---------------------------------------------------------------------------------- */

/* Whether a change may be planned now: false, with a message, in read-only mode or while a
 * job or a live read runs. */
bool session_may_act(struct session *session);
/* The devices a plan for action would act on: the marked ones the rows show (or the cursor's
 * device when none is marked), then the marked ones the filter hides. When the filter has
 * conn: or data: terms, the message says how old the live state it chose by is. False, with a message,
 * when none can be acted on now (read-only, a job running, nothing marked or shown); and while
 * a snapshot is shown, when action then waits for the fresh fleet (action_waits). The arrays
 * are malloc'ed, the caller's. */
bool session_plan_targets(struct session *session, enum plan_action action, size_t **shown, size_t *shown_count,
			  size_t **hidden, size_t *hidden_count);
/* Forget a confirmation waiting for the fresh fleet; false when none waits. */
bool session_cancel_waiting_action(struct session *session);
/* Start a job on plan (owned from now on, whatever the outcome). states and journal are an
 * interrupted job's, for a resume (both owned), or NULL: a new journal is written. False, with
 * a message, when nothing could be sent (no API, journal or audit log not writable). */
bool session_start_job(struct session *session, struct plan *plan, enum journal_state (*states)[2],
		       struct journal *journal);
/* Let the steps in flight finish and start nothing new; false when no job runs. */
bool session_cancel_job(struct session *session);
/* While a job runs, session_update() puts each device's new statuses into the fleet as soon as
 * one of its steps settles (the rows keep their places until the job ends, when the filter
 * and sort apply again). Whether device (an index into fleet) failed or was left half-done in
 * the running job or the one that ended last, as its row may say. O(1). */
bool session_device_failed(const struct session *session, size_t device);

/* An interrupted job of this API and workspace, planned again from the fleet loaded just now. */
struct session_resume {
	char *path;                        /* its journal; owned */
	struct plan *plan;                 /* owned */
	enum journal_state (*states)[2];   /* owned */
	struct journal *journal;           /* locked; owned */
	struct job_rebase_report report;
};
/* Look for one (never in read-only mode or without an API). False when there is none to
 * offer; the message then says why one found is not offered. Hand the parts to
 * session_start_job(), or free them with session_resume_free(). */
bool session_find_resume(struct session *session, struct session_resume *resume);
void session_resume_free(struct session_resume *resume);

/* What a job left unfinished (not started, in flight or cancelled), for a word on the way out. */
struct session_unfinished {
	size_t devices, total, in_flight;
	const char *journal_path;          /* the session's, valid while the job is */
};
/* Of the running job, or (last) of the job that ended last; false when there is none or it
 * left nothing. */
bool session_job_unfinished(const struct session *session, bool last, struct session_unfinished *unfinished);

#endif
