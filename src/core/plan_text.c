/* plan_text.c — the words of a plan, as plan_text.h describes them. */
#include "plan_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "text.h"
#include "util.h"

static const char *plural(size_t count, const char *one, const char *many)
{
	return count == 1 ? one : many;
}

/* Append to buffer; the output is cut where buffer ends. */
static void append(char *buffer, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buffer, size_t size, const char *format, ...)
{
	size_t used = strnlen(buffer, size);
	va_list args;

	if (used + 1 >= size)
		return;
	va_start(args, format);
	vsnprintf(buffer + used, size - used, format, args);
	va_end(args);
}

const char *plan_text_count(size_t count, const char *one, const char *many, char *buffer, size_t size)
{
	char number[32];

	snprintf(buffer, size, "%s %s", util_thousands((int64_t)count, number, sizeof(number)), plural(count, one, many));
	return buffer;
}

const char *plan_text_transition(const struct plan_transition_count *transition, bool ascii, char *buffer,
				 size_t size)
{
	char count[32];
	bool sim = transition->target == STEP_SIM;

	snprintf(buffer, size, "%s %s %s %s %s", util_thousands((int64_t)transition->count, count, sizeof(count)),
		 sim ? plural(transition->count, "SIM", "SIMs") : plural(transition->count, "endpoint", "endpoints"),
		 plan_status_name(transition->target, transition->from, "none"), ascii ? "->" : "\u2192",
		 plan_status_name(transition->target, transition->to, "none"));
	return buffer;
}

const char *plan_text_skip(const struct plan_skip_count *skip, char *buffer, size_t size)
{
	char count[32];

	snprintf(buffer, size, "%s skipped: %s", util_thousands((int64_t)skip->count, count, sizeof(count)),
		 skip->reason);
	return buffer;
}

const char *plan_text_charges(const struct plan_summary *summary, char *buffer, size_t size)
{
	char activations[32], billed[32];

	util_thousands((int64_t)summary->activations, activations, sizeof(activations));
	util_thousands((int64_t)summary->billed_offline, billed, sizeof(billed));
	if (summary->activations > 0 && summary->billed_offline > 0)
		snprintf(buffer, size, "This plan activates %s %s and leaves %s Activated %s behind disabled endpoints.",
			 activations, plural(summary->activations, "SIM", "SIMs"), billed,
			 plural(summary->billed_offline, "SIM", "SIMs"));
	else if (summary->activations > 0)
		snprintf(buffer, size, "This plan activates %s %s.", activations,
			 plural(summary->activations, "SIM", "SIMs"));
	else if (summary->billed_offline > 0)
		snprintf(buffer, size, "This plan leaves %s Activated %s behind disabled endpoints.", billed,
			 plural(summary->billed_offline, "SIM", "SIMs"));
	else
		buffer[0] = '\0';
	return buffer[0] ? buffer : NULL;
}

const char *plan_text_estimate(const struct plan *plan, enum journal_state (*states)[2],
			       const struct transport *transport, bool window, char *buffer, size_t size)
{
	struct job_calls calls;
	char words[64];
	const char *separator = " (";

	job_plan_calls(plan, states, transport, &calls);
	const struct {
		size_t count;
		const char *one, *many;
	} kinds[] = {
		{ calls.sim_changes, "SIM change", "SIM changes" },
		{ calls.bulk_calls, "bulk call", "bulk calls" },
		{ calls.verify_reads + calls.settle_reads, "read-back", "read-backs" },
	};
	buffer[0] = '\0';
	append(buffer, size, "%s", plan_text_count(calls.total, "request", "requests", words, sizeof(words)));
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (kinds[i].count == 0)
			continue;
		append(buffer, size, "%s%s", separator, plan_text_count(kinds[i].count, kinds[i].one, kinds[i].many, words,
									  sizeof(words)));
		separator = ", ";
	}
	if (separator[0] == ',')
		append(buffer, size, ")");
	if (!(transport->rate > 0)) {
		append(buffer, size, ", as fast as the API answers.");
		return buffer;
	}
	double seconds = job_planned_seconds(transport, calls.total);
	char duration[48];
	util_format_duration(seconds, duration, sizeof(duration));
	append(buffer, size, ": %s%s at %.1f/s", seconds >= 0.5 ? "about " : "", duration, transport->rate);
	if (window && transport->window_calls > 0) {
		char calls_text[32];
		util_thousands((int64_t)transport->window_calls, calls_text, sizeof(calls_text));
		if (transport->window_ms % 60000 == 0)
			append(buffer, size, ", at most %s per %lld min", calls_text,
			       (long long)(transport->window_ms / 60000));
		else
			append(buffer, size, ", at most %s per %lld s", calls_text, (long long)(transport->window_ms / 1000));
	}
	append(buffer, size, ".");
	return buffer;
}

const char *plan_text_progress(const struct job_progress *progress, char *buffer, size_t size)
{
	char done[32], failed[32], left[32], reading[48];
	long eta = (long)(progress->eta_seconds + 0.5);

	snprintf(buffer, size, "%s done \u00b7 %s failed \u00b7 %s left \u00b7 %.1f requests/s",
		 util_thousands((int64_t)progress->done, done, sizeof(done)),
		 util_thousands((int64_t)progress->failed, failed, sizeof(failed)),
		 util_thousands((int64_t)progress->remaining, left, sizeof(left)), progress->rate);
	if (progress->paused_seconds > 0)
		append(buffer, size, " \u00b7 paused %.0f s: %s", progress->paused_seconds + 0.5, progress->pause_reason);
	else if (progress->remaining == 0 && progress->verifying > 0)
		append(buffer, size, " \u00b7 reading back %s",
		       plan_text_count(progress->verifying, "device", "devices", reading, sizeof(reading)));
	else if (eta > 0)
		append(buffer, size, " \u00b7 ETA %ld:%02ld", eta / 60, eta % 60);
	return buffer;
}

/* --- devices ----------------------------------------------------------------------------- */

const char *plan_text_device(const struct fleet *fleet, const struct plan_device *device, bool ascii, char *buffer,
			     size_t size)
{
	const char *name = "", *iccid = "";
	size_t index;
	bool found = (device->endpoint_id && fleet_find_endpoint(fleet, device->endpoint_id, &index)) ||
		     (device->sim_id && fleet_find_sim(fleet, device->sim_id, &index));

	if (found) {
		const struct device *held = fleet_device(fleet, index);
		name = fleet_text(fleet, held, TEXT_NAME);
		iccid = fleet_text(fleet, held, TEXT_ICCID);
	}
	if (*name) {
		char cut[4 * PLAN_TEXT_NAME_COLUMNS + 8];
		snprintf(buffer, size, "%s", plan_text_cut(name, PLAN_TEXT_NAME_COLUMNS, ascii, cut, sizeof(cut)));
	} else if (device->endpoint_id) {
		snprintf(buffer, size, "endpoint %lld", (long long)device->endpoint_id);
	} else {
		snprintf(buffer, size, "SIM %lld", (long long)device->sim_id);
	}
	if (*iccid)
		append(buffer, size, ", ICCID %s", iccid);
	return buffer;
}

const char *plan_text_device_steps(const struct plan *plan, const struct plan_device *device, bool ascii, char *buffer,
				   size_t size)
{
	char reasons[2][128];
	const char *arrow = ascii ? "->" : "\u2192";
	bool sent_before = false;

	buffer[0] = '\0';
	for (int s = 0; s < device->step_count; s++) {
		const struct plan_step *step = &device->steps[s];
		if (step->skip == SKIP_NONE) {
			append(buffer, size, "%s%s %s %s %s", s == 0 ? "" : sent_before ? ", then " : "; ",
			       step->target == STEP_SIM ? "SIM" : "endpoint", plan_status_name(step->target, step->from, "none"),
			       arrow, plan_status_name(step->target, step->to, "none"));
			sent_before = true;
			continue;
		}
		plan_skip_text(plan, step, reasons[s], sizeof(reasons[s]));
		if (s > 0 && device->steps[s - 1].skip != SKIP_NONE) {
			/* Both skipped: the reason once, or both after one "skipped". */
			if (strcmp(reasons[s], reasons[s - 1]) != 0)
				append(buffer, size, "; %s", reasons[s]);
		} else {
			append(buffer, size, "%sskipped: %s", s == 0 ? "" : "; ", reasons[s]);
		}
		sent_before = false;
	}
	return buffer;
}

const char *plan_text_outcome(const struct plan_device *device, const struct job_device_result *result, char *buffer,
			      size_t size)
{
	bool sim_first = device->step_count > 0 && device->steps[0].target == STEP_SIM;

	if (result->unknown) {
		snprintf(buffer, size, "unknown: a change went unanswered, and so did reading it back");
		return buffer;
	}
	switch (result->outcome) {
	case JOB_PENDING: snprintf(buffer, size, "not started yet"); break;
	case JOB_RUNNING: snprintf(buffer, size, "running"); break;
	case JOB_DONE:
	case JOB_UNCHANGED:
	case JOB_FAILED:
		if (result->changed_elsewhere)
			snprintf(buffer, size, "changed elsewhere meanwhile");
		else
			snprintf(buffer, size, "%s", result->outcome == JOB_DONE ? "done"
						     : result->outcome == JOB_UNCHANGED ? "unchanged: nothing to send"
											  : "failed: nothing changed");
		break;
	case JOB_HALF_DONE:
		/* The pair stops at a failure, so the first step is the one that went through. */
		snprintf(buffer, size, "half-done: %s changed, %s not%s", sim_first ? "SIM" : "endpoint",
			 sim_first ? "endpoint" : "SIM", result->changed_elsewhere ? "; changed elsewhere meanwhile" : "");
		break;
	case JOB_CANCELLED: snprintf(buffer, size, "not started (cancelled)"); break;
	case JOB_OUTCOME_COUNT: buffer[0] = '\0'; break;
	}
	return buffer;
}

const char *plan_text_statuses(int sim_status, int endpoint_status, bool read_back, char *buffer, size_t size)
{
	const char *sim = plan_status_name(STEP_SIM, sim_status, NULL);
	const char *endpoint = plan_status_name(STEP_ENDPOINT, endpoint_status, NULL);

	snprintf(buffer, size, "now %s%s, %s%s%s", sim ? "SIM " : "no SIM", sim ? sim : "",
		 endpoint ? "endpoint " : "no endpoint", endpoint ? endpoint : "", read_back ? "" : " (not read back)");
	return buffer;
}

const char *plan_text_outcomes(const size_t counts[JOB_OUTCOME_COUNT], char *buffer, size_t size)
{
	static const struct {
		enum job_outcome outcome;
		const char *word;
	} kinds[] = {
		{ JOB_DONE, "done" },         { JOB_UNCHANGED, "unchanged" }, { JOB_FAILED, "failed" },
		{ JOB_HALF_DONE, "half-done" }, { JOB_CANCELLED, "not started (cancelled)" },
		{ JOB_RUNNING, "running" },   { JOB_PENDING, "pending" },
	};
	char number[32];

	buffer[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (counts[kinds[i].outcome] > 0)
			append(buffer, size, "%s%s %s", buffer[0] ? ", " : "",
			       util_thousands((int64_t)counts[kinds[i].outcome], number, sizeof(number)), kinds[i].word);
	if (!buffer[0])
		snprintf(buffer, size, "no device");
	return buffer;
}

/* --- fitting to a width ------------------------------------------------------------------- */

const char *plan_text_cut(const char *text, int columns, bool ascii, char *buffer, size_t size)
{
	const char *ellipsis = ascii ? "~" : "\u2026";
	size_t fits = text_fit(text, columns, NULL);

	if (text[fits] != '\0') /* cut: a column for the ellipsis */
		fits = text_fit(text, columns > 1 ? columns - 1 : 0, NULL);
	snprintf(buffer, size, "%.*s%s", (int)fits, text, text[fits] ? ellipsis : "");
	return buffer;
}

size_t plan_text_wrap(const char *text, int columns, const char **rest)
{
	size_t fits = text_fit(text, columns > 1 ? columns : 1, NULL);
	size_t start = 0, cut, end;

	if (text[fits] == '\0') {
		*rest = text + fits;
		return fits;
	}
	while (text[start] == ' ')
		start++;
	/* The last space that fits past the indent; else the word is split where it must be. */
	for (cut = fits; cut > start && text[cut] != ' '; cut--)
		;
	if (cut <= start) {
		cut = fits;
		if (cut == 0) /* not even one character fits: take one anyway */
			for (cut = 1; (text[cut] & 0xc0) == 0x80; cut++)
				;
	}
	for (end = cut; end > 0 && text[end - 1] == ' '; end--)
		;
	for (*rest = text + cut; **rest == ' '; (*rest)++)
		;
	return end;
}

size_t plan_text_wrap_lines(const char *text, int columns, int extra, char ***lines, size_t *count, size_t *capacity)
{
	int indent = 0;
	size_t added = 0;
	const char *piece = text, *rest;

	while (text[indent] == ' ')
		indent++;
	indent += extra;
	if (indent > columns / 2)
		indent = 0;
	do {
		int pad = added == 0 ? 0 : indent;
		size_t bytes = plan_text_wrap(piece, columns - pad, &rest);
		*lines = xgrow(*lines, capacity, *count + 1, sizeof(**lines));
		(*lines)[(*count)++] = xasprintf("%*s%.*s", pad, "", (int)bytes, piece);
		added++;
		piece = rest;
	} while (*piece);
	return added;
}
