/* emu_fleet.h — the emulated fleet's mutable state: which devices have a SIM and an endpoint,
 * their current statuses, the order the lists serve them in, the state file and the change log.
 *
 * Memory is two status bytes and two list positions per device; every other field comes from
 * emu_synth on demand. Status reads are lock-free and may run on any thread while a change is
 * applied; changes are serialised by an internal mutex, which also orders the state file and
 * the change log. The change log (for tests: what was applied, in which order, by which kind
 * of call) keeps the last EMU_FLEET_CHANGES_KEPT changes and costs nothing until the first. */
#ifndef SIMTOP_EMU_FLEET_H
#define SIMTOP_EMU_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu_synth.h"

/* Ids, IMSIs and addresses stay unique up to this many devices. */
#define EMU_FLEET_MAX_DEVICES 10000000

struct emu_fleet;

/* Generate a fleet of devices (0..EMU_FLEET_MAX_DEVICES) from params, which are copied.
 * Never NULL: the process aborts if memory runs out. */
struct emu_fleet *emu_fleet_new(const struct emu_synth_params *params, int64_t devices);
void emu_fleet_free(struct emu_fleet *fleet);

/* Replay the changes recorded in the state file at path (if it exists), then append every
 * later change to it. The file's first line names the fleet parameters; a file written for
 * another fleet is refused. On failure returns false with a message in error. Call before
 * serving, from one thread. */
bool emu_fleet_open_state(struct emu_fleet *fleet, const char *path, char *error, size_t error_size);

int64_t emu_fleet_device_count(const struct emu_fleet *fleet);
int64_t emu_fleet_sim_count(const struct emu_fleet *fleet);
int64_t emu_fleet_endpoint_count(const struct emu_fleet *fleet);

/* Device index of the SIM (endpoint) at position rank of the list ordered by id;
 * rank must be in [0, count). */
int64_t emu_fleet_sim_at(const struct emu_fleet *fleet, int64_t rank);
int64_t emu_fleet_endpoint_at(const struct emu_fleet *fleet, int64_t rank);

/* Device index owning the SIM (endpoint) with this id, or -1 when there is none. */
int64_t emu_fleet_find_sim(const struct emu_fleet *fleet, int64_t sim_id);
int64_t emu_fleet_find_endpoint(const struct emu_fleet *fleet, int64_t endpoint_id);

/* Current status of device index's SIM (endpoint), or EMU_STATUS_NONE when it has none. */
int emu_fleet_sim_status(const struct emu_fleet *fleet, int64_t index);
int emu_fleet_endpoint_status(const struct emu_fleet *fleet, int64_t index);

/* The static fields of device index (see emu_synth_device). */
void emu_fleet_device(const struct emu_fleet *fleet, int64_t index, struct emu_device *out);

/* True when the API lets a SIM go from status from to status to by PATCH (or to == from). */
bool emu_sim_transition_allowed(int from, int to);

/* The kind of call that asked for a change. */
enum emu_change_via {
	EMU_VIA_SINGLE,            /* PATCH /api/v1/sim/{id} or /api/v1/endpoint/{id} */
	EMU_VIA_MULTI,             /* PATCH /api/v2/endpoint/multi */
};

enum emu_change {
	EMU_CHANGE_APPLIED,        /* the status changed (and was recorded in the state file) */
	EMU_CHANGE_UNCHANGED,      /* already in that status: nothing to do */
	EMU_CHANGE_NOT_ALLOWED,    /* a SIM transition the API forbids */
	EMU_CHANGE_NO_SIM,         /* enabling an endpoint that has no SIM (even an enabled one) */
	EMU_CHANGE_STORAGE_FAILED, /* the state file could not be written; nothing changed */
};

/* Change device index's SIM (endpoint) status, asked for by a call of kind via. index must
 * have a SIM (an endpoint) and status must be a valid id (SIM 0..4, endpoint 0..1); the caller
 * checks both. *previous receives the status before the call. An applied change is recorded in
 * the state file and the change log. */
enum emu_change emu_fleet_set_sim_status(struct emu_fleet *fleet, int64_t index, int status, int *previous,
					 enum emu_change_via via);
enum emu_change emu_fleet_set_endpoint_status(struct emu_fleet *fleet, int64_t index, int status, int *previous,
					      enum emu_change_via via);

/* --- the change log ---------------------------------------------------------------------- */

#define EMU_FLEET_CHANGES_KEPT 1000000

struct emu_fleet_change {
	int64_t seq;               /* numbers every applied change since start, from 1; never reused */
	int64_t id;                /* the SIM's or the endpoint's id */
	bool sim;                  /* a SIM's status changed; false: an endpoint's */
	uint8_t from;
	uint8_t to;
	uint8_t via;               /* enum emu_change_via */
};

/* A copy of the change log, oldest first: the caller frees *changes (NULL when there are
 * none). Returns the number of changes. */
size_t emu_fleet_changes(struct emu_fleet *fleet, struct emu_fleet_change **changes);

/* Forget the logged changes (seq keeps counting). */
void emu_fleet_clear_changes(struct emu_fleet *fleet);

#endif
