/*  projection_writer: persist the case store's changes in a transaction.

    For every child rebuilt since the last commit, its rows are deleted from every projection
    table; then the dirty rows are written: the ones the database has never seen by COPY, the
    others by one INSERT ... ON CONFLICT per table over unnest'ed arrays. Never a round trip per
    row. The work is split in two so that journey-ingestd can take it off its main thread:
    projection_serialise turns the store's changes into a self-contained plan (no pointer into
    the store), and projection_execute runs a plan on any connection, in any thread.
*/
#ifndef JOURNEY_INGEST_PROJECTION_WRITER_H_INCLUDED
#define JOURNEY_INGEST_PROJECTION_WRITER_H_INCLUDED

#include "journey/journey.h"
#include "case_store.h"

typedef struct _projection_plan_t projection_plan_t;

projection_plan_t *projection_plan_new (void);
void projection_plan_destroy (projection_plan_t **self_p);
//  Replace the plan's statements with the store's changes since the last clear of its dirty
//  marks. Does not clear them.
void projection_serialise (case_store_t *store, projection_plan_t *plan);
//  How many statements the plan holds (0: nothing changed).
size_t projection_plan_size (projection_plan_t *self);
//  Inside the caller's transaction. 0, or -1 on a database error (the caller rolls back).
int projection_execute (jy_db_t *db, projection_plan_t *plan);

//  Both at once. Does not clear the dirty marks: the caller does after commit.
int projection_write (jy_db_t *db, case_store_t *store);

#endif
