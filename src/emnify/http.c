/* http.c — the libcurl multi wrapper described in http.h. */
#include "http.h"

#include <assert.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* A server that sends more header lines than this is not one we talk to. */
#define HTTP_HEADER_LINES_MAX 1000
/* Body buffers up to this size are kept for the next response (see struct http). */
#define HTTP_SPARE_BODY_MAX (32u * 1024u * 1024u)
#define HTTP_READ_BYTES (256L * 1024L)

struct http_request {
	struct http_request *prev, *next; /* in the running list */
	struct http *owner;
	CURL *easy;

	enum http_method method;
	char *url;
	struct curl_slist *headers;
	char *body;
	size_t body_length;
	long timeout_ms;
	http_done *done;
	void *context;
	int64_t started_ms;

	char *response_body;
	size_t response_length, response_capacity;
	bool too_large;
	char **header_lines;
	size_t *header_lengths;
	size_t header_count, header_capacity;
	char error[CURL_ERROR_SIZE];
};

struct request_list {
	struct http_request *head, *tail;
	size_t count;
};

struct http {
	CURLM *multi;
	int parallel;
	char *user_agent;
	long connect_timeout_ms;
	long silence_seconds;
	int64_t last_received_ms;
	struct request_list running;
	/* Body buffers of finished requests, reused by the next ones: list pages are around a
	 * megabyte each, and allocating and freeing that much per page, between the parser's
	 * many small allocations, made malloc spend more time consolidating than the parser
	 * spent parsing. */
	char **spare;
	size_t *spare_capacity;
	int spare_count;
	/* Easy handles are reused for the same reason: each one holds large buffers. */
	CURL **idle_easy;
	int idle_easy_count;
};

static int http_users;

static void request_start(struct http *http, struct http_request *request);

static void list_append(struct request_list *list, struct http_request *request)
{
	request->next = NULL;
	request->prev = list->tail;
	if (list->tail)
		list->tail->next = request;
	else
		list->head = request;
	list->tail = request;
	list->count++;
}

static void list_remove(struct request_list *list, struct http_request *request)
{
	if (request->prev)
		request->prev->next = request->next;
	else
		list->head = request->next;
	if (request->next)
		request->next->prev = request->prev;
	else
		list->tail = request->prev;
	request->prev = request->next = NULL;
	list->count--;
}

struct http *http_new(int parallel, const char *user_agent, long connect_timeout_ms, long silence_ms)
{
	struct http *http = xcalloc(1, sizeof(*http));

	if (http_users++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die(3, "cannot initialise libcurl");
	http->multi = curl_multi_init();
	if (!http->multi)
		die(3, "cannot initialise libcurl");
	http->parallel = parallel < 1 ? 1 : parallel;
	http->user_agent = xstrdup(user_agent);
	http->connect_timeout_ms = connect_timeout_ms > 0 ? connect_timeout_ms : 1;
	http->silence_seconds = silence_ms > 1000 ? (silence_ms + 999) / 1000 : 1;
	http->spare = xcalloc((size_t)http->parallel, sizeof(char *));
	http->spare_capacity = xcalloc((size_t)http->parallel, sizeof(size_t));
	http->idle_easy = xcalloc((size_t)http->parallel, sizeof(CURL *));
	/* Keep every connection of a full set of parallel transfers for the next batch. */
	curl_multi_setopt(http->multi, CURLMOPT_MAXCONNECTS, (long)http->parallel + 1);
	return http;
}

static void request_free(struct http_request *request)
{
	struct http *http = request->owner;

	if (request->easy && http->idle_easy_count < http->parallel)
		http->idle_easy[http->idle_easy_count++] = request->easy;
	else if (request->easy)
		curl_easy_cleanup(request->easy);
	if (request->response_body && request->response_capacity <= HTTP_SPARE_BODY_MAX &&
	    http->spare_count < http->parallel) {
		http->spare[http->spare_count] = request->response_body;
		http->spare_capacity[http->spare_count] = request->response_capacity;
		http->spare_count++;
		request->response_body = NULL;
	}
	if (request->body) {
		explicit_bzero(request->body, request->body_length);
		free(request->body);
	}
	curl_slist_free_all(request->headers);
	free(request->url);
	free(request->response_body);
	for (size_t i = 0; i < request->header_count; i++)
		free(request->header_lines[i]);
	free(request->header_lines);
	free(request->header_lengths);
	free(request);
}

void http_free(struct http *http)
{
	if (!http)
		return;
	while (http->running.head)
		http_cancel(http, http->running.head);
	curl_multi_cleanup(http->multi);
	for (int i = 0; i < http->spare_count; i++)
		free(http->spare[i]);
	for (int i = 0; i < http->idle_easy_count; i++)
		curl_easy_cleanup(http->idle_easy[i]);
	free(http->idle_easy);
	free(http->spare);
	free(http->spare_capacity);
	free(http->user_agent);
	free(http);
	if (--http_users == 0)
		curl_global_cleanup();
}

struct http_request *http_submit(struct http *http, enum http_method method, const char *url,
				 const char *const *headers, size_t header_count,
				 const char *body, size_t body_length, long timeout_ms,
				 http_done *done, void *context)
{
	struct http_request *request = xcalloc(1, sizeof(*request));

	assert(http_free_slots(http) > 0);
	request->owner = http;
	request->method = method;
	request->url = xstrdup(url);
	for (size_t i = 0; i < header_count; i++) {
		struct curl_slist *grown = curl_slist_append(request->headers, headers[i]);
		if (!grown)
			die(3, "out of memory");
		request->headers = grown;
	}
	/* libcurl would otherwise wait for "100 Continue" before sending larger bodies. */
	request->headers = curl_slist_append(request->headers, "Expect:");
	if (!request->headers)
		die(3, "out of memory");
	if (body) {
		request->body = xmalloc(body_length + 1);
		memcpy(request->body, body, body_length);
		request->body[body_length] = '\0';
		request->body_length = body_length;
	}
	request->timeout_ms = timeout_ms;
	request->done = done;
	request->context = context;
	request_start(http, request);
	return request;
}

void http_cancel(struct http *http, struct http_request *request)
{
	curl_multi_remove_handle(http->multi, request->easy);
	list_remove(&http->running, request);
	request_free(request);
}

int http_running(const struct http *http)
{
	return (int)http->running.count;
}

int http_free_slots(const struct http *http)
{
	int busy = (int)http->running.count;
	return busy >= http->parallel ? 0 : http->parallel - busy;
}

int64_t http_last_received_ms(const struct http *http)
{
	return http->last_received_ms;
}

static size_t on_body(char *data, size_t size, size_t count, void *userdata)
{
	struct http_request *request = userdata;
	size_t length = size * count;

	request->owner->last_received_ms = util_now_ms();
	if (length > HTTP_BODY_MAX - request->response_length) {
		request->too_large = true;
		return 0;
	}
	if (request->response_length == 0) {
		/* Make room for the whole announced body at once instead of growing step by step. */
		curl_off_t announced = -1;
		curl_easy_getinfo(request->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
		if (announced > 0 && (uint64_t)announced < HTTP_BODY_MAX &&
		    (size_t)announced + 1 > request->response_capacity) {
			request->response_capacity = (size_t)announced + 1;
			request->response_body = xrealloc(request->response_body, request->response_capacity);
		}
	}
	/* One spare byte for the terminating NUL. */
	request->response_body = xgrow(request->response_body, &request->response_capacity,
				       request->response_length + length + 1, 1);
	memcpy(request->response_body + request->response_length, data, length);
	request->response_length += length;
	return length;
}

static void drop_header_lines(struct http_request *request)
{
	for (size_t i = 0; i < request->header_count; i++)
		free(request->header_lines[i]);
	request->header_count = 0;
}

static size_t on_header(char *data, size_t size, size_t count, void *userdata)
{
	struct http_request *request = userdata;
	size_t length = size * count;

	request->owner->last_received_ms = util_now_ms();
	/* A status line opens a new block (after 100 Continue, or a proxy's answer): only the
	 * last block belongs to the response. */
	if (length >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		drop_header_lines(request);
		return length;
	}
	if (length <= 2 && (length == 0 || data[0] == '\r' || data[0] == '\n'))
		return length;
	if (request->header_count >= HTTP_HEADER_LINES_MAX)
		return length;
	if (request->header_count == request->header_capacity) {
		size_t capacity = request->header_capacity;
		request->header_lines = xgrow(request->header_lines, &capacity,
					      request->header_count + 1, sizeof(char *));
		request->header_lengths = xrealloc(request->header_lengths, capacity * sizeof(size_t));
		request->header_capacity = capacity;
	}
	request->header_lines[request->header_count] = xstrndup(data, length);
	request->header_lengths[request->header_count] = length;
	request->header_count++;
	return length;
}

static void request_start(struct http *http, struct http_request *request)
{
	CURL *easy;

	if (http->idle_easy_count > 0) {
		easy = http->idle_easy[--http->idle_easy_count];
		curl_easy_reset(easy);
	} else {
		easy = curl_easy_init();
		if (!easy)
			die(3, "cannot initialise libcurl");
	}
	request->easy = easy;
	if (http->spare_count > 0) {
		http->spare_count--;
		request->response_body = http->spare[http->spare_count];
		request->response_capacity = http->spare_capacity[http->spare_count];
	}
	curl_easy_setopt(easy, CURLOPT_URL, request->url);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, request);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_USERAGENT, http->user_agent);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, request->headers);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, request->error);
	/* Larger reads than libcurl's 16 KB: a list page is most of a megabyte, and each read is a
	 * system call and a call of on_body(). */
	curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, HTTP_READ_BYTES);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, request);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, request);
	/* Reuse a connection that is free rather than wait to multiplex on a busy one. */
	curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 0L);
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	if (request->timeout_ms > 0)
		curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, request->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
			 request->timeout_ms > 0 && request->timeout_ms < http->connect_timeout_ms
				 ? request->timeout_ms : http->connect_timeout_ms);
	/* Less than a byte a second for that long: the server took the request and went quiet. */
	curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, http->silence_seconds);
	/* Plain http goes only to loopback (see http.h): no proxy from the environment. */
	if (util_prefix_nocase(request->url, "http://"))
		curl_easy_setopt(easy, CURLOPT_PROXY, "");
	switch (request->method) {
	case HTTP_GET:
		break;
	case HTTP_POST:
		curl_easy_setopt(easy, CURLOPT_POST, 1L);
		break;
	case HTTP_PATCH:
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PATCH");
		break;
	case HTTP_DELETE:
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "DELETE");
		break;
	}
	/* On a kept-alive connection that turns out dead, libcurl sends the request again on
	 * its own. A change must never go out twice behind the caller's back. */
	if (request->method == HTTP_PATCH || request->method == HTTP_DELETE)
		curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
	if (request->body || request->method == HTTP_POST) {
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request->body ? request->body : "");
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_length);
	}

	if (curl_multi_add_handle(http->multi, easy) != CURLM_OK)
		die(3, "cannot start a transfer in libcurl");
	request->started_ms = util_now_ms();
	list_append(&http->running, request);
}

static enum http_failure failure_of(CURLcode code, bool too_large)
{
	switch (code) {
	case CURLE_OK:
		return HTTP_FAILURE_NONE;
	case CURLE_COULDNT_CONNECT:
		return HTTP_FAILURE_CONNECT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return HTTP_FAILURE_RESOLVE;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_FAILURE_TIMEOUT;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING: /* a compressed body cut short */
		return HTTP_FAILURE_DROPPED;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return HTTP_FAILURE_TLS;
	case CURLE_WRITE_ERROR:
		return too_large ? HTTP_FAILURE_TOO_LARGE : HTTP_FAILURE_OTHER;
	default:
		return HTTP_FAILURE_OTHER;
	}
}

static void request_finish(struct http *http, struct http_request *request, CURLcode code)
{
	struct http_response response = { 0 };
	char *content_type = NULL;

	curl_multi_remove_handle(http->multi, request->easy);
	list_remove(&http->running, request);

	response.failure = failure_of(code, request->too_large);
	if (response.failure == HTTP_FAILURE_NONE) {
		curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE, &response.status);
		curl_easy_getinfo(request->easy, CURLINFO_CONTENT_TYPE, &content_type);
		response.error = "";
	} else if (response.failure == HTTP_FAILURE_TOO_LARGE) {
		response.error = "the response was larger than any the API sends";
	} else if (request->error[0]) {
		size_t length = strlen(request->error);
		while (length > 0 && (request->error[length - 1] == ' ' || request->error[length - 1] == '\n'))
			request->error[--length] = '\0';
		response.error = request->error;
	} else {
		response.error = curl_easy_strerror(code);
	}
	response.body = request->response_body ? request->response_body : "";
	if (request->response_body)
		request->response_body[request->response_length] = '\0';
	response.body_length = request->response_length;
	response.header_lines = (const char *const *)request->header_lines;
	response.header_lengths = request->header_lengths;
	response.header_count = request->header_count;
	response.content_type = content_type;
	response.elapsed_ms = util_now_ms() - request->started_ms;
	response.request = request;

	request->done(request->context, &response);
	request_free(request);
}

void http_wait(struct http *http, int extra_fd, int timeout_ms, bool *extra_ready)
{
	struct curl_waitfd waitfd = { .fd = extra_fd, .events = CURL_WAIT_POLLIN, .revents = 0 };
	unsigned int waitfd_count = extra_fd >= 0 ? 1 : 0;
	int still_running = 0;
	CURLMsg *message;
	int left;

	if (extra_ready)
		*extra_ready = false;
	/* curl_multi_poll() wants a non-negative timeout; it wakes up earlier on its own when a
	 * transfer needs attention. */
	if (timeout_ms < 0)
		timeout_ms = 3600 * 1000;
	if (timeout_ms > 0 || waitfd_count) {
		/* A failed poll (EINTR is not one) is left to the next call: perform still runs. */
		CURLMcode code = curl_multi_poll(http->multi, waitfd_count ? &waitfd : NULL,
						 waitfd_count, timeout_ms, NULL);
		if (code == CURLM_OK && extra_ready && (waitfd.revents & CURL_WAIT_POLLIN))
			*extra_ready = true;
	}
	curl_multi_perform(http->multi, &still_running);
	while ((message = curl_multi_info_read(http->multi, &left))) {
		char *private_data = NULL;

		if (message->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &private_data);
		/* A callback may cancel other finished requests: removing a handle also drops its
		 * pending message, so the loop never sees a freed one. */
		request_finish(http, (struct http_request *)(void *)private_data, message->data.result);
	}
}

void http_wakeup(struct http *http)
{
	curl_multi_wakeup(http->multi);
}

char *http_take_body(const struct http_response *response)
{
	struct http_request *request = response->request;
	char *body = request->response_body;
	if (!body)
		return xstrdup("");
	request->response_body = NULL;
	request->response_capacity = 0;
	request->response_length = 0;
	return body;
}

bool http_response_header(const struct http_response *response, const char *name,
			  const char **value, size_t *length)
{
	size_t name_length = strlen(name);

	for (size_t i = 0; i < response->header_count; i++) {
		const char *line = response->header_lines[i];
		size_t line_length = response->header_lengths[i];
		size_t start, end;

		if (line_length <= name_length || line[name_length] != ':' ||
		    strncasecmp(line, name, name_length) != 0)
			continue;
		start = name_length + 1;
		end = line_length;
		while (start < end && (line[start] == ' ' || line[start] == '\t'))
			start++;
		while (end > start && (line[end - 1] == '\r' || line[end - 1] == '\n' ||
				       line[end - 1] == ' ' || line[end - 1] == '\t'))
			end--;
		*value = line + start;
		*length = end - start;
		return true;
	}
	return false;
}
