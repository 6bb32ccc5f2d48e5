/* test_columns.c — the fleet table's columns: parsing the chosen list, and fitting it to the
 * width with NAME and ICCID kept longest, compact statuses, sideways scroll and the sorted
 * column always shown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "columns.h"

/* The layout as text: "ALIGN SIM ENDPOINT NAME ICCID", compact columns by their compact title,
 * with "<" and ">" for columns left out on either side. */
static const char *describe(const struct column_layout *layout, char *buffer, size_t size)
{
	size_t used = (size_t)snprintf(buffer, size, "%s", layout->more_left ? "< " : "");
	for (size_t i = 0; i < layout->count; i++) {
		const struct column_info *info = columns_info(layout->shown[i]);
		used += (size_t)snprintf(buffer + used, size - used, "%s%s", i ? " " : "",
					 layout->compact[i] ? info->compact_title : info->title);
	}
	snprintf(buffer + used, size - used, "%s", layout->more_right ? " >" : "");
	return buffer;
}

static int total_width(const struct column_layout *layout)
{
	int used = 2;
	for (size_t i = 0; i < layout->count; i++)
		used += layout->width[i] + (i + 1 < layout->count ? 1 : 0);
	return used;
}

static void fit(const char *columns, bool live, size_t first, enum sort_column sorted, int width, const char *want)
{
	struct column_choice choice;
	char message[256], got[512];
	assert_true(columns_parse(columns, &choice, message, sizeof(message)));
	struct column_layout layout;
	columns_fit(&choice, live, first, sorted, width, &layout);
	describe(&layout, got, sizeof(got));
	if (strcmp(got, want) != 0) {
		print_error("%s at %d (first %zu): got \"%s\", want \"%s\"\n", columns, width, first, got, want);
		fail();
	}
	/* Whatever the width, it fits, and a wide one is used to the last column when NAME can grow. */
	assert_true(total_width(&layout) <= width || layout.count == 1);
}

static void test_parse(void **state)
{
	(void)state;
	struct column_choice choice;
	char message[256], text[256];
	assert_true(columns_parse(" Name , ICCID,ep,conn ", &choice, message, sizeof(message)));
	assert_int_equal(choice.count, 4);
	assert_int_equal(choice.order[0], COLUMN_NAME);
	assert_int_equal(choice.order[2], COLUMN_ENDPOINT);
	columns_format(&choice, text, sizeof(text));
	assert_string_equal(text, "name,iccid,endpoint,conn");
	assert_true(columns_parse(COLUMNS_DEFAULT, &choice, message, sizeof(message)));
	columns_format(&choice, text, sizeof(text));
	assert_string_equal(text, COLUMNS_DEFAULT);

	/* Refused, and the choice unchanged. */
	static const struct { const char *text, *message; } bad[] = {
		{ "name,colour", "no column \"colour\"" },
		{ "name,,iccid", "an empty column name" },
		{ "", "an empty column name" },
		{ "name,iccid,NAME", "the column name is named twice" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(columns_parse(bad[i].text, &choice, message, sizeof(message)));
		assert_non_null(strstr(message, bad[i].message));
		assert_non_null(strstr(message, "name,iccid") ? message : strstr(message, "twice"));
		assert_int_equal(choice.count, 11);
	}
}

static void test_fit_widths(void **state)
{
	(void)state;
	/* Wide: everything, full statuses. */
	fit(COLUMNS_DEFAULT, false, 0, SORT_DEFAULT, 200, "ALIGN SIM ENDPOINT NAME ICCID IMSI MSISDN IP TAGS");
	/* The details go first, the least kept first: tags, IP, then MSISDN, then IMSI. */
	fit(COLUMNS_DEFAULT, false, 0, SORT_DEFAULT, 120, "ALIGN SIM ENDPOINT NAME ICCID IMSI MSISDN >");
	fit(COLUMNS_DEFAULT, false, 0, SORT_DEFAULT, 100, "ALIGN SIM ENDPOINT NAME ICCID IMSI >");
	fit(COLUMNS_DEFAULT, false, 0, SORT_DEFAULT, 80, "ALIGN SIM ENDPOINT NAME ICCID >");
	/* Then the statuses compact, one by one from the left, while it does not fit. */
	fit(COLUMNS_DEFAULT, false, 0, SORT_DEFAULT, 70, "A SIM ENDPOINT NAME ICCID >");
	fit(COLUMNS_DEFAULT, false, 0, SORT_DEFAULT, 60, "A SIM ENDPOINT NAME ICCID >");
	fit(COLUMNS_DEFAULT, false, 0, SORT_DEFAULT, 50, "A SIM EP NAME ICCID >");
	/* Then the statuses go; NAME and ICCID last of all. */
	fit(COLUMNS_DEFAULT, false, 0, SORT_DEFAULT, 46, "A SIM NAME ICCID >");
	fit(COLUMNS_DEFAULT, false, 0, SORT_DEFAULT, 42, "A NAME ICCID >");
	fit(COLUMNS_DEFAULT, false, 0, SORT_DEFAULT, 38, "NAME ICCID >");
	fit(COLUMNS_DEFAULT, false, 0, SORT_DEFAULT, 30, "NAME >");
	/* The live columns only once something was read; before the details go. */
	fit(COLUMNS_DEFAULT, true, 0, SORT_DEFAULT, 200, "ALIGN SIM ENDPOINT CONN MB NAME ICCID IMSI MSISDN IP TAGS");
	fit(COLUMNS_DEFAULT, true, 0, SORT_DEFAULT, 80, "A SIM ENDPOINT CONN MB NAME ICCID >");
	fit(COLUMNS_DEFAULT, true, 0, SORT_DEFAULT, 72, "A SIM EP CONN MB NAME ICCID >");
}

static void test_fit_scroll_and_sort(void **state)
{
	(void)state;
	/* Scrolled: from a later column on, as many as fit at their full width. */
	fit(COLUMNS_DEFAULT, false, 1, SORT_DEFAULT, 80, "< SIM ENDPOINT NAME ICCID IMSI >");
	fit(COLUMNS_DEFAULT, false, 3, SORT_DEFAULT, 80, "< NAME ICCID IMSI MSISDN >");
	fit(COLUMNS_DEFAULT, false, 5, SORT_DEFAULT, 80, "< IMSI MSISDN IP TAGS");
	/* The sorted column stays, narrow or scrolled past. */
	fit(COLUMNS_DEFAULT, false, 0, SORT_TAGS, 80, "A SIM ENDPOINT NAME ICCID TAGS >");
	fit(COLUMNS_DEFAULT, false, 0, SORT_TAGS, 90, "ALIGN SIM ENDPOINT NAME ICCID TAGS >");
	fit(COLUMNS_DEFAULT, false, 0, SORT_IP, 60, "A NAME ICCID IP >");
	fit(COLUMNS_DEFAULT, false, 5, SORT_NAME, 80, "< NAME IMSI MSISDN IP TAGS");
	fit(COLUMNS_DEFAULT, false, 5, SORT_NAME, 70, "< NAME IMSI MSISDN IP >");
	/* Sorted by a column before the scroll: it stays, and only what was really left out makes
	 * the left mark. */
	fit("name,iccid,imsi,msisdn,ip", false, 0, SORT_NAME, 200, "NAME ICCID IMSI MSISDN IP");
	fit("name,iccid,imsi,msisdn,ip", false, 1, SORT_NAME, 200, "NAME ICCID IMSI MSISDN IP");
	fit("name,iccid,imsi,msisdn,ip", false, 2, SORT_NAME, 200, "< NAME IMSI MSISDN IP");
	/* A column not chosen cannot be kept in. */
	fit("name,iccid", false, 0, SORT_TAGS, 80, "NAME ICCID");
	assert_int_equal(columns_available(&(struct column_choice){ { COLUMN_NAME, COLUMN_CONN }, 2 }, false), 1);
	assert_int_equal(columns_available(&(struct column_choice){ { COLUMN_NAME, COLUMN_CONN }, 2 }, true), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_fit_widths),
		cmocka_unit_test(test_fit_scroll_and_sort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
