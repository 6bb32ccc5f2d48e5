/* main.c — options, start-up order, and the non-interactive commands. */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "api.h"
#include "apply.h"
#include "config.h"
#include "demo.h"
#include "filter.h"
#include "keys.h"
#include "output.h"
#include "rows.h"
#include "sort.h"
#include "list_live.h"
#include "snapshot.h"
#include "tui.h"
#include "util.h"

#define DEMO_DEFAULT_DEVICES 3000

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILURE_RUN = 1,  /* the API or the environment failed */
	EXIT_USAGE = 2,        /* the command line is wrong */
};

static const char usage_text[] =
	"usage: simtop [--demo[=N]] [--profile NAME] [--read-only] [--token-file FILE] [--api-url URL]\n"
	"              [--mark-from FILE.csv] [--ascii] [--no-color] [--no-snapshot]\n"
	"              [--rate N]\n"
	"       simtop list [--filter QUERY] [--format table|csv|json] [--csv-raw] [--cached]\n"
	"                   [--with connectivity,usage] [--yes]\n"
	"                   [connection options as above]\n"
	"       simtop apply online|offline|sim-activate|sim-suspend|ep-enable|ep-disable\n"
	"                    (--filter QUERY | --from FILE.csv) [--dry-run] [--yes] [--rate N]\n"
	"       simtop --resume JOURNAL [--dry-run] [--yes] [--rate N]\n"
	"       simtop --help | --version\n"
	"\n"
	"The application token comes from EMNIFY_APPLICATION_TOKEN, --token-file FILE or the config\n"
	"file, never from the command line. See simtop(1).\n";

struct options {
	bool list;
	bool apply;              /* simtop apply ACTION */
	enum plan_action action;
	const char *from;        /* apply --from */
	const char *resume;      /* --resume JOURNAL */
	bool dry_run, yes;
	double rate;             /* --rate, 0: emnify's published limit */
	long demo_devices;       /* 0: no demo */
	bool read_only, ascii, no_color;
	enum output_format format;
	bool csv_raw;            /* list --csv-raw: cells as they are, no formula guard */
	const char *filter;      /* list --filter */
	const char *mark_from;   /* --mark-from */
	bool no_snapshot;        /* --no-snapshot */
	bool cached;             /* list --cached */
	struct output_live with; /* list --with connectivity,usage */
	struct config_options config;
};

static void usage_error(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	fprintf(stderr, "simtop: ");
	vfprintf(stderr, format, args);
	va_end(args);
	fprintf(stderr, "\n%s", usage_text);
	exit(EXIT_USAGE);
}

static void parse_options(int argc, char **argv, struct options *options)
{
	enum { OPT_DEMO = 256, OPT_PROFILE, OPT_READ_ONLY, OPT_TOKEN_FILE, OPT_API_URL, OPT_ASCII,
	       OPT_NO_COLOR, OPT_FORMAT, OPT_FILTER, OPT_MARK_FROM, OPT_TOKEN, OPT_HELP, OPT_VERSION,
	       OPT_FROM, OPT_DRY_RUN, OPT_YES, OPT_RATE, OPT_RESUME, OPT_CSV_RAW, OPT_NO_SNAPSHOT, OPT_CACHED, OPT_WITH };
	static const struct option long_options[] = {
		{ "demo", optional_argument, NULL, OPT_DEMO },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "read-only", no_argument, NULL, OPT_READ_ONLY },
		{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
		{ "api-url", required_argument, NULL, OPT_API_URL },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "csv-raw", no_argument, NULL, OPT_CSV_RAW },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "mark-from", required_argument, NULL, OPT_MARK_FROM },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "yes", no_argument, NULL, OPT_YES },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "no-snapshot", no_argument, NULL, OPT_NO_SNAPSHOT },
		{ "cached", no_argument, NULL, OPT_CACHED },
		{ "with", required_argument, NULL, OPT_WITH },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	options->format = OUTPUT_TABLE;
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "list") == 0) {
		options->list = true;
		first = 2;
	} else if (argc > 1 && strcmp(argv[1], "apply") == 0) {
		options->apply = true;
		if (argc < 3 || argv[2][0] == '-')
			usage_error("%s", "apply wants an action: online, offline, sim-activate, sim-suspend, "
				    "ep-enable or ep-disable");
		if (!plan_action_parse(argv[2], &options->action))
			usage_error("unknown action '%s': online, offline, sim-activate, sim-suspend, ep-enable "
				    "or ep-disable", argv[2]);
		first = 3;
	}
	optind = first;
	opterr = 0;
	for (int option; (option = getopt_long(argc, argv, "", long_options, NULL)) != -1;) {
		switch (option) {
		case OPT_DEMO:
			options->demo_devices = DEMO_DEFAULT_DEVICES;
			if (optarg && (!util_parse_int64(optarg, (int64_t *)&options->demo_devices) ||
				       options->demo_devices < 1 || options->demo_devices > 10000000))
				usage_error("--demo wants a number of devices from 1 to 10000000, not '%s'", optarg);
			break;
		case OPT_PROFILE: options->config.profile = optarg; break;
		case OPT_READ_ONLY: options->read_only = true; break;
		case OPT_TOKEN_FILE: options->config.token_file = optarg; break;
		case OPT_API_URL: options->config.api_url = optarg; break;
		case OPT_ASCII: options->ascii = true; break;
		case OPT_NO_COLOR: options->no_color = true; break;
		case OPT_FORMAT:
			if (!options->list)
				usage_error("%s only applies to 'simtop list'", "--format");
			if (!output_parse_format(optarg, &options->format))
				usage_error("--format wants table, csv or json, not '%s'", optarg);
			break;
		case OPT_CSV_RAW:
			if (!options->list)
				usage_error("%s only applies to 'simtop list' (exports from the TUI are always guarded)",
					    "--csv-raw");
			options->csv_raw = true;
			break;
		case OPT_FILTER:
			if (!options->list && !options->apply)
				usage_error("%s only applies to 'simtop list' and 'simtop apply' (in the TUI, press /)",
					    "--filter");
			options->filter = optarg;
			break;
		case OPT_MARK_FROM:
			if (options->list || options->apply)
				usage_error("%s applies to the interactive program (with 'simtop apply', use --from)",
					    "--mark-from");
			options->mark_from = optarg;
			break;
		case OPT_FROM:
			if (!options->apply)
				usage_error("%s only applies to 'simtop apply' (the interactive program takes --mark-from)",
					    "--from");
			options->from = optarg;
			break;
		case OPT_DRY_RUN:
			options->dry_run = true;
			break;
		case OPT_NO_SNAPSHOT:
			options->no_snapshot = true;
			break;
		case OPT_CACHED:
			if (!options->list)
				usage_error("%s only applies to 'simtop list' (the interactive program shows the saved fleet "
					    "while it loads)", "--cached");
			options->cached = true;
			break;
		case OPT_WITH: {
			char message[160];
			if (!options->list)
				usage_error("%s only applies to 'simtop list' (in the TUI, Enter shows a device's)", "--with");
			if (!list_live_parse_columns(optarg, &options->with, message, sizeof(message)))
				usage_error("%s", message);
			break;
		}
		case OPT_YES:
			options->yes = true;
			break;
		case OPT_RATE: {
			char *end;
			errno = 0;
			options->rate = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(options->rate > 0) || options->rate > 100000)
				usage_error("--rate wants requests per second, a number above 0 (emnify allows 2,000 "
					    "per 5 minutes), not '%s'", optarg);
			break;
		}
		case OPT_RESUME:
			if (options->list || options->apply)
				usage_error("%s is a command of its own: simtop --resume JOURNAL", "--resume");
			options->resume = optarg;
			break;
		case OPT_TOKEN:
			usage_error("%s", "a token is never taken on the command line (it would show in 'ps'):"
				    " set EMNIFY_APPLICATION_TOKEN or use --token-file FILE");
			break;
		case OPT_HELP: fputs(usage_text, stdout); exit(EXIT_OK);
		case OPT_VERSION: printf("simtop %s\n", PACKAGE_VERSION); exit(EXIT_OK);
		default:
			usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (options->apply && !options->filter == !options->from)
		usage_error("%s", "apply wants the devices: --filter QUERY or --from FILE.csv (one of them)");
	if (options->dry_run && !options->apply && !options->resume)
		usage_error("%s", "--dry-run only applies to 'simtop apply' and 'simtop --resume'");
	if (options->yes && !options->apply && !options->resume && !options->list)
		usage_error("%s", "--yes only applies to 'simtop apply', 'simtop --resume' and 'simtop list'");
	if (options->csv_raw && options->format != OUTPUT_CSV)
		usage_error("%s", "--csv-raw goes with --format csv");
	if (options->csv_raw)
		options->format = OUTPUT_CSV_RAW;
	if (options->cached && (options->with.connectivity || options->with.usage))
		usage_error("%s", "--with reads the network's view from the API, and --cached reads nothing from it");
	if (options->cached && options->no_snapshot)
		usage_error("%s", "--cached lists the saved fleet, which --no-snapshot turns off");
	if (options->resume && options->demo_devices > 0)
		usage_error("%s", "--resume finishes a job against the API it ran on, not against --demo");
}

/* The process holds the application token and the session JWT: no core file may carry them,
 * and no other process of the same user may read them through /proc/PID/mem or ptrace (a
 * non-dumpable process's /proc files belong to root). Both are inherited by nothing we exec
 * that matters: the dumpable flag resets at exec, the core limit is harmless to keep. */
static void keep_secrets_in_process(void)
{
	struct rlimit no_core = { 0, 0 };
	if (setrlimit(RLIMIT_CORE, &no_core) != 0)
		die(EXIT_FAILURE_RUN, "cannot turn off core dumps (setrlimit: %s)", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		die(EXIT_FAILURE_RUN, "cannot make the process non-dumpable (prctl: %s)", strerror(errno));
}

/* The TUI needs a terminal on both sides; without one, curses would read end-of-file forever.
 * Says which side is missing and what to run instead; false when there is no terminal. */
static bool check_terminal(void)
{
	const char *missing = !isatty(STDIN_FILENO) ? "standard input" : !isatty(STDOUT_FILENO) ? "standard output" : NULL;
	if (!missing)
		return true;
	fprintf(stderr,
		"simtop: the interactive program needs a terminal, and %s is not one.\n"
		"Without a terminal, use 'simtop list' to print the fleet (e.g. simtop list --format csv > fleet.csv)\n"
		"and 'simtop apply' to change devices; see simtop(1).\n", missing);
	return false;
}

/* Widths and cleaning need a UTF-8 locale; without one, draw ASCII glyphs. Numbers stay in
 * the C locale's form whatever the user's: a decimal point in `data:<0.5`, in CSV and JSON, and
 * on the screen beside the thousands' commas. */
static bool setup_locale(void)
{
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
		return true;
	setlocale(LC_CTYPE, "C.UTF-8");
	return false;
}

/* Load the whole fleet without a terminal; progress on stderr when it is one. */
/* Where the fleet is kept between starts, and how old it may be. */
struct snapshot_use {
	char *path;          /* NULL: no snapshot */
	int64_t max_age;     /* seconds; 0: no limit */
	const char *api_url, *profile;
};

/* The saved fleet, for list --cached; NULL with a message when there is none to use. */
static struct fleet *read_saved_fleet(const struct snapshot_use *snapshot, char *message, size_t size)
{
	struct snapshot_origin expected = { .api_url = snapshot->api_url, .profile = snapshot->profile };
	struct snapshot_info info;
	struct fleet *fleet = NULL;
	char why[512], age[48];
	int64_t now = (int64_t)time(NULL);
	switch (snapshot_read(snapshot->path, &expected, snapshot->max_age, now, &fleet, &info, why, sizeof(why))) {
	case SNAPSHOT_READ:
		util_format_duration((double)(now - info.saved_at), age, sizeof(age));
		fprintf(stderr, "simtop: the fleet as saved %s ago%s%s%s, not read from the API\n", age,
			info.workspace_name[0] ? " (" : "", info.workspace_name, info.workspace_name[0] ? ")" : "");
		return fleet;
	case SNAPSHOT_NONE:
		snprintf(message, size, "no saved fleet for %s (profile %s): list once without --cached, or start simtop",
			 snapshot->api_url, snapshot->profile ? snapshot->profile : "default");
		return NULL;
	case SNAPSHOT_IGNORED:
		snprintf(message, size, "the saved fleet cannot be used: %s", why);
		return NULL;
	}
	return NULL;
}

/* Keep a fleet loaded just now for the next start; a failure is said, and changes nothing else. */
static void save_fleet(struct api *api, const struct snapshot_use *snapshot, const struct fleet *fleet)
{
	char name[96] = "", message[512];
	struct snapshot_origin origin = {
		.api_url = snapshot->api_url, .profile = snapshot->profile, .workspace_name = name,
		.workspace_id = api_workspace(api, name, sizeof(name)),
	};
	if (!snapshot_write(snapshot->path, fleet, &origin, (int64_t)time(NULL), message, sizeof(message)))
		fprintf(stderr, "simtop: the fleet is not kept for the next start: %s\n", message);
}

static int run_list(struct api *api, enum output_format format, const struct filter *filter,
		    const struct snapshot_use *snapshot, bool cached, struct output_live *with, bool yes)
{
	char message[1024];
	struct fleet *fleet = cached ? read_saved_fleet(snapshot, message, sizeof(message))
				     : apply_load_fleet(api, isatty(STDERR_FILENO), message, sizeof(message));
	if (!fleet) {
		fprintf(stderr, "simtop: %s\n", message);
		return EXIT_FAILURE_RUN;
	}
	if (!cached && snapshot->path)
		save_fleet(api, snapshot, fleet);
	struct rows rows = { 0 }, candidates = { 0 };
	sort_build_rows(&rows, fleet);
	struct live *live = live_new();
	bool progress = isatty(STDERR_FILENO);
	/* conn: and data: need the live state of the devices the rest of the query lets through:
	 * those are read, then the query decides. */
	unsigned needed = filter_live_kinds(filter);
	size_t unmatched = 0, unread = 0;
	filter_rows(filter, fleet, live, &rows, &candidates);
	unsigned wanted = (with->connectivity ? LIVE_CONNECTIVITY : 0) | (with->usage ? LIVE_USAGE : 0);
	/* Checked once for both reads, the first's candidates being the most the second can read. */
	const struct rows *to_read = needed ? &candidates : &rows;
	bool refused = !list_live_check(api, fleet, to_read->index, to_read->count, needed | wanted, yes, progress);
	if (needed && !refused) {
		unmatched = list_live_fetch(api, fleet, candidates.index, candidates.count, needed, live, progress);
		filter_rows(filter, fleet, live, &candidates, NULL);
		struct rows matched = candidates;
		candidates = rows;
		rows = matched;
	}
	if (!refused)
		unread = list_live_fetch(api, fleet, rows.index, rows.count, wanted & ~needed, live, progress);
	with->states = live;
	bool written = !refused && output_write_live(stdout, fleet, rows.index, rows.count, format, with) && fflush(stdout) == 0;
	rows_free(&rows);
	rows_free(&candidates);
	live_free(live);
	fleet_free(fleet);
	if (refused)
		return EXIT_USAGE;
	if (!written) {
		perror("simtop: cannot write the list");
		return EXIT_FAILURE_RUN;
	}
	if (unmatched > 0)
		fprintf(stderr, "simtop: the network's view of %zu device%s could not be read: the filter left %s out\n",
			unmatched, unmatched == 1 ? "" : "s", unmatched == 1 ? "it" : "them");
	if (unread > 0)
		fprintf(stderr, "simtop: the network's view of %zu device%s could not be read: their cells are empty\n",
			unread, unread == 1 ? "" : "s");
	return unmatched > 0 || unread > 0 ? EXIT_FAILURE_RUN : EXIT_OK;
}

static const char no_token_text[] =
	"No emnify application token was found.\n"
	"\n"
	"Create one in the emnify portal (Integrations > Application tokens), then either:\n"
	"  export EMNIFY_APPLICATION_TOKEN=...      (in your shell)\n"
	"  simtop --token-file FILE                  (a file only you can read: chmod 600 FILE)\n"
	"  token_file = FILE                         (in ~/.config/simtop/config)\n"
	"\n"
	"To try simtop without an account: simtop --demo";

int main(int argc, char **argv)
{
	keep_secrets_in_process();
	struct options options = { 0 };
	parse_options(argc, argv, &options);
	bool command = options.list || options.apply || options.resume;
	const char *script = getenv("SIMTOP_SCRIPT");
	if (script && !*script)
		script = NULL;
	if (!command && !script && !check_terminal())
		return EXIT_USAGE;
	bool utf8 = setup_locale();

	/* A bad query is refused before anything is loaded, with where it went wrong. */
	struct filter *filter = NULL;
	if (options.filter) {
		char filter_message[256];
		int column = 0;
		filter = filter_parse(options.filter, filter_message, sizeof(filter_message), &column);
		if (!filter) {
			fprintf(stderr, "simtop: bad filter at column %d: %s\n  %s\n  %*s^\n", column, filter_message,
				options.filter, column > 0 ? column - 1 : 0, "");
			return EXIT_USAGE;
		}
		if (options.apply && filter_live_kinds(filter)) {
			fprintf(stderr, "simtop: apply does not read the network's view that conn: and data: need; "
				"choose with simtop list --filter '%s' --format csv > chosen.csv, then apply --from "
				"chosen.csv\n", options.filter);
			filter_free(filter);
			return EXIT_USAGE;
		}
	}

	/* A refused configuration ends `simtop list` at once; the TUI shows it full screen. */
	struct config config = { 0 };
	char message[1024], config_message[1024] = "";
	bool configured = config_load(&config, &options.config, config_message, sizeof(config_message));
	keys_init();
	for (size_t i = 0; configured && i < config.key_binding_count; i++) {
		const struct key_binding *binding = &config.key_bindings[i];
		char key_message[512];
		if (!keys_bind(binding->action, binding->keys, key_message, sizeof(key_message))) {
			snprintf(config_message, sizeof(config_message), "%s: %s", binding->where, key_message);
			configured = false;
		}
	}
	if (!configured && command)
		die(EXIT_USAGE, "%s", config_message);

	char *demo_url = NULL;
	if (options.demo_devices > 0 && configured) {
		if (!demo_start(options.demo_devices, &demo_url, message, sizeof(message)))
			die(EXIT_FAILURE_RUN, "%s", message);
		atexit(demo_stop);
		free(config.base_url);
		config.base_url = xstrdup(demo_url);
		free(config.token);
		config.token = xstrdup(DEMO_TOKEN);
	}

	const char *startup_error = NULL;
	char url_message[512];
	if (!configured)
		startup_error = config_message;
	else if (!config_check_url(config.base_url, url_message, sizeof(url_message)))
		startup_error = url_message;
	else if (!config.token)
		startup_error = no_token_text;

	/* --rate wins over the config file's rate; 0 is emnify's published limit. */
	double rate = options.rate > 0 ? options.rate : config.rate;
	struct api *api = NULL;
	if (!startup_error) {
		struct api_options api_options = {
			.base_url = config.base_url,
			.token = config.token,
			.token_source = config.token_source,
			.rate_limits = config.rate_limits,
			.rate = rate,
			.window_calls = config.ip_window_calls,
			.window_seconds = config.ip_window_seconds,
			/* A job keeps a few SIM changes and read-backs in flight at once. */
			.parallel = options.apply || options.resume ? 8 : 0,
		};
		api = api_new(&api_options);
	}

	/* The demo's fleet is made up afresh at every start, on another port: nothing to keep. */
	struct snapshot_use snapshot = {
		.max_age = (int64_t)(config.snapshot_max_hours * 3600),
		.api_url = config.base_url, .profile = config.profile,
	};
	if (configured && config.snapshot && !options.no_snapshot && !demo_url)
		snapshot.path = snapshot_path(config.base_url, config.profile);
	if (options.cached && !snapshot.path)
		die(EXIT_USAGE, "%s", "--cached lists the saved fleet, and the config file says snapshot = false");

	int status;
	if (command && startup_error) {
		fprintf(stderr, "simtop: %s\n", startup_error);
		status = EXIT_FAILURE_RUN;
	} else if (options.list) {
		status = run_list(api, options.format, filter, &snapshot, options.cached, &options.with, options.yes);
	} else if (options.apply || options.resume) {
		struct apply_options apply_options = {
			.action = options.action,
			.filter = filter,
			.from_csv = options.from,
			.dry_run = options.dry_run,
			.yes = options.yes,
			.read_only = options.read_only || config.read_only,
			.rate = rate,
			.confirm_threshold = config.confirm_threshold,
			.api_url = config.base_url,
			.profile = config.profile,
		};
		status = options.apply ? apply_run(api, &apply_options)
				       : apply_resume(api, options.resume, &apply_options);
	} else {
		struct tui_options tui_options = {
			.api = api,
			.workspace = demo_url ? "demo" : (config.profile ? config.profile : "default"),
			.columns = config.columns,
			.script_path = script,
			.startup_error = startup_error,
			.mark_from = options.mark_from,
			.ascii = options.ascii || config.ascii || !utf8,
			.monochrome = options.no_color || config.monochrome,
			.mouse = config.mouse,
			.read_only = options.read_only || config.read_only,
			.confirm_threshold = config.confirm_threshold,
			.api_url = config.base_url,
			.profile = config.profile,
			.snapshot_path = snapshot.path,
			.snapshot_max_age = snapshot.max_age,
		};
		status = tui_run(&tui_options);
	}
	if (api)
		api_free(api);
	free(demo_url);
	free(snapshot.path);
	filter_free(filter);
	config_free(&config);
	return status;
}
