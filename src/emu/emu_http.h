/* emu_http.h — building and sending one response with libmicrohttpd.
 *
 * A reply is filled in by the route that handles a request and sent once with emu_http_send(),
 * which takes care of header spelling (--lower-case-headers) and frees the body. Bodies come in
 * the two error shapes the real API uses: the backend's {error_code, error_token, message,
 * errors?} and the gateway's bare {message}. */
#ifndef SIMTOP_EMU_HTTP_H
#define SIMTOP_EMU_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <microhttpd.h>

#include "emu_buf.h"

/* What the backend labels its JSON, and what the gateway and 204s carry. */
#define EMU_HTTP_JSON "application/json; charset=UTF-8"
#define EMU_HTTP_JSON_PLAIN "application/json"

#define EMU_HTTP_MAX_HEADERS 12

struct emu_http_reply {
	unsigned status;
	const char *content_type;   /* NULL: no Content-Type */
	char *body;                 /* owned; NULL: empty body */
	size_t length;
	int header_count;
	struct {
		const char *name;   /* a literal, in its canonical spelling */
		char value[256];    /* room for X-Filter's echo of q (EMU_QUERY_TEXT_MAX) */
	} headers[EMU_HTTP_MAX_HEADERS];
};

void emu_http_reply_init(struct emu_http_reply *reply, unsigned status);

/* Add a header; name must be a string literal or otherwise outlive the reply. */
void emu_http_reply_header(struct emu_http_reply *reply, const char *name, const char *value);
void emu_http_reply_header_int(struct emu_http_reply *reply, const char *name, int64_t value);

/* Use buf's contents as the body (buf is left empty). */
void emu_http_reply_body(struct emu_http_reply *reply, struct emu_buf *buf, const char *content_type);

/* {"error_code":code,"error_token":token,"message":message} */
void emu_http_reply_error(struct emu_http_reply *reply, unsigned status, int code, const char *token,
			  const char *message);

/* 422 {"error_code":1400,"error_token":"InputValidationFailed","message":message,
 *      "errors":[{"error_code":code,"error_token":token,"message":detail}]} */
void emu_http_reply_validation_error(struct emu_http_reply *reply, const char *message, int code,
				     const char *token, const char *detail);

/* One entry of errors[]; the strings must outlive the call. */
struct emu_http_error {
	int code;
	const char *token;
	const char *message;
};

/* The same with count entries in errors[]. */
void emu_http_reply_validation_errors(struct emu_http_reply *reply, const char *message,
				      const struct emu_http_error *errors, size_t count);

/* The gateway's shape: {"message":message}. */
void emu_http_reply_message(struct emu_http_reply *reply, unsigned status, const char *message);

/* Queue the reply on connection and release its body. Returns what the access handler must
 * return. */
enum MHD_Result emu_http_send(struct MHD_Connection *connection, struct emu_http_reply *reply, bool lower_case);

/* Add a header to a response built elsewhere, spelled as emu_http_send would. With lower_case
 * the emulator also writes the Date header itself (libmicrohttpd's is suppressed then). */
void emu_http_add_header(struct MHD_Response *response, const char *name, const char *value, bool lower_case);
void emu_http_add_date(struct MHD_Response *response, bool lower_case);

#endif
