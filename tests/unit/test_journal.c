/* test_journal.c — journals: written, cut, resumed, refused, found; a 100,000-device job. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <regex.h>
#include <sys/stat.h>
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
	journal = journal_create(NULL, &plan, message, sizeof(message));
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
	const char *start = "{\"type\":\"job\",\"version\":1,\"action\":\"offline\",\"created\":\"";
	assert_int_equal(strncmp(text, start, strlen(start)), 0);
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

	journal = journal_resume(path, &resumed, &states, message, sizeof(message));
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

	journal = journal_resume(path, &resumed, &states, message, sizeof(message));
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

/* An intent after a result (a retry started) wins; a result without intent counts too. */
static void test_last_line_wins(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	char message[256], *path;
	enum journal_state (*states)[2];
	struct plan plan, resumed;
	struct journal *journal;

	build_plan(&plan, PLAN_ONLINE, 3);
	journal = journal_create(directory, &plan, message, sizeof(message));
	assert_non_null(journal);
	path = xstrdup(journal_path(journal));
	journal_close(journal);
	append_text(path, "{\"type\":\"intent\",\"device\":1,\"step\":0}\n"
			  "{\"type\":\"result\",\"device\":1,\"step\":0,\"state\":\"failed\",\"http\":500,\"text\":\"\"}\n"
			  "{\"type\":\"intent\",\"device\":1,\"step\":0}\n"
			  "{\"type\":\"result\",\"device\":1,\"step\":1,\"state\":\"done\",\"http\":204,\"text\":\"\"}\n");
	journal = journal_resume(path, &resumed, &states, message, sizeof(message));
	assert_non_null(journal);
	assert_int_equal(states[1][0], JOURNAL_INTENT);
	assert_int_equal(states[1][1], JOURNAL_DONE);
	assert_int_equal(states[0][0], JOURNAL_PENDING);
	assert_int_equal(states[2][1], JOURNAL_PENDING);
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
	journal = journal_create(directory, &plan, message, sizeof(message));
	assert_non_null(journal);
	assert_true(journal_intent(journal, 3, 0, message, sizeof(message)));
	path = xstrdup(journal_path(journal));
	journal_close(journal);
	whole = file_size(path);

	append_text(path, "{\"type\":\"result\",\"device\":3,\"step\":0,\"sta");
	journal = journal_resume(path, &resumed, &states, message, sizeof(message));
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
	journal = journal_resume(path, &resumed, &states, message, sizeof(message));
	assert_non_null(journal);
	assert_int_equal(states[3][0], JOURNAL_DONE);
	assert_int_equal(states[3][1], JOURNAL_PENDING);
	assert_int_equal(file_size(path), whole);
	journal_close(journal);
	plan_free(&resumed);
	free(states);

	/* In the middle it is refused: something else wrote there. */
	append_text(path, "not json\n{\"type\":\"intent\",\"device\":3,\"step\":1}\n");
	journal = journal_resume(path, &resumed, &states, message, sizeof(message));
	assert_null(journal);
	assert_non_null(strstr(message, "line 4 is not JSON"));

	plan_free(&plan);
	free(path);
	remove_tree(directory);
	free(directory);
}

/* The same journal with spaces after the colons: every line goes through cJSON instead of
 * the reader of the exact bytes, and reads the same. */
static void test_any_json_layout(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	char message[256], *path, *text, *spaced, *to;
	enum journal_state (*exact_states)[2], (*spaced_states)[2];
	struct plan plan, exact, relaxed;
	struct journal *journal;

	build_plan(&plan, PLAN_ONLINE, 30);
	journal = journal_create(directory, &plan, message, sizeof(message));
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

	journal = journal_resume(path, &exact, &exact_states, message, sizeof(message));
	assert_non_null(journal);
	assert_true(journal_finished(journal));
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
	assert_non_null(strstr(spaced, "{\"type\": \"job\",\"version\": 1,"));
	write_text(path, spaced);
	journal = journal_resume(path, &relaxed, &spaced_states, message, sizeof(message));
	assert_non_null(journal);
	assert_true(journal_finished(journal));
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
	struct plan plan;
	char message[256];

	if (content)
		write_text(path, content);
	assert_null(journal_resume(path, &plan, &states, message, sizeof(message)));
	assert_null(states);
	if (!strstr(message, reason))
		fail_msg("message \"%s\" lacks \"%s\"", message, reason);
	unlink(path);
	free(path);
}

static void test_not_a_journal(void **state)
{
	(void)state;
	char *directory = make_temporary_directory("journal");
	const char *device = "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":1,\"endpoint_status\":0,"
			     "\"steps\":[{\"target\":\"sim\",\"id\":1,\"from\":1,\"to\":2,\"skip\":\"none\"}]}";
	char *line;

	assert_refused(directory, NULL, "cannot open");
	assert_refused(directory, "", "it is empty");
	assert_refused(directory, "hello\n", "line 1 is not JSON");
	assert_refused(directory, "{\"type\":\"intent\",\"device\":0,\"step\":0}\n", "does not start with a job line");
	assert_refused(directory, "{\"type\":\"job\",\"version\":1,\"action\":\"offline\",\"devi", "first line is incomplete");
	line = xasprintf("{\"type\":\"job\",\"version\":2,\"action\":\"offline\",\"devices\":[%s]}\n", device);
	assert_refused(directory, line, "version 2");
	free(line);
	line = xasprintf("{\"type\":\"job\",\"version\":1,\"action\":\"reboot\",\"devices\":[%s]}\n", device);
	assert_refused(directory, line, "unknown action");
	free(line);
	/* A step that would change another device's SIM. */
	assert_refused(directory, "{\"type\":\"job\",\"version\":1,\"action\":\"offline\",\"devices\":["
			 "{\"sim_id\":1,\"endpoint_id\":1,\"sim_status\":1,\"endpoint_status\":0,\"steps\":"
			 "[{\"target\":\"sim\",\"id\":2,\"from\":1,\"to\":2,\"skip\":\"none\"}]}]}\n",
		       "device 0 is not a plan entry");
	line = xasprintf("{\"type\":\"job\",\"version\":1,\"action\":\"offline\",\"devices\":[%s]}\n"
			 "{\"type\":\"intent\",\"device\":1,\"step\":0}\n{\"type\":\"end\",\"cancelled\":false}\n", device);
	assert_refused(directory, line, "line 2: no such step");
	free(line);
	line = xasprintf("{\"type\":\"job\",\"version\":1,\"action\":\"offline\",\"devices\":[%s]}\n"
			 "{\"type\":\"restart\"}\n{\"type\":\"end\",\"cancelled\":false}\n", device);
	assert_refused(directory, line, "line 2: unknown type");
	free(line);

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
	struct journal *journal = journal_create(directory, plan, message, sizeof(message));
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
	struct journal *journal = journal_resume(path, &plan, &states, message, sizeof(message));

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
	journal = journal_create(directory, &large, message, sizeof(message));
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
	int64_t start, created, resumed_ms;
	FILE *file;

	build_plan(&plan, PLAN_OFFLINE, 100000);
	start = util_now_ms();
	journal = journal_create(directory, &plan, message, sizeof(message));
	created = util_now_ms() - start;
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

	start = util_now_ms();
	journal = journal_resume(path, &resumed, &states, message, sizeof(message));
	resumed_ms = util_now_ms() - start;
	assert_non_null(journal);
	print_message("100,002 devices, %zu step lines, %lld bytes: created in %lld ms, resumed in %lld ms\n",
		      lines, (long long)file_size(path), (long long)created, (long long)resumed_ms);
	assert_true(created < 2000);
	assert_true(resumed_ms < 2000);
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
	assert_null(journal_resume(path, &resumed, &states, message, sizeof(message)));
	assert_null(states);
	snprintf(expected, sizeof(expected), "the journal %s can be changed by other users (mode 0620); run chmod go-w %s",
		 path, path);
	assert_string_equal(message, expected);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(chmod(directory, 0777), 0);
	assert_null(journal_resume(path, &resumed, &states, message, sizeof(message)));
	assert_non_null(strstr(message, "a directory other users can write to"));
	assert_int_equal(chmod(directory, 0700), 0);

	/* One job per journal: a second resume while the first runs is refused. */
	journal = journal_resume(path, &resumed, &states, message, sizeof(message));
	assert_non_null(journal);
	assert_null(journal_resume(path, &second, &second_states, message, sizeof(message)));
	assert_non_null(strstr(message, "is in use by another simtop"));
	journal_close(journal);
	plan_free(&resumed);
	free(states);
	states = NULL;
	running = journal_create(directory, &plan, message, sizeof(message));
	assert_non_null(running);
	assert_null(journal_resume(journal_path(running), &resumed, &states, message, sizeof(message)));
	assert_non_null(strstr(message, "is in use by another simtop"));
	journal_close(running);

	/* A FIFO nobody writes to: refused at once. */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_null(journal_resume(fifo, &resumed, &states, message, sizeof(message)));
	assert_non_null(strstr(message, "is a FIFO, not a regular file"));

	plan_free(&plan);
	free(path);
	free(fifo);
	remove_tree(directory);
	free(directory);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_and_resume),
		cmocka_unit_test(test_last_line_wins),
		cmocka_unit_test(test_cut_last_line),
		cmocka_unit_test(test_any_json_layout),
		cmocka_unit_test(test_not_a_journal),
		cmocka_unit_test(test_find_unfinished),
		cmocka_unit_test(test_large_journal),
		cmocka_unit_test(test_resume_refused),
	};
	/* A blocking open would hang the test instead of failing it. */
	alarm(60);
	/* Journals written here must be trusted (not group-writable) whatever the umask. */
	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
