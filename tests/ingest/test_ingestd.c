/*  journey-ingestd as a client sees it: a real daemon process against its own database
    (created, migrated with `journey migrate`, dropped at the end), real sockets.

    Valid events are accepted and numbered 1..n without gaps, with their projection rows; the
    same batch again is all duplicates and stores nothing; changed content under a known id is a
    conflict; bad events are refused with their codes and kept as dead letters with their raw
    bytes while the good ones of the batch commit; unparsed records, foreign LAs, oversized
    batches and garbage frames get their codes; the feed delivers the accepted events in order;
    a correction and a retraction move the projection; Status reports the feed head; SIGTERM
    exits 0; a restart reloads the store and still knows every event.
*/
#define _GNU_SOURCE
#include <unistd.h>

#include "jy_test.h"
#include "ingest_test.h"
#include "jy_test_daemon.h"
#include "journey/journey.h"

static char s_dir[256];
static char s_request_endpoint[320];
static char s_feed_endpoint[320];
static char s_dbname[64];
static jy_db_t *s_db; //  admin role, on the test's own database

//  --- Process helpers ----------------------------------------------------------------------

static pid_t s_spawn (const char *log_name)
{
    char log_path[512];
    snprintf (log_path, sizeof log_path, "%s/%s", s_dir, log_name);
    return jy_test_daemon_start_on ("ingest/journey-ingestd", log_path, "2025-06-30");
}

static bool s_log_contains (const char *log_name, const char *text)
{
    char path[512];
    snprintf (path, sizeof path, "%s/%s", s_dir, log_name);
    return jy_test_file_contains (path, text);
}

//  --- Talking to the daemon ----------------------------------------------------------------

static jy_envelope_t *s_receive (zsock_t *dealer)
{
    return jy_test_receive (dealer, 20000);
}

static zsock_t *s_dealer (void)
{
    zsock_t *dealer = zsock_new_dealer (s_request_endpoint);
    assert (dealer);
    zsock_set_linger (dealer, 0);
    return dealer;
}

//  Send a batch of JSON lines (and unparsed records) without waiting for the answer. 0 or -1.
static int s_post_batch (zsock_t *dealer, const char *batch_id, const char *const *lines,
                         size_t count, Journey__V1__UnparsedEvent **unparsed, size_t unparsed_count)
{
    Journey__V1__Event **events = calloc (count ? count : 1, sizeof *events);
    for (size_t i = 0; i < count; i++)
        events[i] = it_parse (lines[i]);
    Journey__V1__EventBatch batch = JOURNEY__V1__EVENT_BATCH__INIT;
    batch.batch_id = (char *) batch_id;
    batch.n_events = count;
    batch.events = events;
    batch.n_unparsed = unparsed_count;
    batch.unparsed = unparsed;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.message_id = (char *) batch_id;
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH;
    request.event_batch = &batch;
    int rc = jy_wire_send (dealer, &request);
    for (size_t i = 0; i < count; i++)
        journey__v1__event__free_unpacked (events[i], NULL);
    free (events);
    return rc;
}

//  Send a batch of JSON lines (and unparsed records) and wait for the BatchResult.
static jy_envelope_t *s_send_batch (zsock_t *dealer, const char *batch_id, const char *const *lines,
                                    size_t count, Journey__V1__UnparsedEvent **unparsed,
                                    size_t unparsed_count)
{
    return s_post_batch (dealer, batch_id, lines, count, unparsed, unparsed_count) == 0
               ? s_receive (dealer)
               : NULL;
}

static Journey__V1__BatchResult *s_result (jy_envelope_t *reply)
{
    if (!reply || reply->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_BATCH_RESULT)
        return NULL;
    return reply->batch_result;
}

static int s_status_of (Journey__V1__BatchResult *result, size_t index)
{
    return result && index < result->n_results ? (int) result->results[index]->status : -1;
}

static const char *s_code_of (Journey__V1__BatchResult *result, size_t index)
{
    return result && index < result->n_results ? result->results[index]->code : NULL;
}

static jy_envelope_t *s_status (zsock_t *dealer)
{
    Journey__V1__StatusRequest status_request = JOURNEY__V1__STATUS_REQUEST__INIT;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REQUEST;
    request.status_request = &status_request;
    return jy_test_ask (dealer, &request, 20000);
}

//  --- Database helpers ---------------------------------------------------------------------

//  The first column of the first row as text, "" when there is no row, "(null)" for NULL.
static char s_value_text[256];
static const char *s_value (const char *sql, const char *param)
{
    const char *params[1] = {param};
    PGresult *result = jy_db_query (s_db, sql, param ? 1 : 0, params);
    snprintf (s_value_text, sizeof s_value_text, "%s",
              !result                      ? "(error)"
              : PQntuples (result) == 0    ? ""
              : PQgetisnull (result, 0, 0) ? "(null)"
                                           : PQgetvalue (result, 0, 0));
    PQclear (result);
    return s_value_text;
}

static long s_count (const char *sql, const char *param)
{
    return atol (s_value (sql, param));
}

//  The dead letters of a batch, in batch order: "code|field|la_code|event_id" lines and their
//  raw bytes.
typedef struct {
    int rows;
    char line[8][160];
    uint8_t *raw[8];
    size_t raw_size[8];
} s_dead_t;

static void s_dead_letters (const char *batch_id, s_dead_t *dead)
{
    memset (dead, 0, sizeof *dead);
    const char *params[1] = {batch_id};
    PGresult *result = jy_db_query_binary (
        s_db,
        "SELECT code || '|' || coalesce (field, '') || '|' || la_code || '|' ||"
        " coalesce (event_id, ''), raw FROM ingest.dead_letter WHERE batch_id = $1"
        " ORDER BY batch_index",
        1, params);
    if (!result)
        return;
    for (int row = 0; row < PQntuples (result) && row < 8; row++) {
        snprintf (dead->line[row], sizeof dead->line[row], "%.*s", PQgetlength (result, row, 0),
                  PQgetvalue (result, row, 0));
        dead->raw_size[row] = (size_t) PQgetlength (result, row, 1);
        dead->raw[row] = malloc (dead->raw_size[row] + 1);
        memcpy (dead->raw[row], PQgetvalue (result, row, 1), dead->raw_size[row]);
        dead->rows++;
    }
    PQclear (result);
}

static void s_dead_free (s_dead_t *dead)
{
    for (int i = 0; i < dead->rows; i++)
        free (dead->raw[i]);
}

//  Do these bytes equal the packed form of the event in this JSON line?
static bool s_raw_is_event (const uint8_t *raw, size_t size, const char *line)
{
    Journey__V1__Event *event = it_parse (line);
    size_t packed_size = journey__v1__event__get_packed_size (event);
    uint8_t *packed = malloc (packed_size + 1);
    journey__v1__event__pack (event, packed);
    bool same = packed_size == size && memcmp (packed, raw, size) == 0;
    free (packed);
    journey__v1__event__free_unpacked (event, NULL);
    return same;
}

//  --- The feed ------------------------------------------------------------------------------

typedef struct {
    uint64_t seqs[64];
    char ids[64][16];
    size_t count;
    bool in_order;
} s_feed_seen_t;

static int s_on_event (void *arg, uint64_t seq, jy_envelope_t *envelope)
{
    s_feed_seen_t *seen = arg;
    if (seen->count && seq != seen->seqs[seen->count - 1] + 1)
        seen->in_order = false;
    if (seen->count < 64) {
        seen->seqs[seen->count] = seq;
        snprintf (seen->ids[seen->count], sizeof seen->ids[0], "%s",
                  envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT &&
                          envelope->event->event_id
                      ? envelope->event->event_id
                      : "?");
    }
    seen->count++;
    return 0;
}

//  Follow the feed until the position reaches head, for at most 10 s. When nothing arrives
//  for a moment, catch up from the table (the live frames may have gone before the SUB
//  joined): so the slow-joiner start cannot make the test flaky.
static void s_follow (jy_feed_sub_t *sub, uint64_t head)
{
    zpoller_t *poller = zpoller_new (jy_feed_sub_socket (sub), NULL);
    int64_t until = zclock_mono () + 10000;
    while (jy_feed_sub_position (sub) < head && zclock_mono () < until) {
        if (zpoller_wait (poller, 200))
            jy_feed_sub_on_readable (sub);
        else
            jy_feed_sub_catch_up (sub);
    }
    zpoller_destroy (&poller);
}

//  --- The events ----------------------------------------------------------------------------

#define COMMON(id, child, date, recorded)                                                          \
    "{\"event_id\":\"" id "\",\"la_code\":\"872\",\"child_id\":\"" child                           \
    "\",\"occurred_on\":\"" date "\",\"recorded_at\":\"" recorded "\",\"source\":\"lcs\","

static const char *const s_first[] = {
    COMMON ("E100", "C1", "2024-01-03",
            "2024-01-03T09:12:00Z") "\"child_registered\":{\"date_of_birth\":\"2016-05-14\","
                                    "\"sex\":\"F\",\"ethnicity\":"
                                    "\"WBRI\",\"disability\":false,\"uasc\":false}}",
    COMMON ("E101", "C1", "2024-01-04",
            "2024-01-04T11:00:00Z") "\"contact_received\":{\"contact_id\":\"CT1\",\"contact_"
                                    "source\":\"1B\"}}",
    COMMON ("E102", "C1", "2024-01-05",
            "2024-01-05T09:30:00Z") "\"contact_decided\":{\"contact_id\":\"CT1\",\"outcome\":"
                                    "\"referral\"}}",
    COMMON ("E103", "C1", "2024-01-05",
            "2024-01-05T10:00:00Z") "\"referral_received\":{\"referral_id\":\"R1\",\"contact_id\":"
                                    "\"CT1\","
                                    "\"referral_source\":\"1B\"}}",
    COMMON ("E105", "C1", "2024-01-08",
            "2024-01-08T09:00:00Z") "\"assessment_started\":{\"assessment_id\":\"A1\",\"referral_"
                                    "id\":\"R1\"}}",
};
#define FIRST_COUNT (sizeof s_first / sizeof s_first[0])

static void s_check_first_batch (zsock_t *dealer, int expected_status, const char *batch_id)
{
    jy_envelope_t *reply = s_send_batch (dealer, batch_id, s_first, FIRST_COUNT, NULL, 0);
    Journey__V1__BatchResult *result = s_result (reply);
    CHECK (result != NULL);
    CHECK_INT (result ? (int) result->status : -1, JOURNEY__V1__BATCH_RESULT__STATUS__OK);
    CHECK_STR (result ? result->batch_id : NULL, batch_id);
    CHECK_STR (reply ? reply->message_id : NULL, batch_id);
    CHECK_INT (result ? result->n_results : 0, FIRST_COUNT);
    for (size_t i = 0; i < FIRST_COUNT; i++) {
        CHECK_INT (s_status_of (result, i), expected_status);
        CHECK_INT (result && i < result->n_results ? result->results[i]->index : 99, i);
    }
    jy_envelope_free (&reply);
}

//  --- The daemon, and what the scenarios share --------------------------------------------

static zsock_t *s_client;                         //  to the daemon's request socket
static pid_t s_pid;                               //  the daemon
static jy_feed_sub_t *s_sub;                      //  on the daemon's feed from the start
static s_feed_seen_t s_seen = {.in_order = true}; //  what s_sub received
static jy_db_t *s_admin;                          //  admin role, on the cluster's admin database
static char s_ingest_url[1024];                   //  the ingest role on the test's database

//  Known id, changed content.
static const char *const s_changed[] = {COMMON (
    "E101", "C1", "2024-01-04",
    "2024-01-04T11:00:00Z") "\"contact_received\":{\"contact_id\":\"CT1\",\"contact_source\":"
                            "\"1A\"}}"};

//  Good and bad together: a valid event, then three that are refused.
static const char *const s_mixed[] = {
    COMMON ("E200", "C2", "2024-02-01",
            "2024-02-01T09:00:00Z") "\"child_registered\":{\"date_of_birth\":\"2019-07-01\","
                                    "\"sex\":\"M\",\"ethnicity\":"
                                    "\"WBRI\",\"disability\":false,\"uasc\":false}}",
    COMMON ("E201", "C99", "2024-02-01",
            "2024-02-01T09:00:00Z") "\"contact_received\":{\"contact_id\":\"CT9\",\"contact_"
                                    "source\":\"1B\"}}",
    "{\"event_id\":\"E202\",\"la_code\":\"872\",\"occurred_on\":\"2024-02-01\","
    "\"recorded_at\":\"2024-02-01T09:00:00Z\",\"source\":\"lcs\",\"contact_received\":"
    "{\"contact_id\":\"CT8\",\"contact_source\":\"1B\"}}",
    COMMON ("E203", "C2", "2024-02-30",
            "2024-02-01T09:00:00Z") "\"contact_received\":{\"contact_id\":\"CT7\",\"contact_"
                                    "source\":\"1B\"}}",
};

//  --- The scenarios, in order, against one daemon ------------------------------------------

//  Valid events: accepted, numbered 1..5 without gaps, projected.
static void s_valid_events_are_numbered_without_gaps_and_projected (void)
{
    s_check_first_batch (s_client, JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED, "b1");
    CHECK_STR (s_value ("SELECT count(*) || ',' || min(seq) || ',' || max(seq) || ',' ||"
                        " count(DISTINCT seq) FROM ingest.event",
                        NULL),
               "5,1,5,5");
    CHECK_STR (s_value ("SELECT string_agg (event_id || ':' || kind, ' ' ORDER BY seq)"
                        " FROM ingest.event",
                        NULL),
               "E100:child_registered E101:contact_received E102:contact_decided "
               "E103:referral_received E105:assessment_started");
    CHECK_STR (s_value ("SELECT received_on FROM ingest.referral WHERE la_code = '872' AND"
                        " child_id = 'C1' AND referral_id = $1",
                        "R1"),
               "2024-01-05");
    CHECK_STR (s_value ("SELECT date_of_birth FROM ingest.child WHERE child_id = $1", "C1"),
               "2016-05-14");
    CHECK_INT (s_count ("SELECT count(*) FROM ingest.assessment WHERE assessment_id = $1", "A1"),
               1);
    CHECK_STR (s_value ("SELECT occurred_on || ' ' || (recorded_at AT TIME ZONE 'UTC')"
                        " FROM ingest.event WHERE event_id = $1",
                        "E103"),
               "2024-01-05 2024-01-05 10:00:00");
    CHECK_INT (s_count ("SELECT head FROM ingest.feed_head WHERE feed = $1", "events"), 5);
}

//  The same batch again: all duplicates, nothing new anywhere.
static void s_the_same_batch_again_is_all_duplicates (void)
{
    s_check_first_batch (s_client, JOURNEY__V1__EVENT_RESULT__STATUS__DUPLICATE, "b1-again");
    CHECK_INT (s_count ("SELECT count(*) FROM ingest.event", NULL), 5);
    CHECK_INT (s_count ("SELECT count(*) FROM ingest.dead_letter", NULL), 0);
}

//  Known id, changed content: a conflict, kept as a dead letter.
static void s_changed_content_under_a_known_id_is_a_conflict (void)
{
    jy_envelope_t *reply = s_send_batch (s_client, "b-conflict", s_changed, 1, NULL, 0);
    Journey__V1__BatchResult *result = s_result (reply);
    CHECK_INT (s_status_of (result, 0), JOURNEY__V1__EVENT_RESULT__STATUS__REJECTED);
    CHECK_STR (s_code_of (result, 0), "conflict");
    CHECK_STR (result && result->n_results ? result->results[0]->field : NULL, "event_id");
    jy_envelope_free (&reply);
    s_dead_t dead;
    s_dead_letters ("b-conflict", &dead);
    CHECK_INT (dead.rows, 1);
    CHECK_STR (dead.line[0], "conflict|event_id|872|E101");
    CHECK (dead.rows && s_raw_is_event (dead.raw[0], dead.raw_size[0], s_changed[0]));
    s_dead_free (&dead);
    CHECK_INT (s_count ("SELECT count(*) FROM ingest.event", NULL), 5);
}

//  Good and bad together: the good one commits, each bad one is refused with its code and
//  kept with its raw bytes; an unparsed record is a bad_json dead letter.
static void s_bad_events_are_dead_letters_while_good_ones_commit (void)
{
    jy_envelope_t *reply;
    Journey__V1__BatchResult *result;
    s_dead_t dead;
    const char bad_json[] = "{\"event_id\":\"E204\",";
    Journey__V1__UnparsedEvent record = JOURNEY__V1__UNPARSED_EVENT__INIT;
    record.has_index = true;
    record.index = 4;
    record.has_raw = true;
    record.raw.data = (uint8_t *) bad_json;
    record.raw.len = strlen (bad_json);
    record.error = "invalid JSON at column 21: string or '}' expected near end of file";
    Journey__V1__UnparsedEvent *records[] = {&record};
    reply = s_send_batch (s_client, "b-mixed", s_mixed, 4, records, 1);
    result = s_result (reply);
    CHECK_INT (result ? (int) result->status : -1, JOURNEY__V1__BATCH_RESULT__STATUS__OK);
    CHECK_INT (s_status_of (result, 0), JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED);
    CHECK_INT (s_status_of (result, 1), JOURNEY__V1__EVENT_RESULT__STATUS__REJECTED);
    CHECK_STR (s_code_of (result, 1), "child_not_registered");
    CHECK_STR (s_code_of (result, 2), "missing_field");
    CHECK_STR (result && result->n_results > 2 ? result->results[2]->field : NULL, "child_id");
    CHECK_STR (s_code_of (result, 3), "bad_date");
    CHECK_INT (result ? result->n_unparsed_results : 0, 1);
    if (result && result->n_unparsed_results == 1) {
        CHECK_INT (result->unparsed_results[0]->status,
                   JOURNEY__V1__EVENT_RESULT__STATUS__REJECTED);
        CHECK_STR (result->unparsed_results[0]->code, "bad_json");
        CHECK_INT (result->unparsed_results[0]->index, 4);
        CHECK_STR (result->unparsed_results[0]->message, record.error);
    }
    jy_envelope_free (&reply);
    s_dead_letters ("b-mixed", &dead);
    CHECK_INT (dead.rows, 4);
    CHECK_STR (dead.line[0], "child_not_registered|child_id|872|E201");
    CHECK_STR (dead.line[1], "missing_field|child_id|872|E202");
    CHECK_STR (dead.line[2], "bad_date|occurred_on|872|E203");
    CHECK_STR (dead.line[3], "bad_json|||");
    for (int i = 0; i < 3 && i < dead.rows; i++)
        CHECK (s_raw_is_event (dead.raw[i], dead.raw_size[i], s_mixed[i + 1]));
    CHECK (dead.rows == 4 && dead.raw_size[3] == strlen (bad_json) &&
           memcmp (dead.raw[3], bad_json, dead.raw_size[3]) == 0);
    s_dead_free (&dead);
    CHECK_STR (s_value ("SELECT message FROM ingest.dead_letter WHERE code = $1", "bad_json"),
               record.error);
    CHECK_STR (s_value ("SELECT seq FROM ingest.event WHERE event_id = $1", "E200"), "6");
    CHECK_STR (s_value ("SELECT sex FROM ingest.child WHERE child_id = $1", "C2"), "M");
}

//  Another authority's events are not this deployment's to take.
static void s_another_authoritys_events_are_refused (void)
{
    jy_envelope_t *reply;
    Journey__V1__BatchResult *result;
    s_dead_t dead;
    const char *foreign[] = {"{\"event_id\":\"X1\",\"la_code\":\"210\",\"child_id\":\"C1\","
                             "\"occurred_on\":\"2024-01-03\",\"recorded_at\":"
                             "\"2024-01-03T09:12:00Z\",\"source\":\"lcs\",\"child_registered\":"
                             "{\"date_of_birth\":\"2016-05-14\"}}"};
    reply = s_send_batch (s_client, "b-foreign", foreign, 1, NULL, 0);
    result = s_result (reply);
    CHECK_INT (s_status_of (result, 0), JOURNEY__V1__EVENT_RESULT__STATUS__REJECTED);
    CHECK_STR (s_code_of (result, 0), "la_not_allowed");
    CHECK (result && result->n_results &&
           strstr (result->results[0]->message ? result->results[0]->message : "", "210"));
    jy_envelope_free (&reply);
    s_dead_letters ("b-foreign", &dead);
    CHECK_STR (dead.line[0], "la_not_allowed|la_code|210|X1");
    s_dead_free (&dead);
}

//  Over ingest/batch_max (5): refused whole, nothing checked, stored or dead-lettered.
static void s_a_batch_over_batch_max_is_refused_whole (void)
{
    jy_envelope_t *reply;
    Journey__V1__BatchResult *result;
    long dead_before = s_count ("SELECT count(*) FROM ingest.dead_letter", NULL);
    const char *six[] = {s_first[0], s_first[1], s_first[2], s_first[3], s_first[4], s_mixed[1]};
    reply = s_send_batch (s_client, "b-big", six, 6, NULL, 0);
    result = s_result (reply);
    CHECK_INT (result ? (int) result->status : -1, JOURNEY__V1__BATCH_RESULT__STATUS__BAD_BATCH);
    CHECK (result && result->message && strstr (result->message, "at most 5"));
    CHECK_INT (result ? result->n_results : 99, 0);
    jy_envelope_free (&reply);
    CHECK_INT (s_count ("SELECT count(*) FROM ingest.dead_letter", NULL), dead_before);
    CHECK_INT (s_count ("SELECT count(*) FROM ingest.event", NULL), 6);
}

//  A garbage frame: a coded Reply, and the bytes kept.
static void s_a_garbage_frame_is_answered_and_kept (void)
{
    jy_envelope_t *reply;
    zstr_send (s_client, "this is not an envelope");
    reply = s_receive (s_client);
    CHECK (reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY);
    CHECK_STR (reply && reply->reply ? reply->reply->code : NULL, "bad_frame");
    jy_envelope_free (&reply);
    CHECK_STR (s_value ("SELECT encode (raw, 'escape') || '|' || la_code FROM ingest.dead_letter"
                        " WHERE code = $1",
                        "bad_frame"),
               "this is not an envelope|");
}

//  A request ingestd does not take.
static void s_other_requests_are_not_supported (void)
{
    jy_envelope_t *reply;
    Journey__V1__ReportRequest report = JOURNEY__V1__REPORT_REQUEST__INIT;
    jy_envelope_t other;
    jy_envelope_init (&other);
    other.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_REPORT_REQUEST;
    other.report_request = &report;
    reply = jy_wire_send (s_client, &other) == 0 ? s_receive (s_client) : NULL;
    CHECK_STR (reply && reply->reply ? reply->reply->code : NULL, "not_supported");
    jy_envelope_free (&reply);
}

//  A correction moves the referral's date; a retraction removes the assessment.
static void s_a_correction_and_a_retraction_move_the_projection (void)
{
    jy_envelope_t *reply;
    Journey__V1__BatchResult *result;
    const char *amend[] = {
        COMMON ("E106", "C1", "2024-01-06",
                "2024-01-07T09:00:00Z") "\"supersedes\":\"E103\",\"referral_received\":{\"referral_"
                                        "id\":\"R1\","
                                        "\"contact_id\":\"CT1\",\"referral_source\":\"1B\"}}",
        COMMON ("E107", "C1", "2024-01-08",
                "2024-01-09T08:00:00Z") "\"retraction\":{\"retracts\":\"E105\",\"reason\":"
                                        "\"recorded on the wrong child\"}}",
    };
    reply = s_send_batch (s_client, "b-amend", amend, 2, NULL, 0);
    result = s_result (reply);
    CHECK_INT (s_status_of (result, 0), JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED);
    CHECK_INT (s_status_of (result, 1), JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED);
    jy_envelope_free (&reply);
    CHECK_STR (s_value ("SELECT received_on FROM ingest.referral WHERE la_code = '872' AND"
                        " child_id = 'C1' AND referral_id = $1",
                        "R1"),
               "2024-01-06");
    CHECK_INT (s_count ("SELECT count(*) FROM ingest.assessment WHERE assessment_id = $1", "A1"),
               0);
    CHECK_STR (s_value ("SELECT supersedes FROM ingest.event WHERE event_id = $1", "E106"), "E103");
    CHECK_STR (s_value ("SELECT count(*) || ',' || max(seq) FROM ingest.event", NULL), "8,8");
}

//  The feed: every accepted event once, in order, as stored.
static void s_the_feed_has_every_event_once_in_order (void)
{
    s_follow (s_sub, 8);
    CHECK_INT (s_seen.count, 8);
    CHECK (s_seen.in_order);
    CHECK_INT (s_seen.seqs[0], 1);
    CHECK_STR (s_seen.ids[0], "E100");
    CHECK_STR (s_seen.ids[5], "E200");
    CHECK_STR (s_seen.ids[7], "E107");
    {
        //  The stored envelope is the live frame: Envelope{feed_seq, event}, nothing else.
        Journey__V1__Event *event = it_parse (s_mixed[0]);
        jy_envelope_t expected;
        jy_envelope_init (&expected);
        expected.has_feed_seq = true;
        expected.feed_seq = 6;
        expected.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT;
        expected.event = event;
        zframe_t *frame = jy_wire_pack (&expected);
        const char *params[1] = {"6"};
        PGresult *stored = jy_db_query_binary (
            s_db, "SELECT envelope FROM ingest.event WHERE seq = $1", 1, params);
        CHECK (stored && PQntuples (stored) == 1 &&
               (size_t) PQgetlength (stored, 0, 0) == zframe_size (frame) &&
               memcmp (PQgetvalue (stored, 0, 0), zframe_data (frame), zframe_size (frame)) == 0);
        PQclear (stored);
        zframe_destroy (&frame);
        journey__v1__event__free_unpacked (event, NULL);
    }
}

//  The database connection lost under the daemon: the batch gets ERROR (retry), nothing
//  of it is stored, the store is loaded again, and the resent batch is accepted once.
static void s_a_lost_connection_answers_error_and_the_resent_batch_is_accepted_once (void)
{
    jy_envelope_t *reply;
    Journey__V1__BatchResult *result;
    CHECK_STR (s_value ("SELECT bool_and (pg_terminate_backend (pid, 5000)) FROM pg_stat_activity"
                        " WHERE application_name = 'journey-ingestd' AND datname = $1",
                        s_dbname),
               "t");
    const char *later[] = {COMMON (
        "E300", "C2", "2024-03-01",
        "2024-03-01T09:00:00Z") "\"contact_received\":{\"contact_id\":\"CT3\",\"contact_source\":"
                                "\"1B\"}}"};
    reply = s_send_batch (s_client, "b-lost", later, 1, NULL, 0);
    result = s_result (reply);
    CHECK_INT (result ? (int) result->status : -1, JOURNEY__V1__BATCH_RESULT__STATUS__ERROR);
    CHECK (result && result->has_retry_after_ms && result->retry_after_ms > 0);
    CHECK_INT (result ? result->n_results : 99, 0);
    jy_envelope_free (&reply);
    CHECK_INT (s_count ("SELECT count(*) FROM ingest.event", NULL), 8);
    reply = s_send_batch (s_client, "b-lost-again", later, 1, NULL, 0);
    result = s_result (reply);
    CHECK_INT (result ? (int) result->status : -1, JOURNEY__V1__BATCH_RESULT__STATUS__OK);
    CHECK_INT (s_status_of (result, 0), JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED);
    jy_envelope_free (&reply);
    CHECK_STR (s_value ("SELECT seq FROM ingest.event WHERE event_id = $1", "E300"), "9");
    CHECK (s_log_contains ("ingestd.log", "loaded 8 events of 2 children"));
    s_follow (s_sub, 9);
    CHECK_INT (s_seen.count, 9);
    CHECK (s_seen.in_order);
    CHECK_STR (s_seen.ids[8], "E300");
}

//  Status: the feed's head and the publisher's position.
static void s_status_reports_the_feed_head (void)
{
    jy_envelope_t *reply;
    reply = s_status (s_client);
    //  Only a status reply's union member is one: a late reply to an earlier request is not.
    bool is_status = reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY;
    Journey__V1__StatusReply *status = is_status ? reply->status_reply : NULL;
    CHECK (status != NULL);
    CHECK (status && status->healthy);
    CHECK (status && status->has_database_ok && status->database_ok);
    CHECK_INT (status ? status->n_feeds : 0, 1);
    if (status && status->n_feeds == 1) {
        CHECK_STR (status->feeds[0]->feed, "events");
        CHECK_STR (status->feeds[0]->role, "publisher");
        CHECK_INT (status->feeds[0]->head, 9);
        CHECK_INT (status->feeds[0]->position, 9);
    }
    jy_envelope_free (&reply);
}

//  SIGTERM: a clean exit.
static void s_sigterm_exits_cleanly (void)
{
    CHECK_INT (jy_test_daemon_stop (s_pid, 20000), 0);
    CHECK (s_log_contains ("ingestd.log", "loaded 0 events of 0 children"));
}

//  Restarted, it loads what committed and still knows every event.
static void s_a_restart_still_knows_every_event (void)
{
    jy_envelope_t *reply;
    Journey__V1__StatusReply *status;
    s_pid = s_spawn ("ingestd-2.log");
    s_check_first_batch (s_client, JOURNEY__V1__EVENT_RESULT__STATUS__DUPLICATE, "b1-after");
    CHECK (s_log_contains ("ingestd-2.log", "loaded 9 events of 2 children"));
    reply = s_status (s_client);
    status = reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY
                 ? reply->status_reply
                 : NULL;
    CHECK_INT (status && status->n_feeds == 1 ? status->feeds[0]->head : 0, 9);
    jy_envelope_free (&reply);
    reply = s_send_batch (s_client, "b-conflict-2", s_changed, 1, NULL, 0);
    CHECK_STR (s_code_of (s_result (reply), 0), "conflict");
    jy_envelope_free (&reply);
    CHECK_INT (s_count ("SELECT count(*) FROM ingest.event", NULL), 9);
}

//  Batches in flight together (the daemon checks one while the other commits): answered in
//  order, each after its own commit; an event of the first is a duplicate in the second.
static void s_batches_in_flight_are_answered_in_order (void)
{
    jy_envelope_t *reply;
    const char *first_of_two[] = {
        COMMON ("E301", "C2", "2024-03-02",
                "2024-03-02T09:00:00Z") "\"contact_received\":{\"contact_id\":\"CT4\","
                                        "\"contact_source\":\"1B\"}}"};
    const char *second_of_two[] = {
        first_of_two[0],
        COMMON ("E302", "C2", "2024-03-03",
                "2024-03-03T09:00:00Z") "\"contact_received\":{\"contact_id\":\"CT5\","
                                        "\"contact_source\":\"1B\"}}"};
    CHECK_INT (s_post_batch (s_client, "p-1", first_of_two, 1, NULL, 0), 0);
    CHECK_INT (s_post_batch (s_client, "p-2", second_of_two, 2, NULL, 0), 0);
    reply = s_receive (s_client);
    CHECK_STR (reply ? reply->message_id : "", "p-1");
    CHECK_INT (s_status_of (s_result (reply), 0), JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED);
    jy_envelope_free (&reply);
    reply = s_receive (s_client);
    CHECK_STR (reply ? reply->message_id : "", "p-2");
    CHECK_INT (s_status_of (s_result (reply), 0), JOURNEY__V1__EVENT_RESULT__STATUS__DUPLICATE);
    CHECK_INT (s_status_of (s_result (reply), 1), JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED);
    jy_envelope_free (&reply);
    CHECK_INT (s_count ("SELECT count(*) FROM ingest.event", NULL), 11);
}

//  The same with the connection lost: the first gets ERROR; the second, if it was checked
//  behind the first, gets ERROR too, and if it was checked after the reload it knows
//  nothing of the first (never DUPLICATE for an event that did not commit).
static void s_batches_in_flight_with_the_connection_lost_commit_once (void)
{
    jy_envelope_t *reply;
    Journey__V1__BatchResult *result;
    const char *lost_first[] = {
        COMMON ("E303", "C2", "2024-03-04",
                "2024-03-04T09:00:00Z") "\"contact_received\":{\"contact_id\":\"CT6\","
                                        "\"contact_source\":\"1B\"}}"};
    const char *lost_second[] = {
        lost_first[0],
        COMMON ("E304", "C2", "2024-03-05",
                "2024-03-05T09:00:00Z") "\"contact_received\":{\"contact_id\":\"CT7\","
                                        "\"contact_source\":\"1B\"}}"};
    CHECK_STR (s_value ("SELECT bool_and (pg_terminate_backend (pid, 5000)) FROM pg_stat_activity"
                        " WHERE application_name = 'journey-ingestd' AND datname = $1",
                        s_dbname),
               "t");
    CHECK_INT (s_post_batch (s_client, "f-1", lost_first, 1, NULL, 0), 0);
    CHECK_INT (s_post_batch (s_client, "f-2", lost_second, 2, NULL, 0), 0);
    reply = s_receive (s_client);
    CHECK_STR (reply ? reply->message_id : "", "f-1");
    CHECK_INT (s_result (reply) ? (int) s_result (reply)->status : -1,
               JOURNEY__V1__BATCH_RESULT__STATUS__ERROR);
    jy_envelope_free (&reply);
    reply = s_receive (s_client);
    CHECK_STR (reply ? reply->message_id : "", "f-2");
    result = s_result (reply);
    bool second_stored = result && result->status == JOURNEY__V1__BATCH_RESULT__STATUS__OK;
    if (second_stored) {
        CHECK_INT (s_status_of (result, 0), JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED);
        CHECK_INT (s_status_of (result, 1), JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED);
    } else
        CHECK_INT (result ? (int) result->status : -1, JOURNEY__V1__BATCH_RESULT__STATUS__ERROR);
    jy_envelope_free (&reply);
    //  The client sends both again, in order.
    reply = s_send_batch (s_client, "f-1", lost_first, 1, NULL, 0);
    CHECK_INT (s_status_of (s_result (reply), 0),
               second_stored ? JOURNEY__V1__EVENT_RESULT__STATUS__DUPLICATE
                             : JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED);
    jy_envelope_free (&reply);
    reply = s_send_batch (s_client, "f-2", lost_second, 2, NULL, 0);
    CHECK_INT (s_status_of (s_result (reply), 0), JOURNEY__V1__EVENT_RESULT__STATUS__DUPLICATE);
    CHECK_INT (s_status_of (s_result (reply), 1),
               second_stored ? JOURNEY__V1__EVENT_RESULT__STATUS__DUPLICATE
                             : JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED);
    jy_envelope_free (&reply);
    CHECK_INT (s_count ("SELECT count(*) FROM ingest.event", NULL), 13);
    CHECK_STR (s_value ("SELECT max(seq)::text || ' ' || (SELECT head FROM ingest.feed_head"
                        " WHERE feed = $1)::text FROM ingest.event",
                        "events"),
               "13 13");
}

//  Text that is not UTF-8, from a client speaking protobuf directly (JSON cannot carry it):
//  accepted, projected with U+FFFD in its place; it must never fail the batch's transaction.
static void s_text_not_utf8_is_projected_with_replacement_characters (void)
{
    jy_envelope_t *reply;
    Journey__V1__BatchResult *result;
    const char *closing[] = {
        COMMON ("E400", "C9", "2024-03-02",
                "2024-03-02T09:00:00Z") "\"child_registered\":{\"date_of_birth\":\"2015-01-01\","
                                        "\"sex\":\"M\",\"ethnicity\":\"WBRI\"}}",
        COMMON ("E401", "C9", "2024-03-02",
                "2024-03-02T10:00:00Z") "\"referral_received\":{\"referral_id\":\"R9\","
                                        "\"referral_source\":\"1B\"}}",
        COMMON ("E402", "C9", "2024-03-03",
                "2024-03-03T09:00:00Z") "\"assessment_started\":{\"assessment_id\":\"A9\","
                                        "\"referral_id\":\"R9\"}}",
        COMMON ("E403", "C9", "2024-03-04",
                "2024-03-04T09:00:00Z") "\"assessment_completed\":{\"assessment_id\":\"A9\","
                                        "\"outcome\":\"placeholder\"}}"};
    Journey__V1__Event *close_events[4];
    for (size_t i = 0; i < 4; i++)
        close_events[i] = it_parse (closing[i]);
    free (close_events[3]->assessment_completed->outcome);
    close_events[3]->assessment_completed->outcome = strdup ("cin \xff\xfe plan");
    Journey__V1__EventBatch close_batch = JOURNEY__V1__EVENT_BATCH__INIT;
    close_batch.batch_id = "u-1";
    close_batch.n_events = 4;
    close_batch.events = close_events;
    jy_envelope_t close_request;
    jy_envelope_init (&close_request);
    close_request.message_id = "u-1";
    close_request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH;
    close_request.event_batch = &close_batch;
    CHECK_INT (jy_wire_send (s_client, &close_request), 0);
    reply = s_receive (s_client);
    result = s_result (reply);
    CHECK_INT (result ? (int) result->status : -1, JOURNEY__V1__BATCH_RESULT__STATUS__OK);
    for (size_t i = 0; i < 4; i++)
        CHECK_INT (s_status_of (result, i), JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED);
    jy_envelope_free (&reply);
    CHECK_STR (s_value ("SELECT outcome FROM ingest.assessment WHERE child_id = $1", "C9"),
               "cin \xef\xbf\xbd\xef\xbf\xbd plan");
    for (size_t i = 0; i < 4; i++)
        journey__v1__event__free_unpacked (close_events[i], NULL);
}

//  SIGTERM after the restart: a clean exit too.
static void s_sigterm_after_the_restart_exits_cleanly (void)
{
    CHECK_INT (jy_test_daemon_stop (s_pid, 20000), 0);
}

//  A database that is not migrated: refused, naming `journey migrate`.
static void s_an_unmigrated_database_is_refused_naming_migrate (void)
{
    char sql[256];
    char bare_url[1100];
    snprintf (sql, sizeof sql, "CREATE DATABASE %s_bare", s_dbname);
    CHECK_INT (jy_db_exec (s_admin, sql, 0, NULL), 0);
    snprintf (bare_url, sizeof bare_url, "%s_bare", s_ingest_url);
    setenv ("JOURNEY_DATABASE_INGEST_URL", bare_url, 1);
    s_pid = s_spawn ("bare.log");
    CHECK_INT (jy_test_wait_exit (s_pid, 1000), 1);
    CHECK (s_log_contains ("bare.log", "journey migrate"));
    setenv ("JOURNEY_DATABASE_INGEST_URL", s_ingest_url, 1);
}

//  A bad setting: refused, naming the key and where it came from.
static void s_bad_settings_are_refused_naming_the_key (void)
{
    setenv ("JOURNEY_INGEST_BATCH_MAX", "0", 1);
    s_pid = s_spawn ("badmax.log");
    CHECK_INT (jy_test_wait_exit (s_pid, 1000), 1);
    CHECK (s_log_contains ("badmax.log", "environment JOURNEY_INGEST_BATCH_MAX: ingest/batch_max"));
    setenv ("JOURNEY_INGEST_BATCH_MAX", "5", 1);
    setenv ("JOURNEY_LA_CODE", "87", 1);
    s_pid = s_spawn ("badla.log");
    CHECK_INT (jy_test_wait_exit (s_pid, 1000), 1);
    CHECK (s_log_contains ("badla.log", "la/code"));
}

int main (void)
{
    if (!getenv ("JOURNEY_SERVICES_DIR") || !getenv ("JOURNEY_CLI") ||
        !getenv ("JOURNEY_DATABASE_INGEST_URL"))
        return 77;
    const char *admin_url = jy_test_db_url ();
    char test_admin_url[1024];

    //  Its own database, so that feed numbers start at 1 and nothing else interferes.
    snprintf (s_dbname, sizeof s_dbname, "journey_ingestd_%d", (int) getpid ());
    s_admin = jy_db_new (admin_url);
    if (jy_db_connect (s_admin, 10000)) {
        fprintf (stderr, "cannot connect to %s: %s\n", admin_url, jy_db_error (s_admin));
        return 1;
    }
    char sql[256];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s", s_dbname);
    jy_db_exec (s_admin, sql, 0, NULL);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", s_dbname);
    CHECK_INT (jy_db_exec (s_admin, sql, 0, NULL), 0);
    snprintf (test_admin_url, sizeof test_admin_url, "%s dbname=%s", admin_url, s_dbname);
    snprintf (s_ingest_url, sizeof s_ingest_url, "%s dbname=%s",
              getenv ("JOURNEY_DATABASE_INGEST_URL"), s_dbname);
    setenv ("JOURNEY_DATABASE_ADMIN_URL", test_admin_url, 1);
    const char *migrate[] = {getenv ("JOURNEY_CLI"), "migrate", NULL};
    CHECK_INT (jy_test_run (NULL, migrate), 0);

    s_db = jy_db_new (test_admin_url);
    CHECK_INT (jy_db_connect (s_db, 10000), 0);

    snprintf (s_dir, sizeof s_dir, "/tmp/jy-ingestd-test-%d", (int) getpid ());
    zsys_dir_create ("%s", s_dir);
    snprintf (s_request_endpoint, sizeof s_request_endpoint, "ipc://%s/ingest.ipc", s_dir);
    snprintf (s_feed_endpoint, sizeof s_feed_endpoint, "ipc://%s/feed.ipc", s_dir);
    setenv ("JOURNEY_INGEST_REQUEST", s_request_endpoint, 1);
    setenv ("JOURNEY_INGEST_FEED", s_feed_endpoint, 1);
    setenv ("JOURNEY_DATABASE_INGEST_URL", s_ingest_url, 1);
    setenv ("JOURNEY_DATABASE_CONNECT_WAIT_MS", "10000", 1);
    setenv ("JOURNEY_LA_CODE", "872", 1);
    setenv ("JOURNEY_INGEST_BATCH_MAX", "5", 1);

    s_pid = s_spawn ("ingestd.log");
    s_client = s_dealer ();

    //  A subscriber from the start: it must see every accepted event once, in order.
    s_sub =
        jy_feed_sub_new (s_db, jy_feed_lookup ("events"), s_feed_endpoint, 0, s_on_event, &s_seen);
    CHECK (s_sub != NULL);

    JY_TEST_SCENARIO (s_valid_events_are_numbered_without_gaps_and_projected);
    JY_TEST_SCENARIO (s_the_same_batch_again_is_all_duplicates);
    JY_TEST_SCENARIO (s_changed_content_under_a_known_id_is_a_conflict);
    JY_TEST_SCENARIO (s_bad_events_are_dead_letters_while_good_ones_commit);
    JY_TEST_SCENARIO (s_another_authoritys_events_are_refused);
    JY_TEST_SCENARIO (s_a_batch_over_batch_max_is_refused_whole);
    JY_TEST_SCENARIO (s_a_garbage_frame_is_answered_and_kept);
    JY_TEST_SCENARIO (s_other_requests_are_not_supported);
    JY_TEST_SCENARIO (s_a_correction_and_a_retraction_move_the_projection);
    JY_TEST_SCENARIO (s_the_feed_has_every_event_once_in_order);
    JY_TEST_SCENARIO (s_a_lost_connection_answers_error_and_the_resent_batch_is_accepted_once);
    JY_TEST_SCENARIO (s_status_reports_the_feed_head);
    JY_TEST_SCENARIO (s_sigterm_exits_cleanly);
    JY_TEST_SCENARIO (s_a_restart_still_knows_every_event);
    JY_TEST_SCENARIO (s_batches_in_flight_are_answered_in_order);
    JY_TEST_SCENARIO (s_batches_in_flight_with_the_connection_lost_commit_once);
    JY_TEST_SCENARIO (s_text_not_utf8_is_projected_with_replacement_characters);
    JY_TEST_SCENARIO (s_sigterm_after_the_restart_exits_cleanly);
    JY_TEST_SCENARIO (s_an_unmigrated_database_is_refused_naming_migrate);
    JY_TEST_SCENARIO (s_bad_settings_are_refused_naming_the_key);

    jy_feed_sub_destroy (&s_sub);
    zsock_destroy (&s_client);
    jy_db_destroy (&s_db);
    snprintf (sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", s_dbname);
    CHECK_INT (jy_db_exec (s_admin, sql, 0, NULL), 0);
    snprintf (sql, sizeof sql, "DROP DATABASE %s_bare WITH (FORCE)", s_dbname);
    CHECK_INT (jy_db_exec (s_admin, sql, 0, NULL), 0);
    jy_db_destroy (&s_admin);
    if (jy_test_failures == 0) {
        char command[600];
        snprintf (command, sizeof command, "rm -rf %s", s_dir);
        CHECK_INT (system (command), 0);
    }
    return jy_test_summary ("test_ingestd");
}
