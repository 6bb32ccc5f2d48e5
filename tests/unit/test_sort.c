/* test_sort.c — every column in both directions, ties in the default order, IPv4 by number,
 * empty values last in both directions; and a random fleet against a plain comparison sort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fleet.h"
#include "rows.h"
#include "sort.h"
#include "util.h"

static const struct sample {
	char label;
	int64_t endpoint_id, sim_id;
	int endpoint_status, sim_status;
	const char *name, *iccid, *imsi, *msisdn, *ip, *tags;
} samples[] = {
	{ 'a', 30, 300, ENDPOINT_ENABLED, SIM_ACTIVATED, "pump-10", "8988303000000000003", "295050000000003",
	  "4230003", "10.0.0.10", "b" },
	{ 'b', 10, 100, ENDPOINT_DISABLED, SIM_ACTIVATED, "Pump-9", "8988303000000000001", "295050000000001",
	  NULL, "10.0.0.9", "A" },
	{ 'c', 20, 200, ENDPOINT_DISABLED, SIM_SUSPENDED, "pump-10", "8988303000000000002", "295050000000002",
	  "4230002", "9.255.255.255", "" },
	{ 'd', 40, 0, ENDPOINT_ENABLED, SIM_NONE, "alpha", NULL, NULL, NULL, NULL, "a" },
	{ 'e', 0, 50, ENDPOINT_NONE, SIM_ISSUED, NULL, "8988303000000000005", "295050000000005", "4230001",
	  NULL, NULL },
	{ 'f', 0, 40, ENDPOINT_NONE, SIM_FACTORY_TEST, NULL, "89883030000000000041234", NULL, NULL, NULL, NULL },
	{ 'g', 50, 500, ENDPOINT_ENABLED, SIM_FACTORY_TEST, "PUMP-10", "898830300000000000", "295050000000007",
	  "4230003", "fe80::1", "b" },
	{ 'h', 60, 600, ENDPOINT_DELETED, SIM_DELETED, NULL, "8988303000000000004", "295050000000004",
	  "42300021", "10.0.0.10", "B" },
};

static void add_sample(struct fleet *fleet, const struct sample *s)
{
	if (s->endpoint_id) {
		struct endpoint_record endpoint = {
			.id = s->endpoint_id, .endpoint_status = s->endpoint_status, .name = s->name,
			.ip_address = s->ip, .tags = s->tags, .sim_id = s->sim_id, .sim_status = s->sim_status,
			.iccid = s->iccid, .imsi = s->imsi, .msisdn = s->msisdn,
		};
		fleet_add_endpoint(fleet, &endpoint);
	} else {
		struct sim_record sim = {
			.id = s->sim_id, .sim_status = s->sim_status, .iccid = s->iccid, .imsi = s->imsi,
			.msisdn = s->msisdn,
		};
		fleet_add_sim(fleet, &sim);
	}
}

static const struct {
	enum sort_column column;
	const char *ascending;
	const char *descending;
} orders[] = {
	/* Descending reverses the values; empty ones stay last, in the default order. */
	{ SORT_DEFAULT, "bcadghfe", "efhgdacb" },
	/* online, offline, test, misaligned (by SIM status), unpaired (d has no SIM) */
	{ SORT_ALIGN, "acgbhdef", "fedhbgca" },
	{ SORT_SIM, "ebachgfd", "gfhcbaed" },
	{ SORT_ENDPOINT, "adgbchfe", "hbcadgfe" },
	/* pump-10 (c, a, g tie without case) before pump-9: text, not numbers */
	{ SORT_NAME, "dcagbhfe", "bcagdhfe" },
	/* a prefix sorts first (g, and h before f); f needs three 8-byte keys */
	{ SORT_ICCID, "gbcahfed", "efhacbgd" },
	{ SORT_IMSI, "bcahegdf", "gehacbdf" },
	{ SORT_MSISDN, "echagbdf", "aghcebdf" },
	/* 9.255.255.255 < 10.0.0.9 < 10.0.0.10 (a, h tie) < any other address < empty */
	{ SORT_IP, "cbahgdfe", "gahbcdfe" },
	{ SORT_TAGS, "bdaghcfe", "aghbdcfe" },
};

static void labels_of(const struct rows *rows, char *out)
{
	for (size_t i = 0; i < rows->count; i++)
		out[i] = samples[rows->index[i]].label;
	out[rows->count] = '\0';
}

static void test_columns(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	for (size_t i = 0; i < ARRAY_SIZE(samples); i++)
		add_sample(fleet, &samples[i]);
	assert_int_equal(fleet_count(fleet), ARRAY_SIZE(samples));
	assert_int_equal(ARRAY_SIZE(orders), SORT_COUNT);

	int failures = 0;
	char labels[ARRAY_SIZE(samples) + 1];
	struct rows rows = { 0 };
	for (size_t i = 0; i < ARRAY_SIZE(orders); i++) {
		for (int descending = 0; descending <= 1; descending++) {
			/* From the default order, and from arrival order. */
			for (int sorted = 0; sorted <= 1; sorted++) {
				if (sorted)
					sort_build_rows(&rows, fleet);
				else
					rows_build(&rows, fleet);
				sort_rows(&rows, fleet, orders[i].column, descending);
				labels_of(&rows, labels);
				const char *want = descending ? orders[i].descending : orders[i].ascending;
				if (strcmp(labels, want) != 0) {
					print_error("%s %s: \"%s\", expected \"%s\"\n", sort_column_name(orders[i].column),
						    descending ? "descending" : "ascending", labels, want);
					failures++;
				}
			}
		}
	}
	/* Sorting what another column sorted gives the same as sorting from scratch. */
	sort_build_rows(&rows, fleet);
	sort_rows(&rows, fleet, SORT_NAME, true);
	sort_rows(&rows, fleet, SORT_IP, false);
	labels_of(&rows, labels);
	assert_string_equal(labels, "cbahgdfe");

	rows_free(&rows);
	fleet_free(fleet);
	assert_int_equal(failures, 0);
}

static void test_names(void **state)
{
	(void)state;
	for (int i = 0; i < SORT_COUNT; i++) {
		enum sort_column column;
		assert_true(sort_column_parse(sort_column_name((enum sort_column)i), &column));
		assert_int_equal(column, i);
	}
	enum sort_column column = SORT_DEFAULT;
	assert_true(sort_column_parse("ICCID", &column));
	assert_int_equal(column, SORT_ICCID);
	assert_true(sort_column_parse("ep", &column));
	assert_int_equal(column, SORT_ENDPOINT);
	assert_false(sort_column_parse("imei", &column));
	assert_false(sort_column_parse("", &column));
	assert_string_equal(sort_column_name(SORT_COUNT), "");
	assert_string_equal(sort_column_name(SORT_IP), "ip");
}

static void test_small(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	struct rows rows = { 0 };
	sort_build_rows(&rows, fleet);
	sort_rows(&rows, fleet, SORT_NAME, false);
	assert_int_equal(rows.count, 0);
	add_sample(fleet, &samples[0]);
	sort_build_rows(&rows, fleet);
	sort_rows(&rows, fleet, SORT_NAME, true);
	assert_int_equal(rows.count, 1);
	assert_int_equal(rows.index[0], 0);
	rows_free(&rows);
	fleet_free(fleet);
}

/* --- a random fleet against a comparison sort ----------------------------------------------- */

static const struct fleet *reference_fleet;
static enum sort_column reference_column;
static bool reference_descending;

static uint64_t reference_default(const struct device *device)
{
	if (device->endpoint_id)
		return (uint64_t)device->endpoint_id;
	return (UINT64_C(1) << 63) | (uint64_t)device->sim_id;
}

static int compare_text(const char *a, const char *b)
{
	if (!*a || !*b)
		return (*a == '\0') - (*b == '\0');  /* empty last */
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			return 0;
	}
}

static bool reference_ipv4(const char *text, uint32_t *value)
{
	unsigned parts[4];
	char tail;
	if (sscanf(text, "%3u.%3u.%3u.%3u%c", &parts[0], &parts[1], &parts[2], &parts[3], &tail) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (parts[i] > 255)
			return false;
	/* sscanf takes "+1" and " 1"; the sort does not. */
	for (const char *c = text; *c; c++)
		if (!(*c == '.' || (*c >= '0' && *c <= '9')))
			return false;
	*value = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3];
	return true;
}

static int compare_status(int a, int b)
{
	if (a < 0 || b < 0)
		return (a < 0) - (b < 0);
	return (a > b) - (a < b);
}

static const enum device_text reference_texts[SORT_COUNT] = {
	[SORT_NAME] = TEXT_NAME, [SORT_ICCID] = TEXT_ICCID, [SORT_IMSI] = TEXT_IMSI,
	[SORT_MSISDN] = TEXT_MSISDN, [SORT_IP] = TEXT_IP, [SORT_TAGS] = TEXT_TAGS,
};

/* No value in the column (no SIM, no name, ...): last in both directions. */
static bool reference_empty(const struct device *device)
{
	switch (reference_column) {
	case SORT_DEFAULT:
	case SORT_ALIGN:
		return false;
	case SORT_SIM:
		return device->sim_status < 0;
	case SORT_ENDPOINT:
		return device->endpoint_status < 0;
	default:
		return !*fleet_text(reference_fleet, device, reference_texts[reference_column]);
	}
}

static int compare_primary(const struct device *x, const struct device *y)
{
	const struct fleet *fleet = reference_fleet;
	switch (reference_column) {
	case SORT_DEFAULT:
		return 0;
	case SORT_ALIGN: {
		int a = (int)fleet_alignment(x) * 100 + (x->sim_status + 1) * 10 + x->endpoint_status + 1;
		int b = (int)fleet_alignment(y) * 100 + (y->sim_status + 1) * 10 + y->endpoint_status + 1;
		return (a > b) - (a < b);
	}
	case SORT_SIM:
		return compare_status(x->sim_status, y->sim_status);
	case SORT_ENDPOINT:
		return compare_status(x->endpoint_status, y->endpoint_status);
	case SORT_IP: {
		const char *a = fleet_text(fleet, x, TEXT_IP), *b = fleet_text(fleet, y, TEXT_IP);
		uint32_t va, vb;
		bool ia = reference_ipv4(a, &va), ib = reference_ipv4(b, &vb);
		if (ia && ib)
			return (va > vb) - (va < vb);
		if (ia != ib && *a && *b)
			return ia ? -1 : 1;
		return compare_text(a, b);
	}
	default:
		break;
	}
	enum device_text field = reference_texts[reference_column];
	return compare_text(fleet_text(fleet, x, field), fleet_text(fleet, y, field));
}

static int compare_rows(const void *a, const void *b)
{
	const struct device *x = fleet_device(reference_fleet, *(const size_t *)a);
	const struct device *y = fleet_device(reference_fleet, *(const size_t *)b);
	bool empty_x = reference_empty(x), empty_y = reference_empty(y);
	if (empty_x != empty_y)
		return empty_x ? 1 : -1;  /* not reversed when descending */
	int primary = compare_primary(x, y);
	if (primary)
		return reference_descending ? -primary : primary;
	uint64_t kx = reference_default(x), ky = reference_default(y);
	if (reference_column == SORT_DEFAULT && reference_descending)
		return (kx < ky) - (kx > ky);
	return (kx > ky) - (kx < ky);
}

static unsigned next_random(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

/* Short strings over a tiny alphabet (many ties), and long ones with a long common prefix
 * (many 8-byte levels). */
static void random_text(unsigned *seed, char *out, size_t size)
{
	static const char alphabet[] = "aAbB-9\xc3\xa9";
	size_t length = next_random(seed) % 6;
	size_t used = 0;
	if (next_random(seed) % 3 == 0) {
		const char *prefix = "prefix-shared-by-many-values-";
		used = strlen(prefix);
		memcpy(out, prefix, used);
		length += next_random(seed) % 4;
	}
	for (size_t i = 0; i < length && used + 1 < size; i++)
		out[used++] = alphabet[next_random(seed) % (sizeof(alphabet) - 1)];
	out[used] = '\0';
}

static void random_ip(unsigned *seed, char *out, size_t size)
{
	switch (next_random(seed) % 6) {
	case 0:
		out[0] = '\0';
		break;
	case 1:
		snprintf(out, size, "fe80::%x", next_random(seed) % 4);
		break;
	case 2:
		snprintf(out, size, "10.0.0.%u", next_random(seed) % 300);  /* 256..299 are not IPv4 */
		break;
	default:
		snprintf(out, size, "%u.%u.%u.%u", next_random(seed) % 3, next_random(seed) % 3,
			 next_random(seed) % 3, next_random(seed) % 12);
		break;
	}
}

/* 3000 devices: a fifth SIM-only, a fifth with no SIM, random texts (some empty). */
static struct fleet *random_fleet(unsigned *seed_state)
{
	unsigned seed = *seed_state;
	struct fleet *fleet = fleet_new();
	for (int i = 0; i < 3000; i++) {
		char name[64], iccid[64], imsi[64], msisdn[64], ip[32], tags[64];
		random_text(&seed, name, sizeof(name));
		random_text(&seed, iccid, sizeof(iccid));
		random_text(&seed, imsi, sizeof(imsi));
		random_text(&seed, msisdn, sizeof(msisdn));
		random_text(&seed, tags, sizeof(tags));
		random_ip(&seed, ip, sizeof(ip));
		int kind = (int)(next_random(&seed) % 5);
		int64_t id = 1 + (int64_t)(next_random(&seed) * 32768u + next_random(&seed));
		if (kind == 0) {
			struct sim_record sim = {
				.id = id, .sim_status = (int)(next_random(&seed) % SIM_STATUS_COUNT),
				.iccid = iccid, .imsi = imsi, .msisdn = msisdn,
			};
			fleet_add_sim(fleet, &sim);
		} else {
			struct endpoint_record endpoint = {
				.id = id, .endpoint_status = (int)(next_random(&seed) % ENDPOINT_STATUS_COUNT),
				.name = name, .ip_address = ip, .tags = tags,
				.sim_id = kind == 1 ? 0 : id + 1000000000,
				.sim_status = kind == 1 ? SIM_NONE : (int)(next_random(&seed) % SIM_STATUS_COUNT),
				.iccid = iccid, .imsi = imsi, .msisdn = msisdn,
			};
			fleet_add_endpoint(fleet, &endpoint);
		}
	}
	*seed_state = seed;
	return fleet;
}

/* The orders sort_rows may be given. */
enum input_order {
	INPUT_DEFAULT,   /* sort_build_rows(): the TUI's case */
	INPUT_SHUFFLED,  /* any order at all */
	INPUT_LATE_SWAP, /* the default order but for the last two rows */
	INPUT_COUNT
};

static const char *const input_names[INPUT_COUNT] = { "default order", "shuffled", "late swap" };

/* Rows of every device of fleet in the given order. */
static void input_rows(struct rows *rows, const struct fleet *fleet, enum input_order input, unsigned *seed)
{
	if (input == INPUT_SHUFFLED)
		rows_build(rows, fleet);
	else
		sort_build_rows(rows, fleet);
	for (size_t i = rows->count; input == INPUT_SHUFFLED && i > 1; i--) {
		size_t j = next_random(seed) % i;
		size_t swap = rows->index[i - 1];
		rows->index[i - 1] = rows->index[j];
		rows->index[j] = swap;
	}
	if (input == INPUT_LATE_SWAP && rows->count >= 2) {
		size_t swap = rows->index[rows->count - 1];
		rows->index[rows->count - 1] = rows->index[rows->count - 2];
		rows->index[rows->count - 2] = swap;
	}
}

/* sort_rows must give the comparison sort's order whatever order it is given. */
static void test_random_fleet(void **state)
{
	(void)state;
	unsigned seed = 7;
	struct fleet *fleet = random_fleet(&seed);

	struct rows rows = { 0 };
	size_t *expected = NULL;
	for (int input = 0; input < INPUT_COUNT; input++) {
		for (int column = 0; column < SORT_COUNT; column++) {
			for (int descending = 0; descending <= 1; descending++) {
				input_rows(&rows, fleet, (enum input_order)input, &seed);
				free(expected);
				expected = malloc(rows.count * sizeof(*expected));
				memcpy(expected, rows.index, rows.count * sizeof(*expected));
				reference_fleet = fleet;
				reference_column = (enum sort_column)column;
				reference_descending = descending;
				qsort(expected, rows.count, sizeof(*expected), compare_rows);

				sort_rows(&rows, fleet, (enum sort_column)column, descending);
				for (size_t i = 0; i < rows.count; i++) {
					if (rows.index[i] != expected[i])
						fail_msg("%s %s, %s: row %zu is device %zu, expected %zu",
							 sort_column_name((enum sort_column)column),
							 descending ? "descending" : "ascending", input_names[input], i,
							 rows.index[i], expected[i]);
				}
			}
		}
	}
	free(expected);
	rows_free(&rows);
	fleet_free(fleet);
}

/* Empty values (no SIM, no endpoint, no text) end the rows in both directions, in the default
 * order, and every row before them has a value. */
static void test_empty_last(void **state)
{
	(void)state;
	unsigned seed = 11;
	struct fleet *fleet = random_fleet(&seed);
	struct rows rows = { 0 };
	for (int column = 0; column < SORT_COUNT; column++) {
		for (int descending = 0; descending <= 1; descending++) {
			for (int input = 0; input < INPUT_COUNT; input++) {
				input_rows(&rows, fleet, (enum input_order)input, &seed);
				reference_fleet = fleet;
				reference_column = (enum sort_column)column;
				size_t empties = 0;
				for (size_t i = 0; i < rows.count; i++)
					empties += reference_empty(fleet_device(fleet, rows.index[i]));
				/* Every column but these has empty values in this fleet. */
				if (column != SORT_DEFAULT && column != SORT_ALIGN)
					assert_true(empties > 0);

				sort_rows(&rows, fleet, (enum sort_column)column, descending);
				size_t first_empty = rows.count - empties;
				for (size_t i = 0; i < rows.count; i++) {
					const struct device *device = fleet_device(fleet, rows.index[i]);
					if (reference_empty(device) != (i >= first_empty))
						fail_msg("%s %s, %s: row %zu of %zu %s empty",
							 sort_column_name((enum sort_column)column),
							 descending ? "descending" : "ascending", input_names[input], i,
							 rows.count, i >= first_empty ? "is not" : "is");
					if (i > first_empty)
						assert_true(reference_default(fleet_device(fleet, rows.index[i - 1])) <
							    reference_default(device));
				}
			}
		}
	}
	rows_free(&rows);
	fleet_free(fleet);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_random_fleet),
		cmocka_unit_test(test_empty_last),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
