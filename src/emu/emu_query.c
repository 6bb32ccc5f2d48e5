/* emu_query.c — parsing and matching q (see emu_query.h). */
#include "emu_query.h"

#include <stdio.h>
#include <string.h>

/* The fields the emulator filters by. */
static const struct {
	const char *name;
	bool sims;                      /* a field of the SIM list; false: of the endpoint list */
	enum emu_query_field field;
} emulated[] = {
	{ "status", true, EMU_QUERY_SIM_STATUS },
	{ "endpoint", true, EMU_QUERY_SIM_WITHOUT_ENDPOINT },
	{ "status", false, EMU_QUERY_ENDPOINT_STATUS },
	{ "sim_status", false, EMU_QUERY_ENDPOINT_SIM_STATUS },
};

/* The other fields emnify documents for each list (reference/emnify-api.md §2), named in the
 * refusal so that a test sees it asked for something real that is not emulated. */
static const char *const sim_documented[] = {
	"id", "issuer_org", "reseller_org", "customer_org", "iccid", "iccid_with_luhn", "production_date",
	"imsi", "msisdn", "model", "eid", "satellite_capable",
};
static const char *const endpoint_documented[] = {
	"service_profile", "tariff_profile", "id", "name", "created", "last_updated", "tags", "ip_address",
	"imei", "iccid", "iccid_with_luhn", "eid",
};

static bool same(const char *text, size_t length, const char *word)
{
	return strlen(word) == length && strncmp(text, word, length) == 0;
}

static bool documented(const char *name, size_t length, bool sims)
{
	const char *const *names = sims ? sim_documented : endpoint_documented;
	size_t count = sims ? sizeof sim_documented / sizeof *sim_documented
			    : sizeof endpoint_documented / sizeof *endpoint_documented;
	for (size_t i = 0; i < count; i++)
		if (same(name, length, names[i]))
			return true;
	return false;
}

/* Write "field 'NAME'" into error, or just "a field" when NAME is not plain ASCII (the message
 * goes into a JSON body that must stay valid UTF-8). */
static void refuse_field(char *error, size_t size, const char *problem, const char *name, size_t length)
{
	bool printable = length <= 40;
	for (size_t i = 0; printable && i < length; i++)
		printable = name[i] >= 0x20 && name[i] < 0x7f && name[i] != '\'';
	if (printable)
		snprintf(error, size, "Invalid query criteria: field '%.*s' %s", (int)length, name, problem);
	else
		snprintf(error, size, "Invalid query criteria: a field %s", problem);
}

/* A status id: 1 to 9 decimal digits. */
static bool parse_status_id(const char *text, size_t length, int64_t *value)
{
	if (length < 1 || length > 9)
		return false;
	*value = 0;
	for (size_t i = 0; i < length; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		*value = *value * 10 + (text[i] - '0');
	}
	return true;
}

bool emu_query_parse(const char *text, bool sims, struct emu_query *query, char *error, size_t size)
{
	static const char malformed[] = "Invalid query criteria: expected field:value[,field:value...]";

	query->count = 0;
	if (strlen(text) > EMU_QUERY_TEXT_MAX) {
		snprintf(error, size, "Invalid query criteria: longer than %d characters", EMU_QUERY_TEXT_MAX);
		return false;
	}
	const char *term = text;
	for (;;) {
		size_t length = strcspn(term, ",");
		const char *colon = memchr(term, ':', length);
		if (!colon || colon == term || colon + 1 == term + length) {
			snprintf(error, size, "%s", malformed);
			return false;
		}
		const char *name = term;
		size_t name_length = (size_t)(colon - term);
		const char *value = colon + 1;
		size_t value_length = length - name_length - 1;

		size_t field = 0;
		while (field < sizeof emulated / sizeof *emulated &&
		       !(emulated[field].sims == sims && same(name, name_length, emulated[field].name)))
			field++;
		if (field == sizeof emulated / sizeof *emulated) {
			refuse_field(error, size,
				     documented(name, name_length, sims) ? "is not emulated" : "is unknown", name,
				     name_length);
			return false;
		}
		/* The length cap above bounds the terms, so this never runs out of room. */
		struct emu_query_term *out = &query->terms[query->count++];
		out->field = emulated[field].field;
		out->value = 0;
		if (out->field == EMU_QUERY_SIM_WITHOUT_ENDPOINT) {
			/* Which endpoint a SIM has is not asked for by the SDK; only null is. */
			if (!same(value, value_length, "null")) {
				refuse_field(error, size, "takes only the value null", name, name_length);
				return false;
			}
		} else if (!parse_status_id(value, value_length, &out->value)) {
			refuse_field(error, size, "needs a status id", name, name_length);
			return false;
		}

		if (term[length] == '\0')
			return true;
		term += length + 1;
	}
}

bool emu_query_matches(const struct emu_query *query, const struct emu_fleet *fleet, int64_t index)
{
	for (size_t i = 0; i < query->count; i++) {
		const struct emu_query_term *term = &query->terms[i];
		int status;
		switch (term->field) {
		case EMU_QUERY_SIM_STATUS:
			if (emu_fleet_sim_status(fleet, index) != term->value)
				return false;
			break;
		case EMU_QUERY_SIM_WITHOUT_ENDPOINT:
			if (emu_fleet_endpoint_status(fleet, index) != EMU_STATUS_NONE)
				return false;
			break;
		case EMU_QUERY_ENDPOINT_STATUS:
			if (emu_fleet_endpoint_status(fleet, index) != term->value)
				return false;
			break;
		case EMU_QUERY_ENDPOINT_SIM_STATUS:
			/* EMU_STATUS_NONE is a byte value too: an endpoint without a SIM never matches. */
			status = emu_fleet_sim_status(fleet, index);
			if (status == EMU_STATUS_NONE || status != term->value)
				return false;
			break;
		}
	}
	return true;
}
