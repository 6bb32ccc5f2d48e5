/* snapshot.c — the fleet written to one private file and read back through the join.
 *
 * Speed: a million devices make a file of about 100 MB. Writing goes through one buffer of
 * WRITE_BUFFER bytes; reading takes the whole file in one read (files_read_all), checks its
 * checksum, and hands the fleet records whose strings point into that buffer (every text in
 * the file ends in a NUL), so nothing is copied twice. The checksum is XXH64: four independent
 * lanes of 8-byte words keep it far faster than any byte-at-a-time hash (FNV-1a, CRC-32 in
 * software), and its published test vectors pin it down. */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "model.h"
#include "text.h"
#include "util.h"

#define MAGIC "simtop snapshot\n"
#define MAGIC_SIZE 16
#define END_MARK "snapend\n"
#define END_MARK_SIZE 8
#define CHECKSUM_SIZE 8
/* ids, statuses, odd, flags, and TEXT_COUNT empty texts (count and NUL). */
#define RECORD_MIN (8 + 8 + 1 + 1 + 1 + 1 + TEXT_COUNT * 3)
#define HEADER_MIN (MAGIC_SIZE + 4 + 8 + 8 + 3 * 3 + 8)
#define WRITE_BUFFER ((size_t)1 << 20)

/* --- XXH64 ------------------------------------------------------------------------------- */

#define PRIME1 UINT64_C(0x9E3779B185EBCA87)
#define PRIME2 UINT64_C(0xC2B2AE3D27D4EB4F)
#define PRIME3 UINT64_C(0x165667B19E3779F9)
#define PRIME4 UINT64_C(0x85EBCA77C2B2AE63)
#define PRIME5 UINT64_C(0x27D4EB2F165667C5)

struct checksum {
	uint64_t lanes[4];
	uint64_t total;
	unsigned char pending[32];  /* a stripe begun but not complete */
	size_t pending_used;
};

static uint64_t rotate_left(uint64_t value, int bits)
{
	return value << bits | value >> (64 - bits);
}

static uint64_t load64(const unsigned char *at)
{
	return (uint64_t)at[0] | (uint64_t)at[1] << 8 | (uint64_t)at[2] << 16 | (uint64_t)at[3] << 24 |
	       (uint64_t)at[4] << 32 | (uint64_t)at[5] << 40 | (uint64_t)at[6] << 48 | (uint64_t)at[7] << 56;
}

static uint32_t load32(const unsigned char *at)
{
	return (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
}

static uint64_t checksum_round(uint64_t lane, uint64_t input)
{
	return rotate_left(lane + input * PRIME2, 31) * PRIME1;
}

static void checksum_init(struct checksum *sum)
{
	*sum = (struct checksum){ .lanes = { PRIME1 + PRIME2, PRIME2, 0, (uint64_t)0 - PRIME1 } };
}

/* Whole 32-byte stripes of data; returns the bytes taken. */
static size_t checksum_stripes(struct checksum *sum, const unsigned char *data, size_t length)
{
	uint64_t a = sum->lanes[0], b = sum->lanes[1], c = sum->lanes[2], d = sum->lanes[3];
	size_t done = 0;

	for (; done + 32 <= length; done += 32) {
		a = checksum_round(a, load64(data + done));
		b = checksum_round(b, load64(data + done + 8));
		c = checksum_round(c, load64(data + done + 16));
		d = checksum_round(d, load64(data + done + 24));
	}
	sum->lanes[0] = a, sum->lanes[1] = b, sum->lanes[2] = c, sum->lanes[3] = d;
	return done;
}

static void checksum_add(struct checksum *sum, const void *bytes, size_t length)
{
	const unsigned char *data = bytes;

	sum->total += length;
	if (sum->pending_used) {
		size_t take = 32 - sum->pending_used < length ? 32 - sum->pending_used : length;
		memcpy(sum->pending + sum->pending_used, data, take);
		sum->pending_used += take;
		data += take;
		length -= take;
		if (sum->pending_used < 32)
			return;
		checksum_stripes(sum, sum->pending, 32);
		sum->pending_used = 0;
	}
	size_t done = checksum_stripes(sum, data, length);
	memcpy(sum->pending, data + done, length - done);
	sum->pending_used = length - done;
}

static uint64_t checksum_end(const struct checksum *sum)
{
	const uint64_t *lane = sum->lanes;
	const unsigned char *at = sum->pending;
	size_t left = sum->pending_used;
	uint64_t hash;

	if (sum->total >= 32) {
		hash = rotate_left(lane[0], 1) + rotate_left(lane[1], 7) + rotate_left(lane[2], 12) +
		       rotate_left(lane[3], 18);
		for (int i = 0; i < 4; i++)
			hash = (hash ^ checksum_round(0, lane[i])) * PRIME1 + PRIME4;
	} else {
		hash = PRIME5;
	}
	hash += sum->total;
	for (; left >= 8; at += 8, left -= 8)
		hash = rotate_left(hash ^ checksum_round(0, load64(at)), 27) * PRIME1 + PRIME4;
	if (left >= 4) {
		hash = rotate_left(hash ^ (uint64_t)load32(at) * PRIME1, 23) * PRIME2 + PRIME3;
		at += 4;
		left -= 4;
	}
	for (; left > 0; at++, left--)
		hash = rotate_left(hash ^ *at * PRIME5, 11) * PRIME1;
	hash ^= hash >> 33;
	hash *= PRIME2;
	hash ^= hash >> 29;
	hash *= PRIME3;
	hash ^= hash >> 32;
	return hash;
}

uint64_t snapshot_checksum(const void *data, size_t length)
{
	struct checksum sum;

	checksum_init(&sum);
	checksum_add(&sum, data, length);
	return checksum_end(&sum);
}

/* --- origin and path ---------------------------------------------------------------------- */

static const char *api_url_of(const struct snapshot_origin *origin)
{
	return origin && origin->api_url ? origin->api_url : "";
}

static const char *profile_of(const struct snapshot_origin *origin)
{
	return origin && origin->profile ? origin->profile : "default";
}

char *snapshot_path(const char *api_url, const char *profile)
{
	const struct snapshot_origin origin = { .api_url = api_url, .profile = profile };
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = util_home_directory();
	struct checksum sum;
	uint64_t hash;

	/* The NUL between them keeps ("ab", "c") and ("a", "bc") apart. */
	checksum_init(&sum);
	checksum_add(&sum, api_url_of(&origin), strlen(api_url_of(&origin)) + 1);
	checksum_add(&sum, profile_of(&origin), strlen(profile_of(&origin)));
	hash = checksum_end(&sum);
	/* The XDG spec says to ignore a relative XDG_CACHE_HOME. */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/simtop/fleet-%016" PRIx64, xdg, hash);
	if (!home || home[0] != '/')
		return NULL;
	return xasprintf("%s/.cache/simtop/fleet-%016" PRIx64, home, hash);
}

/* --- writing ------------------------------------------------------------------------------ */

struct writer {
	struct files_replacement file;
	unsigned char *buffer;
	size_t used;
	struct checksum sum;
	int error;           /* errno of the first write that failed; 0 while all went well */
};

static void writer_flush(struct writer *writer)
{
	size_t done = 0;

	checksum_add(&writer->sum, writer->buffer, writer->used);
	while (done < writer->used && !writer->error) {
		ssize_t wrote = write(writer->file.fd, writer->buffer + done, writer->used - done);
		if (wrote < 0 && errno == EINTR)
			continue;
		if (wrote <= 0)
			writer->error = wrote < 0 ? errno : EIO;
		else
			done += (size_t)wrote;
	}
	writer->used = 0;
}

/* Room for length more bytes (at most WRITE_BUFFER) at the end of the buffer. */
static unsigned char *writer_room(struct writer *writer, size_t length)
{
	if (writer->used + length > WRITE_BUFFER)
		writer_flush(writer);
	return writer->buffer + writer->used;
}

static void put_u64(struct writer *writer, uint64_t value)
{
	unsigned char *at = writer_room(writer, 8);
	for (int i = 0; i < 8; i++)
		at[i] = (unsigned char)(value >> (8 * i));
	writer->used += 8;
}

static void put_bytes(struct writer *writer, const void *bytes, size_t length)
{
	memcpy(writer_room(writer, length), bytes, length);
	writer->used += length;
}

/* A text of at most SNAPSHOT_TEXT_MAX bytes (checked by the caller): count, bytes, NUL. */
static void put_text(struct writer *writer, const char *text, size_t length)
{
	unsigned char *at = writer_room(writer, length + 3);
	at[0] = (unsigned char)length;
	at[1] = (unsigned char)(length >> 8);
	memcpy(at + 2, text, length);
	at[2 + length] = 0;
	writer->used += length + 3;
}

static bool status_valid(int sim_status, int endpoint_status)
{
	return sim_status >= SIM_NONE && sim_status < SIM_STATUS_COUNT && endpoint_status >= ENDPOINT_NONE &&
	       endpoint_status < ENDPOINT_STATUS_COUNT;
}

/* One record; false (with reason) for a device the format cannot hold. */
static bool put_device(struct writer *writer, const struct fleet *fleet, size_t index, char *reason, size_t size)
{
	const struct device *device = fleet_device(fleet, index);
	const char *texts[TEXT_COUNT];
	size_t lengths[TEXT_COUNT], holder;
	unsigned char flags = 0;

	if (!status_valid(device->sim_status, device->endpoint_status)) {
		snprintf(reason, size, "device row %zu has statuses %d and %d, which simtop does not know", index,
			 device->sim_status, device->endpoint_status);
		return false;
	}
	for (int field = 0; field < TEXT_COUNT; field++) {
		texts[field] = fleet_text(fleet, device, (enum device_text)field);
		lengths[field] = strlen(texts[field]);
		if (lengths[field] > SNAPSHOT_TEXT_MAX) {
			snprintf(reason, size, "a text of device row %zu is longer than %d bytes", index,
				 SNAPSHOT_TEXT_MAX);
			return false;
		}
	}
	if (device->sim_id && device->endpoint_id && (device->odd & DEVICE_ODD_SHARED_SIM) &&
	    fleet_find_sim(fleet, device->sim_id, &holder) && holder != index)
		flags |= SNAPSHOT_RECORD_SHARED_CLAIM;
	put_u64(writer, (uint64_t)device->sim_id);
	put_u64(writer, (uint64_t)device->endpoint_id);
	unsigned char small[4] = { (unsigned char)device->sim_status, (unsigned char)device->endpoint_status,
				   device->odd, flags };
	put_bytes(writer, small, sizeof(small));
	for (int field = 0; field < TEXT_COUNT; field++)
		put_text(writer, texts[field], lengths[field]);
	return true;
}

/* origin's strings as they are written; *name is the caller's to free. */
static bool origin_texts(const struct snapshot_origin *origin, char **name, char *reason, size_t size)
{
	*name = NULL;
	if (strlen(api_url_of(origin)) > SNAPSHOT_ORIGIN_MAX || strlen(profile_of(origin)) > SNAPSHOT_ORIGIN_MAX) {
		snprintf(reason, size, "its API URL or profile name is longer than %d bytes", SNAPSHOT_ORIGIN_MAX);
		return false;
	}
	if (origin && origin->workspace_id < 0) {
		snprintf(reason, size, "workspace id %" PRId64 " is below 0", origin->workspace_id);
		return false;
	}
	/* The name comes from the token: shown later, so cleaned now. */
	*name = text_clean(origin ? origin->workspace_name : NULL, SNAPSHOT_WORKSPACE_NAME_MAX);
	return true;
}

bool snapshot_write(const char *path, const struct fleet *fleet, const struct snapshot_origin *origin,
		    int64_t saved_at, char *message, size_t size)
{
	struct writer writer = { .error = 0 };
	char reason[256], *name;
	uint64_t devices = 0;
	bool ok = true;

	if (!origin_texts(origin, &name, reason, sizeof(reason))) {
		snprintf(message, size, "cannot write the snapshot %s: %s", path, reason);
		text_clean_in_place(message, size);
		return false;
	}
	if (!files_replace_begin(&writer.file, path, "the snapshot", message, size)) {
		free(name);
		return false;
	}
	writer.buffer = xmalloc(WRITE_BUFFER);
	checksum_init(&writer.sum);
	for (size_t i = 0; i < fleet_count(fleet); i++)
		devices += !fleet_device_vacant(fleet_device(fleet, i));

	put_bytes(&writer, MAGIC, MAGIC_SIZE);
	unsigned char version[4] = { SNAPSHOT_VERSION & 0xff, SNAPSHOT_VERSION >> 8 & 0xff, 0, 0 };
	put_bytes(&writer, version, sizeof(version));
	put_u64(&writer, (uint64_t)saved_at);
	put_u64(&writer, (uint64_t)(origin ? origin->workspace_id : 0));
	put_text(&writer, api_url_of(origin), strlen(api_url_of(origin)));
	put_text(&writer, profile_of(origin), strlen(profile_of(origin)));
	put_text(&writer, name, strlen(name));
	put_u64(&writer, devices);
	for (size_t i = 0; ok && i < fleet_count(fleet) && !writer.error; i++)
		if (!fleet_device_vacant(fleet_device(fleet, i)))
			ok = put_device(&writer, fleet, i, reason, sizeof(reason));
	put_bytes(&writer, END_MARK, END_MARK_SIZE);
	writer_flush(&writer);
	put_u64(&writer, checksum_end(&writer.sum));
	writer_flush(&writer);

	if (!ok || writer.error) {
		snprintf(message, size, "cannot write the snapshot %s: %s", path,
			 ok ? strerror(writer.error) : reason);
		text_clean_in_place(message, size);
		files_replace_abort(&writer.file);
		ok = false;
	} else {
		ok = files_replace_commit(&writer.file, message, size);
	}
	free(writer.buffer);
	free(name);
	return ok;
}

/* --- reading ------------------------------------------------------------------------------ */

/* The bytes of the file not read yet. Every get_ returns 0 or "" once one fails, and sets
 * reason (the first failure's). */
struct reader {
	const unsigned char *at, *end;
	char reason[160];
	char scratch[SNAPSHOT_TEXT_MAX + 2];  /* a text cleaned again, to compare */
};

static bool reader_failed(const struct reader *reader)
{
	return reader->reason[0] != '\0';
}

static bool reader_take(struct reader *reader, size_t length, const char *what)
{
	if (reader_failed(reader))
		return false;
	if ((size_t)(reader->end - reader->at) >= length)
		return true;
	snprintf(reader->reason, sizeof(reader->reason), "it ends inside %s", what);
	return false;
}

static uint64_t get_u64(struct reader *reader, const char *what)
{
	if (!reader_take(reader, 8, what))
		return 0;
	uint64_t value = load64(reader->at);
	reader->at += 8;
	return value;
}

/* Printable ASCII is clean as it is; anything else must come out of text_clean unchanged. */
static bool text_is_clean(struct reader *reader, const char *text, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c >= 0x7f) {
			size_t cleaned = text_clean_buffer(reader->scratch, sizeof(reader->scratch), text);
			return cleaned == length && memcmp(reader->scratch, text, length) == 0;
		}
	}
	return true;
}

/* A text of at most max bytes; "" after a failure. */
static const char *get_text(struct reader *reader, size_t max, const char *what)
{
	if (!reader_take(reader, 2, what))
		return "";
	size_t length = (size_t)reader->at[0] | (size_t)reader->at[1] << 8;
	const char *text = (const char *)reader->at + 2;
	if (length > max) {
		snprintf(reader->reason, sizeof(reader->reason), "%s is %zu bytes long, more than %zu", what,
			 length, max);
		return "";
	}
	if (!reader_take(reader, length + 3, what))
		return "";
	if (text[length] != '\0' || memchr(text, '\0', length)) {
		snprintf(reader->reason, sizeof(reader->reason), "%s does not match its length", what);
		return "";
	}
	if (!text_is_clean(reader, text, length)) {
		snprintf(reader->reason, sizeof(reader->reason), "%s holds characters that are not shown as they are",
			 what);
		return "";
	}
	reader->at += length + 3;
	return text;
}

/* One device as the file has it. */
struct record {
	int64_t sim_id, endpoint_id;
	int sim_status, endpoint_status;
	uint8_t odd, flags;
	const char *texts[TEXT_COUNT];
};

static bool record_fail(struct reader *reader, uint64_t number, const char *why)
{
	snprintf(reader->reason, sizeof(reader->reason), "device record %" PRIu64 " %s", number + 1, why);
	return false;
}

static bool get_record(struct reader *reader, uint64_t number, struct record *record)
{
	static const char *const names[TEXT_COUNT] = {
#define DEVICE_TEXT_NAME(id, key) "the " key " of a device record",
		DEVICE_TEXT_LIST(DEVICE_TEXT_NAME)
#undef DEVICE_TEXT_NAME
	};

	record->sim_id = (int64_t)get_u64(reader, "a device record");
	record->endpoint_id = (int64_t)get_u64(reader, "a device record");
	if (!reader_take(reader, 4, "a device record"))
		return false;
	record->sim_status = (int8_t)reader->at[0];
	record->endpoint_status = (int8_t)reader->at[1];
	record->odd = reader->at[2];
	record->flags = reader->at[3];
	reader->at += 4;
	for (int field = 0; field < TEXT_COUNT; field++)
		record->texts[field] = get_text(reader, SNAPSHOT_TEXT_MAX, names[field]);
	if (reader_failed(reader))
		return false;

	bool sim_texts = record->texts[TEXT_ICCID][0] || record->texts[TEXT_IMSI][0] || record->texts[TEXT_MSISDN][0];
	bool endpoint_texts = record->texts[TEXT_NAME][0] || record->texts[TEXT_IMEI][0] ||
			      record->texts[TEXT_IP][0] || record->texts[TEXT_TAGS][0];
	if (record->sim_id < 0 || record->endpoint_id < 0 || (record->sim_id == 0 && record->endpoint_id == 0))
		return record_fail(reader, number, "has no valid id");
	if (!status_valid(record->sim_status, record->endpoint_status))
		return record_fail(reader, number, "has a status simtop does not know");
	if ((record->sim_id == 0 && (record->sim_status != SIM_NONE || sim_texts)) ||
	    (record->endpoint_id == 0 && (record->endpoint_status != ENDPOINT_NONE || endpoint_texts)))
		return record_fail(reader, number, "has a status or a text of a side it does not have");
	if (record->odd & ~(DEVICE_ODD_DUPLICATE | DEVICE_ODD_SHARED_SIM) ||
	    record->flags & ~SNAPSHOT_RECORD_SHARED_CLAIM)
		return record_fail(reader, number, "has bits simtop does not know");
	if ((record->flags & SNAPSHOT_RECORD_SHARED_CLAIM) &&
	    (!record->sim_id || !record->endpoint_id || !(record->odd & DEVICE_ODD_SHARED_SIM)))
		return record_fail(reader, number, "claims a shared SIM it cannot");
	return true;
}

/* Add record to fleet as a load would have, into a new row that must then show what the file
 * says; false (with reason) when the join puts it anywhere else. */
static bool rebuild(struct fleet *fleet, struct reader *reader, uint64_t number, const struct record *record)
{
	const char *const *text = record->texts;
	size_t before = fleet_count(fleet), index = 0;
	/* An endpoint's status is always known once its record arrived; without one and without
	 * its texts, the row is a SIM under a provisional link from its SIM record. */
	bool endpoint_side = record->endpoint_id &&
			     (record->endpoint_status != ENDPOINT_NONE || !record->sim_id || text[TEXT_NAME][0] ||
			      text[TEXT_IMEI][0] || text[TEXT_IP][0] || text[TEXT_TAGS][0]);
	int times = record->odd & DEVICE_ODD_DUPLICATE ? 2 : 1;

	for (int i = 0; i < times; i++) {
		if (endpoint_side) {
			const struct endpoint_record endpoint = {
				.id = record->endpoint_id, .endpoint_status = record->endpoint_status,
				.name = text[TEXT_NAME], .imei = text[TEXT_IMEI], .ip_address = text[TEXT_IP],
				.tags = text[TEXT_TAGS], .sim_id = record->sim_id, .sim_status = record->sim_status,
				.iccid = text[TEXT_ICCID], .imsi = text[TEXT_IMSI], .msisdn = text[TEXT_MSISDN],
			};
			index = fleet_add_endpoint(fleet, &endpoint);
		} else {
			const struct sim_record sim = {
				.id = record->sim_id, .sim_status = record->sim_status, .iccid = text[TEXT_ICCID],
				.imsi = text[TEXT_IMSI], .msisdn = text[TEXT_MSISDN], .endpoint_id = record->endpoint_id,
			};
			index = fleet_add_sim(fleet, &sim);
		}
	}
	const struct device *device = fleet_device(fleet, index);
	if (index != before || fleet_count(fleet) != before + 1 || device->sim_id != record->sim_id ||
	    device->endpoint_id != record->endpoint_id)
		return record_fail(reader, number, "does not rebuild into a row of its own");
	/* A later claimant of a shared SIM starts from the holder's SIM status. */
	if (device->sim_status != record->sim_status || device->endpoint_status != record->endpoint_status)
		fleet_set_statuses(fleet, index, record->sim_status, record->endpoint_status);
	return true;
}

/* The records, rebuilt: the claimants of shared SIMs after every other row, so that the row
 * holding each SIM is there first. */
static bool read_records(struct reader *reader, uint64_t count, struct fleet *fleet)
{
	struct record record, *claims = NULL;
	uint64_t *claim_numbers = NULL;
	size_t claim_count = 0, claim_capacity = 0, number_capacity = 0;
	bool ok = true;

	/* The texts and their NULs are what the records hold beyond their fixed fields and text
	 * counts (read_header checked that count records fit). */
	size_t fixed = (size_t)count * (RECORD_MIN - TEXT_COUNT);
	fleet_reserve(fleet, (size_t)count, 1 + (size_t)(reader->end - reader->at) - fixed);
	for (uint64_t number = 0; ok && number < count; number++) {
		ok = get_record(reader, number, &record);
		if (ok && (record.flags & SNAPSHOT_RECORD_SHARED_CLAIM)) {
			claims = xgrow(claims, &claim_capacity, claim_count + 1, sizeof(*claims));
			claim_numbers = xgrow(claim_numbers, &number_capacity, claim_count + 1, sizeof(*claim_numbers));
			claims[claim_count] = record;
			claim_numbers[claim_count++] = number;
		} else if (ok) {
			ok = rebuild(fleet, reader, number, &record);
		}
	}
	for (size_t i = 0; ok && i < claim_count; i++)
		ok = rebuild(fleet, reader, claim_numbers[i], &claims[i]);
	free(claims);
	free(claim_numbers);
	return ok;
}

/* "3 h" for messages. */
static void age_text(int64_t seconds, char *buffer, size_t size)
{
	util_format_duration((double)(seconds < 0 ? -seconds : seconds), buffer, size);
}

/* The header, origin and age checked; false with reason. */
static bool read_header(struct reader *reader, const struct snapshot_origin *expected, int64_t max_age,
			int64_t now, struct snapshot_info *info, uint64_t *count)
{
	char a[48], b[48];

	info->saved_at = (int64_t)get_u64(reader, "the header");
	info->workspace_id = (int64_t)get_u64(reader, "the header");
	const char *api_url = get_text(reader, SNAPSHOT_ORIGIN_MAX, "the API URL");
	const char *profile = get_text(reader, SNAPSHOT_ORIGIN_MAX, "the profile");
	const char *name = get_text(reader, SNAPSHOT_WORKSPACE_NAME_MAX, "the workspace name");
	*count = get_u64(reader, "the header");
	if (reader_failed(reader)) {
		memset(info, 0, sizeof(*info));
		return false;
	}
	snprintf(info->workspace_name, sizeof(info->workspace_name), "%s", name);
	/* Each record takes RECORD_MIN bytes at least: a count beyond what the file can hold is
	 * refused before anything is built from it. */
	if (*count > (uint64_t)(reader->end - reader->at) / RECORD_MIN) {
		snprintf(reader->reason, sizeof(reader->reason), "it counts %" PRIu64 " devices, more than its %zu bytes can hold",
			 *count, (size_t)(reader->end - reader->at));
		return false;
	}
	info->devices = (size_t)*count;
	if (strcmp(api_url, api_url_of(expected)) != 0) {
		snprintf(reader->reason, sizeof(reader->reason), "it is of another API URL (%s)", api_url);
		return false;
	}
	if (strcmp(profile, profile_of(expected)) != 0) {
		snprintf(reader->reason, sizeof(reader->reason), "it is of another profile (%s)", profile);
		return false;
	}
	if (expected && expected->workspace_id != 0 && info->workspace_id != expected->workspace_id) {
		if (info->workspace_id == 0)
			snprintf(reader->reason, sizeof(reader->reason), "its workspace is not known");
		else
			snprintf(reader->reason, sizeof(reader->reason), "it is of another workspace (%" PRId64 "%s%s)",
				 info->workspace_id, name[0] ? ", " : "", name);
		return false;
	}
	if (max_age > 0 && (now - info->saved_at > max_age || info->saved_at - now > max_age)) {
		age_text(now - info->saved_at, a, sizeof(a));
		age_text(max_age, b, sizeof(b));
		snprintf(reader->reason, sizeof(reader->reason), "it was saved %s %s, and the limit is %s", a,
			 now >= info->saved_at ? "ago" : "from now (the clock changed?)", b);
		return false;
	}
	return true;
}

/* The checks that need no parsing, in the order that names the cause best: what the file is,
 * its version, whether it is whole, and then its checksum. */
static bool check_envelope(const unsigned char *data, size_t length, char *reason, size_t size)
{
	if (length < MAGIC_SIZE || memcmp(data, MAGIC, MAGIC_SIZE) != 0) {
		snprintf(reason, size, "it is not a simtop snapshot");
		return false;
	}
	if (length < MAGIC_SIZE + 4) {
		snprintf(reason, size, "it is cut short (%zu bytes)", length);
		return false;
	}
	uint32_t version = load32(data + MAGIC_SIZE);
	if (version != SNAPSHOT_VERSION) {
		snprintf(reason, size, "it is of format version %" PRIu32 ", and this simtop reads version %d",
			 version, SNAPSHOT_VERSION);
		return false;
	}
	if (length < HEADER_MIN + END_MARK_SIZE + CHECKSUM_SIZE ||
	    memcmp(data + length - CHECKSUM_SIZE - END_MARK_SIZE, END_MARK, END_MARK_SIZE) != 0) {
		snprintf(reason, size, "it is cut short (%zu bytes, no end mark)", length);
		return false;
	}
	if (snapshot_checksum(data, length - CHECKSUM_SIZE) != load64(data + length - CHECKSUM_SIZE)) {
		snprintf(reason, size, "it is corrupt (its checksum does not match)");
		return false;
	}
	return true;
}

/* Open path as a file only the user can read and change; SNAPSHOT_NONE when it is not there. */
static enum snapshot_read_result open_snapshot(const char *path, int *fd, struct stat *info, char *message,
					       size_t size)
{
	*fd = files_open(path, O_RDONLY, FILES_SECRET, "the snapshot", info, message, size);
	if (*fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? SNAPSHOT_NONE : SNAPSHOT_IGNORED;
	/* files_open trusts root's files too; a cache is only ever the user's own. */
	if (info->st_uid != geteuid()) {
		snprintf(message, size, "the snapshot %s is not yours (uid %u); remove it", path, (unsigned)info->st_uid);
		text_clean_in_place(message, size);
		close(*fd);
		return SNAPSHOT_IGNORED;
	}
	if ((uintmax_t)info->st_size > SNAPSHOT_FILE_MAX) {
		snprintf(message, size, "the snapshot %s is ignored: it is larger than %zu MiB", path,
			 SNAPSHOT_FILE_MAX >> 20);
		text_clean_in_place(message, size);
		close(*fd);
		return SNAPSHOT_IGNORED;
	}
	return SNAPSHOT_READ;
}

enum snapshot_read_result snapshot_read(const char *path, const struct snapshot_origin *expected,
					int64_t max_age_seconds, int64_t now, struct fleet **fleet,
					struct snapshot_info *info, char *message, size_t size)
{
	struct snapshot_info ignored_info;
	struct reader *reader = NULL;
	struct stat stat_info;
	unsigned char *data;
	size_t length;
	uint64_t count;
	int fd;

	*fleet = NULL;
	if (!info)
		info = &ignored_info;
	memset(info, 0, sizeof(*info));
	if (size)
		message[0] = '\0';
	enum snapshot_read_result result = open_snapshot(path, &fd, &stat_info, message, size);
	if (result != SNAPSHOT_READ)
		return result;
	data = (unsigned char *)files_read_all(fd, SNAPSHOT_FILE_MAX, &length);
	int error = errno;
	close(fd);
	if (!data) {
		snprintf(message, size, "cannot read the snapshot %s: %s", path, strerror(error));
		text_clean_in_place(message, size);
		return SNAPSHOT_IGNORED;
	}

	reader = xcalloc(1, sizeof(*reader));
	if (check_envelope(data, length, reader->reason, sizeof(reader->reason))) {
		reader->at = data + MAGIC_SIZE + 4;
		reader->end = data + length - END_MARK_SIZE - CHECKSUM_SIZE;
		if (read_header(reader, expected, max_age_seconds, now, info, &count)) {
			*fleet = fleet_new();
			if (read_records(reader, count, *fleet) && reader->at != reader->end)
				snprintf(reader->reason, sizeof(reader->reason), "%zu bytes follow its last device record",
					 (size_t)(reader->end - reader->at));
		}
	}
	if (reader_failed(reader)) {
		snprintf(message, size, "the snapshot %s is ignored: %s", path, reader->reason);
		text_clean_in_place(message, size);
		fleet_free(*fleet);
		*fleet = NULL;
		result = SNAPSHOT_IGNORED;
	}
	free(reader);
	free(data);
	return result;
}
