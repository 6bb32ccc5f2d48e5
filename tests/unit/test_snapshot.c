/* test_snapshot.c — the fleet written to its private file and read back: the same rows, and
 * every file that must not be used ignored with its own reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "fleet.h"
#include "snapshot.h"
#include "util.h"
#include "scratch.h"

/* Any user but the one running the tests: nobody. */
#define OTHER_UID 65534
#define NOW INT64_C(1750000000)

static const struct snapshot_origin origin = {
	.api_url = "https://cdn.emnify.net", .profile = "default", .workspace_id = 4711,
	.workspace_name = "Acme Fleet",
};

static void assert_contains(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* A fresh XDG_CACHE_HOME for one test; the caller removes it. */
static char *cache_home(const char *name)
{
	char *directory = make_temporary_directory(name);
	setenv("XDG_CACHE_HOME", directory, 1);
	return directory;
}

static void add_pair(struct fleet *fleet, int64_t endpoint_id, int endpoint_status, const char *name, int64_t sim_id,
		     int sim_status, const char *iccid)
{
	const struct endpoint_record endpoint = {
		.id = endpoint_id, .endpoint_status = endpoint_status, .name = name, .imei = "356938035643809",
		.ip_address = "10.191.216.67", .tags = "north,meters", .sim_id = sim_id, .sim_status = sim_status,
		.iccid = iccid, .imsi = sim_id ? "295050901896257" : NULL, .msisdn = sim_id ? "423663921520532" : NULL,
	};
	fleet_add_endpoint(fleet, &endpoint);
}

static void add_sim(struct fleet *fleet, int64_t sim_id, int sim_status, int64_t endpoint_id, const char *iccid)
{
	const struct sim_record sim = {
		.id = sim_id, .sim_status = sim_status, .iccid = iccid, .imsi = "295050901896999",
		.msisdn = NULL, .endpoint_id = endpoint_id,
	};
	fleet_add_sim(fleet, &sim);
}

/* Every kind of row a load can leave: pairs, a SIM alone, an endpoint alone, a provisional
 * link, a shared SIM whose later claimant has the lower row, a duplicate, a vacant row, and
 * text that is not ASCII. */
static struct fleet *varied_fleet(void)
{
	struct fleet *fleet = fleet_new();

	add_pair(fleet, 101, ENDPOINT_ENABLED, "Pump 1", 201, SIM_ACTIVATED, "8988303000000000001");
	add_pair(fleet, 102, ENDPOINT_DISABLED, "Zähler — Süd", 202, SIM_ACTIVATED, "8988303000000000002");
	add_sim(fleet, 203, SIM_ISSUED, 0, "8988303000000000003");
	add_pair(fleet, 104, ENDPOINT_ENABLED, "No SIM", 0, SIM_NONE, NULL);
	add_sim(fleet, 205, SIM_SUSPENDED, 105, "8988303000000000005");   /* provisional link */
	/* 106 holds SIM 207 first; 107 holds 208; then 107's record claims 207 as well. */
	add_pair(fleet, 107, ENDPOINT_ENABLED, "Claimant", 208, SIM_FACTORY_TEST, "8988303000000000008");
	add_pair(fleet, 106, ENDPOINT_ENABLED, "Holder", 207, SIM_SUSPENDED, "8988303000000000007");
	add_pair(fleet, 107, ENDPOINT_DISABLED, "Claimant", 207, SIM_NONE, "8988303000000000007");
	/* The same endpoint twice. */
	add_pair(fleet, 109, ENDPOINT_DISABLED, "Twice", 209, SIM_SUSPENDED, "8988303000000000009");
	add_pair(fleet, 109, ENDPOINT_DISABLED, "Twice", 209, SIM_SUSPENDED, "8988303000000000009");
	/* SIM 210 arrives alone, then endpoint 110 (known already) is assigned it: 210's row
	 * is left vacant. */
	add_pair(fleet, 110, ENDPOINT_ENABLED, "Refreshed", 0, SIM_NONE, NULL);
	add_sim(fleet, 210, SIM_ACTIVATED, 0, "8988303000000000010");
	add_pair(fleet, 110, ENDPOINT_ENABLED, "Refreshed", 210, SIM_ACTIVATED, "8988303000000000010");
	return fleet;
}

static size_t vacant_rows(const struct fleet *fleet)
{
	size_t vacant = 0;
	for (size_t i = 0; i < fleet_count(fleet); i++)
		vacant += fleet_device_vacant(fleet_device(fleet, i));
	return vacant;
}

/* The row of read that shows the device of row index of written. */
static const struct device *same_device(const struct fleet *read, const struct fleet *written, size_t index)
{
	const struct device *device = fleet_device(written, index);
	size_t found;

	if (device->endpoint_id)
		assert_true(fleet_find_endpoint(read, device->endpoint_id, &found));
	else
		assert_true(fleet_find_sim(read, device->sim_id, &found));
	return fleet_device(read, found);
}

/* Both fleets show the same devices: ids, statuses, odd bits and every text. */
static void assert_same_fleet(const struct fleet *read, const struct fleet *written)
{
	assert_int_equal(fleet_count(read), fleet_count(written) - vacant_rows(written));
	assert_int_equal(vacant_rows(read), 0);
	for (size_t i = 0; i < fleet_count(written); i++) {
		const struct device *want = fleet_device(written, i);
		if (fleet_device_vacant(want))
			continue;
		const struct device *got = same_device(read, written, i);
		assert_int_equal(got->sim_id, want->sim_id);
		assert_int_equal(got->endpoint_id, want->endpoint_id);
		assert_int_equal(got->sim_status, want->sim_status);
		assert_int_equal(got->endpoint_status, want->endpoint_status);
		assert_int_equal(got->odd, want->odd);
		for (int field = 0; field < TEXT_COUNT; field++)
			assert_string_equal(fleet_text(read, got, (enum device_text)field),
					    fleet_text(written, want, (enum device_text)field));
	}
	for (int alignment = 0; alignment < ALIGN_COUNT; alignment++)
		assert_int_equal(fleet_count_alignment(read, (enum alignment)alignment),
				 fleet_count_alignment(written, (enum alignment)alignment));
}

static enum snapshot_read_result read_at(const char *path, const struct snapshot_origin *expected, int64_t max_age,
					 struct fleet **fleet, char *message, size_t size)
{
	struct snapshot_info info;
	return snapshot_read(path, expected, max_age, NOW, fleet, &info, message, size);
}

/* read_at, expecting the file to be ignored with a message that contains part. */
static void assert_ignored(const char *path, const struct snapshot_origin *expected, int64_t max_age, const char *part)
{
	struct fleet *fleet = (struct fleet *)1;
	char message[512];

	assert_int_equal(read_at(path, expected, max_age, &fleet, message, sizeof(message)), SNAPSHOT_IGNORED);
	assert_null(fleet);
	assert_null(strchr(message, '\n'));
	assert_contains(message, part);
}

static unsigned char *load(const char *path, size_t *length)
{
	FILE *file = fopen(path, "rb");
	assert_non_null(file);
	assert_int_equal(fseek(file, 0, SEEK_END), 0);
	*length = (size_t)ftell(file);
	rewind(file);
	unsigned char *data = xmalloc(*length + 1);
	assert_int_equal(fread(data, 1, *length, file), *length);
	fclose(file);
	return data;
}

/* Write data back over path, mode 0600; with checksum, a new checksum first, so that only
 * what the test changed is wrong. */
static void store(const char *path, unsigned char *data, size_t length, bool checksum)
{
	if (checksum) {
		uint64_t sum = snapshot_checksum(data, length - 8);
		for (int i = 0; i < 8; i++)
			data[length - 8 + i] = (unsigned char)(sum >> (8 * i));
	}
	FILE *file = fopen(path, "wb");
	assert_non_null(file);
	assert_int_equal(fwrite(data, 1, length, file), length);
	assert_int_equal(fclose(file), 0);
	assert_int_equal(chmod(path, 0600), 0);
}

/* A snapshot of the varied fleet at the default path of origin; the caller frees the path. */
static char *write_varied(void)
{
	char message[512];
	char *path = snapshot_path(origin.api_url, origin.profile);
	struct fleet *fleet = varied_fleet();

	assert_non_null(path);
	if (!snapshot_write(path, fleet, &origin, NOW - 60, message, sizeof(message)))
		fail_msg("%s", message);
	fleet_free(fleet);
	return path;
}

/* --- tests -------------------------------------------------------------------------------- */

/* XXH64's published values (xxhsum 0.8). */
/* Files in directory, but . and .. and hidden ones. */
static int count_files(const char *directory)
{
	DIR *listing = opendir(directory);
	struct dirent *entry;
	int files = 0;
	assert_non_null(listing);
	while ((entry = readdir(listing)))
		files += entry->d_name[0] != '.';
	closedir(listing);
	return files;
}

static void test_checksum(void **state)
{
	(void)state;
	assert_true(snapshot_checksum("", 0) == UINT64_C(0xef46db3751d8e999));
	assert_true(snapshot_checksum("a", 1) == UINT64_C(0xd24ec4f1a98c6e5b));
	assert_true(snapshot_checksum("abc", 3) == UINT64_C(0x44bc2cf5ad770999));
	const char *long_text = "0123456789abcdef0123456789abcdef0123456789";
	assert_true(snapshot_checksum(long_text, strlen(long_text)) == UINT64_C(0xa76190c3acf08a1c));
}

static void test_path(void **state)
{
	(void)state;
	char *home = make_temporary_directory("snapshot-home");
	char *a, *b, *c, *d, *expected;

	setenv("XDG_CACHE_HOME", "/cache/here", 1);
	a = snapshot_path("https://cdn.emnify.net", "default");
	b = snapshot_path("https://cdn.emnify.net", "default");
	c = snapshot_path("https://cdn.emnify.net", "other");
	d = snapshot_path("https://emu.example", "default");
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_int_equal(strncmp(a, "/cache/here/simtop/fleet-", 25), 0);
	assert_int_equal(strlen(a), 25 + 16);
	free(a);
	free(b);
	free(c);
	free(d);

	/* A relative XDG_CACHE_HOME is ignored, as the XDG spec asks. */
	setenv("XDG_CACHE_HOME", "relative", 1);
	setenv("HOME", home, 1);
	a = snapshot_path("https://cdn.emnify.net", NULL);
	expected = xasprintf("%s/.cache/simtop/fleet-", home);
	assert_int_equal(strncmp(a, expected, strlen(expected)), 0);
	/* No profile is the default profile. */
	setenv("XDG_CACHE_HOME", "/cache/here", 1);
	b = snapshot_path("https://cdn.emnify.net", "default");
	c = snapshot_path("https://cdn.emnify.net", NULL);
	assert_string_equal(b, c);
	free(a);
	free(b);
	free(c);
	free(expected);
	remove_tree(home);
	free(home);
}

static void test_round_trip(void **state)
{
	(void)state;
	char *cache = cache_home("snapshot-trip");
	char *path = snapshot_path(origin.api_url, origin.profile);
	char *directory = xasprintf("%s/simtop", cache);
	struct fleet *written = varied_fleet(), *read = NULL;
	struct snapshot_info info;
	struct fleet_anomalies anomalies;
	char message[512];

	/* The fleet holds what the round trip must carry. */
	assert_int_equal(vacant_rows(written), 1);
	fleet_anomalies(written, &anomalies);
	assert_int_equal(anomalies.shared_sims, 1);
	assert_int_equal(anomalies.duplicate_endpoints, 3);

	assert_true(snapshot_write(path, written, &origin, NOW - 60, message, sizeof(message)));
	assert_int_equal(file_mode(path), 0600);
	assert_int_equal(file_mode(directory), 0700);
	assert_int_equal(snapshot_read(path, &origin, 3600, NOW, &read, &info, message, sizeof(message)), SNAPSHOT_READ);
	assert_non_null(read);
	assert_same_fleet(read, written);
	assert_int_equal(info.saved_at, NOW - 60);
	assert_int_equal(info.workspace_id, 4711);
	assert_string_equal(info.workspace_name, "Acme Fleet");
	assert_int_equal(info.devices, fleet_count(written) - 1);
	fleet_anomalies(read, &anomalies);
	assert_int_equal(anomalies.shared_sims, 1);
	assert_int_equal(anomalies.shared_sim_rows, 2);
	assert_int_equal(anomalies.duplicate_endpoints, 3);

	/* An expected workspace of 0 (the token not read yet) takes any; so does no age limit. */
	const struct snapshot_origin unknown = { .api_url = origin.api_url, .profile = origin.profile };
	fleet_free(read);
	assert_int_equal(snapshot_read(path, &unknown, 0, NOW + 86400 * 365, &read, NULL, message, sizeof(message)),
			 SNAPSHOT_READ);
	assert_same_fleet(read, written);

	/* What is read can be written again, and reads back the same. */
	assert_true(snapshot_write(path, read, &origin, NOW, message, sizeof(message)));
	fleet_free(read);
	assert_int_equal(read_at(path, &origin, 0, &read, message, sizeof(message)), SNAPSHOT_READ);
	assert_same_fleet(read, written);
	fleet_free(read);

	/* No temporary file is left behind. */
	assert_int_equal(count_files(directory), 1);

	fleet_free(written);
	free(directory);
	free(path);
	remove_tree(cache);
	free(cache);
}

/* A fleet large enough that the writer's buffer is flushed many times mid-record. */
static void test_large_round_trip(void **state)
{
	(void)state;
	char *cache = cache_home("snapshot-large");
	char *path = snapshot_path(origin.api_url, origin.profile);
	struct fleet *written = fleet_new(), *read = NULL;
	char message[512], name[32], iccid[32];

	for (int i = 1; i <= 30000; i++) {
		snprintf(name, sizeof(name), "device %d", i);
		snprintf(iccid, sizeof(iccid), "89883030%011d", i);
		if (i % 17 == 0)
			add_sim(written, 1000000 + i, i % SIM_STATUS_COUNT, 0, iccid);
		else
			add_pair(written, i, i % ENDPOINT_STATUS_COUNT, name, i % 13 == 0 ? 0 : 1000000 + i,
				 i % 13 == 0 ? SIM_NONE : i % SIM_STATUS_COUNT, i % 13 == 0 ? NULL : iccid);
	}
	assert_true(snapshot_write(path, written, &origin, NOW, message, sizeof(message)));
	assert_int_equal(read_at(path, &origin, 0, &read, message, sizeof(message)), SNAPSHOT_READ);
	assert_same_fleet(read, written);
	fleet_free(read);
	fleet_free(written);
	free(path);
	remove_tree(cache);
	free(cache);
}

static void test_no_file(void **state)
{
	(void)state;
	char *cache = cache_home("snapshot-none");
	char *path = snapshot_path(origin.api_url, origin.profile);
	struct fleet *fleet = (struct fleet *)1;
	struct snapshot_info info = { .devices = 7 };
	char message[512];

	/* Neither the directory nor the file exist yet. */
	assert_int_equal(snapshot_read(path, &origin, 0, NOW, &fleet, &info, message, sizeof(message)), SNAPSHOT_NONE);
	assert_null(fleet);
	assert_int_equal(info.devices, 0);
	free(path);
	path = write_varied();
	char *other = snapshot_path(origin.api_url, "staging");
	assert_int_equal(read_at(other, &origin, 0, &fleet, message, sizeof(message)), SNAPSHOT_NONE);
	free(other);
	free(path);
	remove_tree(cache);
	free(cache);
}

static void test_directory_refused(void **state)
{
	(void)state;
	char *cache = cache_home("snapshot-directory");
	char *path = snapshot_path(origin.api_url, origin.profile);
	char *directory = xasprintf("%s/simtop", cache);
	struct fleet *fleet = varied_fleet();
	char message[512];

	assert_int_equal(mkdir(directory, 0700), 0);
	assert_int_equal(chmod(directory, 0770), 0);
	assert_false(snapshot_write(path, fleet, &origin, NOW, message, sizeof(message)));
	assert_contains(message, "can be written to by other users (mode 0770)");
	assert_contains(message, "chmod go-w");
	assert_int_equal(access(path, F_OK), -1);

	/* Another user's directory, even one only they can write to. */
	assert_int_equal(chmod(directory, 0700), 0);
	assert_int_equal(chown(directory, OTHER_UID, (gid_t)-1), 0);
	assert_false(snapshot_write(path, fleet, &origin, NOW, message, sizeof(message)));
	assert_contains(message, "belongs to another user");

	/* A symbolic link where the directory should be. */
	assert_int_equal(rmdir(directory), 0);
	assert_int_equal(symlink("/tmp", directory), 0);
	assert_false(snapshot_write(path, fleet, &origin, NOW, message, sizeof(message)));
	assert_contains(message, "symbolic link");
	assert_int_equal(unlink(directory), 0);

	/* A directory that is missing is made, with its missing parents, 0700. */
	free(path);
	free(directory);
	directory = xasprintf("%s/deeper/still", cache);
	setenv("XDG_CACHE_HOME", directory, 1);
	path = snapshot_path(origin.api_url, origin.profile);
	assert_true(snapshot_write(path, fleet, &origin, NOW, message, sizeof(message)));
	assert_int_equal(file_mode(directory), 0700);
	free(directory);
	directory = xasprintf("%s/deeper/still/simtop", cache);
	assert_int_equal(file_mode(directory), 0700);

	fleet_free(fleet);
	free(directory);
	free(path);
	remove_tree(cache);
	free(cache);
}

static void test_file_refused(void **state)
{
	(void)state;
	char *cache = cache_home("snapshot-file");
	char *path = write_varied();
	char *directory = xasprintf("%s/simtop", cache);

	assert_int_equal(chmod(path, 0640), 0);
	assert_ignored(path, &origin, 0, "readable by other users (mode 0640); run chmod 600");
	assert_int_equal(chmod(path, 0620), 0);
	assert_ignored(path, &origin, 0, "writable by other users (mode 0620)");
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(chown(path, OTHER_UID, (gid_t)-1), 0);
	assert_ignored(path, &origin, 0, "belongs to another user");
	assert_int_equal(chown(path, getuid(), (gid_t)-1), 0);
	assert_int_equal(chmod(directory, 0777), 0);
	assert_ignored(path, &origin, 0, "a directory other users can write to");
	assert_int_equal(chmod(directory, 0700), 0);

	free(directory);
	free(path);
	remove_tree(cache);
	free(cache);
}

static void test_damaged(void **state)
{
	(void)state;
	char *cache = cache_home("snapshot-damaged");
	char *path = write_varied();
	size_t length;
	unsigned char *good = load(path, &length), *data = xmalloc(length);

	/* One byte changed in the middle of a record. */
	memcpy(data, good, length);
	data[length / 2] ^= 0x20;
	store(path, data, length, false);
	assert_ignored(path, &origin, 0, "corrupt (its checksum does not match)");

	/* Cut short, at any length. */
	size_t cuts[] = { length - 1, length - 9, length / 2, 40, 17, 3, 0 };
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		store(path, good, cuts[i], false);
		assert_ignored(path, &origin, 0, cuts[i] < 16 ? "not a simtop snapshot" : "cut short");
	}

	/* Another format version. */
	memcpy(data, good, length);
	data[16] = 2;
	store(path, data, length, false);
	assert_ignored(path, &origin, 0, "format version 2, and this simtop reads version 1");

	/* Not a snapshot at all. */
	unsigned char json[] = "{\"hello\": 1}\n";
	store(path, json, sizeof(json) - 1, false);
	assert_ignored(path, &origin, 0, "not a simtop snapshot");

	/* Bytes added after the end. */
	unsigned char *longer = xmalloc(length + 4);
	memcpy(longer, good, length);
	memcpy(longer + length, "more", 4);
	store(path, longer, length + 4, false);
	assert_ignored(path, &origin, 0, "no end mark");
	free(longer);

	free(data);
	free(good);
	free(path);
	remove_tree(cache);
	free(cache);
}

/* Files whose checksum is right but whose content breaks the format: what a reader must check
 * even so, since the checksum only tells an accident. */
static void test_crafted(void **state)
{
	(void)state;
	char *cache = cache_home("snapshot-crafted");
	char *path = write_varied();
	size_t length;
	unsigned char *good = load(path, &length), *data = xmalloc(length);
	/* The header: magic, version, saved_at, workspace, then the three origin texts. */
	size_t count_at = 16 + 4 + 8 + 8 + (2 + strlen(origin.api_url) + 1) + (2 + strlen(origin.profile) + 1) +
			  (2 + strlen(origin.workspace_name) + 1);
	size_t first_record = count_at + 8;

	/* A device count beyond what the bytes can hold. */
	memcpy(data, good, length);
	data[count_at + 5] = 0x10;
	store(path, data, length, true);
	assert_ignored(path, &origin, 0, "devices, more than its");

	/* One device fewer than the records: bytes follow. */
	memcpy(data, good, length);
	data[count_at]--;
	store(path, data, length, true);
	assert_ignored(path, &origin, 0, "bytes follow its last device record");

	/* One more: the records end early. */
	memcpy(data, good, length);
	data[count_at]++;
	store(path, data, length, true);
	assert_ignored(path, &origin, 0, "it ends inside");

	/* A SIM status no one knows. */
	memcpy(data, good, length);
	data[first_record + 16] = 9;
	store(path, data, length, true);
	assert_ignored(path, &origin, 0, "device record 1 has a status simtop does not know");

	/* A text length that runs past its NUL. */
	memcpy(data, good, length);
	data[first_record + 20] += 1;
	store(path, data, length, true);
	assert_ignored(path, &origin, 0, "the name of a device record does not match its length");

	/* An escape character in a name ("Pump 1" is the first record's). */
	memcpy(data, good, length);
	data[first_record + 22] = 0x1b;
	store(path, data, length, true);
	assert_ignored(path, &origin, 0, "not shown as they are");

	/* A record without ids. */
	memcpy(data, good, length);
	memset(data + first_record, 0, 16);
	store(path, data, length, true);
	assert_ignored(path, &origin, 0, "device record 1 has no valid id");

	/* Two records of one endpoint: the join would merge them. */
	memcpy(data, good, length);
	data[first_record + 8] = 102;
	store(path, data, length, true);
	assert_ignored(path, &origin, 0, "does not rebuild into a row of its own");

	free(data);
	free(good);
	free(path);
	remove_tree(cache);
	free(cache);
}

static void test_origin_and_age(void **state)
{
	(void)state;
	char *cache = cache_home("snapshot-origin");
	char *path = write_varied();
	struct snapshot_origin other = origin;
	struct snapshot_info info;
	struct fleet *fleet;
	char message[512];

	other.api_url = "https://emu.example";
	assert_ignored(path, &other, 0, "another API URL (https://cdn.emnify.net)");
	other = origin;
	other.profile = "staging";
	assert_ignored(path, &other, 0, "another profile (default)");
	other = origin;
	other.workspace_id = 99;
	assert_ignored(path, &other, 0, "another workspace (4711, Acme Fleet)");
	/* The header's facts come with the refusal. */
	assert_int_equal(snapshot_read(path, &other, 0, NOW, &fleet, &info, message, sizeof(message)),
			 SNAPSHOT_IGNORED);
	assert_int_equal(info.workspace_id, 4711);
	assert_int_equal(info.saved_at, NOW - 60);

	/* Saved 60 s before NOW. */
	assert_ignored(path, &origin, 59, "saved 1 min 0 s ago, and the limit is 59 s");
	fleet = NULL;
	assert_int_equal(read_at(path, &origin, 60, &fleet, message, sizeof(message)), SNAPSHOT_READ);
	fleet_free(fleet);
	assert_int_equal(snapshot_read(path, &origin, 30, NOW - 3600, &fleet, NULL, message, sizeof(message)),
			 SNAPSHOT_IGNORED);
	assert_contains(message, "from now");

	/* A snapshot written before the workspace was known is not taken for a known one. */
	const struct snapshot_origin unknown = { .api_url = origin.api_url, .profile = origin.profile };
	struct fleet *written = varied_fleet();
	assert_true(snapshot_write(path, written, &unknown, NOW, message, sizeof(message)));
	assert_ignored(path, &origin, 0, "its workspace is not known");
	fleet_free(written);

	free(path);
	remove_tree(cache);
	free(cache);
}

static void test_failed_write_keeps_old(void **state)
{
	(void)state;
	char *cache = cache_home("snapshot-failed");
	char *path = write_varied();
	char *directory = xasprintf("%s/simtop", cache);
	struct fleet *fleet = varied_fleet(), *read;
	char message[512], *long_name = xmalloc(SNAPSHOT_TEXT_MAX + 2);
	size_t before_length, after_length;
	unsigned char *before = load(path, &before_length), *after;

	/* A text longer than the format allows fails the write midway. */
	memset(long_name, 'x', SNAPSHOT_TEXT_MAX + 1);
	long_name[SNAPSHOT_TEXT_MAX + 1] = '\0';
	add_pair(fleet, 999, ENDPOINT_ENABLED, long_name, 0, SIM_NONE, NULL);
	assert_false(snapshot_write(path, fleet, &origin, NOW, message, sizeof(message)));
	assert_contains(message, "longer than 4096 bytes");
	after = load(path, &after_length);
	assert_int_equal(after_length, before_length);
	assert_memory_equal(after, before, before_length);
	assert_int_equal(read_at(path, &origin, 0, &read, message, sizeof(message)), SNAPSHOT_READ);
	fleet_free(read);

	/* Nothing but the snapshot is in the directory: the temporary file went. */
	assert_int_equal(count_files(directory), 1);

	/* A workspace id below 0 is refused before anything is written. */
	struct snapshot_origin odd = origin;
	odd.workspace_id = -1;
	assert_false(snapshot_write(path, fleet, &odd, NOW, message, sizeof(message)));
	assert_contains(message, "below 0");

	free(after);
	free(before);
	free(long_name);
	fleet_free(fleet);
	free(directory);
	free(path);
	remove_tree(cache);
	free(cache);
}

/* --- speed: SIMTOP_LONG_TESTS=1 ------------------------------------------------------------ */

static struct fleet *synthetic_fleet(size_t devices)
{
	struct fleet *fleet = fleet_new();
	char name[32], iccid[24], imsi[20], msisdn[20], imei[20], ip[20];

	for (size_t i = 1; i <= devices; i++) {
		snprintf(name, sizeof(name), "meter-%07zu", i);
		snprintf(iccid, sizeof(iccid), "8988303%012zu", i);
		snprintf(imsi, sizeof(imsi), "2950509%08zu", i);
		snprintf(msisdn, sizeof(msisdn), "4236639%08zu", i);
		snprintf(imei, sizeof(imei), "3569380%08zu", i);
		snprintf(ip, sizeof(ip), "10.%zu.%zu.%zu", i >> 16 & 255, i >> 8 & 255, i & 255);
		if (i % 50 == 0) {
			const struct sim_record sim = {
				.id = (int64_t)(10000000 + i), .sim_status = SIM_ISSUED, .iccid = iccid, .imsi = imsi,
				.msisdn = msisdn,
			};
			fleet_add_sim(fleet, &sim);
			continue;
		}
		const struct endpoint_record endpoint = {
			.id = (int64_t)i, .endpoint_status = (int)(i % 7 == 0), .name = name, .imei = imei,
			.ip_address = ip, .tags = i % 3 ? "north,meters" : "south", .sim_id = (int64_t)(10000000 + i),
			.sim_status = i % 11 == 0 ? SIM_SUSPENDED : SIM_ACTIVATED, .iccid = iccid, .imsi = imsi,
			.msisdn = msisdn,
		};
		fleet_add_endpoint(fleet, &endpoint);
	}
	return fleet;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Prints the figures; asserts only that what is read is what was written. */
static void test_speed(void **state)
{
	(void)state;
	const char *long_tests = getenv("SIMTOP_LONG_TESTS");
	if (!long_tests || strcmp(long_tests, "1") != 0)
		skip();
	char *cache = cache_home("snapshot-speed");
	char *path = snapshot_path(origin.api_url, origin.profile);
	static const size_t sizes[] = { 100000, 1000000 };
	char message[512];

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct fleet *written = synthetic_fleet(sizes[i]), *read = NULL;
		struct timespec start;
		struct stat info;
		double write_seconds, read_seconds;

		clock_gettime(CLOCK_MONOTONIC, &start);
		assert_true(snapshot_write(path, written, &origin, NOW, message, sizeof(message)));
		write_seconds = seconds_since(&start);
		clock_gettime(CLOCK_MONOTONIC, &start);
		assert_int_equal(read_at(path, &origin, 0, &read, message, sizeof(message)), SNAPSHOT_READ);
		read_seconds = seconds_since(&start);
		assert_int_equal(stat(path, &info), 0);
		printf("snapshot of %zu devices: %.1f MB, write %.3f s, read and rebuild %.3f s, fleet %.1f MB\n",
		       sizes[i], (double)info.st_size / 1e6, write_seconds, read_seconds,
		       (double)fleet_memory(read) / 1e6);
		assert_same_fleet(read, written);
		fleet_free(read);
		fleet_free(written);
	}
	free(path);
	remove_tree(cache);
	free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_large_round_trip),
		cmocka_unit_test(test_no_file),
		cmocka_unit_test(test_directory_refused),
		cmocka_unit_test(test_file_refused),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_origin_and_age),
		cmocka_unit_test(test_failed_write_keeps_old),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
