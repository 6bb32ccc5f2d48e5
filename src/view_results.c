/* view_results.c — after a job: every device that failed or was left half-done, with both
 * statuses and the API's message, and the devices that changed on the server meanwhile. The
 * mark-shown key re-marks exactly these devices, ready for a retry. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "draw.h"
#include "tui.h"
#include "util.h"
#include "view.h"

struct results_view {
	struct view view;
	char **lines;
	size_t count, offset;
	struct device *failed;   /* ids of the devices to re-mark */
	size_t failed_count;
};

static void results_draw(struct view *view, struct tui *tui, int first_row, int height)
{
	(void)tui;
	struct results_view *results = (struct results_view *)view;
	draw_cell(first_row, 0, " Job results: a marks these devices for a retry", COLS, display_attr(ROLE_HEADER));
	for (int i = 0; i < height - 1; i++) {
		size_t line = results->offset + (size_t)i;
		if (line >= results->count)
			break;
		draw_cell(first_row + 1 + i, 1, results->lines[line], COLS - 1, A_NORMAL);
	}
}

static int results_handle(struct view *view, struct tui *tui, enum action action, int page_rows)
{
	struct results_view *results = (struct results_view *)view;
	if (action == ACTION_MARK_SHOWN) {
		marks_clear(tui->marks);
		for (size_t i = 0; i < results->failed_count; i++)
			marks_set(tui->marks, &results->failed[i], true);
		tui_message(tui, false, "Marked the %zu devices that did not reach their target", results->failed_count);
		return REACT_ROWS | REACT_CLOSE;
	}
	if (action == ACTION_HELP)
		return REACT_OPEN_HELP;
	return view_scroll(&results->offset, results->count, page_rows - 1, action);
}

static const char *results_hint(struct view *view, struct tui *tui)
{
	(void)view;
	(void)tui;
	return "a re-mark  Esc back";
}

static void results_free(struct view *view)
{
	struct results_view *results = (struct results_view *)view;
	for (size_t i = 0; i < results->count; i++)
		free(results->lines[i]);
	free(results->lines);
	free(results->failed);
	free(results);
}

static const struct view_ops results_ops = {
	.name = "results",
	.draw = results_draw,
	.handle = results_handle,
	.hint = results_hint,
	.free = results_free,
};

struct view *view_results_new(struct tui *tui, const struct plan *plan, const struct job *job)
{
	struct results_view *results = xcalloc(1, sizeof(*results));
	results->view.ops = &results_ops;
	results->lines = xmalloc(sizeof(*results->lines) * (plan->count + 5));
	results->failed = xmalloc(sizeof(*results->failed) * (plan->count + 1));
	size_t counts[JOB_OUTCOME_COUNT] = { 0 }, elsewhere = 0, unknown = 0;
	for (size_t i = 0; i < plan->count; i++) {
		counts[job_result(job, i)->outcome]++;
		unknown += job_result(job, i)->unknown;
	}
	results->lines[results->count++] = xasprintf("%zu done, %zu unchanged, %zu failed, %zu half-done, %zu cancelled",
						     counts[JOB_DONE], counts[JOB_UNCHANGED], counts[JOB_FAILED],
						     counts[JOB_HALF_DONE], counts[JOB_CANCELLED]);
	results->lines[results->count++] = xstrdup("");
	for (size_t i = 0; i < plan->count; i++) {
		const struct plan_device *device = &plan->devices[i];
		const struct job_device_result *result = job_result(job, i);
		bool failed = result->outcome == JOB_FAILED || result->outcome == JOB_HALF_DONE ||
			      result->outcome == JOB_CANCELLED;
		if (!failed && !result->changed_elsewhere)
			continue;
		if (result->changed_elsewhere)
			elsewhere++;
		results->lines[results->count++] = xasprintf(
			"%-9s endpoint %-10lld SIM %-10lld SIM %-12s endpoint %-8s %s%s",
			job_result_word(result), (long long)device->endpoint_id, (long long)device->sim_id,
			model_sim_status_name(result->sim_status), model_endpoint_status_name(result->endpoint_status),
			result->changed_elsewhere ? "changed on the server meanwhile; " : "", result->message);
		struct device *ids = &results->failed[results->failed_count++];
		*ids = (struct device){ .sim_id = device->sim_id, .endpoint_id = device->endpoint_id };
	}
	if (results->count == 2)
		results->lines[results->count++] = xstrdup("Every device reached its target.");
	if (unknown > 0 && tui->journal) {
		/* No answer came, and reading back got none either: only a later read can tell. */
		char *quoted = util_shell_quote(journal_path(tui->journal));
		results->lines[results->count++] = xstrdup("");
		results->lines[results->count++] = xasprintf(
			"%zu unknown: neither the answer nor a read-back came. simtop offers to settle them at its "
			"next start; or run simtop --resume %s", unknown, quoted);
		free(quoted);
	}
	(void)elsewhere;
	return &results->view;
}
