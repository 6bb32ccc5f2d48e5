/* view_results.c — after a job: every device that failed, was left half-done or was not
 * started, and the devices that changed on the server meanwhile, each by name and ICCID with
 * what happened in words, its statuses now and the API's message. The mark-shown key re-marks
 * exactly these devices, ready for a retry. Lines are wrapped to the screen, again after a
 * resize: nothing is cut. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_text.h"
#include "util.h"
#include "view.h"

/* Devices listed one by one at most; the rest are counted (a re-mark takes them all). */
#define RESULTS_LISTED_MAX 2000

struct results_view {
	struct list_view list;    /* its lines: the text below, wrapped to columns */
	char **text;              /* one line a string, not wrapped */
	size_t text_count;
	int columns;              /* the width the lines were wrapped to; 0: not yet */
	char title[128];
	struct device *failed;    /* ids of the devices to re-mark */
	size_t failed_count;
};

static int results_handle(struct view *view, struct view_context *context, enum action action, int page_rows)
{
	struct results_view *results = (struct results_view *)view;
	if (action == ACTION_MARK_SHOWN) {
		char count[32];
		if (results->failed_count == 1)
			session_message(context->session, false, "Marked the device that did not reach its target");
		else
			session_message(context->session, false, "Marked the %s devices that did not reach their target",
					util_thousands((int64_t)results->failed_count, count, sizeof(count)));
		session_mark_devices(context->session, results->failed, results->failed_count);
		return REACT_CLOSE;
	}
	return list_view_handle(view, context, action, page_rows);
}

static void results_draw(struct view *view, struct view_context *context, int first_row, int height)
{
	struct results_view *results = (struct results_view *)view;
	if (results->columns != COLS - 1) {
		size_t capacity = 0;
		list_view_free_lines(&results->list);
		results->columns = COLS - 1;
		for (size_t i = 0; i < results->text_count; i++)
			plan_text_wrap_lines(results->text[i], results->columns, 2, &results->list.lines,
					     &results->list.line_count, &capacity);
		if (results->list.top >= results->list.line_count)
			results->list.top = results->list.line_count ? results->list.line_count - 1 : 0;
	}
	list_view_draw(view, context, first_row, height);
}

static void results_free(struct view *view)
{
	struct results_view *results = (struct results_view *)view;
	list_view_free_lines(&results->list);
	for (size_t i = 0; i < results->text_count; i++)
		free(results->text[i]);
	free(results->text);
	free(results->failed);
	free(results);
}

static const struct view_ops results_ops = {
	.name = "results",
	.draw = results_draw,
	.handle = results_handle,
	.hint_text = "a re-mark  Esc back",
	.free = results_free,
};

/* "pump-0412, ICCID 8988303000012345678 · failed: nothing changed", then its statuses now,
 * then the API's message. */
static void add_device(struct results_view *results, const struct session *session, size_t index, bool ascii,
		       size_t *capacity)
{
	const struct plan_device *device = &session->last_plan->devices[index];
	const struct job_device_result *result = job_result(session->last_job, index);
	char name[256], outcome[160], statuses[96];
	int sim_status, endpoint_status;
	job_device_statuses(session->last_job, index, &sim_status, &endpoint_status);
	results->text = xgrow(results->text, capacity, results->text_count + 1, sizeof(*results->text));
	results->text[results->text_count++] =
		xasprintf("%s \u00b7 %s", plan_text_device(session->fleet, device, ascii, name, sizeof(name)),
			  plan_text_outcome(device, result, outcome, sizeof(outcome)));
	/* A device not started has the statuses it was loaded with: nothing to read. */
	bool read = result->read_back || result->outcome == JOB_CANCELLED;
	results->text = xgrow(results->text, capacity, results->text_count + 2, sizeof(*results->text));
	results->text[results->text_count++] =
		xasprintf("    %s", plan_text_statuses(sim_status, endpoint_status, read, statuses, sizeof(statuses)));
	if (!result->message[0])
		return;
	/* A message that fills its buffer was cut there (the journal has it whole). */
	bool cut = strlen(result->message) + 1 == sizeof(result->message);
	results->text[results->text_count++] =
		xasprintf("    %s%s", result->message, cut ? (ascii ? "~" : "\u2026") : "");
}

struct view *view_results_new(const struct session *session, bool ascii)
{
	const struct plan *plan = session->last_plan;
	const struct job *job = session->last_job;
	struct results_view *results = xcalloc(1, sizeof(*results));
	results->list.view.ops = &results_ops;
	results->list.title = results->title;
	results->failed = xmalloc(sizeof(*results->failed) * (plan->count + 1));
	size_t capacity = 0, counts[JOB_OUTCOME_COUNT] = { 0 }, unknown = 0, changed = 0;
	for (size_t i = 0; i < plan->count; i++) {
		counts[job_result(job, i)->outcome]++;
		unknown += job_result(job, i)->unknown;
		changed += job_result(job, i)->changed_elsewhere;
	}
	char words[256], count[48];
	results->text = xgrow(results->text, &capacity, 2, sizeof(*results->text));
	results->text[results->text_count++] =
		xasprintf("%s on %s: %s%s%s", plan_action_name(plan->action),
			  plan_text_count(plan->count, "device", "devices", count, sizeof(count)),
			  plan_text_outcomes(counts, words, sizeof(words)), changed ? "; changed elsewhere: " : "",
			  changed ? util_thousands((int64_t)changed, count, sizeof(count)) : "");
	results->text[results->text_count++] = xstrdup("");
	for (size_t i = 0; i < plan->count; i++) {
		const struct plan_device *device = &plan->devices[i];
		const struct job_device_result *result = job_result(job, i);
		bool failed = result->outcome == JOB_FAILED || result->outcome == JOB_HALF_DONE ||
			      result->outcome == JOB_CANCELLED;
		if (!failed && !result->changed_elsewhere)
			continue;
		if (results->failed_count < RESULTS_LISTED_MAX)
			add_device(results, session, i, ascii, &capacity);
		results->failed[results->failed_count++] =
			(struct device){ .sim_id = device->sim_id, .endpoint_id = device->endpoint_id };
	}
	results->text = xgrow(results->text, &capacity, results->text_count + 3, sizeof(*results->text));
	if (results->failed_count == 0)
		results->text[results->text_count++] = xstrdup("Every device reached its target.");
	if (results->failed_count > RESULTS_LISTED_MAX)
		results->text[results->text_count++] = xasprintf(
			"%s and %s more that did not reach their target (a marks them too)", ascii ? "..." : "\u2026",
			util_thousands((int64_t)(results->failed_count - RESULTS_LISTED_MAX), count, sizeof(count)));
	if (unknown > 0 && session->last_journal_path) {
		/* No answer came, and reading back got none either: only a later read can tell. */
		char *quoted = util_shell_quote(session->last_journal_path);
		results->text[results->text_count++] = xstrdup("");
		results->text[results->text_count++] = xasprintf(
			"%s in an unknown state: neither the answer nor a read-back came. simtop offers to settle %s "
			"at its next start; or run simtop --resume %s",
			unknown == 1 ? "1 device is" : plan_text_count(unknown, "device", "devices are", count, sizeof(count)),
			unknown == 1 ? "it" : "them", quoted);
		free(quoted);
	}
	if (results->failed_count == 1)
		snprintf(results->title, sizeof(results->title), " Job results: a marks this device for a retry");
	else
		snprintf(results->title, sizeof(results->title), " Job results: a marks these %s devices for a retry",
			 util_thousands((int64_t)results->failed_count, count, sizeof(count)));
	return &results->list.view;
}
