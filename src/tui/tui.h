/* tui.h — the interactive program: the event loop over a session (session.h) and its views.
 *
 * One thread and one loop own all I/O: api_wait() sleeps on the libcurl transfers and the
 * terminal at once, so loading and refreshing never block scrolling. In script mode
 * (SIMTOP_SCRIPT) keys come from a file and each step waits until nothing is in flight. */
#ifndef SIMTOP_TUI_H
#define SIMTOP_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

struct tui_options {
	struct api *api;              /* NULL: no token; the screen says how to give one */
	const char *workspace;
	const char *columns;          /* the fleet table's columns (columns.h), checked; NULL: default */
	const char *script_path;      /* SIMTOP_SCRIPT, or NULL */
	const char *startup_error;    /* shown full screen instead of loading, or NULL */
	const char *mark_from;        /* --mark-from FILE: marked once the fleet is loaded, or NULL */
	bool ascii;
	bool monochrome;
	bool mouse;                   /* clicks and the wheel (config mouse = true) */
	bool read_only;
	int confirm_threshold;        /* 0: 100 */
	const char *api_url;          /* where jobs run, for their journals: the base URL */
	const char *profile;          /* and the config profile */
	const char *snapshot_path;    /* the fleet kept between starts; NULL: none */
	int64_t snapshot_max_age;     /* seconds; 0: no limit */
};

/* Run the interactive program until the user quits. Returns the exit status. */
int tui_run(const struct tui_options *options);

#endif
