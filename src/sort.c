/* sort.c — the fleet table's sort orders, as stable radix sorts over 8-byte keys.
 *
 * The rows are first put in the default order, then sorted stably by the column, so ties
 * keep the default order without a second key. Text is compared 8 bytes at a time: rows whose
 * first 8 bytes are equal form a run that is sorted again by the next 8 bytes, and so on (an
 * MSD string sort), which stays linear when every ICCID shares the same prefix. */
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

struct item {
	uint64_t key;
	uint64_t next;   /* text: the 8 bytes after key's, read with them while the rows are
			  * still in fleet order, so most ties are broken without another
			  * trip to the fleet's strings */
	uint32_t device;
	uint32_t more;   /* MORE_* */
};

/* The text may go on past key (ties are refined by the next 8 bytes), past next. */
#define MORE_KEY 1u
#define MORE_NEXT 2u

/* Empty values sort last; 0xff never occurs in UTF-8, so no text key reaches it. */
#define KEY_EMPTY UINT64_MAX
/* Below this, insertion sort beats the radix passes. */
#define SMALL_RUN 64

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

/* The rows.h default order. */
static uint64_t default_key(const struct device *device)
{
	if (device->endpoint_id > 0)
		return (uint64_t)device->endpoint_id;
	return (UINT64_C(1) << 63) | (uint64_t)device->sim_id;
}

static uint64_t status_key(int status)
{
	return status < 0 ? KEY_EMPTY : (uint64_t)status;
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

/* The key of one row at one level: level 0 is the column's first key; deeper levels exist
 * only for text, each the next 8 bytes. An IP that is not IPv4 sorts after every IPv4
 * address, by its text from level 1 on. */
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
		return status_key(device->sim_status);
	case SORT_ENDPOINT:
		return status_key(device->endpoint_status);
	case SORT_COUNT:
		return 0;
	default:
		break;
	}
	const char *text = fleet_text(fleet, device, column_text(column));
	if (column == SORT_IP) {
		if (level == 0) {
			uint32_t address;
			if (!*text)
				return KEY_EMPTY;
			if (parse_ipv4(text, &address))
				return address;
			*more = MORE_KEY;
			return UINT64_C(1) << 32;
		}
		level--;
	} else if (level == 0 && !*text) {
		return KEY_EMPTY;
	}
	return text_key(text, level * 8, more);
}

struct run {
	size_t start;
	size_t count;
	size_t level;
};

/* Key of level 0, and of level 1 into item->next when there is one. */
static void first_keys(struct item *item, const struct fleet *fleet, enum sort_column column, bool descending)
{
	const struct device *device = fleet_device(fleet, item->device);
	uint32_t more;
	uint64_t key = level_key(fleet, device, column, 0, &more);
	item->key = descending ? ~key : key;
	item->more = more;
	item->next = 0;
	if (more) {
		item->next = level_key(fleet, device, column, 1, &more);
		item->more |= more ? MORE_NEXT : 0;
	}
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
					if (run.level == 0) {
						key = base[j].next;
						more = base[j].more & MORE_NEXT ? MORE_KEY : 0;
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

void sort_rows(struct rows *rows, const struct fleet *fleet, enum sort_column column, bool descending)
{
	size_t count = rows->count;
	if (count < 2 || (unsigned)column >= SORT_COUNT)
		return;
	struct item *items = xmalloc(count * sizeof(*items));
	struct item *spare = xmalloc(count * sizeof(*items));

	bool in_order = true;
	for (size_t i = 0; i < count; i++) {
		items[i].key = default_key(fleet_device(fleet, rows->index[i]));
		items[i].device = (uint32_t)rows->index[i];
		if (i > 0 && items[i].key < items[i - 1].key)
			in_order = false;
	}
	/* Rows usually come from rows_build() in the default order already. */
	if (!in_order)
		radix_sort(items, spare, count);

	if (column != SORT_DEFAULT) {
		for (size_t i = 0; i < count; i++)
			first_keys(&items[i], fleet, column, descending);
		radix_sort(items, spare, count);
		refine(items, spare, count, fleet, column, descending);
	}

	for (size_t i = 0; i < count; i++) {
		size_t at = column == SORT_DEFAULT && descending ? count - 1 - i : i;
		rows->index[at] = items[i].device;
	}
	free(items);
	free(spare);
}
