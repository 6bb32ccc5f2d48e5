/* tui.c — the interactive program: the event loop, the title and status lines, prompts, the
 * view stack, and the derived rows (filter, marks, sort). */
#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "csv.h"
#include "job.h"
#include "journal.h"
#include "display.h"
#include "files.h"
#include "draw.h"
#include "keys.h"
#include "output.h"
#include "plan_text.h"
#include "script.h"
#include "text.h"
#include "tui.h"
#include "util.h"
#include "view.h"

#define VIEW_STACK_MAX 6
/* While pages arrive, rebuild the rows at most this often: cheap at 1M rows, smooth to watch. */
#define LOADING_REDRAW_MS 100
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
	PROMPT_MARK_QUERY,
	PROMPT_IMPORT,
	PROMPT_EXPORT_SHOWN,
	PROMPT_EXPORT_MARKED,
	PROMPT_OVERWRITE,    /* y/N: an export's file exists */
};

struct loop {
	struct tui tui;
	struct view *views[VIEW_STACK_MAX];
	int view_count;
	struct script *script;
	bool dirty;
	bool quit;
	int64_t last_rows_ms;
	size_t rows_seen;     /* fleet_count when the rows were last built */
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
	char filter_before[PROMPT_TEXT_MAX]; /* restored by Esc */
	char filter_before_misaligned[PROMPT_TEXT_MAX]; /* restored by the second ! */
	/* Every device in the current sort order, so a filter change never sorts again. */
	struct rows sorted;
	bool sorted_valid;
	enum sort_column sorted_column;
	bool sorted_descending;
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

void tui_message(struct tui *tui, bool error, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vsnprintf(tui->message, sizeof(tui->message), format, args);
	va_end(args);
	tui->message_is_error = error;
}

void tui_describe_rows(const struct tui *tui, char *buffer, size_t size)
{
	char shown[32], marked[32], hidden[32];
	int length = snprintf(buffer, size, "%s shown", util_thousands((int64_t)tui->rows.count, shown, sizeof(shown)));
	if (tui->marked_shown + tui->marked_hidden > 0 && length >= 0 && (size_t)length < size)
		length += snprintf(buffer + length, size - (size_t)length, " \u00b7 %s marked",
				   util_thousands((int64_t)tui->marked_shown, marked, sizeof(marked)));
	if (tui->marked_hidden > 0 && length >= 0 && (size_t)length < size)
		snprintf(buffer + length, size - (size_t)length, " (%s hidden by the filter)",
			 util_thousands((int64_t)tui->marked_hidden, hidden, sizeof(hidden)));
}

/* --- derived rows ------------------------------------------------------------------------- */

bool tui_set_filter(struct tui *tui, const char *query, char *message, size_t size, int *column)
{
	struct filter *filter = filter_parse(query, message, size, column);
	if (!filter)
		return false;
	filter_free(tui->filter);
	tui->filter = filter_is_empty(filter) ? (filter_free(filter), NULL) : filter;
	snprintf(tui->filter_text, sizeof(tui->filter_text), "%s", query);
	return true;
}

/* Count the marked devices among the shown rows once per change, not at every redraw: at a
 * million rows it takes tens of milliseconds. */
static void count_marks(struct tui *tui)
{
	tui->marked_hidden = 0;
	tui->marked_shown = marks_count(tui->marks) == 0 ? 0
		: marks_count_in_rows(tui->marks, tui->fleet, &tui->rows, &tui->marked_hidden);
}

static void keep_cursor(struct loop *loop, bool had_cursor, size_t cursor_device)
{
	struct tui *tui = &loop->tui;
	if (had_cursor && loop->view_count > 0) {
		size_t position = rows_find(&tui->rows, cursor_device);
		view_fleet_set_cursor(loop->views[0], tui, position < tui->rows.count ? position : 0);
	}
	loop->dirty = true;
}

/* Rebuild the shown rows: every device in the sort order (cached), then the filter, then
 * "only marked". The cursor stays on the same device when it is still shown. */
static void derive_rows(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	size_t cursor_device = 0;
	bool had_cursor = loop->view_count > 0 && view_fleet_cursor_device(loop->views[0], tui, &cursor_device);

	const struct rows *ordered = &tui->base;
	if (tui->sort != SORT_DEFAULT || tui->descending) {
		if (!loop->sorted_valid || loop->sorted_column != tui->sort || loop->sorted_descending != tui->descending) {
			struct rows *sorted = &loop->sorted;
			sorted->index = xgrow(sorted->index, &sorted->capacity, tui->base.count, sizeof(*sorted->index));
			memcpy(sorted->index, tui->base.index, tui->base.count * sizeof(*sorted->index));
			sorted->count = tui->base.count;
			sort_rows(sorted, tui->fleet, tui->sort, tui->descending);
			loop->sorted_valid = true;
			loop->sorted_column = tui->sort;
			loop->sorted_descending = tui->descending;
		}
		ordered = &loop->sorted;
	}
	tui->rows.index = xgrow(tui->rows.index, &tui->rows.capacity, ordered->count, sizeof(*tui->rows.index));
	memcpy(tui->rows.index, ordered->index, ordered->count * sizeof(*tui->rows.index));
	tui->rows.count = ordered->count;
	if (tui->filter)
		filter_rows(tui->filter, tui->fleet, &tui->rows);
	if (tui->only_marked)
		marks_filter_rows(tui->marks, tui->fleet, &tui->rows);
	count_marks(tui);
	keep_cursor(loop, had_cursor, cursor_device);
}

/* The new filter only narrows the one the rows show, so the shown rows can be filtered instead
 * of the fleet: a new term added after a space, or more characters typed onto a last term that
 * matches by substring or prefix (a bare word, a status, name:, ip:, …). Not for OR, negation,
 * quotes or regular expressions, nor for fields that match whole values (id:, tag:). */
static bool filter_narrows(const char *before, const char *after)
{
	static const char *const substring_fields[] = {
		"sim:", "ep:", "endpoint:", "align:", "name:", "iccid:", "imsi:", "msisdn:", "imei:", "ip:",
	};
	size_t length = strlen(before);
	if (length == 0 || strncmp(before, after, length) != 0)
		return false;
	const char *added = after + length;
	if (strpbrk(added, ",!~\"") != NULL)
		return false;
	if (added[0] == ' ')
		return true;
	const char *last_term = strrchr(before, ' ');
	last_term = last_term ? last_term + 1 : before;
	if (strpbrk(last_term, ",!~\"") != NULL)
		return false;
	const char *colon = strchr(last_term, ':');
	if (!colon)
		return strchr(added, ':') == NULL;  /* a word that becomes a field (`name` → `name:`) */
	if (colon[1] == '\0')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(substring_fields); i++)
		if (strncmp(last_term, substring_fields[i], strlen(substring_fields[i])) == 0)
			return true;
	return false;
}

static void derive_rows_narrowed(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	size_t cursor_device = 0;
	bool had_cursor = view_fleet_cursor_device(loop->views[0], tui, &cursor_device);
	if (tui->filter)
		filter_rows(tui->filter, tui->fleet, &tui->rows);
	count_marks(tui);
	keep_cursor(loop, had_cursor, cursor_device);
}

/* The fleet changed: rebuild base (default order) and the shown rows. */
static void rebuild_rows(struct loop *loop, bool sorted)
{
	struct tui *tui = &loop->tui;
	rows_build(&tui->base, tui->fleet, sorted);
	loop->sorted_valid = false;
	loop->rows_seen = fleet_count(tui->fleet);
	loop->last_rows_ms = util_now_ms();
	derive_rows(loop);
}

/* --- the title and status lines ----------------------------------------------------------- */

static void draw_title(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	int attr = display_attr(ROLE_TITLE);
	char line[512], number[32];
	size_t devices = 0;
	for (int alignment = 0; alignment < ALIGN_COUNT; alignment++)
		devices += fleet_count_alignment(tui->fleet, (enum alignment)alignment);
	int length = snprintf(line, sizeof(line), " simtop  %s%s  %s devices", tui->workspace,
			      tui->read_only ? " (read-only)" : "",
			      util_thousands((int64_t)devices, number, sizeof(number)));
	/* Misaligned first: it is what the operator is looking for, and it must fit in 80 columns. */
	static const enum alignment shown[] = { ALIGN_MISALIGNED, ALIGN_ONLINE, ALIGN_OFFLINE,
						ALIGN_UNPAIRED, ALIGN_NEW, ALIGN_TEST };
	for (size_t i = 0; i < ARRAY_SIZE(shown) && length < (int)sizeof(line); i++) {
		size_t count = fleet_count_alignment(tui->fleet, shown[i]);
		if (count == 0 && shown[i] != ALIGN_ONLINE && shown[i] != ALIGN_MISALIGNED)
			continue;
		length += snprintf(line + length, sizeof(line) - (size_t)length, "  %s %s %s",
				   model_alignment_glyph(shown[i], tui->ascii),
				   util_thousands((int64_t)count, number, sizeof(number)),
				   model_alignment_word(shown[i]));
	}
	draw_cell(0, 0, line, COLS, attr);

	char state[64] = "";
	const struct api_load_progress *progress = &tui->progress;
	if (progress->running) {
		int percent = progress->records_total > 0
			? (int)(100 * progress->records_loaded / progress->records_total) : 0;
		snprintf(state, sizeof(state), " %s %s %d%% ", tui->ascii ? "~" : "\u21bb",
			 tui->incoming ? "refreshing" : "loading", percent > 100 ? 100 : percent);
	} else if (progress->error != API_OK) {
		snprintf(state, sizeof(state), " %s load failed ", tui->ascii ? "x" : "\u2716");
	}
	if (state[0]) {
		int width = text_width(state);
		draw_text(0, COLS - width, state, width, attr | A_BOLD);
	}
}

static void describe_job(struct loop *loop, char *buffer, size_t size);

static void draw_prompt(struct loop *loop)
{
	int row = LINES - 1;
	int attr = display_attr(ROLE_STATUS);
	struct prompt *prompt = &loop->prompt;
	draw_cell(row, 0, "", COLS, attr);
	int x = draw_text(row, 0, prompt->label, COLS, attr);
	int before = x;
	/* The text, with the character under the cursor in reverse video. */
	char head[PROMPT_TEXT_MAX];
	memcpy(head, prompt->text, prompt->cursor);
	head[prompt->cursor] = '\0';
	x += draw_text(row, x, head, COLS - x, attr);
	const char *rest = prompt->text + prompt->cursor;
	size_t cursor_bytes = rest[0] ? text_fit(rest, 1, NULL) : 0;
	char under[8] = " ";
	if (cursor_bytes > 0 && cursor_bytes < sizeof(under)) {
		memcpy(under, rest, cursor_bytes);
		under[cursor_bytes] = '\0';
	}
	x += draw_text(row, x, under, COLS - x, attr ^ A_REVERSE);
	if (rest[0])
		x += draw_text(row, x, rest + cursor_bytes, COLS - x, attr);

	if (loop->prompt_kind == PROMPT_FILTER) {
		/* What the query typed so far shows, as it changes. */
		char counts[160];
		tui_describe_rows(&loop->tui, counts, sizeof(counts));
		int width = text_width(counts);
		if (x + 2 + width < COLS)
			draw_text(row, COLS - width - 1, counts, width, attr);
	}

	if (loop->prompt_error[0]) {
		/* A caret under the refused character, and why. */
		char line[512];
		int column = before + loop->prompt_error_column - 1;
		if (column < 0 || column >= COLS)
			column = before;
		snprintf(line, sizeof(line), "%*s^ %s", column, "", loop->prompt_error);
		draw_cell(row - 1, 0, line, COLS, display_attr(ROLE_ERROR));
	}
}

static void draw_status(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	if (loop->prompt_kind != PROMPT_NONE) {
		draw_prompt(loop);
		return;
	}
	struct view *view = loop->views[loop->view_count - 1];
	int row = LINES - 1;
	int attr = display_attr(ROLE_STATUS);
	const char *hint = view->ops->hint(view, tui);
	int hint_width = text_width(hint);
	char left[600] = "";
	if (view->ops->position)
		view->ops->position(view, tui, left, sizeof(left));
	draw_cell(row, 0, left, COLS, attr);
	if (text_width(left) + hint_width + 2 < COLS)
		draw_text(row, COLS - hint_width - 1, hint, hint_width, attr);
}

static bool has_notice(const struct tui *tui)
{
	return (tui->job && !tui->message_is_error) || tui->message[0] || tui->progress.retry_note[0] ||
	       tui->data_warning[0];
}

/* On the line above the status line, the first of: a running job's progress, the message, a
 * load's retry countdown, what was odd in the fleet's data. */
static void draw_notice(struct loop *loop, int row)
{
	struct tui *tui = &loop->tui;
	char line[600];
	int attr = display_attr(ROLE_STATUS);
	if (tui->job && !tui->message_is_error) {
		describe_job(loop, line, sizeof(line));
	} else if (tui->message[0]) {
		attr = display_attr(tui->message_is_error ? ROLE_ERROR : ROLE_STATUS);
		snprintf(line, sizeof(line), " %s", tui->message);
	} else if (tui->progress.retry_note[0]) {
		attr = display_attr(ROLE_ERROR);
		snprintf(line, sizeof(line), " %s", tui->progress.retry_note);
	} else {
		attr = display_attr(ROLE_ERROR);
		snprintf(line, sizeof(line), " %s", tui->data_warning);
	}
	draw_cell(row, 0, line, COLS, attr);
}

static void draw_screen(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	erase();
	if (tui->fatal[0]) {
		draw_message_screen(" simtop cannot show the fleet", tui->fatal, display_attr(ROLE_ERROR));
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
	struct view *view = loop->views[loop->view_count - 1];
	bool notice = has_notice(tui);
	view->ops->draw(view, tui, 1, LINES - 2 - notice);
	if (notice)
		draw_notice(loop, LINES - 2);
	draw_status(loop);
	refresh();
	int64_t now = util_now_ms();
	if (loop->bench && loop->first_rows_ms == 0 && tui->rows.count > 0)
		loop->first_rows_ms = now - loop->start_ms;
	if (loop->bench && loop->key_ms) {
		fprintf(stderr, "bench: key_to_screen_ms=%lld rows=%zu\n", (long long)(now - loop->key_ms), tui->rows.count);
		loop->key_ms = 0;
	}
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

/* --- views -------------------------------------------------------------------------------- */

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

/* struct tui is the first member of struct loop, so views can push views through it. */
void tui_push_view(struct tui *tui, struct view *view)
{
	push_view((struct loop *)tui, view);
}

static void pop_views_above_fleet(struct loop *loop)
{
	while (loop->view_count > 1) {
		struct view *view = loop->views[--loop->view_count];
		view->ops->free(view);
	}
}

/* --- loading ------------------------------------------------------------------------------ */

static void start_load(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	if (!tui->api)
		return;
	tui->fatal[0] = '\0';
	tui->message[0] = '\0';
	if (fleet_count(tui->fleet) == 0) {
		api_load_start(tui->api, tui->fleet);
	} else {
		if (tui->incoming)
			fleet_free(tui->incoming);
		tui->incoming = fleet_new();
		api_load_start(tui->api, tui->incoming);
	}
	api_load_progress(tui->api, &tui->progress);
	loop->dirty = true;
}

static void finish_refresh(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	/* Views above the fleet view may hold device indexes of the old fleet. */
	pop_views_above_fleet(loop);
	size_t cursor_device = 0;
	struct device old_device = { 0 };
	bool had_cursor = view_fleet_cursor_device(loop->views[0], tui, &cursor_device);
	if (had_cursor)
		old_device = *fleet_device(tui->fleet, cursor_device);
	fleet_free(tui->fleet);
	tui->fleet = tui->incoming;
	tui->incoming = NULL;
	rows_build(&tui->base, tui->fleet, true);
	loop->sorted_valid = false;
	loop->rows_seen = fleet_count(tui->fleet);
	/* The cursor follows its device into the new fleet, found by its ids. */
	size_t index = 0;
	bool found = (old_device.endpoint_id && fleet_find_endpoint(tui->fleet, old_device.endpoint_id, &index)) ||
		     (old_device.sim_id && fleet_find_sim(tui->fleet, old_device.sim_id, &index));
	tui->rows.count = 0;
	derive_rows(loop);
	if (found)
		view_fleet_set_cursor(loop->views[0], tui, rows_find(&tui->rows, index));
}

static void offer_resume(struct loop *loop);

static void after_first_load(struct loop *loop)
{
	offer_resume(loop);
	if (!loop->mark_from)
		return;
	struct view *unknown = tui_mark_from_csv(&loop->tui, loop->mark_from);
	loop->mark_from = NULL;
	derive_rows(loop);
	push_view(loop, unknown);
}

static void update_load(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	if (!tui->api)
		return;
	bool was_running = tui->progress.running;
	struct api_load_progress before = tui->progress;
	api_load_progress(tui->api, &tui->progress);
	const struct api_load_progress *now = &tui->progress;
	if (now->records_loaded != before.records_loaded || now->running != before.running ||
	    strcmp(now->retry_note, before.retry_note) != 0)
		loop->dirty = true;

	if (was_running && !now->running) {
		if (now->error != API_OK) {
			if (tui->incoming) {
				fleet_free(tui->incoming);
				tui->incoming = NULL;
				tui_message(tui, true, "Refresh failed, showing the earlier fleet: %s", now->message);
			} else if (fleet_count(tui->fleet) == 0) {
				snprintf(tui->fatal, sizeof(tui->fatal), "%s", now->message);
			} else {
				tui_message(tui, true, "Loading stopped: %s", now->message);
				rebuild_rows(loop, true);
			}
		} else if (tui->incoming) {
			finish_refresh(loop);
			tui->loaded = true;
		} else {
			rebuild_rows(loop, true);
			tui->loaded = true;
			after_first_load(loop);
		}
		fleet_describe_anomalies(tui->fleet, tui->data_warning, sizeof(tui->data_warning));
		if (loop->bench && loop->loaded_ms == 0 && tui->loaded)
			loop->loaded_ms = util_now_ms() - loop->start_ms;
		loop->dirty = true;
		return;
	}
	/* First load: show rows as the pages arrive. */
	if (!tui->incoming && fleet_count(tui->fleet) != loop->rows_seen &&
	    (loop->rows_seen == 0 || util_now_ms() - loop->last_rows_ms >= LOADING_REDRAW_MS))
		rebuild_rows(loop, false);
}

/* --- CSV in and out ----------------------------------------------------------------------- */

struct view *tui_mark_from_csv(struct tui *tui, const char *path)
{
	struct csv_ids ids = { 0 }, unknown = { 0 };
	char message[512];
	char *expanded = util_expand_home(path);
	bool read = csv_read_ids(expanded, &ids, message, sizeof(message));
	free(expanded);
	if (!read) {
		tui_message(tui, true, "Nothing marked: %s", message);
		return NULL;
	}
	size_t rows = 0;  /* a row may give several identifiers, all on its line */
	for (size_t i = 0; i < ids.count; i++)
		rows += i == 0 || ids.items[i].line != ids.items[i - 1].line;
	size_t before = marks_count_in_fleet(tui->marks, tui->fleet);
	size_t missing = csv_mark(&ids, tui->fleet, tui->marks, &unknown);
	size_t added = marks_count_in_fleet(tui->marks, tui->fleet) - before;
	char count[32], total[32];
	struct view *view = NULL;
	if (missing > 0) {
		tui_message(tui, true, "%s: marked %s more devices; %zu rows name no device of the fleet", path,
			    util_thousands((int64_t)added, count, sizeof(count)), missing);
		char **lines = xmalloc(sizeof(*lines) * (unknown.count + 2));
		size_t line_count = 0;
		lines[line_count++] = xasprintf("%zu of %zu rows in %s name no device of the fleet:",
						missing, rows, path);
		lines[line_count++] = xstrdup("");
		for (size_t i = 0; i < unknown.count; i++)
			lines[line_count++] = xasprintf("  line %-8zu %-16s %s", unknown.items[i].line,
							csv_id_kind_name(unknown.items[i].kind), unknown.items[i].value);
		view = view_text_new(" Not in the fleet", lines, line_count);
	} else {
		tui_message(tui, false, "%s: all %s rows found; %s more devices marked", path,
			    util_thousands((int64_t)rows, total, sizeof(total)),
			    util_thousands((int64_t)added, count, sizeof(count)));
	}
	csv_ids_free(&ids);
	csv_ids_free(&unknown);
	return view;
}

static void open_prompt(struct loop *loop, enum prompt_kind kind);

enum export_open {
	EXPORT_OPENED,
	EXPORT_EXISTS,   /* a regular file is there: ask before overwriting it */
	EXPORT_REFUSED,  /* message says why */
};

/* Open an export file (files_create_export): EXPORT_EXISTS when the operator must be asked
 * first. */
static enum export_open open_export(const char *path, bool overwrite, FILE **file, char *message, size_t size)
{
	int fd = files_create_export(path, overwrite, message, size);
	if (fd < 0)
		return errno == EEXIST ? EXPORT_EXISTS : EXPORT_REFUSED;
	if (!(*file = fdopen(fd, "w"))) {
		snprintf(message, size, "cannot write the export %s: %s", path, strerror(errno));
		close(fd);
		return EXPORT_REFUSED;
	}
	return EXPORT_OPENED;
}

/* Write the shown (or the marked) rows to path: CSV, or JSON when it ends in .json. When the
 * file exists, the y/N prompt opens instead, and its yes calls this again with overwrite. */
static void export_rows(struct loop *loop, const char *path, bool marked_only, bool overwrite)
{
	struct tui *tui = &loop->tui;
	FILE *file = NULL;
	char message[PROMPT_TEXT_MAX + 128];
	switch (open_export(path, overwrite, &file, message, sizeof(message))) {
	case EXPORT_EXISTS:
		free(loop->export_path);
		loop->export_path = xstrdup(path);
		loop->export_marked = marked_only;
		snprintf(loop->overwrite_label, sizeof(loop->overwrite_label), "%s exists: overwrite? y/N ", path);
		open_prompt(loop, PROMPT_OVERWRITE);
		return;
	case EXPORT_REFUSED:
		tui_message(tui, true, "Not written: %s", message);
		return;
	case EXPORT_OPENED:
		break;
	}
	struct rows rows = { 0 };
	if (marked_only) {
		rows_build(&rows, tui->fleet, true);
		marks_filter_rows(tui->marks, tui->fleet, &rows);
	}
	const struct rows *source = marked_only ? &rows : &tui->rows;
	size_t length = strlen(path);
	enum output_format format = length > 5 && strcmp(path + length - 5, ".json") == 0 ? OUTPUT_JSON : OUTPUT_CSV;
	bool written = output_write(file, tui->fleet, source->index, source->count, format);
	if (fclose(file) != 0)
		written = false;
	char count[32];
	if (written)
		tui_message(tui, false, "Wrote %s %s rows to %s", util_thousands((int64_t)source->count, count, sizeof(count)),
			    marked_only ? "marked" : "shown", path);
	else
		tui_message(tui, true, "Cannot write %s: %s", path, strerror(errno));
	rows_free(&rows);
}

/* --- bulk jobs ---------------------------------------------------------------------------- */

/* Where jobs run now: the API URL, the profile and the token's workspace. */
static void current_origin(const struct tui *tui, struct journal_origin *origin, char *name, size_t size)
{
	*origin = (struct journal_origin){
		.api_url = tui->api_url, .profile = tui->profile,
		.workspace_id = api_workspace(tui->api, name, size), .workspace_name = name,
	};
}

static struct journal *create_journal(const struct tui *tui, const struct plan *plan, char *message, size_t size)
{
	struct journal_origin origin;
	char name[96];
	current_origin(tui, &origin, name, sizeof(name));
	return journal_create(NULL, plan, &origin, message, size);
}

static void start_job(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	struct plan *plan = tui->pending_plan;
	enum journal_state (*states)[2] = tui->pending_states;
	struct journal *journal = tui->pending_journal;
	tui->pending_plan = NULL;
	tui->pending_states = NULL;
	tui->pending_journal = NULL;
	if (!plan)
		return;
	char message[512];
	if (!tui->api) {
		tui_message(tui, true, "No application token: nothing can be sent");
	} else if (!journal && !(journal = create_journal(tui, plan, message, sizeof(message)))) {
		tui_message(tui, true, "Nothing was sent: the journal cannot be written: %s", message);
	} else if (!tui->audit && !(tui->audit = audit_open(NULL, message, sizeof(message)))) {
		tui_message(tui, true, "Nothing was sent: the audit log cannot be written: %s", message);
	} else {
		tui->journal = journal;
		tui->job_plan = plan;
		/* The job starts without what the load saved up: requests / rate is what it takes. */
		api_set_rate(tui->api, 0);
		tui->job = job_start(tui->transport, plan, states, journal, tui->audit, NULL);
		free(states);
		tui_message(tui, false, "Started: %s on %zu devices; journal %s", plan_action_name(plan->action),
			    plan->count, journal_path(journal));
		loop->dirty = true;
		return;
	}
	if (journal)
		journal_close(journal);
	free(states);
	plan_free(plan);
	free(plan);
	loop->dirty = true;
}

/* Remember how many devices the job leaves unfinished (not started, in flight or cancelled)
 * and its journal, when there are any, for print_unfinished_job(). */
static void note_unfinished_job(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	size_t unfinished = 0, in_flight = 0;
	for (size_t i = 0; i < tui->job_plan->count; i++) {
		enum job_outcome outcome = job_result(tui->job, i)->outcome;
		unfinished += outcome == JOB_PENDING || outcome == JOB_RUNNING || outcome == JOB_CANCELLED;
		in_flight += outcome == JOB_RUNNING;
	}
	if (unfinished == 0)
		return;
	loop->left_in_flight = in_flight;
	free(loop->left_journal);
	loop->left_journal = xstrdup(journal_path(tui->journal));
	loop->left_devices = unfinished;
	loop->left_total = tui->job_plan->count;
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

/* Ctrl-C (SIGINT, or the key when the terminal passes it through) and SIGTERM. Without a job,
 * quit. With one, the first acts as Esc: job_cancel() lets the steps in flight finish, journaled,
 * and starts nothing new; SIGTERM then quits once they have settled. A Ctrl-C within
 * INTERRUPT_AGAIN_MS of the one before (or of SIGTERM) quits at once; a repeated SIGTERM does
 * not, since some senders deliver it twice (timeout(1) signals both its child and its group). */
static void interrupted(struct loop *loop, bool terminate)
{
	struct tui *tui = &loop->tui;
	int64_t now = util_now_ms();
	if (!tui->job || (!terminate && loop->interrupt_ms && now - loop->interrupt_ms <= INTERRUPT_AGAIN_MS)) {
		loop->quit = true;
		return;
	}
	loop->interrupt_ms = now;
	loop->quit_when_settled = loop->quit_when_settled || terminate;
	job_cancel(tui->job);
	if (loop->quit_when_settled)
		tui_message(tui, true, "Terminated: cancelling; simtop quits once the steps in flight have finished");
	else
		tui_message(tui, true, "Cancelling: steps in flight finish, nothing new starts; Ctrl-C again quits now");
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

/* Put what the job read back into the fleet, so the rows show the truth. */
static void apply_job_results(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	const struct plan *plan = tui->job_plan;
	for (size_t i = 0; i < plan->count; i++) {
		const struct job_device_result *result = job_result(tui->job, i);
		if (!result->read_back)
			continue;
		const struct plan_device *device = &plan->devices[i];
		size_t index;
		if ((device->endpoint_id && fleet_find_endpoint(tui->fleet, device->endpoint_id, &index)) ||
		    (device->sim_id && fleet_find_sim(tui->fleet, device->sim_id, &index)))
			fleet_set_statuses(tui->fleet, index, result->sim_status, result->endpoint_status);
	}
	loop->sorted_valid = false; /* statuses changed: a sort by status is stale */
}

static void update_job(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	if (!tui->job)
		return;
	struct job_progress progress;
	job_progress(tui->job, &progress);
	int64_t now = util_now_ms();
	if (now - loop->last_job_draw_ms >= 250 || progress.finished) {
		loop->last_job_draw_ms = now;
		loop->dirty = true;
	}
	if (!progress.finished)
		return;
	/* Nobody is watching (hang-up), or SIGTERM waited for the steps in flight: what the job
	 * left is printed on the way out, since no results view will be seen. */
	if (loop->quit_when_settled || loop->terminal_gone)
		note_unfinished_job(loop);
	if (loop->quit_when_settled)
		loop->quit = true;
	apply_job_results(loop);
	size_t trouble = 0;
	for (size_t i = 0; i < tui->job_plan->count; i++) {
		const struct job_device_result *result = job_result(tui->job, i);
		if (result->outcome == JOB_FAILED || result->outcome == JOB_HALF_DONE ||
		    result->outcome == JOB_CANCELLED || result->changed_elsewhere)
			trouble++;
	}
	if (progress.error[0])
		tui_message(tui, true, "The job stopped: %s", progress.error);
	else if (trouble == 0)
		tui_message(tui, false, "%s: all %zu devices reached their target", plan_action_name(tui->job_plan->action),
			    tui->job_plan->count);
	else
		tui_message(tui, true, "%s: %zu of %zu devices did not reach their target", plan_action_name(tui->job_plan->action),
			    trouble, tui->job_plan->count);
	if (trouble > 0) {
		pop_views_above_fleet(loop);
		push_view(loop, view_results_new(tui, tui->job_plan, tui->job));
	}
	job_free(tui->job);
	tui->job = NULL;
	journal_close(tui->journal);
	tui->journal = NULL;
	plan_free(tui->job_plan);
	free(tui->job_plan);
	tui->job_plan = NULL;
	loop->quit_asked = false;
	derive_rows(loop);
}

/* "offline [######....] 120 done · 2 failed · 88 left · 6.6/s · ETA 0:13 · Esc cancels" */
static void describe_job(struct loop *loop, char *buffer, size_t size)
{
	struct tui *tui = &loop->tui;
	struct job_progress progress;
	job_progress(tui->job, &progress);
	/* The bar follows the changes: devices are done only once their pair is. */
	int filled = progress.steps ? (int)(8 * progress.steps_settled / progress.steps) : 8;
	char bar[64];
	int length = 0;
	for (int i = 0; i < 8; i++)
		length += snprintf(bar + length, sizeof(bar) - (size_t)length, "%s",
				   i < filled ? (tui->ascii ? "#" : "\u2588") : (tui->ascii ? "." : "\u2591"));
	char words[400];
	snprintf(buffer, size, " %s %s %s \u00b7 %s", plan_action_name(tui->job_plan->action), bar,
		 plan_text_progress(&progress, words, sizeof(words)), progress.cancelling ? "cancelling" : "Esc cancels");
}

static void offer_resume(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	if (tui->read_only || !tui->api)
		return;
	char *path = journal_find_unfinished(NULL);
	if (!path)
		return;
	struct plan *plan = xcalloc(1, sizeof(*plan));
	enum journal_state (*states)[2] = NULL;
	char message[512];
	struct journal *journal = journal_resume(path, plan, &states, false, message, sizeof(message), NULL);
	struct journal_origin origin;
	char name[96], why[512];
	current_origin(tui, &origin, name, sizeof(name));
	if (!journal) {
		tui_message(tui, true, "An unfinished job's journal cannot be resumed: %s", message);
		free(plan);
	} else if (!journal_origin_matches(journal, &origin, why, sizeof(why))) {
		/* Another API's or workspace's job: not offered here. */
		tui_message(tui, false, "An unfinished job (%s) is not offered here: %s", path, why);
		journal_close(journal);
		free(states);
		plan_free(plan);
		free(plan);
	} else {
		/* The fleet was loaded just now: what is still needed is planned from it. */
		struct job_truth *truths = xcalloc(plan->count ? plan->count : 1, sizeof(*truths));
		struct job_rebase_report report;
		job_truths_from_fleet(tui->fleet, plan, truths);
		job_rebase(plan, states, truths, &report);
		free(truths);
		push_view(loop, view_plan_resume(tui, plan, states, journal));
		tui_message(tui, false, "An earlier job did not finish (%s): %zu left to change, %zu already there, "
			    "%zu changed elsewhere", path, report.remaining, report.reached, report.changed);
	}
	free(path);
}

/* --- prompts ------------------------------------------------------------------------------ */

static void open_prompt(struct loop *loop, enum prompt_kind kind)
{
	struct tui *tui = &loop->tui;
	loop->prompt_kind = kind;
	loop->prompt_error[0] = '\0';
	tui->message[0] = '\0';
	switch (kind) {
	case PROMPT_FILTER:
		snprintf(loop->filter_before, sizeof(loop->filter_before), "%s", tui->filter_text);
		/* Empty, as in less and vim: the filter changes with the first key typed; Up recalls. */
		prompt_open(&loop->prompt, "filter: ", NULL, &tui->filter_history);
		break;
	case PROMPT_MARK_QUERY:
		prompt_open(&loop->prompt, "mark where: ", NULL, &tui->query_history);
		break;
	case PROMPT_IMPORT:
		prompt_open(&loop->prompt, "mark the devices listed in CSV file: ", NULL, &tui->path_history);
		break;
	case PROMPT_EXPORT_SHOWN:
		prompt_open(&loop->prompt, "export the shown rows to (Enter: " EXPORT_SHOWN_DEFAULT "): ", NULL,
			    &tui->path_history);
		break;
	case PROMPT_EXPORT_MARKED:
		prompt_open(&loop->prompt, "export the marked rows to (Enter: " EXPORT_MARKED_DEFAULT "): ", NULL,
			    &tui->path_history);
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
	struct tui *tui = &loop->tui;
	int column = 0;
	char applied[PROMPT_TEXT_MAX];
	snprintf(applied, sizeof(applied), "%s", tui->filter_text);
	if (tui_set_filter(tui, loop->prompt.text, loop->prompt_error, sizeof(loop->prompt_error), &column)) {
		loop->prompt_error[0] = '\0';
		if (filter_narrows(applied, tui->filter_text)) {
			derive_rows_narrowed(loop);
			return;
		}
	} else {
		char message[256];
		int ignored;
		loop->prompt_error_column = column;
		if (strcmp(tui->filter_text, loop->filter_before) != 0)
			tui_set_filter(tui, loop->filter_before, message, sizeof(message), &ignored);
	}
	derive_rows(loop);
}

static void prompt_accepted(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	const char *text = loop->prompt.text;
	int column = 0;
	switch (loop->prompt_kind) {
	case PROMPT_FILTER:
		if (loop->prompt_error[0])
			return; /* never applied half-way: the prompt stays open */
		if (strcmp(text, tui->filter_text) == 0) {
			/* Typing applied it already: the shown rows are its rows. */
			prompt_history_add(&tui->filter_history, text);
			loop->prompt_kind = PROMPT_NONE;
			return;
		}
		/* Enter on an empty line clears the filter. */
		if (!tui_set_filter(tui, text, loop->prompt_error, sizeof(loop->prompt_error), &column)) {
			loop->prompt_error_column = column;
			return;
		}
		prompt_history_add(&tui->filter_history, text);
		break;
	case PROMPT_MARK_QUERY: {
		struct filter *filter = filter_parse(text, loop->prompt_error, sizeof(loop->prompt_error), &column);
		if (!filter) {
			loop->prompt_error_column = column;
			return;
		}
		prompt_history_add(&tui->query_history, text);
		struct rows matching = { 0 };
		rows_build(&matching, tui->fleet, false);
		filter_rows(filter, tui->fleet, &matching);
		marks_set_rows(tui->marks, tui->fleet, &matching, true);
		char count[32];
		tui_message(tui, false, "Marked the %s devices matching %s",
			    util_thousands((int64_t)matching.count, count, sizeof(count)), text);
		rows_free(&matching);
		filter_free(filter);
		break;
	}
	case PROMPT_IMPORT:
		if (!text[0])
			break;
		prompt_history_add(&tui->path_history, text);
		push_view(loop, tui_mark_from_csv(tui, text));
		break;
	case PROMPT_EXPORT_SHOWN:
	case PROMPT_EXPORT_MARKED: {
		bool marked = loop->prompt_kind == PROMPT_EXPORT_MARKED;
		const char *path = text[0] ? text : marked ? EXPORT_MARKED_DEFAULT : EXPORT_SHOWN_DEFAULT;
		prompt_history_add(&tui->path_history, path);
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
	derive_rows(loop);
}

static void prompt_cancelled(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	if (loop->prompt_kind == PROMPT_FILTER) {
		char message[256];
		int column;
		tui_set_filter(tui, loop->filter_before, message, sizeof(message), &column);
		derive_rows(loop);
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
		tui_message(&loop->tui, false, "Not written: %s is kept as it was", path);
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

static void toggle_misaligned(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	static const char misaligned_query[] = "align:misaligned";
	char message[256];
	int column;
	if (strcmp(tui->filter_text, misaligned_query) == 0) {
		/* Back to the filter that was active before, which may be none. */
		if (!tui_set_filter(tui, loop->filter_before_misaligned, message, sizeof(message), &column))
			tui_set_filter(tui, "", message, sizeof(message), &column);
	} else {
		snprintf(loop->filter_before_misaligned, sizeof(loop->filter_before_misaligned), "%s", tui->filter_text);
		prompt_history_add(&tui->filter_history, tui->filter_text);
		tui_set_filter(tui, misaligned_query, message, sizeof(message), &column);
	}
}

static void apply_reaction(struct loop *loop, int reaction)
{
	struct tui *tui = &loop->tui;
	if (reaction & REACT_REDRAW)
		loop->dirty = true;
	if (reaction & REACT_QUIT)
		loop->quit = true;
	if ((reaction & REACT_CLOSE) && loop->view_count > 1) {
		struct view *view = loop->views[--loop->view_count];
		view->ops->free(view);
		loop->dirty = true;
	}
	if (reaction & REACT_ROWS)
		derive_rows(loop);
	if (reaction & REACT_REFRESH) {
		if (tui->progress.running)
			tui_message(tui, false, "Already loading");
		else if (!tui->api)
			tui_message(tui, true, "No application token: nothing to load");
		else
			start_load(loop);
		loop->dirty = true;
	}
	if (reaction & REACT_OPEN_DETAIL) {
		size_t device;
		if (view_fleet_cursor_device(loop->views[0], tui, &device))
			push_view(loop, view_device_new(tui, device));
	}
	if (reaction & REACT_OPEN_HELP)
		push_view(loop, view_help_new());
	if (reaction & REACT_OPEN_SUMMARY)
		push_view(loop, view_summary_new(tui));
	if (reaction & REACT_PROMPT_FILTER)
		open_prompt(loop, PROMPT_FILTER);
	if (reaction & REACT_PROMPT_MARK)
		open_prompt(loop, PROMPT_MARK_QUERY);
	if (reaction & REACT_PROMPT_IMPORT)
		open_prompt(loop, PROMPT_IMPORT);
	if (reaction & REACT_PROMPT_EXPORT_SHOWN)
		open_prompt(loop, PROMPT_EXPORT_SHOWN);
	if (reaction & REACT_PROMPT_EXPORT_MARKED)
		open_prompt(loop, PROMPT_EXPORT_MARKED);
	if (reaction & REACT_OPEN_PLAN) {
		size_t device = 0;
		bool has_cursor = view_fleet_cursor_device(loop->views[0], tui, &device);
		push_view(loop, view_plan_new(tui, tui->plan_action, device, has_cursor));
	}
	if (reaction & REACT_START_JOB)
		start_job(loop);
}

/* Actions that mean the same in every view. */
static int common_action(struct loop *loop, enum action action)
{
	struct tui *tui = &loop->tui;
	switch (action) {
	case ACTION_FILTER:
		pop_views_above_fleet(loop);
		return REACT_PROMPT_FILTER;
	case ACTION_MISALIGNED:
		pop_views_above_fleet(loop);
		toggle_misaligned(loop);
		return REACT_ROWS;
	case ACTION_MARK_QUERY: return REACT_PROMPT_MARK;
	case ACTION_MARK_FROM_CSV: return REACT_PROMPT_IMPORT;
	case ACTION_EXPORT_SHOWN: return REACT_PROMPT_EXPORT_SHOWN;
	case ACTION_EXPORT_MARKED:
		if (marks_count_in_fleet(tui->marks, tui->fleet) == 0) {
			tui_message(tui, true, "No device is marked: nothing to export");
			return REACT_REDRAW;
		}
		return REACT_PROMPT_EXPORT_MARKED;
	case ACTION_UNMARK_ALL:
		marks_clear(tui->marks);
		return REACT_ROWS;
	case ACTION_ONLINE:
	case ACTION_OFFLINE:
		pop_views_above_fleet(loop);
		tui->plan_action = action == ACTION_ONLINE ? PLAN_ONLINE : PLAN_OFFLINE;
		return REACT_OPEN_PLAN;
	case ACTION_OTHER_ACTIONS:
		pop_views_above_fleet(loop);
		push_view(loop, view_actions_new(tui));
		return REACT_REDRAW;
	case ACTION_BACK:
		if (tui->job && loop->view_count == 1) {
			job_cancel(tui->job);
			tui_message(tui, false, "Cancelling: steps in flight finish, nothing new starts");
			return REACT_REDRAW;
		}
		return -1;
	case ACTION_QUIT:
		if (tui->job && loop->view_count == 1 && !loop->quit_asked) {
			loop->quit_asked = true;
			tui_message(tui, true, "A job is running: Esc cancels it; q again quits now (simtop --resume finishes it later)");
			return REACT_REDRAW;
		}
		return -1;
	default:
		return -1;
	}
}

static void handle_key(struct loop *loop, int key)
{
	struct tui *tui = &loop->tui;
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
	if (loop->prompt_kind != PROMPT_NONE) {
		prompt_handle_key(loop, key);
		return;
	}
	struct view *top = loop->views[loop->view_count - 1];
	if (top->ops->key && !tui->fatal[0]) {
		int reaction = top->ops->key(top, tui, key);
		if (reaction >= 0) {
			if (tui->message[0] && !(reaction & REACT_CLOSE))
				loop->dirty = true;
			apply_reaction(loop, reaction | REACT_REDRAW);
			return;
		}
	}
	enum action action = keys_action(key);
	if (tui->fatal[0]) {
		if (action == ACTION_QUIT)
			loop->quit = true;
		else if (action == ACTION_REFRESH && tui->api)
			start_load(loop);
		loop->dirty = true;
		return;
	}
	if (action == ACTION_NONE) {
		char name[32];
		tui_message(tui, false, "%s is not bound to anything: ? shows the keys", keys_name(key, name, sizeof(name)));
		loop->dirty = true;
		return;
	}
	if (tui->message[0]) {
		tui->message[0] = '\0';
		loop->dirty = true;
	}
	int reaction = common_action(loop, action);
	if (reaction < 0) {
		struct view *view = loop->views[loop->view_count - 1];
		reaction = view->ops->handle(view, tui, action, LINES - 3 - has_notice(tui));
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
	return loop->tui.api && api_busy(loop->tui.api);
}

int tui_run(const struct tui_options *options)
{
	struct loop *loop = xcalloc(1, sizeof(*loop));
	loop->start_ms = util_now_ms();
	loop->bench = getenv("SIMTOP_BENCH") != NULL;
	loop->mark_from = options->mark_from;
	struct tui *tui = &loop->tui;
	tui->api = options->api;
	tui->transport = tui->api ? api_transport_new(tui->api) : NULL;
	tui->fleet = fleet_new();
	tui->marks = marks_new();
	tui->workspace = options->workspace;
	tui->api_url = options->api_url;
	tui->profile = options->profile;
	tui->ascii = options->ascii;
	tui->read_only = options->read_only;
	tui->rate = options->rate;
	tui->confirm_threshold = options->confirm_threshold > 0 ? options->confirm_threshold : 100;
	if (options->startup_error)
		snprintf(tui->fatal, sizeof(tui->fatal), "%s", options->startup_error);
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
	struct display_options display = { .headless = loop->script != NULL, .monochrome = options->monochrome };
	display_open(&display);
	push_view(loop, view_fleet_new());
	if (!tui->fatal[0])
		start_load(loop);

	while (!loop->quit) {
		handle_signals(loop);
		if (loop->quit)
			break;
		update_load(loop);
		update_job(loop);
		if (tui->redraw) {
			tui->redraw = false;
			loop->dirty = true;
		}
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
				if (tui->job)
					job_progress(tui->job, &progress);
				if (tui->job && !progress.finished &&
				    progress.steps_settled < loop->wait_progress) {
					api_wait(tui->api, -1, LOADING_REDRAW_MS, NULL);
					continue;
				}
				loop->wait_progress = 0;
				loop->script_async = tui->job != NULL;
			}
			if (busy(loop) && !loop->script_async && !wait_command) {
				api_wait(tui->api, -1, LOADING_REDRAW_MS, NULL);
				continue;
			}
			update_load(loop);
			update_job(loop);
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
			if (!tui->job)
				break;
			api_wait(tui->api, -1, IDLE_WAIT_MS, NULL);
			update_job(loop);
			loop->dirty = false;
			continue;
		}
		bool key_ready = false;
		int wait_ms = busy(loop) ? LOADING_REDRAW_MS : IDLE_WAIT_MS;
		if (tui->api) {
			api_wait(tui->api, display_input_fd(), wait_ms, &key_ready);
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

	if (tui->job)
		note_unfinished_job(loop); /* quit with the job running: q q, Ctrl-C twice, a signal */
	display_close();
	int status = 0;
	if (loop->left_journal) {
		print_unfinished_job(loop);
		status = 1;
	}
	if (loop->bench)
		fprintf(stderr, "bench: devices=%zu first_rows_ms=%lld loaded_ms=%lld peak_rss_kb=%ld fleet_bytes=%zu\n",
			fleet_count(tui->fleet), (long long)loop->first_rows_ms, (long long)loop->loaded_ms,
			peak_rss_kb(), fleet_memory(tui->fleet));
	while (loop->view_count > 0) {
		struct view *view = loop->views[--loop->view_count];
		view->ops->free(view);
	}
	if (tui->job)
		job_free(tui->job);
	api_transport_free(tui->transport);
	if (tui->journal)
		journal_close(tui->journal);
	if (tui->audit)
		audit_close(tui->audit);
	if (tui->job_plan) {
		plan_free(tui->job_plan);
		free(tui->job_plan);
	}
	if (tui->api)
		api_cancel_load(tui->api);
	script_close(loop->script);
	rows_free(&tui->rows);
	rows_free(&tui->base);
	rows_free(&loop->sorted);
	filter_free(tui->filter);
	marks_free(tui->marks);
	prompt_history_free(&tui->filter_history);
	prompt_history_free(&tui->query_history);
	prompt_history_free(&tui->path_history);
	free(loop->export_path);
	free(loop->left_journal);
	fleet_free(tui->fleet);
	if (tui->incoming)
		fleet_free(tui->incoming);
	free(loop);
	return status;
}
