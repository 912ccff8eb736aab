/*  push_line: journey push's fast path gives exactly what jy_json_parse_event gives, or leaves
    the line to it. Checked on a generated authority (every line must take the fast path), on
    edge cases, and on many mutations of real lines: whenever the fast path reads a line, the
    slow path reads it too and both messages pack to the same bytes.
*/
#include "journey.h"
#include "jy_test.h"
#include "generator.h"
#include "push_line.h"

static uint64_t s_state = 0x9E3779B97F4A7C15ULL;

static uint64_t s_next (void)
{
    s_state ^= s_state << 13;
    s_state ^= s_state >> 7;
    s_state ^= s_state << 17;
    return s_state;
}

static bool s_same_bytes (const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    size_t size_a = protobuf_c_message_get_packed_size (a);
    size_t size_b = protobuf_c_message_get_packed_size (b);
    uint8_t *pa = malloc (size_a + 1), *pb = malloc (size_b + 1);
    assert (pa && pb);
    protobuf_c_message_pack (a, pa);
    protobuf_c_message_pack (b, pb);
    bool same = size_a == size_b && memcmp (pa, pb, size_a) == 0;
    free (pa);
    free (pb);
    return same;
}

//  Both paths on one line (in a buffer of exactly its length, so ASan sees a read past it).
//  Returns whether the fast path read it; a disagreement is a failed check.
static bool s_compare (const char *line, size_t length)
{
    char *exact = malloc (length ? length : 1);
    assert (exact);
    memcpy (exact, line, length);
    Journey__V1__Event *fast = push_line_parse (exact, length);
    char err[256];
    Journey__V1__Event *slow = jy_json_parse_event (exact, length, err, sizeof err);
    bool agree = !fast || (slow && s_same_bytes (&fast->base, &slow->base));
    CHECK (agree);
    if (!agree)
        fprintf (stderr, "  fast path read differently: %.*s (slow: %s)\n", (int) length, line,
                 slow ? "read" : err);
    if (fast)
        protobuf_c_message_free_unpacked (&fast->base, NULL);
    if (slow)
        protobuf_c_message_free_unpacked (&slow->base, NULL);
    free (exact);
    return fast != NULL;
}

static bool s_compare_text (const char *line)
{
    return s_compare (line, strlen (line));
}

//  A generated authority's lines, one string each.
static char **s_generated (size_t *count)
{
    generator_params_t params = {.la_code = "872", .children = 300, .years = 3, .seed = 7};
    params.end = jy_date_from_ymd (2025, 3, 31);
    generator_t *generator = generator_new (&params);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    assert (out);
    CHECK_INT (generator_write (generator, out), 0);
    fclose (out);
    generator_destroy (&generator);
    size_t capacity = 1024, n = 0;
    char **lines = malloc (capacity * sizeof *lines);
    assert (lines);
    for (char *line = strtok (text, "\n"); line; line = strtok (NULL, "\n")) {
        if (n == capacity) {
            capacity *= 2;
            lines = realloc (lines, capacity * sizeof *lines);
            assert (lines);
        }
        lines[n] = strdup (line);
        assert (lines[n]);
        n++;
    }
    free (text);
    *count = n;
    return lines;
}

static void s_test_generated (char **lines, size_t count)
{
    size_t fast = 0;
    for (size_t i = 0; i < count; i++)
        fast += s_compare_text (lines[i]);
    //  A CMS's plain lines all take the fast path.
    CHECK (count > 1000);
    CHECK_INT (fast, count);
}

#define LINE_START                                                                                 \
    "{\"event_id\":\"E1\",\"la_code\":\"872\",\"child_id\":\"C1\",\"occurred_on\":\"2024-01-05\"," \
    "\"recorded_at\":\"2024-01-05T10:00:00Z\",\"source\":\"lcs\","

static void s_test_cases (void)
{
    //  Read by the fast path, the same as the slow one.
    const char *fast[] = {
        LINE_START "\"contact_received\":{\"contact_id\":\"CT1\",\"contact_source\":\"1B\"}}",
        "  " LINE_START "\"contact_received\" : { \"contact_id\" : \"CT1\" } }\r\n",
        LINE_START "\"contact_received\":{\"contact_id\":\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"}}",
        LINE_START "\"contact_received\":{}}",
        LINE_START "\"placement_started\":{\"placement_id\":\"P1\",\"period_id\":\"CP1\","
                   "\"placement_type\":\"U1\",\"distance_miles\":12.5,\"in_area\":true}}",
        LINE_START "\"placement_started\":{\"distance_miles\":3}}",
        LINE_START "\"placement_started\":{\"distance_miles\":-0.25e2}}",
        LINE_START "\"placement_started\":{\"distance_miles\":0}}",
        LINE_START "\"conference_scheduled\":{\"conference_id\":\"B1\",\"kind\":\"ICPC\"}}",
        LINE_START "\"conference_scheduled\":{\"conference_id\":\"B1\",\"kind\":\"Cla_Review\"}}",
        LINE_START "\"missing_ended\":{\"episode_id\":\"M1\",\"hours_missing\":1E3}}",
    };
    for (size_t i = 0; i < sizeof fast / sizeof fast[0]; i++) {
        bool read = s_compare_text (fast[i]);
        CHECK (read);
        if (!read)
            fprintf (stderr, "  not read by the fast path: %s\n", fast[i]);
    }
    //  Left to the slow path: errors, and what this path does not read.
    const char *slow[] = {
        "",
        "   ",
        "[1]",
        "\"text\"",
        "{}",
        LINE_START "\"contact_received\":{\"contact_id\":\"CT1\"}",
        LINE_START "\"contact_received\":{\"contact_id\":\"CT1\"}} x",
        LINE_START "\"contact_received\":{\"contact_id\":\"CT1\"}}}",
        LINE_START "\"contact_received\":{\"contact_id\":\"CT1\",}}",
        LINE_START "\"contact_received\":{\"contact_id\":\"C\\u0054\"}}",
        LINE_START "\"contact_received\":{\"contact_id\":\"caf\xc3\xa9\"}}",
        LINE_START "\"contact_received\":{\"contact_id\":\"bad\xc3\"}}",
        LINE_START "\"contact_received\":{\"contact_id\":\"tab\there\"}}",
        LINE_START "\"contact_received\":{\"contact_id\":\"x\\q\"}}",
        LINE_START "\"contact_received\":{\"contact_id\":null}}",
        LINE_START "\"contact_received\":{\"contact_id\":12}}",
        LINE_START "\"contact_received\":{\"contact_id\":\"CT1\",\"contact_id\":\"CT2\"}}",
        LINE_START "\"contact_received\":{\"no_such_field\":\"x\"}}",
        LINE_START "\"contact_received\":{},\"referral_received\":{}}",
        LINE_START "\"event_id\":\"E2\",\"contact_received\":{}}",
        LINE_START "\"contact_received\":\"CT1\"}",
        LINE_START "\"placement_started\":{\"distance_miles\":012}}",
        LINE_START "\"placement_started\":{\"distance_miles\":1.}}",
        LINE_START "\"placement_started\":{\"distance_miles\":1e}}",
        LINE_START "\"placement_started\":{\"distance_miles\":1e999}}",
        LINE_START "\"placement_started\":{\"distance_miles\":\"12\"}}",
        LINE_START "\"placement_started\":{\"in_area\":1}}",
        LINE_START "\"placement_started\":{\"in_area\":tru}}",
        LINE_START "\"placement_started\":{\"in_area\":truex}}",
        LINE_START "\"conference_scheduled\":{\"kind\":\"no_such_kind\"}}",
        LINE_START "\"conference_scheduled\":{\"kind\":1}}",
        LINE_START "\"assessment_completed\":{\"factors\":[\"1A\"]}}",
        "{\"event_id\":\"E1\"}",
        "{\"event_\\u0069d\":\"E1\",\"contact_received\":{}}",
    };
    for (size_t i = 0; i < sizeof slow / sizeof slow[0]; i++) {
        bool read = s_compare_text (slow[i]);
        CHECK (!read);
        if (read)
            fprintf (stderr, "  read by the fast path: %s\n", slow[i]);
    }
    //  A NUL inside the line (the length is passed, not found).
    const char nul[] = LINE_START "\"contact_received\":{\"contact_id\":\"C\0T\"}}";
    CHECK (!s_compare (nul, sizeof nul - 1));
}

//  Real lines with bytes changed, cut short, or a piece repeated: the fast path never reads a
//  line differently, whatever it reads.
static void s_test_mutations (char **lines, size_t count)
{
    static const char alphabet[] = "{}[]\":,\\ .-+0123456789eEtruefalsnxu\t\n\x01\xc3\xa9";
    size_t read = 0;
    for (int round = 0; round < 50000; round++) {
        const char *base = lines[s_next () % count];
        size_t length = strlen (base);
        char *mutated = malloc (2 * length + 2);
        assert (mutated);
        memcpy (mutated, base, length + 1);
        size_t mutated_length = length;
        switch (s_next () % 4) {
        case 0: //  cut short
            mutated_length = (size_t) (s_next () % (length + 1));
            break;
        case 1: //  a piece repeated
        {
            size_t from = (size_t) (s_next () % length), size = 1 + (size_t) (s_next () % 12);
            if (from + size > length)
                size = length - from;
            memmove (mutated + from + size, mutated + from, length - from);
            mutated_length = length + size;
            break;
        }
        default: //  bytes changed, mostly to JSON's own characters
            for (uint64_t n = 1 + s_next () % 3; n > 0; n--)
                mutated[s_next () % length] = s_next () % 4
                                                  ? alphabet[s_next () % (sizeof alphabet - 1)]
                                                  : (char) (s_next () % 256);
            break;
        }
        read += s_compare (mutated, mutated_length);
        free (mutated);
    }
    printf ("mutations: %zu of 50000 read by the fast path\n", read);
    CHECK (read > 1000); //  the comparison has cases to compare
}

int main (void)
{
    size_t count;
    char **lines = s_generated (&count);
    s_test_generated (lines, count);
    s_test_cases ();
    s_test_mutations (lines, count);
    for (size_t i = 0; i < count; i++)
        free (lines[i]);
    free (lines);
    return jy_test_summary ("test_push_line");
}
