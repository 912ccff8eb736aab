/*  queries (DeadlinesRequest, AlertsRequest) against a fresh migrated database with rows
    inserted directly, read as the daemon's own role: a child's deadlines oldest start first
    with every column and the clock's label, only that child's and LA's; coded refusals; alerts
    after a position with alert_id = seq, filtered by team, LA and child, paged by limit (capped
    at 1000), never past a head that is not yet committed; an unreadable row refused rather
    than passed over; the JSON form's short keys.
*/
#include "alert_feed_test.h"
#include "json_form.h"
#include "queries.h"

static char s_dbname[64];

static jy_db_t *s_connect (const char *url)
{
    jy_db_t *db = jy_db_new (url);
    CHECK_INT (jy_db_connect (db, 10000), 0);
    return db;
}

//  --- Deadlines ------------------------------------------------------------------------------

static void s_insert_deadlines (jy_db_t *admin)
{
    //  Inserted newest first, so that the order of the answer is the query's doing.
    CHECK_INT (
        jy_db_exec (
            admin,
            "INSERT INTO timeliness.deadline (id, la_code, child_id, clock, anchor, started_on,"
            " due_on, state, met_on, late_working_days, cancelled_on, cancel_reason, planned_on,"
            " team_id, worker_id, first_seen_on, backfill, updated_on) VALUES"
            " (4, '872', 'C1', 'rcpc_first', 'P1', '2025-02-20', '2025-05-20', 'open', NULL,"
            "  NULL, NULL, NULL, '2025-05-28', 'T1', 'W1', '2025-02-20', false, '2025-02-20'),"
            " (3, '872', 'C1', 'icpc', 'S1', '2025-01-20', '2025-02-10', 'met_late',"
            "  '2025-02-13', 3, NULL, NULL, NULL, 'T1', 'W1', '2025-01-20', false, '2025-02-13'),"
            " (2, '872', 'C1', 'contact_decision', 'CT1', '2025-01-06', '2025-01-07',"
            "  'cancelled', NULL, NULL, '2025-01-07', 'case_closed', NULL, NULL, NULL,"
            "  '2025-01-06', true, '2025-01-07'),"
            " (1, '872', 'C1', 'assessment', 'R1', '2025-01-06', '2025-03-10', 'met_on_time',"
            "  '2025-02-01', 0, NULL, NULL, NULL, 'T1', NULL, '2025-01-06', false, '2025-02-01'),"
            " (5, '872', 'C2', 'assessment', 'R2', '2025-01-06', '2025-03-10', 'open', NULL,"
            "  NULL, NULL, NULL, NULL, 'T2', NULL, '2025-01-06', false, '2025-01-06'),"
            " (6, '210', 'C1', 'assessment', 'R9', '2024-12-02', '2025-02-06', 'missed', NULL,"
            "  NULL, NULL, NULL, NULL, NULL, NULL, '2024-12-02', false, '2024-12-02'),"
            " (7, '872', 'C1', 'retired_clock', 'X1', '2025-03-01', '2025-03-02', 'open', NULL,"
            "  NULL, NULL, NULL, NULL, NULL, NULL, '2025-03-01', false, '2025-03-01')",
            0, NULL),
        0);
}

static Journey__V1__DeadlinesReply *s_deadlines (jy_envelope_t *envelope)
{
    CHECK (envelope != NULL);
    CHECK_INT (envelope->payload_case, JOURNEY__V1__ENVELOPE__PAYLOAD_DEADLINES_REPLY);
    return envelope->deadlines_reply;
}

static void s_test_deadlines (jy_db_t *db, tl_clocks_t *clocks)
{
    Journey__V1__DeadlinesRequest request = JOURNEY__V1__DEADLINES_REQUEST__INIT;
    request.child_id = "C1";

    //  The daemon's LA by default; oldest start first, ties by clock.
    jy_envelope_t *envelope = tl_queries_deadlines (db, clocks, "872", &request);
    Journey__V1__DeadlinesReply *reply = s_deadlines (envelope);
    CHECK (reply->has_ok && reply->ok);
    CHECK_INT (reply->n_deadlines, 5);
    if (reply->n_deadlines == 5) {
        Journey__V1__Deadline **d = reply->deadlines;
        CHECK_STR (d[0]->clock, "assessment");
        CHECK_STR (d[1]->clock, "contact_decision");
        CHECK_STR (d[2]->clock, "icpc");
        CHECK_STR (d[3]->clock, "rcpc_first");
        CHECK_STR (d[4]->clock, "retired_clock");

        CHECK_INT (d[0]->id, 1);
        CHECK_STR (d[0]->la_code, "872");
        CHECK_STR (d[0]->child_id, "C1");
        CHECK_STR (d[0]->anchor, "R1");
        CHECK_STR (d[0]->started_on, "2025-01-06");
        CHECK_STR (d[0]->due_on, "2025-03-10");
        CHECK_STR (d[0]->state, "met_on_time");
        CHECK_STR (d[0]->met_on, "2025-02-01");
        CHECK (d[0]->has_late_working_days && d[0]->late_working_days == 0);
        CHECK_STR (d[0]->team_id, "T1");
        CHECK (d[0]->worker_id == NULL);
        CHECK (d[0]->has_backfill && !d[0]->backfill);
        CHECK_STR (d[0]->label, "C&F assessment within 45 working days");

        CHECK_STR (d[1]->state, "cancelled");
        CHECK_STR (d[1]->cancelled_on, "2025-01-07");
        CHECK_STR (d[1]->cancel_reason, "case_closed");
        CHECK (d[1]->met_on == NULL && !d[1]->has_late_working_days);
        CHECK (d[1]->backfill);

        CHECK_STR (d[2]->state, "met_late");
        CHECK_INT (d[2]->late_working_days, 3);
        CHECK_STR (d[3]->planned_on, "2025-05-28");
        CHECK_STR (d[3]->worker_id, "W1");
        //  A clock this build does not know: no label, still listed.
        CHECK (d[4]->label == NULL);
    }

    //  The JSON form: short keys, the rest as in the .proto.
    if (reply->n_deadlines == 5) {
        json_t *json = tl_json_deadline (reply->deadlines[2]);
        CHECK (json != NULL);
        char *text = json ? tl_json_text (json) : NULL;
        CHECK_STR (text, "{\"id\":3,\"la_code\":\"872\",\"child_id\":\"C1\",\"clock\":\"icpc\","
                         "\"anchor\":\"S1\",\"started\":\"2025-01-20\",\"due\":\"2025-02-10\","
                         "\"state\":\"met_late\",\"met\":\"2025-02-13\",\"late_working_days\":3,"
                         "\"team\":\"T1\",\"worker\":\"W1\",\"backfill\":false,\"label\":\"ICPC "
                         "within 15 working days of the strategy discussion\"}");
        free (text);
        json_decref (json);
    }
    jy_envelope_free (&envelope);

    //  The request's LA over the daemon's.
    request.la_code = "210";
    envelope = tl_queries_deadlines (db, clocks, "872", &request);
    reply = s_deadlines (envelope);
    CHECK (reply->ok);
    CHECK_INT (reply->n_deadlines, 1);
    if (reply->n_deadlines == 1) {
        CHECK_STR (reply->deadlines[0]->anchor, "R9");
        CHECK_STR (reply->deadlines[0]->state, "missed");
    }
    jy_envelope_free (&envelope);

    //  An unknown child: no deadlines, not an error. Without clocks: no labels.
    request.la_code = NULL;
    request.child_id = "NOBODY";
    envelope = tl_queries_deadlines (db, NULL, "872", &request);
    reply = s_deadlines (envelope);
    CHECK (reply->ok);
    CHECK_INT (reply->n_deadlines, 0);
    jy_envelope_free (&envelope);
    request.child_id = "C2";
    envelope = tl_queries_deadlines (db, NULL, "872", &request);
    reply = s_deadlines (envelope);
    CHECK_INT (reply->n_deadlines, 1);
    if (reply->n_deadlines == 1)
        CHECK (reply->deadlines[0]->label == NULL);
    jy_envelope_free (&envelope);

    //  Coded refusals.
    request.child_id = "";
    envelope = tl_queries_deadlines (db, clocks, "872", &request);
    reply = s_deadlines (envelope);
    CHECK (reply->has_ok && !reply->ok);
    CHECK_STR (reply->code, "bad_request");
    CHECK (reply->message && strstr (reply->message, "child_id") != NULL);
    jy_envelope_free (&envelope);
    request.child_id = "C1";
    envelope = tl_queries_deadlines (db, clocks, NULL, &request);
    reply = s_deadlines (envelope);
    CHECK (!reply->ok);
    CHECK_STR (reply->code, "bad_request");
    CHECK (reply->message && strstr (reply->message, "la_code") != NULL);
    jy_envelope_free (&envelope);
}

//  --- Alerts ---------------------------------------------------------------------------------

static Journey__V1__AlertsReply *s_alerts_reply (jy_envelope_t *envelope)
{
    CHECK (envelope != NULL);
    CHECK_INT (envelope->payload_case, JOURNEY__V1__ENVELOPE__PAYLOAD_ALERTS_REPLY);
    return envelope->alerts_reply;
}

//  The seqs of a reply as "1,2,3" (the reply must be ok).
static void s_seqs (Journey__V1__AlertsReply *reply, char *text, size_t size)
{
    CHECK (reply->has_ok && reply->ok);
    size_t used = 0;
    text[0] = '\0';
    for (size_t i = 0; i < reply->n_alerts && used < size; i++)
        used += (size_t) snprintf (text + used, size - used, "%s%" PRIu64, i ? "," : "",
                                   reply->alerts[i]->alert_id);
}

//  Ask with the given filters; the seqs answered, and the head.
static void s_ask (jy_db_t *db, uint64_t since, uint32_t limit, const char *team, const char *la,
                   const char *child, const char *expected, uint64_t expected_head)
{
    Journey__V1__AlertsRequest request = JOURNEY__V1__ALERTS_REQUEST__INIT;
    request.has_since = 1;
    request.since = since;
    request.has_limit = limit > 0;
    request.limit = limit;
    request.team_id = (char *) team;
    request.la_code = (char *) la;
    request.child_id = (char *) child;
    jy_envelope_t *envelope = tl_queries_alerts (db, &request);
    Journey__V1__AlertsReply *reply = s_alerts_reply (envelope);
    char seqs[256];
    s_seqs (reply, seqs, sizeof seqs);
    CHECK_STR (seqs, expected);
    CHECK (reply->has_head);
    CHECK_INT (reply->head, expected_head);
    jy_envelope_free (&envelope);
}

static void s_test_alerts (jy_db_t *admin, jy_db_t *db, const char *url)
{
    //  An empty feed: nothing, head 0.
    s_ask (db, 0, 0, NULL, NULL, NULL, "", 0);

    const aft_alert_t alerts[] = {
        {JOURNEY__V1__ALERT__KIND__DUE_SOON, "872", "C1", "assessment", "2025-03-10", "T1"},
        {JOURNEY__V1__ALERT__KIND__OVERDUE, "872", "C2", "icpc", "2025-03-03", "T2"},
        {JOURNEY__V1__ALERT__KIND__DUE_TODAY, "872", "C1", "icpc", "2025-03-04", "T1"},
        {JOURNEY__V1__ALERT__KIND__DRIFTED, "210", "C9", "rcpc", "2025-04-01", "T1"},
        {JOURNEY__V1__ALERT__KIND__RAG_CHANGED, "872", NULL, NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof alerts / sizeof alerts[0]; i++)
        CHECK_INT (aft_alert_write (admin, NULL, &alerts[i]), i + 1);

    //  Everything, decoded, alert_id = seq.
    Journey__V1__AlertsRequest request = JOURNEY__V1__ALERTS_REQUEST__INIT;
    jy_envelope_t *envelope = tl_queries_alerts (db, &request);
    Journey__V1__AlertsReply *reply = s_alerts_reply (envelope);
    char seqs[256];
    s_seqs (reply, seqs, sizeof seqs);
    CHECK_STR (seqs, "1,2,3,4,5");
    CHECK_INT (reply->head, 5);
    if (reply->n_alerts == 5) {
        Journey__V1__Alert *alert = reply->alerts[1];
        CHECK_INT (alert->kind, JOURNEY__V1__ALERT__KIND__OVERDUE);
        CHECK_STR (alert->child_id, "C2");
        CHECK_STR (alert->clock, "icpc");
        CHECK_STR (alert->due_on, "2025-03-03");
        CHECK_STR (alert->team_id, "T2");
        json_t *json = tl_json_alert (alert);
        char *text = json ? tl_json_text (json) : NULL;
        CHECK_STR (text, "{\"seq\":2,\"kind\":\"overdue\",\"la_code\":\"872\",\"child_id\":\"C2\","
                         "\"clock\":\"icpc\",\"due\":\"2025-03-03\",\"team\":\"T2\","
                         "\"raised\":\"2025-03-04\"}");
        free (text);
        json_decref (json);
        //  A double that needs 17 digits keeps them; one that does not is written short.
        alert->has_value = 1;
        alert->value = 0.1 + 0.2;
        json = tl_json_alert (alert);
        text = json ? tl_json_text (json) : NULL;
        CHECK (text && strstr (text, "\"value\":0.30000000000000004") != NULL);
        free (text);
        json_decref (json);
        alert->value = 0.857;
        json = tl_json_alert (alert);
        text = json ? tl_json_text (json) : NULL;
        CHECK (text && strstr (text, "\"value\":0.857}") != NULL);
        free (text);
        json_decref (json);
    }
    jy_envelope_free (&envelope);

    //  After a position, and filters (empty strings are "not given").
    s_ask (db, 2, 0, NULL, NULL, NULL, "3,4,5", 5);
    s_ask (db, 0, 0, "T1", NULL, NULL, "1,3,4", 5);
    s_ask (db, 1, 0, "T1", NULL, NULL, "3,4", 5);
    s_ask (db, 0, 0, NULL, "210", NULL, "4", 5);
    s_ask (db, 0, 0, NULL, "872", "C1", "1,3", 5);
    s_ask (db, 0, 0, "T2", "872", "C1", "", 5);
    s_ask (db, 0, 0, "", "", "", "1,2,3,4,5", 5);
    s_ask (db, 5, 0, NULL, NULL, NULL, "", 5);
    s_ask (db, 99, 0, NULL, NULL, NULL, "", 5);

    //  Pages of two, as `journey alerts` walks them.
    s_ask (db, 0, 2, NULL, NULL, NULL, "1,2", 5);
    s_ask (db, 2, 2, NULL, NULL, NULL, "3,4", 5);
    s_ask (db, 4, 2, NULL, NULL, NULL, "5", 5);

    //  A writer in the middle of its transaction: its seq is reserved, its row stored, neither
    //  committed. The answer stops at the committed head and does not include it; after the
    //  commit it does.
    jy_db_t *writer = s_connect (url);
    uint64_t seq = 0;
    CHECK_INT (jy_db_begin (writer), 0);
    CHECK_INT (jy_feed_reserve (writer, jy_feed_lookup ("alerts"), 1, &seq), 0);
    CHECK_INT (seq, 6);
    CHECK_INT (jy_db_exec (writer,
                           "INSERT INTO timeliness.alert_feed (seq, la_code, kind, raised_on,"
                           " envelope) SELECT 6, la_code, kind, raised_on, envelope"
                           " FROM timeliness.alert_feed WHERE seq = 1",
                           0, NULL),
               0);
    s_ask (db, 0, 0, NULL, NULL, NULL, "1,2,3,4,5", 5);
    CHECK_INT (jy_db_commit (writer), 0);
    s_ask (db, 4, 0, NULL, NULL, NULL, "5,6", 6);
    jy_db_destroy (&writer);

    //  The cap: 1,010 more alerts, asked for 5,000 at a time, come 1,000 at a time.
    CHECK_INT (jy_db_exec (admin,
                           "INSERT INTO timeliness.alert_feed (seq, la_code, kind, raised_on,"
                           " envelope) SELECT 6 + g, la_code, kind, raised_on, envelope"
                           " FROM timeliness.alert_feed, generate_series (1, 1010) g"
                           " WHERE seq = 1",
                           0, NULL),
               0);
    CHECK_INT (jy_db_exec (admin, "UPDATE timeliness.feed_head SET head = 1016", 0, NULL), 0);
    request = (Journey__V1__AlertsRequest) JOURNEY__V1__ALERTS_REQUEST__INIT;
    request.has_limit = 1;
    request.limit = 5000;
    envelope = tl_queries_alerts (db, &request);
    reply = s_alerts_reply (envelope);
    CHECK_INT (reply->n_alerts, 1000);
    CHECK_INT (reply->n_alerts ? reply->alerts[reply->n_alerts - 1]->alert_id : 0, 1000);
    CHECK_INT (reply->head, 1016);
    jy_envelope_free (&envelope);
    request.has_since = 1;
    request.since = 1000;
    envelope = tl_queries_alerts (db, &request);
    reply = s_alerts_reply (envelope);
    CHECK_INT (reply->n_alerts, 16);
    CHECK_INT (reply->n_alerts ? reply->alerts[0]->alert_id : 0, 1001);
    jy_envelope_free (&envelope);

    //  An unreadable stored envelope is refused with its seq, never passed over.
    CHECK_INT (jy_db_exec (admin,
                           "INSERT INTO timeliness.alert_feed (seq, la_code, kind, raised_on,"
                           " envelope) VALUES (1017, '872', 'overdue', '2025-03-04', '\\xff01')",
                           0, NULL),
               0);
    CHECK_INT (jy_db_exec (admin, "UPDATE timeliness.feed_head SET head = 1017", 0, NULL), 0);
    request.since = 1015;
    envelope = tl_queries_alerts (db, &request);
    reply = s_alerts_reply (envelope);
    CHECK (reply->has_ok && !reply->ok);
    CHECK_STR (reply->code, "bad_row");
    CHECK (reply->message && strstr (reply->message, "1017") != NULL);
    jy_envelope_free (&envelope);
}

//  A database without the timeliness tables (the cluster's "postgres"; never template1, which
//  CREATE DATABASE in parallel tests needs to itself): coded "database" answers.
static void s_test_database_errors (void)
{
    char url[1024];
    snprintf (url, sizeof url, "%s dbname=postgres", jy_test_db_url ());
    jy_log_level_t level = jy_log_level ();
    jy_log_init (
        NULL, (jy_log_level_t) (JY_LOG_ERROR + 1)); //  the failures are the point: keep them quiet
    jy_db_t *db = s_connect (url);
    Journey__V1__DeadlinesRequest deadlines = JOURNEY__V1__DEADLINES_REQUEST__INIT;
    deadlines.child_id = "C1";
    jy_envelope_t *envelope = tl_queries_deadlines (db, NULL, "872", &deadlines);
    CHECK (!envelope->deadlines_reply->ok);
    CHECK_STR (envelope->deadlines_reply->code, "database");
    jy_envelope_free (&envelope);
    Journey__V1__AlertsRequest alerts = JOURNEY__V1__ALERTS_REQUEST__INIT;
    envelope = tl_queries_alerts (db, &alerts);
    CHECK (!envelope->alerts_reply->ok);
    CHECK_STR (envelope->alerts_reply->code, "database");
    jy_envelope_free (&envelope);
    jy_db_destroy (&db);
    jy_log_init (NULL, level);
}

int main (void)
{
    jy_log_init ("test_queries", JY_LOG_WARNING);
    char url[1024], role_url[1024];
    if (aft_database_new ("tlqueries", s_dbname, sizeof s_dbname, url, sizeof url, role_url,
                          sizeof role_url) != 0) {
        fprintf (stderr, "cannot prepare the test database\n");
        return 1;
    }
    jy_db_t *admin = s_connect (url);
    //  Queries run as the daemon's role, as they do in journey-timelinessd.
    jy_db_t *db = s_connect (role_url);
    tl_clocks_t *clocks = tl_clocks_new_default ();
    CHECK (clocks != NULL);

    s_insert_deadlines (admin);
    s_test_deadlines (db, clocks);
    s_test_alerts (admin, db, url);
    s_test_database_errors ();

    tl_clocks_destroy (&clocks);
    jy_db_destroy (&db);
    jy_db_destroy (&admin);
    aft_database_drop (s_dbname);
    return jy_test_summary ("timeliness.queries");
}
