/* view_results.c — after a job: every device that failed or was left half-done, with both
 * statuses and the API's message, and the devices that changed on the server meanwhile. The
 * mark-shown key re-marks exactly these devices, ready for a retry. */
#include <stdio.h>
#include <stdlib.h>

#include "util.h"
#include "view.h"

struct results_view {
	struct list_view list;
	struct device *failed;   /* ids of the devices to re-mark */
	size_t failed_count;
};

static int results_handle(struct view *view, struct view_context *context, enum action action, int page_rows)
{
	struct results_view *results = (struct results_view *)view;
	if (action == ACTION_MARK_SHOWN) {
		session_mark_devices(context->session, results->failed, results->failed_count);
		session_message(context->session, false, "Marked the %zu devices that did not reach their target",
				results->failed_count);
		return REACT_CLOSE;
	}
	return list_view_handle(view, context, action, page_rows);
}

static void results_free(struct view *view)
{
	struct results_view *results = (struct results_view *)view;
	list_view_free_lines(&results->list);
	free(results->failed);
	free(results);
}

static const struct view_ops results_ops = {
	.name = "results",
	.draw = list_view_draw,
	.handle = results_handle,
	.hint_text = "a re-mark  Esc back",
	.free = results_free,
};

struct view *view_results_new(const struct session *session)
{
	const struct plan *plan = session->last_plan;
	const struct job *job = session->last_job;
	struct results_view *results = xcalloc(1, sizeof(*results));
	results->list.view.ops = &results_ops;
	results->list.title = " Job results: a marks these devices for a retry";
	char **lines = results->list.lines = xmalloc(sizeof(*lines) * (plan->count + 5));
	size_t count = 0;
	results->failed = xmalloc(sizeof(*results->failed) * (plan->count + 1));
	size_t counts[JOB_OUTCOME_COUNT] = { 0 }, unknown = 0;
	for (size_t i = 0; i < plan->count; i++) {
		counts[job_result(job, i)->outcome]++;
		unknown += job_result(job, i)->unknown;
	}
	lines[count++] = xasprintf("%zu done, %zu unchanged, %zu failed, %zu half-done, %zu cancelled",
				   counts[JOB_DONE], counts[JOB_UNCHANGED], counts[JOB_FAILED], counts[JOB_HALF_DONE],
				   counts[JOB_CANCELLED]);
	lines[count++] = xstrdup("");
	for (size_t i = 0; i < plan->count; i++) {
		const struct plan_device *device = &plan->devices[i];
		const struct job_device_result *result = job_result(job, i);
		bool failed = result->outcome == JOB_FAILED || result->outcome == JOB_HALF_DONE ||
			      result->outcome == JOB_CANCELLED;
		if (!failed && !result->changed_elsewhere)
			continue;
		lines[count++] = xasprintf(
			"%-9s endpoint %-10lld SIM %-10lld SIM %-12s endpoint %-8s %s%s",
			job_result_word(result), (long long)device->endpoint_id, (long long)device->sim_id,
			model_sim_status_name(result->sim_status), model_endpoint_status_name(result->endpoint_status),
			result->changed_elsewhere ? "changed on the server meanwhile; " : "", result->message);
		struct device *ids = &results->failed[results->failed_count++];
		*ids = (struct device){ .sim_id = device->sim_id, .endpoint_id = device->endpoint_id };
	}
	if (count == 2)
		lines[count++] = xstrdup("Every device reached its target.");
	if (unknown > 0 && session->last_journal_path) {
		/* No answer came, and reading back got none either: only a later read can tell. */
		char *quoted = util_shell_quote(session->last_journal_path);
		lines[count++] = xstrdup("");
		lines[count++] = xasprintf(
			"%zu unknown: neither the answer nor a read-back came. simtop offers to settle them at its "
			"next start; or run simtop --resume %s", unknown, quoted);
		free(quoted);
	}
	results->list.line_count = count;
	return &results->list.view;
}
