/* plan.h — what a bulk action will do to each device, before anything is sent.
 *
 * An action turns into at most two steps per device, in emnify's order: charges start last and
 * stop first, so online enables the endpoint and then activates the SIM, and offline suspends
 * the SIM and then disables the endpoint. Every device keeps all the steps of its action (two
 * for online and offline, one for the single-sided actions) in the order they would be sent;
 * a step that will not be sent carries the reason (skip). Never sent:
 * - a step already in its target state (ALREADY);
 * - a SIM change emnify forbids, model_sim_transition_allowed (FORBIDDEN);
 * - a change to a side that is missing — id 0, or a status not known yet (NO_SIM,
 *   NO_ENDPOINT) — or to a Deleted endpoint (ENDPOINT_DELETED);
 * - enabling an endpoint without a SIM, which emnify answers with 409 (ENABLE_NO_SIM);
 * - any change to a SIM that more than one endpoint claims (DEVICE_ODD_SHARED_SIM, fleet.h):
 *   which device it serves is unknown, so a change might start or stop charges, or traffic,
 *   on a device nobody chose (SIM_SHARED). It goes before every reason but NO_SIM.
 * Pairs:
 * - online: when the SIM cannot be activated (forbidden, e.g. Deleted, or missing), the
 *   endpoint is not enabled either (SIM_CANNOT_ACTIVATE, or ENABLE_NO_SIM): an enabled
 *   endpoint whose SIM stays off carries no traffic and only looks online. When the endpoint
 *   is missing or Deleted, the SIM is not activated either (its step carries NO_ENDPOINT or
 *   ENDPOINT_DELETED): emnify would charge for a SIM no endpoint can use; sim-activate does
 *   that for whoever means it.
 * - offline: when the SIM cannot be suspended (e.g. Issued), the endpoint is still disabled:
 *   that stops traffic, and Issued + Disabled is the aligned "new" state. The same holds for a
 *   shared SIM: the endpoint is disabled, the SIM left alone.
 * - online with a shared SIM: neither step is sent, the endpoint's with the SIM's reason.
 * A resumed job's plan is rebased on what was read back (job_rebase(), job.h): a step found
 * in its target state is ALREADY, one found in neither its from nor its target state is
 * CHANGED (with the later steps of its device), and the steps of a device that could not be
 * read are UNREAD.
 * Skip kinds say why, not which side: a step skipped for the other side's sake carries that
 * side's kind. Pure data: no I/O, no curl. */
#ifndef SIMTOP_PLAN_H
#define SIMTOP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fleet.h"

/* _(ID, name on the command line, what it does) */
#define PLAN_ACTION_LIST(_) \
	_(ONLINE,           "online",       "SIM Activated and endpoint Enabled") \
	_(OFFLINE,          "offline",      "SIM Suspended and endpoint Disabled") \
	_(SIM_ACTIVATE,     "sim-activate", "SIM Activated") \
	_(SIM_SUSPEND,      "sim-suspend",  "SIM Suspended") \
	_(ENDPOINT_ENABLE,  "ep-enable",    "endpoint Enabled") \
	_(ENDPOINT_DISABLE, "ep-disable",   "endpoint Disabled")

enum plan_action {
#define PLAN_ACTION_ENUM(id, name, text) PLAN_##id,
	PLAN_ACTION_LIST(PLAN_ACTION_ENUM)
#undef PLAN_ACTION_ENUM
	PLAN_ACTION_COUNT
};

const char *plan_action_name(enum plan_action action);
const char *plan_action_text(enum plan_action action);
bool plan_action_parse(const char *name, enum plan_action *action);

enum step_target { STEP_SIM, STEP_ENDPOINT };

/* The name of a SIM status (STEP_SIM) or an endpoint status, as model.h has it; unnamed when
 * it has none (a missing side, an id simtop does not know): each caller says what stands
 * there then, "none" in a sentence, "-" in a table. */
const char *plan_status_name(enum step_target target, int status, const char *unnamed);

/* _(ID, text) — why a step is not planned. */
#define PLAN_SKIP_LIST(_) \
	_(NONE,         "") \
	_(ALREADY,      "already in the target state") \
	_(FORBIDDEN,    "emnify does not allow this SIM change") \
	_(NO_SIM,       "the device has no SIM") \
	_(NO_ENDPOINT,  "the device has no endpoint") \
	_(ENABLE_NO_SIM, "an endpoint without a SIM cannot be enabled") \
	_(ENDPOINT_DELETED, "the endpoint is deleted") \
	_(SIM_CANNOT_ACTIVATE, "the SIM cannot be activated") \
	_(SIM_SHARED,   "the SIM is claimed by more than one endpoint") \
	_(CHANGED,      "changed elsewhere since the job started") \
	_(UNREAD,       "could not be read back before resuming")

enum plan_skip {
#define PLAN_SKIP_ENUM(id, text) SKIP_##id,
	PLAN_SKIP_LIST(PLAN_SKIP_ENUM)
#undef PLAN_SKIP_ENUM
	SKIP_COUNT
};

struct plan_step {
	enum step_target target;
	int64_t id;         /* the SIM id or the endpoint id */
	int from, to;       /* status ids; from as loaded */
	enum plan_skip skip; /* SKIP_NONE: the step will be sent */
};

struct plan_device {
	int64_t sim_id, endpoint_id;      /* 0 when absent */
	int sim_status, endpoint_status;  /* as loaded */
	struct plan_step steps[2];        /* in the order they are sent */
	int step_count;
};

struct plan {
	enum plan_action action;
	struct plan_device *devices;
	size_t count;
	size_t fleet_endpoints; /* endpoints in the fleet it was built from: reading the devices
				 * back by listing endpoints takes that many divided by a page's */
};

/* Build the plan for the given devices (indexes into fleet, each < fleet_count). The plan owns
 * its memory and copies what it needs: the fleet may change afterwards. O(count). */
void plan_build(struct plan *plan, enum plan_action action, const struct fleet *fleet,
		const size_t *devices, size_t count);
void plan_free(struct plan *plan);

/* Steps that will be sent (skip == SKIP_NONE) for one device, and for the whole plan. */
int plan_device_sends(const struct plan_device *device);
size_t plan_sends(const struct plan *plan);

/* A human reason for a skipped step: "SIM Issued cannot be suspended", "already offline",
 * "the device has no SIM". Into buffer; returns buffer ("" for a step that is sent).
 * The words look at the whole device when step lies in plan->devices: "already online" when
 * both steps of a pair are there already (else "SIM already Activated"), and both steps of a
 * pair that online cannot start give the same reason ("SIM Deleted cannot be activated", "the
 * device has no SIM"), so the device counts once under it. A step copied out of the plan gets
 * the words of its own side. */
const char *plan_skip_text(const struct plan *plan, const struct plan_step *step, char *buffer, size_t size);

/* What the confirmation shows. */
struct plan_transition_count {
	enum step_target target;
	int from, to;
	size_t count;
};
struct plan_skip_count {
	char reason[96];     /* as plan_skip_text words it; "other reasons" gathers any past 16 */
	size_t count;        /* devices; a device counts once under each of its reasons */
};
struct plan_summary {
	struct plan_transition_count transitions[16];
	size_t transition_count;
	struct plan_skip_count skips[16];
	size_t skip_count;
	size_t devices_changed;   /* devices with at least one step to send */
	size_t devices_unchanged; /* devices with nothing to send */
	size_t steps;             /* PATCH calls to send */
	size_t activations;       /* SIMs this plan activates: emnify charges for them */
	size_t billed_offline;    /* devices left with an Activated SIM behind a Disabled endpoint
				   * once the plan is through (whether the plan or an earlier
				   * change put them there) */
};
void plan_summarize(const struct plan *plan, struct plan_summary *summary);

/* Seconds the sends take at rate requests per second (rate <= 0: unknown, returns 0). */
double plan_estimate_seconds(const struct plan *plan, double rate);

#endif
