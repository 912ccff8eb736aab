/*  What the security tests share: certificates, configuration files, and handshakes watched
    with zmonitor (each wait ends on the handshake's own event, never on a timer).
*/
#ifndef JOURNEY_SECURITY_TEST_H_INCLUDED
#define JOURNEY_SECURITY_TEST_H_INCLUDED

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "journey/journey.h"
#include "jy_test.h"
#include "jy_test_daemon.h"

#define ST_HANDSHAKE_WAIT_MS 20000 //  an upper bound for a broken build; events end the wait

//  A socket of type (ZMQ_DEALER, ZMQ_SUB) presenting cert (NULL: plaintext) to a server with
//  public key server_key, with a monitor of its handshakes started before it connects.
typedef struct {
    zsock_t *sock;
    zactor_t *monitor;
} st_client_t;

static inline st_client_t st_client (const char *endpoint, int type, zcert_t *cert,
                                     const char *server_key)
{
    st_client_t client;
    client.sock = zsock_new (type);
    if (!client.sock)
        abort ();
    zsock_set_linger (client.sock, 0);
    if (cert) {
        zcert_apply (cert, client.sock);
        zsock_set_curve_serverkey (client.sock, server_key);
    }
    client.monitor = zactor_new (zmonitor, client.sock);
    zstr_sendx (client.monitor, "LISTEN", "HANDSHAKE_SUCCEEDED", "HANDSHAKE_FAILED_AUTH",
                "HANDSHAKE_FAILED_PROTOCOL", "HANDSHAKE_FAILED_NO_DETAIL", NULL);
    zstr_sendx (client.monitor, "START", NULL);
    zsock_wait (client.monitor);
    if (zsock_connect (client.sock, "%s", endpoint) != 0)
        abort ();
    return client;
}

//  The client's first handshake event ("HANDSHAKE_SUCCEEDED", "HANDSHAKE_FAILED_AUTH", ...),
//  "none" when there was none within the bound. Static storage.
static inline const char *st_handshake (st_client_t *client)
{
    static char text[64];
    zpoller_t *poller = zpoller_new (client->monitor, NULL);
    snprintf (text, sizeof text, "none");
    if (zpoller_wait (poller, ST_HANDSHAKE_WAIT_MS)) {
        zmsg_t *event = zmsg_recv (client->monitor);
        char *name = zmsg_popstr (event);
        snprintf (text, sizeof text, "%s", name ? name : "none");
        free (name);
        zmsg_destroy (&event);
    }
    zpoller_destroy (&poller);
    return text;
}

//  "HANDSHAKE_FAILED" for any failed handshake, else the event: a plaintext client's failure is
//  reported as _PROTOCOL or _NO_DETAIL depending on which side noticed first.
static inline const char *st_failed (const char *event)
{
    return strncmp (event, "HANDSHAKE_FAILED", 16) == 0 ? "HANDSHAKE_FAILED" : event;
}

static inline void st_client_destroy (st_client_t *client)
{
    zactor_destroy (&client->monitor);
    zsock_destroy (&client->sock);
}

//  Write text to path; aborts on failure (a broken test machine, not a finding).
static inline void st_write (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    if (!file || fputs (text, file) < 0 || fclose (file) != 0)
        abort ();
}

//  A TCP port on loopback that nothing listens on now, chosen by the kernel (czmq's
//  "tcp://127.0.0.1:*" counts up from 49152, which parallel tests would share).
static inline int st_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (fd < 0 || bind (fd, (struct sockaddr *) &address, sizeof address) != 0 ||
        getsockname (fd, (struct sockaddr *) &address, &size) != 0)
        abort ();
    close (fd);
    return ntohs (address.sin_port);
}

//  Run `journey ARGS... (NULL)` with stdout and stderr into out_path; its exit status.
static inline int st_journey (const char *out_path, ...)
{
    const char *argv[16] = {getenv ("JOURNEY_CLI")};
    va_list args;
    va_start (args, out_path);
    int argc = 1;
    while (argc < 15 && (argv[argc] = va_arg (args, const char *)))
        argc++;
    va_end (args);
    argv[argc] = NULL;
    return jy_test_run (out_path, argv);
}

//  Start $JOURNEY_SERVICES_DIR/<service>/journey-<service>d on a simulated clock, its log in
//  log_path.
static inline pid_t st_spawn (const char *service, const char *log_path)
{
    char program[128];
    snprintf (program, sizeof program, "%s/journey-%sd", service, service);
    return jy_test_daemon_start_on (program, log_path, "2025-06-30");
}

//  A public certificate copied (as zcert writes it) from one path to another.
static inline void st_copy_public (const char *from, const char *to)
{
    zcert_t *cert = zcert_load (from);
    if (!cert || zcert_save_public (cert, to) != 0)
        abort ();
    zcert_destroy (&cert);
}

//  Send request on sock and wait for the answer (NULL when none comes within 30 s).
static inline jy_envelope_t *st_ask (zsock_t *sock, jy_envelope_t *request)
{
    return jy_test_ask (sock, request, 30000);
}

//  The test's working directory (/tmp/jy-security-<test>-<pid>), set by st_dir_create.
static inline char *st_dir (void)
{
    static char dir[256];
    return dir;
}

//  DIR/name. Static storage: the next call overwrites it.
static inline const char *st_path (const char *name)
{
    static char path[512];
    snprintf (path, sizeof path, "%s/%s", st_dir (), name);
    return path;
}

//  Make the test's directory with its clients/ below it; keys and clients get DIR/keys and
//  DIR/clients (size bytes each).
static inline void st_dir_create (const char *test, char *keys, char *clients, size_t size)
{
    snprintf (st_dir (), 256, "/tmp/jy-security-%s-%d", test, (int) getpid ());
    snprintf (keys, size, "%s/keys", st_dir ());
    snprintf (clients, size, "%s/clients", st_dir ());
    zsys_dir_create ("%s", clients);
}

//  The certificate DIR/keys/name (NULL when it cannot be loaded).
static inline zcert_t *st_key_load (const char *name)
{
    char path[512];
    snprintf (path, sizeof path, "%s/keys/%s", st_dir (), name);
    return zcert_load (path);
}

//  The certificate DIR/keys/name; aborts when it is missing (keygen has been checked before).
static inline zcert_t *st_key (const char *name)
{
    zcert_t *cert = st_key_load (name);
    if (!cert)
        abort ();
    return cert;
}

//  Run `journey keygen NAME --out DIR/keys OPTIONS... (NULL)` with its output into
//  DIR/keygen-NAME.out; its exit status.
static inline int st_keygen (const char *name, ...)
{
    char keys[300], out[300];
    snprintf (keys, sizeof keys, "%s/keys", st_dir ());
    snprintf (out, sizeof out, "%s/keygen-%s.out", st_dir (), name);
    const char *options[8] = {NULL};
    va_list args;
    va_start (args, name);
    for (int i = 0; i < 7 && (options[i] = va_arg (args, const char *)); i++)
        ;
    va_end (args);
    return st_journey (out, "keygen", name, "--out", keys, options[0], options[1], options[2],
                       options[3], options[4], options[5], options[6], NULL);
}

//  Let the keys in: DIR/keys/NAME.pub copied into DIR/clients for each NAME (NULL ends the list).
static inline void st_allow (const char *name, ...)
{
    va_list args;
    va_start (args, name);
    for (; name; name = va_arg (args, const char *)) {
        char from[600], to[600];
        snprintf (from, sizeof from, "%s/keys/%s.pub", st_dir (), name);
        snprintf (to, sizeof to, "%s/clients/%s.pub", st_dir (), name);
        st_copy_public (from, to);
    }
    va_end (args);
}

//  "tcp://127.0.0.1:PORT" on a free port, into endpoint (size bytes).
static inline void st_loopback (char *endpoint, size_t size)
{
    snprintf (endpoint, size, "tcp://127.0.0.1:%d", st_free_port ());
}

//  The environment every daemon here starts with: CURVE with DIR/keys/server as its secret
//  and DIR/clients as clients_dir, LA 872, a 10 s database wait, info logging.
static inline void st_daemon_env (void)
{
    char path[300];
    setenv ("JOURNEY_SECURITY_CURVE", "1", 1);
    snprintf (path, sizeof path, "%s/keys/server", st_dir ());
    setenv ("JOURNEY_SECURITY_SERVER_SECRET", path, 1);
    snprintf (path, sizeof path, "%s/clients", st_dir ());
    setenv ("JOURNEY_SECURITY_CLIENTS_DIR", path, 1);
    setenv ("JOURNEY_DATABASE_CONNECT_WAIT_MS", "10000", 1);
    setenv ("JOURNEY_LA_CODE", "872", 1);
    setenv ("JOURNEY_LOG_LEVEL", "info", 1);
}

//  The test's own database, made on the test cluster and migrated by `journey migrate`.
typedef struct {
    jy_db_t *admin; //  on the cluster's admin database
    char name[64];  //  journey_security_<test>_<pid>
    char url[1024]; //  the admin URL on this database (JOURNEY_DATABASE_ADMIN_URL)
} st_db_t;

//  Create the database name_prefix<pid> and migrate it (output in DIR/migrate.out).
static inline void st_db_create (st_db_t *db, const char *name_prefix)
{
    char sql[256];
    const char *admin_url = jy_test_db_url ();
    snprintf (db->name, sizeof db->name, "%s%d", name_prefix, (int) getpid ());
    db->admin = jy_db_new (admin_url);
    CHECK_INT (jy_db_connect (db->admin, 10000), 0);
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s", db->name);
    jy_db_exec (db->admin, sql, 0, NULL);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", db->name);
    CHECK_INT (jy_db_exec (db->admin, sql, 0, NULL), 0);
    snprintf (db->url, sizeof db->url, "%s dbname=%s", admin_url, db->name);
    setenv ("JOURNEY_DATABASE_ADMIN_URL", db->url, 1);
    CHECK_INT (st_journey (st_path ("migrate.out"), "migrate", NULL), 0);
}

//  Point the role URL in the environment variable at the test's database.
static inline void st_db_use (st_db_t *db, const char *variable)
{
    char url[1024];
    snprintf (url, sizeof url, "%s dbname=%s", getenv (variable), db->name);
    setenv (variable, url, 1);
}

//  The end of a test: its database dropped, its directory removed when every check passed
//  (else named, to look at); the summary line and exit code for test.
static inline int st_finish (st_db_t *db, const char *test)
{
    char sql[256];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db->name);
    jy_db_exec (db->admin, sql, 0, NULL);
    jy_db_destroy (&db->admin);
    if (!jy_test_failures) {
        char command[300];
        snprintf (command, sizeof command, "rm -rf %s", st_dir ());
        CHECK_INT (system (command), 0);
    } else
        fprintf (stderr, "files kept in %s\n", st_dir ());
    return jy_test_summary (test);
}

//  A child_registered event of la's child on 2024-01-03, as one JSON line.
#define ST_EVENT(id, la, child)                                                                    \
    "{\"event_id\":\"" id "\",\"la_code\":\"" la "\",\"child_id\":\"" child                        \
    "\",\"occurred_on\":\"2024-01-03\",\"recorded_at\":\"2024-01-03T09:00:00Z\",\"source\":"       \
    "\"cms\",\"child_registered\":{\"date_of_birth\":\"2016-05-14\",\"sex\":\"F\","                \
    "\"ethnicity\":\"WBRI\",\"disability\":false,\"uasc\":false}}"

//  Send JSON lines (at most 8) as one EventBatch and wait for the answer (NULL when none
//  comes). A line that does not parse is a broken test: it aborts.
static inline jy_envelope_t *st_batch (zsock_t *dealer, const char *batch_id,
                                       const char *const *lines, size_t count)
{
    Journey__V1__Event *events[8];
    char err[256];
    for (size_t i = 0; i < count; i++) {
        events[i] = jy_json_parse_event (lines[i], strlen (lines[i]), err, sizeof err);
        if (!events[i]) {
            fprintf (stderr, "bad test event: %s: %s\n", err, lines[i]);
            abort ();
        }
    }
    Journey__V1__EventBatch batch = JOURNEY__V1__EVENT_BATCH__INIT;
    batch.batch_id = (char *) batch_id;
    batch.n_events = count;
    batch.events = events;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.message_id = (char *) batch_id;
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH;
    request.event_batch = &batch;
    jy_envelope_t *reply = st_ask (dealer, &request);
    for (size_t i = 0; i < count; i++)
        journey__v1__event__free_unpacked (events[i], NULL);
    return reply;
}

//  st_batch, counting the events accepted (-1: no answer).
static inline int st_push (zsock_t *dealer, const char *batch_id, const char *const *lines,
                           size_t count)
{
    jy_envelope_t *reply = st_batch (dealer, batch_id, lines, count);
    int accepted = -1;
    if (reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_BATCH_RESULT) {
        accepted = 0;
        for (size_t i = 0; i < reply->batch_result->n_results; i++)
            accepted += reply->batch_result->results[i]->status ==
                        JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED;
    }
    jy_envelope_free (&reply);
    return accepted;
}

//  A StatusRequest on dealer; the answer (NULL when none comes).
static inline jy_envelope_t *st_status (zsock_t *dealer)
{
    Journey__V1__StatusRequest body = JOURNEY__V1__STATUS_REQUEST__INIT;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REQUEST;
    request.status_request = &body;
    return st_ask (dealer, &request);
}

//  request (its payload set) sent as message_id on a new connection presenting key; the
//  answer (NULL when none comes). The connection is closed again.
static inline jy_envelope_t *st_ask_as (const char *endpoint, zcert_t *key, const char *server_key,
                                        const char *message_id, jy_envelope_t *request)
{
    st_client_t client = st_client (endpoint, ZMQ_DEALER, key, server_key);
    request->message_id = (char *) message_id;
    jy_envelope_t *reply = st_ask (client.sock, request);
    st_client_destroy (&client);
    return reply;
}

#endif
