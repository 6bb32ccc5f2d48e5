/* emu_stall.c — holding requests unanswered (see emu_stall.h). */
#include "emu_stall.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

bool emu_stall_parse(const char *text, enum emu_stall *stall)
{
	static const char *const names[] = { "none", "patch", "get", "all" };

	for (int i = 0; text && i < (int)(sizeof names / sizeof *names); i++) {
		if (strcmp(text, names[i]) == 0) {
			*stall = (enum emu_stall)i;
			return true;
		}
	}
	return false;
}

enum emu_stall_point emu_stall_point(struct emu_context *context, const char *method)
{
	enum emu_stall stall = (enum emu_stall)__atomic_load_n(&context->stall, __ATOMIC_RELAXED);
	bool held = stall == EMU_STALL_ALL || (stall == EMU_STALL_PATCH && strcmp(method, "PATCH") == 0) ||
		    (stall == EMU_STALL_GET && strcmp(method, "GET") == 0);

	if (!held)
		return EMU_STALL_NOT;
	return __atomic_load_n(&context->stall_after, __ATOMIC_RELAXED) ? EMU_STALL_AFTER : EMU_STALL_BEFORE;
}

enum MHD_Result emu_stall_hold(struct emu_context *context, struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct pollfd fds[2] = {
		{ .fd = info ? info->connect_fd : -1, .events = POLLIN | POLLRDHUP },
		{ .fd = context->stall_release_fd, .events = POLLIN },
	};

	emu_stats_add(&context->stats, EMU_STAT_stalled);
	/* The thread is this connection's own (one thread per connection): sleeping here holds up
	 * no other request. Any event on the socket is the client hanging up or giving up. */
	while (poll(fds, 2, -1) < 0 && errno == EINTR)
		;
	return MHD_NO;
}
