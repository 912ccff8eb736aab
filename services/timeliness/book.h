/*  book: every running deadline in memory, and the alert rules (docs/timeliness.md).

    journey-timelinessd keeps each running deadline (state open or missed) here with its
    trigger dates worked out once, so that the day's sweep over a million of them is a pass
    over an array: no SQL and no calendar arithmetic per deadline. Met and cancelled
    deadlines live only in timeliness.deadline.

    The rules, for a running deadline on `today`:
    - state: missed when today > due_on, open otherwise;
    - the chain DUE_SOON < DUE_TODAY < OVERDUE < OVERDUE_BY, triggered on: the working day
      `lead` working days before due (none when the clock's lead is 0); due; due + 1
      calendar day; the first day on which the working days d with due < d <= today exceed
      overdue_by. The latest kind whose trigger has come is raised if it was not raised
      before, and it and every earlier kind are marked done: an earlier kind is passed over,
      never raised late, so a daemon that was down for days announces only the present state;
    - DRIFTED: the booking that would meet it is planned after due_on, today <= due_on, and it
      was not raised before.
    The bits of the kinds raised or passed over (1 << Alert.Kind) are the deadline's `alerts`
    column; a kind whose bit is set is never raised again.
*/
#ifndef TL_BOOK_H_INCLUDED
#define TL_BOOK_H_INCLUDED

#include "clocks.h"

typedef enum {
    TL_STATE_OPEN,
    TL_STATE_MISSED,
    TL_STATE_MET_ON_TIME,
    TL_STATE_MET_LATE,
    TL_STATE_CANCELLED,
    TL_STATE_COUNT
} tl_state_t;

//  "open", "missed", "met_on_time", "met_late", "cancelled": the values of the state column.
const char *tl_state_name (tl_state_t state);
//  TL_STATE_COUNT when the name is unknown.
tl_state_t tl_state_lookup (const char *name);
bool tl_state_running (tl_state_t state);

//  An alert kind's bit in the alerts column.
#define TL_ALERT_BIT(kind) (1u << (unsigned) (kind))
//  Every kind a deadline can raise: what a backfilled deadline carries, so that it never
//  announces anything.
#define TL_ALERTS_ALL                                                                              \
    (TL_ALERT_BIT (JOURNEY__V1__ALERT__KIND__DUE_SOON) |                                           \
     TL_ALERT_BIT (JOURNEY__V1__ALERT__KIND__DRIFTED) |                                            \
     TL_ALERT_BIT (JOURNEY__V1__ALERT__KIND__DUE_TODAY) |                                          \
     TL_ALERT_BIT (JOURNEY__V1__ALERT__KIND__OVERDUE) |                                            \
     TL_ALERT_BIT (JOURNEY__V1__ALERT__KIND__OVERDUE_BY))

//  A running deadline as the book holds it. The strings belong to whoever filled it in; the
//  book keeps its own copies.
typedef struct {
    int64_t id;
    const char *la_code, *child_id;
    const char *team_id, *worker_id; //  NULL when unallocated
    tl_clock_id_t clock;
    jy_date_t started_on, due_on;
    jy_date_t planned_on; //  JY_DATE_INVALID when nothing is booked
    tl_state_t state;     //  open or missed
    uint32_t alerts;
} tl_book_deadline_t;

typedef struct _tl_book_t tl_book_t;

//  The rules need the clocks (each clock's lead), the calendar and timeliness/overdue_by;
//  the book keeps pointers to the first two.
tl_book_t *tl_book_new (tl_clocks_t *clocks, jy_calendar_t *calendar, int overdue_by);
void tl_book_destroy (tl_book_t **self_p);

//  The rules for one running deadline on today: sets *state (open or missed), adds the kinds
//  raised and passed over to *alerts, and returns the bits of the kinds to raise now.
uint32_t tl_book_evaluate (tl_book_t *self, tl_clock_id_t clock, jy_date_t due_on,
                           jy_date_t planned_on, jy_date_t today, uint32_t *alerts,
                           tl_state_t *state);

//  Add a running deadline, or replace the one with its id.
void tl_book_put (tl_book_t *self, const tl_book_deadline_t *deadline);
//  Forget a deadline (met or cancelled); nothing when it is not there.
void tl_book_remove (tl_book_t *self, int64_t id);
//  The deadline with this id: true and *deadline filled in (strings valid until the book
//  next changes), or false.
bool tl_book_get (tl_book_t *self, int64_t id, tl_book_deadline_t *deadline);
size_t tl_book_count (tl_book_t *self);
//  Empty the book (before loading it again).
void tl_book_clear (tl_book_t *self);

//  Receives a deadline whose state or alerts the sweep changed, with the kinds it raised (0
//  when only the state changed). The strings are valid during the call.
typedef void (tl_book_change_fn) (void *arg, const tl_book_deadline_t *deadline, uint32_t raised);

//  The day's sweep: the rules for every deadline in the book on today. The book takes the
//  new states and alerts at once (a caller whose transaction then fails loads the book
//  again). Returns how many deadlines changed.
size_t tl_book_sweep (tl_book_t *self, jy_date_t today, tl_book_change_fn *change, void *arg);

#endif
