/*  jy_wire: the Envelope on ZeroMQ frames.

    Frames: [topic][envelope] on PUB/SUB, [routing id][envelope] on ROUTER, [envelope] on
    DEALER/REQ. Every frame is size-checked against a cap before it is unpacked; truncated,
    oversized or garbage frames come back as a status, never a crash. An envelope whose payload
    the reader does not know (a newer sender) unpacks with payload_case NOT_SET and status
    JY_WIRE_UNKNOWN_PAYLOAD: count it and skip it.
*/
#ifndef JY_WIRE_H_INCLUDED
#define JY_WIRE_H_INCLUDED

#include <czmq.h>
#include <stdint.h>
#include "journey/v1/envelope.pb-c.h"

#define JY_SCHEMA_VERSION   1
#define JY_WIRE_DEFAULT_CAP (16 * 1024 * 1024) /* 10,000 events fit in well under 4 MiB */

typedef Journey__V1__Envelope jy_envelope_t;

typedef enum {
    JY_WIRE_OK = 0,
    JY_WIRE_EMPTY,           /* zero-length envelope frame */
    JY_WIRE_TOO_LARGE,       /* over the cap: not unpacked */
    JY_WIRE_GARBAGE,         /* not a valid Envelope encoding (truncated or corrupt) */
    JY_WIRE_UNKNOWN_PAYLOAD, /* valid, but a payload this build does not know */
    JY_WIRE_BAD_FRAMES,      /* wrong number of frames for the socket type */
    JY_WIRE_RECV_FAILED,     /* interrupted or the socket failed */
} jy_wire_status_t;

const char *jy_wire_status_text (jy_wire_status_t status);

//  Initialise a stack envelope: schema version set, message id and payload left for the caller.
void jy_envelope_init (jy_envelope_t *envelope);

//  Unpack bytes into a new envelope (free with jy_envelope_free). NULL on any failure, with
//  *status saying why; for JY_WIRE_UNKNOWN_PAYLOAD the envelope is returned (payload NOT_SET).
jy_envelope_t *jy_wire_unpack (const uint8_t *data, size_t size, size_t cap,
                               jy_wire_status_t *status);
void jy_envelope_free (jy_envelope_t **envelope_p);

//  Packed bytes of an envelope in a new frame.
zframe_t *jy_wire_pack (const jy_envelope_t *envelope);

//  Send [envelope] (DEALER, REQ), [topic][envelope] (PUB), [routing id][envelope] (ROUTER).
//  0 or -1 (e.g. ROUTER_MANDATORY and the peer is gone, or HWM reached without waiting).
int jy_wire_send (zsock_t *sock, const jy_envelope_t *envelope);
int jy_wire_send_topic (zsock_t *sock, const char *topic, const jy_envelope_t *envelope);
int jy_wire_send_routed (zsock_t *sock, zframe_t *routing_id, const jy_envelope_t *envelope);

//  Receive one message and unpack its envelope, choosing the frame layout from the socket
//  type. On ROUTER, *routing_id_p receives the routing frame (caller destroys); on SUB,
//  *topic_p receives the topic (caller frees); either may be NULL when not wanted.
//  Returns the envelope or NULL with *status (UNKNOWN_PAYLOAD returns the envelope).
//  *routing_id_p / *topic_p are set whenever the frame layout was right, even when the
//  envelope itself is bad (so a daemon can answer a garbage request); NULL otherwise.
jy_envelope_t *jy_wire_recv (zsock_t *sock, size_t cap, zframe_t **routing_id_p, char **topic_p,
                             jy_wire_status_t *status);

#endif
