/*  journey-timelinessd's deadlines and alerts are read by LA with CURVE (docs/security.md,
    "Reading"): a real journey-ingestd accepting LAs 872 and 210 and a real journey-timelinessd
    following it, on loopback TCP, keys made by `journey keygen`.

    Child C1 of 872 and child C2 of 210 each have a contact received on Monday 2025-06-30 (the
    daemons' first day); contact_decision is due the next working day, Tuesday 2025-07-01, and
    is announced DUE_SOON at once (within the default lead of 3 working days). The clock moved
    to Wednesday 2025-07-02 raises OVERDUE for each (DUE_TODAY's day passed, so it is passed
    over).

    A key with read "alerts" and read_la_codes 872 gets C1's deadline and, for C2, what an
    unknown child gets (ok, no deadlines: never a refusal that would confirm the child); its
    alerts query holds C1's two alerts and not C2's. A key with no read rights gets no deadline
    for either child and no alert, though the alerts' head is there to page on.
*/
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>

#include "jy_test.h"
#include "jy_test_daemon.h"
#include "security/security_test.h"

#define S_WAIT_MS 20000 //  an upper bound for a broken build; Status ends every wait

#define REGISTERED(id, la, child)                                                                  \
    "{\"event_id\":\"" id "\",\"la_code\":\"" la "\",\"child_id\":\"" child                        \
    "\",\"occurred_on\":\"2025-06-30\",\"recorded_at\":\"2025-06-30T08:00:00Z\",\"source\":"       \
    "\"cms\",\"child_registered\":{\"date_of_birth\":\"2016-05-14\",\"sex\":\"F\","                \
    "\"ethnicity\":\"WBRI\",\"disability\":false,\"uasc\":false}}"
#define CONTACT(id, la, child)                                                                     \
    "{\"event_id\":\"" id "\",\"la_code\":\"" la "\",\"child_id\":\"" child                        \
    "\",\"occurred_on\":\"2025-06-30\",\"recorded_at\":\"2025-06-30T08:00:00Z\",\"source\":"       \
    "\"cms\",\"contact_received\":{\"contact_id\":\"CT-" child "\"}}"

//  journey-timelinessd's feed positions from Status (the event feed's position, the alert
//  feed's last number); false when it did not answer.
static bool s_positions (zsock_t *dealer, uint64_t *events, uint64_t *alerts)
{
    jy_envelope_t *reply = st_status (dealer);
    bool ok = reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY;
    for (size_t i = 0; ok && i < reply->status_reply->n_feeds; i++) {
        Journey__V1__FeedPosition *feed = reply->status_reply->feeds[i];
        if (strcmp (feed->feed, "events") == 0)
            *events = feed->position;
        if (strcmp (feed->feed, "alerts") == 0)
            *alerts = feed->position;
    }
    jy_envelope_free (&reply);
    return ok;
}

//  Until journey-timelinessd has taken in events up to events and published alerts up to
//  alerts. Status answers between loop turns, so what those caused has then committed.
static bool s_until (zsock_t *dealer, uint64_t events, uint64_t alerts)
{
    int64_t until = zclock_mono () + S_WAIT_MS;
    while (zclock_mono () < until) {
        uint64_t at_events = 0, at_alerts = 0;
        if (s_positions (dealer, &at_events, &at_alerts) && at_events >= events &&
            at_alerts >= alerts)
            return true;
        nanosleep (&(struct timespec){0, 2 * 1000 * 1000}, NULL);
    }
    return false;
}

//  A daemon's clock to date; 0 or -1.
static int s_clock_set (zsock_t *dealer, const char *date)
{
    Journey__V1__ClockSet set = JOURNEY__V1__CLOCK_SET__INIT;
    set.date = (char *) date;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_CLOCK_SET;
    request.clock_set = &set;
    jy_envelope_t *reply = st_ask (dealer, &request);
    int rc =
        reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY && reply->reply->ok
            ? 0
            : -1;
    jy_envelope_free (&reply);
    return rc;
}

//  The deadlines of la's child asked for with key: "ok: clock started due state; ..." (one
//  per deadline), or "CODE" for a failure, "no answer". Static storage.
static const char *s_deadlines_as (const char *endpoint, zcert_t *key, const char *server_key,
                                   const char *la, const char *child)
{
    static char text[512];
    Journey__V1__DeadlinesRequest ask = JOURNEY__V1__DEADLINES_REQUEST__INIT;
    ask.la_code = (char *) la;
    ask.child_id = (char *) child;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_DEADLINES_REQUEST;
    request.deadlines_request = &ask;
    jy_envelope_t *reply = st_ask_as (endpoint, key, server_key, "deadlines-1", &request);
    Journey__V1__DeadlinesReply *answer =
        reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_DEADLINES_REPLY
            ? reply->deadlines_reply
            : NULL;
    if (!answer)
        snprintf (text, sizeof text, "no answer");
    else if (!answer->ok)
        snprintf (text, sizeof text, "%s", answer->code ? answer->code : "?");
    else {
        snprintf (text, sizeof text, "ok:");
        for (size_t i = 0; i < answer->n_deadlines; i++) {
            Journey__V1__Deadline *deadline = answer->deadlines[i];
            size_t used = strlen (text);
            snprintf (text + used, sizeof text - used, " %s %s %s %s %s;", deadline->la_code,
                      deadline->clock, deadline->started_on, deadline->due_on, deadline->state);
        }
    }
    jy_envelope_free (&reply);
    return text;
}

//  Every alert an AlertsRequest (from the start) gives key: "head H: la child clock kind
//  raised_on; ...", or "CODE", "no answer". Static storage.
static const char *s_alerts_as (const char *endpoint, zcert_t *key, const char *server_key)
{
    static char text[1024];
    static const char *const kinds[] = {"?",       "due_soon",   "drifted",     "due_today",
                                        "overdue", "overdue_by", "rag_changed", "caseload"};
    Journey__V1__AlertsRequest ask = JOURNEY__V1__ALERTS_REQUEST__INIT;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_ALERTS_REQUEST;
    request.alerts_request = &ask;
    jy_envelope_t *reply = st_ask_as (endpoint, key, server_key, "alerts-1", &request);
    Journey__V1__AlertsReply *answer =
        reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_ALERTS_REPLY
            ? reply->alerts_reply
            : NULL;
    if (!answer)
        snprintf (text, sizeof text, "no answer");
    else if (answer->has_ok && !answer->ok)
        snprintf (text, sizeof text, "%s", answer->code ? answer->code : "?");
    else {
        snprintf (text, sizeof text, "head %" PRIu64 ":", answer->head);
        for (size_t i = 0; i < answer->n_alerts; i++) {
            Journey__V1__Alert *alert = answer->alerts[i];
            size_t used = strlen (text);
            snprintf (text + used, sizeof text - used, " %s %s %s %s %s;", alert->la_code,
                      alert->child_id, alert->clock,
                      alert->kind >= 0 && alert->kind < 8 ? kinds[alert->kind] : "?",
                      alert->raised_on);
        }
    }
    jy_envelope_free (&reply);
    return text;
}

int main (void)
{
    if (!getenv ("JOURNEY_SERVICES_DIR") || !getenv ("JOURNEY_CLI") ||
        !getenv ("JOURNEY_DATABASE_INGEST_URL") || !getenv ("JOURNEY_DATABASE_TIMELINESS_URL"))
        return 77;
    char keys[300], clients[300];
    st_dir_create ("reads", keys, clients, sizeof keys);
    CHECK_INT (st_keygen ("server", "--server", NULL), 0);
    CHECK_INT (st_keygen ("cms", "--la-codes", "210 872", NULL), 0);
    CHECK_INT (st_keygen ("reader-872", "--read", "alerts", "--read-la-codes", "872", NULL), 0);
    CHECK_INT (st_keygen ("nobody", NULL), 0);
    //  The server key among the clients: journey-timelinessd follows ingestd's feed with it.
    st_allow ("server", "cms", "reader-872", "nobody", NULL);

    st_db_t admin;
    st_db_create (&admin, "journey_security_r_");
    st_db_use (&admin, "JOURNEY_DATABASE_INGEST_URL");
    st_db_use (&admin, "JOURNEY_DATABASE_TIMELINESS_URL");

    char ingest[64], events[64], timeliness[64], alerts[64];
    st_loopback (ingest, sizeof ingest);
    st_loopback (events, sizeof events);
    st_loopback (timeliness, sizeof timeliness);
    st_loopback (alerts, sizeof alerts);
    st_daemon_env ();
    setenv ("JOURNEY_INGEST_REQUEST", ingest, 1);
    setenv ("JOURNEY_INGEST_FEED", events, 1);
    setenv ("JOURNEY_TIMELINESS_REQUEST", timeliness, 1);
    setenv ("JOURNEY_TIMELINESS_FEED", alerts, 1);
    setenv ("JOURNEY_TIMELINESS_EVENTS", events, 1);
    setenv ("JOURNEY_TIMELINESS_THRESHOLDS_INTERVAL_DAYS", "366", 1);
    setenv ("JOURNEY_INGEST_LA_CODES", "210", 1);
    //  Both on Monday 2025-06-30.
    pid_t ingestd = st_spawn ("ingest", st_path ("ingestd.log"));
    pid_t timelinessd = st_spawn ("timeliness", st_path ("timelinessd.log"));

    zcert_t *server = st_key ("server.pub");
    zcert_t *cms = st_key ("cms");
    zcert_t *reader = st_key ("reader-872");
    zcert_t *nobody = st_key ("nobody");
    const char *server_key = zcert_public_txt (server);
    st_client_t pusher = st_client (ingest, ZMQ_DEALER, cms, server_key);
    CHECK_STR (st_handshake (&pusher), "HANDSHAKE_SUCCEEDED");
    st_client_t watcher = st_client (timeliness, ZMQ_DEALER, nobody, server_key);
    CHECK_STR (st_handshake (&watcher), "HANDSHAKE_SUCCEEDED");

    const char *lines[] = {REGISTERED ("A1", "872", "C1"), CONTACT ("A2", "872", "C1"),
                           REGISTERED ("A3", "210", "C2"), CONTACT ("A4", "210", "C2")};
    CHECK_INT (st_push (pusher.sock, "batch-1", lines, 4), 4);
    //  Each contact_decision is announced DUE_SOON as it is derived: alerts 1 and 2.
    CHECK (s_until (watcher.sock, 4, 2));

    //  Deadlines: the reader's LA only; the other LA's child is as an unknown child.
    CHECK_STR (s_deadlines_as (timeliness, reader, server_key, "872", "C1"),
               "ok: 872 contact_decision 2025-06-30 2025-07-01 open;");
    CHECK_STR (s_deadlines_as (timeliness, reader, server_key, "210", "C2"), "ok:");
    CHECK_STR (s_deadlines_as (timeliness, reader, server_key, "210", "C9"), "ok:");
    CHECK_STR (s_deadlines_as (timeliness, nobody, server_key, "872", "C1"), "ok:");
    CHECK_STR (s_deadlines_as (timeliness, nobody, server_key, "210", "C2"), "ok:");
    //  The daemon itself holds C2's deadline: what the reader is denied exists.
    jy_db_t *db = jy_db_new (admin.url);
    CHECK_INT (jy_db_connect (db, 10000), 0);
    PGresult *held = jy_db_query (db,
                                  "SELECT due_on::text FROM timeliness.deadline"
                                  " WHERE la_code = '210' AND child_id = 'C2'",
                                  0, NULL);
    CHECK_STR (held && PQntuples (held) == 1 ? PQgetvalue (held, 0, 0) : "none", "2025-07-01");
    PQclear (held);
    jy_db_destroy (&db);

    //  Wednesday: the day after the due date, OVERDUE for each (alerts 3 and 4).
    CHECK_INT (s_clock_set (watcher.sock, "2025-07-02"), 0);
    CHECK (s_until (watcher.sock, 4, 4));
    CHECK_STR (s_alerts_as (timeliness, reader, server_key),
               "head 4: 872 C1 contact_decision due_soon 2025-06-30;"
               " 872 C1 contact_decision overdue 2025-07-02;");
    CHECK_STR (s_alerts_as (timeliness, nobody, server_key), "head 4:");
    CHECK_STR (s_deadlines_as (timeliness, reader, server_key, "872", "C1"),
               "ok: 872 contact_decision 2025-06-30 2025-07-01 missed;");
    CHECK_STR (s_deadlines_as (timeliness, reader, server_key, "210", "C2"), "ok:");

    CHECK_INT (jy_test_daemon_stop (timelinessd, 30000), 0);
    CHECK_INT (jy_test_daemon_stop (ingestd, 30000), 0);
    st_client_destroy (&pusher);
    st_client_destroy (&watcher);
    zcert_destroy (&server);
    zcert_destroy (&cms);
    zcert_destroy (&reader);
    zcert_destroy (&nobody);
    return st_finish (&admin, "security.reads");
}
