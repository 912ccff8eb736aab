/*  jy_measures against a real PostgreSQL: every measure's numerator and denominator, per team
    and for the LA, on a small hand-worked dataset (the expected figures are worked out in the
    comments beside the rows), with the boundaries that matter: completed on the due date,
    a plan exactly two years long, 15 working days across a bank holiday and a closure day,
    12 months to the day, turning 16 / 19 / 22 on the last day of the period. Also the rating
    rule at its exact bounds for both polarities, the targets from configuration (a bad one
    names its key), the table's own consistency, and docs/measures.md listing exactly the
    table's measures.

    Everything lives in database journey_measures_<pid>, migrated from deploy/migrations.
*/
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journey/journey.h"
#include "jy_measures.h"
#include "jy_test.h"

//  The period: the first quarter of 2024-25. Bank holidays in it: 6 May and 27 May.
#define FROM  "2024-04-01"
#define TO    "2024-06-30"
#define TODAY "2024-07-01" //  computed the day after the period, as a scheduled pack is

static const char *s_dataset =
    //  Children: team and worker now, date of birth, closure.
    "INSERT INTO ingest.child (la_code, child_id, date_of_birth, team_id, worker_id, closed_on)"
    " VALUES"
    " ('872', 'C1', '2010-05-10', 'TA', 'W1', NULL),"
    " ('872', 'C2', '2012-01-01', 'TA', 'W1', NULL),"
    " ('872', 'C3', '2005-03-01', 'TB', 'W2', NULL),"
    " ('872', 'C4', '2004-07-01', NULL, NULL, NULL)," //  no team: counts in the LA row only
    " ('872', 'C5', '2002-06-30', 'TB', 'W2', NULL)," //  22 on the last day
    " ('872', 'C6', '2003-07-01', 'TB', NULL, NULL),"
    " ('872', 'C7', '2011-01-01', 'TA', 'W1', NULL),"
    " ('872', 'C8', '2019-01-01', 'TB', 'W2', '2024-06-30'),"
    " ('872', 'C9', '2020-01-01', 'TB', 'W2', '2024-07-01'),"
    " ('872', 'C11', '2021-01-01', NULL, NULL, NULL),"
    " ('872', 'C12', '2005-06-30', 'TB', NULL, NULL)," //  19 on the last day
    " ('872', 'C13', '2008-06-30', 'TA', NULL, NULL)," //  16 on the last day
    " ('999', 'C1', '2010-01-01', 'TX', 'W9', NULL);"  //  another LA: never counted

    //  Referrals in the period: R1, R3, R5, R6 (R5 on its last day). Re-referrals: R1 (R2
    //  exactly 12 months before), R5 (R6); not R3 (R4 12 months and a day before).
    //  Open at the end: R3 (C2), R5 and R6 (C3), R7 (C4): 3 children. R1 closed on the last day.
    "INSERT INTO ingest.referral (la_code, child_id, referral_id, received_on, closed_on, team_id)"
    " VALUES"
    " ('872', 'C1', 'R1', '2024-04-10', '2024-06-30', 'TA'),"
    " ('872', 'C1', 'R2', '2023-04-10', '2023-06-01', 'TA'),"
    " ('872', 'C2', 'R3', '2024-05-15', NULL, NULL),"
    " ('872', 'C2', 'R4', '2023-05-14', '2023-06-01', NULL),"
    " ('872', 'C3', 'R5', '2024-06-30', NULL, 'TB'),"
    " ('872', 'C3', 'R6', '2024-06-01', '2024-07-01', 'TB'),"
    " ('872', 'C4', 'R7', '2024-03-31', NULL, NULL),"
    " ('999', 'C1', 'R8', '2024-04-10', NULL, 'TX');"

    //  Deadlines as journey-timelinessd keeps them.
    "INSERT INTO timeliness.deadline (id, la_code, child_id, clock, anchor, started_on, due_on,"
    " state, met_on, cancelled_on, team_id, first_seen_on, backfill, updated_on)"
    " SELECT id, la, child, clock, anchor, due - 10, due, state, met, cancelled, team, due,"
    " false, due FROM (VALUES"
    //  assessments met in the period: 1 (on the due date), 2 (late), 3 (last day): 2 of 3
    " (1, '872', 'C1', 'assessment', 'A1', '2024-05-20'::date, 'met_on_time', '2024-05-20'::date,"
    "  NULL::date, 'TA'),"
    " (2, '872', 'C2', 'assessment', 'A2', '2024-04-15', 'met_late', '2024-04-16', NULL, NULL),"
    " (3, '872', 'C3', 'assessment', 'A3', '2024-07-10', 'met_on_time', '2024-06-30', NULL, 'TB'),"
    " (4, '872', 'C3', 'assessment', 'A4', '2024-03-01', 'met_late', '2024-03-31', NULL, 'TB'),"
    " (5, '872', 'C4', 'assessment', 'A5', '2024-05-01', 'missed', NULL, NULL, NULL),"
    " (6, '872', 'C1', 'assessment', 'A6', '2024-08-01', 'open', NULL, NULL, 'TA'),"
    " (24, '999', 'C1', 'assessment', 'A1', '2024-05-01', 'met_on_time', '2024-05-01', NULL, 'TX'),"
    //  ICPCs: 1 of 2
    " (7, '872', 'C1', 'icpc', 'I1', '2024-04-22', 'met_on_time', '2024-04-22', NULL, 'TA'),"
    " (8, '872', 'C2', 'icpc', 'I2', '2024-04-30', 'met_late', '2024-05-01', NULL, NULL),"
    //  RCPCs due in the period: 9 in time, 10 missed, 11 late, 13 closed unmet after its due
    //  date, 14 still open but due before today (missed by its dates, whether or not the
    //  sweep has stored it); 12 cancelled before it fell due does not count: 1 of 5. Computed
    //  on 15 June, 10 (due 30 June) and 14 (due that day) are not yet past due: 1 of 3.
    " (9, '872', 'C1', 'rcpc_first', 'P1', '2024-04-01', 'met_on_time', '2024-03-28', NULL, 'TA'),"
    " (10, '872', 'C1', 'rcpc', 'P1/1', '2024-06-30', 'missed', NULL, NULL, 'TA'),"
    " (11, '872', 'C2', 'rcpc', 'P2/1', '2024-05-10', 'met_late', '2024-05-15', NULL, NULL),"
    " (12, '872', 'C2', 'rcpc', 'P2/2', '2024-05-20', 'cancelled', NULL, '2024-05-01', NULL),"
    " (13, '872', 'C3', 'rcpc_first', 'P3', '2024-05-20', 'cancelled', NULL, '2024-06-01', 'TB'),"
    " (14, '872', 'C3', 'rcpc', 'P3/1', '2024-06-15', 'open', NULL, NULL, 'TB'),"
    //  CP visits 1 of 2, CIN reviews 1 of 1, CLA reviews 2 of 3, IHAs 0 of 1, RHIs 1 of 2
    " (15, '872', 'C3', 'cp_visit', 'V1', '2024-04-05', 'met_on_time', '2024-04-05', NULL, 'TB'),"
    " (16, '872', 'C1', 'cp_visit', 'V2', '2024-06-03', 'met_late', '2024-06-04', NULL, 'TA'),"
    " (17, '872', 'C2', 'cin_review_first', 'N1', '2024-04-30', 'met_on_time', '2024-04-30', NULL,"
    "  NULL),"
    " (18, '872', 'C3', 'cla_review_first', 'L1', '2024-05-07', 'met_on_time', '2024-05-07', NULL,"
    "  'TB'),"
    " (19, '872', 'C3', 'cla_review_second', 'L2', '2024-06-20', 'missed', NULL, NULL, 'TB'),"
    " (20, '872', 'C3', 'cla_review', 'L3', '2024-06-28', 'met_on_time', '2024-06-27', NULL, 'TB'),"
    " (21, '872', 'C3', 'iha', 'H1', '2024-04-26', 'met_late', '2024-05-02', NULL, 'TB'),"
    " (22, '872', 'C1', 'rhi', 'M1', '2024-05-04', 'met_on_time', '2024-05-04', NULL, 'TA'),"
    " (23, '872', 'C1', 'rhi', 'M2', '2024-05-10', 'missed', NULL, NULL, 'TA')"
    " ) AS d (id, la, child, clock, anchor, due, state, met, cancelled, team);"

    //  ICPCs from the s47 start (DfE): S1 on Monday 22 April; the 15th working day after it,
    //  across the May Day bank holiday, is 14 May: M1 in time, M2 a day late. M3 names no s47
    //  and M4's s47 has no start date: left out. M5 is not an ICPC.
    //  "In time" by working days elapsed, as the DfE counts, in the first quarter of 2025 (no
    //  bank holiday after 1 January). 45 working days from Friday 3 January: 4 weeks of 5 in
    //  January after it (6-31 Jan: 20), February (3-28: 20), then 3-7 March: the 45th is Friday
    //  7 March. AS1 authorised on Saturday 8 March: still 45 working days (the DfE's rule: in
    //  time, though after the due date); AS2 on Monday 10 March: 46, late. From Monday 6
    //  January the 45th working day is Monday 10 March (9 whole weeks): AS3 on Tuesday 11
    //  March, 46, late. ICPCs, 15 working days from Friday 3 January: 6-10, 13-17, 20-24
    //  January, due Friday 24 January; IC1 held on Saturday 25 January in time, IC2 on Monday
    //  27 January late. Stored as the timeliness store held them before the rule changed
    //  (AS1 and IC1 met_late by 0 working days). Assessments 1 of 3 (TA 1 of 2, TB 0 of 1),
    //  ICPCs 1 of 2 (TA).
    //  IC3 (C3): its enquiry S5 was completed on 10 January with icpc_required false, which
    //  closed the ICPC clock (cancelled, s47_no_icpc); an ICPC was held anyway on Monday 20
    //  January. It meets no deadline, so icpc_in_time (ICPC deadlines met) does not count it;
    //  icpc_in_time_s47 (ICPCs held) does: M6, 10 working days after 6 January, in time; M7
    //  (IC1) 15 after 3 January, in time; M8 (IC2) 16, late: 2 of 3 (TA 1 of 2, TB 1 of 1).
    "INSERT INTO timeliness.deadline (id, la_code, child_id, clock, anchor, started_on, due_on,"
    " state, met_on, late_working_days, cancelled_on, cancel_reason, team_id, first_seen_on,"
    " backfill, updated_on) SELECT id, '872', child, clock, anchor, start, due, state, met,"
    " late, cancelled, reason, team, due, false, due FROM (VALUES"
    " (25, 'C1', 'assessment', 'AS1', '2025-01-03'::date, '2025-03-07'::date, 'met_late',"
    "  '2025-03-08'::date, 0, NULL::date, NULL, 'TA'),"
    " (26, 'C2', 'assessment', 'AS2', '2025-01-03', '2025-03-07', 'met_late', '2025-03-10', 1,"
    "  NULL, NULL, 'TA'),"
    " (27, 'C3', 'assessment', 'AS3', '2025-01-06', '2025-03-10', 'met_late', '2025-03-11', 1,"
    "  NULL, NULL, 'TB'),"
    " (28, 'C1', 'icpc', 'S6', '2025-01-03', '2025-01-24', 'met_late', '2025-01-25', 0, NULL,"
    "  NULL, 'TA'),"
    " (29, 'C2', 'icpc', 'S7', '2025-01-03', '2025-01-24', 'met_late', '2025-01-27', 1, NULL,"
    "  NULL, 'TA'),"
    " (30, 'C3', 'icpc', 'S5', '2025-01-06', '2025-01-27', 'cancelled', NULL, NULL,"
    "  '2025-01-10', 's47_no_icpc', 'TB')"
    " ) AS d (id, child, clock, anchor, start, due, state, met, late, cancelled, reason, team);"
    "INSERT INTO ingest.s47 (la_code, child_id, s47_id, started_on, completed_on, icpc_required)"
    " VALUES ('872', 'C3', 'S5', '2025-01-06', '2025-01-10', false),"
    " ('872', 'C1', 'S6', '2025-01-03', NULL, NULL), ('872', 'C2', 'S7', '2025-01-03', NULL, NULL);"
    "INSERT INTO ingest.meeting (la_code, child_id, meeting_id, kind, held_on, s47_id) VALUES"
    " ('872', 'C3', 'M6', 'icpc', '2025-01-20', 'S5'),"
    " ('872', 'C1', 'M7', 'icpc', '2025-01-25', 'S6'),"
    " ('872', 'C2', 'M8', 'icpc', '2025-01-27', 'S7');"

    "INSERT INTO ingest.s47 (la_code, child_id, s47_id, started_on) VALUES"
    " ('872', 'C1', 'S1', '2024-04-22'), ('872', 'C2', 'S2', '2024-04-22'),"
    " ('872', 'C3', 'S3', NULL);"
    "INSERT INTO ingest.meeting (la_code, child_id, meeting_id, kind, held_on, s47_id) VALUES"
    " ('872', 'C1', 'M1', 'icpc', '2024-05-14', 'S1'),"
    " ('872', 'C2', 'M2', 'icpc', '2024-05-15', 'S2'),"
    " ('872', 'C3', 'M3', 'icpc', '2024-05-01', NULL),"
    " ('872', 'C3', 'M4', 'icpc', '2024-05-01', 'S3'),"
    " ('872', 'C1', 'M5', 'rcpc', '2024-05-20', NULL);"

    //  CP plans started in the period: P2 (P1 ended exactly 2 years before), P4 (P3 ended 2
    //  years and a day before), P5 (first plan). Ended in the period: P6 (exactly 2 years
    //  long), P7 (a day short), P9. Open at the end: P2, P4, P5: 3 children.
    "INSERT INTO ingest.cp_plan (la_code, child_id, plan_id, started_on, ended_on) VALUES"
    " ('872', 'C1', 'P1', '2020-01-10', '2022-04-15'), ('872', 'C1', 'P2', '2024-04-15', NULL),"
    " ('872', 'C2', 'P3', '2019-01-01', '2022-05-01'), ('872', 'C2', 'P4', '2024-05-02', NULL),"
    " ('872', 'C3', 'P5', '2024-06-01', NULL),"
    " ('872', 'C4', 'P6', '2022-05-01', '2024-05-01'),"
    " ('872', 'C4', 'P7', '2022-05-02', '2024-05-01'),"
    " ('872', 'C6', 'P9', '2023-01-01', '2024-06-30');"

    //  Periods of care. Looked after at the end: C1, C2, C3, C7, C13 (C4's ended on the last
    //  day). 30 months before the end is 2021-12-30: C2 exactly, C1 a day short.
    "INSERT INTO ingest.care_period (la_code, child_id, period_id, started_on, ended_on) VALUES"
    " ('872', 'C1', 'PC1', '2021-12-31', NULL), ('872', 'C2', 'PC2', '2021-12-30', NULL),"
    " ('872', 'C3', 'PC3', '2024-01-10', NULL), ('872', 'C4', 'PC4', '2020-01-01', '2024-06-30'),"
    " ('872', 'C7', 'PC8', '2020-01-01', NULL), ('872', 'C13', 'PC12', '2019-01-01', NULL),"
    " ('872', 'C8', 'PC9', '2021-01-01', '2023-03-01'),"
    " ('872', 'C8', 'PC10', '2019-01-01', '2019-06-01'),"
    " ('872', 'C9', 'PC11', '2021-09-01', '2024-01-01');"

    //  Placements. In the 12 months to the end (not ended on or before 2023-06-30): C1 has 3
    //  (PL1 ended the day after), C7 has 2 (PL7 ended on 2023-06-30). Far away: C1's PL3 only
    //  (C2's is exactly 20 miles). Stable 2 years: C2's PL4 (exactly), not C7's PL6.
    "INSERT INTO ingest.placement (la_code, child_id, placement_id, started_on, ended_on, in_area,"
    " distance_miles) VALUES"
    " ('872', 'C1', 'PL1', '2023-06-01', '2023-07-01', true, 5),"
    " ('872', 'C1', 'PL2', '2023-07-01', '2024-01-01', true, 5),"
    " ('872', 'C1', 'PL3', '2024-01-01', NULL, false, 25),"
    " ('872', 'C2', 'PL0', '2021-12-30', '2022-06-30', true, 1),"
    " ('872', 'C2', 'PL4', '2022-06-30', NULL, false, 20),"
    " ('872', 'C3', 'PL5', '2024-01-10', NULL, true, 50),"
    " ('872', 'C7', 'PL6', '2022-07-01', NULL, NULL, NULL),"
    " ('872', 'C7', 'PL7', '2021-01-01', '2023-06-30', true, 1),"
    " ('872', 'C7', 'PL8', '2023-05-01', '2023-07-01', true, 1),"
    " ('872', 'C13', 'PL9', '2020-01-01', NULL, true, 3);"

    //  Adopted in the period: C8, C9, C11 (C14 the day before it began).
    //  C8: care from 2021-01-01 (the later period), placed 2022-06-01: 516 days; order to match
    //  122 days; under 21 months; placed exactly 12 months after the ADM decision.
    //  C9: care from 2021-09-01, placed 2023-06-01: 638 days, exactly 21 months (not under);
    //  order to match 167 days; placed 12 months and a day after the ADM decision.
    //  C11: order to match 60 days; no placement date or ADM decision.
    "INSERT INTO ingest.adoption (la_code, child_id, adm_on, placement_order_on, matched_on,"
    " placed_on, adopted_on) VALUES"
    " ('872', 'C8', '2021-06-01', '2021-09-01', '2022-01-01', '2022-06-01', '2024-05-01'),"
    " ('872', 'C9', '2022-05-31', '2022-08-01', '2023-01-15', '2023-06-01', '2024-06-30'),"
    " ('872', 'C11', NULL, '2023-01-01', '2023-03-02', NULL, '2024-04-02'),"
    " ('872', 'C14', '2022-01-01', '2022-02-01', '2022-03-01', '2022-04-01', '2024-03-31');"

    //  Care leavers aged 19-21 at the end with a contact in the period: C3 (latest: suitable,
    //  F2), C4 (not in touch), C12 (19 on the last day: suitable, G6). Not C5 (22 on the last
    //  day) nor C6 (contact before the period).
    "INSERT INTO ingest.care_leaver (la_code, child_id, event_id, contact_on, in_touch,"
    " accommodation_suitable, activity) VALUES"
    " ('872', 'C3', 'CL1', '2024-04-10', true, false, 'G5'),"
    " ('872', 'C3', 'CL2', '2024-06-10', true, true, 'F2'),"
    " ('872', 'C4', 'CL3', '2024-05-01', false, NULL, '0'),"
    " ('872', 'C5', 'CL4', '2024-05-01', true, true, 'F1'),"
    " ('872', 'C6', 'CL5', '2024-03-31', true, true, 'F1'),"
    " ('872', 'C12', 'CL6', '2024-05-01', true, true, 'G6');"

    //  Missing episodes started in the period: MI1 (30 hours), MI2 (hours unknown, next day),
    //  MI3 (still missing, started the day before the end), MI4 (hours unknown, 2 days),
    //  MI6 (exactly 24 hours). Over 24 hours: MI1, MI4.
    "INSERT INTO ingest.missing (la_code, child_id, episode_id, started_on, ended_on,"
    " hours_missing) VALUES"
    " ('872', 'C1', 'MI1', '2024-04-05', '2024-04-06', 30),"
    " ('872', 'C1', 'MI2', '2024-05-01', '2024-05-02', NULL),"
    " ('872', 'C2', 'MI3', '2024-06-29', NULL, NULL),"
    " ('872', 'C3', 'MI4', '2024-06-01', '2024-06-03', NULL),"
    " ('872', 'C3', 'MI5', '2024-03-30', '2024-04-02', NULL),"
    " ('872', 'C2', 'MI6', '2024-04-20', '2024-04-21', 24);"

    //  Allocations open at the end, case open then: W1 has C1, C2 (TA) and C7 (TB): 3, team TA;
    //  W2 has C9 (C8 closed on the last day; C3's spell ended on it); W3 has C3. W4's spell
    //  starts after the end.
    "INSERT INTO ingest.allocation (la_code, child_id, event_id, worker_id, team_id,"
    " allocated_on, ended_on) VALUES"
    " ('872', 'C1', 'AL1', 'W1', 'TA', '2024-01-01', NULL),"
    " ('872', 'C2', 'AL2', 'W1', 'TA', '2024-01-01', NULL),"
    " ('872', 'C7', 'AL3', 'W1', 'TB', '2024-02-01', NULL),"
    " ('872', 'C3', 'AL4', 'W2', 'TB', '2024-01-01', '2024-06-30'),"
    " ('872', 'C3', 'AL5', 'W3', 'TB', '2024-06-30', NULL),"
    " ('872', 'C8', 'AL6', 'W2', 'TB', '2023-01-01', NULL),"
    " ('872', 'C9', 'AL7', 'W2', 'TB', '2023-01-01', NULL),"
    " ('872', 'C4', 'AL8', 'W4', 'TA', '2024-07-01', NULL);"

    //  Audits in the period: good (TA), inadequate (C2: TA), outstanding and requires
    //  improvement (TB).
    "INSERT INTO ingest.audit (la_code, child_id, event_id, audited_on, grade, team_id) VALUES"
    " ('872', 'C1', 'AU1', '2024-04-15', 'good', 'TA'),"
    " ('872', 'C2', 'AU2', '2024-05-15', 'inadequate', NULL),"
    " ('872', 'C3', 'AU3', '2024-06-15', 'outstanding', 'TB'),"
    " ('872', 'C3', 'AU4', '2024-06-16', 'requires_improvement', 'TB'),"
    " ('872', 'C1', 'AU5', '2024-03-15', 'good', 'TA');";

//  One expected row: team NULL for the LA.
typedef struct {
    const char *team;
    double numerator;
    double denominator;
} s_row_t;

static bool s_near (double a, double b)
{
    return fabs (a - b) < 1e-9;
}

static int s_checked_measures = 0;

//  The measure's rows over [from, to] are exactly the expected ones, in order (LA first).
static void s_expect (jy_db_t *db, const jy_measure_context_t *context, const char *name,
                      const char *from, const char *to, const char *today, const s_row_t *rows,
                      size_t count, int line)
{
    const jy_measure_t *measure = jy_measures_find (name);
    jy_test_checks++;
    if (!measure) {
        jy_test_failures++;
        fprintf (stderr, "line %d: no measure %s\n", line, name);
        return;
    }
    s_checked_measures++;
    jy_measure_value_t *values = NULL;
    size_t n = 0;
    jy_test_checks++;
    if (jy_measures_compute (db, measure, context, "872", D (from), D (to), D (today), &values,
                             &n) != 0) {
        jy_test_failures++;
        fprintf (stderr, "line %d: %s: compute failed: %s\n", line, name, jy_db_error (db));
        return;
    }
    jy_test_checks++;
    if (n != count) {
        jy_test_failures++;
        fprintf (stderr, "line %d: %s: %zu rows, expected %zu\n", line, name, n, count);
        for (size_t i = 0; i < n; i++)
            fprintf (stderr, "    %s %g / %g\n", values[i].team_id ? values[i].team_id : "(LA)",
                     values[i].numerator, values[i].denominator);
    }
    for (size_t i = 0; i < n && i < count; i++) {
        const jy_measure_value_t *v = &values[i];
        bool team_ok = rows[i].team ? v->team_id && strcmp (v->team_id, rows[i].team) == 0
                                    : v->team_id == NULL;
        jy_test_checks++;
        if (!team_ok || !s_near (v->numerator, rows[i].numerator) ||
            !s_near (v->denominator, rows[i].denominator)) {
            jy_test_failures++;
            fprintf (stderr, "line %d: %s row %zu: %s %g / %g, expected %s %g / %g\n", line, name,
                     i, v->team_id ? v->team_id : "(LA)", v->numerator, v->denominator,
                     rows[i].team ? rows[i].team : "(LA)", rows[i].numerator, rows[i].denominator);
        }
    }
    jy_measure_values_free (&values, n);
    CHECK (values == NULL);
}

#define EXPECT(NAME, ...)                                                                          \
    do {                                                                                           \
        const s_row_t rows_[] = {__VA_ARGS__};                                                     \
        s_expect (db, context, NAME, FROM, TO, TODAY, rows_, sizeof rows_ / sizeof rows_[0],       \
                  __LINE__);                                                                       \
    } while (0)

//  The LA value of a measure over the period.
static jy_measure_value_t s_la_value (jy_db_t *db, const jy_measure_context_t *context,
                                      const char *name)
{
    jy_measure_value_t result = {0};
    jy_measure_value_t *values = NULL;
    size_t n = 0;
    CHECK_INT (jy_measures_compute (db, jy_measures_find (name), context, "872", D (FROM), D (TO),
                                    D (TODAY), &values, &n),
               0);
    CHECK (n >= 1 && values[0].team_id == NULL);
    if (n >= 1)
        result = values[0];
    result.team_id = NULL;
    jy_measure_values_free (&values, n);
    return result;
}

static void s_test_measures (jy_db_t *db, jy_calendar_t *calendar)
{
    jy_measure_context_t context_ = {calendar, 8000, 2};
    const jy_measure_context_t *context = &context_;

    //  Rates per 10,000 (LA only): numerator from SQL, denominator the population.
    EXPECT ("referral_rate", {NULL, 4, 8000});
    EXPECT ("cin_rate", {NULL, 3, 8000});
    EXPECT ("cp_rate", {NULL, 3, 8000});
    EXPECT ("cla_rate", {NULL, 5, 8000});
    jy_measure_value_t v = s_la_value (db, context, "referral_rate");
    CHECK (v.has_value && s_near (v.value, 5.0));
    v = s_la_value (db, context, "cla_rate");
    CHECK (v.has_value && s_near (v.value, 6.25));
    jy_measure_context_t no_population = {calendar, 0, 2};
    v = s_la_value (db, &no_population, "cp_rate");
    CHECK (!v.has_value);
    CHECK (s_near (v.numerator, 3) && s_near (v.denominator, 0));

    EXPECT ("re_referrals", {NULL, 2, 4}, {"TA", 1, 2}, {"TB", 1, 2});
    v = s_la_value (db, context, "re_referrals");
    CHECK (v.has_value && s_near (v.value, 50.0));

    //  From timeliness.deadline.
    EXPECT ("assessments_in_time", {NULL, 2, 3}, {"TA", 1, 2}, {"TB", 1, 1});
    EXPECT ("icpc_in_time", {NULL, 1, 2}, {"TA", 1, 2});
    EXPECT ("cp_reviews_in_time", {NULL, 1, 5}, {"TA", 1, 3}, {"TB", 0, 2});
    s_expect (db, context, "cp_reviews_in_time", FROM, TO, "2024-06-15",
              (const s_row_t[]){{NULL, 1, 3}, {"TA", 1, 2}, {"TB", 0, 1}}, 3, __LINE__);
    s_checked_measures--; //  the same measure again, on another day: counted once
    EXPECT ("cp_visits_in_time", {NULL, 1, 2}, {"TA", 0, 1}, {"TB", 1, 1});
    EXPECT ("cin_reviews_in_time", {NULL, 1, 1}, {"TA", 1, 1});
    EXPECT ("cla_reviews_in_time", {NULL, 2, 3}, {"TB", 2, 3});
    EXPECT ("iha_in_time", {NULL, 0, 1}, {"TB", 0, 1});
    EXPECT ("rhi_in_time", {NULL, 1, 2}, {"TA", 1, 2});
    v = s_la_value (db, context, "assessments_in_time");
    CHECK (v.has_value && s_near (v.value, 200.0 / 3));

    //  Working days elapsed, in the first quarter of 2025 (the dataset's comment works it).
    s_expect (db, context, "assessments_in_time", "2025-01-01", "2025-03-31", "2025-04-01",
              (const s_row_t[]){{NULL, 1, 3}, {"TA", 1, 2}, {"TB", 0, 1}}, 3, __LINE__);
    s_expect (db, context, "icpc_in_time", "2025-01-01", "2025-03-31", "2025-04-01",
              (const s_row_t[]){{NULL, 1, 2}, {"TA", 1, 2}}, 2, __LINE__);
    s_expect (db, context, "icpc_in_time_s47", "2025-01-01", "2025-03-31", "2025-04-01",
              (const s_row_t[]){{NULL, 2, 3}, {"TA", 1, 2}, {"TB", 1, 1}}, 3, __LINE__);

    //  15 working days across a bank holiday (counting 6 May as a working day would make M1
    //  late); a closure day on 1 May takes a working day out of both, and M2 is in time too.
    EXPECT ("icpc_in_time_s47", {NULL, 1, 2}, {"TA", 1, 2});
    jy_calendar_t *closed = jy_calendar_new ();
    CHECK_INT (jy_calendar_add_day (closed, D ("2024-05-01"), JY_DAY_CLOSURE, "office move"), 0);
    jy_measure_context_t with_closure = {closed, 8000, 2};
    s_expect (db, &with_closure, "icpc_in_time_s47", FROM, TO, TODAY,
              (const s_row_t[]){{NULL, 2, 2}, {"TA", 2, 2}}, 2, __LINE__);
    jy_calendar_destroy (&closed);

    EXPECT ("repeat_cp_plans_2y", {NULL, 1, 3}, {"TA", 1, 2}, {"TB", 0, 1});
    EXPECT ("repeat_cp_plans_ever", {NULL, 2, 3}, {"TA", 2, 2}, {"TB", 0, 1});
    EXPECT ("long_cp_plans", {NULL, 1, 3}, {"TB", 0, 1});

    EXPECT ("placement_moves", {NULL, 1, 5}, {"TA", 1, 4}, {"TB", 0, 1});
    EXPECT ("placed_far_away", {NULL, 1, 5}, {"TA", 1, 4}, {"TB", 0, 1});
    EXPECT ("long_term_stability", {NULL, 1, 2}, {"TA", 1, 2});

    EXPECT ("adoption_a1", {NULL, 516 + 638, 2}, {"TB", 516 + 638, 2});
    EXPECT ("adoption_a2", {NULL, 122 + 167 + 60, 3}, {"TB", 122 + 167, 2});
    EXPECT ("adoption_within_21_months", {NULL, 1, 2}, {"TB", 1, 2});
    EXPECT ("adoption_within_12_months_of_adm", {NULL, 1, 2}, {"TB", 1, 2});
    v = s_la_value (db, context, "adoption_a1");
    CHECK (v.has_value && s_near (v.value, 577.0));
    v = s_la_value (db, context, "adoption_a2");
    CHECK (v.has_value && s_near (v.value, 349.0 / 3));

    EXPECT ("care_leavers_accommodation", {NULL, 2, 3}, {"TB", 2, 2});
    EXPECT ("care_leavers_eet", {NULL, 1, 3}, {"TB", 1, 2});

    //  Counts have no denominator.
    EXPECT ("missing_episodes", {NULL, 5, 0}, {"TA", 4, 0}, {"TB", 1, 0});
    v = s_la_value (db, context, "missing_episodes");
    CHECK (v.has_value && s_near (v.value, 5));
    EXPECT ("missing_over_24_hours", {NULL, 2, 5}, {"TA", 1, 4}, {"TB", 1, 1});

    EXPECT ("caseload_average", {NULL, 5, 3}, {"TA", 3, 1}, {"TB", 2, 2});
    EXPECT ("workers_over_caseload", {NULL, 1, 3}, {"TA", 1, 1}, {"TB", 0, 2});
    //  Exactly at the threshold is not over it.
    jy_measure_context_t threshold_3 = {calendar, 8000, 3};
    s_expect (db, &threshold_3, "workers_over_caseload", FROM, TO, TODAY,
              (const s_row_t[]){{NULL, 0, 3}, {"TA", 0, 1}, {"TB", 0, 2}}, 3, __LINE__);

    EXPECT ("audits_good_or_better", {NULL, 2, 4}, {"TA", 1, 2}, {"TB", 1, 2});
    EXPECT ("audits_inadequate", {NULL, 1, 4}, {"TA", 1, 2}, {"TB", 0, 2});

    //  Every measure was checked above (the closure and threshold runs and the three in 2025
    //  repeat five).
    size_t count;
    jy_measures_table (&count);
    CHECK_INT (s_checked_measures, count + 5);

    //  A period with nothing in it: the LA row alone, with no value.
    s_checked_measures = 0;
    s_expect (db, context, "assessments_in_time", "2020-01-01", "2020-03-31", "2020-04-01",
              (const s_row_t[]){{NULL, 0, 0}}, 1, __LINE__);
    jy_measure_value_t *values = NULL;
    size_t n = 0;
    CHECK_INT (jy_measures_compute (db, jy_measures_find ("assessments_in_time"), context, "872",
                                    D ("2020-01-01"), D ("2020-03-31"), D ("2020-04-01"), &values,
                                    &n),
               0);
    CHECK_INT (n, 1);
    CHECK (n == 1 && !values[0].has_value);
    jy_measure_values_free (&values, n);
}

static void s_test_rating (void)
{
    jy_measure_target_t higher = {JY_POLARITY_HIGHER_BETTER, true, 85, 5};
    CHECK_INT (jy_measures_rate (&higher, 100), JY_RATING_GREEN);
    CHECK_INT (jy_measures_rate (&higher, 85), JY_RATING_GREEN);
    CHECK_INT (jy_measures_rate (&higher, 100.0 * 17 / 20), JY_RATING_GREEN);
    CHECK_INT (jy_measures_rate (&higher, 84.99), JY_RATING_AMBER);
    CHECK_INT (jy_measures_rate (&higher, 80), JY_RATING_AMBER);
    CHECK_INT (jy_measures_rate (&higher, 79.99), JY_RATING_RED);
    CHECK_INT (jy_measures_rate (&higher, 0), JY_RATING_RED);

    jy_measure_target_t lower = {JY_POLARITY_LOWER_BETTER, true, 10, 5};
    CHECK_INT (jy_measures_rate (&lower, 0), JY_RATING_GREEN);
    CHECK_INT (jy_measures_rate (&lower, 10), JY_RATING_GREEN);
    CHECK_INT (jy_measures_rate (&lower, 10.01), JY_RATING_AMBER);
    CHECK_INT (jy_measures_rate (&lower, 15), JY_RATING_AMBER);
    CHECK_INT (jy_measures_rate (&lower, 15.01), JY_RATING_RED);

    //  No tolerance: nothing is amber.
    jy_measure_target_t strict = {JY_POLARITY_HIGHER_BETTER, true, 95, 0};
    CHECK_INT (jy_measures_rate (&strict, 95), JY_RATING_GREEN);
    CHECK_INT (jy_measures_rate (&strict, 94.99), JY_RATING_RED);

    jy_measure_target_t untargeted = {JY_POLARITY_HIGHER_BETTER, false, 0, 0};
    CHECK_INT (jy_measures_rate (&untargeted, 50), JY_RATING_NONE);
    jy_measure_target_t activity = {JY_POLARITY_NONE, true, 10, 5};
    CHECK_INT (jy_measures_rate (&activity, 50), JY_RATING_NONE);
    CHECK_INT (jy_measures_rate (&higher, NAN), JY_RATING_NONE);

    CHECK_STR (jy_rating_name (JY_RATING_AMBER), "amber");
    CHECK (jy_rating_name (JY_RATING_NONE) == NULL);
    CHECK_INT (jy_rating_parse ("green"), JY_RATING_GREEN);
    CHECK_INT (jy_rating_parse ("Green"), JY_RATING_NONE);
    CHECK_INT (jy_rating_parse (NULL), JY_RATING_NONE);
}

//  --- Targets from configuration -------------------------------------------------------------

static char s_path[64];

static jy_config_t *s_config (const char *text)
{
    strcpy (s_path, "/tmp/test_measures_XXXXXX");
    int fd = mkstemp (s_path);
    assert (fd >= 0);
    size_t length = strlen (text);
    ssize_t written = write (fd, text, length);
    assert (written == (ssize_t) length);
    close (fd);
    char err[256];
    jy_config_t *config = jy_config_load (s_path, NULL, err, sizeof err);
    unlink (s_path);
    if (!config)
        fprintf (stderr, "test config did not load: %s\n", err);
    assert (config);
    return config;
}

//  Loading the targets from text fails with an error naming key and the file.
static void s_expect_bad (const char *text, const char *key, const char *problem)
{
    jy_config_t *config = s_config (text);
    jy_measure_targets_t *targets = jy_measure_targets_new (config);
    CHECK (targets == NULL);
    const char *error = jy_config_error (config);
    if (!strstr (error, key) || !strstr (error, problem) || !strstr (error, "/tmp/test_measures_"))
        fprintf (stderr, "error \"%s\" should name %s and say %s\n", error, key, problem);
    CHECK (strstr (error, key) != NULL);
    CHECK (strstr (error, problem) != NULL);
    CHECK (strstr (error, "/tmp/test_measures_") != NULL);
    jy_measure_targets_destroy (&targets);
    jy_config_destroy (&config);
}

static void s_test_targets (void)
{
    //  The shipped defaults load, with the targets docs/measures.md gives.
    char err[256];
    jy_config_t *config =
        jy_config_load (NULL, jy_config_default_defaults_path (), err, sizeof err);
    CHECK (config != NULL);
    if (!config)
        return;
    jy_measure_targets_t *targets = jy_measure_targets_new (config);
    CHECK (targets != NULL);
    if (targets) {
        const jy_measure_target_t *t =
            jy_measure_targets_get (targets, jy_measures_find ("assessments_in_time"));
        CHECK (t->has_target && s_near (t->target, 85) && s_near (t->tolerance, 5));
        CHECK_INT (t->polarity, JY_POLARITY_HIGHER_BETTER);
        t = jy_measure_targets_get (targets, jy_measures_find ("re_referrals"));
        CHECK (t->has_target && t->polarity == JY_POLARITY_LOWER_BETTER);
        t = jy_measure_targets_get (targets, jy_measures_find ("referral_rate"));
        CHECK (!t->has_target && t->polarity == JY_POLARITY_NONE);
    }
    jy_measure_context_t context;
    CHECK_INT (jy_measure_context_load (config, &context), 0);
    CHECK_INT (context.child_population, 0);
    CHECK_INT (context.caseload_threshold, 20);
    jy_measure_targets_destroy (&targets);
    jy_config_destroy (&config);

    //  A deployment's own targets; "none" removes one; polarity can be turned round.
    config = s_config ("la\n"
                       "    child_population = 42000\n"
                       "measures\n"
                       "    icpc_in_time\n"
                       "        target = 82.5\n"
                       "        tolerance = 2.5\n"
                       "    assessments_in_time\n"
                       "        target = none\n"
                       "    missing_episodes\n"
                       "        polarity = lower_better\n"
                       "        target = 30\n");
    targets = jy_measure_targets_new (config);
    CHECK (targets != NULL);
    if (targets) {
        const jy_measure_target_t *t =
            jy_measure_targets_get (targets, jy_measures_find ("icpc_in_time"));
        CHECK (t->has_target && s_near (t->target, 82.5) && s_near (t->tolerance, 2.5));
        CHECK_INT (jy_measures_rate (t, 80), JY_RATING_AMBER);
        CHECK_INT (jy_measures_rate (t, 79.9), JY_RATING_RED);
        t = jy_measure_targets_get (targets, jy_measures_find ("assessments_in_time"));
        CHECK (!t->has_target);
        t = jy_measure_targets_get (targets, jy_measures_find ("missing_episodes"));
        CHECK (t->has_target && t->polarity == JY_POLARITY_LOWER_BETTER);
        CHECK_INT (jy_measures_rate (t, 31), JY_RATING_RED);
    }
    CHECK_INT (jy_measure_context_load (config, &context), 0);
    CHECK_INT (context.child_population, 42000);
    jy_measure_targets_destroy (&targets);
    jy_config_destroy (&config);

    s_expect_bad ("measures\n    assessments_in_time\n        target = eighty\n",
                  "measures/assessments_in_time/target", "not a number");
    s_expect_bad ("measures\n    assessments_in_time\n        target = 150\n",
                  "measures/assessments_in_time/target", "0..100");
    s_expect_bad ("measures\n    icpc_in_time\n        tolerance = -1\n",
                  "measures/icpc_in_time/tolerance", "not a number");
    s_expect_bad ("measures\n    icpc_in_time\n        polarity = up\n",
                  "measures/icpc_in_time/polarity", "higher_better");
    s_expect_bad ("measures\n    asessments_in_time\n        target = 85\n",
                  "measures/asessments_in_time", "is not a measure");
    s_expect_bad ("measures\n    icpc_in_time\n        targt = 85\n", "measures/icpc_in_time/targt",
                  "is not a measure setting");
    s_expect_bad ("measures\n    referral_rate\n        target = 5\n",
                  "measures/referral_rate/target", "polarity none");

    config = s_config ("la\n    child_population = many\n");
    CHECK_INT (jy_measure_context_load (config, &context), -1);
    CHECK (strstr (jy_config_error (config), "la/child_population") != NULL);
    jy_config_destroy (&config);
}

//  --- The table and its documentation -----------------------------------------------------------

static void s_test_table (void)
{
    size_t count;
    const jy_measure_t *table = jy_measures_table (&count);
    CHECK (count >= 30);
    for (size_t i = 0; i < count; i++) {
        const jy_measure_t *m = &table[i];
        CHECK (jy_measures_find (m->name) == m);
        for (const char *p = m->name; *p; p++)
            CHECK ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
        CHECK (m->label && m->area && m->numerator && m->period && m->sql);
        //  Counts have no denominator; everything else says what it divides by.
        CHECK ((m->unit == JY_UNIT_COUNT) == (m->denominator == NULL));
        //  Only rates are LA-only, and they say so instead of naming a team rule.
        CHECK ((m->unit == JY_UNIT_RATE_PER_10K) == !m->per_team);
        CHECK (m->per_team == (m->team != NULL));
        CHECK ((m->arg == JY_MEASURE_ARG_NONE) == (strstr (m->sql, "$5") == NULL));
        CHECK (!m->has_national_value || m->national);
    }
    CHECK (jy_measures_find ("no_such_measure") == NULL);
    CHECK (jy_measures_find (NULL) == NULL);
    CHECK_STR (jy_measure_unit_name (JY_UNIT_RATE_PER_10K), "rate_per_10k");
    CHECK_STR (jy_polarity_name (JY_POLARITY_LOWER_BETTER), "lower_better");

    //  docs/measures.md's section "The measures" has one table row "| `name` ..." per measure,
    //  and no others.
    const char *source = getenv ("JOURNEY_SOURCE_DIR");
    if (!source || !*source)
        return;
    char path[1024];
    snprintf (path, sizeof path, "%s/docs/measures.md", source);
    FILE *file = fopen (path, "r");
    CHECK (file != NULL);
    if (!file)
        return;
    char line[4096];
    size_t rows = 0;
    bool *seen = calloc (count, sizeof *seen);
    assert (seen);
    bool in_section = false;
    while (fgets (line, sizeof line, file)) {
        if (strncmp (line, "## ", 3) == 0)
            in_section = strncmp (line, "## The measures", 15) == 0;
        if (!in_section || strncmp (line, "| `", 3) != 0)
            continue;
        char *end = strchr (line + 3, '`');
        if (!end)
            continue;
        *end = '\0';
        const jy_measure_t *m = jy_measures_find (line + 3);
        if (!m)
            fprintf (stderr, "docs/measures.md names %s, which is not a measure\n", line + 3);
        CHECK (m != NULL);
        if (m) {
            seen[m - table] = true;
            //  The row states the table's own definition: denominator, then numerator.
            char definition[2048];
            snprintf (definition, sizeof definition, " | %s | %s | ",
                      m->denominator ? m->denominator : "(none: a count)", m->numerator);
            if (!strstr (end + 1, definition))
                fprintf (stderr, "docs/measures.md: %s does not say%s\n", m->name, definition);
            CHECK (strstr (end + 1, definition) != NULL);
        }
        rows++;
    }
    fclose (file);
    for (size_t i = 0; i < count; i++) {
        if (!seen[i])
            fprintf (stderr, "docs/measures.md does not describe %s\n", table[i].name);
        CHECK (seen[i]);
    }
    CHECK_INT (rows, count);
    free (seen);
}

int main (void)
{
    jy_log_init ("test_measures", JY_LOG_ERROR);
    s_test_rating ();
    s_test_targets ();
    s_test_table ();

    const char *url = jy_test_db_url ();
    const char *deploy = getenv ("JOURNEY_DEPLOY_DIR");
    if (!deploy || !*deploy) {
        fprintf (stderr, "JOURNEY_DEPLOY_DIR not set: run under ctest\n");
        return 77;
    }
    jy_db_t *admin = jy_db_new (url);
    CHECK_INT (jy_db_connect (admin, 10000), 0);
    char dbname[64], sql[256], test_url[1024], dir[1024];
    snprintf (dbname, sizeof dbname, "journey_measures_%d", (int) getpid ());
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s", dbname);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);
    snprintf (test_url, sizeof test_url, "%s dbname=%s", url, dbname);
    snprintf (dir, sizeof dir, "%s/migrations", deploy);

    jy_db_t *db = jy_db_new (test_url);
    CHECK_INT (jy_db_connect (db, 5000), 0);
    int applied = 0;
    CHECK_INT (jy_db_migrate (db, dir, &applied), 0);
    PGresult *result = PQexec (jy_db_conn (db), s_dataset);
    CHECK_INT (PQresultStatus (result), PGRES_COMMAND_OK);
    if (PQresultStatus (result) != PGRES_COMMAND_OK)
        fprintf (stderr, "dataset: %s\n", PQresultErrorMessage (result));
    PQclear (result);

    jy_calendar_t *calendar = jy_calendar_new ();
    s_test_measures (db, calendar);
    jy_calendar_destroy (&calendar);

    jy_db_destroy (&db);
    snprintf (sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", dbname);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);
    jy_db_destroy (&admin);
    return jy_test_summary ("test_measures");
}
