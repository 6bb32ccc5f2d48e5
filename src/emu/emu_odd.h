/* emu_odd.h — list pages that parse but cannot be true (simtop-emu --odd-data), for tests of
 * how a client reports them. Each kind bends one thing the real API would send, and only that:
 *   duplicate-sim       the SIM list's last page ends with the list's first SIM once more
 *   duplicate-endpoint  the endpoint list's last page ends with its first endpoint once more
 *   shared-sim          the endpoint after the first one that has a SIM names that SIM as its
 *                       own (in its nested "sim"), so two endpoints claim one SIM
 *   total-pages         X-Total-Pages is EMU_ODD_PAGES_CLAIMED on both lists; X-Total-Count and
 *                       X-Count-Per-Page stay true, and a page past the end still answers with
 *                       the last page
 *   repeat-pages        page 2 of each list answers with the items of page 1 (its headers say
 *                       page 2)
 *   sim-status-missing  on endpoint list pages, the nested "sim" of one endpoint in three (those
 *                       of the devices whose index is a multiple of EMU_RENDER_STATUS_MISSING_EVERY,
 *                       the first endpoint included) has no "status" key: a client must learn
 *                       those SIMs' statuses from the SIM list
 * A list filtered by q is bent the same way: "the list" is then the filtered one (its last page,
 * its first item, its page 2), and the shared-sim endpoint is bent wherever it is served.
 * The emulator's state, its single GETs and its PATCHes are not bent. */
#ifndef SIMTOP_EMU_ODD_H
#define SIMTOP_EMU_ODD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu_buf.h"
#include "emu_fleet.h"

#define EMU_ODD_PAGES_CLAIMED 99999

/* _(ID, word on the command line) */
#define EMU_ODD_LIST(_) \
	_(DUPLICATE_SIM,      "duplicate-sim") \
	_(DUPLICATE_ENDPOINT, "duplicate-endpoint") \
	_(SHARED_SIM,         "shared-sim") \
	_(TOTAL_PAGES,        "total-pages") \
	_(REPEAT_PAGES,       "repeat-pages") \
	_(SIM_STATUS_MISSING, "sim-status-missing")

enum emu_odd_kind {
#define EMU_ODD_ENUM(id, word) EMU_ODD_##id,
	EMU_ODD_LIST(EMU_ODD_ENUM)
#undef EMU_ODD_ENUM
	EMU_ODD_COUNT
};

/* What to bend, fixed before serving; a zeroed struct bends nothing. */
struct emu_odd {
	unsigned kinds;             /* bit (1 << enum emu_odd_kind) per kind asked for */
	int64_t claimer;            /* shared-sim: the device whose endpoint claims... */
	int64_t claim_device;       /* ...the SIM of this device; -1 (both) when there is none */
};

/* Parse a comma-separated list of kind words into odd->kinds. False with the word that is not
 * a kind in bad (size bytes) when one is not. */
bool emu_odd_parse(struct emu_odd *odd, const char *list, char *bad, size_t size);
/* Find the endpoints shared-sim bends in fleet; call once the fleet is built. */
void emu_odd_prepare(struct emu_odd *odd, const struct emu_fleet *fleet);

/* The page whose items answer a request for page (repeat-pages: 2 answers with 1's). */
int64_t emu_odd_served_page(const struct emu_odd *odd, int64_t page);
/* The X-Total-Pages header to send for a list of pages pages. */
int64_t emu_odd_total_pages(const struct emu_odd *odd, int64_t pages);
/* The JSON array of the SIMs (endpoints) of the count devices in devices, bent as asked; last
 * tells that it is the list's last page, list_first is the device of the list's first item (-1:
 * the list is empty). */
void emu_odd_render_page(const struct emu_odd *odd, struct emu_buf *buf, const struct emu_fleet *fleet,
			 bool sims, const int64_t *devices, int64_t count, bool last, int64_t list_first);

#endif
