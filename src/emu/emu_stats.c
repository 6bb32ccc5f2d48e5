/* emu_stats.c — atomic counters. */
#include "emu_stats.h"

void emu_stats_add(struct emu_stats *stats, enum emu_stat which)
{
	__atomic_fetch_add(&stats->counters[which], 1, __ATOMIC_RELAXED);
}

void emu_stats_add_status(struct emu_stats *stats, unsigned http_status)
{
	if (http_status >= 200 && http_status < 300)
		emu_stats_add(stats, EMU_STAT_status_2xx);
	else if (http_status >= 500)
		emu_stats_add(stats, EMU_STAT_status_5xx);
	else if (http_status == 400)
		emu_stats_add(stats, EMU_STAT_status_400);
	else if (http_status == 401)
		emu_stats_add(stats, EMU_STAT_status_401);
	else if (http_status == 403)
		emu_stats_add(stats, EMU_STAT_status_403);
	else if (http_status == 404)
		emu_stats_add(stats, EMU_STAT_status_404);
	else if (http_status == 405)
		emu_stats_add(stats, EMU_STAT_status_405);
	else if (http_status == 409)
		emu_stats_add(stats, EMU_STAT_status_409);
	else if (http_status == 422)
		emu_stats_add(stats, EMU_STAT_status_422);
	else if (http_status == 429)
		emu_stats_add(stats, EMU_STAT_status_429);
}

void emu_stats_render(struct emu_stats *stats, struct emu_buf *buf)
{
	static const char *const names[EMU_STAT_COUNT] = {
#define EMU_STAT_NAME(name) #name,
		EMU_STATS_LIST(EMU_STAT_NAME)
#undef EMU_STAT_NAME
	};
	emu_buf_add_char(buf, '{');
	for (int i = 0; i < EMU_STAT_COUNT; i++) {
		if (i)
			emu_buf_add_char(buf, ',');
		emu_buf_add_json_string(buf, names[i]);
		emu_buf_add_char(buf, ':');
		emu_buf_add_int(buf, __atomic_load_n(&stats->counters[i], __ATOMIC_RELAXED));
	}
	emu_buf_add_char(buf, '}');
}
