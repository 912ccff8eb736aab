/*  jy_date: calendar dates as days since 1970-01-01 (proleptic Gregorian).

    A date is a plain int32 so that arithmetic and comparison are free; text is always
    ISO 8601 "YYYY-MM-DD". Years 1900..2199 are accepted: anything else in case data is an
    error, not a child's date.
*/
#ifndef JY_DATE_H_INCLUDED
#define JY_DATE_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

typedef int32_t jy_date_t;

#define JY_DATE_INVALID   INT32_MIN
#define JY_DATE_MIN_YEAR  1900
#define JY_DATE_MAX_YEAR  2199
#define JY_DATE_TEXT_SIZE 11 /* "YYYY-MM-DD" and its terminator */

//  Parse exactly "YYYY-MM-DD" (no trailing text) naming a real date in the supported years.
//  Returns 0 and sets *out, or -1 and leaves *out alone.
int jy_date_parse (const char *text, jy_date_t *out);

//  Write "YYYY-MM-DD" into buf (JY_DATE_TEXT_SIZE bytes). Returns buf.
char *jy_date_format (jy_date_t date, char *buf);

bool jy_date_is_leap_year (int year);
int jy_date_days_in_month (int year, int month);
bool jy_date_ymd_valid (int year, int month, int day);

//  Caller guarantees a valid y/m/d (assert).
jy_date_t jy_date_from_ymd (int year, int month, int day);
void jy_date_to_ymd (jy_date_t date, int *year, int *month, int *day);

//  ISO weekday: 1 = Monday ... 7 = Sunday.
int jy_date_weekday (jy_date_t date);

//  Same day of month `months` later (or earlier when negative), clamped to the last day of
//  the target month: 31 Jan + 1 month = 28 or 29 Feb.
jy_date_t jy_date_add_months (jy_date_t date, int months);

//  Whole years between date of birth and date (age on that date).
int jy_date_age_years (jy_date_t birth, jy_date_t on);

#endif
