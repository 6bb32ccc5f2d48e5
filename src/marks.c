/* marks.c — the set of marked device ids: open addressing, linear probing, no tombstones
 * (removal shifts the following entries back), so a set that is marked and unmarked many
 * times never slows down. */
#include "marks.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Endpoint ids are keys as they are; SIM ids get the top bit. Ids are positive and never 0,
 * so 0 marks a free slot. */
#define KEY_SIM (UINT64_C(1) << 63)
#define KEY_FREE 0
#define MIN_CAPACITY 64

struct marks {
	uint64_t *slots;
	size_t capacity;  /* a power of two */
	size_t used;
};

/* splitmix64's finaliser: ids are often sequential. */
static uint64_t hash_key(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static uint64_t endpoint_key(const struct device *device)
{
	return device->endpoint_id > 0 ? (uint64_t)device->endpoint_id : KEY_FREE;
}

static uint64_t sim_key(const struct device *device)
{
	return device->sim_id > 0 ? KEY_SIM | (uint64_t)device->sim_id : KEY_FREE;
}

/* The key a device is marked by. */
static uint64_t device_key(const struct device *device)
{
	uint64_t key = endpoint_key(device);
	return key != KEY_FREE ? key : sim_key(device);
}

/* Where key is, or else the free slot where it would go; true when it is there. */
static bool locate(const struct marks *marks, uint64_t key, size_t *slot)
{
	size_t mask = marks->capacity - 1;
	for (size_t at = hash_key(key) & mask;; at = (at + 1) & mask) {
		if (marks->slots[at] == key || marks->slots[at] == KEY_FREE) {
			*slot = at;
			return marks->slots[at] == key;
		}
	}
}

static bool find(const struct marks *marks, uint64_t key, size_t *slot)
{
	size_t at;
	if (key == KEY_FREE || marks->used == 0 || !locate(marks, key, &at))
		return false;
	if (slot)
		*slot = at;
	return true;
}

static void place(uint64_t *slots, size_t capacity, uint64_t key)
{
	size_t mask = capacity - 1;
	size_t at = hash_key(key) & mask;
	while (slots[at] != KEY_FREE)
		at = (at + 1) & mask;
	slots[at] = key;
}

/* Room for need keys at a load of at most 70%. */
static void reserve(struct marks *marks, size_t need)
{
	size_t capacity = marks->capacity;
	while (need > capacity / 10 * 7)
		capacity *= 2;
	if (capacity == marks->capacity)
		return;
	uint64_t *slots = xcalloc(capacity, sizeof(*slots));
	for (size_t i = 0; i < marks->capacity; i++)
		if (marks->slots[i] != KEY_FREE)
			place(slots, capacity, marks->slots[i]);
	free(marks->slots);
	marks->slots = slots;
	marks->capacity = capacity;
}

static void insert(struct marks *marks, uint64_t key)
{
	size_t slot;
	if (key == KEY_FREE)
		return;
	reserve(marks, marks->used + 1);
	if (locate(marks, key, &slot))
		return;
	marks->slots[slot] = key;
	marks->used++;
}

static void remove_key(struct marks *marks, uint64_t key)
{
	size_t hole;
	if (!find(marks, key, &hole))
		return;
	size_t mask = marks->capacity - 1;
	marks->slots[hole] = KEY_FREE;
	marks->used--;
	/* Move back every following entry whose probe passed over the hole. */
	for (size_t at = (hole + 1) & mask; marks->slots[at] != KEY_FREE; at = (at + 1) & mask) {
		size_t home = hash_key(marks->slots[at]) & mask;
		bool reachable = hole <= at ? (home <= hole || home > at) : (home <= hole && home > at);
		if (reachable) {
			marks->slots[hole] = marks->slots[at];
			marks->slots[at] = KEY_FREE;
			hole = at;
		}
	}
}

struct marks *marks_new(void)
{
	struct marks *marks = xcalloc(1, sizeof(*marks));
	marks->capacity = MIN_CAPACITY;
	marks->slots = xcalloc(marks->capacity, sizeof(*marks->slots));
	return marks;
}

void marks_free(struct marks *marks)
{
	if (!marks)
		return;
	free(marks->slots);
	free(marks);
}

bool marks_has(const struct marks *marks, const struct device *device)
{
	if (marks->used == 0)
		return false;
	if (find(marks, device_key(device), NULL))
		return true;
	/* Also marked by a SIM id taken before the SIM had an endpoint. */
	return device->endpoint_id > 0 && find(marks, sim_key(device), NULL);
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
	memset(marks->slots, 0, marks->capacity * sizeof(*marks->slots));
	marks->used = 0;
}

size_t marks_count(const struct marks *marks)
{
	return marks->used;
}

size_t marks_count_in_fleet(const struct marks *marks, const struct fleet *fleet)
{
	size_t count = 0;
	if (marks->used == 0)
		return 0;
	for (size_t i = 0; i < marks->capacity; i++) {
		uint64_t key = marks->slots[i];
		size_t index;
		if (key == KEY_FREE)
			continue;
		if (!(key & KEY_SIM)) {
			if (fleet_find_endpoint(fleet, (int64_t)key, &index))
				count++;
			continue;
		}
		if (!fleet_find_sim(fleet, (int64_t)(key & ~KEY_SIM), &index))
			continue;
		/* A device marked by both of its ids counts once, under its endpoint. */
		if (!find(marks, endpoint_key(fleet_device(fleet, index)), NULL))
			count++;
	}
	return count;
}

size_t marks_count_in_rows(const struct marks *marks, const struct fleet *fleet, const struct rows *rows,
			   size_t *hidden)
{
	size_t shown = 0;
	if (marks->used > 0)
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
	reserve(marks, marks->used + rows->count);
	for (size_t i = 0; i < rows->count; i++)
		marks_toggle(marks, fleet_device(fleet, rows->index[i]));
}

void marks_set_rows(struct marks *marks, const struct fleet *fleet, const struct rows *rows, bool marked)
{
	if (marked)
		reserve(marks, marks->used + rows->count);
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
