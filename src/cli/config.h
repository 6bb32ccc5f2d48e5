/* config.h — where simtop finds its API URL and token, and what it refuses.
 *
 * Sources, first one wins: command line (--api-url, --token-file), environment
 * (EMNIFY_BASE_PATH, EMNIFY_APPLICATION_TOKEN), the config file
 * ($XDG_CONFIG_HOME/simtop/config, else ~/.config/simtop/config), the default base URL.
 * A token is never taken from the command line. The config file and every token file are
 * read through files_open (files.h): refused unless regular, owned by the user or root, not
 * writable by group or others, in a directory no one else can write to (or sticky); a token
 * file or a config file holding a token that is readable by group or others is refused too.
 * A base URL must be https unless its host is loopback (127.0.0.0/8, ::1, localhost).
 *
 * The config file, INI-like:
 *
 *     # a comment (whole lines only)
 *     [default]
 *     api_url = https://cdn.emnify.net
 *     token_file = ~/.config/simtop/token
 *     rate_limits = true
 *
 *     [profile acme-prod]
 *     token_file = acme-prod.token
 *     read_only = true
 *
 * Keys: api_url (scheme://host[:port], without /api/v1), token_file (a file whose first line
 * is the token; relative to the config file's directory, ~/ is the home directory), token
 * (the token itself: only in a file not readable by group or others, e.g. chmod 600),
 * read_only, rate_limits, ascii, monochrome (true or false), rate (requests per second for
 * every call, as --rate), confirm_threshold (above this many devices the count is typed),
 * ip_window_calls and ip_window_seconds (emnify's per-IP window, 2000 calls per 300 seconds;
 * simtop keeps 5% below it). [default] applies to every
 * profile; the chosen [profile NAME] overrides it key by key; keys before any section belong
 * to [default]. An unknown key, section or value is an error naming the file and line.
 *
 * A [keys] section, for every profile, binds actions (named as on the help screen) to keys
 * written as in scripts, each in place of the action's default keys:
 *
 *     [keys]
 *     offline = F
 *     move-down = <Down> j n
 *
 * config_load() checks the action names; keys_bind() (keys.h) checks the keys. */
#ifndef SIMTOP_CONFIG_H
#define SIMTOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* A snapshot older than this is not shown, by default: a week. */
#define CONFIG_SNAPSHOT_MAX_HOURS 168

struct config {
	char *base_url;      /* never NULL after config_load() succeeds */
	char *token;         /* NULL when no source gave one */
	char *token_source;  /* where the token came from, for messages ("EMNIFY_APPLICATION_TOKEN") */
	char *profile;       /* section of the config file; "default" */
	bool read_only;
	bool rate_limits;    /* default true */
	bool ascii;          /* ASCII glyphs only */
	bool monochrome;     /* no colour; also set by NO_COLOR */
	bool mouse;          /* mouse = true: clicks and the wheel (default false: the terminal's selection) */
	double rate;         /* rate = N: requests per second; 0: emnify's published limit */
	size_t ip_window_calls;   /* ip_window_calls = N: the per-IP window's calls; 0: 2,000 */
	double ip_window_seconds; /* ip_window_seconds = S: its length; 0: 300 */
	int confirm_threshold; /* confirm_threshold = N: above N devices the count is typed (100) */
	bool snapshot;       /* snapshot = false: no fleet kept between starts (default true) */
	double snapshot_max_hours; /* snapshot_max_hours = H: an older one is not shown; 0: no limit */
	char *columns;       /* columns = name,iccid,…: the fleet table's (columns.h), checked; NULL */
	struct key_binding *key_bindings;  /* the [keys] section, in file order */
	size_t key_binding_count;
};

struct key_binding {
	char *action;  /* an action name of actions.h */
	char *keys;    /* as written: "<Down> j n" */
	char *where;   /* "PATH:LINE", for messages */
};

struct config_options {
	const char *api_url;     /* --api-url or NULL */
	const char *token_file;  /* --token-file or NULL */
	const char *profile;     /* --profile or NULL */
	const char *config_file; /* override of the config file path (tests) or NULL */
};

/* Fill config; false with message (what is wrong and what to do, cleaned of control
 * characters: it quotes the file) on a refused file, an unreadable file or a bad URL. A missing token is not an error here: callers decide.
 * A missing config file is no error either (every key has a default), unless a profile other
 * than "default" is asked for. NO_COLOR (set and not empty) turns on monochrome. The URL
 * loses its trailing slashes. On failure config holds nothing to free. */
bool config_load(struct config *config, const struct config_options *options, char *message, size_t size);
void config_free(struct config *config);

/* true when url is https://, or http:// to a loopback host, and does not end in /api or
 * /api/v1 (simtop appends those; a trailing slash is ignored); message says why not. */
bool config_check_url(const char *url, char *message, size_t size);

/* Read a secret from a file: first line, whitespace trimmed. Refuses what FILES_SECRET
 * refuses (files.h): anything but a regular file, files of other users, files group or others
 * can read or write. The caller frees *secret. */
bool config_read_secret(const char *path, char **secret, char *message, size_t size);

#endif
