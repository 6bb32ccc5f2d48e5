/* plan_text.c — the words of a plan, as plan_text.h describes them. */
#include "plan_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
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
	char total[32], sims[32], bulk[32], reads[32];
	size_t read_backs;

	job_plan_calls(plan, states, transport, &calls);
	read_backs = calls.verify_reads + calls.settle_reads;
	snprintf(buffer, size, "%s %s (%s SIM %s, %s bulk %s, %s %s)",
		 util_thousands((int64_t)calls.total, total, sizeof(total)), plural(calls.total, "request", "requests"),
		 util_thousands((int64_t)calls.sim_changes, sims, sizeof(sims)),
		 plural(calls.sim_changes, "change", "changes"),
		 util_thousands((int64_t)calls.bulk_calls, bulk, sizeof(bulk)), plural(calls.bulk_calls, "call", "calls"),
		 util_thousands((int64_t)read_backs, reads, sizeof(reads)), plural(read_backs, "read", "reads"));
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
	char done[32], failed[32], left[32];
	long eta = (long)(progress->eta_seconds + 0.5);

	snprintf(buffer, size, "%s done \u00b7 %s failed \u00b7 %s left \u00b7 %.1f/s",
		 util_thousands((int64_t)progress->done, done, sizeof(done)),
		 util_thousands((int64_t)progress->failed, failed, sizeof(failed)),
		 util_thousands((int64_t)progress->remaining, left, sizeof(left)), progress->rate);
	if (progress->paused_seconds > 0)
		append(buffer, size, " \u00b7 paused %.0f s: %s", progress->paused_seconds + 0.5, progress->pause_reason);
	else if (progress->remaining == 0 && progress->verifying > 0)
		append(buffer, size, " \u00b7 reading back %zu", progress->verifying);
	else if (eta > 0)
		append(buffer, size, " \u00b7 ETA %ld:%02ld", eta / 60, eta % 60);
	return buffer;
}
