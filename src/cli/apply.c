/* apply.c — `simtop apply` and `simtop --resume`: the plan on stdout, the question, the job
 * with its progress on stderr, and what did not reach its target.
 *
 * stdout carries what a script may want to keep (the plan, the results, the summary); stderr
 * the conversation (progress, the question, the journal's path, warnings). */
#include "apply.h"

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
#include "marks.h"
#include "model.h"
#include "plan_text.h"
#include "rows.h"
#include "sort.h"
#include "util.h"

enum {
	APPLY_EXIT_OK = 0,      /* every device reached its target */
	APPLY_EXIT_FAILED = 1,  /* some did not, or the API or the environment failed */
	APPLY_EXIT_USAGE = 2,   /* nothing selected, a bad CSV, read-only, not confirmed */
};

/* Above this many devices the operator types the count instead of "y" (by default). */
#define APPLY_CONFIRM_THRESHOLD 100
/* Unknown CSV rows listed by name; the rest are counted. */
#define APPLY_UNKNOWN_LISTED 20
#define APPLY_PROGRESS_MS 200

static volatile sig_atomic_t interrupts;

static void on_interrupt(int signal_number)
{
	(void)signal_number;
	interrupts++;
}

static const char *plural(size_t count, const char *one, const char *many)
{
	return count == 1 ? one : many;
}

/* --- loading and selecting ---------------------------------------------------------------- */

struct fleet *apply_load_fleet(struct api *api, bool show_progress, char *message, size_t size)
{
	struct fleet *fleet = fleet_new();
	struct api_load_progress progress;

	api_load_start(api, fleet);
	for (;;) {
		api_load_progress(api, &progress);
		if (!progress.running)
			break;
		if (show_progress && (progress.records_total > 0 || progress.retry_note[0])) {
			if (progress.records_total > 0)
				fprintf(stderr, "\rloading %lld of %lld records", (long long)progress.records_loaded,
					(long long)progress.records_total);
			else
				fprintf(stderr, "\rloading");
			if (progress.retry_note[0])
				fprintf(stderr, " \u00b7 %s", progress.retry_note);
			fprintf(stderr, "\033[K");
		}
		api_wait(api, -1, APPLY_PROGRESS_MS, NULL);
	}
	if (show_progress)
		fprintf(stderr, "\r\033[K");
	if (progress.error != API_OK) {
		snprintf(message, size, "%s", progress.message);
		fleet_free(fleet);
		return NULL;
	}
	if (progress.note[0])
		fprintf(stderr, "simtop: %s\n", progress.note);
	char odd[512];
	if (fleet_describe_anomalies(fleet, odd, sizeof(odd)))
		fprintf(stderr, "simtop: %s\n", odd);
	return fleet;
}

/* The rows a CSV names; false (exit 2) when nothing can be selected from it. */
static bool select_from_csv(const char *path, const struct csv_ids *ids, const struct fleet *fleet,
			    struct rows *rows)
{
	struct marks *marks = marks_new();
	struct csv_ids unknown;
	size_t missing = csv_mark(ids, fleet, marks, &unknown);

	if (missing > 0) {
		fprintf(stderr, "simtop: %zu %s of %s %s no device of the fleet:\n", missing,
			plural(missing, "row", "rows"), path, plural(missing, "names", "name"));
		for (size_t i = 0; i < unknown.count && i < APPLY_UNKNOWN_LISTED; i++)
			fprintf(stderr, "  %s:%zu: %s %s\n", path, unknown.items[i].line,
				csv_id_kind_name(unknown.items[i].kind), unknown.items[i].value);
		if (unknown.count > APPLY_UNKNOWN_LISTED)
			fprintf(stderr, "  … and %zu more\n", unknown.count - APPLY_UNKNOWN_LISTED);
	}
	csv_ids_free(&unknown);
	marks_filter_rows(marks, fleet, rows);
	marks_free(marks);
	return true;
}

/* --- the plan ----------------------------------------------------------------------------- */

/* Counts per transition and per skip reason, the estimate and the charge warning. */
static void print_plan(FILE *out, const struct plan *plan, const struct plan_summary *summary,
		       enum journal_state (*states)[2], const struct transport *transport)
{
	char line[512], count[32];

	fprintf(out, "%s (%s) on %s %s:\n", plan_action_name(plan->action), plan_action_text(plan->action),
		util_thousands((int64_t)plan->count, count, sizeof(count)), plural(plan->count, "device", "devices"));
	for (size_t i = 0; i < summary->transition_count; i++)
		fprintf(out, "  %s\n", plan_text_transition(&summary->transitions[i], false, line, sizeof(line)));
	for (size_t i = 0; i < summary->skip_count; i++)
		fprintf(out, "  %s\n", plan_text_skip(&summary->skips[i], line, sizeof(line)));
	if (summary->steps > 0)
		fprintf(out, "%s\n", plan_text_estimate(plan, states, transport, true, line, sizeof(line)));
	if (plan_text_charges(summary, line, sizeof(line)))
		fprintf(out, "Warning: " PLAN_TEXT_CHARGES " %s\n", line);
}

/* Ask on the terminal; true when the operator confirmed. */
static bool confirm(const char *question, size_t devices, size_t threshold)
{
	char *line = NULL;
	size_t capacity = 0;
	ssize_t length;
	bool yes = false;

	if (devices > threshold)
		fprintf(stderr, "%s %zu devices? Type the number of devices to confirm: ", question, devices);
	else
		fprintf(stderr, "%s %zu %s? [y/N] ", question, devices, plural(devices, "device", "devices"));
	fflush(stderr);
	length = getline(&line, &capacity, stdin);
	if (length > 0) {
		while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r' || line[length - 1] == ' '))
			line[--length] = '\0';
		if (devices > threshold) {
			int64_t typed;
			char *start = line;
			while (*start == ' ')
				start++;
			yes = util_parse_int64(start, &typed) && typed == (int64_t)devices;
		} else {
			yes = util_equal_nocase(line, "y") || util_equal_nocase(line, "yes");
		}
	}
	free(line);
	return yes;
}

/* Asks unless --yes; without a terminal and without --yes refuses. Returns an exit status to
 * stop with, or -1 to go on. */
static int ask(const char *question, size_t devices, const struct apply_options *options)
{
	size_t threshold = options->confirm_threshold > 0 ? (size_t)options->confirm_threshold : APPLY_CONFIRM_THRESHOLD;

	if (options->yes)
		return -1;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "simtop: not confirmed: the standard input is not a terminal; add --yes to apply "
				"this to %zu %s\n", devices, plural(devices, "device", "devices"));
		return APPLY_EXIT_USAGE;
	}
	if (!confirm(question, devices, threshold)) {
		fprintf(stderr, "simtop: not confirmed; nothing was sent\n");
		return APPLY_EXIT_USAGE;
	}
	return -1;
}

/* --- running ------------------------------------------------------------------------------ */

static void print_progress(const struct job_progress *progress, const char *action)
{
	char line[400];

	fprintf(stderr, "\r%s: %s%s\033[K", action, plan_text_progress(progress, line, sizeof(line)),
		progress->cancelling ? " \u00b7 cancelling (Ctrl-C again stops at once)" : "");
	fflush(stderr);
}

static const char *sim_word(const struct job_device_result *result)
{
	return plan_status_name(STEP_SIM, result->sim_status, "-");
}

static const char *endpoint_word(const struct job_device_result *result)
{
	return plan_status_name(STEP_ENDPOINT, result->endpoint_status, "-");
}

static bool reached_target(const struct job_device_result *result)
{
	return (result->outcome == JOB_DONE || result->outcome == JOB_UNCHANGED) && !result->changed_elsewhere;
}

static void print_id(FILE *out, int64_t id)
{
	if (id)
		fprintf(out, "%-12lld", (long long)id);
	else
		fprintf(out, "%-12s", "-");
}

/* Every device that did not reach its target, then one line of counts. Returns the exit
 * status. */
static int print_results(const struct plan *plan, const struct job *job, const char *journal, double seconds)
{
	size_t counts[JOB_OUTCOME_COUNT] = { 0 };
	size_t listed = 0, changed = 0, not_read = 0, unknown = 0;
	struct job_progress progress;

	job_progress(job, &progress);
	for (size_t i = 0; i < plan->count; i++) {
		const struct job_device_result *result = job_result(job, i);
		const struct plan_device *device = &plan->devices[i];

		counts[result->outcome]++;
		if (result->changed_elsewhere)
			changed++;
		if (result->unknown)
			unknown++;
		if (reached_target(result) || result->outcome == JOB_CANCELLED)
			continue;
		if (listed++ == 0)
			printf("\n%-17s %-12s%-12s%-13s%-10s %s\n", "OUTCOME", "ENDPOINT", "SIM", "SIM STATUS",
			       "ENDPOINT", "MESSAGE");
		printf("%-17s ", result->outcome == JOB_DONE && !result->unknown ? "changed elsewhere"
										 : job_result_word(result));
		print_id(stdout, device->endpoint_id);
		print_id(stdout, device->sim_id);
		char sim[24], endpoint[24];
		snprintf(sim, sizeof(sim), "%s%s", sim_word(result), result->read_back ? "" : "*");
		snprintf(endpoint, sizeof(endpoint), "%s%s", endpoint_word(result), result->read_back ? "" : "*");
		printf("%-13s%-10s %s\n", sim, endpoint, result->message);
		if (!result->read_back)
			not_read++;
	}
	if (not_read > 0)
		printf("* not read back: the status as loaded\n");

	char duration[48];
	util_format_duration(seconds, duration, sizeof(duration));
	printf("\n%s: %zu done, %zu unchanged, %zu failed, %zu half-done, %zu cancelled", plan_action_name(plan->action),
	       counts[JOB_DONE], counts[JOB_UNCHANGED], counts[JOB_FAILED], counts[JOB_HALF_DONE],
	       counts[JOB_CANCELLED]);
	if (changed > 0)
		printf(", %zu changed elsewhere", changed);
	printf(" in %s (%zu %s, %.1f/s).\n", duration, progress.requests, plural(progress.requests, "request", "requests"),
	       seconds > 0 ? (double)progress.requests / seconds : 0.0);
	/* Quoted for the shell: the command is meant to be pasted. */
	char *quoted = util_shell_quote(journal);
	if (unknown > 0)
		printf("%zu %s in an unknown state (listed as unknown): a change was sent, and neither its answer "
		       "nor reading back told whether it was applied.\nTo read %s back and finish the job: "
		       "simtop --resume %s\n", unknown,
		       plural(unknown, "device is", "devices are"), plural(unknown, "it", "them"), quoted);
	if (progress.error[0])
		printf("The job stopped: %s\nTo finish what it left: simtop --resume %s\n", progress.error, quoted);
	else if (counts[JOB_CANCELLED] > 0)
		printf("%zu %s not started (cancelled); to finish the job: simtop --resume %s\n",
		       counts[JOB_CANCELLED], plural(counts[JOB_CANCELLED], "device was", "devices were"), quoted);
	free(quoted);
	fflush(stdout);
	for (size_t i = 0; i < plan->count; i++)
		if (!reached_target(job_result(job, i)))
			return APPLY_EXIT_FAILED;
	return progress.error[0] ? APPLY_EXIT_FAILED : APPLY_EXIT_OK;
}

/* Run the job to its end with progress on stderr; Ctrl-C cancels, twice stops at once. */
static int run_job(struct api *api, const struct transport *transport, const struct plan *plan,
		   enum journal_state (*states)[2], struct journal *journal, struct audit *audit)
{
	struct sigaction action = { 0 }, old_action;
	struct job_progress progress;
	struct api_stats before, after;
	bool show_progress = isatty(STDERR_FILENO);
	bool cancel_sent = false;
	int64_t started = util_now_ms(), shown = 0;
	int status;

	fprintf(stderr, "journal: %s\n", journal_path(journal));
	interrupts = 0;
	action.sa_handler = on_interrupt;
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, &old_action);

	api_stats(api, &before);
	struct job *job = job_start(transport, plan, states, journal, audit, NULL);
	for (;;) {
		job_progress(job, &progress);
		if (progress.finished)
			break;
		if (interrupts >= 2) {
			if (show_progress)
				fputc('\n', stderr);
			char *quoted = util_shell_quote(journal_path(journal));
			fprintf(stderr, "simtop: stopped at once; changes in flight may or may not have been applied.\n"
					"To finish the job: simtop --resume %s\n", quoted);
			free(quoted);
			exit(130);
		}
		if (interrupts == 1 && !cancel_sent) {
			cancel_sent = true;
			job_cancel(job);
			if (show_progress)
				fputc('\n', stderr);
			fprintf(stderr, "simtop: cancelling: devices already started finish their pair, nothing new "
					"starts (Ctrl-C again stops at once)\n");
			continue;
		}
		int64_t now = util_now_ms();
		if (show_progress && now - shown >= APPLY_PROGRESS_MS) {
			shown = now;
			print_progress(&progress, plan_action_name(plan->action));
		}
		api_wait(api, -1, APPLY_PROGRESS_MS, NULL);
	}
	if (show_progress)
		fprintf(stderr, "\r\033[K");
	sigaction(SIGINT, &old_action, NULL);

	api_stats(api, &after);
	status = print_results(plan, job, journal_path(journal), (double)(util_now_ms() - started) / 1000.0);
	fprintf(stderr, "api: %lld requests (%lld PATCH), %lld authentications, %lld retried, %lld answered 429\n",
		(long long)(after.requests - before.requests), (long long)(after.patches - before.patches),
		(long long)(after.authentications - before.authentications),
		(long long)(after.retries - before.retries), (long long)(after.throttled - before.throttled));
	job_free(job);
	return status;
}

/* --- commands ----------------------------------------------------------------------------- */

/* Where jobs run now: the API URL, the profile and the token's workspace (name into name). */
static void current_origin(struct api *api, const struct apply_options *options, struct journal_origin *origin,
			   char *name, size_t size)
{
	*origin = (struct journal_origin){
		.api_url = options->api_url, .profile = options->profile,
		.workspace_id = api_workspace(api, name, size), .workspace_name = name,
	};
}

int apply_run(struct api *api, const struct apply_options *options)
{
	struct csv_ids ids = { 0 };
	struct rows rows = { 0 };
	struct plan plan = { 0 };
	struct plan_summary summary;
	struct fleet *fleet;
	char message[1024];
	int status;

	if (options->read_only) {
		fprintf(stderr, "simtop: read-only: 'simtop apply' changes devices, and read-only mode (--read-only or "
				"read_only in the config file) forbids that\n");
		return APPLY_EXIT_USAGE;
	}
	/* A bad file is refused before anything is loaded or sent. */
	if (options->from_csv && !csv_read_ids(options->from_csv, &ids, message, sizeof(message))) {
		fprintf(stderr, "simtop: %s\n", message);
		return APPLY_EXIT_USAGE;
	}
	fleet = apply_load_fleet(api, isatty(STDERR_FILENO), message, sizeof(message));
	if (!fleet) {
		fprintf(stderr, "simtop: %s\n", message);
		csv_ids_free(&ids);
		return APPLY_EXIT_FAILED;
	}
	sort_build_rows(&rows, fleet);
	if (options->from_csv)
		select_from_csv(options->from_csv, &ids, fleet, &rows);
	else if (options->filter)
		filter_rows(options->filter, fleet, NULL, &rows, NULL);
	csv_ids_free(&ids);
	if (rows.count == 0) {
		fprintf(stderr, "simtop: nothing selected: %s\n",
			options->from_csv ? "no row of the file names a device of the fleet"
					  : "the filter matches no device");
		rows_free(&rows);
		fleet_free(fleet);
		return APPLY_EXIT_USAGE;
	}
	plan_build(&plan, options->action, fleet, rows.index, rows.count);
	rows_free(&rows);
	fleet_free(fleet);

	/* The job starts without what the load saved up: requests / rate is what it takes. */
	api_set_rate(api, options->rate);
	struct transport *transport = api_transport_new(api);
	plan_summarize(&plan, &summary);
	print_plan(stdout, &plan, &summary, NULL, transport);
	fflush(stdout);
	if (summary.steps == 0) {
		printf("Nothing to send: every selected device is in its target state already or skipped.\n");
		status = APPLY_EXIT_OK;
	} else if (options->dry_run) {
		printf("Dry run: nothing was sent.\n");
		status = APPLY_EXIT_OK;
	} else if ((status = ask("Apply to", summary.devices_changed, options)) < 0) {
		/* The audit log first: a journal is only created for a job that can start. */
		struct audit *audit = audit_open(NULL, message, sizeof(message));
		char workspace_name[96];
		struct journal_origin origin;
		current_origin(api, options, &origin, workspace_name, sizeof(workspace_name));
		struct journal *journal = audit ? journal_create(NULL, &plan, &origin, message, sizeof(message)) : NULL;
		if (journal) {
			status = run_job(api, transport, &plan, NULL, journal, audit);
		} else {
			fprintf(stderr, "simtop: nothing was sent: %s\n", message);
			status = APPLY_EXIT_FAILED;
		}
		journal_close(journal);
		audit_close(audit);
	}
	api_transport_free(transport);
	plan_free(&plan);
	return status;
}

/* Read back every device the journal's job would still change, with a line on stderr while
 * that runs; then plan only what is still needed, and say what was found. */
static void check_before_resume(const struct transport *transport, struct api *api, struct plan *plan,
				enum journal_state (*states)[2])
{
	struct job_rebase_report report;
	struct job_progress progress;
	bool show_progress = isatty(STDERR_FILENO);
	struct job *check = job_start_check(transport, plan, states);

	for (;;) {
		job_progress(check, &progress);
		if (progress.finished)
			break;
		if (show_progress)
			fprintf(stderr, "\rreading back %zu %s before resuming%s%s\033[K", progress.verifying,
				plural(progress.verifying, "device", "devices"),
				progress.paused_seconds > 0 ? " \u00b7 paused: " : "", progress.pause_reason);
		api_wait(api, -1, APPLY_PROGRESS_MS, NULL);
	}
	if (show_progress)
		fprintf(stderr, "\r\033[K");
	job_rebase(plan, states, job_check_truths(check), &report);
	job_free(check);
	printf("Read back before resuming: %zu %s left to change, %zu already in %s target state, "
	       "%zu changed elsewhere (left alone), %zu could not be read (left alone).\n", report.remaining,
	       plural(report.remaining, "device", "devices"), report.reached, plural(report.reached, "its", "their"),
	       report.changed, report.unread);
}

int apply_resume(struct api *api, const char *journal_path_name, const struct apply_options *options)
{
	struct plan plan;
	struct plan_summary summary;
	enum journal_state (*states)[2] = NULL;
	size_t devices_left = 0;
	char message[1024];
	int status;

	if (options->read_only) {
		fprintf(stderr, "simtop: read-only: resuming a job changes devices, and read-only mode forbids that\n");
		return APPLY_EXIT_USAGE;
	}
	enum journal_open_error open_error;
	struct journal *journal = journal_resume(journal_path_name, &plan, &states, options->dry_run, message,
						 sizeof(message), &open_error);
	if (!journal) {
		fprintf(stderr, "simtop: %s\n", message);
		return APPLY_EXIT_USAGE;
	}
	/* The journal's API, profile and workspace, before anything else is asked of the API. */
	api_authenticate(api);
	while (api_authenticated(api, message, sizeof(message)) < 0)
		api_wait(api, -1, APPLY_PROGRESS_MS, NULL);
	if (api_authenticated(api, message, sizeof(message)) == 0) {
		fprintf(stderr, "simtop: nothing was sent: %s\n", message);
		journal_close(journal);
		free(states);
		plan_free(&plan);
		return APPLY_EXIT_FAILED;
	}
	char workspace_name[96];
	struct journal_origin origin;
	current_origin(api, options, &origin, workspace_name, sizeof(workspace_name));
	if (!journal_origin_matches(journal, &origin, message, sizeof(message))) {
		fprintf(stderr, "simtop: not resumed: %s\n", message);
		journal_close(journal);
		free(states);
		plan_free(&plan);
		return APPLY_EXIT_USAGE;
	}
	api_set_rate(api, options->rate);
	struct transport *transport = api_transport_new(api);
	printf("Resuming the job of %s%s\n", journal_path_name,
	       journal_finished(journal) ? " (it ended, cancelled or stopped)" : "");
	check_before_resume(transport, api, &plan, states);
	for (size_t i = 0; i < plan.count; i++)
		for (int step = 0; step < plan.devices[i].step_count; step++)
			if (plan.devices[i].steps[step].skip == SKIP_NONE &&
			    (states[i][step] == JOURNAL_PENDING || states[i][step] == JOURNAL_INTENT)) {
				devices_left++;
				break;
			}
	plan_summarize(&plan, &summary);
	print_plan(stdout, &plan, &summary, states, transport);
	fflush(stdout);
	if (devices_left == 0)
		printf("Nothing is left to send.\n");
	if (options->dry_run) {
		printf("Dry run: nothing was sent.\n");
		status = APPLY_EXIT_OK;
	} else if (devices_left > 0 && (status = ask("Finish the job on", devices_left, options)) >= 0) {
		/* not confirmed */
	} else {
		struct audit *audit = audit_open(NULL, message, sizeof(message));
		if (audit) {
			status = run_job(api, transport, &plan, states, journal, audit);
			audit_close(audit);
		} else {
			fprintf(stderr, "simtop: nothing was sent: %s\n", message);
			status = APPLY_EXIT_FAILED;
		}
	}
	api_transport_free(transport);
	journal_close(journal);
	free(states);
	plan_free(&plan);
	return status;
}
