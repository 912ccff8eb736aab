/*  store: the timeliness tables, read and written in bulk (store.h). */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define S_LOAD_CHUNK 100000 //  running deadlines per query while loading the book

//  --- Alert lists -------------------------------------------------------------------------------

static const char *const s_kind_names[] = {
    [JOURNEY__V1__ALERT__KIND__DUE_SOON] = "due_soon",
    [JOURNEY__V1__ALERT__KIND__DRIFTED] = "drifted",
    [JOURNEY__V1__ALERT__KIND__DUE_TODAY] = "due_today",
    [JOURNEY__V1__ALERT__KIND__OVERDUE] = "overdue",
    [JOURNEY__V1__ALERT__KIND__OVERDUE_BY] = "overdue_by",
    [JOURNEY__V1__ALERT__KIND__RAG_CHANGED] = "rag_changed",
    [JOURNEY__V1__ALERT__KIND__CASELOAD] = "caseload",
};

const char *tl_alert_kind_name (Journey__V1__Alert__Kind kind)
{
    if ((int) kind <= 0 || (size_t) kind >= sizeof s_kind_names / sizeof s_kind_names[0])
        return NULL;
    return s_kind_names[kind];
}

void tl_alert_list_add (tl_alert_list_t *list, const Journey__V1__Alert *alert)
{
    assert (list);
    assert (alert);
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 64;
        list->items = realloc (list->items, list->capacity * sizeof *list->items);
        assert (list->items);
    }
    //  A copy in protobuf-c's own layout, freed whole with free_unpacked.
    size_t size = journey__v1__alert__get_packed_size (alert);
    uint8_t stack[1024];
    uint8_t *packed = size <= sizeof stack ? stack : malloc (size);
    assert (packed);
    journey__v1__alert__pack (alert, packed);
    Journey__V1__Alert *copy = journey__v1__alert__unpack (NULL, size, packed);
    assert (copy);
    if (packed != stack)
        free (packed);
    list->items[list->count++] = copy;
}

void tl_alert_list_clear (tl_alert_list_t *list)
{
    assert (list);
    for (size_t i = 0; i < list->count; i++)
        journey__v1__alert__free_unpacked (list->items[i], NULL);
    list->count = 0;
    list->first_seq = 0;
}

void tl_alert_list_free (tl_alert_list_t *list)
{
    tl_alert_list_clear (list);
    free (list->items);
    memset (list, 0, sizeof *list);
}

//  --- The store ---------------------------------------------------------------------------------

//  Columns of a stored deadline, in the order s_row reads them.
#define S_ROW_COLUMNS                                                                              \
    "id, la_code, child_id, clock, anchor, started_on, due_on, state, met_on,"                     \
    " late_working_days, cancelled_on, cancel_reason, planned_on, team_id, worker_id,"             \
    " first_seen_on, backfill, alerts"

#define S_DEADLINE_ARRAYS 18

static const char *s_read_children_sql =
    "SELECT " S_ROW_COLUMNS " FROM timeliness.deadline"
    " JOIN unnest ($1::text[], $2::text[]) AS k (la_code, child_id) USING (la_code, child_id)";

static const char *s_load_sql =
    "SELECT id, la_code, child_id, clock, started_on, due_on, state, planned_on, team_id,"
    " worker_id, alerts FROM timeliness.deadline"
    " WHERE state IN ('open', 'missed') AND id > $1 ORDER BY id LIMIT $2";

static const char *s_write_deadlines_sql =
    "INSERT INTO timeliness.deadline (" S_ROW_COLUMNS ", updated_on)"
    " SELECT u.*, $19::date FROM unnest ($1::bigint[], $2::text[], $3::text[], $4::text[],"
    " $5::text[], $6::date[], $7::date[], $8::text[], $9::date[], $10::int[], $11::date[],"
    " $12::text[], $13::date[], $14::text[], $15::text[], $16::date[], $17::boolean[],"
    " $18::int[]) AS u"
    " ON CONFLICT (id) DO UPDATE SET started_on = EXCLUDED.started_on,"
    " due_on = EXCLUDED.due_on, state = EXCLUDED.state, met_on = EXCLUDED.met_on,"
    " late_working_days = EXCLUDED.late_working_days, cancelled_on = EXCLUDED.cancelled_on,"
    " cancel_reason = EXCLUDED.cancel_reason, planned_on = EXCLUDED.planned_on,"
    " team_id = EXCLUDED.team_id, worker_id = EXCLUDED.worker_id, alerts = EXCLUDED.alerts,"
    " updated_on = EXCLUDED.updated_on";

//  The alert columns of alert_feed, as arrays.
#define S_ALERT_ARRAYS 13

//  tl_store_write_live: the deadlines as s_write_deadlines_sql, the alerts, the event feed
//  position, and the alert feed head (timeliness.alert_head_move, migration 007), in one
//  statement: its data-modifying CTEs all run, and all or none of it commits.
static const char *s_write_live_sql =
    "WITH w AS (INSERT INTO timeliness.deadline (" S_ROW_COLUMNS ", updated_on)"
    " SELECT u.*, $19::date FROM unnest ($1::bigint[], $2::text[], $3::text[], $4::text[],"
    " $5::text[], $6::date[], $7::date[], $8::text[], $9::date[], $10::int[], $11::date[],"
    " $12::text[], $13::date[], $14::text[], $15::text[], $16::date[], $17::boolean[],"
    " $18::int[]) AS u"
    " ON CONFLICT (id) DO UPDATE SET started_on = EXCLUDED.started_on,"
    " due_on = EXCLUDED.due_on, state = EXCLUDED.state, met_on = EXCLUDED.met_on,"
    " late_working_days = EXCLUDED.late_working_days, cancelled_on = EXCLUDED.cancelled_on,"
    " cancel_reason = EXCLUDED.cancel_reason, planned_on = EXCLUDED.planned_on,"
    " team_id = EXCLUDED.team_id, worker_id = EXCLUDED.worker_id, alerts = EXCLUDED.alerts,"
    " updated_on = EXCLUDED.updated_on),"
    " a AS (INSERT INTO timeliness.alert_feed (seq, la_code, kind, raised_on, child_id, clock,"
    " deadline_id, due_on, team_id, worker_id, measure, scope, envelope)"
    " SELECT * FROM unnest ($20::bigint[], $21::text[], $22::text[], $23::date[], $24::text[],"
    " $25::text[], $26::bigint[], $27::date[], $28::text[], $29::text[], $30::text[],"
    " $31::text[], $32::bytea[])),"
    " p AS (INSERT INTO timeliness.feed_position (feed, position) VALUES ('events', $35)"
    " ON CONFLICT (feed) DO UPDATE SET position = EXCLUDED.position)"
    " SELECT timeliness.alert_head_move ($33, $34)";

static const char *s_state_changes_sql =
    "UPDATE timeliness.deadline d SET state = u.state, alerts = u.alerts, updated_on = $4"
    " FROM unnest ($1::bigint[], $2::text[], $3::int[]) AS u (id, state, alerts)"
    " WHERE d.id = u.id";

static const char *s_copy_alerts_sql =
    "COPY timeliness.alert_feed (seq, la_code, kind, raised_on, child_id, clock, deadline_id,"
    " due_on, team_id, worker_id, measure, scope, envelope) FROM STDIN";

struct _tl_store_t {
    PGresult *children;      //  the rows of the last tl_store_read_children
    tl_deadline_row_t *rows; //  pointing into it
    size_t rows_capacity;
    PGresult *state;       //  the last tl_store_state_get
    jy_sql_text_t keys[2]; //  la_code and child_id array literals
    jy_sql_text_t arrays[S_DEADLINE_ARRAYS];
    jy_sql_text_t alert_arrays[S_ALERT_ARRAYS];
    jy_sql_text_t hex;                                      //  an envelope as bytea hex input
    jy_sql_text_t change_ids, change_states, change_alerts; //  open array literals
    size_t change_count;
    jy_sql_text_t copy;
};

tl_store_t *tl_store_new (void)
{
    tl_store_t *self = calloc (1, sizeof *self);
    assert (self);
    tl_store_forget_state_changes (self);
    return self;
}

void tl_store_destroy (tl_store_t **self_p)
{
    assert (self_p);
    tl_store_t *self = *self_p;
    if (!self)
        return;
    PQclear (self->children);
    PQclear (self->state);
    free (self->rows);
    for (int i = 0; i < 2; i++)
        jy_sql_text_free (&self->keys[i]);
    for (int i = 0; i < S_DEADLINE_ARRAYS; i++)
        jy_sql_text_free (&self->arrays[i]);
    jy_sql_text_free (&self->change_ids);
    jy_sql_text_free (&self->change_states);
    jy_sql_text_free (&self->change_alerts);
    for (int i = 0; i < S_ALERT_ARRAYS; i++)
        jy_sql_text_free (&self->alert_arrays[i]);
    jy_sql_text_free (&self->hex);
    jy_sql_text_free (&self->copy);
    free (self);
    *self_p = NULL;
}

//  --- Reads
//  ---------------------------------------------------------------------------------------

int tl_store_load_book (tl_store_t *self, jy_db_t *db, tl_clocks_t *clocks, tl_book_t *book,
                        size_t *loaded)
{
    assert (self);
    assert (db);
    assert (book);
    tl_book_clear (book);
    *loaded = 0;
    int64_t after = 0;
    char chunk[16];
    snprintf (chunk, sizeof chunk, "%d", S_LOAD_CHUNK);
    size_t skipped = 0;
    int64_t query_us = 0;
    for (;;) {
        char after_text[24];
        snprintf (after_text, sizeof after_text, "%" PRId64, after);
        const char *params[2] = {after_text, chunk};
        int64_t asked = zclock_usecs ();
        PGresult *result = jy_db_query_prepared (db, "tl_load", s_load_sql, 2, params, true);
        if (!result)
            return -1;
        query_us += zclock_usecs () - asked;
        int rows = PQntuples (result);
        for (int row = 0; row < rows; row++) {
            tl_book_deadline_t deadline = {
                .id = jy_db_get_int8 (result, row, 0),
                .la_code = jy_db_get_text (result, row, 1),
                .child_id = jy_db_get_text (result, row, 2),
                .clock = tl_clocks_lookup (jy_db_get_text (result, row, 3)),
                .started_on = jy_db_get_date (result, row, 4),
                .due_on = jy_db_get_date (result, row, 5),
                .state = tl_state_lookup (jy_db_get_text (result, row, 6)),
                .planned_on = jy_db_get_date (result, row, 7),
                .team_id = jy_db_get_text (result, row, 8),
                .worker_id = jy_db_get_text (result, row, 9),
                .alerts = (uint32_t) jy_db_get_int4 (result, row, 10),
            };
            after = deadline.id;
            if (deadline.clock == TL_CLOCK_COUNT ||
                !tl_clocks_rule (clocks, deadline.clock)->enabled ||
                !tl_state_running (deadline.state) || deadline.due_on == JY_DATE_INVALID) {
                skipped++;
                continue;
            }
            tl_book_put (book, &deadline);
            (*loaded)++;
        }
        PQclear (result);
        if (rows < S_LOAD_CHUNK)
            break;
    }
    jy_debug ("loading the book: %" PRId64 " ms in the database", query_us / 1000);
    if (skipped)
        jy_info ("%zu running deadlines of clocks that are switched off or unknown raise nothing",
                 skipped);
    return 0;
}

int tl_store_next_id (jy_db_t *db, int64_t *next_id)
{
    PGresult *result = jy_db_query_binary (
        db, "SELECT coalesce (max (id), 0)::bigint + 1 FROM timeliness.deadline", 0, NULL);
    if (!result)
        return -1;
    *next_id = jy_db_get_int8 (result, 0, 0);
    PQclear (result);
    return 0;
}

static void s_keys (tl_store_t *self, const tl_child_key_t *keys, size_t count)
{
    jy_sql_text_array_open (&self->keys[0]);
    jy_sql_text_array_open (&self->keys[1]);
    for (size_t i = 0; i < count; i++) {
        jy_sql_text_array_text (&self->keys[0], keys[i].la_code);
        jy_sql_text_array_text (&self->keys[1], keys[i].child_id);
    }
    jy_sql_text_array_close (&self->keys[0]);
    jy_sql_text_array_close (&self->keys[1]);
}

static tl_deadline_row_t s_row (const PGresult *result, int row)
{
    const char *clock = jy_db_get_text (result, row, 3);
    return (tl_deadline_row_t){
        .id = jy_db_get_int8 (result, row, 0),
        .la_code = jy_db_get_text (result, row, 1),
        .child_id = jy_db_get_text (result, row, 2),
        .clock = tl_clocks_lookup (clock),
        .clock_name = clock,
        .anchor = jy_db_get_text (result, row, 4),
        .started_on = jy_db_get_date (result, row, 5),
        .due_on = jy_db_get_date (result, row, 6),
        .state = tl_state_lookup (jy_db_get_text (result, row, 7)),
        .met_on = jy_db_get_date (result, row, 8),
        .has_late = !PQgetisnull (result, row, 9),
        .late_working_days = jy_db_get_int4 (result, row, 9),
        .cancelled_on = jy_db_get_date (result, row, 10),
        .cancel_reason = jy_db_get_text (result, row, 11),
        .planned_on = jy_db_get_date (result, row, 12),
        .team_id = jy_db_get_text (result, row, 13),
        .worker_id = jy_db_get_text (result, row, 14),
        .first_seen_on = jy_db_get_date (result, row, 15),
        .backfill = jy_db_get_tristate (result, row, 16) == 1,
        .alerts = (uint32_t) jy_db_get_int4 (result, row, 17),
    };
}

int tl_store_read_children (tl_store_t *self, jy_db_t *db, const tl_child_key_t *keys, size_t count,
                            tl_deadline_row_t **rows, size_t *row_count)
{
    assert (self);
    assert (db);
    PQclear (self->children);
    self->children = NULL;
    *rows = NULL;
    *row_count = 0;
    if (count == 0)
        return 0;
    s_keys (self, keys, count);
    const char *params[2] = {self->keys[0].data, self->keys[1].data};
    self->children =
        jy_db_query_prepared (db, "tl_read_children", s_read_children_sql, 2, params, true);
    if (!self->children)
        return -1;
    size_t n = (size_t) PQntuples (self->children);
    if (n > self->rows_capacity) {
        free (self->rows);
        self->rows = malloc (n * sizeof *self->rows);
        assert (self->rows);
        self->rows_capacity = n;
    }
    for (size_t i = 0; i < n; i++)
        self->rows[i] = s_row (self->children, (int) i);
    *rows = self->rows;
    *row_count = n;
    return 0;
}

//  --- Writes
//  --------------------------------------------------------------------------------------

//  The deadline rows as the 18 array parameters of s_write_deadlines_sql, then today.
static void s_deadline_params (tl_store_t *self, const tl_deadline_row_t *rows, size_t count,
                               const char *today, const char **params)
{
    jy_sql_text_t *a = self->arrays;
    for (int i = 0; i < S_DEADLINE_ARRAYS; i++)
        jy_sql_text_array_open (&a[i]);
    for (size_t i = 0; i < count; i++) {
        const tl_deadline_row_t *row = &rows[i];
        jy_sql_text_array_int (&a[0], row->id);
        jy_sql_text_array_text (&a[1], row->la_code);
        jy_sql_text_array_text (&a[2], row->child_id);
        jy_sql_text_array_text (&a[3], row->clock_name);
        jy_sql_text_array_text (&a[4], row->anchor);
        jy_sql_text_array_date (&a[5], row->started_on);
        jy_sql_text_array_date (&a[6], row->due_on);
        jy_sql_text_array_text (&a[7], tl_state_name (row->state));
        jy_sql_text_array_date (&a[8], row->met_on);
        jy_sql_text_array_int_or_null (&a[9], row->has_late, row->late_working_days);
        jy_sql_text_array_date (&a[10], row->cancelled_on);
        jy_sql_text_array_text (&a[11], row->cancel_reason);
        jy_sql_text_array_date (&a[12], row->planned_on);
        jy_sql_text_array_text (&a[13], row->team_id);
        jy_sql_text_array_text (&a[14], row->worker_id);
        jy_sql_text_array_date (&a[15], row->first_seen_on);
        jy_sql_text_array_bool (&a[16], row->backfill);
        jy_sql_text_array_int (&a[17], row->alerts);
    }
    for (int i = 0; i < S_DEADLINE_ARRAYS; i++) {
        jy_sql_text_array_close (&a[i]);
        params[i] = a[i].data;
    }
    params[S_DEADLINE_ARRAYS] = today;
}

int tl_store_write_deadlines (tl_store_t *self, jy_db_t *db, const tl_deadline_row_t *rows,
                              size_t count, jy_date_t today)
{
    assert (self);
    assert (db);
    if (count == 0)
        return 0;
    const char *params[S_DEADLINE_ARRAYS + 1];
    char today_text[JY_DATE_TEXT_SIZE];
    s_deadline_params (self, rows, count, jy_date_format (today, today_text), params);
    return jy_db_exec_prepared (db, "tl_write_deadlines", s_write_deadlines_sql,
                                S_DEADLINE_ARRAYS + 1, params);
}

void tl_store_state_change (tl_store_t *self, int64_t id, tl_state_t state, uint32_t alerts)
{
    assert (self);
    jy_sql_text_array_int (&self->change_ids, id);
    jy_sql_text_array_text (&self->change_states, tl_state_name (state));
    jy_sql_text_array_int (&self->change_alerts, alerts);
    self->change_count++;
}

void tl_store_forget_state_changes (tl_store_t *self)
{
    assert (self);
    jy_sql_text_array_open (&self->change_ids);
    jy_sql_text_array_open (&self->change_states);
    jy_sql_text_array_open (&self->change_alerts);
    self->change_count = 0;
}

int tl_store_write_state_changes (tl_store_t *self, jy_db_t *db, jy_date_t today)
{
    assert (self);
    int rc = 0;
    if (self->change_count) {
        jy_sql_text_array_close (&self->change_ids);
        jy_sql_text_array_close (&self->change_states);
        jy_sql_text_array_close (&self->change_alerts);
        char today_text[JY_DATE_TEXT_SIZE];
        const char *params[4] = {self->change_ids.data, self->change_states.data,
                                 self->change_alerts.data, jy_date_format (today, today_text)};
        rc = jy_db_exec_prepared (db, "tl_state_changes", s_state_changes_sql, 4, params);
    }
    tl_store_forget_state_changes (self);
    return rc;
}

void tl_store_alert_envelope (jy_envelope_t *envelope, Journey__V1__Alert *alert, uint64_t seq)
{
    jy_envelope_init (envelope);
    envelope->has_feed_seq = true;
    envelope->feed_seq = seq;
    envelope->payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT;
    envelope->alert = alert;
}

//  The list's alert i numbered on the feed from first (its alert_id, and list->first_seq) and
//  packed in its envelope: into stack when it fits, else into memory the caller frees.
static uint8_t *s_number_alert (tl_alert_list_t *list, size_t i, uint64_t first, uint8_t *stack,
                                size_t stack_size, size_t *size)
{
    list->first_seq = first;
    Journey__V1__Alert *alert = list->items[i];
    alert->has_alert_id = true;
    alert->alert_id = first + i;
    jy_envelope_t envelope;
    tl_store_alert_envelope (&envelope, alert, first + i);
    *size = journey__v1__envelope__get_packed_size (&envelope);
    uint8_t *packed = *size <= stack_size ? stack : malloc (*size);
    assert (packed);
    journey__v1__envelope__pack (&envelope, packed);
    return packed;
}

int tl_store_write_alerts (tl_store_t *self, jy_db_t *db, tl_alert_list_t *list)
{
    assert (self);
    assert (list);
    if (list->count == 0)
        return 0;
    uint64_t first;
    if (jy_feed_reserve (db, jy_feed_lookup ("alerts"), (uint32_t) list->count, &first) != 0)
        return -1;
    jy_sql_text_t *copy = &self->copy;
    jy_sql_text_reset (copy);
    uint8_t stack[2048];
    for (size_t i = 0; i < list->count; i++) {
        Journey__V1__Alert *alert = list->items[i];
        uint64_t seq = first + i;
        size_t size;
        uint8_t *packed = s_number_alert (list, i, first, stack, sizeof stack, &size);
        jy_sql_text_copy_int (copy, (int64_t) seq, false);
        jy_sql_text_copy_text (copy, alert->la_code ? alert->la_code : "", false);
        jy_sql_text_copy_text (copy, tl_alert_kind_name (alert->kind), false);
        jy_sql_text_copy_text (copy, alert->raised_on, false);
        jy_sql_text_copy_text (copy, alert->child_id, false);
        jy_sql_text_copy_text (copy, alert->clock, false);
        if (alert->has_deadline_id)
            jy_sql_text_copy_int (copy, (int64_t) alert->deadline_id, false);
        else
            jy_sql_text_copy_text (copy, NULL, false);
        jy_sql_text_copy_text (copy, alert->due_on, false);
        jy_sql_text_copy_text (copy, alert->team_id, false);
        jy_sql_text_copy_text (copy, alert->worker_id, false);
        jy_sql_text_copy_text (copy, alert->measure, false);
        jy_sql_text_copy_text (copy, alert->scope, false);
        jy_sql_text_copy_bytes (copy, packed, size, true);
        if (packed != stack)
            free (packed);
    }
    return jy_db_copy_in (db, s_copy_alerts_sql, copy->data, copy->size);
}

int tl_store_write_live (tl_store_t *self, jy_db_t *db, const tl_deadline_row_t *rows, size_t count,
                         jy_date_t today, tl_alert_list_t *alerts, uint64_t alert_head,
                         uint64_t events_position)
{
    assert (self);
    assert (db);
    assert (alerts);
    const char *params[35];
    char today_text[JY_DATE_TEXT_SIZE];
    s_deadline_params (self, rows, count, jy_date_format (today, today_text), params);
    jy_sql_text_t *a = self->alert_arrays;
    for (int i = 0; i < S_ALERT_ARRAYS; i++)
        jy_sql_text_array_open (&a[i]);
    uint8_t stack[2048];
    for (size_t i = 0; i < alerts->count; i++) {
        Journey__V1__Alert *alert = alerts->items[i];
        size_t size;
        uint8_t *packed = s_number_alert (alerts, i, alert_head + 1, stack, sizeof stack, &size);
        jy_sql_text_array_int (&a[0], (int64_t) (alert_head + 1 + i));
        jy_sql_text_array_text (&a[1], alert->la_code ? alert->la_code : "");
        jy_sql_text_array_text (&a[2], tl_alert_kind_name (alert->kind));
        jy_sql_text_array_text (&a[3], alert->raised_on);
        jy_sql_text_array_text (&a[4], alert->child_id);
        jy_sql_text_array_text (&a[5], alert->clock);
        if (alert->has_deadline_id)
            jy_sql_text_array_int (&a[6], (int64_t) alert->deadline_id);
        else
            jy_sql_text_array_text (&a[6], NULL);
        jy_sql_text_array_text (&a[7], alert->due_on);
        jy_sql_text_array_text (&a[8], alert->team_id);
        jy_sql_text_array_text (&a[9], alert->worker_id);
        jy_sql_text_array_text (&a[10], alert->measure);
        jy_sql_text_array_text (&a[11], alert->scope);
        //  bytea hex input, quoted in the array literal like any text.
        jy_sql_text_reset (&self->hex);
        jy_sql_text_str (&self->hex, "\\x");
        static const char digits[] = "0123456789abcdef";
        for (size_t b = 0; b < size; b++) {
            char pair[2] = {digits[packed[b] >> 4], digits[packed[b] & 15]};
            jy_sql_text_put (&self->hex, pair, 2);
        }
        jy_sql_text_array_text (&a[12], self->hex.data);
        if (packed != stack)
            free (packed);
    }
    for (int i = 0; i < S_ALERT_ARRAYS; i++) {
        jy_sql_text_array_close (&a[i]);
        params[S_DEADLINE_ARRAYS + 1 + i] = a[i].data;
    }
    char head_from[24], head_to[24], position[24];
    snprintf (head_from, sizeof head_from, "%" PRIu64, alert_head);
    snprintf (head_to, sizeof head_to, "%" PRIu64, alert_head + alerts->count);
    snprintf (position, sizeof position, "%" PRIu64, events_position);
    params[32] = head_from;
    params[33] = head_to;
    params[34] = position;
    return jy_db_exec_prepared (db, "tl_write_live", s_write_live_sql, 35, params);
}

//  --- Small facts --------------------------------------------------------------------------------

int tl_store_state_get (tl_store_t *self, jy_db_t *db, const char *key, const char **value)
{
    assert (self);
    PQclear (self->state);
    *value = NULL;
    const char *params[1] = {key};
    self->state = jy_db_query (db, "SELECT value FROM timeliness.state WHERE key = $1", 1, params);
    if (!self->state)
        return -1;
    if (PQntuples (self->state) == 1)
        *value = PQgetvalue (self->state, 0, 0);
    return 0;
}

int tl_store_state_set (jy_db_t *db, const char *key, const char *value)
{
    const char *params[2] = {key, value};
    return jy_db_exec (db,
                       "INSERT INTO timeliness.state (key, value) VALUES ($1, $2)"
                       " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                       2, params);
}
