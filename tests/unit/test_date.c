/*  jy_date: parsing, formatting, leap years, weekdays, months and ages. */
#include "journey/jy_date.h"
#include "jy_test.h"

static void test_parse (void)
{
    jy_date_t date = 12345;
    CHECK_INT (jy_date_parse ("1970-01-01", &date), 0);
    CHECK_INT (date, 0);
    CHECK_INT (jy_date_parse ("1970-01-02", &date), 0);
    CHECK_INT (date, 1);
    CHECK_INT (jy_date_parse ("1969-12-31", &date), 0);
    CHECK_INT (date, -1);
    CHECK_INT (jy_date_parse ("2000-03-01", &date), 0);
    CHECK_INT (date, 11017);
    CHECK_INT (jy_date_parse ("2024-02-29", &date), 0);
    CHECK_DATE (date, "2024-02-29");

    //  Strict: exactly YYYY-MM-DD, nothing before or after, a real date. *out is untouched.
    const char *bad[] = {"2024-1-01",  "2024-01-01x", " 2024-01-01", "2024-01-01 ", "2024-02-30",
                         "",           "abcd-ef-gh",  "2023-02-29",  "2024-13-01",  "2024-00-10",
                         "2024-01-00", "2024-04-31",  "2024/01/01",  "20240101",    "2024-01-1",
                         "+024-01-01", "2024-+1-01",  "2024-01--1",  "1899-12-31",  "2200-01-01",
                         "0000-01-01", "1900-02-29",  "2100-02-29",  "2024-01-01\n"};
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
        date = 777;
        int rc = jy_date_parse (bad[i], &date);
        if (rc != -1 || date != 777)
            fprintf (stderr, "accepted \"%s\"\n", bad[i]);
        CHECK_INT (rc, -1);
        CHECK_INT (date, 777);
    }
    CHECK_INT (jy_date_parse (NULL, &date), -1);

    //  The supported years' edges.
    CHECK_INT (jy_date_parse ("1900-01-01", &date), 0);
    CHECK_DATE (date, "1900-01-01");
    CHECK_INT (jy_date_parse ("2199-12-31", &date), 0);
    CHECK_DATE (date, "2199-12-31");
}

static void test_format (void)
{
    char buf[JY_DATE_TEXT_SIZE];
    CHECK_STR (jy_date_format (0, buf), "1970-01-01");
    CHECK_STR (jy_date_format (-1, buf), "1969-12-31");
    CHECK_STR (jy_date_format (D ("2025-01-15"), buf), "2025-01-15");
    CHECK_STR (jy_date_format (JY_DATE_INVALID, buf), "(invalid)");
    CHECK_STR (jy_date_format (INT32_MAX, buf), "(invalid)");
    CHECK (jy_date_format (0, buf) == buf);

    //  Every day from 1900 to 2199 round-trips through text and y/m/d, one day apart.
    int failures = 0;
    jy_date_t previous = D ("1900-01-01") - 1;
    for (int year = 1900; year <= 2199; year++)
        for (int month = 1; month <= 12; month++)
            for (int day = 1; day <= jy_date_days_in_month (year, month); day++) {
                jy_date_t date = jy_date_from_ymd (year, month, day);
                int y, m, d;
                jy_date_to_ymd (date, &y, &m, &d);
                jy_date_t parsed = 0;
                char text[32];
                snprintf (text, sizeof (text), "%04d-%02d-%02d", year, month, day);
                if (date != previous + 1 || y != year || m != month || d != day ||
                    jy_date_parse (text, &parsed) != 0 || parsed != date ||
                    strcmp (jy_date_format (date, buf), text) != 0) {
                    if (failures++ < 5)
                        fprintf (stderr, "round trip failed at %s\n", text);
                }
                previous = date;
            }
    CHECK_INT (failures, 0);
}

static void test_leap_years (void)
{
    CHECK (jy_date_is_leap_year (2024));
    CHECK (!jy_date_is_leap_year (2023));
    CHECK (!jy_date_is_leap_year (1900));
    CHECK (!jy_date_is_leap_year (2100));
    CHECK (jy_date_is_leap_year (2000));
    CHECK_INT (jy_date_days_in_month (2024, 2), 29);
    CHECK_INT (jy_date_days_in_month (2023, 2), 28);
    CHECK_INT (jy_date_days_in_month (1900, 2), 28);
    CHECK_INT (jy_date_days_in_month (2000, 2), 29);
    CHECK_INT (jy_date_days_in_month (2100, 2), 28);
    CHECK_INT (jy_date_days_in_month (2024, 4), 30);
    CHECK_INT (jy_date_days_in_month (2024, 12), 31);
    CHECK (jy_date_ymd_valid (2024, 2, 29));
    CHECK (!jy_date_ymd_valid (2023, 2, 29));
    CHECK (!jy_date_ymd_valid (2024, 13, 1));
    CHECK (!jy_date_ymd_valid (2024, 0, 1));
    CHECK (!jy_date_ymd_valid (2024, 1, 0));
    CHECK (!jy_date_ymd_valid (2024, 1, 32));
    jy_date_t date;
    CHECK_INT (jy_date_parse ("2024-02-29", &date), 0);
    CHECK_INT (jy_date_parse ("2023-02-29", &date), -1);
    CHECK_INT (jy_date_parse ("2000-02-29", &date), 0);
    CHECK_INT (jy_date_parse ("1900-02-29", &date), -1);
    CHECK_INT (jy_date_parse ("2100-02-29", &date), -1);
    //  A leap year has 366 days, a common one 365.
    CHECK_INT (D ("2025-01-01") - D ("2024-01-01"), 366);
    CHECK_INT (D ("2024-01-01") - D ("2023-01-01"), 365);
    CHECK_INT (D ("2001-01-01") - D ("2000-01-01"), 366);
    CHECK_INT (D ("1901-01-01") - D ("1900-01-01"), 365);
}

static void test_weekday (void)
{
    CHECK_INT (jy_date_weekday (D ("1970-01-01")), 4); //  Thursday
    CHECK_INT (jy_date_weekday (D ("1969-12-29")), 1); //  Monday, before the epoch
    CHECK_INT (jy_date_weekday (D ("2024-12-20")), 5); //  Friday
    CHECK_INT (jy_date_weekday (D ("2024-12-21")), 6); //  Saturday
    CHECK_INT (jy_date_weekday (D ("2024-12-22")), 7); //  Sunday
    CHECK_INT (jy_date_weekday (D ("2024-12-23")), 1);
    CHECK_INT (jy_date_weekday (D ("2000-01-01")), 6);
    CHECK_INT (jy_date_weekday (D ("1900-01-01")), 1);
    CHECK_INT (jy_date_weekday (D ("2199-12-31")), 2);
    //  Consecutive days cycle through 1..7.
    int failures = 0;
    for (jy_date_t day = D ("1900-01-01"); day < D ("1901-01-01"); day++)
        if (jy_date_weekday (day + 1) != jy_date_weekday (day) % 7 + 1)
            failures++;
    CHECK_INT (failures, 0);
}

static void test_add_months (void)
{
    CHECK_DATE (jy_date_add_months (D ("2024-01-31"), 1), "2024-02-29");
    CHECK_DATE (jy_date_add_months (D ("2023-01-31"), 1), "2023-02-28");
    CHECK_DATE (jy_date_add_months (D ("2024-02-29"), 12), "2025-02-28");
    CHECK_DATE (jy_date_add_months (D ("2024-02-29"), 48), "2028-02-29");
    CHECK_DATE (jy_date_add_months (D ("2024-01-15"), 0), "2024-01-15");
    CHECK_DATE (jy_date_add_months (D ("2024-05-31"), 1), "2024-06-30");
    CHECK_DATE (jy_date_add_months (D ("2024-11-30"), 3), "2025-02-28");
    CHECK_DATE (jy_date_add_months (D ("2024-12-15"), 1), "2025-01-15");
    CHECK_DATE (jy_date_add_months (D ("2024-08-31"), 6), "2025-02-28");
    //  Negative months clamp the same way.
    CHECK_DATE (jy_date_add_months (D ("2024-03-31"), -1), "2024-02-29");
    CHECK_DATE (jy_date_add_months (D ("2023-03-31"), -1), "2023-02-28");
    CHECK_DATE (jy_date_add_months (D ("2024-01-15"), -1), "2023-12-15");
    CHECK_DATE (jy_date_add_months (D ("2024-01-31"), -2), "2023-11-30");
    CHECK_DATE (jy_date_add_months (D ("2024-02-29"), -12), "2023-02-28");
    CHECK_DATE (jy_date_add_months (D ("2024-06-30"), -24), "2022-06-30");
    CHECK_DATE (jy_date_add_months (D ("1900-03-31"), -1), "1900-02-28");
    CHECK_DATE (jy_date_add_months (D ("2000-03-31"), -1), "2000-02-29");
}

static void test_age (void)
{
    CHECK_INT (jy_date_age_years (D ("2010-06-15"), D ("2024-06-14")), 13);
    CHECK_INT (jy_date_age_years (D ("2010-06-15"), D ("2024-06-15")), 14);
    CHECK_INT (jy_date_age_years (D ("2010-06-15"), D ("2024-12-31")), 14);
    CHECK_INT (jy_date_age_years (D ("2010-06-15"), D ("2010-06-15")), 0);
    //  Born on 29 February: a year older on 1 March in a common year.
    CHECK_INT (jy_date_age_years (D ("2008-02-29"), D ("2026-02-28")), 17);
    CHECK_INT (jy_date_age_years (D ("2008-02-29"), D ("2026-03-01")), 18);
    CHECK_INT (jy_date_age_years (D ("2008-02-29"), D ("2028-02-29")), 20);
}

int main (void)
{
    test_parse ();
    test_format ();
    test_leap_years ();
    test_weekday ();
    test_add_months ();
    test_age ();
    return jy_test_summary ("test_date");
}
