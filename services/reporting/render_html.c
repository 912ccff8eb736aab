/*  render_html: the board pack as one self-contained HTML file (render.h).

    Reading order: the cover (who, which period, how to read it), the summary tiles, a section
    per area (measures table, then a trend and a bar chart by team per measure, then the
    section's tables), the exceptions, data quality, and the appendix. Every measure row and
    tile links to the measure's definition in the appendix (#m-<name>), every table caption to
    the table's (#t-<id>). All text from the database or configuration is escaped.
*/
#include <math.h>
#include <string.h>
#include <time.h>

#include "render.h"
#include "svg.h"

#define S_TEXT 128

//  The stylesheet: screen and A4 print. Colours are the RAG colours most councils' scorecards
//  use, with the rating also written out, so that the pack reads in black and white too.
static const char *s_style =
    ":root{--red:#c62828;--amber:#ef8f00;--green:#2e7d32;--none:#78909c;--ink:#1d2733;"
    "--muted:#5a6673;--rule:#d5dbe1;--paper:#fff;--band:#f3f5f7;--accent:#1f4e79}"
    "*{box-sizing:border-box}"
    "html{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "body{margin:0 auto;max-width:1180px;padding:24px "
    "32px;color:var(--ink);background:var(--paper);"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}"
    "h1{font-size:30px;margin:4px 0 8px;color:var(--accent)}"
    "h2{font-size:22px;margin:0 0 6px;color:var(--accent);border-bottom:3px solid var(--accent);"
    "padding-bottom:4px}"
    "h3{font-size:16px;margin:18px 0 6px}"
    "a{color:var(--accent)}"
    "section{margin:36px 0}"
    ".kicker{text-transform:uppercase;letter-spacing:.08em;color:var(--muted);margin:0;font-size:"
    "12px}"
    ".period{font-size:18px;margin:0}.period span{display:block;font-size:13px;color:var(--muted)}"
    ".meta{color:var(--muted);max-width:820px}"
    ".intro{color:var(--muted);margin:0 0 12px}"
    "nav ol{columns:3;padding-left:20px;margin:8px 0}"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}"
    ".tile{display:flex;flex-direction:column;min-width:0;border:1px solid "
    "var(--rule);border-top:8px solid "
    "var(--none);border-radius:4px;padding:8px 10px;text-decoration:none;color:inherit;"
    "break-inside:avoid;min-height:150px}"
    ".tile.red{border-top-color:var(--red)}.tile.amber{border-top-color:var(--amber)}"
    ".tile.green{border-top-color:var(--green)}"
    ".tile .label{font-size:12.5px;font-weight:600;min-height:34px}"
    ".tile .value{font-size:26px;font-weight:700;margin:2px 0}"
    ".tile .line{font-size:12px;color:var(--muted)}"
    ".badge{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;"
    "padding:1px 6px;border-radius:3px;color:#fff;background:var(--none)}"
    ".badge.red{background:var(--red)}.badge.amber{background:var(--amber)}"
    ".badge.green{background:var(--green)}"
    ".travel.better{color:var(--green)}.travel.worse{color:var(--red)}"
    ".travel.up,.travel.down,.travel.same{color:var(--muted)}.travel{overflow-wrap:anywhere}"
    ".badge{white-space:nowrap}"
    ".activity{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:6px;"
    "margin-top:12px}"
    ".activity a{display:block;background:var(--band);padding:6px 10px;border-radius:4px;"
    "text-decoration:none;color:inherit;font-size:12.5px}"
    ".activity b{display:block;font-size:18px}"
    "table.data{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:12.5px}"
    "table.data caption{text-align:left;font-weight:600;padding:4px 0}"
    "table.data th,table.data td{border-bottom:1px solid var(--rule);padding:4px 6px;"
    "text-align:left;vertical-align:top}"
    "table.data th{background:var(--band);font-weight:600}"
    "table.data td.n,table.data th.n{text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}"
    "table.data tr.total td{font-weight:700}"
    "tr{break-inside:avoid}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:12px}"
    "figure{margin:0;border:1px solid var(--rule);border-radius:4px;padding:8px;"
    "break-inside:avoid}"
    "figcaption{font-size:12.5px;font-weight:600;margin-bottom:4px}"
    "svg.chart{width:100%;height:auto;display:block;margin-top:4px}"
    "svg .grid{stroke:var(--rule);stroke-width:.6}"
    "svg .axis{font-size:8px;fill:var(--muted)}"
    "svg .line{fill:none;stroke-width:1.8}"
    "svg .s0{stroke:var(--accent);fill:var(--accent)}svg path.s0{fill:none}"
    "svg .s1{stroke:var(--amber);fill:var(--amber)}svg path.s1{fill:none}"
    "svg .s2{stroke:var(--green);fill:var(--green)}svg path.s2{fill:none}"
    "svg .s3{stroke:var(--red);fill:var(--red)}svg path.s3{fill:none}"
    "svg .target{stroke:var(--red);stroke-width:1;stroke-dasharray:4 3}"
    "svg .bar{fill:var(--accent)}"
    ".def{border-top:1px solid var(--rule);padding:6px 0;break-inside:avoid}"
    ".def h3{margin:4px 0}"
    ".def dl{display:grid;grid-template-columns:150px 1fr;gap:2px 12px;margin:4px 0;font-size:13px}"
    ".def dt{color:var(--muted)}.def dd{margin:0}"
    ".none{color:var(--muted);font-style:italic}"
    "footer{color:var(--muted);font-size:12px;border-top:1px solid var(--rule);padding-top:8px}"
    "@page{size:A4 portrait;margin:12mm 11mm 14mm}"
    "@media print{body{max-width:none;padding:0;font-size:9.5pt}"
    "section{break-before:page;margin:0}header{break-after:avoid}"
    "h2{font-size:16pt}.tiles{grid-template-columns:repeat(4,1fr);gap:6px}"
    ".tile{min-height:0;padding:5px 7px}.tile .value{font-size:17pt}"
    ".charts{grid-template-columns:repeat(2,1fr)}table.data{font-size:8.5pt}"
    "a{text-decoration:none;color:inherit}nav{break-after:page}}";

static void s_text (FILE *out, const char *text)
{
    rp_xml_text (out, text);
}

static const char *s_month_names[] = {"January",   "February", "March",    "April",
                                      "May",       "June",     "July",     "August",
                                      "September", "October",  "November", "December"};

//  "1 January 2025"
static char *s_long_date (jy_date_t date, char *buf, size_t size)
{
    int year, month, day;
    jy_date_to_ymd (date, &year, &month, &day);
    snprintf (buf, size, "%d %s %d", day, s_month_names[month - 1], year);
    return buf;
}

static const char *s_rating_label (jy_rating_t rating)
{
    switch (rating) {
    case JY_RATING_RED:
        return "Red";
    case JY_RATING_AMBER:
        return "Amber";
    case JY_RATING_GREEN:
        return "Green";
    default:
        return "Not rated";
    }
}

//  Why a measure has no rating, or its rating.
static const char *s_measure_rating_label (const rp_measure_t *measure)
{
    if (measure->rating != JY_RATING_NONE)
        return s_rating_label (measure->rating);
    if (!measure->has_target)
        return "No target";
    return measure->current.suppressed ? "Too few" : "No data";
}

//  ▲ / ▼ / ► by how the value moved, with the class saying whether that is better or worse.
static void s_travel (FILE *out, rp_pack_t *pack, const rp_measure_t *measure, bool words)
{
    char previous[S_TEXT];
    rp_format_value (pack, measure->def, &measure->previous, previous, sizeof previous);
    rp_direction_t direction = measure->direction;
    if (direction == RP_DIRECTION_NONE) {
        if (words)
            fputs ("<span class=\"travel\">no comparison with the previous period</span>", out);
        return;
    }
    bool rose = measure->current.value > measure->previous.value;
    const char *arrow = direction == RP_DIRECTION_SAME ? "&#9654;" : rose ? "&#9650;" : "&#9660;";
    fprintf (out, "<span class=\"travel %s\" title=\"%s since the previous period\">%s",
             rp_direction_name (direction), rp_direction_name (direction), arrow);
    if (words) {
        const char *what = direction == RP_DIRECTION_BETTER  ? "better than"
                           : direction == RP_DIRECTION_WORSE ? "worse than"
                           : direction == RP_DIRECTION_SAME  ? "same as"
                           : rose                            ? "up from"
                                                             : "down from";
        fprintf (out, " %s ", what);
        s_text (out, previous);
        fputs (" before", out);
    } else {
        fputc (' ', out);
        s_text (out, rp_direction_name (direction));
    }
    fputs ("</span>", out);
}

static void s_target_text (const rp_measure_t *measure, char *buf, size_t size)
{
    if (!measure->has_target) {
        snprintf (buf, size, "%s", "");
        return;
    }
    char target[48], bound[48];
    rp_format_number (measure->def->unit, measure->target, target, sizeof target);
    double amber = measure->polarity == JY_POLARITY_LOWER_BETTER
                       ? measure->target + measure->tolerance
                       : measure->target - measure->tolerance;
    rp_format_number (measure->def->unit, amber, bound, sizeof bound);
    if (measure->tolerance > 0)
        snprintf (buf, size, "%s (amber to %s)", target, bound);
    else
        snprintf (buf, size, "%s", target);
}

static void s_tile (FILE *out, rp_pack_t *pack, const rp_measure_t *measure)
{
    char value[S_TEXT], target[S_TEXT];
    rp_format_value (pack, measure->def, &measure->current, value, sizeof value);
    s_target_text (measure, target, sizeof target);
    const char *rating = rp_rating_text (measure->rating);
    fprintf (out, "<a class=\"tile %s\" href=\"#r-%s\"><span class=\"label\">", rating,
             measure->def->name);
    s_text (out, measure->def->label);
    fputs ("</span><span class=\"value\">", out);
    s_text (out, *value ? value : "no data");
    fprintf (out, "</span><span class=\"line\"><span class=\"badge %s\">%s</span>", rating,
             s_measure_rating_label (measure));
    if (*target) {
        fputs (" target ", out);
        s_text (out, target);
    }
    fputs ("</span><span class=\"line\">", out);
    s_travel (out, pack, measure, true);
    fputs ("</span>", out);
    if (measure->def->national) {
        fputs ("<span class=\"line\">England: ", out);
        s_text (out, measure->def->national);
        fputs ("</span>", out);
    }
    fputs ("</a>\n", out);
}

//  Whether an area section has anything to show (its measures or tables); the summary,
//  exceptions, data quality and appendix always do.
static bool s_has_content (rp_pack_t *pack, const rp_section_t *section)
{
    for (size_t i = 0; i < rp_pack_measure_count (pack); i++)
        if (strcmp (rp_pack_measure (pack, i)->section, section->id) == 0)
            return true;
    for (size_t i = 0; i < rp_pack_table_count (pack); i++)
        if (strcmp (rp_pack_table (pack, i)->section, section->id) == 0)
            return true;
    return strcmp (section->id, "summary") == 0 || strcmp (section->id, "exceptions") == 0 ||
           strcmp (section->id, "appendix") == 0;
}

static void s_cover (FILE *out, rp_pack_t *pack)
{
    char from[48], to[48], previous_from[48], previous_to[48], made[48];
    const char *name = rp_pack_la_name (pack);
    int64_t generated = rp_pack_generated_at_ms (pack);
    fputs ("<header>\n<p class=\"kicker\">Safeguarding board pack: children's social care</p>\n"
           "<h1>",
           out);
    if (*name) {
        s_text (out, name);
        fputs (" (LA ", out);
        s_text (out, rp_pack_la_code (pack));
        fputs (")", out);
    } else {
        fputs ("Local authority ", out);
        s_text (out, rp_pack_la_code (pack));
    }
    fprintf (out, "</h1>\n<p class=\"period\">%s to %s<span>compared with %s to %s</span></p>\n",
             s_long_date (rp_pack_from (pack), from, sizeof from),
             s_long_date (rp_pack_to (pack), to, sizeof to),
             s_long_date (rp_pack_previous_from (pack), previous_from, sizeof previous_from),
             s_long_date (rp_pack_previous_to (pack), previous_to, sizeof previous_to));
    fprintf (out,
             "<p class=\"meta\">Made by Journey on %s from the records the case management "
             "system sent, without anyone touching a spreadsheet. Every figure links to its "
             "definition in the <a href=\"#appendix\">appendix</a>. ",
             s_long_date (jy_clock_local_date (generated), made, sizeof made));
    if (rp_pack_suppress_below (pack) > 1) {
        fprintf (out, "Counts from 1 to %ld are shown as &ldquo;",
                 rp_pack_suppress_below (pack) - 1);
        s_text (out, rp_pack_suppress_marker (pack));
        fputs ("&rdquo;, and so is any figure made from them. ", out);
    }
    fputs ("No child is named or identifiable in this pack.</p>\n<nav><ol>", out);
    size_t count;
    const rp_section_t *sections = rp_pack_sections (&count);
    for (size_t i = 0; i < count; i++) {
        if (!s_has_content (pack, &sections[i]))
            continue;
        fprintf (out, "<li><a href=\"#%s\">", sections[i].id);
        s_text (out, sections[i].title);
        fputs ("</a></li>", out);
    }
    fputs ("</ol></nav>\n</header>\n", out);
}

static void s_section_open (FILE *out, const rp_section_t *section)
{
    fprintf (out, "<section id=\"%s\">\n<h2>", section->id);
    s_text (out, section->title);
    fputs ("</h2>\n<p class=\"intro\">", out);
    s_text (out, section->intro);
    fputs ("</p>\n", out);
}

static void s_summary (FILE *out, rp_pack_t *pack, const rp_section_t *section)
{
    s_section_open (out, section);
    size_t count = rp_pack_measure_count (pack);
    fputs ("<div class=\"tiles\">\n", out);
    size_t tiles = 0;
    //  Rated measures first (red, amber, green), then those with a polarity but no target.
    static const jy_rating_t order[] = {JY_RATING_RED, JY_RATING_AMBER, JY_RATING_GREEN,
                                        JY_RATING_NONE};
    for (size_t o = 0; o < 4; o++)
        for (size_t i = 0; i < count; i++) {
            const rp_measure_t *measure = rp_pack_measure (pack, i);
            if (measure->polarity == JY_POLARITY_NONE || measure->rating != order[o])
                continue;
            s_tile (out, pack, measure);
            tiles++;
        }
    fputs ("</div>\n", out);
    if (tiles == 0)
        fputs ("<p class=\"none\">No measure has a polarity to rate.</p>\n", out);
    fputs ("<h3>Activity</h3>\n<p class=\"intro\">Levels to watch rather than targets.</p>\n"
           "<div class=\"activity\">",
           out);
    for (size_t i = 0; i < count; i++) {
        const rp_measure_t *measure = rp_pack_measure (pack, i);
        if (measure->polarity != JY_POLARITY_NONE)
            continue;
        char value[S_TEXT];
        rp_format_value (pack, measure->def, &measure->current, value, sizeof value);
        fprintf (out, "<a href=\"#r-%s\"><b>", measure->def->name);
        s_text (out, *value ? value : "no data");
        fputs ("</b>", out);
        s_text (out, measure->def->label);
        fputs (" ", out);
        s_travel (out, pack, measure, false);
        fputs ("</a>", out);
    }
    fputs ("</div>\n<p class=\"intro\">Tiles: red, amber or green against the target "
           "(measures/&lt;name&gt;/target and tolerance); grey without a target. Arrows: how the "
           "value moved since the previous period, coloured green when that is better and red "
           "when worse.</p>\n</section>\n",
           out);
}

static void s_measure_row (FILE *out, rp_pack_t *pack, const rp_measure_t *measure)
{
    char value[S_TEXT], previous[S_TEXT], target[S_TEXT], numerator[48], denominator[48];
    const jy_measure_t *def = measure->def;
    rp_format_value (pack, def, &measure->current, value, sizeof value);
    rp_format_value (pack, def, &measure->previous, previous, sizeof previous);
    s_target_text (measure, target, sizeof target);
    fprintf (out, "<tr id=\"r-%s\"><td><a href=\"#m-%s\">", def->name, def->name);
    s_text (out, def->label);
    fputs ("</a></td><td class=\"n\"><b>", out);
    s_text (out, value);
    fputs ("</b></td><td class=\"n\">", out);
    if (measure->current.suppressed)
        s_text (out, rp_pack_suppress_marker (pack));
    else if (def->unit == JY_UNIT_COUNT)
        s_text (out, rp_format_count (pack, measure->current.numerator, false, numerator,
                                      sizeof numerator));
    else {
        s_text (out, rp_format_count (pack, measure->current.numerator, false, numerator,
                                      sizeof numerator));
        fputs (" / ", out);
        s_text (out, rp_format_count (pack, measure->current.denominator, false, denominator,
                                      sizeof denominator));
    }
    fputs ("</td><td class=\"n\">", out);
    s_text (out, previous);
    fputs ("</td><td>", out);
    s_travel (out, pack, measure, false);
    fputs ("</td><td class=\"n\">", out);
    s_text (out, target);
    fprintf (out, "</td><td><span class=\"badge %s\">%s</span></td><td>",
             rp_rating_text (measure->rating), s_measure_rating_label (measure));
    s_text (out, def->national ? def->national : "");
    fputs ("</td></tr>\n", out);
}

static void s_month_labels (rp_pack_t *pack, const char **labels, const char **years,
                            char (*year_text)[8])
{
    static const char *abbreviations[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (size_t i = 0; i < rp_pack_month_count (pack); i++) {
        int year, month, day;
        jy_date_to_ymd (rp_pack_month (pack, i), &year, &month, &day);
        labels[i] = abbreviations[month - 1];
        snprintf (year_text[i], 8, "%d", year);
        years[i] = i == 0 || month == 1 ? year_text[i] : "";
    }
}

static void s_measure_charts (FILE *out, rp_pack_t *pack, const rp_measure_t *measure)
{
    const jy_measure_t *def = measure->def;
    size_t months = rp_pack_month_count (pack);
    const char *labels[RP_MAX_MONTHS], *years[RP_MAX_MONTHS];
    char year_text[RP_MAX_MONTHS][8];
    double values[RP_MAX_MONTHS];
    bool present[RP_MAX_MONTHS];
    s_month_labels (pack, labels, years, year_text);
    for (size_t i = 0; i < months; i++) {
        present[i] = measure->months[i].has_value && !measure->months[i].suppressed;
        values[i] = present[i] ? measure->months[i].value : 0;
    }
    bool percent = def->unit == JY_UNIT_PERCENT;
    const double *target = measure->has_target ? &measure->target : NULL;
    char title[256];
    fputs ("<figure><figcaption>", out);
    s_text (out, def->label);
    fputs ("</figcaption>\n", out);
    snprintf (title, sizeof title, "%s, month by month", def->label);
    rp_svg_series_t series = {NULL, values, present};
    rp_svg_trend (out, title, labels, years, months, &series, 1, target, percent);
    if (def->per_team && measure->team_count > 0) {
        size_t teams = measure->team_count;
        const char **names = (const char **) calloc (teams, sizeof (char *));
        const char **texts = (const char **) calloc (teams, sizeof (char *));
        double *team_values = (double *) calloc (teams, sizeof (double));
        bool *team_present = (bool *) calloc (teams, sizeof (bool));
        char (*buffers)[48] = calloc (teams, sizeof *buffers);
        assert (names && texts && team_values && team_present && buffers);
        for (size_t t = 0; t < teams; t++) {
            const rp_figure_t *figure = &measure->teams[t].figure;
            names[t] = measure->teams[t].team_id;
            team_present[t] = figure->has_value && !figure->suppressed;
            team_values[t] = team_present[t] ? figure->value : 0;
            texts[t] = rp_format_value (pack, def, figure, buffers[t], sizeof buffers[t]);
        }
        snprintf (title, sizeof title, "%s, by team, this period", def->label);
        rp_svg_bars (out, title, names, team_values, team_present, texts, teams, target, percent);
        free (names);
        free (texts);
        free (team_values);
        free (team_present);
        free (buffers);
    }
    fputs ("</figure>\n", out);
}

static void s_table (FILE *out, rp_pack_t *pack, const rp_table_t *table)
{
    fprintf (out, "<table class=\"data\" id=\"tab-%s\"><caption><a href=\"#t-%s\">", table->id,
             table->id);
    s_text (out, table->title);
    fputs ("</a></caption>\n<thead><tr>", out);
    for (size_t c = 0; c < table->column_count; c++) {
        bool text_column = table->row_count > 0 && table->cells[c].text != NULL;
        fprintf (out, "<th%s>", text_column ? "" : " class=\"n\"");
        s_text (out, table->headers[c]);
        fputs ("</th>", out);
    }
    fputs ("</tr></thead>\n<tbody>", out);
    for (size_t r = 0; r < table->row_count; r++) {
        const rp_cell_t *row = &table->cells[r * table->column_count];
        bool total = table->shape == RP_SHAPE_PIVOT && r + 1 == table->row_count;
        fputs (total ? "<tr class=\"total\">" : "<tr>", out);
        for (size_t c = 0; c < table->column_count; c++) {
            char count[48];
            if (row[c].text) {
                fputs ("<td>", out);
                s_text (out, row[c].text);
            } else {
                fputs ("<td class=\"n\">", out);
                s_text (out, rp_format_count (pack, row[c].count, row[c].suppressed, count,
                                              sizeof count));
            }
            fputs ("</td>", out);
        }
        fputs ("</tr>\n", out);
    }
    if (table->row_count == 0)
        fprintf (out, "<tr><td class=\"none\" colspan=\"%zu\">None in this period.</td></tr>",
                 table->column_count);
    fputs ("</tbody></table>\n", out);
}

//  A monthly table's counts as lines (each count column a series).
static void s_table_trend (FILE *out, rp_pack_t *pack, const rp_table_t *table)
{
    size_t points = table->row_count;
    if (points == 0 || points > RP_MAX_MONTHS || table->column_count < 2)
        return;
    const char *labels[RP_MAX_MONTHS], *years[RP_MAX_MONTHS];
    char year_text[RP_MAX_MONTHS][8];
    s_month_labels (pack, labels, years, year_text);
    if (points != rp_pack_month_count (pack))
        return;
    size_t series_count = table->column_count - 1;
    if (series_count > 4)
        series_count = 4;
    double values[4][RP_MAX_MONTHS];
    bool present[4][RP_MAX_MONTHS];
    rp_svg_series_t series[4];
    for (size_t s = 0; s < series_count; s++) {
        for (size_t i = 0; i < points; i++) {
            const rp_cell_t *cell = &table->cells[i * table->column_count + s + 1];
            present[s][i] = !cell->suppressed;
            values[s][i] = cell->count;
        }
        series[s] = (rp_svg_series_t){table->headers[s + 1], values[s], present[s]};
    }
    fputs ("<figure><figcaption>", out);
    s_text (out, table->title);
    fputs ("</figcaption>", out);
    rp_svg_trend (out, table->title, labels, years, points, series, series_count, NULL, false);
    fputs ("</figure>\n", out);
}

static void s_area (FILE *out, rp_pack_t *pack, const rp_section_t *section)
{
    size_t count = rp_pack_measure_count (pack), in_section = 0;
    for (size_t i = 0; i < count; i++)
        if (strcmp (rp_pack_measure (pack, i)->section, section->id) == 0)
            in_section++;
    if (!s_has_content (pack, section))
        return; //  e.g. "other" when every measure has its section
    s_section_open (out, section);
    if (in_section > 0) {
        fputs ("<table class=\"data\"><thead><tr><th>Measure</th><th class=\"n\">This "
               "period</th><th class=\"n\">Numerator / denominator</th><th class=\"n\">Previous "
               "period</th><th>Travel</th><th class=\"n\">Target</th><th>Rating</th>"
               "<th>England</th></tr></thead>\n<tbody>",
               out);
        for (size_t i = 0; i < count; i++) {
            const rp_measure_t *measure = rp_pack_measure (pack, i);
            if (strcmp (measure->section, section->id) == 0)
                s_measure_row (out, pack, measure);
        }
        fputs ("</tbody></table>\n<div class=\"charts\">\n", out);
        for (size_t i = 0; i < count; i++) {
            const rp_measure_t *measure = rp_pack_measure (pack, i);
            if (strcmp (measure->section, section->id) == 0)
                s_measure_charts (out, pack, measure);
        }
        fputs ("</div>\n", out);
    }
    for (size_t i = 0; i < rp_pack_table_count (pack); i++) {
        const rp_table_t *table = rp_pack_table (pack, i);
        if (strcmp (table->section, section->id) != 0)
            continue;
        if (table->shape == RP_SHAPE_MONTHLY) {
            fputs ("<div class=\"charts\">", out);
            s_table_trend (out, pack, table);
            fputs ("</div>\n", out);
        }
        s_table (out, pack, table);
    }
    fputs ("</section>\n", out);
}

static void s_exceptions (FILE *out, rp_pack_t *pack, const rp_section_t *section)
{
    s_section_open (out, section);
    size_t count = rp_pack_measure_count (pack), exceptions = 0;
    for (size_t i = 0; i < count; i++) {
        const rp_measure_t *measure = rp_pack_measure (pack, i);
        if (!rp_measure_is_exception (measure))
            continue;
        if (exceptions++ == 0)
            fputs ("<table class=\"data\"><thead><tr><th>Measure</th><th>Why</th>"
                   "<th class=\"n\">This period</th><th class=\"n\">Target</th>"
                   "<th class=\"n\">Previous period</th><th>Previous rating</th></tr></thead>"
                   "\n<tbody>",
                   out);
        char value[S_TEXT], previous[S_TEXT], target[S_TEXT];
        rp_format_value (pack, measure->def, &measure->current, value, sizeof value);
        rp_format_value (pack, measure->def, &measure->previous, previous, sizeof previous);
        s_target_text (measure, target, sizeof target);
        fprintf (out, "<tr><td><a href=\"#r-%s\">", measure->def->name);
        s_text (out, measure->def->label);
        fprintf (out, "</a></td><td><span class=\"badge %s\">%s</span></td><td class=\"n\">",
                 rp_rating_text (measure->rating),
                 measure->rating == JY_RATING_RED ? "Red" : "Newly amber");
        s_text (out, value);
        fputs ("</td><td class=\"n\">", out);
        s_text (out, target);
        fputs ("</td><td class=\"n\">", out);
        s_text (out, previous);
        fprintf (out, "</td><td>%s</td></tr>\n", s_rating_label (measure->previous_rating));
    }
    if (exceptions)
        fputs ("</tbody></table>\n<p class=\"intro\">Each exception needs a corrective action "
               "plan from the service that owns it.</p>\n",
               out);
    else
        fputs ("<p class=\"none\">No measure is red, and none has newly turned amber.</p>\n", out);
    fputs ("</section>\n", out);
}

static void s_definition_row (FILE *out, const char *term, const char *text)
{
    if (!text || !*text)
        return;
    fputs ("<dt>", out);
    s_text (out, term);
    fputs ("</dt><dd>", out);
    s_text (out, text);
    fputs ("</dd>", out);
}

static void s_appendix (FILE *out, rp_pack_t *pack, const rp_section_t *section)
{
    s_section_open (out, section);
    char previous_rule[512];
    snprintf (previous_rule, sizeof previous_rule,
              "The previous period has the same length and ends the day before this one starts: "
              "the same number of whole calendar months when the period is whole months, else "
              "the same number of days.");
    fputs ("<h3>How to read the figures</h3>\n<div class=\"def\"><dl>", out);
    s_definition_row (out, "Period",
                      "From the first to the last day named on the cover, both "
                      "included, as dates in the authority's time zone.");
    s_definition_row (out, "Previous period", previous_rule);
    s_definition_row (out, "Trend",
                      "The twelve calendar months to the period's end (or every month of a "
                      "longer period); the last month ends with the period. Each month is "
                      "computed by the same definition as the period.");
    s_definition_row (out, "Rating",
                      "With a target T and tolerance t: where higher is better, green at T or "
                      "above, amber from T - t, red below; where lower is better, green at T or "
                      "below, amber up to T + t, red above. Measures without a target, activity "
                      "measures, and figures that are suppressed are not rated.");
    s_definition_row (out, "Travel",
                      "The value against the previous period's, as printed: better or worse "
                      "for measures with a polarity, up or down for activity measures.");
    char suppression[512];
    snprintf (suppression, sizeof suppression,
              "Counts from 1 to %ld are shown as \"%s\" (reporting/suppress_below), and so is "
              "every value made from them: a percentage when its numerator or denominator is "
              "suppressed, an average of days when the number of children is. Totals are "
              "computed from the exact counts.",
              rp_pack_suppress_below (pack) - 1, rp_pack_suppress_marker (pack));
    if (rp_pack_suppress_below (pack) > 1)
        s_definition_row (out, "Small numbers", suppression);
    s_definition_row (out, "Teams",
                      "A measure's team figures count each record under the team it names, "
                      "else the child's current team; records with no team count only in the "
                      "authority's figure.");
    fputs ("</dl></div>\n<h3>Measures</h3>\n", out);
    for (size_t i = 0; i < rp_pack_measure_count (pack); i++) {
        const rp_measure_t *measure = rp_pack_measure (pack, i);
        const jy_measure_t *def = measure->def;
        char target[S_TEXT], unit[S_TEXT];
        s_target_text (measure, target, sizeof target);
        fprintf (out, "<div class=\"def\" id=\"m-%s\"><h3>", def->name);
        s_text (out, def->label);
        fputs ("</h3><dl>", out);
        s_definition_row (out, "Name", def->name);
        s_definition_row (out, "Numerator", def->numerator);
        s_definition_row (out, "Denominator", def->denominator);
        s_definition_row (out, "Which records", def->period);
        snprintf (unit, sizeof unit, "%s; %s", jy_measure_unit_name (def->unit),
                  measure->polarity == JY_POLARITY_HIGHER_BETTER  ? "higher is better"
                  : measure->polarity == JY_POLARITY_LOWER_BETTER ? "lower is better"
                                                                  : "activity (no polarity)");
        s_definition_row (out, "Unit", unit);
        s_definition_row (out, "Target", *target ? target : "none set");
        s_definition_row (out, "England", def->national);
        s_definition_row (out, "Team figures", def->team ? def->team : "authority only");
        s_definition_row (out, "Notes", def->notes);
        fputs ("</dl></div>\n", out);
    }
    fputs ("<h3>Tables</h3>\n", out);
    for (size_t i = 0; i < rp_pack_table_count (pack); i++) {
        const rp_table_t *table = rp_pack_table (pack, i);
        fprintf (out, "<div class=\"def\" id=\"t-%s\"><h3>", table->id);
        s_text (out, table->title);
        fputs ("</h3><dl>", out);
        s_definition_row (out, "Name", table->id);
        s_definition_row (out, "Definition", table->definition);
        fputs ("</dl></div>\n", out);
    }
    fputs ("</section>\n", out);
}

int rp_render_html (rp_pack_t *pack, FILE *out)
{
    char from[JY_DATE_TEXT_SIZE], to[JY_DATE_TEXT_SIZE];
    fputs ("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; img-src data:\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
           out);
    fputs ("Safeguarding board pack, LA ", out);
    s_text (out, rp_pack_la_code (pack));
    fprintf (out, ", %s to %s</title>\n<style>%s</style>\n</head>\n<body>\n",
             jy_date_format (rp_pack_from (pack), from), jy_date_format (rp_pack_to (pack), to),
             s_style);
    s_cover (out, pack);
    size_t count;
    const rp_section_t *sections = rp_pack_sections (&count);
    for (size_t i = 0; i < count; i++) {
        const rp_section_t *section = &sections[i];
        if (strcmp (section->id, "summary") == 0)
            s_summary (out, pack, section);
        else if (strcmp (section->id, "exceptions") == 0)
            s_exceptions (out, pack, section);
        else if (strcmp (section->id, "appendix") == 0)
            s_appendix (out, pack, section);
        else
            s_area (out, pack, section);
    }
    fprintf (out,
             "<footer>Journey %s. Figures as recorded up to the moment the pack was made; "
             "records corrected later change later packs.</footer>\n</body>\n</html>\n",
             JOURNEY_VERSION);
    return ferror (out) ? -1 : 0;
}
