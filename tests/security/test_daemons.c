/*  What a key may do at journey-escalationd and journey-reportingd with CURVE (docs/security.md):
    real daemons on loopback TCP, keys made by `journey keygen`.

    escalation: a command naming a role is refused (role_not_allowed) unless the role is among
    the certificate's dispute_roles; a command naming none is the ladder's to judge (list is
    for anyone). reporting: a report request is refused (not_allowed) without reports = "yes",
    and (la_not_allowed, naming the LA) for an LA its read_la_codes do not name, and goes on to
    the request's own checks with both. A request whose kind needs a right the key
    lacks altogether is refused before its frame is unpacked: a report request too large to
    unpack is not_allowed from a key with no reports, as is an EventBatch from a key with no
    la_codes, and too_large from a key with reports. Each daemon logs who asked.

    A plaintext `journey` is told at once that a daemon refused its handshake: `status` says
    "refused" for the CURVE daemons and "stopped" where nothing listens, a dispute command says
    why, and a push fails at once though push/give_up_ms and reply_timeout_ms are an hour (the
    test's ctest TIMEOUT would end it first if it waited).
*/
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>

#include "jy_test.h"
#include "jy_test_daemon.h"
#include "security/security_test.h"

//  A dispute command as key, sent as message_id: the reply's code ("ok", ...), *count the
//  disputes it holds (one for raise and show), *id (when not NULL) the dispute's id.
static const char *s_dispute_as (const char *endpoint, zcert_t *key, const char *server_key,
                                 const char *message_id, Journey__V1__DisputeCommand *command,
                                 size_t *count, uint64_t *id)
{
    static char code[64];
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_COMMAND;
    request.dispute_command = command;
    jy_envelope_t *reply = st_ask_as (endpoint, key, server_key, message_id, &request);
    Journey__V1__DisputeReply *answer =
        reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_REPLY
            ? reply->dispute_reply
            : NULL;
    snprintf (code, sizeof code, "%s",
              !answer      ? "no answer"
              : answer->ok ? "ok"
                           : (answer->code ? answer->code : "?"));
    *count = !answer ? 0 : answer->dispute ? 1 : answer->n_disputes;
    if (id)
        *id = answer && answer->dispute ? answer->dispute->id : 0;
    jy_envelope_free (&reply);
    return code;
}

//  A DisputeCommand LIST acting as role (NULL: none); the reply's code, "ok", or "no answer".
static const char *s_list_as (const char *endpoint, zcert_t *key, const char *server_key,
                              const char *role)
{
    Journey__V1__DisputeCommand command = JOURNEY__V1__DISPUTE_COMMAND__INIT;
    command.has_verb = true;
    command.verb = JOURNEY__V1__DISPUTE_COMMAND__VERB__LIST;
    command.role = (char *) role;
    command.by_user = "a.tester";
    size_t count;
    return s_dispute_as (endpoint, key, server_key, "list-1", &command, &count, NULL);
}

//  A ReportRequest for la_code (NULL: the daemon's) with no period; the reply's code, and its
//  message into message (when not NULL).
static const char *s_report_as (const char *endpoint, zcert_t *key, const char *server_key,
                                const char *la_code, char *message, size_t message_size)
{
    static char code[64];
    Journey__V1__ReportRequest ask = JOURNEY__V1__REPORT_REQUEST__INIT;
    ask.kind = "board-pack";
    ask.la_code = (char *) la_code;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_REPORT_REQUEST;
    request.report_request = &ask;
    jy_envelope_t *reply = st_ask_as (endpoint, key, server_key, "report-1", &request);
    Journey__V1__ReportReply *answer =
        reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPORT_REPLY
            ? reply->report_reply
            : NULL;
    //  A refusal by the request's kind, before it is read, is a plain Reply.
    Journey__V1__Reply *refusal =
        reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY ? reply->reply : NULL;
    snprintf (code, sizeof code, "%s",
              refusal      ? (refusal->code ? refusal->code : "?")
              : !answer    ? "no answer"
              : answer->ok ? "ok"
                           : (answer->code ? answer->code : "?"));
    if (message)
        snprintf (message, message_size, "%s", answer && answer->message ? answer->message : "");
    jy_envelope_free (&reply);
    return code;
}

//  A ReportRequest of 200,000 empty formats (400 KB on the wire, several MB to unpack), or with
//  batch an EventBatch of as many empty events, sent raw; the Reply's code and message
//  ("code: message"), or "no answer".
static const char *s_flood_as (const char *endpoint, zcert_t *key, const char *server_key,
                               bool batch)
{
    static char answer[600];
    st_client_t client = st_client (endpoint, ZMQ_DEALER, key, server_key);
    size_t count = 200000, size = 0;
    uint8_t *data = (uint8_t *) malloc (2 * count + 16);
    assert (data);
    if (batch)
        data[size++] = (10 << 3) | 2; //  event_batch
    else {
        data[size++] = 0x8a; //  field 17 (report_request), length-delimited
        data[size++] = 0x01;
    }
    for (size_t length = 2 * count;; length >>= 7) {
        data[size++] = (uint8_t) ((length & 0x7f) | (length >= 0x80 ? 0x80 : 0));
        if (length < 0x80)
            break;
    }
    for (size_t i = 0; i < count; i++) {
        data[size++] = batch ? (2 << 3) | 2 : (5 << 3) | 2; //  events or formats, empty
        data[size++] = 0;
    }
    zframe_t *frame = zframe_new (data, size);
    free (data);
    zpoller_t *poller = zpoller_new (client.sock, NULL);
    jy_envelope_t *reply = NULL;
    if (zframe_send (&frame, client.sock, 0) == 0 && zpoller_wait (poller, 30000)) {
        jy_wire_status_t status;
        reply = jy_wire_recv (client.sock, JY_WIRE_DEFAULT_CAP, NULL, NULL, &status);
    }
    zpoller_destroy (&poller);
    if (reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY)
        snprintf (answer, sizeof answer, "%s: %s", reply->reply->code ? reply->reply->code : "?",
                  reply->reply->message ? reply->reply->message : "");
    else
        snprintf (answer, sizeof answer, "%s", reply ? "another answer" : "no answer");
    jy_envelope_free (&reply);
    st_client_destroy (&client);
    return answer;
}

int main (void)
{
    if (!getenv ("JOURNEY_SERVICES_DIR") || !getenv ("JOURNEY_CLI") ||
        !getenv ("JOURNEY_DATABASE_ESCALATION_URL") || !getenv ("JOURNEY_DATABASE_REPORTING_URL"))
        return 77;
    char keys[300], clients[300];
    st_dir_create ("daemons", keys, clients, sizeof keys);
    zsys_dir_create ("%s/out", st_dir ());
    CHECK_INT (st_keygen ("server", "--server", NULL), 0);
    CHECK_INT (st_keygen ("iro-desk", "--dispute-roles", "iro", "--read", "disputes",
                          "--read-la-codes", "872", NULL),
               0);
    CHECK_INT (st_keygen ("board", "--reports", "--read-la-codes", "872", NULL), 0);
    CHECK_INT (st_keygen ("cms", "--la-codes", "872", NULL), 0);
    st_allow ("iro-desk", "board", "cms", NULL);

    //  One migrated database for both daemons.
    st_db_t db;
    st_db_create (&db, "journey_security_d_");
    st_db_use (&db, "JOURNEY_DATABASE_ESCALATION_URL");
    st_db_use (&db, "JOURNEY_DATABASE_REPORTING_URL");

    char escalation[64], escalation_feed[64], alerts[64], reporting[64], path[600];
    st_loopback (escalation, sizeof escalation);
    st_loopback (escalation_feed, sizeof escalation_feed);
    st_loopback (alerts, sizeof alerts); //  nobody there
    st_loopback (reporting, sizeof reporting);
    st_daemon_env ();
    setenv ("JOURNEY_ESCALATION_REQUEST", escalation, 1);
    setenv ("JOURNEY_ESCALATION_FEED", escalation_feed, 1);
    setenv ("JOURNEY_ESCALATION_ALERTS", alerts, 1);
    setenv ("JOURNEY_REPORTING_REQUEST", reporting, 1);
    setenv ("JOURNEY_REPORTING_MAX_FRAME_BYTES", "524288", 1);
    setenv ("JOURNEY_REPORTING_OUT_DIR", st_path ("out"), 1);
    pid_t escalationd = st_spawn ("escalation", st_path ("escalationd.log"));
    pid_t reportingd = st_spawn ("reporting", st_path ("reportingd.log"));

    zcert_t *server = st_key ("server.pub");
    zcert_t *iro = st_key ("iro-desk");
    zcert_t *board = st_key ("board");
    zcert_t *cms = st_key ("cms");
    const char *server_key = zcert_public_txt (server);

    //  Disputes: only the roles the certificate holds; no role, the ladder decides.
    CHECK_STR (s_list_as (escalation, iro, server_key, "iro"), "ok");
    CHECK_STR (s_list_as (escalation, iro, server_key, "cp-chair"), "role_not_allowed");
    CHECK_STR (s_list_as (escalation, cms, server_key, "iro"), "role_not_allowed");
    CHECK_STR (s_list_as (escalation, cms, server_key, NULL), "ok");
    //  Disputes are read by LA: a key that may read 872's sees the dispute; one that may not
    //  (cms: it pushes 872's events but has no read rights) finds nothing, as if none existed.
    Journey__V1__DisputeCommand raise = JOURNEY__V1__DISPUTE_COMMAND__INIT;
    raise.has_verb = true;
    raise.verb = JOURNEY__V1__DISPUTE_COMMAND__VERB__RAISE;
    raise.by_user = "a.tester";
    raise.role = "iro";
    raise.child_id = "C1";
    raise.la_code = "872";
    raise.category = "care-plan";
    raise.text = "The care plan does not say when the child will return home.";
    size_t count = 0;
    uint64_t dispute_id = 0;
    CHECK_STR (s_dispute_as (escalation, iro, server_key, "dispute-1", &raise, &count, &dispute_id),
               "ok");
    CHECK (dispute_id > 0);
    Journey__V1__DisputeCommand look = JOURNEY__V1__DISPUTE_COMMAND__INIT;
    look.has_verb = true;
    look.verb = JOURNEY__V1__DISPUTE_COMMAND__VERB__LIST;
    look.by_user = "a.tester";
    CHECK_STR (s_dispute_as (escalation, iro, server_key, "dispute-1", &look, &count, NULL), "ok");
    CHECK_INT (count, 1);
    CHECK_STR (s_dispute_as (escalation, cms, server_key, "dispute-1", &look, &count, NULL), "ok");
    CHECK_INT (count, 0);
    look.verb = JOURNEY__V1__DISPUTE_COMMAND__VERB__SHOW;
    look.has_dispute_id = true;
    look.dispute_id = dispute_id;
    CHECK_STR (s_dispute_as (escalation, iro, server_key, "dispute-1", &look, &count, NULL), "ok");
    CHECK_STR (s_dispute_as (escalation, cms, server_key, "dispute-1", &look, &count, NULL),
               "unknown_dispute");
    char logged[256];
    snprintf (logged, sizeof logged, "dispute_command from iro-desk (key %s)",
              zcert_public_txt (iro));
    CHECK (jy_test_file_contains (st_path ("escalationd.log"), logged));

    //  Reports: only with reports = "yes"; then the request's own checks (no period here).
    CHECK_STR (s_report_as (reporting, cms, server_key, NULL, NULL, 0), "not_allowed");
    CHECK_STR (s_report_as (reporting, board, server_key, NULL, NULL, 0), "bad_request");
    CHECK_STR (s_report_as (reporting, board, server_key, "872", NULL, 0), "bad_request");
    //  Another LA's pack: refused, naming the LA, before anything is read.
    char message[512];
    CHECK_STR (s_report_as (reporting, board, server_key, "210", message, sizeof message),
               "la_not_allowed");
    CHECK (strstr (message, "LA 210") != NULL);
    snprintf (logged, sizeof logged, "report_request from board (key %s)",
              zcert_public_txt (board));
    CHECK (jy_test_file_contains (st_path ("reportingd.log"), logged));

    //  Refused by its kind before it is unpacked; with the right, unpacked within the budget.
    //  reportingd's frame cap is 256 KiB by default: its socket takes the 400 KB frame once the
    //  cap is raised (below), and the budget is four times the cap.
    CHECK_STR (s_flood_as (reporting, cms, server_key, false),
               "not_allowed: the key cms may not ask for reports (its certificate has no "
               "reports); not read");
    //  The same for pushing events, at any daemon: board has no la_codes.
    CHECK_STR (s_flood_as (reporting, board, server_key, true),
               "not_allowed: the key board may not push events (its certificate has no "
               "la_codes); not read");
    const char *flooded = s_flood_as (reporting, board, server_key, false);
    CHECK (strncmp (flooded, "too_large: ", 11) == 0 &&
           strstr (flooded, "reporting/max_unpack_bytes = 2097152 bytes"));
    CHECK_STR (s_report_as (reporting, board, server_key, NULL, NULL, 0), "bad_request");

    //  A plaintext client: refused at once, and said so.
    setenv ("JOURNEY_SECURITY_CURVE", "0", 1);
    setenv ("JOURNEY_PUSH_GIVE_UP_MS", "3600000", 1);
    setenv ("JOURNEY_PUSH_REPLY_TIMEOUT_MS", "3600000", 1);
    char nobody[600], expected[1024];
    snprintf (nobody, sizeof nobody, "ipc://%s/nobody-ingest.sock", st_dir ());
    setenv ("JOURNEY_INGEST_REQUEST", nobody, 1);
    snprintf (path, sizeof path, "ipc://%s/nobody-timeliness.sock", st_dir ());
    setenv ("JOURNEY_TIMELINESS_REQUEST", path, 1);
    setenv ("JOURNEY_DATABASE_ADMIN_URL", db.url, 1);
    CHECK_INT (st_journey (st_path ("status.out"), "--json", "status", NULL), 0);
    snprintf (expected, sizeof expected,
              "\"service\": \"escalation\", \"endpoint\": \"%s\", \"state\": \"refused\"",
              escalation);
    CHECK (jy_test_file_contains (st_path ("status.out"), expected));
    snprintf (expected, sizeof expected,
              "\"service\": \"reporting\", \"endpoint\": \"%s\", \"state\": \"refused\"",
              reporting);
    CHECK (jy_test_file_contains (st_path ("status.out"), expected));
    snprintf (expected, sizeof expected,
              "the daemon at %s refused the handshake: it runs with CURVE and this client has no "
              "key",
              escalation);
    CHECK (jy_test_file_contains (st_path ("status.out"), expected));
    snprintf (expected, sizeof expected,
              "\"service\": \"ingest\", \"endpoint\": \"%s\", \"state\": \"stopped\"", nobody);
    CHECK (jy_test_file_contains (st_path ("status.out"), expected));
    snprintf (expected, sizeof expected, "nothing is listening at %s", nobody);
    CHECK (jy_test_file_contains (st_path ("status.out"), expected));

    CHECK_INT (st_journey (st_path ("dispute.out"), "dispute", "list", NULL), 1);
    snprintf (expected, sizeof expected, "the daemon at %s refused the handshake", escalation);
    CHECK (jy_test_file_contains (st_path ("dispute.out"), expected));

    snprintf (path, sizeof path, "%s/one.jsonl", st_dir ());
    st_write (path, "{\"event_id\":\"x\"}\n");
    setenv ("JOURNEY_INGEST_REQUEST", escalation, 1); //  a CURVE daemon, whichever it is
    CHECK_INT (st_journey (st_path ("push.out"), "push", path, NULL), 1);
    snprintf (expected, sizeof expected,
              "journey: push: the daemon at %s refused the handshake: it runs with CURVE",
              escalation);
    CHECK (jy_test_file_contains (st_path ("push.out"), expected));
    setenv ("JOURNEY_SECURITY_CURVE", "1", 1);

    CHECK_INT (jy_test_daemon_stop (escalationd, 30000), 0);
    CHECK_INT (jy_test_daemon_stop (reportingd, 30000), 0);
    zcert_destroy (&server);
    zcert_destroy (&iro);
    zcert_destroy (&board);
    zcert_destroy (&cms);
    return st_finish (&db, "security.daemons");
}
