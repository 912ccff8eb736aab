/*  jy_clock: the injected clock (DESIGN.md invariant 5).

    Local dates come from localtime_r / mktime in the process time zone, so summer time is the C
    library's business, not ours: a daemon sets TZ once at start and every conversion follows.
*/
#include "jy_clock.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct _jy_clock_t {
    bool simulated;
    int64_t now_ms; //  simulated clocks only
};

jy_clock_t *jy_clock_new_system (void)
{
    jy_clock_t *self = (jy_clock_t *) calloc (1, sizeof (jy_clock_t));
    assert (self);
    return self;
}

jy_clock_t *jy_clock_new_simulated (int64_t now_ms)
{
    jy_clock_t *self = jy_clock_new_system ();
    self->simulated = true;
    self->now_ms = now_ms;
    return self;
}

void jy_clock_destroy (jy_clock_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

bool jy_clock_is_simulated (jy_clock_t *self)
{
    assert (self);
    return self->simulated;
}

int64_t jy_clock_now_ms (jy_clock_t *self)
{
    assert (self);
    if (self->simulated)
        return self->now_ms;
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    return (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

jy_date_t jy_clock_today (jy_clock_t *self)
{
    return jy_clock_local_date (jy_clock_now_ms (self));
}

int jy_clock_set_ms (jy_clock_t *self, int64_t now_ms)
{
    assert (self);
    if (!self->simulated)
        return -1;
    self->now_ms = now_ms;
    return 0;
}

//  Local date and time to ms since the epoch. mktime resolves summer time (tm_isdst -1) and
//  moves a time that does not exist (in the spring gap) forward past the gap.
static int s_local_to_ms (jy_date_t date, int seconds_of_day, int64_t *ms)
{
    if (date == JY_DATE_INVALID || seconds_of_day < 0 || seconds_of_day >= 86400)
        return -1;
    int year, month, day;
    jy_date_to_ymd (date, &year, &month, &day);
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = seconds_of_day / 3600;
    tm.tm_min = seconds_of_day / 60 % 60;
    tm.tm_sec = seconds_of_day % 60;
    tm.tm_isdst = -1;
    time_t t = mktime (&tm);
    if (t == (time_t) -1) //  also one second before 1970 in UTC: not a date we need
        return -1;
    *ms = (int64_t) t * 1000;
    return 0;
}

int jy_clock_set_date (jy_clock_t *self, jy_date_t date, int seconds_of_day)
{
    assert (self);
    int64_t ms;
    if (!self->simulated || s_local_to_ms (date, seconds_of_day, &ms) != 0)
        return -1;
    self->now_ms = ms;
    return 0;
}

int64_t jy_clock_ms_to_next_day (jy_clock_t *self)
{
    assert (self);
    if (self->simulated)
        return -1;
    int64_t now = jy_clock_now_ms (self);
    int64_t next = jy_clock_local_midnight_ms (jy_clock_local_date (now) + 1);
    //  Never 0 or negative: a poll loop would spin.
    return next > now ? next - now : 1;
}

int64_t jy_clock_local_midnight_ms (jy_date_t date)
{
    int64_t ms = 0;
    if (s_local_to_ms (date, 0, &ms) != 0)
        return -1;
    return ms;
}

//  Floor division for instants before 1970.
static time_t s_seconds (int64_t ms)
{
    return (time_t) (ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
}

jy_date_t jy_clock_local_date (int64_t ms)
{
    time_t t = s_seconds (ms);
    struct tm tm;
    if (!localtime_r (&t, &tm))
        return JY_DATE_INVALID;
    int year = tm.tm_year + 1900;
    if (!jy_date_ymd_valid (year, tm.tm_mon + 1, tm.tm_mday))
        return JY_DATE_INVALID;
    return jy_date_from_ymd (year, tm.tm_mon + 1, tm.tm_mday);
}

char *jy_clock_format_ms (int64_t ms, char *buf, size_t size)
{
    assert (buf);
    assert (size >= 25);
    time_t t = s_seconds (ms);
    int millis = (int) (ms - (int64_t) t * 1000);
    struct tm tm;
    if (!gmtime_r (&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
        snprintf (buf, size, "(invalid)");
        return buf;
    }
    snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
              tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return buf;
}

//  count decimal digits at text into *value. False unless all are digits.
static bool s_number (const char *text, int count, int *value)
{
    int number = 0;
    for (int i = 0; i < count; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        number = number * 10 + (text[i] - '0');
    }
    *value = number;
    return true;
}

int jy_clock_parse_timestamp (const char *text, int64_t *ms)
{
    assert (ms);
    if (!text)
        return -1;
    //  YYYY-MM-DDTHH:MM:SS: each position is checked, which also stops at an early terminator.
    int year, month, day, hour, minute, second;
    if (!s_number (text, 4, &year) || text[4] != '-' || !s_number (text + 5, 2, &month) ||
        text[7] != '-' || !s_number (text + 8, 2, &day) || (text[10] != 'T' && text[10] != 't') ||
        !s_number (text + 11, 2, &hour) || text[13] != ':' || !s_number (text + 14, 2, &minute) ||
        text[16] != ':' || !s_number (text + 17, 2, &second))
        return -1;
    if (year < JY_DATE_MIN_YEAR || year > JY_DATE_MAX_YEAR || !jy_date_ymd_valid (year, month, day))
        return -1;
    //  RFC 3339 allows a leap second (60); it counts as the first second of the next minute.
    if (hour > 23 || minute > 59 || second > 60)
        return -1;
    const char *p = text + 19;
    int millis = 0;
    if (*p == '.') {
        p++;
        int digits = 0;
        for (; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 3)
                millis = millis * 10 + (*p - '0');
        if (digits == 0)
            return -1;
        for (; digits < 3; digits++)
            millis *= 10;
    }
    int offset_minutes = 0;
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        int off_hour, off_minute;
        if (!s_number (p + 1, 2, &off_hour) || p[3] != ':' || !s_number (p + 4, 2, &off_minute) ||
            off_hour > 23 || off_minute > 59)
            return -1;
        offset_minutes = sign * (off_hour * 60 + off_minute);
        p += 6;
    } else
        return -1;
    if (*p != '\0')
        return -1;

    int64_t days = jy_date_from_ymd (year, month, day);
    int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    *ms = seconds * 1000 + millis;
    return 0;
}
