/*  render: the pack as JSON and CSV, and writing every format to files (render.h). The HTML is
    in render_html.c.
*/
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render.h"
#include "jy_file.h"

int rp_formats_parse (const char *text, unsigned *formats, char *error, size_t error_size)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"html", RP_FORMAT_HTML}, {"csv", RP_FORMAT_CSV}, {"json", RP_FORMAT_JSON}};
    const char *start = text;
    while (true) {
        const char *end = strchr (start, ',');
        size_t length = end ? (size_t) (end - start) : strlen (start);
        bool known = false;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (length == strlen (names[i].name) && strncmp (start, names[i].name, length) == 0) {
                *formats |= names[i].bit;
                known = true;
            }
        if (!known) {
            snprintf (error, error_size, "\"%.*s\" is not a format (html, csv, json)", (int) length,
                      start);
            return -1;
        }
        if (!end)
            return 0;
        start = end + 1;
    }
}

//  --- JSON ----------------------------------------------------------------------------------

static json_t *s_json_date (jy_date_t date)
{
    char text[JY_DATE_TEXT_SIZE];
    return json_string (jy_date_format (date, text));
}

static json_t *s_json_month (jy_date_t date)
{
    char text[JY_DATE_TEXT_SIZE];
    jy_date_format (date, text);
    text[7] = '\0';
    return json_string (text);
}

//  A suppressed figure carries nothing but the flag.
static json_t *s_json_figure (const jy_measure_t *def, const rp_figure_t *figure)
{
    if (figure->suppressed)
        return json_pack ("{s:b}", "suppressed", true);
    json_t *object = json_object ();
    json_object_set_new (object, "numerator", json_real (figure->numerator));
    json_object_set_new (object, "denominator",
                         def->unit == JY_UNIT_COUNT ? json_null ()
                                                    : json_real (figure->denominator));
    json_object_set_new (object, "value",
                         figure->has_value ? json_real (figure->value) : json_null ());
    json_object_set_new (object, "suppressed", json_false ());
    return object;
}

static json_t *s_json_rating (jy_rating_t rating)
{
    const char *name = jy_rating_name (rating);
    return name ? json_string (name) : json_null ();
}

static json_t *s_json_measure (rp_pack_t *pack, const rp_measure_t *measure)
{
    const jy_measure_t *def = measure->def;
    json_t *object = json_object ();
    json_object_set_new (object, "name", json_string (def->name));
    json_object_set_new (object, "label", json_string (def->label));
    json_object_set_new (object, "section", json_string (measure->section));
    json_object_set_new (object, "unit", json_string (jy_measure_unit_name (def->unit)));
    json_object_set_new (object, "polarity", json_string (jy_polarity_name (measure->polarity)));
    json_object_set_new (object, "target",
                         measure->has_target ? json_real (measure->target) : json_null ());
    json_object_set_new (object, "tolerance",
                         measure->has_target ? json_real (measure->tolerance) : json_null ());
    json_object_set_new (object, "national",
                         def->national ? json_string (def->national) : json_null ());
    json_object_set_new (object, "current", s_json_figure (def, &measure->current));
    json_object_set_new (object, "previous", s_json_figure (def, &measure->previous));
    json_object_set_new (object, "rating", s_json_rating (measure->rating));
    json_object_set_new (object, "previous_rating", s_json_rating (measure->previous_rating));
    json_object_set_new (object, "direction",
                         measure->direction == RP_DIRECTION_NONE
                             ? json_null ()
                             : json_string (rp_direction_name (measure->direction)));
    json_object_set_new (object, "exception", json_boolean (rp_measure_is_exception (measure)));
    json_t *teams = json_array ();
    for (size_t t = 0; t < measure->team_count; t++) {
        json_t *team = s_json_figure (def, &measure->teams[t].figure);
        json_object_set_new (team, "team_id", json_string (measure->teams[t].team_id));
        json_array_append_new (teams, team);
    }
    json_object_set_new (object, "teams", teams);
    json_t *months = json_array ();
    for (size_t m = 0; m < rp_pack_month_count (pack); m++) {
        json_t *month = s_json_figure (def, &measure->months[m]);
        json_object_set_new (month, "month", s_json_month (rp_pack_month (pack, m)));
        json_array_append_new (months, month);
    }
    json_object_set_new (object, "months", months);
    return object;
}

static json_t *s_json_table (const rp_table_t *table)
{
    json_t *columns = json_array ();
    for (size_t c = 0; c < table->column_count; c++)
        json_array_append_new (columns, json_string (table->headers[c]));
    json_t *rows = json_array ();
    for (size_t r = 0; r < table->row_count; r++) {
        json_t *row = json_array ();
        for (size_t c = 0; c < table->column_count; c++) {
            const rp_cell_t *cell = &table->cells[r * table->column_count + c];
            if (cell->text)
                json_array_append_new (row, json_string (cell->text));
            else if (cell->suppressed)
                json_array_append_new (row, json_pack ("{s:b}", "suppressed", true));
            else
                json_array_append_new (row, json_real (cell->count));
        }
        json_array_append_new (rows, row);
    }
    return json_pack ("{s:s, s:s, s:s, s:s, s:o, s:o}", "id", table->id, "section", table->section,
                      "title", table->title, "definition", table->definition, "columns", columns,
                      "rows", rows);
}

json_t *rp_render_json (rp_pack_t *pack)
{
    json_t *object = json_object ();
    char generated[40];
    jy_clock_format_ms (rp_pack_generated_at_ms (pack), generated, sizeof generated);
    json_object_set_new (object, "kind", json_string ("board-pack"));
    json_object_set_new (object, "la_code", json_string (rp_pack_la_code (pack)));
    json_object_set_new (object, "la_name", json_string (rp_pack_la_name (pack)));
    json_object_set_new (object, "from", s_json_date (rp_pack_from (pack)));
    json_object_set_new (object, "to", s_json_date (rp_pack_to (pack)));
    json_object_set_new (object, "previous_from", s_json_date (rp_pack_previous_from (pack)));
    json_object_set_new (object, "previous_to", s_json_date (rp_pack_previous_to (pack)));
    json_object_set_new (object, "generated_at", json_string (generated));
    json_object_set_new (object, "suppress_below", json_integer (rp_pack_suppress_below (pack)));
    json_object_set_new (object, "suppress_marker", json_string (rp_pack_suppress_marker (pack)));
    json_object_set_new (object, "child_population",
                         json_integer (rp_pack_child_population (pack)));
    json_t *months = json_array ();
    for (size_t m = 0; m < rp_pack_month_count (pack); m++)
        json_array_append_new (months, s_json_month (rp_pack_month (pack, m)));
    json_object_set_new (object, "months", months);
    json_t *measures = json_array ();
    for (size_t i = 0; i < rp_pack_measure_count (pack); i++)
        json_array_append_new (measures, s_json_measure (pack, rp_pack_measure (pack, i)));
    json_object_set_new (object, "measures", measures);
    json_t *tables = json_array ();
    for (size_t i = 0; i < rp_pack_table_count (pack); i++)
        json_array_append_new (tables, s_json_table (rp_pack_table (pack, i)));
    json_object_set_new (object, "tables", tables);
    return object;
}

//  --- CSV ----------------------------------------------------------------------------------

//  One field, RFC 4180: quoted when it holds a comma, quote or line break. Text that a
//  spreadsheet would take for a formula (= + - @ first) gets a leading apostrophe.
static void s_csv_text (FILE *out, const char *text)
{
    text = text ? text : "";
    bool formula = strchr ("=+-@", text[0]) && text[0] != '\0';
    bool quote = formula || strpbrk (text, ",\"\r\n") != NULL;
    if (quote)
        fputc ('"', out);
    if (formula)
        fputc ('\'', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc ('"', out);
        fputc (*p, out);
    }
    if (quote)
        fputc ('"', out);
}

static void s_csv_number (FILE *out, double value, int decimals)
{
    fprintf (out, "%.*f", decimals, value);
}

static int s_decimals (jy_measure_unit_t unit)
{
    return unit == JY_UNIT_PERCENT || unit == JY_UNIT_RATE_PER_10K || unit == JY_UNIT_AVERAGE ? 1
                                                                                              : 0;
}

//  numerator,denominator,value of a figure (the marker in each when suppressed).
static void s_csv_figure (FILE *out, rp_pack_t *pack, const jy_measure_t *def,
                          const rp_figure_t *figure)
{
    if (figure->suppressed) {
        const char *marker = rp_pack_suppress_marker (pack);
        s_csv_text (out, marker);
        fputc (',', out);
        s_csv_text (out, marker);
        fputc (',', out);
        s_csv_text (out, marker);
        return;
    }
    s_csv_number (out, figure->numerator, 0);
    fputc (',', out);
    if (def->unit != JY_UNIT_COUNT)
        s_csv_number (out, figure->denominator, 0);
    fputc (',', out);
    if (figure->has_value)
        s_csv_number (out, figure->value, s_decimals (def->unit));
}

static void s_csv_measures (FILE *out, rp_pack_t *pack)
{
    fputs ("section,measure,label,unit,polarity,numerator,denominator,value,previous_numerator,"
           "previous_denominator,previous_value,direction,target,tolerance,rating,"
           "previous_rating,national\r\n",
           out);
    for (size_t i = 0; i < rp_pack_measure_count (pack); i++) {
        const rp_measure_t *measure = rp_pack_measure (pack, i);
        const jy_measure_t *def = measure->def;
        s_csv_text (out, measure->section);
        fputc (',', out);
        s_csv_text (out, def->name);
        fputc (',', out);
        s_csv_text (out, def->label);
        fprintf (out, ",%s,%s,", jy_measure_unit_name (def->unit),
                 jy_polarity_name (measure->polarity));
        s_csv_figure (out, pack, def, &measure->current);
        fputc (',', out);
        s_csv_figure (out, pack, def, &measure->previous);
        fprintf (out, ",%s,", rp_direction_name (measure->direction));
        if (measure->has_target) {
            s_csv_number (out, measure->target, s_decimals (def->unit));
            fputc (',', out);
            s_csv_number (out, measure->tolerance, s_decimals (def->unit));
        } else
            fputc (',', out);
        fprintf (out, ",%s,%s,", rp_rating_text (measure->rating),
                 rp_rating_text (measure->previous_rating));
        s_csv_text (out, def->national);
        fputs ("\r\n", out);
    }
}

static void s_csv_teams (FILE *out, rp_pack_t *pack)
{
    fputs ("measure,team_id,numerator,denominator,value\r\n", out);
    for (size_t i = 0; i < rp_pack_measure_count (pack); i++) {
        const rp_measure_t *measure = rp_pack_measure (pack, i);
        for (size_t t = 0; t < measure->team_count; t++) {
            s_csv_text (out, measure->def->name);
            fputc (',', out);
            s_csv_text (out, measure->teams[t].team_id);
            fputc (',', out);
            s_csv_figure (out, pack, measure->def, &measure->teams[t].figure);
            fputs ("\r\n", out);
        }
    }
}

static void s_csv_months (FILE *out, rp_pack_t *pack)
{
    fputs ("measure,month,numerator,denominator,value\r\n", out);
    for (size_t i = 0; i < rp_pack_measure_count (pack); i++) {
        const rp_measure_t *measure = rp_pack_measure (pack, i);
        for (size_t m = 0; m < rp_pack_month_count (pack); m++) {
            char month[JY_DATE_TEXT_SIZE];
            jy_date_format (rp_pack_month (pack, m), month);
            month[7] = '\0';
            s_csv_text (out, measure->def->name);
            fprintf (out, ",%s,", month);
            s_csv_figure (out, pack, measure->def, &measure->months[m]);
            fputs ("\r\n", out);
        }
    }
}

static void s_csv_table (FILE *out, rp_pack_t *pack, const rp_table_t *table)
{
    for (size_t c = 0; c < table->column_count; c++) {
        if (c)
            fputc (',', out);
        s_csv_text (out, table->headers[c]);
    }
    fputs ("\r\n", out);
    for (size_t r = 0; r < table->row_count; r++) {
        for (size_t c = 0; c < table->column_count; c++) {
            const rp_cell_t *cell = &table->cells[r * table->column_count + c];
            if (c)
                fputc (',', out);
            if (cell->text)
                s_csv_text (out, cell->text);
            else if (cell->suppressed)
                s_csv_text (out, rp_pack_suppress_marker (pack));
            else
                s_csv_number (out, cell->count, 0);
        }
        fputs ("\r\n", out);
    }
}

//  --- Files ---------------------------------------------------------------------------------

typedef void (s_writer_fn) (FILE *out, rp_pack_t *pack, const void *arg);

//  Write through a temporary beside path and rename (jy_file), so that a reader never sees half
//  a file and a symlink planted in the directory is never followed.
static int s_write_file (const char *path, s_writer_fn *writer, rp_pack_t *pack, const void *arg,
                         char *error, size_t error_size)
{
    jy_file_t *file = jy_file_new (path, 0640, error, error_size);
    if (!file)
        return -1;
    writer (jy_file_stream (file), pack, arg);
    int rc = jy_file_commit (file, error, error_size);
    jy_file_destroy (&file);
    return rc;
}

static void s_write_html (FILE *out, rp_pack_t *pack, const void *arg)
{
    rp_render_html (pack, out);
}

static void s_write_json (FILE *out, rp_pack_t *pack, const void *arg)
{
    json_t *document = rp_render_json (pack);
    json_dumpf (document, out, JSON_INDENT (1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION (12));
    fputc ('\n', out);
    json_decref (document);
}

static void s_write_measures (FILE *out, rp_pack_t *pack, const void *arg)
{
    s_csv_measures (out, pack);
}

static void s_write_teams (FILE *out, rp_pack_t *pack, const void *arg)
{
    s_csv_teams (out, pack);
}

static void s_write_months (FILE *out, rp_pack_t *pack, const void *arg)
{
    s_csv_months (out, pack);
}

static void s_write_table (FILE *out, rp_pack_t *pack, const void *arg)
{
    s_csv_table (out, pack, (const rp_table_t *) arg);
}

int rp_render_csv (rp_pack_t *pack, const char *dir, zlist_t *paths, char *error, size_t error_size)
{
    char path[PATH_MAX + 64];
    static const struct {
        const char *name;
        s_writer_fn *writer;
    } fixed[] = {{"measures", s_write_measures},
                 {"measure_teams", s_write_teams},
                 {"measure_months", s_write_months}};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        snprintf (path, sizeof path, "%s/%s.csv", dir, fixed[i].name);
        if (s_write_file (path, fixed[i].writer, pack, NULL, error, error_size))
            return -1;
        zlist_append (paths, path);
    }
    for (size_t i = 0; i < rp_pack_table_count (pack); i++) {
        const rp_table_t *table = rp_pack_table (pack, i);
        snprintf (path, sizeof path, "%s/%s.csv", dir, table->id);
        if (s_write_file (path, s_write_table, pack, table, error, error_size))
            return -1;
        zlist_append (paths, path);
    }
    return 0;
}

static void s_base (char *base, size_t size, const char *out_dir, const char *la_code,
                    jy_date_t from, jy_date_t to)
{
    char first[JY_DATE_TEXT_SIZE], last[JY_DATE_TEXT_SIZE];
    snprintf (base, size, "%s/board-pack-%s-%s-to-%s", out_dir, la_code,
              jy_date_format (from, first), jy_date_format (to, last));
}

bool rp_render_exists (const char *out_dir, const char *la_code, jy_date_t from, jy_date_t to,
                       unsigned formats)
{
    char base[PATH_MAX + 128], path[PATH_MAX + 256];
    s_base (base, sizeof base, out_dir, la_code, from, to);
    static const struct {
        unsigned bit;
        const char *suffix;
    } files[] = {
        {RP_FORMAT_HTML, ".html"}, {RP_FORMAT_JSON, ".json"}, {RP_FORMAT_CSV, "-csv/measures.csv"}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf (path, sizeof path, "%s%s", base, files[i].suffix);
        if ((formats & files[i].bit) && access (path, F_OK) != 0)
            return false;
    }
    return true;
}

int rp_render_write (rp_pack_t *pack, unsigned formats, const char *out_dir, const char *out_root,
                     zlist_t *paths, char *error, size_t error_size)
{
    //  Files go only into the real directory found here, under the root: a symlink on the way
    //  cannot lead them elsewhere.
    char dir[PATH_MAX], base[PATH_MAX + 128], path[PATH_MAX + 256];
    if (jy_file_dir_under (out_dir, out_root, true, dir, sizeof dir, error, error_size))
        return -1;
    s_base (base, sizeof base, dir, rp_pack_la_code (pack), rp_pack_from (pack), rp_pack_to (pack));
    if (formats & RP_FORMAT_HTML) {
        snprintf (path, sizeof path, "%s.html", base);
        if (s_write_file (path, s_write_html, pack, NULL, error, error_size))
            return -1;
        zlist_append (paths, path);
    }
    if (formats & RP_FORMAT_JSON) {
        snprintf (path, sizeof path, "%s.json", base);
        if (s_write_file (path, s_write_json, pack, NULL, error, error_size))
            return -1;
        zlist_append (paths, path);
    }
    if (formats & RP_FORMAT_CSV) {
        //  The CSV directory too is judged against the root: a symlink planted at its name
        //  pointing outside is refused.
        char csv_dir[PATH_MAX];
        snprintf (path, sizeof path, "%s-csv", base);
        if (jy_file_dir_under (path, dir, true, csv_dir, sizeof csv_dir, error, error_size) ||
            rp_render_csv (pack, csv_dir, paths, error, error_size))
            return -1;
    }
    return 0;
}
