/*  timeliness_server: journey-timelinessd behind the service skeleton (timeliness_server.h).

    Phases: LOADING (the book, the next deadline id, the feed positions are read from the
    database; retried with backoff while it is away), CATCHING_UP (one page of the event feed
    per loop turn, so that requests and SIGTERM are served between pages), LIVE (the event
    feed's live messages, in runs). Any failed transaction sends it back to LOADING: the book
    may have run ahead of what committed, so it is discarded and read again.

    Everything happens on the actor's thread and its one connection; a flush or a sweep is
    one transaction, done before the loop turns again, so SIGTERM never finds one half done.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "child_records.h"
#include "derive.h"
#include "queries.h"
#include "store.h"
#include "thresholds.h"
#include "timeliness_server.h"
#include "webhook.h"

#define S_HEARTBEAT_MS      1000   //  alert feed heartbeats, by the monotonic clock
#define S_RETRY_FIRST_MS    100    //  after a failure: first wait before loading again
#define S_RETRY_MAX_MS      5000   //  doubling up to this
#define S_PUB_SNDHWM        100000 //  alerts queued before PUB drops (a gap, repaired)
#define S_CHILDREN_PER_READ 1000   //  children whose records one statement reads
#define S_LIVE_CHILDREN     32     //  a flush of at most this many stored in one statement
#define S_HEALTH_SIZE       1024

typedef enum { S_LOADING, S_CATCHING_UP, S_LIVE } s_phase_t;

typedef struct {
    jy_service_t *service;
    const char *la_code; //  la/code, NULL when not configured
    long overdue_by;
    char *feed_endpoint;
    jy_db_t *db;
    jy_calendar_t *calendar;
    tl_clocks_t *clocks;
    tl_book_t *book;
    tl_store_t *store;
    tl_child_records_t *records;
    tl_thresholds_t *thresholds;
    tl_webhooks_t *webhooks;
    jy_feed_sub_t *events;
    zsock_t *pub;
    jy_feed_pub_t *publisher;

    s_phase_t phase;
    jy_date_t today;
    jy_date_t evaluated_day;  //  the last day swept since the book was loaded
    jy_date_t thresholds_day; //  the last day the KPI check ran
    int64_t next_id;          //  the next deadline's id
    int64_t retry_at;         //  monotonic ms of the next load attempt
    int64_t retry_ms;
    int64_t thresholds_retry_at;
    int64_t heartbeat_at;

    //  The children the events staged since the last flush touched, each once.
    zhashx_t *staged_index; //  "la_code\x1fchild_id"
    tl_child_key_t *staged; //  strings owned
    size_t staged_count, staged_capacity;

    //  One flush or sweep's work, reused.
    tl_alert_list_t alerts;
    tl_deadline_row_t *writes;
    size_t write_count, write_capacity;
    tl_child_t **children;
    tl_deadlines_t *derived; //  per child of a chunk; the rows written borrow their anchors
    size_t chunk_capacity;
    size_t *stored_slots; //  the stored rows grouped by child
    size_t *stored_first, *stored_count;
    size_t stored_slots_capacity;

    int64_t read_us, derive_us, write_us; //  the last flush's phases, for the debug log
    char health[S_HEALTH_SIZE];           //  why not healthy, for Status
    //  Status fields, kept here because the skeleton packs the reply after the hook returns.
    Journey__V1__FeedPosition positions[2];
    Journey__V1__FeedPosition *position_list[2];
} s_server_t;

//  --- Failure and loading -----------------------------------------------------------------------

static void s_unstage (s_server_t *self);

//  A transaction failed, or the database went away: roll back and load again (at once the
//  first time, then with backoff while it keeps failing).
static void s_fail (s_server_t *self, const char *what)
{
    jy_db_rollback (self->db);
    snprintf (self->health, sizeof self->health, "%s: %s", what, jy_db_error (self->db));
    jy_error ("%s; loading the deadlines again", self->health);
    tl_alert_list_clear (&self->alerts);
    tl_store_forget_state_changes (self->store);
    self->phase = S_LOADING;
    int64_t now = zclock_mono ();
    if (self->retry_at < now)
        self->retry_at = now;
}

//  Are the tables there? 0, or -1 having said what to do. The projection contract (migration
//  010) is the last of them, so its presence also vouches for the event feed's table.
static int s_check_schema (s_server_t *self)
{
    PGresult *result =
        jy_db_query (self->db,
                     "SELECT string_agg (t, ', ') FROM unnest (ARRAY['timeliness.deadline',"
                     " 'timeliness.alert_feed', 'timeliness.state', 'projection.case_closure'])"
                     " AS t"
                     " WHERE to_regclass (t) IS NULL",
                     0, NULL);
    if (!result) {
        jy_error ("database: %s", jy_db_error (self->db));
        return -1;
    }
    int rc = 0;
    if (!PQgetisnull (result, 0, 0)) {
        jy_error ("the database is not migrated (no %s): run `journey migrate`",
                  PQgetvalue (result, 0, 0));
        rc = -1;
    }
    PQclear (result);
    return rc;
}

static int s_load (s_server_t *self)
{
    int64_t started = zclock_mono ();
    size_t loaded = 0, holidays = 0;
    uint64_t position = 0, head = 0;
    //  Imported bank holidays before the book: its trigger dates count working days.
    if (jy_db_ensure (self->db) != 0 ||
        jy_calendar_load_db (self->calendar, self->db, &holidays) != 0 ||
        tl_store_load_book (self->store, self->db, self->clocks, self->book, &loaded) != 0 ||
        tl_store_next_id (self->db, &self->next_id) != 0 ||
        jy_feed_position_load (self->db, "timeliness", "events", &position) != 0 ||
        jy_feed_head (self->db, jy_feed_lookup ("alerts"), &head) != 0) {
        snprintf (self->health, sizeof self->health, "deadlines not loaded: %s",
                  jy_db_error (self->db));
        jy_warning ("%s; retrying in %" PRId64 " ms", self->health, self->retry_ms);
        self->retry_at = zclock_mono () + self->retry_ms;
        self->retry_ms = self->retry_ms * 2 < S_RETRY_MAX_MS ? self->retry_ms * 2 : S_RETRY_MAX_MS;
        return -1;
    }
    //  The heartbeat then tells subscribers of anything committed but never published.
    jy_feed_pub_destroy (&self->publisher);
    self->publisher = jy_feed_pub_new (self->pub, jy_feed_lookup ("alerts"), head);
    s_unstage (self); //  whatever was staged is delivered again from the position
    jy_feed_sub_set_position (self->events, position);
    self->evaluated_day = JY_DATE_INVALID;
    self->phase = S_CATCHING_UP;
    self->retry_ms = S_RETRY_FIRST_MS;
    self->health[0] = '\0';
    jy_info ("loaded %zu running deadlines in %" PRId64 " ms; events from %" PRIu64
             ", alert feed head %" PRIu64,
             loaded, zclock_mono () - started, position, head);
    return 0;
}

//  --- Alerts ------------------------------------------------------------------------------------

//  The alerts raised for one deadline, added to the list to store and publish.
static void s_raise (s_server_t *self, const tl_book_deadline_t *deadline, uint32_t raised)
{
    char started[JY_DATE_TEXT_SIZE], due[JY_DATE_TEXT_SIZE], planned[JY_DATE_TEXT_SIZE],
        today[JY_DATE_TEXT_SIZE];
    for (int kind = JOURNEY__V1__ALERT__KIND__DUE_SOON;
         kind <= JOURNEY__V1__ALERT__KIND__OVERDUE_BY; kind++) {
        if (!(raised & TL_ALERT_BIT (kind)))
            continue;
        Journey__V1__Alert alert = JOURNEY__V1__ALERT__INIT;
        alert.has_kind = true;
        alert.kind = (Journey__V1__Alert__Kind) kind;
        alert.la_code = (char *) deadline->la_code;
        alert.child_id = (char *) deadline->child_id;
        alert.clock = (char *) tl_clocks_name (deadline->clock);
        alert.started_on = jy_date_format (deadline->started_on, started);
        alert.due_on = jy_date_format (deadline->due_on, due);
        if (deadline->planned_on != JY_DATE_INVALID)
            alert.planned_on = jy_date_format (deadline->planned_on, planned);
        alert.team_id = (char *) deadline->team_id;
        alert.worker_id = (char *) deadline->worker_id;
        alert.raised_on = jy_date_format (self->today, today);
        int late;
        if ((kind == JOURNEY__V1__ALERT__KIND__OVERDUE ||
             kind == JOURNEY__V1__ALERT__KIND__OVERDUE_BY) &&
            jy_calendar_working_days_between (self->calendar, deadline->due_on, self->today,
                                              &late) == 0) {
            alert.has_overdue_working_days = true;
            alert.overdue_working_days = late;
        }
        alert.has_deadline_id = true;
        alert.deadline_id = (uint64_t) deadline->id;
        tl_alert_list_add (&self->alerts, &alert);
    }
}

//  After the commit: out on the alert feed, in feed order.
static void s_publish (s_server_t *self)
{
    for (size_t i = 0; i < self->alerts.count; i++) {
        jy_envelope_t envelope;
        tl_store_alert_envelope (&envelope, self->alerts.items[i], self->alerts.first_seq + i);
        jy_feed_pub_send (self->publisher, envelope.feed_seq, &envelope);
    }
    tl_alert_list_clear (&self->alerts);
}

//  --- Deriving a child's deadlines ------------------------------------------------------------

static bool s_same_text (const char *a, const char *b)
{
    return a == b || (a && b && strcmp (a, b) == 0);
}

static bool s_same_row (const tl_deadline_row_t *a, const tl_deadline_row_t *b)
{
    return a->started_on == b->started_on && a->due_on == b->due_on && a->state == b->state &&
           a->met_on == b->met_on && a->has_late == b->has_late &&
           (!a->has_late || a->late_working_days == b->late_working_days) &&
           a->cancelled_on == b->cancelled_on && s_same_text (a->cancel_reason, b->cancel_reason) &&
           a->planned_on == b->planned_on && s_same_text (a->team_id, b->team_id) &&
           s_same_text (a->worker_id, b->worker_id) && a->alerts == b->alerts;
}

static tl_book_deadline_t s_book_view (const tl_deadline_row_t *row)
{
    return (tl_book_deadline_t){
        .id = row->id,
        .la_code = row->la_code,
        .child_id = row->child_id,
        .team_id = row->team_id,
        .worker_id = row->worker_id,
        .clock = row->clock,
        .started_on = row->started_on,
        .due_on = row->due_on,
        .planned_on = row->planned_on,
        .state = row->state,
        .alerts = row->alerts,
    };
}

static void s_write (s_server_t *self, const tl_deadline_row_t *row)
{
    if (self->write_count == self->write_capacity) {
        self->write_capacity = self->write_capacity ? self->write_capacity * 2 : 1024;
        self->writes = realloc (self->writes, self->write_capacity * sizeof *self->writes);
        assert (self->writes);
    }
    self->writes[self->write_count++] = *row;
}

//  The day a deadline ended (JY_DATE_INVALID for a running one).
static jy_date_t s_ended_on (const tl_deadline_t *deadline)
{
    return deadline->end == TL_END_MET         ? deadline->met_on
           : deadline->end == TL_END_CANCELLED ? deadline->cancelled_on
                                               : JY_DATE_INVALID;
}

//  A derived deadline as a row: its identity, dates and end (state open for a running one,
//  which the rules then settle).
static tl_deadline_row_t s_derived_row (const tl_child_t *child, const tl_deadline_t *deadline)
{
    tl_deadline_row_t row = {
        .la_code = child->la_code,
        .child_id = child->child_id,
        .clock = deadline->clock,
        .clock_name = tl_clocks_name (deadline->clock),
        .anchor = deadline->anchor,
        .started_on = deadline->started_on,
        .due_on = deadline->due_on,
        .state = TL_STATE_OPEN,
        .met_on = JY_DATE_INVALID,
        .cancelled_on = JY_DATE_INVALID,
        .planned_on = deadline->planned_on,
        .team_id = child->team_id,
        .worker_id = child->worker_id,
    };
    if (deadline->end == TL_END_MET) {
        row.state = deadline->met_in_time ? TL_STATE_MET_ON_TIME : TL_STATE_MET_LATE;
        row.met_on = deadline->met_on;
        row.has_late = true;
        row.late_working_days = deadline->late_working_days;
    } else if (deadline->end == TL_END_CANCELLED) {
        row.state = TL_STATE_CANCELLED;
        row.cancelled_on = deadline->cancelled_on;
        row.cancel_reason = deadline->cancel_reason;
    }
    //  An ended deadline is reported under the allocation in force when it ended.
    if (deadline->end != TL_END_NONE)
        tl_child_allocation_on (child, s_ended_on (deadline), &row.team_id, &row.worker_id);
    return row;
}

//  A running row: the rules settle its state and raise what is due; it goes into the book.
static void s_running (s_server_t *self, tl_deadline_row_t *row)
{
    uint32_t raised = tl_book_evaluate (self->book, row->clock, row->due_on, row->planned_on,
                                        self->today, &row->alerts, &row->state);
    tl_book_deadline_t view = s_book_view (row);
    tl_book_put (self->book, &view);
    if (raised)
        s_raise (self, &view, raised);
}

//  First seen: a new id, and backfill when it was past due before it reached us: recorded with
//  every alert bit set, so that it never announces anything (a clock missed in the past). One
//  still due today or later is live, ended or not: it raises at once what a running deadline
//  raises today (DUE_SOON, DUE_TODAY, DRIFTED), and an ended one then keeps its ended state.
//  Why an ended one too: its start and its end may reach us in one flush or in two, and in two
//  the first sees it running and announces it; so the same events give the same alerts however
//  they are batched (DESIGN.md invariant 6; docs/timeliness.md, "Backfill").
static void s_new_deadline (s_server_t *self, const tl_child_t *child,
                            const tl_deadline_t *deadline)
{
    tl_deadline_row_t row = s_derived_row (child, deadline);
    row.id = self->next_id++;
    row.first_seen_on = self->today;
    row.backfill = self->today > deadline->due_on;
    row.alerts = row.backfill ? TL_ALERTS_ALL : 0;
    if (deadline->end == TL_END_NONE)
        s_running (self, &row);
    else if (!row.backfill) {
        //  Evaluated as running today, under the child's allocation now, as the first of two
        //  flushes would have; the row keeps its ended state.
        tl_deadline_row_t running = row;
        running.team_id = child->team_id;
        running.worker_id = child->worker_id;
        tl_state_t state = TL_STATE_OPEN;
        uint32_t raised = tl_book_evaluate (self->book, row.clock, row.due_on, row.planned_on,
                                            self->today, &row.alerts, &state);
        if (raised) {
            tl_book_deadline_t view = s_book_view (&running);
            s_raise (self, &view, raised);
        }
    }
    s_write (self, &row);
}

//  Seen before: the derived facts over the stored ones; written only when something changed.
static void s_known_deadline (s_server_t *self, const tl_child_t *child,
                              const tl_deadline_t *deadline, const tl_deadline_row_t *stored)
{
    tl_deadline_row_t row = s_derived_row (child, deadline);
    row.id = stored->id;
    row.first_seen_on = stored->first_seen_on;
    row.backfill = stored->backfill;
    row.alerts = stored->alerts;
    if (deadline->end == TL_END_NONE)
        s_running (self, &row);
    else if (tl_state_running (stored->state))
        tl_book_remove (self->book, row.id);
    if (!s_same_row (&row, stored))
        s_write (self, &row);
}

//  Stored but no longer derived: a correction or retraction removed its start (or its clock
//  was switched off).
static void s_lost_deadline (s_server_t *self, const tl_deadline_row_t *stored)
{
    if (stored->state == TL_STATE_CANCELLED)
        return;
    tl_deadline_row_t row = *stored;
    if (tl_state_running (stored->state))
        tl_book_remove (self->book, row.id);
    row.state = TL_STATE_CANCELLED;
    row.cancelled_on = self->today;
    row.cancel_reason =
        stored->clock == TL_CLOCK_COUNT || !tl_clocks_rule (self->clocks, stored->clock)->enabled
            ? "clock_disabled"
            : "start_removed";
    s_write (self, &row);
}

//  Order by (clock, anchor): derived deadlines and stored rows.
static int s_compare_key (tl_clock_id_t clock_a, const char *anchor_a, tl_clock_id_t clock_b,
                          const char *anchor_b)
{
    if (clock_a != clock_b)
        return clock_a < clock_b ? -1 : 1;
    return strcmp (anchor_a ? anchor_a : "", anchor_b ? anchor_b : "");
}

static int s_compare_derived (const void *a, const void *b)
{
    const tl_deadline_t *x = a, *y = b;
    return s_compare_key (x->clock, x->anchor, y->clock, y->anchor);
}

static const tl_deadline_row_t *s_sort_rows; //  qsort has no argument: the rows being sorted

static int s_compare_stored (const void *a, const void *b)
{
    const tl_deadline_row_t *x = &s_sort_rows[*(const size_t *) a];
    const tl_deadline_row_t *y = &s_sort_rows[*(const size_t *) b];
    int order = s_compare_key (x->clock, x->anchor, y->clock, y->anchor);
    return order ? order
                 : strcmp (x->clock_name ? x->clock_name : "", y->clock_name ? y->clock_name : "");
}

//  A child's derived deadlines against its stored ones (slots into rows), merged by key.
static void s_diff_child (s_server_t *self, const tl_child_t *child, tl_deadlines_t *derived,
                          bool complete, const tl_deadline_row_t *rows, size_t *slots, size_t count)
{
    if (derived->count > 1)
        qsort (derived->items, derived->count, sizeof *derived->items, s_compare_derived);
    s_sort_rows = rows;
    if (count > 1)
        qsort (slots, count, sizeof *slots, s_compare_stored);
    size_t d = 0, s = 0;
    while (d < derived->count || s < count) {
        const tl_deadline_t *deadline = d < derived->count ? &derived->items[d] : NULL;
        const tl_deadline_row_t *stored = s < count ? &rows[slots[s]] : NULL;
        int order = !deadline ? 1
                    : !stored ? -1
                              : s_compare_key (deadline->clock, deadline->anchor, stored->clock,
                                               stored->anchor);
        if (order < 0) {
            s_new_deadline (self, child, deadline);
            d++;
        } else if (order > 0) {
            //  When derivation could not finish, what it left out is not known to be gone.
            if (complete)
                s_lost_deadline (self, stored);
            s++;
        } else {
            s_known_deadline (self, child, deadline, stored);
            d++;
            s++;
        }
    }
}

static void s_chunk_reserve (s_server_t *self, size_t children, size_t rows)
{
    if (children > self->chunk_capacity) {
        free (self->children);
        free (self->stored_first);
        free (self->stored_count);
        for (size_t i = 0; i < self->chunk_capacity; i++)
            tl_deadlines_clear (&self->derived[i]);
        free (self->derived);
        self->children = calloc (children, sizeof *self->children);
        self->stored_first = calloc (children, sizeof *self->stored_first);
        self->stored_count = calloc (children, sizeof *self->stored_count);
        self->derived = calloc (children, sizeof *self->derived);
        assert (self->children && self->stored_first && self->stored_count && self->derived);
        for (size_t i = 0; i < children; i++)
            tl_deadlines_init (&self->derived[i]);
        self->chunk_capacity = children;
    }
    if (rows > self->stored_slots_capacity) {
        free (self->stored_slots);
        self->stored_slots = malloc (rows * sizeof *self->stored_slots);
        assert (self->stored_slots);
        self->stored_slots_capacity = rows;
    }
}

static char *s_child_key (const char *la_code, const char *child_id, char *key, size_t size)
{
    snprintf (key, size, "%s\x1f%s", la_code, child_id);
    return key;
}

//  Derive the deadlines of keys[0..count) again and write what changed, inside the flush's
//  transaction; or, for a live flush, store what changed, the alerts and the position in one
//  statement (tl_store_write_live). The book takes the changes at once. 0 or -1.
static int s_derive_chunk (s_server_t *self, const tl_child_key_t *keys, size_t count, bool live,
                           uint64_t position)
{
    int64_t started = zclock_usecs ();
    s_chunk_reserve (self, count, 0);
    if (tl_child_records_read (self->records, self->db, keys, count, self->children) != 0)
        return -1;
    tl_deadline_row_t *rows;
    size_t row_count;
    int rc = tl_store_read_children (self->store, self->db, keys, count, &rows, &row_count);
    int64_t read = zclock_usecs ();
    self->read_us += read - started;
    if (rc == 0) {
        //  Group the stored rows by child (a counting sort over the keys' order).
        s_chunk_reserve (self, count, row_count);
        zhashx_t *index = zhashx_new ();
        assert (index);
        char key[256];
        for (size_t i = 0; i < count; i++) {
            zhashx_insert (index, s_child_key (keys[i].la_code, keys[i].child_id, key, sizeof key),
                           (void *) (uintptr_t) (i + 1));
            self->stored_count[i] = 0;
        }
        size_t *owner = malloc ((row_count ? row_count : 1) * sizeof *owner);
        assert (owner);
        for (size_t r = 0; r < row_count; r++) {
            owner[r] =
                (uintptr_t) zhashx_lookup (
                    index, s_child_key (rows[r].la_code, rows[r].child_id, key, sizeof key)) -
                1;
            self->stored_count[owner[r]]++;
        }
        for (size_t i = 0, first = 0; i < count; i++) {
            self->stored_first[i] = first;
            first += self->stored_count[i];
            self->stored_count[i] = 0;
        }
        for (size_t r = 0; r < row_count; r++)
            self->stored_slots[self->stored_first[owner[r]] + self->stored_count[owner[r]]++] = r;
        free (owner);
        zhashx_destroy (&index);

        self->write_count = 0;
        for (size_t i = 0; i < count; i++) {
            tl_child_t *child = self->children[i];
            tl_deadlines_t *derived = &self->derived[i];
            derived->count = 0;
            bool complete = tl_derive (self->clocks, self->calendar, child, derived) == 0;
            if (!complete)
                jy_warning ("child %s/%s: some deadlines fall outside the calendar's years",
                            child->la_code, child->child_id);
            s_diff_child (self, child, derived, complete, rows,
                          self->stored_slots + self->stored_first[i], self->stored_count[i]);
        }
        int64_t derived = zclock_usecs ();
        self->derive_us += derived - read;
        rc = live ? tl_store_write_live (self->store, self->db, self->writes, self->write_count,
                                         self->today, &self->alerts,
                                         jy_feed_pub_last (self->publisher), position)
                  : tl_store_write_deadlines (self->store, self->db, self->writes,
                                              self->write_count, self->today);
        self->write_us += zclock_usecs () - derived;
        self->write_count = 0;
    }
    for (size_t i = 0; i < count; i++) {
        tl_child_destroy (&self->children[i]);
        self->derived[i].count = 0;
    }
    return rc;
}

//  --- The event feed ----------------------------------------------------------------------------

//  Batch mode's handler: note the child the event is about.
static int s_on_event (void *arg, uint64_t seq, jy_envelope_t *envelope)
{
    (void) seq;
    s_server_t *self = (s_server_t *) arg;
    if (envelope->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT)
        return 0; //  nothing this build knows: the position still moves past it
    const Journey__V1__Event *event = envelope->event;
    if (!event->la_code || !*event->la_code || !event->child_id || !*event->child_id)
        return 0;
    char key[256];
    s_child_key (event->la_code, event->child_id, key, sizeof key);
    if (zhashx_lookup (self->staged_index, key))
        return 0;
    zhashx_insert (self->staged_index, key, (void *) 1);
    if (self->staged_count == self->staged_capacity) {
        self->staged_capacity = self->staged_capacity ? self->staged_capacity * 2 : 1024;
        self->staged = realloc (self->staged, self->staged_capacity * sizeof *self->staged);
        assert (self->staged);
    }
    tl_child_key_t *staged = &self->staged[self->staged_count++];
    staged->la_code = strdup (event->la_code);
    staged->child_id = strdup (event->child_id);
    assert (staged->la_code && staged->child_id);
    return 0;
}

static void s_unstage (s_server_t *self)
{
    for (size_t i = 0; i < self->staged_count; i++) {
        free ((char *) self->staged[i].la_code);
        free ((char *) self->staged[i].child_id);
    }
    self->staged_count = 0;
    zhashx_purge (self->staged_index);
}

//  Batch mode's flush: the staged children's deadlines, their alerts and the position, in
//  one transaction; then the alerts go out. A live flush (a few children: the events of one
//  push) takes the short way, for the latency from push to alert: its reads need no
//  transaction (this daemon is the only writer of what it reads back, and the projection is
//  read committed either way), and its writes and commit are one statement, one round trip.
static int s_flush (void *arg, uint64_t position)
{
    s_server_t *self = (s_server_t *) arg;
    int64_t started = zclock_usecs ();
    size_t children = self->staged_count;
    self->read_us = self->derive_us = self->write_us = 0;
    bool live = children <= S_LIVE_CHILDREN;
    int rc = jy_db_ensure (self->db) == 0 && (live || jy_db_begin (self->db) == 0) ? 0 : -1;
    for (size_t first = 0; rc == 0 && first < self->staged_count; first += S_CHILDREN_PER_READ) {
        size_t count = self->staged_count - first;
        if (count > S_CHILDREN_PER_READ)
            count = S_CHILDREN_PER_READ;
        rc = s_derive_chunk (self, self->staged + first, count, live, position);
    }
    s_unstage (self);
    int64_t derived = zclock_usecs ();
    if (rc == 0 && !live)
        rc = tl_store_write_alerts (self->store, self->db, &self->alerts);
    if (rc == 0 && !live)
        rc = jy_feed_position_save (self->db, "timeliness", "events", position);
    int64_t stored = zclock_usecs ();
    if (rc == 0 && !live)
        rc = jy_db_commit (self->db);
    if (rc != 0) {
        //  The book has taken changes that did not commit.
        s_fail (self, "storing deadlines");
        return -1;
    }
    size_t alerts = self->alerts.count;
    int64_t published = zclock_usecs ();
    s_publish (self);
    int64_t done = zclock_usecs ();
    jy_debug ("events up to %" PRIu64 ": %zu children, %zu alerts in %" PRId64 " us (read %" PRId64
              ", derive %" PRId64 ", write %" PRId64 ", alerts and position %" PRId64
              ", commit %" PRId64 ", publish %" PRId64 ")",
              position, children, alerts, done - started, self->read_us, self->derive_us,
              self->write_us, stored - derived, published - stored, done - published);
    return 0;
}

//  --- The day's sweep ---------------------------------------------------------------------------

static void s_on_change (void *arg, const tl_book_deadline_t *deadline, uint32_t raised)
{
    s_server_t *self = (s_server_t *) arg;
    tl_store_state_change (self->store, deadline->id, deadline->state, deadline->alerts);
    if (raised)
        s_raise (self, deadline, raised);
}

static void s_on_threshold_alert (void *arg, const Journey__V1__Alert *alert)
{
    tl_alert_list_add (&((s_server_t *) arg)->alerts, alert);
}

//  KPI ratings and caseloads when they are due (their own transaction: a failure there must not
//  hold up the deadlines' alerts). Retried after a pause when it fails.
static void s_thresholds (s_server_t *self)
{
    if (!self->thresholds) {
        self->thresholds_day = self->today;
        return;
    }
    int due = tl_thresholds_due (self->thresholds, self->db, self->today);
    int rc = due < 0 ? -1 : 0;
    if (due == 1) {
        rc = jy_db_begin (self->db);
        if (rc == 0)
            rc = tl_thresholds_run (self->thresholds, self->db, self->calendar, self->today,
                                    s_on_threshold_alert, self);
        if (rc == 0) {
            char today[JY_DATE_TEXT_SIZE];
            for (size_t i = 0; i < self->alerts.count; i++)
                if (!self->alerts.items[i]->raised_on) {
                    self->alerts.items[i]->raised_on = strdup (jy_date_format (self->today, today));
                    assert (self->alerts.items[i]->raised_on);
                }
            rc = tl_store_write_alerts (self->store, self->db, &self->alerts);
        }
        if (rc == 0)
            rc = jy_db_commit (self->db);
    }
    if (rc != 0) {
        jy_db_rollback (self->db);
        tl_alert_list_clear (&self->alerts);
        jy_warning ("KPI thresholds not evaluated: %s; retrying in %d ms", jy_db_error (self->db),
                    S_RETRY_MAX_MS);
        self->thresholds_retry_at = zclock_mono () + S_RETRY_MAX_MS;
        return;
    }
    if (self->alerts.count)
        jy_info ("KPI thresholds: %zu alerts", self->alerts.count);
    s_publish (self);
    self->thresholds_day = self->today;
}

//  Every running deadline against today; what changed and the alerts in one transaction.
static void s_sweep (s_server_t *self)
{
    int64_t started = zclock_usecs ();
    tl_store_forget_state_changes (self->store);
    size_t changed = tl_book_sweep (self->book, self->today, s_on_change, self);
    int64_t evaluated = zclock_usecs ();
    char today[JY_DATE_TEXT_SIZE];
    jy_date_format (self->today, today);
    int64_t states = 0, numbered = 0;
    int rc = jy_db_ensure (self->db) == 0 && jy_db_begin (self->db) == 0 &&
                     tl_store_write_state_changes (self->store, self->db, self->today) == 0
                 ? 0
                 : -1;
    states = zclock_usecs ();
    if (rc == 0)
        rc = tl_store_write_alerts (self->store, self->db, &self->alerts);
    numbered = zclock_usecs ();
    if (rc == 0)
        rc = tl_store_state_set (self->db, "last_evaluated_day", today);
    if (rc == 0)
        rc = jy_db_commit (self->db);
    if (rc != 0) {
        //  The book has taken the day's changes: load it again, then sweep again.
        s_fail (self, "storing the day's sweep");
        return;
    }
    int64_t committed = zclock_usecs ();
    size_t alerts = self->alerts.count;
    s_publish (self);
    self->evaluated_day = self->today;
    int64_t stored = zclock_usecs ();
    //  deploy/bench timeliness reads this line.
    jy_info ("day %s: swept %zu running deadlines in %.1f ms (%zu changed, %zu alerts);"
             " stored in %.1f ms (states %.1f, alerts %.1f, commit %.1f, publish %.1f)",
             today, tl_book_count (self->book), (double) (evaluated - started) / 1000.0, changed,
             alerts, (double) (stored - evaluated) / 1000.0, (double) (states - evaluated) / 1000.0,
             (double) (numbered - states) / 1000.0, (double) (committed - numbered) / 1000.0,
             (double) (stored - committed) / 1000.0);
    if (self->thresholds_day != self->today)
        s_thresholds (self);
}

//  --- Hooks --------------------------------------------------------------------------------------

static void s_stop (void **state_p)
{
    s_server_t *self = (s_server_t *) *state_p;
    if (!self)
        return;
    //  The webhook threads first: they read the alert feed this daemon writes.
    tl_webhooks_destroy (&self->webhooks);
    jy_feed_sub_destroy (&self->events);
    jy_feed_pub_destroy (&self->publisher);
    zsock_destroy (&self->pub);
    tl_thresholds_destroy (&self->thresholds);
    tl_child_records_destroy (&self->records);
    tl_store_destroy (&self->store);
    tl_book_destroy (&self->book);
    tl_clocks_destroy (&self->clocks);
    jy_calendar_destroy (&self->calendar);
    jy_db_destroy (&self->db);
    s_unstage (self);
    zhashx_destroy (&self->staged_index);
    free (self->staged);
    tl_alert_list_free (&self->alerts);
    free (self->writes);
    for (size_t i = 0; i < self->chunk_capacity; i++)
        tl_deadlines_clear (&self->derived[i]);
    free (self->derived);
    free (self->children);
    free (self->stored_first);
    free (self->stored_count);
    free (self->stored_slots);
    free (self->feed_endpoint);
    free (self);
    *state_p = NULL;
}

static void *s_start (jy_service_t *service)
{
    jy_config_t *config = jy_service_config (service);
    s_server_t *self = calloc (1, sizeof *self);
    assert (self);
    self->service = service;
    self->today = jy_clock_today (jy_service_clock (service));
    self->evaluated_day = self->thresholds_day = JY_DATE_INVALID;
    self->retry_ms = S_RETRY_FIRST_MS;
    self->phase = S_LOADING;
    self->staged_index = zhashx_new ();
    assert (self->staged_index);
    for (int i = 0; i < 2; i++)
        self->position_list[i] = &self->positions[i];

    const char *la_code, *url, *feed, *events;
    if (jy_config_key_string (config, JY_KEY_LA_CODE, &la_code) ||
        jy_config_string (config, "timeliness/feed", "", &feed) ||
        jy_config_string (config, "timeliness/events", "", &events) ||
        jy_config_int (config, "timeliness/overdue_by", 5, 0, 250, &self->overdue_by) ||
        jy_config_string (config, "database/timeliness_url", "", &url))
        goto bad_config;
    self->la_code = *la_code ? la_code : NULL;
    if (!*feed) {
        jy_config_fail (config, "timeliness/feed", "no alert feed endpoint configured");
        goto bad_config;
    }
    //  Unset: where followers reach journey-ingestd's feed (ingest/feed_connect, or ingest/feed).
    if (!*events && jy_feed_connect_endpoint (config, "ingest/feed", &events) != 0)
        goto bad_config;
    if (!*events) {
        jy_config_fail (config, "timeliness/events",
                        "no event feed endpoint configured (ingest/feed of journey-ingestd)");
        goto bad_config;
    }
    if (!*url) {
        jy_config_fail (config, "database/timeliness_url", "no database URL configured");
        goto bad_config;
    }
    self->clocks = tl_clocks_new (config);
    if (!self->clocks)
        goto failed; //  it named the setting
    self->calendar = jy_calendar_new ();
    if (jy_calendar_apply_config (self->calendar, config) != 0)
        goto bad_config;
    //  KPIs are rated per authority: without la/code there is none to rate.
    if (self->la_code) {
        self->thresholds = tl_thresholds_new (config, self->la_code);
        if (!self->thresholds)
            goto failed; //  it named the setting
    } else
        jy_info ("no la/code configured: KPI thresholds are not evaluated");

    //  The feed socket first: a clash shows at once.
    self->feed_endpoint = strdup (feed);
    assert (self->feed_endpoint);
    self->pub = jy_feed_bind (config, "timeliness/feed", feed, S_PUB_SNDHWM);
    if (!self->pub)
        goto failed;

    //  A database that is there but not migrated stops the start; one that is away does not:
    //  the daemon answers Status (unhealthy) and keeps trying, as it does when it is lost later.
    self->db = jy_db_new (url);
    jy_db_set_application_name (self->db, "journey-timelinessd");
    if (jy_db_connect (self->db, 0) == 0) {
        if (s_check_schema (self) != 0)
            goto failed;
    } else if (jy_db_role_refused (self->db)) {
        //  No retry will help a role with too many privileges.
        jy_error ("%s", jy_db_error (self->db));
        goto failed;
    } else
        jy_warning ("%s: database/timeliness_url: cannot connect yet: %s",
                    jy_config_origin (config, "database/timeliness_url"), jy_db_error (self->db));
    self->book = tl_book_new (self->clocks, self->calendar, (int) self->overdue_by);
    self->store = tl_store_new ();
    self->records = tl_child_records_new ();
    self->events =
        jy_feed_sub_new (self->db, jy_feed_lookup ("events"), events, 0, s_on_event, self);
    if (!self->events)
        goto failed;
    jy_feed_sub_set_flush (self->events, s_flush);
    if (jy_service_watch (service, jy_feed_sub_socket (self->events)) != 0) {
        jy_error ("cannot watch the event feed");
        goto failed;
    }
    //  The webhooks follow this daemon's own feed, at the address a follower reaches.
    const char *follow = feed;
    zconfig_t *sinks = jy_config_section (config, "timeliness/webhooks");
    if (sinks && zconfig_child (sinks) &&
        jy_feed_connect_endpoint (config, "timeliness/feed", &follow) != 0)
        goto bad_config;
    self->webhooks = tl_webhooks_new (config, url, follow);
    if (!self->webhooks)
        goto bad_config;
    if (s_load (self) != 0)
        jy_warning ("starting without the deadlines; they load once the database answers");
    self->heartbeat_at = zclock_mono ();
    jy_info ("following events on %s; alert feed on %s; %zu webhooks", events, feed,
             tl_webhooks_count (self->webhooks));
    return self;

bad_config:
    jy_error ("%s", jy_config_error (config));
failed:
    s_stop ((void **) &self);
    return NULL;
}

static void s_request (void *state, zframe_t *routing_id, jy_envelope_t *request, int64_t now_ms)
{
    (void) now_ms;
    s_server_t *self = (s_server_t *) state;
    jy_envelope_t *reply = NULL;
    jy_db_ensure (self->db);
    if (request->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_DEADLINES_REQUEST) {
        reply = tl_queries_deadlines (self->db, self->clocks, self->la_code,
                                      request->deadlines_request);
        //  Another LA's child has no deadlines for a key that may not read it: as if unknown.
        Journey__V1__DeadlinesReply *deadlines = reply->deadlines_reply;
        if (deadlines->n_deadlines > 0 &&
            !jy_service_may_read (self->service, "alerts", deadlines->deadlines[0]->la_code)) {
            for (size_t i = 0; i < deadlines->n_deadlines; i++)
                journey__v1__deadline__free_unpacked (deadlines->deadlines[i], NULL);
            deadlines->n_deadlines = 0;
        }
    } else if (request->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_ALERTS_REQUEST) {
        //  Only the alerts of the LAs the key may read (none without read = alerts).
        const char *las = NULL;
        if (!jy_service_may_read (self->service, "alerts", NULL))
            las = "";
        else if (!jy_service_reads_all (self->service))
            las = jy_service_read_las (self->service);
        reply = tl_queries_alerts_of (self->db, request->alerts_request, las);
    } else {
        jy_service_reply_error (self->service, routing_id, "not_supported",
                                "journey-timelinessd takes DeadlinesRequest, AlertsRequest,"
                                " Status and ClockSet");
        return;
    }
    if (request->message_id) {
        reply->message_id = strdup (request->message_id);
        assert (reply->message_id);
    }
    jy_service_reply (self->service, routing_id, reply);
    jy_envelope_free (&reply);
}

static void s_status (void *state, Journey__V1__StatusReply *reply)
{
    s_server_t *self = (s_server_t *) state;
    Journey__V1__FeedPosition *events = &self->positions[0], *alerts = &self->positions[1];
    *events = (Journey__V1__FeedPosition) JOURNEY__V1__FEED_POSITION__INIT;
    events->feed = "events";
    events->role = "subscriber";
    events->has_position = events->has_head = events->has_lag = true;
    events->position = jy_feed_sub_position (self->events);
    events->head = jy_feed_sub_head (self->events);
    events->lag = events->head - events->position;
    *alerts = (Journey__V1__FeedPosition) JOURNEY__V1__FEED_POSITION__INIT;
    alerts->feed = "alerts";
    alerts->role = "publisher";
    alerts->has_position = alerts->has_head = true;
    alerts->position = alerts->head = self->publisher ? jy_feed_pub_last (self->publisher) : 0;
    reply->n_feeds = 2;
    reply->feeds = self->position_list;
    reply->has_database_ok = true;
    reply->database_ok = jy_db_ok (self->db);
    if (self->phase == S_LOADING) {
        reply->healthy = false;
        reply->message = self->health;
    } else if (!reply->database_ok) {
        reply->healthy = false;
        snprintf (self->health, sizeof self->health, "database unreachable: %s",
                  jy_db_error (self->db));
        reply->message = self->health;
    }
}

static void s_day_changed (void *state, jy_date_t today, int64_t now_ms)
{
    (void) now_ms;
    s_server_t *self = (s_server_t *) state;
    self->today = today;
    if (self->phase != S_LOADING)
        s_sweep (self);
}

static void s_readable (void *state, zsock_t *sock, int64_t now_ms)
{
    (void) now_ms;
    s_server_t *self = (s_server_t *) state;
    if (sock != jy_feed_sub_socket (self->events))
        return;
    if (self->phase != S_LIVE) {
        //  Not following yet: what arrives is in the table, which the catch-up reads.
        while (zsock_events (sock) & ZMQ_POLLIN) {
            zmsg_t *message = zmsg_recv (sock);
            zmsg_destroy (&message);
        }
        return;
    }
    if (jy_feed_sub_on_readable (self->events) != 0 && self->phase != S_LOADING)
        //  A catch-up could not read the table: start again from what committed.
        s_fail (self, "following the event feed");
}

static void s_tick (void *state, int64_t now_ms)
{
    (void) now_ms;
    s_server_t *self = (s_server_t *) state;
    int64_t mono = zclock_mono ();
    if (self->phase == S_LOADING && mono >= self->retry_at)
        s_load (self);
    if (self->phase != S_LOADING && self->evaluated_day != self->today)
        s_sweep (self);
    if (self->phase == S_CATCHING_UP) {
        bool done = false;
        int delivered = jy_feed_sub_catch_up_step (self->events, &done);
        if (delivered < 0) {
            if (self->phase != S_LOADING)
                s_fail (self, "catching up with the event feed");
        } else if (done) {
            self->phase = S_LIVE;
            jy_info ("caught up with the event feed at %" PRIu64 "; following it live",
                     jy_feed_sub_position (self->events));
        }
    }
    if (self->phase != S_LOADING && self->evaluated_day == self->today &&
        self->thresholds_day != self->today && mono >= self->thresholds_retry_at)
        s_thresholds (self);
    if (self->publisher && mono - self->heartbeat_at >= S_HEARTBEAT_MS) {
        jy_feed_pub_heartbeat (self->publisher);
        self->heartbeat_at = mono;
    }
}

static int64_t s_next_timeout_ms (void *state, int64_t now_ms)
{
    (void) now_ms;
    s_server_t *self = (s_server_t *) state;
    if (self->phase == S_CATCHING_UP)
        return 0;
    int64_t mono = zclock_mono ();
    int64_t due = self->heartbeat_at + S_HEARTBEAT_MS - mono;
    if (self->phase == S_LOADING && self->retry_at - mono < due)
        due = self->retry_at - mono;
    return due > 0 ? due : 0;
}

const jy_service_def_t *timeliness_server_def (void)
{
    static const jy_service_def_t def = {
        .name = "timeliness",
        .program = "journey-timelinessd",
        .start = s_start,
        .stop = s_stop,
        .request = s_request,
        .status = s_status,
        .day_changed = s_day_changed,
        .readable = s_readable,
        .tick = s_tick,
        .next_timeout_ms = s_next_timeout_ms,
    };
    return &def;
}
