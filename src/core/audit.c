/* audit.c — one JSON line per step sent, appended with a single write so that two simtop
 * sessions of one user can share the log without mixing their lines. */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "journal.h"
#include "model.h"
#include "util.h"

struct audit {
	char *path;
	int fd;
	char user[256];
	char *ssh_connection; /* NULL when not logged in over SSH */
	bool held;              /* audit_hold(): lines are written, fsync waits for audit_sync() */
};

char *audit_default_path(void)
{
	return journal_state_path("audit.log");
}

struct audit *audit_open(const char *path, char *message, size_t size)
{
	char *owned = path ? xstrdup(path) : audit_default_path();
	const char *ssh = getenv("SSH_CONNECTION");
	struct audit *audit;
	char *slash;
	int fd;

	if (!owned) {
		snprintf(message, size, "no place for the audit log: set HOME or XDG_STATE_HOME");
		return NULL;
	}
	slash = strrchr(owned, '/');
	if (slash && slash != owned) {
		*slash = '\0';
		bool made = journal_make_directories(owned, message, size);
		*slash = '/';
		if (!made) {
			free(owned);
			return NULL;
		}
	}
	fd = files_open_own(owned, O_WRONLY | O_CREAT | O_APPEND, "the audit log", message, size);
	if (fd < 0) {
		free(owned);
		return NULL;
	}
	audit = xcalloc(1, sizeof(*audit));
	audit->path = owned;
	audit->fd = fd;
	journal_user(audit->user, sizeof(audit->user));
	audit->ssh_connection = ssh && ssh[0] ? xstrdup(ssh) : NULL;
	return audit;
}

static void write_status(FILE *out, enum step_target target, int status)
{
	const char *name = target == STEP_SIM ? model_sim_status_name(status) : model_endpoint_status_name(status);
	if (name[0])
		util_json_string(out, name);
	else
		fprintf(out, "%d", status);
}

static void write_id(FILE *out, int64_t id)
{
	if (id)
		fprintf(out, "%" PRId64, id);
	else
		fputs("null", out);
}

static void write_line(FILE *out, const struct audit *audit, enum plan_action action,
		       const struct plan_device *device, const struct plan_step *step, const char *result,
		       const char *text)
{
	char when[32];

	journal_format_time(time(NULL), when, sizeof(when));
	fputs("{\"time\":", out);
	util_json_string(out, when);
	fputs(",\"user\":", out);
	util_json_string(out, audit->user);
	fputs(",\"ssh_connection\":", out);
	if (audit->ssh_connection)
		util_json_string(out, audit->ssh_connection);
	else
		fputs("null", out);
	fputs(",\"action\":", out);
	util_json_string(out, plan_action_name(action));
	fputs(",\"sim_id\":", out);
	write_id(out, device->sim_id);
	fputs(",\"endpoint_id\":", out);
	write_id(out, device->endpoint_id);
	fprintf(out, ",\"target\":\"%s\",\"id\":%" PRId64 ",\"before\":",
		step->target == STEP_SIM ? "sim" : "endpoint", step->id);
	write_status(out, step->target, step->from);
	fputs(",\"after\":", out);
	write_status(out, step->target, step->to);
	fputs(",\"result\":", out);
	util_json_string(out, result);
	fputs(",\"message\":", out);
	if (text)
		util_json_string(out, text);
	else
		fputs("null", out);
	fputs("}\n", out);
}

bool audit_step(struct audit *audit, enum plan_action action, const struct plan_device *device,
		const struct plan_step *step, const char *result, const char *text, char *message, size_t size)
{
	char *line = NULL;
	size_t length = 0, written = 0;
	FILE *out = open_memstream(&line, &length);

	if (!out)
		die(3, "out of memory");
	write_line(out, audit, action, device, step, result ? result : "unknown", text);
	if (fclose(out) != 0)
		die(3, "out of memory");
	while (written < length) {
		ssize_t got = write(audit->fd, line + written, length - written);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		written += (size_t)got;
	}
	free(line);
	if (written < length || (!audit->held && fsync(audit->fd) != 0)) {
		snprintf(message, size, "cannot write the audit log %s: %s", audit->path, strerror(errno));
		return false;
	}
	return true;
}

void audit_hold(struct audit *audit)
{
	audit->held = true;
}

bool audit_sync(struct audit *audit, char *message, size_t size)
{
	audit->held = false;
	if (fsync(audit->fd) != 0) {
		snprintf(message, size, "cannot write the audit log %s: %s", audit->path, strerror(errno));
		return false;
	}
	return true;
}

void audit_close(struct audit *audit)
{
	if (!audit)
		return;
	close(audit->fd);
	free(audit->ssh_connection);
	free(audit->path);
	free(audit);
}
