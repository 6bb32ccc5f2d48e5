/* fake_emnify.c — the fake emnify of the unit tests (fake_emnify.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_emnify.h"
#include "util.h"

static bool is_change(enum fake_kind kind)
{
	return kind == FAKE_SIM_PATCH || kind == FAKE_ENDPOINT_PATCH || kind == FAKE_BULK;
}

bool fake_is_endpoint_change(enum fake_kind kind)
{
	return kind == FAKE_ENDPOINT_PATCH || kind == FAKE_BULK;
}

static struct fake_sim *fake_sim(struct fake *fake, int64_t id)
{
	for (size_t i = 0; i < fake->sim_count; i++)
		if (fake->sims[i].id == id)
			return &fake->sims[i];
	return NULL;
}

static struct fake_endpoint *fake_endpoint(struct fake *fake, int64_t id)
{
	for (size_t i = 0; i < fake->endpoint_count; i++)
		if (fake->endpoints[i].id == id && !fake->endpoints[i].gone)
			return &fake->endpoints[i];
	return NULL;
}

struct transport_object fake_object(struct fake *fake, const struct fake_endpoint *endpoint)
{
	struct fake_sim *sim = endpoint->sim_id ? fake_sim(fake, endpoint->sim_id) : NULL;
	return (struct transport_object){ endpoint->id, endpoint->status, endpoint->sim_id,
					  sim ? sim->status : SIM_NONE };
}

static struct transport_answer answer_of(enum transport_outcome outcome, long http_status, const char *message)
{
	return (struct transport_answer){ outcome, http_status, message };
}

static bool endpoint_change_valid(struct fake *fake, const struct transport_endpoint_change *item)
{
	struct fake_endpoint *endpoint = fake_endpoint(fake, item->id);
	return endpoint && !endpoint->bad && endpoint->status != ENDPOINT_DELETED &&
	       (item->status == ENDPOINT_ENABLED || item->status == ENDPOINT_DISABLED);
}

static void apply_endpoint_change(struct fake *fake, struct fake_call *call,
				  const struct transport_endpoint_change *item)
{
	struct fake_endpoint *endpoint = fake_endpoint(fake, item->id);
	if (!endpoint)
		return;
	if (endpoint->status == item->status) {
		endpoint->redundant++;
		call->redundant = true;
		return;
	}
	endpoint->status = item->status;
	endpoint->changes++;
}

/* The API takes a change as the real one would: applies what it may, answers what it says. */
static struct transport_answer fake_take_change(struct fake *fake, struct fake_call *call)
{
	if (call->kind == FAKE_SIM_PATCH) {
		struct fake_sim *sim = fake_sim(fake, call->id);
		int to = call->items[0].status;
		if (!sim)
			return answer_of(TRANSPORT_REFUSED, 404, "Not found");
		if (sim->status == to) {
			sim->redundant++;
			call->redundant = true;
			return answer_of(TRANSPORT_OK, 204, "");
		}
		if (!model_sim_transition_allowed(sim->status, to))
			return answer_of(TRANSPORT_REFUSED, 422, SIM_REFUSAL);
		sim->status = to;
		sim->changes++;
		return answer_of(TRANSPORT_OK, 204, "");
	}
	bool all_valid = true;
	for (size_t i = 0; i < call->count; i++)
		all_valid = all_valid && endpoint_change_valid(fake, &call->items[i]);
	if (!all_valid && (call->kind == FAKE_ENDPOINT_PATCH || !fake->bulk_partial))
		return answer_of(TRANSPORT_REFUSED, 422, call->kind == FAKE_BULK ? BULK_REFUSAL : ENDPOINT_REFUSAL);
	for (size_t i = 0; i < call->count; i++)
		if (endpoint_change_valid(fake, &call->items[i]))
			apply_endpoint_change(fake, call, &call->items[i]);
	/* A refused bulk call names no item (DESIGN.md §4), whatever it applied. */
	return all_valid ? answer_of(TRANSPORT_OK, 204, "") : answer_of(TRANSPORT_REFUSED, 422, BULK_REFUSAL);
}

static struct transport_answer fault_answer(enum fake_fault fault, long http_status, enum fake_kind kind)
{
	switch (fault) {
	case FAULT_NONE:
		break;
	case FAULT_REFUSED:
		return answer_of(TRANSPORT_REFUSED, 422, kind == FAKE_SIM_PATCH ? SIM_REFUSAL
						    : kind == FAKE_BULK	    ? BULK_REFUSAL
						    : kind == FAKE_ENDPOINT_PATCH ? ENDPOINT_REFUSAL
										  : "Invalid request");
	case FAULT_LOST:
	case FAULT_LOST_APPLIED:
		return answer_of(TRANSPORT_LOST, http_status, http_status ? "Bad Gateway" : "");
	case FAULT_THROTTLED:
		return answer_of(TRANSPORT_THROTTLED, 429, "Too Many Requests");
	case FAULT_EDGE_BLOCK:
		return answer_of(TRANSPORT_THROTTLED, 403, "Request blocked");
	case FAULT_FORBIDDEN:
		return answer_of(TRANSPORT_FORBIDDEN, 403, PERMISSION_REFUSAL);
	case FAULT_AUTH:
		return answer_of(TRANSPORT_AUTH, 401, TOKEN_REJECTED);
	}
	return answer_of(TRANSPORT_OK, 200, "");
}

bool fake_call_names(const struct fake_call *call, int64_t id)
{
	if (call->id == id)
		return true;
	for (size_t i = 0; i < call->count; i++)
		if (call->items[i].id == id)
			return true;
	return false;
}

static size_t fake_record(struct fake *fake, enum fake_kind kind, int64_t id,
			  const struct transport_endpoint_change *items, size_t count)
{
	fake->calls = xgrow(fake->calls, &fake->call_capacity, fake->call_count + 1, sizeof(*fake->calls));
	struct fake_call *call = &fake->calls[fake->call_count];
	memset(call, 0, sizeof(*call));
	call->kind = kind;
	call->id = id;
	if (count > 0) {
		call->items = xcalloc(count, sizeof(*items));
		memcpy(call->items, items, count * sizeof(*items));
		call->count = count;
	}
	call->issued = ++fake->events;
	call->issued_ms = fake->now_ms;
	if (fake_is_endpoint_change(kind)) {
		call->overlapped = fake->endpoint_changes_out > 0;
		fake->endpoint_changes_out++;
	}
	if (kind == FAKE_SIM_PATCH && ++fake->sim_patches_out > fake->sim_patches_out_max)
		fake->sim_patches_out_max = fake->sim_patches_out;
	return fake->call_count++;
}

/* Queue the answer of call index after delay_ms, with the fault the rules give it. */
static struct fake_pending *fake_queue(struct fake *fake, size_t index, int64_t delay_ms, void *context)
{
	const struct fake_call *call = &fake->calls[index];

	fake->pending = xgrow(fake->pending, &fake->pending_capacity, fake->pending_count + 1, sizeof(*fake->pending));
	struct fake_pending *pending = &fake->pending[fake->pending_count++];
	memset(pending, 0, sizeof(*pending));
	pending->call = index;
	pending->due_ms = fake->now_ms + delay_ms;
	pending->order = ++fake->order;
	pending->context = context;
	for (size_t i = 0; i < fake->rule_count; i++) {
		struct fake_rule *rule = &fake->rules[i];
		if (rule->kind != call->kind || (rule->id && !fake_call_names(call, rule->id)))
			continue;
		rule->seen++;
		if (pending->fault == FAULT_NONE && rule->seen >= rule->first &&
		    (rule->times == 0 || rule->seen < rule->first + rule->times)) {
			pending->fault = rule->fault;
			pending->http_status = rule->http_status;
		}
	}
	return pending;
}

static void fake_patch_status(void *self, enum transport_kind kind, int64_t id, int status, transport_done *done,
			      void *context)
{
	struct fake *fake = self;
	struct transport_endpoint_change item = { id, status };
	size_t index = fake_record(fake, kind == TRANSPORT_SIM ? FAKE_SIM_PATCH : FAKE_ENDPOINT_PATCH, id, &item, 1);
	fake_queue(fake, index, FAKE_LATENCY_MS, context)->done = done;
}

static void fake_patch_endpoints(void *self, const struct transport_endpoint_change *changes, size_t count,
				 transport_done *done, void *context)
{
	struct fake *fake = self;
	assert_true(count > 0);
	size_t index = fake_record(fake, FAKE_BULK, 0, changes, count);
	fake_queue(fake, index, FAKE_LATENCY_MS, context)->done = done;
}

static void fake_read(void *self, enum transport_kind kind, int64_t id, transport_read_done *done, void *context)
{
	struct fake *fake = self;
	size_t index = fake_record(fake, kind == TRANSPORT_SIM ? FAKE_SIM_GET : FAKE_ENDPOINT_GET, id, NULL, 0);
	fake_queue(fake, index, FAKE_LATENCY_MS, context)->read_done = done;
}

static void fake_read_live(void *self, enum transport_live what, int64_t endpoint_id, transport_live_done *done,
			   void *context)
{
	struct fake *fake = self;
	size_t index = fake_record(fake, what == TRANSPORT_LIVE_CONNECTIVITY ? FAKE_CONNECTIVITY : FAKE_USAGE,
				   endpoint_id, NULL, 0);
	fake_queue(fake, index, FAKE_LATENCY_MS, context)->live_done = done;
}

static void fake_list_endpoints(void *self, int64_t page, transport_page_done *done, void *context)
{
	struct fake *fake = self;
	size_t index = fake_record(fake, FAKE_LIST, 0, NULL, 0);
	fake->calls[index].page = page;
	fake_queue(fake, index, FAKE_LATENCY_MS, context)->page_done = done;
}

static void fake_timer(void *self, int64_t delay_ms, transport_timer_done *done, void *context)
{
	struct fake *fake = self;
	size_t index = fake_record(fake, FAKE_TIMER, 0, NULL, 0);
	fake->calls[index].delay_ms = delay_ms;
	fake_queue(fake, index, delay_ms > 0 ? delay_ms : 0, context)->timer_done = done;
}

static void fake_cancel(void *self, const void *context)
{
	struct fake *fake = self;
	size_t kept = 0;

	for (size_t i = 0; i < fake->pending_count; i++) {
		struct fake_pending *pending = &fake->pending[i];
		if (pending->context != context) {
			fake->pending[kept++] = *pending;
			continue;
		}
		struct fake_call *call = &fake->calls[pending->call];
		call->cancelled = true;
		if (is_change(call->kind) && fake->cancel_applies &&
		    (pending->fault == FAULT_NONE || pending->fault == FAULT_LOST_APPLIED))
			fake_take_change(fake, call);
		if (fake_is_endpoint_change(call->kind))
			fake->endpoint_changes_out--;
		if (call->kind == FAKE_SIM_PATCH)
			fake->sim_patches_out--;
	}
	fake->pending_count = kept;
}

static int64_t fake_now_ms(void *self)
{
	return ((struct fake *)self)->now_ms;
}

static void fake_load_start(void *self, struct fleet *fleet)
{
	struct fake *fake = self;
	fake->load_fleet = fleet;
	fake->loads++;
	fake->load = (struct transport_load_progress){ .running = true };
}

static void fake_load_progress(void *self, struct transport_load_progress *progress)
{
	*progress = ((struct fake *)self)->load;
}

static void fake_load_cancel(void *self)
{
	struct fake *fake = self;
	fake->load_fleet = NULL;
	fake->load.running = false;
}

static int64_t fake_workspace(void *self, char *name, size_t size)
{
	(void)self;
	snprintf(name, size, "Fake workspace");
	return 42;
}

static void fake_restart_pace(void *self)
{
	((struct fake *)self)->pace_restarts++;
}

/* Fill the fleet of the load asked for with every endpoint (and its SIM) and every SIM that no
 * endpoint holds, as the API's lists would. */
static void deliver_load(struct fake *fake)
{
	struct fleet *fleet = fake->load_fleet;
	fake->load_fleet = NULL;
	if (fake->load_fails) {
		fake->load_fails = false;
		fake->load = (struct transport_load_progress){ .failed = true };
		snprintf(fake->load.message, sizeof(fake->load.message), "no answer from the fake emnify");
		return;
	}
	int64_t records = 0;
	for (size_t i = 0; i < fake->endpoint_count; i++) {
		const struct fake_endpoint *endpoint = &fake->endpoints[i];
		if (endpoint->gone)
			continue;
		const struct fake_sim *sim = fake_sim(fake, endpoint->sim_id);
		char name[32], iccid[32];
		snprintf(name, sizeof(name), "device-%lld", (long long)endpoint->id);
		snprintf(iccid, sizeof(iccid), "8988%015lld", (long long)endpoint->sim_id);
		struct endpoint_record record = {
			.id = endpoint->id, .endpoint_status = endpoint->status, .name = name,
			.sim_id = endpoint->sim_id, .sim_status = sim ? sim->status : SIM_NONE, .iccid = sim ? iccid : NULL,
		};
		fleet_add_endpoint(fleet, &record);
		records++;
	}
	for (size_t i = 0; i < fake->sim_count; i++) {
		const struct fake_sim *sim = &fake->sims[i];
		if (fake_sim_has_endpoint(fake, sim->id))
			continue;
		char iccid[32];
		snprintf(iccid, sizeof(iccid), "8988%015lld", (long long)sim->id);
		struct sim_record record = { .id = sim->id, .sim_status = sim->status, .iccid = iccid };
		fleet_add_sim(fleet, &record);
		records++;
	}
	fake->load = (struct transport_load_progress){ .done = true, .records_total = records,
						       .records_loaded = records };
}

static const struct transport_ops fake_ops = {
	.patch_status = fake_patch_status,
	.patch_endpoints = fake_patch_endpoints,
	.read = fake_read,
	.list_endpoints = fake_list_endpoints,
	.read_live = fake_read_live,
	.timer = fake_timer,
	.cancel = fake_cancel,
	.now_ms = fake_now_ms,
	.load_start = fake_load_start,
	.load_progress = fake_load_progress,
	.load_cancel = fake_load_cancel,
	.workspace = fake_workspace,
	.restart_pace = fake_restart_pace,
};

static void deliver_read(struct fake *fake, const struct fake_pending *pending, struct fake_call *call)
{
	struct transport_answer answer = fault_answer(pending->fault, pending->http_status, call->kind);
	struct transport_object object = { 0, ENDPOINT_NONE, 0, SIM_NONE };
	bool found = false;

	if (pending->fault == FAULT_NONE) {
		if (call->kind == FAKE_SIM_GET) {
			struct fake_sim *sim = fake_sim(fake, call->id);
			if (sim) {
				object = (struct transport_object){ 0, ENDPOINT_NONE, sim->id, sim->status };
				found = true;
			}
		} else {
			struct fake_endpoint *endpoint = fake_endpoint(fake, call->id);
			if (endpoint) {
				object = fake_object(fake, endpoint);
				found = true;
			}
		}
		answer = found ? answer_of(TRANSPORT_OK, 200, "") : answer_of(TRANSPORT_REFUSED, 404, "Not found");
	}
	call->outcome = answer.outcome;
	call->http_status = answer.http_status;
	pending->read_done(pending->context, &answer, answer.outcome == TRANSPORT_OK ? &object : NULL);
}

static void deliver_live(struct fake *fake, const struct fake_pending *pending, struct fake_call *call)
{
	struct transport_answer answer = fault_answer(pending->fault, pending->http_status, call->kind);
	struct transport_live_answer live = { "", 0 };
	struct fake_endpoint *endpoint = fake_endpoint(fake, call->id);

	if (pending->fault == FAULT_NONE && !endpoint) {
		answer = answer_of(TRANSPORT_REFUSED, 404, "Not found");
	} else if (pending->fault == FAULT_NONE) {
		struct fake_sim *sim = fake_sim(fake, endpoint->sim_id);
		bool online = endpoint->status == ENDPOINT_ENABLED && sim && sim->status == SIM_ACTIVATED;
		snprintf(live.word, sizeof(live.word), "%s", online ? "ONLINE" : "OFFLINE");
		live.data_month_mb = online ? FAKE_USAGE_MB(endpoint->id) : 0;
	}
	call->outcome = answer.outcome;
	call->http_status = answer.http_status;
	pending->live_done(pending->context, &answer, answer.outcome == TRANSPORT_OK ? &live : NULL);
}

static void deliver_page(struct fake *fake, const struct fake_pending *pending, struct fake_call *call)
{
	struct transport_answer answer = fault_answer(pending->fault, pending->http_status, call->kind);
	size_t per_page = fake->transport.list_per_page, listed = 0;
	struct transport_object *objects = NULL;
	size_t count = 0;

	for (size_t i = 0; i < fake->endpoint_count; i++)
		listed += !fake->endpoints[i].gone;
	int64_t total = (int64_t)((listed + per_page - 1) / per_page);

	if (total < 1)
		total = 1;
	if (pending->fault == FAULT_NONE) {
		/* A page past the end is the last page again, as emnify serves it. */
		int64_t page = call->page > total ? total : call->page;
		size_t skip = (size_t)(page - 1) * per_page;
		objects = xcalloc(per_page, sizeof(*objects));
		for (size_t i = 0; i < fake->endpoint_count && count < per_page; i++) {
			if (fake->endpoints[i].gone)
				continue;
			if (skip > 0)
				skip--;
			else
				objects[count++] = fake_object(fake, &fake->endpoints[i]);
		}
		answer = answer_of(TRANSPORT_OK, 200, "");
	}
	call->outcome = answer.outcome;
	call->http_status = answer.http_status;
	pending->page_done(pending->context, &answer, objects, count, total);
	free(objects);
}

/* Deliver the next answer (or fire the next timer), moving the clock to its time. false when
 * nothing is left. */
bool fake_step(struct fake *fake)
{
	if (fake->load_fleet) {
		deliver_load(fake);
		return true;
	}
	if (fake->pending_count == 0)
		return false;
	size_t best = 0;
	for (size_t i = 1; i < fake->pending_count; i++) {
		const struct fake_pending *a = &fake->pending[i], *b = &fake->pending[best];
		if (a->due_ms < b->due_ms || (a->due_ms == b->due_ms && a->order < b->order))
			best = i;
	}
	struct fake_pending pending = fake->pending[best];
	memmove(&fake->pending[best], &fake->pending[best + 1],
		(fake->pending_count - best - 1) * sizeof(*fake->pending));
	fake->pending_count--;
	if (pending.due_ms > fake->now_ms)
		fake->now_ms = pending.due_ms;

	/* The callback may add calls (and move fake->calls): nothing of call is used after it. */
	struct fake_call *call = &fake->calls[pending.call];
	call->answered = ++fake->events;
	call->answered_ms = fake->now_ms;
	fake->delivered++;
	if (is_change(call->kind)) {
		struct transport_answer answer = fault_answer(pending.fault, pending.http_status, call->kind);
		if (pending.fault == FAULT_NONE)
			answer = fake_take_change(fake, call);
		else if (pending.fault == FAULT_LOST_APPLIED)
			fake_take_change(fake, call);
		if (fake_is_endpoint_change(call->kind))
			fake->endpoint_changes_out--;
		if (call->kind == FAKE_SIM_PATCH)
			fake->sim_patches_out--;
		call->outcome = answer.outcome;
		call->http_status = answer.http_status;
		pending.done(pending.context, &answer);
	} else if (call->kind == FAKE_LIST) {
		deliver_page(fake, &pending, call);
	} else if (call->kind == FAKE_TIMER) {
		pending.timer_done(pending.context);
	} else if (call->kind == FAKE_CONNECTIVITY || call->kind == FAKE_USAGE) {
		deliver_live(fake, &pending, call);
	} else {
		deliver_read(fake, &pending, call);
	}
	return true;
}

void fake_run(struct fake *fake)
{
	size_t steps = 0;
	while (fake_step(fake))
		assert_true(++steps < FAKE_STEPS_MAX);
}

void fake_init(struct fake *fake, size_t bulk_max, size_t per_page)
{
	memset(fake, 0, sizeof(*fake));
	fake->now_ms = FAKE_START_MS;
	fake->sim_parallel = 4;
	fake->transport = (struct transport){ .ops = &fake_ops, .self = fake, .bulk_max = bulk_max,
					      .list_per_page = per_page };
}

void fake_free(struct fake *fake)
{
	for (size_t i = 0; i < fake->call_count; i++)
		free(fake->calls[i].items);
	free(fake->calls);
	free(fake->pending);
}

static void fake_add_pair(struct fake *fake, int64_t endpoint_id, int64_t sim_id, int sim_status, int endpoint_status)
{
	assert_true(fake->endpoint_count < FAKE_OBJECTS && fake->sim_count < FAKE_OBJECTS);
	fake->sims[fake->sim_count++] = (struct fake_sim){ .id = sim_id, .status = sim_status };
	fake->endpoints[fake->endpoint_count++] =
		(struct fake_endpoint){ .id = endpoint_id, .status = endpoint_status, .sim_id = sim_id };
}

/* Add device n (the next one); devices come before bystanders. */
size_t fake_add_device(struct fake *fake, int sim_status, int endpoint_status)
{
	size_t n = fake->devices++;
	assert_int_equal(fake->endpoint_count, n);
	fake_add_pair(fake, ENDPOINT_ID(n), SIM_ID(n), sim_status, endpoint_status);
	return n;
}

void fake_add_devices(struct fake *fake, size_t count, int sim_status, int endpoint_status)
{
	for (size_t i = 0; i < count; i++)
		fake_add_device(fake, sim_status, endpoint_status);
}

/* A SIM with no endpoint: a device of its own, after the endpoint devices in a plan. */
void fake_add_lonely_sim(struct fake *fake, int64_t id, int status)
{
	assert_true(fake->sim_count < FAKE_OBJECTS);
	fake->sims[fake->sim_count++] = (struct fake_sim){ .id = id, .status = status };
}

bool fake_sim_has_endpoint(const struct fake *fake, int64_t id)
{
	for (size_t i = 0; i < fake->endpoint_count; i++)
		if (fake->endpoints[i].sim_id == id)
			return true;
	return false;
}

void fake_add_bystanders(struct fake *fake, size_t count)
{
	for (size_t i = 0; i < count; i++)
		fake_add_pair(fake, 300 + (int64_t)i, 700 + (int64_t)i, SIM_ACTIVATED, ENDPOINT_ENABLED);
}

void fake_add_rule(struct fake *fake, enum fake_kind kind, int64_t id, int first, int times,
			  enum fake_fault fault, long http_status)
{
	assert_true(fake->rule_count < FAKE_RULES);
	fake->rules[fake->rule_count++] = (struct fake_rule){ .kind = kind, .id = id, .first = first, .times = times,
							      .fault = fault, .http_status = http_status };
}

