/*  jy_wire: the Envelope on ZeroMQ frames.

    Frames: [topic][envelope] on PUB/SUB, [routing id][envelope] on ROUTER, [envelope] on
    DEALER/REQ. Every frame is size-checked against a cap before it is unpacked, and unpacked
    with an allocator that refuses to go past a budget of bytes (protobuf-c allocates in
    proportion to what the bytes claim, not to their size: an empty submessage is two bytes on
    the wire and a whole struct in memory); truncated, oversized, over-budget or garbage frames
    come back as a status, never a crash. An envelope whose payload
    the reader does not know (a newer sender) unpacks with payload_case NOT_SET and status
    JY_WIRE_UNKNOWN_PAYLOAD: count it and skip it.
*/
#ifndef JY_WIRE_H_INCLUDED
#define JY_WIRE_H_INCLUDED

#include <czmq.h>
#include <stdint.h>
#include "journey/v1/envelope.pb-c.h"

#define JY_SCHEMA_VERSION   1
#define JY_WIRE_DEFAULT_CAP (16 * 1024 * 1024) /* a reply or feed frame from a daemon */
//  A daemon's request frames (<service>/max_frame_bytes) unless its definition says otherwise:
//  Status, ClockSet, a dispute command, a report or deadlines request fit in a few KiB.
#define JY_WIRE_REQUEST_CAP (256 * 1024)
//  journey-ingestd's: the largest EventBatch `journey push` builds (it closes a batch past 8 MiB
//  of input lines, a line is cut at 1 MiB, an event encodes smaller than its JSON line, and up
//  to 10,000 records add their own few hundred bytes; docs/wire.md, "Size cap").
#define JY_WIRE_BATCH_CAP (12 * 1024 * 1024)
//  Default unpack budget per byte of cap (<service>/max_unpack_bytes). The largest valid
//  EventBatch takes about 1.2 bytes per wire byte; the flood of empty submessages that this
//  stops takes about 92 (tests/unit/test_wire.c measures both).
#define JY_WIRE_UNPACK_FACTOR 4

typedef Journey__V1__Envelope jy_envelope_t;

typedef enum {
    JY_WIRE_OK = 0,
    JY_WIRE_EMPTY,           /* zero-length envelope frame */
    JY_WIRE_TOO_LARGE,       /* over the cap: not unpacked */
    JY_WIRE_GARBAGE,         /* not a valid Envelope encoding (truncated or corrupt) */
    JY_WIRE_UNKNOWN_PAYLOAD, /* valid, but a payload this build does not know */
    JY_WIRE_BAD_FRAMES,      /* wrong number of frames for the socket type */
    JY_WIRE_RECV_FAILED,     /* interrupted or the socket failed */
    JY_WIRE_OVER_BUDGET,     /* unpacking would allocate more than its budget: refused */
} jy_wire_status_t;

const char *jy_wire_status_text (jy_wire_status_t status);

//  Initialise a stack envelope: schema version set, message id and payload left for the caller.
void jy_envelope_init (jy_envelope_t *envelope);

//  Unpack bytes into a new envelope (free with jy_envelope_free). NULL on any failure, with
//  *status saying why; for JY_WIRE_UNKNOWN_PAYLOAD the envelope is returned (payload NOT_SET).
//  The budget is jy_wire_default_budget (cap).
jy_envelope_t *jy_wire_unpack (const uint8_t *data, size_t size, size_t cap,
                               jy_wire_status_t *status);
//  The same with an explicit budget: the bytes protobuf-c may request from the allocator in
//  this unpack, temporary ones included. A request that would pass it fails, protobuf-c frees
//  what it had and returns NULL: JY_WIRE_OVER_BUDGET. *allocated_p (may be NULL) receives the
//  bytes handed out (at most budget), whatever the outcome.
jy_envelope_t *jy_wire_unpack_within (const uint8_t *data, size_t size, size_t cap, size_t budget,
                                      size_t *allocated_p, jy_wire_status_t *status);
//  JY_WIRE_UNPACK_FACTOR times cap, saturating.
size_t jy_wire_default_budget (size_t cap);
//  Free an envelope jy_wire_unpack made, through the allocator that made it.
void jy_envelope_free (jy_envelope_t **envelope_p);

//  The field number of an encoded envelope's payload (the last one given wins, as when it is
//  unpacked: 10 for event_batch, ...), read from the top-level wire format without allocating
//  or looking inside it; 0 when there is none, -1 when the bytes are not a well-formed message.
//  For refusing a request by its kind before paying for its unpacking.
int jy_wire_peek_payload (const uint8_t *data, size_t size);

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
