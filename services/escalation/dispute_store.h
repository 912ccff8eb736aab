/*  dispute_store: disputes, their steps and their notices in PostgreSQL
    (deploy/migrations/005_escalation.sql).

    The caller opens the transaction; dispute_store_save records one change inside it: each
    step with its place in the chain (n, at, prev_hash, hash: chain.h), the notices with their
    feed numbers (jy_feed_reserve on "disputes", which orders commits) and the dispute row. The
    notices' envelopes wait in the store's outbox, to be published after COMMIT (or dropped
    after a rollback). Every statement is parameterised; today comes from the caller.
*/
#ifndef JOURNEY_ESCALATION_DISPUTE_STORE_H_INCLUDED
#define JOURNEY_ESCALATION_DISPUTE_STORE_H_INCLUDED

#include "journey/journey.h"
#include "chain.h"
#include "dispute.h"
#include "ladder.h"

typedef struct _dispute_store_t dispute_store_t;

//  A store on a connection the caller owns.
dispute_store_t *dispute_store_new (jy_db_t *db, const ladder_t *ladder);
void dispute_store_destroy (dispute_store_t **self_p);

//  Are the tables there? 0, or -1 with error naming what is missing (or the database error).
int dispute_store_check_schema (dispute_store_t *self, char *error, size_t error_size);

//  A dispute by id; for_update locks its row until the transaction ends. 1 found, 0 not
//  found, -1 database error.
int dispute_store_load (dispute_store_t *self, uint64_t id, bool for_update, dispute_t *dispute);
//  Inside the caller's transaction: record the change (a new dispute is inserted first and
//  gets its id). Fills in each step's n, at (from now_ms), prev_hash and hash, and moves the
//  dispute's chain head. 0, or -1 on a database error (the caller rolls back).
int dispute_store_save (dispute_store_t *self, dispute_t *dispute, dispute_change_t *change,
                        int64_t now_ms);

//  Whether the child has an open period of care on today (projection.care_period). 1, 0 or -1.
int dispute_store_looked_after (dispute_store_t *self, const char *la_code, const char *child_id,
                                jy_date_t today);
//  That statement's text ($1 la_code, $2 child_id, $3 today), the one read of the projection
//  here. For tests/integration/test_contract.c.
const char *dispute_store_looked_after_sql (void);
//  Whether an open dispute was raised from this deadline's alert already. 1, 0 or -1.
int dispute_store_automatic_open (dispute_store_t *self, const char *la_code, const char *child_id,
                                  uint64_t deadline_id);
//  Inside the caller's transaction, locked until it ends: open disputes that today may change
//  (an unanswered stage due on or before horizon, the last day a warning could be due, or the
//  overall limit passed and not yet said), with ids above after, in id order, at most limit.
//  *disputes is a malloc'd array (dispute_clear each, then free it). 0 or -1.
int dispute_store_load_due (dispute_store_t *self, jy_date_t today, jy_date_t horizon,
                            uint64_t after, size_t limit, dispute_t **disputes, size_t *count);

//  The dispute's steps into the message (malloc'd, freed with the message). 0 or -1.
int dispute_store_steps (dispute_store_t *self, Journey__V1__Dispute *message);
//  Disputes with their steps, oldest first, at most limit: of la_code and child_id when not
//  NULL, in state_filter ("open", "resolved", "withdrawn", "closed", "all"; NULL: all).
//  *messages is a malloc'd array of malloc'd messages (free each with
//  journey__v1__dispute__free_unpacked, then the array). 0 or -1.
int dispute_store_list (dispute_store_t *self, const char *la_code, const char *child_id,
                        const char *state_filter, jy_date_t today, size_t limit,
                        Journey__V1__Dispute ***messages, size_t *count);
//  Feed every dispute and every stored step to the verifier. 0 or -1.
int dispute_store_verify (dispute_store_t *self, chain_verifier_t *verifier);

//  Envelopes of the notices saved since the outbox was last emptied, oldest first: the next
//  one (caller destroys), or NULL.
zframe_t *dispute_store_outbox_pop (dispute_store_t *self);
//  Forget them (their transaction rolled back).
void dispute_store_outbox_clear (dispute_store_t *self);

#endif
