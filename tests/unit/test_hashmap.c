/* test_hashmap.c — the hash table under the fleet's indexes and the marks: keys read back
 * through the owner, removal without tombstones, growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hashmap.h"

/* The owner: value i stands under keys[i]. */
#define KEY_COUNT 5000
static uint64_t keys[KEY_COUNT];

static uint64_t key_of(const void *owner, uint32_t value)
{
	const uint64_t *table = owner;
	return table[value];
}

static void test_find_insert_remove(void **state)
{
	(void)state;
	struct hashmap map;
	uint32_t value;

	hashmap_init(&map, key_of, keys);
	assert_false(hashmap_find(&map, 7, &value));
	assert_int_equal(hashmap_memory(&map), 0);
	for (uint32_t i = 0; i < KEY_COUNT; i++) {
		keys[i] = (uint64_t)i * 3 + 1; /* sequential ids, as the API hands them out */
		assert_true(hashmap_insert(&map, i));
	}
	assert_false(hashmap_insert(&map, 10)); /* its key is there already */
	for (uint32_t i = 0; i < KEY_COUNT; i++) {
		assert_true(hashmap_find(&map, keys[i], &value));
		assert_int_equal(value, i);
		assert_false(hashmap_find(&map, keys[i] + 1, &value));
	}
	assert_false(hashmap_find(&map, 0, &value));

	/* Remove every other key: the rest stay reachable behind the holes. */
	for (uint32_t i = 0; i < KEY_COUNT; i += 2) {
		assert_true(hashmap_remove(&map, keys[i], &value));
		assert_int_equal(value, i);
	}
	assert_false(hashmap_remove(&map, keys[0], NULL));
	for (uint32_t i = 0; i < KEY_COUNT; i++)
		assert_int_equal(hashmap_find(&map, keys[i], &value), i % 2 == 1);

	/* Load stays under 70%. */
	assert_true(hashmap_memory(&map) / sizeof(uint32_t) * 7 >= (size_t)KEY_COUNT * 10);
	hashmap_free(&map);
}

static void test_update_and_clear(void **state)
{
	(void)state;
	struct hashmap map;
	uint32_t value;

	hashmap_init(&map, key_of, keys);
	keys[0] = 42;
	keys[1] = 43;
	assert_true(hashmap_insert(&map, 0));
	assert_true(hashmap_insert(&map, 1));
	/* The owner moves key 43 from place 1 to place 3. */
	keys[3] = 43;
	hashmap_update(&map, 43, 3);
	assert_true(hashmap_find(&map, 43, &value));
	assert_int_equal(value, 3);
	hashmap_update(&map, 99, 4); /* no entry: nothing happens */
	assert_false(hashmap_find(&map, 99, &value));

	size_t memory = hashmap_memory(&map);
	hashmap_clear(&map);
	assert_false(hashmap_find(&map, 42, &value));
	assert_int_equal(hashmap_memory(&map), memory);
	assert_true(hashmap_insert(&map, 0));
	assert_true(hashmap_find(&map, 42, &value));
	hashmap_free(&map);
}

/* Many rounds of adding and removing in a small table: with tombstones it would fill up. */
static void test_churn(void **state)
{
	(void)state;
	struct hashmap map;
	uint32_t value;

	hashmap_init(&map, key_of, keys);
	hashmap_reserve(&map, 40);
	size_t memory = hashmap_memory(&map);
	for (uint32_t round = 0; round < 2000; round++) {
		uint32_t place = round % 40;
		if (round >= 40)
			assert_true(hashmap_remove(&map, keys[place], NULL));
		keys[place] = UINT64_C(1) << 40 | round;
		assert_true(hashmap_insert(&map, place));
	}
	for (uint32_t place = 0; place < 40; place++) {
		assert_true(hashmap_find(&map, keys[place], &value));
		assert_int_equal(value, place);
	}
	assert_int_equal(hashmap_memory(&map), memory);
	hashmap_free(&map);
}

static void test_mix_spreads_sequential_ids(void **state)
{
	(void)state;
	assert_int_equal(hashmap_mix(0), 0);
	assert_int_not_equal(hashmap_mix(1) & 0xFF, hashmap_mix(2) & 0xFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_insert_remove),
		cmocka_unit_test(test_update_and_clear),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_mix_spreads_sequential_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
