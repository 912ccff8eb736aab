/*  fuzz_calendar_import: a gov.uk bank-holidays JSON file, as `journey calendar import` reads
    it (jy_calendar_import_govuk, England and Wales).

    Properties besides not crashing: a refused file gets a message and changes nothing; an
    accepted one takes exactly the working days it says it added, each now a bank holiday with
    a title.

    A new calendar costs milliseconds under the sanitizers, so one is kept while inputs leave
    it unchanged (most are refused) and replaced after one that changed it.
*/
#include "journey/journey.h"
#include "fuzz.h"

static jy_calendar_t *s_calendar;
static int s_builtin; //  working days over the whole range in a new calendar

static int s_working_days (jy_calendar_t *calendar)
{
    int count = 0;
    FUZZ_CHECK (jy_calendar_working_days_between (calendar, jy_calendar_first (calendar),
                                                  jy_calendar_last (calendar), &count) == 0,
                "working days over the whole range");
    return count;
}

//  The days the import added, found by comparing with a new calendar.
static void s_check_added (jy_calendar_t *calendar, size_t added)
{
    jy_calendar_t *fresh = jy_calendar_new ();
    size_t found = 0;
    for (jy_date_t day = jy_calendar_first (calendar); day <= jy_calendar_last (calendar); day++) {
        if (jy_calendar_day_kind (fresh, day) != JY_DAY_WORKING ||
            jy_calendar_is_working_day (calendar, day))
            continue;
        found++;
        FUZZ_CHECK (jy_calendar_day_kind (calendar, day) == JY_DAY_BANK_HOLIDAY &&
                        jy_calendar_day_title (calendar, day),
                    "an added day is not a bank holiday with a title");
    }
    FUZZ_CHECK (found == added, "%zu days said added, %zu found", added, found);
    jy_calendar_destroy (&fresh);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_calendar) {
        s_calendar = jy_calendar_new ();
        s_builtin = s_working_days (s_calendar);
    }
    size_t added = 0;
    char err[256] = "";
    int rc = jy_calendar_import_govuk (s_calendar, (const char *) data, size, NULL, &added, err,
                                       sizeof err);
    if (rc != 0) {
        FUZZ_CHECK (err[0], "a file was refused without a message");
        FUZZ_CHECK (added == 0 && s_working_days (s_calendar) == s_builtin,
                    "a refused file changed the calendar");
        return 0;
    }
    int now = s_working_days (s_calendar);
    FUZZ_CHECK (now >= 0 && (size_t) (s_builtin - now) == added,
                "%zu days said added, working days went from %d to %d", added, s_builtin, now);
    if (added == 0)
        return 0;
    s_check_added (s_calendar, added);
    //  WORKDAY over the whole range, as the clocks sweep it, lands on the last working day.
    jy_date_t end;
    jy_date_t first = jy_calendar_first (s_calendar);
    FUZZ_CHECK (now == 0 || (jy_calendar_add_working_days (s_calendar, first, now, &end) == 0 &&
                             end <= jy_calendar_last (s_calendar) &&
                             jy_calendar_is_working_day (s_calendar, end)),
                "WORKDAY(first, %d) is not a working day in range", now);
    jy_calendar_destroy (&s_calendar);
    return 0;
}
