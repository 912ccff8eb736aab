/*  json_form: the JSON form of an alert and of a deadline, as people and receivers see it
    (`journey alerts --json`, `journey deadlines --json`, the webhook's POST body;
    docs/timeliness-cli.md).

    It is the message's jy_json form with a few keys shortened, so that an alert reads
    {"seq":12,"kind":"overdue","child_id":"C1","clock":"icpc","due":"2025-03-03","team":"T1",...}.
    s_renames in json_form.c is the whole of the difference; every other field keeps its
    .proto name, and a field added to alerts.proto appears without code here.
*/
#ifndef TL_JSON_FORM_H_INCLUDED
#define TL_JSON_FORM_H_INCLUDED

#include <jansson.h>
#include "journey/journey.h"

//  New JSON object (caller json_decref's), or NULL when the message holds something JSON
//  cannot carry (jy_json_from_message). The alert's alert_id is written as "seq".
json_t *tl_json_alert (const Journey__V1__Alert *alert);
json_t *tl_json_deadline (const Journey__V1__Deadline *deadline);

//  Compact one-line text of such an object (malloc'd, no trailing newline); doubles with 15
//  significant digits when that reads back to the same value, else 17. NULL when jansson
//  cannot encode it.
char *tl_json_text (const json_t *object);

#endif
