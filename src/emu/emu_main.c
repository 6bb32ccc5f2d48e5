/* emu_main.c — simtop-emu: options, start-up and shutdown.
 *
 * Start-up order: parse options, read the token file, build the fleet, replay the state file,
 * block the stop signals (so every server thread inherits the mask and only this thread sees
 * them), start the server, print the port alone on the first line of stdout, then wait for
 * SIGINT or SIGTERM and shut down cleanly. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_api.h"
#include "emu_auth.h"
#include "emu_fleet.h"
#include "emu_limits.h"
#include "emu_odd.h"
#include "emu_server.h"
#include "emu_stall.h"

/* configure passes PACKAGE_VERSION on the command line; a direct build gets the fallback. */
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

#define EXIT_USAGE 2
#define DEFAULT_TOKEN "emu-demo-token"

struct options {
	int port;
	int64_t devices;
	uint64_t seed;
	double misaligned_pct;
	double unpaired_pct;
	bool hostile;
	int latency_ms;
	double faults_pct;
	bool limits;
	bool lower_case_headers;
	bool corrupt_lists;
	struct emu_odd odd;
	const char *state_file;
	const char *token_file;
	int64_t token_lifetime;
	enum emu_stall stall;
	bool stall_after;
	int window_requests;
	int window_seconds;
	enum emu_window_block window_block;
	bool bulk_partial;
	bool ignore_q;
	int64_t epoch;           /* --epoch: "now" of the network state; 0: the start */
	bool refuse_q;
	uint32_t forbidden;
	int64_t org_id;
	const char *org_name;
};

static void usage(FILE *out)
{
	fputs("Usage: simtop-emu [OPTION]...\n"
	      "Serve a synthetic emnify fleet on 127.0.0.1 for simtop's demo, tests and benchmarks.\n"
	      "Prints the port on the first line of standard output, then serves until SIGINT or SIGTERM.\n"
	      "\n"
	      "  --port N                listen on port N (default 0: any free port)\n"
	      "  --devices N             devices in the fleet (default 2000, at most 10000000)\n"
	      "  --seed N                fleet seed: same seed, same fleet (default 1)\n"
	      "  --misaligned PCT        share of devices whose SIM and endpoint disagree (default 2)\n"
	      "  --unpaired PCT          share of SIMs without endpoint and endpoints without SIM (default 3)\n"
	      "  --hostile               give about one device in seven a hostile name and tags\n"
	      "  --latency MS            delay every API response by MS milliseconds\n"
	      "  --faults PCT            fail PCT% of API requests (5xx with HTML, or dropped connection)\n"
	      "  --no-limits             do not enforce emnify's rate limits (buckets and per-IP window)\n"
	      "  --ip-window N/SECS      the per-IP window: at most N API requests in any SECS seconds,\n"
	      "                          refused ones counted too (default 2000/300)\n"
	      "  --ip-block 429|403      refuse beyond the window with the gateway's 429 (default) or an\n"
	      "                          edge firewall's 403 HTML page\n"
	      "  --bulk-partial          a bulk call with bad items still applies its good ones\n"
	      "                          (default: nothing of it is applied)\n"
	      "  --forbid ROUTE,...      answer 403 (error code 1104) on sim-patch, endpoint-patch\n"
	      "                          and/or multi (repeatable)\n"
	      "  --ignore-q              lists ignore the q filter and serve everything, as a back end\n"
	      "                          without it would (default: q=status:N, q=endpoint:null, ...\n"
	      "                          filter them)\n"
	      "  --refuse-q              lists answer any q filter with 422 (error code 1301)\n"
	      "  --epoch SECONDS         \"now\" of the connectivity, usage and events (default: the start)\n"
	      "  --lower-case-headers    send response header names in lower case\n"
	      "  --corrupt-lists         cut every list page in half (to test a client's checks)\n"
	      "  --odd-data KIND,...     serve list pages that parse but cannot be true: duplicate-sim,\n"
	      "                          duplicate-endpoint, shared-sim, total-pages, repeat-pages,\n"
	      "                          sim-status-missing\n"
	      "  --state-file FILE       replay and record status changes in FILE\n"
	      "  --token-file FILE       accept the application token on FILE's first line\n"
	      "                          (default: " DEFAULT_TOKEN ")\n"
	      "  --token-lifetime SECS   lifetime of issued auth tokens (default 14400)\n"
	      "  --org ID                esc.org claim of issued auth tokens (default 1)\n"
	      "  --org-name NAME         esc.orgName claim of issued auth tokens (default Emulated Org)\n"
	      "  --stall WHAT            take WHAT requests (patch, get, all; default none) and\n"
	      "                          never answer them, until the client gives up\n"
	      "  --stall-after           carry a stalled request out before holding it\n"
	      "                          (a stalled PATCH is applied; default: not applied)\n"
	      "  --help                  show this help and exit\n"
	      "  --version               show the version and exit\n",
	      out);
}

static void usage_error(const char *message, const char *argument)
{
	if (argument)
		fprintf(stderr, "simtop-emu: %s: '%s'\n", message, argument);
	else
		fprintf(stderr, "simtop-emu: %s\n", message);
	usage(stderr);
	exit(EXIT_USAGE);
}

/* A whole decimal number in [min, max]; anything else is a usage error. */
static int64_t parse_integer(const char *option, const char *text, int64_t min, int64_t max)
{
	char *end;
	errno = 0;
	long long value = strtoll(text, &end, 10);
	if (*text == '\0' || *end != '\0' || errno == ERANGE || value < min || value > max) {
		char message[128];
		snprintf(message, sizeof message, "%s needs a whole number from %" PRId64 " to %" PRId64, option,
			 min, max);
		usage_error(message, text);
	}
	return value;
}

static double parse_percent(const char *option, const char *text)
{
	char *end;
	double value = strtod(text, &end);
	if (*text == '\0' || *end != '\0' || !(value >= 0 && value <= 100)) {
		char message[128];
		snprintf(message, sizeof message, "%s needs a percentage from 0 to 100", option);
		usage_error(message, text);
	}
	return value;
}

static uint64_t parse_seed(const char *text)
{
	char *end;
	errno = 0;
	if (*text < '0' || *text > '9')
		usage_error("--seed needs a whole number from 0 to 18446744073709551615", text);
	unsigned long long value = strtoull(text, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		usage_error("--seed needs a whole number from 0 to 18446744073709551615", text);
	return value;
}

enum option_id {
	OPT_PORT = 256, OPT_DEVICES, OPT_SEED, OPT_MISALIGNED, OPT_UNPAIRED, OPT_HOSTILE, OPT_LATENCY,
	OPT_FAULTS, OPT_NO_LIMITS, OPT_LOWER_CASE_HEADERS, OPT_CORRUPT_LISTS, OPT_STATE_FILE, OPT_TOKEN_FILE,
	OPT_TOKEN_LIFETIME, OPT_HELP, OPT_VERSION,
	OPT_STALL, OPT_STALL_AFTER,
	OPT_ODD_DATA,
	OPT_IP_WINDOW, OPT_IP_BLOCK, OPT_BULK_PARTIAL, OPT_FORBID, OPT_ORG, OPT_ORG_NAME,
	OPT_IGNORE_Q, OPT_REFUSE_Q, OPT_EPOCH,
};

/* --ip-window N/SECONDS */
static void parse_ip_window(const char *text, struct options *options)
{
	char requests[32];
	const char *slash = strchr(text, '/');
	size_t length = slash ? (size_t)(slash - text) : 0;
	if (!slash || length >= sizeof requests)
		usage_error("--ip-window needs REQUESTS/SECONDS, e.g. 2000/300", text);
	memcpy(requests, text, length);
	requests[length] = '\0';
	options->window_requests = (int)parse_integer("--ip-window", requests, 1, EMU_LIMITS_WINDOW_REQUESTS_MAX);
	options->window_seconds = (int)parse_integer("--ip-window", slash + 1, 1, EMU_LIMITS_WINDOW_SECONDS_MAX);
}

static void parse_options(int argc, char **argv, struct options *options)
{
	static const struct option table[] = {
		{ "port", required_argument, NULL, OPT_PORT },
		{ "devices", required_argument, NULL, OPT_DEVICES },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "misaligned", required_argument, NULL, OPT_MISALIGNED },
		{ "unpaired", required_argument, NULL, OPT_UNPAIRED },
		{ "hostile", no_argument, NULL, OPT_HOSTILE },
		{ "latency", required_argument, NULL, OPT_LATENCY },
		{ "faults", required_argument, NULL, OPT_FAULTS },
		{ "no-limits", no_argument, NULL, OPT_NO_LIMITS },
		{ "lower-case-headers", no_argument, NULL, OPT_LOWER_CASE_HEADERS },
		{ "corrupt-lists", no_argument, NULL, OPT_CORRUPT_LISTS },
		{ "odd-data", required_argument, NULL, OPT_ODD_DATA },
		{ "state-file", required_argument, NULL, OPT_STATE_FILE },
		{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
		{ "token-lifetime", required_argument, NULL, OPT_TOKEN_LIFETIME },
		{ "stall", required_argument, NULL, OPT_STALL },
		{ "stall-after", no_argument, NULL, OPT_STALL_AFTER },
		{ "ip-window", required_argument, NULL, OPT_IP_WINDOW },
		{ "ip-block", required_argument, NULL, OPT_IP_BLOCK },
		{ "bulk-partial", no_argument, NULL, OPT_BULK_PARTIAL },
		{ "forbid", required_argument, NULL, OPT_FORBID },
		{ "ignore-q", no_argument, NULL, OPT_IGNORE_Q },
		{ "refuse-q", no_argument, NULL, OPT_REFUSE_Q },
		{ "epoch", required_argument, NULL, OPT_EPOCH },
		{ "org", required_argument, NULL, OPT_ORG },
		{ "org-name", required_argument, NULL, OPT_ORG_NAME },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};

	*options = (struct options){
		.devices = 2000,
		.seed = 1,
		.misaligned_pct = 2,
		.unpaired_pct = 3,
		.limits = true,
		.token_lifetime = 14400,
		.window_requests = EMU_LIMITS_WINDOW_REQUESTS,
		.window_seconds = EMU_LIMITS_WINDOW_SECONDS,
		.window_block = EMU_WINDOW_BLOCK_429,
		.org_id = 1,
		.org_name = "Emulated Org",
	};

	opterr = 0; /* report problems ourselves, followed by the usage */
	int c;
	while ((c = getopt_long(argc, argv, ":", table, NULL)) != -1) {
		switch (c) {
		case OPT_PORT:
			options->port = (int)parse_integer("--port", optarg, 0, 65535);
			break;
		case OPT_DEVICES:
			options->devices = parse_integer("--devices", optarg, 0, EMU_FLEET_MAX_DEVICES);
			break;
		case OPT_SEED:
			options->seed = parse_seed(optarg);
			break;
		case OPT_MISALIGNED:
			options->misaligned_pct = parse_percent("--misaligned", optarg);
			break;
		case OPT_UNPAIRED:
			options->unpaired_pct = parse_percent("--unpaired", optarg);
			break;
		case OPT_HOSTILE:
			options->hostile = true;
			break;
		case OPT_LATENCY:
			options->latency_ms = (int)parse_integer("--latency", optarg, 0, 60000);
			break;
		case OPT_FAULTS:
			options->faults_pct = parse_percent("--faults", optarg);
			break;
		case OPT_NO_LIMITS:
			options->limits = false;
			break;
		case OPT_LOWER_CASE_HEADERS:
			options->lower_case_headers = true;
			break;
		case OPT_CORRUPT_LISTS:
			options->corrupt_lists = true;
			break;
		case OPT_ODD_DATA: {
			char bad[64];
			if (!emu_odd_parse(&options->odd, optarg, bad, sizeof bad))
				usage_error("--odd-data: not a kind of odd data", bad);
			break;
		}
		case OPT_STATE_FILE:
			options->state_file = optarg;
			break;
		case OPT_TOKEN_FILE:
			options->token_file = optarg;
			break;
		case OPT_TOKEN_LIFETIME:
			options->token_lifetime = parse_integer("--token-lifetime", optarg, 1, 315360000);
			break;
		case OPT_STALL:
			if (!emu_stall_parse(optarg, &options->stall))
				usage_error("--stall needs none, patch, get or all", optarg);
			break;
		case OPT_STALL_AFTER:
			options->stall_after = true;
			break;
		case OPT_IP_WINDOW:
			parse_ip_window(optarg, options);
			break;
		case OPT_IP_BLOCK:
			if (strcmp(optarg, "429") != 0 && strcmp(optarg, "403") != 0)
				usage_error("--ip-block needs 429 or 403", optarg);
			options->window_block = optarg[1] == '2' ? EMU_WINDOW_BLOCK_429 : EMU_WINDOW_BLOCK_403;
			break;
		case OPT_BULK_PARTIAL:
			options->bulk_partial = true;
			break;
		case OPT_IGNORE_Q:
			options->ignore_q = true;
			break;
		case OPT_EPOCH:
			options->epoch = parse_integer("--epoch", optarg, 1, 4102444800);
			break;
		case OPT_REFUSE_Q:
			options->refuse_q = true;
			break;
		case OPT_FORBID: {
			char bad[64];
			if (!emu_api_parse_forbidden(optarg, &options->forbidden, bad, sizeof bad))
				usage_error("--forbid needs sim-patch, endpoint-patch or multi", bad);
			break;
		}
		case OPT_ORG:
			options->org_id = parse_integer("--org", optarg, 1, INT64_MAX);
			break;
		case OPT_ORG_NAME:
			if (strlen(optarg) > EMU_AUTH_ORG_NAME_MAX)
				usage_error("--org-name is too long", optarg);
			options->org_name = optarg;
			break;
		case OPT_HELP:
			usage(stdout);
			exit(EXIT_SUCCESS);
		case OPT_VERSION:
			printf("simtop-emu %s\n", PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		case ':':
			usage_error("option needs an argument", argv[optind - 1]);
			break;
		default:
			usage_error("unknown option", argv[optind - 1]);
			break;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument", argv[optind]);
	/* At run time both switches may be on (refusing wins); on the command line asking for both
	 * is a mistake worth pointing out. */
	if (options->ignore_q && options->refuse_q)
		usage_error("--ignore-q and --refuse-q exclude each other", NULL);
	if (options->misaligned_pct + options->unpaired_pct > 100)
		usage_error("--misaligned and --unpaired together cannot exceed 100", NULL);
}

/* The application token: the first line of the file, without its line ending. */
static char *read_token_file(const char *path)
{
	FILE *file = fopen(path, "r");
	if (!file) {
		fprintf(stderr, "simtop-emu: cannot read %s: %s\n", path, strerror(errno));
		return NULL;
	}
	char *line = NULL;
	size_t size = 0;
	ssize_t length = getline(&line, &size, file);
	fclose(file);
	while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r' ||
			      line[length - 1] == ' ' || line[length - 1] == '\t'))
		line[--length] = '\0';
	if (length <= 0) {
		fprintf(stderr, "simtop-emu: %s: the first line holds no token\n", path);
		free(line);
		return NULL;
	}
	return line;
}

int main(int argc, char **argv)
{
	struct options options;
	parse_options(argc, argv, &options);

	char *token = options.token_file ? read_token_file(options.token_file) : strdup(DEFAULT_TOKEN);
	if (!token)
		return EXIT_FAILURE;

	struct emu_synth_params params = {
		.seed = options.seed,
		.misaligned_pct = options.misaligned_pct,
		.unpaired_pct = options.unpaired_pct,
		.hostile = options.hostile,
	};
	struct emu_fleet *fleet = emu_fleet_new(&params, options.devices);
	emu_odd_prepare(&options.odd, fleet);
	char error[512];
	if (options.state_file && !emu_fleet_open_state(fleet, options.state_file, error, sizeof error)) {
		fprintf(stderr, "simtop-emu: %s\n", error);
		emu_fleet_free(fleet);
		free(token);
		return EXIT_FAILURE;
	}
	struct emu_auth_org org = { options.org_id, options.org_name };
	struct emu_auth *auth = emu_auth_new(token, options.token_lifetime, options.seed, &org);
	free(token);
	struct emu_limits *limits =
		emu_limits_new(options.limits, options.window_requests, options.window_seconds, options.window_block);

	/* Block the stop signals before any thread exists; sigwait() below is then the only
	 * place they are seen, with no handler and no race. A vanished client must not kill us. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct emu_server_options server_options = {
		.fleet = fleet,
		.auth = auth,
		.limits = limits,
		.seed = options.seed,
		.faults_pct = options.faults_pct,
		.latency_ms = options.latency_ms,
		.lower_case_headers = options.lower_case_headers,
		.corrupt_lists = options.corrupt_lists,
		.stall = (int)options.stall,
		.stall_after = options.stall_after,
		.forbidden = options.forbidden,
		.bulk_partial = options.bulk_partial,
		.ignore_q = options.ignore_q,
		.epoch = options.epoch,
		.refuse_q = options.refuse_q,
		.odd = options.odd,
		.port = options.port,
	};
	struct emu_server *server = emu_server_start(&server_options, error, sizeof error);
	if (!server) {
		fprintf(stderr, "simtop-emu: %s\n", error);
		emu_limits_free(limits);
		emu_auth_free(auth);
		emu_fleet_free(fleet);
		return EXIT_FAILURE;
	}

	printf("%d\n", emu_server_port(server));
	fflush(stdout);

	int received;
	while (sigwait(&stop, &received) != 0)
		;

	emu_server_stop(server);
	emu_limits_free(limits);
	emu_auth_free(auth);
	emu_fleet_free(fleet);
	return EXIT_SUCCESS;
}
