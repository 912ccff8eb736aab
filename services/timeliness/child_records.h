/*  child_records: the case records of a set of children, read from the projection contract's
    views (deploy/migrations/010_projection_contract.sql) into tl_child_t for derive.h.

    One statement, one round trip, whatever the number of children and tables: a UNION ALL
    over the eighteen projection views derivation reads, each joined on (la_code, child_id) to
    the batch's children, every branch in the same wide row (a tag naming the table, the
    record's id, up to four dates, five texts and a boolean), read in binary.
*/
#ifndef TL_CHILD_RECORDS_H_INCLUDED
#define TL_CHILD_RECORDS_H_INCLUDED

#include "derive.h"

typedef struct {
    const char *la_code;
    const char *child_id;
} tl_child_key_t;

typedef struct _tl_child_records_t tl_child_records_t;

tl_child_records_t *tl_child_records_new (void);
void tl_child_records_destroy (tl_child_records_t **self_p);

//  The records of count children: children[i] receives a new tl_child_t for keys[i] (exists
//  false when the projection has no child row). 0, or -1 on a database error, with nothing
//  filled in. The keys must be distinct.
int tl_child_records_read (tl_child_records_t *self, jy_db_t *db, const tl_child_key_t *keys,
                           size_t count, tl_child_t **children);

//  The statement's text: $1 the la_codes, $2 the child_ids (text arrays). For
//  tests/integration/test_contract.c, which proves it against the projection contract.
const char *tl_child_records_sql (const tl_child_records_t *self);

#endif
