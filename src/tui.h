/* tui.h — the interactive program: state shared by the views, and the event loop.
 *
 * One thread and one loop own all I/O: api_wait() sleeps on the libcurl transfers and the
 * terminal at once, so loading and refreshing never block scrolling. In script mode
 * (SIMTOP_SCRIPT) keys come from a file and each step waits until nothing is in flight. */
#ifndef SIMTOP_TUI_H
#define SIMTOP_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "fleet.h"
#include "rows.h"

struct tui {
	struct api *api;
	struct fleet *fleet;          /* what the screen shows; owned */
	struct fleet *incoming;       /* a refresh in progress, swapped in when complete; owned */
	struct rows rows;             /* fleet's devices in display order */
	struct api_load_progress progress;
	bool loaded;                  /* the shown fleet is complete */
	const char *workspace;        /* label in the title line */
	bool ascii;                   /* ASCII glyphs */
	bool read_only;               /* no action may change anything; the title says so */
	char message[512];            /* status line message, "" for none */
	bool message_is_error;
	char fatal[1024];             /* full-screen error when nothing can be shown */
	bool redraw;                  /* set by callbacks (API answers) that change the screen */
};

struct tui_options {
	struct api *api;              /* NULL: no token; the screen says how to give one */
	const char *workspace;
	const char *script_path;      /* SIMTOP_SCRIPT, or NULL */
	const char *startup_error;    /* shown full screen instead of loading, or NULL */
	bool ascii;
	bool monochrome;
	bool read_only;
};

/* Run the interactive program until the user quits. Returns the exit status. */
int tui_run(const struct tui_options *options);

/* Set the status line message (printf style). */
void tui_message(struct tui *tui, bool error, const char *format, ...) __attribute__((format(printf, 3, 4)));

#endif
