/*  projection_writer: persist the case store's changes in the caller's transaction.

    For every child rebuilt since the last commit, its rows are deleted from every projection
    table; then every dirty row is upserted. One statement per table, whatever the number of
    rows (multi-row INSERT ... ON CONFLICT over unnest'ed arrays): never a round trip per row.
*/
#ifndef JOURNEY_INGEST_PROJECTION_WRITER_H_INCLUDED
#define JOURNEY_INGEST_PROJECTION_WRITER_H_INCLUDED

#include "journey/journey.h"
#include "case_store.h"

//  Inside the caller's transaction. 0, or -1 on a database error (the caller rolls back).
//  Does not clear the dirty marks: the caller does after commit.
int projection_write (jy_db_t *db, case_store_t *store);

#endif
