/* emnify.h — what emnify's API sends, mapped to our records. No curl, no curses.
 *
 * Parsers take a body exactly as received (not NUL-terminated) and never trust it: a body that
 * is not what the API sends gives EMNIFY_BAD_RESPONSE and a message naming what was wrong. */
#ifndef SIMTOP_EMNIFY_H
#define SIMTOP_EMNIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fleet.h"

/* per_page maxima of the list calls. */
#define EMNIFY_SIM_PAGE_MAX 2500
#define EMNIFY_ENDPOINT_PAGE_MAX 1000
#define EMNIFY_DEFAULT_BASE "https://cdn.emnify.net"

enum emnify_result {
	EMNIFY_OK = 0,
	EMNIFY_BAD_RESPONSE,
};

/* Parse one List SIMs page (a bare JSON array) into fleet; *count receives the number of SIMs.
 * On error nothing is added and message (size bytes) says why. */
enum emnify_result emnify_parse_sim_page(const char *body, size_t length, struct fleet *fleet,
					 size_t *count, char *message, size_t size);
enum emnify_result emnify_parse_endpoint_page(const char *body, size_t length, struct fleet *fleet,
					      size_t *count, char *message, size_t size);

/* Paging headers of a list response. Zero when absent. */
struct emnify_paging {
	int64_t total_count;
	int64_t total_pages;
	int64_t current_page;
	int64_t per_page;
};
/* Feed one raw header line ("X-Total-Pages: 3\r\n"); names match case-insensitively. */
void emnify_paging_header(struct emnify_paging *paging, const char *line, size_t length);

/* Parse the body of POST /api/v1/authenticate: the auth_token (caller frees) and the JWT's
 * exp claim (seconds since the epoch; 0 when the token carries none). */
enum emnify_result emnify_parse_auth(const char *body, size_t length, char **token, int64_t *expires,
				     char *message, size_t size);
/* exp claim of a JWT (base64url middle segment); false when it has none or is malformed. */
bool emnify_jwt_expiry(const char *jwt, int64_t *expires);

/* A one-line human message for an error response: both JSON shapes
 * ({error_code,error_token,message,errors[]} and the gateway's {message}), empty bodies and
 * non-JSON bodies (HTML from a proxy) are all described, with the HTTP status. */
void emnify_error_message(long http_status, const char *body, size_t length, char *message, size_t size);

/* Request bodies. Caller frees. */
char *emnify_auth_body(const char *application_token);
char *emnify_status_body(int status_id);

#endif
