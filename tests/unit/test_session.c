/* test_session.c — the session (session.h) without a terminal: loading and refresh, filter,
 * sort, marks, CSV in and out, the life of a job, and live reads with conn: and data:
 * filters, against the fake emnify of fake_emnify.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fake_emnify.h"
#include "scratch.h"
#include "session.h"
#include "util.h"

struct fixture {
	struct fake fake;
	struct session *session;
	char *directory;   /* XDG_STATE_HOME: journals and the audit log */
	char *snapshot_path;
};

#define API_URL "http://127.0.0.1:1"

static struct session *new_session(struct fixture *fixture, bool read_only)
{
	struct session_options options = {
		.transport = &fixture->fake.transport, .api_url = API_URL, .profile = "default",
		.read_only = read_only, .snapshot_path = fixture->snapshot_path,
	};
	return session_new(&options);
}

/* A fake of count devices (endpoints 100.., SIMs 500..), alternately online and billed offline
 * (SIM Activated, endpoint Disabled), and a loaded session. */
static int setup(void **state)
{
	struct fixture *fixture = xcalloc(1, sizeof(*fixture));
	fake_init(&fixture->fake, 2000, 1000);
	for (size_t i = 0; i < 10; i++)
		fake_add_device(&fixture->fake, SIM_ACTIVATED, i % 2 ? ENDPOINT_DISABLED : ENDPOINT_ENABLED);
	fixture->directory = make_temporary_directory("session");
	setenv("XDG_STATE_HOME", fixture->directory, 1);
	setenv("XDG_CACHE_HOME", fixture->directory, 1);
	fixture->snapshot_path = snapshot_path(API_URL, "default");
	fixture->session = new_session(fixture, false);
	*state = fixture;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fixture = *state;
	session_free(fixture->session);
	fake_free(&fixture->fake);
	remove_tree(fixture->directory);
	free(fixture->directory);
	free(fixture->snapshot_path);
	free(fixture);
	return 0;
}

/* Load (or refresh) and take in everything that arrives; returns the events seen. */
static unsigned load(struct fixture *fixture)
{
	assert_true(session_load(fixture->session));
	fake_run(&fixture->fake);
	unsigned events = session_update(fixture->session);
	return events | session_update(fixture->session);  /* the second writes the snapshot */
}

static int64_t cursor_endpoint(const struct session *session)
{
	size_t device;
	assert_true(session_cursor_device(session, &device));
	return fleet_device(session->fleet, device)->endpoint_id;
}

static void set_filter(struct session *session, const char *query)
{
	char message[256];
	int column;
	assert_true(session_set_filter(session, query, message, sizeof(message), &column));
}

static void move_to_endpoint(struct session *session, int64_t endpoint_id)
{
	for (size_t i = 0; i < session->rows.count; i++)
		if (fleet_device(session->fleet, session->rows.index[i])->endpoint_id == endpoint_id) {
			session_move_cursor(session, i);
			return;
		}
	fail_msg("endpoint %lld is not shown", (long long)endpoint_id);
}

static void test_load_shows_every_device(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	unsigned events = load(fixture);
	assert_true(events & SESSION_FIRST_LOAD);
	assert_false(events & SESSION_REFRESHED);
	assert_true(session->loaded);
	assert_int_equal(session->rows.count, 10);
	assert_int_equal(cursor_endpoint(session), ENDPOINT_ID(0));
}

static void test_refresh_keeps_marks_filter_and_cursor_device(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	move_to_endpoint(session, ENDPOINT_ID(3));
	assert_true(session_toggle_mark(session));   /* 3, and the cursor moves on to 4 */
	assert_true(session_toggle_mark(session));   /* 4 */
	move_to_endpoint(session, ENDPOINT_ID(7));
	set_filter(session, "sim:act");
	/* A device arrives that sorts before all the others: every row moves down by one. */
	fake_add_lonely_sim(&fixture->fake, 1, SIM_ACTIVATED);
	fake_add_lonely_sim(&fixture->fake, 2, SIM_SUSPENDED);
	unsigned events = load(fixture);
	assert_true(events & SESSION_REFRESHED);
	assert_false(events & SESSION_FIRST_LOAD);
	assert_int_equal(fleet_count(session->fleet), 12);
	assert_int_equal(session->rows.count, 11);   /* the suspended SIM is filtered out */
	assert_string_equal(session->filter_text, "sim:act");
	assert_int_equal(cursor_endpoint(session), ENDPOINT_ID(7));
	assert_int_equal(session->marked_shown, 2);
	assert_int_equal(marks_count_in_fleet(session->marks, session->fleet), 2);
}

static void test_refresh_that_fails_keeps_the_fleet(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	fixture->fake.load_fails = true;
	unsigned events = load(fixture);
	assert_false(events & SESSION_REFRESHED);
	assert_int_equal(session->rows.count, 10);
	assert_true(session->message_is_error);
	assert_non_null(strstr(session->message, "Refresh failed, showing the earlier fleet"));
	assert_string_equal(session->fatal, "");
}

static void test_first_load_that_fails_is_fatal(void **state)
{
	struct fixture *fixture = *state;
	fixture->fake.load_fails = true;
	load(fixture);
	assert_non_null(strstr(fixture->session->fatal, "no answer from the fake emnify"));
	assert_false(fixture->session->loaded);
}

static void test_filter_error_keeps_the_previous_filter(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	set_filter(session, "ep:dis");
	assert_int_equal(session->rows.count, 5);
	char message[256] = "";
	int column = 0;
	assert_false(session_set_filter(session, "ep:dis sim:nonsense", message, sizeof(message), &column));
	assert_true(message[0] != '\0');
	assert_true(column > 7);
	assert_string_equal(session->filter_text, "ep:dis");
	assert_int_equal(session->rows.count, 5);
	set_filter(session, "");
	assert_null(session->filter);
	assert_int_equal(session->rows.count, 10);
}

/* Narrowing filters the shown rows instead of the fleet: the rows must be those a filter from
 * scratch gives. */
static void test_narrowed_filter_matches_a_full_one(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	session_sort_by(session, SORT_NAME, true);
	set_filter(session, "device-10");
	set_filter(session, "device-10 ep:dis");
	size_t narrowed = session->rows.count;
	size_t first = session->rows.index[0];
	set_filter(session, "");
	set_filter(session, "device-10 ep:dis");
	assert_int_equal(session->rows.count, narrowed);
	assert_int_equal(session->rows.index[0], first);
	assert_int_equal(narrowed, 5);
}

static void test_hidden_marks_are_counted(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	session_mark_shown(session);
	set_filter(session, "ep:ena");
	assert_int_equal(session->marked_shown, 5);
	assert_int_equal(session->marked_hidden, 5);
	char counts[200];
	session_describe_rows(session, counts, sizeof(counts));
	assert_string_equal(counts, "5 shown \u00b7 5 marked (5 hidden by the filter)");
	session_toggle_only_marked(session);
	assert_int_equal(session->rows.count, 5);
	session_invert_marks(session);          /* the 5 shown ones: unmarked, so not shown */
	assert_int_equal(session->rows.count, 0);
	assert_int_equal(session->marked_hidden, 5);
	session_unmark_all(session);
	assert_int_equal(session->marked_hidden, 0);
}

static void test_mark_range_and_query(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	assert_false(session_mark_range(session));
	assert_non_null(strstr(session->message, "Mark a row with Space first"));
	move_to_endpoint(session, ENDPOINT_ID(2));
	session_toggle_mark(session);
	move_to_endpoint(session, ENDPOINT_ID(6));
	assert_true(session_mark_range(session));
	assert_int_equal(session->marked_shown, 5);
	char message[256];
	int column;
	assert_false(session_mark_query(session, "sim:", message, sizeof(message), &column));
	assert_int_equal(session->marked_shown, 5);
	assert_true(session_mark_query(session, "ep:dis", message, sizeof(message), &column));
	assert_int_equal(session->marked_shown, 8);  /* 2..6, then 1, 7 and 9 (3 and 5 were marked) */
	assert_non_null(strstr(session->message, "Marked the 5 devices matching ep:dis"));
}

static void test_sort_keeps_the_cursor_device(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	move_to_endpoint(session, ENDPOINT_ID(8));
	session_sort_by(session, SORT_NAME, true);
	assert_int_equal(cursor_endpoint(session), ENDPOINT_ID(8));
	assert_int_equal(fleet_device(session->fleet, session->rows.index[0])->endpoint_id, ENDPOINT_ID(9));
	session_sort_reverse(session);
	assert_int_equal(cursor_endpoint(session), ENDPOINT_ID(8));
	assert_string_equal(session->message, "Sorted by name, ascending");
}

static void test_export_and_mark_from_csv(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	char *path = xasprintf("%s/shown.csv", fixture->directory);
	set_filter(session, "ep:dis");
	assert_int_equal(session_export(session, path, false, false), SESSION_EXPORT_WRITTEN);
	assert_non_null(strstr(session->message, "Wrote 5 shown rows"));
	assert_int_equal(session_export(session, path, false, false), SESSION_EXPORT_EXISTS);
	assert_int_equal(session_export(session, path, false, true), SESSION_EXPORT_WRITTEN);

	set_filter(session, "");
	struct session_csv_marks found;
	assert_true(session_mark_from_csv(session, path, &found));
	assert_int_equal(found.rows, 5);
	assert_int_equal(found.missing, 0);
	assert_int_equal(found.added, 5);
	assert_int_equal(session->marked_shown, 5);
	csv_ids_free(&found.unknown);

	char *other = xasprintf("%s/other.csv", fixture->directory);
	FILE *file = fopen(other, "w");
	assert_non_null(file);
	fprintf(file, "iccid\n8988000000000000501\n8988000000000099999\n");
	fclose(file);
	assert_true(session_mark_from_csv(session, other, &found));
	assert_int_equal(found.missing, 1);
	assert_int_equal(found.added, 0);   /* SIM 501 (device 1) is marked already */
	assert_int_equal(found.unknown.count, 1);
	assert_string_equal(found.unknown.items[0].value, "8988000000000099999");
	csv_ids_free(&found.unknown);
	assert_false(session_mark_from_csv(session, "/nonexistent/simtop.csv", &found));
	assert_non_null(strstr(session->message, "Nothing marked"));
	free(other);
	free(path);
}

static bool plan_marked(struct session *session, enum plan_action action, struct plan **plan)
{
	size_t *shown, shown_count, *hidden, hidden_count;
	if (!session_plan_targets(session, action, &shown, &shown_count, &hidden, &hidden_count))
		return false;
	size_t *devices = xmalloc(sizeof(*devices) * (shown_count + hidden_count + 1));
	memcpy(devices, shown, shown_count * sizeof(*devices));
	memcpy(devices + shown_count, hidden, hidden_count * sizeof(*devices));
	*plan = xcalloc(1, sizeof(**plan));
	plan_build(*plan, action, session->fleet, devices, shown_count + hidden_count);
	free(devices);
	free(shown);
	free(hidden);
	return true;
}

/* The marked billed devices go offline; one SIM refuses. The rows show what was read back,
 * the results name the failed device, and marking them marks exactly it. */
static void test_job_results_show_and_re_mark(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	fake_add_rule(&fixture->fake, FAKE_SIM_PATCH, SIM_ID(3), 1, 0, FAULT_REFUSED, 422);
	set_filter(session, "align:misaligned");
	session_mark_shown(session);
	set_filter(session, "");
	struct plan *plan;
	assert_true(plan_marked(session, PLAN_OFFLINE, &plan));
	assert_int_equal(plan->count, 5);
	assert_true(session_start_job(session, plan, NULL, NULL));
	assert_int_equal(fixture->fake.pace_restarts, 1);
	assert_non_null(session->job);
	assert_false(plan_marked(session, PLAN_ONLINE, &plan));
	assert_non_null(strstr(session->message, "A job is running"));

	fake_run(&fixture->fake);
	unsigned events = session_update(session);
	assert_true(events & SESSION_JOB_FINISHED);
	assert_null(session->job);
	assert_int_equal(session->last_trouble, 1);
	assert_non_null(strstr(session->message, "offline: 1 of 5 devices did not reach its target"));
	size_t index;
	assert_true(fleet_find_endpoint(session->fleet, ENDPOINT_ID(1), &index));
	assert_int_equal(fleet_device(session->fleet, index)->sim_status, SIM_SUSPENDED);
	assert_true(fleet_find_endpoint(session->fleet, ENDPOINT_ID(3), &index));
	assert_int_equal(fleet_device(session->fleet, index)->sim_status, SIM_ACTIVATED);
	struct session_unfinished unfinished;
	assert_false(session_job_unfinished(session, true, &unfinished));

	struct device failed = { .endpoint_id = ENDPOINT_ID(3), .sim_id = SIM_ID(3) };
	session_mark_devices(session, &failed, 1);
	assert_int_equal(session->marked_shown, 1);
	assert_true(marks_has(session->marks, fleet_device(session->fleet, index)));
}

/* The device of an endpoint, as its row shows it. */
static size_t index_of(const struct session *session, int64_t endpoint_id)
{
	size_t index;
	assert_true(fleet_find_endpoint(session->fleet, endpoint_id, &index));
	return index;
}

static const struct device *device_of(const struct session *session, int64_t endpoint_id)
{
	return fleet_device(session->fleet, index_of(session, endpoint_id));
}

static bool bulk_sent(const struct fake *fake)
{
	for (size_t i = 0; i < fake->call_count; i++)
		if (fake->calls[i].kind == FAKE_BULK)
			return true;
	return false;
}

/* While a job runs, each device's row shows its new statuses as soon as a step of it settles,
 * and a device that failed is known as such, long before the job ends; the rows keep their
 * places (and the filter) until it ends. */
static void test_rows_change_while_the_job_runs(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	fake_add_rule(&fixture->fake, FAKE_SIM_PATCH, SIM_ID(4), 1, 0, FAULT_REFUSED, 422);
	set_filter(session, "align:online");
	session_mark_shown(session);
	struct plan *plan;
	assert_true(plan_marked(session, PLAN_OFFLINE, &plan));
	assert_int_equal(plan->count, 5);
	assert_true(session_start_job(session, plan, NULL, NULL));
	assert_non_null(strstr(session->message, "Started: offline on 5 devices"));
	assert_int_equal(session_update(session) & SESSION_CHANGED, 0);

	/* The first SIM answered: its row says Suspended at once; the others are as loaded. */
	assert_true(fake_step(&fixture->fake));
	assert_true(session_update(session) & SESSION_CHANGED);
	assert_non_null(session->job);
	assert_int_equal(device_of(session, ENDPOINT_ID(0))->sim_status, SIM_SUSPENDED);
	assert_int_equal(device_of(session, ENDPOINT_ID(0))->endpoint_status, ENDPOINT_ENABLED);
	assert_int_equal(device_of(session, ENDPOINT_ID(2))->sim_status, SIM_ACTIVATED);
	assert_int_equal(fleet_count_alignment(session->fleet, ALIGN_ONLINE), 4);
	/* Nothing new: nothing to draw again. */
	assert_int_equal(session_update(session) & SESSION_CHANGED, 0);

	/* Every SIM answered, before the bulk call: the refused one failed, its row as loaded. */
	while (!bulk_sent(&fixture->fake) && fake_step(&fixture->fake))
		session_update(session);
	session_update(session);
	assert_non_null(session->job);
	assert_true(session_device_failed(session, index_of(session, ENDPOINT_ID(4))));
	assert_int_equal(device_of(session, ENDPOINT_ID(4))->sim_status, SIM_ACTIVATED);
	assert_false(session_device_failed(session, index_of(session, ENDPOINT_ID(2))));
	assert_int_equal(device_of(session, ENDPOINT_ID(2))->sim_status, SIM_SUSPENDED);
	/* The rows stay put: the filter applies again when the job ends. */
	assert_int_equal(session->rows.count, 5);

	fake_run(&fixture->fake);
	assert_true(session_update(session) & SESSION_JOB_FINISHED);
	assert_int_equal(device_of(session, ENDPOINT_ID(2))->endpoint_status, ENDPOINT_DISABLED);
	assert_true(session_device_failed(session, index_of(session, ENDPOINT_ID(4))));
	assert_int_equal(session->rows.count, 1);
	assert_non_null(strstr(session->message, "offline: 1 of 5 devices did not reach its target"));

	/* The next job starts with no device failed. */
	set_filter(session, "");
	session_unmark_all(session);
	move_to_endpoint(session, ENDPOINT_ID(1));
	assert_true(plan_marked(session, PLAN_ONLINE, &plan));
	assert_int_equal(plan->count, 1);
	assert_true(session_start_job(session, plan, NULL, NULL));
	assert_non_null(strstr(session->message, "Started: online on 1 device;"));
	assert_false(session_device_failed(session, index_of(session, ENDPOINT_ID(4))));
	fake_run(&fixture->fake);
	assert_true(session_update(session) & SESSION_JOB_FINISHED);
	assert_string_equal(session->message, "online: the device reached its target");
}

/* A job left with nothing answered is offered again by the next session, planned from the
 * fleet it loads; read-only sessions are offered nothing and may start nothing. */
static void test_unfinished_job_is_offered_again(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	set_filter(session, "align:misaligned");
	session_mark_shown(session);
	struct plan *plan;
	assert_true(plan_marked(session, PLAN_OFFLINE, &plan));
	assert_true(session_start_job(session, plan, NULL, NULL));
	struct session_unfinished unfinished;
	assert_true(session_job_unfinished(session, false, &unfinished));
	assert_int_equal(unfinished.devices, 5);
	session_free(session);   /* as simtop quitting with the job running */
	fixture->fake.pending_count = 0;

	struct session *read_only = fixture->session = new_session(fixture, true);
	load(fixture);
	struct session_resume resume;
	assert_false(session_find_resume(read_only, &resume));
	assert_false(session_plan_targets(read_only, PLAN_OFFLINE, &(size_t *){ NULL }, &(size_t){ 0 }, &(size_t *){ NULL },
					  &(size_t){ 0 }));
	assert_non_null(strstr(read_only->message, "Read-only"));
	session_free(read_only);

	session = fixture->session = new_session(fixture, false);
	load(fixture);
	assert_true(session_find_resume(session, &resume));
	assert_int_equal(resume.plan->count, 5);
	assert_int_equal(resume.report.remaining, 5);
	assert_non_null(strstr(session->message, "An earlier job did not finish"));
	assert_true(session_start_job(session, resume.plan, resume.states, resume.journal));
	resume.plan = NULL;
	resume.states = NULL;
	resume.journal = NULL;
	session_resume_free(&resume);
	fake_run(&fixture->fake);
	assert_true(session_update(session) & SESSION_JOB_FINISHED);
	assert_int_equal(session->last_trouble, 0);
	assert_false(session_find_resume(session, &resume));
}

/* The second start shows the fleet of the first at once; nothing is planned on it; the fresh
 * fleet replaces it with marks, filter and the cursor's device kept, and is the first load. */
static void test_snapshot_shown_until_the_fresh_fleet(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	assert_false(session_show_snapshot(session, (int64_t)time(NULL)));   /* none yet */
	load(fixture);
	assert_int_equal(file_mode(fixture->snapshot_path), 0600);
	session_free(session);

	/* Meanwhile device 1 went offline on the server. */
	fixture->fake.sims[1].status = SIM_SUSPENDED;
	session = fixture->session = new_session(fixture, false);
	assert_true(session_show_snapshot(session, (int64_t)time(NULL)));
	assert_true(session->from_snapshot);
	assert_int_equal(session->rows.count, 10);
	assert_non_null(strstr(session->message, "The fleet as saved"));
	set_filter(session, "align:misaligned");
	assert_int_equal(session->rows.count, 5);
	session_mark_shown(session);
	move_to_endpoint(session, ENDPOINT_ID(3));

	struct plan *plan = NULL;
	assert_false(plan_marked(session, PLAN_OFFLINE, &plan));
	assert_true(session->action_waits);
	assert_int_equal(session->waiting_action, PLAN_OFFLINE);
	assert_non_null(strstr(session->message, "Waiting for the fresh fleet"));

	assert_true(session_load(session));
	assert_non_null(session->incoming);
	fake_run(&fixture->fake);
	unsigned events = session_update(session);
	assert_true(events & SESSION_FIRST_LOAD);
	assert_true(events & SESSION_REFRESHED);
	assert_false(session->from_snapshot);
	assert_true(session->action_waits);  /* the caller opens it now */
	assert_string_equal(session->filter_text, "align:misaligned");
	assert_int_equal(session->rows.count, 4);         /* device 1 is offline now */
	assert_int_equal(cursor_endpoint(session), ENDPOINT_ID(3));
	assert_int_equal(marks_count_in_fleet(session->marks, session->fleet), 5);
	assert_true(plan_marked(session, PLAN_OFFLINE, &plan));
	assert_int_equal(plan->count, 5);
	plan_free(plan);
	free(plan);
	assert_true(session_cancel_waiting_action(session));
	assert_false(session->action_waits);
}

/* A snapshot of another workspace than the token's is dropped as soon as that is known, and
 * one that is corrupt is not shown, with a message. */
static void test_snapshot_of_another_workspace_or_corrupt(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	struct snapshot_origin other = { .api_url = API_URL, .profile = "default", .workspace_id = 7,
					  .workspace_name = "Other" };
	char message[512];
	assert_true(snapshot_write(fixture->snapshot_path, session->fleet, &other, (int64_t)time(NULL), message,
				   sizeof(message)));
	session_free(session);

	session = fixture->session = new_session(fixture, false);
	assert_true(session_show_snapshot(session, (int64_t)time(NULL)));
	assert_true(session_load(session));
	session_update(session);   /* the fake's token is of workspace 42 */
	assert_false(session->from_snapshot);
	assert_int_equal(session->rows.count, 0);
	assert_non_null(strstr(session->message, "another workspace (Other)"));
	fake_run(&fixture->fake);
	assert_true(session_update(session) & SESSION_FIRST_LOAD);
	assert_int_equal(session->rows.count, 10);
	session_free(session);

	FILE *file = fopen(fixture->snapshot_path, "r+");
	assert_non_null(file);
	fseek(file, 100, SEEK_SET);
	fputc('X', file);
	fclose(file);
	session = fixture->session = new_session(fixture, false);
	assert_false(session_show_snapshot(session, (int64_t)time(NULL)));
	assert_non_null(strstr(session->message, "The saved fleet is not shown"));
}

/* --- live state -------------------------------------------------------------------------------- */

/* The fixture's devices with no data this month: the odd ones are offline (0 MB), and of the
 * online even ones those whose endpoint id is a multiple of 3 (FAKE_USAGE_MB). */
static const int64_t zero_usage[] = { 101, 102, 103, 105, 107, 108, 109 };

static void assert_rows_are(const struct session *session, const int64_t *ids, size_t count)
{
	if (session->rows.count != count)
		fail_msg("%zu rows shown, expected %zu", session->rows.count, count);
	for (size_t i = 0; i < count; i++) {
		int64_t shown = fleet_device(session->fleet, session->rows.index[i])->endpoint_id;
		if (shown != ids[i])
			fail_msg("row %zu: endpoint %lld, expected %lld", i, (long long)shown, (long long)ids[i]);
	}
}

/* Calls of a kind the fake received, naming id (0: any). */
static size_t live_calls(const struct fake *fake, enum fake_kind kind, int64_t id)
{
	size_t count = 0;
	for (size_t i = 0; i < fake->call_count; i++)
		count += fake->calls[i].kind == kind && (id == 0 || fake->calls[i].id == id);
	return count;
}

/* Read what session_live_start() chose, to the end. */
static unsigned read_live(struct fixture *fixture)
{
	assert_true(session_live_start(fixture->session));
	assert_non_null(fixture->session->live_fetch);
	fake_run(&fixture->fake);
	unsigned events = session_update(fixture->session);
	assert_true(events & SESSION_LIVE_FINISHED);
	assert_null(fixture->session->live_fetch);
	return events;
}

/* A data: filter before any read shows nothing and counts every device unknown; the read fills
 * the store and the filter then shows exactly the devices without data this month. */
static void test_live_read_and_data_filter(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	set_filter(session, "data:0");
	assert_int_equal(session->rows.count, 0);
	assert_int_equal(session->unknown.count, 10);
	char counts[200];
	session_describe_rows(session, counts, sizeof(counts));
	assert_string_equal(counts, "0 shown \u00b7 10 live state unknown");

	struct session_live_plan plan;
	assert_true(session_live_plan(session, &plan));
	assert_false(plan.marked);
	assert_int_equal(plan.devices, 10);
	assert_int_equal(plan.without_endpoint, 0);
	assert_int_equal(plan.left_out, 0);
	assert_int_equal(plan.estimate.calls, 20);

	size_t restarts = fixture->fake.pace_restarts;
	assert_true(session_live_start(session));
	assert_int_equal(fixture->fake.pace_restarts, restarts + 1);
	struct live_fetch_progress progress;
	live_fetch_progress(session->live_fetch, &progress);
	assert_true(progress.running);
	assert_int_equal(progress.devices, 10);
	assert_int_equal(progress.calls_total, 20);
	/* Nothing is planned, and no second read starts, while it runs. */
	assert_false(session_may_act(session));
	assert_true(session->message_is_error);
	assert_non_null(strstr(session->message, "Live state is being read"));
	assert_false(session_live_start(session));
	assert_non_null(strstr(session->message, "being read already"));
	assert_false(session_live_plan(session, &plan));

	fake_run(&fixture->fake);
	unsigned events = session_update(session);
	assert_true(events & SESSION_LIVE_FINISHED);
	assert_true(events & SESSION_CHANGED);
	assert_null(session->live_fetch);
	assert_false(session->message_is_error);
	assert_non_null(strstr(session->message, "Live state of 10 devices read in"));
	assert_non_null(strstr(session->message, "(20 calls)"));
	assert_int_equal(live_calls(&fixture->fake, FAKE_CONNECTIVITY, 0), 10);
	assert_int_equal(live_calls(&fixture->fake, FAKE_USAGE, 0), 10);
	assert_int_equal(live_count(session->live), 10);
	assert_rows_are(session, zero_usage, ARRAY_SIZE(zero_usage));
	assert_int_equal(session->unknown.count, 0);
	session_describe_rows(session, counts, sizeof(counts));
	assert_string_equal(counts, "7 shown");
	assert_true(session_may_act(session));

	/* Other live filters over the same store, without another read. */
	size_t calls = fixture->fake.call_count;
	set_filter(session, "conn:online");
	const int64_t online[] = { 100, 102, 104, 106, 108 };
	assert_rows_are(session, online, ARRAY_SIZE(online));
	set_filter(session, "!conn:online data:0");
	const int64_t offline[] = { 101, 103, 105, 107, 109 };
	assert_rows_are(session, offline, ARRAY_SIZE(offline));
	set_filter(session, "data:>1");
	const int64_t busy[] = { 100, 104, 106 };   /* 1.5, 3 and 1.5 MB */
	assert_rows_are(session, busy, ARRAY_SIZE(busy));
	assert_int_equal(fixture->fake.call_count, calls);
	assert_int_equal(session->unknown.count, 0);
}

/* A filter narrowed onto a live term, and from one: the rows and unknown are those of the query
 * from scratch. */
static void test_live_filter_narrowed(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	set_filter(session, "ep:dis");
	set_filter(session, "ep:dis data:0");
	assert_int_equal(session->rows.count, 0);
	assert_int_equal(session->unknown.count, 5);
	read_live(fixture);
	const int64_t disabled[] = { 101, 103, 105, 107, 109 };
	assert_rows_are(session, disabled, ARRAY_SIZE(disabled));
	assert_int_equal(session->unknown.count, 0);
	/* Only the five were read: wider, the others are unknown. */
	set_filter(session, "data:0");
	assert_rows_are(session, disabled, ARRAY_SIZE(disabled));
	assert_int_equal(session->unknown.count, 5);
	/* Narrowed from a live filter: matched afresh, so the unknown ones stay counted (the rows
	 * alone hold none of them). */
	set_filter(session, "data:0 ep:en");
	assert_int_equal(session->rows.count, 0);
	assert_int_equal(session->unknown.count, 5);
	read_live(fixture);
	const int64_t enabled[] = { 102, 108 };
	assert_rows_are(session, enabled, ARRAY_SIZE(enabled));
	assert_int_equal(session->unknown.count, 0);
	set_filter(session, "data:0");
	assert_rows_are(session, zero_usage, ARRAY_SIZE(zero_usage));
}

/* Marked devices are read, the hidden ones too, and nothing else; without marks, the shown
 * ones; a device without an endpoint has nothing to read. */
static void test_live_reads_marked_or_shown(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	fake_add_lonely_sim(&fixture->fake, 1, SIM_ACTIVATED);
	load(fixture);
	assert_int_equal(fleet_count(session->fleet), 11);

	struct session_live_plan plan;
	assert_true(session_live_plan(session, &plan));
	assert_false(plan.marked);
	assert_int_equal(plan.devices, 10);
	assert_int_equal(plan.without_endpoint, 1);

	move_to_endpoint(session, ENDPOINT_ID(1));
	session_toggle_mark(session);
	move_to_endpoint(session, ENDPOINT_ID(3));
	session_toggle_mark(session);
	set_filter(session, "ep:ena");   /* hides both */
	assert_int_equal(session->marked_hidden, 2);
	assert_true(session_live_plan(session, &plan));
	assert_true(plan.marked);
	assert_int_equal(plan.devices, 2);
	assert_int_equal(plan.without_endpoint, 0);
	assert_int_equal(plan.left_out, 0);
	assert_int_equal(plan.estimate.calls, 4);
	read_live(fixture);
	assert_int_equal(live_count(session->live), 2);
	assert_non_null(live_find(session->live, ENDPOINT_ID(1)));
	assert_non_null(live_find(session->live, ENDPOINT_ID(3)));
	assert_int_equal(fixture->fake.call_count, 4);
	for (size_t i = 0; i < fixture->fake.call_count; i++)
		assert_true(fixture->fake.calls[i].id == ENDPOINT_ID(1) || fixture->fake.calls[i].id == ENDPOINT_ID(3));
	assert_int_equal(live_find(session->live, ENDPOINT_ID(3))->connectivity, CONNECTIVITY_OFFLINE);

	/* Unmarked: the five shown. */
	session_unmark_all(session);
	assert_true(session_live_plan(session, &plan));
	assert_false(plan.marked);
	assert_int_equal(plan.devices, 5);
	assert_int_equal(plan.without_endpoint, 0);
	read_live(fixture);
	assert_int_equal(live_count(session->live), 7);
	for (size_t n = 0; n < 10; n += 2)
		assert_int_equal(live_calls(&fixture->fake, FAKE_CONNECTIVITY, ENDPOINT_ID(n)), 1);

	/* The SIM alone is marked with one device: only the device is read. */
	set_filter(session, "");
	session_mark_query(session, "id:1", (char[64]){ 0 }, 64, &(int){ 0 });
	move_to_endpoint(session, ENDPOINT_ID(9));
	session_toggle_mark(session);
	assert_true(session_live_plan(session, &plan));
	assert_true(plan.marked);
	assert_int_equal(plan.devices, 1);
	assert_int_equal(plan.without_endpoint, 1);
	/* The SIM alone, marked alone: nothing to read. */
	session_unmark_all(session);
	session_mark_query(session, "id:1", (char[64]){ 0 }, 64, &(int){ 0 });
	size_t calls = fixture->fake.call_count;
	assert_false(session_live_plan(session, &plan));
	assert_true(session->message_is_error);
	assert_non_null(strstr(session->message, "No marked device has an endpoint"));
	assert_false(session_live_start(session));
	assert_null(session->live_fetch);
	assert_int_equal(fixture->fake.call_count, calls);
}

/* Fill the fleet a load asked for with endpoints endpoint ids 1 .. endpoints and sims SIMs
 * alone (ids from 900000), as if the API had listed them, and take the load in. */
static void load_many(struct fixture *fixture, size_t endpoints, size_t sims)
{
	assert_true(session_load(fixture->session));
	struct fleet *fleet = fixture->fake.load_fleet;
	assert_non_null(fleet);
	fixture->fake.load_fleet = NULL;
	for (size_t i = 1; i <= endpoints; i++) {
		char name[32];
		snprintf(name, sizeof(name), "unit-%05zu", i);
		struct endpoint_record record = { .id = (int64_t)i, .endpoint_status = ENDPOINT_ENABLED, .name = name,
						  .sim_id = (int64_t)(10000 + i), .sim_status = SIM_ACTIVATED };
		fleet_add_endpoint(fleet, &record);
	}
	for (size_t i = 0; i < sims; i++) {
		struct sim_record record = { .id = (int64_t)(900000 + i), .sim_status = SIM_ISSUED };
		fleet_add_sim(fleet, &record);
	}
	int64_t records = (int64_t)(endpoints + sims);
	fixture->fake.load = (struct transport_load_progress){ .done = true, .records_total = records,
								.records_loaded = records };
	assert_true(session_update(fixture->session) & SESSION_FIRST_LOAD);
}

/* Without marks, a read takes SESSION_LIVE_SHOWN_MAX of the shown devices, in the rows' order:
 * the shown rows first, then those the filter leaves unknown. Marks have no such limit. */
static void test_live_shown_limit(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	enum { ENDPOINTS = SESSION_LIVE_SHOWN_MAX + 20, SIMS = 3 };
	load_many(fixture, ENDPOINTS, SIMS);
	assert_int_equal(session->rows.count, ENDPOINTS + SIMS);

	struct session_live_plan plan;
	assert_true(session_live_plan(session, &plan));
	assert_false(plan.marked);
	assert_int_equal(plan.devices, SESSION_LIVE_SHOWN_MAX);
	assert_int_equal(plan.left_out, 20);
	assert_int_equal(plan.without_endpoint, SIMS);
	assert_int_equal(plan.estimate.calls, 2 * SESSION_LIVE_SHOWN_MAX);

	/* A live filter before any read: nothing shown, every device with an endpoint unknown (a
	 * SIM alone has no live state to know), and the read takes the unknown ones, as many. */
	set_filter(session, "conn:online");
	assert_int_equal(session->rows.count, 0);
	assert_int_equal(session->unknown.count, ENDPOINTS);
	assert_true(session_live_plan(session, &plan));
	assert_int_equal(plan.devices, SESSION_LIVE_SHOWN_MAX);
	assert_int_equal(plan.left_out, 20);
	assert_int_equal(plan.without_endpoint, 0);

	set_filter(session, "");
	/* Sorted by name descending: the last 500 endpoints are the ones shown first. */
	session_sort_by(session, SORT_NAME, true);
	assert_int_equal(fleet_device(session->fleet, session->rows.index[0])->endpoint_id, ENDPOINTS);
	assert_true(session_live_start(session));
	fake_run(&fixture->fake);
	assert_true(session_update(session) & SESSION_LIVE_FINISHED);
	/* The fake knows only its own ten endpoints (100 .. 109): the other reads failed, and
	 * the message says so, first the first row's. */
	assert_true(session->message_is_error);
	assert_non_null(strstr(session->message, "Live state of 500 devices read in"));
	assert_non_null(strstr(session->message, "980 calls failed, first: endpoint 520 connectivity: Not found"));
	assert_int_equal(live_count(session->live), 10);
	assert_non_null(live_find(session->live, 100));
	assert_int_equal(live_calls(&fixture->fake, FAKE_CONNECTIVITY, 0), SESSION_LIVE_SHOWN_MAX);
	assert_int_equal(live_calls(&fixture->fake, FAKE_USAGE, 0), SESSION_LIVE_SHOWN_MAX);
	for (int64_t id = 1; id <= 20; id++)
		assert_int_equal(live_calls(&fixture->fake, FAKE_CONNECTIVITY, id), 0);
	assert_int_equal(live_calls(&fixture->fake, FAKE_CONNECTIVITY, 21), 1);
	assert_int_equal(live_calls(&fixture->fake, FAKE_USAGE, ENDPOINTS), 1);

	/* Marked: all of them, past the limit. */
	set_filter(session, "");
	session_mark_shown(session);
	assert_true(session_live_plan(session, &plan));
	assert_true(plan.marked);
	assert_int_equal(plan.devices, ENDPOINTS);
	assert_int_equal(plan.left_out, 0);
	assert_int_equal(plan.without_endpoint, SIMS);
}

/* Cancel: the calls in flight are dropped, what arrived is kept and filtered on. */
static void test_live_cancel(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	assert_false(session_live_cancel(session));
	set_filter(session, "conn:offline");
	assert_true(session_live_start(session));
	for (int i = 0; i < 3; i++)   /* device 0 both halves, device 1 its connectivity */
		assert_true(fake_step(&fixture->fake));
	assert_true(session_live_cancel(session));
	assert_int_equal(fixture->fake.pending_count, 0);
	unsigned events = session_update(session);
	assert_true(events & SESSION_LIVE_FINISHED);
	assert_null(session->live_fetch);
	assert_non_null(strstr(session->message, "Stopped: 3 of 20 calls answered"));
	assert_false(session_live_cancel(session));
	assert_false(fake_step(&fixture->fake));
	assert_int_equal(live_count(session->live), 2);
	const int64_t offline[] = { 101 };
	assert_rows_are(session, offline, 1);
	assert_int_equal(session->unknown.count, 8);
	assert_true(session_may_act(session));
	char counts[200];
	session_describe_rows(session, counts, sizeof(counts));
	assert_string_equal(counts, "1 shown \u00b7 8 live state unknown");
}

/* A failed read is an error message naming the endpoint and the kind; the rest is shown. */
static void test_live_read_with_a_failure(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	fake_add_rule(&fixture->fake, FAKE_USAGE, ENDPOINT_ID(4), 1, 0, FAULT_REFUSED, 422);
	set_filter(session, "data:<2");
	read_live(fixture);
	assert_true(session->message_is_error);
	assert_non_null(strstr(session->message, "Live state of 10 devices read in"));
	assert_non_null(strstr(session->message, "; 1 call failed, first: endpoint 104 usage: Invalid request"));
	/* 104 (3 MB) is unknown, not shown; the rest are by what they used. */
	const int64_t light[] = { 100, 101, 102, 103, 105, 106, 107, 108, 109 };
	assert_rows_are(session, light, ARRAY_SIZE(light));
	assert_int_equal(session->unknown.count, 1);
	assert_int_equal(fleet_device(session->fleet, session->unknown.index[0])->endpoint_id, 104);
}

/* Marking by a live query counts the unknown devices in its message; marks hidden by a live
 * filter and the unknown ones both show in the description. */
static void test_live_mark_query_and_description(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	char message[256];
	int column;
	assert_true(session_mark_query(session, "data:0", message, sizeof(message), &column));
	assert_int_equal(marks_count_in_fleet(session->marks, session->fleet), 0);
	assert_non_null(strstr(session->message, "Marked the 0 devices matching data:0"));
	assert_non_null(strstr(session->message, "(10 more with live state unknown: L reads it)"));
	assert_true(session_mark_query(session, "ep:dis data:0", message, sizeof(message), &column));
	assert_non_null(strstr(session->message, "(5 more with live state unknown"));

	move_to_endpoint(session, ENDPOINT_ID(0));
	session_toggle_mark(session);
	move_to_endpoint(session, ENDPOINT_ID(1));
	session_toggle_mark(session);
	set_filter(session, "data:0");
	char counts[200];
	session_describe_rows(session, counts, sizeof(counts));
	assert_string_equal(counts, "0 shown \u00b7 0 marked (2 hidden by the filter) \u00b7 10 live state unknown");
	/* Only the marked ones: the unknown among them. */
	session_toggle_only_marked(session);
	assert_int_equal(session->rows.count, 0);
	assert_int_equal(session->unknown.count, 2);
	session_toggle_only_marked(session);

	/* The read takes the marked ones; then 101 (offline) matches, 100 (1.5 MB) does not. */
	read_live(fixture);
	assert_int_equal(live_count(session->live), 2);
	assert_rows_are(session, zero_usage, 1);
	assert_int_equal(session->unknown.count, 8);
	session_describe_rows(session, counts, sizeof(counts));
	assert_string_equal(counts, "1 shown \u00b7 1 marked (1 hidden by the filter) \u00b7 8 live state unknown");
	session_unmark_all(session);
	read_live(fixture);   /* the shown one and the eight unknown */
	assert_int_equal(live_count(session->live), 10);
	assert_true(session_mark_query(session, "data:0", message, sizeof(message), &column));
	assert_non_null(strstr(session->message, "Marked the 7 devices matching data:0"));
	assert_null(strstr(session->message, "unknown"));
}

/* The store is by endpoint id: a refresh that moves every device keeps what was read. */
static void test_live_survives_refresh(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	set_filter(session, "data:0");
	read_live(fixture);
	assert_rows_are(session, zero_usage, ARRAY_SIZE(zero_usage));
	fake_add_lonely_sim(&fixture->fake, 1, SIM_ACTIVATED);
	assert_true(load(fixture) & SESSION_REFRESHED);
	assert_int_equal(fleet_count(session->fleet), 11);
	assert_rows_are(session, zero_usage, ARRAY_SIZE(zero_usage));
	/* The SIM alone has no endpoint, so no live state to know: not shown, and not unknown. */
	assert_int_equal(session->unknown.count, 0);
}

/* A live read waits for a job, and needs an API. */
static void test_live_read_refused(void **state)
{
	struct fixture *fixture = *state;
	struct session *session = fixture->session;
	load(fixture);
	set_filter(session, "align:misaligned");
	session_mark_shown(session);
	struct plan *plan;
	assert_true(plan_marked(session, PLAN_OFFLINE, &plan));
	assert_true(session_start_job(session, plan, NULL, NULL));
	struct session_live_plan live_plan;
	assert_false(session_live_plan(session, &live_plan));
	assert_non_null(strstr(session->message, "A job is running"));
	assert_false(session_live_start(session));
	assert_null(session->live_fetch);
	assert_int_equal(live_calls(&fixture->fake, FAKE_CONNECTIVITY, 0), 0);
	fake_run(&fixture->fake);
	assert_true(session_update(session) & SESSION_JOB_FINISHED);
	assert_true(session_live_plan(session, &live_plan));

	struct session_options options = { .transport = NULL, .api_url = API_URL, .profile = "default" };
	struct session *offline = session_new(&options);
	assert_false(session_live_plan(offline, &live_plan));
	assert_non_null(strstr(offline->message, "No API"));
	assert_false(session_live_start(offline));
	assert_false(session_live_cancel(offline));
	session_free(offline);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_shows_every_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_keeps_marks_filter_and_cursor_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_that_fails_keeps_the_fleet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_load_that_fails_is_fatal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_error_keeps_the_previous_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_narrowed_filter_matches_a_full_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hidden_marks_are_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mark_range_and_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort_keeps_the_cursor_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_and_mark_from_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_results_show_and_re_mark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rows_change_while_the_job_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unfinished_job_is_offered_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_shown_until_the_fresh_fleet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_of_another_workspace_or_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_read_and_data_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_filter_narrowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_reads_marked_or_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_shown_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_read_with_a_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_mark_query_and_description, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_survives_refresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_read_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
