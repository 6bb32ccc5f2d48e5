/* plan_text.h — the words of a plan, one text for the TUI's confirmation and `simtop apply`:
 * the transitions, the skips, the charge warning, the estimate and the progress of a job; the
 * devices by name and what a job did to each; and the fitting of those lines to a width.
 *
 * Counts have thousands separators ("1,234"), nouns agree with them ("1 SIM", "2 SIMs"), and
 * the arrow is "→" (or "->" when ascii). Each function writes one line, without indent or
 * newline, into buffer and returns it; a line too long for buffer is cut. */
#ifndef SIMTOP_PLAN_TEXT_H
#define SIMTOP_PLAN_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "fleet.h"
#include "job.h"
#include "plan.h"
#include "transport.h"

/* The warning's first sentence, the same for every plan that needs it. */
#define PLAN_TEXT_CHARGES "emnify charges for activated SIMs, even when their endpoint is disabled."

/* "1 device", "1,234 devices": count with the noun that agrees with it. */
const char *plan_text_count(size_t count, const char *one, const char *many, char *buffer, size_t size);

/* "212 SIMs Activated → Suspended" */
const char *plan_text_transition(const struct plan_transition_count *transition, bool ascii, char *buffer,
				 size_t size);
/* "9 skipped: already offline" */
const char *plan_text_skip(const struct plan_skip_count *skip, char *buffer, size_t size);
/* "This plan activates 1 SIM and leaves 2 Activated SIMs behind disabled endpoints."; NULL
 * (and "" in buffer) when the plan neither activates a SIM nor leaves one billed offline. */
const char *plan_text_charges(const struct plan_summary *summary, char *buffer, size_t size);
/* "287 requests (270 SIM changes, 14 bulk calls, 3 read-backs): about 29 s at 10.0/s, at most
 * 1,900 per 5 min." — the calls a job on plan makes through transport (states as for
 * job_start), kinds that make none left out, and how long they take at its limits; the
 * window's part only with window (the TUI's dialog has no room for it). */
const char *plan_text_estimate(const struct plan *plan, enum journal_state (*states)[2],
			       const struct transport *transport, bool window, char *buffer, size_t size);
/* "120 done · 2 failed · 88 left · 6.6 requests/s · ETA 0:13", or "… · paused 12 s: rate
 * limited, HTTP 429", or "… · reading back 60 devices". Done, failed and left count devices;
 * the rate is of the calls sent over the last seconds. */
const char *plan_text_progress(const struct job_progress *progress, char *buffer, size_t size);

/* --- devices ----------------------------------------------------------------------------- */

/* Columns a device's name takes at most in plan_text_device(): a longer one is cut. */
#define PLAN_TEXT_NAME_COLUMNS 32

/* "pump-0412, ICCID 8988303000012345678": the device of fleet with device's ids, by its name
 * (cut with an ellipsis past PLAN_TEXT_NAME_COLUMNS), or "endpoint 11000972" or "SIM 4000972"
 * when it has none; the ICCID when it has one. A device the fleet no longer holds is named by
 * its ids. */
const char *plan_text_device(const struct fleet *fleet, const struct plan_device *device, bool ascii, char *buffer,
			     size_t size);
/* What plan does to one of its devices: "SIM Activated → Suspended, then endpoint Enabled →
 * Disabled", "SIM Activated → Suspended; skipped: endpoint already Disabled", "skipped:
 * already offline". */
const char *plan_text_device_steps(const struct plan *plan, const struct plan_device *device, bool ascii, char *buffer,
				   size_t size);
/* What a job did to a device, in words: "failed: nothing changed", "half-done: SIM changed,
 * endpoint not", "not started (cancelled)", "unknown: a change went unanswered, …", "changed
 * elsewhere meanwhile", "done", "unchanged: nothing to send". */
const char *plan_text_outcome(const struct plan_device *device, const struct job_device_result *result, char *buffer,
			      size_t size);
/* "now SIM Suspended, endpoint Enabled", "now SIM Issued, no endpoint (not read back)": a
 * device's statuses after a job (job_device_statuses()), and whether they were read back. */
const char *plan_text_statuses(int sim_status, int endpoint_status, bool read_back, char *buffer, size_t size);
/* "4 done, 1 failed, 20 not started (cancelled)": the outcomes of a job's devices (counts
 * indexed by enum job_outcome), those with none left out. */
const char *plan_text_outcomes(const size_t counts[JOB_OUTCOME_COUNT], char *buffer, size_t size);

/* --- fitting to a width ------------------------------------------------------------------- */

/* text cut to columns display columns: whole when it fits, else as much as fits beside an
 * ellipsis ("…", or "~" when ascii). Never splits a character. */
const char *plan_text_cut(const char *text, int columns, bool ascii, char *buffer, size_t size);
/* Wrapping text at columns display columns: the bytes of its first line, which ends before
 * the last space that fits (a word wider than columns is split where it must be); *rest gets
 * where the next line starts, past the spaces ("" when none is left). columns < 1 counts 1. */
size_t plan_text_wrap(const char *text, int columns, const char **rest);
/* Append text wrapped at columns to *lines, an array of *count malloc'ed strings that holds
 * *capacity (grown as needed; *lines may start NULL): one string a row, the rows after the
 * first indented by text's own leading spaces and extra columns more (none when that leaves
 * less than half the columns). Returns the rows added, at least 1. */
size_t plan_text_wrap_lines(const char *text, int columns, int extra, char ***lines, size_t *count, size_t *capacity);

#endif
