/*  ingest_server: journey-ingestd's work behind the service skeleton (ingest_server.h).

    Memory holds the case store: the committed database state plus the batches on their way to
    it. Each batch is checked and applied to it in batch order on this thread, and what its one
    transaction must store (the accepted events by COPY, the dead letters, the projection's
    changes, the feed head) is serialised into self-contained write sets. A writer thread with
    its own connection executes them in order, so that checking the next chunk or batch
    overlaps the database work of the one before. The answer goes back only after COMMIT
    (DESIGN.md invariant 1), and the events go out on the feed after that, batch after batch in
    order. When anything in a transaction fails, the store has run ahead of the database: that
    batch and every one behind it in flight get ERROR, and once the writer has given everything
    back the store is discarded and loaded again from ingest.event, so nothing is lost or
    doubled.

    The main thread never waits for the writer. A batch that arrives is admitted into a queue
    when the events held (received and not yet committed and published) stay within
    ingest/max_pending_events, and answered BUSY at once otherwise; the queue is checked a
    chunk at a time while the writer has room, and between chunks the loop goes back to its
    poller, so that Status is answered and further batches are refused even while the
    database is stalled (docs/ingest.md, "Backpressure").
*/
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_server.h"
#include "jy_handoff.h"
#include "case_store.h"
#include "projection_writer.h"
#include "validate.h"

#define S_LOAD_CHUNK      50000  //  rows per query when loading the store
#define S_FEED_HWM        100000 //  default ingest/feed_hwm
#define S_MAX_PENDING     20000  //  default ingest/max_pending_events
#define S_RETRY_AFTER_MS  1000   //  told to a client when the database fails
#define S_BUSY_RETRY_MS   500    //  told to a client refused BUSY
#define S_HEARTBEAT_MS    1000
#define S_RELOAD_MS       1000 //  between attempts to load the store while it is not loaded
#define S_ERROR_SIZE      1024
#define S_CHUNK           500   //  events checked before they go to the writer
#define S_FIRST_CHUNK     100   //  the first chunk of a batch: the database waits for it
#define S_MAX_IN_FLIGHT   8     //  write sets queued or running in the writer
#define S_STALLED_MS      1000  //  a BUSY answer mentions a writer this long without progress
#define S_DEAD_ARRAYS     10    //  columns of ingest.dead_letter sent as arrays
#define S_DEAD_MAX_BYTES  4096  //  default ingest/dead_letter_max_bytes
#define S_DEAD_PER_MINUTE 20000 //  default ingest/dead_letter_per_minute
#define S_DEAD_WINDOW_MS  60000 //  the rate limit's interval
#define S_REFUSED_MAX     10000 //  connections remembered with a batch refused BUSY

//  One event or unparsed record of a batch, and what became of it.
typedef struct {
    const Journey__V1__Event *event;            //  NULL for an unparsed record
    const Journey__V1__UnparsedEvent *unparsed; //  NULL for an event
    Journey__V1__EventResult result;
    const uint8_t *packed; //  the packed Event (in the batch's arena)
    size_t packed_size;
    uint8_t hash[CASE_HASH_SIZE];
    uint64_t seq; //  accepted: its feed sequence
    char field[96];
    char message[320];
} s_item_t;

//  An admitted batch, from its arrival until its events are on the feed: waiting, being
//  checked, with the writer, then published. Everything its answer and its feed messages need.
typedef struct _s_pending_t {
    zframe_t *routing_id;
    char *message_id;
    Journey__V1__EventBatch *batch; //  taken from the request
    size_t count;                   //  events and unparsed records
    s_item_t *items;                //  from when its checking begins (s_begin)
    uint8_t **arenas;               //  the events packed, one arena per chunk
    size_t arena_count;
    jy_date_t today;   //  the date it is checked against
    int64_t begun_ms;  //  the clock when its checking began (dead letters' rate limit)
    uint64_t head_old; //  the feed head before its events
    size_t next_item;  //  the first item of the next chunk to check
    size_t accepted, duplicates, rejected;
    int64_t started, checked; //  usecs, for the debug log
    size_t published;         //  items up to here are on the feed (committed, answered)
    //  The sender's rights, copied at admission: its chunks are checked later (from the timer,
    //  or when the writer returns), when the service's current request is another's or none.
    bool curve;                //  admitted under CURVE: sender_la_codes limits its LAs
    char *sender;              //  the key's name (CURVE), else NULL
    char *sender_la_codes;     //  its certificate's la_codes, NULL when it has none
    struct _s_pending_t *next; //  in the waiting queue, then in the publishing queue
} s_pending_t;

//  What the writer thread executes: part of one batch's transaction, self-contained (the
//  writer reads nothing else of the actor's). The actor owns it; the writer fills in rc and
//  error and gives it back.
typedef struct _s_write_t s_write_t;
struct _s_write_t {
    uint64_t generation;               //  of the store it was checked against
    bool commit;                       //  the batch's last write set: projection, head, COMMIT
    jy_sql_text_t copy;                //  ingest.event rows, binary COPY rows (s_copy_open)
    size_t dead_count;                 //  dead letters in dead[] (closed arrays)
    jy_sql_text_t dead[S_DEAD_ARRAYS]; //  la_code ... raw, array literals
    bool has_batch_id;                 //
    jy_sql_text_t batch_id;            //  for the dead letters
    bool has_sender;                   //
    jy_sql_text_t sender;              //  for the dead letters: the key's name (CURVE)
    projection_plan_t *plan;           //  commit only: the projection's statements
    uint64_t head_old, head_new;       //  commit only: the feed head compare-and-set
    s_pending_t *pending;              //  commit only, actor's: the batch to answer
    int rc;                            //  writer's: 0 or -1
    char error[S_ERROR_SIZE];          //  writer's: why not
    s_write_t *next;                   //  actor's: spare list
};

//  Dead letters kept from one sender (a key's name; "" without CURVE) in the rate limit's
//  current interval, and since start.
typedef struct {
    int64_t window_start;    //  the clock (ms) when the current interval began
    uint64_t in_window;      //  kept in the current interval
    uint64_t dropped_window; //  not kept in the current interval (past the limit)
    uint64_t kept, dropped;  //  since start
} s_sender_t;

typedef struct {
    jy_service_t *service;
    jy_la_codes_t la_codes;      //  accepted LA codes; the first is la/code
    long dead_letter_max_bytes;  //  ingest/dead_letter_max_bytes: raw bytes kept of each
    long dead_letter_per_minute; //  ingest/dead_letter_per_minute: kept per sender and minute
    zhashx_t *senders;           //  sender name -> s_sender_t
    zhashx_t *refused;           //  connection (routing id, hex) -> message id refused BUSY
    long batch_max;
    long max_pending_events; //  the admission bound (ingest/max_pending_events)
    long feed_hwm;           //  ingest/feed_hwm
    jy_db_t *db;
    case_store_t *store; //  NULL while not loaded: batches get ERROR until it is
    const jy_feed_def_t *feed;
    zsock_t *pub;
    jy_feed_pub_t *publisher;
    uint64_t head;                  //  newest committed feed sequence
    uint64_t assigned;              //  newest feed sequence given to a checked event
    zactor_t *writer;               //  the writer thread (s_writer_actor)
    uint64_t generation;            //  of the store; a reload starts the next one
    size_t in_flight;               //  write sets with the writer
    bool failed;                    //  a write failed: reload once the writer gave all back
    s_write_t *spare;               //  write sets to reuse
    s_pending_t *waiting;           //  admitted batches not yet being checked, oldest first
    s_pending_t *waiting_tail;      //
    s_pending_t *checking;          //  the batch being checked, a chunk at a time, or NULL
    s_pending_t *unpublished;       //  committed and answered batches whose events are not all
    s_pending_t *unpublished_tail;  //  on the feed yet, oldest first (s_publish)
    size_t pending_batches;         //  admitted and not yet freed (all of the above)
    size_t pending_events;          //  their events and unparsed records: the bounded count
    uint64_t busy_answers;          //  batches refused BUSY since start
    int64_t writer_progress_at;     //  monotonic ms: a write set came back, or went to an idle
                                    //  writer
    int64_t heartbeat_at;           //  monotonic ms of the last heartbeat
    int64_t reload_at;              //  monotonic ms of the next load attempt
    char error[S_ERROR_SIZE];       //  the last failure, for replies
    char health[S_ERROR_SIZE + 64]; //  why unhealthy, for Status
    //  Status fields, kept here because the skeleton packs the reply after the hook returns.
    Journey__V1__FeedPosition position;
    Journey__V1__FeedPosition *positions[1];
    Journey__V1__Backlog backlog;
    //  Scratch, reused.
    jy_sql_text_t packed;
} s_server_t;

//  --- Configuration -----------------------------------------------------------------------------

//  la/code, ingest/la_codes, ingest/batch_max, ingest/max_pending_events, ingest/feed_hwm. 0 or
//  -1 with jy_config_error set.
static int s_configure (s_server_t *self, jy_config_t *config)
{
    if (jy_config_la_codes (config, "ingest/la_codes", &self->la_codes) ||
        jy_config_int (config, "ingest/batch_max", 10000, 1, 100000, &self->batch_max) ||
        jy_config_int (config, "ingest/max_pending_events", S_MAX_PENDING, 1, 10000000,
                       &self->max_pending_events) ||
        jy_config_int (config, "ingest/feed_hwm", S_FEED_HWM, 1, 10000000, &self->feed_hwm) ||
        jy_config_int (config, "ingest/dead_letter_max_bytes", S_DEAD_MAX_BYTES, 0, 16777216,
                       &self->dead_letter_max_bytes) ||
        jy_config_int (config, "ingest/dead_letter_per_minute", S_DEAD_PER_MINUTE, 0, 100000000,
                       &self->dead_letter_per_minute))
        return -1;
    if (self->max_pending_events < self->batch_max)
        return jy_config_fail (config, "ingest/max_pending_events",
                               "%ld is less than ingest/batch_max (%ld): a batch that size could "
                               "never be admitted",
                               self->max_pending_events, self->batch_max);
    return 0;
}

//  --- Loading the case store --------------------------------------------------------------------

static void s_set_error (s_server_t *self, const char *what, const char *detail)
{
    snprintf (self->error, sizeof self->error, "%s%s%s", what, detail && *detail ? ": " : "",
              detail ? detail : "");
}

//  Are the tables there? 0, or -1 with self->error naming what is missing.
static int s_check_schema (s_server_t *self)
{
    jy_sql_text_t names = {0};
    jy_sql_text_array_open (&names);
    jy_sql_text_array_text (&names, "event");
    jy_sql_text_array_text (&names, "dead_letter");
    for (int t = 0; t < PROJ__COUNT; t++)
        jy_sql_text_array_text (&names, projection_table ((proj_table_t) t)->name);
    jy_sql_text_array_close (&names);
    const char *params[1] = {names.data};
    PGresult *result =
        jy_db_query (self->db,
                     "SELECT string_agg ('ingest.' || n, ', ' ORDER BY o) FROM unnest ($1::text[])"
                     " WITH ORDINALITY AS t(n, o) WHERE to_regclass ('ingest.' || n) IS NULL",
                     1, params);
    jy_sql_text_free (&names);
    if (!result) {
        s_set_error (self, "database", jy_db_error (self->db));
        return -1;
    }
    int rc = 0;
    if (!PQgetisnull (result, 0, 0)) {
        snprintf (self->error, sizeof self->error,
                  "the database is not migrated (no %s): run `journey migrate`",
                  PQgetvalue (result, 0, 0));
        rc = -1;
    }
    PQclear (result);
    return rc;
}

//  (Re)create the publisher at the committed head, so that its heartbeat tells subscribers
//  about anything committed but not published (a COMMIT whose answer was lost).
static void s_publisher_reset (s_server_t *self)
{
    jy_feed_pub_destroy (&self->publisher);
    self->publisher = jy_feed_pub_new (self->pub, self->feed, self->head);
}

//  Build the store by applying every stored event in sequence order. 0, or -1 with
//  self->error and the store left NULL.
static int s_load (s_server_t *self)
{
    assert (!self->store);
    int64_t started = zclock_mono ();
    case_store_t *store = case_store_new ();
    uint64_t last = 0;
    char chunk[16];
    snprintf (chunk, sizeof chunk, "%d", S_LOAD_CHUNK);
    for (;;) {
        char after[24];
        snprintf (after, sizeof after, "%" PRIu64, last);
        const char *params[2] = {after, chunk};
        PGresult *result = jy_db_query_binary (
            self->db,
            "SELECT seq, content_hash, envelope FROM ingest.event WHERE seq > $1"
            " ORDER BY seq LIMIT $2",
            2, params);
        if (!result) {
            s_set_error (self, "loading events", jy_db_error (self->db));
            goto failed;
        }
        int rows = PQntuples (result);
        for (int row = 0; row < rows; row++) {
            uint64_t seq = (uint64_t) jy_db_get_int8 (result, row, 0);
            jy_wire_status_t status;
            jy_envelope_t *envelope = jy_wire_unpack ((const uint8_t *) PQgetvalue (result, row, 2),
                                                      (size_t) PQgetlength (result, row, 2),
                                                      JY_WIRE_DEFAULT_CAP, &status);
            const Journey__V1__Event *event =
                envelope && envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT
                    ? envelope->event
                    : NULL;
            int rc = -1;
            if (event && PQgetlength (result, row, 1) == CASE_HASH_SIZE) {
                //  Repacked: the stored event's bytes, as case_store_apply keeps for rebuilds.
                size_t size = journey__v1__event__get_packed_size (event);
                self->packed.size = 0;
                jy_sql_text_reserve (&self->packed, size);
                journey__v1__event__pack (event, (uint8_t *) self->packed.data);
                rc = case_store_apply (store, event, (const uint8_t *) self->packed.data, size,
                                       (const uint8_t *) PQgetvalue (result, row, 1));
            }
            jy_envelope_free (&envelope);
            if (rc != 0) {
                //  The table is the truth: skipping a row would serve a different history.
                snprintf (self->error, sizeof self->error,
                          "stored event %" PRIu64 " cannot be loaded (%s)", seq,
                          event ? "not applicable" : jy_wire_status_text (status));
                PQclear (result);
                goto failed;
            }
            last = seq;
        }
        PQclear (result);
        if (rows < S_LOAD_CHUNK)
            break;
    }
    uint64_t head;
    if (jy_feed_head (self->db, self->feed, &head)) {
        s_set_error (self, "reading the feed head", jy_db_error (self->db));
        goto failed;
    }
    if (head != last)
        jy_warning ("feed events: head %" PRIu64 " but the last stored event is %" PRIu64, head,
                    last);
    case_store_clear_dirty (store); //  all of it is in the database already
    self->store = store;
    self->head = self->assigned = head;
    if (self->pub)
        s_publisher_reset (self);
    self->health[0] = '\0';
    jy_info ("loaded %zu events of %zu children in %" PRId64 " ms (feed head %" PRIu64 ")",
             case_store_event_count (store), case_store_child_count (store),
             zclock_mono () - started, head);
    return 0;
failed:
    case_store_destroy (&store);
    snprintf (self->health, sizeof self->health, "case store not loaded: %s", self->error);
    jy_error ("%s", self->health);
    return -1;
}

static void s_publish (s_server_t *self, size_t max);

//  Discard the store and load it again (after a failed transaction, or while not loaded).
static int s_reload (s_server_t *self)
{
    s_publish (self, SIZE_MAX); //  what committed goes out before the publisher restarts
    case_store_destroy (&self->store);
    self->reload_at = zclock_mono () + S_RELOAD_MS;
    if (jy_db_ensure (self->db) != 0) {
        s_set_error (self, "database unreachable", jy_db_error (self->db));
        snprintf (self->health, sizeof self->health, "case store not loaded: %s", self->error);
        return -1;
    }
    return s_load (self);
}

//  --- Replies -----------------------------------------------------------------------------------

static void s_reply_batch (s_server_t *self, zframe_t *routing_id, char *message_id,
                           Journey__V1__BatchResult *answer)
{
    jy_envelope_t reply;
    jy_envelope_init (&reply);
    reply.message_id = message_id;
    reply.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_BATCH_RESULT;
    reply.batch_result = answer;
    jy_service_reply (self->service, routing_id, &reply);
}

//  Nothing was processed: the client retries the whole batch.
static void s_reply_failure (s_server_t *self, zframe_t *routing_id, char *message_id,
                             char *batch_id, Journey__V1__BatchResult__Status status,
                             const char *message)
{
    Journey__V1__BatchResult answer = JOURNEY__V1__BATCH_RESULT__INIT;
    answer.batch_id = batch_id;
    answer.has_status = true;
    answer.status = status;
    answer.message = (char *) message;
    if (status == JOURNEY__V1__BATCH_RESULT__STATUS__ERROR ||
        status == JOURNEY__V1__BATCH_RESULT__STATUS__BUSY) {
        answer.has_retry_after_ms = true;
        answer.retry_after_ms =
            status == JOURNEY__V1__BATCH_RESULT__STATUS__BUSY ? S_BUSY_RETRY_MS : S_RETRY_AFTER_MS;
    }
    s_reply_batch (self, routing_id, message_id, &answer);
}

//  --- One batch -----------------------------------------------------------------------------

static void s_reject (s_item_t *item, const char *code, const char *field, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

static void s_reject (s_item_t *item, const char *code, const char *field, const char *format, ...)
{
    item->result.has_status = true;
    item->result.status = JOURNEY__V1__EVENT_RESULT__STATUS__REJECTED;
    item->result.code = (char *) code;
    snprintf (item->field, sizeof item->field, "%s", field ? field : "");
    item->result.field = field ? item->field : NULL;
    va_list args;
    va_start (args, format);
    vsnprintf (item->message, sizeof item->message, format, args);
    va_end (args);
    item->result.message = item->message;
}

//  Authority, idempotency, validation, then apply: in that order, except that an event without
//  event_id or a well-formed la_code cannot be idempotency-checked and goes to validation
//  (missing_field, bad_la_code).
static void s_check_event (s_server_t *self, const s_pending_t *pending, s_item_t *item)
{
    const Journey__V1__Event *event = item->event;
    //  A malformed la_code is validation's to name (bad_la_code), not the authority check's.
    const char *la = event->la_code;
    bool has_la = la && strlen (la) == 3 && isdigit ((unsigned char) la[0]) &&
                  isdigit ((unsigned char) la[1]) && isdigit ((unsigned char) la[2]);
    bool keyed = has_la && event->event_id && *event->event_id;
    if (has_la && !jy_la_codes_allowed (&self->la_codes, event->la_code)) {
        s_reject (item, "la_not_allowed", "la_code",
                  "this deployment does not accept events for la_code \"%.64s\"", event->la_code);
        return;
    }
    //  With CURVE, also only the LAs the sender's certificate names (docs/security.md), as
    //  they were when the batch was admitted.
    if (has_la && pending->curve && !jy_security_list_has (pending->sender_la_codes, la)) {
        s_reject (item, "la_not_allowed", "la_code",
                  "the key %.64s may not push events for la_code \"%s\" (its certificate's "
                  "la_codes: %.200s)",
                  pending->sender ? pending->sender : "(unknown)", la,
                  pending->sender_la_codes ? pending->sender_la_codes : "none");
        return;
    }
    if (keyed) {
        case_event_check_t check =
            case_store_check_event (self->store, event->la_code, event->event_id, item->hash);
        if (check == CASE_EVENT_DUPLICATE) {
            item->result.has_status = true;
            item->result.status = JOURNEY__V1__EVENT_RESULT__STATUS__DUPLICATE;
            item->result.code = "duplicate";
            return;
        }
        if (check == CASE_EVENT_CONFLICT) {
            s_reject (item, "conflict", "event_id",
                      "event_id %.64s was accepted before with different content: send a "
                      "correction with a new event_id",
                      event->event_id);
            return;
        }
    }
    validate_result_t verdict;
    if (validate_event (self->store, event, pending->today, &verdict) != 0) {
        s_reject (item, verdict.code, verdict.field, "%s", verdict.message);
        return;
    }
    //  Validation lets no event without its keys through; should it ever, refuse rather
    //  than crash (invariant 4).
    if (!keyed ||
        case_store_apply (self->store, event, item->packed, item->packed_size, item->hash) != 0) {
        s_reject (item, "missing_field", "event_id",
                  "the event cannot be applied without "
                  "event_id, la_code and child_id");
        return;
    }
    item->result.has_status = true;
    item->result.status = JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED;
}

static const char *s_kind (const Journey__V1__Event *event)
{
    const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field (
        &journey__v1__event__descriptor, (unsigned) event->payload_case);
    return field ? field->name : "unknown";
}

//  The envelope an accepted event is stored and published in: the same fields both times, so
//  the same bytes (catch-up and live readers see identical frames).
static void s_feed_envelope (jy_envelope_t *envelope, const Journey__V1__Event *event, uint64_t seq)
{
    jy_envelope_init (envelope);
    envelope->has_feed_seq = true;
    envelope->feed_seq = seq;
    envelope->payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT;
    envelope->event = (Journey__V1__Event *) event;
}

//  --- The writer thread --------------------------------------------------------------------------

//  The writer executes write sets in the order it gets them on its own connection: the batch's
//  transaction is opened by the first write set with work in it and committed by the batch's
//  last one. A failure rolls back and makes the writer refuse, without executing them, the rest
//  of that generation (everything the actor checked against state that will not commit); the
//  actor reloads the store and starts the next generation.
typedef struct {
    jy_db_t *db;
    const jy_feed_def_t *feed;
    uint64_t failed_generation; //  0: none (generations start at 1)
    bool in_transaction;
    bool in_copy; //  the batch's COPY into ingest.event is open: the next rows go on it
} s_writer_t;

//  The COPY into ingest.event of a batch's events, in binary (s_copy_row): one statement whose
//  rows arrive write set by write set, as their chunks are checked.
static const char *s_copy_events_sql =
    "COPY ingest.event (seq, la_code, event_id, child_id, kind, occurred_on, recorded_at,"
    " supersedes, content_hash, envelope) FROM STDIN (FORMAT binary)";

static const char *s_dead_letters_sql =
    "INSERT INTO ingest.dead_letter (la_code, event_id, child_id, batch_id, sender, batch_index,"
    " code, field, message, raw, raw_size, raw_sha256) SELECT d.la_code, d.event_id, d.child_id,"
    " $1, $2, d.batch_index, d.code, d.field, d.message, d.raw, d.raw_size, d.raw_sha256"
    " FROM unnest ($3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[],"
    " $9::text[], $10::bytea[], $11::int8[], $12::bytea[]) AS d(la_code, event_id, child_id,"
    " batch_index, code, field, message, raw, raw_size, raw_sha256)";

static void s_write_fail (s_write_t *write, jy_db_t *db, const char *what)
{
    write->rc = -1;
    snprintf (write->error, sizeof write->error, "%s: %s", what, jy_db_error (db));
}

//  Take the feed's numbers with a compare-and-set: the actor assigned them from the head it
//  knows, and the head row's lock, held until COMMIT, still orders commits. Another writer of
//  the feed shows as a head that moved: the transaction fails and the store is reloaded.
static int s_write_head (s_writer_t *writer, s_write_t *write)
{
    char old_head[24], new_head[24];
    snprintf (old_head, sizeof old_head, "%" PRIu64, write->head_old);
    snprintf (new_head, sizeof new_head, "%" PRIu64, write->head_new);
    const char *params[3] = {writer->feed->name, old_head, new_head};
    PGresult *result = jy_db_query (
        writer->db, "UPDATE ingest.feed_head SET head = $3 WHERE feed = $1 AND head = $2", 3,
        params);
    if (!result) {
        s_write_fail (write, writer->db, "taking feed numbers");
        return -1;
    }
    bool taken = strcmp (PQcmdTuples (result), "1") == 0;
    PQclear (result);
    if (!taken) {
        write->rc = -1;
        snprintf (write->error, sizeof write->error,
                  "taking feed numbers: the head of feed %s is no longer %" PRIu64
                  " (another writer?)",
                  writer->feed->name, write->head_old);
        return -1;
    }
    return 0;
}

//  Open the batch's COPY, unless it is open. 0 or -1.
static int s_copy_open (s_writer_t *writer)
{
    if (writer->in_copy)
        return 0;
    if (jy_db_copy_start (writer->db, s_copy_events_sql) != 0)
        return -1;
    writer->in_copy = true;
    jy_sql_text_t header = {0};
    jy_sql_text_binary_start (&header);
    int rc = jy_db_copy_send (writer->db, header.data, header.size);
    jy_sql_text_free (&header);
    return rc;
}

//  End the batch's COPY: complete it, or abandon it with a reason. 0 or -1.
static int s_copy_close (s_writer_t *writer, const char *abandon)
{
    assert (writer->in_copy);
    writer->in_copy = false;
    jy_sql_text_t trailer = {0};
    jy_sql_text_binary_end (&trailer);
    int rc = abandon ? -1 : jy_db_copy_send (writer->db, trailer.data, trailer.size);
    jy_sql_text_free (&trailer);
    if (rc != 0 && !abandon)
        abandon = "the client could not send the rows";
    return jy_db_copy_end (writer->db, abandon) == 0 && rc == 0 ? 0 : -1;
}

static void s_write_execute (s_writer_t *writer, s_write_t *write)
{
    write->rc = 0;
    if (write->generation == writer->failed_generation) {
        write->rc = -1;
        snprintf (write->error, sizeof write->error, "not stored: an earlier write failed");
        return;
    }
    bool work = write->copy.size || write->dead_count || write->head_new > write->head_old ||
                (write->commit && projection_plan_size (write->plan));
    if (work && !writer->in_transaction) {
        if (jy_db_ensure (writer->db) != 0 || jy_db_begin (writer->db) != 0) {
            s_write_fail (write, writer->db, "database");
            goto failed;
        }
        writer->in_transaction = true;
    }
    if (write->copy.size &&
        (s_copy_open (writer) != 0 ||
         jy_db_copy_send (writer->db, write->copy.data, write->copy.size) != 0)) {
        s_write_fail (write, writer->db, "storing events");
        goto failed;
    }
    //  Anything else is a statement of its own, after the COPY.
    if ((write->dead_count || write->commit) && writer->in_copy &&
        s_copy_close (writer, NULL) != 0) {
        s_write_fail (write, writer->db, "storing events");
        goto failed;
    }
    if (write->dead_count) {
        const char *params[2 + S_DEAD_ARRAYS];
        params[0] = write->has_batch_id ? write->batch_id.data : NULL;
        params[1] = write->has_sender ? write->sender.data : NULL;
        for (int a = 0; a < S_DEAD_ARRAYS; a++)
            params[2 + a] = write->dead[a].data;
        if (jy_db_exec_prepared (writer->db, "ingest_dead_letters", s_dead_letters_sql,
                                 2 + S_DEAD_ARRAYS, params) != 0) {
            s_write_fail (write, writer->db, "storing dead letters");
            goto failed;
        }
    }
    if (write->commit && projection_execute (writer->db, write->plan) != 0) {
        s_write_fail (write, writer->db, "storing the case projection");
        goto failed;
    }
    if (write->head_new > write->head_old && s_write_head (writer, write) != 0)
        goto failed;
    if (write->commit && writer->in_transaction) {
        writer->in_transaction = false;
        if (jy_db_commit (writer->db) != 0) {
            s_write_fail (write, writer->db, "commit");
            goto failed;
        }
    }
    return;
failed:
    if (writer->in_copy)
        s_copy_close (writer, "abandoned: the transaction failed");
    if (writer->in_transaction)
        jy_db_rollback (writer->db);
    writer->in_transaction = false;
    writer->failed_generation = write->generation;
}

//  The writer thread: ["WRITE"][s_write_t *] in, the same pointer back, until $TERM. The actor
//  owns every write set; the writer only fills in rc and error.
static void s_writer_actor (zsock_t *pipe, void *args)
{
    s_writer_t *writer = (s_writer_t *) args;
    zsock_signal (pipe, 0);
    for (;;) {
        char *command = NULL;
        void *pointer = NULL;
        if (zsock_recv (pipe, "sp", &command, &pointer) == -1)
            break;
        bool stop = !command || streq (command, "$TERM");
        bool write = !stop && streq (command, "WRITE") && pointer;
        free (command);
        if (stop)
            break;
        if (write) {
            s_write_t *item = (s_write_t *) pointer;
            jy_handoff_take (item);
            s_write_execute (writer, item);
            jy_handoff_give (item);
            zsock_send (pipe, "p", item);
        }
    }
    if (writer->in_copy)
        s_copy_close (writer, "abandoned: the daemon is stopping");
    if (writer->in_transaction)
        jy_db_rollback (writer->db);
    jy_db_destroy (&writer->db);
    free (writer);
}

//  --- Write sets (the actor's side)
//  ----------------------------------------------------------------

static s_write_t *s_write_new (s_server_t *self)
{
    s_write_t *write = self->spare;
    if (write)
        self->spare = write->next;
    else {
        write = calloc (1, sizeof *write);
        assert (write);
        write->plan = projection_plan_new ();
    }
    write->next = NULL;
    write->generation = self->generation;
    write->commit = false;
    write->copy.size = 0;
    write->dead_count = 0;
    write->has_batch_id = false;
    write->has_sender = false;
    write->head_old = write->head_new = 0;
    write->pending = NULL;
    write->rc = 0;
    write->error[0] = '\0';
    return write;
}

static void s_write_recycle (s_server_t *self, s_write_t *write)
{
    write->next = self->spare;
    self->spare = write;
}

static void s_write_destroy (s_write_t **write_p)
{
    s_write_t *write = *write_p;
    if (!write)
        return;
    jy_sql_text_free (&write->copy);
    jy_sql_text_free (&write->batch_id);
    jy_sql_text_free (&write->sender);
    for (int a = 0; a < S_DEAD_ARRAYS; a++)
        jy_sql_text_free (&write->dead[a]);
    projection_plan_destroy (&write->plan);
    free (write);
    *write_p = NULL;
}

static void s_pending_destroy (s_pending_t **pending_p)
{
    s_pending_t *pending = *pending_p;
    if (!pending)
        return;
    zframe_destroy (&pending->routing_id);
    free (pending->message_id);
    free (pending->sender);
    free (pending->sender_la_codes);
    journey__v1__event_batch__free_unpacked (pending->batch, NULL);
    free (pending->items);
    for (size_t a = 0; a < pending->arena_count; a++)
        free (pending->arenas[a]);
    free (pending->arenas);
    free (pending);
    *pending_p = NULL;
}

//  Done with an admitted batch: what it held no longer counts against the bound.
static void s_release (s_server_t *self, s_pending_t **pending_p)
{
    assert (self->pending_batches > 0 && self->pending_events >= (*pending_p)->count);
    self->pending_batches--;
    self->pending_events -= (*pending_p)->count;
    s_pending_destroy (pending_p);
}

//  The stored and published frame of an accepted event, Envelope{schema_version, feed_seq,
//  event}, from the event's packed bytes: protobuf-c writes fields in field-number order and a
//  submessage as its tag, its length and its own packing, so the envelope without its payload,
//  then the event field's tag and length, then the bytes already packed, are the bytes that
//  packing s_feed_envelope gives (test_ingestd compares them).
static size_t s_envelope_head (uint8_t *head, size_t size, uint64_t seq, size_t event_size)
{
    jy_envelope_t envelope;
    s_feed_envelope (&envelope, NULL, seq);
    envelope.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD__NOT_SET;
    assert (journey__v1__envelope__get_packed_size (&envelope) + 2 * 10 <= size);
    size_t used = journey__v1__envelope__pack (&envelope, head);
    //  The payload's field number is its case; wire type 2, length-delimited.
    uint64_t varints[2] = {(uint64_t) JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT << 3 | 2, event_size};
    for (int v = 0; v < 2; v++) {
        uint64_t value = varints[v];
        do {
            head[used++] = (uint8_t) ((value & 0x7F) | (value > 0x7F ? 0x80 : 0));
            value >>= 7;
        } while (value);
    }
    return used;
}

//  One binary COPY row of ingest.event.
static void s_copy_row (jy_sql_text_t *copy, const s_item_t *item)
{
    const Journey__V1__Event *event = item->event;
    //  Validation has parsed both (bad_date, bad_timestamp): an accepted event has them.
    jy_date_t occurred;
    int64_t recorded;
    int rc = jy_date_parse (event->occurred_on, &occurred);
    rc |= jy_clock_parse_timestamp (event->recorded_at, &recorded);
    assert (rc == 0);
    (void) rc;
    jy_sql_text_binary_row (copy, 10);
    jy_sql_text_binary_int8 (copy, (int64_t) item->seq);
    jy_sql_text_binary_text (copy, event->la_code);
    jy_sql_text_binary_text (copy, event->event_id);
    jy_sql_text_binary_text (copy, event->child_id);
    jy_sql_text_binary_text (copy, s_kind (event));
    jy_sql_text_binary_date (copy, occurred);
    jy_sql_text_binary_timestamp (copy, recorded);
    jy_sql_text_binary_text (copy,
                             event->supersedes && *event->supersedes ? event->supersedes : NULL);
    jy_sql_text_binary_bytes (copy, item->hash, CASE_HASH_SIZE);
    uint8_t head[64];
    size_t head_size = s_envelope_head (head, sizeof head, item->seq, item->packed_size);
    jy_sql_text_binary_bytes2 (copy, head, head_size, item->packed, item->packed_size);
}

//  Whether a dead letter from this sender may be kept now: not from a key without push rights
//  (under CURVE, a certificate without la_codes), and at most ingest/dead_letter_per_minute of
//  them per sender and interval. Counts it either way; the first one past the limit in an
//  interval is logged, and the interval's total when the next begins.
static bool s_dead_letter_allowed (s_server_t *self, bool curve, const char *sender,
                                   const char *sender_la_codes, int64_t now_ms)
{
    const char *name = curve ? (sender ? sender : "(unknown)") : "";
    s_sender_t *counts = (s_sender_t *) zhashx_lookup (self->senders, name);
    if (!counts) {
        counts = calloc (1, sizeof *counts);
        assert (counts);
        counts->window_start = now_ms;
        zhashx_insert (self->senders, name, counts);
    }
    if (curve && !(sender_la_codes && sender_la_codes[strspn (sender_la_codes, " ,\t")])) {
        //  A key that may push nothing has nothing to keep: its answer says what was wrong.
        if (counts->dropped++ == 0)
            jy_warning ("dead letters from key %s not kept: its certificate gives it no "
                        "la_codes (no push rights)",
                        name);
        return false;
    }
    if (now_ms - counts->window_start >= S_DEAD_WINDOW_MS || now_ms < counts->window_start) {
        if (counts->dropped_window)
            jy_warning ("%" PRIu64 " dead letters from %s%s not kept in the last interval "
                        "(%" PRIu64 " since start)",
                        counts->dropped_window, *name ? "key " : "plaintext senders", name,
                        counts->dropped);
        counts->window_start = now_ms;
        counts->in_window = counts->dropped_window = 0;
    }
    if (counts->in_window >= (uint64_t) self->dead_letter_per_minute) {
        if (counts->dropped_window++ == 0)
            jy_warning ("dead letters from %s%s past ingest/dead_letter_per_minute (%ld): not "
                        "kept for the rest of this minute (%" PRIu64 " kept since start)",
                        *name ? "key " : "plaintext senders", name, self->dead_letter_per_minute,
                        counts->kept);
        counts->dropped++;
        return false;
    }
    counts->in_window++;
    counts->kept++;
    return true;
}

//  The raw columns of a dead letter: at most ingest/dead_letter_max_bytes of the bytes, their
//  whole size and SHA-256.
static void s_dead_raw (s_server_t *self, jy_sql_text_t *raw, jy_sql_text_t *size_column,
                        jy_sql_text_t *digest_column, const uint8_t *data, size_t size)
{
    size_t kept =
        size < (size_t) self->dead_letter_max_bytes ? size : (size_t) self->dead_letter_max_bytes;
    uint8_t digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (digest, data ? data : (const uint8_t *) "", size);
    jy_sql_text_array_bytes (raw, data, kept);
    char text[24];
    snprintf (text, sizeof text, "%zu", size);
    jy_sql_text_array_text (size_column, text);
    jy_sql_text_array_bytes (digest_column, digest, sizeof digest);
}

//  One rejected item into the write set's dead-letter arrays.
static void s_dead_letter (s_server_t *self, s_write_t *write, const s_pending_t *pending,
                           const s_item_t *item)
{
    enum { LA, EVENT_ID, CHILD_ID, INDEX, CODE, FIELD, MESSAGE, RAW, RAW_SIZE, RAW_SHA256 };
    const char *batch_id = pending->batch->batch_id;
    if (write->dead_count++ == 0) {
        for (int a = 0; a < S_DEAD_ARRAYS; a++)
            jy_sql_text_array_open (&write->dead[a]);
        write->batch_id.size = 0;
        write->has_batch_id = batch_id != NULL;
        jy_sql_text_put (&write->batch_id, "", 0); //  "" stays "", not NULL
        if (batch_id)
            jy_sql_text_plain (&write->batch_id, batch_id);
        write->sender.size = 0;
        write->has_sender = pending->curve && pending->sender;
        jy_sql_text_put (&write->sender, "", 0);
        if (write->has_sender)
            jy_sql_text_plain (&write->sender, pending->sender);
    }
    const Journey__V1__Event *event = item->event;
    jy_sql_text_array_text (&write->dead[LA], event && event->la_code ? event->la_code : "");
    jy_sql_text_array_text (&write->dead[EVENT_ID], event ? event->event_id : NULL);
    jy_sql_text_array_text (&write->dead[CHILD_ID], event ? event->child_id : NULL);
    char index[16];
    bool has_index = item->result.has_index && item->result.index <= INT32_MAX;
    snprintf (index, sizeof index, "%" PRIu32, item->result.index);
    jy_sql_text_array_text (&write->dead[INDEX], has_index ? index : NULL);
    jy_sql_text_array_text (&write->dead[CODE], item->result.code);
    jy_sql_text_array_text (&write->dead[FIELD], item->result.field);
    jy_sql_text_array_text (&write->dead[MESSAGE],
                            item->result.message ? item->result.message : "");
    if (event)
        s_dead_raw (self, &write->dead[RAW], &write->dead[RAW_SIZE], &write->dead[RAW_SHA256],
                    item->packed, item->packed_size);
    else
        s_dead_raw (self, &write->dead[RAW], &write->dead[RAW_SIZE], &write->dead[RAW_SHA256],
                    item->unparsed->raw.data,
                    item->unparsed->has_raw ? item->unparsed->raw.len : 0);
}

//  Put committed events on the feed, oldest first, at most max of them; batches done with are
//  freed. The feed goes out a slice at a time between the chunks of the next batch (and on idle
//  loop turns), so that the database is not kept waiting for it: see s_complete.
static void s_publish (s_server_t *self, size_t max)
{
    while (self->unpublished && max > 0) {
        s_pending_t *pending = self->unpublished;
        size_t events = pending->batch->n_events;
        for (; pending->published < events && max > 0; pending->published++) {
            const s_item_t *item = &pending->items[pending->published];
            if (item->result.status != JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED)
                continue;
            jy_envelope_t envelope;
            s_feed_envelope (&envelope, item->event, item->seq);
            jy_feed_pub_send (self->publisher, item->seq, &envelope);
            max--;
        }
        if (pending->published < events)
            break;
        self->unpublished = pending->next;
        if (!self->unpublished)
            self->unpublished_tail = NULL;
        s_release (self, &pending);
    }
}

//  The writer has finished a batch: answer it and, when it committed, queue its events for the
//  feed. Takes the batch.
static void s_complete (s_server_t *self, s_pending_t *pending, s_write_t *write)
{
    Journey__V1__EventBatch *batch = pending->batch;
    const char *batch_name = batch->batch_id ? batch->batch_id : "(no id)";
    if (write->rc != 0) {
        jy_warning ("batch %s not stored: %s", batch_name, self->error);
        s_reply_failure (self, pending->routing_id, pending->message_id, batch->batch_id,
                         JOURNEY__V1__BATCH_RESULT__STATUS__ERROR, self->error);
        s_release (self, &pending);
        return;
    }
    size_t count = pending->count, events = batch->n_events;
    s_item_t *items = pending->items;
    Journey__V1__EventResult **results = calloc (count ? count : 1, sizeof *results);
    assert (results);
    for (size_t i = 0; i < count; i++)
        results[i] = &items[i].result;
    char message[128];
    snprintf (message, sizeof message, "%zu accepted, %zu duplicate, %zu rejected",
              pending->accepted, pending->duplicates, pending->rejected);
    Journey__V1__BatchResult answer = JOURNEY__V1__BATCH_RESULT__INIT;
    answer.batch_id = batch->batch_id;
    answer.has_status = true;
    answer.status = JOURNEY__V1__BATCH_RESULT__STATUS__OK;
    answer.message = message;
    answer.n_results = events;
    answer.results = results;
    answer.n_unparsed_results = batch->n_unparsed;
    answer.unparsed_results = results + events;
    s_reply_batch (self, pending->routing_id, pending->message_id, &answer);
    free (results);
    int64_t now = zclock_usecs ();
    jy_debug ("batch %s: %s (checked in %" PRId64 " ms, committed %" PRId64 " ms later)",
              batch_name, message, (pending->checked - pending->started) / 1000,
              (now - pending->checked) / 1000);

    //  Committed and answered: now the feed, behind the batches before it. Not at once: the
    //  client's next batch is on its way, and checking it is what the database waits for.
    if (write->head_new > write->head_old)
        self->head = write->head_new;
    if (pending->accepted == 0) {
        s_release (self, &pending);
        return;
    }
    if (self->unpublished_tail)
        self->unpublished_tail->next = pending;
    else
        self->unpublished = pending;
    self->unpublished_tail = pending;
}

//  Take back one write set from the writer, waiting for it (s_collect calls this only when one is
//  there; s_stop, to drain): note a failure, finish its batch.
static void s_receive (s_server_t *self)
{
    assert (self->in_flight > 0);
    void *pointer = NULL;
    if (zsock_recv (zactor_sock (self->writer), "p", &pointer) != 0 || !pointer)
        return; //  interrupted; the write set comes back on the next turn
    s_write_t *write = (s_write_t *) pointer;
    jy_handoff_take (write);
    self->in_flight--;
    if (write->rc != 0 && !self->failed) {
        //  The first failure names the cause for every batch it takes down with it.
        self->failed = true;
        snprintf (self->error, sizeof self->error, "%s", write->error);
    }
    if (write->pending) {
        s_complete (self, write->pending, write);
        write->pending = NULL;
    }
    s_write_recycle (self, write);
}

//  Take back every write set the writer has finished, without waiting.
static void s_collect (s_server_t *self)
{
    while (self->in_flight > 0 && (zsock_events (zactor_sock (self->writer)) & ZMQ_POLLIN))
        s_receive (self);
}

//  After a failure, once the writer has given back everything in flight and no batch is half
//  checked: the store has run ahead of the database, so discard it and load it again from the
//  truth.
static void s_settle (s_server_t *self)
{
    if (self->failed && self->in_flight == 0 && !self->checking) {
        self->failed = false;
        self->generation++;
        s_reload (self);
    }
}

//  Hand a write set to the writer, which has room for it (s_advance checks).
static void s_submit (s_server_t *self, s_write_t *write)
{
    assert (self->in_flight < S_MAX_IN_FLIGHT);
    if (self->in_flight == 0)
        self->writer_progress_at = zclock_mono ();
    jy_handoff_give (write);
    int rc = zsock_send (self->writer, "sp", "WRITE", write);
    assert (rc == 0);
    self->in_flight++;
}

//  Refuse a batch with nothing processed, saying why, so that the client sends it again later.
static void s_reply_busy (s_server_t *self, zframe_t *routing_id, char *message_id, char *batch_id,
                          size_t count)
{
    char message[320];
    int64_t stalled = self->in_flight > 0 ? zclock_mono () - self->writer_progress_at : 0;
    char stall[80] = "";
    if (stalled >= S_STALLED_MS)
        snprintf (stall, sizeof stall, "; no write has finished for %.1f s",
                  (double) stalled / 1000.0);
    snprintf (message, sizeof message,
              "%zu batches (%zu events) waiting for the database, and %zu more would pass "
              "ingest/max_pending_events (%ld)%s; retry",
              self->pending_batches, self->pending_events, count, self->max_pending_events, stall);
    self->busy_answers++;
    s_reply_failure (self, routing_id, message_id, batch_id,
                     JOURNEY__V1__BATCH_RESULT__STATUS__BUSY, message);
}

//  A batch arrives: refused whole when it is too big (BAD_BATCH) or when it would take the
//  events held past ingest/max_pending_events (BUSY), else queued behind the ones before it.
static void s_admit (s_server_t *self, zframe_t *routing_id, jy_envelope_t *request)
{
    Journey__V1__EventBatch *batch = request->event_batch;
    size_t count = batch->n_events + batch->n_unparsed;
    if (count > (size_t) self->batch_max) {
        //  Refused whole: nothing checked, stored or dead-lettered; the client splits it.
        char message[160];
        snprintf (message, sizeof message,
                  "a batch may hold at most %ld events (ingest/batch_max); this one has %zu: "
                  "split it",
                  self->batch_max, count);
        s_reply_failure (self, routing_id, request->message_id, batch->batch_id,
                         JOURNEY__V1__BATCH_RESULT__STATUS__BAD_BATCH, message);
        return;
    }
    //  A connection's batches are admitted in the order it sent them (journey push --window):
    //  once one is refused BUSY, a later one from the same connection is refused too until
    //  the refused one comes again, else its events would be checked before those they follow
    //  (a child's events before its registration: rejected for good).
    char *connection = zframe_strhex (routing_id);
    const char *refused = (const char *) zhashx_lookup (self->refused, connection);
    if (refused && !(request->message_id && streq (refused, request->message_id))) {
        char message[200];
        snprintf (message, sizeof message,
                  "an earlier batch from this connection (message %.64s) was answered busy: "
                  "send it first",
                  refused);
        self->busy_answers++;
        s_reply_failure (self, routing_id, request->message_id, batch->batch_id,
                         JOURNEY__V1__BATCH_RESULT__STATUS__BUSY, message);
        free (connection);
        return;
    }
    if (refused)
        zhashx_delete (self->refused, connection);
    size_t bound = (size_t) self->max_pending_events;
    if (self->pending_events + count > bound && self->unpublished)
        s_publish (self, SIZE_MAX); //  what only waits for the feed need not take room
    if (self->pending_events + count > bound) {
        s_reply_busy (self, routing_id, request->message_id, batch->batch_id, count);
        if (request->message_id) {
            //  Connections are not told of when they close: forget them all past a bound
            //  (a client gone long ago has nothing more to send on them).
            if (zhashx_size (self->refused) >= S_REFUSED_MAX)
                zhashx_purge (self->refused);
            char *message_id = strdup (request->message_id);
            assert (message_id);
            zhashx_update (self->refused, connection, message_id);
        }
        free (connection);
        return;
    }
    free (connection);
    //  The batch outlives this call (it is answered when its transaction commits), so it is
    //  taken from the request, which the skeleton frees: protobuf-c allocates every submessage
    //  on its own, and an envelope whose payload case is unset does not free it.
    s_pending_t *pending = calloc (1, sizeof *pending);
    assert (pending);
    pending->routing_id = zframe_dup (routing_id);
    pending->message_id = request->message_id ? strdup (request->message_id) : NULL;
    assert (!request->message_id || pending->message_id);
    pending->batch = batch;
    pending->count = count;
    pending->curve = jy_service_curve (self->service);
    const char *sender = jy_service_peer_name (self->service);
    const char *sender_la_codes = jy_service_peer_meta (self->service, "la_codes");
    pending->sender = sender ? strdup (sender) : NULL;
    pending->sender_la_codes = sender_la_codes ? strdup (sender_la_codes) : NULL;
    assert ((!sender || pending->sender) && (!sender_la_codes || pending->sender_la_codes));
    request->event_batch = NULL;
    request->payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD__NOT_SET;
    self->pending_batches++;
    self->pending_events += count;
    if (self->waiting_tail)
        self->waiting_tail->next = pending;
    else
        self->waiting = pending;
    self->waiting_tail = pending;
}

//  Start checking the oldest waiting batch, or answer it ERROR when the store cannot be had.
static void s_begin (s_server_t *self, int64_t now_ms)
{
    s_pending_t *pending = self->waiting;
    self->waiting = pending->next;
    if (!self->waiting)
        self->waiting_tail = NULL;
    pending->next = NULL;
    if (!self->store)
        s_reload (self);
    if (!self->store || jy_db_ensure (self->db) != 0) {
        if (self->store)
            s_set_error (self, "database unreachable", jy_db_error (self->db));
        s_reply_failure (self, pending->routing_id, pending->message_id, pending->batch->batch_id,
                         JOURNEY__V1__BATCH_RESULT__STATUS__ERROR,
                         self->store ? self->error : self->health);
        s_release (self, &pending);
        return;
    }
    size_t count = pending->count;
    pending->items = calloc (count ? count : 1, sizeof *pending->items);
    assert (pending->items);
    pending->arenas = calloc (count / S_CHUNK + 2, sizeof *pending->arenas);
    assert (pending->arenas);
    pending->started = zclock_usecs ();
    pending->today = jy_clock_local_date (now_ms);
    pending->begun_ms = now_ms;
    pending->head_old = self->assigned;
    self->checking = pending;
}

//  Check the next chunk of the batch being checked and hand it to the writer: the writer COPYs
//  one chunk's events into the open transaction while the next chunk is checked. The first
//  chunk is small, so that the database starts soon after the batch arrives.
static void s_check_chunk (s_server_t *self)
{
    s_pending_t *pending = self->checking;
    Journey__V1__EventBatch *batch = pending->batch;
    size_t events = batch->n_events, count = pending->count;
    s_item_t *items = pending->items;
    size_t first = pending->next_item;
    size_t chunk = first == 0 ? S_FIRST_CHUNK : S_CHUNK;
    size_t last = first + chunk < count ? first + chunk : count;
    s_write_t *write = s_write_new (self);
    //  Every event of the chunk packed once into the chunk's arena: its hash, its dead-letter
    //  bytes, its history.
    size_t arena_size = 0;
    for (size_t i = first; i < last && i < events; i++)
        arena_size += journey__v1__event__get_packed_size (batch->events[i]);
    uint8_t *arena = malloc (arena_size ? arena_size : 1);
    assert (arena);
    pending->arenas[pending->arena_count++] = arena;
    size_t offset = 0;
    for (size_t i = first; i < last; i++) {
        s_item_t *item = &items[i];
        item->result = (Journey__V1__EventResult) JOURNEY__V1__EVENT_RESULT__INIT;
        if (i < events) {
            const Journey__V1__Event *event = batch->events[i];
            item->event = event;
            item->result.has_index = true;
            item->result.index = (uint32_t) i;
            item->result.event_id = event->event_id;
            item->packed = arena + offset;
            item->packed_size = journey__v1__event__pack (event, arena + offset);
            offset += item->packed_size;
            crypto_hash_sha256 (item->hash, item->packed, item->packed_size);
            s_check_event (self, pending, item);
        } else {
            const Journey__V1__UnparsedEvent *record = batch->unparsed[i - events];
            item->unparsed = record;
            item->result.has_index = record->has_index;
            item->result.index = record->index;
            s_reject (item, "bad_json", NULL, "%s",
                      record->error && *record->error ? record->error
                                                      : "the sender could not read this record");
        }
        if (item->result.status == JOURNEY__V1__EVENT_RESULT__STATUS__ACCEPTED) {
            pending->accepted++;
            //  The single writer of the feed numbers its events here; the transaction checks
            //  that the head is still where these numbers start (s_write_head).
            item->seq = ++self->assigned;
            s_copy_row (&write->copy, item);
        } else if (item->result.status == JOURNEY__V1__EVENT_RESULT__STATUS__DUPLICATE)
            pending->duplicates++;
        else {
            pending->rejected++;
            if (s_dead_letter_allowed (self, pending->curve, pending->sender,
                                       pending->sender_la_codes, pending->begun_ms))
                s_dead_letter (self, write, pending, item);
        }
    }
    pending->next_item = last;
    if (last == count) {
        //  The last chunk carries the projection and the head, commits, and answers: even a
        //  batch with nothing to store is answered only after every batch before it committed,
        //  since its duplicates may be events still in flight.
        projection_serialise (self->store, write->plan);
        case_store_clear_dirty (self->store); //  persisted from here on, or reloaded
        write->head_old = pending->head_old;
        write->head_new = self->assigned;
        write->commit = true;
        write->pending = pending;
        pending->checked = zclock_usecs ();
        self->checking = NULL;
    }
    for (int a = 0; write->dead_count && a < S_DEAD_ARRAYS; a++)
        jy_sql_text_array_close (&write->dead[a]);
    s_submit (self, write);
}

//  Move the admitted batches along as far as the writer's room allows, without waiting for
//  it: the loop goes back to its poller when the writer is full, and comes back here when a
//  write set returns. After a failure, no batch begins until the store has been reloaded.
static void s_advance (s_server_t *self, int64_t now_ms)
{
    for (;;) {
        if (!self->checking) {
            if (!self->waiting)
                return;
            if (self->failed) {
                s_settle (self);
                if (self->failed)
                    return; //  the rest of the failed generation is still with the writer
            }
            s_begin (self, now_ms);
        } else if (self->in_flight < S_MAX_IN_FLIGHT) {
            s_check_chunk (self);
            s_publish (self, S_CHUNK);
        } else
            return;
    }
}

//  --- Hooks -------------------------------------------------------------------------------------

//  Frees a value of senders or refused.
static void s_sender_destroy (void **item)
{
    free (*item);
    *item = NULL;
}

static void s_stop (void **state_p)
{
    s_server_t *self = (s_server_t *) *state_p;
    if (!self)
        return;
    //  Drain: the batch being checked is finished, and every batch with the writer is committed
    //  (or not), answered and published before we go. A batch not yet begun is answered BUSY,
    //  nothing processed: its client sends it again to the daemon that comes next.
    while (self->waiting) {
        s_pending_t *pending = self->waiting;
        self->waiting = pending->next;
        self->busy_answers++;
        s_reply_failure (self, pending->routing_id, pending->message_id, pending->batch->batch_id,
                         JOURNEY__V1__BATCH_RESULT__STATUS__BUSY,
                         "journey-ingestd is stopping; retry");
        s_release (self, &pending);
    }
    self->waiting_tail = NULL;
    while (self->checking || self->in_flight > 0) {
        if (self->checking && self->in_flight < S_MAX_IN_FLIGHT)
            s_check_chunk (self);
        else
            s_receive (self);
    }
    s_publish (self, SIZE_MAX);
    zactor_destroy (&self->writer);
    while (self->spare) {
        s_write_t *write = self->spare;
        self->spare = write->next;
        s_write_destroy (&write);
    }
    jy_feed_pub_destroy (&self->publisher);
    zsock_destroy (&self->pub);
    case_store_destroy (&self->store);
    jy_db_destroy (&self->db);
    jy_sql_text_free (&self->packed);
    zhashx_destroy (&self->senders);
    zhashx_destroy (&self->refused);
    free (self);
    *state_p = NULL;
}

static void *s_start (jy_service_t *service)
{
    jy_config_t *config = jy_service_config (service);
    s_server_t *self = calloc (1, sizeof *self);
    assert (self);
    self->service = service;
    self->feed = jy_feed_lookup ("events");
    assert (self->feed);
    self->positions[0] = &self->position;
    self->generation = 1;
    self->senders = zhashx_new ();
    assert (self->senders);
    zhashx_set_destructor (self->senders, s_sender_destroy);
    self->refused = zhashx_new ();
    assert (self->refused);
    zhashx_set_destructor (self->refused, s_sender_destroy);

    const char *url, *endpoint;
    long wait_ms;
    if (s_configure (self, config) || jy_config_string (config, "ingest/feed", "", &endpoint) ||
        jy_config_string (config, "database/ingest_url", "", &url) ||
        jy_config_key_int (config, JY_KEY_CONNECT_WAIT_MS, &wait_ms))
        goto bad_config;
    if (!*endpoint) {
        jy_config_fail (config, "ingest/feed", "no feed endpoint configured");
        goto bad_config;
    }
    if (!*url) {
        jy_config_fail (config, "database/ingest_url", "no database URL configured");
        goto bad_config;
    }

    //  The feed socket first: a clash shows at once, not after loading the store.
    self->pub = jy_feed_bind (config, "ingest/feed", endpoint, (int) self->feed_hwm);
    if (!self->pub)
        goto failed;

    self->db = jy_db_new (url);
    jy_db_set_application_name (self->db, "journey-ingestd");
    if (jy_db_connect (self->db, wait_ms)) {
        jy_error ("%s: database/ingest_url: cannot connect: %s",
                  jy_config_origin (config, "database/ingest_url"), jy_db_error (self->db));
        goto failed;
    }
    if (s_check_schema (self)) {
        jy_error ("%s", self->error);
        goto failed;
    }
    if (s_load (self))
        goto failed;

    //  The writer's own connection, made here so that a failure shows at start.
    s_writer_t *writer = calloc (1, sizeof *writer);
    assert (writer);
    writer->feed = self->feed;
    writer->db = jy_db_new (url);
    jy_db_set_application_name (writer->db, "journey-ingestd");
    if (jy_db_connect (writer->db, wait_ms)) {
        jy_error ("%s: database/ingest_url: cannot connect: %s",
                  jy_config_origin (config, "database/ingest_url"), jy_db_error (writer->db));
        jy_db_destroy (&writer->db);
        free (writer);
        goto failed;
    }
    self->writer = zactor_new (s_writer_actor, writer);
    assert (self->writer);
    if (jy_service_watch (service, zactor_sock (self->writer)) != 0) {
        jy_error ("cannot watch the writer thread");
        goto failed;
    }
    self->heartbeat_at = zclock_mono ();
    jy_info ("accepting events for LA %s%s; batches of at most %ld; feed on %s",
             self->la_codes.codes[0], self->la_codes.count > 1 ? " and others" : "",
             self->batch_max, endpoint);
    return self;

bad_config:
    jy_error ("%s", jy_config_error (config));
failed:
    s_stop ((void **) &self);
    return NULL;
}

static void s_request (void *state, zframe_t *routing_id, jy_envelope_t *request, int64_t now_ms)
{
    s_server_t *self = (s_server_t *) state;
    if (request->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH) {
        jy_service_reply_error (self->service, routing_id, "not_supported",
                                "journey-ingestd takes EventBatch, Status and ClockSet");
        return;
    }
    s_admit (self, routing_id, request);
    s_advance (self, now_ms);
}

//  Keep what could not be read (best effort: with the database away the client still got a
//  coded error, and there is nowhere to keep it).
static void s_unreadable (void *state, const uint8_t *data, size_t size, jy_wire_status_t status,
                          int64_t now_ms)
{
    s_server_t *self = (s_server_t *) state;
    const char *code = status == JY_WIRE_UNKNOWN_PAYLOAD ? "unknown_payload" : "bad_frame";
    bool curve = jy_service_curve (self->service);
    const char *sender = jy_service_peer_name (self->service);
    if (!s_dead_letter_allowed (self, curve, sender,
                                jy_service_peer_meta (self->service, "la_codes"), now_ms))
        return;
    if (jy_db_ensure (self->db) != 0) {
        jy_warning ("unreadable request of %zu bytes not kept: database unreachable", size);
        return;
    }
    size_t kept =
        size < (size_t) self->dead_letter_max_bytes ? size : (size_t) self->dead_letter_max_bytes;
    uint8_t digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (digest, data, size);
    jy_sql_text_t raw = {0}, sha = {0};
    jy_sql_text_str (&raw, "\\x");
    jy_sql_text_hex (&raw, data, kept);
    jy_sql_text_str (&sha, "\\x");
    jy_sql_text_hex (&sha, digest, sizeof digest);
    char raw_size[24];
    snprintf (raw_size, sizeof raw_size, "%zu", size);
    const char *params[6] = {code,     jy_wire_status_text (status), raw.data, raw_size,
                             sha.data, curve ? sender : NULL};
    if (jy_db_exec (self->db,
                    "INSERT INTO ingest.dead_letter (la_code, code, message, raw, raw_size,"
                    " raw_sha256, sender) VALUES ('', $1, $2, $3::bytea, $4, $5::bytea, $6)",
                    6, params))
        jy_warning ("unreadable request of %zu bytes not kept: %s", size, jy_db_error (self->db));
    jy_sql_text_free (&raw);
    jy_sql_text_free (&sha);
}

static void s_status (void *state, Journey__V1__StatusReply *reply)
{
    s_server_t *self = (s_server_t *) state;
    self->position = (Journey__V1__FeedPosition) JOURNEY__V1__FEED_POSITION__INIT;
    self->position.feed = (char *) self->feed->name;
    self->position.role = "publisher";
    self->position.has_position = true;
    self->position.position = self->publisher ? jy_feed_pub_last (self->publisher) : self->head;
    self->position.has_head = true;
    self->position.head = self->head;
    reply->n_feeds = 1;
    reply->feeds = self->positions;
    reply->has_database_ok = true;
    reply->database_ok = jy_db_ok (self->db);
    journey__v1__backlog__init (&self->backlog);
    self->backlog.has_batches = true;
    self->backlog.batches = (uint32_t) self->pending_batches;
    self->backlog.has_events = true;
    self->backlog.events = self->pending_events;
    self->backlog.has_max_events = true;
    self->backlog.max_events = (uint64_t) self->max_pending_events;
    self->backlog.has_busy_answers = true;
    self->backlog.busy_answers = self->busy_answers;
    self->backlog.has_stalled_ms = true;
    self->backlog.stalled_ms =
        self->in_flight > 0 ? (uint64_t) (zclock_mono () - self->writer_progress_at) : 0;
    reply->backlog = &self->backlog;
    if (!self->store) {
        reply->healthy = false;
        reply->message = self->health;
    } else if (!reply->database_ok) {
        reply->healthy = false;
        snprintf (self->health, sizeof self->health, "database unreachable: %s",
                  jy_db_error (self->db));
        reply->message = self->health;
    }
}

//  Heartbeats go by the monotonic clock: a simulated clock stands still, and a subscriber needs
//  them in real time to notice a lost tail.
static void s_tick (void *state, int64_t now_ms)
{
    s_server_t *self = (s_server_t *) state;
    //  Whatever the writer gave back, even on a turn the poller gave to a request.
    s_collect (self);
    s_settle (self);
    s_advance (self, now_ms);
    s_publish (self, S_CHUNK);
    int64_t mono = zclock_mono ();
    if (!self->store && !self->failed && !self->checking && self->in_flight == 0 &&
        mono >= self->reload_at)
        s_reload (self);
    if (self->publisher && mono - self->heartbeat_at >= S_HEARTBEAT_MS) {
        jy_feed_pub_heartbeat (self->publisher);
        self->heartbeat_at = mono;
    }
}

static void s_readable (void *state, zsock_t *sock, int64_t now_ms)
{
    s_server_t *self = (s_server_t *) state;
    if (self->writer && sock == zactor_sock (self->writer)) {
        s_collect (self);
        s_settle (self);
        s_advance (self, now_ms);
    }
}

static int64_t s_next_timeout_ms (void *state, int64_t now_ms)
{
    (void) now_ms;
    s_server_t *self = (s_server_t *) state;
    if (self->unpublished)
        return 0; //  the next slice of the feed (s_tick)
    int64_t due = self->heartbeat_at + S_HEARTBEAT_MS - zclock_mono ();
    return due > 0 ? due : 0;
}

const jy_service_def_t *ingest_server_def (void)
{
    static const jy_service_def_t def = {
        .name = "ingest",
        .program = "journey-ingestd",
        .max_frame_bytes = JY_WIRE_BATCH_CAP,
        .start = s_start,
        .stop = s_stop,
        .request = s_request,
        .unreadable = s_unreadable,
        .status = s_status,
        .readable = s_readable,
        .tick = s_tick,
        .next_timeout_ms = s_next_timeout_ms,
    };
    return &def;
}
