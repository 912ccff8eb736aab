/*  jy_calendar: working days in England.

    A working day is Monday to Friday and neither an England and Wales bank holiday (built in
    for 2012-2027 from the gov.uk feed, importable for other years) nor a local closure day.
    Rules (docs/calendar.md):
    - add N working days to D: the Nth working day after D, D itself being day 0, like a
      spreadsheet's WORKDAY(D, N). Negative N counts backwards the same way.
    - working days between A and B: the number of working days d with A < d <= B (negative
      when B is before A).
    Supported dates: 1990-01-01 to 2100-12-31; outside them the functions return -1. Both
    operations are O(1) / O(log n) on a prefix table, so a sweep over a million deadlines is
    cheap.
*/
#ifndef JY_CALENDAR_H_INCLUDED
#define JY_CALENDAR_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include "jy_date.h"

typedef struct _jy_calendar_t jy_calendar_t;

typedef enum {
    JY_DAY_WORKING = 0,
    JY_DAY_WEEKEND,
    JY_DAY_BANK_HOLIDAY,
    JY_DAY_CLOSURE, /* local closure configured by the LA */
} jy_day_kind_t;

//  A calendar holding the built-in England and Wales bank holidays.
jy_calendar_t *jy_calendar_new (void);
void jy_calendar_destroy (jy_calendar_t **self_p);

//  First and last supported dates.
jy_date_t jy_calendar_first (jy_calendar_t *self);
jy_date_t jy_calendar_last (jy_calendar_t *self);

//  Mark a day as a bank holiday or a closure. Adding a day already marked is not an error.
//  Returns 0, or -1 when the date is outside the supported range.
int jy_calendar_add_day (jy_calendar_t *self, jy_date_t day, jy_day_kind_t kind, const char *title);

jy_day_kind_t jy_calendar_day_kind (jy_calendar_t *self, jy_date_t day);
bool jy_calendar_is_working_day (jy_calendar_t *self, jy_date_t day);
//  Title of a bank holiday or closure, or NULL.
const char *jy_calendar_day_title (jy_calendar_t *self, jy_date_t day);

//  WORKDAY(from, n). Returns 0 and sets *result, or -1 when out of range.
int jy_calendar_add_working_days (jy_calendar_t *self, jy_date_t from, int n, jy_date_t *result);

//  Count of working days d with a < d <= b (negated when b < a). 0 or -1 (out of range).
int jy_calendar_working_days_between (jy_calendar_t *self, jy_date_t a, jy_date_t b, int *result);

//  Non-working days other than weekends between from and to inclusive, in date order.
//  Fills up to max entries of days (and kinds, if not NULL); returns how many there are in all.
size_t jy_calendar_holidays (jy_calendar_t *self, jy_date_t from, jy_date_t to, jy_date_t *days,
                             jy_day_kind_t *kinds, size_t max);

//  Import the gov.uk bank-holidays JSON ({"england-and-wales": {"division": ..., "events":
//  [{"title", "date", ...}]}, ...}), taking the named division ("england-and-wales" when NULL).
//  Returns 0 with *added set to the days that were new, or -1 with a message in err naming
//  what is wrong (the path in the JSON and the bad value). Nothing is added on error.
int jy_calendar_import_govuk (jy_calendar_t *self, const char *json, size_t length,
                              const char *division, size_t *added, char *err, size_t err_size);

//  Local closure days from configuration: section calendar/closures, one "YYYY-MM-DD = title"
//  per day. 0, or -1 with jy_config_error() naming the bad entry.
struct _jy_config_t;
int jy_calendar_apply_config (jy_calendar_t *self, struct _jy_config_t *config);

//  Bank holidays imported into the database (journey.calendar_day, by `journey calendar
//  import`). 0 with *loaded set, or -1 on a database error.
struct _jy_db_t;
int jy_calendar_load_db (jy_calendar_t *self, struct _jy_db_t *db, size_t *loaded);

#endif
