/* sort.c — the fleet table's sort orders, as stable radix sorts over 8-byte keys.
 *
 * The rows are first put in the default order, then sorted stably by the column, so ties
 * keep the default order without a second key. Text is compared 8 bytes at a time: rows whose
 * first 8 bytes are equal form a run that is sorted again by the next 8 bytes, and so on (an
 * MSD string sort), which stays linear when every ICCID shares the same prefix. Rows with
 * an empty value take no part: they are set aside, in the default order, and go last. */
#include "sort.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const column_names[SORT_COUNT] = {
#define SORT_COLUMN_NAME(id, name) [SORT_##id] = name,
	SORT_COLUMN_LIST(SORT_COLUMN_NAME)
#undef SORT_COLUMN_NAME
};

const char *sort_column_name(enum sort_column column)
{
	if ((unsigned)column >= SORT_COUNT)
		return "";
	return column_names[column];
}

bool sort_column_parse(const char *name, enum sort_column *column)
{
	for (int i = 0; i < SORT_COUNT; i++) {
		if (util_equal_nocase(name, column_names[i])) {
			*column = (enum sort_column)i;
			return true;
		}
	}
	if (util_equal_nocase(name, "ep")) {
		*column = SORT_ENDPOINT;
		return true;
	}
	return false;
}

/* Text words read ahead with the first key, while the rows are still in the default order,
 * close to the order their strings lie in memory. ICCID, IMSI, MSISDN and most names fit in
 * these 24 bytes, so their ties are broken without going back to the fleet's strings: in
 * sorted order that is a cache miss or two per row (twice the time for ICCIDs when the SIMs'
 * order is unrelated to the endpoints'). */
#define NEXT_WORDS 2

struct item {
	uint64_t key;
	uint64_t next[NEXT_WORDS];  /* text: the words of levels 1, 2; 0 past the end */
	uint32_t device;
	uint32_t more;              /* MORE_KEY: the text goes on past key */
};

#define MORE_KEY 1u

/* Below this, insertion sort beats the radix passes. */
#define SMALL_RUN 64

/* Scratch kept from one sort to the next: 68 bytes a row, and allocating it at every sort
 * cost a page fault on every page (about 15 % of the time). Never freed; single-threaded use
 * only (see sort.h). */
static struct {
	struct item *items, *spare;    /* items and the radix sort's second buffer */
	uint32_t *empty;               /* devices with no value in the column, in default order */
	size_t items_capacity, spare_capacity, empty_capacity;
} scratch;

static void scratch_reserve(size_t count)
{
	scratch.items = xgrow(scratch.items, &scratch.items_capacity, count, sizeof(*scratch.items));
	scratch.spare = xgrow(scratch.spare, &scratch.spare_capacity, count, sizeof(*scratch.spare));
	scratch.empty = xgrow(scratch.empty, &scratch.empty_capacity, count, sizeof(*scratch.empty));
}

static void insertion_sort(struct item *items, size_t count)
{
	for (size_t i = 1; i < count; i++) {
		struct item item = items[i];
		size_t at = i;
		while (at > 0 && items[at - 1].key > item.key) {
			items[at] = items[at - 1];
			at--;
		}
		items[at] = item;
	}
}

/* Stable LSD radix sort by key, one byte per pass, only over the bytes where keys differ: a
 * status column costs one pass. spare holds count items. */
static void radix_sort(struct item *items, struct item *spare, size_t count)
{
	if (count < SMALL_RUN) {
		insertion_sort(items, count);
		return;
	}
	uint64_t differ = 0, first = items[0].key;
	for (size_t i = 1; i < count; i++)
		differ |= items[i].key ^ first;
	struct item *from = items, *to = spare;
	for (int pass = 0; pass < 8; pass++) {
		int shift = pass * 8;
		if (!((differ >> shift) & 0xff))
			continue;
		size_t counts[256] = { 0 };
		for (size_t i = 0; i < count; i++)
			counts[(from[i].key >> shift) & 0xff]++;
		size_t offset = 0;
		for (int byte = 0; byte < 256; byte++) {
			size_t here = counts[byte];
			counts[byte] = offset;
			offset += here;
		}
		for (size_t i = 0; i < count; i++)
			to[counts[(from[i].key >> shift) & 0xff]++] = from[i];
		struct item *swap = from;
		from = to;
		to = swap;
	}
	if (from != items)
		memcpy(items, from, count * sizeof(*items));
}

/* Radix sort by the top byte of key first, then each bucket by the rest: within a bucket text
 * keys share their first letter and often more ("pump-"), bytes the passes then skip. Returns
 * where the result is: items, or spare when the top byte split them. */
static struct item *split_sort(struct item *items, struct item *spare, size_t count)
{
	size_t counts[256] = { 0 };
	for (size_t i = 0; i < count; i++)
		counts[items[i].key >> 56]++;
	/* One bucket (statuses, IPv4, ICCIDs): the split would be a pass for nothing. */
	if (count < SMALL_RUN || counts[items[0].key >> 56] == count) {
		radix_sort(items, spare, count);
		return items;
	}
	size_t starts[256], offset = 0;
	for (int byte = 0; byte < 256; byte++) {
		starts[byte] = offset;
		offset += counts[byte];
	}
	size_t at[256];
	memcpy(at, starts, sizeof(at));
	for (size_t i = 0; i < count; i++)
		spare[at[items[i].key >> 56]++] = items[i];
	for (int byte = 0; byte < 256; byte++)
		if (counts[byte] > 1)
			radix_sort(spare + starts[byte], items + starts[byte], counts[byte]);
	return spare;
}

/* The rows.h default order. */
static uint64_t default_key(const struct device *device)
{
	if (device->endpoint_id > 0)
		return (uint64_t)device->endpoint_id;
	return (UINT64_C(1) << 63) | (uint64_t)device->sim_id;
}

/* 8 bytes of text from offset, big-endian so integer order is byte order, ASCII folded. The
 * caller knows the text is at least offset bytes long. */
static uint64_t text_key(const char *text, size_t offset, uint32_t *more)
{
	const unsigned char *at = (const unsigned char *)text + offset;
	uint64_t key = 0;
	int i = 0;
	for (; i < 8 && at[i]; i++) {
		unsigned char c = at[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		key |= (uint64_t)c << (56 - 8 * i);
	}
	/* A full key may go on: a text that ends here gets an empty next key, which sorts first.
	 * (Whether it goes on differs within a run of equal keys, so it cannot decide.) */
	*more = i == 8 ? MORE_KEY : 0;
	return key;
}

/* A dotted quad with each part 0..255, no junk; false for anything else. */
static bool parse_ipv4(const char *text, uint32_t *address)
{
	uint32_t value = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0 && *text++ != '.')
			return false;
		unsigned number = 0;
		int digits = 0;
		while (*text >= '0' && *text <= '9' && digits < 4) {
			number = number * 10 + (unsigned)(*text++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || number > 255)
			return false;
		value = value << 8 | number;
	}
	if (*text)
		return false;
	*address = value;
	return true;
}

static enum device_text column_text(enum sort_column column)
{
	switch (column) {
	case SORT_NAME:
		return TEXT_NAME;
	case SORT_ICCID:
		return TEXT_ICCID;
	case SORT_IMSI:
		return TEXT_IMSI;
	case SORT_MSISDN:
		return TEXT_MSISDN;
	case SORT_IP:
		return TEXT_IP;
	case SORT_TAGS:
		return TEXT_TAGS;
	default:
		return TEXT_COUNT;
	}
}

/* True when the device has no value in the column (no SIM, no name, ...). Such rows are set
 * aside before the radix passes and go last in both directions: a key of their own would
 * differ from the others in every byte and cost all 8 passes. */
static bool value_empty(const struct fleet *fleet, const struct device *device, enum sort_column column)
{
	switch (column) {
	case SORT_SIM:
		return device->sim_status < 0;
	case SORT_ENDPOINT:
		return device->endpoint_status < 0;
	case SORT_DEFAULT:
	case SORT_ALIGN:
	case SORT_COUNT:
		return false;
	default:
		return !*fleet_text(fleet, device, column_text(column));
	}
}

/* The key of one row at one level, for a value that is not empty: level 0 is the column's
 * first key; deeper levels exist only for text, each the next 8 bytes. An IP that is not IPv4
 * sorts after every IPv4 address, by its text from level 1 on. */
static uint64_t level_key(const struct fleet *fleet, const struct device *device,
			  enum sort_column column, size_t level, uint32_t *more)
{
	*more = 0;
	switch (column) {
	case SORT_DEFAULT:
		return default_key(device);
	case SORT_ALIGN:
		return (uint64_t)fleet_alignment(device) << 16 |
		       (uint64_t)(uint8_t)(device->sim_status + 1) << 8 | (uint8_t)(device->endpoint_status + 1);
	case SORT_SIM:
		return (uint64_t)device->sim_status;
	case SORT_ENDPOINT:
		return (uint64_t)device->endpoint_status;
	case SORT_COUNT:
		return 0;
	default:
		break;
	}
	const char *text = fleet_text(fleet, device, column_text(column));
	if (column == SORT_IP) {
		if (level == 0) {
			uint32_t address;
			if (parse_ipv4(text, &address))
				return address;
			*more = MORE_KEY;
			return UINT64_C(1) << 32;
		}
		level--;
	}
	return text_key(text, level * 8, more);
}

struct run {
	size_t start;
	size_t count;
	size_t level;
};

/* Key of level 0, and the next levels' into item->next as far as the text goes. */
static void first_keys(struct item *item, const struct fleet *fleet, const struct device *device,
		       enum sort_column column, bool descending)
{
	uint32_t more;
	uint64_t key = level_key(fleet, device, column, 0, &more);
	item->key = descending ? ~key : key;
	item->more = more;
	for (int word = 0; word < NEXT_WORDS; word++)
		item->next[word] = more ? level_key(fleet, device, column, (size_t)word + 1, &more) : 0;
}

/* Sort the runs of equal keys whose text goes on by their next 8 bytes, until none is left.
 * An explicit stack: a long common prefix makes many levels. */
static void refine(struct item *items, struct item *spare, size_t count, const struct fleet *fleet,
		   enum sort_column column, bool descending)
{
	struct run *stack = NULL;
	size_t depth = 0, capacity = 0;
	stack = xgrow(stack, &capacity, 1, sizeof(*stack));
	stack[depth++] = (struct run){ 0, count, 0 };
	while (depth > 0) {
		struct run run = stack[--depth];
		struct item *base = items + run.start;
		for (size_t i = 0; i < run.count;) {
			size_t end = i + 1;
			while (end < run.count && base[end].key == base[i].key)
				end++;
			/* Equal keys mean equal bytes so far: all of the run goes on, or none. */
			if (end - i > 1 && (base[i].more & MORE_KEY)) {
				for (size_t j = i; j < end; j++) {
					uint64_t key;
					uint32_t more;
					if (run.level < NEXT_WORDS) {
						/* A text word goes on when it is full: its last byte is
						 * not the end (text has no NUL inside). */
						key = base[j].next[run.level];
						more = key & 0xff ? MORE_KEY : 0;
					} else {
						key = level_key(fleet, fleet_device(fleet, base[j].device), column,
								run.level + 1, &more);
					}
					base[j].key = descending ? ~key : key;
					base[j].more = more;
				}
				radix_sort(base + i, spare, end - i);
				stack = xgrow(stack, &capacity, depth + 1, sizeof(*stack));
				stack[depth++] = (struct run){ run.start + i, end - i, run.level + 1 };
			}
			i = end;
		}
	}
	free(stack);
}

/* A stretch of items in ascending order, and how far a merge has taken from it. */
struct ordered_run {
	size_t next, end;
};

/* Rows that arrived a page at a time, pages out of order (several download at once): a few
 * ascending runs, each of whole pages that no other page falls between. They are merged a
 * stretch at a time (the run with the lowest next key gives every key below the other runs'
 * next ones) into rows, without a sort. False, with rows to be put in order otherwise, when
 * the items are not so: many runs, stretches too short to be pages, or a key twice. */
static bool merge_page_runs(struct rows *rows, const struct item *items, size_t count)
{
	size_t run_count = 1;
	for (size_t i = 1; i < count; i++)
		run_count += items[i].key < items[i - 1].key;
	if (run_count > count / 64 + 1)
		return false;
	struct ordered_run *runs = xmalloc(run_count * sizeof(*runs));
	size_t run = 0;
	runs[0].next = 0;
	for (size_t i = 1; i < count; i++)
		if (items[i].key < items[i - 1].key) {
			runs[run].end = i;
			runs[++run].next = i;
		}
	runs[run].end = count;

	/* Each stretch looks at every run: bounded, so that this costs a few passes at most. */
	size_t stretches_left = 4 * count / run_count + 1, at = 0;
	bool merged = true;
	while (at < count && merged) {
		size_t lowest = run_count;
		uint64_t bound = UINT64_MAX;  /* the lowest next key of the other runs */
		for (run = 0; run < run_count; run++) {
			if (runs[run].next == runs[run].end)
				continue;
			uint64_t key = items[runs[run].next].key;
			if (lowest == run_count || key < items[runs[lowest].next].key) {
				if (lowest != run_count)
					bound = items[runs[lowest].next].key;
				lowest = run;
			} else if (key < bound) {
				bound = key;
			}
		}
		struct ordered_run *from = &runs[lowest];
		while (from->next < from->end && items[from->next].key < bound)
			rows->index[at++] = items[from->next++].device;
		merged = stretches_left-- > 0 && (from->next == from->end || items[from->next].key != bound);
	}
	free(runs);
	return merged;
}

/* Put rows in the default order, ascending; a pass that only reads when they are in it. */
static void default_order(struct rows *rows, const struct fleet *fleet)
{
	size_t count = rows->count;
	struct item *items = scratch.items;
	bool in_order = true;
	for (size_t i = 0; i < count; i++) {
		items[i].key = default_key(fleet_device(fleet, rows->index[i]));
		items[i].device = (uint32_t)rows->index[i];
		if (i > 0 && items[i].key < items[i - 1].key)
			in_order = false;
	}
	if (in_order || merge_page_runs(rows, items, count))
		return;
	radix_sort(items, scratch.spare, count);
	for (size_t i = 0; i < count; i++)
		rows->index[i] = items[i].device;
}

/* Read the column's first keys of rows into scratch.items, the devices with an empty value
 * into scratch.empty, both in the rows' order. Checks on the way that the rows are in the
 * default order (cheap: the device is read anyway), and stops at the first one out of it:
 * false then. */
static bool column_keys(const struct rows *rows, const struct fleet *fleet, enum sort_column column,
			bool descending, size_t *keyed, size_t *empty)
{
	size_t n_keyed = 0, n_empty = 0;
	uint64_t previous = 0;
	for (size_t i = 0; i < rows->count; i++) {
		const struct device *device = fleet_device(fleet, rows->index[i]);
		uint64_t order = default_key(device);
		if (i > 0 && order < previous)
			return false;
		previous = order;
		if (value_empty(fleet, device, column)) {
			scratch.empty[n_empty++] = (uint32_t)rows->index[i];
		} else {
			struct item *item = &scratch.items[n_keyed++];
			item->device = (uint32_t)rows->index[i];
			first_keys(item, fleet, device, column, descending);
		}
	}
	*keyed = n_keyed;
	*empty = n_empty;
	return true;
}

void sort_rows(struct rows *rows, const struct fleet *fleet, enum sort_column column, bool descending)
{
	size_t count = rows->count;
	if (count < 2 || (unsigned)column >= SORT_COUNT)
		return;
	scratch_reserve(count);

	if (column == SORT_DEFAULT) {
		default_order(rows, fleet);
		for (size_t i = 0, j = count - 1; descending && i < j; i++, j--) {
			size_t swap = rows->index[i];
			rows->index[i] = rows->index[j];
			rows->index[j] = swap;
		}
		return;
	}

	/* The stable sort below keeps ties in the order it is given, which must be the default
	 * one. Rows from sort_build_rows() are in it and cost nothing more; rows in another
	 * order (arrival order while loading) are put in it, and their keys read again. */
	size_t keyed, empty;
	if (!column_keys(rows, fleet, column, descending, &keyed, &empty)) {
		default_order(rows, fleet);
		column_keys(rows, fleet, column, descending, &keyed, &empty);
	}
	struct item *sorted = split_sort(scratch.items, scratch.spare, keyed);
	struct item *other = sorted == scratch.items ? scratch.spare : scratch.items;
	refine(sorted, other, keyed, fleet, column, descending);

	for (size_t i = 0; i < keyed; i++)
		rows->index[i] = sorted[i].device;
	for (size_t i = 0; i < empty; i++)
		rows->index[keyed + i] = scratch.empty[i];
}

void sort_build_rows(struct rows *rows, const struct fleet *fleet)
{
	rows_build(rows, fleet);
	sort_rows(rows, fleet, SORT_DEFAULT, false);
}
