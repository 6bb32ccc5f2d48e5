/* transport.h — what the job engine needs from an API, and nothing more.
 *
 * The job engine (job.h) changes statuses and reads them back through these calls; the emnify
 * client implements them (api_transport(), api.h) and unit tests implement them with a fake.
 * Nothing here knows HTTP bodies or JSON: answers arrive classified, objects parsed.
 *
 * Every call takes a done callback and a context, and calls done exactly once, later (never
 * from inside the call itself), unless cancel() drops it first. Answers are classified so the
 * engine can act without knowing the wire:
 *   OK         the API took it (emnify: 204 for changes, 200 for reads);
 *   REFUSED    the API answered that it will not (4xx other than those below): a single
 *              change was not applied; of a bulk change, which items were is unknown;
 *   LOST       no definite answer (5xx, a timeout, a dropped connection after sending):
 *              applied or not, only reading back tells;
 *   THROTTLED  the API's limits refused it (429, or an edge firewall's 403 page): nothing
 *              was applied; send it again after a pause;
 *   FORBIDDEN  emnify's own 403 (error_code 1104): the token may not do this;
 *   AUTH       the token was rejected (after the client's own re-authentication).
 * A transport that retries on its own (reads after a 5xx, say) reports only the last answer. */
#ifndef SIMTOP_TRANSPORT_H
#define SIMTOP_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum transport_outcome {
	TRANSPORT_OK,
	TRANSPORT_REFUSED,
	TRANSPORT_LOST,
	TRANSPORT_THROTTLED,
	TRANSPORT_FORBIDDEN,
	TRANSPORT_AUTH,
};

struct transport_answer {
	enum transport_outcome outcome;
	long http_status;      /* 0 when no HTTP answer came */
	const char *message;   /* for people, cleaned; "" on success */
};

/* One object as read back: an endpoint with its SIM, or a SIM alone. */
struct transport_object {
	int64_t endpoint_id;   /* 0 for a SIM read alone */
	int endpoint_status;   /* ENDPOINT_NONE for a SIM read alone */
	int64_t sim_id;        /* 0 when the endpoint has no SIM */
	int sim_status;        /* SIM_NONE when there is no SIM, or its status was not sent */
};

/* One item of a bulk endpoint change. */
struct transport_endpoint_change {
	int64_t id;
	int status;
};

enum transport_kind { TRANSPORT_SIM, TRANSPORT_ENDPOINT };

typedef void transport_done(void *context, const struct transport_answer *answer);
/* object is NULL unless the outcome is OK; an OK read whose object is not found is REFUSED. */
typedef void transport_read_done(void *context, const struct transport_answer *answer,
				 const struct transport_object *object);
/* One page of the endpoint list: its objects (valid during the call) and the list's pages in
 * all as the API counts them (at least 1). */
typedef void transport_page_done(void *context, const struct transport_answer *answer,
				 const struct transport_object *objects, size_t count, int64_t total_pages);
typedef void transport_timer_done(void *context);

/* The network's view of one endpoint (live.h): its connectivity, or its usage this month. */
enum transport_live { TRANSPORT_LIVE_CONNECTIVITY, TRANSPORT_LIVE_USAGE, TRANSPORT_LIVE_COUNT };
struct transport_live_answer {
	char word[24];         /* connectivity: the API's word as sent ("ONLINE"), cleaned */
	double data_month_mb;  /* usage: this month's data volume; 0 when the month is absent */
};
/* live is NULL unless the outcome is OK; an answer that does not parse is LOST. */
typedef void transport_live_done(void *context, const struct transport_answer *answer,
				 const struct transport_live_answer *live);

struct fleet;

/* How loading the whole fleet goes. */
struct transport_load_progress {
	bool running;
	bool done;              /* every page arrived */
	int64_t records_total;  /* as the API counts them; 0 until known */
	int64_t records_loaded;
	bool failed;            /* the load stopped; running is then false */
	char message[512];      /* what failed and what to do, when failed */
	char retry_note[200];   /* while a page waits to be retried, a line for the operator; "" else */
	char note[200];         /* what the operator should know about how it loaded; "" else */
};

struct transport_ops {
	/* PATCH one SIM's or one endpoint's status. */
	void (*patch_status)(void *self, enum transport_kind kind, int64_t id, int status, transport_done *done,
			     void *context);
	/* PATCH up to bulk_max endpoints' statuses in one call. */
	void (*patch_endpoints)(void *self, const struct transport_endpoint_change *changes, size_t count,
				transport_done *done, void *context);
	/* GET one SIM or one endpoint (an endpoint comes with its SIM's id and status). */
	void (*read)(void *self, enum transport_kind kind, int64_t id, transport_read_done *done, void *context);
	/* GET one page (from 1) of the endpoint list, the largest pages the API serves. */
	void (*list_endpoints)(void *self, int64_t page, transport_page_done *done, void *context);
	/* GET one endpoint's connectivity or stats. */
	void (*read_live)(void *self, enum transport_live what, int64_t endpoint_id, transport_live_done *done,
			  void *context);
	/* Call done after delay_ms (the engine's pauses). */
	void (*timer)(void *self, int64_t delay_ms, transport_timer_done *done, void *context);
	/* Drop every call and timer whose context is context, without calling done. */
	void (*cancel)(void *self, const void *context);
	/* Milliseconds on a monotonic clock. */
	int64_t (*now_ms)(void *self);

	/* Load every device into fleet (the caller's, alive until the load ends or is cancelled),
	 * filling it as pages arrive; starting a load cancels the one running. */
	void (*load_start)(void *self, struct fleet *fleet);
	void (*load_progress)(void *self, struct transport_load_progress *progress);
	void (*load_cancel)(void *self);
	/* The workspace the token acts in: its id (0 when unknown) and name into name. */
	int64_t (*workspace)(void *self, char *name, size_t size);
	/* Start the pace afresh, so what was saved up while idle is no burst for a job. */
	void (*restart_pace)(void *self);
};

struct transport {
	const struct transport_ops *ops;
	void *self;
	size_t bulk_max;       /* items one bulk endpoint change may carry (emnify: 2,000) */
	size_t list_per_page;  /* endpoints one list page holds (emnify: 1,000) */
	double rate;           /* calls per second the transport keeps to (0: unlimited), and */
	size_t window_calls;   /* at most this many calls in any window_ms (0: no window): */
	int64_t window_ms;     /* for estimates */
	double live_rate[TRANSPORT_LIVE_COUNT];  /* calls per second each live route allows (0: unlimited) */
	double live_pace;      /* calls per second live reads keep besides (0: none) */
};

#endif
