/*  dispute_store: disputes, steps and notices in PostgreSQL (dispute_store.h). */
#include <assert.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispute_store.h"

//  escalation.dispute's columns in the order s_row_params and s_read_row use.
#define S_COLUMNS                                                                                  \
    "la_code, child_id, category, stage, state, answered, raised_by, raised_role, raised_on,"      \
    " stage_entered_on, due_on, overall_due_on, safety, cafcass_referred_on, agreed_action,"       \
    " agreed_by_date, closed_on, warned_stage, top_overdue_noticed, overall_overdue_noticed,"      \
    " policy, deadline_id, alert_seq, step_count, last_hash"
#define S_COLUMN_COUNT 25
//  The same, read back: dates as text (ISO), with the id first.
#define S_SELECT                                                                                   \
    "SELECT id, la_code, child_id, category, stage, state, answered, raised_by, raised_role,"      \
    " raised_on::text, stage_entered_on::text, due_on::text, overall_due_on::text, safety,"        \
    " cafcass_referred_on::text, agreed_action, agreed_by_date::text, closed_on::text,"            \
    " warned_stage, top_overdue_noticed, overall_overdue_noticed, policy, deadline_id,"            \
    " alert_seq, step_count, last_hash FROM escalation.dispute"
//  A step's columns, `at` as the exact text its hash covers.
#define S_STEP_SELECT                                                                              \
    "SELECT dispute_id, n, la_code, verb, by_user, role,"                                          \
    " to_char (at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), stage_from,"           \
    " stage_to, text, detail, prev_hash, hash FROM escalation.dispute_step"

struct _dispute_store_t {
    jy_db_t *db; //  not ours
    const ladder_t *ladder;
    const jy_feed_def_t *feed;
    zlist_t *outbox; //  zframe_t *, packed envelopes
};

dispute_store_t *dispute_store_new (jy_db_t *db, const ladder_t *ladder)
{
    assert (db && ladder);
    dispute_store_t *self = calloc (1, sizeof *self);
    assert (self);
    self->db = db;
    self->ladder = ladder;
    self->feed = jy_feed_lookup ("disputes");
    assert (self->feed);
    self->outbox = zlist_new ();
    assert (self->outbox);
    return self;
}

void dispute_store_destroy (dispute_store_t **self_p)
{
    assert (self_p);
    dispute_store_t *self = *self_p;
    if (!self)
        return;
    dispute_store_outbox_clear (self);
    zlist_destroy (&self->outbox);
    free (self);
    *self_p = NULL;
}

int dispute_store_check_schema (dispute_store_t *self, char *error, size_t error_size)
{
    assert (self);
    PGresult *result = jy_db_query (
        self->db,
        "SELECT string_agg (n, ', ' ORDER BY n) FROM unnest (ARRAY['escalation.dispute',"
        " 'escalation.dispute_step', 'escalation.dispute_feed', 'escalation.feed_head',"
        " 'escalation.feed_position', 'projection.care_period']) AS t(n) WHERE to_regclass (n) IS "
        "NULL",
        0, NULL);
    if (!result) {
        snprintf (error, error_size, "database: %s", jy_db_error (self->db));
        return -1;
    }
    int rc = 0;
    if (!PQgetisnull (result, 0, 0)) {
        snprintf (error, error_size, "the database is not migrated (no %s): run `journey migrate`",
                  PQgetvalue (result, 0, 0));
        rc = -1;
    }
    PQclear (result);
    return rc;
}

//  --- Reading rows ------------------------------------------------------------------------------

static const char *s_text (const PGresult *result, int row, int column)
{
    return PQgetisnull (result, row, column) ? NULL : PQgetvalue (result, row, column);
}

static jy_date_t s_date (const PGresult *result, int row, int column)
{
    jy_date_t date;
    const char *text = s_text (result, row, column);
    return text && jy_date_parse (text, &date) == 0 ? date : JY_DATE_INVALID;
}

static bool s_bool (const PGresult *result, int row, int column)
{
    const char *text = s_text (result, row, column);
    return text && text[0] == 't';
}

static uint64_t s_u64 (const PGresult *result, int row, int column)
{
    const char *text = s_text (result, row, column);
    return text ? strtoull (text, NULL, 10) : 0;
}

static void s_copy (char *into, size_t size, const PGresult *result, int row, int column)
{
    const char *text = s_text (result, row, column);
    snprintf (into, size, "%s", text ? text : "");
}

//  One row of S_SELECT into a dispute.
static void s_read_row (const PGresult *result, int row, dispute_t *dispute)
{
    dispute_clear (dispute);
    int c = 0;
    dispute->id = s_u64 (result, row, c++);
    s_copy (dispute->la_code, sizeof dispute->la_code, result, row, c++);
    s_copy (dispute->child_id, sizeof dispute->child_id, result, row, c++);
    s_copy (dispute->category, sizeof dispute->category, result, row, c++);
    dispute->stage = atoi (PQgetvalue (result, row, c++));
    dispute_state_t state = DISPUTE_OPEN;
    dispute_state_parse (s_text (result, row, c++), &state); //  the table's CHECK allows no other
    dispute->state = state;
    dispute->answered = s_bool (result, row, c++);
    s_copy (dispute->raised_by, sizeof dispute->raised_by, result, row, c++);
    s_copy (dispute->raised_role, sizeof dispute->raised_role, result, row, c++);
    dispute->raised_on = s_date (result, row, c++);
    dispute->stage_entered_on = s_date (result, row, c++);
    dispute->due_on = s_date (result, row, c++);
    dispute->overall_due_on = s_date (result, row, c++);
    dispute->safety = s_bool (result, row, c++);
    dispute->cafcass_referred_on = s_date (result, row, c++);
    const char *action = s_text (result, row, c++);
    if (action) {
        dispute->agreed_action = strdup (action);
        assert (dispute->agreed_action);
    }
    dispute->agreed_by_date = s_date (result, row, c++);
    dispute->closed_on = s_date (result, row, c++);
    dispute->warned_stage = atoi (PQgetvalue (result, row, c++));
    dispute->top_overdue_noticed = s_bool (result, row, c++);
    dispute->overall_overdue_noticed = s_bool (result, row, c++);
    s_copy (dispute->policy, sizeof dispute->policy, result, row, c++);
    dispute->deadline_id = s_u64 (result, row, c++);
    dispute->alert_seq = s_u64 (result, row, c++);
    dispute->step_count = (uint32_t) s_u64 (result, row, c++);
    s_copy (dispute->last_hash, sizeof dispute->last_hash, result, row, c++);
}

int dispute_store_load (dispute_store_t *self, uint64_t id, bool for_update, dispute_t *dispute)
{
    assert (self && dispute);
    char id_text[24];
    snprintf (id_text, sizeof id_text, "%" PRIu64, id);
    const char *params[1] = {id_text};
    PGresult *result = jy_db_query (
        self->db, for_update ? S_SELECT " WHERE id = $1 FOR UPDATE" : S_SELECT " WHERE id = $1", 1,
        params);
    if (!result)
        return -1;
    int found = PQntuples (result) == 1;
    if (found)
        s_read_row (result, 0, dispute);
    PQclear (result);
    return found;
}

//  --- Writing -----------------------------------------------------------------------------------

//  Statement parameters as text, with room for the numbers and dates they print.
typedef struct {
    char text[S_COLUMN_COUNT + 2][32];
    const char *values[S_COLUMN_COUNT + 2];
    int count;
} s_params_t;

static void s_put (s_params_t *params, const char *value)
{
    assert (params->count < S_COLUMN_COUNT + 2);
    params->values[params->count++] = value;
}

static void s_put_bool (s_params_t *params, bool value)
{
    s_put (params, value ? "true" : "false");
}

static void s_put_date (s_params_t *params, jy_date_t date)
{
    s_put (params,
           date == JY_DATE_INVALID ? NULL : jy_date_format (date, params->text[params->count]));
}

//  0 is NULL when null_zero (the optional ids).
static void s_put_u64 (s_params_t *params, uint64_t value, bool null_zero)
{
    char *text = params->text[params->count];
    snprintf (text, sizeof params->text[0], "%" PRIu64, value);
    s_put (params, null_zero && value == 0 ? NULL : text);
}

//  The dispute's columns (S_COLUMNS order), then updated_at, then its id.
static void s_row_params (s_params_t *params, const dispute_t *dispute, const char *now)
{
    params->count = 0;
    s_put (params, dispute->la_code);
    s_put (params, dispute->child_id);
    s_put (params, dispute->category);
    s_put_u64 (params, (uint64_t) dispute->stage, false);
    s_put (params, dispute_state_name (dispute->state));
    s_put_bool (params, dispute->answered);
    s_put (params, dispute->raised_by);
    s_put (params, dispute->raised_role);
    s_put_date (params, dispute->raised_on);
    s_put_date (params, dispute->stage_entered_on);
    s_put_date (params, dispute->due_on);
    s_put_date (params, dispute->overall_due_on);
    s_put_bool (params, dispute->safety);
    s_put_date (params, dispute->cafcass_referred_on);
    s_put (params, dispute->agreed_action);
    s_put_date (params, dispute->agreed_by_date);
    s_put_date (params, dispute->closed_on);
    s_put_u64 (params, (uint64_t) dispute->warned_stage, false);
    s_put_bool (params, dispute->top_overdue_noticed);
    s_put_bool (params, dispute->overall_overdue_noticed);
    s_put (params, *dispute->policy ? dispute->policy : NULL);
    s_put_u64 (params, dispute->deadline_id, true);
    s_put_u64 (params, dispute->alert_seq, true);
    s_put_u64 (params, dispute->step_count, false);
    s_put (params, dispute->last_hash);
    assert (params->count == S_COLUMN_COUNT);
    s_put (params, now);
    s_put_u64 (params, dispute->id, false);
}

static int s_insert_dispute (dispute_store_t *self, dispute_t *dispute, const char *now)
{
    s_params_t params;
    s_row_params (&params, dispute, now);
    PGresult *result = jy_db_query (
        self->db,
        "INSERT INTO escalation.dispute (" S_COLUMNS ", updated_at) VALUES ($1, $2, $3, $4, $5,"
        " $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,"
        " $24, $25, $26) RETURNING id",
        S_COLUMN_COUNT + 1, params.values);
    if (!result)
        return -1;
    dispute->id = s_u64 (result, 0, 0);
    PQclear (result);
    return 0;
}

static int s_update_dispute (dispute_store_t *self, const dispute_t *dispute, const char *now)
{
    s_params_t params;
    s_row_params (&params, dispute, now);
    return jy_db_exec (
        self->db,
        "UPDATE escalation.dispute SET (" S_COLUMNS ", updated_at) = ($1, $2, $3, $4, $5, $6, $7,"
        " $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,"
        " $26) WHERE id = $27",
        S_COLUMN_COUNT + 2, params.values);
}

//  Chain the step onto the dispute and store it.
static int s_insert_step (dispute_store_t *self, dispute_t *dispute, dispute_step_t *step,
                          const char *at)
{
    step->n = dispute->step_count + 1;
    snprintf (step->at, sizeof step->at, "%s", at);
    snprintf (step->prev_hash, sizeof step->prev_hash, "%s", dispute->last_hash);
    chain_step_t fields = {
        .la_code = dispute->la_code,
        .dispute_id = dispute->id,
        .n = step->n,
        .verb = step->verb,
        .by_user = step->by_user,
        .role = step->role,
        .at = step->at,
        .stage_from = step->stage_from,
        .stage_to = step->stage_to,
        .text = step->text,
        .detail = step->detail,
        .prev_hash = step->prev_hash,
    };
    chain_hash (&fields, step->hash);
    char id[24], n[16], from[16], to[16];
    snprintf (id, sizeof id, "%" PRIu64, dispute->id);
    snprintf (n, sizeof n, "%" PRIu32, step->n);
    snprintf (from, sizeof from, "%d", step->stage_from);
    snprintf (to, sizeof to, "%d", step->stage_to);
    const char *params[13] = {
        dispute->la_code, id,   n,  step->verb, step->by_user, step->role,
        step->at,         from, to, step->text, step->detail,  step->prev_hash,
        step->hash};
    if (jy_db_exec (self->db,
                    "INSERT INTO escalation.dispute_step (la_code, dispute_id, n, verb, by_user,"
                    " role, at, stage_from, stage_to, text, detail, prev_hash, hash) VALUES ($1,"
                    " $2, $3, $4, $5, $6, $7::timestamptz, $8, $9, $10, $11, $12, $13)",
                    13, params) != 0)
        return -1;
    dispute->step_count = step->n;
    snprintf (dispute->last_hash, sizeof dispute->last_hash, "%s", step->hash);
    return 0;
}

//  Store one notice with its feed number and keep its envelope for publishing.
static int s_insert_notice (dispute_store_t *self, const dispute_t *dispute,
                            const dispute_change_t *change, const dispute_notice_t *notice,
                            uint64_t seq)
{
    char due[JY_DATE_TEXT_SIZE], on[JY_DATE_TEXT_SIZE];
    Journey__V1__DisputeNotice body = JOURNEY__V1__DISPUTE_NOTICE__INIT;
    body.has_dispute_id = true;
    body.dispute_id = dispute->id;
    body.la_code = (char *) dispute->la_code;
    body.child_id = (char *) dispute->child_id;
    body.what = (char *) notice->what;
    body.has_stage = true;
    body.stage = (uint32_t) notice->stage;
    body.must_act_role = (char *) notice->must_act_role;
    body.due_on = notice->due_on == JY_DATE_INVALID ? NULL : jy_date_format (notice->due_on, due);
    body.by_user = (char *) notice->by_user;
    body.on = jy_date_format (notice->on, on);
    if (notice->step >= 0) {
        const dispute_step_t *step = &change->steps[notice->step];
        body.has_step_n = true;
        body.step_n = step->n;
        body.step_hash = (char *) step->hash;
    }
    body.has_safety = true;
    body.safety = dispute->safety;
    jy_envelope_t envelope;
    jy_envelope_init (&envelope);
    envelope.has_feed_seq = true;
    envelope.feed_seq = seq;
    envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_NOTICE;
    envelope.dispute_notice = &body;
    zframe_t *frame = jy_wire_pack (&envelope);
    size_t size = zframe_size (frame);
    char *hex = malloc (2 * size + 3);
    assert (hex);
    memcpy (hex, "\\x", 2);
    sodium_bin2hex (hex + 2, 2 * size + 1, zframe_data (frame), size);
    char seq_text[24], id[24];
    snprintf (seq_text, sizeof seq_text, "%" PRIu64, seq);
    snprintf (id, sizeof id, "%" PRIu64, dispute->id);
    const char *params[5] = {seq_text, dispute->la_code, id, notice->what, hex};
    int rc = jy_db_exec (self->db,
                         "INSERT INTO escalation.dispute_feed (seq, la_code, dispute_id, what,"
                         " envelope) VALUES ($1, $2, $3, $4, $5::bytea)",
                         5, params);
    free (hex);
    if (rc == 0)
        zlist_append (self->outbox, frame);
    else
        zframe_destroy (&frame);
    return rc;
}

int dispute_store_save (dispute_store_t *self, dispute_t *dispute, dispute_change_t *change,
                        int64_t now_ms)
{
    assert (self && dispute && change);
    char now[32];
    jy_clock_format_ms (now_ms, now, sizeof now);
    if (dispute->id == 0 && s_insert_dispute (self, dispute, now) != 0)
        return -1;
    for (size_t i = 0; i < change->step_count; i++)
        if (s_insert_step (self, dispute, &change->steps[i], now) != 0)
            return -1;
    if (change->notice_count > 0) {
        uint64_t first;
        if (jy_feed_reserve (self->db, self->feed, (uint32_t) change->notice_count, &first) != 0)
            return -1;
        for (size_t i = 0; i < change->notice_count; i++)
            if (s_insert_notice (self, dispute, change, &change->notices[i], first + i) != 0)
                return -1;
    }
    return s_update_dispute (self, dispute, now);
}

//  --- Questions ---------------------------------------------------------------------------------

static int s_exists (dispute_store_t *self, const char *sql, int count, const char *const *params)
{
    PGresult *result = jy_db_query (self->db, sql, count, params);
    if (!result)
        return -1;
    int found = PQntuples (result) > 0 && s_bool (result, 0, 0);
    PQclear (result);
    return found;
}

static const char *s_looked_after_sql =
    "SELECT EXISTS (SELECT 1 FROM projection.care_period WHERE la_code = $1 AND child_id = $2"
    " AND started_on <= $3::date AND (ended_on IS NULL OR ended_on > $3::date))";

const char *dispute_store_looked_after_sql (void)
{
    return s_looked_after_sql;
}

int dispute_store_looked_after (dispute_store_t *self, const char *la_code, const char *child_id,
                                jy_date_t today)
{
    assert (self && la_code && child_id);
    char day[JY_DATE_TEXT_SIZE];
    const char *params[3] = {la_code, child_id, jy_date_format (today, day)};
    return s_exists (self, s_looked_after_sql, 3, params);
}

int dispute_store_automatic_open (dispute_store_t *self, const char *la_code, const char *child_id,
                                  uint64_t deadline_id)
{
    assert (self && la_code && child_id);
    char deadline[24];
    snprintf (deadline, sizeof deadline, "%" PRIu64, deadline_id);
    const char *params[3] = {la_code, child_id, deadline};
    return s_exists (self,
                     "SELECT EXISTS (SELECT 1 FROM escalation.dispute WHERE la_code = $1 AND"
                     " child_id = $2 AND deadline_id = $3 AND state = 'open')",
                     3, params);
}

int dispute_store_load_due (dispute_store_t *self, jy_date_t today, jy_date_t horizon,
                            uint64_t after, size_t limit, dispute_t **disputes, size_t *count)
{
    assert (self && disputes && count);
    char day[JY_DATE_TEXT_SIZE], last[JY_DATE_TEXT_SIZE], after_text[24], limit_text[24];
    snprintf (after_text, sizeof after_text, "%" PRIu64, after);
    snprintf (limit_text, sizeof limit_text, "%zu", limit);
    const char *params[4] = {jy_date_format (today, day), jy_date_format (horizon, last),
                             after_text, limit_text};
    PGresult *result =
        jy_db_query (self->db,
                     S_SELECT " WHERE state = 'open' AND ((NOT answered AND due_on <= $2::date)"
                              " OR (NOT overall_overdue_noticed AND overall_due_on < $1::date))"
                              " AND id > $3 ORDER BY id LIMIT $4 FOR UPDATE",
                     4, params);
    if (!result)
        return -1;
    int rows = PQntuples (result);
    *disputes = malloc ((size_t) (rows ? rows : 1) * sizeof (dispute_t));
    assert (*disputes);
    for (int row = 0; row < rows; row++) {
        dispute_init (&(*disputes)[row]);
        s_read_row (result, row, &(*disputes)[row]);
    }
    *count = (size_t) rows;
    PQclear (result);
    return 0;
}

//  --- Replies -----------------------------------------------------------------------------------

static char *s_dup (const PGresult *result, int row, int column)
{
    char *copy = strdup (PQgetisnull (result, row, column) ? "" : PQgetvalue (result, row, column));
    assert (copy);
    return copy;
}

//  One row of S_STEP_SELECT as a message.
static Journey__V1__DisputeStep *s_step_message (const PGresult *result, int row)
{
    Journey__V1__DisputeStep *step = malloc (sizeof *step);
    assert (step);
    journey__v1__dispute_step__init (step);
    step->has_n = true;
    step->n = (uint32_t) s_u64 (result, row, 1);
    step->verb = s_dup (result, row, 3);
    step->by_user = s_dup (result, row, 4);
    step->role = s_dup (result, row, 5);
    step->at = s_dup (result, row, 6);
    step->has_stage_from = true;
    step->stage_from = (uint32_t) s_u64 (result, row, 7);
    step->has_stage_to = true;
    step->stage_to = (uint32_t) s_u64 (result, row, 8);
    step->text = s_dup (result, row, 9);
    step->detail = s_dup (result, row, 10);
    step->prev_hash = s_dup (result, row, 11);
    step->hash = s_dup (result, row, 12);
    return step;
}

static void s_append_step (Journey__V1__Dispute *message, Journey__V1__DisputeStep *step)
{
    message->steps = realloc (message->steps, (message->n_steps + 1) * sizeof *message->steps);
    assert (message->steps);
    message->steps[message->n_steps++] = step;
}

int dispute_store_steps (dispute_store_t *self, Journey__V1__Dispute *message)
{
    assert (self && message);
    char id[24];
    snprintf (id, sizeof id, "%" PRIu64, message->id);
    const char *params[1] = {id};
    PGresult *result =
        jy_db_query (self->db, S_STEP_SELECT " WHERE dispute_id = $1 ORDER BY n", 1, params);
    if (!result)
        return -1;
    for (int row = 0; row < PQntuples (result); row++)
        s_append_step (message, s_step_message (result, row));
    PQclear (result);
    return 0;
}

int dispute_store_list (dispute_store_t *self, const char *la_code, const char *child_id,
                        const char *state_filter, jy_date_t today, size_t limit,
                        Journey__V1__Dispute ***messages, size_t *count)
{
    assert (self && messages && count);
    *messages = NULL;
    *count = 0;
    const char *states = NULL; //  NULL: every state
    if (state_filter && strcmp (state_filter, "closed") == 0)
        states = "{resolved,withdrawn}";
    else if (state_filter && strcmp (state_filter, "open") == 0)
        states = "{open}";
    else if (state_filter && strcmp (state_filter, "resolved") == 0)
        states = "{resolved}";
    else if (state_filter && strcmp (state_filter, "withdrawn") == 0)
        states = "{withdrawn}";
    char limit_text[24];
    snprintf (limit_text, sizeof limit_text, "%zu", limit);
    const char *params[4] = {la_code, child_id, states, limit_text};
    PGresult *result = jy_db_query (self->db,
                                    S_SELECT " WHERE ($1::text IS NULL OR la_code = $1) AND"
                                             " ($2::text IS NULL OR child_id = $2) AND"
                                             " ($3::text[] IS NULL OR state = ANY ($3::text[]))"
                                             " ORDER BY id LIMIT $4",
                                    4, params);
    if (!result)
        return -1;
    int rows = PQntuples (result);
    Journey__V1__Dispute **list = calloc ((size_t) (rows ? rows : 1), sizeof *list);
    assert (list);
    //  The ids, for one query of all their steps.
    size_t ids_size = 3 + (size_t) rows * 22;
    char *ids = malloc (ids_size);
    assert (ids);
    strcpy (ids, "{");
    dispute_t dispute;
    dispute_init (&dispute);
    for (int row = 0; row < rows; row++) {
        s_read_row (result, row, &dispute);
        list[row] = dispute_message_new (self->ladder, &dispute, today);
        size_t used = strlen (ids);
        snprintf (ids + used, ids_size - used, "%s%" PRIu64, row ? "," : "", dispute.id);
    }
    strcat (ids, "}");
    dispute_clear (&dispute);
    PQclear (result);
    *messages = list;
    *count = (size_t) rows;
    if (rows == 0) {
        free (ids);
        return 0;
    }
    const char *step_params[1] = {ids};
    result = jy_db_query (self->db,
                          S_STEP_SELECT " WHERE dispute_id = ANY ($1::bigint[])"
                                        " ORDER BY dispute_id, n",
                          1, step_params);
    free (ids);
    if (!result)
        return -1; //  the caller frees what was listed
    int at = 0;
    for (int row = 0; row < PQntuples (result); row++) {
        uint64_t dispute_id = s_u64 (result, row, 0);
        while (at < rows && list[at]->id < dispute_id)
            at++;
        if (at < rows && list[at]->id == dispute_id)
            s_append_step (list[at], s_step_message (result, row));
    }
    PQclear (result);
    return 0;
}

int dispute_store_verify (dispute_store_t *self, chain_verifier_t *verifier)
{
    assert (self && verifier);
    PGresult *disputes = jy_db_query (
        self->db, "SELECT id, step_count, last_hash FROM escalation.dispute ORDER BY id", 0, NULL);
    if (!disputes)
        return -1;
    PGresult *steps = jy_db_query (self->db, S_STEP_SELECT " ORDER BY dispute_id, n", 0, NULL);
    if (!steps) {
        PQclear (disputes);
        return -1;
    }
    //  Both in id order: walk them together.
    int dispute_rows = PQntuples (disputes), step_rows = PQntuples (steps);
    int step_row = 0;
    for (int row = 0; row <= dispute_rows; row++) {
        bool last = row == dispute_rows;
        uint64_t id = last ? UINT64_MAX : s_u64 (disputes, row, 0);
        //  Steps of disputes that have no row.
        while (step_row < step_rows && s_u64 (steps, step_row, 0) < id) {
            uint64_t orphan = s_u64 (steps, step_row, 0);
            chain_verifier_orphan (verifier, orphan);
            while (step_row < step_rows && s_u64 (steps, step_row, 0) == orphan)
                step_row++;
        }
        if (last)
            break;
        chain_verifier_dispute (verifier, id, (uint32_t) s_u64 (disputes, row, 1),
                                PQgetvalue (disputes, row, 2));
        for (; step_row < step_rows && s_u64 (steps, step_row, 0) == id; step_row++) {
            chain_step_t step = {
                .la_code = PQgetvalue (steps, step_row, 2),
                .dispute_id = id,
                .n = (uint32_t) s_u64 (steps, step_row, 1),
                .verb = PQgetvalue (steps, step_row, 3),
                .by_user = PQgetvalue (steps, step_row, 4),
                .role = PQgetvalue (steps, step_row, 5),
                .at = PQgetvalue (steps, step_row, 6),
                .stage_from = atoi (PQgetvalue (steps, step_row, 7)),
                .stage_to = atoi (PQgetvalue (steps, step_row, 8)),
                .text = PQgetvalue (steps, step_row, 9),
                .detail = PQgetvalue (steps, step_row, 10),
                .prev_hash = PQgetvalue (steps, step_row, 11),
            };
            chain_verifier_step (verifier, &step, PQgetvalue (steps, step_row, 12));
        }
        chain_verifier_end (verifier);
    }
    PQclear (disputes);
    PQclear (steps);
    return 0;
}

//  --- The outbox --------------------------------------------------------------------------------

zframe_t *dispute_store_outbox_pop (dispute_store_t *self)
{
    assert (self);
    return (zframe_t *) zlist_pop (self->outbox);
}

void dispute_store_outbox_clear (dispute_store_t *self)
{
    assert (self);
    zframe_t *frame;
    while ((frame = (zframe_t *) zlist_pop (self->outbox)))
        zframe_destroy (&frame);
}
