/* emu_synth.h — the synthetic fleet: every static field of device i, computed from (seed, i).
 *
 * Nothing here is stored. A device's ids, name, ICCID, dates and so on are recomputed from a
 * cheap hash of (seed, index) each time a response needs them, so a fleet of a million devices
 * costs no memory beyond the mutable statuses that emu_fleet keeps. Same parameters, same index:
 * same device, on every run and every machine.
 *
 * Device index i owns SIM id EMU_SIM_ID_BASE + i and endpoint id EMU_ENDPOINT_ID_BASE + i; an
 * unpaired device simply lacks one of them, so both id sequences ascend with the index and have
 * gaps where the other half of an unpaired device would be. */
#ifndef SIMTOP_EMU_SYNTH_H
#define SIMTOP_EMU_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

#define EMU_SIM_ID_BASE 4000001
#define EMU_ENDPOINT_ID_BASE 11000001

/* Status ids as the API numbers them. */
enum emu_sim_status {
	EMU_SIM_ISSUED = 0,
	EMU_SIM_ACTIVATED = 1,
	EMU_SIM_SUSPENDED = 2,
	EMU_SIM_DELETED = 3,
	EMU_SIM_FACTORY_TEST = 4,
	EMU_SIM_STATUS_COUNT
};

enum emu_endpoint_status {
	EMU_ENDPOINT_ENABLED = 0,
	EMU_ENDPOINT_DISABLED = 1,
	EMU_ENDPOINT_DELETED = 2,
	EMU_ENDPOINT_STATUS_COUNT
};

/* Status value meaning "this device has no SIM" (or no endpoint). */
#define EMU_STATUS_NONE 0xff

/* The API's description for a status id, or NULL when the id is not one. */
const char *emu_sim_status_name(int status);
const char *emu_endpoint_status_name(int status);

struct emu_synth_params {
	uint64_t seed;
	double misaligned_pct; /* share of all devices that are misaligned pairs, 0..100 */
	double unpaired_pct;   /* share of all devices that are unpaired, 0..100 */
	bool hostile;          /* about one device in seven gets a hostile name */
};

/* Fill sim_status[i] and endpoint_status[i], for every device i in [0, count), with its
 * statuses before any PATCH; EMU_STATUS_NONE marks the half an unpaired device lacks. */
void emu_synth_initial(const struct emu_synth_params *params, int64_t count, uint8_t *sim_status,
		       uint8_t *endpoint_status);

struct emu_profile {
	int64_t id;
	const char *name;
};

/* Longest name the generator makes, in bytes, with its terminator. */
#define EMU_NAME_MAX 400

/* The static fields of one device. Strings are NUL-terminated; an empty imei means null.
 * tags points to a constant string or is NULL (JSON null). */
struct emu_device {
	int64_t sim_id;         /* 0 when the device has no SIM */
	int64_t endpoint_id;    /* 0 when the device has no endpoint */
	char name[EMU_NAME_MAX];
	const char *tags;
	char iccid[20];         /* 19 digits */
	char iccid_with_luhn[21];
	char imsi[16];
	char msisdn[16];
	char imei[17];          /* 15 or 16 digits, or "" for null */
	bool imei_lock;
	char ip_address[16];
	int64_t ip_address_space_id;
	char ip_address_space[20]; /* the /28 the address belongs to, e.g. "10.1.4.0/28" */
	int64_t created;        /* Unix seconds */
	int64_t last_updated;
	int64_t production_date;
	int64_t activation_date; /* shown only when the SIM is not Issued */
	const struct emu_profile *service_profile;
	const struct emu_profile *tariff_profile;
	int model;              /* index into the model table of emu_render */
};

/* Fill out with device index's static fields. has_sim/has_endpoint come from the fleet's state
 * (they never change), so they are passed in rather than recomputed. */
void emu_synth_device(const struct emu_synth_params *params, int64_t index, bool has_sim,
		      bool has_endpoint, struct emu_device *out);

#endif
