/*  journey push: send JSON lines of events to journey-ingestd (docs/events.md).

        journey push FILE|- [--batch N] [--window N] [--wait [--timeout SECONDS]]

    The file is streamed, never loaded whole: each line is parsed (push_line_parse, the fast path
    for plain lines, else jy_json_parse_event, which gives the same event) and goes into the next
    EventBatch; a line that does not parse goes in as an UnparsedEvent with its raw bytes and the
    parser's message, so that the daemon dead-letters it and nothing sent is lost. Blank lines
    are skipped and not counted.

    Batches go on a DEALER to ingest/request. The daemon answers only after its transaction
    committed. The answer is matched to its batch by message id (the batch id, the same for
    every attempt of one batch):
      OK         the results are final: each is recorded against its line number;
      BUSY/ERROR nothing was processed: the same batch (same bytes, same event ids) is sent
                 again after a backoff of 100 ms doubling to 5 s, at least retry_after_ms;
      no answer  within push/reply_timeout_ms: the DEALER is replaced, so that an answer to an
                 earlier attempt cannot arrive later and be mistaken, and the batch is resent.
                 Whatever had committed comes back DUPLICATE.
      BAD_BATCH  the push stops with the daemon's message.
    After push/give_up_ms without progress (no OK answer) the push stops and says how far it
    got; sending the file again is safe, confirmed events come back as duplicates.

    Order matters to the daemon (an event is validated against the ones before it), so batches
    are sent in file order, and while the next batch is being prepared the previous one is with
    the daemon. --window N allows N batches in flight. When a batch fails with others in flight
    behind it, the socket is replaced and all of them are sent again in order; a later batch
    the daemon had already committed then comes back DUPLICATE (counted as such), and one the
    daemon processed without its failed predecessor may have had rejections that it would not
    have had in order. --window 1 (the default) never sends a batch before the previous one is
    committed, so that cannot happen.

    Summary on stdout: "FILE: L lines, A accepted, D duplicate, R rejected" (--json: an object
    with the rejections); one line per rejection on stderr. Exit 0 when nothing was rejected, 1
    when something was (or the push failed), 2 for a usage error.

    A monitor on the socket says at once when the daemon refused the handshake (the push stops:
    that is not transient) or nothing listens (named when retrying: a daemon may be restarting).
    On a terminal the progress is redrawn on stderr (s_progress). --wait then asks
    journey-ingestd's Status for its feed head and journey-timelinessd's until its position on
    the feed reaches it (s_wait_taken_in).
*/
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "line_reader.h"
#include "push_line.h"

#define S_DEFAULT_BATCH    2000
#define S_MAX_BATCH        10000 //  the daemon's limit per batch
#define S_DEFAULT_WINDOW   1
#define S_MAX_WINDOW       16
#define S_MAX_LINE         (1024 * 1024)     //  longer lines are cut to this and dead-lettered
#define S_MAX_BATCH_BYTES  (8 * 1024 * 1024) //  a batch closes early past this much input
#define S_SOCKET_HWM       100               //  explicit, never 0 (unbounded)
#define S_BACKOFF_FIRST_MS 100
#define S_BACKOFF_MAX_MS   5000
#define S_DEFAULT_TIMEOUT  30000
#define S_DEFAULT_GIVE_UP  600000
#define S_DEFAULT_WAIT_S   300 //  --wait: how long timelinessd may take to catch up
#define S_MAX_WAIT_S       86400
#define S_WAIT_POLL_MS     100 //  --wait: between Status questions to journey-timelinessd
#define S_STATUS_MS        2000
#define S_PROGRESS_MS      250 //  a terminal's progress line is redrawn at most this often

static const char *s_usage_text =
    "usage: journey push FILE|- [--batch N] [--window N] [--wait [--timeout SECONDS]]\n"
    "  FILE        JSON lines, one event per line (docs/events.md); - reads stdin\n"
    "  --batch N   events per batch, 1..10000 (default 2000)\n"
    "  --window N  batches in flight at once, 1..16 (default 1: the next batch is prepared\n"
    "              while the previous one is with the daemon)\n"
    "  --wait      then wait until journey-timelinessd has taken in every event stored so far\n"
    "              (its deadlines include this push), up to --timeout SECONDS (default 300)\n"
    "On a terminal, progress is shown on stderr while the push runs.\n"
    "configuration: ingest/request (endpoint), push/reply_timeout_ms (default 30000),\n"
    "push/give_up_ms (default 600000). Exit status: 0 all accepted or duplicate, 1 something\n"
    "rejected or the push failed, 2 usage error.\n";

typedef struct {
    uint64_t number;     //  1, 2, ... in file order
    uint64_t first_line; //  physical line numbers, 1-based
    uint64_t last_line;
    size_t n_events, n_unparsed;
    Journey__V1__Event **events; //  owned until packed
    uint64_t *event_lines;
    Journey__V1__UnparsedEvent *unparsed; //  raw bytes and message owned until packed
    Journey__V1__UnparsedEvent **unparsed_p;
    uint64_t *unparsed_lines;
    size_t bytes;
    char id[ZUUID_STR_LEN + 1]; //  batch id and message id
    zframe_t *frame;            //  the packed envelope, sent again as is on a retry
    bool sent;                  //  in flight on the current socket
} s_batch_t;

typedef struct {
    cli_t *cli;
    const char *name; //  the file as named, "stdin" for -
    int fd;
    line_reader_t *reader;
    bool fd_polled; //  fd is in the poller: a pipe with no whole line yet
    const char *endpoint;
    long reply_timeout_ms, give_up_ms;
    size_t batch_size, window;
    zsock_t *sock;
    zsock_t *monitor;      //  the socket's connection: a refused handshake stops the push at once
    char link_why[512];    //  "nothing is listening at ...", while that is so
    cli_link_state_t link; //  what its monitor has said (cli_link_event)
    zpoller_t *poller;

    s_batch_t *reading;   //  the batch being read: a pipe may fill it over many turns
    uint64_t line_number; //  last line read
    bool eof;
    uint64_t batches;

    s_batch_t *queue[S_MAX_WINDOW + 1]; //  oldest first: sent ones, then prepared ones
    size_t queued, in_flight;

    int64_t resume_at;     //  mono: nothing is sent before
    int64_t last_heard;    //  mono: the last answer, or the first send after silence
    int64_t last_progress; //  mono: the last OK answer, or the start
    int backoff_ms;
    uint64_t retries;

    uint64_t lines, accepted, duplicate, rejected;
    uint64_t bytes_read, file_size; //  file_size 0: not known (a pipe)
    bool progress;                  //  stderr is a terminal: show progress there
    bool progress_shown;            //  a progress line is on the screen now
    int64_t started, progress_at;   //  mono
    uint64_t confirmed_line;        //  every line up to here has its final result
    json_t *rejections;             //  --json only
} s_push_t;

//  --- Progress on a terminal --------------------------------------------------------------

//  Take the progress line off the screen, before anything else is written to stderr.
static void s_progress_clear (s_push_t *self)
{
    if (self->progress_shown) {
        fputs ("\r\033[K", stderr);
        fflush (stderr);
        self->progress_shown = false;
    }
}

#define s_fail(self, ...) (s_progress_clear (self), cli_fail (__VA_ARGS__))

//  Draw the progress line in place: lines read, results so far, events a second and, when the
//  file's size is known, the time left at the rate read so far. At most every S_PROGRESS_MS.
static void s_progress (s_push_t *self)
{
    if (!self->progress)
        return;
    int64_t now = zclock_mono ();
    if (self->progress_at && now - self->progress_at < S_PROGRESS_MS)
        return;
    self->progress_at = now;
    double elapsed = (double) (now - self->started) / 1000.0;
    uint64_t done = self->accepted + self->duplicate + self->rejected;
    double rate = elapsed > 0 ? (double) done / elapsed : 0;
    char left[32] = "";
    if (self->file_size && self->bytes_read && elapsed > 0 && self->bytes_read < self->file_size) {
        double seconds =
            elapsed * (double) (self->file_size - self->bytes_read) / (double) self->bytes_read;
        snprintf (left, sizeof left, ", %d:%02d left", (int) seconds / 60, (int) seconds % 60);
    }
    fprintf (stderr,
             "\r\033[Kpush: %" PRIu64 " lines read, %" PRIu64 " accepted, %" PRIu64
             " duplicate, %" PRIu64 " rejected, %.0f events/s%s",
             self->lines, self->accepted, self->duplicate, self->rejected, rate, left);
    fflush (stderr);
    self->progress_shown = true;
}

//  --- Batches -----------------------------------------------------------------------------

static s_batch_t *s_batch_new (size_t capacity)
{
    s_batch_t *self = (s_batch_t *) calloc (1, sizeof (s_batch_t));
    assert (self);
    self->events = (Journey__V1__Event **) calloc (capacity, sizeof (Journey__V1__Event *));
    self->event_lines = (uint64_t *) calloc (capacity, sizeof (uint64_t));
    self->unparsed =
        (Journey__V1__UnparsedEvent *) calloc (capacity, sizeof (Journey__V1__UnparsedEvent));
    self->unparsed_p =
        (Journey__V1__UnparsedEvent **) calloc (capacity, sizeof (Journey__V1__UnparsedEvent *));
    self->unparsed_lines = (uint64_t *) calloc (capacity, sizeof (uint64_t));
    assert (self->events && self->event_lines && self->unparsed && self->unparsed_p &&
            self->unparsed_lines);
    zuuid_t *uuid = zuuid_new ();
    assert (uuid);
    snprintf (self->id, sizeof self->id, "%s", zuuid_str_canonical (uuid));
    zuuid_destroy (&uuid);
    return self;
}

//  Free what packing no longer needs: the parsed events and the raw copies.
static void s_batch_release_records (s_batch_t *self)
{
    for (size_t i = 0; i < self->n_events; i++)
        if (self->events[i]) {
            protobuf_c_message_free_unpacked (&self->events[i]->base, NULL);
            self->events[i] = NULL;
        }
    for (size_t i = 0; i < self->n_unparsed; i++) {
        free (self->unparsed[i].raw.data);
        self->unparsed[i].raw.data = NULL;
        free (self->unparsed[i].error);
        self->unparsed[i].error = NULL;
    }
}

static void s_batch_destroy (s_batch_t **self_p)
{
    s_batch_t *self = *self_p;
    if (!self)
        return;
    s_batch_release_records (self);
    free (self->events);
    free (self->event_lines);
    free (self->unparsed);
    free (self->unparsed_p);
    free (self->unparsed_lines);
    zframe_destroy (&self->frame);
    free (self);
    *self_p = NULL;
}

static size_t s_batch_records (const s_batch_t *self)
{
    return self->n_events + self->n_unparsed;
}

//  A line the parser refused: dead-lettered by the daemon with its raw bytes.
static void s_batch_add_unparsed (s_batch_t *self, uint64_t line_number, const char *line,
                                  size_t length, const char *error)
{
    size_t i = self->n_unparsed++;
    Journey__V1__UnparsedEvent *record = &self->unparsed[i];
    journey__v1__unparsed_event__init (record);
    record->has_index = 1;
    record->index = (uint32_t) i; //  its position among the batch's unparsed records
    record->has_raw = 1;
    record->raw.len = length;
    record->raw.data = (uint8_t *) malloc (length ? length : 1);
    assert (record->raw.data);
    if (length)
        memcpy (record->raw.data, line, length);
    record->error = strdup (error);
    assert (record->error);
    self->unparsed_p[i] = record;
    self->unparsed_lines[i] = line_number;
}

//  Pack the batch into its envelope frame, once; the records are freed.
static void s_batch_pack (s_batch_t *self)
{
    Journey__V1__EventBatch batch = JOURNEY__V1__EVENT_BATCH__INIT;
    batch.batch_id = self->id;
    batch.n_events = self->n_events;
    batch.events = self->events;
    batch.n_unparsed = self->n_unparsed;
    batch.unparsed = self->unparsed_p;
    jy_envelope_t envelope;
    jy_envelope_init (&envelope);
    envelope.message_id = self->id;
    envelope.has_sent_at_ms = 1;
    envelope.sent_at_ms = zclock_time ();
    envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH;
    envelope.event_batch = &batch;
    self->frame = jy_wire_pack (&envelope);
    s_batch_release_records (self);
}

//  --- Reading ----------------------------------------------------------------------------

static bool s_blank (const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
            return false;
    return true;
}

//  The batch being read, queued once full or at the end of the input.
static void s_queue_reading (s_push_t *self)
{
    s_batch_pack (self->reading);
    self->queue[self->queued++] = self->reading;
    self->reading = NULL;
}

//  Read lines into the batch being read until it is full (then queued), the input has no whole
//  line now (a pipe), or the input ends (the last batch queued). 0, or -1 on a read error.
static int s_read (s_push_t *self)
{
    char err[512];
    while (!self->eof) {
        s_batch_t *batch = self->reading;
        if (batch &&
            (s_batch_records (batch) >= self->batch_size || batch->bytes >= S_MAX_BATCH_BYTES)) {
            s_queue_reading (self);
            return 0;
        }
        const char *line;
        size_t kept, length;
        line_reader_result_t got = line_reader_next (self->reader, &line, &kept, &length);
        if (got == LINE_READER_WAIT)
            return 0;
        if (got == LINE_READER_ERROR)
            return s_fail (self, "push: reading %s failed after line %" PRIu64 ": %s", self->name,
                           self->line_number, strerror (errno ? errno : EIO));
        if (got == LINE_READER_END) {
            self->eof = true;
            break;
        }
        self->line_number++;
        self->bytes_read = line_reader_bytes (self->reader);
        if (s_blank (line, kept))
            continue;
        if (!batch) {
            batch = self->reading = s_batch_new (self->batch_size);
            batch->number = ++self->batches;
            batch->first_line = self->line_number;
        }
        batch->last_line = self->line_number;
        batch->bytes += kept;
        self->lines++;
        if (length > S_MAX_LINE) {
            snprintf (err, sizeof err,
                      "line is %zu bytes, over the %d byte limit (the first %d bytes are kept)",
                      length, S_MAX_LINE, S_MAX_LINE);
            s_batch_add_unparsed (batch, self->line_number, line, kept, err);
            continue;
        }
        //  The fast path reads a plain line; the rest, errors included, go the full way.
        Journey__V1__Event *event = push_line_parse (line, length);
        if (!event)
            event = jy_json_parse_event (line, length, err, sizeof err);
        if (!event) {
            s_batch_add_unparsed (batch, self->line_number, line, length, err);
            continue;
        }
        batch->events[batch->n_events] = event;
        batch->event_lines[batch->n_events] = self->line_number;
        batch->n_events++;
    }
    if (self->reading)
        s_queue_reading (self);
    return 0;
}

//  The input is polled with the socket only while the push waits for its next line.
static void s_poll_input (s_push_t *self, bool wanted)
{
    if (wanted == self->fd_polled)
        return;
    if (wanted)
        zpoller_add (self->poller, &self->fd);
    else
        zpoller_remove (self->poller, &self->fd);
    self->fd_polled = wanted;
}

//  --- The socket ---------------------------------------------------------------------------

static int s_connect (s_push_t *self)
{
    if (self->sock) {
        zpoller_remove (self->poller, self->sock);
        zpoller_remove (self->poller, self->monitor);
        cli_link_close (&self->sock, &self->monitor); //  linger 0: what it held is dropped
    }
    self->sock = zsock_new (ZMQ_DEALER);
    assert (self->sock);
    zsock_set_linger (self->sock, 0);
    zsock_set_sndhwm (self->sock, S_SOCKET_HWM);
    zsock_set_rcvhwm (self->sock, S_SOCKET_HWM);
    if (jy_security_client (jy_security_process (), self->sock) != 0)
        return s_fail (self, "push: %s", jy_security_error (jy_security_process ()));
    self->monitor = cli_link_monitor (self->sock);
    memset (&self->link, 0, sizeof self->link);
    if (zsock_connect (self->sock, "%s", self->endpoint) != 0)
        return s_fail (self, "push: cannot connect to ingest/request \"%s\" (from %s)",
                       self->endpoint, jy_config_origin (self->cli->config, "ingest/request"));
    zpoller_add (self->poller, self->sock);
    zpoller_add (self->poller, self->monitor);
    return 0;
}

//  --- Results ------------------------------------------------------------------------------

static void s_record_rejection (s_push_t *self, uint64_t line, const Journey__V1__EventResult *r)
{
    s_progress_clear (self);
    self->rejected++;
    const char *code = r->code && *r->code ? r->code : "rejected";
    const char *message = r->message ? r->message : "";
    if (r->event_id && *r->event_id)
        fprintf (stderr, "line %" PRIu64 ": event %s rejected: %s", line, r->event_id, code);
    else
        fprintf (stderr, "line %" PRIu64 ": rejected: %s", line, code);
    if (r->field && *r->field)
        fprintf (stderr, " (%s)", r->field);
    fprintf (stderr, ": %s\n", message);
    if (self->rejections) {
        json_t *item = json_pack ("{sI}", "line", (json_int_t) line);
        json_object_set_new (item, "event_id",
                             r->event_id && *r->event_id ? json_string (r->event_id)
                                                         : json_null ());
        json_object_set_new (item, "code", json_string (code));
        json_object_set_new (item, "field",
                             r->field && *r->field ? json_string (r->field) : json_null ());
        json_object_set_new (item, "message", json_string (message));
        json_array_append_new (self->rejections, item);
    }
}

//  One result against its line. 0, or -1 when the daemon's answer makes no sense.
static int s_record (s_push_t *self, uint64_t line, const Journey__V1__EventResult *r)
{
    switch (r->status) {
    case JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED:
        self->accepted++;
        return 0;
    case JOURNEY__V1__EVENT_RESULT__STATUS__DUPLICATE:
        self->duplicate++;
        return 0;
    case JOURNEY__V1__EVENT_RESULT__STATUS__REJECTED:
        s_record_rejection (self, line, r);
        return 0;
    default:
        s_fail (self, "push: the daemon's result for line %" PRIu64 " has no status", line);
        return -1;
    }
}

//  An OK answer: every record of the batch must have exactly one result.
static int s_record_batch (s_push_t *self, s_batch_t *batch, const Journey__V1__BatchResult *br)
{
    if (br->n_results != batch->n_events || br->n_unparsed_results != batch->n_unparsed) {
        s_fail (self,
                "push: the daemon answered the batch of lines %" PRIu64 "-%" PRIu64
                " with %zu results for %zu events and %zu for %zu unparsed lines",
                batch->first_line, batch->last_line, br->n_results, batch->n_events,
                br->n_unparsed_results, batch->n_unparsed);
        return -1;
    }
    //  In line order: events and unparsed lines interleave in the file.
    size_t e = 0, u = 0;
    uint64_t *event_of = batch->event_lines, *unparsed_of = batch->unparsed_lines;
    //  Results by index (the daemon answers in batch order; the index says so).
    const Journey__V1__EventResult **events = (const Journey__V1__EventResult **) calloc (
        batch->n_events + 1, sizeof (Journey__V1__EventResult *));
    const Journey__V1__EventResult **unparsed = (const Journey__V1__EventResult **) calloc (
        batch->n_unparsed + 1, sizeof (Journey__V1__EventResult *));
    assert (events && unparsed);
    int rc = 0;
    for (size_t i = 0; i < br->n_results && rc == 0; i++) {
        const Journey__V1__EventResult *r = br->results[i];
        size_t index = r->has_index ? r->index : i;
        if (index >= batch->n_events || events[index])
            rc = -1;
        else
            events[index] = r;
    }
    for (size_t i = 0; i < br->n_unparsed_results && rc == 0; i++) {
        const Journey__V1__EventResult *r = br->unparsed_results[i];
        size_t index = r->has_index ? r->index : i;
        if (index >= batch->n_unparsed || unparsed[index])
            rc = -1;
        else
            unparsed[index] = r;
    }
    if (rc != 0)
        s_fail (self,
                "push: the daemon's answer to the batch of lines %" PRIu64 "-%" PRIu64
                " has a result with a wrong or repeated index",
                batch->first_line, batch->last_line);
    while (rc == 0 && (e < batch->n_events || u < batch->n_unparsed)) {
        if (u == batch->n_unparsed || (e < batch->n_events && event_of[e] < unparsed_of[u])) {
            rc = s_record (self, event_of[e], events[e]);
            e++;
        } else {
            rc = s_record (self, unparsed_of[u], unparsed[u]);
            u++;
        }
    }
    free (events);
    free (unparsed);
    return rc;
}

//  --- Failures and retries -----------------------------------------------------------------

static int s_give_up (s_push_t *self, const char *why)
{
    int64_t waited = zclock_mono () - self->last_progress;
    uint64_t next = self->queued ? self->queue[0]->first_line : self->confirmed_line + 1;
    char done[160];
    if (self->confirmed_line == 0)
        snprintf (done, sizeof done, "nothing confirmed");
    else
        snprintf (done, sizeof done,
                  "lines 1-%" PRIu64 " confirmed (%" PRIu64 " accepted, %" PRIu64
                  " duplicate, %" PRIu64 " rejected)",
                  self->confirmed_line, self->accepted, self->duplicate, self->rejected);
    return s_fail (self,
                   "push: gave up after %.1f s without progress (%s); %s: %s, line %" PRIu64
                   " onwards not confirmed; sending the file again is safe (confirmed events "
                   "come back as duplicates)",
                   (double) waited / 1000.0, why, self->name, done, next);
}

//  A batch was not processed (BUSY, ERROR) or not answered. Everything in flight goes again, in
//  order, after the backoff; the socket is replaced when an answer could still come on it.
static int s_retry_later (s_push_t *self, const char *why, long retry_after_ms, bool replace)
{
    int64_t now = zclock_mono ();
    if (now - self->last_progress >= self->give_up_ms)
        return s_give_up (self, why);
    if (replace || self->in_flight > 1) {
        if (s_connect (self) != 0)
            return -1;
    }
    for (size_t i = 0; i < self->queued; i++)
        self->queue[i]->sent = false;
    self->in_flight = 0;
    long wait = self->backoff_ms > retry_after_ms ? self->backoff_ms : retry_after_ms;
    self->resume_at = now + wait;
    self->backoff_ms =
        self->backoff_ms * 2 > S_BACKOFF_MAX_MS ? S_BACKOFF_MAX_MS : self->backoff_ms * 2;
    self->retries++;
    s_progress_clear (self);
    fprintf (stderr,
             "journey: push: lines %" PRIu64 "-%" PRIu64
             " not confirmed (%s); retrying in %ld ms\n",
             self->queue[0]->first_line, self->queue[0]->last_line, why, wait);
    return 0;
}

static void s_dequeue (s_push_t *self, size_t index)
{
    s_batch_destroy (&self->queue[index]);
    memmove (&self->queue[index], &self->queue[index + 1],
             (self->queued - index - 1) * sizeof (s_batch_t *));
    self->queued--;
}

//  One message on the socket. 0, or -1 to stop.
static int s_handle_answer (s_push_t *self)
{
    jy_wire_status_t status;
    jy_envelope_t *reply = jy_wire_recv (self->sock, JY_WIRE_DEFAULT_CAP, NULL, NULL, &status);
    if (!reply || status != JY_WIRE_OK) {
        s_progress_clear (self);
        jy_warning ("push: unreadable answer from the daemon ignored: %s",
                    jy_wire_status_text (status));
        jy_envelope_free (&reply);
        return 0;
    }
    size_t index = 0;
    while (index < self->queued && !(self->queue[index]->sent && reply->message_id &&
                                     strcmp (reply->message_id, self->queue[index]->id) == 0))
        index++;
    int rc = 0;
    if (reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY && reply->reply &&
        (index < self->queued || !reply->message_id)) {
        //  A coded refusal of the request itself (not an EventBatch answer): nothing to retry.
        rc = s_fail (self, "push: the daemon at %s refused the batch: %s: %s", self->endpoint,
                     reply->reply->code ? reply->reply->code : "error",
                     reply->reply->message ? reply->reply->message : "");
    } else if (index == self->queued ||
               reply->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_BATCH_RESULT ||
               !reply->batch_result) {
        jy_debug ("push: an answer to no batch in flight ignored");
    } else {
        s_batch_t *batch = self->queue[index];
        const Journey__V1__BatchResult *br = reply->batch_result;
        const char *message = br->message && *br->message ? br->message : "no message";
        char why[600];
        self->last_heard = zclock_mono ();
        switch (br->status) {
        case JOURNEY__V1__BATCH_RESULT__STATUS__OK:
            if (s_record_batch (self, batch, br) != 0) {
                rc = -1;
                break;
            }
            if (batch->last_line > self->confirmed_line && index == 0)
                self->confirmed_line = batch->last_line;
            self->in_flight--;
            s_dequeue (self, index);
            self->backoff_ms = S_BACKOFF_FIRST_MS;
            self->last_progress = self->last_heard;
            s_progress (self);
            break;
        case JOURNEY__V1__BATCH_RESULT__STATUS__BAD_BATCH:
            rc = s_fail (self,
                         "push: the daemon refused the batch of lines %" PRIu64 "-%" PRIu64
                         ": %s (lines 1-%" PRIu64 " confirmed)",
                         batch->first_line, batch->last_line, message, self->confirmed_line);
            break;
        case JOURNEY__V1__BATCH_RESULT__STATUS__BUSY:
            snprintf (why, sizeof why, "daemon busy: %s", message);
            rc = s_retry_later (self, why, br->has_retry_after_ms ? (long) br->retry_after_ms : 0,
                                false);
            break;
        default: //  ERROR, or a status this build does not know: nothing was processed
            snprintf (why, sizeof why, "daemon error: %s", message);
            rc = s_retry_later (self, why, br->has_retry_after_ms ? (long) br->retry_after_ms : 0,
                                false);
            break;
        }
    }
    jy_envelope_free (&reply);
    return rc;
}

//  --- The loop -----------------------------------------------------------------------------

static int s_send_ready (s_push_t *self, int64_t now)
{
    if (now < self->resume_at)
        return 0;
    for (size_t i = 0; i < self->queued && self->in_flight < self->window; i++) {
        s_batch_t *batch = self->queue[i];
        if (batch->sent)
            continue;
        zframe_t *copy = zframe_dup (batch->frame);
        assert (copy);
        if (zframe_send (&copy, self->sock, ZFRAME_DONTWAIT) != 0) {
            zframe_destroy (&copy);
            return s_retry_later (self, "cannot send: the socket's queue is full", 0, true);
        }
        if (self->in_flight == 0)
            self->last_heard = now;
        batch->sent = true;
        self->in_flight++;
    }
    return 0;
}

static int s_run (s_push_t *self)
{
    self->last_progress = zclock_mono ();
    self->backoff_ms = S_BACKOFF_FIRST_MS;
    for (;;) {
        int64_t now = zclock_mono ();
        if (s_send_ready (self, now) != 0)
            return -1;
        if (self->eof && self->queued == 0)
            return 0;
        //  Read while the queue has room; a pipe with no whole line yet is polled with the
        //  socket, so that timers (a backoff, a reply timeout) still run while it is quiet.
        bool awaiting_input = false;
        if (!self->eof && self->queued < self->window + 1) {
            size_t queued = self->queued;
            if (s_read (self) != 0)
                return -1;
            if (self->queued > queued || self->eof)
                continue;
            awaiting_input = true;
        }
        s_poll_input (self, awaiting_input);
        int64_t wait = S_DEFAULT_GIVE_UP;
        if (self->in_flight > 0)
            wait = self->last_heard + self->reply_timeout_ms - now;
        if (self->resume_at > now && (self->in_flight == 0 || self->resume_at - now < wait))
            wait = self->resume_at - now;
        if (wait < 0)
            wait = 0;
        void *which = zpoller_wait (self->poller, (int) wait);
        if (which == &self->fd)
            continue; //  more input: read it on the next turn
        if (which && which == self->monitor) {
            //  A refused handshake is not transient: fail now. Nothing listening may be a
            //  daemon restarting: say so when retrying, and go on until push/give_up_ms.
            char why[sizeof self->link_why];
            cli_link_t link =
                cli_link_event (self->monitor, self->endpoint, &self->link, why, sizeof why);
            if (link == CLI_LINK_REFUSED)
                return s_fail (self, "push: %s", why);
            if (link == CLI_LINK_NOT_LISTENING)
                snprintf (self->link_why, sizeof self->link_why, "%s", why);
            else if (link == CLI_LINK_CONNECTED)
                self->link_why[0] = '\0';
            continue;
        }
        if (which) {
            if (s_handle_answer (self) != 0)
                return -1;
            continue;
        }
        if (zpoller_terminated (self->poller))
            return s_fail (self, "push: interrupted after line %" PRIu64 " was confirmed",
                           self->confirmed_line);
        now = zclock_mono ();
        if (self->in_flight > 0 && now - self->last_heard >= self->reply_timeout_ms) {
            char why[600];
            if (self->link_why[0])
                snprintf (why, sizeof why, "%s", self->link_why);
            else
                snprintf (why, sizeof why, "no answer from %s in %ld ms", self->endpoint,
                          self->reply_timeout_ms);
            if (s_retry_later (self, why, 0, true) != 0)
                return -1;
        }
    }
}

//  --- --wait: until journey-timelinessd has taken the push in ------------------------------

//  One feed's head (want_head) or position from a daemon's Status. 0, or -1 with why and state.
static int s_feed_status (const char *endpoint, const char *feed, bool want_head, uint64_t *value,
                          char *why, size_t size, cli_state_t *state)
{
    jy_envelope_t request;
    Journey__V1__StatusRequest body;
    cli_status_request (&request, &body);
    jy_envelope_t *reply = NULL;
    const char *reason = NULL;
    cli_request_each (&endpoint, 1, &request, S_STATUS_MS, &reply, &reason, state);
    if (!reply) {
        snprintf (why, size, "%s", reason);
        return -1;
    }
    int rc = -1;
    if (reply->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY)
        snprintf (why, size, "it answered Status with something else");
    else {
        const Journey__V1__StatusReply *status = reply->status_reply;
        for (size_t i = 0; i < status->n_feeds && rc != 0; i++)
            if (status->feeds[i]->feed && strcmp (status->feeds[i]->feed, feed) == 0) {
                *value = want_head ? status->feeds[i]->head : status->feeds[i]->position;
                rc = 0;
            }
        if (rc != 0)
            snprintf (why, size, "its Status reports no \"%s\" feed", feed);
    }
    jy_envelope_free (&reply);
    return rc;
}

//  Every batch is answered, and journey-ingestd moves its feed's head as it answers: the head
//  it reports now covers every event this push stored. Wait until journey-timelinessd's
//  position on that feed (committed with the deadlines it derived) reaches it.
static int s_wait_taken_in (s_push_t *self, long timeout_s)
{
    const char *timeliness = jy_config_get (self->cli->config, "timeliness/request");
    if (!timeliness || !*timeliness)
        return cli_fail ("push --wait: timeliness/request is not set (set it in the configuration "
                         "file or as JOURNEY_TIMELINESS_REQUEST)");
    char why[600];
    cli_state_t state;
    uint64_t head = 0, position = 0;
    if (s_feed_status (self->endpoint, "events", true, &head, why, sizeof why, &state) != 0)
        return cli_fail ("push --wait: cannot read journey-ingestd's feed head at %s: %s",
                         self->endpoint, why);
    int64_t deadline = zclock_mono () + (int64_t) timeout_s * 1000;
    for (;;) {
        int rc = s_feed_status (timeliness, "events", false, &position, why, sizeof why, &state);
        if (rc == 0 && position >= head)
            return 0;
        if (rc != 0 && state != CLI_STATE_NOT_RUNNING)
            return cli_fail ("push --wait: journey-timelinessd at %s: %s", timeliness, why);
        if (zclock_mono () >= deadline) {
            if (rc != 0)
                return cli_fail ("push --wait: journey-timelinessd at %s did not answer in %ld s: "
                                 "%s; the events are stored, its deadlines will follow when it "
                                 "runs",
                                 timeliness, timeout_s, why);
            return cli_fail ("push --wait: after %ld s journey-timelinessd at %s has taken the "
                             "event feed up to %" PRIu64 " of %" PRIu64
                             "; the events are stored, its deadlines are not all derived yet",
                             timeout_s, timeliness, position, head);
        }
        if (zsys_interrupted)
            return cli_fail ("push --wait: interrupted");
        zclock_sleep (S_WAIT_POLL_MS);
    }
}

static void s_print_summary (s_push_t *self)
{
    if (self->cli->json) {
        json_t *doc = json_pack ("{sssIsIsIsIsO}", "file", self->name, "lines",
                                 (json_int_t) self->lines, "accepted", (json_int_t) self->accepted,
                                 "duplicate", (json_int_t) self->duplicate, "rejected",
                                 (json_int_t) self->rejected, "rejections", self->rejections);
        cli_print_json (doc);
    } else {
        printf ("%s: %" PRIu64 " lines, %" PRIu64 " accepted, %" PRIu64 " duplicate, %" PRIu64
                " rejected\n",
                self->name, self->lines, self->accepted, self->duplicate, self->rejected);
        fflush (stdout);
    }
}

//  push's options, by their index in s_push_options.
enum { S_PUSH_BATCH, S_PUSH_WINDOW, S_PUSH_WAIT, S_PUSH_TIMEOUT };
static const cli_option_t s_push_options[] = {
    [S_PUSH_BATCH] = {"--batch", CLI_OPTION_NUMBER, "a number", 1, S_MAX_BATCH, NULL},
    [S_PUSH_WINDOW] = {"--window", CLI_OPTION_NUMBER, "a number", 1, S_MAX_WINDOW, NULL},
    [S_PUSH_WAIT] = {"--wait", CLI_OPTION_FLAG, NULL, 0, 0, NULL},
    [S_PUSH_TIMEOUT] = {"--timeout", CLI_OPTION_NUMBER, "a number of seconds", 1, S_MAX_WAIT_S,
                        NULL},
    {NULL, 0, NULL, 0, 0, NULL},
};

int cmd_push (cli_t *cli, int argc, char **argv)
{
    static const cli_options_t spec = {"push", s_push_options, 1, false};
    cli_parsed_t parsed;
    int parse = cli_options_parse (&spec, argc, argv, 1, &parsed);
    if (parse == CLI_HELP) {
        fputs (s_usage_text, stdout);
        return CLI_OK;
    }
    if (parse != CLI_OK)
        return parse;
    const cli_value_t *values = parsed.values;
    if (parsed.nargs == 0) {
        fputs (s_usage_text, stderr);
        return cli_usage ("push: FILE is required (- for stdin)");
    }
    const char *path = parsed.args[0];
    size_t batch_size = values[S_PUSH_BATCH].given ? values[S_PUSH_BATCH].number : S_DEFAULT_BATCH;
    size_t window = values[S_PUSH_WINDOW].given ? values[S_PUSH_WINDOW].number : S_DEFAULT_WINDOW;
    bool wait = values[S_PUSH_WAIT].given;
    size_t wait_s = values[S_PUSH_TIMEOUT].given ? values[S_PUSH_TIMEOUT].number : S_DEFAULT_WAIT_S;
    if (values[S_PUSH_TIMEOUT].given && !wait)
        return cli_usage ("push: --timeout goes with --wait");

    s_push_t self = {0};
    self.cli = cli;
    self.batch_size = batch_size;
    self.window = window;
    if (jy_config_int (cli->config, "push/reply_timeout_ms", S_DEFAULT_TIMEOUT, 100, 3600000,
                       &self.reply_timeout_ms) != 0 ||
        jy_config_int (cli->config, "push/give_up_ms", S_DEFAULT_GIVE_UP, 0, 7L * 24 * 3600000,
                       &self.give_up_ms) != 0)
        return cli_fail ("%s", jy_config_error (cli->config));
    self.endpoint = jy_config_get (cli->config, "ingest/request");
    if (!self.endpoint || !*self.endpoint)
        return cli_fail ("push: ingest/request is not set (set it in the configuration file or as "
                         "JOURNEY_INGEST_REQUEST)");

    if (strcmp (path, "-") == 0) {
        self.fd = STDIN_FILENO;
        self.name = "stdin";
    } else {
        self.fd = open (path, O_RDONLY | O_CLOEXEC);
        if (self.fd < 0)
            return cli_usage ("push: cannot read %s: %s", path, strerror (errno));
        self.name = path;
    }
    struct stat info;
    if (fstat (self.fd, &info) == 0 && S_ISREG (info.st_mode))
        self.file_size = (uint64_t) info.st_size;
    self.reader = line_reader_new (self.fd, S_MAX_LINE);
    self.progress = isatty (STDERR_FILENO);
    self.started = zclock_mono ();
    if (cli->json)
        self.rejections = json_array ();

    self.poller = zpoller_new (NULL);
    assert (self.poller);
    int rc = s_connect (&self) == 0 ? s_run (&self) : -1;
    s_progress_clear (&self);
    if (rc == 0)
        s_print_summary (&self);
    if (rc == 0 && wait)
        rc = s_wait_taken_in (&self, (long) wait_s);

    for (size_t i = 0; i < self.queued; i++)
        s_batch_destroy (&self.queue[i]);
    s_batch_destroy (&self.reading);
    zpoller_destroy (&self.poller);
    cli_link_close (&self.sock, &self.monitor);
    json_decref (self.rejections);
    line_reader_destroy (&self.reader);
    if (self.fd != STDIN_FILENO)
        close (self.fd);
    if (rc != 0)
        return CLI_FAIL;
    return self.rejected > 0 ? CLI_FAIL : CLI_OK;
}
