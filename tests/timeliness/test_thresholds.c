/*  thresholds against a fresh migrated database, run as journey-timelinessd's own role: a run
    stores every targeted measure's values and ratings per LA and team; a run with changed data
    raises exactly one RAG_CHANGED per rating that changed and none for the others (nor for a
    first rating, nor for a window with nothing to rate); a worker's CASELOAD alert is raised
    once per crossing of the threshold; tl_thresholds_due honours interval_days; bad settings
    name their key.
*/
#include <math.h>
#include <unistd.h>

#include "alert_feed_test.h"
#include "thresholds.h"

#define MAX_ALERTS 16

//  What the sink kept of each alert.
typedef struct {
    int kind;
    char la_code[16], measure[64], scope[64], rating[16], previous[16], raised_on[16];
    char team_id[32], worker_id[32];
    double value;
    int caseload;
} s_alert_t;

typedef struct {
    s_alert_t items[MAX_ALERTS];
    int count;
} s_alerts_t;

static void s_copy (char *to, size_t size, const char *from)
{
    snprintf (to, size, "%s", from ? from : "");
}

static void s_sink (void *arg, const Journey__V1__Alert *alert)
{
    s_alerts_t *alerts = arg;
    CHECK (alerts->count < MAX_ALERTS);
    if (alerts->count >= MAX_ALERTS)
        return;
    s_alert_t *a = &alerts->items[alerts->count++];
    a->kind = alert->kind;
    s_copy (a->la_code, sizeof a->la_code, alert->la_code);
    s_copy (a->measure, sizeof a->measure, alert->measure);
    s_copy (a->scope, sizeof a->scope, alert->scope);
    s_copy (a->rating, sizeof a->rating, alert->rating);
    s_copy (a->previous, sizeof a->previous, alert->previous_rating);
    s_copy (a->raised_on, sizeof a->raised_on, alert->raised_on);
    s_copy (a->team_id, sizeof a->team_id, alert->team_id);
    s_copy (a->worker_id, sizeof a->worker_id, alert->worker_id);
    a->value = alert->has_value ? alert->value : -1;
    a->caseload = alert->has_caseload ? alert->caseload : -1;
}

static jy_config_t *s_config (const char *text)
{
    char path[] = "/tmp/test_thresholds_XXXXXX";
    int fd = mkstemp (path);
    assert (fd >= 0);
    size_t length = strlen (text);
    ssize_t written = write (fd, text, length);
    assert (written == (ssize_t) length);
    close (fd);
    char err[256];
    //  No defaults file: only the targets below are set.
    jy_config_t *config = jy_config_load (path, NULL, err, sizeof err);
    unlink (path);
    assert (config);
    return config;
}

static const char *s_settings = "la\n"
                                "    code = 872\n"
                                "timeliness\n"
                                "    thresholds\n"
                                "        interval_days = 7\n"
                                "        window_days = 90\n"
                                "    caseload\n"
                                "        threshold = 2\n"
                                "measures\n"
                                "    assessments_in_time\n"
                                "        target = 80\n"
                                "        tolerance = 10\n"
                                "    cp_visits_in_time\n"
                                "        target = 90\n"
                                "        tolerance = 5\n";

static void s_exec (jy_db_t *db, const char *sql)
{
    int rc = jy_db_exec (db, sql, 0, NULL);
    if (rc != 0)
        fprintf (stderr, "%s: %s\n", sql, jy_db_error (db));
    CHECK_INT (rc, 0);
}

static long s_count (jy_db_t *db, const char *sql)
{
    PGresult *result = jy_db_query (db, sql, 0, NULL);
    long count = result && PQntuples (result) == 1 ? atol (PQgetvalue (result, 0, 0)) : -1;
    PQclear (result);
    return count;
}

//  One text value, or "" (NULL, or no row).
static const char *s_text (jy_db_t *db, const char *sql, char *buffer, size_t size)
{
    PGresult *result = jy_db_query (db, sql, 0, NULL);
    s_copy (buffer, size,
            result && PQntuples (result) == 1 && !PQgetisnull (result, 0, 0)
                ? PQgetvalue (result, 0, 0)
                : "");
    PQclear (result);
    return buffer;
}

//  A run inside a transaction, as the daemon does it; the alerts it raised.
static int s_run (tl_thresholds_t *thresholds, jy_db_t *db, jy_calendar_t *calendar,
                  const char *today, s_alerts_t *alerts)
{
    memset (alerts, 0, sizeof *alerts);
    CHECK_INT (jy_db_begin (db), 0);
    int rc = tl_thresholds_run (thresholds, db, calendar, D (today), s_sink, alerts);
    CHECK_INT (rc, 0);
    if (rc == 0)
        CHECK_INT (jy_db_commit (db), 0);
    else {
        fprintf (stderr, "run %s: %s\n", today, jy_db_error (db));
        jy_db_rollback (db);
    }
    return alerts->count;
}

static void s_test_runs (jy_db_t *admin, jy_db_t *db)
{
    //  Assessments met in the window: TA 2 of 2 (green), TB 1 of 2 (red), the LA 3 of 4
    //  (amber, against 80 with 10). CP visits: TA 1 of 1 (green). Another LA's never count.
    s_exec (admin,
            "INSERT INTO timeliness.deadline (id, la_code, child_id, clock, anchor, started_on,"
            " due_on, state, met_on, team_id, first_seen_on, backfill, updated_on)"
            " SELECT id, la, child, clock, 'X' || id, due - 10, due, state, met, team, due, false,"
            " due FROM (VALUES"
            " (1, '872', 'C1', 'assessment', '2024-06-20'::date, 'met_on_time', '2024-06-10'::date,"
            "  'TA'),"
            " (2, '872', 'C2', 'assessment', '2024-06-20', 'met_on_time', '2024-06-11', 'TA'),"
            " (3, '872', 'C3', 'assessment', '2024-06-20', 'met_on_time', '2024-06-12', 'TB'),"
            " (4, '872', 'C4', 'assessment', '2024-06-05', 'met_late', '2024-06-13', 'TB'),"
            " (5, '872', 'C1', 'cp_visit', '2024-06-15', 'met_on_time', '2024-06-14', 'TA'),"
            " (9, '999', 'C1', 'assessment', '2024-06-05', 'met_late', '2024-06-13', 'TA')"
            " ) AS d (id, la, child, clock, due, state, met, team)");
    //  Open cases: W1 has 2 (at the threshold, not over it), W2 has 3; W3's are closed.
    s_exec (admin,
            "INSERT INTO ingest.child (la_code, child_id, team_id, worker_id, closed_on)"
            " VALUES ('872', 'C1', 'TA', 'W1', NULL), ('872', 'C2', 'TA', 'W1', NULL),"
            " ('872', 'C3', 'TB', 'W2', NULL), ('872', 'C4', 'TB', 'W2', NULL),"
            " ('872', 'C5', 'TB', 'W2', NULL), ('872', 'C6', 'TC', 'W3', '2024-01-01'),"
            " ('872', 'C7', 'TC', 'W3', '2024-01-01'), ('872', 'C8', 'TC', 'W3', '2024-01-01'),"
            " ('999', 'C1', 'TA', 'W1', NULL), ('999', 'C2', 'TA', 'W1', NULL),"
            " ('999', 'C3', 'TA', 'W1', NULL)");

    jy_config_t *config = s_config (s_settings);
    tl_thresholds_t *thresholds = tl_thresholds_new (config, "872");
    CHECK (thresholds != NULL);
    if (!thresholds) {
        jy_config_destroy (&config);
        return;
    }
    jy_calendar_t *calendar = jy_calendar_new ();
    char buffer[256];
    s_alerts_t alerts;

    //  Never run: due.
    CHECK_INT (tl_thresholds_due (thresholds, db, D ("2024-06-30")), 1);

    //  Run 1: values and ratings stored; first ratings raise nothing; W2 is over.
    CHECK_INT (s_run (thresholds, db, calendar, "2024-06-30", &alerts), 1);
    CHECK_INT (alerts.items[0].kind, JOURNEY__V1__ALERT__KIND__CASELOAD);
    CHECK_STR (alerts.items[0].worker_id, "W2");
    CHECK_STR (alerts.items[0].team_id, "TB");
    CHECK_STR (alerts.items[0].la_code, "872");
    CHECK_STR (alerts.items[0].raised_on, "2024-06-30");
    CHECK_INT (alerts.items[0].caseload, 3);
    CHECK_INT (s_count (db, "SELECT count(*) FROM timeliness.kpi_value"), 5);
    CHECK_INT (s_count (db, "SELECT count(*) FROM timeliness.kpi_rating"), 5);
    CHECK_STR (s_text (db,
                       "SELECT concat_ws (' ', period_from, period_to, numerator, denominator,"
                       " value, rating, target, tolerance) FROM timeliness.kpi_value"
                       " WHERE la_code = '872' AND measure = 'assessments_in_time'"
                       " AND scope = 'la' AND computed_on = '2024-06-30'",
                       buffer, sizeof buffer),
               "2024-04-02 2024-06-30 3 4 75 amber 80 10");
    CHECK_STR (s_text (db,
                       "SELECT string_agg (scope || '=' || rating, ' ' ORDER BY scope)"
                       " FROM timeliness.kpi_rating WHERE measure = 'assessments_in_time'",
                       buffer, sizeof buffer),
               "la=amber team:TA=green team:TB=red");
    CHECK_STR (s_text (db,
                       "SELECT string_agg (scope || '=' || rating, ' ' ORDER BY scope)"
                       " FROM timeliness.kpi_rating WHERE measure = 'cp_visits_in_time'",
                       buffer, sizeof buffer),
               "la=green team:TA=green");
    CHECK_STR (s_text (db,
                       "SELECT string_agg (worker_id || '=' || caseload || ':' || over_threshold,"
                       " ' ' ORDER BY worker_id) FROM timeliness.caseload",
                       buffer, sizeof buffer),
               "W1=2:false W2=3:true");
    CHECK_STR (s_text (db,
                       "SELECT value FROM timeliness.state WHERE key = 'thresholds_last_run:872'",
                       buffer, sizeof buffer),
               "2024-06-30");

    //  The interval: not again until 7 days on.
    CHECK_INT (tl_thresholds_due (thresholds, db, D ("2024-06-30")), 0);
    CHECK_INT (tl_thresholds_due (thresholds, db, D ("2024-07-06")), 0);
    CHECK_INT (tl_thresholds_due (thresholds, db, D ("2024-07-07")), 1);
    CHECK_INT (tl_thresholds_due (thresholds, db, D ("2024-06-29")), 1);

    //  The same day again: values replaced, nothing raised.
    CHECK_INT (s_run (thresholds, db, calendar, "2024-06-30", &alerts), 0);
    CHECK_INT (s_count (db, "SELECT count(*) FROM timeliness.kpi_value"), 5);

    //  Run 2 with TB 3 of 4 (amber) and the LA 5 of 6 (green); TA and CP visits unchanged.
    //  W1 takes a third case; W2 stays over.
    s_exec (admin,
            "INSERT INTO timeliness.deadline (id, la_code, child_id, clock, anchor, started_on,"
            " due_on, state, met_on, team_id, first_seen_on, backfill, updated_on) VALUES"
            " (6, '872', 'C3', 'assessment', 'X6', '2024-06-01', '2024-07-05', 'met_on_time',"
            "  '2024-07-01', 'TB', '2024-06-01', false, '2024-07-01'),"
            " (7, '872', 'C4', 'assessment', 'X7', '2024-06-01', '2024-07-05', 'met_on_time',"
            "  '2024-07-02', 'TB', '2024-06-01', false, '2024-07-02')");
    s_exec (admin, "INSERT INTO ingest.child (la_code, child_id, team_id, worker_id)"
                   " VALUES ('872', 'C9', 'TA', 'W1')");
    CHECK_INT (s_run (thresholds, db, calendar, "2024-07-07", &alerts), 3);
    //  Ratings first, in measure and scope order, then caseloads.
    s_alert_t *a = &alerts.items[0];
    CHECK_INT (a->kind, JOURNEY__V1__ALERT__KIND__RAG_CHANGED);
    CHECK_STR (a->measure, "assessments_in_time");
    CHECK_STR (a->scope, "la");
    CHECK_STR (a->rating, "green");
    CHECK_STR (a->previous, "amber");
    CHECK (fabs (a->value - 500.0 / 6) < 1e-9);
    CHECK_STR (a->team_id, "");
    CHECK_STR (a->raised_on, "2024-07-07");
    CHECK_STR (a->la_code, "872");
    a = &alerts.items[1];
    CHECK_INT (a->kind, JOURNEY__V1__ALERT__KIND__RAG_CHANGED);
    CHECK_STR (a->measure, "assessments_in_time");
    CHECK_STR (a->scope, "team:TB");
    CHECK_STR (a->team_id, "TB");
    CHECK_STR (a->rating, "amber");
    CHECK_STR (a->previous, "red");
    CHECK (fabs (a->value - 75) < 1e-9);
    a = &alerts.items[2];
    CHECK_INT (a->kind, JOURNEY__V1__ALERT__KIND__CASELOAD);
    CHECK_STR (a->worker_id, "W1");
    CHECK_STR (a->team_id, "TA");
    CHECK_INT (a->caseload, 3);
    CHECK_INT (s_count (db, "SELECT count(*) FROM timeliness.kpi_value"), 10);
    CHECK_STR (
        s_text (db,
                "SELECT string_agg (scope || '=' || rating || ':' || since || ':' || rated_on,"
                " ' ' ORDER BY scope) FROM timeliness.kpi_rating"
                " WHERE measure = 'assessments_in_time'",
                buffer, sizeof buffer),
        "la=green:2024-07-07:2024-07-07 team:TA=green:2024-06-30:2024-07-07 "
        "team:TB=amber:2024-07-07:2024-07-07");

    //  The interval counts from the latest run.
    CHECK_INT (tl_thresholds_due (thresholds, db, D ("2024-07-13")), 0);
    CHECK_INT (tl_thresholds_due (thresholds, db, D ("2024-07-14")), 1);

    //  Run 3: W2 falls to the threshold (a case closes): nothing raised.
    s_exec (admin, "UPDATE ingest.child SET closed_on = '2024-07-10' WHERE child_id = 'C5'");
    CHECK_INT (s_run (thresholds, db, calendar, "2024-07-14", &alerts), 0);
    //  Run 4: the case reopens and W2 passes the threshold again: raised again.
    s_exec (admin, "UPDATE ingest.child SET closed_on = NULL WHERE child_id = 'C5'");
    CHECK_INT (s_run (thresholds, db, calendar, "2024-07-21", &alerts), 1);
    CHECK_INT (alerts.items[0].kind, JOURNEY__V1__ALERT__KIND__CASELOAD);
    CHECK_STR (alerts.items[0].worker_id, "W2");

    //  Run 5, a year on: nothing in the window to rate; the values are kept without a value,
    //  the ratings stay as they were, nothing is raised.
    CHECK_INT (s_run (thresholds, db, calendar, "2025-07-21", &alerts), 0);
    CHECK_INT (s_count (db, "SELECT count(*) FROM timeliness.kpi_value"
                            " WHERE computed_on = '2025-07-21' AND value IS NULL AND rating IS NULL"
                            " AND scope = 'la'"),
               2);
    CHECK_STR (s_text (db,
                       "SELECT string_agg (scope || '=' || rating, ' ' ORDER BY scope)"
                       " FROM timeliness.kpi_rating WHERE measure = 'assessments_in_time'",
                       buffer, sizeof buffer),
               "la=green team:TA=green team:TB=amber");
    //  Back in the window, unchanged ratings raise nothing.
    CHECK_INT (s_run (thresholds, db, calendar, "2024-07-28", &alerts), 0);

    //  Without la/code there is nothing to rate: never due, and a run does nothing.
    tl_thresholds_t *no_la = tl_thresholds_new (config, NULL);
    CHECK (no_la != NULL);
    if (no_la) {
        CHECK_INT (tl_thresholds_due (no_la, db, D ("2024-08-30")), 0);
        CHECK_INT (s_run (no_la, db, calendar, "2024-08-30", &alerts), 0);
        CHECK_INT (s_count (db, "SELECT count(*) FROM timeliness.kpi_value"
                                " WHERE computed_on = '2024-08-30'"),
                   0);
    }
    tl_thresholds_destroy (&no_la);

    jy_calendar_destroy (&calendar);
    tl_thresholds_destroy (&thresholds);
    CHECK (thresholds == NULL);
    jy_config_destroy (&config);
}

//  A wrong setting: NULL, with the key in the error.
static void s_expect_bad (const char *text, const char *key)
{
    jy_config_t *config = s_config (text);
    tl_thresholds_t *thresholds = tl_thresholds_new (config, "872");
    CHECK (thresholds == NULL);
    if (!strstr (jy_config_error (config), key))
        fprintf (stderr, "error \"%s\" should name %s\n", jy_config_error (config), key);
    CHECK (strstr (jy_config_error (config), key) != NULL);
    tl_thresholds_destroy (&thresholds);
    jy_config_destroy (&config);
}

static void s_test_settings (void)
{
    s_expect_bad ("timeliness\n    thresholds\n        window_days = 0\n",
                  "timeliness/thresholds/window_days");
    s_expect_bad ("timeliness\n    thresholds\n        interval_days = weekly\n",
                  "timeliness/thresholds/interval_days");
    s_expect_bad ("timeliness\n    caseload\n        threshold = -3\n",
                  "timeliness/caseload/threshold");
    s_expect_bad ("la\n    child_population = lots\n", "la/child_population");
    s_expect_bad ("measures\n    cla_reviews_in_time\n        target = 95%\n",
                  "measures/cla_reviews_in_time/target");
}

int main (void)
{
    jy_log_init ("test_thresholds", JY_LOG_ERROR);
    s_test_settings ();

    char dbname[64], url[1024], role_url[1024];
    if (aft_database_new ("thresholds", dbname, sizeof dbname, url, sizeof url, role_url,
                          sizeof role_url) != 0) {
        CHECK (!"test database");
        return jy_test_summary ("test_thresholds");
    }
    jy_db_t *admin = jy_db_new (url);
    jy_db_t *db = jy_db_new (role_url);
    CHECK_INT (jy_db_connect (admin, 10000), 0);
    CHECK_INT (jy_db_connect (db, 10000), 0);
    s_test_runs (admin, db);
    jy_db_destroy (&db);
    jy_db_destroy (&admin);
    aft_database_drop (dbname);
    return jy_test_summary ("test_thresholds");
}
