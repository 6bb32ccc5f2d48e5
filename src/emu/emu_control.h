/* emu_control.h — the /_emu/ routes that let tests look behind the API.
 *
 *   GET  /_emu/stats            request counters (emu_stats.h), one JSON object
 *   GET  /_emu/state            status counts of the whole fleet, one JSON object
 *   GET  /_emu/state.csv        every device: sim_id,endpoint_id,sim_status,endpoint_status
 *   GET  /_emu/changes          the change log (emu_fleet.h), oldest first, as a JSON array of
 *                               {"seq":N,"kind":"sim"|"endpoint","id":ID,"from":S,"to":S,
 *                                "via":"single"|"multi"}
 *   POST /_emu/changes/clear    empty the change log (seq keeps counting)
 *   POST /_emu/expire-tokens    every token issued so far is expired from now on
 *   POST /_emu/faults?pct=N     set the fault rate (0..100)
 *   POST /_emu/limits?on=0|1    switch the rate limits (buckets and window) off or on
 *   POST /_emu/ip-window?requests=N&seconds=S[&block=429|403]
 *                               set the per-IP window (it starts empty again)
 *   POST /_emu/bulk-partial?on=0|1  whether a bulk call with bad items applies its good ones
 *   POST /_emu/stall?what=WHAT[&when=before|after]  set stalling (emu_stall.h)
 *
 * Control routes need no token and are never delayed, faulted, limited or counted. */
#ifndef SIMTOP_EMU_CONTROL_H
#define SIMTOP_EMU_CONTROL_H

#include <microhttpd.h>

#include "emu_context.h"

/* Answer one request whose path starts with /_emu/. */
enum MHD_Result emu_control_handle(struct emu_context *context, struct MHD_Connection *connection,
				   const char *method, const char *url);

#endif
