/*  jy_service: what every Journey daemon shares.

    A daemon is a small main around a czmq actor running one zpoller loop. jy_service_main
    gives that loop its common parts: options (-c FILE, --simulated-clock [--date DATE]),
    configuration, logging, the injected clock, the request socket (ROUTER with
    ROUTER_MANDATORY, explicit high-water marks, a frame size cap and an unpack budget,
    <name>/max_frame_bytes and <name>/max_unpack_bytes; docs/wire.md) answering Status and
    ClockSet, day rollover, and SIGTERM, which drains the service and exits 0. Every database
    connection the daemon makes refuses a privileged role, naming database/<name>_url
    (jy_db_refuse_privileged_by_default). With security/curve = 1 it starts zauth before any
    socket is bound, binds the request socket as a CURVE server, logs who asked for what, and
    refuses a request whose kind needs a right the key lacks before unpacking it (jy_security.h,
    docs/security.md).

    Each loop turn reads "now" once, hands it to the service, and sleeps until the nearest of:
    a socket becoming readable, the service's next deadline, the next local midnight (system
    clock only), or the one-second housekeeping tick.
*/
#ifndef JY_SERVICE_H_INCLUDED
#define JY_SERVICE_H_INCLUDED

#include <czmq.h>
#include "jy_clock.h"
#include "jy_config.h"
#include "jy_wire.h"

typedef struct _jy_service_t jy_service_t;

//  The service's part. Every hook but name and program may be NULL.
typedef struct {
    const char *name;    //  "ingest": its configuration section and Status name
    const char *program; //  "journey-ingestd"
    //  Default of <name>/max_frame_bytes, the largest request it reads (0: JY_WIRE_REQUEST_CAP).
    long max_frame_bytes;
    //  After the request socket is bound. The service's state, or NULL to refuse to start
    //  (having logged why).
    void *(*start) (jy_service_t *service);
    //  Drain and free the state (SIGTERM or $TERM).
    void (*stop) (void **state_p);
    //  A request other than Status and ClockSet. Answer it with jy_service_reply.
    void (*request) (void *state, zframe_t *routing_id, jy_envelope_t *request, int64_t now_ms);
    //  A request frame that could not be read (garbage, over the cap, unknown payload), with
    //  its raw bytes, before the skeleton answers it with a coded Reply: for dead-lettering.
    void (*unreadable) (void *state, const uint8_t *data, size_t size, jy_wire_status_t status,
                        int64_t now_ms);
    //  Add the service's own fields (feeds, health) to a Status reply.
    void (*status) (void *state, Journey__V1__StatusReply *reply);
    //  The local date changed (midnight on a system clock, ClockSet on a simulated one); also
    //  called once at start.
    void (*day_changed) (void *state, jy_date_t today, int64_t now_ms);
    //  A socket the service registered with jy_service_watch is readable.
    void (*readable) (void *state, zsock_t *sock, int64_t now_ms);
    //  Every loop turn, after sockets were handled.
    void (*tick) (void *state, int64_t now_ms);
    //  Milliseconds until the service next needs a turn (-1: no deadline of its own).
    int64_t (*next_timeout_ms) (void *state, int64_t now_ms);
} jy_service_def_t;

//  Parse options, load configuration, run the service until SIGTERM. Returns the exit status
//  for main: 0 after a clean stop, 1 when it could not start (with the reason on stderr), 2 for
//  a usage error.
int jy_service_main (const jy_service_def_t *def, int argc, char **argv);

jy_config_t *jy_service_config (jy_service_t *self);
jy_clock_t *jy_service_clock (jy_service_t *self);
//  Poll another socket in the loop; the service keeps ownership. 0 or -1.
int jy_service_watch (jy_service_t *self, zsock_t *sock);
//  Whether the daemon runs with CURVE (security/curve = 1; docs/security.md). With it, zauth
//  is started before any bind, the request socket is a CURVE server, and a request from a key
//  not (or no longer) in security/clients_dir is refused (key_not_allowed) before any hook.
//  A daemon's own feed PUB: jy_security_server (jy_security_process (), pub) before binding.
bool jy_service_curve (jy_service_t *self);
//  During the request hook, with CURVE: a metadata value of the client's certificate
//  (la_codes, dispute_roles, reports), looked up by the key the handshake proved. NULL when
//  CURVE is off, outside a request, or when the certificate has no such value.
const char *jy_service_peer_meta (jy_service_t *self, const char *name);
//  During the request hook, with CURVE: the client's name (its certificate's), else NULL.
const char *jy_service_peer_name (jy_service_t *self);
//  Whether the key of the request in hand may read what ("alerts", "disputes"; NULL: no feed
//  right needed) of LA la's children (jy_security_may_read); true without CURVE.
bool jy_service_may_read (jy_service_t *self, const char *what, const char *la);
//  Whether that key reads every LA (CURVE off, or the daemons' own key), and else the LAs it
//  may read (jy_security_read_las).
bool jy_service_reads_all (jy_service_t *self);
const char *jy_service_read_las (jy_service_t *self);
//  Send a reply on the request socket. 0, or -1 when the client is gone.
int jy_service_reply (jy_service_t *self, zframe_t *routing_id, jy_envelope_t *reply);
//  Answer with a coded error (Reply ok=false, code, message).
int jy_service_reply_error (jy_service_t *self, zframe_t *routing_id, const char *code,
                            const char *message);

#endif
