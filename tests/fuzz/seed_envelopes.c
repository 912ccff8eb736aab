/*  fuzz_seed_envelopes: seed inputs for fuzz_envelope, packed as journey push packs them.

        fuzz_seed_envelopes OUTDIR < lines

    Reads JSON lines; a blank line ends a batch. Each batch is written to OUTDIR/batch-N as an
    Envelope with an EventBatch: the lines that parse as events, and the ones that do not as
    UnparsedEvents with their raw bytes, as journey push sends them. Then a few envelopes of
    other kinds: the first event as the feed carries it, a status request, a simulated clock
    move, a reply and a payload unknown to this build. tests/fuzz/seed.sh drives it.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey/journey.h"

typedef struct {
    Journey__V1__Event **events;
    Journey__V1__UnparsedEvent **unparsed;
    size_t n_events, n_unparsed, capacity;
} s_batch_t;

static void s_write (const char *dir, const char *name, const jy_envelope_t *envelope)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    zframe_t *frame = jy_wire_pack (envelope);
    FILE *file = fopen (path, "wb");
    if (!file ||
        fwrite (zframe_data (frame), 1, zframe_size (frame), file) != zframe_size (frame) ||
        fclose (file) != 0) {
        fprintf (stderr, "fuzz_seed_envelopes: cannot write %s\n", path);
        exit (1);
    }
    zframe_destroy (&frame);
}

static void s_add (s_batch_t *batch, const char *line, size_t length, size_t index)
{
    if (batch->n_events + batch->n_unparsed == batch->capacity) {
        batch->capacity = batch->capacity ? batch->capacity * 2 : 64;
        batch->events = realloc (batch->events, batch->capacity * sizeof *batch->events);
        batch->unparsed = realloc (batch->unparsed, batch->capacity * sizeof *batch->unparsed);
        if (!batch->events || !batch->unparsed)
            abort ();
    }
    char err[512];
    Journey__V1__Event *event = jy_json_parse_event (line, length, err, sizeof err);
    if (event) {
        batch->events[batch->n_events++] = event;
        return;
    }
    Journey__V1__UnparsedEvent *record = calloc (1, sizeof *record);
    if (!record)
        abort ();
    journey__v1__unparsed_event__init (record);
    record->has_index = 1;
    record->index = (uint32_t) index;
    record->has_raw = 1;
    record->raw.len = length;
    record->raw.data = malloc (length + 1);
    record->error = strdup (err);
    if (!record->raw.data || !record->error)
        abort ();
    memcpy (record->raw.data, line, length);
    batch->unparsed[batch->n_unparsed++] = record;
}

//  Writes the batch and empties it; the first event is kept for the feed envelope.
static void s_flush (s_batch_t *batch, const char *dir, int number, Journey__V1__Event **first)
{
    if (batch->n_events + batch->n_unparsed == 0)
        return;
    char id[32], name[32];
    snprintf (id, sizeof id, "seed-%d", number);
    snprintf (name, sizeof name, "batch-%d", number);
    Journey__V1__EventBatch message = JOURNEY__V1__EVENT_BATCH__INIT;
    message.batch_id = id;
    message.n_events = batch->n_events;
    message.events = batch->events;
    message.n_unparsed = batch->n_unparsed;
    message.unparsed = batch->unparsed;
    jy_envelope_t envelope;
    jy_envelope_init (&envelope);
    envelope.message_id = id;
    envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH;
    envelope.event_batch = &message;
    s_write (dir, name, &envelope);
    for (size_t i = 0; i < batch->n_events; i++) {
        if (!*first)
            *first = batch->events[i];
        else
            journey__v1__event__free_unpacked (batch->events[i], NULL);
    }
    for (size_t i = 0; i < batch->n_unparsed; i++)
        journey__v1__unparsed_event__free_unpacked (batch->unparsed[i], NULL);
    batch->n_events = batch->n_unparsed = 0;
}

static void s_others (const char *dir, Journey__V1__Event *first)
{
    jy_envelope_t envelope;
    if (first) {
        jy_envelope_init (&envelope);
        envelope.has_feed_seq = 1;
        envelope.feed_seq = 1;
        envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT;
        envelope.event = first;
        s_write (dir, "feed-event", &envelope);
    }
    Journey__V1__StatusRequest status = JOURNEY__V1__STATUS_REQUEST__INIT;
    jy_envelope_init (&envelope);
    envelope.message_id = "status-1";
    envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REQUEST;
    envelope.status_request = &status;
    s_write (dir, "status-request", &envelope);

    Journey__V1__ClockSet clock = JOURNEY__V1__CLOCK_SET__INIT;
    clock.date = "2025-01-01";
    clock.time = "09:00:00";
    jy_envelope_init (&envelope);
    envelope.message_id = "clock-1";
    envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_CLOCK_SET;
    envelope.clock_set = &clock;
    s_write (dir, "clock-set", &envelope);

    Journey__V1__Reply reply = JOURNEY__V1__REPLY__INIT;
    reply.has_ok = 1;
    reply.code = "bad_date";
    reply.message = "date: \"2025-02-30\" is not a real date";
    reply.field = "date";
    jy_envelope_init (&envelope);
    envelope.message_id = "reply-1";
    envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY;
    envelope.reply = &reply;
    s_write (dir, "reply", &envelope);

    //  A newer sender's payload: field 99, length-delimited, after a schema version.
    static const uint8_t unknown[] = {0x10, 0x01, 0x9a, 0x06, 0x03, 'n', 'e', 'w'};
    char path[4096];
    snprintf (path, sizeof path, "%s/unknown-payload", dir);
    FILE *file = fopen (path, "wb");
    if (!file || fwrite (unknown, 1, sizeof unknown, file) != sizeof unknown || fclose (file)) {
        fprintf (stderr, "fuzz_seed_envelopes: cannot write %s\n", path);
        exit (1);
    }
}

int main (int argc, char **argv)
{
    if (argc != 2) {
        fprintf (stderr, "usage: fuzz_seed_envelopes OUTDIR < lines\n");
        return 2;
    }
    s_batch_t batch = {0};
    Journey__V1__Event *first = NULL;
    char *line = NULL;
    size_t capacity = 0, index = 0;
    int batches = 0;
    ssize_t got;
    while ((got = getline (&line, &capacity, stdin)) >= 0) {
        size_t length = (size_t) got;
        if (length && line[length - 1] == '\n')
            length--;
        if (length == 0) {
            s_flush (&batch, argv[1], ++batches, &first);
            index = 0;
            continue;
        }
        s_add (&batch, line, length, index++);
    }
    s_flush (&batch, argv[1], ++batches, &first);
    s_others (argv[1], first);
    if (first)
        journey__v1__event__free_unpacked (first, NULL);
    free (line);
    free (batch.events);
    free (batch.unparsed);
    return 0;
}
