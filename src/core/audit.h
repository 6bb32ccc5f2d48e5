/* audit.h — who changed what, when, with what result: one JSON line per step, appended to
 * $XDG_STATE_HOME/simtop/audit.log (mode 0600). Who: the local user and SSH_CONNECTION when
 * set. What: the device's ids and the status before → after. */
#ifndef SIMTOP_AUDIT_H
#define SIMTOP_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

struct audit;

/* Open (create 0600) the audit log at path (NULL: the default path), never through a symbolic
 * link; an existing log must be a regular file of the user's that no one else can write to
 * (files_open_own). NULL with message. */
struct audit *audit_open(const char *path, char *message, size_t size);
/* Append one line for a step that was sent: result is "done", "failed" or "unknown", text the
 * API's message (may be NULL). */
bool audit_step(struct audit *audit, enum plan_action action, const struct plan_device *device,
		const struct plan_step *step, const char *result, const char *text, char *message, size_t size);
/* Many lines at once (a bulk call's devices): after audit_hold(), audit_step() writes without
 * fsync, and audit_sync() ends the hold with one fsync. */
void audit_hold(struct audit *audit);
bool audit_sync(struct audit *audit, char *message, size_t size);
void audit_close(struct audit *audit);
/* Default path; caller frees. */
char *audit_default_path(void);

#endif
