/*  jy_feed against a real PostgreSQL and real sockets: a writer commits 1,000 envelopes and
    publishes them with deliberate drops; subscribers (one from the start, one joining half way)
    end with every sequence number exactly once and in order. Also: restart from the saved
    position, commit order under two writers, garbage and unknown payloads on the feed, and
    batch mode (one commit per page or live run; a failed flush or handler redelivers).
    Everything lives in schema feedtest_<pid>, so that this test and its sanitizer twin can run
    at the same time.
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journey/journey.h"
#include "jy_test.h"

#define TOTAL             1000
#define JY_TEST_BATCH_MAX 2000 //  more than a catch-up page or a live run

static char s_schema[64];
static char s_catchup_sql[256];
static char s_batch_catchup_sql[256];
static const char *s_log_table = "log"; //  where s_store writes

//  What a subscriber's handler sees and records.
typedef struct {
    jy_db_t *db;
    const char *key;   //  its feed_position row and its rows in delivered
    uint64_t last;     //  last seq handed over
    int out_of_order;  //  seq != last + 1
    int wrong_content; //  a Reply whose message is not its seq
    int unknown;       //  envelopes with no known payload
    int failures;      //  handler could not commit
} s_consumer_t;

static int s_handler (void *arg, uint64_t seq, jy_envelope_t *envelope)
{
    s_consumer_t *self = arg;
    if (seq != self->last + 1)
        self->out_of_order++;
    if (envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY) {
        char expected[24];
        snprintf (expected, sizeof expected, "%llu", (unsigned long long) seq);
        if (!envelope->reply->message || strcmp (envelope->reply->message, expected) != 0)
            self->wrong_content++;
    } else
        self->unknown++;
    //  The effect (a row per seq: a second delivery violates the primary key) and the
    //  position, in one transaction.
    char sql[256], seq_text[24];
    snprintf (sql, sizeof sql, "INSERT INTO %s.delivered (consumer, seq) VALUES ($1, $2)",
              s_schema);
    snprintf (seq_text, sizeof seq_text, "%llu", (unsigned long long) seq);
    const char *params[2] = {self->key, seq_text};
    if (jy_db_begin (self->db) != 0 || jy_db_exec (self->db, sql, 2, params) != 0 ||
        jy_feed_position_save (self->db, s_schema, self->key, seq) != 0 ||
        jy_db_commit (self->db) != 0) {
        jy_db_rollback (self->db);
        self->failures++;
        return -1;
    }
    self->last = seq;
    return 0;
}

//  How many seqs (distinct ones when distinct) a consumer has recorded.
static long s_delivered (jy_db_t *db, const char *key, bool distinct)
{
    char sql[256];
    snprintf (sql, sizeof sql, "SELECT count(%sseq) FROM %s.delivered WHERE consumer = $1",
              distinct ? "DISTINCT " : "", s_schema);
    const char *params[1] = {key};
    PGresult *result = jy_db_query (db, sql, 1, params);
    long count = result && PQntuples (result) == 1 ? atol (PQgetvalue (result, 0, 0)) : -1;
    PQclear (result);
    return count;
}

static bool s_dropped (uint64_t seq)
{
    return seq % 7 == 0 || (seq >= 400 && seq < 420) || seq > TOTAL - 5;
}

//  Store seq with the packed bytes given; inside the caller's transaction.
static int s_store (jy_db_t *db, uint64_t seq, const uint8_t *data, size_t size)
{
    char *hex = malloc (size * 2 + 3);
    assert (hex);
    strcpy (hex, "\\x");
    for (size_t i = 0; i < size; i++)
        sprintf (hex + 2 + i * 2, "%02x", data[i]);
    char sql[256], seq_text[24];
    snprintf (sql, sizeof sql, "INSERT INTO %s.%s (seq, envelope) VALUES ($1, $2)", s_schema,
              s_log_table);
    snprintf (seq_text, sizeof seq_text, "%llu", (unsigned long long) seq);
    const char *params[2] = {seq_text, hex};
    int rc = jy_db_exec (db, sql, 2, params);
    free (hex);
    return rc;
}

static void s_reply_envelope (jy_envelope_t *envelope, Journey__V1__Reply *reply, char *text,
                              uint64_t seq)
{
    jy_envelope_init (envelope);
    *reply = (Journey__V1__Reply) JOURNEY__V1__REPLY__INIT;
    reply->has_ok = 1;
    reply->ok = 1;
    sprintf (text, "%llu", (unsigned long long) seq);
    reply->message = text;
    envelope->payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY;
    envelope->reply = reply;
    envelope->has_feed_seq = 1;
    envelope->feed_seq = seq;
}

//  Let the subscribers read what has arrived, until every subscriber reaches until (0: until
//  nothing is waiting). turns bounds the quiet polls of timeout_ms; when the feed is quiet and
//  heartbeat is set, the publisher sends a heartbeat, as its timer would.
static void s_pump (zpoller_t *poller, jy_feed_sub_t **subs, size_t count, int turns,
                    int timeout_ms, uint64_t until, jy_feed_pub_t *heartbeat)
{
    int quiet = 0;
    for (int messages = 0; messages < 100000 && quiet < turns; messages++) {
        bool done = until > 0;
        for (size_t i = 0; i < count; i++)
            if (subs[i] && jy_feed_sub_position (subs[i]) < until)
                done = false;
        if (done)
            return;
        void *which = zpoller_wait (poller, timeout_ms);
        if (!which) {
            if (until == 0)
                return;
            quiet++;
            if (heartbeat)
                CHECK_INT (jy_feed_pub_heartbeat (heartbeat), 0);
            continue;
        }
        for (size_t i = 0; i < count; i++)
            if (subs[i] && which == jy_feed_sub_socket (subs[i]))
                CHECK_INT (jy_feed_sub_on_readable (subs[i]), 0);
    }
}

static jy_db_t *s_connect (const char *url)
{
    jy_db_t *db = jy_db_new (url);
    CHECK_INT (jy_db_connect (db, 5000), 0);
    return db;
}

//  The 1,000 with drops, two subscribers, then a restart and odd frames.
static void s_test_feed (const char *url, jy_feed_def_t *feed)
{
    jy_db_t *writer = s_connect (url);
    zsock_t *pub = zsock_new (ZMQ_PUB);
    assert (pub);
    zsock_set_sndhwm (pub, 100000);
    int port = zsock_bind (pub, "tcp://127.0.0.1:*");
    CHECK (port > 0);
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    jy_feed_pub_t *publisher = jy_feed_pub_new (pub, feed, 0);

    s_consumer_t a = {.db = s_connect (url), .key = "a"};
    s_consumer_t b = {.db = s_connect (url), .key = "b"};
    uint64_t position = 99;
    CHECK_INT (jy_feed_position_load (a.db, s_schema, "a", &position), 0);
    CHECK_INT (position, 0);
    jy_feed_sub_t *subs[2] = {jy_feed_sub_new (a.db, feed, endpoint, position, s_handler, &a),
                              NULL};
    CHECK (subs[0] != NULL);
    CHECK_INT (jy_feed_sub_catch_up (subs[0]), 0);
    zpoller_t *poller = zpoller_new (jy_feed_sub_socket (subs[0]), NULL);

    uint64_t seq = 0;
    int batch = 1; //  transactions of 1 to 17 envelopes
    while (seq < TOTAL) {
        uint32_t count = (uint32_t) batch;
        if (seq + count > TOTAL)
            count = (uint32_t) (TOTAL - seq);
        batch = batch % 17 + 1;
        uint64_t first = 0;
        CHECK_INT (jy_db_begin (writer), 0);
        CHECK_INT (jy_feed_reserve (writer, feed, count, &first), 0);
        CHECK_INT (first, seq + 1);
        jy_envelope_t envelopes[17];
        Journey__V1__Reply replies[17];
        char texts[17][24];
        for (uint32_t i = 0; i < count; i++) {
            s_reply_envelope (&envelopes[i], &replies[i], texts[i], first + i);
            zframe_t *packed = jy_wire_pack (&envelopes[i]);
            CHECK_INT (s_store (writer, first + i, zframe_data (packed), zframe_size (packed)), 0);
            zframe_destroy (&packed);
        }
        CHECK_INT (jy_db_commit (writer), 0);
        //  Published after the commit, never before. The drops skip the publisher altogether,
        //  so it does not know of them either.
        for (uint32_t i = 0; i < count; i++)
            if (!s_dropped (first + i)) {
                CHECK_INT (jy_feed_pub_send (publisher, first + i, &envelopes[i]), 0);
                CHECK_INT (jy_feed_pub_last (publisher), first + i);
            }
        seq = first + count - 1;

        if (!subs[1] && seq >= TOTAL / 2) {
            //  A second subscriber joins half way: catches up, then follows.
            CHECK_INT (jy_feed_position_load (b.db, s_schema, "b", &position), 0);
            subs[1] = jy_feed_sub_new (b.db, feed, endpoint, position, s_handler, &b);
            CHECK (subs[1] != NULL);
            CHECK_INT (jy_feed_sub_catch_up (subs[1]), (int) seq);
            zpoller_add (poller, jy_feed_sub_socket (subs[1]));
        }
        s_pump (poller, subs, 2, 1, 0, 0, NULL);
    }
    uint64_t head = 0;
    CHECK_INT (jy_feed_head (writer, feed, &head), 0);
    CHECK_INT (head, TOTAL);
    CHECK_INT (jy_feed_pub_last (publisher), TOTAL - 5);
    //  The last five were never sent; a writer that knows its committed head (as after its
    //  recovery on start) announces it in heartbeats.
    jy_feed_pub_destroy (&publisher);
    CHECK (publisher == NULL);
    publisher = jy_feed_pub_new (pub, feed, head);
    CHECK_INT (jy_feed_pub_last (publisher), TOTAL);

    //  Only a heartbeat tells the subscribers the last five exist. Bounded turns, no sleeping
    //  on timers.
    s_pump (poller, subs, 2, 250, 20, TOTAL, publisher);

    s_consumer_t *consumers[2] = {&a, &b};
    for (int i = 0; i < 2; i++) {
        s_consumer_t *c = consumers[i];
        jy_feed_stats_t stats = jy_feed_sub_stats (subs[i]);
        CHECK_INT (jy_feed_sub_position (subs[i]), TOTAL);
        CHECK_INT (c->last, TOTAL);
        CHECK_INT (c->out_of_order, 0);
        CHECK_INT (c->wrong_content, 0);
        CHECK_INT (c->failures, 0);
        CHECK_INT (stats.live_delivered + stats.caught_up, TOTAL);
        CHECK (stats.gaps > 0);
        CHECK (stats.live_delivered > 0);
        CHECK_INT (stats.bad_frames, 0);
        CHECK_INT (stats.unknown_payloads, 0);
        CHECK_INT (s_delivered (c->db, c->key, false), TOTAL);
        CHECK_INT (s_delivered (c->db, c->key, true), TOTAL);
        position = 0;
        CHECK_INT (jy_feed_position_load (c->db, s_schema, c->key, &position), 0);
        CHECK_INT (position, TOTAL);
    }
    //  a was there from the start: the dropped ones (every 7th, the run of 20, the tail) came
    //  from the table.
    CHECK (jy_feed_sub_stats (subs[0]).caught_up >= 5);

    //  Restart a from its saved position: nothing new, and heartbeats change nothing.
    zpoller_destroy (&poller);
    jy_feed_sub_destroy (&subs[0]);
    jy_feed_sub_destroy (&subs[1]);
    CHECK (subs[0] == NULL);
    CHECK_INT (jy_feed_position_load (a.db, s_schema, "a", &position), 0);
    jy_feed_sub_t *again = jy_feed_sub_new (a.db, feed, endpoint, position, s_handler, &a);
    CHECK_INT (jy_feed_sub_catch_up (again), 0);
    poller = zpoller_new (jy_feed_sub_socket (again), NULL);
    //  Wait until the restarted subscription is live: a heartbeat at the head reaches it.
    for (int turn = 0; turn < 200; turn++) {
        jy_feed_pub_heartbeat (publisher);
        if (zpoller_wait (poller, 20)) {
            CHECK_INT (jy_feed_sub_on_readable (again), 0);
            break;
        }
    }
    CHECK_INT (jy_feed_sub_position (again), TOTAL);
    CHECK_INT (jy_feed_sub_stats (again).caught_up, 0);
    CHECK_INT (jy_feed_sub_stats (again).live_delivered, 0);
    CHECK_INT (jy_feed_sub_stats (again).gaps, 0);

    //  A garbage frame, an envelope of a kind this build does not know (field 99), then a
    //  normal one: the first is counted and skipped, the second counted and handed over (so
    //  the position moves past it), the third delivered.
    const uint8_t garbage[] = {0x0a, 0x7f, 'x', 'y'};
    zsock_send (pub, "sb", feed->name, garbage, sizeof garbage);
    zsock_send (pub, "sss", feed->name, "one frame", "too many");

    uint64_t first = 0;
    CHECK_INT (jy_db_begin (writer), 0);
    CHECK_INT (jy_feed_reserve (writer, feed, 2, &first), 0);
    CHECK_INT (first, TOTAL + 1);
    jy_envelope_t unknown;
    jy_envelope_init (&unknown);
    unknown.has_feed_seq = 1;
    unknown.feed_seq = first;
    zframe_t *packed = jy_wire_pack (&unknown);
    size_t size = zframe_size (packed);
    uint8_t bytes[256];
    assert (size + 6 <= sizeof bytes);
    memcpy (bytes, zframe_data (packed), size);
    zframe_destroy (&packed);
    //  Field 99, wire type 2: tag (99 << 3 | 2) = 794 as a varint, then length 3.
    const uint8_t field99[] = {0x9a, 0x06, 0x03, 'n', 'e', 'w'};
    memcpy (bytes + size, field99, sizeof field99);
    size += sizeof field99;
    CHECK_INT (s_store (writer, first, bytes, size), 0);
    jy_envelope_t last;
    Journey__V1__Reply reply;
    char text[24];
    s_reply_envelope (&last, &reply, text, first + 1);
    packed = jy_wire_pack (&last);
    CHECK_INT (s_store (writer, first + 1, zframe_data (packed), zframe_size (packed)), 0);
    zframe_destroy (&packed);
    CHECK_INT (jy_db_commit (writer), 0);
    zsock_send (pub, "sb", feed->name, bytes, size);
    CHECK_INT (jy_feed_pub_send (publisher, first + 1, &last), 0);

    jy_feed_sub_t *one[1] = {again};
    s_pump (poller, one, 1, 250, 20, TOTAL + 2, NULL);
    jy_feed_stats_t stats = jy_feed_sub_stats (again);
    CHECK_INT (jy_feed_sub_position (again), TOTAL + 2);
    CHECK_INT (stats.bad_frames, 2);
    CHECK_INT (stats.unknown_payloads, 1);
    CHECK_INT (stats.live_delivered, 2);
    CHECK_INT (a.unknown, 1);
    CHECK_INT (a.out_of_order, 0);
    CHECK_INT (a.wrong_content, 0);
    CHECK_INT (s_delivered (a.db, "a", false), TOTAL + 2);

    //  A handler that fails leaves the position where it was. Rewound by hand to before a seq
    //  it has already recorded, a's handler fails (primary key) and catch-up stops there.
    CHECK_INT (jy_db_begin (writer), 0);
    CHECK_INT (jy_feed_reserve (writer, feed, 1, &first), 0);
    CHECK_INT (first, TOTAL + 3);
    s_reply_envelope (&last, &reply, text, first);
    packed = jy_wire_pack (&last);
    CHECK_INT (s_store (writer, first, zframe_data (packed), zframe_size (packed)), 0);
    zframe_destroy (&packed);
    CHECK_INT (jy_db_commit (writer), 0);
    jy_feed_sub_destroy (&again);
    again = jy_feed_sub_new (a.db, feed, endpoint, TOTAL + 1, s_handler, &a);
    a.last = TOTAL + 1;
    CHECK_INT (jy_feed_sub_catch_up (again), -1);
    CHECK_INT (a.failures, 1);
    CHECK_INT (jy_feed_sub_position (again), TOTAL + 1);
    jy_feed_sub_destroy (&again);
    again = jy_feed_sub_new (a.db, feed, endpoint, TOTAL + 2, s_handler, &a);
    a.last = TOTAL + 2;
    CHECK_INT (jy_feed_sub_catch_up (again), 1);
    CHECK_INT (jy_feed_sub_position (again), TOTAL + 3);
    CHECK_INT (a.out_of_order, 0);

    jy_feed_sub_destroy (&again);
    zpoller_destroy (&poller);
    jy_feed_pub_destroy (&publisher);
    zsock_destroy (&pub);
    jy_db_destroy (&a.db);
    jy_db_destroy (&b.db);
    jy_db_destroy (&writer);
}

//  Two writers: the second waits on the feed_head row lock until the first commits, and then
//  gets the next number: numbers commit in order.
static void s_test_commit_order (const char *url, jy_feed_def_t *feed)
{
    jy_db_t *one = s_connect (url);
    jy_db_t *two = s_connect (url);
    jy_db_t *watcher = s_connect (url);

    uint64_t first = 0;
    CHECK_INT (jy_db_begin (one), 0);
    CHECK_INT (jy_feed_reserve (one, feed, 3, &first), 0);
    CHECK_INT (first, 1);

    CHECK_INT (jy_db_begin (two), 0);
    char sql[256];
    snprintf (sql, sizeof sql,
              "UPDATE %s.feed_head SET head = head + 1 WHERE feed = $1 RETURNING head", s_schema);
    const char *params[1] = {feed->name};
    CHECK_INT (PQsendQueryParams (jy_db_conn (two), sql, 1, NULL, params, NULL, NULL, 0), 1);

    char pid[16];
    snprintf (pid, sizeof pid, "%d", PQbackendPID (jy_db_conn (two)));
    const char *pid_params[1] = {pid};
    bool waiting = false;
    for (int tries = 0; tries < 1000 && !waiting; tries++) {
        PGresult *result = jy_db_query (watcher,
                                        "SELECT count(*) FROM pg_stat_activity WHERE pid = $1"
                                        " AND wait_event_type = 'Lock'",
                                        1, pid_params);
        waiting = result && strcmp (PQgetvalue (result, 0, 0), "1") == 0;
        PQclear (result);
        if (!waiting)
            zclock_sleep (10);
    }
    CHECK (waiting);
    //  Still blocked: nothing to read yet.
    CHECK_INT (PQconsumeInput (jy_db_conn (two)), 1);
    CHECK_INT (PQisBusy (jy_db_conn (two)), 1);

    CHECK_INT (jy_db_commit (one), 0);
    PGresult *result = PQgetResult (jy_db_conn (two));
    CHECK_INT (PQresultStatus (result), PGRES_TUPLES_OK);
    if (PQresultStatus (result) == PGRES_TUPLES_OK)
        CHECK_STR (PQgetvalue (result, 0, 0), "4");
    PQclear (result);
    while ((result = PQgetResult (jy_db_conn (two))))
        PQclear (result);
    CHECK_INT (jy_db_commit (two), 0);

    uint64_t head = 0;
    CHECK_INT (jy_feed_head (watcher, feed, &head), 0);
    CHECK_INT (head, 4);
    jy_db_destroy (&one);
    jy_db_destroy (&two);
    jy_db_destroy (&watcher);
}

//  --- Batch mode -------------------------------------------------------------------------------

//  A consumer in batch mode: the handler stages sequence numbers in memory, the flush stores
//  them and the position in one transaction.
typedef struct {
    jy_db_t *db;
    uint64_t staged[JY_TEST_BATCH_MAX];
    size_t staged_count;
    uint64_t last;            //  last seq staged
    uint64_t committed;       //  position of the last flush that committed
    int out_of_order;         //  staged seq != last + 1
    int flushes;              //  committed
    size_t largest_flush;     //  most seqs committed by one flush
    bool fail_next_flush;     //  the next flush rolls back instead of committing
    uint64_t fail_handler_at; //  the handler refuses this seq once (0: never)
} s_batcher_t;

static int s_batch_handler (void *arg, uint64_t seq, jy_envelope_t *envelope)
{
    (void) envelope;
    s_batcher_t *self = arg;
    if (seq == self->fail_handler_at) {
        self->fail_handler_at = 0;
        self->staged_count = 0; //  discards what it staged, as the contract says
        self->last = self->committed;
        return -1;
    }
    if (seq != self->last + 1)
        self->out_of_order++;
    assert (self->staged_count < JY_TEST_BATCH_MAX);
    self->staged[self->staged_count++] = seq;
    self->last = seq;
    return 0;
}

static int s_batch_flush (void *arg, uint64_t position)
{
    s_batcher_t *self = arg;
    char *list = malloc (self->staged_count * 24 + 3);
    assert (list);
    size_t used = 0;
    list[used++] = '{';
    for (size_t i = 0; i < self->staged_count; i++)
        used += (size_t) sprintf (list + used, "%s%llu", i ? "," : "",
                                  (unsigned long long) self->staged[i]);
    list[used++] = '}';
    list[used] = '\0';
    char sql[256];
    snprintf (sql, sizeof sql,
              "INSERT INTO %s.delivered (consumer, seq) SELECT 'batch', unnest ($1::bigint[])",
              s_schema);
    const char *params[1] = {list};
    int rc = jy_db_begin (self->db) == 0 && jy_db_exec (self->db, sql, 1, params) == 0 &&
                     jy_feed_position_save (self->db, s_schema, "batch", position) == 0
                 ? 0
                 : -1;
    free (list);
    if (rc == 0 && self->fail_next_flush) {
        self->fail_next_flush = false;
        rc = -1; //  as if COMMIT had failed
    }
    if (rc == 0 && jy_db_commit (self->db) != 0)
        rc = -1;
    if (rc != 0) {
        jy_db_rollback (self->db);
        //  Discard what was staged: the subscriber delivers it again.
        self->last = self->committed;
        self->staged_count = 0;
        return -1;
    }
    self->flushes++;
    self->committed = position;
    if (self->staged_count > self->largest_flush)
        self->largest_flush = self->staged_count;
    self->staged_count = 0;
    return 0;
}

//  Store envelopes first..last (Replies naming their seq) in one transaction, publishing them
//  after the commit when pub is given.
static void s_write_range (jy_db_t *writer, jy_feed_def_t *feed, uint32_t count, jy_feed_pub_t *pub)
{
    uint64_t first = 0;
    CHECK_INT (jy_db_begin (writer), 0);
    CHECK_INT (jy_feed_reserve (writer, feed, count, &first), 0);
    zframe_t **frames = calloc (count, sizeof *frames);
    assert (frames);
    for (uint32_t i = 0; i < count; i++) {
        jy_envelope_t envelope;
        Journey__V1__Reply reply;
        char text[24];
        s_reply_envelope (&envelope, &reply, text, first + i);
        frames[i] = jy_wire_pack (&envelope);
        CHECK_INT (s_store (writer, first + i, zframe_data (frames[i]), zframe_size (frames[i])),
                   0);
    }
    CHECK_INT (jy_db_commit (writer), 0);
    for (uint32_t i = 0; i < count; i++) {
        if (pub) {
            jy_envelope_t envelope;
            Journey__V1__Reply reply;
            char text[24];
            s_reply_envelope (&envelope, &reply, text, first + i);
            CHECK_INT (jy_feed_pub_send (pub, first + i, &envelope), 0);
        }
        zframe_destroy (&frames[i]);
    }
    free (frames);
}

//  Batch mode: one commit per catch-up page and per run of live messages; a failed flush or
//  handler goes back to the last commit and the batch is delivered again, never twice stored.
static void s_test_batch (const char *url, jy_feed_def_t *feed)
{
    jy_db_t *writer = s_connect (url);
    zsock_t *pub = zsock_new (ZMQ_PUB);
    assert (pub);
    zsock_set_sndhwm (pub, 100000);
    int port = zsock_bind (pub, "tcp://127.0.0.1:*");
    CHECK (port > 0);
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    jy_feed_pub_t *publisher = jy_feed_pub_new (pub, feed, 0);
    s_log_table = "batch_log";

    s_batcher_t *batcher = calloc (1, sizeof *batcher);
    assert (batcher);
    batcher->db = s_connect (url);
    jy_feed_sub_t *sub = jy_feed_sub_new (batcher->db, feed, endpoint, 0, s_batch_handler, batcher);
    assert (sub);
    jy_feed_sub_set_flush (sub, s_batch_flush);

    //  Catch-up: 2,500 rows in three pages, three commits.
    s_write_range (writer, feed, 1000, NULL);
    s_write_range (writer, feed, 1000, NULL);
    s_write_range (writer, feed, 500, NULL);
    CHECK_INT (jy_feed_sub_catch_up (sub), 2500);
    CHECK_INT (batcher->flushes, 3);
    CHECK_INT (batcher->largest_flush, 1000);
    CHECK_INT (jy_feed_sub_position (sub), 2500);
    CHECK_INT (jy_feed_sub_head (sub), 2500);
    CHECK_INT (jy_feed_sub_stats (sub).flushes, 3);
    CHECK_INT (s_delivered (batcher->db, "batch", false), 2500);
    uint64_t saved = 0;
    CHECK_INT (jy_feed_position_load (batcher->db, s_schema, "batch", &saved), 0);
    CHECK_INT (saved, 2500);

    //  Stepwise: one page per call, done at the end.
    s_write_range (writer, feed, 1000, NULL);
    s_write_range (writer, feed, 10, NULL);
    bool done = true;
    CHECK_INT (jy_feed_sub_catch_up_step (sub, &done), 1000);
    CHECK (!done);
    CHECK_INT (jy_feed_sub_position (sub), 3500);
    CHECK_INT (jy_feed_sub_catch_up_step (sub, &done), 10);
    CHECK (done);
    CHECK_INT (batcher->flushes, 5);

    //  Live: 30 published at once. Each on_readable call takes what is waiting and commits it
    //  with one flush; the slow joiner is covered by a catch-up when nothing arrives.
    zpoller_t *poller = zpoller_new (jy_feed_sub_socket (sub), NULL);
    for (int turn = 0; turn < 200; turn++) { //  until the subscription is live
        jy_feed_pub_heartbeat (publisher);
        if (zpoller_wait (poller, 20)) {
            CHECK_INT (jy_feed_sub_on_readable (sub), 0);
            break;
        }
    }
    jy_feed_pub_destroy (&publisher);
    publisher = jy_feed_pub_new (pub, feed, 3510);
    int flushes_before = batcher->flushes;
    s_write_range (writer, feed, 30, publisher);
    int calls = 0;
    for (int turn = 0; turn < 250 && jy_feed_sub_position (sub) < 3540; turn++)
        if (zpoller_wait (poller, 20)) {
            CHECK_INT (jy_feed_sub_on_readable (sub), 0);
            calls++;
        }
    CHECK_INT (jy_feed_sub_position (sub), 3540);
    CHECK (calls >= 1 && calls <= 30);
    CHECK_INT (batcher->flushes - flushes_before, calls);
    CHECK_INT (jy_feed_sub_stats (sub).live_delivered, 30);
    CHECK_INT (s_delivered (batcher->db, "batch", false), 3540);

    //  A flush that fails: back to the last commit, nothing kept; the next catch-up delivers
    //  the same page again and commits it once.
    s_write_range (writer, feed, 1200, NULL);
    batcher->fail_next_flush = true;
    CHECK_INT (jy_feed_sub_catch_up (sub), -1);
    CHECK_INT (jy_feed_sub_position (sub), 3540);
    CHECK_INT (jy_feed_sub_stats (sub).failed_flushes, 1);
    CHECK_INT (s_delivered (batcher->db, "batch", false), 3540);
    CHECK_INT (jy_feed_sub_catch_up (sub), 1200);
    CHECK_INT (jy_feed_sub_position (sub), 4740);

    //  A handler that refuses mid-page: the page's staged part is dropped, position unmoved.
    s_write_range (writer, feed, 50, NULL);
    batcher->fail_handler_at = 4765;
    CHECK_INT (jy_feed_sub_catch_up (sub), -1);
    CHECK_INT (jy_feed_sub_position (sub), 4740);
    CHECK_INT (jy_feed_sub_catch_up (sub), 50);
    CHECK_INT (jy_feed_sub_position (sub), 4790);
    CHECK_INT (batcher->out_of_order, 0);
    CHECK_INT (s_delivered (batcher->db, "batch", false), 4790);
    CHECK_INT (s_delivered (batcher->db, "batch", true), 4790);
    CHECK_INT (jy_feed_position_load (batcher->db, s_schema, "batch", &saved), 0);
    CHECK_INT (saved, 4790);

    //  A consumer that reloaded its state starts again from the position it loaded.
    jy_feed_sub_set_position (sub, 4700);
    batcher->last = batcher->committed = 4700;
    CHECK_INT (jy_feed_sub_position (sub), 4700);
    CHECK_INT (jy_feed_sub_head (sub), 4790);

    zpoller_destroy (&poller);
    jy_feed_sub_destroy (&sub);
    jy_db_destroy (&batcher->db);
    free (batcher);
    jy_feed_pub_destroy (&publisher);
    zsock_destroy (&pub);
    jy_db_destroy (&writer);
}

int main (void)
{
    jy_log_init ("test_feed", JY_LOG_ERROR);
    const char *url = jy_test_db_url ();

    //  The registry knows every feed and nothing else.
    const jy_feed_def_t *events = jy_feed_lookup ("events");
    CHECK (events != NULL);
    if (events) {
        CHECK_STR (events->schema, "ingest");
        //  The events feed reads the migrated table itself: the query must run.
        jy_db_t *db = jy_db_new (url);
        CHECK_INT (jy_db_connect (db, 5000), 0);
        const char *params[2] = {"0", "1"};
        PGresult *result = jy_db_query_binary (db, events->catchup_sql, 2, params);
        CHECK (result != NULL);
        if (result) {
            CHECK_INT (PQnfields (result), 2);
            PQclear (result);
        }
        jy_db_destroy (&db);
    }
    CHECK (jy_feed_lookup ("alerts") &&
           strcmp (jy_feed_lookup ("alerts")->schema, "timeliness") == 0);
    CHECK (jy_feed_lookup ("disputes") &&
           strcmp (jy_feed_lookup ("disputes")->schema, "escalation") == 0);
    CHECK (jy_feed_lookup ("event") == NULL);
    CHECK (jy_feed_lookup (NULL) == NULL);

    snprintf (s_schema, sizeof s_schema, "feedtest_%d", (int) getpid ());
    jy_db_t *admin = jy_db_new (url);
    CHECK_INT (jy_db_connect (admin, 10000), 0);
    if (!jy_db_ok (admin)) {
        fprintf (stderr, "cannot reach the test database: %s\n", jy_db_error (admin));
        jy_db_destroy (&admin);
        return jy_test_summary ("test_feed");
    }
    char sql[2048];
    snprintf (sql, sizeof sql,
              "DROP SCHEMA IF EXISTS %1$s CASCADE;"
              "CREATE SCHEMA %1$s;"
              "CREATE TABLE %1$s.feed_head (feed text PRIMARY KEY,"
              " head bigint NOT NULL DEFAULT 0 CHECK (head >= 0));"
              "INSERT INTO %1$s.feed_head (feed) VALUES ('testfeed'), ('ordertest'), ('batchtest');"
              "CREATE TABLE %1$s.feed_position (feed text PRIMARY KEY,"
              " position bigint NOT NULL DEFAULT 0);"
              "CREATE TABLE %1$s.log (seq bigint PRIMARY KEY, envelope bytea NOT NULL);"
              "CREATE TABLE %1$s.batch_log (seq bigint PRIMARY KEY, envelope bytea NOT NULL);"
              "CREATE TABLE %1$s.delivered (consumer text, seq bigint,"
              " PRIMARY KEY (consumer, seq));",
              s_schema);
    PGresult *result = PQexec (jy_db_conn (admin), sql); //  several statements: PQexec
    CHECK_INT (PQresultStatus (result), PGRES_COMMAND_OK);
    PQclear (result);

    snprintf (s_catchup_sql, sizeof s_catchup_sql,
              "SELECT seq, envelope FROM %s.log WHERE seq > $1 ORDER BY seq LIMIT $2", s_schema);
    jy_feed_def_t feed = {"testfeed", s_schema, s_catchup_sql};
    jy_feed_def_t order = {"ordertest", s_schema, s_catchup_sql};
    snprintf (s_batch_catchup_sql, sizeof s_batch_catchup_sql,
              "SELECT seq, envelope FROM %s.batch_log WHERE seq > $1 ORDER BY seq LIMIT $2",
              s_schema);
    jy_feed_def_t batch = {"batchtest", s_schema, s_batch_catchup_sql};

    s_test_feed (url, &feed);
    s_test_commit_order (url, &order);
    s_test_batch (url, &batch);

    snprintf (sql, sizeof sql, "DROP SCHEMA %s CASCADE", s_schema);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);
    jy_db_destroy (&admin);
    return jy_test_summary ("test_feed");
}
