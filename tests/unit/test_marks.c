/* test_marks.c — marks by id: across a rebuilt fleet, under a filter, over rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "filter.h"
#include "fleet.h"
#include "marks.h"
#include "rows.h"
#include "sort.h"
#include "util.h"

/* Devices: endpoint 1..n with SIM 1..n (the same numbers in the other id space), then one
 * SIM-only device (SIM 1000) and one endpoint-only device (endpoint 2000). */
static struct fleet *numbered_fleet(int count, bool reversed)
{
	struct fleet *fleet = fleet_new();
	for (int k = 0; k < count; k++) {
		int i = reversed ? count - k : k + 1;
		char name[32];
		snprintf(name, sizeof(name), "device-%d", i);
		struct endpoint_record endpoint = {
			.id = i, .endpoint_status = i % 2 ? ENDPOINT_ENABLED : ENDPOINT_DISABLED, .name = name,
			.sim_id = i, .sim_status = SIM_ACTIVATED,
		};
		fleet_add_endpoint(fleet, &endpoint);
	}
	struct sim_record sim = { .id = 1000, .sim_status = SIM_ISSUED };
	fleet_add_sim(fleet, &sim);
	struct endpoint_record lonely = { .id = 2000, .endpoint_status = ENDPOINT_ENABLED, .sim_status = SIM_NONE };
	fleet_add_endpoint(fleet, &lonely);
	return fleet;
}

static const struct device *by_endpoint(const struct fleet *fleet, int64_t id)
{
	size_t index;
	assert_true(fleet_find_endpoint(fleet, id, &index));
	return fleet_device(fleet, index);
}

static const struct device *by_sim(const struct fleet *fleet, int64_t id)
{
	size_t index;
	assert_true(fleet_find_sim(fleet, id, &index));
	return fleet_device(fleet, index);
}

static void test_set_toggle_clear(void **state)
{
	(void)state;
	struct fleet *fleet = numbered_fleet(10, false);
	struct marks *marks = marks_new();
	const struct device *three = by_endpoint(fleet, 3);
	const struct device *alone = by_sim(fleet, 1000);
	const struct device *lonely = by_endpoint(fleet, 2000);

	assert_false(marks_has(marks, three));
	marks_set(marks, three, true);
	marks_set(marks, three, true);
	assert_true(marks_has(marks, three));
	assert_int_equal(marks_count(marks), 1);
	marks_toggle(marks, three);
	assert_false(marks_has(marks, three));
	assert_int_equal(marks_count(marks), 0);

	/* SIM ids and endpoint ids are different spaces: SIM-only 1000 is not endpoint 1000. */
	marks_toggle(marks, alone);
	marks_toggle(marks, lonely);
	assert_true(marks_has(marks, alone));
	assert_true(marks_has(marks, lonely));
	assert_false(marks_has(marks, three));
	assert_int_equal(marks_count(marks), 2);
	assert_int_equal(marks_count_in_fleet(marks, fleet), 2);
	/* Device 3 has SIM 3 and endpoint 3; marking endpoint 3 does not mark a SIM-only 3. */
	struct fleet *other = fleet_new();
	struct sim_record sim3 = { .id = 3, .sim_status = SIM_ISSUED };
	fleet_add_sim(other, &sim3);
	marks_set(marks, three, true);
	assert_false(marks_has(marks, fleet_device(other, 0)));
	fleet_free(other);

	marks_clear(marks);
	assert_int_equal(marks_count(marks), 0);
	assert_false(marks_has(marks, alone));
	assert_false(marks_has(marks, three));

	/* A vacant device cannot be marked. */
	struct device vacant = { .sim_status = SIM_NONE, .endpoint_status = ENDPOINT_NONE };
	marks_set(marks, &vacant, true);
	assert_int_equal(marks_count(marks), 0);
	assert_false(marks_has(marks, &vacant));

	marks_free(marks);
	marks_free(NULL);
	fleet_free(fleet);
}

/* A refresh builds a new fleet: other indexes, same ids. Marks follow the ids. */
static void test_survive_rebuilt_fleet(void **state)
{
	(void)state;
	struct fleet *fleet = numbered_fleet(50, false);
	struct marks *marks = marks_new();
	int64_t marked[] = { 1, 7, 50 };
	for (size_t i = 0; i < ARRAY_SIZE(marked); i++)
		marks_set(marks, by_endpoint(fleet, marked[i]), true);
	marks_set(marks, by_sim(fleet, 1000), true);
	fleet_free(fleet);

	fleet = numbered_fleet(50, true);
	assert_int_equal(marks_count_in_fleet(marks, fleet), 4);
	for (int64_t id = 1; id <= 50; id++) {
		bool want = id == 1 || id == 7 || id == 50;
		assert_int_equal(marks_has(marks, by_endpoint(fleet, id)), want);
	}
	assert_true(marks_has(marks, by_sim(fleet, 1000)));
	assert_false(marks_has(marks, by_endpoint(fleet, 2000)));
	fleet_free(fleet);

	/* A smaller fleet: marks of devices that are gone stay in the set but not in the fleet. */
	fleet = numbered_fleet(5, false);
	assert_int_equal(marks_count(marks), 4);
	assert_int_equal(marks_count_in_fleet(marks, fleet), 2);  /* 1 and SIM 1000 */
	fleet_free(fleet);
	marks_free(marks);
}

/* A SIM marked while alone stays marked once a refresh pairs it with an endpoint; unmarking
 * the pair removes both ids, and the pair counts once. */
static void test_sim_paired_later(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	struct sim_record sim = { .id = 77, .sim_status = SIM_ACTIVATED };
	fleet_add_sim(fleet, &sim);
	struct marks *marks = marks_new();
	marks_set(marks, fleet_device(fleet, 0), true);

	struct endpoint_record endpoint = {
		.id = 5, .endpoint_status = ENDPOINT_ENABLED, .sim_id = 77, .sim_status = SIM_ACTIVATED,
	};
	fleet_add_endpoint(fleet, &endpoint);
	const struct device *paired = by_endpoint(fleet, 5);
	assert_int_equal(paired->sim_id, 77);
	assert_true(marks_has(marks, paired));
	assert_int_equal(marks_count_in_fleet(marks, fleet), 1);

	marks_set(marks, paired, true);  /* now by endpoint too */
	assert_int_equal(marks_count(marks), 2);
	assert_int_equal(marks_count_in_fleet(marks, fleet), 1);
	struct rows rows = { 0 };
	sort_build_rows(&rows, fleet);
	size_t hidden = 99;
	assert_int_equal(marks_count_in_rows(marks, fleet, &rows, &hidden), 1);
	assert_int_equal(hidden, 0);

	marks_toggle(marks, paired);
	assert_false(marks_has(marks, paired));
	assert_int_equal(marks_count(marks), 0);
	rows_free(&rows);
	marks_free(marks);
	fleet_free(fleet);
}

static struct rows filtered_rows(const struct fleet *fleet, const char *query)
{
	struct rows rows = { 0 };
	sort_build_rows(&rows, fleet);
	struct filter *filter = filter_parse(query, NULL, 0, NULL);
	assert_non_null(filter);
	filter_rows(filter, fleet, NULL, &rows, NULL);
	filter_free(filter);
	return rows;
}

static void test_rows(void **state)
{
	(void)state;
	struct fleet *fleet = numbered_fleet(20, false);
	struct marks *marks = marks_new();
	/* Enabled: the odd endpoints 1..19 and 2000. */
	struct rows enabled = filtered_rows(fleet, "ep:enabled");
	struct rows all = filtered_rows(fleet, "");
	assert_int_equal(enabled.count, 11);
	assert_int_equal(all.count, 22);

	marks_set_rows(marks, fleet, &enabled, true);
	assert_int_equal(marks_count(marks), 11);
	size_t hidden = 99;
	assert_int_equal(marks_count_in_rows(marks, fleet, &enabled, &hidden), 11);
	assert_int_equal(hidden, 0);

	/* Mark 2 and 4 (disabled): under the "enabled" filter they are hidden. */
	marks_set(marks, by_endpoint(fleet, 2), true);
	marks_set(marks, by_endpoint(fleet, 4), true);
	assert_int_equal(marks_count_in_rows(marks, fleet, &enabled, &hidden), 11);
	assert_int_equal(hidden, 2);
	assert_int_equal(marks_count_in_rows(marks, fleet, &all, NULL), 13);

	/* Invert among the shown rows only: the enabled ones are unmarked, the hidden stay. */
	marks_invert_rows(marks, fleet, &enabled);
	assert_int_equal(marks_count_in_rows(marks, fleet, &enabled, &hidden), 0);
	assert_int_equal(hidden, 2);
	assert_int_equal(marks_count(marks), 2);

	/* Invert over all rows: everything but 2 and 4. */
	marks_invert_rows(marks, fleet, &all);
	assert_int_equal(marks_count(marks), 20);
	assert_false(marks_has(marks, by_endpoint(fleet, 2)));
	assert_true(marks_has(marks, by_sim(fleet, 1000)));

	/* Keep only marked rows, order kept. */
	struct rows kept = filtered_rows(fleet, "");
	marks_filter_rows(marks, fleet, &kept);
	assert_int_equal(kept.count, 20);
	for (size_t i = 1; i < kept.count; i++)
		assert_true(kept.index[i - 1] != kept.index[i]);
	for (size_t i = 0; i < kept.count; i++) {
		const struct device *device = fleet_device(fleet, kept.index[i]);
		assert_true(device->endpoint_id != 2 && device->endpoint_id != 4);
	}
	/* Order: the same as sort_build_rows()'s, minus 2 and 4. */
	assert_int_equal(fleet_device(fleet, kept.index[0])->endpoint_id, 1);
	assert_int_equal(fleet_device(fleet, kept.index[1])->endpoint_id, 3);
	assert_int_equal(fleet_device(fleet, kept.index[19])->sim_id, 1000);

	/* Unmark the shown rows. */
	marks_set_rows(marks, fleet, &enabled, false);
	assert_int_equal(marks_count(marks), 9);  /* 6, 8, ..., 20 and SIM 1000 */
	marks_filter_rows(marks, fleet, &kept);
	assert_int_equal(kept.count, 9);

	rows_free(&kept);
	rows_free(&enabled);
	rows_free(&all);
	marks_free(marks);
	fleet_free(fleet);
}

/* Many marks, with removals in between, against a plain array of flags. */
static void test_many(void **state)
{
	(void)state;
	enum { COUNT = 20000 };
	struct fleet *fleet = numbered_fleet(COUNT, false);
	struct marks *marks = marks_new();
	bool *want = calloc(fleet_count(fleet), sizeof(*want));
	unsigned seed = 1;
	size_t marked = 0;
	for (int round = 0; round < 200000; round++) {
		seed = seed * 1103515245u + 12345u;
		size_t index = (seed >> 8) % fleet_count(fleet);
		const struct device *device = fleet_device(fleet, index);
		if ((seed >> 4) % 3 == 0) {
			marks_set(marks, device, false);
			marked -= want[index];
			want[index] = false;
		} else {
			marks_toggle(marks, device);
			marked += want[index] ? (size_t)-1 : 1;
			want[index] = !want[index];
		}
	}
	for (size_t i = 0; i < fleet_count(fleet); i++)
		assert_int_equal(marks_has(marks, fleet_device(fleet, i)), want[i]);
	assert_int_equal(marks_count(marks), marked);
	assert_int_equal(marks_count_in_fleet(marks, fleet), marked);

	struct rows rows = { 0 };
	sort_build_rows(&rows, fleet);
	marks_set_rows(marks, fleet, &rows, true);
	assert_int_equal(marks_count(marks), fleet_count(fleet));
	marks_set_rows(marks, fleet, &rows, false);
	assert_int_equal(marks_count(marks), 0);
	rows_free(&rows);
	free(want);
	marks_free(marks);
	fleet_free(fleet);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_toggle_clear),
		cmocka_unit_test(test_survive_rebuilt_fleet),
		cmocka_unit_test(test_sim_paired_later),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
