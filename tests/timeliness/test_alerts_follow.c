/*  `journey alerts --follow` when the live feed loses messages. The real daemon never drops on
    purpose, so this test stands in for its two sockets: a ROUTER answering AlertsRequest with
    the real queries module over a fresh database, and an XPUB (a PUB that also shows when a
    subscriber has joined) publishing with jy_feed_pub. Each case is arranged exactly:

    - alerts 1-3 exist before the follower starts: it pages them;
    - 4 is published: printed live, with no request;
    - 5 is stored but not published, then 6 is published: the gap makes it ask, and it prints
      5 and 6;
    - 7 and 8 are stored but not published, then a heartbeat with head 8: it asks, and prints
      them;
    - 6 is published again, then 9: 6 is not printed twice, 9 is, with no request;
    - a follower with --team T2 skips the others' alerts without asking, and still asks on a
      gap.

    Each follower's output is every seq once, in order. SIGTERM ends it with status 0.
*/
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alert_feed_test.h"
#include "jy_test_daemon.h"
#include "queries.h"

#define S_TURNS 500 //  polls of 20 ms: 10 s at most for anything to happen

typedef struct {
    jy_db_t *db;
    zsock_t *router, *xpub;
    zpoller_t *poller;
    jy_feed_pub_t *pub;
    int requests;    //  AlertsRequests answered
    int subscribers; //  subscriptions seen on the XPUB
} s_server_t;

static char s_dir[256];

//  Answer whatever is waiting, for up to timeout_ms.
static void s_serve (s_server_t *self, int timeout_ms)
{
    void *which = zpoller_wait (self->poller, timeout_ms);
    if (which == self->router) {
        zframe_t *routing_id = NULL;
        jy_wire_status_t status;
        jy_envelope_t *request =
            jy_wire_recv (self->router, JY_WIRE_DEFAULT_CAP, &routing_id, NULL, &status);
        CHECK (request && request->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_ALERTS_REQUEST);
        if (request && request->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_ALERTS_REQUEST) {
            jy_envelope_t *reply = tl_queries_alerts (self->db, request->alerts_request);
            reply->message_id = strdup (request->message_id);
            jy_wire_send_routed (self->router, routing_id, reply);
            jy_envelope_free (&reply);
            self->requests++;
        }
        jy_envelope_free (&request);
        zframe_destroy (&routing_id);
    } else if (which == self->xpub) {
        zframe_t *frame = zframe_recv (self->xpub);
        if (frame && zframe_size (frame) > 0 && zframe_data (frame)[0] == 1)
            self->subscribers++;
        zframe_destroy (&frame);
    }
}

//  The seqs printed in path so far, "1,2,3".
static void s_printed (const char *path, char *text, size_t size)
{
    text[0] = '\0';
    FILE *file = fopen (path, "r");
    if (!file)
        return;
    char line[4096];
    size_t used = 0;
    while (fgets (line, sizeof line, file) && used < size) {
        json_t *object = json_loads (line, 0, NULL);
        used +=
            (size_t) snprintf (text + used, size - used, "%s%lld", used ? "," : "",
                               (long long) json_integer_value (json_object_get (object, "seq")));
        json_decref (object);
    }
    fclose (file);
}

//  Serve until the follower writing path has printed expected; false after S_TURNS.
static bool s_until_printed (s_server_t *self, const char *path, const char *expected)
{
    char printed[512] = "";
    for (int turn = 0; turn < S_TURNS; turn++) {
        s_printed (path, printed, sizeof printed);
        if (strcmp (printed, expected) == 0)
            return true;
        s_serve (self, 20);
    }
    fprintf (stderr, "%s printed \"%s\", expected \"%s\"\n", path, printed, expected);
    return false;
}

//  Serve until count AlertsRequests have been answered in all. A round of asking is two: a
//  page with alerts, then an empty one that says the follower has reached the head.
static bool s_until_requests (s_server_t *self, int count)
{
    for (int turn = 0; turn < S_TURNS && self->requests < count; turn++)
        s_serve (self, 20);
    if (self->requests != count)
        fprintf (stderr, "%d requests, expected %d\n", self->requests, count);
    return self->requests == count;
}

static bool s_until_subscribers (s_server_t *self, int count)
{
    for (int turn = 0; turn < S_TURNS && self->subscribers < count; turn++)
        s_serve (self, 20);
    return self->subscribers >= count;
}

static pid_t s_follower (const char *out_path, const char *team)
{
    const char *argv[] = {
        getenv ("JOURNEY_CLI"), "alerts", "--follow", "--json", "--team", team, NULL};
    if (!team)
        argv[4] = NULL;
    return jy_test_spawn (argv, out_path, NULL);
}

static uint64_t s_write (s_server_t *self, bool publish, const char *child, const char *team)
{
    aft_alert_t alert = {
        JOURNEY__V1__ALERT__KIND__OVERDUE, "872", child, "icpc", "2025-03-03", team};
    return aft_alert_write (self->db, publish ? self->pub : NULL, &alert);
}

//  A heartbeat with head: what the daemon's timer sends, whatever jy_feed_pub last sent here
//  (a message lost on the way was still sent as far as the daemon knows).
static void s_heartbeat (s_server_t *self, uint64_t head)
{
    jy_envelope_t envelope;
    jy_envelope_init (&envelope);
    envelope.has_feed_seq = 1;
    envelope.feed_seq = head;
    CHECK_INT (jy_wire_send_topic (self->xpub, "alerts", &envelope), 0);
}

//  Publish a stored alert again, as a daemon recovering might.
static void s_republish (s_server_t *self, uint64_t seq, const char *child, const char *team)
{
    Journey__V1__Alert alert;
    aft_alert_t spec = {
        JOURNEY__V1__ALERT__KIND__OVERDUE, "872", child, "icpc", "2025-03-03", team};
    aft_alert_fill (&alert, &spec);
    jy_envelope_t envelope;
    jy_envelope_init (&envelope);
    envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT;
    envelope.alert = &alert;
    jy_feed_pub_send (self->pub, seq, &envelope);
}

int main (void)
{
    if (!getenv ("JOURNEY_CLI"))
        return 77;
    jy_log_init ("test_alerts_follow", JY_LOG_WARNING);
    char dbname[64], url[1024], role_url[1024];
    if (aft_database_new ("tlfollow", dbname, sizeof dbname, url, sizeof url, role_url,
                          sizeof role_url) != 0) {
        fprintf (stderr, "cannot prepare the test database\n");
        return 1;
    }
    snprintf (s_dir, sizeof s_dir, "/tmp/jy-follow-test-%d", (int) getpid ());
    zsys_dir_create ("%s", s_dir);
    char request_endpoint[320], feed_endpoint[320], all_path[320], team_path[320];
    snprintf (request_endpoint, sizeof request_endpoint, "ipc://%s/request.ipc", s_dir);
    snprintf (feed_endpoint, sizeof feed_endpoint, "ipc://%s/feed.ipc", s_dir);
    snprintf (all_path, sizeof all_path, "%s/all.jsonl", s_dir);
    snprintf (team_path, sizeof team_path, "%s/team.jsonl", s_dir);
    setenv ("JOURNEY_TIMELINESS_REQUEST", request_endpoint, 1);
    setenv ("JOURNEY_TIMELINESS_FEED", feed_endpoint, 1);

    s_server_t server = {0};
    server.db = jy_db_new (url);
    CHECK_INT (jy_db_connect (server.db, 10000), 0);
    server.router = zsock_new_router (request_endpoint);
    server.xpub = zsock_new_xpub (feed_endpoint);
    zsock_set_xpub_verbose (server.xpub, 1); //  every subscriber's subscription, not only the first
    assert (server.router && server.xpub);
    server.poller = zpoller_new (server.router, server.xpub, NULL);
    server.pub = jy_feed_pub_new (server.xpub, jy_feed_lookup ("alerts"), 0);

    //  1-3 before the follower: paged (a page, then an empty one).
    for (int i = 0; i < 3; i++)
        CHECK_INT (s_write (&server, true, "C1", i == 1 ? "T2" : "T1"), i + 1);
    pid_t all = s_follower (all_path, NULL);
    CHECK (s_until_printed (&server, all_path, "1,2,3"));
    CHECK (s_until_subscribers (&server, 1));
    CHECK (s_until_requests (&server, 2));

    //  4 live: no request.
    CHECK_INT (s_write (&server, true, "C2", "T1"), 4);
    CHECK (s_until_printed (&server, all_path, "1,2,3,4"));

    //  5 lost, 6 published: the gap makes it ask.
    CHECK_INT (s_write (&server, false, "C3", "T1"), 5);
    CHECK_INT (s_write (&server, true, "C4", "T1"), 6);
    CHECK (s_until_printed (&server, all_path, "1,2,3,4,5,6"));
    CHECK (s_until_requests (&server, 4));

    //  7 and 8 lost, then only a heartbeat shows the head.
    CHECK_INT (s_write (&server, false, "C5", "T2"), 7);
    CHECK_INT (s_write (&server, false, "C6", "T1"), 8);
    s_heartbeat (&server, 8);
    CHECK (s_until_printed (&server, all_path, "1,2,3,4,5,6,7,8"));
    CHECK (s_until_requests (&server, 6));
    //  A heartbeat at the position: nothing to ask.
    s_heartbeat (&server, 8);

    //  6 again, then 9: 6 is not printed twice, and nothing is asked.
    s_republish (&server, 6, "C4", "T1");
    CHECK_INT (s_write (&server, true, "C7", "T1"), 9);
    CHECK (s_until_printed (&server, all_path, "1,2,3,4,5,6,7,8,9"));

    //  --team T2: 2 and 7 from the pages; 10 (T1) live and skipped without asking; 11 (T2)
    //  live; 12 (T2) lost and 13 (T1) published: a gap, and 12 comes from asking (both
    //  followers ask).
    pid_t team = s_follower (team_path, "T2");
    CHECK (s_until_printed (&server, team_path, "2,7"));
    CHECK (s_until_subscribers (&server, 2));
    CHECK (s_until_requests (&server, 8));
    CHECK_INT (s_write (&server, true, "C8", "T1"), 10);
    CHECK_INT (s_write (&server, true, "C9", "T2"), 11);
    CHECK (s_until_printed (&server, team_path, "2,7,11"));
    CHECK (s_until_printed (&server, all_path, "1,2,3,4,5,6,7,8,9,10,11"));
    CHECK_INT (s_write (&server, false, "C9", "T2"), 12);
    CHECK_INT (s_write (&server, true, "C10", "T1"), 13);
    CHECK (s_until_printed (&server, team_path, "2,7,11,12"));
    CHECK (s_until_printed (&server, all_path, "1,2,3,4,5,6,7,8,9,10,11,12,13"));
    CHECK (s_until_requests (&server, 12));

    //  SIGTERM: a normal end of following.
    CHECK_INT (jy_test_daemon_stop (all, 5000), 0);
    CHECK_INT (jy_test_daemon_stop (team, 5000), 0);

    jy_feed_pub_destroy (&server.pub);
    zpoller_destroy (&server.poller);
    zsock_destroy (&server.xpub);
    zsock_destroy (&server.router);
    jy_db_destroy (&server.db);
    aft_database_drop (dbname);
    char command[512];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    CHECK_INT (system (command), 0);
    return jy_test_summary ("timeliness.alerts_follow");
}
