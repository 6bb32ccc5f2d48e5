/* emu_control.c — test and benchmark controls under /_emu/. */
#include "emu_control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "emu_buf.h"
#include "emu_http.h"
#include "emu_live.h"
#include "emu_stall.h"

/* --- GET /_emu/state --------------------------------------------------------------------- */

/* The pairs DESIGN.md calls aligned; every other pair is misaligned. */
static bool pair_aligned(int sim, int endpoint)
{
	return (sim == EMU_SIM_ACTIVATED && endpoint == EMU_ENDPOINT_ENABLED) ||
	       (sim == EMU_SIM_SUSPENDED && endpoint == EMU_ENDPOINT_DISABLED) ||
	       (sim == EMU_SIM_ISSUED && endpoint == EMU_ENDPOINT_DISABLED) ||
	       (sim == EMU_SIM_FACTORY_TEST && endpoint == EMU_ENDPOINT_ENABLED);
}

static void render_state(const struct emu_fleet *fleet, struct emu_buf *buf)
{
	int64_t sims[EMU_SIM_STATUS_COUNT] = { 0 };
	int64_t endpoints[EMU_ENDPOINT_STATUS_COUNT] = { 0 };
	int64_t pairs[EMU_SIM_STATUS_COUNT][EMU_ENDPOINT_STATUS_COUNT] = { { 0 } };
	int64_t sim_only = 0, endpoint_only = 0, misaligned = 0;
	int64_t devices = emu_fleet_device_count(fleet);

	for (int64_t i = 0; i < devices; i++) {
		int sim = emu_fleet_sim_status(fleet, i);
		int endpoint = emu_fleet_endpoint_status(fleet, i);
		if (sim != EMU_STATUS_NONE)
			sims[sim]++;
		if (endpoint != EMU_STATUS_NONE)
			endpoints[endpoint]++;
		if (sim != EMU_STATUS_NONE && endpoint != EMU_STATUS_NONE) {
			pairs[sim][endpoint]++;
			if (!pair_aligned(sim, endpoint))
				misaligned++;
		} else if (sim != EMU_STATUS_NONE) {
			sim_only++;
		} else {
			endpoint_only++;
		}
	}

	emu_buf_add_str(buf, "{\"devices\":");
	emu_buf_add_int(buf, devices);
	emu_buf_add_str(buf, ",\"sims\":");
	emu_buf_add_int(buf, emu_fleet_sim_count(fleet));
	emu_buf_add_str(buf, ",\"endpoints\":");
	emu_buf_add_int(buf, emu_fleet_endpoint_count(fleet));
	emu_buf_add_str(buf, ",\"sim_status\":{");
	for (int s = 0; s < EMU_SIM_STATUS_COUNT; s++) {
		if (s)
			emu_buf_add_char(buf, ',');
		emu_buf_add_json_string(buf, emu_sim_status_name(s));
		emu_buf_add_char(buf, ':');
		emu_buf_add_int(buf, sims[s]);
	}
	emu_buf_add_str(buf, "},\"endpoint_status\":{");
	for (int e = 0; e < EMU_ENDPOINT_STATUS_COUNT; e++) {
		if (e)
			emu_buf_add_char(buf, ',');
		emu_buf_add_json_string(buf, emu_endpoint_status_name(e));
		emu_buf_add_char(buf, ':');
		emu_buf_add_int(buf, endpoints[e]);
	}
	/* Every combination, zeros included, so that tests can read any key. */
	emu_buf_add_str(buf, "},\"pairs\":{");
	for (int s = 0; s < EMU_SIM_STATUS_COUNT; s++) {
		for (int e = 0; e < EMU_ENDPOINT_STATUS_COUNT; e++) {
			if (s || e)
				emu_buf_add_char(buf, ',');
			emu_buf_add_char(buf, '"');
			emu_buf_add_str(buf, emu_sim_status_name(s));
			emu_buf_add_char(buf, '/');
			emu_buf_add_str(buf, emu_endpoint_status_name(e));
			emu_buf_add_str(buf, "\":");
			emu_buf_add_int(buf, pairs[s][e]);
		}
	}
	emu_buf_add_str(buf, "},\"sim_only\":");
	emu_buf_add_int(buf, sim_only);
	emu_buf_add_str(buf, ",\"endpoint_only\":");
	emu_buf_add_int(buf, endpoint_only);
	emu_buf_add_str(buf, ",\"misaligned\":");
	emu_buf_add_int(buf, misaligned);
	emu_buf_add_char(buf, '}');
}

/* --- GET /_emu/state.csv and /_emu/live.csv ----------------------------------------------- */

/* The CSV is produced line by line as libmicrohttpd asks for more, so a million devices never
 * sit in memory at once. */
struct csv_stream {
	const struct emu_fleet *fleet;
	bool live;              /* live.csv: the network side of every endpoint */
	struct emu_live_world world;
	int64_t next;           /* next device index; -1 while the header is due */
	struct emu_buf line;    /* the line being copied out */
	size_t line_sent;
};

static const char csv_header[] = "sim_id,endpoint_id,sim_status,endpoint_status\n";
static const char live_csv_header[] = "endpoint_id,sim_id,connectivity,current_month_mb,last_month_mb,events\n";

static char *put_decimal(char *out, int64_t value)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	while (n)
		*out++ = digits[--n];
	return out;
}

/* A month's volume in MB as the stats show it, 0 when the month is absent. */
static void add_month_mb(struct emu_buf *buf, const struct emu_live_period *month)
{
	if (month->present)
		emu_live_add_mb(buf, month->rx_bytes + month->tx_bytes);
	else
		emu_buf_add_char(buf, '0');
}

/* One endpoint's line of live.csv; nothing for a device without an endpoint. */
static void live_format_line(struct csv_stream *stream, int64_t i)
{
	if (emu_fleet_endpoint_status(stream->fleet, i) == EMU_STATUS_NONE)
		return;
	struct emu_live live;
	emu_live_of(&stream->world, i, &live);
	struct emu_buf *line = &stream->line;
	emu_buf_add_int(line, EMU_ENDPOINT_ID_BASE + i);
	emu_buf_add_char(line, ',');
	if (emu_fleet_sim_status(stream->fleet, i) != EMU_STATUS_NONE)
		emu_buf_add_int(line, EMU_SIM_ID_BASE + i);
	emu_buf_add_char(line, ',');
	emu_buf_add_str(line, emu_live_connectivity_name(live.connectivity));
	emu_buf_add_char(line, ',');
	add_month_mb(line, &live.current_month);
	emu_buf_add_char(line, ',');
	add_month_mb(line, &live.last_month);
	emu_buf_add_char(line, ',');
	emu_buf_add_int(line, live.events);
	emu_buf_add_char(line, '\n');
}

static void csv_format_line(struct csv_stream *stream)
{
	stream->line.length = 0;
	stream->line_sent = 0;
	if (stream->next < 0) {
		emu_buf_add_str(&stream->line, stream->live ? live_csv_header : csv_header);
	} else if (stream->live) {
		live_format_line(stream, stream->next);
	} else {
		int64_t i = stream->next;
		int sim = emu_fleet_sim_status(stream->fleet, i);
		int endpoint = emu_fleet_endpoint_status(stream->fleet, i);
		char text[64];
		char *p = text;
		if (sim != EMU_STATUS_NONE)
			p = put_decimal(p, EMU_SIM_ID_BASE + i);
		*p++ = ',';
		if (endpoint != EMU_STATUS_NONE)
			p = put_decimal(p, EMU_ENDPOINT_ID_BASE + i);
		*p++ = ',';
		if (sim != EMU_STATUS_NONE)
			p = put_decimal(p, sim);
		*p++ = ',';
		if (endpoint != EMU_STATUS_NONE)
			p = put_decimal(p, endpoint);
		*p++ = '\n';
		emu_buf_add(&stream->line, text, (size_t)(p - text));
	}
	stream->next++;
}

static ssize_t csv_read(void *cls, uint64_t position, char *out, size_t max)
{
	(void)position;
	struct csv_stream *stream = cls;
	size_t used = 0;
	for (;;) {
		size_t left = stream->line.length - stream->line_sent;
		size_t n = left < max - used ? left : max - used;
		if (n)
			memcpy(out + used, stream->line.data + stream->line_sent, n);
		used += n;
		stream->line_sent += n;
		if (used == max)
			break;
		if (stream->next >= emu_fleet_device_count(stream->fleet))
			break;
		csv_format_line(stream);
	}
	return used ? (ssize_t)used : MHD_CONTENT_READER_END_OF_STREAM;
}

static void csv_free(void *cls)
{
	struct csv_stream *stream = cls;
	emu_buf_free(&stream->line);
	free(stream);
}

static enum MHD_Result send_csv(struct emu_context *context, struct MHD_Connection *connection, bool live)
{
	struct csv_stream *stream = calloc(1, sizeof *stream);
	if (!stream)
		return MHD_NO;
	stream->fleet = context->fleet;
	stream->live = live;
	stream->world.fleet = context->fleet;
	stream->world.seed = context->seed;
	stream->world.epoch = context->live_epoch;
	stream->next = -1;
	struct MHD_Response *response =
		MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, csv_read, stream, csv_free);
	if (!response) {
		csv_free(stream);
		return MHD_NO;
	}
	emu_http_add_header(response, "Content-Type", "text/csv; charset=utf-8", context->lower_case_headers);
	emu_http_add_date(response, context->lower_case_headers);
	enum MHD_Result result = MHD_queue_response(connection, 200, response);
	MHD_destroy_response(response);
	return result;
}

/* --- GET /_emu/changes ------------------------------------------------------------------- */

static void render_changes(struct emu_fleet *fleet, struct emu_buf *buf)
{
	struct emu_fleet_change *changes;
	size_t count = emu_fleet_changes(fleet, &changes);
	emu_buf_reserve(buf, count * 80 + 2);
	emu_buf_add_char(buf, '[');
	for (size_t i = 0; i < count; i++) {
		const struct emu_fleet_change *change = &changes[i];
		if (i)
			emu_buf_add_char(buf, ',');
		emu_buf_add_str(buf, "{\"seq\":");
		emu_buf_add_int(buf, change->seq);
		emu_buf_add_str(buf, change->sim ? ",\"kind\":\"sim\",\"id\":" : ",\"kind\":\"endpoint\",\"id\":");
		emu_buf_add_int(buf, change->id);
		emu_buf_add_str(buf, ",\"from\":");
		emu_buf_add_int(buf, change->from);
		emu_buf_add_str(buf, ",\"to\":");
		emu_buf_add_int(buf, change->to);
		emu_buf_add_str(buf, change->via == EMU_VIA_MULTI ? ",\"via\":\"multi\"}" : ",\"via\":\"single\"}");
	}
	emu_buf_add_char(buf, ']');
	free(changes);
}

/* --- settings ----------------------------------------------------------------------------- */

static bool parse_percent(const char *text, double *value)
{
	if (!text || !*text)
		return false;
	char *end;
	*value = strtod(text, &end);
	return *end == '\0' && *value >= 0 && *value <= 100;
}

/* A whole decimal number in [min, max]. */
static bool parse_whole(const char *text, long min, long max, long *value)
{
	if (!text || *text < '0' || *text > '9')
		return false;
	char *end;
	errno = 0;
	*value = strtol(text, &end, 10);
	return *end == '\0' && errno == 0 && *value >= min && *value <= max;
}

/* The query parameter on=0|1 of a switch. */
static bool parse_switch(struct MHD_Connection *connection, bool *on)
{
	const char *text = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "on");
	if (!text || (strcmp(text, "0") != 0 && strcmp(text, "1") != 0))
		return false;
	*on = text[0] == '1';
	return true;
}

/* POST /_emu/ip-window?requests=N&seconds=S[&block=429|403]. False on a bad value. */
static bool set_ip_window(struct emu_context *context, struct MHD_Connection *connection)
{
	long requests, seconds, block = EMU_WINDOW_BLOCK_429;
	const char *block_text = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "block");
	if (!parse_whole(MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "requests"), 1,
			 EMU_LIMITS_WINDOW_REQUESTS_MAX, &requests) ||
	    !parse_whole(MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "seconds"), 1,
			 EMU_LIMITS_WINDOW_SECONDS_MAX, &seconds) ||
	    (block_text && !parse_whole(block_text, 403, 429, &block)) ||
	    (block != EMU_WINDOW_BLOCK_429 && block != EMU_WINDOW_BLOCK_403))
		return false;
	emu_limits_set_window(context->limits, (int)requests, (int)seconds, (enum emu_window_block)block);
	return true;
}

/* --- entry --------------------------------------------------------------------------------- */

static enum MHD_Result send_json(struct emu_context *context, struct MHD_Connection *connection,
				 struct emu_buf *buf)
{
	struct emu_http_reply reply;
	emu_http_reply_init(&reply, 200);
	emu_http_reply_body(&reply, buf, EMU_HTTP_JSON_PLAIN);
	return emu_http_send(connection, &reply, context->lower_case_headers);
}

static enum MHD_Result send_message(struct emu_context *context, struct MHD_Connection *connection,
				    unsigned status, const char *message)
{
	struct emu_http_reply reply;
	emu_http_reply_init(&reply, status);
	if (message)
		emu_http_reply_message(&reply, status, message);
	else
		reply.content_type = EMU_HTTP_JSON_PLAIN;
	return emu_http_send(connection, &reply, context->lower_case_headers);
}

enum MHD_Result emu_control_handle(struct emu_context *context, struct MHD_Connection *connection,
				   const char *method, const char *url)
{
	const char *name = url + strlen("/_emu/");
	bool get = strcmp(method, "GET") == 0;
	bool post = strcmp(method, "POST") == 0;

	if (strcmp(name, "stats") == 0 && get) {
		struct emu_buf buf = { 0 };
		emu_stats_render(&context->stats, &buf);
		return send_json(context, connection, &buf);
	}
	if (strcmp(name, "state") == 0 && get) {
		struct emu_buf buf = { 0 };
		render_state(context->fleet, &buf);
		return send_json(context, connection, &buf);
	}
	if (strcmp(name, "state.csv") == 0 && get)
		return send_csv(context, connection, false);
	if (strcmp(name, "live.csv") == 0 && get)
		return send_csv(context, connection, true);
	if (strcmp(name, "expire-tokens") == 0 && post) {
		emu_auth_expire_all(context->auth);
		return send_message(context, connection, 204, NULL);
	}
	if (strcmp(name, "faults") == 0 && post) {
		double pct;
		const char *text = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "pct");
		if (!parse_percent(text, &pct))
			return send_message(context, connection, 400, "pct must be a number from 0 to 100");
		__atomic_store_n(&context->faults_ppm, EMU_FAULTS_PER_MILLION(pct), __ATOMIC_RELAXED);
		return send_message(context, connection, 204, NULL);
	}
	if (strcmp(name, "limits") == 0 && post) {
		bool on;
		if (!parse_switch(connection, &on))
			return send_message(context, connection, 400, "on must be 0 or 1");
		emu_limits_set_enabled(context->limits, on);
		return send_message(context, connection, 204, NULL);
	}
	if (strcmp(name, "ip-window") == 0 && post) {
		if (!set_ip_window(context, connection))
			return send_message(context, connection, 400,
					    "requests must be 1 to 1000000, seconds 1 to 86400, block 429 or 403");
		return send_message(context, connection, 204, NULL);
	}
	if (strcmp(name, "bulk-partial") == 0 && post) {
		bool on;
		if (!parse_switch(connection, &on))
			return send_message(context, connection, 400, "on must be 0 or 1");
		__atomic_store_n(&context->bulk_partial, on, __ATOMIC_RELAXED);
		return send_message(context, connection, 204, NULL);
	}
	if ((strcmp(name, "ignore-q") == 0 || strcmp(name, "refuse-q") == 0) && post) {
		bool on;
		if (!parse_switch(connection, &on))
			return send_message(context, connection, 400, "on must be 0 or 1");
		__atomic_store_n(name[0] == 'i' ? &context->ignore_q : &context->refuse_q, on, __ATOMIC_RELAXED);
		return send_message(context, connection, 204, NULL);
	}
	if (strcmp(name, "changes") == 0 && get) {
		struct emu_buf buf = { 0 };
		render_changes(context->fleet, &buf);
		return send_json(context, connection, &buf);
	}
	if (strcmp(name, "changes/clear") == 0 && post) {
		emu_fleet_clear_changes(context->fleet);
		return send_message(context, connection, 204, NULL);
	}

	if (strcmp(name, "stall") == 0 && post) {
		const char *what = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "what");
		const char *when = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "when");
		enum emu_stall stall;
		if (!emu_stall_parse(what, &stall))
			return send_message(context, connection, 400, "what must be none, patch, get or all");
		if (when && strcmp(when, "before") != 0 && strcmp(when, "after") != 0)
			return send_message(context, connection, 400, "when must be before or after");
		__atomic_store_n(&context->stall_after, when && strcmp(when, "after") == 0, __ATOMIC_RELAXED);
		__atomic_store_n(&context->stall, (uint32_t)stall, __ATOMIC_RELAXED);
		return send_message(context, connection, 204, NULL);
	}

	static const char *const known[] = { "stats", "state", "state.csv", "live.csv", "expire-tokens", "faults", "limits",
					     "stall", "ip-window", "bulk-partial", "changes", "changes/clear",
					     "ignore-q", "refuse-q" };
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (strcmp(name, known[i]) == 0)
			return send_message(context, connection, 405, "method not allowed on this control route");
	return send_message(context, connection, 404, "no such control route");
}
