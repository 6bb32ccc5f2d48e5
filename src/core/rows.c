/* rows.c — the fleet view's rows in display order. */
#include <stdint.h>
#include <stdlib.h>

#include "rows.h"
#include "util.h"

/* Sort key: endpoint devices first by endpoint id, then SIM-only devices by SIM id. Packing the
 * key once makes the sort a plain integer sort, fast at a million rows. */
struct keyed_row {
	uint64_t key;
	size_t device;
};

static int compare_keyed_rows(const void *a, const void *b)
{
	const struct keyed_row *left = a, *right = b;
	if (left->key != right->key)
		return left->key < right->key ? -1 : 1;
	return left->device < right->device ? -1 : left->device > right->device;
}

static uint64_t default_key(const struct device *device)
{
	if (device->endpoint_id > 0)
		return (uint64_t)device->endpoint_id;
	return (UINT64_C(1) << 63) | (uint64_t)device->sim_id;
}

void rows_build(struct rows *rows, const struct fleet *fleet, bool sorted)
{
	size_t count = fleet_count(fleet);
	rows->index = xgrow(rows->index, &rows->capacity, count, sizeof(*rows->index));
	rows->count = count;
	size_t shown = 0;
	if (!sorted) {
		for (size_t i = 0; i < count; i++)
			if (!fleet_device_vacant(fleet_device(fleet, i)))
				rows->index[shown++] = i;
		rows->count = shown;
		return;
	}
	struct keyed_row *keyed = xmalloc(sizeof(*keyed) * (count ? count : 1));
	for (size_t i = 0; i < count; i++) {
		const struct device *device = fleet_device(fleet, i);
		if (fleet_device_vacant(device))
			continue;
		keyed[shown].key = default_key(device);
		keyed[shown].device = i;
		shown++;
	}
	qsort(keyed, shown, sizeof(*keyed), compare_keyed_rows);
	for (size_t i = 0; i < shown; i++)
		rows->index[i] = keyed[i].device;
	rows->count = shown;
	free(keyed);
}

void rows_extend(struct rows *rows, const struct fleet *fleet, size_t from)
{
	size_t count = fleet_count(fleet);
	if (from >= count)
		return;
	rows->index = xgrow(rows->index, &rows->capacity, rows->count + (count - from), sizeof(*rows->index));
	for (size_t i = from; i < count; i++)
		if (!fleet_device_vacant(fleet_device(fleet, i)))
			rows->index[rows->count++] = i;
}

size_t rows_find(const struct rows *rows, size_t device)
{
	for (size_t i = 0; i < rows->count; i++)
		if (rows->index[i] == device)
			return i;
	return rows->count;
}

void rows_free(struct rows *rows)
{
	free(rows->index);
	rows->index = NULL;
	rows->count = rows->capacity = 0;
}
