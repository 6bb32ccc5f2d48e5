/* test_config.c — where the URL and token come from, and what is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

struct fixture {
	char directory[256];
	char message[512];
	struct config config;
};

/* Create name in the test directory with that content and mode; returns its path (freed by
 * the caller). */
static char *write_file(const struct fixture *fixture, const char *name, const char *content, mode_t mode)
{
	char *path = xasprintf("%s/%s", fixture->directory, name);
	FILE *file = fopen(path, "w");

	assert_non_null(file);
	fputs(content, file);
	fclose(file);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static int setup(void **state)
{
	struct fixture *fixture = xcalloc(1, sizeof(*fixture));
	const char *tmp = getenv("TMPDIR");

	snprintf(fixture->directory, sizeof(fixture->directory), "%s/simtop-config-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(fixture->directory));
	/* Nothing from the real environment or home may leak into a test. */
	unsetenv("EMNIFY_APPLICATION_TOKEN");
	unsetenv("EMNIFY_BASE_PATH");
	unsetenv("NO_COLOR");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", fixture->directory, 1);
	*state = fixture;
	return 0;
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *walk)
{
	(void)info;
	(void)flag;
	(void)walk;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *fixture = *state;

	config_free(&fixture->config);
	nftw(fixture->directory, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(fixture);
	return 0;
}

/* config_load with a config file in the test directory (which may not exist). */
static bool load(struct fixture *fixture, const char *api_url, const char *token_file, const char *profile)
{
	char *config_file = xasprintf("%s/config", fixture->directory);
	struct config_options options = {
		.api_url = api_url,
		.token_file = token_file,
		.profile = profile,
		.config_file = config_file,
	};
	bool ok;

	config_free(&fixture->config);
	fixture->message[0] = '\0';
	ok = config_load(&fixture->config, &options, fixture->message, sizeof(fixture->message));
	free(config_file);
	return ok;
}

static void assert_contains(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* --- sources ------------------------------------------------------------------------------ */

static void test_defaults(void **state)
{
	struct fixture *fixture = *state;

	assert_true(load(fixture, NULL, NULL, NULL));
	assert_string_equal(fixture->config.base_url, "https://cdn.emnify.net");
	assert_null(fixture->config.token);
	assert_string_equal(fixture->config.profile, "default");
	assert_true(fixture->config.rate_limits);
	assert_false(fixture->config.read_only);
	assert_false(fixture->config.ascii);
	assert_false(fixture->config.monochrome);
}

static void test_token_order(void **state)
{
	struct fixture *fixture = *state;
	char *from_option = write_file(fixture, "option.token", "from-option\n", 0600);
	char *config = write_file(fixture, "config",
				  "[default]\ntoken_file = config.token\ntoken = from-config\n", 0600);
	char *from_config_file = write_file(fixture, "config.token", "  from-config-file  \n", 0600);

	/* --token-file beats everything. */
	setenv("EMNIFY_APPLICATION_TOKEN", "from-environment", 1);
	assert_true(load(fixture, NULL, from_option, NULL));
	assert_string_equal(fixture->config.token, "from-option");
	assert_string_equal(fixture->config.token_source + strlen("--token-file "), from_option);
	assert_contains(fixture->config.token_source, "--token-file ");
	free(from_option);
	free(config);
	free(from_config_file);
}

static void test_token_order_environment(void **state)
{
	struct fixture *fixture = *state;
	char *config = write_file(fixture, "config",
				  "[default]\ntoken_file = config.token\ntoken = from-config\n", 0600);
	char *token_file = write_file(fixture, "config.token", "from-config-file\n", 0600);

	setenv("EMNIFY_APPLICATION_TOKEN", "from-environment", 1);
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_string_equal(fixture->config.token, "from-environment");
	assert_string_equal(fixture->config.token_source, "EMNIFY_APPLICATION_TOKEN");

	/* An empty variable counts as unset. */
	setenv("EMNIFY_APPLICATION_TOKEN", "", 1);
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_string_equal(fixture->config.token, "from-config-file");

	/* Then the config's token_file (relative to the config file), then its token. */
	unsetenv("EMNIFY_APPLICATION_TOKEN");
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_string_equal(fixture->config.token, "from-config-file");
	assert_contains(fixture->config.token_source, "token_file");
	free(config);
	config = write_file(fixture, "config", "[default]\ntoken = from-config\n", 0600);
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_string_equal(fixture->config.token, "from-config");
	assert_contains(fixture->config.token_source, "config");
	free(config);
	free(token_file);
}

static void test_token_file_home(void **state)
{
	struct fixture *fixture = *state;
	char *config = write_file(fixture, "config", "token_file = ~/home.token\n", 0644);
	char *token_file = write_file(fixture, "home.token", "from-home\n", 0400);

	assert_true(load(fixture, NULL, NULL, NULL));
	assert_string_equal(fixture->config.token, "from-home");
	free(config);
	free(token_file);
}

static void test_url_order(void **state)
{
	struct fixture *fixture = *state;
	char *config = write_file(fixture, "config", "[default]\napi_url = https://config.example\n", 0644);

	setenv("EMNIFY_BASE_PATH", "https://environment.example/", 1);
	assert_true(load(fixture, "https://option.example//", NULL, NULL));
	assert_string_equal(fixture->config.base_url, "https://option.example");
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_string_equal(fixture->config.base_url, "https://environment.example");
	unsetenv("EMNIFY_BASE_PATH");
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_string_equal(fixture->config.base_url, "https://config.example");
	free(config);
}

/* --- URLs --------------------------------------------------------------------------------- */

static void test_url_checks(void **state)
{
	struct fixture *fixture = *state;
	char *message = fixture->message;
	size_t size = sizeof(fixture->message);

	assert_true(config_check_url("https://cdn.emnify.net", message, size));
	assert_true(config_check_url("HTTPS://cdn.emnify.net:8443", message, size));
	assert_true(config_check_url("http://127.0.0.1:40000", message, size));
	assert_true(config_check_url("http://127.8.9.10", message, size));
	assert_true(config_check_url("http://localhost:8080", message, size));
	assert_true(config_check_url("http://[::1]:8080", message, size));

	assert_false(config_check_url("http://cdn.emnify.net", message, size));
	assert_contains(message, "refusing to send the token over plain http to cdn.emnify.net");
	assert_contains(message, "use https");
	assert_false(config_check_url("http://128.0.0.1", message, size));
	assert_false(config_check_url("http://localhost.example.com", message, size));
	assert_false(config_check_url("http://127.0.0.1@evil.example", message, size));
	assert_contains(message, "evil.example");
	assert_false(config_check_url("http://[::2]:80", message, size));
	assert_false(config_check_url("ftp://cdn.emnify.net", message, size));
	assert_false(config_check_url("cdn.emnify.net", message, size));
	assert_false(config_check_url("https://", message, size));
	assert_contains(message, "no usable host");
	assert_false(config_check_url("http://[::1:8080", message, size));
	assert_contains(message, "no usable host");

	assert_false(config_check_url("https://cdn.emnify.net/api", message, size));
	assert_contains(message, "scheme, host and port");
	assert_false(config_check_url("https://cdn.emnify.net/api/v1/", message, size));
	assert_false(config_check_url("https://cdn.emnify.net/?x=1", message, size));
	assert_false(config_check_url("https://cdn emnify.net", message, size));
}

static void test_url_refused_names_source(void **state)
{
	struct fixture *fixture = *state;

	setenv("EMNIFY_BASE_PATH", "http://api.example.com", 1);
	assert_false(load(fixture, NULL, NULL, NULL));
	assert_contains(fixture->message, "plain http to api.example.com");
	assert_contains(fixture->message, "EMNIFY_BASE_PATH");
	assert_false(load(fixture, "https://cdn.emnify.net/api/v1", NULL, NULL));
	assert_contains(fixture->message, "/api/v1");
	assert_contains(fixture->message, "--api-url");
}

/* --- token files -------------------------------------------------------------------------- */

static void test_token_file_modes(void **state)
{
	struct fixture *fixture = *state;
	char *private_file = write_file(fixture, "private.token", "secret-one\nsecond line\n", 0600);
	char *public_file = write_file(fixture, "public.token", "secret-two\n", 0644);
	char *group_file = write_file(fixture, "group.token", "secret-three\n", 0640);
	char *empty_file = write_file(fixture, "empty.token", " \n", 0600);
	char *missing_file = xasprintf("%s/missing.token", fixture->directory);
	char expected[512];
	char *secret = NULL;

	assert_true(config_read_secret(private_file, &secret, fixture->message, sizeof(fixture->message)));
	assert_string_equal(secret, "secret-one");
	free(secret);

	assert_false(config_read_secret(public_file, &secret, fixture->message, sizeof(fixture->message)));
	assert_null(secret);
	snprintf(expected, sizeof(expected),
		 "the token file %s is readable by other users (mode 0644); run chmod 600 %s", public_file,
		 public_file);
	assert_string_equal(fixture->message, expected);
	assert_null(strstr(fixture->message, "secret-two"));

	assert_false(config_read_secret(group_file, &secret, fixture->message, sizeof(fixture->message)));
	assert_contains(fixture->message, "mode 0640");

	assert_false(config_read_secret(empty_file, &secret, fixture->message, sizeof(fixture->message)));
	assert_contains(fixture->message, "empty");

	assert_false(config_read_secret(missing_file, &secret, fixture->message, sizeof(fixture->message)));
	assert_contains(fixture->message, missing_file);
	assert_contains(fixture->message, "No such file");

	/* The same refusal through config_load. */
	assert_false(load(fixture, NULL, public_file, NULL));
	assert_contains(fixture->message, "chmod 600");
	free(private_file);
	free(public_file);
	free(group_file);
	free(empty_file);
	free(missing_file);
}

static void test_token_in_config(void **state)
{
	struct fixture *fixture = *state;
	char *config = write_file(fixture, "config", "[profile other]\ntoken = very-secret\n", 0644);
	char expected[512];

	/* Refused even when another source wins: the file itself leaks the token. */
	setenv("EMNIFY_APPLICATION_TOKEN", "from-environment", 1);
	assert_false(load(fixture, NULL, NULL, NULL));
	snprintf(expected, sizeof(expected), "run chmod 600 %s", config);
	assert_contains(fixture->message, expected);
	assert_contains(fixture->message, "mode 0644");
	assert_null(strstr(fixture->message, "very-secret"));

	assert_int_equal(chmod(config, 0600), 0);
	unsetenv("EMNIFY_APPLICATION_TOKEN");
	assert_true(load(fixture, NULL, NULL, "other"));
	assert_string_equal(fixture->config.token, "very-secret");
	free(config);
}

/* --- files the config trusts --------------------------------------------------------------- */

/* A config that others can change steers the token, with or without a token in it. */
static void test_config_writable_by_others(void **state)
{
	static const mode_t modes[] = { 0664, 0646, 0666, 0620 };
	struct fixture *fixture = *state;
	char *config = write_file(fixture, "config", "api_url = http://127.0.0.1:9\n", 0644);
	char expected[512];

	setenv("EMNIFY_APPLICATION_TOKEN", "from-environment", 1);
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		char mode[16];
		assert_int_equal(chmod(config, modes[i]), 0);
		assert_false(load(fixture, NULL, NULL, NULL));
		snprintf(expected, sizeof(expected), "the config file %s can be changed by other users", config);
		assert_contains(fixture->message, expected);
		snprintf(mode, sizeof(mode), "(mode %04o)", (unsigned)modes[i]);
		assert_contains(fixture->message, mode);
		snprintf(expected, sizeof(expected), "run chmod go-w %s", config);
		assert_contains(fixture->message, expected);
		assert_null(strstr(fixture->message, "from-environment"));
	}
	assert_int_equal(chmod(config, 0644), 0);
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_string_equal(fixture->config.base_url, "http://127.0.0.1:9");
	free(config);
}

/* The config names the token file: a token file others can change is refused too. */
static void test_named_token_file_trusted(void **state)
{
	struct fixture *fixture = *state;
	char *config = write_file(fixture, "config", "token_file = sub/token\n", 0600);
	char *directory = xasprintf("%s/sub", fixture->directory);
	char *token;

	assert_int_equal(mkdir(directory, 0700), 0);
	token = write_file(fixture, "sub/token", "secret\n", 0600);
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_string_equal(fixture->config.token, "secret");
	assert_int_equal(chmod(directory, 0777), 0);
	assert_false(load(fixture, NULL, NULL, NULL));
	assert_contains(fixture->message, directory);
	assert_contains(fixture->message, "other users can write to");
	assert_contains(fixture->message, "(token_file in ");
	free(token);
	free(directory);
	free(config);
}

/* The directory of the config counts: whoever writes to it can swap the file. */
static void test_config_directory(void **state)
{
	struct fixture *fixture = *state;
	char *config = write_file(fixture, "config", "read_only = true\n", 0644);
	char expected[512];

	assert_int_equal(chmod(fixture->directory, 0777), 0);
	assert_false(load(fixture, NULL, NULL, NULL));
	snprintf(expected, sizeof(expected), "run chmod go-w %s", fixture->directory);
	assert_contains(fixture->message, expected);
	assert_contains(fixture->message, "mode 0777");
	/* Sticky, like /tmp: no one else can rename or remove the file. */
	assert_int_equal(chmod(fixture->directory, 01777), 0);
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_true(fixture->config.read_only);
	assert_int_equal(chmod(fixture->directory, 0700), 0);
	free(config);
}

/* Another user's config is refused; root's is fine. The test needs root to make the first. */
static void test_config_owner(void **state)
{
	struct fixture *fixture = *state;
	char *config = write_file(fixture, "config", "read_only = true\n", 0644);
	char expected[512];

	assert_true(load(fixture, NULL, NULL, NULL));
	if (geteuid() != 0) {
		free(config);
		skip();
	}
	assert_int_equal(chown(config, 0, 0), 0);
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_int_equal(chown(config, 65534, 65534), 0);
	assert_false(load(fixture, NULL, NULL, NULL));
	snprintf(expected, sizeof(expected), "the config file %s belongs to another user", config);
	assert_contains(fixture->message, expected);
	snprintf(expected, sizeof(expected), "chown root %s", config);
	assert_contains(fixture->message, expected);
	free(config);
}

/* A FIFO (nobody writes to it), a directory or a device is refused at once, not waited on
 * (alarm in main turns a hang into a failure). */
static void test_not_regular_files(void **state)
{
	struct fixture *fixture = *state;
	char *fifo = xasprintf("%s/fifo", fixture->directory);
	char *config = xasprintf("%s/config", fixture->directory);

	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_false(load(fixture, NULL, fifo, NULL));
	assert_contains(fixture->message, "is a FIFO, not a regular file");
	assert_contains(fixture->message, fifo);
	assert_false(load(fixture, NULL, "/dev/null", NULL));
	assert_contains(fixture->message, "/dev/null is a character device, not a regular file");
	assert_false(load(fixture, NULL, fixture->directory, NULL));
	assert_contains(fixture->message, "is a directory, not a regular file");
	assert_int_equal(rename(fifo, config), 0);
	assert_false(load(fixture, NULL, NULL, NULL));
	assert_contains(fixture->message, "the config file");
	assert_contains(fixture->message, "is a FIFO, not a regular file");
	free(config);
	free(fifo);
}

/* Messages quote the file; nothing of it may reach the terminal as a control sequence. */
static void test_messages_cleaned(void **state)
{
	static const char *const contents[] = {
		"\033[2Jcolour = blue\n",
		"[keys]\n\033]0;owned\007offline = F\n",
		"[\033[2J]\n",
		"read_only = \033[2Jyes\n",
		"token_file = \033[2J/missing\n",
		"api_url = https://\033[2Jexample\n",
	};
	struct fixture *fixture = *state;

	for (size_t i = 0; i < ARRAY_SIZE(contents); i++) {
		char *config = write_file(fixture, "config", contents[i], 0600);
		assert_false(load(fixture, NULL, NULL, NULL));
		assert_contains(fixture->message, config);
		if (strchr(fixture->message, '\033') || strchr(fixture->message, '\007'))
			fail_msg("case %zu: control characters in \"%s\"", i, fixture->message);
		free(config);
	}
}

/* --- the config file ---------------------------------------------------------------------- */

static void test_profiles(void **state)
{
	struct fixture *fixture = *state;
	char *config = write_file(fixture, "config",
				  "# simtop\n"
				  "read_only = true\n"
				  "\n"
				  "[default]\n"
				  "  api_url = http://127.0.0.1:4000  \n"
				  "ascii = true\n"
				  "[profile acme-prod]\n"
				  "api_url = https://acme.example\n"
				  "read_only = false\n"
				  "rate_limits = false\n"
				  "[profile other]\n"
				  "monochrome = true\n",
				  0644);

	assert_true(load(fixture, NULL, NULL, NULL));
	assert_string_equal(fixture->config.base_url, "http://127.0.0.1:4000");
	assert_true(fixture->config.read_only);
	assert_true(fixture->config.ascii);
	assert_true(fixture->config.rate_limits);
	assert_false(fixture->config.monochrome);

	assert_true(load(fixture, NULL, NULL, "acme-prod"));
	assert_string_equal(fixture->config.profile, "acme-prod");
	assert_string_equal(fixture->config.base_url, "https://acme.example");
	assert_false(fixture->config.read_only);
	assert_false(fixture->config.rate_limits);
	assert_true(fixture->config.ascii);
	assert_false(fixture->config.monochrome);

	assert_false(load(fixture, NULL, NULL, "missing"));
	assert_contains(fixture->message, "no [profile missing]");
	free(config);
}

static void test_profile_without_file(void **state)
{
	struct fixture *fixture = *state;

	assert_false(load(fixture, NULL, NULL, "acme"));
	assert_contains(fixture->message, "[profile acme]");
}

static void test_bad_lines(void **state)
{
	static const struct {
		const char *content;
		const char *expected;
	} cases[] = {
		{ "[default]\napi_url = https://a.example\ncolour = blue\n", "config:3: unknown key \"colour\"" },
		{ "# one\n\nread_only = maybe\n", "config:3: read_only must be true or false" },
		{ "[default]\n[staging]\n", "config:2: unknown section" },
		{ "[profile]\n", "config:1: unknown section" },
		{ "[default\n", "config:1: a section line must end" },
		{ "just words\n", "config:1: expected \"key = value\"" },
		{ "api_url =\n", "config:1: api_url has no value" },
		{ "[profile other]\nbad = 1\n", "config:2: unknown key" },
		{ "rate = fast\n", "config:1: rate must be a positive number" },
		{ "[default]\nconfirm_threshold = -5\n", "config:2: confirm_threshold must be a positive number" },
		{ "[keys]\nswitch-off = F\n", "config:2: unknown action \"switch-off\"" },
		{ "[keys]\noffline =\n", "config:2: offline has no keys" },
		{ "[keys]\noffline\n", "config:2: expected \"action = keys\"" },
		{ "[keys]\noffline = F\n\noffline = X\n", "config:4: offline is bound already, at " },
		{ "[keys]\nread_only = true\n", "config:2: unknown action \"read_only\"" },
	};
	struct fixture *fixture = *state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *config = write_file(fixture, "config", cases[i].content, 0600);
		assert_false(load(fixture, NULL, NULL, NULL));
		assert_contains(fixture->message, cases[i].expected);
		assert_contains(fixture->message, config);
		free(config);
	}
}

/* [keys] holds for every profile; the bindings come in file order with where they are. */
static void test_key_bindings(void **state)
{
	struct fixture *fixture = *state;

	assert_true(load(fixture, NULL, NULL, NULL));
	assert_int_equal(fixture->config.key_binding_count, 0);
	char *config = write_file(fixture, "config",
				  "[keys]\n"
				  "offline = F\n"
				  "  move-down =  <Down> j n  \n"
				  "[profile acme]\n"
				  "read_only = true\n",
				  0600);
	for (int round = 0; round < 2; round++) {
		assert_true(load(fixture, NULL, NULL, round ? "acme" : NULL));
		assert_int_equal(fixture->config.key_binding_count, 2);
		assert_string_equal(fixture->config.key_bindings[0].action, "offline");
		assert_string_equal(fixture->config.key_bindings[0].keys, "F");
		assert_string_equal(fixture->config.key_bindings[1].action, "move-down");
		assert_string_equal(fixture->config.key_bindings[1].keys, "<Down> j n");
		assert_contains(fixture->config.key_bindings[1].where, "config:3");
	}
	assert_true(fixture->config.read_only);
	free(config);
}

static void test_numbers(void **state)
{
	struct fixture *fixture = *state;

	assert_true(load(fixture, NULL, NULL, NULL));
	assert_true(fixture->config.rate == 0);
	assert_int_equal(fixture->config.confirm_threshold, 100);
	free(write_file(fixture, "config", "[default]\nrate = 2.5\nconfirm_threshold = 20\n", 0600));
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_true(fixture->config.rate == 2.5);
	assert_int_equal(fixture->config.confirm_threshold, 20);
}

static void test_no_color(void **state)
{
	struct fixture *fixture = *state;

	setenv("NO_COLOR", "", 1);
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_false(fixture->config.monochrome);
	setenv("NO_COLOR", "1", 1);
	assert_true(load(fixture, NULL, NULL, NULL));
	assert_true(fixture->config.monochrome);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_order_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_file_home, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_refused_names_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_file_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_in_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_writable_by_others, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_token_file_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_regular_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_messages_cleaned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profiles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profile_without_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_color, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_bindings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
	};
	/* A blocking open would hang the test instead of failing it. */
	alarm(30);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
