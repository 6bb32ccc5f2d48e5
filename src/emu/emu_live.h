/* emu_live.h — the network side of each device: its connectivity, its usage and its events, as
 * GET /api/v1/endpoint/{id}/connectivity, .../stats and .../event answer them.
 *
 * Like the static fields (emu_synth.h), nothing is stored: everything is computed from the seed,
 * the device index, the device's statuses at the moment of asking, and the epoch (the time the
 * emulator started, so that answers do not move while a client pages through them). The rules
 * that tie the network to the statuses:
 *   - an endpoint that is not Enabled, or whose SIM is not Activated (or that has no SIM), is
 *     OFFLINE with no location, no PDP context and no services, has no traffic this month nor
 *     in the last hour, and may have some last month (it went quiet lately) unless its SIM was
 *     never activated;
 *   - an Enabled endpoint with an Activated SIM is ONLINE (55%: a PDP context, traffic this
 *     month), ATTACHED (32%: a location but no PDP context; one in six of them idle this month),
 *     OFFLINE (10%; seven in ten of them idle this month) or BLOCKED (3%: refused service after
 *     heavy traffic). 12% of these devices thus have no traffic this month: billed but idle.
 * A period without traffic is absent from the stats. Volumes are whole bytes, shown in MB of
 * 10^6 bytes with six decimals, so volume_rx + volume_tx == volume exactly. */
#ifndef SIMTOP_EMU_LIVE_H
#define SIMTOP_EMU_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "emu_buf.h"
#include "emu_fleet.h"

enum emu_live_connectivity {
	EMU_LIVE_ONLINE,
	EMU_LIVE_ATTACHED,
	EMU_LIVE_OFFLINE,
	EMU_LIVE_BLOCKED,
};

/* "ONLINE", "ATTACHED", "OFFLINE" or "BLOCKED". */
const char *emu_live_connectivity_name(enum emu_live_connectivity connectivity);

/* Most events one endpoint's list holds. */
#define EMU_LIVE_EVENTS_MAX 64

/* Traffic of one period; present false: the period is absent from the stats. */
struct emu_live_period {
	bool present;
	int64_t rx_bytes;       /* to the device */
	int64_t tx_bytes;       /* from the device */
	int sms_rx;             /* SMS to the device (mobile terminated) */
	int sms_tx;             /* SMS from the device (mobile originated) */
};

/* Where the world's fixed inputs come from: the fleet, its seed and the epoch (Unix seconds). */
struct emu_live_world {
	const struct emu_fleet *fleet;
	uint64_t seed;
	int64_t epoch;
};

struct emu_live {
	enum emu_live_connectivity connectivity;
	struct emu_live_period last_month;
	struct emu_live_period current_month;
	struct emu_live_period last_hour;
	int events;             /* the length of the endpoint's event list */
};

/* The network state of device index (which must have an endpoint) as its statuses are now. */
void emu_live_of(const struct emu_live_world *world, int64_t index, struct emu_live *out);

/* The body of GET /api/v1/endpoint/{id}/connectivity for device index (which must have an
 * endpoint). */
void emu_live_render_connectivity(struct emu_buf *buf, const struct emu_live_world *world, int64_t index);

/* The body of GET /api/v1/endpoint/{id}/stats for device index. */
void emu_live_render_stats(struct emu_buf *buf, const struct emu_live_world *world, int64_t index);

/* A JSON array of events first..first+count-1 of device index's list (which holds
 * emu_live_of().events), newest first, or oldest first with oldest_first. first and count must
 * lie inside the list. */
void emu_live_render_events(struct emu_buf *buf, const struct emu_live_world *world, int64_t index,
			    int64_t first, int64_t count, bool oldest_first);

/* Append bytes as MB with six decimals ("12.345678"), the way volumes are shown. */
void emu_live_add_mb(struct emu_buf *buf, int64_t bytes);

#endif
