/*  jy_wire: round trips, hostile bytes (truncated, oversize, empty, random, unknown payload,
    a flood of empty submessages against the unpack budget), the payload peek, and frame
    layouts over real sockets. */
#include "journey/journey.h"
#include "jy_test.h"

//  An envelope carrying a batch of two events (static storage: packed, never freed).
static void s_sample (jy_envelope_t *envelope, Journey__V1__EventBatch *batch,
                      Journey__V1__Event *events, Journey__V1__Event **event_ptrs,
                      Journey__V1__ContactReceived *contact, Journey__V1__CaseClosed *closed)
{
    jy_envelope_init (envelope);
    envelope->message_id = "m-0001";
    envelope->has_sent_at_ms = 1;
    envelope->sent_at_ms = 1704448800000;
    *batch = (Journey__V1__EventBatch) JOURNEY__V1__EVENT_BATCH__INIT;
    batch->batch_id = "b-42";
    *contact = (Journey__V1__ContactReceived) JOURNEY__V1__CONTACT_RECEIVED__INIT;
    contact->contact_id = "C1";
    contact->contact_source = "1B";
    *closed = (Journey__V1__CaseClosed) JOURNEY__V1__CASE_CLOSED__INIT;
    closed->reason = "RC1";
    for (int i = 0; i < 2; i++) {
        events[i] = (Journey__V1__Event) JOURNEY__V1__EVENT__INIT;
        events[i].la_code = "201";
        events[i].child_id = "child-7";
        events[i].occurred_on = "2024-01-05";
        events[i].recorded_at = "2024-01-05T10:00:00Z";
        event_ptrs[i] = &events[i];
    }
    events[0].event_id = "e-1";
    events[0].payload_case = JOURNEY__V1__EVENT__PAYLOAD_CONTACT_RECEIVED;
    events[0].contact_received = contact;
    events[1].event_id = "e-2";
    events[1].payload_case = JOURNEY__V1__EVENT__PAYLOAD_CASE_CLOSED;
    events[1].case_closed = closed;
    batch->n_events = 2;
    batch->events = event_ptrs;
    envelope->payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH;
    envelope->event_batch = batch;
}

static jy_envelope_t s_envelope;
static Journey__V1__EventBatch s_batch;
static Journey__V1__Event s_events[2];
static Journey__V1__Event *s_event_ptrs[2];
static Journey__V1__ContactReceived s_contact;
static Journey__V1__CaseClosed s_closed;

static void s_check_sample (jy_envelope_t *got)
{
    CHECK (got != NULL);
    if (!got)
        return;
    CHECK_STR (got->message_id, "m-0001");
    CHECK (got->has_schema_version);
    CHECK_INT (got->schema_version, JY_SCHEMA_VERSION);
    CHECK (got->has_sent_at_ms);
    CHECK_INT (got->sent_at_ms, 1704448800000);
    CHECK (!got->has_feed_seq);
    CHECK_INT (got->payload_case, JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH);
    if (got->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH)
        return;
    Journey__V1__EventBatch *batch = got->event_batch;
    CHECK_STR (batch->batch_id, "b-42");
    CHECK_INT (batch->n_events, 2);
    if (batch->n_events != 2)
        return;
    CHECK_STR (batch->events[0]->event_id, "e-1");
    CHECK_INT (batch->events[0]->payload_case, JOURNEY__V1__EVENT__PAYLOAD_CONTACT_RECEIVED);
    if (batch->events[0]->payload_case == JOURNEY__V1__EVENT__PAYLOAD_CONTACT_RECEIVED)
        CHECK_STR (batch->events[0]->contact_received->contact_source, "1B");
    CHECK_STR (batch->events[1]->event_id, "e-2");
    CHECK_STR (batch->events[1]->occurred_on, "2024-01-05");
    CHECK_INT (batch->events[1]->payload_case, JOURNEY__V1__EVENT__PAYLOAD_CASE_CLOSED);
}

static void s_test_bytes (void)
{
    jy_envelope_t init;
    jy_envelope_init (&init);
    CHECK (init.has_schema_version);
    CHECK_INT (init.schema_version, JY_SCHEMA_VERSION);
    CHECK (init.message_id == NULL);
    CHECK_INT (init.payload_case, JOURNEY__V1__ENVELOPE__PAYLOAD__NOT_SET);

    zframe_t *frame = jy_wire_pack (&s_envelope);
    const uint8_t *data = zframe_data (frame);
    size_t size = zframe_size (frame);
    CHECK (size > 50);

    //  Round trip.
    jy_wire_status_t status = JY_WIRE_RECV_FAILED;
    jy_envelope_t *got = jy_wire_unpack (data, size, JY_WIRE_DEFAULT_CAP, &status);
    CHECK_INT (status, JY_WIRE_OK);
    s_check_sample (got);
    jy_envelope_free (&got);
    CHECK (got == NULL);
    jy_envelope_free (&got); //  freeing NULL is harmless

    //  Exactly at the cap is fine; one byte over is refused without unpacking.
    got = jy_wire_unpack (data, size, size, &status);
    CHECK_INT (status, JY_WIRE_OK);
    jy_envelope_free (&got);
    got = jy_wire_unpack (data, size, size - 1, &status);
    CHECK (got == NULL);
    CHECK_INT (status, JY_WIRE_TOO_LARGE);

    //  Empty.
    got = jy_wire_unpack (data, 0, JY_WIRE_DEFAULT_CAP, &status);
    CHECK (got == NULL);
    CHECK_INT (status, JY_WIRE_EMPTY);
    got = jy_wire_unpack (NULL, 0, JY_WIRE_DEFAULT_CAP, &status);
    CHECK_INT (status, JY_WIRE_EMPTY);

    //  Every truncated prefix: garbage, or a valid shorter message (cut at a field boundary).
    size_t garbage = 0, ok = 0, other = 0;
    for (size_t length = 1; length < size; length++) {
        uint8_t *copy = (uint8_t *) malloc (length); //  exact size, so ASan sees any overread
        memcpy (copy, data, length);
        got = jy_wire_unpack (copy, length, JY_WIRE_DEFAULT_CAP, &status);
        if (status == JY_WIRE_GARBAGE && !got)
            garbage++;
        else if (status == JY_WIRE_OK && got)
            ok++;
        else
            other++;
        jy_envelope_free (&got);
        free (copy);
    }
    CHECK_INT (garbage + ok, size - 1);
    CHECK_INT (other, 0);
    CHECK (garbage > 0);

    //  An envelope from a newer sender: field 99 (length-delimited) is a payload we do not know.
    jy_envelope_t newer;
    jy_envelope_init (&newer);
    newer.message_id = "from-the-future";
    zframe_t *known = jy_wire_pack (&newer);
    size_t known_size = zframe_size (known);
    uint8_t extended[256];
    memcpy (extended, zframe_data (known), known_size);
    //  tag (99 << 3 | 2) = 794 as a varint, then length 3 and the bytes.
    const uint8_t field99[] = {0x9a, 0x06, 0x03, 'a', 'b', 'c'};
    memcpy (extended + known_size, field99, sizeof field99);
    got = jy_wire_unpack (extended, known_size + sizeof field99, JY_WIRE_DEFAULT_CAP, &status);
    CHECK_INT (status, JY_WIRE_UNKNOWN_PAYLOAD);
    CHECK (got != NULL);
    if (got) {
        CHECK_INT (got->payload_case, JOURNEY__V1__ENVELOPE__PAYLOAD__NOT_SET);
        CHECK_STR (got->message_id, "from-the-future");
        CHECK_INT (got->schema_version, JY_SCHEMA_VERSION);
        jy_envelope_free (&got);
    }
    //  An envelope with no payload and nothing unknown (a feed heartbeat) is simply OK.
    got = jy_wire_unpack (zframe_data (known), known_size, JY_WIRE_DEFAULT_CAP, &status);
    CHECK_INT (status, JY_WIRE_OK);
    jy_envelope_free (&got);
    zframe_destroy (&known);
    zframe_destroy (&frame);

    //  Deterministic random garbage (xorshift64): never a crash, never a wrong status.
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    size_t bad = 0, counted = 0;
    for (int i = 0; i < 100000; i++) {
        uint8_t buffer[256];
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t length = 1 + (size_t) (x % sizeof buffer);
        for (size_t j = 0; j < length; j++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buffer[j] = (uint8_t) (x >> 24);
        }
        got = jy_wire_unpack (buffer, length, JY_WIRE_DEFAULT_CAP, &status);
        if (got ? (status == JY_WIRE_OK || status == JY_WIRE_UNKNOWN_PAYLOAD)
                : status == JY_WIRE_GARBAGE)
            counted++;
        else
            bad++;
        jy_envelope_free (&got);
    }
    CHECK_INT (counted, 100000);
    CHECK_INT (bad, 0);

    CHECK_STR (jy_wire_status_text (JY_WIRE_TOO_LARGE), "envelope frame over the size cap");
    CHECK_STR (jy_wire_status_text (JY_WIRE_OK), "ok");
}

//  Bind to an ephemeral loopback port; returns the endpoint to connect to.
static zsock_t *s_bound (int type, char *endpoint, size_t size)
{
    zsock_t *sock = zsock_new (type);
    assert (sock);
    zsock_set_linger (sock, 0);
    int port = zsock_bind (sock, "tcp://127.0.0.1:*");
    assert (port > 0);
    snprintf (endpoint, size, "tcp://127.0.0.1:%d", port);
    return sock;
}

static zsock_t *s_connected (int type, const char *endpoint)
{
    zsock_t *sock = zsock_new (type);
    assert (sock);
    zsock_set_linger (sock, 0);
    int rc = zsock_connect (sock, "%s", endpoint);
    assert (rc == 0);
    return sock;
}

static void s_test_sockets (void)
{
    char endpoint[64];
    jy_wire_status_t status;

    //  DEALER -> ROUTER and back.
    zsock_t *router = s_bound (ZMQ_ROUTER, endpoint, sizeof endpoint);
    zsock_set_router_mandatory (router, 1);
    zsock_set_rcvtimeo (router, 5000);
    zsock_t *dealer = s_connected (ZMQ_DEALER, endpoint);
    zsock_set_rcvtimeo (dealer, 5000);
    CHECK_INT (jy_wire_send (dealer, &s_envelope), 0);
    zframe_t *routing_id = NULL;
    char *topic = (char *) "untouched";
    jy_envelope_t *got = jy_wire_recv (router, JY_WIRE_DEFAULT_CAP, &routing_id, &topic, &status);
    CHECK_INT (status, JY_WIRE_OK);
    CHECK (routing_id != NULL);
    CHECK (topic == NULL); //  not a SUB socket
    s_check_sample (got);
    jy_envelope_free (&got);

    jy_envelope_t reply;
    jy_envelope_init (&reply);
    reply.message_id = "m-0001";
    Journey__V1__Reply body = JOURNEY__V1__REPLY__INIT;
    body.has_ok = 1;
    body.ok = 1;
    reply.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY;
    reply.reply = &body;
    if (routing_id) {
        CHECK_INT (jy_wire_send_routed (router, routing_id, &reply), 0);
        CHECK (zframe_size (routing_id) > 0); //  still the caller's
    }
    got = jy_wire_recv (dealer, JY_WIRE_DEFAULT_CAP, NULL, NULL, &status);
    CHECK_INT (status, JY_WIRE_OK);
    CHECK (got && got->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY && got->reply->ok);
    CHECK (got && got->message_id && strcmp (got->message_id, "m-0001") == 0);
    jy_envelope_free (&got);

    //  ROUTER_MANDATORY and a peer that does not exist: -1, no abort.
    zframe_t *nobody = zframe_new ("\0nobody", 7);
    CHECK_INT (jy_wire_send_routed (router, nobody, &reply), -1);
    zframe_destroy (&nobody);

    //  Three frames on a ROUTER ([id][a][b]) is the wrong layout; the socket keeps working.
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, "a");
    zmsg_addstr (msg, "b");
    CHECK_INT (zmsg_send (&msg, dealer), 0);
    zframe_destroy (&routing_id);
    got = jy_wire_recv (router, JY_WIRE_DEFAULT_CAP, &routing_id, NULL, &status);
    CHECK (got == NULL);
    CHECK_INT (status, JY_WIRE_BAD_FRAMES);
    CHECK (routing_id == NULL);

    //  Garbage on a ROUTER: the routing id still comes back, so the daemon can answer.
    zstr_send (dealer, "\xff\xff\xff");
    got = jy_wire_recv (router, JY_WIRE_DEFAULT_CAP, &routing_id, NULL, &status);
    CHECK (got == NULL);
    CHECK_INT (status, JY_WIRE_GARBAGE);
    CHECK (routing_id != NULL);
    //  An oversize frame likewise, not unpacked.
    CHECK_INT (jy_wire_send (dealer, &s_envelope), 0);
    zframe_destroy (&routing_id);
    got = jy_wire_recv (router, 10, &routing_id, NULL, &status);
    CHECK (got == NULL);
    CHECK_INT (status, JY_WIRE_TOO_LARGE);
    CHECK (routing_id != NULL);
    //  A DEALER given two frames: wrong layout too.
    if (routing_id) {
        msg = zmsg_new ();
        zmsg_append (msg, &routing_id);
        zmsg_addstr (msg, "x");
        zmsg_addstr (msg, "y");
        CHECK_INT (zmsg_send (&msg, router), 0);
        got = jy_wire_recv (dealer, JY_WIRE_DEFAULT_CAP, NULL, NULL, &status);
        CHECK (got == NULL);
        CHECK_INT (status, JY_WIRE_BAD_FRAMES);
    }
    zframe_destroy (&routing_id);

    //  Nothing to receive within the timeout: RECV_FAILED.
    zsock_set_rcvtimeo (dealer, 10);
    got = jy_wire_recv (dealer, JY_WIRE_DEFAULT_CAP, NULL, NULL, &status);
    CHECK (got == NULL);
    CHECK_INT (status, JY_WIRE_RECV_FAILED);
    zsock_destroy (&dealer);
    zsock_destroy (&router);

    //  PUB -> SUB. A subscription takes a moment to reach the publisher (the slow joiner):
    //  publish until the first message arrives, a bounded number of times.
    zsock_t *pub = s_bound (ZMQ_PUB, endpoint, sizeof endpoint);
    zsock_t *sub = s_connected (ZMQ_SUB, endpoint);
    zsock_set_subscribe (sub, "events");
    zpoller_t *poller = zpoller_new (sub, NULL);
    assert (poller);
    bool arrived = false;
    int send_failures = 0;
    for (int attempt = 0; attempt < 500 && !arrived; attempt++) {
        if (jy_wire_send_topic (pub, "events", &s_envelope) != 0)
            send_failures++;
        arrived = zpoller_wait (poller, 20) == sub;
    }
    CHECK (arrived);
    CHECK_INT (send_failures, 0);
    if (arrived) {
        got = jy_wire_recv (sub, JY_WIRE_DEFAULT_CAP, NULL, &topic, &status);
        CHECK_INT (status, JY_WIRE_OK);
        CHECK_STR (topic, "events");
        s_check_sample (got);
        jy_envelope_free (&got);
        free (topic);
        //  Without asking for the topic.
        zsock_set_rcvtimeo (sub, 5000);
        CHECK_INT (jy_wire_send_topic (pub, "events", &s_envelope), 0);
        got = jy_wire_recv (sub, JY_WIRE_DEFAULT_CAP, NULL, NULL, &status);
        CHECK_INT (status, JY_WIRE_OK);
        jy_envelope_free (&got);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&sub);
    zsock_destroy (&pub);
}

//  An Envelope whose event_batch (field 10) holds `count` empty events (field 2, zero length):
//  two bytes on the wire each, a whole Event in memory. Caller frees.
static uint8_t *s_flood (size_t count, size_t *size_p)
{
    size_t inner = 2 * count;
    uint8_t *data = (uint8_t *) malloc (inner + 16);
    assert (data);
    size_t at = 0;
    data[at++] = (10 << 3) | 2;
    for (size_t length = inner;; length >>= 7) {
        data[at++] = (uint8_t) ((length & 0x7f) | (length >= 0x80 ? 0x80 : 0));
        if (length < 0x80)
            break;
    }
    for (size_t i = 0; i < count; i++) {
        data[at++] = (2 << 3) | 2;
        data[at++] = 0;
    }
    *size_p = at;
    return data;
}

//  The largest legitimate batch: 10,000 events (ingest/batch_max) with every field given,
//  64-character identifiers and a long source, packed. Caller destroys.
static zframe_t *s_largest_batch (size_t *events_p)
{
    static char ids[8][65];
    static char source[501];
    for (int i = 0; i < 8; i++) {
        memset (ids[i], 'a' + i, 64);
        ids[i][64] = 0;
    }
    memset (source, 's', 500);
    source[500] = 0;
    size_t count = 10000;
    Journey__V1__Event *events = (Journey__V1__Event *) calloc (count, sizeof *events);
    Journey__V1__Event **pointers = (Journey__V1__Event **) calloc (count, sizeof *pointers);
    assert (events && pointers);
    Journey__V1__PlacementStarted placement = JOURNEY__V1__PLACEMENT_STARTED__INIT;
    placement.placement_id = ids[0];
    placement.period_id = ids[1];
    placement.placement_type = "U1";
    placement.has_in_area = placement.has_distance_miles = placement.has_long_term = 1;
    placement.distance_miles = 12.5;
    for (size_t i = 0; i < count; i++) {
        Journey__V1__Event *event = &events[i];
        *event = (Journey__V1__Event) JOURNEY__V1__EVENT__INIT;
        event->event_id = ids[2];
        event->la_code = "872";
        event->child_id = ids[3];
        event->occurred_on = "2025-01-06";
        event->recorded_at = "2025-01-06T09:00:00.123456+00:00";
        event->source = source;
        event->worker_id = ids[4];
        event->team_id = ids[5];
        event->supersedes = ids[6];
        event->payload_case = JOURNEY__V1__EVENT__PAYLOAD_PLACEMENT_STARTED;
        event->placement_started = &placement;
        pointers[i] = event;
    }
    Journey__V1__EventBatch batch = JOURNEY__V1__EVENT_BATCH__INIT;
    batch.batch_id = ids[7];
    batch.n_events = count;
    batch.events = pointers;
    jy_envelope_t envelope;
    jy_envelope_init (&envelope);
    envelope.message_id = ids[7];
    envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH;
    envelope.event_batch = &batch;
    zframe_t *frame = jy_wire_pack (&envelope);
    free (pointers);
    free (events);
    *events_p = count;
    return frame;
}

static void s_test_budget (void)
{
    //  The payload's kind, read without unpacking.
    zframe_t *sample = jy_wire_pack (&s_envelope);
    CHECK_INT (jy_wire_peek_payload (zframe_data (sample), zframe_size (sample)),
               JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH);
    CHECK_INT (jy_wire_peek_payload (zframe_data (sample), zframe_size (sample) - 1), -1);
    zframe_destroy (&sample);
    uint8_t heartbeat[] = {0x10, 0x01, 0x18, 0x07};
    CHECK_INT (jy_wire_peek_payload (heartbeat, sizeof heartbeat), 0);
    uint8_t unknown[] = {0x10, 0x01, 0x9a, 0x06, 0x02, 0x08, 0x01}; //  field 99
    CHECK_INT (jy_wire_peek_payload (unknown, sizeof unknown), 0);
    uint8_t twice[] = {0x9a, 0x01, 0x00, 0x8a, 0x01, 0x00}; //  status_request, then report_request
    CHECK_INT (jy_wire_peek_payload (twice, sizeof twice),
               JOURNEY__V1__ENVELOPE__PAYLOAD_REPORT_REQUEST);
    uint8_t group[] = {0x0b};
    CHECK_INT (jy_wire_peek_payload (group, sizeof group), -1);
    CHECK_INT (jy_wire_peek_payload (NULL, 0), 0);

    //  A flood of empty events: 256 KiB on the wire.
    size_t size;
    uint8_t *flood = s_flood (128 * 1024, &size);
    CHECK_INT (jy_wire_peek_payload (flood, size), JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH);
    size_t budget = jy_wire_default_budget (size);
    CHECK_INT (budget, JY_WIRE_UNPACK_FACTOR * size);
    jy_wire_status_t status;
    size_t allocated = 0;
    jy_envelope_t *got = jy_wire_unpack_within (flood, size, size, budget, &allocated, &status);
    CHECK (got == NULL);
    CHECK_INT (status, JY_WIRE_OVER_BUDGET);
    CHECK (allocated > 0 && allocated <= budget);
    CHECK_STR (jy_wire_status_text (status),
               "envelope would take more memory to unpack than allowed");
    //  The default budget of jy_wire_unpack is the same.
    got = jy_wire_unpack (flood, size, size, &status);
    CHECK (got == NULL && status == JY_WIRE_OVER_BUDGET);
    //  What it would have cost without a budget: the attack the budget stops.
    size_t unbounded = 0;
    got = jy_wire_unpack_within (flood, size, size, SIZE_MAX, &unbounded, &status);
    CHECK (got && status == JY_WIRE_OK);
    CHECK_INT (got && got->event_batch ? got->event_batch->n_events : 0, 128 * 1024);
    printf ("  a flood of %zu bytes of empty events takes %zu bytes to unpack (%.1f per byte); "
            "refused at %zu\n",
            size, unbounded, (double) unbounded / (double) size, allocated);
    CHECK (unbounded > 10 * budget);
    jy_envelope_free (&got);
    free (flood);

    //  The largest legitimate batch fits journey-ingestd's cap and unpacks within the default
    //  budget of that cap.
    size_t count;
    zframe_t *largest = s_largest_batch (&count);
    size = zframe_size (largest);
    got = jy_wire_unpack_within (zframe_data (largest), size, JY_WIRE_BATCH_CAP,
                                 jy_wire_default_budget (JY_WIRE_BATCH_CAP), &allocated, &status);
    printf ("  the largest batch: %zu events, %zu bytes packed, %zu bytes to unpack (%.2f per "
            "byte); cap %d, budget %zu\n",
            count, size, allocated, (double) allocated / (double) size, JY_WIRE_BATCH_CAP,
            jy_wire_default_budget (JY_WIRE_BATCH_CAP));
    CHECK (size <= JY_WIRE_BATCH_CAP);
    CHECK (got && status == JY_WIRE_OK);
    CHECK_INT (got && got->event_batch ? got->event_batch->n_events : 0, count);
    CHECK (allocated < jy_wire_default_budget (JY_WIRE_BATCH_CAP));
    jy_envelope_free (&got);
    zframe_destroy (&largest);
}

int main (void)
{
    s_sample (&s_envelope, &s_batch, s_events, s_event_ptrs, &s_contact, &s_closed);
    s_test_bytes ();
    s_test_budget ();
    s_test_sockets ();
    return jy_test_summary ("test_wire");
}
