/* emu_server.c — the libmicrohttpd daemon, request bodies, and dispatch. */
#include "emu_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>

#include "emu_api.h"
#include "emu_buf.h"
#include "emu_context.h"
#include "emu_control.h"

/* The API's bodies are small (a bulk call of 2000 endpoints with names and tags fits easily);
 * anything bigger is refused rather than buffered. */
#define MAX_BODY (1024 * 1024)

/* One thread per connection: enough for parallel clients and benchmarks, bounded all the same. */
#define CONNECTION_LIMIT 256
#define CONNECTION_TIMEOUT_SECONDS 120
#define THREAD_STACK_SIZE (512 * 1024)

struct emu_server {
	struct emu_context context;
	struct MHD_Daemon *daemon;
	int port;
	int release[2];         /* stall_release_fd's pipe: written once, at stop */
};

/* Per request: the body as it arrives. */
struct request {
	struct emu_buf body;
	bool too_large;
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **request_context)
{
	(void)version;
	struct emu_context *context = cls;
	struct request *request = *request_context;

	/* libmicrohttpd calls once with the headers, then once per piece of body, then once
	 * with nothing left: answer only on that last call. */
	if (!request) {
		request = calloc(1, sizeof *request);
		if (!request)
			return MHD_NO;
		*request_context = request;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (request->body.length + *upload_data_size > MAX_BODY)
			request->too_large = true;
		else
			emu_buf_add(&request->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}

	if (strncmp(url, "/_emu/", 6) == 0)
		return emu_control_handle(context, connection, method, url);
	return emu_api_handle(context, connection, method, url, request->body.data ? request->body.data : "",
			      request->body.length, request->too_large);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **request_context,
			 enum MHD_RequestTerminationCode code)
{
	(void)cls;
	(void)connection;
	(void)code;
	struct request *request = *request_context;
	if (request) {
		emu_buf_free(&request->body);
		free(request);
		*request_context = NULL;
	}
}

/* Bind the loopback address ourselves: the emulator must never listen beyond this machine,
 * and the caller needs the port the system chose. */
static int listen_loopback(int port, int *bound_port, char *error, size_t error_size)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(error, error_size, "socket: %s", strerror(errno));
		return -1;
	}
	int on = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	struct sockaddr_in address;
	memset(&address, 0, sizeof address);
	address.sin_family = AF_INET;
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	address.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0) {
		snprintf(error, error_size, "cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, 128) != 0) {
		snprintf(error, error_size, "listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	socklen_t length = sizeof address;
	if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
		snprintf(error, error_size, "getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	*bound_port = ntohs(address.sin_port);
	return fd;
}

struct emu_server *emu_server_start(const struct emu_server_options *options, char *error, size_t error_size)
{
	struct emu_server *server = calloc(1, sizeof *server);
	if (!server) {
		snprintf(error, error_size, "out of memory");
		return NULL;
	}
	struct emu_context *context = &server->context;
	context->fleet = options->fleet;
	context->auth = options->auth;
	context->limits = options->limits;
	context->seed = options->seed;
	context->faults_ppm = EMU_FAULTS_PER_MILLION(options->faults_pct);
	context->latency_ms = options->latency_ms;
	context->lower_case_headers = options->lower_case_headers;
	context->corrupt_lists = options->corrupt_lists;
	context->stall = (uint32_t)options->stall;
	context->stall_after = options->stall_after;
	context->forbidden = options->forbidden;
	context->bulk_partial = options->bulk_partial;
	context->ignore_q = options->ignore_q;
	context->refuse_q = options->refuse_q;
	if (pipe2(server->release, O_CLOEXEC) != 0) {
		snprintf(error, error_size, "pipe: %s", strerror(errno));
		free(server);
		return NULL;
	}
	context->stall_release_fd = server->release[0];
	context->odd = options->odd;
	/* Fixed at start, so that an event list does not move while a client pages through it;
	 * tests and screenshots fix it with --epoch. */
	context->live_epoch = options->epoch > 0 ? options->epoch : (int64_t)time(NULL);

	int fd = listen_loopback(options->port, &server->port, error, error_size);
	if (fd < 0) {
		close(server->release[0]);
		close(server->release[1]);
		free(server);
		return NULL;
	}

	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	/* In lower-case mode the emulator writes "date" itself; libmicrohttpd's would say "Date". */
	if (options->lower_case_headers)
		flags |= MHD_USE_SUPPRESS_DATE_NO_CLOCK;
	server->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, context,
					  MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
					  MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
					  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_SECONDS,
					  MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK_SIZE,
					  MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
					  MHD_OPTION_END);
	if (!server->daemon) {
		snprintf(error, error_size, "cannot start the HTTP server (libmicrohttpd)");
		close(fd);
		close(server->release[0]);
		close(server->release[1]);
		free(server);
		return NULL;
	}
	return server;
}

int emu_server_port(const struct emu_server *server)
{
	return server->port;
}

void emu_server_stop(struct emu_server *server)
{
	if (!server)
		return;
	/* Wake every stalled request first: stopping waits for each connection's thread. */
	while (write(server->release[1], "", 1) < 0 && errno == EINTR)
		;
	/* Stopping also closes the listening socket that was handed over. */
	MHD_stop_daemon(server->daemon);
	close(server->release[0]);
	close(server->release[1]);
	free(server);
}
