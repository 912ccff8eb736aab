/*  jy_wire: the Envelope on ZeroMQ frames (docs/wire.md).

    Everything that arrives from a socket is untrusted: sizes are checked before protobuf-c sees
    the bytes, what it may allocate is budgeted, and every failure is a status for the caller to
    count, never an abort.
*/
#include "jy_wire.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

//  The budgeted allocator. It allocates with malloc and frees with free, exactly as
//  protobuf-c's default allocator does, so an envelope it made is freed correctly through
//  s_allocator (jy_envelope_free) and also by the pieces the daemons detach and free
//  themselves with the default allocator (ingestd keeps an unpacked batch's events). Only
//  unpacking is counted: the budget bounds what one frame can make us allocate.
typedef struct {
    size_t budget;    //  bytes that may be requested in this unpack
    size_t allocated; //  bytes handed out so far: never more than budget
    bool refused;
} s_budget_t;

static void *s_budget_alloc (void *allocator_data, size_t size)
{
    s_budget_t *budget = (s_budget_t *) allocator_data;
    if (budget) {
        if (budget->refused || size > budget->budget - budget->allocated) {
            budget->refused = true;
            return NULL;
        }
        budget->allocated += size;
    }
    void *pointer = malloc (size);
    assert (pointer);
    return pointer;
}

static void s_budget_free (void *allocator_data, void *pointer)
{
    (void) allocator_data;
    free (pointer);
}

//  For freeing: the same functions, no budget.
static ProtobufCAllocator s_allocator = {s_budget_alloc, s_budget_free, NULL};

const char *jy_wire_status_text (jy_wire_status_t status)
{
    switch (status) {
    case JY_WIRE_OK:
        return "ok";
    case JY_WIRE_EMPTY:
        return "empty envelope frame";
    case JY_WIRE_TOO_LARGE:
        return "envelope frame over the size cap";
    case JY_WIRE_GARBAGE:
        return "not a valid envelope encoding";
    case JY_WIRE_UNKNOWN_PAYLOAD:
        return "envelope payload unknown to this build";
    case JY_WIRE_BAD_FRAMES:
        return "wrong number of frames for the socket type";
    case JY_WIRE_RECV_FAILED:
        return "receive failed or was interrupted";
    case JY_WIRE_OVER_BUDGET:
        return "envelope would take more memory to unpack than allowed";
    }
    return "unknown wire status";
}

void jy_envelope_init (jy_envelope_t *envelope)
{
    assert (envelope);
    *envelope = (jy_envelope_t) JOURNEY__V1__ENVELOPE__INIT;
    envelope->has_schema_version = 1;
    envelope->schema_version = JY_SCHEMA_VERSION;
}

size_t jy_wire_default_budget (size_t cap)
{
    return cap > SIZE_MAX / JY_WIRE_UNPACK_FACTOR ? SIZE_MAX : cap * JY_WIRE_UNPACK_FACTOR;
}

jy_envelope_t *jy_wire_unpack (const uint8_t *data, size_t size, size_t cap,
                               jy_wire_status_t *status)
{
    return jy_wire_unpack_within (data, size, cap, jy_wire_default_budget (cap), NULL, status);
}

jy_envelope_t *jy_wire_unpack_within (const uint8_t *data, size_t size, size_t cap, size_t budget,
                                      size_t *allocated_p, jy_wire_status_t *status)
{
    assert (status);
    if (allocated_p)
        *allocated_p = 0;
    if (size == 0) {
        *status = JY_WIRE_EMPTY;
        return NULL;
    }
    //  Before unpacking: protobuf-c allocates in proportion to what the bytes claim.
    if (size > cap) {
        *status = JY_WIRE_TOO_LARGE;
        return NULL;
    }
    assert (data);
    s_budget_t counter = {budget, 0, false};
    ProtobufCAllocator allocator = {s_budget_alloc, s_budget_free, &counter};
    jy_envelope_t *envelope = journey__v1__envelope__unpack (&allocator, size, data);
    if (allocated_p)
        *allocated_p = counter.allocated;
    if (!envelope) {
        *status = counter.refused ? JY_WIRE_OVER_BUDGET : JY_WIRE_GARBAGE;
        return NULL;
    }
    //  A newer sender's payload lands in the unknown fields: the reader counts and skips it.
    if (envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD__NOT_SET &&
        envelope->base.n_unknown_fields > 0)
        *status = JY_WIRE_UNKNOWN_PAYLOAD;
    else
        *status = JY_WIRE_OK;
    return envelope;
}

void jy_envelope_free (jy_envelope_t **envelope_p)
{
    assert (envelope_p);
    if (*envelope_p) {
        journey__v1__envelope__free_unpacked (*envelope_p, &s_allocator);
        *envelope_p = NULL;
    }
}

//  A varint at *p (at most 10 bytes, before end); 0 or -1.
static int s_varint (const uint8_t **p, const uint8_t *end, uint64_t *value)
{
    *value = 0;
    for (unsigned shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t byte = *(*p)++;
        *value |= (uint64_t) (byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return 0;
    }
    return -1;
}

int jy_wire_peek_payload (const uint8_t *data, size_t size)
{
    if (size > 0 && !data)
        return -1;
    const uint8_t *p = data, *end = data + size;
    int payload = 0;
    while (p < end) {
        uint64_t tag, length;
        if (s_varint (&p, end, &tag) != 0 || (tag >> 3) == 0 || (tag >> 3) > UINT32_MAX)
            return -1;
        switch (tag & 7) {
        case 0: //  varint
            if (s_varint (&p, end, &length) != 0)
                return -1;
            break;
        case 1: //  64-bit
        case 5: //  32-bit
            length = (tag & 7) == 1 ? 8 : 4;
            if ((size_t) (end - p) < length)
                return -1;
            p += length;
            break;
        case 2: //  length-delimited: a payload is one of these
            if (s_varint (&p, end, &length) != 0 || (uint64_t) (end - p) < length)
                return -1;
            p += length;
            break;
        default: //  groups: nothing in an envelope is one
            return -1;
        }
        const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field (
            &journey__v1__envelope__descriptor, (unsigned) (tag >> 3));
        if (field && (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            field->type == PROTOBUF_C_TYPE_MESSAGE && (tag & 7) == 2)
            payload = (int) field->id;
    }
    return payload;
}

zframe_t *jy_wire_pack (const jy_envelope_t *envelope)
{
    assert (envelope);
    size_t size = journey__v1__envelope__get_packed_size (envelope);
    zframe_t *frame = zframe_new (NULL, size);
    assert (frame);
    if (size > 0) {
        size_t packed = journey__v1__envelope__pack (envelope, zframe_data (frame));
        assert (packed == size);
        (void) packed;
    }
    return frame;
}

//  Send one frame; on failure the frame is still ours (zframe_send keeps it), so destroy it.
//  Never wait: a daemon must not stall on a slow or vanished peer.
static int s_send_frame (zframe_t **frame_p, zsock_t *sock, int flags)
{
    if (zframe_send (frame_p, sock, flags | ZFRAME_DONTWAIT) == 0)
        return 0;
    zframe_destroy (frame_p);
    return -1;
}

int jy_wire_send (zsock_t *sock, const jy_envelope_t *envelope)
{
    assert (sock);
    zframe_t *frame = jy_wire_pack (envelope);
    return s_send_frame (&frame, sock, 0);
}

int jy_wire_send_topic (zsock_t *sock, const char *topic, const jy_envelope_t *envelope)
{
    assert (sock);
    assert (topic);
    zframe_t *topic_frame = zframe_new (topic, strlen (topic));
    assert (topic_frame);
    if (s_send_frame (&topic_frame, sock, ZFRAME_MORE) != 0)
        return -1;
    zframe_t *frame = jy_wire_pack (envelope);
    return s_send_frame (&frame, sock, 0);
}

int jy_wire_send_routed (zsock_t *sock, zframe_t *routing_id, const jy_envelope_t *envelope)
{
    assert (sock);
    assert (routing_id);
    //  The caller keeps its routing frame: it may answer the same peer again.
    zframe_t *id = zframe_dup (routing_id);
    assert (id);
    //  With ROUTER_MANDATORY an unknown or gone peer fails here, on the first frame.
    if (s_send_frame (&id, sock, ZFRAME_MORE) != 0)
        return -1;
    zframe_t *frame = jy_wire_pack (envelope);
    return s_send_frame (&frame, sock, 0);
}

jy_envelope_t *jy_wire_recv (zsock_t *sock, size_t cap, zframe_t **routing_id_p, char **topic_p,
                             jy_wire_status_t *status)
{
    assert (sock);
    assert (status);
    if (routing_id_p)
        *routing_id_p = NULL;
    if (topic_p)
        *topic_p = NULL;

    zmsg_t *msg = zmsg_recv (sock);
    if (!msg) {
        *status = JY_WIRE_RECV_FAILED;
        return NULL;
    }
    int type = zsock_type (sock);
    bool routed = type == ZMQ_ROUTER;
    bool topical = type == ZMQ_SUB || type == ZMQ_XSUB;
    size_t expected = routed || topical ? 2 : 1;
    if (zmsg_size (msg) != expected) {
        zmsg_destroy (&msg);
        *status = JY_WIRE_BAD_FRAMES;
        return NULL;
    }
    //  The routing id and topic are handed over even when the envelope is bad, so that a
    //  daemon can answer a garbage request with a coded rejection.
    if (expected == 2) {
        zframe_t *first = zmsg_first (msg);
        if (routed && routing_id_p) {
            *routing_id_p = zframe_dup (first);
            assert (*routing_id_p);
        }
        if (topical && topic_p) {
            *topic_p = zframe_strdup (first);
            assert (*topic_p);
        }
    }
    zframe_t *body = zmsg_last (msg);
    jy_envelope_t *envelope = jy_wire_unpack (zframe_data (body), zframe_size (body), cap, status);
    zmsg_destroy (&msg);
    return envelope;
}
