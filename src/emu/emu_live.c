/* emu_live.c — connectivity, usage and events computed from (seed, device, statuses, epoch). */
#include "emu_live.h"

#include <inttypes.h>
#include <time.h>

#include "emu_render.h"
#include "emu_synth.h"

#define COUNT(array) (sizeof(array) / sizeof *(array))
#define ADD(buf, literal) emu_buf_add((buf), literal, sizeof(literal) - 1)

#define HOUR 3600
#define DAY 86400

/* splitmix64's finaliser, as emu_synth uses it; the salts below are this module's own, so the
 * network draws are independent of the static fields. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

enum salt { SALT_STATE = 101, SALT_USAGE, SALT_EVENTS, SALT_NETWORK };

static uint64_t live_hash(const struct emu_live_world *world, int64_t index, enum salt salt)
{
	return mix(mix(world->seed * 0x9e3779b97f4a7c15ULL + (uint64_t)salt) ^ (uint64_t)index);
}

/* A small stream of draws for one device (its event timeline, its volumes). */
struct draws {
	uint64_t state;
};

static uint64_t draw(struct draws *draws)
{
	draws->state += 0x9e3779b97f4a7c15ULL;
	return mix(draws->state);
}

const char *emu_live_connectivity_name(enum emu_live_connectivity connectivity)
{
	switch (connectivity) {
	case EMU_LIVE_ONLINE:
		return "ONLINE";
	case EMU_LIVE_ATTACHED:
		return "ATTACHED";
	case EMU_LIVE_BLOCKED:
		return "BLOCKED";
	case EMU_LIVE_OFFLINE:
		break;
	}
	return "OFFLINE";
}

/* --- the network ---------------------------------------------------------------------------- */

/* INFERRED: the sub-fields of location are untyped in the spec; events name operator and
 * country, so the plainest form is those two objects with the network codes. The ids are the
 * emulator's own (74 Germany matches the organisations' country). */
struct network {
	int operator_id;
	const char *operator_name;
	const char *mnc;
	int country_id;
	const char *country_name;
	const char *mcc;
};

static const struct network networks[] = {
	{ 1, "Telekom Deutschland", "01", 74, "Germany", "262" },
	{ 2, "Vodafone GmbH", "02", 74, "Germany", "262" },
	{ 3, "Telefonica Germany", "03", 74, "Germany", "262" },
	{ 4, "Orange France", "01", 73, "France", "208" },
	{ 5, "KPN", "08", 150, "Netherlands", "204" },
	{ 6, "AT&T Mobility", "410", 226, "United States", "310" },
};

struct rat {
	int id;                 /* 3GPP RAT-Type */
	const char *description;
};

static const struct rat rats[] = {
	{ 6, "4G" }, { 6, "4G" }, { 6, "4G" }, { 1, "3G" }, { 2, "2G" }, { 8, "NB-IoT" },
};

/* --- what a device is doing ----------------------------------------------------------------- */

/* The state draw of an Enabled endpoint with an Activated SIM, in hundredths (emu_live.h). */
enum live_kind {
	KIND_DOWN,              /* not Enabled + Activated: offline by its statuses */
	KIND_ONLINE,            /* 0..54 */
	KIND_ATTACHED,          /* 55..81 */
	KIND_ATTACHED_IDLE,     /* 82..86: attached, but no data session this month */
	KIND_OFFLINE_IDLE,      /* 87..93: went away before this month */
	KIND_OFFLINE,           /* 94..96: went away this month */
	KIND_BLOCKED,           /* 97..99 */
};

struct facts {
	int sim;                /* SIM status or EMU_STATUS_NONE */
	int endpoint;
	enum live_kind kind;
	bool ever_active;       /* the SIM was Activated at some point (not Issued, Factory Test, none) */
	int64_t month_start;    /* Unix seconds of the first of the epoch's month, 00:00 UTC */
};

static enum live_kind kind_of(unsigned ticket)
{
	if (ticket < 55)
		return KIND_ONLINE;
	if (ticket < 82)
		return KIND_ATTACHED;
	if (ticket < 87)
		return KIND_ATTACHED_IDLE;
	if (ticket < 94)
		return KIND_OFFLINE_IDLE;
	if (ticket < 97)
		return KIND_OFFLINE;
	return KIND_BLOCKED;
}

static void facts_of(const struct emu_live_world *world, int64_t index, struct facts *out)
{
	out->sim = emu_fleet_sim_status(world->fleet, index);
	out->endpoint = emu_fleet_endpoint_status(world->fleet, index);
	out->ever_active = out->sim == EMU_SIM_ACTIVATED || out->sim == EMU_SIM_SUSPENDED ||
			   out->sim == EMU_SIM_DELETED;
	if (out->sim == EMU_SIM_ACTIVATED && out->endpoint == EMU_ENDPOINT_ENABLED)
		out->kind = kind_of((unsigned)(live_hash(world, index, SALT_STATE) % 100));
	else
		out->kind = KIND_DOWN;
	time_t epoch = (time_t)world->epoch;
	struct tm tm;
	gmtime_r(&epoch, &tm);
	out->month_start = world->epoch - (int64_t)(tm.tm_mday - 1) * DAY - tm.tm_hour * HOUR - tm.tm_min * 60 -
			   tm.tm_sec;
}

static enum emu_live_connectivity connectivity_of(enum live_kind kind)
{
	switch (kind) {
	case KIND_ONLINE:
		return EMU_LIVE_ONLINE;
	case KIND_ATTACHED:
	case KIND_ATTACHED_IDLE:
		return EMU_LIVE_ATTACHED;
	case KIND_BLOCKED:
		return EMU_LIVE_BLOCKED;
	default:
		return EMU_LIVE_OFFLINE;
	}
}

/* --- usage ---------------------------------------------------------------------------------- */

/* A month's data volume in bytes: 15% under 1 MB, 65% from 1 to 100 MB, 20% above 100 MB
 * (heavy: always above 100 MB). */
static int64_t month_bytes(struct draws *draws, bool heavy)
{
	uint64_t d = draw(draws);
	unsigned tier = heavy ? 99 : (unsigned)(d % 100);
	uint64_t r = d >> 8;
	if (tier < 15)
		return 1000 + (int64_t)(r % 999000);
	if (tier < 80)
		return 1000000 + (int64_t)(r % 99000000);
	return 100000000 + (int64_t)(r % 1900000000);
}

static void fill_period(struct emu_live_period *period, struct draws *draws, int64_t bytes)
{
	uint64_t d = draw(draws);
	int64_t rx = bytes * (30 + (int64_t)(d % 41)) / 100; /* downlink 30..70% */
	period->present = true;
	period->rx_bytes = rx;
	period->tx_bytes = bytes - rx;
	period->sms_rx = (int)((d >> 16) % 6);
	period->sms_tx = (int)((d >> 24) % 4);
}

static void usage_of(const struct emu_live_world *world, int64_t index, const struct facts *facts,
		     struct emu_live *out)
{
	uint64_t presence = live_hash(world, index, SALT_USAGE); /* timeline_of reads it too */
	struct draws draws = { presence };
	out->last_month.present = out->current_month.present = out->last_hour.present = false;
	if (!facts->ever_active)
		return; /* never activated: never any traffic */
	if (facts->kind == KIND_DOWN) {
		/* Offline by its statuses: quiet this month; 35% were still busy last month. */
		if (presence % 100 < 35)
			fill_period(&out->last_month, &draws, month_bytes(&draws, false));
		return;
	}
	bool idle = facts->kind == KIND_ATTACHED_IDLE || facts->kind == KIND_OFFLINE_IDLE;
	if (presence % 100 < (idle ? 40u : 90u))
		fill_period(&out->last_month, &draws, month_bytes(&draws, false));
	if (!idle)
		fill_period(&out->current_month, &draws, month_bytes(&draws, facts->kind == KIND_BLOCKED));
	if (facts->kind == KIND_ONLINE && (presence >> 8) % 100 < 75)
		fill_period(&out->last_hour, &draws, 1000 + (int64_t)(draw(&draws) % 5000000));
}

/* --- events --------------------------------------------------------------------------------- */

enum event_kind {
	EV_UPDATE_LOCATION,
	EV_UPDATE_GPRS_LOCATION,
	EV_CREATE_PDP,
	EV_DELETE_PDP,
	EV_SIM_ACTIVATION,
	EV_SIM_SUSPENSION,
	EV_ENDPOINT_BLOCKED,
	EV_PURGE_LOCATION,
	EV_PURGE_GPRS_LOCATION,
	EV_ENDPOINT_DISABLED,
	EV_SIM_FACTORY,
	EV_SIM_ASSIGNED,
};

/* Type ids and descriptions as emnify's event type list gives them; sources and severities
 * as the recorded and documented events show them (0 Network, 1 Policy Control, 2 API;
 * 0 Info, 1 Warn). */
struct event_kind_info {
	int type;
	const char *type_description;
	int source;
	int severity;
	bool alert;
};

static const struct event_kind_info event_kinds[] = {
	[EV_UPDATE_LOCATION] = { 1, "Update location", 0, 0, false },
	[EV_UPDATE_GPRS_LOCATION] = { 2, "Update GPRS location", 0, 0, false },
	[EV_CREATE_PDP] = { 3, "Create PDP Context", 0, 0, false },
	[EV_DELETE_PDP] = { 5, "Delete PDP Context", 0, 0, false },
	[EV_SIM_ACTIVATION] = { 8, "SIM activation", 2, 0, false },
	[EV_SIM_SUSPENSION] = { 9, "SIM suspension", 2, 0, false },
	[EV_ENDPOINT_BLOCKED] = { 11, "Endpoint blocked", 1, 1, true },
	[EV_PURGE_LOCATION] = { 15, "Purge location", 0, 0, false },
	[EV_PURGE_GPRS_LOCATION] = { 16, "Purge GPRS location", 0, 0, false },
	[EV_ENDPOINT_DISABLED] = { 43, "Endpoint disabled", 2, 0, false },
	[EV_SIM_FACTORY] = { 45, "SIM factory", 2, 0, false },
	[EV_SIM_ASSIGNED] = { 51, "SIM Assigned", 2, 0, false },
};

static const char *const source_names[] = { "Network", "Policy Control", "API" };
static const char *const severity_names[] = { "Info", "Warn" };

struct live_event {
	enum event_kind kind;
	int64_t t;              /* Unix seconds; strictly decreasing along the timeline */
};

struct timeline {
	struct live_event events[EMU_LIVE_EVENTS_MAX];
	int count;
	int64_t t;              /* the time of the next (older) event */
	struct draws draws;
};

static void push(struct timeline *line, enum event_kind kind)
{
	if (line->count == EMU_LIVE_EVENTS_MAX)
		return;
	line->events[line->count].kind = kind;
	line->events[line->count].t = line->t;
	line->count++;
	line->t -= 1 + (int64_t)(draw(&line->draws) % 120); /* seconds between steps of one story */
}

/* Push the kinds, given newest first. */
static void push_all(struct timeline *line, const enum event_kind *kinds, size_t count)
{
	for (size_t i = 0; i < count; i++)
		push(line, kinds[i]);
}

/* Older data sessions, newest first, none before not_before. */
static void push_history(struct timeline *line, int64_t not_before)
{
	static const enum event_kind session[] = { EV_DELETE_PDP, EV_CREATE_PDP, EV_UPDATE_GPRS_LOCATION,
						   EV_UPDATE_LOCATION };
	int sessions = (int)(draw(&line->draws) % 13);
	for (int i = 0; i < sessions && line->count + 6 <= EMU_LIVE_EVENTS_MAX; i++) {
		line->t -= 2 * HOUR + (int64_t)(draw(&line->draws) % (3 * DAY));
		if (line->t - 4 * 120 <= not_before)
			return;
		push_all(line, session, COUNT(session));
	}
}

/* The device's events, newest first: what its statuses and state tell, then older sessions,
 * then how its SIM came to it. An endpoint without a SIM has none. */
static void timeline_of(const struct emu_live_world *world, int64_t index, const struct facts *facts,
			const struct emu_device *device, struct timeline *line)
{
	static const enum event_kind online[] = { EV_CREATE_PDP, EV_UPDATE_GPRS_LOCATION, EV_UPDATE_LOCATION };
	static const enum event_kind attached[] = { EV_DELETE_PDP, EV_CREATE_PDP, EV_UPDATE_GPRS_LOCATION,
						    EV_UPDATE_LOCATION };
	static const enum event_kind gone[] = { EV_PURGE_LOCATION, EV_PURGE_GPRS_LOCATION, EV_DELETE_PDP,
						EV_CREATE_PDP, EV_UPDATE_GPRS_LOCATION, EV_UPDATE_LOCATION };
	static const enum event_kind blocked[] = { EV_DELETE_PDP, EV_ENDPOINT_BLOCKED, EV_CREATE_PDP,
						   EV_UPDATE_GPRS_LOCATION, EV_UPDATE_LOCATION };
	static const enum event_kind suspended[] = { EV_PURGE_LOCATION, EV_PURGE_GPRS_LOCATION, EV_DELETE_PDP,
						     EV_SIM_SUSPENSION };
	static const enum event_kind disabled[] = { EV_PURGE_LOCATION, EV_PURGE_GPRS_LOCATION, EV_DELETE_PDP,
						    EV_ENDPOINT_DISABLED };

	line->count = 0;
	line->draws.state = live_hash(world, index, SALT_EVENTS);
	if (facts->sim == EMU_STATUS_NONE)
		return;
	int64_t assigned = device->created;
	int64_t activated = device->activation_date > assigned ? device->activation_date : assigned + 1;
	int64_t since_month = world->epoch - facts->month_start;
	uint64_t age = draw(&line->draws);

	if (facts->ever_active) {
		switch (facts->kind) {
		case KIND_ONLINE:
			line->t = world->epoch - 30 - (int64_t)(age % HOUR);
			push_all(line, online, COUNT(online));
			break;
		case KIND_ATTACHED:
			line->t = world->epoch - HOUR - (int64_t)(age % (20 * HOUR));
			push_all(line, attached, COUNT(attached));
			break;
		case KIND_ATTACHED_IDLE:
			/* Registered lately, but its last data session ended before this month. */
			line->t = world->epoch - HOUR - (int64_t)(age % (20 * HOUR));
			push(line, EV_UPDATE_LOCATION);
			line->t = facts->month_start - DAY - (int64_t)((age >> 20) % (10 * DAY));
			push_all(line, attached, COUNT(attached));
			break;
		case KIND_OFFLINE:
			line->t = world->epoch - 60 - (int64_t)(age % (uint64_t)(since_month / 2 + 1));
			push_all(line, gone, COUNT(gone));
			break;
		case KIND_OFFLINE_IDLE:
			line->t = facts->month_start - DAY - (int64_t)(age % (20 * DAY));
			push_all(line, gone, COUNT(gone));
			break;
		case KIND_BLOCKED:
			line->t = world->epoch - 60 - (int64_t)(age % (uint64_t)(since_month / 2 + 1));
			push_all(line, blocked, COUNT(blocked));
			break;
		case KIND_DOWN:
			/* Gone quiet last month when it had traffic then (usage_of), long before otherwise. */
			line->t = facts->month_start - HOUR - (int64_t)(age % (25 * DAY));
			if (live_hash(world, index, SALT_USAGE) % 100 >= 35)
				line->t -= 35 * DAY + (int64_t)((age >> 24) % (200 * DAY));
			if (facts->sim == EMU_SIM_SUSPENDED)
				push_all(line, suspended, COUNT(suspended));
			else
				push_all(line, disabled, COUNT(disabled));
			break;
		}
		push_history(line, activated);
	}
	/* The story of the SIM itself, at its own dates. */
	if (line->count + 2 > EMU_LIVE_EVENTS_MAX)
		line->count = EMU_LIVE_EVENTS_MAX - 2;
	if (line->count > 0 && line->events[line->count - 1].t <= activated)
		line->count = 0; /* the epoch lies before the SIM's dates: only its own story is told */
	if (facts->sim != EMU_SIM_ISSUED) {
		line->t = activated;
		push(line, facts->sim == EMU_SIM_FACTORY_TEST ? EV_SIM_FACTORY : EV_SIM_ACTIVATION);
	}
	line->t = assigned;
	push(line, EV_SIM_ASSIGNED);
}

/* --- the whole picture ---------------------------------------------------------------------- */

void emu_live_of(const struct emu_live_world *world, int64_t index, struct emu_live *out)
{
	struct facts facts;
	facts_of(world, index, &facts);
	out->connectivity = connectivity_of(facts.kind);
	usage_of(world, index, &facts, out);
	struct emu_device device;
	emu_fleet_device(world->fleet, index, &device);
	struct timeline line;
	timeline_of(world, index, &facts, &device, &line);
	out->events = line.count;
}

/* --- rendering ------------------------------------------------------------------------------ */

/* Millionths as a JSON number with six decimals. */
static void add_millionths(struct emu_buf *buf, int64_t value)
{
	emu_buf_printf(buf, "%" PRId64 ".%06" PRId64, value / 1000000, value % 1000000);
}

void emu_live_add_mb(struct emu_buf *buf, int64_t bytes)
{
	add_millionths(buf, bytes);
}

static void add_operator(struct emu_buf *buf, const struct network *network)
{
	ADD(buf, "\"operator\":{\"id\":");
	emu_buf_add_int(buf, network->operator_id);
	ADD(buf, ",\"name\":");
	emu_buf_add_json_string(buf, network->operator_name);
	ADD(buf, ",\"mnc\":");
	emu_buf_add_json_string(buf, network->mnc);
	ADD(buf, "},\"country\":{\"id\":");
	emu_buf_add_int(buf, network->country_id);
	ADD(buf, ",\"name\":");
	emu_buf_add_json_string(buf, network->country_name);
	ADD(buf, ",\"mcc\":");
	emu_buf_add_json_string(buf, network->mcc);
	emu_buf_add_char(buf, '}');
}

static const struct network *network_of(const struct emu_live_world *world, int64_t index)
{
	return &networks[live_hash(world, index, SALT_NETWORK) % COUNT(networks)];
}

static const struct rat *rat_of(const struct emu_live_world *world, int64_t index)
{
	return &rats[(live_hash(world, index, SALT_NETWORK) >> 16) % COUNT(rats)];
}

/* The newest event of one of the kinds a, b in the timeline, or 0. */
static int64_t newest(const struct timeline *line, enum event_kind a, enum event_kind b)
{
	for (int i = 0; i < line->count; i++)
		if (line->events[i].kind == a || line->events[i].kind == b)
			return line->events[i].t;
	return 0;
}

void emu_live_render_connectivity(struct emu_buf *buf, const struct emu_live_world *world, int64_t index)
{
	struct facts facts;
	facts_of(world, index, &facts);
	enum emu_live_connectivity connectivity = connectivity_of(facts.kind);
	if (connectivity == EMU_LIVE_OFFLINE) {
		/* Exactly the recorded answer for an idle device. */
		ADD(buf, "{\"status\":{\"description\":\"OFFLINE\"},\"services\":[]}");
		return;
	}
	struct emu_device device;
	emu_fleet_device(world->fleet, index, &device);
	struct timeline line;
	timeline_of(world, index, &facts, &device, &line);
	const struct network *network = network_of(world, index);

	ADD(buf, "{\"status\":{\"description\":");
	emu_buf_add_json_string(buf, emu_live_connectivity_name(connectivity));
	/* INFERRED: no last-seen field is specified; the time of the latest location update is
	 * the plainest, and is written like the other objects' timestamps. */
	ADD(buf, "},\"location\":{\"last_updated\":");
	emu_render_timestamp(buf, newest(&line, EV_UPDATE_LOCATION, EV_UPDATE_GPRS_LOCATION));
	emu_buf_add_char(buf, ',');
	add_operator(buf, network);
	emu_buf_add_char(buf, '}');
	if (connectivity == EMU_LIVE_ONLINE) {
		/* INFERRED: the fields event payloads show for a data session (APN, radio access
		 * type, the device's address, when the tunnel was made), in their plainest form. */
		const struct rat *rat = rat_of(world, index);
		ADD(buf, ",\"pdp_context\":{\"apn\":\"em\",\"rat_type\":{\"id\":");
		emu_buf_add_int(buf, rat->id);
		ADD(buf, ",\"description\":");
		emu_buf_add_json_string(buf, rat->description);
		ADD(buf, "},\"ue_ip_address\":\"");
		emu_buf_add_str(buf, device.ip_address);
		ADD(buf, "\",\"tunnel_created\":");
		emu_render_timestamp(buf, newest(&line, EV_CREATE_PDP, EV_CREATE_PDP));
		ADD(buf, ",\"gtp_version\":\"2\"}");
	}
	/* INFERRED: services are the ones the network grants; a blocked device is refused all. */
	if (connectivity == EMU_LIVE_BLOCKED)
		ADD(buf, ",\"services\":[]}");
	else
		ADD(buf, ",\"services\":[\"SMS\",\"Data\"]}");
}

/* INFERRED prices, in the organisation's currency (no currency field: the plainest form). */
#define DATA_MICRO_PER_BYTE_DIVISOR 100 /* 0.01 per MB: a millionth per 100 bytes */
#define SMS_MICRO 60000                 /* 0.06 per SMS */

static void render_period(struct emu_buf *buf, const char *key, const struct emu_live_period *period, bool *first)
{
	if (!period->present)
		return; /* a period without traffic is absent */
	if (!*first)
		emu_buf_add_char(buf, ',');
	*first = false;
	int64_t bytes = period->rx_bytes + period->tx_bytes;
	int sms = period->sms_rx + period->sms_tx;
	emu_buf_add_json_string(buf, key);
	ADD(buf, ":{\"data\":{\"volume\":");
	add_millionths(buf, bytes);
	ADD(buf, ",\"volume_tx\":");
	add_millionths(buf, period->tx_bytes);
	ADD(buf, ",\"volume_rx\":");
	add_millionths(buf, period->rx_bytes);
	ADD(buf, ",\"cost\":");
	add_millionths(buf, bytes / DATA_MICRO_PER_BYTE_DIVISOR);
	ADD(buf, "},\"sms\":{\"volume\":");
	emu_buf_add_int(buf, sms);
	ADD(buf, ",\"volume_tx\":");
	emu_buf_add_int(buf, period->sms_tx);
	ADD(buf, ",\"volume_rx\":");
	emu_buf_add_int(buf, period->sms_rx);
	ADD(buf, ",\"cost\":");
	add_millionths(buf, (int64_t)sms * SMS_MICRO);
	ADD(buf, "}}");
}

void emu_live_render_stats(struct emu_buf *buf, const struct emu_live_world *world, int64_t index)
{
	struct facts facts;
	facts_of(world, index, &facts);
	struct emu_live live;
	usage_of(world, index, &facts, &live);
	bool first = true;
	emu_buf_add_char(buf, '{');
	render_period(buf, "last_month", &live.last_month, &first);
	render_period(buf, "current_month", &live.current_month, &first);
	render_period(buf, "last_hour", &live.last_hour, &first);
	emu_buf_add_char(buf, '}');
}

/* An event's timestamp as the recorded ones read: "2022-03-27T23:20:49.298Z". */
static void add_event_time(struct emu_buf *buf, int64_t t, int milliseconds)
{
	time_t seconds = (time_t)t;
	struct tm tm;
	gmtime_r(&seconds, &tm);
	emu_buf_printf(buf, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		       tm.tm_hour, tm.tm_min, tm.tm_sec, milliseconds);
}

static void add_description(struct emu_buf *buf, enum event_kind kind, const struct emu_device *device,
			    const struct network *network)
{
	switch (kind) {
	case EV_UPDATE_LOCATION:
	case EV_UPDATE_GPRS_LOCATION:
		emu_buf_printf(buf, "\"%s updated: attached to %s, %s\"",
			       kind == EV_UPDATE_GPRS_LOCATION ? "GPRS location" : "Location", network->operator_name,
			       network->country_name);
		return;
	case EV_CREATE_PDP:
		emu_buf_printf(buf, "\"New PDP context created on %s, APN em\"", network->operator_name);
		return;
	case EV_DELETE_PDP:
		ADD(buf, "\"PDP context deleted\"");
		return;
	case EV_SIM_ACTIVATION:
		ADD(buf, "\"Status of SIM changed from 'Issued' to 'Activated'\"");
		return;
	case EV_SIM_SUSPENSION:
		ADD(buf, "\"Status of SIM changed from 'Activated' to 'Suspended'\"");
		return;
	case EV_ENDPOINT_BLOCKED:
		ADD(buf, "\"Endpoint blocked: traffic limit of its service policy exceeded\"");
		return;
	case EV_PURGE_LOCATION:
		ADD(buf, "\"Location purged: the device is not reachable\"");
		return;
	case EV_PURGE_GPRS_LOCATION:
		ADD(buf, "\"GPRS location purged: the device is inactive\"");
		return;
	case EV_ENDPOINT_DISABLED:
		ADD(buf, "\"Status of endpoint changed from 'Enabled' to 'Disabled'\"");
		return;
	case EV_SIM_FACTORY:
		ADD(buf, "\"Status of SIM changed from 'Issued' to 'Factory Test'\"");
		return;
	case EV_SIM_ASSIGNED:
		emu_buf_printf(buf, "\"SIM %" PRId64 " assigned to endpoint %" PRId64 "\"", device->sim_id,
			       device->endpoint_id);
		return;
	}
}

/* INFERRED: detail is untyped; network events carry the network, a new data session its
 * APN and radio type; the recorded API events carry {}. */
static void add_detail(struct emu_buf *buf, enum event_kind kind, const struct network *network, const struct rat *rat)
{
	ADD(buf, "\"detail\":{");
	if (event_kinds[kind].source == 0) {
		add_operator(buf, network);
		if (kind == EV_CREATE_PDP) {
			ADD(buf, ",\"pdp_context\":{\"apn\":\"em\",\"rat_type\":{\"id\":");
			emu_buf_add_int(buf, rat->id);
			ADD(buf, ",\"description\":");
			emu_buf_add_json_string(buf, rat->description);
			ADD(buf, "}}");
		}
	}
	emu_buf_add_char(buf, '}');
}

static void render_event(struct emu_buf *buf, const struct live_event *event, int64_t index,
			 const struct emu_device *device, const struct network *network, const struct rat *rat)
{
	/* Ids grow with time and are unique in the fleet: an index takes the low 24 bits (the
	 * fleet has at most EMU_FLEET_MAX_DEVICES < 2^24), and one device's events are whole
	 * seconds apart. They come out near 3e16, above 32 bits as the real ones are. */
	int64_t id = event->t * (INT64_C(1) << 24) + index;
	const struct event_kind_info *kind = &event_kinds[event->kind];

	ADD(buf, "{\"timestamp\":");
	add_event_time(buf, event->t, (int)(mix((uint64_t)id) % 1000));
	ADD(buf, ",\"alert\":");
	if (kind->alert)
		ADD(buf, "true");
	else
		ADD(buf, "false");
	ADD(buf, ",\"description\":");
	add_description(buf, event->kind, device, network);
	ADD(buf, ",\"id\":");
	emu_buf_add_int(buf, id);
	ADD(buf, ",\"event_type\":{\"id\":");
	emu_buf_add_int(buf, kind->type);
	ADD(buf, ",\"description\":");
	emu_buf_add_json_string(buf, kind->type_description);
	ADD(buf, "},\"event_source\":{\"id\":");
	emu_buf_add_int(buf, kind->source);
	ADD(buf, ",\"description\":");
	emu_buf_add_json_string(buf, source_names[kind->source]);
	ADD(buf, "},\"event_severity\":{\"id\":");
	emu_buf_add_int(buf, kind->severity);
	ADD(buf, ",\"description\":");
	emu_buf_add_json_string(buf, severity_names[kind->severity]);
	/* The organisation every emulated object belongs to (emu_render's). */
	ADD(buf, "},\"organisation\":{\"id\":1,\"name\":\"Emulated Org\"},\"sim\":{\"iccid\":\"");
	emu_buf_add_str(buf, device->iccid);
	ADD(buf, "\",\"id\":");
	emu_buf_add_int(buf, device->sim_id);
	ADD(buf, ",\"production_date\":");
	add_event_time(buf, device->production_date, 0);
	/* INFERRED: IMSI records have ids of their own; the emulator numbers them after the SIM's
	 * device, and imports them with the SIM's production. */
	ADD(buf, "},\"imsi\":{\"id\":");
	emu_buf_add_int(buf, 20000001 + index);
	ADD(buf, ",\"import_date\":");
	add_event_time(buf, device->production_date, 0);
	ADD(buf, ",\"imsi\":\"");
	emu_buf_add_str(buf, device->imsi);
	ADD(buf, "\"},\"endpoint\":{\"id\":");
	emu_buf_add_int(buf, device->endpoint_id);
	ADD(buf, ",\"name\":");
	emu_buf_add_json_string(buf, device->name);
	ADD(buf, ",\"imei\":");
	emu_buf_add_json_string_or_null(buf, device->imei[0] ? device->imei : NULL);
	ADD(buf, ",\"ip_address\":\"");
	emu_buf_add_str(buf, device->ip_address);
	ADD(buf, "\",\"tags\":");
	emu_buf_add_json_string_or_null(buf, device->tags);
	ADD(buf, "},");
	add_detail(buf, event->kind, network, rat);
	emu_buf_add_char(buf, '}');
}

void emu_live_render_events(struct emu_buf *buf, const struct emu_live_world *world, int64_t index,
			    int64_t first, int64_t count, bool oldest_first)
{
	struct facts facts;
	facts_of(world, index, &facts);
	struct emu_device device;
	emu_fleet_device(world->fleet, index, &device);
	struct timeline line;
	timeline_of(world, index, &facts, &device, &line);
	const struct network *network = network_of(world, index);
	const struct rat *rat = rat_of(world, index);

	emu_buf_reserve(buf, (size_t)count * 1200 + 2);
	emu_buf_add_char(buf, '[');
	for (int64_t i = 0; i < count; i++) {
		int64_t at = first + i;
		if (oldest_first)
			at = line.count - 1 - at;
		if (i)
			emu_buf_add_char(buf, ',');
		render_event(buf, &line.events[at], index, &device, network, rat);
	}
	emu_buf_add_char(buf, ']');
}
