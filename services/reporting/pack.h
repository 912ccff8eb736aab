/*  pack: the board pack as figures, before it is written in any format.

    rp_pack_build reads everything the pack shows from the database, through the read-only
    reporting role, for one LA and one period (from and to inclusive):
    - every measure of jy_measures (domain/measures/jy_measures.h, the one definition
      of each measure): numerator, denominator and value for the LA in the period, in the
      previous period of the same length, in each month of the trend, and per team in the
      period; its RAG rating against measures/<name>/target and tolerance; the direction of
      travel against the previous period;
    - the section tables whose SQL is in pack_sql.c (open overdue deadlines by clock and team,
      alerts, disputes, case audits, rejections by code), each with its definition;
    and applies suppression: a count below reporting/suppress_below (and above 0) is printed as
    the configured marker, and a value computed from a suppressed count is suppressed too.

    The pack holds no child-level data: every figure is a count or a value over a group (the LA,
    a team, a clock, a month). The renderers (render.h) only format what is here, so that the
    HTML, CSV and JSON of one pack always agree.
*/
#ifndef RP_PACK_H_INCLUDED
#define RP_PACK_H_INCLUDED

#include "journey/journey.h"
#include "jy_measures.h"

#define RP_MAX_MONTHS 36 //  the trend: 12 months to the period's end, or the whole period

//  Direction of travel against the previous period. BETTER and WORSE for measures with a
//  polarity; UP and DOWN for activity measures, where neither is good or bad.
typedef enum {
    RP_DIRECTION_NONE = 0, //  no value in one of the periods
    RP_DIRECTION_SAME,     //  equal as printed
    RP_DIRECTION_BETTER,
    RP_DIRECTION_WORSE,
    RP_DIRECTION_UP,
    RP_DIRECTION_DOWN,
} rp_direction_t;

//  A figure as the pack shows it.
typedef struct {
    double numerator;
    double denominator;
    bool has_value;  //  false when there is nothing to show (e.g. a percentage of nothing)
    double value;    //  in the measure's unit
    bool suppressed; //  small numbers: neither value nor counts may be shown
} rp_figure_t;

typedef struct {
    char *team_id;
    rp_figure_t figure;
} rp_team_figure_t;

//  One measure in the pack.
typedef struct {
    const jy_measure_t *def; //  the one definition (jy_measures.h): words, unit, SQL
    const char *section;     //  the pack section it belongs to (rp_section_t id)
    jy_polarity_t polarity;  //  after configuration (measures/<name>/polarity)
    bool has_target;
    double target, tolerance; //  in the value's unit
    rp_figure_t current, previous;
    jy_rating_t rating, previous_rating;
    rp_direction_t direction;
    rp_team_figure_t *teams; //  the period, one per team (measures with per_team only)
    size_t team_count;
    rp_figure_t months[RP_MAX_MONTHS]; //  the trend, rp_pack_month_count of them
} rp_measure_t;

//  A cell of a section table: text, or a count (suppressed when small), or empty.
typedef struct {
    char *text; //  NULL for a count
    double count;
    bool suppressed;
    bool empty; //  no value (a pivot's missing combination, printed as 0 in CSV)
} rp_cell_t;

typedef enum {
    RP_SHAPE_ROWS,    //  leading text columns, then counts, as the SQL returns them
    RP_SHAPE_PIVOT,   //  SQL returns (row, column, count): rows down, columns across, totals
    RP_SHAPE_MONTHLY, //  SQL returns (month start, count...) for the trend months: a chart too
} rp_shape_t;

typedef struct {
    const char *id;         //  "overdue_by_clock_team": anchor and CSV file name
    const char *section;    //  the pack section it belongs to
    const char *title;      //  heading
    const char *definition; //  the appendix's words
    rp_shape_t shape;
    size_t column_count;
    char **headers; //  column_count
    size_t row_count;
    rp_cell_t *cells; //  row_count * column_count, row by row
} rp_table_t;

//  A section of the pack, in order (static).
typedef struct {
    const char *id;    //  "assessment_cp": the anchor
    const char *title; //  "Assessment and child protection"
    const char *area;  //  the jy_measures area whose measures it shows, or NULL
    const char *intro; //  one sentence under the heading
} rp_section_t;

typedef struct _rp_pack_t rp_pack_t;

//  What every pack of a deployment shares, read from configuration once (at the daemon's
//  start, so that a wrong setting stops it there): the LA's name, suppression, targets, the
//  child population, the working-day calendar and the time zone.
typedef struct _rp_settings_t rp_settings_t;

//  reporting/suppress_below, reporting/suppress_marker, la/name, la/timezone, measures/...,
//  la/child_population, calendar/closures. NULL with jy_config_error naming the key.
rp_settings_t *rp_settings_new (jy_config_t *config);
void rp_settings_destroy (rp_settings_t **self_p);
//  Add the bank holidays imported into the database (journey.calendar_day). 0 or -1.
int rp_settings_load_holidays (rp_settings_t *self, jy_db_t *db);
long rp_settings_suppress_below (rp_settings_t *self);

//  Build the pack for la_code over [from, to] from the database (the reporting role). Returns
//  NULL with a message in error (a database error, or a period that makes no sense).
rp_pack_t *rp_pack_build (jy_db_t *db, rp_settings_t *settings, const char *la_code, jy_date_t from,
                          jy_date_t to, int64_t now_ms, char *error, size_t error_size);
void rp_pack_destroy (rp_pack_t **self_p);

//  The previous period of the same length: the same number of whole months before when the
//  period is whole calendar months, else the same number of days immediately before.
void rp_pack_previous_period (jy_date_t from, jy_date_t to, jy_date_t *previous_from,
                              jy_date_t *previous_to);
//  The trend months' first days: the 12 months to the month of `to`, or from the month of
//  `from` when the period is longer (at most max, the latest kept). Returns how many.
size_t rp_pack_trend_months (jy_date_t from, jy_date_t to, jy_date_t *starts, size_t max);

const char *rp_pack_la_code (rp_pack_t *self);
const char *rp_pack_la_name (rp_pack_t *self); //  "" when not configured
jy_date_t rp_pack_from (rp_pack_t *self);
jy_date_t rp_pack_to (rp_pack_t *self);
jy_date_t rp_pack_previous_from (rp_pack_t *self);
jy_date_t rp_pack_previous_to (rp_pack_t *self);
int64_t rp_pack_generated_at_ms (rp_pack_t *self);
long rp_pack_suppress_below (rp_pack_t *self);
const char *rp_pack_suppress_marker (rp_pack_t *self);
long rp_pack_child_population (rp_pack_t *self);

size_t rp_pack_measure_count (rp_pack_t *self);
const rp_measure_t *rp_pack_measure (rp_pack_t *self, size_t index);
//  NULL when the pack has no such measure.
const rp_measure_t *rp_pack_find_measure (rp_pack_t *self, const char *name);

size_t rp_pack_table_count (rp_pack_t *self);
const rp_table_t *rp_pack_table (rp_pack_t *self, size_t index);
const rp_table_t *rp_pack_find_table (rp_pack_t *self, const char *id);

size_t rp_pack_month_count (rp_pack_t *self);
jy_date_t rp_pack_month (rp_pack_t *self, size_t index); //  first day of the month

//  The sections, in the pack's order; *count receives how many.
const rp_section_t *rp_pack_sections (size_t *count);

//  Measures rated red, or amber now and green or unrated in the previous period: the
//  exceptions, in the pack's order.
bool rp_measure_is_exception (const rp_measure_t *measure);

//  --- Formatting, shared by every renderer ----------------------------------------------------

const char *rp_direction_name (rp_direction_t direction); //  "better", "worse", "same", ...
const char *rp_rating_text (jy_rating_t rating);          //  "green", "amber", "red", ""

//  The value as printed: "85.7%", "312.4", "1,234", "412 days"; the suppression marker when
//  suppressed; "" when there is no value. Returns buf.
char *rp_format_value (rp_pack_t *self, const jy_measure_t *def, const rp_figure_t *figure,
                       char *buf, size_t size);
//  A plain number in the measure's unit (targets, tolerances): "85.0%". Returns buf.
char *rp_format_number (jy_measure_unit_t unit, double value, char *buf, size_t size);
//  A count as printed ("1,234"), or the marker when suppressed. Returns buf.
char *rp_format_count (rp_pack_t *self, double count, bool suppressed, char *buf, size_t size);

#endif
