/* view_plan.c — the confirmation of a bulk action: what will be sent, what is skipped and why,
 * the charge warning, the marked devices the filter hides, the estimated duration. Cancel is the
 * default; above the threshold the operator types the number of devices. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "plan_text.h"
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
	size_t top;                       /* the first line shown, when it is taller than the screen */
	int region;                       /* at the last draw: the lines shown above the question, */
	size_t rows;                      /* of so many, wrapped to the screen */
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

/* A plan of this many devices or fewer names each of them, by name and ICCID, with what it
 * does to it, in place of the counts. */
#define PLAN_NAMED_MAX 5
/* Room for the counts (16 transitions and 16 skips at most, plan.h) and the rest. */
#define DIALOG_LINES_MAX (2 * 16 + 16)

/* The dialog's lines, before they are wrapped to the screen's width: the part that scrolls,
 * and the question (the buttons, or the count to type), which stays in sight below it. */
struct dialog_line {
	char text[640];
	int attr;
};
struct dialog {
	struct dialog_line lines[DIALOG_LINES_MAX];
	int count;
	struct dialog_line question;
};

static void add_line(struct dialog *dialog, int attr, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void add_line(struct dialog *dialog, int attr, const char *format, ...)
{
	if (dialog->count == DIALOG_LINES_MAX)
		return;
	struct dialog_line *line = &dialog->lines[dialog->count++];
	va_list args;
	va_start(args, format);
	vsnprintf(line->text, sizeof(line->text), format, args);
	va_end(args);
	line->attr = attr;
}

/* The dialog, as lines; drawn and also what tests read. */
static void build_dialog(struct plan_view *plan_view, struct dialog *dialog)
{
	struct view_context *context = plan_view->context;
	struct transport *transport = context->session->transport;
	const struct plan_summary *summary = &plan_view->summary;
	const struct plan *plan = plan_view->plan;
	char count[48], words[512], name[256];
	dialog->count = 0;
	plan_text_count(plan->count, "device", "devices", count, sizeof(count));
	if (plan_view->journal)
		add_line(dialog, A_BOLD, "Finish the interrupted job on %s: %s", count, plan_action_text(plan_view->action));
	else
		add_line(dialog, A_BOLD, "Switch %s: %s", count, plan_action_text(plan_view->action));
	add_line(dialog, A_NORMAL, "%s", "");
	if (plan->count <= PLAN_NAMED_MAX) {
		for (size_t i = 0; i < plan->count; i++) {
			add_line(dialog, A_NORMAL, "  %s",
				 plan_text_device(context->session->fleet, &plan->devices[i], context->ascii, name, sizeof(name)));
			add_line(dialog, A_NORMAL, "    %s",
				 plan_text_device_steps(plan, &plan->devices[i], context->ascii, words, sizeof(words)));
		}
	} else {
		for (size_t i = 0; i < summary->transition_count; i++)
			add_line(dialog, A_NORMAL, "  %s",
				 plan_text_transition(&summary->transitions[i], context->ascii, words, sizeof(words)));
		for (size_t i = 0; i < summary->skip_count; i++)
			add_line(dialog, A_NORMAL, "  %s", plan_text_skip(&summary->skips[i], words, sizeof(words)));
	}
	add_line(dialog, A_NORMAL, "%s", "");
	if (plan_view->journal) {
		add_line(dialog, A_NORMAL, "  %s %s already settled before the job stopped.",
			 util_thousands((int64_t)plan_view->steps_done, count, sizeof(count)),
			 plan_view->steps_done == 1 ? "step was" : "steps were");
	} else if (plan_view->hidden_count == 0) {
		add_line(dialog, A_NORMAL, "  The filter hides none of the marked devices.");
	} else {
		bool one = plan_view->hidden_count == 1;
		add_line(dialog, A_NORMAL, "  %s marked %s hidden by the filter: %s (h to %s %s)",
			 util_thousands((int64_t)plan_view->hidden_count, count, sizeof(count)),
			 one ? "device is" : "devices are", plan_view->include_hidden ? "included" : "left out",
			 plan_view->include_hidden ? "leave" : "include", one ? "it" : "them");
	}
	if (summary->activations > 0 || summary->billed_offline > 0) {
		int attr = display_attr(ROLE_MISALIGNED);
		add_line(dialog, attr, "  %s " PLAN_TEXT_CHARGES, model_alignment_glyph(ALIGN_MISALIGNED, context->ascii));
		add_line(dialog, attr, "    %s", plan_text_charges(summary, words, sizeof(words)));
	}
	add_line(dialog, A_NORMAL, "%s", "");
	/* The calls by kind, and how long they take at the limits the job keeps. */
	if (transport)
		add_line(dialog, A_NORMAL, "  %s",
			 plan_text_estimate(plan, plan_view->states, transport, false, words, sizeof(words)));
	else
		add_line(dialog, A_NORMAL, "  No API: nothing can be sent.");
	add_line(dialog, A_NORMAL, "  p shows the plan device by device.");

	struct dialog_line *question = &dialog->question;
	question->attr = A_BOLD;
	plan_text_count(summary->devices_changed, "device", "devices", count, sizeof(count));
	if (summary->steps == 0)
		snprintf(question->text, sizeof(question->text), "  Nothing to send. Esc closes.");
	else if (needs_typed_count(plan_view))
		snprintf(question->text, sizeof(question->text), "  Type %s and press Enter to apply, Esc to cancel:  %s%s",
			 util_thousands((int64_t)summary->devices_changed, words, sizeof(words)), plan_view->typed,
			 context->ascii ? "_" : "\u2581");
	else
		snprintf(question->text, sizeof(question->text),
			 "  %s Cancel %s   %s Apply to %s %s     (Tab chooses, Enter confirms)",
			 plan_view->apply_selected ? " " : "[", plan_view->apply_selected ? " " : "]",
			 plan_view->apply_selected ? "[" : " ", count, plan_view->apply_selected ? "]" : " ");
}

/* The dialog wrapped to the screen: no line is cut. When it is taller than the screen, the
 * lines scroll (the header says which are shown) and the question stays at the bottom. */
static void plan_draw(struct view *view, struct view_context *context, int first_row, int height)
{
	struct plan_view *plan_view = (struct plan_view *)view;
	struct dialog *dialog = xmalloc(sizeof(*dialog));
	build_dialog(plan_view, dialog);
	int columns = COLS - 1;
	char **rows = NULL, **question = NULL;
	size_t row_count = 0, row_capacity = 0, question_count = 0, question_capacity = 0, attr_capacity = 0;
	int *attrs = NULL;
	for (int i = 0; i < dialog->count; i++) {
		size_t first = row_count;
		plan_text_wrap_lines(dialog->lines[i].text, columns, 2, &rows, &row_count, &row_capacity);
		attrs = xgrow(attrs, &attr_capacity, row_count, sizeof(*attrs));
		for (size_t r = first; r < row_count; r++)
			attrs[r] = dialog->lines[i].attr;
	}
	plan_text_wrap_lines(dialog->question.text, columns, 2, &question, &question_count, &question_capacity);

	int body = height - 1;
	bool scrolls = (int)(row_count + 1 + question_count) > body;
	int region = scrolls ? body - 1 - (int)question_count : (int)row_count;
	if (region < 1)
		region = 1;
	size_t last_top = row_count > (size_t)region ? row_count - (size_t)region : 0;
	if (plan_view->top > last_top)
		plan_view->top = last_top;
	plan_view->region = region;
	plan_view->rows = row_count;

	char header[160];
	if (scrolls)
		snprintf(header, sizeof(header), " Confirm \u00b7 lines %zu%s%zu of %zu \u00b7 Up, Down, PgUp, PgDn scroll",
			 plan_view->top + 1, context->ascii ? "-" : "\u2013",
			 plan_view->top + (size_t)region < row_count ? plan_view->top + (size_t)region : row_count, row_count);
	else
		snprintf(header, sizeof(header), " Confirm");
	draw_cell(first_row, 0, header, COLS, display_attr(ROLE_HEADER));
	int row = first_row + 1, end = first_row + height;
	for (int i = 0; i < region && row < end; i++, row++) {
		size_t line = plan_view->top + (size_t)i;
		draw_cell(row, 1, line < row_count ? rows[line] : "", COLS - 1, line < row_count ? attrs[line] : (int)A_NORMAL);
	}
	if (row < end)
		draw_cell(row++, 1, "", COLS - 1, A_NORMAL);
	for (size_t i = 0; i < question_count && row < end; i++, row++)
		draw_cell(row, 1, question[i], COLS - 1, dialog->question.attr);
	while (row < end)
		draw_cell(row++, 1, "", COLS - 1, A_NORMAL);

	for (size_t i = 0; i < row_count; i++)
		free(rows[i]);
	for (size_t i = 0; i < question_count; i++)
		free(question[i]);
	free(rows);
	free(question);
	free(attrs);
	free(dialog);
}

/* The plan device by device, for the p key: each by name and ICCID, wrapped to the screen. */
static struct view *full_plan_view(struct plan_view *plan_view)
{
	const struct plan *plan = plan_view->plan;
	struct view_context *context = plan_view->context;
	char **lines = NULL;
	size_t count = 0, capacity = 0;
	for (size_t i = 0; i < plan->count; i++) {
		const struct plan_device *device = &plan->devices[i];
		char name[256], steps[512], line[800];
		snprintf(line, sizeof(line), "%s: %s",
			 plan_text_device(context->session->fleet, device, context->ascii, name, sizeof(name)),
			 plan_text_device_steps(plan, device, context->ascii, steps, sizeof(steps)));
		plan_text_wrap_lines(line, COLS - 1, 4, &lines, &count, &capacity);
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
	case ACTION_SCROLL_UP:
	case ACTION_SCROLL_DOWN:
	case ACTION_SCROLL_PGUP:
	case ACTION_SCROLL_PGDN: {
		size_t page = plan_view->region > 2 ? (size_t)plan_view->region - 1 : 1;
		size_t step = action == ACTION_SCROLL_UP || action == ACTION_SCROLL_DOWN ? 1 : page;
		size_t last = plan_view->rows > (size_t)plan_view->region ? plan_view->rows - (size_t)plan_view->region : 0;
		if (action == ACTION_SCROLL_UP || action == ACTION_SCROLL_PGUP)
			plan_view->top = plan_view->top > step ? plan_view->top - step : 0;
		else
			plan_view->top = plan_view->top + step < last ? plan_view->top + step : last;
		return REACT_REDRAW;
	}
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
