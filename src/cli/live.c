/* live.c — connectivity and usage of many devices, for simtop list --with (live.h). */
#include "live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emnify.h"
#include "util.h"

/* Reads in flight at most: enough to keep each route's bucket busy, few enough that a cancel
 * or a failure leaves little queued. */
#define LIVE_IN_FLIGHT 8
#define LIVE_PROGRESS_MS 200

struct fetch {
	struct api *api;
	const struct fleet *fleet;
	struct output_live_cell *cells;
	size_t in_flight, done, total, failed;
};

struct read {
	struct fetch *fetch;
	size_t device;
	enum api_live what;
};

bool live_parse_columns(const char *text, struct output_live *live, char *message, size_t size)
{
	char *copy = xstrdup(text);
	bool ok = true;
	live->connectivity = live->usage = false;
	for (char *word = strtok(copy, ","); word && ok; word = strtok(NULL, ",")) {
		if (strcmp(word, "connectivity") == 0)
			live->connectivity = true;
		else if (strcmp(word, "usage") == 0)
			live->usage = true;
		else
			ok = false;
	}
	if (!ok || (!live->connectivity && !live->usage))
		snprintf(message, size, "--with takes connectivity, usage or both (connectivity,usage), not '%.60s'", text);
	free(copy);
	return ok && (live->connectivity || live->usage);
}

static void read_done(void *context, long http_status, const char *body, size_t length, const char *error_message)
{
	struct read *read = context;
	struct fetch *fetch = read->fetch;
	struct output_live_cell *cell = &fetch->cells[read->device];
	const struct device *device = fleet_device(fetch->fleet, read->device);
	const char *what = read->what == API_LIVE_CONNECTIVITY ? "connectivity" : "usage";
	char message[512] = "";
	fetch->in_flight--;
	fetch->done++;
	if (http_status != 200) {
		if (error_message)
			snprintf(message, sizeof(message), "%s", error_message);
		else
			emnify_error_message(http_status, body, length, message, sizeof(message));
	} else if (read->what == API_LIVE_CONNECTIVITY) {
		struct emnify_connectivity connectivity;
		if (emnify_parse_connectivity(body, length, &connectivity, message, sizeof(message)) == EMNIFY_OK) {
			snprintf(cell->connectivity, sizeof(cell->connectivity), "%s", connectivity.word);
			cell->connectivity_read = true;
		}
	} else {
		struct emnify_usage usage;
		if (emnify_parse_usage(body, length, &usage, message, sizeof(message)) == EMNIFY_OK) {
			cell->data_month_mb = usage.current_month.data_mb;
			cell->usage_read = true;
		}
	}
	if (message[0]) {
		fetch->failed++;
		fprintf(stderr, "\r\033[Ksimtop: endpoint %lld: %s could not be read: %s\n", (long long)device->endpoint_id,
			what, message);
	}
	free(read);
}

static void start_read(struct fetch *fetch, size_t device, enum api_live what)
{
	struct read *read = xmalloc(sizeof(*read));
	*read = (struct read){ fetch, device, what };
	fetch->in_flight++;
	api_read_live(fetch->api, what, fleet_device(fetch->fleet, device)->endpoint_id, 0, read_done, read);
}

size_t live_fetch(struct api *api, const struct fleet *fleet, const size_t *rows, size_t count,
		  struct output_live *live, bool progress)
{
	struct output_live_cell *cells = xcalloc(fleet_count(fleet) ? fleet_count(fleet) : 1, sizeof(*cells));
	live->cells = cells;
	struct fetch fetch = { .api = api, .fleet = fleet, .cells = cells };
	int per_device = live->connectivity + live->usage;
	for (size_t i = 0; i < count; i++)
		fetch.total += fleet_device(fleet, rows[i])->endpoint_id ? (size_t)per_device : 0;
	size_t next = 0, failed_devices = 0;
	int64_t shown = 0;
	while (next < count || fetch.in_flight > 0) {
		while (next < count && fetch.in_flight < LIVE_IN_FLIGHT) {
			size_t device = rows[next++];
			if (!fleet_device(fleet, device)->endpoint_id)
				continue;
			if (live->connectivity)
				start_read(&fetch, device, API_LIVE_CONNECTIVITY);
			if (live->usage)
				start_read(&fetch, device, API_LIVE_STATS);
		}
		if (fetch.in_flight == 0)
			continue;
		api_wait(api, -1, LIVE_PROGRESS_MS, NULL);
		int64_t now = util_now_ms();
		if (progress && now - shown >= LIVE_PROGRESS_MS) {
			char done[32], total[32];
			fprintf(stderr, "\rreading the network's view: %s of %s calls\033[K",
				util_thousands((int64_t)fetch.done, done, sizeof(done)),
				util_thousands((int64_t)fetch.total, total, sizeof(total)));
			shown = now;
		}
	}
	if (progress)
		fprintf(stderr, "\r\033[K");
	for (size_t i = 0; i < count; i++) {
		const struct output_live_cell *cell = &cells[rows[i]];
		if (fleet_device(fleet, rows[i])->endpoint_id &&
		    ((live->connectivity && !cell->connectivity_read) || (live->usage && !cell->usage_read)))
			failed_devices++;
	}
	return failed_devices;
}
