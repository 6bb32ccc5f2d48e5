/* test_plan_text.c — the words of plans and jobs (plan_text.h): counts whose nouns agree with
 * them, the estimate, the progress line with its rate labelled, devices by name and ICCID,
 * what a job did to each, and lines fitted to a width. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>

#include "fleet.h"
#include "plan.h"
#include "plan_text.h"
#include "text.h"
#include "util.h"

/* A device of a test fleet: endpoint id (0: a SIM alone), its SIM (0: none), statuses, texts. */
struct named {
	int64_t endpoint_id, sim_id;
	int sim_status, endpoint_status;
	const char *name, *iccid;
};

static struct fleet *named_fleet(const struct named *devices, size_t count, size_t *indexes)
{
	struct fleet *fleet = fleet_new();
	for (size_t i = 0; i < count; i++) {
		const struct named *device = &devices[i];
		if (device->endpoint_id == 0) {
			struct sim_record record = { .id = device->sim_id, .sim_status = device->sim_status,
						     .iccid = device->iccid };
			indexes[i] = fleet_add_sim(fleet, &record);
		} else {
			struct endpoint_record record = {
				.id = device->endpoint_id, .endpoint_status = device->endpoint_status,
				.name = device->name, .sim_id = device->sim_id, .sim_status = device->sim_status,
				.iccid = device->iccid,
			};
			indexes[i] = fleet_add_endpoint(fleet, &record);
		}
	}
	return fleet;
}

/* Nouns agree with their counts, which carry thousands separators. */
static void test_counts_agree(void **state)
{
	(void)state;
	char line[512];
	assert_string_equal(plan_text_count(1, "device", "devices", line, sizeof(line)), "1 device");
	assert_string_equal(plan_text_count(2, "device", "devices", line, sizeof(line)), "2 devices");
	assert_string_equal(plan_text_count(0, "device", "devices", line, sizeof(line)), "0 devices");
	assert_string_equal(plan_text_count(1234567, "change", "changes", line, sizeof(line)), "1,234,567 changes");

	struct plan_transition_count one = { STEP_SIM, SIM_ACTIVATED, SIM_SUSPENDED, 1 };
	struct plan_transition_count many = { STEP_ENDPOINT, ENDPOINT_ENABLED, ENDPOINT_DISABLED, 1234 };
	struct plan_transition_count one_endpoint = { STEP_ENDPOINT, ENDPOINT_DISABLED, ENDPOINT_ENABLED, 1 };
	assert_string_equal(plan_text_transition(&one, false, line, sizeof(line)), "1 SIM Activated \u2192 Suspended");
	assert_string_equal(plan_text_transition(&many, true, line, sizeof(line)), "1,234 endpoints Enabled -> Disabled");
	assert_string_equal(plan_text_transition(&one_endpoint, true, line, sizeof(line)),
			    "1 endpoint Disabled -> Enabled");
	struct plan_skip_count skip = { "already offline", 2500 };
	assert_string_equal(plan_text_skip(&skip, line, sizeof(line)), "2,500 skipped: already offline");

	struct plan_summary summary = { .activations = 1 };
	assert_string_equal(plan_text_charges(&summary, line, sizeof(line)), "This plan activates 1 SIM.");
	summary = (struct plan_summary){ .activations = 2, .billed_offline = 1 };
	assert_string_equal(plan_text_charges(&summary, line, sizeof(line)),
			    "This plan activates 2 SIMs and leaves 1 Activated SIM behind disabled endpoints.");
	summary = (struct plan_summary){ .billed_offline = 3 };
	assert_string_equal(plan_text_charges(&summary, line, sizeof(line)),
			    "This plan leaves 3 Activated SIMs behind disabled endpoints.");
	summary = (struct plan_summary){ 0 };
	assert_null(plan_text_charges(&summary, line, sizeof(line)));
}

/* The calls by kind, each noun agreeing with its count, and the kinds that make none left out. */
static void test_estimate(void **state)
{
	(void)state;
	char line[512];
	struct named devices[3];
	size_t indexes[3];
	for (int i = 0; i < 3; i++)
		devices[i] = (struct named){ 10 + i, 20 + i, SIM_ACTIVATED, ENDPOINT_ENABLED, "pump", "8988" };
	struct fleet *fleet = named_fleet(devices, 3, indexes);
	struct transport transport = { .bulk_max = 2000, .list_per_page = 1000, .rate = 10, .window_calls = 1900,
				       .window_ms = 300000 };

	/* 3 devices offline in a fleet of 3,000 endpoints: 3 SIM changes, 1 bulk call, and 3
	 * GETs to read back (the list would take as many pages). */
	struct plan plan;
	plan_build(&plan, PLAN_OFFLINE, fleet, indexes, 3);
	plan.fleet_endpoints = 3000;
	assert_string_equal(plan_text_estimate(&plan, NULL, &transport, true, line, sizeof(line)),
			    "7 requests (3 SIM changes, 1 bulk call, 3 read-backs): about 1 s at 10.0/s, "
			    "at most 1,900 per 5 min.");
	assert_string_equal(plan_text_estimate(&plan, NULL, &transport, false, line, sizeof(line)),
			    "7 requests (3 SIM changes, 1 bulk call, 3 read-backs): about 1 s at 10.0/s.");
	transport.rate = 0;
	assert_string_equal(plan_text_estimate(&plan, NULL, &transport, true, line, sizeof(line)),
			    "7 requests (3 SIM changes, 1 bulk call, 3 read-backs), as fast as the API answers.");
	plan_free(&plan);

	/* One device, one SIM change: singulars, and no bulk call to speak of. */
	transport.rate = 10;
	plan_build(&plan, PLAN_SIM_SUSPEND, fleet, indexes, 1);
	plan.fleet_endpoints = 3000;
	assert_string_equal(plan_text_estimate(&plan, NULL, &transport, false, line, sizeof(line)),
			    "2 requests (1 SIM change, 1 read-back): under 1 s at 10.0/s.");
	plan_free(&plan);

	/* Nothing to send: nothing but the count. */
	plan_build(&plan, PLAN_ONLINE, fleet, indexes, 1);
	assert_string_equal(plan_text_estimate(&plan, NULL, &transport, false, line, sizeof(line)),
			    "0 requests: under 1 s at 10.0/s.");
	plan_free(&plan);
	fleet_free(fleet);
}

/* "N done · M failed · K left · R requests/s · ETA", or what the job waits for instead of
 * the ETA. */
static void test_progress(void **state)
{
	(void)state;
	char line[512];
	struct job_progress progress = { .done = 1200, .failed = 1, .remaining = 30, .rate = 6.25, .eta_seconds = 75 };
	assert_string_equal(plan_text_progress(&progress, line, sizeof(line)),
			    "1,200 done \u00b7 1 failed \u00b7 30 left \u00b7 6.2 requests/s \u00b7 ETA 1:15");
	progress = (struct job_progress){ .done = 59, .remaining = 0, .verifying = 1, .rate = 1 };
	assert_string_equal(plan_text_progress(&progress, line, sizeof(line)),
			    "59 done \u00b7 0 failed \u00b7 0 left \u00b7 1.0 requests/s \u00b7 reading back 1 device");
	progress.verifying = 60;
	assert_non_null(strstr(plan_text_progress(&progress, line, sizeof(line)), " \u00b7 reading back 60 devices"));
	progress = (struct job_progress){ .remaining = 3, .eta_seconds = 4, .paused_seconds = 11.6 };
	snprintf(progress.pause_reason, sizeof(progress.pause_reason), "rate limited, HTTP 429");
	assert_string_equal(plan_text_progress(&progress, line, sizeof(line)),
			    "0 done \u00b7 0 failed \u00b7 3 left \u00b7 0.0 requests/s \u00b7 paused 12 s: rate limited, "
			    "HTTP 429");
	/* Cut where the buffer ends, not past it. */
	char small[24];
	plan_text_progress(&progress, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* "水泵-" eight times, without the last dash: 39 columns. */
#define WIDE_NAME "\u6c34\u6cf5-\u6c34\u6cf5-\u6c34\u6cf5-\u6c34\u6cf5-\u6c34\u6cf5-\u6c34\u6cf5-\u6c34\u6cf5-\u6c34\u6cf5"

/* Devices by name and ICCID, or by their ids; what the plan does to each. */
static void test_devices(void **state)
{
	(void)state;
	char line[512];
	const struct named devices[] = {
		{ 11, 21, SIM_ACTIVATED, ENDPOINT_ENABLED, "pump-0412", "8988303000012345678" },
		{ 12, 22, SIM_ACTIVATED, ENDPOINT_DISABLED, "", "8988303000012345679" },
		{ 13, 23, SIM_SUSPENDED, ENDPOINT_DISABLED, "a very long device name that goes on and on", "8988" },
		{ 0, 24, SIM_ISSUED, ENDPOINT_NONE, NULL, NULL },
		{ 15, 25, SIM_ISSUED, ENDPOINT_ENABLED, WIDE_NAME, NULL },
	};
	size_t indexes[ARRAY_SIZE(devices)];
	struct fleet *fleet = named_fleet(devices, ARRAY_SIZE(devices), indexes);
	struct plan plan;
	plan_build(&plan, PLAN_OFFLINE, fleet, indexes, ARRAY_SIZE(devices));

	assert_string_equal(plan_text_device(fleet, &plan.devices[0], false, line, sizeof(line)),
			    "pump-0412, ICCID 8988303000012345678");
	assert_string_equal(plan_text_device(fleet, &plan.devices[1], false, line, sizeof(line)),
			    "endpoint 12, ICCID 8988303000012345679");
	assert_string_equal(plan_text_device(fleet, &plan.devices[2], false, line, sizeof(line)),
			    "a very long device name that go\u2026, ICCID 8988");
	assert_string_equal(plan_text_device(fleet, &plan.devices[2], true, line, sizeof(line)),
			    "a very long device name that go~, ICCID 8988");
	assert_string_equal(plan_text_device(fleet, &plan.devices[3], false, line, sizeof(line)), "SIM 24");
	/* Wide characters count two columns: the name's 39 are cut to 32 at most, the ellipsis included. */
	plan_text_device(fleet, &plan.devices[4], false, line, sizeof(line));
	assert_true(text_width(line) <= PLAN_TEXT_NAME_COLUMNS);
	assert_non_null(strstr(line, "\u2026"));

	assert_string_equal(plan_text_device_steps(&plan, &plan.devices[0], false, line, sizeof(line)),
			    "SIM Activated \u2192 Suspended, then endpoint Enabled \u2192 Disabled");
	assert_string_equal(plan_text_device_steps(&plan, &plan.devices[1], true, line, sizeof(line)),
			    "SIM Activated -> Suspended; skipped: endpoint already Disabled");
	assert_string_equal(plan_text_device_steps(&plan, &plan.devices[2], false, line, sizeof(line)),
			    "skipped: already offline");
	assert_string_equal(plan_text_device_steps(&plan, &plan.devices[3], false, line, sizeof(line)),
			    "skipped: SIM Issued cannot be suspended; the device has no endpoint");
	assert_string_equal(plan_text_device_steps(&plan, &plan.devices[4], false, line, sizeof(line)),
			    "skipped: SIM Issued cannot be suspended; endpoint Enabled \u2192 Disabled");

	/* The fleet no longer holds it: its ids. */
	struct plan_device gone = { .endpoint_id = 99, .sim_id = 98 };
	assert_string_equal(plan_text_device(fleet, &gone, false, line, sizeof(line)), "endpoint 99");
	plan_free(&plan);
	fleet_free(fleet);
}

/* What happened to a device, in words, and the counts of a whole job. */
static void test_outcomes(void **state)
{
	(void)state;
	char line[512];
	struct plan_device offline = { .step_count = 2, .steps = { { .target = STEP_SIM }, { .target = STEP_ENDPOINT } } };
	struct plan_device online = { .step_count = 2, .steps = { { .target = STEP_ENDPOINT }, { .target = STEP_SIM } } };
	struct job_device_result result = { .outcome = JOB_FAILED, .sim_status = SIM_ACTIVATED,
					    .endpoint_status = ENDPOINT_ENABLED, .read_back = true };
	assert_string_equal(plan_text_outcome(&offline, &result, line, sizeof(line)), "failed: nothing changed");
	assert_string_equal(plan_text_statuses(SIM_ACTIVATED, ENDPOINT_ENABLED, true, line, sizeof(line)),
			    "now SIM Activated, endpoint Enabled");
	result.outcome = JOB_HALF_DONE;
	assert_string_equal(plan_text_outcome(&offline, &result, line, sizeof(line)),
			    "half-done: SIM changed, endpoint not");
	assert_string_equal(plan_text_outcome(&online, &result, line, sizeof(line)),
			    "half-done: endpoint changed, SIM not");
	result = (struct job_device_result){ .outcome = JOB_CANCELLED, .sim_status = SIM_ISSUED,
					     .endpoint_status = ENDPOINT_NONE };
	assert_string_equal(plan_text_outcome(&offline, &result, line, sizeof(line)), "not started (cancelled)");
	assert_string_equal(plan_text_statuses(SIM_ISSUED, ENDPOINT_NONE, false, line, sizeof(line)),
			    "now SIM Issued, no endpoint (not read back)");
	result.outcome = JOB_DONE;
	assert_string_equal(plan_text_outcome(&offline, &result, line, sizeof(line)), "done");
	result.changed_elsewhere = true;
	assert_string_equal(plan_text_outcome(&offline, &result, line, sizeof(line)), "changed elsewhere meanwhile");
	result.outcome = JOB_FAILED;
	assert_string_equal(plan_text_outcome(&offline, &result, line, sizeof(line)), "changed elsewhere meanwhile");
	result.outcome = JOB_HALF_DONE;
	assert_string_equal(plan_text_outcome(&offline, &result, line, sizeof(line)),
			    "half-done: SIM changed, endpoint not; changed elsewhere meanwhile");
	result.unknown = true;
	assert_true(strncmp(plan_text_outcome(&offline, &result, line, sizeof(line)), "unknown: ", 9) == 0);

	size_t counts[JOB_OUTCOME_COUNT] = { [JOB_DONE] = 4, [JOB_FAILED] = 1, [JOB_CANCELLED] = 1200 };
	assert_string_equal(plan_text_outcomes(counts, line, sizeof(line)),
			    "4 done, 1 failed, 1,200 not started (cancelled)");
	memset(counts, 0, sizeof(counts));
	counts[JOB_UNCHANGED] = 1;
	counts[JOB_HALF_DONE] = 2;
	assert_string_equal(plan_text_outcomes(counts, line, sizeof(line)), "1 unchanged, 2 half-done");
}

/* Cut with an ellipsis by display width; wrapped at spaces, never inside a word that fits. */
static void test_fit_to_width(void **state)
{
	(void)state;
	char line[512];
	const char *rest;
	assert_string_equal(plan_text_cut("pump-0412", 9, false, line, sizeof(line)), "pump-0412");
	assert_string_equal(plan_text_cut("pump-0412", 8, false, line, sizeof(line)), "pump-04\u2026");
	assert_string_equal(plan_text_cut("pump-0412", 8, true, line, sizeof(line)), "pump-04~");
	/* A wide character is never split: 3 columns hold one of them and the ellipsis. */
	assert_string_equal(plan_text_cut("\u6c34\u6cf5\u6c34", 4, false, line, sizeof(line)), "\u6c34\u2026");
	assert_int_equal(text_width(plan_text_cut("\u6c34\u6cf5\u6c34", 4, false, line, sizeof(line))), 3);

	const char *text = "  2 SIMs Activated to Suspended";
	size_t bytes = plan_text_wrap(text, 14, &rest);
	assert_int_equal(bytes, strlen("  2 SIMs"));
	assert_string_equal(rest, "Activated to Suspended");
	bytes = plan_text_wrap(rest, 14, &rest);
	assert_int_equal(bytes, strlen("Activated to"));
	assert_string_equal(rest, "Suspended");
	bytes = plan_text_wrap(rest, 14, &rest);
	assert_int_equal(bytes, strlen("Suspended"));
	assert_string_equal(rest, "");
	/* Exactly as wide as the columns: one line. */
	assert_int_equal(plan_text_wrap("abc def", 7, &rest), 7);
	assert_string_equal(rest, "");
	/* A word wider than the columns is split where it must be, after the indent. */
	bytes = plan_text_wrap("  8988303000012345678 x", 10, &rest);
	assert_int_equal(bytes, 10);
	assert_string_equal(rest, "00012345678 x");
	/* Display columns, not bytes: "→" is one column of three bytes. */
	bytes = plan_text_wrap("a \u2192 b \u2192 c", 5, &rest);
	assert_int_equal(bytes, strlen("a \u2192 b"));
	assert_string_equal(rest, "\u2192 c");
	/* Less than a character: one anyway, so that a caller always gets on. */
	assert_int_equal(plan_text_wrap("\u6c34\u6cf5", 1, &rest), 3);
	assert_string_equal(rest, "\u6cf5");
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_agree),
		cmocka_unit_test(test_estimate),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_fit_to_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
