/* fuzz_csv.c — libFuzzer target for the CSV reader: any bytes as a file, parsed, and when
 * valid resolved against a small fleet. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fleet.h"
#include "marks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fleet *sample_fleet(void)
{
	struct fleet *fleet = fleet_new();
	struct endpoint_record paired = {
		.id = 11379224, .endpoint_status = ENDPOINT_ENABLED, .name = "pump-0412", .sim_id = 4397515,
		.sim_status = SIM_ACTIVATED, .iccid = "8988303000006734768", .imsi = "295050901896257",
	};
	fleet_add_endpoint(fleet, &paired);
	struct endpoint_record lonely = {
		.id = 11379818, .endpoint_status = ENDPOINT_DISABLED, .name = "no sim", .sim_status = SIM_NONE,
	};
	fleet_add_endpoint(fleet, &lonely);
	struct sim_record alone = {
		.id = 4401400, .sim_status = SIM_ISSUED, .iccid = "8988303000006739000", .imsi = "295050901900400",
	};
	fleet_add_sim(fleet, &alone);
	return fleet;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fleet *fleet;
	if (!fleet)
		fleet = sample_fleet();

	struct csv_ids ids, unknown;
	char message[256];
	if (!csv_parse_ids((const char *)data, size, "fuzz.csv", &ids, message, sizeof(message))) {
		/* Nothing is kept, and the message names the file. */
		if (ids.count != 0 || ids.items != NULL || strncmp(message, "fuzz.csv:", 9) != 0)
			abort();
		return 0;
	}
	struct marks *marks = marks_new();
	size_t missing = csv_mark(&ids, fleet, marks, &unknown);
	if (missing != unknown.count || missing > ids.count)
		abort();
	csv_ids_free(&unknown);
	csv_ids_free(&ids);
	marks_free(marks);
	return 0;
}
