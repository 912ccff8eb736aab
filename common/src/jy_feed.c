/*  jy_feed: sequenced feeds (DESIGN.md invariant 3). The design is in jy_feed.h; the sequence
    decision and the subscriber's behaviour are in docs/database.md.
*/
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jy_config.h"
#include "jy_feed.h"
#include "jy_log.h"
#include "jy_security.h"

#define JY_FEED_BATCH    1000
#define JY_FEED_SQL_SIZE 512
#define JY_FEED_HEAD     "head" //  the heartbeat's topic: "<feed>.head"
//  Live messages queued before ZeroMQ drops: about a minute of a busy feed. Dropping is safe
//  (a gap makes the subscriber catch up from the table), but never unbounded (0).
#define JY_FEED_RCVHWM 100000

//  Every feed there is, in one place. The tables come with the owning service's migration.
static const jy_feed_def_t s_feeds[] = {
    {"events", "ingest",
     "SELECT seq, envelope FROM ingest.event WHERE seq > $1 ORDER BY seq LIMIT $2"},
    {"alerts", "timeliness",
     "SELECT seq, envelope FROM timeliness.alert_feed WHERE seq > $1 ORDER BY seq LIMIT $2"},
    {"disputes", "escalation",
     "SELECT seq, envelope FROM escalation.dispute_feed WHERE seq > $1 ORDER BY seq LIMIT $2"},
};

const jy_feed_def_t *jy_feed_lookup (const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof s_feeds / sizeof s_feeds[0]; i++)
        if (strcmp (s_feeds[i].name, name) == 0)
            return &s_feeds[i];
    return NULL;
}

//  Schema names are spliced into SQL, so they must be plain identifiers from code.
static void s_assert_identifier (const char *name)
{
    assert (name);
    assert ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
    for (const char *p = name; *p; p++)
        assert ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
    (void) name;
}

//  A statement naming a schema; a macro so that the format stays a checked literal.
#define S_SQL(buffer, format, schema)                                                              \
    do {                                                                                           \
        s_assert_identifier (schema);                                                              \
        int len_ = snprintf ((buffer), sizeof (buffer), format, (schema));                         \
        assert (len_ > 0 && (size_t) len_ < sizeof (buffer));                                      \
        (void) len_;                                                                               \
    } while (0)

//  --- Writer side -----------------------------------------------------------------------------

int jy_feed_reserve (jy_db_t *db, const jy_feed_def_t *feed, uint32_t count, uint64_t *first_seq)
{
    assert (db);
    assert (feed);
    assert (count > 0);
    assert (first_seq);
    //  The row lock this UPDATE takes is held until the caller commits: a second writer waits
    //  here, and so sequence numbers commit in order.
    char sql[JY_FEED_SQL_SIZE];
    S_SQL (sql, "UPDATE %s.feed_head SET head = head + $2 WHERE feed = $1 RETURNING head",
           feed->schema);
    char count_text[16];
    snprintf (count_text, sizeof count_text, "%" PRIu32, count);
    const char *params[2] = {feed->name, count_text};
    PGresult *result = jy_db_query_binary (db, sql, 2, params);
    if (!result)
        return -1;
    if (PQntuples (result) != 1) {
        PQclear (result);
        jy_error ("feed %s: no row in %s.feed_head (migrations not applied?)", feed->name,
                  feed->schema);
        return -1;
    }
    uint64_t head = (uint64_t) jy_db_get_int8 (result, 0, 0);
    PQclear (result);
    *first_seq = head - count + 1;
    return 0;
}

int jy_feed_head (jy_db_t *db, const jy_feed_def_t *feed, uint64_t *head)
{
    assert (db);
    assert (feed);
    assert (head);
    char sql[JY_FEED_SQL_SIZE];
    S_SQL (sql, "SELECT head FROM %s.feed_head WHERE feed = $1", feed->schema);
    const char *params[1] = {feed->name};
    PGresult *result = jy_db_query_binary (db, sql, 1, params);
    if (!result)
        return -1;
    *head = PQntuples (result) == 1 ? (uint64_t) jy_db_get_int8 (result, 0, 0) : 0;
    PQclear (result);
    return 0;
}

zsock_t *jy_feed_bind (jy_config_t *config, const char *key, const char *endpoint, int sndhwm)
{
    assert (config && key && endpoint && sndhwm > 0);
    //  An XPUB in manual mode: each subscription comes to the publisher, which grants each
    //  subscriber only the topics its key may read (s_serve_subscriptions).
    zsock_t *pub = zsock_new (ZMQ_XPUB);
    assert (pub);
    zsock_set_sndhwm (pub, sndhwm);
    zsock_set_linger (pub, 1000);
    zsock_set_xpub_manual (pub, 1);
    if (jy_security_server (jy_security_process (), pub) != 0) {
        zsock_destroy (&pub);
        return NULL;
    }
    if (zsock_bind (pub, "%s", endpoint) == -1) {
        jy_error ("%s: %s: cannot bind %s: %s", jy_config_origin (config, key), key, endpoint,
                  zmq_strerror (zmq_errno ()));
        zsock_destroy (&pub);
        return NULL;
    }
    return pub;
}

//  Whether the endpoint has a wildcard host or port, which a follower cannot connect to.
static bool s_is_wildcard (const char *endpoint)
{
    if (strncmp (endpoint, "tcp://", 6) != 0)
        return strchr (endpoint, '*') != NULL;
    const char *host = endpoint + 6;
    const char *port = strrchr (host, ':');
    return strncmp (host, "*", 1) == 0 || strncmp (host, "0.0.0.0", 7) == 0 ||
           strncmp (host, "[::]", 4) == 0 || (port && strcmp (port, ":*") == 0);
}

int jy_feed_connect_endpoint (jy_config_t *config, const char *bind_key, const char **endpoint)
{
    assert (config && bind_key && endpoint);
    char connect_key[128];
    int length = snprintf (connect_key, sizeof connect_key, "%s_connect", bind_key);
    assert (length > 0 && (size_t) length < sizeof connect_key);
    const char *bind, *connect;
    if (jy_config_string (config, connect_key, "", &connect) ||
        jy_config_string (config, bind_key, "", &bind))
        return -1;
    if (*connect) {
        *endpoint = connect;
        return 0;
    }
    if (*bind && s_is_wildcard (bind)) {
        jy_config_fail (config, connect_key,
                        "%s binds \"%s\", which a follower cannot connect to: set %s to the "
                        "address followers reach the feed at",
                        bind_key, bind, connect_key);
        return -1;
    }
    *endpoint = bind;
    return 0;
}

struct _jy_feed_pub_t {
    zsock_t *pub; //  not ours
    const jy_feed_def_t *feed;
    uint64_t last;
    bool manual;       //  jy_feed_bind's XPUB: subscriptions are granted here
    unsigned revision; //  jy_security_revision when the subscribers last came in
    char *endpoint;    //  where pub is bound, to bind it again
};

//  Whether sock is an XPUB in manual mode (jy_feed_bind's). ZMQ_XPUB_MANUAL cannot be read
//  back, but only a manual XPUB accepts ZMQ_UNSUBSCRIBE, which with no subscription received
//  yet changes nothing.
static bool s_is_manual (zsock_t *sock)
{
    if (zsock_type (sock) != ZMQ_XPUB)
        return false;
    return zmq_setsockopt (zsock_resolve (sock), ZMQ_UNSUBSCRIBE, "", 0) == 0;
}

jy_feed_pub_t *jy_feed_pub_new (zsock_t *pub, const jy_feed_def_t *feed, uint64_t last_seq)
{
    assert (pub);
    assert (feed);
    jy_feed_pub_t *self = calloc (1, sizeof *self);
    assert (self);
    self->pub = pub;
    self->feed = feed;
    self->last = last_seq;
    self->manual = s_is_manual (pub);
    //  From 0: a publisher made again (after a recovery) binds again if any key was ever taken
    //  away, rather than miss one taken away just before.
    self->revision = 0;
    char *endpoint = zsock_last_endpoint (pub);
    self->endpoint = endpoint ? strdup (endpoint) : NULL;
    assert (!endpoint || self->endpoint);
    zstr_free (&endpoint);
    return self;
}

void jy_feed_pub_destroy (jy_feed_pub_t **self_p)
{
    assert (self_p);
    if (*self_p)
        free ((*self_p)->endpoint);
    free (*self_p);
    *self_p = NULL;
}

//  The topic of an envelope: "<feed>.<la_code>", so that a subscriber is given only the LAs
//  its key may read; "<feed>." when it names no LA (only a key that reads all gets it).
static void s_topic (jy_feed_pub_t *self, const jy_envelope_t *envelope, char *topic, size_t size)
{
    const char *la = NULL;
    if (envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT && envelope->event)
        la = envelope->event->la_code;
    else if (envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT && envelope->alert)
        la = envelope->alert->la_code;
    else if (envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_DISPUTE_NOTICE &&
             envelope->dispute_notice)
        la = envelope->dispute_notice->la_code;
    snprintf (topic, size, "%s.%.16s", self->feed->name, la ? la : "");
}

//  Subscribe the pipe of the subscription just received to topic (manual mode: the XPUB
//  applies it to that pipe only).
static void s_grant (jy_feed_pub_t *self, bool subscribe, const char *topic, size_t size)
{
    zmq_setsockopt (zsock_resolve (self->pub), subscribe ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, topic,
                    size);
}

//  One (un)subscription: granted as asked to a key that reads everything (and without CURVE),
//  else narrowed to the topics of the LAs the key may read of this feed, and the heartbeat.
static void s_serve_subscription (jy_feed_pub_t *self, zframe_t *frame)
{
    const byte *data = zframe_data (frame);
    size_t size = zframe_size (frame);
    if (size == 0 || (data[0] != 0 && data[0] != 1))
        return; //  not a subscription: an XPUB passes up anything a peer sends
    bool subscribe = data[0] == 1;
    const char *asked = (const char *) data + 1;
    size_t asked_size = size - 1;
    jy_security_t *security = jy_security_process ();
    const char *key = zframe_meta (frame, "User-Id");
    if (!subscribe && !key && jy_security_curve (security))
        return; //  a connection gone: libzmq has dropped its subscriptions already
    const jy_security_peer_t *peer = jy_security_peer_of (security, frame);
    if (jy_security_reads_all (security, peer)) {
        s_grant (self, subscribe, asked, asked_size);
        return;
    }
    const char *who = peer ? jy_security_peer_name (peer) : key ? key : "(none)";
    if (!jy_security_may_read (security, peer, self->feed->name, NULL)) {
        if (subscribe)
            jy_warning ("feed %s: subscription of key %s ignored: its certificate's read does "
                        "not name %s (docs/security.md)",
                        self->feed->name, who, self->feed->name);
        return;
    }
    //  Every topic the key may have: the heartbeat, and one per LA it may read.
    const char *las = jy_security_read_las (peer);
    size_t granted = 0;
    for (const char *p = las, *word = NULL;; word = p) {
        char topic[64];
        if (!word)
            snprintf (topic, sizeof topic, "%s.%s", self->feed->name, JY_FEED_HEAD);
        else {
            p += strspn (p, " ,\t");
            size_t length = strcspn (p, " ,\t");
            if (length == 0)
                break;
            snprintf (topic, sizeof topic, "%s.%.*s", self->feed->name, (int) length, p);
            p += length;
        }
        size_t topic_size = strlen (topic);
        //  The subscriber asks for a prefix: grant each topic under it, or the narrower ask.
        if (asked_size <= topic_size && memcmp (topic, asked, asked_size) == 0)
            s_grant (self, subscribe, topic, topic_size);
        else if (asked_size > topic_size && memcmp (topic, asked, topic_size) == 0)
            s_grant (self, subscribe, asked, asked_size);
        else
            continue;
        granted++;
    }
    if (subscribe && granted <= 1)
        jy_warning ("feed %s: subscription of key %s to \"%.*s\" gives it no LA's children (it "
                    "may read LA %s)",
                    self->feed->name, who, (int) (asked_size > 64 ? 64 : asked_size), asked,
                    *las ? las : "none");
    else if (subscribe)
        jy_info ("feed %s: key %s subscribed for LA %s", self->feed->name, who, las);
}

//  Bind again, so that every subscriber's connection closes and it comes back through zauth:
//  a key taken away since it subscribed is refused, one whose rights changed is granted anew.
//  The others lose what is sent meanwhile, and catch up from the table (the next heartbeat
//  shows them the gap).
static void s_rebind (jy_feed_pub_t *self)
{
    if (!self->endpoint)
        return;
    jy_notice ("feed %s: the allowed keys changed: closing every subscription at %s so that "
               "each comes back through zauth",
               self->feed->name, self->endpoint);
    if (zsock_unbind (self->pub, "%s", self->endpoint) != 0) {
        jy_error ("feed %s: cannot unbind %s: %s", self->feed->name, self->endpoint,
                  zmq_strerror (zmq_errno ()));
        return;
    }
    //  The listener closes in the I/O thread: the address may be busy for a moment.
    for (int attempt = 0; attempt < 200; attempt++) {
        if (zsock_bind (self->pub, "%s", self->endpoint) != -1)
            return;
        if (zmq_errno () != EADDRINUSE)
            break;
        zclock_sleep (10);
    }
    jy_error ("feed %s: cannot bind %s again: %s", self->feed->name, self->endpoint,
              zmq_strerror (zmq_errno ()));
}

//  Before each send: grant what subscribers asked for, and shut out keys taken away.
static void s_serve (jy_feed_pub_t *self)
{
    if (!self->manual)
        return;
    unsigned revision = jy_security_revision (jy_security_process ());
    if (revision != self->revision) {
        self->revision = revision;
        s_rebind (self);
    }
    while (zsock_events (self->pub) & ZMQ_POLLIN) {
        zframe_t *frame = zframe_recv (self->pub);
        if (!frame)
            break;
        s_serve_subscription (self, frame);
        zframe_destroy (&frame);
    }
}

int jy_feed_pub_send (jy_feed_pub_t *self, uint64_t seq, jy_envelope_t *envelope)
{
    assert (self);
    assert (envelope);
    envelope->has_feed_seq = 1;
    envelope->feed_seq = seq;
    //  Committed is what counts: a send that fails is a gap the subscriber repairs.
    if (seq > self->last)
        self->last = seq;
    s_serve (self);
    char topic[64];
    s_topic (self, envelope, topic, sizeof topic);
    return jy_wire_send_topic (self->pub, topic, envelope);
}

int jy_feed_pub_heartbeat (jy_feed_pub_t *self)
{
    assert (self);
    jy_envelope_t envelope;
    jy_envelope_init (&envelope);
    envelope.has_feed_seq = 1;
    envelope.feed_seq = self->last;
    envelope.has_sent_at_ms = 1;
    envelope.sent_at_ms = zclock_time ();
    s_serve (self);
    char topic[64];
    snprintf (topic, sizeof topic, "%s.%s", self->feed->name, JY_FEED_HEAD);
    return jy_wire_send_topic (self->pub, topic, &envelope);
}

uint64_t jy_feed_pub_last (jy_feed_pub_t *self)
{
    assert (self);
    return self->last;
}

//  --- Reader side -----------------------------------------------------------------------------

bool jy_feed_topic_is (zframe_t *topic, const jy_feed_def_t *feed)
{
    assert (topic && feed);
    //  The bare name too: what a publisher of an earlier release sends.
    size_t length = strlen (feed->name);
    return zframe_size (topic) >= length && memcmp (zframe_data (topic), feed->name, length) == 0 &&
           (zframe_size (topic) == length || zframe_data (topic)[length] == '.');
}

int jy_feed_position_load (jy_db_t *db, const char *schema, const char *feed, uint64_t *position)
{
    assert (db);
    assert (feed);
    assert (position);
    char sql[JY_FEED_SQL_SIZE];
    S_SQL (sql, "SELECT position FROM %s.feed_position WHERE feed = $1", schema);
    const char *params[1] = {feed};
    PGresult *result = jy_db_query_binary (db, sql, 1, params);
    if (!result)
        return -1;
    *position = PQntuples (result) == 1 ? (uint64_t) jy_db_get_int8 (result, 0, 0) : 0;
    PQclear (result);
    return 0;
}

int jy_feed_position_save (jy_db_t *db, const char *schema, const char *feed, uint64_t position)
{
    assert (db);
    assert (feed);
    char sql[JY_FEED_SQL_SIZE];
    S_SQL (sql,
           "INSERT INTO %s.feed_position (feed, position) VALUES ($1, $2)"
           " ON CONFLICT (feed) DO UPDATE SET position = EXCLUDED.position",
           schema);
    char position_text[24];
    snprintf (position_text, sizeof position_text, "%" PRIu64, position);
    const char *params[2] = {feed, position_text};
    return jy_db_exec (db, sql, 2, params);
}

struct _jy_feed_sub_t {
    jy_db_t *db; //  not ours
    const jy_feed_def_t *feed;
    zsock_t *sub;
    uint64_t position; //  last delivered (staged, in batch mode)
    uint64_t flushed;  //  last committed: equals position without batch mode
    uint64_t head;     //  newest sequence heard of
    size_t staged;     //  batch mode: deliveries since the last flush
    jy_feed_handler_fn *handler;
    jy_feed_flush_fn *flush; //  NULL: the handler commits each envelope
    void *arg;
    jy_feed_stats_t stats;
};

jy_feed_sub_t *jy_feed_sub_new (jy_db_t *db, const jy_feed_def_t *feed, const char *endpoint,
                                uint64_t position, jy_feed_handler_fn *handler, void *arg)
{
    assert (db);
    assert (feed);
    assert (endpoint);
    assert (handler);
    //  The high-water mark applies to connections made after it is set: connect last.
    zsock_t *sub = zsock_new_sub (NULL, feed->name);
    assert (sub);
    zsock_set_rcvhwm (sub, JY_FEED_RCVHWM);
    //  CURVE when the process has it (docs/security.md).
    if (jy_security_client (jy_security_process (), sub) != 0) {
        jy_error ("feed %s: %s", feed->name, jy_security_error (jy_security_process ()));
        zsock_destroy (&sub);
        return NULL;
    }
    if (zsock_connect (sub, "%s", endpoint) != 0) {
        jy_error ("feed %s: cannot connect to %s: %s", feed->name, endpoint,
                  zmq_strerror (zmq_errno ()));
        zsock_destroy (&sub);
        return NULL;
    }
    jy_feed_sub_t *self = calloc (1, sizeof *self);
    assert (self);
    self->db = db;
    self->feed = feed;
    self->sub = sub;
    self->position = self->flushed = self->head = position;
    self->handler = handler;
    self->arg = arg;
    return self;
}

void jy_feed_sub_destroy (jy_feed_sub_t **self_p)
{
    assert (self_p);
    jy_feed_sub_t *self = *self_p;
    if (!self)
        return;
    zsock_destroy (&self->sub);
    free (self);
    *self_p = NULL;
}

zsock_t *jy_feed_sub_socket (jy_feed_sub_t *self)
{
    assert (self);
    return self->sub;
}

void jy_feed_sub_set_flush (jy_feed_sub_t *self, jy_feed_flush_fn *flush)
{
    assert (self);
    assert (self->staged == 0);
    self->flush = flush;
}

uint64_t jy_feed_sub_position (jy_feed_sub_t *self)
{
    assert (self);
    return self->flushed;
}

void jy_feed_sub_set_position (jy_feed_sub_t *self, uint64_t position)
{
    assert (self);
    self->position = self->flushed = position;
    self->staged = 0;
    if (self->head < position)
        self->head = position;
}

uint64_t jy_feed_sub_head (jy_feed_sub_t *self)
{
    assert (self);
    return self->head > self->flushed ? self->head : self->flushed;
}

jy_feed_stats_t jy_feed_sub_stats (jy_feed_sub_t *self)
{
    assert (self);
    return self->stats;
}

//  A heartbeat: no payload, and nothing this build failed to understand either.
static bool s_is_heartbeat (const jy_envelope_t *envelope)
{
    return envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD__NOT_SET &&
           envelope->base.n_unknown_fields == 0;
}

static bool s_is_unknown (const jy_envelope_t *envelope, jy_wire_status_t status)
{
    return status == JY_WIRE_UNKNOWN_PAYLOAD ||
           (envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD__NOT_SET &&
            envelope->base.n_unknown_fields > 0);
}

//  Batch mode: what was staged since the last flush goes back to the last committed position
//  (the consumer discarded it).
static void s_discard (jy_feed_sub_t *self)
{
    self->position = self->flushed;
    self->staged = 0;
}

//  Hand one envelope to the handler; the position moves only when it committed (or, in batch
//  mode, staged).
static int s_deliver (jy_feed_sub_t *self, uint64_t seq, jy_envelope_t *envelope,
                      jy_wire_status_t status)
{
    if (s_is_unknown (envelope, status))
        self->stats.unknown_payloads++;
    if (self->handler (self->arg, seq, envelope) != 0) {
        s_discard (self);
        return -1;
    }
    self->position = seq;
    if (self->flush)
        self->staged++;
    else
        self->flushed = seq;
    if (self->head < seq)
        self->head = seq;
    return 0;
}

//  Batch mode: commit what is staged. 0, or -1 when the flush failed (back to the last flush).
static int s_flush (jy_feed_sub_t *self)
{
    if (!self->flush || self->staged == 0)
        return 0;
    if (self->flush (self->arg, self->position) != 0) {
        self->stats.failed_flushes++;
        jy_warning ("feed %s: a batch of %zu up to %" PRIu64 " was not committed; back to %" PRIu64,
                    self->feed->name, self->staged, self->position, self->flushed);
        s_discard (self);
        return -1;
    }
    self->stats.flushes++;
    self->flushed = self->position;
    self->staged = 0;
    return 0;
}

int jy_feed_sub_catch_up_step (jy_feed_sub_t *self, bool *done)
{
    assert (self);
    assert (done);
    *done = false;
    //  Live messages staged before a gap are committed first, in order.
    if (s_flush (self) != 0)
        return -1;
    char position[24], batch[16];
    snprintf (position, sizeof position, "%" PRIu64, self->position);
    snprintf (batch, sizeof batch, "%d", JY_FEED_BATCH);
    const char *params[2] = {position, batch};
    PGresult *result = jy_db_query_binary (self->db, self->feed->catchup_sql, 2, params);
    if (!result)
        return -1;
    int delivered = 0;
    int rows = PQntuples (result);
    for (int row = 0; row < rows; row++) {
        uint64_t seq = (uint64_t) jy_db_get_int8 (result, row, 0);
        if (seq <= self->position)
            continue; //  the query says seq > $1; a handler cannot move us backwards
        if (seq != self->position + 1)
            //  The writer reserved numbers it did not store: report it, do not stall.
            jy_warning ("feed %s: table has no rows %" PRIu64 "..%" PRIu64, self->feed->name,
                        self->position + 1, seq - 1);
        jy_wire_status_t status;
        jy_envelope_t *envelope =
            jy_wire_unpack ((const uint8_t *) PQgetvalue (result, row, 1),
                            (size_t) PQgetlength (result, row, 1), JY_WIRE_DEFAULT_CAP, &status);
        if (!envelope) {
            //  The table is the truth: skipping a row would lose it for good. Stop loudly.
            self->stats.bad_frames++;
            jy_error ("feed %s: stored envelope %" PRIu64 " is unreadable (%s)", self->feed->name,
                      seq, jy_wire_status_text (status));
            PQclear (result);
            s_discard (self);
            return -1;
        }
        int rc = s_deliver (self, seq, envelope, status);
        jy_envelope_free (&envelope);
        if (rc != 0) {
            PQclear (result);
            return -1;
        }
        self->stats.caught_up++;
        delivered++;
    }
    PQclear (result);
    if (s_flush (self) != 0)
        return -1;
    *done = rows < JY_FEED_BATCH;
    return delivered;
}

int jy_feed_sub_catch_up (jy_feed_sub_t *self)
{
    assert (self);
    int delivered = 0;
    for (bool done = false; !done;) {
        int rc = jy_feed_sub_catch_up_step (self, &done);
        if (rc < 0)
            return -1;
        delivered += rc;
    }
    return delivered;
}

//  Receive and act on one live message. 0, or -1 when a delivery or catch-up failed.
static int s_receive (jy_feed_sub_t *self)
{
    zmsg_t *msg = zmsg_recv (self->sub);
    if (!msg)
        return 0; //  interrupted: nothing was received
    zframe_t *topic = zmsg_first (msg);
    zframe_t *body = zmsg_next (msg);
    if (zmsg_size (msg) != 2) {
        self->stats.bad_frames++;
        zmsg_destroy (&msg);
        return 0;
    }
    //  SUB filters by prefix: "events" lets "events2" through; topics are "events.<la>".
    if (!jy_feed_topic_is (topic, self->feed)) {
        zmsg_destroy (&msg);
        return 0;
    }
    jy_wire_status_t status;
    jy_envelope_t *envelope =
        jy_wire_unpack (zframe_data (body), zframe_size (body), JY_WIRE_DEFAULT_CAP, &status);
    zmsg_destroy (&msg);
    if (!envelope || !envelope->has_feed_seq) {
        self->stats.bad_frames++;
        if (envelope)
            jy_envelope_free (&envelope);
        return 0;
    }
    int rc = 0;
    uint64_t seq = envelope->feed_seq;
    if (self->head < seq)
        self->head = seq;
    if (s_is_heartbeat (envelope)) {
        //  The publisher is ahead: the tail we have not seen was dropped.
        if (seq > self->position) {
            self->stats.gaps++;
            rc = jy_feed_sub_catch_up (self) < 0 ? -1 : 0;
        }
    } else if (seq <= self->position)
        self->stats.duplicates++;
    else if (seq == self->position + 1) {
        rc = s_deliver (self, seq, envelope, status);
        if (rc == 0)
            self->stats.live_delivered++;
    } else {
        //  Never deliver out of order: the table holds everything up to this one.
        self->stats.gaps++;
        rc = jy_feed_sub_catch_up (self) < 0 ? -1 : 0;
    }
    jy_envelope_free (&envelope);
    return rc;
}

int jy_feed_sub_on_readable (jy_feed_sub_t *self)
{
    assert (self);
    int rc = s_receive (self);
    if (!self->flush)
        return rc;
    //  Batch mode: take the run of messages already waiting, then commit them together.
    for (int more = 1; rc == 0 && more < JY_FEED_BATCH; more++) {
        if (!(zsock_events (self->sub) & ZMQ_POLLIN))
            break;
        rc = s_receive (self);
    }
    if (rc == 0)
        rc = s_flush (self);
    return rc;
}
