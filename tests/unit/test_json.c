/*  jy_json: the JSON form of every message. Every Event payload is covered by building a sample
    from its descriptor, so a payload added to events.proto is tested without touching this file.
*/
#include "journey.h"
#include "jy_test.h"
#include "journey/v1/envelope.pb-c.h"

#include <math.h>

// --- helpers -----------------------------------------------------------------------------------

//  Packed bytes of a message (malloc'd), for exact comparison.
static uint8_t *s_pack (const ProtobufCMessage *message, size_t *size)
{
    *size = protobuf_c_message_get_packed_size (message);
    uint8_t *bytes = malloc (*size ? *size : 1);
    assert (bytes);
    protobuf_c_message_pack (message, bytes);
    return bytes;
}

static bool s_same_bytes (const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    size_t size_a, size_b;
    uint8_t *pa = s_pack (a, &size_a);
    uint8_t *pb = s_pack (b, &size_b);
    bool same = size_a == size_b && memcmp (pa, pb, size_a) == 0;
    free (pa);
    free (pb);
    return same;
}

static char *s_dump (json_t *json)
{
    char *text = json_dumps (json, JSON_COMPACT | JSON_REAL_PRECISION (15));
    assert (text);
    return text;
}

static char *s_lower_copy (const char *name)
{
    char *copy = strdup (name);
    assert (copy);
    for (char *p = copy; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char) (*p - 'A' + 'a');
    return copy;
}

//  A sample value for every field of the descriptor (the first member of each oneof), in field
//  order and canonical form, so that formatting what it parses to gives the same text back.
static json_t *s_sample (const ProtobufCMessageDescriptor *descriptor, int variant, int depth);

static json_t *s_sample_value (const ProtobufCFieldDescriptor *field, int variant, int index,
                               int depth)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_STRING: {
        char text[96];
        snprintf (text, sizeof text, "%s-%d%s", field->name, variant + index,
                  variant % 2 ? " caf\xc3\xa9 \"q\" \\" : "");
        return json_string (text);
    }
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean ((variant + index) % 2 == 0);
    case PROTOBUF_C_TYPE_DOUBLE:
    case PROTOBUF_C_TYPE_FLOAT:
        return json_real (variant % 2 ? 12.3 + index : 0.5 + index);
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *e = field->descriptor;
        char *lower = s_lower_copy (e->values[(unsigned) (variant + index) % e->n_values].name);
        json_t *value = json_string (lower);
        free (lower);
        return value;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        return depth < 4 ? s_sample (field->descriptor, variant, depth + 1) : json_object ();
    case PROTOBUF_C_TYPE_BYTES:
        return NULL;
    default:
        return json_integer (1000 * (variant + 1) + index);
    }
}

static json_t *s_sample (const ProtobufCMessageDescriptor *descriptor, int variant, int depth)
{
    json_t *object = json_object ();
    unsigned oneofs_seen[16];
    size_t n_oneofs = 0;
    for (unsigned f = 0; f < descriptor->n_fields; f++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields[f];
        if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            bool seen = false;
            for (size_t i = 0; i < n_oneofs; i++)
                seen = seen || oneofs_seen[i] == field->quantifier_offset;
            if (seen)
                continue;
            assert (n_oneofs < 16);
            oneofs_seen[n_oneofs++] = field->quantifier_offset;
        }
        json_t *value;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            value = json_array ();
            for (int i = 0; i < 2; i++)
                json_array_append_new (value, s_sample_value (field, variant, i, depth));
        } else
            value = s_sample_value (field, variant, 0, depth);
        if (value)
            json_object_set_new (object, field->name, value);
    }
    return object;
}

//  An Event with all common fields and the given payload.
static json_t *s_event (const char *payload_name, json_t *payload)
{
    json_t *event = json_object ();
    json_object_set_new (event, "event_id", json_string ("E1"));
    json_object_set_new (event, "la_code", json_string ("872"));
    json_object_set_new (event, "child_id", json_string ("C1"));
    json_object_set_new (event, "occurred_on", json_string ("2024-01-05"));
    json_object_set_new (event, "recorded_at", json_string ("2024-01-05T10:00:00Z"));
    json_object_set_new (event, "source", json_string ("lcs"));
    json_object_set_new (event, "worker_id", json_string ("W1"));
    json_object_set_new (event, "team_id", json_string ("T1"));
    json_object_set_new (event, "supersedes", json_string ("E0"));
    json_object_set_new (event, payload_name, payload);
    return event;
}

static Journey__V1__Event *s_parse (const char *line, char *err, size_t err_size)
{
    return jy_json_parse_event (line, strlen (line), err, err_size);
}

static void s_free_event (Journey__V1__Event *event)
{
    if (event)
        protobuf_c_message_free_unpacked (&event->base, NULL);
}

//  The error a line gives (into err), and that it gives one.
static void s_expect_error (const char *line, const char *expected, int caller_line)
{
    char err[256] = "unset";
    Journey__V1__Event *event = s_parse (line, err, sizeof err);
    jy_test_checks++;
    if (event || strcmp (err, expected) != 0) {
        jy_test_failures++;
        fprintf (stderr, "%s:%d: %s\n  gave \"%s\"%s\n  expected \"%s\"\n", __FILE__, caller_line,
                 line, err, event ? " (and parsed)" : "", expected);
    }
    s_free_event (event);
}
#define EXPECT_ERROR(line, expected) s_expect_error ((line), (expected), __LINE__)

//  The error jy_json_to_message gives for a JSON text against a descriptor.
static void s_expect_message_error (const ProtobufCMessageDescriptor *descriptor, const char *text,
                                    const char *expected, int caller_line)
{
    json_error_t error;
    json_t *json = json_loads (text, JSON_DECODE_ANY, &error);
    assert (json);
    char err[256] = "unset";
    ProtobufCMessage *message = jy_json_to_message (descriptor, json, err, sizeof err);
    json_decref (json);
    jy_test_checks++;
    if (message || strcmp (err, expected) != 0) {
        jy_test_failures++;
        fprintf (stderr, "%s:%d: %s\n  gave \"%s\"%s\n  expected \"%s\"\n", __FILE__, caller_line,
                 text, err, message ? " (and parsed)" : "", expected);
    }
    if (message)
        protobuf_c_message_free_unpacked (message, NULL);
}
#define EXPECT_MESSAGE_ERROR(descriptor, text, expected)                                           \
    s_expect_message_error ((descriptor), (text), (expected), __LINE__)

//  JSON text -> message -> text -> message; the texts equal when the first is canonical.
static void s_round_trip_message (const ProtobufCMessageDescriptor *descriptor, const char *text,
                                  bool canonical, int caller_line)
{
    json_error_t error;
    json_t *json = json_loads (text, 0, &error);
    assert (json);
    char err[256] = "";
    ProtobufCMessage *first = jy_json_to_message (descriptor, json, err, sizeof err);
    json_decref (json);
    jy_test_checks++;
    if (!first) {
        jy_test_failures++;
        fprintf (stderr, "%s:%d: %s did not parse: %s\n", __FILE__, caller_line, text, err);
        return;
    }
    char *formatted = jy_json_format_message (first);
    CHECK (formatted != NULL);
    if (canonical)
        CHECK_STR (formatted, text);
    json = json_loads (formatted, 0, &error);
    CHECK (json != NULL);
    ProtobufCMessage *second = jy_json_to_message (descriptor, json, err, sizeof err);
    json_decref (json);
    CHECK (second != NULL);
    if (second) {
        CHECK (s_same_bytes (first, second));
        protobuf_c_message_free_unpacked (second, NULL);
    }
    //  And through the wire encoding: what JSON built, protobuf-c reads back the same.
    size_t size;
    uint8_t *bytes = s_pack (first, &size);
    ProtobufCMessage *unpacked = protobuf_c_message_unpack (descriptor, NULL, size, bytes);
    CHECK (unpacked != NULL);
    if (unpacked) {
        char *again = jy_json_format_message (unpacked);
        CHECK_STR (again, formatted);
        free (again);
        protobuf_c_message_free_unpacked (unpacked, NULL);
    }
    free (bytes);
    free (formatted);
    protobuf_c_message_free_unpacked (first, NULL);
}
#define ROUND_TRIP(descriptor, text, canonical)                                                    \
    s_round_trip_message ((descriptor), (text), (canonical), __LINE__)

// --- tests -------------------------------------------------------------------------------------

//  Every payload of Event, from its descriptor, in two variants.
static void s_test_every_payload (void)
{
    const ProtobufCMessageDescriptor *event_descriptor = &journey__v1__event__descriptor;
    int payloads = 0;
    for (unsigned f = 0; f < event_descriptor->n_fields; f++) {
        const ProtobufCFieldDescriptor *field = &event_descriptor->fields[f];
        if (!(field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        payloads++;
        for (int variant = 0; variant < 2; variant++) {
            json_t *payload = s_sample (field->descriptor, variant, 0);
            size_t payload_keys = json_object_size (payload);
            json_t *json = s_event (field->name, payload);
            char *line = s_dump (json);
            json_decref (json);

            char err[256] = "";
            Journey__V1__Event *first = s_parse (line, err, sizeof err);
            if (!first) {
                fprintf (stderr, "%s: %s\n", line, err);
                CHECK (first != NULL);
                free (line);
                continue;
            }
            CHECK_INT (first->payload_case, field->id);
            char *formatted = jy_json_format_event (first);
            CHECK_STR (formatted, line);
            Journey__V1__Event *second = formatted ? s_parse (formatted, err, sizeof err) : NULL;
            CHECK (second != NULL);
            if (second)
                CHECK (s_same_bytes (&first->base, &second->base));
            //  Every field of the payload made it into the message and back out.
            json_t *out = jy_json_from_message (&first->base);
            CHECK (out != NULL);
            if (out) {
                json_t *out_payload = json_object_get (out, field->name);
                CHECK (json_is_object (out_payload));
                CHECK_INT (json_object_size (out_payload), payload_keys);
                CHECK_INT (json_object_size (out_payload),
                           field->descriptor
                               ? ((const ProtobufCMessageDescriptor *) field->descriptor)->n_fields
                               : 0);
                json_decref (out);
            }
            s_free_event (second);
            s_free_event (first);
            free (formatted);
            free (line);
        }
    }
    //  events.proto has 42 payloads today; a new one is covered above without a change here.
    CHECK (payloads >= 42);
}

static void s_test_common_fields (void)
{
    const char *line = "{\"event_id\":\"E1\",\"la_code\":\"872\",\"child_id\":\"C1\","
                       "\"occurred_on\":\"2024-01-05\",\"recorded_at\":\"2024-01-05T10:00:00Z\","
                       "\"source\":\"lcs\",\"team_id\":\"T1\",\"referral_received\":"
                       "{\"referral_id\":\"R1\",\"referral_source\":\"1A\"}}";
    char err[256] = "";
    Journey__V1__Event *event = s_parse (line, err, sizeof err);
    CHECK (event != NULL);
    if (!event)
        return;
    CHECK_STR (event->event_id, "E1");
    CHECK_STR (event->la_code, "872");
    CHECK_STR (event->child_id, "C1");
    CHECK_STR (event->occurred_on, "2024-01-05");
    CHECK_STR (event->recorded_at, "2024-01-05T10:00:00Z");
    CHECK_STR (event->source, "lcs");
    CHECK (event->worker_id == NULL);
    CHECK_STR (event->team_id, "T1");
    CHECK (event->supersedes == NULL);
    CHECK_INT (event->payload_case, JOURNEY__V1__EVENT__PAYLOAD_REFERRAL_RECEIVED);
    CHECK_STR (event->referral_received->referral_id, "R1");
    CHECK (event->referral_received->contact_id == NULL);
    CHECK_STR (event->referral_received->referral_source, "1A");
    char *text = jy_json_format_event (event);
    CHECK_STR (text, line);
    free (text);
    s_free_event (event);

    //  A correction and a retraction, an empty payload, surrounding whitespace, no NUL.
    const char *correction = "{\"event_id\":\"E2\",\"supersedes\":\"E1\",\"pep_completed\":{}}";
    event = s_parse (correction, err, sizeof err);
    CHECK (event != NULL);
    if (event) {
        CHECK_STR (event->supersedes, "E1");
        CHECK_INT (event->payload_case, JOURNEY__V1__EVENT__PAYLOAD_PEP_COMPLETED);
        CHECK (event->pep_completed != NULL);
        text = jy_json_format_event (event);
        CHECK_STR (text, correction);
        free (text);
    }
    s_free_event (event);

    event = s_parse ("{\"event_id\":\"E3\",\"retraction\":{\"retracts\":\"E1\",\"reason\":\"x\"}}",
                     err, sizeof err);
    CHECK (event != NULL);
    if (event) {
        CHECK_STR (event->retraction->retracts, "E1");
        CHECK_STR (event->retraction->reason, "x");
    }
    s_free_event (event);

    //  Not NUL-terminated: exactly length bytes are read (ASan catches a read past them).
    const char *body = " \t{\"event_id\":\"E4\",\"case_closed\":{}}\r\n";
    size_t length = strlen (body);
    char *exact = malloc (length);
    memcpy (exact, body, length);
    event = jy_json_parse_event (exact, length, err, sizeof err);
    CHECK (event != NULL);
    if (event)
        CHECK_STR (event->event_id, "E4");
    s_free_event (event);
    //  Only the first length bytes count.
    event = jy_json_parse_event (exact, length - 5, err, sizeof err);
    CHECK (event == NULL);
    CHECK (strncmp (err, "invalid JSON at column ", 23) == 0);
    free (exact);

    //  Unicode survives both ways; escapes are JSON's.
    const char *unicode = "{\"child_id\":\"Zo\xc3\xab \\\"Q\\\" \xe2\x9c\x93\",\"case_closed\":{}}";
    event = s_parse (unicode, err, sizeof err);
    CHECK (event != NULL);
    if (event) {
        CHECK_STR (event->child_id, "Zo\xc3\xab \"Q\" \xe2\x9c\x93");
        text = jy_json_format_event (event);
        CHECK_STR (text, unicode);
        free (text);
    }
    s_free_event (event);
    //  The escaped form reads to the same bytes.
    event = s_parse ("{\"child_id\":\"Zo\\u00eb\",\"case_closed\":{}}", err, sizeof err);
    CHECK (event != NULL);
    if (event)
        CHECK_STR (event->child_id, "Zo\xc3\xab");
    s_free_event (event);
}

static void s_test_scalars (void)
{
    char err[256] = "";
    //  proto2 optional bool: absent, false, true are three states.
    Journey__V1__Event *event =
        s_parse ("{\"child_registered\":{\"unborn\":false,\"disability\":true}}", err, sizeof err);
    CHECK (event != NULL);
    if (event) {
        Journey__V1__ChildRegistered *child = event->child_registered;
        CHECK_INT (child->has_unborn, 1);
        CHECK_INT (child->unborn, 0);
        CHECK_INT (child->has_disability, 1);
        CHECK_INT (child->disability, 1);
        CHECK_INT (child->has_uasc, 0);
        char *text = jy_json_format_event (event);
        CHECK_STR (text, "{\"child_registered\":{\"unborn\":false,\"disability\":true}}");
        free (text);
    }
    s_free_event (event);

    //  Doubles: integers accepted; written shortest where 15 digits read back exactly.
    event = s_parse ("{\"placement_started\":{\"distance_miles\":12.3}}", err, sizeof err);
    CHECK (event != NULL);
    if (event) {
        CHECK (event->placement_started->has_distance_miles);
        CHECK (event->placement_started->distance_miles == 12.3);
        char *text = jy_json_format_event (event);
        CHECK_STR (text, "{\"placement_started\":{\"distance_miles\":12.3}}");
        free (text);
        //  A value 15 digits cannot carry is written with 17, and reads back exactly.
        event->placement_started->distance_miles = 0.1 + 0.2;
        text = jy_json_format_event (event);
        CHECK_STR (text, "{\"placement_started\":{\"distance_miles\":0.30000000000000004}}");
        Journey__V1__Event *again = text ? s_parse (text, err, sizeof err) : NULL;
        CHECK (again && again->placement_started->distance_miles == 0.1 + 0.2);
        s_free_event (again);
        free (text);
    }
    s_free_event (event);
    event = s_parse ("{\"missing_ended\":{\"hours_missing\":3}}", err, sizeof err);
    CHECK (event != NULL);
    if (event) {
        CHECK (event->missing_ended->hours_missing == 3.0);
        char *text = jy_json_format_event (event);
        CHECK_STR (text, "{\"missing_ended\":{\"hours_missing\":3.0}}");
        free (text);
    }
    s_free_event (event);

    //  Integer types, through Alert and Envelope.
    ROUND_TRIP (&journey__v1__alert__descriptor,
                "{\"alert_id\":9223372036854775807,\"overdue_working_days\":-2147483648,"
                "\"caseload\":2147483647}",
                true);
    ROUND_TRIP (&journey__v1__envelope__descriptor,
                "{\"schema_version\":4294967295,\"feed_seq\":0,\"sent_at_ms\":-1}", true);
    EXPECT_MESSAGE_ERROR (&journey__v1__alert__descriptor, "{\"overdue_working_days\":2147483648}",
                          "overdue_working_days: 2147483648 is out of range for int32");
    EXPECT_MESSAGE_ERROR (&journey__v1__alert__descriptor, "{\"caseload\":-2147483649}",
                          "caseload: -2147483649 is out of range for int32");
    EXPECT_MESSAGE_ERROR (&journey__v1__envelope__descriptor, "{\"schema_version\":4294967296}",
                          "schema_version: 4294967296 is out of range for uint32");
    EXPECT_MESSAGE_ERROR (&journey__v1__envelope__descriptor, "{\"schema_version\":-1}",
                          "schema_version: -1 is out of range for uint32");
    EXPECT_MESSAGE_ERROR (&journey__v1__alert__descriptor, "{\"alert_id\":-1}",
                          "alert_id: -1 is out of range for uint64");
    EXPECT_MESSAGE_ERROR (&journey__v1__alert__descriptor, "{\"alert_id\":1.5}",
                          "alert_id: expected an integer, got 1.5");
    EXPECT_MESSAGE_ERROR (&journey__v1__alert__descriptor, "{\"alert_id\":2e3}",
                          "alert_id: expected an integer, got 2000.0");
    EXPECT_MESSAGE_ERROR (&journey__v1__alert__descriptor, "{\"alert_id\":\"12\"}",
                          "alert_id: expected an integer, got string");
    EXPECT_MESSAGE_ERROR (&journey__v1__alert__descriptor, "{\"alert_id\":true}",
                          "alert_id: expected an integer, got boolean");
    EXPECT_MESSAGE_ERROR (&journey__v1__alert__descriptor, "{\"value\":\"1\"}",
                          "value: expected a number, got string");
    EXPECT_MESSAGE_ERROR (&journey__v1__alert__descriptor, "{\"value\":null}",
                          "value: expected a number, got null");
    //  jansson refuses integers beyond 64 bits itself.
    EXPECT_ERROR ("{\"case_closed\":{},\"event_id\":99999999999999999999}",
                  "invalid JSON at column 49: too big integer near '99999999999999999999'");
}

static void s_test_enums (void)
{
    struct {
        const char *name;
        int value;
    } cases[] = {{"icpc", JOURNEY__V1__CONFERENCE_SCHEDULED__KIND__ICPC},
                 {"ICPC", JOURNEY__V1__CONFERENCE_SCHEDULED__KIND__ICPC},
                 {"Cla_Review", JOURNEY__V1__CONFERENCE_SCHEDULED__KIND__CLA_REVIEW},
                 {"PATHWAY_REVIEW", JOURNEY__V1__CONFERENCE_SCHEDULED__KIND__PATHWAY_REVIEW},
                 {"kind_unspecified", JOURNEY__V1__CONFERENCE_SCHEDULED__KIND__KIND_UNSPECIFIED}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[256], err[256] = "";
        snprintf (line, sizeof line,
                  "{\"conference_scheduled\":{\"conference_id\":\"k1\",\"kind\":\"%s\"}}",
                  cases[i].name);
        Journey__V1__Event *event = s_parse (line, err, sizeof err);
        CHECK (event != NULL);
        if (!event)
            continue;
        CHECK_INT (event->conference_scheduled->has_kind, 1);
        CHECK_INT (event->conference_scheduled->kind, cases[i].value);
        //  Written in lower case whatever case it was read in.
        char *text = jy_json_format_event (event);
        char *lower = s_lower_copy (line);
        CHECK_STR (text, lower);
        free (lower);
        free (text);
        s_free_event (event);
    }
    char err[256] = "";
    Journey__V1__Event *event =
        s_parse ("{\"health_assessment\":{\"kind\":\"Review\"}}", err, sizeof err);
    CHECK (event && event->health_assessment->kind == JOURNEY__V1__HEALTH_ASSESSMENT__KIND__REVIEW);
    if (event) {
        //  A value this build does not know (a newer sender) is written as its number.
        event->health_assessment->kind = 7;
        char *text = jy_json_format_event (event);
        CHECK_STR (text, "{\"health_assessment\":{\"kind\":7}}");
        free (text);
    }
    s_free_event (event);
    EXPECT_ERROR ("{\"health_assessment\":{\"kind\":\"annual\"}}",
                  "health_assessment.kind: unknown value \"annual\" "
                  "(one of kind_unspecified, initial, review)");
    EXPECT_ERROR ("{\"health_assessment\":{\"kind\":1}}",
                  "health_assessment.kind: expected a string, got number");
    EXPECT_ERROR ("{\"health_assessment\":{\"kind\":\"\"}}",
                  "health_assessment.kind: unknown value \"\" "
                  "(one of kind_unspecified, initial, review)");
}

static void s_test_repeated_and_nested (void)
{
    char err[256] = "";
    const char *line = "{\"assessment_completed\":{\"assessment_id\":\"A1\","
                       "\"factors\":[\"1A\",\"2B\",\"21\"],\"outcome\":\"cin\"}}";
    Journey__V1__Event *event = s_parse (line, err, sizeof err);
    CHECK (event != NULL);
    if (event) {
        Journey__V1__AssessmentCompleted *a = event->assessment_completed;
        CHECK_INT (a->n_factors, 3);
        CHECK_STR (a->factors[0], "1A");
        CHECK_STR (a->factors[1], "2B");
        CHECK_STR (a->factors[2], "21");
        char *text = jy_json_format_event (event);
        CHECK_STR (text, line);
        free (text);
    }
    s_free_event (event);
    //  An empty array is no elements, and is written as an absent key.
    event = s_parse ("{\"assessment_completed\":{\"factors\":[]}}", err, sizeof err);
    CHECK (event != NULL);
    if (event) {
        CHECK_INT (event->assessment_completed->n_factors, 0);
        char *text = jy_json_format_event (event);
        CHECK_STR (text, "{\"assessment_completed\":{}}");
        free (text);
    }
    s_free_event (event);
    EXPECT_ERROR ("{\"assessment_completed\":{\"factors\":\"1A\"}}",
                  "assessment_completed.factors: expected an array, got string");
    EXPECT_ERROR ("{\"assessment_completed\":{\"factors\":[\"1A\",2]}}",
                  "assessment_completed.factors[1]: expected a string, got number");
    EXPECT_ERROR ("{\"assessment_completed\":{\"factors\":[\"1A\",null]}}",
                  "assessment_completed.factors[1]: expected a string, got null");

    //  An Envelope carrying an EventBatch: repeated messages inside a oneof inside a message.
    ROUND_TRIP (&journey__v1__envelope__descriptor,
                "{\"message_id\":\"M1\",\"schema_version\":1,\"sent_at_ms\":1704448800000,"
                "\"event_batch\":{\"batch_id\":\"B1\",\"events\":["
                "{\"event_id\":\"E1\",\"la_code\":\"872\",\"child_id\":\"C1\","
                "\"occurred_on\":\"2024-01-05\",\"recorded_at\":\"2024-01-05T10:00:00Z\","
                "\"source\":\"lcs\",\"referral_received\":{\"referral_id\":\"R1\","
                "\"referral_source\":\"1A\"}},"
                "{\"event_id\":\"E2\",\"conference_scheduled\":{\"conference_id\":\"K1\","
                "\"kind\":\"icpc\",\"planned_on\":\"2024-01-20\"}},"
                "{\"event_id\":\"E3\",\"pep_completed\":{}}]}}",
                true);
    EXPECT_MESSAGE_ERROR (&journey__v1__envelope__descriptor,
                          "{\"event_batch\":{\"events\":[{\"case_closed\":{}},"
                          "{\"referral_received\":{\"referral_source\":1}}]}}",
                          "event_batch.events[1].referral_received.referral_source: "
                          "expected a string, got number");
    EXPECT_MESSAGE_ERROR (&journey__v1__envelope__descriptor,
                          "{\"event_batch\":{\"events\":[{\"case_closed\":{},\"x\":1}]}}",
                          "unknown field \"x\" in event_batch.events[0]");
    EXPECT_MESSAGE_ERROR (
        &journey__v1__envelope__descriptor,
        "{\"event_batch\":{\"events\":[{\"case_closed\":{},\"pep_completed\":{}}]}}",
        "event_batch.events[0]: two payloads: \"case_closed\" and "
        "\"pep_completed\"");
    EXPECT_MESSAGE_ERROR (&journey__v1__envelope__descriptor, "{\"event_batch\":{},\"alert\":{}}",
                          "two payloads: \"event_batch\" and \"alert\"");
    EXPECT_MESSAGE_ERROR (&journey__v1__envelope__descriptor, "{\"event_batch\":{\"events\":{}}}",
                          "event_batch.events: expected an array, got object");

    //  An Alert with every field: uint64, int32, double, enum.
    json_t *alert = s_sample (&journey__v1__alert__descriptor, 1, 0);
    CHECK_INT (json_object_size (alert), journey__v1__alert__descriptor.n_fields);
    char *alert_text = s_dump (alert);
    json_decref (alert);
    ROUND_TRIP (&journey__v1__alert__descriptor, alert_text, true);
    free (alert_text);
    ROUND_TRIP (&journey__v1__alert__descriptor,
                "{\"alert_id\":17,\"kind\":\"overdue\",\"la_code\":\"872\",\"child_id\":\"C1\","
                "\"clock\":\"icpc\",\"due_on\":\"2024-02-01\",\"value\":87.5}",
                true);
    //  Every Envelope payload type, from its descriptor (a sample of each).
    const ProtobufCMessageDescriptor *envelope = &journey__v1__envelope__descriptor;
    for (unsigned f = 0; f < envelope->n_fields; f++) {
        const ProtobufCFieldDescriptor *field = &envelope->fields[f];
        if (!(field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        json_t *json = json_object ();
        json_object_set_new (json, "message_id", json_string ("M1"));
        json_object_set_new (json, field->name, s_sample (field->descriptor, 0, 0));
        char *text = s_dump (json);
        json_decref (json);
        ROUND_TRIP (envelope, text, true);
        free (text);
    }
}

static void s_test_errors (void)
{
    //  The error classes, with their exact messages.
    EXPECT_ERROR ("{\"event_id\":\"E1\",\"referral_received\":{\"referral_id\":\"R1\","
                  "\"referral_source\":12}}",
                  "referral_received.referral_source: expected a string, got number");
    EXPECT_ERROR ("{\"event_id\":\"E1\",\"referral_received\":{\"refferal_id\":\"R1\"}}",
                  "unknown field \"refferal_id\" in referral_received");
    EXPECT_ERROR ("{\"evnt_id\":\"E1\",\"case_closed\":{}}", "unknown field \"evnt_id\"");
    EXPECT_ERROR ("{\"event_id\":\"E1\",\"contact_received\":{},\"referral_received\":{}}",
                  "two payloads: \"contact_received\" and \"referral_received\"");
    EXPECT_ERROR ("{\"referral_received\":{},\"contact_received\":{}}",
                  "two payloads: \"referral_received\" and \"contact_received\"");
    EXPECT_ERROR ("[{\"event_id\":\"E1\",\"case_closed\":{}}]", "expected an object, got array");
    EXPECT_ERROR ("\"E1\"", "expected an object, got string");
    EXPECT_ERROR ("42", "expected an object, got number");
    EXPECT_ERROR ("null", "expected an object, got null");
    EXPECT_ERROR ("{\"event_id\":\"E1\",\"referral_received\":\"R1\"}",
                  "referral_received: expected an object, got string");
    EXPECT_ERROR ("{\"event_id\":\"E1\",\"referral_received\":[]}",
                  "referral_received: expected an object, got array");
    EXPECT_ERROR ("{\"event_id\":null,\"case_closed\":{}}",
                  "event_id: expected a string, got null");
    EXPECT_ERROR ("{\"event_id\":\"E1\",\"pep_completed\":null}",
                  "pep_completed: expected an object, got null");
    EXPECT_ERROR ("{\"child_registered\":{\"unborn\":null}}",
                  "child_registered.unborn: expected a boolean, got null");
    EXPECT_ERROR ("{\"child_registered\":{\"unborn\":\"true\"}}",
                  "child_registered.unborn: expected a boolean, got string");
    EXPECT_ERROR ("{\"child_registered\":{\"uasc\":1}}",
                  "child_registered.uasc: expected a boolean, got number");
    EXPECT_ERROR ("{\"placement_started\":{\"distance_miles\":\"12\"}}",
                  "placement_started.distance_miles: expected a number, got string");
    EXPECT_ERROR ("{\"event_id\":true,\"case_closed\":{}}",
                  "event_id: expected a string, got boolean");
    EXPECT_ERROR ("{\"event_id\":{},\"case_closed\":{}}",
                  "event_id: expected a string, got object");
    EXPECT_ERROR ("{\"event_id\":\"E1\"}",
                  "no payload: an event needs exactly one, e.g. \"referral_received\"");
    EXPECT_ERROR ("{}", "no payload: an event needs exactly one, e.g. \"referral_received\"");

    //  Syntax errors: jansson's message, with the column.
    EXPECT_ERROR ("{\"event_id\":\"E1\",}",
                  "invalid JSON at column 18: string or '}' expected near '}'");
    EXPECT_ERROR ("{\"event_id\":\"E1\"",
                  "invalid JSON at column 16: '}' expected near end of file");
    EXPECT_ERROR ("{\"event_id\":'E1'}", "invalid JSON at column 13: invalid token near '''");
    EXPECT_ERROR ("{\"case_closed\":{}} x",
                  "invalid JSON at column 20: end of file expected near 'x'");
    EXPECT_ERROR ("{\"case_closed\":{}}{}",
                  "invalid JSON at column 19: end of file expected near '{'");
    EXPECT_ERROR ("{\"event_id\":\"E1\",\"event_id\":\"E2\",\"case_closed\":{}}",
                  "invalid JSON at column 27: duplicate object key near '\"event_id\"'");
    EXPECT_ERROR ("{\"event_id\":\"a\\u0000b\",\"case_closed\":{}}",
                  "invalid JSON at column 22: \\u0000 is not allowed without JSON_ALLOW_NUL near "
                  "'\"a\\u0000b\"'");
    //  Invalid UTF-8 never reaches a message.
    char err[256] = "";
    Journey__V1__Event *event =
        s_parse ("{\"event_id\":\"E\xff\",\"case_closed\":{}}", err, sizeof err);
    CHECK (event == NULL);
    CHECK_STR (err, "invalid JSON at column 14: unable to decode byte 0xff near '\"E'");

    //  Empty and blank lines, and a line of a bare newline.
    EXPECT_ERROR ("", "empty line");
    EXPECT_ERROR ("   \t  ", "empty line");
    EXPECT_ERROR ("\r\n", "empty line");
    event = jy_json_parse_event (NULL, 0, err, sizeof err);
    CHECK (event == NULL);
    CHECK_STR (err, "empty line");

    //  No err buffer, and a short one: never written past, always terminated.
    event = s_parse ("{\"evnt_id\":\"E1\"}", NULL, 0);
    CHECK (event == NULL);
    char small[12];
    memset (small, 'x', sizeof small);
    event = s_parse ("{\"evnt_id\":\"E1\"}", small, sizeof small);
    CHECK (event == NULL);
    CHECK_STR (small, "unknown fie");

    //  A C string has no NUL inside: a caller-built JSON string with one is refused.
    json_t *json = json_pack ("{s:{s:s%}}", "referral_received", "referral_id",
                              "R\0"
                              "1",
                              (size_t) 3);
    assert (json);
    ProtobufCMessage *message =
        jy_json_to_message (&journey__v1__event__descriptor, json, err, sizeof err);
    CHECK (message == NULL);
    CHECK_STR (err, "referral_received.referral_id: string contains a NUL character");
    json_decref (json);
}

//  What JSON cannot carry: jy_json_from_message gives NULL, never bad JSON.
static void s_test_unrepresentable (void)
{
    Journey__V1__Event event = JOURNEY__V1__EVENT__INIT;
    Journey__V1__CaseClosed closed = JOURNEY__V1__CASE_CLOSED__INIT;
    event.payload_case = JOURNEY__V1__EVENT__PAYLOAD_CASE_CLOSED;
    event.case_closed = &closed;
    event.event_id = "E\xff";
    CHECK (jy_json_format_event (&event) == NULL);
    CHECK (jy_json_from_message (&event.base) == NULL);
    event.event_id = "E1";
    char *text = jy_json_format_event (&event);
    CHECK_STR (text, "{\"event_id\":\"E1\",\"case_closed\":{}}");
    free (text);
    //  A oneof case whose pointer is NULL is not written (protobuf-c would not pack it).
    event.case_closed = NULL;
    text = jy_json_format_event (&event);
    CHECK_STR (text, "{\"event_id\":\"E1\"}");
    free (text);

    Journey__V1__Alert alert = JOURNEY__V1__ALERT__INIT;
    alert.has_value = 1;
    alert.value = NAN;
    CHECK (jy_json_format_message (&alert.base) == NULL);
    alert.value = INFINITY;
    CHECK (jy_json_format_message (&alert.base) == NULL);
    alert.value = 1.25;
    alert.has_alert_id = 1;
    alert.alert_id = (uint64_t) INT64_MAX + 1;
    CHECK (jy_json_format_message (&alert.base) == NULL);
    alert.alert_id = (uint64_t) INT64_MAX;
    text = jy_json_format_message (&alert.base);
    CHECK_STR (text, "{\"alert_id\":9223372036854775807,\"value\":1.25}");
    free (text);
}

// --- mutations ---------------------------------------------------------------------------------

static uint64_t s_state = 0x9E3779B97F4A7C15ull;

static uint64_t s_next (void)
{
    s_state ^= s_state << 13;
    s_state ^= s_state >> 7;
    s_state ^= s_state << 17;
    return s_state;
}

//  A value of a random JSON type, to put where another was.
static json_t *s_random_value (void)
{
    switch (s_next () % 9) {
    case 0:
        return json_null ();
    case 1:
        return json_true ();
    case 2:
        return json_integer ((json_int_t) (s_next () % 5000000000ull) - 2500000000ll);
    case 3:
        return json_real (1.5);
    case 4:
        return json_string ("icpc");
    case 5:
        return json_array ();
    case 6:
        return json_pack ("[s,i]", "x", 1);
    case 7:
        return json_object ();
    default:
        return json_pack ("{s:s}", "referral_id", "R9");
    }
}

//  Replace a random value (top level or one level down) with one of a random type, or add a
//  random key, or drop one.
static char *s_swap_types (const char *line)
{
    json_t *json = json_loads (line, 0, NULL);
    assert (json);
    json_t *target = json;
    const char *key;
    json_t *value;
    //  Half the time go into the payload (the last key).
    if (s_next () % 2) {
        json_object_foreach (json, key, value) target = json_is_object (value) ? value : target;
    }
    size_t size = json_object_size (target);
    size_t pick = size ? (size_t) (s_next () % size) : 0;
    size_t i = 0;
    const char *chosen = NULL;
    json_object_foreach (target, key, value)
    {
        if (i++ == pick)
            chosen = key;
    }
    uint64_t what = s_next () % 4;
    if (chosen && what < 2)
        json_object_set_new (target, chosen, s_random_value ());
    else if (chosen && what == 2)
        json_object_del (target, chosen);
    else
        json_object_set_new (target, s_next () % 2 ? "kind" : "retraction", s_random_value ());
    char *text = json_dumps (json, JSON_COMPACT);
    json_decref (json);
    return text;
}

static void s_test_mutations (void)
{
    //  Valid lines to start from: a sample of every payload, both variants.
    char *lines[256];
    size_t n_lines = 0;
    const ProtobufCMessageDescriptor *event_descriptor = &journey__v1__event__descriptor;
    for (unsigned f = 0; f < event_descriptor->n_fields && n_lines + 2 <= 256; f++) {
        const ProtobufCFieldDescriptor *field = &event_descriptor->fields[f];
        if (!(field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        for (int variant = 0; variant < 2; variant++) {
            json_t *json = s_event (field->name, s_sample (field->descriptor, variant, 0));
            lines[n_lines++] = s_dump (json);
            json_decref (json);
        }
    }
    int parsed = 0, rejected = 0, wrong = 0;
    for (int round = 0; round < 20000; round++) {
        const char *base = lines[s_next () % n_lines];
        size_t length = strlen (base);
        char *mutated;
        size_t mutated_length;
        switch (s_next () % 4) {
        case 0: //  truncate
            mutated_length = (size_t) (s_next () % (length + 1));
            mutated = strndup (base, mutated_length);
            break;
        case 1: //  flip bytes (a NUL among them: the length is passed, not found)
            mutated = strdup (base);
            mutated_length = length;
            for (uint64_t n = 1 + s_next () % 3; n > 0; n--)
                mutated[s_next () % length] ^= (char) (1 + s_next () % 255);
            break;
        case 2: //  swap types
            mutated = s_swap_types (base);
            mutated_length = strlen (mutated);
            break;
        default: //  both: a changed structure, then a flipped byte
            mutated = s_swap_types (base);
            mutated_length = strlen (mutated);
            if (mutated_length > 0)
                mutated[s_next () % mutated_length] ^= (char) (1 + s_next () % 255);
            break;
        }
        assert (mutated);
        //  In a buffer of exactly its length, so ASan sees any read past the end.
        char *exact = malloc (mutated_length ? mutated_length : 1);
        assert (exact);
        memcpy (exact, mutated, mutated_length);
        char err[256];
        memset (err, 0, sizeof err);
        Journey__V1__Event *event = jy_json_parse_event (exact, mutated_length, err, sizeof err);
        if (event) {
            parsed++;
            //  Whatever parses formats, and reads back to the same message.
            char *text = jy_json_format_event (event);
            Journey__V1__Event *again = text ? s_parse (text, err, sizeof err) : NULL;
            if (!again || !s_same_bytes (&event->base, &again->base)) {
                wrong++;
                fprintf (stderr, "mutation %d parsed but did not round trip: %.*s\n", round,
                         (int) mutated_length, mutated);
            }
            s_free_event (again);
            free (text);
            s_free_event (event);
        } else if (err[0] == '\0') {
            wrong++;
            fprintf (stderr, "mutation %d rejected without a message: %.*s\n", round,
                     (int) mutated_length, mutated);
        } else
            rejected++;
        free (exact);
        free (mutated);
    }
    printf ("mutations: %d parsed, %d rejected\n", parsed, rejected);
    CHECK_INT (wrong, 0);
    CHECK_INT (parsed + rejected, 20000);
    //  Both outcomes happen, or the mutations test nothing.
    CHECK (parsed > 1000);
    CHECK (rejected > 10000);
    for (size_t i = 0; i < n_lines; i++)
        free (lines[i]);
}

//  docs/events.md: every example line parses and is written back as it stands, and every
//  payload has a heading and an example (so the catalogue cannot fall behind events.proto).
static void s_test_catalogue (void)
{
    const char *source = getenv ("JOURNEY_SOURCE_DIR");
    if (!source || !*source) {
        printf ("JOURNEY_SOURCE_DIR not set: docs/events.md not checked\n");
        return;
    }
    char path[1024];
    snprintf (path, sizeof path, "%s/docs/events.md", source);
    FILE *file = fopen (path, "r");
    CHECK (file != NULL);
    if (!file)
        return;
    const ProtobufCMessageDescriptor *event_descriptor = &journey__v1__event__descriptor;
    bool example[256] = {false}, heading[256] = {false};
    int examples = 0;
    bool in_payloads = false;
    char line[4096];
    while (fgets (line, sizeof line, file)) {
        line[strcspn (line, "\n")] = '\0';
        const char *text = line + strspn (line, " ");
        if (strncmp (text, "## ", 3) == 0)
            in_payloads = strcmp (text, "## Payloads") == 0;
        if (in_payloads && strncmp (text, "### ", 4) == 0) {
            char name[128];
            if (sscanf (text + 4, "%127s", name) == 1) {
                const ProtobufCFieldDescriptor *field =
                    protobuf_c_message_descriptor_get_field_by_name (event_descriptor, name);
                CHECK (field && (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF));
                if (field && field->id < 256)
                    heading[field->id] = true;
            }
            continue;
        }
        if (strncmp (text, "{\"event_id\"", 11) != 0)
            continue;
        examples++;
        char err[256] = "";
        Journey__V1__Event *event = s_parse (text, err, sizeof err);
        if (!event) {
            fprintf (stderr, "docs/events.md: %s\n  %s\n", text, err);
            CHECK (event != NULL);
            continue;
        }
        char *formatted = jy_json_format_event (event);
        CHECK_STR (formatted, text);
        free (formatted);
        if (event->payload_case < 256)
            example[event->payload_case] = true;
        s_free_event (event);
    }
    fclose (file);
    for (unsigned f = 0; f < event_descriptor->n_fields; f++) {
        const ProtobufCFieldDescriptor *field = &event_descriptor->fields[f];
        if (!(field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        if (!heading[field->id] || !example[field->id])
            fprintf (stderr, "docs/events.md: %s has no %s\n", field->name,
                     heading[field->id] ? "example" : "heading");
        CHECK (heading[field->id]);
        CHECK (example[field->id]);
    }
    CHECK (examples >= 42);
}

int main (void)
{
    s_test_every_payload ();
    s_test_common_fields ();
    s_test_scalars ();
    s_test_enums ();
    s_test_repeated_and_nested ();
    s_test_errors ();
    s_test_unrepresentable ();
    s_test_mutations ();
    s_test_catalogue ();
    return jy_test_summary ("test_json");
}
