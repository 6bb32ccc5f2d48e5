/* marks.c — the set of marked device ids: the ids in one array, found through a hash table
 * (hashmap.h) of their places in it. */
#include "marks.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "util.h"

/* Endpoint ids are keys as they are; SIM ids get the top bit. Ids are positive and never 0,
 * so 0 is no key. */
#define KEY_SIM (UINT64_C(1) << 63)
#define KEY_NONE 0

struct marks {
	uint64_t *keys;        /* every key once, in no order */
	size_t count;
	size_t capacity;
	struct hashmap places; /* key to its index in keys */
};

static uint64_t key_at(const void *owner, uint32_t place)
{
	const struct marks *marks = owner;
	return marks->keys[place];
}

static uint64_t endpoint_key(const struct device *device)
{
	return device->endpoint_id > 0 ? (uint64_t)device->endpoint_id : KEY_NONE;
}

static uint64_t sim_key(const struct device *device)
{
	return device->sim_id > 0 ? KEY_SIM | (uint64_t)device->sim_id : KEY_NONE;
}

/* The key a device is marked by. */
static uint64_t device_key(const struct device *device)
{
	uint64_t key = endpoint_key(device);
	return key != KEY_NONE ? key : sim_key(device);
}

static bool find(const struct marks *marks, uint64_t key)
{
	uint32_t place;
	return hashmap_find(&marks->places, key, &place);
}

/* Room for need keys. */
static void reserve(struct marks *marks, size_t need)
{
	if (need >= HASHMAP_NO_VALUE)
		die(3, "too many marks");
	marks->keys = xgrow(marks->keys, &marks->capacity, need, sizeof(*marks->keys));
	hashmap_reserve(&marks->places, need);
}

static void insert(struct marks *marks, uint64_t key)
{
	if (key == KEY_NONE)
		return;
	reserve(marks, marks->count + 1);
	marks->keys[marks->count] = key;
	if (hashmap_insert(&marks->places, (uint32_t)marks->count))
		marks->count++;
}

static void remove_key(struct marks *marks, uint64_t key)
{
	uint32_t place;
	if (!hashmap_remove(&marks->places, key, &place))
		return;
	/* The last key fills the gap, so that keys stays dense. */
	size_t last = marks->count - 1;
	if (place != last) {
		marks->keys[place] = marks->keys[last];
		hashmap_update(&marks->places, marks->keys[place], place);
	}
	marks->count--;
}

struct marks *marks_new(void)
{
	struct marks *marks = xcalloc(1, sizeof(*marks));
	hashmap_init(&marks->places, key_at, marks);
	return marks;
}

void marks_free(struct marks *marks)
{
	if (!marks)
		return;
	hashmap_free(&marks->places);
	free(marks->keys);
	free(marks);
}

bool marks_has(const struct marks *marks, const struct device *device)
{
	if (marks->count == 0)
		return false;
	if (find(marks, device_key(device)))
		return true;
	/* Also marked by a SIM id taken before the SIM had an endpoint. */
	return device->endpoint_id > 0 && find(marks, sim_key(device));
}

void marks_set(struct marks *marks, const struct device *device, bool marked)
{
	if (marked) {
		insert(marks, device_key(device));
		return;
	}
	remove_key(marks, endpoint_key(device));
	remove_key(marks, sim_key(device));
}

void marks_toggle(struct marks *marks, const struct device *device)
{
	marks_set(marks, device, !marks_has(marks, device));
}

void marks_clear(struct marks *marks)
{
	hashmap_clear(&marks->places);
	marks->count = 0;
}

size_t marks_count(const struct marks *marks)
{
	return marks->count;
}

size_t marks_count_in_fleet(const struct marks *marks, const struct fleet *fleet)
{
	size_t count = 0;
	for (size_t i = 0; i < marks->count; i++) {
		uint64_t key = marks->keys[i];
		size_t index;
		if (!(key & KEY_SIM)) {
			if (fleet_find_endpoint(fleet, (int64_t)key, &index))
				count++;
			continue;
		}
		if (!fleet_find_sim(fleet, (int64_t)(key & ~KEY_SIM), &index))
			continue;
		/* A device marked by both of its ids counts once, under its endpoint. */
		if (!find(marks, endpoint_key(fleet_device(fleet, index))))
			count++;
	}
	return count;
}

size_t marks_count_in_rows(const struct marks *marks, const struct fleet *fleet, const struct rows *rows,
			   size_t *hidden)
{
	size_t shown = 0;
	if (marks->count > 0)
		for (size_t i = 0; i < rows->count; i++)
			if (marks_has(marks, fleet_device(fleet, rows->index[i])))
				shown++;
	if (hidden) {
		size_t in_fleet = marks_count_in_fleet(marks, fleet);
		*hidden = in_fleet > shown ? in_fleet - shown : 0;
	}
	return shown;
}

void marks_invert_rows(struct marks *marks, const struct fleet *fleet, const struct rows *rows)
{
	reserve(marks, marks->count + rows->count);
	for (size_t i = 0; i < rows->count; i++)
		marks_toggle(marks, fleet_device(fleet, rows->index[i]));
}

void marks_set_rows(struct marks *marks, const struct fleet *fleet, const struct rows *rows, bool marked)
{
	if (marked)
		reserve(marks, marks->count + rows->count);
	for (size_t i = 0; i < rows->count; i++)
		marks_set(marks, fleet_device(fleet, rows->index[i]), marked);
}

void marks_filter_rows(const struct marks *marks, const struct fleet *fleet, struct rows *rows)
{
	size_t kept = 0;
	for (size_t i = 0; i < rows->count; i++) {
		size_t device = rows->index[i];
		if (marks_has(marks, fleet_device(fleet, device)))
			rows->index[kept++] = device;
	}
	rows->count = kept;
}
