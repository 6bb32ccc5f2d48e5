/* fuzz_pages.c — libFuzzer target for the JSON page mapping: any bytes as list pages, fed
 * through what the loader does with a page body (emnify_parse_*_page: parse into the arena,
 * map SIMs and endpoints into a fleet, join), then the fleet checked as a whole.
 *
 * The input is an endpoint page, a NUL byte and a SIM page; without a NUL byte the same bytes
 * are tried as both. An input of odd length has its SIM page parsed first, so both orders of
 * the join are tried. The seed corpus (corpus/pages) holds the bodies of the recorded list
 * responses of tests/data (get_all_devices.02.json, test_update_device.02.json: endpoint
 * pages; get_sim_list.02.json: a SIM page; see tests/data/README.md for where they come from)
 * and the two recorded pages joined by a NUL byte. The endpoint page is also read as the job's
 * read-back reads it (emnify_parse_object_page). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emnify.h"
#include "fleet.h"
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every id is found where it is, every alignment count matches a count from scratch, no text
 * holds a control character, and no plan sends a step to a SIM two endpoints claim. */
static void check_fleet(const struct fleet *fleet)
{
	size_t counted[ALIGN_COUNT] = { 0 };
	size_t count = fleet_count(fleet);
	size_t *all = malloc((count ? count : 1) * sizeof(*all));
	if (!all)
		abort();
	for (size_t i = 0; i < count; i++) {
		const struct device *device = fleet_device(fleet, i);
		size_t found;
		all[i] = i;
		if (device->sim_id && (!fleet_find_sim(fleet, device->sim_id, &found) ||
				       (found != i && !(device->odd & DEVICE_ODD_SHARED_SIM))))
			abort();
		if (device->endpoint_id && (!fleet_find_endpoint(fleet, device->endpoint_id, &found) || found != i))
			abort();
		if (!fleet_device_vacant(device))
			counted[fleet_alignment(device)]++;
		for (int field = 0; field < TEXT_COUNT; field++)
			for (const unsigned char *c = (const unsigned char *)fleet_text(fleet, device, field); *c; c++)
				if (*c < 0x20 || *c == 0x7f)
					abort();
	}
	for (int alignment = 0; alignment < ALIGN_COUNT; alignment++)
		if (fleet_count_alignment(fleet, (enum alignment)alignment) != counted[alignment])
			abort();
	for (int action = 0; action < PLAN_ACTION_COUNT; action++) {
		struct plan plan;
		plan_build(&plan, (enum plan_action)action, fleet, all, count);
		for (size_t i = 0; i < plan.count; i++)
			for (int s = 0; s < plan.devices[i].step_count; s++)
				if (plan.devices[i].steps[s].target == STEP_SIM &&
				    plan.devices[i].steps[s].skip == SKIP_NONE &&
				    (fleet_device(fleet, i)->odd & DEVICE_ODD_SHARED_SIM))
					abort();
		plan_free(&plan);
	}
	free(all);

	char line[160], tiny[8];
	bool odd = fleet_describe_anomalies(fleet, line, sizeof(line));
	if (odd != fleet_describe_anomalies(fleet, tiny, sizeof(tiny)) || strlen(line) >= sizeof(line) ||
	    strlen(tiny) >= sizeof(tiny) || (!odd && line[0]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	const char *endpoints = text, *sims = text;
	size_t endpoints_length = size, sims_length = size;
	if (nul) {
		endpoints_length = (size_t)(nul - text);
		sims = nul + 1;
		sims_length = size - endpoints_length - 1;
	}

	struct fleet *fleet = fleet_new();
	struct emnify_page page, again;
	char message[256];
	bool sims_first = size % 2 == 1;
	if (sims_first)
		emnify_parse_sim_page(sims, sims_length, fleet, 1, NULL, message, sizeof(message));
	size_t rows = fleet_count(fleet);
	bool endpoints_valid = emnify_parse_endpoint_page(endpoints, endpoints_length, fleet, 1, &page, message,
							  sizeof(message)) == EMNIFY_OK;
	if (!endpoints_valid && (page.ids.count != 0 || fleet_count(fleet) != rows || strlen(message) == 0))
		abort();
	if (!sims_first)
		emnify_parse_sim_page(sims, sims_length, fleet, 1, NULL, message, sizeof(message));
	check_fleet(fleet);

	/* The same endpoint page served again as page 2 is a repeat and changes nothing. */
	rows = fleet_count(fleet);
	if (endpoints_valid) {
		if (emnify_parse_endpoint_page(endpoints, endpoints_length, fleet, 2, &again, NULL, 0) != EMNIFY_OK ||
		    memcmp(&page.ids, &again.ids, sizeof(page.ids)) != 0 || again.repeated != (page.ids.count > 0) ||
		    (again.repeated && fleet_count(fleet) != rows))
			abort();
		/* Unnumbered, the same records again are duplicates, updated in place. */
		emnify_parse_endpoint_page(endpoints, endpoints_length, fleet, 0, NULL, NULL, 0);
		check_fleet(fleet);
	}
	fleet_free(fleet);

	/* The job's read-back by list reads the same page for its statuses only: a page the
	 * fleet took is one it takes, with as many objects, each with a positive id. */
	struct transport_object *objects = NULL;
	size_t count = 0;
	bool read = emnify_parse_object_page(endpoints, endpoints_length, &objects, &count, message,
					     sizeof(message)) == EMNIFY_OK;
	if (endpoints_valid && !read)
		abort();
	if (!read && (objects || count || strlen(message) == 0))
		abort();
	for (size_t i = 0; i < count; i++)
		if (objects[i].endpoint_id <= 0 || (objects[i].sim_id == 0 && objects[i].sim_status != SIM_NONE))
			abort();
	free(objects);
	return 0;
}
