/*  jy_measures: the board pack's measures as one table, and their ratings (jy_measures.h;
    docs/measures.md says the same in prose, and tests/unit/test_measures.c checks that the two
    name the same measures).

    Each row's SQL is the measure's own part, "items": one row per counted record with its
    team_id, its numerator (1/0 for "is it in the numerator", or days) and its denominator
    (1, or NULL for counts). S_BY_TEAM / S_LA_ONLY wrap it once, the same way for every
    measure: the period's parameters typed in `period p` (la_code, from_on, to_on), and the
    sums per team plus the LA's (GROUPING SETS), the LA row first.

    Team attribution: the team on the record where the record has one (referral, audit,
    allocation, and a deadline's team), else the child's current team (projection.child.team_id).

    Period rules used below, in the words of the appendix:
      met in period (assessments, ICPCs): deadlines met in [from, to]; in time when at most the
        limit of working days passed from the start to the day met (the DfE's rule: met on a
        Saturday after a Friday due date is in time).
      due in period (reviews, visits, IHAs, RHIs): deadlines due in [from, to] that were met,
        are unmet and due before the day the measure is computed on (missed, read from the
        dates rather than the stored state, which the day's sweep may not have reached), or
        were closed unmet after their due date; deadlines cancelled before they fell due, and
        those still open (due today or later), do not count. In time when journey-timelinessd
        stored it met_on_time: working days elapsed for a working-day clock, on or before the
        due date for the others.
      at period end: open on `to` (started on or before, not ended by it).
*/
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jy_measures.h"
#include "journey/jy_calendar.h"
#include "journey/jy_config.h"
#include "journey/jy_db.h"
#include "journey/jy_log.h"

//  --- SQL wrappers ---------------------------------------------------------------------------

//  Types $1..$4 once, whether or not a measure reads all four (an untyped parameter is an
//  error in PostgreSQL). $4 is the day the measure is computed on: what counts as past due.
#define S_PERIOD                                                                                   \
    "WITH period AS (SELECT $1::text AS la_code, $2::date AS from_on, $3::date AS to_on,"          \
    " $4::date AS today),"                                                                         \
    " items AS ("

//  Per team and for the LA. A record without a team counts only in the LA row, so that the
//  LA row is the only one whose team_id is NULL.
#define S_BY_TEAM(ITEMS)                                                                           \
    S_PERIOD ITEMS ") SELECT team_id, COALESCE (sum (numerator), 0)::float8,"                      \
                   " COALESCE (sum (denominator), 0)::float8 FROM items"                           \
                   " GROUP BY GROUPING SETS ((team_id), ())"                                       \
                   " HAVING GROUPING (team_id) = 1 OR team_id IS NOT NULL"                         \
                   " ORDER BY GROUPING (team_id) DESC, team_id"

#define S_LA_ONLY(ITEMS)                                                                           \
    S_PERIOD ITEMS ") SELECT NULL::text, COALESCE (sum (numerator), 0)::float8,"                   \
                   " COALESCE (sum (denominator), 0)::float8 FROM items"

//  The child's current team, for records that carry none.
#define S_CHILD_OF(ALIAS)                                                                          \
    " LEFT JOIN projection.child c ON c.la_code = " ALIAS ".la_code"                               \
    " AND c.child_id = " ALIAS ".child_id"

//  A met deadline of a working-day clock is in time when at most its limit of working days
//  passed from its start to the day it was met, as the DfE counts: met on or before the due
//  date, or after it with no working day between (a Saturday after a Friday due date). The
//  due date is the limit-th working day after the start, so "no working day in (due, met]"
//  is "working days in (start, met] <= limit". $5: the holidays (JY_MEASURE_ARG_HOLIDAYS).
#define S_WORKING_DAYS_IN_TIME                                                                     \
    "(d.met_on <= d.due_on OR NOT EXISTS (SELECT 1 FROM generate_series (1, d.met_on - d.due_on) " \
    "k"                                                                                            \
    " WHERE extract (isodow FROM d.due_on + k) < 6 AND d.due_on + k <> ALL ($5::date[])))"

//  Deadlines of the working-day clocks (a quoted, comma-separated list) met in the period.
#define S_MET_IN_PERIOD(CLOCKS)                                                                    \
    "SELECT COALESCE (d.team_id, c.team_id) AS team_id,"                                           \
    " " S_WORKING_DAYS_IN_TIME "::int AS numerator, 1 AS denominator"                              \
    " FROM period p JOIN timeliness.deadline d ON d.la_code = p.la_code" S_CHILD_OF (              \
        "d") " WHERE d.clock IN (" CLOCKS ") AND d.state IN ('met_on_time', 'met_late')"           \
             " AND d.met_on BETWEEN p.from_on AND p.to_on"

//  Deadlines of the clocks due in the period that were met, missed, or closed unmet after
//  their due date. Missed is read from the dates (unmet and due before today), not from the
//  state journey-timelinessd's sweep of today may not have stored yet, so that a pack built
//  at midnight is the same whichever daemon moved first. In time as journey-timelinessd judged it
//  (met_on_time): working days elapsed for a working-day clock, the date for the others.
#define S_DUE_IN_PERIOD(CLOCKS)                                                                    \
    "SELECT COALESCE (d.team_id, c.team_id) AS team_id,"                                           \
    " (d.state = 'met_on_time')::int AS numerator, 1 AS denominator"                               \
    " FROM period p JOIN timeliness.deadline d ON d.la_code = p.la_code" S_CHILD_OF (              \
        "d") " WHERE d.clock IN (" CLOCKS ") AND d.due_on BETWEEN p.from_on AND p.to_on"           \
             " AND (d.state IN ('met_on_time', 'met_late')"                                        \
             " OR (d.state IN ('open', 'missed') AND d.due_on < p.today)"                          \
             " OR (d.state = 'cancelled' AND d.cancelled_on > d.due_on))"

//  Children looked after at the end of the period (cla.child_id).
#define S_CLA_AT_END                                                                               \
    " CROSS JOIN LATERAL (SELECT DISTINCT cp.child_id FROM projection.care_period cp"              \
    " WHERE cp.la_code = p.la_code AND cp.started_on <= p.to_on"                                   \
    " AND (cp.ended_on IS NULL OR cp.ended_on > p.to_on)) cla"                                     \
    " LEFT JOIN projection.child c ON c.la_code = p.la_code AND c.child_id = cla.child_id"

//  A placement of child cla.child_id open at the end of the period, as pl.
#define S_PLACEMENT_AT_END                                                                         \
    "SELECT 1 FROM projection.placement pl WHERE pl.la_code = p.la_code"                           \
    " AND pl.child_id = cla.child_id AND pl.started_on <= p.to_on"                                 \
    " AND (pl.ended_on IS NULL OR pl.ended_on > p.to_on)"

//  Children adopted in the period (a), with the start of the period of care they were placed
//  for adoption from (s.care_start).
#define S_ADOPTED                                                                                  \
    " FROM period p JOIN projection.adoption a ON a.la_code = p.la_code"                           \
    " AND a.adopted_on BETWEEN p.from_on AND p.to_on"                                              \
    " CROSS JOIN LATERAL (SELECT max (cp.started_on) AS care_start FROM projection.care_period cp" \
    " WHERE cp.la_code = a.la_code AND cp.child_id = a.child_id"                                   \
    " AND cp.started_on <= a.placed_on) s" S_CHILD_OF ("a")

//  Care leavers aged 19 to 21 at the end of the period, with their latest contact in it (l).
#define S_CARE_LEAVERS                                                                             \
    " FROM period p CROSS JOIN LATERAL (SELECT DISTINCT ON (cl.child_id) cl.child_id,"             \
    " cl.accommodation_suitable, cl.activity FROM projection.care_leaver cl"                       \
    " WHERE cl.la_code = p.la_code AND cl.contact_on BETWEEN p.from_on AND p.to_on"                \
    " ORDER BY cl.child_id, cl.contact_on DESC, cl.event_id DESC) l"                               \
    " JOIN projection.child c ON c.la_code = p.la_code AND c.child_id = l.child_id"                \
    " WHERE (c.date_of_birth + interval '19 years')::date <= p.to_on"                              \
    " AND (c.date_of_birth + interval '22 years')::date > p.to_on"

//  Allocated workers at the end of the period: one row per worker with their open cases
//  (allocation spells open on `to` whose case was not closed by then) and the team most of
//  those cases are in.
#define S_WORKERS_AT_END(NUMERATOR)                                                                \
    "SELECT mode () WITHIN GROUP (ORDER BY a.team_id) AS team_id, " NUMERATOR " AS numerator,"     \
    " 1 AS denominator FROM period p JOIN projection.allocation a ON a.la_code = p.la_code"        \
    " JOIN projection.child c ON c.la_code = a.la_code AND c.child_id = a.child_id"                \
    " WHERE a.worker_id IS NOT NULL AND a.allocated_on <= p.to_on"                                 \
    " AND (a.ended_on IS NULL OR a.ended_on > p.to_on)"                                            \
    " AND (c.closed_on IS NULL OR c.closed_on > p.to_on) GROUP BY a.worker_id"

//  Distinct children in a subquery, counted for a rate.
#define S_CHILDREN(SUBQUERY)                                                                       \
    "SELECT NULL::text AS team_id, 1 AS numerator, NULL::int AS denominator FROM (" SUBQUERY ") x"

#define S_TEAM_CHILD "the child's current team"
#define S_TEAM_DEADLINE                                                                            \
    "the deadline's team (the allocation when journey-timelinessd derived it), else the child's "  \
    "current team"
#define S_DUE_PERIOD                                                                               \
    "Deadlines due in the period: met, missed, or closed unmet after their due date. Deadlines "   \
    "cancelled before they fell due, and those not yet due, do not count. In time as "             \
    "journey-timelinessd stored it (met_on_time): for a clock in working days, at most its limit " \
    "of working days elapsed from the start; for months, weeks, days and hours, met on or before " \
    "the due date."

#define HIGHER JY_POLARITY_HIGHER_BETTER
#define LOWER  JY_POLARITY_LOWER_BETTER
#define NONE   JY_POLARITY_NONE

//  --- The measures ---------------------------------------------------------------------------

static const jy_measure_t s_table[] = {
    //  Front door
    {
        .name = "referral_rate",
        .label = "Referrals per 10,000 children",
        .area = "Front door",
        .numerator = "referrals received in the period",
        .denominator = "the LA's child population (la/child_population), per 10,000",
        .period = "Referrals received in the period.",
        .notes =
            "Teams have no population of their own. Not computed while la/child_population is 0.",
        .unit = JY_UNIT_RATE_PER_10K,
        .polarity = NONE,
        .per_team = false,
        .sql = S_LA_ONLY ("SELECT NULL::text AS team_id, 1 AS numerator, NULL::int AS denominator"
                          " FROM period p JOIN projection.referral r ON r.la_code = p.la_code"
                          " AND r.received_on BETWEEN p.from_on AND p.to_on"),
    },
    {
        .name = "re_referrals",
        .label = "Re-referrals within 12 months",
        .area = "Front door",
        .numerator =
            "referrals received in the period for a child with another referral received in the 12 "
            "months before (from the same day a year earlier, up to the day before)",
        .denominator = "referrals received in the period",
        .period = "Referrals received in the period.",
        .team = "the referral's team, else the child's current team",
        .unit = JY_UNIT_PERCENT,
        .polarity = LOWER,
        .national = "22% (2024)",
        .has_national_value = true,
        .national_value = 22.0,
        .per_team = true,
        .sql = S_BY_TEAM ("SELECT COALESCE (r.team_id, c.team_id) AS team_id,"
                          " EXISTS (SELECT 1 FROM projection.referral q WHERE q.la_code = r.la_code"
                          " AND q.child_id = r.child_id AND q.referral_id <> r.referral_id"
                          " AND q.received_on < r.received_on"
                          " AND q.received_on >= (r.received_on - interval '12 months')::date)::int"
                          " AS numerator, 1 AS denominator"
                          " FROM period p JOIN projection.referral r ON r.la_code = p.la_code"
                          " AND r.received_on BETWEEN p.from_on AND p.to_on" S_CHILD_OF ("r")),
    },

    //  Assessment and child protection
    {
        .name = "assessments_in_time",
        .label = "C&F assessments completed within 45 working days",
        .area = "Assessment and child protection",
        .numerator =
            "assessments completed (authorised) in the period within 45 working days of "
            "the referral (clock assessment), counted as the DfE does: working days d with "
            "referral < d <= authorised at most the limit, so one authorised on a Saturday "
            "after a Friday due date is in time",
        .denominator = "assessments completed in the period",
        .period = "Assessment deadlines met in the period.",
        .team = S_TEAM_DEADLINE,
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .national = "85.7% (2025)",
        .has_national_value = true,
        .national_value = 85.7,
        .per_team = true,
        .arg = JY_MEASURE_ARG_HOLIDAYS,
        .sql = S_BY_TEAM (S_MET_IN_PERIOD ("'assessment'")),
    },
    {
        .name = "icpc_in_time",
        .label = "ICPCs within 15 working days of the strategy discussion",
        .area = "Assessment and child protection",
        .numerator = "those ICPCs held within 15 working days of the strategy discussion (working "
                     "days d with discussion < d <= ICPC at most the limit, so one held on a "
                     "Saturday after a Friday due date is in time)",
        .denominator = "ICPC deadlines (clock icpc) met in the period: ICPCs held in the period "
                       "while their enquiry's ICPC clock ran",
        .period = "ICPC deadlines met in the period.",
        .team = S_TEAM_DEADLINE,
        .notes = "The local clock as journey-timelinessd keeps it (limit timeliness/clocks/icpc). "
                 "An ICPC held after its enquiry was completed with icpc_required false, or one "
                 "no enquiry's clock was waiting for, meets no deadline and is not counted here; "
                 "icpc_in_time_s47, the DfE's figure, counts every ICPC held that names its "
                 "enquiry.",
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .national = "81.4% (2025, DfE counts from the s47 start)",
        .per_team = true,
        .arg = JY_MEASURE_ARG_HOLIDAYS,
        .sql = S_BY_TEAM (S_MET_IN_PERIOD ("'icpc'")),
    },
    {
        .name = "icpc_in_time_s47",
        .label = "ICPCs within 15 working days of the s47 start (DfE)",
        .area = "Assessment and child protection",
        .numerator =
            "ICPCs held in the period at most 15 working days after the start of their s47 enquiry "
            "(working days d with start < d <= ICPC; bank holidays and closures excluded)",
        .denominator =
            "ICPCs held in the period that name their s47 enquiry and whose start date is known",
        .period = "ICPCs held in the period.",
        .team = S_TEAM_CHILD,
        .notes =
            "The DfE census definition, fixed at 15 working days whatever timeliness/clocks/icpc "
            "says; ICPCs not linked to an s47 are left out.",
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .national = "81.4% (2025)",
        .has_national_value = true,
        .national_value = 81.4,
        .per_team = true,
        .arg = JY_MEASURE_ARG_HOLIDAYS,
        .sql = S_BY_TEAM (
            "SELECT c.team_id,"
            " ((SELECT count (*) FROM generate_series (1, m.held_on - s.started_on) k"
            " WHERE extract (isodow FROM s.started_on + k) < 6"
            " AND s.started_on + k <> ALL ($5::date[])) <= 15)::int AS numerator,"
            " 1 AS denominator"
            " FROM period p JOIN projection.meeting m ON m.la_code = p.la_code"
            " AND m.kind = 'icpc' AND m.held_on BETWEEN p.from_on AND p.to_on"
            " JOIN projection.s47 s ON s.la_code = m.la_code AND s.child_id = m.child_id"
            " AND s.s47_id = m.s47_id" S_CHILD_OF ("m") " WHERE s.started_on IS NOT NULL"),
    },
    {
        .name = "repeat_cp_plans_2y",
        .label = "CP plans started within 2 years of a previous plan",
        .area = "Assessment and child protection",
        .numerator = "plans started in the period for a child with another plan that started "
                     "earlier and was open at some time in the 2 years before this start (ended on "
                     "or after the same day two years earlier, or not ended)",
        .denominator = "CP plans started in the period",
        .period = "CP plans started in the period.",
        .team = S_TEAM_CHILD,
        .unit = JY_UNIT_PERCENT,
        .polarity = LOWER,
        .per_team = true,
        .sql = S_BY_TEAM ("SELECT c.team_id, EXISTS (SELECT 1 FROM projection.cp_plan q"
                          " WHERE q.la_code = cp.la_code AND q.child_id = cp.child_id"
                          " AND q.plan_id <> cp.plan_id AND q.started_on < cp.started_on"
                          " AND (q.ended_on IS NULL"
                          " OR q.ended_on >= (cp.started_on - interval '2 years')::date))::int"
                          " AS numerator, 1 AS denominator"
                          " FROM period p JOIN projection.cp_plan cp ON cp.la_code = p.la_code"
                          " AND cp.started_on BETWEEN p.from_on AND p.to_on" S_CHILD_OF ("cp")),
    },
    {
        .name = "repeat_cp_plans_ever",
        .label = "CP plans started for a child with a previous plan (DfE)",
        .area = "Assessment and child protection",
        .numerator =
            "plans started in the period for a child with another plan that started earlier",
        .denominator = "CP plans started in the period",
        .period = "CP plans started in the period.",
        .team = S_TEAM_CHILD,
        .unit = JY_UNIT_PERCENT,
        .polarity = LOWER,
        .per_team = true,
        .sql = S_BY_TEAM ("SELECT c.team_id, EXISTS (SELECT 1 FROM projection.cp_plan q"
                          " WHERE q.la_code = cp.la_code AND q.child_id = cp.child_id"
                          " AND q.plan_id <> cp.plan_id AND q.started_on < cp.started_on)::int"
                          " AS numerator, 1 AS denominator"
                          " FROM period p JOIN projection.cp_plan cp ON cp.la_code = p.la_code"
                          " AND cp.started_on BETWEEN p.from_on AND p.to_on" S_CHILD_OF ("cp")),
    },
    {
        .name = "long_cp_plans",
        .label = "CP plans ended after 2 years or more",
        .area = "Assessment and child protection",
        .numerator = "plans ended in the period that lasted 2 years or more (ended on or after the "
                     "same day two years after the start)",
        .denominator = "CP plans ended in the period",
        .period = "CP plans ended in the period.",
        .team = S_TEAM_CHILD,
        .unit = JY_UNIT_PERCENT,
        .polarity = LOWER,
        .national = "4.4% (2025)",
        .has_national_value = true,
        .national_value = 4.4,
        .per_team = true,
        .sql = S_BY_TEAM (
            "SELECT c.team_id,"
            " (cp.ended_on >= (cp.started_on + interval '2 years')::date)::int AS numerator,"
            " 1 AS denominator FROM period p JOIN projection.cp_plan cp"
            " ON cp.la_code = p.la_code AND cp.ended_on BETWEEN p.from_on AND p.to_on"
            " AND cp.started_on IS NOT NULL" S_CHILD_OF ("cp")),
    },
    {
        .name = "cp_reviews_in_time",
        .label = "RCPCs in time",
        .area = "Assessment and child protection",
        .numerator =
            "RCPC deadlines due in the period met on or before their due date (clocks rcpc_first: "
            "3 months from the plan start; rcpc: 6 months from the previous RCPC)",
        .denominator = "RCPC deadlines due in the period",
        .period = S_DUE_PERIOD,
        .team = S_TEAM_DEADLINE,
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .per_team = true,
        .sql = S_BY_TEAM (S_DUE_IN_PERIOD ("'rcpc_first', 'rcpc'")),
    },
    {
        .name = "cp_visits_in_time",
        .label = "CP visits in time",
        .area = "Assessment and child protection",
        .numerator = "CP visit deadlines due in the period met in time (clock "
                     "cp_visit: 10 working days from the plan start, then from each visit)",
        .denominator = "CP visit deadlines due in the period",
        .period = S_DUE_PERIOD,
        .team = S_TEAM_DEADLINE,
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .per_team = true,
        .sql = S_BY_TEAM (S_DUE_IN_PERIOD ("'cp_visit'")),
    },
    {
        .name = "cp_rate",
        .label = "Children on CP plans per 10,000 children",
        .area = "Assessment and child protection",
        .numerator = "children with a CP plan open at the end of the period",
        .denominator = "the LA's child population (la/child_population), per 10,000",
        .period = "Open at the end of the period.",
        .notes = "Not computed while la/child_population is 0.",
        .unit = JY_UNIT_RATE_PER_10K,
        .polarity = NONE,
        .per_team = false,
        .sql = S_LA_ONLY (
            S_CHILDREN ("SELECT DISTINCT cp.child_id FROM period p JOIN projection.cp_plan cp"
                        " ON cp.la_code = p.la_code AND cp.started_on <= p.to_on"
                        " AND (cp.ended_on IS NULL OR cp.ended_on > p.to_on)")),
    },

    //  Children in need
    {
        .name = "cin_reviews_in_time",
        .label = "CIN reviews in time",
        .area = "Children in need",
        .numerator = "CIN review deadlines due in the period met on or before their due date "
                     "(clocks cin_review_first: 3 months from the plan start; cin_review: 6 months "
                     "from the previous review)",
        .denominator = "CIN review deadlines due in the period",
        .period = S_DUE_PERIOD,
        .team = S_TEAM_DEADLINE,
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .per_team = true,
        .sql = S_BY_TEAM (S_DUE_IN_PERIOD ("'cin_review_first', 'cin_review'")),
    },
    {
        .name = "cin_rate",
        .label = "Children in need per 10,000 children",
        .area = "Children in need",
        .numerator = "children with a referral open at the end of the period (received on or "
                     "before it, not closed by it): the CIN census's children in need, including "
                     "those on CP plans and looked after",
        .denominator = "the LA's child population (la/child_population), per 10,000",
        .period = "Open at the end of the period.",
        .notes = "Not computed while la/child_population is 0.",
        .unit = JY_UNIT_RATE_PER_10K,
        .polarity = NONE,
        .per_team = false,
        .sql = S_LA_ONLY (
            S_CHILDREN ("SELECT DISTINCT r.child_id FROM period p JOIN projection.referral r"
                        " ON r.la_code = p.la_code AND r.received_on <= p.to_on"
                        " AND (r.closed_on IS NULL OR r.closed_on > p.to_on)")),
    },

    //  Children looked after
    {
        .name = "cla_rate",
        .label = "Children looked after per 10,000 children",
        .area = "Children looked after",
        .numerator = "children with a period of care open at the end of the period",
        .denominator = "the LA's child population (la/child_population), per 10,000",
        .period = "Open at the end of the period.",
        .notes = "Not computed while la/child_population is 0.",
        .unit = JY_UNIT_RATE_PER_10K,
        .polarity = NONE,
        .per_team = false,
        .sql = S_LA_ONLY (S_CHILDREN ("SELECT DISTINCT cp.child_id FROM period p"
                                      " JOIN projection.care_period cp ON cp.la_code = p.la_code"
                                      " AND cp.started_on <= p.to_on"
                                      " AND (cp.ended_on IS NULL OR cp.ended_on > p.to_on)")),
    },

    {
        .name = "cla_reviews_in_time",
        .label = "CLA reviews in time",
        .area = "Children looked after",
        .numerator = "CLA review deadlines due in the period met in time "
                     "(clocks cla_review_first: 20 working days from the start of care; "
                     "cla_review_second: 3 months; cla_review: 6 months)",
        .denominator = "CLA review deadlines due in the period",
        .period = S_DUE_PERIOD,
        .team = S_TEAM_DEADLINE,
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .per_team = true,
        .sql =
            S_BY_TEAM (S_DUE_IN_PERIOD ("'cla_review_first', 'cla_review_second', 'cla_review'")),
    },
    {
        .name = "iha_in_time",
        .label = "Initial health assessments in time",
        .area = "Children looked after",
        .numerator = "IHA deadlines due in the period met in time (clock iha: "
                     "20 working days from the start of care)",
        .denominator = "IHA deadlines due in the period",
        .period = S_DUE_PERIOD,
        .team = S_TEAM_DEADLINE,
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .per_team = true,
        .sql = S_BY_TEAM (S_DUE_IN_PERIOD ("'iha'")),
    },
    {
        .name = "placement_moves",
        .label = "Children looked after with 3 or more placements in 12 months",
        .area = "Children looked after",
        .numerator = "those of them with 3 or more placements open at some time in the 12 "
                     "months to the end of the period (started on or before its end, not ended on "
                     "or before the same day a year earlier)",
        .denominator = "children looked after at the end of the period",
        .period = "At the end of the period.",
        .team = S_TEAM_CHILD,
        .unit = JY_UNIT_PERCENT,
        .polarity = LOWER,
        .per_team = true,
        .sql = S_BY_TEAM ("SELECT c.team_id, ((SELECT count (*) FROM projection.placement pl"
                          " WHERE pl.la_code = p.la_code AND pl.child_id = cla.child_id"
                          " AND pl.started_on <= p.to_on AND (pl.ended_on IS NULL"
                          " OR pl.ended_on > (p.to_on - interval '12 months')::date)) >= 3)::int"
                          " AS numerator, 1 AS denominator FROM period p" S_CLA_AT_END),
    },
    {
        .name = "long_term_stability",
        .label = "Long-term placement stability",
        .area = "Children looked after",
        .numerator = "those of them whose placement open at the end of the period started 2 "
                     "years or more before it",
        .denominator =
            "children under 16 at the end of the period looked after for 2.5 years or more (their "
            "open period of care started 30 months or more before the end of the period)",
        .period = "At the end of the period.",
        .team = S_TEAM_CHILD,
        .notes = "Children without a date of birth are left out; DfE's allowance for a move into "
                 "an adoptive placement is not applied.",
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .national = "68% (2024)",
        .has_national_value = true,
        .national_value = 68.0,
        .per_team = true,
        .sql = S_BY_TEAM (
            "SELECT c.team_id, EXISTS (" S_PLACEMENT_AT_END
            " AND pl.started_on <= (p.to_on - interval '2 years')::date)::int AS numerator,"
            " 1 AS denominator FROM period p" S_CLA_AT_END
            " WHERE (c.date_of_birth + interval '16 years')::date > p.to_on"
            " AND EXISTS (SELECT 1 FROM projection.care_period lp WHERE lp.la_code = p.la_code"
            " AND lp.child_id = cla.child_id"
            " AND lp.started_on <= (p.to_on - interval '30 months')::date"
            " AND (lp.ended_on IS NULL OR lp.ended_on > p.to_on))"),
    },
    {
        .name = "placed_far_away",
        .label = "Children looked after placed outside the LA and over 20 miles away",
        .area = "Children looked after",
        .numerator = "those of them whose placement open at the end of the period is outside "
                     "the LA (in_area false) and more than 20 miles from home",
        .denominator = "children looked after at the end of the period",
        .period = "At the end of the period.",
        .team = S_TEAM_CHILD,
        .notes = "A placement whose area or distance is not recorded is not counted as far away.",
        .unit = JY_UNIT_PERCENT,
        .polarity = LOWER,
        .per_team = true,
        .sql = S_BY_TEAM ("SELECT c.team_id, EXISTS (" S_PLACEMENT_AT_END
                          " AND pl.in_area IS FALSE AND pl.distance_miles > 20)::int AS numerator,"
                          " 1 AS denominator FROM period p" S_CLA_AT_END),
    },

    //  Missing
    {
        .name = "rhi_in_time",
        .label = "Return home interviews within 72 hours",
        .area = "Missing",
        .numerator = "RHI deadlines due in the period met on or before their due date (clock rhi: "
                     "72 hours, 3 calendar days, from the end of the missing episode)",
        .denominator = "RHI deadlines due in the period",
        .period = S_DUE_PERIOD,
        .team = S_TEAM_DEADLINE,
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .per_team = true,
        .sql = S_BY_TEAM (S_DUE_IN_PERIOD ("'rhi'")),
    },
    {
        .name = "missing_episodes",
        .label = "Missing episodes",
        .area = "Missing",
        .numerator = "missing episodes started in the period",
        .denominator = NULL,
        .period = "Episodes started in the period.",
        .team = S_TEAM_CHILD,
        .unit = JY_UNIT_COUNT,
        .polarity = NONE,
        .per_team = true,
        .sql = S_BY_TEAM ("SELECT c.team_id, 1 AS numerator, NULL::int AS denominator"
                          " FROM period p JOIN projection.missing m ON m.la_code = p.la_code"
                          " AND m.started_on BETWEEN p.from_on AND p.to_on" S_CHILD_OF ("m")),
    },
    {
        .name = "missing_over_24_hours",
        .label = "Missing episodes not found within 24 hours",
        .area = "Missing",
        .numerator = "those of them that lasted more than 24 hours: hours_missing over 24, "
                     "or, where the hours are not recorded, ended (or still open at the end of the "
                     "period) 2 or more calendar days after they started",
        .denominator = "missing episodes started in the period",
        .period = "Episodes started in the period.",
        .team = S_TEAM_CHILD,
        .unit = JY_UNIT_PERCENT,
        .polarity = LOWER,
        .per_team = true,
        .sql = S_BY_TEAM ("SELECT c.team_id, ((m.hours_missing > 24 OR (m.hours_missing IS NULL"
                          " AND COALESCE (m.ended_on, p.to_on) - m.started_on >= 2)) IS TRUE)::int"
                          " AS numerator, 1 AS denominator"
                          " FROM period p JOIN projection.missing m ON m.la_code = p.la_code"
                          " AND m.started_on BETWEEN p.from_on AND p.to_on" S_CHILD_OF ("m")),
    },

    //  Adoption
    {
        .name = "adoption_a1",
        .label = "A1: days from entering care to moving in with the adoptive family",
        .area = "Adoption",
        .numerator = "total days from the start of the period of care (the latest one started on "
                     "or before the placement for adoption) to the placement for adoption",
        .denominator = "children adopted in the period whose placement and care start are known",
        .period = "Adoption orders made in the period.",
        .team = S_TEAM_CHILD,
        .unit = JY_UNIT_DAYS,
        .polarity = LOWER,
        .national = "threshold 426 days, 14 months (2013-16)",
        .has_national_value = true,
        .national_value = 426,
        .per_team = true,
        .sql = S_BY_TEAM ("SELECT c.team_id, a.placed_on - s.care_start AS numerator,"
                          " 1 AS denominator" S_ADOPTED " WHERE s.care_start IS NOT NULL"),
    },
    {
        .name = "adoption_a2",
        .label = "A2: days from placement order to match",
        .area = "Adoption",
        .numerator = "total days from the placement order to the match decision",
        .denominator = "children adopted in the period with both dates known",
        .period = "Adoption orders made in the period.",
        .team = S_TEAM_CHILD,
        .unit = JY_UNIT_DAYS,
        .polarity = LOWER,
        .national = "threshold 121 days, 4 months (2013-16)",
        .has_national_value = true,
        .national_value = 121,
        .per_team = true,
        .sql = S_BY_TEAM ("SELECT c.team_id, a.matched_on - a.placement_order_on AS numerator,"
                          " 1 AS denominator" S_ADOPTED
                          " WHERE a.matched_on IS NOT NULL AND a.placement_order_on IS NOT NULL"),
    },
    {
        .name = "adoption_within_21_months",
        .label = "Adopted children who waited under 21 months",
        .area = "Adoption",
        .numerator = "those of them placed for adoption less than 21 months after the start "
                     "of care (before the same day 21 months later)",
        .denominator = "children adopted in the period whose placement and care start are known",
        .period = "Adoption orders made in the period.",
        .team = S_TEAM_CHILD,
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .per_team = true,
        .sql = S_BY_TEAM (
            "SELECT c.team_id,"
            " (a.placed_on < (s.care_start + interval '21 months')::date)::int AS numerator,"
            " 1 AS denominator" S_ADOPTED " WHERE s.care_start IS NOT NULL"),
    },
    {
        .name = "adoption_within_12_months_of_adm",
        .label = "Placed for adoption within 12 months of the ADM decision",
        .area = "Adoption",
        .numerator = "those of them placed for adoption on or before the same day 12 months "
                     "after the ADM decision",
        .denominator =
            "children adopted in the period with an ADM decision and a placement for adoption",
        .period = "Adoption orders made in the period.",
        .team = S_TEAM_CHILD,
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .per_team = true,
        .sql = S_BY_TEAM (
            "SELECT c.team_id,"
            " (a.placed_on <= (a.adm_on + interval '12 months')::date)::int AS numerator,"
            " 1 AS denominator" S_ADOPTED
            " WHERE a.adm_on IS NOT NULL AND a.placed_on IS NOT NULL"),
    },

    //  Care leavers
    {
        .name = "care_leavers_accommodation",
        .label = "Care leavers aged 19-21 in suitable accommodation",
        .area = "Care leavers",
        .numerator = "those of them whose latest contact in the period records suitable "
                     "accommodation",
        .denominator = "care leavers aged 19, 20 or 21 at the end of the period with a care leaver "
                       "contact recorded in the period (in touch or not)",
        .period = "Care leaver contacts in the period; age at its end.",
        .team = S_TEAM_CHILD,
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .per_team = true,
        .sql = S_BY_TEAM ("SELECT c.team_id, (l.accommodation_suitable IS TRUE)::int AS numerator,"
                          " 1 AS denominator" S_CARE_LEAVERS),
    },
    {
        .name = "care_leavers_eet",
        .label = "Care leavers aged 19-21 in education, employment or training",
        .area = "Care leavers",
        .numerator = "those of them whose latest contact in the period records an EET "
                     "activity (SSDA903 F1, P1, F2, P2, F4, P4, F5, P5)",
        .denominator = "care leavers aged 19, 20 or 21 at the end of the period with a care leaver "
                       "contact recorded in the period (in touch or not)",
        .period = "Care leaver contacts in the period; age at its end.",
        .team = S_TEAM_CHILD,
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .per_team = true,
        .sql = S_BY_TEAM (
            "SELECT c.team_id, ((l.activity IN ('F1', 'P1', 'F2', 'P2', 'F4', 'P4', 'F5',"
            " 'P5')) IS TRUE)::int AS numerator, 1 AS denominator" S_CARE_LEAVERS),
    },

    //  Workforce and quality
    {
        .name = "caseload_average",
        .label = "Open cases per allocated worker",
        .area = "Workforce and quality",
        .numerator = "open cases allocated to a worker at the end of the period (allocation spells "
                     "open then, case not closed by then)",
        .denominator = "workers with at least one open case at the end of the period",
        .period = "At the end of the period.",
        .team = "the team most of the worker's open cases are allocated in",
        .notes =
            "A case counts as open when its current closure date (projection.child.closed_on) is "
            "empty or after the period.",
        .unit = JY_UNIT_AVERAGE,
        .polarity = LOWER,
        .per_team = true,
        .sql = S_BY_TEAM (S_WORKERS_AT_END ("count (*)")),
    },
    {
        .name = "workers_over_caseload",
        .label = "Workers over the caseload threshold",
        .area = "Workforce and quality",
        .numerator = "those of them with more open cases than timeliness/caseload/threshold",
        .denominator = "workers with at least one open case at the end of the period",
        .period = "At the end of the period.",
        .team = "the team most of the worker's open cases are allocated in",
        .notes = "Open cases as for caseload_average.",
        .unit = JY_UNIT_PERCENT,
        .polarity = LOWER,
        .per_team = true,
        .arg = JY_MEASURE_ARG_CASELOAD,
        .sql = S_BY_TEAM (S_WORKERS_AT_END ("(count (*) > $5::int)::int")),
    },
    {
        .name = "audits_good_or_better",
        .label = "Case audits graded good or outstanding",
        .area = "Workforce and quality",
        .numerator = "audits completed in the period graded outstanding or good",
        .denominator = "single case audits completed in the period",
        .period = "Audits completed in the period.",
        .team = "the audit's team, else the child's current team",
        .unit = JY_UNIT_PERCENT,
        .polarity = HIGHER,
        .per_team = true,
        .sql = S_BY_TEAM (
            "SELECT COALESCE (au.team_id, c.team_id) AS team_id,"
            " ((au.grade IN ('outstanding', 'good')) IS TRUE)::int AS numerator,"
            " 1 AS denominator FROM period p JOIN projection.audit au ON au.la_code = p.la_code"
            " AND au.audited_on BETWEEN p.from_on AND p.to_on" S_CHILD_OF ("au")),
    },
    {
        .name = "audits_inadequate",
        .label = "Case audits graded inadequate",
        .area = "Workforce and quality",
        .numerator = "audits completed in the period graded inadequate",
        .denominator = "single case audits completed in the period",
        .period = "Audits completed in the period.",
        .team = "the audit's team, else the child's current team",
        .unit = JY_UNIT_PERCENT,
        .polarity = LOWER,
        .per_team = true,
        .sql = S_BY_TEAM (
            "SELECT COALESCE (au.team_id, c.team_id) AS team_id,"
            " ((au.grade = 'inadequate') IS TRUE)::int AS numerator,"
            " 1 AS denominator FROM period p JOIN projection.audit au ON au.la_code = p.la_code"
            " AND au.audited_on BETWEEN p.from_on AND p.to_on" S_CHILD_OF ("au")),
    },
};

#define S_COUNT (sizeof s_table / sizeof s_table[0])

//  In enum order; NULL-terminated for jy_config_choice where that matters.
static const char *const s_unit_names[] = {"percent", "rate_per_10k", "days", "count", "average"};
static const char *const s_polarity_names[] = {"none", "higher_better", "lower_better", NULL};
static const char *const s_rating_names[] = {NULL, "red", "amber", "green"};

//  A value this close to a bound is on it.
#define S_EPSILON 1e-9

const jy_measure_t *jy_measures_table (size_t *count)
{
    if (count)
        *count = S_COUNT;
    return s_table;
}

const jy_measure_t *jy_measures_find (const char *name)
{
    if (name)
        for (size_t i = 0; i < S_COUNT; i++)
            if (strcmp (s_table[i].name, name) == 0)
                return &s_table[i];
    return NULL;
}

const char *jy_measure_unit_name (jy_measure_unit_t unit)
{
    assert (unit >= JY_UNIT_PERCENT && unit <= JY_UNIT_AVERAGE);
    return s_unit_names[unit];
}

const char *jy_polarity_name (jy_polarity_t polarity)
{
    assert (polarity >= JY_POLARITY_NONE && polarity <= JY_POLARITY_LOWER_BETTER);
    return s_polarity_names[polarity];
}

const char *jy_rating_name (jy_rating_t rating)
{
    assert (rating >= JY_RATING_NONE && rating <= JY_RATING_GREEN);
    return s_rating_names[rating];
}

jy_rating_t jy_rating_parse (const char *text)
{
    if (text)
        for (int r = JY_RATING_RED; r <= JY_RATING_GREEN; r++)
            if (strcmp (s_rating_names[r], text) == 0)
                return (jy_rating_t) r;
    return JY_RATING_NONE;
}

static size_t s_index (const jy_measure_t *measure)
{
    assert (measure >= s_table && measure < s_table + S_COUNT);
    return (size_t) (measure - s_table);
}

//  --- Computing ----------------------------------------------------------------------------

int jy_measure_context_load (jy_config_t *config, jy_measure_context_t *context)
{
    assert (config && context);
    memset (context, 0, sizeof *context);
    if (jy_config_int (config, "la/child_population", 0, 0, 100000000,
                       &context->child_population) != 0 ||
        jy_config_int (config, "timeliness/caseload/threshold", 20, 1, 100000,
                       &context->caseload_threshold) != 0)
        return -1;
    return 0;
}

//  The calendar's bank holidays and closures from a year before from (an s47 may start long
//  before its ICPC) to to, as an array literal "{2024-12-25,...}". Freed by the caller.
static char *s_holidays_literal (jy_calendar_t *calendar, jy_date_t from, jy_date_t to)
{
    jy_date_t first = from - 400;
    size_t count = jy_calendar_holidays (calendar, first, to, NULL, NULL, 0);
    jy_date_t *days = calloc (count ? count : 1, sizeof *days);
    assert (days);
    jy_calendar_holidays (calendar, first, to, days, NULL, count);
    char *text = malloc (2 + count * JY_DATE_TEXT_SIZE + 1);
    assert (text);
    char *p = text;
    *p++ = '{';
    for (size_t i = 0; i < count; i++) {
        if (i)
            *p++ = ',';
        jy_date_format (days[i], p);
        p += JY_DATE_TEXT_SIZE - 1;
    }
    *p++ = '}';
    *p = '\0';
    free (days);
    return text;
}

static void s_set_value (const jy_measure_t *measure, const jy_measure_context_t *context,
                         jy_measure_value_t *v)
{
    switch (measure->unit) {
    case JY_UNIT_RATE_PER_10K:
        v->denominator = (double) context->child_population;
        v->has_value = v->denominator > 0;
        v->value = v->has_value ? 10000.0 * v->numerator / v->denominator : 0;
        break;
    case JY_UNIT_COUNT:
        v->denominator = 0;
        v->has_value = true;
        v->value = v->numerator;
        break;
    case JY_UNIT_PERCENT:
        //  Multiply first: 100 * 17 / 20 is exactly 85, 17 / 20 * 100 is not.
        v->has_value = v->denominator > 0;
        v->value = v->has_value ? 100.0 * v->numerator / v->denominator : 0;
        break;
    case JY_UNIT_DAYS:
    case JY_UNIT_AVERAGE:
        v->has_value = v->denominator > 0;
        v->value = v->has_value ? v->numerator / v->denominator : 0;
        break;
    }
}

int jy_measures_compute (jy_db_t *db, const jy_measure_t *measure,
                         const jy_measure_context_t *context, const char *la_code, jy_date_t from,
                         jy_date_t to, jy_date_t today, jy_measure_value_t **values, size_t *count)
{
    assert (db && measure && context && la_code && values && count);
    assert (jy_measures_find (measure->name) == measure);
    *values = NULL;
    *count = 0;
    char from_text[JY_DATE_TEXT_SIZE], to_text[JY_DATE_TEXT_SIZE], arg_text[24];
    char today_text[JY_DATE_TEXT_SIZE];
    const char *params[5] = {la_code, jy_date_format (from, from_text),
                             jy_date_format (to, to_text), jy_date_format (today, today_text),
                             NULL};
    int nparams = 4;
    char *holidays = NULL;
    if (measure->arg == JY_MEASURE_ARG_HOLIDAYS) {
        assert (context->calendar);
        holidays = s_holidays_literal (context->calendar, from, to);
        params[nparams++] = holidays;
    } else if (measure->arg == JY_MEASURE_ARG_CASELOAD) {
        snprintf (arg_text, sizeof arg_text, "%ld", context->caseload_threshold);
        params[nparams++] = arg_text;
    }
    PGresult *result = jy_db_query (db, measure->sql, nparams, params);
    free (holidays);
    if (!result)
        return -1; //  jy_db keeps the error; the caller logs it, naming the measure
    int rows = PQntuples (result);
    jy_measure_value_t *list = calloc (rows ? (size_t) rows : 1, sizeof *list);
    assert (list);
    for (int row = 0; row < rows; row++) {
        jy_measure_value_t *v = &list[row];
        if (!PQgetisnull (result, row, 0)) {
            v->team_id = strdup (PQgetvalue (result, row, 0));
            assert (v->team_id);
        }
        v->numerator = strtod (PQgetvalue (result, row, 1), NULL);
        v->denominator = strtod (PQgetvalue (result, row, 2), NULL);
        s_set_value (measure, context, v);
    }
    PQclear (result);
    *values = list;
    *count = (size_t) rows;
    return 0;
}

void jy_measure_values_free (jy_measure_value_t **values_p, size_t count)
{
    assert (values_p);
    if (*values_p) {
        for (size_t i = 0; i < count; i++)
            free ((*values_p)[i].team_id);
        free (*values_p);
        *values_p = NULL;
    }
}

//  --- Targets and ratings ------------------------------------------------------------------

jy_rating_t jy_measures_rate (const jy_measure_target_t *target, double value)
{
    assert (target);
    if (!target->has_target || isnan (value))
        return JY_RATING_NONE;
    //  Lower is better: mirror everything so that one rule serves both.
    double sign;
    if (target->polarity == JY_POLARITY_HIGHER_BETTER)
        sign = 1;
    else if (target->polarity == JY_POLARITY_LOWER_BETTER)
        sign = -1;
    else
        return JY_RATING_NONE;
    double v = sign * value, t = sign * target->target;
    if (v >= t - S_EPSILON)
        return JY_RATING_GREEN;
    if (v >= t - target->tolerance - S_EPSILON)
        return JY_RATING_AMBER;
    return JY_RATING_RED;
}

struct _jy_measure_targets_t {
    jy_measure_target_t targets[S_COUNT];
};

jy_measure_targets_t *jy_measure_targets_new_empty (void)
{
    jy_measure_targets_t *self = calloc (1, sizeof *self);
    assert (self);
    for (size_t i = 0; i < S_COUNT; i++)
        self->targets[i].polarity = s_table[i].polarity;
    return self;
}

//  Every section under measures/ names a measure and only the settings a measure has. 0, or
//  -1 with the key in jy_config_error.
static int s_check_names (jy_config_t *config)
{
    static const char *const settings[] = {"target", "tolerance", "polarity"};
    zconfig_t *section = jy_config_section (config, "measures");
    if (!section)
        return 0;
    char key[256];
    for (zconfig_t *m = zconfig_child (section); m; m = zconfig_next (m)) {
        snprintf (key, sizeof key, "measures/%s", zconfig_name (m));
        if (!jy_measures_find (zconfig_name (m)))
            return jy_config_fail (config, key, "is not a measure (docs/measures.md lists them)");
        for (zconfig_t *s = zconfig_child (m); s; s = zconfig_next (s)) {
            bool known = false;
            for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
                known = known || strcmp (zconfig_name (s), settings[i]) == 0;
            if (!known) {
                snprintf (key, sizeof key, "measures/%s/%s", zconfig_name (m), zconfig_name (s));
                return jy_config_fail (config, key,
                                       "is not a measure setting (target, tolerance, polarity)");
            }
        }
    }
    return 0;
}

static int s_target_configure (jy_config_t *config, const jy_measure_t *measure,
                               jy_measure_target_t *target)
{
    char key[256];
    snprintf (key, sizeof key, "measures/%s/polarity", measure->name);
    int polarity;
    if (jy_config_choice (config, key, s_polarity_names, (int) measure->polarity, &polarity) != 0)
        return -1;
    target->polarity = (jy_polarity_t) polarity;
    double max = measure->unit == JY_UNIT_PERCENT ? 100 : 1e9;
    snprintf (key, sizeof key, "measures/%s/tolerance", measure->name);
    if (jy_config_double (config, key, 0, 0, max, &target->tolerance) != 0)
        return -1;
    snprintf (key, sizeof key, "measures/%s/target", measure->name);
    const char *text = jy_config_get (config, key);
    if (!text || !*text || strcasecmp (text, "none") == 0)
        return 0;
    if (jy_config_double (config, key, 0, 0, max, &target->target) != 0)
        return -1;
    if (target->polarity == JY_POLARITY_NONE)
        return jy_config_fail (config, key,
                               "%s has polarity none and is never rated: remove the target or "
                               "set measures/%s/polarity",
                               measure->name, measure->name);
    target->has_target = true;
    return 0;
}

jy_measure_targets_t *jy_measure_targets_new (jy_config_t *config)
{
    assert (config);
    if (s_check_names (config) != 0)
        return NULL;
    jy_measure_targets_t *self = jy_measure_targets_new_empty ();
    for (size_t i = 0; i < S_COUNT; i++)
        if (s_target_configure (config, &s_table[i], &self->targets[i]) != 0) {
            jy_measure_targets_destroy (&self);
            return NULL;
        }
    return self;
}

void jy_measure_targets_destroy (jy_measure_targets_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

const jy_measure_target_t *jy_measure_targets_get (jy_measure_targets_t *self,
                                                   const jy_measure_t *measure)
{
    assert (self);
    return &self->targets[s_index (measure)];
}
