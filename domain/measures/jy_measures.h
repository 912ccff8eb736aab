/*  jy_measures: the board pack's measures (DOMAIN.md "Measures for the board pack"), as one
    table, with their ratings against configured targets.

    The static table in jy_measures.c is the one definition of every measure: its words (what
    the numerator, the denominator and the period are, for the board pack's appendix and
    docs/measures.md), its unit and polarity, the national figure where DOMAIN.md gives one,
    and one parameterised SQL statement that returns its numerator and denominator per team
    and for the whole LA. journey-timelinessd rates them against targets (services/timeliness/
    thresholds.c); journey-reportingd builds the board pack from the same rows.

    Values: percent = 100 * numerator / denominator; rate_per_10k = 10000 * numerator / the
    LA's child population (la/child_population; 0 = rates not computed); days and average =
    numerator / denominator (e.g. total days / children); count = numerator (no denominator).
    A value whose denominator is 0 is not computed (has_value false).

    Rating (docs/measures.md): with a target T and tolerance t,
        higher_better: green when value >= T, amber when value >= T - t, else red;
        lower_better:  green when value <= T, amber when value <= T + t, else red;
    no target, polarity none, or no value: no rating. A value within 1e-9 of a bound counts as
    on it (floating point must not turn 85% of 85% into amber).
*/
#ifndef JY_MEASURES_H_INCLUDED
#define JY_MEASURES_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include "jy_date.h"

struct _jy_db_t;
struct _jy_config_t;
struct _jy_calendar_t;

typedef enum {
    JY_UNIT_PERCENT,      //  100 * numerator / denominator
    JY_UNIT_RATE_PER_10K, //  10000 * numerator / child population
    JY_UNIT_DAYS,         //  average days: total days / cases
    JY_UNIT_COUNT,        //  numerator alone
    JY_UNIT_AVERAGE,      //  numerator / denominator (e.g. cases per worker)
} jy_measure_unit_t;

typedef enum {
    JY_POLARITY_NONE, //  activity: trend only, never rated
    JY_POLARITY_HIGHER_BETTER,
    JY_POLARITY_LOWER_BETTER,
} jy_polarity_t;

typedef enum {
    JY_RATING_NONE = 0,
    JY_RATING_RED,
    JY_RATING_AMBER,
    JY_RATING_GREEN,
} jy_rating_t;

//  The parameter a measure's SQL takes after $1 la_code, $2 period from, $3 period to.
typedef enum {
    JY_MEASURE_ARG_NONE,
    JY_MEASURE_ARG_HOLIDAYS, //  $5 date[]: the non-working weekdays (bank holidays, closures)
    JY_MEASURE_ARG_CASELOAD, //  $5 int: the caseload threshold
} jy_measure_arg_t;

typedef struct {
    const char *name;        //  "assessments_in_time": configuration key, JSON and SQL name
    const char *label;       //  "Assessments completed within 45 working days"
    const char *area;        //  the board pack's section: "Front door", "Child protection", ...
    const char *numerator;   //  the appendix's words
    const char *denominator; //  NULL for count measures
    const char *period;      //  which records the period [from, to] selects
    const char *team;        //  which team a record counts for; NULL when LA only
    const char *notes;       //  caveats, or NULL
    jy_measure_unit_t unit;
    jy_polarity_t polarity;  //  the default; measures/<name>/polarity may override it
    const char *national;    //  DOMAIN.md's national figure in words, or NULL
    bool has_national_value; //  national_value is comparable with the measure's value
    double national_value;
    bool per_team; //  false: only the LA row (rates per 10,000 children)
    jy_measure_arg_t arg;
    //  Returns rows (team_id text, numerator float8, denominator float8): one per team and
    //  one with team_id NULL for the whole LA, that one first. Records with no team count
    //  only in the LA row.
    const char *sql;
} jy_measure_t;

//  Every measure, in the board pack's order.
const jy_measure_t *jy_measures_table (size_t *count);
//  NULL when the name is unknown.
const jy_measure_t *jy_measures_find (const char *name);
const char *jy_measure_unit_name (jy_measure_unit_t unit); //  "percent", "rate_per_10k", ...
const char *jy_polarity_name (jy_polarity_t polarity);     //  "higher_better", ...
const char *jy_rating_name (jy_rating_t rating);           //  "red", ...; NULL for none
//  JY_RATING_NONE when the text is not "red", "amber" or "green".
jy_rating_t jy_rating_parse (const char *text);

//  --- Computing ----------------------------------------------------------------------------

//  What some measures need besides the period.
typedef struct {
    struct _jy_calendar_t *calendar; //  working-day measures (required for JY_MEASURE_ARG_HOLIDAYS)
    long child_population;           //  rates per 10,000; 0: not computed
    long caseload_threshold;         //  workers over it (JY_MEASURE_ARG_CASELOAD)
} jy_measure_context_t;

//  la/child_population and timeliness/caseload/threshold from configuration (calendar left
//  NULL for the caller). 0, or -1 with jy_config_error naming the key.
int jy_measure_context_load (struct _jy_config_t *config, jy_measure_context_t *context);

typedef struct {
    char *team_id; //  NULL: the whole LA
    double numerator;
    double denominator; //  0 for count measures; the child population for rates
    bool has_value;     //  false when the denominator is 0
    double value;       //  in the measure's unit
} jy_measure_value_t;

//  The measure over [from, to] (inclusive) for la_code, computed on today (a deadline unmet
//  and due before today is missed): the LA row first, then one per team in team order. *values is
//  allocated (free with jy_measure_values_free). 0, or -1 on a database error (logged; *values
//  NULL, *count 0).
int jy_measures_compute (struct _jy_db_t *db, const jy_measure_t *measure,
                         const jy_measure_context_t *context, const char *la_code, jy_date_t from,
                         jy_date_t to, jy_date_t today, jy_measure_value_t **values, size_t *count);
void jy_measure_values_free (jy_measure_value_t **values_p, size_t count);

//  --- Targets and ratings ------------------------------------------------------------------

typedef struct {
    jy_polarity_t polarity;
    bool has_target;
    double target;
    double tolerance;
} jy_measure_target_t;

//  The rating rule above. JY_RATING_NONE without a target or with polarity none.
jy_rating_t jy_measures_rate (const jy_measure_target_t *target, double value);

typedef struct _jy_measure_targets_t jy_measure_targets_t;

//  measures/<name>/target, tolerance (>= 0, default 0) and polarity (higher_better,
//  lower_better, none) for every measure; target unset, "" or "none" means no target. A
//  percent target is in 0..100. NULL when a setting is wrong, with jy_config_error naming
//  the key: a bad number, an unknown measure or setting under measures/, or a target on a
//  measure whose polarity is none.
jy_measure_targets_t *jy_measure_targets_new (struct _jy_config_t *config);
//  Every measure untargeted, with its table polarity (tests, and LAs without targets).
jy_measure_targets_t *jy_measure_targets_new_empty (void);
void jy_measure_targets_destroy (jy_measure_targets_t **self_p);
//  measure must come from jy_measures_table.
const jy_measure_target_t *jy_measure_targets_get (jy_measure_targets_t *self,
                                                   const jy_measure_t *measure);

#endif
