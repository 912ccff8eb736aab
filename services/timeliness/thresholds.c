/*  thresholds: KPI ratings (RAG) and caseloads, evaluated at a configured interval
    (thresholds.h; the measures and the rating rule are domain/measures/jy_measures.c's).

    A run is four statements whatever the number of measures, teams and workers, after one
    query per rated measure: the values go into timeliness.kpi_value and the ratings into
    timeliness.kpi_rating as arrays unnest'ed into one INSERT ... ON CONFLICT each, the
    ratings statement returning the scopes whose rating changed (it compares with the rows as
    they were before the statement); the caseload statement likewise returns the workers who
    crossed the threshold since the last run.
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jy_measures.h"
#include "thresholds.h"

#define S_INTERVAL_DAYS    7
#define S_WINDOW_DAYS      90
#define S_STATE_KEY_PREFIX "thresholds_last_run:"

struct _tl_thresholds_t {
    char *la_code;
    char *state_key; //  timeliness.state key holding the last run's date
    long interval_days;
    long window_days;
    jy_measure_context_t context; //  its calendar is the run's
    jy_measure_targets_t *targets;
};

tl_thresholds_t *tl_thresholds_new (jy_config_t *config, const char *la_code)
{
    assert (config);
    tl_thresholds_t *self = calloc (1, sizeof *self);
    assert (self);
    if (jy_config_int (config, "timeliness/thresholds/interval_days", S_INTERVAL_DAYS, 1, 366,
                       &self->interval_days) != 0 ||
        jy_config_int (config, "timeliness/thresholds/window_days", S_WINDOW_DAYS, 1, 3660,
                       &self->window_days) != 0 ||
        jy_measure_context_load (config, &self->context) != 0 ||
        !(self->targets = jy_measure_targets_new (config))) {
        jy_error ("%s", jy_config_error (config));
        tl_thresholds_destroy (&self);
        return NULL;
    }
    //  Without an LA there is nothing to rate; the settings are still checked above.
    if (!la_code || !*la_code) {
        jy_notice ("la/code is not set: KPI thresholds and caseloads are not evaluated");
        return self;
    }
    self->la_code = strdup (la_code);
    size_t size = strlen (S_STATE_KEY_PREFIX) + strlen (la_code) + 1;
    self->state_key = malloc (size);
    assert (self->la_code && self->state_key);
    snprintf (self->state_key, size, "%s%s", S_STATE_KEY_PREFIX, la_code);
    return self;
}

void tl_thresholds_destroy (tl_thresholds_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        tl_thresholds_t *self = *self_p;
        jy_measure_targets_destroy (&self->targets);
        free (self->la_code);
        free (self->state_key);
        free (self);
        *self_p = NULL;
    }
}

int tl_thresholds_due (tl_thresholds_t *self, jy_db_t *db, jy_date_t today)
{
    assert (self && db);
    if (!self->la_code)
        return 0;
    const char *params[1] = {self->state_key};
    PGresult *result =
        jy_db_query (db, "SELECT value FROM timeliness.state WHERE key = $1", 1, params);
    if (!result)
        return -1;
    jy_date_t last = JY_DATE_INVALID;
    bool known = PQntuples (result) == 1 && jy_date_parse (PQgetvalue (result, 0, 0), &last) == 0;
    PQclear (result);
    //  A clock moved back before the last run (a replay) runs again rather than wait.
    return !known || today >= last + self->interval_days || today < last;
}

//  --- Array literals for unnest ---------------------------------------------------------------

//  A PostgreSQL array literal under construction: "{" then elements.
typedef struct {
    char *data;
    size_t size, capacity;
} s_array_t;

static void s_array_put (s_array_t *array, const char *text, size_t length)
{
    if (array->size + length + 2 > array->capacity) {
        array->capacity = (array->size + length + 2) * 2;
        array->data = realloc (array->data, array->capacity);
        assert (array->data);
    }
    memcpy (array->data + array->size, text, length);
    array->size += length;
    array->data[array->size] = '\0';
}

static void s_array_separator (s_array_t *array)
{
    s_array_put (array, array->size ? "," : "{", 1);
}

//  A text element, quoted, with " and \ escaped; NULL is SQL NULL.
static void s_array_text (s_array_t *array, const char *value)
{
    s_array_separator (array);
    if (!value) {
        s_array_put (array, "NULL", 4);
        return;
    }
    s_array_put (array, "\"", 1);
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\')
            s_array_put (array, "\\", 1);
        s_array_put (array, p, 1);
    }
    s_array_put (array, "\"", 1);
}

static void s_array_number (s_array_t *array, bool present, double value)
{
    char text[32];
    if (present)
        snprintf (text, sizeof text, "%.17g", value);
    s_array_separator (array);
    s_array_put (array, present ? text : "NULL", strlen (present ? text : "NULL"));
}

//  The finished literal (an empty array when nothing was added).
static const char *s_array_end (s_array_t *array)
{
    if (array->size == 0)
        s_array_put (array, "{", 1);
    s_array_put (array, "}", 1);
    return array->data;
}

//  --- A run ------------------------------------------------------------------------------------

//  One computed value, with its scope and rating.
typedef struct {
    const jy_measure_t *measure;
    const jy_measure_target_t *target;
    char *scope; //  "la" or "team:<id>"
    jy_measure_value_t value;
    jy_rating_t rating;
} s_result_t;

typedef struct {
    s_result_t *items;
    size_t count, capacity;
} s_results_t;

static void s_results_free (s_results_t *results)
{
    for (size_t i = 0; i < results->count; i++) {
        free (results->items[i].scope);
        free (results->items[i].value.team_id);
    }
    free (results->items);
}

static char *s_scope (const char *team_id)
{
    if (!team_id)
        return strdup ("la");
    size_t size = strlen ("team:") + strlen (team_id) + 1;
    char *scope = malloc (size);
    assert (scope);
    snprintf (scope, size, "team:%s", team_id);
    return scope;
}

//  Every measure that has a target, per LA and team, rated. 0 or -1.
static int s_compute (tl_thresholds_t *self, jy_db_t *db, jy_date_t from, jy_date_t to,
                      s_results_t *results)
{
    size_t count;
    const jy_measure_t *table = jy_measures_table (&count);
    for (size_t m = 0; m < count; m++) {
        const jy_measure_target_t *target = jy_measure_targets_get (self->targets, &table[m]);
        if (!target->has_target || target->polarity == JY_POLARITY_NONE)
            continue;
        jy_measure_value_t *values;
        size_t n;
        //  The period ends today: computed on it.
        if (jy_measures_compute (db, &table[m], &self->context, self->la_code, from, to, to,
                                 &values, &n) != 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (results->count == results->capacity) {
                results->capacity = results->capacity ? results->capacity * 2 : 64;
                results->items = realloc (results->items, results->capacity * sizeof (s_result_t));
                assert (results->items);
            }
            s_result_t *r = &results->items[results->count++];
            r->measure = &table[m];
            r->target = target;
            r->value = values[i];
            r->scope = s_scope (values[i].team_id);
            assert (r->scope);
            r->rating =
                values[i].has_value ? jy_measures_rate (target, values[i].value) : JY_RATING_NONE;
        }
        //  The team ids now belong to results.
        free (values);
    }
    return 0;
}

static const char *s_store_values_sql =
    "INSERT INTO timeliness.kpi_value (la_code, measure, scope, computed_on, period_from,"
    " period_to, numerator, denominator, value, rating, target, tolerance)"
    " SELECT $1, v.measure, v.scope, $2::date, $3::date, $4::date, v.numerator, v.denominator,"
    " v.value, v.rating, v.target, v.tolerance"
    " FROM unnest ($5::text[], $6::text[], $7::float8[], $8::float8[], $9::float8[], $10::text[],"
    " $11::float8[], $12::float8[])"
    " AS v (measure, scope, numerator, denominator, value, rating, target, tolerance)"
    " ON CONFLICT (la_code, measure, scope, computed_on) DO UPDATE SET"
    " period_from = EXCLUDED.period_from, period_to = EXCLUDED.period_to,"
    " numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator,"
    " value = EXCLUDED.value, rating = EXCLUDED.rating, target = EXCLUDED.target,"
    " tolerance = EXCLUDED.tolerance";

static int s_store_values (tl_thresholds_t *self, jy_db_t *db, jy_date_t today, jy_date_t from,
                           s_results_t *results)
{
    enum { MEASURE, SCOPE, NUMERATOR, DENOMINATOR, VALUE, RATING, TARGET, TOLERANCE, COLUMNS };
    s_array_t arrays[COLUMNS] = {{0}};
    for (size_t i = 0; i < results->count; i++) {
        const s_result_t *r = &results->items[i];
        s_array_text (&arrays[MEASURE], r->measure->name);
        s_array_text (&arrays[SCOPE], r->scope);
        s_array_number (&arrays[NUMERATOR], true, r->value.numerator);
        s_array_number (&arrays[DENOMINATOR], true, r->value.denominator);
        s_array_number (&arrays[VALUE], r->value.has_value, r->value.value);
        s_array_text (&arrays[RATING], jy_rating_name (r->rating));
        s_array_number (&arrays[TARGET], true, r->target->target);
        s_array_number (&arrays[TOLERANCE], true, r->target->tolerance);
    }
    char today_text[JY_DATE_TEXT_SIZE], from_text[JY_DATE_TEXT_SIZE];
    jy_date_format (today, today_text);
    jy_date_format (from, from_text);
    const char *params[4 + COLUMNS] = {self->la_code, today_text, from_text, today_text};
    for (int c = 0; c < COLUMNS; c++)
        params[4 + c] = s_array_end (&arrays[c]);
    int rc = jy_db_exec (db, s_store_values_sql, 4 + COLUMNS, params);
    for (int c = 0; c < COLUMNS; c++)
        free (arrays[c].data);
    return rc;
}

//  Saves the ratings and returns the ones that changed (compared with the rows as they were
//  before this statement: every part of one statement sees the same snapshot).
static const char *s_store_ratings_sql =
    "WITH fresh AS (SELECT * FROM unnest ($3::text[], $4::text[], $5::text[], $6::float8[])"
    " AS f (measure, scope, rating, value)),"
    " prior AS (SELECT k.measure, k.scope, k.rating FROM timeliness.kpi_rating k"
    " WHERE k.la_code = $1),"
    " saved AS (INSERT INTO timeliness.kpi_rating AS k (la_code, measure, scope, rating, value,"
    " rated_on, since) SELECT $1, measure, scope, rating, value, $2::date, $2::date FROM fresh"
    " ON CONFLICT (la_code, measure, scope) DO UPDATE SET rating = EXCLUDED.rating,"
    " value = EXCLUDED.value, rated_on = EXCLUDED.rated_on,"
    " since = CASE WHEN k.rating = EXCLUDED.rating THEN k.since ELSE EXCLUDED.since END)"
    " SELECT f.measure, f.scope, f.rating, p.rating, f.value FROM fresh f"
    " JOIN prior p USING (measure, scope) WHERE p.rating <> f.rating"
    " ORDER BY f.measure, f.scope";

static int s_store_ratings (tl_thresholds_t *self, jy_db_t *db, const char *today_text,
                            s_results_t *results, tl_alert_sink_fn *sink, void *arg)
{
    enum { MEASURE, SCOPE, RATING, VALUE, COLUMNS };
    s_array_t arrays[COLUMNS] = {{0}};
    for (size_t i = 0; i < results->count; i++) {
        const s_result_t *r = &results->items[i];
        //  A scope without a rating this time keeps its last one.
        if (r->rating == JY_RATING_NONE)
            continue;
        s_array_text (&arrays[MEASURE], r->measure->name);
        s_array_text (&arrays[SCOPE], r->scope);
        s_array_text (&arrays[RATING], jy_rating_name (r->rating));
        s_array_number (&arrays[VALUE], true, r->value.value);
    }
    const char *params[2 + COLUMNS] = {self->la_code, today_text};
    for (int c = 0; c < COLUMNS; c++)
        params[2 + c] = s_array_end (&arrays[c]);
    PGresult *result = jy_db_query (db, s_store_ratings_sql, 2 + COLUMNS, params);
    for (int c = 0; c < COLUMNS; c++)
        free (arrays[c].data);
    if (!result)
        return -1;
    for (int row = 0; row < PQntuples (result); row++) {
        Journey__V1__Alert alert = JOURNEY__V1__ALERT__INIT;
        alert.has_kind = 1;
        alert.kind = JOURNEY__V1__ALERT__KIND__RAG_CHANGED;
        alert.la_code = self->la_code;
        alert.measure = PQgetvalue (result, row, 0);
        alert.scope = PQgetvalue (result, row, 1);
        alert.rating = PQgetvalue (result, row, 2);
        alert.previous_rating = PQgetvalue (result, row, 3);
        alert.has_value = 1;
        alert.value = strtod (PQgetvalue (result, row, 4), NULL);
        alert.raised_on = (char *) today_text;
        //  A team's rating goes to that team's subscribers too.
        if (strncmp (alert.scope, "team:", 5) == 0)
            alert.team_id = alert.scope + 5;
        sink (arg, &alert);
    }
    PQclear (result);
    return 0;
}

//  Updates timeliness.caseload from the open cases now and returns the workers who passed the
//  threshold since the last run (or were over it when first seen). A worker with no open case
//  left loses their row, and so starts again from under the threshold.
static const char *s_caseload_sql =
    "WITH open_now AS (SELECT c.worker_id, mode () WITHIN GROUP (ORDER BY c.team_id) AS team_id,"
    " count (*)::int AS caseload FROM projection.child c"
    " WHERE c.la_code = $1 AND c.closed_on IS NULL AND c.worker_id IS NOT NULL"
    " GROUP BY c.worker_id),"
    " prior AS (SELECT k.worker_id, k.over_threshold FROM timeliness.caseload k"
    " WHERE k.la_code = $1),"
    " gone AS (DELETE FROM timeliness.caseload k WHERE k.la_code = $1"
    " AND NOT EXISTS (SELECT 1 FROM open_now o WHERE o.worker_id = k.worker_id)),"
    " saved AS (INSERT INTO timeliness.caseload (la_code, worker_id, team_id, caseload,"
    " over_threshold, updated_on) SELECT $1, worker_id, team_id, caseload, caseload > $2::int,"
    " $3::date FROM open_now ON CONFLICT (la_code, worker_id) DO UPDATE SET"
    " team_id = EXCLUDED.team_id, caseload = EXCLUDED.caseload,"
    " over_threshold = EXCLUDED.over_threshold, updated_on = EXCLUDED.updated_on)"
    " SELECT o.worker_id, o.team_id, o.caseload FROM open_now o"
    " LEFT JOIN prior p ON p.worker_id = o.worker_id"
    " WHERE o.caseload > $2::int AND NOT COALESCE (p.over_threshold, false)"
    " ORDER BY o.worker_id";

const char *tl_thresholds_caseload_sql (void)
{
    return s_caseload_sql;
}

static int s_caseloads (tl_thresholds_t *self, jy_db_t *db, const char *today_text,
                        tl_alert_sink_fn *sink, void *arg)
{
    char threshold[24];
    snprintf (threshold, sizeof threshold, "%ld", self->context.caseload_threshold);
    const char *params[3] = {self->la_code, threshold, today_text};
    PGresult *result = jy_db_query (db, s_caseload_sql, 3, params);
    if (!result)
        return -1;
    for (int row = 0; row < PQntuples (result); row++) {
        Journey__V1__Alert alert = JOURNEY__V1__ALERT__INIT;
        alert.has_kind = 1;
        alert.kind = JOURNEY__V1__ALERT__KIND__CASELOAD;
        alert.la_code = self->la_code;
        alert.worker_id = PQgetvalue (result, row, 0);
        alert.team_id = PQgetisnull (result, row, 1) ? NULL : PQgetvalue (result, row, 1);
        alert.has_caseload = 1;
        alert.caseload = atoi (PQgetvalue (result, row, 2));
        alert.raised_on = (char *) today_text;
        sink (arg, &alert);
    }
    PQclear (result);
    return 0;
}

int tl_thresholds_run (tl_thresholds_t *self, jy_db_t *db, jy_calendar_t *calendar, jy_date_t today,
                       tl_alert_sink_fn *sink, void *arg)
{
    assert (self && db && calendar && sink);
    if (!self->la_code)
        return 0;
    self->context.calendar = calendar;
    jy_date_t from = today - (jy_date_t) (self->window_days - 1);
    char today_text[JY_DATE_TEXT_SIZE];
    jy_date_format (today, today_text);
    s_results_t results = {0};
    int rc = s_compute (self, db, from, today, &results);
    if (rc == 0)
        rc = s_store_values (self, db, today, from, &results);
    if (rc == 0)
        rc = s_store_ratings (self, db, today_text, &results, sink, arg);
    if (rc == 0)
        rc = s_caseloads (self, db, today_text, sink, arg);
    if (rc == 0) {
        const char *params[2] = {self->state_key, today_text};
        rc = jy_db_exec (db,
                         "INSERT INTO timeliness.state (key, value) VALUES ($1, $2)"
                         " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                         2, params);
    }
    s_results_free (&results);
    self->context.calendar = NULL;
    return rc;
}
