/* fleet.c — SIMs and endpoints joined into device rows, built incrementally.
 *
 * Storage is sized for a million devices: one array of fixed-size devices, one pool of
 * NUL-terminated strings addressed by 32-bit offsets, and two hash tables (hashmap.h) that map
 * a SIM id or an endpoint id to a device index. The tables hold only the 32-bit device index;
 * the key is read back from the device, which halves their size. */
#include "fleet.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "text.h"
#include "util.h"


/* Per-device state the header does not show. */
enum {
	/* An endpoint record for device.endpoint_id has arrived. Without it, a non-zero
	 * endpoint_id is a provisional link taken from the SIM page. */
	FLAG_ENDPOINT_SEEN = 1,
	/* A SIM record for device.sim_id has arrived. */
	FLAG_SIM_SEEN = 2,
	/* A second record arrived for the SIM id (the endpoint id) of the device. */
	FLAG_SIM_DUPLICATE = 4,
	FLAG_ENDPOINT_DUPLICATE = 8,
	/* The device's SIM is claimed by more than one endpoint. */
	FLAG_SIM_SHARED = 16,
	/* device.sim_id is a later claim of a SIM that another row holds: it is not in the SIM
	 * index, and nothing but this row's own endpoint record changes it. */
	FLAG_SIM_SHADOW = 32,
	/* What moves with a SIM from one row to another. */
	FLAG_SIM_SIDE = FLAG_SIM_SEEN | FLAG_SIM_DUPLICATE | FLAG_SIM_SHARED,
};

/* A list page already loaded, to tell one that repeats it. */
struct noted_page {
	int64_t page;
	struct fleet_page_ids ids;
};

struct noted_pages {
	struct noted_page *items;
	size_t count;
	size_t capacity;
};

struct fleet {
	struct device *devices;
	size_t count;
	size_t device_capacity;
	uint8_t *flags;
	size_t flag_capacity;
	char *pool;
	size_t pool_used;
	size_t pool_capacity;
	struct hashmap sims;       /* device.sim_id to device index */
	struct hashmap endpoints;  /* device.endpoint_id to device index */
	size_t per_alignment[ALIGN_COUNT];
	struct fleet_anomalies anomalies;
	struct noted_pages pages[FLEET_LIST_COUNT];
};

/* --- id indexes ------------------------------------------------------------------------- */

static uint64_t sim_id_of(const void *owner, uint32_t device)
{
	const struct fleet *fleet = owner;
	return (uint64_t)fleet->devices[device].sim_id;
}

static uint64_t endpoint_id_of(const void *owner, uint32_t device)
{
	const struct fleet *fleet = owner;
	return (uint64_t)fleet->devices[device].endpoint_id;
}

/* --- the string pool -------------------------------------------------------------------- */

/* Store value for one text field of a device: unchanged values cost nothing, a value that
 * fits where the old one was overwrites it, anything else is appended. Offsets are never
 * shared between devices, so an overwrite changes only this field. */
static void set_text(struct fleet *fleet, size_t device, enum device_text field, const char *value)
{
	uint32_t *offset = &fleet->devices[device].text[field];
	if (!value || !*value) {
		*offset = 0;
		return;
	}
	const char *current = fleet->pool + *offset;
	if (*offset != 0 && strcmp(current, value) == 0)  /* offset 0 is "", and value is not */
		return;

	size_t length = strlen(value);
	if (*offset != 0 && length <= strlen(current)) {
		memcpy(fleet->pool + *offset, value, length + 1);
		return;
	}

	/* value may point into the pool itself (a caller passing fleet_text()); keep it valid
	 * across the move. */
	size_t inside = SIZE_MAX;
	if (value >= fleet->pool && value < fleet->pool + fleet->pool_used)
		inside = (size_t)(value - fleet->pool);
	if (fleet->pool_used + length + 1 > UINT32_MAX)
		die(3, "the fleet's strings exceed 4 GiB");
	fleet->pool = xgrow(fleet->pool, &fleet->pool_capacity, fleet->pool_used + length + 1 + FLEET_TEXT_SLACK, 1);
	if (inside != SIZE_MAX)
		value = fleet->pool + inside;
	memcpy(fleet->pool + fleet->pool_used, value, length + 1);
	fleet->devices[device].text[field] = (uint32_t)fleet->pool_used;
	fleet->pool_used += length + 1;
	memset(fleet->pool + fleet->pool_used, 0, FLEET_TEXT_SLACK);
}

void fleet_add_trigrams(const char *text, uint64_t trigrams[FLEET_TRIGRAM_WORDS])
{
	const unsigned char *at = (const unsigned char *)text;
	/* Bits gather in a local copy: setting them through the pointer, which may alias text,
	 * would make every byte wait for the store before it. The window rolls, so each byte is
	 * read and folded once. A million devices are indexed at start (a snapshot read), twice
	 * each. */
	uint64_t bits[FLEET_TRIGRAM_WORDS] = { 0 };
	uint32_t window;

	if (!at[0] || !at[1])
		return;
	window = (uint32_t)text_fold(at[0]) << 8 | text_fold(at[1]);
	for (size_t i = 2; at[i]; i++) {
		window = (window << 8 | text_fold(at[i])) & 0xFFFFFF;
		unsigned bit = (unsigned)((window * UINT32_C(0x9E3779B1)) >> 24);  /* Fibonacci hashing */
		bits[bit / 64] |= UINT64_C(1) << (bit % 64);
	}
	for (int word = 0; word < FLEET_TRIGRAM_WORDS; word++)
		trigrams[word] |= bits[word];
}

static bool only_digits_and_dots(const char *text)
{
	for (; *text; text++)
		if ((*text < '0' || *text > '9') && *text != '.')
			return false;
	return true;
}

/* What a search may skip, after any change to the texts of a device: which fields hold
 * only digits and dots, and the trigrams of every field. */
static void index_texts(struct fleet *fleet, size_t device)
{
	struct device *entry = &fleet->devices[device];
	entry->numeric_text = 0;
	memset(entry->trigrams, 0, sizeof(entry->trigrams));
	for (int field = 0; field < TEXT_COUNT; field++) {
		const char *text = fleet->pool + entry->text[field];
		if (only_digits_and_dots(text))
			entry->numeric_text |= (uint8_t)(1u << field);
		fleet_add_trigrams(text, entry->trigrams);
	}
}

/* --- devices ---------------------------------------------------------------------------- */

bool fleet_device_vacant(const struct device *device)
{
	return device->sim_id == 0 && device->endpoint_id == 0;
}

/* Every change to a device sits between uncount() and recount(), so the per-alignment
 * counts follow each status change exactly. Vacant devices count nowhere. */
static void uncount(struct fleet *fleet, size_t device)
{
	const struct device *entry = &fleet->devices[device];
	if (!fleet_device_vacant(entry))
		fleet->per_alignment[fleet_alignment(entry)]--;
}

static void recount(struct fleet *fleet, size_t device)
{
	const struct device *entry = &fleet->devices[device];
	if (!fleet_device_vacant(entry))
		fleet->per_alignment[fleet_alignment(entry)]++;
}

static size_t new_device(struct fleet *fleet)
{
	if (fleet->count >= HASHMAP_NO_VALUE)
		die(3, "too many devices");
	fleet->devices = xgrow(fleet->devices, &fleet->device_capacity, fleet->count + 1,
			       sizeof(*fleet->devices));
	fleet->flags = xgrow(fleet->flags, &fleet->flag_capacity, fleet->count + 1, sizeof(*fleet->flags));
	size_t device = fleet->count++;
	struct device *entry = &fleet->devices[device];
	memset(entry, 0, sizeof(*entry));
	entry->sim_status = SIM_NONE;
	entry->endpoint_status = ENDPOINT_NONE;
	entry->numeric_text = (uint8_t)((1u << TEXT_COUNT) - 1);  /* index_texts() of no texts */
	fleet->flags[device] = 0;
	return device;
}

static bool has_seen_endpoint(const struct fleet *fleet, size_t device)
{
	return fleet->devices[device].endpoint_id != 0 && (fleet->flags[device] & FLAG_ENDPOINT_SEEN);
}

static bool has_provisional_endpoint(const struct fleet *fleet, size_t device)
{
	return fleet->devices[device].endpoint_id != 0 && !(fleet->flags[device] & FLAG_ENDPOINT_SEEN);
}

static bool is_shadow(const struct fleet *fleet, size_t device)
{
	return (fleet->flags[device] & FLAG_SIM_SHADOW) != 0;
}

/* device.odd follows the internal flags. */
static void sync_odd(struct fleet *fleet, size_t device)
{
	uint8_t flags = fleet->flags[device];
	uint8_t odd = 0;
	if (flags & (FLAG_SIM_DUPLICATE | FLAG_ENDPOINT_DUPLICATE))
		odd |= DEVICE_ODD_DUPLICATE;
	if (flags & FLAG_SIM_SHARED)
		odd |= DEVICE_ODD_SHARED_SIM;
	fleet->devices[device].odd = odd;
}

/* One more record for an id the device holds already (flag: which side). The first repeat
 * counts the id and both its records. */
static void count_duplicate(struct fleet *fleet, size_t device, uint8_t flag, size_t *ids, size_t *records)
{
	if (!(fleet->flags[device] & flag)) {
		fleet->flags[device] |= flag;
		(*ids)++;
		(*records)++;
	}
	(*records)++;
	sync_odd(fleet, device);
}

static void set_sim_id(struct fleet *fleet, size_t device, int64_t sim_id)
{
	assert(!is_shadow(fleet, device));
	uncount(fleet, device);
	hashmap_remove(&fleet->sims, (uint64_t)fleet->devices[device].sim_id, NULL);
	fleet->devices[device].sim_id = sim_id;
	if (sim_id)
		hashmap_insert(&fleet->sims, (uint32_t)device);
	recount(fleet, device);
}

static void set_endpoint_id(struct fleet *fleet, size_t device, int64_t endpoint_id, bool seen)
{
	uncount(fleet, device);
	struct device *entry = &fleet->devices[device];
	if (entry->endpoint_id != endpoint_id) {
		hashmap_remove(&fleet->endpoints, (uint64_t)entry->endpoint_id, NULL);
		entry->endpoint_id = endpoint_id;
		if (endpoint_id)
			hashmap_insert(&fleet->endpoints, (uint32_t)device);
	}
	if (seen)
		fleet->flags[device] |= FLAG_ENDPOINT_SEEN;
	else
		fleet->flags[device] &= (uint8_t)~FLAG_ENDPOINT_SEEN;
	recount(fleet, device);
}

/* Forget the endpoint of a device: its id, status and texts. */
static void clear_endpoint(struct fleet *fleet, size_t device)
{
	set_endpoint_id(fleet, device, 0, false);
	uncount(fleet, device);
	struct device *entry = &fleet->devices[device];
	entry->endpoint_status = ENDPOINT_NONE;
	entry->text[TEXT_NAME] = entry->text[TEXT_IMEI] = 0;
	entry->text[TEXT_IP] = entry->text[TEXT_TAGS] = 0;
	index_texts(fleet, device);
	recount(fleet, device);
	fleet->flags[device] &= (uint8_t)~FLAG_ENDPOINT_DUPLICATE;
	sync_odd(fleet, device);
}

/* Move the SIM of one device (id, status, texts) to another that has none. A provisional
 * endpoint came from that SIM's page, so it does not stay behind without it. */
static void move_sim(struct fleet *fleet, size_t from, size_t to)
{
	assert(!is_shadow(fleet, from));
	uncount(fleet, from);
	uncount(fleet, to);
	struct device *source = &fleet->devices[from];
	struct device *target = &fleet->devices[to];
	int64_t sim_id = source->sim_id;
	hashmap_remove(&fleet->sims, (uint64_t)sim_id, NULL);
	target->sim_id = sim_id;
	target->sim_status = source->sim_status;
	target->text[TEXT_ICCID] = source->text[TEXT_ICCID];
	target->text[TEXT_IMSI] = source->text[TEXT_IMSI];
	target->text[TEXT_MSISDN] = source->text[TEXT_MSISDN];
	source->sim_id = 0;
	source->sim_status = SIM_NONE;
	source->text[TEXT_ICCID] = source->text[TEXT_IMSI] = source->text[TEXT_MSISDN] = 0;
	index_texts(fleet, from);
	index_texts(fleet, to);
	hashmap_insert(&fleet->sims, (uint32_t)to);
	recount(fleet, from);
	recount(fleet, to);
	fleet->flags[to] |= fleet->flags[from] & FLAG_SIM_SIDE;
	fleet->flags[from] &= (uint8_t)~FLAG_SIM_SIDE;
	sync_odd(fleet, from);
	sync_odd(fleet, to);
	if (has_provisional_endpoint(fleet, from))
		clear_endpoint(fleet, from);
}

/* Give the SIM of a device a row of its own. */
static void detach_sim(struct fleet *fleet, size_t device)
{
	if (fleet->devices[device].sim_id == 0)
		return;
	size_t alone = new_device(fleet);
	move_sim(fleet, device, alone);
}

/* Statuses and texts of the SIM side; NULL texts keep what is there when keep_unknown. */
static void update_sim(struct fleet *fleet, size_t device, int status, const char *iccid,
		       const char *imsi, const char *msisdn, bool keep_unknown)
{
	uncount(fleet, device);
	if (status != SIM_NONE || !keep_unknown)
		fleet->devices[device].sim_status = (int8_t)status;
	if (iccid || !keep_unknown)
		set_text(fleet, device, TEXT_ICCID, iccid);
	if (imsi || !keep_unknown)
		set_text(fleet, device, TEXT_IMSI, imsi);
	if (msisdn || !keep_unknown)
		set_text(fleet, device, TEXT_MSISDN, msisdn);
	index_texts(fleet, device);
	recount(fleet, device);
}

/* device, which has no SIM, is an endpoint claiming the SIM that holder's endpoint claimed
 * first. It shows that SIM as well, outside the SIM index, and both rows count as sharing it. */
static void claim_shared_sim(struct fleet *fleet, size_t device, size_t holder)
{
	struct fleet_anomalies *anomalies = &fleet->anomalies;
	uncount(fleet, device);
	fleet->devices[device].sim_id = fleet->devices[holder].sim_id;
	fleet->devices[device].sim_status = fleet->devices[holder].sim_status;
	static const enum device_text sim_texts[] = { TEXT_ICCID, TEXT_IMSI, TEXT_MSISDN };
	for (size_t i = 0; i < ARRAY_SIZE(sim_texts); i++)
		set_text(fleet, device, sim_texts[i], fleet_text(fleet, &fleet->devices[holder], sim_texts[i]));
	index_texts(fleet, device);
	recount(fleet, device);
	fleet->flags[device] |= FLAG_SIM_SHADOW | FLAG_SIM_SHARED;
	sync_odd(fleet, device);
	if (!(fleet->flags[holder] & FLAG_SIM_SHARED)) {
		fleet->flags[holder] |= FLAG_SIM_SHARED;
		sync_odd(fleet, holder);
		anomalies->shared_sims++;
		anomalies->shared_sim_rows++;
	}
	anomalies->shared_sim_rows++;
}

/* A later claimant's record names another SIM now, or none: its row gives the shared one up. */
static void drop_shadow_sim(struct fleet *fleet, size_t device)
{
	uncount(fleet, device);
	struct device *entry = &fleet->devices[device];
	entry->sim_id = 0;
	entry->sim_status = SIM_NONE;
	entry->text[TEXT_ICCID] = entry->text[TEXT_IMSI] = entry->text[TEXT_MSISDN] = 0;
	index_texts(fleet, device);
	recount(fleet, device);
	fleet->flags[device] &= (uint8_t)~(FLAG_SIM_SIDE | FLAG_SIM_SHADOW);
	sync_odd(fleet, device);
}

/* --- public ----------------------------------------------------------------------------- */

struct fleet *fleet_new(void)
{
	struct fleet *fleet = xcalloc(1, sizeof(*fleet));
	/* Offset 0 is the empty string. */
	fleet->pool = xgrow(NULL, &fleet->pool_capacity, 1 + FLEET_TEXT_SLACK, 1);
	memset(fleet->pool, 0, 1 + FLEET_TEXT_SLACK);
	fleet->pool_used = 1;
	hashmap_init(&fleet->sims, sim_id_of, fleet);
	hashmap_init(&fleet->endpoints, endpoint_id_of, fleet);
	return fleet;
}

void fleet_free(struct fleet *fleet)
{
	if (!fleet)
		return;
	free(fleet->devices);
	free(fleet->flags);
	free(fleet->pool);
	hashmap_free(&fleet->sims);
	hashmap_free(&fleet->endpoints);
	for (int list = 0; list < FLEET_LIST_COUNT; list++)
		free(fleet->pages[list].items);
	free(fleet);
}

size_t fleet_add_sim(struct fleet *fleet, const struct sim_record *sim)
{
	assert(sim->id != 0);
	size_t device, holder;
	bool endpoint_known = fleet_find_endpoint(fleet, sim->endpoint_id, &holder);

	if (!fleet_find_sim(fleet, sim->id, &device)) {
		device = new_device(fleet);
		set_sim_id(fleet, device, sim->id);
		/* Link to the endpoint the SIM page names only while that endpoint is unknown:
		 * once its own record (or another SIM's page) has placed it, that placement
		 * stands. */
		if (sim->endpoint_id && !endpoint_known)
			set_endpoint_id(fleet, device, sim->endpoint_id, false);
	} else {
		if (fleet->flags[device] & FLAG_SIM_SEEN)
			count_duplicate(fleet, device, FLAG_SIM_DUPLICATE, &fleet->anomalies.duplicate_sims,
					&fleet->anomalies.duplicate_sim_records);
		if (!has_seen_endpoint(fleet, device)) {
			/* The SIM's own link is provisional: follow the SIM page, within the same
			 * rule. */
			int64_t current = fleet->devices[device].endpoint_id;
			if (current != sim->endpoint_id) {
				if (current)
					clear_endpoint(fleet, device);
				if (sim->endpoint_id && !endpoint_known)
					set_endpoint_id(fleet, device, sim->endpoint_id, false);
			}
		}
	}
	update_sim(fleet, device, sim->sim_status, sim->iccid, sim->imsi, sim->msisdn, false);
	fleet->flags[device] |= FLAG_SIM_SEEN;
	return device;
}

/* An endpoint whose id and SIM no row holds yet, the usual record of a first load: a row of its
 * own, set up at once. What the general path below would do, without its steps between. */
static size_t add_new_endpoint(struct fleet *fleet, const struct endpoint_record *endpoint)
{
	size_t device = new_device(fleet);
	struct device *entry = &fleet->devices[device];
	entry->endpoint_id = endpoint->id;
	hashmap_insert(&fleet->endpoints, (uint32_t)device);
	fleet->flags[device] |= FLAG_ENDPOINT_SEEN;
	entry->endpoint_status = (int8_t)endpoint->endpoint_status;
	set_text(fleet, device, TEXT_NAME, endpoint->name);
	set_text(fleet, device, TEXT_IMEI, endpoint->imei);
	set_text(fleet, device, TEXT_IP, endpoint->ip_address);
	set_text(fleet, device, TEXT_TAGS, endpoint->tags);
	if (endpoint->sim_id) {
		entry->sim_id = endpoint->sim_id;
		hashmap_insert(&fleet->sims, (uint32_t)device);
		entry->sim_status = (int8_t)endpoint->sim_status;  /* SIM_NONE when the record left it out */
		set_text(fleet, device, TEXT_ICCID, endpoint->iccid);
		set_text(fleet, device, TEXT_IMSI, endpoint->imsi);
		set_text(fleet, device, TEXT_MSISDN, endpoint->msisdn);
	}
	index_texts(fleet, device);
	recount(fleet, device);
	return device;
}

size_t fleet_add_endpoint(struct fleet *fleet, const struct endpoint_record *endpoint)
{
	assert(endpoint->id != 0);
	size_t device, sim_holder;
	bool endpoint_known = fleet_find_endpoint(fleet, endpoint->id, &device);

	if (endpoint_known && has_seen_endpoint(fleet, device))
		count_duplicate(fleet, device, FLAG_ENDPOINT_DUPLICATE, &fleet->anomalies.duplicate_endpoints,
				&fleet->anomalies.duplicate_endpoint_records);
	if (endpoint_known && is_shadow(fleet, device) && fleet->devices[device].sim_id != endpoint->sim_id)
		drop_shadow_sim(fleet, device);
	bool sim_known = endpoint->sim_id && fleet_find_sim(fleet, endpoint->sim_id, &sim_holder);
	if (!endpoint_known && !sim_known)
		return add_new_endpoint(fleet, endpoint);

	if (endpoint_known && is_shadow(fleet, device)) {
		/* A later claimant repeats its claim: nothing moves. */
	} else if (!endpoint_known) {
		if (sim_known && !has_seen_endpoint(fleet, sim_holder)) {
			/* The SIM waits alone or under a provisional link: the endpoint joins it. */
			device = sim_holder;
			if (fleet->devices[device].endpoint_id)
				clear_endpoint(fleet, device);
		} else {
			device = new_device(fleet);
			/* Another endpoint's record claimed the SIM first: it keeps it. */
			if (sim_known)
				claim_shared_sim(fleet, device, sim_holder);
		}
		set_endpoint_id(fleet, device, endpoint->id, true);
	} else {
		set_endpoint_id(fleet, device, endpoint->id, true);
		if (!sim_known || sim_holder != device) {
			/* The endpoint's record says which SIM it has: any other goes to its own row. */
			detach_sim(fleet, device);
			/* The SIM's old row keeps it if its endpoint's record claimed it; else the
			 * SIM moves here and that row is left vacant. */
			if (sim_known && has_seen_endpoint(fleet, sim_holder))
				claim_shared_sim(fleet, device, sim_holder);
			else if (sim_known)
				move_sim(fleet, sim_holder, device);
		}
	}
	if (endpoint->sim_id && fleet->devices[device].sim_id == 0)
		set_sim_id(fleet, device, endpoint->sim_id);

	uncount(fleet, device);
	fleet->devices[device].endpoint_status = (int8_t)endpoint->endpoint_status;
	set_text(fleet, device, TEXT_NAME, endpoint->name);
	set_text(fleet, device, TEXT_IMEI, endpoint->imei);
	set_text(fleet, device, TEXT_IP, endpoint->ip_address);
	set_text(fleet, device, TEXT_TAGS, endpoint->tags);
	/* With a SIM, update_sim() below indexes every field once the SIM's are set too. */
	if (!endpoint->sim_id)
		index_texts(fleet, device);
	recount(fleet, device);
	if (endpoint->sim_id)
		update_sim(fleet, device, endpoint->sim_status, endpoint->iccid, endpoint->imsi,
			   endpoint->msisdn, true);
	return device;
}

void fleet_prefetch(const struct fleet *fleet, int64_t sim_id, int64_t endpoint_id)
{
	if (sim_id)
		hashmap_prefetch(&fleet->sims, (uint64_t)sim_id);
	if (endpoint_id)
		hashmap_prefetch(&fleet->endpoints, (uint64_t)endpoint_id);
}

void fleet_reserve(struct fleet *fleet, size_t devices, size_t text_bytes)
{
	if (devices >= HASHMAP_NO_VALUE || text_bytes > UINT32_MAX)
		return;  /* adding them would fail anyway, one by one */
	fleet->devices = xgrow(fleet->devices, &fleet->device_capacity, devices, sizeof(*fleet->devices));
	fleet->flags = xgrow(fleet->flags, &fleet->flag_capacity, devices, sizeof(*fleet->flags));
	fleet->pool = xgrow(fleet->pool, &fleet->pool_capacity, text_bytes + FLEET_TEXT_SLACK, 1);
	hashmap_reserve(&fleet->sims, devices);
	hashmap_reserve(&fleet->endpoints, devices);
}

size_t fleet_count(const struct fleet *fleet)
{
	return fleet->count;
}

const struct device *fleet_device(const struct fleet *fleet, size_t index)
{
	return &fleet->devices[index];
}

const char *fleet_text(const struct fleet *fleet, const struct device *device, enum device_text field)
{
	if ((unsigned)field >= TEXT_COUNT || device->text[field] >= fleet->pool_used)
		return fleet->pool;  /* the empty string, with its slack */
	return fleet->pool + device->text[field];
}

enum alignment fleet_alignment(const struct device *device)
{
	return model_alignment(device->sim_status, device->endpoint_status);
}

bool fleet_find_sim(const struct fleet *fleet, int64_t sim_id, size_t *index)
{
	uint32_t device;
	if (!hashmap_find(&fleet->sims, (uint64_t)sim_id, &device))
		return false;
	*index = device;
	return true;
}

bool fleet_find_endpoint(const struct fleet *fleet, int64_t endpoint_id, size_t *index)
{
	uint32_t device;
	if (!hashmap_find(&fleet->endpoints, (uint64_t)endpoint_id, &device))
		return false;
	*index = device;
	return true;
}

size_t fleet_vacant_count(const struct fleet *fleet)
{
	size_t held = 0;
	for (int alignment = 0; alignment < ALIGN_COUNT; alignment++)
		held += fleet->per_alignment[alignment];
	return fleet->count - held;
}

size_t fleet_count_alignment(const struct fleet *fleet, enum alignment alignment)
{
	if ((unsigned)alignment >= ALIGN_COUNT)
		return 0;
	return fleet->per_alignment[alignment];
}

size_t fleet_memory(const struct fleet *fleet)
{
	return sizeof(*fleet) + fleet->device_capacity * sizeof(*fleet->devices) +
	       fleet->flag_capacity * sizeof(*fleet->flags) + fleet->pool_capacity +
	       hashmap_memory(&fleet->sims) + hashmap_memory(&fleet->endpoints) +
	       (fleet->pages[FLEET_LIST_ENDPOINTS].capacity + fleet->pages[FLEET_LIST_SIMS].capacity) *
		       sizeof(struct noted_page);
}

void fleet_set_statuses(struct fleet *fleet, size_t index, int sim_status, int endpoint_status)
{
	if (index >= fleet->count)
		return;
	uncount(fleet, index);
	struct device *device = &fleet->devices[index];
	if (device->sim_id)
		device->sim_status = (int8_t)sim_status;
	if (device->endpoint_id)
		device->endpoint_status = (int8_t)endpoint_status;
	recount(fleet, index);
}

/* --- data that cannot be true ------------------------------------------------------------ */

void fleet_page_ids_add(struct fleet_page_ids *ids, int64_t id)
{
	if (ids->count == 0)
		ids->first_id = id;
	ids->last_id = id;
	ids->count++;
	/* Mixing the running hash with each id keeps the order in it. */
	ids->hash = hashmap_mix(ids->hash ^ hashmap_mix((uint64_t)id));
}

bool fleet_note_page(struct fleet *fleet, enum fleet_list list, int64_t page,
		     const struct fleet_page_ids *ids, int64_t *earlier)
{
	if ((unsigned)list >= FLEET_LIST_COUNT || ids->count == 0)
		return false;
	struct noted_pages *noted = &fleet->pages[list];
	for (size_t i = 0; i < noted->count; i++) {
		const struct fleet_page_ids *seen = &noted->items[i].ids;
		if (seen->hash == ids->hash && seen->count == ids->count && seen->first_id == ids->first_id &&
		    seen->last_id == ids->last_id) {
			if (earlier)
				*earlier = noted->items[i].page;
			fleet->anomalies.lists[list].repeated_pages++;
			return true;
		}
	}
	noted->items = xgrow(noted->items, &noted->capacity, noted->count + 1, sizeof(*noted->items));
	noted->items[noted->count++] = (struct noted_page){ .page = page, .ids = *ids };
	return false;
}

void fleet_note_paging(struct fleet *fleet, enum fleet_list list, int64_t total_pages,
		       int64_t total_count, int64_t per_page)
{
	if ((unsigned)list >= FLEET_LIST_COUNT)
		return;
	fleet->anomalies.lists[list].disagrees = true;
	fleet->anomalies.lists[list].total_pages = total_pages;
	fleet->anomalies.lists[list].total_count = total_count;
	fleet->anomalies.lists[list].per_page = per_page;
}

void fleet_anomalies(const struct fleet *fleet, struct fleet_anomalies *anomalies)
{
	*anomalies = fleet->anomalies;
}

/* Append ", item" (or the first item after the prefix) when the whole of it fits. */
static bool append_item(char *buffer, size_t size, size_t *used, const char *item)
{
	const char *separator = *used ? ", " : "odd data from the API: ";
	int wrote = snprintf(buffer + *used, size - *used, "%s%s", separator, item);
	if (wrote < 0 || (size_t)wrote >= size - *used) {
		buffer[*used] = '\0';
		return false;
	}
	*used += (size_t)wrote;
	return true;
}

bool fleet_describe_anomalies(const struct fleet *fleet, char *buffer, size_t size)
{
	static const char *const list_names[FLEET_LIST_COUNT] = {
		[FLEET_LIST_ENDPOINTS] = "endpoint", [FLEET_LIST_SIMS] = "SIM",
	};
	const struct fleet_anomalies *odd = &fleet->anomalies;
	char items[8][160];
	size_t count = 0;
	char a[32], b[32], c[32];

	if (odd->duplicate_sims)
		snprintf(items[count++], sizeof(items[0]), "%s duplicate SIM id%s (%s records)",
			 util_thousands((int64_t)odd->duplicate_sims, a, sizeof(a)), odd->duplicate_sims == 1 ? "" : "s",
			 util_thousands((int64_t)odd->duplicate_sim_records, b, sizeof(b)));
	if (odd->duplicate_endpoints)
		snprintf(items[count++], sizeof(items[0]), "%s duplicate endpoint id%s (%s records)",
			 util_thousands((int64_t)odd->duplicate_endpoints, a, sizeof(a)),
			 odd->duplicate_endpoints == 1 ? "" : "s",
			 util_thousands((int64_t)odd->duplicate_endpoint_records, b, sizeof(b)));
	if (odd->shared_sims)
		snprintf(items[count++], sizeof(items[0]), "%s SIM%s claimed by %s endpoints (%s rows)",
			 util_thousands((int64_t)odd->shared_sims, a, sizeof(a)), odd->shared_sims == 1 ? "" : "s",
			 odd->shared_sim_rows == 2 * odd->shared_sims ? "two" : "several",
			 util_thousands((int64_t)odd->shared_sim_rows, b, sizeof(b)));
	for (int list = 0; list < FLEET_LIST_COUNT; list++) {
		if (odd->lists[list].disagrees)
			snprintf(items[count++], sizeof(items[0]),
				 "the %s list's X-Total-Pages %lld disagrees with %s records at %s per page",
				 list_names[list], (long long)odd->lists[list].total_pages,
				 util_thousands(odd->lists[list].total_count, a, sizeof(a)),
				 util_thousands(odd->lists[list].per_page, c, sizeof(c)));
		if (odd->lists[list].repeated_pages)
			snprintf(items[count++], sizeof(items[0]), "%s %s page%s repeated an earlier one",
				 util_thousands((int64_t)odd->lists[list].repeated_pages, a, sizeof(a)),
				 list_names[list], odd->lists[list].repeated_pages == 1 ? "" : "s");
	}

	if (size == 0)
		return count > 0;
	buffer[0] = '\0';
	size_t used = 0;
	for (size_t i = 0; i < count && append_item(buffer, size, &used, items[i]); i++)
		;
	return count > 0;
}
