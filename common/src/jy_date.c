/*  jy_date: calendar dates as days since 1970-01-01 (proleptic Gregorian).

    The conversions are Howard Hinnant's days_from_civil / civil_from_days
    (http://howardhinnant.github.io/date_algorithms.html): exact for every date, no tables,
    no time zones. Internally 64-bit so that no int32 date can overflow them.
*/
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "journey/jy_date.h"

static int64_t s_days_from_civil (int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned) (y - era * 400);                      //  [0, 399]
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; //  [0, 365]
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           //  [0, 146096]
    return era * 146097 + (int64_t) doe - 719468;
}

static void s_civil_from_days (int64_t z, int64_t *year, unsigned *month, unsigned *day)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned) (z - era * 146097);                         //  [0, 146096]
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; //  [0, 399]
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               //  [0, 365]
    const unsigned mp = (5 * doy + 2) / 153;                                    //  [0, 11]
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int64_t) yoe + era * 400 + (*month <= 2);
}

static bool s_digits (const char *text, int count)
{
    for (int i = 0; i < count; i++)
        if (text[i] < '0' || text[i] > '9')
            return false;
    return true;
}

static int s_number (const char *text, int count)
{
    int value = 0;
    for (int i = 0; i < count; i++)
        value = value * 10 + (text[i] - '0');
    return value;
}

int jy_date_parse (const char *text, jy_date_t *out)
{
    assert (out);
    //  Exactly ten characters: checking each position also stops at an early terminator.
    if (!text || !s_digits (text, 4) || text[4] != '-' || !s_digits (text + 5, 2) ||
        text[7] != '-' || !s_digits (text + 8, 2) || text[10] != '\0')
        return -1;
    int year = s_number (text, 4);
    int month = s_number (text + 5, 2);
    int day = s_number (text + 8, 2);
    if (year < JY_DATE_MIN_YEAR || year > JY_DATE_MAX_YEAR || !jy_date_ymd_valid (year, month, day))
        return -1;
    *out = jy_date_from_ymd (year, month, day);
    return 0;
}

char *jy_date_format (jy_date_t date, char *buf)
{
    assert (buf);
    int64_t year;
    unsigned month, day;
    s_civil_from_days (date, &year, &month, &day);
    //  Only four-digit years fit the buffer; anything else is not a date we would print.
    if (date == JY_DATE_INVALID || year < 0 || year > 9999)
        snprintf (buf, JY_DATE_TEXT_SIZE, "(invalid)");
    else {
        //  By hand: the compiler cannot see that snprintf would fit.
        unsigned y = (unsigned) year;
        const unsigned digits[8] = {y / 1000,   y / 100 % 10, y / 10 % 10, y % 10,
                                    month / 10, month % 10,   day / 10,    day % 10};
        char *p = buf;
        for (int i = 0; i < 8; i++) {
            if (i == 4 || i == 6)
                *p++ = '-';
            *p++ = (char) ('0' + digits[i]);
        }
        *p = '\0';
    }
    return buf;
}

bool jy_date_is_leap_year (int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int jy_date_days_in_month (int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    assert (month >= 1 && month <= 12);
    return month == 2 && jy_date_is_leap_year (year) ? 29 : days[month - 1];
}

bool jy_date_ymd_valid (int year, int month, int day)
{
    return month >= 1 && month <= 12 && day >= 1 && day <= jy_date_days_in_month (year, month);
}

jy_date_t jy_date_from_ymd (int year, int month, int day)
{
    assert (jy_date_ymd_valid (year, month, day));
    int64_t days = s_days_from_civil (year, (unsigned) month, (unsigned) day);
    assert (days > INT32_MIN && days <= INT32_MAX);
    return (jy_date_t) days;
}

void jy_date_to_ymd (jy_date_t date, int *year, int *month, int *day)
{
    int64_t y;
    unsigned m, d;
    s_civil_from_days (date, &y, &m, &d);
    if (year)
        *year = (int) y;
    if (month)
        *month = (int) m;
    if (day)
        *day = (int) d;
}

int jy_date_weekday (jy_date_t date)
{
    //  1970-01-01 was a Thursday (ISO 4).
    int64_t offset = ((int64_t) date % 7 + 7 + 3) % 7;
    return (int) offset + 1;
}

jy_date_t jy_date_add_months (jy_date_t date, int months)
{
    int year, month, day;
    jy_date_to_ymd (date, &year, &month, &day);
    int64_t index = (int64_t) year * 12 + (month - 1) + months;
    int64_t new_year = index >= 0 ? index / 12 : (index - 11) / 12;
    int new_month = (int) (index - new_year * 12) + 1;
    int last = jy_date_days_in_month ((int) new_year, new_month);
    return jy_date_from_ymd ((int) new_year, new_month, day < last ? day : last);
}

int jy_date_age_years (jy_date_t birth, jy_date_t on)
{
    int by, bm, bd, oy, om, od;
    jy_date_to_ymd (birth, &by, &bm, &bd);
    jy_date_to_ymd (on, &oy, &om, &od);
    //  Birthday not yet reached this year: one fewer. Someone born on 29 February turns a
    //  year older on 1 March in a common year (as under English law).
    int age = oy - by;
    if (om < bm || (om == bm && od < bd))
        age--;
    return age;
}
