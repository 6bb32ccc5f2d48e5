/* model.h — the emnify domain: statuses, alignment, allowed transitions. */
#ifndef SIMTOP_MODEL_H
#define SIMTOP_MODEL_H

#include <stdbool.h>

/* SIM status ids as emnify numbers them; SIM_NONE marks a device without a SIM. */
enum sim_status {
	SIM_NONE = -1,
	SIM_ISSUED = 0,
	SIM_ACTIVATED = 1,
	SIM_SUSPENDED = 2,
	SIM_DELETED = 3,
	SIM_FACTORY_TEST = 4,
};
#define SIM_STATUS_COUNT 5

enum endpoint_status {
	ENDPOINT_NONE = -1,
	ENDPOINT_ENABLED = 0,
	ENDPOINT_DISABLED = 1,
	ENDPOINT_DELETED = 2,
};
#define ENDPOINT_STATUS_COUNT 3

/* X-macro: one row per alignment with its word and its glyph, UTF-8 and ASCII, so the column
 * reads the same with or without colour. */
#define ALIGNMENT_LIST(_) \
	_(ONLINE,     "online",     "\u25cf", "o") \
	_(OFFLINE,    "offline",    "\u25cb", ".") \
	_(NEW,        "new",        "\u25cc", "n") \
	_(TEST,       "test",       "\u25d0", "t") \
	_(MISALIGNED, "misaligned", "\u25b2", "!") \
	_(UNPAIRED,   "unpaired",   "\u25c7", "-")

enum alignment {
#define ALIGNMENT_ENUM(id, word, glyph, ascii) ALIGN_##id,
	ALIGNMENT_LIST(ALIGNMENT_ENUM)
#undef ALIGNMENT_ENUM
	ALIGN_COUNT
};

/* Names as emnify writes them ("Activated", "Factory Test"); "" for NONE or unknown ids. */
const char *model_sim_status_name(int status);
const char *model_endpoint_status_name(int status);
/* The alignment's own word ("misaligned"): the title's counts, the help, align: in the filter. */
const char *model_alignment_word(enum alignment alignment);

/* "billed": the misalignment that costs money, an Activated SIM behind a Disabled endpoint
 * (emnify charges an Activated SIM whatever its endpoint says). It is a word, not an alignment
 * of its own: such a device is ALIGN_MISALIGNED, counted, coloured and matched by
 * align:misaligned as one, and align:billed picks it out. */
#define MODEL_BILLED_WORD "billed"
/* True for the statuses that make a device billed. */
bool model_alignment_billed(int sim_status, int endpoint_status);
/* The word a device's alignment is written with, the same in the table, the detail, CSV and
 * JSON: "billed" for a billed device, model_alignment_word() for every other. */
const char *model_alignment_label(enum alignment alignment, int sim, int endpoint);
/* One UTF-8 glyph; an ASCII fallback when ascii is true. */
const char *model_alignment_glyph(enum alignment alignment, bool ascii);

/* The alignment table of DESIGN.md §3. Deleted statuses count as misaligned. */
enum alignment model_alignment(int sim_status, int endpoint_status);

/* What the network says of an endpoint (GET /endpoint/{id}/connectivity): a data session
 * (ONLINE), registered (ATTACHED), not reachable (OFFLINE), service refused (BLOCKED). */
enum connectivity {
	CONNECTIVITY_UNKNOWN,   /* not read, or a word emnify does not document */
	CONNECTIVITY_ONLINE,
	CONNECTIVITY_ATTACHED,
	CONNECTIVITY_OFFLINE,
	CONNECTIVITY_BLOCKED,
	CONNECTIVITY_COUNT
};
/* The API's word ("ONLINE"), case-insensitive; CONNECTIVITY_UNKNOWN for any other. */
enum connectivity model_connectivity_parse(const char *word);
/* Lower-case word for CSV, JSON, the filter language and the screen ("attached"); "" unknown. */
const char *model_connectivity_word(enum connectivity connectivity);

/* True when emnify allows a SIM PATCH from one status to the other. */
bool model_sim_transition_allowed(int from, int to);

#endif
