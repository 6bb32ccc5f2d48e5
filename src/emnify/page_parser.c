/* page_parser.c — worker threads that parse list pages (page_parser.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "page_parser.h"
#include "util.h"

/* Workers at most: past a few, the event loop's own share of a load (receiving the pages and
 * adding their records to the fleet) is what the load waits for. */
#define WORKERS_MAX 4

struct parse_job {
	struct parse_job *next;
	enum fleet_list list;
	char *body;
	size_t length;
	void *tag;
	bool done;
	struct emnify_parsed_page *parsed;  /* the result, or NULL with message */
	char message[512];
};

struct page_parser {
	pthread_t threads[WORKERS_MAX];
	int thread_count;
	pthread_mutex_t lock;
	pthread_cond_t work;              /* a job was queued, or stopping was asked */
	/* Every job not taken yet, in the order submitted; next_todo is the first that no worker
	 * has begun (NULL when there is none). Guarded by lock. */
	struct parse_job *head, *tail, *next_todo;
	size_t pending;                   /* submitted, not taken */
	bool stopping;
	page_parser_wake *wake;
	void *context;
};

static void *work(void *argument)
{
	struct page_parser *parser = argument;
	pthread_mutex_lock(&parser->lock);
	for (;;) {
		while (!parser->next_todo && !parser->stopping)
			pthread_cond_wait(&parser->work, &parser->lock);
		if (parser->stopping)
			break;
		struct parse_job *job = parser->next_todo;
		parser->next_todo = job->next;
		pthread_mutex_unlock(&parser->lock);
		job->parsed = emnify_parse_page(job->list, job->body, job->length, job->message, sizeof(job->message));
		free(job->body);
		job->body = NULL;
		pthread_mutex_lock(&parser->lock);
		job->done = true;
		if (job == parser->head)  /* else an earlier page is still being parsed */
			parser->wake(parser->context);
	}
	pthread_mutex_unlock(&parser->lock);
	emnify_thread_end();
	return NULL;
}

/* One worker per processor, at least one and at most WORKERS_MAX. */
static int worker_count(void)
{
	long processors = sysconf(_SC_NPROCESSORS_ONLN);
	if (processors < 1)
		return 1;
	return processors > WORKERS_MAX ? WORKERS_MAX : (int)processors;
}

struct page_parser *page_parser_new(page_parser_wake *wake, void *context)
{
	/* Before the workers start: they must never change cJSON's hooks while this thread uses
	 * cJSON. */
	emnify_init();
	struct page_parser *parser = xcalloc(1, sizeof(*parser));
	parser->wake = wake;
	parser->context = context;
	pthread_mutex_init(&parser->lock, NULL);
	pthread_cond_init(&parser->work, NULL);
	int wanted = worker_count();
	for (int i = 0; i < wanted; i++) {
		if (pthread_create(&parser->threads[i], NULL, work, parser) != 0) {
			if (i == 0)
				die(3, "cannot start a thread to parse pages");
			break;  /* fewer workers parse as well, only slower */
		}
		parser->thread_count++;
	}
	return parser;
}

static void free_jobs(struct parse_job *job, void (*free_tag)(void *tag))
{
	while (job) {
		struct parse_job *next = job->next;
		if (free_tag)
			free_tag(job->tag);
		emnify_parsed_page_free(job->parsed);
		free(job->body);
		free(job);
		job = next;
	}
}

void page_parser_free(struct page_parser *parser, void (*free_tag)(void *tag))
{
	if (!parser)
		return;
	pthread_mutex_lock(&parser->lock);
	parser->stopping = true;
	pthread_cond_broadcast(&parser->work);
	pthread_mutex_unlock(&parser->lock);
	for (int i = 0; i < parser->thread_count; i++)
		pthread_join(parser->threads[i], NULL);
	free_jobs(parser->head, free_tag);
	pthread_cond_destroy(&parser->work);
	pthread_mutex_destroy(&parser->lock);
	free(parser);
}

void page_parser_submit(struct page_parser *parser, enum fleet_list list, char *body, size_t length, void *tag)
{
	struct parse_job *job = xcalloc(1, sizeof(*job));
	job->list = list;
	job->body = body;
	job->length = length;
	job->tag = tag;
	pthread_mutex_lock(&parser->lock);
	if (parser->tail)
		parser->tail->next = job;
	else
		parser->head = job;
	parser->tail = job;
	if (!parser->next_todo)
		parser->next_todo = job;
	parser->pending++;
	pthread_cond_signal(&parser->work);
	pthread_mutex_unlock(&parser->lock);
}

bool page_parser_take(struct page_parser *parser, void **tag, struct emnify_parsed_page **parsed, char *message,
		      size_t size)
{
	pthread_mutex_lock(&parser->lock);
	struct parse_job *job = parser->head;
	if (job && job->done) {
		parser->head = job->next;
		if (!parser->head)
			parser->tail = NULL;
		parser->pending--;
	} else {
		job = NULL;
	}
	pthread_mutex_unlock(&parser->lock);
	if (!job)
		return false;
	*tag = job->tag;
	*parsed = job->parsed;
	snprintf(message, size, "%s", job->message);
	free(job);
	return true;
}

size_t page_parser_pending(struct page_parser *parser)
{
	pthread_mutex_lock(&parser->lock);
	size_t pending = parser->pending;
	pthread_mutex_unlock(&parser->lock);
	return pending;
}
