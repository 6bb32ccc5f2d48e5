/* job.c — the bulk-change engine described in job.h.
 *
 * Every device of the plan is a small state machine driven by the api's completions:
 *
 *   waiting ─► (settling ─►) sending ─► … next step … ─► reading ─► over
 *
 * A step is sent only after its intent is in the journal. Its answer settles it: 2xx done, 4xx
 * failed, anything else (5xx, timeout, dropped) unknown — then the object is read back
 * ("settling"): the target status means done, the old status means it was not applied and may
 * be sent again (at most JOB_SEND_MAX sends in all, JOB_UNANSWERED_SEND_MAX of them without an
 * answer at all), anything else means it changed elsewhere.
 * A step a killed run left with only an intent starts with settling. After the last step (or a
 * step that failed for good) the device is read back once to report the truth.
 *
 * Choices:
 * - Cancel starts no new device; a device already started finishes its pair and its read-back,
 *   so a cancel never leaves a device half-way by itself.
 * - A failed journal or audit write, or a token the API rejects, halts the job: nothing more is
 *   sent; devices in flight end as failed with the reason, and a step whose answer was not in
 *   yet stays an intent in the journal, for --resume to settle.
 * - A device with nothing to send ends as unchanged at once, without a read-back, so a plan of
 *   skips costs no requests.
 * - A step left unknown after its read-backs (each retried inside the api; one with no answer
 *   at all is not tried again here) keeps its bare intent in the journal, so that --resume
 *   reads it back first, and is audited as "unknown"; the device is reported failed (or
 *   half-done) with unknown set. */
#include "job.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util.h"

#define JOB_DEFAULT_PARALLEL 8
#define JOB_PARALLEL_MAX 64
/* Sends of one step in all, when answers leave the outcome unknown and read-backs show the
 * step was not applied. */
#define JOB_SEND_MAX 8
/* Of those, sends that got no answer at all: an API that takes a change and goes quiet each
 * time will not answer the next one either, and each costs a request's whole timeout. */
#define JOB_UNANSWERED_SEND_MAX 3
/* Read-backs of one step, or of a device at the end; the api retries each one itself. */
#define JOB_READ_MAX 3
/* Steps in a row that the API's failures (5xx, no answer) kept from being settled or applied
 * before the job stops: the API is down, and going through every device would only take long
 * to say so. */
#define JOB_TROUBLE_STREAK_MAX 10
/* Progress: requests per second over this much of the recent past. */
#define JOB_RATE_WINDOW_MS 10000
#define JOB_RATE_SAMPLE_MS 250
#define JOB_RATE_SAMPLES 64

enum phase {
	PHASE_WAITING,  /* not started, or between two requests */
	PHASE_SETTLING, /* reading a step back to settle an unknown outcome */
	PHASE_SENDING,  /* PATCH in flight */
	PHASE_READING,  /* the final read-back in flight */
	PHASE_OVER,
};

struct job_device {
	struct job *job;
	size_t index;
	enum phase phase;
	int step;               /* the step being worked on */
	int sends;              /* PATCHes of this step so far */
	int unanswered;         /* of those, the ones that got no answer at all */
	int reads;              /* read-backs of this step, or final read-backs */
	bool unknown[2];        /* the step ended with its outcome unknown */
	long unknown_status;    /* the answer that left the current step unknown (0: transport) */
	char *unknown_text;     /* and what it said; NULL when the step is not unknown */
	int estimate;           /* requests this device is still expected to send */
};

struct rate_sample {
	int64_t ms;
	size_t requests;
};

struct job {
	struct api *api;
	const struct plan *plan;
	struct journal *journal;
	struct audit *audit;
	enum journal_state (*states)[2]; /* a copy, kept up to date */
	struct job_device *devices;
	struct job_device_result *results;
	int parallel;

	size_t next;            /* next device to start */
	size_t running;
	size_t done, failed, cancelled;
	bool cancelling, halted, finished, filling;
	char error[256];

	int trouble_streak;     /* steps the API's failures ended, since one ended otherwise */
	size_t requests;
	size_t requests_left;   /* estimate, for the ETA */
	struct rate_sample samples[JOB_RATE_SAMPLES];
	size_t sample_count;    /* samples written so far; the ring holds the last ones */
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

static void device_continue(struct job_device *device);
static void device_finish(struct job_device *device);
static void fill(struct job *job);

/* --- small helpers ------------------------------------------------------------------------ */

static const struct plan_device *plan_device_of(const struct job_device *device)
{
	return &device->job->plan->devices[device->index];
}

static const struct plan_step *current_step(const struct job_device *device)
{
	return &plan_device_of(device)->steps[device->step];
}

static const char *step_kind(const struct plan_step *step)
{
	return step->target == STEP_SIM ? "sim" : "endpoint";
}

static const char *status_name(enum step_target target, int status)
{
	const char *name = target == STEP_SIM ? model_sim_status_name(status) : model_endpoint_status_name(status);
	return *name ? name : "none";
}

/* "SIM Activated → Suspended" */
static void describe_step(const struct plan_step *step, char *buffer, size_t size)
{
	snprintf(buffer, size, "%s %s \u2192 %s", step->target == STEP_SIM ? "SIM" : "endpoint",
		 status_name(step->target, step->from), status_name(step->target, step->to));
}

static bool sendable(const struct plan_step *step, enum journal_state state)
{
	return step->skip == SKIP_NONE && (state == JOURNAL_PENDING || state == JOURNAL_INTENT);
}

static bool step_to_send(const struct job *job, size_t device, int step)
{
	return sendable(&job->plan->devices[device].steps[step], job->states[device][step]);
}

/* Requests a device is expected to send: one per step, a read-back per step a killed run left
 * unsettled, and the final read-back. states: the device's two, or NULL for a new job. */
static int estimate_requests(const struct plan_device *device, const enum journal_state *states)
{
	int requests = 0;

	for (int step = 0; step < device->step_count; step++) {
		enum journal_state state = states ? states[step] : JOURNAL_PENDING;
		if (sendable(&device->steps[step], state))
			requests += state == JOURNAL_INTENT ? 2 : 1;
	}
	return requests > 0 ? requests + 1 : 0;
}

static void count_request(struct job_device *device)
{
	struct job *job = device->job;
	int64_t now = util_now_ms();

	job->requests++;
	if (device->estimate > 0) {
		device->estimate--;
		job->requests_left--;
	}
	if (job->sample_count == 0 ||
	    now - job->samples[(job->sample_count - 1) % JOB_RATE_SAMPLES].ms >= JOB_RATE_SAMPLE_MS) {
		job->samples[job->sample_count % JOB_RATE_SAMPLES] = (struct rate_sample){ now, job->requests };
		job->sample_count++;
	}
}

/* Stop sending: a write that must happen cannot, or the API refuses the token. */
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

/* Append to the device's message, separated by "; ". */
static void add_message(struct job_device *device, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void add_message(struct job_device *device, const char *format, ...)
{
	struct job_device_result *result = &device->job->results[device->index];
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

static void forget_unknown(struct job_device *device)
{
	free(device->unknown_text);
	device->unknown_text = NULL;
	device->unknown_status = 0;
}

/* --- reading objects back ----------------------------------------------------------------- */

struct read_back {
	int status;             /* status.id of the object */
	bool sim_known;         /* endpoint objects: the nested SIM was there with its status */
	int64_t sim_id;         /* endpoint objects: nested sim.id, 0 when absent */
	int sim_status;         /* endpoint objects: nested sim.status.id, SIM_NONE when absent */
};

static bool read_status_id(const cJSON *object, int *status)
{
	const cJSON *status_object = cJSON_GetObjectItemCaseSensitive(object, "status");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(status_object, "id");

	if (!cJSON_IsNumber(id) || id->valuedouble < 0 || id->valuedouble > 100 ||
	    id->valuedouble != (double)(int)id->valuedouble)
		return false;
	*status = (int)id->valuedouble;
	return true;
}

/* Parse GET /sim/{id} or GET /endpoint/{id}. */
static bool parse_read_back(const char *body, size_t length, bool endpoint, struct read_back *out)
{
	cJSON *root;
	bool ok;

	memset(out, 0, sizeof(*out));
	out->sim_status = SIM_NONE;
	if (!body || length == 0)
		return false;
	root = cJSON_ParseWithLength(body, length);
	ok = cJSON_IsObject(root) && read_status_id(root, &out->status);
	if (ok && endpoint) {
		const cJSON *sim = cJSON_GetObjectItemCaseSensitive(root, "sim");
		if (!sim || cJSON_IsNull(sim)) {
			out->sim_known = true;
		} else if (cJSON_IsObject(sim)) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(sim, "id");
			if (cJSON_IsNumber(id))
				out->sim_id = (int64_t)id->valuedouble;
			out->sim_known = read_status_id(sim, &out->sim_status);
		}
	}
	cJSON_Delete(root);
	return ok;
}

static bool success(long http_status)
{
	return http_status >= 200 && http_status <= 299;
}

/* Worth another read: something came back, but nothing definite. No answer at all (0) is
 * not: the api retried that already, until the API had been silent for too long. */
static bool transient(long http_status)
{
	return http_status == 429 || http_status >= 500 || success(http_status);
}

/* --- steps -------------------------------------------------------------------------------- */

/* The step is over: journal and audit it, then go on (or end the device on a failure).
 * trouble: the API's own failures ended it (unknown, or never applied through 5xx).
 * state JOURNAL_INTENT: its outcome stays unknown. The journal keeps the bare intent, its word
 * for "may or may not have reached emnify", so that --resume reads the object back before
 * anything else; the pair ends as after a failure. */
static void step_resolved(struct job_device *device, enum journal_state state, long http_status,
			  const char *text, const char *audit_result, bool trouble)
{
	struct job *job = device->job;
	const struct plan_device *plan_device = plan_device_of(device);
	const struct plan_step *step = current_step(device);
	char message[512];

	job->states[device->index][device->step] = state;
	if (!trouble)
		job->trouble_streak = 0;
	else if (++job->trouble_streak >= JOB_TROUBLE_STREAK_MAX)
		halt(job, "the API failed %d changes in a row, the last with: %s", job->trouble_streak,
		     text ? text : "");
	if (job->journal && state != JOURNAL_INTENT &&
	    !journal_result(job->journal, device->index, device->step, state, http_status, text, message,
			    sizeof(message)))
		halt(job, "%s", message);
	if (job->audit && !audit_step(job->audit, job->plan->action, plan_device, step, audit_result, text,
				      message, sizeof(message)))
		halt(job, "%s", message);
	forget_unknown(device);
	if (state == JOURNAL_INTENT)
		job->results[device->index].unknown = true;
	if (state != JOURNAL_DONE) {
		char what[96];
		describe_step(step, what, sizeof(what));
		add_message(device, "%s: %s", what, text && *text ? text : "failed");
		/* The pair stops here: the other step is never sent after a failure. */
		device->step = plan_device->step_count;
	} else {
		device->step++;
	}
	device->sends = 0;
	device->unanswered = 0;
	device->reads = 0;
	device_continue(device);
}

static void patch_done(void *context, long http_status, const char *body, size_t length,
		       const char *error_message);
static void settle_done(void *context, long http_status, const char *body, size_t length,
			const char *error_message);

static void step_send(struct job_device *device)
{
	struct job *job = device->job;
	const struct plan_step *step = current_step(device);
	char message[512];

	if (job->halted) {
		device_finish(device);
		return;
	}
	if (job->journal && !journal_intent(job->journal, device->index, device->step, message, sizeof(message))) {
		halt(job, "%s", message);
		device_finish(device);
		return;
	}
	job->states[device->index][device->step] = JOURNAL_INTENT;
	device->sends++;
	device->phase = PHASE_SENDING;
	count_request(device);
	api_patch_status(job->api, step_kind(step), step->id, step->to, patch_done, device);
}

static void step_settle(struct job_device *device)
{
	const struct plan_step *step = current_step(device);

	if (device->job->halted) {
		device_finish(device);
		return;
	}
	device->phase = PHASE_SETTLING;
	count_request(device);
	api_read_object(device->job->api, step_kind(step), step->id, settle_done, device);
}

static void patch_done(void *context, long http_status, const char *body, size_t length,
		       const char *error_message)
{
	struct job_device *device = context;
	char text[256];

	device->phase = PHASE_WAITING;
	if (!error_message)
		error_message = "";
	if (success(http_status)) {
		step_resolved(device, JOURNAL_DONE, http_status, NULL, "done", false);
		return;
	}
	if (!*error_message) {
		snprintf(text, sizeof(text), "HTTP %ld", http_status);
		error_message = text;
	}
	if (http_status == 401) {
		/* A 401 applied nothing, and nothing more will pass with this token. */
		halt(device->job, "%s", error_message);
		step_resolved(device, JOURNAL_FAILED, http_status, error_message, "failed", false);
		return;
	}
	if (http_status >= 400 && http_status <= 499) {
		step_resolved(device, JOURNAL_FAILED, http_status, error_message, "failed", false);
		return;
	}
	(void)body;
	(void)length;
	/* 5xx, a timeout, a dropped connection: applied or not, only a read-back tells. */
	if (http_status == 0)
		device->unanswered++;
	forget_unknown(device);
	device->unknown_status = http_status;
	device->unknown_text = xstrdup(error_message);
	device->unknown[device->step] = true;
	device->reads = 0;
	step_settle(device);
}

static void settle_done(void *context, long http_status, const char *body, size_t length,
			const char *error_message)
{
	struct job_device *device = context;
	struct job *job = device->job;
	const struct plan_step *step = current_step(device);
	const char *why = device->unknown_text ? device->unknown_text : "the earlier run stopped before the answer";
	struct read_back read_back;
	char text[512];

	device->phase = PHASE_WAITING;
	if (success(http_status) && parse_read_back(body, length, false, &read_back)) {
		if (read_back.status == step->to) {
			device->unknown[device->step] = false;
			snprintf(text, sizeof(text), "applied, as reading back showed (after: %s)", why);
			step_resolved(device, JOURNAL_DONE, device->unknown_status ? device->unknown_status : http_status,
				      text, "done", false);
		} else if (read_back.status != step->from) {
			device->unknown[device->step] = false;
			snprintf(text, sizeof(text), "changed elsewhere: the %s is now %s",
				 step->target == STEP_SIM ? "SIM" : "endpoint", status_name(step->target, read_back.status));
			step_resolved(device, JOURNAL_FAILED, http_status, text, "failed", false);
		} else if (device->sends >= JOB_SEND_MAX || device->unanswered >= JOB_UNANSWERED_SEND_MAX) {
			device->unknown[device->step] = false;
			snprintf(text, sizeof(text), "not applied after %d attempts: %s", device->sends, why);
			step_resolved(device, JOURNAL_FAILED, device->unknown_status, text, "failed", true);
		} else {
			/* Not applied: sending it again cannot apply it twice. */
			device->unknown[device->step] = false;
			forget_unknown(device);
			device->reads = 0;
			step_send(device);
		}
		return;
	}
	if (http_status == 401) {
		halt(job, "%s", error_message ? error_message : "the API rejected the token");
		device_finish(device);
		return;
	}
	if (transient(http_status) && ++device->reads < JOB_READ_MAX) {
		step_settle(device);
		return;
	}
	if (success(http_status))
		error_message = "the answer could not be read";
	snprintf(text, sizeof(text), "outcome unknown: %s; reading back failed: %s", why,
		 error_message ? error_message : "no answer");
	step_resolved(device, JOURNAL_INTENT, device->unknown_status, text, "unknown", true);
}

/* --- devices ------------------------------------------------------------------------------ */

static void final_done(void *context, long http_status, const char *body, size_t length,
		       const char *error_message);

static void final_read(struct job_device *device)
{
	const struct plan_device *plan_device = plan_device_of(device);
	bool endpoint = plan_device->endpoint_id != 0;

	device->phase = PHASE_READING;
	count_request(device);
	api_read_object(device->job->api, endpoint ? "endpoint" : "sim",
			endpoint ? plan_device->endpoint_id : plan_device->sim_id, final_done, device);
}

/* What the plan leads to, side by side; *known false where the outcome is unknown. */
static void expected_statuses(const struct job_device *device, int *sim, int *endpoint, bool *sim_known,
			      bool *endpoint_known)
{
	const struct job *job = device->job;
	const struct plan_device *plan_device = plan_device_of(device);

	*sim = plan_device->sim_status;
	*endpoint = plan_device->endpoint_status;
	*sim_known = *endpoint_known = true;
	for (int i = 0; i < plan_device->step_count; i++) {
		const struct plan_step *step = &plan_device->steps[i];
		enum journal_state state = job->states[device->index][i];
		bool *known = step->target == STEP_SIM ? sim_known : endpoint_known;
		int *status = step->target == STEP_SIM ? sim : endpoint;

		if (step->skip != SKIP_NONE)
			continue;
		if (state == JOURNAL_DONE)
			*status = step->to;
		else if (device->unknown[i] || state == JOURNAL_INTENT)
			*known = false;
	}
}

static void final_done(void *context, long http_status, const char *body, size_t length,
		       const char *error_message)
{
	struct job_device *device = context;
	struct job *job = device->job;
	const struct plan_device *plan_device = plan_device_of(device);
	struct job_device_result *result = &job->results[device->index];
	bool endpoint = plan_device->endpoint_id != 0;
	struct read_back read_back;

	device->phase = PHASE_WAITING;
	if (success(http_status) && parse_read_back(body, length, endpoint, &read_back)) {
		int sim, endpoint_status;
		bool sim_known, endpoint_known;

		expected_statuses(device, &sim, &endpoint_status, &sim_known, &endpoint_known);
		result->read_back = true;
		if (endpoint) {
			result->endpoint_status = read_back.status;
			if (read_back.sim_known)
				result->sim_status = read_back.sim_status;
			if (read_back.sim_known && read_back.sim_id != plan_device->sim_id)
				result->changed_elsewhere = true;
			if (!read_back.sim_known)
				sim_known = false;
		} else {
			result->sim_status = read_back.status;
		}
		if ((sim_known && result->sim_status != sim) ||
		    (endpoint_known && result->endpoint_status != endpoint_status))
			result->changed_elsewhere = true;
		if (result->changed_elsewhere && read_back.sim_known && read_back.sim_id != plan_device->sim_id) {
			if (read_back.sim_id)
				add_message(device, "changed elsewhere: the endpoint now has SIM %lld",
					    (long long)read_back.sim_id);
			else
				add_message(device, "changed elsewhere: the endpoint has no SIM any more");
		} else if (result->changed_elsewhere)
			add_message(device, "changed elsewhere: read back SIM %s, endpoint %s; the plan leads to "
				    "SIM %s, endpoint %s", status_name(STEP_SIM, result->sim_status),
				    status_name(STEP_ENDPOINT, result->endpoint_status), status_name(STEP_SIM, sim),
				    status_name(STEP_ENDPOINT, endpoint_status));
		device_finish(device);
		return;
	}
	if (http_status == 401) {
		halt(job, "%s", error_message ? error_message : "the API rejected the token");
		device_finish(device);
		return;
	}
	if (!job->halted && transient(http_status) && ++device->reads < JOB_READ_MAX) {
		final_read(device);
		return;
	}
	/* The statuses stay as loaded; the outcome does not depend on this read. */
	device_finish(device);
}

/* Work on the next step to send, or read the device back when none is left. */
static void device_continue(struct job_device *device)
{
	struct job *job = device->job;
	const struct plan_device *plan_device = plan_device_of(device);

	while (device->step < plan_device->step_count && !step_to_send(job, device->index, device->step))
		device->step++;
	if (job->halted) {
		device_finish(device);
		return;
	}
	if (device->step >= plan_device->step_count) {
		final_read(device);
		return;
	}
	if (job->states[device->index][device->step] == JOURNAL_INTENT) {
		/* A killed run's intent: it may have been applied. */
		device->unknown[device->step] = true;
		step_settle(device);
		return;
	}
	step_send(device);
}

static void check_finished(struct job *job)
{
	char message[512];

	if (job->finished || job->running > 0 || job->next < job->plan->count)
		return;
	job->finished = true;
	/* A step whose outcome is unknown is not finished: without the end line the TUI offers to
	 * resume the journal at its next start, which reads the step back first. */
	for (size_t i = 0; i < job->plan->count; i++)
		if (job->results[i].unknown)
			return;
	if (job->journal && !journal_end(job->journal, job->cancelling || job->halted, message, sizeof(message)) &&
	    !job->error[0])
		copy_text(job->error, sizeof(job->error), message);
}

static void device_finish(struct job_device *device)
{
	struct job *job = device->job;
	const struct plan_device *plan_device = plan_device_of(device);
	struct job_device_result *result = &job->results[device->index];
	bool failed = false, incomplete = false, applied = false;
	char done_steps[200] = "";

	device->phase = PHASE_OVER;
	for (int i = 0; i < plan_device->step_count; i++) {
		const struct plan_step *step = &plan_device->steps[i];
		enum journal_state state = job->states[device->index][i];
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
	if (failed && !result->message[0])
		add_message(device, "failed in an earlier run (see the journal)");
	if (incomplete && !failed) {
		if (device->unknown_text) {
			add_message(device, "outcome unknown: %s; stopped: %s", device->unknown_text, job->error);
			result->unknown = true;
		}
		else
			add_message(device, "not sent: %s", job->error[0] ? job->error : "the job stopped");
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
	job->requests_left -= (size_t)device->estimate;
	device->estimate = 0;
	job->running--;
	fill(job);
}

static void device_start(struct job_device *device)
{
	struct job *job = device->job;

	job->running++;
	job->results[device->index].outcome = JOB_RUNNING;
	if (device->estimate == 0) {
		/* Nothing to send, or everything settled by an earlier run. */
		device_finish(device);
		return;
	}
	device_continue(device);
}

/* Start devices up to the parallel limit. Devices that end at once (nothing to send) end
 * inside this loop; the guard keeps their device_finish() from calling back in. */
static void fill(struct job *job)
{
	if (job->filling)
		return;
	job->filling = true;
	while (job->next < job->plan->count) {
		if (job->cancelling || job->halted) {
			struct job_device *device = &job->devices[job->next++];
			job->results[device->index].outcome = JOB_CANCELLED;
			job->requests_left -= (size_t)device->estimate;
			device->estimate = 0;
			device->phase = PHASE_OVER;
			job->cancelled++;
			continue;
		}
		if (job->running >= (size_t)job->parallel)
			break;
		device_start(&job->devices[job->next++]);
	}
	job->filling = false;
	check_finished(job);
}

/* --- public ------------------------------------------------------------------------------- */

struct job *job_start(struct api *api, const struct plan *plan, enum journal_state (*states)[2],
		      struct journal *journal, struct audit *audit, const struct job_options *options)
{
	struct job *job = xcalloc(1, sizeof(*job));
	size_t count = plan->count;

	job->api = api;
	job->plan = plan;
	job->journal = journal;
	job->audit = audit;
	job->parallel = options && options->parallel > 0 ? options->parallel : JOB_DEFAULT_PARALLEL;
	if (job->parallel > JOB_PARALLEL_MAX)
		job->parallel = JOB_PARALLEL_MAX;
	/* Also with the rate as it is: the job starts without what the load saved up. */
	api_set_rate(api, options ? options->rate : 0);
	job->states = xcalloc(count ? count : 1, sizeof(*job->states));
	if (states)
		memcpy(job->states, states, count * sizeof(*job->states));
	job->devices = xcalloc(count ? count : 1, sizeof(*job->devices));
	job->results = xcalloc(count ? count : 1, sizeof(*job->results));
	for (size_t i = 0; i < count; i++) {
		struct job_device *device = &job->devices[i];
		device->job = job;
		device->index = i;
		device->estimate = estimate_requests(&plan->devices[i], job->states[i]);
		/* Whether an earlier run's failure applied anything is not known here. */
		for (int step = 0; step < plan->devices[i].step_count && step < 2; step++)
			device->unknown[step] = job->states[i][step] == JOURNAL_FAILED;
		job->requests_left += (size_t)device->estimate;
		job->results[i].outcome = JOB_PENDING;
		job->results[i].sim_status = plan->devices[i].sim_status;
		job->results[i].endpoint_status = plan->devices[i].endpoint_status;
	}
	job->samples[0] = (struct rate_sample){ util_now_ms(), 0 };
	job->sample_count = 1;
	fill(job);
	return job;
}

void job_cancel(struct job *job)
{
	if (job->cancelling || job->finished)
		return;
	job->cancelling = true;
	fill(job);
}

void job_progress(const struct job *job, struct job_progress *progress)
{
	int64_t now = util_now_ms();
	double limit = api_rate(job->api);
	double rate = 0;

	memset(progress, 0, sizeof(*progress));
	progress->devices = job->plan->count;
	progress->done = job->done;
	progress->failed = job->failed;
	progress->cancelled = job->cancelled;
	progress->remaining = job->plan->count - job->done - job->failed - job->cancelled;
	progress->requests = job->requests;
	progress->finished = job->finished;
	progress->cancelling = job->cancelling && !job->finished;
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
	if (!job->finished && job->requests_left > 0) {
		double pace = rate > 0 ? rate : limit;
		if (limit > 0 && pace > limit)
			pace = limit;
		if (pace > 0)
			progress->eta_seconds = (double)job->requests_left / pace;
	}
}

const struct job_device_result *job_result(const struct job *job, size_t device)
{
	return &job->results[device];
}

size_t job_planned_requests(const struct plan *plan, enum journal_state (*states)[2])
{
	size_t requests = 0;

	for (size_t i = 0; i < plan->count; i++)
		requests += (size_t)estimate_requests(&plan->devices[i], states ? states[i] : NULL);
	return requests;
}

void job_free(struct job *job)
{
	if (!job)
		return;
	for (size_t i = 0; i < job->plan->count; i++) {
		struct job_device *device = &job->devices[i];
		if (device->phase == PHASE_SENDING || device->phase == PHASE_SETTLING ||
		    device->phase == PHASE_READING)
			api_cancel_context(job->api, device);
		free(device->unknown_text);
	}
	free(job->states);
	free(job->devices);
	free(job->results);
	free(job);
}
