/*  fuzz_date: dates and timestamps as senders write them (occurred_on, recorded_at and every
    date field of an event, config dates): jy_date_parse and jy_clock_parse_timestamp.

    Besides not crashing: what parses formats back to the same instant, and the arithmetic the
    daemons do on a parsed date stays in range.
*/
#include "journey/journey.h"
#include "fuzz.h"

static void s_date (const char *text)
{
    jy_date_t date = 0;
    if (jy_date_parse (text, &date) != 0)
        return;
    char back[JY_DATE_TEXT_SIZE];
    FUZZ_CHECK (strcmp (jy_date_format (date, back), text) == 0, "\"%s\" formats as \"%s\"", text,
                back);
    int year, month, day;
    jy_date_to_ymd (date, &year, &month, &day);
    FUZZ_CHECK (year >= JY_DATE_MIN_YEAR && year <= JY_DATE_MAX_YEAR, "year %d", year);
    int weekday = jy_date_weekday (date);
    FUZZ_CHECK (weekday >= 1 && weekday <= 7, "weekday %d", weekday);
    //  What the validator and the clocks do with a date of birth or a start date.
    jy_date_t later = jy_date_add_months (date, 120);
    FUZZ_CHECK (later > date, "%s + 120 months is not later", text);
    int age = jy_date_age_years (date, later);
    //  Ten, or nine for 29 February clamped to the 28th.
    FUZZ_CHECK (age == 10 || (age == 9 && month == 2 && day == 29), "%s: age %d after 120 months",
                text, age);
}

static void s_timestamp (const char *text)
{
    int64_t ms = 0;
    if (jy_clock_parse_timestamp (text, &ms) != 0)
        return;
    char back[32];
    jy_clock_format_ms (ms, back, sizeof back);
    //  An offset can move the instant out of the parser's years (1900-01-01T00:30+01:00): the
    //  formatted text is then refused, which is right, so only compare inside them.
    int year = atoi (back);
    if (year < JY_DATE_MIN_YEAR || year > JY_DATE_MAX_YEAR)
        return;
    int64_t again = 0;
    FUZZ_CHECK (jy_clock_parse_timestamp (back, &again) == 0 && again == ms,
                "\"%s\" is %lld ms, formats as \"%s\", which reads back as %lld", text,
                (long long) ms, back, (long long) again);
    jy_clock_local_date (ms);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *text = fuzz_text (data, size);
    s_date (text);
    s_timestamp (text);
    free (text);
    return 0;
}
