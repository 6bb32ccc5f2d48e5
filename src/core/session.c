/* session.c — the fleet, its derived rows, marks, CSV, the life of a job and live reads
 * (session.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "output.h"
#include "session.h"
#include "text.h"
#include "util.h"

#define MISALIGNED_QUERY "align:misaligned"
/* How the message that a snapshot is shown begins: it goes when the fresh fleet is in. */
#define SNAPSHOT_MESSAGE "The fleet as saved"

void session_message(struct session *session, bool error, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vsnprintf(session->message, sizeof(session->message), format, args);
	va_end(args);
	session->message_is_error = error;
}

struct session *session_new(const struct session_options *options)
{
	struct session *session = xcalloc(1, sizeof(*session));
	session->fleet = fleet_new();
	session->marks = marks_new();
	session->job_failed = marks_new();
	session->live = live_new();
	session->transport = options->transport;
	session->api_url = options->api_url;
	session->profile = options->profile;
	session->read_only = options->read_only;
	session->confirm_threshold = options->confirm_threshold > 0 ? options->confirm_threshold : 100;
	session->snapshot_path = options->snapshot_path;
	session->snapshot_max_age = options->snapshot_max_age;
	return session;
}

static void free_plan(struct plan *plan)
{
	if (!plan)
		return;
	plan_free(plan);
	free(plan);
}

static void forget_last_job(struct session *session)
{
	if (session->last_job)
		job_free(session->last_job);
	free_plan(session->last_plan);
	free(session->last_journal_path);
	session->last_job = NULL;
	session->last_plan = NULL;
	session->last_journal_path = NULL;
	session->last_trouble = 0;
}

void session_free(struct session *session)
{
	if (!session)
		return;
	if (session->job)
		job_free(session->job);
	free_plan(session->job_plan);
	if (session->journal)
		journal_close(session->journal);
	if (session->audit)
		audit_close(session->audit);
	forget_last_job(session);
	live_fetch_free(session->live_fetch);
	live_free(session->live);
	if (session->transport && session->progress.running)
		session->transport->ops->load_cancel(session->transport->self);
	rows_free(&session->rows);
	rows_free(&session->base);
	rows_free(&session->sorted);
	rows_free(&session->unknown);
	filter_free(session->filter);
	filter_free(session->search);
	marks_free(session->marks);
	marks_free(session->job_failed);
	fleet_free(session->fleet);
	if (session->incoming)
		fleet_free(session->incoming);
	free(session);
}

/* --- the cursor and the derived rows ------------------------------------------------------- */

bool session_cursor_device(const struct session *session, size_t *device)
{
	if (session->rows.count == 0)
		return false;
	size_t position = session->cursor < session->rows.count ? session->cursor : session->rows.count - 1;
	*device = session->rows.index[position];
	return true;
}

void session_move_cursor(struct session *session, size_t position)
{
	size_t count = session->rows.count;
	session->cursor = count == 0 ? 0 : position < count ? position : count - 1;
}

static bool find_device(const struct fleet *fleet, const struct device *ids, size_t *index)
{
	return (ids->endpoint_id && fleet_find_endpoint(fleet, ids->endpoint_id, index)) ||
	       (ids->sim_id && fleet_find_sim(fleet, ids->sim_id, index));
}

/* Count the marked devices among the shown rows once per change, not at every redraw: at a
 * million rows it takes tens of milliseconds. */
static void count_marks(struct session *session)
{
	session->marked_hidden = 0;
	session->marked_shown = marks_count(session->marks) == 0 ? 0
		: marks_count_in_rows(session->marks, session->fleet, &session->rows, &session->marked_hidden);
}

/* After the rows changed: the cursor back on its device when it is still shown, else on the
 * first row. */
static void keep_cursor(struct session *session, bool had_cursor, size_t cursor_device)
{
	if (had_cursor) {
		size_t position = rows_find(&session->rows, cursor_device);
		session->cursor = position < session->rows.count ? position : 0;
	}
	session_move_cursor(session, session->cursor);
}

/* Rebuild the shown rows: every device in the sort order (cached), then the filter, then
 * "only marked". */
static void derive_rows(struct session *session)
{
	size_t cursor_device = 0;
	bool had_cursor = session_cursor_device(session, &cursor_device);
	const struct rows *ordered = &session->base;
	if (session->sort != SORT_DEFAULT || session->descending) {
		if (!session->sorted_valid || session->sorted_column != session->sort ||
		    session->sorted_descending != session->descending) {
			struct rows *sorted = &session->sorted;
			sorted->index = xgrow(sorted->index, &sorted->capacity, session->base.count, sizeof(*sorted->index));
			memcpy(sorted->index, session->base.index, session->base.count * sizeof(*sorted->index));
			sorted->count = session->base.count;
			sort_rows(sorted, session->fleet, session->sort, session->descending);
			session->sorted_valid = true;
			session->sorted_column = session->sort;
			session->sorted_descending = session->descending;
		}
		ordered = &session->sorted;
	}
	struct rows *rows = &session->rows;
	rows->index = xgrow(rows->index, &rows->capacity, ordered->count, sizeof(*rows->index));
	memcpy(rows->index, ordered->index, ordered->count * sizeof(*rows->index));
	rows->count = ordered->count;
	session->unknown.count = 0;
	if (session->filter)
		filter_rows(session->filter, session->fleet, session->live, rows, &session->unknown);
	if (session->only_marked) {
		marks_filter_rows(session->marks, session->fleet, rows);
		marks_filter_rows(session->marks, session->fleet, &session->unknown);
	}
	count_marks(session);
	keep_cursor(session, had_cursor, cursor_device);
}

/* The fleet changed: rebuild base (default order when sorted) and the shown rows. */
static void rebuild_rows(struct session *session, bool sorted)
{
	/* While loading, rows only ever go vacant, and only that needs the whole fleet walked
	 * again: new devices are added after the rows seen before. */
	size_t vacant = fleet_vacant_count(session->fleet);
	if (session->base_in_arrival_order && vacant == session->vacant_seen &&
	    session->rows_seen <= fleet_count(session->fleet))
		rows_extend(&session->base, session->fleet, session->rows_seen);
	else
		rows_build(&session->base, session->fleet);
	if (sorted)
		sort_rows(&session->base, session->fleet, SORT_DEFAULT, false);
	session->base_in_arrival_order = !sorted;
	session->vacant_seen = vacant;
	session->sorted_valid = false;
	session->rows_seen = fleet_count(session->fleet);
	session->rows_built_ms = util_now_ms();
	derive_rows(session);
}

/* The shown fleet is now fleet: the old one goes, and rows are never extended from it. */
static void replace_fleet(struct session *session, struct fleet *fleet)
{
	fleet_free(session->fleet);
	session->fleet = fleet;
	session->base_in_arrival_order = false;
}

/* The new filter only narrows the one the rows show, so the shown rows can be filtered instead
 * of the fleet: a new term added after a space, or more characters typed onto a last term that
 * matches by substring or prefix (a bare word, a status, name:, ip:, …). Not for OR, negation,
 * quotes or regular expressions, nor for fields that match whole values (id:, tag:). */
static bool filter_narrows(const char *before, const char *after)
{
	static const char *const substring_fields[] = {
		"sim:", "ep:", "endpoint:", "align:", "name:", "iccid:", "imsi:", "msisdn:", "imei:", "ip:",
	};
	size_t length = strlen(before);
	if (length == 0 || strncmp(before, after, length) != 0)
		return false;
	const char *added = after + length;
	if (strpbrk(added, ",!~\"") != NULL)
		return false;
	if (added[0] == ' ')
		return true;
	const char *last_term = strrchr(before, ' ');
	last_term = last_term ? last_term + 1 : before;
	if (strpbrk(last_term, ",!~\"") != NULL)
		return false;
	const char *colon = strchr(last_term, ':');
	if (!colon)
		return strchr(added, ':') == NULL;  /* a word that becomes a field (`name` → `name:`) */
	if (colon[1] == '\0')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(substring_fields); i++)
		if (strncmp(last_term, substring_fields[i], strlen(substring_fields[i])) == 0)
			return true;
	return false;
}

bool session_set_filter(struct session *session, const char *query, char *message, size_t size, int *column)
{
	struct filter *filter = filter_parse(query, message, size, column);
	if (!filter)
		return false;
	/* Devices a live term left out are not in the rows: such a filter is matched afresh. */
	bool narrows = session->filter && filter_live_kinds(session->filter) == 0 &&
		       filter_narrows(session->filter_text, query);
	filter_free(session->filter);
	session->filter = filter_is_empty(filter) ? (filter_free(filter), NULL) : filter;
	snprintf(session->filter_text, sizeof(session->filter_text), "%s", query);
	if (narrows && session->filter) {
		/* The rows hold the wider filter's matches already, in the sort order. */
		size_t cursor_device = 0;
		bool had_cursor = session_cursor_device(session, &cursor_device);
		filter_rows(session->filter, session->fleet, session->live, &session->rows, &session->unknown);
		count_marks(session);
		keep_cursor(session, had_cursor, cursor_device);
	} else {
		derive_rows(session);
	}
	return true;
}

void session_toggle_misaligned(struct session *session)
{
	char message[256];
	int column;
	if (strcmp(session->filter_text, MISALIGNED_QUERY) == 0) {
		/* Back to the filter that was active before, which may be none. */
		if (!session_set_filter(session, session->filter_before_misaligned, message, sizeof(message), &column))
			session_set_filter(session, "", message, sizeof(message), &column);
	} else {
		snprintf(session->filter_before_misaligned, sizeof(session->filter_before_misaligned), "%s",
			 session->filter_text);
		session_set_filter(session, MISALIGNED_QUERY, message, sizeof(message), &column);
	}
}

void session_sort_by(struct session *session, enum sort_column column, bool descending)
{
	session->sort = column;
	session->descending = descending;
	derive_rows(session);
}

void session_sort_next(struct session *session)
{
	session_sort_by(session, (enum sort_column)((session->sort + 1) % SORT_COUNT), false);
	session_message(session, false, "Sorted by %s", sort_column_name(session->sort));
}

void session_sort_reverse(struct session *session)
{
	session_sort_by(session, session->sort, !session->descending);
	session_message(session, false, "Sorted by %s, %s", sort_column_name(session->sort),
			session->descending ? "descending" : "ascending");
}

bool session_toggle_mark(struct session *session)
{
	size_t index;
	if (!session_cursor_device(session, &index))
		return false;
	const struct device *device = fleet_device(session->fleet, index);
	marks_toggle(session->marks, device);
	session->anchor = *device;
	session->has_anchor = true;
	if (session->only_marked) {
		/* Unmarking removes the row; the cursor stays at its position. */
		size_t position = session->cursor;
		derive_rows(session);
		session_move_cursor(session, position);
		return true;
	}
	/* The row is shown, so only the shown count moves. */
	if (marks_has(session->marks, device))
		session->marked_shown++;
	else
		session->marked_shown--;
	session_move_cursor(session, session->cursor + 1);
	return true;
}

bool session_mark_range(struct session *session)
{
	if (session->rows.count == 0)
		return false;
	if (!session->has_anchor) {
		session_message(session, false, "Mark a row with Space first; v then marks from it to the cursor");
		return false;
	}
	size_t anchor = session->rows.count, index;
	if (find_device(session->fleet, &session->anchor, &index))
		anchor = rows_find(&session->rows, index);
	if (anchor >= session->rows.count) {
		session_message(session, false, "The last marked row is not shown: mark a row with Space first");
		return false;
	}
	size_t cursor = session->cursor;
	size_t from = anchor < cursor ? anchor : cursor, to = anchor < cursor ? cursor : anchor;
	struct rows range = { .index = session->rows.index + from, .count = to - from + 1 };
	marks_set_rows(session->marks, session->fleet, &range, true);
	derive_rows(session);
	return true;
}

void session_mark_shown(struct session *session)
{
	marks_set_rows(session->marks, session->fleet, &session->rows, true);
	derive_rows(session);
}

void session_invert_marks(struct session *session)
{
	marks_invert_rows(session->marks, session->fleet, &session->rows);
	derive_rows(session);
}

void session_unmark_all(struct session *session)
{
	marks_clear(session->marks);
	derive_rows(session);
}

void session_toggle_only_marked(struct session *session)
{
	session->only_marked = !session->only_marked;
	derive_rows(session);
}

bool session_mark_query(struct session *session, const char *query, char *message, size_t size, int *column)
{
	struct filter *filter = filter_parse(query, message, size, column);
	if (!filter)
		return false;
	struct rows matching = { 0 }, unknown = { 0 };
	rows_build(&matching, session->fleet);
	filter_rows(filter, session->fleet, session->live, &matching, &unknown);
	marks_set_rows(session->marks, session->fleet, &matching, true);
	char count[32], unknown_count[32];
	session_message(session, false, "Marked the %s devices %s%s%s%s%s",
			util_thousands((int64_t)matching.count, count, sizeof(count)), query[0] ? "matching " : "of the fleet",
			query, unknown.count ? " (" : "",
			unknown.count ? util_thousands((int64_t)unknown.count, unknown_count, sizeof(unknown_count)) : "",
			unknown.count ? " more with live state unknown: L reads it)" : "");
	rows_free(&unknown);
	rows_free(&matching);
	filter_free(filter);
	derive_rows(session);
	return true;
}

/* --- copy ----------------------------------------------------------------------------------- */

const char *session_copy_words(enum session_copy what)
{
	static const char *const words[SESSION_COPY_COUNT] = {
#define SESSION_COPY_WORDS(id, text) [SESSION_COPY_##id] = text,
		SESSION_COPY_LIST(SESSION_COPY_WORDS)
#undef SESSION_COPY_WORDS
	};
	return (unsigned)what < SESSION_COPY_COUNT ? words[what] : "";
}

/* Every marked device of the fleet, shown or not, in the default order, into rows. */
static void marked_rows(const struct session *session, struct rows *rows)
{
	sort_build_rows(rows, session->fleet);
	marks_filter_rows(session->marks, session->fleet, rows);
}

/* The marked devices as CSV, as an export of them writes it (live columns included). */
static bool marked_csv(struct session *session, char **text, size_t *length, size_t *rows)
{
	struct rows marked = { 0 };
	marked_rows(session, &marked);
	*rows = marked.count;
	FILE *memory = open_memstream(text, length);
	bool live = live_count(session->live) > 0;
	struct output_live columns = { live, live, session->live };
	bool written = memory && output_write_live(memory, session->fleet, marked.index, marked.count, OUTPUT_CSV, &columns);
	if (memory && fclose(memory) != 0)
		written = false;
	rows_free(&marked);
	if (!written) {
		if (memory)
			free(*text);
		*text = NULL;
	}
	return written;
}

bool session_copy(struct session *session, enum session_copy what, char **text, size_t *length)
{
	*text = NULL;
	*length = 0;
	char size[32];
	if (what == SESSION_COPY_MARKED_CSV) {
		if (marks_count_in_fleet(session->marks, session->fleet) == 0) {
			session_message(session, true, "No device is marked: nothing to copy (y copies the cursor's ICCID)");
			return false;
		}
		size_t rows = 0;
		if (!marked_csv(session, text, length, &rows)) {
			session_message(session, true, "Could not write the marked rows: %s", strerror(errno));
			return false;
		}
		util_thousands((int64_t)(*length / 1024 + 1), size, sizeof(size));
		if ((*length + 2) / 3 * 4 > SESSION_COPY_MAX) {
			session_message(session, true, "%zu rows make %s KB of CSV, more than a terminal takes at once "
					"(%d KB): export them with E instead", rows, size, SESSION_COPY_MAX / 1024);
			free(*text);
			*text = NULL;
			return false;
		}
		session_message(session, false, "Copied the %zu marked row%s as CSV (%s KB) to the clipboard", rows,
				rows == 1 ? "" : "s", size);
		return true;
	}
	size_t index;
	if (!session_cursor_device(session, &index)) {
		session_message(session, true, "No row to copy from");
		return false;
	}
	const struct device *device = fleet_device(session->fleet, index);
	char number[32] = "";
	const char *value = "";
	switch (what) {
	case SESSION_COPY_ICCID: value = fleet_text(session->fleet, device, TEXT_ICCID); break;
	case SESSION_COPY_IMSI: value = fleet_text(session->fleet, device, TEXT_IMSI); break;
	case SESSION_COPY_MSISDN: value = fleet_text(session->fleet, device, TEXT_MSISDN); break;
	case SESSION_COPY_NAME: value = fleet_text(session->fleet, device, TEXT_NAME); break;
	case SESSION_COPY_SIM_ID:
	case SESSION_COPY_ENDPOINT_ID: {
		int64_t id = what == SESSION_COPY_SIM_ID ? device->sim_id : device->endpoint_id;
		if (id)
			snprintf(number, sizeof(number), "%lld", (long long)id);
		value = number;
		break;
	}
	case SESSION_COPY_MARKED_CSV:
	case SESSION_COPY_COUNT: break;
	}
	const char *name = fleet_text(session->fleet, device, TEXT_NAME);
	if (!value[0]) {
		session_message(session, true, "%s has no %s: nothing copied", name[0] ? name : "This device",
				session_copy_words(what));
		return false;
	}
	*text = xstrdup(value);
	*length = strlen(value);
	if (what == SESSION_COPY_NAME || !name[0])
		session_message(session, false, "Copied the %s %s to the clipboard", session_copy_words(what), value);
	else
		session_message(session, false, "Copied the %s %s of %s to the clipboard", session_copy_words(what), value,
				name);
	return true;
}

/* --- search and jump ------------------------------------------------------------------------ */

/* The next row from from (forward or back, wrapping, from itself last) whose device search
 * matches; rows.count when none. */
static size_t search_rows(const struct session *session, const struct filter *search, size_t from, bool forward)
{
	size_t count = session->rows.count;
	for (size_t step = 1; step <= count; step++) {
		size_t position = forward ? (from + step) % count : (from + count - step % count) % count;
		if (filter_match(search, session->fleet, session->live, fleet_device(session->fleet, session->rows.index[position]),
				 NULL))
			return position;
	}
	return count;
}

static bool search_from(struct session *session, size_t from, bool forward)
{
	size_t found = session->rows.count ? search_rows(session, session->search, from, forward) : 0;
	if (found >= session->rows.count) {
		session_message(session, true, "No shown device matches %s", session->search_text);
		return false;
	}
	char position[32], total[32];
	session_move_cursor(session, found);
	session_message(session, false, "%s: row %s of %s (n next, N previous)", session->search_text,
			util_thousands((int64_t)found + 1, position, sizeof(position)),
			util_thousands((int64_t)session->rows.count, total, sizeof(total)));
	return true;
}

bool session_search(struct session *session, const char *query, size_t from, bool forward, char *message,
		    size_t size, int *column)
{
	struct filter *search = filter_parse(query, message, size, column);
	if (!search)
		return false;
	filter_free(session->search);
	session->search = search;
	snprintf(session->search_text, sizeof(session->search_text), "%s", query);
	return search_from(session, from, forward);
}

bool session_search_again(struct session *session, bool forward)
{
	if (!session->search) {
		session_message(session, false, "No search yet: \\ searches");
		return false;
	}
	return search_from(session, session->cursor, forward);
}

/* Whether text names the device exactly: an id, ICCID (19 digits, or 20 with the check
 * digit emnify's iccid_with_luhn adds), IMSI, MSISDN, or the name, case-insensitive. */
static bool names_device(const struct fleet *fleet, const struct device *device, const char *text, int64_t id)
{
	if (id > 0 && (device->sim_id == id || device->endpoint_id == id))
		return true;
	const char *iccid = fleet_text(fleet, device, TEXT_ICCID);
	size_t length = strlen(text), iccid_length = strlen(iccid);
	if (iccid_length > 0 && (strcmp(iccid, text) == 0 ||
				 (length == iccid_length + 1 && strncmp(iccid, text, iccid_length) == 0)))
		return true;
	return strcmp(fleet_text(fleet, device, TEXT_IMSI), text) == 0 ||
	       strcmp(fleet_text(fleet, device, TEXT_MSISDN), text) == 0 ||
	       strcasecmp(fleet_text(fleet, device, TEXT_NAME), text) == 0;
}

bool session_jump(struct session *session, const char *text)
{
	char cleaned[SESSION_QUERY_MAX];
	text_clean_buffer(cleaned, sizeof(cleaned), text);
	const char *wanted = util_trim(cleaned, UTIL_BLANKS);
	if (!wanted[0])
		return false;
	int64_t id = 0;
	if (!util_parse_int64(wanted, &id))
		id = 0;
	for (size_t i = 0; i < session->rows.count; i++) {
		if (names_device(session->fleet, fleet_device(session->fleet, session->rows.index[i]), wanted, id)) {
			session_move_cursor(session, i);
			session->message[0] = '\0';
			return true;
		}
	}
	for (size_t i = 0; i < session->base.count; i++) {
		if (names_device(session->fleet, fleet_device(session->fleet, session->base.index[i]), wanted, id)) {
			if (session->only_marked && !session->filter)
				session_message(session, true, "%s is not marked, and only marked rows are shown: M shows all",
						wanted);
			else
				session_message(session, true, "%s is hidden by the filter%s: Esc clears it", wanted,
						session->only_marked ? " or by \"only marked\" (M)" : "");
			return false;
		}
	}
	session_message(session, true, "No device is %s (an id, ICCID, IMSI, MSISDN or name, exactly); "
			"\\ searches by parts", wanted);
	return false;
}

void session_mark_devices(struct session *session, const struct device *devices, size_t count)
{
	marks_clear(session->marks);
	for (size_t i = 0; i < count; i++)
		marks_set(session->marks, &devices[i], true);
	derive_rows(session);
}

void session_describe_rows(const struct session *session, char *buffer, size_t size)
{
	char shown[32], marked[32], hidden[32];
	int length = snprintf(buffer, size, "%s shown", util_thousands((int64_t)session->rows.count, shown, sizeof(shown)));
	if (session->marked_shown + session->marked_hidden > 0 && length >= 0 && (size_t)length < size)
		length += snprintf(buffer + length, size - (size_t)length, " \u00b7 %s marked",
				   util_thousands((int64_t)session->marked_shown, marked, sizeof(marked)));
	if (session->marked_hidden > 0 && length >= 0 && (size_t)length < size)
		length += snprintf(buffer + length, size - (size_t)length, " (%s hidden by the filter)",
				   util_thousands((int64_t)session->marked_hidden, hidden, sizeof(hidden)));
	if (session->unknown.count > 0 && length >= 0 && (size_t)length < size)
		snprintf(buffer + length, size - (size_t)length, " \u00b7 %s live state unknown",
			 util_thousands((int64_t)session->unknown.count, hidden, sizeof(hidden)));
}

/* --- loading ------------------------------------------------------------------------------- */

bool session_load(struct session *session)
{
	struct transport *transport = session->transport;
	if (!transport) {
		session_message(session, true, "No application token: nothing to load");
		return false;
	}
	if (session->progress.running) {
		session_message(session, false, "Already loading");
		return false;
	}
	session->fatal[0] = '\0';
	if (!session->from_snapshot)
		session->message[0] = '\0';
	struct fleet *target = session->fleet;
	if (fleet_count(session->fleet) > 0) {
		if (session->incoming)
			fleet_free(session->incoming);
		target = session->incoming = fleet_new();
	}
	transport->ops->load_start(transport->self, target);
	transport->ops->load_progress(transport->self, &session->progress);
	return true;
}

/* "4 min", "2 h 5 min": how long ago a snapshot was saved. */
static void describe_age(int64_t seconds, char *buffer, size_t size)
{
	util_format_duration((double)(seconds > 0 ? seconds : 0), buffer, size);
}

bool session_show_snapshot(struct session *session, int64_t now)
{
	if (!session->snapshot_path || fleet_count(session->fleet) > 0)
		return false;
	struct snapshot_origin expected = { .api_url = session->api_url, .profile = session->profile };
	struct fleet *fleet = NULL;
	char message[512], age[48];
	switch (snapshot_read(session->snapshot_path, &expected, session->snapshot_max_age, now, &fleet,
			      &session->snapshot, message, sizeof(message))) {
	case SNAPSHOT_NONE:
		return false;
	case SNAPSHOT_IGNORED:
		session_message(session, false, "The saved fleet is not shown: %s", message);
		return false;
	case SNAPSHOT_READ:
		break;
	}
	replace_fleet(session, fleet);
	session->from_snapshot = true;
	rebuild_rows(session, true);
	describe_age(now - session->snapshot.saved_at, age, sizeof(age));
	session_message(session, false, SNAPSHOT_MESSAGE " %s ago, until the fresh one is in; nothing is changed "
			"before", age);
	return true;
}

/* The token's workspace is known once it authenticated: a snapshot of another one goes. */
static void check_snapshot_workspace(struct session *session)
{
	if (!session->from_snapshot || !session->snapshot.workspace_id)
		return;
	char name[96];
	int64_t workspace = session->transport->ops->workspace(session->transport->self, name, sizeof(name));
	if (!workspace || workspace == session->snapshot.workspace_id)
		return;
	replace_fleet(session, fleet_new());
	session->from_snapshot = false;
	rebuild_rows(session, true);
	session_message(session, false, "The saved fleet is of another workspace (%s): not shown",
			session->snapshot.workspace_name);
}

/* Keep the fleet loaded just now for the next start; a failure only costs that start. */
static void write_snapshot(struct session *session)
{
	if (!session->snapshot_path)
		return;
	char name[96] = "", message[512];
	struct snapshot_origin origin = {
		.api_url = session->api_url, .profile = session->profile, .workspace_name = name,
		.workspace_id = session->transport->ops->workspace(session->transport->self, name, sizeof(name)),
	};
	if (!snapshot_write(session->snapshot_path, session->fleet, &origin, (int64_t)time(NULL), message,
			    sizeof(message)))
		session_message(session, false, "The fleet is not kept for the next start: %s", message);
}

/* A fresh fleet arrived: it replaces the shown one, and the cursor follows its device into it,
 * found by its ids. */
static void finish_refresh(struct session *session)
{
	size_t cursor_device = 0;
	struct device old_device = { 0 };
	if (session_cursor_device(session, &cursor_device))
		old_device = *fleet_device(session->fleet, cursor_device);
	replace_fleet(session, session->incoming);
	session->incoming = NULL;
	sort_build_rows(&session->base, session->fleet);
	session->sorted_valid = false;
	session->rows_seen = fleet_count(session->fleet);
	session->rows.count = 0;
	derive_rows(session);
	size_t index = 0;
	if (find_device(session->fleet, &old_device, &index))
		session_move_cursor(session, rows_find(&session->rows, index));
}

static unsigned update_load(struct session *session)
{
	struct transport *transport = session->transport;
	if (!transport)
		return 0;
	struct transport_load_progress before = session->progress;
	transport->ops->load_progress(transport->self, &session->progress);
	const struct transport_load_progress *now = &session->progress;
	unsigned events = 0;
	if (now->records_loaded != before.records_loaded || now->running != before.running ||
	    strcmp(now->retry_note, before.retry_note) != 0)
		events |= SESSION_CHANGED;

	check_snapshot_workspace(session);
	if (before.running && !now->running) {
		events |= SESSION_CHANGED;
		bool first = !session->loaded;
		if (now->failed) {
			char age[48];
			describe_age((int64_t)time(NULL) - session->snapshot.saved_at, age, sizeof(age));
			if (session->incoming) {
				fleet_free(session->incoming);
				session->incoming = NULL;
				if (session->from_snapshot)
					session_message(session, true, "Loading failed, showing the fleet as saved %s ago: %s",
							age, now->message);
				else
					session_message(session, true, "Refresh failed, showing the earlier fleet: %s",
							now->message);
			} else if (fleet_count(session->fleet) == 0) {
				snprintf(session->fatal, sizeof(session->fatal), "%s", now->message);
			} else {
				session_message(session, true, "Loading stopped: %s", now->message);
				rebuild_rows(session, true);
			}
		} else {
			if (session->incoming) {
				finish_refresh(session);
				events |= SESSION_REFRESHED;
			} else {
				rebuild_rows(session, true);
			}
			session->loaded = true;
			if (session->from_snapshot && strncmp(session->message, SNAPSHOT_MESSAGE, strlen(SNAPSHOT_MESSAGE)) == 0)
				session->message[0] = '\0';
			session->from_snapshot = false;
			if (first)
				events |= SESSION_FIRST_LOAD;
			/* Written at the next update, once the caller has shown the fleet. */
			session->snapshot_due = session->snapshot_path != NULL;
		}
		if (!now->failed && now->note[0])
			session_message(session, false, "%s", now->note);
		fleet_describe_anomalies(session->fleet, session->data_warning, sizeof(session->data_warning));
		return events;
	}
	/* First load: show rows as the pages arrive. */
	if (!session->incoming && fleet_count(session->fleet) != session->rows_seen &&
	    (session->rows_seen == 0 || util_now_ms() - session->rows_built_ms >= SESSION_LOADING_ROWS_MS)) {
		rebuild_rows(session, false);
		events |= SESSION_CHANGED;
	}
	return events;
}

/* --- CSV in and out ------------------------------------------------------------------------ */

bool session_mark_from_csv(struct session *session, const char *path, struct session_csv_marks *found)
{
	struct csv_ids ids = { 0 };
	char message[512];
	char *expanded = util_expand_home(path);
	bool read = csv_read_ids(expanded, &ids, message, sizeof(message));
	free(expanded);
	*found = (struct session_csv_marks){ 0 };
	if (!read) {
		session_message(session, true, "Nothing marked: %s", message);
		return false;
	}
	for (size_t i = 0; i < ids.count; i++)  /* a row may give several identifiers, all on its line */
		found->rows += i == 0 || ids.items[i].line != ids.items[i - 1].line;
	size_t before = marks_count_in_fleet(session->marks, session->fleet);
	found->missing = csv_mark(&ids, session->fleet, session->marks, &found->unknown);
	found->added = marks_count_in_fleet(session->marks, session->fleet) - before;
	char count[32], total[32];
	if (found->missing > 0)
		session_message(session, true, "%s: marked %s more devices; %zu rows name no device of the fleet", path,
				util_thousands((int64_t)found->added, count, sizeof(count)), found->missing);
	else
		session_message(session, false, "%s: all %s rows found; %s more devices marked", path,
				util_thousands((int64_t)found->rows, total, sizeof(total)),
				util_thousands((int64_t)found->added, count, sizeof(count)));
	csv_ids_free(&ids);
	derive_rows(session);
	return true;
}

enum session_export session_export(struct session *session, const char *path, bool marked_only, bool overwrite)
{
	char message[SESSION_QUERY_MAX + 128];
	int fd = files_create_export(path, overwrite, message, sizeof(message));
	if (fd < 0) {
		if (errno == EEXIST)
			return SESSION_EXPORT_EXISTS;
		session_message(session, true, "Not written: %s", message);
		return SESSION_EXPORT_REFUSED;
	}
	FILE *file = fdopen(fd, "w");
	if (!file) {
		session_message(session, true, "Not written: cannot write the export %s: %s", path, strerror(errno));
		close(fd);
		return SESSION_EXPORT_REFUSED;
	}
	struct rows marked = { 0 };
	if (marked_only)
		marked_rows(session, &marked);
	const struct rows *source = marked_only ? &marked : &session->rows;
	size_t length = strlen(path);
	enum output_format format = length > 5 && strcmp(path + length - 5, ".json") == 0 ? OUTPUT_JSON : OUTPUT_CSV;
	/* What the network said goes along once anything was read. */
	struct output_live live = { live_count(session->live) > 0, live_count(session->live) > 0, session->live };
	bool written = output_write_live(file, session->fleet, source->index, source->count, format, &live);
	if (fclose(file) != 0)
		written = false;
	char count[32];
	if (written)
		session_message(session, false, "Wrote %s %s rows to %s",
				util_thousands((int64_t)source->count, count, sizeof(count)),
				marked_only ? "marked" : "shown", path);
	else
		session_message(session, true, "Cannot write %s: %s", path, strerror(errno));
	rows_free(&marked);
	return written ? SESSION_EXPORT_WRITTEN : SESSION_EXPORT_REFUSED;
}

/* --- jobs ---------------------------------------------------------------------------------- */

bool session_may_act(struct session *session)
{
	if (session->read_only) {
		session_message(session, true,
				"Read-only: simtop changes nothing (started with --read-only or read_only = true)");
		return false;
	}
	if (session->job) {
		session_message(session, true, "A job is running: wait for it, or Esc to cancel it");
		return false;
	}
	if (session->live_fetch) {
		session_message(session, true, "Live state is being read: wait for it, or Esc to stop it");
		return false;
	}
	return true;
}

bool session_plan_targets(struct session *session, enum plan_action action, size_t **shown, size_t *shown_count,
			  size_t **hidden, size_t *hidden_count)
{
	*shown = *hidden = NULL;
	*shown_count = *hidden_count = 0;
	if (!session_may_act(session))
		return false;
	if (session->from_snapshot) {
		/* Statuses saved minutes or days ago plan nothing: the plan waits for today's. */
		session->action_waits = true;
		session->waiting_action = action;
		session_message(session, false, "Waiting for the fresh fleet: the confirmation of %s opens once it is "
				"in (Esc: do not open it)", plan_action_name(action));
		return false;
	}
	/* Rows a conn: or data: term chose are only as fresh as what was read: say how old. */
	if (filter_live_kinds(session->filter) && live_count(session->live) > 0) {
		char age[48];
		util_format_duration((double)((int64_t)time(NULL) - live_oldest(session->live)), age, sizeof(age));
		session_message(session, false, "The filter chose by live state read %s ago (the oldest): Esc, then L, reads "
				"it again", age);
	}
	if (marks_count_in_fleet(session->marks, session->fleet) == 0) {
		size_t device;
		if (!session_cursor_device(session, &device)) {
			session_message(session, true, "No device to act on: mark devices first (Space, a, +)");
			return false;
		}
		*shown = xmalloc(sizeof(size_t));
		(*shown)[0] = device;
		*shown_count = 1;
		*hidden = xmalloc(sizeof(size_t));
		return true;
	}
	/* Marked devices the rows show, then the marked devices the filter hides. */
	size_t fleet_size = fleet_count(session->fleet);
	bool *is_shown = xcalloc(fleet_size ? fleet_size : 1, sizeof(bool));
	*shown = xmalloc(sizeof(size_t) * (session->rows.count + 1));
	for (size_t i = 0; i < session->rows.count; i++) {
		size_t device = session->rows.index[i];
		is_shown[device] = true;
		if (marks_has(session->marks, fleet_device(session->fleet, device)))
			(*shown)[(*shown_count)++] = device;
	}
	*hidden = xmalloc(sizeof(size_t) * (session->base.count + 1));
	for (size_t i = 0; i < session->base.count; i++) {
		size_t device = session->base.index[i];
		if (!is_shown[device] && marks_has(session->marks, fleet_device(session->fleet, device)))
			(*hidden)[(*hidden_count)++] = device;
	}
	free(is_shown);
	return true;
}

/* Where jobs run now: the API URL, the profile and the token's workspace. */
static void current_origin(const struct session *session, struct journal_origin *origin, char *name, size_t size)
{
	struct transport *transport = session->transport;
	name[0] = '\0';
	*origin = (struct journal_origin){
		.api_url = session->api_url, .profile = session->profile,
		.workspace_id = transport ? transport->ops->workspace(transport->self, name, size) : 0,
		.workspace_name = name,
	};
}

bool session_start_job(struct session *session, struct plan *plan, enum journal_state (*states)[2],
		       struct journal *journal)
{
	char message[512];
	bool started = false;
	if (!session->transport) {
		session_message(session, true, "No application token: nothing can be sent");
	} else if (session->job) {
		session_message(session, true, "A job is running: wait for it, or Esc to cancel it");
	} else if (!journal) {
		struct journal_origin origin;
		char name[96];
		current_origin(session, &origin, name, sizeof(name));
		if (!(journal = journal_create(NULL, plan, &origin, message, sizeof(message))))
			session_message(session, true, "Nothing was sent: the journal cannot be written: %s", message);
	}
	if (journal && session->transport && !session->job) {
		if (!session->audit && !(session->audit = audit_open(NULL, message, sizeof(message)))) {
			session_message(session, true, "Nothing was sent: the audit log cannot be written: %s", message);
		} else {
			forget_last_job(session);
			marks_clear(session->job_failed);
			session->journal = journal;
			session->job_plan = plan;
			/* The job starts without what the load saved up: requests / rate is what it takes. */
			session->transport->ops->restart_pace(session->transport->self);
			session->job = job_start(session->transport, plan, states, journal, session->audit, NULL);
			char count[32];
			session_message(session, false, "Started: %s on %s %s; journal %s", plan_action_name(plan->action),
					util_thousands((int64_t)plan->count, count, sizeof(count)),
					plan->count == 1 ? "device" : "devices", journal_path(journal));
			started = true;
		}
	}
	free(states);
	if (!started) {
		if (journal)
			journal_close(journal);
		free_plan(plan);
	}
	return started;
}

bool session_cancel_waiting_action(struct session *session)
{
	if (!session->action_waits)
		return false;
	session->action_waits = false;
	session_message(session, false, "The confirmation of %s will not open", plan_action_name(session->waiting_action));
	return true;
}

bool session_cancel_job(struct session *session)
{
	if (!session->job)
		return false;
	job_cancel(session->job);
	return true;
}

/* Put what the job knows into the fleet as it learns it, so the rows show each device's new
 * statuses as soon as a step settles (and the read-back truth at the end), and the devices
 * that failed are known by their rows. Only the devices that moved since the last call are
 * looked at. The rows keep their places until the job ends: a device does not leave the
 * filter, nor move in the sort, while the operator watches it. */
static bool apply_job_results(struct session *session)
{
	const struct plan *plan = session->job_plan;
	bool changed = false;
	size_t i;
	while (job_next_changed(session->job, &i)) {
		const struct plan_device *planned = &plan->devices[i];
		struct device ids = { .endpoint_id = planned->endpoint_id, .sim_id = planned->sim_id };
		size_t index;
		int sim_status, endpoint_status;
		enum job_outcome outcome = job_result(session->job, i)->outcome;
		if (outcome == JOB_FAILED || outcome == JOB_HALF_DONE)
			marks_set(session->job_failed, &ids, true);
		job_device_statuses(session->job, i, &sim_status, &endpoint_status);
		if (!find_device(session->fleet, &ids, &index))
			continue;
		const struct device *device = fleet_device(session->fleet, index);
		if (device->sim_status == sim_status && device->endpoint_status == endpoint_status)
			continue;
		fleet_set_statuses(session->fleet, index, sim_status, endpoint_status);
		changed = true;
	}
	if (changed)
		session->sorted_valid = false; /* statuses changed: a sort by status is stale */
	return changed;
}

/* "offline: all 3 devices reached their target", "offline: 1 of 5 devices did not reach its
 * target" */
static void job_end_message(struct session *session, const struct job_progress *progress, size_t trouble)
{
	const char *action = plan_action_name(session->job_plan->action);
	size_t count = session->job_plan->count;
	char total[32], failed[32];
	util_thousands((int64_t)count, total, sizeof(total));
	util_thousands((int64_t)trouble, failed, sizeof(failed));
	if (progress->error[0])
		session_message(session, true, "The job stopped: %s", progress->error);
	else if (trouble == 0 && count == 1)
		session_message(session, false, "%s: the device reached its target", action);
	else if (trouble == 0)
		session_message(session, false, "%s: all %s devices reached their target", action, total);
	else if (count == 1)
		session_message(session, true, "%s: the device did not reach its target", action);
	else
		session_message(session, true, "%s: %s of %s devices did not reach %s target", action, failed, total,
				trouble == 1 ? "its" : "their");
}

static unsigned update_job(struct session *session)
{
	if (!session->job)
		return 0;
	struct job_progress progress;
	bool changed = apply_job_results(session);
	job_progress(session->job, &progress);
	if (!progress.finished)
		return changed ? SESSION_CHANGED : 0;
	size_t trouble = 0;
	for (size_t i = 0; i < session->job_plan->count; i++) {
		const struct job_device_result *result = job_result(session->job, i);
		if (result->outcome == JOB_FAILED || result->outcome == JOB_HALF_DONE ||
		    result->outcome == JOB_CANCELLED || result->changed_elsewhere)
			trouble++;
	}
	job_end_message(session, &progress, trouble);
	forget_last_job(session);
	session->last_trouble = trouble;
	session->last_job = session->job;
	session->last_plan = session->job_plan;
	session->last_journal_path = xstrdup(journal_path(session->journal));
	session->job = NULL;
	session->job_plan = NULL;
	journal_close(session->journal);
	session->journal = NULL;
	derive_rows(session);
	return SESSION_JOB_FINISHED | SESSION_CHANGED;
}

bool session_device_failed(const struct session *session, size_t device)
{
	return marks_has(session->job_failed, fleet_device(session->fleet, device));
}

/* --- live state ---------------------------------------------------------------------------- */

/* The endpoint ids session_live_plan() describes; the caller frees them. */
static int64_t *live_targets(struct session *session, struct session_live_plan *plan)
{
	*plan = (struct session_live_plan){ .marked = marks_count_in_fleet(session->marks, session->fleet) > 0 };
	size_t room = plan->marked ? session->base.count : session->rows.count + session->unknown.count;
	int64_t *ids = xmalloc(sizeof(*ids) * (room ? room : 1));
	const struct rows *sources[2] = { plan->marked ? &session->base : &session->rows,
					  plan->marked ? NULL : &session->unknown };
	for (int s = 0; s < 2 && sources[s]; s++) {
		for (size_t i = 0; i < sources[s]->count; i++) {
			const struct device *device = fleet_device(session->fleet, sources[s]->index[i]);
			if (plan->marked && !marks_has(session->marks, device))
				continue;
			if (!device->endpoint_id) {
				plan->without_endpoint++;
			} else if (!plan->marked && plan->devices >= SESSION_LIVE_SHOWN_MAX) {
				plan->left_out++;
			} else {
				ids[plan->devices++] = device->endpoint_id;
				plan->unknown += s == 1;
			}
		}
	}
	if (session->transport)
		plan->estimate = live_estimate(session->transport, plan->devices, LIVE_BOTH);
	return ids;
}

static bool may_read_live(struct session *session)
{
	if (!session->transport) {
		session_message(session, true, "No API: the live state cannot be read (set EMNIFY_APPLICATION_TOKEN)");
		return false;
	}
	if (session->job) {
		session_message(session, true, "A job is running: read the live state after it");
		return false;
	}
	if (session->live_fetch) {
		session_message(session, true, "Live state is being read already: Esc stops it");
		return false;
	}
	return true;
}

bool session_live_plan_ids(struct session *session, struct session_live_plan *plan, int64_t **ids)
{
	*ids = NULL;
	if (!may_read_live(session))
		return false;
	int64_t *chosen = live_targets(session, plan);
	if (plan->devices == 0) {
		free(chosen);
		session_message(session, true, "No %s device has an endpoint: there is no live state to read",
				plan->marked ? "marked" : "shown");
		return false;
	}
	*ids = chosen;
	return true;
}

bool session_live_plan(struct session *session, struct session_live_plan *plan)
{
	int64_t *ids;
	bool ok = session_live_plan_ids(session, plan, &ids);
	free(ids);
	return ok;
}

bool session_live_read(struct session *session, const int64_t *ids, size_t count)
{
	if (!may_read_live(session))
		return false;
	session->transport->ops->restart_pace(session->transport->self);
	session->live_fetch = live_fetch_start(session->transport, session->live, ids, count, LIVE_BOTH);
	session->live_started_ms = util_now_ms();
	session->live_rows_ms = session->live_started_ms;
	session->message[0] = '\0';
	return true;
}

bool session_live_start(struct session *session)
{
	struct session_live_plan plan;
	int64_t *ids;
	if (!session_live_plan_ids(session, &plan, &ids))
		return false;
	bool started = session_live_read(session, ids, plan.devices);
	free(ids);
	return started;
}

bool session_live_cancel(struct session *session)
{
	if (!session->live_fetch)
		return false;
	live_fetch_cancel(session->live_fetch);
	return true;
}

static void noted_live(struct session *session)
{
	if (filter_live_kinds(session->filter))
		derive_rows(session);
}

void session_note_connectivity(struct session *session, int64_t endpoint_id, const char *word)
{
	live_set_connectivity(session->live, endpoint_id, word, (int64_t)time(NULL));
	noted_live(session);
}

void session_note_usage(struct session *session, int64_t endpoint_id, double data_month_mb)
{
	live_set_usage(session->live, endpoint_id, data_month_mb, (int64_t)time(NULL));
	noted_live(session);
}

/* While a read runs, the rows a conn: or data: filter shows follow what arrives, at most every
 * LIVE_ROWS_MS; when it ends, the message says how it went. */
#define LIVE_ROWS_MS 500
static unsigned update_live(struct session *session)
{
	if (!session->live_fetch)
		return 0;
	struct live_fetch_progress progress;
	live_fetch_progress(session->live_fetch, &progress);
	int64_t now = util_now_ms();
	if (progress.running) {
		/* The progress line is the caller's to redraw as time passes; the rows change here. */
		if (!filter_live_kinds(session->filter) || now - session->live_rows_ms < LIVE_ROWS_MS)
			return 0;
		session->live_rows_ms = now;
		derive_rows(session);
		return SESSION_CHANGED;
	}
	size_t failure_count;
	const struct live_failure *failures = live_fetch_failures(session->live_fetch, &failure_count);
	char devices[32], failed[32], first[400] = "";
	if (failure_count > 0)
		snprintf(first, sizeof(first), "first: endpoint %lld %s: %s", (long long)failures[0].endpoint_id,
			 live_what_word(failures[0].what), failures[0].message);
	util_thousands((int64_t)progress.devices, devices, sizeof(devices));
	util_thousands((int64_t)progress.calls_failed, failed, sizeof(failed));
	double seconds = (double)(now - session->live_started_ms) / 1000.0;
	const char *devices_word = progress.devices == 1 ? "device" : "devices";
	if (progress.cancelled)
		session_message(session, false, "Stopped: %zu of %zu calls answered; what arrived is shown",
				progress.calls_done, progress.calls_total);
	else if (failure_count > 0 && progress.calls_failed == progress.calls_total)
		session_message(session, true, "The live state could not be read: all %zu calls failed, %s",
				progress.calls_total, first);
	else if (failure_count > 0)
		session_message(session, true, "Live state of %s %s read in %.1f s; %s %s failed, %s", devices,
				devices_word, seconds, failed, progress.calls_failed == 1 ? "call" : "calls", first);
	else
		session_message(session, false, "Live state of %s %s read in %.1f s (%zu call%s)", devices, devices_word,
				seconds, progress.calls_total, progress.calls_total == 1 ? "" : "s");
	live_fetch_free(session->live_fetch);
	session->live_fetch = NULL;
	derive_rows(session);
	return SESSION_LIVE_FINISHED | SESSION_CHANGED;
}

unsigned session_update(struct session *session)
{
	if (session->snapshot_due) {
		session->snapshot_due = false;
		write_snapshot(session);
	}
	return update_load(session) | update_job(session) | update_live(session);
}

bool session_job_unfinished(const struct session *session, bool last, struct session_unfinished *unfinished)
{
	const struct job *job = last ? session->last_job : session->job;
	const struct plan *plan = last ? session->last_plan : session->job_plan;
	if (!job)
		return false;
	*unfinished = (struct session_unfinished){
		.total = plan->count,
		.journal_path = last ? session->last_journal_path : journal_path(session->journal),
	};
	for (size_t i = 0; i < plan->count; i++) {
		enum job_outcome outcome = job_result(job, i)->outcome;
		unfinished->devices += outcome == JOB_PENDING || outcome == JOB_RUNNING || outcome == JOB_CANCELLED;
		unfinished->in_flight += outcome == JOB_RUNNING;
	}
	return unfinished->devices > 0;
}

bool session_find_resume(struct session *session, struct session_resume *resume)
{
	*resume = (struct session_resume){ 0 };
	if (session->read_only || !session->transport)
		return false;
	char *path = journal_find_unfinished(NULL);
	if (!path)
		return false;
	struct plan *plan = xcalloc(1, sizeof(*plan));
	enum journal_state (*states)[2] = NULL;
	char message[512];
	struct journal *journal = journal_resume(path, plan, &states, false, message, sizeof(message), NULL);
	struct journal_origin origin;
	char name[96], why[512];
	current_origin(session, &origin, name, sizeof(name));
	if (!journal) {
		session_message(session, true, "An unfinished job's journal cannot be resumed: %s", message);
		free(plan);
		free(path);
		return false;
	}
	if (!journal_origin_matches(journal, &origin, why, sizeof(why))) {
		/* Another API's or workspace's job: not offered here. */
		session_message(session, false, "An unfinished job (%s) is not offered here: %s", path, why);
		journal_close(journal);
		free(states);
		free_plan(plan);
		free(path);
		return false;
	}
	/* The fleet was loaded just now: what is still needed is planned from it. */
	struct job_truth *truths = xcalloc(plan->count ? plan->count : 1, sizeof(*truths));
	job_truths_from_fleet(session->fleet, plan, truths);
	job_rebase(plan, states, truths, &resume->report);
	free(truths);
	resume->path = path;
	resume->plan = plan;
	resume->states = states;
	resume->journal = journal;
	session_message(session, false, "An earlier job did not finish (%s): %zu left to change, %zu already there, "
			"%zu changed elsewhere", path, resume->report.remaining, resume->report.reached,
			resume->report.changed);
	return true;
}

void session_resume_free(struct session_resume *resume)
{
	if (resume->journal)
		journal_close(resume->journal);
	free(resume->states);
	free_plan(resume->plan);
	free(resume->path);
	*resume = (struct session_resume){ 0 };
}
