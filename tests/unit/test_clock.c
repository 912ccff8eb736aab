/*  jy_clock: simulated and system clocks, local dates across British Summer Time, and RFC 3339
    text both ways. Runs in Europe/London whatever the machine's zone. */
#include <time.h>

#include "journey/journey.h"
#include "jy_test.h"

static int64_t s_ms (const char *text)
{
    int64_t ms = 0;
    if (jy_clock_parse_timestamp (text, &ms) != 0) {
        fprintf (stderr, "bad timestamp literal in test: %s\n", text);
        abort ();
    }
    return ms;
}

static void s_test_simulated (void)
{
    jy_clock_t *clock = jy_clock_new_simulated (s_ms ("2024-01-05T10:00:00Z"));
    CHECK (jy_clock_is_simulated (clock));
    CHECK_INT (jy_clock_now_ms (clock), 1704448800000);
    CHECK_DATE (jy_clock_today (clock), "2024-01-05");
    //  It stands still.
    CHECK_INT (jy_clock_now_ms (clock), 1704448800000);
    CHECK_INT (jy_clock_ms_to_next_day (clock), -1);

    CHECK_INT (jy_clock_set_ms (clock, s_ms ("2024-03-31T00:30:00Z")), 0);
    CHECK_DATE (jy_clock_today (clock), "2024-03-31");
    CHECK_INT (jy_clock_set_ms (clock, s_ms ("2024-06-30T23:30:00Z")), 0);
    CHECK_DATE (jy_clock_today (clock), "2024-07-01"); //  00:30 BST

    //  09:00 local: 09:00Z in winter, 08:00Z in summer.
    CHECK_INT (jy_clock_set_date (clock, D ("2025-01-06"), 9 * 3600), 0);
    CHECK_INT (jy_clock_now_ms (clock), s_ms ("2025-01-06T09:00:00Z"));
    CHECK_DATE (jy_clock_today (clock), "2025-01-06");
    CHECK_INT (jy_clock_set_date (clock, D ("2024-07-15"), 9 * 3600), 0);
    CHECK_INT (jy_clock_now_ms (clock), s_ms ("2024-07-15T08:00:00Z"));
    CHECK_INT (jy_clock_set_date (clock, D ("2024-07-15"), 23 * 3600 + 59 * 60 + 59), 0);
    CHECK_INT (jy_clock_now_ms (clock), s_ms ("2024-07-15T22:59:59Z"));
    CHECK_DATE (jy_clock_today (clock), "2024-07-15");
    int64_t before = jy_clock_now_ms (clock);
    CHECK_INT (jy_clock_set_date (clock, D ("2024-07-15"), 86400), -1);
    CHECK_INT (jy_clock_set_date (clock, D ("2024-07-15"), -1), -1);
    CHECK_INT (jy_clock_set_date (clock, JY_DATE_INVALID, 0), -1);
    CHECK_INT (jy_clock_now_ms (clock), before); //  unchanged by refused moves
    jy_clock_destroy (&clock);
    CHECK (clock == NULL);
    jy_clock_destroy (&clock);
}

static void s_test_local (void)
{
    //  Local midnight: GMT in winter, 23:00Z the day before in summer.
    CHECK_INT (jy_clock_local_midnight_ms (D ("2024-01-05")), s_ms ("2024-01-05T00:00:00Z"));
    CHECK_INT (jy_clock_local_midnight_ms (D ("2024-07-01")), s_ms ("2024-06-30T23:00:00Z"));
    //  The clocks go forward at 01:00 GMT on 2024-03-31 (a 23-hour day) and back at 01:00 GMT
    //  on 2024-10-27 (a 25-hour day).
    CHECK_INT (jy_clock_local_midnight_ms (D ("2024-04-01")) -
                   jy_clock_local_midnight_ms (D ("2024-03-31")),
               23 * 3600000LL);
    CHECK_INT (jy_clock_local_midnight_ms (D ("2024-10-28")) -
                   jy_clock_local_midnight_ms (D ("2024-10-27")),
               25 * 3600000LL);
    CHECK_DATE (jy_clock_local_date (s_ms ("2024-03-31T00:30:00Z")), "2024-03-31");
    CHECK_DATE (jy_clock_local_date (s_ms ("2024-03-30T23:59:59Z")), "2024-03-30");
    CHECK_DATE (jy_clock_local_date (s_ms ("2024-06-30T22:59:59Z")), "2024-06-30");
    CHECK_DATE (jy_clock_local_date (s_ms ("2024-06-30T23:00:00Z")), "2024-07-01");
    CHECK_DATE (jy_clock_local_date (s_ms ("2024-10-26T23:30:00Z")), "2024-10-27");
    CHECK_DATE (jy_clock_local_date (0), "1970-01-01"); //  BST all year in 1970: 01:00 local
}

static void s_test_system (void)
{
    jy_clock_t *clock = jy_clock_new_system ();
    CHECK (!jy_clock_is_simulated (clock));
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    int64_t real = (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000;
    int64_t ms = jy_clock_now_ms (clock);
    CHECK (ms >= real && ms - real < 5000);
    CHECK_INT (jy_clock_set_ms (clock, 0), -1);
    CHECK_INT (jy_clock_set_date (clock, D ("2025-01-06"), 0), -1);
    int64_t to_next = jy_clock_ms_to_next_day (clock);
    CHECK (to_next > 0 && to_next <= 25 * 3600000LL);
    //  Now plus that is the next local midnight: tomorrow's date, or today's just before it.
    jy_date_t today = jy_clock_today (clock);
    CHECK (jy_clock_local_date (jy_clock_now_ms (clock) + to_next) == today + 1 ||
           jy_clock_today (clock) == today + 1);
    jy_clock_destroy (&clock);
}

static void s_test_text (void)
{
    int64_t ms = 0;
    CHECK_INT (jy_clock_parse_timestamp ("2024-01-05T10:00:00Z", &ms), 0);
    CHECK_INT (ms, 1704448800000);
    CHECK_INT (jy_clock_parse_timestamp ("2024-06-01T10:00:00.250+01:00", &ms), 0);
    CHECK_INT (ms, s_ms ("2024-06-01T09:00:00.250Z"));
    CHECK_INT (jy_clock_parse_timestamp ("2024-06-01T10:00:00-05:30", &ms), 0);
    CHECK_INT (ms, s_ms ("2024-06-01T15:30:00Z"));
    CHECK_INT (jy_clock_parse_timestamp ("2024-06-01t10:00:00.5z", &ms), 0);
    CHECK_INT (ms, s_ms ("2024-06-01T10:00:00.500Z"));
    CHECK_INT (jy_clock_parse_timestamp ("2024-06-01T10:00:00.123456789Z", &ms), 0);
    CHECK_INT (ms, s_ms ("2024-06-01T10:00:00.123Z"));
    CHECK_INT (jy_clock_parse_timestamp ("2024-02-29T00:00:00Z", &ms), 0);
    CHECK_INT (jy_clock_parse_timestamp ("2016-12-31T23:59:60Z", &ms), 0); //  leap second
    CHECK_INT (ms, s_ms ("2017-01-01T00:00:00Z"));
    CHECK_INT (jy_clock_parse_timestamp ("1969-12-31T23:59:59.500Z", &ms), 0);
    CHECK_INT (ms, -500);

    const char *bad[] = {
        "",
        "2024-01-05",
        "2024-01-05T10:00:00",       //  no zone
        "2024-01-05 10:00:00Z",      //  space
        "2024-01-05T10:00Z",         //  no seconds
        "2024-1-05T10:00:00Z",       //  short month
        "2024-13-05T10:00:00Z",      //  month
        "2023-02-29T10:00:00Z",      //  not a leap year
        "2024-01-05T24:00:00Z",      //  hour
        "2024-01-05T10:60:00Z",      //  minute
        "2024-01-05T10:00:61Z",      //  second
        "2024-01-05T10:00:00.Z",     //  empty fraction
        "2024-01-05T10:00:00+0100",  //  offset without colon
        "2024-01-05T10:00:00+01",    //  short offset
        "2024-01-05T10:00:00+24:00", //  offset hour
        "2024-01-05T10:00:00ZZ",     //  trailing text
        "2024-01-05T10:00:00Z ",     //  trailing space
        " 2024-01-05T10:00:00Z",     //  leading space
        "0024-01-05T10:00:00Z",      //  outside the supported years
        "2024-01-05T10:00:00+01:00x",
        "2024-01-05T1a:00:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ms = 12345;
        int rc = jy_clock_parse_timestamp (bad[i], &ms);
        if (rc != -1)
            fprintf (stderr, "  accepted: \"%s\"\n", bad[i]);
        CHECK_INT (rc, -1);
        CHECK_INT (ms, 12345);
    }
    CHECK_INT (jy_clock_parse_timestamp (NULL, &ms), -1);

    char buf[32];
    CHECK_STR (jy_clock_format_ms (1704448800000, buf, sizeof buf), "2024-01-05T10:00:00.000Z");
    CHECK_STR (jy_clock_format_ms (s_ms ("2026-11-22T02:13:46.123Z"), buf, 25),
               "2026-11-22T02:13:46.123Z");
    CHECK_STR (jy_clock_format_ms (-500, buf, sizeof buf), "1969-12-31T23:59:59.500Z");
    //  Round trip over a spread of instants.
    int mismatches = 0;
    for (int64_t t = -86400000LL * 365; t < 86400000LL * 365 * 120; t += 86400000LL * 37 + 12345) {
        int64_t back = 0;
        if (jy_clock_parse_timestamp (jy_clock_format_ms (t, buf, sizeof buf), &back) != 0 ||
            back != t)
            mismatches++;
    }
    CHECK_INT (mismatches, 0);
}

int main (void)
{
    setenv ("TZ", "Europe/London", 1);
    tzset ();
    s_test_simulated ();
    s_test_local ();
    s_test_system ();
    s_test_text ();
    return jy_test_summary ("test_clock");
}
