/* tui.c — the interactive program: the event loop, the view stack, the title and status
 * lines, the prompts, signals and script mode. What the operator works on is the session's
 * (session.h); the views draw it and act on it (view.h). */
#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "display.h"
#include "draw.h"
#include "keys.h"
#include "plan_text.h"
#include "script.h"
#include "session.h"
#include "text.h"
#include "tui.h"
#include "util.h"
#include "view.h"

#define VIEW_STACK_MAX 6
/* While a job or a live read runs, its progress line is drawn again at least this often. */
#define JOB_REDRAW_MS 250
/* Script mode: how long one wait on the API lasts before the loop looks again. */
#define BUSY_WAIT_MS SESSION_LOADING_ROWS_MS
/* Idle wake-up, so a terminal resize is seen even when no key arrives. */
#define IDLE_WAIT_MS 500
/* A second Ctrl-C within this time quits, even with a job running. */
#define INTERRUPT_AGAIN_MS 2000
/* Ctrl-C as a key: what the terminal sends when it does not turn it into SIGINT. */
#define KEY_INTERRUPT 3
#define EXPORT_SHOWN_DEFAULT "simtop-shown.csv"
#define EXPORT_MARKED_DEFAULT "simtop-marked.csv"

enum prompt_kind {
	PROMPT_NONE,
	PROMPT_FILTER,
	PROMPT_SEARCH,
	PROMPT_JUMP,
	PROMPT_COLUMNS,
	PROMPT_MARK_QUERY,
	PROMPT_IMPORT,
	PROMPT_EXPORT_SHOWN,
	PROMPT_EXPORT_MARKED,
	PROMPT_OVERWRITE,    /* y/N: an export's file exists */
};

struct loop {
	struct session *session;
	struct view_context context;
	struct api *api;
	struct transport *transport;
	const char *workspace;               /* label in the title line */
	bool ascii;
	struct view *views[VIEW_STACK_MAX];
	int view_count;
	struct script *script;
	bool dirty;
	bool quit;
	const char *mark_from;

	bool quit_asked;                     /* q pressed once while a job runs */
	bool terminal_gone;                  /* hang-up: no more keys, nothing drawn */
	sig_atomic_t interrupts_seen, terminations_seen; /* signals the loop has acted on */
	int64_t interrupt_ms;                /* when Ctrl-C or SIGTERM last cancelled a job, 0: never */
	bool quit_when_settled;              /* SIGTERM: quit once the cancelled job has settled */
	/* A job left unfinished on the way out, printed after the terminal is restored. */
	char *left_journal;                  /* its journal's path, NULL: nothing was left; owned */
	size_t left_devices, left_total, left_in_flight;
	int64_t last_job_draw_ms;
	/* Script mode: ":wait-progress N" (N changes settled) lets the steps after it run while a job is busy, until
	 * ":wait-idle" waits for everything again. */
	size_t wait_progress;
	bool script_async;
	struct script_step step;             /* fetched, not yet taken */
	bool has_step;

	enum prompt_kind prompt_kind;
	struct prompt prompt;
	struct prompt_history filter_history, query_history, path_history, jump_history;
	size_t search_origin;                /* the cursor when the search prompt opened */
	bool mouse;                          /* clicks and the wheel are reported (config mouse) */
	char filter_before[SESSION_QUERY_MAX]; /* restored by Esc */
	char prompt_error[256];              /* why the prompt's text is refused, "" if it is not */
	int prompt_error_column;
	/* An export waiting for the answer to "PATH exists: overwrite? y/N". */
	char *export_path;                   /* home expanded; owned */
	bool export_marked;
	char overwrite_label[PROMPT_TEXT_MAX + 64];

	/* SIMTOP_BENCH: milliseconds from start to the first rows drawn and to the full fleet,
	 * and from the last key to the redrawn screen. */
	bool bench;
	int64_t start_ms, first_rows_ms, loaded_ms, key_ms;
};

/* Signal handlers only count; the loop acts on the counts (api_wait() returns on a signal).
 * SIGHUP: the terminal is gone. SIGINT: Ctrl-C. SIGTERM: asked to end. */
static volatile sig_atomic_t hangup, interrupts, terminations;

static void on_signal(int signal_number)
{
	if (signal_number == SIGHUP)
		hangup = 1;
	else if (signal_number == SIGINT)
		interrupts++;
	else
		terminations++;
}

/* --- the view stack ----------------------------------------------------------------------- */

static struct view *top_view(const struct loop *loop)
{
	return loop->views[loop->view_count - 1];
}

static void push_view(struct loop *loop, struct view *view)
{
	if (!view)
		return;
	if (loop->view_count == VIEW_STACK_MAX) {
		view->ops->free(view);
		return;
	}
	loop->views[loop->view_count++] = view;
	loop->dirty = true;
}

static void pop_view(struct loop *loop)
{
	if (loop->view_count <= 1)
		return;
	struct view *view = loop->views[--loop->view_count];
	view->ops->free(view);
	loop->dirty = true;
}

static void pop_views_above_fleet(struct loop *loop)
{
	while (loop->view_count > 1)
		pop_view(loop);
}

/* --- the title and status lines ----------------------------------------------------------- */

static void draw_title(struct loop *loop)
{
	const struct session *session = loop->session;
	int attr = display_attr(ROLE_TITLE);
	char state[160] = "";
	const struct transport_load_progress *progress = &session->progress;
	if (progress->running) {
		int percent = progress->records_total > 0
			? (int)(100 * progress->records_loaded / progress->records_total) : 0;
		char saved[80] = "";
		if (session->from_snapshot) {
			char age[48];
			util_format_duration((double)(time(NULL) - session->snapshot.saved_at), age, sizeof(age));
			snprintf(saved, sizeof(saved), "saved %s ago \u00b7 ", age);
		}
		snprintf(state, sizeof(state), " %s %s%s %d%% ", loop->ascii ? "~" : "\u21bb", saved,
			 session->from_snapshot ? "loading" : session->incoming ? "refreshing" : "loading",
			 percent > 100 ? 100 : percent);
	} else if (progress->failed) {
		snprintf(state, sizeof(state), " %s load failed ", loop->ascii ? "x" : "\u2716");
	}
	int room = COLS - text_width(state);

	char line[512], number[32];
	size_t devices = 0;
	for (int alignment = 0; alignment < ALIGN_COUNT; alignment++)
		devices += fleet_count_alignment(session->fleet, (enum alignment)alignment);
	int base = snprintf(line, sizeof(line), " simtop  %.200s%s  %s devices", loop->workspace,
			    session->read_only ? " (read-only)" : "",
			    util_thousands((int64_t)devices, number, sizeof(number)));
	if (base < 0 || base >= (int)sizeof(line))
		base = (int)sizeof(line) - 1;
	/* Misaligned first: it is what the operator is looking for. When the counts do not all
	 * fit with their words, only misaligned keeps its word (the glyphs say the rest, as the
	 * help's legend does), then neither; a count shows whole or not at all, and an ellipsis
	 * says when some did not fit. */
	static const enum alignment shown[] = { ALIGN_MISALIGNED, ALIGN_ONLINE, ALIGN_OFFLINE,
						ALIGN_UNPAIRED, ALIGN_NEW, ALIGN_TEST };
	const char *more = loop->ascii ? "  ~" : "  \u2026";
	for (int words = 2; words >= 0; words--) {
		int length = base, starts[ARRAY_SIZE(shown)], items = 0;
		bool cut = false;
		line[length] = '\0';
		for (size_t i = 0; i < ARRAY_SIZE(shown) && !cut; i++) {
			size_t count = fleet_count_alignment(session->fleet, shown[i]);
			if (count == 0 && shown[i] != ALIGN_ONLINE && shown[i] != ALIGN_MISALIGNED)
				continue;
			bool word = words == 2 || (words == 1 && shown[i] == ALIGN_MISALIGNED);
			char item[96];
			snprintf(item, sizeof(item), "  %s %s%s%s", model_alignment_glyph(shown[i], loop->ascii),
				 util_thousands((int64_t)count, number, sizeof(number)), word ? " " : "",
				 word ? model_alignment_word(shown[i]) : "");
			cut = text_width(line) + text_width(item) > room;
			if (!cut) {
				starts[items++] = length;
				length += snprintf(line + length, sizeof(line) - (size_t)length, "%s", item);
			}
		}
		if (!cut)
			break;
		if (words == 0) {
			/* The counts that leave no room for the ellipsis go too. */
			while (items > 0 && text_width(line) + text_width(more) > room)
				line[length = starts[--items]] = '\0';
			snprintf(line + length, sizeof(line) - (size_t)length, "%s", more);
		}
	}
	draw_cell(0, 0, line, COLS, attr);
	if (state[0]) {
		int width = text_width(state);
		draw_text(0, COLS - width, state, width, attr | A_BOLD);
	}
}

static void draw_prompt(struct loop *loop)
{
	int row = LINES - 1;
	int attr = display_attr(ROLE_STATUS);
	struct prompt *prompt = &loop->prompt;
	draw_cell(row, 0, "", COLS, attr);
	int x = draw_text(row, 0, prompt->label, COLS, attr);
	int before = x;
	/* The text, scrolled to keep the cursor in sight, with the character under the cursor
	 * (a wide one whole, its marks with it) in reverse video. */
	size_t start;
	int cursor_column;
	prompt_view(prompt, COLS - before, &start, &cursor_column);
	char head[PROMPT_TEXT_MAX];
	snprintf(head, sizeof(head), "%.*s", (int)(prompt->cursor - start), prompt->text + start);
	x += draw_text(row, x, head, COLS - x, attr);
	const char *rest = prompt->text + prompt->cursor;
	size_t cursor_bytes = prompt_cursor_bytes(prompt);
	char under[PROMPT_TEXT_MAX] = " ";
	if (cursor_bytes > 0)
		snprintf(under, sizeof(under), "%.*s", (int)cursor_bytes, rest);
	x += draw_text(row, x, under, COLS - x, attr ^ A_REVERSE);
	if (rest[0])
		x += draw_text(row, x, rest + cursor_bytes, COLS - x, attr);

	if (loop->prompt_kind == PROMPT_FILTER) {
		/* What the query typed so far shows, as it changes. */
		char counts[160];
		session_describe_rows(loop->session, counts, sizeof(counts));
		int width = text_width(counts);
		if (x + 2 + width < COLS)
			draw_text(row, COLS - width - 1, counts, width, attr);
	}

	if (loop->prompt_error[0]) {
		/* A caret under the refused character, and why. */
		char line[512];
		int offset = prompt_character_column(prompt, start, loop->prompt_error_column);
		int column = offset < 0 ? before : before + offset;
		if (column >= COLS)
			column = before;
		snprintf(line, sizeof(line), "%*s^ %s", column, "", loop->prompt_error);
		draw_cell(row - 1, 0, line, COLS, display_attr(ROLE_ERROR));
	} else if (prompt->note[0]) {
		draw_cell(row - 1, 0, prompt->note, COLS, attr);
	}
}

static void draw_status(struct loop *loop)
{
	if (loop->prompt_kind != PROMPT_NONE) {
		draw_prompt(loop);
		return;
	}
	struct view *view = top_view(loop);
	int row = LINES - 1;
	int attr = display_attr(ROLE_STATUS);
	const char *hint = view->ops->hint ? view->ops->hint(view, &loop->context) : view->ops->hint_text;
	int hint_width = text_width(hint);
	char left[600] = "";
	if (view->ops->position)
		view->ops->position(view, &loop->context, left, sizeof(left));
	draw_cell(row, 0, left, COLS, attr);
	if (text_width(left) + hint_width + 2 < COLS)
		draw_text(row, COLS - hint_width - 1, hint, hint_width, attr);
}

static bool has_notice(const struct session *session)
{
	return (session->job && !session->message_is_error) || session->live_fetch || session->message[0] ||
	       session->progress.retry_note[0] ||
	       session->data_warning[0];
}

/* An 8-cell bar, done of total filled. */
static void progress_bar(const struct loop *loop, size_t done, size_t total, char *bar, size_t size)
{
	int filled = total ? (int)(8 * done / total) : 8;
	int length = 0;
	bar[0] = '\0';
	for (int i = 0; i < 8; i++)
		length += snprintf(bar + length, size - (size_t)length, "%s",
				   i < filled ? (loop->ascii ? "#" : "\u2588") : (loop->ascii ? "." : "\u2591"));
}

/* "reading the network's view [###.....] 120 of 460 calls · 2 failed · Esc stops" */
static void describe_live(const struct loop *loop, char *buffer, size_t size)
{
	struct live_fetch_progress progress;
	live_fetch_progress(loop->session->live_fetch, &progress);
	char bar[64], done[32], total[32], failed[48] = "";
	progress_bar(loop, progress.calls_done, progress.calls_total, bar, sizeof(bar));
	if (progress.calls_failed)
		snprintf(failed, sizeof(failed), " \u00b7 %zu failed", progress.calls_failed);
	snprintf(buffer, size, " reading the network's view %s %s of %s calls%s \u00b7 Esc stops", bar,
		 util_thousands((int64_t)progress.calls_done, done, sizeof(done)),
		 util_thousands((int64_t)progress.calls_total, total, sizeof(total)), failed);
}

/* "offline [######....] 120 done · 2 failed · 88 left · 6.6 requests/s · ETA 0:13 · Esc
 * cancels", fitted to the screen: without the bar, then without the action, then cut. */
static void describe_job(const struct loop *loop, char *buffer, size_t size)
{
	const struct session *session = loop->session;
	struct job_progress progress;
	job_progress(session->job, &progress);
	/* The bar follows the changes: devices are done only once their pair is. */
	char bar[64];
	progress_bar(loop, progress.steps_settled, progress.steps, bar, sizeof(bar));
	char words[400], line[600];
	const char *action = plan_action_name(session->job_plan->action);
	const char *state = progress.cancelling ? "cancelling" : "Esc cancels";
	plan_text_progress(&progress, words, sizeof(words));
	for (int form = 0; form < 3; form++) {
		snprintf(line, sizeof(line), " %s%s%s%s%s \u00b7 %s", form < 2 ? action : "", form < 2 ? " " : "",
			 form < 1 ? bar : "", form < 1 ? " " : "", words, state);
		if (text_width(line) <= COLS)
			break;
	}
	plan_text_cut(line, COLS, loop->ascii, buffer, size);
}

/* On the line above the status line, the first of: a running job's progress, the message, a
 * load's retry countdown, what was odd in the fleet's data. */
static void draw_notice(struct loop *loop, int row)
{
	const struct session *session = loop->session;
	char line[600];
	int attr = display_attr(ROLE_STATUS);
	if (session->job && !session->message_is_error) {
		describe_job(loop, line, sizeof(line));
	} else if (session->live_fetch) {
		describe_live(loop, line, sizeof(line));
	} else if (session->message[0]) {
		attr = display_attr(session->message_is_error ? ROLE_ERROR : ROLE_STATUS);
		snprintf(line, sizeof(line), " %s", session->message);
	} else if (session->progress.retry_note[0]) {
		attr = display_attr(ROLE_ERROR);
		snprintf(line, sizeof(line), " %s", session->progress.retry_note);
	} else {
		attr = display_attr(ROLE_ERROR);
		snprintf(line, sizeof(line), " %s", session->data_warning);
	}
	draw_cell(row, 0, line, COLS, attr);
}

/* Peak resident memory of this process, from /proc (kB). */
static long peak_rss_kb(void)
{
	FILE *status = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (status && fgets(line, sizeof(line), status))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	if (status)
		fclose(status);
	return kb;
}

static void draw_screen(struct loop *loop)
{
	const struct session *session = loop->session;
	erase();
	if (session->fatal[0]) {
		draw_message_screen(" simtop cannot show the fleet", session->fatal, display_attr(ROLE_ERROR));
		draw_cell(LINES - 1, 0, " r retry  q quit", COLS, display_attr(ROLE_STATUS));
		refresh();
		return;
	}
	if (LINES < 4 || COLS < 20) {
		mvaddstr(0, 0, "terminal too small");
		refresh();
		return;
	}
	draw_title(loop);
	struct view *view = top_view(loop);
	bool notice = has_notice(session);
	view->ops->draw(view, &loop->context, 1, LINES - 2 - notice);
	if (notice)
		draw_notice(loop, LINES - 2);
	draw_status(loop);
	refresh();
	int64_t now = util_now_ms();
	if (loop->bench && loop->first_rows_ms == 0 && session->rows.count > 0)
		loop->first_rows_ms = now - loop->start_ms;
	if (loop->bench && loop->key_ms) {
		fprintf(stderr, "bench: key_to_screen_ms=%lld rows=%zu\n", (long long)(now - loop->key_ms), session->rows.count);
		loop->key_ms = 0;
	}
}

/* --- what the session reports ------------------------------------------------------------- */

/* Mark the devices a CSV file lists; the identifiers not in the fleet are listed in a view. */
static void mark_from_csv(struct loop *loop, const char *path)
{
	struct session_csv_marks found;
	if (!session_mark_from_csv(loop->session, path, &found))
		return;
	const struct csv_ids *unknown = &found.unknown;
	if (found.missing > 0) {
		char **lines = xmalloc(sizeof(*lines) * (unknown->count + 2));
		size_t count = 0;
		lines[count++] = xasprintf("%zu of %zu rows in %s name no device of the fleet:", found.missing, found.rows,
					   path);
		lines[count++] = xstrdup("");
		for (size_t i = 0; i < unknown->count; i++)
			lines[count++] = xasprintf("  line %-8zu %-16s %s", unknown->items[i].line,
						   csv_id_kind_name(unknown->items[i].kind), unknown->items[i].value);
		push_view(loop, view_text_new(" Not in the fleet", lines, count));
	}
	csv_ids_free(&found.unknown);
}

static void offer_resume(struct loop *loop)
{
	struct session_resume resume;
	if (!session_find_resume(loop->session, &resume))
		return;
	push_view(loop, view_plan_resume(&loop->context, &resume));
	session_resume_free(&resume);
}

/* Remember how many devices the job leaves unfinished and its journal, when there are any,
 * for print_unfinished_job(). */
static void note_unfinished_job(struct loop *loop, bool last)
{
	struct session_unfinished unfinished;
	if (!session_job_unfinished(loop->session, last, &unfinished))
		return;
	free(loop->left_journal);
	loop->left_journal = xstrdup(unfinished.journal_path);
	loop->left_devices = unfinished.devices;
	loop->left_total = unfinished.total;
	loop->left_in_flight = unfinished.in_flight;
}

/* After the terminal is restored: what is left and the exact command that finishes it. */
static void print_unfinished_job(const struct loop *loop)
{
	char *quoted = util_shell_quote(loop->left_journal);
	fprintf(stderr, "simtop: the job is unfinished: %zu of %zu devices did not reach their end.\n",
		loop->left_devices, loop->left_total);
	if (loop->left_in_flight > 0)
		fprintf(stderr, "Steps of %zu devices were in flight: they may or may not have been applied, and a resume\n"
				"reads them back before it sends anything.\n", loop->left_in_flight);
	fprintf(stderr, "Journal: %s\nTo finish the job: simtop --resume %s\n", loop->left_journal, quoted);
	free(quoted);
}

static void update(struct loop *loop)
{
	struct session *session = loop->session;
	unsigned events = session_update(session);
	if (events & SESSION_CHANGED)
		loop->dirty = true;
	if (events & SESSION_REFRESHED)
		pop_views_above_fleet(loop); /* they may hold device indexes of the old fleet */
	if ((events & SESSION_FIRST_LOAD) && session->action_waits) {
		/* Asked for while the snapshot was shown: now it plans on what the API says. */
		session->action_waits = false;
		pop_views_above_fleet(loop);
		push_view(loop, view_plan_new(&loop->context, session->waiting_action));
	}
	if (events & SESSION_FIRST_LOAD) {
		offer_resume(loop);
		if (loop->mark_from) {
			mark_from_csv(loop, loop->mark_from);
			loop->mark_from = NULL;
		}
	}
	if ((events & (SESSION_FIRST_LOAD | SESSION_REFRESHED)) && loop->bench && loop->loaded_ms == 0)
		loop->loaded_ms = util_now_ms() - loop->start_ms;
	if (events & SESSION_JOB_FINISHED) {
		/* Nobody is watching (hang-up), or SIGTERM waited for the steps in flight: what the
		 * job left is printed on the way out, since no results view will be seen. */
		if (loop->quit_when_settled || loop->terminal_gone)
			note_unfinished_job(loop, true);
		if (loop->quit_when_settled)
			loop->quit = true;
		if (session->last_trouble > 0) {
			pop_views_above_fleet(loop);
			push_view(loop, view_results_new(session, loop->context.ascii));
		}
		loop->quit_asked = false;
	}
	if (session->job || session->live_fetch) {
		int64_t now = util_now_ms();
		if (now - loop->last_job_draw_ms >= JOB_REDRAW_MS) {
			loop->last_job_draw_ms = now;
			loop->dirty = true;
		}
	}
	if (loop->context.redraw) {
		loop->context.redraw = false;
		loop->dirty = true;
	}
}

/* Ctrl-C (SIGINT, or the key when the terminal passes it through) and SIGTERM. Without a job,
 * quit. With one, the first acts as Esc: job_cancel() lets the steps in flight finish, journaled,
 * and starts nothing new; SIGTERM then quits once they have settled. A Ctrl-C within
 * INTERRUPT_AGAIN_MS of the one before (or of SIGTERM) quits at once; a repeated SIGTERM does
 * not, since some senders deliver it twice (timeout(1) signals both its child and its group). */
static void interrupted(struct loop *loop, bool terminate)
{
	struct session *session = loop->session;
	int64_t now = util_now_ms();
	if (!session->job || (!terminate && loop->interrupt_ms && now - loop->interrupt_ms <= INTERRUPT_AGAIN_MS)) {
		loop->quit = true;
		return;
	}
	loop->interrupt_ms = now;
	loop->quit_when_settled = loop->quit_when_settled || terminate;
	session_cancel_job(session);
	if (loop->quit_when_settled)
		session_message(session, true, "Terminated: cancelling; simtop quits once the steps in flight have finished");
	else
		session_message(session, true, "Cancelling: steps in flight finish, nothing new starts; Ctrl-C again quits now");
	loop->dirty = true;
}

static void handle_signals(struct loop *loop)
{
	while (loop->interrupts_seen != interrupts && !loop->quit) {
		loop->interrupts_seen++;
		interrupted(loop, false);
	}
	while (loop->terminations_seen != terminations && !loop->quit) {
		loop->terminations_seen++;
		interrupted(loop, true);
	}
}

/* --- prompts ------------------------------------------------------------------------------ */

static void open_prompt(struct loop *loop, enum prompt_kind kind)
{
	struct session *session = loop->session;
	loop->prompt_kind = kind;
	loop->prompt_error[0] = '\0';
	session->message[0] = '\0';
	switch (kind) {
	case PROMPT_FILTER:
		snprintf(loop->filter_before, sizeof(loop->filter_before), "%s", session->filter_text);
		/* Empty, as in less and vim: the filter changes with the first key typed; Up recalls. */
		prompt_open(&loop->prompt, "filter: ", NULL, &loop->filter_history);
		break;
	case PROMPT_SEARCH:
		loop->search_origin = session->cursor;
		prompt_open(&loop->prompt, "search: ", NULL, &loop->query_history);
		break;
	case PROMPT_JUMP:
		prompt_open(&loop->prompt, "go to (id, ICCID, IMSI, MSISDN or name): ", NULL, &loop->jump_history);
		break;
	case PROMPT_COLUMNS: {
		char columns[PROMPT_TEXT_MAX];
		view_fleet_columns(loop->views[0], columns, sizeof(columns));
		prompt_open(&loop->prompt, "columns: ", columns, NULL);
		break;
	}
	case PROMPT_MARK_QUERY:
		prompt_open(&loop->prompt, "mark where: ", NULL, &loop->query_history);
		break;
	case PROMPT_IMPORT:
		prompt_open(&loop->prompt, "mark the devices listed in CSV file: ", NULL, &loop->path_history);
		loop->prompt.complete_paths = true;
		break;
	case PROMPT_EXPORT_SHOWN:
		prompt_open(&loop->prompt, "export the shown rows to (Enter: " EXPORT_SHOWN_DEFAULT "): ", NULL,
			    &loop->path_history);
		loop->prompt.complete_paths = true;
		break;
	case PROMPT_EXPORT_MARKED:
		prompt_open(&loop->prompt, "export the marked rows to (Enter: " EXPORT_MARKED_DEFAULT "): ", NULL,
			    &loop->path_history);
		loop->prompt.complete_paths = true;
		break;
	case PROMPT_OVERWRITE:
		prompt_open(&loop->prompt, loop->overwrite_label, NULL, NULL);
		break;
	case PROMPT_NONE:
		break;
	}
	loop->dirty = true;
}

/* Filter as you type: a valid query applies at once; an invalid one is never applied — the
 * filter from before the prompt opened comes back while the error shows where it went wrong. */
static void filter_typed(struct loop *loop)
{
	struct session *session = loop->session;
	int column = 0;
	if (session_set_filter(session, loop->prompt.text, loop->prompt_error, sizeof(loop->prompt_error), &column)) {
		loop->prompt_error[0] = '\0';
		return;
	}
	char message[256];
	int ignored;
	loop->prompt_error_column = column;
	if (strcmp(session->filter_text, loop->filter_before) != 0)
		session_set_filter(session, loop->filter_before, message, sizeof(message), &ignored);
}

/* Search as you type: the cursor goes to the first match after where it was when the prompt
 * opened, and back there when nothing is typed (or on Esc). */
static void search_typed(struct loop *loop)
{
	struct session *session = loop->session;
	int column = 0;
	loop->prompt_error[0] = '\0';
	if (!loop->prompt.text[0]) {
		session_move_cursor(session, loop->search_origin);
		session->message[0] = '\0';
		return;
	}
	if (!session_search(session, loop->prompt.text, loop->search_origin, true, loop->prompt_error,
			    sizeof(loop->prompt_error), &column))
		loop->prompt_error_column = column;
}

/* Write an export; when the file exists, the y/N prompt opens instead, and its yes calls this
 * again with overwrite. */
static void export_rows(struct loop *loop, const char *path, bool marked_only, bool overwrite)
{
	if (session_export(loop->session, path, marked_only, overwrite) != SESSION_EXPORT_EXISTS)
		return;
	free(loop->export_path);
	loop->export_path = xstrdup(path);
	loop->export_marked = marked_only;
	snprintf(loop->overwrite_label, sizeof(loop->overwrite_label), "%s exists: overwrite? y/N ", path);
	open_prompt(loop, PROMPT_OVERWRITE);
}

static void prompt_accepted(struct loop *loop)
{
	struct session *session = loop->session;
	const char *text = loop->prompt.text;
	int column = 0;
	switch (loop->prompt_kind) {
	case PROMPT_FILTER:
		if (loop->prompt_error[0])
			return; /* never applied half-way: the prompt stays open */
		/* Typing applied it already (Enter on an empty line cleared it). */
		if (strcmp(text, session->filter_text) != 0 &&
		    !session_set_filter(session, text, loop->prompt_error, sizeof(loop->prompt_error), &column)) {
			loop->prompt_error_column = column;
			return;
		}
		prompt_history_add(&loop->filter_history, text);
		break;
	case PROMPT_SEARCH:
		if (loop->prompt_error[0] && text[0])
			return; /* an invalid query: the prompt stays open */
		prompt_history_add(&loop->query_history, text);
		break;
	case PROMPT_JUMP:
		prompt_history_add(&loop->jump_history, text);
		session_jump(session, text);
		break;
	case PROMPT_COLUMNS:
		if (!view_fleet_set_columns(loop->views[0], text, loop->prompt_error, sizeof(loop->prompt_error))) {
			loop->prompt_error_column = 1;
			return;
		}
		break;
	case PROMPT_MARK_QUERY:
		if (!session_mark_query(session, text, loop->prompt_error, sizeof(loop->prompt_error), &column)) {
			loop->prompt_error_column = column;
			return;
		}
		prompt_history_add(&loop->query_history, text);
		break;
	case PROMPT_IMPORT:
		if (!text[0])
			break;
		prompt_history_add(&loop->path_history, text);
		loop->prompt_kind = PROMPT_NONE;
		mark_from_csv(loop, text);
		break;
	case PROMPT_EXPORT_SHOWN:
	case PROMPT_EXPORT_MARKED: {
		bool marked = loop->prompt_kind == PROMPT_EXPORT_MARKED;
		const char *path = text[0] ? text : marked ? EXPORT_MARKED_DEFAULT : EXPORT_SHOWN_DEFAULT;
		prompt_history_add(&loop->path_history, path);
		char *expanded = util_expand_home(path);
		loop->prompt_kind = PROMPT_NONE;
		export_rows(loop, expanded, marked, false);
		free(expanded);
		if (loop->prompt_kind == PROMPT_OVERWRITE)
			return; /* the question is open */
		break;
	}
	case PROMPT_OVERWRITE:
	case PROMPT_NONE:
		break;
	}
	loop->prompt_kind = PROMPT_NONE;
	loop->prompt_error[0] = '\0';
}

static void prompt_cancelled(struct loop *loop)
{
	if (loop->prompt_kind == PROMPT_FILTER) {
		char message[256];
		int column;
		session_set_filter(loop->session, loop->filter_before, message, sizeof(message), &column);
	}
	if (loop->prompt_kind == PROMPT_SEARCH) {
		session_move_cursor(loop->session, loop->search_origin);
		loop->session->message[0] = '\0';
	}
	loop->prompt_kind = PROMPT_NONE;
	loop->prompt_error[0] = '\0';
}

/* The answer to "PATH exists: overwrite? y/N": y writes, any other key keeps the file. */
static void overwrite_answered(struct loop *loop, int key)
{
	loop->prompt_kind = PROMPT_NONE;
	char *path = loop->export_path;
	loop->export_path = NULL;
	if (key == 'y' || key == 'Y')
		export_rows(loop, path, loop->export_marked, true);
	else
		session_message(loop->session, false, "Not written: %s is kept as it was", path);
	free(path);
}

static void prompt_handle_key(struct loop *loop, int key)
{
	loop->dirty = true;
	if (loop->prompt_kind == PROMPT_OVERWRITE) {
		overwrite_answered(loop, key);
		return;
	}
	switch (prompt_key(&loop->prompt, key)) {
	case PROMPT_EDITING:
		if (loop->prompt_kind == PROMPT_FILTER)
			filter_typed(loop);
		else if (loop->prompt_kind == PROMPT_SEARCH)
			search_typed(loop);
		else
			loop->prompt_error[0] = '\0';
		break;
	case PROMPT_ACCEPT:
		prompt_accepted(loop);
		break;
	case PROMPT_CANCEL:
		prompt_cancelled(loop);
		break;
	}
}

/* --- actions ------------------------------------------------------------------------------ */

static void apply_reaction(struct loop *loop, int reaction)
{
	if (reaction & REACT_REDRAW)
		loop->dirty = true;
	if (reaction & REACT_QUIT)
		loop->quit = true;
	if (reaction & REACT_CLOSE)
		pop_view(loop);
	if (reaction & REACT_REFRESH) {
		session_load(loop->session);
		loop->dirty = true;
	}
	if (reaction & REACT_PUSH) {
		push_view(loop, loop->context.pushed);
		loop->context.pushed = NULL;
	}
}

/* Actions that mean the same in every view of the main keymap; -1 for the others. */
static int common_action(struct loop *loop, enum action action)
{
	struct session *session = loop->session;
	switch (action) {
	case ACTION_FILTER:
		pop_views_above_fleet(loop);
		open_prompt(loop, PROMPT_FILTER);
		return REACT_REDRAW;
	case ACTION_MISALIGNED:
		pop_views_above_fleet(loop);
		if (strcmp(session->filter_text, "align:misaligned") != 0)
			prompt_history_add(&loop->filter_history, session->filter_text);
		session_toggle_misaligned(session);
		return REACT_REDRAW;
	case ACTION_SEARCH:
		pop_views_above_fleet(loop);
		open_prompt(loop, PROMPT_SEARCH);
		return REACT_REDRAW;
	case ACTION_SEARCH_NEXT:
	case ACTION_SEARCH_PREV:
		pop_views_above_fleet(loop);
		if (!session->search)
			open_prompt(loop, PROMPT_SEARCH);
		else
			session_search_again(session, action == ACTION_SEARCH_NEXT);
		return REACT_REDRAW;
	case ACTION_JUMP:
		pop_views_above_fleet(loop);
		open_prompt(loop, PROMPT_JUMP);
		return REACT_REDRAW;
	case ACTION_COPY:
		pop_views_above_fleet(loop);
		view_copy(&loop->context, SESSION_COPY_ICCID);
		return REACT_REDRAW;
	case ACTION_COPY_MENU:
		pop_views_above_fleet(loop);
		return view_push(&loop->context, view_copy_new());
	case ACTION_COLUMNS:
		pop_views_above_fleet(loop);
		open_prompt(loop, PROMPT_COLUMNS);
		return REACT_REDRAW;
	case ACTION_MARK_QUERY: open_prompt(loop, PROMPT_MARK_QUERY); return REACT_REDRAW;
	case ACTION_MARK_FROM_CSV: open_prompt(loop, PROMPT_IMPORT); return REACT_REDRAW;
	case ACTION_EXPORT_SHOWN: open_prompt(loop, PROMPT_EXPORT_SHOWN); return REACT_REDRAW;
	case ACTION_EXPORT_MARKED:
		if (marks_count_in_fleet(session->marks, session->fleet) == 0)
			session_message(session, true, "No device is marked: nothing to export");
		else
			open_prompt(loop, PROMPT_EXPORT_MARKED);
		return REACT_REDRAW;
	case ACTION_UNMARK_ALL:
		session_unmark_all(session);
		return REACT_REDRAW;
	case ACTION_LIVE:
		pop_views_above_fleet(loop);
		return view_push(&loop->context, view_live_new(&loop->context));
	case ACTION_ONLINE:
	case ACTION_OFFLINE:
	case ACTION_OTHER_ACTIONS:
		/* The fleet view's: its marks and cursor are what they act on. */
		pop_views_above_fleet(loop);
		return loop->views[0]->ops->handle(loop->views[0], &loop->context, action, LINES - 3);
	case ACTION_BACK:
		if (loop->view_count == 1 && session_cancel_waiting_action(session))
			return REACT_REDRAW;
		if (session->job && loop->view_count == 1) {
			session_cancel_job(session);
			session_message(session, false, "Cancelling: steps in flight finish, nothing new starts");
			return REACT_REDRAW;
		}
		if (session->live_fetch && loop->view_count == 1) {
			session_live_cancel(session);
			return REACT_REDRAW;
		}
		if (loop->view_count == 1 && session->filter_text[0]) {
			/* As in k9s: Esc in the fleet clears the filter; / and Up bring it back. */
			char message[256];
			int column;
			prompt_history_add(&loop->filter_history, session->filter_text);
			session_set_filter(session, "", message, sizeof(message), &column);
			session_message(session, false, "Filter cleared: / then Up brings it back");
			return REACT_REDRAW;
		}
		return -1;
	case ACTION_QUIT:
		if (session->job && loop->view_count == 1 && !loop->quit_asked) {
			loop->quit_asked = true;
			session_message(session, true,
					"A job is running: Esc cancels it; q again quits now (simtop --resume finishes it later)");
			return REACT_REDRAW;
		}
		return -1;
	default:
		return -1;
	}
}

/* The redraw key works on every screen: in a prompt unless the prompt edits with it, in a
 * dialog unless the dialog binds it. */
static bool is_redraw_key(const struct loop *loop, int key)
{
	if (keys_action(KEYMAP_MAIN, key) != ACTION_REDRAW)
		return false;
	if (loop->prompt_kind != PROMPT_NONE)
		return !prompt_uses_key(&loop->prompt, key);
	return top_view(loop)->ops->keymap != KEYMAP_DIALOG || keys_action(KEYMAP_DIALOG, key) == ACTION_NONE;
}

/* The wheel scrolls what is on top, three rows a notch; a click is the top view's to take. */
static void handle_mouse(struct loop *loop, enum display_mouse event, int row, int column)
{
	struct view *top = top_view(loop);
	int page_rows = LINES - 3 - has_notice(loop->session);
	if (!loop->mouse || loop->prompt_kind != PROMPT_NONE || event == DISPLAY_MOUSE_NONE)
		return;
	if (event == DISPLAY_MOUSE_CLICK) {
		if (top->ops->click)
			apply_reaction(loop, top->ops->click(top, &loop->context, row, column));
		return;
	}
	bool dialog = top->ops->keymap == KEYMAP_DIALOG;
	enum action action = event == DISPLAY_MOUSE_WHEEL_UP ? (dialog ? ACTION_SCROLL_UP : ACTION_MOVE_UP)
							     : (dialog ? ACTION_SCROLL_DOWN : ACTION_MOVE_DOWN);
	for (int notch = 0; notch < 3; notch++) {
		int reaction = top->ops->handle(top, &loop->context, action, page_rows);
		apply_reaction(loop, reaction < 0 ? REACT_REDRAW : reaction | REACT_REDRAW);
	}
}

static void handle_key(struct loop *loop, int key)
{
	struct session *session = loop->session;
	if (loop->bench)
		loop->key_ms = util_now_ms();
	if (key == KEY_RESIZE) {
		loop->dirty = true;
		return;
	}
	if (key == KEY_INTERRUPT) {
		interrupted(loop, false);
		return;
	}
	if (key == KEY_MOUSE) {
		int row = 0, column = 0;
		handle_mouse(loop, display_mouse_event(&row, &column), row, column);
		return;
	}
	if (is_redraw_key(loop, key)) {
		/* The next refresh repaints every cell, whatever the terminal shows now. */
		clearok(curscr, TRUE);
		loop->dirty = true;
		return;
	}
	if (loop->prompt_kind != PROMPT_NONE) {
		prompt_handle_key(loop, key);
		return;
	}
	struct view *top = top_view(loop);
	int page_rows = LINES - 3 - has_notice(session);
	if (session->fatal[0]) {
		enum action action = keys_action(KEYMAP_MAIN, key);
		if (action == ACTION_QUIT)
			loop->quit = true;
		else if (action == ACTION_REFRESH)
			session_load(session);
		loop->dirty = true;
		return;
	}
	if (top->ops->keymap == KEYMAP_DIALOG) {
		/* A dialog has the keys to itself; the message above it stays until it closes. */
		enum action action = keys_action(KEYMAP_DIALOG, key);
		int reaction = action != ACTION_NONE ? top->ops->handle(top, &loop->context, action, page_rows)
			: top->ops->key ? top->ops->key(top, &loop->context, key) : REACT_NONE;
		apply_reaction(loop, (reaction < 0 ? REACT_NONE : reaction) | REACT_REDRAW);
		return;
	}
	enum action action = keys_action(KEYMAP_MAIN, key);
	if (action == ACTION_NONE && top->ops->key) {
		int reaction = top->ops->key(top, &loop->context, key);
		if (reaction >= 0) {
			apply_reaction(loop, reaction | REACT_REDRAW);
			return;
		}
	}
	if (action == ACTION_NONE) {
		char name[32];
		session_message(session, false, "%s is not bound to anything: ? shows the keys",
				keys_name(key, name, sizeof(name)));
		loop->dirty = true;
		return;
	}
	if (session->message[0]) {
		session->message[0] = '\0';
		loop->dirty = true;
	}
	int reaction = common_action(loop, action);
	if (reaction < 0) {
		top = top_view(loop);
		reaction = top->ops->handle(top, &loop->context, action, page_rows);
	}
	apply_reaction(loop, reaction);
}

static void run_command(struct loop *loop, const struct script_step *step)
{
	char message[512];
	const char *command = step->command;
	if (strncmp(command, "save-display ", 13) == 0) {
		draw_screen(loop);
		loop->dirty = false;
		if (!display_save(command + 13, message, sizeof(message)))
			die(2, "script line %d: %s", step->line, message);
	} else if (strncmp(command, "save-svg ", 9) == 0) {
		draw_screen(loop);
		loop->dirty = false;
		if (!display_save_svg(command + 9, message, sizeof(message)))
			die(2, "script line %d: %s", step->line, message);
	} else if (strncmp(command, "click ", 6) == 0 || strncmp(command, "wheel ", 6) == 0) {
		/* What the terminal would report once mouse = true: ":click ROW COLUMN",
		 * ":wheel up|down". */
		int row = 0, column = 0;
		char direction[8] = "";
		if (command[0] == 'c' ? sscanf(command + 6, "%d %d", &row, &column) != 2
				      : sscanf(command + 6, "%7s", direction) != 1)
			die(2, "script line %d: click ROW COLUMN, or wheel up|down", step->line);
		handle_mouse(loop, command[0] == 'c' ? DISPLAY_MOUSE_CLICK
				   : strcmp(direction, "up") == 0 ? DISPLAY_MOUSE_WHEEL_UP : DISPLAY_MOUSE_WHEEL_DOWN,
			     row, column);
		loop->dirty = true;
	} else if (strncmp(command, "resize ", 7) == 0) {
		int columns, rows;
		if (sscanf(command + 7, "%dx%d", &columns, &rows) != 2 || columns < 1 || rows < 1)
			die(2, "script line %d: resize wants COLUMNSxROWS, e.g. 80x24", step->line);
		display_resize(columns, rows);
		loop->dirty = true;
	} else if (strncmp(command, "wait-progress ", 14) == 0) {
		long count = atol(command + 14);
		if (count < 1)
			die(2, "script line %d: wait-progress wants a number of changes", step->line);
		loop->wait_progress = (size_t)count;
	} else if (strcmp(command, "wait-idle") == 0) {
		/* The next step waits until nothing is in flight again. */
		loop->script_async = false;
	} else if (strcmp(command, "quit") == 0) {
		loop->quit = true;
	} else {
		die(2, "script line %d: unknown command ':%s'", step->line, command);
	}
}

static bool busy(const struct loop *loop)
{
	return loop->api && api_busy(loop->api);
}

int tui_run(const struct tui_options *options)
{
	struct loop *loop = xcalloc(1, sizeof(*loop));
	loop->start_ms = util_now_ms();
	loop->bench = getenv("SIMTOP_BENCH") != NULL;
	loop->mark_from = options->mark_from;
	loop->api = options->api;
	loop->transport = loop->api ? api_transport_new(loop->api) : NULL;
	loop->workspace = options->workspace;
	loop->ascii = options->ascii;
	loop->mouse = options->mouse;
	draw_set_ascii(loop->ascii);
	struct session_options session_options = {
		.transport = loop->transport,
		.api_url = options->api_url,
		.profile = options->profile,
		.read_only = options->read_only,
		.confirm_threshold = options->confirm_threshold,
		.snapshot_path = options->snapshot_path,
		.snapshot_max_age = options->snapshot_max_age,
	};
	struct session *session = loop->session = session_new(&session_options);
	loop->context = (struct view_context){
		.session = session, .api = loop->api, .ascii = options->ascii, .filter_history = &loop->filter_history,
	};
	if (options->startup_error)
		snprintf(session->fatal, sizeof(session->fatal), "%s", options->startup_error);
	if (options->script_path)
		loop->script = script_open(options->script_path);

	/* Before curses starts, so that it keeps these handlers instead of installing its own
	 * (which would end the program without a word about a running job). */
	struct sigaction action = { .sa_handler = on_signal };
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	if (!loop->script)
		sigaction(SIGHUP, &action, NULL);
	loop->interrupts_seen = interrupts;
	loop->terminations_seen = terminations;
	struct display_options display = {
		.headless = loop->script != NULL, .monochrome = options->monochrome, .mouse = options->mouse,
	};
	display_open(&display);
	push_view(loop, view_fleet_new(options->columns));
	if (!session->fatal[0] && loop->api) {
		session_show_snapshot(session, (int64_t)time(NULL));
		session_load(session);
	}

	while (!loop->quit) {
		handle_signals(loop);
		if (loop->quit)
			break;
		update(loop);
		if (loop->dirty) {
			draw_screen(loop);
			loop->dirty = false;
		}
		if (loop->script) {
			/* Fetch the next step first: ":wait-progress" must run while a job is busy. */
			if (!loop->has_step) {
				script_next(loop->script, &loop->step);
				loop->has_step = true;
			}
			bool wait_command = loop->step.kind == SCRIPT_COMMAND &&
					    strncmp(loop->step.command, "wait-progress ", 14) == 0;
			if (loop->wait_progress > 0) {
				struct job_progress progress = { 0 };
				if (session->job)
					job_progress(session->job, &progress);
				if (session->job && !progress.finished &&
				    progress.steps_settled < loop->wait_progress) {
					api_wait(loop->api, -1, BUSY_WAIT_MS, NULL);
					continue;
				}
				loop->wait_progress = 0;
				loop->script_async = session->job != NULL;
			}
			if (busy(loop) && !loop->script_async && !wait_command) {
				api_wait(loop->api, -1, BUSY_WAIT_MS, NULL);
				continue;
			}
			update(loop);
			if (loop->dirty)
				continue;
			loop->has_step = false;
			struct script_step *step = &loop->step;
			if (step->kind == SCRIPT_END)
				break;
			if (step->kind == SCRIPT_KEY)
				handle_key(loop, step->key);
			else
				run_command(loop, step);
			continue;
		}
		if (hangup || (loop->terminal_gone = loop->terminal_gone || display_input_closed())) {
			/* The terminal is gone (SSH dropped): a running job finishes, journaled and
			 * audited, with nobody watching; then simtop exits. */
			loop->terminal_gone = true;
			if (!session->job)
				break;
			api_wait(loop->api, -1, IDLE_WAIT_MS, NULL);
			update(loop);
			loop->dirty = false;
			continue;
		}
		bool key_ready = false;
		int wait_ms = busy(loop) ? BUSY_WAIT_MS : IDLE_WAIT_MS;
		if (loop->api) {
			api_wait(loop->api, display_input_fd(), wait_ms, &key_ready);
		} else {
			timeout(wait_ms);
			int key = display_read_key();
			nodelay(stdscr, TRUE);
			if (key != -1)
				handle_key(loop, key);
		}
		for (int key; (key = display_read_key()) != -1;)
			handle_key(loop, key);
	}

	if (session->job)
		note_unfinished_job(loop, false); /* quit with the job running: q q, Ctrl-C twice, a signal */
	display_close();
	int status = 0;
	if (loop->left_journal) {
		print_unfinished_job(loop);
		status = 1;
	}
	if (loop->bench)
		fprintf(stderr, "bench: devices=%zu first_rows_ms=%lld loaded_ms=%lld peak_rss_kb=%ld fleet_bytes=%zu\n",
			fleet_count(session->fleet), (long long)loop->first_rows_ms, (long long)loop->loaded_ms,
			peak_rss_kb(), fleet_memory(session->fleet));
	while (loop->view_count > 0) {
		struct view *view = loop->views[--loop->view_count];
		view->ops->free(view);
	}
	session_free(session);
	api_transport_free(loop->transport);
	script_close(loop->script);
	prompt_history_free(&loop->filter_history);
	prompt_history_free(&loop->query_history);
	prompt_history_free(&loop->path_history);
	prompt_history_free(&loop->jump_history);
	free(loop->export_path);
	free(loop->left_journal);
	free(loop);
	return status;
}
