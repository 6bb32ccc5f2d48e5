/* marks.h — the set of marked devices, by id, so marks survive refresh, filter and sort.
 *
 * A device is marked by its endpoint id when it has an endpoint (a provisional link counts),
 * else by its SIM id; the two id spaces are kept apart. A device that has both is also marked
 * when its SIM id is in the set: a SIM marked while it had no endpoint stays marked once a
 * refresh pairs it. Marks of devices that left the fleet stay in the set until cleared or
 * unmarked, so marks_count() may exceed marks_count_in_fleet().
 *
 * A hash set of 64-bit keys (hashmap.h): lookups and changes are O(1) on average. */
#ifndef SIMTOP_MARKS_H
#define SIMTOP_MARKS_H

#include <stdbool.h>
#include <stddef.h>

#include "fleet.h"
#include "rows.h"

struct marks;

/* Never NULL; the caller frees with marks_free(). */
struct marks *marks_new(void);
void marks_free(struct marks *marks);

/* A vacant device (no SIM, no endpoint) is never marked and cannot be. */
bool marks_has(const struct marks *marks, const struct device *device);
/* Unmarking removes both of the device's ids. */
void marks_set(struct marks *marks, const struct device *device, bool marked);
void marks_toggle(struct marks *marks, const struct device *device);
void marks_clear(struct marks *marks);

/* Ids in the set, whether or not their devices are in the fleet now. */
size_t marks_count(const struct marks *marks);
/* Marked devices of the fleet (each counted once). O(marks). */
size_t marks_count_in_fleet(const struct marks *marks, const struct fleet *fleet);
/* Marked devices among rows; *hidden (may be NULL) receives how many marked devices of the
 * fleet are not in rows, i.e. hidden by the filter. O(rows + marks). */
size_t marks_count_in_rows(const struct marks *marks, const struct fleet *fleet, const struct rows *rows,
			   size_t *hidden);

/* Toggle, mark or unmark every device in rows. O(rows). */
void marks_invert_rows(struct marks *marks, const struct fleet *fleet, const struct rows *rows);
void marks_set_rows(struct marks *marks, const struct fleet *fleet, const struct rows *rows, bool marked);
/* Keep only the marked rows, in their order. O(rows). */
void marks_filter_rows(const struct marks *marks, const struct fleet *fleet, struct rows *rows);

#endif
