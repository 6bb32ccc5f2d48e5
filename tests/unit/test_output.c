/* test_output.c — the fleet as a table, CSV and JSON. */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "fleet.h"
#include "output.h"

/* Three devices: paired (from the real recordings), SIM-only, endpoint-only with text that
 * needs quoting. */
static struct fleet *sample_fleet(void)
{
	struct fleet *fleet = fleet_new();
	struct endpoint_record endpoint = {
		.id = 11379224, .endpoint_status = ENDPOINT_ENABLED, .name = "Luboi",
		.ip_address = "10.191.216.67", .tags = "demo", .sim_id = 4397515,
		.sim_status = SIM_ACTIVATED, .iccid = "8988303000006734768", .imsi = "295050901896257",
		.msisdn = "423663921520532",
	};
	fleet_add_endpoint(fleet, &endpoint);
	struct sim_record sim = {
		.id = 253, .sim_status = SIM_ISSUED, .iccid = "8988303000000000132",
		.imsi = "295050999900098", .msisdn = "423663999900098",
	};
	fleet_add_sim(fleet, &sim);
	struct endpoint_record other = {
		.id = 11379818, .endpoint_status = ENDPOINT_DISABLED, .name = "no sms, \"1\"",
		.ip_address = "10.191.216.65", .tags = "Customer A, Project B", .sim_status = SIM_NONE,
	};
	fleet_add_endpoint(fleet, &other);
	return fleet;
}

/* Run output_write into memory and return what it wrote (caller frees). */
static char *write_to_string(const struct fleet *fleet, const size_t *rows, size_t count, enum output_format format)
{
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);
	assert_non_null(out);
	assert_true(output_write(out, fleet, rows, count, format));
	fclose(out);
	return text;
}

static char *csv_field(const char *field, bool formula_guard)
{
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);
	assert_non_null(out);
	output_csv_field(out, field, formula_guard);
	fclose(out);
	return text;
}

/* The field as written, guarded and raw: RFC 4180 quoting is the same either way. */
static void expect_csv_field(const char *field, const char *expected)
{
	char *text = csv_field(field, true);
	assert_string_equal(text, expected);
	free(text);
	text = csv_field(field, false);
	assert_string_equal(text, expected);
	free(text);
}

static void expect_csv_guarded(const char *field, const char *guarded, const char *raw)
{
	char *text = csv_field(field, true);
	assert_string_equal(text, guarded);
	free(text);
	text = csv_field(field, false);
	assert_string_equal(text, raw);
	free(text);
}

static void test_parse_format(void **state)
{
	(void)state;
	enum output_format format = OUTPUT_TABLE;
	assert_true(output_parse_format("csv", &format));
	assert_int_equal(format, OUTPUT_CSV);
	assert_true(output_parse_format("json", &format));
	assert_int_equal(format, OUTPUT_JSON);
	assert_true(output_parse_format("table", &format));
	assert_int_equal(format, OUTPUT_TABLE);
	assert_false(output_parse_format("xml", &format));
	assert_false(output_parse_format("", &format));
	assert_false(output_parse_format("csvx", &format));
	assert_int_equal(format, OUTPUT_TABLE);
}

static void test_csv_field_quoting(void **state)
{
	(void)state;
	expect_csv_field("plain", "plain");
	expect_csv_field("", "");
	expect_csv_field(NULL, "");
	expect_csv_field("a,b", "\"a,b\"");
	expect_csv_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	expect_csv_field("\"", "\"\"\"\"");
	expect_csv_field("line\nbreak", "\"line\nbreak\"");
	expect_csv_field("cr\rhere", "\"cr\rhere\"");
	expect_csv_field(" spaces kept ", " spaces kept ");
	expect_csv_field("日本, 語", "\"日本, 語\"");
}

/* Each character a spreadsheet starts a formula with gets a ' in front, inside the quotes
 * when the field needs them; anywhere but first, or after --csv-raw, it is left alone. */
static void test_csv_formula_guard(void **state)
{
	(void)state;
	expect_csv_guarded("=1+1", "'=1+1", "=1+1");
	expect_csv_guarded("+4915112345678", "'+4915112345678", "+4915112345678");
	expect_csv_guarded("-2+3", "'-2+3", "-2+3");
	expect_csv_guarded("@SUM(A1:A9)", "'@SUM(A1:A9)", "@SUM(A1:A9)");
	expect_csv_guarded("\t=1+1", "'\t=1+1", "\t=1+1");
	expect_csv_guarded("\r=1+1", "\"'\r=1+1\"", "\"\r=1+1\"");
	expect_csv_guarded("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
			   "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	expect_csv_guarded("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0");
	expect_csv_field("a=b", "a=b");
	expect_csv_field("1-2", "1-2");
	expect_csv_field(" =1", " =1");
	expect_csv_field("'=1", "'=1");
	expect_csv_field("", "");
}

static void test_csv(void **state)
{
	(void)state;
	struct fleet *fleet = sample_fleet();
	char *text = write_to_string(fleet, NULL, 0, OUTPUT_CSV);
	assert_string_equal(text,
			    "sim_id,endpoint_id,iccid,imsi,msisdn,name,sim_status,endpoint_status,alignment,ip_address,tags\r\n"
			    "4397515,11379224,8988303000006734768,295050901896257,423663921520532,Luboi,Activated,Enabled,"
			    "online,10.191.216.67,demo\r\n"
			    "253,,8988303000000000132,295050999900098,423663999900098,,Issued,,unpaired,,\r\n"
			    ",11379818,,,,\"no sms, \"\"1\"\"\",,Disabled,unpaired,10.191.216.65,\"Customer A, Project B\"\r\n");
	free(text);

	/* Chosen rows, in the order given. */
	size_t rows[] = { 2, 0 };
	text = write_to_string(fleet, rows, 2, OUTPUT_CSV);
	assert_string_equal(text,
			    "sim_id,endpoint_id,iccid,imsi,msisdn,name,sim_status,endpoint_status,alignment,ip_address,tags\r\n"
			    ",11379818,,,,\"no sms, \"\"1\"\"\",,Disabled,unpaired,10.191.216.65,\"Customer A, Project B\"\r\n"
			    "4397515,11379224,8988303000006734768,295050901896257,423663921520532,Luboi,Activated,Enabled,"
			    "online,10.191.216.67,demo\r\n");
	free(text);
	fleet_free(fleet);
}

static void test_csv_empty_and_billed(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	char *text = write_to_string(fleet, NULL, 0, OUTPUT_CSV);
	assert_string_equal(text,
			    "sim_id,endpoint_id,iccid,imsi,msisdn,name,sim_status,endpoint_status,alignment,ip_address,tags\r\n");
	free(text);
	/* Files carry the word the table shows: "billed" for an Activated SIM behind a Disabled
	 * endpoint, "misaligned" for the other disagreements. */
	struct endpoint_record endpoint = {
		.id = INT64_C(4294967301), .endpoint_status = ENDPOINT_DISABLED, .name = "n",
		.sim_id = INT64_C(8589934593), .sim_status = SIM_FACTORY_TEST,
	};
	fleet_add_endpoint(fleet, &endpoint);
	struct endpoint_record billed = {
		.id = 31, .endpoint_status = ENDPOINT_DISABLED, .name = "b", .sim_id = 32, .sim_status = SIM_ACTIVATED,
	};
	fleet_add_endpoint(fleet, &billed);
	text = write_to_string(fleet, NULL, 0, OUTPUT_CSV);
	assert_non_null(strstr(text, "\r\n8589934593,4294967301,,,,n,Factory Test,Disabled,misaligned,,\r\n"));
	assert_non_null(strstr(text, "\r\n32,31,,,,b,Activated,Disabled,billed,,\r\n"));
	free(text);
	text = write_to_string(fleet, NULL, 0, OUTPUT_JSON);
	assert_non_null(strstr(text, "\"sim_status\":\"Factory Test\",\"endpoint_status\":\"Disabled\",\"alignment\":\"misaligned\""));
	assert_non_null(strstr(text, "\"sim_status\":\"Activated\",\"endpoint_status\":\"Disabled\",\"alignment\":\"billed\""));
	free(text);
	fleet_free(fleet);
}

/* Every text column of a file is guarded; --csv-raw and JSON write the values as they are. */
static void test_csv_formula_every_column(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	struct endpoint_record endpoint = {
		.id = 5, .endpoint_status = ENDPOINT_ENABLED, .name = "=1+1", .ip_address = "-1",
		.tags = "@x", .sim_id = 6, .sim_status = SIM_ACTIVATED, .iccid = "=2", .imsi = "+3",
		.msisdn = "+49151",
	};
	fleet_add_endpoint(fleet, &endpoint);
	char *text = write_to_string(fleet, NULL, 0, OUTPUT_CSV);
	assert_non_null(strstr(text, "\r\n6,5,'=2,'+3,'+49151,'=1+1,Activated,Enabled,online,'-1,'@x\r\n"));
	free(text);
	text = write_to_string(fleet, NULL, 0, OUTPUT_CSV_RAW);
	assert_non_null(strstr(text, "\r\n6,5,=2,+3,+49151,=1+1,Activated,Enabled,online,-1,@x\r\n"));
	assert_null(strchr(text, '\''));
	free(text);
	text = write_to_string(fleet, NULL, 0, OUTPUT_JSON);
	assert_non_null(strstr(text, "\"iccid\":\"=2\",\"imsi\":\"+3\",\"msisdn\":\"+49151\",\"name\":\"=1+1\""));
	assert_non_null(strstr(text, "\"ip_address\":\"-1\",\"tags\":\"@x\""));
	assert_null(strchr(text, '\''));
	free(text);
	fleet_free(fleet);
}

static void test_json(void **state)
{
	(void)state;
	struct fleet *fleet = sample_fleet();
	char *text = write_to_string(fleet, NULL, 0, OUTPUT_JSON);
	assert_string_equal(text,
			    "[\n"
			    "{\"sim_id\":4397515,\"endpoint_id\":11379224,\"iccid\":\"8988303000006734768\","
			    "\"imsi\":\"295050901896257\",\"msisdn\":\"423663921520532\",\"name\":\"Luboi\","
			    "\"sim_status\":\"Activated\",\"endpoint_status\":\"Enabled\",\"alignment\":\"online\","
			    "\"ip_address\":\"10.191.216.67\",\"tags\":\"demo\"},\n"
			    "{\"sim_id\":253,\"endpoint_id\":null,\"iccid\":\"8988303000000000132\","
			    "\"imsi\":\"295050999900098\",\"msisdn\":\"423663999900098\",\"name\":null,"
			    "\"sim_status\":\"Issued\",\"endpoint_status\":null,\"alignment\":\"unpaired\","
			    "\"ip_address\":null,\"tags\":null},\n"
			    "{\"sim_id\":null,\"endpoint_id\":11379818,\"iccid\":null,\"imsi\":null,\"msisdn\":null,"
			    "\"name\":\"no sms, \\\"1\\\"\",\"sim_status\":null,\"endpoint_status\":\"Disabled\","
			    "\"alignment\":\"unpaired\",\"ip_address\":\"10.191.216.65\","
			    "\"tags\":\"Customer A, Project B\"}\n"
			    "]\n");

	/* It is valid JSON, with the keys in order. */
	cJSON *root = cJSON_Parse(text);
	assert_non_null(root);
	assert_int_equal(cJSON_GetArraySize(root), 3);
	static const char *const keys[] = { "sim_id", "endpoint_id", "iccid", "imsi", "msisdn", "name",
					    "sim_status", "endpoint_status", "alignment", "ip_address", "tags" };
	const cJSON *field = cJSON_GetArrayItem(root, 0)->child;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++, field = field->next)
		assert_string_equal(field->string, keys[i]);
	assert_null(field);
	cJSON_Delete(root);
	free(text);

	struct fleet *empty = fleet_new();
	text = write_to_string(empty, NULL, 0, OUTPUT_JSON);
	assert_string_equal(text, "[]\n");
	free(text);
	fleet_free(empty);
	fleet_free(fleet);
}

static void test_json_escaping(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	struct endpoint_record endpoint = {
		.id = 1, .endpoint_status = ENDPOINT_ENABLED, .name = "q\"b\\s/\n\r\t\x01\x1f\x7f 日本",
		.tags = "\xf0\x9f\x98\x80", .sim_status = SIM_NONE,
	};
	fleet_add_endpoint(fleet, &endpoint);
	char *text = write_to_string(fleet, NULL, 0, OUTPUT_JSON);
	assert_non_null(strstr(text, "\"name\":\"q\\\"b\\\\s/\\n\\r\\t\\u0001\\u001f\\u007f 日本\""));
	assert_non_null(strstr(text, "\"tags\":\"\xf0\x9f\x98\x80\""));
	cJSON *root = cJSON_Parse(text);
	assert_non_null(root);
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(root, 0), "name");
	assert_string_equal(name->valuestring, endpoint.name);
	cJSON_Delete(root);
	free(text);
	fleet_free(fleet);
}

static void test_table(void **state)
{
	(void)state;
	struct fleet *fleet = sample_fleet();
	char *text = write_to_string(fleet, NULL, 0, OUTPUT_TABLE);
	assert_string_equal(text,
			    "SIM ID   ENDPOINT ID  ICCID                IMSI             MSISDN           NAME         "
			    "SIM        ENDPOINT  ALIGN     IP             TAGS\n"
			    "4397515  11379224     8988303000006734768  295050901896257  423663921520532  Luboi        "
			    "Activated  Enabled   online    10.191.216.67  demo\n"
			    "253                   8988303000000000132  295050999900098  423663999900098               "
			    "Issued               unpaired\n"
			    "         11379818                                                            no sms, \"1\"  "
			    "           Disabled  unpaired  10.191.216.65  Customer A, Project B\n");
	free(text);
	fleet_free(fleet);
}

/* Long and wide cells are cut by display width, never inside a character. */
static void test_table_cuts_by_width(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	struct endpoint_record endpoint = {
		.id = 7, .endpoint_status = ENDPOINT_DISABLED, .sim_id = 8, .sim_status = SIM_ACTIVATED,
		.name = "日本語日本語日本語日本語日本語日本語日本語", /* 21 wide characters: 42 columns */
		.tags = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF",
	};
	fleet_add_endpoint(fleet, &endpoint);
	char *text = write_to_string(fleet, NULL, 0, OUTPUT_TABLE);
	/* NAME is 32 columns at most: 15 wide characters (30) and "…" take 31, one pad. */
	assert_non_null(strstr(text, "  日本語日本語日本語日本語日本語\u2026   Activated"));
	assert_non_null(strstr(text, "  abcdefghijklmnopqrstuvwxyz01234\u2026\n"));
	/* The alignment column says "billed" where it costs money. */
	assert_non_null(strstr(text, "  billed  "));
	free(text);
	fleet_free(fleet);
}

static void test_vacant_rows_skipped(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	struct endpoint_record bare = { .id = 700, .endpoint_status = ENDPOINT_ENABLED, .sim_status = SIM_NONE };
	fleet_add_endpoint(fleet, &bare);
	struct sim_record sim = { .id = 70, .sim_status = SIM_ACTIVATED };
	fleet_add_sim(fleet, &sim);
	bare.sim_id = 70;
	bare.sim_status = SIM_ACTIVATED;
	fleet_add_endpoint(fleet, &bare); /* row 1 goes vacant */
	assert_int_equal(fleet_count(fleet), 2);
	char *text = write_to_string(fleet, NULL, 0, OUTPUT_CSV);
	assert_string_equal(text,
			    "sim_id,endpoint_id,iccid,imsi,msisdn,name,sim_status,endpoint_status,alignment,ip_address,tags\r\n"
			    "70,700,,,,,Activated,Enabled,online,,\r\n");
	free(text);
	size_t rows[] = { 1, 0, 5 };
	text = write_to_string(fleet, rows, 3, OUTPUT_JSON);
	assert_string_equal(text,
			    "[\n{\"sim_id\":70,\"endpoint_id\":700,\"iccid\":null,\"imsi\":null,\"msisdn\":null,\"name\":null,"
			    "\"sim_status\":\"Activated\",\"endpoint_status\":\"Enabled\",\"alignment\":\"online\","
			    "\"ip_address\":null,\"tags\":null}\n]\n");
	free(text);
	fleet_free(fleet);
}

static void test_write_failure(void **state)
{
	(void)state;
	FILE *out = fopen("/dev/full", "w");
	if (!out)
		skip();
	struct fleet *fleet = sample_fleet();
	errno = 0;
	assert_false(output_write(out, fleet, NULL, 0, OUTPUT_CSV));
	assert_int_equal(errno, ENOSPC);
	fclose(out);
	fleet_free(fleet);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		return 77;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_csv_field_quoting),
		cmocka_unit_test(test_csv_formula_guard),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_formula_every_column),
		cmocka_unit_test(test_csv_empty_and_billed),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_cuts_by_width),
		cmocka_unit_test(test_vacant_rows_skipped),
		cmocka_unit_test(test_write_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
