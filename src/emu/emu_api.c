/* emu_api.c — the emnify routes. */
#include "emu_api.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu_body.h"
#include "emu_buf.h"
#include "emu_http.h"
#include "emu_live.h"
#include "emu_query.h"
#include "emu_render.h"
#include "emu_stall.h"

/* Largest page each list serves, and what it serves when per_page is absent or useless. */
#define SIM_PER_PAGE_DEFAULT 2000
#define SIM_PER_PAGE_MAX 2500
#define ENDPOINT_PER_PAGE_DEFAULT 1000
#define ENDPOINT_PER_PAGE_MAX 1000
/* The endpoint event list: 100 is the recorded default; INFERRED, the maximum is the endpoint
 * list's (no maximum is documented). */
#define EVENT_PER_PAGE_DEFAULT 100
#define EVENT_PER_PAGE_MAX 1000

enum route_kind {
	ROUTE_UNKNOWN,
	ROUTE_AUTHENTICATE,
	ROUTE_SIM_LIST,
	ROUTE_SIM_ONE,
	ROUTE_ENDPOINT_LIST,
	ROUTE_ENDPOINT_ONE,
	ROUTE_ENDPOINT_MULTI,
	ROUTE_CONNECTIVITY,      /* GET /api/v1/endpoint/{id}/connectivity */
	ROUTE_ENDPOINT_STATS,    /* GET /api/v1/endpoint/{id}/stats */
	ROUTE_ENDPOINT_EVENTS,   /* GET /api/v1/endpoint/{id}/event */
};

struct route {
	enum route_kind kind;
	char id[64];            /* the {id} path segment as sent (cut at 63 bytes) */
};

/* --- small helpers ------------------------------------------------------------------------ */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static double monotonic_seconds(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec delay = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&delay, &delay) != 0 && errno == EINTR)
		;
}

/* "sim" + rest: match a collection name followed by the end, "/", "/{id}" or "/{id}/". */
static bool match_collection(const char *path, const char *name, enum route_kind list,
			     enum route_kind one, struct route *route)
{
	size_t length = strlen(name);
	if (strncmp(path, name, length) != 0)
		return false;
	const char *rest = path + length;
	if (*rest == '\0' || strcmp(rest, "/") == 0) {
		route->kind = list;
		return true;
	}
	if (*rest != '/')
		return false;
	rest++;
	const char *slash = strchr(rest, '/');
	size_t id_length = slash ? (size_t)(slash - rest) : strlen(rest);
	if (id_length == 0 || (slash && slash[1] != '\0'))
		return false; /* deeper paths: match_endpoint_part */
	if (id_length >= sizeof route->id)
		id_length = sizeof route->id - 1;
	memcpy(route->id, rest, id_length);
	route->id[id_length] = '\0';
	route->kind = one;
	return true;
}

/* "endpoint/{id}/connectivity", ".../stats" or ".../event", with or without a final "/". Other
 * parts (stats/daily, connectivity_info, sms, ...) are not emulated. */
static bool match_endpoint_part(const char *path, struct route *route)
{
	static const struct {
		const char *name;
		enum route_kind kind;
	} parts[] = {
		{ "connectivity", ROUTE_CONNECTIVITY },
		{ "stats", ROUTE_ENDPOINT_STATS },
		{ "event", ROUTE_ENDPOINT_EVENTS },
	};
	if (strncmp(path, "endpoint/", 9) != 0)
		return false;
	const char *id = path + 9;
	const char *slash = strchr(id, '/');
	if (!slash || slash == id)
		return false;
	const char *part = slash + 1;
	size_t part_length = strcspn(part, "/");
	if (part[part_length] == '/' && part[part_length + 1] != '\0')
		return false;
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		if (strlen(parts[i].name) != part_length || strncmp(part, parts[i].name, part_length) != 0)
			continue;
		size_t id_length = (size_t)(slash - id);
		if (id_length >= sizeof route->id)
			id_length = sizeof route->id - 1;
		memcpy(route->id, id, id_length);
		route->id[id_length] = '\0';
		route->kind = parts[i].kind;
		return true;
	}
	return false;
}

static void resolve_route(const char *url, struct route *route)
{
	memset(route, 0, sizeof *route);
	route->kind = ROUTE_UNKNOWN;
	if (strcmp(url, "/api/v2/endpoint/multi") == 0 || strcmp(url, "/api/v2/endpoint/multi/") == 0) {
		route->kind = ROUTE_ENDPOINT_MULTI;
		return;
	}
	if (strncmp(url, "/api/v1/", 8) != 0)
		return;
	const char *path = url + 8;
	if (strcmp(path, "authenticate") == 0 || strcmp(path, "authenticate/") == 0)
		route->kind = ROUTE_AUTHENTICATE;
	else if (!match_collection(path, "sim", ROUTE_SIM_LIST, ROUTE_SIM_ONE, route) &&
		 !match_collection(path, "endpoint", ROUTE_ENDPOINT_LIST, ROUTE_ENDPOINT_ONE, route))
		match_endpoint_part(path, route);
}

/* True when the route serves this method. */
static bool route_serves(enum route_kind kind, const char *method)
{
	switch (kind) {
	case ROUTE_AUTHENTICATE:
		return strcmp(method, "POST") == 0;
	case ROUTE_SIM_LIST:
	case ROUTE_ENDPOINT_LIST:
	case ROUTE_CONNECTIVITY:
	case ROUTE_ENDPOINT_STATS:
	case ROUTE_ENDPOINT_EVENTS:
		return strcmp(method, "GET") == 0;
	case ROUTE_SIM_ONE:
	case ROUTE_ENDPOINT_ONE:
		return strcmp(method, "GET") == 0 || strcmp(method, "PATCH") == 0;
	case ROUTE_ENDPOINT_MULTI:
		return strcmp(method, "PATCH") == 0;
	default:
		return false;
	}
}

static const char *route_allow(enum route_kind kind)
{
	switch (kind) {
	case ROUTE_AUTHENTICATE:
		return "POST";
	case ROUTE_SIM_ONE:
	case ROUTE_ENDPOINT_ONE:
		return "GET, PATCH";
	case ROUTE_ENDPOINT_MULTI:
		return "PATCH";
	default:
		return "GET";
	}
}

/* The q of a list call, or NULL when it has none. An empty q filters nothing, so it counts as
 * none (INFERRED: emnify's answer to "q=" is not recorded). */
static const char *list_query(struct MHD_Connection *connection)
{
	const char *q = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "q");
	return q && *q ? q : NULL;
}

/* Count the request under its route, if the method is one the route serves; filtered: the list
 * call carries a q. */
static void count_route(struct emu_context *context, enum route_kind kind, const char *method, bool filtered)
{
	bool patch = strcmp(method, "PATCH") == 0;
	if (!route_serves(kind, method))
		return;
	switch (kind) {
	case ROUTE_AUTHENTICATE:
		emu_stats_add(&context->stats, EMU_STAT_authenticate);
		break;
	case ROUTE_SIM_LIST:
		emu_stats_add(&context->stats, EMU_STAT_sim_list);
		if (filtered)
			emu_stats_add(&context->stats, EMU_STAT_sim_list_filtered);
		break;
	case ROUTE_ENDPOINT_LIST:
		emu_stats_add(&context->stats, EMU_STAT_endpoint_list);
		if (filtered)
			emu_stats_add(&context->stats, EMU_STAT_endpoint_list_filtered);
		break;
	case ROUTE_SIM_ONE:
		emu_stats_add(&context->stats, patch ? EMU_STAT_sim_patch : EMU_STAT_sim_get);
		break;
	case ROUTE_ENDPOINT_ONE:
		emu_stats_add(&context->stats, patch ? EMU_STAT_endpoint_patch : EMU_STAT_endpoint_get);
		break;
	case ROUTE_ENDPOINT_MULTI:
		emu_stats_add(&context->stats, EMU_STAT_endpoint_multi);
		break;
	case ROUTE_CONNECTIVITY:
		emu_stats_add(&context->stats, EMU_STAT_connectivity);
		break;
	case ROUTE_ENDPOINT_STATS:
		emu_stats_add(&context->stats, EMU_STAT_endpoint_stats);
		break;
	case ROUTE_ENDPOINT_EVENTS:
		emu_stats_add(&context->stats, EMU_STAT_endpoint_events);
		break;
	default:
		break;
	}
}

static enum emu_limit_route limit_route(enum route_kind kind, const char *method)
{
	bool get = strcmp(method, "GET") == 0;
	switch (kind) {
	case ROUTE_AUTHENTICATE:
		return strcmp(method, "POST") == 0 ? EMU_LIMIT_AUTHENTICATE : EMU_LIMIT_OTHER;
	case ROUTE_SIM_LIST:
	case ROUTE_ENDPOINT_LIST:
		return get ? EMU_LIMIT_LIST : EMU_LIMIT_OTHER;
	case ROUTE_SIM_ONE:
		return get ? EMU_LIMIT_SIM_GET : EMU_LIMIT_OTHER;
	case ROUTE_ENDPOINT_ONE:
		return get ? EMU_LIMIT_ENDPOINT_GET : EMU_LIMIT_OTHER;
	case ROUTE_CONNECTIVITY:
		return get ? EMU_LIMIT_CONNECTIVITY : EMU_LIMIT_OTHER;
	case ROUTE_ENDPOINT_STATS:
		return get ? EMU_LIMIT_ENDPOINT_STATS : EMU_LIMIT_OTHER;
	case ROUTE_ENDPOINT_EVENTS:
		return get ? EMU_LIMIT_ENDPOINT_EVENTS : EMU_LIMIT_OTHER;
	default:
		return EMU_LIMIT_OTHER;
	}
}

/* The PATCHes emnify asks to be sent one at a time. */
static bool changes_endpoints(enum route_kind kind, const char *method)
{
	return (kind == ROUTE_ENDPOINT_ONE || kind == ROUTE_ENDPOINT_MULTI) && strcmp(method, "PATCH") == 0;
}

/* The --forbid bit of the route, or -1 when --forbid cannot name it. */
static int forbidden_route(enum route_kind kind, const char *method)
{
	if (strcmp(method, "PATCH") != 0)
		return -1;
	switch (kind) {
	case ROUTE_SIM_ONE:
		return EMU_API_FORBID_SIM_PATCH;
	case ROUTE_ENDPOINT_ONE:
		return EMU_API_FORBID_ENDPOINT_PATCH;
	case ROUTE_ENDPOINT_MULTI:
		return EMU_API_FORBID_MULTI;
	default:
		return -1;
	}
}

bool emu_api_parse_forbidden(const char *list, uint32_t *routes, char *bad, size_t size)
{
	static const char *const words[EMU_API_FORBID_COUNT] = { "sim-patch", "endpoint-patch", "multi" };
	char *copy = strdup(list);
	if (!copy)
		abort();
	bool known = true;
	char *rest = NULL;
	for (char *word = strtok_r(copy, ",", &rest); word && known; word = strtok_r(NULL, ",", &rest)) {
		int route = 0;
		while (route < EMU_API_FORBID_COUNT && strcmp(word, words[route]) != 0)
			route++;
		if (route == EMU_API_FORBID_COUNT) {
			snprintf(bad, size, "%s", word);
			known = false;
		} else {
			*routes |= 1u << route;
		}
	}
	free(copy);
	return known;
}

/* Parse an {id} as Java's Long.parseLong would: optional sign, decimal digits, 64-bit range. */
static bool parse_long(const char *text, int64_t *value)
{
	const char *p = text;
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '\0')
		return false;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	errno = 0;
	char *end;
	long long parsed = strtoll(text, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return false;
	*value = parsed;
	return true;
}

/* A query parameter as an integer, or fallback when absent or not a number. Numbers beyond
 * 64 bits saturate, so page=99999999999999999999 is simply past the end. */
static int64_t query_integer(struct MHD_Connection *connection, const char *name, int64_t fallback)
{
	const char *text = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, name);
	if (!text)
		return fallback;
	const char *digits = text + (*text == '+' || *text == '-');
	if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits))
		return fallback;
	return strtoll(text, NULL, 10); /* saturates at LLONG_MIN/LLONG_MAX on overflow */
}

/* --- routes -------------------------------------------------------------------------------- */

/* False, with the API's 400 in reply, when the body was too large or could not be read (error
 * says why). */
static bool body_accepted(bool too_large, bool readable, const char *error, struct emu_http_reply *reply)
{
	if (too_large)
		emu_http_reply_error(reply, 400, 1000, "BadRequest", "Request body too large");
	else if (!readable)
		emu_http_reply_error(reply, 400, 1000, "BadRequest", error);
	return !too_large && readable;
}

static void authenticate(struct emu_context *context, const char *body, size_t length, bool too_large,
			 struct emu_http_reply *reply)
{
	struct emu_body parsed;
	char error[160];
	bool readable = !too_large && emu_body_parse(body, length, &parsed, error, sizeof error);
	if (!body_accepted(too_large, readable, error, reply))
		return;
	if (!parsed.has_token || parsed.token_too_long || !emu_auth_token_accepted(context->auth, parsed.token)) {
		emu_http_reply_error(reply, 401, 1101, "InvalidCredentials", "Invalid application token");
		return;
	}
	char *token = emu_auth_issue(context->auth, (int64_t)time(NULL));
	emu_stats_add(&context->stats, EMU_STAT_tokens_issued);
	struct emu_buf buf = { 0 };
	emu_buf_add_str(&buf, "{\"auth_token\":");
	emu_buf_add_json_string(&buf, token);
	emu_buf_add_char(&buf, '}');
	free(token);
	reply->status = 200;
	emu_http_reply_body(reply, &buf, EMU_HTTP_JSON);
}

/* The gateway's answers for a missing, unknown or expired bearer token. */
static bool authorized(struct emu_context *context, struct MHD_Connection *connection,
		       struct emu_http_reply *reply)
{
	const char *header = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Authorization");
	switch (emu_auth_check(context->auth, header, (int64_t)time(NULL))) {
	case EMU_AUTH_OK:
		return true;
	case EMU_AUTH_MALFORMED:
		emu_http_reply_message(reply, 401, "token contains an invalid number of segments");
		emu_http_reply_header(reply, "x-amzn-ErrorType", "AccessDeniedException");
		return false;
	case EMU_AUTH_UNKNOWN:
		emu_http_reply_message(reply, 401, "Unauthorized");
		emu_http_reply_header(reply, "x-amzn-ErrorType", "UnauthorizedException");
		return false;
	case EMU_AUTH_EXPIRED:
		emu_http_reply_message(reply, 401, "The incoming token has expired");
		emu_http_reply_header(reply, "x-amzn-ErrorType", "UnauthorizedException");
		return false;
	}
	return false;
}

static int64_t list_length(const struct emu_fleet *fleet, bool sims)
{
	return sims ? emu_fleet_sim_count(fleet) : emu_fleet_endpoint_count(fleet);
}

/* Device index of the item at position rank of the whole list. */
static int64_t list_device(const struct emu_fleet *fleet, bool sims, int64_t rank)
{
	return sims ? emu_fleet_sim_at(fleet, rank) : emu_fleet_endpoint_at(fleet, rank);
}

/* Walk the whole list and count the items query keeps; *list_first receives the first one's
 * device (-1: none). */
static int64_t count_matches(const struct emu_fleet *fleet, bool sims, const struct emu_query *query,
			     int64_t *list_first)
{
	int64_t length = list_length(fleet, sims);
	int64_t matches = 0;
	*list_first = -1;
	for (int64_t rank = 0; rank < length; rank++) {
		int64_t device = list_device(fleet, sims, rank);
		if (!emu_query_matches(query, fleet, device))
			continue;
		if (matches == 0)
			*list_first = device;
		matches++;
	}
	return matches;
}

/* Fill devices with at most count items query keeps, from its first-th match on; returns how
 * many it found. That is fewer than count only when a PATCH changed a status since the items were
 * counted: the page is then shorter, as the real list's would be. */
static int64_t collect_matches(const struct emu_fleet *fleet, bool sims, const struct emu_query *query,
			       int64_t first, int64_t count, int64_t *devices)
{
	int64_t length = list_length(fleet, sims);
	int64_t skipped = 0, found = 0;
	for (int64_t rank = 0; rank < length && found < count; rank++) {
		int64_t device = list_device(fleet, sims, rank);
		if (!emu_query_matches(query, fleet, device))
			continue;
		if (skipped < first)
			skipped++;
		else
			devices[found++] = device;
	}
	return found;
}

/* The list call's q: false with the 422 in reply when it is refused. *filter is set to query when
 * the list is to be filtered, to NULL when it is not (no q, or --ignore-q). */
static bool accept_query(struct emu_context *context, struct MHD_Connection *connection, bool sims,
			 struct emu_query *query, const struct emu_query **filter, struct emu_http_reply *reply)
{
	const char *q = list_query(connection);
	*filter = NULL;
	if (!q)
		return true;
	/* A back end without q support: one refuses it as it refuses any bad criteria... */
	if (__atomic_load_n(&context->refuse_q, __ATOMIC_RELAXED)) {
		emu_http_reply_error(reply, 422, 1301, "InvalidQueryCriteria",
				     "Invalid query criteria: filtering is not supported");
		return false;
	}
	/* ...another does not look at it at all, and so sends no X-Filter either. */
	if (__atomic_load_n(&context->ignore_q, __ATOMIC_RELAXED))
		return true;
	char error[160];
	if (!emu_query_parse(q, sims, query, error, sizeof error)) {
		emu_http_reply_error(reply, 422, 1301, "InvalidQueryCriteria", error);
		return false;
	}
	*filter = query;
	return true;
}

/* The page a list request asks for, clamped as the real API clamps: per_page < 1 means the
 * default, above the maximum the maximum; page < 1 is the first page and beyond the last
 * page is the last page (an empty list has one, empty). */
struct paging {
	int64_t per_page, pages, page;
};

static struct paging clamp_paging(struct MHD_Connection *connection, int64_t total, int64_t per_page_default,
				  int64_t per_page_max)
{
	struct paging paging;
	paging.per_page = query_integer(connection, "per_page", per_page_default);
	if (paging.per_page < 1)
		paging.per_page = per_page_default;
	if (paging.per_page > per_page_max)
		paging.per_page = per_page_max;
	paging.pages = total == 0 ? 1 : (total + paging.per_page - 1) / paging.per_page;
	paging.page = query_integer(connection, "page", 1);
	if (paging.page < 1)
		paging.page = 1;
	if (paging.page > paging.pages)
		paging.page = paging.pages;
	return paging;
}

static void serve_list(struct emu_context *context, struct MHD_Connection *connection, bool sims,
		       struct emu_http_reply *reply)
{
	struct emu_query query;
	const struct emu_query *filter;
	if (!accept_query(context, connection, sims, &query, &filter, reply))
		return;

	const struct emu_fleet *fleet = context->fleet;
	int64_t per_page_default = sims ? SIM_PER_PAGE_DEFAULT : ENDPOINT_PER_PAGE_DEFAULT;
	int64_t per_page_max = sims ? SIM_PER_PAGE_MAX : ENDPOINT_PER_PAGE_MAX;
	/* A filtered list is paged like the whole one: the headers count what q keeps. Statuses
	 * are read now, so the filtered list is as of this request. */
	int64_t list_first;
	int64_t total;
	if (filter) {
		total = count_matches(fleet, sims, filter, &list_first);
	} else {
		total = list_length(fleet, sims);
		list_first = total ? list_device(fleet, sims, 0) : -1;
	}
	struct paging paging = clamp_paging(connection, total, per_page_default, per_page_max);
	int64_t per_page = paging.per_page, pages = paging.pages, page = paging.page;
	int64_t first = (emu_odd_served_page(&context->odd, page) - 1) * per_page;
	int64_t count = total - first < per_page ? total - first : per_page;

	int64_t *devices = malloc((size_t)(count > 0 ? count : 1) * sizeof *devices);
	if (!devices)
		abort();
	if (filter) {
		count = collect_matches(fleet, sims, filter, first, count, devices);
	} else {
		for (int64_t i = 0; i < count; i++)
			devices[i] = list_device(fleet, sims, first + i);
	}
	struct emu_buf buf = { 0 };
	emu_odd_render_page(&context->odd, &buf, fleet, sims, devices, count, page == pages, list_first);
	free(devices);
	/* A server that answers, but not as emnify does: the page ends mid-way, headers intact. */
	if (context->corrupt_lists) {
		buf.length = buf.length / 2 ? buf.length / 2 : 1;
		buf.data[buf.length] = '\0';
	}
	reply->status = 200;
	emu_http_reply_body(reply, &buf, EMU_HTTP_JSON);
	emu_http_reply_header_int(reply, "X-Count-Per-Page", per_page);
	emu_http_reply_header_int(reply, "X-Current-Page", page);
	/* INFERRED: emnify documents X-Filter on filtered lists but no recorded answer shows its
	 * value; the plainest faithful form is q as the client sent it (decoded, and at most
	 * EMU_QUERY_TEXT_MAX bytes of known fields and digits once parsed, so it fits a header). */
	if (filter)
		emu_http_reply_header(reply, "X-Filter", list_query(connection));
	emu_http_reply_header(reply, "X-Sort", "id");
	emu_http_reply_header_int(reply, "X-Total-Count", total);
	emu_http_reply_header_int(reply, "X-Total-Pages", emu_odd_total_pages(&context->odd, pages));
}

/* Resolve route->id to a device index, or fill reply with the API's 400 or 404. */
static int64_t find_device(struct emu_context *context, const struct route *route, bool sim,
			   struct emu_http_reply *reply)
{
	int64_t id;
	char message[200];
	if (!parse_long(route->id, &id)) {
		struct emu_buf quoted = { 0 };
		emu_buf_add_str(&quoted, "Cannot parse parameter id as Long: For input string: \"");
		emu_buf_add_str(&quoted, route->id);
		emu_buf_add_char(&quoted, '"');
		emu_http_reply_error(reply, 400, 1000, "BadRequest", quoted.data);
		emu_buf_free(&quoted);
		return -1;
	}
	int64_t index = sim ? emu_fleet_find_sim(context->fleet, id) : emu_fleet_find_endpoint(context->fleet, id);
	if (index < 0) {
		snprintf(message, sizeof message, "%s with Id '%" PRId64 "' not found.", sim ? "SIM" : "Endpoint", id);
		emu_http_reply_error(reply, 404, 1401, "InvalidReference", message);
	}
	return index;
}

static void get_one(struct emu_context *context, const struct route *route, bool sim, struct emu_http_reply *reply)
{
	int64_t index = find_device(context, route, sim, reply);
	if (index < 0)
		return;
	struct emu_buf buf = { 0 };
	if (sim)
		emu_render_sim(&buf, context->fleet, index);
	else
		emu_render_endpoint(&buf, context->fleet, index, true);
	reply->status = 200;
	emu_http_reply_body(reply, &buf, EMU_HTTP_JSON);
}

/* --- the network side of an endpoint ------------------------------------------------------- */

static struct emu_live_world live_world(const struct emu_context *context)
{
	struct emu_live_world world = { context->fleet, context->seed, context->live_epoch };
	return world;
}

/* GET /api/v1/endpoint/{id}/connectivity and .../stats. An unknown id answers 404 as
 * GET /api/v1/endpoint/{id} does (INFERRED: the reference says nothing for these two). */
static void get_endpoint_part(struct emu_context *context, const struct route *route, struct emu_http_reply *reply)
{
	int64_t index = find_device(context, route, false, reply);
	if (index < 0)
		return;
	struct emu_live_world world = live_world(context);
	struct emu_buf buf = { 0 };
	reply->status = 200;
	if (route->kind == ROUTE_CONNECTIVITY) {
		emu_live_render_connectivity(&buf, &world, index);
		emu_http_reply_body(reply, &buf, EMU_HTTP_JSON_PLAIN); /* as recorded */
	} else {
		emu_live_render_stats(&buf, &world, index);
		emu_http_reply_body(reply, &buf, EMU_HTTP_JSON);
	}
}

/* GET /api/v1/endpoint/{id}/event: newest first, paged and clamped like the lists, with the
 * paging headers in lower case, as recorded (the recorded empty Link is left out: libmicrohttpd
 * sends no header without a value, and clients are told not to rely on Link). An id no endpoint has answers
 * 200 [] (documented); one that is not a number 400, as the other {id} routes. sort=id serves
 * oldest first (the order of the recorded answer, which says "x-sort: id"). */
static void get_endpoint_events(struct emu_context *context, struct MHD_Connection *connection,
				const struct route *route, struct emu_http_reply *reply)
{
	int64_t id;
	if (!parse_long(route->id, &id)) {
		find_device(context, route, false, reply); /* the 400 */
		return;
	}
	int64_t index = emu_fleet_find_endpoint(context->fleet, id);
	struct emu_live_world world = live_world(context);
	int64_t total = 0;
	if (index >= 0) {
		struct emu_live live;
		emu_live_of(&world, index, &live);
		total = live.events;
	}
	const char *sort = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "sort");
	bool oldest_first = sort && (strcmp(sort, "id") == 0 || strcmp(sort, "+id") == 0);

	struct paging paging = clamp_paging(connection, total, EVENT_PER_PAGE_DEFAULT, EVENT_PER_PAGE_MAX);
	int64_t per_page = paging.per_page, pages = paging.pages, page = paging.page;
	int64_t first = (page - 1) * per_page;
	int64_t count = total - first < per_page ? total - first : per_page;

	struct emu_buf buf = { 0 };
	if (count > 0)
		emu_live_render_events(&buf, &world, index, first, count, oldest_first);
	else
		emu_buf_add_str(&buf, "[]");
	reply->status = 200;
	emu_http_reply_body(reply, &buf, "application/json; charset=utf-8");
	emu_http_reply_header_int(reply, "x-count-per-page", per_page);
	emu_http_reply_header_int(reply, "x-current-page", page);
	emu_http_reply_header(reply, "x-sort", oldest_first ? "id" : "-id");
	emu_http_reply_header_int(reply, "x-total-count", total);
	emu_http_reply_header_int(reply, "x-total-pages", pages);
}

static void patch_one(struct emu_context *context, const struct route *route, bool sim, const char *body,
		      size_t length, bool too_large, struct emu_http_reply *reply)
{
	const char *validation = sim ? "Update SIM validation error" : "Update endpoint validation error";
	char message[200];
	int64_t id;

	/* Path first, then body, then the record: the order a Spring controller checks them. */
	if (!parse_long(route->id, &id)) {
		find_device(context, route, sim, reply);
		return;
	}
	struct emu_body parsed;
	char error[160];
	bool readable = !too_large && emu_body_parse(body, length, &parsed, error, sizeof error);
	if (!body_accepted(too_large, readable, error, reply))
		return;
	switch (parsed.status) {
	case EMU_BODY_STATUS_ABSENT:
		break;
	case EMU_BODY_STATUS_NO_ID:
		emu_http_reply_validation_error(reply, validation, 1402, "Required", "status.id is required");
		return;
	case EMU_BODY_STATUS_BAD_ID:
		snprintf(message, sizeof message, "status.id must be an integer, got %s", parsed.status_id_text);
		emu_http_reply_validation_error(reply, validation, 1403, "InvalidFormat", message);
		return;
	case EMU_BODY_STATUS_ID:
		if (sim ? parsed.status_id < 0 || parsed.status_id >= EMU_SIM_STATUS_COUNT
			: parsed.status_id != EMU_ENDPOINT_ENABLED && parsed.status_id != EMU_ENDPOINT_DISABLED) {
			if (sim)
				snprintf(message, sizeof message,
					 "SIM status with Id '%" PRId64 "' is not valid; use 0 to 4", parsed.status_id);
			else
				snprintf(message, sizeof message,
					 "Endpoint status with Id '%" PRId64 "' is not valid; use 0 (Enabled) or 1 (Disabled)",
					 parsed.status_id);
			emu_http_reply_validation_error(reply, validation, 1403, "InvalidFormat", message);
			return;
		}
		break;
	}

	int64_t index = find_device(context, route, sim, reply);
	if (index < 0)
		return;
	reply->status = 204;
	reply->content_type = EMU_HTTP_JSON_PLAIN; /* the real API labels its empty 204s as JSON */
	if (parsed.status == EMU_BODY_STATUS_ABSENT)
		return; /* other fields are accepted and ignored */

	int status = (int)parsed.status_id;
	int previous;
	enum emu_change change =
		sim ? emu_fleet_set_sim_status(context->fleet, index, status, &previous, EMU_VIA_SINGLE)
		    : emu_fleet_set_endpoint_status(context->fleet, index, status, &previous, EMU_VIA_SINGLE);
	switch (change) {
	case EMU_CHANGE_APPLIED:
		emu_stats_add(&context->stats, sim ? EMU_STAT_sim_patch_applied : EMU_STAT_endpoint_patch_applied);
		break;
	case EMU_CHANGE_UNCHANGED:
		break;
	case EMU_CHANGE_NOT_ALLOWED:
		snprintf(message, sizeof message, "SIM status change from %s to %s is not allowed",
			 emu_sim_status_name(previous), emu_sim_status_name(status));
		emu_http_reply_error(reply, 409, 1406, "NotAllowed", message);
		break;
	case EMU_CHANGE_NO_SIM:
		snprintf(message, sizeof message, "Endpoint with Id '%" PRId64 "' has no SIM assigned and cannot be enabled",
			 id);
		emu_http_reply_error(reply, 409, 1406, "NotAllowed", message);
		break;
	case EMU_CHANGE_STORAGE_FAILED:
		emu_http_reply_message(reply, 500, "Internal server error");
		break;
	}
}

/* --- bulk --------------------------------------------------------------------------------- */

/* What is wrong with one item of a bulk call, or NULL when it may be applied; *index receives
 * the endpoint's device index then. Like the real API's, the entries name no item. */
static const struct emu_http_error *check_multi_item(struct emu_context *context, const struct emu_body_item *item,
						     int64_t *index)
{
	static const struct emu_http_error id_missing = { 1402, "Required", "id is required" };
	static const struct emu_http_error id_malformed = { 1403, "InvalidFormat", "id must be an integer" };
	static const struct emu_http_error status_id_missing = { 1402, "Required", "status.id is required" };
	static const struct emu_http_error status_invalid = { 1403, "InvalidFormat", "Invalid status" };
	static const struct emu_http_error not_found = { 1401, "InvalidReference", "Endpoint not found" };
	static const struct emu_http_error deleted = { 1406, "NotAllowed", "A deleted endpoint cannot be changed" };
	static const struct emu_http_error no_sim = { 1406, "NotAllowed",
						      "An endpoint without a SIM cannot be enabled" };

	if (item->id == EMU_BODY_ID_ABSENT)
		return &id_missing;
	if (item->id == EMU_BODY_ID_BAD)
		return &id_malformed;
	if (item->status == EMU_BODY_STATUS_NO_ID)
		return &status_id_missing;
	if (item->status == EMU_BODY_STATUS_BAD_ID ||
	    (item->status == EMU_BODY_STATUS_ID && item->status_id != EMU_ENDPOINT_ENABLED &&
	     item->status_id != EMU_ENDPOINT_DISABLED))
		return &status_invalid;
	*index = emu_fleet_find_endpoint(context->fleet, item->id_value);
	if (*index < 0)
		return &not_found;
	if (emu_fleet_endpoint_status(context->fleet, *index) == EMU_ENDPOINT_DELETED)
		return &deleted;
	if (item->status == EMU_BODY_STATUS_ID && item->status_id == EMU_ENDPOINT_ENABLED &&
	    emu_fleet_sim_status(context->fleet, *index) == EMU_STATUS_NONE)
		return &no_sim;
	return NULL;
}

/* PATCH /api/v2/endpoint/multi: every item is checked first; with a bad one the call answers
 * 422 and applies nothing, or (bulk_partial) applies the good ones all the same. */
static void patch_multi(struct emu_context *context, const char *body, size_t length, bool too_large,
			struct emu_http_reply *reply)
{
	static const char validation[] = "Update endpoint validation error";
	struct emu_body_list list;
	char error[160];

	bool readable = !too_large && emu_body_parse_list(body, length, &list, error, sizeof error);
	if (!body_accepted(too_large, readable, error, reply))
		return;
	if (list.count < 1 || list.count > EMU_API_MULTI_ITEMS_MAX) {
		/* The words of a Bean Validation @Size check, which is how the bound reads. */
		snprintf(error, sizeof error, "size must be between 1 and %d", EMU_API_MULTI_ITEMS_MAX);
		emu_http_reply_validation_error(reply, validation, 1403, "InvalidFormat", error);
		free(list.items);
		return;
	}

	struct emu_http_error *errors = calloc(list.count, sizeof *errors);
	int64_t *indexes = calloc(list.count, sizeof *indexes);
	if (!errors || !indexes)
		abort();
	size_t error_count = 0;
	for (size_t i = 0; i < list.count; i++) {
		const struct emu_http_error *problem = check_multi_item(context, &list.items[i], &indexes[i]);
		if (problem) {
			errors[error_count++] = *problem;
			indexes[i] = -1;
		}
	}

	bool apply = error_count == 0 || __atomic_load_n(&context->bulk_partial, __ATOMIC_RELAXED);
	bool storage_failed = false;
	for (size_t i = 0; apply && !storage_failed && i < list.count; i++) {
		if (indexes[i] < 0)
			continue;
		emu_stats_add(&context->stats, EMU_STAT_endpoint_multi_items);
		if (list.items[i].status == EMU_BODY_STATUS_ABSENT)
			continue; /* other fields are accepted and ignored */
		int previous;
		enum emu_change change = emu_fleet_set_endpoint_status(
			context->fleet, indexes[i], (int)list.items[i].status_id, &previous, EMU_VIA_MULTI);
		if (change == EMU_CHANGE_APPLIED)
			emu_stats_add(&context->stats, EMU_STAT_endpoint_multi_applied);
		storage_failed = change == EMU_CHANGE_STORAGE_FAILED; /* the disk fails: stop there */
	}
	if (storage_failed) {
		emu_http_reply_message(reply, 500, "Internal server error");
	} else if (error_count) {
		emu_http_reply_validation_errors(reply, validation, errors, error_count);
	} else {
		reply->status = 204;
		reply->content_type = EMU_HTTP_JSON_PLAIN; /* the real API labels its empty 204s as JSON */
	}
	free(errors);
	free(indexes);
	free(list.items);
}

/* --- faults -------------------------------------------------------------------------------- */

static const char bad_gateway_html[] =
	"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
	"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
static const char unavailable_html[] =
	"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
	"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n";

/* What an edge firewall (AWS WAF behind CloudFront) answers when its rate rule blocks. */
static const char edge_blocked_html[] =
	"<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" \"http://www.w3.org/TR/html4/loose.dtd\">\n"
	"<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-1\">\n"
	"<TITLE>ERROR: The request could not be satisfied</TITLE>\n</HEAD><BODY>\n"
	"<H1>403 ERROR</H1>\n<H2>The request could not be satisfied.</H2>\n<HR noshade size=\"1px\">\n"
	"Request blocked.\nWe can't connect to the server for this app or website at this time. There might be "
	"too much traffic or a configuration error. Try again later, or contact the app or website owner.\n"
	"<BR clear=\"all\">\n<HR noshade size=\"1px\">\n<PRE>\nGenerated by cloudfront (CloudFront)\n</PRE>\n"
	"</BODY></HTML>\n";

enum fault { FAULT_NONE, FAULT_DROP, FAULT_502, FAULT_503 };

/* Roll the dice for request serial: deterministic for a seed and a request order. */
static enum fault pick_fault(struct emu_context *context, uint64_t serial)
{
	uint32_t ppm = __atomic_load_n(&context->faults_ppm, __ATOMIC_RELAXED);
	if (ppm == 0)
		return FAULT_NONE;
	uint64_t dice = mix(context->seed ^ mix(serial + 0x5eed));
	if (dice % 1000000 >= ppm)
		return FAULT_NONE;
	switch ((dice >> 40) & 3) {
	case 0:
	case 1:
		return FAULT_DROP;
	case 2:
		return FAULT_502;
	default:
		return FAULT_503;
	}
}

/* --- entry --------------------------------------------------------------------------------- */

static void add_request_id(struct emu_http_reply *reply, struct emu_context *context, uint64_t serial)
{
	uint64_t a = mix(context->seed ^ serial);
	uint64_t b = mix(a);
	char id[40];
	snprintf(id, sizeof id, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
		 (unsigned)a & 0xfff, (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
		 (unsigned long long)(b & 0xffffffffffffULL));
	emu_http_reply_header(reply, "x-amzn-RequestId", id);
}

/* An endpoint PATCH (single or bulk) is over for the in-flight count: its answer is queued, or
 * it is dropped or held. Does nothing the second time. */
static void end_endpoint_change(struct emu_context *context, bool *in_flight)
{
	if (*in_flight)
		__atomic_sub_fetch(&context->endpoint_changes_in_flight, 1, __ATOMIC_SEQ_CST);
	*in_flight = false;
}

enum MHD_Result emu_api_handle(struct emu_context *context, struct MHD_Connection *connection,
			       const char *method, const char *url, const char *body, size_t length,
			       bool body_too_large)
{
	uint64_t serial = __atomic_fetch_add(&context->request_serial, 1, __ATOMIC_RELAXED);
	struct route route;
	resolve_route(url, &route);
	emu_stats_add(&context->stats, EMU_STAT_requests);
	count_route(context, route.kind, method, list_query(connection) != NULL);

	/* In flight from here on: the latency is time the request spends being served. */
	bool in_flight = changes_endpoints(route.kind, method);
	if (in_flight && __atomic_fetch_add(&context->endpoint_changes_in_flight, 1, __ATOMIC_SEQ_CST) > 0)
		emu_stats_add(&context->stats, EMU_STAT_endpoint_patch_overlap);

	if (context->latency_ms > 0)
		sleep_ms(context->latency_ms);

	struct emu_http_reply reply;
	emu_http_reply_init(&reply, 500);
	enum emu_stall_point stall = EMU_STALL_NOT; /* a request blocked at the edge never stalls */

	/* The edge firewall's window sees every request first, and counts it even if it refuses. */
	unsigned blocked = emu_limits_window_admit(context->limits, monotonic_seconds());
	if (blocked) {
		emu_stats_add(&context->stats, EMU_STAT_ip_window_blocked);
		if (blocked == EMU_WINDOW_BLOCK_403) {
			struct emu_buf buf = { 0 };
			emu_buf_add_str(&buf, edge_blocked_html);
			emu_http_reply_body(&reply, &buf, "text/html");
			emu_http_reply_header(&reply, "X-Cache", "Error from cloudfront");
			reply.status = 403;
		} else {
			emu_http_reply_message(&reply, 429, "Too Many Requests");
		}
		goto send;
	}

	/* A stall strikes before faults and the route buckets; held "after", the request is
	 * carried out and only its answer is kept back. */
	stall = emu_stall_point(context, method);
	if (stall == EMU_STALL_BEFORE) {
		end_endpoint_change(context, &in_flight);
		return emu_stall_hold(context, connection);
	}

	/* Faults strike before anything else, so a failed PATCH never changes state. */
	enum fault fault = pick_fault(context, serial);
	if (fault == FAULT_DROP) {
		emu_stats_add(&context->stats, EMU_STAT_dropped);
		end_endpoint_change(context, &in_flight);
		return MHD_NO; /* libmicrohttpd closes the connection without a word */
	}
	if (fault == FAULT_502 || fault == FAULT_503) {
		struct emu_buf buf = { 0 };
		emu_buf_add_str(&buf, fault == FAULT_502 ? bad_gateway_html : unavailable_html);
		emu_http_reply_body(&reply, &buf, "text/html");
		reply.status = fault == FAULT_502 ? 502 : 503;
		goto send;
	}

	if (!emu_limits_admit(context->limits, limit_route(route.kind, method), monotonic_seconds())) {
		emu_http_reply_message(&reply, 429, "Too Many Requests");
		goto send;
	}

	if (route.kind == ROUTE_UNKNOWN) {
		/* Echo the path only when it is plain ASCII, so the body stays valid UTF-8. */
		bool printable = true;
		for (const char *c = url; *c; c++)
			printable = printable && *c >= 0x20 && *c < 0x7f;
		struct emu_buf message = { 0 };
		emu_buf_printf(&message, "No resource found for %s %s", method, printable ? url : "this path");
		emu_http_reply_error(&reply, 404, 1201, "NotFound", message.data);
		emu_buf_free(&message);
		goto send;
	}
	if (!route_serves(route.kind, method)) {
		struct emu_buf message = { 0 };
		emu_buf_printf(&message, "Request method '%s' is not supported", method);
		emu_http_reply_message(&reply, 405, message.data);
		emu_http_reply_header(&reply, "Allow", route_allow(route.kind));
		emu_buf_free(&message);
		goto send;
	}

	if (route.kind == ROUTE_AUTHENTICATE) {
		authenticate(context, body, length, body_too_large, &reply);
		goto send;
	}
	if (!authorized(context, connection, &reply))
		goto send;

	int forbidden = forbidden_route(route.kind, method);
	if (forbidden >= 0 && (context->forbidden & (1u << forbidden))) {
		emu_http_reply_error(&reply, 403, 1104, "Forbidden",
				     "Access denied: the application token's role may not perform this operation");
		goto send;
	}

	bool sim = route.kind == ROUTE_SIM_LIST || route.kind == ROUTE_SIM_ONE;
	switch (route.kind) {
	case ROUTE_SIM_LIST:
	case ROUTE_ENDPOINT_LIST:
		serve_list(context, connection, sim, &reply);
		break;
	case ROUTE_SIM_ONE:
	case ROUTE_ENDPOINT_ONE:
		if (strcmp(method, "GET") == 0)
			get_one(context, &route, sim, &reply);
		else
			patch_one(context, &route, sim, body, length, body_too_large, &reply);
		break;
	case ROUTE_ENDPOINT_MULTI:
		patch_multi(context, body, length, body_too_large, &reply);
		break;
	case ROUTE_CONNECTIVITY:
	case ROUTE_ENDPOINT_STATS:
		get_endpoint_part(context, &route, &reply);
		break;
	case ROUTE_ENDPOINT_EVENTS:
		get_endpoint_events(context, connection, &route, &reply);
		break;
	default:
		break;
	}

send:
	if (stall == EMU_STALL_AFTER) {
		free(reply.body);
		end_endpoint_change(context, &in_flight);
		return emu_stall_hold(context, connection);
	}
	add_request_id(&reply, context, serial);
	emu_stats_add_status(&context->stats, reply.status);
	enum MHD_Result result = emu_http_send(connection, &reply, context->lower_case_headers);
	end_endpoint_change(context, &in_flight);
	return result;
}
