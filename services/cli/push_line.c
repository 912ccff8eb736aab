/*  push_line: journey push's fast path from a JSON line to an Event (push_line.h).

    The rules are jy_json.c's (s_to_message and what it calls), applied while reading: a known
    field name, once per object (jansson's JSON_REJECT_DUPLICATES), at most one member of a
    oneof, a string for a string or an enum (its value name in any case), true or false for a
    bool, an integer in range for an integer type, a number for a double or float; presence
    marked as s_mark_present does. Messages, strings and submessages are allocated as there, so
    protobuf_c_message_free_unpacked (message, NULL) frees them. Every departure from the plain
    case returns NULL, freeing what was built, and jy_json_parse_event reads the line instead.
*/
#include <assert.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "push_line.h"

#define S_MAX_DEPTH  8   //  objects within objects read here
#define S_MAX_NAME   64  //  the longest field or enum value name read here
#define S_MAX_FIELDS 256 //  fields of a message read here
#define S_MAX_NUMBER 40  //  characters of a number read here

typedef struct {
    const char *at, *end;
} s_reader_t;

#define S_MEMBER(message, offset) ((void *) ((char *) (message) + (offset)))

static void s_space (s_reader_t *r)
{
    while (r->at < r->end && (*r->at == ' ' || *r->at == '\t' || *r->at == '\n' || *r->at == '\r'))
        r->at++;
}

//  The next character past white space, taken when it is c.
static bool s_take (s_reader_t *r, char c)
{
    s_space (r);
    if (r->at < r->end && *r->at == c) {
        r->at++;
        return true;
    }
    return false;
}

//  Printable ASCII, or an escape this path reads: control characters are JSON errors, and
//  jansson checks the UTF-8 of anything else.
static bool s_plain (unsigned char c)
{
    return c >= 0x20 && c < 0x80;
}

//  The rest of a string whose opening quote was taken, unescaped into a new buffer; NULL (with
//  nothing allocated) for a string this path does not read.
static char *s_string (s_reader_t *r)
{
    //  Measure first: escapes only shorten.
    size_t length = 0;
    const char *p = r->at;
    for (; p < r->end && *p != '"'; p++, length++) {
        if (!s_plain ((unsigned char) *p))
            return NULL;
        if (*p == '\\') {
            if (++p == r->end || !*p || !strchr ("\"\\/bfnrt", *p))
                return NULL; //  \u (and what jansson refuses) the slow way
        }
    }
    if (p == r->end)
        return NULL;
    char *text = malloc (length + 1);
    assert (text);
    char *out = text;
    for (p = r->at; *p != '"'; p++) {
        if (*p != '\\') {
            *out++ = *p;
            continue;
        }
        p++;
        *out++ = *p == 'b'   ? '\b'
                 : *p == 'f' ? '\f'
                 : *p == 'n' ? '\n'
                 : *p == 'r' ? '\r'
                 : *p == 't' ? '\t'
                             : *p;
    }
    *out = '\0';
    r->at = p + 1;
    return text;
}

//  The rest of a short string without escapes (a field or enum name) into name.
static bool s_name (s_reader_t *r, char *name, size_t size)
{
    size_t length = 0;
    for (; r->at < r->end && *r->at != '"'; r->at++) {
        if (!s_plain ((unsigned char) *r->at) || *r->at == '\\' || length + 1 == size)
            return false;
        name[length++] = *r->at;
    }
    if (r->at == r->end)
        return false;
    r->at++;
    name[length] = '\0';
    return true;
}

//  A JSON number as jansson reads it: a real when it has a fraction or an exponent.
static bool s_number (s_reader_t *r, bool *is_real, int64_t *integer, double *real)
{
    const char *p = r->at, *end = r->end;
    if (p < end && *p == '-')
        p++;
    const char *digits = p;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    size_t count = (size_t) (p - digits);
    if (count == 0 || (count > 1 && *digits == '0'))
        return false; //  not JSON
    *is_real = false;
    if (p < end && *p == '.') {
        *is_real = true;
        const char *fraction = ++p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p == fraction)
            return false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        *is_real = true;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        const char *exponent = p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p == exponent)
            return false;
    }
    size_t length = (size_t) (p - r->at);
    if (length >= S_MAX_NUMBER || (!*is_real && count > 18))
        return false; //  jansson's range checks, the slow way
    char text[S_MAX_NUMBER];
    memcpy (text, r->at, length);
    text[length] = '\0';
    errno = 0;
    if (*is_real)
        *real = strtod (text, NULL);
    else
        *integer = strtoll (text, NULL, 10);
    if (errno)
        return false;
    r->at = p;
    return true;
}

//  jy_json.c's s_equal_nocase: ASCII only, whatever the locale.
static bool s_equal_nocase (const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = *a >= 'A' && *a <= 'Z' ? (char) (*a - 'A' + 'a') : *a;
        char cb = *b >= 'A' && *b <= 'Z' ? (char) (*b - 'A' + 'a') : *b;
        if (ca != cb)
            return false;
    }
    return *a == *b;
}

static int s_number_value (s_reader_t *r, const ProtobufCFieldDescriptor *field, void *member)
{
    bool is_real;
    int64_t v = 0;
    double real = 0;
    if (!s_number (r, &is_real, &v, &real))
        return -1;
    switch (field->type) {
    case PROTOBUF_C_TYPE_DOUBLE:
        *(double *) member = is_real ? real : (double) v;
        return 0;
    case PROTOBUF_C_TYPE_FLOAT: {
        double value = is_real ? real : (double) v;
        if (fabs (value) > FLT_MAX)
            return -1;
        *(float *) member = (float) value;
        return 0;
    }
    default:
        break;
    }
    if (is_real)
        return -1;
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if (v < INT32_MIN || v > INT32_MAX)
            return -1;
        *(int32_t *) member = (int32_t) v;
        return 0;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        if (v < 0 || v > UINT32_MAX)
            return -1;
        *(uint32_t *) member = (uint32_t) v;
        return 0;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        *(int64_t *) member = v;
        return 0;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        if (v < 0)
            return -1;
        *(uint64_t *) member = (uint64_t) v;
        return 0;
    default:
        return -1; //  a number for a bool, an enum, a string or a message
    }
}

static ProtobufCMessage *s_message (s_reader_t *r, const ProtobufCMessageDescriptor *descriptor,
                                    int depth);

//  One value into the field's member. 0, or -1 for the slow way.
static int s_value (s_reader_t *r, const ProtobufCFieldDescriptor *field, ProtobufCMessage *message,
                    int depth)
{
    void *member = S_MEMBER (message, field->offset);
    s_space (r);
    if (r->at == r->end)
        return -1;
    char first = *r->at;
    switch (field->type) {
    case PROTOBUF_C_TYPE_MESSAGE: {
        if (first != '{')
            return -1;
        r->at++;
        ProtobufCMessage *sub = s_message (r, field->descriptor, depth + 1);
        if (!sub)
            return -1;
        *(ProtobufCMessage **) member = sub;
        return 0;
    }
    case PROTOBUF_C_TYPE_STRING: {
        if (first != '"')
            return -1;
        r->at++;
        char *text = s_string (r);
        if (!text)
            return -1;
        *(char **) member = text;
        return 0;
    }
    case PROTOBUF_C_TYPE_BOOL: {
        bool yes = (size_t) (r->end - r->at) >= 4 && memcmp (r->at, "true", 4) == 0;
        bool no = (size_t) (r->end - r->at) >= 5 && memcmp (r->at, "false", 5) == 0;
        if (!yes && !no)
            return -1;
        r->at += yes ? 4 : 5;
        *(protobuf_c_boolean *) member = yes;
        return 0;
    }
    case PROTOBUF_C_TYPE_ENUM: {
        char name[S_MAX_NAME + 1];
        if (first != '"')
            return -1;
        r->at++;
        if (!s_name (r, name, sizeof name))
            return -1;
        const ProtobufCEnumDescriptor *values = field->descriptor;
        for (unsigned i = 0; i < values->n_values; i++)
            if (s_equal_nocase (name, values->values[i].name)) {
                *(int *) member = values->values[i].value;
                return 0;
            }
        return -1;
    }
    case PROTOBUF_C_TYPE_BYTES:
        return -1;
    default:
        return s_number_value (r, field, member);
    }
}

//  jy_json.c's s_mark_present.
static void s_mark_present (const ProtobufCFieldDescriptor *field, ProtobufCMessage *message)
{
    if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        *(uint32_t *) S_MEMBER (message, field->quantifier_offset) = field->id;
    else if (field->label == PROTOBUF_C_LABEL_OPTIONAL && field->type != PROTOBUF_C_TYPE_STRING &&
             field->type != PROTOBUF_C_TYPE_MESSAGE)
        *(protobuf_c_boolean *) S_MEMBER (message, field->quantifier_offset) = 1;
}

//  An object whose opening brace was taken.
static ProtobufCMessage *s_message (s_reader_t *r, const ProtobufCMessageDescriptor *descriptor,
                                    int depth)
{
    if (depth > S_MAX_DEPTH || descriptor->n_fields > S_MAX_FIELDS)
        return NULL;
    ProtobufCMessage *message = calloc (1, descriptor->sizeof_message);
    assert (message);
    protobuf_c_message_init (descriptor, message);
    if (s_take (r, '}'))
        return message;
    bool seen[S_MAX_FIELDS] = {false};
    do {
        char name[S_MAX_NAME + 1];
        if (!s_take (r, '"') || !s_name (r, name, sizeof name) || !s_take (r, ':'))
            goto slow;
        const ProtobufCFieldDescriptor *field =
            protobuf_c_message_descriptor_get_field_by_name (descriptor, name);
        if (!field || field->label == PROTOBUF_C_LABEL_REPEATED)
            goto slow;
        size_t index = (size_t) (field - descriptor->fields);
        if (seen[index])
            goto slow; //  a key twice
        seen[index] = true;
        if ((field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(uint32_t *) S_MEMBER (message, field->quantifier_offset) != 0)
            goto slow; //  two payloads
        if (s_value (r, field, message, depth) != 0)
            goto slow;
        s_mark_present (field, message);
    } while (s_take (r, ','));
    if (s_take (r, '}'))
        return message;
slow:
    protobuf_c_message_free_unpacked (message, NULL);
    return NULL;
}

Journey__V1__Event *push_line_parse (const char *line, size_t length)
{
    assert (line || length == 0);
    s_reader_t reader = {line, line + length};
    if (!s_take (&reader, '{'))
        return NULL;
    ProtobufCMessage *message = s_message (&reader, &journey__v1__event__descriptor, 1);
    if (!message)
        return NULL;
    Journey__V1__Event *event = (Journey__V1__Event *) message;
    s_space (&reader);
    if (reader.at != reader.end || event->payload_case == JOURNEY__V1__EVENT__PAYLOAD__NOT_SET) {
        protobuf_c_message_free_unpacked (message, NULL);
        return NULL;
    }
    return event;
}
