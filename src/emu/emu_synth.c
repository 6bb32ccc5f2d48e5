/* emu_synth.c — deterministic device generator. */
#include "emu_synth.h"

#include <string.h>

#define COUNT(array) (sizeof(array) / sizeof *(array))

/* splitmix64's finaliser: fast, and every input bit reaches every output bit. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* One independent hash per (device, purpose): salts keep the fields uncorrelated. */
enum salt {
	SALT_KIND = 1, SALT_NAME, SALT_NUMBER, SALT_HOSTILE, SALT_TAGS,
	SALT_IMEI, SALT_DATES, SALT_PROFILES,
};

static uint64_t device_hash(const struct emu_synth_params *params, int64_t index, enum salt salt)
{
	return mix(mix(params->seed * 0x2545f4914f6cdd1dULL + (uint64_t)salt) ^ (uint64_t)index);
}

static const char *const sim_status_names[EMU_SIM_STATUS_COUNT] = {
	"Issued", "Activated", "Suspended", "Deleted", "Factory Test",
};
static const char *const endpoint_status_names[EMU_ENDPOINT_STATUS_COUNT] = {
	"Enabled", "Disabled", "Deleted",
};

const char *emu_sim_status_name(int status)
{
	return status >= 0 && status < EMU_SIM_STATUS_COUNT ? sim_status_names[status] : NULL;
}

const char *emu_endpoint_status_name(int status)
{
	return status >= 0 && status < EMU_ENDPOINT_STATUS_COUNT ? endpoint_status_names[status] : NULL;
}

/* --- statuses --------------------------------------------------------------------------- */

struct weighted_pair {
	int weight;
	uint8_t sim;
	uint8_t endpoint;
};

/* Aligned pairs, in the proportions a working fleet shows. */
static const struct weighted_pair aligned_pairs[] = {
	{ 87, EMU_SIM_ACTIVATED, EMU_ENDPOINT_ENABLED },
	{ 8, EMU_SIM_SUSPENDED, EMU_ENDPOINT_DISABLED },
	{ 3, EMU_SIM_ISSUED, EMU_ENDPOINT_DISABLED },
	{ 2, EMU_SIM_FACTORY_TEST, EMU_ENDPOINT_ENABLED },
};

/* Misaligned pairs: mostly the expensive kind, SIMs billed behind disabled endpoints. */
static const struct weighted_pair misaligned_pairs[] = {
	{ 60, EMU_SIM_ACTIVATED, EMU_ENDPOINT_DISABLED },
	{ 25, EMU_SIM_SUSPENDED, EMU_ENDPOINT_ENABLED },
	{ 15, EMU_SIM_ISSUED, EMU_ENDPOINT_ENABLED },
};

/* Both tables' weights add up to 100, so a ticket is a draw modulo a constant: no division
 * instruction in the start-up loop. */
static const struct weighted_pair *pick_pair(const struct weighted_pair *pairs, int count, unsigned ticket)
{
	for (int i = 0; i < count - 1; i++) {
		if (ticket < (unsigned)pairs[i].weight)
			return &pairs[i];
		ticket -= (unsigned)pairs[i].weight;
	}
	return &pairs[count - 1];
}

/* Draws are 21-bit integers: fine enough for percentages, and three of them fit one hash. */
#define DRAW_BITS 21
#define DRAW_MASK ((1u << DRAW_BITS) - 1)

void emu_synth_initial(const struct emu_synth_params *params, int64_t count, uint8_t *sim_status,
		       uint8_t *endpoint_status)
{
	/* misaligned_pct is a share of all devices; among pairs it is correspondingly larger. */
	double pairs_pct = 100.0 - params->unpaired_pct;
	double misaligned_share = pairs_pct > 0 ? params->misaligned_pct / pairs_pct : 0;
	uint32_t unpaired_below = (uint32_t)(params->unpaired_pct / 100.0 * (DRAW_MASK + 1.0));
	uint32_t misaligned_below = (uint32_t)(misaligned_share * (DRAW_MASK + 1.0));
	static const uint8_t sim_only[] = {
		EMU_SIM_ISSUED, EMU_SIM_ISSUED, EMU_SIM_ISSUED, EMU_SIM_ACTIVATED, EMU_SIM_SUSPENDED,
	};

	/* One hash per device, split in three draws, keeps a million devices to a few milliseconds. */
	for (int64_t i = 0; i < count; i++) {
		uint64_t hash = device_hash(params, i, SALT_KIND);
		uint32_t kind_draw = (uint32_t)hash & DRAW_MASK;
		uint32_t misaligned_draw = (uint32_t)(hash >> DRAW_BITS) & DRAW_MASK;
		uint64_t status_draw = hash >> (2 * DRAW_BITS);

		if (kind_draw < unpaired_below) {
			/* Half SIMs in stock or released, half endpoints that lost or never had a SIM. */
			if (status_draw & 1) {
				sim_status[i] = sim_only[(status_draw >> 1) % sizeof sim_only];
				endpoint_status[i] = EMU_STATUS_NONE;
			} else {
				sim_status[i] = EMU_STATUS_NONE;
				endpoint_status[i] = (status_draw >> 1) % 3 == 0 ? EMU_ENDPOINT_ENABLED
										 : EMU_ENDPOINT_DISABLED;
			}
			continue;
		}
		const struct weighted_pair *pair;
		if (misaligned_draw < misaligned_below)
			pair = pick_pair(misaligned_pairs, (int)COUNT(misaligned_pairs), (unsigned)(status_draw % 100));
		else
			pair = pick_pair(aligned_pairs, (int)COUNT(aligned_pairs), (unsigned)(status_draw % 100));
		sim_status[i] = pair->sim;
		endpoint_status[i] = pair->endpoint;
	}
}

/* --- text fields ------------------------------------------------------------------------ */

/* Write value as exactly width decimal digits (zero-padded, high digits cut) at out. */
static char *put_digits(char *out, uint64_t value, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		out[i] = (char)('0' + value % 10);
		value /= 10;
	}
	return out + width;
}

static char *put_text(char *out, const char *text)
{
	size_t length = strlen(text);
	memcpy(out, text, length);
	return out + length;
}

/* Write ip in dotted-quad form with a terminator; return the position of the terminator. */
static char *put_ipv4(char *out, uint32_t ip)
{
	for (int octet = 3; octet >= 0; octet--) {
		unsigned value = (ip >> (octet * 8)) & 255;
		if (value >= 100)
			*out++ = (char)('0' + value / 100);
		if (value >= 10)
			*out++ = (char)('0' + value / 10 % 10);
		*out++ = (char)('0' + value % 10);
		if (octet)
			*out++ = '.';
	}
	*out = '\0';
	return out;
}

/* The check digit that makes digits (plus it) pass the Luhn test. */
static char luhn_digit(const char *digits)
{
	int sum = 0;
	bool double_it = true; /* the rightmost payload digit is doubled once the check is appended */
	for (int i = (int)strlen(digits) - 1; i >= 0; i--) {
		int d = digits[i] - '0';
		if (double_it) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
		double_it = !double_it;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

struct name_kind {
	const char *prefix;
	int width;
};

static const struct name_kind name_kinds[] = {
	{ "pump-", 6 }, { "meter-", 4 }, { "tracker-", 4 }, { "sensor-", 5 }, { "gateway-", 3 },
	{ "valve-", 4 }, { "cold-box-", 4 }, { "scale-", 4 }, { "door-", 5 }, { "beacon-", 6 },
	{ "ev-charger-", 3 }, { "parking-", 4 }, { "Truck ", 3 }, { "kiosk-hh-", 3 },
};

/* Names a real fleet receives from careless or hostile sources. The client must render them
 * safely; the emulator only keeps the JSON valid. Each gets a number between prefix and suffix. */
struct hostile_name {
	const char *prefix;
	const char *suffix;
};

static const struct hostile_name hostile_names[] = {
	{ "\x1b[31mred\x1b[0m-", "" },                  /* SGR colour */
	{ "\x1b]0;title\x07pump-", "" },                /* OSC window title */
	{ "\x1b[2J\x1b[Hclear-", "" },                  /* clear screen, cursor home */
	{ "\x1b]52;c;ZXZpbA==\x07clip-", "" },          /* OSC 52 clipboard write */
	{ "meter-", "\rOVERWRITTEN" },                  /* carriage return */
	{ "back\b\b\bspace-", "" },                     /* backspaces */
	{ "bell\x07-", "" },                            /* BEL */
	{ "line-", "\nsecond line\ttab" },              /* newline and tab */
	{ "\xc2\x9b" "31mc1-csi-", "" },                /* U+009B, the one-byte CSI */
	{ "del\x7f-", "" },                             /* DEL */
	{ "\xe6\xb8\xa9\xe5\xba\xa6\xe3\x82\xbb\xe3\x83\xb3\xe3\x82\xb5\xe3\x83\xbc-", "" }, /* 温度センサー */
	{ "\xf0\x9f\x9a\x9a truck-", " \xf0\x9f\x87\xa9\xf0\x9f\x87\xaa" },               /* 🚚 ... 🇩🇪 */
	{ "cafe\xcc\x81-z\xcd\x91\xcc\xbe\xcd\x82\xcc\xa8-", "" },                         /* combining marks */
	{ "rtl-\xe2\x80\xae" "gnp.exe-", "" },          /* U+202E right-to-left override */
	{ "quote\"back\\slash-", "" },                  /* JSON metacharacters */
	{ "zero\xe2\x80\x8bwidth-", "\xef\xbb\xbf" },   /* zero-width space, BOM */
	{ "=cmd|' /C calc'!A0-", "" },                 /* a spreadsheet formula (CSV injection) */
};

#define LONG_NAME_LENGTH 300

static const char *const plain_tags[] = {
	"Customer A, Project B", "Customer A", "Project B, Version 0.1", "fleet-north",
	"fleet-south, cold-chain", "pilot", "Customer C, Project D, Device E", "demo",
	"warehouse, Hamburg", "EU, roaming",
};

static const char *const hostile_tags[] = {
	"\x1b[31mred\x1b[0m, Project B",
	"\xe6\xb8\xa9\xe5\xba\xa6, \xf0\x9f\x9a\x9a fleet",
	"tab\tA, line\nB",
	"\x1b]52;c;ZXZpbA==\x07",
	"a\"quote, back\\slash",
};

static void make_name(const struct emu_synth_params *params, int64_t index, char *name)
{
	uint64_t hash = device_hash(params, index, SALT_NAME);
	uint64_t number = device_hash(params, index, SALT_NUMBER);
	char *out = name;

	if (params->hostile && device_hash(params, index, SALT_HOSTILE) % 7 == 0) {
		/* One slot beyond the table is the 300-character name. */
		size_t pick = hash % (COUNT(hostile_names) + 1);
		if (pick == COUNT(hostile_names)) {
			out = put_text(out, "long-");
			out = put_digits(out, number, 4);
			*out++ = '-';
			for (char letter = 'a'; out - name < LONG_NAME_LENGTH; letter = letter == 'z' ? 'a' : letter + 1)
				*out++ = letter;
		} else {
			out = put_text(out, hostile_names[pick].prefix);
			out = put_digits(out, number, 4);
			out = put_text(out, hostile_names[pick].suffix);
		}
	} else {
		const struct name_kind *kind = &name_kinds[hash % COUNT(name_kinds)];
		out = put_text(out, kind->prefix);
		out = put_digits(out, number, kind->width);
	}
	*out = '\0';
}

static const char *pick_tags(const struct emu_synth_params *params, int64_t index)
{
	uint64_t hash = device_hash(params, index, SALT_TAGS);
	if (params->hostile && device_hash(params, index, SALT_HOSTILE) % 14 == 0)
		return hostile_tags[(hash >> 8) % COUNT(hostile_tags)];
	unsigned share = (unsigned)(hash % 100);
	if (share < 30)
		return NULL;
	if (share < 40)
		return "";
	return plain_tags[(hash >> 8) % COUNT(plain_tags)];
}

/* --- the device ---------------------------------------------------------------------------- */

static const struct emu_profile service_profiles[] = {
	{ 540569, "Default Policy" },
	{ 540570, "Sensors - low data" },
	{ 540571, "Trackers EU" },
	{ 540572, "Smart meters" },
};

static const struct emu_profile tariff_profiles[] = {
	{ 539685, "Default Policy" },
	{ 539766, "demo cov policy" },
	{ 539790, "EU Basic" },
	{ 539791, "Global Plus" },
};

#define DAY 86400
#define EPOCH_2019 1546300800 /* 2019-01-01 */
#define EPOCH_2024_07 1719792000 /* 2024-07-01 */
#define EPOCH_2025 1735689600 /* 2025-01-01 */

void emu_synth_device(const struct emu_synth_params *params, int64_t index, bool has_sim,
		      bool has_endpoint, struct emu_device *out)
{
	out->sim_id = has_sim ? EMU_SIM_ID_BASE + index : 0;
	out->endpoint_id = has_endpoint ? EMU_ENDPOINT_ID_BASE + index : 0;
	make_name(params, index, out->name);
	out->tags = pick_tags(params, index);

	/* SIM numbers are sequential, as in a delivered batch; ICCIDs differ between seeds. */
	uint64_t u = (uint64_t)index;
	memcpy(out->iccid, "8988303", 7);
	put_digits(out->iccid + 7, 670000000000ULL + (params->seed % 1000) * 100000000ULL + u, 12);
	out->iccid[19] = '\0';
	memcpy(out->iccid_with_luhn, out->iccid, 19);
	out->iccid_with_luhn[19] = luhn_digit(out->iccid);
	out->iccid_with_luhn[20] = '\0';
	memcpy(out->imsi, "295050", 6);
	put_digits(out->imsi + 6, 900000000ULL + u, 9);
	out->imsi[15] = '\0';
	memcpy(out->msisdn, "4236639", 7);
	put_digits(out->msisdn + 7, 20000000ULL + u, 8);
	out->msisdn[15] = '\0';

	uint64_t imei_hash = device_hash(params, index, SALT_IMEI);
	unsigned imei_kind = (unsigned)(imei_hash % 100);
	if (imei_kind < 10) {
		out->imei[0] = '\0';
	} else if (imei_kind < 25) {
		/* IMEISV: 14 digits and a two-digit software version, no check digit. */
		out->imei[0] = '3';
		out->imei[1] = '5';
		put_digits(out->imei + 2, imei_hash >> 8, 14);
		out->imei[16] = '\0';
	} else {
		out->imei[0] = '3';
		out->imei[1] = '5';
		put_digits(out->imei + 2, imei_hash >> 8, 12);
		out->imei[14] = '\0'; /* terminate the payload so the check digit sees 14 digits */
		out->imei[14] = luhn_digit(out->imei);
		out->imei[15] = '\0';
	}
	out->imei_lock = imei_hash % 1000 < 50;

	/* Fourteen devices per /28 space, skipping its network and broadcast addresses, from
	 * 10.1.0.1 on: unique for every fleet size the emulator accepts. */
	uint32_t ip = 0x0A010000u + (uint32_t)(index / 14) * 16 + 1 + (uint32_t)(index % 14);
	put_ipv4(out->ip_address, ip);
	uint32_t space = ip & ~15u;
	out->ip_address_space_id = 20000 + ((space & 0xFFFFFFu) >> 4);
	char *p = put_ipv4(out->ip_address_space, space);
	memcpy(p, "/28", 4);

	uint64_t dates = device_hash(params, index, SALT_DATES);
	out->created = EPOCH_2019 + (int64_t)(dates % (EPOCH_2024_07 - EPOCH_2019));
	out->last_updated = out->created + (int64_t)((dates >> 32) % (uint64_t)(EPOCH_2025 - out->created));
	out->production_date = out->created - (30 + (int64_t)((dates >> 20) % 370)) * DAY;
	out->activation_date = out->created + (int64_t)((dates >> 40) % (10 * DAY));

	uint64_t profiles = device_hash(params, index, SALT_PROFILES);
	out->service_profile = &service_profiles[profiles % COUNT(service_profiles)];
	out->tariff_profile = &tariff_profiles[(profiles >> 8) % COUNT(tariff_profiles)];
	out->model = (int)((profiles >> 16) % 4 == 0);
}
