/* fake_emnify.h — a fake emnify behind the transport interface (transport.h), for the unit
 * tests of the job engine (test_job.c) and the session (test_session.c).
 *
 * The fake holds a table of SIMs and endpoints with their statuses and serves the transport
 * interface from it: single PATCHes, bulk endpoint PATCHes, GETs, endpoint list pages, the
 * load of the whole fleet, and each endpoint's connectivity and usage. It never answers inside a call: answers are queued, and fake_run()
 * delivers them one at a time on a fake clock (timers fire when their time comes), so the tests
 * never depend on wall-clock time. Each test scripts faults per call (the Nth call of a kind,
 * or of one id), and the fake records every call in order, so the tests can check emnify's
 * rules: no endpoint change overlaps another, bulk calls hold at most bulk_max items, charges
 * stop first and start last, nothing applied is sent again. Include after <cmocka.h>. */
#ifndef SIMTOP_TEST_FAKE_EMNIFY_H
#define SIMTOP_TEST_FAKE_EMNIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fleet.h"
#include "model.h"
#include "transport.h"

#define FAKE_OBJECTS 64
#define FAKE_RULES 16
#define FAKE_LATENCY_MS 20
#define FAKE_START_MS 1000000
#define FAKE_STEPS_MAX 200000

/* Device n of a fake: endpoint ENDPOINT_ID(n) holding SIM SIM_ID(n). Bystanders (endpoints of
 * the fleet that no plan names, they fill the list pages) have ids from 300 and SIMs from 700. */
#define ENDPOINT_ID(n) ((int64_t)(100 + (n)))
#define SIM_ID(n) ((int64_t)(500 + (n)))

#define BULK_REFUSAL "Validation failed"
#define ENDPOINT_REFUSAL "Validation failed: the endpoint's status cannot be changed"
#define SIM_REFUSAL "Invalid SIM status transition"
#define PERMISSION_REFUSAL "no permission: the application token may not make this change (Forbidden)"
#define TOKEN_REJECTED "the application token was rejected (HTTP 401)"

enum fake_kind {
	FAKE_SIM_PATCH,
	FAKE_ENDPOINT_PATCH,
	FAKE_BULK,
	FAKE_SIM_GET,
	FAKE_ENDPOINT_GET,
	FAKE_LIST,
	FAKE_TIMER,
	FAKE_CONNECTIVITY,   /* GET /endpoint/{id}/connectivity: ONLINE when the endpoint is Enabled
			      * and its SIM Activated, else OFFLINE */
	FAKE_USAGE,          /* GET /endpoint/{id}/stats: FAKE_USAGE_MB(id) when ONLINE, else 0 */
};
#define FAKE_USAGE_MB(id) ((double)((id) % 3) * 1.5)

enum fake_fault {
	FAULT_NONE,
	FAULT_REFUSED,       /* 422, nothing applied */
	FAULT_LOST,          /* no definite answer (status 0 or 5xx), not applied */
	FAULT_LOST_APPLIED,  /* no definite answer, applied */
	FAULT_THROTTLED,     /* 429 */
	FAULT_EDGE_BLOCK,    /* an edge firewall's 403 page */
	FAULT_FORBIDDEN,     /* emnify's own 403 */
	FAULT_AUTH,          /* 401 */
};

struct fake_sim {
	int64_t id;
	int status;
	int changes;    /* PATCHes that changed its status */
	int redundant;  /* PATCHes that reached it in the target status already */
};

struct fake_endpoint {
	int64_t id;
	int status;
	int64_t sim_id;
	bool bad;       /* the API refuses any change of it */
	bool gone;      /* deleted for good: not listed, 404 */
	int changes, redundant;
};

struct fake_call {
	enum fake_kind kind;
	int64_t id;                              /* single PATCH, GET */
	struct transport_endpoint_change *items; /* changes (one for a single PATCH) */
	size_t count;
	int64_t page, delay_ms;
	uint64_t issued, answered;               /* event numbers: one order for everything */
	int64_t issued_ms, answered_ms;
	bool cancelled;
	bool overlapped;  /* an endpoint change issued while another was unanswered */
	bool redundant;   /* a change that found an object in its target status already */
	enum transport_outcome outcome;
	long http_status;
};

/* Answer the calls of a kind (and of one id, unless 0) numbered first .. first + times - 1
 * (from 1; times 0: all from first on) with fault. */
struct fake_rule {
	enum fake_kind kind;
	int64_t id;
	int first, times, seen;
	enum fake_fault fault;
	long http_status;
};

struct fake_pending {
	size_t call;
	int64_t due_ms;
	uint64_t order;
	void *context;
	enum fake_fault fault;
	long http_status;
	transport_done *done;
	transport_read_done *read_done;
	transport_page_done *page_done;
	transport_timer_done *timer_done;
	transport_live_done *live_done;
};

struct fake {
	struct transport transport;
	struct fake_sim sims[FAKE_OBJECTS];
	size_t sim_count;
	struct fake_endpoint endpoints[FAKE_OBJECTS];
	size_t endpoint_count, devices;
	size_t sim_parallel;   /* SIM PATCHes the job may have in flight (job_options) */
	size_t sim_patches_out, sim_patches_out_max;
	bool bulk_partial;     /* a refused bulk call applies its good items (else nothing) */
	bool cancel_applies;   /* a change cancelled in flight had reached the API (a crash) */
	struct fake_rule rules[FAKE_RULES];
	size_t rule_count;
	struct fake_call *calls;
	size_t call_count, call_capacity;
	struct fake_pending *pending;
	size_t pending_count, pending_capacity;
	int64_t now_ms;
	uint64_t events, order;
	size_t endpoint_changes_out; /* issued and neither answered nor cancelled */
	size_t delivered;
	/* The load of the whole fleet: asked for, it arrives at the next fake_step(). */
	struct fleet *load_fleet;     /* the fleet to fill, while a load runs */
	size_t loads;                 /* loads started */
	bool load_fails;              /* the next load fails (the API cannot be reached) */
	struct transport_load_progress load;
	size_t pace_restarts;
};


bool fake_is_endpoint_change(enum fake_kind kind);

struct transport_object fake_object(struct fake *fake, const struct fake_endpoint *endpoint);

bool fake_call_names(const struct fake_call *call, int64_t id);

/* Deliver the next answer (or fire the next timer), moving the clock to its time. false when
 * nothing is left. */
bool fake_step(struct fake *fake);

void fake_run(struct fake *fake);

void fake_init(struct fake *fake, size_t bulk_max, size_t per_page);

void fake_free(struct fake *fake);

/* Add device n (the next one); devices come before bystanders. */
size_t fake_add_device(struct fake *fake, int sim_status, int endpoint_status);

void fake_add_devices(struct fake *fake, size_t count, int sim_status, int endpoint_status);

/* A SIM with no endpoint: a device of its own, after the endpoint devices in a plan. */
void fake_add_lonely_sim(struct fake *fake, int64_t id, int status);

bool fake_sim_has_endpoint(const struct fake *fake, int64_t id);

void fake_add_bystanders(struct fake *fake, size_t count);

void fake_add_rule(struct fake *fake, enum fake_kind kind, int64_t id, int first, int times,
			  enum fake_fault fault, long http_status);

#endif
