/* live.c — the store of what the network said of endpoints, and the fetch that fills it
 * (live.h). */
#include "live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hashmap.h"
#include "ratelimit.h"
#include "text.h"
#include "util.h"

/* Calls in flight at most: enough to keep each route's bucket busy, few enough that a cancel
 * or a failure leaves little queued. */
#define LIVE_IN_FLIGHT 8

struct live {
	struct live_state *states;  /* every endpoint read, in the order first read */
	size_t count, capacity;
	struct hashmap places;      /* endpoint id to its index in states */
};

static uint64_t key_at(const void *owner, uint32_t place)
{
	const struct live *live = owner;
	return (uint64_t)live->states[place].endpoint_id;
}

struct live *live_new(void)
{
	struct live *live = xcalloc(1, sizeof(*live));
	hashmap_init(&live->places, key_at, live);
	return live;
}

void live_free(struct live *live)
{
	if (!live)
		return;
	hashmap_free(&live->places);
	free(live->states);
	free(live);
}

const struct live_state *live_find(const struct live *live, int64_t endpoint_id)
{
	uint32_t place;
	if (!live || endpoint_id <= 0 || !hashmap_find(&live->places, (uint64_t)endpoint_id, &place))
		return NULL;
	return &live->states[place];
}

size_t live_count(const struct live *live)
{
	return live ? live->count : 0;
}

int64_t live_oldest(const struct live *live)
{
	int64_t oldest = 0;
	for (size_t i = 0; live && i < live->count; i++) {
		const struct live_state *state = &live->states[i];
		int64_t times[2] = { state->connectivity_read_at, state->usage_read_at };
		for (int t = 0; t < 2; t++)
			if (times[t] && (oldest == 0 || times[t] < oldest))
				oldest = times[t];
	}
	return oldest;
}

/* The state of an endpoint, made when there is none. */
static struct live_state *state_of(struct live *live, int64_t endpoint_id)
{
	uint32_t place;
	if (hashmap_find(&live->places, (uint64_t)endpoint_id, &place))
		return &live->states[place];
	if (live->count >= HASHMAP_NO_VALUE)
		die(3, "too many live states");
	live->states = xgrow(live->states, &live->capacity, live->count + 1, sizeof(*live->states));
	struct live_state *state = &live->states[live->count];
	*state = (struct live_state){ .endpoint_id = endpoint_id };
	hashmap_insert(&live->places, (uint32_t)live->count++);
	return state;
}

void live_set_connectivity(struct live *live, int64_t endpoint_id, const char *word, int64_t at)
{
	if (endpoint_id <= 0)
		return;
	struct live_state *state = state_of(live, endpoint_id);
	text_clean_buffer(state->word, sizeof(state->word), word ? word : "");
	state->connectivity = model_connectivity_parse(state->word);
	state->connectivity_read_at = at;
}

void live_set_usage(struct live *live, int64_t endpoint_id, double data_month_mb, int64_t at)
{
	if (endpoint_id <= 0)
		return;
	struct live_state *state = state_of(live, endpoint_id);
	state->data_month_mb = data_month_mb;
	state->usage_read_at = at;
}

const char *live_what_word(enum transport_live what)
{
	return what == TRANSPORT_LIVE_CONNECTIVITY ? "connectivity" : "usage";
}

/* --- estimates ------------------------------------------------------------------------------ */

static size_t kinds_in(unsigned kinds)
{
	return (kinds & LIVE_CONNECTIVITY ? 1 : 0) + (kinds & LIVE_USAGE ? 1 : 0);
}

struct live_estimate live_estimate(const struct transport *transport, size_t devices, unsigned kinds)
{
	size_t per_device = kinds_in(kinds);
	struct live_estimate estimate = { devices * per_device, 0 };
	/* Devices a second each route allows; calls a second are that times the kinds asked. */
	double devices_rate = 0;
	for (int what = 0; what < TRANSPORT_LIVE_COUNT; what++) {
		double rate = transport->live_rate[what];
		if ((kinds & 1u << what) && rate > 0 && (devices_rate == 0 || rate < devices_rate))
			devices_rate = rate;
	}
	double rate = devices_rate * (double)per_device;
	if (transport->live_pace > 0 && (rate == 0 || transport->live_pace < rate))
		rate = transport->live_pace;
	estimate.seconds = ratelimit_window_seconds(estimate.calls, rate, transport->window_calls, transport->window_ms);
	return estimate;
}

/* --- the fetch ---------------------------------------------------------------------------- */

struct slot {
	struct live_fetch *fetch;
	bool busy;
	int64_t endpoint_id;
	enum transport_live what;
};

struct live_fetch {
	const struct transport *transport;
	struct live *live;
	int64_t *endpoint_ids;      /* without the zeros */
	size_t count;
	unsigned kinds;
	size_t per_device;
	size_t next;                /* calls started, in the order device by device, kind by kind */
	struct live_fetch_progress progress;
	struct live_failure *failures;
	size_t failure_count, failure_capacity;
	struct slot slots[LIVE_IN_FLIGHT];
};

static void add_failure(struct live_fetch *fetch, int64_t endpoint_id, enum transport_live what, const char *message)
{
	fetch->failures = xgrow(fetch->failures, &fetch->failure_capacity, fetch->failure_count + 1,
				sizeof(*fetch->failures));
	struct live_failure *failure = &fetch->failures[fetch->failure_count++];
	failure->endpoint_id = endpoint_id;
	failure->what = what;
	snprintf(failure->message, sizeof(failure->message), "%s", message && message[0] ? message : "no answer");
	fetch->progress.calls_failed++;
}

/* The what of call number call. */
static enum transport_live call_what(const struct live_fetch *fetch, size_t call)
{
	if (fetch->per_device == 2)
		return call % 2 == 0 ? TRANSPORT_LIVE_CONNECTIVITY : TRANSPORT_LIVE_USAGE;
	return fetch->kinds & LIVE_CONNECTIVITY ? TRANSPORT_LIVE_CONNECTIVITY : TRANSPORT_LIVE_USAGE;
}

static void settle(struct live_fetch *fetch)
{
	if (fetch->progress.calls_done == fetch->progress.calls_total)
		fetch->progress.running = false;
}

static void read_done(void *context, const struct transport_answer *answer, const struct transport_live_answer *read);

/* Start calls into free slots while there are calls left. */
static void fill_slots(struct live_fetch *fetch)
{
	for (size_t i = 0; i < LIVE_IN_FLIGHT && fetch->next < fetch->progress.calls_total; i++) {
		struct slot *slot = &fetch->slots[i];
		if (slot->busy)
			continue;
		size_t call = fetch->next++;
		*slot = (struct slot){ fetch, true, fetch->endpoint_ids[call / fetch->per_device], call_what(fetch, call) };
		fetch->transport->ops->read_live(fetch->transport->self, slot->what, slot->endpoint_id, read_done, slot);
	}
}

/* The token was rejected: no other call can succeed. What was not sent fails too. */
static void stop_unsent(struct live_fetch *fetch, const char *message)
{
	for (; fetch->next < fetch->progress.calls_total; fetch->next++) {
		size_t call = fetch->next;
		add_failure(fetch, fetch->endpoint_ids[call / fetch->per_device], call_what(fetch, call), message);
		fetch->progress.calls_done++;
	}
}

static void read_done(void *context, const struct transport_answer *answer, const struct transport_live_answer *read)
{
	struct slot *slot = context;
	struct live_fetch *fetch = slot->fetch;
	slot->busy = false;
	fetch->progress.calls_done++;
	if (answer->outcome == TRANSPORT_OK && read) {
		int64_t now = (int64_t)time(NULL);
		if (slot->what == TRANSPORT_LIVE_CONNECTIVITY)
			live_set_connectivity(fetch->live, slot->endpoint_id, read->word, now);
		else
			live_set_usage(fetch->live, slot->endpoint_id, read->data_month_mb, now);
	} else {
		add_failure(fetch, slot->endpoint_id, slot->what, answer->message);
		if (answer->outcome == TRANSPORT_AUTH)
			stop_unsent(fetch, answer->message);
	}
	fill_slots(fetch);
	settle(fetch);
}

struct live_fetch *live_fetch_start(const struct transport *transport, struct live *live,
				    const int64_t *endpoint_ids, size_t count, unsigned kinds)
{
	struct live_fetch *fetch = xcalloc(1, sizeof(*fetch));
	fetch->transport = transport;
	fetch->live = live;
	fetch->kinds = kinds & LIVE_BOTH;
	fetch->per_device = kinds_in(fetch->kinds);
	fetch->endpoint_ids = xcalloc(count ? count : 1, sizeof(*fetch->endpoint_ids));
	for (size_t i = 0; i < count; i++)
		if (endpoint_ids[i] > 0)
			fetch->endpoint_ids[fetch->count++] = endpoint_ids[i];
	fetch->progress.devices = fetch->count;
	fetch->progress.calls_total = fetch->count * fetch->per_device;
	fetch->progress.running = fetch->progress.calls_total > 0;
	fill_slots(fetch);
	return fetch;
}

void live_fetch_progress(const struct live_fetch *fetch, struct live_fetch_progress *progress)
{
	*progress = fetch->progress;
}

const struct live_failure *live_fetch_failures(const struct live_fetch *fetch, size_t *count)
{
	*count = fetch->failure_count;
	return fetch->failures;
}

void live_fetch_cancel(struct live_fetch *fetch)
{
	if (!fetch || !fetch->progress.running)
		return;
	for (size_t i = 0; i < LIVE_IN_FLIGHT; i++) {
		if (fetch->slots[i].busy) {
			fetch->transport->ops->cancel(fetch->transport->self, &fetch->slots[i]);
			fetch->slots[i].busy = false;
		}
	}
	fetch->progress.running = false;
	fetch->progress.cancelled = true;
}

void live_fetch_free(struct live_fetch *fetch)
{
	if (!fetch)
		return;
	live_fetch_cancel(fetch);
	free(fetch->failures);
	free(fetch->endpoint_ids);
	free(fetch);
}
