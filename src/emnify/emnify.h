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
#include "model.h"
#include "transport.h"

/* per_page maxima of the list calls. */
#define EMNIFY_SIM_PAGE_MAX 2500
#define EMNIFY_ENDPOINT_PAGE_MAX 1000
#define EMNIFY_DEFAULT_BASE "https://cdn.emnify.net"

enum emnify_result {
	EMNIFY_OK = 0,
	EMNIFY_BAD_RESPONSE,
};

/* What one list page held. */
struct emnify_page {
	struct fleet_page_ids ids;  /* how many records, and their ids in order */
	bool repeated;              /* the ids of an earlier page of its list: nothing was added */
	size_t sims_without_status; /* endpoint page: SIMs it names without their status, which
				     * only the SIM list can then tell */
};

/* Parse one List SIMs page (a bare JSON array) into fleet; *page (may be NULL) receives what
 * it held. number is the page's number in its list, or 0: a numbered page is noted in the
 * fleet (fleet_note_page), and one that repeats an earlier page of its list is a page served
 * again — past the end, the API answers with the last page — so its records, which are in the
 * fleet already, are not added again and not counted as duplicates. On error nothing is
 * added, page->ids.count is 0 and message (size bytes) says why, naming the item as jq counts
 * it ("endpoint page item 12: missing status.id"). message may be NULL.
 *
 * Every item must be an object with a positive integer "id" and a "status" object whose "id"
 * is a known status; a nested "endpoint" (SIM) or "sim" (endpoint) object, when present and
 * not null, must have an id too (the nested SIM's status may be left out). Strings are
 * cleaned with text_clean() and bounded to 512 bytes; null or absent strings are NULL in the
 * records; a string field of another type is an error. Ids are read through cJSON's double,
 * so ids above 2^53 are refused (emnify's are far below). */
enum emnify_result emnify_parse_sim_page(const char *body, size_t length, struct fleet *fleet, int64_t number,
					 struct emnify_page *page, char *message, size_t size);
enum emnify_result emnify_parse_endpoint_page(const char *body, size_t length, struct fleet *fleet,
					      int64_t number, struct emnify_page *page, char *message,
					      size_t size);

/* The same in two steps, so that pages can be parsed on another thread while the fleet is
 * the event loop's: emnify_parse_page() reads a page (as above) into records, touching no
 * fleet and safe to call on any thread; NULL, with message, when the page is refused.
 * emnify_add_page() then adds its records to fleet, as the calls above do, and *page (may be
 * NULL) receives what it held. The parsed page is freed with emnify_parsed_page_free(). */
struct emnify_parsed_page;
/* Install cJSON's allocation hooks (once; later calls do nothing). Call before pages are
 * parsed on a thread other than the one using cJSON meanwhile: the hooks are global. */
void emnify_init(void);
/* Free the calling thread's page arena (its blocks stay between pages otherwise): a thread
 * that parsed pages calls it before it ends. */
void emnify_thread_end(void);
struct emnify_parsed_page *emnify_parse_page(enum fleet_list list, const char *body, size_t length, char *message,
					     size_t size);
void emnify_add_page(struct emnify_parsed_page *parsed, struct fleet *fleet, int64_t number,
		     struct emnify_page *page);
void emnify_parsed_page_free(struct emnify_parsed_page *parsed);

/* Paging headers of a list response. Zero when absent. */
struct emnify_paging {
	int64_t total_count;
	int64_t total_pages;
	int64_t current_page;
	int64_t per_page;
};
/* Feed one raw header line ("X-Total-Pages: 3\r\n", not NUL-terminated); names match
 * case-insensitively, white space around names and values is ignored, and the newer backend's
 * X-Pages, X-Page and X-Per-Page count as well. Other lines and bad numbers change nothing. */
void emnify_paging_header(struct emnify_paging *paging, const char *line, size_t length);

/* Parse the body of POST /api/v1/authenticate: the auth_token (caller frees) and the JWT's
 * exp claim (seconds since the epoch; 0 when the token carries none). A token with characters
 * a JWT cannot hold (it goes into a header line) is refused. On error *token is NULL. */
enum emnify_result emnify_parse_auth(const char *body, size_t length, char **token, int64_t *expires,
				     char *message, size_t size);
/* exp claim of a JWT (base64url middle segment); false when it has none or is malformed. */
bool emnify_jwt_expiry(const char *jwt, int64_t *expires);
/* The workspace a JWT belongs to: its esc.org claim (0 when absent) and esc.orgName (cleaned,
 * "" when absent) into name. false when the JWT cannot be read. */
bool emnify_jwt_workspace(const char *jwt, int64_t *organisation, char *name, size_t size);

/* Statuses as read back, from GET /endpoint/{id} or GET /sim/{id} (endpoint false): *object
 * as transport.h describes it. A nested SIM without a status gives SIM_NONE. */
enum emnify_result emnify_parse_object(const char *body, size_t length, bool endpoint,
				       struct transport_object *object, char *message, size_t size);
/* The same for every item of an endpoint list page; *objects (caller frees) and *count. */
enum emnify_result emnify_parse_object_page(const char *body, size_t length, struct transport_object **objects,
					    size_t *count, char *message, size_t size);
/* True when body is one of emnify's own error objects (a JSON object with a numeric
 * error_code), as opposed to a gateway's or an edge firewall's page. */
bool emnify_is_error_object(const char *body, size_t length);

/* A one-line human message for an error response: both JSON shapes
 * ({error_code,error_token,message,errors[]} and the gateway's {message}), empty bodies and
 * non-JSON bodies (HTML from a proxy) are all described, with the HTTP status:
 *   HTTP 422: Update endpoint validation error: Service profile … not found. (InputValidationFailed 1400)
 *   HTTP 401: token contains an invalid number of segments
 *   HTTP 422 with an empty body
 *   HTTP 502 with a non-JSON body: <html> <head><title>502 Bad Gateway… (first 60 characters)
 * Everything quoted is cleaned (text_clean); the message is cut to size without splitting a
 * character. body need not be NUL-terminated and may be NULL when length is 0. */
void emnify_error_message(long http_status, const char *body, size_t length, char *message, size_t size);

/* --- live state: GET /api/v1/endpoint/{id}/connectivity, /stats and /event ------------------
 * The connectivity and stats shapes are documented only in part (reference §7): what is read is
 * what the documents and recordings show, and anything else present is ignored. Texts are
 * cleaned and cut to their buffers; an absent text is "". */
struct emnify_connectivity {
	enum connectivity state;      /* CONNECTIVITY_UNKNOWN for a word emnify does not document */
	char word[24];                /* status.description as sent */
	char operator_name[64];       /* location.operator (its name), "" when absent */
	char country[64];             /* location.country (its name) */
	char rat_type[32];            /* pdp_context.rat_type (its description, or the number) */
	char apn[64];                 /* pdp_context.apn */
	char updated[40];             /* when the network last said so: location.last_updated, or
				       * pdp_context.created */
};
/* A JSON object with status.description; BAD_RESPONSE without one. */
enum emnify_result emnify_parse_connectivity(const char *body, size_t length, struct emnify_connectivity *out,
					     char *message, size_t size);

/* One month of GET /endpoint/{id}/stats. emnify leaves a month without traffic out. */
struct emnify_month {
	bool present;
	double data_mb;               /* data.volume (MB) */
	double data_cost;             /* data.cost */
	double sms;                   /* sms.volume (messages) */
	char currency[8];             /* data.currency's code, when sent */
};
struct emnify_usage {
	struct emnify_month current_month, last_month;
};
/* A JSON object (months absent are not present, and count as no traffic); BAD_RESPONSE
 * otherwise, or when a month is not an object or a volume not a number. */
enum emnify_result emnify_parse_usage(const char *body, size_t length, struct emnify_usage *out, char *message,
				      size_t size);

/* An event of GET /endpoint/{id}/event. */
struct emnify_event {
	char timestamp[40];
	char type[64];                /* event_type.description */
	char description[256];
	bool alert;
};
/* A JSON array of events; the first max go to events (*count of them). */
enum emnify_result emnify_parse_events(const char *body, size_t length, struct emnify_event *events, size_t max,
				       size_t *count, char *message, size_t size);

/* Request bodies. Caller frees. */
char *emnify_auth_body(const char *application_token);
char *emnify_status_body(int status_id);
/* PATCH /api/v2/endpoint/multi: [{"id":…,"status":{"id":…}},…] */
char *emnify_endpoints_body(const struct transport_endpoint_change *changes, size_t count);

#endif
