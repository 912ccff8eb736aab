/*  clocks: the table's defaults (and that deploy/journey.cfg agrees with them), due dates in
    every unit (bank holidays, month ends, hours on date-only data, the alternative limits),
    configuration overriding a clock, and bad settings failing with the key and the file. */
#include <unistd.h>

#include "clocks.h"
#include "jy_test.h"

#define MAX_FILES 16
static char s_files[MAX_FILES][64];
static int s_file_count = 0;

//  Write text to a new temporary file; returns its path (removed at the end).
static const char *s_write (const char *text)
{
    assert (s_file_count < MAX_FILES);
    char *path = s_files[s_file_count++];
    strcpy (path, "/tmp/test_clocks_XXXXXX");
    int fd = mkstemp (path);
    assert (fd >= 0);
    size_t length = strlen (text);
    ssize_t written = write (fd, text, length);
    assert (written == (ssize_t) length);
    close (fd);
    return path;
}

static void s_remove_files (void)
{
    for (int i = 0; i < s_file_count; i++)
        unlink (s_files[i]);
}

//  DOMAIN.md's clock table, as the defaults must be.
typedef struct {
    tl_clock_id_t id;
    const char *name;
    bool enabled;
    int limit;
    tl_unit_t unit;
    int limit_alt;
} s_expected_t;

static const s_expected_t s_domain[] = {
    {TL_CLOCK_CONTACT_DECISION, "contact_decision", true, 1, TL_UNIT_WORKING_DAYS, 0},
    {TL_CLOCK_ASSESSMENT, "assessment", true, 45, TL_UNIT_WORKING_DAYS, 0},
    {TL_CLOCK_ICPC, "icpc", true, 15, TL_UNIT_WORKING_DAYS, 0},
    {TL_CLOCK_CORE_GROUP, "core_group", true, 10, TL_UNIT_WORKING_DAYS, 0},
    {TL_CLOCK_RCPC_FIRST, "rcpc_first", true, 3, TL_UNIT_MONTHS, 0},
    {TL_CLOCK_RCPC, "rcpc", true, 6, TL_UNIT_MONTHS, 0},
    {TL_CLOCK_CP_VISIT, "cp_visit", true, 10, TL_UNIT_WORKING_DAYS, 0},
    {TL_CLOCK_CIN_REVIEW_FIRST, "cin_review_first", true, 3, TL_UNIT_MONTHS, 0},
    {TL_CLOCK_CIN_REVIEW, "cin_review", true, 6, TL_UNIT_MONTHS, 0},
    {TL_CLOCK_CLA_REVIEW_FIRST, "cla_review_first", true, 20, TL_UNIT_WORKING_DAYS, 0},
    {TL_CLOCK_CLA_REVIEW_SECOND, "cla_review_second", true, 3, TL_UNIT_MONTHS, 0},
    {TL_CLOCK_CLA_REVIEW, "cla_review", true, 6, TL_UNIT_MONTHS, 0},
    {TL_CLOCK_CLA_VISIT_FIRST, "cla_visit_first", true, 7, TL_UNIT_DAYS, 0},
    {TL_CLOCK_CLA_VISIT, "cla_visit", true, 6, TL_UNIT_WEEKS, 3},
    {TL_CLOCK_IHA, "iha", true, 20, TL_UNIT_WORKING_DAYS, 0},
    {TL_CLOCK_RHA, "rha", true, 6, TL_UNIT_MONTHS, 12},
    {TL_CLOCK_PEP, "pep", true, 20, TL_UNIT_WORKING_DAYS, 0},
    {TL_CLOCK_PATHWAY_REVIEW, "pathway_review", true, 6, TL_UNIT_MONTHS, 0},
    {TL_CLOCK_RHI, "rhi", true, 72, TL_UNIT_HOURS, 0},
    {TL_CLOCK_LEGACY_INITIAL, "legacy_initial", false, 10, TL_UNIT_WORKING_DAYS, 0},
};

static void s_check_defaults (tl_clocks_t *clocks, int lead)
{
    CHECK_INT (sizeof s_domain / sizeof s_domain[0], TL_CLOCK_COUNT);
    for (size_t i = 0; i < sizeof s_domain / sizeof s_domain[0]; i++) {
        const s_expected_t *expected = &s_domain[i];
        const tl_clock_rule_t *rule = tl_clocks_rule (clocks, expected->id);
        CHECK_INT (rule->id, expected->id);
        CHECK_STR (rule->name, expected->name);
        CHECK_STR (tl_clocks_name (expected->id), expected->name);
        CHECK_INT (tl_clocks_lookup (expected->name), expected->id);
        CHECK_INT (rule->enabled, expected->enabled);
        CHECK_INT (rule->limit, expected->limit);
        CHECK_INT (rule->unit, expected->unit);
        CHECK_INT (rule->limit_alt, expected->limit_alt);
        CHECK_INT (rule->lead_working_days, lead);
        CHECK (rule->label && *rule->label && rule->starts_at && *rule->starts_at && rule->met_by &&
               *rule->met_by);
    }
}

static void s_test_table (void)
{
    tl_clocks_t *clocks = tl_clocks_new_default ();
    s_check_defaults (clocks, 3);
    CHECK_INT (tl_clocks_lookup ("no_such_clock"), TL_CLOCK_COUNT);
    CHECK_INT (tl_clocks_lookup (NULL), TL_CLOCK_COUNT);
    CHECK_STR (tl_unit_name (TL_UNIT_WORKING_DAYS), "working_days");
    CHECK_STR (tl_unit_name (TL_UNIT_DAYS), "days");
    CHECK_STR (tl_unit_name (TL_UNIT_WEEKS), "weeks");
    CHECK_STR (tl_unit_name (TL_UNIT_MONTHS), "months");
    CHECK_STR (tl_unit_name (TL_UNIT_HOURS), "hours");
    tl_clocks_destroy (&clocks);
    CHECK (clocks == NULL);
    tl_clocks_destroy (&clocks); //  a second destroy is harmless
}

//  The shipped defaults file must say what the table says.
static void s_test_shipped_defaults (void)
{
    char err[512];
    jy_config_t *config =
        jy_config_load (NULL, jy_config_default_defaults_path (), err, sizeof err);
    CHECK (config);
    if (!config) {
        fprintf (stderr, "%s\n", err);
        return;
    }
    tl_clocks_t *clocks = tl_clocks_new (config);
    CHECK (clocks);
    if (clocks)
        s_check_defaults (clocks, 3);
    tl_clocks_destroy (&clocks);
    jy_config_destroy (&config);
}

static jy_date_t s_due (tl_clocks_t *clocks, jy_calendar_t *calendar, tl_clock_id_t id,
                        const char *start, bool use_alt)
{
    jy_date_t due = JY_DATE_INVALID;
    if (tl_clocks_due (clocks, calendar, id, D (start), use_alt, &due) != 0)
        return JY_DATE_INVALID;
    return due;
}

static void s_test_due (void)
{
    tl_clocks_t *clocks = tl_clocks_new_default ();
    jy_calendar_t *calendar = jy_calendar_new ();

    //  Working days: the start is day 0; bank holidays and weekends skipped.
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_CONTACT_DECISION, "2025-04-17", false),
                "2025-04-22"); //  Good Friday and Easter Monday
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_CONTACT_DECISION, "2025-03-07", false),
                "2025-03-10"); //  Friday to Monday
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_CONTACT_DECISION, "2025-03-08", false),
                "2025-03-10"); //  a Saturday start: the next working day
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_ASSESSMENT, "2024-12-20", false),
                "2025-02-26"); //  over Christmas, Boxing Day and New Year's Day
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_ICPC, "2025-02-03", false), "2025-02-24");
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_CLA_REVIEW_FIRST, "2025-01-06", false),
                "2025-02-03");

    //  Months: same day, clamped to the month's end.
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_RCPC_FIRST, "2024-01-31", false), "2024-04-30");
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_RCPC_FIRST, "2023-11-30", false), "2024-02-29");
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_RCPC_FIRST, "2024-11-30", false), "2025-02-28");
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_RCPC, "2024-08-31", false), "2025-02-28");
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_RCPC, "2024-04-29", false), "2024-10-29");

    //  Days and weeks: calendar days, weekends and holidays included.
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_CLA_VISIT_FIRST, "2024-12-20", false),
                "2024-12-27");
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_CLA_VISIT, "2023-01-06", false), "2023-02-17");
    //  Hours on date-only data: 72 hours = 3 calendar days.
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_RHI, "2025-01-10", false), "2025-01-13");

    //  The alternative limits are months.
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_RHA, "2024-03-20", false), "2024-09-20");
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_RHA, "2024-03-20", true), "2025-03-20");
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_CLA_VISIT, "2024-01-30", true), "2024-04-30");
    //  A clock without one ignores use_alt.
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_ICPC, "2025-02-03", true), "2025-02-24");

    //  Outside the calendar: -1.
    jy_date_t due = 0;
    CHECK_INT (tl_clocks_due (clocks, calendar, TL_CLOCK_ASSESSMENT, D ("2100-12-01"), false, &due),
               -1);
    CHECK_INT (tl_clocks_due (clocks, calendar, TL_CLOCK_RCPC, D ("2100-08-01"), false, &due), -1);
    CHECK_INT (tl_clocks_due (clocks, calendar, TL_CLOCK_RHI, D ("1900-01-01"), false, &due), -1);
    CHECK_INT (tl_clocks_due (clocks, calendar, TL_CLOCK_ASSESSMENT, JY_DATE_INVALID, false, &due),
               -1);
    CHECK_INT (due, 0); //  untouched on failure

    jy_calendar_destroy (&calendar);
    tl_clocks_destroy (&clocks);
}

static void s_test_configured (void)
{
    const char *path = s_write ("timeliness\n"
                                "    warn_lead = 5\n"
                                "    clocks\n"
                                "        assessment\n"
                                "            limit = 40\n"
                                "            unit = \"days\"\n"
                                "            lead = 2\n"
                                "        pep\n"
                                "            enabled = 0\n"
                                "        legacy_initial\n"
                                "            enabled = yes\n"
                                "        rhi\n"
                                "            limit = 25\n"
                                "        rha\n"
                                "            limit_from_5_months = 18\n"
                                "        cla_visit\n"
                                "            long_term_limit_months = 4\n"
                                "        cp_visit\n"
                                "            limit = 4\n"
                                "            unit = \"weeks\"\n");
    char err[512];
    jy_config_t *config =
        jy_config_load (path, jy_config_default_defaults_path (), err, sizeof err);
    CHECK (config);
    if (!config) {
        fprintf (stderr, "%s\n", err);
        return;
    }
    tl_clocks_t *clocks = tl_clocks_new (config);
    CHECK (clocks);
    if (!clocks) {
        fprintf (stderr, "%s\n", jy_config_error (config));
        jy_config_destroy (&config);
        return;
    }
    jy_calendar_t *calendar = jy_calendar_new ();
    const tl_clock_rule_t *assessment = tl_clocks_rule (clocks, TL_CLOCK_ASSESSMENT);
    CHECK_INT (assessment->limit, 40);
    CHECK_INT (assessment->unit, TL_UNIT_DAYS);
    CHECK_INT (assessment->lead_working_days, 2);
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_ASSESSMENT, "2024-12-20", false), "2025-01-29");
    //  warn_lead is every other clock's lead.
    CHECK_INT (tl_clocks_rule (clocks, TL_CLOCK_ICPC)->lead_working_days, 5);
    CHECK_INT (tl_clocks_rule (clocks, TL_CLOCK_PEP)->enabled, false);
    CHECK_INT (tl_clocks_rule (clocks, TL_CLOCK_LEGACY_INITIAL)->enabled, true);
    //  25 hours on dates: 2 calendar days.
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_RHI, "2025-01-10", false), "2025-01-12");
    CHECK_INT (tl_clocks_rule (clocks, TL_CLOCK_RHA)->limit_alt, 18);
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_RHA, "2024-03-20", true), "2025-09-20");
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_CLA_VISIT, "2024-01-30", true), "2024-05-30");
    CHECK_DATE (s_due (clocks, calendar, TL_CLOCK_CP_VISIT, "2025-01-06", false), "2025-02-03");
    //  Untouched clocks keep the shipped values.
    CHECK_INT (tl_clocks_rule (clocks, TL_CLOCK_RCPC)->limit, 6);
    CHECK_INT (tl_clocks_rule (clocks, TL_CLOCK_RCPC)->unit, TL_UNIT_MONTHS);
    jy_calendar_destroy (&calendar);
    tl_clocks_destroy (&clocks);
    jy_config_destroy (&config);
}

//  A deployment file with one bad setting: tl_clocks_new fails and the error names the file,
//  the key and the value.
static void s_check_bad (const char *text, const char *key, const char *problem)
{
    const char *path = s_write (text);
    char err[512];
    jy_config_t *config =
        jy_config_load (path, jy_config_default_defaults_path (), err, sizeof err);
    CHECK (config);
    if (!config)
        return;
    tl_clocks_t *clocks = tl_clocks_new (config);
    CHECK (clocks == NULL);
    tl_clocks_destroy (&clocks);
    char expected[1024];
    snprintf (expected, sizeof expected, "%s: %s: %s", path, key, problem);
    CHECK_STR (jy_config_error (config), expected);
    jy_config_destroy (&config);
}

static void s_test_bad_settings (void)
{
    s_check_bad ("timeliness\n    clocks\n        assessment\n            unit = \"fortnights\"\n",
                 "timeliness/clocks/assessment/unit",
                 "\"fortnights\" is not one of working_days, days, weeks, months, hours");
    s_check_bad ("timeliness\n    clocks\n        icpc\n            limit = 0\n",
                 "timeliness/clocks/icpc/limit", "\"0\" is not a whole number in 1..100000");
    s_check_bad ("timeliness\n    clocks\n        rcpc\n            limit = \"six\"\n",
                 "timeliness/clocks/rcpc/limit", "\"six\" is not a whole number in 1..100000");
    s_check_bad ("timeliness\n    clocks\n        iha\n            limit = 2.5\n",
                 "timeliness/clocks/iha/limit", "\"2.5\" is not a whole number in 1..100000");
    s_check_bad ("timeliness\n    clocks\n        pep\n            enabled = \"maybe\"\n",
                 "timeliness/clocks/pep/enabled",
                 "\"maybe\" is not one of true, false, yes, no, on, off, 1, 0");
    s_check_bad ("timeliness\n    clocks\n        rhi\n            lead = -1\n",
                 "timeliness/clocks/rhi/lead", "\"-1\" is not a whole number in 0..1000");
    s_check_bad ("timeliness\n    clocks\n        rha\n            limit_from_5_months = 0\n",
                 "timeliness/clocks/rha/limit_from_5_months",
                 "\"0\" is not a whole number in 1..100000");
    s_check_bad ("timeliness\n    clocks\n        cla_visit\n"
                 "            long_term_limit_months = x\n",
                 "timeliness/clocks/cla_visit/long_term_limit_months",
                 "\"x\" is not a whole number in 1..100000");
    s_check_bad ("timeliness\n    warn_lead = soon\n", "timeliness/warn_lead",
                 "\"soon\" is not a whole number in 0..1000");
}

int main (void)
{
    jy_log_init ("test_clocks", JY_LOG_ERROR);
    s_test_table ();
    s_test_shipped_defaults ();
    s_test_due ();
    s_test_configured ();
    s_test_bad_settings ();
    s_remove_files ();
    return jy_test_summary ("test_clocks");
}
