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
 * read-back reads it (emnify_parse_object_page), and each page is read whole as well, to find
 * any page the copy of only the members read would read otherwise. */
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

/* The page read as the loader reads it (through a copy with only the members read, when the
 * page allows one: json_slim.h) and read whole, after a UTF-8 byte order mark that cJSON skips
 * and the copy declines: the same verdict and the same devices. */
static void check_slimmed_reading(const char *body, size_t length, bool sims)
{
	if (length >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0)
		return;  /* read whole already; cJSON skips one mark, not two */
	char *marked = malloc(length + 3);
	if (!marked)
		abort();
	memcpy(marked, "\xef\xbb\xbf", 3);
	memcpy(marked + 3, body, length);
	struct fleet *slimmed = fleet_new(), *whole = fleet_new();
	enum emnify_result (*parse)(const char *, size_t, struct fleet *, int64_t, struct emnify_page *, char *,
				    size_t) = sims ? emnify_parse_sim_page : emnify_parse_endpoint_page;
	if (parse(body, length, slimmed, 0, NULL, NULL, 0) != parse(marked, length + 3, whole, 0, NULL, NULL, 0) ||
	    fleet_count(slimmed) != fleet_count(whole))
		abort();
	for (size_t i = 0; i < fleet_count(slimmed); i++) {
		const struct device *a = fleet_device(slimmed, i), *b = fleet_device(whole, i);
		if (a->sim_id != b->sim_id || a->endpoint_id != b->endpoint_id || a->sim_status != b->sim_status ||
		    a->endpoint_status != b->endpoint_status)
			abort();
		for (int field = 0; field < TEXT_COUNT; field++)
			if (strcmp(fleet_text(slimmed, a, field), fleet_text(whole, b, field)) != 0)
				abort();
	}
	fleet_free(slimmed);
	fleet_free(whole);
	free(marked);
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

	check_slimmed_reading(endpoints, endpoints_length, false);
	check_slimmed_reading(sims, sims_length, true);

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
