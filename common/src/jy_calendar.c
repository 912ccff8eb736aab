/*  jy_calendar: working days in England.

    One byte per day from 1990-01-01 to 2100-12-31 says what kind of day it is. Two tables are
    derived from it and rebuilt lazily after a change (add_day sets the dirty flag):
    - prefix[i]: working days among the first i days, so a count between two dates is one
      subtraction;
    - working[k]: the k-th working day, so "the Nth working day after D" is one lookup.
    The rebuild is a write, so a calendar shared between threads must be complete (and queried
    once) before it is shared.
*/
#include <assert.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey/jy_calendar.h"
#include "journey/jy_config.h"
#include "journey/jy_db.h"
#include "journey/jy_log.h"

#define S_FIRST_TEXT "1990-01-01"
#define S_LAST_TEXT  "2100-12-31"
#define S_RANGE_TEXT S_FIRST_TEXT ".." S_LAST_TEXT

//  England and Wales bank holidays 2012-2027, as published in the gov.uk bank-holidays feed
//  (DOMAIN.md "Working days" lists the same dates). One line per day: check it at a glance.
static const struct {
    const char *date;
    const char *title;
} s_bank_holidays[] = {
    {"2012-01-02", "New Year's Day (substitute day)"},
    {"2012-04-06", "Good Friday"},
    {"2012-04-09", "Easter Monday"},
    {"2012-05-07", "Early May bank holiday"},
    {"2012-06-04", "Spring bank holiday (moved for the Diamond Jubilee)"},
    {"2012-06-05", "Queen's Diamond Jubilee"},
    {"2012-08-27", "Summer bank holiday"},
    {"2012-12-25", "Christmas Day"},
    {"2012-12-26", "Boxing Day"},

    {"2013-01-01", "New Year's Day"},
    {"2013-03-29", "Good Friday"},
    {"2013-04-01", "Easter Monday"},
    {"2013-05-06", "Early May bank holiday"},
    {"2013-05-27", "Spring bank holiday"},
    {"2013-08-26", "Summer bank holiday"},
    {"2013-12-25", "Christmas Day"},
    {"2013-12-26", "Boxing Day"},

    {"2014-01-01", "New Year's Day"},
    {"2014-04-18", "Good Friday"},
    {"2014-04-21", "Easter Monday"},
    {"2014-05-05", "Early May bank holiday"},
    {"2014-05-26", "Spring bank holiday"},
    {"2014-08-25", "Summer bank holiday"},
    {"2014-12-25", "Christmas Day"},
    {"2014-12-26", "Boxing Day"},

    {"2015-01-01", "New Year's Day"},
    {"2015-04-03", "Good Friday"},
    {"2015-04-06", "Easter Monday"},
    {"2015-05-04", "Early May bank holiday"},
    {"2015-05-25", "Spring bank holiday"},
    {"2015-08-31", "Summer bank holiday"},
    {"2015-12-25", "Christmas Day"},
    {"2015-12-28", "Boxing Day (substitute day)"},

    {"2016-01-01", "New Year's Day"},
    {"2016-03-25", "Good Friday"},
    {"2016-03-28", "Easter Monday"},
    {"2016-05-02", "Early May bank holiday"},
    {"2016-05-30", "Spring bank holiday"},
    {"2016-08-29", "Summer bank holiday"},
    {"2016-12-26", "Boxing Day"},
    {"2016-12-27", "Christmas Day (substitute day)"},

    {"2017-01-02", "New Year's Day (substitute day)"},
    {"2017-04-14", "Good Friday"},
    {"2017-04-17", "Easter Monday"},
    {"2017-05-01", "Early May bank holiday"},
    {"2017-05-29", "Spring bank holiday"},
    {"2017-08-28", "Summer bank holiday"},
    {"2017-12-25", "Christmas Day"},
    {"2017-12-26", "Boxing Day"},

    {"2018-01-01", "New Year's Day"},
    {"2018-03-30", "Good Friday"},
    {"2018-04-02", "Easter Monday"},
    {"2018-05-07", "Early May bank holiday"},
    {"2018-05-28", "Spring bank holiday"},
    {"2018-08-27", "Summer bank holiday"},
    {"2018-12-25", "Christmas Day"},
    {"2018-12-26", "Boxing Day"},

    {"2019-01-01", "New Year's Day"},
    {"2019-04-19", "Good Friday"},
    {"2019-04-22", "Easter Monday"},
    {"2019-05-06", "Early May bank holiday"},
    {"2019-05-27", "Spring bank holiday"},
    {"2019-08-26", "Summer bank holiday"},
    {"2019-12-25", "Christmas Day"},
    {"2019-12-26", "Boxing Day"},

    {"2020-01-01", "New Year's Day"},
    {"2020-04-10", "Good Friday"},
    {"2020-04-13", "Easter Monday"},
    {"2020-05-08", "Early May bank holiday (VE day)"}, //  moved from Monday 4 May
    {"2020-05-25", "Spring bank holiday"},
    {"2020-08-31", "Summer bank holiday"},
    {"2020-12-25", "Christmas Day"},
    {"2020-12-28", "Boxing Day (substitute day)"},

    {"2021-01-01", "New Year's Day"},
    {"2021-04-02", "Good Friday"},
    {"2021-04-05", "Easter Monday"},
    {"2021-05-03", "Early May bank holiday"},
    {"2021-05-31", "Spring bank holiday"},
    {"2021-08-30", "Summer bank holiday"},
    {"2021-12-27", "Christmas Day (substitute day)"},
    {"2021-12-28", "Boxing Day (substitute day)"},

    {"2022-01-03", "New Year's Day (substitute day)"},
    {"2022-04-15", "Good Friday"},
    {"2022-04-18", "Easter Monday"},
    {"2022-05-02", "Early May bank holiday"},
    {"2022-06-02", "Spring bank holiday (moved for the Platinum Jubilee)"},
    {"2022-06-03", "Platinum Jubilee bank holiday"},
    {"2022-08-29", "Summer bank holiday"},
    {"2022-09-19", "Bank Holiday for the State Funeral of Queen Elizabeth II"},
    {"2022-12-26", "Boxing Day"},
    {"2022-12-27", "Christmas Day (substitute day)"},

    {"2023-01-02", "New Year's Day (substitute day)"},
    {"2023-04-07", "Good Friday"},
    {"2023-04-10", "Easter Monday"},
    {"2023-05-01", "Early May bank holiday"},
    {"2023-05-08", "Bank holiday for the coronation of King Charles III"},
    {"2023-05-29", "Spring bank holiday"},
    {"2023-08-28", "Summer bank holiday"},
    {"2023-12-25", "Christmas Day"},
    {"2023-12-26", "Boxing Day"},

    {"2024-01-01", "New Year's Day"},
    {"2024-03-29", "Good Friday"},
    {"2024-04-01", "Easter Monday"},
    {"2024-05-06", "Early May bank holiday"},
    {"2024-05-27", "Spring bank holiday"},
    {"2024-08-26", "Summer bank holiday"},
    {"2024-12-25", "Christmas Day"},
    {"2024-12-26", "Boxing Day"},

    {"2025-01-01", "New Year's Day"},
    {"2025-04-18", "Good Friday"},
    {"2025-04-21", "Easter Monday"},
    {"2025-05-05", "Early May bank holiday"},
    {"2025-05-26", "Spring bank holiday"},
    {"2025-08-25", "Summer bank holiday"},
    {"2025-12-25", "Christmas Day"},
    {"2025-12-26", "Boxing Day"},

    {"2026-01-01", "New Year's Day"},
    {"2026-04-03", "Good Friday"},
    {"2026-04-06", "Easter Monday"},
    {"2026-05-04", "Early May bank holiday"},
    {"2026-05-25", "Spring bank holiday"},
    {"2026-08-31", "Summer bank holiday"},
    {"2026-12-25", "Christmas Day"},
    {"2026-12-28", "Boxing Day (substitute day)"},

    {"2027-01-01", "New Year's Day"},
    {"2027-03-26", "Good Friday"},
    {"2027-03-29", "Easter Monday"},
    {"2027-05-03", "Early May bank holiday"},
    {"2027-05-31", "Spring bank holiday"},
    {"2027-08-30", "Summer bank holiday"},
    {"2027-12-27", "Christmas Day (substitute day)"},
    {"2027-12-28", "Boxing Day (substitute day)"},
};

struct _jy_calendar_t {
    jy_date_t first;  //  1990-01-01
    jy_date_t last;   //  2100-12-31
    size_t ndays;     //  last - first + 1
    uint8_t *kind;    //  jy_day_kind_t per day
    char **title;     //  title per day, NULL for ordinary days
    int32_t *prefix;  //  prefix[i] = working days among days 0..i-1 (ndays + 1 entries)
    int32_t *working; //  working[k] = index of the k-th working day
    int32_t nworking; //  entries used in working[]
    bool dirty;       //  prefix and working need rebuilding
};

static bool s_in_range (jy_calendar_t *self, jy_date_t day)
{
    return day >= self->first && day <= self->last;
}

static size_t s_index (jy_calendar_t *self, jy_date_t day)
{
    assert (s_in_range (self, day));
    return (size_t) (day - self->first);
}

static void s_rebuild (jy_calendar_t *self)
{
    if (!self->dirty)
        return;
    int32_t count = 0;
    for (size_t i = 0; i < self->ndays; i++) {
        self->prefix[i] = count;
        if (self->kind[i] == JY_DAY_WORKING)
            self->working[count++] = (int32_t) i;
    }
    self->prefix[self->ndays] = count;
    self->nworking = count;
    self->dirty = false;
}

//  Mark an in-range day. A day that is already not a working day (weekend, bank holiday or
//  closure) keeps its kind and title: the first reason wins. Returns 1 if the day changed.
static int s_mark (jy_calendar_t *self, jy_date_t day, jy_day_kind_t kind, const char *title)
{
    size_t i = s_index (self, day);
    if (self->kind[i] != JY_DAY_WORKING)
        return 0;
    self->kind[i] = (uint8_t) kind;
    if (title && *title) {
        self->title[i] = strdup (title);
        assert (self->title[i]);
    }
    self->dirty = true;
    return 1;
}

jy_calendar_t *jy_calendar_new (void)
{
    jy_calendar_t *self = calloc (1, sizeof (jy_calendar_t));
    assert (self);
    int rc = jy_date_parse (S_FIRST_TEXT, &self->first);
    assert (rc == 0);
    rc = jy_date_parse (S_LAST_TEXT, &self->last);
    assert (rc == 0);
    self->ndays = (size_t) (self->last - self->first) + 1;
    self->kind = calloc (self->ndays, sizeof (uint8_t));
    self->title = calloc (self->ndays, sizeof (char *));
    self->prefix = calloc (self->ndays + 1, sizeof (int32_t));
    self->working = calloc (self->ndays, sizeof (int32_t));
    assert (self->kind && self->title && self->prefix && self->working);

    for (size_t i = 0; i < self->ndays; i++)
        if (jy_date_weekday (self->first + (jy_date_t) i) >= 6)
            self->kind[i] = JY_DAY_WEEKEND;
    for (size_t i = 0; i < sizeof (s_bank_holidays) / sizeof (s_bank_holidays[0]); i++) {
        jy_date_t day;
        rc = jy_date_parse (s_bank_holidays[i].date, &day);
        assert (rc == 0 && s_in_range (self, day));
        //  Every built-in bank holiday is a weekday: a 0 here is a typo in the table.
        rc = s_mark (self, day, JY_DAY_BANK_HOLIDAY, s_bank_holidays[i].title);
        assert (rc == 1);
    }
    self->dirty = true;
    return self;
}

void jy_calendar_destroy (jy_calendar_t **self_p)
{
    assert (self_p);
    jy_calendar_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->ndays; i++)
        free (self->title[i]);
    free (self->title);
    free (self->kind);
    free (self->prefix);
    free (self->working);
    free (self);
    *self_p = NULL;
}

jy_date_t jy_calendar_first (jy_calendar_t *self)
{
    assert (self);
    return self->first;
}

jy_date_t jy_calendar_last (jy_calendar_t *self)
{
    assert (self);
    return self->last;
}

int jy_calendar_add_day (jy_calendar_t *self, jy_date_t day, jy_day_kind_t kind, const char *title)
{
    assert (self);
    assert (kind == JY_DAY_BANK_HOLIDAY || kind == JY_DAY_CLOSURE);
    if (!s_in_range (self, day))
        return -1;
    s_mark (self, day, kind, title);
    return 0;
}

jy_day_kind_t jy_calendar_day_kind (jy_calendar_t *self, jy_date_t day)
{
    assert (self);
    //  Outside the supported range only weekends are known.
    if (!s_in_range (self, day))
        return jy_date_weekday (day) >= 6 ? JY_DAY_WEEKEND : JY_DAY_WORKING;
    return (jy_day_kind_t) self->kind[s_index (self, day)];
}

bool jy_calendar_is_working_day (jy_calendar_t *self, jy_date_t day)
{
    return jy_calendar_day_kind (self, day) == JY_DAY_WORKING;
}

const char *jy_calendar_day_title (jy_calendar_t *self, jy_date_t day)
{
    assert (self);
    if (!s_in_range (self, day))
        return NULL;
    return self->title[s_index (self, day)];
}

int jy_calendar_add_working_days (jy_calendar_t *self, jy_date_t from, int n, jy_date_t *result)
{
    assert (self);
    assert (result);
    if (!s_in_range (self, from))
        return -1;
    s_rebuild (self);
    size_t i = s_index (self, from);
    int64_t k;
    if (n == 0) {
        *result = from;
        return 0;
    } else if (n > 0)
        //  Working days on or before `from` are numbered 0..prefix[i+1]-1: the first one after
        //  it is number prefix[i+1], the Nth is N-1 further on.
        k = (int64_t) self->prefix[i + 1] + n - 1;
    else
        //  Working days strictly before `from` end at number prefix[i]-1: the first one
        //  before it; the Nth before it is |N|-1 further back.
        k = (int64_t) self->prefix[i] + n;
    if (k < 0 || k >= self->nworking)
        return -1;
    *result = self->first + self->working[k];
    return 0;
}

int jy_calendar_working_days_between (jy_calendar_t *self, jy_date_t a, jy_date_t b, int *result)
{
    assert (self);
    assert (result);
    if (!s_in_range (self, a) || !s_in_range (self, b))
        return -1;
    s_rebuild (self);
    //  Working days d with a < d <= b: those up to b less those up to a.
    *result = self->prefix[s_index (self, b) + 1] - self->prefix[s_index (self, a) + 1];
    return 0;
}

size_t jy_calendar_holidays (jy_calendar_t *self, jy_date_t from, jy_date_t to, jy_date_t *days,
                             jy_day_kind_t *kinds, size_t max)
{
    assert (self);
    if (from < self->first)
        from = self->first;
    if (to > self->last)
        to = self->last;
    size_t count = 0;
    for (jy_date_t day = from; day <= to; day++) {
        jy_day_kind_t kind = (jy_day_kind_t) self->kind[s_index (self, day)];
        if (kind != JY_DAY_BANK_HOLIDAY && kind != JY_DAY_CLOSURE)
            continue;
        if (count < max) {
            if (days)
                days[count] = day;
            if (kinds)
                kinds[count] = kind;
        }
        count++;
    }
    return count;
}

//  --- gov.uk bank-holidays import -----------------------------------------------------------

//  A JSON value for an error message: compact, escaped, and cut short if long.
static void s_json_text (json_t *value, char *buf, size_t size)
{
    char *text = json_dumps (value, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!text) {
        snprintf (buf, size, "(unprintable)");
        return;
    }
    if (strlen (text) > 60)
        snprintf (buf, size, "%.57s...", text);
    else
        snprintf (buf, size, "%s", text);
    free (text);
}

static int s_fail (char *err, size_t err_size, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

static int s_fail (char *err, size_t err_size, const char *format, ...)
{
    if (err && err_size) {
        va_list args;
        va_start (args, format);
        vsnprintf (err, err_size, format, args);
        va_end (args);
    }
    return -1;
}

//  Check one event: a title (non-empty string) and a date in the supported range.
static int s_check_event (jy_calendar_t *self, const char *division, size_t index, json_t *event,
                          jy_date_t *day, const char **title, char *err, size_t err_size)
{
    char value[80];
    if (!json_is_object (event)) {
        s_json_text (event, value, sizeof (value));
        return s_fail (err, err_size, "%s.events[%zu]: %s is not an object", division, index,
                       value);
    }
    json_t *jtitle = json_object_get (event, "title");
    if (!jtitle)
        return s_fail (err, err_size, "%s.events[%zu]: \"title\" missing", division, index);
    if (!json_is_string (jtitle) || json_string_length (jtitle) == 0) {
        s_json_text (jtitle, value, sizeof (value));
        return s_fail (err, err_size, "%s.events[%zu].title: %s is not a non-empty string",
                       division, index, value);
    }
    json_t *jdate = json_object_get (event, "date");
    if (!jdate)
        return s_fail (err, err_size, "%s.events[%zu]: \"date\" missing", division, index);
    s_json_text (jdate, value, sizeof (value));
    if (!json_is_string (jdate) || jy_date_parse (json_string_value (jdate), day) != 0)
        return s_fail (err, err_size, "%s.events[%zu].date: %s is not a real date (YYYY-MM-DD)",
                       division, index, value);
    if (!s_in_range (self, *day))
        return s_fail (err, err_size,
                       "%s.events[%zu].date: %s is outside the supported range " S_RANGE_TEXT,
                       division, index, value);
    *title = json_string_value (jtitle);
    return 0;
}

int jy_calendar_import_govuk (jy_calendar_t *self, const char *json, size_t length,
                              const char *division, size_t *added, char *err, size_t err_size)
{
    assert (self);
    assert (json || length == 0);
    if (!division)
        division = "england-and-wales";
    if (added)
        *added = 0;

    json_error_t error;
    json_t *root = json_loadb (json, length, 0, &error);
    if (!root)
        return s_fail (err, err_size, "not JSON: %s at line %d column %d", error.text, error.line,
                       error.column);

    int rc = -1;
    jy_date_t *days = NULL;
    const char **titles = NULL;
    json_t *jdivision = json_object_get (root, division);
    json_t *events = jdivision ? json_object_get (jdivision, "events") : NULL;
    if (!json_is_object (root))
        s_fail (err, err_size, "not a gov.uk bank-holidays file: the top level is not an object");
    else if (!jdivision)
        s_fail (err, err_size, "no \"%s\" division", division);
    else if (!json_is_object (jdivision))
        s_fail (err, err_size, "%s: not an object", division);
    else if (!events)
        s_fail (err, err_size, "%s: \"events\" missing", division);
    else if (!json_is_array (events))
        s_fail (err, err_size, "%s.events: not an array", division);
    else {
        //  Check every event before adding any, so that a bad file changes nothing.
        size_t count = json_array_size (events);
        days = calloc (count + 1, sizeof (jy_date_t));
        titles = calloc (count + 1, sizeof (char *));
        assert (days && titles);
        rc = 0;
        for (size_t i = 0; i < count && rc == 0; i++)
            rc = s_check_event (self, division, i, json_array_get (events, i), &days[i], &titles[i],
                                err, err_size);
        if (rc == 0) {
            size_t fresh = 0;
            for (size_t i = 0; i < count; i++)
                fresh += (size_t) s_mark (self, days[i], JY_DAY_BANK_HOLIDAY, titles[i]);
            if (added)
                *added = fresh;
        }
    }
    free (days);
    free (titles);
    json_decref (root);
    return rc;
}

//  --- Local closures and imported days ------------------------------------------------------

int jy_calendar_apply_config (jy_calendar_t *self, jy_config_t *config)
{
    assert (self);
    assert (config);
    zconfig_t *section = jy_config_section (config, "calendar/closures");
    if (!section)
        return 0;
    //  Check every entry before marking any, so that a bad file leaves the calendar as it was.
    for (zconfig_t *child = zconfig_child (section); child; child = zconfig_next (child)) {
        const char *name = zconfig_name (child);
        char key[128];
        snprintf (key, sizeof (key), "calendar/closures/%s", name ? name : "");
        jy_date_t day;
        if (!name || jy_date_parse (name, &day) != 0)
            return jy_config_fail (config, key, "\"%s\" is not a date (YYYY-MM-DD)",
                                   name ? name : "");
        if (!s_in_range (self, day))
            return jy_config_fail (config, key, "%s is outside the supported range " S_RANGE_TEXT,
                                   name);
    }
    for (zconfig_t *child = zconfig_child (section); child; child = zconfig_next (child)) {
        jy_date_t day;
        jy_date_parse (zconfig_name (child), &day);
        const char *title = zconfig_value (child);
        s_mark (self, day, JY_DAY_CLOSURE, title && *title ? title : "Local closure");
    }
    return 0;
}

int jy_calendar_load_db (jy_calendar_t *self, jy_db_t *db, size_t *loaded)
{
    assert (self);
    assert (db);
    if (loaded)
        *loaded = 0;
    PGresult *result = jy_db_query (db,
                                    "SELECT day::text, title FROM journey.calendar_day"
                                    " WHERE division = 'england-and-wales' ORDER BY day",
                                    0, NULL);
    if (!result)
        return -1; //  the error kept by jy_db, for the caller
    //  Rows are outside input: check them all before marking any.
    int rows = PQntuples (result);
    int rc = 0;
    for (int row = 0; row < rows && rc == 0; row++) {
        const char *text = PQgetvalue (result, row, 0);
        jy_date_t day;
        if (PQgetisnull (result, row, 0) || jy_date_parse (text, &day) != 0 ||
            !s_in_range (self, day)) {
            jy_error ("journey.calendar_day: day \"%s\" is not a date in " S_RANGE_TEXT, text);
            rc = -1;
        }
    }
    for (int row = 0; row < rows && rc == 0; row++) {
        jy_date_t day;
        jy_date_parse (PQgetvalue (result, row, 0), &day);
        const char *title = PQgetisnull (result, row, 1) ? NULL : PQgetvalue (result, row, 1);
        s_mark (self, day, JY_DAY_BANK_HOLIDAY, title && *title ? title : "Bank holiday");
    }
    if (rc == 0 && loaded)
        *loaded = (size_t) rows;
    PQclear (result);
    return rc;
}
