/* columns.c — the fleet table's columns, chosen and fitted (columns.h). */
#include "columns.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static const struct column_info infos[COLUMN_COUNT] = {
#define COLUMN_INFO(id, name, title, compact_title, min, max, compact, keep, sort) \
	[COLUMN_##id] = { name, title, compact_title, min, max, compact, keep, sort },
	COLUMN_LIST(COLUMN_INFO)
#undef COLUMN_INFO
};

const struct column_info *columns_info(enum column column)
{
	return &infos[column];
}

#define COLUMN_NAMES COLUMNS_DEFAULT ",imei,sim_id,endpoint_id"

bool columns_parse(const char *text, struct column_choice *choice, char *message, size_t size)
{
	struct column_choice parsed = { .count = 0 };
	bool seen[COLUMN_COUNT] = { false };
	char copy[512];
	if (snprintf(copy, sizeof(copy), "%s", text) >= (int)sizeof(copy)) {
		snprintf(message, size, "too long for a list of columns; the columns: " COLUMN_NAMES);
		return false;
	}
	for (char *piece = copy;;) {
		char *comma = strchr(piece, ',');
		if (comma)
			*comma = '\0';
		const char *name = util_trim(piece, UTIL_BLANKS);
		enum column found = COLUMN_COUNT;
		for (int column = 0; column < COLUMN_COUNT; column++)
			if (strcasecmp(name, infos[column].name) == 0)
				found = (enum column)column;
		if (strcasecmp(name, "ep") == 0)
			found = COLUMN_ENDPOINT;
		if (found == COLUMN_COUNT) {
			snprintf(message, size, name[0] ? "no column \"%.40s\"; the columns: " COLUMN_NAMES
							: "%san empty column name; the columns: " COLUMN_NAMES, name);
			return false;
		}
		if (seen[found]) {
			snprintf(message, size, "the column %s is named twice", infos[found].name);
			return false;
		}
		seen[found] = true;
		parsed.order[parsed.count++] = found;
		if (!comma)
			break;
		piece = comma + 1;
	}
	*choice = parsed;
	return true;
}

void columns_format(const struct column_choice *choice, char *buffer, size_t size)
{
	size_t used = 0;
	buffer[0] = '\0';
	for (size_t i = 0; i < choice->count && used < size; i++)
		used += (size_t)snprintf(buffer + used, size - used, "%s%s", i ? "," : "", infos[choice->order[i]].name);
}

static bool available(enum column column, bool live)
{
	return live || (column != COLUMN_CONN && column != COLUMN_DATA);
}

size_t columns_available(const struct column_choice *choice, bool live)
{
	size_t count = 0;
	for (size_t i = 0; i < choice->count; i++)
		count += available(choice->order[i], live);
	return count;
}

/* Display columns the layout takes: the mark column and a blank, then each column and a
 * blank between. */
static int layout_width(const struct column_layout *layout)
{
	int used = 2;
	for (size_t i = 0; i < layout->count; i++)
		used += layout->width[i] + (i + 1 < layout->count ? 1 : 0);
	return used;
}

/* Columns kept less than this are details: they go before any status is compacted. */
#define COLUMNS_DETAIL_KEEP 4

static void drop(struct column_layout *layout, size_t at)
{
	memmove(&layout->shown[at], &layout->shown[at + 1], (layout->count - at - 1) * sizeof(layout->shown[0]));
	memmove(&layout->width[at], &layout->width[at + 1], (layout->count - at - 1) * sizeof(layout->width[0]));
	memmove(&layout->compact[at], &layout->compact[at + 1], (layout->count - at - 1) * sizeof(layout->compact[0]));
	layout->count--;
}

/* The column that matters least (the rightmost of equals), other than keep_in; count when none. */
static size_t least_kept(const struct column_layout *layout, enum column keep_in)
{
	size_t least = layout->count;
	for (size_t i = 0; i < layout->count; i++)
		if (layout->shown[i] != keep_in &&
		    (least == layout->count || infos[layout->shown[i]].keep <= infos[layout->shown[least]].keep))
			least = i;
	return least;
}

void columns_fit(const struct column_choice *choice, bool live, size_t first, enum sort_column sorted, int width,
		 struct column_layout *layout)
{
	memset(layout, 0, sizeof(*layout));
	enum column keep_in = COLUMN_COUNT;
	size_t position = 0;
	for (size_t i = 0; i < choice->count; i++) {
		enum column column = choice->order[i];
		if (!available(column, live))
			continue;
		bool is_sorted = sorted != SORT_DEFAULT && infos[column].sort == sorted;
		if (is_sorted)
			keep_in = column;
		if (position++ < first && !is_sorted) {
			layout->more_left = true;
			continue;
		}
		layout->shown[layout->count] = column;
		layout->width[layout->count] = infos[column].min;
		layout->count++;
	}
	size_t wanted = layout->count;
	if (first == 0 && layout_width(layout) > width) {
		/* The details go first, then the statuses take their compact forms, then the columns
		 * that matter least go. */
		for (size_t least = least_kept(layout, keep_in);
		     layout_width(layout) > width && least < layout->count && infos[layout->shown[least]].keep < COLUMNS_DETAIL_KEEP;
		     least = least_kept(layout, keep_in))
			drop(layout, least);
		for (size_t i = 0; i < layout->count && layout_width(layout) > width; i++) {
			if (infos[layout->shown[i]].compact > 0) {
				layout->width[i] = infos[layout->shown[i]].compact;
				layout->compact[i] = true;
			}
		}
		while (layout->count > 1 && layout_width(layout) > width)
			drop(layout, least_kept(layout, keep_in));
	} else {
		/* Scrolled: from the first column on, as many as fit; the sorted one stays. */
		while (layout->count > 1 && layout_width(layout) > width) {
			size_t last = layout->count - 1;
			if (layout->shown[last] == keep_in && last > 0)
				last--;
			drop(layout, last);
		}
	}
	/* What is left of the width widens NAME, TAGS and ICCID up to their maximum. */
	static const enum column grow[] = { COLUMN_NAME, COLUMN_TAGS, COLUMN_ICCID };
	for (size_t g = 0; g < ARRAY_SIZE(grow); g++) {
		for (size_t i = 0; i < layout->count; i++) {
			if (layout->shown[i] != grow[g])
				continue;
			int extra = infos[grow[g]].max - layout->width[i];
			int slack = width - layout_width(layout);
			layout->width[i] += extra < slack ? extra : slack > 0 ? slack : 0;
		}
	}
	layout->more_right = layout->count < wanted ||
			     (layout->count > 0 && columns_available(choice, live) > first + layout->count);
}
