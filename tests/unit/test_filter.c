/* test_filter.c — the query language: a table of queries with the devices they must match,
 * and a table of bad queries with their messages and columns; the live terms conn: and data:
 * over a store of what was read, with the devices whose live state is unknown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "filter.h"
#include "fleet.h"
#include "live.h"
#include "rows.h"
#include "sort.h"
#include "util.h"

/* One device per letter. Endpoint ids 1xx, SIM ids 2xx. */
static const struct sample {
	char label;
	int64_t endpoint_id, sim_id;
	int endpoint_status, sim_status;
	const char *name, *ip, *imei, *tags;
	const char *iccid, *imsi, *msisdn;
} samples[] = {
	{ 'A', 101, 201, ENDPOINT_ENABLED, SIM_ACTIVATED, "pump-0412", "10.0.0.9", "356938035643809",
	  "Customer A, Project B", "8988303000012345678", "295050912345678", "423663912345678" },
	{ 'B', 102, 202, ENDPOINT_DISABLED, SIM_ACTIVATED, "Pump-0413", "10.0.0.10", NULL, "red",
	  "8988303000012340002", "295050900000002", "423663900000002" },
	{ 'C', 103, 203, ENDPOINT_DISABLED, SIM_SUSPENDED, "valve 7", "10.1.4.12", NULL, "",
	  "8988303000012340003", "295050900000003", "423663900000003" },
	{ 'D', 104, 204, ENDPOINT_DISABLED, SIM_ISSUED, "meter~x", "10.1.4.13", NULL, " blue , red ",
	  "8988303000012340004", "295050900000004", NULL },
	{ 'E', 105, 205, ENDPOINT_ENABLED, SIM_FACTORY_TEST, "tracker", NULL, NULL, "blue",
	  "8988303000012340005", "295050900000005", NULL },
	{ 'F', 106, 206, ENDPOINT_ENABLED, SIM_SUSPENDED, "sensor-\xc3\xbc", NULL, NULL, NULL,
	  "8988303000012340006", "295050900000006", NULL },
	{ 'G', 107, 207, ENDPOINT_DELETED, SIM_DELETED, "old \"unit\"", NULL, NULL, NULL,
	  "8988303000012340007", "295050900000007", NULL },
	{ 'H', 0, 208, ENDPOINT_NONE, SIM_ISSUED, NULL, NULL, NULL, NULL,
	  "8988303000012340008", "295050900000008", "423663900000008" },
	{ 'I', 108, 0, ENDPOINT_ENABLED, SIM_NONE, "lonely pump", "10.2.0.1", NULL, "Customer A",
	  NULL, NULL, NULL },
	{ 'J', 109, 209, ENDPOINT_ENABLED, SIM_ACTIVATED, NULL, "10.2.0.2", NULL, ",,",
	  "8988303000012340009", "295050900000009", NULL },
};

#define ALL "ABCDEFGHIJ"

static struct fleet *sample_fleet(void)
{
	struct fleet *fleet = fleet_new();
	for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
		const struct sample *s = &samples[i];
		size_t index;
		if (s->endpoint_id) {
			struct endpoint_record endpoint = {
				.id = s->endpoint_id, .endpoint_status = s->endpoint_status, .name = s->name,
				.imei = s->imei, .ip_address = s->ip, .tags = s->tags, .sim_id = s->sim_id,
				.sim_status = s->sim_status, .iccid = s->iccid, .imsi = s->imsi, .msisdn = s->msisdn,
			};
			index = fleet_add_endpoint(fleet, &endpoint);
		} else {
			struct sim_record sim = {
				.id = s->sim_id, .sim_status = s->sim_status, .iccid = s->iccid, .imsi = s->imsi,
				.msisdn = s->msisdn,
			};
			index = fleet_add_sim(fleet, &sim);
		}
		assert_int_equal(index, i);
	}
	assert_int_equal(fleet_count(fleet), ARRAY_SIZE(samples));
	return fleet;
}

/* The labels of the devices the query matches, in fleet order. */
static void matching(const struct fleet *fleet, const char *query, char *labels)
{
	char message[256];
	int column = -1;
	struct filter *filter = filter_parse(query, message, sizeof(message), &column);
	if (!filter)
		fail_msg("query [%s] failed at column %d: %s", query, column, message);
	size_t count = 0;
	for (size_t i = 0; i < fleet_count(fleet); i++)
		if (filter_match(filter, fleet, NULL, fleet_device(fleet, i), NULL))
			labels[count++] = samples[i].label;
	labels[count] = '\0';
	filter_free(filter);
}

static const struct {
	const char *query;
	const char *expected;
} queries[] = {
	/* empty */
	{ "", ALL },
	{ " \t ", ALL },
	/* SIM status: names, prefixes, case, blanks, none, OR, negation */
	{ "sim:activated", "ABJ" },
	{ "sim:act", "ABJ" },
	{ "SIM:ACT", "ABJ" },
	{ "sim:Activated", "ABJ" },
	{ "sim:i", "DH" },
	{ "sim:\"factory test\"", "E" },
	{ "sim:\"Factory Test\"", "E" },
	{ "sim:factory", "E" },
	{ "sim:factory_test", "E" },
	{ "sim:factory-t", "E" },
	{ "sim:f", "E" },
	{ "sim:sus", "CF" },
	{ "sim:del", "G" },
	{ "sim:none", "I" },
	{ "sim:act,sus", "ABCFJ" },
	{ "sim:none,issued", "DHI" },
	{ "!sim:act", "CDEFGHI" },
	{ "!sim:act,sus", "DEGHI" },
	/* endpoint status */
	{ "ep:enabled", "AEFIJ" },
	{ "ep:dis", "BCD" },
	{ "endpoint:del", "G" },
	{ "Endpoint:e", "AEFIJ" },
	{ "ep:none", "H" },
	{ "ep:en,none", "AEFHIJ" },
	{ "!ep:none", "ABCDEFGIJ" },
	/* alignment */
	{ "align:online", "AJ" },
	{ "align:mis", "BFG" },
	/* billed: the misaligned B (Activated behind Disabled), which misaligned takes in too */
	{ "align:billed", "B" },
	{ "align:b", "B" },
	{ "align:misaligned !align:billed", "FG" },
	{ "align:~^bil", "B" },
	{ "align:~^mis", "BFG" },
	{ "align:off", "C" },
	{ "align:new", "D" },
	{ "align:test", "E" },
	{ "align:unpaired", "HI" },
	{ "align:u", "HI" },
	{ "!align:online,offline", "BDEFGHI" },
	{ "!align:billed", "ACDEFGHIJ" },
	/* statuses together */
	{ "sim:act ep:dis", "B" },
	{ "sim:act !ep:dis", "AJ" },
	{ "sim:act sim:sus", "" },
	{ "sim:act\t ep:en", "AJ" },
	/* bare words: any text field, case-insensitive substrings, AND */
	{ "pump", "ABI" },
	{ "PUMP", "ABI" },
	{ "lonely pump", "I" },
	{ "\"lonely pump\"", "I" },
	{ "12345678", "A" },
	{ "10.1.4", "CD" },
	{ "3569380", "A" },
	{ "ustomer", "AI" },
	{ "\"customer a, project\"", "A" },
	{ "pump,valve", "ABCI" },
	{ "SENSOR", "F" },
	{ "sensor-\xc3\xbc", "F" },
	{ "nothing-like-this", "" },
	{ "\"~x\"", "D" },
	{ "\"\\\"unit\"", "G" },
	{ "\"\"", ALL },
	{ "!pump", "CDEFGHJ" },
	{ "!!pump", "ABI" },
	{ "pump sim:act !ep:dis", "A" },
	/* text fields */
	{ "name:pump", "ABI" },
	{ "NAME:pump-04", "AB" },
	{ "name:\"lonely pump\"", "I" },
	{ "name:\"valve 7\"", "C" },
	{ "name:pu\"mp-0\"4", "AB" },
	{ "name:\"pump\",valve", "ABCI" },
	{ "name:\"~\"x", "D" },
	{ "name:", "HJ" },
	{ "!name:", "ABCDEFGI" },
	{ "name:,valve", "CHJ" },
	{ "iccid:12345678", "A" },
	{ "iccid:12340002", "B" },
	{ "imsi:2950509", "ABCDEFGHJ" },
	{ "imsi:12345678", "A" },
	{ "msisdn:423663900000008", "H" },
	{ "msisdn:", "DEFGIJ" },
	{ "imei:3569", "A" },
	{ "ip:10.0.0.1", "B" },
	{ "ip:10.0.0", "AB" },
	{ "ip:", "EFGH" },
	{ "iccid:pump", "" },
	/* tags: one tag, trimmed, case-insensitive; tag: alone is no tags */
	{ "tag:red", "BD" },
	{ "tag:RED", "BD" },
	{ "tag:\" red \"", "BD" },
	{ "tag:blue", "DE" },
	{ "tag:\"customer a\"", "AI" },
	{ "tag:\"Project B\"", "A" },
	{ "tag:customer", "" },
	{ "tag:", "CFGHJ" },
	{ "!tag:", "ABDEI" },
	{ "tag:red,blue", "BDE" },
	{ "tag:red,", "BCDFGHJ" },
	{ "tag:~^cust", "AI" },
	{ "tag:~^b", "DE" },
	{ "tag:~^red$", "BD" },
	/* ids: SIM or endpoint */
	{ "id:101", "A" },
	{ "id:201", "A" },
	{ "id:208", "H" },
	{ "id:108", "I" },
	{ "id:101,202", "AB" },
	{ "!id:101,202", "CDEFGHIJ" },
	{ "id:999", "" },
	/* regular expressions */
	{ "~^pump-04", "AB" },
	{ "~^PUMP", "AB" },
	{ "~pump$", "I" },
	{ "~^10\\.2\\.", "IJ" },
	{ "~^$", "BCDEFGHIJ" },  /* A has every text field */
	{ "name:~^$", "HJ" },
	{ "name:~^(pump|valve)", "ABC" },
	{ "name:~pump$", "I" },
	{ "name:~a{1,3}", "CE" },
	{ "name:pump,~^val", "ABCI" },
	{ "name:~\"^lonely p\"", "I" },
	{ "!~pump", "CDEFGHJ" },
	{ "sim:~^act|sus", "ABCFJ" },
	{ "sim:~none", "I" },
	{ "align:~^(on|off)", "ACJ" },
	{ "ep:~zzz", "" },
	/* brackets and bounds that stay simple */
	{ "name:~^[[:alpha:]]{4}-[0-9]{4}$", "AB" },
	{ "name:~[]()a]{1,2}", "CE" },
	{ "~[0-9]{15}", "ABCDEFGHJ" },
};

static void test_queries(void **state)
{
	(void)state;
	struct fleet *fleet = sample_fleet();
	char labels[ARRAY_SIZE(samples) + 1];
	int failures = 0;
	for (size_t i = 0; i < ARRAY_SIZE(queries); i++) {
		matching(fleet, queries[i].query, labels);
		if (strcmp(labels, queries[i].expected) != 0) {
			print_error("query [%s]: matched \"%s\", expected \"%s\"\n", queries[i].query, labels,
				    queries[i].expected);
			failures++;
		}
	}
	fleet_free(fleet);
	assert_int_equal(failures, 0);
}

static const struct {
	const char *query;
	int column;
	const char *fragments[3];  /* each must appear in the message */
} bad_queries[] = {
	{ "foo:bar", 1, { "unknown field \"foo\"", "fields: sim, ep, align, name, iccid, imsi, msisdn, imei, ip, tag, id" } },
	{ "foo:bar", 1, { "tag, id, conn, data" } },
	{ "sim:act bogus:1", 9, { "unknown field \"bogus\"" } },
	{ "!foo:bar", 2, { "unknown field" } },
	{ "ep:d", 4, { "ambiguous", "disabled, deleted" } },
	{ "endpoint:D", 10, { "endpoint status \"D\" is ambiguous", "disabled, deleted" } },
	{ "align:o", 7, { "ambiguous", "online, offline" } },
	{ "sim:x", 5, { "unknown SIM status \"x\"", "issued, activated, suspended, deleted, factory test, none" } },
	{ "sim:act,bogus", 9, { "unknown SIM status \"bogus\"" } },
	{ "sim:activatedx", 5, { "unknown SIM status" } },
	{ "align:misaligned2", 7, { "unknown alignment", "online, offline, new, test, billed, misaligned, unpaired" } },
	{ "sim:", 1, { "sim: missing SIM status; one of: issued," } },
	{ "pump ep:", 6, { "ep: missing endpoint status" } },
	{ "sim:act,", 1, { "missing SIM status" } },
	{ "name:\"pump", 6, { "unterminated quote" } },
	{ "\"abc", 1, { "unterminated quote" } },
	{ "pump \"abc", 6, { "unterminated quote" } },
	{ "name:\"a\" tag:\"b", 14, { "unterminated quote" } },
	{ "~(", 1, { "bad regular expression" } },
	{ "pump name:~[a", 11, { "bad regular expression" } },
	{ "sim:act,~(", 9, { "bad regular expression" } },
	{ "tag:~a{2,1}", 5, { "bad regular expression" } },
	{ "~", 1, { "empty regular expression" } },
	{ "pump ~(a{100}){100}", 6, { "too complex" } },
	{ "name:~((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+", 6, { "too complex" } },
	{ "tag:~x+++", 5, { "repetition of a repetition" } },
	{ "~(ab)*?", 1, { "repetition of a repetition" } },
	{ "~a{2}{3}", 1, { "repetition of a repetition" } },
	{ "~((a?){40}){40}", 1, { "too complex" } },
	{ "name:~", 6, { "empty regular expression" } },
	{ "!", 1, { "nothing to negate" } },
	{ "pump !", 6, { "nothing to negate" } },
	{ "! pump", 1, { "nothing to negate" } },
	{ "!!", 1, { "nothing to negate" } },
	{ "id:abc", 4, { "id: \"abc\" is not an id" } },
	{ "id:", 4, { "not an id" } },
	{ "id:12,-3", 7, { "not an id" } },
	{ "id:~1", 4, { "not an id" } },
	/* conn: one connectivity state, cut to a unique prefix */
	{ "conn:o", 6, { "connectivity \"o\" is ambiguous", "one of: online (or session), attached, offline, blocked" } },
	{ "conn:x", 6, { "unknown connectivity \"x\"", "one of: online (or session), attached, offline, blocked" } },
	{ "conn:~xyz", 6, { "the regular expression matches no state", "online (or session)" } },
	{ "conn:onlinex", 6, { "unknown connectivity \"onlinex\"" } },
	{ "conn:roaming", 6, { "unknown connectivity" } },
	{ "pump conn:online,zz", 18, { "unknown connectivity \"zz\"" } },
	{ "conn:", 6, { "conn: missing state", "online (or session), attached, offline, blocked" } },
	{ "conn:~(", 6, { "bad regular expression" } },
	/* data: MB this month, a number after an optional comparison */
	{ "data:abc", 6, { "data: \"abc\" is not MB this month", "e.g. data:0, data:<1, data:>=100" } },
	{ "data:-1", 6, { "data: \"-1\" is not MB this month" } },
	{ "data:<-1", 6, { "not MB this month" } },
	{ "data:", 6, { "not MB this month" } },
	{ "data:<", 6, { "data: \"<\" is not MB" } },
	{ "data:>=", 6, { "not MB this month" } },
	{ "data:1MB", 6, { "data: \"1MB\" is not MB" } },
	{ "data:=>1", 6, { "not MB this month" } },
	{ "data:nan", 6, { "not MB this month" } },
	{ "data:inf", 6, { "not MB this month" } },
	{ "data:1e16", 6, { "not MB this month" } },
	{ "data:~1", 6, { "not MB this month" } },
	{ "data:1,abc", 8, { "data: \"abc\" is not MB" } },
	{ "sim:act data:x", 14, { "data: \"x\"" } },
	/* Columns count characters: "ü" is one. */
	{ "\xc3\xbc foo:1", 3, { "unknown field" } },
	/* The message quotes a cleaned piece of the query. */
	{ "sim:\x1b[31m", 5, { "unknown SIM status" } },
};

static void test_bad_queries(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < ARRAY_SIZE(bad_queries); i++) {
		char message[512];
		int column = -1;
		struct filter *filter = filter_parse(bad_queries[i].query, message, sizeof(message), &column);
		if (filter) {
			print_error("query [%s] parsed, expected an error\n", bad_queries[i].query);
			filter_free(filter);
			failures++;
			continue;
		}
		if (column != bad_queries[i].column) {
			print_error("query [%s]: column %d, expected %d (%s)\n", bad_queries[i].query, column,
				    bad_queries[i].column, message);
			failures++;
		}
		for (size_t f = 0; f < ARRAY_SIZE(bad_queries[i].fragments) && bad_queries[i].fragments[f]; f++) {
			if (!strstr(message, bad_queries[i].fragments[f])) {
				print_error("query [%s]: message \"%s\" lacks \"%s\"\n", bad_queries[i].query, message,
					    bad_queries[i].fragments[f]);
				failures++;
			}
		}
		if (strchr(message, '\x1b')) {
			print_error("query [%s]: message carries an escape\n", bad_queries[i].query);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_message_buffers(void **state)
{
	(void)state;
	/* No message buffer, no column: still an error. */
	assert_null(filter_parse("foo:bar", NULL, 0, NULL));
	/* A short buffer is cut, and terminated. */
	char message[8];
	memset(message, 'x', sizeof(message));
	int column = 0;
	assert_null(filter_parse("foo:bar", message, sizeof(message), &column));
	assert_int_equal(strlen(message), sizeof(message) - 1);
	assert_int_equal(column, 1);
	/* Success clears both. */
	column = 7;
	struct filter *filter = filter_parse("pump", message, sizeof(message), &column);
	assert_non_null(filter);
	assert_string_equal(message, "");
	assert_int_equal(column, 0);
	filter_free(filter);
}

static void test_empty(void **state)
{
	(void)state;
	struct filter *filter = filter_parse(NULL, NULL, 0, NULL);
	assert_non_null(filter);
	assert_true(filter_is_empty(filter));
	filter_free(filter);
	filter = filter_parse("  ", NULL, 0, NULL);
	assert_true(filter_is_empty(filter));
	filter_free(filter);
	filter = filter_parse("sim:act", NULL, 0, NULL);
	assert_false(filter_is_empty(filter));
	filter_free(filter);
	filter = filter_parse("x", NULL, 0, NULL);
	assert_false(filter_is_empty(filter));
	filter_free(filter);
	assert_true(filter_is_empty(NULL));
	filter_free(NULL);
}

static void test_filter_rows(void **state)
{
	(void)state;
	struct fleet *fleet = sample_fleet();
	struct rows rows = { 0 };
	sort_build_rows(&rows, fleet);
	/* Default order: endpoints by id (A..G, I, J), then the SIM-only H. */
	assert_int_equal(rows.count, 10);
	assert_int_equal(rows.index[9], 7);

	/* Reverse the order to see that filtering keeps whatever order it is given. */
	for (size_t i = 0; i < rows.count / 2; i++) {
		size_t swap = rows.index[i];
		rows.index[i] = rows.index[rows.count - 1 - i];
		rows.index[rows.count - 1 - i] = swap;
	}
	struct filter *filter = filter_parse("sim:act,issued,none", NULL, 0, NULL);
	filter_rows(filter, fleet, NULL, &rows, NULL);
	char labels[16];
	for (size_t i = 0; i < rows.count; i++)
		labels[i] = samples[rows.index[i]].label;
	labels[rows.count] = '\0';
	assert_string_equal(labels, "HJIDBA");
	filter_free(filter);

	/* An empty filter keeps every row; a filter that matches nothing keeps none. */
	filter = filter_parse("", NULL, 0, NULL);
	filter_rows(filter, fleet, NULL, &rows, NULL);
	assert_int_equal(rows.count, 6);
	filter_free(filter);
	filter = filter_parse("id:999", NULL, 0, NULL);
	filter_rows(filter, fleet, NULL, &rows, NULL);
	assert_int_equal(rows.count, 0);
	filter_free(filter);

	rows_free(&rows);
	fleet_free(fleet);
}

/* A status outside emnify's ids matches no status term, and still any other term. */
static void test_unknown_status(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	struct endpoint_record endpoint = {
		.id = 1, .endpoint_status = 7, .name = "odd", .sim_id = 2, .sim_status = 9,
	};
	fleet_add_endpoint(fleet, &endpoint);
	const struct device *device = fleet_device(fleet, 0);
	const char *none[] = { "sim:act", "!sim:act", "ep:en", "!ep:none", "align:mis", "!align:mis" };
	for (size_t i = 0; i < ARRAY_SIZE(none); i++) {
		struct filter *filter = filter_parse(none[i], NULL, 0, NULL);
		assert_false(filter_match(filter, fleet, NULL, device, NULL));
		filter_free(filter);
	}
	struct filter *filter = filter_parse("odd id:2", NULL, 0, NULL);
	assert_true(filter_match(filter, fleet, NULL, device, NULL));
	filter_free(filter);
	fleet_free(fleet);
}

/* Long texts and needles that straddle the 8-byte words of the substring search. */
static void test_substring_edges(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	struct endpoint_record endpoint = {
		.id = 1, .endpoint_status = ENDPOINT_ENABLED, .name = "abcdefghijklmnopqrstuvwxyz0123456789",
		.sim_status = SIM_NONE,
	};
	fleet_add_endpoint(fleet, &endpoint);
	const struct device *device = fleet_device(fleet, 0);
	const char *name = endpoint.name;
	size_t length = strlen(name);
	for (size_t start = 0; start < length; start++) {
		for (size_t end = start + 1; end <= length; end++) {
			char query[64];
			snprintf(query, sizeof(query), "name:%.*s", (int)(end - start), name + start);
			struct filter *filter = filter_parse(query, NULL, 0, NULL);
			assert_non_null(filter);
			if (!filter_match(filter, fleet, NULL, device, NULL))
				fail_msg("query [%s] does not match", query);
			filter_free(filter);
			/* The same with one letter upper-cased, and with a wrong last byte. */
			query[5] = (char)(query[5] >= 'a' && query[5] <= 'z' ? query[5] - 'a' + 'A' : query[5]);
			filter = filter_parse(query, NULL, 0, NULL);
			assert_true(filter_match(filter, fleet, NULL, device, NULL));
			filter_free(filter);
			query[strlen(query) - 1] = '!';
			filter = filter_parse(query, NULL, 0, NULL);
			assert_false(filter_match(filter, fleet, NULL, device, NULL));
			filter_free(filter);
		}
	}
	fleet_free(fleet);
}

static void test_status_query(void **state)
{
	(void)state;
	char out[64];
	filter_status_query(out, sizeof(out), SIM_ACTIVATED, ENDPOINT_DISABLED);
	assert_string_equal(out, "sim:activated ep:disabled");
	filter_status_query(out, sizeof(out), SIM_FACTORY_TEST, FILTER_ANY_STATUS);
	assert_string_equal(out, "sim:\"factory test\"");
	filter_status_query(out, sizeof(out), FILTER_ANY_STATUS, ENDPOINT_NONE);
	assert_string_equal(out, "ep:none");
	filter_status_query(out, sizeof(out), SIM_NONE, ENDPOINT_ENABLED);
	assert_string_equal(out, "sim:none ep:enabled");
	filter_status_query(out, sizeof(out), FILTER_ANY_STATUS, FILTER_ANY_STATUS);
	assert_string_equal(out, "");
	filter_status_query(out, 8, SIM_ACTIVATED, ENDPOINT_DISABLED);
	assert_string_equal(out, "sim:act");

	/* Every cell's query parses and selects exactly that cell. */
	struct fleet *fleet = sample_fleet();
	for (int sim = FILTER_ANY_STATUS; sim < SIM_STATUS_COUNT; sim++) {
		for (int endpoint = FILTER_ANY_STATUS; endpoint < ENDPOINT_STATUS_COUNT; endpoint++) {
			filter_status_query(out, sizeof(out), sim, endpoint);
			struct filter *filter = filter_parse(out, NULL, 0, NULL);
			assert_non_null(filter);
			for (size_t i = 0; i < fleet_count(fleet); i++) {
				const struct device *device = fleet_device(fleet, i);
				bool want = (sim == FILTER_ANY_STATUS || device->sim_status == sim) &&
					    (endpoint == FILTER_ANY_STATUS || device->endpoint_status == endpoint);
				assert_int_equal(filter_match(filter, fleet, NULL, device, NULL), want);
			}
			filter_free(filter);
		}
	}
	fleet_free(fleet);
}

/* --- a large fleet: the device pass and its threads against a plain search ---------------- */

#define LARGE_FLEET 150000

static uint32_t next_random(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/* Names, tags and numbers of many shapes: letters, digits only, mixed case, a '+' in an
 * MSISDN, texts longer than 8 bytes and shorter, empty fields. */
static struct fleet *large_fleet(void)
{
	static const char *const tags[] = { "", "red", "blue,green", "Customer A, Project B" };
	struct fleet *fleet = fleet_new();
	uint32_t seed = 7;
	for (uint32_t i = 0; i < LARGE_FLEET; i++) {
		char name[32], iccid[24], imsi[24], msisdn[24], imei[24], ip[24];
		uint32_t r = next_random(&seed);
		unsigned number = r % 100000;
		switch (r % 6) {
		case 0: snprintf(name, sizeof(name), "pump-%05u", number); break;
		case 1: snprintf(name, sizeof(name), "Valve %u", number); break;
		case 2: snprintf(name, sizeof(name), "METER_%u", number); break;
		case 3: snprintf(name, sizeof(name), "%u", number); break;
		case 4: snprintf(name, sizeof(name), "p%u", number); break;
		default: name[0] = '\0'; break;
		}
		snprintf(iccid, sizeof(iccid), "89883030%011u", r);
		snprintf(imsi, sizeof(imsi), "29505%010u", i);
		snprintf(msisdn, sizeof(msisdn), r % 7 == 0 ? "+4236%010u" : "4236%010u", i);
		snprintf(imei, sizeof(imei), "35%013u", r ^ i);
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		struct endpoint_record endpoint = {
			.id = i + 1, .endpoint_status = (int)(r % 3), .name = name, .imei = r % 5 ? imei : NULL,
			.ip_address = ip, .tags = tags[(r >> 4) % ARRAY_SIZE(tags)],
			.sim_id = r % 11 ? i + 1 : 0, .sim_status = r % 11 ? (int)(r % 5) : SIM_NONE,
			.iccid = iccid, .imsi = imsi, .msisdn = msisdn,
		};
		fleet_add_endpoint(fleet, &endpoint);
	}
	return fleet;
}

static bool plain_contains(const char *text, const char *word)
{
	char folded[64];
	size_t i = 0;
	for (; text[i] && i + 1 < sizeof(folded); i++)
		folded[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] - 'A' + 'a' : text[i]);
	folded[i] = '\0';
	return strstr(folded, word) != NULL;
}

/* Rows in a shuffled order, as a sort leaves them. */
static void shuffled_rows(const struct fleet *fleet, struct rows *rows)
{
	sort_build_rows(rows, fleet);
	uint32_t seed = 11;
	for (size_t i = rows->count - 1; i > 0; i--) {
		size_t j = next_random(&seed) % (i + 1);
		size_t swap = rows->index[i];
		rows->index[i] = rows->index[j];
		rows->index[j] = swap;
	}
}

/* filter_rows on a shuffled copy of rows, which must keep, in order, the rows that expected
 * says match. */
static void check_rows(const struct fleet *fleet, const struct rows *rows, const char *query,
		       const bool *expected)
{
	struct filter *filter = filter_parse(query, NULL, 0, NULL);
	assert_non_null(filter);
	struct rows kept = { .index = xmalloc(rows->count * sizeof(size_t)), .count = rows->count };
	memcpy(kept.index, rows->index, rows->count * sizeof(size_t));
	filter_rows(filter, fleet, NULL, &kept, NULL);
	size_t at = 0;
	for (size_t i = 0; i < rows->count; i++) {
		if (!expected[rows->index[i]])
			continue;
		if (at >= kept.count || kept.index[at] != rows->index[i])
			fail_msg("query [%s]: row %zu of %zu kept differs", query, at, kept.count);
		at++;
	}
	if (at != kept.count)
		fail_msg("query [%s]: %zu rows kept, %zu expected", query, kept.count, at);
	rows_free(&kept);
	filter_free(filter);
}

static void test_large_fleet(void **state)
{
	(void)state;
	struct fleet *fleet = large_fleet();
	size_t devices = fleet_count(fleet);
	struct rows all = { 0 }, few = { 0 };
	shuffled_rows(fleet, &all);
	/* Few rows (an eighth): filtered row by row rather than over the whole fleet. */
	few.index = xmalloc(all.count / 8 * sizeof(size_t));
	few.count = all.count / 8;
	memcpy(few.index, all.index, few.count * sizeof(size_t));
	bool *expected = xcalloc(devices, sizeof(*expected));

	/* Bare words (quoted, for the blanks) against a plain search of every text field. */
	static const char *const words[] = {
		"p", "pump", "pump-0", "valve 1", "meter_9", "5", "42", "0000", "+4236", "4236",
		"10.1.", "red", "a, p", "zzz", "89883030", "0412",
	};
	for (size_t w = 0; w < ARRAY_SIZE(words); w++) {
		size_t count = 0;
		for (size_t d = 0; d < devices; d++) {
			const struct device *device = fleet_device(fleet, d);
			expected[d] = false;
			for (int field = 0; field < TEXT_COUNT && !expected[d]; field++)
				expected[d] = plain_contains(fleet_text(fleet, device, (enum device_text)field), words[w]);
			count += expected[d];
		}
		/* Every word but zzz finds something. */
		if (count == 0 && strcmp(words[w], "zzz") != 0)
			fail_msg("word [%s] finds nothing", words[w]);
		char query[32];
		snprintf(query, sizeof(query), "\"%s\"", words[w]);
		check_rows(fleet, &all, query, expected);
		check_rows(fleet, &few, query, expected);
	}

	/* Any query: the same as filter_match device by device. */
	static const char *const any[] = {
		"PUMP sim:act", "!pump", "~^val", "name:~[0-9]{5}$", "tag:red", "valve,meter ep:dis",
		"imei:", "sim:none", "msisdn:+", "iccid:30301",
	};
	for (size_t q = 0; q < ARRAY_SIZE(any); q++) {
		struct filter *filter = filter_parse(any[q], NULL, 0, NULL);
		assert_non_null(filter);
		for (size_t d = 0; d < devices; d++)
			expected[d] = filter_match(filter, fleet, NULL, fleet_device(fleet, d), NULL);
		filter_free(filter);
		check_rows(fleet, &all, any[q], expected);
		check_rows(fleet, &few, any[q], expected);
	}
	free(expected);
	rows_free(&few);
	rows_free(&all);
	fleet_free(fleet);
}

/* A word with letters skips the fields of digits, and any word skips the devices that lack one
 * of its trigrams: both must follow each field as it changes, a second endpoint claiming a SIM
 * shows its fields too, and a SIM that moves to a row of its own takes them along. */
static void test_numeric_fields_follow_changes(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	struct endpoint_record endpoint = {
		.id = 1, .endpoint_status = ENDPOINT_ENABLED, .name = "1234", .ip_address = "10.0.0.1",
		.sim_id = 5, .sim_status = SIM_ACTIVATED, .iccid = "8988", .imsi = "2950", .msisdn = "4236",
	};
	fleet_add_endpoint(fleet, &endpoint);
	struct filter *letter_a = filter_parse("a", NULL, 0, NULL);
	struct filter *letter_b = filter_parse("B", NULL, 0, NULL);
	const struct device *first = fleet_device(fleet, 0);
	assert_false(filter_match(letter_a, fleet, NULL, first, NULL));

	endpoint.name = "12a4";
	fleet_add_endpoint(fleet, &endpoint);
	first = fleet_device(fleet, 0);
	assert_true(filter_match(letter_a, fleet, NULL, first, NULL));
	endpoint.name = "5678";  /* in place: shorter or as long */
	fleet_add_endpoint(fleet, &endpoint);
	first = fleet_device(fleet, 0);
	assert_false(filter_match(letter_a, fleet, NULL, first, NULL));

	struct sim_record sim = { .id = 5, .sim_status = SIM_ACTIVATED, .iccid = "89ab", .imsi = "2950",
				  .msisdn = "4236", .endpoint_id = 1 };
	fleet_add_sim(fleet, &sim);
	first = fleet_device(fleet, 0);
	assert_true(filter_match(letter_b, fleet, NULL, first, NULL));

	/* A second endpoint claims the SIM too: its row shows the SIM's texts, found as its own. */
	struct endpoint_record second = {
		.id = 2, .endpoint_status = ENDPOINT_ENABLED, .name = "99", .sim_id = 5,
		.sim_status = SIM_ACTIVATED,
	};
	size_t index = fleet_add_endpoint(fleet, &second);
	assert_true(filter_match(letter_b, fleet, NULL, fleet_device(fleet, index), NULL));
	assert_true(filter_match(letter_b, fleet, NULL, fleet_device(fleet, 0), NULL));
	struct filter *digits = filter_parse("89", NULL, 0, NULL);
	assert_true(filter_match(digits, fleet, NULL, fleet_device(fleet, index), NULL));
	struct filter *trigram = filter_parse("9AB", NULL, 0, NULL);  /* trigrams too */
	assert_true(filter_match(trigram, fleet, NULL, fleet_device(fleet, index), NULL));

	/* The first endpoint drops the SIM: the SIM's texts go with it to a row of its own. */
	endpoint.sim_id = 0;
	endpoint.sim_status = SIM_NONE;
	fleet_add_endpoint(fleet, &endpoint);
	size_t alone;
	assert_true(fleet_find_sim(fleet, 5, &alone));
	assert_true(alone != index && alone != 0);
	assert_true(filter_match(trigram, fleet, NULL, fleet_device(fleet, alone), NULL));
	assert_true(filter_match(letter_b, fleet, NULL, fleet_device(fleet, alone), NULL));
	assert_false(filter_match(trigram, fleet, NULL, fleet_device(fleet, 0), NULL));
	assert_false(filter_match(digits, fleet, NULL, fleet_device(fleet, 0), NULL));
	filter_free(trigram);

	filter_free(digits);
	filter_free(letter_b);
	filter_free(letter_a);
	fleet_free(fleet);
}

/* --- live terms: conn: and data: over what was read ------------------------------------------ */

/* What the network said of the samples. E has only its connectivity read, F and J only their
 * usage or their connectivity, G nothing, H has no endpoint, I an undocumented word. */
static struct live *sample_live(void)
{
	struct live *live = live_new();
	live_set_connectivity(live, 101, "ONLINE", 1000);     /* A */
	live_set_usage(live, 101, 12.5, 1000);
	live_set_connectivity(live, 102, "OFFLINE", 1000);    /* B */
	live_set_usage(live, 102, 0, 1000);
	live_set_connectivity(live, 103, "ATTACHED", 1000);   /* C */
	live_set_usage(live, 103, 0.4, 1000);
	live_set_connectivity(live, 104, "BLOCKED", 1000);    /* D */
	live_set_usage(live, 104, 100, 1000);
	live_set_connectivity(live, 105, "ONLINE", 1000);     /* E: usage not read */
	live_set_usage(live, 106, 0, 1000);                   /* F: connectivity not read */
	/* G (107): nothing read; H: no endpoint */
	live_set_connectivity(live, 108, "ROAMING", 1000);    /* I */
	live_set_usage(live, 108, 250.75, 1000);
	live_set_connectivity(live, 109, "OFFLINE", 1000);    /* J: usage not read */
	return live;
}

/* The labels the query matches over live, and those it leaves unknown, in fleet order. */
static void live_matching(const struct fleet *fleet, const struct live *live, const char *query, char *labels,
			  char *unknown_labels)
{
	char message[256];
	int column = -1;
	struct filter *filter = filter_parse(query, message, sizeof(message), &column);
	if (!filter)
		fail_msg("query [%s] failed at column %d: %s", query, column, message);
	size_t count = 0, unknown_count = 0;
	for (size_t i = 0; i < fleet_count(fleet); i++) {
		bool unknown = true;
		bool matched = filter_match(filter, fleet, live, fleet_device(fleet, i), &unknown);
		if (matched && unknown)
			fail_msg("query [%s]: %c matched and unknown at once", query, samples[i].label);
		if (matched)
			labels[count++] = samples[i].label;
		if (unknown)
			unknown_labels[unknown_count++] = samples[i].label;
		/* Without the out-parameter: the same answer. */
		assert_int_equal(filter_match(filter, fleet, live, fleet_device(fleet, i), NULL), matched);
	}
	labels[count] = '\0';
	unknown_labels[unknown_count] = '\0';
	filter_free(filter);
}

static const struct {
	const char *query;
	const char *expected;
	const char *unknown;
} live_queries[] = {
	/* conn: states, prefixes, case, OR; a device whose connectivity was not read is unknown */
	{ "conn:online", "AE", "FG" },
	/* The screen calls a data session "session": the filter takes it for online. */
	{ "conn:session", "AE", "FG" },
	{ "conn:s", "AE", "FG" },
	{ "conn:ONLINE", "AE", "FG" },
	{ "Conn:On", "AE", "FG" },
	{ "conn:off", "BJ", "FG" },
	{ "conn:att", "C", "FG" },
	{ "conn:b", "D", "FG" },
	{ "conn:online,attached", "ACE", "FG" },
	/* An undocumented word is read, and none of the states. */
	{ "!conn:online,attached,offline,blocked", "I", "FG" },
	/* Negation never matches an unknown device either. */
	{ "!conn:offline", "ACDEI", "FG" },
	{ "!conn:online,offline", "CDI", "FG" },
	/* A regex over the state words. */
	{ "conn:~line", "ABEJ", "FG" },
	{ "conn:~^(on|att)", "ACE", "FG" },
	/* data: MB this month; a device whose usage was not read is unknown (E, J: only their
	 * connectivity was read) */
	{ "data:0", "BF", "EGJ" },
	{ "data:=0", "BF", "EGJ" },
	{ "data:0.0", "BF", "EGJ" },
	{ "data:<1", "BCF", "EGJ" },
	{ "data:<=0.4", "BCF", "EGJ" },
	{ "data:<0.4", "BF", "EGJ" },
	{ "data:>100", "I", "EGJ" },
	{ "data:>=100", "DI", "EGJ" },
	{ "data:12.5", "A", "EGJ" },
	{ "data:0,>200", "BFI", "EGJ" },
	{ "!data:0", "ACDI", "EGJ" },
	/* With other terms: a device another term rejects is not unknown. */
	{ "sim:act data:0", "B", "J" },
	{ "sim:act !data:0", "A", "J" },
	{ "sim:act conn:online", "A", "" },
	{ "pump data:0", "B", "" },
	{ "name:valve data:0", "", "" },
	{ "ep:none data:0", "", "" },
	{ "tag:blue data:<1", "", "E" },
	{ "id:105,106 data:0", "F", "E" },
	/* Two live terms: a known one that fails decides, whatever the other. */
	{ "conn:online data:>10", "A", "EG" },
	{ "conn:off data:0", "B", "FGJ" },
};

static void test_live_queries(void **state)
{
	(void)state;
	struct fleet *fleet = sample_fleet();
	struct live *live = sample_live();
	char labels[ARRAY_SIZE(samples) + 1], unknown[ARRAY_SIZE(samples) + 1];
	int failures = 0;
	for (size_t i = 0; i < ARRAY_SIZE(live_queries); i++) {
		live_matching(fleet, live, live_queries[i].query, labels, unknown);
		if (strcmp(labels, live_queries[i].expected) != 0 || strcmp(unknown, live_queries[i].unknown) != 0) {
			print_error("query [%s]: matched \"%s\" unknown \"%s\", expected \"%s\" unknown \"%s\"\n",
				    live_queries[i].query, labels, unknown, live_queries[i].expected,
				    live_queries[i].unknown);
			failures++;
		}
	}
	/* Nothing read (no store, or an empty one): every device that passes the rest is unknown,
	 * but for H, which has no endpoint and so no live state to know. */
	struct live *empty = live_new();
	const struct live *nothing[] = { NULL, empty };
	for (size_t n = 0; n < ARRAY_SIZE(nothing); n++) {
		live_matching(fleet, nothing[n], "data:0", labels, unknown);
		assert_string_equal(labels, "");
		assert_string_equal(unknown, "ABCDEFGIJ");
		live_matching(fleet, nothing[n], "!conn:offline", labels, unknown);
		assert_string_equal(labels, "");
		assert_string_equal(unknown, "ABCDEFGIJ");
		live_matching(fleet, nothing[n], "sim:act conn:online", labels, unknown);
		assert_string_equal(labels, "");
		assert_string_equal(unknown, "ABJ");
		/* A query without live terms is never unknown. */
		live_matching(fleet, nothing[n], "sim:act", labels, unknown);
		assert_string_equal(labels, "ABJ");
		assert_string_equal(unknown, "");
	}
	live_free(empty);
	live_free(live);
	fleet_free(fleet);
	assert_int_equal(failures, 0);
}

static void test_live_kinds(void **state)
{
	(void)state;
	static const struct {
		const char *query;
		unsigned kinds;
	} kinds[] = {
		{ "", 0 },
		{ "sim:act ep:dis", 0 },
		{ "pump,valve name:~^p", 0 },
		{ "name:conn", 0 },
		{ "\"conn:online\"", 0 },
		{ "conn:online", LIVE_CONNECTIVITY },
		{ "!conn:off", LIVE_CONNECTIVITY },
		{ "conn:~line", LIVE_CONNECTIVITY },
		{ "data:0", LIVE_USAGE },
		{ "sim:act data:<1", LIVE_USAGE },
		{ "conn:online data:>=100", LIVE_BOTH },
		{ "DATA:0 !Conn:b", LIVE_BOTH },
	};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct filter *filter = filter_parse(kinds[i].query, NULL, 0, NULL);
		assert_non_null(filter);
		if (filter_live_kinds(filter) != kinds[i].kinds)
			fail_msg("query [%s]: live kinds %u, expected %u", kinds[i].query, filter_live_kinds(filter),
				 kinds[i].kinds);
		filter_free(filter);
	}
	assert_int_equal(filter_live_kinds(NULL), 0);
	/* A query with only a live term is not empty. */
	struct filter *filter = filter_parse("data:0", NULL, 0, NULL);
	assert_false(filter_is_empty(filter));
	filter_free(filter);
}

static void labels_of(const struct rows *rows, char *labels)
{
	for (size_t i = 0; i < rows->count; i++)
		labels[i] = samples[rows->index[i]].label;
	labels[rows->count] = '\0';
}

/* filter_rows keeps the matching rows and lists the unknown ones apart, both in row order. */
static void test_live_filter_rows(void **state)
{
	(void)state;
	struct fleet *fleet = sample_fleet();
	struct live *live = sample_live();
	struct rows rows = { 0 }, unknown = { 0 };
	char labels[16];

	/* Reversed default order: H J I G F E D C B A. */
	struct rows all = { 0 };
	sort_build_rows(&all, fleet);
	for (size_t i = 0; i < all.count / 2; i++) {
		size_t swap = all.index[i];
		all.index[i] = all.index[all.count - 1 - i];
		all.index[all.count - 1 - i] = swap;
	}
	labels_of(&all, labels);
	assert_string_equal(labels, "HJIGFEDCBA");

	static const struct {
		const char *query;
		const char *kept, *unknown;
	} cases[] = {
		{ "data:<1", "FCB", "JGE" },
		{ "sim:act,sus data:<1", "FCB", "J" },
		{ "!conn:offline", "IEDCA", "GF" },
		{ "sim:act", "JBA", "" },
		{ "conn:online data:>10", "A", "GE" },
	};
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		rows.index = xgrow(rows.index, &rows.capacity, all.count, sizeof(*rows.index));
		memcpy(rows.index, all.index, all.count * sizeof(*rows.index));
		rows.count = all.count;
		unknown.count = 3;   /* what an earlier call left: replaced */
		struct filter *filter = filter_parse(cases[c].query, NULL, 0, NULL);
		assert_non_null(filter);
		filter_rows(filter, fleet, live, &rows, &unknown);
		char unknown_labels[16];
		labels_of(&rows, labels);
		labels_of(&unknown, unknown_labels);
		if (strcmp(labels, cases[c].kept) != 0 || strcmp(unknown_labels, cases[c].unknown) != 0)
			fail_msg("query [%s]: kept \"%s\" unknown \"%s\", expected \"%s\" and \"%s\"", cases[c].query,
				 labels, unknown_labels, cases[c].kept, cases[c].unknown);
		/* Without unknown rows: the same rows kept. */
		memcpy(rows.index, all.index, all.count * sizeof(*rows.index));
		rows.count = all.count;
		filter_rows(filter, fleet, live, &rows, NULL);
		labels_of(&rows, labels);
		assert_string_equal(labels, cases[c].kept);
		filter_free(filter);
	}

	/* Only some rows shown: the unknown ones are among them. */
	rows.count = 0;
	for (size_t i = 0; i < all.count; i++)
		if (strchr("JGEB", samples[all.index[i]].label))
			rows.index[rows.count++] = all.index[i];
	struct filter *filter = filter_parse("data:0", NULL, 0, NULL);
	filter_rows(filter, fleet, live, &rows, &unknown);
	labels_of(&rows, labels);
	assert_string_equal(labels, "B");
	labels_of(&unknown, labels);
	assert_string_equal(labels, "JGE");
	/* No filter: rows and unknown untouched, but unknown emptied. */
	rows.count = 2;
	filter_rows(NULL, fleet, live, &rows, &unknown);
	assert_int_equal(rows.count, 2);
	assert_int_equal(unknown.count, 0);
	filter_free(filter);

	rows_free(&all);
	rows_free(&unknown);
	rows_free(&rows);
	live_free(live);
	fleet_free(fleet);
}

/* Many rows: the matching is split among threads, each share writing its own words of the
 * unknown bits; the result must be filter_match's, device by device, in row order. */
static void test_live_large_fleet(void **state)
{
	(void)state;
	struct fleet *fleet = large_fleet();
	size_t devices = fleet_count(fleet);
	struct live *live = live_new();
	/* Endpoint ids are 1..LARGE_FLEET: two in three read, in ways that vary. */
	for (size_t d = 0; d < devices; d++) {
		int64_t id = fleet_device(fleet, d)->endpoint_id;
		if (id % 3 == 0)
			continue;
		if (id % 5 != 0)
			live_set_usage(live, id, (double)(id % 4), 1);
		if (id % 7 != 0)
			live_set_connectivity(live, id, id % 2 ? "ONLINE" : "OFFLINE", 1);
	}
	struct rows all = { 0 };
	shuffled_rows(fleet, &all);
	static const char *const live_large[] = { "data:0", "sim:act data:<2", "!conn:online", "pump conn:off data:>=1" };
	for (size_t q = 0; q < ARRAY_SIZE(live_large); q++) {
		struct filter *filter = filter_parse(live_large[q], NULL, 0, NULL);
		assert_non_null(filter);
		struct rows kept = { .index = xmalloc(all.count * sizeof(size_t)), .count = all.count }, unknown = { 0 };
		memcpy(kept.index, all.index, all.count * sizeof(size_t));
		filter_rows(filter, fleet, live, &kept, &unknown);
		size_t at_kept = 0, at_unknown = 0;
		for (size_t i = 0; i < all.count; i++) {
			bool is_unknown;
			bool matched = filter_match(filter, fleet, live, fleet_device(fleet, all.index[i]), &is_unknown);
			if (matched) {
				if (at_kept >= kept.count || kept.index[at_kept] != all.index[i])
					fail_msg("query [%s]: kept row %zu differs", live_large[q], at_kept);
				at_kept++;
			} else if (is_unknown) {
				if (at_unknown >= unknown.count || unknown.index[at_unknown] != all.index[i])
					fail_msg("query [%s]: unknown row %zu differs", live_large[q], at_unknown);
				at_unknown++;
			}
		}
		assert_int_equal(at_kept, kept.count);
		assert_int_equal(at_unknown, unknown.count);
		/* Each query keeps some rows and leaves some unknown. */
		assert_true(kept.count > 0);
		assert_true(unknown.count > 0);
		rows_free(&kept);
		rows_free(&unknown);
		filter_free(filter);
	}
	rows_free(&all);
	live_free(live);
	fleet_free(fleet);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_bad_queries),
		cmocka_unit_test(test_message_buffers),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_filter_rows),
		cmocka_unit_test(test_unknown_status),
		cmocka_unit_test(test_substring_edges),
		cmocka_unit_test(test_status_query),
		cmocka_unit_test(test_large_fleet),
		cmocka_unit_test(test_numeric_fields_follow_changes),
		cmocka_unit_test(test_live_queries),
		cmocka_unit_test(test_live_kinds),
		cmocka_unit_test(test_live_filter_rows),
		cmocka_unit_test(test_live_large_fleet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
