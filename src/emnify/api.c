/* api.c — the emnify client described in api.h: authentication, paging, retries, limits.
 *
 * Every request is an api_request in one FIFO list. A request either waits (for the token, a
 * free transfer slot, a rate-limit token or its back-off deadline) or is in flight (it has a
 * transfer). pump() walks the list, starts what may start and returns the nearest deadline;
 * api_wait() sleeps until that deadline, a transfer or the caller's descriptor, then pumps
 * again. The authentication request lives apart, because every other request waits for it. */
#ifdef HAVE_CONFIG_H
#endif

#include "api.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emnify.h"
#include "page_parser.h"
#include "http.h"
#include "ratelimit.h"
#include "text.h"
#include "util.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#define API_DEFAULT_PARALLEL 4
/* Re-authenticate this long before the JWT's exp (less for very short-lived tokens). */
#define API_REAUTH_MARGIN_MS 60000
/* Before the API has ever answered, a transport failure is most likely a wrong URL or nothing
 * listening: give up after a few quick tries instead of a minute of back-off. */
#define API_UNREACHABLE_ATTEMPTS 3
#define API_UNREACHABLE_BACKOFF_MS 250
#define API_RETRY_AFTER_MAX_MS (300 * 1000)
/* X-Total-Pages above this is not a fleet but a broken header (100M endpoints). */
#define API_TOTAL_PAGES_MAX 100000
/* POST /authenticate: 100 per 5 minutes; the bucket also stops a runaway re-auth loop. */
#define API_AUTH_RATE (100.0 / 300.0)
#define API_AUTH_BURST 20.0
/* GET /endpoint/{id}: 50 per second, burst 25; GET /sim/{id}: 100 per second, burst 50. */
#define API_ENDPOINT_GET_RATE 50.0
#define API_ENDPOINT_GET_BURST 25.0
#define API_SIM_GET_RATE 100.0
#define API_SIM_GET_BURST 50.0
/* Our buckets hold this much less than the API's: a request that waited on the way gets there
 * later than it left, and the next one, on time, must still find a token. */
#define API_JITTER_MS 100
#define API_NO_DEADLINE INT64_MAX
/* Pacing after 429s (AIMD): a 429 halves the pace of the overall bucket, at most once per
 * API_PACE_CUT_MS and not below API_PACE_FLOOR; every success then adds API_PACE_STEP of it
 * (at least API_PACE_STEP_MIN requests per second) until the set rate is back. A client set
 * above what the API grants so settles just under the API's own rate instead of hammering. */
#define API_PACE_FLOOR 0.5
#define API_PACE_CUT_MS 1000
#define API_PACE_STEP 0.02
#define API_PACE_STEP_MIN 0.05
/* Pages downloaded and not parsed yet, at most, before the load waits for the parser. */
#define API_PARSE_BACKLOG_MAX 8

enum request_kind {
	REQUEST_AUTH,
	REQUEST_PAGE,
	REQUEST_READ,
	REQUEST_PATCH,
	REQUEST_LIST,   /* one list page for a caller (api_read_page), not for the fleet */
};

enum list_kind {
	LIST_ENDPOINT,
	LIST_SIM,
	LIST_COUNT,
};

static const struct {
	const char *path;
	int per_page;
} list_info[LIST_COUNT] = {
	[LIST_ENDPOINT] = { "/api/v1/endpoint", EMNIFY_ENDPOINT_PAGE_MAX },
	[LIST_SIM] = { "/api/v1/sim", EMNIFY_SIM_PAGE_MAX },
};

/* emnify's limits per route (reference §6): connectivity 50 a second, burst 25; an endpoint's
 * stats 100, burst 50; event lists 10, burst 5. */
static const struct {
	const char *route;
	double rate, burst;
} live_routes[API_LIVE_COUNT] = {
	[API_LIVE_CONNECTIVITY] = { "connectivity", 50.0, 25.0 },
	[API_LIVE_STATS] = { "stats", 100.0, 50.0 },
	[API_LIVE_EVENTS] = { "event", 10.0, 5.0 },
};

struct api_request {
	struct api_request *prev, *next;
	struct api *api;
	enum request_kind kind;
	enum http_method method;
	char *path;                     /* "/api/v1/..." with the query */
	struct http_request *transfer;  /* non-NULL while in flight */
	unsigned auth_generation;       /* token generation it was last sent with */
	int failures;                   /* retryable failures so far (429s apart) */
	int throttled;                  /* 429s so far */
	int unauthorized;               /* 401s received with the token still current */
	int64_t not_before_ms;          /* back-off deadline */

	enum list_kind list;            /* REQUEST_PAGE */
	int64_t page;
	api_read_done *done;            /* REQUEST_READ, REQUEST_PATCH */
	api_page_done *page_done;       /* REQUEST_LIST */
	void *context;
	char *body;                     /* REQUEST_PATCH */
	bool report_throttle;           /* REQUEST_PATCH: a throttled answer goes to done at once */
	bool endpoint_change;           /* changes endpoints: never two in flight */
	struct ratelimit *object_limit; /* REQUEST_READ: its route's bucket, or NULL */
	bool unpaced;                   /* keeps to its route's bucket and the window, and to the pace
					 * only once a 429 lowered it */

	/* The retry it waits for, for the load's retry note: "no answer from", retry_number of
	 * retry_max. */
	char retry_reason[48];
	int retry_number, retry_max;
	bool given_up;                  /* to be failed by give_up() */
};

/* A caller's timer (api_timer). */
struct api_timer {
	struct api_timer *next;
	int64_t due_ms;
	api_timer_done *done;
	void *context;
};

struct load_list {
	bool started;        /* page 1 was queued */
	bool filtered;       /* the SIM list with q=endpoint:null */
	bool known;          /* page 1 has arrived */
	int64_t total_pages; /* pages to fetch, at least 1: X-Total-Pages, but never more than
			      * X-Total-Count needs plus one, and no further than a page that
			      * repeats an earlier one */
	int64_t total_count;
	int64_t next_page;   /* next page to queue, once known */
	int64_t pages_done;
};

struct api {
	struct http *http;
	char *base_url;
	char *token;
	char *token_source;
	bool rate_limits;
	double rate;                    /* overall requests per second; 0: unlimited */
	bool rate_chosen;               /* rate is the operator's (--rate, rate =), not the default */
	double pace;                    /* the overall bucket's rate now: rate, or less after 429s */
	int64_t pace_cut_ms;            /* when a 429 last lowered pace */
	int parallel;
	long timeout_ms;
	int64_t backoff_base_ms;
	char host[256];                 /* of base_url, for messages */
	int64_t give_up_ms;             /* silence after which waiting requests fail */
	int64_t waiting_since_ms;       /* when a transfer started while nothing awaited the API */
	int64_t gave_up_at_ms;          /* when give_up() last ran; 0: not since the last load */
	struct ratelimit list_limit, ip_limit, auth_limit, endpoint_get_limit, sim_get_limit;
	/* GET /endpoint/{id}/connectivity, /stats and /event: each route its own bucket. */
	struct ratelimit live_limits[API_LIVE_COUNT];
	struct ratelimit_window ip_window; /* emnify's 2000 calls per 5 minutes, with rate_limits */
	struct api_timer *timers;
	int64_t workspace_id;           /* of the current JWT; 0 when unknown */
	bool want_token;                /* api_authenticate(): authenticate with nothing queued */
	char auth_error[512];           /* why the last authentication failed; "" when none did */
	char workspace_name[96];
	uint64_t random_state;
	bool ever_answered;             /* the API has sent at least one HTTP response */
	bool sim_filter_refused;        /* the SIM list's q was refused: ask for every SIM */
	struct page_parser *parser;     /* parses the load's pages while others download */
	unsigned load_generation;       /* bumped when a load starts or ends: older pages are dropped */
	size_t sims_without_status;     /* this load's endpoints whose SIM came without status */

	char *jwt;
	char *authorization;            /* "Authorization: Bearer JWT" */
	unsigned auth_generation;       /* bumped at every new JWT */
	int64_t refresh_ms;             /* monotonic time to re-authenticate; 0 without a JWT */
	struct api_request *auth;       /* waiting or in flight */

	struct api_request *head, *tail; /* every other request, oldest first */
	size_t request_count;

	struct fleet *fleet;
	struct load_list lists[LIST_COUNT];
	struct api_load_progress progress;

	struct api_stats stats;
};

/* --- small helpers ------------------------------------------------------------------------ */

static double random01(struct api *api)
{
	/* xorshift64*: jitter needs no more than this. */
	uint64_t x = api->random_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	api->random_state = x;
	return (double)((x * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static int64_t wall_clock_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Replace every occurrence of secret in text with "***", in place. Secrets shorter than 8
 * bytes are not real tokens, and scrubbing them would only garble ordinary words. */
static void scrub(char *text, const char *secret)
{
	size_t secret_length;
	char *found;

	if (!secret || strlen(secret) < 8)
		return;
	secret_length = strlen(secret);
	while ((found = strstr(text, secret))) {
		memcpy(found, "***", 3);
		memmove(found + 3, found + secret_length, strlen(found + secret_length) + 1);
	}
}

/* Every message that leaves this file goes through here, so no secret can slip into one. */
static void format_message(const struct api *api, char *message, size_t size, const char *format, ...)
	__attribute__((format(printf, 4, 5)));
static void format_message(const struct api *api, char *message, size_t size, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vsnprintf(message, size, format, args);
	va_end(args);
	scrub(message, api->token);
	scrub(message, api->jwt);
}

static const char *method_name(enum http_method method)
{
	switch (method) {
	case HTTP_GET:
		return "GET";
	case HTTP_POST:
		return "POST";
	case HTTP_PATCH:
		return "PATCH";
	case HTTP_DELETE:
		return "DELETE";
	}
	return "?";
}

/* --- request list ------------------------------------------------------------------------- */

static struct api_request *request_new(struct api *api, enum request_kind kind,
				       enum http_method method, char *path)
{
	struct api_request *request = xcalloc(1, sizeof(*request));
	request->api = api;
	request->kind = kind;
	request->method = method;
	request->path = path;
	return request;
}

static void request_append(struct api *api, struct api_request *request)
{
	request->prev = api->tail;
	request->next = NULL;
	if (api->tail)
		api->tail->next = request;
	else
		api->head = request;
	api->tail = request;
	api->request_count++;
}

/* Unlink (when listed), stop its transfer and free it. */
static void request_drop(struct api *api, struct api_request *request)
{
	if (request->transfer)
		http_cancel(api->http, request->transfer);
	if (request == api->auth) {
		api->auth = NULL;
	} else {
		if (request->prev)
			request->prev->next = request->next;
		else
			api->head = request->next;
		if (request->next)
			request->next->prev = request->prev;
		else
			api->tail = request->prev;
		api->request_count--;
	}
	free(request->path);
	free(request->body);
	free(request);
}

/* --- life cycle --------------------------------------------------------------------------- */

static double burst_with_margin(double rate, double burst)
{
	double margin = rate * API_JITTER_MS / 1000.0;
	if (margin < 1)
		margin = 1;
	return burst - margin >= 1 ? burst - margin : 1;
}

/* A positive number of milliseconds from the environment variable name (a test hook), or
 * fallback. */
static int64_t hook_ms(const char *name, int64_t fallback)
{
	const char *text = getenv(name);
	int64_t value;

	return text && util_parse_int64(text, &value) && value > 0 ? value : fallback;
}

/* The host of a base URL, for messages. The URL may come from a config file: cleaned. */
static void host_of(const char *url, char *host, size_t size)
{
	if (!util_url_host(url, host, size))
		snprintf(host, size, "the API");
	text_clean_in_place(host, size);
}

/* The overall bucket, full, holding one second's worth: the pace between calls. What emnify
 * counts over 5 minutes is the window's (ip_window). */
static void init_ip_limit(struct api *api, int64_t now)
{
	double burst = ratelimit_burst_for(api->rate);

	api->pace = api->rate;
	ratelimit_init(&api->ip_limit, api->rate, burst, now);
}

static void wake_loop(void *context);
static void free_arrived_page(void *tag);

struct api *api_new(const struct api_options *options)
{
	struct api *api = xcalloc(1, sizeof(*api));
	int64_t now = util_now_ms();
	int64_t silence_ms = hook_ms("SIMTOP_SILENCE_MS", API_SILENCE_MS);

	api->base_url = xstrdup(options->base_url);
	host_of(api->base_url, api->host, sizeof(api->host));
	api->token = xstrdup(options->token ? options->token : "");
	api->token_source = options->token_source ? xstrdup(options->token_source) : NULL;
	api->rate_limits = options->rate_limits;
	api->rate = options->rate > 0 ? options->rate : options->rate_limits ? RATELIMIT_DEFAULT_RATE : 0;
	api->rate_chosen = options->rate > 0;
	api->parallel = options->parallel > 0 ? options->parallel : API_DEFAULT_PARALLEL;
	api->timeout_ms = options->timeout_ms > 0 ? options->timeout_ms : 2 * silence_ms;
	api->backoff_base_ms = hook_ms("SIMTOP_BACKOFF_BASE_MS", RATELIMIT_BACKOFF_BASE_MS);
	api->give_up_ms = hook_ms("SIMTOP_GIVE_UP_MS", API_GIVE_UP_MS);
	api->random_state = ((uint64_t)now << 20) ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ULL;
	ratelimit_init(&api->list_limit, RATELIMIT_LIST_RATE,
		       burst_with_margin(RATELIMIT_LIST_RATE, RATELIMIT_LIST_BURST), now);
	ratelimit_init(&api->endpoint_get_limit, API_ENDPOINT_GET_RATE,
		       burst_with_margin(API_ENDPOINT_GET_RATE, API_ENDPOINT_GET_BURST), now);
	ratelimit_init(&api->sim_get_limit, API_SIM_GET_RATE,
		       burst_with_margin(API_SIM_GET_RATE, API_SIM_GET_BURST), now);
	for (int what = 0; what < API_LIVE_COUNT; what++)
		ratelimit_init(&api->live_limits[what], live_routes[what].rate,
			       burst_with_margin(live_routes[what].rate, live_routes[what].burst), now);
	init_ip_limit(api, now);
	ratelimit_init(&api->auth_limit, API_AUTH_RATE, API_AUTH_BURST, now);
	if (api->rate_limits)
		ratelimit_window_init(&api->ip_window,
				      options->window_calls > 0 ? options->window_calls : RATELIMIT_IP_WINDOW_CALLS,
				      options->window_seconds > 0 ? (int64_t)(options->window_seconds * 1000)
								  : RATELIMIT_IP_WINDOW_MS,
				      RATELIMIT_IP_WINDOW_MARGIN_PCT);
	api->http = http_new(api->parallel, "simtop/" PACKAGE_VERSION,
			     silence_ms < API_CONNECT_TIMEOUT_MS ? silence_ms : API_CONNECT_TIMEOUT_MS, silence_ms);
	api->parser = page_parser_new(wake_loop, api);
	return api;
}

static void forget_jwt(struct api *api)
{
	if (api->jwt) {
		explicit_bzero(api->jwt, strlen(api->jwt));
		free(api->jwt);
		api->jwt = NULL;
	}
	if (api->authorization) {
		explicit_bzero(api->authorization, strlen(api->authorization));
		free(api->authorization);
		api->authorization = NULL;
	}
	api->refresh_ms = 0;
}

void api_free(struct api *api)
{
	if (!api)
		return;
	while (api->head)
		request_drop(api, api->head);
	if (api->auth)
		request_drop(api, api->auth);
	page_parser_free(api->parser, free_arrived_page);
	http_free(api->http);
	while (api->timers) {
		struct api_timer *next = api->timers->next;
		free(api->timers);
		api->timers = next;
	}
	ratelimit_window_free(&api->ip_window);
	forget_jwt(api);
	explicit_bzero(api->token, strlen(api->token));
	free(api->token);
	free(api->token_source);
	free(api->base_url);
	free(api);
}

/* --- failing ------------------------------------------------------------------------------ */

static void drop_pages(struct api *api)
{
	struct api_request *request = api->head;

	while (request) {
		struct api_request *next = request->next;
		if (request->kind == REQUEST_PAGE)
			request_drop(api, request);
		request = next;
	}
}

static void fail_load(struct api *api, enum api_error error, const char *message)
{
	drop_pages(api);
	api->load_generation++;  /* pages still being parsed are dropped when they come back */
	if (!api->progress.running)
		return;
	api->progress.running = false;
	api->progress.error = error;
	snprintf(api->progress.message, sizeof(api->progress.message), "%s", message);
	api->fleet = NULL;
}

/* Tell a read it failed, then forget it. */
static void fail_read(struct api *api, struct api_request *request, long status, const char *body,
		      size_t length, const char *message)
{
	api_read_done *done = request->done;
	api_page_done *page_done = request->page_done;
	void *context = request->context;

	request_drop(api, request);
	if (page_done)
		page_done(context, status, body, length, 0, message);
	else
		done(context, status, body, length, message);
}

/* Fail every read now listed. Reads their callbacks start are not failed with them. */
static void fail_reads(struct api *api, long status, const char *message)
{
	struct api_request *request = api->head;

	api->head = api->tail = NULL;
	api->request_count = 0;
	while (request) {
		struct api_request *next = request->next;
		api_read_done *done = request->done;
		api_page_done *page_done = request->page_done;
		void *context = request->context;

		if (request->transfer)
			http_cancel(api->http, request->transfer);
		free(request->path);
		free(request->body);
		free(request);
		if (page_done)
			page_done(context, status, NULL, 0, 0, message);
		else if (done)
			done(context, status, NULL, 0, message);
		request = next;
	}
}

/* The request failed for good with that message. */
static void fail_request(struct api *api, struct api_request *request, enum api_error error,
			 long status, const char *body, size_t length, const char *message)
{
	switch (request->kind) {
	case REQUEST_PAGE:
		fail_load(api, error, message);
		break;
	case REQUEST_READ:
	case REQUEST_PATCH:
	case REQUEST_LIST:
		fail_read(api, request, status, body, length, message);
		break;
	case REQUEST_AUTH:
		/* Nothing can go on without a token: everything waiting for it fails the same way. */
		snprintf(api->auth_error, sizeof(api->auth_error), "%s", message);
		api->want_token = false;
		request_drop(api, request);
		fail_load(api, error, message);
		fail_reads(api, status, message);
		break;
	}
}

static void fail_unauthorized(struct api *api, struct api_request *request, long status,
			      const char *body, size_t length)
{
	char message[512];

	if (api->token_source)
		format_message(api, message, sizeof(message),
			       "the emnify API rejected the application token (from %s) — check "
			       "EMNIFY_APPLICATION_TOKEN or --token-file", api->token_source);
	else
		format_message(api, message, sizeof(message),
			       "the emnify API rejected the application token — check "
			       "EMNIFY_APPLICATION_TOKEN or --token-file");
	fail_request(api, request, API_ERROR_AUTH, status, body, length, message);
}

static void fail_bad_response(struct api *api, struct api_request *request,
			      const struct http_response *response, const char *what)
{
	char message[512];

	format_message(api, message, sizeof(message),
		       "the API at %s%s sent something that is not an emnify response: %s",
		       api->base_url, request->path, what);
	fail_request(api, request, API_ERROR_BAD_RESPONSE, response->status, response->body,
		     response->body_length, message);
}

/* --- retries ------------------------------------------------------------------------------ */

/* Seconds of a Retry-After header; false when absent or an HTTP date (then back-off rules). */
static bool retry_after_ms(const struct http_response *response, int64_t *delay_ms)
{
	const char *value;
	size_t length;
	char digits[24];
	int64_t seconds;

	if (!http_response_header(response, "Retry-After", &value, &length) || length == 0 ||
	    length >= sizeof(digits))
		return false;
	memcpy(digits, value, length);
	digits[length] = '\0';
	if (!util_parse_int64(digits, &seconds) || seconds < 0)
		return false;
	*delay_ms = seconds > API_RETRY_AFTER_MAX_MS / 1000 ? API_RETRY_AFTER_MAX_MS : seconds * 1000;
	return true;
}

/* "no answer from", "HTTP 503 from": what went wrong, in words, before the host's name. */
static void describe_failure(const struct http_response *response, char *text, size_t size)
{
	switch (response->failure) {
	case HTTP_FAILURE_NONE:
		if (response->status == 429)
			snprintf(text, size, "rate limited (HTTP 429) by");
		else if (response->status == 403)
			snprintf(text, size, "blocked (HTTP 403, the per-IP limit) by");
		else
			snprintf(text, size, "HTTP %ld from", response->status);
		return;
	case HTTP_FAILURE_TIMEOUT:
		snprintf(text, size, "no answer from");
		return;
	case HTTP_FAILURE_CONNECT:
		snprintf(text, size, "connection refused by");
		return;
	case HTTP_FAILURE_DROPPED:
		snprintf(text, size, "dropped connection from");
		return;
	case HTTP_FAILURE_RESOLVE:
		snprintf(text, size, "cannot resolve");
		return;
	default:
		snprintf(text, size, "failed request to");
		return;
	}
}

/* True after give_up(), until a byte of any response arrives. */
static bool silent(const struct api *api)
{
	return api->gave_up_at_ms > 0 && http_last_received_ms(api->http) < api->gave_up_at_ms;
}

/* Schedule another attempt; false when the request has used up its attempts. A 429 counts
 * apart from other failures and against a more generous cap: it applied nothing. */
static bool retry_later(struct api *api, struct api_request *request,
			const struct http_response *response, bool throttle)
{
	int attempts = RATELIMIT_RETRY_MAX;
	int64_t base = api->backoff_base_ms;
	int64_t delay;
	int *count = &request->failures;

	if (response->failure == HTTP_FAILURE_NONE && throttle) {
		count = &request->throttled;
		attempts = API_THROTTLE_RETRY_MAX;
	} else if (response->failure != HTTP_FAILURE_NONE && !api->ever_answered) {
		attempts = API_UNREACHABLE_ATTEMPTS;
		if (base > API_UNREACHABLE_BACKOFF_MS)
			base = API_UNREACHABLE_BACKOFF_MS;
	}
	/* Given up on a silent API: each request has its one try until the API is heard. */
	if (response->failure != HTTP_FAILURE_NONE && silent(api))
		return false;
	(*count)++;
	if (*count >= attempts)
		return false;
	if (!retry_after_ms(response, &delay))
		delay = ratelimit_backoff_ms(*count, base, RATELIMIT_BACKOFF_CAP_MS, random01(api));
	request->not_before_ms = util_now_ms() + delay;
	request->retry_number = *count;
	request->retry_max = attempts - 1;
	describe_failure(response, request->retry_reason, sizeof(request->retry_reason));
	api->stats.retries++;
	if (request->kind == REQUEST_PAGE)
		api->progress.retries++;
	return true;
}

/* --- completions -------------------------------------------------------------------------- */

static void auth_done(struct api *api, struct api_request *request, const struct http_response *response)
{
	char what[256];
	char *jwt = NULL;
	int64_t expires = 0;
	int64_t now = util_now_ms();

	if (emnify_parse_auth(response->body, response->body_length, &jwt, &expires, what,
			      sizeof(what)) != EMNIFY_OK) {
		fail_bad_response(api, request, response, what);
		return;
	}
	forget_jwt(api);
	api->jwt = jwt;
	api->authorization = xasprintf("Authorization: Bearer %s", jwt);
	emnify_jwt_workspace(jwt, &api->workspace_id, api->workspace_name, sizeof(api->workspace_name));
	api->want_token = false;
	api->auth_error[0] = '\0';
	api->auth_generation++;
	api->stats.authentications++;
	api->refresh_ms = API_NO_DEADLINE;
	if (expires > 0) {
		int64_t remaining = expires * 1000 - wall_clock_ms();
		/* A token already expired by our clock means the clocks disagree: rely on 401s
		 * then, rather than re-authenticating in a loop. */
		if (remaining > 0) {
			int64_t margin = remaining / 2 < API_REAUTH_MARGIN_MS ? remaining / 2
									  : API_REAUTH_MARGIN_MS;
			api->refresh_ms = now + remaining - margin;
		}
	}
	request_drop(api, request);
}

static bool load_finished(const struct api *api)
{
	for (int i = 0; i < LIST_COUNT; i++)
		if (!api->lists[i].known || api->lists[i].pages_done < api->lists[i].total_pages)
			return false;
	return true;
}

static void update_totals(struct api *api)
{
	int64_t pages = 0, records = 0;

	for (int i = 0; i < LIST_COUNT; i++) {
		if (!api->lists[i].known)
			continue;
		pages += api->lists[i].total_pages;
		records += api->lists[i].total_count;
	}
	api->progress.pages_total = (int)pages;
	api->progress.records_total = records;
}

static void queue_page(struct api *api, enum list_kind list, int64_t page);

/* The SIM list comes after the endpoint list, which tells whether the SIMs the endpoints
 * hold are needed too: only when one came without its status. */
static void start_sim_list(struct api *api)
{
	struct load_list *sims = &api->lists[LIST_SIM];
	*sims = (struct load_list){ .started = true };
	sims->filtered = !api->sim_filter_refused && api->sims_without_status == 0;
	if (api->sims_without_status > 0 && !api->progress.note[0])
		snprintf(api->progress.note, sizeof(api->progress.note),
			 "%zu endpoints named their SIM without its status: every SIM was listed to learn it",
			 api->sims_without_status);
	queue_page(api, LIST_SIM, 1);
}

/* The API answered the SIM list's q with 400 or 422: it does not take that filter. Ask for
 * every SIM instead, from page 1, now and in every later load. */
static void sim_filter_refused(struct api *api, long status)
{
	struct api_request *request = api->head;
	while (request) {
		struct api_request *next = request->next;
		if (request->kind == REQUEST_PAGE && request->list == LIST_SIM)
			request_drop(api, request);
		request = next;
	}
	api->progress.pages_done -= (int)api->lists[LIST_SIM].pages_done;
	api->sim_filter_refused = true;
	snprintf(api->progress.note, sizeof(api->progress.note),
		 "the API refused the SIM list's filter q=endpoint:null (HTTP %ld): every SIM was listed instead",
		 status);
	start_sim_list(api);
	update_totals(api);
}

/* A page of the load, between its arrival and its parse. */
struct arrived_page {
	enum list_kind list;
	int64_t page;
	struct emnify_paging paging;
	char *path;
	unsigned generation;
};

static void free_arrived_page(void *tag)
{
	struct arrived_page *arrived = tag;
	free(arrived->path);
	free(arrived);
}

static void wake_loop(void *context)
{
	http_wakeup(((struct api *)context)->http);
}

/* A page of the load arrived: its headers are read now, its body goes to the parser, and the
 * request is done; page_parsed() takes it up again. */
static void page_arrived(struct api *api, struct api_request *request, const struct http_response *response)
{
	if (response->body_length == 0) {
		fail_bad_response(api, request, response, "an empty body instead of a JSON array");
		return;
	}
	struct arrived_page *arrived = xcalloc(1, sizeof(*arrived));
	arrived->list = request->list;
	arrived->page = request->page;
	arrived->path = xstrdup(request->path);
	arrived->generation = api->load_generation;
	for (size_t i = 0; i < response->header_count; i++)
		emnify_paging_header(&arrived->paging, response->header_lines[i], response->header_lengths[i]);
	char *body = http_take_body(response);
	page_parser_submit(api->parser, request->list == LIST_SIM ? FLEET_LIST_SIMS : FLEET_LIST_ENDPOINTS, body,
			   response->body_length, arrived);
	request_drop(api, request);
}

static void page_parsed(struct api *api, struct arrived_page *arrived, struct emnify_parsed_page *parsed,
			const char *refusal)
{
	struct load_list *list = &api->lists[arrived->list];
	enum fleet_list fleet_list = arrived->list == LIST_SIM ? FLEET_LIST_SIMS : FLEET_LIST_ENDPOINTS;
	const struct emnify_paging paging = arrived->paging;
	struct emnify_page page = { 0 };
	char what[256];

	if (!parsed) {
		char message[512];
		format_message(api, message, sizeof(message),
			       "the API at %s%s sent something that is not an emnify response: %s", api->base_url,
			       arrived->path, refusal);
		fail_load(api, API_ERROR_BAD_RESPONSE, message);
		return;
	}
	emnify_add_page(parsed, api->fleet, arrived->page, &page);
	size_t count = page.ids.count;

	if (arrived->page == 1) {
		if (paging.total_pages < 0 || paging.total_pages > API_TOTAL_PAGES_MAX) {
			snprintf(what, sizeof(what), "X-Total-Pages is %lld", (long long)paging.total_pages);
			page_parsed(api, arrived, NULL, what);
			return;
		}
		if (paging.total_pages == 0 && count >= (size_t)list_info[arrived->list].per_page) {
			page_parsed(api, arrived, NULL, "a full page without an X-Total-Pages header");
			return;
		}
		list->known = true;
		/* 0 pages means an empty list; page 1 was still fetched. */
		list->total_pages = paging.total_pages > 0 ? paging.total_pages : 1;
		list->total_count = paging.total_count > 0 ? paging.total_count : (int64_t)count;
		/* X-Total-Pages must agree with the records at the page size, known from
		 * X-Total-Count or from a first page that is not full. A server claiming far
		 * more pages than that would keep the load going for hours: ask for one page
		 * more than the records need at most, and say what was odd. A page holds at
		 * least what page 1 held, whatever X-Count-Per-Page says. */
		int64_t per_page = paging.per_page > 0 ? paging.per_page : list_info[arrived->list].per_page;
		if (per_page < (int64_t)count)
			per_page = (int64_t)count;
		if (paging.total_count > 0 || count < (size_t)per_page) {
			int64_t needed = list->total_count / per_page + (list->total_count % per_page != 0);
			if (needed < 1)
				needed = 1;
			if (paging.total_pages != needed && !(paging.total_pages == 0 && needed == 1)) {
				fleet_note_paging(api->fleet, fleet_list, paging.total_pages, list->total_count,
						  per_page);
				if (list->total_pages - 1 > needed)
					list->total_pages = needed + 1;
			}
		}
		list->next_page = 2;
		update_totals(api);
	} else if (paging.total_count != list->total_count) {
		/* Records were added or deleted meanwhile. Go on with the page count of page 1:
		 * never chase the end, a page past it returns the last page again. */
		api->progress.total_changed = true;
	}
	/* The API answers a page past the end with the last page again: once a page repeats,
	 * the list has no more pages to ask for. */
	if (page.repeated && list->total_pages > list->next_page - 1) {
		list->total_pages = list->next_page - 1;
		update_totals(api);
	}
	list->pages_done++;
	api->progress.pages_done++;
	if (!page.repeated)
		api->progress.records_loaded += (int64_t)count;
	api->sims_without_status += page.sims_without_status;
	bool endpoints_done = arrived->list == LIST_ENDPOINT && list->pages_done >= list->total_pages;
	if (endpoints_done && !api->lists[LIST_SIM].started)
		start_sim_list(api);
	if (load_finished(api)) {
		api->progress.running = false;
		api->progress.done = true;
		api->fleet = NULL;
	}
}

static void read_done(struct api *api, struct api_request *request, const struct http_response *response)
{
	api_read_done *done = request->done;
	void *context = request->context;

	request_drop(api, request);
	done(context, response->status, response->body, response->body_length, NULL);
}

/* A caller's list page: its body and X-Total-Pages. */
static void list_read_done(struct api *api, struct api_request *request, const struct http_response *response)
{
	struct emnify_paging paging = { 0 };
	api_page_done *done = request->page_done;
	void *context = request->context;

	for (size_t i = 0; i < response->header_count; i++)
		emnify_paging_header(&paging, response->header_lines[i], response->header_lengths[i]);
	request_drop(api, request);
	done(context, response->status, response->body, response->body_length,
	     paging.total_pages > 0 ? paging.total_pages : 1, NULL);
}

/* Set the overall bucket's rate, keeping what it saved up so far. */
static void set_pace(struct api *api, double pace, int64_t now)
{
	ratelimit_wait_ms(&api->ip_limit, now); /* brings the tokens up to now at the old rate */
	api->pace = pace;
	api->ip_limit.rate = pace;
}

static void adjust_pace(struct api *api, long status)
{
	int64_t now = util_now_ms();

	if (!(api->rate > 0))
		return;
	if (status == 429) {
		/* The API's bucket is empty: tokens saved up here would only draw more 429s. */
		api->ip_limit.tokens = 0;
		api->ip_limit.updated_ms = now;
		if (now - api->pace_cut_ms >= API_PACE_CUT_MS) {
			api->pace_cut_ms = now;
			set_pace(api, api->pace / 2 > API_PACE_FLOOR ? api->pace / 2 : API_PACE_FLOOR, now);
		}
	} else if (status >= 200 && status <= 299 && api->pace < api->rate) {
		double step = api->pace * API_PACE_STEP;
		double pace = api->pace + (step > API_PACE_STEP_MIN ? step : API_PACE_STEP_MIN);
		set_pace(api, pace < api->rate ? pace : api->rate, now);
	}
}

/* Called by http for every finished transfer of ours. */
static void transfer_done(void *context, const struct http_response *response)
{
	struct api_request *request = context;
	struct api *api = request->api;
	char message[512];

	request->transfer = NULL;
	api->stats.bytes_received += (int64_t)response->body_length;
	for (size_t i = 0; i < response->header_count; i++)
		api->stats.bytes_received += (int64_t)response->header_lengths[i];

	if (response->failure != HTTP_FAILURE_NONE) {
		/* Nothing left the machine when no connection could be opened. */
		bool unsent = response->failure == HTTP_FAILURE_CONNECT ||
			      response->failure == HTTP_FAILURE_RESOLVE;
		bool retryable = unsent || response->failure == HTTP_FAILURE_DROPPED ||
				 response->failure == HTTP_FAILURE_TIMEOUT;
		if (request->kind == REQUEST_PATCH && !unsent) {
			if (response->failure == HTTP_FAILURE_TIMEOUT)
				format_message(api, message, sizeof(message), "PATCH %s: no answer from %s",
					       request->path, api->host);
			else
				format_message(api, message, sizeof(message), "PATCH %s: the connection failed (%s)",
					       request->path, response->error);
			fail_request(api, request, API_ERROR_UNREACHABLE, 0, NULL, 0, message);
			return;
		}
		if (retryable && retry_later(api, request, response, false))
			return;
		if (response->failure == HTTP_FAILURE_TOO_LARGE) {
			fail_bad_response(api, request, response, response->error);
			return;
		}
		format_message(api, message, sizeof(message),
			       "cannot reach the emnify API at %s: %s — check the network or "
			       "--api-url / EMNIFY_BASE_PATH", api->base_url, response->error);
		fail_request(api, request, API_ERROR_UNREACHABLE, 0, NULL, 0, message);
		return;
	}
	api->ever_answered = true;

	if (response->status == 401) {
		if (request->kind == REQUEST_AUTH) {
			fail_unauthorized(api, request, response->status, response->body,
					  response->body_length);
			return;
		}
		/* Sent with a token that has been replaced since: just send it again. */
		if (request->auth_generation != api->auth_generation)
			return;
		if (++request->unauthorized > 1) {
			fail_unauthorized(api, request, response->status, response->body,
					  response->body_length);
			return;
		}
		/* Expired or revoked early: authenticate again, then replay. */
		forget_jwt(api);
		return;
	}
	/* 429, or a 403 that is not emnify's own error object: an edge firewall's block of the
	 * per-IP limit. Either way nothing was done. */
	bool throttle = response->status == 429 ||
			(response->status == 403 && !emnify_is_error_object(response->body, response->body_length));
	if (throttle)
		api->stats.throttled++;
	adjust_pace(api, throttle ? 429 : response->status);
	/* A PATCH answered 5xx may have been applied: only a read tells, so it is not resent. */
	if ((throttle && !request->report_throttle) ||
	    (response->status >= 500 && response->status <= 599 && request->kind != REQUEST_PATCH)) {
		if (retry_later(api, request, response, throttle))
			return;
	}
	if (request->kind == REQUEST_PAGE && request->list == LIST_SIM && api->lists[LIST_SIM].filtered &&
	    (response->status == 400 || response->status == 422)) {
		sim_filter_refused(api, response->status);
		return;
	}
	if (response->status < 200 || response->status > 299) {
		char detail[384];
		emnify_error_message(response->status, response->body, response->body_length,
				     detail, sizeof(detail));
		/* The caller of a PATCH knows the host; the path says which object. */
		if (request->kind == REQUEST_PATCH)
			format_message(api, message, sizeof(message), "PATCH %s: %s", request->path, detail);
		else
			format_message(api, message, sizeof(message), "%s %s%s failed: %s",
				       method_name(request->method), api->base_url, request->path, detail);
		fail_request(api, request, API_ERROR_HTTP, response->status, response->body,
			     response->body_length, message);
		return;
	}

	switch (request->kind) {
	case REQUEST_AUTH:
		auth_done(api, request, response);
		break;
	case REQUEST_PAGE:
		page_arrived(api, request, response);
		break;
	case REQUEST_READ:
	case REQUEST_PATCH:
		read_done(api, request, response);
		break;
	case REQUEST_LIST:
		list_read_done(api, request, response);
		break;
	}
}

/* --- silence ----------------------------------------------------------------------------- */

/* Something awaits the API: a transfer is under way or a request waits to be retried. (A
 * request that only waits for a rate-limit token awaits nothing from the API.) */
static bool awaiting(const struct api *api, int64_t now)
{
	if (http_running(api->http) > 0)
		return true;
	if (api->auth && api->auth->not_before_ms > now)
		return true;
	for (const struct api_request *request = api->head; request; request = request->next)
		if (request->not_before_ms > now)
			return true;
	return false;
}

/* Since when the API has been silent: its last byte, or when something began to await it. */
static int64_t heard_ms(const struct api *api)
{
	int64_t heard = http_last_received_ms(api->http);
	return heard > api->waiting_since_ms ? heard : api->waiting_since_ms;
}

/* The API has been silent for give_up_ms while requests awaited it: fail them, so that a load
 * ends with a message and a job's read-backs end instead of retrying for minutes. PATCHes in
 * flight end by their own timeout (only the job can settle them). */
static void give_up(struct api *api, int64_t now)
{
	char duration[48], message[512];
	struct api_request *request;

	api->gave_up_at_ms = now;
	if (api->give_up_ms % 60000 == 0)
		snprintf(duration, sizeof(duration), "%lld minute%s", (long long)(api->give_up_ms / 60000),
			 api->give_up_ms == 60000 ? "" : "s");
	else
		util_format_duration((double)api->give_up_ms / 1000.0, duration, sizeof(duration));
	format_message(api, message, sizeof(message),
		       "no answer from %s for %s: check the network, or the API URL (--api-url, "
		       "EMNIFY_BASE_PATH), then try again", api->host, duration);
	if (api->auth) {
		/* Nothing goes without a token: this fails the load and every read with it. */
		fail_request(api, api->auth, API_ERROR_UNREACHABLE, 0, NULL, 0, message);
		return;
	}
	fail_load(api, API_ERROR_UNREACHABLE, message);
	for (request = api->head; request; request = request->next)
		request->given_up = !(request->kind == REQUEST_PATCH && request->transfer);
	/* Callbacks may drop or add requests: look again from the start each time. */
	for (;;) {
		for (request = api->head; request && !request->given_up; request = request->next)
			;
		if (!request)
			break;
		fail_request(api, request, API_ERROR_UNREACHABLE, 0, NULL, 0, message);
	}
}

/* --- starting requests -------------------------------------------------------------------- */

static void send_request(struct api *api, struct api_request *request)
{
	const char *headers[3];
	size_t header_count = 0;
	char *url = xasprintf("%s%s", api->base_url, request->path);
	char *body = NULL;
	const char *send_body = NULL;

	headers[header_count++] = "Accept: application/json";
	if (request->kind == REQUEST_AUTH) {
		headers[header_count++] = "Content-Type: application/json";
		body = emnify_auth_body(api->token);
		send_body = body;
	} else {
		headers[header_count++] = api->authorization;
	}
	if (request->kind == REQUEST_PATCH) {
		headers[header_count++] = "Content-Type: application/json";
		send_body = request->body;
		api->stats.patches++;
	}
	/* The first transfer after a quiet spell starts the silence clock. */
	if (request->failures == 0 && request->throttled == 0 && !awaiting(api, util_now_ms()))
		api->waiting_since_ms = util_now_ms();
	request->auth_generation = api->auth_generation;
	ratelimit_window_take(&api->ip_window, util_now_ms());
	request->transfer = http_submit(api->http, request->method, url, headers, header_count,
					send_body, send_body ? strlen(send_body) : 0, api->timeout_ms,
					transfer_done, request);
	api->stats.requests++;
	if (body) {
		explicit_bzero(body, strlen(body));
		free(body);
	}
	free(url);
}

/* Take the rate-limit tokens the request needs, or tell how long until they are there. */
static bool take_tokens(struct api *api, const struct api_request *request, int64_t now,
			int64_t *wait_ms)
{
	struct ratelimit *limits[2];
	size_t count = 0;
	int64_t longest = 0;

	/* An unpaced read keeps the pace too once a 429 has lowered it below the rate. */
	if (api->rate > 0 && (!request->unpaced || api->pace < api->rate))
		limits[count++] = &api->ip_limit;
	if (api->rate_limits && (request->kind == REQUEST_PAGE || request->kind == REQUEST_LIST))
		limits[count++] = &api->list_limit;
	else if (api->rate_limits && request->kind == REQUEST_AUTH)
		limits[count++] = &api->auth_limit;
	else if (api->rate_limits && request->kind == REQUEST_READ && request->object_limit)
		limits[count++] = request->object_limit;
	longest = ratelimit_window_wait_ms(&api->ip_window, now);
	if (count == 0 && longest == 0)
		return true;
	for (size_t i = 0; i < count; i++) {
		int64_t wait = ratelimit_wait_ms(limits[i], now);
		if (wait > longest)
			longest = wait;
	}
	if (longest > 0) {
		*wait_ms = longest;
		return false;
	}
	for (size_t i = 0; i < count; i++) {
		if (!ratelimit_take(limits[i], now)) {
			/* Rounding said a token was there when it was not quite: look again soon. */
			*wait_ms = 1;
			return false;
		}
	}
	return true;
}

/* Start req if it may start now; otherwise lower *deadline to when it might. */
static bool try_start(struct api *api, struct api_request *request, int64_t now, int64_t *deadline)
{
	int64_t wait = 0;

	if (request->not_before_ms > now) {
		if (request->not_before_ms < *deadline)
			*deadline = request->not_before_ms;
		return false;
	}
	if (!take_tokens(api, request, now, &wait)) {
		if (now + wait < *deadline)
			*deadline = now + wait;
		return false;
	}
	send_request(api, request);
	return true;
}

static void queue_page(struct api *api, enum list_kind list, int64_t page)
{
	struct api_request *request;

	/* emnify's SDK encodes the filter as a query parameter value: "endpoint%3Anull". */
	bool filtered = list == LIST_SIM && api->lists[LIST_SIM].filtered;
	request = request_new(api, REQUEST_PAGE, HTTP_GET,
			      xasprintf("%s?page=%lld&per_page=%d%s", list_info[list].path, (long long)page,
					list_info[list].per_page, filtered ? "&q=endpoint%3Anull" : ""));
	request->list = list;
	request->page = page;
	request_append(api, request);
}

/* Queue further pages lazily, a few ahead of what can start, rather than all at once. */
static void queue_pages(struct api *api, int64_t now)
{
	size_t ready = 0;

	if (!api->progress.running)
		return;
	/* Bodies waiting for the parser hold memory: download no further ahead than this. */
	if (page_parser_pending(api->parser) >= API_PARSE_BACKLOG_MAX)
		return;
	for (struct api_request *request = api->head; request; request = request->next)
		if (request->kind == REQUEST_PAGE && !request->transfer && request->not_before_ms <= now)
			ready++;
	while (ready < (size_t)api->parallel) {
		struct load_list *pick = NULL;
		enum list_kind pick_kind = LIST_ENDPOINT;

		/* Alternate between the lists, by the share of pages already queued. */
		for (int i = 0; i < LIST_COUNT; i++) {
			struct load_list *list = &api->lists[i];
			if (!list->known || list->next_page > list->total_pages)
				continue;
			if (!pick || (double)list->next_page / (double)list->total_pages <
					     (double)pick->next_page / (double)pick->total_pages) {
				pick = list;
				pick_kind = (enum list_kind)i;
			}
		}
		if (!pick)
			break;
		queue_page(api, pick_kind, pick->next_page++);
		ready++;
	}
}

static bool have_token(const struct api *api, int64_t now)
{
	return api->jwt && now < api->refresh_ms;
}

/* Start everything that may start; return the nearest time something else may. */
static int64_t start_ready(struct api *api, int64_t now)
{
	int64_t deadline = API_NO_DEADLINE;

	queue_pages(api, now);
	if (!api->head && !api->want_token) {
		/* Nobody needs a token any more (the load was cancelled): stop waiting for one. */
		if (api->auth && !api->auth->transfer)
			request_drop(api, api->auth);
		return deadline;
	}
	if (!have_token(api, now)) {
		if (!api->auth)
			api->auth = request_new(api, REQUEST_AUTH, HTTP_POST, xstrdup("/api/v1/authenticate"));
		if (!api->auth->transfer && http_free_slots(api->http) > 0)
			try_start(api, api->auth, now, &deadline);
		return deadline;
	}
	/* emnify: endpoint changes one at a time, each waiting for the previous answer. */
	bool endpoint_changing = false;
	for (const struct api_request *request = api->head; request; request = request->next)
		endpoint_changing = endpoint_changing || (request->endpoint_change && request->transfer);
	for (struct api_request *request = api->head; request; request = request->next) {
		if (http_free_slots(api->http) == 0)
			break;
		if (request->transfer || (request->endpoint_change && endpoint_changing))
			continue;
		if (try_start(api, request, now, &deadline) && request->endpoint_change)
			endpoint_changing = true;
	}
	return deadline;
}

/* Give up on a silent API, start what may start; return the nearest time to look again. */
/* Call the timers that are due; return when the next one is. */
static int64_t run_timers(struct api *api)
{
	int64_t now = util_now_ms(), next = API_NO_DEADLINE;

	for (;;) {
		struct api_timer **link = &api->timers, *due = NULL;
		for (; *link; link = &(*link)->next)
			if ((*link)->due_ms <= now) {
				due = *link;
				*link = due->next;
				break;
			}
		if (!due)
			break;
		due->done(due->context);
		free(due);
	}
	for (struct api_timer *timer = api->timers; timer; timer = timer->next)
		if (timer->due_ms < next)
			next = timer->due_ms;
	return next;
}

/* Add the pages the parser has finished, in the order they arrived. */
static void take_parsed_pages(struct api *api)
{
	void *tag;
	struct emnify_parsed_page *parsed;
	char refusal[512];
	while (page_parser_take(api->parser, &tag, &parsed, refusal, sizeof(refusal))) {
		struct arrived_page *arrived = tag;
		if (arrived->generation == api->load_generation && api->progress.running)
			page_parsed(api, arrived, parsed, refusal);
		emnify_parsed_page_free(parsed);
		free_arrived_page(arrived);
	}
}

static int64_t pump(struct api *api)
{
	take_parsed_pages(api);
	int64_t timer_deadline = run_timers(api);
	int64_t now = util_now_ms();
	int64_t deadline;

	if (!silent(api) && awaiting(api, now) && now - heard_ms(api) >= api->give_up_ms)
		give_up(api, now);
	deadline = start_ready(api, now);
	if (!silent(api) && awaiting(api, now) && heard_ms(api) + api->give_up_ms < deadline)
		deadline = heard_ms(api) + api->give_up_ms;
	return timer_deadline < deadline ? timer_deadline : deadline;
}

/* --- public ------------------------------------------------------------------------------- */

void api_cancel_load(struct api *api)
{
	drop_pages(api);
	api->load_generation++;
	api->fleet = NULL;
	api->progress.running = false;
}

void api_load_start(struct api *api, struct fleet *fleet)
{
	api_cancel_load(api);
	memset(&api->lists, 0, sizeof(api->lists));
	memset(&api->progress, 0, sizeof(api->progress));
	api->fleet = fleet;
	api->progress.running = true;
	/* A new load is a new chance for an API given up on. */
	api->gave_up_at_ms = 0;
	api->sims_without_status = 0;
	api->lists[LIST_ENDPOINT].started = true;
	queue_page(api, LIST_ENDPOINT, 1);
}

void api_load_progress(const struct api *api, struct api_load_progress *progress)
{
	const struct api_request *soonest = NULL;
	int64_t now = util_now_ms();

	*progress = api->progress;
	progress->retry_note[0] = '\0';
	if (!progress->running)
		return;
	/* The retry due first among the load's pages and the authentication they wait for. */
	if (api->auth && !api->auth->transfer && api->auth->not_before_ms > now)
		soonest = api->auth;
	for (const struct api_request *request = api->head; request; request = request->next)
		if (request->kind == REQUEST_PAGE && !request->transfer && request->not_before_ms > now &&
		    (!soonest || request->not_before_ms < soonest->not_before_ms))
			soonest = request;
	if (soonest)
		snprintf(progress->retry_note, sizeof(progress->retry_note), "%s %.100s, retry %d of %d in %lld s",
			 soonest->retry_reason, api->host, soonest->retry_number, soonest->retry_max,
			 (long long)((soonest->not_before_ms - now + 999) / 1000));
}

static void check_kind(const char *function, const char *kind)
{
	if (!*kind)
		die(3, "%s: empty kind", function);
	for (const char *c = kind; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || *c == '_'))
			die(3, "%s: bad kind \"%s\"", function, kind);
}

void api_read_object(struct api *api, const char *kind, int64_t id, api_read_done *done, void *context)
{
	struct api_request *request;

	check_kind("api_read_object", kind);
	request = request_new(api, REQUEST_READ, HTTP_GET,
			      xasprintf("/api/v1/%s/%lld", kind, (long long)id));
	if (strcmp(kind, "endpoint") == 0)
		request->object_limit = &api->endpoint_get_limit;
	else if (strcmp(kind, "sim") == 0)
		request->object_limit = &api->sim_get_limit;
	request->done = done;
	request->context = context;
	request_append(api, request);
}

void api_read_live(struct api *api, enum api_live what, int64_t endpoint_id, int64_t page, api_read_done *done,
		   void *context)
{
	char *path = what == API_LIVE_EVENTS
		/* Newest first: emnify sorts lists by id unless told (a recorded event list says
		 * x-sort: id), and documents "-" for descending (reference §2). */
		? xasprintf("/api/v1/endpoint/%lld/event?page=%lld&per_page=%d&sort=-id", (long long)endpoint_id,
			    (long long)(page > 0 ? page : 1), API_EVENTS_PER_PAGE)
		: xasprintf("/api/v1/endpoint/%lld/%s", (long long)endpoint_id, live_routes[what].route);
	struct api_request *request = request_new(api, REQUEST_READ, HTTP_GET, path);
	request->object_limit = &api->live_limits[what];
	request->unpaced = api_live_pace(api) == 0 && api->rate_limits;
	request->done = done;
	request->context = context;
	request_append(api, request);
}

void api_send_change(struct api *api, const char *path, char *body, bool endpoint_change, api_read_done *done,
		     void *context)
{
	struct api_request *request = request_new(api, REQUEST_PATCH, HTTP_PATCH, xstrdup(path));

	request->body = body;
	request->report_throttle = true;
	request->endpoint_change = endpoint_change;
	request->done = done;
	request->context = context;
	request_append(api, request);
}

void api_read_page(struct api *api, const char *kind, int64_t page, api_page_done *done, void *context)
{
	struct api_request *request;
	int per_page = strcmp(kind, "endpoint") == 0 ? EMNIFY_ENDPOINT_PAGE_MAX : EMNIFY_SIM_PAGE_MAX;

	check_kind("api_read_page", kind);
	request = request_new(api, REQUEST_LIST, HTTP_GET,
			      xasprintf("/api/v1/%s?page=%lld&per_page=%d", kind, (long long)page, per_page));
	request->page_done = done;
	request->context = context;
	request_append(api, request);
}

void api_timer(struct api *api, int64_t delay_ms, api_timer_done *done, void *context)
{
	struct api_timer *timer = xcalloc(1, sizeof(*timer));

	timer->due_ms = util_now_ms() + (delay_ms > 0 ? delay_ms : 0);
	timer->done = done;
	timer->context = context;
	timer->next = api->timers;
	api->timers = timer;
}

void api_cancel_context(struct api *api, const void *context)
{
	struct api_request *request = api->head;

	while (request) {
		struct api_request *next = request->next;
		if ((request->kind == REQUEST_READ || request->kind == REQUEST_PATCH || request->kind == REQUEST_LIST) &&
		    request->context == context)
			request_drop(api, request);
		request = next;
	}
	for (struct api_timer **link = &api->timers; *link;) {
		struct api_timer *timer = *link;
		if (timer->context == context) {
			*link = timer->next;
			free(timer);
		} else {
			link = &timer->next;
		}
	}
}

int64_t api_workspace(const struct api *api, char *name, size_t size)
{
	if (size)
		snprintf(name, size, "%s", api->workspace_name);
	return api->workspace_id;
}

void api_window(const struct api *api, size_t *calls, int64_t *window_ms)
{
	*calls = api->ip_window.limit;
	*window_ms = api->ip_window.window_ms;
}

double api_rate(const struct api *api)
{
	return api->rate;
}

double api_live_rate(const struct api *api, enum api_live what)
{
	return api->rate_limits ? live_routes[what].rate : 0;
}

double api_live_pace(const struct api *api)
{
	return api->rate_limits && !api->rate_chosen ? 0 : api->rate;
}

void api_set_rate(struct api *api, double rate)
{
	int64_t now = util_now_ms();

	if (rate > 0)
		api->rate = rate;
	init_ip_limit(api, now);
	ratelimit_restart(&api->ip_limit, now);
}

bool api_busy(const struct api *api)
{
	return api->head || api->auth || api->progress.running || api->timers || api->want_token;
}

void api_authenticate(struct api *api)
{
	api->auth_error[0] = '\0';
	if (!have_token(api, util_now_ms()))
		api->want_token = true;
}

int api_authenticated(const struct api *api, char *message, size_t size)
{
	if (api->auth_error[0]) {
		snprintf(message, size, "%s", api->auth_error);
		return 0;
	}
	return api->want_token ? -1 : 1;
}

void api_wait(struct api *api, int extra_fd, int timeout_ms, bool *extra_ready)
{
	int64_t deadline = pump(api);

	if (deadline != API_NO_DEADLINE) {
		int64_t until = deadline - util_now_ms();
		if (until < 0)
			until = 0;
		if (until > INT_MAX)
			until = INT_MAX;
		if (timeout_ms < 0 || until < timeout_ms)
			timeout_ms = (int)until;
	}
	http_wait(api->http, extra_fd, timeout_ms, extra_ready);
	/* Queue what the completions made possible, so it goes out at the next wait. */
	pump(api);
}

void api_stats(const struct api *api, struct api_stats *stats)
{
	*stats = api->stats;
}
