/* emu_stall.h — requests taken and never answered: the server that simtop's timeouts are for.
 *
 * Which API requests stall is a run-time setting (--stall, POST /_emu/stall): PATCHes, GETs
 * (lists and single objects) or all of them; control routes never stall. A stalled request is
 * read whole and counted like any other; then its connection's thread sleeps in poll() until
 * the client closes the connection or the server stops, and the connection is closed without
 * a word. No CPU is used meanwhile and no timer runs: the client decides when to give up.
 * "before": held before it is carried out, so a stalled PATCH changes nothing; "after":
 * carried out first, so a stalled PATCH is applied and only its answer is lost. */
#ifndef SIMTOP_EMU_STALL_H
#define SIMTOP_EMU_STALL_H

#include <stdbool.h>
#include <microhttpd.h>

#include "emu_context.h"

enum emu_stall {
	EMU_STALL_NONE,
	EMU_STALL_PATCH,
	EMU_STALL_GET,
	EMU_STALL_ALL,
};

/* "none", "patch", "get" or "all"; false for anything else. */
bool emu_stall_parse(const char *text, enum emu_stall *stall);

/* Where the request with this method is to be held under the context's setting now. */
enum emu_stall_point {
	EMU_STALL_NOT,    /* answer it */
	EMU_STALL_BEFORE, /* hold it before carrying it out */
	EMU_STALL_AFTER,  /* carry it out, then hold it */
};
enum emu_stall_point emu_stall_point(struct emu_context *context, const char *method);

/* Count the request as stalled and wait until the client or the server ends the connection.
 * Returns MHD_NO: libmicrohttpd then closes the connection unanswered. */
enum MHD_Result emu_stall_hold(struct emu_context *context, struct MHD_Connection *connection);

#endif
