/*  pack_sql: the SQL of the pack's section tables (pack_sql.h). */
#include "pack_sql.h"

//  Every statement starts with this CTE, so that it reads its parameters by name and
//  PostgreSQL knows every parameter's type even where a statement does not use one.
#define S_PARAMS                                                                                   \
    "WITH p AS (SELECT $1::text AS la, $2::date AS from_on, $3::date AS to_on,"                    \
    " $4::date AS prev_from, $5::date AS prev_to, $6::date AS first_month, $7::text AS tz)"

//  The trend months, each with its last day (the period's end for the last month).
#define S_MONTHS                                                                                   \
    ", m AS (SELECT s::date AS month,"                                                             \
    " least ((s + interval '1 month' - interval '1 day')::date, p.to_on) AS month_end"             \
    " FROM p, generate_series (p.first_month, p.to_on, interval '1 month') s)"

//  A deadline that was running and past its due date at the end of day D: started by then,
//  due before D, not met by D, not cancelled by D. The same rule as state 'missed', read as at
//  D, so that a pack for a past period shows what was overdue then.
#define S_OVERDUE_AT(d)                                                                            \
    "d.started_on <= " d " AND d.due_on < " d " AND (d.met_on IS NULL OR d.met_on > " d ")"        \
    " AND (d.cancelled_on IS NULL OR d.cancelled_on > " d ")"

static const rp_table_def_t s_tables[] = {
    {
        .id = "overdue_by_clock_team",
        .section = "timeliness",
        .title = "Open overdue deadlines at the end of the period, by clock and team",
        .definition =
            "Deadlines (one per statutory or local clock a child's case started, DOMAIN.md's "
            "clocks) that at the end of the period's last day had started, were past their due "
            "date and had been neither met nor cancelled: the deadline state 'missed' as it "
            "stood that day. Counted by clock (rows) and by the team recorded on the deadline "
            "(columns); 'no team' when none was recorded.",
        .shape = RP_SHAPE_PIVOT,
        .headers = {"Clock"},
        .sql = S_PARAMS " SELECT d.clock, coalesce (d.team_id, 'no team'),"
                        " CASE WHEN d.team_id IS NULL THEN 1 ELSE 0 END, count(*)"
                        " FROM timeliness.deadline d, p"
                        " WHERE d.la_code = p.la AND " S_OVERDUE_AT ("p.to_on") " GROUP BY 1, 2, 3",
    },
    {
        .id = "timeliness_trend",
        .section = "timeliness",
        .title = "Deadlines month by month",
        .definition =
            "For each month of the trend: deadlines overdue at the month's end (as in the "
            "table above, read at that day; the last month ends with the period), deadlines "
            "that fell due in the month, and of those, the ones met on or before their due "
            "date.",
        .shape = RP_SHAPE_MONTHLY,
        .headers = {"Month", "Overdue at month end", "Fell due in month", "Met by the due date"},
        //  One pass over the deadlines that matter to the trend window, each looked at
        //  against every month (a cross join of a few dozen months, not a query per month).
        .sql = S_PARAMS S_MONTHS
        ", d AS (SELECT d.* FROM timeliness.deadline d, p WHERE d.la_code = p.la"
        "   AND d.started_on <= p.to_on AND d.due_on <= p.to_on"
        "   AND (d.due_on >= p.first_month"
        "     OR (d.met_on IS NULL OR d.met_on > p.first_month)"
        "     AND (d.cancelled_on IS NULL OR d.cancelled_on > p.first_month)))"
        " SELECT m.month,"
        " count(d.id) FILTER (WHERE " S_OVERDUE_AT (
            "m.month_end") "),"
                           " count(d.id) FILTER (WHERE d.due_on BETWEEN m.month AND m.month_end"
                           "   AND (d.cancelled_on IS NULL OR d.cancelled_on > d.due_on)),"
                           " count(d.id) FILTER (WHERE d.due_on BETWEEN m.month AND m.month_end"
                           "   AND d.met_on <= d.due_on)"
                           " FROM m LEFT JOIN d ON true GROUP BY m.month ORDER BY m.month",
    },
    {
        .id = "alerts_by_kind",
        .section = "timeliness",
        .title = "Alerts raised, by kind",
        .definition =
            "Alerts journey-timelinessd raised to practitioners and managers (due soon, "
            "drifted, due today, overdue, overdue by more than the configured days, a measure's "
            "RAG rating changed, a caseload over the threshold), by the day they were raised. "
            "Deadlines already met or missed when Journey first saw them raise none.",
        .shape = RP_SHAPE_ROWS,
        .headers = {"Kind", "This period", "Previous period"},
        .text_columns = 1,
        .sql = S_PARAMS " SELECT a.kind,"
                        " count(*) FILTER (WHERE a.raised_on BETWEEN p.from_on AND p.to_on),"
                        " count(*) FILTER (WHERE a.raised_on BETWEEN p.prev_from AND p.prev_to)"
                        " FROM timeliness.alert_feed a, p"
                        " WHERE a.la_code = p.la AND a.raised_on BETWEEN p.prev_from AND p.to_on"
                        " GROUP BY a.kind ORDER BY a.kind",
    },
    //  Disputes: escalation.dispute as it stands, read as at the period's end through its
    //  dates (raised_on, closed_on, cafcass_referred_on) and its steps' stages.
    {
        .id = "disputes_summary",
        .section = "disputes",
        .title = "Disputes raised, resolved and open",
        .definition =
            "Disputes raised through the dispute resolution ladder, by who raised them (the "
            "IRO for a looked-after child, the CP chair for a child on a plan). Raised: raised "
            "in the period; of those, concerns about a child's safety (escalated at once). "
            "Resolved: resolved in the period; in time: resolved on or before the overall limit "
            "(20 working days from the raise by default, escalation/overall_limit_days; IRO "
            "Handbook 6.2). Withdrawn in the period. Open at the period's end, and of those, "
            "past the overall limit. Referred to Cafcass in the period (IROs only).",
        .shape = RP_SHAPE_ROWS,
        .headers = {"Raised by", "Raised", "Safety", "Resolved", "Resolved in time", "Withdrawn",
                    "Open at end", "Open past limit", "Cafcass referrals"},
        .text_columns = 1,
        .sql = S_PARAMS
        " SELECT CASE r.role WHEN 'iro' THEN 'IRO' WHEN 'cp-chair' THEN 'CP chair'"
        "   ELSE r.role END,"
        " count(x.id) FILTER (WHERE x.raised_on BETWEEN p.from_on AND p.to_on),"
        " count(x.id) FILTER (WHERE x.raised_on BETWEEN p.from_on AND p.to_on AND x.safety),"
        " count(x.id) FILTER (WHERE x.state = 'resolved'"
        "   AND x.closed_on BETWEEN p.from_on AND p.to_on),"
        " count(x.id) FILTER (WHERE x.state = 'resolved'"
        "   AND x.closed_on BETWEEN p.from_on AND p.to_on AND x.closed_on <= x.overall_due_on),"
        " count(x.id) FILTER (WHERE x.state = 'withdrawn'"
        "   AND x.closed_on BETWEEN p.from_on AND p.to_on),"
        " count(x.id) FILTER (WHERE x.raised_on <= p.to_on"
        "   AND (x.closed_on IS NULL OR x.closed_on > p.to_on)),"
        " count(x.id) FILTER (WHERE x.raised_on <= p.to_on"
        "   AND (x.closed_on IS NULL OR x.closed_on > p.to_on) AND x.overall_due_on < p.to_on),"
        " count(x.id) FILTER (WHERE x.cafcass_referred_on BETWEEN p.from_on AND p.to_on)"
        " FROM p CROSS JOIN (VALUES (1, 'iro'), (2, 'cp-chair')) r(rank, role)"
        " LEFT JOIN escalation.dispute x ON x.la_code = p.la AND x.raised_role = r.role"
        " GROUP BY r.rank, r.role ORDER BY r.rank",
    },
    {
        .id = "disputes_stage_reached",
        .section = "disputes",
        .title = "Disputes raised in the period, by the highest stage reached",
        .definition =
            "Disputes raised in the period, by who raised them and the highest stage of the "
            "ladder each reached by the period's end (1 informal, with the social worker and "
            "team manager; 2 practice group lead or service manager; 3 head of service; 4 "
            "director), from the dispute's recorded steps. A stage can be reached by "
            "escalation, by bypass, or at once for a safety concern.",
        .shape = RP_SHAPE_PIVOT,
        .headers = {"Raised by"},
        .sql = S_PARAMS
        " SELECT CASE x.raised_role WHEN 'iro' THEN 'IRO' WHEN 'cp-chair' THEN 'CP chair'"
        "   ELSE x.raised_role END,"
        " 'Stage ' || coalesce (s.stage, x.stage), coalesce (s.stage, x.stage), count(*)"
        " FROM p JOIN escalation.dispute x ON x.la_code = p.la"
        "   AND x.raised_on BETWEEN p.from_on AND p.to_on"
        " LEFT JOIN LATERAL (SELECT max (greatest (st.stage_from, st.stage_to)) AS stage"
        "   FROM escalation.dispute_step st WHERE st.dispute_id = x.id"
        "   AND (st.at AT TIME ZONE p.tz)::date <= p.to_on) s ON true"
        " GROUP BY 1, 2, 3",
    },
    {
        .id = "disputes_by_category",
        .section = "disputes",
        .title = "Disputes raised, by category",
        .definition = "Disputes raised in the period and in the previous period, by the "
                      "category the IRO or CP chair recorded (care plan, its implementation, "
                      "reviews, resources, practice, ...).",
        .shape = RP_SHAPE_ROWS,
        .headers = {"Category", "This period", "Previous period"},
        .text_columns = 1,
        .sql = S_PARAMS " SELECT x.category,"
                        " count(*) FILTER (WHERE x.raised_on BETWEEN p.from_on AND p.to_on),"
                        " count(*) FILTER (WHERE x.raised_on BETWEEN p.prev_from AND p.prev_to)"
                        " FROM escalation.dispute x, p WHERE x.la_code = p.la"
                        "   AND x.raised_on BETWEEN p.prev_from AND p.to_on"
                        " GROUP BY x.category ORDER BY 2 DESC, 1",
    },
    {
        .id = "audit_grades_by_team",
        .section = "audits",
        .title = "Single case audits completed in the period, by grade and team",
        .definition = "Single case audits completed (dated) in the period, by the grade the "
                      "auditor gave (outstanding, good, requires improvement, inadequate: "
                      "seed 003's scale) and the team recorded on the audit.",
        .shape = RP_SHAPE_PIVOT,
        .headers = {"Team"},
        .sql = S_PARAMS " SELECT coalesce (a.team_id, 'no team'), coalesce (a.grade, 'not given'),"
                        " CASE a.grade WHEN 'outstanding' THEN 1 WHEN 'good' THEN 2"
                        " WHEN 'requires_improvement' THEN 3 WHEN 'inadequate' THEN 4"
                        " ELSE 5 END, count(*)"
                        " FROM projection.audit a, p"
                        " WHERE a.la_code = p.la AND a.audited_on BETWEEN p.from_on AND p.to_on"
                        " GROUP BY 1, 2, 3",
    },
    {
        .id = "audit_grades",
        .section = "audits",
        .title = "Audit grades against the previous period",
        .definition = "Single case audits completed in the period and in the previous period, "
                      "by grade.",
        .shape = RP_SHAPE_ROWS,
        .headers = {"Grade", "This period", "Previous period"},
        .text_columns = 1,
        .sql = S_PARAMS " SELECT g.grade,"
                        " count(a.*) FILTER (WHERE a.audited_on BETWEEN p.from_on AND p.to_on),"
                        " count(a.*) FILTER (WHERE a.audited_on BETWEEN p.prev_from AND p.prev_to)"
                        " FROM p CROSS JOIN (VALUES (1, 'outstanding'), (2, 'good'),"
                        "   (3, 'requires_improvement'), (4, 'inadequate')) g(rank, grade)"
                        " LEFT JOIN projection.audit a ON a.la_code = p.la AND a.grade = g.grade"
                        "   AND a.audited_on BETWEEN p.prev_from AND p.to_on"
                        " GROUP BY g.rank, g.grade ORDER BY g.rank",
    },
    {
        .id = "rejections_by_code",
        .section = "data_quality",
        .title = "Records refused, by code",
        .definition =
            "Records the case management system sent that journey-ingestd refused (kept as "
            "dead letters with their bytes and reason; docs/events.md lists the codes), by the "
            "local date they were received: in the period, in the previous period, and all on "
            "record when the pack was made. Records whose LA could not be read (LA '') are "
            "counted with this LA's.",
        .shape = RP_SHAPE_ROWS,
        .headers = {"Code", "This period", "Previous period", "All on record"},
        .text_columns = 1,
        .sql = S_PARAMS " SELECT dl.code,"
                        " count(*) FILTER (WHERE (dl.received_at AT TIME ZONE p.tz)::date"
                        "   BETWEEN p.from_on AND p.to_on),"
                        " count(*) FILTER (WHERE (dl.received_at AT TIME ZONE p.tz)::date"
                        "   BETWEEN p.prev_from AND p.prev_to),"
                        " count(*)"
                        " FROM projection.dead_letter dl, p WHERE dl.la_code IN (p.la, '')"
                        " GROUP BY dl.code ORDER BY 4 DESC, 1",
    },
};

const rp_table_def_t *rp_pack_sql_tables (size_t *count)
{
    *count = sizeof s_tables / sizeof s_tables[0];
    return s_tables;
}
