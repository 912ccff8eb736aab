/*  case_store: the case state of every child, in memory.

    journey-ingestd is the only writer of the ingest schema, so its memory can hold the truth
    between commits: the projection rows of every child (validation reads them; the writer
    persists the ones an event changed), every accepted event's id and content hash
    (idempotency), and each child's effective history as packed events, so that a correction
    or retraction rebuilds that child by replaying its history.

    Rows are generic: a table (projection.h), a key, and a text value per column (NULL for
    SQL NULL; dates "YYYY-MM-DD", booleans "true"/"false"). Applying an event follows the event
    map in projection.c; it never validates (validate.c does, before).

    On start, the store is loaded by applying every stored event in sequence order. The server
    clears the dirty marks as soon as it has serialised the changes for its writer thread; when a
    transaction fails, it discards the store and loads it again, so memory never runs ahead of
    the database by more than the batches in flight.
*/
#ifndef JOURNEY_INGEST_CASE_STORE_H_INCLUDED
#define JOURNEY_INGEST_CASE_STORE_H_INCLUDED

#include "journey/journey.h"
#include "projection.h"

typedef struct _case_store_t case_store_t;
typedef struct _case_child_t case_child_t;
typedef struct _case_row_t case_row_t;

#define CASE_HASH_SIZE 32 //  SHA-256 of the packed Event

case_store_t *case_store_new (void);
void case_store_destroy (case_store_t **self_p);

//  --- Events (idempotency, corrections) ------------------------------------------------------

typedef enum {
    CASE_EVENT_NEW = 0,
    CASE_EVENT_DUPLICATE, //  same (la_code, event_id), same content
    CASE_EVENT_CONFLICT,  //  same (la_code, event_id), different content
} case_event_check_t;

case_event_check_t case_store_check_event (case_store_t *self, const char *la_code,
                                           const char *event_id, const uint8_t *hash);

typedef struct {
    const char *child_id;
    int payload_case; //  JOURNEY__V1__EVENT__PAYLOAD_...
    bool superseded;  //  a later correction replaced it
    bool retracted;   //  a retraction removed it
    jy_date_t occurred_on;
} case_event_info_t;

//  An accepted event by id, or NULL.
const case_event_info_t *case_store_event (case_store_t *self, const char *la_code,
                                           const char *event_id);

//  Apply an accepted event: remember its id and hash, append it to the child's history and
//  change the child's rows (marking them dirty). A correction (supersedes) or a retraction
//  marks its target and rebuilds the child from its effective history (marking the child
//  rebuilt). packed/packed_size: the event's protobuf bytes, kept for rebuilds. 0, or -1 when
//  the event cannot be applied at all (no child_id, no la_code: validation lets none through).
int case_store_apply (case_store_t *self, const Journey__V1__Event *event, const uint8_t *packed,
                      size_t packed_size, const uint8_t *hash);

size_t case_store_event_count (case_store_t *self);
size_t case_store_child_count (case_store_t *self);

//  --- Reading the state (for validation and tests) ---------------------------------------

//  The child, or NULL when nothing about it has been accepted.
case_child_t *case_store_child (case_store_t *self, const char *la_code, const char *child_id);

//  A row by key, or NULL. For one-per-child tables (child, adoption) the key is the child_id.
case_row_t *case_child_find (case_child_t *child, proj_table_t table, const char *key);
//  The rows of one table, in the order they were created: first, then next until NULL.
case_row_t *case_child_first (case_child_t *child, proj_table_t table);
case_row_t *case_row_next (case_row_t *row);
//  The first row of the table whose column is NULL (e.g. the open plan: "ended_on"), or NULL.
case_row_t *case_child_find_open (case_child_t *child, proj_table_t table, const char *column);

const char *case_row_key (case_row_t *row);
//  A column's text value, or NULL.
const char *case_row_get (case_row_t *row, const char *column);
//  A date column's value, or JY_DATE_INVALID when NULL.
jy_date_t case_row_date (case_row_t *row, const char *column);
bool case_row_bool (case_row_t *row, const char *column);
//  A column's text value by index (projection_column), or NULL.
const char *case_row_value (case_row_t *row, int column);

//  --- Changing rows (the event map in projection.c only) -------------------------------------

//  The row with this key, created (all columns NULL, dirty) when missing.
case_row_t *case_child_upsert (case_child_t *child, proj_table_t table, const char *key);
//  Set a column (NULL: SQL NULL) and mark the row dirty. Values read from this row before are
//  invalid afterwards.
void case_row_set (case_row_t *row, int column, const char *value);

//  --- Changes since the last commit (for the writer) ----------------------------------------

//  Visit every dirty row (rows changed since case_store_clear_dirty), table by table.
typedef void (case_row_visitor_fn) (void *arg, const char *la_code, const char *child_id,
                                    proj_table_t table, case_row_t *row);
void case_store_each_dirty (case_store_t *self, case_row_visitor_fn *visitor, void *arg);
//  Visit every child rebuilt since the last clear: its rows must be deleted before the dirty
//  rows are written (all of a rebuilt child's rows are dirty).
typedef void (case_child_visitor_fn) (void *arg, const char *la_code, const char *child_id);
void case_store_each_rebuilt (case_store_t *self, case_child_visitor_fn *visitor, void *arg);
//  After commit: every dirty row is now in the database.
void case_store_clear_dirty (case_store_t *self);
//  Whether the row was in the database at the last clear; a row created since (or rebuilt) is
//  not, and can be written with a plain COPY instead of an upsert.
bool case_row_persisted (case_row_t *row);

#endif
