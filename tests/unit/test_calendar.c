/*  jy_calendar: working days, the built-in bank holidays, gov.uk import and local closures. */
#include <limits.h>
#include <unistd.h>

#include "journey/jy_calendar.h"
#include "journey/jy_config.h"
#include "journey/jy_date.h"
#include "jy_test.h"

//  DOMAIN.md's bank-holiday table, copied verbatim: the reference the calendar is checked
//  against, independently of the table in jy_calendar.c.
static const char *s_domain_table[] = {
    "| 2012 | 01-02 04-06 04-09 05-07 06-04 06-05 08-27 12-25 12-26 |",
    "| 2013 | 01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26 |",
    "| 2014 | 01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26 |",
    "| 2015 | 01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28 |",
    "| 2016 | 01-01 03-25 03-28 05-02 05-30 08-29 12-26 12-27 |",
    "| 2017 | 01-02 04-14 04-17 05-01 05-29 08-28 12-25 12-26 |",
    "| 2018 | 01-01 03-30 04-02 05-07 05-28 08-27 12-25 12-26 |",
    "| 2019 | 01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26 |",
    "| 2020 | 01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28 |",
    "| 2021 | 01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28 |",
    "| 2022 | 01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27 |",
    "| 2023 | 01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26 |",
    "| 2024 | 01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26 |",
    "| 2025 | 01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26 |",
    "| 2026 | 01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28 |",
    "| 2027 | 01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28 |",
};
#define S_DOMAIN_YEARS (sizeof (s_domain_table) / sizeof (s_domain_table[0]))

//  The naive reference: one flag per day of 1990..2100, set from the DOMAIN.md table.
static jy_date_t s_ref_first;
static bool s_ref_holiday[41000];

static void s_reference_build (void)
{
    s_ref_first = D ("1990-01-01");
    memset (s_ref_holiday, 0, sizeof (s_ref_holiday));
    for (size_t i = 0; i < S_DOMAIN_YEARS; i++) {
        const char *row = s_domain_table[i];
        int year = atoi (row + 2);
        for (const char *p = row + 9; *p && *p != '|'; p += 6) {
            char text[16];
            snprintf (text, sizeof (text), "%d-%.5s", year, p);
            s_ref_holiday[D (text) - s_ref_first] = true;
        }
    }
}

static bool s_ref_working (jy_date_t day)
{
    return jy_date_weekday (day) <= 5 && !s_ref_holiday[day - s_ref_first];
}

static jy_date_t s_ref_add (jy_date_t from, int n)
{
    jy_date_t day = from;
    for (int k = 0; k < n;)
        if (s_ref_working (++day))
            k++;
    for (int k = 0; k > n;)
        if (s_ref_working (--day))
            k--;
    return day;
}

static int s_ref_between (jy_date_t a, jy_date_t b)
{
    int count = 0;
    for (jy_date_t day = a + 1; day <= b; day++)
        count += s_ref_working (day);
    for (jy_date_t day = b + 1; day <= a; day++)
        count -= s_ref_working (day);
    return count;
}

//  add_working_days as a value, JY_DATE_INVALID when it fails.
static jy_date_t s_add (jy_calendar_t *calendar, const char *from, int n)
{
    jy_date_t result = JY_DATE_INVALID;
    if (jy_calendar_add_working_days (calendar, D (from), n, &result) != 0)
        return JY_DATE_INVALID;
    return result;
}

static int s_between (jy_calendar_t *calendar, const char *a, const char *b)
{
    int result = INT_MIN;
    if (jy_calendar_working_days_between (calendar, D (a), D (b), &result) != 0)
        return INT_MIN;
    return result;
}

static void test_builtin_table (void)
{
    jy_calendar_t *calendar = jy_calendar_new ();
    for (size_t i = 0; i < S_DOMAIN_YEARS; i++) {
        int year = atoi (s_domain_table[i] + 2);
        char from[16], to[16];
        snprintf (from, sizeof (from), "%d-01-01", year);
        snprintf (to, sizeof (to), "%d-12-31", year);
        jy_date_t days[20];
        jy_day_kind_t kinds[20];
        size_t count = jy_calendar_holidays (calendar, D (from), D (to), days, kinds, 20);
        //  Rebuild the table row from the calendar and compare it whole.
        char row[128];
        int length = snprintf (row, sizeof (row), "| %d |", year);
        for (size_t j = 0; j < count && j < 20; j++) {
            char text[JY_DATE_TEXT_SIZE];
            jy_date_format (days[j], text);
            length += snprintf (row + length, sizeof (row) - (size_t) length, " %s", text + 5);
            CHECK_INT (kinds[j], JY_DAY_BANK_HOLIDAY);
            CHECK (jy_calendar_day_title (calendar, days[j]) != NULL);
            CHECK (jy_date_weekday (days[j]) <= 5);
            CHECK (!jy_calendar_is_working_day (calendar, days[j]));
        }
        snprintf (row + length, sizeof (row) - (size_t) length, " |");
        CHECK_STR (row, s_domain_table[i]);
    }
    //  Nothing built in outside 2012-2027.
    CHECK_INT (jy_calendar_holidays (calendar, D ("1990-01-01"), D ("2011-12-31"), NULL, NULL, 0),
               0);
    CHECK_INT (jy_calendar_holidays (calendar, D ("2028-01-01"), D ("2100-12-31"), NULL, NULL, 0),
               0);
    CHECK_INT (jy_calendar_holidays (calendar, D ("2012-01-01"), D ("2027-12-31"), NULL, NULL, 0),
               8 * 16 + 1 + 2 + 1); //  2012 and 2023 have 9, 2022 has 10
    jy_calendar_destroy (&calendar);
    CHECK (calendar == NULL);
    jy_calendar_destroy (&calendar); //  destroying NULL is harmless
}

//  Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
static jy_date_t s_easter (int year)
{
    int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
    int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return jy_date_from_ymd (year, month, day);
}

static void test_titles (void)
{
    jy_calendar_t *calendar = jy_calendar_new ();
    CHECK_STR (jy_calendar_day_title (calendar, D ("2024-12-25")), "Christmas Day");
    CHECK_STR (jy_calendar_day_title (calendar, D ("2024-12-26")), "Boxing Day");
    CHECK_STR (jy_calendar_day_title (calendar, D ("2024-01-01")), "New Year's Day");
    CHECK_STR (jy_calendar_day_title (calendar, D ("2020-12-28")), "Boxing Day (substitute day)");
    CHECK_STR (jy_calendar_day_title (calendar, D ("2020-05-08")),
               "Early May bank holiday (VE day)");
    CHECK_STR (jy_calendar_day_title (calendar, D ("2012-06-05")), "Queen's Diamond Jubilee");
    CHECK_STR (jy_calendar_day_title (calendar, D ("2022-06-03")), "Platinum Jubilee bank holiday");
    CHECK_STR (jy_calendar_day_title (calendar, D ("2022-09-19")),
               "Bank Holiday for the State Funeral of Queen Elizabeth II");
    CHECK_STR (jy_calendar_day_title (calendar, D ("2023-05-08")),
               "Bank holiday for the coronation of King Charles III");
    CHECK (jy_calendar_day_title (calendar, D ("2024-12-24")) == NULL);
    CHECK (jy_calendar_day_title (calendar, D ("2024-12-21")) == NULL);
    CHECK (jy_calendar_day_title (calendar, D ("1980-12-25")) == NULL);

    //  Every Good Friday and Easter Monday sits where Easter puts it, with its title.
    for (int year = 2012; year <= 2027; year++) {
        jy_date_t easter = s_easter (year);
        CHECK_STR (jy_calendar_day_title (calendar, easter - 2), "Good Friday");
        CHECK_STR (jy_calendar_day_title (calendar, easter + 1), "Easter Monday");
    }
    CHECK_DATE (s_easter (2024), "2024-03-31");
    jy_calendar_destroy (&calendar);
}

static void test_kinds (void)
{
    jy_calendar_t *calendar = jy_calendar_new ();
    CHECK_DATE (jy_calendar_first (calendar), "1990-01-01");
    CHECK_DATE (jy_calendar_last (calendar), "2100-12-31");
    CHECK_INT (jy_calendar_day_kind (calendar, D ("2024-12-25")), JY_DAY_BANK_HOLIDAY);
    CHECK_INT (jy_calendar_day_kind (calendar, D ("2024-12-21")), JY_DAY_WEEKEND);
    CHECK_INT (jy_calendar_day_kind (calendar, D ("2024-12-22")), JY_DAY_WEEKEND);
    CHECK_INT (jy_calendar_day_kind (calendar, D ("2024-12-24")), JY_DAY_WORKING);
    //  Outside 2012-2027 only weekends, unless imported.
    CHECK (jy_calendar_is_working_day (calendar, D ("2030-12-25")));
    CHECK (jy_calendar_is_working_day (calendar, D ("2011-12-26")));
    //  Outside the supported range: weekends still known, everything else a weekday.
    CHECK_INT (jy_calendar_day_kind (calendar, D ("1989-12-30")), JY_DAY_WEEKEND);
    CHECK_INT (jy_calendar_day_kind (calendar, D ("2101-01-03")), JY_DAY_WORKING);
    jy_calendar_destroy (&calendar);
}

static void test_add_working_days (void)
{
    jy_calendar_t *calendar = jy_calendar_new ();
    //  Christmas and New Year.
    CHECK_DATE (s_add (calendar, "2024-12-20", 15), "2025-01-15");
    CHECK_DATE (s_add (calendar, "2024-12-24", 1), "2024-12-27");
    CHECK_DATE (s_add (calendar, "2024-12-31", 1), "2025-01-02");
    //  2020: Christmas on Friday, Boxing Day's substitute on Monday 28th.
    CHECK_DATE (s_add (calendar, "2020-12-24", 1), "2020-12-29");
    CHECK_DATE (s_add (calendar, "2020-12-24", 3), "2020-12-31");
    CHECK_DATE (s_add (calendar, "2020-12-24", 4), "2021-01-04");
    CHECK_DATE (s_add (calendar, "2020-12-25", 1), "2020-12-29");
    //  2021: both substitute days.
    CHECK_DATE (s_add (calendar, "2021-12-24", 1), "2021-12-29");
    //  Easter.
    CHECK_DATE (s_add (calendar, "2024-03-28", 1), "2024-04-02");
    //  2020's early May bank holiday moved to Friday 8 May for VE day.
    CHECK (!jy_calendar_is_working_day (calendar, D ("2020-05-08")));
    CHECK (jy_calendar_is_working_day (calendar, D ("2020-05-04")));
    CHECK_DATE (s_add (calendar, "2020-05-01", 1), "2020-05-04");
    CHECK_DATE (s_add (calendar, "2020-05-07", 1), "2020-05-11");
    //  2022: Platinum Jubilee (Thursday 2 and Friday 3 June) and the state funeral.
    CHECK (!jy_calendar_is_working_day (calendar, D ("2022-06-02")));
    CHECK (!jy_calendar_is_working_day (calendar, D ("2022-06-03")));
    CHECK (jy_calendar_is_working_day (calendar, D ("2022-05-30")));
    CHECK_DATE (s_add (calendar, "2022-06-01", 1), "2022-06-06");
    CHECK (!jy_calendar_is_working_day (calendar, D ("2022-09-19")));
    CHECK_DATE (s_add (calendar, "2022-09-16", 1), "2022-09-20");
    //  2023: the coronation.
    CHECK (!jy_calendar_is_working_day (calendar, D ("2023-05-08")));
    CHECK_DATE (s_add (calendar, "2023-05-05", 1), "2023-05-09");
    //  Weekends: Friday + 1 = Monday; Saturday + 0 = Saturday; Saturday + 1 = Monday.
    CHECK_DATE (s_add (calendar, "2024-12-13", 1), "2024-12-16");
    CHECK_DATE (s_add (calendar, "2024-12-14", 0), "2024-12-14");
    CHECK_DATE (s_add (calendar, "2024-12-14", 1), "2024-12-16");
    CHECK_DATE (s_add (calendar, "2024-12-15", 1), "2024-12-16");
    CHECK_DATE (s_add (calendar, "2024-12-25", 0), "2024-12-25");
    CHECK_DATE (s_add (calendar, "2024-12-16", 5), "2024-12-23");
    //  Negative N: the Nth working day before.
    CHECK_DATE (s_add (calendar, "2025-01-15", -15), "2024-12-20");
    CHECK_DATE (s_add (calendar, "2024-12-16", -1), "2024-12-13");
    CHECK_DATE (s_add (calendar, "2024-12-14", -1), "2024-12-13");
    CHECK_DATE (s_add (calendar, "2024-12-27", -1), "2024-12-24");
    CHECK_DATE (s_add (calendar, "2024-04-02", -1), "2024-03-28");
    CHECK_DATE (s_add (calendar, "2021-01-04", -4), "2020-12-24");

    //  45 working days from a referral on Wednesday 20 March 2024, worked by hand:
    //  March 21-28 are 1-6 (29th Good Friday), April 1 Easter Monday, April 2-30 are 7-27,
    //  May 1-3 are 28-30 (6th early May), May 7-24 are 31-44 (27th spring), May 28 is 45.
    CHECK_DATE (s_add (calendar, "2024-03-20", 45), "2024-05-28");
    CHECK_INT (s_between (calendar, "2024-03-20", "2024-05-28"), 45);
    CHECK_DATE (s_add (calendar, "2024-03-20", 44), "2024-05-24");
    //  A validator counting the referral as day 1 would say 2024-05-24: Journey does not.

    //  Outside 2012-2027, weekends only: Christmas 2030 is a working day.
    CHECK_DATE (s_add (calendar, "2030-12-24", 1), "2030-12-25");
    jy_calendar_destroy (&calendar);
}

static void test_between (void)
{
    jy_calendar_t *calendar = jy_calendar_new ();
    CHECK_INT (s_between (calendar, "2024-12-20", "2024-12-20"), 0);
    CHECK_INT (s_between (calendar, "2024-12-14", "2024-12-14"), 0);
    CHECK_INT (s_between (calendar, "2024-12-20", "2025-01-15"), 15);
    CHECK_INT (s_between (calendar, "2025-01-15", "2024-12-20"), -15);
    CHECK_INT (s_between (calendar, "2024-12-24", "2024-12-27"), 1); //  across Christmas
    CHECK_INT (s_between (calendar, "2024-12-24", "2024-12-26"), 0);
    CHECK_INT (s_between (calendar, "2024-12-13", "2024-12-14"), 0); //  Friday to Saturday
    CHECK_INT (s_between (calendar, "2024-12-13", "2024-12-16"), 1); //  Friday to Monday
    CHECK_INT (s_between (calendar, "2024-12-14", "2024-12-16"), 1); //  Saturday to Monday
    CHECK_INT (s_between (calendar, "2024-12-16", "2024-12-13"), -1);
    CHECK_INT (s_between (calendar, "2024-03-28", "2024-04-02"), 1); //  across Easter
    //  2024: 262 weekdays less 8 bank holidays (1 January, the first, is not counted anyway).
    CHECK_INT (s_between (calendar, "2024-01-01", "2024-12-31"), 254);
    jy_calendar_destroy (&calendar);
}

static void test_limits (void)
{
    jy_calendar_t *calendar = jy_calendar_new ();
    jy_date_t result = 42;
    int count = 42;
    CHECK_INT (jy_calendar_add_working_days (calendar, D ("1989-12-31"), 1, &result), -1);
    CHECK_INT (jy_calendar_add_working_days (calendar, D ("2101-01-01"), 0, &result), -1);
    CHECK_INT (result, 42);
    //  1990-01-01 is a Monday: nothing before it; 2100-12-31 is a Friday: nothing after it.
    CHECK_INT (jy_calendar_add_working_days (calendar, D ("1990-01-01"), -1, &result), -1);
    CHECK_INT (jy_calendar_add_working_days (calendar, D ("2100-12-31"), 1, &result), -1);
    CHECK_INT (jy_calendar_add_working_days (calendar, D ("2100-12-30"), 1, &result), 0);
    CHECK_DATE (result, "2100-12-31");
    CHECK_INT (jy_calendar_add_working_days (calendar, D ("1990-01-02"), -1, &result), 0);
    CHECK_DATE (result, "1990-01-01");
    CHECK_INT (jy_calendar_add_working_days (calendar, D ("2100-12-31"), 0, &result), 0);
    CHECK_DATE (result, "2100-12-31");
    CHECK_INT (jy_calendar_add_working_days (calendar, D ("2024-01-01"), INT_MAX, &result), -1);
    CHECK_INT (jy_calendar_add_working_days (calendar, D ("2024-01-01"), INT_MIN, &result), -1);
    CHECK_INT (jy_calendar_add_working_days (calendar, D ("2024-01-01"), 100000, &result), -1);
    CHECK_INT (
        jy_calendar_working_days_between (calendar, D ("1989-12-31"), D ("2024-01-01"), &count),
        -1);
    CHECK_INT (
        jy_calendar_working_days_between (calendar, D ("2024-01-01"), D ("2101-01-01"), &count),
        -1);
    CHECK_INT (count, 42);
    CHECK_INT (
        jy_calendar_working_days_between (calendar, D ("1990-01-01"), D ("2100-12-31"), &count), 0);
    CHECK_INT (count, s_ref_between (D ("1990-01-01"), D ("2100-12-31")));
    CHECK_INT (jy_calendar_add_day (calendar, D ("1989-12-29"), JY_DAY_CLOSURE, "x"), -1);
    CHECK_INT (jy_calendar_add_day (calendar, D ("2101-01-03"), JY_DAY_BANK_HOLIDAY, "x"), -1);
    //  Holidays are clamped to the range.
    CHECK_INT (jy_calendar_holidays (calendar, D ("1900-01-01"), D ("2199-12-31"), NULL, NULL, 0),
               132);
    CHECK_INT (jy_calendar_holidays (calendar, D ("2025-01-01"), D ("2024-01-01"), NULL, NULL, 0),
               0);
    jy_calendar_destroy (&calendar);
}

//  Every day of 2012-2027 with a seeded pseudo-random N in 0..300, both ways, against the
//  day-by-day reference; and between() against its reference.
static void test_against_reference (void)
{
    jy_calendar_t *calendar = jy_calendar_new ();
    unsigned seed = 20241220;
    int failures = 0, checked = 0;
    for (jy_date_t day = D ("2012-01-01"); day <= D ("2027-12-31"); day++) {
        seed = seed * 1103515245u + 12345u;
        int n = (int) ((seed >> 8) % 301);
        jy_date_t forward, backward;
        int count;
        if (jy_calendar_add_working_days (calendar, day, n, &forward) != 0 ||
            forward != s_ref_add (day, n) ||
            jy_calendar_add_working_days (calendar, day, -n, &backward) != 0 ||
            backward != s_ref_add (day, -n) ||
            jy_calendar_working_days_between (calendar, day, forward, &count) != 0 || count != n ||
            jy_calendar_working_days_between (calendar, day, day + n, &count) != 0 ||
            count != s_ref_between (day, day + n) ||
            jy_calendar_working_days_between (calendar, day + n, day, &count) != 0 ||
            count != -s_ref_between (day, day + n) ||
            jy_calendar_is_working_day (calendar, day) != s_ref_working (day)) {
            char text[JY_DATE_TEXT_SIZE];
            if (failures++ < 5)
                fprintf (stderr, "reference mismatch at %s + %d\n", jy_date_format (day, text), n);
        }
        //  From a working day, going forward then back returns to it.
        if (s_ref_working (day) &&
            (jy_calendar_add_working_days (calendar, forward, -n, &backward) != 0 ||
             backward != day))
            failures++;
        checked++;
    }
    CHECK_INT (failures, 0);
    CHECK_INT (checked, D ("2028-01-01") - D ("2012-01-01"));
    jy_calendar_destroy (&calendar);
}

static void test_closures_added (void)
{
    jy_calendar_t *calendar = jy_calendar_new ();
    CHECK_DATE (s_add (calendar, "2024-12-20", 15), "2025-01-15"); //  builds the prefix
    CHECK_INT (jy_calendar_add_day (calendar, D ("2024-12-24"), JY_DAY_CLOSURE, "Office closed"),
               0);
    CHECK_INT (jy_calendar_day_kind (calendar, D ("2024-12-24")), JY_DAY_CLOSURE);
    CHECK_STR (jy_calendar_day_title (calendar, D ("2024-12-24")), "Office closed");
    //  The prefix is rebuilt after the change.
    CHECK_DATE (s_add (calendar, "2024-12-20", 15), "2025-01-16");
    CHECK_INT (s_between (calendar, "2024-12-20", "2025-01-16"), 15);
    //  Marking again is not an error and the first reason stays.
    CHECK_INT (jy_calendar_add_day (calendar, D ("2024-12-24"), JY_DAY_BANK_HOLIDAY, "Other"), 0);
    CHECK_INT (jy_calendar_day_kind (calendar, D ("2024-12-24")), JY_DAY_CLOSURE);
    CHECK_STR (jy_calendar_day_title (calendar, D ("2024-12-24")), "Office closed");
    CHECK_INT (jy_calendar_add_day (calendar, D ("2024-12-25"), JY_DAY_CLOSURE, "Closed"), 0);
    CHECK_INT (jy_calendar_day_kind (calendar, D ("2024-12-25")), JY_DAY_BANK_HOLIDAY);
    CHECK_STR (jy_calendar_day_title (calendar, D ("2024-12-25")), "Christmas Day");
    //  A weekend stays a weekend.
    CHECK_INT (jy_calendar_add_day (calendar, D ("2024-12-21"), JY_DAY_CLOSURE, "Closed"), 0);
    CHECK_INT (jy_calendar_day_kind (calendar, D ("2024-12-21")), JY_DAY_WEEKEND);

    jy_date_t days[4];
    jy_day_kind_t kinds[4];
    CHECK_INT (jy_calendar_holidays (calendar, D ("2024-12-21"), D ("2025-01-01"), days, kinds, 2),
               4);
    CHECK_DATE (days[0], "2024-12-24");
    CHECK_INT (kinds[0], JY_DAY_CLOSURE);
    CHECK_DATE (days[1], "2024-12-25");
    CHECK_INT (kinds[1], JY_DAY_BANK_HOLIDAY);
    CHECK_INT (jy_calendar_holidays (calendar, D ("2024-12-21"), D ("2025-01-01"), days, NULL, 4),
               4);
    CHECK_DATE (days[3], "2025-01-01");
    jy_calendar_destroy (&calendar);
}

//  --- gov.uk import ---------------------------------------------------------------------------

static const char *s_govuk_2028 =
    "{\"england-and-wales\": {\"division\": \"england-and-wales\", \"events\": [\n"
    "  {\"title\": \"New Year\u2019s Day\", \"date\": \"2028-01-03\", \"notes\": \"Substitute "
    "day\","
    " \"bunting\": true},\n"
    "  {\"title\": \"Good Friday\", \"date\": \"2028-04-14\", \"notes\": \"\", \"bunting\": "
    "false},\n"
    "  {\"title\": \"Easter Monday\", \"date\": \"2028-04-17\", \"notes\": \"\", \"bunting\": "
    "true},\n"
    "  {\"title\": \"Christmas Day\", \"date\": \"2024-12-25\", \"notes\": \"\", \"bunting\": "
    "true}\n"
    "]},\n"
    " \"scotland\": {\"division\": \"scotland\", \"events\": [\n"
    "  {\"title\": \"2nd January\", \"date\": \"2028-01-04\", \"notes\": \"\", \"bunting\": "
    "true}]},\n"
    " \"northern-ireland\": {\"division\": \"northern-ireland\", \"events\": []}}\n";

static int s_import (jy_calendar_t *calendar, const char *json, const char *division, size_t *added,
                     char *err)
{
    return jy_calendar_import_govuk (calendar, json, strlen (json), division, added, err, 256);
}

static void test_import (void)
{
    jy_calendar_t *calendar = jy_calendar_new ();
    char err[256] = "";
    size_t added = 99;
    CHECK_DATE (s_add (calendar, "2027-12-31", 1), "2028-01-03");
    CHECK_INT (s_import (calendar, s_govuk_2028, NULL, &added, err), 0);
    CHECK_INT (added, 3); //  Christmas 2024 was already known
    CHECK_INT (jy_calendar_day_kind (calendar, D ("2028-01-03")), JY_DAY_BANK_HOLIDAY);
    CHECK_STR (jy_calendar_day_title (calendar, D ("2028-01-03")), "New Year\u2019s Day");
    CHECK_STR (jy_calendar_day_title (calendar, D ("2028-04-14")), "Good Friday");
    CHECK (jy_calendar_is_working_day (calendar, D ("2028-01-04"))); //  Scotland's only
    CHECK_DATE (s_add (calendar, "2027-12-31", 1), "2028-01-04");
    CHECK_DATE (s_add (calendar, "2028-04-13", 1), "2028-04-18");
    CHECK_INT (s_between (calendar, "2028-04-13", "2028-04-18"), 1);
    //  Importing again adds nothing.
    added = 99;
    CHECK_INT (s_import (calendar, s_govuk_2028, "england-and-wales", &added, err), 0);
    CHECK_INT (added, 0);
    //  Another division.
    CHECK_INT (s_import (calendar, s_govuk_2028, "scotland", &added, err), 0);
    CHECK_INT (added, 1);
    CHECK (!jy_calendar_is_working_day (calendar, D ("2028-01-04")));
    CHECK_INT (s_import (calendar, s_govuk_2028, "northern-ireland", &added, err), 0);
    CHECK_INT (added, 0);
    //  added may be NULL.
    CHECK_INT (jy_calendar_import_govuk (calendar, "{\"england-and-wales\": {\"events\": []}}", 37,
                                         NULL, NULL, err, sizeof (err)),
               0);
    jy_calendar_destroy (&calendar);
}

//  A bad file: -1, the expected message, and the calendar unchanged.
static void s_check_bad (const char *json, const char *division, const char *expected)
{
    jy_calendar_t *calendar = jy_calendar_new ();
    char err[256] = "";
    size_t added = 99;
    int rc = s_import (calendar, json, division, &added, err);
    CHECK_INT (rc, -1);
    CHECK_INT (added, 0);
    if (strncmp (expected, "not JSON: ", 10) == 0)
        CHECK (strncmp (err, expected, strlen (expected)) == 0 && strstr (err, " at line "));
    else
        CHECK_STR (err, expected);
    //  The good event before the bad one was not added.
    CHECK (jy_calendar_is_working_day (calendar, D ("2028-03-01")));
    CHECK_INT (jy_calendar_holidays (calendar, D ("2028-01-01"), D ("2100-12-31"), NULL, NULL, 0),
               0);
    jy_calendar_destroy (&calendar);
}

#define GOOD_EVENT "{\"title\": \"Good\", \"date\": \"2028-03-01\"}"

static void test_import_errors (void)
{
    s_check_bad ("{", NULL, "not JSON: ");
    s_check_bad ("", NULL, "not JSON: ");
    s_check_bad ("{\"england-and-wales\": {\"events\": [" GOOD_EVENT "]}} trailing", NULL,
                 "not JSON: ");
    s_check_bad ("[1, 2]", NULL, "not a gov.uk bank-holidays file: the top level is not an object");
    s_check_bad ("{\"scotland\": {\"events\": []}}", NULL, "no \"england-and-wales\" division");
    s_check_bad ("{\"england-and-wales\": {\"events\": []}}", "wales", "no \"wales\" division");
    s_check_bad ("{\"england-and-wales\": []}", NULL, "england-and-wales: not an object");
    s_check_bad ("{\"england-and-wales\": {\"division\": \"england-and-wales\"}}", NULL,
                 "england-and-wales: \"events\" missing");
    s_check_bad ("{\"england-and-wales\": {\"events\": {}}}", NULL,
                 "england-and-wales.events: not an array");
    s_check_bad ("{\"england-and-wales\": {\"events\": [" GOOD_EVENT ", 7]}}", NULL,
                 "england-and-wales.events[1]: 7 is not an object");
    s_check_bad ("{\"england-and-wales\": {\"events\": [{\"date\": \"2028-03-01\"}]}}", NULL,
                 "england-and-wales.events[0]: \"title\" missing");
    s_check_bad ("{\"england-and-wales\": {\"events\": [" GOOD_EVENT
                 ", {\"title\": 12, \"date\": \"2028-03-02\"}]}}",
                 NULL, "england-and-wales.events[1].title: 12 is not a non-empty string");
    s_check_bad ("{\"england-and-wales\": {\"events\": [{\"title\": \"\", \"date\": "
                 "\"2028-03-02\"}]}}",
                 NULL, "england-and-wales.events[0].title: \"\" is not a non-empty string");
    s_check_bad ("{\"england-and-wales\": {\"events\": [" GOOD_EVENT ", {\"title\": \"x\"}]}}",
                 NULL, "england-and-wales.events[1]: \"date\" missing");
    s_check_bad (
        "{\"england-and-wales\": {\"events\": [" GOOD_EVENT ", " GOOD_EVENT ", " GOOD_EVENT
        ", {\"title\": \"x\", \"date\": \"2024-13-01\"}]}}",
        NULL, "england-and-wales.events[3].date: \"2024-13-01\" is not a real date (YYYY-MM-DD)");
    s_check_bad ("{\"england-and-wales\": {\"events\": [" GOOD_EVENT
                 ", {\"title\": \"x\", \"date\": 20280302}]}}",
                 NULL,
                 "england-and-wales.events[1].date: 20280302 is not a real date (YYYY-MM-DD)");
    s_check_bad ("{\"england-and-wales\": {\"events\": [" GOOD_EVENT
                 ", {\"title\": \"x\", \"date\": \"2028-3-2\"}]}}",
                 NULL,
                 "england-and-wales.events[1].date: \"2028-3-2\" is not a real date (YYYY-MM-DD)");
    s_check_bad ("{\"england-and-wales\": {\"events\": [" GOOD_EVENT
                 ", {\"title\": \"x\", \"date\": \"2150-01-01\"}]}}",
                 NULL,
                 "england-and-wales.events[1].date: \"2150-01-01\" is outside the supported range "
                 "1990-01-01..2100-12-31");
    s_check_bad ("{\"england-and-wales\": {\"events\": [" GOOD_EVENT
                 ", {\"title\": \"x\", \"date\": \"1989-12-29\"}]}}",
                 NULL,
                 "england-and-wales.events[1].date: \"1989-12-29\" is outside the supported range "
                 "1990-01-01..2100-12-31");
    //  A long bad value is cut short in the message.
    s_check_bad ("{\"england-and-wales\": {\"events\": [{\"title\": \"x\", \"date\": "
                 "\"0123456789012345678901234567890123456789012345678901234567890123456789\"}]}}",
                 NULL,
                 "england-and-wales.events[0].date: "
                 "\"01234567890123456789012345678901234567890123456789012345... is not a real date "
                 "(YYYY-MM-DD)");
}

//  --- Closures from configuration -------------------------------------------------------------

static jy_config_t *s_config (const char *text, char *path)
{
    strcpy (path, "/tmp/test_calendar_XXXXXX");
    int fd = mkstemp (path);
    if (fd < 0)
        return NULL;
    FILE *file = fdopen (fd, "w");
    fputs (text, file);
    fclose (file);
    char err[256] = "";
    jy_config_t *config = jy_config_load (path, NULL, err, sizeof (err));
    if (!config)
        fprintf (stderr, "jy_config_load: %s\n", err);
    return config;
}

static void test_closures_config (void)
{
    char path[64];
    jy_config_t *config = s_config ("calendar\n"
                                    "    closures\n"
                                    "        2024-12-24 = \"Council closure\"\n"
                                    "        2024-12-27 = \"Christmas closure\"\n",
                                    path);
    CHECK (config != NULL);
    if (config) {
        jy_calendar_t *calendar = jy_calendar_new ();
        CHECK_INT (jy_calendar_apply_config (calendar, config), 0);
        CHECK_INT (jy_calendar_day_kind (calendar, D ("2024-12-24")), JY_DAY_CLOSURE);
        CHECK_STR (jy_calendar_day_title (calendar, D ("2024-12-24")), "Council closure");
        CHECK_STR (jy_calendar_day_title (calendar, D ("2024-12-27")), "Christmas closure");
        //  Two closures push the due date two working days on.
        CHECK_DATE (s_add (calendar, "2024-12-20", 15), "2025-01-17");
        CHECK_DATE (s_add (calendar, "2024-12-23", 1), "2024-12-30");
        jy_calendar_destroy (&calendar);
        jy_config_destroy (&config);
    }
    unlink (path);

    //  A bad entry names the key; nothing is applied.
    config = s_config ("calendar\n"
                       "    closures\n"
                       "        2024-12-24 = \"Council closure\"\n"
                       "        2024-13-01 = \"Nonsense\"\n",
                       path);
    CHECK (config != NULL);
    if (config) {
        jy_calendar_t *calendar = jy_calendar_new ();
        CHECK_INT (jy_calendar_apply_config (calendar, config), -1);
        CHECK (strstr (jy_config_error (config), "calendar/closures/2024-13-01") != NULL);
        CHECK (strstr (jy_config_error (config), "\"2024-13-01\" is not a date (YYYY-MM-DD)") !=
               NULL);
        CHECK (jy_calendar_is_working_day (calendar, D ("2024-12-24")));
        jy_calendar_destroy (&calendar);
        jy_config_destroy (&config);
    }
    unlink (path);

    //  No closures section: nothing to do.
    config = s_config ("log\n    level = \"info\"\n", path);
    CHECK (config != NULL);
    if (config) {
        jy_calendar_t *calendar = jy_calendar_new ();
        CHECK_INT (jy_calendar_apply_config (calendar, config), 0);
        CHECK_DATE (s_add (calendar, "2024-12-20", 15), "2025-01-15");
        jy_calendar_destroy (&calendar);
        jy_config_destroy (&config);
    }
    unlink (path);
}

int main (void)
{
    s_reference_build ();
    test_builtin_table ();
    test_titles ();
    test_kinds ();
    test_add_working_days ();
    test_between ();
    test_limits ();
    test_against_reference ();
    test_closures_added ();
    test_import ();
    test_import_errors ();
    test_closures_config ();
    return jy_test_summary ("test_calendar");
}
