/* fleet.h — every device of one emnify workspace: SIMs and endpoints joined into rows.
 *
 * A device is an endpoint with its SIM, a SIM with no endpoint, or an endpoint with no SIM.
 * The join is incremental: records may arrive in any order (endpoint pages and SIM pages are
 * fetched in parallel) and each one lands in the right device at once, so the view can show
 * rows while loading. Join key: endpoint.sim.id == sim.id. Ids are 64-bit and never 0.
 *
 * Who pairs with whom — the endpoint's record decides:
 * - An endpoint record places its SIM (sim.id) in its own row. A SIM that sat alone, or under
 *   a provisional link (below), joins the endpoint's row; a SIM that another endpoint's record
 *   claims already stays there, and this endpoint shows it too, as a shared SIM (below). A SIM
 *   the endpoint no longer names moves to a row of its own.
 * - A SIM record's endpoint.id only links provisionally: it puts that endpoint id in the SIM's
 *   row (endpoint_status stays ENDPOINT_NONE) while the endpoint is not yet known anywhere in
 *   the fleet, so rows pair up early when SIM pages arrive first. It never moves an endpoint
 *   whose record arrived or that another row holds, and the endpoint's own record overrides it.
 * - A record that arrives again (the same page served again past the end, or a refresh into
 *   the same fleet) updates its row in place: statuses and strings are replaced, never
 *   duplicated, and the row is counted as a duplicate (below).
 * - Joining an endpoint row to a SIM row that both exist already (a refresh after a SIM was
 *   assigned) leaves the SIM's old row vacant: sim_id and endpoint_id both 0, in no alignment.
 *   Views skip vacant rows (fleet_device_vacant); with consistent pages this only happens on
 *   a refresh that finds a new pairing.
 *
 * Data that parses but cannot be true. A fleet holds one load, so within it every SIM record
 * and every endpoint record should arrive once, and each SIM should be named by one endpoint
 * at most. What the fleet does when the API says otherwise (fleet_anomalies counts each kind,
 * fleet_describe_anomalies words them for the status line and stderr):
 * - A duplicate id (the same SIM id in two SIM records, or the same endpoint id in two
 *   endpoint records, on one page or across pages) keeps one row, which holds the record that
 *   arrived last, and sets DEVICE_ODD_DUPLICATE on it. A plan treats it as any other row:
 *   every step names its id, and the job reads each device back after its changes.
 * - A SIM claimed by two endpoints: the endpoint whose record arrived first keeps the SIM (its
 *   row is the one fleet_find_sim() returns); every later claimant keeps a row of its own that
 *   shows the SIM as its record names it (sim_id, status, ICCID...), instead of looking
 *   unpaired. All those rows carry DEVICE_ODD_SHARED_SIM, and no plan sends a SIM PATCH for
 *   them (plan.h): which endpoint the SIM serves is unknown, so a change could stop or start
 *   charges on a device the operator did not choose. A later claimant's SIM is not in the SIM
 *   index and a SIM record does not update it.
 * - Paging that contradicts itself is noted by the loader: an X-Total-Pages that disagrees
 *   with X-Total-Count and the page size (fleet_note_paging), and a page whose ids are those
 *   of an earlier page of the same list (fleet_note_page; the page parser of emnify.h then
 *   adds none of its records, and the loader asks for no more pages of that list).
 *
 * Strings live in one pool owned by the fleet; fleet_text() returns a pointer that stays valid
 * until the fleet is freed (not across fleet_add_* calls — the pool may move). Device indexes
 * are stable: a row never moves and is never removed while the fleet lives (it may only
 * become vacant, as above). */
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

#define FLEET_TRIGRAM_WORDS 4

struct device {
	int64_t sim_id;          /* 0: no SIM */
	int64_t endpoint_id;     /* 0: no endpoint */
	int8_t sim_status;       /* enum sim_status, SIM_NONE without a SIM */
	int8_t endpoint_status;  /* enum endpoint_status, ENDPOINT_NONE without an endpoint or
				  * while its record has not arrived (provisional link) */
	uint8_t odd;             /* DEVICE_ODD_* bits: what the API said of this row that
				  * cannot be true (see above); 0 for an ordinary row */
	uint8_t numeric_text;    /* bit (1 << field) set when that text field holds only digits
				  * and dots, or nothing: a search for a word with any other
				  * character skips it (ICCID, IMSI, MSISDN, IMEI, IPv4) */
	uint32_t text[TEXT_COUNT]; /* offsets into the string pool; 0 is the empty string */
	uint64_t trigrams[FLEET_TRIGRAM_WORDS]; /* fleet_add_trigrams() of every text field: a
				  * word with a trigram whose bit is clear is in no field, and a
				  * search need not read them */
};

/* device.odd bits. */
enum {
	DEVICE_ODD_DUPLICATE = 1,   /* its SIM or endpoint id arrived in more than one record */
	DEVICE_ODD_SHARED_SIM = 2,  /* its SIM is claimed by another endpoint as well */
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

/* Add or update one record; returns the index of the device that holds it. The record's id
 * must not be 0. A SIM record's NULL strings clear the SIM's fields; an endpoint record's NULL
 * strings clear the endpoint's fields but leave the SIM's (iccid, imsi, msisdn) as they are,
 * as does sim_status SIM_NONE. */
size_t fleet_add_sim(struct fleet *fleet, const struct sim_record *sim);
size_t fleet_add_endpoint(struct fleet *fleet, const struct endpoint_record *endpoint);

/* Start loading what adding a record with these ids (0 for none) will look up first: for a
 * caller adding many records, a few records ahead. Changes nothing. */
void fleet_prefetch(const struct fleet *fleet, int64_t sim_id, int64_t endpoint_id);

/* Make room for devices rows in all and text_bytes of their texts, so that adding that many
 * grows nothing (a snapshot read knows both in advance). Only capacity changes: a hint. */
void fleet_reserve(struct fleet *fleet, size_t devices, size_t text_bytes);

/* Number of device rows, vacant ones included. */
size_t fleet_count(const struct fleet *fleet);
/* True for a row left empty by a join (see above): no SIM and no endpoint. A vacant row stays
 * vacant, and every row an add creates holds a record when it returns. */
bool fleet_device_vacant(const struct device *device);
/* How many rows are vacant. */
size_t fleet_vacant_count(const struct fleet *fleet);
/* The device at index (< fleet_count); the pointer is valid until the next fleet_add_*. */
const struct device *fleet_device(const struct fleet *fleet, size_t index);
/* Set in trigrams (256 bits) the bit of every three adjacent bytes of text, ASCII letters
 * folded to lower case (text_fold): device.trigrams, and the same for a word searched. */
void fleet_add_trigrams(const char *text, uint64_t trigrams[FLEET_TRIGRAM_WORDS]);

/* Text field of a device: never NULL, "" when absent. Every text is followed by at least
 * FLEET_TEXT_SLACK readable zero bytes past its NUL (a string the fleet shortened in place may
 * have older bytes between), so a search may read it 8 bytes at a time, from any byte up to its NUL. */
const char *fleet_text(const struct fleet *fleet, const struct device *device, enum device_text field);
#define FLEET_TEXT_SLACK 8
enum alignment fleet_alignment(const struct device *device);

/* Set the statuses of a device after a change was read back from the API; a status of a
 * side the device does not have is ignored. Keeps the alignment counts. */
void fleet_set_statuses(struct fleet *fleet, size_t index, int sim_status, int endpoint_status);

/* Index of the device holding that SIM / endpoint id; false when there is none. */
bool fleet_find_sim(const struct fleet *fleet, int64_t sim_id, size_t *index);
bool fleet_find_endpoint(const struct fleet *fleet, int64_t endpoint_id, size_t *index);

/* Devices per alignment, kept up to date as records arrive; vacant rows count nowhere. */
size_t fleet_count_alignment(const struct fleet *fleet, enum alignment alignment);

/* --- data that cannot be true ------------------------------------------------------------ */

enum fleet_list { FLEET_LIST_ENDPOINTS, FLEET_LIST_SIMS, FLEET_LIST_COUNT };

/* The ids of one list page, in order: a fingerprint that tells a page repeating an earlier
 * one. Start from a zeroed struct and add every id (fleet_page_ids_add). */
struct fleet_page_ids {
	size_t count;
	int64_t first_id, last_id;
	uint64_t hash;  /* of every id, in order */
};
void fleet_page_ids_add(struct fleet_page_ids *ids, int64_t id);

/* Remember page number page of list. True when it holds the same ids in the same order as an
 * earlier page of that list, whose number goes to *earlier (may be NULL); the page is then
 * counted as repeated and not remembered. Empty pages repeat nothing. O(pages noted). */
bool fleet_note_page(struct fleet *fleet, enum fleet_list list, int64_t page,
		     const struct fleet_page_ids *ids, int64_t *earlier);
/* Record that the list's X-Total-Pages (total_pages) disagrees with its X-Total-Count
 * (total_count) at per_page records a page. The last note of a list stands. */
void fleet_note_paging(struct fleet *fleet, enum fleet_list list, int64_t total_pages,
		       int64_t total_count, int64_t per_page);

/* Counters of each kind, for tests and for the words below. */
struct fleet_anomalies {
	size_t duplicate_sims;             /* SIM ids that arrived in more than one SIM record */
	size_t duplicate_sim_records;      /* the SIM records that carried them */
	size_t duplicate_endpoints;        /* the same for endpoint ids and endpoint records */
	size_t duplicate_endpoint_records;
	size_t shared_sims;                /* SIMs claimed by more than one endpoint */
	size_t shared_sim_rows;            /* the rows of the endpoints claiming them */
	struct {
		size_t repeated_pages;     /* pages that repeated an earlier page */
		bool disagrees;            /* X-Total-Pages disagreed with X-Total-Count */
		int64_t total_pages, total_count, per_page; /* as noted, when it disagrees */
	} lists[FLEET_LIST_COUNT];
};
void fleet_anomalies(const struct fleet *fleet, struct fleet_anomalies *anomalies);

/* One line for the status line and stderr, such as "odd data from the API: 2 duplicate SIM
 * ids (4 records), 1 SIM claimed by two endpoints (2 rows), the endpoint list's X-Total-Pages
 * 99999 disagrees with 3,000 records at 1,000 per page, 1 endpoint page repeated an earlier
 * one". A line longer than size is cut after its last whole item. Returns false and writes ""
 * when nothing was odd. */
bool fleet_describe_anomalies(const struct fleet *fleet, char *buffer, size_t size);

/* Bytes held by the fleet (devices, pool, indexes and pages noted), for the benchmarks. */
size_t fleet_memory(const struct fleet *fleet);

#endif
