/* hashmap.h — an open-addressing hash table from 64-bit keys to 32-bit values: the fleet's
 * id indexes and the set of marks.
 *
 * The table stores each value with a 32-bit tag of its key's hash, not the key: the key of a
 * value is read back through the owner's key_of function, and only when the tags match. The
 * fleet's device array already holds every id, and storing the ids again beside the values
 * would take half as much room again; reading the key back for every slot probed would
 * instead touch a device for each, a cache miss apiece in a fleet of a million (a fifth of
 * such a load's time went there). Linear probing with the load kept under 70%; removal shifts the
 * following entries back instead of leaving tombstones, so a table that is filled and emptied
 * many times never slows down. Lookups and changes are O(1) on average.
 *
 * Key 0 is never in a table (ids are never 0), and HASHMAP_NO_VALUE is not a value. */
#ifndef SIMTOP_HASHMAP_H
#define SIMTOP_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HASHMAP_NO_VALUE UINT32_MAX

/* The key that value stands under now. Called while probing: it must be cheap, and it must
 * not change the table. */
typedef uint64_t hashmap_key_of(const void *owner, uint32_t value);

/* The fields are the module's own; they are here only so that a table can live inside its
 * owner's struct. */
struct hashmap {
	uint64_t *slots;           /* tag << 32 | value, all ones where free */
	size_t capacity;           /* a power of two, or 0 before the first insert */
	size_t used;
	hashmap_key_of *key_of;
	const void *owner;         /* passed to key_of */
};

/* An empty table; nothing is allocated until the first insert or reserve. */
void hashmap_init(struct hashmap *map, hashmap_key_of *key_of, const void *owner);
/* Frees the slots; the table is empty (and usable) again. */
void hashmap_free(struct hashmap *map);

/* The value under key; false when there is none (always for key 0). */
bool hashmap_find(const struct hashmap *map, uint64_t key, uint32_t *value);
/* Start loading the slot where a lookup of key begins, for a lookup or insert soon after. A
 * table larger than the cache costs a miss per lookup otherwise; a caller that knows its next
 * keys (a page of records) prefetches a few ahead. Changes nothing. */
void hashmap_prefetch(const struct hashmap *map, uint64_t key);
/* Add value under its current key, which must not be 0. false, and nothing added, when an
 * entry stands under that key already. */
bool hashmap_insert(struct hashmap *map, uint32_t value);
/* Remove the entry under key; *value (may be NULL) receives what it held. false when there is
 * none. key_of must still give key for that entry's value. */
bool hashmap_remove(struct hashmap *map, uint64_t key, uint32_t *value);
/* The entry under key now holds value, which must stand under the same key: for an owner
 * that moves the entry's data from one place to another. Nothing happens without an entry. */
void hashmap_update(struct hashmap *map, uint64_t key, uint32_t value);
/* Room for count entries in all, so that adding them grows the table at most once. */
void hashmap_reserve(struct hashmap *map, size_t count);
/* Remove every entry; the slots are kept for reuse. */
void hashmap_clear(struct hashmap *map);

/* The hash of the tables: splitmix64's finaliser, which spreads ids that are often sequential
 * over all 64 bits. For other fingerprints of ids too. */
uint64_t hashmap_mix(uint64_t x);
/* Bytes the slots take. */
size_t hashmap_memory(const struct hashmap *map);

#endif
