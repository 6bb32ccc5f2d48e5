/* test_model.c — status names, the alignment table and the SIM transition rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(model_sim_status_name(SIM_ISSUED), "Issued");
	assert_string_equal(model_sim_status_name(SIM_ACTIVATED), "Activated");
	assert_string_equal(model_sim_status_name(SIM_SUSPENDED), "Suspended");
	assert_string_equal(model_sim_status_name(SIM_DELETED), "Deleted");
	assert_string_equal(model_sim_status_name(SIM_FACTORY_TEST), "Factory Test");
	assert_string_equal(model_sim_status_name(SIM_NONE), "");
	assert_string_equal(model_sim_status_name(5), "");
	assert_string_equal(model_sim_status_name(-7), "");
	assert_string_equal(model_endpoint_status_name(ENDPOINT_ENABLED), "Enabled");
	assert_string_equal(model_endpoint_status_name(ENDPOINT_DISABLED), "Disabled");
	assert_string_equal(model_endpoint_status_name(ENDPOINT_DELETED), "Deleted");
	assert_string_equal(model_endpoint_status_name(ENDPOINT_NONE), "");
	assert_string_equal(model_endpoint_status_name(3), "");
}

static void test_alignment_words_and_glyphs(void **state)
{
	(void)state;
	static const char *const words[ALIGN_COUNT] = { "online", "offline", "new", "test", "misaligned",
							 "unpaired" };
	static const char *const ascii[ALIGN_COUNT] = { "o", ".", "n", "t", "!", "-" };
	static const char *const glyphs[ALIGN_COUNT] = { "\u25cf", "\u25cb", "\u25cc", "\u25d0", "\u25b2",
							  "\u25c7" };
	for (int alignment = 0; alignment < ALIGN_COUNT; alignment++) {
		assert_string_equal(model_alignment_word((enum alignment)alignment), words[alignment]);
		assert_string_equal(model_alignment_glyph((enum alignment)alignment, true), ascii[alignment]);
		assert_string_equal(model_alignment_glyph((enum alignment)alignment, false), glyphs[alignment]);
	}
	assert_string_equal(model_alignment_word(ALIGN_COUNT), "");
}

/* The whole table of DESIGN.md §3, every SIM status (with none) against every endpoint
 * status (with none). */
static void test_alignment_table(void **state)
{
	(void)state;
#define U ALIGN_UNPAIRED
#define M ALIGN_MISALIGNED
	/* rows: SIM none, Issued, Activated, Suspended, Deleted, Factory Test;
	 * columns: endpoint none, Enabled, Disabled, Deleted */
	static const enum alignment expected[SIM_STATUS_COUNT + 1][ENDPOINT_STATUS_COUNT + 1] = {
		{ U, U, U, U },
		{ U, M, ALIGN_NEW, M },
		{ U, ALIGN_ONLINE, M, M },
		{ U, M, ALIGN_OFFLINE, M },
		{ U, M, M, M },
		{ U, ALIGN_TEST, M, M },
	};
	for (int sim = SIM_NONE; sim < SIM_STATUS_COUNT; sim++)
		for (int endpoint = ENDPOINT_NONE; endpoint < ENDPOINT_STATUS_COUNT; endpoint++)
			assert_int_equal(model_alignment(sim, endpoint), expected[sim + 1][endpoint + 1]);
#undef U
#undef M
}

static void test_alignment_labels(void **state)
{
	(void)state;
	assert_string_equal(model_alignment_label(ALIGN_MISALIGNED, SIM_ACTIVATED, ENDPOINT_DISABLED), "billed");
	assert_string_equal(model_alignment_label(ALIGN_MISALIGNED, SIM_SUSPENDED, ENDPOINT_ENABLED),
			    "misaligned");
	assert_string_equal(model_alignment_label(ALIGN_MISALIGNED, SIM_ISSUED, ENDPOINT_ENABLED), "misaligned");
	assert_string_equal(model_alignment_label(ALIGN_MISALIGNED, SIM_ACTIVATED, ENDPOINT_DELETED),
			    "misaligned");
	assert_string_equal(model_alignment_label(ALIGN_ONLINE, SIM_ACTIVATED, ENDPOINT_ENABLED), "online");
	assert_string_equal(model_alignment_label(ALIGN_OFFLINE, SIM_SUSPENDED, ENDPOINT_DISABLED), "offline");
	assert_string_equal(model_alignment_label(ALIGN_UNPAIRED, SIM_NONE, ENDPOINT_DISABLED), "unpaired");
	/* Billed is the one pair of the table, and a kind of misaligned. */
	for (int sim = SIM_NONE; sim < SIM_STATUS_COUNT; sim++)
		for (int endpoint = ENDPOINT_NONE; endpoint < ENDPOINT_STATUS_COUNT; endpoint++) {
			bool billed = sim == SIM_ACTIVATED && endpoint == ENDPOINT_DISABLED;
			assert_int_equal(model_alignment_billed(sim, endpoint), billed);
			const char *label = model_alignment_label(model_alignment(sim, endpoint), sim, endpoint);
			if (billed)
				assert_int_equal(model_alignment(sim, endpoint), ALIGN_MISALIGNED);
			assert_string_equal(label, billed ? "billed"
						   : model_alignment_word(model_alignment(sim, endpoint)));
		}
}

/* Every pair of SIM statuses: only the five PATCHes emnify allows. */
static void test_transition_table(void **state)
{
	(void)state;
	bool allowed[SIM_STATUS_COUNT][SIM_STATUS_COUNT];
	memset(allowed, 0, sizeof(allowed));
	allowed[SIM_ISSUED][SIM_ACTIVATED] = true;
	allowed[SIM_ISSUED][SIM_FACTORY_TEST] = true;
	allowed[SIM_FACTORY_TEST][SIM_ACTIVATED] = true;
	allowed[SIM_ACTIVATED][SIM_SUSPENDED] = true;
	allowed[SIM_SUSPENDED][SIM_ACTIVATED] = true;
	for (int from = 0; from < SIM_STATUS_COUNT; from++)
		for (int to = 0; to < SIM_STATUS_COUNT; to++)
			assert_int_equal(model_sim_transition_allowed(from, to), allowed[from][to]);
	assert_false(model_sim_transition_allowed(SIM_NONE, SIM_ACTIVATED));
	assert_false(model_sim_transition_allowed(SIM_ACTIVATED, SIM_NONE));
	assert_false(model_sim_transition_allowed(9, SIM_ACTIVATED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_alignment_words_and_glyphs),
		cmocka_unit_test(test_alignment_table),
		cmocka_unit_test(test_alignment_labels),
		cmocka_unit_test(test_transition_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
