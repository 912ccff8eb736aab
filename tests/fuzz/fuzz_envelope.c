/*  fuzz_envelope: a frame off the network, as the daemons take it.

    Every frame: peeked for its payload and unpacked within journey-ingestd's cap and unpack
    budget (jy_wire_unpack_within, as jy_service does), then what any reader may do with what it
   got: pack it again (idempotency hashes and the feed repack what was unpacked, so packing must be
   stable) and write it as JSON (the CLI prints replies). An EventBatch then goes the way
   journey-ingestd takes it (ingest_server.c s_check_event): each event packed and hashed, checked
   for idempotency, validated against the case store, applied when accepted; the store's changes
    serialised for the projection writer; the COPY text of the event's fields built.

    Properties besides not crashing: unpacking never hands out more than its budget; what
    unpacks has the payload the peek named; a rejection names a code and says what is wrong in
    printable UTF-8; what validation accepts can be applied, and is a duplicate when sent
    again; COPY text is UTF-8 that PostgreSQL takes, with no raw tab, newline or return inside
    a field (other control characters are text to PostgreSQL).
*/
#include <sodium.h>

#include "journey/journey.h"
#include "case_store.h"
#include "projection_writer.h"
#include "validate.h"
#include "fuzz.h"

//  The day the validation seeds were written for (tests/ingest/test_validate.c's TODAY).
#define S_TODAY_YEAR  2025
#define S_TODAY_MONTH 1
#define S_TODAY_DAY   1

//  RFC 3629 UTF-8 as PostgreSQL takes it; written apart from jy_sql_text.c so that one checks the
//  other. With no_controls, also no C0 control characters or DEL.
static bool s_utf8 (const char *text, size_t size, bool no_controls)
{
    const unsigned char *p = (const unsigned char *) text, *end = p + size;
    while (p < end) {
        unsigned c = *p;
        size_t n = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (n == 0 || (size_t) (end - p) < n)
            return false;
        uint32_t point = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
        for (size_t i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            point = point << 6 | (p[i] & 0x3F);
        }
        static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (point < least[n] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF) ||
            point == 0)
            return false;
        if (no_controls && (point < 0x20 || point == 0x7F))
            return false;
        p += n;
    }
    return true;
}

//  jy_sql_text_copy_text for one value: the field and its separator, nothing raw inside.
static void s_copy_field (const char *value)
{
    jy_sql_text_t copy = {0};
    jy_sql_text_copy_text (&copy, value, true);
    FUZZ_CHECK (copy.size >= 1 && copy.data[copy.size - 1] == '\n', "COPY field not terminated");
    FUZZ_CHECK (s_utf8 (copy.data, copy.size - 1, false), "COPY field is not UTF-8: %s", copy.data);
    FUZZ_CHECK (!memchr (copy.data, '\t', copy.size - 1) &&
                    !memchr (copy.data, '\n', copy.size - 1) &&
                    !memchr (copy.data, '\r', copy.size - 1),
                "raw tab, newline or return inside a COPY field: %s", copy.data);
    jy_sql_text_free (&copy);
}

static void s_event_fields (const Journey__V1__Event *event)
{
    const char *fields[] = {event->event_id,    event->la_code,     event->child_id,
                            event->occurred_on, event->recorded_at, event->source,
                            event->worker_id,   event->team_id,     event->supersedes};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        s_copy_field (fields[i]);
}

//  s_check_event of ingest_server.c, without the authority check (a deployment's setting).
static void s_ingest_event (case_store_t *store, const Journey__V1__Event *event, jy_date_t today)
{
    size_t size = journey__v1__event__get_packed_size (event);
    uint8_t *packed = malloc (size ? size : 1);
    FUZZ_CHECK (packed, "out of memory");
    FUZZ_CHECK (journey__v1__event__pack (event, packed) == size, "packed size changed");
    uint8_t hash[CASE_HASH_SIZE];
    crypto_hash_sha256 (hash, packed, size);

    const char *la = event->la_code;
    bool has_la = la && strlen (la) == 3 && la[0] >= '0' && la[0] <= '9' && la[1] >= '0' &&
                  la[1] <= '9' && la[2] >= '0' && la[2] <= '9';
    bool keyed = has_la && event->event_id && *event->event_id;
    if (keyed && case_store_check_event (store, la, event->event_id, hash) != CASE_EVENT_NEW) {
        free (packed);
        return;
    }
    validate_result_t verdict;
    if (validate_event (store, event, today, &verdict) != 0) {
        FUZZ_CHECK (verdict.code && *verdict.code, "rejected without a code");
        FUZZ_CHECK (verdict.message[0], "%s: rejected without a message", verdict.code);
        FUZZ_CHECK (s_utf8 (verdict.message, strlen (verdict.message), true),
                    "%s: message is not printable UTF-8: %s", verdict.code, verdict.message);
        FUZZ_CHECK (s_utf8 (verdict.field, strlen (verdict.field), true),
                    "%s: field is not printable UTF-8: %s", verdict.code, verdict.field);
        free (packed);
        return;
    }
    FUZZ_CHECK (keyed, "validation accepted an event without event_id or a three-digit la_code");
    FUZZ_CHECK (case_store_apply (store, event, packed, size, hash) == 0,
                "accepted event %s cannot be applied", event->event_id);
    FUZZ_CHECK (case_store_check_event (store, la, event->event_id, hash) == CASE_EVENT_DUPLICATE,
                "accepted event %s is not a duplicate when sent again", event->event_id);
    s_event_fields (event);
    free (packed);
}

static void s_ingest (const Journey__V1__EventBatch *batch)
{
    case_store_t *store = case_store_new ();
    jy_date_t today = jy_date_from_ymd (S_TODAY_YEAR, S_TODAY_MONTH, S_TODAY_DAY);
    for (size_t i = 0; i < batch->n_events; i++)
        s_ingest_event (store, batch->events[i], today);
    //  Unparsed records are dead-lettered with the sender's message.
    for (size_t i = 0; i < batch->n_unparsed; i++)
        s_copy_field (batch->unparsed[i]->error);
    projection_plan_t *plan = projection_plan_new ();
    projection_serialise (store, plan);
    projection_plan_destroy (&plan);
    case_store_clear_dirty (store);
    case_store_destroy (&store);
}

//  Packing what was unpacked, then unpacking and packing that, gives the same bytes.
static void s_repack (const jy_envelope_t *envelope)
{
    zframe_t *first = jy_wire_pack (envelope);
    jy_wire_status_t status;
    jy_envelope_t *again =
        jy_wire_unpack (zframe_data (first), zframe_size (first), SIZE_MAX, &status);
    if (zframe_size (first) == 0)
        FUZZ_CHECK (!again && status == JY_WIRE_EMPTY, "an empty envelope unpacked");
    else {
        FUZZ_CHECK (again, "a packed envelope does not unpack: %s", jy_wire_status_text (status));
        zframe_t *second = jy_wire_pack (again);
        FUZZ_CHECK (zframe_eq (first, second), "repacked envelope differs (%zu and %zu bytes)",
                    zframe_size (first), zframe_size (second));
        zframe_destroy (&second);
        jy_envelope_free (&again);
    }
    zframe_destroy (&first);
}

//  --- A mutator that knows the encoding ---------------------------------------------------------
//  Byte mutations of protobuf mostly break its framing (every string carries its length), so
//  half the time the input is unpacked, changed as a message and packed again: a string or a
//  number rewritten, one string copied over another (an event_id into supersedes or retracts, a
//  plan id into a visit), a payload swapped for another kind, an event copied, moved or dropped.
//  That reaches the sequence rules and the case store's corrections and retractions.

size_t LLVMFuzzerMutate (uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator (uint8_t *data, size_t size, size_t max_size, unsigned int seed);

#define S_MAX_SLOTS 1024

typedef struct {
    void *member;
    const ProtobufCFieldDescriptor *field;
    protobuf_c_boolean *has; //  NULL when the field has no presence flag
} s_number_t;

typedef struct {
    ProtobufCMessage *message; //  holding a oneof of messages (an Event's payload)
    const ProtobufCFieldDescriptor *field;
} s_choice_t;

//  What the mutator may change in one unpacked envelope.
typedef struct {
    char **strings[S_MAX_SLOTS]; //  string members, present or not
    size_t n_strings;
    s_number_t numbers[S_MAX_SLOTS];
    size_t n_numbers;
    s_choice_t choices[S_MAX_SLOTS];
    size_t n_choices;
    Journey__V1__EventBatch *batch;
    unsigned state;
} s_slots_t;

static unsigned s_random (s_slots_t *slots, unsigned below)
{
    slots->state = slots->state * 1103515245u + 12345u;
    return below ? (slots->state >> 8) % below : 0;
}

#define S_MEMBER(message, offset) ((void *) ((char *) (message) + (offset)))

static void s_collect (ProtobufCMessage *message, s_slots_t *slots)
{
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    for (unsigned f = 0; f < descriptor->n_fields; f++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields[f];
        void *member = S_MEMBER (message, field->offset);
        if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            //  Members of a oneof share their storage: only the chosen one may be touched.
            if (field->type == PROTOBUF_C_TYPE_MESSAGE && slots->n_choices < S_MAX_SLOTS)
                slots->choices[slots->n_choices++] = (s_choice_t){message, field};
            if (*(uint32_t *) S_MEMBER (message, field->quantifier_offset) != field->id)
                continue;
        }
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(size_t *) S_MEMBER (message, field->quantifier_offset);
            for (size_t i = 0; i < count; i++) {
                if (field->type == PROTOBUF_C_TYPE_MESSAGE)
                    s_collect ((*(ProtobufCMessage ***) member)[i], slots);
                else if (field->type == PROTOBUF_C_TYPE_STRING && slots->n_strings < S_MAX_SLOTS)
                    slots->strings[slots->n_strings++] = &(*(char ***) member)[i];
            }
            continue;
        }
        if (field->type == PROTOBUF_C_TYPE_MESSAGE) {
            ProtobufCMessage *sub = *(ProtobufCMessage **) member;
            if (sub)
                s_collect (sub, slots);
        } else if (field->type == PROTOBUF_C_TYPE_STRING) {
            //  A default string is the descriptor's: never freed or written.
            if (!field->default_value && slots->n_strings < S_MAX_SLOTS)
                slots->strings[slots->n_strings++] = (char **) member;
        } else if (field->type != PROTOBUF_C_TYPE_BYTES && slots->n_numbers < S_MAX_SLOTS) {
            bool flagged = field->label == PROTOBUF_C_LABEL_OPTIONAL &&
                           !(field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF);
            slots->numbers[slots->n_numbers++] = (s_number_t){
                member, field,
                flagged ? (protobuf_c_boolean *) S_MEMBER (message, field->quantifier_offset)
                        : NULL};
        }
    }
}

static void s_mutate_string (char **slot)
{
    size_t length = *slot ? strlen (*slot) : 0, room = length + 32;
    uint8_t *bytes = malloc (room + 1);
    FUZZ_CHECK (bytes, "out of memory");
    if (length)
        memcpy (bytes, *slot, length);
    length = LLVMFuzzerMutate (bytes, length, room);
    bytes[length] = '\0';
    free (*slot);
    *slot = (char *) bytes;
}

static void s_mutate_number (s_slots_t *slots, unsigned which)
{
    void *member = slots->numbers[which].member;
    const ProtobufCFieldDescriptor *field = slots->numbers[which].field;
    static const int64_t edges[] = {0, 1, -1, 2, 10, 1000, INT32_MAX, INT32_MIN, INT64_MAX};
    int64_t value =
        s_random (slots, 2) ? edges[s_random (slots, 9)] : (int64_t) s_random (slots, 64) - 16;
    switch (field->type) {
    case PROTOBUF_C_TYPE_BOOL:
        *(protobuf_c_boolean *) member = !*(protobuf_c_boolean *) member;
        break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *values = field->descriptor;
        *(int *) member = s_random (slots, 4) && values->n_values
                              ? values->values[s_random (slots, values->n_values)].value
                              : (int) value;
        break;
    }
    case PROTOBUF_C_TYPE_DOUBLE:
        *(double *) member = s_random (slots, 4) ? (double) value / 4 : -0.0;
        break;
    case PROTOBUF_C_TYPE_FLOAT:
        *(float *) member = (float) value / 4;
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        *(int64_t *) member = value;
        break;
    default: //  the 32-bit integers
        *(int32_t *) member = (int32_t) value;
        break;
    }
    if (slots->numbers[which].has)
        *slots->numbers[which].has = 1;
}

//  Another payload kind in place of the chosen one, empty but for its defaults.
static void s_switch_payload (s_slots_t *slots, unsigned which)
{
    ProtobufCMessage *message = slots->choices[which].message;
    const ProtobufCFieldDescriptor *field = slots->choices[which].field;
    uint32_t *chosen = S_MEMBER (message, field->quantifier_offset);
    const ProtobufCFieldDescriptor *old =
        protobuf_c_message_descriptor_get_field (message->descriptor, *chosen);
    if (old && old->type == PROTOBUF_C_TYPE_MESSAGE)
        protobuf_c_message_free_unpacked (*(ProtobufCMessage **) S_MEMBER (message, old->offset),
                                          NULL);
    const ProtobufCMessageDescriptor *descriptor = field->descriptor;
    ProtobufCMessage *fresh = calloc (1, descriptor->sizeof_message);
    FUZZ_CHECK (fresh, "out of memory");
    protobuf_c_message_init (descriptor, fresh);
    *(ProtobufCMessage **) S_MEMBER (message, field->offset) = fresh;
    *chosen = field->id;
}

//  Copy, move or drop an event of the batch.
static void s_reorder (s_slots_t *slots)
{
    Journey__V1__EventBatch *batch = slots->batch;
    size_t n = batch->n_events;
    unsigned from = s_random (slots, (unsigned) n), to = s_random (slots, (unsigned) n);
    switch (s_random (slots, 3)) {
    case 0: { //  a copy, appended: a duplicate, or a conflict once mutated
        size_t size = journey__v1__event__get_packed_size (batch->events[from]);
        uint8_t *packed = malloc (size ? size : 1);
        FUZZ_CHECK (packed, "out of memory");
        journey__v1__event__pack (batch->events[from], packed);
        Journey__V1__Event *copy = journey__v1__event__unpack (NULL, size, packed);
        free (packed);
        FUZZ_CHECK (copy, "a packed event does not unpack");
        batch->events = realloc (batch->events, (n + 1) * sizeof *batch->events);
        FUZZ_CHECK (batch->events, "out of memory");
        batch->events[batch->n_events++] = copy;
        break;
    }
    case 1: { //  out of order
        Journey__V1__Event *event = batch->events[from];
        batch->events[from] = batch->events[to];
        batch->events[to] = event;
        break;
    }
    default: //  lost
        journey__v1__event__free_unpacked (batch->events[from], NULL);
        memmove (&batch->events[from], &batch->events[from + 1],
                 (n - from - 1) * sizeof *batch->events);
        batch->n_events--;
        break;
    }
}

size_t LLVMFuzzerCustomMutator (uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    if (seed % 2 == 0)
        return LLVMFuzzerMutate (data, size, max_size);
    jy_wire_status_t status;
    jy_envelope_t *envelope = jy_wire_unpack (data, size, JY_WIRE_DEFAULT_CAP, &status);
    if (!envelope)
        return LLVMFuzzerMutate (data, size, max_size);
    s_slots_t *slots = calloc (1, sizeof *slots);
    FUZZ_CHECK (slots, "out of memory");
    slots->state = seed;
    s_collect (&envelope->base, slots);
    if (envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH)
        slots->batch = envelope->event_batch;
    for (unsigned changes = 1 + s_random (slots, 3); changes > 0; changes--) {
        unsigned op = s_random (slots, 10);
        if (op < 4 && slots->n_strings)
            s_mutate_string (slots->strings[s_random (slots, (unsigned) slots->n_strings)]);
        else if (op < 6 && slots->n_strings > 1) {
            char **from = slots->strings[s_random (slots, (unsigned) slots->n_strings)];
            char **to = slots->strings[s_random (slots, (unsigned) slots->n_strings)];
            if (from != to && *from) {
                free (*to);
                *to = strdup (*from);
                FUZZ_CHECK (*to, "out of memory");
            }
        } else if (op < 8 && slots->n_numbers)
            s_mutate_number (slots, s_random (slots, (unsigned) slots->n_numbers));
        else if (op < 9 && slots->n_choices) {
            s_switch_payload (slots, s_random (slots, (unsigned) slots->n_choices));
            break; //  the slots of the old payload are gone
        } else if (slots->batch && slots->batch->n_events) {
            s_reorder (slots);
            break; //  a dropped event's slots are gone
        }
    }
    free (slots);
    size_t packed = journey__v1__envelope__get_packed_size (envelope);
    if (packed > max_size || packed == 0) {
        jy_envelope_free (&envelope);
        return LLVMFuzzerMutate (data, size, max_size);
    }
    journey__v1__envelope__pack (envelope, data);
    jy_envelope_free (&envelope);
    return packed;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    jy_wire_status_t status;
    size_t budget = jy_wire_default_budget (JY_WIRE_BATCH_CAP), allocated;
    int peeked = jy_wire_peek_payload (data, size);
    jy_envelope_t *envelope =
        jy_wire_unpack_within (data, size, JY_WIRE_BATCH_CAP, budget, &allocated, &status);
    FUZZ_CHECK (allocated <= budget, "unpacking handed out %zu bytes, over its budget of %zu",
                allocated, budget);
    if (!envelope) {
        FUZZ_CHECK (status != JY_WIRE_OK && status != JY_WIRE_UNKNOWN_PAYLOAD,
                    "no envelope, status %s", jy_wire_status_text (status));
        return 0;
    }
    FUZZ_CHECK (status == JY_WIRE_OK || status == JY_WIRE_UNKNOWN_PAYLOAD, "envelope with %s",
                jy_wire_status_text (status));
    FUZZ_CHECK (peeked == (int) envelope->payload_case, "peeked payload %d, unpacked %d", peeked,
                (int) envelope->payload_case);
    s_repack (envelope);
    free (jy_json_format_message (&envelope->base));
    if (envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH &&
        envelope->event_batch)
        s_ingest (envelope->event_batch);
    jy_envelope_free (&envelope);
    return 0;
}
