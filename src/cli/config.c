/* config.c — API URL, token and display settings from options, environment and config file. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actions.h"
#include "columns.h"
#include "emnify.h"
#include "files.h"
#include "text.h"
#include "util.h"

/* Neither a token file nor a config file needs more. */
#define CONFIG_FILE_MAX (1024 * 1024)

/* Every key of the config file: name, kind of value. */
#define CONFIG_KEY_LIST(_) \
	_(API_URL,     "api_url",     TEXT) \
	_(TOKEN_FILE,  "token_file",  TEXT) \
	_(TOKEN,       "token",       TEXT) \
	_(READ_ONLY,   "read_only",   BOOL) \
	_(RATE_LIMITS, "rate_limits", BOOL) \
	_(ASCII,       "ascii",       BOOL) \
	_(MONOCHROME,  "monochrome",  BOOL) \
	_(MOUSE,       "mouse",       BOOL) \
	_(RATE,        "rate",        NUMBER) \
	_(CONFIRM_THRESHOLD, "confirm_threshold", NUMBER) \
	_(IP_WINDOW_CALLS, "ip_window_calls", NUMBER) \
	_(IP_WINDOW_SECONDS, "ip_window_seconds", NUMBER) \
	_(SNAPSHOT,    "snapshot",    BOOL) \
	_(SNAPSHOT_MAX_HOURS, "snapshot_max_hours", NUMBER) \
	_(COLUMNS,     "columns",     TEXT)

enum config_key {
#define CONFIG_KEY_ENUM(id, name, kind) KEY_##id,
	CONFIG_KEY_LIST(CONFIG_KEY_ENUM)
#undef CONFIG_KEY_ENUM
	KEY_COUNT
};

enum value_kind {
	VALUE_TEXT,
	VALUE_BOOL,
	VALUE_NUMBER,  /* a positive number, kept as text */
};

static const struct {
	const char *name;
	enum value_kind kind;
} config_keys[KEY_COUNT] = {
#define CONFIG_KEY_INFO(id, key_name, value_kind) [KEY_##id] = { key_name, VALUE_##value_kind },
	CONFIG_KEY_LIST(CONFIG_KEY_INFO)
#undef CONFIG_KEY_INFO
};

/* What one section of the file says; a key never set stays unset. */
struct section_values {
	bool set[KEY_COUNT];
	char *text[KEY_COUNT];
	bool flag[KEY_COUNT];
};

struct file_values {
	char *path;              /* NULL when there is no config file */
	bool found_profile;
	bool has_token;          /* some section holds a token */
	struct section_values defaults, profile;
	struct key_binding *bindings;  /* [keys] */
	size_t binding_count;
};

/* The section the next lines fill: a profile's values (NULL for a profile not chosen), or
 * the [keys] section. */
struct current_section {
	struct section_values *values;
	bool keys;
};

/* --- small helpers ------------------------------------------------------------------------ */

static void wipe_free(char *secret)
{
	if (secret) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
}


/* ~/x → $HOME/x; relative paths are taken from base_directory (NULL: as they are). */
static char *resolve_path(const char *path, const char *base_directory)
{
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
		return util_expand_home(path);
	if (path[0] != '/' && base_directory)
		return xasprintf("%s/%s", base_directory, path);
	return xstrdup(path);
}

static char *directory_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Read a whole small file, opened and checked as trust asks (files.h). On failure, message
 * says why; *missing tells a file that does not exist apart. */
static bool read_file(const char *path, const char *what, enum files_trust trust, char **content,
		      struct stat *info, bool *missing, char *message, size_t size)
{
	int fd = files_open(path, O_RDONLY, trust, what, info, message, size);
	size_t length = 0;
	char *buffer;

	*missing = false;
	if (fd < 0) {
		*missing = errno == ENOENT;
		return false;
	}
	if (info->st_size > CONFIG_FILE_MAX) {
		snprintf(message, size, "%s %s is too large to be one (%lld bytes)", what, path,
			 (long long)info->st_size);
		close(fd);
		return false;
	}
	buffer = files_read_all(fd, CONFIG_FILE_MAX, &length);
	if (!buffer) {
		snprintf(message, size, "cannot read %s %s: %s", what, path, strerror(errno));
		close(fd);
		return false;
	}
	close(fd);
	*content = buffer;
	return true;
}

/* A string that names a file, cleaned before it can reach the terminal; frees text. */
static char *cleaned(char *text)
{
	char *clean = text_clean(text, strlen(text));

	free(text);
	return clean;
}

/* --- secrets ------------------------------------------------------------------------------ */

bool config_read_secret(const char *path, char **secret, char *message, size_t size)
{
	struct stat info;
	char *content = NULL;
	char *line;
	bool missing;

	*secret = NULL;
	if (!read_file(path, "the token file", FILES_SECRET, &content, &info, &missing, message, size))
		goto fail;
	line = content;
	line[strcspn(line, "\n")] = '\0';
	line = util_trim(line, UTIL_BLANKS);
	if (!*line) {
		snprintf(message, size, "the token file %s is empty: put the application token on its first line",
			 path);
		goto fail;
	}
	for (const char *c = line; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			snprintf(message, size, "the token file %s holds control characters in its first line",
				 path);
			goto fail;
		}
	}
	*secret = xstrdup(line);
	wipe_free(content);
	return true;
fail:
	wipe_free(content);
	text_clean_in_place(message, size);
	return false;
}

/* --- URLs --------------------------------------------------------------------------------- */

static bool is_loopback(const char *host)
{
	unsigned char address[16];
	static const unsigned char ipv6_loopback[16] = { [15] = 1 };

	if (util_equal_nocase(host, "localhost"))
		return true;
	if (inet_pton(AF_INET, host, address) == 1)
		return address[0] == 127;
	if (inet_pton(AF_INET6, host, address) == 1)
		return memcmp(address, ipv6_loopback, sizeof(address)) == 0;
	return false;
}

bool config_check_url(const char *url, char *message, size_t size)
{
	const char *authority, *end;
	size_t length = strlen(url);
	char host[256];
	bool https;

	for (const char *c = url; *c; c++) {
		if ((unsigned char)*c <= 0x20 || *c == 0x7f) {
			snprintf(message, size, "the API URL must not contain spaces or control characters");
			return false;
		}
	}
	if (util_prefix_nocase(url, "https://"))
		https = true;
	else if (util_prefix_nocase(url, "http://"))
		https = false;
	else {
		snprintf(message, size, "refusing API URL %s: use https://HOST[:PORT] (http:// is only "
			 "allowed to loopback, for the emulator)", url);
		return false;
	}
	authority = strstr(url, "://") + 3;
	end = authority + strcspn(authority, "/?#");
	if (strpbrk(end, "?#")) {
		snprintf(message, size, "the API URL %s must not have a query or fragment: give only "
			 "scheme, host and port, e.g. %s", url, EMNIFY_DEFAULT_BASE);
		return false;
	}
	while (length > 0 && url[length - 1] == '/')
		length--;
	if (util_suffix_nocase(url, length, "/api") || util_suffix_nocase(url, length, "/api/v1")) {
		snprintf(message, size, "the API URL %.*s ends in /api or /api/v1: give only scheme, host "
			 "and port (simtop adds /api/v1), e.g. %s", (int)length, url, EMNIFY_DEFAULT_BASE);
		return false;
	}
	/* What counts is the host the connection goes to. */
	if (!util_url_host(url, host, sizeof(host))) {
		snprintf(message, size, "the API URL %s has no usable host (an IPv6 address goes in "
			 "brackets, as in http://[::1]:8080)", url);
		return false;
	}
	if (!https && !is_loopback(host)) {
		snprintf(message, size, "refusing to send the token over plain http to %s: use https "
			 "(http is only allowed to loopback, for the emulator)", host);
		return false;
	}
	return true;
}

/* --- the config file ---------------------------------------------------------------------- */

static void section_free(struct section_values *section)
{
	for (int i = 0; i < KEY_COUNT; i++) {
		if (i == KEY_TOKEN)
			wipe_free(section->text[i]);
		else
			free(section->text[i]);
	}
	memset(section, 0, sizeof(*section));
}

static void bindings_free(struct key_binding *bindings, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(bindings[i].action);
		free(bindings[i].keys);
		free(bindings[i].where);
	}
	free(bindings);
}

static void file_values_free(struct file_values *file)
{
	free(file->path);
	section_free(&file->defaults);
	section_free(&file->profile);
	bindings_free(file->bindings, file->binding_count);
}

static char *default_config_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home;

	/* The XDG spec says to ignore a relative XDG_CONFIG_HOME. */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/simtop/config", xdg);
	home = util_home_directory();
	return home ? xasprintf("%s/.config/simtop/config", home) : NULL;
}

/* One "key = value" line into section (NULL: a profile not chosen, checked only). */
static bool parse_assignment(struct file_values *file, struct section_values *section, char *line,
			     int number, char *message, size_t size)
{
	char *equals = strchr(line, '=');
	char *key, *value;
	int found = -1;
	bool flag = false;

	if (!equals) {
		snprintf(message, size, "%s:%d: expected \"key = value\", \"[default]\" or "
			 "\"[profile NAME]\"", file->path, number);
		return false;
	}
	*equals = '\0';
	key = util_trim(line, UTIL_BLANKS);
	value = util_trim(equals + 1, UTIL_BLANKS);
	for (int i = 0; i < KEY_COUNT; i++)
		if (strcmp(key, config_keys[i].name) == 0)
			found = i;
	if (found < 0) {
		char known[256] = "";
		for (int i = 0; i < KEY_COUNT; i++) {
			strncat(known, i ? ", " : "", sizeof(known) - strlen(known) - 1);
			strncat(known, config_keys[i].name, sizeof(known) - strlen(known) - 1);
		}
		/* Bounded: a key is a part of one line, but the message must stay readable. */
		snprintf(message, size, "%s:%d: unknown key \"%.40s\" (known keys: %s)", file->path,
			 number, key, known);
		return false;
	}
	if (!*value) {
		snprintf(message, size, "%s:%d: %s has no value", file->path, number, key);
		return false;
	}
	if (config_keys[found].kind == VALUE_BOOL) {
		if (strcmp(value, "true") == 0)
			flag = true;
		else if (strcmp(value, "false") != 0) {
			snprintf(message, size, "%s:%d: %s must be true or false", file->path, number, key);
			return false;
		}
	}
	if (config_keys[found].kind == VALUE_NUMBER) {
		char *end;
		double number_value = strtod(value, &end);
		if (*end || !(number_value > 0) || number_value > 1e6) {
			snprintf(message, size, "%s:%d: %s must be a positive number", file->path, number, key);
			return false;
		}
	}
	if (found == KEY_TOKEN)
		file->has_token = true;
	if (!section)
		return true;
	if (found == KEY_TOKEN)
		wipe_free(section->text[found]);
	else
		free(section->text[found]);
	section->text[found] = config_keys[found].kind != VALUE_BOOL ? xstrdup(value) : NULL;
	section->flag[found] = flag;
	section->set[found] = true;
	return true;
}

static const char *const action_names[] = {
#define ACTION_NAME(id, name, keys, help) name,
	ACTION_LIST(ACTION_NAME)
	DIALOG_ACTION_LIST(ACTION_NAME)
#undef ACTION_NAME
};

/* One "action = keys" line of [keys]. */
static bool parse_binding(struct file_values *file, char *line, int number, char *message, size_t size)
{
	char *equals = strchr(line, '=');
	if (!equals) {
		snprintf(message, size, "%s:%d: expected \"action = keys\" in [keys], e.g. \"offline = F\"",
			 file->path, number);
		return false;
	}
	*equals = '\0';
	char *action = util_trim(line, UTIL_BLANKS);
	char *keys = util_trim(equals + 1, UTIL_BLANKS);
	bool known = false;
	for (size_t i = 0; i < ARRAY_SIZE(action_names); i++)
		known = known || strcmp(action, action_names[i]) == 0;
	if (!known) {
		snprintf(message, size, "%s:%d: unknown action \"%.40s\" (? in simtop lists them, as does "
			 "the man page under KEYS)", file->path, number, action);
		return false;
	}
	if (!*keys) {
		snprintf(message, size, "%s:%d: %s has no keys", file->path, number, action);
		return false;
	}
	for (size_t i = 0; i < file->binding_count; i++) {
		if (strcmp(file->bindings[i].action, action) == 0) {
			snprintf(message, size, "%s:%d: %s is bound already, at %s", file->path, number, action,
				 file->bindings[i].where);
			return false;
		}
	}
	file->bindings = xrealloc(file->bindings, (file->binding_count + 1) * sizeof(*file->bindings));
	file->bindings[file->binding_count++] = (struct key_binding){
		.action = xstrdup(action), .keys = xstrdup(keys),
		.where = cleaned(xasprintf("%s:%d", file->path, number)),
	};
	return true;
}

/* "[default]", "[profile NAME]" or "[keys]": which section the next lines fill. */
static bool parse_section(struct file_values *file, const char *profile, char *line, int number,
			  struct current_section *current, char *message, size_t size)
{
	size_t length = strlen(line);
	char *name;

	if (line[length - 1] != ']') {
		snprintf(message, size, "%s:%d: a section line must end in \"]\"", file->path, number);
		return false;
	}
	line[length - 1] = '\0';
	name = util_trim(line + 1, UTIL_BLANKS);
	current->keys = false;
	if (strcmp(name, "default") == 0) {
		current->values = &file->defaults;
		return true;
	}
	if (strcmp(name, "keys") == 0) {
		current->keys = true;
		return true;
	}
	if (strncmp(name, "profile", 7) == 0 && util_is_blank((unsigned char)name[7])) {
		name = util_trim(name + 8, UTIL_BLANKS);
		if (!*name || strpbrk(name, " \t[]")) {
			snprintf(message, size, "%s:%d: a profile name is one word: [profile NAME]",
				 file->path, number);
			return false;
		}
		if (strcmp(name, profile) == 0) {
			file->found_profile = true;
			current->values = &file->profile;
		} else {
			current->values = NULL;
		}
		return true;
	}
	snprintf(message, size, "%s:%d: unknown section; use [default], [profile NAME] or [keys]",
		 file->path, number);
	return false;
}

/* Parse the config file. A missing file leaves file->path NULL and is no error. */
static bool load_file(struct file_values *file, const char *path, const char *profile,
		      char *message, size_t size)
{
	struct current_section current = { .values = &file->defaults };
	struct stat info;
	char *content = NULL;
	char *line, *next;
	bool missing;
	int number = 0;

	if (!read_file(path, "the config file", FILES_TRUSTED, &content, &info, &missing, message, size))
		return missing;
	file->path = xstrdup(path);
	for (line = content; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		number++;
		line = util_trim(line, UTIL_BLANKS);
		if (!*line || *line == '#')
			continue;
		if (*line == '[') {
			if (!parse_section(file, profile, line, number, &current, message, size))
				goto fail;
		} else if (current.keys ? !parse_binding(file, line, number, message, size)
					: !parse_assignment(file, current.values, line, number, message, size)) {
			goto fail;
		}
	}
	if (file->has_token && !files_check_private(path, &info, "the config file", "holds a token", message, size))
		goto fail;
	wipe_free(content);
	return true;
fail:
	wipe_free(content);
	return false;
}

/* The value of key in the chosen profile, else in [default]; NULL when neither sets it. */
static const struct section_values *lookup(const struct file_values *file, enum config_key key)
{
	if (file->profile.set[key])
		return &file->profile;
	if (file->defaults.set[key])
		return &file->defaults;
	return NULL;
}

static bool lookup_flag(const struct file_values *file, enum config_key key, bool fallback)
{
	const struct section_values *section = lookup(file, key);
	return section ? section->flag[key] : fallback;
}

/* A NUMBER key, already checked when the file was read. */
static double lookup_number(const struct file_values *file, enum config_key key, double fallback)
{
	const struct section_values *section = lookup(file, key);
	return section ? strtod(section->text[key], NULL) : fallback;
}

/* --- putting it together ------------------------------------------------------------------ */

static bool choose_token(struct config *config, const struct config_options *options,
			 const struct file_values *file, char *message, size_t size)
{
	const char *environment = getenv("EMNIFY_APPLICATION_TOKEN");
	const struct section_values *section;

	if (options->token_file) {
		if (!config_read_secret(options->token_file, &config->token, message, size))
			return false;
		config->token_source = cleaned(xasprintf("--token-file %s", options->token_file));
		return true;
	}
	if (environment && *environment) {
		config->token = xstrdup(environment);
		config->token_source = xstrdup("EMNIFY_APPLICATION_TOKEN");
		return true;
	}
	if ((section = lookup(file, KEY_TOKEN_FILE))) {
		char *directory = directory_of(file->path);
		char *path = resolve_path(section->text[KEY_TOKEN_FILE], directory);
		bool ok = config_read_secret(path, &config->token, message, size);
		if (ok)
			config->token_source = cleaned(xasprintf("token_file %s in %s", path, file->path));
		else {
			/* Name the config file too: that is where the path came from. */
			size_t used = strlen(message);
			snprintf(message + used, size - used, " (token_file in %s)", file->path);
		}
		free(path);
		free(directory);
		return ok;
	}
	if ((section = lookup(file, KEY_TOKEN))) {
		config->token = xstrdup(section->text[KEY_TOKEN]);
		config->token_source = cleaned(xasprintf("token in %s", file->path));
	}
	return true;
}

static bool choose_url(struct config *config, const struct config_options *options,
		       const struct file_values *file, char *message, size_t size)
{
	const char *environment = getenv("EMNIFY_BASE_PATH");
	const struct section_values *section = lookup(file, KEY_API_URL);
	const char *url = EMNIFY_DEFAULT_BASE;
	char *source = NULL;
	size_t length;

	if (options->api_url) {
		url = options->api_url;
		source = xstrdup("--api-url");
	} else if (environment && *environment) {
		url = environment;
		source = xstrdup("EMNIFY_BASE_PATH");
	} else if (section) {
		url = section->text[KEY_API_URL];
		source = xasprintf("api_url in %s", file->path);
	}
	if (!config_check_url(url, message, size)) {
		/* Say where the URL came from first: that is what the user has to change. */
		if (source) {
			char *reason = xstrdup(message);
			snprintf(message, size, "%s: %s", source, reason);
			free(reason);
		}
		free(source);
		return false;
	}
	free(source);
	length = strlen(url);
	while (length > 0 && url[length - 1] == '/')
		length--;
	config->base_url = xstrndup(url, length);
	return true;
}

bool config_load(struct config *config, const struct config_options *options, char *message, size_t size)
{
	struct file_values file = { 0 };
	const char *profile = options->profile ? options->profile : "default";
	char *path = options->config_file ? xstrdup(options->config_file) : default_config_path();
	const char *no_color = getenv("NO_COLOR");

	memset(config, 0, sizeof(*config));
	if (path && !load_file(&file, path, profile, message, size))
		goto fail;
	if (strcmp(profile, "default") != 0 && !file.found_profile) {
		if (file.path)
			snprintf(message, size, "there is no [profile %s] in %s", profile, file.path);
		else
			snprintf(message, size, "--profile %s needs a config file (%s) with a "
				 "[profile %s] section", profile, path ? path : "~/.config/simtop/config",
				 profile);
		goto fail;
	}
	if (!choose_url(config, options, &file, message, size))
		goto fail;
	if (!choose_token(config, options, &file, message, size))
		goto fail;
	config->profile = xstrdup(profile);
	config->read_only = lookup_flag(&file, KEY_READ_ONLY, false);
	config->rate_limits = lookup_flag(&file, KEY_RATE_LIMITS, true);
	config->ascii = lookup_flag(&file, KEY_ASCII, false);
	config->monochrome = lookup_flag(&file, KEY_MONOCHROME, false) || (no_color && *no_color);
	config->mouse = lookup_flag(&file, KEY_MOUSE, false);
	config->rate = lookup_number(&file, KEY_RATE, 0);
	config->confirm_threshold = (int)lookup_number(&file, KEY_CONFIRM_THRESHOLD, 100);
	config->ip_window_calls = (size_t)lookup_number(&file, KEY_IP_WINDOW_CALLS, 0);
	config->ip_window_seconds = lookup_number(&file, KEY_IP_WINDOW_SECONDS, 0);
	config->snapshot = lookup_flag(&file, KEY_SNAPSHOT, true);
	config->snapshot_max_hours = lookup_number(&file, KEY_SNAPSHOT_MAX_HOURS, CONFIG_SNAPSHOT_MAX_HOURS);
	const struct section_values *columns = lookup(&file, KEY_COLUMNS);
	if (columns) {
		struct column_choice choice;
		char why[256];
		if (!columns_parse(columns->text[KEY_COLUMNS], &choice, why, sizeof(why))) {
			snprintf(message, size, "columns in %s: %s", file.path, why);
			goto fail;
		}
		config->columns = xstrdup(columns->text[KEY_COLUMNS]);
	}
	config->key_bindings = file.bindings;
	config->key_binding_count = file.binding_count;
	file.bindings = NULL;
	file.binding_count = 0;
	file_values_free(&file);
	free(path);
	return true;
fail:
	/* Paths, keys and values come from outside: nothing of them may steer the terminal. */
	text_clean_in_place(message, size);
	file_values_free(&file);
	free(path);
	config_free(config);
	return false;
}

void config_free(struct config *config)
{
	free(config->base_url);
	wipe_free(config->token);
	free(config->token_source);
	free(config->profile);
	free(config->columns);
	bindings_free(config->key_bindings, config->key_binding_count);
	memset(config, 0, sizeof(*config));
}
