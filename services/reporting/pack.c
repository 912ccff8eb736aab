/*  pack: the board pack as figures (pack.h). */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pack.h"
#include "pack_sql.h"

//  The pack's sections, in order. A measure goes to the section whose area is its jy_measures
//  area (compared without case); one whose area is none of these goes to "other".
static const rp_section_t s_sections[] = {
    {"summary", "Summary", NULL,
     "Each measure with a polarity, rated against its target where one is set, with its "
     "direction of travel since the previous period and the national figure; activity "
     "measures below."},
    {"front_door", "Front door", "Front door",
     "Referrals: how many children come to us, and how many come back within a year."},
    {"assessment_cp", "Assessment and child protection", "Assessment and child protection",
     "Child and family assessments, section 47 enquiries, conferences and child protection "
     "plans."},
    {"children_in_need", "Children in need", "Children in need",
     "Children supported with a plan: reviews and rates."},
    {"looked_after", "Children looked after", "Children looked after",
     "Children in our care: reviews, health, placements and their stability."},
    {"adoption", "Adoption", "Adoption",
     "How long children wait between entering care and moving in with their adoptive family."},
    {"care_leavers", "Care leavers", "Care leavers",
     "Young people aged 19 to 21 who were in our care."},
    {"missing", "Missing", "Missing", "Missing episodes and return home interviews."},
    {"timeliness", "Timeliness", NULL,
     "Statutory and local deadlines that were overdue at the end of the period, and the trend "
     "month by month."},
    {"disputes", "Disputes", NULL,
     "Concerns raised by Independent Reviewing Officers and child protection chairs through "
     "the dispute resolution ladder."},
    {"audits", "Workforce and case audits", "Workforce and quality",
     "Caseloads of allocated workers, and single case audits with the grades given."},
    {"other", "Other measures", NULL, "Measures that belong to no section above."},
    {"exceptions", "Exceptions", NULL,
     "Measures rated red, and measures newly amber since the previous period: the exception "
     "report for corrective action."},
    {"data_quality", "Data quality", NULL,
     "Records the case management system sent that Journey refused, by reason: they are in "
     "no figure above until the system sends them again, corrected."},
    {"appendix", "Appendix: definitions", NULL, "How every figure in this pack is made."},
};
#define S_SECTION_COUNT (sizeof s_sections / sizeof s_sections[0])

struct _rp_settings_t {
    char *la_name;
    char *timezone;
    long suppress_below;
    char *marker;
    jy_measure_targets_t *targets;
    jy_measure_context_t context; //  its calendar is ours
    jy_calendar_t *calendar;
};

struct _rp_pack_t {
    rp_settings_t *settings; //  not owned
    char la_code[16];
    jy_date_t from, to, previous_from, previous_to;
    int64_t generated_at_ms;
    jy_date_t today; //  local date of generated_at_ms: a deadline due before it and unmet is missed
    rp_measure_t *measures;
    size_t measure_count;
    rp_table_t *tables;
    size_t table_count;
    jy_date_t months[RP_MAX_MONTHS];
    size_t month_count;
};

//  --- Settings ------------------------------------------------------------------------------

rp_settings_t *rp_settings_new (jy_config_t *config)
{
    rp_settings_t *self = (rp_settings_t *) zmalloc (sizeof (rp_settings_t));
    assert (self);
    const char *name, *zone, *marker;
    if (jy_config_string (config, "la/name", "", &name) ||
        jy_config_key_string (config, JY_KEY_LA_TIMEZONE, &zone) ||
        jy_config_int (config, "reporting/suppress_below", 5, 0, 1000, &self->suppress_below) ||
        jy_config_string (config, "reporting/suppress_marker", "", &marker))
        goto bad;
    self->la_name = strdup (name);
    self->timezone = strdup (zone);
    assert (self->la_name && self->timezone);
    if (*marker) {
        self->marker = strdup (marker);
        assert (self->marker);
    } else {
        char text[32];
        snprintf (text, sizeof text, "<%ld", self->suppress_below);
        self->marker = strdup (text);
        assert (self->marker);
    }
    self->targets = jy_measure_targets_new (config);
    if (!self->targets)
        goto bad;
    if (jy_measure_context_load (config, &self->context))
        goto bad;
    self->calendar = jy_calendar_new ();
    if (jy_calendar_apply_config (self->calendar, config))
        goto bad;
    self->context.calendar = self->calendar;
    return self;
bad:
    rp_settings_destroy (&self);
    return NULL;
}

void rp_settings_destroy (rp_settings_t **self_p)
{
    assert (self_p);
    rp_settings_t *self = *self_p;
    if (!self)
        return;
    free (self->la_name);
    free (self->timezone);
    free (self->marker);
    jy_measure_targets_destroy (&self->targets);
    jy_calendar_destroy (&self->calendar);
    free (self);
    *self_p = NULL;
}

int rp_settings_load_holidays (rp_settings_t *self, jy_db_t *db)
{
    size_t loaded = 0;
    return jy_calendar_load_db (self->calendar, db, &loaded);
}

long rp_settings_suppress_below (rp_settings_t *self)
{
    return self->suppress_below;
}

//  --- Periods -------------------------------------------------------------------------------

static jy_date_t s_month_start (jy_date_t date)
{
    int year, month, day;
    jy_date_to_ymd (date, &year, &month, &day);
    return jy_date_from_ymd (year, month, 1);
}

static bool s_is_month_end (jy_date_t date)
{
    return s_month_start (date + 1) == date + 1;
}

static int s_months_between (jy_date_t first, jy_date_t last)
{
    int y1, m1, d1, y2, m2, d2;
    jy_date_to_ymd (first, &y1, &m1, &d1);
    jy_date_to_ymd (last, &y2, &m2, &d2);
    return (y2 - y1) * 12 + (m2 - m1);
}

void rp_pack_previous_period (jy_date_t from, jy_date_t to, jy_date_t *previous_from,
                              jy_date_t *previous_to)
{
    if (s_month_start (from) == from && s_is_month_end (to)) {
        int months = s_months_between (from, to) + 1;
        *previous_from = jy_date_add_months (from, -months);
        *previous_to = from - 1;
    } else {
        *previous_to = from - 1;
        *previous_from = from - (to - from + 1);
    }
}

size_t rp_pack_trend_months (jy_date_t from, jy_date_t to, jy_date_t *starts, size_t max)
{
    jy_date_t last = s_month_start (to);
    int span = s_months_between (from, to) + 1;
    size_t count = (size_t) (span > 12 ? span : 12);
    if (count > max)
        count = max;
    for (size_t i = 0; i < count; i++)
        starts[i] = jy_date_add_months (last, -(int) (count - 1 - i));
    return count;
}

//  --- Figures ------------------------------------------------------------------------------

static bool s_small (rp_settings_t *settings, double count)
{
    return count > 0 && count < (double) settings->suppress_below;
}

//  A figure from a computed value, suppressed when a count of children in it is small: both
//  parts of a percentage, the numerator of a count, a rate (its denominator is the whole child
//  population) or an average per worker, the children averaged over for average days.
static void s_figure (rp_settings_t *settings, const jy_measure_t *def,
                      const jy_measure_value_t *value, rp_figure_t *figure)
{
    memset (figure, 0, sizeof *figure);
    figure->numerator = value->numerator;
    figure->denominator = value->denominator;
    figure->has_value = value->has_value;
    figure->value = value->value;
    bool numerator_counts = def->unit != JY_UNIT_DAYS;
    bool denominator_counts = def->unit == JY_UNIT_PERCENT || def->unit == JY_UNIT_DAYS;
    figure->suppressed = (numerator_counts && s_small (settings, value->numerator)) ||
                         (denominator_counts && s_small (settings, value->denominator));
}

//  Decimal places a unit is printed with: directions compare values as printed.
static int s_decimals (jy_measure_unit_t unit)
{
    return unit == JY_UNIT_PERCENT || unit == JY_UNIT_RATE_PER_10K || unit == JY_UNIT_AVERAGE ? 1
                                                                                              : 0;
}

static rp_direction_t s_direction (const rp_measure_t *measure)
{
    const rp_figure_t *now = &measure->current, *before = &measure->previous;
    if (!now->has_value || !before->has_value || now->suppressed || before->suppressed)
        return RP_DIRECTION_NONE;
    double scale = pow (10, s_decimals (measure->def->unit));
    double a = round (now->value * scale), b = round (before->value * scale);
    if (a == b)
        return RP_DIRECTION_SAME;
    bool up = a > b;
    switch (measure->polarity) {
    case JY_POLARITY_HIGHER_BETTER:
        return up ? RP_DIRECTION_BETTER : RP_DIRECTION_WORSE;
    case JY_POLARITY_LOWER_BETTER:
        return up ? RP_DIRECTION_WORSE : RP_DIRECTION_BETTER;
    default:
        return up ? RP_DIRECTION_UP : RP_DIRECTION_DOWN;
    }
}

//  A suppressed figure gets no rating either: the rating would tell what the value hides.
static jy_rating_t s_rate (const jy_measure_target_t *target, const rp_figure_t *figure)
{
    if (!figure->has_value || figure->suppressed)
        return JY_RATING_NONE;
    return jy_measures_rate (target, figure->value);
}

bool rp_measure_is_exception (const rp_measure_t *measure)
{
    if (measure->rating == JY_RATING_RED)
        return true;
    return measure->rating == JY_RATING_AMBER && (measure->previous_rating == JY_RATING_GREEN ||
                                                  measure->previous_rating == JY_RATING_NONE);
}

//  --- Building: measures -------------------------------------------------------------------

static const char *s_section_of (const char *area)
{
    for (size_t i = 0; area && i < S_SECTION_COUNT; i++)
        if (s_sections[i].area && strcasecmp (area, s_sections[i].area) == 0)
            return s_sections[i].id;
    return "other";
}

static int s_compute (rp_pack_t *self, const jy_measure_t *def, jy_date_t from, jy_date_t to,
                      jy_measure_value_t **values, size_t *count, jy_db_t *db, char *error,
                      size_t error_size)
{
    if (jy_measures_compute (db, def, &self->settings->context, self->la_code, from, to,
                             self->today, values, count) == 0)
        return 0;
    snprintf (error, error_size, "measure %s: %s", def->name, jy_db_error (db));
    return -1;
}

//  The LA row of a computation (the first, team_id NULL), or a zero row.
static const jy_measure_value_t *s_la_row (const jy_measure_value_t *values, size_t count)
{
    static const jy_measure_value_t none = {0};
    return count > 0 && values[0].team_id == NULL ? &values[0] : &none;
}

static int s_build_measure (rp_pack_t *self, jy_db_t *db, const jy_measure_t *def,
                            rp_measure_t *measure, char *error, size_t error_size)
{
    rp_settings_t *settings = self->settings;
    const jy_measure_target_t *target = jy_measure_targets_get (settings->targets, def);
    measure->def = def;
    measure->section = s_section_of (def->area);
    measure->polarity = target->polarity;
    measure->has_target = target->has_target;
    measure->target = target->target;
    measure->tolerance = target->tolerance;

    jy_measure_value_t *values = NULL;
    size_t count = 0;
    if (s_compute (self, def, self->from, self->to, &values, &count, db, error, error_size))
        return -1;
    s_figure (settings, def, s_la_row (values, count), &measure->current);
    if (def->per_team) {
        measure->teams = (rp_team_figure_t *) calloc (count ? count : 1, sizeof (rp_team_figure_t));
        assert (measure->teams);
        for (size_t i = 0; i < count; i++) {
            if (!values[i].team_id)
                continue;
            rp_team_figure_t *team = &measure->teams[measure->team_count++];
            team->team_id = strdup (values[i].team_id);
            assert (team->team_id);
            s_figure (settings, def, &values[i], &team->figure);
        }
    }
    jy_measure_values_free (&values, count);

    if (s_compute (self, def, self->previous_from, self->previous_to, &values, &count, db, error,
                   error_size))
        return -1;
    s_figure (settings, def, s_la_row (values, count), &measure->previous);
    jy_measure_values_free (&values, count);

    for (size_t month = 0; month < self->month_count; month++) {
        jy_date_t first = self->months[month];
        jy_date_t last = jy_date_add_months (first, 1) - 1;
        if (last > self->to)
            last = self->to;
        if (s_compute (self, def, first, last, &values, &count, db, error, error_size))
            return -1;
        s_figure (settings, def, s_la_row (values, count), &measure->months[month]);
        jy_measure_values_free (&values, count);
    }
    measure->rating = s_rate (target, &measure->current);
    measure->previous_rating = s_rate (target, &measure->previous);
    measure->direction = s_direction (measure);
    return 0;
}

//  --- Building: section tables -------------------------------------------------------------

static void s_cell_count (rp_pack_t *self, rp_cell_t *cell, double count)
{
    cell->count = count;
    cell->suppressed = s_small (self->settings, count);
}

static char *s_month_text (jy_date_t date)
{
    char text[JY_DATE_TEXT_SIZE];
    jy_date_format (date, text);
    text[7] = '\0'; //  "YYYY-MM"
    char *month = strdup (text);
    assert (month);
    return month;
}

static void s_table_rows (rp_pack_t *self, const rp_table_def_t *def, PGresult *result,
                          rp_table_t *table)
{
    size_t columns = (size_t) PQnfields (result);
    size_t text_columns = def->shape == RP_SHAPE_MONTHLY ? 1 : def->text_columns;
    table->column_count = columns;
    table->headers = (char **) calloc (columns, sizeof (char *));
    assert (table->headers);
    for (size_t c = 0; c < columns; c++) {
        table->headers[c] =
            strdup (c < RP_SQL_MAX_HEADERS && def->headers[c] ? def->headers[c]
                                                              : PQfname (result, (int) c));
        assert (table->headers[c]);
    }
    table->row_count = (size_t) PQntuples (result);
    table->cells = (rp_cell_t *) calloc (table->row_count * columns + 1, sizeof (rp_cell_t));
    assert (table->cells);
    for (size_t r = 0; r < table->row_count; r++)
        for (size_t c = 0; c < columns; c++) {
            rp_cell_t *cell = &table->cells[r * columns + c];
            const char *text = PQgetvalue (result, (int) r, (int) c);
            if (c < text_columns) {
                jy_date_t month;
                if (def->shape == RP_SHAPE_MONTHLY && jy_date_parse (text, &month) == 0)
                    cell->text = s_month_text (month);
                else {
                    cell->text = strdup (PQgetisnull (result, (int) r, (int) c) ? "" : text);
                    assert (cell->text);
                }
            } else
                s_cell_count (self, cell, atof (text));
        }
}

//  Distinct labels in first-seen order, with a sort key.
typedef struct {
    char **labels;
    int *orders;
    size_t count;
} s_labels_t;

static size_t s_label_index (s_labels_t *labels, const char *label, int order)
{
    for (size_t i = 0; i < labels->count; i++)
        if (strcmp (labels->labels[i], label) == 0)
            return i;
    labels->labels = (char **) realloc (labels->labels, (labels->count + 1) * sizeof (char *));
    labels->orders = (int *) realloc (labels->orders, (labels->count + 1) * sizeof (int));
    assert (labels->labels && labels->orders);
    labels->labels[labels->count] = strdup (label);
    assert (labels->labels[labels->count]);
    labels->orders[labels->count] = order;
    return labels->count++;
}

//  Sort labels by (order, label); map[old index] = new index.
static void s_labels_sort (s_labels_t *labels, size_t *map)
{
    size_t n = labels->count;
    size_t *index = (size_t *) malloc ((n + 1) * sizeof (size_t));
    assert (index);
    for (size_t i = 0; i < n; i++)
        index[i] = i;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            size_t a = index[j - 1], b = index[j];
            int by_order = labels->orders[a] - labels->orders[b];
            if (by_order > 0 ||
                (by_order == 0 && strcmp (labels->labels[a], labels->labels[b]) > 0)) {
                index[j - 1] = b;
                index[j] = a;
            } else
                break;
        }
    char **sorted = (char **) malloc ((n + 1) * sizeof (char *));
    assert (sorted);
    for (size_t i = 0; i < n; i++) {
        sorted[i] = labels->labels[index[i]];
        map[index[i]] = i;
    }
    free (labels->labels);
    labels->labels = sorted;
    free (index);
}

static void s_labels_free (s_labels_t *labels, bool free_strings)
{
    if (free_strings)
        for (size_t i = 0; i < labels->count; i++)
            free (labels->labels[i]);
    free (labels->labels);
    free (labels->orders);
}

//  (row, column, column order, count) rows into a matrix with a Total column and row.
static void s_table_pivot (rp_pack_t *self, const rp_table_def_t *def, PGresult *result,
                           rp_table_t *table)
{
    s_labels_t rows = {0}, columns = {0};
    int n = PQntuples (result);
    size_t *row_of = (size_t *) malloc ((size_t) (n + 1) * sizeof (size_t));
    size_t *column_of = (size_t *) malloc ((size_t) (n + 1) * sizeof (size_t));
    assert (row_of && column_of);
    for (int i = 0; i < n; i++) {
        row_of[i] = s_label_index (&rows, PQgetvalue (result, i, 0), 0);
        column_of[i] =
            s_label_index (&columns, PQgetvalue (result, i, 1), atoi (PQgetvalue (result, i, 2)));
    }
    size_t *row_map = (size_t *) malloc ((rows.count + 1) * sizeof (size_t));
    size_t *column_map = (size_t *) malloc ((columns.count + 1) * sizeof (size_t));
    assert (row_map && column_map);
    s_labels_sort (&rows, row_map);
    s_labels_sort (&columns, column_map);

    //  Layout: label column, one per data column, Total; one row per label, then Total.
    size_t width = columns.count + 2;
    size_t height = rows.count + (rows.count > 0 ? 1 : 0);
    double *sums = (double *) calloc (width * (height + 1), sizeof (double));
    assert (sums);
    for (int i = 0; i < n; i++) {
        size_t r = row_map[row_of[i]], c = column_map[column_of[i]] + 1;
        double count = atof (PQgetvalue (result, i, 3));
        sums[r * width + c] += count;
        sums[r * width + width - 1] += count;
        sums[rows.count * width + c] += count;
        sums[rows.count * width + width - 1] += count;
    }
    table->column_count = width;
    table->headers = (char **) calloc (width, sizeof (char *));
    assert (table->headers);
    table->headers[0] = strdup (def->headers[0] ? def->headers[0] : "");
    assert (table->headers[0]);
    for (size_t c = 0; c < columns.count; c++)
        table->headers[c + 1] = columns.labels[c];
    table->headers[width - 1] = strdup ("Total");
    assert (table->headers[width - 1]);
    table->row_count = height;
    table->cells = (rp_cell_t *) calloc (height * width + 1, sizeof (rp_cell_t));
    assert (table->cells);
    for (size_t r = 0; r < height; r++) {
        rp_cell_t *row = &table->cells[r * width];
        row[0].text = r < rows.count ? rows.labels[r] : strdup ("Total");
        assert (row[0].text);
        for (size_t c = 1; c < width; c++)
            s_cell_count (self, &row[c], sums[r * width + c]);
    }
    free (sums);
    free (row_of);
    free (column_of);
    free (row_map);
    free (column_map);
    s_labels_free (&rows, false);    //  the strings now belong to the table
    s_labels_free (&columns, false); //  likewise
}

static int s_build_table (rp_pack_t *self, jy_db_t *db, const rp_table_def_t *def,
                          rp_table_t *table, char *error, size_t error_size)
{
    char from[JY_DATE_TEXT_SIZE], to[JY_DATE_TEXT_SIZE], previous_from[JY_DATE_TEXT_SIZE],
        previous_to[JY_DATE_TEXT_SIZE], first_month[JY_DATE_TEXT_SIZE];
    const char *params[RP_SQL_PARAMS] = {
        self->la_code,
        jy_date_format (self->from, from),
        jy_date_format (self->to, to),
        jy_date_format (self->previous_from, previous_from),
        jy_date_format (self->previous_to, previous_to),
        jy_date_format (self->months[0], first_month),
        self->settings->timezone,
    };
    table->id = def->id;
    table->section = def->section;
    table->title = def->title;
    table->definition = def->definition;
    table->shape = def->shape;
    PGresult *result = jy_db_query (db, def->sql, RP_SQL_PARAMS, params);
    if (!result) {
        snprintf (error, error_size, "table %s: %s", def->id, jy_db_error (db));
        return -1;
    }
    if (def->shape == RP_SHAPE_PIVOT)
        s_table_pivot (self, def, result, table);
    else
        s_table_rows (self, def, result, table);
    PQclear (result);
    return 0;
}

//  --- The pack ------------------------------------------------------------------------------

rp_pack_t *rp_pack_build (jy_db_t *db, rp_settings_t *settings, const char *la_code, jy_date_t from,
                          jy_date_t to, int64_t now_ms, char *error, size_t error_size)
{
    assert (db && settings && la_code);
    if (to < from) {
        snprintf (error, error_size, "the period ends before it starts");
        return NULL;
    }
    if (strlen (la_code) >= sizeof ((rp_pack_t *) 0)->la_code) {
        snprintf (error, error_size, "la_code is too long");
        return NULL;
    }
    rp_pack_t *self = (rp_pack_t *) zmalloc (sizeof (rp_pack_t));
    assert (self);
    self->settings = settings;
    snprintf (self->la_code, sizeof self->la_code, "%s", la_code);
    self->from = from;
    self->to = to;
    self->generated_at_ms = now_ms;
    self->today = jy_clock_local_date (now_ms);
    rp_pack_previous_period (from, to, &self->previous_from, &self->previous_to);
    self->month_count = rp_pack_trend_months (from, to, self->months, RP_MAX_MONTHS);

    //  One snapshot for the whole pack: every figure is read as of the same moment, so the
    //  sections agree with each other even while events are being committed.
    if (jy_db_exec (db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL)) {
        snprintf (error, error_size, "%s", jy_db_error (db));
        free (self);
        return NULL;
    }
    size_t count;
    const jy_measure_t *defs = jy_measures_table (&count);
    self->measures = (rp_measure_t *) calloc (count + 1, sizeof (rp_measure_t));
    assert (self->measures);
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        rc = s_build_measure (self, db, &defs[i], &self->measures[i], error, error_size);
        self->measure_count = i + 1;
    }
    const rp_table_def_t *tables = rp_pack_sql_tables (&count);
    self->tables = (rp_table_t *) calloc (count + 1, sizeof (rp_table_t));
    assert (self->tables);
    for (size_t i = 0; i < count && rc == 0; i++) {
        rc = s_build_table (self, db, &tables[i], &self->tables[i], error, error_size);
        self->table_count = i + 1;
    }
    jy_db_rollback (db); //  read only: nothing to commit
    if (rc) {
        rp_pack_destroy (&self);
        return NULL;
    }
    return self;
}

void rp_pack_destroy (rp_pack_t **self_p)
{
    assert (self_p);
    rp_pack_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->measure_count; i++) {
        for (size_t t = 0; t < self->measures[i].team_count; t++)
            free (self->measures[i].teams[t].team_id);
        free (self->measures[i].teams);
    }
    free (self->measures);
    for (size_t i = 0; i < self->table_count; i++) {
        rp_table_t *table = &self->tables[i];
        for (size_t c = 0; c < table->column_count; c++)
            free (table->headers[c]);
        free (table->headers);
        for (size_t k = 0; k < table->row_count * table->column_count; k++)
            free (table->cells[k].text);
        free (table->cells);
    }
    free (self->tables);
    free (self);
    *self_p = NULL;
}

const char *rp_pack_la_code (rp_pack_t *self)
{
    return self->la_code;
}

const char *rp_pack_la_name (rp_pack_t *self)
{
    return self->settings->la_name;
}

jy_date_t rp_pack_from (rp_pack_t *self)
{
    return self->from;
}

jy_date_t rp_pack_to (rp_pack_t *self)
{
    return self->to;
}

jy_date_t rp_pack_previous_from (rp_pack_t *self)
{
    return self->previous_from;
}

jy_date_t rp_pack_previous_to (rp_pack_t *self)
{
    return self->previous_to;
}

int64_t rp_pack_generated_at_ms (rp_pack_t *self)
{
    return self->generated_at_ms;
}

long rp_pack_suppress_below (rp_pack_t *self)
{
    return self->settings->suppress_below;
}

const char *rp_pack_suppress_marker (rp_pack_t *self)
{
    return self->settings->marker;
}

long rp_pack_child_population (rp_pack_t *self)
{
    return self->settings->context.child_population;
}

size_t rp_pack_measure_count (rp_pack_t *self)
{
    return self->measure_count;
}

const rp_measure_t *rp_pack_measure (rp_pack_t *self, size_t index)
{
    assert (index < self->measure_count);
    return &self->measures[index];
}

const rp_measure_t *rp_pack_find_measure (rp_pack_t *self, const char *name)
{
    for (size_t i = 0; i < self->measure_count; i++)
        if (strcmp (self->measures[i].def->name, name) == 0)
            return &self->measures[i];
    return NULL;
}

size_t rp_pack_table_count (rp_pack_t *self)
{
    return self->table_count;
}

const rp_table_t *rp_pack_table (rp_pack_t *self, size_t index)
{
    assert (index < self->table_count);
    return &self->tables[index];
}

const rp_table_t *rp_pack_find_table (rp_pack_t *self, const char *id)
{
    for (size_t i = 0; i < self->table_count; i++)
        if (strcmp (self->tables[i].id, id) == 0)
            return &self->tables[i];
    return NULL;
}

size_t rp_pack_month_count (rp_pack_t *self)
{
    return self->month_count;
}

jy_date_t rp_pack_month (rp_pack_t *self, size_t index)
{
    assert (index < self->month_count);
    return self->months[index];
}

const rp_section_t *rp_pack_sections (size_t *count)
{
    *count = S_SECTION_COUNT;
    return s_sections;
}

//  --- Formatting ----------------------------------------------------------------------------

const char *rp_direction_name (rp_direction_t direction)
{
    static const char *const names[] = {"", "same", "better", "worse", "up", "down"};
    return (size_t) direction < sizeof names / sizeof names[0] ? names[direction] : "";
}

const char *rp_rating_text (jy_rating_t rating)
{
    const char *name = jy_rating_name (rating);
    return name ? name : "";
}

//  Digits with thousands separators: 1234567.8 with 1 decimal -> "1,234,567.8".
static char *s_grouped (double value, int decimals, char *buf, size_t size)
{
    char plain[64];
    snprintf (plain, sizeof plain, "%.*f", decimals, fabs (value) < 5e-12 ? 0.0 : value);
    const char *digits = plain[0] == '-' ? plain + 1 : plain;
    const char *point = strchr (digits, '.');
    size_t whole = point ? (size_t) (point - digits) : strlen (digits);
    size_t at = 0;
    if (plain[0] == '-' && at + 1 < size)
        buf[at++] = '-';
    for (size_t i = 0; i < whole && at + 2 < size; i++) {
        if (i > 0 && (whole - i) % 3 == 0)
            buf[at++] = ',';
        buf[at++] = digits[i];
    }
    if (point)
        for (const char *p = point; *p && at + 1 < size; p++)
            buf[at++] = *p;
    buf[at] = '\0';
    return buf;
}

char *rp_format_number (jy_measure_unit_t unit, double value, char *buf, size_t size)
{
    char digits[64];
    s_grouped (value, s_decimals (unit), digits, sizeof digits);
    switch (unit) {
    case JY_UNIT_PERCENT:
        snprintf (buf, size, "%s%%", digits);
        break;
    case JY_UNIT_DAYS:
        snprintf (buf, size, "%s days", digits);
        break;
    default:
        snprintf (buf, size, "%s", digits);
    }
    return buf;
}

char *rp_format_value (rp_pack_t *self, const jy_measure_t *def, const rp_figure_t *figure,
                       char *buf, size_t size)
{
    if (figure->suppressed)
        snprintf (buf, size, "%s", self->settings->marker);
    else if (!figure->has_value)
        snprintf (buf, size, "%s", "");
    else
        rp_format_number (def->unit, figure->value, buf, size);
    return buf;
}

char *rp_format_count (rp_pack_t *self, double count, bool suppressed, char *buf, size_t size)
{
    if (suppressed)
        snprintf (buf, size, "%s", self->settings->marker);
    else
        s_grouped (count, 0, buf, size);
    return buf;
}
