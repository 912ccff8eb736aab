/*  Reading a feed with CURVE is limited by LA (docs/security.md, "Reading"): a real
    journey-ingestd accepting LAs 872 and 210, its event feed bound to every interface
    (a wildcard host) and followed at ingest/feed_connect, keys made by `journey keygen`,
    every handshake watched with zmonitor.

    A key that may read LA 872's events receives 872's events and the heartbeat, never 210's; a
    key with no read rights receives nothing (and the same on the alert and dispute feeds,
    published here as their daemons publish them); the daemons' own key (another daemon following
    the feed) receives everything. A key taken out of clients_dir while subscribed is cut off
    without a restart (the feed binds again and its reconnection is refused), while the
    daemons' follower, let in again, ends with every event in order and no gap.
*/
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>

#include "jy_test.h"
#include "jy_test_daemon.h"
#include "security/security_test.h"

#define S_WAIT_MS 20000 //  an upper bound for a broken build; messages end every wait

//  What a plain subscriber received: the event ids in order ("A1 A3 "), the topics of events
//  that were not "events.872"-like for its LA, and the newest heartbeat.
typedef struct {
    char ids[256];
    char topics[256]; //  every event topic, space-separated
    uint64_t heartbeat;
    size_t heartbeats;
} s_seen_t;

//  Receive one message into seen; false when none came within wait_ms.
static bool s_receive (zsock_t *sub, s_seen_t *seen, int wait_ms)
{
    zpoller_t *poller = zpoller_new (sub, NULL);
    bool got = zpoller_wait (poller, wait_ms) == sub;
    zpoller_destroy (&poller);
    if (!got)
        return false;
    char *topic = NULL;
    jy_wire_status_t status;
    jy_envelope_t *envelope = jy_wire_recv (sub, JY_WIRE_DEFAULT_CAP, NULL, &topic, &status);
    const char *id =
        !envelope                                                        ? NULL
        : envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT ? envelope->event->event_id
        : envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT ? envelope->alert->child_id
        : envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_NOTICE
            ? envelope->dispute_notice->child_id
            : NULL;
    if (id) {
        size_t used = strlen (seen->ids);
        snprintf (seen->ids + used, sizeof seen->ids - used, "%s ", id);
        used = strlen (seen->topics);
        snprintf (seen->topics + used, sizeof seen->topics - used, "%s ", topic ? topic : "?");
    } else if (envelope && envelope->has_feed_seq) {
        seen->heartbeat = envelope->feed_seq;
        seen->heartbeats++;
    }
    jy_envelope_free (&envelope);
    free (topic);
    return true;
}

//  Receive until a heartbeat says the head is at least head: everything published before it
//  on this connection has then arrived. False when none came.
static bool s_until_head (zsock_t *sub, s_seen_t *seen, uint64_t head)
{
    int64_t until = zclock_mono () + S_WAIT_MS;
    while (zclock_mono () < until) {
        size_t before = seen->heartbeats;
        if (!s_receive (sub, seen, (int) (until - zclock_mono ())))
            return false;
        if (seen->heartbeats > before && seen->heartbeat >= head)
            return true;
    }
    return false;
}

//  The daemons' follower: every sequence number it was handed, in order.
typedef struct {
    char seqs[256];
} s_follower_t;

static int s_on_event (void *arg, uint64_t seq, jy_envelope_t *envelope)
{
    s_follower_t *follower = (s_follower_t *) arg;
    (void) envelope;
    size_t used = strlen (follower->seqs);
    snprintf (follower->seqs + used, sizeof follower->seqs - used, "%" PRIu64 " ", seq);
    return 0;
}

static bool s_follow_to (jy_feed_sub_t *sub, uint64_t position)
{
    zpoller_t *poller = zpoller_new (jy_feed_sub_socket (sub), NULL);
    int64_t until = zclock_mono () + S_WAIT_MS;
    while (jy_feed_sub_position (sub) < position && zclock_mono () < until)
        if (zpoller_wait (poller, (int) (until - zclock_mono ())))
            jy_feed_sub_on_readable (sub);
    zpoller_destroy (&poller);
    return jy_feed_sub_position (sub) >= position;
}

//  A feed published in this process as its daemon publishes it (jy_feed_bind, jy_feed_pub_send),
//  behind this process's zauth: children C1 and C3 of LA 872, C2 and C4 of 210. A key reading
//  872 gets C1 and C3 only; a key with no read rights nothing.
static void s_check_feed (jy_config_t *config, const char *name, const char *bind_key,
                          zcert_t *reader, zcert_t *nobody, const char *server_key)
{
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", st_free_port ());
    zsock_t *pub = jy_feed_bind (config, bind_key, endpoint, 1000);
    CHECK (pub != NULL);
    if (!pub)
        return;
    jy_feed_pub_t *publisher = jy_feed_pub_new (pub, jy_feed_lookup (name), 0);
    st_client_t none = st_client (endpoint, ZMQ_SUB, nobody, server_key);
    zsock_set_subscribe (none.sock, name);
    CHECK_STR (st_handshake (&none), "HANDSHAKE_SUCCEEDED");
    st_client_t only = st_client (endpoint, ZMQ_SUB, reader, server_key);
    zsock_set_subscribe (only.sock, name);
    CHECK_STR (st_handshake (&only), "HANDSHAKE_SUCCEEDED");
    s_seen_t seen_only, seen_none;
    memset (&seen_only, 0, sizeof seen_only);
    memset (&seen_none, 0, sizeof seen_none);
    //  Subscriptions are granted when the publisher next sends: heartbeat until one arrives.
    for (int i = 0; i < 400 && seen_only.heartbeats == 0; i++) {
        jy_feed_pub_heartbeat (publisher);
        s_receive (only.sock, &seen_only, 50);
    }
    CHECK (seen_only.heartbeats > 0);
    const char *las[] = {"872", "210", "872", "210"};
    const char *children[] = {"C1", "C2", "C3", "C4"};
    for (int i = 0; i < 4; i++) {
        jy_envelope_t envelope;
        jy_envelope_init (&envelope);
        Journey__V1__Alert alert = JOURNEY__V1__ALERT__INIT;
        Journey__V1__DisputeNotice notice = JOURNEY__V1__DISPUTE_NOTICE__INIT;
        if (strcmp (name, "alerts") == 0) {
            alert.la_code = (char *) las[i];
            alert.child_id = (char *) children[i];
            envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT;
            envelope.alert = &alert;
        } else {
            notice.la_code = (char *) las[i];
            notice.child_id = (char *) children[i];
            envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_NOTICE;
            envelope.dispute_notice = &notice;
        }
        CHECK_INT (jy_feed_pub_send (publisher, (uint64_t) i + 1, &envelope), 0);
    }
    jy_feed_pub_heartbeat (publisher);
    CHECK (s_until_head (only.sock, &seen_only, 4));
    CHECK_STR (seen_only.ids, "C1 C3 ");
    while (s_receive (none.sock, &seen_none, 0))
        ;
    CHECK_STR (seen_none.ids, "");
    CHECK_INT (seen_none.heartbeats, 0);
    st_client_destroy (&none);
    st_client_destroy (&only);
    jy_feed_pub_destroy (&publisher);
    zsock_destroy (&pub);
}

int main (void)
{
    if (!getenv ("JOURNEY_SERVICES_DIR") || !getenv ("JOURNEY_CLI") ||
        !getenv ("JOURNEY_DATABASE_INGEST_URL"))
        return 77;
    char keys[300], clients[300];
    st_dir_create ("feeds", keys, clients, sizeof keys);
    CHECK_INT (st_keygen ("server", "--server", NULL), 0);
    CHECK_INT (st_keygen ("cms", "--la-codes", "210 872", NULL), 0);
    CHECK_INT (st_keygen ("reader-872", "--read", "events alerts disputes", "--read-la-codes",
                          "872", NULL),
               0);
    CHECK_INT (st_keygen ("nobody", NULL), 0);
    CHECK_INT (st_keygen ("leaver", "--read", "events", "--read-la-codes", "210 872", NULL), 0);
    st_allow ("server", "cms", "reader-872", "nobody", "leaver", NULL);
    char path[512];
    zcert_t *cert = st_key_load ("reader-872.pub");
    CHECK_STR (cert ? zcert_meta (cert, "read") : NULL, "events alerts disputes");
    CHECK_STR (cert ? zcert_meta (cert, "read_la_codes") : NULL, "872");
    zcert_destroy (&cert);

    st_db_t admin;
    st_db_create (&admin, "journey_security_f_");
    st_db_use (&admin, "JOURNEY_DATABASE_INGEST_URL");

    //  The feed bound to every interface; followers told where to reach it.
    int port = st_free_port ();
    char request[64], feed_bind[64], feed[64];
    st_loopback (request, sizeof request);
    snprintf (feed_bind, sizeof feed_bind, "tcp://*:%d", port);
    snprintf (feed, sizeof feed, "tcp://127.0.0.1:%d", port);
    st_daemon_env ();
    setenv ("JOURNEY_INGEST_REQUEST", request, 1);
    setenv ("JOURNEY_INGEST_FEED", feed_bind, 1);
    setenv ("JOURNEY_INGEST_LA_CODES", "210", 1);
    pid_t ingestd = st_spawn ("ingest", st_path ("ingestd.log"));

    //  A follower cannot connect to a wildcard: without ingest/feed_connect it is told so.
    char err[256];
    jy_config_t *config = jy_config_load (NULL, NULL, err, sizeof err);
    CHECK (config != NULL);
    const char *endpoint = NULL;
    CHECK_INT (config ? jy_feed_connect_endpoint (config, "ingest/feed", &endpoint) : 0, -1);
    CHECK (strstr (config ? jy_config_error (config) : "", "ingest/feed_connect") != NULL);
    jy_config_destroy (&config);
    setenv ("JOURNEY_INGEST_FEED_CONNECT", feed, 1);
    config = jy_config_load (NULL, NULL, err, sizeof err);
    CHECK_INT (config ? jy_feed_connect_endpoint (config, "ingest/feed", &endpoint) : -1, 0);
    CHECK_STR (endpoint, feed);

    zcert_t *server = st_key_load ("server.pub");
    zcert_t *cms = st_key_load ("cms");
    zcert_t *reader = st_key_load ("reader-872");
    zcert_t *nobody = st_key_load ("nobody");
    zcert_t *leaver = st_key_load ("leaver");
    CHECK (server && cms && reader && nobody && leaver);
    if (!server || !cms || !reader || !nobody || !leaver)
        return jy_test_summary ("security.feeds");
    const char *server_key = zcert_public_txt (server);
    st_client_t pusher = st_client (request, ZMQ_DEALER, cms, server_key);
    CHECK_STR (st_handshake (&pusher), "HANDSHAKE_SUCCEEDED");

    //  Subscribers, each asking for the whole feed; the key decides what it gets.
    st_client_t none = st_client (endpoint, ZMQ_SUB, nobody, server_key);
    zsock_set_subscribe (none.sock, "events");
    CHECK_STR (st_handshake (&none), "HANDSHAKE_SUCCEEDED");
    st_client_t only_872 = st_client (endpoint, ZMQ_SUB, reader, server_key);
    zsock_set_subscribe (only_872.sock, "events");
    CHECK_STR (st_handshake (&only_872), "HANDSHAKE_SUCCEEDED");
    st_client_t leaving = st_client (endpoint, ZMQ_SUB, leaver, server_key);
    zsock_set_subscribe (leaving.sock, "events");
    CHECK_STR (st_handshake (&leaving), "HANDSHAKE_SUCCEEDED");
    //  The daemons' follower, as journey-timelinessd follows the feed: the server key.
    jy_security_t *daemon_security = config ? jy_security_new (config, JY_SECURITY_SERVER) : NULL;
    CHECK (daemon_security != NULL);
    jy_security_set_process (daemon_security);
    jy_db_t *db = jy_db_new (admin.url);
    CHECK_INT (jy_db_connect (db, 10000), 0);
    s_follower_t followed = {{0}};
    jy_feed_sub_t *follower =
        jy_feed_sub_new (db, jy_feed_lookup ("events"), endpoint, 0, s_on_event, &followed);
    CHECK (follower != NULL);
    //  Each granted subscription shows by a heartbeat: from then on the feed serves it.
    s_seen_t seen_872, seen_none, seen_leaving;
    memset (&seen_872, 0, sizeof seen_872);
    memset (&seen_none, 0, sizeof seen_none);
    memset (&seen_leaving, 0, sizeof seen_leaving);
    CHECK (s_until_head (only_872.sock, &seen_872, 0));
    CHECK (s_until_head (leaving.sock, &seen_leaving, 0));

    const char *first[] = {ST_EVENT ("A1", "872", "C1"), ST_EVENT ("A2", "210", "C2"),
                           ST_EVENT ("A3", "872", "C3"), ST_EVENT ("A4", "210", "C4")};
    CHECK_INT (st_push (pusher.sock, "batch-1", first, 4), 4);
    CHECK (s_until_head (only_872.sock, &seen_872, 4));
    CHECK (s_until_head (leaving.sock, &seen_leaving, 4));
    CHECK_STR (seen_872.ids, "A1 A3 ");
    CHECK_STR (seen_872.topics, "events.872 events.872 ");
    CHECK_STR (seen_leaving.ids, "A1 A2 A3 A4 ");
    //  No read rights: nothing at all, not even a heartbeat, and the log says why.
    while (s_receive (none.sock, &seen_none, 0))
        ;
    CHECK_STR (seen_none.ids, "");
    CHECK_INT (seen_none.heartbeats, 0);
    CHECK (jy_test_file_contains (st_path ("ingestd.log"), "subscription of key nobody ignored"));
    CHECK (follower && s_follow_to (follower, 4));
    CHECK_STR (followed.seqs, "1 2 3 4 ");

    //  Revoked while subscribed: cut off within a heartbeat, no restart. Its connection is
    //  closed, and coming back it is refused by zauth.
    snprintf (path, sizeof path, "%s/leaver.pub", clients);
    CHECK_INT (unlink (path), 0);
    CHECK_STR (st_handshake (&leaving), "HANDSHAKE_FAILED_AUTH");
    CHECK (jy_test_file_contains (st_path ("ingestd.log"), "closing every subscription"));
    const char *second[] = {ST_EVENT ("B1", "872", "C5"), ST_EVENT ("B2", "210", "C6")};
    CHECK_INT (st_push (pusher.sock, "batch-2", second, 2), 2);
    //  The daemons' follower has everything, in order, no gap (caught up from the table when
    //  the live feed missed some while it came back).
    CHECK (follower && s_follow_to (follower, 6));
    CHECK_STR (followed.seqs, "1 2 3 4 5 6 ");
    CHECK (s_until_head (only_872.sock, &seen_872, 6));
    CHECK (strstr (seen_872.ids, "B2") == NULL);
    while (s_receive (leaving.sock, &seen_leaving, 0))
        ;
    CHECK_STR (seen_leaving.ids, "A1 A2 A3 A4 ");
    while (s_receive (none.sock, &seen_none, 0))
        ;
    CHECK_STR (seen_none.ids, "");

    CHECK_INT (jy_test_daemon_stop (ingestd, 30000), 0);

    //  The alert and dispute feeds, behind this process's own zauth.
    CHECK_INT (daemon_security ? jy_security_start (daemon_security) : -1, 0);
    s_check_feed (config, "alerts", "timeliness/feed", reader, nobody, server_key);
    s_check_feed (config, "disputes", "escalation/feed", reader, nobody, server_key);
    jy_feed_sub_destroy (&follower);
    jy_db_destroy (&db);
    jy_security_destroy (&daemon_security);
    jy_config_destroy (&config);
    st_client_destroy (&pusher);
    st_client_destroy (&none);
    st_client_destroy (&only_872);
    st_client_destroy (&leaving);
    zcert_destroy (&server);
    zcert_destroy (&cms);
    zcert_destroy (&reader);
    zcert_destroy (&nobody);
    zcert_destroy (&leaver);
    return st_finish (&admin, "security.feeds");
}
