/* emu_odd.c — list pages bent into data that cannot be true. */
#include "emu_odd.h"

#include <stdio.h>
#include <string.h>

#include "emu_render.h"

static const char *const words[EMU_ODD_COUNT] = {
#define EMU_ODD_WORD(id, word) [EMU_ODD_##id] = word,
	EMU_ODD_LIST(EMU_ODD_WORD)
#undef EMU_ODD_WORD
};

static bool has(const struct emu_odd *odd, enum emu_odd_kind kind)
{
	return (odd->kinds & (1u << kind)) != 0;
}

bool emu_odd_parse(struct emu_odd *odd, const char *list, char *bad, size_t size)
{
	const char *at = list;
	odd->kinds = 0;
	for (;;) {
		size_t length = strcspn(at, ",");
		int kind = 0;
		while (kind < EMU_ODD_COUNT && !(strlen(words[kind]) == length && strncmp(at, words[kind], length) == 0))
			kind++;
		if (kind == EMU_ODD_COUNT) {
			snprintf(bad, size, "%.*s", (int)length, at);
			return false;
		}
		odd->kinds |= 1u << kind;
		if (at[length] == '\0')
			return true;
		at += length + 1;
	}
}

void emu_odd_prepare(struct emu_odd *odd, const struct emu_fleet *fleet)
{
	odd->claimer = odd->claim_device = -1;
	if (!has(odd, EMU_ODD_SHARED_SIM))
		return;
	int64_t endpoints = emu_fleet_endpoint_count(fleet);
	for (int64_t rank = 0; rank + 1 < endpoints; rank++) {
		int64_t device = emu_fleet_endpoint_at(fleet, rank);
		if (emu_fleet_sim_status(fleet, device) != EMU_STATUS_NONE) {
			odd->claimer = emu_fleet_endpoint_at(fleet, rank + 1);
			odd->claim_device = device;
			return;
		}
	}
}

int64_t emu_odd_served_page(const struct emu_odd *odd, int64_t page)
{
	return has(odd, EMU_ODD_REPEAT_PAGES) && page == 2 ? 1 : page;
}

int64_t emu_odd_total_pages(const struct emu_odd *odd, int64_t pages)
{
	return has(odd, EMU_ODD_TOTAL_PAGES) ? EMU_ODD_PAGES_CLAIMED : pages;
}

void emu_odd_render_page(const struct emu_odd *odd, struct emu_buf *buf, const struct emu_fleet *fleet,
			 bool sims, const int64_t *devices, int64_t count, bool last, int64_t list_first)
{
	if (sims)
		emu_render_sim_page(buf, fleet, devices, count);
	else
		emu_render_endpoint_page_claiming(buf, fleet, devices, count, odd->claimer, odd->claim_device,
						  has(odd, EMU_ODD_SIM_STATUS_MISSING));
	bool duplicate = has(odd, sims ? EMU_ODD_DUPLICATE_SIM : EMU_ODD_DUPLICATE_ENDPOINT);
	if (!duplicate || !last || list_first < 0)
		return;
	/* The list's first item once more, before the closing bracket. */
	buf->length--;
	if (count > 0)
		emu_buf_add_char(buf, ',');
	if (sims)
		emu_render_sim(buf, fleet, list_first);
	else
		emu_render_endpoint(buf, fleet, list_first, false);
	emu_buf_add_char(buf, ']');
}
