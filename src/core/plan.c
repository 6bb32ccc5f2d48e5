/* plan.c — what a bulk action will do to each device: the steps, in emnify's order, and the
 * ones skipped with their reasons. */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct {
	const char *name;
	const char *text;
} actions[PLAN_ACTION_COUNT] = {
#define PLAN_ACTION_ROW(id, name, text) [PLAN_##id] = { name, text },
	PLAN_ACTION_LIST(PLAN_ACTION_ROW)
#undef PLAN_ACTION_ROW
};

static const char *const skip_texts[SKIP_COUNT] = {
#define PLAN_SKIP_ROW(id, text) [SKIP_##id] = text,
	PLAN_SKIP_LIST(PLAN_SKIP_ROW)
#undef PLAN_SKIP_ROW
};

const char *plan_action_name(enum plan_action action)
{
	if ((unsigned)action >= PLAN_ACTION_COUNT)
		return "";
	return actions[action].name;
}

const char *plan_action_text(enum plan_action action)
{
	if ((unsigned)action >= PLAN_ACTION_COUNT)
		return "";
	return actions[action].text;
}

bool plan_action_parse(const char *name, enum plan_action *action)
{
	for (int i = 0; i < PLAN_ACTION_COUNT; i++) {
		if (strcmp(name, actions[i].name) == 0) {
			*action = (enum plan_action)i;
			return true;
		}
	}
	return false;
}

/* --- building ------------------------------------------------------------------------------ */

static bool has_sim(const struct device *device)
{
	return device->sim_id != 0 && device->sim_status != SIM_NONE;
}

/* A provisional link (endpoint id known, record not arrived) has no status to start from. */
static bool has_endpoint(const struct device *device)
{
	return device->endpoint_id != 0 && device->endpoint_status != ENDPOINT_NONE;
}

static struct plan_step sim_step(const struct device *device, int to)
{
	struct plan_step step = {
		.target = STEP_SIM, .id = device->sim_id, .from = device->sim_status, .to = to,
		.skip = SKIP_NONE,
	};
	if (!has_sim(device)) {
		step.from = SIM_NONE;
		step.skip = SKIP_NO_SIM;
	} else if (device->odd & DEVICE_ODD_SHARED_SIM) {
		step.skip = SKIP_SIM_SHARED;
	} else if (step.from == to) {
		step.skip = SKIP_ALREADY;
	} else if (!model_sim_transition_allowed(step.from, to)) {
		step.skip = SKIP_FORBIDDEN;
	}
	return step;
}

static struct plan_step endpoint_step(const struct device *device, int to)
{
	struct plan_step step = {
		.target = STEP_ENDPOINT, .id = device->endpoint_id, .from = device->endpoint_status,
		.to = to, .skip = SKIP_NONE,
	};
	if (!has_endpoint(device)) {
		step.from = ENDPOINT_NONE;
		step.skip = SKIP_NO_ENDPOINT;
	} else if (step.from == ENDPOINT_DELETED) {
		step.skip = SKIP_ENDPOINT_DELETED;
	} else if (step.from == to) {
		step.skip = SKIP_ALREADY;
	} else if (to == ENDPOINT_ENABLED && !has_sim(device)) {
		step.skip = SKIP_ENABLE_NO_SIM;
	}
	return step;
}

static void build_device(struct plan_device *out, enum plan_action action, const struct device *device)
{
	struct plan_step sim;

	out->sim_id = device->sim_id;
	out->endpoint_id = device->endpoint_id;
	out->sim_status = device->sim_status;
	out->endpoint_status = device->endpoint_status;
	out->step_count = 0;

	switch (action) {
	case PLAN_ONLINE:
		/* Charges start last: the endpoint first, then the SIM. Each side goes only where the
		 * other can follow (plan.h). */
		sim = sim_step(device, SIM_ACTIVATED);
		out->steps[0] = endpoint_step(device, ENDPOINT_ENABLED);
		if (sim.skip == SKIP_NONE &&
		    (out->steps[0].skip == SKIP_NO_ENDPOINT || out->steps[0].skip == SKIP_ENDPOINT_DELETED))
			sim.skip = out->steps[0].skip;
		if (out->steps[0].skip == SKIP_NONE && sim.skip == SKIP_FORBIDDEN)
			out->steps[0].skip = SKIP_SIM_CANNOT_ACTIVATE;
		if (sim.skip == SKIP_SIM_SHARED)
			out->steps[0].skip = SKIP_SIM_SHARED;
		out->steps[1] = sim;
		out->step_count = 2;
		break;
	case PLAN_OFFLINE:
		/* Charges stop first: the SIM first, then the endpoint. */
		out->steps[0] = sim_step(device, SIM_SUSPENDED);
		out->steps[1] = endpoint_step(device, ENDPOINT_DISABLED);
		out->step_count = 2;
		break;
	case PLAN_SIM_ACTIVATE:
		out->steps[0] = sim_step(device, SIM_ACTIVATED);
		out->step_count = 1;
		break;
	case PLAN_SIM_SUSPEND:
		out->steps[0] = sim_step(device, SIM_SUSPENDED);
		out->step_count = 1;
		break;
	case PLAN_ENDPOINT_ENABLE:
		out->steps[0] = endpoint_step(device, ENDPOINT_ENABLED);
		out->step_count = 1;
		break;
	case PLAN_ENDPOINT_DISABLE:
		out->steps[0] = endpoint_step(device, ENDPOINT_DISABLED);
		out->step_count = 1;
		break;
	case PLAN_ACTION_COUNT:
		break;
	}
}

void plan_build(struct plan *plan, enum plan_action action, const struct fleet *fleet,
		const size_t *devices, size_t count)
{
	plan->action = action;
	plan->count = count;
	plan->fleet_endpoints = 0;
	for (size_t i = 0; i < fleet_count(fleet); i++)
		if (fleet_device(fleet, i)->endpoint_id != 0)
			plan->fleet_endpoints++;
	plan->devices = xcalloc(count ? count : 1, sizeof(*plan->devices));
	for (size_t i = 0; i < count; i++)
		build_device(&plan->devices[i], action, fleet_device(fleet, devices[i]));
}

void plan_free(struct plan *plan)
{
	free(plan->devices);
	plan->devices = NULL;
	plan->count = 0;
}

int plan_device_sends(const struct plan_device *device)
{
	int sends = 0;
	for (int i = 0; i < device->step_count; i++)
		if (device->steps[i].skip == SKIP_NONE)
			sends++;
	return sends;
}

size_t plan_sends(const struct plan *plan)
{
	size_t sends = 0;
	for (size_t i = 0; i < plan->count; i++)
		sends += (size_t)plan_device_sends(&plan->devices[i]);
	return sends;
}

/* --- words --------------------------------------------------------------------------------- */

static const char *sim_name(int status, char *buffer, size_t size)
{
	const char *name = model_sim_status_name(status);
	if (name[0])
		return name;
	snprintf(buffer, size, "status %d", status);
	return buffer;
}

static const char *sim_verb(int to)
{
	switch (to) {
	case SIM_ACTIVATED: return "activated";
	case SIM_SUSPENDED: return "suspended";
	case SIM_ISSUED: return "issued";
	case SIM_DELETED: return "deleted";
	case SIM_FACTORY_TEST: return "put in Factory Test";
	default: return "changed";
	}
}

const char *plan_status_name(enum step_target target, int status, const char *unnamed)
{
	const char *name = target == STEP_SIM ? model_sim_status_name(status) : model_endpoint_status_name(status);
	return name[0] ? name : unnamed;
}

/* The device that holds step, when step points into the plan's own array. Compared as
 * addresses so that a pointer from elsewhere is simply not found. */
static const struct plan_device *step_device(const struct plan *plan, const struct plan_step *step)
{
	uintptr_t start = (uintptr_t)plan->devices;
	uintptr_t end = start + plan->count * sizeof(*plan->devices);
	uintptr_t at = (uintptr_t)step;

	if (!plan->devices || at < start || at >= end)
		return NULL;
	return &plan->devices[(at - start) / sizeof(*plan->devices)];
}

static bool paired(enum plan_action action)
{
	return action == PLAN_ONLINE || action == PLAN_OFFLINE;
}

const char *plan_skip_text(const struct plan *plan, const struct plan_step *step, char *buffer, size_t size)
{
	const struct plan_device *device = step_device(plan, step);
	const struct plan_step *sim = NULL;
	char number[32];

	if (size == 0)
		return buffer;
	buffer[0] = '\0';
	if (device && paired(plan->action))
		sim = &device->steps[plan->action == PLAN_ONLINE ? 1 : 0];

	switch (step->skip) {
	case SKIP_NONE:
		break;
	case SKIP_ALREADY:
		if (device && paired(plan->action) && device->steps[0].skip == SKIP_ALREADY &&
		    device->steps[1].skip == SKIP_ALREADY)
			snprintf(buffer, size, "already %s", plan_action_name(plan->action));
		else
			snprintf(buffer, size, "%s already %s", step->target == STEP_SIM ? "SIM" : "endpoint",
				 plan_status_name(step->target, step->to, ""));
		break;
	case SKIP_FORBIDDEN:
		snprintf(buffer, size, "SIM %s cannot be %s", sim_name(step->from, number, sizeof(number)),
			 sim_verb(step->to));
		break;
	case SKIP_SIM_CANNOT_ACTIVATE:
		/* Same words as the SIM step, so the device counts once. */
		if (sim && sim->skip == SKIP_FORBIDDEN)
			return plan_skip_text(plan, sim, buffer, size);
		snprintf(buffer, size, "%s", skip_texts[step->skip]);
		break;
	case SKIP_ENABLE_NO_SIM:
		if (sim && plan->action == PLAN_ONLINE)
			return plan_skip_text(plan, sim, buffer, size);
		snprintf(buffer, size, "%s", skip_texts[step->skip]);
		break;
	case SKIP_NO_SIM:
	case SKIP_NO_ENDPOINT:
	case SKIP_ENDPOINT_DELETED:
	case SKIP_SIM_SHARED:
	case SKIP_UNREAD:
		snprintf(buffer, size, "%s", skip_texts[step->skip]);
		break;
	case SKIP_CHANGED:
		snprintf(buffer, size, "changed elsewhere since the job started (%s now %s)",
			 step->target == STEP_SIM ? "SIM" : "endpoint",
			 step->target == STEP_SIM ? sim_name(step->from, number, sizeof(number))
						  : plan_status_name(step->target, step->from, ""));
		break;
	case SKIP_COUNT:
		break;
	}
	return buffer;
}

/* --- summary ------------------------------------------------------------------------------- */

static void count_transition(struct plan_summary *summary, const struct plan_step *step)
{
	for (size_t i = 0; i < summary->transition_count; i++) {
		struct plan_transition_count *t = &summary->transitions[i];
		if (t->target == step->target && t->from == step->from && t->to == step->to) {
			t->count++;
			return;
		}
	}
	/* Only unknown status ids could make more than 16 kinds; steps still counts them. */
	if (summary->transition_count == ARRAY_SIZE(summary->transitions))
		return;
	summary->transitions[summary->transition_count++] = (struct plan_transition_count){
		.target = step->target, .from = step->from, .to = step->to, .count = 1,
	};
}

static void count_skip(struct plan_summary *summary, const char *reason)
{
	size_t last = ARRAY_SIZE(summary->skips) - 1;

	for (size_t i = 0; i < summary->skip_count; i++) {
		if (strcmp(summary->skips[i].reason, reason) == 0) {
			summary->skips[i].count++;
			return;
		}
	}
	if (summary->skip_count == last + 1) {
		summary->skips[last].count++;
		return;
	}
	if (summary->skip_count == last)
		reason = "other reasons";
	struct plan_skip_count *skip = &summary->skips[summary->skip_count++];
	size_t length = strnlen(reason, sizeof(skip->reason) - 1);
	memcpy(skip->reason, reason, length);
	skip->reason[length] = '\0';
	skip->count = 1;
}

void plan_summarize(const struct plan *plan, struct plan_summary *summary)
{
	memset(summary, 0, sizeof(*summary));
	for (size_t i = 0; i < plan->count; i++) {
		const struct plan_device *device = &plan->devices[i];
		int sim_after = device->sim_status, endpoint_after = device->endpoint_status;
		char reasons[2][sizeof(summary->skips[0].reason)];
		int sends = 0;

		for (int s = 0; s < device->step_count; s++) {
			const struct plan_step *step = &device->steps[s];
			reasons[s][0] = '\0';
			if (step->skip != SKIP_NONE) {
				plan_skip_text(plan, step, reasons[s], sizeof(reasons[s]));
				if (s == 0 || strcmp(reasons[0], reasons[s]) != 0)
					count_skip(summary, reasons[s]);
				continue;
			}
			sends++;
			count_transition(summary, step);
			if (step->target == STEP_SIM) {
				sim_after = step->to;
				if (step->to == SIM_ACTIVATED)
					summary->activations++;
			} else {
				endpoint_after = step->to;
			}
		}
		summary->steps += (size_t)sends;
		if (sends)
			summary->devices_changed++;
		else
			summary->devices_unchanged++;
		if (sim_after == SIM_ACTIVATED && endpoint_after == ENDPOINT_DISABLED)
			summary->billed_offline++;
	}
}

double plan_estimate_seconds(const struct plan *plan, double rate)
{
	if (!(rate > 0))
		return 0;
	return (double)plan_sends(plan) / rate;
}
