/* test_csv.c — identifiers from CSV files: the fixtures in tests/data/csv, errors with their
 * line numbers, and marking against a fleet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "fleet.h"
#include "marks.h"
#include "rows.h"
#include "sort.h"
#include "util.h"

#define CSV_DIR TEST_DATA_DIR "/csv/"

/* The devices the fixtures name. */
static struct fleet *sample_fleet(void)
{
	struct fleet *fleet = fleet_new();
	static const struct {
		int64_t endpoint_id, sim_id;
		const char *name, *iccid, *imsi;
	} devices[] = {
		{ 11379224, 4397515, "Luboi", "8988303000006734768", "295050901896257" },
		{ 11379818, 0, "no sms", NULL, NULL },
		{ 11380001, 4401340, "pump-0412", "8988303000006738593", "295050901900001" },
		{ 11380002, 4401341, "pump-0413", "8988303000006738591", "295050901900002" },
		{ 11380003, 4401342, "valve, north \"7\"", "8988303000006738592", "295050901900003" },
		{ 0, 4401400, NULL, "8988303000006739000", "295050901900400" },
		{ 0, 4401401, NULL, "8988303000006739001", "295050901900401" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
		if (devices[i].endpoint_id) {
			struct endpoint_record endpoint = {
				.id = devices[i].endpoint_id, .endpoint_status = ENDPOINT_ENABLED,
				.name = devices[i].name, .sim_id = devices[i].sim_id,
				.sim_status = devices[i].sim_id ? SIM_ACTIVATED : SIM_NONE,
				.iccid = devices[i].iccid, .imsi = devices[i].imsi,
			};
			fleet_add_endpoint(fleet, &endpoint);
		} else {
			struct sim_record sim = {
				.id = devices[i].sim_id, .sim_status = SIM_ISSUED, .iccid = devices[i].iccid,
				.imsi = devices[i].imsi,
			};
			fleet_add_sim(fleet, &sim);
		}
	}
	return fleet;
}

/* The identifiers as "kind=value@line" joined by blanks. */
static void describe(const struct csv_ids *ids, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < ids->count && used < size; i++) {
		int written = snprintf(out + used, size - used, "%s%s=%s@%zu", i ? " " : "",
				       csv_id_kind_name(ids->items[i].kind), ids->items[i].value, ids->items[i].line);
		if (written < 0)
			break;
		used += (size_t)written;
	}
}

/* Marks as a sorted list of "e<endpoint id>" or "s<SIM id>", by the fleet's default order. */
static void describe_marks(const struct marks *marks, const struct fleet *fleet, char *out, size_t size)
{
	struct rows rows = { 0 };
	sort_build_rows(&rows, fleet);
	marks_filter_rows(marks, fleet, &rows);
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < rows.count && used < size; i++) {
		const struct device *device = fleet_device(fleet, rows.index[i]);
		int written = device->endpoint_id
				      ? snprintf(out + used, size - used, "%se%lld", i ? " " : "", (long long)device->endpoint_id)
				      : snprintf(out + used, size - used, "%ss%lld", i ? " " : "", (long long)device->sim_id);
		if (written < 0)
			break;
		used += (size_t)written;
	}
	rows_free(&rows);
}

static void read_fixture(const char *file, struct csv_ids *ids)
{
	char message[512];
	if (!csv_read_ids(file, ids, message, sizeof(message)))
		fail_msg("%s: %s", file, message);
	assert_string_equal(message, "");
}

static const struct {
	const char *file;
	const char *ids;
	const char *marked;
	size_t unknown;
	const char *unknown_ids;
} fixtures[] = {
	{ "portal-device-list.csv",
	  "endpoint_id=11379224@2 sim_id=4397515@2 iccid=8988303000006734768@2 "
	  "iccid_with_luhn=89883030000067347689@2 imsi=295050901896257@2 "
	  "endpoint_id=11379818@3 "
	  "endpoint_id=11380001@4 sim_id=4401340@4 iccid=8988303000006738593@4 "
	  "iccid_with_luhn=89883030000067385937@4 imsi=295050901900001@4 "
	  "endpoint_id=11380002@5 sim_id=4401341@5 iccid=8988303000006738591@5 "
	  "iccid_with_luhn=89883030000067385911@5 imsi=295050901900002@5 "
	  "endpoint_id=11380003@6 sim_id=4401342@6 iccid=8988303000006738592@6 "
	  "iccid_with_luhn=89883030000067385929@6 imsi=295050901900003@6",
	  "e11379224 e11379818 e11380001 e11380002 e11380003", 0, "" },
	{ "spreadsheet-bom-crlf.csv",
	  "iccid=8988303000006738593@2 iccid=8988303000006738591@4 iccid=89883030000067385929@5 "
	  "iccid=8988303000006739000@6",
	  "e11380001 e11380002 e11380003 s4401400", 0, "" },
	{ "semicolon-excel.csv",
	  "sim_id=4401340@2 iccid_with_luhn=89883030000067385937@2 "
	  "sim_id=4401341@3 iccid_with_luhn=89883030000067385911@3",
	  "e11380001 e11380002", 0, "" },
	{ "quoted-multiline.csv",
	  "endpoint_id=11379224@2 endpoint_id=11380001@4 endpoint_id=11380002@5 endpoint_id=11379818@8",
	  "e11379224 e11379818 e11380001 e11380002", 0, "" },
	{ "unknown-ids.csv",
	  "sim_id=4397515@2 sim_id=99999999@3 imsi=295050901900401@4 imsi=295050999999999@5 "
	  "sim_id=88888888@6 imsi=295050901900002@6",
	  "e11379224 e11380002 s4401401", 2, "sim_id=99999999@3 imsi=295050999999999@5" },
};

static void test_fixtures(void **state)
{
	(void)state;
	struct fleet *fleet = sample_fleet();
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		char text[2048];
		struct csv_ids ids, unknown;
		char *path = xasprintf("%s%s", CSV_DIR, fixtures[i].file);
		read_fixture(path, &ids);
		free(path);
		describe(&ids, text, sizeof(text));
		if (strcmp(text, fixtures[i].ids) != 0)
			fail_msg("%s: ids\n  %s\nexpected\n  %s", fixtures[i].file, text, fixtures[i].ids);

		struct marks *marks = marks_new();
		size_t missing = csv_mark(&ids, fleet, marks, &unknown);
		describe_marks(marks, fleet, text, sizeof(text));
		if (strcmp(text, fixtures[i].marked) != 0)
			fail_msg("%s: marked \"%s\", expected \"%s\"", fixtures[i].file, text, fixtures[i].marked);
		assert_int_equal(missing, fixtures[i].unknown);
		assert_int_equal(unknown.count, fixtures[i].unknown);
		describe(&unknown, text, sizeof(text));
		assert_string_equal(text, fixtures[i].unknown_ids);
		/* Without a list, the same count. */
		assert_int_equal(csv_mark(&ids, fleet, marks, NULL), fixtures[i].unknown);
		csv_ids_free(&unknown);
		csv_ids_free(&ids);
		marks_free(marks);
	}
	fleet_free(fleet);
}

static void expect_error_length(const char *text, size_t length, const char *fragment)
{
	struct csv_ids ids = { .count = 99 };
	char message[512];
	if (csv_parse_ids(text, length, "x.csv", &ids, message, sizeof(message)))
		fail_msg("[%s] parsed, expected \"%s\"", text, fragment);
	if (!strstr(message, fragment))
		fail_msg("[%s]: \"%s\" lacks \"%s\"", text, message, fragment);
	assert_int_equal(ids.count, 0);
	assert_null(ids.items);
}

static void expect_error(const char *text, const char *fragment)
{
	expect_error_length(text, strlen(text), fragment);
}

static void test_malformed_fixtures(void **state)
{
	(void)state;
	struct csv_ids ids;
	char message[512];
	char *path = xasprintf("%s%s", CSV_DIR, "malformed-bad-id.csv");
	assert_false(csv_read_ids(path, &ids, message, sizeof(message)));
	char *want = xasprintf("%s:6: endpoint_id \"1138O003\" is not an id", path);
	assert_non_null(strstr(message, want));
	assert_int_equal(ids.count, 0);
	free(want);
	free(path);

	path = xasprintf("%s%s", CSV_DIR, "malformed-quote.csv");
	assert_false(csv_read_ids(path, &ids, message, sizeof(message)));
	want = xasprintf("%s:3: unterminated quote", path);
	assert_string_equal(message, want);
	free(want);
	free(path);

	assert_false(csv_read_ids(CSV_DIR "no-such-file.csv", &ids, message, sizeof(message)));
	assert_non_null(strstr(message, "no-such-file.csv: No such file or directory"));
	assert_false(csv_read_ids(CSV_DIR, &ids, message, sizeof(message)));
	assert_non_null(strstr(message, "not a regular file"));
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("", "x.csv:1: empty file");
	expect_error("\xef\xbb\xbf", "x.csv:1: empty file");
	expect_error("\n\n  \n", "x.csv:4: empty file");
	expect_error("name,status\nfoo,bar\n", "x.csv:1: no identifier column in the header; expected one of endpoint_id, sim_id, iccid, iccid_with_luhn, imsi, id");
	expect_error("\n\nname\n", "x.csv:3: no identifier column");
	/* A list without a header is not taken for one. */
	expect_error("8988303000006738593\n8988303000006738591\n", "x.csv:1: no identifier column");
	expect_error("sim_id\n1\n2\nabc\n", "x.csv:4: sim_id \"abc\" is not an id");
	expect_error("sim_id\n0\n", "x.csv:2: sim_id \"0\" is not an id");
	expect_error("sim_id\n-5\n", "x.csv:2: sim_id \"-5\" is not an id");
	expect_error("id\n4.39752E+06\n", "x.csv:2: id \"4.39752E+06\" is not an id");
	expect_error("id\n4397515.0\n", "x.csv:2: id \"4397515.0\" is not an id");
	expect_error("id\n99999999999999999999\n", "x.csv:2: id \"99999999999999999999\" is not an id");
	expect_error("iccid\n12345\n", "x.csv:2: iccid \"12345\" is not an ICCID");
	expect_error("iccid\n8.98830300000673E+18\n", "x.csv:2: iccid \"8.98830300000673E+18\" is not an ICCID");
	expect_error("iccid_with_luhn\n89883030000067385938\n", "x.csv:2: iccid_with_luhn \"89883030000067385938\" has a wrong check digit");
	expect_error("iccid_with_luhn\n8988303000006738593\n", "x.csv:2: iccid_with_luhn \"8988303000006738593\" has a wrong check digit");
	expect_error("imsi\n2950509019000011\n", "x.csv:2: imsi \"2950509019000011\" is not an IMSI");
	expect_error("imsi\n29505a\n", "is not an IMSI");
	/* The line of the cell, after a quoted field with line breaks. */
	expect_error("name,sim_id\n\"a\nb\nc\",1\n\"d\",x\n", "x.csv:5: sim_id \"x\"");
	expect_error("name,sim_id\n\"a\r\nb\",\"1\nx\"\n", "x.csv:3: sim_id \"1 x\"");
	expect_error("sim_id\n1\n\"2\n", "x.csv:3: unterminated quote");
	expect_error("sim_id\n1\n\"2\"\"\n", "x.csv:3: unterminated quote");
	expect_error_length("sim_id\n1\n2\0\n", 11, "x.csv:3: NUL byte");
	expect_error_length("sim_id\n1\n\"2\0\"\n", 13, "x.csv:3: NUL byte");
	/* A cleaned value in the message. */
	expect_error("sim_id\n\x1b[2J\n", "x.csv:2: sim_id \"\" is not an id");
}

static void parse(const char *text, size_t length, char *out, size_t size)
{
	struct csv_ids ids;
	char message[512];
	if (!csv_parse_ids(text, length, "x.csv", &ids, message, sizeof(message)))
		fail_msg("[%s]: %s", text, message);
	describe(&ids, out, size);
	csv_ids_free(&ids);
}

static const struct {
	const char *text;
	const char *ids;
} texts[] = {
	/* line ends: LF, CRLF, CR, none at the end */
	{ "sim_id\n1\n2", "sim_id=1@2 sim_id=2@3" },
	{ "sim_id\r\n1\r\n2\r\n", "sim_id=1@2 sim_id=2@3" },
	{ "sim_id\r1\r2\r", "sim_id=1@2 sim_id=2@3" },
	/* blank lines, before the header too; rows of empty cells */
	{ "\n\r\n  \nsim_id\n\n1\n,\n\n2\n\n", "sim_id=1@6 sim_id=2@9" },
	/* header names: case, blanks, dots, dashes; unknown columns ignored */
	{ " Endpoint ID ,SIM.ID,Sim-Iccid,IMSI,other\n1,2,8988303000006738593,295050901900001,x\n",
	  "endpoint_id=1@2 sim_id=2@2 iccid=8988303000006738593@2 imsi=295050901900001@2" },
	{ "endpoint.id,sim_imsi,sim.iccid_with_luhn\n1,295050901900001,89883030000067385937\n",
	  "endpoint_id=1@2 imsi=295050901900001@2 iccid_with_luhn=89883030000067385937@2" },
	/* too few and too many fields */
	{ "name,sim_id\nfoo\nbar,7,extra,fields\n", "sim_id=7@3" },
	/* blanks around values; quotes after blanks; text after a closing quote; ="..." */
	{ "sim_id,id\n 7 ,\t8\t\n  \"9\"  , \"10\"\n=\"11\",=\" 12 \"\n", "sim_id=7@2 endpoint_id=8@2 sim_id=9@3 endpoint_id=10@3 sim_id=11@4 endpoint_id=12@4" },
	/* doubled quotes, delimiters and line breaks in quoted fields of other columns */
	{ "note,sim_id\n\"a \"\"b\"\", c\nd\",5\n6,6\n", "sim_id=5@2 sim_id=6@4" },
	/* delimiter: ; and TAB when the header uses them most */
	{ "sim_id;note\n5;a,b\n", "sim_id=5@2" },
	{ "sim_id\tnote\n5\ta;b,c\n", "sim_id=5@2" },
	{ "\"a,b\";sim_id;c\n1;5;3\n", "sim_id=5@2" },
	/* a header of one column and a BOM */
	{ "\xef\xbb\xbficcid\n8988303000006738593\n", "iccid=8988303000006738593@2" },
	/* a 20-digit iccid, 18 and 22 digits */
	{ "iccid\n89883030000067385937\n898830300000673859\n8988303000006738593712\n",
	  "iccid=89883030000067385937@2 iccid=898830300000673859@3 iccid=8988303000006738593712@4" },
	/* only a header */
	{ "sim_id\n", "" },
};

static void test_texts(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		char out[1024];
		parse(texts[i].text, strlen(texts[i].text), out, sizeof(out));
		if (strcmp(out, texts[i].ids) != 0) {
			print_error("[%s]: \"%s\", expected \"%s\"\n", texts[i].text, out, texts[i].ids);
			failures++;
		}
	}
	/* The text needs no NUL: parse a prefix of a longer buffer. */
	char out[256];
	const char *text = "sim_id\n1\n2\n3\n";
	parse(text, 10, out, sizeof(out));
	assert_string_equal(out, "sim_id=1@2 sim_id=2@3");
	parse(text, 9, out, sizeof(out));
	assert_string_equal(out, "sim_id=1@2");
	assert_int_equal(failures, 0);
}

static void mark_text(const struct fleet *fleet, const char *text, const char *marked, size_t unknown_count)
{
	struct csv_ids ids, unknown;
	char message[256], out[512];
	if (!csv_parse_ids(text, strlen(text), "x.csv", &ids, message, sizeof(message)))
		fail_msg("%s", message);
	struct marks *marks = marks_new();
	assert_int_equal(csv_mark(&ids, fleet, marks, &unknown), unknown_count);
	describe_marks(marks, fleet, out, sizeof(out));
	if (strcmp(out, marked) != 0)
		fail_msg("[%s]: marked \"%s\", expected \"%s\"", text, out, marked);
	csv_ids_free(&unknown);
	csv_ids_free(&ids);
	marks_free(marks);
}

static void test_resolving(void **state)
{
	(void)state;
	struct fleet *fleet = sample_fleet();
	/* An ICCID with its check digit matches emnify's 19 digits, in either column. */
	mark_text(fleet, "iccid_with_luhn\n89883030000067390002\n", "s4401400", 0);
	mark_text(fleet, "iccid\n89883030000067390002\n", "s4401400", 0);
	/* 20 digits with a wrong check digit in the iccid column: nothing to strip. */
	mark_text(fleet, "iccid\n89883030000067390003\n", "", 1);
	/* Not a prefix match otherwise. */
	mark_text(fleet, "iccid\n898830300000673900\n", "", 1);
	/* Each row names one device: the endpoint id decides over a SIM id of another device. */
	mark_text(fleet, "endpoint_id,sim_id\n11379224,4401340\n", "e11379224", 0);
	/* ... and a later identifier of the row counts when the first names nothing. */
	mark_text(fleet, "endpoint_id,iccid\n55555555,8988303000006738593\n", "e11380001", 0);
	mark_text(fleet, "id,imsi\n55555555,295050999999999\n", "", 1);
	/* A SIM id names the endpoint's device when the SIM has one. */
	mark_text(fleet, "sim_id\n4401342\n4401401\n", "e11380003 s4401401", 0);
	/* An endpoint id is not a SIM id. */
	mark_text(fleet, "endpoint_id\n4397515\n", "", 1);
	mark_text(fleet, "sim_id\n11379224\n", "", 1);
	/* Repeated rows mark once. */
	mark_text(fleet, "id\n11379818\n11379818\n", "e11379818", 0);
	fleet_free(fleet);

	/* Unknown rows are listed by their first identifier, in file order. */
	fleet = sample_fleet();
	struct csv_ids ids, unknown;
	const char *text = "imsi,sim_id,iccid\n1234567,,\n,1,8988303000006799999\n,4397515,\n";
	assert_true(csv_parse_ids(text, strlen(text), "x.csv", &ids, NULL, 0));
	struct marks *marks = marks_new();
	assert_int_equal(csv_mark(&ids, fleet, marks, &unknown), 2);
	char out[256];
	describe(&unknown, out, sizeof(out));
	assert_string_equal(out, "imsi=1234567@2 sim_id=1@3");
	assert_int_equal(unknown.items[1].id, 1);
	assert_int_equal(marks_count(marks), 1);
	csv_ids_free(&unknown);
	csv_ids_free(&ids);
	marks_free(marks);
	fleet_free(fleet);
}

/* Many rows: every ICCID of a larger fleet, each found once. */
static void test_large(void **state)
{
	(void)state;
	enum { COUNT = 50000 };
	struct fleet *fleet = fleet_new();
	size_t capacity = (size_t)COUNT * 48 + 64, length = 0;
	char *text = xmalloc(capacity);
	length += (size_t)snprintf(text, capacity, "iccid,imsi\r\n");
	for (int i = 0; i < COUNT; i++) {
		char iccid[32], imsi[32];
		snprintf(iccid, sizeof(iccid), "8988303%012d", i * 7);
		snprintf(imsi, sizeof(imsi), "29505%010d", i);
		struct sim_record sim = { .id = i + 1, .sim_status = SIM_ACTIVATED, .iccid = iccid, .imsi = imsi };
		fleet_add_sim(fleet, &sim);
		/* Every third row by IMSI only, every fifth unknown. */
		if (i % 5 == 4)
			length += (size_t)snprintf(text + length, capacity - length, "8988303999999999999,\r\n");
		else if (i % 3 == 0)
			length += (size_t)snprintf(text + length, capacity - length, ",%s\r\n", imsi);
		else
			length += (size_t)snprintf(text + length, capacity - length, "%s,\r\n", iccid);
	}
	struct csv_ids ids;
	char message[256];
	assert_true(csv_parse_ids(text, length, "big.csv", &ids, message, sizeof(message)));
	assert_int_equal(ids.count, COUNT);
	struct marks *marks = marks_new();
	assert_int_equal(csv_mark(&ids, fleet, marks, NULL), COUNT / 5);
	assert_int_equal(marks_count(marks), COUNT - COUNT / 5);
	for (int i = 0; i < COUNT; i++)
		assert_int_equal(marks_has(marks, fleet_device(fleet, (size_t)i)), i % 5 != 4);
	csv_ids_free(&ids);
	marks_free(marks);
	free(text);
	fleet_free(fleet);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_malformed_fixtures),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_resolving),
		cmocka_unit_test(test_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
