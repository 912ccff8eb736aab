/*  derive: a child's deadlines, computed from the child's case records.

    Pure: the same records, rules and calendar always give the same deadlines, whatever order
    the events arrived in. journey-timelinessd reads a child's records from the ingest
    projection (child_records.c) whenever one of the child's events is committed, derives
    the deadlines again, and stores the difference. Corrections and retractions therefore
    move and cancel deadlines for free: the projection already reflects the corrected
    history.

    A deadline is identified by (clock, anchor): the anchor names the record that started the
    clock ("R123" for the referral R123, "P7" for a plan, "P7/2" for the clock after the 2nd
    RCPC of plan P7, ...), stable while that record stands.

    Derivation does not know "today": a deadline is met (met_on set), cancelled (cancelled_on
    and a reason) or running. Whether a running deadline is open or missed, and which alerts
    are due, is the deadline book's business (book.h).
*/
#ifndef TL_DERIVE_H_INCLUDED
#define TL_DERIVE_H_INCLUDED

#include "clocks.h"

//  Booleans read from nullable columns: -1 unknown (NULL), 0 false, 1 true.
typedef int8_t tl_tristate_t;

//  --- A child's case records (the columns derivation needs; NULL dates are JY_DATE_INVALID) --

typedef struct {
    char *id;
    jy_date_t received_on, decided_on;
} tl_contact_t;

typedef struct {
    char *id;
    jy_date_t received_on, closed_on;
} tl_referral_t;

typedef struct {
    char *id;
    char *referral_id;
    jy_date_t started_on, completed_on, authorised_on;
    tl_tristate_t legacy_initial;
} tl_assessment_t;

typedef struct {
    char *id;
    char *referral_id;
    jy_date_t held_on;
    tl_tristate_t s47_started;
    char *s47_id;
} tl_strategy_t;

typedef struct {
    char *id;
    char *strategy_id;
    jy_date_t started_on, completed_on;
    tl_tristate_t icpc_required;
} tl_s47_t;

typedef struct {
    char *id;   //  conference_id
    char *kind; //  icpc, rcpc, cla_review, cin_review, core_group, pathway_review
    jy_date_t booked_on, planned_on, cancelled_on, held_on;
} tl_booking_t;

typedef struct {
    char *id;   //  meeting_id
    char *kind; //  as bookings
    jy_date_t held_on;
    char *conference_id, *s47_id, *plan_id, *period_id;
    tl_tristate_t plan_made;
} tl_meeting_t;

typedef struct {
    char *id;
    jy_date_t started_on, ended_on;
} tl_plan_t; //  CP and CIN plans

typedef struct {
    char *id; //  the visit's event_id
    jy_date_t visited_on;
    tl_tristate_t seen;
    char *context; //  cp, cin, cla, care_leaver
} tl_visit_t;

typedef struct {
    char *id;
    jy_date_t started_on, ended_on;
} tl_period_t; //  periods of care

typedef struct {
    char *id;
    char *period_id;
    jy_date_t started_on, ended_on;
    tl_tristate_t long_term;
} tl_placement_t;

typedef struct {
    char *id;   //  event_id
    char *kind; //  initial, review
    jy_date_t done_on;
} tl_health_t;

typedef struct {
    char *id;
    jy_date_t done_on;
} tl_pep_t;

typedef struct {
    char *id; //  episode_id
    jy_date_t started_on, ended_on, rhi_on;
} tl_missing_t;

typedef struct {
    char *id; //  the worker_allocated event's id
    jy_date_t allocated_on, ended_on;
    char *team_id, *worker_id;
} tl_allocation_t; //  allocation spells (ended_on JY_DATE_INVALID while open)

//  Everything about one child that any clock reads. Arrays are in no particular order.
typedef struct {
    char *la_code;
    char *child_id;
    bool exists; //  false: the child has no row (retracted registration)
    jy_date_t date_of_birth;
    jy_date_t closed_on;       //  case closed now (JY_DATE_INVALID while open)
    char *team_id, *worker_id; //  allocation now, NULL when unallocated

    tl_contact_t *contacts;
    size_t n_contacts;
    tl_referral_t *referrals;
    size_t n_referrals;
    tl_assessment_t *assessments;
    size_t n_assessments;
    tl_strategy_t *strategies;
    size_t n_strategies;
    tl_s47_t *s47s;
    size_t n_s47s;
    tl_booking_t *bookings;
    size_t n_bookings;
    tl_meeting_t *meetings;
    size_t n_meetings;
    tl_plan_t *cp_plans;
    size_t n_cp_plans;
    tl_plan_t *cin_plans;
    size_t n_cin_plans;
    tl_visit_t *visits;
    size_t n_visits;
    tl_period_t *periods;
    size_t n_periods;
    tl_placement_t *placements;
    size_t n_placements;
    tl_health_t *health;
    size_t n_health;
    tl_pep_t *peps;
    size_t n_peps;
    tl_missing_t *missing;
    size_t n_missing;
    tl_allocation_t *allocations;
    size_t n_allocations;
    jy_date_t *closures; //  every day the case was closed, reopened since or not
    size_t n_closures;
} tl_child_t;

//  A zeroed child with its two ids copied (arrays empty, dates JY_DATE_INVALID).
tl_child_t *tl_child_new (const char *la_code, const char *child_id);
//  Frees the child, its arrays and every string in them.
void tl_child_destroy (tl_child_t **self_p);

//  The allocation a deadline that ended on `on` is reported under: of the spells allocated on
//  or before that day, the latest (a spell that starts on the day wins over the one it ends;
//  an unallocation on the day keeps the spell it ends); else the earliest spell after it;
//  else the allocation now. A function of the records alone, so that a deadline's team does
//  not depend on which flush saw it end (DESIGN.md invariant 6).
void tl_child_allocation_on (const tl_child_t *child, jy_date_t on, const char **team_id,
                             const char **worker_id);

//  --- Deadlines ----------------------------------------------------------------------------

typedef enum {
    TL_END_NONE,      //  running
    TL_END_MET,       //  met_on set
    TL_END_CANCELLED, //  cancelled_on and cancel_reason set
} tl_end_t;

typedef struct {
    tl_clock_id_t clock;
    char anchor[64]; //  with clock: the deadline's identity within the child
    jy_date_t started_on;
    jy_date_t due_on;
    tl_end_t end;
    jy_date_t met_on;          //  TL_END_MET
    int late_working_days;     //  TL_END_MET: working days after due (0 when on time)
    bool met_in_time;          //  TL_END_MET: on or before due, or for a working-day clock no
                               //  working day after due (working days elapsed <= the limit)
    jy_date_t cancelled_on;    //  TL_END_CANCELLED (JY_DATE_INVALID when the start was removed)
    const char *cancel_reason; //  static text: "case_closed", "plan_ended", "period_ended",
                               //  "referral_closed", "s47_no_icpc", "placement_ended", ...
    jy_date_t planned_on;      //  the open booking for the meeting that would meet it, if any
} tl_deadline_t;

typedef struct {
    tl_deadline_t *items;
    size_t count, capacity;
} tl_deadlines_t;

void tl_deadlines_init (tl_deadlines_t *list);
void tl_deadlines_clear (tl_deadlines_t *list); //  frees the items; the list is empty again

//  Appends every deadline of every enabled clock for the child to out (which it does not
//  clear). Chained clocks (RCPCs, visits, reviews, RHAs) yield one deadline per link: the
//  met ones and the one running now. 0, or -1 when a date falls outside the calendar (the
//  deadlines that could be computed are still appended).
int tl_derive (tl_clocks_t *clocks, jy_calendar_t *calendar, const tl_child_t *child,
               tl_deadlines_t *out);

#endif
