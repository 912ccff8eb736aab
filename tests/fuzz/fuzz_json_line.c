/*  fuzz_json_line: one line of the JSON lines journey push reads, the way cmd_push.c reads it:
    the fast path (push_line_parse) first, then jy_json_parse_event for whatever the fast path
    leaves. Each gets the line as it is, without a terminator.

    Properties besides not crashing: the fast path reads a line only as jy_json_parse_event
    does (the same packed bytes: what journey-ingestd hashes for idempotency), and never a line
    jy_json_parse_event refuses; a refused line gets a message; an event has a JSON form, and
    that form reads back as the same event.
*/
#include "journey/journey.h"
#include "push_line.h"
#include "fuzz.h"

static uint8_t *s_pack (const Journey__V1__Event *event, size_t *size)
{
    *size = journey__v1__event__get_packed_size (event);
    uint8_t *packed = malloc (*size ? *size : 1);
    FUZZ_CHECK (packed, "out of memory");
    FUZZ_CHECK (journey__v1__event__pack (event, packed) == *size, "packed size changed");
    return packed;
}

static bool s_same (const Journey__V1__Event *a, const Journey__V1__Event *b)
{
    size_t size_a, size_b;
    uint8_t *packed_a = s_pack (a, &size_a), *packed_b = s_pack (b, &size_b);
    bool same = size_a == size_b && memcmp (packed_a, packed_b, size_a) == 0;
    free (packed_a);
    free (packed_b);
    return same;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  A copy of exactly the input's size, so that ASan sees a read past the line's end.
    char *line = malloc (size ? size : 1);
    FUZZ_CHECK (line, "out of memory");
    if (size)
        memcpy (line, data, size);
    Journey__V1__Event *fast = push_line_parse (line, size);
    char err[512];
    Journey__V1__Event *event = jy_json_parse_event (line, size, err, sizeof err);
    if (fast) {
        FUZZ_CHECK (event, "the fast path read a line jy_json refuses (%s): %.*s", err, (int) size,
                    line);
        FUZZ_CHECK (s_same (fast, event), "the fast path read another event than jy_json: %.*s",
                    (int) size, line);
        journey__v1__event__free_unpacked (fast, NULL);
    }
    free (line);
    if (!event) {
        FUZZ_CHECK (err[0], "a line was refused without a message");
        return 0;
    }
    char *text = jy_json_format_event (event);
    FUZZ_CHECK (text, "an event read from JSON has no JSON form");
    Journey__V1__Event *again = jy_json_parse_event (text, strlen (text), err, sizeof err);
    FUZZ_CHECK (again, "the event's JSON form does not read back: %s: %s", err, text);
    FUZZ_CHECK (s_same (event, again), "the event's JSON form reads back as another event: %s",
                text);
    free (text);
    journey__v1__event__free_unpacked (again, NULL);
    journey__v1__event__free_unpacked (event, NULL);
    return 0;
}
