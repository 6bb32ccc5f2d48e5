/* hashmap.c — the hash table described in hashmap.h. */
#include "hashmap.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MIN_CAPACITY 64
/* A free slot: no value, under any tag. */
#define FREE_SLOT UINT64_MAX

uint64_t hashmap_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/* A slot holds a value and its key's tag: the top 32 bits of the key's hash. The tag decides
 * the home slot too, so that neither growing nor removing needs the key again. */
static uint32_t tag_of(uint64_t key)
{
	return (uint32_t)(hashmap_mix(key) >> 32);
}

static uint64_t slot_of(uint32_t tag, uint32_t value)
{
	return (uint64_t)tag << 32 | value;
}

static uint32_t slot_tag(uint64_t slot)
{
	return (uint32_t)(slot >> 32);
}

static uint32_t slot_value(uint64_t slot)
{
	return (uint32_t)slot;
}

static size_t home_slot(const struct hashmap *map, uint32_t tag)
{
	return (size_t)tag & (map->capacity - 1);
}

/* The slot holding key's entry; false when there is none. Only an entry whose tag matches
 * has its key read back. */
static bool find_slot(const struct hashmap *map, uint64_t key, size_t *slot)
{
	if (map->used == 0 || key == 0)
		return false;
	uint32_t tag = tag_of(key);
	size_t mask = map->capacity - 1;
	for (size_t at = home_slot(map, tag);; at = (at + 1) & mask) {
		uint64_t entry = map->slots[at];
		if (entry == FREE_SLOT)
			return false;
		if (slot_tag(entry) == tag && map->key_of(map->owner, slot_value(entry)) == key) {
			*slot = at;
			return true;
		}
	}
}

static void place(struct hashmap *map, uint64_t entry)
{
	size_t mask = map->capacity - 1;
	size_t at = home_slot(map, slot_tag(entry));
	while (map->slots[at] != FREE_SLOT)
		at = (at + 1) & mask;
	map->slots[at] = entry;
}

void hashmap_init(struct hashmap *map, hashmap_key_of *key_of, const void *owner)
{
	*map = (struct hashmap){ .key_of = key_of, .owner = owner };
}

void hashmap_free(struct hashmap *map)
{
	free(map->slots);
	hashmap_init(map, map->key_of, map->owner);
}

bool hashmap_find(const struct hashmap *map, uint64_t key, uint32_t *value)
{
	size_t slot;
	if (!find_slot(map, key, &slot))
		return false;
	*value = slot_value(map->slots[slot]);
	return true;
}

void hashmap_prefetch(const struct hashmap *map, uint64_t key)
{
	if (map->capacity)
		__builtin_prefetch(&map->slots[home_slot(map, tag_of(key))]);
}

/* Whether count entries load capacity slots past 0.7: linear probing stays short below. */
static bool overloaded(size_t count, size_t capacity)
{
	return count * 10 > capacity * 7;
}

void hashmap_reserve(struct hashmap *map, size_t count)
{
	size_t capacity = map->capacity ? map->capacity : MIN_CAPACITY;
	while (overloaded(count, capacity)) {
		/* The home slot comes from a 32-bit tag. */
		if (capacity >= (UINT64_C(1) << 32) || capacity > SIZE_MAX / 2 / sizeof(*map->slots))
			die(3, "out of memory (hash table)");
		capacity *= 2;
	}
	if (capacity == map->capacity)
		return;
	uint64_t *old = map->slots;
	size_t old_capacity = map->capacity;
	map->slots = xmalloc(capacity * sizeof(*map->slots));
	memset(map->slots, 0xFF, capacity * sizeof(*map->slots));
	map->capacity = capacity;
	for (size_t i = 0; i < old_capacity; i++)
		if (old[i] != FREE_SLOT)
			place(map, old[i]);
	free(old);
}

bool hashmap_insert(struct hashmap *map, uint32_t value)
{
	if (overloaded(map->used + 1, map->capacity))
		hashmap_reserve(map, map->used + 1);
	uint64_t key = map->key_of(map->owner, value);
	uint32_t tag = tag_of(key);
	size_t mask = map->capacity - 1;
	size_t at = home_slot(map, tag);
	for (; map->slots[at] != FREE_SLOT; at = (at + 1) & mask)
		if (slot_tag(map->slots[at]) == tag && map->key_of(map->owner, slot_value(map->slots[at])) == key)
			return false;
	map->slots[at] = slot_of(tag, value);
	map->used++;
	return true;
}

bool hashmap_remove(struct hashmap *map, uint64_t key, uint32_t *value)
{
	size_t hole;
	if (!find_slot(map, key, &hole))
		return false;
	if (value)
		*value = slot_value(map->slots[hole]);
	size_t mask = map->capacity - 1;
	for (size_t at = (hole + 1) & mask; map->slots[at] != FREE_SLOT; at = (at + 1) & mask) {
		size_t home = home_slot(map, slot_tag(map->slots[at]));
		/* The entry may fill the hole when the hole lies on its probe path. */
		if (((at - home) & mask) >= ((at - hole) & mask)) {
			map->slots[hole] = map->slots[at];
			hole = at;
		}
	}
	map->slots[hole] = FREE_SLOT;
	map->used--;
	return true;
}

void hashmap_update(struct hashmap *map, uint64_t key, uint32_t value)
{
	size_t slot;
	if (find_slot(map, key, &slot))
		map->slots[slot] = slot_of(slot_tag(map->slots[slot]), value);
}

void hashmap_clear(struct hashmap *map)
{
	if (map->capacity)
		memset(map->slots, 0xFF, map->capacity * sizeof(*map->slots));
	map->used = 0;
}

size_t hashmap_memory(const struct hashmap *map)
{
	return map->capacity * sizeof(*map->slots);
}
