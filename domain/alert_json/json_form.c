/*  json_form: the JSON form of alerts and deadlines (json_form.h). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_form.h"

//  The shortened keys: everything else is the .proto field name, as jy_json writes it.
typedef struct {
    const ProtobufCMessageDescriptor *descriptor;
    const char *field;
    const char *key;
} s_rename_t;

static const s_rename_t s_renames[] = {
    {&journey__v1__alert__descriptor, "alert_id", "seq"},
    {&journey__v1__alert__descriptor, "started_on", "started"},
    {&journey__v1__alert__descriptor, "due_on", "due"},
    {&journey__v1__alert__descriptor, "planned_on", "planned"},
    {&journey__v1__alert__descriptor, "team_id", "team"},
    {&journey__v1__alert__descriptor, "worker_id", "worker"},
    {&journey__v1__alert__descriptor, "raised_on", "raised"},
    {&journey__v1__deadline__descriptor, "started_on", "started"},
    {&journey__v1__deadline__descriptor, "due_on", "due"},
    {&journey__v1__deadline__descriptor, "met_on", "met"},
    {&journey__v1__deadline__descriptor, "cancelled_on", "cancelled"},
    {&journey__v1__deadline__descriptor, "planned_on", "planned"},
    {&journey__v1__deadline__descriptor, "team_id", "team"},
    {&journey__v1__deadline__descriptor, "worker_id", "worker"},
};

static const char *s_key (const ProtobufCMessageDescriptor *descriptor, const char *field)
{
    for (size_t i = 0; i < sizeof s_renames / sizeof s_renames[0]; i++)
        if (s_renames[i].descriptor == descriptor && strcmp (s_renames[i].field, field) == 0)
            return s_renames[i].key;
    return field;
}

//  The message's jy_json form with the keys renamed, in field order.
static json_t *s_form (const ProtobufCMessage *message)
{
    json_t *plain = jy_json_from_message (message);
    if (!plain)
        return NULL;
    json_t *object = json_object ();
    assert (object);
    const char *field;
    json_t *value;
    //  jansson keeps insertion order, which is field order here.
    json_object_foreach (plain, field, value)
    {
        int rc = json_object_set (object, s_key (message->descriptor, field), value);
        assert (rc == 0);
        (void) rc;
    }
    json_decref (plain);
    return object;
}

json_t *tl_json_alert (const Journey__V1__Alert *alert)
{
    assert (alert);
    return s_form (&alert->base);
}

json_t *tl_json_deadline (const Journey__V1__Deadline *deadline)
{
    assert (deadline);
    return s_form (&deadline->base);
}

//  Whether every real in value reads back from 15 significant digits.
static bool s_short_reals (const json_t *value)
{
    if (json_is_real (value)) {
        char text[40];
        snprintf (text, sizeof text, "%.15g", json_real_value (value));
        return strtod (text, NULL) == json_real_value (value);
    }
    if (json_is_object (value)) {
        const char *key;
        json_t *member;
        json_object_foreach ((json_t *) value, key, member)
        {
            if (!s_short_reals (member))
                return false;
        }
    } else if (json_is_array (value)) {
        for (size_t i = 0; i < json_array_size (value); i++)
            if (!s_short_reals (json_array_get (value, i)))
                return false;
    }
    return true;
}

char *tl_json_text (const json_t *object)
{
    assert (object);
    int precision = s_short_reals (object) ? 15 : 17;
    return json_dumps (object, JSON_COMPACT | JSON_REAL_PRECISION (precision));
}
