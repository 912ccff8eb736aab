/*  jy_json: the JSON form of every Journey message (docs/events.md).

    Walks protobuf-c descriptors rather than per-message code, so every payload added to a
    .proto gets its JSON form for free. Messages are built with calloc/malloc and the
    descriptor's init so that protobuf_c_message_free_unpacked (message, NULL) frees them,
    including a half-built one on an error: every pointer is stored as soon as it is allocated
    and every repeated count as soon as its array is.
*/
#include "jy_json.h"

#include <assert.h>
#include <math.h>
#include <float.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Conversion state: the path of the value being read, for error messages.
typedef struct {
    char path[256];
    size_t path_len;
    char *err;
    size_t err_size;
} s_ctx_t;

#define S_MEMBER(message, offset)       ((void *) ((char *) (message) + (offset)))
#define S_CONST_MEMBER(message, offset) ((const void *) ((const char *) (message) + (offset)))

static void s_set_err (char *err, size_t err_size, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

static void s_set_err (char *err, size_t err_size, const char *format, ...)
{
    if (!err || err_size == 0)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (err, err_size, format, args);
    va_end (args);
}

static void s_fail (s_ctx_t *ctx, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

//  "path: message", or just "message" at the top level.
static void s_fail (s_ctx_t *ctx, const char *format, ...)
{
    if (!ctx->err || ctx->err_size == 0)
        return;
    char text[256];
    va_list args;
    va_start (args, format);
    vsnprintf (text, sizeof text, format, args);
    va_end (args);
    if (ctx->path_len > 0)
        snprintf (ctx->err, ctx->err_size, "%s: %s", ctx->path, text);
    else
        snprintf (ctx->err, ctx->err_size, "%s", text);
}

static size_t s_path_append (s_ctx_t *ctx, const char *text)
{
    size_t old = ctx->path_len;
    int n = snprintf (ctx->path + old, sizeof ctx->path - old, "%s", text);
    if (n > 0)
        ctx->path_len =
            old + (size_t) n < sizeof ctx->path ? old + (size_t) n : sizeof ctx->path - 1;
    return old;
}

static size_t s_path_push_name (s_ctx_t *ctx, const char *name)
{
    size_t old = ctx->path_len;
    if (old > 0)
        s_path_append (ctx, ".");
    s_path_append (ctx, name);
    return old;
}

static size_t s_path_push_index (s_ctx_t *ctx, size_t index)
{
    char text[32];
    snprintf (text, sizeof text, "[%zu]", index);
    return s_path_append (ctx, text);
}

static void s_path_pop (s_ctx_t *ctx, size_t old)
{
    ctx->path_len = old;
    ctx->path[old] = '\0';
}

static const char *s_json_type_name (const json_t *value)
{
    switch (json_typeof (value)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "unknown";
}

static const char *s_type_name (ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT32:
        return "int32";
    case PROTOBUF_C_TYPE_SINT32:
        return "sint32";
    case PROTOBUF_C_TYPE_SFIXED32:
        return "sfixed32";
    case PROTOBUF_C_TYPE_INT64:
        return "int64";
    case PROTOBUF_C_TYPE_SINT64:
        return "sint64";
    case PROTOBUF_C_TYPE_SFIXED64:
        return "sfixed64";
    case PROTOBUF_C_TYPE_UINT32:
        return "uint32";
    case PROTOBUF_C_TYPE_FIXED32:
        return "fixed32";
    case PROTOBUF_C_TYPE_UINT64:
        return "uint64";
    case PROTOBUF_C_TYPE_FIXED64:
        return "fixed64";
    case PROTOBUF_C_TYPE_FLOAT:
        return "float";
    case PROTOBUF_C_TYPE_DOUBLE:
        return "double";
    case PROTOBUF_C_TYPE_BOOL:
        return "bool";
    case PROTOBUF_C_TYPE_ENUM:
        return "enum";
    case PROTOBUF_C_TYPE_STRING:
        return "string";
    case PROTOBUF_C_TYPE_BYTES:
        return "bytes";
    case PROTOBUF_C_TYPE_MESSAGE:
        return "message";
    }
    return "unknown";
}

//  Size of one element of a repeated field's array.
static size_t s_element_size (ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_ENUM:
        return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return 8;
    case PROTOBUF_C_TYPE_FLOAT:
        return sizeof (float);
    case PROTOBUF_C_TYPE_DOUBLE:
        return sizeof (double);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof (protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof (char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof (ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof (ProtobufCMessage *);
    }
    return 0;
}

//  ASCII only: enum names are ASCII and a locale must not change what matches.
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

//  Lower-case copy of an enum value name into buffer (truncated to fit).
static const char *s_lower (const char *name, char *buffer, size_t size)
{
    size_t i;
    for (i = 0; name[i] && i + 1 < size; i++)
        buffer[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char) (name[i] - 'A' + 'a') : name[i];
    buffer[i] = '\0';
    return buffer;
}

// --- JSON -> message ---------------------------------------------------------------------------

static ProtobufCMessage *s_to_message (s_ctx_t *ctx, const ProtobufCMessageDescriptor *descriptor,
                                       json_t *object);

static int s_read_string (s_ctx_t *ctx, json_t *value, char **out)
{
    if (!json_is_string (value)) {
        s_fail (ctx, "expected a string, got %s", s_json_type_name (value));
        return -1;
    }
    size_t length = json_string_length (value);
    const char *text = json_string_value (value);
    //  A C string cannot carry a NUL; jansson only admits one under JSON_ALLOW_NUL.
    if (memchr (text, '\0', length)) {
        s_fail (ctx, "string contains a NUL character");
        return -1;
    }
    char *copy = malloc (length + 1);
    assert (copy);
    memcpy (copy, text, length + 1);
    *out = copy;
    return 0;
}

static int s_read_enum (s_ctx_t *ctx, const ProtobufCEnumDescriptor *descriptor, json_t *value,
                        int *out)
{
    if (!json_is_string (value)) {
        s_fail (ctx, "expected a string, got %s", s_json_type_name (value));
        return -1;
    }
    const char *text = json_string_value (value);
    for (unsigned i = 0; i < descriptor->n_values; i++)
        if (s_equal_nocase (text, descriptor->values[i].name)) {
            *out = descriptor->values[i].value;
            return 0;
        }
    //  Name the choices: the sender has the list at hand when the error is read.
    char choices[200] = "";
    size_t used = 0;
    for (unsigned i = 0; i < descriptor->n_values && used < sizeof choices; i++) {
        char lower[64];
        int n = snprintf (choices + used, sizeof choices - used, "%s%s", i ? ", " : "",
                          s_lower (descriptor->values[i].name, lower, sizeof lower));
        if (n > 0)
            used += (size_t) n;
    }
    s_fail (ctx, "unknown value \"%.40s\" (one of %s)", text, choices);
    return -1;
}

static int s_read_integer (s_ctx_t *ctx, ProtobufCType type, json_t *value, void *out)
{
    if (json_is_real (value)) {
        //  "%.17g" of an integral real has no point: add one, so the message shows a fraction.
        char text[40];
        snprintf (text, sizeof text, "%.17g", json_real_value (value));
        if (!strpbrk (text, ".eEni"))
            strcat (text, ".0");
        s_fail (ctx, "expected an integer, got %s", text);
        return -1;
    }
    if (!json_is_integer (value)) {
        s_fail (ctx, "expected an integer, got %s", s_json_type_name (value));
        return -1;
    }
    json_int_t v = json_integer_value (value);
    bool in_range;
    switch (type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        in_range = v >= INT32_MIN && v <= INT32_MAX;
        if (in_range)
            *(int32_t *) out = (int32_t) v;
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        in_range = v >= 0 && v <= UINT32_MAX;
        if (in_range)
            *(uint32_t *) out = (uint32_t) v;
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        in_range = true;
        *(int64_t *) out = (int64_t) v;
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        //  jansson itself refuses integers above 2^63-1 as "too big integer".
        in_range = v >= 0;
        if (in_range)
            *(uint64_t *) out = (uint64_t) v;
        break;
    default:
        assert (!"not an integer type");
        return -1;
    }
    if (!in_range) {
        s_fail (ctx, "%" JSON_INTEGER_FORMAT " is out of range for %s", v, s_type_name (type));
        return -1;
    }
    return 0;
}

//  One scalar (not a string or message) into out: a single member or an array slot.
static int s_read_scalar (s_ctx_t *ctx, const ProtobufCFieldDescriptor *field, json_t *value,
                          void *out)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_BOOL:
        if (!json_is_boolean (value)) {
            s_fail (ctx, "expected a boolean, got %s", s_json_type_name (value));
            return -1;
        }
        *(protobuf_c_boolean *) out = json_is_true (value);
        return 0;
    case PROTOBUF_C_TYPE_DOUBLE:
        if (!json_is_number (value)) {
            s_fail (ctx, "expected a number, got %s", s_json_type_name (value));
            return -1;
        }
        *(double *) out = json_number_value (value);
        return 0;
    case PROTOBUF_C_TYPE_FLOAT: {
        if (!json_is_number (value)) {
            s_fail (ctx, "expected a number, got %s", s_json_type_name (value));
            return -1;
        }
        double v = json_number_value (value);
        //  Converting an out-of-range double to float is undefined behaviour.
        if (fabs (v) > FLT_MAX) {
            s_fail (ctx, "%g is out of range for float", v);
            return -1;
        }
        *(float *) out = (float) v;
        return 0;
    }
    case PROTOBUF_C_TYPE_ENUM:
        return s_read_enum (ctx, field->descriptor, value, (int *) out);
    case PROTOBUF_C_TYPE_BYTES:
        s_fail (ctx, "bytes fields have no JSON form");
        return -1;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        assert (!"strings and messages are not scalars");
        return -1;
    default:
        return s_read_integer (ctx, field->type, value, out);
    }
}

//  One value of any type into slot (a member or an array element).
static int s_read_value (s_ctx_t *ctx, const ProtobufCFieldDescriptor *field, json_t *value,
                         void *slot)
{
    if (field->type == PROTOBUF_C_TYPE_MESSAGE) {
        ProtobufCMessage *sub = s_to_message (ctx, field->descriptor, value);
        if (!sub)
            return -1;
        *(ProtobufCMessage **) slot = sub;
        return 0;
    }
    if (field->type == PROTOBUF_C_TYPE_STRING)
        return s_read_string (ctx, value, (char **) slot);
    return s_read_scalar (ctx, field, value, slot);
}

static int s_read_repeated (s_ctx_t *ctx, const ProtobufCFieldDescriptor *field, json_t *value,
                            ProtobufCMessage *message)
{
    if (!json_is_array (value)) {
        s_fail (ctx, "expected an array, got %s", s_json_type_name (value));
        return -1;
    }
    size_t count = json_array_size (value);
    if (count == 0)
        return 0;
    size_t size = s_element_size (field->type);
    char *array = calloc (count, size);
    assert (array);
    //  Stored before filling, so a failure half-way frees what was read (NULL slots are skipped).
    *(void **) S_MEMBER (message, field->offset) = array;
    *(size_t *) S_MEMBER (message, field->quantifier_offset) = count;
    for (size_t i = 0; i < count; i++) {
        size_t old = s_path_push_index (ctx, i);
        int rc = s_read_value (ctx, field, json_array_get (value, i), array + i * size);
        s_path_pop (ctx, old);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static void s_mark_present (const ProtobufCFieldDescriptor *field, ProtobufCMessage *message)
{
    if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        *(uint32_t *) S_MEMBER (message, field->quantifier_offset) = field->id;
    else if (field->label == PROTOBUF_C_LABEL_OPTIONAL && field->type != PROTOBUF_C_TYPE_STRING &&
             field->type != PROTOBUF_C_TYPE_MESSAGE)
        *(protobuf_c_boolean *) S_MEMBER (message, field->quantifier_offset) = 1;
}

static ProtobufCMessage *s_to_message (s_ctx_t *ctx, const ProtobufCMessageDescriptor *descriptor,
                                       json_t *object)
{
    if (!json_is_object (object)) {
        s_fail (ctx, "expected an object, got %s", s_json_type_name (object));
        return NULL;
    }
    ProtobufCMessage *message = calloc (1, descriptor->sizeof_message);
    assert (message);
    protobuf_c_message_init (descriptor, message);

    const char *key;
    json_t *value;
    json_object_foreach (object, key, value)
    {
        const ProtobufCFieldDescriptor *field =
            protobuf_c_message_descriptor_get_field_by_name (descriptor, key);
        if (!field) {
            if (ctx->path_len > 0)
                s_set_err (ctx->err, ctx->err_size, "unknown field \"%.64s\" in %s", key,
                           ctx->path);
            else
                s_set_err (ctx->err, ctx->err_size, "unknown field \"%.64s\"", key);
            goto failed;
        }
        if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t chosen = *(uint32_t *) S_MEMBER (message, field->quantifier_offset);
            if (chosen != 0) {
                const ProtobufCFieldDescriptor *first =
                    protobuf_c_message_descriptor_get_field (descriptor, chosen);
                s_fail (ctx, "two payloads: \"%s\" and \"%s\"", first ? first->name : "?",
                        field->name);
                goto failed;
            }
        }
        size_t old = s_path_push_name (ctx, field->name);
        int rc;
        if (field->label == PROTOBUF_C_LABEL_REPEATED)
            rc = s_read_repeated (ctx, field, value, message);
        else {
            rc = s_read_value (ctx, field, value, S_MEMBER (message, field->offset));
            if (rc == 0)
                s_mark_present (field, message);
        }
        s_path_pop (ctx, old);
        if (rc != 0)
            goto failed;
    }
    return message;

failed:
    protobuf_c_message_free_unpacked (message, NULL);
    return NULL;
}

ProtobufCMessage *jy_json_to_message (const ProtobufCMessageDescriptor *descriptor, json_t *object,
                                      char *err, size_t err_size)
{
    assert (descriptor);
    assert (descriptor->magic == PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC);
    assert (object);
    if (err && err_size > 0)
        err[0] = '\0';
    s_ctx_t ctx = {.path = "", .path_len = 0, .err = err, .err_size = err_size};
    return s_to_message (&ctx, descriptor, object);
}

// --- message -> JSON ---------------------------------------------------------------------------

static json_t *s_from_message (const ProtobufCMessage *message, int *precision);

//  Whether a non-repeated field is set, as protobuf-c's packer decides it.
static bool s_is_present (const ProtobufCFieldDescriptor *field, const ProtobufCMessage *message)
{
    const void *member = S_CONST_MEMBER (message, field->offset);
    bool pointer = field->type == PROTOBUF_C_TYPE_STRING || field->type == PROTOBUF_C_TYPE_MESSAGE;
    if (pointer) {
        const void *p = *(const void *const *) member;
        if (!p || p == field->default_value)
            return false;
    }
    if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *) S_CONST_MEMBER (message, field->quantifier_offset) == field->id;
    if (field->label == PROTOBUF_C_LABEL_OPTIONAL)
        return pointer ||
               *(const protobuf_c_boolean *) S_CONST_MEMBER (message, field->quantifier_offset);
    if (field->label == PROTOBUF_C_LABEL_NONE) {
        //  proto3 without presence: written when not zero, as the packer does.
        if (field->type == PROTOBUF_C_TYPE_STRING)
            return **(const char *const *) member != '\0';
        if (pointer)
            return true;
        size_t size = s_element_size (field->type);
        for (size_t i = 0; i < size; i++)
            if (((const unsigned char *) member)[i] != 0)
                return true;
        return false;
    }
    return true; //  required
}

static json_t *s_enum_value (const ProtobufCEnumDescriptor *descriptor, int value)
{
    const ProtobufCEnumValue *known = protobuf_c_enum_descriptor_get_value (descriptor, value);
    if (!known)
        return json_integer (value); //  a value from a newer sender: keep the number
    size_t length = strlen (known->name);
    char *lower = malloc (length + 1);
    assert (lower);
    s_lower (known->name, lower, length + 1);
    json_t *result = json_string (lower);
    free (lower);
    return result;
}

//  Whether "%.15g" reads back as the same value; if not, the text needs 17 digits.
static void s_check_precision (double value, int *precision)
{
    char text[40];
    snprintf (text, sizeof text, "%.15g", value);
    if (strtod (text, NULL) != value)
        *precision = 17;
}

//  One value from slot (a member or an array element); NULL if JSON cannot carry it.
static json_t *s_write_value (const ProtobufCFieldDescriptor *field, const void *slot,
                              int *precision)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *text = *(const char *const *) slot;
        return text ? json_string (text) : NULL; //  json_string refuses invalid UTF-8
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(const ProtobufCMessage *const *) slot;
        return sub ? s_from_message (sub, precision) : NULL;
    }
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean (*(const protobuf_c_boolean *) slot);
    case PROTOBUF_C_TYPE_ENUM:
        return s_enum_value (field->descriptor, *(const int *) slot);
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer (*(const int32_t *) slot);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_integer (*(const uint32_t *) slot);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return json_integer (*(const int64_t *) slot);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
        uint64_t v = *(const uint64_t *) slot;
        return v <= INT64_MAX ? json_integer ((json_int_t) v) : NULL;
    }
    case PROTOBUF_C_TYPE_DOUBLE: {
        double v = *(const double *) slot;
        if (!isfinite (v))
            return NULL;
        s_check_precision (v, precision);
        return json_real (v);
    }
    case PROTOBUF_C_TYPE_FLOAT: {
        float v = *(const float *) slot;
        if (!isfinite (v))
            return NULL;
        char text[40];
        snprintf (text, sizeof text, "%.15g", (double) v);
        if (strtof (text, NULL) != v)
            *precision = 17;
        return json_real (v);
    }
    case PROTOBUF_C_TYPE_BYTES:
        return NULL;
    }
    return NULL;
}

static json_t *s_from_message (const ProtobufCMessage *message, int *precision)
{
    const ProtobufCMessageDescriptor *descriptor = message->descriptor;
    assert (descriptor && descriptor->magic == PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC);
    json_t *object = json_object ();
    assert (object);
    for (unsigned f = 0; f < descriptor->n_fields; f++) {
        const ProtobufCFieldDescriptor *field = &descriptor->fields[f];
        json_t *value;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *) S_CONST_MEMBER (message, field->quantifier_offset);
            if (count == 0)
                continue;
            const char *array = *(const char *const *) S_CONST_MEMBER (message, field->offset);
            if (!array)
                goto failed;
            value = json_array ();
            assert (value);
            size_t size = s_element_size (field->type);
            for (size_t i = 0; i < count; i++) {
                json_t *element = s_write_value (field, array + i * size, precision);
                if (!element || json_array_append_new (value, element) != 0) {
                    json_decref (value);
                    goto failed;
                }
            }
        } else {
            if (!s_is_present (field, message))
                continue;
            value = s_write_value (field, S_CONST_MEMBER (message, field->offset), precision);
            if (!value)
                goto failed;
        }
        if (json_object_set_new (object, field->name, value) != 0)
            goto failed;
    }
    return object;

failed:
    json_decref (object);
    return NULL;
}

json_t *jy_json_from_message (const ProtobufCMessage *message)
{
    assert (message);
    int precision = 15;
    return s_from_message (message, &precision);
}

char *jy_json_format_message (const ProtobufCMessage *message)
{
    assert (message);
    int precision = 15;
    json_t *object = s_from_message (message, &precision);
    if (!object)
        return NULL;
    char *text = json_dumps (object, JSON_COMPACT | JSON_REAL_PRECISION (precision));
    json_decref (object);
    return text;
}

// --- events as JSON lines ----------------------------------------------------------------------

Journey__V1__Event *jy_json_parse_event (const char *line, size_t length, char *err,
                                         size_t err_size)
{
    assert (line || length == 0);
    if (err && err_size > 0)
        err[0] = '\0';
    size_t i = 0;
    while (i < length && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'))
        i++;
    if (i == length) {
        s_set_err (err, err_size, "empty line");
        return NULL;
    }
    //  DECODE_ANY so that a line holding an array or a string gets "expected an object, got
    //  array" rather than jansson's "'[' or '{' expected".
    json_error_t error;
    json_t *json = json_loadb (line, length, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &error);
    if (!json) {
        s_set_err (err, err_size, "invalid JSON at column %d: %s", error.column, error.text);
        return NULL;
    }
    Journey__V1__Event *event = (Journey__V1__Event *) jy_json_to_message (
        &journey__v1__event__descriptor, json, err, err_size);
    json_decref (json);
    if (event && event->payload_case == JOURNEY__V1__EVENT__PAYLOAD__NOT_SET) {
        s_set_err (err, err_size,
                   "no payload: an event needs exactly one, e.g. "
                   "\"referral_received\"");
        protobuf_c_message_free_unpacked (&event->base, NULL);
        return NULL;
    }
    return event;
}

char *jy_json_format_event (const Journey__V1__Event *event)
{
    assert (event);
    return jy_json_format_message (&event->base);
}
