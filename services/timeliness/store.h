/*  store: journey-timelinessd's tables (deploy/migrations/004_timeliness.sql): the deadlines,
    the alert feed and the daemon's small facts, read and written in bulk.

    Every write here runs inside the caller's transaction, one statement per table whatever
    the number of rows: deadlines as one INSERT ... SELECT FROM unnest (...) ON CONFLICT (id)
    DO UPDATE, the day's state changes as one UPDATE ... FROM unnest (...), alerts by COPY
    after jy_feed_reserve has numbered them.
*/
#ifndef TL_STORE_H_INCLUDED
#define TL_STORE_H_INCLUDED

#include "book.h"
#include "child_records.h"

//  One row of timeliness.deadline. The strings are borrowed from wherever the row was made.
typedef struct {
    int64_t id;
    const char *la_code, *child_id;
    tl_clock_id_t clock; //  TL_CLOCK_COUNT for a name this build does not know
    const char *clock_name;
    const char *anchor;
    jy_date_t started_on, due_on;
    tl_state_t state;
    jy_date_t met_on;
    bool has_late;
    int late_working_days;
    jy_date_t cancelled_on;
    const char *cancel_reason;
    jy_date_t planned_on;
    const char *team_id, *worker_id;
    jy_date_t first_seen_on;
    bool backfill;
    uint32_t alerts;
} tl_deadline_row_t;

//  Alerts on their way to the feed: each kept as its own protobuf-c tree.
typedef struct {
    Journey__V1__Alert **items;
    size_t count, capacity;
    uint64_t first_seq; //  the first item's feed number, once written
} tl_alert_list_t;

//  Append a copy of alert.
void tl_alert_list_add (tl_alert_list_t *list, const Journey__V1__Alert *alert);
//  Free the alerts; the list is empty again (and keeps its memory).
void tl_alert_list_clear (tl_alert_list_t *list);
void tl_alert_list_free (tl_alert_list_t *list);
//  "due_soon", "drifted", ..., as timeliness.alert_feed.kind; NULL for none.
const char *tl_alert_kind_name (Journey__V1__Alert__Kind kind);

typedef struct _tl_store_t tl_store_t;

tl_store_t *tl_store_new (void);
void tl_store_destroy (tl_store_t **self_p);

//  Load every running deadline into the book (emptied first), in chunks. Deadlines of a
//  clock that is unknown or switched off are left out: they raise nothing. *loaded counts
//  what went in. 0 or -1 (database).
int tl_store_load_book (tl_store_t *self, jy_db_t *db, tl_clocks_t *clocks, tl_book_t *book,
                        size_t *loaded);
//  The id after the largest used. 0 or -1.
int tl_store_next_id (jy_db_t *db, int64_t *next_id);

//  Every stored deadline of these children (any state), in no order: *rows points into
//  memory the store keeps until the next call. 0 or -1.
int tl_store_read_children (tl_store_t *self, jy_db_t *db, const tl_child_key_t *keys, size_t count,
                            tl_deadline_row_t **rows, size_t *row_count);

//  Insert or update these rows (first_seen_on and backfill are kept on update); updated_on
//  is today. 0 or -1.
int tl_store_write_deadlines (tl_store_t *self, jy_db_t *db, const tl_deadline_row_t *rows,
                              size_t count, jy_date_t today);

//  The sweep's changes: state and alerts of running deadlines by id, updated_on today.
void tl_store_state_change (tl_store_t *self, int64_t id, tl_state_t state, uint32_t alerts);
//  Write the changes collected (and forget them). 0 or -1.
int tl_store_write_state_changes (tl_store_t *self, jy_db_t *db, jy_date_t today);
void tl_store_forget_state_changes (tl_store_t *self);

//  Number the alerts on the alert feed (their alert_id and list->first_seq) and store them
//  with their envelopes. Nothing when the list is empty. 0 or -1.
int tl_store_write_alerts (tl_store_t *self, jy_db_t *db, tl_alert_list_t *list);

//  A live flush stored in one statement, so in one round trip and one commit (no transaction
//  open around it): these deadline rows as tl_store_write_deadlines, the alerts numbered from
//  alert_head + 1 as tl_store_write_alerts, the alert feed head moved on past them (an error
//  when it is not at alert_head: another writer), and the event feed position. All or
//  nothing. 0 or -1.
int tl_store_write_live (tl_store_t *self, jy_db_t *db, const tl_deadline_row_t *rows, size_t count,
                         jy_date_t today, tl_alert_list_t *alerts, uint64_t alert_head,
                         uint64_t events_position);
//  The envelope an alert is stored and published in: the same fields both times, so the same
//  bytes. The envelope points at the alert.
void tl_store_alert_envelope (jy_envelope_t *envelope, Journey__V1__Alert *alert, uint64_t seq);

//  timeliness.state: a value by key (NULL when absent: *value is then NULL), and an upsert.
//  The text read stays valid until the next call. 0 or -1.
int tl_store_state_get (tl_store_t *self, jy_db_t *db, const char *key, const char **value);
int tl_store_state_set (jy_db_t *db, const char *key, const char *value);

#endif
