/* journal.c — the intent/result log of a bulk job: JSON lines, each fsync'ed before the job
 * goes on, read back line by line to finish a job that was killed. */
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
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "files.h"
#include "text.h"
#include "util.h"

#define JOURNAL_VERSION 1
/* Every journal starts with these bytes: find_unfinished checks them without parsing. */
#define JOB_LINE_START "{\"type\":\"job\","
/* Bytes read from the end of a file to find its last line; an end line is far shorter. */
#define TAIL_BYTES 4096
/* Ids come from cJSON numbers, exact only up to 2^53 (as in the API mapping). */
#define EXACT_DOUBLE_MAX 9007199254740992.0
/* Status ids read back: -1 (none) up to a bound far above any status emnify has. */
#define STATUS_MAX 127

struct journal {
	char *path;
	FILE *file;
	size_t device_count;
	unsigned char *step_counts; /* per device: which step indexes exist */
	bool finished;
};

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
	char *path = xstrdup(directory);
	struct stat info;
	bool ok = true;

	for (char *slash = path + 1; ok; slash++) {
		bool last = *slash == '\0';
		if (*slash != '/' && !last)
			continue;
		*slash = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			snprintf(message, size, "cannot create the directory %s: %s", path, strerror(errno));
			ok = false;
		}
		if (last)
			break;
		*slash = '/';
	}
	if (ok && (stat(directory, &info) != 0 || !S_ISDIR(info.st_mode))) {
		snprintf(message, size, "%s is not a directory", directory);
		ok = false;
	}
	free(path);
	return ok;
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
	const char *id = (unsigned)skip < SKIP_COUNT ? skip_ids[skip] : "NONE";

	fputc('"', out);
	for (const char *c = id; *c; c++)
		fputc(tolower((unsigned char)*c), out);
	fputc('"', out);
}

/* Ends the line and makes it durable: the job goes on only after this returned true. */
static bool finish_line(struct journal *journal, char *message, size_t size)
{
	fputc('\n', journal->file);
	if (fflush(journal->file) != 0 || ferror(journal->file) || fsync(fileno(journal->file)) != 0) {
		snprintf(message, size, "cannot write the journal %s: %s", journal->path,
			 errno ? strerror(errno) : "write error");
		return false;
	}
	return true;
}

static void write_job_line(FILE *out, const struct plan *plan, time_t created)
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
	fputs(",\"devices\":[", out);
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
	fputs("]}", out);
}

static struct journal *journal_new(const char *path, FILE *file, const struct plan *plan)
{
	struct journal *journal = xcalloc(1, sizeof(*journal));

	journal->path = xstrdup(path);
	journal->file = file;
	journal->device_count = plan->count;
	journal->step_counts = xmalloc(plan->count ? plan->count : 1);
	for (size_t i = 0; i < plan->count; i++)
		journal->step_counts[i] = (unsigned char)plan->devices[i].step_count;
	return journal;
}

/* One job per journal: a second simtop resuming it while it runs would send steps twice. The
 * lock lasts as long as the descriptor (journal_close). */
static bool lock(int fd, const char *path, char *message, size_t size)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return true;
	if (errno == EWOULDBLOCK)
		snprintf(message, size, "the journal %s is in use by another simtop (a job or a resume "
			 "running now); wait for it to end", path);
	else
		snprintf(message, size, "cannot lock the journal %s: %s", path, strerror(errno));
	text_clean_in_place(message, size);
	return false;
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

struct journal *journal_create(const char *directory, const struct plan *plan, char *message, size_t size)
{
	char *owned = directory ? xstrdup(directory) : journal_directory();
	time_t now = time(NULL);
	struct journal *journal = NULL;
	char stamp[32], *path = NULL;
	struct tm utc;
	FILE *file;
	int fd = -1;

	if (!owned) {
		snprintf(message, size, "no directory for the journal: set HOME or XDG_STATE_HOME");
		return NULL;
	}
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
	if (!lock(fd, path, message, size)) {
		close(fd);
		unlink(path);
		goto out;
	}
	file = fdopen(fd, "a");
	if (!file) {
		snprintf(message, size, "cannot open the journal %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	journal = journal_new(path, file, plan);
	write_job_line(file, plan, now);
	if (!finish_line(journal, message, size)) {
		unlink(path);
		journal_close(journal);
		journal = NULL;
		goto out;
	}
	sync_directory(owned);
out:
	free(path);
	free(owned);
	return journal;
}

static bool check_step(struct journal *journal, size_t device, int step, char *message, size_t size)
{
	if (device >= journal->device_count || step < 0 || step >= journal->step_counts[device]) {
		snprintf(message, size, "journal %s: no step %d of device %zu in the plan", journal->path,
			 step, device);
		return false;
	}
	return true;
}

bool journal_intent(struct journal *journal, size_t device, int step, char *message, size_t size)
{
	if (!check_step(journal, device, step, message, size))
		return false;
	fprintf(journal->file, "{\"type\":\"intent\",\"device\":%zu,\"step\":%d}", device, step);
	return finish_line(journal, message, size);
}

bool journal_result(struct journal *journal, size_t device, int step, enum journal_state state,
		    long http_status, const char *text, char *message, size_t size)
{
	if (!check_step(journal, device, step, message, size))
		return false;
	if (state != JOURNAL_DONE && state != JOURNAL_FAILED) {
		snprintf(message, size, "journal %s: a result is done or failed", journal->path);
		return false;
	}
	fprintf(journal->file, "{\"type\":\"result\",\"device\":%zu,\"step\":%d,\"state\":\"%s\",\"http\":%ld,\"text\":",
		device, step, state_word(state), http_status);
	util_json_string(journal->file, text ? text : "");
	fputc('}', journal->file);
	return finish_line(journal, message, size);
}

bool journal_end(struct journal *journal, bool cancelled, char *message, size_t size)
{
	fprintf(journal->file, "{\"type\":\"end\",\"cancelled\":%s}", cancelled ? "true" : "false");
	if (!finish_line(journal, message, size))
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

void journal_close(struct journal *journal)
{
	if (!journal)
		return;
	if (journal->file)
		fclose(journal->file);
	free(journal->step_counts);
	free(journal->path);
	free(journal);
}

/* --- reading, as any JSON --------------------------------------------------------------- */

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

/* A step always changes its own device's SIM or endpoint. */
static bool step_fits(const struct plan_device *device, const struct plan_step *step)
{
	return step->id == (step->target == STEP_SIM ? device->sim_id : device->endpoint_id);
}

static bool read_step(const cJSON *object, const struct plan_device *device, struct plan_step *step)
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
	       read_status(object, "to", &step->to) && step_fits(device, step);
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
		    !read_step(item, device, &device->steps[device->step_count]))
			return false;
		device->step_count++;
	}
	return true;
}

static bool read_job(const cJSON *job, struct plan *plan, char *message, size_t size)
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
	if (version != JOURNAL_VERSION) {
		snprintf(message, size, "version %" PRId64 " is not known to this simtop", version);
		return false;
	}
	if (!action || !plan_action_parse(action, &plan->action)) {
		snprintf(message, size, "line 1: unknown action");
		return false;
	}
	if (!cJSON_IsArray(devices)) {
		snprintf(message, size, "line 1: no devices");
		return false;
	}
	plan->count = (size_t)cJSON_GetArraySize(devices);
	plan->devices = xcalloc(plan->count ? plan->count : 1, sizeof(*plan->devices));
	cJSON_ArrayForEach(item, devices) {
		if (!read_device(item, &plan->devices[count])) {
			snprintf(message, size, "line 1: device %zu is not a plan entry", count);
			plan_free(plan);
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
			snprintf(message, size, "a result is done or failed");
			return false;
		}
	} else {
		snprintf(message, size, "unknown type \"%.40s\"", type);
		return false;
	}
	if (!read_int64(line, "device", 0, &event->device) || !read_int64(line, "step", 0, &event->step)) {
		snprintf(message, size, "no such step in the plan");
		return false;
	}
	return true;
}

/* --- reading, the bytes this file writes ------------------------------------------------ */

/* A 100,000-device job line takes cJSON a third of a second and a hundred thousand lines of
 * steps another fifth; the exact bytes write_job_line and the journal_* calls write are read
 * here without building a tree. Anything else falls back to the readers above. */
struct cursor {
	const char *at, *end;
};

static bool take(struct cursor *cursor, const char *literal)
{
	size_t length = strlen(literal);

	if ((size_t)(cursor->end - cursor->at) < length || memcmp(cursor->at, literal, length) != 0)
		return false;
	cursor->at += length;
	return true;
}

static bool take_integer(struct cursor *cursor, int64_t minimum, int64_t maximum, int64_t *value)
{
	bool negative = take(cursor, "-");
	int64_t number = 0;
	int digits = 0;

	while (cursor->at < cursor->end && *cursor->at >= '0' && *cursor->at <= '9') {
		if (++digits > 16)
			return false;
		number = number * 10 + (*cursor->at++ - '0');
	}
	if (digits == 0)
		return false;
	number = negative ? -number : number;
	if (number < minimum || number > maximum)
		return false;
	*value = number;
	return true;
}

static bool take_status(struct cursor *cursor, int *value)
{
	int64_t number;

	if (!take_integer(cursor, -1, STATUS_MAX, &number))
		return false;
	*value = (int)number;
	return true;
}

/* A JSON string; *start and *length (may be NULL) get its raw bytes, escapes as written. */
static bool take_string(struct cursor *cursor, const char **start, size_t *length)
{
	const char *at;

	if (!take(cursor, "\""))
		return false;
	for (at = cursor->at; at < cursor->end && *at != '"'; at++) {
		if ((unsigned char)*at < 0x20)
			return false;
		if (*at == '\\' && ++at == cursor->end)
			return false;
	}
	if (at == cursor->end)
		return false;
	if (start) {
		*start = cursor->at;
		*length = (size_t)(at - cursor->at);
	}
	cursor->at = at + 1;
	return true;
}

static bool take_step(struct cursor *cursor, const struct plan_device *device, struct plan_step *step)
{
	const char *word;
	size_t length;

	if (take(cursor, "{\"target\":\"sim\""))
		step->target = STEP_SIM;
	else if (take(cursor, "{\"target\":\"endpoint\""))
		step->target = STEP_ENDPOINT;
	else
		return false;
	return take(cursor, ",\"id\":") && take_integer(cursor, 0, (int64_t)EXACT_DOUBLE_MAX, &step->id) &&
	       take(cursor, ",\"from\":") && take_status(cursor, &step->from) && take(cursor, ",\"to\":") &&
	       take_status(cursor, &step->to) && take(cursor, ",\"skip\":") &&
	       take_string(cursor, &word, &length) && skip_from_word(word, length, &step->skip) &&
	       take(cursor, "}") && step_fits(device, step);
}

static bool take_device(struct cursor *cursor, struct plan_device *device)
{
	if (!take(cursor, "{\"sim_id\":") || !take_integer(cursor, 0, (int64_t)EXACT_DOUBLE_MAX, &device->sim_id) ||
	    !take(cursor, ",\"endpoint_id\":") ||
	    !take_integer(cursor, 0, (int64_t)EXACT_DOUBLE_MAX, &device->endpoint_id) ||
	    !take(cursor, ",\"sim_status\":") || !take_status(cursor, &device->sim_status) ||
	    !take(cursor, ",\"endpoint_status\":") || !take_status(cursor, &device->endpoint_status) ||
	    !take(cursor, ",\"steps\":["))
		return false;
	device->step_count = 0;
	if (!take(cursor, "]")) {
		do {
			if (device->step_count == 2 || !take_step(cursor, device, &device->steps[device->step_count]))
				return false;
			device->step_count++;
		} while (take(cursor, ","));
		if (!take(cursor, "]"))
			return false;
	}
	return take(cursor, "}");
}

/* The job line as write_job_line writes it; false (plan untouched) for anything else. */
static bool take_job(const char *line, size_t length, struct plan *plan)
{
	struct cursor cursor = { line, line + length };
	struct plan_device *devices = NULL;
	size_t count = 0, capacity = 0;
	char name[32];
	const char *action;
	size_t action_length;
	enum plan_action parsed;
	int64_t version;

	if (!take(&cursor, JOB_LINE_START "\"version\":") ||
	    !take_integer(&cursor, 0, JOURNAL_VERSION, &version) || version != JOURNAL_VERSION ||
	    !take(&cursor, ",\"action\":") || !take_string(&cursor, &action, &action_length) ||
	    action_length >= sizeof(name) || !take(&cursor, ",\"created\":") ||
	    !take_string(&cursor, NULL, NULL) || !take(&cursor, ",\"user\":") ||
	    !take_string(&cursor, NULL, NULL) || !take(&cursor, ",\"devices\":["))
		return false;
	memcpy(name, action, action_length);
	name[action_length] = '\0';
	if (!plan_action_parse(name, &parsed))
		return false;
	if (!take(&cursor, "]")) {
		do {
			devices = xgrow(devices, &capacity, count + 1, sizeof(*devices));
			if (!take_device(&cursor, &devices[count])) {
				free(devices);
				return false;
			}
			count++;
		} while (take(&cursor, ","));
		if (!take(&cursor, "]")) {
			free(devices);
			return false;
		}
	}
	if (!take(&cursor, "}") || cursor.at != cursor.end) {
		free(devices);
		return false;
	}
	plan->action = parsed;
	plan->count = count;
	plan->devices = devices ? devices : xcalloc(1, sizeof(*devices));
	return true;
}

static bool take_event(const char *line, size_t length, struct event *event)
{
	struct cursor cursor = { line, line + length };
	int64_t http;

	if (take(&cursor, "{\"type\":\"end\",\"cancelled\":")) {
		event->type = EVENT_END;
		return (take(&cursor, "true}") || take(&cursor, "false}")) && cursor.at == cursor.end;
	}
	if (take(&cursor, "{\"type\":\"intent\","))
		event->type = EVENT_INTENT;
	else if (take(&cursor, "{\"type\":\"result\","))
		event->type = EVENT_RESULT;
	else
		return false;
	if (!take(&cursor, "\"device\":") || !take_integer(&cursor, 0, (int64_t)EXACT_DOUBLE_MAX, &event->device) ||
	    !take(&cursor, ",\"step\":") || !take_integer(&cursor, 0, 1, &event->step))
		return false;
	if (event->type == EVENT_RESULT) {
		if (take(&cursor, ",\"state\":\"done\""))
			event->state = JOURNAL_DONE;
		else if (take(&cursor, ",\"state\":\"failed\""))
			event->state = JOURNAL_FAILED;
		else
			return false;
		if (!take(&cursor, ",\"http\":") || !take_integer(&cursor, -999999, 999999, &http) ||
		    !take(&cursor, ",\"text\":") || !take_string(&cursor, NULL, NULL))
			return false;
	}
	return take(&cursor, "}") && cursor.at == cursor.end;
}

/* --- resuming ------------------------------------------------------------------------------ */

static bool apply_event(const struct event *event, const struct plan *plan, enum journal_state (*states)[2],
			bool *finished, char *message, size_t size)
{
	if (event->type == EVENT_END) {
		*finished = true;
		return true;
	}
	if ((uint64_t)event->device >= plan->count || event->step >= plan->devices[event->device].step_count) {
		snprintf(message, size, "no such step in the plan");
		return false;
	}
	/* The last line about a step wins: an intent after a result is a retry in flight. */
	states[event->device][event->step] = event->type == EVENT_INTENT ? JOURNAL_INTENT : event->state;
	return true;
}

static char *read_whole_file(int fd, size_t *length, char *message, size_t size)
{
	struct stat info;
	size_t capacity, used = 0;
	char *data;

	if (fstat(fd, &info) != 0) {
		snprintf(message, size, "%s", strerror(errno));
		return NULL;
	}
	capacity = (size_t)info.st_size + 1;
	data = xmalloc(capacity);
	for (;;) {
		ssize_t got;
		if (used + 1 >= capacity)
			data = xgrow(data, &capacity, used + 65536, 1);
		got = read(fd, data + used, capacity - used - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(message, size, "%s", strerror(errno));
			free(data);
			return NULL;
		}
		if (got == 0)
			break;
		used += (size_t)got;
	}
	data[used] = '\0';
	*length = used;
	return data;
}

/* The first line into plan. */
static bool read_first_line(const char *line, size_t length, struct plan *plan, char *message, size_t size)
{
	cJSON *job;
	bool ok;

	if (take_job(line, length, plan))
		return true;
	job = cJSON_ParseWithLength(line, length);
	if (!cJSON_IsObject(job)) {
		snprintf(message, size, "line 1 is not JSON");
		cJSON_Delete(job);
		return false;
	}
	ok = read_job(job, plan, message, size);
	cJSON_Delete(job);
	return ok;
}

/* Parse the lines of data into plan and states. *good_end: the bytes worth keeping (a cut or
 * garbled last line is left out). */
static bool read_lines(const char *data, size_t length, struct plan *plan, enum journal_state (**states)[2],
		       bool *finished, size_t *good_end, char *message, size_t size)
{
	size_t start = 0;
	int number = 0;
	char reason[160];

	*good_end = 0;
	while (start < length) {
		const char *newline = memchr(data + start, '\n', length - start);
		size_t end = newline ? (size_t)(newline - data) : length;
		struct event event;

		number++;
		/* Killed mid-write: the line never finished, and its step was never sent. */
		if (!newline)
			break;
		if (number == 1) {
			if (!read_first_line(data + start, end - start, plan, message, size))
				return false;
			*states = xcalloc(plan->count ? plan->count : 1, sizeof(**states));
		} else if (!take_event(data + start, end - start, &event)) {
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
	free(*states);
	*states = NULL;
	return false;
}

struct journal *journal_resume(const char *path, struct plan *plan, enum journal_state (**states)[2],
			       char *message, size_t size)
{
	char reason[200];
	size_t length = 0, good_end = 0;
	bool finished = false;
	struct journal *journal;
	struct stat info;
	char *data;
	FILE *file;
	int fd;

	memset(plan, 0, sizeof(*plan));
	*states = NULL;
	/* A journal decides which PATCHes are sent: trusted like a config file. */
	fd = files_open(path, O_RDWR | O_APPEND, FILES_TRUSTED, "the journal", &info, message, size);
	if (fd < 0)
		return NULL;
	if (!lock(fd, path, message, size)) {
		close(fd);
		return NULL;
	}
	data = read_whole_file(fd, &length, reason, sizeof(reason));
	if (!data) {
		snprintf(message, size, "cannot read the journal %s: %s", path, reason);
		close(fd);
		text_clean_in_place(message, size);
		return NULL;
	}
	if (!read_lines(data, length, plan, states, &finished, &good_end, reason, sizeof(reason))) {
		snprintf(message, size, "%s is not a simtop journal: %s", path, reason);
		free(data);
		close(fd);
		text_clean_in_place(message, size);
		return NULL;
	}
	free(data);
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
	journal = journal_new(path, file, plan);
	journal->finished = finished;
	return journal;
fail:
	text_clean_in_place(message, size);
	close(fd);
	plan_free(plan);
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

static bool has_suffix(const char *name, const char *suffix)
{
	size_t length = strlen(name), suffix_length = strlen(suffix);
	return length > suffix_length && strcmp(name + length - suffix_length, suffix) == 0;
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

		if (!has_suffix(entry->d_name, ".jsonl"))
			continue;
		path = xasprintf("%s/%s", owned, entry->d_name);
		if (stat(path, &info) == 0 && S_ISREG(info.st_mode) &&
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
