/*  webhook against a fresh database, a real PUB socket and a local HTTP receiver
    (webhook_receiver.py, which records every request it gets).

    Four sinks follow one alert feed: "all" gets every alert once, in order, as the JSON form
    with its seq, a JSON content type, the seq as Idempotency-Key and its configured header
    (the value from the environment over the file's);
    "filtered" gets only its kinds and teams, and its position still reaches the head;
    "flaky" is answered 500 twice and delivers once the receiver recovers; "slow" is left
    hanging once and retries after its timeout. Alerts written before the sinks start are
    caught up from the table; later ones arrive live. After tl_webhooks_destroy and a new
    start, alerts written meanwhile are delivered and nothing acknowledged is delivered again.
    Wrong settings are refused naming the key and the file. Nothing waits on a timer: the
    test polls the receiver's file, a bounded number of times.
*/
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alert_feed_test.h"
#include "jy_test_daemon.h"
#include "webhook.h"

#define S_WAIT_MS 20000 //  at most for anything to arrive

static char s_dir[256];
static char s_log[320];
static int s_port;

//  --- The receiver ---------------------------------------------------------------------------

//  Whether the receiver has written its port into the file (then in s_port).
static bool s_port_read (void *port_file)
{
    FILE *file = fopen (port_file, "r");
    if (file) {
        if (fscanf (file, "%d", &s_port) != 1)
            s_port = 0;
        fclose (file);
    }
    return s_port != 0;
}

static pid_t s_receiver_start (void)
{
    char script[1024], port_file[320];
    snprintf (script, sizeof script, "%s/tests/timeliness/webhook_receiver.py",
              getenv ("JOURNEY_SOURCE_DIR"));
    snprintf (port_file, sizeof port_file, "%s/port", s_dir);
    snprintf (s_log, sizeof s_log, "%s/requests.jsonl", s_dir);
    const char *argv[] = {"python3",  script,          "--log",    s_log,    "--port-file",
                          port_file,  "--fail",        "/flaky=2", "--hang", "/slow=1",
                          "--status", "/filtered=202", NULL};
    pid_t pid = jy_test_spawn (argv, NULL, NULL);
    jy_test_wait_until (s_port_read, port_file, S_WAIT_MS);
    return pid;
}

//  The receiver's records for path, in arrival order (a new JSON array).
static json_t *s_records (const char *path)
{
    json_t *records = json_array ();
    FILE *file = fopen (s_log, "r");
    if (!file)
        return records;
    char *line = NULL;
    size_t capacity = 0;
    while (getline (&line, &capacity, file) > 0) {
        json_t *record = json_loads (line, 0, NULL);
        if (!record)
            continue; //  a line being written: read again on the next turn
        if (strcmp (json_string_value (json_object_get (record, "path")), path) == 0)
            json_array_append (records, record);
        json_decref (record);
    }
    free (line);
    fclose (file);
    return records;
}

static bool s_success (json_t *record)
{
    json_t *status = json_object_get (record, "status");
    return json_is_integer (status) && json_integer_value (status) / 100 == 2;
}

static json_int_t s_seq (json_t *record)
{
    return json_integer_value (json_object_get (json_object_get (record, "body"), "seq"));
}

//  The seqs of path's records, "1,2,3": only those answered 2xx when delivered is set.
static void s_seqs (const char *path, bool delivered, char *text, size_t size)
{
    json_t *records = s_records (path);
    size_t used = 0, index;
    json_t *record;
    text[0] = '\0';
    json_array_foreach (records, index, record)
    {
        if ((!delivered || s_success (record)) && used < size)
            used += (size_t) snprintf (text + used, size - used, "%s%lld", used ? "," : "",
                                       (long long) s_seq (record));
    }
    json_decref (records);
}

//  Poll until path has had expected delivered (2xx), heartbeating as the daemon's timer would
//  so that a sink also notices what it missed. Whether it got there.
typedef struct {
    jy_feed_pub_t *pub;
    int turn;             //  a heartbeat every fifth turn, as often as the daemon's timer
    const char *path;     //  s_wait_delivered: the sink's path, what it should have had,
    const char *expected; //  and what it had
    char seqs[512];
    jy_db_t *db; //  s_wait_position: the sink and the seq its position should reach
    const char *sink;
    uint64_t seq;
} s_wait_t;

static void s_heartbeat_now_and_then (s_wait_t *wait)
{
    if (wait->turn++ % 5 == 0)
        jy_feed_pub_heartbeat (wait->pub);
}

static bool s_delivered (void *arg)
{
    s_wait_t *wait = arg;
    s_seqs (wait->path, true, wait->seqs, sizeof wait->seqs);
    if (strcmp (wait->seqs, wait->expected) == 0)
        return true;
    s_heartbeat_now_and_then (wait);
    return false;
}

static bool s_wait_delivered (jy_feed_pub_t *pub, const char *path, const char *expected)
{
    s_wait_t wait = {.pub = pub, .path = path, .expected = expected};
    if (jy_test_wait_until (s_delivered, &wait, S_WAIT_MS))
        return true;
    fprintf (stderr, "%s: delivered %s, expected %s\n", path, wait.seqs, expected);
    return false;
}

static uint64_t s_position (jy_db_t *db, const char *sink)
{
    char key[64];
    snprintf (key, sizeof key, "webhook:%s", sink);
    uint64_t position = 0;
    if (jy_feed_position_load (db, "timeliness", key, &position) != 0)
        return 0; //  polled: a failure shows as a position that never arrives
    return position;
}

static bool s_position_reached (void *arg)
{
    s_wait_t *wait = arg;
    if (s_position (wait->db, wait->sink) >= wait->seq)
        return true;
    s_heartbeat_now_and_then (wait);
    return false;
}

//  Poll until the sink's saved position reaches seq.
static bool s_wait_position (jy_feed_pub_t *pub, jy_db_t *db, const char *sink, uint64_t seq)
{
    s_wait_t wait = {.pub = pub, .db = db, .sink = sink, .seq = seq};
    return jy_test_wait_until (s_position_reached, &wait, S_WAIT_MS);
}

//  --- Configuration ----------------------------------------------------------------------------

static jy_config_t *s_config (const char *name, const char *text)
{
    char path[512];
    snprintf (path, sizeof path, "%s/%s.cfg", s_dir, name);
    FILE *file = fopen (path, "w");
    assert (file);
    fputs (text, file);
    fclose (file);
    char err[512];
    jy_config_t *config = jy_config_load (path, NULL, err, sizeof err);
    if (!config)
        fprintf (stderr, "%s: %s\n", path, err);
    assert (config);
    return config;
}

//  A setting that must be refused: error names the file, then the key, then what is wrong.
static void s_refused (const char *name, const char *sink_text, const char *expected)
{
    char text[2048];
    snprintf (text, sizeof text, "timeliness\n    webhooks\n        bad\n%s", sink_text);
    jy_config_t *config = s_config (name, text);
    tl_webhooks_t *webhooks = tl_webhooks_new (config, "dbname=none", "ipc:///nowhere");
    CHECK (webhooks == NULL);
    char wanted[1024];
    snprintf (wanted, sizeof wanted, "%s/%s.cfg: %s", s_dir, name, expected);
    if (!strstr (jy_config_error (config), wanted)) {
        CHECK (false);
        fprintf (stderr, "error: %s\nexpected: %s\n", jy_config_error (config), wanted);
    }
    tl_webhooks_destroy (&webhooks);
    jy_config_destroy (&config);
}

static void s_test_settings (void)
{
    const char *url = "            url = \"http://127.0.0.1:9/x\"\n";
    char text[512];
    s_refused ("no_url", "            kinds = \"overdue\"\n",
               "timeliness/webhooks/bad: has no url (the address alerts are POSTed to)");
    s_refused ("ftp", "            url = \"ftp://127.0.0.1/x\"\n",
               "timeliness/webhooks/bad/url: \"ftp://127.0.0.1/x\" is not an http:// or "
               "https:// URL");
    snprintf (text, sizeof text, "%s            kinds = \"overdue soon\"\n", url);
    s_refused ("kind", text,
               "timeliness/webhooks/bad/kinds: \"soon\" is not an alert kind (due_soon, "
               "drifted, due_today, overdue, overdue_by, rag_changed, caseload)");
    snprintf (text, sizeof text, "%s            timeout_ms = \"soon\"\n", url);
    s_refused ("timeout", text, "timeliness/webhooks/bad/timeout_ms: \"soon\" is not a whole");
    snprintf (text, sizeof text,
              "%s            retry_initial_ms = 5000\n            retry_max_ms = 1000\n", url);
    s_refused ("retry", text,
               "timeliness/webhooks/bad/retry_max_ms: 1000 is less than retry_initial_ms (5000)");
    snprintf (text, sizeof text, "%s            timeout = 5\n", url);
    s_refused ("unknown", text, "timeliness/webhooks/bad/timeout: unknown key");
    snprintf (text, sizeof text, "%s            headers\n                x@y = 1\n", url);
    s_refused ("header", text,
               "timeliness/webhooks/bad/headers/x@y: \"x@y\" is not an HTTP header name");

    //  No sinks: an empty set.
    jy_config_t *config = s_config ("none", "timeliness\n    warn_lead = 3\n");
    tl_webhooks_t *webhooks = tl_webhooks_new (config, "dbname=none", "ipc:///nowhere");
    CHECK (webhooks != NULL);
    CHECK_INT (webhooks ? tl_webhooks_count (webhooks) : 99, 0);
    tl_webhooks_destroy (&webhooks);
    CHECK (webhooks == NULL);
    jy_config_destroy (&config);
}

//  --- Delivery ---------------------------------------------------------------------------------

static void s_check_first_delivery (void)
{
    //  The form of a POST: seq 2 as "all" got it.
    json_t *records = s_records ("/all");
    json_t *second = NULL, *record;
    size_t index;
    json_array_foreach (records, index, record)
    {
        if (s_seq (record) == 2)
            second = record;
    }
    CHECK (second != NULL);
    if (second) {
        json_t *body = json_object_get (second, "body");
        json_t *headers = json_object_get (second, "headers");
        CHECK_STR (json_string_value (json_object_get (body, "kind")), "overdue");
        CHECK_STR (json_string_value (json_object_get (body, "child_id")), "C2");
        CHECK_STR (json_string_value (json_object_get (body, "clock")), "icpc");
        CHECK_STR (json_string_value (json_object_get (body, "due")), "2025-03-03");
        CHECK_STR (json_string_value (json_object_get (body, "team")), "T2");
        CHECK_STR (json_string_value (json_object_get (body, "la_code")), "872");
        CHECK_STR (json_string_value (json_object_get (headers, "content-type")),
                   "application/json");
        CHECK_STR (json_string_value (json_object_get (headers, "idempotency-key")), "2");
        CHECK_STR (json_string_value (json_object_get (headers, "authorization")), "Bearer s3cret");
    }
    json_decref (records);

    //  "flaky": seq 1 answered 500 twice, then delivered; "slow": seq 1 left hanging, then
    //  delivered after its 300 ms timeout.
    char seqs[512];
    s_seqs ("/flaky", false, seqs, sizeof seqs);
    CHECK_STR (seqs, "1,1,1,2,3,4,5,6,7,8");
    records = s_records ("/flaky");
    CHECK_INT (json_integer_value (json_object_get (json_array_get (records, 0), "status")), 500);
    CHECK_INT (json_integer_value (json_object_get (json_array_get (records, 1), "status")), 500);
    CHECK (s_success (json_array_get (records, 2)));
    json_decref (records);
    s_seqs ("/slow", false, seqs, sizeof seqs);
    CHECK_STR (seqs, "1,1,2,3,4,5,6,7,8");
    records = s_records ("/slow");
    CHECK_STR (json_string_value (json_object_get (json_array_get (records, 0), "status")), "hung");
    json_decref (records);
}

static void s_test_delivery (jy_db_t *admin, const char *role_url)
{
    char feed_endpoint[320];
    snprintf (feed_endpoint, sizeof feed_endpoint, "ipc://%s/alerts.ipc", s_dir);
    zsock_t *pub_socket = zsock_new_pub (feed_endpoint);
    assert (pub_socket);
    jy_feed_pub_t *pub = jy_feed_pub_new (pub_socket, jy_feed_lookup ("alerts"), 0);

    char text[2048];
    snprintf (text, sizeof text,
              "timeliness\n"
              "    webhooks\n"
              "        all\n"
              "            url = \"http://127.0.0.1:%d/all\"\n"
              "            retry_initial_ms = 20\n"
              "            headers\n"
              "                authorization = \"Bearer in-the-file\"\n"
              "        filtered\n"
              "            url = \"http://127.0.0.1:%d/filtered\"\n"
              "            kinds = \"overdue  DUE_TODAY\"\n"
              "            teams = \"T1 T3\"\n"
              "        flaky\n"
              "            url = \"http://127.0.0.1:%d/flaky\"\n"
              "            retry_initial_ms = 20\n"
              "            retry_max_ms = 40\n"
              "        slow\n"
              "            url = \"http://127.0.0.1:%d/slow\"\n"
              "            timeout_ms = 300\n"
              "            retry_initial_ms = 20\n",
              s_port, s_port, s_port, s_port);
    //  A secret from the environment over the file's value.
    setenv ("JOURNEY_TIMELINESS_WEBHOOKS_ALL_HEADERS_AUTHORIZATION", "Bearer s3cret", 1);
    jy_config_t *config = s_config ("sinks", text);

    //  Three alerts before any sink runs: caught up from the table.
    const aft_alert_t before[] = {
        {JOURNEY__V1__ALERT__KIND__DUE_SOON, "872", "C1", "assessment", "2025-03-10", "T1"},
        {JOURNEY__V1__ALERT__KIND__OVERDUE, "872", "C2", "icpc", "2025-03-03", "T2"},
        {JOURNEY__V1__ALERT__KIND__DUE_TODAY, "872", "C3", "icpc", "2025-03-04", "T1"},
    };
    for (size_t i = 0; i < 3; i++)
        CHECK_INT (aft_alert_write (admin, pub, &before[i]), i + 1);

    tl_webhooks_t *webhooks = tl_webhooks_new (config, role_url, feed_endpoint);
    CHECK (webhooks != NULL);
    if (!webhooks) {
        fprintf (stderr, "%s\n", jy_config_error (config));
        exit (1);
    }
    CHECK_INT (tl_webhooks_count (webhooks), 4);

    //  Five more while they run: live (or, for a sink not yet connected, from the table when
    //  a heartbeat shows it is behind).
    const aft_alert_t after[] = {
        {JOURNEY__V1__ALERT__KIND__OVERDUE, "872", "C1", "icpc", "2025-03-03", "T1"},
        {JOURNEY__V1__ALERT__KIND__DRIFTED, "872", "C4", "rcpc", "2025-04-01", "T3"},
        {JOURNEY__V1__ALERT__KIND__OVERDUE, "872", "C5", "iha", "2025-03-01", "T3"},
        {JOURNEY__V1__ALERT__KIND__RAG_CHANGED, "872", NULL, NULL, NULL, NULL},
        {JOURNEY__V1__ALERT__KIND__DUE_SOON, "872", "C6", "pep", "2025-03-07", "T1"},
    };
    for (size_t i = 0; i < 5; i++)
        CHECK_INT (aft_alert_write (admin, pub, &after[i]), i + 4);

    CHECK (s_wait_delivered (pub, "/all", "1,2,3,4,5,6,7,8"));
    CHECK (s_wait_delivered (pub, "/filtered", "3,4,6"));
    CHECK (s_wait_delivered (pub, "/flaky", "1,2,3,4,5,6,7,8"));
    CHECK (s_wait_delivered (pub, "/slow", "1,2,3,4,5,6,7,8"));
    //  Alerts "filtered" does not want still move its position to the head.
    CHECK (s_wait_position (pub, admin, "filtered", 8));
    CHECK (s_wait_position (pub, admin, "all", 8));
    s_check_first_delivery ();

    //  Stop; two alerts while nothing runs; start again: those two, nothing else again.
    tl_webhooks_destroy (&webhooks);
    CHECK (webhooks == NULL);
    CHECK_INT (s_position (admin, "all"), 8);
    const aft_alert_t meanwhile[] = {
        {JOURNEY__V1__ALERT__KIND__OVERDUE, "872", "C7", "icpc", "2025-03-03", "T1"},
        {JOURNEY__V1__ALERT__KIND__DUE_SOON, "872", "C8", "pep", "2025-03-07", "T2"},
    };
    for (size_t i = 0; i < 2; i++)
        CHECK_INT (aft_alert_write (admin, pub, &meanwhile[i]), i + 9);
    webhooks = tl_webhooks_new (config, role_url, feed_endpoint);
    CHECK (webhooks != NULL);
    CHECK (s_wait_delivered (pub, "/all", "1,2,3,4,5,6,7,8,9,10"));
    CHECK (s_wait_delivered (pub, "/filtered", "3,4,6,9"));
    CHECK (s_wait_delivered (pub, "/flaky", "1,2,3,4,5,6,7,8,9,10"));
    CHECK (s_wait_delivered (pub, "/slow", "1,2,3,4,5,6,7,8,9,10"));
    CHECK (s_wait_position (pub, admin, "filtered", 10));
    //  Every request "all" ever got was answered 2xx: none was sent twice.
    char seqs[512];
    s_seqs ("/all", false, seqs, sizeof seqs);
    CHECK_STR (seqs, "1,2,3,4,5,6,7,8,9,10");
    tl_webhooks_destroy (&webhooks);

    jy_config_destroy (&config);
    jy_feed_pub_destroy (&pub);
    zsock_destroy (&pub_socket);
}

int main (void)
{
    if (!getenv ("JOURNEY_SOURCE_DIR"))
        return 77;
    jy_log_init ("test_webhook", JY_LOG_ERROR);
    char dbname[64], url[1024], role_url[1024];
    if (aft_database_new ("tlwebhook", dbname, sizeof dbname, url, sizeof url, role_url,
                          sizeof role_url) != 0) {
        fprintf (stderr, "cannot prepare the test database\n");
        return 1;
    }
    snprintf (s_dir, sizeof s_dir, "/tmp/jy-webhook-test-%d", (int) getpid ());
    zsys_dir_create ("%s", s_dir);

    s_test_settings ();

    pid_t receiver = s_receiver_start ();
    CHECK (s_port > 0);
    if (s_port > 0) {
        jy_db_t *admin = jy_db_new (url);
        CHECK_INT (jy_db_connect (admin, 10000), 0);
        s_test_delivery (admin, role_url);
        jy_db_destroy (&admin);
    }
    CHECK (jy_test_daemon_stop (receiver, 10000) >= 0);

    aft_database_drop (dbname);
    char command[512];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    CHECK_INT (system (command), 0);
    return jy_test_summary ("timeliness.webhook");
}
