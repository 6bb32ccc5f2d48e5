/* emu_render.c — JSON objects for SIMs and endpoints. */
#include "emu_render.h"

#include <string.h>

/* Append a string literal without measuring it at run time. */
#define ADD(buf, literal) emu_buf_add((buf), literal, sizeof(literal) - 1)

/* The organisation the emulated workspace belongs to; matches the JWT's esc.org claims. */
#define CUSTOMER_ORG \
	"{\"id\":1,\"name\":\"Emulated Org\",\"country\":{\"id\":74,\"name\":\"Germany\"}}"
#define ISSUER_ORG \
	"{\"id\":2,\"name\":\"emnify GmbH\",\"country\":{\"id\":74,\"name\":\"Germany\"}}"

/* SIM models, indexed by emu_device.model. */
static const char *const models[] = {
	"{\"id\":4,\"description\":\"Classic\",\"memory_size\":128,"
	"\"formfactor\":{\"id\":6,\"name\":\"1/2/3FF (3in1) \"},\"manufacturer\":{\"id\":2,\"name\":\"Bluefish\"}}",
	"{\"id\":44,\"description\":\"Industrial\",\"memory_size\":64,"
	"\"formfactor\":{\"id\":11,\"name\":\"MFF2\"},\"manufacturer\":{\"id\":5,\"name\":\"Kigen\"}}",
};

/* Days since 1970-01-01 to a civil date (proleptic Gregorian); after H. Hinnant's
 * civil_from_days, which needs no tables and no time zone. */
static void civil_from_days(int64_t days, int *year, int *month, int *day)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(yoe + era * 400 + (*month <= 2));
}

static char *two_digits(char *out, int value)
{
	out[0] = (char)('0' + value / 10);
	out[1] = (char)('0' + value % 10);
	return out + 2;
}

void emu_render_timestamp(struct emu_buf *buf, int64_t t)
{
	int64_t days = t / 86400;
	int64_t seconds = t % 86400;
	if (seconds < 0) {
		seconds += 86400;
		days--;
	}
	int year, month, day;
	civil_from_days(days, &year, &month, &day);

	char text[32];
	char *p = text;
	*p++ = '"';
	p = two_digits(p, year / 100 % 100);
	p = two_digits(p, year % 100);
	*p++ = '-';
	p = two_digits(p, month);
	*p++ = '-';
	p = two_digits(p, day);
	*p++ = 'T';
	p = two_digits(p, (int)(seconds / 3600));
	*p++ = ':';
	p = two_digits(p, (int)(seconds / 60 % 60));
	*p++ = ':';
	p = two_digits(p, (int)(seconds % 60));
	memcpy(p, ".000+0000\"", 10);
	p += 10;
	emu_buf_add(buf, text, (size_t)(p - text));
}

static void add_status(struct emu_buf *buf, int status, const char *description)
{
	ADD(buf, "{\"id\":");
	emu_buf_add_int(buf, status);
	ADD(buf, ",\"description\":");
	emu_buf_add_json_string(buf, description);
	emu_buf_add_char(buf, '}');
}

static void add_imei(struct emu_buf *buf, const struct emu_device *device)
{
	emu_buf_add_json_string_or_null(buf, device->imei[0] ? device->imei : NULL);
}

void emu_render_sim(struct emu_buf *buf, const struct emu_fleet *fleet, int64_t index)
{
	struct emu_device device;
	emu_fleet_device(fleet, index, &device);
	int status = emu_fleet_sim_status(fleet, index);

	emu_buf_reserve(buf, 2048);
	ADD(buf, "{\"id\":");
	emu_buf_add_int(buf, device.sim_id);
	ADD(buf, ",\"iccid\":\"");
	emu_buf_add_str(buf, device.iccid);
	ADD(buf, "\",\"production_date\":");
	emu_render_timestamp(buf, device.production_date);
	/* A SIM that was never activated has no activation date at all. */
	if (status != EMU_SIM_ISSUED) {
		ADD(buf, ",\"activation_date\":");
		emu_render_timestamp(buf, device.activation_date);
	}
	ADD(buf, ",\"status\":");
	add_status(buf, status, emu_sim_status_name(status));
	ADD(buf, ",\"customer_org\":" CUSTOMER_ORG ",\"issuer_org\":" ISSUER_ORG ",\"reseller_org\":null");
	if (device.endpoint_id) {
		/* The endpoint as a SIM sees it: flat *_id references and no status. */
		ADD(buf, ",\"endpoint\":{\"id\":");
		emu_buf_add_int(buf, device.endpoint_id);
		ADD(buf, ",\"name\":");
		emu_buf_add_json_string(buf, device.name);
		ADD(buf, ",\"imei\":");
		add_imei(buf, &device);
		ADD(buf, ",\"created\":");
		emu_render_timestamp(buf, device.created);
		ADD(buf, ",\"last_updated\":");
		emu_render_timestamp(buf, device.last_updated);
		ADD(buf, ",\"organisation_id\":1,\"service_profile_id\":");
		emu_buf_add_int(buf, device.service_profile->id);
		ADD(buf, ",\"tariff_profile_id\":");
		emu_buf_add_int(buf, device.tariff_profile->id);
		ADD(buf, ",\"tags\":");
		emu_buf_add_json_string_or_null(buf, device.tags);
		ADD(buf, ",\"ip_address\":\"");
		emu_buf_add_str(buf, device.ip_address);
		ADD(buf, "\",\"ip_address_space_id\":");
		emu_buf_add_int(buf, device.ip_address_space_id);
		emu_buf_add_char(buf, '}');
	}
	ADD(buf, ",\"imsi\":\"");
	emu_buf_add_str(buf, device.imsi);
	ADD(buf, "\",\"msisdn\":\"");
	emu_buf_add_str(buf, device.msisdn);
	ADD(buf, "\",\"model\":");
	emu_buf_add_str(buf, models[device.model]);
	emu_buf_add_char(buf, '}');
}

void emu_render_endpoint(struct emu_buf *buf, const struct emu_fleet *fleet, int64_t index, bool detailed)
{
	emu_render_endpoint_claiming(buf, fleet, index, index, detailed, true);
}

void emu_render_endpoint_claiming(struct emu_buf *buf, const struct emu_fleet *fleet, int64_t index,
				  int64_t sim_device, bool detailed, bool sim_status)
{
	struct emu_device device, sim_owner;
	emu_fleet_device(fleet, index, &device);
	const struct emu_device *sim = &device;
	if (sim_device != index) {
		emu_fleet_device(fleet, sim_device, &sim_owner);
		sim = &sim_owner;
	}
	int status = emu_fleet_endpoint_status(fleet, index);

	emu_buf_reserve(buf, 2048);
	ADD(buf, "{\"id\":");
	emu_buf_add_int(buf, device.endpoint_id);
	ADD(buf, ",\"name\":");
	emu_buf_add_json_string(buf, device.name);
	ADD(buf, ",\"tags\":");
	emu_buf_add_json_string_or_null(buf, device.tags);
	ADD(buf, ",\"created\":");
	emu_render_timestamp(buf, device.created);
	ADD(buf, ",\"last_updated\":");
	emu_render_timestamp(buf, device.last_updated);
	ADD(buf, ",\"status\":");
	add_status(buf, status, emu_endpoint_status_name(status));
	ADD(buf, ",\"service_profile\":{\"id\":");
	emu_buf_add_int(buf, device.service_profile->id);
	ADD(buf, ",\"name\":");
	emu_buf_add_json_string(buf, device.service_profile->name);
	ADD(buf, "},\"tariff_profile\":{\"id\":");
	emu_buf_add_int(buf, device.tariff_profile->id);
	ADD(buf, ",\"name\":");
	emu_buf_add_json_string(buf, device.tariff_profile->name);
	emu_buf_add_char(buf, '}');
	if (sim->sim_id) {
		int status_of_sim = emu_fleet_sim_status(fleet, sim_device);
		ADD(buf, ",\"sim\":{\"id\":");
		emu_buf_add_int(buf, sim->sim_id);
		ADD(buf, ",\"iccid\":\"");
		emu_buf_add_str(buf, sim->iccid);
		ADD(buf, "\",\"iccid_with_luhn\":\"");
		emu_buf_add_str(buf, sim->iccid_with_luhn);
		ADD(buf, "\",\"sim_profile_type_id\":1");
		if (sim_status) {
			ADD(buf, ",\"status\":");
			add_status(buf, status_of_sim, emu_sim_status_name(status_of_sim));
		}
		ADD(buf, ",\"imsi\":\"");
		emu_buf_add_str(buf, sim->imsi);
		ADD(buf, "\",\"msisdn\":\"");
		emu_buf_add_str(buf, sim->msisdn);
		ADD(buf, "\"}");
	}
	ADD(buf, ",\"imei\":");
	add_imei(buf, &device);
	if (device.imei_lock)
		ADD(buf, ",\"imei_lock\":true");
	else
		ADD(buf, ",\"imei_lock\":false");
	ADD(buf, ",\"ip_address\":\"");
	emu_buf_add_str(buf, device.ip_address);
	ADD(buf, "\",\"ip_address_space\":{\"id\":");
	emu_buf_add_int(buf, device.ip_address_space_id);
	if (detailed) {
		ADD(buf, ",\"ip_address_space\":\"");
		emu_buf_add_str(buf, device.ip_address_space);
		ADD(buf, "\",\"ip_address_version\":4");
	}
	ADD(buf, "}}");
}

void emu_render_sim_page(struct emu_buf *buf, const struct emu_fleet *fleet, const int64_t *devices, int64_t count)
{
	emu_buf_reserve(buf, (size_t)count * 900 + 2);
	emu_buf_add_char(buf, '[');
	for (int64_t i = 0; i < count; i++) {
		if (i)
			emu_buf_add_char(buf, ',');
		emu_render_sim(buf, fleet, devices[i]);
	}
	emu_buf_add_char(buf, ']');
}

void emu_render_endpoint_page_claiming(struct emu_buf *buf, const struct emu_fleet *fleet, const int64_t *devices,
				       int64_t count, int64_t claimer, int64_t claim_device, bool status_missing)
{
	emu_buf_reserve(buf, (size_t)count * 700 + 2);
	emu_buf_add_char(buf, '[');
	for (int64_t i = 0; i < count; i++) {
		if (i)
			emu_buf_add_char(buf, ',');
		int64_t index = devices[i];
		bool sim_status = !status_missing || index % EMU_RENDER_STATUS_MISSING_EVERY != 0;
		emu_render_endpoint_claiming(buf, fleet, index, index == claimer ? claim_device : index, false,
					     sim_status);
	}
	emu_buf_add_char(buf, ']');
}
