/* journal.h — the intent/result log of a bulk job, so that a killed job can be finished
 * without sending any step twice.
 *
 * JSON lines in a file of mode 0600 under $XDG_STATE_HOME/simtop/journal/ (default
 * ~/.local/state/simtop/journal/). The first line holds the whole plan; then, for every step,
 * an "intent" line is written and fsync'ed before the PATCH is sent, and a "result" line after
 * the answer; a last "end" line closes a finished job. Every line is flushed and fsync'ed
 * before the call returns. Tokens never appear in a journal. */
#ifndef SIMTOP_JOURNAL_H
#define SIMTOP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "plan.h"

/* What the journal knows about one step. */
enum journal_state {
	JOURNAL_PENDING,   /* no intent written: never sent */
	JOURNAL_INTENT,    /* intent written, no result: may or may not have reached emnify */
	JOURNAL_DONE,      /* the target state was confirmed (204, or read back) */
	JOURNAL_FAILED,    /* emnify refused it, or it failed for good */
};

struct journal;

/* Directory of the journals (created 0700 when missing); caller frees. */
char *journal_directory(void);

/* Create a new journal for plan in directory (NULL: journal_directory()); the file name holds
 * the time and the action. The file is created 0600, never through a symbolic link, and
 * locked (flock) until journal_close. NULL with message on failure. */
struct journal *journal_create(const char *directory, const struct plan *plan, char *message, size_t size);

/* Open an existing journal to finish its job: rebuilds the plan (caller owns it, plan_free)
 * and the state of every step (states[device][step], caller frees). A cut last line (killed
 * mid-write) is ignored. A journal decides which PATCHes are sent, so it is trusted only as a
 * config file is (FILES_TRUSTED, files.h); it is locked until journal_close, and one that
 * another simtop holds is refused. NULL with message on a refused file or one that is not a
 * simtop journal. */
struct journal *journal_resume(const char *path, struct plan *plan, enum journal_state (**states)[2],
			       char *message, size_t size);

/* Append and fsync. false with message when the disk refused: the job must then stop. */
bool journal_intent(struct journal *journal, size_t device, int step, char *message, size_t size);
bool journal_result(struct journal *journal, size_t device, int step, enum journal_state state,
		    long http_status, const char *text, char *message, size_t size);
bool journal_end(struct journal *journal, bool cancelled, char *message, size_t size);

const char *journal_path(const struct journal *journal);
/* True when the journal has its "end" line. */
bool journal_finished(const struct journal *journal);
void journal_close(struct journal *journal);

/* The newest journal in directory (NULL: journal_directory()) whose job did not finish, or NULL.
 * Newest by modification time (the job that wrote last), ties by name. Only the start and the
 * tail of each file are read. Caller frees. Used by the TUI at start to offer a resume. */
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
