/* page_parser.h — list pages parsed on worker threads while the next ones download.
 *
 * Parsing a page and reading its records (cJSON, cleaning every string) is most of what a load
 * costs on the CPU. The event loop hands each body over as it arrives and goes back to the
 * network; worker threads, one per processor (at most four), parse the bodies
 * (emnify_parse_page()), and the event loop takes the results in the order it gave the bodies
 * and adds them to the fleet itself: the fleet is never touched off the event loop's thread.
 *
 * Every call but the wake callback is made on the event loop's thread. */
#ifndef SIMTOP_PAGE_PARSER_H
#define SIMTOP_PAGE_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include "emnify.h"
#include "fleet.h"

struct page_parser;

/* Called on a worker thread when a result is ready to be taken: it must only wake the event
 * loop (http_wakeup()). */
typedef void page_parser_wake(void *context);

/* Never NULL; starts the workers. */
struct page_parser *page_parser_new(page_parser_wake *wake, void *context);
/* Stop the workers (after the pages they are parsing) and free every result not taken; free_tag
 * (may be NULL) is called for each of their tags. */
void page_parser_free(struct page_parser *parser, void (*free_tag)(void *tag));

/* Parse body (taken over; length bytes) as a page of list. tag is the caller's, given back
 * with the result. */
void page_parser_submit(struct page_parser *parser, enum fleet_list list, char *body, size_t length, void *tag);
/* The oldest result, when one is ready: its tag, and the parsed page (the caller's, freed with
 * emnify_parsed_page_free()), or NULL with message (size bytes) saying why the page is
 * refused. False when none is ready. */
bool page_parser_take(struct page_parser *parser, void **tag, struct emnify_parsed_page **parsed, char *message,
		      size_t size);
/* Pages submitted and not taken yet. */
size_t page_parser_pending(struct page_parser *parser);

#endif
