/*  jy_security: CURVE on the sockets of a deployment that asks for it (docs/security.md).

    With security/curve = 1, every socket a daemon binds (its request ROUTER, its feed PUBs)
    is a CURVE server in the ZAP domain security/zap_domain, and zauth, started before any
    bind, lets in only the clients whose public certificates (NAME.pub, as `journey keygen`
    writes them) are in security/clients_dir. Every socket a program connects is a CURVE
    client presenting its own certificate (security/client_secret; a daemon's default is its
    server certificate) and expecting the server's key (security/server_public; a daemon's
    default is its own).

    What a client may do comes from its certificate's metadata (la_codes, dispute_roles,
    reports), looked up here by the public key the handshake proved (the User-Id zauth gives
    each message), never from the connection's metadata: libzmq merges the properties a
    client sends in its own handshake into the same metadata, so any property its certificate
    lacks could be claimed by the client.

    zauth reads a private copy of clients_dir that holds the public keys only: czmq 4.2.1's
    zauth copies a certificate's metadata into a fixed 512-byte buffer and overruns it when
    the metadata is larger. jy_security_refresh brings the copy up to date whenever
    clients_dir has changed: from then on a removed NAME.pub is refused on new connections and
    on the next request of an open one.

    zauth is one per process (it binds the ZAP endpoint), and sockets are made in modules that
    never see the configuration (feed subscribers, the CLI's requests), so one jy_security_t
    is the process's (jy_security_set_process).
*/
#ifndef JY_SECURITY_H_INCLUDED
#define JY_SECURITY_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include "jy_config.h"

typedef struct _jy_security_t jy_security_t;
typedef struct _jy_security_peer_t jy_security_peer_t;

typedef enum {
    JY_SECURITY_CLIENT, //  connects only: journey, a pusher
    JY_SECURITY_SERVER  //  a daemon: binds, and connects to other daemons' feeds
} jy_security_role_t;

//  Read the security section. A server with curve on needs a readable server certificate with
//  its secret key, a readable clients_dir and zauth on: otherwise NULL with jy_config_error
//  naming the key. A client's mistake is kept for its first socket instead (jy_security_client
//  fails with it), so that a command that opens none (journey keygen, journey migrate) runs.
jy_security_t *jy_security_new (jy_config_t *config, jy_security_role_t role);
//  Stops zauth (after the process's sockets are closed) and removes the private copy.
void jy_security_destroy (jy_security_t **self_p);
//  Whether CURVE is on; false for NULL.
bool jy_security_curve (jy_security_t *self);

//  A server's zauth: started on the allowed certificates, then shown to refuse an unknown key
//  over a socket of its own. Call before any socket is bound; once per process. 0 (also when
//  curve is off), or -1 having logged why.
int jy_security_start (jy_security_t *self);

//  Before bind: make sock a CURVE server in the ZAP domain (-1 when zauth is not running, which
//  would let every key in). Before connect: make sock a CURVE client (-1 with the client's
//  configuration mistake in jy_security_error). Nothing, and 0, when self is NULL or curve off.
int jy_security_server (jy_security_t *self, zsock_t *sock);
int jy_security_client (jy_security_t *self, zsock_t *sock);
//  The last mistake, "" when none.
const char *jy_security_error (jy_security_t *self);

//  A server: read clients_dir again if it changed since the last look (names, sizes, times),
//  and bring zauth's copy up to date. Cheap when nothing changed (one directory listing).
void jy_security_refresh (jy_security_t *self);
//  How many client keys are allowed now.
size_t jy_security_peer_count (jy_security_t *self);
//  The allowed client whose public key (Z85, 40 characters) is key; NULL when it is not (or no
//  longer) allowed. Valid until the next refresh.
const jy_security_peer_t *jy_security_peer (jy_security_t *self, const char *key);
//  The allowed client that sent a message received on a CURVE server socket (by the frame's
//  User-Id); NULL when none.
const jy_security_peer_t *jy_security_peer_of (jy_security_t *self, zframe_t *frame);
const char *jy_security_peer_key (const jy_security_peer_t *peer);
//  The certificate's "name" metadata, else its file name without ".pub".
const char *jy_security_peer_name (const jy_security_peer_t *peer);
//  A metadata value of the client's certificate, NULL when absent.
const char *jy_security_peer_meta (const jy_security_peer_t *peer, const char *name);

//  Read rights (docs/security.md, "Reading"). Whether peer may read what ("events", "alerts",
//  "disputes"; NULL: no feed right needed, as for a board pack) of the children of la (NULL: any
//  LA): what must be in its certificate's `read` list and la in its `read_la_codes` (else its
//  `la_codes`). Always true with CURVE off, and for the deployment's own key (a daemon following
//  another's feed); false for NULL peer with CURVE on.
bool jy_security_may_read (jy_security_t *self, const jy_security_peer_t *peer, const char *what,
                           const char *la);
//  Whether peer reads everything: CURVE off, or the deployment's own key.
bool jy_security_reads_all (jy_security_t *self, const jy_security_peer_t *peer);
//  The LAs peer may read: its read_la_codes, else its la_codes; "" when none.
const char *jy_security_read_las (const jy_security_peer_t *peer);
//  Counts the refreshes that took a key away or changed a key's certificate, so that a feed
//  publisher knows to close its subscribers' connections and let them in again through zauth.
unsigned jy_security_revision (jy_security_t *self);

//  Whether word is one of the words of list (separated by spaces or commas); false for NULL.
bool jy_security_list_has (const char *list, const char *word);

//  The process's security (not owned): what jy_feed's subscribers and the CLI's sockets use.
void jy_security_set_process (jy_security_t *self);
jy_security_t *jy_security_process (void);

#endif
