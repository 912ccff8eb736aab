/*  journey-ingestd with CURVE on TCP, as a client sees it: keys made by `journey keygen`, a
    real daemon on its own database, every handshake watched with zmonitor (no sleeps).

    keygen writes NAME (secret, 0600) and NAME.pub carrying the permissions, and refuses to
    overwrite or to take a malformed LA code. The daemon lets in the key whose NAME.pub is in
    clients_dir and logs who asked for what; refuses an unknown key and a plaintext client on
    its request socket and its feed; a pusher whose certificate says la_codes 210 gets
    la_not_allowed for an 872 event while its 210 event is accepted, also through
    `journey push`, which says at once when its key is refused; a key removed from clients_dir
    is refused on the open connection's next request and on new ones. A daemon told to use
    CURVE without zauth, without clients_dir or without its secret certificate exits 1 naming
    the key.
*/
#define _GNU_SOURCE
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jy_test.h"
#include "jy_test_daemon.h"
#include "security/security_test.h"

//  Run `journey ARGS...` with its output into DIR/out_name; its exit status.
#define s_journey(out_name, ...) st_journey (st_path (out_name), __VA_ARGS__)

static bool s_file_contains (const char *name, const char *text)
{
    return jy_test_file_contains (st_path (name), text);
}

static int s_on_event (void *arg, uint64_t seq, jy_envelope_t *envelope)
{
    (void) arg;
    (void) seq;
    (void) envelope;
    return 0;
}

//  journey keygen's files: the secret one private and complete, the public one with the
//  permissions and no secret.
static void s_check_keygen (const char *keys)
{
    CHECK_INT (st_keygen ("server", "--server", NULL), 0);
    CHECK_INT (st_keygen ("cms-210", "--la-codes", "210", "--read", "events", NULL), 0);
    CHECK (
        s_file_contains ("keygen-cms-210.out", "copy it into each daemon's security/clients_dir"));
    CHECK_INT (st_keygen ("stranger", "--la-codes", "210 872", "--dispute-roles", "iro,cp-chair",
                          "--reports", NULL),
               0);
    char path[512];
    snprintf (path, sizeof path, "%s/cms-210", keys);
    zcert_t *secret = zcert_load (path);
    snprintf (path, sizeof path, "%s/cms-210.pub", keys);
    zcert_t *public = zcert_load (path);
    CHECK (secret && public);
    if (secret && public) {
        CHECK (strcmp (zcert_secret_txt (secret), "0000000000000000000000000000000000000000"));
        CHECK_STR (zcert_secret_txt (public), "0000000000000000000000000000000000000000");
        CHECK_STR (zcert_public_txt (public), zcert_public_txt (secret));
        CHECK_STR (zcert_meta (public, "la_codes"), "210");
        CHECK_STR (zcert_meta (public, "name"), "cms-210");
        CHECK (zcert_meta (public, "reports") == NULL);
        CHECK (zcert_meta (public, "dispute_roles") == NULL);
    }
    zcert_destroy (&secret);
    zcert_destroy (&public);
    struct stat info;
    snprintf (path, sizeof path, "%s/cms-210", keys);
    CHECK_INT (stat (path, &info), 0);
    CHECK_INT (info.st_mode & 0777, 0600);
    snprintf (path, sizeof path, "%s/stranger.pub", keys);
    public = zcert_load (path);
    CHECK_STR (public ? zcert_meta (public, "la_codes") : NULL, "210 872");
    CHECK_STR (public ? zcert_meta (public, "dispute_roles") : NULL, "iro cp-chair");
    CHECK_STR (public ? zcert_meta (public, "reports") : NULL, "yes");
    zcert_destroy (&public);

    //  Never over an existing key; a malformed permission is a usage error.
    CHECK_INT (s_journey ("keygen-again.out", "keygen", "cms-210", "--out", keys, NULL), 1);
    CHECK (s_file_contains ("keygen-again.out", "exists"));
    CHECK_INT (
        s_journey ("keygen-bad.out", "keygen", "bad", "--la-codes", "87", "--out", keys, NULL), 2);
    CHECK (s_file_contains ("keygen-bad.out", "\"87\" is not a three-digit DfE LA code"));
}

//  A daemon that must refuse to start: exits 1 naming the key.
static void s_check_refuses (const char *log_name, const char *variable, const char *value,
                             const char *key)
{
    char *saved = getenv (variable) ? strdup (getenv (variable)) : NULL;
    setenv (variable, value, 1);
    pid_t pid = st_spawn ("ingest", st_path (log_name));
    CHECK_INT (jy_test_wait_exit (pid, 1500), 1);
    CHECK (s_file_contains (log_name, key));
    if (saved)
        setenv (variable, saved, 1);
    else
        unsetenv (variable);
    free (saved);
}

int main (void)
{
    if (!getenv ("JOURNEY_SERVICES_DIR") || !getenv ("JOURNEY_CLI") ||
        !getenv ("JOURNEY_DATABASE_INGEST_URL"))
        return 77;
    char keys[300], clients[300], path[600], other[600];
    st_dir_create ("ingestd", keys, clients, sizeof keys);
    s_check_keygen (keys);

    //  The daemon's database.
    st_db_t admin;
    st_db_create (&admin, "journey_security_");
    st_db_use (&admin, "JOURNEY_DATABASE_INGEST_URL");

    //  The daemon: CURVE on loopback TCP, LA 872 and 210, cms-210 allowed.
    char request[64], feed[64], server_public[400];
    st_loopback (request, sizeof request);
    st_loopback (feed, sizeof feed);
    snprintf (server_public, sizeof server_public, "%s/server.pub", keys);
    st_allow ("cms-210", NULL);
    st_daemon_env ();
    setenv ("JOURNEY_INGEST_REQUEST", request, 1);
    setenv ("JOURNEY_INGEST_FEED", feed, 1);
    setenv ("JOURNEY_INGEST_LA_CODES", "210", 1);
    pid_t pid = st_spawn ("ingest", st_path ("ingestd.log"));

    zcert_t *server = st_key_load ("server.pub");
    zcert_t *pusher = st_key_load ("cms-210");
    zcert_t *stranger = st_key_load ("stranger");
    CHECK (server && pusher && stranger);
    if (!server || !pusher || !stranger)
        return jy_test_summary ("security.ingestd");
    const char *server_key = zcert_public_txt (server);

    //  The known key: in (the first handshake also waits for the daemon to bind).
    st_client_t client = st_client (request, ZMQ_DEALER, pusher, server_key);
    CHECK_STR (st_handshake (&client), "HANDSHAKE_SUCCEEDED");

    //  la_codes 210: its 872 event is refused like a foreign LA's, its 210 event accepted.
    const char *mixed[] = {ST_EVENT ("S1", "872", "C1"), ST_EVENT ("S2", "210", "C2")};
    jy_envelope_t *reply = st_batch (client.sock, "sec-1", mixed, 2);
    Journey__V1__BatchResult *result =
        reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_BATCH_RESULT
            ? reply->batch_result
            : NULL;
    CHECK_INT (result ? result->n_results : 0, 2);
    if (result && result->n_results == 2) {
        CHECK_INT (result->results[0]->status, JOURNEY__V1__EVENT_RESULT__STATUS__REJECTED);
        CHECK_STR (result->results[0]->code, "la_not_allowed");
        CHECK_STR (result->results[0]->field, "la_code");
        CHECK (strstr (result->results[0]->message ? result->results[0]->message : "", "cms-210") !=
               NULL);
        CHECK_INT (result->results[1]->status, JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED);
    }
    jy_envelope_free (&reply);
    //  Who asked for what, by name and key.
    char logged[256];
    snprintf (logged, sizeof logged, "event_batch from cms-210 (key %s)",
              zcert_public_txt (pusher));
    CHECK (s_file_contains ("ingestd.log", logged));

    //  Refused: an unknown key, and plaintext, on the request socket and on the feed.
    st_client_t refused = st_client (request, ZMQ_DEALER, stranger, server_key);
    CHECK_STR (st_handshake (&refused), "HANDSHAKE_FAILED_AUTH");
    st_client_destroy (&refused);
    refused = st_client (request, ZMQ_DEALER, NULL, NULL);
    CHECK_STR (st_failed (st_handshake (&refused)), "HANDSHAKE_FAILED");
    st_client_destroy (&refused);
    refused = st_client (feed, ZMQ_SUB, stranger, server_key);
    CHECK_STR (st_handshake (&refused), "HANDSHAKE_FAILED_AUTH");
    st_client_destroy (&refused);
    refused = st_client (feed, ZMQ_SUB, NULL, NULL);
    CHECK_STR (st_failed (st_handshake (&refused)), "HANDSHAKE_FAILED");
    st_client_destroy (&refused);
    //  The feed with the known key (it may read LA 210's events): in, and its heartbeat arrives.
    st_client_t follower = st_client (feed, ZMQ_SUB, pusher, server_key);
    zsock_set_subscribe (follower.sock, "events");
    CHECK_STR (st_handshake (&follower), "HANDSHAKE_SUCCEEDED");
    zpoller_t *poller = zpoller_new (follower.sock, NULL);
    CHECK (zpoller_wait (poller, 10000) == follower.sock);
    zpoller_destroy (&poller);
    st_client_destroy (&follower);

    //  Another daemon following the feed (jy_feed) presents its server certificate, once
    //  server.pub is in clients_dir; the live heartbeat tells it the head. A refused handshake
    //  is not retried by libzmq, so the daemon must have seen the new file first: it reads
    //  clients_dir again before answering any request.
    st_allow ("server", NULL);
    reply = st_status (client.sock);
    CHECK (reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY);
    jy_envelope_free (&reply);
    char err[256];
    jy_config_t *config = jy_config_load (NULL, NULL, err, sizeof err); //  the environment's
    jy_security_t *daemon_security = config ? jy_security_new (config, JY_SECURITY_SERVER) : NULL;
    CHECK (daemon_security != NULL);
    jy_security_set_process (daemon_security);
    jy_db_t *db = jy_db_new (admin.url);
    CHECK_INT (jy_db_connect (db, 10000), 0);
    jy_feed_sub_t *sub = jy_feed_sub_new (db, jy_feed_lookup ("events"), feed, 0, s_on_event, NULL);
    CHECK (sub != NULL);
    if (sub) {
        CHECK_INT (zsock_mechanism (jy_feed_sub_socket (sub)), ZMQ_CURVE);
        poller = zpoller_new (jy_feed_sub_socket (sub), NULL);
        bool readable = zpoller_wait (poller, 10000) == jy_feed_sub_socket (sub);
        CHECK (readable);
        CHECK_INT (readable ? jy_feed_sub_on_readable (sub) : -1, 0);
        CHECK_INT (jy_feed_sub_head (sub), 1); //  S2, the one event accepted so far
        zpoller_destroy (&poller);
    }
    jy_feed_sub_destroy (&sub);
    jy_db_destroy (&db);
    jy_security_destroy (&daemon_security);
    jy_config_destroy (&config);

    //  journey push with the same key: the 210 line accepted, the 872 line refused.
    snprintf (path, sizeof path, "%s/events.jsonl", st_dir ());
    st_write (path, ST_EVENT ("P1", "210", "C3") "\n" ST_EVENT ("P2", "872", "C4") "\n");
    setenv ("JOURNEY_SECURITY_SERVER_PUBLIC", server_public, 1);
    snprintf (other, sizeof other, "%s/cms-210", keys);
    setenv ("JOURNEY_SECURITY_CLIENT_SECRET", other, 1);
    CHECK_INT (s_journey ("push.out", "push", path, NULL), 1);
    CHECK (s_file_contains ("push.out", "la_not_allowed"));
    CHECK (s_file_contains ("push.out", "1 accepted"));
    //  ... and with an unknown key: said at once, not waited out.
    snprintf (other, sizeof other, "%s/stranger", keys);
    setenv ("JOURNEY_SECURITY_CLIENT_SECRET", other, 1);
    CHECK_INT (s_journey ("push-refused.out", "push", path, NULL), 1);
    CHECK (s_file_contains ("push-refused.out", "refused this client's key"));
    unsetenv ("JOURNEY_SECURITY_CLIENT_SECRET");
    unsetenv ("JOURNEY_SECURITY_SERVER_PUBLIC");

    //  Revoked: the open connection's next request is refused, and so is a new connection.
    snprintf (path, sizeof path, "%s/cms-210.pub", clients);
    CHECK_INT (unlink (path), 0);
    reply = st_status (client.sock);
    CHECK (reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY);
    CHECK_STR (reply && reply->reply ? reply->reply->code : NULL, "key_not_allowed");
    jy_envelope_free (&reply);
    st_client_destroy (&client);
    refused = st_client (request, ZMQ_DEALER, pusher, server_key);
    CHECK_STR (st_handshake (&refused), "HANDSHAKE_FAILED_AUTH");
    st_client_destroy (&refused);

    CHECK_INT (jy_test_daemon_stop (pid, 30000), 0);

    //  Told to use CURVE but without zauth, clients_dir or its own secret: exits 1, naming it.
    s_check_refuses ("no-zauth.log", "JOURNEY_SECURITY_ZAUTH", "0", "security/zauth");
    snprintf (path, sizeof path, "%s/missing", st_dir ());
    s_check_refuses ("no-clients.log", "JOURNEY_SECURITY_CLIENTS_DIR", path,
                     "security/clients_dir");
    s_check_refuses ("public-secret.log", "JOURNEY_SECURITY_SERVER_SECRET", server_public,
                     "security/server_secret");

    zcert_destroy (&server);
    zcert_destroy (&pusher);
    zcert_destroy (&stranger);
    return st_finish (&admin, "security.ingestd");
}
