/* apply.h — `simtop apply` and `simtop --resume`: bulk changes without the TUI. */
#ifndef SIMTOP_APPLY_H
#define SIMTOP_APPLY_H

#include <stdbool.h>

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
};

/* Load the fleet, build the plan, print it with its warnings, ask (on a terminal, unless
 * --yes; without a terminal and without --yes, refuse), run the job with progress on stderr
 * when it is a terminal, print per-device results. Exit status: 0 every device reached its
 * target, 1 some failed (listed), 2 usage errors (nothing selected, bad CSV, read-only). */
int apply_run(struct api *api, const struct apply_options *options);

/* Finish the job of a journal; same output and exit status as apply_run. */
int apply_resume(struct api *api, const char *journal_path, double rate);

#endif
