/* fleet.h — every device of one emnify workspace: SIMs and endpoints joined into rows.
 *
 * A device is an endpoint with its SIM, a SIM with no endpoint, or an endpoint with no SIM.
 * The join is incremental: records may arrive in any order (endpoint pages and SIM pages are
 * fetched in parallel) and each one lands in the right device at once, so the view can show
 * rows while loading. Join key: endpoint.sim.id == sim.id. Ids are 64-bit and never 0.
 *
 * Strings live in one pool owned by the fleet; fleet_text() returns a pointer that stays valid
 * until the fleet is freed (not across fleet_add_* calls — the pool may move). Device indexes
 * are stable: a device never moves or disappears while the fleet lives. */
#ifndef SIMTOP_FLEET_H
#define SIMTOP_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Text fields of a device, in the order of the table columns that show them. */
#define DEVICE_TEXT_LIST(_) \
	_(NAME,   "name") \
	_(ICCID,  "iccid") \
	_(IMSI,   "imsi") \
	_(MSISDN, "msisdn") \
	_(IMEI,   "imei") \
	_(IP,     "ip_address") \
	_(TAGS,   "tags")

enum device_text {
#define DEVICE_TEXT_ENUM(id, key) TEXT_##id,
	DEVICE_TEXT_LIST(DEVICE_TEXT_ENUM)
#undef DEVICE_TEXT_ENUM
	TEXT_COUNT
};

struct device {
	int64_t sim_id;          /* 0: no SIM */
	int64_t endpoint_id;     /* 0: no endpoint */
	int8_t sim_status;       /* enum sim_status, SIM_NONE without a SIM */
	int8_t endpoint_status;  /* enum endpoint_status, ENDPOINT_NONE without an endpoint */
	uint32_t text[TEXT_COUNT]; /* offsets into the string pool; 0 is the empty string */
};

/* What one page of the API says about one SIM or one endpoint, strings already cleaned.
 * Unknown or absent strings are NULL. The fleet copies what it keeps. */
struct sim_record {
	int64_t id;
	int sim_status;
	const char *iccid, *imsi, *msisdn;
	int64_t endpoint_id;     /* 0 when the "endpoint" key is absent */
};

struct endpoint_record {
	int64_t id;
	int endpoint_status;
	const char *name, *imei, *ip_address, *tags;
	int64_t sim_id;          /* 0 when the "sim" key is absent */
	int sim_status;          /* SIM_NONE when absent */
	const char *iccid, *imsi, *msisdn; /* from the nested sim object */
};

struct fleet;

struct fleet *fleet_new(void);
void fleet_free(struct fleet *fleet);

/* Add or update one record; returns the index of the device that holds it. */
size_t fleet_add_sim(struct fleet *fleet, const struct sim_record *sim);
size_t fleet_add_endpoint(struct fleet *fleet, const struct endpoint_record *endpoint);

size_t fleet_count(const struct fleet *fleet);
/* The device at index (< fleet_count); the pointer is valid until the next fleet_add_*. */
const struct device *fleet_device(const struct fleet *fleet, size_t index);
/* Text field of a device: never NULL, "" when absent. */
const char *fleet_text(const struct fleet *fleet, const struct device *device, enum device_text field);
enum alignment fleet_alignment(const struct device *device);

/* Index of the device holding that SIM / endpoint id; false when there is none. */
bool fleet_find_sim(const struct fleet *fleet, int64_t sim_id, size_t *index);
bool fleet_find_endpoint(const struct fleet *fleet, int64_t endpoint_id, size_t *index);

/* Devices per alignment, kept up to date as records arrive. */
size_t fleet_count_alignment(const struct fleet *fleet, enum alignment alignment);

/* Bytes held by the fleet (devices, pool and indexes), for the benchmarks. */
size_t fleet_memory(const struct fleet *fleet);

#endif
