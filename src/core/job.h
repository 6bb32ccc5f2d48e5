/* job.h — carries out a plan through a transport (transport.h) by emnify's rules: the paired
 * changes in order, in the fewest calls, journaled and audited, cancellable, resumable.
 *
 * Calls (DESIGN.md §4):
 * - SIM status changes are single PATCHes, at most sim_parallel in flight, paced by the
 *   transport's limits (no bulk form exists for them).
 * - Endpoint status changes go as bulk calls of up to bulk_max items, one call at a time. A
 *   batch is sent when bulk_max devices are ready for it, when no more can become ready (the
 *   SIM steps they wait for are over), or when the first of them has waited
 *   JOB_BATCH_WAIT_MS: a long offline job disables endpoints every minute or so, for a few
 *   calls more, instead of all at its end. Single endpoint PATCHes (narrowing down, below)
 *   share that one lane: no endpoint change ever overlaps another.
 * - Order per device: charges start last and stop first. Offline suspends the SIM, and only a
 *   device whose SIM step succeeded (or was not needed) has its endpoint in a batch; online
 *   enables endpoints in bulk, and only a device whose endpoint was enabled (or already was)
 *   gets its SIM activated. A step that fails for good ends its device's pair.
 * - A refused bulk call (4xx) names no item, so the batch is narrowed down: it is read back
 *   (items applied meanwhile count as done, unless an earlier read-back showed that a refused
 *   call applies nothing), and what is left is split in halves, down to single endpoint
 *   PATCHes for JOB_SINGLE_MAX devices or fewer, until every failing device is found and
 *   reported with the API's message while the others are applied. Refusals of 24 endpoint
 *   calls in a row (every device refused for the same reason) halt the job.
 * - A change whose answer is lost (5xx, timeout, dropped connection) is settled by reading
 *   back, never sent again blindly: the target status means done, the old one means not
 *   applied (sent again, at most JOB_SEND_MAX times, JOB_UNANSWERED_SEND_MAX of them without
 *   any answer), anything else means changed elsewhere. A step still unknown then keeps its
 *   bare intent in the journal for --resume, is audited "unknown", and its device ends FAILED
 *   or HALF_DONE with unknown set; the journal gets no end line.
 * - A throttled answer (429, an edge firewall's 403) applied nothing: the job pauses every
 *   lane (1 s, doubling to 60 s; an edge block from 10 s), shows the countdown in its
 *   progress and sends the same call again. No device fails by rate limiting alone; after
 *   JOB_THROTTLE_GIVE_UP_MS of nothing but refusals the job halts instead.
 * - When the steps are over, every device that sent something is read back: by listing
 *   endpoints (each carries its SIM's status) when that takes fewer calls than one GET per
 *   device, by GET otherwise. The results hold the read-back truth, and a device whose
 *   statuses are not what the plan leads to is reported as changed elsewhere.
 * - The job halts (progress.error; nothing more is sent, devices not started end CANCELLED)
 *   when the journal or the audit log cannot be written, when the API rejects the token or
 *   refuses permission (emnify's 403), and when ten changes in a row were lost: a job
 *   against an API that is down stops instead of going through every device.
 * - Cancel starts nothing new: a device whose first change was sent finishes its pair and its
 *   read-back, so a cancel never leaves a device half-way; the others end CANCELLED. (Online,
 *   a device is started once its endpoint is in a bulk call: a cancel then lets that batch's
 *   SIM activations go on.)
 * The job advances only inside the transport's callbacks; it never blocks. */
#ifndef SIMTOP_JOB_H
#define SIMTOP_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "audit.h"
#include "journal.h"
#include "plan.h"
#include "transport.h"

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

/* The choices above, in numbers. */
#define JOB_SEND_MAX 8
#define JOB_UNANSWERED_SEND_MAX 3
#define JOB_READ_MAX 3
#define JOB_SINGLE_MAX 2
#define JOB_THROTTLE_GIVE_UP_MS (15 * 60 * 1000)
#define JOB_BATCH_WAIT_MS 60000

struct job_options {
	int sim_parallel;  /* SIM PATCHes (and their read-backs) in flight at most; 0: 4 */
	size_t bulk_max;   /* items per bulk call; 0: the transport's bulk_max */
};

struct job;

/* Start carrying out plan (which must outlive the job). states is NULL for a new job, or the
 * per-step states of a resumed journal, best rebased first (job_rebase): steps DONE or FAILED
 * are not sent again, a step with only an INTENT is settled by reading it back first, and a
 * step with an INTENT that the rebase skipped gets its result in the journal now (ALREADY:
 * done; CHANGED: failed; UNREAD keeps its intent). journal and audit may be NULL (dry tests);
 * the job does not own them, nor the transport, which must outlive it. */
struct job *job_start(const struct transport *transport, const struct plan *plan, enum journal_state (*states)[2],
		      struct journal *journal, struct audit *audit, const struct job_options *options);

/* Before a resume: read back every device of plan with a step still to send (states as for
 * job_start; by list or GET, whichever takes fewer calls). Sends no change and writes
 * nothing. When job_progress() says finished, job_check_truths() gives what was read, for
 * job_rebase(); a device that could not be read has known false. */
struct job_truth {
	bool known;
	struct transport_object object;
};
struct job *job_start_check(const struct transport *transport, const struct plan *plan,
			    enum journal_state (*states)[2]);
/* The same truths from a fleet loaded just now (the TUI's first load): one per plan device,
 * found by endpoint id (or SIM id for a SIM alone); a device the fleet lacks is gone. */
void job_truths_from_fleet(const struct fleet *fleet, const struct plan *plan, struct job_truth *truths);
const struct job_truth *job_check_truths(const struct job *job);

/* Plan only what is still needed, from truths (one per plan device; a device without any step
 * to send may have known false). For each device with a step still to send: a step found in
 * its target state is skipped as ALREADY; one found in its from state stays to send (an
 * INTENT then goes back to PENDING: it was not applied); one found in any other state, an
 * endpoint that is gone or holds another SIM, makes the device's unsent steps CHANGED; a
 * device not read makes them UNREAD. The device's loaded statuses become the ones read. */
struct job_rebase_report {
	size_t reached;    /* devices found in their target state: nothing left to send */
	size_t changed;    /* devices changed elsewhere: left alone */
	size_t unread;     /* devices that could not be read: left alone, intent kept */
	size_t remaining;  /* devices with a step still to send */
};
void job_rebase(struct plan *plan, enum journal_state (*states)[2], const struct job_truth *truths,
		struct job_rebase_report *report);

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
	size_t verifying;     /* devices being read back after their steps */
	size_t steps;         /* changes the job has to send, and of those */
	size_t steps_settled; /* the ones settled so far (done, failed or left unknown): a
			       * device counts as done only once its pair is over, and online
			       * enables a whole batch's endpoints before any SIM */
	double paused_seconds; /* > 0 while the API's limits pause the job: seconds left */
	char pause_reason[160]; /* why, while paused ("rate limited, HTTP 429") */
	char error[256];      /* set when the job had to stop (e.g. the journal could not be written) */
};
void job_progress(const struct job *job, struct job_progress *progress);

/* Calls a job on plan is expected to make through transport: one per SIM step to send, one
 * per bulk call for the endpoint steps, one more per step an earlier run left with only an
 * intent (it is read back first), and the read-back at the end (list pages or GETs,
 * whichever are fewer). states as for job_start(). */
size_t job_planned_requests(const struct plan *plan, enum journal_state (*states)[2],
			    const struct transport *transport);
/* The same, by kind. */
struct job_calls {
	size_t sim_changes;   /* single SIM PATCHes */
	size_t bulk_calls;    /* bulk endpoint calls */
	size_t settle_reads;  /* read-backs of what an earlier run left unanswered */
	size_t verify_reads;  /* the read-back at the end: list pages, or GETs */
	bool verify_by_list;
	size_t total;
};
void job_plan_calls(const struct plan *plan, enum journal_state (*states)[2], const struct transport *transport,
		    struct job_calls *calls);
/* Seconds those calls take at the transport's rate and window. */
double job_planned_seconds(const struct transport *transport, size_t requests);

/* The result of device (index into plan->devices). Valid until job_free(). */
const struct job_device_result *job_result(const struct job *job, size_t device);

/* While the job runs: the next device (index into plan->devices) whose statuses or outcome
 * moved since it was last given — a step settled, its pair ended, it was cancelled or read
 * back — oldest first, each once however often it moved; false when none is left. O(1) a
 * call: a caller that drains it at every tick spends O(changed), not O(plan). */
bool job_next_changed(struct job *job, size_t *device);
/* What the job knows of device's statuses now: as read back (job_result()) once it was, else
 * as loaded with every step that succeeded applied; a step whose outcome is unknown leaves
 * its side as loaded. */
void job_device_statuses(const struct job *job, size_t device, int *sim_status, int *endpoint_status);

void job_free(struct job *job);

#endif
