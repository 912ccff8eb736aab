/*  What the security tests share: certificates, configuration files, and handshakes watched
    with zmonitor (each wait ends on the handshake's own event, never on a timer).
*/
#ifndef JOURNEY_SECURITY_TEST_H_INCLUDED
#define JOURNEY_SECURITY_TEST_H_INCLUDED

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

#endif
