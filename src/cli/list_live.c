/* list_live.c — live state of many devices for simtop list (list_live.h). */
#include "list_live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define LIVE_PROGRESS_MS 200

bool list_live_parse_columns(const char *text, struct output_live *with, char *message, size_t size)
{
	char *copy = xstrdup(text);
	bool ok = true;
	with->connectivity = with->usage = false;
	for (char *word = strtok(copy, ","); word && ok; word = strtok(NULL, ",")) {
		if (strcmp(word, "connectivity") == 0)
			with->connectivity = true;
		else if (strcmp(word, "usage") == 0)
			with->usage = true;
		else
			ok = false;
	}
	if (!ok || (!with->connectivity && !with->usage))
		snprintf(message, size, "--with takes connectivity, usage or both (connectivity,usage), not '%.60s'", text);
	free(copy);
	return ok && (with->connectivity || with->usage);
}

bool list_live_check(struct api *api, const struct fleet *fleet, const size_t *rows, size_t count, unsigned kinds,
		     bool yes, bool progress)
{
	size_t devices = 0;
	for (size_t i = 0; i < count && kinds; i++)
		devices += fleet_device(fleet, rows[i])->endpoint_id != 0;
	if (devices == 0)
		return true;
	struct transport *transport = api_transport_new(api);
	struct live_estimate estimate = live_estimate(transport, devices, kinds);
	char device_count[32], calls[32], duration[48], window[48];
	util_thousands((int64_t)devices, device_count, sizeof(device_count));
	util_thousands((int64_t)estimate.calls, calls, sizeof(calls));
	util_format_duration(estimate.seconds, duration, sizeof(duration));
	util_format_duration((double)transport->window_ms / 1000.0, window, sizeof(window));
	bool affordable = transport->window_calls == 0 || estimate.calls <= transport->window_calls || yes;
	if (!affordable)
		fprintf(stderr, "simtop: reading the network's view of %s devices takes %s calls, at least %s within "
			"emnify's %zu calls per %s per IP, which every client on this IP shares: narrow the query "
			"(sim:act, tag:...), or pass --yes\n", device_count, calls, duration, transport->window_calls, window);
	else if (progress)
		fprintf(stderr, "simtop: reading the network's view of %s devices: %s calls, at least %s\n", device_count,
			calls, duration);
	api_transport_free(transport);
	return affordable;
}

size_t list_live_fetch(struct api *api, const struct fleet *fleet, const size_t *rows, size_t count, unsigned kinds,
		       struct live *live, bool progress)
{
	if (kinds == 0 || count == 0)
		return 0;
	int64_t *ids = xmalloc(sizeof(*ids) * count);
	for (size_t i = 0; i < count; i++)
		ids[i] = fleet_device(fleet, rows[i])->endpoint_id;
	struct transport *transport = api_transport_new(api);
	struct live_fetch *fetch = live_fetch_start(transport, live, ids, count, kinds);
	struct live_fetch_progress state;
	int64_t shown = 0;
	for (live_fetch_progress(fetch, &state); state.running; live_fetch_progress(fetch, &state)) {
		api_wait(api, -1, LIVE_PROGRESS_MS, NULL);
		int64_t now = util_now_ms();
		if (progress && now - shown >= LIVE_PROGRESS_MS) {
			char done[32], total[32];
			fprintf(stderr, "\rreading the network's view: %s of %s calls\033[K",
				util_thousands((int64_t)state.calls_done, done, sizeof(done)),
				util_thousands((int64_t)state.calls_total, total, sizeof(total)));
			shown = now;
		}
	}
	if (progress)
		fprintf(stderr, "\r\033[K");
	size_t failure_count, unread = 0;
	const struct live_failure *failures = live_fetch_failures(fetch, &failure_count);
	for (size_t i = 0; i < failure_count; i++)
		fprintf(stderr, "simtop: endpoint %lld: %s could not be read: %s\n", (long long)failures[i].endpoint_id,
			live_what_word(failures[i].what), failures[i].message);
	/* A device counts once, however many of its reads failed. */
	for (size_t i = 0; i < count; i++) {
		const struct live_state *read = live_find(live, ids[i]);
		if (ids[i] && (!read || ((kinds & LIVE_CONNECTIVITY) && !read->connectivity_read_at) ||
			       ((kinds & LIVE_USAGE) && !read->usage_read_at)))
			unread++;
	}
	live_fetch_free(fetch);
	api_transport_free(transport);
	free(ids);
	return unread;
}
