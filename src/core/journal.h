/* journal.h — the intent/result log of a bulk job, so that a killed job can be finished
 * without sending any step twice.
 *
 * JSON lines in a file of mode 0600 under $XDG_STATE_HOME/simtop/journal/ (default
 * ~/.local/state/simtop/journal/). The first ("job") line holds the whole plan and where the
 * job runs (struct journal_origin); then, for every step, an "intent" line is written and
 * fsync'ed before the PATCH is sent, and a "result" line after the answer; an "end" line
 * closes each run of the job. Every call that writes returns only once its lines are flushed
 * and fsync'ed. Tokens never appear in a journal.
 *
 * What a journal may say, checked when it is resumed and when it is written:
 * - the plan of the job line is one plan_build can make: status ids simtop knows (SIM
 *   SIM_NONE..Factory Test, endpoint ENDPOINT_NONE..Deleted), the steps of its action in
 *   emnify's order (offline: SIM to Suspended, then endpoint to Disabled; online: endpoint to
 *   Enabled, then SIM to Activated; the single-sided actions one step), each step on its own
 *   device's SIM or endpoint, starting from the status loaded (NONE for a missing side), and
 *   only skip reasons that hold for the device; a step that is sent has an id above 0, a
 *   change emnify allows, and in an online pair the other side can follow;
 * - per step: intents only for steps that are sent; a result only in answer to an intent
 *   (several intents before one result are retries); never an intent after its result, which
 *   would mean the step is sent twice;
 * - an end line closes a run, and a resumed job appends after it: lines may follow an end
 *   line, and end lines may follow one another (a resume with nothing left ends at once).
 * A cut last line (simtop killed mid-write) is left out.
 *
 * One job per journal, across processes: a job or resume holds a POSIX record lock on the
 * whole file (a write lock; a read lock for a read-only open) until journal_close, and a
 * second opener is told which process holds it. Such locks belong to the process and fall
 * when any descriptor of the file in it closes, so no code in simtop may open a journal file
 * this process holds except through this module, which never does (journal_find_unfinished
 * skips such a file, journal_resume refuses it). A child after fork holds none of its parent's
 * locks. Not thread-safe: one thread calls these. */
#ifndef SIMTOP_JOURNAL_H
#define SIMTOP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "plan.h"

/* Journals this simtop writes; version 1 journals (no origin) are still read. */
#define JOURNAL_VERSION 2

/* What the journal knows about one step. */
enum journal_state {
	JOURNAL_PENDING,   /* no intent written: never sent */
	JOURNAL_INTENT,    /* intent written, no result: may or may not have reached emnify */
	JOURNAL_DONE,      /* the target state was confirmed (204, or read back) */
	JOURNAL_FAILED,    /* emnify refused it, or it failed for good */
};

/* Where a job runs: a journal is never resumed against another API, profile or workspace. */
struct journal_origin {
	const char *api_url;        /* base URL, e.g. "https://cdn.emnify.net" */
	const char *profile;        /* config profile name, "default" when none */
	int64_t workspace_id;       /* the JWT's esc.org claim; 0 when unknown */
	const char *workspace_name; /* the JWT's esc.orgName claim, or "" */
};

/* Why journal_resume returned NULL. */
enum journal_open_error {
	JOURNAL_OPEN_OK,      /* it did not: the journal is open */
	JOURNAL_OPEN_REFUSED, /* missing, untrusted, unreadable, not a journal, or inconsistent */
	JOURNAL_OPEN_BUSY,    /* another simtop (or this one) holds its lock: its job is running */
};

struct journal;

/* Directory of the journals (created 0700 when missing); caller frees. */
char *journal_directory(void);

/* Create a new journal for plan in directory (NULL: journal_directory()); the file name holds
 * the time and the action. origin is written into the job line (NULL: empty fields, which
 * match no API; strings are copied, the workspace name cleaned and cut to 256 bytes). The
 * file is created 0600, never through a symbolic link, and write-locked until journal_close.
 * A plan that breaks the rules above is refused, so that every journal written can be
 * resumed. NULL with message on failure. */
struct journal *journal_create(const char *directory, const struct plan *plan,
			       const struct journal_origin *origin, char *message, size_t size);

/* Open an existing journal to finish its job: rebuilds the plan (caller owns it, plan_free)
 * and the state of every step (states[device][step], caller frees). A journal decides which
 * PATCHes are sent, so it is trusted only as a config file is (FILES_TRUSTED, files.h), and
 * one that breaks the rules above is refused with the line number and what is wrong. It is
 * locked until journal_close; one that another process (or this one) holds is refused, the
 * message naming the holder's pid when the system tells it.
 * read_only: for a dry run. The file is opened O_RDONLY and read-locked, nothing in it is
 * ever written, truncated or created (a cut last line is only left out), and
 * journal_intent, journal_result and journal_end fail on it. A running job's write lock still
 * refuses it (BUSY). Otherwise a cut last line is cut off, so that new lines start clean.
 * NULL with message on failure, and *error (may be NULL) tells BUSY from REFUSED; OK on
 * success. */
struct journal *journal_resume(const char *path, struct plan *plan, enum journal_state (**states)[2],
			       bool read_only, char *message, size_t size, enum journal_open_error *error);

/* Where the journal's job runs, as its file says; strings owned by the journal, valid until
 * journal_close. NULL for a version-1 journal, which names no origin. */
const struct journal_origin *journal_origin(const struct journal *journal);

/* True when current (the API URL, profile and workspace this simtop talks to) is where the
 * journal's job ran: same URL (one trailing slash aside), same profile (NULL counts as
 * "default"), same workspace id. false with message naming both sides otherwise, and always
 * for a version-1 journal, which cannot be tied to an API. */
bool journal_origin_matches(const struct journal *journal, const struct journal_origin *current,
			    char *message, size_t size);

/* Append and fsync. The line must fit the rules above (an intent for a step that is sent and
 * has no result yet; a result, DONE or FAILED, for a step with an intent); false with message
 * otherwise, on a read-only journal, and when the disk refused: the job must then stop, and
 * the journal writes nothing more (a half-written line stays last, where a resume ignores it). */
bool journal_intent(struct journal *journal, size_t device, int step, char *message, size_t size);
bool journal_result(struct journal *journal, size_t device, int step, enum journal_state state,
		    long http_status, const char *text, char *message, size_t size);
/* The same for step of count devices (a bulk call): one line per device, in order, as
 * journal_intent and journal_result write them, and one fsync at the end. Every line is
 * checked before any is written: false with message and nothing written when one does not
 * fit. count 0 writes nothing and returns true. */
bool journal_intents(struct journal *journal, const size_t *devices, size_t count, int step, char *message,
		     size_t size);
bool journal_results(struct journal *journal, const size_t *devices, size_t count, int step,
		     enum journal_state state, long http_status, const char *text, char *message, size_t size);
bool journal_end(struct journal *journal, bool cancelled, char *message, size_t size);

const char *journal_path(const struct journal *journal);
/* True when the journal's last line is an "end" line: its last run ended. */
bool journal_finished(const struct journal *journal);
/* Closes the file, which releases the lock. NULL is ignored. */
void journal_close(struct journal *journal);

/* The newest journal in directory (NULL: journal_directory()) whose job did not finish, or NULL.
 * Newest by modification time (the job that wrote last), ties by name. Only the start and the
 * tail of each file are read; a journal this process holds open is skipped (its job is
 * running). Caller frees. Used by the TUI at start to offer a resume. */
char *journal_find_unfinished(const char *directory);

/* Shared with the audit log, which lives beside the journals. */

/* $XDG_STATE_HOME/simtop/NAME (a relative XDG_STATE_HOME is ignored, as the XDG spec says),
 * else ~/.local/state/simtop/NAME; NULL without a home directory. Caller frees. */
char *journal_state_path(const char *name);
/* Create directory and its missing parents, each with mode 0700. false with message. */
bool journal_make_directories(const char *directory, char *message, size_t size);
/* The local user: the passwd name of the real uid, else $USER, else the uid. */
void journal_user(char *buffer, size_t size);
/* UTC time as "2026-11-26T10:00:00Z". */
void journal_format_time(time_t when, char *buffer, size_t size);

#endif
