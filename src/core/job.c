/* job.c — the bulk-change engine described in job.h.
 *
 * Every device moves through phases, driven by the transport's answers:
 *
 *   idle ─► sim queued ─► sim active ─┐            (a SIM step: single PATCH, read back if lost)
 *        └► endpoint ready ─► batched ─┴─► … its next step … ─► steps over ─► verifying ─► over
 *
 * Two lanes send changes. The SIM lane keeps up to sim_parallel devices' SIM steps in flight.
 * The endpoint lane holds one call at a time: a bulk call of a batch, or one single endpoint
 * PATCH while a refused batch is narrowed down. A batch whose answer is not a plain success is
 * read back as a group (list pages or GETs); so are the devices at the end (verification) and,
 * before a resume, the devices still to finish (a check job).
 *
 * Every call the job makes is a struct call in job->calls, so that a pause can hold calls back
 * (job->parked) and send them again, and job_free() can cancel what is still out. */
#include "job.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "ratelimit.h"
#include "util.h"

#define JOB_DEFAULT_SIM_PARALLEL 4
/* Endpoint calls in a row that emnify refused before the job stops: narrowing one bad device
 * down in a batch of 2,000 takes up to 12 in a row, and a refusal of everything (a rule that
 * holds for every device) should not cost thousands of calls. */
#define JOB_REFUSED_STREAK_MAX 24
/* Changes in a row lost to the API's failures (5xx, no answer) before the job stops. */
#define JOB_TROUBLE_STREAK_MAX 10
/* Pauses after throttled answers: 429 from 1 s, an edge block from 10 s, doubling to 60 s. */
#define JOB_THROTTLE_BASE_MS 1000
#define JOB_EDGE_BLOCK_BASE_MS 10000
#define JOB_THROTTLE_CAP_MS 60000
/* Progress: requests per second over this much of the recent past. */
#define JOB_RATE_WINDOW_MS 10000
#define JOB_RATE_SAMPLE_MS 250
#define JOB_RATE_SAMPLES 64
#define NO_DEVICE ((size_t)-1)

enum phase {
	PHASE_IDLE,
	PHASE_SIM_QUEUED,
	PHASE_SIM_ACTIVE,
	PHASE_ENDPOINT_READY,
	PHASE_BATCHED,
	PHASE_STEPS_OVER,
	PHASE_VERIFYING,
	PHASE_OVER,
};

struct job_device {
	enum phase phase;
	int step;               /* the step being worked on */
	int sends;              /* SIM PATCHes of this step so far */
	int unanswered;         /* of those, the ones that got no answer at all */
	int reads;              /* read-backs of this step so far */
	bool started;           /* a change of it was sent, by this run or an earlier one */
	bool feeds_endpoint;    /* in the SIM lane with an endpoint step to send after it */
	bool unknown[2];        /* the step ended with its outcome unknown */
	long unknown_status;    /* the answer that left the current step unknown (0: transport) */
	char *unknown_text;     /* and what it said; NULL when the step is not unknown */
	bool changed_queued;    /* in the queue job_next_changed() takes from */
	size_t changed_next;    /* the device after it there (NO_DEVICE: the last) */
};

/* Endpoint changes sent together: a bulk call, or (single) one PATCH per device in turn. */
struct batch {
	struct batch *next;
	size_t *devices;
	size_t count;
	bool single;            /* single endpoint PATCHes, devices[next_single] next */
	size_t next_single;
	bool refused;           /* the last call of it was refused: narrowing down */
	bool settle_first;      /* a killed run left its intents: read back before sending */
	int sends, unanswered;
	long last_status;
	char *last_text;        /* what the last answer said, for the reports */
};

enum group_purpose { GROUP_SETTLE, GROUP_VERIFY, GROUP_CHECK };

/* Devices read back together, by list pages or by GETs. */
struct group {
	struct group *next;     /* in job->group_list */
	enum group_purpose purpose;
	struct batch *batch;    /* GROUP_SETTLE */
	size_t *devices;
	size_t count;
	size_t pending;         /* calls out */
	size_t pages_pending;   /* of those, list pages */
	bool listing;
	bool list_failed;       /* a page could not be read: GET what the pages did not have */
	int64_t pages_total;
	struct endpoint_slot { int64_t id; size_t device; } *lookup; /* sorted by id */
	size_t lookup_count;
};

enum call_kind {
	CALL_SIM_PATCH,         /* device */
	CALL_SIM_SETTLE,        /* device: a SIM step read back */
	CALL_BULK,              /* batch */
	CALL_SINGLE,            /* batch, its devices[next_single] */
	CALL_READ,              /* group, device */
	CALL_PAGE,              /* group, page */
	CALL_TIMER,             /* the end of a pause */
	CALL_BATCH_TIMER,       /* ready devices waited long enough for their batch */
};

struct call {
	struct call *prev, *next; /* in job->calls, or job->parked while held back */
	struct job *job;
	enum call_kind kind;
	size_t device;
	struct batch *batch;
	struct group *group;
	int64_t page;
	int failures;           /* of this read or page, answered but not usable */
	bool parked;
};

struct rate_sample {
	int64_t ms;
	size_t requests;
};

struct job {
	const struct transport *transport;
	const struct plan *plan;
	struct journal *journal;
	struct audit *audit;
	enum journal_state (*states)[2]; /* a copy, kept up to date */
	struct job_device *devices;
	struct job_device_result *results;
	struct job_truth *truths;
	bool check_only;
	int sim_parallel;
	size_t bulk_max;

	size_t *sim_queue;      /* ring of device indexes */
	size_t sim_head, sim_count, sim_active;
	size_t feeders;         /* devices in the SIM lane that will need the endpoint lane */
	size_t *ready;          /* devices waiting for a batch, oldest first */
	size_t ready_count;
	int64_t ready_since_ms; /* when the oldest of them became ready */
	struct call *batch_timer; /* out while they wait for more */
	struct batch *batches;  /* formed, not sent yet; narrowing puts its halves first */
	bool lane_busy;         /* the endpoint lane's call, or its read-back, is out */
	struct batch *lane_batch; /* the batch it works on */
	struct group *group_list; /* group read-backs running */

	struct call *calls, *parked;
	bool paused;
	int throttles;          /* throttled answers since the last other answer */
	int64_t throttled_since_ms, paused_until_ms;
	char pause_reason[160];

	size_t over, done, failed, cancelled; /* done + failed: devices whose steps are over */
	bool cancelling, halted, finished, verify_started;
	char error[256];

	int trouble_streak;
	int refused_streak;     /* endpoint calls refused in a row */
	size_t steps, steps_settled;
	size_t changed_head, changed_tail; /* devices job_next_changed() has not given yet */
	size_t requests, planned;
	struct rate_sample samples[JOB_RATE_SAMPLES];
	size_t sample_count;
};

static const char *const outcome_words[] = {
#define JOB_OUTCOME_WORD(id, word) word,
	JOB_OUTCOME_LIST(JOB_OUTCOME_WORD)
#undef JOB_OUTCOME_WORD
};

const char *job_outcome_word(enum job_outcome outcome)
{
	if ((int)outcome < 0 || outcome >= JOB_OUTCOME_COUNT)
		return "?";
	return outcome_words[outcome];
}

const char *job_result_word(const struct job_device_result *result)
{
	return result->unknown ? "unknown" : job_outcome_word(result->outcome);
}

static void pump(struct job *job);
static void device_route(struct job *job, size_t index);
static void batch_free(struct batch *batch);
static void batch_over(struct job *job, struct batch *batch);
static void group_start(struct job *job, enum group_purpose purpose, struct batch *batch, size_t *devices,
			size_t count);

/* --- small helpers ------------------------------------------------------------------------ */

static const struct plan_device *plan_device_of(const struct job *job, size_t index)
{
	return &job->plan->devices[index];
}

/* The device's statuses or outcome moved: queue it for job_next_changed(), once. */
static void note_changed(struct job *job, size_t index)
{
	struct job_device *device = &job->devices[index];

	if (device->changed_queued)
		return;
	device->changed_queued = true;
	device->changed_next = NO_DEVICE;
	if (job->changed_tail == NO_DEVICE)
		job->changed_head = index;
	else
		job->devices[job->changed_tail].changed_next = index;
	job->changed_tail = index;
}

static const struct plan_step *current_step(const struct job *job, size_t index)
{
	return &job->plan->devices[index].steps[job->devices[index].step];
}

/* "SIM Activated → Suspended" */
static void describe_step(const struct plan_step *step, char *buffer, size_t size)
{
	snprintf(buffer, size, "%s %s \u2192 %s", step->target == STEP_SIM ? "SIM" : "endpoint",
		 plan_status_name(step->target, step->from, "none"), plan_status_name(step->target, step->to, "none"));
}

static bool sendable(const struct plan_step *step, enum journal_state state)
{
	return step->skip == SKIP_NONE && (state == JOURNAL_PENDING || state == JOURNAL_INTENT);
}

static bool step_to_send(const struct job *job, size_t device, int step)
{
	return sendable(&job->plan->devices[device].steps[step], job->states[device][step]);
}

static bool device_has_work(const struct job *job, size_t device)
{
	for (int step = 0; step < job->plan->devices[device].step_count; step++)
		if (step_to_send(job, device, step))
			return true;
	return false;
}

static void count_request(struct job *job)
{
	int64_t now = job->transport->ops->now_ms(job->transport->self);

	job->requests++;
	if (job->sample_count == 0 ||
	    now - job->samples[(job->sample_count - 1) % JOB_RATE_SAMPLES].ms >= JOB_RATE_SAMPLE_MS) {
		job->samples[job->sample_count % JOB_RATE_SAMPLES] = (struct rate_sample){ now, job->requests };
		job->sample_count++;
	}
}

static void halt(struct job *job, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void halt(struct job *job, const char *format, ...)
{
	va_list args;

	if (job->halted)
		return;
	job->halted = true;
	va_start(args, format);
	vsnprintf(job->error, sizeof(job->error), format, args);
	va_end(args);
}

/* Copy text into buffer, cut to size (messages may be cut; the journal has them whole). */
static void copy_text(char *buffer, size_t size, const char *text)
{
	size_t length = strlen(text);

	if (size == 0)
		return;
	if (length >= size)
		length = size - 1;
	memcpy(buffer, text, length);
	buffer[length] = '\0';
}

/* Append to the device's message, separated by "; ". */
static void add_message(struct job *job, size_t index, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void add_message(struct job *job, size_t index, const char *format, ...)
{
	struct job_device_result *result = &job->results[index];
	size_t used = strlen(result->message);
	va_list args;

	if (used > 0 && used + 2 < sizeof(result->message)) {
		memcpy(result->message + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= sizeof(result->message))
		return;
	va_start(args, format);
	vsnprintf(result->message + used, sizeof(result->message) - used, format, args);
	va_end(args);
}

static void forget_unknown(struct job_device *device)
{
	free(device->unknown_text);
	device->unknown_text = NULL;
	device->unknown_status = 0;
}

static void set_unknown(struct job_device *device, long http_status, const char *text)
{
	forget_unknown(device);
	device->unknown_status = http_status;
	device->unknown_text = xstrdup(text);
	device->unknown[device->step] = true;
}

static const char *answer_text(const struct transport_answer *answer, char *buffer, size_t size)
{
	if (answer->message && *answer->message)
		return answer->message;
	if (answer->http_status)
		snprintf(buffer, size, "HTTP %ld", answer->http_status);
	else
		snprintf(buffer, size, "no answer");
	return buffer;
}

/* --- calls, pauses ------------------------------------------------------------------------ */

static void list_insert(struct call **head, struct call *call)
{
	call->prev = NULL;
	call->next = *head;
	if (*head)
		(*head)->prev = call;
	*head = call;
}

static void list_remove(struct call **head, struct call *call)
{
	if (call->prev)
		call->prev->next = call->next;
	else
		*head = call->next;
	if (call->next)
		call->next->prev = call->prev;
	call->prev = call->next = NULL;
}

static struct call *call_new(struct job *job, enum call_kind kind)
{
	struct call *call = xcalloc(1, sizeof(*call));
	call->job = job;
	call->kind = kind;
	return call;
}

static void call_free(struct call *call)
{
	list_remove(call->parked ? &call->job->parked : &call->job->calls, call);
	free(call);
}

static void sim_patch_done(void *context, const struct transport_answer *answer);
static void batch_done(void *context, const struct transport_answer *answer);
static void object_done(void *context, const struct transport_answer *answer, const struct transport_object *object);
static void page_done(void *context, const struct transport_answer *answer, const struct transport_object *objects,
		      size_t count, int64_t total_pages);
static void pause_over(void *context);
static void batch_wait_over(void *context);

/* Send call through the transport, or hold it back while the job is paused. */
static void issue(struct call *call)
{
	struct job *job = call->job;
	const struct transport *transport = job->transport;
	void *self = transport->self;

	if (job->paused && call->kind != CALL_TIMER && call->kind != CALL_BATCH_TIMER) {
		call->parked = true;
		list_insert(&job->parked, call);
		return;
	}
	call->parked = false;
	list_insert(&job->calls, call);
	if (call->kind != CALL_TIMER && call->kind != CALL_BATCH_TIMER)
		count_request(job);
	switch (call->kind) {
	case CALL_SIM_PATCH: {
		const struct plan_step *step = current_step(job, call->device);
		transport->ops->patch_status(self, TRANSPORT_SIM, step->id, step->to, sim_patch_done, call);
		break;
	}
	case CALL_SIM_SETTLE:
		transport->ops->read(self, TRANSPORT_SIM, current_step(job, call->device)->id, object_done, call);
		break;
	case CALL_BULK: {
		struct batch *batch = call->batch;
		struct transport_endpoint_change *changes = xcalloc(batch->count, sizeof(*changes));
		for (size_t i = 0; i < batch->count; i++) {
			const struct plan_step *step = current_step(job, batch->devices[i]);
			changes[i] = (struct transport_endpoint_change){ step->id, step->to };
		}
		transport->ops->patch_endpoints(self, changes, batch->count, batch_done, call);
		free(changes);
		break;
	}
	case CALL_SINGLE: {
		const struct plan_step *step = current_step(job, call->batch->devices[call->batch->next_single]);
		transport->ops->patch_status(self, TRANSPORT_ENDPOINT, step->id, step->to, batch_done, call);
		break;
	}
	case CALL_READ: {
		const struct plan_device *device = plan_device_of(job, call->device);
		if (device->endpoint_id)
			transport->ops->read(self, TRANSPORT_ENDPOINT, device->endpoint_id, object_done, call);
		else
			transport->ops->read(self, TRANSPORT_SIM, device->sim_id, object_done, call);
		break;
	}
	case CALL_PAGE:
		transport->ops->list_endpoints(self, call->page, page_done, call);
		break;
	case CALL_TIMER:
		transport->ops->timer(self, job->paused_until_ms - transport->ops->now_ms(self), pause_over, call);
		break;
	case CALL_BATCH_TIMER:
		transport->ops->timer(self, job->ready_since_ms + JOB_BATCH_WAIT_MS - transport->ops->now_ms(self),
				      batch_wait_over, call);
		break;
	}
}

/* The call's answer was throttled: nothing was applied. Pause everything, then send it again
 * (the call waits in job->parked). Halts instead when the API has refused everything for too
 * long; the call then stays where it is, for its callback to end. */
static void throttled(struct call *call, const struct transport_answer *answer)
{
	struct job *job = call->job;
	int64_t now = job->transport->ops->now_ms(job->transport->self);
	bool edge = answer->http_status == 403;

	if (job->throttled_since_ms == 0)
		job->throttled_since_ms = now;
	if (now - job->throttled_since_ms >= JOB_THROTTLE_GIVE_UP_MS) {
		halt(job, "the API has refused every call for %d minutes (rate limits, HTTP %ld); resume the job "
			  "later", JOB_THROTTLE_GIVE_UP_MS / 60000, answer->http_status);
		return;
	}
	if (!job->paused) {
		int64_t delay = edge ? JOB_EDGE_BLOCK_BASE_MS : JOB_THROTTLE_BASE_MS;
		for (int i = 0; i < job->throttles && delay < JOB_THROTTLE_CAP_MS; i++)
			delay = delay * 2 > JOB_THROTTLE_CAP_MS ? JOB_THROTTLE_CAP_MS : delay * 2;
		job->throttles++;
		job->paused = true;
		job->paused_until_ms = now + delay;
		snprintf(job->pause_reason, sizeof(job->pause_reason), "%s",
			 edge ? "per-IP limit, HTTP 403 from the edge" : "rate limited, HTTP 429");
		issue(call_new(job, CALL_TIMER));
	}
	list_remove(&job->calls, call);
	call->parked = true;
	list_insert(&job->parked, call);
}

/* Every callback starts here. A throttled answer parks the call for after the pause: true
 * then, and the callback is over. Once the job halted, a throttled answer is handed on. */
static bool held_back(struct call *call, const struct transport_answer *answer)
{
	struct job *job = call->job;

	if (answer->outcome != TRANSPORT_THROTTLED) {
		job->throttles = 0;
		job->throttled_since_ms = 0;
		return false;
	}
	if (job->halted)
		return false;
	throttled(call, answer);
	return !job->halted;
}

static void batch_wait_over(void *context)
{
	struct call *timer = context;
	struct job *job = timer->job;

	call_free(timer);
	job->batch_timer = NULL;
	pump(job);
}

static void pause_over(void *context)
{
	struct call *timer = context;
	struct job *job = timer->job;

	call_free(timer);
	job->paused = false;
	job->pause_reason[0] = '\0';
	/* Oldest first: they were inserted at the head. */
	struct call *last = job->parked;
	while (last && last->next)
		last = last->next;
	while (last) {
		struct call *previous = last->prev;
		list_remove(&job->parked, last);
		issue(last);
		last = previous;
	}
	pump(job);
}

/* --- steps -------------------------------------------------------------------------------- */

/* The device's current step is over: journal and audit it, then route the device on (or end
 * its pair on anything but success). state JOURNAL_INTENT: its outcome stays unknown — the
 * journal keeps the bare intent, so that --resume reads it back first. trouble: the API's own
 * failures ended it. */
static void step_over(struct job *job, size_t index, enum journal_state state, long http_status, const char *text,
		      const char *audit_result, bool trouble, bool journaled);

static void step_resolved(struct job *job, size_t index, enum journal_state state, long http_status,
			  const char *text, const char *audit_result, bool trouble)
{
	step_over(job, index, state, http_status, text, audit_result, trouble, false);
}

/* A bulk call's devices all done: one journal write and one audit fsync for them all. */
static void steps_done(struct job *job, const size_t *devices, size_t count, long http_status)
{
	char message[512];
	bool journaled = true;

	if (job->journal && count > 0 &&
	    !journal_results(job->journal, devices, count, job->devices[devices[0]].step, JOURNAL_DONE, http_status,
			     NULL, message, sizeof(message))) {
		halt(job, "%s", message);
		journaled = false;
	}
	if (job->audit)
		audit_hold(job->audit);
	for (size_t i = 0; i < count; i++)
		step_over(job, devices[i], JOURNAL_DONE, http_status, NULL, "done", false, journaled);
	if (job->audit && !audit_sync(job->audit, message, sizeof(message)))
		halt(job, "%s", message);
}

static void step_over(struct job *job, size_t index, enum journal_state state, long http_status, const char *text,
		      const char *audit_result, bool trouble, bool journaled)
{
	struct job_device *device = &job->devices[index];
	const struct plan_device *plan_device = plan_device_of(job, index);
	const struct plan_step *step = current_step(job, index);
	char message[512];

	job->states[index][device->step] = state;
	job->steps_settled++;
	note_changed(job, index);
	if (!trouble)
		job->trouble_streak = 0;
	else if (++job->trouble_streak >= JOB_TROUBLE_STREAK_MAX)
		halt(job, "the API failed %d changes in a row, the last with: %s", job->trouble_streak, text ? text : "");
	if (job->journal && state != JOURNAL_INTENT && !journaled &&
	    !journal_result(job->journal, index, device->step, state, http_status, text, message, sizeof(message)))
		halt(job, "%s", message);
	if (job->audit && !audit_step(job->audit, job->plan->action, plan_device, step, audit_result, text, message,
				      sizeof(message)))
		halt(job, "%s", message);
	forget_unknown(device);
	if (state == JOURNAL_INTENT)
		job->results[index].unknown = true;
	else
		device->unknown[device->step] = false;
	if (state != JOURNAL_DONE) {
		char what[96];
		describe_step(step, what, sizeof(what));
		add_message(job, index, "%s: %s", what, text && *text ? text : "failed");
		/* The pair stops here: the other step is never sent after a failure. */
		device->step = plan_device->step_count;
	} else {
		device->step++;
	}
	device->sends = device->unanswered = device->reads = 0;
	device_route(job, index);
}

/* Write the intent of the device's current step; false (and the job halts) when the disk
 * refuses. */
static bool write_intent(struct job *job, size_t index)
{
	char message[512];

	if (job->journal && !journal_intent(job->journal, index, job->devices[index].step, message, sizeof(message))) {
		halt(job, "%s", message);
		return false;
	}
	job->states[index][job->devices[index].step] = JOURNAL_INTENT;
	job->devices[index].started = true;
	return true;
}

/* --- conclusions -------------------------------------------------------------------------- */

/* The device's steps are over: settle its outcome from the states. */
static void device_conclude(struct job *job, size_t index)
{
	struct job_device *device = &job->devices[index];
	const struct plan_device *plan_device = plan_device_of(job, index);
	struct job_device_result *result = &job->results[index];
	bool failed = false, incomplete = false, applied = false, changed = false;
	char done_steps[200] = "";

	for (int i = 0; i < plan_device->step_count; i++) {
		const struct plan_step *step = &plan_device->steps[i];
		enum journal_state state = job->states[index][i];
		if (step->skip == SKIP_CHANGED)
			changed = true;
		if (step->skip == SKIP_UNREAD && !result->unknown) {
			result->unknown = true;
			failed = true;
			add_message(job, index, "could not be read back before resuming: not sent, its journal "
				    "intent is kept for the next resume");
		}
		if (step->skip != SKIP_NONE)
			continue;
		if (state == JOURNAL_DONE) {
			char what[96];
			size_t used = strlen(done_steps);
			applied = true;
			describe_step(step, what, sizeof(what));
			snprintf(done_steps + used, sizeof(done_steps) - used, "%s%s done", used ? "; " : "", what);
		} else if (state == JOURNAL_FAILED || (state == JOURNAL_INTENT && result->unknown)) {
			failed = true; /* an unknown outcome has its message already */
		} else {
			incomplete = true;
		}
	}
	if (changed && !failed) {
		char reason[160];
		for (int i = 0; i < plan_device->step_count; i++)
			if (plan_device->steps[i].skip == SKIP_CHANGED) {
				add_message(job, index, "%s", plan_skip_text(job->plan, &plan_device->steps[i], reason,
									     sizeof(reason)));
				break;
			}
		result->changed_elsewhere = true;
		failed = true;
	}
	if (failed && !result->message[0])
		add_message(job, index, "failed in an earlier run (see the journal)");
	if (incomplete && !failed) {
		if (device->unknown_text) {
			add_message(job, index, "outcome unknown: %s; stopped: %s", device->unknown_text, job->error);
			result->unknown = true;
		} else {
			add_message(job, index, "not sent: %s", job->error[0] ? job->error : "the job stopped");
		}
	}
	if (failed || incomplete) {
		result->outcome = applied ? JOB_HALF_DONE : JOB_FAILED;
		if (applied) {
			char message[sizeof(done_steps) + 2 + sizeof(result->message)];
			size_t used = strlen(done_steps);
			memcpy(message, done_steps, used);
			memcpy(message + used, "; ", 2);
			copy_text(message + used + 2, sizeof(message) - used - 2, result->message);
			copy_text(result->message, sizeof(result->message), message);
		}
		job->failed++;
	} else {
		result->outcome = plan_device_sends(plan_device) > 0 ? JOB_DONE : JOB_UNCHANGED;
		job->done++;
	}
	forget_unknown(device);
	note_changed(job, index);
}

static void device_over(struct job *job, size_t index)
{
	job->devices[index].phase = PHASE_OVER;
	job->over++;
}

/* What the plan leads to, side by side; *known false where the outcome is unknown. */
static void expected_statuses(const struct job *job, size_t index, int *sim, int *endpoint, bool *sim_known,
			      bool *endpoint_known)
{
	const struct plan_device *plan_device = plan_device_of(job, index);

	*sim = plan_device->sim_status;
	*endpoint = plan_device->endpoint_status;
	*sim_known = *endpoint_known = true;
	for (int i = 0; i < plan_device->step_count; i++) {
		const struct plan_step *step = &plan_device->steps[i];
		enum journal_state state = job->states[index][i];
		bool *known = step->target == STEP_SIM ? sim_known : endpoint_known;
		int *status = step->target == STEP_SIM ? sim : endpoint;

		if (step->skip != SKIP_NONE)
			continue;
		if (state == JOURNAL_DONE)
			*status = step->to;
		else if (job->devices[index].unknown[i] || state == JOURNAL_INTENT)
			*known = false;
	}
}

/* The read-back at the end: the truth into the result, and "changed elsewhere" when it is not
 * what the plan leads to. */
static void device_verified(struct job *job, size_t index, const struct job_truth *truth)
{
	const struct plan_device *plan_device = plan_device_of(job, index);
	struct job_device_result *result = &job->results[index];
	const struct transport_object *object = &truth->object;
	int sim, endpoint;
	bool sim_known, endpoint_known;

	if (!truth->known)
		return; /* the statuses stay as loaded; the outcome does not depend on this read */
	expected_statuses(job, index, &sim, &endpoint, &sim_known, &endpoint_known);
	result->read_back = true;
	note_changed(job, index);
	if (plan_device->endpoint_id) {
		if (object->endpoint_id == 0) {
			result->changed_elsewhere = true;
			add_message(job, index, "changed elsewhere: the endpoint is gone");
			return;
		}
		result->endpoint_status = object->endpoint_status;
		result->sim_status = object->sim_status;
		if (object->sim_id != plan_device->sim_id) {
			result->changed_elsewhere = true;
			if (object->sim_id)
				add_message(job, index, "changed elsewhere: the endpoint now has SIM %lld",
					    (long long)object->sim_id);
			else
				add_message(job, index, "changed elsewhere: the endpoint has no SIM any more");
			return;
		}
		if (object->sim_status == SIM_NONE)
			sim_known = false;
	} else {
		if (object->sim_id == 0) {
			result->changed_elsewhere = true;
			add_message(job, index, "changed elsewhere: the SIM is gone");
			return;
		}
		result->sim_status = object->sim_status;
	}
	if ((sim_known && result->sim_status != sim) || (endpoint_known && result->endpoint_status != endpoint)) {
		result->changed_elsewhere = true;
		add_message(job, index, "changed elsewhere: read back SIM %s, endpoint %s; the plan leads to SIM %s, "
			    "endpoint %s", plan_status_name(STEP_SIM, result->sim_status, "none"),
			    plan_status_name(STEP_ENDPOINT, result->endpoint_status, "none"), plan_status_name(STEP_SIM, sim, "none"),
			    plan_status_name(STEP_ENDPOINT, endpoint, "none"));
	}
}

/* --- routing ------------------------------------------------------------------------------ */

static bool later_endpoint_step(const struct job *job, size_t index)
{
	const struct plan_device *plan_device = plan_device_of(job, index);
	for (int step = job->devices[index].step + 1; step < plan_device->step_count; step++)
		if (plan_device->steps[step].target == STEP_ENDPOINT && step_to_send(job, index, step))
			return true;
	return false;
}

static void leave_sim_lane(struct job *job, size_t index)
{
	struct job_device *device = &job->devices[index];
	if (device->phase == PHASE_SIM_ACTIVE)
		job->sim_active--;
	if (device->feeds_endpoint) {
		device->feeds_endpoint = false;
		job->feeders--;
	}
}

/* Put the device where its next step to send is worked on, or end its steps. */
static void device_route(struct job *job, size_t index)
{
	struct job_device *device = &job->devices[index];
	const struct plan_device *plan_device = plan_device_of(job, index);

	leave_sim_lane(job, index);
	while (device->step < plan_device->step_count && !step_to_send(job, index, device->step)) {
		/* After a step that failed (in this run or an earlier one) the pair stops. */
		if (job->states[index][device->step] == JOURNAL_FAILED &&
		    plan_device->steps[device->step].skip == SKIP_NONE) {
			device->step = plan_device->step_count;
			break;
		}
		device->step++;
	}
	bool stopping = job->halted || (job->cancelling && !device->started);
	if (stopping && !device->started) {
		job->results[index].outcome = JOB_CANCELLED;
		job->cancelled++;
		note_changed(job, index);
		device_over(job, index);
		return;
	}
	if (device->step >= plan_device->step_count || stopping) {
		device_conclude(job, index);
		if (job->halted)
			device_over(job, index);
		else
			device->phase = PHASE_STEPS_OVER;
		return;
	}
	if (current_step(job, index)->target == STEP_SIM) {
		device->phase = PHASE_SIM_QUEUED;
		device->feeds_endpoint = later_endpoint_step(job, index);
		if (device->feeds_endpoint)
			job->feeders++;
		job->sim_queue[(job->sim_head + job->sim_count) % job->plan->count] = index;
		job->sim_count++;
	} else {
		device->phase = PHASE_ENDPOINT_READY;
		if (job->ready_count == 0)
			job->ready_since_ms = job->transport->ops->now_ms(job->transport->self);
		job->ready[job->ready_count++] = index;
	}
}

/* --- the SIM lane ------------------------------------------------------------------------- */

static void sim_send(struct job *job, size_t index)
{
	struct call *call;

	if (!write_intent(job, index)) {
		device_route(job, index);
		return;
	}
	job->devices[index].sends++;
	call = call_new(job, CALL_SIM_PATCH);
	call->device = index;
	issue(call);
}

static void sim_settle(struct job *job, size_t index)
{
	struct call *call = call_new(job, CALL_SIM_SETTLE);
	call->device = index;
	issue(call);
}

static void sim_patch_done(void *context, const struct transport_answer *answer)
{
	struct call *call = context;
	struct job *job = call->job;
	size_t index = call->device;
	struct job_device *device = &job->devices[index];
	char buffer[64];
	const char *text = answer_text(answer, buffer, sizeof(buffer));

	if (held_back(call, answer))
		return;
	call_free(call);
	switch (answer->outcome) {
	case TRANSPORT_OK:
		step_resolved(job, index, JOURNAL_DONE, answer->http_status, NULL, "done", false);
		break;
	case TRANSPORT_AUTH:
	case TRANSPORT_FORBIDDEN:
		halt(job, "%s", text);
		step_resolved(job, index, JOURNAL_FAILED, answer->http_status, text, "failed", false);
		break;
	case TRANSPORT_REFUSED:
		step_resolved(job, index, JOURNAL_FAILED, answer->http_status, text, "failed", false);
		break;
	case TRANSPORT_THROTTLED:
		/* Only once the job halted: nothing was applied, and the intent stays for --resume. */
		device_route(job, index);
		break;
	case TRANSPORT_LOST:
		/* Applied or not, only a read-back tells. */
		if (answer->http_status == 0)
			device->unanswered++;
		set_unknown(device, answer->http_status, text);
		device->reads = 0;
		sim_settle(job, index);
		break;
	}
	pump(job);
}

/* A read-back of a SIM step whose answer was lost, or that a killed run left as an intent. */
static void sim_settled(struct job *job, size_t index, const struct transport_answer *answer,
			const struct transport_object *object)
{
	struct job_device *device = &job->devices[index];
	const struct plan_step *step = current_step(job, index);
	const char *why = device->unknown_text ? device->unknown_text : "the earlier run stopped before the answer";
	char text[512], buffer[64];

	if (answer->outcome == TRANSPORT_OK) {
		if (object->sim_status == step->to) {
			snprintf(text, sizeof(text), "applied, as reading back showed (after: %s)", why);
			step_resolved(job, index, JOURNAL_DONE, device->unknown_status ? device->unknown_status : 200,
				      text, "done", false);
		} else if (object->sim_status != step->from) {
			snprintf(text, sizeof(text), "changed elsewhere: the SIM is now %s",
				 plan_status_name(STEP_SIM, object->sim_status, "none"));
			step_resolved(job, index, JOURNAL_FAILED, answer->http_status, text, "failed", false);
		} else if (device->sends >= JOB_SEND_MAX || device->unanswered >= JOB_UNANSWERED_SEND_MAX) {
			snprintf(text, sizeof(text), "not applied after %d attempts: %s", device->sends, why);
			step_resolved(job, index, JOURNAL_FAILED, device->unknown_status, text, "failed", true);
		} else {
			/* Not applied: sending it again cannot apply it twice. */
			device->unknown[device->step] = false;
			forget_unknown(device);
			device->reads = 0;
			if (job->halted)
				device_route(job, index);
			else
				sim_send(job, index);
		}
		return;
	}
	if (answer->outcome == TRANSPORT_AUTH || answer->outcome == TRANSPORT_FORBIDDEN)
		halt(job, "%s", answer_text(answer, buffer, sizeof(buffer)));
	else if (answer->outcome == TRANSPORT_REFUSED) {
		snprintf(text, sizeof(text), "changed elsewhere: the SIM cannot be read (%s)",
			 answer_text(answer, buffer, sizeof(buffer)));
		step_resolved(job, index, JOURNAL_FAILED, answer->http_status, text, "failed", false);
		return;
	}
	if (!job->halted && ++device->reads < JOB_READ_MAX && answer->outcome == TRANSPORT_LOST &&
	    answer->http_status != 0) {
		sim_settle(job, index);
		return;
	}
	snprintf(text, sizeof(text), "outcome unknown: %s; reading back failed: %s", why,
		 answer_text(answer, buffer, sizeof(buffer)));
	step_resolved(job, index, JOURNAL_INTENT, device->unknown_status, text, "unknown", true);
}

static void sim_lane_pump(struct job *job)
{
	while (job->sim_count > 0 && job->sim_active < (size_t)job->sim_parallel && !job->paused) {
		size_t index = job->sim_queue[job->sim_head];
		struct job_device *device = &job->devices[index];

		job->sim_head = (job->sim_head + 1) % job->plan->count;
		job->sim_count--;
		if (job->halted || (job->cancelling && !device->started)) {
			device_route(job, index);
			continue;
		}
		device->phase = PHASE_SIM_ACTIVE;
		job->sim_active++;
		if (job->states[index][device->step] == JOURNAL_INTENT) {
			/* A killed run's intent: it may have been applied. */
			device->started = true;
			device->unknown[device->step] = true;
			sim_settle(job, index);
		} else {
			sim_send(job, index);
		}
	}
}

/* --- the endpoint lane -------------------------------------------------------------------- */

static struct batch *batch_new(size_t count)
{
	struct batch *batch = xcalloc(1, sizeof(*batch));
	batch->devices = xcalloc(count ? count : 1, sizeof(*batch->devices));
	batch->count = count;
	return batch;
}

static void batch_free(struct batch *batch)
{
	if (!batch)
		return;
	free(batch->devices);
	free(batch->last_text);
	free(batch);
}

/* Queue batch first among the batches to send. */
static void batch_push_front(struct job *job, struct batch *batch)
{
	batch->next = job->batches;
	job->batches = batch;
}

static void batch_set_answer(struct batch *batch, long http_status, const char *text)
{
	free(batch->last_text);
	batch->last_text = xstrdup(text ? text : "");
	batch->last_status = http_status;
}

static void batch_send(struct job *job, struct batch *batch)
{
	struct call *call;
	char message[512];

	job->lane_busy = true;
	job->lane_batch = batch;
	if (batch->settle_first) {
		batch->settle_first = false;
		for (size_t i = 0; i < batch->count; i++) {
			job->devices[batch->devices[i]].started = true;
			job->devices[batch->devices[i]].unknown[job->devices[batch->devices[i]].step] = true;
		}
		batch_set_answer(batch, 0, "the earlier run stopped before the answer");
		group_start(job, GROUP_SETTLE, batch, batch->devices, batch->count);
		return;
	}
	size_t first = batch->single ? batch->next_single : 0;
	size_t count = batch->single ? 1 : batch->count;
	/* A batch's devices share their step: one write and one fsync for every intent. */
	if (job->journal && !journal_intents(job->journal, batch->devices + first, count,
					     job->devices[batch->devices[first]].step, message, sizeof(message)))
		halt(job, "%s", message);
	for (size_t i = first; i < first + count && !job->halted; i++) {
		size_t index = batch->devices[i];
		job->states[index][job->devices[index].step] = JOURNAL_INTENT;
		job->devices[index].started = true;
	}
	if (job->halted) {
		/* Nothing of it goes out: the devices end with what they have. */
		for (size_t i = 0; i < batch->count; i++)
			device_route(job, batch->devices[i]);
		batch_over(job, batch);
		return;
	}
	batch->sends++;
	call = call_new(job, batch->single ? CALL_SINGLE : CALL_BULK);
	call->batch = batch;
	issue(call);
}

/* Send the devices of batch (indexes devices[0..count)) again, split when refused: halves, or
 * single PATCHes for a few. The halves go first, before batches not sent yet. */
static void batch_requeue(struct job *job, const struct batch *from, const size_t *devices, size_t count,
			  bool split)
{
	if (count == 0)
		return;
	if (split && count <= JOB_SINGLE_MAX) {
		struct batch *batch = batch_new(count);
		memcpy(batch->devices, devices, count * sizeof(*devices));
		batch->single = true;
		batch_push_front(job, batch);
		return;
	}
	if (split) {
		size_t half = count / 2;
		struct batch *second = batch_new(count - half), *first = batch_new(half);
		memcpy(first->devices, devices, half * sizeof(*devices));
		memcpy(second->devices, devices + half, (count - half) * sizeof(*devices));
		batch_push_front(job, second);
		batch_push_front(job, first);
		return;
	}
	struct batch *batch = batch_new(count);
	memcpy(batch->devices, devices, count * sizeof(*devices));
	batch->single = from->single;
	batch->sends = from->sends;
	batch->unanswered = from->unanswered;
	batch_set_answer(batch, from->last_status, from->last_text);
	batch_push_front(job, batch);
}

/* The lane's call of batch is over, and so is the batch. */
static void batch_over(struct job *job, struct batch *batch)
{
	if (batch == job->lane_batch)
		job->lane_batch = NULL;
	batch_free(batch);
	job->lane_busy = false;
}

/* The answer of a bulk call, or of one single endpoint PATCH of a batch. */
static void batch_done(void *context, const struct transport_answer *answer)
{
	struct call *call = context;
	struct job *job = call->job;
	struct batch *batch = call->batch;
	bool single = call->kind == CALL_SINGLE;
	size_t first = single ? batch->next_single : 0;
	size_t count = single ? 1 : batch->count;
	char buffer[64];
	const char *text = answer_text(answer, buffer, sizeof(buffer));

	if (held_back(call, answer))
		return;
	call_free(call);
	batch_set_answer(batch, answer->http_status, text);
	if (answer->outcome != TRANSPORT_REFUSED)
		job->refused_streak = 0;
	else if (++job->refused_streak >= JOB_REFUSED_STREAK_MAX)
		halt(job, "emnify refused %d endpoint changes in a row, the last with: %s", job->refused_streak, text);
	switch (answer->outcome) {
	case TRANSPORT_OK:
		steps_done(job, batch->devices + first, count, answer->http_status);
		break;
	case TRANSPORT_AUTH:
	case TRANSPORT_FORBIDDEN:
		halt(job, "%s", text);
		for (size_t i = first; i < first + count; i++)
			step_resolved(job, batch->devices[i], JOURNAL_FAILED, answer->http_status, text, "failed", false);
		break;
	case TRANSPORT_THROTTLED:
		/* Only once the job halted: nothing was applied, and the intents stay for --resume. */
		for (size_t i = 0; i < batch->count; i++)
			device_route(job, batch->devices[i]);
		batch_over(job, batch);
		pump(job);
		return;
	case TRANSPORT_REFUSED:
		if (count == 1) {
			/* Alone in its call: the refusal is its own, with the API's message. */
			step_resolved(job, batch->devices[first], JOURNAL_FAILED, answer->http_status, text, "failed",
				      false);
			break;
		}
		/* Whether the good items of a refused call were applied is not documented:
		 * read back, then split what was not. */
		batch->refused = true;
		group_start(job, GROUP_SETTLE, batch, batch->devices, batch->count);
		return;
	case TRANSPORT_LOST:
		if (answer->http_status == 0)
			batch->unanswered++;
		for (size_t i = first; i < first + count; i++)
			set_unknown(&job->devices[batch->devices[i]], answer->http_status, text);
		if (single) {
			/* Read back the one device; the rest of the batch waits. */
			struct batch *one = batch_new(1);
			one->devices[0] = batch->devices[first];
			one->single = true;
			one->sends = batch->sends;
			one->unanswered = batch->unanswered;
			batch_set_answer(one, answer->http_status, text);
			batch->next_single++;
			if (batch->next_single < batch->count) {
				batch->sends = batch->unanswered = 0;
				batch_push_front(job, batch);
			} else {
				batch_free(batch);
			}
			job->lane_batch = one;
			group_start(job, GROUP_SETTLE, one, one->devices, 1);
			return;
		}
		group_start(job, GROUP_SETTLE, batch, batch->devices, batch->count);
		return;
	}
	if (single && batch->next_single + 1 < batch->count) {
		batch->next_single++;
		batch->sends = batch->unanswered = 0;
		job->lane_busy = false;
		job->lane_batch = NULL;
		batch_push_front(job, batch);
	} else {
		batch_over(job, batch);
	}
	pump(job);
}

/* A batch read back after an answer that was not a plain success. */
static void batch_settled(struct job *job, struct batch *batch, const struct job_truth *truths)
{
	size_t *again = xcalloc(batch->count, sizeof(*again));
	size_t again_count = 0;
	const char *why = batch->last_text && *batch->last_text ? batch->last_text : "no answer";
	char text[512];

	for (size_t i = 0; i < batch->count; i++) {
		size_t index = batch->devices[i];
		struct job_device *device = &job->devices[index];
		const struct plan_device *plan_device = plan_device_of(job, index);
		const struct plan_step *step = current_step(job, index);
		const struct job_truth *truth = &truths[index];

		if (!truth->known) {
			snprintf(text, sizeof(text), "outcome unknown: %s; reading back failed", why);
			step_resolved(job, index, JOURNAL_INTENT, batch->last_status, text, "unknown", true);
			continue;
		}
		if (truth->object.endpoint_id == 0 || truth->object.sim_id != plan_device->sim_id) {
			step_resolved(job, index, JOURNAL_FAILED, batch->last_status,
				      truth->object.endpoint_id == 0 ? "changed elsewhere: the endpoint is gone"
								     : "changed elsewhere: the endpoint holds another SIM",
				      "failed", false);
		} else if (truth->object.endpoint_status == step->to) {
			if (batch->refused)
				snprintf(text, sizeof(text), "applied, as reading back showed");
			else
				snprintf(text, sizeof(text), "applied, as reading back showed (after: %s)", why);
			step_resolved(job, index, JOURNAL_DONE, batch->last_status ? batch->last_status : 200, text, "done",
				      false);
		} else if (truth->object.endpoint_status != step->from) {
			snprintf(text, sizeof(text), "changed elsewhere: the endpoint is now %s",
				 plan_status_name(STEP_ENDPOINT, truth->object.endpoint_status, "none"));
			step_resolved(job, index, JOURNAL_FAILED, batch->last_status, text, "failed", false);
		} else if (job->halted) {
			device->unknown[device->step] = false;
			forget_unknown(device);
			device_route(job, index);
		} else if (!batch->refused &&
			   (batch->sends >= JOB_SEND_MAX || batch->unanswered >= JOB_UNANSWERED_SEND_MAX)) {
			snprintf(text, sizeof(text), "not applied after %d attempts: %s", batch->sends, why);
			step_resolved(job, index, JOURNAL_FAILED, batch->last_status, text, "failed", true);
		} else {
			/* Not applied: sending it again cannot apply it twice. */
			device->unknown[device->step] = false;
			forget_unknown(device);
			again[again_count++] = index;
		}
	}
	batch_requeue(job, batch, again, again_count, batch->refused);
	free(again);
	batch_over(job, batch);
}

static void endpoint_lane_pump(struct job *job)
{
	if (job->lane_busy || job->paused)
		return;
	if (job->batches) {
		struct batch *batch = job->batches;
		job->batches = batch->next;
		batch->next = NULL;
		if (job->halted) {
			for (size_t i = 0; i < batch->count; i++)
				device_route(job, batch->devices[i]);
			batch_free(batch);
			return;
		}
		batch_send(job, batch);
		return;
	}
	/* Drop the devices a cancel or a halt keeps from starting. */
	size_t kept = 0;
	for (size_t i = 0; i < job->ready_count; i++) {
		size_t index = job->ready[i];
		if (job->halted || (job->cancelling && !job->devices[index].started))
			device_route(job, index);
		else
			job->ready[kept++] = index;
	}
	job->ready_count = kept;
	if (job->ready_count > 0 && job->ready_count < job->bulk_max && job->feeders > 0 &&
	    job->transport->ops->now_ms(job->transport->self) - job->ready_since_ms < JOB_BATCH_WAIT_MS) {
		/* More may come: wait for them, but not for long. */
		if (!job->batch_timer) {
			job->batch_timer = call_new(job, CALL_BATCH_TIMER);
			issue(job->batch_timer);
		}
		return;
	}
	if (job->batch_timer) {
		job->transport->ops->cancel(job->transport->self, job->batch_timer);
		call_free(job->batch_timer);
		job->batch_timer = NULL;
	}
	if (job->ready_count == 0)
		return;
	/* A batch holds one step index, and devices a killed run left with an intent go apart:
	 * they are read back before anything is sent. */
	size_t first = job->ready[0];
	int step = job->devices[first].step;
	bool intent = job->states[first][step] == JOURNAL_INTENT;
	struct batch *batch = batch_new(job->ready_count < job->bulk_max ? job->ready_count : job->bulk_max);
	size_t taken = 0;
	kept = 0;
	for (size_t i = 0; i < job->ready_count; i++) {
		size_t index = job->ready[i];
		if (taken < batch->count && job->devices[index].step == step &&
		    (job->states[index][step] == JOURNAL_INTENT) == intent) {
			batch->devices[taken++] = index;
			job->devices[index].phase = PHASE_BATCHED;
		} else {
			job->ready[kept++] = index;
		}
	}
	job->ready_count = kept;
	job->ready_since_ms = job->transport->ops->now_ms(job->transport->self);
	batch->count = taken;
	batch->settle_first = intent;
	batch_send(job, batch);
}

/* --- group read-backs --------------------------------------------------------------------- */

static int compare_slots(const void *a, const void *b)
{
	const struct endpoint_slot *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void group_issue(struct job *job, struct group *group, enum call_kind kind, size_t device, int64_t page)
{
	struct call *call = call_new(job, kind);
	call->group = group;
	call->device = device;
	call->page = page;
	group->pending++;
	if (kind == CALL_PAGE)
		group->pages_pending++;
	issue(call);
}

/* List pages a read-back by list takes; 0 when the fleet's size is not known. */
static size_t list_pages(const struct job *job)
{
	size_t per_page = job->transport->list_per_page ? job->transport->list_per_page : 1;
	return (job->plan->fleet_endpoints + per_page - 1) / per_page;
}

static void group_finish(struct job *job, struct group *group);

static void group_start(struct job *job, enum group_purpose purpose, struct batch *batch, size_t *devices,
			size_t count)
{
	struct group *group = xcalloc(1, sizeof(*group));
	size_t endpoints = 0;

	group->purpose = purpose;
	group->batch = batch;
	group->devices = xcalloc(count ? count : 1, sizeof(*group->devices));
	memcpy(group->devices, devices, count * sizeof(*devices));
	group->count = count;
	group->next = job->group_list;
	job->group_list = group;
	for (size_t i = 0; i < count; i++) {
		job->truths[devices[i]].known = false;
		if (plan_device_of(job, devices[i])->endpoint_id)
			endpoints++;
	}
	size_t pages = list_pages(job);
	group->listing = pages > 0 && pages < endpoints;
	if (group->listing) {
		group->lookup = xcalloc(endpoints, sizeof(*group->lookup));
		for (size_t i = 0; i < count; i++) {
			int64_t id = plan_device_of(job, devices[i])->endpoint_id;
			if (id)
				group->lookup[group->lookup_count++] = (struct endpoint_slot){ id, devices[i] };
		}
		qsort(group->lookup, group->lookup_count, sizeof(*group->lookup), compare_slots);
		group_issue(job, group, CALL_PAGE, 0, 1);
	}
	for (size_t i = 0; i < count; i++)
		if (!group->listing || !plan_device_of(job, devices[i])->endpoint_id)
			group_issue(job, group, CALL_READ, devices[i], 0);
	if (group->pending == 0)
		group_finish(job, group);
}

static void truth_from_object(struct job_truth *truth, const struct transport_object *object)
{
	truth->known = true;
	truth->object = *object;
}

static void page_done(void *context, const struct transport_answer *answer, const struct transport_object *objects,
		      size_t count, int64_t total_pages)
{
	struct call *call = context;
	struct job *job = call->job;
	struct group *group = call->group;

	if (held_back(call, answer))
		return;
	if (answer->outcome == TRANSPORT_OK) {
		for (size_t i = 0; i < count; i++) {
			struct endpoint_slot key = { objects[i].endpoint_id, 0 };
			struct endpoint_slot *slot = bsearch(&key, group->lookup, group->lookup_count, sizeof(*slot),
							     compare_slots);
			if (slot)
				truth_from_object(&job->truths[slot->device], &objects[i]);
		}
		if (call->page == 1) {
			group->pages_total = total_pages > 0 ? total_pages : 1;
			for (int64_t page = 2; page <= group->pages_total; page++)
				group_issue(job, group, CALL_PAGE, 0, page);
		}
	} else if (answer->outcome == TRANSPORT_LOST && !job->halted && ++call->failures < JOB_READ_MAX) {
		list_remove(&job->calls, call);
		issue(call);
		return;
	} else {
		if (answer->outcome == TRANSPORT_AUTH || answer->outcome == TRANSPORT_FORBIDDEN) {
			char buffer[64];
			halt(job, "%s", answer_text(answer, buffer, sizeof(buffer)));
		}
		group->list_failed = true;
	}
	call_free(call);
	group->pending--;
	if (--group->pages_pending == 0) {
		/* Endpoints the pages did not hold (gone, or missed while the list moved): GET them. */
		if (!job->halted)
			for (size_t i = 0; i < group->lookup_count; i++)
				if (!job->truths[group->lookup[i].device].known)
					group_issue(job, group, CALL_READ, group->lookup[i].device, 0);
		free(group->lookup);
		group->lookup = NULL;
		group->lookup_count = 0;
		if (group->pending == 0)
			group_finish(job, group);
	}
	pump(job);
}

/* A GET of a SIM step's settling, or of one device of a group. */
static void object_done(void *context, const struct transport_answer *answer, const struct transport_object *object)
{
	struct call *call = context;
	struct job *job = call->job;
	size_t index = call->device;
	struct group *group = call->group;

	if (held_back(call, answer))
		return;
	if (call->kind == CALL_SIM_SETTLE) {
		call_free(call);
		sim_settled(job, index, answer, object);
		pump(job);
		return;
	}
	if (answer->outcome == TRANSPORT_OK) {
		truth_from_object(&job->truths[index], object);
	} else if (answer->outcome == TRANSPORT_REFUSED && answer->http_status == 404) {
		/* Gone: known, with nothing there. */
		job->truths[index] = (struct job_truth){ .known = true,
			.object = { 0, ENDPOINT_NONE, 0, SIM_NONE } };
	} else if (answer->outcome == TRANSPORT_LOST && !job->halted && answer->http_status != 0 &&
		   ++call->failures < JOB_READ_MAX) {
		list_remove(&job->calls, call);
		issue(call);
		return;
	} else if (answer->outcome == TRANSPORT_AUTH || answer->outcome == TRANSPORT_FORBIDDEN) {
		char buffer[64];
		halt(job, "%s", answer_text(answer, buffer, sizeof(buffer)));
	}
	call_free(call);
	if (--group->pending == 0 && !group->lookup)
		group_finish(job, group);
	pump(job);
}

static void group_finish(struct job *job, struct group *group)
{
	struct group **link = &job->group_list;
	while (*link != group)
		link = &(*link)->next;
	*link = group->next;
	switch (group->purpose) {
	case GROUP_SETTLE:
		batch_settled(job, group->batch, job->truths);
		break;
	case GROUP_VERIFY:
		for (size_t i = 0; i < group->count; i++) {
			device_verified(job, group->devices[i], &job->truths[group->devices[i]]);
			device_over(job, group->devices[i]);
		}
		break;
	case GROUP_CHECK:
		for (size_t i = 0; i < group->count; i++)
			device_over(job, group->devices[i]);
		break;
	}
	free(group->devices);
	free(group);
}

/* --- the whole job ------------------------------------------------------------------------ */

static void check_finished(struct job *job)
{
	char message[512];

	if (job->finished || job->over < job->plan->count || job->calls || job->parked)
		return;
	job->finished = true;
	if (job->check_only)
		return;
	/* A step whose outcome is unknown is not finished: without the end line the TUI offers to
	 * resume the journal at its next start, which reads the step back first. */
	for (size_t i = 0; i < job->plan->count; i++)
		if (job->results[i].unknown)
			return;
	if (job->journal && !journal_end(job->journal, job->cancelling || job->halted, message, sizeof(message)) &&
	    !job->error[0])
		copy_text(job->error, sizeof(job->error), message);
}

/* Every device's steps are over: read back those that sent something. */
static void maybe_verify(struct job *job)
{
	if (job->verify_started || job->sim_count || job->sim_active || job->ready_count || job->batches ||
	    job->lane_busy || job->group_list || job->done + job->failed + job->cancelled < job->plan->count)
		return;
	size_t *devices = xcalloc(job->plan->count ? job->plan->count : 1, sizeof(*devices));
	size_t count = 0;
	for (size_t i = 0; i < job->plan->count; i++) {
		if (job->devices[i].phase != PHASE_STEPS_OVER)
			continue;
		if (job->halted) {
			device_over(job, i);
			continue;
		}
		job->devices[i].phase = PHASE_VERIFYING;
		devices[count++] = i;
	}
	job->verify_started = true;
	if (count > 0)
		group_start(job, GROUP_VERIFY, NULL, devices, count);
	free(devices);
}

/* Parked calls of a halted job never go out: their devices end with what they have. */
static void drop_parked(struct job *job)
{
	while (job->parked) {
		struct call *call = job->parked;
		struct transport_answer answer = { TRANSPORT_THROTTLED, 429, job->error };
		list_remove(&job->parked, call);
		call->parked = false;
		list_insert(&job->calls, call);
		switch (call->kind) {
		case CALL_SIM_PATCH:
			sim_patch_done(call, &answer);
			break;
		case CALL_BULK:
		case CALL_SINGLE:
			batch_done(call, &answer);
			break;
		case CALL_SIM_SETTLE:
		case CALL_READ:
			object_done(call, &answer, NULL);
			break;
		case CALL_PAGE:
			page_done(call, &answer, NULL, 0, 0);
			break;
		case CALL_TIMER:
		case CALL_BATCH_TIMER:
			call_free(call);
			break;
		}
	}
}

static void pump(struct job *job)
{
	if (job->halted && job->parked)
		drop_parked(job);
	if (job->halted && job->paused) {
		/* The pause's timer goes too. */
		for (struct call *call = job->calls; call; call = call->next)
			if (call->kind == CALL_TIMER) {
				job->transport->ops->cancel(job->transport->self, call);
				call_free(call);
				break;
			}
		job->paused = false;
	}
	if (!job->check_only) {
		sim_lane_pump(job);
		endpoint_lane_pump(job);
		maybe_verify(job);
	}
	check_finished(job);
}

static struct job *job_new(const struct transport *transport, const struct plan *plan,
			   enum journal_state (*states)[2])
{
	struct job *job = xcalloc(1, sizeof(*job));
	size_t count = plan->count;

	job->transport = transport;
	job->plan = plan;
	job->states = xcalloc(count ? count : 1, sizeof(*job->states));
	if (states)
		memcpy(job->states, states, count * sizeof(*job->states));
	job->devices = xcalloc(count ? count : 1, sizeof(*job->devices));
	job->results = xcalloc(count ? count : 1, sizeof(*job->results));
	job->truths = xcalloc(count ? count : 1, sizeof(*job->truths));
	job->sim_queue = xcalloc(count ? count : 1, sizeof(*job->sim_queue));
	job->ready = xcalloc(count ? count : 1, sizeof(*job->ready));
	job->sim_parallel = JOB_DEFAULT_SIM_PARALLEL;
	job->bulk_max = transport->bulk_max ? transport->bulk_max : 1;
	job->changed_head = job->changed_tail = NO_DEVICE;
	for (size_t i = 0; i < count; i++) {
		job->results[i].outcome = JOB_PENDING;
		job->results[i].sim_status = plan->devices[i].sim_status;
		job->results[i].endpoint_status = plan->devices[i].endpoint_status;
	}
	job->samples[0] = (struct rate_sample){ transport->ops->now_ms(transport->self), 0 };
	job->sample_count = 1;
	return job;
}

/* A resumed plan skips steps a killed run left as intents (rebased): journal their results. */
static void journal_rebased_steps(struct job *job)
{
	char message[512];

	for (size_t i = 0; i < job->plan->count && job->journal && !job->halted; i++) {
		const struct plan_device *device = plan_device_of(job, i);
		for (int step = 0; step < device->step_count; step++) {
			enum plan_skip skip = device->steps[step].skip;
			if (job->states[i][step] != JOURNAL_INTENT || skip == SKIP_NONE || skip == SKIP_UNREAD)
				continue;
			enum journal_state state = skip == SKIP_CHANGED ? JOURNAL_FAILED : JOURNAL_DONE;
			if (!journal_result(job->journal, i, step, state, 200,
					    skip == SKIP_CHANGED ? "changed elsewhere, as reading back before resuming showed"
								 : "in its target state, as reading back before resuming showed",
					    message, sizeof(message)))
				halt(job, "%s", message);
			job->states[i][step] = state;
		}
	}
}

struct job *job_start(const struct transport *transport, const struct plan *plan, enum journal_state (*states)[2],
		      struct journal *journal, struct audit *audit, const struct job_options *options)
{
	struct job *job = job_new(transport, plan, states);

	job->journal = journal;
	job->audit = audit;
	if (options && options->sim_parallel > 0)
		job->sim_parallel = options->sim_parallel;
	if (options && options->bulk_max > 0 && options->bulk_max < job->bulk_max)
		job->bulk_max = options->bulk_max;
	struct transport planning = *transport;
	planning.bulk_max = job->bulk_max;
	job->planned = job_planned_requests(plan, job->states, &planning);
	journal_rebased_steps(job);
	for (size_t i = 0; i < plan->count; i++) {
		struct job_device *device = &job->devices[i];
		for (int step = 0; step < plan->devices[i].step_count; step++) {
			/* Whether an earlier run's failure applied anything is not known here. */
			device->unknown[step] = job->states[i][step] == JOURNAL_FAILED;
			if (job->states[i][step] != JOURNAL_PENDING && plan->devices[i].steps[step].skip == SKIP_NONE)
				device->started = true;
		}
		job->results[i].outcome = JOB_RUNNING;
		for (int step = 0; step < plan->devices[i].step_count; step++)
			job->steps += step_to_send(job, i, step);
		if (!device_has_work(job, i) || job->halted) {
			/* Nothing to send, or everything settled by an earlier run: what an earlier
			 * run sent is read back with the rest at the end. */
			device_conclude(job, i);
			if (device->started && !job->halted)
				device->phase = PHASE_STEPS_OVER;
			else
				device_over(job, i);
			continue;
		}
		device_route(job, i);
	}
	pump(job);
	return job;
}

struct job *job_start_check(const struct transport *transport, const struct plan *plan,
			    enum journal_state (*states)[2])
{
	struct job *job = job_new(transport, plan, states);
	size_t *devices = xcalloc(plan->count ? plan->count : 1, sizeof(*devices));
	size_t count = 0;

	job->check_only = true;
	for (size_t i = 0; i < plan->count; i++) {
		if (device_has_work(job, i)) {
			job->devices[i].phase = PHASE_VERIFYING;
			devices[count++] = i;
		} else {
			device_over(job, i);
		}
	}
	if (count > 0)
		group_start(job, GROUP_CHECK, NULL, devices, count);
	free(devices);
	pump(job);
	return job;
}

const struct job_truth *job_check_truths(const struct job *job)
{
	return job->truths;
}

void job_truths_from_fleet(const struct fleet *fleet, const struct plan *plan, struct job_truth *truths)
{
	for (size_t i = 0; i < plan->count; i++) {
		const struct plan_device *device = &plan->devices[i];
		struct job_truth *truth = &truths[i];
		size_t index;

		*truth = (struct job_truth){ .known = true, .object = { 0, ENDPOINT_NONE, 0, SIM_NONE } };
		if (device->endpoint_id ? fleet_find_endpoint(fleet, device->endpoint_id, &index)
					: fleet_find_sim(fleet, device->sim_id, &index)) {
			const struct device *found = fleet_device(fleet, index);
			truth->object = (struct transport_object){ found->endpoint_id, found->endpoint_status, found->sim_id,
								   found->sim_status };
		}
	}
}

void job_rebase(struct plan *plan, enum journal_state (*states)[2], const struct job_truth *truths,
		struct job_rebase_report *report)
{
	memset(report, 0, sizeof(*report));
	for (size_t i = 0; i < plan->count; i++) {
		struct plan_device *device = &plan->devices[i];
		const struct job_truth *truth = &truths[i];
		bool work = false, changed = false;

		for (int step = 0; step < device->step_count; step++)
			work = work || sendable(&device->steps[step], states[i][step]);
		if (!work)
			continue;
		if (truth->known) {
			const struct transport_object *object = &truth->object;
			if (device->endpoint_id) {
				changed = object->endpoint_id == 0 || object->sim_id != device->sim_id;
				device->endpoint_status = object->endpoint_status;
				if (device->sim_id)
					device->sim_status = object->sim_status;
			} else {
				changed = object->sim_id == 0;
				device->sim_status = object->sim_status;
			}
		}
		/* Any step found in neither of its states changes the whole device. */
		for (int step = 0; step < device->step_count && truth->known; step++) {
			const struct plan_step *plan_step = &device->steps[step];
			int now = plan_step->target == STEP_SIM ? device->sim_status : device->endpoint_status;
			if (sendable(plan_step, states[i][step]) && now != plan_step->to && now != plan_step->from)
				changed = true;
		}
		bool left = false;
		for (int step = 0; step < device->step_count; step++) {
			struct plan_step *plan_step = &device->steps[step];
			if (!sendable(plan_step, states[i][step]))
				continue;
			int now = plan_step->target == STEP_SIM ? device->sim_status : device->endpoint_status;
			if (!truth->known) {
				plan_step->skip = SKIP_UNREAD;
			} else if (changed) {
				plan_step->from = now;
				plan_step->skip = SKIP_CHANGED;
			} else if (now == plan_step->to) {
				plan_step->skip = SKIP_ALREADY;
			} else {
				states[i][step] = JOURNAL_PENDING; /* read back: not applied */
				left = true;
			}
		}
		if (!truth->known)
			report->unread++;
		else if (changed)
			report->changed++;
		else if (left)
			report->remaining++;
		else
			report->reached++;
	}
}

void job_cancel(struct job *job)
{
	if (job->cancelling || job->finished)
		return;
	job->cancelling = true;
	pump(job);
}

void job_progress(const struct job *job, struct job_progress *progress)
{
	int64_t now = job->transport->ops->now_ms(job->transport->self);
	double rate = 0;

	memset(progress, 0, sizeof(*progress));
	progress->devices = job->plan->count;
	progress->done = job->done;
	progress->failed = job->failed;
	progress->cancelled = job->cancelled;
	progress->remaining = job->check_only ? job->plan->count - job->over
					      : job->plan->count - job->done - job->failed - job->cancelled;
	progress->requests = job->requests;
	progress->steps = job->steps;
	progress->steps_settled = job->steps_settled;
	progress->finished = job->finished;
	progress->cancelling = job->cancelling && !job->finished;
	for (size_t i = 0; i < job->plan->count; i++)
		if (job->devices[i].phase == PHASE_STEPS_OVER || job->devices[i].phase == PHASE_VERIFYING)
			progress->verifying++;
	if (job->paused && job->paused_until_ms > now) {
		progress->paused_seconds = (double)(job->paused_until_ms - now) / 1000.0;
		copy_text(progress->pause_reason, sizeof(progress->pause_reason), job->pause_reason);
	}
	copy_text(progress->error, sizeof(progress->error), job->error);

	/* The oldest sample inside the window, against now. */
	size_t first = job->sample_count > JOB_RATE_SAMPLES ? job->sample_count - JOB_RATE_SAMPLES : 0;
	for (size_t i = first; i < job->sample_count; i++) {
		const struct rate_sample *sample = &job->samples[i % JOB_RATE_SAMPLES];
		if (now - sample->ms > JOB_RATE_WINDOW_MS && i + 1 < job->sample_count)
			continue;
		if (now - sample->ms >= 500)
			rate = (double)(job->requests - sample->requests) * 1000.0 / (double)(now - sample->ms);
		break;
	}
	progress->rate = rate;
	if (!job->finished && job->planned > job->requests)
		progress->eta_seconds = job_planned_seconds(job->transport, job->planned - job->requests) +
					progress->paused_seconds;
}

const struct job_device_result *job_result(const struct job *job, size_t device)
{
	return &job->results[device];
}

bool job_next_changed(struct job *job, size_t *device)
{
	size_t index = job->changed_head;

	if (index == NO_DEVICE)
		return false;
	job->changed_head = job->devices[index].changed_next;
	if (job->changed_head == NO_DEVICE)
		job->changed_tail = NO_DEVICE;
	job->devices[index].changed_queued = false;
	*device = index;
	return true;
}

void job_device_statuses(const struct job *job, size_t device, int *sim_status, int *endpoint_status)
{
	const struct job_device_result *result = &job->results[device];
	bool sim_known, endpoint_known;

	if (result->read_back) {
		*sim_status = result->sim_status;
		*endpoint_status = result->endpoint_status;
		return;
	}
	/* A step whose outcome is unknown leaves its side as loaded: nothing says it moved. */
	expected_statuses(job, device, sim_status, endpoint_status, &sim_known, &endpoint_known);
}

void job_plan_calls(const struct plan *plan, enum journal_state (*states)[2], const struct transport *transport,
		    struct job_calls *calls)
{
	size_t endpoints = 0, verify_endpoints = 0, verify_sims = 0;
	size_t bulk_max = transport->bulk_max ? transport->bulk_max : 1;
	size_t per_page = transport->list_per_page ? transport->list_per_page : 1;

	memset(calls, 0, sizeof(*calls));
	for (size_t i = 0; i < plan->count; i++) {
		const struct plan_device *device = &plan->devices[i];
		bool sends = false;
		for (int step = 0; step < device->step_count; step++) {
			enum journal_state state = states ? states[i][step] : JOURNAL_PENDING;
			if (state == JOURNAL_FAILED && device->steps[step].skip == SKIP_NONE)
				break; /* the pair stops there */
			if (!sendable(&device->steps[step], state))
				continue;
			sends = true;
			if (state == JOURNAL_INTENT)
				calls->settle_reads++;
			if (device->steps[step].target == STEP_SIM)
				calls->sim_changes++;
			else
				endpoints++;
		}
		if (sends && device->endpoint_id)
			verify_endpoints++;
		else if (sends)
			verify_sims++;
	}
	size_t pages = (plan->fleet_endpoints + per_page - 1) / per_page;
	calls->verify_by_list = pages > 0 && pages < verify_endpoints;
	calls->verify_reads = (calls->verify_by_list ? pages : verify_endpoints) + verify_sims;
	calls->bulk_calls = (endpoints + bulk_max - 1) / bulk_max;
	calls->total = calls->sim_changes + calls->bulk_calls + calls->settle_reads + calls->verify_reads;
}

size_t job_planned_requests(const struct plan *plan, enum journal_state (*states)[2],
			    const struct transport *transport)
{
	struct job_calls calls;
	job_plan_calls(plan, states, transport, &calls);
	return calls.total;
}

double job_planned_seconds(const struct transport *transport, size_t requests)
{
	return ratelimit_window_seconds(requests, transport->rate, transport->window_calls, transport->window_ms);
}

void job_free(struct job *job)
{
	if (!job)
		return;
	while (job->calls) {
		struct call *call = job->calls;
		job->transport->ops->cancel(job->transport->self, call);
		list_remove(&job->calls, call);
		free(call);
	}
	while (job->parked) {
		struct call *call = job->parked;
		list_remove(&job->parked, call);
		free(call);
	}
	while (job->group_list) {
		struct group *next = job->group_list->next;
		free(job->group_list->lookup);
		free(job->group_list->devices);
		free(job->group_list);
		job->group_list = next;
	}
	batch_free(job->lane_batch);
	while (job->batches) {
		struct batch *next = job->batches->next;
		batch_free(job->batches);
		job->batches = next;
	}
	for (size_t i = 0; i < job->plan->count; i++)
		free(job->devices[i].unknown_text);
	free(job->states);
	free(job->devices);
	free(job->results);
	free(job->truths);
	free(job->sim_queue);
	free(job->ready);
	free(job);
}
