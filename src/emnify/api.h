/* api.h — the emnify client: authentication, paged loading, single reads, retries.
 *
 * One struct api owns a libcurl multi handle. Nothing blocks: callers start work, then call
 * api_wait() from the event loop, which sleeps until a transfer, a timer or the caller's own
 * descriptor (the terminal) is ready, and advances everything that can advance.
 *
 * Policy (DESIGN.md §4): authenticate with the application token, read the JWT's exp and
 * re-authenticate a minute before it; re-authenticate once after a 401, a second 401 in a row is
 * API_ERROR_AUTH. Lists are paged with the largest per_page, pages fetched in parallel within the
 * rate limits, stopping on X-Total-Pages. Reads: 5xx and dropped connections are retried with
 * exponential back-off and jitter up to RATELIMIT_RETRY_MAX attempts; 429s (nothing was done,
 * the limit was only reached) up to API_THROTTLE_RETRY_MAX; Retry-After is honoured. A
 * connection that fails before the API ever answered (nothing listening, bad host) is tried
 * only a few times, quickly, so a wrong URL is reported within seconds. Changes (PATCH) follow
 * a stricter policy, described at api_send_change().
 *
 * Every request takes a token of the overall pace (RATELIMIT_DEFAULT_RATE, about 100 ms between
 * calls as emnify advises, or the rate the caller sets) and, with rate_limits, counts against
 * emnify's per-IP window: at most 2,000 calls in any 5 minutes (less a 5% margin; the window's
 * size and length are options), kept as a sliding window of the calls sent. List calls,
 * authentication and single GETs of an endpoint or a SIM also take one of their route's
 * bucket (published limits; with rate_limits only). Endpoint changes go one at a time: one
 * that changes endpoints (api_send_change) never starts while another is in flight.
 * A throttled answer is a 429, or a 403 whose body is not emnify's error object — an edge
 * firewall's block once the per-IP window is spent; both applied nothing.
 * A 429 halves the overall pace (once a second at most) and successes bring it back to the set
 * rate step by step, so a rate set above what the API grants settles just under it.
 *
 * Nothing waits forever. A connection must open within API_CONNECT_TIMEOUT_MS; a request that
 * moves less than a byte a second for API_SILENCE_MS is abandoned (libcurl's low-speed limit),
 * and none lasts longer than API_DEFAULT_TIMEOUT_MS. So a request the server accepted and
 * never answers ends within API_SILENCE_MS + 1 s for a GET, and for a PATCH, whose few body
 * bytes libcurl averages over its last 5 seconds, within API_SILENCE_MS + 6 s (21 s). When requests
 * wait and the API has sent no byte of any response for API_GIVE_UP_MS, the api gives up on
 * them: the load fails and every read queued, waiting or running fails, with "no answer from
 * HOST for 2 minutes: ..." (a PATCH in flight ends by its own timeout). From then until the
 * API is heard again or a new load starts, a request that gets no answer is not retried, so
 * a job's remaining read-backs end within one request's bounds each.
 *
 * The token is never part of a message, a log line or an error text.
 *
 * Test hooks, read from the environment by api_new() when set to a positive number of
 * milliseconds, so that fault-injection runs finish quickly:
 *   SIMTOP_BACKOFF_BASE_MS  replaces RATELIMIT_BACKOFF_BASE_MS;
 *   SIMTOP_SILENCE_MS       replaces API_SILENCE_MS; the connect timeout is then at most that,
 *                           and the whole-request timeout twice that;
 *   SIMTOP_GIVE_UP_MS       replaces API_GIVE_UP_MS. */
#ifndef SIMTOP_API_H
#define SIMTOP_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fleet.h"

/* Attempts a request gets through 429s before it fails: generous, because a 429 applied
 * nothing and only says to slow down. */
#define API_THROTTLE_RETRY_MAX 30

/* The bounds described above. */
#define API_CONNECT_TIMEOUT_MS 10000L
#define API_SILENCE_MS 15000L
#define API_DEFAULT_TIMEOUT_MS (2 * API_SILENCE_MS)
#define API_GIVE_UP_MS 120000L

enum api_error {
	API_OK = 0,
	API_ERROR_AUTH,         /* the API rejected the token */
	API_ERROR_UNREACHABLE,  /* DNS, connect, TLS or repeated dropped connections */
	API_ERROR_BAD_RESPONSE, /* a body or header that is not what the API sends */
	API_ERROR_HTTP,         /* any other HTTP failure, after retries */
};

struct api_options {
	const char *base_url;   /* scheme://host[:port], without /api/v1 */
	const char *token;      /* application token; copied, never logged */
	const char *token_source; /* where it came from, for the rejection message, or NULL */
	bool rate_limits;       /* keep within emnify's published limits (default true) */
	double rate;            /* requests per second for everything; 0: RATELIMIT_DEFAULT_RATE
				 * (with rate_limits; unlimited without). A rate set here is kept
				 * even when rate_limits is false. */
	size_t window_calls;    /* the per-IP window: calls (0: 2,000) in window_seconds (0: 300) */
	double window_seconds;
	int parallel;           /* transfers in flight at most; 0 picks a default */
	long timeout_ms;        /* per request; 0 picks a default */
};

struct api;

/* Never NULL. The options are copied. */
struct api *api_new(const struct api_options *options);
void api_free(struct api *api);

/* Load the fleet (owned by the caller, which must keep it alive until the load ends or
 * api_cancel_load()). Only one load at a time; starting one cancels the previous.
 *
 * The endpoint list gives every endpoint with its SIM (emnify embeds id, ICCID, IMSI, MSISDN
 * and status); then the SIM list gives the SIMs no endpoint holds, asked for as emnify's own
 * SDK does, with q=endpoint:null. A backend that ignores q sends every SIM, which the join
 * takes in as a full load would; one that refuses q (400 or 422) is asked for every SIM
 * instead, for the rest of the api's life, and the load's note says so once; and when an
 * endpoint page names a SIM without its status, every SIM is listed too, to learn it. */
void api_load_start(struct api *api, struct fleet *fleet);
void api_cancel_load(struct api *api);

struct api_load_progress {
	bool running;
	bool done;              /* every page of both lists arrived */
	int64_t records_total;  /* X-Total-Count of the lists known so far; 0 until one is */
	int64_t records_loaded;
	int pages_total;        /* 0 until known */
	int pages_done;
	int retries;            /* requests retried so far (429, 5xx, dropped) */
	bool total_changed;     /* X-Total-Count moved during the load: the fleet changed under
				 * it, so a refresh will find more (or fewer) records */
	enum api_error error;   /* set when the load failed; running is then false */
	char message[512];      /* what failed and what to do, when error != API_OK */
	/* While a request of the load waits to be retried, a line for the operator: what went
	 * wrong, the API's host, the retry and the seconds left, computed when
	 * api_load_progress() is called ("no answer from cdn.emnify.net, retry 2 of 7 in 8 s");
	 * "" when no retry waits. Cleaned: safe to draw. */
	char retry_note[200];
	/* What the operator should know about how the fleet was loaded ("the API refused the SIM
	 * list's filter …"), "" for nothing. Cleaned. */
	char note[200];
};
void api_load_progress(const struct api *api, struct api_load_progress *progress);

/* Read one SIM ("sim") or endpoint ("endpoint") by id. done is called exactly once from
 * api_wait() with the HTTP status (0 on transport failure), the body (not NUL-terminated,
 * valid only during the call; NULL or empty when there is none, as on a 204) and, on failure
 * (after retries, or when authentication failed), a message; error_message is NULL on
 * success (2xx). kind must be a lower-case API word: anything else is a programming error. */
typedef void api_read_done(void *context, long http_status, const char *body, size_t length,
			   const char *error_message);
void api_read_object(struct api *api, const char *kind, int64_t id, api_read_done *done, void *context);

/* The network's view of one endpoint, read as a device view opens (never in the background):
 * GET /api/v1/endpoint/{id}/connectivity, /stats, or /event?page=PAGE (API_EVENTS_PER_PAGE a
 * page, newest first). Each route keeps to its own limit as well as the per-IP window. done
 * as for api_read_object(). */
enum api_live {
	API_LIVE_CONNECTIVITY,
	API_LIVE_STATS,
	API_LIVE_EVENTS,
	API_LIVE_COUNT
};
#define API_EVENTS_PER_PAGE 10
void api_read_live(struct api *api, enum api_live what, int64_t endpoint_id, int64_t page, api_read_done *done,
		   void *context);

/* Send a change: PATCH path ("/api/v1/sim/ID", "/api/v2/endpoint/multi") with body (taken
 * over; JSON). done is called exactly once from api_wait(), like a read's:
 *   2xx (emnify answers 204 with an empty body)  success; error_message is NULL.
 *   401  the token is renewed once and the PATCH replayed (a 401 applied nothing); a second
 *        401 is reported as 401 with a message.
 *   429, or a 403 that is not emnify's error object (an edge's block)  nothing was applied:
 *        reported at once, for the caller to pause and send again.
 *   other 4xx  reported at once with the status, the body and emnify's message.
 *   5xx, a timeout or a connection dropped after sending  reported at once (status 0 for the
 *        transport failures) and NEVER sent again: the change may or may not have been
 *        applied, and only the caller can settle that, by reading the object back. A
 *        connection that could not be opened at all sent nothing and is retried like a read.
 * Every PATCH goes out on a fresh connection, so that libcurl never replays it on its own
 * after a kept-alive connection turned out dead. endpoint_change: it changes endpoints, and
 * waits for any other such change in flight (emnify: one at a time). */
void api_send_change(struct api *api, const char *path, char *body, bool endpoint_change, api_read_done *done,
		     void *context);

/* Read one page (from 1) of the "endpoint" or "sim" list with the largest per_page, for a
 * caller rather than the fleet: done gets the body and X-Total-Pages (1 when absent), or a
 * failure like a read's. Takes a token of the list bucket. */
typedef void api_page_done(void *context, long http_status, const char *body, size_t length, int64_t total_pages,
			   const char *error_message);
void api_read_page(struct api *api, const char *kind, int64_t page, api_page_done *done, void *context);

/* Call done from api_wait() after delay_ms. */
typedef void api_timer_done(void *context);
void api_timer(struct api *api, int64_t delay_ms, api_timer_done *done, void *context);

/* Drop every read, PATCH, page and timer queued or in flight whose context is context,
 * without calling done. A dropped PATCH may still reach emnify. */
void api_cancel_context(struct api *api, const void *context);

/* Authenticate now unless a token is held, as api_wait() goes on; api_authenticated() says
 * -1 while that runs, 1 once a token is held, 0 when it failed (with the message). */
void api_authenticate(struct api *api);
int api_authenticated(const struct api *api, char *message, size_t size);

/* The workspace of the current token: the JWT's esc.org (returned; 0 before the first
 * authentication or when the claim is absent) and esc.orgName into name. */
int64_t api_workspace(const struct api *api, char *name, size_t size);
/* The per-IP window in force: calls (0: none) per window_ms. */
void api_window(const struct api *api, size_t *calls, int64_t *window_ms);

/* The job engine's transport (transport.h) over this api, in api_transport.c. The transport's
 * rate and window are the api's when it is made: make it after api_set_rate(). Free with
 * api_transport_free() before the api. SIMTOP_BULK_MAX (a test hook) lowers bulk_max. */
struct transport *api_transport_new(struct api *api);
void api_transport_free(struct transport *transport);

/* Reads and PATCHes still queued or running when api_free() is called are dropped without a
 * call. */

/* The overall rate in requests per second (0: unlimited). api_set_rate(): rate > 0 sets a new
 * one for the requests that start from now on, with a burst of one second's worth (a rate the
 * operator sets means that many in any second); 0 keeps the rate as it is. Either way the
 * overall bucket starts over with a single token, so what was saved up while idle or loading
 * is no burst: a job started after it keeps to the rate from its first request. */
double api_rate(const struct api *api);
/* Calls per second a live route allows (0 without rate limits). */
double api_live_rate(const struct api *api, enum api_live what);
/* The overall pace live reads keep besides: none (0) under emnify's limits, where each route's
 * own limit and the per-IP window already bound them; the rate the operator chose otherwise. */
double api_live_pace(const struct api *api);
void api_set_rate(struct api *api, double rate);

/* True while any request is queued, in flight or waiting for a retry. */
bool api_busy(const struct api *api);

/* Wait at most timeout_ms (-1: until something happens) for transfers, timers or extra_fd
 * (-1: none) to be readable; then run completions. *extra_ready tells whether extra_fd is. */
void api_wait(struct api *api, int extra_fd, int timeout_ms, bool *extra_ready);

/* Counters for tests and benchmarks. */
struct api_stats {
	int64_t requests;       /* sent, retries included */
	int64_t authentications;
	int64_t retries;
	int64_t throttled;      /* 429s received */
	int64_t patches;        /* PATCHes sent, replays after 401/429 included */
	int64_t bytes_received;
};
void api_stats(const struct api *api, struct api_stats *stats);

#endif
