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
#include <sys/wait.h>
#include <unistd.h>
#include "journey/journey.h"

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
    pid_t pid = fork ();
    if (pid == 0) {
        if (!freopen (out_path, "w", stdout) || dup2 (fileno (stdout), 2) < 0)
            _exit (126);
        execv (argv[0], (char *const *) argv);
        _exit (127);
    }
    int status;
    waitpid (pid, &status, 0);
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

//  Start $JOURNEY_SERVICES_DIR/<service>/journey-<service>d on a simulated clock, its log in
//  log_path.
static inline pid_t st_spawn (const char *service, const char *log_path)
{
    char program[512];
    snprintf (program, sizeof program, "%s/%s/journey-%sd", getenv ("JOURNEY_SERVICES_DIR"),
              service, service);
    pid_t pid = fork ();
    if (pid == 0) {
        if (!freopen (log_path, "w", stderr))
            _exit (126);
        execl (program, program, "--simulated-clock", "--date", "2025-06-30", (char *) NULL);
        _exit (127);
    }
    return pid;
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
    jy_envelope_t *reply = NULL;
    zpoller_t *poller = zpoller_new (sock, NULL);
    if (jy_wire_send (sock, request) == 0 && zpoller_wait (poller, 30000)) {
        jy_wire_status_t status;
        reply = jy_wire_recv (sock, JY_WIRE_DEFAULT_CAP, NULL, NULL, &status);
    }
    zpoller_destroy (&poller);
    return reply;
}

#endif
