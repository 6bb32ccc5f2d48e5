/* test_plan.c — plans: every action against every pair of statuses, the reasons, the summary
 * the confirmation shows (its words: test_plan_text.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fleet.h"
#include "plan.h"
#include "util.h"

/* Rows and columns of the tables below. */
static const int sim_statuses[] = {
	SIM_NONE, SIM_ISSUED, SIM_ACTIVATED, SIM_SUSPENDED, SIM_DELETED, SIM_FACTORY_TEST,
};
static const int endpoint_statuses[] = {
	ENDPOINT_NONE, ENDPOINT_ENABLED, ENDPOINT_DISABLED, ENDPOINT_DELETED,
};
#define SIMS ARRAY_SIZE(sim_statuses)
#define ENDPOINTS ARRAY_SIZE(endpoint_statuses)

/* Expected steps, in order: S (SIM) or E (endpoint), then what happens to the step:
 * + sent, = already, F forbidden, s no SIM, e no endpoint, x enable without SIM,
 * d endpoint deleted, c SIM cannot be activated. */
static const char *const expected[PLAN_ACTION_COUNT][SIMS][ENDPOINTS] = {
	[PLAN_ONLINE] = {
		/*                 no endpoint  Enabled  Disabled  Deleted */
		/* no SIM */      { "Ee Ss", "E= Ss", "Ex Ss", "Ed Ss" },
		/* Issued */      { "Ee Se", "E= S+", "E+ S+", "Ed Sd" },
		/* Activated */   { "Ee S=", "E= S=", "E+ S=", "Ed S=" },
		/* Suspended */   { "Ee Se", "E= S+", "E+ S+", "Ed Sd" },
		/* Deleted */     { "Ee SF", "E= SF", "Ec SF", "Ed SF" },
		/* Factory Test */{ "Ee Se", "E= S+", "E+ S+", "Ed Sd" },
	},
	[PLAN_OFFLINE] = {
		{ "Ss Ee", "Ss E+", "Ss E=", "Ss Ed" },
		{ "SF Ee", "SF E+", "SF E=", "SF Ed" },
		{ "S+ Ee", "S+ E+", "S+ E=", "S+ Ed" },
		{ "S= Ee", "S= E+", "S= E=", "S= Ed" },
		{ "SF Ee", "SF E+", "SF E=", "SF Ed" },
		{ "SF Ee", "SF E+", "SF E=", "SF Ed" },
	},
	[PLAN_SIM_ACTIVATE] = {
		{ "Ss", "Ss", "Ss", "Ss" },
		{ "S+", "S+", "S+", "S+" },
		{ "S=", "S=", "S=", "S=" },
		{ "S+", "S+", "S+", "S+" },
		{ "SF", "SF", "SF", "SF" },
		{ "S+", "S+", "S+", "S+" },
	},
	[PLAN_SIM_SUSPEND] = {
		{ "Ss", "Ss", "Ss", "Ss" },
		{ "SF", "SF", "SF", "SF" },
		{ "S+", "S+", "S+", "S+" },
		{ "S=", "S=", "S=", "S=" },
		{ "SF", "SF", "SF", "SF" },
		{ "SF", "SF", "SF", "SF" },
	},
	[PLAN_ENDPOINT_ENABLE] = {
		{ "Ee", "E=", "Ex", "Ed" },
		{ "Ee", "E=", "E+", "Ed" },
		{ "Ee", "E=", "E+", "Ed" },
		{ "Ee", "E=", "E+", "Ed" },
		{ "Ee", "E=", "E+", "Ed" },
		{ "Ee", "E=", "E+", "Ed" },
	},
	[PLAN_ENDPOINT_DISABLE] = {
		{ "Ee", "E+", "E=", "Ed" },
		{ "Ee", "E+", "E=", "Ed" },
		{ "Ee", "E+", "E=", "Ed" },
		{ "Ee", "E+", "E=", "Ed" },
		{ "Ee", "E+", "E=", "Ed" },
		{ "Ee", "E+", "E=", "Ed" },
	},
};

/* Target statuses of each action: -2 where the action leaves that side alone. */
static const int sim_target[PLAN_ACTION_COUNT] = {
	[PLAN_ONLINE] = SIM_ACTIVATED, [PLAN_OFFLINE] = SIM_SUSPENDED, [PLAN_SIM_ACTIVATE] = SIM_ACTIVATED,
	[PLAN_SIM_SUSPEND] = SIM_SUSPENDED, [PLAN_ENDPOINT_ENABLE] = -2, [PLAN_ENDPOINT_DISABLE] = -2,
};
static const int endpoint_target[PLAN_ACTION_COUNT] = {
	[PLAN_ONLINE] = ENDPOINT_ENABLED, [PLAN_OFFLINE] = ENDPOINT_DISABLED, [PLAN_SIM_ACTIVATE] = -2,
	[PLAN_SIM_SUSPEND] = -2, [PLAN_ENDPOINT_ENABLE] = ENDPOINT_ENABLED,
	[PLAN_ENDPOINT_DISABLE] = ENDPOINT_DISABLED,
};

static enum plan_skip skip_of(char code)
{
	switch (code) {
	case '+': return SKIP_NONE;
	case '=': return SKIP_ALREADY;
	case 'F': return SKIP_FORBIDDEN;
	case 's': return SKIP_NO_SIM;
	case 'e': return SKIP_NO_ENDPOINT;
	case 'x': return SKIP_ENABLE_NO_SIM;
	case 'd': return SKIP_ENDPOINT_DELETED;
	case 'c': return SKIP_SIM_CANNOT_ACTIVATE;
	}
	fail_msg("bad code %c in the table", code);
	return SKIP_COUNT;
}

/* One device per (SIM status, endpoint status); the ids say which: 100 + 10 * row + column.
 * The device with neither is a row left vacant by a join. indexes[row][column]. */
static struct fleet *status_fleet(size_t indexes[SIMS][ENDPOINTS])
{
	struct fleet *fleet = fleet_new();
	bool vacant_found = false;

	for (size_t row = 0; row < SIMS; row++) {
		for (size_t column = 0; column < ENDPOINTS; column++) {
			int64_t id = (int64_t)(100 + 10 * row + column);
			int sim = sim_statuses[row], endpoint = endpoint_statuses[column];
			if (sim == SIM_NONE && endpoint == ENDPOINT_NONE)
				continue;
			if (endpoint == ENDPOINT_NONE) {
				struct sim_record record = { .id = id, .sim_status = sim };
				indexes[row][column] = fleet_add_sim(fleet, &record);
			} else {
				struct endpoint_record record = {
					.id = id, .endpoint_status = endpoint,
					.sim_id = sim == SIM_NONE ? 0 : id, .sim_status = sim,
				};
				indexes[row][column] = fleet_add_endpoint(fleet, &record);
			}
		}
	}
	/* Endpoint 9 and SIM 9 in rows of their own, then the endpoint claims the SIM. */
	struct endpoint_record lonely = { .id = 9, .endpoint_status = ENDPOINT_ENABLED, .sim_status = SIM_NONE };
	struct sim_record alone = { .id = 9, .sim_status = SIM_ACTIVATED };
	fleet_add_endpoint(fleet, &lonely);
	fleet_add_sim(fleet, &alone);
	lonely.sim_id = 9;
	lonely.sim_status = SIM_ACTIVATED;
	fleet_add_endpoint(fleet, &lonely);
	for (size_t i = 0; i < fleet_count(fleet); i++) {
		if (fleet_device_vacant(fleet_device(fleet, i))) {
			indexes[0][0] = i;
			vacant_found = true;
		}
	}
	assert_true(vacant_found);
	return fleet;
}

static void check_device(enum plan_action action, size_t row, size_t column, const struct plan_device *device)
{
	const char *want = expected[action][row][column];
	int64_t id = (int64_t)(100 + 10 * row + column);
	int sim = sim_statuses[row], endpoint = endpoint_statuses[column];
	int count = 0;
	char where[96];

	snprintf(where, sizeof(where), "%s, SIM %d, endpoint %d", plan_action_name(action), sim, endpoint);
	assert_int_equal(device->sim_status, sim);
	assert_int_equal(device->endpoint_status, endpoint);
	for (const char *code = want; *code; code += code[2] ? 3 : 2) {
		const struct plan_step *step = &device->steps[count];
		bool is_sim = code[0] == 'S';
		if (count >= device->step_count)
			fail_msg("%s: step %d missing", where, count);
		if (step->target != (is_sim ? STEP_SIM : STEP_ENDPOINT) || step->skip != skip_of(code[1]))
			fail_msg("%s: step %d is %s/%d, want %.2s", where, count,
				 step->target == STEP_SIM ? "S" : "E", step->skip, code);
		if (is_sim) {
			assert_int_equal(step->id, sim == SIM_NONE ? 0 : id);
			assert_int_equal(step->from, sim);
			assert_int_equal(step->to, sim_target[action]);
		} else {
			assert_int_equal(step->id, endpoint == ENDPOINT_NONE ? 0 : id);
			assert_int_equal(step->from, endpoint);
			assert_int_equal(step->to, endpoint_target[action]);
		}
		count++;
		if (!code[2])
			break;
	}
	if (device->step_count != count)
		fail_msg("%s: %d steps, want %d", where, device->step_count, count);
}

/* Every action against every pair of statuses, the vacant row included. */
static void test_action_table(void **state)
{
	(void)state;
	size_t indexes[SIMS][ENDPOINTS];
	struct fleet *fleet = status_fleet(indexes);

	for (int action = 0; action < PLAN_ACTION_COUNT; action++) {
		struct plan plan;
		plan_build(&plan, (enum plan_action)action, fleet, &indexes[0][0], SIMS * ENDPOINTS);
		assert_int_equal(plan.action, action);
		assert_int_equal(plan.count, SIMS * ENDPOINTS);
		for (size_t row = 0; row < SIMS; row++) {
			for (size_t column = 0; column < ENDPOINTS; column++) {
				const struct plan_device *device = &plan.devices[row * ENDPOINTS + column];
				if (row || column) {
					assert_int_equal(device->sim_id, sim_statuses[row] == SIM_NONE ? 0 : 100 + 10 * row + column);
					assert_int_equal(device->endpoint_id,
							 endpoint_statuses[column] == ENDPOINT_NONE ? 0 : 100 + 10 * row + column);
				}
				check_device((enum plan_action)action, row, column, device);
			}
		}
		plan_free(&plan);
	}
	fleet_free(fleet);
}

static void test_action_names(void **state)
{
	(void)state;
	const char *names[] = { "online", "offline", "sim-activate", "sim-suspend", "ep-enable", "ep-disable" };
	enum plan_action action;

	for (int i = 0; i < PLAN_ACTION_COUNT; i++) {
		assert_string_equal(plan_action_name((enum plan_action)i), names[i]);
		assert_true(plan_action_parse(names[i], &action));
		assert_int_equal(action, i);
	}
	assert_false(plan_action_parse("Online", &action));
	assert_false(plan_action_parse("", &action));
	assert_false(plan_action_parse("online ", &action));
	assert_string_equal(plan_action_text(PLAN_OFFLINE), "SIM Suspended and endpoint Disabled");
	assert_string_equal(plan_action_name(PLAN_ACTION_COUNT), "");
}

/* The device with these statuses in a plan of the status fleet. */
static const struct plan_device *find(const struct plan *plan, int sim, int endpoint)
{
	for (size_t i = 0; i < plan->count; i++)
		if (plan->devices[i].sim_status == sim && plan->devices[i].endpoint_status == endpoint)
			return &plan->devices[i];
	fail_msg("no device with SIM %d and endpoint %d", sim, endpoint);
	abort(); /* not reached: fail_msg jumps out */
}

static void assert_reason(const struct plan *plan, const struct plan_step *step, const char *want)
{
	char buffer[96];
	assert_string_equal(plan_skip_text(plan, step, buffer, sizeof(buffer)), want);
}

static void test_skip_texts(void **state)
{
	(void)state;
	size_t indexes[SIMS][ENDPOINTS];
	struct fleet *fleet = status_fleet(indexes);
	struct plan online, offline, enable, suspend;
	const struct plan_device *device;
	struct plan_step copy;

	plan_build(&online, PLAN_ONLINE, fleet, &indexes[0][0], SIMS * ENDPOINTS);
	plan_build(&offline, PLAN_OFFLINE, fleet, &indexes[0][0], SIMS * ENDPOINTS);
	plan_build(&enable, PLAN_ENDPOINT_ENABLE, fleet, &indexes[0][0], SIMS * ENDPOINTS);
	plan_build(&suspend, PLAN_SIM_SUSPEND, fleet, &indexes[0][0], SIMS * ENDPOINTS);
	/* The plan copied what it needs. */
	fleet_free(fleet);

	device = find(&online, SIM_ACTIVATED, ENDPOINT_ENABLED);
	assert_reason(&online, &device->steps[0], "already online");
	assert_reason(&online, &device->steps[1], "already online");
	copy = device->steps[0];
	assert_reason(&online, &copy, "endpoint already Enabled");

	device = find(&online, SIM_ACTIVATED, ENDPOINT_DISABLED);
	assert_reason(&online, &device->steps[0], "");
	assert_reason(&online, &device->steps[1], "SIM already Activated");

	device = find(&online, SIM_DELETED, ENDPOINT_DISABLED);
	assert_reason(&online, &device->steps[0], "SIM Deleted cannot be activated");
	assert_reason(&online, &device->steps[1], "SIM Deleted cannot be activated");
	copy = device->steps[0];
	assert_reason(&online, &copy, "the SIM cannot be activated");

	device = find(&online, SIM_NONE, ENDPOINT_DISABLED);
	assert_reason(&online, &device->steps[0], "the device has no SIM");
	assert_reason(&online, &device->steps[1], "the device has no SIM");

	device = find(&online, SIM_ISSUED, ENDPOINT_DELETED);
	assert_reason(&online, &device->steps[0], "the endpoint is deleted");
	assert_reason(&online, &device->steps[1], "the endpoint is deleted");

	device = find(&online, SIM_SUSPENDED, ENDPOINT_NONE);
	assert_reason(&online, &device->steps[0], "the device has no endpoint");
	assert_reason(&online, &device->steps[1], "the device has no endpoint");

	device = find(&offline, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_reason(&offline, &device->steps[0], "already offline");
	device = find(&offline, SIM_ISSUED, ENDPOINT_DISABLED);
	assert_reason(&offline, &device->steps[0], "SIM Issued cannot be suspended");
	assert_reason(&offline, &device->steps[1], "endpoint already Disabled");
	device = find(&offline, SIM_FACTORY_TEST, ENDPOINT_ENABLED);
	assert_reason(&offline, &device->steps[0], "SIM Factory Test cannot be suspended");
	device = find(&offline, SIM_SUSPENDED, ENDPOINT_ENABLED);
	assert_reason(&offline, &device->steps[0], "SIM already Suspended");

	device = find(&enable, SIM_NONE, ENDPOINT_DISABLED);
	assert_reason(&enable, &device->steps[0], "an endpoint without a SIM cannot be enabled");
	device = find(&enable, SIM_ACTIVATED, ENDPOINT_ENABLED);
	assert_reason(&enable, &device->steps[0], "endpoint already Enabled");
	device = find(&suspend, SIM_DELETED, ENDPOINT_ENABLED);
	assert_reason(&suspend, &device->steps[0], "SIM Deleted cannot be suspended");
	device = find(&suspend, SIM_SUSPENDED, ENDPOINT_ENABLED);
	assert_reason(&suspend, &device->steps[0], "SIM already Suspended");

	plan_free(&online);
	plan_free(&offline);
	plan_free(&enable);
	plan_free(&suspend);
}

/* A fleet of count devices per (SIM, endpoint) pair listed; ids from next_id on. */
struct group {
	int sim, endpoint, count;
};

static struct fleet *group_fleet(const struct group *groups, size_t group_count, size_t **indexes, size_t *count)
{
	struct fleet *fleet = fleet_new();
	int64_t id = 1;

	*count = 0;
	for (size_t g = 0; g < group_count; g++)
		*count += (size_t)groups[g].count;
	*indexes = xcalloc(*count, sizeof(**indexes));
	*count = 0;
	for (size_t g = 0; g < group_count; g++) {
		for (int i = 0; i < groups[g].count; i++, id++) {
			if (groups[g].endpoint == ENDPOINT_NONE) {
				struct sim_record record = { .id = id, .sim_status = groups[g].sim };
				(*indexes)[(*count)++] = fleet_add_sim(fleet, &record);
			} else {
				struct endpoint_record record = {
					.id = id, .endpoint_status = groups[g].endpoint,
					.sim_id = groups[g].sim == SIM_NONE ? 0 : id, .sim_status = groups[g].sim,
				};
				(*indexes)[(*count)++] = fleet_add_endpoint(fleet, &record);
			}
		}
	}
	return fleet;
}

static size_t transition(const struct plan_summary *summary, enum step_target target, int from, int to)
{
	for (size_t i = 0; i < summary->transition_count; i++) {
		const struct plan_transition_count *t = &summary->transitions[i];
		if (t->target == target && t->from == from && t->to == to)
			return t->count;
	}
	return 0;
}

static size_t skipped(const struct plan_summary *summary, const char *reason)
{
	for (size_t i = 0; i < summary->skip_count; i++)
		if (strcmp(summary->skips[i].reason, reason) == 0)
			return summary->skips[i].count;
	return 0;
}

static void summarize(enum plan_action action, const struct group *groups, size_t group_count,
		      struct plan_summary *summary, struct plan *plan)
{
	size_t *indexes, count;
	struct fleet *fleet = group_fleet(groups, group_count, &indexes, &count);

	plan_build(plan, action, fleet, indexes, count);
	plan_summarize(plan, summary);
	free(indexes);
	fleet_free(fleet);
}

static void test_summary_offline(void **state)
{
	(void)state;
	const struct group groups[] = {
		{ SIM_ACTIVATED, ENDPOINT_ENABLED, 3 },
		{ SIM_SUSPENDED, ENDPOINT_DISABLED, 2 },
		{ SIM_ISSUED, ENDPOINT_DISABLED, 2 },
		{ SIM_ISSUED, ENDPOINT_ENABLED, 1 },
		{ SIM_ACTIVATED, ENDPOINT_DISABLED, 1 },
		{ SIM_ACTIVATED, ENDPOINT_NONE, 1 },
		{ SIM_NONE, ENDPOINT_ENABLED, 1 },
		{ SIM_DELETED, ENDPOINT_ENABLED, 1 },
	};
	struct plan_summary summary;
	struct plan plan;

	summarize(PLAN_OFFLINE, groups, ARRAY_SIZE(groups), &summary, &plan);
	assert_int_equal(summary.transition_count, 2);
	/* SIMs first: the first device's first step is the SIM's. */
	assert_int_equal(summary.transitions[0].target, STEP_SIM);
	assert_int_equal(transition(&summary, STEP_SIM, SIM_ACTIVATED, SIM_SUSPENDED), 5);
	assert_int_equal(transition(&summary, STEP_ENDPOINT, ENDPOINT_ENABLED, ENDPOINT_DISABLED), 6);
	assert_int_equal(summary.skip_count, 6);
	assert_int_equal(skipped(&summary, "already offline"), 2);
	assert_int_equal(skipped(&summary, "SIM Issued cannot be suspended"), 3);
	assert_int_equal(skipped(&summary, "endpoint already Disabled"), 3);
	assert_int_equal(skipped(&summary, "the device has no endpoint"), 1);
	assert_int_equal(skipped(&summary, "the device has no SIM"), 1);
	assert_int_equal(skipped(&summary, "SIM Deleted cannot be suspended"), 1);
	assert_int_equal(summary.devices_changed, 8);
	assert_int_equal(summary.devices_unchanged, 4);
	assert_int_equal(summary.steps, 11);
	assert_int_equal(plan_sends(&plan), 11);
	assert_int_equal(summary.activations, 0);
	assert_int_equal(summary.billed_offline, 0);

	/* 11 PATCHes at 5 per second. */
	assert_true(plan_estimate_seconds(&plan, 5) > 2.199 && plan_estimate_seconds(&plan, 5) < 2.201);
	assert_true(plan_estimate_seconds(&plan, 0) == 0);
	assert_true(plan_estimate_seconds(&plan, -1) == 0);
	plan_free(&plan);
}

static void test_summary_online(void **state)
{
	(void)state;
	const struct group groups[] = {
		{ SIM_ISSUED, ENDPOINT_DISABLED, 2 },
		{ SIM_SUSPENDED, ENDPOINT_ENABLED, 1 },
		{ SIM_DELETED, ENDPOINT_DISABLED, 2 },
		{ SIM_ACTIVATED, ENDPOINT_ENABLED, 1 },
		{ SIM_NONE, ENDPOINT_DISABLED, 1 },
		{ SIM_ISSUED, ENDPOINT_NONE, 1 },
		{ SIM_ACTIVATED, ENDPOINT_DISABLED, 1 },
	};
	struct plan_summary summary;
	struct plan plan;

	summarize(PLAN_ONLINE, groups, ARRAY_SIZE(groups), &summary, &plan);
	assert_int_equal(summary.transition_count, 3);
	assert_int_equal(transition(&summary, STEP_ENDPOINT, ENDPOINT_DISABLED, ENDPOINT_ENABLED), 3);
	assert_int_equal(transition(&summary, STEP_SIM, SIM_ISSUED, SIM_ACTIVATED), 2);
	assert_int_equal(transition(&summary, STEP_SIM, SIM_SUSPENDED, SIM_ACTIVATED), 1);
	/* Each device counts once under a reason both its steps give. */
	assert_int_equal(summary.skip_count, 6);
	assert_int_equal(skipped(&summary, "SIM Deleted cannot be activated"), 2);
	assert_int_equal(skipped(&summary, "endpoint already Enabled"), 1);
	assert_int_equal(skipped(&summary, "already online"), 1);
	assert_int_equal(skipped(&summary, "the device has no SIM"), 1);
	assert_int_equal(skipped(&summary, "the device has no endpoint"), 1);
	assert_int_equal(skipped(&summary, "SIM already Activated"), 1);
	assert_int_equal(summary.devices_changed, 4);
	assert_int_equal(summary.devices_unchanged, 5);
	assert_int_equal(summary.steps, 6);
	assert_int_equal(summary.activations, 3);
	assert_int_equal(summary.billed_offline, 0);
	plan_free(&plan);
}

/* Activated SIMs left behind disabled endpoints, by the plan or before it. */
static void test_summary_billed(void **state)
{
	(void)state;
	const struct group groups[] = {
		{ SIM_ACTIVATED, ENDPOINT_ENABLED, 2 },
		{ SIM_SUSPENDED, ENDPOINT_ENABLED, 1 },
		{ SIM_ACTIVATED, ENDPOINT_DISABLED, 1 },
		{ SIM_ACTIVATED, ENDPOINT_NONE, 1 },
	};
	const struct group suspended[] = {
		{ SIM_SUSPENDED, ENDPOINT_DISABLED, 4 },
		{ SIM_SUSPENDED, ENDPOINT_ENABLED, 1 },
		{ SIM_ISSUED, ENDPOINT_NONE, 1 },
	};
	struct plan_summary summary;
	struct plan plan;

	summarize(PLAN_ENDPOINT_DISABLE, groups, ARRAY_SIZE(groups), &summary, &plan);
	assert_int_equal(summary.billed_offline, 3);
	assert_int_equal(summary.activations, 0);
	assert_int_equal(summary.steps, 3);
	assert_int_equal(skipped(&summary, "endpoint already Disabled"), 1);
	assert_int_equal(skipped(&summary, "the device has no endpoint"), 1);
	plan_free(&plan);

	summarize(PLAN_SIM_ACTIVATE, suspended, ARRAY_SIZE(suspended), &summary, &plan);
	assert_int_equal(summary.billed_offline, 4);
	assert_int_equal(summary.activations, 6);
	assert_int_equal(transition(&summary, STEP_SIM, SIM_SUSPENDED, SIM_ACTIVATED), 5);
	assert_int_equal(transition(&summary, STEP_SIM, SIM_ISSUED, SIM_ACTIVATED), 1);
	assert_int_equal(summary.skip_count, 0);
	plan_free(&plan);

	summarize(PLAN_OFFLINE, groups, ARRAY_SIZE(groups), &summary, &plan);
	assert_int_equal(summary.billed_offline, 0);
	plan_free(&plan);
}

/* 100,000 devices: built and summed up in well under a second. */
/* A SIM two endpoints claim never gets a PATCH from a bulk action, whichever row holds it;
 * the plan says why. Endpoint steps go on where they stop traffic (offline, ep-disable). */
static void test_shared_sim_skipped(void **state)
{
	(void)state;
	struct fleet *fleet = fleet_new();
	struct endpoint_record first = {
		.id = 50, .endpoint_status = ENDPOINT_ENABLED, .sim_id = 5, .sim_status = SIM_ACTIVATED,
	};
	struct endpoint_record second = first, plain = first;
	second.id = 51;
	plain.id = 60;
	plain.sim_id = 6;
	size_t devices[3] = {
		fleet_add_endpoint(fleet, &first), fleet_add_endpoint(fleet, &second), fleet_add_endpoint(fleet, &plain),
	};
	assert_true(fleet_device(fleet, devices[1])->odd & DEVICE_ODD_SHARED_SIM);
	char reason[96];

	for (int action = 0; action < PLAN_ACTION_COUNT; action++) {
		struct plan plan;
		plan_build(&plan, (enum plan_action)action, fleet, devices, 3);
		for (size_t i = 0; i < plan.count; i++) {
			for (int s = 0; s < plan.devices[i].step_count; s++) {
				const struct plan_step *step = &plan.devices[i].steps[s];
				if (step->target == STEP_SIM && step->id == 5) {
					assert_int_equal(step->skip, SKIP_SIM_SHARED);
					assert_string_equal(plan_skip_text(&plan, step, reason, sizeof(reason)),
							    "the SIM is claimed by more than one endpoint");
				}
			}
		}
		plan_free(&plan);
	}

	struct plan plan;
	struct plan_summary summary;
	plan_build(&plan, PLAN_OFFLINE, fleet, devices, 3);
	plan_summarize(&plan, &summary);
	assert_int_equal(transition(&summary, STEP_SIM, SIM_ACTIVATED, SIM_SUSPENDED), 1);
	assert_int_equal(transition(&summary, STEP_ENDPOINT, ENDPOINT_ENABLED, ENDPOINT_DISABLED), 3);
	assert_int_equal(skipped(&summary, "the SIM is claimed by more than one endpoint"), 2);
	plan_free(&plan);

	/* Online sends nothing for them: an endpoint enabled while its SIM stays as it is. */
	plan_build(&plan, PLAN_ONLINE, fleet, devices, 2);
	plan_summarize(&plan, &summary);
	assert_int_equal(plan_sends(&plan), 0);
	assert_int_equal(plan.devices[0].steps[0].skip, SKIP_SIM_SHARED);
	assert_int_equal(summary.skip_count, 1);
	assert_int_equal(skipped(&summary, "the SIM is claimed by more than one endpoint"), 2);
	plan_free(&plan);
	fleet_free(fleet);
}

static void test_large_plan(void **state)
{
	(void)state;
	const struct group groups[] = {
		{ SIM_ACTIVATED, ENDPOINT_ENABLED, 60000 },
		{ SIM_SUSPENDED, ENDPOINT_DISABLED, 30000 },
		{ SIM_ISSUED, ENDPOINT_DISABLED, 10000 },
	};
	size_t *indexes, count;
	struct fleet *fleet = group_fleet(groups, ARRAY_SIZE(groups), &indexes, &count);
	struct plan_summary summary;
	struct plan plan;

	plan_build(&plan, PLAN_OFFLINE, fleet, indexes, count);
	plan_summarize(&plan, &summary);
	assert_int_equal(summary.steps, 120000);
	assert_int_equal(summary.devices_changed, 60000);
	assert_int_equal(skipped(&summary, "already offline"), 30000);
	assert_int_equal(skipped(&summary, "SIM Issued cannot be suspended"), 10000);
	assert_int_equal(skipped(&summary, "endpoint already Disabled"), 10000);
	plan_free(&plan);
	free(indexes);
	fleet_free(fleet);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_action_table),
		cmocka_unit_test(test_action_names),
		cmocka_unit_test(test_skip_texts),
		cmocka_unit_test(test_summary_offline),
		cmocka_unit_test(test_summary_online),
		cmocka_unit_test(test_summary_billed),
		cmocka_unit_test(test_shared_sim_skipped),
		cmocka_unit_test(test_large_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
