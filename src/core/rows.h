/* rows.h — the list of rows the fleet view shows: device indexes in display order.
 *
 * The default order puts devices with an endpoint first, by endpoint id, then SIM-only devices
 * by SIM id: deterministic whatever order the API pages arrived in. */
#ifndef SIMTOP_ROWS_H
#define SIMTOP_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "fleet.h"

struct rows {
	size_t *index;    /* device indexes in display order; owned */
	size_t count;
	size_t capacity;
};

/* Rebuild rows from every device of fleet but the vacant ones a join can leave behind, in
 * arrival order (cheap while loading); sort_build_rows() (sort.h) gives the default order. */
void rows_build(struct rows *rows, const struct fleet *fleet);

/* Append to rows, in arrival order, the devices from index from on, but the vacant ones: rows
 * built unsorted from a fleet that has since only grown, with no row gone vacant
 * (fleet_vacant_count() unchanged), is then what rows_build() would give. */
void rows_extend(struct rows *rows, const struct fleet *fleet, size_t from);

/* Position of device index in rows, or rows->count when absent. */
size_t rows_find(const struct rows *rows, size_t device);

void rows_free(struct rows *rows);

#endif
