/* json_slim.h — a copy of a JSON array of objects with only the members that will be read.
 *
 * cJSON builds a node for every value of a page, and most of what a real list page holds is
 * never read (dates, profiles, descriptions: more than half its values). A page is first
 * copied without those members, in one strict pass over its bytes that costs far less than
 * the nodes it saves; cJSON then parses the copy.
 *
 * The copy must read exactly as the page would. So it is made only when the page is plain,
 * strictly valid JSON: an array of objects, no key with an escape or a NUL byte, no \u escape
 * in a member left out, nesting at most JSON_SLIM_DEPTH_MAX deep. For anything else
 * (including every malformed page) json_slim_array() declines, and the caller parses the page
 * itself, which then says what is wrong with it. Should cJSON refuse a copy (a \u escape in a member kept
 * that is not valid), the caller parses the page itself for the same reason. */
#ifndef SIMTOP_JSON_SLIM_H
#define SIMTOP_JSON_SLIM_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_SLIM_DEPTH_MAX 16
/* Keys kept at most. */
#define JSON_SLIM_KEYS_MAX 32

/* Copy body (length bytes) into out (length + 1 bytes: the copy is never longer), with, in
 * every object at any depth, only the members named by one of keys (key_count of them, at
 * most JSON_SLIM_KEYS_MAX, none empty), in their order, duplicates included; white space
 * outside strings is left out, so that the array's items are separated by one comma each.
 * On success the copy is NUL-terminated after *slim_length bytes, and *items says how many
 * objects the array holds; false when it declines (out then holds nothing of use). */
bool json_slim_array(const char *body, size_t length, const char *const *keys, size_t key_count, char *out,
		     size_t *slim_length, size_t *items);

#endif
