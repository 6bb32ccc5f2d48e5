/* test_emnify.c — JSON mapping, paging headers, authentication and error messages, against the
 * recorded real exchanges in tests/data. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "emnify.h"
#include "fleet.h"
#include "page_parser.h"

/* --- fixtures ---------------------------------------------------------------------------- */

static cJSON *load_fixture(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	FILE *file = fopen(path, "rb");
	if (!file)
		fail_msg("cannot open %s", path);
	char *text = NULL;
	size_t length = 0, capacity = 0;
	for (;;) {
		if (length + 4096 > capacity) {
			capacity = capacity * 2 + 4096;
			text = realloc(text, capacity);
			assert_non_null(text);
		}
		size_t got = fread(text + length, 1, capacity - length, file);
		length += got;
		if (got == 0)
			break;
	}
	fclose(file);
	cJSON *root = cJSON_ParseWithLength(text, length);
	free(text);
	if (!root)
		fail_msg("%s is not JSON", path);
	return root;
}

static const cJSON *fixture_response(const cJSON *fixture)
{
	const cJSON *response = cJSON_GetObjectItemCaseSensitive(fixture, "response");
	assert_non_null(response);
	return response;
}

static long fixture_status(const cJSON *fixture)
{
	return (long)cJSON_GetObjectItemCaseSensitive(fixture_response(fixture), "status")->valuedouble;
}

/* The response body as the API sent it: body_json printed back to text, or body_text. The
 * result is not NUL-terminated (as a body from the network): *length says how long it is. */
static char *fixture_body(const cJSON *fixture, size_t *length)
{
	const cJSON *response = fixture_response(fixture);
	const cJSON *json = cJSON_GetObjectItemCaseSensitive(response, "body_json");
	char *printed;
	if (json && !cJSON_IsNull(json)) {
		printed = cJSON_PrintUnformatted(json);
	} else {
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(response, "body_text");
		assert_true(cJSON_IsString(text));
		printed = strdup(text->valuestring);
	}
	assert_non_null(printed);
	*length = strlen(printed);
	char *body = malloc(*length ? *length : 1);
	assert_non_null(body);
	memcpy(body, printed, *length);
	free(printed);
	return body;
}

static void load_body(const char *name, char **body, size_t *length, long *status)
{
	cJSON *fixture = load_fixture(name);
	*body = fixture_body(fixture, length);
	if (status)
		*status = fixture_status(fixture);
	cJSON_Delete(fixture);
}

/* Every header of the fixture, fed as a raw "Name: value\r\n" line. */
static struct emnify_paging fixture_paging(const char *name)
{
	struct emnify_paging paging = { 0 };
	cJSON *fixture = load_fixture(name);
	const cJSON *headers = cJSON_GetObjectItemCaseSensitive(fixture_response(fixture), "headers");
	const cJSON *header;
	cJSON_ArrayForEach(header, headers) {
		char line[2048];
		int length = snprintf(line, sizeof(line), "%s: %s\r\n", header->string, header->valuestring);
		assert_true(length > 0 && (size_t)length < sizeof(line));
		emnify_paging_header(&paging, line, (size_t)length);
	}
	cJSON_Delete(fixture);
	return paging;
}

static const struct device *find_endpoint(const struct fleet *fleet, int64_t id)
{
	size_t index;
	if (!fleet_find_endpoint(fleet, id, &index))
		fail_msg("endpoint %lld not found", (long long)id);
	return fleet_device(fleet, index);
}

static const struct device *find_sim(const struct fleet *fleet, int64_t id)
{
	size_t index;
	if (!fleet_find_sim(fleet, id, &index))
		fail_msg("SIM %lld not found", (long long)id);
	return fleet_device(fleet, index);
}

static void parse_endpoint_fixture(struct fleet *fleet, const char *name, size_t expected)
{
	char *body, message[256] = "";
	size_t length;
	struct emnify_page page = { 0 };
	load_body(name, &body, &length, NULL);
	assert_int_equal(emnify_parse_endpoint_page(body, length, fleet, 0, &page, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(page.ids.count, expected);
	/* Every recorded endpoint page gives its SIMs' statuses: the lean load needs no SIM list
	 * for the SIMs the endpoints hold. */
	assert_int_equal(page.sims_without_status, 0);
	free(body);
}

/* A nested SIM without its status is counted, so that the load lists every SIM to learn it. */
static void test_endpoint_page_sim_without_status(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	static const char body[] = "[{\"id\":1,\"status\":{\"id\":0},\"sim\":{\"id\":10,\"iccid\":\"8988\"}},"
				   "{\"id\":2,\"status\":{\"id\":1},\"sim\":{\"id\":11,\"status\":{\"id\":1}}},"
				   "{\"id\":3,\"status\":{\"id\":1}}]";
	char message[256] = "";
	struct emnify_page page = { 0 };
	assert_int_equal(emnify_parse_endpoint_page(body, strlen(body), fleet, 0, &page, message, sizeof(message)),
			 EMNIFY_OK);
	assert_int_equal(page.ids.count, 3);
	assert_int_equal(page.sims_without_status, 1);
	assert_int_equal(find_endpoint(fleet, 1)->sim_status, SIM_NONE);
	fleet_free(fleet);
}

static void parse_sim_fixture(struct fleet *fleet, const char *name, size_t expected)
{
	char *body, message[256] = "";
	size_t length;
	struct emnify_page page = { 0 };
	load_body(name, &body, &length, NULL);
	assert_int_equal(emnify_parse_sim_page(body, length, fleet, 0, &page, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(page.ids.count, expected);
	free(body);
}

/* --- pages ------------------------------------------------------------------------------- */

static void test_real_endpoint_page(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	parse_endpoint_fixture(fleet, "get_all_devices.02.json", 3);
	assert_int_equal(fleet_count(fleet), 3);

	const struct device *device = find_endpoint(fleet, 11379224);
	assert_int_equal(device->endpoint_status, ENDPOINT_ENABLED);
	assert_int_equal(device->sim_id, 4397515);
	assert_int_equal(device->sim_status, SIM_ACTIVATED);
	assert_string_equal(fleet_text(fleet, device, TEXT_NAME), "Luboi");
	assert_string_equal(fleet_text(fleet, device, TEXT_TAGS), "demo");
	assert_string_equal(fleet_text(fleet, device, TEXT_IMEI), ""); /* null */
	assert_string_equal(fleet_text(fleet, device, TEXT_IP), "10.191.216.67");
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8988303000006734768");
	assert_string_equal(fleet_text(fleet, device, TEXT_IMSI), "295050901896257");
	assert_string_equal(fleet_text(fleet, device, TEXT_MSISDN), "423663921520532");
	assert_int_equal(fleet_alignment(device), ALIGN_ONLINE);

	/* No "sim" key: an endpoint without a SIM. Empty tags stay empty. */
	device = find_endpoint(fleet, 11379818);
	assert_int_equal(device->endpoint_status, ENDPOINT_DISABLED);
	assert_int_equal(device->sim_id, 0);
	assert_int_equal(device->sim_status, SIM_NONE);
	assert_string_equal(fleet_text(fleet, device, TEXT_NAME), "no sms 1");
	assert_string_equal(fleet_text(fleet, device, TEXT_TAGS), "");
	assert_string_equal(fleet_text(fleet, device, TEXT_IP), "10.191.216.65");
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "");
	assert_int_equal(fleet_alignment(device), ALIGN_UNPAIRED);

	device = find_endpoint(fleet, 11379819);
	assert_string_equal(fleet_text(fleet, device, TEXT_NAME), "sms experiment 2");
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_ONLINE), 1);
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_UNPAIRED), 2);
	fleet_free(fleet);
}

/* The 2024 backend: comma-separated tags, an IMEI, iccid_with_luhn in the nested SIM. */
static void test_real_endpoint_page_newer(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	parse_endpoint_fixture(fleet, "test_update_device_error_handling_service_profile.02.json", 3);

	const struct device *device = find_endpoint(fleet, 11898581);
	assert_string_equal(fleet_text(fleet, device, TEXT_NAME), "First Device (Example)");
	assert_string_equal(fleet_text(fleet, device, TEXT_TAGS), "Customer A, Project B, Device C, Version 0.1");
	assert_int_equal(device->endpoint_status, ENDPOINT_DISABLED);
	assert_int_equal(device->sim_id, 0);

	device = find_endpoint(fleet, 11898598);
	assert_string_equal(fleet_text(fleet, device, TEXT_NAME), "phone no2");
	assert_string_equal(fleet_text(fleet, device, TEXT_IMEI), "3554631177373901");
	assert_int_equal(device->sim_id, 4401340);
	assert_int_equal(device->sim_status, SIM_ACTIVATED);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8988303000006738593");
	assert_string_equal(fleet_text(fleet, device, TEXT_IMSI), "295050901900082");
	assert_string_equal(fleet_text(fleet, device, TEXT_MSISDN), "423663921524357");

	device = find_endpoint(fleet, 11898625);
	assert_int_equal(device->sim_id, 4401338);
	assert_string_equal(fleet_text(fleet, device, TEXT_IMEI), "3554621177373901");
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_ONLINE), 2);
	fleet_free(fleet);
}

static void test_real_sim_page(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	parse_sim_fixture(fleet, "get_sim_list.02.json", 12);
	assert_int_equal(fleet_count(fleet), 12);

	const struct device *device = find_sim(fleet, 250);
	assert_int_equal(device->sim_status, SIM_ACTIVATED);
	assert_int_equal(device->endpoint_id, 11380016); /* from the nested endpoint */
	assert_int_equal(device->endpoint_status, ENDPOINT_NONE);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8988303000000000129");
	assert_string_equal(fleet_text(fleet, device, TEXT_IMSI), "295050999900095");
	assert_string_equal(fleet_text(fleet, device, TEXT_MSISDN), "423663999900095");
	assert_string_equal(fleet_text(fleet, device, TEXT_NAME), ""); /* names come from endpoint pages */

	/* No "endpoint" key: a SIM without an endpoint. */
	device = find_sim(fleet, 253);
	assert_int_equal(device->sim_status, SIM_ISSUED);
	assert_int_equal(device->endpoint_id, 0);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8988303000000000132");

	device = find_sim(fleet, 4397515);
	assert_int_equal(device->sim_status, SIM_ACTIVATED);
	assert_int_equal(device->endpoint_id, 11379224);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8988303000006734768");

	device = find_sim(fleet, 4397516);
	assert_int_equal(device->sim_status, SIM_ISSUED);
	assert_string_equal(fleet_text(fleet, device, TEXT_MSISDN), "423663921520533");
	assert_int_equal(fleet_count_alignment(fleet, ALIGN_UNPAIRED), 12);
	fleet_free(fleet);
}

/* Both real pages join on SIM 4397515 ↔ endpoint 11379224, in either order. */
static void test_real_pages_join(void **state)
{
	(void)state;
	for (int order = 0; order < 2; order++) {
		struct fleet *fleet = fleet_new();
		if (order == 0) {
			parse_endpoint_fixture(fleet, "get_all_devices.02.json", 3);
			parse_sim_fixture(fleet, "get_sim_list.02.json", 12);
		} else {
			parse_sim_fixture(fleet, "get_sim_list.02.json", 12);
			parse_endpoint_fixture(fleet, "get_all_devices.02.json", 3);
		}
		assert_int_equal(fleet_count(fleet), 14);
		size_t by_sim, by_endpoint;
		assert_true(fleet_find_sim(fleet, 4397515, &by_sim));
		assert_true(fleet_find_endpoint(fleet, 11379224, &by_endpoint));
		assert_int_equal(by_sim, by_endpoint);
		const struct device *device = fleet_device(fleet, by_sim);
		assert_string_equal(fleet_text(fleet, device, TEXT_NAME), "Luboi");
		assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8988303000006734768");
		assert_int_equal(fleet_alignment(device), ALIGN_ONLINE);
		assert_int_equal(fleet_count_alignment(fleet, ALIGN_ONLINE), 1);
		assert_int_equal(fleet_count_alignment(fleet, ALIGN_UNPAIRED), 13);

		/* The page past the end repeats the last page: nothing doubles. */
		parse_endpoint_fixture(fleet, "get_all_devices.02.json", 3);
		parse_sim_fixture(fleet, "get_sim_list.02.json", 12);
		assert_int_equal(fleet_count(fleet), 14);
		assert_int_equal(fleet_count_alignment(fleet, ALIGN_ONLINE), 1);
		fleet_free(fleet);
	}
}

/* A page that fails validation leaves the fleet untouched. */
static void expect_bad_endpoint_page(const char *body, const char *expected_message)
{
	struct fleet *fleet = fleet_new();
	char message[256] = "";
	struct emnify_page page = { .ids.count = 99 };
	assert_int_equal(emnify_parse_endpoint_page(body, strlen(body), fleet, 0, &page, message, sizeof(message)),
			 EMNIFY_BAD_RESPONSE);
	assert_string_equal(message, expected_message);
	assert_int_equal(page.ids.count, 0);
	assert_int_equal(fleet_count(fleet), 0);
	fleet_free(fleet);
}

static void expect_bad_sim_page(const char *body, const char *expected_message)
{
	struct fleet *fleet = fleet_new();
	char message[256] = "";
	struct emnify_page page = { .ids.count = 99 };
	assert_int_equal(emnify_parse_sim_page(body, strlen(body), fleet, 0, &page, message, sizeof(message)),
			 EMNIFY_BAD_RESPONSE);
	assert_string_equal(message, expected_message);
	assert_int_equal(page.ids.count, 0);
	assert_int_equal(fleet_count(fleet), 0);
	fleet_free(fleet);
}

static void test_malformed_pages(void **state)
{
	(void)state;
	expect_bad_endpoint_page("{\"id\":1,\"status\":{\"id\":0}}", "endpoint page is not a JSON array");
	expect_bad_endpoint_page("", "endpoint page is empty");
	expect_bad_endpoint_page("[1]", "endpoint page item 0: not an object");
	expect_bad_endpoint_page("[{\"status\":{\"id\":0}}]", "endpoint page item 0: missing id");
	expect_bad_endpoint_page("[{\"id\":\"5\",\"status\":{\"id\":0}}]", "endpoint page item 0: id is not a number");
	expect_bad_endpoint_page("[{\"id\":-5,\"status\":{\"id\":0}}]",
				 "endpoint page item 0: id is not a positive integer id");
	expect_bad_endpoint_page("[{\"id\":0,\"status\":{\"id\":0}}]",
				 "endpoint page item 0: id is not a positive integer id");
	expect_bad_endpoint_page("[{\"id\":1.5,\"status\":{\"id\":0}}]",
				 "endpoint page item 0: id is not a positive integer id");
	expect_bad_endpoint_page("[{\"id\":9007199254740994,\"status\":{\"id\":0}}]",
				 "endpoint page item 0: id is not a positive integer id");
	expect_bad_endpoint_page("[{\"id\":1}]", "endpoint page item 0: missing status.id");
	expect_bad_endpoint_page("[{\"id\":1,\"status\":{}}]", "endpoint page item 0: missing status.id");
	expect_bad_endpoint_page("[{\"id\":1,\"status\":1}]", "endpoint page item 0: status is not an object");
	expect_bad_endpoint_page("[{\"id\":1,\"status\":{\"id\":\"0\"}}]",
				 "endpoint page item 0: status.id is not a number");
	expect_bad_endpoint_page("[{\"id\":1,\"status\":{\"id\":0}},{\"id\":2,\"status\":{\"id\":3}}]",
				 "endpoint page item 1: status.id 3 is not a known status");
	expect_bad_endpoint_page("[{\"id\":1,\"status\":{\"id\":-1}}]",
				 "endpoint page item 0: status.id -1 is not a known status");
	expect_bad_endpoint_page("[{\"id\":1,\"status\":{\"id\":0},\"name\":42}]",
				 "endpoint page item 0: name is not a string");
	expect_bad_endpoint_page("[{\"id\":1,\"status\":{\"id\":0},\"sim\":[]}]",
				 "endpoint page item 0: sim is not an object");
	expect_bad_endpoint_page("[{\"id\":1,\"status\":{\"id\":0},\"sim\":{\"iccid\":\"89\"}}]",
				 "endpoint page item 0: missing sim.id");
	expect_bad_endpoint_page("[{\"id\":1,\"status\":{\"id\":0},\"sim\":{\"id\":2,\"status\":{\"id\":9}}}]",
				 "endpoint page item 0: sim.status.id 9 is not a known status");
	expect_bad_endpoint_page("[{\"id\":1,\"status\":{\"id\":0}}] trailing",
				 "endpoint page is not valid JSON (near byte 29 of 37)");
	expect_bad_endpoint_page("[{\"id\":1,\"status\":{\"id\":0}", "endpoint page is not valid JSON (near byte 25 of 26)");
	expect_bad_endpoint_page("<html>502</html>", "endpoint page is not valid JSON (near byte 0 of 16)");

	expect_bad_sim_page("[{\"id\":1,\"status\":{\"id\":5}}]", "SIM page item 0: status.id 5 is not a known status");
	expect_bad_sim_page("[{\"id\":1,\"status\":{\"id\":1},\"endpoint\":{\"name\":\"x\"}}]",
			    "SIM page item 0: missing endpoint.id");
	expect_bad_sim_page("[{\"id\":1,\"status\":{\"id\":1},\"iccid\":8988}]", "SIM page item 0: iccid is not a string");
	expect_bad_sim_page("{}", "SIM page is not a JSON array");
}

/* A real page cut short, and a real page with one bad item after the good ones: nothing of
 * either reaches the fleet. */
static void test_malformed_real_pages(void **state)
{
	(void)state;
	char *body, message[256];
	size_t length;
	struct emnify_page page;
	load_body("get_sim_list.02.json", &body, &length, NULL);
	struct fleet *fleet = fleet_new();

	assert_int_equal(emnify_parse_sim_page(body, length - 10, fleet, 0, &page, message, sizeof(message)),
			 EMNIFY_BAD_RESPONSE);
	assert_non_null(strstr(message, "SIM page is not valid JSON"));
	assert_int_equal(fleet_count(fleet), 0);

	/* Replace the closing bracket with one more item that lacks a status. */
	char *extended = malloc(length + 64);
	assert_non_null(extended);
	memcpy(extended, body, length - 1);
	const char *bad = ",{\"id\":77}]";
	memcpy(extended + length - 1, bad, strlen(bad));
	assert_int_equal(emnify_parse_sim_page(extended, length - 1 + strlen(bad), fleet, 0, &page, message,
					       sizeof(message)),
			 EMNIFY_BAD_RESPONSE);
	assert_string_equal(message, "SIM page item 12: missing status.id");
	assert_int_equal(page.ids.count, 0);
	assert_int_equal(fleet_count(fleet), 0);
	free(extended);
	free(body);
	fleet_free(fleet);
}

static void test_page_edge_cases(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	char message[256] = "";
	struct emnify_page page = { .ids.count = 99 };
	/* An empty page is valid. */
	assert_int_equal(emnify_parse_endpoint_page("[]", 2, fleet, 0, &page, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(page.ids.count, 0);

	/* Ids above 2^32; strings cleaned of escape sequences and bounded; sim null = none;
	 * a nested SIM without status. */
	char body[4096];
	char long_name[2001];
	memset(long_name, 'x', 2000);
	long_name[2000] = '\0';
	snprintf(body, sizeof(body),
		 "[{\"id\":4294967301,\"status\":{\"id\":0},\"name\":\"evil\\u001b]0;title\\u0007name\","
		 "\"tags\":null,\"sim\":{\"id\":8589934593}},"
		 "{\"id\":2,\"status\":{\"id\":2},\"name\":\"%s\",\"sim\":null,\"ip_address\":\"\\u009b31m10.0.0.1\"}]",
		 long_name);
	assert_int_equal(emnify_parse_endpoint_page(body, strlen(body), fleet, 0, &page, message, sizeof(message)),
			 EMNIFY_OK);
	assert_int_equal(page.ids.count, 2);
	const struct device *device = find_endpoint(fleet, INT64_C(4294967301));
	assert_string_equal(fleet_text(fleet, device, TEXT_NAME), "evilname");
	assert_int_equal(device->sim_id, INT64_C(8589934593));
	assert_int_equal(device->sim_status, SIM_NONE);
	device = find_endpoint(fleet, 2);
	assert_int_equal(device->endpoint_status, ENDPOINT_DELETED);
	assert_int_equal(strlen(fleet_text(fleet, device, TEXT_NAME)), 512);
	assert_string_equal(fleet_text(fleet, device, TEXT_IP), "10.0.0.1");
	assert_int_equal(device->sim_id, 0);

	/* The largest id a double holds exactly. */
	const char *sims = "[{\"id\":9007199254740992,\"status\":{\"id\":4},\"endpoint\":null}]";
	assert_int_equal(emnify_parse_sim_page(sims, strlen(sims), fleet, 0, &page, message, sizeof(message)), EMNIFY_OK);
	device = find_sim(fleet, INT64_C(9007199254740992));
	assert_int_equal(device->sim_status, SIM_FACTORY_TEST);
	assert_int_equal(device->endpoint_id, 0);

	/* page and message may be left out. */
	assert_int_equal(emnify_parse_sim_page(sims, strlen(sims), fleet, 0, NULL, NULL, 0), EMNIFY_OK);
	assert_int_equal(emnify_parse_sim_page("[", 1, fleet, 0, NULL, NULL, 0), EMNIFY_BAD_RESPONSE);
	fleet_free(fleet);
}

/* A page cJSON cannot parse is refused as that, whatever its items hold: a later item's string
 * with half a surrogate pair, after an item that would be refused on its own. */
static void test_invalid_page_after_refused_item(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	char message[256] = "";
	const char *body = "[{\"id\":\"x\",\"status\":{\"id\":0}},{\"id\":2,\"status\":{\"id\":0},\"name\":\"\\uDC00\"}]";
	assert_int_equal(emnify_parse_endpoint_page(body, strlen(body), fleet, 0, NULL, message, sizeof(message)),
			 EMNIFY_BAD_RESPONSE);
	assert_non_null(strstr(message, "not valid JSON"));
	assert_int_equal(fleet_count(fleet), 0);
	fleet_free(fleet);
}

/* Keys are matched whole: one that starts like a key read (imei_lock, iccid_with_luhn,
 * ip_address_space, simple) is not that key, wherever it stands, and the first of a key
 * given twice counts. */
static void test_keys_sharing_a_prefix(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	char message[256] = "";
	const char *body =
		"[{\"i\":7,\"\":8,\"imei_lock\":\"lock\",\"idx\":9,\"id\":5,\"status_text\":\"x\","
		"\"status\":{\"id\":1},\"nam\":\"short\",\"names\":\"long\",\"name\":\"first\",\"name\":\"second\","
		"\"ip_address_space\":{\"id\":3},\"ip_address\":\"10.0.0.5\",\"imei\":\"350000000000001\","
		"\"tag\":\"no\",\"tags\":\"yes\",\"simple\":true,"
		"\"sim\":{\"iccid_with_luhn\":\"89000000000000000013\",\"iccid\":\"8900000000000000001\",\"id\":6,"
		"\"imsi_old\":\"1\",\"imsi\":\"295000000000001\",\"msisdn\":\"42300000001\",\"status\":{\"id\":1}}}]";
	assert_int_equal(emnify_parse_endpoint_page(body, strlen(body), fleet, 0, NULL, message, sizeof(message)),
			 EMNIFY_OK);
	const struct device *device = find_endpoint(fleet, 5);
	assert_int_equal(device->endpoint_status, ENDPOINT_DISABLED);
	assert_string_equal(fleet_text(fleet, device, TEXT_NAME), "first");
	assert_string_equal(fleet_text(fleet, device, TEXT_IP), "10.0.0.5");
	assert_string_equal(fleet_text(fleet, device, TEXT_IMEI), "350000000000001");
	assert_string_equal(fleet_text(fleet, device, TEXT_TAGS), "yes");
	assert_int_equal(device->sim_id, 6);
	assert_int_equal(device->sim_status, SIM_ACTIVATED);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8900000000000000001");
	assert_string_equal(fleet_text(fleet, device, TEXT_IMSI), "295000000000001");
	assert_string_equal(fleet_text(fleet, device, TEXT_MSISDN), "42300000001");
	fleet_free(fleet);
}

/* --- the slimmed copy ------------------------------------------------------------------- */

/* Two fleets hold the same devices, in the same places. */
static void assert_same_fleet(const struct fleet *a, const struct fleet *b)
{
	assert_int_equal(fleet_count(a), fleet_count(b));
	for (size_t i = 0; i < fleet_count(a); i++) {
		const struct device *x = fleet_device(a, i), *y = fleet_device(b, i);
		assert_int_equal(x->sim_id, y->sim_id);
		assert_int_equal(x->endpoint_id, y->endpoint_id);
		assert_int_equal(x->sim_status, y->sim_status);
		assert_int_equal(x->endpoint_status, y->endpoint_status);
		assert_int_equal(x->odd, y->odd);
		for (int field = 0; field < TEXT_COUNT; field++)
			assert_string_equal(fleet_text(a, x, field), fleet_text(b, y, field));
	}
}

/* The page read as the loader reads it (through the slimmed copy when the page allows one)
 * and read whole: a UTF-8 byte order mark, which cJSON skips and the copy declines
 * (json_slim.h), makes the second reading parse the page itself. The same verdict, and the
 * same devices. */
static void expect_same_reading(enum fleet_list list, const char *body, size_t length)
{
	if (length >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0)
		return;  /* read whole already; cJSON skips one mark, not two */
	char *marked = malloc(length + 3);
	assert_non_null(marked);
	memcpy(marked, "\xef\xbb\xbf", 3);
	memcpy(marked + 3, body, length);
	struct fleet *slimmed = fleet_new(), *whole = fleet_new();
	char message[256];
	enum emnify_result a, b;
	if (list == FLEET_LIST_SIMS) {
		a = emnify_parse_sim_page(body, length, slimmed, 0, NULL, message, sizeof(message));
		b = emnify_parse_sim_page(marked, length + 3, whole, 0, NULL, message, sizeof(message));
	} else {
		a = emnify_parse_endpoint_page(body, length, slimmed, 0, NULL, message, sizeof(message));
		b = emnify_parse_endpoint_page(marked, length + 3, whole, 0, NULL, message, sizeof(message));
	}
	assert_int_equal(a, b);
	assert_same_fleet(slimmed, whole);
	fleet_free(slimmed);
	fleet_free(whole);
	free(marked);
}

/* The recorded real pages, and each of them cut short and with one byte changed at every
 * place: the loader reads each exactly as a parse of the whole page would, good or bad. */
static void test_slimmed_pages_read_as_the_page(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum fleet_list list;
	} pages[] = {
		{ "get_all_devices.02.json", FLEET_LIST_ENDPOINTS },
		{ "test_update_device_error_handling_service_profile.02.json", FLEET_LIST_ENDPOINTS },
		{ "get_sim_list.02.json", FLEET_LIST_SIMS },
	};
	static const char replacements[] = "\"\\{}],:x";
	for (size_t p = 0; p < sizeof(pages) / sizeof(pages[0]); p++) {
		char *body;
		size_t length;
		load_body(pages[p].name, &body, &length, NULL);
		expect_same_reading(pages[p].list, body, length);
		char *changed = malloc(length);
		assert_non_null(changed);
		for (size_t at = 0; at < length; at++) {
			expect_same_reading(pages[p].list, body, at);
			for (const char *c = replacements; *c; c++) {
				memcpy(changed, body, length);
				changed[at] = *c;
				expect_same_reading(pages[p].list, changed, length);
			}
		}
		free(changed);
		free(body);
	}
}

/* --- the page parser's workers ----------------------------------------------------------- */

static void no_wake(void *context)
{
	(void)context;
}

/* An endpoint page of count items, ids from first on. */
static char *endpoint_page(int64_t first, size_t count, size_t *length)
{
	size_t capacity = 64 + count * 96;
	char *body = malloc(capacity);
	assert_non_null(body);
	size_t used = (size_t)snprintf(body, capacity, "[");
	for (size_t i = 0; i < count; i++)
		used += (size_t)snprintf(body + used, capacity - used,
					 "%s{\"id\":%lld,\"status\":{\"id\":0},\"name\":\"device %lld\"}", i ? "," : "",
					 (long long)(first + (int64_t)i), (long long)(first + (int64_t)i));
	used += (size_t)snprintf(body + used, capacity - used, "]");
	*length = used;
	return body;
}

/* Pages of very different sizes, so that the workers finish them out of order: each result
 * is taken in the order submitted, with its own records, and a refused page in its place. */
static void test_page_parser_order(void **state)
{
	(void)state;
	enum { PAGES = 40 };
	struct page_parser *parser = page_parser_new(no_wake, NULL);
	for (intptr_t page = 0; page < PAGES; page++) {
		size_t length;
		char *body;
		if (page == 17) {
			body = strdup("[{\"id\":1,");
			length = strlen(body);
		} else {
			body = endpoint_page(page * 100000 + 1, page % 3 == 0 ? 20000 : 1, &length);
		}
		page_parser_submit(parser, FLEET_LIST_ENDPOINTS, body, length, (void *)(page + 1));
	}
	struct fleet *fleet = fleet_new();
	intptr_t next = 0;
	while (next < PAGES) {
		void *tag;
		struct emnify_parsed_page *parsed;
		char message[256];
		if (!page_parser_take(parser, &tag, &parsed, message, sizeof(message)))
			continue;  /* not parsed yet: a busy wait is fine in a test */
		assert_int_equal((intptr_t)tag, next + 1);
		if (next == 17) {
			assert_null(parsed);
			assert_non_null(strstr(message, "not valid JSON"));
		} else {
			assert_non_null(parsed);
			struct emnify_page page;
			emnify_add_page(parsed, fleet, next + 1, &page);
			assert_int_equal(page.ids.count, next % 3 == 0 ? 20000 : 1);
			assert_int_equal(page.ids.first_id, next * 100000 + 1);
			emnify_parsed_page_free(parsed);
		}
		next++;
	}
	assert_int_equal(page_parser_pending(parser), 0);
	page_parser_free(parser, NULL);
	const struct device *device = find_endpoint(fleet, 39 * 100000 + 20000);
	assert_string_equal(fleet_text(fleet, device, TEXT_NAME), "device 3920000");
	fleet_free(fleet);
}

/* Pages whose trees outgrow one block of the parse's memory, a string longer than a block,
 * and the same memory used again for the next page: every record arrives intact. */
static void test_large_pages(void **state)
{
	(void)state;
	enum { SIMS = 5000 };
	size_t huge = (size_t)3 << 20;  /* a 3 MiB ICCID, cut to the bound of a field */
	size_t capacity = SIMS * 200 + huge + 100;
	char *body = malloc(capacity);
	assert_non_null(body);
	struct fleet *fleet = fleet_new();
	struct emnify_page page = { 0 };
	char message[256] = "";
	for (int round = 0; round < 2; round++) {
		size_t length = 0;
		body[length++] = '[';
		for (int i = 0; i < SIMS; i++)
			length += (size_t)snprintf(body + length, capacity - length,
						   "%s{\"id\":%d,\"status\":{\"id\":%d},\"iccid\":\"89883%014d\","
						   "\"imsi\":\"2950%011d\",\"msisdn\":\"4236%011d\",\"endpoint\":null}",
						   i ? "," : "", i + 1 + round * SIMS, i % 5, i, i, i);
		body[length++] = ']';
		assert_int_equal(emnify_parse_sim_page(body, length, fleet, 0, &page, message, sizeof(message)), EMNIFY_OK);
		assert_int_equal(page.ids.count, SIMS);
	}
	assert_int_equal(fleet_count(fleet), 2 * SIMS);
	const struct device *device = find_sim(fleet, 2 * SIMS);
	assert_string_equal(fleet_text(fleet, device, TEXT_ICCID), "8988300000000004999");
	assert_int_equal(device->sim_status, 4);

	/* One string larger than a block. */
	size_t length = (size_t)snprintf(body, capacity, "[{\"id\":%d,\"status\":{\"id\":1},\"iccid\":\"", 3 * SIMS);
	memset(body + length, '7', huge);
	length += huge;
	length += (size_t)snprintf(body + length, capacity - length, "\",\"endpoint\":null}]");
	assert_int_equal(emnify_parse_sim_page(body, length, fleet, 0, &page, message, sizeof(message)), EMNIFY_OK);
	device = find_sim(fleet, 3 * SIMS);
	assert_int_equal(strlen(fleet_text(fleet, device, TEXT_ICCID)), 512);  /* bounded */
	free(body);
	fleet_free(fleet);
}

/* --- headers ----------------------------------------------------------------------------- */

/* Each page tells its ids in order. A numbered page with the ids of an earlier page of its
 * list is a page served again (past the end): noted as repeated, its records not added again.
 * Unnumbered, the same page is a page of duplicates. */
static void test_page_fingerprint(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	char *body, message[256] = "";
	size_t length;
	struct emnify_page first, again, other;
	load_body("get_all_devices.02.json", &body, &length, NULL);
	assert_int_equal(emnify_parse_endpoint_page(body, length, fleet, 1, &first, message, sizeof(message)),
			 EMNIFY_OK);
	assert_int_equal(first.ids.count, 3);
	assert_int_equal(first.ids.first_id, 11379224);
	assert_int_equal(first.ids.last_id, 11379819);
	assert_false(first.repeated);

	assert_int_equal(emnify_parse_endpoint_page(body, length, fleet, 2, &again, message, sizeof(message)),
			 EMNIFY_OK);
	assert_true(again.repeated);
	assert_memory_equal(&first.ids, &again.ids, sizeof(first.ids));
	struct fleet_anomalies odd;
	fleet_anomalies(fleet, &odd);
	assert_int_equal(odd.lists[FLEET_LIST_ENDPOINTS].repeated_pages, 1);
	assert_int_equal(odd.duplicate_endpoints, 0);
	char line[256];
	assert_true(fleet_describe_anomalies(fleet, line, sizeof(line)));
	assert_string_equal(line, "odd data from the API: 1 endpoint page repeated an earlier one");

	/* The same ids in a SIM page belong to another list. */
	assert_false(fleet_note_page(fleet, FLEET_LIST_SIMS, 1, &again.ids, NULL));
	/* The same ids in another order are another page. */
	const char *swapped = "[{\"id\":11379818,\"status\":{\"id\":1}},{\"id\":11379224,\"status\":{\"id\":0},"
			      "\"sim\":{\"id\":4397515}},{\"id\":11379819,\"status\":{\"id\":1}}]";
	assert_int_equal(emnify_parse_endpoint_page(swapped, strlen(swapped), fleet, 3, &other, message,
						    sizeof(message)),
			 EMNIFY_OK);
	assert_false(other.repeated);
	assert_true(other.ids.hash != first.ids.hash);
	fleet_anomalies(fleet, &odd);
	assert_int_equal(odd.duplicate_endpoints, 3);
	assert_int_equal(odd.duplicate_endpoint_records, 6);

	/* Unnumbered pages are not compared. */
	assert_int_equal(emnify_parse_endpoint_page(body, length, fleet, 0, &again, message, sizeof(message)),
			 EMNIFY_OK);
	assert_false(again.repeated);
	fleet_anomalies(fleet, &odd);
	assert_int_equal(odd.duplicate_endpoint_records, 9);
	assert_int_equal(odd.lists[FLEET_LIST_ENDPOINTS].repeated_pages, 1);
	assert_int_equal(fleet_count(fleet), 3);
	free(body);
	fleet_free(fleet);
}

static void test_real_paging_headers(void **state)
{
	(void)state;
	struct emnify_paging paging = fixture_paging("get_all_devices.02.json");
	assert_int_equal(paging.total_count, 3);
	assert_int_equal(paging.total_pages, 1);
	assert_int_equal(paging.current_page, 1);
	assert_int_equal(paging.per_page, 1000);

	paging = fixture_paging("get_sim_list.02.json");
	assert_int_equal(paging.total_count, 12);
	assert_int_equal(paging.total_pages, 1);
	assert_int_equal(paging.per_page, 2000);

	/* Lower-case names (the events list). */
	paging = fixture_paging("device_events.03.json");
	assert_int_equal(paging.total_count, 2);
	assert_int_equal(paging.total_pages, 1);
	assert_int_equal(paging.current_page, 1);
	assert_int_equal(paging.per_page, 100);

	/* The newer backend's extra headers agree with the documented ones. */
	paging = fixture_paging("test_update_device.02.json");
	assert_int_equal(paging.total_count, 3);
	assert_int_equal(paging.total_pages, 1);
	assert_int_equal(paging.per_page, 1000);

	/* Errors carry no paging headers. */
	paging = fixture_paging("get_all_devices.00.json");
	assert_int_equal(paging.total_count, 0);
	assert_int_equal(paging.total_pages, 0);
}

static void feed(struct emnify_paging *paging, const char *line)
{
	emnify_paging_header(paging, line, strlen(line));
}

static void test_paging_header_lines(void **state)
{
	(void)state;
	struct emnify_paging paging = { 0 };
	feed(&paging, "x-total-pages: 3\r\n");
	assert_int_equal(paging.total_pages, 3);
	feed(&paging, "X-TOTAL-COUNT:\t  7500 \r\n");
	assert_int_equal(paging.total_count, 7500);
	feed(&paging, "X-Current-Page:2");
	assert_int_equal(paging.current_page, 2);
	feed(&paging, "X-Count-Per-Page: 2500\n");
	assert_int_equal(paging.per_page, 2500);
	/* Junk values and other headers change nothing. */
	feed(&paging, "X-Total-Pages: 3abc\r\n");
	feed(&paging, "X-Total-Pages: -4\r\n");
	feed(&paging, "X-Total-Pages:\r\n");
	feed(&paging, "X-Total-Pages-Extra: 9\r\n");
	feed(&paging, "X-Total-Pages 9\r\n");
	feed(&paging, "HTTP/2 200\r\n");
	feed(&paging, "\r\n");
	feed(&paging, "X-Total-Pages: 99999999999999999999999\r\n");
	assert_int_equal(paging.total_pages, 3);
	/* Lines are not NUL-terminated: only length bytes count. */
	const char *line = "X-Total-Pages: 45";
	emnify_paging_header(&paging, line, strlen(line) - 1);
	assert_int_equal(paging.total_pages, 4);
	/* Large counts. */
	feed(&paging, "X-Total-Count: 1000000\r\n");
	assert_int_equal(paging.total_count, 1000000);
}

/* --- authentication ---------------------------------------------------------------------- */

static void base64url(const char *text, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t length = strlen(text), used = 0;
	for (size_t i = 0; i < length; i += 3) {
		uint32_t bits = (uint32_t)(unsigned char)text[i] << 16;
		if (i + 1 < length)
			bits |= (uint32_t)(unsigned char)text[i + 1] << 8;
		if (i + 2 < length)
			bits |= (unsigned char)text[i + 2];
		out[used++] = alphabet[(bits >> 18) & 63];
		out[used++] = alphabet[(bits >> 12) & 63];
		if (i + 1 < length)
			out[used++] = alphabet[(bits >> 6) & 63];
		if (i + 2 < length)
			out[used++] = alphabet[bits & 63];
	}
	out[used] = '\0';
}

static void make_jwt(const char *payload, char *jwt)
{
	char header[128], claims[512];
	base64url("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", header);
	base64url(payload, claims);
	sprintf(jwt, "%s.%s.c2lnbmF0dXJl", header, claims);
}

static void test_real_auth_response(void **state)
{
	(void)state;
	char *body, *token, message[256];
	size_t length;
	long status;
	int64_t expires = -1;
	load_body("get_all_devices.01.json", &body, &length, &status);
	assert_int_equal(status, 200);
	assert_int_equal(emnify_parse_auth(body, length, &token, &expires, message, sizeof(message)), EMNIFY_OK);
	assert_string_equal(token, "REDACTED.JWT.TOKEN");
	assert_int_equal(expires, 0); /* the redacted token carries no claims */
	free(token);
	free(body);
}

static void test_jwt_expiry(void **state)
{
	(void)state;
	char jwt[1024];
	int64_t expires = 0;
	/* Claims as emnify's tokens carry them (7-day lifetime). */
	make_jwt("{\"aud\":\"/api/v1/authentication\",\"esc.app\":1234,\"esc.org\":13886,"
		 "\"iss\":\"cdn.emnify.net\",\"iat\":1647973126,\"exp\":1648577926}",
		 jwt);
	assert_true(emnify_jwt_expiry(jwt, &expires));
	assert_int_equal(expires, 1648577926);

	/* The same through the authentication response. */
	char body[1200], *token, message[256];
	snprintf(body, sizeof(body), "{\"auth_token\":\"%s\"}", jwt);
	assert_int_equal(emnify_parse_auth(body, strlen(body), &token, &expires, message, sizeof(message)), EMNIFY_OK);
	assert_string_equal(token, jwt);
	assert_int_equal(expires, 1648577926);
	free(token);

	/* Padding is tolerated; a 64-bit exp survives. */
	make_jwt("{\"exp\":4102444800}", jwt);
	char padded[1100];
	char *second_dot = strrchr(jwt, '.');
	snprintf(padded, sizeof(padded), "%.*s==%s", (int)(second_dot - jwt), jwt, second_dot);
	assert_true(emnify_jwt_expiry(padded, &expires));
	assert_int_equal(expires, INT64_C(4102444800));

	expires = 42;
	make_jwt("{\"iat\":1}", jwt);
	assert_false(emnify_jwt_expiry(jwt, &expires));
	make_jwt("{\"exp\":\"soon\"}", jwt);
	assert_false(emnify_jwt_expiry(jwt, &expires));
	make_jwt("[1648577926]", jwt);
	assert_false(emnify_jwt_expiry(jwt, &expires));
	assert_false(emnify_jwt_expiry("", &expires));
	assert_false(emnify_jwt_expiry("abc", &expires));
	assert_false(emnify_jwt_expiry("a.b", &expires));
	assert_false(emnify_jwt_expiry("a.!!!.c", &expires));
	assert_false(emnify_jwt_expiry("REDACTED.JWT.TOKEN", &expires));
	assert_int_equal(expires, 42);
}

static void expect_bad_auth(const char *body, const char *expected_message)
{
	static char unset[] = "unset";
	char *token = unset, message[256];
	int64_t expires = 7;
	assert_int_equal(emnify_parse_auth(body, strlen(body), &token, &expires, message, sizeof(message)),
			 EMNIFY_BAD_RESPONSE);
	assert_null(token);
	assert_int_equal(expires, 0);
	assert_string_equal(message, expected_message);
}

static void test_auth_errors(void **state)
{
	(void)state;
	expect_bad_auth("", "the authentication response is not a JSON object");
	expect_bad_auth("[\"x\"]", "the authentication response is not a JSON object");
	expect_bad_auth("{\"token\":\"abc\"}", "the authentication response has no auth_token");
	expect_bad_auth("{\"auth_token\":42}", "the authentication response has no auth_token");
	expect_bad_auth("{\"mfa_token\":\"abc\"}", "the API asked for a second factor; use an application token");
	expect_bad_auth("{\"auth_token\":\"abc\\r\\nX-Evil: 1\"}", "the auth_token holds characters a JWT cannot have");
	expect_bad_auth("{\"auth_token\":\"\"}", "the auth_token holds characters a JWT cannot have");
}

/* --- error messages ---------------------------------------------------------------------- */

static void expect_fixture_message(const char *name, long expected_status, const char *expected)
{
	char *body, message[512];
	size_t length;
	long status;
	load_body(name, &body, &length, &status);
	assert_int_equal(status, expected_status);
	emnify_error_message(status, body, length, message, sizeof(message));
	assert_string_equal(message, expected);
	free(body);
}

static void test_real_error_bodies(void **state)
{
	(void)state;
	expect_fixture_message("get_all_devices.00.json", 401, "HTTP 401: token contains an invalid number of segments");
	expect_fixture_message("test_update_device_error_handling_device_id.02.json", 404,
			       "HTTP 404: Endpoint with Id '-1' not found. (InvalidReference 1401)");
	expect_fixture_message("test_update_device_error_handling_device_id.05.json", 400,
			       "HTTP 400: Cannot parse parameter id as Long: For input string: \"None\" (BadRequest 1000)");
	expect_fixture_message("test_update_device_error_handling_service_profile.03.json", 422,
			       "HTTP 422: Update endpoint validation error: Service profile with Id '-1' not found. "
			       "(InputValidationFailed 1400)");
	expect_fixture_message("activate_sim_by_bic_422.02.json", 422, "HTTP 422 with an empty body");
}

static void expect_message(long status, const char *body, const char *expected)
{
	char message[512];
	emnify_error_message(status, body, strlen(body), message, sizeof(message));
	assert_string_equal(message, expected);
}

static void test_error_bodies(void **state)
{
	(void)state;
	expect_message(409,
		       "{\"error_code\":1406,\"error_token\":\"NotAllowed\","
		       "\"message\":\"SIM status change from Issued to Suspended is not allowed\"}",
		       "HTTP 409: SIM status change from Issued to Suspended is not allowed (NotAllowed 1406)");
	expect_message(422,
		       "{\"error_code\":1400,\"error_token\":\"InputValidationFailed\",\"message\":\"Invalid\","
		       "\"errors\":[{\"message\":\"first\"},{\"error_code\":1402},{\"message\":\"second\"}]}",
		       "HTTP 422: Invalid: first; second (InputValidationFailed 1400)");
	expect_message(422, "{\"errors\":[{\"message\":\"only detail\"}]}", "HTTP 422: only detail");
	expect_message(429, "{\"message\":\"Too Many Requests\"}", "HTTP 429: Too Many Requests");
	expect_message(403, "{\"error_code\":1104,\"error_token\":\"Forbidden\"}", "HTTP 403 (Forbidden 1104)");
	expect_message(500, "{\"error_code\":1}", "HTTP 500 (error 1)");
	expect_message(204, "", "HTTP 204 with an empty body");
	expect_message(500, " \r\n", "HTTP 500 with an empty body");
	expect_message(500, "[1,2]", "HTTP 500 with an unexpected JSON body: [1,2]");
	expect_message(500, "{}", "HTTP 500 with an unexpected JSON body: {}");
	/* A proxy's HTML: the first 60 characters, white space folded. */
	expect_message(502,
		       "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
		       "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
		       "HTTP 502 with a non-JSON body: <html> <head><title>502 Bad Gateway</title></head> <body> "
		       "<c...");
	expect_message(503, "Service Unavailable", "HTTP 503 with a non-JSON body: Service Unavailable");
	/* What the API says is cleaned before it reaches a terminal. */
	expect_message(409, "{\"message\":\"bad\\u001b[31m red\\u001b]0;pwned\\u0007\\n\"}", "HTTP 409: bad red ");
	expect_message(502, "oops\x1b[2J\x9b" "1mgone", "HTTP 502 with a non-JSON body: oopsgone");
	expect_message(502, "日本語のエラー", "HTTP 502 with a non-JSON body: 日本語のエラー");
}

static void test_error_message_bounds(void **state)
{
	(void)state;
	char message[16];
	const char *body = "{\"message\":\"Ünïcödé everywhere\"}";
	memset(message, 'x', sizeof(message));
	emnify_error_message(404, body, strlen(body), message, sizeof(message));
	assert_true(strlen(message) < sizeof(message));
	assert_string_equal(message, "HTTP 404: \xc3\x9cn\xc3\xaf"); /* no half character */

	/* A body that is not NUL-terminated is read only to its length. */
	char raw[5] = { '{', '}', 'x', 'y', 'z' };
	char large[128];
	emnify_error_message(500, raw, 2, large, sizeof(large));
	assert_string_equal(large, "HTTP 500 with an unexpected JSON body: {}");
	emnify_error_message(500, NULL, 0, large, sizeof(large));
	assert_string_equal(large, "HTTP 500 with an empty body");
	emnify_error_message(500, raw, 2, NULL, 0);
}

/* --- request bodies ---------------------------------------------------------------------- */

static void test_request_bodies(void **state)
{
	(void)state;
	char *body = emnify_auth_body("abc\"def\\");
	assert_string_equal(body, "{\"application_token\":\"abc\\\"def\\\\\"}");
	free(body);
	body = emnify_status_body(2);
	assert_string_equal(body, "{\"status\":{\"id\":2}}");
	free(body);
	body = emnify_status_body(0);
	assert_string_equal(body, "{\"status\":{\"id\":0}}");
	free(body);
}

/* --- what a job reads back and sends ---------------------------------------------------- */

/* GET /api/v1/endpoint/{id} as recorded: the endpoint's status and its SIM's. */
static void test_object_read_back(void **state)
{
	(void)state;
	struct transport_object object;
	char *body, message[256];
	size_t length;
	long status;

	load_body("test_activate_disactivate_device.03.json", &body, &length, &status);
	assert_int_equal(status, 200);
	assert_int_equal(emnify_parse_object(body, length, true, &object, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(object.endpoint_id, 11379224);
	assert_int_equal(object.endpoint_status, ENDPOINT_ENABLED);
	assert_int_equal(object.sim_id, 4397515);
	assert_int_equal(object.sim_status, SIM_ACTIVATED);
	free(body);

	/* A SIM alone, an endpoint without a SIM, a nested SIM without its status, a bad body. */
	const char *sim = "{\"id\":250,\"status\":{\"id\":2,\"description\":\"Suspended\"}}";
	assert_int_equal(emnify_parse_object(sim, strlen(sim), false, &object, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(object.sim_id, 250);
	assert_int_equal(object.sim_status, SIM_SUSPENDED);
	assert_int_equal(object.endpoint_id, 0);
	const char *lone = "{\"id\":7,\"status\":{\"id\":1}}";
	assert_int_equal(emnify_parse_object(lone, strlen(lone), true, &object, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(object.sim_id, 0);
	assert_int_equal(object.sim_status, SIM_NONE);
	const char *bare = "{\"id\":7,\"status\":{\"id\":1},\"sim\":{\"id\":9}}";
	assert_int_equal(emnify_parse_object(bare, strlen(bare), true, &object, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(object.sim_id, 9);
	assert_int_equal(object.sim_status, SIM_NONE);
	const char *odd = "{\"id\":\"7\",\"status\":{\"id\":1}}";
	assert_int_equal(emnify_parse_object(odd, strlen(odd), true, &object, message, sizeof(message)),
			 EMNIFY_BAD_RESPONSE);
	assert_true(strstr(message, "no id or status.id") != NULL);
}

/* A recorded endpoint list page, read for its statuses only (the read-back by list). */
static void test_object_page(void **state)
{
	(void)state;
	struct transport_object *objects;
	char *body, message[256];
	size_t length, count;

	load_body("get_all_devices.02.json", &body, &length, NULL);
	assert_int_equal(emnify_parse_object_page(body, length, &objects, &count, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(count, 3);
	assert_int_equal(objects[0].endpoint_id, 11379224);
	assert_int_equal(objects[0].sim_id, 4397515);
	assert_int_equal(objects[0].sim_status, SIM_ACTIVATED);
	assert_int_equal(objects[1].endpoint_status, ENDPOINT_DISABLED);
	assert_int_equal(objects[1].sim_id, 0);
	free(objects);
	free(body);
	assert_int_equal(emnify_parse_object_page("{}", 2, &objects, &count, message, sizeof(message)),
			 EMNIFY_BAD_RESPONSE);
	assert_null(objects);
}

/* emnify's own error objects (a 403 of these means no permission) against what a gateway or
 * an edge firewall sends (a 403 of those is a block of the per-IP limit). */
static void test_error_objects(void **state)
{
	(void)state;
	char *body;
	size_t length;

	load_body("test_update_device_error_handling_service_profile.03.json", &body, &length, NULL);
	assert_true(emnify_is_error_object(body, length));
	free(body);
	load_body("get_all_devices.00.json", &body, &length, NULL);
	assert_false(emnify_is_error_object(body, length));
	free(body);
	const char *page = "<html><body><h1>403 ERROR</h1>Request blocked.</body></html>";
	assert_false(emnify_is_error_object(page, strlen(page)));
	assert_false(emnify_is_error_object("", 0));
}

static void test_jwt_workspace(void **state)
{
	(void)state;
	char jwt[1024], name[96];
	int64_t organisation = -1;

	make_jwt("{\"aud\":\"/api/v1/authentication\",\"esc.app\":1234,\"esc.org\":13886,"
		 "\"esc.orgName\":\"Acme \\u001b[31mIoT\",\"iat\":1647973126,\"exp\":1648577926}", jwt);
	assert_true(emnify_jwt_workspace(jwt, &organisation, name, sizeof(name)));
	assert_int_equal(organisation, 13886);
	assert_null(strchr(name, '\033')); /* cleaned: it is shown and written to journals */
	assert_true(strstr(name, "Acme") != NULL);
	make_jwt("{\"exp\":1648577926}", jwt);
	assert_true(emnify_jwt_workspace(jwt, &organisation, name, sizeof(name)));
	assert_int_equal(organisation, 0);
	assert_string_equal(name, "");
	assert_false(emnify_jwt_workspace("REDACTED", &organisation, name, sizeof(name)));
}

static void test_endpoints_body(void **state)
{
	(void)state;
	const struct transport_endpoint_change changes[] = { { 11379224, 1 }, { 9007199254740991, 0 } };
	char *body = emnify_endpoints_body(changes, 2);
	assert_string_equal(body, "[{\"id\":11379224,\"status\":{\"id\":1}},"
				  "{\"id\":9007199254740991,\"status\":{\"id\":0}}]");
	free(body);
}

/* --- live state ----------------------------------------------------------------------------- */

static void test_real_connectivity_offline(void **state)
{
	(void)state;
	char *body, message[256];
	size_t length;
	struct emnify_connectivity connectivity;
	load_body("test_get_device_connectivity.02.json", &body, &length, NULL);
	assert_int_equal(emnify_parse_connectivity(body, length, &connectivity, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(connectivity.state, CONNECTIVITY_OFFLINE);
	assert_string_equal(connectivity.word, "OFFLINE");
	assert_string_equal(connectivity.operator_name, "");
	assert_string_equal(connectivity.apn, "");
	free(body);
}

/* An online device, in the fields the reference infers from event payloads (location's
 * operator and country, pdp_context's rat_type and apn); an undocumented word is unknown. */
static void test_connectivity_online_and_unknown(void **state)
{
	(void)state;
	static const char online[] =
		"{\"status\":{\"description\":\"ONLINE\"},\"location\":{\"operator\":{\"id\":5,\"name\":\"Telekom\"},"
		"\"country\":{\"name\":\"Germany\"},\"last_updated\":\"2026-11-30T10:00:00Z\"},"
		"\"pdp_context\":{\"apn\":\"em\",\"rat_type\":{\"id\":6,\"description\":\"4G\"},\"created\":\"x\"},"
		"\"services\":[\"GPRS\"]}";
	char message[256];
	struct emnify_connectivity connectivity;
	assert_int_equal(emnify_parse_connectivity(online, strlen(online), &connectivity, message, sizeof(message)),
			 EMNIFY_OK);
	assert_int_equal(connectivity.state, CONNECTIVITY_ONLINE);
	assert_string_equal(connectivity.operator_name, "Telekom");
	assert_string_equal(connectivity.country, "Germany");
	assert_string_equal(connectivity.rat_type, "4G");
	assert_string_equal(connectivity.apn, "em");
	assert_string_equal(connectivity.updated, "2026-11-30T10:00:00Z");
	static const char odd[] = "{\"status\":{\"description\":\"ROAMING\"}}";
	assert_int_equal(emnify_parse_connectivity(odd, strlen(odd), &connectivity, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(connectivity.state, CONNECTIVITY_UNKNOWN);
	assert_string_equal(connectivity.word, "ROAMING");
	static const char none[] = "{\"services\":[]}";
	assert_int_equal(emnify_parse_connectivity(none, strlen(none), &connectivity, message, sizeof(message)),
			 EMNIFY_BAD_RESPONSE);
	assert_non_null(strstr(message, "status.description"));
}

/* GET /endpoint/{id}/stats leaves a month without traffic out: it counts as none. */
static void test_usage_months(void **state)
{
	(void)state;
	static const char body[] =
		"{\"last_month\":{\"data\":{\"volume\":120.5,\"volume_tx\":20.5,\"volume_rx\":100,\"cost\":1.2,"
		"\"currency\":{\"id\":1,\"code\":\"EUR\",\"symbol\":\"\\u20ac\"}},\"sms\":{\"volume\":3}},"
		"\"last_hour\":{\"data\":{\"volume\":0}}}";
	char message[256];
	struct emnify_usage usage;
	assert_int_equal(emnify_parse_usage(body, strlen(body), &usage, message, sizeof(message)), EMNIFY_OK);
	assert_false(usage.current_month.present);
	assert_true(usage.current_month.data_mb == 0);
	assert_true(usage.last_month.present);
	assert_true(usage.last_month.data_mb == 120.5);
	assert_true(usage.last_month.data_cost == 1.2);
	assert_true(usage.last_month.sms == 3);
	assert_string_equal(usage.last_month.currency, "EUR");
	assert_int_equal(emnify_parse_usage("{}", 2, &usage, message, sizeof(message)), EMNIFY_OK);
	static const char bad[] = "{\"current_month\":{\"data\":{\"volume\":\"lots\"}}}";
	assert_int_equal(emnify_parse_usage(bad, strlen(bad), &usage, message, sizeof(message)), EMNIFY_BAD_RESPONSE);
	assert_non_null(strstr(message, "current_month.data.volume is not a number"));
	assert_int_equal(emnify_parse_usage("[]", 2, &usage, message, sizeof(message)), EMNIFY_BAD_RESPONSE);
}

static void test_real_events(void **state)
{
	(void)state;
	char *body, message[256];
	size_t length, count;
	struct emnify_event events[10];
	load_body("device_events.03.json", &body, &length, NULL);
	assert_int_equal(emnify_parse_events(body, length, events, 10, &count, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(count, 2);
	assert_string_equal(events[0].timestamp, "2022-03-27T23:20:49.298Z");
	assert_string_equal(events[0].type, "SIM activation");
	assert_string_equal(events[0].description, "Status of SIM changed from 'Issued' to 'Activated'");
	assert_string_equal(events[1].type, "SIM Assigned");
	assert_false(events[1].alert);
	assert_int_equal(emnify_parse_events(body, length, events, 1, &count, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(count, 1);
	assert_int_equal(emnify_parse_events("[]", 2, events, 10, &count, message, sizeof(message)), EMNIFY_OK);
	assert_int_equal(count, 0);
	free(body);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		return 77;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_endpoint_page),
		cmocka_unit_test(test_real_connectivity_offline),
		cmocka_unit_test(test_connectivity_online_and_unknown),
		cmocka_unit_test(test_usage_months),
		cmocka_unit_test(test_real_events),
		cmocka_unit_test(test_endpoint_page_sim_without_status),
		cmocka_unit_test(test_real_endpoint_page_newer),
		cmocka_unit_test(test_real_sim_page),
		cmocka_unit_test(test_real_pages_join),
		cmocka_unit_test(test_malformed_pages),
		cmocka_unit_test(test_malformed_real_pages),
		cmocka_unit_test(test_page_edge_cases),
		cmocka_unit_test(test_large_pages),
		cmocka_unit_test(test_keys_sharing_a_prefix),
		cmocka_unit_test(test_invalid_page_after_refused_item),
		cmocka_unit_test(test_slimmed_pages_read_as_the_page),
		cmocka_unit_test(test_page_parser_order),
		cmocka_unit_test(test_page_fingerprint),
		cmocka_unit_test(test_real_paging_headers),
		cmocka_unit_test(test_paging_header_lines),
		cmocka_unit_test(test_real_auth_response),
		cmocka_unit_test(test_jwt_expiry),
		cmocka_unit_test(test_auth_errors),
		cmocka_unit_test(test_real_error_bodies),
		cmocka_unit_test(test_error_bodies),
		cmocka_unit_test(test_error_message_bounds),
		cmocka_unit_test(test_request_bodies),
		cmocka_unit_test(test_object_read_back),
		cmocka_unit_test(test_object_page),
		cmocka_unit_test(test_error_objects),
		cmocka_unit_test(test_jwt_workspace),
		cmocka_unit_test(test_endpoints_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
