/* http.h — a thin wrapper around one libcurl multi handle.
 *
 * Requests (method, URL, headers, body) start as they are submitted, at most `parallel` at
 * once: the caller (api.c) keeps the queue, because only it knows the rate limits and the
 * order requests must go in. Connections are kept alive and reused.
 * Nothing blocks except http_wait(), which sleeps in curl_multi_poll() on the transfers, on one
 * extra descriptor (the terminal) and until a timeout, then runs the completion callbacks.
 *
 * Every transfer is bounded three ways: opening the connection (connect_timeout_ms), silence
 * (a transfer that moves less than one byte a second for silence_ms is abandoned: a server
 * that accepted the connection and never answers ends it) and the request's own timeout_ms.
 *
 * Proxies: https follows libcurl's environment (https_proxy, all_proxy, no_proxy). A plain-http
 * URL never goes through a proxy: simtop speaks plain http only to loopback (the emulator, the
 * demo), and a proxy from http_proxy or all_proxy would see the token in the clear.
 *
 * TLS verification is never disabled. Redirects are not followed. PATCH and DELETE always open
 * a fresh connection: libcurl replays a request by itself when a reused connection turns out
 * dead, and a change must never be sent twice without the caller knowing. Bodies are decompressed
 * (Accept-Encoding: every encoding libcurl supports). This file and api.c are the only ones
 * that know about libcurl; nothing here knows about emnify. */
#ifndef SIMTOP_HTTP_H
#define SIMTOP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum http_method {
	HTTP_GET,
	HTTP_POST,
	HTTP_PATCH,
	HTTP_DELETE,
};

/* Why no response arrived. Callers decide which are worth a retry. */
enum http_failure {
	HTTP_FAILURE_NONE = 0,  /* a response arrived, whatever its status */
	HTTP_FAILURE_CONNECT,   /* connection refused or host unreachable */
	HTTP_FAILURE_DROPPED,   /* reset, empty reply, cut short while sending or receiving */
	HTTP_FAILURE_TIMEOUT,   /* the per-request timeout passed */
	HTTP_FAILURE_RESOLVE,   /* the host name did not resolve */
	HTTP_FAILURE_TLS,       /* handshake or certificate failure: retrying will not help */
	HTTP_FAILURE_TOO_LARGE, /* the body passed HTTP_BODY_MAX */
	HTTP_FAILURE_OTHER,
};

/* A response larger than this is abandoned: no list page of the API comes near it. */
#define HTTP_BODY_MAX (256u * 1024u * 1024u)

/* What the completion callback sees. Every pointer is valid only during the callback. */
struct http_response {
	long status;                /* HTTP status; 0 when failure != HTTP_FAILURE_NONE */
	enum http_failure failure;
	const char *error;          /* libcurl's description of the failure; "" without one */
	const char *body;           /* NUL-terminated after body_length bytes; never NULL */
	size_t body_length;
	/* Header lines of the final response exactly as received ("Name: value\r\n"), without
	 * the status line; earlier blocks (100 Continue, proxies) are dropped. */
	const char *const *header_lines;
	const size_t *header_lengths;
	size_t header_count;
	const char *content_type;   /* NULL when the response had none */
	int64_t elapsed_ms;
	struct http_request *request; /* the library's own, for http_take_body() */
};

struct http;
struct http_request;

/* Called exactly once per request, from http_wait(), unless the request was cancelled first.
 * It may submit or cancel other requests (but not its own: it is already finished). */
typedef void http_done(void *context, const struct http_response *response);

/* parallel: transfers running at most (>= 1). user_agent is copied. connect_timeout_ms bounds
 * opening a connection, silence_ms how long a transfer may move less than a byte a second
 * (libcurl counts it in whole seconds: it is rounded up, to 1 s at least). Never NULL. */
struct http *http_new(int parallel, const char *user_agent, long connect_timeout_ms, long silence_ms);
/* Cancels everything still running without calling their callbacks. */
void http_free(struct http *http);

/* Start a request; only while http_free_slots() > 0. url, each header line ("Name: value")
 * and body are copied; the copy of the body is wiped before it is freed, because it may hold
 * a secret. body may be NULL for no body. timeout_ms bounds the whole transfer (connect
 * included); 0 means none. The transfer advances in http_wait(). The returned handle stays
 * valid until the callback has run or http_cancel(). Never NULL. */
struct http_request *http_submit(struct http *http, enum http_method method, const char *url,
				 const char *const *headers, size_t header_count,
				 const char *body, size_t body_length, long timeout_ms,
				 http_done *done, void *context);
/* Stop a request; its callback is not called. */
void http_cancel(struct http *http, struct http_request *request);

/* Requests running now, and how many more could start at once. */
int http_running(const struct http *http);
int http_free_slots(const struct http *http);
/* Monotonic time (util_now_ms) the last byte of any response arrived; 0 before the first. */
int64_t http_last_received_ms(const struct http *http);

/* Wait up to timeout_ms (-1: until something happens; 0: do not sleep) for a transfer or for
 * extra_fd (-1: none) to become readable, then advance the transfers and run the callbacks of
 * those that finished. *extra_ready (may be NULL) tells whether extra_fd is readable. */
void http_wait(struct http *http, int extra_fd, int timeout_ms, bool *extra_ready);
/* Make a http_wait() under way (or the next one) return at once. The only call that may be
 * made from another thread. */
void http_wakeup(struct http *http);

/* Called from a done callback only: the response's body, NUL-terminated after
 * response->body_length bytes, is the caller's from now on (to free()), instead of a copy; a
 * page of a list is most of a megabyte. response->body must not be read after. */
char *http_take_body(const struct http_response *response);

/* Value of the first header named name (case-insensitive) in the response, with surrounding
 * blanks and the line end removed; false when there is none. */
bool http_response_header(const struct http_response *response, const char *name,
			  const char **value, size_t *length);

#endif
