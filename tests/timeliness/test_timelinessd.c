/*  journey-timelinessd as it is used: the real journey-ingestd and journey-timelinessd on a
    simulated clock and a database of their own, events pushed over the request socket, the
    clock moved with ClockSet, alerts received on the alert feed and read from the tables.

    - history far in the past (a backfill) is recorded, met and missed, and announces nothing;
    - an ICPC clock driven day by day: DUE_SOON, DUE_TODAY, OVERDUE and OVERDUE_BY each on its
      own day and only then;
    - a booking after the due date raises DRIFTED at once, once; one before it does not;
    - the case closing cancels its running deadlines, which then announce nothing more;
    - a correction moves a due date (and the alert follows the new one); a retraction
      cancels ("start_removed");
    - every clock from its start to met on time, met late (by two working days) and missed;
    - Status, DeadlinesRequest and AlertsRequest; SIGTERM; a restart loads the running
      deadlines and announces nothing again; bad settings and an unmigrated database refused.
*/
#include "timeliness_test.h"
#include "book.h"
#include "clocks.h"

#define S_DOB "2008-03-01" //  every child: 16 by the time care leaving clocks run

static zsock_t *s_ingest, *s_timeliness;
static tt_alerts_t s_alerts;
static jy_calendar_t *s_calendar;
static tl_clocks_t *s_clocks;

static const char *s_text (jy_date_t date)
{
    static char texts[8][JY_DATE_TEXT_SIZE];
    static int next;
    next = (next + 1) % 8;
    return jy_date_format (date, texts[next]);
}

static jy_date_t s_workday (jy_date_t from, int n)
{
    jy_date_t result = JY_DATE_INVALID;
    int rc = jy_calendar_add_working_days (s_calendar, from, n, &result);
    assert (rc == 0);
    return result;
}

//  Take what has arrived on the alert feed so far.
static void s_drain (void)
{
    while (tt_alerts_receive (&s_alerts, 0) >= 0)
        ;
}

//  Move both daemons to date, and wait until journey-timelinessd has swept it.
static void s_day (const char *date)
{
    CHECK_INT (tt_clock_set_one (s_ingest, date), 0);
    CHECK_INT (tt_clock_set_one (s_timeliness, date), 0);
    CHECK (tt_caught_up (s_timeliness));
    s_drain ();
}

//  Push a batch and wait until journey-timelinessd has taken it in.
static void s_push (tt_batch_t *batch)
{
    size_t count = batch->count;
    CHECK_INT (tt_push (s_ingest, batch), count);
    CHECK (tt_caught_up (s_timeliness));
    s_drain ();
}

//  The kinds raised for a child on a day, in feed order ("" for none).
static const char *s_raised (const char *child, const char *date)
{
    return TT_VALUE ("SELECT coalesce (string_agg (kind || ':' || clock, ',' ORDER BY seq), '')"
                     " FROM timeliness.alert_feed WHERE child_id = $1 AND raised_on = $2",
                     child, date);
}

//  One column of a child's deadline of a clock (the one started on started_on when given).
static const char *s_deadline (const char *column, const char *child, const char *clock,
                               const char *started_on)
{
    char sql[512];
    snprintf (sql, sizeof sql,
              "SELECT %s::text FROM timeliness.deadline WHERE child_id = $1 AND clock = $2"
              " AND ($3::date IS NULL OR started_on = $3::date) ORDER BY started_on LIMIT 1",
              column);
    const char *params[3] = {child, clock, started_on};
    return tt_value_params (sql, 3, params);
}

//  --- Events, as the CMS sends them -----------------------------------------------------------

static void s_register (tt_batch_t *batch, const char *child, const char *date)
{
    tt_event (batch, child, date,
              "\"child_registered\":{\"date_of_birth\":\"" S_DOB "\",\"sex\":\"F\","
              "\"ethnicity\":\"WBRI\"}");
}

//  Contact, decided the same day, and the referral from it. Returns the referral's event id.
static const char *s_referral (tt_batch_t *batch, const char *child, const char *date)
{
    tt_event (batch, child, date, "\"contact_received\":{\"contact_id\":\"CT-%s\"}", child);
    tt_event (batch, child, date,
              "\"contact_decided\":{\"contact_id\":\"CT-%s\",\"outcome\":\"referral\"}", child);
    return tt_event (batch, child, date,
                     "\"referral_received\":{\"referral_id\":\"R-%s\",\"contact_id\":\"CT-%s\"}",
                     child, child);
}

static const char *s_strategy (tt_batch_t *batch, const char *child, const char *date)
{
    return tt_event (batch, child, date,
                     "\"strategy_discussion\":{\"strategy_id\":\"SD-%s\",\"referral_id\":\"R-%s\","
                     "\"s47_started\":true,\"s47_id\":\"S-%s\"}",
                     child, child, child);
}

static void s_plan (tt_batch_t *batch, const char *child, const char *date)
{
    s_referral (batch, child, date);
    s_strategy (batch, child, date);
    tt_event (batch, child, date,
              "\"icpc_held\":{\"conference_id\":\"CF0-%s\",\"s47_id\":\"S-%s\",\"plan_made\":true,"
              "\"category\":\"NEG\"}",
              child, child);
    tt_event (batch, child, date,
              "\"cp_plan_started\":{\"plan_id\":\"P-%s\",\"conference_id\":\"CF0-%s\","
              "\"category\":\"NEG\"}",
              child, child);
}

static void s_cin (tt_batch_t *batch, const char *child, const char *date)
{
    s_referral (batch, child, date);
    tt_event (batch, child, date, "\"cin_plan_started\":{\"plan_id\":\"N-%s\"}", child);
}

static void s_care (tt_batch_t *batch, const char *child, const char *date)
{
    tt_event (batch, child, date,
              "\"period_of_care_started\":{\"period_id\":\"PC-%s\",\"legal_status\":\"V2\","
              "\"category_of_need\":\"N1\"}",
              child);
    tt_event (batch, child, date,
              "\"placement_started\":{\"placement_id\":\"PL-%s\",\"period_id\":\"PC-%s\","
              "\"placement_type\":\"U1\",\"in_area\":true,\"distance_miles\":2,"
              "\"long_term\":false}",
              child, child);
}

static void s_rcpc (tt_batch_t *batch, const char *child, const char *date)
{
    static int number;
    tt_event (batch, child, date,
              "\"rcpc_held\":{\"conference_id\":\"CFR%d-%s\",\"plan_id\":\"P-%s\","
              "\"plan_continues\":true}",
              ++number, child, child);
}

static void s_cin_review (tt_batch_t *batch, const char *child, const char *date)
{
    tt_event (batch, child, date, "\"cin_plan_reviewed\":{\"plan_id\":\"N-%s\"}", child);
}

static void s_cla_review (tt_batch_t *batch, const char *child, const char *date)
{
    tt_event (batch, child, date, "\"cla_review_held\":{\"period_id\":\"PC-%s\"}", child);
}

static void s_visit (tt_batch_t *batch, const char *child, const char *date, const char *context)
{
    tt_event (batch, child, date,
              "\"child_visited\":{\"seen\":true,\"seen_alone\":false,\"context\":\"%s\"}", context);
}

static void s_health (tt_batch_t *batch, const char *child, const char *date, const char *kind)
{
    tt_event (batch, child, date, "\"health_assessment\":{\"kind\":\"%s\"}", kind);
}

//  --- Every clock: the records that start it on start, and the one that meets it ----------------

//  B: when the structures chained clocks need began, before S0.
#define S_B "2025-01-06"

static void s_setup_contact (tt_batch_t *b, const char *c, const char *s)
{
    tt_event (b, c, s, "\"contact_received\":{\"contact_id\":\"CT-%s\"}", c);
}
static void s_meet_contact (tt_batch_t *b, const char *c, const char *d)
{
    tt_event (b, c, d, "\"contact_decided\":{\"contact_id\":\"CT-%s\",\"outcome\":\"nfa\"}", c);
}
static void s_setup_assessment (tt_batch_t *b, const char *c, const char *s)
{
    s_referral (b, c, s);
    tt_event (b, c, s,
              "\"assessment_started\":{\"assessment_id\":\"A-%s\",\"referral_id\":\"R-%s\"}", c, c);
}
static void s_meet_assessment (tt_batch_t *b, const char *c, const char *d)
{
    tt_event (b, c, d, "\"assessment_completed\":{\"assessment_id\":\"A-%s\",\"outcome\":\"nfa\"}",
              c);
}
static void s_setup_icpc (tt_batch_t *b, const char *c, const char *s)
{
    s_referral (b, c, s);
    s_strategy (b, c, s);
}
static void s_meet_icpc (tt_batch_t *b, const char *c, const char *d)
{
    tt_event (
        b, c, d,
        "\"icpc_held\":{\"conference_id\":\"CFI-%s\",\"s47_id\":\"S-%s\",\"plan_made\":false}", c,
        c);
}
static void s_setup_plan (tt_batch_t *b, const char *c, const char *s)
{
    s_plan (b, c, s);
}
static void s_meet_core_group (tt_batch_t *b, const char *c, const char *d)
{
    tt_event (b, c, d, "\"core_group_held\":{\"plan_id\":\"P-%s\"}", c);
}
static void s_setup_rcpc (tt_batch_t *b, const char *c, const char *s)
{
    s_plan (b, c, S_B);
    s_rcpc (b, c, s);
}
static void s_meet_cp_visit (tt_batch_t *b, const char *c, const char *d)
{
    s_visit (b, c, d, "cp");
}
static void s_setup_cin (tt_batch_t *b, const char *c, const char *s)
{
    s_cin (b, c, s);
}
static void s_setup_cin_review (tt_batch_t *b, const char *c, const char *s)
{
    s_cin (b, c, S_B);
    s_cin_review (b, c, s);
}
static void s_setup_care (tt_batch_t *b, const char *c, const char *s)
{
    s_care (b, c, s);
}
static void s_setup_cla_review_second (tt_batch_t *b, const char *c, const char *s)
{
    s_care (b, c, S_B);
    s_cla_review (b, c, s);
}
static void s_setup_cla_review (tt_batch_t *b, const char *c, const char *s)
{
    s_care (b, c, S_B);
    s_cla_review (b, c, "2025-01-20");
    s_cla_review (b, c, s);
}
static void s_setup_cla_visit (tt_batch_t *b, const char *c, const char *s)
{
    s_care (b, c, "2025-02-07");
    s_visit (b, c, s, "cla");
}
static void s_meet_cla_visit (tt_batch_t *b, const char *c, const char *d)
{
    s_visit (b, c, d, "cla");
}
static void s_meet_iha (tt_batch_t *b, const char *c, const char *d)
{
    s_health (b, c, d, "initial");
}
static void s_setup_rha (tt_batch_t *b, const char *c, const char *s)
{
    s_care (b, c, S_B);
    s_health (b, c, s, "initial");
}
static void s_meet_rha (tt_batch_t *b, const char *c, const char *d)
{
    s_health (b, c, d, "review");
}
static void s_meet_pep (tt_batch_t *b, const char *c, const char *d)
{
    tt_event (b, c, d, "\"pep_completed\":{}");
}
static void s_meet_pathway (tt_batch_t *b, const char *c, const char *d)
{
    tt_event (b, c, d, "\"pathway_plan_reviewed\":{}");
}
static void s_setup_rhi (tt_batch_t *b, const char *c, const char *s)
{
    tt_event (b, c, s, "\"missing_started\":{\"episode_id\":\"M-%s\"}", c);
    tt_event (b, c, s, "\"missing_ended\":{\"episode_id\":\"M-%s\",\"hours_missing\":5}", c);
}
static void s_meet_rhi (tt_batch_t *b, const char *c, const char *d)
{
    tt_event (b, c, d, "\"return_interview\":{\"episode_id\":\"M-%s\",\"accepted\":true}", c);
}

typedef void (s_events_fn) (tt_batch_t *batch, const char *child, const char *date);

static const struct {
    const char *clock;
    s_events_fn *setup, *meet;
    bool use_alt; //  the rule's other limit applies (RHA from the fifth birthday)
} s_cases[] = {
    {"contact_decision", s_setup_contact, s_meet_contact, false},
    {"assessment", s_setup_assessment, s_meet_assessment, false},
    {"icpc", s_setup_icpc, s_meet_icpc, false},
    {"core_group", s_setup_plan, s_meet_core_group, false},
    {"rcpc_first", s_setup_plan, s_rcpc, false},
    {"rcpc", s_setup_rcpc, s_rcpc, false},
    {"cp_visit", s_setup_plan, s_meet_cp_visit, false},
    {"cin_review_first", s_setup_cin, s_cin_review, false},
    {"cin_review", s_setup_cin_review, s_cin_review, false},
    {"cla_review_first", s_setup_care, s_cla_review, false},
    {"cla_review_second", s_setup_cla_review_second, s_cla_review, false},
    {"cla_review", s_setup_cla_review, s_cla_review, false},
    {"cla_visit_first", s_setup_care, s_meet_cla_visit, false},
    {"cla_visit", s_setup_cla_visit, s_meet_cla_visit, false},
    {"iha", s_setup_care, s_meet_iha, false},
    {"rha", s_setup_rha, s_meet_rha, true},
    {"pep", s_setup_care, s_meet_pep, false},
    {"pathway_review", s_meet_pathway, s_meet_pathway, false},
    {"rhi", s_setup_rhi, s_meet_rhi, false},
};
#define S_CASES (sizeof s_cases / sizeof s_cases[0])

static const char *const s_variants[] = {"on", "late", "miss"};

//  --- Scenarios ---------------------------------------------------------------------------------

//  History from a year ago: recorded with backfill set, in its states, and not announced.
static void s_push_backfill (tt_batch_t *batch)
{
    s_register (batch, "BF1", "2024-03-01");
    s_referral (batch, "BF1", "2024-03-04"); //  contact decided the same day: met on time
    s_strategy (batch, "BF1", "2024-03-11"); //  no ICPC ever: missed long ago
    tt_event (batch, "BF1", "2024-03-11", "\"contact_received\":{\"contact_id\":\"CT2-BF1\"}");
    tt_event (batch, "BF1", "2024-03-15",
              "\"contact_decided\":{\"contact_id\":\"CT2-BF1\",\"outcome\":\"nfa\"}");
}

static void s_check_backfill (void)
{
    CHECK_STR (TT_VALUE ("SELECT count(*) || ' ' || bool_and (backfill) || ' '"
                         " || bool_and (alerts = $2::int) || ' ' || bool_and (first_seen_on ="
                         " '2025-01-06') FROM timeliness.deadline WHERE child_id = $1",
                         "BF1", "62"),
               "4 true true true");
    CHECK_STR (s_deadline ("state", "BF1", "contact_decision", "2024-03-04"), "met_on_time");
    CHECK_STR (
        s_deadline ("state || ' ' || late_working_days", "BF1", "contact_decision", "2024-03-11"),
        "met_late 3");
    CHECK_STR (s_deadline ("state", "BF1", "icpc", NULL), "missed");
    CHECK_STR (s_deadline ("state", "BF1", "assessment", NULL), "missed");
    CHECK_STR (TT_VALUE ("SELECT count(*) FROM timeliness.alert_feed WHERE child_id = $1", "BF1"),
               "0");
}

//  --- What the scenarios share, in order against one pair of daemons ----------------------

static pid_t s_ingestd, s_timelinessd;
static tt_batch_t s_batch;     //  the events being written
static char *s_co1_referral;   //  CO1's referral event, corrected on 2025-01-13
static char *s_rt1_contact;    //  RT1's contact event, retracted on 2025-01-07
static jy_date_t s_last_met;   //  the last day a clock of "every clock" is met
static char s_alert_count[24]; //  the alerts stored before the restart
static long s_alerts_stored;   //  the alerts stored at the end of the year
//  DS1, left alone: each alert on its day.
static const char *const s_ds1_alerts[][2] = {{"2025-01-22", "due_soon:icpc"},
                                              {"2025-01-27", "due_today:icpc"},
                                              {"2025-01-28", "overdue:icpc"},
                                              {"2025-02-04", "overdue_by:icpc"}};

//  2025-01-06: the backfill, and the starts of the January scenarios
static void s_backfill_announces_what_a_running_daemon_would (void)
{
    s_push_backfill (&s_batch);
    const char *children[] = {"DS1", "DR1", "DR2", "CL1", "CO1", "CO2", "RT1"};
    for (size_t i = 0; i < sizeof children / sizeof children[0]; i++)
        s_register (&s_batch, children[i], "2025-01-02");
    s_referral (&s_batch, "DS1", "2025-01-06");
    s_strategy (&s_batch, "DS1", "2025-01-06"); //  ICPC due 2025-01-27
    s_referral (&s_batch, "DR1", "2025-01-06");
    s_strategy (&s_batch, "DR1", "2025-01-06");
    s_referral (&s_batch, "DR2", "2025-01-06");
    s_strategy (&s_batch, "DR2", "2025-01-06");
    s_referral (&s_batch, "CL1", "2025-01-06"); //  assessment running
    s_co1_referral = strdup (s_referral (&s_batch, "CO1", "2025-01-06"));
    s_referral (&s_batch, "CO2", "2025-01-02");
    s_rt1_contact = strdup (tt_event (&s_batch, "RT1", "2025-01-06",
                                      "\"contact_received\":{\"contact_id\":"
                                      "\"CT-RT1\"}"));
    s_push (&s_batch);
    s_check_backfill ();
    //  Due tomorrow, lead 3: DUE_SOON at once. DS1's contact was decided the day it arrived:
    //  running that day, it announces what a running one does, as it would had the decision come
    //  in a later push (DESIGN.md invariant 6; docs/timeliness.md, "Backfill").
    CHECK_STR (s_raised ("RT1", "2025-01-06"), "due_soon:contact_decision");
    CHECK_STR (s_raised ("DS1", "2025-01-06"), "due_soon:contact_decision");
    CHECK_STR (s_deadline ("state || ' ' || backfill", "DS1", "contact_decision", NULL),
               "met_on_time false");
    CHECK_STR (s_deadline ("due_on || ' ' || state || ' ' || backfill", "DS1", "icpc", NULL),
               "2025-01-27 open false");
}

//  Day by day to 2025-02-05
static void s_day_by_day_retraction_drift_closure_and_corrections (void)
{
    for (jy_date_t day = D ("2025-01-07"); day <= D ("2025-02-05"); day++) {
        const char *today = s_text (day);
        s_day (today);
        if (day == D ("2025-01-07")) {
            //  The retraction of the contact: cancelled, the start removed.
            CHECK_STR (s_raised ("RT1", today), "due_today:contact_decision");
            tt_event (&s_batch, "RT1", today,
                      "\"retraction\":{\"retracts\":\"%s\",\"reason\":\"wrong child\"}",
                      s_rt1_contact);
            s_push (&s_batch);
            CHECK_STR (s_deadline ("state || ' ' || cancel_reason || ' ' || cancelled_on", "RT1",
                                   "contact_decision", NULL),
                       "cancelled start_removed 2025-01-07");
        } else if (day == D ("2025-01-08")) {
            //  DR1 booked after its due date: DRIFTED now. DR2 booked before: nothing.
            tt_event (&s_batch, "DR1", today,
                      "\"conference_scheduled\":{\"conference_id\":\"CF1-DR1\",\"kind\":\"icpc\","
                      "\"planned_on\":\"2025-01-29\"}");
            tt_event (&s_batch, "DR2", today,
                      "\"conference_scheduled\":{\"conference_id\":\"CF1-DR2\",\"kind\":\"icpc\","
                      "\"planned_on\":\"2025-01-24\"}");
            s_push (&s_batch);
            CHECK_STR (s_raised ("DR1", today), "drifted:icpc");
            CHECK_STR (s_raised ("DR2", today), "");
            CHECK_STR (s_deadline ("planned_on", "DR1", "icpc", NULL), "2025-01-29");
            CHECK_STR (s_deadline ("planned_on", "DR2", "icpc", NULL), "2025-01-24");
        } else if (day == D ("2025-01-09")) {
            tt_event (&s_batch, "CL1", today, "\"case_closed\":{\"reason\":\"RC8\"}");
            s_push (&s_batch);
            CHECK_STR (s_deadline ("state || ' ' || cancel_reason || ' ' || cancelled_on", "CL1",
                                   "assessment", NULL),
                       "cancelled case_closed 2025-01-09");
        } else if (day == D ("2025-01-10")) {
            //  Booked again, later still: DRIFTED is not raised twice.
            tt_event (&s_batch, "DR1", today,
                      "\"conference_scheduled\":{\"conference_id\":\"CF2-DR1\",\"kind\":\"icpc\","
                      "\"planned_on\":\"2025-01-31\",\"cancels\":\"CF1-DR1\"}");
            s_push (&s_batch);
            CHECK_STR (s_raised ("DR1", today), "");
            CHECK_STR (s_deadline ("planned_on", "DR1", "icpc", NULL), "2025-01-31");
        } else if (day == D ("2025-01-13")) {
            //  A correction moves the referral, and the assessment's due date with it.
            const char *before = s_deadline ("id || ' ' || due_on", "CO1", "assessment", NULL);
            char before_id[32];
            snprintf (before_id, sizeof before_id, "%.*s", (int) strcspn (before, " "), before);
            CHECK_STR (before + strlen (before_id) + 1, s_text (s_workday (D ("2025-01-06"), 45)));
            tt_event (&s_batch, "CO1", "2025-01-08",
                      "\"supersedes\":\"%s\",\"referral_received\":{\"referral_id\":\"R-CO1\","
                      "\"contact_id\":\"CT-CO1\"}",
                      s_co1_referral);
            s_push (&s_batch);
            CHECK_STR (s_deadline ("id || ' ' || started_on || ' ' || due_on || ' ' || state",
                                   "CO1", "assessment", NULL),
                       TT_VALUE ("SELECT $1 || ' 2025-01-08 ' || $2 || ' open'", before_id,
                                 s_text (s_workday (D ("2025-01-08"), 45))));
            //  CO2's strategy discussion: its ICPC due 2025-02-03.
            s_strategy (&s_batch, "CO2", today);
            s_push (&s_batch);
            CHECK_STR (s_deadline ("due_on", "CO2", "icpc", NULL), "2025-02-03");
        } else if (day == D ("2025-01-20")) {
            //  Corrected to 2025-01-02: due 2025-01-23, so DUE_SOON is due at once.
            const char *strategy_event =
                TT_VALUE ("SELECT event_id FROM ingest.event WHERE child_id = $1"
                          " AND kind = 'strategy_discussion'",
                          "CO2");
            char event_id[32];
            snprintf (event_id, sizeof event_id, "%s", strategy_event);
            tt_event (&s_batch, "CO2", "2025-01-02",
                      "\"supersedes\":\"%s\",\"strategy_discussion\":{\"strategy_id\":\"SD-CO2\","
                      "\"referral_id\":\"R-CO2\",\"s47_started\":true,\"s47_id\":\"S-CO2\"}",
                      event_id);
            s_push (&s_batch);
            CHECK_STR (s_deadline ("started_on || ' ' || due_on", "CO2", "icpc", NULL),
                       "2025-01-02 2025-01-23");
            CHECK_STR (s_raised ("CO2", today), "due_soon:icpc");
            CHECK_STR (
                TT_VALUE ("SELECT due_on FROM timeliness.alert_feed WHERE child_id = $1", "CO2"),
                "2025-01-23");
            //  CL1's case, closed on 2025-01-09, reopened by a contact decided the same day:
            //  the assessment its closure cancelled stays cancelled and announces nothing
            //  (ingest.case_closure keeps the closure the child row no longer shows).
            tt_event (&s_batch, "CL1", today, "\"contact_received\":{\"contact_id\":\"CT2-CL1\"}");
            tt_event (&s_batch, "CL1", today,
                      "\"contact_decided\":{\"contact_id\":\"CT2-CL1\",\"outcome\":\"nfa\"}");
            s_push (&s_batch);
            CHECK_STR (
                TT_VALUE ("SELECT closed_on IS NULL FROM ingest.child WHERE child_id = $1", "CL1"),
                "t");
            CHECK_STR (s_deadline ("state || ' ' || cancel_reason || ' ' || cancelled_on", "CL1",
                                   "assessment", NULL),
                       "cancelled case_closed 2025-01-09");
            CHECK_STR (s_raised ("CL1", today), "due_soon:contact_decision");
        }
        //  DS1 is left alone: each alert on its day, nothing on the others.
        const char *expected = "";
        for (size_t i = 0; i < 4; i++)
            if (strcmp (s_ds1_alerts[i][0], today) == 0)
                expected = s_ds1_alerts[i][1];
        CHECK_STR (s_raised ("DS1", today), expected);
    }
    CHECK_STR (TT_VALUE ("SELECT state || ' ' || alerts FROM timeliness.deadline"
                         " WHERE child_id = $1 AND clock = 'icpc'",
                         "DS1"),
               "missed 58");
    CHECK_STR (TT_VALUE ("SELECT count(*) FROM timeliness.alert_feed WHERE child_id = $1"
                         " AND raised_on > '2025-01-07'",
                         "RT1"),
               "0");
}

//  Every clock: met on time, met late, missed
//  Started on S0 (2025-02-10); met on the due date, two working days after it, or never.
static void s_every_clock_met_on_time_met_late_or_missed (void)
{
    const char *s0 = "2025-02-10";
    s_day (s0);
    jy_date_t due[S_CASES], meet[S_CASES][2];
    s_last_met = D (s0);
    for (size_t c = 0; c < S_CASES; c++) {
        tl_clock_id_t id = tl_clocks_lookup (s_cases[c].clock);
        CHECK (id != TL_CLOCK_COUNT);
        CHECK_INT (tl_clocks_due (s_clocks, s_calendar, id, D (s0), s_cases[c].use_alt, &due[c]),
                   0);
        meet[c][0] = due[c];
        meet[c][1] = s_workday (due[c], 2);
        if (meet[c][1] > s_last_met)
            s_last_met = meet[c][1];
        for (int v = 0; v < 3; v++) {
            char child[64];
            snprintf (child, sizeof child, "%s-%s", s_cases[c].clock, s_variants[v]);
            s_register (&s_batch, child, "2025-01-02");
            s_cases[c].setup (&s_batch, child, s0);
        }
    }
    s_push (&s_batch);
    //  Then day after day on which something is met, in order.
    for (jy_date_t day = D (s0) + 1; day <= s_last_met + 1; day++) {
        bool any = false;
        for (size_t c = 0; c < S_CASES; c++)
            for (int v = 0; v < 2; v++)
                if (meet[c][v] == day) {
                    char child[64];
                    snprintf (child, sizeof child, "%s-%s", s_cases[c].clock, s_variants[v]);
                    s_cases[c].meet (&s_batch, child, s_text (day));
                    any = true;
                }
        if (any || day == s_last_met + 1) {
            s_day (s_text (day));
            s_push (&s_batch);
        }
    }
    for (size_t c = 0; c < S_CASES; c++) {
        const char *clock = s_cases[c].clock;
        char on[64], late[64], miss[64];
        snprintf (on, sizeof on, "%s-on", clock);
        snprintf (late, sizeof late, "%s-late", clock);
        snprintf (miss, sizeof miss, "%s-miss", clock);
        char expected[128];
        snprintf (expected, sizeof expected, "%s met_on_time %s", s_text (due[c]), s_text (due[c]));
        CHECK_STR (s_deadline ("due_on || ' ' || state || ' ' || met_on", on, clock, s0), expected);
        snprintf (expected, sizeof expected, "met_late %s 2", s_text (meet[c][1]));
        CHECK_STR (
            s_deadline ("state || ' ' || met_on || ' ' || late_working_days", late, clock, s0),
            expected);
        CHECK_STR (s_deadline ("state || ' ' || backfill", miss, clock, s0), "missed false");
        //  On time: due today was announced, never overdue. Late and missed: overdue.
        const char *alert_sql = "SELECT coalesce (string_agg (a.kind, ',' ORDER BY a.seq), '')"
                                " FROM timeliness.alert_feed a JOIN timeliness.deadline d"
                                " ON d.id = a.deadline_id WHERE d.child_id = $1 AND d.clock = $2"
                                " AND d.started_on = $3 AND a.kind LIKE 'overdue%'";
        CHECK_STR (tt_value (alert_sql, on, clock, s0, (const char *) NULL), "");
        CHECK_STR (tt_value (alert_sql, late, clock, s0, (const char *) NULL), "overdue");
        CHECK (strncmp (tt_value (alert_sql, miss, clock, s0, (const char *) NULL), "overdue", 7) ==
               0);
    }
}

//  The closed case (but for its new contact's decision, when reopened) and the retracted
//  contact stayed quiet all year.
static void s_the_closed_case_and_the_retracted_contact_stay_quiet (void)
{
    CHECK_STR (TT_VALUE ("SELECT string_agg (clock || ':' || kind || ':' || raised_on, ',')"
                         " FROM timeliness.alert_feed WHERE child_id = $1"
                         " AND raised_on > '2025-01-09'",
                         "CL1"),
               "contact_decision:due_soon:2025-01-20");
    CHECK_STR (TT_VALUE ("SELECT count(*) FROM timeliness.alert_feed WHERE child_id = $1"
                         " AND raised_on > '2025-01-07'",
                         "RT1"),
               "0");
    s_check_backfill ();
}

//  The feed: every alert in the table arrived once, in order
static void s_the_feed_has_every_alert_once_in_order (void)
{
    s_alerts_stored = atol (TT_VALUE ("SELECT count(*) FROM timeliness.alert_feed"));
    CHECK (s_alerts_stored > 300);
    CHECK_INT (tt_alerts_until (&s_alerts, (size_t) s_alerts_stored, 2000), s_alerts_stored);
    bool in_order = true;
    for (size_t i = 0; i < s_alerts.count; i++)
        in_order = in_order && s_alerts.seqs[i] == i + 1;
    CHECK (in_order);
    snprintf (s_alert_count, sizeof s_alert_count, "%ld", s_alerts_stored);
    CHECK_STR (TT_VALUE ("SELECT max (seq) || ' ' || count(DISTINCT seq) || ' '"
                         " || (SELECT head FROM timeliness.feed_head WHERE feed = 'alerts')"
                         " FROM timeliness.alert_feed"),
               TT_VALUE ("SELECT $1 || ' ' || $1 || ' ' || $1", s_alert_count));
    CHECK_STR (s_alerts.count ? s_alerts.lines[0] : "", "due_soon DS1 contact_decision 2025-01-06");
}

//  Status and the queries
static void s_status_and_the_deadline_and_alert_queries (void)
{
    jy_envelope_t *reply = tt_status (s_timeliness);
    Journey__V1__StatusReply *status = reply ? reply->status_reply : NULL;
    CHECK (status && status->healthy && status->database_ok);
    CHECK_INT (status ? status->n_feeds : 0, 2);
    if (status && status->n_feeds == 2) {
        CHECK_STR (status->feeds[0]->feed, "events");
        CHECK_STR (status->feeds[0]->role, "subscriber");
        CHECK_INT (status->feeds[0]->position,
                   atol (TT_VALUE ("SELECT head FROM ingest.feed_head WHERE feed = 'events'")));
        CHECK_INT (status->feeds[0]->lag, 0);
        CHECK_STR (status->feeds[1]->feed, "alerts");
        CHECK_INT (status->feeds[1]->position, s_alerts_stored);
    }
    jy_envelope_free (&reply);

    Journey__V1__DeadlinesRequest deadlines = JOURNEY__V1__DEADLINES_REQUEST__INIT;
    deadlines.child_id = "DS1";
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.message_id = "q1";
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_DEADLINES_REQUEST;
    request.deadlines_request = &deadlines;
    reply = jy_test_ask (s_timeliness, &request, 5000);
    CHECK (reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_DEADLINES_REPLY);
    CHECK_STR (reply ? reply->message_id : NULL, "q1");
    if (reply && reply->deadlines_reply) {
        Journey__V1__DeadlinesReply *answer = reply->deadlines_reply;
        CHECK (answer->ok);
        bool found = false;
        for (size_t i = 0; i < answer->n_deadlines; i++)
            if (strcmp (answer->deadlines[i]->clock, "icpc") == 0) {
                found = true;
                CHECK_STR (answer->deadlines[i]->state, "missed");
                CHECK_STR (answer->deadlines[i]->due_on, "2025-01-27");
            }
        CHECK (found);
    }
    jy_envelope_free (&reply);
    //  DS1's first five: its contact decision's, then the ICPC's four (its assessment's come
    //  later).
    Journey__V1__AlertsRequest alerts_request = JOURNEY__V1__ALERTS_REQUEST__INIT;
    alerts_request.child_id = "DS1";
    alerts_request.has_limit = true;
    alerts_request.limit = 5;
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_ALERTS_REQUEST;
    request.alerts_request = &alerts_request;
    reply = jy_test_ask (s_timeliness, &request, 5000);
    CHECK (reply && reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_ALERTS_REPLY);
    if (reply && reply->alerts_reply) {
        Journey__V1__AlertsReply *answer = reply->alerts_reply;
        CHECK (answer->ok);
        CHECK_INT (answer->head, s_alerts_stored);
        CHECK_INT (answer->n_alerts, 5);
        if (answer->n_alerts == 5) {
            CHECK_STR (answer->alerts[0]->clock, "contact_decision");
            CHECK_STR (answer->alerts[0]->raised_on, "2025-01-06");
        }
        for (size_t i = 1; i < answer->n_alerts && i < 5; i++) {
            CHECK_STR (answer->alerts[i]->raised_on, s_ds1_alerts[i - 1][0]);
            CHECK_STR (answer->alerts[i]->la_code, "872");
            CHECK_STR (answer->alerts[i]->due_on, "2025-01-27");
            CHECK (answer->alerts[i]->has_deadline_id);
        }
        if (answer->n_alerts == 5) {
            CHECK_INT (answer->alerts[4]->kind, JOURNEY__V1__ALERT__KIND__OVERDUE_BY);
            CHECK_INT (answer->alerts[4]->overdue_working_days, 6);
        }
    }
    jy_envelope_free (&reply);
    //  DR1's second (after its contact decision's DUE_SOON): DRIFTED, with the booking's date.
    alerts_request.child_id = "DR1";
    alerts_request.limit = 2;
    reply = jy_test_ask (s_timeliness, &request, 5000);
    if (reply && reply->alerts_reply && reply->alerts_reply->n_alerts == 2) {
        Journey__V1__Alert *alert = reply->alerts_reply->alerts[1];
        CHECK_INT (alert->kind, JOURNEY__V1__ALERT__KIND__DRIFTED);
        CHECK_STR (alert->planned_on, "2025-01-29");
        CHECK_STR (alert->due_on, "2025-01-27");
        CHECK_STR (alert->raised_on, "2025-01-08");
    } else
        CHECK (false);
    jy_envelope_free (&reply);
}

//  SIGTERM, and a restart that announces nothing again
static void s_sigterm_and_a_restart_that_announces_nothing_again (void)
{
    CHECK_INT (tt_stop (s_timelinessd), 0);
    char loaded[128];
    snprintf (
        loaded, sizeof loaded, "loaded %s running deadlines",
        TT_VALUE ("SELECT count(*) FROM timeliness.deadline WHERE state IN ('open', 'missed')"));
    s_timelinessd =
        tt_spawn ("timeliness/journey-timelinessd", "timelinessd-2.log", s_text (s_last_met + 1));
    CHECK (tt_caught_up (s_timeliness));
    CHECK (tt_log_contains ("timelinessd-2.log", loaded));
    CHECK_STR (TT_VALUE ("SELECT count(*) FROM timeliness.alert_feed"), s_alert_count);
}

//  The alert feed's head moved behind the daemon's back
//  A live flush is one statement that also moves the head on from where this daemon left it:
//  here it is refused whole (no deadline, no alert, no position), the daemon loads again, and
//  the child's alerts are stored once, numbered after the moved head.
static void s_a_feed_head_moved_behind_its_back_refuses_the_flush (void)
{
    char moved[32];
    snprintf (moved, sizeof moved, "%s",
              TT_VALUE ("UPDATE timeliness.feed_head SET head = head + 5 WHERE feed = 'alerts'"
                        " RETURNING head"));
    tt_batch_t moved_batch = {0};
    s_register (&moved_batch, "HM1", s_text (s_last_met));
    s_setup_contact (&moved_batch, "HM1", s_text (s_last_met));
    s_push (&moved_batch);
    tt_batch_free (&moved_batch);
    CHECK (tt_log_contains ("timelinessd-2.log", "is another journey-timelinessd writing?"));
    CHECK_STR (TT_VALUE ("SELECT count(*) FROM timeliness.deadline WHERE child_id = 'HM1'"), "1");
    CHECK_STR (TT_VALUE ("SELECT count(*) - count(DISTINCT kind) FROM timeliness.alert_feed"
                         " WHERE child_id = 'HM1'"),
               "0");
    CHECK_STR (TT_VALUE ("SELECT (min(seq) - 1)::text FROM timeliness.alert_feed"
                         " WHERE child_id = 'HM1'"),
               moved);
    CHECK_INT (tt_stop (s_timelinessd), 0);
}

//  Refusals
static void s_bad_settings_and_an_unmigrated_database_are_refused (void)
{
    setenv ("JOURNEY_TIMELINESS_OVERDUE_BY", "-1", 1);
    pid_t refused = tt_spawn ("timeliness/journey-timelinessd", "bad-overdue.log", "2025-01-06");
    CHECK_INT (jy_test_wait_exit (refused, 1000), 1);
    CHECK (tt_log_contains ("bad-overdue.log", "timeliness/overdue_by"));
    unsetenv ("JOURNEY_TIMELINESS_OVERDUE_BY");
    jy_db_t *admin = jy_db_new (jy_test_db_url ());
    CHECK_INT (jy_db_connect (admin, 10000), 0);
    char sql[256], bare_url[1100];
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s_bare", tt_env.dbname);
    jy_db_exec (admin, sql, 0, NULL);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s_bare", tt_env.dbname);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);
    snprintf (bare_url, sizeof bare_url, "%s_bare", tt_env.timeliness_url);
    setenv ("JOURNEY_DATABASE_TIMELINESS_URL", bare_url, 1);
    refused = tt_spawn ("timeliness/journey-timelinessd", "bare.log", "2025-01-06");
    CHECK_INT (jy_test_wait_exit (refused, 1000), 1);
    CHECK (tt_log_contains ("bare.log", "journey migrate"));
    snprintf (sql, sizeof sql, "DROP DATABASE %s_bare WITH (FORCE)", tt_env.dbname);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);
    jy_db_destroy (&admin);
}

int main (void)
{
    if (!getenv ("JOURNEY_SERVICES_DIR") || !getenv ("JOURNEY_CLI") ||
        !getenv ("JOURNEY_DATABASE_TIMELINESS_URL"))
        return 77;
    jy_log_init ("test_timelinessd", JY_LOG_ERROR);
    if (tt_setup ("timelinessd") != 0) {
        fprintf (stderr, "cannot set up the test database\n");
        return 1;
    }
    char err[256];
    jy_config_t *config =
        jy_config_load (NULL, jy_config_default_defaults_path (), err, sizeof err);
    assert (config);
    s_clocks = tl_clocks_new (config);
    s_calendar = jy_calendar_new ();
    assert (s_clocks && s_calendar);

    s_ingestd = tt_spawn ("ingest/journey-ingestd", "ingestd.log", "2025-01-06");
    s_timelinessd = tt_spawn ("timeliness/journey-timelinessd", "timelinessd.log", "2025-01-06");
    s_ingest = tt_dealer (tt_env.ingest_request);
    s_timeliness = tt_dealer (tt_env.timeliness_request);
    tt_alerts_open (&s_alerts);
    zsock_set_rcvhwm (s_alerts.sub, 100000);
    CHECK (tt_alerts_wait_live (&s_alerts));
    CHECK (tt_caught_up (s_timeliness));

    JY_TEST_SCENARIO (s_backfill_announces_what_a_running_daemon_would);
    JY_TEST_SCENARIO (s_day_by_day_retraction_drift_closure_and_corrections);
    JY_TEST_SCENARIO (s_every_clock_met_on_time_met_late_or_missed);
    JY_TEST_SCENARIO (s_the_closed_case_and_the_retracted_contact_stay_quiet);
    JY_TEST_SCENARIO (s_the_feed_has_every_alert_once_in_order);
    JY_TEST_SCENARIO (s_status_and_the_deadline_and_alert_queries);
    JY_TEST_SCENARIO (s_sigterm_and_a_restart_that_announces_nothing_again);
    JY_TEST_SCENARIO (s_a_feed_head_moved_behind_its_back_refuses_the_flush);
    JY_TEST_SCENARIO (s_bad_settings_and_an_unmigrated_database_are_refused);

    CHECK_INT (tt_stop (s_ingestd), 0);
    tt_alerts_close (&s_alerts);
    zsock_destroy (&s_ingest);
    zsock_destroy (&s_timeliness);
    tt_batch_free (&s_batch);
    free (s_co1_referral);
    free (s_rt1_contact);
    tl_clocks_destroy (&s_clocks);
    jy_calendar_destroy (&s_calendar);
    jy_config_destroy (&config);
    tt_teardown ();
    return jy_test_summary ("test_timelinessd");
}
