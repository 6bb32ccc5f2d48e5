/* page_parser.c — one worker thread that parses list pages (page_parser.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "page_parser.h"
#include "util.h"

struct parse_job {
	struct parse_job *next;
	enum fleet_list list;
	char *body;
	size_t length;
	void *tag;
	struct emnify_parsed_page *parsed;  /* the result, or NULL with message */
	char message[512];
};

struct page_parser {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work;              /* a job was queued, or stopping was asked */
	/* Jobs in order: to do (todo .. ), then done, oldest first. Guarded by lock. */
	struct parse_job *todo_head, *todo_tail;
	struct parse_job *done_head, *done_tail;
	size_t pending;                   /* submitted, not taken */
	bool stopping;
	page_parser_wake *wake;
	void *context;
};

static void append(struct parse_job **head, struct parse_job **tail, struct parse_job *job)
{
	job->next = NULL;
	if (*tail)
		(*tail)->next = job;
	else
		*head = job;
	*tail = job;
}

static struct parse_job *take_first(struct parse_job **head, struct parse_job **tail)
{
	struct parse_job *job = *head;
	if (job) {
		*head = job->next;
		if (!*head)
			*tail = NULL;
	}
	return job;
}

static void *work(void *argument)
{
	struct page_parser *parser = argument;
	pthread_mutex_lock(&parser->lock);
	for (;;) {
		while (!parser->todo_head && !parser->stopping)
			pthread_cond_wait(&parser->work, &parser->lock);
		if (parser->stopping)
			break;
		struct parse_job *job = take_first(&parser->todo_head, &parser->todo_tail);
		pthread_mutex_unlock(&parser->lock);
		job->parsed = emnify_parse_page(job->list, job->body, job->length, job->message, sizeof(job->message));
		free(job->body);
		job->body = NULL;
		pthread_mutex_lock(&parser->lock);
		append(&parser->done_head, &parser->done_tail, job);
		parser->wake(parser->context);
	}
	pthread_mutex_unlock(&parser->lock);
	emnify_thread_end();
	return NULL;
}

struct page_parser *page_parser_new(page_parser_wake *wake, void *context)
{
	/* Before the worker starts: it must never change cJSON's hooks while this thread uses cJSON. */
	emnify_init();
	struct page_parser *parser = xcalloc(1, sizeof(*parser));
	parser->wake = wake;
	parser->context = context;
	pthread_mutex_init(&parser->lock, NULL);
	pthread_cond_init(&parser->work, NULL);
	if (pthread_create(&parser->thread, NULL, work, parser) != 0)
		die(3, "cannot start a thread to parse pages");
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
	pthread_cond_signal(&parser->work);
	pthread_mutex_unlock(&parser->lock);
	pthread_join(parser->thread, NULL);
	free_jobs(parser->todo_head, free_tag);
	free_jobs(parser->done_head, free_tag);
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
	append(&parser->todo_head, &parser->todo_tail, job);
	parser->pending++;
	pthread_cond_signal(&parser->work);
	pthread_mutex_unlock(&parser->lock);
}

bool page_parser_take(struct page_parser *parser, void **tag, struct emnify_parsed_page **parsed, char *message,
		      size_t size)
{
	pthread_mutex_lock(&parser->lock);
	struct parse_job *job = take_first(&parser->done_head, &parser->done_tail);
	if (job)
		parser->pending--;
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
