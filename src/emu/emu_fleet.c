/* emu_fleet.c — statuses, list order, transitions, the state file and the change log. */
#include "emu_fleet.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct emu_fleet {
	struct emu_synth_params params;
	int64_t devices;
	/* Per device; EMU_STATUS_NONE where the half is missing. Read with relaxed atomics so a
	 * list can be served while a PATCH lands; written only under lock. */
	uint8_t *sim_status;
	uint8_t *endpoint_status;
	/* Device indexes in list order (ascending id). */
	uint32_t *sim_order;
	uint32_t *endpoint_order;
	int64_t sims;
	int64_t endpoints;
	pthread_mutex_t lock;
	FILE *state_file;       /* NULL without --state-file */
	/* The change log: a ring of change_capacity records that grows up to
	 * EMU_FLEET_CHANGES_KEPT, and wraps (change_first moves) only once it has. Under lock. */
	struct emu_fleet_change *changes;
	size_t change_capacity;
	size_t change_count;
	size_t change_first;
	int64_t change_seq;
};

static void *allocate(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p) {
		fputs("simtop-emu: out of memory\n", stderr);
		abort();
	}
	return p;
}

struct emu_fleet *emu_fleet_new(const struct emu_synth_params *params, int64_t devices)
{
	struct emu_fleet *fleet = allocate(sizeof *fleet);
	memset(fleet, 0, sizeof *fleet);
	fleet->params = *params;
	fleet->devices = devices;
	size_t n = (size_t)devices;
	fleet->sim_status = allocate(n);
	fleet->endpoint_status = allocate(n);
	fleet->sim_order = allocate(n * sizeof *fleet->sim_order);
	fleet->endpoint_order = allocate(n * sizeof *fleet->endpoint_order);
	pthread_mutex_init(&fleet->lock, NULL);

	emu_synth_initial(params, devices, fleet->sim_status, fleet->endpoint_status);
	for (int64_t i = 0; i < devices; i++) {
		if (fleet->sim_status[i] != EMU_STATUS_NONE)
			fleet->sim_order[fleet->sims++] = (uint32_t)i;
		if (fleet->endpoint_status[i] != EMU_STATUS_NONE)
			fleet->endpoint_order[fleet->endpoints++] = (uint32_t)i;
	}
	return fleet;
}

void emu_fleet_free(struct emu_fleet *fleet)
{
	if (!fleet)
		return;
	if (fleet->state_file)
		fclose(fleet->state_file);
	pthread_mutex_destroy(&fleet->lock);
	free(fleet->changes);
	free(fleet->sim_status);
	free(fleet->endpoint_status);
	free(fleet->sim_order);
	free(fleet->endpoint_order);
	free(fleet);
}

int64_t emu_fleet_device_count(const struct emu_fleet *fleet)
{
	return fleet->devices;
}

int64_t emu_fleet_sim_count(const struct emu_fleet *fleet)
{
	return fleet->sims;
}

int64_t emu_fleet_endpoint_count(const struct emu_fleet *fleet)
{
	return fleet->endpoints;
}

int64_t emu_fleet_sim_at(const struct emu_fleet *fleet, int64_t rank)
{
	return fleet->sim_order[rank];
}

int64_t emu_fleet_endpoint_at(const struct emu_fleet *fleet, int64_t rank)
{
	return fleet->endpoint_order[rank];
}

int emu_fleet_sim_status(const struct emu_fleet *fleet, int64_t index)
{
	return __atomic_load_n(&fleet->sim_status[index], __ATOMIC_RELAXED);
}

int emu_fleet_endpoint_status(const struct emu_fleet *fleet, int64_t index)
{
	return __atomic_load_n(&fleet->endpoint_status[index], __ATOMIC_RELAXED);
}

int64_t emu_fleet_find_sim(const struct emu_fleet *fleet, int64_t sim_id)
{
	/* Compare before subtracting so that huge or negative ids cannot overflow. */
	if (sim_id < EMU_SIM_ID_BASE || sim_id - EMU_SIM_ID_BASE >= fleet->devices)
		return -1;
	int64_t index = sim_id - EMU_SIM_ID_BASE;
	return emu_fleet_sim_status(fleet, index) == EMU_STATUS_NONE ? -1 : index;
}

int64_t emu_fleet_find_endpoint(const struct emu_fleet *fleet, int64_t endpoint_id)
{
	if (endpoint_id < EMU_ENDPOINT_ID_BASE || endpoint_id - EMU_ENDPOINT_ID_BASE >= fleet->devices)
		return -1;
	int64_t index = endpoint_id - EMU_ENDPOINT_ID_BASE;
	return emu_fleet_endpoint_status(fleet, index) == EMU_STATUS_NONE ? -1 : index;
}

void emu_fleet_device(const struct emu_fleet *fleet, int64_t index, struct emu_device *out)
{
	emu_synth_device(&fleet->params, index, emu_fleet_sim_status(fleet, index) != EMU_STATUS_NONE,
			 emu_fleet_endpoint_status(fleet, index) != EMU_STATUS_NONE, out);
}

bool emu_sim_transition_allowed(int from, int to)
{
	if (from == to)
		return true;
	switch (from) {
	case EMU_SIM_ISSUED:
		return to == EMU_SIM_ACTIVATED || to == EMU_SIM_FACTORY_TEST;
	case EMU_SIM_FACTORY_TEST:
		return to == EMU_SIM_ACTIVATED;
	case EMU_SIM_ACTIVATED:
		return to == EMU_SIM_SUSPENDED;
	case EMU_SIM_SUSPENDED:
		return to == EMU_SIM_ACTIVATED;
	default:
		return false;
	}
}

/* --- changes ------------------------------------------------------------------------------ */

/* Append one change to the state file before it takes effect, so that the file never lacks a
 * change a client was told about. Called under lock. */
static bool record_change(struct emu_fleet *fleet, const char *kind, int64_t id, int status)
{
	if (!fleet->state_file)
		return true;
	if (fprintf(fleet->state_file, "%s %" PRId64 " %d\n", kind, id, status) < 0 ||
	    fflush(fleet->state_file) != 0) {
		fprintf(stderr, "simtop-emu: cannot write the state file: %s\n", strerror(errno));
		clearerr(fleet->state_file);
		return false;
	}
	return true;
}

/* Append one applied change to the change log. Called under lock. */
static void log_change(struct emu_fleet *fleet, bool sim, int64_t id, int from, int to, enum emu_change_via via)
{
	if (fleet->change_count == fleet->change_capacity && fleet->change_capacity < EMU_FLEET_CHANGES_KEPT) {
		/* Not yet wrapped (change_first is 0), so the ring can grow in place. */
		size_t grown = fleet->change_capacity ? fleet->change_capacity * 2 : 1024;
		if (grown > EMU_FLEET_CHANGES_KEPT)
			grown = EMU_FLEET_CHANGES_KEPT;
		struct emu_fleet_change *changes = realloc(fleet->changes, grown * sizeof *changes);
		if (!changes) {
			fputs("simtop-emu: out of memory\n", stderr);
			abort();
		}
		fleet->changes = changes;
		fleet->change_capacity = grown;
	}
	size_t slot;
	if (fleet->change_count < fleet->change_capacity) {
		slot = (fleet->change_first + fleet->change_count) % fleet->change_capacity;
		fleet->change_count++;
	} else {
		slot = fleet->change_first; /* the oldest change makes room */
		fleet->change_first = (fleet->change_first + 1) % fleet->change_capacity;
	}
	fleet->changes[slot] = (struct emu_fleet_change){
		.seq = ++fleet->change_seq, .id = id, .sim = sim,
		.from = (uint8_t)from, .to = (uint8_t)to, .via = (uint8_t)via,
	};
}

enum emu_change emu_fleet_set_sim_status(struct emu_fleet *fleet, int64_t index, int status, int *previous,
					 enum emu_change_via via)
{
	enum emu_change result;
	pthread_mutex_lock(&fleet->lock);
	int current = fleet->sim_status[index];
	*previous = current;
	if (current == status)
		result = EMU_CHANGE_UNCHANGED;
	else if (!emu_sim_transition_allowed(current, status))
		result = EMU_CHANGE_NOT_ALLOWED;
	else if (!record_change(fleet, "sim", EMU_SIM_ID_BASE + index, status))
		result = EMU_CHANGE_STORAGE_FAILED;
	else {
		__atomic_store_n(&fleet->sim_status[index], (uint8_t)status, __ATOMIC_RELAXED);
		log_change(fleet, true, EMU_SIM_ID_BASE + index, current, status, via);
		result = EMU_CHANGE_APPLIED;
	}
	pthread_mutex_unlock(&fleet->lock);
	return result;
}

enum emu_change emu_fleet_set_endpoint_status(struct emu_fleet *fleet, int64_t index, int status, int *previous,
					      enum emu_change_via via)
{
	enum emu_change result;
	pthread_mutex_lock(&fleet->lock);
	int current = fleet->endpoint_status[index];
	*previous = current;
	/* Enabled without a SIM is refused even when it is already so: the request asks for a
	 * state the API does not let a client set. */
	if (status == EMU_ENDPOINT_ENABLED && fleet->sim_status[index] == EMU_STATUS_NONE)
		result = EMU_CHANGE_NO_SIM;
	else if (current == status)
		result = EMU_CHANGE_UNCHANGED;
	else if (!record_change(fleet, "endpoint", EMU_ENDPOINT_ID_BASE + index, status))
		result = EMU_CHANGE_STORAGE_FAILED;
	else {
		__atomic_store_n(&fleet->endpoint_status[index], (uint8_t)status, __ATOMIC_RELAXED);
		log_change(fleet, false, EMU_ENDPOINT_ID_BASE + index, current, status, via);
		result = EMU_CHANGE_APPLIED;
	}
	pthread_mutex_unlock(&fleet->lock);
	return result;
}

size_t emu_fleet_changes(struct emu_fleet *fleet, struct emu_fleet_change **changes)
{
	pthread_mutex_lock(&fleet->lock);
	size_t count = fleet->change_count;
	*changes = NULL;
	if (count) {
		*changes = allocate(count * sizeof **changes);
		for (size_t i = 0; i < count; i++)
			(*changes)[i] = fleet->changes[(fleet->change_first + i) % fleet->change_capacity];
	}
	pthread_mutex_unlock(&fleet->lock);
	return count;
}

void emu_fleet_clear_changes(struct emu_fleet *fleet)
{
	pthread_mutex_lock(&fleet->lock);
	fleet->change_count = 0;
	fleet->change_first = 0;
	pthread_mutex_unlock(&fleet->lock);
}

/* --- state file --------------------------------------------------------------------------- */

/* The first line of a state file: replaying changes onto a different fleet would be nonsense,
 * so the parameters that shape the fleet are part of the file. */
static void state_header(const struct emu_fleet *fleet, char *out, size_t size)
{
	snprintf(out, size, "# simtop-emu state v1 seed=%" PRIu64 " devices=%" PRId64 " misaligned=%g unpaired=%g",
		 fleet->params.seed, fleet->devices, fleet->params.misaligned_pct, fleet->params.unpaired_pct);
}

/* Apply one "sim ID STATUS" or "endpoint ID STATUS" line. */
static bool replay_line(struct emu_fleet *fleet, const char *line, const char **problem)
{
	char kind[16];
	int64_t id;
	int status;
	char extra;
	if (sscanf(line, "%15s %" SCNd64 " %d %c", kind, &id, &status, &extra) != 3) {
		*problem = "expected \"sim ID STATUS\" or \"endpoint ID STATUS\"";
		return false;
	}
	if (strcmp(kind, "sim") == 0) {
		int64_t index = emu_fleet_find_sim(fleet, id);
		if (index < 0) {
			*problem = "no SIM with this id in the fleet";
			return false;
		}
		if (!emu_sim_status_name(status)) {
			*problem = "not a SIM status id";
			return false;
		}
		fleet->sim_status[index] = (uint8_t)status;
	} else if (strcmp(kind, "endpoint") == 0) {
		int64_t index = emu_fleet_find_endpoint(fleet, id);
		if (index < 0) {
			*problem = "no endpoint with this id in the fleet";
			return false;
		}
		if (!emu_endpoint_status_name(status)) {
			*problem = "not an endpoint status id";
			return false;
		}
		fleet->endpoint_status[index] = (uint8_t)status;
	} else {
		*problem = "expected \"sim\" or \"endpoint\"";
		return false;
	}
	return true;
}

/* Replay an existing file. *empty tells whether it had no header yet. A last line without its
 * newline (a write cut short) is dropped from the file so that later appends start clean. */
static bool replay_state(struct emu_fleet *fleet, const char *path, FILE *file, bool *empty,
			 char *error, size_t error_size)
{
	char expected[256];
	state_header(fleet, expected, sizeof expected);

	char *line = NULL;
	size_t line_size = 0;
	ssize_t length;
	long number = 0;
	off_t complete = 0;     /* bytes up to the end of the last complete line */
	bool ok = true;
	*empty = true;

	while ((length = getline(&line, &line_size, file)) > 0) {
		number++;
		if (line[length - 1] != '\n') {
			fprintf(stderr, "simtop-emu: %s:%ld: incomplete last line dropped\n", path, number);
			break;
		}
		complete += length;
		line[--length] = '\0';
		if (number == 1) {
			*empty = false;
			if (strcmp(line, expected) != 0) {
				if (strncmp(line, "# simtop-emu state", 18) != 0)
					snprintf(error, error_size, "%s is not a simtop-emu state file", path);
				else
					snprintf(error, error_size,
						 "%s was written for another fleet (\"%s\"); start with the same "
						 "options or remove the file", path, line + 2);
				ok = false;
				break;
			}
			continue;
		}
		if (length == 0 || line[0] == '#')
			continue;
		const char *problem = NULL;
		if (!replay_line(fleet, line, &problem)) {
			snprintf(error, error_size, "%s:%ld: %s", path, number, problem);
			ok = false;
			break;
		}
	}
	free(line);
	if (ok && ftello(file) != complete && truncate(path, complete) != 0) {
		snprintf(error, error_size, "cannot repair %s: %s", path, strerror(errno));
		ok = false;
	}
	if (ok && complete == 0)
		*empty = true;
	return ok;
}

bool emu_fleet_open_state(struct emu_fleet *fleet, const char *path, char *error, size_t error_size)
{
	bool empty = true;
	FILE *existing = fopen(path, "r");
	if (existing) {
		bool ok = replay_state(fleet, path, existing, &empty, error, error_size);
		fclose(existing);
		if (!ok)
			return false;
	} else if (errno != ENOENT) {
		snprintf(error, error_size, "cannot read %s: %s", path, strerror(errno));
		return false;
	}

	FILE *file = fopen(path, "a");
	if (!file) {
		snprintf(error, error_size, "cannot open %s for writing: %s", path, strerror(errno));
		return false;
	}
	if (empty) {
		char header[256];
		state_header(fleet, header, sizeof header);
		if (fprintf(file, "%s\n", header) < 0 || fflush(file) != 0) {
			snprintf(error, error_size, "cannot write %s: %s", path, strerror(errno));
			fclose(file);
			return false;
		}
	}
	fleet->state_file = file;
	return true;
}
