/* job.h — carries out a plan against the API: the paired PATCHes, in order, within the rate
 * limit, journaled and audited, cancellable.
 *
 * Parallel across devices, sequential within one device. Before each PATCH the intent is in
 * the journal, after it the result. A 429 is retried after a back-off (nothing was applied); a
 * 5xx, a timeout or a dropped connection leaves the outcome unknown, so the object is read back
 * and the step counts as done when it shows the target status — a step is never sent blindly
 * a second time. When a device's steps are over, the device is read back (GET endpoint, whose
 * nested SIM carries the SIM status; GET SIM for a SIM-only device) so the caller can show the
 * truth, and a device whose statuses are not what the plan expects is reported as changed
 * elsewhere. The job advances only inside api_wait(); it never blocks.
 *
 * The choices where the contract leaves room:
 * - A step not applied (read back with its old status) is sent again, JOB_SEND_MAX times in
 *   all, and no more than 3 times in all when its sends got no answer at all; a read-back answered 429, 5xx or unreadable is tried again (each one already retried
 *   by the api); one that got no answer at all is not (the api retried it until the API had
 *   been silent for API_GIVE_UP_MS). Then the step's outcome is unknown: the journal keeps
 *   its intent without a result (so `simtop --resume` reads it back before anything else),
 *   the audit log says "unknown", and the device is FAILED or HALF_DONE with unknown set; the
 *   journal then gets no end line, so that the TUI offers to resume it at its next start.
 *   So a job against an API that takes PATCHes and then answers nothing at all ends within
 *   about API_GIVE_UP_MS + API_SILENCE_MS + 1 s (the silence counts from its first PATCH; the
 *   last second is the final read-back's one try), 2 min 16 s with the default bounds.
 * - A step that fails for good ends its device: the other step of the pair is not sent, and
 *   the device is FAILED, or HALF_DONE when the other step was done; the device is still read
 *   back, so both statuses show.
 * - A device with nothing to send ends UNCHANGED at once, without a read-back.
 * - The job halts (progress.error; nothing more is sent, devices not started end CANCELLED)
 *   when the journal or the audit log cannot be written, when the API rejects the token, and
 *   when ten steps in a row were ended by the API's own failures (5xx, no answer): a job
 *   against an API that is down stops instead of going through every device. */
#ifndef SIMTOP_JOB_H
#define SIMTOP_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "audit.h"
#include "journal.h"
#include "plan.h"

/* _(ID, word) — how a device ended. */
#define JOB_OUTCOME_LIST(_) \
	_(PENDING,   "pending") \
	_(RUNNING,   "running") \
	_(DONE,      "done") \
	_(UNCHANGED, "unchanged") \
	_(FAILED,    "failed") \
	_(HALF_DONE, "half-done") \
	_(CANCELLED, "cancelled")

enum job_outcome {
#define JOB_OUTCOME_ENUM(id, word) JOB_##id,
	JOB_OUTCOME_LIST(JOB_OUTCOME_ENUM)
#undef JOB_OUTCOME_ENUM
	JOB_OUTCOME_COUNT
};
const char *job_outcome_word(enum job_outcome outcome);

struct job_device_result {
	enum job_outcome outcome;
	int sim_status, endpoint_status; /* as read back at the end; as loaded when not read */
	bool read_back;                  /* the statuses above come from the API */
	bool changed_elsewhere;          /* read back, and not what the plan leads to */
	bool unknown;                    /* a step's outcome is unknown: no answer, and reading
					  * back got none either; --resume settles it */
	char message[200];               /* the API's message for a failure, "" otherwise */
};
/* How a device ended, for people: "unknown" when a step's outcome is, else the outcome's word. */
const char *job_result_word(const struct job_device_result *result);

struct job_options {
	double rate;      /* requests per second for the whole job, set on the api (api_set_rate);
			   * 0: the api's own rate as it is (emnify's published limit unless the
			   * api was made with another). Either way the job starts with the api's
			   * overall bucket emptied to one token: nothing saved up while loading goes
			   * out as a burst, so requests / rate is what the job takes. */
	int parallel;     /* devices in flight at most; 0: a default (8) */
};

struct job;

/* Start carrying out plan (which must outlive the job). states is NULL for a new job, or the
 * per-step states of a resumed journal: steps already DONE or FAILED are not sent again, and
 * steps with only an INTENT are settled by reading the object back first. journal and audit
 * may be NULL (dry tests); the job does not own them. */
struct job *job_start(struct api *api, const struct plan *plan, enum journal_state (*states)[2],
		      struct journal *journal, struct audit *audit, const struct job_options *options);

/* Start nothing new; steps in flight finish and are journaled, and a device already started
 * finishes its pair and its read-back, so a cancel never leaves a device half-way. Devices not
 * started end as JOB_CANCELLED. */
void job_cancel(struct job *job);

struct job_progress {
	size_t devices;       /* in the plan */
	size_t done;          /* DONE or UNCHANGED */
	size_t failed;        /* FAILED or HALF_DONE */
	size_t remaining;     /* PENDING or RUNNING */
	size_t cancelled;
	size_t requests;      /* PATCH and GET calls sent so far */
	double rate;          /* requests per second over the last seconds */
	double eta_seconds;   /* 0 when unknown */
	bool finished;        /* nothing left to do or in flight */
	bool cancelling;
	char error[256];      /* set when the job had to stop (e.g. the journal could not be written) */
};
void job_progress(const struct job *job, struct job_progress *progress);

/* Requests (PATCHes and read-backs) a job on plan is expected to send: one per step to send,
 * one more per step an earlier run left with only an intent (it is read back first), and one
 * read-back per device that sends anything. states as for job_start(). For the estimate of a
 * confirmation: divide by the rate. */
size_t job_planned_requests(const struct plan *plan, enum journal_state (*states)[2]);

/* The result of device (index into plan->devices). Valid until job_free(). */
const struct job_device_result *job_result(const struct job *job, size_t device);

void job_free(struct job *job);

#endif
