/* test_audit.c — the audit log: where it lives, its mode, its lines with and without SSH. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pwd.h>
#include <regex.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "journal.h"
#include "plan.h"
#include "util.h"
#include "scratch.h"

/* The lines of a file; *count of them. */
static char **read_lines(const char *path, size_t *count)
{
	FILE *file = fopen(path, "r");
	char **lines = NULL, *line = NULL;
	size_t capacity = 0, length = 0;
	ssize_t got;

	assert_non_null(file);
	*count = 0;
	while ((got = getline(&line, &length, file)) > 0) {
		assert_int_equal(line[got - 1], '\n');
		line[got - 1] = '\0';
		lines = xgrow(lines, &capacity, *count + 1, sizeof(*lines));
		lines[(*count)++] = xstrdup(line);
	}
	free(line);
	fclose(file);
	return lines;
}

static void free_lines(char **lines, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(lines[i]);
	free(lines);
}

/* line is {"time":"<UTC now>", followed by rest. */
static void assert_line(const char *line, const char *rest)
{
	regex_t time_format;
	const char *prefix = "{\"time\":\"";

	assert_int_equal(strncmp(line, prefix, strlen(prefix)), 0);
	assert_int_equal(regcomp(&time_format, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\"",
				 REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regexec(&time_format, line + strlen(prefix), 0, NULL, 0), 0);
	regfree(&time_format);
	assert_string_equal(line + strlen(prefix) + 21, rest);
}

static const char *user_name(void)
{
	struct passwd *entry = getpwuid(getuid());
	assert_non_null(entry);
	return entry->pw_name;
}

static void test_default_path(void **state)
{
	(void)state;
	char *path;

	setenv("XDG_STATE_HOME", "/srv/state", 1);
	path = audit_default_path();
	assert_string_equal(path, "/srv/state/simtop/audit.log");
	free(path);
	/* A relative XDG_STATE_HOME is ignored. */
	setenv("XDG_STATE_HOME", "state", 1);
	setenv("HOME", "/home/alice", 1);
	path = audit_default_path();
	assert_string_equal(path, "/home/alice/.local/state/simtop/audit.log");
	free(path);
	unsetenv("XDG_STATE_HOME");
	path = audit_default_path();
	assert_string_equal(path, "/home/alice/.local/state/simtop/audit.log");
	free(path);
}

static void test_lines(void **state)
{
	(void)state;
	char *home = make_temporary_directory("audit");
	char message[256], *path, *directory, *want, user[256];
	struct plan_device device = {
		.sim_id = 4711, .endpoint_id = 815, .sim_status = SIM_ACTIVATED, .endpoint_status = ENDPOINT_ENABLED,
		.steps = {
			{ .target = STEP_SIM, .id = 4711, .from = SIM_ACTIVATED, .to = SIM_SUSPENDED },
			{ .target = STEP_ENDPOINT, .id = 815, .from = ENDPOINT_ENABLED, .to = ENDPOINT_DISABLED },
		},
		.step_count = 2,
	};
	struct plan_device sim_only = {
		.sim_id = 12, .sim_status = SIM_ISSUED, .endpoint_status = ENDPOINT_NONE,
		.steps = { { .target = STEP_SIM, .id = 12, .from = SIM_ISSUED, .to = SIM_ACTIVATED } },
		.step_count = 1,
	};
	mode_t old_umask = umask(0);
	struct audit *audit;
	char **lines;
	size_t count;

	setenv("XDG_STATE_HOME", home, 1);
	setenv("SSH_CONNECTION", "10.0.0.1 5123 10.0.0.2 22", 1);
	audit = audit_open(NULL, message, sizeof(message));
	umask(old_umask);
	assert_non_null(audit);
	assert_true(audit_step(audit, PLAN_OFFLINE, &device, &device.steps[0], "done", NULL, message, sizeof(message)));
	assert_true(audit_step(audit, PLAN_OFFLINE, &device, &device.steps[1], "failed",
			       "Endpoint \"pump\"\nnot found", message, sizeof(message)));
	audit_close(audit);

	path = xasprintf("%s/simtop/audit.log", home);
	directory = xasprintf("%s/simtop", home);
	assert_int_equal(file_mode(path), 0600);
	assert_int_equal(file_mode(directory), 0700);

	/* Without SSH, appended to the same log. */
	unsetenv("SSH_CONNECTION");
	audit = audit_open(path, message, sizeof(message));
	assert_non_null(audit);
	assert_true(audit_step(audit, PLAN_SIM_ACTIVATE, &sim_only, &sim_only.steps[0], NULL, "", message, sizeof(message)));
	audit_close(audit);

	journal_user(user, sizeof(user));
	assert_string_equal(user, user_name());
	lines = read_lines(path, &count);
	assert_int_equal(count, 3);
	want = xasprintf(",\"user\":\"%s\",\"ssh_connection\":\"10.0.0.1 5123 10.0.0.2 22\",\"action\":\"offline\","
			 "\"sim_id\":4711,\"endpoint_id\":815,\"target\":\"sim\",\"id\":4711,\"before\":\"Activated\","
			 "\"after\":\"Suspended\",\"result\":\"done\",\"message\":null}", user);
	assert_line(lines[0], want);
	free(want);
	want = xasprintf(",\"user\":\"%s\",\"ssh_connection\":\"10.0.0.1 5123 10.0.0.2 22\",\"action\":\"offline\","
			 "\"sim_id\":4711,\"endpoint_id\":815,\"target\":\"endpoint\",\"id\":815,\"before\":\"Enabled\","
			 "\"after\":\"Disabled\",\"result\":\"failed\",\"message\":\"Endpoint \\\"pump\\\"\\nnot found\"}",
			 user);
	assert_line(lines[1], want);
	free(want);
	want = xasprintf(",\"user\":\"%s\",\"ssh_connection\":null,\"action\":\"sim-activate\","
			 "\"sim_id\":12,\"endpoint_id\":null,\"target\":\"sim\",\"id\":12,\"before\":\"Issued\","
			 "\"after\":\"Activated\",\"result\":\"unknown\",\"message\":\"\"}", user);
	assert_line(lines[2], want);
	free(want);
	free_lines(lines, count);

	free(path);
	free(directory);
	remove_tree(home);
	free(home);
}

/* An empty SSH_CONNECTION is no SSH session. */
static void test_empty_ssh_connection(void **state)
{
	(void)state;
	char *home = make_temporary_directory("audit");
	char *path = xasprintf("%s/deep/er/audit.log", home);
	struct plan_device device = {
		.sim_id = 1, .endpoint_id = 2, .sim_status = SIM_SUSPENDED, .endpoint_status = ENDPOINT_DISABLED,
		.steps = { { .target = STEP_ENDPOINT, .id = 2, .from = ENDPOINT_DISABLED, .to = ENDPOINT_ENABLED } },
		.step_count = 1,
	};
	struct audit *audit;
	char message[256];
	char **lines;
	size_t count;

	setenv("SSH_CONNECTION", "", 1);
	audit = audit_open(path, message, sizeof(message));
	assert_non_null(audit);
	assert_true(audit_step(audit, PLAN_ENDPOINT_ENABLE, &device, &device.steps[0], "done", NULL, message,
			       sizeof(message)));
	audit_close(audit);
	unsetenv("SSH_CONNECTION");
	assert_int_equal(file_mode(path), 0600);
	lines = read_lines(path, &count);
	assert_int_equal(count, 1);
	assert_non_null(strstr(lines[0], ",\"ssh_connection\":null,\"action\":\"ep-enable\",\"sim_id\":1,\"endpoint_id\":2,"
					 "\"target\":\"endpoint\",\"id\":2,\"before\":\"Disabled\",\"after\":\"Enabled\","));
	free_lines(lines, count);
	free(path);
	remove_tree(home);
	free(home);
}

static void test_cannot_open(void **state)
{
	(void)state;
	char *home = make_temporary_directory("audit");
	char *blocker = xasprintf("%s/file", home);
	char *path = xasprintf("%s/file/audit.log", home);
	char message[256];
	FILE *file = fopen(blocker, "w");

	assert_non_null(file);
	fclose(file);
	/* A file where the directory should be. */
	assert_null(audit_open(path, message, sizeof(message)));
	assert_non_null(strstr(message, "is not a directory"));
	free(path);
	free(blocker);
	remove_tree(home);
	free(home);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_empty_ssh_connection),
		cmocka_unit_test(test_cannot_open),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
