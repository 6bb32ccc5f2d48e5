/* apply.h — `simtop apply` and `simtop --resume`: bulk changes without the TUI. */
#ifndef SIMTOP_APPLY_H
#define SIMTOP_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "filter.h"
#include "plan.h"

struct apply_options {
	enum plan_action action;
	const struct filter *filter;  /* --filter, or NULL */
	const char *from_csv;         /* --from FILE.csv, or NULL */
	bool dry_run;
	bool yes;
	bool read_only;               /* --read-only or config: refuse to change anything */
	double rate;                  /* --rate, 0: default */
	int confirm_threshold;        /* above this many devices the count is typed; 0: 100 */
	const char *api_url;          /* where the job runs, for its journal: the base URL */
	const char *profile;          /* and the config profile ("default" when none) */
};

/* Load the fleet, build the plan, print it with its warnings, ask (on a terminal, unless
 * --yes; without a terminal and without --yes, refuse), run the job with progress on stderr
 * when it is a terminal, print per-device results. Exit status: 0 every device reached its
 * target, 1 some failed (listed), 2 usage errors (nothing selected, bad CSV, read-only, not
 * confirmed). */
int apply_run(struct api *api, const struct apply_options *options);

/* Finish the job of a journal. The journal must come from this API URL, profile and
 * workspace (refused otherwise, exit 2) and no other simtop may hold it (exit 2, naming the
 * process). Every device with a step still to send is read back first, and only what is
 * still needed is planned (job_rebase): the plan printed and confirmed is that remainder.
 * --dry-run opens the journal read-only and changes nothing, on disk or remotely. Uses
 * dry_run, yes, read_only, rate, api_url and profile of options. Same output and exit status
 * as apply_run (2 also for a file that is not a simtop journal). */
int apply_resume(struct api *api, const char *journal_path, const struct apply_options *options);

/* Load the whole fleet, with a progress line (and a waiting retry's note) on stderr when
 * show_progress, and a line on stderr when the data holds what cannot be true
 * (fleet_describe_anomalies); NULL with message when the load failed. The caller frees the
 * fleet. */
struct fleet *apply_load_fleet(struct api *api, bool show_progress, char *message, size_t size);

#endif
