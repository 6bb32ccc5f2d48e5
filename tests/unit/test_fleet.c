/* test_fleet.c — the incremental join of SIMs and endpoints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fleet.h"
#include "rows.h"
#include "sort.h"

static struct sim_record sim_record(int64_t id, int status, int64_t endpoint_id, const char *iccid)
{
	struct sim_record sim = {
		.id = id, .sim_status = status, .iccid = iccid, .imsi = "295050901896257",
		.msisdn = "423663921520532", .endpoint_id = endpoint_id,
	};
	return sim;
}

static struct endpoint_record endpoint_record(int64_t id, int status, const char *name, int64_t sim_id,
					      int sim_status)
{
	struct endpoint_record endpoint = {
		.id = id, .endpoint_status = status, .name = name, .imei = NULL,
		.ip_address = "10.191.216.67", .tags = "demo", .sim_id = sim_id, .sim_status = sim_status,
	};
	return endpoint;
}

static size_t add_sim(struct fleet *fleet, int64_t id, int status, int64_t endpoint_id, const char *iccid)
{
	struct sim_record sim = sim_record(id, status, endpoint_id, iccid);
	return fleet_add_sim(fleet, &sim);
}

static size_t add_endpoint(struct fleet *fleet, int64_t id, int status, const char *name, int64_t sim_id,
			   int sim_status)
{
	struct endpoint_record endpoint = endpoint_record(id, status, name, sim_id, sim_status);
	return fleet_add_endpoint(fleet, &endpoint);
}

/* The incremental counts must equal a count from scratch, and every id must be found where
 * it is. */
static void check_invariants(const struct fleet *fleet)
{
	size_t counted[ALIGN_COUNT] = { 0 }, vacant = 0;
	for (size_t i = 0; i < fleet_count(fleet); i++) {
		const struct device *device = fleet_device(fleet, i);
		size_t found;
		if (device->sim_id) {
			assert_true(fleet_find_sim(fleet, device->sim_id, &found));
			/* Only a later claimant of a shared SIM shows a SIM another row holds. */
			if (found != i) {
				assert_true(device->odd & DEVICE_ODD_SHARED_SIM);
				assert_true(fleet_device(fleet, found)->odd & DEVICE_ODD_SHARED_SIM);
			}
		}
		if (device->endpoint_id) {
			assert_true(fleet_find_endpoint(fleet, device->endpoint_id, &found));
			assert_int_equal(found, i);
		}
		if (!fleet_device_vacant(device))
			counted[fleet_alignment(device)]++;
		else
			vacant++;
	}
	for (int alignment = 0; alignment < ALIGN_COUNT; alignment++)
		assert_int_equal(fleet_count_alignment(fleet, (enum alignment)alignment), counted[alignment]);
	assert_int_equal(fleet_vacant_count(fleet), vacant);
}

/* The default order's key, as the test sees it: endpoint devices by endpoint id, then SIM-only
 * ones by SIM id. */
static int64_t order_key(const struct fleet *fleet, size_t device, bool *sim_only)
{
	const struct device *entry = fleet_device(fleet, device);
	*sim_only = entry->endpoint_id == 0;
	return *sim_only ? entry->sim_id : entry->endpoint_id;
}

static void check_default_order(const struct fleet *fleet)
{
	struct rows rows = { 0 };
	sort_build_rows(&rows, fleet);
	size_t shown = 0;
	for (size_t i = 0; i < fleet_count(fleet); i++)
		shown += !fleet_device_vacant(fleet_device(fleet, i));
	assert_int_equal(rows.count, shown);
	for (size_t i = 1; i < rows.count; i++) {
		bool sim_only_before, sim_only;
		int64_t before = order_key(fleet, rows.index[i - 1], &sim_only_before);
		int64_t key = order_key(fleet, rows.index[i], &sim_only);
		assert_true(sim_only_before <= sim_only);
		if (sim_only_before == sim_only)
			assert_true(before < key);
	}
	rows_free(&rows);
}

/* The default order whether the devices came in order, with the two kinds interleaved, out of
 * order, a page at a time with the pages out of order (as several download at once), or in
 * pages whose ranges overlap. */
static void test_rows_default_order(void **state)
{
	(void)state;
	for (int arrival = 0; arrival < 5; arrival++) {
		struct fleet *fleet = fleet_new();
		for (int64_t i = 0; i < 2000; i++) {
			int64_t n = i;
			if (arrival == 2)
				n = (i * 7919) % 2000;  /* a permutation */
			else if (arrival == 3)
				n = (i / 100 * 7 % 20) * 100 + i % 100;  /* pages of 100, in the order 0, 7, 14, 1, ... */
			else if (arrival == 4)
				n = i / 200 * 200 + i % 100 * 2 + i / 100 % 2;  /* even ids, then odd ones */
			if (arrival == 0 || arrival >= 3 ? i < 1500 : n % 4 != 0)
				add_endpoint(fleet, 200000 + n, ENDPOINT_ENABLED, "device", n % 3 ? 100000 + n : 0, SIM_ACTIVATED);
			else
				add_sim(fleet, 500000 + n, SIM_ISSUED, 0, "8988303000000000001");
		}
		check_default_order(fleet);
		fleet_free(fleet);
	}
}

/* While a load runs, the rows are extended with the new devices as long as no row went
 * vacant: the same rows as built again from scratch. Pages of SIMs that name their endpoints
 * come before some of those endpoints' pages, and endpoints that take another SIM leave rows
 * vacant, as the lists of a real workspace can. */
static void test_rows_extend_while_loading(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	struct rows extended = { 0 }, built = { 0 };
	size_t seen = 0, vacant_seen = 0, extends = 0, rebuilds = 0;
	for (int64_t i = 1; i <= 3000; i++) {
		switch (i % 5) {
		case 0:  /* a SIM naming an endpoint not listed yet */
			add_sim(fleet, 100000 + i, SIM_ACTIVATED, 200000 + i, "8988303000000000001");
			break;
		case 1:  /* that endpoint, listed later: it joins the SIM's row */
			add_endpoint(fleet, 200000 + i - 1, ENDPOINT_ENABLED, "late", 100000 + i - 1, SIM_ACTIVATED);
			break;
		case 2:  /* an endpoint that takes another SIM than the SIM page said, from a row of
			  * its own: that row goes vacant */
			add_sim(fleet, 100000 + i, SIM_ACTIVATED, 200000 + i, "8988303000000000002");
			add_sim(fleet, 300000 + i, SIM_ISSUED, 0, "8988303000000000003");
			add_endpoint(fleet, 200000 + i, ENDPOINT_ENABLED, "moved", 300000 + i, SIM_ACTIVATED);
			break;
		default:
			add_endpoint(fleet, 200000 + i, ENDPOINT_ENABLED, "plain", 100000 + i, SIM_ACTIVATED);
			break;
		}
		size_t vacant = fleet_vacant_count(fleet);
		if (vacant == vacant_seen) {
			rows_extend(&extended, fleet, seen);
			extends++;
		} else {
			rows_build(&extended, fleet);
			rebuilds++;
		}
		seen = fleet_count(fleet);
		vacant_seen = vacant;
		rows_build(&built, fleet);
		assert_int_equal(extended.count, built.count);
		assert_memory_equal(extended.index, built.index, built.count * sizeof(*built.index));
	}
	check_invariants(fleet);
	assert_true(fleet_vacant_count(fleet) > 0);
	assert_true(extends > 0 && rebuilds > 0);
	rows_free(&extended);
	rows_free(&built);
	fleet_free(fleet);
}

static void test_empty_fleet(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	size_t index;
	assert_int_equal(fleet_count(fleet), 0);
	assert_false(fleet_find_sim(fleet, 1, &index));
	assert_false(fleet_find_endpoint(fleet, 1, &index));
	assert_false(fleet_find_sim(fleet, 0, &index));
	for (int alignment = 0; alignment < ALIGN_COUNT; alignment++)
		assert_int_equal(fleet_count_alignment(fleet, (enum alignment)alignment), 0);
	assert_true(fleet_memory(fleet) > 0);
	fleet_free(fleet);
	fleet_free(NULL);
}

static void test_endpoint_then_sim(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	assert_int_equal(add_endpoint(fleet, 11379224, ENDPOINT_ENABLED, "Luboi", 4397515, SIM_ACTIVATED), 0);
	const struct device *device = fleet_device(fleet, 0);
	assert_int_equal(device->endpoint_id, 11379224);
	assert_int_equal(device->sim_id, 4397515);
	assert_int_equal(device->sim_status, SIM_ACTIVATED);
	assert_int_equal(fleet_alignment(device), ALIGN_ONLINE);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), ""); /* not in this record */

	assert_int_equal(add_sim(fleet, 4397515, SIM_ACTIVATED, 11379224, "8988303000006734768"), 0);
	assert_int_equal(fleet_count(fleet), 1);
	device = fleet_device(fleet, 0);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8988303000006734768");
	assert_string_equal(fleet_text(fleet, device, TEXT_NAME), "Luboi");
	assert_string_equal(fleet_text(fleet, device, TEXT_TAGS), "demo");
	assert_string_equal(fleet_text(fleet, device, TEXT_IMEI), "");
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_ONLINE), 1);
	check_invariants(fleet);
	fleet_free(fleet);
}

static void test_sim_then_endpoint(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	/* The SIM page names its endpoint: the row pairs up provisionally at once. */
	assert_int_equal(add_sim(fleet, 4397515, SIM_ACTIVATED, 11379224, "8988303000006734768"), 0);
	const struct device *device = fleet_device(fleet, 0);
	assert_int_equal(device->endpoint_id, 11379224);
	assert_int_equal(device->endpoint_status, ENDPOINT_NONE);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_UNPAIRED), 1);
	size_t index = 99;
	assert_true(fleet_find_endpoint(fleet, 11379224, &index));
	assert_int_equal(index, 0);

	assert_int_equal(add_endpoint(fleet, 11379224, ENDPOINT_DISABLED, "Luboi", 4397515, SIM_ACTIVATED), 0);
	assert_int_equal(fleet_count(fleet), 1);
	device = fleet_device(fleet, 0);
	assert_int_equal(device->endpoint_status, ENDPOINT_DISABLED);
	assert_int_equal(fleet_alignment(device), ALIGN_MISALIGNED);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_UNPAIRED), 0);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_MISALIGNED), 1);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8988303000006734768");
	check_invariants(fleet);
	fleet_free(fleet);
}

static void test_sim_alone_then_claimed(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	/* No endpoint key on the SIM page (e.g. a SIM assigned after that page was read). */
	assert_int_equal(add_sim(fleet, 253, SIM_ISSUED, 0, "8988303000000000132"), 0);
	assert_int_equal(fleet_device(fleet, 0)->endpoint_id, 0);
	assert_int_equal(add_endpoint(fleet, 500, ENDPOINT_DISABLED, "new one", 253, SIM_ISSUED), 0);
	assert_int_equal(fleet_count(fleet), 1);
	const struct device *device = fleet_device(fleet, 0);
	assert_int_equal(device->endpoint_id, 500);
	assert_int_equal(fleet_alignment(device), ALIGN_NEW);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8988303000000000132");
	check_invariants(fleet);
	fleet_free(fleet);
}

static void test_unpaired_devices(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	assert_int_equal(add_sim(fleet, 254, SIM_ISSUED, 0, "8988303000000000133"), 0);
	assert_int_equal(add_endpoint(fleet, 11379818, ENDPOINT_DISABLED, "no sms 1", 0, SIM_NONE), 1);
	assert_int_equal(fleet_count(fleet), 2);
	const struct device *sim_only = fleet_device(fleet, 0);
	const struct device *endpoint_only = fleet_device(fleet, 1);
	assert_int_equal(sim_only->endpoint_id, 0);
	assert_int_equal(sim_only->endpoint_status, ENDPOINT_NONE);
	assert_int_equal(endpoint_only->sim_id, 0);
	assert_int_equal(endpoint_only->sim_status, SIM_NONE);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_UNPAIRED), 2);
	assert_string_equal(fleet_text(fleet, endpoint_only, TEXT_ICCID), "");
	assert_false(fleet_device_vacant(sim_only));
	assert_false(fleet_device_vacant(endpoint_only));
	check_invariants(fleet);
	fleet_free(fleet);
}

/* A SIM page's link never overrides an endpoint whose own record said it has no SIM. */
static void test_sim_link_ignored_for_seen_endpoint(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	assert_int_equal(add_endpoint(fleet, 700, ENDPOINT_ENABLED, "bare", 0, SIM_NONE), 0);
	assert_int_equal(add_sim(fleet, 70, SIM_ACTIVATED, 700, "89000070"), 1);
	assert_int_equal(fleet_device(fleet, 0)->sim_id, 0);
	assert_int_equal(fleet_device(fleet, 1)->endpoint_id, 0);
	check_invariants(fleet);

	/* Nor an endpoint that claims another SIM. */
	assert_int_equal(add_endpoint(fleet, 800, ENDPOINT_ENABLED, "other", 81, SIM_ACTIVATED), 2);
	assert_int_equal(add_sim(fleet, 80, SIM_ACTIVATED, 800, "89000080"), 3);
	assert_int_equal(fleet_device(fleet, 2)->sim_id, 81);
	assert_int_equal(fleet_device(fleet, 3)->endpoint_id, 0);
	assert_int_equal(fleet_count(fleet), 4);
	check_invariants(fleet);
	fleet_free(fleet);
}

/* Two SIM pages naming the same endpoint: the first link stands, the second SIM is alone. */
static void test_two_sims_name_one_endpoint(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	assert_int_equal(add_sim(fleet, 1, SIM_ACTIVATED, 900, "891"), 0);
	assert_int_equal(add_sim(fleet, 2, SIM_ACTIVATED, 900, "892"), 1);
	assert_int_equal(fleet_device(fleet, 1)->endpoint_id, 0);
	/* The endpoint's record decides: it has SIM 2. */
	assert_int_equal(add_endpoint(fleet, 900, ENDPOINT_ENABLED, "e", 2, SIM_ACTIVATED), 0);
	const struct device *device = fleet_device(fleet, 0);
	assert_int_equal(device->sim_id, 2);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "892");
	size_t index;
	assert_true(fleet_find_sim(fleet, 1, &index));
	assert_int_equal(fleet_device(fleet, index)->endpoint_id, 0);
	assert_string_equal(fleet_text(fleet, fleet_device(fleet, index), TEXT_ICCID), "891");
	/* SIM 2's old row is left vacant and counts nowhere. */
	assert_true(fleet_device_vacant(fleet_device(fleet, 1)));
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_ONLINE), 1);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_UNPAIRED), 1);
	check_invariants(fleet);
	fleet_free(fleet);
}

/* The endpoint's record overrides a provisional link from a SIM page. */
static void test_endpoint_overrides_sim_link(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	add_sim(fleet, 10, SIM_ACTIVATED, 100, "8910");
	/* Endpoint 100 says it has SIM 20, not 10. */
	assert_int_equal(add_endpoint(fleet, 100, ENDPOINT_ENABLED, "pump", 20, SIM_SUSPENDED), 0);
	const struct device *device = fleet_device(fleet, 0);
	assert_int_equal(device->sim_id, 20);
	assert_int_equal(device->sim_status, SIM_SUSPENDED);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "");
	size_t index;
	assert_true(fleet_find_sim(fleet, 10, &index));
	assert_int_equal(index, 1);
	device = fleet_device(fleet, 1);
	assert_int_equal(device->endpoint_id, 0);
	assert_int_equal(device->sim_status, SIM_ACTIVATED);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8910");
	check_invariants(fleet);

	/* SIM 10's page arrives again, still naming endpoint 100: 100 is placed, nothing moves. */
	add_sim(fleet, 10, SIM_ACTIVATED, 100, "8910");
	assert_int_equal(fleet_device(fleet, 0)->sim_id, 20);
	assert_int_equal(fleet_device(fleet, 1)->endpoint_id, 0);

	/* Endpoint without a SIM after a provisional link: the SIM gets its own row. */
	add_sim(fleet, 30, SIM_ISSUED, 300, "8930");
	assert_int_equal(add_endpoint(fleet, 300, ENDPOINT_DISABLED, "bare", 0, SIM_NONE), 2);
	assert_int_equal(fleet_device(fleet, 2)->sim_id, 0);
	assert_true(fleet_find_sim(fleet, 30, &index));
	assert_int_equal(index, 3);
	assert_int_equal(fleet_device(fleet, 3)->endpoint_id, 0);
	assert_int_equal(fleet_count(fleet), 4);
	check_invariants(fleet);
	fleet_free(fleet);
}

/* A SIM page whose link changes before the endpoint arrives follows the SIM page. */
static void test_provisional_link_follows_sim_page(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	add_sim(fleet, 10, SIM_ACTIVATED, 100, "8910");
	add_sim(fleet, 10, SIM_ACTIVATED, 101, "8910");
	size_t index;
	assert_false(fleet_find_endpoint(fleet, 100, &index));
	assert_true(fleet_find_endpoint(fleet, 101, &index));
	add_sim(fleet, 10, SIM_ACTIVATED, 0, "8910");
	assert_false(fleet_find_endpoint(fleet, 101, &index));
	assert_int_equal(fleet_count(fleet), 1);
	check_invariants(fleet);
	fleet_free(fleet);
}

static struct fleet_anomalies anomalies_of(const struct fleet *fleet)
{
	struct fleet_anomalies odd;
	fleet_anomalies(fleet, &odd);
	return odd;
}

/* Two endpoints name one SIM: the first claim keeps it, the second shows it too (not as
 * unpaired), both are marked, and the count says how many rows it touched. */
static void test_shared_sim(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	add_sim(fleet, 5, SIM_ACTIVATED, 0, "895");
	add_endpoint(fleet, 50, ENDPOINT_ENABLED, "first", 5, SIM_ACTIVATED);
	assert_int_equal(anomalies_of(fleet).shared_sims, 0);
	/* Endpoint 51's record says SIM 5 as well, Suspended by its words. */
	assert_int_equal(add_endpoint(fleet, 51, ENDPOINT_DISABLED, "second", 5, SIM_SUSPENDED), 1);
	const struct device *first = fleet_device(fleet, 0), *second = fleet_device(fleet, 1);
	assert_int_equal(first->endpoint_id, 50);
	assert_int_equal(first->sim_id, 5);
	assert_int_equal(first->sim_status, SIM_ACTIVATED);
	assert_int_equal(second->endpoint_id, 51);
	assert_int_equal(second->sim_id, 5);
	assert_int_equal(second->sim_status, SIM_SUSPENDED);
	assert_string_equal(fleet_text(fleet, second, TEXT_ICCID), "895"); /* from the SIM's row */
	assert_true(first->odd & DEVICE_ODD_SHARED_SIM);
	assert_true(second->odd & DEVICE_ODD_SHARED_SIM);
	assert_false(first->odd & DEVICE_ODD_DUPLICATE);
	size_t index;
	assert_true(fleet_find_sim(fleet, 5, &index));
	assert_int_equal(index, 0);
	assert_int_equal(fleet_alignment(second), ALIGN_OFFLINE);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_UNPAIRED), 0);
	struct fleet_anomalies odd = anomalies_of(fleet);
	assert_int_equal(odd.shared_sims, 1);
	assert_int_equal(odd.shared_sim_rows, 2);
	char line[256];
	assert_true(fleet_describe_anomalies(fleet, line, sizeof(line)));
	assert_string_equal(line, "odd data from the API: 1 SIM claimed by two endpoints (2 rows)");
	check_invariants(fleet);

	/* A SIM record updates the row that holds the SIM, not the later claim. */
	add_sim(fleet, 5, SIM_ACTIVATED, 50, "8950");
	assert_string_equal(fleet_text(fleet, fleet_device(fleet, 0), TEXT_ICCID), "8950");
	assert_string_equal(fleet_text(fleet, fleet_device(fleet, 1), TEXT_ICCID), "895");

	/* Both records again: nothing moves; they are duplicates now. */
	assert_int_equal(add_endpoint(fleet, 50, ENDPOINT_ENABLED, "first", 5, SIM_ACTIVATED), 0);
	assert_int_equal(add_endpoint(fleet, 51, ENDPOINT_DISABLED, "second", 5, SIM_SUSPENDED), 1);
	assert_int_equal(fleet_device(fleet, 1)->sim_id, 5);
	assert_true(fleet_device(fleet, 1)->odd & DEVICE_ODD_DUPLICATE);
	odd = anomalies_of(fleet);
	assert_int_equal(odd.shared_sims, 1);
	assert_int_equal(odd.shared_sim_rows, 2);
	assert_int_equal(odd.duplicate_endpoints, 2);
	check_invariants(fleet);

	/* A third claimant. */
	assert_int_equal(add_endpoint(fleet, 52, ENDPOINT_ENABLED, "third", 5, SIM_ACTIVATED), 2);
	assert_int_equal(anomalies_of(fleet).shared_sim_rows, 3);
	assert_true(fleet_describe_anomalies(fleet, line, sizeof(line)));
	assert_non_null(strstr(line, "1 SIM claimed by several endpoints (3 rows)"));
	check_invariants(fleet);

	/* The second claimant's record now names no SIM: its row gives it up. */
	add_endpoint(fleet, 51, ENDPOINT_DISABLED, "second", 0, SIM_NONE);
	second = fleet_device(fleet, 1);
	assert_int_equal(second->sim_id, 0);
	assert_int_equal(second->sim_status, SIM_NONE);
	assert_string_equal(fleet_text(fleet, second, TEXT_ICCID), "");
	assert_false(second->odd & DEVICE_ODD_SHARED_SIM);
	assert_int_equal(fleet_alignment(second), ALIGN_UNPAIRED);
	assert_true(fleet_find_sim(fleet, 5, &index));
	assert_int_equal(index, 0);
	assert_int_equal(fleet_count(fleet), 3);
	check_invariants(fleet);

	/* The first claimant takes another SIM: SIM 5 goes to a row of its own, still marked. */
	add_endpoint(fleet, 50, ENDPOINT_ENABLED, "first", 6, SIM_ACTIVATED);
	assert_true(fleet_find_sim(fleet, 5, &index));
	assert_int_equal(index, 3);
	assert_true(fleet_device(fleet, 3)->odd & DEVICE_ODD_SHARED_SIM);
	assert_false(fleet_device(fleet, 0)->odd & DEVICE_ODD_SHARED_SIM);
	check_invariants(fleet);
	fleet_free(fleet);
}

/* An endpoint already in the fleet that then claims a SIM another endpoint holds. */
static void test_shared_sim_known_endpoint(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	add_endpoint(fleet, 60, ENDPOINT_ENABLED, "bare", 0, SIM_NONE);
	add_endpoint(fleet, 61, ENDPOINT_ENABLED, "holder", 6, SIM_ACTIVATED);
	assert_int_equal(add_endpoint(fleet, 60, ENDPOINT_ENABLED, "bare", 6, SIM_ACTIVATED), 0);
	assert_int_equal(fleet_device(fleet, 0)->sim_id, 6);
	assert_int_equal(fleet_device(fleet, 1)->sim_id, 6);
	size_t index;
	assert_true(fleet_find_sim(fleet, 6, &index));
	assert_int_equal(index, 1);
	struct fleet_anomalies odd = anomalies_of(fleet);
	assert_int_equal(odd.shared_sims, 1);
	assert_int_equal(odd.duplicate_endpoints, 1);
	assert_int_equal(fleet_count(fleet), 2);
	check_invariants(fleet);

	/* A SIM that waited under a provisional link is no shared SIM: the endpoint joins it. */
	add_sim(fleet, 7, SIM_ISSUED, 70, "897");
	add_endpoint(fleet, 70, ENDPOINT_DISABLED, "seven", 7, SIM_ISSUED);
	assert_int_equal(anomalies_of(fleet).shared_sims, 1);
	assert_int_equal(fleet_device(fleet, 2)->odd, 0);
	check_invariants(fleet);
	fleet_free(fleet);
}

/* The same id in two records of one kind keeps one row, holding the last record; a SIM named
 * both in an endpoint record and in a SIM record is no duplicate. */
static void test_duplicate_ids(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	add_endpoint(fleet, 10, ENDPOINT_ENABLED, "dev", 1, SIM_ACTIVATED);
	add_sim(fleet, 1, SIM_ACTIVATED, 10, "891");
	add_sim(fleet, 2, SIM_ISSUED, 0, "892");
	assert_false(fleet_describe_anomalies(fleet, (char[8]){ 'x' }, 8));
	char line[256] = "x";
	assert_false(fleet_describe_anomalies(fleet, line, sizeof(line)));
	assert_string_equal(line, "");
	assert_int_equal(fleet_device(fleet, 0)->odd, 0);

	/* SIM 2 twice more, the last record Activated; endpoint 10 once more, Disabled. */
	add_sim(fleet, 2, SIM_ISSUED, 0, "892");
	assert_int_equal(add_sim(fleet, 2, SIM_ACTIVATED, 0, "892b"), 1);
	assert_int_equal(add_endpoint(fleet, 10, ENDPOINT_DISABLED, "dev", 1, SIM_ACTIVATED), 0);
	assert_int_equal(fleet_count(fleet), 2);
	const struct device *sim = fleet_device(fleet, 1);
	assert_int_equal(sim->sim_status, SIM_ACTIVATED);
	assert_string_equal(fleet_text(fleet, sim, TEXT_ICCID), "892b");
	assert_true(sim->odd & DEVICE_ODD_DUPLICATE);
	assert_int_equal(fleet_device(fleet, 0)->endpoint_status, ENDPOINT_DISABLED);
	assert_true(fleet_device(fleet, 0)->odd & DEVICE_ODD_DUPLICATE);
	struct fleet_anomalies odd = anomalies_of(fleet);
	assert_int_equal(odd.duplicate_sims, 1);
	assert_int_equal(odd.duplicate_sim_records, 3);
	assert_int_equal(odd.duplicate_endpoints, 1);
	assert_int_equal(odd.duplicate_endpoint_records, 2);
	assert_int_equal(odd.shared_sims, 0);
	assert_true(fleet_describe_anomalies(fleet, line, sizeof(line)));
	assert_string_equal(line, "odd data from the API: 1 duplicate SIM id (3 records), "
				  "1 duplicate endpoint id (2 records)");

	/* A line that does not fit is cut after its last whole item. */
	char shorter[60];
	assert_true(fleet_describe_anomalies(fleet, shorter, sizeof(shorter)));
	assert_string_equal(shorter, "odd data from the API: 1 duplicate SIM id (3 records)");
	char tiny[10];
	assert_true(fleet_describe_anomalies(fleet, tiny, sizeof(tiny)));
	assert_string_equal(tiny, "");

	/* A SIM that moves to a row of its own keeps its mark; the endpoint keeps its own. */
	add_endpoint(fleet, 10, ENDPOINT_DISABLED, "dev", 0, SIM_NONE);
	size_t index;
	assert_true(fleet_find_sim(fleet, 1, &index));
	assert_int_equal(fleet_device(fleet, index)->odd, 0);
	add_endpoint(fleet, 20, ENDPOINT_ENABLED, "twenty", 2, SIM_ACTIVATED);
	assert_true(fleet_find_endpoint(fleet, 20, &index));
	assert_true(fleet_device(fleet, index)->odd & DEVICE_ODD_DUPLICATE); /* SIM 2's mark */
	assert_int_equal(anomalies_of(fleet).duplicate_endpoint_records, 3);
	check_invariants(fleet);
	fleet_free(fleet);
}

/* What the loader notes about paging, in the words of the status line. */
static void test_paging_notes(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	fleet_note_paging(fleet, FLEET_LIST_ENDPOINTS, 99999, 3000, 1000);
	struct fleet_page_ids page = { 0 };
	fleet_page_ids_add(&page, 11);
	fleet_page_ids_add(&page, 12);
	assert_false(fleet_note_page(fleet, FLEET_LIST_SIMS, 1, &page, NULL));
	struct fleet_page_ids empty = { 0 };
	assert_false(fleet_note_page(fleet, FLEET_LIST_SIMS, 2, &empty, NULL));
	assert_false(fleet_note_page(fleet, FLEET_LIST_SIMS, 3, &empty, NULL));
	int64_t earlier = 0;
	assert_true(fleet_note_page(fleet, FLEET_LIST_SIMS, 4, &page, &earlier));
	assert_int_equal(earlier, 1);
	assert_true(fleet_note_page(fleet, FLEET_LIST_SIMS, 5, &page, &earlier));
	struct fleet_page_ids reversed = { 0 };
	fleet_page_ids_add(&reversed, 12);
	fleet_page_ids_add(&reversed, 11);
	assert_false(fleet_note_page(fleet, FLEET_LIST_SIMS, 6, &reversed, NULL));

	struct fleet_anomalies odd = anomalies_of(fleet);
	assert_true(odd.lists[FLEET_LIST_ENDPOINTS].disagrees);
	assert_int_equal(odd.lists[FLEET_LIST_ENDPOINTS].total_pages, 99999);
	assert_false(odd.lists[FLEET_LIST_SIMS].disagrees);
	assert_int_equal(odd.lists[FLEET_LIST_SIMS].repeated_pages, 2);
	char line[256];
	assert_true(fleet_describe_anomalies(fleet, line, sizeof(line)));
	assert_string_equal(line, "odd data from the API: the endpoint list's X-Total-Pages 99999 disagrees "
				  "with 3,000 records at 1,000 per page, 2 SIM pages repeated an earlier one");
	fleet_free(fleet);
}

static void test_endpoint_changes_sim(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	add_sim(fleet, 1, SIM_ACTIVATED, 10, "891");
	add_endpoint(fleet, 10, ENDPOINT_ENABLED, "dev", 1, SIM_ACTIVATED);
	/* The endpoint got another SIM: the old one keeps its data in a row of its own. */
	assert_int_equal(add_endpoint(fleet, 10, ENDPOINT_ENABLED, "dev", 2, SIM_ISSUED), 0);
	assert_int_equal(fleet_device(fleet, 0)->sim_id, 2);
	assert_int_equal(fleet_device(fleet, 0)->sim_status, SIM_ISSUED);
	assert_string_equal(fleet_text(fleet, fleet_device(fleet, 0), TEXT_ICCID), "");
	assert_int_equal(fleet_device(fleet, 1)->sim_id, 1);
	assert_string_equal(fleet_text(fleet, fleet_device(fleet, 1), TEXT_ICCID), "891");
	assert_int_equal(fleet_alignment(fleet_device(fleet, 0)), ALIGN_MISALIGNED);
	check_invariants(fleet);

	/* The SIM is released: the endpoint stands alone. */
	add_endpoint(fleet, 10, ENDPOINT_DISABLED, "dev", 0, SIM_NONE);
	assert_int_equal(fleet_device(fleet, 0)->sim_id, 0);
	assert_int_equal(fleet_count(fleet), 3);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_UNPAIRED), 3);
	check_invariants(fleet);
	fleet_free(fleet);
}

/* A SIM row and an endpoint row that both exist join on a refresh; one row goes vacant. */
static void test_refresh_joins_existing_rows(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	add_endpoint(fleet, 700, ENDPOINT_ENABLED, "bare", 0, SIM_NONE);
	add_sim(fleet, 70, SIM_ACTIVATED, 0, "8970");
	assert_int_equal(add_endpoint(fleet, 700, ENDPOINT_ENABLED, "bare", 70, SIM_ACTIVATED), 0);
	assert_int_equal(fleet_device(fleet, 0)->sim_id, 70);
	assert_string_equal(fleet_text(fleet, fleet_device(fleet, 0), TEXT_ICCID), "8970");
	assert_true(fleet_device_vacant(fleet_device(fleet, 1)));
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_ONLINE), 1);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_UNPAIRED), 0);
	check_invariants(fleet);
	fleet_free(fleet);
}

static void test_duplicates_update_in_place(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	for (int round = 0; round < 3; round++) {
		add_sim(fleet, 250, SIM_ACTIVATED, 11380016, "8988303000000000129");
		add_sim(fleet, 253, SIM_ISSUED, 0, "8988303000000000132");
		add_endpoint(fleet, 11380016, ENDPOINT_ENABLED, "syobg5zuaujrrc246gva", 250, SIM_ACTIVATED);
		add_endpoint(fleet, 11379818, ENDPOINT_DISABLED, "no sms 1", 0, SIM_NONE);
	}
	assert_int_equal(fleet_count(fleet), 3);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_ONLINE), 1);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_UNPAIRED), 2);
	/* ... but every record that came again is counted. */
	struct fleet_anomalies odd = anomalies_of(fleet);
	assert_int_equal(odd.duplicate_sims, 2);
	assert_int_equal(odd.duplicate_sim_records, 6);
	assert_int_equal(odd.duplicate_endpoints, 2);
	assert_int_equal(odd.duplicate_endpoint_records, 6);
	check_invariants(fleet);

	/* The same pages again and again do not grow the fleet. */
	size_t memory = fleet_memory(fleet);
	for (int round = 0; round < 1000; round++) {
		add_sim(fleet, 250, SIM_ACTIVATED, 11380016, "8988303000000000129");
		add_endpoint(fleet, 11380016, ENDPOINT_ENABLED, "syobg5zuaujrrc246gva", 250, SIM_ACTIVATED);
	}
	assert_int_equal(fleet_memory(fleet), memory);
	fleet_free(fleet);
}

static void test_status_changes_move_counts(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	add_endpoint(fleet, 1, ENDPOINT_ENABLED, "a", 11, SIM_ACTIVATED);
	add_endpoint(fleet, 2, ENDPOINT_ENABLED, "b", 12, SIM_ACTIVATED);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_ONLINE), 2);

	/* SIM 11 suspended (its SIM page): Suspended + Enabled is misaligned. */
	add_sim(fleet, 11, SIM_SUSPENDED, 1, "8911");
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_ONLINE), 1);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_MISALIGNED), 1);
	/* Endpoint 1 disabled: offline. */
	add_endpoint(fleet, 1, ENDPOINT_DISABLED, "a", 11, SIM_SUSPENDED);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_MISALIGNED), 0);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_OFFLINE), 1);
	/* Endpoint 2 disabled with its SIM still activated: billed while offline. */
	add_endpoint(fleet, 2, ENDPOINT_DISABLED, "b", 12, SIM_ACTIVATED);
	const struct device *device = fleet_device(fleet, 1);
	assert_int_equal(fleet_alignment(device), ALIGN_MISALIGNED);
	assert_string_equal(model_alignment_label(fleet_alignment(device), device->sim_status,
						  device->endpoint_status), "billed");
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_ONLINE), 0);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_MISALIGNED), 1);
	/* A nested SIM without a status keeps the SIM's known status. */
	add_endpoint(fleet, 2, ENDPOINT_DISABLED, "b", 12, SIM_NONE);
	assert_int_equal(fleet_device(fleet, 1)->sim_status, SIM_ACTIVATED);
	/* Deleted statuses count as misaligned. */
	add_sim(fleet, 11, SIM_DELETED, 1, "8911");
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_OFFLINE), 0);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_MISALIGNED), 2);
	/* Factory Test + Enabled is test. */
	add_endpoint(fleet, 2, ENDPOINT_ENABLED, "b", 12, SIM_FACTORY_TEST);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_TEST), 1);
	check_invariants(fleet);
	fleet_free(fleet);
}

static void test_strings_update(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	add_endpoint(fleet, 1, ENDPOINT_ENABLED, "a rather long name", 0, SIM_NONE);
	add_endpoint(fleet, 2, ENDPOINT_ENABLED, "neighbour", 0, SIM_NONE);
	add_endpoint(fleet, 1, ENDPOINT_ENABLED, "short", 0, SIM_NONE);
	assert_string_equal(fleet_text(fleet, fleet_device(fleet, 0), TEXT_NAME), "short");
	assert_string_equal(fleet_text(fleet, fleet_device(fleet, 1), TEXT_NAME), "neighbour");
	add_endpoint(fleet, 1, ENDPOINT_ENABLED, "a name longer than any before it", 0, SIM_NONE);
	assert_string_equal(fleet_text(fleet, fleet_device(fleet, 0), TEXT_NAME),
			    "a name longer than any before it");
	assert_string_equal(fleet_text(fleet, fleet_device(fleet, 1), TEXT_NAME), "neighbour");
	/* NULL clears the endpoint's own fields. */
	struct endpoint_record endpoint = endpoint_record(1, ENDPOINT_ENABLED, NULL, 0, SIM_NONE);
	endpoint.tags = NULL;
	endpoint.ip_address = NULL;
	fleet_add_endpoint(fleet, &endpoint);
	const struct device *device = fleet_device(fleet, 0);
	assert_string_equal(fleet_text(fleet, device, TEXT_NAME), "");
	assert_string_equal(fleet_text(fleet, device, TEXT_TAGS), "");
	assert_string_equal(fleet_text(fleet, device, TEXT_IP), "");
	/* A string taken from the fleet itself can be stored back. */
	endpoint = endpoint_record(2, ENDPOINT_ENABLED, fleet_text(fleet, fleet_device(fleet, 1), TEXT_NAME), 0,
				   SIM_NONE);
	endpoint.tags = fleet_text(fleet, fleet_device(fleet, 1), TEXT_NAME);
	fleet_add_endpoint(fleet, &endpoint);
	assert_string_equal(fleet_text(fleet, fleet_device(fleet, 1), TEXT_TAGS), "neighbour");
	fleet_free(fleet);
}

/* The endpoint page's nested SIM fills what it knows and leaves the rest to the SIM page. */
static void test_nested_sim_strings(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	add_sim(fleet, 4401340, SIM_ACTIVATED, 11898598, "8988303000006738593");
	struct endpoint_record endpoint = endpoint_record(11898598, ENDPOINT_ENABLED, "phone no2", 4401340,
							  SIM_ACTIVATED);
	endpoint.imei = "3554631177373901";
	endpoint.iccid = "8988303000006738593";
	endpoint.imsi = "295050901900082";
	endpoint.msisdn = NULL;
	fleet_add_endpoint(fleet, &endpoint);
	const struct device *device = fleet_device(fleet, 0);
	assert_string_equal(fleet_text(fleet, device, TEXT_IMSI), "295050901900082");
	assert_string_equal(fleet_text(fleet, device, TEXT_MSISDN), "423663921520532"); /* kept */
	assert_string_equal(fleet_text(fleet, device, TEXT_IMEI), "3554631177373901");
	fleet_free(fleet);
}

static void test_64bit_ids(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	const int64_t big = INT64_C(1) << 32;
	add_endpoint(fleet, 5, ENDPOINT_ENABLED, "low", 7, SIM_ACTIVATED);
	add_endpoint(fleet, big + 5, ENDPOINT_ENABLED, "high", big + 7, SIM_SUSPENDED);
	add_endpoint(fleet, INT64_C(350000000000000), ENDPOINT_DISABLED, "event-sized", INT64_C(9007199254740991),
		     SIM_ISSUED);
	add_sim(fleet, INT64_MAX, SIM_ISSUED, 0, "89max");
	assert_int_equal(fleet_count(fleet), 4);
	size_t index;
	assert_true(fleet_find_endpoint(fleet, 5, &index));
	assert_int_equal(index, 0);
	assert_true(fleet_find_endpoint(fleet, big + 5, &index));
	assert_int_equal(index, 1);
	assert_int_equal(fleet_device(fleet, 1)->endpoint_id, big + 5);
	assert_true(fleet_find_sim(fleet, big + 7, &index));
	assert_int_equal(index, 1);
	assert_true(fleet_find_sim(fleet, INT64_C(9007199254740991), &index));
	assert_int_equal(index, 2);
	assert_true(fleet_find_sim(fleet, INT64_MAX, &index));
	assert_int_equal(index, 3);
	assert_false(fleet_find_sim(fleet, big + 5, &index));
	assert_false(fleet_find_endpoint(fleet, 7, &index));
	check_invariants(fleet);
	fleet_free(fleet);
}

/* 200,000 devices in the order a parallel load delivers them: half the SIM pages before the
 * endpoint pages, half after, then SIM-only and endpoint-only devices, then a full refresh. */
static void test_large_fleet(void **state)
{
	(void)state;
	enum { PAIRED = 100000, SIM_ONLY = 50000, ENDPOINT_ONLY = 50000 };
	const int64_t sim_base = INT64_C(4000000000), endpoint_base = INT64_C(11000000000);
	struct fleet *fleet = fleet_new();
	char iccid[32], name[32];

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < PAIRED; i += 2) {
			snprintf(iccid, sizeof(iccid), "89883030%011d", i);
			add_sim(fleet, sim_base + i, SIM_ACTIVATED, endpoint_base + i, iccid);
		}
		for (int i = 0; i < PAIRED; i++) {
			snprintf(name, sizeof(name), "pump-%06d", i);
			add_endpoint(fleet, endpoint_base + i, i % 10 ? ENDPOINT_ENABLED : ENDPOINT_DISABLED, name,
				     sim_base + i, SIM_ACTIVATED);
		}
		for (int i = 1; i < PAIRED; i += 2) {
			snprintf(iccid, sizeof(iccid), "89883030%011d", i);
			add_sim(fleet, sim_base + i, SIM_ACTIVATED, endpoint_base + i, iccid);
		}
		for (int i = 0; i < SIM_ONLY; i++) {
			snprintf(iccid, sizeof(iccid), "89883031%011d", i);
			add_sim(fleet, sim_base + PAIRED + i, SIM_ISSUED, 0, iccid);
		}
		for (int i = 0; i < ENDPOINT_ONLY; i++) {
			snprintf(name, sizeof(name), "spare-%06d", i);
			add_endpoint(fleet, endpoint_base + PAIRED + i, ENDPOINT_DISABLED, name, 0, SIM_NONE);
		}
		assert_int_equal(fleet_count(fleet), PAIRED + SIM_ONLY + ENDPOINT_ONLY);
		assert_int_equal(fleet_count_alignment(fleet, ALIGN_ONLINE), PAIRED - PAIRED / 10);
		assert_int_equal(fleet_count_alignment(fleet, ALIGN_MISALIGNED), PAIRED / 10);
		assert_int_equal(fleet_count_alignment(fleet, ALIGN_UNPAIRED), SIM_ONLY + ENDPOINT_ONLY);
	}

	size_t index;
	for (int i = 0; i < PAIRED; i++) {
		assert_true(fleet_find_endpoint(fleet, endpoint_base + i, &index));
		size_t sim_index;
		assert_true(fleet_find_sim(fleet, sim_base + i, &sim_index));
		assert_int_equal(index, sim_index);
	}
	assert_true(fleet_find_sim(fleet, sim_base + 12345, &index));
	const struct device *device = fleet_device(fleet, index);
	assert_string_equal(fleet_text(fleet, device, TEXT_NAME), "pump-012345");
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8988303000000012345");
	assert_false(fleet_find_sim(fleet, sim_base + PAIRED + SIM_ONLY, &index));
	check_invariants(fleet);
	/* The budget is 30 MB for 100k devices; these 200k take about 39 MB (a device is 80
	 * bytes, the strings of this fleet about 60, the arrays grow with some room). */
	assert_true(fleet_memory(fleet) < 42u * 1024 * 1024);
	fleet_free(fleet);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_fleet),
		cmocka_unit_test(test_rows_extend_while_loading),
		cmocka_unit_test(test_rows_default_order),
		cmocka_unit_test(test_endpoint_then_sim),
		cmocka_unit_test(test_sim_then_endpoint),
		cmocka_unit_test(test_sim_alone_then_claimed),
		cmocka_unit_test(test_unpaired_devices),
		cmocka_unit_test(test_sim_link_ignored_for_seen_endpoint),
		cmocka_unit_test(test_two_sims_name_one_endpoint),
		cmocka_unit_test(test_endpoint_overrides_sim_link),
		cmocka_unit_test(test_provisional_link_follows_sim_page),
		cmocka_unit_test(test_shared_sim),
		cmocka_unit_test(test_shared_sim_known_endpoint),
		cmocka_unit_test(test_duplicate_ids),
		cmocka_unit_test(test_paging_notes),
		cmocka_unit_test(test_endpoint_changes_sim),
		cmocka_unit_test(test_refresh_joins_existing_rows),
		cmocka_unit_test(test_duplicates_update_in_place),
		cmocka_unit_test(test_status_changes_move_counts),
		cmocka_unit_test(test_strings_update),
		cmocka_unit_test(test_nested_sim_strings),
		cmocka_unit_test(test_64bit_ids),
		cmocka_unit_test(test_large_fleet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
