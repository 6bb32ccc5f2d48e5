/* plan_text.h — the words of a plan, one text for the TUI's confirmation and `simtop apply`:
 * the transitions, the skips, the charge warning, the estimate and the progress of a job.
 *
 * Counts have thousands separators ("1,234"), nouns agree with them ("1 SIM", "2 SIMs"), and
 * the arrow is "→" (or "->" when ascii). Each function writes one line, without indent or
 * newline, into buffer and returns it; a line too long for buffer is cut. */
#ifndef SIMTOP_PLAN_TEXT_H
#define SIMTOP_PLAN_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "job.h"
#include "plan.h"
#include "transport.h"

/* The warning's first sentence, the same for every plan that needs it. */
#define PLAN_TEXT_CHARGES "emnify charges for activated SIMs, even when their endpoint is disabled."

/* "212 SIMs Activated → Suspended" */
const char *plan_text_transition(const struct plan_transition_count *transition, bool ascii, char *buffer,
				 size_t size);
/* "9 skipped: already offline" */
const char *plan_text_skip(const struct plan_skip_count *skip, char *buffer, size_t size);
/* "This plan activates 1 SIM and leaves 2 Activated SIMs behind disabled endpoints."; NULL
 * (and "" in buffer) when the plan neither activates a SIM nor leaves one billed offline. */
const char *plan_text_charges(const struct plan_summary *summary, char *buffer, size_t size);
/* "287 requests (270 SIM changes, 14 bulk calls, 3 reads): about 29 s at 10.0/s, at most
 * 1,900 per 5 min." — the calls a job on plan makes through transport (states as for
 * job_start) and how long they take at its limits; the window's part only with window (the
 * TUI's dialog has no room for it). */
const char *plan_text_estimate(const struct plan *plan, enum journal_state (*states)[2],
			       const struct transport *transport, bool window, char *buffer, size_t size);
/* "120 done · 2 failed · 88 left · 6.6/s · ETA 0:13", or "… · paused 12 s: rate limited,
 * HTTP 429", or "… · reading back 60". */
const char *plan_text_progress(const struct job_progress *progress, char *buffer, size_t size);

#endif
