/* view_plan.c — the confirmation of a bulk action: what will be sent, what is skipped and why,
 * the charge warning, the marked devices the filter hides, the estimated duration. Cancel is the
 * default; above the threshold the operator types the number of devices. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "keys.h"
#include "plan_text.h"
#include "text.h"
#include "util.h"
#include "view.h"

struct plan_view {
	struct view view;
	struct view_context *context;
	enum plan_action action;
	struct plan *plan;                /* owned until the job starts */
	struct plan_summary summary;
	size_t *shown, shown_count;       /* marked devices the rows show (or the cursor's) */
	size_t *hidden, hidden_count;     /* marked devices the filter hides */
	bool include_hidden;
	bool apply_selected;              /* the Apply button has the focus; Cancel is the default */
	char typed[16];                   /* the count typed above the threshold */
	enum journal_state (*states)[2];  /* resume only */
	struct journal *journal;          /* resume only */
	size_t steps_done;                /* resume: steps the journal already settled */
};

static bool needs_typed_count(const struct plan_view *plan_view)
{
	return plan_view->summary.devices_changed > (size_t)plan_view->context->session->confirm_threshold;
}

static void rebuild_plan(struct plan_view *plan_view)
{
	struct session *session = plan_view->context->session;
	size_t count = plan_view->shown_count + (plan_view->include_hidden ? plan_view->hidden_count : 0);
	size_t *devices = xmalloc(sizeof(*devices) * (count ? count : 1));
	memcpy(devices, plan_view->shown, sizeof(*devices) * plan_view->shown_count);
	if (plan_view->include_hidden)
		memcpy(devices + plan_view->shown_count, plan_view->hidden, sizeof(*devices) * plan_view->hidden_count);
	if (plan_view->plan)
		plan_free(plan_view->plan);
	else
		plan_view->plan = xcalloc(1, sizeof(*plan_view->plan));
	plan_build(plan_view->plan, plan_view->action, session->fleet, devices, count);
	plan_summarize(plan_view->plan, &plan_view->summary);
	plan_view->typed[0] = '\0';
	plan_view->apply_selected = false;
	free(devices);
}

/* The dialog, as lines; drawn and also what tests read. */
static void plan_line(struct plan_view *plan_view, int line, char *text, size_t size, int *attr)
{
	struct view_context *context = plan_view->context;
	struct transport *transport = context->session->transport;
	const struct plan_summary *summary = &plan_view->summary;
	char count[32];
	*attr = A_NORMAL;
	text[0] = '\0';
	int transitions = (int)summary->transition_count, skips = (int)summary->skip_count;
	int first_transition = 2, first_skip = first_transition + transitions;
	int after = first_skip + skips;
	if (line == 0) {
		snprintf(text, size, "%s %s devices: %s", plan_view->journal ? "Finish the interrupted job:" : "Switch",
			 util_thousands((int64_t)plan_view->plan->count, count, sizeof(count)), plan_action_text(plan_view->action));
		*attr = A_BOLD;
	} else if (line >= first_transition && line < first_skip) {
		char words[256];
		snprintf(text, size, "  %s", plan_text_transition(&summary->transitions[line - first_transition],
								   context->ascii, words, sizeof(words)));
	} else if (line >= first_skip && line < after) {
		char words[256];
		snprintf(text, size, "  %s", plan_text_skip(&summary->skips[line - first_skip], words, sizeof(words)));
	} else if (line == after + 1) {
		if (plan_view->journal)
			snprintf(text, size, "  %s steps were already settled before the job stopped.",
				 util_thousands((int64_t)plan_view->steps_done, count, sizeof(count)));
		else if (plan_view->hidden_count == 0)
			snprintf(text, size, "  The filter hides none of the marked devices.");
		else
			snprintf(text, size, "  %s marked devices are hidden by the filter: %s (h to %s them)",
				 util_thousands((int64_t)plan_view->hidden_count, count, sizeof(count)),
				 plan_view->include_hidden ? "included" : "left out",
				 plan_view->include_hidden ? "leave" : "include");
	} else if (line == after + 2 && (summary->activations > 0 || summary->billed_offline > 0)) {
		*attr = display_attr(ROLE_MISALIGNED);
		snprintf(text, size, "  %s " PLAN_TEXT_CHARGES, model_alignment_glyph(ALIGN_MISALIGNED, context->ascii));
	} else if (line == after + 3 && (summary->activations > 0 || summary->billed_offline > 0)) {
		char words[256];
		*attr = display_attr(ROLE_MISALIGNED);
		snprintf(text, size, "    %s", plan_text_charges(summary, words, sizeof(words)));
	} else if (line == after + 5) {
		/* The calls by kind, and how long they take at the limits the job keeps. */
		char words[512];
		if (transport)
			snprintf(text, size, "  %s", plan_text_estimate(plan_view->plan, plan_view->states, transport,
									 false, words, sizeof(words)));
		else
			snprintf(text, size, "  No API: nothing can be sent.");
	} else if (line == after + 6) {
		snprintf(text, size, "  p shows the plan device by device.");
	} else if (line == after + 8) {
		if (summary->steps == 0)
			snprintf(text, size, "  Nothing to send. Esc closes.");
		else if (needs_typed_count(plan_view))
			snprintf(text, size, "  Type %s and press Enter to apply, Esc to cancel:  %s%s",
				 util_thousands((int64_t)summary->devices_changed, count, sizeof(count)), plan_view->typed,
				 context->ascii ? "_" : "\u2581");
		else
			snprintf(text, size, "  %s Cancel %s   %s Apply to %s devices %s     (Tab chooses, Enter confirms)",
				 plan_view->apply_selected ? " " : "[", plan_view->apply_selected ? " " : "]",
				 plan_view->apply_selected ? "[" : " ",
				 util_thousands((int64_t)summary->devices_changed, count, sizeof(count)),
				 plan_view->apply_selected ? "]" : " ");
		*attr = A_BOLD;
	}
}

static void plan_draw(struct view *view, struct view_context *context, int first_row, int height)
{
	(void)context;
	struct plan_view *plan_view = (struct plan_view *)view;
	draw_cell(first_row, 0, " Confirm", COLS, display_attr(ROLE_HEADER));
	for (int i = 0; i < height - 1; i++) {
		char text[512];
		int attr;
		plan_line(plan_view, i, text, sizeof(text), &attr);
		draw_cell(first_row + 1 + i, 1, text, COLS - 1, attr);
	}
}

/* The plan device by device, for the p key. */
static struct view *full_plan_view(struct plan_view *plan_view)
{
	const struct plan *plan = plan_view->plan;
	char **lines = xmalloc(sizeof(*lines) * (plan->count + 1));
	size_t count = 0;
	for (size_t i = 0; i < plan->count; i++) {
		const struct plan_device *device = &plan->devices[i];
		char steps[512] = "";
		size_t length = 0;
		for (int s = 0; s < device->step_count && length < sizeof(steps); s++) {
			const struct plan_step *step = &device->steps[s];
			bool sim = step->target == STEP_SIM;
			char reason[128];
			if (step->skip == SKIP_NONE)
				length += (size_t)snprintf(steps + length, sizeof(steps) - length, "%s%s %s->%s", s ? ", then " : "",
							   sim ? "SIM" : "endpoint",
							   sim ? model_sim_status_name(step->from) : model_endpoint_status_name(step->from),
							   sim ? model_sim_status_name(step->to) : model_endpoint_status_name(step->to));
			else
				length += (size_t)snprintf(steps + length, sizeof(steps) - length, "%sskip: %s", s ? "; " : "",
							   plan_skip_text(plan, step, reason, sizeof(reason)));
		}
		lines[count++] = xasprintf("endpoint %-10lld SIM %-10lld %s", (long long)device->endpoint_id,
					   (long long)device->sim_id, steps);
	}
	return view_text_new(" The plan, device by device", lines, count);
}

/* Digits type the count asked for above the threshold. */
static int plan_key(struct view *view, struct view_context *context, int key)
{
	(void)context;
	struct plan_view *plan_view = (struct plan_view *)view;
	size_t length = strlen(plan_view->typed);
	bool typing = needs_typed_count(plan_view) && plan_view->summary.steps > 0;
	if (typing && key >= '0' && key <= '9' && length + 1 < sizeof(plan_view->typed)) {
		plan_view->typed[length] = (char)key;
		plan_view->typed[length + 1] = '\0';
		return REACT_REDRAW;
	}
	return REACT_NONE;
}

static int confirm(struct plan_view *plan_view, struct session *session)
{
	if (plan_view->summary.steps == 0)
		return REACT_CLOSE;
	if (needs_typed_count(plan_view)) {
		char wanted[32];
		snprintf(wanted, sizeof(wanted), "%zu", plan_view->summary.devices_changed);
		if (strcmp(plan_view->typed, wanted) != 0) {
			session_message(session, true, "Type %s, the number of devices, to apply", wanted);
			return REACT_REDRAW;
		}
	} else if (!plan_view->apply_selected) {
		session_message(session, false, "Cancelled: nothing was sent");
		return REACT_CLOSE;
	}
	/* The session owns them from now on, whether the job starts or not. */
	session_start_job(session, plan_view->plan, plan_view->states, plan_view->journal);
	plan_view->plan = NULL;
	plan_view->states = NULL;
	plan_view->journal = NULL;
	return REACT_CLOSE;
}

static int plan_handle(struct view *view, struct view_context *context, enum action action, int page_rows)
{
	(void)page_rows;
	struct plan_view *plan_view = (struct plan_view *)view;
	size_t length = strlen(plan_view->typed);
	bool typing = needs_typed_count(plan_view) && plan_view->summary.steps > 0;
	switch (action) {
	case ACTION_CANCEL:
		session_message(context->session, false, "Cancelled: nothing was sent");
		return REACT_CLOSE;
	case ACTION_SHOW_PLAN:
		return view_push(context, full_plan_view(plan_view));
	case ACTION_TOGGLE_HIDDEN:
		if (plan_view->hidden_count > 0 && !plan_view->journal) {
			plan_view->include_hidden = !plan_view->include_hidden;
			rebuild_plan(plan_view);
		}
		return REACT_REDRAW;
	case ACTION_SWITCH_BUTTON:
		if (!typing)
			plan_view->apply_selected = !plan_view->apply_selected;
		return REACT_REDRAW;
	case ACTION_ERASE_DIGIT:
		if (length > 0)
			plan_view->typed[length - 1] = '\0';
		return REACT_REDRAW;
	case ACTION_CONFIRM:
		return confirm(plan_view, context->session);
	default:
		return REACT_NONE;
	}
}

static const char *plan_hint(struct view *view, struct view_context *context)
{
	(void)context;
	struct plan_view *plan_view = (struct plan_view *)view;
	return plan_view->hidden_count ? "Esc cancel  p plan  h hidden" : "Esc cancel  p plan";
}

static void plan_free_view(struct view *view)
{
	struct plan_view *plan_view = (struct plan_view *)view;
	if (plan_view->plan) {
		plan_free(plan_view->plan);
		free(plan_view->plan);
	}
	free(plan_view->states);
	if (plan_view->journal)
		journal_close(plan_view->journal);
	free(plan_view->shown);
	free(plan_view->hidden);
	free(plan_view);
}

static const struct view_ops plan_ops = {
	.name = "plan",
	.keymap = KEYMAP_DIALOG,
	.draw = plan_draw,
	.handle = plan_handle,
	.key = plan_key,
	.hint = plan_hint,
	.free = plan_free_view,
};

struct view *view_plan_new(struct view_context *context, enum plan_action action)
{
	size_t *shown, shown_count, *hidden, hidden_count;
	if (!session_plan_targets(context->session, action, &shown, &shown_count, &hidden, &hidden_count))
		return NULL;
	struct plan_view *plan_view = xcalloc(1, sizeof(*plan_view));
	plan_view->view.ops = &plan_ops;
	plan_view->context = context;
	plan_view->action = action;
	plan_view->shown = shown;
	plan_view->shown_count = shown_count;
	plan_view->hidden = hidden;
	plan_view->hidden_count = hidden_count;
	rebuild_plan(plan_view);
	return &plan_view->view;
}

struct view *view_plan_resume(struct view_context *context, struct session_resume *resume)
{
	struct plan *plan = resume->plan;
	struct plan_view *plan_view = xcalloc(1, sizeof(*plan_view));
	plan_view->view.ops = &plan_ops;
	plan_view->context = context;
	plan_view->action = plan->action;
	plan_view->plan = plan;
	plan_view->states = resume->states;
	plan_view->journal = resume->journal;
	resume->plan = NULL;
	resume->states = NULL;
	resume->journal = NULL;
	for (size_t i = 0; i < plan->count; i++)
		for (int s = 0; s < plan->devices[i].step_count; s++)
			if (plan_view->states[i][s] == JOURNAL_DONE || plan_view->states[i][s] == JOURNAL_FAILED)
				plan_view->steps_done++;
	plan_summarize(plan, &plan_view->summary);
	return &plan_view->view;
}
