/*  What the journey-timelinessd tests share: a database of their own, the real journey-ingestd
    and journey-timelinessd on a simulated clock, events pushed as EventBatch frames, the clock
    moved with ClockSet, and the alert feed received on a SUB socket.
*/
#ifndef JOURNEY_TIMELINESS_TEST_H_INCLUDED
#define JOURNEY_TIMELINESS_TEST_H_INCLUDED

#include <stdarg.h>

#include "jy_test.h"
#include "jy_test_daemon.h"
#include "journey/journey.h"

typedef struct {
    char dir[256];
    char dbname[64];
    char admin_url[1024];
    char ingest_url[1024];
    char timeliness_url[1024];
    jy_db_t *db; //  admin role, on the test's database
    char ingest_request[320], ingest_feed[320];
    char timeliness_request[320], timeliness_feed[320];
} tt_env_t;

static tt_env_t tt_env;

//  --- Processes -------------------------------------------------------------------------------

//  Start a daemon ("ingest/journey-ingestd") on the simulated clock at date; its log in
//  tt_env.dir/log_name.
static inline pid_t tt_spawn (const char *program_path, const char *log_name, const char *date)
{
    char log_path[512];
    snprintf (log_path, sizeof log_path, "%s/%s", tt_env.dir, log_name);
    return jy_test_daemon_start_on (program_path, log_path, date);
}

static inline bool tt_log_contains (const char *log_name, const char *text)
{
    char path[512];
    snprintf (path, sizeof path, "%s/%s", tt_env.dir, log_name);
    return jy_test_file_contains (path, text);
}

//  Stop a daemon with SIGTERM: its exit status (0 for a clean stop).
static inline int tt_stop (pid_t pid)
{
    return jy_test_daemon_stop (pid, 30000);
}

//  --- The database ------------------------------------------------------------------------------

//  A database of its own named journey_<name>_<pid>, migrated, and the environment pointing
//  the daemons at it and at endpoints in a directory of their own. 0 or -1.
static inline int tt_setup (const char *name)
{
    const char *admin_url = jy_test_db_url ();
    snprintf (tt_env.dbname, sizeof tt_env.dbname, "journey_%s_%d", name, (int) getpid ());
    jy_db_t *admin = jy_db_new (admin_url);
    if (jy_db_connect (admin, 10000)) {
        fprintf (stderr, "cannot connect to %s: %s\n", admin_url, jy_db_error (admin));
        jy_db_destroy (&admin);
        return -1;
    }
    char sql[256];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s", tt_env.dbname);
    jy_db_exec (admin, sql, 0, NULL);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", tt_env.dbname);
    int rc = jy_db_exec (admin, sql, 0, NULL);
    jy_db_destroy (&admin);
    if (rc)
        return -1;
    snprintf (tt_env.admin_url, sizeof tt_env.admin_url, "%s dbname=%s", admin_url, tt_env.dbname);
    snprintf (tt_env.ingest_url, sizeof tt_env.ingest_url, "%s dbname=%s",
              getenv ("JOURNEY_DATABASE_INGEST_URL"), tt_env.dbname);
    snprintf (tt_env.timeliness_url, sizeof tt_env.timeliness_url, "%s dbname=%s",
              getenv ("JOURNEY_DATABASE_TIMELINESS_URL"), tt_env.dbname);
    setenv ("JOURNEY_DATABASE_ADMIN_URL", tt_env.admin_url, 1);
    const char *migrate[] = {getenv ("JOURNEY_CLI"), "migrate", NULL};
    if (jy_test_run (NULL, migrate) != 0)
        return -1;
    tt_env.db = jy_db_new (tt_env.admin_url);
    if (jy_db_connect (tt_env.db, 10000))
        return -1;

    snprintf (tt_env.dir, sizeof tt_env.dir, "/tmp/jy-%s-test-%d", name, (int) getpid ());
    zsys_dir_create ("%s", tt_env.dir);
    snprintf (tt_env.ingest_request, sizeof tt_env.ingest_request, "ipc://%s/ingest.ipc",
              tt_env.dir);
    snprintf (tt_env.ingest_feed, sizeof tt_env.ingest_feed, "ipc://%s/events.ipc", tt_env.dir);
    snprintf (tt_env.timeliness_request, sizeof tt_env.timeliness_request,
              "ipc://%s/timeliness.ipc", tt_env.dir);
    snprintf (tt_env.timeliness_feed, sizeof tt_env.timeliness_feed, "ipc://%s/alerts.ipc",
              tt_env.dir);
    setenv ("JOURNEY_INGEST_REQUEST", tt_env.ingest_request, 1);
    setenv ("JOURNEY_INGEST_FEED", tt_env.ingest_feed, 1);
    setenv ("JOURNEY_TIMELINESS_REQUEST", tt_env.timeliness_request, 1);
    setenv ("JOURNEY_TIMELINESS_FEED", tt_env.timeliness_feed, 1);
    setenv ("JOURNEY_TIMELINESS_EVENTS", tt_env.ingest_feed, 1);
    setenv ("JOURNEY_DATABASE_INGEST_URL", tt_env.ingest_url, 1);
    setenv ("JOURNEY_DATABASE_TIMELINESS_URL", tt_env.timeliness_url, 1);
    setenv ("JOURNEY_DATABASE_CONNECT_WAIT_MS", "10000", 1);
    setenv ("JOURNEY_LA_CODE", "872", 1);
    //  KPI ratings are test_thresholds' subject: here they would only cost time, so once.
    setenv ("JOURNEY_TIMELINESS_THRESHOLDS_INTERVAL_DAYS", "366", 1);
    return 0;
}

static inline void tt_teardown (void)
{
    jy_db_destroy (&tt_env.db);
    jy_db_t *admin = jy_db_new (jy_test_db_url ());
    if (jy_db_connect (admin, 10000) == 0) {
        char sql[256];
        snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", tt_env.dbname);
        jy_db_exec (admin, sql, 0, NULL);
    }
    jy_db_destroy (&admin);
    //  The daemons' logs stay when something failed, or when asked (JOURNEY_TEST_KEEP=1).
    if (jy_test_failures == 0 && !getenv ("JOURNEY_TEST_KEEP")) {
        char command[600];
        snprintf (command, sizeof command, "rm -rf %s", tt_env.dir);
        if (system (command) != 0)
            fprintf (stderr, "could not remove %s\n", tt_env.dir);
    }
}

//  The first column of the first row as text; "" when there is no row, "(null)" for NULL.
//  The parameters may be NULL (SQL NULL).
static char tt_value_text[4096];
static inline const char *tt_value_params (const char *sql, int count, const char *const *params)
{
    PGresult *result = jy_db_query (tt_env.db, sql, count, params);
    snprintf (tt_value_text, sizeof tt_value_text, "%s",
              !result                      ? "(error)"
              : PQntuples (result) == 0    ? ""
              : PQgetisnull (result, 0, 0) ? "(null)"
                                           : PQgetvalue (result, 0, 0));
    if (!result)
        fprintf (stderr, "query failed: %s: %s\n", sql, jy_db_error (tt_env.db));
    PQclear (result);
    return tt_value_text;
}

//  The same with the parameters listed up to a NULL.
static inline const char *tt_value (const char *sql, ...)
{
    const char *params[8];
    int count = 0;
    va_list args;
    va_start (args, sql);
    for (const char *param; count < 8 && (param = va_arg (args, const char *));)
        params[count++] = param;
    va_end (args);
    return tt_value_params (sql, count, params);
}
#define TT_VALUE(...) tt_value (__VA_ARGS__, (const char *) NULL)

//  --- Requests
//  ------------------------------------------------------------------------------------

static inline zsock_t *tt_dealer (const char *endpoint)
{
    zsock_t *dealer = zsock_new_dealer (endpoint);
    assert (dealer);
    zsock_set_linger (dealer, 0);
    return dealer;
}

static inline jy_envelope_t *tt_status (zsock_t *dealer)
{
    Journey__V1__StatusRequest body = JOURNEY__V1__STATUS_REQUEST__INIT;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REQUEST;
    request.status_request = &body;
    return jy_test_ask (dealer, &request, 20000);
}

//  A daemon's clock to date (09:00). 0 or -1.
static inline int tt_clock_set_one (zsock_t *dealer, const char *date)
{
    Journey__V1__ClockSet set = JOURNEY__V1__CLOCK_SET__INIT;
    set.date = (char *) date;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_CLOCK_SET;
    request.clock_set = &set;
    jy_envelope_t *reply = jy_test_ask (dealer, &request, 20000);
    int rc =
        reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY && reply->reply->ok
            ? 0
            : -1;
    jy_envelope_free (&reply);
    return rc;
}

//  The timeliness daemon's feed positions from Status: the event feed's position and its
//  alert feed's last number. false when it did not answer.
static inline bool tt_positions (zsock_t *timeliness, uint64_t *events, uint64_t *alerts)
{
    jy_envelope_t *reply = tt_status (timeliness);
    bool ok = reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY;
    for (size_t i = 0; ok && i < reply->status_reply->n_feeds; i++) {
        Journey__V1__FeedPosition *feed = reply->status_reply->feeds[i];
        if (strcmp (feed->feed, "events") == 0 && events)
            *events = feed->position;
        if (strcmp (feed->feed, "alerts") == 0 && alerts)
            *alerts = feed->position;
    }
    jy_envelope_free (&reply);
    return ok;
}

//  Wait (bounded short polls) until journey-timelinessd has consumed every committed event.
//  Its Status answers between loop turns, so once the position is at the head, everything
//  those events caused has committed. true when it got there.
static inline bool tt_caught_up (zsock_t *timeliness)
{
    uint64_t head = strtoull (
        TT_VALUE ("SELECT head FROM ingest.feed_head WHERE feed = $1", "events"), NULL, 10);
    for (int poll = 0; poll < 12000; poll++) {
        uint64_t position = 0;
        if (tt_positions (timeliness, &position, NULL) && position >= head)
            return true;
        nanosleep (&(struct timespec){0, 500 * 1000}, NULL);
    }
    fprintf (stderr, "journey-timelinessd did not reach event %llu\n", (unsigned long long) head);
    return false;
}

//  --- Events
//  --------------------------------------------------------------------------------------

//  A batch of events being written: JSON lines, each recorded at noon on its own date.
typedef struct {
    char **lines;
    size_t count, capacity;
} tt_batch_t;

static unsigned tt_event_number;

static inline void tt_add_line (tt_batch_t *batch, char *line)
{
    if (batch->count == batch->capacity) {
        batch->capacity = batch->capacity ? batch->capacity * 2 : 64;
        batch->lines = realloc (batch->lines, batch->capacity * sizeof *batch->lines);
        assert (batch->lines);
    }
    batch->lines[batch->count++] = line;
}

//  An event for child on date with the payload given as `"kind":{...}`; returns its event_id
//  (valid until the batch is freed).
static inline const char *tt_event (tt_batch_t *batch, const char *child, const char *date,
                                    const char *payload_format, ...)
{
    char payload[1024];
    va_list args;
    va_start (args, payload_format);
    vsnprintf (payload, sizeof payload, payload_format, args);
    va_end (args);
    char *line = malloc (1600);
    assert (line);
    int id_at = snprintf (line, 1600, "{\"event_id\":\"");
    snprintf (line + id_at, 1600 - (size_t) id_at,
              "E%u\",\"la_code\":\"872\",\"child_id\":\"%s\",\"occurred_on\":\"%s\","
              "\"recorded_at\":\"%sT12:00:00Z\",\"source\":\"test\",%s}",
              ++tt_event_number, child, date, date, payload);
    tt_add_line (batch, line);
    static char ids[16][16];
    static int next;
    next = (next + 1) % 16;
    snprintf (ids[next], sizeof ids[next], "E%u", tt_event_number);
    return ids[next];
}

static inline void tt_batch_free (tt_batch_t *batch)
{
    for (size_t i = 0; i < batch->count; i++)
        free (batch->lines[i]);
    free (batch->lines);
    memset (batch, 0, sizeof *batch);
}

//  Push the batch to journey-ingestd in one EventBatch and empty it. Returns how many were
//  accepted; every refusal is printed (a test's event that is refused is a broken test).
static inline size_t tt_push (zsock_t *ingest, tt_batch_t *batch)
{
    size_t accepted = 0;
    if (batch->count == 0)
        return 0;
    Journey__V1__Event **events = calloc (batch->count, sizeof *events);
    assert (events);
    for (size_t i = 0; i < batch->count; i++) {
        char err[256];
        events[i] =
            jy_json_parse_event (batch->lines[i], strlen (batch->lines[i]), err, sizeof err);
        if (!events[i]) {
            fprintf (stderr, "bad test event: %s: %s\n", err, batch->lines[i]);
            abort ();
        }
    }
    Journey__V1__EventBatch body = JOURNEY__V1__EVENT_BATCH__INIT;
    body.batch_id = "test";
    body.n_events = batch->count;
    body.events = events;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH;
    request.event_batch = &body;
    jy_envelope_t *reply = jy_test_ask (ingest, &request, 60000);
    Journey__V1__BatchResult *result =
        reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_BATCH_RESULT
            ? reply->batch_result
            : NULL;
    if (!result)
        fprintf (stderr, "no BatchResult from journey-ingestd\n");
    for (size_t i = 0; result && i < result->n_results; i++) {
        if (result->results[i]->status == JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED)
            accepted++;
        else
            fprintf (stderr, "event refused: %s (%s): %s\n",
                     result->results[i]->code ? result->results[i]->code : "?",
                     result->results[i]->message ? result->results[i]->message : "",
                     batch->lines[result->results[i]->index]);
    }
    jy_envelope_free (&reply);
    for (size_t i = 0; i < batch->count; i++)
        journey__v1__event__free_unpacked (events[i], NULL);
    free (events);
    for (size_t i = 0; i < batch->count; i++)
        free (batch->lines[i]);
    batch->count = 0;
    return accepted;
}

//  --- The alert feed ---------------------------------------------------------------------------

//  A SUB on the alert feed and what it received, as "seq kind child clock" lines.
typedef struct {
    zsock_t *sub;
    char **lines;
    uint64_t *seqs;
    size_t count, capacity;
} tt_alerts_t;

static inline void tt_alerts_open (tt_alerts_t *alerts)
{
    memset (alerts, 0, sizeof *alerts);
    alerts->sub = zsock_new_sub (tt_env.timeliness_feed, "alerts");
    assert (alerts->sub);
}

static inline const char *tt_kind_name (int kind)
{
    static const char *const names[] = {"?",       "due_soon",   "drifted",     "due_today",
                                        "overdue", "overdue_by", "rag_changed", "caseload"};
    return kind >= 0 && kind < 8 ? names[kind] : "?";
}

//  Receive one frame, waiting up to timeout_ms: 1 for an alert (recorded), 0 for a heartbeat,
//  -1 when nothing came.
static inline int tt_alerts_receive (tt_alerts_t *alerts, int timeout_ms)
{
    zpoller_t *poller = zpoller_new (alerts->sub, NULL);
    void *which = zpoller_wait (poller, timeout_ms);
    zpoller_destroy (&poller);
    if (!which)
        return -1;
    char *topic = NULL;
    jy_wire_status_t status;
    jy_envelope_t *envelope =
        jy_wire_recv (alerts->sub, JY_WIRE_DEFAULT_CAP, NULL, &topic, &status);
    free (topic);
    if (!envelope || envelope->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT) {
        jy_envelope_free (&envelope);
        return 0;
    }
    const Journey__V1__Alert *alert = envelope->alert;
    if (alerts->count == alerts->capacity) {
        alerts->capacity = alerts->capacity ? alerts->capacity * 2 : 256;
        alerts->lines = realloc (alerts->lines, alerts->capacity * sizeof *alerts->lines);
        alerts->seqs = realloc (alerts->seqs, alerts->capacity * sizeof *alerts->seqs);
        assert (alerts->lines && alerts->seqs);
    }
    char *line = malloc (256);
    assert (line);
    snprintf (line, 256, "%s %s %s %s", tt_kind_name (alert->kind),
              alert->child_id ? alert->child_id : "-", alert->clock ? alert->clock : "-",
              alert->raised_on ? alert->raised_on : "-");
    alerts->seqs[alerts->count] = envelope->feed_seq;
    alerts->lines[alerts->count++] = line;
    jy_envelope_free (&envelope);
    return 1;
}

//  Until the SUB is connected: a heartbeat (every second) shows it is.
static inline bool tt_alerts_wait_live (tt_alerts_t *alerts)
{
    for (int turn = 0; turn < 10; turn++)
        if (tt_alerts_receive (alerts, 1000) >= 0)
            return true;
    return false;
}

//  Receive until count alerts have arrived in all, waiting at most timeout_ms for each.
static inline size_t tt_alerts_until (tt_alerts_t *alerts, size_t count, int timeout_ms)
{
    while (alerts->count < count && tt_alerts_receive (alerts, timeout_ms) >= 0)
        ;
    return alerts->count;
}

static inline void tt_alerts_close (tt_alerts_t *alerts)
{
    for (size_t i = 0; i < alerts->count; i++)
        free (alerts->lines[i]);
    free (alerts->lines);
    free (alerts->seqs);
    zsock_destroy (&alerts->sub);
}

#endif
