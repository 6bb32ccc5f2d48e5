/* view_device.c — one device in full: what the list showed; what the network says of it now
 * (connectivity, this and last month's usage, its latest events, paged on as the view is
 * scrolled to the end); then every field of its endpoint and its SIM as the API returns them
 * (GET /api/v1/endpoint/{id}, GET /api/v1/sim/{id}). Each part is read when the view opens, or
 * again with r, and shows its own reading state and its own error. */
#include <cjson/cJSON.h>
#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "api.h"
#include "emnify.h"
#include "text.h"
#include "util.h"
#include "view.h"

/* Bound on any one value shown, so a hostile body cannot flood the view. */
#define DETAIL_VALUE_MAX 512

struct lines {
	char **text;
	size_t count, capacity;
};

enum section {
	SECTION_CONNECTIVITY,
	SECTION_USAGE,
	SECTION_EVENTS,
	SECTION_ENDPOINT,
	SECTION_SIM,
	SECTION_COUNT
};

static const char *const section_titles[SECTION_COUNT] = {
	[SECTION_CONNECTIVITY] = "Connectivity", [SECTION_USAGE] = "Usage", [SECTION_EVENTS] = "Latest events",
	[SECTION_ENDPOINT] = "Endpoint", [SECTION_SIM] = "SIM",
};

struct device_view {
	struct list_view list;
	struct view_context *context;
	int64_t endpoint_id, sim_id;
	unsigned generation;     /* bumped by r: answers to earlier reads are dropped */
	int64_t events_page;     /* event pages read so far */
	bool events_more;        /* the last page was full: there may be more */
	bool events_reading;
	struct lines summary;
	struct lines section[SECTION_COUNT];
	int pending;   /* API reads not answered yet */
	bool closed;   /* freed by the loop while reads were pending: free on the last answer */
};

struct read_context {
	struct device_view *device_view;
	enum section section;
	unsigned generation;
};

static void lines_add(struct lines *lines, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void lines_add(struct lines *lines, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	char *text = NULL;
	if (vasprintf(&text, format, args) < 0)
		die(3, "out of memory");
	va_end(args);
	lines->text = xgrow(lines->text, &lines->capacity, lines->count + 1, sizeof(*lines->text));
	lines->text[lines->count++] = text;
}

static void lines_clear(struct lines *lines)
{
	for (size_t i = 0; i < lines->count; i++)
		free(lines->text[i]);
	lines->count = 0;
}

static void lines_free(struct lines *lines)
{
	lines_clear(lines);
	free(lines->text);
}

/* One line per leaf: "  status.description    Activated". */
static void flatten(struct lines *lines, const cJSON *item, const char *path)
{
	if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
		int index = 0;
		if (!item->child)
			lines_add(lines, "  %-32s %s", path, cJSON_IsArray(item) ? "[]" : "{}");
		for (const cJSON *child = item->child; child; child = child->next, index++) {
			char *key = child->string ? text_clean(child->string, 64) : NULL;
			char *child_path = cJSON_IsArray(item) ? xasprintf("%s[%d]", path, index)
				: xasprintf("%s%s%s", path, path[0] ? "." : "", key ? key : "");
			flatten(lines, child, child_path);
			free(child_path);
			free(key);
		}
		return;
	}
	char *value;
	if (cJSON_IsString(item))
		value = text_clean(item->valuestring, DETAIL_VALUE_MAX);
	else if (cJSON_IsNumber(item))
		value = fabs(item->valuedouble) < 9.0e15 && item->valuedouble == floor(item->valuedouble)
			? xasprintf("%.0f", item->valuedouble) : xasprintf("%g", item->valuedouble);
	else if (cJSON_IsBool(item))
		value = xstrdup(cJSON_IsTrue(item) ? "true" : "false");
	else
		value = xstrdup("null");
	lines_add(lines, "  %-32s %s", path, value);
	free(value);
}

static void free_device_view(struct device_view *device_view)
{
	lines_free(&device_view->summary);
	for (int i = 0; i < SECTION_COUNT; i++)
		lines_free(&device_view->section[i]);
	free(device_view);
}

/* What the network's word means, for people; the word itself follows in brackets. */
static const char *connectivity_meaning(enum connectivity state)
{
	switch (state) {
	case CONNECTIVITY_ONLINE: return "in a data session";
	case CONNECTIVITY_ATTACHED: return "attached to the network, no data session";
	case CONNECTIVITY_OFFLINE: return "not reachable";
	case CONNECTIVITY_BLOCKED: return "refused service by the network";
	case CONNECTIVITY_UNKNOWN:
	case CONNECTIVITY_COUNT: break;
	}
	return "a state emnify does not document";
}

static void show_connectivity(struct device_view *device_view, struct lines *lines, const char *body, size_t length,
			      char *message, size_t size)
{
	struct emnify_connectivity connectivity;
	if (emnify_parse_connectivity(body, length, &connectivity, message, size) != EMNIFY_OK) {
		lines_add(lines, "Connectivity: could not be read: %s", message);
		return;
	}
	session_note_connectivity(device_view->context->session, device_view->endpoint_id, connectivity.word);
	lines_add(lines, "Connectivity, as the network says now");
	lines_add(lines, "  %-14s %s (%s)", "State", connectivity_meaning(connectivity.state), connectivity.word);
	if (connectivity.operator_name[0] || connectivity.country[0])
		lines_add(lines, "  %-14s %s%s%s", "Network", connectivity.operator_name,
			  connectivity.operator_name[0] && connectivity.country[0] ? ", " : "", connectivity.country);
	if (connectivity.rat_type[0])
		lines_add(lines, "  %-14s %s", "Radio", connectivity.rat_type);
	if (connectivity.apn[0])
		lines_add(lines, "  %-14s %s", "APN", connectivity.apn);
	if (connectivity.updated[0])
		lines_add(lines, "  %-14s %s", "Updated", connectivity.updated);
}

static void add_month(struct lines *lines, const char *label, const struct emnify_month *month)
{
	if (!month->present) {
		lines_add(lines, "  %-14s 0 MB, no traffic", label);
		return;
	}
	lines_add(lines, "  %-14s %.2f MB, cost %.2f%s%s, %.0f SMS", label, month->data_mb, month->data_cost,
		  month->currency[0] ? " " : "", month->currency, month->sms);
}

static void show_usage(struct device_view *device_view, struct lines *lines, const char *body, size_t length,
		       char *message, size_t size)
{
	struct emnify_usage usage;
	if (emnify_parse_usage(body, length, &usage, message, size) != EMNIFY_OK) {
		lines_add(lines, "Usage: could not be read: %s", message);
		return;
	}
	session_note_usage(device_view->context->session, device_view->endpoint_id, usage.current_month.data_mb);
	lines_add(lines, "Usage: data and cost");
	add_month(lines, "This month", &usage.current_month);
	add_month(lines, "Last month", &usage.last_month);
}

/* Events come a page at a time: the first replaces what was shown, later ones are added. */
static void show_events(struct device_view *device_view, const char *body, size_t length, char *message,
			size_t size)
{
	struct lines *lines = &device_view->section[SECTION_EVENTS];
	struct emnify_event events[API_EVENTS_PER_PAGE];
	size_t count = 0;
	if (emnify_parse_events(body, length, events, API_EVENTS_PER_PAGE, &count, message, size) != EMNIFY_OK) {
		lines_add(lines, "  more events could not be read: %s", message);
		device_view->events_more = false;
		return;
	}
	device_view->events_page++;
	device_view->events_more = count == API_EVENTS_PER_PAGE;
	if (device_view->events_page == 1 && count == 0)
		lines_add(lines, "  none");
	for (size_t i = 0; i < count; i++)
		lines_add(lines, "  %-24s %s%-24s %s", events[i].timestamp, events[i].alert ? "! " : "", events[i].type,
			  events[i].description);
}

static void show_object(struct lines *lines, const char *title, const char *body, size_t length)
{
	cJSON *json = cJSON_ParseWithLength(body, length);
	if (cJSON_IsObject(json)) {
		lines_add(lines, "%s, as the API returns it now", title);
		flatten(lines, json, "");
	} else {
		lines_add(lines, "%s: the API sent something that is not a JSON object", title);
	}
	cJSON_Delete(json);
}

static void read_done(void *context, long http_status, const char *body, size_t length, const char *error_message)
{
	struct read_context *read = context;
	struct device_view *device_view = read->device_view;
	enum section section = read->section;
	bool current = read->generation == device_view->generation;
	free(read);
	device_view->pending--;
	if (device_view->closed) {
		if (device_view->pending == 0)
			free_device_view(device_view);
		return;
	}
	if (!current)
		return;  /* r asked again meanwhile */
	struct lines *lines = &device_view->section[section];
	char message[512];
	if (section == SECTION_EVENTS) {
		device_view->events_reading = false;
		if (device_view->events_page == 0)
			lines_clear(lines);
		else if (lines->count > 0)
			free(lines->text[--lines->count]);  /* the "reading" line */
		if (device_view->events_page == 0)
			lines_add(lines, "%s", section_titles[SECTION_EVENTS]);
	} else {
		lines_clear(lines);
	}
	if (http_status != 200) {
		if (error_message)
			snprintf(message, sizeof(message), "%s", error_message);
		else
			emnify_error_message(http_status, body, length, message, sizeof(message));
		if (section == SECTION_EVENTS)
			lines_add(lines, "  could not be read: %s", message);
		else
			lines_add(lines, "%s: could not be read: %s", section_titles[section], message);
	} else if (section == SECTION_CONNECTIVITY) {
		show_connectivity(device_view, lines, body, length, message, sizeof(message));
	} else if (section == SECTION_USAGE) {
		show_usage(device_view, lines, body, length, message, sizeof(message));
	} else if (section == SECTION_EVENTS) {
		show_events(device_view, body, length, message, sizeof(message));
	} else {
		show_object(lines, section_titles[section], body, length);
	}
	device_view->context->redraw = true;
}

static struct read_context *new_read(struct device_view *device_view, enum section section)
{
	struct read_context *read = xmalloc(sizeof(*read));
	read->device_view = device_view;
	read->section = section;
	read->generation = device_view->generation;
	device_view->pending++;
	return read;
}

static void read_events_page(struct device_view *device_view)
{
	struct lines *lines = &device_view->section[SECTION_EVENTS];
	if (device_view->events_page == 0) {
		lines_clear(lines);
		lines_add(lines, "%s: reading GET /api/v1/endpoint/%lld/event ...", section_titles[SECTION_EVENTS],
			  (long long)device_view->endpoint_id);
	} else {
		lines_add(lines, "  reading more events ...");
	}
	device_view->events_reading = true;
	api_read_live(device_view->context->api, API_LIVE_EVENTS, device_view->endpoint_id,
		      device_view->events_page + 1, read_done, new_read(device_view, SECTION_EVENTS));
}

/* Read every part again (the view opening, or r). */
static void start_reads(struct device_view *device_view)
{
	device_view->generation++;
	device_view->events_page = 0;
	device_view->events_more = false;
	device_view->events_reading = false;
	for (int section = 0; section < SECTION_COUNT; section++)
		lines_clear(&device_view->section[section]);
	static const enum api_live live[] = {
		[SECTION_CONNECTIVITY] = API_LIVE_CONNECTIVITY, [SECTION_USAGE] = API_LIVE_STATS,
	};
	static const char *const live_paths[] = { [SECTION_CONNECTIVITY] = "connectivity", [SECTION_USAGE] = "stats" };
	int64_t endpoint = device_view->endpoint_id, sim = device_view->sim_id;
	struct api *api = device_view->context->api;
	for (int section = 0; section < SECTION_COUNT; section++) {
		struct lines *lines = &device_view->section[section];
		int64_t id = section == SECTION_SIM ? sim : endpoint;
		if (id == 0) {
			lines_add(lines, "%s: none, the device has no %s", section_titles[section],
				  section == SECTION_SIM ? "SIM" : "endpoint");
			continue;
		}
		if (!api)
			continue;
		if (section == SECTION_EVENTS) {
			read_events_page(device_view);
		} else if (section == SECTION_CONNECTIVITY || section == SECTION_USAGE) {
			lines_add(lines, "%s: reading GET /api/v1/endpoint/%lld/%s ...", section_titles[section],
				  (long long)id, live_paths[section]);
			api_read_live(api, live[section], id, 0, read_done, new_read(device_view, (enum section)section));
		} else {
			const char *kind = section == SECTION_SIM ? "sim" : "endpoint";
			lines_add(lines, "%s: reading GET /api/v1/%s/%lld ...", section_titles[section], kind, (long long)id);
			api_read_object(api, kind, id, read_done, new_read(device_view, (enum section)section));
		}
	}
}

static size_t total_lines(const struct list_view *list)
{
	const struct device_view *device_view = (const struct device_view *)list;
	size_t count = device_view->summary.count;
	for (int i = 0; i < SECTION_COUNT; i++)
		count += device_view->section[i].count + 1;
	return count;
}

/* The summary, then each section after a blank line; a section's first line is its heading. */
static void device_line(const struct list_view *list, struct view_context *context, size_t line, char *text,
			size_t size, int *attr)
{
	(void)context;
	const struct device_view *device_view = (const struct device_view *)list;
	snprintf(text, size, "%s", "");
	if (line < device_view->summary.count) {
		snprintf(text, size, "%s", device_view->summary.text[line]);
		return;
	}
	line -= device_view->summary.count;
	for (int i = 0; i < SECTION_COUNT; i++) {
		if (line == 0)
			return;
		line--;
		if (line < device_view->section[i].count) {
			const char *shown = device_view->section[i].text[line];
			snprintf(text, size, "%s", shown);
			if (shown[0] != ' ' && shown[0] != '\0')
				*attr = A_BOLD;
			return;
		}
		line -= device_view->section[i].count;
	}
}

static void device_free(struct view *view)
{
	struct device_view *device_view = (struct device_view *)view;
	if (device_view->pending > 0)
		device_view->closed = true;
	else
		free_device_view(device_view);
}

static int device_handle(struct view *view, struct view_context *context, enum action action, int page_rows)
{
	struct device_view *device_view = (struct device_view *)view;
	if (action == ACTION_REFRESH) {
		/* This device only: the fleet stays as it is. */
		start_reads(device_view);
		return REACT_REDRAW;
	}
	int reaction = list_view_handle(view, context, action, page_rows);
	size_t page = page_rows > 2 ? (size_t)page_rows - 1 : 1;
	if (device_view->events_more && !device_view->events_reading && context->api &&
	    device_view->list.top + page >= total_lines(&device_view->list))
		read_events_page(device_view);
	return reaction;
}

static const struct view_ops device_ops = {
	.name = "device",
	.draw = list_view_draw,
	.handle = device_handle,
	.hint_text = "Esc back  r read again  ? help",
	.free = device_free,
};

struct view *view_device_new(struct view_context *context, size_t index)
{
	struct device_view *device_view = xcalloc(1, sizeof(*device_view));
	device_view->list.view.ops = &device_ops;
	device_view->list.title = " Device detail";
	device_view->list.count = total_lines;
	device_view->list.line = device_line;
	device_view->context = context;
	const struct fleet *fleet = context->session->fleet;
	const struct device *device = fleet_device(fleet, index);
	struct lines *summary = &device_view->summary;
	enum alignment alignment = fleet_alignment(device);
	const char *name = fleet_text(fleet, device, TEXT_NAME);
	lines_add(summary, "  %-14s %s", "Name", name[0] ? name : "(no endpoint)");
	const char *label = model_alignment_label(alignment, device->sim_status, device->endpoint_status);
	const char *word = model_alignment_word(alignment);
	if (strcmp(label, word) == 0)
		lines_add(summary, "  %-14s %s %s", "Alignment", model_alignment_glyph(alignment, context->ascii), word);
	else
		lines_add(summary, "  %-14s %s %s (%s)", "Alignment", model_alignment_glyph(alignment, context->ascii),
			  label, word);
	if (device->endpoint_id)
		lines_add(summary, "  %-14s %lld  %s", "Endpoint", (long long)device->endpoint_id,
			  model_endpoint_status_name(device->endpoint_status));
	else
		lines_add(summary, "  %-14s none", "Endpoint");
	if (device->sim_id)
		lines_add(summary, "  %-14s %lld  %s", "SIM", (long long)device->sim_id,
			  model_sim_status_name(device->sim_status));
	else
		lines_add(summary, "  %-14s none", "SIM");
	static const char *const labels[TEXT_COUNT] = {
		[TEXT_NAME] = NULL, [TEXT_ICCID] = "ICCID", [TEXT_IMSI] = "IMSI", [TEXT_MSISDN] = "MSISDN",
		[TEXT_IMEI] = "IMEI", [TEXT_IP] = "IP address", [TEXT_TAGS] = "Tags",
	};
	for (int field = 0; field < TEXT_COUNT; field++)
		if (labels[field])
			lines_add(summary, "  %-14s %s", labels[field], fleet_text(fleet, device, (enum device_text)field));
	device_view->endpoint_id = device->endpoint_id;
	device_view->sim_id = device->sim_id;
	start_reads(device_view);
	return &device_view->list.view;
}
