/* emu_body.h — reading the request bodies the emulator accepts.
 *
 *   POST /api/v1/authenticate     {"application_token":"..."}
 *   PATCH /api/v1/sim/{id}        {"status":{"id":N, "description":"..."}, ...}
 *   PATCH /api/v1/endpoint/{id}   the same
 *   PATCH /api/v2/endpoint/multi  [{"id":ID, "status":{"id":N}, ...}, ...]
 *
 * The whole body is validated as strict JSON (RFC 8259), whatever its other fields, so that a
 * malformed body is refused with 400 even when the fields we use look fine. Only the fields
 * above are extracted; everything else is ignored, as the real API ignores fields a customer
 * organisation may not change. */
#ifndef SIMTOP_EMU_BODY_H
#define SIMTOP_EMU_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest application token accepted, in bytes. */
#define EMU_BODY_TOKEN_MAX 1024

enum emu_body_status {
	EMU_BODY_STATUS_ABSENT,     /* no top-level "status" key */
	EMU_BODY_STATUS_NO_ID,      /* "status" is not an object, or has no "id" */
	EMU_BODY_STATUS_BAD_ID,     /* "id" is not an integral number (1.0 counts as 1) */
	EMU_BODY_STATUS_ID,         /* status_id holds the id */
};

enum emu_body_id {
	EMU_BODY_ID_ABSENT,         /* no top-level "id" key, or "id":null */
	EMU_BODY_ID_BAD,            /* "id" is not an integral number */
	EMU_BODY_ID_VALUE,          /* id_value holds the id */
};

struct emu_body {
	bool has_token;             /* a top-level "application_token" string */
	char token[EMU_BODY_TOKEN_MAX]; /* unescaped; cut at the limit (and then never matches) */
	bool token_too_long;
	enum emu_body_status status;
	int64_t status_id;
	char status_id_text[32];    /* the id as sent, for error messages (may be cut) */
	enum emu_body_id id;        /* the object's own "id" (bulk items) */
	int64_t id_value;
};

/* Parse length bytes at text. Returns false, with a short human-readable reason in error, when
 * the body is not one valid JSON object. */
bool emu_body_parse(const char *text, size_t length, struct emu_body *out, char *error, size_t error_size);

/* One object of a bulk body: what the emulator reads of it. */
struct emu_body_item {
	enum emu_body_id id;
	int64_t id_value;
	enum emu_body_status status;
	int64_t status_id;
};

struct emu_body_list {
	struct emu_body_item *items; /* owned by the caller once parsed: free() it */
	size_t count;
};

/* Parse length bytes at text as a JSON array of objects. Returns false, with a short reason in
 * error and an empty list, when the body is not valid JSON or not an array of objects. */
bool emu_body_parse_list(const char *text, size_t length, struct emu_body_list *out, char *error,
			 size_t error_size);

#endif
