/*  queries: DeadlinesRequest and AlertsRequest answered from timeliness.deadline and
    timeliness.alert_feed (queries.h).

    The replies are built on the heap in protobuf-c's own layout, so that the caller frees the
    whole tree with jy_envelope_free.

    An AlertsReply says "these are all the matching alerts up to head" only when it is not cut
    short by the limit, and a client pages on from the last seq, or jumps to head when a page
    comes back empty (`journey alerts`). For that to skip nothing, head is read before the
    alerts and the alerts are read up to it: the alert feed's numbers commit in order
    (jy_feed.h), so every alert up to a committed head has committed by the time it is read.
*/
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queries.h"

#define S_ALERTS_LIMIT 1000 //  default and cap of AlertsRequest.limit

//  Deadline columns in the order s_deadline reads them. Dates as text whatever DateStyle is.
static const char *s_deadlines_sql =
    "SELECT id, la_code, child_id, clock, anchor, to_char (started_on, 'YYYY-MM-DD'),"
    " to_char (due_on, 'YYYY-MM-DD'), state, to_char (met_on, 'YYYY-MM-DD'), late_working_days,"
    " to_char (cancelled_on, 'YYYY-MM-DD'), cancel_reason, to_char (planned_on, 'YYYY-MM-DD'),"
    " team_id, worker_id, backfill"
    " FROM timeliness.deadline WHERE la_code = $1 AND child_id = $2"
    " ORDER BY started_on, clock, anchor, id";

//  A filter that is NULL matches everything; with PQexecParams the plan is made for the
//  actual values, so the NULL tests fold away and the team and child indexes serve.
static const char *s_alerts_sql = "SELECT seq, envelope FROM timeliness.alert_feed"
                                  " WHERE seq > $1 AND seq <= $2"
                                  "   AND ($3::text IS NULL OR team_id = $3)"
                                  "   AND ($4::text IS NULL OR la_code = $4)"
                                  "   AND ($5::text IS NULL OR child_id = $5)"
                                  "   AND ($7::text IS NULL OR"
                                  "        la_code = ANY (regexp_split_to_array ($7, '[ ,\t]+')))"
                                  " ORDER BY seq LIMIT $6";

static char *s_strdup (const char *text)
{
    char *copy = strdup (text);
    assert (copy);
    return copy;
}

//  A text cell as a new string, NULL for SQL NULL.
static char *s_cell (const PGresult *result, int row, int column)
{
    return PQgetisnull (result, row, column) ? NULL : s_strdup (PQgetvalue (result, row, column));
}

//  Empty strings from a client mean "not given".
static const char *s_given (const char *text)
{
    return text && *text ? text : NULL;
}

//  --- Reply envelopes ------------------------------------------------------------------------

static jy_envelope_t *s_envelope_new (void)
{
    jy_envelope_t *envelope = malloc (sizeof *envelope);
    assert (envelope);
    jy_envelope_init (envelope);
    return envelope;
}

static jy_envelope_t *s_deadlines_reply_new (Journey__V1__DeadlinesReply **reply_p)
{
    Journey__V1__DeadlinesReply *reply = malloc (sizeof *reply);
    assert (reply);
    journey__v1__deadlines_reply__init (reply);
    reply->has_ok = 1;
    reply->ok = 1;
    jy_envelope_t *envelope = s_envelope_new ();
    envelope->payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_DEADLINES_REPLY;
    envelope->deadlines_reply = reply;
    *reply_p = reply;
    return envelope;
}

static jy_envelope_t *s_alerts_reply_new (Journey__V1__AlertsReply **reply_p)
{
    Journey__V1__AlertsReply *reply = malloc (sizeof *reply);
    assert (reply);
    journey__v1__alerts_reply__init (reply);
    reply->has_ok = 1;
    reply->ok = 1;
    jy_envelope_t *envelope = s_envelope_new ();
    envelope->payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_ALERTS_REPLY;
    envelope->alerts_reply = reply;
    *reply_p = reply;
    return envelope;
}

//  Turn an ok reply into a coded failure (fields: has_ok, ok, code, message are alike in both).
#define S_FAIL(reply, code_text, ...)                                                              \
    do {                                                                                           \
        char message_[512];                                                                        \
        snprintf (message_, sizeof message_, __VA_ARGS__);                                         \
        (reply)->ok = 0;                                                                           \
        (reply)->code = s_strdup (code_text);                                                      \
        (reply)->message = s_strdup (message_);                                                    \
        if (strcmp (code_text, "database") == 0) /*  the operator's to see too */                  \
            jy_warning ("%s", message_);                                                           \
    } while (0)

//  --- Deadlines ------------------------------------------------------------------------------

static Journey__V1__Deadline *s_deadline (const PGresult *result, int row, tl_clocks_t *clocks)
{
    Journey__V1__Deadline *deadline = malloc (sizeof *deadline);
    assert (deadline);
    journey__v1__deadline__init (deadline);
    deadline->has_id = 1;
    deadline->id = strtoull (PQgetvalue (result, row, 0), NULL, 10);
    deadline->la_code = s_cell (result, row, 1);
    deadline->child_id = s_cell (result, row, 2);
    deadline->clock = s_cell (result, row, 3);
    deadline->anchor = s_cell (result, row, 4);
    deadline->started_on = s_cell (result, row, 5);
    deadline->due_on = s_cell (result, row, 6);
    deadline->state = s_cell (result, row, 7);
    deadline->met_on = s_cell (result, row, 8);
    if (!PQgetisnull (result, row, 9)) {
        deadline->has_late_working_days = 1;
        deadline->late_working_days = atoi (PQgetvalue (result, row, 9));
    }
    deadline->cancelled_on = s_cell (result, row, 10);
    deadline->cancel_reason = s_cell (result, row, 11);
    deadline->planned_on = s_cell (result, row, 12);
    deadline->team_id = s_cell (result, row, 13);
    deadline->worker_id = s_cell (result, row, 14);
    deadline->has_backfill = 1;
    deadline->backfill = strcmp (PQgetvalue (result, row, 15), "t") == 0;
    //  A clock this build does not know (renamed since) simply has no label.
    tl_clock_id_t id = tl_clocks_lookup (deadline->clock);
    if (clocks && id != TL_CLOCK_COUNT)
        deadline->label = s_strdup (tl_clocks_rule (clocks, id)->label);
    return deadline;
}

jy_envelope_t *tl_queries_deadlines (jy_db_t *db, tl_clocks_t *clocks, const char *default_la,
                                     const Journey__V1__DeadlinesRequest *request)
{
    assert (db);
    assert (request);
    Journey__V1__DeadlinesReply *reply;
    jy_envelope_t *envelope = s_deadlines_reply_new (&reply);
    const char *la_code = s_given (request->la_code) ? request->la_code : s_given (default_la);
    const char *child_id = s_given (request->child_id);
    if (!child_id) {
        S_FAIL (reply, "bad_request", "child_id is missing: whose deadlines?");
        return envelope;
    }
    if (!la_code) {
        S_FAIL (reply, "bad_request",
                "la_code is missing: name the authority (the daemon has no la/code)");
        return envelope;
    }
    const char *params[2] = {la_code, child_id};
    PGresult *result = jy_db_query (db, s_deadlines_sql, 2, params);
    if (!result) {
        S_FAIL (reply, "database", "deadlines of child %s could not be read: %s", child_id,
                jy_db_error (db));
        return envelope;
    }
    int rows = PQntuples (result);
    if (rows > 0) {
        reply->deadlines = calloc ((size_t) rows, sizeof (Journey__V1__Deadline *));
        assert (reply->deadlines);
    }
    for (int row = 0; row < rows; row++)
        reply->deadlines[reply->n_deadlines++] = s_deadline (result, row, clocks);
    PQclear (result);
    return envelope;
}

//  --- Alerts ---------------------------------------------------------------------------------

//  The alert stored in row, taken out of its envelope, with alert_id = seq. NULL (with *why)
//  when the envelope cannot be read; *why is NULL for an envelope that holds no alert (a
//  payload from a newer writer), which is passed over.
static Journey__V1__Alert *s_alert (const PGresult *result, int row, uint64_t seq, const char **why)
{
    jy_wire_status_t status;
    jy_envelope_t *envelope =
        jy_wire_unpack ((const uint8_t *) PQgetvalue (result, row, 1),
                        (size_t) PQgetlength (result, row, 1), JY_WIRE_DEFAULT_CAP, &status);
    *why = NULL;
    if (!envelope) {
        *why = jy_wire_status_text (status);
        return NULL;
    }
    Journey__V1__Alert *alert = NULL;
    if (envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT && envelope->alert) {
        alert = envelope->alert;
        //  Detach it, so that freeing the envelope leaves it alone.
        envelope->alert = NULL;
        envelope->payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD__NOT_SET;
        alert->has_alert_id = 1;
        alert->alert_id = seq;
    }
    jy_envelope_free (&envelope);
    return alert;
}

jy_envelope_t *tl_queries_alerts (jy_db_t *db, const Journey__V1__AlertsRequest *request)
{
    return tl_queries_alerts_of (db, request, NULL);
}

jy_envelope_t *tl_queries_alerts_of (jy_db_t *db, const Journey__V1__AlertsRequest *request,
                                     const char *la_codes)
{
    assert (db);
    assert (request);
    Journey__V1__AlertsReply *reply;
    jy_envelope_t *envelope = s_alerts_reply_new (&reply);
    uint32_t limit = request->has_limit && request->limit > 0 ? request->limit : S_ALERTS_LIMIT;
    if (limit > S_ALERTS_LIMIT)
        limit = S_ALERTS_LIMIT;
    uint64_t since = request->has_since ? request->since : 0;

    //  Head first, then the alerts up to it (see the top of this file).
    uint64_t head;
    if (jy_feed_head (db, jy_feed_lookup ("alerts"), &head) != 0) {
        S_FAIL (reply, "database", "the alert feed's head could not be read: %s", jy_db_error (db));
        return envelope;
    }
    reply->has_head = 1;
    reply->head = head;
    if (since >= head)
        return envelope;

    char since_text[24], head_text[24], limit_text[16];
    snprintf (since_text, sizeof since_text, "%" PRIu64, since);
    snprintf (head_text, sizeof head_text, "%" PRIu64, head);
    snprintf (limit_text, sizeof limit_text, "%" PRIu32, limit);
    const char *params[7] = {since_text,
                             head_text,
                             s_given (request->team_id),
                             s_given (request->la_code),
                             s_given (request->child_id),
                             limit_text,
                             la_codes};
    PGresult *result = jy_db_query_binary (db, s_alerts_sql, 7, params);
    if (!result) {
        S_FAIL (reply, "database", "alerts after %" PRIu64 " could not be read: %s", since,
                jy_db_error (db));
        return envelope;
    }
    int rows = PQntuples (result);
    if (rows > 0) {
        reply->alerts = calloc ((size_t) rows, sizeof (Journey__V1__Alert *));
        assert (reply->alerts);
    }
    for (int row = 0; row < rows; row++) {
        uint64_t seq = (uint64_t) jy_db_get_int8 (result, row, 0);
        const char *why;
        Journey__V1__Alert *alert = s_alert (result, row, seq, &why);
        if (alert)
            reply->alerts[reply->n_alerts++] = alert;
        else if (why) {
            //  The table is the truth: passing over a row would hide it for good.
            jy_error ("alert feed row %" PRIu64 ": stored envelope is unreadable (%s)", seq, why);
            S_FAIL (reply, "bad_row", "alert %" PRIu64 " is stored unreadable (%s)", seq, why);
            break;
        }
    }
    PQclear (result);
    return envelope;
}
