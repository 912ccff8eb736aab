/*  journey-timelinessd over a generated authority (`journey generate`), two ways.

    Day by day: the history up to four months before its end is pushed at once (a backfill),
    then every later event on the day it happened, the simulated clock moved one day at a
    time. The alerts raised must then match, kind by kind, a count made here independently of
    the daemon's code: from each deadline's start, due date and end (met or cancelled), the
    rules of docs/timeliness.md applied to a clock that visits every day.

    Killed mid-stream: the whole history is in the database before journey-timelinessd
    starts; it is SIGKILLed while it catches up, restarted, and its tables must then equal
    those of a clean run over a copy of the same database: every deadline the same, every
    alert there exactly once.
*/
#include <fcntl.h>

#include "timeliness_test.h"
#include "book.h"
#include "clocks.h"

#define S_REPLAY_CHILDREN "400"
#define S_REPLAY_END      "2025-03-31"
#define S_REPLAY_DAYS     120 //  replayed day by day; the history before arrives at once
#define S_KILL_CHILDREN   "600"
#define S_KILL_END        "2025-06-29"

static jy_calendar_t *s_calendar;
static tl_clocks_t *s_clocks;

static const char *s_text (jy_date_t date)
{
    static char texts[8][JY_DATE_TEXT_SIZE];
    static int next;
    next = (next + 1) % 8;
    return jy_date_format (date, texts[next]);
}

//  Run the journey CLI with arguments (NULL-ended), its output discarded; its exit status.
static int s_cli (const char *const *args)
{
    const char *argv[16] = {getenv ("JOURNEY_CLI")};
    for (int i = 0; args[i]; i++) {
        assert (i < 14);
        argv[i + 1] = args[i];
    }
    return jy_test_run ("/dev/null", argv);
}

//  The generated history in path, or NULL.
static char *s_generate (const char *children, const char *years, const char *end, const char *name)
{
    static char path[512];
    snprintf (path, sizeof path, "%s/%s.jsonl", tt_env.dir, name);
    const char *args[] = {"generate", "--la", "872",   "--children", children, "--years", years,
                          "--seed",   "11",   "--end", end,          "--out",  path,      NULL};
    return s_cli (args) == 0 ? path : NULL;
}

//  --- Day by day --------------------------------------------------------------------------------

//  Each line with recorded_at moved to noon of its occurred_on: every fact reaches Journey on
//  the day it happened.
static char *s_recorded_on_the_day (const char *line)
{
    char *copy = strdup (line);
    assert (copy);
    const char *occurred = strstr (copy, "\"occurred_on\":\"");
    char *recorded = strstr (copy, "\"recorded_at\":\"");
    assert (occurred && recorded);
    occurred += strlen ("\"occurred_on\":\"");
    recorded += strlen ("\"recorded_at\":\"");
    assert (recorded[20] == '"');
    memcpy (recorded, occurred, 10);
    memcpy (recorded + 10, "T12:00:00Z", 10);
    return copy;
}

//  The alerts the rules give one deadline when the clock visits every day, by kind. first: the
//  day it was first seen; ended: the day it was met or cancelled (JY_DATE_INVALID: not yet);
//  end: the last day visited. Nothing for a backfill: past due when first seen; one first seen
//  ended but not yet due raises, that day, what a running one would.
static void s_expected (tl_clock_id_t clock, jy_date_t first, jy_date_t due, jy_date_t ended,
                        jy_date_t end, long overdue_by, long counts[8])
{
    int lead = tl_clocks_rule (s_clocks, clock)->lead_working_days;
    jy_date_t trigger[4] = {JY_DATE_INVALID, due, due + 1, JY_DATE_INVALID};
    int kinds[4] = {JOURNEY__V1__ALERT__KIND__DUE_SOON, JOURNEY__V1__ALERT__KIND__DUE_TODAY,
                    JOURNEY__V1__ALERT__KIND__OVERDUE, JOURNEY__V1__ALERT__KIND__OVERDUE_BY};
    if (lead > 0)
        jy_calendar_add_working_days (s_calendar, due, -lead, &trigger[0]);
    jy_calendar_add_working_days (s_calendar, due, (int) overdue_by + 1, &trigger[3]);
    if (first > due)
        return;
    jy_date_t until = ended != JY_DATE_INVALID && ended < end ? ended : end;
    //  When first seen: the latest kind whose day has come. Then each on its own day, for as
    //  long as it runs (a sweep sees it still running on the day it ends).
    int latest = -1;
    for (int k = 0; k < 4; k++)
        if (trigger[k] != JY_DATE_INVALID && trigger[k] <= first)
            latest = k;
    if (latest >= 0)
        counts[kinds[latest]]++;
    for (int k = 0; k < 4; k++)
        if (trigger[k] != JY_DATE_INVALID && trigger[k] > first && trigger[k] <= until)
            counts[kinds[k]]++;
}

static void s_test_day_by_day (void)
{
    const char *path = s_generate (S_REPLAY_CHILDREN, "1", S_REPLAY_END, "replay");
    CHECK (path != NULL);
    FILE *file = path ? fopen (path, "r") : NULL;
    if (!file)
        return;
    //  The history before the first day replayed, then day by day (it is sorted by
    //  occurred_on).
    jy_date_t end = D (S_REPLAY_END) + 1;
    jy_date_t first_day = end - S_REPLAY_DAYS;
    tt_batch_t before = {0};
    tt_batch_t *days = calloc (S_REPLAY_DAYS + 1, sizeof *days);
    assert (days);
    char line[4096];
    size_t events = 0;
    while (fgets (line, sizeof line, file)) {
        line[strcspn (line, "\n")] = '\0';
        char *moved = s_recorded_on_the_day (line);
        const char *occurred = strstr (moved, "\"occurred_on\":\"") + strlen ("\"occurred_on\":\"");
        char date_text[JY_DATE_TEXT_SIZE];
        snprintf (date_text, sizeof date_text, "%.10s", occurred);
        jy_date_t date = D (date_text);
        assert (date < end);
        tt_add_line (date <= first_day ? &before : &days[date - first_day], moved);
        events++;
    }
    fclose (file);

    pid_t ingestd = tt_spawn ("ingest/journey-ingestd", "replay-ingestd.log", s_text (first_day));
    pid_t timelinessd =
        tt_spawn ("timeliness/journey-timelinessd", "replay-timelinessd.log", s_text (first_day));
    zsock_t *ingest = tt_dealer (tt_env.ingest_request);
    zsock_t *timeliness = tt_dealer (tt_env.timeliness_request);
    int64_t started = zclock_mono ();
    size_t accepted = tt_push (ingest, &before);
    CHECK (tt_caught_up (timeliness));
    for (jy_date_t day = first_day + 1; day <= end; day++) {
        CHECK_INT (tt_clock_set_one (ingest, s_text (day)), 0);
        CHECK_INT (tt_clock_set_one (timeliness, s_text (day)), 0);
        if (days[day - first_day].count)
            accepted += tt_push (ingest, &days[day - first_day]);
        CHECK (tt_caught_up (timeliness));
    }
    CHECK_INT (accepted, events);
    printf ("replayed %zu events, the last %d days day by day, in %.1f s\n", events, S_REPLAY_DAYS,
            (double) (zclock_mono () - started) / 1000.0);

    //  Every deadline was first seen on the day it started (or the backfill's day), and is a
    //  backfill exactly when it was past due by then.
    CHECK_STR (TT_VALUE ("SELECT count(*) FILTER (WHERE first_seen_on <> greatest (started_on,"
                         " $1::date)) || ' ' || count(*) FILTER (WHERE backfill <>"
                         " (first_seen_on > due_on)) FROM timeliness.deadline",
                         s_text (first_day)),
               "0 0");

    //  The independent count.
    long expected[8] = {0}, actual[8] = {0};
    PGresult *result =
        jy_db_query (tt_env.db,
                     "SELECT clock, started_on, due_on, coalesce (met_on, cancelled_on)"
                     " FROM timeliness.deadline",
                     0, NULL);
    CHECK (result != NULL);
    long deadlines = result ? PQntuples (result) : 0;
    for (int row = 0; row < deadlines; row++) {
        jy_date_t ended = JY_DATE_INVALID;
        if (!PQgetisnull (result, row, 3))
            ended = D (PQgetvalue (result, row, 3));
        jy_date_t started_on = D (PQgetvalue (result, row, 1));
        s_expected (tl_clocks_lookup (PQgetvalue (result, row, 0)),
                    started_on > first_day ? started_on : first_day,
                    D (PQgetvalue (result, row, 2)), ended, end, 5, expected);
    }
    PQclear (result);
    result = jy_db_query (
        tt_env.db, "SELECT kind, count(*) FROM timeliness.alert_feed GROUP BY kind", 0, NULL);
    for (int row = 0; result && row < PQntuples (result); row++)
        for (int kind = 1; kind < 8; kind++)
            if (strcmp (PQgetvalue (result, row, 0), tt_kind_name (kind)) == 0)
                actual[kind] = atol (PQgetvalue (result, row, 1));
    PQclear (result);
    printf ("%ld deadlines; alerts (raised / counted independently):", deadlines);
    for (int kind = JOURNEY__V1__ALERT__KIND__DUE_SOON;
         kind <= JOURNEY__V1__ALERT__KIND__OVERDUE_BY; kind++) {
        printf (" %s %ld/%ld", tt_kind_name (kind), actual[kind], expected[kind]);
        if (kind != JOURNEY__V1__ALERT__KIND__DRIFTED)
            CHECK_INT (actual[kind], expected[kind]);
    }
    printf ("\n");
    CHECK (deadlines > 800);
    CHECK (actual[JOURNEY__V1__ALERT__KIND__DUE_SOON] > 50);
    CHECK (actual[JOURNEY__V1__ALERT__KIND__OVERDUE_BY] > 10);
    //  DRIFTED only for a booking after the due date, while it was not yet due.
    CHECK_STR (TT_VALUE ("SELECT count(*) FROM timeliness.alert_feed WHERE kind = 'drifted'"
                         " AND raised_on > due_on"),
               "0");

    CHECK_INT (tt_stop (timelinessd), 0);
    CHECK_INT (tt_stop (ingestd), 0);
    zsock_destroy (&ingest);
    zsock_destroy (&timeliness);
    tt_batch_free (&before);
    for (int i = 0; i <= S_REPLAY_DAYS; i++)
        tt_batch_free (&days[i]);
    free (days);
}

//  --- Killed mid-stream -------------------------------------------------------------------------

//  A digest of the deadlines and of the alerts (by the deadline's identity, not its id), and
//  whether the alert feed runs 1..n without gaps or repeats.
static void s_digest (jy_db_t *db, char *deadlines, char *alerts, size_t size)
{
    PGresult *result = jy_db_query (
        db,
        "SELECT (SELECT md5 (string_agg (concat_ws ('|', la_code, child_id, clock, anchor,"
        " started_on, due_on, state, met_on, late_working_days, cancelled_on, cancel_reason,"
        " planned_on, team_id, worker_id, first_seen_on, backfill, alerts, updated_on), ','"
        " ORDER BY la_code, child_id, clock, anchor)) || ' ' || count(*)"
        " FROM timeliness.deadline),"
        " (SELECT md5 (string_agg (concat_ws ('|', d.child_id, d.clock, d.anchor, a.kind,"
        " a.raised_on, a.due_on), ',' ORDER BY d.child_id, d.clock, d.anchor, a.kind))"
        " || ' ' || count(*) || ' ' || (max (a.seq) = count(*))"
        " || ' ' || (count(*) = count(DISTINCT (a.deadline_id, a.kind)))"
        " FROM timeliness.alert_feed a JOIN timeliness.deadline d ON d.id = a.deadline_id)",
        0, NULL);
    snprintf (deadlines, size, "%s", result ? PQgetvalue (result, 0, 0) : "(error)");
    snprintf (alerts, size, "%s", result ? PQgetvalue (result, 0, 1) : "(error)");
    PQclear (result);
}

static uint64_t s_saved_position (jy_db_t *db)
{
    uint64_t position = 0;
    jy_feed_position_load (db, "timeliness", "events", &position);
    return position;
}

static void s_test_killed (void)
{
    const char *path = s_generate (S_KILL_CHILDREN, "1", S_KILL_END, "kill");
    CHECK (path != NULL);
    if (!path)
        return;
    const char *today = "2025-06-30";
    pid_t ingestd = tt_spawn ("ingest/journey-ingestd", "kill-ingestd.log", today);
    const char *push[] = {"push", path, "--batch", "5000", NULL};
    CHECK_INT (s_cli (push), 0);
    CHECK_INT (tt_stop (ingestd), 0);
    uint64_t head =
        strtoull (TT_VALUE ("SELECT head FROM ingest.feed_head WHERE feed = 'events'"), NULL, 10);
    CHECK (head > 4000);

    //  A copy of the database for the clean run.
    char clean[128], sql[512], clean_url[1100], clean_admin[1100];
    snprintf (clean, sizeof clean, "%s_clean", tt_env.dbname);
    jy_db_destroy (&tt_env.db);
    jy_db_t *admin = jy_db_new (jy_test_db_url ());
    CHECK_INT (jy_db_connect (admin, 10000), 0);
    snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS %s", clean);
    jy_db_exec (admin, sql, 0, NULL);
    snprintf (sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", clean, tt_env.dbname);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);
    tt_env.db = jy_db_new (tt_env.admin_url);
    CHECK_INT (jy_db_connect (tt_env.db, 10000), 0);

    //  Killed while it catches up, as soon as its first batch has committed.
    pid_t timelinessd = tt_spawn ("timeliness/journey-timelinessd", "kill-1.log", today);
    uint64_t position = 0;
    for (int poll = 0; poll < 20000 && position == 0; poll++) {
        position = s_saved_position (tt_env.db);
        if (position == 0)
            nanosleep (&(struct timespec){0, 1000 * 1000}, NULL);
    }
    kill (timelinessd, SIGKILL);
    CHECK_INT (jy_test_wait_exit (timelinessd, 1000), 128 + SIGKILL);
    position = s_saved_position (tt_env.db);
    printf ("killed at event %llu of %llu\n", (unsigned long long) position,
            (unsigned long long) head);
    CHECK (position > 0 && position < head);
    zsock_t *timeliness = tt_dealer (tt_env.timeliness_request);
    timelinessd = tt_spawn ("timeliness/journey-timelinessd", "kill-2.log", today);
    CHECK (tt_caught_up (timeliness));
    CHECK_INT (tt_stop (timelinessd), 0);
    char deadlines[256], alerts[256];
    s_digest (tt_env.db, deadlines, alerts, sizeof deadlines);

    //  The clean run, on the copy.
    snprintf (clean_url, sizeof clean_url, "%s_clean", tt_env.timeliness_url);
    snprintf (clean_admin, sizeof clean_admin, "%s_clean", tt_env.admin_url);
    setenv ("JOURNEY_DATABASE_TIMELINESS_URL", clean_url, 1);
    jy_db_t *clean_db = jy_db_new (clean_admin);
    CHECK_INT (jy_db_connect (clean_db, 10000), 0);
    timelinessd = tt_spawn ("timeliness/journey-timelinessd", "clean.log", today);
    for (int poll = 0; poll < 30000 && s_saved_position (clean_db) < head; poll++)
        nanosleep (&(struct timespec){0, 2 * 1000 * 1000}, NULL);
    CHECK (tt_caught_up (timeliness));
    CHECK_INT (tt_stop (timelinessd), 0);
    char clean_deadlines[256], clean_alerts[256];
    s_digest (clean_db, clean_deadlines, clean_alerts, sizeof clean_deadlines);
    printf ("deadlines %s; alerts %s\n", deadlines, alerts);
    CHECK_STR (deadlines, clean_deadlines);
    CHECK_STR (alerts, clean_alerts);
    //  Gap-free, each (deadline, kind) once, and there are some.
    CHECK (strstr (alerts, " true true") != NULL);
    CHECK (strstr (alerts, " 0 ") == NULL);
    setenv ("JOURNEY_DATABASE_TIMELINESS_URL", tt_env.timeliness_url, 1);

    jy_db_destroy (&clean_db);
    snprintf (sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", clean);
    CHECK_INT (jy_db_exec (admin, sql, 0, NULL), 0);
    jy_db_destroy (&admin);
    zsock_destroy (&timeliness);
}

int main (void)
{
    if (!getenv ("JOURNEY_SERVICES_DIR") || !getenv ("JOURNEY_CLI") ||
        !getenv ("JOURNEY_DATABASE_TIMELINESS_URL"))
        return 77;
    jy_log_init ("test_replay", JY_LOG_ERROR);
    char err[256];
    jy_config_t *config =
        jy_config_load (NULL, jy_config_default_defaults_path (), err, sizeof err);
    assert (config);
    s_clocks = tl_clocks_new (config);
    s_calendar = jy_calendar_new ();
    assert (s_clocks && s_calendar);

    if (tt_setup ("replay") != 0)
        return 1;
    s_test_day_by_day ();
    tt_teardown ();

    if (tt_setup ("killed") != 0)
        return 1;
    s_test_killed ();
    tt_teardown ();

    tl_clocks_destroy (&s_clocks);
    jy_calendar_destroy (&s_calendar);
    jy_config_destroy (&config);
    return jy_test_summary ("test_replay");
}
