/*  The board pack against a small hand-worked dataset: a fresh database, migrated, with rows
    inserted directly into the tables the pack reads (deadlines, CP plans, audits, disputes
    and their steps, dead letters), read back through the read-only reporting role.

    Checked: numerators, denominators and values of measures in the period, the previous
    period, a trend month and per team, with rating, direction and exception; each section
    table cell by cell, with the boundaries (due exactly on the period's last day is not
    overdue, met on it is met; a dispute resolved on its overall limit is in time; a plan of
    exactly two years is long; a dead letter received at 00:30 BST on 1 April is April's);
    suppression in JSON, CSV and HTML; the JSON and CSV shapes; HTML escaping; that every
    measure and table links to its appendix definition; and that no child or worker id appears
    in any file of the pack. The measures' own definitions are tested one by one in
    tests/unit/test_measures.c; this test is about the pack built from them.
*/
#include <jansson.h>
#include <unistd.h>

#include "reporting_test.h"
#include "pack.h"
#include "render.h"
#include "schedule.h"

static jy_db_t *s_admin;

//  --- The dataset ---------------------------------------------------------------------------

static void s_insert_dataset (void)
{
    //  Assessments (clock 'assessment'): met in Q1 2025 D1..D5, 3 in time; D6 in Q4 2024.
    //  D1 is met exactly on its due date (in time).
    RT_SQL (s_admin,
            "INSERT INTO timeliness.deadline (id, la_code, child_id, clock, anchor, started_on,"
            " due_on, state, met_on, team_id, worker_id, first_seen_on, backfill, updated_on)"
            " VALUES"
            " (1, '872', 'CHX001', 'assessment', 'A1', '2024-12-09', '2025-02-10', 'met_on_time',"
            "  '2025-02-10', 'T1', 'WKX01', '2025-01-01', false, '2025-02-10'),"
            " (2, '872', 'CHX002', 'assessment', 'A2', '2024-12-17', '2025-02-20', 'met_late',"
            "  '2025-02-21', 'T1', 'WKX01', '2025-01-01', false, '2025-02-21'),"
            " (3, '872', 'CHX003', 'assessment', 'A3', '2025-01-02', '2025-03-05', 'met_on_time',"
            "  '2025-03-01', 'T1', 'WKX02', '2025-01-02', false, '2025-03-01'),"
            " (4, '872', 'CHX004', 'assessment', 'A4', '2024-11-12', '2025-01-15', 'met_on_time',"
            "  '2025-01-14', 'T2', 'WKX03', '2024-11-12', false, '2025-01-14'),"
            " (5, '872', 'CHX005', 'assessment', 'A5', '2024-10-21', '2024-12-20', 'met_late',"
            "  '2025-01-02', 'T2', 'WKX03', '2024-10-21', false, '2025-01-02'),"
            " (6, '872', 'CHX006', 'assessment', 'A6', '2024-09-03', '2024-11-01', 'met_on_time',"
            "  '2024-11-01', 'T2', 'WKX03', '2024-09-03', false, '2024-11-01')");
    //  Overdue at 2025-03-31: 11, 13, 17, 18 (cp_visit, T1) and 16 (iha, T2). Not overdue: 12
    //  (due on the last day), 14 (cancelled first), 15 (met on the last day).
    RT_SQL (
        s_admin,
        "INSERT INTO timeliness.deadline (id, la_code, child_id, clock, anchor, started_on,"
        " due_on, state, met_on, cancelled_on, team_id, first_seen_on, backfill, updated_on)"
        " VALUES"
        " (11, '872', 'CHX011', 'cp_visit', 'V1', '2025-03-01', '2025-03-14', 'missed', NULL,"
        "  NULL, 'T1', '2025-03-01', false, '2025-03-15'),"
        " (12, '872', 'CHX012', 'cp_visit', 'V2', '2025-03-17', '2025-03-31', 'open', NULL,"
        "  NULL, 'T1', '2025-03-17', false, '2025-03-17'),"
        " (13, '872', 'CHX013', 'cp_visit', 'V3', '2025-03-06', '2025-03-20', 'met_late',"
        "  '2025-04-02', NULL, 'T1', '2025-03-06', false, '2025-04-02'),"
        " (14, '872', 'CHX014', 'cp_visit', 'V4', '2025-02-24', '2025-03-10', 'cancelled', NULL,"
        "  '2025-03-25', 'T2', '2025-02-24', false, '2025-03-25'),"
        " (15, '872', 'CHX015', 'cp_visit', 'V5', '2025-01-20', '2025-02-01', 'met_late',"
        "  '2025-03-31', NULL, 'T1', '2025-01-20', false, '2025-03-31'),"
        " (16, '872', 'CHX016', 'iha', 'H1', '2025-02-03', '2025-03-03', 'missed', NULL,"
        "  NULL, 'T2', '2025-02-03', false, '2025-03-04'),"
        " (17, '872', 'CHX017', 'cp_visit', 'V6', '2025-03-01', '2025-03-15', 'missed', NULL,"
        "  NULL, 'T1', '2025-03-01', false, '2025-03-16'),"
        " (18, '872', 'CHX018', 'cp_visit', 'V7', '2025-03-01', '2025-03-15', 'missed', NULL,"
        "  NULL, 'T1', '2025-03-01', false, '2025-03-16')");
    //  CP plans: open at 2025-03-31: P1 and P3 (started on the last day); P2 ended on it. Ended
    //  in Q1: P2, P4 (exactly two years: long), P5 (a day short of two years).
    RT_SQL (s_admin, "INSERT INTO ingest.cp_plan (la_code, child_id, plan_id, started_on, ended_on)"
                     " VALUES ('872', 'CHX021', 'P1', '2024-06-01', NULL),"
                     " ('872', 'CHX022', 'P2', '2025-01-10', '2025-03-31'),"
                     " ('872', 'CHX023', 'P3', '2025-03-31', NULL),"
                     " ('872', 'CHX024', 'P4', '2023-02-15', '2025-02-15'),"
                     " ('872', 'CHX025', 'P5', '2023-02-16', '2025-02-15')");
    //  Audits in Q1: T1 good, good, outstanding; T2 inadequate on the last day. Outside: a good
    //  one on 1 April and one in Q4 2024.
    RT_SQL (s_admin,
            "INSERT INTO ingest.audit (la_code, child_id, event_id, audited_on, grade, team_id,"
            " worker_id) VALUES"
            " ('872', 'CHX031', 'E1', '2025-01-10', 'good', 'T1', 'WKX01'),"
            " ('872', 'CHX032', 'E2', '2025-02-01', 'good', 'T1', 'WKX01'),"
            " ('872', 'CHX033', 'E3', '2025-03-03', 'outstanding', 'T1', 'WKX02'),"
            " ('872', 'CHX034', 'E4', '2025-03-31', 'inadequate', 'T2', 'WKX03'),"
            " ('872', 'CHX035', 'E5', '2025-04-01', 'good', 'T2', 'WKX03'),"
            " ('872', 'CHX036', 'E6', '2024-12-31', 'good', 'T1', 'WKX01')");
    //  Disputes. IRO: X1 resolved on its overall limit (in time), X2 resolved late, X3 open and
    //  due on the last day (not past), X5 raised in Q4, open past its limit, referred to
    //  Cafcass in Q1, X6 withdrawn. CP chair: X4 a safety concern, open past its limit.
    RT_SQL (s_admin,
            "INSERT INTO escalation.dispute (la_code, child_id, category, stage, state,"
            " raised_by, raised_role, raised_on, stage_entered_on, due_on, overall_due_on,"
            " safety, cafcass_referred_on, closed_on, last_hash, updated_at) VALUES"
            " ('872', 'CHX041', 'care-plan', 2, 'resolved', 'IRO1', 'iro', '2025-01-06',"
            "  '2025-01-20', '2025-01-27', '2025-02-03', false, NULL, '2025-02-03', '', now()),"
            " ('872', 'CHX042', 'reviews', 3, 'resolved', 'IRO1', 'iro', '2025-02-03',"
            "  '2025-04-05', '2025-04-11', '2025-03-03', false, NULL, '2025-03-10', '', now()),"
            " ('872', 'CHX043', 'care-plan', 1, 'open', 'IRO2', 'iro', '2025-03-03',"
            "  '2025-03-03', '2025-03-10', '2025-03-31', false, NULL, NULL, '', now()),"
            " ('872', 'CHX044', 'practice', 4, 'open', 'CPC1', 'cp-chair', '2025-01-10',"
            "  '2025-01-10', '2025-01-17', '2025-02-07', true, NULL, NULL, '', now()),"
            " ('872', 'CHX045', 'resources', 1, 'open', 'IRO2', 'iro', '2024-12-02',"
            "  '2024-12-02', '2024-12-09', '2024-12-30', false, '2025-01-20', NULL, '', now()),"
            " ('872', 'CHX046', 'care-plan', 1, 'withdrawn', 'IRO1', 'iro', '2025-03-20',"
            "  '2025-03-20', '2025-03-27', '2025-04-17', false, NULL, '2025-03-25', '', now())");
    //  Steps: X1 went to stage 2 in January; X2 to 2 in February and 3 only in April (after the
    //  period, so stage 2 was the highest reached by its end); X4 started at stage 4.
    RT_SQL (s_admin,
            "INSERT INTO escalation.dispute_step (la_code, dispute_id, n, verb, by_user, role, at,"
            " stage_from, stage_to, prev_hash, hash)"
            " SELECT '872', x.id, s.n, s.verb, 'someone', 'iro', s.at::timestamptz, s.stage_from,"
            " s.stage_to, repeat ('0', 64), repeat ('a', 64)"
            " FROM escalation.dispute x JOIN (VALUES"
            "  ('CHX041', 1, 'raise', '2025-01-06 10:00Z', 0, 1),"
            "  ('CHX041', 2, 'escalate', '2025-01-20 10:00Z', 1, 2),"
            "  ('CHX042', 1, 'raise', '2025-02-03 10:00Z', 0, 1),"
            "  ('CHX042', 2, 'escalate', '2025-02-10 10:00Z', 1, 2),"
            "  ('CHX042', 3, 'escalate', '2025-04-05 10:00Z', 2, 3),"
            "  ('CHX044', 1, 'raise', '2025-01-10 10:00Z', 0, 4))"
            " s(child, n, verb, at, stage_from, stage_to) ON s.child = x.child_id");
    //  Dead letters: two bad_date in February, a conflict in December, and two unreadable
    //  frames (LA '') on 31 March at 23:30 BST (in the period) and 00:30 BST on 1 April (not).
    RT_SQL (s_admin,
            "INSERT INTO ingest.dead_letter (la_code, event_id, child_id, received_at, code,"
            " message, raw) VALUES"
            " ('872', 'EV1', 'CHX051', '2025-02-01 10:00Z', 'bad_date', 'x', '\\x00'),"
            " ('872', 'EV2', 'CHX052', '2025-02-01 10:00Z', 'bad_date', 'x', '\\x00'),"
            " ('872', 'EV3', 'CHX053', '2024-12-15 10:00Z', 'conflict', 'x', '\\x00'),"
            " ('', NULL, NULL, '2025-03-31 22:30Z', 'bad_frame', 'x', '\\x00'),"
            " ('', NULL, NULL, '2025-03-31 23:30Z', 'bad_frame', 'x', '\\x00'),"
            " ('999', 'EV4', 'CHX054', '2025-02-01 10:00Z', 'bad_date', 'x', '\\x00')");
}

//  --- Helpers -------------------------------------------------------------------------------

static const rp_measure_t *s_measure (rp_pack_t *pack, const char *name)
{
    const rp_measure_t *measure = rp_pack_find_measure (pack, name);
    if (!measure) {
        fprintf (stderr, "measure %s is not in the pack\n", name);
        abort ();
    }
    return measure;
}

static const rp_team_figure_t *s_team (const rp_measure_t *measure, const char *team)
{
    for (size_t i = 0; i < measure->team_count; i++)
        if (strcmp (measure->teams[i].team_id, team) == 0)
            return &measure->teams[i];
    return NULL;
}

//  A table cell as text: the row whose first cell is row_label, the column headed column.
static char s_cell_text[64];
static const char *s_cell (rp_pack_t *pack, const char *table_id, const char *row_label,
                           const char *column)
{
    const rp_table_t *table = rp_pack_find_table (pack, table_id);
    snprintf (s_cell_text, sizeof s_cell_text, "(no cell)");
    if (!table)
        return s_cell_text;
    for (size_t r = 0; r < table->row_count; r++) {
        const rp_cell_t *row = &table->cells[r * table->column_count];
        if (!row[0].text || strcmp (row[0].text, row_label) != 0)
            continue;
        for (size_t c = 0; c < table->column_count; c++)
            if (strcmp (table->headers[c], column) == 0) {
                if (row[c].text)
                    snprintf (s_cell_text, sizeof s_cell_text, "%s", row[c].text);
                else if (row[c].suppressed)
                    snprintf (s_cell_text, sizeof s_cell_text, "suppressed");
                else
                    snprintf (s_cell_text, sizeof s_cell_text, "%.0f", row[c].count);
            }
    }
    return s_cell_text;
}

//  Settings from the defaults and the environment; the configuration stays alive with them.
static jy_config_t *s_config;
static rp_settings_t *s_settings (const char *suppress_below)
{
    setenv ("JOURNEY_REPORTING_SUPPRESS_BELOW", suppress_below, 1);
    char error[512];
    jy_config_destroy (&s_config);
    s_config = jy_config_load (NULL, jy_config_default_defaults_path (), error, sizeof error);
    CHECK (s_config != NULL);
    rp_settings_t *settings = s_config ? rp_settings_new (s_config) : NULL;
    if (!settings)
        fprintf (stderr, "settings: %s\n", s_config ? jy_config_error (s_config) : error);
    CHECK (settings != NULL);
    return settings;
}

//  The JSON measure with that name.
static json_t *s_json_measure (json_t *document, const char *name)
{
    size_t index;
    json_t *measure;
    json_array_foreach (json_object_get (document, "measures"), index, measure)
    {
        if (strcmp (json_string_value (json_object_get (measure, "name")), name) == 0)
            return measure;
    }
    return NULL;
}

static double s_json_number (json_t *object, const char *key)
{
    json_t *value = json_object_get (object, key);
    return json_is_number (value) ? json_number_value (value) : -1;
}

//  The JSON team figure of a measure.
static json_t *s_json_team (json_t *measure, const char *team)
{
    size_t index;
    json_t *figure;
    json_array_foreach (json_object_get (measure, "teams"), index, figure)
    {
        if (strcmp (json_string_value (json_object_get (figure, "team_id")), team) == 0)
            return figure;
    }
    return NULL;
}

//  Fields in one CSV line (RFC 4180 quoting).
static int s_csv_fields (const char *line)
{
    int fields = 1;
    bool quoted = false;
    for (const char *p = line; *p && *p != '\r' && *p != '\n'; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (*p == ',' && !quoted)
            fields++;
    }
    return fields;
}

//  Every line of a CSV file has as many fields as its header; returns the lines (header
//  included), or -1 when they differ.
static int s_csv_shape (const char *path)
{
    char *text = rt_read_file (path);
    if (!text)
        return -1;
    int lines = 0, width = -1;
    for (char *line = text; *line;) {
        int fields = s_csv_fields (line);
        if (width < 0)
            width = fields;
        else if (fields != width) {
            fprintf (stderr, "%s: line %d has %d fields, not %d\n", path, lines + 1, fields, width);
            free (text);
            return -1;
        }
        lines++;
        char *end = strstr (line, "\r\n");
        if (!end)
            break;
        line = end + 2;
    }
    free (text);
    return lines;
}

//  No child or worker id of the dataset in text.
static void s_check_no_ids (const char *what, const char *text)
{
    bool clean = text && !strstr (text, "CHX") && !strstr (text, "WKX");
    if (!clean)
        fprintf (stderr, "%s holds a child or worker id\n", what);
    CHECK (clean);
}

//  --- Checks --------------------------------------------------------------------------------

static void s_check_helpers (void)
{
    jy_date_t from, to;
    rp_pack_previous_period (D ("2025-01-01"), D ("2025-03-31"), &from, &to);
    CHECK_DATE (from, "2024-10-01");
    CHECK_DATE (to, "2024-12-31");
    rp_pack_previous_period (D ("2025-03-01"), D ("2025-03-31"), &from, &to);
    CHECK_DATE (from, "2025-02-01");
    CHECK_DATE (to, "2025-02-28");
    rp_pack_previous_period (D ("2025-01-10"), D ("2025-01-19"), &from, &to);
    CHECK_DATE (from, "2024-12-31");
    CHECK_DATE (to, "2025-01-09");
    jy_date_t months[RP_MAX_MONTHS];
    CHECK_INT (rp_pack_trend_months (D ("2025-01-01"), D ("2025-03-31"), months, RP_MAX_MONTHS),
               12);
    CHECK_DATE (months[0], "2024-04-01");
    CHECK_DATE (months[11], "2025-03-01");
    CHECK_INT (rp_pack_trend_months (D ("2023-01-01"), D ("2025-03-15"), months, RP_MAX_MONTHS),
               27);
    CHECK_DATE (months[0], "2023-01-01");

    rp_schedule_period (RP_EVERY_QUARTER, D ("2025-04-01"), &from, &to);
    CHECK_DATE (from, "2025-01-01");
    CHECK_DATE (to, "2025-03-31");
    rp_schedule_period (RP_EVERY_QUARTER, D ("2025-03-31"), &from, &to);
    CHECK_DATE (from, "2024-10-01");
    CHECK_DATE (to, "2024-12-31");
    rp_schedule_period (RP_EVERY_MONTH, D ("2024-03-01"), &from, &to);
    CHECK_DATE (from, "2024-02-01");
    CHECK_DATE (to, "2024-02-29");

    //  A schedule's record: none at first, then the latest period; it never moves back.
    char dir[] = "/tmp/jy-schedule-XXXXXX";
    CHECK (mkdtemp (dir) != NULL);
    rp_schedule_t schedule = {.name = "quarterly", .out_dir = dir, .la_code = "872"};
    CHECK_INT (rp_schedule_done_to (&schedule), JY_DATE_INVALID);
    CHECK_INT (rp_schedule_set_done (&schedule, D ("2025-03-31")), 0);
    CHECK_DATE (rp_schedule_done_to (&schedule), "2025-03-31");
    CHECK_INT (rp_schedule_set_done (&schedule, D ("2024-12-31")), 0);
    CHECK_DATE (rp_schedule_done_to (&schedule), "2025-03-31");
    char path[128];
    snprintf (path, sizeof path, "%s/.schedule-quarterly-872", dir);
    FILE *file = fopen (path, "w");
    CHECK (file != NULL);
    if (file) {
        fputs ("2025-02-30\n", file); //  not a date: as if there were none
        fclose (file);
    }
    CHECK_INT (rp_schedule_done_to (&schedule), JY_DATE_INVALID);
    unlink (path);

    //  A schedule's directory must lie under the root: one outside stops the daemon at start,
    //  naming the key; one under it is kept, absolute.
    char config_path[128], load_error[256];
    snprintf (config_path, sizeof config_path, "%s/schedules.cfg", dir);
    const char *suffixes[] = {NULL, "/../elsewhere", "/monthly"};
    for (size_t i = 0; i < 3; i++) {
        char out_dir[128];
        snprintf (out_dir, sizeof out_dir, "%s%s", suffixes[i] ? dir : "/var/elsewhere",
                  suffixes[i] ? suffixes[i] : "");
        file = fopen (config_path, "w");
        assert (file);
        fprintf (file,
                 "reporting\n    schedules\n        monthly\n            every = \"month\"\n"
                 "            out_dir = \"%s\"\n",
                 out_dir);
        fclose (file);
        jy_config_t *config = jy_config_load (config_path, NULL, load_error, sizeof load_error);
        CHECK (config != NULL);
        rp_schedules_t *schedules = config ? rp_schedules_new (config, dir, dir, "872") : NULL;
        if (i < 2) {
            CHECK (schedules == NULL);
            CHECK (config &&
                   strstr (jy_config_error (config), "reporting/schedules/monthly/out_dir"));
            CHECK (config && strstr (jy_config_error (config),
                                     i == 0 ? "which is not under the root" : "plain names"));
        } else {
            CHECK (schedules && rp_schedules_count (schedules) == 1);
            if (schedules)
                CHECK_STR (rp_schedules_get (schedules, 0)->out_dir, out_dir);
        }
        rp_schedules_destroy (&schedules);
        jy_config_destroy (&config);
    }
    unlink (config_path);
    rmdir (dir);

    unsigned formats = 0;
    char error[128];
    CHECK_INT (rp_formats_parse ("html,json", &formats, error, sizeof error), 0);
    CHECK_INT (formats, RP_FORMAT_HTML | RP_FORMAT_JSON);
    CHECK_INT (rp_formats_parse ("pdf", &formats, error, sizeof error), -1);
    CHECK_STR (error, "\"pdf\" is not a format (html, csv, json)");

    char text[64];
    CHECK_STR (rp_format_number (JY_UNIT_PERCENT, 60, text, sizeof text), "60.0%");
    CHECK_STR (rp_format_number (JY_UNIT_COUNT, 1234567, text, sizeof text), "1,234,567");
    CHECK_STR (rp_format_number (JY_UNIT_DAYS, 426.4, text, sizeof text), "426 days");
    CHECK_STR (rp_format_number (JY_UNIT_RATE_PER_10K, 20, text, sizeof text), "20.0");
}

static void s_check_figures (rp_pack_t *pack)
{
    //  Assessments: 3 of 5 met in the period were in time; Q4: 1 of 1.
    const rp_measure_t *assessments = s_measure (pack, "assessments_in_time");
    CHECK_INT (assessments->current.numerator, 3);
    CHECK_INT (assessments->current.denominator, 5);
    CHECK_INT (assessments->current.value * 10, 600);
    CHECK (!assessments->current.suppressed);
    CHECK_INT (assessments->previous.numerator, 1);
    CHECK_INT (assessments->previous.denominator, 1);
    CHECK_INT (assessments->direction, RP_DIRECTION_WORSE);
    CHECK_INT (assessments->rating, JY_RATING_RED); //  target 85, tolerance 5 (the defaults)
    CHECK_INT (assessments->previous_rating, JY_RATING_GREEN);
    CHECK (rp_measure_is_exception (assessments));
    //  January 2025 is the 10th trend month (April 2024 first): D4 in time, D5 late.
    CHECK_DATE (rp_pack_month (pack, 9), "2025-01-01");
    CHECK_INT (assessments->months[9].numerator, 1);
    CHECK_INT (assessments->months[9].denominator, 2);
    CHECK_INT (assessments->months[10].numerator, 1); //  February: D1 (on the day), D2 late
    CHECK_INT (assessments->months[10].denominator, 2);
    CHECK_INT (assessments->months[0].denominator, 0);
    CHECK (!assessments->months[0].has_value);
    const rp_team_figure_t *t1 = s_team (assessments, "T1");
    const rp_team_figure_t *t2 = s_team (assessments, "T2");
    CHECK (t1 && t2);
    if (t1 && t2) {
        CHECK_INT (t1->figure.numerator, 2);
        CHECK_INT (t1->figure.denominator, 3);
        CHECK_INT (t2->figure.numerator, 1);
        CHECK_INT (t2->figure.denominator, 2);
    }

    //  CP plans open at the end: P1 and P3, per 10,000 of 1,000 children.
    const rp_measure_t *cp_rate = s_measure (pack, "cp_rate");
    CHECK_INT (cp_rate->current.numerator, 2);
    CHECK_INT (cp_rate->current.denominator, 1000);
    CHECK_INT (cp_rate->current.value * 10, 200);
    CHECK_INT (cp_rate->team_count, 0);
    //  Plans ended in the period lasting two years or more: P4 (exactly two years) of 3.
    const rp_measure_t *long_plans = s_measure (pack, "long_cp_plans");
    CHECK_INT (long_plans->current.numerator, 1);
    CHECK_INT (long_plans->current.denominator, 3);
    //  Audits graded good or outstanding: 3 of 4.
    const rp_measure_t *audits = s_measure (pack, "audits_good_or_better");
    CHECK_INT (audits->current.numerator, 3);
    CHECK_INT (audits->current.denominator, 4);
    CHECK_INT (audits->previous.numerator, 1);
    CHECK_INT (audits->direction, RP_DIRECTION_WORSE); //  75% after 100%
}

static void s_check_tables (rp_pack_t *pack)
{
    const char *t = "overdue_by_clock_team";
    CHECK_STR (s_cell (pack, t, "cp_visit", "T1"), "4");
    CHECK_STR (s_cell (pack, t, "cp_visit", "T2"), "0");
    CHECK_STR (s_cell (pack, t, "cp_visit", "Total"), "4");
    CHECK_STR (s_cell (pack, t, "iha", "T2"), "1");
    CHECK_STR (s_cell (pack, t, "Total", "Total"), "5");
    CHECK_STR (s_cell (pack, t, "assessment", "T1"), "(no cell)"); //  all met
    const rp_table_t *overdue = rp_pack_find_table (pack, t);
    CHECK (overdue && overdue->column_count == 4 && strcmp (overdue->headers[1], "T1") == 0);

    t = "timeliness_trend";
    CHECK_STR (s_cell (pack, t, "2025-03", "Overdue at month end"), "5");
    CHECK_STR (s_cell (pack, t, "2025-03", "Fell due in month"), "8");
    CHECK_STR (s_cell (pack, t, "2025-03", "Met by the due date"), "1");
    //  At the end of February: 15 was past its due date (1 Feb) and met only on 31 March.
    CHECK_STR (s_cell (pack, t, "2025-02", "Overdue at month end"), "1");
    CHECK_STR (s_cell (pack, t, "2024-04", "Fell due in month"), "0");

    t = "disputes_summary";
    CHECK_STR (s_cell (pack, t, "IRO", "Raised"), "4");
    CHECK_STR (s_cell (pack, t, "IRO", "Safety"), "0");
    CHECK_STR (s_cell (pack, t, "IRO", "Resolved"), "2");
    CHECK_STR (s_cell (pack, t, "IRO", "Resolved in time"), "1");
    CHECK_STR (s_cell (pack, t, "IRO", "Withdrawn"), "1");
    CHECK_STR (s_cell (pack, t, "IRO", "Open at end"), "2");
    CHECK_STR (s_cell (pack, t, "IRO", "Open past limit"), "1");
    CHECK_STR (s_cell (pack, t, "IRO", "Cafcass referrals"), "1");
    CHECK_STR (s_cell (pack, t, "CP chair", "Raised"), "1");
    CHECK_STR (s_cell (pack, t, "CP chair", "Safety"), "1");
    CHECK_STR (s_cell (pack, t, "CP chair", "Open past limit"), "1");

    t = "disputes_stage_reached";
    CHECK_STR (s_cell (pack, t, "IRO", "Stage 1"), "2");
    CHECK_STR (s_cell (pack, t, "IRO", "Stage 2"), "2");
    CHECK_STR (s_cell (pack, t, "IRO", "Stage 3"), "(no cell)");
    CHECK_STR (s_cell (pack, t, "CP chair", "Stage 4"), "1");
    CHECK_STR (s_cell (pack, t, "Total", "Total"), "5");

    t = "disputes_by_category";
    CHECK_STR (s_cell (pack, t, "care-plan", "This period"), "3");
    CHECK_STR (s_cell (pack, t, "resources", "Previous period"), "1");

    t = "audit_grades";
    CHECK_STR (s_cell (pack, t, "outstanding", "This period"), "1");
    CHECK_STR (s_cell (pack, t, "good", "This period"), "2");
    CHECK_STR (s_cell (pack, t, "requires_improvement", "This period"), "0");
    CHECK_STR (s_cell (pack, t, "inadequate", "This period"), "1");
    CHECK_STR (s_cell (pack, t, "good", "Previous period"), "1");
    t = "audit_grades_by_team";
    CHECK_STR (s_cell (pack, t, "T1", "good"), "2");
    CHECK_STR (s_cell (pack, t, "T1", "Total"), "3");
    CHECK_STR (s_cell (pack, t, "T2", "inadequate"), "1");
    const rp_table_t *grades = rp_pack_find_table (pack, t);
    CHECK (grades && grades->column_count == 5 && strcmp (grades->headers[1], "outstanding") == 0 &&
           strcmp (grades->headers[2], "good") == 0);

    t = "rejections_by_code";
    CHECK_STR (s_cell (pack, t, "bad_date", "This period"), "2");
    CHECK_STR (s_cell (pack, t, "bad_date", "All on record"), "2"); //  not LA 999's
    CHECK_STR (s_cell (pack, t, "conflict", "Previous period"), "1");
    CHECK_STR (s_cell (pack, t, "bad_frame", "This period"), "1");
    CHECK_STR (s_cell (pack, t, "bad_frame", "All on record"), "2");
}

static void s_check_files (rp_pack_t *pack, const char *dir)
{
    zlist_t *paths = zlist_new ();
    zlist_autofree (paths);
    char error[512] = "";
    CHECK_INT (rp_render_write (pack, RP_FORMAT_ALL, dir, dir, paths, error, sizeof error), 0);
    CHECK_STR (error, "");
    size_t tables = rp_pack_table_count (pack);
    CHECK_INT (zlist_size (paths), 2 + 3 + tables);
    char path[1024];
    snprintf (path, sizeof path, "%s/board-pack-872-2025-01-01-to-2025-03-31.html", dir);
    CHECK_STR ((const char *) zlist_first (paths), path);
    CHECK (rp_render_exists (dir, "872", D ("2025-01-01"), D ("2025-03-31"), RP_FORMAT_ALL));
    CHECK (!rp_render_exists (dir, "872", D ("2024-10-01"), D ("2024-12-31"), RP_FORMAT_HTML));

    //  Every file: no child or worker id; CSV files rectangular.
    for (char *file = (char *) zlist_first (paths); file; file = (char *) zlist_next (paths)) {
        char *text = rt_read_file (file);
        CHECK (text != NULL);
        s_check_no_ids (file, text);
        free (text);
        if (strstr (file, ".csv"))
            CHECK (s_csv_shape (file) >= 1);
    }
    snprintf (path, sizeof path, "%s/board-pack-872-2025-01-01-to-2025-03-31-csv/measures.csv",
              dir);
    CHECK_INT (s_csv_shape (path), (int) rp_pack_measure_count (pack) + 1);
    char *measures = rt_read_file (path);
    CHECK (measures &&
           strncmp (measures, "section,measure,label,unit,polarity,numerator,denominator,value,",
                    64) == 0);
    CHECK (measures && strstr (measures, ",assessments_in_time,C&F assessments completed within "
                                         "45 working days,percent,higher_better,3,5,60.0,1,1,"
                                         "100.0,worse,85.0,5.0,red,green,"));
    free (measures);
    snprintf (path, sizeof path,
              "%s/board-pack-872-2025-01-01-to-2025-03-31-csv/overdue_by_clock_team.csv", dir);
    char *overdue = rt_read_file (path);
    CHECK (overdue && strncmp (overdue, "Clock,T1,T2,Total\r\n", 19) == 0);
    CHECK (overdue && strstr (overdue, "\r\ncp_visit,4,0,4\r\n"));
    free (overdue);

    //  The HTML: escaped text, every measure and table linked to its definition.
    snprintf (path, sizeof path, "%s/board-pack-872-2025-01-01-to-2025-03-31.html", dir);
    char *html = rt_read_file (path);
    CHECK (html && strstr (html, "Test &lt;Borough&gt; &amp; &quot;Co&quot;"));
    CHECK (html && !strstr (html, "<Borough>"));
    CHECK (html && strstr (html, "Content-Security-Policy"));
    CHECK (html && !strstr (html, "https://") && !strstr (html, "<script") &&
           !strstr (html, "<link"));
    for (size_t i = 0; html && i < rp_pack_measure_count (pack); i++) {
        const char *name = rp_pack_measure (pack, i)->def->name;
        char anchor[128], link[128];
        snprintf (anchor, sizeof anchor, "id=\"m-%s\"", name);
        snprintf (link, sizeof link, "href=\"#m-%s\"", name);
        bool traced = strstr (html, anchor) && strstr (html, link);
        if (!traced)
            fprintf (stderr, "measure %s has no appendix definition or no link to it\n", name);
        CHECK (traced);
    }
    for (size_t i = 0; html && i < tables; i++) {
        const char *id = rp_pack_table (pack, i)->id;
        char anchor[128], link[128];
        snprintf (anchor, sizeof anchor, "id=\"t-%s\"", id);
        snprintf (link, sizeof link, "href=\"#t-%s\"", id);
        CHECK (strstr (html, anchor) && strstr (html, link));
    }
    //  Every external-looking reference is the SVG namespace, which loads nothing.
    for (const char *p = html ? strstr (html, "http://") : NULL; p; p = strstr (p + 1, "http://"))
        CHECK (strncmp (p, "http://www.w3.org/2000/svg", 26) == 0);
    free (html);

    //  The JSON: numerators and denominators as the pack holds them.
    snprintf (path, sizeof path, "%s/board-pack-872-2025-01-01-to-2025-03-31.json", dir);
    json_error_t json_error;
    json_t *document = json_load_file (path, 0, &json_error);
    CHECK (document != NULL);
    json_t *measure = document ? s_json_measure (document, "assessments_in_time") : NULL;
    CHECK (measure != NULL);
    if (measure) {
        json_t *current = json_object_get (measure, "current");
        CHECK_INT (s_json_number (current, "numerator"), 3);
        CHECK_INT (s_json_number (current, "denominator"), 5);
        CHECK_INT (s_json_number (current, "value") * 10, 600);
        CHECK_STR (json_string_value (json_object_get (measure, "rating")), "red");
        CHECK_STR (json_string_value (json_object_get (measure, "direction")), "worse");
        CHECK_INT (json_array_size (json_object_get (measure, "months")), 12);
    }
    CHECK_STR (document ? json_string_value (json_object_get (document, "previous_from")) : NULL,
               "2024-10-01");
    CHECK_INT (document ? json_array_size (json_object_get (document, "tables")) : 0, tables);
    json_decref (document);
    zlist_destroy (&paths);
}

//  With suppress_below 3, counts of 1 and 2 and what is made from them are hidden everywhere.
static bool s_file_is (const char *path, const char *expected)
{
    char *text = rt_read_file (path);
    bool same = text && strcmp (text, expected) == 0;
    free (text);
    return same;
}

//  The writer follows no symlink another user could plant in the output directory, and writes
//  only under the root: each attempt is refused with the reason and the file outside is left
//  as it was.
static void s_check_planted (rp_pack_t *pack, const char *dir)
{
    char root[600], outside[600], victim[700], link[800], out[700], error[1024];
    snprintf (root, sizeof root, "%s/planted", dir);
    snprintf (outside, sizeof outside, "%s-outside", dir);
    snprintf (victim, sizeof victim, "%s/victim", outside);
    CHECK (zsys_dir_create ("%s", root) == 0 && zsys_dir_create ("%s", outside) == 0);
    FILE *file = fopen (victim, "w");
    assert (file);
    fputs ("precious\n", file);
    fclose (file);
    const char *base = "board-pack-872-2025-01-01-to-2025-03-31";
    zlist_t *paths = zlist_new ();
    zlist_autofree (paths);

    //  At the temporary name the writer used to open (NAME.tmp): never used now.
    snprintf (link, sizeof link, "%s/%s.html.tmp", root, base);
    CHECK (symlink (victim, link) == 0);
    CHECK_INT (rp_render_write (pack, RP_FORMAT_HTML, root, root, paths, error, sizeof error), 0);
    CHECK (s_file_is (victim, "precious\n"));
    //  At the final name: refused, naming it.
    snprintf (link, sizeof link, "%s/%s.json", root, base);
    CHECK (symlink (victim, link) == 0);
    CHECK_INT (rp_render_write (pack, RP_FORMAT_JSON, root, root, paths, error, sizeof error), -1);
    CHECK (strstr (error, ".json is a symlink, not a plain file: refused") != NULL);
    CHECK (s_file_is (victim, "precious\n"));
    //  At the CSV directory's name, pointing to a directory outside: refused, nothing there.
    snprintf (link, sizeof link, "%s/%s-csv", root, base);
    CHECK (symlink (outside, link) == 0);
    CHECK_INT (rp_render_write (pack, RP_FORMAT_CSV, root, root, paths, error, sizeof error), -1);
    CHECK (strstr (error, "which is not under the root") != NULL);
    snprintf (out, sizeof out, "%s/measures.csv", outside);
    CHECK (access (out, F_OK) != 0);

    //  An output directory outside the root, or a symlink inside it leading outside.
    CHECK_INT (rp_render_write (pack, RP_FORMAT_HTML, outside, root, paths, error, sizeof error),
               -1);
    CHECK (strstr (error, "which is not under the root") && strstr (error, root));
    snprintf (link, sizeof link, "%s/escape", root);
    CHECK (symlink (outside, link) == 0);
    CHECK_INT (rp_render_write (pack, RP_FORMAT_HTML, link, root, paths, error, sizeof error), -1);
    CHECK (strstr (error, "which is not under the root") != NULL);
    snprintf (out, sizeof out, "%s/%s.html", outside, base);
    CHECK (access (out, F_OK) != 0);
    CHECK (s_file_is (victim, "precious\n"));
    zlist_destroy (&paths);
    char command[700];
    snprintf (command, sizeof command, "rm -rf '%s'", outside);
    if (system (command) != 0)
        fprintf (stderr, "could not remove %s\n", outside);
}

static void s_check_suppressed (rp_pack_t *pack, const char *dir)
{
    const rp_measure_t *assessments = s_measure (pack, "assessments_in_time");
    CHECK (!assessments->current.suppressed); //  3 of 5
    CHECK (assessments->previous.suppressed); //  1 of 1
    CHECK_INT (assessments->direction, RP_DIRECTION_NONE);
    CHECK_INT (assessments->previous_rating, JY_RATING_NONE);
    const rp_team_figure_t *t1 = s_team (assessments, "T1"); //  2 of 3
    CHECK (t1 && t1->figure.suppressed);
    CHECK (s_measure (pack, "cp_rate")->current.suppressed);       //  2 children
    CHECK (s_measure (pack, "long_cp_plans")->current.suppressed); //  1 of 3
    CHECK_STR (s_cell (pack, "overdue_by_clock_team", "iha", "T2"), "suppressed");
    CHECK_STR (s_cell (pack, "overdue_by_clock_team", "cp_visit", "T1"), "4");
    CHECK_STR (s_cell (pack, "overdue_by_clock_team", "cp_visit", "T2"), "0");
    CHECK_STR (s_cell (pack, "audit_grades", "good", "This period"), "suppressed");

    zlist_t *paths = zlist_new ();
    zlist_autofree (paths);
    char error[512] = "", path[1024];
    CHECK_INT (rp_render_write (pack, RP_FORMAT_ALL, dir, dir, paths, error, sizeof error), 0);
    snprintf (path, sizeof path, "%s/board-pack-872-2025-01-01-to-2025-03-31.json", dir);
    json_error_t json_error;
    json_t *document = json_load_file (path, 0, &json_error);
    json_t *measure = document ? s_json_measure (document, "assessments_in_time") : NULL;
    json_t *team = measure ? s_json_team (measure, "T1") : NULL;
    CHECK (team && json_is_true (json_object_get (team, "suppressed")));
    CHECK (team && !json_object_get (team, "numerator") && !json_object_get (team, "value") &&
           !json_object_get (team, "denominator"));
    json_t *previous = measure ? json_object_get (measure, "previous") : NULL;
    CHECK (previous && json_is_true (json_object_get (previous, "suppressed")));
    CHECK (previous && json_object_size (previous) == 1);
    json_decref (document);

    snprintf (path, sizeof path, "%s/board-pack-872-2025-01-01-to-2025-03-31-csv/measure_teams.csv",
              dir);
    char *teams = rt_read_file (path);
    CHECK (teams && strstr (teams, "\r\nassessments_in_time,T1,<3,<3,<3\r\n"));
    free (teams);
    snprintf (path, sizeof path,
              "%s/board-pack-872-2025-01-01-to-2025-03-31-csv/overdue_by_clock_team.csv", dir);
    char *overdue = rt_read_file (path);
    CHECK (overdue && strstr (overdue, "\r\niha,0,<3,<3\r\n"));
    free (overdue);
    snprintf (path, sizeof path, "%s/board-pack-872-2025-01-01-to-2025-03-31.html", dir);
    char *html = rt_read_file (path);
    CHECK (html && strstr (html, "<td class=\"n\">&lt;3</td>"));
    CHECK (html && strstr (html, "Counts from 1 to 2 are shown as"));
    free (html);
    zlist_destroy (&paths);
}

//  --keep DIR: leave the pack's files in DIR (tests/reporting/chromium.sh renders its HTML).
int main (int argc, char **argv)
{
    if (!getenv ("JOURNEY_CLI") || !getenv ("JOURNEY_DATABASE_REPORTING_URL"))
        return 77;
    const char *keep = argc == 3 && strcmp (argv[1], "--keep") == 0 ? argv[2] : NULL;
    s_check_helpers ();

    char name[64], admin_url[1024], reporting_url[1024];
    snprintf (name, sizeof name, "journey_reporting_pack_%d", (int) getpid ());
    s_admin = rt_database (name, admin_url, sizeof admin_url);
    s_insert_dataset ();
    snprintf (reporting_url, sizeof reporting_url, "%s dbname=%s",
              getenv ("JOURNEY_DATABASE_REPORTING_URL"), name);
    jy_db_t *reader = jy_db_new (reporting_url);
    CHECK_INT (jy_db_connect (reader, 10000), 0);

    setenv ("JOURNEY_LA_CHILD_POPULATION", "1000", 1);
    setenv ("JOURNEY_LA_NAME", "Test <Borough> & \"Co\"", 1);
    setenv ("JOURNEY_LA_TIMEZONE", "Europe/London", 1);
    char dir[256];
    if (keep)
        snprintf (dir, sizeof dir, "%s", keep);
    else
        snprintf (dir, sizeof dir, "/tmp/jy-reporting-pack-%d", (int) getpid ());

    rp_settings_t *settings = s_settings ("0");
    char error[512] = "";
    int64_t now = jy_clock_local_midnight_ms (D ("2025-04-02")) + 9 * 3600 * 1000;
    rp_pack_t *pack = settings ? rp_pack_build (reader, settings, "872", D ("2025-01-01"),
                                                D ("2025-03-31"), now, error, sizeof error)
                               : NULL;
    if (!pack)
        fprintf (stderr, "pack: %s\n", error);
    CHECK (pack != NULL);
    if (pack) {
        CHECK_DATE (rp_pack_previous_from (pack), "2024-10-01");
        CHECK_INT (rp_pack_month_count (pack), 12);
        s_check_figures (pack);
        s_check_tables (pack);
        s_check_files (pack, dir);
        s_check_planted (pack, dir);
    }
    rp_pack_destroy (&pack);
    rp_settings_destroy (&settings);

    //  A period that ends before it starts is refused, not built.
    settings = s_settings ("3");
    CHECK (!rp_pack_build (reader, settings, "872", D ("2025-03-31"), D ("2025-01-01"), now, error,
                           sizeof error));
    CHECK_STR (error, "the period ends before it starts");
    pack = rp_pack_build (reader, settings, "872", D ("2025-01-01"), D ("2025-03-31"), now, error,
                          sizeof error);
    CHECK (pack != NULL);
    if (pack) {
        char suppressed_dir[300];
        snprintf (suppressed_dir, sizeof suppressed_dir, "%s/suppressed", dir);
        s_check_suppressed (pack, suppressed_dir);
    }
    rp_pack_destroy (&pack);
    rp_settings_destroy (&settings);

    //  The reporting role reads and cannot write.
    CHECK_INT (jy_db_exec (reader, "DELETE FROM ingest.audit", 0, NULL), -1);

    jy_db_destroy (&reader);
    jy_db_destroy (&s_admin);
    jy_config_destroy (&s_config);
    rt_drop_database (name);
    char command[400];
    snprintf (command, sizeof command, "rm -rf '%s'", dir);
    if (!keep && system (command) != 0)
        fprintf (stderr, "could not remove %s\n", dir);
    return jy_test_summary ("reporting.pack");
}
