/* snapshot.h — the fleet of the last complete load, kept on disk, so that a large fleet shows at
 * once at start while the fresh load runs (DESIGN.md §11).
 *
 * A snapshot is a private cache, never a source of truth: nothing may be planned or sent from
 * its data. One file per API URL and profile, of mode 0600 in $XDG_CACHE_HOME/simtop/ (default
 * ~/.cache/simtop/, mode 0700); the workspace is written inside and checked on reading, because
 * the token that names it may not be known yet when the file is looked for.
 *
 * The file, every number little-endian, every text a u16 byte count, the bytes and a NUL:
 *   "simtop snapshot\n"   16 bytes, the magic
 *   u32 version           SNAPSHOT_VERSION
 *   i64 saved_at          wall-clock seconds
 *   i64 workspace_id      0 when it was not known
 *   text api_url, text profile        at most SNAPSHOT_ORIGIN_MAX bytes each
 *   text workspace_name               at most SNAPSHOT_WORKSPACE_NAME_MAX bytes
 *   u64 device count
 *   one record per device row that is not vacant, in row order:
 *     i64 sim_id, i64 endpoint_id     (not both 0)
 *     i8 sim_status, i8 endpoint_status   (-1 when that side's id is 0)
 *     u8 odd                          DEVICE_ODD_* bits
 *     u8 flags                        SNAPSHOT_RECORD_* bits
 *     text × TEXT_COUNT               in enum device_text order, at most SNAPSHOT_TEXT_MAX bytes
 *   "snapend\n"            8 bytes, the end mark: a file cut short lacks it
 *   u64 checksum          XXH64 (seed 0) of every byte before it
 * Texts are stored as the fleet holds them, cleaned (text.h); a reader refuses any that is not.
 *
 * Reading rebuilds the fleet through fleet_add_endpoint() and fleet_add_sim(), so that its rows
 * come from the same join as a load's: an endpoint row from its endpoint record (with its SIM),
 * a SIM alone or under a provisional link from its SIM record, a DEVICE_ODD_DUPLICATE row from
 * its record given twice, and the later claimants of a shared SIM last, so that the row holding
 * the SIM exists first (those rows may therefore come later than they were). The fleet read
 * shows the devices, statuses, texts and odd bits that were written; its anomaly counters are
 * those the rebuild gives (a duplicate SIM of a paired row is counted as a duplicate endpoint),
 * and it knows nothing of the pages that were loaded. */
#ifndef SIMTOP_SNAPSHOT_H
#define SIMTOP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fleet.h"

#define SNAPSHOT_VERSION 1
/* Bounds of what a snapshot holds; a reader refuses a file that breaks one. */
#define SNAPSHOT_ORIGIN_MAX 4096
#define SNAPSHOT_WORKSPACE_NAME_MAX 95
#define SNAPSHOT_TEXT_MAX 4096
/* Far above a million devices (about 150 MB), and low enough that the texts of a file that
 * size always fit in a fleet's string pool. */
#define SNAPSHOT_FILE_MAX ((size_t)2 << 30)

/* record.flags: this row is a later claimant of a shared SIM (fleet.h), not the row that holds
 * the SIM. */
enum { SNAPSHOT_RECORD_SHARED_CLAIM = 1 };

/* Where a fleet came from. NULL strings are taken as "" (api_url, workspace_name) and
 * "default" (profile), as in a journal. */
struct snapshot_origin {
	const char *api_url;        /* the API's base URL */
	const char *profile;        /* the config profile */
	int64_t workspace_id;       /* the token's workspace (the JWT's esc.org); 0 when not known yet */
	const char *workspace_name; /* cleaned and cut to SNAPSHOT_WORKSPACE_NAME_MAX bytes when written */
};

/* $XDG_CACHE_HOME/simtop/ (an absolute XDG_CACHE_HOME, else ~/.cache/simtop/) and a file name
 * for this API URL and profile: "fleet-" and 16 hex digits of a hash of both. The caller frees
 * it; NULL when no home directory is known. */
char *snapshot_path(const char *api_url, const char *profile);

/* Write every device of fleet that is not vacant to path, replacing any snapshot there at once
 * (files_replace_begin, files.h): the directory is created 0700 if missing (an existing one must
 * be the user's own and not writable by group or others, else refused), the file is written
 * 0600 to a temporary file beside it, fsync'ed and renamed over path, and the directory
 * fsync'ed. saved_at is wall-clock seconds. False with message on any failure; the old
 * snapshot is then kept. */
bool snapshot_write(const char *path, const struct fleet *fleet, const struct snapshot_origin *origin,
		    int64_t saved_at, char *message, size_t size);

enum snapshot_read_result {
	SNAPSHOT_READ,     /* *fleet holds the snapshot's devices */
	SNAPSHOT_NONE,     /* there is no file at path (or no directory) */
	SNAPSHOT_IGNORED,  /* there is one but it is not used: message says why, in one line */
};

struct snapshot_info {
	int64_t saved_at;
	int64_t workspace_id;
	char workspace_name[SNAPSHOT_WORKSPACE_NAME_MAX + 1];
	size_t devices;    /* records in the file: the fleet's rows that are not vacant */
};

/* Read the snapshot at path into a new fleet, which goes to *fleet (the caller frees it);
 * *fleet is NULL unless SNAPSHOT_READ. info (may be NULL) is filled once the file's header has
 * been read and checked (also when the file is then ignored as too old or another origin's),
 * zeroed otherwise. The file is ignored, with a one-line message naming why, when: it is not
 * the user's own, is readable or writable by group or others, or lies in a directory others
 * can write to; it is not a snapshot, or of another format version; it is cut short, its
 * checksum is wrong, or anything in it breaks the format (a length, a count, a status, a text
 * that is not clean, a record the join would not rebuild into a row of its own); its api_url
 * or profile differ from expected's, or its workspace does when expected->workspace_id is not
 * 0; or it is older than max_age_seconds at now (wall-clock seconds; max_age_seconds 0: no
 * limit; a snapshot dated more than max_age_seconds after now is ignored too). */
enum snapshot_read_result snapshot_read(const char *path, const struct snapshot_origin *expected,
					int64_t max_age_seconds, int64_t now, struct fleet **fleet,
					struct snapshot_info *info, char *message, size_t size);

/* XXH64 with seed 0 of length bytes: the file's checksum, for tests that craft a file. */
uint64_t snapshot_checksum(const void *data, size_t length);

#endif
