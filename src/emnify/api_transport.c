/* api_transport.c — the job engine's transport (transport.h) over the emnify client.
 *
 * Each call of the engine becomes one api request whose context is a struct link; the link
 * remembers the engine's callback and context, so that the answer can be classified and
 * parsed here, and so that cancel() finds the requests of an engine context. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emnify.h"
#include "model.h"
#include "transport.h"
#include "util.h"

#define ENDPOINT_MULTI_PATH "/api/v2/endpoint/multi"
/* emnify: PATCH /api/v2/endpoint/multi takes up to 2,000 endpoints. */
#define BULK_MAX 2000

struct api_transport;

struct link {
	struct link *prev, *next;
	struct api_transport *owner;
	bool endpoint;                  /* a read of an endpoint (else of a SIM) */
	transport_done *done;
	transport_read_done *read_done;
	transport_page_done *page_done;
	transport_timer_done *timer_done;
	transport_live_done *live_done;
	enum transport_live what;
	void *context;
};

struct api_transport {
	struct transport transport;     /* first: the engine's pointer is this struct's */
	struct api *api;
	struct link *links;
};

static struct link *link_new(struct api_transport *owner, void *context)
{
	struct link *link = xcalloc(1, sizeof(*link));

	link->owner = owner;
	link->context = context;
	link->next = owner->links;
	if (owner->links)
		owner->links->prev = link;
	owner->links = link;
	return link;
}

static void link_free(struct link *link)
{
	struct api_transport *owner = link->owner;

	if (link->prev)
		link->prev->next = link->next;
	else
		owner->links = link->next;
	if (link->next)
		link->next->prev = link->prev;
	free(link);
}

/* What an answer means to the engine (transport.h). */
static enum transport_outcome classify(long http_status, const char *body, size_t length, const char *error_message)
{
	if (!error_message)
		return TRANSPORT_OK;
	if (http_status == 0 || (http_status >= 500 && http_status <= 599))
		return TRANSPORT_LOST;
	if (http_status == 401)
		return TRANSPORT_AUTH;
	if (http_status == 429)
		return TRANSPORT_THROTTLED;
	if (http_status == 403)
		return emnify_is_error_object(body, length) ? TRANSPORT_FORBIDDEN : TRANSPORT_THROTTLED;
	return TRANSPORT_REFUSED;
}

/* The answer for the engine; text is where a longer message is built. */
static struct transport_answer make_answer(long http_status, const char *body, size_t length,
					   const char *error_message, char *text, size_t size)
{
	struct transport_answer answer = { classify(http_status, body, length, error_message), http_status, "" };

	if (answer.outcome == TRANSPORT_FORBIDDEN) {
		snprintf(text, size, "no permission: the application token may not make this change — check its "
				     "role in the emnify portal (%s)", error_message);
		answer.message = text;
	} else if (error_message) {
		answer.message = error_message;
	}
	return answer;
}

static void change_done(void *context, long http_status, const char *body, size_t length, const char *error_message)
{
	struct link *link = context;
	transport_done *done = link->done;
	void *engine_context = link->context;
	char text[640];
	struct transport_answer answer = make_answer(http_status, body, length, error_message, text, sizeof(text));

	link_free(link);
	done(engine_context, &answer);
}

static void object_done(void *context, long http_status, const char *body, size_t length, const char *error_message)
{
	struct link *link = context;
	transport_read_done *done = link->read_done;
	void *engine_context = link->context;
	bool endpoint = link->endpoint;
	char text[640];
	struct transport_answer answer = make_answer(http_status, body, length, error_message, text, sizeof(text));
	struct transport_object object;

	link_free(link);
	if (answer.outcome == TRANSPORT_OK &&
	    emnify_parse_object(body, length, endpoint, &object, text, sizeof(text)) != EMNIFY_OK) {
		/* Unreadable: as good as no answer; the engine reads again or calls it unknown. */
		answer.outcome = TRANSPORT_LOST;
		answer.message = text;
	}
	done(engine_context, &answer, answer.outcome == TRANSPORT_OK ? &object : NULL);
}

static void page_done(void *context, long http_status, const char *body, size_t length, int64_t total_pages,
		      const char *error_message)
{
	struct link *link = context;
	transport_page_done *done = link->page_done;
	void *engine_context = link->context;
	char text[640];
	struct transport_answer answer = make_answer(http_status, body, length, error_message, text, sizeof(text));
	struct transport_object *objects = NULL;
	size_t count = 0;

	link_free(link);
	if (answer.outcome == TRANSPORT_OK &&
	    emnify_parse_object_page(body, length, &objects, &count, text, sizeof(text)) != EMNIFY_OK) {
		answer.outcome = TRANSPORT_LOST;
		answer.message = text;
	}
	done(engine_context, &answer, objects, count, total_pages);
	free(objects);
}

static void live_done(void *context, long http_status, const char *body, size_t length, const char *error_message)
{
	struct link *link = context;
	transport_live_done *done = link->live_done;
	void *engine_context = link->context;
	enum transport_live what = link->what;
	char text[640];
	struct transport_answer answer = make_answer(http_status, body, length, error_message, text, sizeof(text));
	struct transport_live_answer live = { "", 0 };

	link_free(link);
	if (answer.outcome == TRANSPORT_OK) {
		struct emnify_connectivity connectivity;
		struct emnify_usage usage;
		enum emnify_result result;
		if (what == TRANSPORT_LIVE_CONNECTIVITY) {
			result = emnify_parse_connectivity(body, length, &connectivity, text, sizeof(text));
			snprintf(live.word, sizeof(live.word), "%s", connectivity.word);
		} else {
			result = emnify_parse_usage(body, length, &usage, text, sizeof(text));
			live.data_month_mb = usage.current_month.data_mb;
		}
		if (result != EMNIFY_OK) {
			answer.outcome = TRANSPORT_LOST;
			answer.message = text;
		}
	}
	done(engine_context, &answer, answer.outcome == TRANSPORT_OK ? &live : NULL);
}

static void timer_done(void *context)
{
	struct link *link = context;
	transport_timer_done *done = link->timer_done;
	void *engine_context = link->context;

	link_free(link);
	done(engine_context);
}

/* --- the operations ----------------------------------------------------------------------- */

static void patch_status(void *self, enum transport_kind kind, int64_t id, int status, transport_done *done,
			 void *context)
{
	struct api_transport *owner = self;
	struct link *link = link_new(owner, context);
	char path[64];

	link->done = done;
	snprintf(path, sizeof(path), "/api/v1/%s/%lld", kind == TRANSPORT_SIM ? "sim" : "endpoint", (long long)id);
	api_send_change(owner->api, path, emnify_status_body(status), kind == TRANSPORT_ENDPOINT, change_done, link);
}

static void patch_endpoints(void *self, const struct transport_endpoint_change *changes, size_t count,
			    transport_done *done, void *context)
{
	struct api_transport *owner = self;
	struct link *link = link_new(owner, context);

	link->done = done;
	api_send_change(owner->api, ENDPOINT_MULTI_PATH, emnify_endpoints_body(changes, count), true, change_done,
			link);
}

static void read_object(void *self, enum transport_kind kind, int64_t id, transport_read_done *done, void *context)
{
	struct api_transport *owner = self;
	struct link *link = link_new(owner, context);

	link->read_done = done;
	link->endpoint = kind == TRANSPORT_ENDPOINT;
	api_read_object(owner->api, link->endpoint ? "endpoint" : "sim", id, object_done, link);
}

static void list_endpoints(void *self, int64_t page, transport_page_done *done, void *context)
{
	struct api_transport *owner = self;
	struct link *link = link_new(owner, context);

	link->page_done = done;
	api_read_page(owner->api, "endpoint", page, page_done, link);
}

static void read_live(void *self, enum transport_live what, int64_t endpoint_id, transport_live_done *done,
		      void *context)
{
	struct api_transport *owner = self;
	struct link *link = link_new(owner, context);

	link->live_done = done;
	link->what = what;
	api_read_live(owner->api, what == TRANSPORT_LIVE_CONNECTIVITY ? API_LIVE_CONNECTIVITY : API_LIVE_STATS,
		      endpoint_id, 0, live_done, link);
}

static void timer(void *self, int64_t delay_ms, transport_timer_done *done, void *context)
{
	struct api_transport *owner = self;
	struct link *link = link_new(owner, context);

	link->timer_done = done;
	api_timer(owner->api, delay_ms, timer_done, link);
}

static void cancel(void *self, const void *context)
{
	struct api_transport *owner = self;
	struct link *link = owner->links;

	while (link) {
		struct link *next = link->next;
		if (link->context == context) {
			api_cancel_context(owner->api, link);
			link_free(link);
		}
		link = next;
	}
}

static int64_t now_ms(void *self)
{
	(void)self;
	return util_now_ms();
}

static void load_start(void *self, struct fleet *fleet)
{
	struct api_transport *owner = self;

	api_load_start(owner->api, fleet);
}

static void load_progress(void *self, struct transport_load_progress *progress)
{
	struct api_transport *owner = self;
	struct api_load_progress load;

	api_load_progress(owner->api, &load);
	*progress = (struct transport_load_progress){
		.running = load.running,
		.done = load.done,
		.records_total = load.records_total,
		.records_loaded = load.records_loaded,
		.failed = load.error != API_OK,
	};
	snprintf(progress->message, sizeof(progress->message), "%s", load.message);
	snprintf(progress->retry_note, sizeof(progress->retry_note), "%s", load.retry_note);
	snprintf(progress->note, sizeof(progress->note), "%s", load.note);
}

static void load_cancel(void *self)
{
	struct api_transport *owner = self;

	api_cancel_load(owner->api);
}

static int64_t workspace(void *self, char *name, size_t size)
{
	struct api_transport *owner = self;

	return api_workspace(owner->api, name, size);
}

static void restart_pace(void *self)
{
	struct api_transport *owner = self;

	api_set_rate(owner->api, 0);
}

static const struct transport_ops api_transport_ops = {
	.patch_status = patch_status,
	.patch_endpoints = patch_endpoints,
	.read = read_object,
	.list_endpoints = list_endpoints,
	.read_live = read_live,
	.timer = timer,
	.cancel = cancel,
	.now_ms = now_ms,
	.load_start = load_start,
	.load_progress = load_progress,
	.load_cancel = load_cancel,
	.workspace = workspace,
	.restart_pace = restart_pace,
};

struct transport *api_transport_new(struct api *api)
{
	struct api_transport *owner = xcalloc(1, sizeof(*owner));
	const char *hook = getenv("SIMTOP_BULK_MAX");
	int64_t bulk_max;

	owner->api = api;
	owner->transport.ops = &api_transport_ops;
	owner->transport.self = owner;
	owner->transport.bulk_max = BULK_MAX;
	if (hook && util_parse_int64(hook, &bulk_max) && bulk_max > 0 && bulk_max < BULK_MAX)
		owner->transport.bulk_max = (size_t)bulk_max;
	owner->transport.list_per_page = EMNIFY_ENDPOINT_PAGE_MAX;
	owner->transport.rate = api_rate(api);
	api_window(api, &owner->transport.window_calls, &owner->transport.window_ms);
	owner->transport.live_rate[TRANSPORT_LIVE_CONNECTIVITY] = api_live_rate(api, API_LIVE_CONNECTIVITY);
	owner->transport.live_rate[TRANSPORT_LIVE_USAGE] = api_live_rate(api, API_LIVE_STATS);
	owner->transport.live_pace = api_live_pace(api);
	return &owner->transport;
}

void api_transport_free(struct transport *transport)
{
	struct api_transport *owner;

	if (!transport)
		return;
	owner = (struct api_transport *)transport;
	while (owner->links) {
		api_cancel_context(owner->api, owner->links);
		link_free(owner->links);
	}
	free(owner);
}
