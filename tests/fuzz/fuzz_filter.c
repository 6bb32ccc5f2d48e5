/* fuzz_filter.c — libFuzzer target for the query parser and matcher: any bytes as a query,
 * parsed, and when valid matched against a small fleet with every kind of device, some with
 * their live state read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fleet.h"
#include "live.h"
#include "rows.h"
#include "sort.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fleet *sample_fleet(void)
{
	struct fleet *fleet = fleet_new();
	struct endpoint_record paired = {
		.id = 11379224, .endpoint_status = ENDPOINT_ENABLED, .name = "pump-0412",
		.imei = "356938035643809", .ip_address = "10.191.216.67", .tags = "Customer A, Project B",
		.sim_id = 4397515, .sim_status = SIM_ACTIVATED, .iccid = "8988303000006734768",
		.imsi = "295050901896257", .msisdn = "423663921520532",
	};
	fleet_add_endpoint(fleet, &paired);
	struct endpoint_record billed = {
		.id = 11379225, .endpoint_status = ENDPOINT_DISABLED, .name = "Valve \xc3\xbc",
		.ip_address = "10.0.0.10", .tags = " red ,, blue ", .sim_id = 4397516,
		.sim_status = SIM_ACTIVATED, .iccid = "8988303000006734769",
	};
	fleet_add_endpoint(fleet, &billed);
	struct endpoint_record lonely = {
		.id = 11379818, .endpoint_status = ENDPOINT_DELETED, .name = "no sim", .sim_status = SIM_NONE,
	};
	fleet_add_endpoint(fleet, &lonely);
	struct sim_record alone = {
		.id = 253, .sim_status = SIM_FACTORY_TEST, .iccid = "8988303000000000132",
		.imsi = "295050999900098",
	};
	fleet_add_sim(fleet, &alone);
	return fleet;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fleet *fleet;
	static struct live *live;
	if (!fleet) {
		fleet = sample_fleet();
		live = live_new();
		live_set_connectivity(live, 11379224, "ONLINE", 1764590400);
		live_set_usage(live, 11379224, 12.5, 1764590400);
		live_set_connectivity(live, 11379225, "SOMETHING NEW", 1764590400);
	}

	char *query = malloc(size + 1);
	if (!query)
		return 0;
	memcpy(query, data, size);
	query[size] = '\0';

	char message[256];
	int column = 0;
	struct filter *filter = filter_parse(query, message, sizeof(message), &column);
	if (filter) {
		struct rows rows = { 0 };
		sort_build_rows(&rows, fleet);
		struct rows unknown = { 0 };
		filter_rows(filter, fleet, live, &rows, &unknown);
		for (size_t i = 0; i < fleet_count(fleet); i++)
			(void)filter_match(filter, fleet, live, fleet_device(fleet, i), NULL);
		rows_free(&unknown);
		rows_free(&rows);
		filter_free(filter);
	} else {
		/* An error always says what and where, inside the query. */
		size_t characters = 0;
		for (size_t i = 0; i < size && query[i]; i++)
			characters += ((unsigned char)query[i] & 0xc0) != 0x80;
		if (message[0] == '\0' || column < 1 || (size_t)column > characters + 1)
			abort();
	}
	free(query);
	return 0;
}
