/*  jy_json: the JSON form of every Journey message (docs/events.md).

    One generic converter driven by protobuf-c's descriptors, so a field or payload added to a
    .proto has a JSON form without code here. Keys are the .proto field names; a oneof is the
    chosen field's key; absent optional fields are absent keys; enums are their value names in
    lower case (read case-insensitively). Input is strict: an unknown key, a wrong type, a null,
    an out-of-range integer or two keys of one oneof is an error naming the path, e.g.
    "referral_received.referral_source: expected a string, got number".
*/
#ifndef JY_JSON_H_INCLUDED
#define JY_JSON_H_INCLUDED

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include "journey/v1/events.pb-c.h"

//  JSON object -> new message of the descriptor's type, freed with
//  protobuf_c_message_free_unpacked (message, NULL). NULL with err naming the path (err may be
//  NULL when err_size is 0).
ProtobufCMessage *jy_json_to_message (const ProtobufCMessageDescriptor *descriptor, json_t *object,
                                      char *err, size_t err_size);

//  Message -> new JSON object (caller json_decref's). NULL when the message holds a value JSON
//  cannot carry: a string that is not UTF-8, a non-finite double, a uint64 above 2^63-1, a
//  bytes field (no Journey message has one). Unknown fields (from a newer sender) are not
//  written.
json_t *jy_json_from_message (const ProtobufCMessage *message);

//  Message -> compact one-line JSON text (malloc'd, no trailing newline), or NULL as
//  jy_json_from_message. Doubles are written with 15 significant digits when that reads back
//  to the same value (12.3, not 12.300000000000001), else with 17.
char *jy_json_format_message (const ProtobufCMessage *message);

//  One JSON line (need not be NUL-terminated; surrounding whitespace allowed) -> new Event,
//  which must carry exactly one payload. NULL with err: a JSON syntax error gives jansson's
//  message with the column, anything else as jy_json_to_message.
Journey__V1__Event *jy_json_parse_event (const char *line, size_t length, char *err,
                                         size_t err_size);

//  Event -> compact one-line JSON text (malloc'd, no trailing newline), or NULL as
//  jy_json_from_message.
char *jy_json_format_event (const Journey__V1__Event *event);

#endif
