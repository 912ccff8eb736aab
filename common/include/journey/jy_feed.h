/*  jy_feed: sequenced feeds (DESIGN.md invariant 3).

    Every feed has a gap-free sequence in commit order. The writer reserves sequence numbers
    inside its transaction from <schema>.feed_head with UPDATE ... RETURNING; the row lock that
    UPDATE takes is held until commit, so a second writer cannot take numbers until the first
    has committed, and numbers are therefore committed in order (docs/database.md). After
    commit the writer publishes [feed name][Envelope with feed_seq] on its PUB socket, and a
    heartbeat carrying the head every second so that a subscriber notices a lost tail.

    A subscriber keeps its position in <its schema>.feed_position, saved in the same transaction
    as the effects of what it consumed. On start, and whenever the live feed shows a gap, it
    catches up from the feed's table, then follows the live feed (the ZeroMQ guide's Clone
    pattern). PUB/SUB may drop; nothing is lost because the table is the truth.
*/
#ifndef JY_FEED_H_INCLUDED
#define JY_FEED_H_INCLUDED

#include <czmq.h>
#include <stdint.h>
#include "jy_db.h"
#include "jy_wire.h"

//  How to read a feed back from the database.
typedef struct {
    const char *name;   //  topic and feed_head key, e.g. "events"
    const char *schema; //  the writer's schema, holding feed_head: "ingest"
    //  Rows after $1 (bigint), at most $2, in sequence order, as (seq int8, envelope bytea).
    const char *catchup_sql;
} jy_feed_def_t;

//  Known feeds; NULL when the name is unknown.
const jy_feed_def_t *jy_feed_lookup (const char *name);

//  --- Writer side --------------------------------------------------------------------------

//  Inside the caller's transaction: take count sequence numbers, *first_seq the first of them.
int jy_feed_reserve (jy_db_t *db, const jy_feed_def_t *feed, uint32_t count, uint64_t *first_seq);
//  The newest committed sequence number of a feed (0 when none).
int jy_feed_head (jy_db_t *db, const jy_feed_def_t *feed, uint64_t *head);

//  The writer's socket, bound to the endpoint configured at key (e.g. "ingest/feed"): an XPUB in
//  manual mode (the publisher grants each subscriber the topics its key may read), send
//  high-water mark sndhwm, a second of linger, a CURVE server when the process uses CURVE.
//  NULL when it cannot bind, having logged why with the key and its file.
zsock_t *jy_feed_bind (struct _jy_config_t *config, const char *key, const char *endpoint,
                       int sndhwm);

//  Where a follower connects to the feed bound at bind_key ("timeliness/feed"): the setting
//  <bind_key>_connect, else the bind endpoint when it has no wildcard ("" when neither is set).
//  -1 with jy_config_error naming <bind_key>_connect when the bind is a wildcard
//  (tcp://*:7312, tcp://0.0.0.0:7312) and no connect endpoint is set.
int jy_feed_connect_endpoint (struct _jy_config_t *config, const char *bind_key,
                              const char **endpoint);

typedef struct _jy_feed_pub_t jy_feed_pub_t;

//  A publisher on a socket the caller owns. last_seq: the head after the caller's recovery.
//  Each envelope goes out under the topic "<feed>.<la_code>", heartbeats under "<feed>.head".
//  On jy_feed_bind's XPUB, before each send, the publisher grants each new subscription only
//  the topics of the LAs and feed the subscriber's key may read (docs/security.md, "Reading")
//  and, when the process's allowed keys were narrowed (jy_security_revision), binds again so
//  that every subscriber comes back through zauth.
jy_feed_pub_t *jy_feed_pub_new (zsock_t *pub, const jy_feed_def_t *feed, uint64_t last_seq);
void jy_feed_pub_destroy (jy_feed_pub_t **self_p);
//  Publish a committed envelope with its sequence number (sets envelope->feed_seq).
int jy_feed_pub_send (jy_feed_pub_t *self, uint64_t seq, jy_envelope_t *envelope);
//  Publish a heartbeat: an envelope with no payload whose feed_seq is the last sequence.
int jy_feed_pub_heartbeat (jy_feed_pub_t *self);
uint64_t jy_feed_pub_last (jy_feed_pub_t *self);

//  --- Reader side --------------------------------------------------------------------------

//  Whether a received topic frame is one of feed's ("<feed>.<anything>", or the bare "<feed>"
//  of an earlier release).
bool jy_feed_topic_is (zframe_t *topic, const jy_feed_def_t *feed);

//  Consume one envelope. The handler commits its effects and the new position together (see
//  jy_feed_position_save) and returns 0; -1 means nothing was committed: the subscriber stops
//  and retries from its position on the next catch-up.
//  In batch mode (jy_feed_sub_set_flush) the handler only stages its effects, and -1 means the
//  consumer has discarded everything staged since the last flush.
typedef int (jy_feed_handler_fn) (void *arg, uint64_t seq, jy_envelope_t *envelope);

//  Batch mode: commit the effects staged since the last flush together with position (the
//  last sequence staged) and return 0. -1 means nothing was committed and the consumer has
//  discarded what it staged: the subscriber goes back to the last flushed position.
typedef int (jy_feed_flush_fn) (void *arg, uint64_t position);

//  Position store, in the consumer's schema: <schema>.feed_position (feed, position).
int jy_feed_position_load (jy_db_t *db, const char *schema, const char *feed, uint64_t *position);
//  Inside the caller's transaction.
int jy_feed_position_save (jy_db_t *db, const char *schema, const char *feed, uint64_t position);

typedef struct _jy_feed_sub_t jy_feed_sub_t;

//  Connects a SUB socket to endpoint, subscribed to the feed's topic. The position is where the
//  consumer has got to (jy_feed_position_load). Catch-up reads use db.
jy_feed_sub_t *jy_feed_sub_new (jy_db_t *db, const jy_feed_def_t *feed, const char *endpoint,
                                uint64_t position, jy_feed_handler_fn *handler, void *arg);
void jy_feed_sub_destroy (jy_feed_sub_t **self_p);
//  The SUB socket, for the caller's poller.
zsock_t *jy_feed_sub_socket (jy_feed_sub_t *self);
//  Batch mode, so that a consumer commits once per batch rather than once per envelope: the
//  handler stages, and flush commits at the end of each catch-up page (up to 1,000 envelopes)
//  and after each run of live messages (those waiting when one arrives, up to 1,000). Without
//  it, the handler commits each envelope itself.
void jy_feed_sub_set_flush (jy_feed_sub_t *self, jy_feed_flush_fn *flush);
//  Deliver everything in the table after the position, in batches. Returns how many were
//  delivered, or -1 when the database or the handler (or flush) failed (the position stays
//  at the last commit).
int jy_feed_sub_catch_up (jy_feed_sub_t *self);
//  One batch of a catch-up, so that a consumer with a long way to go can serve other work
//  between batches: *done is set when the table had nothing more. Returns how many were
//  delivered, or -1 as jy_feed_sub_catch_up.
int jy_feed_sub_catch_up_step (jy_feed_sub_t *self, bool *done);
//  Receive one live message: delivers it, skips it (already consumed), or catches up on a gap
//  or a heartbeat ahead of the position. Returns 0, or -1 when a catch-up failed.
int jy_feed_sub_on_readable (jy_feed_sub_t *self);
//  The last sequence consumed (committed, in batch mode).
uint64_t jy_feed_sub_position (jy_feed_sub_t *self);
//  Start again from position: a consumer that reloaded its state from its own tables after a
//  failure sets the position it loaded with it. Anything staged is forgotten.
void jy_feed_sub_set_position (jy_feed_sub_t *self, uint64_t position);
//  The newest sequence the subscriber has heard of (a live message, a heartbeat or the
//  table), for its lag; never below the position.
uint64_t jy_feed_sub_head (jy_feed_sub_t *self);

typedef struct {
    uint64_t live_delivered;
    uint64_t caught_up;        //  delivered from the table
    uint64_t duplicates;       //  live messages at or below the position, skipped
    uint64_t gaps;             //  times a gap triggered a catch-up
    uint64_t unknown_payloads; //  envelopes of a kind this build does not know (still handed
                               //  to the handler, which saves the position past them)
    uint64_t bad_frames;       //  unreadable frames, skipped
    uint64_t flushes;          //  batch mode: flushes that committed
    uint64_t failed_flushes;   //  batch mode: flushes that did not (the batch is redelivered)
} jy_feed_stats_t;

jy_feed_stats_t jy_feed_sub_stats (jy_feed_sub_t *self);

#endif
