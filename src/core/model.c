/* model.c — the emnify domain: statuses, alignment, allowed transitions. */
#include <strings.h>

#include "model.h"

static const char *const sim_status_names[SIM_STATUS_COUNT] = {
	[SIM_ISSUED] = "Issued",
	[SIM_ACTIVATED] = "Activated",
	[SIM_SUSPENDED] = "Suspended",
	[SIM_DELETED] = "Deleted",
	[SIM_FACTORY_TEST] = "Factory Test",
};

static const char *const endpoint_status_names[ENDPOINT_STATUS_COUNT] = {
	[ENDPOINT_ENABLED] = "Enabled",
	[ENDPOINT_DISABLED] = "Disabled",
	[ENDPOINT_DELETED] = "Deleted",
};

static const struct {
	const char *word;
	const char *glyph;
	const char *ascii;
} alignments[ALIGN_COUNT] = {
#define ALIGNMENT_ROW(id, word, glyph, ascii) [ALIGN_##id] = { word, glyph, ascii },
	ALIGNMENT_LIST(ALIGNMENT_ROW)
#undef ALIGNMENT_ROW
};

const char *model_sim_status_name(int status)
{
	if (status < 0 || status >= SIM_STATUS_COUNT)
		return "";
	return sim_status_names[status];
}

const char *model_endpoint_status_name(int status)
{
	if (status < 0 || status >= ENDPOINT_STATUS_COUNT)
		return "";
	return endpoint_status_names[status];
}

const char *model_alignment_word(enum alignment alignment)
{
	if ((unsigned)alignment >= ALIGN_COUNT)
		return "";
	return alignments[alignment].word;
}

bool model_alignment_billed(int sim_status, int endpoint_status)
{
	return sim_status == SIM_ACTIVATED && endpoint_status == ENDPOINT_DISABLED;
}

const char *model_alignment_label(enum alignment alignment, int sim, int endpoint)
{
	if (alignment == ALIGN_MISALIGNED && model_alignment_billed(sim, endpoint))
		return MODEL_BILLED_WORD;
	return model_alignment_word(alignment);
}

const char *model_alignment_glyph(enum alignment alignment, bool ascii)
{
	if ((unsigned)alignment >= ALIGN_COUNT)
		return "?";
	return ascii ? alignments[alignment].ascii : alignments[alignment].glyph;
}

enum alignment model_alignment(int sim_status, int endpoint_status)
{
	if (sim_status == SIM_NONE || endpoint_status == ENDPOINT_NONE)
		return ALIGN_UNPAIRED;
	if (sim_status == SIM_ACTIVATED && endpoint_status == ENDPOINT_ENABLED)
		return ALIGN_ONLINE;
	if (sim_status == SIM_SUSPENDED && endpoint_status == ENDPOINT_DISABLED)
		return ALIGN_OFFLINE;
	if (sim_status == SIM_ISSUED && endpoint_status == ENDPOINT_DISABLED)
		return ALIGN_NEW;
	if (sim_status == SIM_FACTORY_TEST && endpoint_status == ENDPOINT_ENABLED)
		return ALIGN_TEST;
	return ALIGN_MISALIGNED;
}

bool model_sim_transition_allowed(int from, int to)
{
	switch (from) {
	case SIM_ISSUED: return to == SIM_ACTIVATED || to == SIM_FACTORY_TEST;
	case SIM_FACTORY_TEST: return to == SIM_ACTIVATED;
	case SIM_ACTIVATED: return to == SIM_SUSPENDED;
	case SIM_SUSPENDED: return to == SIM_ACTIVATED;
	default: return false;
	}
}

static const char *const connectivity_words[CONNECTIVITY_COUNT] = {
	[CONNECTIVITY_UNKNOWN] = "", [CONNECTIVITY_ONLINE] = "online", [CONNECTIVITY_ATTACHED] = "attached",
	[CONNECTIVITY_OFFLINE] = "offline", [CONNECTIVITY_BLOCKED] = "blocked",
};

enum connectivity model_connectivity_parse(const char *word)
{
	for (int i = CONNECTIVITY_ONLINE; i < CONNECTIVITY_COUNT; i++)
		if (word && strcasecmp(word, connectivity_words[i]) == 0)
			return (enum connectivity)i;
	return CONNECTIVITY_UNKNOWN;
}

const char *model_connectivity_word(enum connectivity connectivity)
{
	return (unsigned)connectivity < CONNECTIVITY_COUNT ? connectivity_words[connectivity] : "";
}
