/* test_journal.c — journals: written, cut, resumed, refused, found, locked, read for a dry run,
 * written in bulk; a 100,000-device job. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fleet.h"
#include "journal.h"
#include "plan.h"
#include "util.h"
#include "scratch.h"

/* Devices 1..count: endpoint i with SIM i, statuses cycling through every pair, plus one
 * SIM-only device and one endpoint-only device. */
static struct fleet *mixed_fleet(size_t count, size_t **indexes, size_t *total)
{
	static const int sims[] = { SIM_ISSUED, SIM_ACTIVATED, SIM_SUSPENDED, SIM_DELETED, SIM_FACTORY_TEST };
	static const int endpoints[] = { ENDPOINT_ENABLED, ENDPOINT_DISABLED, ENDPOINT_DELETED };
	struct fleet *fleet = fleet_new();

	*indexes = xcalloc(count + 2, sizeof(**indexes));
	for (size_t i = 0; i < count; i++) {
		struct endpoint_record record = {
			.id = (int64_t)i + 1, .endpoint_status = endpoints[i % 3],
			.sim_id = (int64_t)i + 1, .sim_status = sims[(i / 3) % 5],
		};
		(*indexes)[i] = fleet_add_endpoint(fleet, &record);
	}
	struct sim_record alone = { .id = 900000001, .sim_status = SIM_ACTIVATED };
	struct endpoint_record lonely = { .id = 900000002, .endpoint_status = ENDPOINT_ENABLED, .sim_status = SIM_NONE };
	(*indexes)[count] = fleet_add_sim(fleet, &alone);
	(*indexes)[count + 1] = fleet_add_endpoint(fleet, &lonely);
	*total = count + 2;
	return fleet;
}

/* Where the jobs of these tests run. */
static const struct journal_origin origin_a = {
	.api_url = "https://a.example", .profile = "default", .workspace_id = 1, .workspace_name = "Acme",
};

static void build_plan(struct plan *plan, enum plan_action action, size_t count)
{
	size_t *indexes, total;
	struct fleet *fleet = mixed_fleet(count, &indexes, &total);
	plan_build(plan, action, fleet, indexes, total);
	free(indexes);
	fleet_free(fleet);
}

static void assert_same_plan(const struct plan *a, const struct plan *b)
{
	assert_int_equal(a->action, b->action);
	assert_int_equal(a->count, b->count);
	/* What the read-back by list costs comes back with the plan. */
	assert_int_equal(a->fleet_endpoints, b->fleet_endpoints);
	for (size_t i = 0; i < a->count; i++) {
		const struct plan_device *x = &a->devices[i], *y = &b->devices[i];
		assert_int_equal(x->sim_id, y->sim_id);
		assert_int_equal(x->endpoint_id, y->endpoint_id);
		assert_int_equal(x->sim_status, y->sim_status);
		assert_int_equal(x->endpoint_status, y->endpoint_status);
		assert_int_equal(x->step_count, y->step_count);
		for (int s = 0; s < x->step_count; s++) {
			assert_int_equal(x->steps[s].target, y->steps[s].target);
			assert_int_equal(x->steps[s].id, y->steps[s].id);
			assert_int_equal(x->steps[s].from, y->steps[s].from);
			assert_int_equal(x->steps[s].to, y->steps[s].to);
			assert_int_equal(x->steps[s].skip, y->steps[s].skip);
		}
	}
}

static void assert_same_origin(const struct journal_origin *got, const struct journal_origin *want)
{
	assert_non_null(got);
	assert_string_equal(got->api_url, want->api_url);
	assert_string_equal(got->profile, want->profile);
	assert_int_equal(got->workspace_id, want->workspace_id);
	assert_string_equal(got->workspace_name, want->workspace_name);
}

static char *read_text(const char *path)
{
	FILE *file = fopen(path, "r");
	char *text = NULL;
	size_t length = 0;

	assert_non_null(file);
	assert_int_equal(getdelim(&text, &length, '\0', file) >= 0, true);
	fclose(file);
	return text;
}

static void append_text(const char *path, const char *text)
{
	FILE *file = fopen(path, "a");
	assert_non_null(file);
	fputs(text, file);
	assert_int_equal(fclose(file), 0);
}

static void write_text(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");
	assert_non_null(file);
	fputs(text, file);
	assert_int_equal(fclose(file), 0);
}

static off_t file_size(const char *path)
{
	struct stat info;
	assert_int_equal(stat(path, &info), 0);
	return info.st_size;
}

static void test_write_and_resume(void **state)
{
	(void)state;
	char *home = make_temporary_directory("journal");
	char message[256], pattern[128], *directory, *text, *path;
	enum journal_state (*states)[2];
	struct plan plan, resumed;
	struct journal *journal;
	mode_t old_umask = umask(0);
	regex_t name;

	setenv("XDG_STATE_HOME", home, 1);
	build_plan(&plan, PLAN_OFFLINE, 6);
	journal = journal_create(NULL, &plan, &origin_a, message, sizeof(message));
	umask(old_umask);
	assert_non_null(journal);
	assert_false(journal_finished(journal));

	/* Name, place and modes: the directories are made 0700 whatever the umask. */
	directory = xasprintf("%s/simtop/journal", home);
	snprintf(pattern, sizeof(pattern), "^[0-9]{8}T[0-9]{6}Z-offline-%ld\\.jsonl$", (long)getpid());
	assert_int_equal(regcomp(&name, pattern, REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(strncmp(journal_path(journal), directory, strlen(directory)), 0);
	assert_int_equal(regexec(&name, journal_path(journal) + strlen(directory) + 1, 0, NULL, 0), 0);
	regfree(&name);
	assert_int_equal(file_mode(journal_path(journal)), 0600);
	assert_int_equal(file_mode(directory), 0700);
	path = xasprintf("%s/simtop", home);
	assert_int_equal(file_mode(path), 0700);
	free(path);
	path = journal_directory();
	assert_string_equal(path, directory);
	free(path);

	/* Device 0: SIM Issued, endpoint Enabled — SIM forbidden, endpoint sent. Device 1: SIM
	 * Issued, endpoint Disabled. Device 3: SIM Activated, endpoint Enabled — both sent. */
	assert_int_equal(plan.devices[3].steps[0].skip, SKIP_NONE);
	assert_int_equal(plan.devices[3].steps[1].skip, SKIP_NONE);
	assert_true(journal_intent(journal, 3, 0, message, sizeof(message)));
	assert_true(journal_result(journal, 3, 0, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
	assert_true(journal_intent(journal, 3, 1, message, sizeof(message)));
	assert_true(journal_result(journal, 3, 1, JOURNAL_FAILED, 409, "Conflict \"x\"\n\x01", message, sizeof(message)));
	assert_true(journal_intent(journal, 0, 1, message, sizeof(message)));
	/* Steps that are not in the plan are refused. */
	assert_false(journal_intent(journal, plan.count, 0, message, sizeof(message)));
	assert_non_null(strstr(message, "no step 0 of device 8"));
	assert_false(journal_intent(journal, 0, 2, message, sizeof(message)));
	assert_false(journal_result(journal, 3, 0, JOURNAL_INTENT, 204, NULL, message, sizeof(message)));
	path = xstrdup(journal_path(journal));
	journal_close(journal);

	text = read_text(path);
	const char *start = "{\"type\":\"job\",\"version\":2,\"action\":\"offline\",\"created\":\"";
	assert_int_equal(strncmp(text, start, strlen(start)), 0);
	assert_non_null(strstr(text, "\",\"api_url\":\"https://a.example\",\"profile\":\"default\",\"workspace_id\":1,"
				    "\"workspace_name\":\"Acme\",\"fleet_endpoints\":"));
	assert_non_null(strstr(text, ",\"devices\":[{"));
	assert_non_null(strstr(text, "{\"sim_id\":4,\"endpoint_id\":4,\"sim_status\":1,\"endpoint_status\":0,\"steps\":["
				    "{\"target\":\"sim\",\"id\":4,\"from\":1,\"to\":2,\"skip\":\"none\"},"
				    "{\"target\":\"endpoint\",\"id\":4,\"from\":0,\"to\":1,\"skip\":\"none\"}]}"));
	assert_non_null(strstr(text, "{\"sim_id\":900000001,\"endpoint_id\":0,\"sim_status\":1,\"endpoint_status\":-1,"
				    "\"steps\":[{\"target\":\"sim\",\"id\":900000001,\"from\":1,\"to\":2,\"skip\":\"none\"},"
				    "{\"target\":\"endpoint\",\"id\":0,\"from\":-1,\"to\":1,\"skip\":\"no_endpoint\"}]}"));
	assert_non_null(strstr(text, "]}\n{\"type\":\"intent\",\"device\":3,\"step\":0}\n"
				    "{\"type\":\"result\",\"device\":3,\"step\":0,\"state\":\"done\",\"http\":204,\"text\":\"\"}\n"
				    "{\"type\":\"intent\",\"device\":3,\"step\":1}\n"
				    "{\"type\":\"result\",\"device\":3,\"step\":1,\"state\":\"failed\",\"http\":409,"
				    "\"text\":\"Conflict \\\"x\\\"\\n\\u0001\"}\n"
				    "{\"type\":\"intent\",\"device\":0,\"step\":1}\n"));
	assert_null(strstr(text, "\"end\""));
	free(text);

	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	assert_non_null(journal);
	assert_string_equal(journal_path(journal), path);
	assert_false(journal_finished(journal));
	assert_same_plan(&plan, &resumed);
	for (size_t i = 0; i < resumed.count; i++) {
		enum journal_state want0 = JOURNAL_PENDING, want1 = JOURNAL_PENDING;
		if (i == 3) {
			want0 = JOURNAL_DONE;
			want1 = JOURNAL_FAILED;
		} else if (i == 0) {
			want1 = JOURNAL_INTENT;
		}
		assert_int_equal(states[i][0], want0);
		assert_int_equal(states[i][1], want1);
	}
	/* The resumed job goes on in the same file. */
	assert_true(journal_result(journal, 0, 1, JOURNAL_DONE, 204, "", message, sizeof(message)));
	assert_true(journal_end(journal, false, message, sizeof(message)));
	assert_true(journal_finished(journal));
	journal_close(journal);
	plan_free(&resumed);
	free(states);

	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	assert_non_null(journal);
	assert_true(journal_finished(journal));
	assert_int_equal(states[0][1], JOURNAL_DONE);
	assert_int_equal(states[3][1], JOURNAL_FAILED);
	journal_close(journal);
	plan_free(&resumed);
	free(states);
	text = read_text(path);
	assert_non_null(strstr(text, "{\"type\":\"end\",\"cancelled\":false}\n"));
	free(text);

	plan_free(&plan);
	free(path);
	free(directory);
	remove_tree(home);
	free(home);
}

/* Intents may repeat before their result (a step read back as not applied is sent again);
 * the last of them stands until the result comes. */
static void test_retries(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	char message[256], *path;
	enum journal_state (*states)[2];
	struct plan plan, resumed;
	struct journal *journal;

	build_plan(&plan, PLAN_ONLINE, 3);
	journal = journal_create(directory, &plan, &origin_a, message, sizeof(message));
	assert_non_null(journal);
	path = xstrdup(journal_path(journal));
	journal_close(journal);
	/* Device 1: SIM Issued, endpoint Disabled: both steps sent. */
	append_text(path, "{\"type\":\"intent\",\"device\":1,\"step\":0}\n"
			  "{\"type\":\"intent\",\"device\":1,\"step\":0}\n"
			  "{\"type\":\"result\",\"device\":1,\"step\":0,\"state\":\"done\",\"http\":204,\"text\":\"\"}\n"
			  "{\"type\":\"intent\",\"device\":1,\"step\":1}\n"
			  "{\"type\":\"intent\",\"device\":1,\"step\":1}\n");
	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	if (!journal)
		fail_msg("%s", message);
	assert_int_equal(states[1][0], JOURNAL_DONE);
	assert_int_equal(states[1][1], JOURNAL_INTENT);
	assert_int_equal(states[0][0], JOURNAL_PENDING);
	assert_int_equal(states[2][1], JOURNAL_PENDING);
	/* The writer holds to the same rules: step 0 has its result, step 1 its intent. */
	assert_false(journal_intent(journal, 1, 0, message, sizeof(message)));
	assert_non_null(strstr(message, "step 0 of device 1 has its result already"));
	assert_false(journal_result(journal, 2, 1, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
	assert_non_null(strstr(message, "step 1 of device 2 has no intent to answer"));
	assert_true(journal_intent(journal, 1, 1, message, sizeof(message)));
	assert_true(journal_result(journal, 1, 1, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
	assert_false(journal_result(journal, 1, 1, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
	journal_close(journal);
	plan_free(&resumed);
	free(states);
	plan_free(&plan);
	free(path);
	remove_tree(directory);
	free(directory);
}

/* Killed while writing: the cut line is left out and cut off, so new lines start clean. */
static void test_cut_last_line(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	char message[256], *path, *text;
	enum journal_state (*states)[2];
	struct plan plan, resumed;
	struct journal *journal;
	off_t whole;

	build_plan(&plan, PLAN_OFFLINE, 6);
	journal = journal_create(directory, &plan, &origin_a, message, sizeof(message));
	assert_non_null(journal);
	assert_true(journal_intent(journal, 3, 0, message, sizeof(message)));
	path = xstrdup(journal_path(journal));
	journal_close(journal);
	whole = file_size(path);

	append_text(path, "{\"type\":\"result\",\"device\":3,\"step\":0,\"sta");
	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	assert_non_null(journal);
	assert_int_equal(states[3][0], JOURNAL_INTENT);
	assert_int_equal(file_size(path), whole);
	assert_true(journal_result(journal, 3, 0, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
	journal_close(journal);
	plan_free(&resumed);
	free(states);
	text = read_text(path);
	assert_non_null(strstr(text, "{\"type\":\"intent\",\"device\":3,\"step\":0}\n"
				    "{\"type\":\"result\",\"device\":3,\"step\":0,\"state\":\"done\",\"http\":204,\"text\":\"\"}\n"));
	free(text);

	/* A garbled last line with its newline: left out too. */
	whole = file_size(path);
	append_text(path, "{\"type\":\"intent\",\"dev\xff\n");
	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	assert_non_null(journal);
	assert_int_equal(states[3][0], JOURNAL_DONE);
	assert_int_equal(states[3][1], JOURNAL_PENDING);
	assert_int_equal(file_size(path), whole);
	journal_close(journal);
	plan_free(&resumed);
	free(states);

	/* In the middle it is refused: something else wrote there. */
	append_text(path, "not json\n{\"type\":\"intent\",\"device\":3,\"step\":1}\n");
	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	assert_null(journal);
	assert_non_null(strstr(message, "line 4 is not JSON"));

	plan_free(&plan);
	free(path);
	remove_tree(directory);
	free(directory);
}

/* The same journal with spaces after the colons, as a hand-edited one may be: it reads the
 * same as the bytes simtop writes. */
static void test_any_json_layout(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	char message[256], *path, *text, *spaced, *to;
	enum journal_state (*exact_states)[2], (*spaced_states)[2];
	struct plan plan, exact, relaxed;
	struct journal *journal;

	/* Escapes in the origin too, in either layout. */
	const struct journal_origin origin = {
		.api_url = "http://127.0.0.1:4242/", .profile = "ops \\ eu", .workspace_id = 77,
		.workspace_name = "Acme \"EU\"",
	};

	build_plan(&plan, PLAN_ONLINE, 30);
	journal = journal_create(directory, &plan, &origin, message, sizeof(message));
	assert_non_null(journal);
	for (size_t i = 0; i < plan.count; i++) {
		for (int s = 0; s < plan.devices[i].step_count; s++) {
			if (plan.devices[i].steps[s].skip != SKIP_NONE)
				continue;
			assert_true(journal_intent(journal, i, s, message, sizeof(message)));
			if (i % 3)
				assert_true(journal_result(journal, i, s, i % 2 ? JOURNAL_DONE : JOURNAL_FAILED, 204,
							   "a \"b\"", message, sizeof(message)));
		}
	}
	assert_true(journal_end(journal, true, message, sizeof(message)));
	path = xstrdup(journal_path(journal));
	journal_close(journal);

	journal = journal_resume(path, &exact, &exact_states, false, message, sizeof(message), NULL);
	assert_non_null(journal);
	assert_true(journal_finished(journal));
	assert_same_origin(journal_origin(journal), &origin);
	journal_close(journal);

	text = read_text(path);
	spaced = xmalloc(strlen(text) * 2 + 1);
	to = spaced;
	for (const char *from = text; *from; from++) {
		*to++ = *from;
		if (from[0] == '"' && from[1] == ':')
			*to++ = ':', *to++ = ' ', from++;
	}
	*to = '\0';
	assert_non_null(strstr(spaced, "{\"type\": \"job\",\"version\": 2,"));
	write_text(path, spaced);
	journal = journal_resume(path, &relaxed, &spaced_states, false, message, sizeof(message), NULL);
	assert_non_null(journal);
	assert_true(journal_finished(journal));
	assert_same_origin(journal_origin(journal), &origin);
	journal_close(journal);

	assert_same_plan(&plan, &exact);
	assert_same_plan(&plan, &relaxed);
	assert_memory_equal(exact_states, spaced_states, plan.count * sizeof(*exact_states));
	assert_int_equal(exact_states[1][0], JOURNAL_DONE);
	assert_int_equal(exact_states[6][0], JOURNAL_PENDING);
	assert_int_equal(exact_states[6][1], JOURNAL_INTENT);

	free(text);
	free(spaced);
	free(exact_states);
	free(spaced_states);
	plan_free(&exact);
	plan_free(&relaxed);
	plan_free(&plan);
	free(path);
	remove_tree(directory);
	free(directory);
}

static void assert_refused(const char *directory, const char *content, const char *reason)
{
	char *path = xasprintf("%s/refused.jsonl", directory);
	enum journal_state (*states)[2] = NULL;
	enum journal_open_error error = JOURNAL_OPEN_OK;
	struct plan plan;
	char message[512];

	if (content)
		write_text(path, content);
	/* Read-only or not, the same file is refused for the same reason. */
	for (int read_only = 0; read_only < 2; read_only++) {
		assert_null(journal_resume(path, &plan, &states, read_only, message, sizeof(message), &error));
		assert_null(states);
		assert_int_equal(error, JOURNAL_OPEN_REFUSED);
		if (!strstr(message, reason))
			fail_msg("message \"%s\" lacks \"%s\"", message, reason);
	}
	unlink(path);
	free(path);
}

/* A version-2 job line: action, then the devices' JSON. Caller frees. */
static char *job_line(const char *action, const char *devices)
{
	return xasprintf("{\"type\":\"job\",\"version\":2,\"action\":\"%s\",\"created\":\"2026-01-01T00:00:00Z\","
			 "\"user\":\"op\",\"api_url\":\"https://a.example\",\"profile\":\"default\",\"workspace_id\":1,"
			 "\"workspace_name\":\"Acme\",\"devices\":[%s]}\n", action, devices);
}

/* Device 0 of the journals below: SIM Activated, endpoint Enabled, both steps of offline sent. */
#define OFFLINE_DEVICE \
	"{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":1,\"endpoint_status\":0,\"steps\":[" \
	"{\"target\":\"sim\",\"id\":1,\"from\":1,\"to\":2,\"skip\":\"none\"}," \
	"{\"target\":\"endpoint\",\"id\":1,\"from\":0,\"to\":1,\"skip\":\"none\"}]}"

/* Refused: a job line of action with devices, then lines. */
static void assert_job_refused(const char *directory, const char *action, const char *devices, const char *lines,
			       const char *reason)
{
	char *line = job_line(action, devices);
	char *content = xasprintf("%s%s", line, lines);
	assert_refused(directory, content, reason);
	free(content);
	free(line);
}

static void test_not_a_journal(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	char *line;

	assert_refused(directory, NULL, "cannot open");
	assert_refused(directory, "", "it is empty");
	assert_refused(directory, "hello\n", "line 1 is not JSON");
	assert_refused(directory, "{\"type\":\"intent\",\"device\":0,\"step\":0}\n", "does not start with a job line");
	assert_refused(directory, "{\"type\":\"job\",\"version\":2,\"action\":\"offline\",\"devi", "first line is incomplete");
	line = xasprintf("{\"type\":\"job\",\"version\":3,\"action\":\"offline\",\"devices\":[%s]}\n", OFFLINE_DEVICE);
	assert_refused(directory, line, "version 3 is not known");
	free(line);
	line = xasprintf("{\"type\":\"job\",\"version\":0,\"action\":\"offline\",\"devices\":[%s]}\n", OFFLINE_DEVICE);
	assert_refused(directory, line, "version 0 is not known");
	free(line);
	assert_job_refused(directory, "reboot", OFFLINE_DEVICE, "", "unknown action");
	assert_job_refused(directory, "offline", OFFLINE_DEVICE,
			   "{\"type\":\"restart\"}\n{\"type\":\"end\",\"cancelled\":false}\n", "line 2: unknown type");
	/* Version 2 names where the job runs: all of it. */
	line = xasprintf("{\"type\":\"job\",\"version\":2,\"action\":\"offline\",\"devices\":[%s]}\n", OFFLINE_DEVICE);
	assert_refused(directory, line, "line 1: no API URL");
	free(line);
	line = xasprintf("{\"type\":\"job\",\"version\":2,\"action\":\"offline\",\"api_url\":\"https://a.example\","
			 "\"profile\":\"default\",\"workspace_id\":-1,\"workspace_name\":\"\",\"devices\":[%s]}\n",
			 OFFLINE_DEVICE);
	assert_refused(directory, line, "line 1: no workspace id");
	free(line);

	remove_tree(directory);
	free(directory);
}

/* Each rule of journal.h, broken once. */
static void test_inconsistent_plan(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	static const struct {
		const char *action, *device, *reason;
	} cases[] = {
		/* Status ids simtop does not know. */
		{ "offline", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":7,\"endpoint_status\":0,\"steps\":["
			     "{\"target\":\"sim\",\"id\":1,\"from\":7,\"to\":2,\"skip\":\"forbidden\"},"
			     "{\"target\":\"endpoint\",\"id\":1,\"from\":0,\"to\":1,\"skip\":\"none\"}]}",
		  "line 1: device 0: SIM status 7 is not one simtop knows" },
		{ "offline", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":1,\"endpoint_status\":3,\"steps\":["
			     "{\"target\":\"sim\",\"id\":1,\"from\":1,\"to\":2,\"skip\":\"none\"},"
			     "{\"target\":\"endpoint\",\"id\":1,\"from\":3,\"to\":1,\"skip\":\"none\"}]}",
		  "line 1: device 0: endpoint status 3 is not one simtop knows" },
		/* Steps that are not the action's, or not in its order. */
		{ "offline", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":1,\"endpoint_status\":0,\"steps\":["
			     "{\"target\":\"endpoint\",\"id\":1,\"from\":0,\"to\":1,\"skip\":\"none\"},"
			     "{\"target\":\"sim\",\"id\":1,\"from\":1,\"to\":2,\"skip\":\"none\"}]}",
		  "step 0 changes the endpoint to Disabled, but offline changes the SIM to Suspended there" },
		{ "online", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":2,\"endpoint_status\":1,\"steps\":["
			    "{\"target\":\"sim\",\"id\":1,\"from\":2,\"to\":1,\"skip\":\"none\"},"
			    "{\"target\":\"endpoint\",\"id\":1,\"from\":1,\"to\":0,\"skip\":\"none\"}]}",
		  "step 0 changes the SIM to Activated, but online changes the endpoint to Enabled there" },
		{ "offline", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":2,\"endpoint_status\":0,\"steps\":["
			     "{\"target\":\"sim\",\"id\":1,\"from\":2,\"to\":1,\"skip\":\"none\"},"
			     "{\"target\":\"endpoint\",\"id\":1,\"from\":0,\"to\":1,\"skip\":\"none\"}]}",
		  "step 0 changes the SIM to Activated, but offline changes the SIM to Suspended there" },
		{ "offline", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":1,\"endpoint_status\":0,\"steps\":["
			     "{\"target\":\"sim\",\"id\":1,\"from\":1,\"to\":2,\"skip\":\"none\"}]}",
		  "device 0: it has 1 step, and offline has 2" },
		{ "sim-activate", OFFLINE_DEVICE, "device 0: it has 2 steps, and sim-activate has 1" },
		{ "ep-disable", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":1,\"endpoint_status\":0,\"steps\":[]}",
		  "device 0: it has 0 steps, and ep-disable has 1" },
		/* A step on another device's SIM, or from another status than the device's. */
		{ "sim-suspend", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":1,\"endpoint_status\":0,\"steps\":["
				 "{\"target\":\"sim\",\"id\":2,\"from\":1,\"to\":2,\"skip\":\"none\"}]}",
		  "device 0: step 0 changes SIM 2, not the device's (1)" },
		{ "sim-suspend", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":1,\"endpoint_status\":0,\"steps\":["
				 "{\"target\":\"sim\",\"id\":1,\"from\":0,\"to\":2,\"skip\":\"none\"}]}",
		  "step 0 starts from SIM Issued, but the device's SIM is Activated" },
		{ "sim-suspend", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":-1,\"endpoint_status\":0,\"steps\":["
				 "{\"target\":\"sim\",\"id\":1,\"from\":1,\"to\":2,\"skip\":\"none\"}]}",
		  "step 0 starts from SIM Activated, but the device's SIM is none" },
		/* Sent steps: an id, a change emnify allows, a side that is there. */
		{ "sim-suspend", "{\"sim_id\":0,\"endpoint_id\":1,\"sim_status\":-1,\"endpoint_status\":0,\"steps\":["
				 "{\"target\":\"sim\",\"id\":0,\"from\":-1,\"to\":2,\"skip\":\"none\"}]}",
		  "step 0 is sent but has no SIM id" },
		{ "sim-suspend", "{\"sim_id\":5,\"endpoint_id\":1,\"sim_status\":-1,\"endpoint_status\":0,\"steps\":["
				 "{\"target\":\"sim\",\"id\":5,\"from\":-1,\"to\":2,\"skip\":\"none\"}]}",
		  "step 0 is sent to a SIM whose status is not known" },
		{ "sim-suspend", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":0,\"endpoint_status\":0,\"steps\":["
				 "{\"target\":\"sim\",\"id\":1,\"from\":0,\"to\":2,\"skip\":\"none\"}]}",
		  "step 0 is sent, but emnify does not allow SIM Issued \u2192 Suspended" },
		{ "sim-suspend", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":2,\"endpoint_status\":0,\"steps\":["
				 "{\"target\":\"sim\",\"id\":1,\"from\":2,\"to\":2,\"skip\":\"none\"}]}",
		  "step 0 is sent, but the SIM is Suspended already" },
		{ "ep-disable", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":1,\"endpoint_status\":2,\"steps\":["
				"{\"target\":\"endpoint\",\"id\":1,\"from\":2,\"to\":1,\"skip\":\"none\"}]}",
		  "step 0 is sent to a deleted endpoint" },
		{ "ep-enable", "{\"sim_id\":0,\"endpoint_id\":1,\"sim_status\":-1,\"endpoint_status\":1,\"steps\":["
			       "{\"target\":\"endpoint\",\"id\":1,\"from\":1,\"to\":0,\"skip\":\"none\"}]}",
		  "step 0 enables an endpoint without a SIM" },
		/* Online sends both sides or neither: a Deleted SIM cannot follow. */
		{ "online", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":3,\"endpoint_status\":1,\"steps\":["
			    "{\"target\":\"endpoint\",\"id\":1,\"from\":1,\"to\":0,\"skip\":\"none\"},"
			    "{\"target\":\"sim\",\"id\":1,\"from\":3,\"to\":1,\"skip\":\"forbidden\"}]}",
		  "step 0 is sent, but online skips the other side (\"forbidden\"), and the two go together" },
		/* Skip reasons that do not hold. */
		{ "sim-suspend", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":1,\"endpoint_status\":0,\"steps\":["
				 "{\"target\":\"sim\",\"id\":1,\"from\":1,\"to\":2,\"skip\":\"already\"}]}",
		  "step 0 is skipped as \"already\", which does not hold for SIM Activated and endpoint Enabled" },
		{ "ep-disable", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":1,\"endpoint_status\":0,\"steps\":["
				"{\"target\":\"endpoint\",\"id\":1,\"from\":0,\"to\":1,\"skip\":\"no_endpoint\"}]}",
		  "step 0 is skipped as \"no_endpoint\"" },
		{ "online", "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":2,\"endpoint_status\":1,\"steps\":["
			    "{\"target\":\"endpoint\",\"id\":1,\"from\":1,\"to\":0,\"skip\":\"sim_cannot_activate\"},"
			    "{\"target\":\"sim\",\"id\":1,\"from\":2,\"to\":1,\"skip\":\"none\"}]}",
		  "step 0 is skipped as \"sim_cannot_activate\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_job_refused(directory, cases[i].action, cases[i].device, "", cases[i].reason);
	remove_tree(directory);
	free(directory);
}

/* Lines about steps that break the order of intents and results. */
static void test_inconsistent_lines(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	/* Device 1: the SIM is Issued, so offline skips step 0. */
	const char *devices = OFFLINE_DEVICE ",{\"sim_id\":2,\"endpoint_id\":2,\"sim_status\":0,\"endpoint_status\":0,"
				"\"steps\":[{\"target\":\"sim\",\"id\":2,\"from\":0,\"to\":2,\"skip\":\"forbidden\"},"
				"{\"target\":\"endpoint\",\"id\":2,\"from\":0,\"to\":1,\"skip\":\"none\"}]}";
#define INTENT(d, s) "{\"type\":\"intent\",\"device\":" #d ",\"step\":" #s "}\n"
#define RESULT(d, s, state) \
	"{\"type\":\"result\",\"device\":" #d ",\"step\":" #s ",\"state\":\"" state "\",\"http\":204,\"text\":\"\"}\n"
#define END "{\"type\":\"end\",\"cancelled\":true}\n"
	static const struct {
		const char *lines, *reason;
	} cases[] = {
		{ INTENT(2, 0), "line 2: no such step in the plan: device 2 is not there (it has 2 devices)" },
		{ "{\"type\":\"intent\",\"device\":0,\"step\":2}\n", "line 2: no such step in the plan: device 0 has no step 2" },
		{ "{\"type\":\"intent\",\"device\":-1,\"step\":0}\n", "line 2: no such step in the plan" },
		{ INTENT(1, 0), "line 2: an intent for step 0 of device 1, which the plan does not send (" },
		{ RESULT(0, 0, "done"), "line 2: a result for step 0 of device 0 without an intent line before it" },
		{ INTENT(0, 0) RESULT(0, 0, "done") RESULT(0, 0, "failed"),
		  "line 4: a result for step 0 of device 0 without an intent line since its last result" },
		{ INTENT(0, 0) RESULT(0, 0, "done") INTENT(0, 0),
		  "line 4: an intent for step 0 of device 0 after its result: the step would be sent twice" },
		{ INTENT(0, 1) RESULT(0, 1, "failed") END INTENT(0, 1),
		  "line 5: an intent for step 1 of device 0 after its result: the step would be sent twice" },
		{ INTENT(0, 0) RESULT(0, 0, "maybe"), "line 3: a result is done or failed, not \"maybe\"" },
		{ INTENT(0, 0) "{\"type\":\"result\",\"device\":0,\"step\":0,\"http\":204}\n",
		  "line 3: a result is done or failed" },
	};
	char message[256], *line, *content, *path;
	enum journal_state (*states)[2];
	struct journal *journal;
	struct plan plan;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_job_refused(directory, "offline", devices, cases[i].lines, cases[i].reason);

	/* What a job does write: retries, an end line, a resume appending after it and ending
	 * twice (nothing left), and a cut last line. */
	line = job_line("offline", devices);
	content = xasprintf("%s" INTENT(0, 0) INTENT(0, 0) RESULT(0, 0, "done") INTENT(1, 1) END RESULT(1, 1, "failed")
			    INTENT(0, 1) END END RESULT(0, 1, "done") END "{\"type\":\"inte", line);
	path = xasprintf("%s/good.jsonl", directory);
	write_text(path, content);
	journal = journal_resume(path, &plan, &states, false, message, sizeof(message), NULL);
	if (!journal)
		fail_msg("%s", message);
	assert_true(journal_finished(journal));
	assert_int_equal(states[0][0], JOURNAL_DONE);
	assert_int_equal(states[0][1], JOURNAL_DONE);
	assert_int_equal(states[1][0], JOURNAL_PENDING);
	assert_int_equal(states[1][1], JOURNAL_FAILED);
	journal_close(journal);
	plan_free(&plan);
	free(states);
	free(path);
	free(content);
	free(line);
#undef INTENT
#undef RESULT
#undef END
	remove_tree(directory);
	free(directory);
}

static void set_mtime(const char *path, time_t seconds)
{
	struct timespec times[2] = { { seconds, 0 }, { seconds, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

static char *new_journal(const char *directory, const struct plan *plan, bool finish, time_t mtime)
{
	char message[256];
	struct journal *journal = journal_create(directory, plan, &origin_a, message, sizeof(message));
	char *path;

	assert_non_null(journal);
	assert_true(journal_intent(journal, 3, 0, message, sizeof(message)));
	if (finish)
		assert_true(journal_end(journal, true, message, sizeof(message)));
	path = xstrdup(journal_path(journal));
	journal_close(journal);
	set_mtime(path, mtime);
	return path;
}

static void finish(const char *path, time_t mtime)
{
	enum journal_state (*states)[2];
	char message[256];
	struct plan plan;
	struct journal *journal = journal_resume(path, &plan, &states, false, message, sizeof(message), NULL);

	assert_non_null(journal);
	assert_true(journal_end(journal, false, message, sizeof(message)));
	journal_close(journal);
	plan_free(&plan);
	free(states);
	set_mtime(path, mtime);
}

static void assert_found(const char *directory, const char *want)
{
	char *found = journal_find_unfinished(directory);
	if (!want) {
		assert_null(found);
		return;
	}
	assert_non_null(found);
	assert_string_equal(found, want);
	free(found);
}

static void test_find_unfinished(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	char *a, *b, *c, *big, *other;
	struct plan plan, large;

	build_plan(&plan, PLAN_OFFLINE, 6);
	assert_found(directory, NULL);
	a = new_journal(directory, &plan, false, 1000);
	b = new_journal(directory, &plan, true, 3000);
	c = new_journal(directory, &plan, false, 2000);
	/* Same process, same second: different names. */
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, c);
	/* Newer, but not journals. */
	other = xasprintf("%s/notes.jsonl", directory);
	write_text(other, "{\"type\":\"note\"}\n");
	set_mtime(other, 4000);
	free(other);
	other = xasprintf("%s/empty.jsonl", directory);
	write_text(other, "");
	set_mtime(other, 4000);
	free(other);
	other = xasprintf("%s/cut.jsonl", directory);
	write_text(other, "{\"type\":\"job\",\"version\":1,\"action\":\"offline\",\"devi");
	set_mtime(other, 4000);
	free(other);
	other = xasprintf("%s/newest.txt", directory);
	write_text(other, "{\"type\":\"job\",\"version\":1}\n");
	set_mtime(other, 5000);
	free(other);

	assert_found(directory, c);
	finish(c, 6000);
	assert_found(directory, a);

	/* A job line longer than the tail that is read, with nothing after it. */
	build_plan(&large, PLAN_OFFLINE, 300);
	struct journal *journal;
	char message[256];
	journal = journal_create(directory, &large, &origin_a, message, sizeof(message));
	assert_non_null(journal);
	big = xstrdup(journal_path(journal));
	assert_true(file_size(big) > 8192);
	journal_close(journal);
	set_mtime(big, 7000);
	assert_found(directory, big);
	finish(big, 7000);
	/* A cut line after the end line does not make a job unfinished. */
	append_text(big, "{\"type\":\"inte");
	set_mtime(big, 7000);
	assert_found(directory, a);

	finish(a, 1000);
	assert_found(directory, NULL);
	assert_found("/nonexistent/simtop", NULL);

	plan_free(&plan);
	plan_free(&large);
	free(a);
	free(b);
	free(c);
	free(big);
	remove_tree(directory);
	free(directory);
}

/* 100,000 devices, every step journaled: written and read back in well under a second. */
static void test_large_journal(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	enum journal_state (*states)[2];
	struct plan plan, resumed;
	struct journal *journal;
	char message[256], *path;
	size_t lines = 0;
	FILE *file;

	build_plan(&plan, PLAN_OFFLINE, 100000);
	journal = journal_create(directory, &plan, &origin_a, message, sizeof(message));
	assert_non_null(journal);
	path = xstrdup(journal_path(journal));
	journal_close(journal);

	/* The lines a whole job writes, without an fsync each: this times the reading. The last
	 * device's last step is left with an intent only. */
	file = fopen(path, "a");
	assert_non_null(file);
	for (size_t i = 0; i < plan.count; i++) {
		for (int s = 0; s < plan.devices[i].step_count; s++) {
			if (plan.devices[i].steps[s].skip != SKIP_NONE)
				continue;
			fprintf(file, "{\"type\":\"intent\",\"device\":%zu,\"step\":%d}\n", i, s);
			if (i + 1 < plan.count)
				fprintf(file, "{\"type\":\"result\",\"device\":%zu,\"step\":%d,\"state\":\"%s\",\"http\":%d,\"text\":\"\"}\n",
					i, s, i % 100 ? "done" : "failed", i % 100 ? 204 : 422);
			lines += 2;
		}
	}
	assert_int_equal(fclose(file), 0);

	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	assert_non_null(journal);
	assert_true(lines > 100000);
	assert_same_plan(&plan, &resumed);
	for (size_t i = 0; i < resumed.count; i++) {
		for (int s = 0; s < resumed.devices[i].step_count; s++) {
			enum journal_state want = JOURNAL_PENDING;
			if (resumed.devices[i].steps[s].skip == SKIP_NONE)
				want = i + 1 == resumed.count ? JOURNAL_INTENT : i % 100 ? JOURNAL_DONE : JOURNAL_FAILED;
			if (states[i][s] != want)
				fail_msg("device %zu step %d: state %d, want %d", i, s, states[i][s], want);
		}
	}
	journal_close(journal);
	plan_free(&resumed);
	free(states);
	plan_free(&plan);
	free(path);
	remove_tree(directory);
	free(directory);
}

/* A journal decides which PATCHes are sent: one that others can change is not resumed, nor is
 * a FIFO waited on; one job holds it at a time. */
static void test_resume_refused(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	char *fifo = xasprintf("%s/fifo.jsonl", directory);
	enum journal_state (*states)[2] = NULL;
	struct journal *journal, *running;
	char message[512], expected[512];
	enum journal_state (*second_states)[2] = NULL;
	struct plan plan, resumed, second;
	char *path;

	build_plan(&plan, PLAN_OFFLINE, 6);
	path = new_journal(directory, &plan, false, 1000);
	assert_int_equal(file_mode(path), 0600);
	assert_int_equal(chmod(path, 0620), 0);
	assert_null(journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL));
	assert_null(states);
	snprintf(expected, sizeof(expected), "the journal %s can be changed by other users (mode 0620); run chmod go-w %s",
		 path, path);
	assert_string_equal(message, expected);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(chmod(directory, 0777), 0);
	assert_null(journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL));
	assert_non_null(strstr(message, "a directory other users can write to"));
	assert_int_equal(chmod(directory, 0700), 0);

	/* One job per journal: a second resume while the first runs is refused. */
	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	assert_non_null(journal);
	assert_null(journal_resume(path, &second, &second_states, false, message, sizeof(message), NULL));
	snprintf(expected, sizeof(expected), "the journal %s is in use by this simtop (process %ld), which has it open for a "
		 "job; wait for it to finish, or stop it", path, (long)getpid());
	assert_string_equal(message, expected);
	journal_close(journal);
	plan_free(&resumed);
	free(states);
	states = NULL;
	running = journal_create(directory, &plan, &origin_a, message, sizeof(message));
	assert_non_null(running);
	assert_null(journal_resume(journal_path(running), &resumed, &states, false, message, sizeof(message), NULL));
	assert_non_null(strstr(message, "is in use by this simtop"));
	journal_close(running);

	/* A FIFO nobody writes to: refused at once. */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_null(journal_resume(fifo, &resumed, &states, false, message, sizeof(message), NULL));
	assert_non_null(strstr(message, "is a FIFO, not a regular file"));

	plan_free(&plan);
	free(path);
	free(fifo);
	remove_tree(directory);
	free(directory);
}

/* Where a job runs is written into its journal, read back, and compared before a resume. */
static void test_origin(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	const struct journal_origin origin = {
		.api_url = "https://a.example/", .profile = "ops", .workspace_id = 42,
		.workspace_name = "Acme \"EU\"\n\x1b[31mred",
	};
	/* The name comes from the token: cleaned before it is stored. */
	const struct journal_origin stored = {
		.api_url = "https://a.example/", .profile = "ops", .workspace_id = 42, .workspace_name = "Acme \"EU\" red",
	};
	const struct journal_origin other = {
		.api_url = "http://127.0.0.1:4242", .profile = "default", .workspace_id = 2, .workspace_name = "Other",
	};
	char message[1024], *path, *text;
	enum journal_state (*states)[2];
	struct plan plan, resumed;
	struct journal *journal;

	build_plan(&plan, PLAN_OFFLINE, 6);
	journal = journal_create(directory, &plan, &origin, message, sizeof(message));
	assert_non_null(journal);
	assert_same_origin(journal_origin(journal), &stored);
	path = xstrdup(journal_path(journal));
	journal_close(journal);
	text = read_text(path);
	assert_non_null(strstr(text, ",\"api_url\":\"https://a.example/\",\"profile\":\"ops\",\"workspace_id\":42,"
				    "\"workspace_name\":\"Acme \\\"EU\\\" red\",\"fleet_endpoints\":"));
	free(text);

	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	assert_non_null(journal);
	assert_same_origin(journal_origin(journal), &stored);
	/* One trailing slash aside, the same URL; the workspace name is not compared. */
	struct journal_origin current = stored;
	current.api_url = "https://a.example";
	current.workspace_name = "Acme renamed";
	assert_true(journal_origin_matches(journal, &current, message, sizeof(message)));
	current.api_url = "https://a.example/";
	assert_true(journal_origin_matches(journal, &current, message, sizeof(message)));
	current.api_url = "https://a.example//";
	assert_false(journal_origin_matches(journal, &current, message, sizeof(message)));
	current.api_url = "https://b.example";
	message[0] = '\0';
	assert_false(journal_origin_matches(journal, &current, message, sizeof(message)));
	assert_string_equal(message, "the journal's job ran against https://a.example/ (profile \"ops\", workspace 42 "
				     "\"Acme \"EU\" red\") and this simtop talks to https://b.example (profile \"ops\", "
				     "workspace 42 \"Acme renamed\"): resume it with the same API URL, profile and token");
	current.api_url = "https://a.example";
	current.profile = "default";
	assert_false(journal_origin_matches(journal, &current, message, sizeof(message)));
	current.profile = NULL;
	assert_false(journal_origin_matches(journal, &current, message, sizeof(message)));
	assert_non_null(strstr(message, "this simtop talks to https://a.example (profile \"default\", workspace 42"));
	current.profile = "ops";
	current.workspace_id = 43;
	assert_false(journal_origin_matches(journal, &current, message, sizeof(message)));
	current.workspace_id = 0;
	current.workspace_name = "";
	assert_false(journal_origin_matches(journal, &current, message, sizeof(message)));
	assert_non_null(strstr(message, "talks to https://a.example (profile \"ops\", workspace unknown)"));
	journal_close(journal);
	plan_free(&resumed);
	free(states);
	free(path);

	journal = journal_create(directory, &plan, &origin_a, message, sizeof(message));
	assert_non_null(journal);
	assert_true(journal_origin_matches(journal, &origin_a, message, sizeof(message)));
	assert_false(journal_origin_matches(journal, &other, message, sizeof(message)));
	assert_string_equal(message, "the journal's job ran against https://a.example (profile \"default\", workspace 1 "
				     "\"Acme\") and this simtop talks to http://127.0.0.1:4242 (profile \"default\", "
				     "workspace 2 \"Other\"): resume it with the same API URL, profile and token");
	journal_close(journal);

	/* No origin given: empty fields, which match no API. */
	journal = journal_create(directory, &plan, NULL, message, sizeof(message));
	assert_non_null(journal);
	path = xstrdup(journal_path(journal));
	journal_close(journal);
	text = read_text(path);
	assert_non_null(strstr(text, ",\"api_url\":\"\",\"profile\":\"\",\"workspace_id\":0,\"workspace_name\":\"\","));
	free(text);
	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	assert_non_null(journal);
	assert_same_origin(journal_origin(journal), &(struct journal_origin){ "", "", 0, "" });
	assert_false(journal_origin_matches(journal, &origin_a, message, sizeof(message)));
	assert_non_null(strstr(message, "ran against no API URL (profile \"\", workspace unknown)"));
	journal_close(journal);
	plan_free(&resumed);
	free(states);
	free(path);

	plan_free(&plan);
	remove_tree(directory);
	free(directory);
}

/* A journal of an older simtop (version 1, no origin) is read, but never tied to an API. */
static void test_version_1(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	char message[1024], *path, *text, *origin, *devices, *old;
	enum journal_state (*states)[2];
	struct plan plan, resumed;
	struct journal *journal;

	build_plan(&plan, PLAN_OFFLINE, 6);
	journal = journal_create(directory, &plan, &origin_a, message, sizeof(message));
	assert_non_null(journal);
	assert_true(journal_intent(journal, 3, 0, message, sizeof(message)));
	path = xstrdup(journal_path(journal));
	journal_close(journal);
	/* The same lines as version 1 wrote them. */
	text = read_text(path);
	origin = strstr(text, ",\"api_url\":");
	devices = strstr(text, ",\"devices\":[");
	assert_non_null(origin);
	assert_non_null(devices);
	*origin = '\0';
	old = xasprintf("%s%s", text, devices);
	memcpy(strstr(old, "\"version\":2"), "\"version\":1", strlen("\"version\":1"));
	write_text(path, old);

	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	assert_non_null(journal);
	plan.fleet_endpoints = 0; /* a version-1 journal does not know the fleet's size */
	assert_same_plan(&plan, &resumed);
	assert_int_equal(states[3][0], JOURNAL_INTENT);
	assert_null(journal_origin(journal));
	assert_false(journal_origin_matches(journal, &origin_a, message, sizeof(message)));
	char *expected = xasprintf("the journal %s was written by an older simtop and names no API URL, profile or "
				   "workspace, so it cannot be tied to an API and is not resumed: check the devices "
				   "(simtop list) and run the job anew", path);
	assert_string_equal(message, expected);
	free(expected);
	journal_close(journal);
	plan_free(&resumed);
	free(states);

	free(old);
	free(text);
	free(path);
	plan_free(&plan);
	remove_tree(directory);
	free(directory);
}

enum hold { HOLD_JOB, HOLD_DRY_RUN, HOLD_OTHER };

/* A child process that opens path as a job (or a dry run) would, or locks it as some other
 * program might (an open file description lock, which names no pid), and holds it until
 * release_child. The pipes order everything: no waiting on the clock. */
static int hold_in_child(const char *path, enum hold how, pid_t *child)
{
	int ready[2], go[2];
	char byte = 0;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		enum journal_state (*states)[2];
		char message[512];
		struct plan plan;
		byte = '1';
		close(ready[0]);
		close(go[1]);
		if (how == HOLD_OTHER) {
#ifdef F_OFD_SETLK
			struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
			int fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd < 0 || fcntl(fd, F_OFD_SETLK, &lock) != 0)
				byte = '0';
#endif
		} else if (!journal_resume(path, &plan, &states, how == HOLD_DRY_RUN, message, sizeof(message), NULL)) {
			byte = '0';
		}
		if (write(ready[1], &byte, 1) != 1)
			_exit(3);
		/* Until the parent closes its end. */
		if (read(go[0], &byte, 1) < 0)
			_exit(4);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	assert_int_equal(read(ready[0], &byte, 1), 1);
	close(ready[0]);
	assert_int_equal(byte, '1');
	*child = pid;
	return go[1];
}

static void release_child(int go, pid_t child)
{
	int status;

	close(go);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The pid of the process holding a lock on path as another process sees it; 0 for none. */
static long holder_seen_elsewhere(const char *path)
{
	int answer[2];
	long holder = -1;
	pid_t pid;
	int status;

	assert_int_equal(pipe(answer), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct flock query = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		int fd = open(path, O_RDWR | O_CLOEXEC);
		holder = fd >= 0 && fcntl(fd, F_GETLK, &query) == 0 ? (query.l_type == F_UNLCK ? 0 : (long)query.l_pid) : -1;
		_exit(write(answer[1], &holder, sizeof(holder)) == (ssize_t)sizeof(holder) ? 0 : 1);
	}
	close(answer[1]);
	assert_int_equal(read(answer[0], &holder, sizeof(holder)), (ssize_t)sizeof(holder));
	close(answer[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return holder;
}

/* A second opener learns who holds a journal, and is told BUSY, not REFUSED. */
static void test_lock_holder(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	enum journal_open_error error = JOURNAL_OPEN_OK;
	enum journal_state (*states)[2] = NULL;
	char message[512], expected[512], *path, *alias, *found;
	struct plan plan, resumed;
	struct journal *journal;
	pid_t child;
	int go;

	build_plan(&plan, PLAN_OFFLINE, 6);
	path = new_journal(directory, &plan, false, 1000);

	/* A job runs it in another process: neither a resume nor a dry run may open it. */
	go = hold_in_child(path, HOLD_JOB, &child);
	snprintf(expected, sizeof(expected), "the journal %s is in use by simtop process %ld: another simtop is running "
		 "this job; wait for it to finish, or stop it", path, (long)child);
	for (int read_only = 0; read_only < 2; read_only++) {
		error = JOURNAL_OPEN_OK;
		assert_null(journal_resume(path, &resumed, &states, read_only, message, sizeof(message), &error));
		assert_null(states);
		assert_int_equal(error, JOURNAL_OPEN_BUSY);
		assert_string_equal(message, expected);
	}
	/* A look at it drops nobody's lock. */
	found = journal_find_unfinished(directory);
	assert_string_equal(found, path);
	free(found);
	assert_int_equal(holder_seen_elsewhere(path), (long)child);
	release_child(go, child);
	assert_int_equal(holder_seen_elsewhere(path), 0);
	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), &error);
	assert_non_null(journal);
	assert_int_equal(error, JOURNAL_OPEN_OK);
	journal_close(journal);
	plan_free(&resumed);
	free(states);
	states = NULL;

	/* A dry run reads it: dry runs go together, a job waits. */
	go = hold_in_child(path, HOLD_DRY_RUN, &child);
	assert_null(journal_resume(path, &resumed, &states, false, message, sizeof(message), &error));
	assert_int_equal(error, JOURNAL_OPEN_BUSY);
	snprintf(expected, sizeof(expected), "the journal %s is in use by simtop process %ld: another simtop is reading "
		 "it (a dry run); wait for it to finish, or stop it", path, (long)child);
	assert_string_equal(message, expected);
	journal = journal_resume(path, &resumed, &states, true, message, sizeof(message), &error);
	assert_non_null(journal);
	journal_close(journal);
	plan_free(&resumed);
	free(states);
	states = NULL;
	release_child(go, child);

#ifdef F_OFD_SETLK
	/* A lock that names no pid. */
	go = hold_in_child(path, HOLD_OTHER, &child);
	assert_null(journal_resume(path, &resumed, &states, false, message, sizeof(message), &error));
	assert_int_equal(error, JOURNAL_OPEN_BUSY);
	snprintf(expected, sizeof(expected), "the journal %s is in use by another process: another simtop may be running "
		 "this job; wait for it to finish, or stop it", path);
	assert_string_equal(message, expected);
	release_child(go, child);
#endif

	/* This process runs it: looking for unfinished jobs, opening it again (under another name
	 * too), or failing to, keeps the lock, which falls with any descriptor closed. */
	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), &error);
	assert_non_null(journal);
	alias = xasprintf("%s/alias.jsonl", directory);
	assert_int_equal(link(path, alias), 0);
	assert_null(journal_find_unfinished(directory));
	enum journal_state (*second_states)[2] = NULL;
	struct plan second;
	for (int read_only = 0; read_only < 2; read_only++) {
		assert_null(journal_resume(path, &second, &second_states, read_only, message, sizeof(message), &error));
		assert_int_equal(error, JOURNAL_OPEN_BUSY);
		assert_null(journal_resume(alias, &second, &second_states, read_only, message, sizeof(message), &error));
		assert_int_equal(error, JOURNAL_OPEN_BUSY);
		assert_non_null(strstr(message, "is in use by this simtop"));
	}
	assert_int_equal(holder_seen_elsewhere(path), (long)getpid());
	journal_close(journal);
	assert_int_equal(holder_seen_elsewhere(path), 0);
	plan_free(&resumed);
	free(states);

	free(alias);
	free(path);
	plan_free(&plan);
	remove_tree(directory);
	free(directory);
}

/* A dry run reads a journal and leaves every byte of it, its time and its cut line alone. */
static void test_read_only(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	enum journal_open_error error = JOURNAL_OPEN_BUSY;
	enum journal_state (*states)[2];
	char message[512], *path, *before, *after, *missing;
	struct stat info_before, info_after;
	struct plan plan, resumed;
	struct journal *journal;
	const size_t devices[] = { 4 };

	build_plan(&plan, PLAN_OFFLINE, 6);
	journal = journal_create(directory, &plan, &origin_a, message, sizeof(message));
	assert_non_null(journal);
	assert_true(journal_intent(journal, 3, 0, message, sizeof(message)));
	assert_true(journal_result(journal, 3, 0, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
	assert_true(journal_intent(journal, 3, 1, message, sizeof(message)));
	path = xstrdup(journal_path(journal));
	journal_close(journal);
	append_text(path, "{\"type\":\"result\",\"de");
	set_mtime(path, 1000);
	before = read_text(path);
	assert_int_equal(stat(path, &info_before), 0);

	journal = journal_resume(path, &resumed, &states, true, message, sizeof(message), &error);
	assert_non_null(journal);
	assert_int_equal(error, JOURNAL_OPEN_OK);
	assert_same_plan(&plan, &resumed);
	assert_int_equal(states[3][0], JOURNAL_DONE);
	assert_int_equal(states[3][1], JOURNAL_INTENT);
	assert_false(journal_finished(journal));
	assert_same_origin(journal_origin(journal), &origin_a);
	assert_false(journal_intent(journal, 4, 0, message, sizeof(message)));
	assert_non_null(strstr(message, "is open read-only (a dry run): nothing is written to it"));
	assert_false(journal_intents(journal, devices, 1, 0, message, sizeof(message)));
	assert_non_null(strstr(message, "read-only"));
	assert_false(journal_result(journal, 3, 1, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
	assert_non_null(strstr(message, "read-only"));
	assert_false(journal_results(journal, devices, 0, 0, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
	assert_false(journal_end(journal, false, message, sizeof(message)));
	assert_non_null(strstr(message, "read-only"));
	journal_close(journal);
	plan_free(&resumed);
	free(states);

	after = read_text(path);
	assert_string_equal(before, after);
	assert_int_equal(stat(path, &info_after), 0);
	assert_int_equal(info_after.st_size, info_before.st_size);
	assert_int_equal(info_after.st_mtim.tv_sec, info_before.st_mtim.tv_sec);
	assert_int_equal(info_after.st_mtim.tv_nsec, info_before.st_mtim.tv_nsec);
	assert_int_equal(info_after.st_mode, info_before.st_mode);
	free(after);

	/* Opened for reading only: a file its owner cannot write is still read. */
	if (geteuid() != 0) {
		assert_int_equal(chmod(path, 0400), 0);
		assert_null(journal_resume(path, &resumed, &states, false, message, sizeof(message), &error));
		assert_int_equal(error, JOURNAL_OPEN_REFUSED);
		journal = journal_resume(path, &resumed, &states, true, message, sizeof(message), &error);
		assert_non_null(journal);
		journal_close(journal);
		plan_free(&resumed);
		free(states);
		assert_int_equal(chmod(path, 0600), 0);
	}

	/* Nothing is created. */
	missing = xasprintf("%s/missing.jsonl", directory);
	assert_null(journal_resume(missing, &resumed, &states, true, message, sizeof(message), &error));
	assert_int_equal(error, JOURNAL_OPEN_REFUSED);
	assert_int_equal(access(missing, F_OK), -1);
	assert_int_equal(errno, ENOENT);

	/* A resume that writes cuts the cut line off. */
	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), &error);
	assert_non_null(journal);
	journal_close(journal);
	assert_int_equal(file_size(path), (off_t)(strlen(before) - strlen("{\"type\":\"result\",\"de")));
	plan_free(&resumed);
	free(states);

	free(missing);
	free(before);
	free(path);
	plan_free(&plan);
	remove_tree(directory);
	free(directory);
}

/* The text of a file after its first line. */
static char *after_first_line(const char *path)
{
	char *text = read_text(path);
	char *rest = xstrdup(strchr(text, '\n') + 1);
	free(text);
	return rest;
}

/* Bulk calls write the lines single calls write, and read back the same. */
static void test_batched(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	enum journal_state (*single_states)[2], (*batch_states)[2];
	char message[256], *single_path, *batch_path, *single_text, *batch_text;
	struct journal *single, *batch;
	struct plan plan, resumed;
	size_t *sent = NULL, *done = NULL, *failed = NULL;

	build_plan(&plan, PLAN_OFFLINE, 300);
	single = journal_create(directory, &plan, &origin_a, message, sizeof(message));
	batch = journal_create(directory, &plan, &origin_a, message, sizeof(message));
	assert_non_null(single);
	assert_non_null(batch);
	sent = xcalloc(plan.count, sizeof(*sent));
	done = xcalloc(plan.count, sizeof(*done));
	failed = xcalloc(plan.count, sizeof(*failed));

	/* Refused whole, before anything is written: device 0's step 0 is skipped (SIM Issued). */
	off_t empty = file_size(journal_path(batch));
	const size_t mixed[] = { 3, 0 }, twice[] = { 3, 3 }, far[] = { 3, 9999 };
	assert_false(journal_intents(batch, mixed, 2, 0, message, sizeof(message)));
	assert_non_null(strstr(message, "step 0 of device 0 is not sent: the plan skips it"));
	assert_false(journal_intents(batch, far, 2, 0, message, sizeof(message)));
	assert_non_null(strstr(message, "no step 0 of device 9999 in the plan"));
	assert_false(journal_results(batch, mixed, 1, 0, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
	assert_non_null(strstr(message, "step 0 of device 3 has no intent to answer"));
	assert_true(journal_intents(batch, mixed, 0, 0, message, sizeof(message)));
	assert_true(journal_results(batch, mixed, 0, 0, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
	assert_int_equal(file_size(journal_path(batch)), empty);

	for (int step = 0; step < 2; step++) {
		size_t sent_count = 0, done_count = 0, failed_count = 0;
		for (size_t i = 0; i < plan.count; i++) {
			if (plan.devices[i].steps[step].skip != SKIP_NONE)
				continue;
			sent[sent_count++] = i;
			if (i % 7)
				done[done_count++] = i;
			else
				failed[failed_count++] = i;
		}
		assert_true(sent_count > 2 && failed_count > 0);
		for (size_t i = 0; i < sent_count; i++)
			assert_true(journal_intent(single, sent[i], step, message, sizeof(message)));
		assert_true(journal_intents(batch, sent, sent_count, step, message, sizeof(message)));
		/* The last of them stays in flight. */
		done_count--;
		if (step == 0) {
			/* A device given twice has one intent to answer: nothing written, nothing settled. */
			off_t size = file_size(journal_path(batch));
			assert_false(journal_results(batch, twice, 2, step, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
			assert_non_null(strstr(message, "step 0 of device 3 has no intent to answer"));
			assert_int_equal(file_size(journal_path(batch)), size);
		}
		for (size_t i = 0; i < done_count; i++)
			assert_true(journal_result(single, done[i], step, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
		for (size_t i = 0; i < failed_count; i++)
			assert_true(journal_result(single, failed[i], step, JOURNAL_FAILED, 409, "Conflict \"x\"", message,
						   sizeof(message)));
		assert_true(journal_results(batch, done, done_count, step, JOURNAL_DONE, 204, NULL, message, sizeof(message)));
		assert_true(journal_results(batch, failed, failed_count, step, JOURNAL_FAILED, 409, "Conflict \"x\"", message,
					    sizeof(message)));
	}
	single_path = xstrdup(journal_path(single));
	batch_path = xstrdup(journal_path(batch));
	journal_close(single);
	journal_close(batch);

	single_text = after_first_line(single_path);
	batch_text = after_first_line(batch_path);
	assert_string_equal(single_text, batch_text);
	single = journal_resume(single_path, &resumed, &single_states, false, message, sizeof(message), NULL);
	assert_non_null(single);
	plan_free(&resumed);
	batch = journal_resume(batch_path, &resumed, &batch_states, false, message, sizeof(message), NULL);
	assert_non_null(batch);
	assert_same_plan(&plan, &resumed);
	assert_memory_equal(single_states, batch_states, plan.count * sizeof(*single_states));
	assert_int_equal(batch_states[3][0], JOURNAL_DONE);
	assert_int_equal(batch_states[0][0], JOURNAL_PENDING);
	/* Device 35: SIM Activated (a multiple of 7: failed). */
	assert_int_equal(batch_states[35][0], JOURNAL_FAILED);
	journal_close(single);
	journal_close(batch);

	plan_free(&resumed);
	free(single_states);
	free(batch_states);
	free(single_text);
	free(batch_text);
	free(single_path);
	free(batch_path);
	free(sent);
	free(done);
	free(failed);
	plan_free(&plan);
	remove_tree(directory);
	free(directory);
}

static size_t count_files(const char *directory)
{
	char *command = xasprintf("ls -A '%s' | wc -l", directory);
	FILE *pipe = popen(command, "r");
	unsigned long count = 0;

	assert_non_null(pipe);
	assert_int_equal(fscanf(pipe, "%lu", &count), 1);
	pclose(pipe);
	free(command);
	return count;
}

/* Every plan plan_build makes is one a journal takes and gives back: every action, every pair
 * of statuses, missing sides and a shared SIM. */
static void test_every_plan_journaled(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	enum journal_state (*states)[2];
	struct plan plan, resumed;
	struct journal *journal;
	char message[512];
	size_t *indexes, total;
	struct fleet *fleet = mixed_fleet(15, &indexes, &total);
	struct endpoint_record first = {
		.id = 50, .endpoint_status = ENDPOINT_DISABLED, .sim_id = 5, .sim_status = SIM_SUSPENDED,
	};
	struct endpoint_record second = first;
	second.id = 51;
	indexes = xrealloc(indexes, (total + 2) * sizeof(*indexes));
	indexes[total++] = fleet_add_endpoint(fleet, &first);
	indexes[total++] = fleet_add_endpoint(fleet, &second);

	for (int action = 0; action < PLAN_ACTION_COUNT; action++) {
		plan_build(&plan, (enum plan_action)action, fleet, indexes, total);
		journal = journal_create(directory, &plan, &origin_a, message, sizeof(message));
		if (!journal)
			fail_msg("%s: %s", plan_action_name((enum plan_action)action), message);
		char *path = xstrdup(journal_path(journal));
		journal_close(journal);
		journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
		if (!journal)
			fail_msg("%s: %s", plan_action_name((enum plan_action)action), message);
		assert_same_plan(&plan, &resumed);
		journal_close(journal);
		plan_free(&resumed);
		free(states);
		free(path);
		plan_free(&plan);
	}

	/* A plan that breaks the rules gets no journal at all. */
	size_t files = count_files(directory);
	plan_build(&plan, PLAN_OFFLINE, fleet, indexes, total);
	plan.devices[1].steps[1].to = ENDPOINT_ENABLED;
	assert_null(journal_create(directory, &plan, &origin_a, message, sizeof(message)));
	assert_string_equal(message, "cannot journal this plan: device 1: step 1 changes the endpoint to Enabled, but "
				     "offline changes the endpoint to Disabled there");
	assert_int_equal(count_files(directory), files);
	plan_free(&plan);

	free(indexes);
	fleet_free(fleet);
	remove_tree(directory);
	free(directory);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_and_resume),
		cmocka_unit_test(test_retries),
		cmocka_unit_test(test_cut_last_line),
		cmocka_unit_test(test_any_json_layout),
		cmocka_unit_test(test_not_a_journal),
		cmocka_unit_test(test_find_unfinished),
		cmocka_unit_test(test_large_journal),
		cmocka_unit_test(test_resume_refused),
		cmocka_unit_test(test_inconsistent_plan),
		cmocka_unit_test(test_inconsistent_lines),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_version_1),
		cmocka_unit_test(test_lock_holder),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_batched),
		cmocka_unit_test(test_every_plan_journaled),
	};
	/* A blocking open would hang the test instead of failing it. */
	alarm(60);
	/* Journals written here must be trusted (not group-writable) whatever the umask. */
	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
