/* view_device.c — one device in full: what the list showed, then every field of its endpoint
 * and its SIM as the API returns them now (GET /api/v1/endpoint/{id}, GET /api/v1/sim/{id}). */
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

enum section { SECTION_ENDPOINT, SECTION_SIM, SECTION_COUNT };

struct device_view {
	struct list_view list;
	struct view_context *context;
	struct lines summary;
	struct lines section[SECTION_COUNT];
	int pending;   /* API reads not answered yet */
	bool closed;   /* freed by the loop while reads were pending: free on the last answer */
};

struct read_context {
	struct device_view *device_view;
	enum section section;
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

static void read_done(void *context, long http_status, const char *body, size_t length, const char *error_message)
{
	struct read_context *read = context;
	struct device_view *device_view = read->device_view;
	struct lines *lines = &device_view->section[read->section];
	const char *title = read->section == SECTION_ENDPOINT ? "Endpoint" : "SIM";
	free(read);
	device_view->pending--;
	if (device_view->closed) {
		if (device_view->pending == 0)
			free_device_view(device_view);
		return;
	}
	lines_clear(lines);
	if (http_status == 200) {
		cJSON *json = cJSON_ParseWithLength(body, length);
		if (cJSON_IsObject(json)) {
			lines_add(lines, "%s, as the API returns it now", title);
			flatten(lines, json, "");
		} else {
			lines_add(lines, "%s: the API sent something that is not a JSON object", title);
		}
		cJSON_Delete(json);
	} else {
		char message[512];
		if (error_message)
			snprintf(message, sizeof(message), "%s", error_message);
		else
			emnify_error_message(http_status, body, length, message, sizeof(message));
		lines_add(lines, "%s: could not be read: %s", title, message);
	}
	device_view->context->redraw = true;
}

static void start_read(struct device_view *device_view, enum section section, int64_t id)
{
	struct lines *lines = &device_view->section[section];
	const char *kind = section == SECTION_ENDPOINT ? "endpoint" : "sim";
	if (id == 0) {
		lines_add(lines, "%s: none assigned", section == SECTION_ENDPOINT ? "Endpoint" : "SIM");
		return;
	}
	if (!device_view->context->api)
		return;
	lines_add(lines, "%s: reading GET /api/v1/%s/%lld ...", section == SECTION_ENDPOINT ? "Endpoint" : "SIM",
		  kind, (long long)id);
	struct read_context *read = xmalloc(sizeof(*read));
	read->device_view = device_view;
	read->section = section;
	device_view->pending++;
	api_read_object(device_view->context->api, kind, id, read_done, read);
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

static const struct view_ops device_ops = {
	.name = "device",
	.draw = list_view_draw,
	.handle = list_view_handle,
	.hint_text = "Esc back  r refresh  ? help",
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
	start_read(device_view, SECTION_ENDPOINT, device->endpoint_id);
	start_read(device_view, SECTION_SIM, device->sim_id);
	return &device_view->list.view;
}
