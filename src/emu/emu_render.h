/* emu_render.h — SIM and endpoint objects in the exact JSON shapes the real API sends.
 *
 * Key order and key presence follow the recorded responses: a SIM without an endpoint has no
 * "endpoint" key, an endpoint without a SIM has no "sim" key, an Issued SIM has no
 * "activation_date". Statuses are read from the fleet at the moment of rendering, so every
 * response reflects the changes applied before it. */
#ifndef SIMTOP_EMU_RENDER_H
#define SIMTOP_EMU_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "emu_buf.h"
#include "emu_fleet.h"

/* The SIM of device index (which must have one), as in List SIMs and Get SIM by id. */
void emu_render_sim(struct emu_buf *buf, const struct emu_fleet *fleet, int64_t index);

/* The endpoint of device index (which must have one). detailed adds what Get Endpoint by id
 * shows beyond the list item: the address space's range and IP version. */
void emu_render_endpoint(struct emu_buf *buf, const struct emu_fleet *fleet, int64_t index, bool detailed);
/* The same, with the nested "sim" of device sim_device (none when it has no SIM) in place of
 * its own: an endpoint claiming another's SIM (simtop-emu --odd-data shared-sim); without
 * sim_status, that nested "sim" lacks its "status" key (--odd-data sim-status-missing). */
void emu_render_endpoint_claiming(struct emu_buf *buf, const struct emu_fleet *fleet, int64_t index,
				  int64_t sim_device, bool detailed, bool sim_status);

/* With --odd-data sim-status-missing, the endpoints of the devices whose index is a multiple of
 * this lose their nested SIM's status in list pages. */
#define EMU_RENDER_STATUS_MISSING_EVERY 3

/* A JSON array of the SIMs (endpoints) of the count devices in devices, in that order. For
 * endpoints, the endpoint of device claimer claims the SIM of device claim_device
 * (emu_render_endpoint_claiming); claimer -1: none does. With status_missing, the nested sim of
 * the endpoints of every EMU_RENDER_STATUS_MISSING_EVERY-th device index lacks its status. */
void emu_render_sim_page(struct emu_buf *buf, const struct emu_fleet *fleet, const int64_t *devices, int64_t count);
void emu_render_endpoint_page_claiming(struct emu_buf *buf, const struct emu_fleet *fleet, const int64_t *devices,
				       int64_t count, int64_t claimer, int64_t claim_device, bool status_missing);

/* Append t (Unix seconds) the way the API writes timestamps: "2021-11-18T08:25:53.000+0000". */
void emu_render_timestamp(struct emu_buf *buf, int64_t t);

#endif
