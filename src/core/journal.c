/* journal.c — the intent/result log of a bulk job: JSON lines, each fsync'ed before the job
 * goes on, read back line by line, and checked, to finish a job that was killed. */
#include "journal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "files.h"
#include "model.h"
#include "text.h"
#include "util.h"

/* Every journal starts with these bytes: find_unfinished checks them without parsing. */
#define JOB_LINE_START "{\"type\":\"job\","
/* Bytes read from the end of a file to find its last line; an end line is far shorter. */
#define TAIL_BYTES 4096
/* Ids come from cJSON numbers, exact only up to 2^53 (as in the API mapping). */
#define EXACT_DOUBLE_MAX 9007199254740992.0
/* Status ids parsed: -1 (none) up to a bound far above any status emnify has; the plan rules
 * then allow only the ones simtop knows. */
#define STATUS_MAX 127
/* Bytes of an API URL or a profile name in a journal, and of a workspace name. */
#define ORIGIN_TEXT_MAX 4096
#define WORKSPACE_NAME_MAX 256

/* What the writer keeps of the plan, so that it never writes a line a resume would refuse. */
struct journal_device {
	unsigned char step_count;
	unsigned char sent;      /* bit s: step s is sent (skip NONE) */
	unsigned char states[2]; /* enum journal_state of each step, as the file says so far */
};

struct journal {
	char *path;
	FILE *file;    /* appending; NULL when read-only */
	int fd;        /* the locked descriptor: fileno(file), or the read-only one */
	dev_t dev;     /* the file, to know it in journals_held */
	ino_t ino;
	pid_t locker;  /* the process holding the lock: a child after fork holds none */
	bool read_only;
	bool finished; /* the last line is an end line */
	bool broken;   /* a write failed: nothing more is written */
	bool has_origin;
	char *api_url, *profile, *workspace_name;
	struct journal_origin origin; /* points at the three strings above */
	size_t device_count;
	struct journal_device *devices;
	int *strays;   /* descriptors of this file opened here after all, closed with the lock */
	size_t stray_count;
	struct journal *next_held;
};

/* Every journal this process has open, so locked: POSIX record locks belong to the process,
 * and closing any descriptor of the file would drop one. */
static struct journal *journals_held;

static const char *const skip_ids[SKIP_COUNT] = {
#define PLAN_SKIP_ID(id, text) [SKIP_##id] = #id,
	PLAN_SKIP_LIST(PLAN_SKIP_ID)
#undef PLAN_SKIP_ID
};

/* --- shared with the audit log ----------------------------------------------------------- */

char *journal_state_path(const char *name)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return xasprintf("%s/simtop/%s", xdg, name);
	if (!home || home[0] != '/') {
		struct passwd *entry = getpwuid(getuid());
		home = entry ? entry->pw_dir : NULL;
	}
	if (!home || home[0] != '/')
		return NULL;
	return xasprintf("%s/.local/state/simtop/%s", home, name);
}

bool journal_make_directories(const char *directory, char *message, size_t size)
{
	struct stat info;

	if (!files_make_directories(directory, "the directory", message, size))
		return false;
	if (stat(directory, &info) != 0 || !S_ISDIR(info.st_mode)) {
		snprintf(message, size, "%s is not a directory", directory);
		return false;
	}
	return true;
}

void journal_user(char *buffer, size_t size)
{
	struct passwd *entry = getpwuid(getuid());
	const char *user = getenv("USER");

	if (entry && entry->pw_name && entry->pw_name[0])
		snprintf(buffer, size, "%s", entry->pw_name);
	else if (user && user[0])
		snprintf(buffer, size, "%s", user);
	else
		snprintf(buffer, size, "%u", (unsigned)getuid());
}

void journal_format_time(time_t when, char *buffer, size_t size)
{
	struct tm utc;

	if (!gmtime_r(&when, &utc) || strftime(buffer, size, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
		snprintf(buffer, size, "%s", "1970-01-01T00:00:00Z");
}


/* --- what a plan may say ----------------------------------------------------------------- */

/* The steps of each action, in the order plan_build gives them (plan.h): charges start last
 * and stop first. */
static const struct {
	int step_count;
	struct {
		enum step_target target;
		int to;
	} steps[2];
} layouts[PLAN_ACTION_COUNT] = {
	[PLAN_ONLINE] = { 2, { { STEP_ENDPOINT, ENDPOINT_ENABLED }, { STEP_SIM, SIM_ACTIVATED } } },
	[PLAN_OFFLINE] = { 2, { { STEP_SIM, SIM_SUSPENDED }, { STEP_ENDPOINT, ENDPOINT_DISABLED } } },
	[PLAN_SIM_ACTIVATE] = { 1, { { STEP_SIM, SIM_ACTIVATED } } },
	[PLAN_SIM_SUSPEND] = { 1, { { STEP_SIM, SIM_SUSPENDED } } },
	[PLAN_ENDPOINT_ENABLE] = { 1, { { STEP_ENDPOINT, ENDPOINT_ENABLED } } },
	[PLAN_ENDPOINT_DISABLE] = { 1, { { STEP_ENDPOINT, ENDPOINT_DISABLED } } },
};

/* As plan.c decides it: a side is there when it has an id and a status. */
static bool has_sim(const struct plan_device *device)
{
	return device->sim_id != 0 && device->sim_status != SIM_NONE;
}

static bool has_endpoint(const struct plan_device *device)
{
	return device->endpoint_id != 0 && device->endpoint_status != ENDPOINT_NONE;
}

static const char *side_word(enum step_target target)
{
	return target == STEP_SIM ? "SIM" : "endpoint";
}

/* "Suspended", "none", or "status 9". */
static const char *status_word(enum step_target target, int status, char *buffer, size_t size)
{
	const char *name = plan_status_name(target, status, "");

	if (status == -1)
		return "none";
	if (name[0])
		return name;
	snprintf(buffer, size, "status %d", status);
	return buffer;
}

/* The word the file uses: "no_sim". */
static const char *skip_word(enum plan_skip skip, char *buffer, size_t size)
{
	const char *id = (unsigned)skip < SKIP_COUNT ? skip_ids[skip] : "NONE";
	size_t i;

	for (i = 0; id[i] && i + 1 < size; i++)
		buffer[i] = (char)tolower((unsigned char)id[i]);
	buffer[i] = '\0';
	return buffer;
}

/* Whether the reason a step is skipped holds for its device. A reason this simtop does not
 * know is not judged: such a step is never sent anyway. */
static bool skip_holds(enum plan_action action, const struct plan_device *device, const struct plan_step *step,
		       int from)
{
	bool sim = step->target == STEP_SIM;
	bool present = sim ? has_sim(device) : has_endpoint(device);

	switch (step->skip) {
	case SKIP_ALREADY:
		return present && from == step->to;
	case SKIP_FORBIDDEN:
		return sim && present && from != step->to && !model_sim_transition_allowed(from, step->to);
	case SKIP_NO_SIM:
		return !has_sim(device);
	case SKIP_NO_ENDPOINT:
		return !has_endpoint(device);
	case SKIP_ENABLE_NO_SIM:
		return !sim && step->to == ENDPOINT_ENABLED && !has_sim(device);
	case SKIP_ENDPOINT_DELETED:
		return device->endpoint_status == ENDPOINT_DELETED;
	case SKIP_SIM_CANNOT_ACTIVATE:
		return action == PLAN_ONLINE && !sim && has_sim(device) && device->sim_status != SIM_ACTIVATED &&
		       !model_sim_transition_allowed(device->sim_status, SIM_ACTIVATED);
	case SKIP_SIM_SHARED:
		return has_sim(device);
	case SKIP_NONE:
	default:
		return true;
	}
}

/* A step that is sent: a PATCH emnify accepts, to a side that is there. */
static bool check_sent(enum plan_action action, const struct plan_device *device, int index, int from,
		       char *message, size_t size)
{
	const struct plan_step *step = &device->steps[index];
	bool sim = step->target == STEP_SIM;
	char a[32], b[32];

	if (step->id <= 0) {
		snprintf(message, size, "step %d is sent but has no %s id", index, side_word(step->target));
	} else if (!(sim ? has_sim(device) : has_endpoint(device))) {
		snprintf(message, size, "step %d is sent to a %s whose status is not known", index,
			 side_word(step->target));
	} else if (from == step->to) {
		snprintf(message, size, "step %d is sent, but the %s is %s already", index, side_word(step->target),
			 status_word(step->target, from, a, sizeof(a)));
	} else if (sim && !model_sim_transition_allowed(from, step->to)) {
		snprintf(message, size, "step %d is sent, but emnify does not allow SIM %s \u2192 %s", index,
			 status_word(STEP_SIM, from, a, sizeof(a)), status_word(STEP_SIM, step->to, b, sizeof(b)));
	} else if (!sim && from == ENDPOINT_DELETED) {
		snprintf(message, size, "step %d is sent to a deleted endpoint", index);
	} else if (!sim && step->to == ENDPOINT_ENABLED && !has_sim(device)) {
		snprintf(message, size, "step %d enables an endpoint without a SIM", index);
	} else if (action == PLAN_ONLINE && device->step_count == 2 &&
		   device->steps[1 - index].skip != SKIP_NONE && device->steps[1 - index].skip != SKIP_ALREADY) {
		/* An enabled endpoint whose SIM stays off, or an active SIM no endpoint uses. */
		snprintf(message, size, "step %d is sent, but online skips the other side (\"%s\"), and the two go together",
			 index, skip_word(device->steps[1 - index].skip, a, sizeof(a)));
	} else {
		return true;
	}
	return false;
}

static bool check_step_rules(enum plan_action action, const struct plan_device *device, int index,
			     char *message, size_t size)
{
	const struct plan_step *step = &device->steps[index];
	enum step_target target = layouts[action].steps[index].target;
	int to = layouts[action].steps[index].to;
	bool sim = step->target == STEP_SIM;
	int64_t id = sim ? device->sim_id : device->endpoint_id;
	int from = sim ? (has_sim(device) ? device->sim_status : SIM_NONE)
		       : (has_endpoint(device) ? device->endpoint_status : ENDPOINT_NONE);
	char a[32], b[32], c[32];

	if (step->target != target || step->to != to) {
		snprintf(message, size, "step %d changes the %s to %s, but %s changes the %s to %s there", index,
			 side_word(step->target), status_word(step->target, step->to, a, sizeof(a)),
			 plan_action_name(action), side_word(target), status_word(target, to, b, sizeof(b)));
		return false;
	}
	if (step->id != id) {
		snprintf(message, size, "step %d changes %s %" PRId64 ", not the device's (%" PRId64 ")", index,
			 side_word(step->target), step->id, id);
		return false;
	}
	if (step->from != from) {
		snprintf(message, size, "step %d starts from %s %s, but the device's %s is %s", index,
			 side_word(step->target), status_word(step->target, step->from, a, sizeof(a)),
			 side_word(step->target), status_word(step->target, from, b, sizeof(b)));
		return false;
	}
	if (step->skip == SKIP_NONE)
		return check_sent(action, device, index, from, message, size);
	if (!skip_holds(action, device, step, from)) {
		snprintf(message, size, "step %d is skipped as \"%s\", which does not hold for SIM %s and endpoint %s",
			 index, skip_word(step->skip, c, sizeof(c)),
			 status_word(STEP_SIM, has_sim(device) ? device->sim_status : SIM_NONE, a, sizeof(a)),
			 status_word(STEP_ENDPOINT, has_endpoint(device) ? device->endpoint_status : ENDPOINT_NONE, b,
				     sizeof(b)));
		return false;
	}
	return true;
}

static bool check_device(enum plan_action action, const struct plan_device *device, char *message, size_t size)
{
	if (device->sim_status < SIM_NONE || device->sim_status >= SIM_STATUS_COUNT) {
		snprintf(message, size, "SIM status %d is not one simtop knows", device->sim_status);
		return false;
	}
	if (device->endpoint_status < ENDPOINT_NONE || device->endpoint_status >= ENDPOINT_STATUS_COUNT) {
		snprintf(message, size, "endpoint status %d is not one simtop knows", device->endpoint_status);
		return false;
	}
	if (device->step_count != layouts[action].step_count) {
		snprintf(message, size, "it has %d step%s, and %s has %d", device->step_count,
			 device->step_count == 1 ? "" : "s", plan_action_name(action), layouts[action].step_count);
		return false;
	}
	for (int s = 0; s < device->step_count; s++)
		if (!check_step_rules(action, device, s, message, size))
			return false;
	return true;
}

/* The plan is one plan_build can make (journal.h). */
static bool check_plan(const struct plan *plan, char *message, size_t size)
{
	char reason[256];

	if ((unsigned)plan->action >= PLAN_ACTION_COUNT || layouts[plan->action].step_count == 0) {
		snprintf(message, size, "the action %s has no steps simtop knows", plan_action_name(plan->action));
		return false;
	}
	for (size_t i = 0; i < plan->count; i++) {
		if (!check_device(plan->action, &plan->devices[i], reason, sizeof(reason))) {
			snprintf(message, size, "device %zu: %s", i, reason);
			return false;
		}
	}
	return true;
}

/* --- the lock ------------------------------------------------------------------------------ */

static struct journal *held_journal(dev_t dev, ino_t ino)
{
	for (struct journal *journal = journals_held; journal; journal = journal->next_held)
		if (journal->dev == dev && journal->ino == ino && journal->locker == getpid())
			return journal;
	return NULL;
}

static void busy_here(const char *path, char *message, size_t size)
{
	snprintf(message, size, "the journal %s is in use by this simtop (process %ld), which has it open for a job; "
		 "wait for it to finish, or stop it", path, (long)getpid());
	text_clean_in_place(message, size);
}

/* A descriptor of a journal this process holds cannot be closed without dropping the lock: it
 * stays open with that journal until journal_close. True when fd was such a one. */
static bool keep_if_held(int fd, const struct stat *info)
{
	struct journal *journal = held_journal(info->st_dev, info->st_ino);

	if (!journal)
		return false;
	journal->strays = xrealloc(journal->strays, (journal->stray_count + 1) * sizeof(*journal->strays));
	journal->strays[journal->stray_count++] = fd;
	return true;
}

/* One job per journal: a second simtop resuming it while it runs would send steps twice. A
 * write lock for a job, a read lock for a dry run; both on the whole file, both refused at
 * once (never waited for), and the refusal names the holder. */
static bool lock(int fd, bool write, const char *path, char *message, size_t size, enum journal_open_error *error)
{
	struct flock holder = { .l_type = F_UNLCK };

	for (int attempt = 0; attempt < 3; attempt++) {
		struct flock request = {
			.l_type = write ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0,
		};
		if (fcntl(fd, F_SETLK, &request) == 0)
			return true;
		if (errno != EACCES && errno != EAGAIN) {
			snprintf(message, size, "cannot lock the journal %s: %s", path, strerror(errno));
			text_clean_in_place(message, size);
			*error = JOURNAL_OPEN_REFUSED;
			return false;
		}
		holder = request;
		if (fcntl(fd, F_GETLK, &holder) != 0)
			holder = (struct flock){ .l_type = F_WRLCK, .l_pid = 0 };
		if (holder.l_type != F_UNLCK)
			break;
		/* Released between the two calls: try again. */
	}
	if (holder.l_type != F_UNLCK && holder.l_pid > 0)
		snprintf(message, size, "the journal %s is in use by simtop process %ld: another simtop is %s; "
			 "wait for it to finish, or stop it", path, (long)holder.l_pid,
			 holder.l_type == F_RDLCK ? "reading it (a dry run)" : "running this job");
	else
		snprintf(message, size, "the journal %s is in use by another process: another simtop may be running "
			 "this job; wait for it to finish, or stop it", path);
	text_clean_in_place(message, size);
	*error = JOURNAL_OPEN_BUSY;
	return false;
}

/* --- writing ------------------------------------------------------------------------------ */

char *journal_directory(void)
{
	char *path = journal_state_path("journal");
	char ignored[256];

	/* A directory that cannot be made shows up as an error when the journal is created. */
	if (path)
		journal_make_directories(path, ignored, sizeof(ignored));
	return path;
}

static const char *state_word(enum journal_state state)
{
	return state == JOURNAL_DONE ? "done" : "failed";
}

static void write_skip(FILE *out, enum plan_skip skip)
{
	char word[32];

	fputc('"', out);
	fputs(skip_word(skip, word, sizeof(word)), out);
	fputc('"', out);
}

static void write_job_line(FILE *out, const struct plan *plan, const struct journal_origin *origin, time_t created)
{
	char when[32], user[256];

	journal_format_time(created, when, sizeof(when));
	journal_user(user, sizeof(user));
	fprintf(out, JOB_LINE_START "\"version\":%d,\"action\":", JOURNAL_VERSION);
	util_json_string(out, plan_action_name(plan->action));
	fputs(",\"created\":", out);
	util_json_string(out, when);
	fputs(",\"user\":", out);
	util_json_string(out, user);
	fputs(",\"api_url\":", out);
	util_json_string(out, origin->api_url);
	fputs(",\"profile\":", out);
	util_json_string(out, origin->profile);
	fprintf(out, ",\"workspace_id\":%" PRId64 ",\"workspace_name\":", origin->workspace_id);
	util_json_string(out, origin->workspace_name);
	fprintf(out, ",\"fleet_endpoints\":%zu,\"devices\":[", plan->fleet_endpoints);
	for (size_t i = 0; i < plan->count; i++) {
		const struct plan_device *device = &plan->devices[i];
		fprintf(out, "%s{\"sim_id\":%" PRId64 ",\"endpoint_id\":%" PRId64
			",\"sim_status\":%d,\"endpoint_status\":%d,\"steps\":[",
			i ? "," : "", device->sim_id, device->endpoint_id, device->sim_status,
			device->endpoint_status);
		for (int s = 0; s < device->step_count; s++) {
			const struct plan_step *step = &device->steps[s];
			fprintf(out, "%s{\"target\":\"%s\",\"id\":%" PRId64 ",\"from\":%d,\"to\":%d,\"skip\":",
				s ? "," : "", step->target == STEP_SIM ? "sim" : "endpoint", step->id,
				step->from, step->to);
			write_skip(out, step->skip);
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputs("]}\n", out);
}

/* The journal takes the strings, which may be NULL (no origin: a version-1 journal). */
static void set_origin(struct journal *journal, char *api_url, char *profile, int64_t workspace_id,
		       char *workspace_name)
{
	journal->has_origin = api_url != NULL;
	journal->api_url = api_url;
	journal->profile = profile;
	journal->workspace_name = workspace_name;
	journal->origin = (struct journal_origin){
		.api_url = api_url, .profile = profile, .workspace_id = workspace_id, .workspace_name = workspace_name,
	};
}

/* states: what the file says of every step, or NULL for a new job. The journal is held from
 * here on, so its descriptor is never closed by mistake. */
static struct journal *journal_new(const char *path, FILE *file, int fd, const struct stat *info,
				   const struct plan *plan, enum journal_state (*states)[2], bool read_only)
{
	struct journal *journal = xcalloc(1, sizeof(*journal));

	journal->path = xstrdup(path);
	journal->file = file;
	journal->fd = fd;
	journal->dev = info->st_dev;
	journal->ino = info->st_ino;
	journal->locker = getpid();
	journal->read_only = read_only;
	journal->device_count = plan->count;
	journal->devices = xcalloc(plan->count ? plan->count : 1, sizeof(*journal->devices));
	for (size_t i = 0; i < plan->count; i++) {
		struct journal_device *device = &journal->devices[i];
		device->step_count = (unsigned char)plan->devices[i].step_count;
		for (int s = 0; s < plan->devices[i].step_count; s++) {
			if (plan->devices[i].steps[s].skip == SKIP_NONE)
				device->sent |= (unsigned char)(1u << s);
			device->states[s] = (unsigned char)(states ? states[i][s] : JOURNAL_PENDING);
		}
	}
	journal->next_held = journals_held;
	journals_held = journal;
	return journal;
}

/* So that the new file's name survives a crash as well as its lines. */
static void sync_directory(const char *directory)
{
	int fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static bool writable(struct journal *journal, char *message, size_t size)
{
	if (journal->read_only)
		snprintf(message, size, "the journal %s is open read-only (a dry run): nothing is written to it",
			 journal->path);
	else if (journal->broken)
		snprintf(message, size, "the journal %s is not written to after a failed write", journal->path);
	else
		return true;
	text_clean_in_place(message, size);
	return false;
}

/* Makes the lines written durable: the job goes on only after this returned true. After a
 * failure nothing more is written, so that a half-written line stays the last one. */
static bool sync_lines(struct journal *journal, char *message, size_t size)
{
	errno = 0;
	if (fflush(journal->file) != 0 || ferror(journal->file) || fsync(journal->fd) != 0) {
		snprintf(message, size, "cannot write the journal %s: %s", journal->path,
			 errno ? strerror(errno) : "write error");
		text_clean_in_place(message, size);
		journal->broken = true;
		return false;
	}
	return true;
}

static bool check_origin_text(const char *text, size_t max, const char *what, char *message, size_t size)
{
	if (strlen(text) <= max)
		return true;
	snprintf(message, size, "cannot journal this job: its %s is longer than %zu bytes", what, max);
	return false;
}

struct journal *journal_create(const char *directory, const struct plan *plan,
			       const struct journal_origin *origin, char *message, size_t size)
{
	const struct journal_origin empty = { .api_url = "", .profile = "", .workspace_id = 0, .workspace_name = "" };
	struct journal_origin written;
	enum journal_open_error ignored;
	time_t now = time(NULL);
	struct journal *journal = NULL;
	char stamp[32], reason[256], *path = NULL, *owned, *name;
	struct stat info;
	struct tm utc;
	FILE *file;
	int fd = -1;

	if (!origin)
		origin = &empty;
	if (!check_plan(plan, reason, sizeof(reason))) {
		snprintf(message, size, "cannot journal this plan: %s", reason);
		return NULL;
	}
	written = (struct journal_origin){
		.api_url = origin->api_url ? origin->api_url : "",
		.profile = origin->profile ? origin->profile : "default",
		.workspace_id = origin->workspace_id,
	};
	if (!check_origin_text(written.api_url, ORIGIN_TEXT_MAX, "API URL", message, size) ||
	    !check_origin_text(written.profile, ORIGIN_TEXT_MAX, "profile name", message, size))
		return NULL;
	if (origin->workspace_id < 0) {
		snprintf(message, size, "cannot journal this job: workspace id %" PRId64 " is below 0", origin->workspace_id);
		return NULL;
	}
	owned = directory ? xstrdup(directory) : journal_directory();
	if (!owned) {
		snprintf(message, size, "no directory for the journal: set HOME or XDG_STATE_HOME");
		return NULL;
	}
	/* The name comes from the token: shown later, so cleaned now. */
	name = text_clean(origin->workspace_name, WORKSPACE_NAME_MAX);
	written.workspace_name = name;
	if (!journal_make_directories(owned, message, size))
		goto out;
	if (!gmtime_r(&now, &utc) || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc) == 0)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	/* Two jobs of one process in one second get a counter. */
	for (int attempt = 1; fd < 0 && attempt <= 100; attempt++) {
		free(path);
		if (attempt == 1)
			path = xasprintf("%s/%s-%s-%ld.jsonl", owned, stamp, plan_action_name(plan->action),
					 (long)getpid());
		else
			path = xasprintf("%s/%s-%s-%ld-%d.jsonl", owned, stamp,
					 plan_action_name(plan->action), (long)getpid(), attempt);
		fd = files_open_own(path, O_CREAT | O_EXCL | O_WRONLY | O_APPEND, "the journal", message, size);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		goto out;
	if (fstat(fd, &info) != 0) {
		snprintf(message, size, "cannot open the journal %s: %s", path, strerror(errno));
		text_clean_in_place(message, size);
		close(fd);
		unlink(path);
		goto out;
	}
	if (!lock(fd, true, path, message, size, &ignored)) {
		close(fd);
		unlink(path);
		goto out;
	}
	file = fdopen(fd, "a");
	if (!file) {
		snprintf(message, size, "cannot open the journal %s: %s", path, strerror(errno));
		text_clean_in_place(message, size);
		close(fd);
		unlink(path);
		goto out;
	}
	journal = journal_new(path, file, fd, &info, plan, NULL, false);
	if (origin == &empty)
		set_origin(journal, xstrdup(""), xstrdup(""), 0, xstrdup(""));
	else
		set_origin(journal, xstrdup(written.api_url), xstrdup(written.profile), written.workspace_id,
			   xstrdup(written.workspace_name));
	write_job_line(file, plan, &journal->origin, now);
	if (!sync_lines(journal, message, size)) {
		unlink(path);
		journal_close(journal);
		journal = NULL;
		goto out;
	}
	sync_directory(owned);
out:
	free(name);
	free(path);
	free(owned);
	return journal;
}

static bool check_step(const struct journal *journal, size_t device, int step, char *message, size_t size)
{
	if (device >= journal->device_count || step < 0 || step >= journal->devices[device].step_count) {
		snprintf(message, size, "journal %s: no step %d of device %zu in the plan", journal->path, step,
			 device);
		text_clean_in_place(message, size);
		return false;
	}
	return true;
}

static bool refuse_line(const struct journal *journal, const char *what, size_t device, int step, char *message,
			size_t size)
{
	snprintf(message, size, "journal %s: step %d of device %zu %s", journal->path, step, device, what);
	text_clean_in_place(message, size);
	return false;
}

bool journal_intents(struct journal *journal, const size_t *devices, size_t count, int step, char *message,
		     size_t size)
{
	if (!writable(journal, message, size))
		return false;
	for (size_t i = 0; i < count; i++) {
		const struct journal_device *device;
		if (!check_step(journal, devices[i], step, message, size))
			return false;
		device = &journal->devices[devices[i]];
		if (!(device->sent & (1u << step)))
			return refuse_line(journal, "is not sent: the plan skips it", devices[i], step, message, size);
		if (device->states[step] == JOURNAL_DONE || device->states[step] == JOURNAL_FAILED)
			return refuse_line(journal, "has its result already: sending it again could apply it twice",
					   devices[i], step, message, size);
	}
	if (count == 0)
		return true;
	for (size_t i = 0; i < count; i++) {
		fprintf(journal->file, "{\"type\":\"intent\",\"device\":%zu,\"step\":%d}\n", devices[i], step);
		journal->devices[devices[i]].states[step] = JOURNAL_INTENT;
	}
	/* The job goes on in this file: its last run has not ended. */
	journal->finished = false;
	return sync_lines(journal, message, size);
}

bool journal_results(struct journal *journal, const size_t *devices, size_t count, int step,
		     enum journal_state state, long http_status, const char *text, char *message, size_t size)
{
	if (!writable(journal, message, size))
		return false;
	if (state != JOURNAL_DONE && state != JOURNAL_FAILED) {
		snprintf(message, size, "journal %s: a result is done or failed", journal->path);
		text_clean_in_place(message, size);
		return false;
	}
	/* Checked and settled in one pass, so that a device given twice has no intent left the
	 * second time; undone when one does not fit. */
	for (size_t i = 0; i < count; i++) {
		bool fits = check_step(journal, devices[i], step, message, size);
		if (fits && journal->devices[devices[i]].states[step] != JOURNAL_INTENT)
			fits = refuse_line(journal, "has no intent to answer", devices[i], step, message, size);
		if (!fits) {
			while (i-- > 0)
				journal->devices[devices[i]].states[step] = JOURNAL_INTENT;
			return false;
		}
		journal->devices[devices[i]].states[step] = (unsigned char)state;
	}
	if (count == 0)
		return true;
	for (size_t i = 0; i < count; i++) {
		fprintf(journal->file,
			"{\"type\":\"result\",\"device\":%zu,\"step\":%d,\"state\":\"%s\",\"http\":%ld,\"text\":",
			devices[i], step, state_word(state), http_status);
		util_json_string(journal->file, text ? text : "");
		fputs("}\n", journal->file);
	}
	return sync_lines(journal, message, size);
}

bool journal_intent(struct journal *journal, size_t device, int step, char *message, size_t size)
{
	return journal_intents(journal, &device, 1, step, message, size);
}

bool journal_result(struct journal *journal, size_t device, int step, enum journal_state state,
		    long http_status, const char *text, char *message, size_t size)
{
	return journal_results(journal, &device, 1, step, state, http_status, text, message, size);
}

bool journal_end(struct journal *journal, bool cancelled, char *message, size_t size)
{
	if (!writable(journal, message, size))
		return false;
	fprintf(journal->file, "{\"type\":\"end\",\"cancelled\":%s}\n", cancelled ? "true" : "false");
	if (!sync_lines(journal, message, size))
		return false;
	journal->finished = true;
	return true;
}

const char *journal_path(const struct journal *journal)
{
	return journal->path;
}

bool journal_finished(const struct journal *journal)
{
	return journal->finished;
}

const struct journal_origin *journal_origin(const struct journal *journal)
{
	return journal->has_origin ? &journal->origin : NULL;
}

void journal_close(struct journal *journal)
{
	if (!journal)
		return;
	for (struct journal **link = &journals_held; *link; link = &(*link)->next_held) {
		if (*link == journal) {
			*link = journal->next_held;
			break;
		}
	}
	for (size_t i = 0; i < journal->stray_count; i++)
		close(journal->strays[i]);
	if (journal->file)
		fclose(journal->file);
	else if (journal->fd >= 0)
		close(journal->fd);
	free(journal->strays);
	free(journal->devices);
	free(journal->api_url);
	free(journal->profile);
	free(journal->workspace_name);
	free(journal->path);
	free(journal);
}

/* --- where the job runs ----------------------------------------------------------------- */

/* "https://a.example" and "https://a.example/" are one API. */
static size_t url_length(const char *url)
{
	size_t length = strlen(url);
	return length > 0 && url[length - 1] == '/' ? length - 1 : length;
}

/* https://a.example (profile "default", workspace 1 "Acme") */
static void describe_origin(const char *url, const char *profile, int64_t workspace_id, const char *name,
			    char *buffer, size_t size)
{
	if (workspace_id == 0)
		snprintf(buffer, size, "%s (profile \"%s\", workspace unknown)", url[0] ? url : "no API URL", profile);
	else if (!name[0])
		snprintf(buffer, size, "%s (profile \"%s\", workspace %" PRId64 ")", url[0] ? url : "no API URL",
			 profile, workspace_id);
	else
		snprintf(buffer, size, "%s (profile \"%s\", workspace %" PRId64 " \"%s\")", url[0] ? url : "no API URL",
			 profile, workspace_id, name);
}

bool journal_origin_matches(const struct journal *journal, const struct journal_origin *current,
			    char *message, size_t size)
{
	const char *url = current && current->api_url ? current->api_url : "";
	const char *profile = current && current->profile ? current->profile : "default";
	const char *name = current && current->workspace_name ? current->workspace_name : "";
	int64_t workspace_id = current ? current->workspace_id : 0;
	char journal_side[640], this_side[640];

	if (!journal->has_origin) {
		snprintf(message, size, "the journal %s was written by an older simtop and names no API URL, profile or "
			 "workspace, so it cannot be tied to an API and is not resumed: check the devices (simtop list) "
			 "and run the job anew", journal->path);
		text_clean_in_place(message, size);
		return false;
	}
	if (url_length(url) == url_length(journal->api_url) &&
	    memcmp(url, journal->api_url, url_length(url)) == 0 && strcmp(profile, journal->profile) == 0 &&
	    workspace_id == journal->origin.workspace_id)
		return true;
	describe_origin(journal->api_url, journal->profile, journal->origin.workspace_id, journal->workspace_name,
			journal_side, sizeof(journal_side));
	describe_origin(url, profile, workspace_id, name, this_side, sizeof(this_side));
	snprintf(message, size, "the journal's job ran against %s and this simtop talks to %s: resume it with the same "
		 "API URL, profile and token", journal_side, this_side);
	text_clean_in_place(message, size);
	return false;
}

/* --- reading ------------------------------------------------------------------------------- */

/* The origin a job line names; strings owned here until handed to the journal. */
struct origin_read {
	char *api_url, *profile, *workspace_name; /* all NULL for a version-1 journal */
	int64_t workspace_id;
};

static void origin_read_free(struct origin_read *origin)
{
	free(origin->api_url);
	free(origin->profile);
	free(origin->workspace_name);
	*origin = (struct origin_read){ 0 };
}

static bool read_int64(const cJSON *object, const char *key, int64_t minimum, int64_t *value)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
	double number;

	if (!cJSON_IsNumber(item))
		return false;
	number = item->valuedouble;
	if (!(number >= (double)minimum && number <= EXACT_DOUBLE_MAX) || (double)(int64_t)number != number)
		return false;
	*value = (int64_t)number;
	return true;
}

static bool read_status(const cJSON *object, const char *key, int *value)
{
	int64_t number;

	if (!read_int64(object, key, -1, &number) || number > STATUS_MAX)
		return false;
	*value = (int)number;
	return true;
}

static const char *read_string(const cJSON *object, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

static bool skip_from_word(const char *word, size_t length, enum plan_skip *skip)
{
	for (int i = 0; i < SKIP_COUNT; i++) {
		if (strlen(skip_ids[i]) == length && strncasecmp(word, skip_ids[i], length) == 0) {
			*skip = (enum plan_skip)i;
			return true;
		}
	}
	return false;
}

static bool read_step(const cJSON *object, struct plan_step *step)
{
	const char *target = read_string(object, "target");
	const char *skip = read_string(object, "skip");

	if (!target || !skip || !skip_from_word(skip, strlen(skip), &step->skip))
		return false;
	if (strcmp(target, "sim") == 0)
		step->target = STEP_SIM;
	else if (strcmp(target, "endpoint") == 0)
		step->target = STEP_ENDPOINT;
	else
		return false;
	return read_int64(object, "id", 0, &step->id) && read_status(object, "from", &step->from) &&
	       read_status(object, "to", &step->to);
}

static bool read_device(const cJSON *object, struct plan_device *device)
{
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(object, "steps");
	const cJSON *item;

	if (!cJSON_IsObject(object) || !read_int64(object, "sim_id", 0, &device->sim_id) ||
	    !read_int64(object, "endpoint_id", 0, &device->endpoint_id) ||
	    !read_status(object, "sim_status", &device->sim_status) ||
	    !read_status(object, "endpoint_status", &device->endpoint_status) || !cJSON_IsArray(steps))
		return false;
	device->step_count = 0;
	cJSON_ArrayForEach(item, steps) {
		if (device->step_count == 2 || !cJSON_IsObject(item) ||
		    !read_step(item, &device->steps[device->step_count]))
			return false;
		device->step_count++;
	}
	return true;
}

static bool read_origin_text(const cJSON *job, const char *key, size_t max, const char *what, char **out,
			     char *message, size_t size)
{
	const char *text = read_string(job, key);

	if (!text) {
		snprintf(message, size, "line 1: no %s", what);
		return false;
	}
	if (strlen(text) > max) {
		snprintf(message, size, "line 1: the %s is longer than %zu bytes", what, max);
		return false;
	}
	*out = xstrdup(text);
	return true;
}

static bool read_origin(const cJSON *job, struct origin_read *origin, char *message, size_t size)
{
	if (!read_origin_text(job, "api_url", ORIGIN_TEXT_MAX, "API URL", &origin->api_url, message, size) ||
	    !read_origin_text(job, "profile", ORIGIN_TEXT_MAX, "profile", &origin->profile, message, size) ||
	    !read_origin_text(job, "workspace_name", WORKSPACE_NAME_MAX, "workspace name", &origin->workspace_name,
			      message, size))
		return false;
	if (!read_int64(job, "workspace_id", 0, &origin->workspace_id)) {
		snprintf(message, size, "line 1: no workspace id");
		return false;
	}
	return true;
}

static bool read_job(const cJSON *job, struct plan *plan, struct origin_read *origin, char *message, size_t size)
{
	const char *type = read_string(job, "type");
	const char *action = read_string(job, "action");
	const cJSON *devices = cJSON_GetObjectItemCaseSensitive(job, "devices");
	const cJSON *item;
	int64_t version;
	size_t count = 0;

	if (!type || strcmp(type, "job") != 0) {
		snprintf(message, size, "it does not start with a job line");
		return false;
	}
	if (!read_int64(job, "version", 0, &version)) {
		snprintf(message, size, "line 1: no version");
		return false;
	}
	if (version < 1 || version > JOURNAL_VERSION) {
		snprintf(message, size, "version %" PRId64 " is not known to this simtop", version);
		return false;
	}
	if (!action || !plan_action_parse(action, &plan->action)) {
		snprintf(message, size, "line 1: unknown action");
		return false;
	}
	if (version >= 2 && !read_origin(job, origin, message, size)) {
		origin_read_free(origin);
		return false;
	}
	/* Without it (a journal written by hand), read-backs go by GET: right, if costlier. */
	int64_t fleet_endpoints = 0;
	if (cJSON_GetObjectItemCaseSensitive(job, "fleet_endpoints") &&
	    !read_int64(job, "fleet_endpoints", 0, &fleet_endpoints)) {
		snprintf(message, size, "line 1: fleet_endpoints is not a count");
		origin_read_free(origin);
		return false;
	}
	plan->fleet_endpoints = (size_t)fleet_endpoints;
	if (!cJSON_IsArray(devices)) {
		snprintf(message, size, "line 1: no devices");
		origin_read_free(origin);
		return false;
	}
	plan->count = (size_t)cJSON_GetArraySize(devices);
	plan->devices = xcalloc(plan->count ? plan->count : 1, sizeof(*plan->devices));
	cJSON_ArrayForEach(item, devices) {
		if (!read_device(item, &plan->devices[count])) {
			snprintf(message, size, "line 1: device %zu is not a plan entry", count);
			plan_free(plan);
			origin_read_free(origin);
			return false;
		}
		count++;
	}
	return true;
}

struct event {
	enum { EVENT_INTENT, EVENT_RESULT, EVENT_END } type;
	int64_t device, step;
	enum journal_state state; /* of a result */
};

static bool read_event(const cJSON *line, struct event *event, char *message, size_t size)
{
	const char *type = read_string(line, "type");
	const char *state;

	if (!type) {
		snprintf(message, size, "no type");
		return false;
	}
	if (strcmp(type, "end") == 0) {
		event->type = EVENT_END;
		return true;
	}
	if (strcmp(type, "intent") == 0) {
		event->type = EVENT_INTENT;
	} else if (strcmp(type, "result") == 0) {
		event->type = EVENT_RESULT;
		state = read_string(line, "state");
		if (state && strcmp(state, "done") == 0) {
			event->state = JOURNAL_DONE;
		} else if (state && strcmp(state, "failed") == 0) {
			event->state = JOURNAL_FAILED;
		} else {
			snprintf(message, size, "a result is done or failed, not \"%.40s\"", state ? state : "");
			return false;
		}
	} else {
		snprintf(message, size, "unknown type \"%.40s\"", type);
		return false;
	}
	if (!read_int64(line, "device", 0, &event->device) || !read_int64(line, "step", 0, &event->step)) {
		snprintf(message, size, "no such step in the plan: no device or step index");
		return false;
	}
	return true;
}

/* --- resuming ------------------------------------------------------------------------------ */

/* One line about a step, against what the lines before it said (journal.h). */
static bool apply_event(const struct event *event, const struct plan *plan, enum journal_state (*states)[2],
			bool *finished, char *message, size_t size)
{
	const struct plan_device *device;
	const struct plan_step *step;
	enum journal_state *state;
	char reason[128];

	*finished = event->type == EVENT_END;
	if (event->type == EVENT_END)
		return true;
	if ((uint64_t)event->device >= plan->count) {
		snprintf(message, size, "no such step in the plan: device %" PRId64 " is not there (it has %zu devices)",
			 event->device, plan->count);
		return false;
	}
	device = &plan->devices[event->device];
	if (event->step >= device->step_count) {
		snprintf(message, size, "no such step in the plan: device %" PRId64 " has no step %" PRId64
			 " (%s has %d step%s)", event->device, event->step, plan_action_name(plan->action),
			 device->step_count, device->step_count == 1 ? "" : "s");
		return false;
	}
	step = &device->steps[event->step];
	state = &states[event->device][event->step];
	if (event->type == EVENT_INTENT) {
		if (step->skip != SKIP_NONE) {
			snprintf(message, size, "an intent for step %" PRId64 " of device %" PRId64
				 ", which the plan does not send (%s)", event->step, event->device,
				 plan_skip_text(plan, step, reason, sizeof(reason)));
			return false;
		}
		if (*state == JOURNAL_DONE || *state == JOURNAL_FAILED) {
			snprintf(message, size, "an intent for step %" PRId64 " of device %" PRId64
				 " after its result: the step would be sent twice", event->step, event->device);
			return false;
		}
		/* Intents may repeat: a step read back as not applied is sent again. */
		*state = JOURNAL_INTENT;
		return true;
	}
	if (*state != JOURNAL_INTENT) {
		snprintf(message, size, "a result for step %" PRId64 " of device %" PRId64 " without an intent line %s",
			 event->step, event->device, *state == JOURNAL_PENDING ? "before it" : "since its last result");
		return false;
	}
	*state = event->state;
	return true;
}

/* The first line into plan and origin, checked. */
static bool read_first_line(const char *line, size_t length, struct plan *plan, struct origin_read *origin,
			    char *message, size_t size)
{
	char reason[320];
	cJSON *job;
	bool ok;

	job = cJSON_ParseWithLength(line, length);
	if (!cJSON_IsObject(job)) {
		snprintf(message, size, "line 1 is not JSON");
		cJSON_Delete(job);
		return false;
	}
	ok = read_job(job, plan, origin, message, size);
	cJSON_Delete(job);
	if (!ok)
		return false;
	if (!check_plan(plan, reason, sizeof(reason))) {
		snprintf(message, size, "line 1: %s", reason);
		plan_free(plan);
		origin_read_free(origin);
		return false;
	}
	return true;
}

/* Parse the lines of data into plan, origin and states. *good_end: the bytes worth keeping (a
 * cut or garbled last line is left out). */
static bool read_lines(const char *data, size_t length, struct plan *plan, struct origin_read *origin,
		       enum journal_state (**states)[2], bool *finished, size_t *good_end, char *message, size_t size)
{
	size_t start = 0;
	int number = 0;
	char reason[320];

	*good_end = 0;
	while (start < length) {
		const char *newline = memchr(data + start, '\n', length - start);
		size_t end = newline ? (size_t)(newline - data) : length;
		struct event event = { 0 };

		number++;
		/* Killed mid-write: the line never finished, and its step was never sent. */
		if (!newline)
			break;
		if (number == 1) {
			if (!read_first_line(data + start, end - start, plan, origin, message, size))
				return false;
			*states = xcalloc(plan->count ? plan->count : 1, sizeof(**states));
		} else {
			cJSON *line = cJSON_ParseWithLength(data + start, end - start);
			bool ok;
			if (!line && end + 1 == length)
				break;
			if (!cJSON_IsObject(line)) {
				snprintf(message, size, "line %d is not JSON", number);
				cJSON_Delete(line);
				goto fail;
			}
			ok = read_event(line, &event, reason, sizeof(reason));
			cJSON_Delete(line);
			if (!ok)
				goto fail_reason;
		}
		if (number > 1 && !apply_event(&event, plan, *states, finished, reason, sizeof(reason)))
			goto fail_reason;
		start = end + 1;
		*good_end = start;
	}
	if (number == 0 || !*states) {
		snprintf(message, size, "%s", number ? "its first line is incomplete" : "it is empty");
		return false;
	}
	return true;
fail_reason:
	snprintf(message, size, "line %d: %s", number, reason);
fail:
	plan_free(plan);
	origin_read_free(origin);
	free(*states);
	*states = NULL;
	return false;
}

struct journal *journal_resume(const char *path, struct plan *plan, enum journal_state (**states)[2],
			       bool read_only, char *message, size_t size, enum journal_open_error *error)
{
	enum journal_open_error ignored;
	struct origin_read origin = { 0 };
	char reason[400];
	size_t length = 0, good_end = 0;
	bool finished = false;
	struct journal *journal;
	struct stat info;
	char *data;
	FILE *file = NULL;
	int fd;

	if (!error)
		error = &ignored;
	*error = JOURNAL_OPEN_REFUSED;
	memset(plan, 0, sizeof(*plan));
	*states = NULL;
	/* Opening a journal this process holds, and closing it again on a refusal, would drop its
	 * lock: a job of this simtop runs it. */
	if (stat(path, &info) == 0 && held_journal(info.st_dev, info.st_ino)) {
		busy_here(path, message, size);
		*error = JOURNAL_OPEN_BUSY;
		return NULL;
	}
	/* A journal decides which PATCHes are sent: trusted like a config file. */
	fd = files_open(path, read_only ? O_RDONLY : O_RDWR | O_APPEND, FILES_TRUSTED, "the journal", &info, message,
			size);
	if (fd < 0)
		return NULL;
	if (keep_if_held(fd, &info)) {
		busy_here(path, message, size);
		*error = JOURNAL_OPEN_BUSY;
		return NULL;
	}
	if (!lock(fd, !read_only, path, message, size, error)) {
		close(fd);
		return NULL;
	}
	data = files_read_all(fd, SIZE_MAX, &length);
	if (!data) {
		snprintf(message, size, "cannot read the journal %s: %s", path, strerror(errno));
		close(fd);
		text_clean_in_place(message, size);
		return NULL;
	}
	if (!read_lines(data, length, plan, &origin, states, &finished, &good_end, reason, sizeof(reason))) {
		snprintf(message, size, "%s is not a simtop journal: %s", path, reason);
		free(data);
		close(fd);
		text_clean_in_place(message, size);
		return NULL;
	}
	free(data);
	if (!read_only) {
		/* Drop a cut last line, so that what this job appends starts on a line of its own. */
		if (good_end < length && (ftruncate(fd, (off_t)good_end) != 0 || fsync(fd) != 0)) {
			snprintf(message, size, "cannot repair the journal %s: %s", path, strerror(errno));
			goto fail;
		}
		file = fdopen(fd, "a");
		if (!file) {
			snprintf(message, size, "cannot open the journal %s: %s", path, strerror(errno));
			goto fail;
		}
	}
	journal = journal_new(path, file, fd, &info, plan, *states, read_only);
	journal->finished = finished;
	set_origin(journal, origin.api_url, origin.profile, origin.workspace_id, origin.workspace_name);
	*error = JOURNAL_OPEN_OK;
	return journal;
fail:
	text_clean_in_place(message, size);
	close(fd);
	plan_free(plan);
	origin_read_free(&origin);
	free(*states);
	*states = NULL;
	return NULL;
}

/* --- finding an unfinished job ------------------------------------------------------------ */

/* True when path is a journal whose job has no end line. Reads its first bytes and its tail. */
static bool unfinished(const char *path)
{
	char head[sizeof(JOB_LINE_START) - 1], tail[TAIL_BYTES + 1];
	char *start, *end;
	const char *type;
	bool result = false;
	struct stat info;
	cJSON *line;
	off_t offset;
	ssize_t got;
	char ignored[256];
	/* Only a look, so no trust check: journal_resume refuses an untrusted one, and says why. */
	int fd = files_open(path, O_RDONLY, FILES_REGULAR, "the journal", &info, ignored, sizeof(ignored));

	if (fd < 0)
		return false;
	/* Swapped in after the caller's look: this process runs it, and must keep it open. */
	if (keep_if_held(fd, &info))
		return false;
	if (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
	    memcmp(head, JOB_LINE_START, sizeof(head)) != 0)
		goto out;
	offset = info.st_size > TAIL_BYTES ? info.st_size - TAIL_BYTES : 0;
	got = pread(fd, tail, TAIL_BYTES, offset);
	if (got <= 0)
		goto out;
	tail[got] = '\0';

	/* The last complete line: a cut one after it does not count. */
	end = memrchr(tail, '\n', (size_t)got);
	if (!end) {
		/* Either one line longer than the tail (the job line: no end) or a cut job line
		 * (nothing to resume). */
		result = offset > 0;
		goto out;
	}
	*end = '\0';
	start = memrchr(tail, '\n', (size_t)(end - tail));
	if (!start && offset > 0) {
		result = true; /* longer than the tail: not an end line */
		goto out;
	}
	start = start ? start + 1 : tail;
	line = cJSON_ParseWithLength(start, (size_t)(end - start));
	type = read_string(line, "type");
	result = !type || strcmp(type, "end") != 0;
	cJSON_Delete(line);
out:
	close(fd);
	return result;
}

/* "….jsonl", as journal_create names them; ".jsonl" alone is no journal's name. */
static bool is_journal_name(const char *name)
{
	size_t length = strlen(name), suffix_length = strlen(".jsonl");
	return length > suffix_length && strcmp(name + length - suffix_length, ".jsonl") == 0;
}

static bool newer(const struct stat *a, const char *a_name, const struct stat *b, const char *b_name)
{
	if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)
		return a->st_mtim.tv_sec > b->st_mtim.tv_sec;
	if (a->st_mtim.tv_nsec != b->st_mtim.tv_nsec)
		return a->st_mtim.tv_nsec > b->st_mtim.tv_nsec;
	return strcmp(a_name, b_name) > 0;
}

char *journal_find_unfinished(const char *directory)
{
	char *owned = directory ? xstrdup(directory) : journal_directory();
	char *best = NULL, *best_name = NULL;
	struct stat best_info = { 0 };
	struct dirent *entry;
	DIR *dir;

	if (!owned)
		return NULL;
	dir = opendir(owned);
	if (!dir) {
		free(owned);
		return NULL;
	}
	while ((entry = readdir(dir))) {
		struct stat info;
		char *path;

		if (!is_journal_name(entry->d_name))
			continue;
		path = xasprintf("%s/%s", owned, entry->d_name);
		/* A journal this process holds is never opened here: closing it would drop its lock. */
		if (stat(path, &info) == 0 && S_ISREG(info.st_mode) && !held_journal(info.st_dev, info.st_ino) &&
		    (!best || newer(&info, entry->d_name, &best_info, best_name)) && unfinished(path)) {
			free(best);
			free(best_name);
			best = path;
			best_name = xstrdup(entry->d_name);
			best_info = info;
			continue;
		}
		free(path);
	}
	closedir(dir);
	free(best_name);
	free(owned);
	return best;
}
