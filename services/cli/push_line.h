/*  push_line: journey push's fast path from a JSON line to an Event.

    jy_json_parse_event (jansson, then the descriptors) costs `journey push` most of its time,
    and on a small machine the push shares the CPU with journey-ingestd and PostgreSQL. This
    reads the plain lines a CMS sends (objects, strings without \u escapes, numbers, booleans)
    straight into the message, walking the same descriptors by the same rules. Anything else
    (arrays, null, \u escapes, non-ASCII text, every kind of error) is left to
    jy_json_parse_event, which gives the same Event or names what is wrong: this path never
    refuses a line, so it never decides what a sender is told.
*/
#ifndef JOURNEY_CLI_PUSH_LINE_H_INCLUDED
#define JOURNEY_CLI_PUSH_LINE_H_INCLUDED

#include "journey/journey.h"

//  The Event of one JSON line (freed with protobuf_c_message_free_unpacked), exactly as
//  jy_json_parse_event would give it; NULL when the line is not one this path reads: then
//  call jy_json_parse_event.
Journey__V1__Event *push_line_parse (const char *line, size_t length);

#endif
