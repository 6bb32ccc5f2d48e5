/* test_job.c — the job engine (job.h) against the fake emnify of fake_emnify.h, which checks
 * emnify's rules on every call: no endpoint change overlaps another, bulk calls hold at most
 * bulk_max items, charges stop first and start last, nothing applied is sent again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fleet.h"
#include "job.h"
#include "journal.h"
#include "model.h"
#include "plan.h"
#include "transport.h"
#include "util.h"
#include "fake_emnify.h"
#include "scratch.h"

/* --- what the fake saw -------------------------------------------------------------------- */

/* The call log, for looking at a failure. */
static void print_calls(const struct fake *fake)
{
	static const char *const names[] = { "SIM PATCH", "endpoint PATCH", "bulk", "SIM GET", "endpoint GET",
					     "list", "timer" };
	for (size_t i = 0; i < fake->call_count; i++) {
		const struct fake_call *call = &fake->calls[i];
		print_message("%3zu %-14s id %lld page %lld items %zu [", i, names[call->kind], (long long)call->id,
			      (long long)call->page, call->count);
		for (size_t j = 0; j < call->count && j < 8; j++)
			print_message(" %lld", (long long)call->items[j].id);
		print_message(" ] issued %llu@%lld answered %llu outcome %d http %ld%s\n",
			      (unsigned long long)call->issued, (long long)call->issued_ms,
			      (unsigned long long)call->answered, call->outcome, call->http_status,
			      call->cancelled ? " cancelled" : "");
	}
}

static size_t count_calls(const struct fake *fake, enum fake_kind kind)
{
	size_t count = 0;
	for (size_t i = 0; i < fake->call_count; i++)
		count += fake->calls[i].kind == kind;
	return count;
}

static size_t count_calls_naming(const struct fake *fake, enum fake_kind kind, int64_t id)
{
	size_t count = 0;
	for (size_t i = 0; i < fake->call_count; i++)
		count += fake->calls[i].kind == kind && fake_call_names(&fake->calls[i], id);
	return count;
}

static size_t count_endpoint_changes_naming(const struct fake *fake, int64_t id)
{
	return count_calls_naming(fake, FAKE_BULK, id) + count_calls_naming(fake, FAKE_ENDPOINT_PATCH, id);
}

/* Every call but timers: what job_progress() counts as requests. */
static size_t count_requests(const struct fake *fake)
{
	return fake->call_count - count_calls(fake, FAKE_TIMER);
}

/* emnify: "wait for each request to complete before starting the next". */
static void assert_no_endpoint_overlap(const struct fake *fake)
{
	for (size_t i = 0; i < fake->call_count; i++) {
		if (fake->calls[i].overlapped) {
			print_calls(fake);
			fail_msg("endpoint change %zu was issued while another was unanswered", i);
		}
	}
}

static void assert_bulk_at_most(const struct fake *fake, size_t max)
{
	for (size_t i = 0; i < fake->call_count; i++) {
		if (fake->calls[i].kind == FAKE_BULK && fake->calls[i].count > max) {
			print_calls(fake);
			fail_msg("bulk call %zu carries %zu items, more than %zu", i, fake->calls[i].count, max);
		}
	}
}

/* Each object changed at most once, and no change reached an object in its target already. */
static void assert_nothing_applied_twice(const struct fake *fake)
{
	for (size_t i = 0; i < fake->sim_count; i++) {
		if (fake->sims[i].changes > 1 || fake->sims[i].redundant > 0) {
			print_calls(fake);
			fail_msg("SIM %lld: %d changes, %d sent again in its target status",
				 (long long)fake->sims[i].id, fake->sims[i].changes, fake->sims[i].redundant);
		}
	}
	for (size_t i = 0; i < fake->endpoint_count; i++) {
		if (fake->endpoints[i].changes > 1 || fake->endpoints[i].redundant > 0) {
			print_calls(fake);
			fail_msg("endpoint %lld: %d changes, %d sent again in its target status",
				 (long long)fake->endpoints[i].id, fake->endpoints[i].changes,
				 fake->endpoints[i].redundant);
		}
	}
}

/* The rules that hold in every test. */
static void assert_by_the_rules(const struct fake *fake)
{
	assert_true(fake->sim_patches_out_max <= fake->sim_parallel);
	assert_no_endpoint_overlap(fake);
	assert_bulk_at_most(fake, fake->transport.bulk_max);
	assert_nothing_applied_twice(fake);
}

/* Offline: a device's endpoint change goes out only after its SIM PATCHes were answered (or
 * cancelled, by a kill), and a device whose SIM was sent a PATCH has its endpoint disabled
 * only when that SIM step succeeded. */
static void assert_charges_stop_first(struct fake *fake)
{
	for (size_t n = 0; n < fake->devices; n++) {
		for (size_t e = 0; e < fake->call_count; e++) {
			const struct fake_call *change = &fake->calls[e];
			if (!fake_is_endpoint_change(change->kind) || !fake_call_names(change, ENDPOINT_ID(n)))
				continue;
			for (size_t s = 0; s < fake->call_count; s++) {
				const struct fake_call *sim = &fake->calls[s];
				if (sim->kind != FAKE_SIM_PATCH || sim->id != SIM_ID(n) || sim->cancelled)
					continue;
				if (!sim->answered || sim->answered > change->issued) {
					print_calls(fake);
					fail_msg("device %zu: endpoint change %zu before the answer to SIM PATCH %zu",
						 n, e, s);
				}
			}
		}
		if (fake->endpoints[n].changes > 0 && count_calls_naming(fake, FAKE_SIM_PATCH, SIM_ID(n)) > 0)
			assert_int_equal(fake->sims[n].status, SIM_SUSPENDED);
	}
}

/* Online: a SIM is activated only after its endpoint's changes were answered (or cancelled),
 * and, where its endpoint was sent a change, only behind an Enabled endpoint. */
static void assert_charges_start_last(struct fake *fake)
{
	for (size_t n = 0; n < fake->devices; n++) {
		for (size_t s = 0; s < fake->call_count; s++) {
			const struct fake_call *sim = &fake->calls[s];
			if (sim->kind != FAKE_SIM_PATCH || sim->id != SIM_ID(n))
				continue;
			for (size_t e = 0; e < fake->call_count; e++) {
				const struct fake_call *change = &fake->calls[e];
				if (!fake_is_endpoint_change(change->kind) || !fake_call_names(change, ENDPOINT_ID(n)) ||
				    change->cancelled)
					continue;
				if (!change->answered || change->answered > sim->issued) {
					print_calls(fake);
					fail_msg("device %zu: SIM PATCH %zu before the answer to endpoint change %zu",
						 n, s, e);
				}
			}
		}
		if (fake->sims[n].changes > 0 && count_endpoint_changes_naming(fake, ENDPOINT_ID(n)) > 0)
			assert_int_equal(fake->endpoints[n].status, ENDPOINT_ENABLED);
	}
}

/* The first call of kind naming id at or after call index from; fake->call_count if none. */
static size_t find_call(const struct fake *fake, size_t from, enum fake_kind kind, int64_t id)
{
	for (size_t i = from; i < fake->call_count; i++)
		if (fake->calls[i].kind == kind && (id == 0 || fake_call_names(&fake->calls[i], id)))
			return i;
	return fake->call_count;
}

/* Reads (GETs or list pages) issued after call a was answered and before call b was issued. */
static size_t reads_between(const struct fake *fake, size_t a, size_t b)
{
	size_t count = 0;
	for (size_t i = 0; i < fake->call_count; i++) {
		const struct fake_call *call = &fake->calls[i];
		if ((call->kind == FAKE_SIM_GET || call->kind == FAKE_ENDPOINT_GET || call->kind == FAKE_LIST) &&
		    call->issued > fake->calls[a].answered && call->issued < fake->calls[b].issued)
			count++;
	}
	return count;
}


/* Call index holds at most half (rounded up) of the items of an earlier refused endpoint
 * change, and nothing else. */
static bool halves_earlier_refusal(const struct fake *fake, size_t index)
{
	const struct fake_call *call = &fake->calls[index];
	for (size_t r = 0; r < index; r++) {
		const struct fake_call *refused = &fake->calls[r];
		bool inside = true;
		if (!fake_is_endpoint_change(refused->kind) || refused->outcome != TRANSPORT_REFUSED ||
		    call->count > (refused->count + 1) / 2)
			continue;
		for (size_t i = 0; i < call->count && inside; i++)
			inside = fake_call_names(refused, call->items[i].id);
		if (inside)
			return true;
	}
	return false;
}

/* --- plans and jobs ----------------------------------------------------------------------- */

/* A plan of action for the first count devices of the fake and its lonely SIMs, built from a
 * fleet loaded from the fake's tables (its bystanders count in plan->fleet_endpoints). */
static void build_plan(struct plan *plan, enum plan_action action, struct fake *fake, size_t count)
{
	struct fleet *fleet = fleet_new();
	size_t *indexes = xcalloc(count + fake->sim_count + 1, sizeof(*indexes));
	size_t devices = count;

	assert_true(count <= fake->devices);
	for (size_t i = 0; i < fake->endpoint_count; i++) {
		struct transport_object object = fake_object(fake, &fake->endpoints[i]);
		struct endpoint_record record = { .id = object.endpoint_id, .endpoint_status = object.endpoint_status,
						  .sim_id = object.sim_id, .sim_status = object.sim_status };
		size_t index = fleet_add_endpoint(fleet, &record);
		if (i < count)
			indexes[i] = index;
	}
	for (size_t i = 0; i < fake->sim_count; i++) {
		if (fake_sim_has_endpoint(fake, fake->sims[i].id))
			continue;
		struct sim_record record = { .id = fake->sims[i].id, .sim_status = fake->sims[i].status };
		indexes[devices++] = fleet_add_sim(fleet, &record);
	}
	plan_build(plan, action, fleet, indexes, devices);
	assert_int_equal(plan->fleet_endpoints, fake->endpoint_count);
	free(indexes);
	fleet_free(fleet);
}

static void assert_finished(const struct job *job)
{
	struct job_progress progress;
	job_progress(job, &progress);
	assert_true(progress.finished);
	assert_int_equal(progress.remaining, 0);
}

/* Start a new job (no journal, no audit) and run it to its end. */
static struct job *run_job(struct fake *fake, const struct plan *plan, const struct job_options *options)
{
	struct job *job = job_start(&fake->transport, plan, NULL, NULL, NULL, options);
	fake_run(fake);
	assert_finished(job);
	return job;
}

/* job_free() cancels whatever it left out: no answer may come after it. */
static void free_job(struct fake *fake, struct job *job)
{
	job_free(job);
	assert_int_equal(fake->pending_count, 0);
	assert_int_equal(fake->endpoint_changes_out, 0);
}

static void assert_result(const struct job *job, size_t device, enum job_outcome outcome, int sim_status,
			  int endpoint_status)
{
	const struct job_device_result *result = job_result(job, device);
	if (result->outcome != outcome)
		fail_msg("device %zu: %s, expected %s (%s)", device, job_result_word(result), job_outcome_word(outcome),
			 result->message);
	assert_int_equal(result->sim_status, sim_status);
	assert_int_equal(result->endpoint_status, endpoint_status);
}

/* DONE, read back, in the statuses the action leads to, nothing odd. */
static void assert_done(const struct job *job, size_t device, int sim_status, int endpoint_status)
{
	const struct job_device_result *result = job_result(job, device);
	assert_result(job, device, JOB_DONE, sim_status, endpoint_status);
	assert_true(result->read_back);
	assert_false(result->changed_elsewhere);
	assert_false(result->unknown);
	assert_string_equal(result->message, "");
}

static void assert_message_has(const struct job *job, size_t device, const char *text)
{
	const char *message = job_result(job, device)->message;
	if (!strstr(message, text))
		fail_msg("device %zu: message \"%s\" lacks \"%s\"", device, message, text);
}

static void assert_text_has(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("\"%s\" lacks \"%s\"", text, part);
}

static void assert_planned_calls(const struct fake *fake, const struct plan *plan, enum journal_state (*states)[2],
				 const struct job *job)
{
	struct job_calls calls;
	struct job_progress progress;

	job_plan_calls(plan, states, &fake->transport, &calls);
	job_progress(job, &progress);
	assert_int_equal(calls.sim_changes, count_calls(fake, FAKE_SIM_PATCH));
	assert_int_equal(calls.bulk_calls, count_calls(fake, FAKE_BULK));
	/* The read-back: list pages or endpoint GETs, and a GET for each SIM without endpoint. */
	assert_int_equal(calls.verify_reads, count_calls(fake, FAKE_LIST) + count_calls(fake, FAKE_ENDPOINT_GET) +
						     count_calls(fake, FAKE_SIM_GET));
	assert_int_equal(calls.verify_by_list, count_calls(fake, FAKE_LIST) > 0);
	if (calls.verify_by_list)
		assert_int_equal(count_calls(fake, FAKE_ENDPOINT_GET), 0);
	assert_int_equal(calls.total, count_requests(fake));
	assert_int_equal(job_planned_requests(plan, states, &fake->transport), count_requests(fake));
	assert_int_equal(progress.requests, count_requests(fake));
}

/* --- 0. what moved, as it moves ----------------------------------------------------------- */

/* Drain job_next_changed(): how often each device came (each at most once a drain). */
static size_t drain_changed(struct job *job, size_t *seen, size_t count)
{
	size_t drained = 0, device;
	bool *once = xcalloc(count, sizeof(*once));
	while (job_next_changed(job, &device)) {
		assert_true(device < count);
		if (once[device])
			fail_msg("device %zu came twice in one drain", device);
		once[device] = true;
		seen[device]++;
		drained++;
	}
	free(once);
	return drained;
}

/* Offline, one SIM refused: each device comes from job_next_changed() as soon as a step of it
 * settles, with the statuses its steps reached, long before the job ends; the refused one
 * with its statuses as loaded; then each once more when it is read back. */
static void test_changes_as_they_settle(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;
	size_t seen[5] = { 0 }, device;
	int sim, endpoint;

	fake_init(&fake, 2000, 1000);
	fake_add_devices(&fake, 5, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_rule(&fake, FAKE_SIM_PATCH, SIM_ID(2), 1, 0, FAULT_REFUSED, 422);
	build_plan(&plan, PLAN_OFFLINE, &fake, 5);
	struct job *job = job_start(&fake.transport, &plan, NULL, NULL, NULL, NULL);
	/* Nothing has moved before an answer. */
	assert_false(job_next_changed(job, &device));

	/* The first SIM answer: that device's SIM is Suspended, its endpoint not yet Disabled. */
	assert_true(fake_step(&fake));
	assert_int_equal(drain_changed(job, seen, 5), 1);
	assert_int_equal(seen[0], 1);
	job_device_statuses(job, 0, &sim, &endpoint);
	assert_int_equal(sim, SIM_SUSPENDED);
	assert_int_equal(endpoint, ENDPOINT_ENABLED);
	assert_int_equal(job_result(job, 0)->outcome, JOB_RUNNING);
	assert_false(job_next_changed(job, &device));

	/* The other SIM answers, before the bulk call: the refused device is over, as loaded. */
	while (count_calls(&fake, FAKE_BULK) == 0 && fake_step(&fake))
		drain_changed(job, seen, 5);
	drain_changed(job, seen, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(job_result(job, 2)->outcome, JOB_FAILED);
	job_device_statuses(job, 2, &sim, &endpoint);
	assert_int_equal(sim, SIM_ACTIVATED);
	assert_int_equal(endpoint, ENDPOINT_ENABLED);
	job_device_statuses(job, 4, &sim, &endpoint);
	assert_int_equal(sim, SIM_SUSPENDED);

	/* The bulk answer: the four endpoints Disabled, their pairs over, before the read-back. */
	struct job_progress progress;
	while (count_calls(&fake, FAKE_LIST) == 0 && fake_step(&fake))
		drain_changed(job, seen, 5);
	job_progress(job, &progress);
	assert_false(progress.finished);
	for (size_t i = 0; i < 5; i++) {
		job_device_statuses(job, i, &sim, &endpoint);
		assert_int_equal(endpoint, i == 2 ? ENDPOINT_ENABLED : ENDPOINT_DISABLED);
		assert_int_equal(job_result(job, i)->outcome, i == 2 ? JOB_FAILED : JOB_DONE);
		assert_int_equal(seen[i], i == 2 ? 1 : 2);
	}

	/* The read-back: the four that sent something once more, with what was read. */
	fake_run(&fake);
	assert_finished(job);
	drain_changed(job, seen, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(seen[i], i == 2 ? 2 : 3);
		job_device_statuses(job, i, &sim, &endpoint);
		assert_true(job_result(job, i)->read_back);
		assert_int_equal(sim, i == 2 ? SIM_ACTIVATED : SIM_SUSPENDED);
		assert_int_equal(endpoint, i == 2 ? ENDPOINT_ENABLED : ENDPOINT_DISABLED);
	}
	assert_false(job_next_changed(job, &device));
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* --- 1. offline, all fine ------------------------------------------------------------------ */

static void test_offline_verified_by_list(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 5, SIM_ACTIVATED, ENDPOINT_ENABLED);
	build_plan(&plan, PLAN_OFFLINE, &fake, 5);
	struct job *job = run_job(&fake, &plan, NULL);

	assert_int_equal(count_calls(&fake, FAKE_SIM_PATCH), 5);
	assert_int_equal(count_calls(&fake, FAKE_BULK), 1);
	assert_int_equal(fake.calls[find_call(&fake, 0, FAKE_BULK, 0)].count, 5);
	assert_int_equal(count_calls(&fake, FAKE_ENDPOINT_PATCH), 0);
	/* 5 endpoints at 3 a page: 2 pages read back what 5 GETs would. */
	assert_int_equal(count_calls(&fake, FAKE_LIST), 2);
	assert_int_equal(count_calls(&fake, FAKE_ENDPOINT_GET) + count_calls(&fake, FAKE_SIM_GET), 0);
	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	/* The read-back comes after the changes. */
	assert_true(find_call(&fake, 0, FAKE_LIST, 0) > find_call(&fake, 0, FAKE_BULK, 0));
	for (size_t i = 0; i < 5; i++) {
		assert_done(job, i, SIM_SUSPENDED, ENDPOINT_DISABLED);
		assert_int_equal(fake.sims[i].status, SIM_SUSPENDED);
		assert_int_equal(fake.endpoints[i].status, ENDPOINT_DISABLED);
	}
	struct job_progress progress;
	job_progress(job, &progress);
	assert_int_equal(progress.done, 5);
	assert_int_equal(progress.failed + progress.cancelled, 0);
	assert_string_equal(progress.error, "");
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

static void test_offline_verified_by_get(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 2, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_bystanders(&fake, 7);
	build_plan(&plan, PLAN_OFFLINE, &fake, 2);
	struct job *job = run_job(&fake, &plan, NULL);

	/* 9 endpoints take 3 pages: 2 GETs are fewer. */
	assert_int_equal(count_calls(&fake, FAKE_LIST), 0);
	assert_int_equal(count_calls(&fake, FAKE_ENDPOINT_GET), 2);
	assert_int_equal(count_calls_naming(&fake, FAKE_ENDPOINT_GET, ENDPOINT_ID(0)), 1);
	assert_int_equal(count_calls_naming(&fake, FAKE_ENDPOINT_GET, ENDPOINT_ID(1)), 1);
	assert_int_equal(count_calls(&fake, FAKE_SIM_PATCH), 2);
	assert_int_equal(count_calls(&fake, FAKE_BULK), 1);
	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	for (size_t i = 0; i < 2; i++)
		assert_done(job, i, SIM_SUSPENDED, ENDPOINT_DISABLED);
	/* Bystanders are left alone. */
	for (size_t i = 2; i < fake.endpoint_count; i++) {
		assert_int_equal(fake.endpoints[i].changes, 0);
		assert_int_equal(fake.sims[i].changes, 0);
	}
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* Devices of every kind in one offline plan: sent, skipped, SIM-only, endpoint-only. */
static void test_offline_mixed_devices(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 2, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_device(&fake, SIM_SUSPENDED, ENDPOINT_DISABLED); /* 2: already offline */
	fake_add_device(&fake, SIM_SUSPENDED, ENDPOINT_ENABLED);  /* 3: only its endpoint */
	fake_add_device(&fake, SIM_ISSUED, ENDPOINT_ENABLED);     /* 4: Issued cannot be suspended */
	fake_add_lonely_sim(&fake, 900, SIM_ACTIVATED);           /* 5: a SIM without endpoint */
	build_plan(&plan, PLAN_OFFLINE, &fake, 5);
	assert_int_equal(plan.count, 6);
	struct job *job = run_job(&fake, &plan, NULL);

	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	assert_int_equal(count_calls(&fake, FAKE_SIM_PATCH), 3);
	assert_int_equal(count_calls_naming(&fake, FAKE_SIM_PATCH, 900), 1);
	assert_int_equal(count_calls(&fake, FAKE_BULK), 1);
	const struct fake_call *bulk = &fake.calls[find_call(&fake, 0, FAKE_BULK, 0)];
	assert_int_equal(bulk->count, 4);
	assert_false(fake_call_names(bulk, ENDPOINT_ID(2)));
	/* Four endpoints to read back: 2 pages; the SIM without endpoint by its own GET. */
	assert_int_equal(count_calls(&fake, FAKE_LIST), 2);
	assert_int_equal(count_calls(&fake, FAKE_SIM_GET), 1);
	assert_int_equal(count_calls_naming(&fake, FAKE_SIM_GET, 900), 1);
	assert_int_equal(count_calls(&fake, FAKE_ENDPOINT_GET), 0);
	assert_planned_calls(&fake, &plan, NULL, job);

	assert_done(job, 0, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_done(job, 1, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_result(job, 2, JOB_UNCHANGED, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_false(job_result(job, 2)->read_back);
	assert_done(job, 3, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_done(job, 4, SIM_ISSUED, ENDPOINT_DISABLED);
	assert_done(job, 5, SIM_SUSPENDED, ENDPOINT_NONE);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* Someone else changes devices while the job runs: the read-back at the end tells. */
static void test_changed_elsewhere_during_job(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 5, SIM_ACTIVATED, ENDPOINT_ENABLED);
	build_plan(&plan, PLAN_OFFLINE, &fake, 5);
	struct job *job = job_start(&fake.transport, &plan, NULL, NULL, NULL, NULL);
	while (find_call(&fake, 0, FAKE_LIST, 0) == fake.call_count)
		assert_true(fake_step(&fake));
	/* The changes are over, the read-back is on its way. */
	fake.sims[1].status = SIM_ACTIVATED;
	fake.endpoints[2].gone = true;
	fake_run(&fake);
	assert_finished(job);

	assert_by_the_rules(&fake);
	const struct job_device_result *reactivated = job_result(job, 1), *deleted = job_result(job, 2);
	assert_true(reactivated->read_back);
	assert_true(reactivated->changed_elsewhere);
	assert_int_equal(reactivated->sim_status, SIM_ACTIVATED);
	assert_message_has(job, 1, "changed elsewhere");
	/* Not on any page: read by GET, which finds nothing. */
	assert_int_equal(count_calls_naming(&fake, FAKE_ENDPOINT_GET, ENDPOINT_ID(2)), 1);
	assert_true(deleted->changed_elsewhere);
	assert_message_has(job, 2, "gone");
	for (size_t i = 0; i < 5; i++)
		if (i != 1 && i != 2)
			assert_done(job, i, SIM_SUSPENDED, ENDPOINT_DISABLED);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* A list page that cannot be read is tried JOB_READ_MAX times, then its endpoints are read by GET. */
static void test_lost_list_page_read_by_get(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 5, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_rule(&fake, FAKE_LIST, 0, 2, 0, FAULT_LOST, 502);
	build_plan(&plan, PLAN_OFFLINE, &fake, 5);
	struct job *job = run_job(&fake, &plan, NULL);

	assert_by_the_rules(&fake);
	assert_int_equal(count_calls(&fake, FAKE_LIST), 1 + JOB_READ_MAX);
	assert_int_equal(count_calls(&fake, FAKE_ENDPOINT_GET), 2);
	assert_int_equal(count_calls_naming(&fake, FAKE_ENDPOINT_GET, ENDPOINT_ID(3)), 1);
	assert_int_equal(count_calls_naming(&fake, FAKE_ENDPOINT_GET, ENDPOINT_ID(4)), 1);
	for (size_t i = 0; i < 5; i++)
		assert_done(job, i, SIM_SUSPENDED, ENDPOINT_DISABLED);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* --- 2. online ------------------------------------------------------------------------------ */

static void test_online_endpoints_first_then_sims(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 6, SIM_SUSPENDED, ENDPOINT_DISABLED);
	fake.endpoints[3].bad = true;
	build_plan(&plan, PLAN_ONLINE, &fake, 6);
	struct job *job = run_job(&fake, &plan, NULL);

	/* The first call is the bulk of all six; no SIM is activated before an endpoint is enabled. */
	assert_int_equal(fake.calls[0].kind, FAKE_BULK);
	assert_int_equal(fake.calls[0].count, 6);
	assert_by_the_rules(&fake);
	assert_charges_start_last(&fake);
	for (size_t i = 0; i < 6; i++) {
		if (i == 3)
			continue;
		assert_done(job, i, SIM_ACTIVATED, ENDPOINT_ENABLED);
		assert_int_equal(count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(i)), 1);
	}
	/* The device whose endpoint could not be enabled gets no SIM activation. */
	assert_result(job, 3, JOB_FAILED, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_message_has(job, 3, BULK_REFUSAL);
	assert_int_equal(count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(3)), 0);
	assert_int_equal(fake.sims[3].status, SIM_SUSPENDED);
	assert_int_equal(fake.endpoints[3].status, ENDPOINT_DISABLED);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* --- 3. batching ---------------------------------------------------------------------------- */

static void check_batches(size_t transport_bulk_max, size_t option_bulk_max, size_t expected_calls)
{
	struct fake fake;
	struct plan plan;
	struct job_options options = { .bulk_max = option_bulk_max };
	size_t bulk_max = option_bulk_max ? option_bulk_max : transport_bulk_max;

	fake_init(&fake, transport_bulk_max, 3);
	fake_add_devices(&fake, 10, SIM_ACTIVATED, ENDPOINT_ENABLED);
	build_plan(&plan, PLAN_OFFLINE, &fake, 10);
	struct job *job = run_job(&fake, &plan, &options);

	assert_int_equal(count_calls(&fake, FAKE_BULK), expected_calls);
	assert_bulk_at_most(&fake, bulk_max);
	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	for (size_t i = 0; i < 10; i++) {
		assert_int_equal(count_endpoint_changes_naming(&fake, ENDPOINT_ID(i)), 1);
		assert_done(job, i, SIM_SUSPENDED, ENDPOINT_DISABLED);
	}
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

static void test_batches_of_transport_bulk_max(void **state)
{
	(void)state;
	check_batches(4, 0, 3);
}

static void test_batches_of_option_bulk_max(void **state)
{
	(void)state;
	check_batches(2000, 3, 4);
}

/* --- 4. a refused bulk call ------------------------------------------------------------------ */

static void test_refused_bulk_atomic_narrowed_down(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;
	const size_t bad = 5;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 8, SIM_SUSPENDED, ENDPOINT_DISABLED);
	fake.endpoints[bad].bad = true;
	build_plan(&plan, PLAN_ONLINE, &fake, 8);
	struct job *job = run_job(&fake, &plan, NULL);

	assert_by_the_rules(&fake);
	assert_charges_start_last(&fake);
	for (size_t i = 0; i < 8; i++) {
		if (i == bad)
			continue;
		assert_done(job, i, SIM_ACTIVATED, ENDPOINT_ENABLED);
		assert_int_equal(fake.endpoints[i].changes, 1);
	}
	assert_result(job, bad, JOB_FAILED, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_message_has(job, bad, "Validation failed");
	assert_int_equal(count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(bad)), 0);

	/* Narrowing: every refused call held the bad device; each endpoint change after the first
	 * refusal is a half (at most) of an earlier refused call; single PATCHes only for
	 * JOB_SINGLE_MAX devices or fewer. */
	size_t refusals = 0;
	for (size_t i = 0; i < fake.call_count; i++) {
		const struct fake_call *call = &fake.calls[i];
		if (!fake_is_endpoint_change(call->kind))
			continue;
		if (refusals > 0 && !halves_earlier_refusal(&fake, i))
			fail_msg("endpoint change %zu is no half of an earlier refused call", i);
		if (call->outcome == TRANSPORT_REFUSED) {
			assert_true(fake_call_names(call, ENDPOINT_ID(bad)));
			refusals++;
		}
	}
	for (size_t i = 0; i < fake.call_count; i++) {
		if (fake.calls[i].kind != FAKE_ENDPOINT_PATCH)
			continue;
		bool small_group = false;
		for (size_t r = 0; r < i && !small_group; r++)
			small_group = fake.calls[r].kind == FAKE_BULK && fake.calls[r].outcome == TRANSPORT_REFUSED &&
				      fake.calls[r].count <= JOB_SINGLE_MAX &&
				      fake_call_names(&fake.calls[r], fake.calls[i].id);
		if (!small_group)
			fail_msg("single PATCH %zu outside a refused group of %d or fewer", i, JOB_SINGLE_MAX);
	}
	assert_true(count_calls(&fake, FAKE_ENDPOINT_PATCH) >= 1);
	assert_true(refusals >= 2);
	/* Whether a refused call applied its good items is not documented: every refused bulk
	 * call of more than one device is read back before the next endpoint change; a refused
	 * call of one device fails it at once. */
	for (size_t i = 0; i < fake.call_count; i++) {
		if (!fake_is_endpoint_change(fake.calls[i].kind) || fake.calls[i].outcome != TRANSPORT_REFUSED)
			continue;
		size_t after = i + 1;
		while (after < fake.call_count && !fake_is_endpoint_change(fake.calls[after].kind))
			after++;
		if (after == fake.call_count)
			continue;
		if (fake.calls[i].kind == FAKE_BULK && fake.calls[i].count > 1)
			assert_true(reads_between(&fake, i, after) > 0);
		else
			assert_int_equal(reads_between(&fake, i, after), 0);
	}
	/* Log(8) halvings and two singles at most. */
	assert_true(count_calls(&fake, FAKE_BULK) + count_calls(&fake, FAKE_ENDPOINT_PATCH) <= 9);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

static void test_refused_bulk_partial_read_back(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;
	const size_t bad = 5;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 8, SIM_SUSPENDED, ENDPOINT_DISABLED);
	fake.endpoints[bad].bad = true;
	fake.bulk_partial = true;
	build_plan(&plan, PLAN_ONLINE, &fake, 8);
	struct job *job = run_job(&fake, &plan, NULL);

	assert_by_the_rules(&fake);
	assert_charges_start_last(&fake);
	/* The refused call applied seven: the read-back counts them done and nothing is resent;
	 * only the bad one is tried alone. */
	assert_int_equal(count_calls(&fake, FAKE_BULK), 1);
	assert_int_equal(count_calls(&fake, FAKE_ENDPOINT_PATCH), 1);
	size_t bulk = find_call(&fake, 0, FAKE_BULK, 0);
	size_t single = find_call(&fake, 0, FAKE_ENDPOINT_PATCH, 0);
	assert_int_equal(fake.calls[single].id, ENDPOINT_ID(bad));
	assert_true(reads_between(&fake, bulk, single) > 0);
	for (size_t i = 0; i < 8; i++) {
		if (i == bad)
			continue;
		assert_done(job, i, SIM_ACTIVATED, ENDPOINT_ENABLED);
		assert_int_equal(count_endpoint_changes_naming(&fake, ENDPOINT_ID(i)), 1);
	}
	assert_result(job, bad, JOB_FAILED, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_message_has(job, bad, ENDPOINT_REFUSAL);
	assert_int_equal(count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(bad)), 0);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* While narrowing down, a single endpoint PATCH whose answer is lost is read back like any
 * other change: sent again only when it was not applied. */
static void check_lost_single_while_narrowing(enum fake_fault fault)
{
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 4, SIM_SUSPENDED, ENDPOINT_DISABLED);
	fake.endpoints[1].bad = true;
	fake_add_rule(&fake, FAKE_ENDPOINT_PATCH, ENDPOINT_ID(0), 1, 1, fault, 502);
	build_plan(&plan, PLAN_ONLINE, &fake, 4);
	struct job *job = run_job(&fake, &plan, NULL);

	assert_by_the_rules(&fake);
	assert_charges_start_last(&fake);
	size_t first = find_call(&fake, 0, FAKE_ENDPOINT_PATCH, ENDPOINT_ID(0));
	assert_true(first < fake.call_count);
	assert_int_equal(fake.calls[first].outcome, TRANSPORT_LOST);
	assert_int_equal(count_calls_naming(&fake, FAKE_ENDPOINT_PATCH, ENDPOINT_ID(0)),
			 fault == FAULT_LOST_APPLIED ? 1 : 2);
	if (fault == FAULT_LOST) {
		size_t again = find_call(&fake, first + 1, FAKE_ENDPOINT_PATCH, ENDPOINT_ID(0));
		assert_true(reads_between(&fake, first, again) > 0);
	}
	assert_done(job, 0, SIM_ACTIVATED, ENDPOINT_ENABLED);
	assert_result(job, 1, JOB_FAILED, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_message_has(job, 1, ENDPOINT_REFUSAL);
	assert_done(job, 2, SIM_ACTIVATED, ENDPOINT_ENABLED);
	assert_done(job, 3, SIM_ACTIVATED, ENDPOINT_ENABLED);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

static void test_lost_single_while_narrowing(void **state)
{
	(void)state;
	check_lost_single_while_narrowing(FAULT_LOST);
	check_lost_single_while_narrowing(FAULT_LOST_APPLIED);
}

/* A refused bulk call of bad items only applies nothing, atomic or not: that read-back shows
 * nothing of how refused calls behave. With an API that applies the good items of a refused
 * call, a later refused batch must still be read back before its items are sent again. */
static void test_refusal_of_bad_items_only_teaches_nothing(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2, 3);
	fake_add_devices(&fake, 4, SIM_SUSPENDED, ENDPOINT_DISABLED);
	fake.bulk_partial = true;
	fake.endpoints[0].bad = true;
	fake.endpoints[1].bad = true;
	fake.endpoints[3].bad = true;
	build_plan(&plan, PLAN_ONLINE, &fake, 4);
	struct job *job = run_job(&fake, &plan, NULL);

	/* [100 101] refused, nothing applied; [102 103] refused, 102 applied by it. */
	assert_int_equal(fake.calls[0].kind, FAKE_BULK);
	assert_int_equal(fake.calls[0].count, 2);
	assert_int_equal(fake.endpoints[2].changes, 1);
	assert_by_the_rules(&fake);
	assert_charges_start_last(&fake);
	assert_done(job, 2, SIM_ACTIVATED, ENDPOINT_ENABLED);
	for (size_t i = 0; i < 4; i++)
		if (i != 2)
			assert_result(job, i, JOB_FAILED, SIM_SUSPENDED, ENDPOINT_DISABLED);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* --- 5. a lost bulk answer ------------------------------------------------------------------ */

static void check_lost_bulk(enum fake_fault fault, long http_status)
{
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 4, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_rule(&fake, FAKE_BULK, 0, 1, 1, fault, http_status);
	build_plan(&plan, PLAN_OFFLINE, &fake, 4);
	struct job *job = run_job(&fake, &plan, NULL);

	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	size_t first = find_call(&fake, 0, FAKE_BULK, 0);
	assert_int_equal(fake.calls[first].outcome, TRANSPORT_LOST);
	if (fault == FAULT_LOST_APPLIED) {
		/* Settled by reading back: never sent again. */
		assert_int_equal(count_calls(&fake, FAKE_BULK), 1);
	} else {
		assert_int_equal(count_calls(&fake, FAKE_BULK), 2);
		size_t again = find_call(&fake, first + 1, FAKE_BULK, 0);
		assert_true(reads_between(&fake, first, again) > 0);
		assert_int_equal(fake.calls[again].count, 4);
	}
	for (size_t i = 0; i < 4; i++) {
		assert_result(job, i, JOB_DONE, SIM_SUSPENDED, ENDPOINT_DISABLED);
		assert_true(job_result(job, i)->read_back);
		assert_int_equal(fake.endpoints[i].changes, 1);
	}
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

static void test_lost_bulk_applied_not_resent(void **state)
{
	(void)state;
	check_lost_bulk(FAULT_LOST_APPLIED, 502);
	check_lost_bulk(FAULT_LOST_APPLIED, 0);
}

static void test_lost_bulk_not_applied_resent(void **state)
{
	(void)state;
	check_lost_bulk(FAULT_LOST, 502);
	check_lost_bulk(FAULT_LOST, 0);
}

static void check_lost_bulk_gives_up(long http_status, size_t sends)
{
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 3, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_rule(&fake, FAKE_BULK, 0, 1, 0, FAULT_LOST, http_status);
	build_plan(&plan, PLAN_OFFLINE, &fake, 3);
	struct job *job = run_job(&fake, &plan, NULL);

	assert_by_the_rules(&fake);
	assert_int_equal(count_calls(&fake, FAKE_BULK), sends);
	for (size_t i = 0; i < 3; i++) {
		/* The SIM was suspended, the endpoint never disabled: half-done, reported. */
		assert_result(job, i, JOB_HALF_DONE, SIM_SUSPENDED, ENDPOINT_ENABLED);
		assert_message_has(job, i, "not applied");
		assert_int_equal(fake.endpoints[i].status, ENDPOINT_ENABLED);
	}
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

static void test_lost_bulk_send_limits(void **state)
{
	(void)state;
	check_lost_bulk_gives_up(502, JOB_SEND_MAX);
	check_lost_bulk_gives_up(0, JOB_UNANSWERED_SEND_MAX);
}

/* --- 6. a lost SIM PATCH -------------------------------------------------------------------- */

static void check_lost_sim_patch(enum fake_fault fault, long http_status)
{
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 3, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_rule(&fake, FAKE_SIM_PATCH, SIM_ID(1), 1, 1, fault, http_status);
	build_plan(&plan, PLAN_OFFLINE, &fake, 3);
	struct job *job = run_job(&fake, &plan, NULL);

	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	size_t patch = find_call(&fake, 0, FAKE_SIM_PATCH, SIM_ID(1));
	size_t read = find_call(&fake, 0, FAKE_SIM_GET, SIM_ID(1));
	assert_true(read < fake.call_count);
	assert_true(fake.calls[read].issued > fake.calls[patch].answered);
	assert_int_equal(count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(1)), fault == FAULT_LOST_APPLIED ? 1 : 2);
	if (fault == FAULT_LOST)
		assert_true(find_call(&fake, patch + 1, FAKE_SIM_PATCH, SIM_ID(1)) > read);
	for (size_t i = 0; i < 3; i++) {
		assert_result(job, i, JOB_DONE, SIM_SUSPENDED, ENDPOINT_DISABLED);
		assert_int_equal(fake.sims[i].changes, 1);
	}
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

static void test_lost_sim_patch_applied_not_resent(void **state)
{
	(void)state;
	check_lost_sim_patch(FAULT_LOST_APPLIED, 502);
	check_lost_sim_patch(FAULT_LOST_APPLIED, 0);
}

static void test_lost_sim_patch_not_applied_resent(void **state)
{
	(void)state;
	check_lost_sim_patch(FAULT_LOST, 502);
	check_lost_sim_patch(FAULT_LOST, 0);
}

static void check_lost_sim_patch_gives_up(long http_status, size_t sends)
{
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 3, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_rule(&fake, FAKE_SIM_PATCH, SIM_ID(1), 1, 0, FAULT_LOST, http_status);
	build_plan(&plan, PLAN_OFFLINE, &fake, 3);
	struct job *job = run_job(&fake, &plan, NULL);

	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	assert_int_equal(count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(1)), sends);
	assert_int_equal(count_calls_naming(&fake, FAKE_SIM_GET, SIM_ID(1)), sends);
	assert_result(job, 1, JOB_FAILED, SIM_ACTIVATED, ENDPOINT_ENABLED);
	assert_message_has(job, 1, "not applied");
	/* The pair ends there: its endpoint is not disabled. */
	assert_int_equal(count_endpoint_changes_naming(&fake, ENDPOINT_ID(1)), 0);
	assert_result(job, 0, JOB_DONE, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_result(job, 2, JOB_DONE, SIM_SUSPENDED, ENDPOINT_DISABLED);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

static void test_lost_sim_patch_send_limits(void **state)
{
	(void)state;
	check_lost_sim_patch_gives_up(502, JOB_SEND_MAX);
	check_lost_sim_patch_gives_up(0, JOB_UNANSWERED_SEND_MAX);
}

/* --- 7. offline, a SIM PATCH refused -------------------------------------------------------- */

static void test_refused_sim_patch_keeps_endpoint_out(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 4, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_rule(&fake, FAKE_SIM_PATCH, SIM_ID(2), 1, 1, FAULT_REFUSED, 422);
	build_plan(&plan, PLAN_OFFLINE, &fake, 4);
	struct job *job = run_job(&fake, &plan, NULL);

	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	assert_int_equal(count_endpoint_changes_naming(&fake, ENDPOINT_ID(2)), 0);
	assert_int_equal(count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(2)), 1);
	assert_result(job, 2, JOB_FAILED, SIM_ACTIVATED, ENDPOINT_ENABLED);
	assert_message_has(job, 2, SIM_REFUSAL);
	assert_false(job_result(job, 2)->changed_elsewhere);
	for (size_t i = 0; i < 4; i++)
		if (i != 2)
			assert_done(job, i, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_int_equal(fake.endpoints[2].status, ENDPOINT_ENABLED);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* --- 8. throttles, permission, token --------------------------------------------------------- */

struct watch {
	double paused_max;
	char pause_reason[160];
};

/* Run to the end, looking at the progress after every answer. */
static void run_watching(struct fake *fake, struct job *job, struct watch *watch)
{
	struct job_progress progress;
	size_t steps = 0;

	memset(watch, 0, sizeof(*watch));
	while (fake_step(fake)) {
		assert_true(++steps < FAKE_STEPS_MAX);
		job_progress(job, &progress);
		if (progress.paused_seconds > watch->paused_max) {
			watch->paused_max = progress.paused_seconds;
			snprintf(watch->pause_reason, sizeof(watch->pause_reason), "%s", progress.pause_reason);
		}
	}
	assert_finished(job);
}

/* The throttled call of kind naming id is sent again, the same, after at least pause_ms, and
 * nothing else is sent in the meantime. */
static void assert_resent_after_pause(const struct fake *fake, enum fake_kind kind, int64_t id, int64_t pause_ms)
{
	size_t first = find_call(fake, 0, kind, id);
	assert_true(first < fake->call_count);
	assert_int_equal(fake->calls[first].outcome, TRANSPORT_THROTTLED);
	size_t again = find_call(fake, first + 1, kind, id);
	assert_true(again < fake->call_count);
	assert_int_equal(fake->calls[again].count, fake->calls[first].count);
	for (size_t i = 0; i < fake->calls[first].count; i++)
		assert_int_equal(fake->calls[again].items[i].id, fake->calls[first].items[i].id);
	assert_true(fake->calls[again].issued_ms >= fake->calls[first].answered_ms + pause_ms);
	for (size_t i = 0; i < fake->call_count; i++) {
		const struct fake_call *call = &fake->calls[i];
		if (call->kind != FAKE_TIMER && call->issued > fake->calls[first].answered &&
		    call->issued_ms < fake->calls[first].answered_ms + pause_ms)
			fail_msg("call %zu was sent during the pause", i);
	}
}

static void check_throttled(enum fake_kind kind, enum fake_fault fault, int64_t pause_ms, const char *reason)
{
	struct fake fake;
	struct plan plan;
	struct watch watch;
	int64_t id = kind == FAKE_SIM_PATCH ? SIM_ID(1) : 0;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 3, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_rule(&fake, kind, id, 1, 1, fault, 0);
	build_plan(&plan, PLAN_OFFLINE, &fake, 3);
	struct job *job = job_start(&fake.transport, &plan, NULL, NULL, NULL, NULL);
	run_watching(&fake, job, &watch);

	assert_true(watch.paused_max > 0);
	assert_true(watch.paused_max <= (double)pause_ms / 1000.0 + 0.001);
	assert_text_has(watch.pause_reason, reason);
	assert_resent_after_pause(&fake, kind, id, pause_ms);
	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	/* No device fails by rate limiting. */
	for (size_t i = 0; i < 3; i++)
		assert_done(job, i, SIM_SUSPENDED, ENDPOINT_DISABLED);
	struct job_progress progress;
	job_progress(job, &progress);
	assert_true(progress.paused_seconds == 0);
	assert_string_equal(progress.error, "");
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

static void test_throttled_429_pauses_and_resends(void **state)
{
	(void)state;
	check_throttled(FAKE_SIM_PATCH, FAULT_THROTTLED, 1000, "429");
	check_throttled(FAKE_BULK, FAULT_THROTTLED, 1000, "429");
}

static void test_edge_block_403_pauses_and_resends(void **state)
{
	(void)state;
	check_throttled(FAKE_SIM_PATCH, FAULT_EDGE_BLOCK, 10000, "403");
	check_throttled(FAKE_BULK, FAULT_EDGE_BLOCK, 10000, "403");
}

/* A job freed during a pause leaves no timer behind. */
static void test_free_during_pause(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;
	struct job_progress progress;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 3, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_rule(&fake, FAKE_SIM_PATCH, 0, 1, 1, FAULT_THROTTLED, 0);
	build_plan(&plan, PLAN_OFFLINE, &fake, 3);
	struct job *job = job_start(&fake.transport, &plan, NULL, NULL, NULL, NULL);
	assert_true(fake_step(&fake));
	job_progress(job, &progress);
	assert_true(progress.paused_seconds > 0);
	assert_int_equal(count_calls(&fake, FAKE_TIMER), 1);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

static void check_halts(enum fake_fault fault, const char *error)
{
	struct fake fake;
	struct plan plan;
	struct job_progress progress;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 6, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_rule(&fake, FAKE_SIM_PATCH, 0, 2, 1, fault, 0);
	build_plan(&plan, PLAN_OFFLINE, &fake, 6);
	struct job *job = run_job(&fake, &plan, NULL);

	job_progress(job, &progress);
	assert_text_has(progress.error, error);
	assert_by_the_rules(&fake);
	/* Nothing is sent once the refusal came. */
	size_t refused = find_call(&fake, 0, FAKE_SIM_PATCH, SIM_ID(1));
	assert_int_equal(fake.calls[refused].outcome, fault == FAULT_AUTH ? TRANSPORT_AUTH : TRANSPORT_FORBIDDEN);
	for (size_t i = 0; i < fake.call_count; i++)
		if (fake.calls[i].issued > fake.calls[refused].answered)
			fail_msg("call %zu was sent after the job halted", i);
	assert_int_equal(count_calls(&fake, FAKE_BULK), 0);
	assert_result(job, 1, JOB_FAILED, SIM_ACTIVATED, ENDPOINT_ENABLED);
	for (size_t i = 0; i < 6; i++) {
		const struct job_device_result *result = job_result(job, i);
		if (count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(i)) == 0)
			assert_int_equal(result->outcome, JOB_CANCELLED);
		else
			assert_true(result->outcome == JOB_FAILED || result->outcome == JOB_HALF_DONE);
	}
	assert_true(progress.cancelled > 0);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

static void test_forbidden_halts(void **state)
{
	(void)state;
	check_halts(FAULT_FORBIDDEN, "permission");
}

static void test_auth_halts(void **state)
{
	(void)state;
	check_halts(FAULT_AUTH, TOKEN_REJECTED);
}

/* Throttled without end: the job halts after JOB_THROTTLE_GIVE_UP_MS instead of waiting forever. */
static void test_throttled_forever_gives_up(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;
	struct job_progress progress;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 3, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_rule(&fake, FAKE_SIM_PATCH, 0, 1, 0, FAULT_THROTTLED, 0);
	build_plan(&plan, PLAN_OFFLINE, &fake, 3);
	struct job *job = run_job(&fake, &plan, NULL);

	job_progress(job, &progress);
	assert_true(progress.error[0] != '\0');
	assert_true(fake.now_ms - FAKE_START_MS >= JOB_THROTTLE_GIVE_UP_MS);
	/* Pauses grow to a cap, not to the give-up time. */
	for (size_t i = 0; i < fake.call_count; i++)
		if (fake.calls[i].kind == FAKE_TIMER)
			assert_true(fake.calls[i].delay_ms <= 60000);
	assert_int_equal(count_calls(&fake, FAKE_BULK), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(fake.sims[i].status, SIM_ACTIVATED);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* Ten changes in a row lost: the API is down, the job stops instead of trying every device. */
static void test_ten_lost_in_a_row_halts(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;
	struct job_progress progress;
	const size_t count = 20;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, count, SIM_ACTIVATED, ENDPOINT_ENABLED);
	fake_add_rule(&fake, FAKE_SIM_PATCH, 0, 1, 0, FAULT_LOST, 0);
	build_plan(&plan, PLAN_SIM_SUSPEND, &fake, count);
	struct job *job = run_job(&fake, &plan, NULL);

	job_progress(job, &progress);
	assert_text_has(progress.error, "in a row");
	assert_true(progress.failed >= 10);
	assert_true(progress.cancelled > 0);
	assert_true(count_calls(&fake, FAKE_SIM_PATCH) < count * JOB_UNANSWERED_SEND_MAX);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* --- 9. cancel ------------------------------------------------------------------------------ */

static void test_cancel_mid_job(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;
	struct job_options options = { .sim_parallel = 2 };
	struct job_progress progress;
	const size_t count = 8;

	fake_init(&fake, 2000, 3);
	fake.sim_parallel = 2;
	fake_add_devices(&fake, count, SIM_ACTIVATED, ENDPOINT_ENABLED);
	build_plan(&plan, PLAN_OFFLINE, &fake, count);
	struct job *job = job_start(&fake.transport, &plan, NULL, NULL, NULL, &options);
	assert_true(fake_step(&fake));
	job_cancel(job);
	job_progress(job, &progress);
	assert_true(progress.cancelling);
	fake_run(&fake);
	assert_finished(job);

	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	size_t started = 0;
	for (size_t i = 0; i < count; i++) {
		if (count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(i)) > 0) {
			/* Its SIM was suspended: its endpoint is disabled too, no half-way device. */
			started++;
			assert_done(job, i, SIM_SUSPENDED, ENDPOINT_DISABLED);
			assert_int_equal(fake.endpoints[i].status, ENDPOINT_DISABLED);
		} else {
			assert_result(job, i, JOB_CANCELLED, SIM_ACTIVATED, ENDPOINT_ENABLED);
			assert_int_equal(count_endpoint_changes_naming(&fake, ENDPOINT_ID(i)), 0);
			assert_int_equal(fake.endpoints[i].status, ENDPOINT_ENABLED);
		}
	}
	assert_true(started >= 2 && started < count);
	job_progress(job, &progress);
	assert_int_equal(progress.cancelled, count - started);
	assert_int_equal(progress.done, started);
	assert_false(progress.cancelling);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* --- 10. resume ------------------------------------------------------------------------------ */

/* A journal for plan in directory, with the lines a killed run left: per device and step,
 * 'P' nothing, 'I' an intent, 'D' an intent and a done result. Returns its path. */
static char *write_killed_journal(const char *directory, const struct plan *plan, const char *const *steps)
{
	char message[512];
	struct journal *journal = journal_create(directory, plan, NULL, message, sizeof(message));
	if (!journal)
		fail_msg("%s", message);
	char *path = xstrdup(journal_path(journal));
	for (size_t i = 0; i < plan->count; i++) {
		for (int step = 0; step < 2; step++) {
			if (steps[i][step] == 'P')
				continue;
			assert_true(journal_intent(journal, i, step, message, sizeof(message)));
			if (steps[i][step] == 'D')
				assert_true(journal_result(journal, i, step, JOURNAL_DONE, 204, NULL, message,
							   sizeof(message)));
		}
	}
	journal_close(journal);
	return path;
}

/* Read back before resuming (job_start_check) and rebase. */
static void check_and_rebase(struct fake *fake, struct plan *plan, enum journal_state (*states)[2],
			     struct job_rebase_report *report)
{
	struct job *check = job_start_check(&fake->transport, plan, states);
	size_t changes = count_calls(fake, FAKE_SIM_PATCH) + count_calls(fake, FAKE_BULK) +
			 count_calls(fake, FAKE_ENDPOINT_PATCH);
	struct job_progress progress;
	fake_run(fake);
	/* Only finished: a check concludes no device, its progress counts them all remaining. */
	job_progress(check, &progress);
	assert_true(progress.finished);
	/* A check sends no change. */
	assert_int_equal(count_calls(fake, FAKE_SIM_PATCH) + count_calls(fake, FAKE_BULK) +
				 count_calls(fake, FAKE_ENDPOINT_PATCH),
			 changes);
	job_rebase(plan, states, job_check_truths(check), report);
	free_job(fake, check);
}

static void test_resume_rebased_on_read_back(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan, resumed;
	enum journal_state (*states)[2] = NULL;
	struct job_rebase_report report;
	char message[512];
	/* d0 finished; d1 endpoint intent, applied; d2 SIM intent, not applied; d3 endpoint
	 * deleted elsewhere; d4 SIM intent, applied; d5 never started; d6 SIM deleted elsewhere. */
	static const char *const killed[] = { "DD", "DI", "IP", "DP", "IP", "PP", "PP" };

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 7, SIM_ACTIVATED, ENDPOINT_ENABLED);
	build_plan(&plan, PLAN_OFFLINE, &fake, 7);
	char *directory = make_temporary_directory("job");
	char *path = write_killed_journal(directory, &plan, killed);
	/* The truth after the killed run, and what others did meanwhile. */
	fake.sims[0].status = SIM_SUSPENDED;
	fake.endpoints[0].status = ENDPOINT_DISABLED;
	fake.sims[1].status = SIM_SUSPENDED;
	fake.endpoints[1].status = ENDPOINT_DISABLED;
	fake.sims[3].status = SIM_SUSPENDED;
	fake.endpoints[3].status = ENDPOINT_DELETED;
	fake.sims[4].status = SIM_SUSPENDED;
	fake.sims[6].status = SIM_DELETED;

	struct journal *journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	if (!journal)
		fail_msg("%s", message);
	resumed.fleet_endpoints = plan.fleet_endpoints;
	check_and_rebase(&fake, &resumed, states, &report);
	/* Six devices to read, 7 endpoints at 3 a page: 3 pages. */
	assert_int_equal(count_calls(&fake, FAKE_LIST), 3);
	assert_int_equal(report.reached, 1);
	assert_int_equal(report.changed, 2);
	assert_int_equal(report.unread, 0);
	assert_int_equal(report.remaining, 3);
	size_t before = fake.call_count, timers_before = count_calls(&fake, FAKE_TIMER);

	struct job *job = job_start(&fake.transport, &resumed, states, journal, NULL, NULL);
	fake_run(&fake);
	assert_finished(job);
	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	/* Only the remainder is sent: d2 and d5 whole, d4's endpoint. */
	for (size_t i = 0; i < 7; i++) {
		bool sim_sent = i == 2 || i == 5, endpoint_sent = i == 2 || i == 4 || i == 5;
		assert_int_equal(count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(i)), sim_sent);
		assert_int_equal(count_endpoint_changes_naming(&fake, ENDPOINT_ID(i)), endpoint_sent);
	}
	assert_int_equal(count_calls(&fake, FAKE_BULK), 1);
	struct job_calls calls;
	job_plan_calls(&resumed, states, &fake.transport, &calls);
	/* Calls to the API: a timer (waiting for a batch to fill) is none. */
	assert_int_equal(calls.total, fake.call_count - before - (count_calls(&fake, FAKE_TIMER) - timers_before));

	assert_result(job, 2, JOB_DONE, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_result(job, 4, JOB_DONE, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_result(job, 5, JOB_DONE, SIM_SUSPENDED, ENDPOINT_DISABLED);
	assert_true(job_result(job, 5)->read_back);
	assert_true(job_result(job, 0)->outcome == JOB_DONE || job_result(job, 0)->outcome == JOB_UNCHANGED);
	assert_true(job_result(job, 1)->outcome == JOB_DONE || job_result(job, 1)->outcome == JOB_UNCHANGED);
	assert_true(job_result(job, 3)->changed_elsewhere);
	assert_true(job_result(job, 6)->changed_elsewhere);
	assert_int_equal(job_result(job, 3)->outcome, JOB_HALF_DONE);
	assert_int_equal(job_result(job, 6)->outcome, JOB_FAILED);
	/* Left alone. */
	assert_int_equal(fake.endpoints[3].status, ENDPOINT_DELETED);
	assert_int_equal(fake.sims[6].status, SIM_DELETED);
	assert_int_equal(fake.endpoints[6].status, ENDPOINT_ENABLED);
	free_job(&fake, job);
	journal_close(journal);
	free(states);
	plan_free(&resumed);

	/* The journal has the results of the intents the rebase skipped, and its end. */
	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	if (!journal)
		fail_msg("%s", message);
	assert_true(journal_finished(journal));
	assert_int_equal(states[1][1], JOURNAL_DONE);
	assert_int_equal(states[4][0], JOURNAL_DONE);
	assert_int_equal(states[4][1], JOURNAL_DONE);
	assert_int_equal(states[2][0], JOURNAL_DONE);
	assert_int_equal(states[5][1], JOURNAL_DONE);
	assert_int_equal(states[3][1], JOURNAL_PENDING);
	journal_close(journal);
	free(states);
	plan_free(&resumed);

	remove_tree(directory);
	free(directory);
	free(path);
	plan_free(&plan);
	fake_free(&fake);
}

/* A device whose later step is found changed elsewhere, its first step still at its from
 * status: job.h says the device's unsent steps become CHANGED (left alone, DESIGN.md §6). */
static void check_changed_later_step(enum plan_action action, int sim_now, int endpoint_now)
{
	struct fake fake;
	struct plan plan;
	struct job_rebase_report report;
	enum journal_state states[2][2] = { { JOURNAL_PENDING, JOURNAL_PENDING },
					    { JOURNAL_PENDING, JOURNAL_PENDING } };
	int sim = action == PLAN_ONLINE ? SIM_SUSPENDED : SIM_ACTIVATED;
	int endpoint = action == PLAN_ONLINE ? ENDPOINT_DISABLED : ENDPOINT_ENABLED;

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 2, sim, endpoint);
	build_plan(&plan, action, &fake, 2);
	fake.sims[0].status = sim_now;
	fake.endpoints[0].status = endpoint_now;
	check_and_rebase(&fake, &plan, states, &report);
	assert_int_equal(report.changed, 1);
	assert_int_equal(report.remaining, 1);

	struct job *job = job_start(&fake.transport, &plan, states, NULL, NULL, NULL);
	fake_run(&fake);
	assert_finished(job);
	/* Reported as changed elsewhere and left alone: nothing may be sent to it. */
	assert_int_equal(count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(0)), 0);
	assert_int_equal(count_endpoint_changes_naming(&fake, ENDPOINT_ID(0)), 0);
	for (int step = 0; step < plan.devices[0].step_count; step++)
		assert_int_equal(plan.devices[0].steps[step].skip, SKIP_CHANGED);
	assert_true(job_result(job, 0)->changed_elsewhere);
	assert_int_equal(job_result(job, 0)->outcome, JOB_FAILED);
	/* The other device is finished as planned. */
	assert_int_equal(job_result(job, 1)->outcome, JOB_DONE);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* A step found changed elsewhere leaves the whole device alone, the steps before it too: a
 * resume never suspends the SIM of an endpoint deleted meanwhile. */
static void test_resume_offline_endpoint_changed_elsewhere(void **state)
{
	(void)state;
	check_changed_later_step(PLAN_OFFLINE, SIM_ACTIVATED, ENDPOINT_DELETED);
}

/* As above: online never enables the endpoint of a SIM deleted meanwhile. */
static void test_resume_online_sim_changed_elsewhere(void **state)
{
	(void)state;
	check_changed_later_step(PLAN_ONLINE, SIM_DELETED, ENDPOINT_DISABLED);
}

/* Without a rebase, a step with only an intent is read back before anything is sent. */
static void test_resume_intents_settled_first(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;
	enum journal_state states[4][2] = {
		{ JOURNAL_INTENT, JOURNAL_PENDING }, /* SIM applied */
		{ JOURNAL_INTENT, JOURNAL_PENDING }, /* SIM not applied */
		{ JOURNAL_DONE, JOURNAL_INTENT },    /* endpoint applied */
		{ JOURNAL_DONE, JOURNAL_INTENT },    /* endpoint not applied */
	};

	fake_init(&fake, 2000, 3);
	fake_add_devices(&fake, 4, SIM_ACTIVATED, ENDPOINT_ENABLED);
	build_plan(&plan, PLAN_OFFLINE, &fake, 4);
	fake.sims[0].status = SIM_SUSPENDED;
	fake.sims[2].status = SIM_SUSPENDED;
	fake.endpoints[2].status = ENDPOINT_DISABLED;
	fake.sims[3].status = SIM_SUSPENDED;
	struct job *job = job_start(&fake.transport, &plan, states, NULL, NULL, NULL);
	fake_run(&fake);
	assert_finished(job);

	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	assert_int_equal(count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(0)), 0);
	assert_int_equal(count_calls_naming(&fake, FAKE_SIM_PATCH, SIM_ID(1)), 1);
	assert_true(find_call(&fake, 0, FAKE_SIM_GET, SIM_ID(1)) < find_call(&fake, 0, FAKE_SIM_PATCH, SIM_ID(1)));
	assert_true(find_call(&fake, 0, FAKE_SIM_GET, SIM_ID(0)) < fake.call_count);
	assert_int_equal(count_endpoint_changes_naming(&fake, ENDPOINT_ID(2)), 0);
	assert_int_equal(count_endpoint_changes_naming(&fake, ENDPOINT_ID(3)), 1);
	size_t change = find_call(&fake, 0, FAKE_BULK, ENDPOINT_ID(3));
	assert_true(find_call(&fake, 0, FAKE_ENDPOINT_GET, ENDPOINT_ID(3)) < change);
	for (size_t i = 0; i < 4; i++) {
		assert_true(job_result(job, i)->outcome == JOB_DONE);
		assert_int_equal(fake.sims[i].status, SIM_SUSPENDED);
		assert_int_equal(fake.endpoints[i].status, ENDPOINT_DISABLED);
	}
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* --- 11. planned calls ----------------------------------------------------------------------- */

static void test_planned_calls_offline(void **state)
{
	(void)state;
	for (int by_list = 0; by_list <= 1; by_list++) {
		struct fake fake;
		struct plan plan;
		struct job_calls calls;

		fake_init(&fake, 2000, 3);
		fake_add_devices(&fake, by_list ? 5 : 2, SIM_ACTIVATED, ENDPOINT_ENABLED);
		if (!by_list)
			fake_add_bystanders(&fake, 7);
		build_plan(&plan, PLAN_OFFLINE, &fake, fake.devices);
		job_plan_calls(&plan, NULL, &fake.transport, &calls);
		assert_int_equal(calls.verify_by_list, by_list);
		assert_int_equal(calls.settle_reads, 0);
		struct job *job = run_job(&fake, &plan, NULL);
		assert_planned_calls(&fake, &plan, NULL, job);
		free_job(&fake, job);
		plan_free(&plan);
		fake_free(&fake);
	}
}

static void test_planned_calls_batches(void **state)
{
	(void)state;
	struct fake fake;
	struct plan plan;
	struct job_calls calls;

	fake_init(&fake, 4, 3);
	fake_add_devices(&fake, 10, SIM_ACTIVATED, ENDPOINT_ENABLED);
	build_plan(&plan, PLAN_OFFLINE, &fake, 10);
	job_plan_calls(&plan, NULL, &fake.transport, &calls);
	assert_int_equal(calls.sim_changes, 10);
	assert_int_equal(calls.bulk_calls, 3);
	assert_int_equal(calls.verify_reads, 4);
	assert_true(calls.verify_by_list);
	struct job *job = run_job(&fake, &plan, NULL);
	assert_planned_calls(&fake, &plan, NULL, job);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
}

/* --- 12. killed at every point -------------------------------------------------------------- */

#define CRASH_DEVICES 3

/* What goes wrong in a run before it is killed. */
enum crash_scenario {
	CRASH_PLAIN,
	CRASH_LOST_AND_THROTTLED, /* the first bulk lost, not applied; the second SIM PATCH 429 */
	CRASH_LOST_APPLIED,       /* the second SIM PATCH and the first bulk lost, both applied */
	CRASH_SCENARIOS,
};

static void crash_fake(struct fake *fake, enum crash_scenario scenario)
{
	fake_init(fake, 2, 3);
	fake_add_devices(fake, CRASH_DEVICES, SIM_ACTIVATED, ENDPOINT_ENABLED);
	if (scenario == CRASH_LOST_AND_THROTTLED) {
		fake_add_rule(fake, FAKE_BULK, 0, 1, 1, FAULT_LOST, 502);
		fake_add_rule(fake, FAKE_SIM_PATCH, 0, 2, 1, FAULT_THROTTLED, 0);
	} else if (scenario == CRASH_LOST_APPLIED) {
		fake_add_rule(fake, FAKE_SIM_PATCH, 0, 2, 1, FAULT_LOST_APPLIED, 0);
		fake_add_rule(fake, FAKE_BULK, 0, 1, 1, FAULT_LOST_APPLIED, 0);
	}
}

/* Answers (and timers) an offline job of CRASH_DEVICES devices takes when nothing stops it. */
static size_t crash_run_answers(enum crash_scenario scenario)
{
	struct fake fake;
	struct plan plan;

	crash_fake(&fake, scenario);
	build_plan(&plan, PLAN_OFFLINE, &fake, CRASH_DEVICES);
	struct job *job = run_job(&fake, &plan, NULL);
	size_t answers = fake.delivered;
	for (size_t i = 0; i < CRASH_DEVICES; i++)
		assert_done(job, i, SIM_SUSPENDED, ENDPOINT_DISABLED);
	free_job(&fake, job);
	plan_free(&plan);
	fake_free(&fake);
	return answers;
}

/* Run the job with a journal, kill it after answers answers (in-flight changes reaching the
 * API or not), resume it from its journal against the same API, and check the end. */
static void crash_and_resume(enum crash_scenario scenario, size_t answers, bool in_flight_applied)
{
	struct fake fake;
	struct plan plan, resumed;
	enum journal_state (*states)[2] = NULL;
	struct job_rebase_report report;
	char message[512];

	print_message("scenario %d killed after %zu answers, in-flight changes %s\n", (int)scenario, answers,
		      in_flight_applied ? "applied" : "lost");
	crash_fake(&fake, scenario);
	fake.cancel_applies = in_flight_applied;
	build_plan(&plan, PLAN_OFFLINE, &fake, CRASH_DEVICES);
	char *directory = make_temporary_directory("job");
	struct journal *journal = journal_create(directory, &plan, NULL, message, sizeof(message));
	if (!journal)
		fail_msg("%s", message);
	char *path = xstrdup(journal_path(journal));

	struct job *job = job_start(&fake.transport, &plan, NULL, journal, NULL, NULL);
	for (size_t k = 0; k < answers && fake_step(&fake); k++)
		continue;
	free_job(&fake, job);
	journal_close(journal);

	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	if (!journal)
		fail_msg("%s", message);
	resumed.fleet_endpoints = plan.fleet_endpoints;
	check_and_rebase(&fake, &resumed, states, &report);
	assert_int_equal(report.changed + report.unread, 0);
	job = job_start(&fake.transport, &resumed, states, journal, NULL, NULL);
	fake_run(&fake);
	assert_finished(job);
	for (size_t i = 0; i < CRASH_DEVICES; i++) {
		const struct job_device_result *result = job_result(job, i);
		if (result->outcome != JOB_DONE && result->outcome != JOB_UNCHANGED)
			fail_msg("device %zu: %s (%s)", i, job_result_word(result), result->message);
		assert_false(result->changed_elsewhere);
		assert_int_equal(fake.sims[i].status, SIM_SUSPENDED);
		assert_int_equal(fake.endpoints[i].status, ENDPOINT_DISABLED);
		assert_int_equal(fake.sims[i].changes, 1);
		assert_int_equal(fake.endpoints[i].changes, 1);
	}
	assert_by_the_rules(&fake);
	assert_charges_stop_first(&fake);
	assert_true(journal_finished(journal));
	free_job(&fake, job);
	journal_close(journal);
	free(states);
	plan_free(&resumed);

	/* The journal knows every step done: a third run would send nothing. */
	journal = journal_resume(path, &resumed, &states, false, message, sizeof(message), NULL);
	if (!journal)
		fail_msg("%s", message);
	for (size_t i = 0; i < CRASH_DEVICES; i++)
		for (int step = 0; step < 2; step++)
			if (states[i][step] != JOURNAL_DONE)
				fail_msg("device %zu step %d: journal state %d, not done", i, step,
					 (int)states[i][step]);
	journal_close(journal);
	free(states);
	plan_free(&resumed);

	remove_tree(directory);
	free(directory);
	free(path);
	plan_free(&plan);
	fake_free(&fake);
}

static void test_killed_at_every_answer(void **state)
{
	(void)state;
	for (int scenario = 0; scenario < CRASH_SCENARIOS; scenario++) {
		size_t total = crash_run_answers((enum crash_scenario)scenario);
		assert_true(total >= CRASH_DEVICES + 2);
		for (size_t answers = 0; answers <= total; answers++) {
			crash_and_resume((enum crash_scenario)scenario, answers, false);
			crash_and_resume((enum crash_scenario)scenario, answers, true);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes_as_they_settle),
		cmocka_unit_test(test_offline_verified_by_list),
		cmocka_unit_test(test_offline_verified_by_get),
		cmocka_unit_test(test_offline_mixed_devices),
		cmocka_unit_test(test_changed_elsewhere_during_job),
		cmocka_unit_test(test_lost_list_page_read_by_get),
		cmocka_unit_test(test_online_endpoints_first_then_sims),
		cmocka_unit_test(test_batches_of_transport_bulk_max),
		cmocka_unit_test(test_batches_of_option_bulk_max),
		cmocka_unit_test(test_refused_bulk_atomic_narrowed_down),
		cmocka_unit_test(test_refused_bulk_partial_read_back),
		cmocka_unit_test(test_lost_single_while_narrowing),
		cmocka_unit_test(test_refusal_of_bad_items_only_teaches_nothing),
		cmocka_unit_test(test_lost_bulk_applied_not_resent),
		cmocka_unit_test(test_lost_bulk_not_applied_resent),
		cmocka_unit_test(test_lost_bulk_send_limits),
		cmocka_unit_test(test_lost_sim_patch_applied_not_resent),
		cmocka_unit_test(test_lost_sim_patch_not_applied_resent),
		cmocka_unit_test(test_lost_sim_patch_send_limits),
		cmocka_unit_test(test_refused_sim_patch_keeps_endpoint_out),
		cmocka_unit_test(test_throttled_429_pauses_and_resends),
		cmocka_unit_test(test_edge_block_403_pauses_and_resends),
		cmocka_unit_test(test_free_during_pause),
		cmocka_unit_test(test_forbidden_halts),
		cmocka_unit_test(test_auth_halts),
		cmocka_unit_test(test_throttled_forever_gives_up),
		cmocka_unit_test(test_ten_lost_in_a_row_halts),
		cmocka_unit_test(test_cancel_mid_job),
		cmocka_unit_test(test_resume_rebased_on_read_back),
		cmocka_unit_test(test_resume_offline_endpoint_changed_elsewhere),
		cmocka_unit_test(test_resume_online_sim_changed_elsewhere),
		cmocka_unit_test(test_resume_intents_settled_first),
		cmocka_unit_test(test_planned_calls_offline),
		cmocka_unit_test(test_planned_calls_batches),
		cmocka_unit_test(test_killed_at_every_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
