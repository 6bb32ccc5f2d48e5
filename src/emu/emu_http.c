/* emu_http.c — replies. */
#include "emu_http.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void emu_http_reply_init(struct emu_http_reply *reply, unsigned status)
{
	memset(reply, 0, sizeof *reply);
	reply->status = status;
}

void emu_http_reply_header(struct emu_http_reply *reply, const char *name, const char *value)
{
	if (reply->header_count == EMU_HTTP_MAX_HEADERS)
		return;
	reply->headers[reply->header_count].name = name;
	snprintf(reply->headers[reply->header_count].value, sizeof reply->headers[0].value, "%s", value);
	reply->header_count++;
}

void emu_http_reply_header_int(struct emu_http_reply *reply, const char *name, int64_t value)
{
	char text[24];
	snprintf(text, sizeof text, "%" PRId64, value);
	emu_http_reply_header(reply, name, text);
}

void emu_http_reply_body(struct emu_http_reply *reply, struct emu_buf *buf, const char *content_type)
{
	free(reply->body);
	reply->body = emu_buf_take(buf, &reply->length);
	reply->content_type = content_type;
}

static void error_object(struct emu_buf *buf, int code, const char *token, const char *message)
{
	emu_buf_add_str(buf, "{\"error_code\":");
	emu_buf_add_int(buf, code);
	emu_buf_add_str(buf, ",\"error_token\":");
	emu_buf_add_json_string(buf, token);
	emu_buf_add_str(buf, ",\"message\":");
	emu_buf_add_json_string(buf, message);
}

void emu_http_reply_error(struct emu_http_reply *reply, unsigned status, int code, const char *token,
			  const char *message)
{
	struct emu_buf buf = { 0 };
	error_object(&buf, code, token, message);
	emu_buf_add_char(&buf, '}');
	reply->status = status;
	emu_http_reply_body(reply, &buf, EMU_HTTP_JSON);
}

void emu_http_reply_validation_errors(struct emu_http_reply *reply, const char *message,
				      const struct emu_http_error *errors, size_t count)
{
	struct emu_buf buf = { 0 };
	error_object(&buf, 1400, "InputValidationFailed", message);
	emu_buf_add_str(&buf, ",\"errors\":[");
	for (size_t i = 0; i < count; i++) {
		if (i)
			emu_buf_add_char(&buf, ',');
		error_object(&buf, errors[i].code, errors[i].token, errors[i].message);
		emu_buf_add_char(&buf, '}');
	}
	emu_buf_add_str(&buf, "]}");
	reply->status = 422;
	emu_http_reply_body(reply, &buf, EMU_HTTP_JSON);
}

void emu_http_reply_validation_error(struct emu_http_reply *reply, const char *message, int code,
				     const char *token, const char *detail)
{
	struct emu_http_error error = { code, token, detail };
	emu_http_reply_validation_errors(reply, message, &error, 1);
}

void emu_http_reply_message(struct emu_http_reply *reply, unsigned status, const char *message)
{
	struct emu_buf buf = { 0 };
	emu_buf_add_str(&buf, "{\"message\":");
	emu_buf_add_json_string(&buf, message);
	emu_buf_add_char(&buf, '}');
	reply->status = status;
	emu_http_reply_body(reply, &buf, EMU_HTTP_JSON_PLAIN);
}

void emu_http_add_header(struct MHD_Response *response, const char *name, const char *value, bool lower_case)
{
	if (!lower_case) {
		MHD_add_response_header(response, name, value);
		return;
	}
	char lower[64];
	size_t i = 0;
	for (; name[i] && i < sizeof lower - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	MHD_add_response_header(response, lower, value);
}

void emu_http_add_date(struct MHD_Response *response, bool lower_case)
{
	if (!lower_case)
		return; /* libmicrohttpd adds its own "Date" */
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char text[40];
	snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	MHD_add_response_header(response, "date", text);
}

enum MHD_Result emu_http_send(struct MHD_Connection *connection, struct emu_http_reply *reply, bool lower_case)
{
	struct MHD_Response *response;
	if (reply->body && reply->length)
		response = MHD_create_response_from_buffer(reply->length, reply->body, MHD_RESPMEM_MUST_FREE);
	else {
		free(reply->body);
		response = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	}
	reply->body = NULL;
	if (!response)
		return MHD_NO;
	if (reply->content_type)
		emu_http_add_header(response, "Content-Type", reply->content_type, lower_case);
	for (int i = 0; i < reply->header_count; i++)
		emu_http_add_header(response, reply->headers[i].name, reply->headers[i].value, lower_case);
	emu_http_add_date(response, lower_case);
	enum MHD_Result result = MHD_queue_response(connection, reply->status, response);
	MHD_destroy_response(response);
	return result;
}
