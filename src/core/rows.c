/* rows.c — the fleet view's rows in display order. */
#include <stdlib.h>

#include "rows.h"
#include "util.h"

void rows_build(struct rows *rows, const struct fleet *fleet)
{
	size_t count = fleet_count(fleet);
	rows->index = xgrow(rows->index, &rows->capacity, count, sizeof(*rows->index));
	size_t shown = 0;
	for (size_t i = 0; i < count; i++)
		if (!fleet_device_vacant(fleet_device(fleet, i)))
			rows->index[shown++] = i;
	rows->count = shown;
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
