/*  jy_security in one process: zauth on a directory of allowed certificates, sockets made CURVE
    servers and clients, and each handshake watched with zmonitor (no sleeps).

    A known key is let in and its certificate's metadata is found by the key the handshake
    proved (and is what zauth also put on the frames); an unknown key and a plaintext client
    are refused; a secret certificate or a non-.pub file in clients_dir lets nobody in; a
    certificate with more metadata than czmq 4.2.1's zauth can hold (512 bytes) works, because
    zauth only ever sees the public keys (under ASan, this test would catch the overrun
    otherwise); removing a NAME.pub refuses that key on the next refresh and adding it back
    lets it in again; a server told to use CURVE without zauth, without clients_dir, or with a
    public certificate for its secret one is refused, naming the key; a client's mistake
    waits for its first socket; a second zauth in one process is refused.
*/
#define _GNU_SOURCE
#include <unistd.h>

#include "jy_test.h"
#include "security/security_test.h"

static char s_dir[256];

static jy_config_t *s_config (const char *name, const char *security_section)
{
    char path[512], err[512];
    snprintf (path, sizeof path, "%s/%s.cfg", s_dir, name);
    st_write (path, security_section);
    jy_config_t *config = jy_config_load (path, NULL, err, sizeof err);
    if (!config) {
        fprintf (stderr, "bad test configuration %s: %s\n", path, err);
        abort ();
    }
    return config;
}

//  Send one frame from the client and receive it at the server: the message's body frame, or
//  NULL when nothing arrives (only after a handshake event said it succeeded).
static zframe_t *s_deliver (st_client_t *client, zsock_t *server)
{
    zstr_send (client->sock, "hello");
    zpoller_t *poller = zpoller_new (server, NULL);
    zframe_t *body = NULL;
    if (zpoller_wait (poller, ST_HANDSHAKE_WAIT_MS)) {
        zmsg_t *message = zmsg_recv (server);
        zframe_t *routing_id = zmsg_pop (message);
        body = zmsg_pop (message);
        zframe_destroy (&routing_id);
        zmsg_destroy (&message);
    }
    zpoller_destroy (&poller);
    return body;
}

static void s_check_misconfigurations (const char *server_path, const char *clients)
{
    char text[2048];
    //  CURVE without zauth: refused, naming security/zauth.
    snprintf (text, sizeof text,
              "security\n    curve = 1\n    zauth = 0\n    server_secret = \"%s\"\n"
              "    clients_dir = \"%s\"\n",
              server_path, clients);
    jy_config_t *config = s_config ("no-zauth", text);
    jy_security_t *security = jy_security_new (config, JY_SECURITY_SERVER);
    CHECK (security == NULL);
    CHECK (strstr (jy_config_error (config), "security/zauth") != NULL);
    jy_config_destroy (&config);

    //  No clients_dir, or one that is not there.
    snprintf (text, sizeof text, "security\n    curve = 1\n    server_secret = \"%s\"\n",
              server_path);
    config = s_config ("no-clients", text);
    CHECK (jy_security_new (config, JY_SECURITY_SERVER) == NULL);
    CHECK (strstr (jy_config_error (config), "security/clients_dir") != NULL);
    jy_config_destroy (&config);
    snprintf (text, sizeof text,
              "security\n    curve = 1\n    server_secret = \"%s\"\n"
              "    clients_dir = \"%s/missing\"\n",
              server_path, s_dir);
    config = s_config ("missing-clients", text);
    CHECK (jy_security_new (config, JY_SECURITY_SERVER) == NULL);
    CHECK (strstr (jy_config_error (config), "security/clients_dir") != NULL);
    CHECK (strstr (jy_config_error (config), "No such file") != NULL);
    jy_config_destroy (&config);

    //  The public certificate where the secret one belongs.
    snprintf (text, sizeof text,
              "security\n    curve = 1\n    server_secret = \"%s.pub\"\n"
              "    clients_dir = \"%s\"\n",
              server_path, clients);
    config = s_config ("public-as-secret", text);
    CHECK (jy_security_new (config, JY_SECURITY_SERVER) == NULL);
    CHECK (strstr (jy_config_error (config), "security/server_secret") != NULL);
    CHECK (strstr (jy_config_error (config), "holds no secret key") != NULL);
    jy_config_destroy (&config);

    //  A client without its certificate: made, but its first socket fails naming the key.
    config = s_config ("client-without-key", "security\n    curve = 1\n");
    security = jy_security_new (config, JY_SECURITY_CLIENT);
    CHECK (security != NULL);
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    CHECK_INT (jy_security_client (security, sock), -1);
    CHECK (strstr (jy_security_error (security), "security/client_secret") != NULL);
    zsock_destroy (&sock);
    jy_security_destroy (&security);
    jy_config_destroy (&config);

    //  CURVE off: nothing to check, sockets untouched.
    config = s_config ("off", "security\n    curve = 0\n");
    security = jy_security_new (config, JY_SECURITY_SERVER);
    CHECK (security != NULL && !jy_security_curve (security));
    CHECK_INT (jy_security_start (security), 0);
    jy_security_destroy (&security);
    jy_config_destroy (&config);
}

int main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/jy-security-test-%d", (int) getpid ());
    char clients[300], keys[300], path[600];
    snprintf (clients, sizeof clients, "%s/clients", s_dir);
    snprintf (keys, sizeof keys, "%s/keys", s_dir);
    zsys_dir_create ("%s", clients);
    zsys_dir_create ("%s", keys);

    zcert_t *server = zcert_new ();
    zcert_t *alice = zcert_new (); //  allowed, with permissions
    zcert_t *bob = zcert_new ();   //  allowed, with more metadata than zauth's buffer
    zcert_t *carol = zcert_new (); //  her secret certificate put in clients_dir by mistake
    zcert_t *stranger = zcert_new ();
    zcert_set_meta (alice, "name", "alice");
    zcert_set_meta (alice, "la_codes", "210 211");
    zcert_set_meta (alice, "reports", "yes");
    char big[701];
    memset (big, 'r', 700);
    big[700] = '\0';
    zcert_set_meta (bob, "dispute_roles", "%s", big);
    char server_path[400];
    snprintf (server_path, sizeof server_path, "%s/server", keys);
    CHECK_INT (zcert_save_secret (server, server_path), 0);
    snprintf (path, sizeof path, "%s/server.pub", keys);
    CHECK_INT (zcert_save_public (server, path), 0);
    snprintf (path, sizeof path, "%s/alice.pub", clients);
    CHECK_INT (zcert_save_public (alice, path), 0);
    snprintf (path, sizeof path, "%s/bob.pub", clients);
    CHECK_INT (zcert_save_public (bob, path), 0);
    snprintf (path, sizeof path, "%s/carol.pub", clients);
    CHECK_INT (zcert_save_secret (carol, path), 0);
    snprintf (path, sizeof path, "%s/stranger", clients); //  not NAME.pub: not read
    CHECK_INT (zcert_save_public (stranger, path), 0);

    s_check_misconfigurations (server_path, clients);

    char text[2048];
    snprintf (text, sizeof text,
              "security\n    curve = 1\n    server_secret = \"%s\"\n    clients_dir = \"%s\"\n"
              "    zap_domain = \"test\"\n",
              server_path, clients);
    jy_config_t *config = s_config ("server", text);
    jy_security_t *security = jy_security_new (config, JY_SECURITY_SERVER);
    CHECK (security != NULL);
    if (!security) {
        fprintf (stderr, "%s\n", jy_config_error (config));
        return 1;
    }
    //  Before zauth: binding a CURVE server would let every key in, so it is refused.
    zsock_t *early = zsock_new (ZMQ_ROUTER);
    CHECK_INT (jy_security_server (security, early), -1);
    zsock_destroy (&early);

    CHECK_INT (jy_security_start (security), 0);
    CHECK_INT (jy_security_peer_count (security), 2); //  alice and bob
    CHECK (jy_security_peer (security, zcert_public_txt (carol)) == NULL);
    CHECK (jy_security_peer (security, zcert_public_txt (stranger)) == NULL);

    //  One zauth per process.
    jy_config_t *second_config = s_config ("second", text);
    jy_security_t *second = jy_security_new (second_config, JY_SECURITY_SERVER);
    CHECK (second != NULL);
    CHECK_INT (second ? jy_security_start (second) : 0, -1);
    jy_security_destroy (&second);
    jy_config_destroy (&second_config);

    zsock_t *router = zsock_new (ZMQ_ROUTER);
    zsock_set_linger (router, 0);
    CHECK_INT (jy_security_server (security, router), 0);
    char endpoint[400];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/router.ipc", s_dir);
    CHECK_INT (zsock_bind (router, "%s", endpoint), 0);
    const char *server_key = zcert_public_txt (server);

    //  alice: in, and her permissions are found by the key the handshake proved.
    st_client_t client = st_client (endpoint, ZMQ_DEALER, alice, server_key);
    CHECK_STR (st_handshake (&client), "HANDSHAKE_SUCCEEDED");
    zframe_t *body = s_deliver (&client, router);
    CHECK (body != NULL);
    CHECK_STR (body ? zframe_meta (body, "User-Id") : NULL, zcert_public_txt (alice));
    //  zauth also puts the certificate's metadata on the frames when it reads it; Journey's
    //  zauth copy has none, so a client cannot fill a gap with a property of its own choosing.
    CHECK (body && zframe_meta (body, "la_codes") == NULL);
    const jy_security_peer_t *peer = jy_security_peer_of (security, body);
    CHECK (peer != NULL);
    CHECK_STR (peer ? jy_security_peer_name (peer) : NULL, "alice");
    CHECK_STR (jy_security_peer_meta (peer, "la_codes"), "210 211");
    CHECK_STR (jy_security_peer_meta (peer, "reports"), "yes");
    CHECK (jy_security_peer_meta (peer, "dispute_roles") == NULL);
    CHECK (jy_security_list_has (jy_security_peer_meta (peer, "la_codes"), "211"));
    CHECK (!jy_security_list_has (jy_security_peer_meta (peer, "la_codes"), "21"));
    CHECK (!jy_security_list_has (jy_security_peer_meta (peer, "la_codes"), "872"));
    zframe_destroy (&body);
    st_client_destroy (&client);

    //  bob: 700 bytes of metadata, in; the name defaults to the file's.
    client = st_client (endpoint, ZMQ_DEALER, bob, server_key);
    CHECK_STR (st_handshake (&client), "HANDSHAKE_SUCCEEDED");
    body = s_deliver (&client, router);
    peer = jy_security_peer_of (security, body);
    CHECK_STR (peer ? jy_security_peer_name (peer) : NULL, "bob");
    const char *roles = jy_security_peer_meta (peer, "dispute_roles");
    CHECK_INT (roles ? strlen (roles) : 0, 700);
    zframe_destroy (&body);
    st_client_destroy (&client);

    //  Refused: an unknown key, a key whose secret certificate sits in clients_dir, a key in a
    //  file not named NAME.pub, and a client without CURVE.
    client = st_client (endpoint, ZMQ_DEALER, stranger, server_key);
    CHECK_STR (st_handshake (&client), "HANDSHAKE_FAILED_AUTH");
    st_client_destroy (&client);
    client = st_client (endpoint, ZMQ_DEALER, carol, server_key);
    CHECK_STR (st_handshake (&client), "HANDSHAKE_FAILED_AUTH");
    st_client_destroy (&client);
    client = st_client (endpoint, ZMQ_DEALER, NULL, NULL);
    CHECK_STR (st_failed (st_handshake (&client)), "HANDSHAKE_FAILED");
    st_client_destroy (&client);

    //  Revocation: alice's .pub removed, noticed on refresh, refused on a new connection.
    snprintf (path, sizeof path, "%s/alice.pub", clients);
    CHECK_INT (unlink (path), 0);
    jy_security_refresh (security);
    CHECK (jy_security_peer (security, zcert_public_txt (alice)) == NULL);
    CHECK_INT (jy_security_peer_count (security), 1);
    client = st_client (endpoint, ZMQ_DEALER, alice, server_key);
    CHECK_STR (st_handshake (&client), "HANDSHAKE_FAILED_AUTH");
    st_client_destroy (&client);
    //  And back again.
    CHECK_INT (zcert_save_public (alice, path), 0);
    jy_security_refresh (security);
    CHECK (jy_security_peer (security, zcert_public_txt (alice)) != NULL);
    client = st_client (endpoint, ZMQ_DEALER, alice, server_key);
    CHECK_STR (st_handshake (&client), "HANDSHAKE_SUCCEEDED");
    st_client_destroy (&client);
    //  Replaced in one go by a stranger's key: alice out, the stranger in.
    CHECK_INT (unlink (path), 0);
    CHECK_INT (zcert_save_public (stranger, path), 0);
    jy_security_refresh (security);
    client = st_client (endpoint, ZMQ_DEALER, alice, server_key);
    CHECK_STR (st_handshake (&client), "HANDSHAKE_FAILED_AUTH");
    st_client_destroy (&client);
    client = st_client (endpoint, ZMQ_DEALER, stranger, server_key);
    CHECK_STR (st_handshake (&client), "HANDSHAKE_SUCCEEDED");
    st_client_destroy (&client);

    //  The process's security makes client sockets CURVE clients of the server's key.
    jy_security_set_process (security);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (dealer, 0);
    CHECK_INT (jy_security_client (jy_security_process (), dealer), 0);
    CHECK_INT (zsock_mechanism (dealer), ZMQ_CURVE);
    char *expected = zsock_curve_serverkey (dealer);
    CHECK_STR (expected, server_key);
    free (expected);
    zsock_destroy (&dealer);

    zsock_destroy (&router);
    jy_security_destroy (&security);
    CHECK (jy_security_process () == NULL);
    jy_config_destroy (&config);

    CHECK (!jy_security_list_has (NULL, "872"));
    CHECK (jy_security_list_has ("iro,cp-chair", "cp-chair"));
    CHECK (!jy_security_list_has ("iro cp-chair", "cp"));
    CHECK (!jy_security_list_has ("iro", ""));

    zcert_destroy (&server);
    zcert_destroy (&alice);
    zcert_destroy (&bob);
    zcert_destroy (&carol);
    zcert_destroy (&stranger);
    char command[400];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    CHECK_INT (system (command), 0);
    return jy_test_summary ("security.module");
}
