/* tui.c — the interactive program: the event loop, the title and status lines, the view stack. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "draw.h"
#include "keys.h"
#include "script.h"
#include "text.h"
#include "tui.h"
#include "util.h"
#include "view.h"

#define VIEW_STACK_MAX 4
/* While pages arrive, rebuild the rows at most this often: cheap at 1M rows, smooth to watch. */
#define LOADING_REDRAW_MS 100
/* Idle wake-up, so a terminal resize is seen even when no key arrives. */
#define IDLE_WAIT_MS 500

struct loop {
	struct tui tui;
	struct view *views[VIEW_STACK_MAX];
	int view_count;
	struct script *script;
	bool dirty;
	bool quit;
	int64_t last_rows_ms;
	size_t rows_seen;     /* fleet_count when the rows were last built */
	/* SIMTOP_BENCH: milliseconds from start to the first rows drawn and to the full fleet. */
	bool bench;
	int64_t start_ms, first_rows_ms, loaded_ms;
};

void tui_message(struct tui *tui, bool error, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vsnprintf(tui->message, sizeof(tui->message), format, args);
	va_end(args);
	tui->message_is_error = error;
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
		snprintf(state, sizeof(state), "%s %s %d%% ", tui->ascii ? "~" : "\u21bb",
			 tui->incoming ? "refreshing" : "loading", percent > 100 ? 100 : percent);
	} else if (progress->error != API_OK) {
		snprintf(state, sizeof(state), "%s load failed ", tui->ascii ? "x" : "\u2716");
	}
	if (state[0]) {
		int width = text_width(state);
		draw_text(0, COLS - width, state, width, attr | A_BOLD);
	}
}

static void draw_status(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	struct view *view = loop->views[loop->view_count - 1];
	int row = LINES - 1;
	const char *hint = view->ops->hint(view, tui);
	int hint_width = text_width(hint);
	if (tui->message[0]) {
		int attr = display_attr(tui->message_is_error ? ROLE_ERROR : ROLE_STATUS);
		draw_cell(row, 0, tui->message, COLS, attr);
		if (COLS - hint_width - 2 > text_width(tui->message) + 2)
			draw_text(row, COLS - hint_width - 1, hint, hint_width, display_attr(ROLE_STATUS));
		return;
	}
	char position[64] = "";
	if (view->ops->position)
		view->ops->position(view, tui, position, sizeof(position));
	draw_cell(row, 0, position, COLS, display_attr(ROLE_STATUS));
	if (hint_width + text_width(position) + 2 < COLS)
		draw_text(row, COLS - hint_width - 1, hint, hint_width, display_attr(ROLE_STATUS));
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
	view->ops->draw(view, tui, 1, LINES - 2);
	draw_status(loop);
	refresh();
	if (loop->bench && loop->first_rows_ms == 0 && tui->rows.count > 0)
		loop->first_rows_ms = util_now_ms() - loop->start_ms;
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

/* Keep the cursor on the same device when the rows change under it. */
static void rebuild_rows(struct loop *loop, bool sorted)
{
	struct tui *tui = &loop->tui;
	rows_build(&tui->rows, tui->fleet, sorted);
	loop->rows_seen = fleet_count(tui->fleet);
	loop->last_rows_ms = util_now_ms();
	loop->dirty = true;
}

static size_t device_for_ids(const struct fleet *fleet, const struct device *old, bool *found)
{
	size_t index = 0;
	*found = (old->endpoint_id && fleet_find_endpoint(fleet, old->endpoint_id, &index)) ||
		 (old->sim_id && fleet_find_sim(fleet, old->sim_id, &index));
	return index;
}

static void finish_refresh(struct loop *loop)
{
	struct tui *tui = &loop->tui;
	struct view *fleet_view = loop->views[0];
	size_t cursor_device = 0;
	struct device old_device = { 0 };
	bool had_cursor = view_fleet_cursor_device(fleet_view, tui, &cursor_device);
	if (had_cursor)
		old_device = *fleet_device(tui->fleet, cursor_device);

	/* Views above the fleet view hold device indexes of the old fleet. */
	while (loop->view_count > 1) {
		struct view *view = loop->views[--loop->view_count];
		view->ops->free(view);
	}
	fleet_free(tui->fleet);
	tui->fleet = tui->incoming;
	tui->incoming = NULL;
	rebuild_rows(loop, true);
	if (had_cursor) {
		bool found = false;
		size_t device = device_for_ids(tui->fleet, &old_device, &found);
		if (found)
			view_fleet_set_cursor(fleet_view, tui, rows_find(&tui->rows, device));
	}
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
	if (now->records_loaded != before.records_loaded || now->running != before.running)
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
		}
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

/* --- views and keys ----------------------------------------------------------------------- */

static void push_view(struct loop *loop, struct view *view)
{
	if (loop->view_count == VIEW_STACK_MAX) {
		view->ops->free(view);
		return;
	}
	loop->views[loop->view_count++] = view;
	loop->dirty = true;
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
	if (reaction & REACT_REFRESH) {
		if (tui->progress.running) {
			tui_message(tui, false, "Already loading");
		} else if (!tui->api) {
			tui_message(tui, true, "No application token: nothing to load");
		} else {
			start_load(loop);
		}
		loop->dirty = true;
	}
	if (reaction & REACT_OPEN_DETAIL) {
		size_t device;
		if (view_fleet_cursor_device(loop->views[0], tui, &device))
			push_view(loop, view_device_new(tui, device));
	}
	if (reaction & REACT_OPEN_HELP)
		push_view(loop, view_help_new());
}

static void handle_key(struct loop *loop, int key)
{
	struct tui *tui = &loop->tui;
	if (key == KEY_RESIZE) {
		loop->dirty = true;
		return;
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
	struct view *view = loop->views[loop->view_count - 1];
	apply_reaction(loop, view->ops->handle(view, tui, action, LINES - 3));
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
	} else if (strcmp(command, "wait-idle") == 0) {
		/* Every step already waits until nothing is in flight. */
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
	struct tui *tui = &loop->tui;
	tui->api = options->api;
	tui->fleet = fleet_new();
	tui->workspace = options->workspace;
	tui->ascii = options->ascii;
	tui->read_only = options->read_only;
	if (options->startup_error)
		snprintf(tui->fatal, sizeof(tui->fatal), "%s", options->startup_error);
	if (options->script_path)
		loop->script = script_open(options->script_path);

	keys_init();
	struct display_options display = { .headless = loop->script != NULL, .monochrome = options->monochrome };
	display_open(&display);
	push_view(loop, view_fleet_new());
	if (!tui->fatal[0])
		start_load(loop);

	while (!loop->quit) {
		update_load(loop);
		if (tui->redraw) {
			tui->redraw = false;
			loop->dirty = true;
		}
		if (loop->dirty) {
			draw_screen(loop);
			loop->dirty = false;
		}
		if (loop->script) {
			if (busy(loop)) {
				api_wait(tui->api, -1, LOADING_REDRAW_MS, NULL);
				continue;
			}
			update_load(loop);
			struct script_step step;
			script_next(loop->script, &step);
			if (step.kind == SCRIPT_END)
				break;
			if (step.kind == SCRIPT_KEY)
				handle_key(loop, step.key);
			else
				run_command(loop, &step);
			continue;
		}
		bool key_ready = false;
		int wait_ms = busy(loop) ? LOADING_REDRAW_MS : IDLE_WAIT_MS;
		if (tui->api) {
			api_wait(tui->api, display_input_fd(), wait_ms, &key_ready);
		} else {
			timeout(wait_ms);
			int key = getch();
			nodelay(stdscr, TRUE);
			if (key != ERR)
				handle_key(loop, key);
		}
		for (int key; (key = display_read_key()) != -1;)
			handle_key(loop, key);
	}

	display_close();
	if (loop->bench)
		fprintf(stderr, "bench: devices=%zu first_rows_ms=%lld loaded_ms=%lld peak_rss_kb=%ld fleet_bytes=%zu\n",
			fleet_count(tui->fleet), (long long)loop->first_rows_ms, (long long)loop->loaded_ms,
			peak_rss_kb(), fleet_memory(tui->fleet));
	while (loop->view_count > 0) {
		struct view *view = loop->views[--loop->view_count];
		view->ops->free(view);
	}
	if (tui->api)
		api_cancel_load(tui->api);
	script_close(loop->script);
	rows_free(&tui->rows);
	fleet_free(tui->fleet);
	if (tui->incoming)
		fleet_free(tui->incoming);
	free(loop);
	return 0;
}
