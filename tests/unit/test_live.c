/* test_live.c — the live state (live.h): the store by endpoint id, the estimate of a read at
 * the transport's limits, and the fetch against the fake emnify of fake_emnify.h (values read,
 * progress, calls in flight, failures, a rejected token, cancel). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fake_emnify.h"
#include "live.h"
#include "model.h"
#include "transport.h"
#include "util.h"

/* The fetch keeps this many calls in flight at most (live.h). */
#define IN_FLIGHT_MAX 8

/* --- the store ------------------------------------------------------------------------------ */

static void test_store_set_find_count_oldest(void **state)
{
	(void)state;
	struct live *live = live_new();
	assert_int_equal(live_count(live), 0);
	assert_int_equal(live_oldest(live), 0);
	assert_null(live_find(live, 11));

	live_set_connectivity(live, 11, "ONLINE", 1000);
	const struct live_state *read = live_find(live, 11);
	assert_non_null(read);
	assert_int_equal(read->endpoint_id, 11);
	assert_int_equal(read->connectivity, CONNECTIVITY_ONLINE);
	assert_string_equal(read->word, "ONLINE");
	assert_int_equal(read->connectivity_read_at, 1000);
	assert_int_equal(read->usage_read_at, 0);
	assert_true(read->data_month_mb == 0);
	assert_int_equal(live_count(live), 1);
	assert_int_equal(live_oldest(live), 1000);

	/* The other half of the same endpoint: still one state. */
	live_set_usage(live, 11, 2.5, 900);
	read = live_find(live, 11);
	assert_int_equal(live_count(live), 1);
	assert_true(read->data_month_mb == 2.5);
	assert_int_equal(read->usage_read_at, 900);
	assert_int_equal(read->connectivity_read_at, 1000);
	assert_int_equal(read->connectivity, CONNECTIVITY_ONLINE);
	assert_int_equal(live_oldest(live), 900);

	/* Usage alone: the connectivity is not read. */
	live_set_usage(live, 12, 0, 1200);
	read = live_find(live, 12);
	assert_non_null(read);
	assert_int_equal(read->connectivity_read_at, 0);
	assert_int_equal(read->connectivity, CONNECTIVITY_UNKNOWN);
	assert_string_equal(read->word, "");
	assert_int_equal(read->usage_read_at, 1200);
	assert_int_equal(live_count(live), 2);
	assert_int_equal(live_oldest(live), 900);

	/* A new read replaces the old one; the oldest follows. */
	live_set_connectivity(live, 11, "offline", 1500);
	read = live_find(live, 11);
	assert_int_equal(read->connectivity, CONNECTIVITY_OFFLINE);
	assert_string_equal(read->word, "offline");
	assert_int_equal(read->connectivity_read_at, 1500);
	assert_int_equal(live_oldest(live), 900);
	live_set_usage(live, 11, 7.25, 1600);
	assert_true(live_find(live, 11)->data_month_mb == 7.25);
	assert_int_equal(live_oldest(live), 1200);
	assert_int_equal(live_count(live), 2);
	assert_null(live_find(live, 13));

	/* Many endpoints: each found with its own values, whatever the store grew to. */
	for (int64_t id = 1000; id < 3000; id++) {
		live_set_usage(live, id, (double)id / 4, 2000 + id);
		if (id % 2)
			live_set_connectivity(live, id, id % 3 ? "ATTACHED" : "BLOCKED", 5000 + id);
	}
	assert_int_equal(live_count(live), 2002);
	for (int64_t id = 1000; id < 3000; id++) {
		read = live_find(live, id);
		assert_non_null(read);
		assert_int_equal(read->endpoint_id, id);
		assert_true(read->data_month_mb == (double)id / 4);
		assert_int_equal(read->usage_read_at, 2000 + id);
		if (id % 2) {
			assert_int_equal(read->connectivity, id % 3 ? CONNECTIVITY_ATTACHED : CONNECTIVITY_BLOCKED);
			assert_int_equal(read->connectivity_read_at, 5000 + id);
		} else {
			assert_int_equal(read->connectivity_read_at, 0);
		}
	}
	assert_int_equal(live_oldest(live), 1200);
	/* The first ones kept their values through the growth. */
	assert_true(live_find(live, 11)->data_month_mb == 7.25);
	assert_int_equal(live_find(live, 12)->usage_read_at, 1200);
	live_free(live);
}

static void test_store_ignores_id_zero(void **state)
{
	(void)state;
	struct live *live = live_new();
	live_set_connectivity(live, 0, "ONLINE", 100);
	live_set_usage(live, 0, 3, 100);
	live_set_connectivity(live, -4, "ONLINE", 100);
	live_set_usage(live, -4, 3, 100);
	assert_int_equal(live_count(live), 0);
	assert_int_equal(live_oldest(live), 0);
	assert_null(live_find(live, 0));
	assert_null(live_find(live, -4));
	live_set_usage(live, 5, 1, 300);
	assert_int_equal(live_count(live), 1);
	assert_null(live_find(live, 0));
	live_free(live);

	/* Nothing at all: NULL is an empty store. */
	assert_null(live_find(NULL, 5));
	assert_int_equal(live_count(NULL), 0);
	assert_int_equal(live_oldest(NULL), 0);
	live_free(NULL);
}

/* A word emnify does not document is CONNECTIVITY_UNKNOWN, kept as sent once cleaned; the
 * documented ones in any case. */
static void test_store_words(void **state)
{
	(void)state;
	static const struct {
		const char *word;
		enum connectivity connectivity;
		const char *kept;
	} words[] = {
		{ "ONLINE", CONNECTIVITY_ONLINE, "ONLINE" },
		{ "Attached", CONNECTIVITY_ATTACHED, "Attached" },
		{ "offline", CONNECTIVITY_OFFLINE, "offline" },
		{ "BLOCKED", CONNECTIVITY_BLOCKED, "BLOCKED" },
		{ "ROAMING", CONNECTIVITY_UNKNOWN, "ROAMING" },
		{ "", CONNECTIVITY_UNKNOWN, "" },
		/* An escape sequence is removed whole, a control becomes a blank. */
		{ "ROAM\x1b[31mING", CONNECTIVITY_UNKNOWN, "ROAMING" },
		{ "ON\aLINE", CONNECTIVITY_UNKNOWN, "ON LINE" },
		{ "\x1b]0;title\aONLINE", CONNECTIVITY_ONLINE, "ONLINE" },
		/* Longer than the word's room: cut, terminated. */
		{ "SOMETHING_MUCH_LONGER_THAN_THE_ROOM", CONNECTIVITY_UNKNOWN, "SOMETHING_MUCH_LONGER_T" },
	};
	struct live *live = live_new();
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		int64_t id = (int64_t)i + 1;
		live_set_connectivity(live, id, words[i].word, 42);
		const struct live_state *read = live_find(live, id);
		assert_non_null(read);
		if (read->connectivity != words[i].connectivity || strcmp(read->word, words[i].kept) != 0)
			fail_msg("word [%s]: connectivity %d word [%s], expected %d [%s]", words[i].word,
				 read->connectivity, read->word, words[i].connectivity, words[i].kept);
		assert_int_equal(read->connectivity_read_at, 42);
	}
	/* NULL is read as "": unknown, but read. */
	live_set_connectivity(live, 99, NULL, 7);
	assert_int_equal(live_find(live, 99)->connectivity, CONNECTIVITY_UNKNOWN);
	assert_string_equal(live_find(live, 99)->word, "");
	assert_int_equal(live_find(live, 99)->connectivity_read_at, 7);
	live_free(live);
}

/* --- the estimate ----------------------------------------------------------------------------- */

static void assert_seconds(double actual, double expected)
{
	if (actual < expected - 1e-9 || actual > expected + 1e-9)
		fail_msg("estimate: %.6f s, expected %.6f s", actual, expected);
}

static void test_estimate(void **state)
{
	(void)state;
	struct transport transport = { 0 };
	struct live_estimate estimate;

	/* No limits at all: calls are devices × kinds, and no time. */
	estimate = live_estimate(&transport, 10, LIVE_BOTH);
	assert_int_equal(estimate.calls, 20);
	assert_seconds(estimate.seconds, 0);
	assert_int_equal(live_estimate(&transport, 10, LIVE_USAGE).calls, 10);
	assert_int_equal(live_estimate(&transport, 10, 0).calls, 0);
	assert_int_equal(live_estimate(&transport, 0, LIVE_BOTH).calls, 0);

	/* The live pace only, 10 calls a second: the first call leaves at once, the 20th
	 * 1.9 s later. */
	transport.live_pace = 10;
	estimate = live_estimate(&transport, 10, LIVE_BOTH);
	assert_int_equal(estimate.calls, 20);
	assert_seconds(estimate.seconds, 1.9);
	estimate = live_estimate(&transport, 10, LIVE_CONNECTIVITY);
	assert_int_equal(estimate.calls, 10);
	assert_seconds(estimate.seconds, 0.9);
	assert_seconds(live_estimate(&transport, 1, LIVE_BOTH).seconds, 0.1);
	assert_seconds(live_estimate(&transport, 0, LIVE_BOTH).seconds, 0);

	/* The routes slower than the pace: connectivity 5 a second, stats 2. Both kinds: the stats
	 * route lets 2 devices a second through, 4 calls a second, 20 calls in 19 / 4 s. */
	transport.live_pace = 100;
	transport.live_rate[TRANSPORT_LIVE_CONNECTIVITY] = 5;
	transport.live_rate[TRANSPORT_LIVE_USAGE] = 2;
	estimate = live_estimate(&transport, 10, LIVE_BOTH);
	assert_int_equal(estimate.calls, 20);
	assert_seconds(estimate.seconds, 4.75);
	/* One kind: that route's own rate; the other route does not count. */
	assert_seconds(live_estimate(&transport, 10, LIVE_CONNECTIVITY).seconds, 9.0 / 5);
	assert_seconds(live_estimate(&transport, 10, LIVE_USAGE).seconds, 9.0 / 2);
	/* A route without a limit of its own: the pace decides. */
	transport.live_rate[TRANSPORT_LIVE_CONNECTIVITY] = 0;
	assert_seconds(live_estimate(&transport, 10, LIVE_CONNECTIVITY).seconds, 9.0 / 100);
	assert_seconds(live_estimate(&transport, 10, LIVE_BOTH).seconds, 19.0 / 4);

	/* The pace slower than the routes: 3 calls a second against 5 and 5 (10 calls a second). */
	transport.live_pace = 3;
	transport.live_rate[TRANSPORT_LIVE_CONNECTIVITY] = 5;
	transport.live_rate[TRANSPORT_LIVE_USAGE] = 5;
	assert_seconds(live_estimate(&transport, 10, LIVE_BOTH).seconds, 19.0 / 3);
	transport.live_pace = 0;
	assert_seconds(live_estimate(&transport, 10, LIVE_BOTH).seconds, 19.0 / 10);

	/* emnify's routes (connectivity 50 a second, stats 100) and pace (10): the pace decides. */
	transport.live_pace = 10;
	transport.live_rate[TRANSPORT_LIVE_CONNECTIVITY] = 50;
	transport.live_rate[TRANSPORT_LIVE_USAGE] = 100;
	assert_seconds(live_estimate(&transport, 500, LIVE_BOTH).seconds, 999.0 / 10);
	transport.live_pace = 0;
	assert_seconds(live_estimate(&transport, 500, LIVE_BOTH).seconds, 999.0 / 100);

	/* The per-IP window: 100 calls in any 60 s, at a pace of 10 a second. 150 devices, 300
	 * calls: calls 1-100 leave at 0 … 9.9 s, 101-200 when the first leave the window, at
	 * 60 … 69.9 s, 201-300 at 120 … 129.9 s. */
	transport = (struct transport){ .live_pace = 10, .window_calls = 100, .window_ms = 60000 };
	estimate = live_estimate(&transport, 150, LIVE_BOTH);
	assert_int_equal(estimate.calls, 300);
	assert_seconds(estimate.seconds, 129.9);
	/* Within one window, the window does not slow anything. */
	assert_seconds(live_estimate(&transport, 50, LIVE_BOTH).seconds, 9.9);
	/* 101 calls: the 101st waits for the window to open again. */
	assert_seconds(live_estimate(&transport, 101, LIVE_USAGE).seconds, 60);
	/* Routes at 1 a second each, 2 calls a second: 100 calls take 49.5 s, then the wait. */
	transport.live_rate[TRANSPORT_LIVE_CONNECTIVITY] = 1;
	transport.live_rate[TRANSPORT_LIVE_USAGE] = 1;
	assert_seconds(live_estimate(&transport, 150, LIVE_BOTH).seconds, 2 * 60 + 99.0 / 2);
	/* No pace at all: each window's calls leave at once, the next ones 60 s later. */
	transport = (struct transport){ .window_calls = 100, .window_ms = 60000 };
	assert_seconds(live_estimate(&transport, 150, LIVE_BOTH).seconds, 120);
	/* A pace too slow to fill a window (100 calls take 100 s): the window never binds. */
	transport = (struct transport){ .live_pace = 1, .window_calls = 100, .window_ms = 60000 };
	assert_seconds(live_estimate(&transport, 150, LIVE_BOTH).seconds, 299);
}

/* --- the fetch --------------------------------------------------------------------------------- */

/* The calls of a kind the fake received. */
static size_t count_calls(const struct fake *fake, enum fake_kind kind, int64_t id)
{
	size_t count = 0;
	for (size_t i = 0; i < fake->call_count; i++)
		count += fake->calls[i].kind == kind && (id == 0 || fake->calls[i].id == id);
	return count;
}

/* The most calls in flight at once: at each call's issue, those issued before it and neither
 * answered nor cancelled yet. */
static size_t most_in_flight(const struct fake *fake)
{
	size_t most = 0;
	for (size_t i = 0; i < fake->call_count; i++) {
		uint64_t at = fake->calls[i].issued;
		size_t in_flight = 0;
		for (size_t j = 0; j < fake->call_count; j++) {
			const struct fake_call *other = &fake->calls[j];
			bool open = other->answered ? other->answered > at : !other->cancelled;
			in_flight += other->issued <= at && open;
		}
		if (in_flight > most)
			most = in_flight;
	}
	return most;
}

/* Devices of every kind: online (Enabled, Activated) and offline by either side. */
static void add_mixed_devices(struct fake *fake, size_t count)
{
	static const struct { int sim, endpoint; } kinds[] = {
		{ SIM_ACTIVATED, ENDPOINT_ENABLED }, { SIM_ACTIVATED, ENDPOINT_DISABLED },
		{ SIM_SUSPENDED, ENDPOINT_ENABLED }, { SIM_ACTIVATED, ENDPOINT_ENABLED },
		{ SIM_ISSUED, ENDPOINT_DISABLED },
	};
	for (size_t i = 0; i < count; i++)
		fake_add_device(fake, kinds[i % ARRAY_SIZE(kinds)].sim, kinds[i % ARRAY_SIZE(kinds)].endpoint);
}

static bool device_online(const struct fake *fake, size_t n)
{
	return fake->endpoints[n].status == ENDPOINT_ENABLED && fake->sims[n].status == SIM_ACTIVATED;
}

static int64_t *device_ids(size_t count)
{
	int64_t *ids = xcalloc(count, sizeof(*ids));
	for (size_t i = 0; i < count; i++)
		ids[i] = ENDPOINT_ID(i);
	return ids;
}

static const struct live_failure *failure_of(const struct live_fetch *fetch, int64_t endpoint_id,
					     enum transport_live what)
{
	size_t count;
	const struct live_failure *failures = live_fetch_failures(fetch, &count);
	for (size_t i = 0; i < count; i++)
		if (failures[i].endpoint_id == endpoint_id && failures[i].what == what)
			return &failures[i];
	return NULL;
}

/* Every device read, both halves, with the fake's values; progress counts each answer. */
static void test_fetch_reads_every_device(void **state)
{
	(void)state;
	enum { DEVICES = 30 };
	struct fake fake;
	fake_init(&fake, 2000, 1000);
	add_mixed_devices(&fake, DEVICES);
	int64_t *ids = device_ids(DEVICES);
	struct live *live = live_new();
	int64_t before = (int64_t)time(NULL);

	struct live_fetch *fetch = live_fetch_start(&fake.transport, live, ids, DEVICES, LIVE_BOTH);
	struct live_fetch_progress progress;
	live_fetch_progress(fetch, &progress);
	assert_true(progress.running);
	assert_false(progress.cancelled);
	assert_int_equal(progress.devices, DEVICES);
	assert_int_equal(progress.calls_total, 2 * DEVICES);
	assert_int_equal(progress.calls_done, 0);
	assert_int_equal(progress.calls_failed, 0);
	/* As many calls as may be in flight went out at once, device by device, kind by kind. */
	assert_int_equal(fake.call_count, IN_FLIGHT_MAX);
	for (size_t i = 0; i < IN_FLIGHT_MAX; i++) {
		assert_int_equal(fake.calls[i].kind, i % 2 ? FAKE_USAGE : FAKE_CONNECTIVITY);
		assert_int_equal(fake.calls[i].id, ENDPOINT_ID(i / 2));
	}

	/* One answer at a time: calls_done counts them; running until the last. */
	size_t answers = 0;
	while (fake_step(&fake)) {
		answers++;
		live_fetch_progress(fetch, &progress);
		assert_int_equal(progress.calls_done, answers);
		assert_int_equal(progress.running, answers < 2 * DEVICES);
		assert_true(fake.pending_count <= IN_FLIGHT_MAX);
	}
	int64_t after = (int64_t)time(NULL);
	assert_int_equal(answers, 2 * DEVICES);
	live_fetch_progress(fetch, &progress);
	assert_false(progress.running);
	assert_false(progress.cancelled);
	assert_int_equal(progress.calls_failed, 0);
	size_t failure_count = 99;
	live_fetch_failures(fetch, &failure_count);
	assert_int_equal(failure_count, 0);

	assert_int_equal(most_in_flight(&fake), IN_FLIGHT_MAX);
	assert_int_equal(fake.call_count, 2 * DEVICES);
	assert_int_equal(live_count(live), DEVICES);
	for (size_t n = 0; n < DEVICES; n++) {
		int64_t id = ENDPOINT_ID(n);
		assert_int_equal(count_calls(&fake, FAKE_CONNECTIVITY, id), 1);
		assert_int_equal(count_calls(&fake, FAKE_USAGE, id), 1);
		const struct live_state *read = live_find(live, id);
		assert_non_null(read);
		bool online = device_online(&fake, n);
		assert_int_equal(read->connectivity, online ? CONNECTIVITY_ONLINE : CONNECTIVITY_OFFLINE);
		assert_string_equal(read->word, online ? "ONLINE" : "OFFLINE");
		if (read->data_month_mb != (online ? FAKE_USAGE_MB(id) : 0))
			fail_msg("endpoint %lld: %.3f MB", (long long)id, read->data_month_mb);
		assert_true(read->connectivity_read_at >= before && read->connectivity_read_at <= after);
		assert_true(read->usage_read_at >= before && read->usage_read_at <= after);
	}
	/* Some devices used data, some did not: the values are not all alike. */
	assert_true(live_find(live, ENDPOINT_ID(0))->data_month_mb == 1.5);
	assert_true(live_find(live, ENDPOINT_ID(1))->data_month_mb == 0);   /* offline */
	assert_true(live_find(live, ENDPOINT_ID(3))->data_month_mb == 1.5); /* 103 */
	assert_true(live_find(live, ENDPOINT_ID(5))->data_month_mb == 0);   /* 105: online, 105 % 3 == 0 */
	assert_true(live_find(live, ENDPOINT_ID(8))->data_month_mb == 0);   /* 108: online, 108 % 3 == 0 */
	assert_true(live_find(live, ENDPOINT_ID(10))->data_month_mb == 3);  /* 110 */

	live_fetch_free(fetch);
	live_free(live);
	free(ids);
	fake_free(&fake);
}

/* One kind only: no call of the other, and that half stays unread. */
static void test_fetch_one_kind(void **state)
{
	(void)state;
	enum { DEVICES = 12 };
	struct fake fake;
	fake_init(&fake, 2000, 1000);
	add_mixed_devices(&fake, DEVICES);
	int64_t *ids = device_ids(DEVICES);
	struct live *live = live_new();

	struct live_fetch *fetch = live_fetch_start(&fake.transport, live, ids, DEVICES, LIVE_USAGE);
	struct live_fetch_progress progress;
	live_fetch_progress(fetch, &progress);
	assert_int_equal(progress.calls_total, DEVICES);
	fake_run(&fake);
	live_fetch_progress(fetch, &progress);
	assert_false(progress.running);
	assert_int_equal(progress.calls_done, DEVICES);
	assert_int_equal(count_calls(&fake, FAKE_CONNECTIVITY, 0), 0);
	assert_int_equal(count_calls(&fake, FAKE_USAGE, 0), DEVICES);
	assert_true(most_in_flight(&fake) <= IN_FLIGHT_MAX);
	for (size_t n = 0; n < DEVICES; n++) {
		const struct live_state *read = live_find(live, ENDPOINT_ID(n));
		assert_non_null(read);
		assert_int_equal(read->connectivity_read_at, 0);
		assert_int_equal(read->connectivity, CONNECTIVITY_UNKNOWN);
		assert_true(read->usage_read_at > 0);
		assert_true(read->data_month_mb == (device_online(&fake, n) ? FAKE_USAGE_MB(ENDPOINT_ID(n)) : 0));
	}
	live_fetch_free(fetch);
	live_free(live);

	/* Connectivity only. */
	live = live_new();
	size_t calls_before = fake.call_count;
	fetch = live_fetch_start(&fake.transport, live, ids, DEVICES, LIVE_CONNECTIVITY);
	fake_run(&fake);
	assert_int_equal(fake.call_count - calls_before, DEVICES);
	assert_int_equal(count_calls(&fake, FAKE_CONNECTIVITY, 0), DEVICES);
	for (size_t n = 0; n < DEVICES; n++) {
		const struct live_state *read = live_find(live, ENDPOINT_ID(n));
		assert_non_null(read);
		assert_true(read->connectivity_read_at > 0);
		assert_int_equal(read->usage_read_at, 0);
	}
	live_fetch_free(fetch);
	live_free(live);
	free(ids);
	fake_free(&fake);
}

/* A refused read and a lost one are failures naming their endpoint and kind; the rest is read,
 * and the other half of those two endpoints too. */
static void test_fetch_failures(void **state)
{
	(void)state;
	enum { DEVICES = 20 };
	struct fake fake;
	fake_init(&fake, 2000, 1000);
	add_mixed_devices(&fake, DEVICES);
	int64_t *ids = device_ids(DEVICES + 1);
	ids[DEVICES] = 999;   /* no such endpoint: 404 */
	fake_add_rule(&fake, FAKE_USAGE, ENDPOINT_ID(3), 1, 0, FAULT_REFUSED, 422);
	fake_add_rule(&fake, FAKE_CONNECTIVITY, ENDPOINT_ID(5), 1, 0, FAULT_LOST, 502);
	fake_add_rule(&fake, FAKE_CONNECTIVITY, ENDPOINT_ID(11), 1, 0, FAULT_LOST, 0);
	struct live *live = live_new();

	struct live_fetch *fetch = live_fetch_start(&fake.transport, live, ids, DEVICES + 1, LIVE_BOTH);
	fake_run(&fake);
	struct live_fetch_progress progress;
	live_fetch_progress(fetch, &progress);
	assert_false(progress.running);
	assert_int_equal(progress.calls_total, 2 * (DEVICES + 1));
	assert_int_equal(progress.calls_done, 2 * (DEVICES + 1));
	assert_int_equal(progress.calls_failed, 5);
	size_t failure_count;
	live_fetch_failures(fetch, &failure_count);
	assert_int_equal(failure_count, 5);

	const struct live_failure *failure = failure_of(fetch, ENDPOINT_ID(3), TRANSPORT_LIVE_USAGE);
	assert_non_null(failure);
	assert_string_equal(failure->message, "Invalid request");
	failure = failure_of(fetch, ENDPOINT_ID(5), TRANSPORT_LIVE_CONNECTIVITY);
	assert_non_null(failure);
	assert_string_equal(failure->message, "Bad Gateway");
	failure = failure_of(fetch, ENDPOINT_ID(11), TRANSPORT_LIVE_CONNECTIVITY);
	assert_non_null(failure);
	assert_string_equal(failure->message, "no answer");   /* the transport said nothing */
	assert_non_null(failure_of(fetch, 999, TRANSPORT_LIVE_CONNECTIVITY));
	assert_string_equal(failure_of(fetch, 999, TRANSPORT_LIVE_USAGE)->message, "Not found");
	assert_null(failure_of(fetch, ENDPOINT_ID(3), TRANSPORT_LIVE_CONNECTIVITY));
	assert_null(failure_of(fetch, ENDPOINT_ID(5), TRANSPORT_LIVE_USAGE));

	/* What failed is not read; its other half is. */
	const struct live_state *read = live_find(live, ENDPOINT_ID(3));
	assert_non_null(read);
	assert_int_equal(read->usage_read_at, 0);
	assert_true(read->connectivity_read_at > 0);
	assert_int_equal(read->connectivity, CONNECTIVITY_ONLINE);
	read = live_find(live, ENDPOINT_ID(5));
	assert_non_null(read);
	assert_int_equal(read->connectivity_read_at, 0);
	assert_int_equal(read->connectivity, CONNECTIVITY_UNKNOWN);
	assert_true(read->usage_read_at > 0);
	assert_null(live_find(live, 999));
	for (size_t n = 0; n < DEVICES; n++) {
		if (n == 3 || n == 5 || n == 11)
			continue;
		read = live_find(live, ENDPOINT_ID(n));
		assert_non_null(read);
		assert_true(read->connectivity_read_at > 0 && read->usage_read_at > 0);
		assert_int_equal(read->connectivity, device_online(&fake, n) ? CONNECTIVITY_ONLINE : CONNECTIVITY_OFFLINE);
	}
	assert_int_equal(live_count(live), DEVICES);
	/* A failure is not tried again by the fetch (the transport retries on its own). */
	assert_int_equal(fake.call_count, 2 * (DEVICES + 1));
	assert_true(most_in_flight(&fake) <= IN_FLIGHT_MAX);
	live_fetch_free(fetch);
	live_free(live);
	free(ids);
	fake_free(&fake);
}

/* A rejected token: nothing more is sent, what was not sent fails with the same message, what
 * was in flight still counts. */
static void test_fetch_stops_on_auth(void **state)
{
	(void)state;
	enum { DEVICES = 20 };
	struct fake fake;
	fake_init(&fake, 2000, 1000);
	add_mixed_devices(&fake, DEVICES);
	int64_t *ids = device_ids(DEVICES);
	fake_add_rule(&fake, FAKE_CONNECTIVITY, ENDPOINT_ID(2), 1, 0, FAULT_AUTH, 401);
	struct live *live = live_new();

	struct live_fetch *fetch = live_fetch_start(&fake.transport, live, ids, DEVICES, LIVE_BOTH);
	fake_run(&fake);
	struct live_fetch_progress progress;
	live_fetch_progress(fetch, &progress);
	assert_false(progress.running);
	assert_false(progress.cancelled);
	assert_int_equal(progress.calls_done, 2 * DEVICES);

	/* The rejected call, and no call issued after its answer. */
	size_t rejected = fake.call_count;
	for (size_t i = 0; i < fake.call_count; i++)
		if (fake.calls[i].kind == FAKE_CONNECTIVITY && fake.calls[i].id == ENDPOINT_ID(2))
			rejected = i;
	assert_true(rejected < fake.call_count);
	assert_int_equal(fake.calls[rejected].outcome, TRANSPORT_AUTH);
	for (size_t i = 0; i < fake.call_count; i++)
		if (fake.calls[i].issued > fake.calls[rejected].answered)
			fail_msg("call %zu (endpoint %lld) was sent after the token was rejected", i,
				 (long long)fake.calls[i].id);
	size_t sent = fake.call_count;
	assert_true(sent < 2 * DEVICES);

	/* The rejected call and each unsent one fail with the token's message; the ones in flight
	 * then were answered and read. */
	size_t failure_count;
	const struct live_failure *failures = live_fetch_failures(fetch, &failure_count);
	assert_int_equal(failure_count, 1 + (2 * DEVICES - sent));
	assert_int_equal(progress.calls_failed, failure_count);
	for (size_t i = 0; i < failure_count; i++)
		assert_string_equal(failures[i].message, TOKEN_REJECTED);
	assert_int_equal(failures[0].endpoint_id, ENDPOINT_ID(2));
	assert_int_equal(failures[0].what, TRANSPORT_LIVE_CONNECTIVITY);
	assert_int_equal(failures[failure_count - 1].endpoint_id, ENDPOINT_ID(DEVICES - 1));
	assert_int_equal(failures[failure_count - 1].what, TRANSPORT_LIVE_USAGE);
	size_t read_halves = 0;
	for (size_t n = 0; n < DEVICES; n++) {
		const struct live_state *read = live_find(live, ENDPOINT_ID(n));
		read_halves += read && read->connectivity_read_at;
		read_halves += read && read->usage_read_at;
	}
	assert_int_equal(read_halves, sent - 1);
	/* The unsent devices have nothing. */
	assert_null(live_find(live, ENDPOINT_ID(DEVICES - 1)));
	live_fetch_free(fetch);
	live_free(live);
	free(ids);
	fake_free(&fake);
}

/* Cancel drops the calls in flight (the fake marks them cancelled) and keeps what was read. */
static void test_fetch_cancel(void **state)
{
	(void)state;
	enum { DEVICES = 20 };
	struct fake fake;
	fake_init(&fake, 2000, 1000);
	add_mixed_devices(&fake, DEVICES);
	int64_t *ids = device_ids(DEVICES);
	struct live *live = live_new();

	struct live_fetch *fetch = live_fetch_start(&fake.transport, live, ids, DEVICES, LIVE_BOTH);
	for (int i = 0; i < 3; i++)
		assert_true(fake_step(&fake));
	assert_int_equal(fake.pending_count, IN_FLIGHT_MAX);
	assert_int_equal(fake.call_count, 3 + IN_FLIGHT_MAX);
	live_fetch_cancel(fetch);
	struct live_fetch_progress progress;
	live_fetch_progress(fetch, &progress);
	assert_false(progress.running);
	assert_true(progress.cancelled);
	assert_int_equal(progress.calls_done, 3);
	assert_int_equal(progress.calls_total, 2 * DEVICES);
	assert_int_equal(fake.pending_count, 0);
	size_t cancelled = 0;
	for (size_t i = 0; i < fake.call_count; i++) {
		cancelled += fake.calls[i].cancelled;
		assert_true(fake.calls[i].cancelled == (fake.calls[i].answered == 0));
	}
	assert_int_equal(cancelled, IN_FLIGHT_MAX);
	/* Nothing more arrives or is sent. */
	assert_false(fake_step(&fake));
	assert_int_equal(fake.call_count, 3 + IN_FLIGHT_MAX);

	/* The three answers: device 0 both halves, device 1 its connectivity. */
	assert_int_equal(live_count(live), 2);
	assert_true(live_find(live, ENDPOINT_ID(0))->usage_read_at > 0);
	assert_true(live_find(live, ENDPOINT_ID(1))->connectivity_read_at > 0);
	assert_int_equal(live_find(live, ENDPOINT_ID(1))->usage_read_at, 0);
	assert_int_equal(live_find(live, ENDPOINT_ID(1))->connectivity, CONNECTIVITY_OFFLINE);
	/* Cancel again: nothing changes. */
	live_fetch_cancel(fetch);
	live_fetch_progress(fetch, &progress);
	assert_int_equal(progress.calls_done, 3);
	live_fetch_free(fetch);
	assert_int_equal(live_count(live), 2);

	/* Freed while running: it cancels first, so no answer reaches a freed fetch. */
	size_t calls_before = fake.call_count;
	fetch = live_fetch_start(&fake.transport, live, ids, DEVICES, LIVE_BOTH);
	assert_int_equal(fake.pending_count, IN_FLIGHT_MAX);
	live_fetch_free(fetch);
	assert_int_equal(fake.pending_count, 0);
	for (size_t i = calls_before; i < fake.call_count; i++)
		assert_true(fake.calls[i].cancelled);
	assert_false(fake_step(&fake));
	live_fetch_free(NULL);
	live_fetch_cancel(NULL);
	live_free(live);
	free(ids);
	fake_free(&fake);
}

/* Endpoint id 0 (a SIM without an endpoint) is skipped: not counted, not sent. */
static void test_fetch_skips_id_zero(void **state)
{
	(void)state;
	struct fake fake;
	fake_init(&fake, 2000, 1000);
	add_mixed_devices(&fake, 4);
	struct live *live = live_new();
	int64_t ids[] = { 0, ENDPOINT_ID(0), 0, ENDPOINT_ID(3), 0 };
	struct live_fetch *fetch = live_fetch_start(&fake.transport, live, ids, ARRAY_SIZE(ids), LIVE_BOTH);
	struct live_fetch_progress progress;
	live_fetch_progress(fetch, &progress);
	assert_int_equal(progress.devices, 2);
	assert_int_equal(progress.calls_total, 4);
	fake_run(&fake);
	live_fetch_progress(fetch, &progress);
	assert_false(progress.running);
	assert_int_equal(progress.calls_done, 4);
	assert_int_equal(progress.calls_failed, 0);
	assert_int_equal(fake.call_count, 4);
	assert_int_equal(count_calls(&fake, FAKE_CONNECTIVITY, 0) + count_calls(&fake, FAKE_USAGE, 0), 4);
	for (size_t i = 0; i < fake.call_count; i++)
		assert_true(fake.calls[i].id == ENDPOINT_ID(0) || fake.calls[i].id == ENDPOINT_ID(3));
	assert_int_equal(live_count(live), 2);
	live_fetch_free(fetch);

	/* Nothing to read: done at once, no call. */
	int64_t none[] = { 0, 0 };
	fetch = live_fetch_start(&fake.transport, live, none, ARRAY_SIZE(none), LIVE_BOTH);
	live_fetch_progress(fetch, &progress);
	assert_false(progress.running);
	assert_int_equal(progress.devices, 0);
	assert_int_equal(progress.calls_total, 0);
	assert_int_equal(fake.call_count, 4);
	live_fetch_free(fetch);
	fetch = live_fetch_start(&fake.transport, live, NULL, 0, LIVE_BOTH);
	live_fetch_progress(fetch, &progress);
	assert_false(progress.running);
	live_fetch_free(fetch);
	/* No kind asked for: nothing to call either. */
	fetch = live_fetch_start(&fake.transport, live, ids, ARRAY_SIZE(ids), 0);
	live_fetch_progress(fetch, &progress);
	assert_false(progress.running);
	assert_int_equal(progress.calls_total, 0);
	assert_int_equal(fake.call_count, 4);
	live_fetch_free(fetch);
	assert_false(fake_step(&fake));
	live_free(live);
	fake_free(&fake);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_set_find_count_oldest),
		cmocka_unit_test(test_store_ignores_id_zero),
		cmocka_unit_test(test_store_words),
		cmocka_unit_test(test_estimate),
		cmocka_unit_test(test_fetch_reads_every_device),
		cmocka_unit_test(test_fetch_one_kind),
		cmocka_unit_test(test_fetch_failures),
		cmocka_unit_test(test_fetch_stops_on_auth),
		cmocka_unit_test(test_fetch_cancel),
		cmocka_unit_test(test_fetch_skips_id_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
