/*  derive: every clock from case records to deadlines, with the values asserted: met on time,
    met late (and by how many working days), running (due and planned dates), each cancel
    reason, met on the due date, bank holidays, month ends, the RHA age switch, the long-term
    CLA visit switch, disabled and configured clocks, order independence, and the cost of a
    child with thousands of visits. Expected dates were worked out by hand from DOMAIN.md's
    rules and its bank holiday table. */
#include <time.h>
#include <unistd.h>

#include "derive.h"
#include "jy_test.h"

static jy_calendar_t *s_calendar;
static tl_clocks_t *s_clocks;

//  --- Building a child -------------------------------------------------------------------------

static jy_date_t s_date (const char *text)
{
    return text ? D (text) : JY_DATE_INVALID;
}

static char *s_dup (const char *text)
{
    return text ? strdup (text) : NULL;
}

//  Appends a zeroed element to one of the child's arrays; returns it.
#define S_ADD(child, array, count)                                                                 \
    ((child)->array = realloc ((child)->array, ((child)->count + 1) * sizeof *(child)->array),     \
     assert ((child)->array), memset (&(child)->array[(child)->count], 0, sizeof *(child)->array), \
     &(child)->array[(child)->count++])

static tl_child_t *s_child (const char *date_of_birth)
{
    tl_child_t *child = tl_child_new ("201", "C1");
    child->exists = true;
    child->date_of_birth = s_date (date_of_birth);
    return child;
}

static void s_spell (tl_child_t *c, const char *id, const char *allocated, const char *ended,
                     const char *team)
{
    tl_allocation_t *x = S_ADD (c, allocations, n_allocations);
    *x = (tl_allocation_t){s_dup (id), s_date (allocated), s_date (ended), s_dup (team),
                           s_dup (team)};
}

static void s_contact (tl_child_t *c, const char *id, const char *received, const char *decided)
{
    tl_contact_t *x = S_ADD (c, contacts, n_contacts);
    *x = (tl_contact_t){s_dup (id), s_date (received), s_date (decided)};
}

static void s_referral (tl_child_t *c, const char *id, const char *received, const char *closed)
{
    tl_referral_t *x = S_ADD (c, referrals, n_referrals);
    *x = (tl_referral_t){s_dup (id), s_date (received), s_date (closed)};
}

static void s_assessment (tl_child_t *c, const char *id, const char *referral, const char *started,
                          const char *completed, const char *authorised, int legacy)
{
    tl_assessment_t *x = S_ADD (c, assessments, n_assessments);
    *x = (tl_assessment_t){s_dup (id),         s_dup (referral),    s_date (started),
                           s_date (completed), s_date (authorised), (tl_tristate_t) legacy};
}

static void s_strategy (tl_child_t *c, const char *id, const char *held, int s47_started,
                        const char *s47_id)
{
    tl_strategy_t *x = S_ADD (c, strategies, n_strategies);
    *x = (tl_strategy_t){s_dup (id), NULL, s_date (held), (tl_tristate_t) s47_started,
                         s_dup (s47_id)};
}

static void s_s47 (tl_child_t *c, const char *id, const char *strategy, const char *started,
                   const char *completed, int icpc_required)
{
    tl_s47_t *x = S_ADD (c, s47s, n_s47s);
    *x = (tl_s47_t){s_dup (id), s_dup (strategy), s_date (started), s_date (completed),
                    (tl_tristate_t) icpc_required};
}

static void s_booking (tl_child_t *c, const char *id, const char *kind, const char *planned,
                       const char *cancelled, const char *held)
{
    tl_booking_t *x = S_ADD (c, bookings, n_bookings);
    *x = (tl_booking_t){s_dup (id),       s_dup (kind),       JY_DATE_INVALID,
                        s_date (planned), s_date (cancelled), s_date (held)};
}

//  link: "s47:K1", "plan:P1" or "period:X" (or NULL); plan_made -1, 0 or 1.
static void s_meeting (tl_child_t *c, const char *id, const char *kind, const char *held,
                       const char *link, int plan_made)
{
    tl_meeting_t *x = S_ADD (c, meetings, n_meetings);
    *x = (tl_meeting_t){.id = s_dup (id),
                        .kind = s_dup (kind),
                        .held_on = s_date (held),
                        .plan_made = (tl_tristate_t) plan_made};
    if (link && strncmp (link, "s47:", 4) == 0)
        x->s47_id = s_dup (link + 4);
    else if (link && strncmp (link, "plan:", 5) == 0)
        x->plan_id = s_dup (link + 5);
    else if (link && strncmp (link, "period:", 7) == 0)
        x->period_id = s_dup (link + 7);
    else
        assert (!link);
}

static void s_plan (tl_plan_t **plans, size_t *count, const char *id, const char *started,
                    const char *ended)
{
    *plans = realloc (*plans, (*count + 1) * sizeof **plans);
    assert (*plans);
    (*plans)[(*count)++] = (tl_plan_t){s_dup (id), s_date (started), s_date (ended)};
}

static void s_visit (tl_child_t *c, const char *id, const char *on, int seen, const char *context)
{
    tl_visit_t *x = S_ADD (c, visits, n_visits);
    *x = (tl_visit_t){s_dup (id), s_date (on), (tl_tristate_t) seen, s_dup (context)};
}

static void s_period (tl_child_t *c, const char *id, const char *started, const char *ended)
{
    tl_period_t *x = S_ADD (c, periods, n_periods);
    *x = (tl_period_t){s_dup (id), s_date (started), s_date (ended)};
}

static void s_placement (tl_child_t *c, const char *id, const char *period, const char *started,
                         const char *ended, int long_term)
{
    tl_placement_t *x = S_ADD (c, placements, n_placements);
    *x = (tl_placement_t){s_dup (id), s_dup (period), s_date (started), s_date (ended),
                          (tl_tristate_t) long_term};
}

static void s_health (tl_child_t *c, const char *id, const char *kind, const char *done)
{
    tl_health_t *x = S_ADD (c, health, n_health);
    *x = (tl_health_t){s_dup (id), s_dup (kind), s_date (done)};
}

static void s_pep (tl_child_t *c, const char *id, const char *done)
{
    tl_pep_t *x = S_ADD (c, peps, n_peps);
    *x = (tl_pep_t){s_dup (id), s_date (done)};
}

static void s_missing (tl_child_t *c, const char *id, const char *started, const char *ended,
                       const char *rhi)
{
    tl_missing_t *x = S_ADD (c, missing, n_missing);
    *x = (tl_missing_t){s_dup (id), s_date (started), s_date (ended), s_date (rhi)};
}

//  --- Deriving and checking ----------------------------------------------------------------

static tl_deadlines_t s_list;

//  Derives the child's deadlines into s_list (cleared first) with the given clocks.
static int s_derive_with (tl_clocks_t *clocks, tl_child_t *child)
{
    tl_deadlines_clear (&s_list);
    return tl_derive (clocks, s_calendar, child, &s_list);
}

static int s_derive (tl_child_t *child)
{
    return s_derive_with (s_clocks, child);
}

static size_t s_count (tl_clock_id_t clock)
{
    size_t count = 0;
    for (size_t i = 0; i < s_list.count; i++)
        count += s_list.items[i].clock == clock;
    return count;
}

static const tl_deadline_t *s_find (tl_clock_id_t clock, const char *anchor)
{
    for (size_t i = 0; i < s_list.count; i++)
        if (s_list.items[i].clock == clock && strcmp (s_list.items[i].anchor, anchor) == 0)
            return &s_list.items[i];
    fprintf (stderr, "no deadline %s %s; there are:\n", tl_clocks_name (clock), anchor);
    for (size_t i = 0; i < s_list.count; i++)
        fprintf (stderr, "  %s %s\n", tl_clocks_name (s_list.items[i].clock),
                 s_list.items[i].anchor);
    return NULL;
}

static const tl_deadline_t s_absent = {.clock = TL_CLOCK_COUNT,
                                       .started_on = JY_DATE_INVALID,
                                       .due_on = JY_DATE_INVALID,
                                       .end = (tl_end_t) -1,
                                       .met_on = JY_DATE_INVALID,
                                       .cancelled_on = JY_DATE_INVALID,
                                       .planned_on = JY_DATE_INVALID};

static const tl_deadline_t *s_get (tl_clock_id_t clock, const char *anchor)
{
    const tl_deadline_t *deadline = s_find (clock, anchor);
    CHECK (deadline != NULL);
    return deadline ? deadline : &s_absent;
}

//  Met on met (late by late working days).
#define EXPECT_MET(clock, anchor, start, due, met, late)                                           \
    do {                                                                                           \
        const tl_deadline_t *d_ = s_get (clock, anchor);                                           \
        CHECK_DATE (d_->started_on, start);                                                        \
        CHECK_DATE (d_->due_on, due);                                                              \
        CHECK_INT (d_->end, TL_END_MET);                                                           \
        CHECK_DATE (d_->met_on, met);                                                              \
        CHECK_INT (d_->late_working_days, late);                                                   \
        CHECK_INT (d_->cancelled_on, JY_DATE_INVALID);                                             \
    } while (0)

//  Running, with the planned date of its open booking (NULL: none).
#define EXPECT_RUNNING(clock, anchor, start, due, planned)                                         \
    do {                                                                                           \
        const tl_deadline_t *d_ = s_get (clock, anchor);                                           \
        CHECK_DATE (d_->started_on, start);                                                        \
        CHECK_DATE (d_->due_on, due);                                                              \
        CHECK_INT (d_->end, TL_END_NONE);                                                          \
        CHECK_INT (d_->met_on, JY_DATE_INVALID);                                                   \
        CHECK_INT (d_->cancelled_on, JY_DATE_INVALID);                                             \
        CHECK_INT (d_->planned_on, s_date (planned));                                              \
    } while (0)

#define EXPECT_CANCELLED(clock, anchor, start, due, on, reason)                                    \
    do {                                                                                           \
        const tl_deadline_t *d_ = s_get (clock, anchor);                                           \
        CHECK_DATE (d_->started_on, start);                                                        \
        CHECK_DATE (d_->due_on, due);                                                              \
        CHECK_INT (d_->end, TL_END_CANCELLED);                                                     \
        CHECK_DATE (d_->cancelled_on, on);                                                         \
        CHECK_STR (d_->cancel_reason, reason);                                                     \
        CHECK_INT (d_->met_on, JY_DATE_INVALID);                                                   \
    } while (0)
#define EXPECT_CASE_CLOSED(clock, anchor, start, due, on)                                          \
    EXPECT_CANCELLED (clock, anchor, start, due, on, "case_closed")

//  --- The clocks ---------------------------------------------------------------------------------

static void s_test_contact_decision (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    //  The day before Good Friday: due the Tuesday after Easter Monday, met on the due date.
    s_contact (child, "K1", "2025-04-17", "2025-04-22");
    s_contact (child, "K2", "2025-03-03", "2025-03-06"); //  due 03-04: late 2 working days
    s_contact (child, "K3", "2025-03-10", NULL);
    s_contact (child, "K4", "2025-03-14", "2025-03-17"); //  Friday, decided Monday: on time
    s_contact (child, "K5", "2025-03-20", "2025-03-19"); //  decided before received: no
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_CONTACT_DECISION), 5);
    CHECK_INT (s_list.count, 5);
    EXPECT_MET (TL_CLOCK_CONTACT_DECISION, "K1", "2025-04-17", "2025-04-22", "2025-04-22", 0);
    EXPECT_MET (TL_CLOCK_CONTACT_DECISION, "K2", "2025-03-03", "2025-03-04", "2025-03-06", 2);
    EXPECT_RUNNING (TL_CLOCK_CONTACT_DECISION, "K3", "2025-03-10", "2025-03-11", NULL);
    EXPECT_MET (TL_CLOCK_CONTACT_DECISION, "K4", "2025-03-14", "2025-03-17", "2025-03-17", 0);
    EXPECT_RUNNING (TL_CLOCK_CONTACT_DECISION, "K5", "2025-03-20", "2025-03-21", NULL);
    tl_child_destroy (&child);
    CHECK (child == NULL);
}

static void s_test_assessment (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    //  Referral the Friday before Christmas: 45 working days is 2025-02-26.
    s_referral (child, "R1", "2024-12-20", NULL);
    s_assessment (child, "A1", "R1", "2024-12-23", "2025-02-20", "2025-02-26", 0); //  authorised
    s_assessment (child, "A1b", "R1", "2025-03-01", "2025-03-10", NULL, 0);        //  later: not it
    //  Completed late, never authorised: completed_on counts.
    s_referral (child, "R2", "2025-01-06", NULL);
    s_assessment (child, "A2", "R2", "2025-01-07", "2025-03-14", NULL, -1); //  due 03-10
    //  Closed without an assessment.
    s_referral (child, "R3", "2025-01-06", "2025-01-20");
    //  Running: a legacy initial assessment and an assessment for another referral don't count.
    s_referral (child, "R4", "2025-04-01", NULL);
    s_assessment (child, "A4", "R4", "2025-04-01", "2025-04-08", NULL, 1);
    //  Completed before the referral was received (re-used record): does not meet it.
    s_referral (child, "R5", "2025-05-01", NULL);
    s_assessment (child, "A5", "R5", "2025-04-01", "2025-04-20", NULL, 0);
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_ASSESSMENT), 5);
    CHECK_INT (s_count (TL_CLOCK_LEGACY_INITIAL), 0); //  off by default
    EXPECT_MET (TL_CLOCK_ASSESSMENT, "R1", "2024-12-20", "2025-02-26", "2025-02-26", 0);
    EXPECT_MET (TL_CLOCK_ASSESSMENT, "R2", "2025-01-06", "2025-03-10", "2025-03-14", 4);
    EXPECT_CANCELLED (TL_CLOCK_ASSESSMENT, "R3", "2025-01-06", "2025-03-10", "2025-01-20",
                      "referral_closed");
    EXPECT_RUNNING (TL_CLOCK_ASSESSMENT, "R4", "2025-04-01", "2025-06-09", NULL);
    EXPECT_RUNNING (TL_CLOCK_ASSESSMENT, "R5", "2025-05-01", "2025-07-07", NULL);

    //  With legacy_initial on, the legacy assessment meets its own clock.
    tl_clocks_t *clocks = tl_clocks_new_default ();
    ((tl_clock_rule_t *) tl_clocks_rule (clocks, TL_CLOCK_LEGACY_INITIAL))->enabled = true;
    CHECK_INT (s_derive_with (clocks, child), 0);
    CHECK_INT (s_count (TL_CLOCK_LEGACY_INITIAL), 5);
    EXPECT_MET (TL_CLOCK_LEGACY_INITIAL, "R4", "2025-04-01", "2025-04-15", "2025-04-08", 0);
    EXPECT_RUNNING (TL_CLOCK_LEGACY_INITIAL, "R1", "2024-12-20", "2025-01-08", NULL);
    EXPECT_CANCELLED (TL_CLOCK_LEGACY_INITIAL, "R3", "2025-01-06", "2025-01-20", "2025-01-20",
                      "referral_closed");
    tl_clocks_destroy (&clocks);
    tl_child_destroy (&child);
}

static void s_test_icpc_and_core_group (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    //  S1: its own ICPC (naming the s47) meets it, not an earlier unnamed one.
    s_strategy (child, "S1", "2025-02-03", 1, "E1");
    s_s47 (child, "E1", "S1", "2025-02-03", "2025-02-14", 1);
    s_meeting (child, "M0", "icpc", "2025-02-10", NULL, 0);
    s_meeting (child, "M1", "icpc", "2025-02-24", "s47:E1", 1); //  on the due date
    //  S1's ICPC made plan P1 that day: the core group on 03-06 is on its due date.
    s_plan (&child->cp_plans, &child->n_cp_plans, "P1", "2025-02-24", NULL);
    s_meeting (child, "G1", "core_group", "2025-03-03", "plan:P9", -1); //  another plan's
    s_meeting (child, "G2", "core_group", "2025-03-10", "plan:P1", -1);
    //  S2: the s47 (found by its strategy) ended with no ICPC needed.
    s_strategy (child, "S2", "2025-06-02", 1, NULL);
    s_s47 (child, "E2", "S2", "2025-06-02", "2025-06-13", 0);
    //  S3: no s47, no clock.
    s_strategy (child, "S3", "2025-07-01", 0, NULL);
    //  S4: running, an ICPC booked (a cancelled booking and a held one don't count).
    s_strategy (child, "S4", "2025-09-01", 1, "E4");
    s_booking (child, "B1", "icpc", "2025-09-15", "2025-09-05", NULL);
    s_booking (child, "B2", "icpc", "2025-09-16", NULL, "2025-09-16");
    s_booking (child, "B3", "icpc", "2025-09-30", NULL, NULL);
    s_booking (child, "B4", "rcpc", "2025-09-10", NULL, NULL);
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_ICPC), 3);
    EXPECT_MET (TL_CLOCK_ICPC, "S1", "2025-02-03", "2025-02-24", "2025-02-24", 0);
    EXPECT_CANCELLED (TL_CLOCK_ICPC, "S2", "2025-06-02", "2025-06-23", "2025-06-13", "s47_no_icpc");
    EXPECT_RUNNING (TL_CLOCK_ICPC, "S4", "2025-09-01", "2025-09-22", "2025-09-30");
    CHECK_INT (s_count (TL_CLOCK_CORE_GROUP), 1);
    EXPECT_MET (TL_CLOCK_CORE_GROUP, "M1", "2025-02-24", "2025-03-10", "2025-03-10", 0);
    tl_child_destroy (&child);

    //  An ICPC naming no enquiry meets a strategy whose s47 it doesn't know, late; the plan it
    //  made ends before a core group meets.
    child = s_child ("2015-06-01");
    s_strategy (child, "S1", "2025-01-06", 1, NULL);
    s_meeting (child, "M0", "icpc", "2024-12-20", NULL, -1); //  before the start
    s_meeting (child, "M1", "icpc", "2025-01-31", NULL, 1);  //  due 01-27: 4 late
    s_plan (&child->cp_plans, &child->n_cp_plans, "P1", "2025-01-31", "2025-02-07");
    s_meeting (child, "G1", "core_group", "2025-02-10", NULL, -1);
    s_booking (child, "B1", "core_group", "2025-02-10", NULL, NULL);
    CHECK_INT (s_derive (child), 0);
    EXPECT_MET (TL_CLOCK_ICPC, "S1", "2025-01-06", "2025-01-27", "2025-01-31", 4);
    EXPECT_CANCELLED (TL_CLOCK_CORE_GROUP, "M1", "2025-01-31", "2025-02-14", "2025-02-07",
                      "plan_ended");
    //  Without the plan's end, the core group meets it; without the meeting it runs, booked.
    child->cp_plans[0].ended_on = JY_DATE_INVALID;
    CHECK_INT (s_derive (child), 0);
    EXPECT_MET (TL_CLOCK_CORE_GROUP, "M1", "2025-01-31", "2025-02-14", "2025-02-10", 0);
    child->meetings[2].held_on = JY_DATE_INVALID;
    CHECK_INT (s_derive (child), 0);
    EXPECT_RUNNING (TL_CLOCK_CORE_GROUP, "M1", "2025-01-31", "2025-02-14", "2025-02-10");
    tl_child_destroy (&child);
}

static void s_test_rcpc (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    //  Started 31 January: the first RCPC is due 30 April (clamped).
    s_plan (&child->cp_plans, &child->n_cp_plans, "P1", "2024-01-31", NULL);
    s_meeting (child, "R0", "rcpc", "2024-01-15", NULL, -1);           //  before the plan
    s_meeting (child, "R1", "rcpc", "2024-04-29", "plan:P1", -1);      //  on time
    s_meeting (child, "R1b", "rcpc", "2024-04-29", NULL, -1);          //  the same day, twice
    s_meeting (child, "R9", "rcpc", "2024-06-01", "plan:P9", -1);      //  another plan's
    s_meeting (child, "R2", "rcpc", "2024-11-05", NULL, -1);           //  due 10-29: 5 late
    s_booking (child, "B1", "rcpc", "2025-05-20", NULL, NULL);         //  after the due date
    s_booking (child, "B0", "rcpc", "2025-05-01", "2025-04-01", NULL); //  cancelled
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_RCPC_FIRST), 1);
    CHECK_INT (s_count (TL_CLOCK_RCPC), 2);
    EXPECT_MET (TL_CLOCK_RCPC_FIRST, "P1", "2024-01-31", "2024-04-30", "2024-04-29", 0);
    EXPECT_MET (TL_CLOCK_RCPC, "P1/1", "2024-04-29", "2024-10-29", "2024-11-05", 5);
    EXPECT_RUNNING (TL_CLOCK_RCPC, "P1/2", "2024-11-05", "2025-05-05", "2025-05-20");
    tl_child_destroy (&child);

    //  30 November + 3 months = 29 February 2024; the plan ends first.
    child = s_child ("2015-06-01");
    s_plan (&child->cp_plans, &child->n_cp_plans, "P2", "2023-11-30", "2024-02-10");
    s_meeting (child, "R1", "rcpc", "2024-02-20", NULL, -1); //  after the plan ended
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_RCPC_FIRST), 1);
    CHECK_INT (s_count (TL_CLOCK_RCPC), 0);
    EXPECT_CANCELLED (TL_CLOCK_RCPC_FIRST, "P2", "2023-11-30", "2024-02-29", "2024-02-10",
                      "plan_ended");
    //  An RCPC on the day the plan ends meets the clock and starts no further one.
    child->meetings[0].held_on = D ("2024-02-10");
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_RCPC), 0);
    EXPECT_MET (TL_CLOCK_RCPC_FIRST, "P2", "2023-11-30", "2024-02-29", "2024-02-10", 0);
    tl_child_destroy (&child);
}

static void s_test_cp_visit (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    s_plan (&child->cp_plans, &child->n_cp_plans, "P1", "2025-01-06", NULL);
    s_visit (child, "V1", "2025-01-17", 1, "cp");  //  due 01-20: on time
    s_visit (child, "V2", "2025-02-04", 1, "cp");  //  due 01-31: 2 late
    s_visit (child, "V3", "2025-02-05", 0, "cp");  //  not seen
    s_visit (child, "V4", "2025-02-06", 1, "cla"); //  another context
    s_visit (child, "V5", "2025-02-06", -1, "cp"); //  seen unknown
    s_visit (child, "V0", "2025-01-02", 1, "cp");  //  before the plan
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_CP_VISIT), 3);
    EXPECT_MET (TL_CLOCK_CP_VISIT, "P1", "2025-01-06", "2025-01-20", "2025-01-17", 0);
    EXPECT_MET (TL_CLOCK_CP_VISIT, "P1/1", "2025-01-17", "2025-01-31", "2025-02-04", 2);
    EXPECT_RUNNING (TL_CLOCK_CP_VISIT, "P1/2", "2025-02-04", "2025-02-18", NULL);
    //  The plan ends: the running visit clock is cancelled.
    child->cp_plans[0].ended_on = D ("2025-02-10");
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_CP_VISIT), 3);
    EXPECT_CANCELLED (TL_CLOCK_CP_VISIT, "P1/2", "2025-02-04", "2025-02-18", "2025-02-10",
                      "plan_ended");
    tl_child_destroy (&child);
}

static void s_test_cin_review (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    s_plan (&child->cin_plans, &child->n_cin_plans, "N1", "2024-01-31", NULL);
    s_meeting (child, "W1", "cin_review", "2024-04-30", "plan:N1", -1); //  on the due date
    s_meeting (child, "W2", "cin_review", "2024-11-04", NULL, -1);      //  due 10-30: 3 late
    s_meeting (child, "X1", "rcpc", "2025-01-10", NULL, -1);            //  not a CIN review
    s_booking (child, "B1", "cin_review", "2025-04-10", NULL, NULL);
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_CIN_REVIEW_FIRST), 1);
    CHECK_INT (s_count (TL_CLOCK_CIN_REVIEW), 2);
    EXPECT_MET (TL_CLOCK_CIN_REVIEW_FIRST, "N1", "2024-01-31", "2024-04-30", "2024-04-30", 0);
    EXPECT_MET (TL_CLOCK_CIN_REVIEW, "N1/1", "2024-04-30", "2024-10-30", "2024-11-04", 3);
    EXPECT_RUNNING (TL_CLOCK_CIN_REVIEW, "N1/2", "2024-11-04", "2025-05-04", "2025-04-10");
    //  The plan ends.
    child->cin_plans[0].ended_on = D ("2025-01-31");
    CHECK_INT (s_derive (child), 0);
    EXPECT_CANCELLED (TL_CLOCK_CIN_REVIEW, "N1/2", "2024-11-04", "2025-05-04", "2025-01-31",
                      "plan_ended");
    tl_child_destroy (&child);
}

static void s_test_cla_review (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    s_period (child, "E1", "2025-01-06", "2025-09-01");
    s_meeting (child, "L1", "cla_review", "2025-01-31", "period:E1", -1); //  due 02-03
    s_meeting (child, "L2", "cla_review", "2025-04-30", NULL, -1);        //  on the due date
    s_meeting (child, "L9", "cla_review", "2025-06-01", "period:E9", -1); //  another period's
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_CLA_REVIEW_FIRST), 1);
    CHECK_INT (s_count (TL_CLOCK_CLA_REVIEW_SECOND), 1);
    CHECK_INT (s_count (TL_CLOCK_CLA_REVIEW), 1);
    EXPECT_MET (TL_CLOCK_CLA_REVIEW_FIRST, "E1", "2025-01-06", "2025-02-03", "2025-01-31", 0);
    EXPECT_MET (TL_CLOCK_CLA_REVIEW_SECOND, "E1/1", "2025-01-31", "2025-04-30", "2025-04-30", 0);
    EXPECT_CANCELLED (TL_CLOCK_CLA_REVIEW, "E1/2", "2025-04-30", "2025-10-30", "2025-09-01",
                      "period_ended");
    //  Still in care, a third review late, the fourth running and booked.
    child->periods[0].ended_on = JY_DATE_INVALID;
    s_meeting (child, "L3", "cla_review", "2025-11-03", NULL, -1); //  due 10-30: 2 late
    s_booking (child, "B1", "cla_review", "2026-04-20", NULL, NULL);
    CHECK_INT (s_derive (child), 0);
    EXPECT_MET (TL_CLOCK_CLA_REVIEW, "E1/2", "2025-04-30", "2025-10-30", "2025-11-03", 2);
    EXPECT_RUNNING (TL_CLOCK_CLA_REVIEW, "E1/3", "2025-11-03", "2026-05-03", "2026-04-20");
    tl_child_destroy (&child);
}

static void s_test_cla_visit (void)
{
    //  A placement meant to last to 18: six weeks, then three months after its first year.
    tl_child_t *child = s_child ("2015-06-01");
    s_placement (child, "L1", "E1", "2023-01-02", NULL, 1);
    s_visit (child, "V1", "2023-01-06", 1, "cla");
    s_visit (child, "V2", "2023-12-20", 1, "cla"); //  due 2023-02-17: 212 working days late
    s_visit (child, "V3", "2024-01-30", 1, "cla"); //  started before the anniversary: 6 weeks
    s_visit (child, "V4", "2024-01-31", 0, "cla"); //  not seen
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_CLA_VISIT_FIRST), 1);
    CHECK_INT (s_count (TL_CLOCK_CLA_VISIT), 3);
    EXPECT_MET (TL_CLOCK_CLA_VISIT_FIRST, "L1", "2023-01-02", "2023-01-09", "2023-01-06", 0);
    EXPECT_MET (TL_CLOCK_CLA_VISIT, "L1/1", "2023-01-06", "2023-02-17", "2023-12-20", 212);
    EXPECT_MET (TL_CLOCK_CLA_VISIT, "L1/2", "2023-12-20", "2024-01-31", "2024-01-30", 0);
    EXPECT_RUNNING (TL_CLOCK_CLA_VISIT, "L1/3", "2024-01-30", "2024-04-30", NULL);
    //  Not long-term: six weeks throughout.
    child->placements[0].long_term = 0;
    CHECK_INT (s_derive (child), 0);
    EXPECT_RUNNING (TL_CLOCK_CLA_VISIT, "L1/3", "2024-01-30", "2024-03-12", NULL);
    //  Long-term unknown: six weeks too.
    child->placements[0].long_term = -1;
    CHECK_INT (s_derive (child), 0);
    EXPECT_RUNNING (TL_CLOCK_CLA_VISIT, "L1/3", "2024-01-30", "2024-03-12", NULL);
    tl_child_destroy (&child);

    //  A placement ends unvisited; the next starts a new chain (its visit before it began
    //  meets nothing).
    child = s_child ("2015-06-01");
    s_placement (child, "L1", "E1", "2025-01-06", "2025-01-10", 0);
    s_placement (child, "L2", "E1", "2025-01-10", NULL, 0);
    CHECK_INT (s_derive (child), 0);
    EXPECT_CANCELLED (TL_CLOCK_CLA_VISIT_FIRST, "L1", "2025-01-06", "2025-01-13", "2025-01-10",
                      "placement_ended");
    EXPECT_RUNNING (TL_CLOCK_CLA_VISIT_FIRST, "L2", "2025-01-10", "2025-01-17", NULL);
    s_visit (child, "V1", "2025-01-20", 1, "cla"); //  due 01-17 (Friday): 1 working day late
    CHECK_INT (s_derive (child), 0);
    EXPECT_CANCELLED (TL_CLOCK_CLA_VISIT_FIRST, "L1", "2025-01-06", "2025-01-13", "2025-01-10",
                      "placement_ended");
    EXPECT_MET (TL_CLOCK_CLA_VISIT_FIRST, "L2", "2025-01-10", "2025-01-17", "2025-01-20", 1);
    EXPECT_RUNNING (TL_CLOCK_CLA_VISIT, "L2/1", "2025-01-20", "2025-03-03", NULL);
    tl_child_destroy (&child);
}

static void s_test_iha_pep (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    s_period (child, "E1", "2025-01-06", NULL);
    s_health (child, "H0", "initial", "2024-12-01"); //  an earlier period's
    s_health (child, "H1", "initial", "2025-02-10"); //  due 02-03: 5 late
    s_pep (child, "Q1", "2025-01-20");
    s_period (child, "E2", "2025-06-02", "2025-06-20"); //  ended with neither
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_IHA), 2);
    CHECK_INT (s_count (TL_CLOCK_PEP), 2);
    EXPECT_MET (TL_CLOCK_IHA, "E1", "2025-01-06", "2025-02-03", "2025-02-10", 5);
    EXPECT_MET (TL_CLOCK_PEP, "E1", "2025-01-06", "2025-02-03", "2025-01-20", 0);
    EXPECT_CANCELLED (TL_CLOCK_IHA, "E2", "2025-06-02", "2025-06-30", "2025-06-20", "period_ended");
    EXPECT_CANCELLED (TL_CLOCK_PEP, "E2", "2025-06-02", "2025-06-30", "2025-06-20", "period_ended");
    //  Still in care: running.
    child->periods[1].ended_on = JY_DATE_INVALID;
    CHECK_INT (s_derive (child), 0);
    EXPECT_RUNNING (TL_CLOCK_IHA, "E2", "2025-06-02", "2025-06-30", NULL);
    EXPECT_RUNNING (TL_CLOCK_PEP, "E2", "2025-06-02", "2025-06-30", NULL);
    tl_child_destroy (&child);
}

static void s_test_rha (void)
{
    //  Under 5: every 6 months.
    tl_child_t *child = s_child ("2021-03-15");
    s_period (child, "E1", "2024-01-08", NULL);
    s_health (child, "H1", "initial", "2024-01-25");
    s_health (child, "H2", "review", "2024-07-20");
    s_health (child, "H3", "review", "2025-01-27"); //  due 2025-01-20: 5 late
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_RHA), 3);
    EXPECT_MET (TL_CLOCK_RHA, "E1/1", "2024-01-25", "2024-07-25", "2024-07-20", 0);
    EXPECT_MET (TL_CLOCK_RHA, "E1/2", "2024-07-20", "2025-01-20", "2025-01-27", 5);
    EXPECT_RUNNING (TL_CLOCK_RHA, "E1/3", "2025-01-27", "2025-07-27", NULL);
    tl_child_destroy (&child);

    //  Five on the day before the assessment: 12 months; the day before the 5th birthday: 6.
    child = s_child ("2019-03-15");
    s_period (child, "E1", "2024-01-08", "2025-06-30");
    s_health (child, "H1", "initial", "2024-03-14"); //  aged 4
    s_health (child, "H2", "review", "2024-09-10");  //  aged 5
    CHECK_INT (s_derive (child), 0);
    EXPECT_MET (TL_CLOCK_RHA, "E1/1", "2024-03-14", "2024-09-14", "2024-09-10", 0);
    EXPECT_CANCELLED (TL_CLOCK_RHA, "E1/2", "2024-09-10", "2025-09-10", "2025-06-30",
                      "period_ended");
    child->health[0].done_on = D ("2024-03-15"); //  the 5th birthday
    CHECK_INT (s_derive (child), 0);
    EXPECT_MET (TL_CLOCK_RHA, "E1/1", "2024-03-15", "2025-03-15", "2024-09-10", 0);
    tl_child_destroy (&child);

    //  Born 29 February: 5 on 1 March in a common year.
    child = s_child ("2020-02-29");
    s_period (child, "E1", "2025-01-06", NULL);
    s_health (child, "H1", "initial", "2025-02-28");
    CHECK_INT (s_derive (child), 0);
    EXPECT_RUNNING (TL_CLOCK_RHA, "E1/1", "2025-02-28", "2025-08-28", NULL);
    child->health[0].done_on = D ("2025-03-01");
    CHECK_INT (s_derive (child), 0);
    EXPECT_RUNNING (TL_CLOCK_RHA, "E1/1", "2025-03-01", "2026-03-01", NULL);
    tl_child_destroy (&child);
}

static void s_test_pathway_review (void)
{
    tl_child_t *child = s_child ("2006-06-01");
    s_meeting (child, "W1", "pathway_review", "2024-01-10", NULL, -1);
    s_meeting (child, "W2", "pathway_review", "2024-07-15", NULL, -1); //  due 07-10: 3 late
    s_booking (child, "B1", "pathway_review", "2025-01-08", NULL, NULL);
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_PATHWAY_REVIEW), 2);
    EXPECT_MET (TL_CLOCK_PATHWAY_REVIEW, "W1", "2024-01-10", "2024-07-10", "2024-07-15", 3);
    EXPECT_RUNNING (TL_CLOCK_PATHWAY_REVIEW, "W2", "2024-07-15", "2025-01-15", "2025-01-08");
    //  The case closes: the running review clock is cancelled.
    child->closed_on = D ("2024-10-01");
    CHECK_INT (s_derive (child), 0);
    EXPECT_CANCELLED (TL_CLOCK_PATHWAY_REVIEW, "W2", "2024-07-15", "2025-01-15", "2024-10-01",
                      "case_closed");
    tl_child_destroy (&child);
}

static void s_test_rhi (void)
{
    tl_child_t *child = s_child ("2010-06-01");
    s_missing (child, "M1", "2025-01-09", "2025-01-10", "2025-01-13"); //  on the due date
    s_missing (child, "M2", "2025-01-09", "2025-01-10", "2025-01-15"); //  2 late
    s_missing (child, "M3", "2025-01-20", NULL, NULL);                 //  still missing
    s_missing (child, "M4", "2025-02-01", "2025-02-02", NULL);
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_RHI), 3);
    EXPECT_MET (TL_CLOCK_RHI, "M1", "2025-01-10", "2025-01-13", "2025-01-13", 0);
    EXPECT_MET (TL_CLOCK_RHI, "M2", "2025-01-10", "2025-01-13", "2025-01-15", 2);
    EXPECT_RUNNING (TL_CLOCK_RHI, "M4", "2025-02-02", "2025-02-05", NULL);
    tl_child_destroy (&child);
}

//  --- Rules every clock shares ---------------------------------------------------------------

static void s_test_case_closed (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    child->closed_on = D ("2025-03-03");
    s_contact (child, "K1", "2025-02-20", NULL);         //  open at closure: cancelled
    s_contact (child, "K2", "2025-02-27", "2025-03-04"); //  decided after closure: cancelled
    s_contact (child, "K3", "2025-02-28", "2025-03-03"); //  decided the day it closed: met
    s_contact (child, "K4", "2025-03-05", "2025-03-06"); //  after the closure: its own
    s_contact (child, "K5", "2025-03-05", NULL);
    s_referral (child, "R1", "2025-02-03", "2025-03-03"); //  closed with the case
    s_period (child, "E1", "2025-02-03", NULL);
    s_placement (child, "L1", "E1", "2025-02-03", NULL, 0);
    s_plan (&child->cp_plans, &child->n_cp_plans, "P1", "2025-02-03", NULL);
    s_visit (child, "V1", "2025-02-10", 1, "cp");
    s_visit (child, "V2", "2025-03-10", 1, "cp"); //  after the closure: no new link
    CHECK_INT (s_derive (child), 0);
    EXPECT_CASE_CLOSED (TL_CLOCK_CONTACT_DECISION, "K1", "2025-02-20", "2025-02-21", "2025-03-03");
    EXPECT_CASE_CLOSED (TL_CLOCK_CONTACT_DECISION, "K2", "2025-02-27", "2025-02-28", "2025-03-03");
    EXPECT_MET (TL_CLOCK_CONTACT_DECISION, "K3", "2025-02-28", "2025-03-03", "2025-03-03", 0);
    EXPECT_MET (TL_CLOCK_CONTACT_DECISION, "K4", "2025-03-05", "2025-03-06", "2025-03-06", 0);
    EXPECT_RUNNING (TL_CLOCK_CONTACT_DECISION, "K5", "2025-03-05", "2025-03-06", NULL);
    //  The referral's own closure on the same day gives its own reason.
    EXPECT_CANCELLED (TL_CLOCK_ASSESSMENT, "R1", "2025-02-03", "2025-04-07", "2025-03-03",
                      "referral_closed");
    EXPECT_CASE_CLOSED (TL_CLOCK_CLA_REVIEW_FIRST, "E1", "2025-02-03", "2025-03-03", "2025-03-03");
    EXPECT_CASE_CLOSED (TL_CLOCK_IHA, "E1", "2025-02-03", "2025-03-03", "2025-03-03");
    EXPECT_CASE_CLOSED (TL_CLOCK_PEP, "E1", "2025-02-03", "2025-03-03", "2025-03-03");
    EXPECT_CASE_CLOSED (TL_CLOCK_CLA_VISIT_FIRST, "L1", "2025-02-03", "2025-02-10", "2025-03-03");
    EXPECT_CASE_CLOSED (TL_CLOCK_RCPC_FIRST, "P1", "2025-02-03", "2025-05-03", "2025-03-03");
    EXPECT_MET (TL_CLOCK_CP_VISIT, "P1", "2025-02-03", "2025-02-17", "2025-02-10", 0);
    EXPECT_CASE_CLOSED (TL_CLOCK_CP_VISIT, "P1/1", "2025-02-10", "2025-02-24", "2025-03-03");
    CHECK_INT (s_count (TL_CLOCK_CP_VISIT), 2);

    //  Reopened by a contact on 1 April (closed_on cleared), the 3 March closure kept in
    //  ingest.case_closure: what it cancelled stays cancelled, nothing revives, and the new
    //  contact runs. Closed again on 10 April: that closure ends only what started since.
    child->closed_on = JY_DATE_INVALID;
    child->closures = malloc (2 * sizeof *child->closures);
    assert (child->closures);
    child->closures[child->n_closures++] = D ("2025-03-03");
    s_contact (child, "K6", "2025-04-01", NULL);
    CHECK_INT (s_derive (child), 0);
    EXPECT_CASE_CLOSED (TL_CLOCK_CONTACT_DECISION, "K1", "2025-02-20", "2025-02-21", "2025-03-03");
    EXPECT_CASE_CLOSED (TL_CLOCK_RCPC_FIRST, "P1", "2025-02-03", "2025-05-03", "2025-03-03");
    EXPECT_CASE_CLOSED (TL_CLOCK_CP_VISIT, "P1/1", "2025-02-10", "2025-02-24", "2025-03-03");
    CHECK_INT (s_count (TL_CLOCK_CP_VISIT), 2);
    EXPECT_RUNNING (TL_CLOCK_CONTACT_DECISION, "K5", "2025-03-05", "2025-03-06", NULL);
    EXPECT_RUNNING (TL_CLOCK_CONTACT_DECISION, "K6", "2025-04-01", "2025-04-02", NULL);
    child->closed_on = D ("2025-04-10");
    child->closures[child->n_closures++] = D ("2025-04-10");
    CHECK_INT (s_derive (child), 0);
    EXPECT_CASE_CLOSED (TL_CLOCK_CONTACT_DECISION, "K1", "2025-02-20", "2025-02-21", "2025-03-03");
    EXPECT_CASE_CLOSED (TL_CLOCK_CONTACT_DECISION, "K5", "2025-03-05", "2025-03-06", "2025-04-10");
    EXPECT_CASE_CLOSED (TL_CLOCK_CONTACT_DECISION, "K6", "2025-04-01", "2025-04-02", "2025-04-10");
    tl_child_destroy (&child);
}

static void s_test_no_child_and_disabled (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    s_contact (child, "K1", "2025-03-03", NULL);
    s_missing (child, "M1", "2025-01-09", "2025-01-10", NULL);
    child->exists = false;
    s_list.count = 0;
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_list.count, 0);

    child->exists = true;
    tl_clocks_t *clocks = tl_clocks_new_default ();
    ((tl_clock_rule_t *) tl_clocks_rule (clocks, TL_CLOCK_CONTACT_DECISION))->enabled = false;
    CHECK_INT (s_derive_with (clocks, child), 0);
    CHECK_INT (s_list.count, 1);
    CHECK_INT (s_count (TL_CLOCK_CONTACT_DECISION), 0);
    EXPECT_RUNNING (TL_CLOCK_RHI, "M1", "2025-01-10", "2025-01-13", NULL);
    tl_clocks_destroy (&clocks);

    //  tl_derive appends: it does not clear the list.
    CHECK_INT (tl_derive (s_clocks, s_calendar, child, &s_list), 0);
    CHECK_INT (s_list.count, 3);
    tl_child_destroy (&child);
}

//  "In time" by working days elapsed, as the DfE counts (DOMAIN.md's duration rule): working
//  days d with start < d <= met at most the limit. Worked by hand, no bank holiday after 1
//  January 2025: 45 working days from Friday 3 January are 6-31 January (20), 3-28 February
//  (20) and 3-7 March: due Friday 7 March. Authorised on Saturday 8 March: 45 elapsed, in
//  time though after the due date (0 late working days); on Monday 10 March: 46, late by 1.
//  From Monday 6 January the 45th is Monday 10 March (9 whole weeks): Sunday 9 March in time,
//  Tuesday 11 March late by 1. ICPCs, 15 working days from Friday 3 January: due Friday 24
//  January; held Saturday 25 January in time, Monday 27 January late by 1.
#define EXPECT_IN_TIME(clock, anchor, in_time)                                                     \
    do {                                                                                           \
        const tl_deadline_t *d_ = s_get (clock, anchor);                                           \
        CHECK_INT (d_->end, TL_END_MET);                                                           \
        CHECK_INT (d_->met_in_time, in_time);                                                      \
    } while (0)

static void s_test_working_days_elapsed (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    s_referral (child, "R1", "2025-01-03", NULL);
    s_assessment (child, "A1", "R1", "2025-01-06", "2025-03-08", NULL, 0); //  Saturday
    s_referral (child, "R2", "2025-01-03", NULL);
    s_assessment (child, "A2", "R2", "2025-01-06", "2025-03-10", NULL, 0); //  Monday
    s_referral (child, "R3", "2025-01-06", NULL);
    s_assessment (child, "A3", "R3", "2025-01-07", "2025-03-09", NULL, 0); //  Sunday
    s_referral (child, "R4", "2025-01-06", NULL);
    s_assessment (child, "A4", "R4", "2025-01-07", "2025-03-11", NULL, 0); //  Tuesday
    s_strategy (child, "S1", "2025-01-03", 1, "E1");
    s_s47 (child, "E1", "S1", "2025-01-03", NULL, -1);
    s_meeting (child, "M1", "icpc", "2025-01-25", "s47:E1", 0); //  Saturday
    s_strategy (child, "S2", "2025-01-03", 1, "E2");
    s_s47 (child, "E2", "S2", "2025-01-03", NULL, -1);
    s_meeting (child, "M2", "icpc", "2025-01-27", "s47:E2", 0); //  Monday
    CHECK_INT (s_derive (child), 0);
    EXPECT_MET (TL_CLOCK_ASSESSMENT, "R1", "2025-01-03", "2025-03-07", "2025-03-08", 0);
    EXPECT_IN_TIME (TL_CLOCK_ASSESSMENT, "R1", true);
    EXPECT_MET (TL_CLOCK_ASSESSMENT, "R2", "2025-01-03", "2025-03-07", "2025-03-10", 1);
    EXPECT_IN_TIME (TL_CLOCK_ASSESSMENT, "R2", false);
    EXPECT_MET (TL_CLOCK_ASSESSMENT, "R3", "2025-01-06", "2025-03-10", "2025-03-09", 0);
    EXPECT_IN_TIME (TL_CLOCK_ASSESSMENT, "R3", true);
    EXPECT_MET (TL_CLOCK_ASSESSMENT, "R4", "2025-01-06", "2025-03-10", "2025-03-11", 1);
    EXPECT_IN_TIME (TL_CLOCK_ASSESSMENT, "R4", false);
    EXPECT_MET (TL_CLOCK_ICPC, "S1", "2025-01-03", "2025-01-24", "2025-01-25", 0);
    EXPECT_IN_TIME (TL_CLOCK_ICPC, "S1", true);
    EXPECT_MET (TL_CLOCK_ICPC, "S2", "2025-01-03", "2025-01-24", "2025-01-27", 1);
    EXPECT_IN_TIME (TL_CLOCK_ICPC, "S2", false);
    tl_child_destroy (&child);
}

//  A setting from a configuration file changes the deadlines.
static void s_test_configured (void)
{
    char path[] = "/tmp/test_derive_XXXXXX";
    int fd = mkstemp (path);
    assert (fd >= 0);
    const char *text = "timeliness\n"
                       "    clocks\n"
                       "        contact_decision\n"
                       "            limit = 2\n"
                       "            unit = \"days\"\n"
                       "        rhi\n"
                       "            enabled = 0\n";
    ssize_t written = write (fd, text, strlen (text));
    assert (written == (ssize_t) strlen (text));
    close (fd);
    char err[512];
    jy_config_t *config =
        jy_config_load (path, jy_config_default_defaults_path (), err, sizeof err);
    CHECK (config);
    tl_clocks_t *clocks = config ? tl_clocks_new (config) : NULL;
    CHECK (clocks);
    if (clocks) {
        tl_child_t *child = s_child ("2015-06-01");
        s_contact (child, "K1", "2025-04-17", "2025-04-22"); //  due Saturday 19th: late
        //  In calendar days, a day after the due date is late though no working day passed.
        s_contact (child, "K2", "2025-04-17", "2025-04-20");
        s_missing (child, "M1", "2025-01-09", "2025-01-10", NULL);
        CHECK_INT (s_derive_with (clocks, child), 0);
        CHECK_INT (s_list.count, 2);
        EXPECT_MET (TL_CLOCK_CONTACT_DECISION, "K1", "2025-04-17", "2025-04-19", "2025-04-22", 1);
        EXPECT_IN_TIME (TL_CLOCK_CONTACT_DECISION, "K1", false);
        EXPECT_MET (TL_CLOCK_CONTACT_DECISION, "K2", "2025-04-17", "2025-04-19", "2025-04-20", 0);
        EXPECT_IN_TIME (TL_CLOCK_CONTACT_DECISION, "K2", false);
        tl_child_destroy (&child);
    }
    tl_clocks_destroy (&clocks);
    jy_config_destroy (&config);
    unlink (path);
}

//  Dates outside the calendar: -1, the rest still derived.
static void s_test_out_of_range (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    s_contact (child, "K1", "1950-01-02", NULL);
    s_contact (child, "K2", "2025-03-03", NULL);
    CHECK_INT (s_derive (child), -1);
    CHECK_INT (s_list.count, 1);
    EXPECT_RUNNING (TL_CLOCK_CONTACT_DECISION, "K2", "2025-03-03", "2025-03-04", NULL);
    tl_child_destroy (&child);
}

//  A child with something of everything, and its mirror image with every array reversed: the
//  same deadlines in the same order.
static void s_reverse (void *array, size_t count, size_t size)
{
    char *bytes = array, swap[256];
    assert (size <= sizeof swap);
    for (size_t i = 0; i < count / 2; i++) {
        memcpy (swap, bytes + i * size, size);
        memcpy (bytes + i * size, bytes + (count - 1 - i) * size, size);
        memcpy (bytes + (count - 1 - i) * size, swap, size);
    }
}

static void s_test_order_independent (void)
{
    tl_child_t *child = s_child ("2019-03-15");
    s_contact (child, "K1", "2025-01-06", "2025-01-07");
    s_contact (child, "K2", "2025-01-08", NULL);
    s_referral (child, "R1", "2025-01-06", NULL);
    s_assessment (child, "A1", "R1", "2025-01-06", "2025-02-10", NULL, 0);
    s_assessment (child, "A2", "R1", "2025-01-06", "2025-02-03", NULL, 0);
    s_strategy (child, "S1", "2025-02-03", 1, "E1");
    s_meeting (child, "M1", "icpc", "2025-02-20", "s47:E1", 1);
    s_plan (&child->cp_plans, &child->n_cp_plans, "P1", "2025-02-20", NULL);
    s_meeting (child, "G1", "core_group", "2025-03-01", NULL, -1);
    s_meeting (child, "R1", "rcpc", "2025-05-15", "plan:P1", -1);
    s_meeting (child, "R2", "rcpc", "2025-05-15", NULL, -1);
    for (int day = 1; day <= 28; day += 3) {
        char id[16], on[16];
        snprintf (id, sizeof id, "V%02d", day);
        snprintf (on, sizeof on, "2025-03-%02d", day);
        s_visit (child, id, on, 1, "cp");
    }
    s_period (child, "E1", "2025-01-06", NULL);
    s_health (child, "H1", "initial", "2025-01-20");
    s_health (child, "H2", "review", "2025-06-20");
    s_missing (child, "M1", "2025-01-09", "2025-01-10", NULL);

    CHECK_INT (s_derive (child), 0);
    size_t count = s_list.count;
    tl_deadline_t *first = malloc (count * sizeof *first);
    assert (first);
    memcpy (first, s_list.items, count * sizeof *first);
    CHECK (count > 20);

    s_reverse (child->contacts, child->n_contacts, sizeof *child->contacts);
    s_reverse (child->assessments, child->n_assessments, sizeof *child->assessments);
    s_reverse (child->meetings, child->n_meetings, sizeof *child->meetings);
    s_reverse (child->visits, child->n_visits, sizeof *child->visits);
    s_reverse (child->health, child->n_health, sizeof *child->health);
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_list.count, count);
    for (size_t i = 0; i < count && i < s_list.count; i++) {
        const tl_deadline_t *a = &first[i], *b = &s_list.items[i];
        CHECK_INT (b->clock, a->clock);
        CHECK_STR (b->anchor, a->anchor);
        CHECK_INT (b->started_on, a->started_on);
        CHECK_INT (b->due_on, a->due_on);
        CHECK_INT (b->end, a->end);
        CHECK_INT (b->met_on, a->met_on);
        CHECK_INT (b->late_working_days, a->late_working_days);
        CHECK_INT (b->planned_on, a->planned_on);
    }
    //  Sorted by clock, then anchor.
    for (size_t i = 1; i < s_list.count; i++)
        CHECK (s_list.items[i - 1].clock < s_list.items[i].clock ||
               (s_list.items[i - 1].clock == s_list.items[i].clock &&
                strcmp (s_list.items[i - 1].anchor, s_list.items[i].anchor) < 0));
    EXPECT_MET (TL_CLOCK_ASSESSMENT, "R1", "2025-01-06", "2025-03-10", "2025-02-03", 0);
    free (first);
    tl_child_destroy (&child);
}

//  Long ids make anchors that don't fit: they stay distinct and stable.
static void s_test_long_anchor (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    const char *id = "PLAN-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789";
    s_plan (&child->cp_plans, &child->n_cp_plans, id, "2025-01-06", NULL);
    s_visit (child, "V1", "2025-01-10", 1, "cp");
    CHECK_INT (s_derive (child), 0);
    CHECK_INT (s_count (TL_CLOCK_CP_VISIT), 2);
    CHECK (s_list.count == 3 && strlen (s_list.items[1].anchor) == 63);
    CHECK (s_list.count == 3 &&
           strcmp (s_list.items[1].anchor, s_list.items[2].anchor) != 0); //  P and P/1
    char kept[64];
    snprintf (kept, sizeof kept, "%s", s_list.count == 3 ? s_list.items[2].anchor : "");
    CHECK_INT (s_derive (child), 0);
    CHECK_STR (s_list.count == 3 ? s_list.items[2].anchor : "", kept);
    tl_child_destroy (&child);
}

//  Hundreds of visits cost a sort, not a scan per visit.
static void s_test_many_visits (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    s_plan (&child->cp_plans, &child->n_cp_plans, "P1", "2000-01-03", NULL);
    s_placement (child, "L1", "E1", "2000-01-03", NULL, 1);
    int visits = 0;
    for (jy_date_t on = D ("2000-01-05"); on < D ("2025-01-01"); on += 3) {
        char id[16], text[JY_DATE_TEXT_SIZE];
        snprintf (id, sizeof id, "V%d", visits++);
        s_visit (child, id, jy_date_format (on, text), 1, visits % 2 ? "cp" : "cla");
    }
    struct timespec t0, t1;
    clock_gettime (CLOCK_MONOTONIC, &t0);
    CHECK_INT (s_derive (child), 0);
    clock_gettime (CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    //  Every visit is a link: one per visit in each context, plus each chain's first, plus
    //  the plan's running first RCPC.
    CHECK_INT (s_list.count, (size_t) visits + 3);
    CHECK_INT (s_count (TL_CLOCK_CP_VISIT), (visits + 1) / 2 + 1);
    CHECK_INT (s_count (TL_CLOCK_CLA_VISIT), visits / 2);
    CHECK_INT (s_count (TL_CLOCK_RCPC_FIRST), 1);
    printf ("test_derive: %d visits derived in %.1f ms\n", visits, ms);
    CHECK (ms < 1000);
    tl_child_destroy (&child);
}

//  The allocation an ended deadline is reported under: in force on its end day, whatever order
//  the spells come in.
static const char *s_team_on (const tl_child_t *child, const char *day)
{
    const char *team, *worker;
    tl_child_allocation_on (child, s_date (day), &team, &worker);
    CHECK (team ? worker && strcmp (team, worker) == 0 : !worker); //  the same text here
    return team ? team : "(none)";
}

static void s_test_allocation_on (void)
{
    tl_child_t *child = s_child ("2015-06-01");
    CHECK_STR (s_team_on (child, "2025-01-10"), "(none)"); //  no spells: the allocation now
    child->team_id = s_dup ("NOW");
    child->worker_id = s_dup ("NOW");
    CHECK_STR (s_team_on (child, "2025-01-10"), "NOW");
    //  B reallocated on the 10th (ending A that day), then unallocated on 1 March; C a
    //  zero-length spell on 1 April, ended by D the same day.
    s_spell (child, "E4", "2025-04-01", NULL, "D");
    s_spell (child, "E2", "2025-01-10", "2025-03-01", "B");
    s_spell (child, "E3", "2025-04-01", "2025-04-01", "C");
    s_spell (child, "E1", "2024-06-01", "2025-01-10", "A");
    CHECK_STR (s_team_on (child, "2025-01-09"), "A");
    CHECK_STR (s_team_on (child, "2025-01-10"), "B"); //  the one starting wins over the one ending
    CHECK_STR (s_team_on (child, "2025-03-01"), "B"); //  unallocated that day: the spell it ended
    CHECK_STR (s_team_on (child, "2025-03-15"), "B"); //  unallocated since: the last spell
    CHECK_STR (s_team_on (child, "2025-04-01"), "D"); //  the open one of the day's two
    CHECK_STR (s_team_on (child, "2024-01-01"), "A"); //  before any spell: the first
    tl_child_destroy (&child);
}

int main (void)
{
    jy_log_init ("test_derive", JY_LOG_ERROR);
    s_calendar = jy_calendar_new ();
    s_clocks = tl_clocks_new_default ();
    tl_deadlines_init (&s_list);

    s_test_contact_decision ();
    s_test_assessment ();
    s_test_icpc_and_core_group ();
    s_test_working_days_elapsed ();
    s_test_rcpc ();
    s_test_cp_visit ();
    s_test_cin_review ();
    s_test_cla_review ();
    s_test_cla_visit ();
    s_test_iha_pep ();
    s_test_rha ();
    s_test_pathway_review ();
    s_test_rhi ();
    s_test_case_closed ();
    s_test_no_child_and_disabled ();
    s_test_configured ();
    s_test_out_of_range ();
    s_test_order_independent ();
    s_test_long_anchor ();
    s_test_many_visits ();
    s_test_allocation_on ();

    tl_deadlines_clear (&s_list);
    tl_clocks_destroy (&s_clocks);
    jy_calendar_destroy (&s_calendar);
    return jy_test_summary ("test_derive");
}
