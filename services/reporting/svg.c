/*  svg: inline SVG charts for the board pack (svg.h). */
#include <math.h>
#include <string.h>

#include "svg.h"

//  Geometry of a trend (viewBox units).
#define S_TREND_WIDTH  360
#define S_TREND_HEIGHT 150
#define S_LEFT         40 //  room for the axis labels
#define S_RIGHT        8
#define S_TOP          10
#define S_BOTTOM       30 //  month labels and years

//  Bars: one row per team.
#define S_BAR_WIDTH  360
#define S_BAR_ROW    16
#define S_BAR_LABEL  96 //  room for the team's name
#define S_BAR_VALUE  48 //  room for the value at the bar's end
#define S_MAX_SERIES 4

void rp_xml_text (FILE *out, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        switch (*p) {
        case '&':
            fputs ("&amp;", out);
            break;
        case '<':
            fputs ("&lt;", out);
            break;
        case '>':
            fputs ("&gt;", out);
            break;
        case '"':
            fputs ("&quot;", out);
            break;
        case '\'':
            fputs ("&#39;", out);
            break;
        default:
            fputc (*p, out);
        }
    }
}

//  A "nice" axis maximum at or above value: 1, 2 or 5 times a power of ten.
static double s_nice_max (double value)
{
    if (value <= 0)
        return 1;
    double power = pow (10, floor (log10 (value)));
    double steps[] = {1, 2, 5, 10};
    for (size_t i = 0; i < 4; i++)
        if (steps[i] * power >= value)
            return steps[i] * power;
    return 10 * power;
}

//  As few decimals as the value needs (axis steps are a quarter of 1, 2 or 5 times 10^n).
static void s_axis_number (FILE *out, double value)
{
    int decimals = 0;
    while (decimals < 4 &&
           fabs (value * pow (10, decimals) - round (value * pow (10, decimals))) > 1e-6)
        decimals++;
    fprintf (out, "%.*f", decimals, value);
}

static void s_open (FILE *out, const char *title, int width, int height)
{
    fprintf (out,
             "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
             "xmlns=\"http://www.w3.org/2000/svg\" aria-label=\"",
             width, height);
    rp_xml_text (out, title);
    fputs ("\"><title>", out);
    rp_xml_text (out, title);
    fputs ("</title>", out);
}

void rp_svg_trend (FILE *out, const char *title, const char *const *x_labels,
                   const char *const *x_sublabels, size_t points, const rp_svg_series_t *series,
                   size_t series_count, const double *target, bool percent)
{
    if (series_count > S_MAX_SERIES)
        series_count = S_MAX_SERIES;
    double top = target ? *target : 0;
    for (size_t s = 0; s < series_count; s++)
        for (size_t i = 0; i < points; i++)
            if (series[s].present[i] && series[s].values[i] > top)
                top = series[s].values[i];
    top = s_nice_max (top * 1.05);
    if (percent && top > 100)
        top = 100;
    int legend = series_count > 1 || (series_count == 1 && series[0].name) ? 14 : 0;
    int height = S_TREND_HEIGHT + legend;
    double plot_w = S_TREND_WIDTH - S_LEFT - S_RIGHT;
    double plot_h = S_TREND_HEIGHT - S_TOP - S_BOTTOM;
    s_open (out, title, S_TREND_WIDTH, height);

    //  Axis: four gridlines with their values.
    for (int g = 0; g <= 4; g++) {
        double value = top * g / 4;
        double y = S_TOP + plot_h - plot_h * g / 4;
        fprintf (out,
                 "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                 "<text class=\"axis\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
                 S_LEFT, y, S_LEFT + plot_w, y, S_LEFT - 4, y + 3);
        s_axis_number (out, value);
        fputs (percent ? "%</text>" : "</text>", out);
    }
    double step = points > 1 ? plot_w / (double) (points - 1) : 0;
    for (size_t i = 0; i < points; i++) {
        double x = S_LEFT + (points > 1 ? step * (double) i : plot_w / 2);
        fprintf (out, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x,
                 S_TOP + plot_h + 12);
        rp_xml_text (out, x_labels[i]);
        fputs ("</text>", out);
        if (x_sublabels && x_sublabels[i] && *x_sublabels[i]) {
            fprintf (out, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x,
                     S_TOP + plot_h + 23);
            rp_xml_text (out, x_sublabels[i]);
            fputs ("</text>", out);
        }
    }
    if (target) {
        double y = S_TOP + plot_h - plot_h * (*target > top ? top : *target) / top;
        fprintf (out,
                 "<line class=\"target\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                 "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">target</text>",
                 S_LEFT, y, S_LEFT + plot_w, y, S_LEFT + plot_w, y - 3);
    }
    for (size_t s = 0; s < series_count; s++) {
        //  One path; a missing point starts a new stroke, so gaps show as gaps.
        fprintf (out, "<path class=\"line s%zu\" d=\"", s);
        bool pen_down = false;
        for (size_t i = 0; i < points; i++) {
            if (!series[s].present[i]) {
                pen_down = false;
                continue;
            }
            double x = S_LEFT + (points > 1 ? step * (double) i : plot_w / 2);
            double value = series[s].values[i] > top ? top : series[s].values[i];
            double y = S_TOP + plot_h - plot_h * (value < 0 ? 0 : value) / top;
            fprintf (out, "%s%.1f %.1f ", pen_down ? "L" : "M", x, y);
            pen_down = true;
        }
        fputs ("\"/>", out);
        for (size_t i = 0; i < points; i++) {
            if (!series[s].present[i])
                continue;
            double x = S_LEFT + (points > 1 ? step * (double) i : plot_w / 2);
            double value = series[s].values[i] > top ? top : series[s].values[i];
            double y = S_TOP + plot_h - plot_h * (value < 0 ? 0 : value) / top;
            fprintf (out, "<circle class=\"dot s%zu\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\"/>", s, x, y);
        }
        if (legend && series[s].name) {
            double x = S_LEFT + (double) s * 110;
            fprintf (out,
                     "<rect class=\"key s%zu\" x=\"%.1f\" y=\"%d\" width=\"10\" height=\"4\"/>"
                     "<text class=\"axis\" x=\"%.1f\" y=\"%d\">",
                     s, x, S_TREND_HEIGHT + 4, x + 14, S_TREND_HEIGHT + 9);
            rp_xml_text (out, series[s].name);
            fputs ("</text>", out);
        }
    }
    fputs ("</svg>", out);
}

void rp_svg_bars (FILE *out, const char *title, const char *const *labels, const double *values,
                  const bool *present, const char *const *value_texts, size_t count,
                  const double *target, bool percent)
{
    double top = target ? *target : 0;
    for (size_t i = 0; i < count; i++)
        if (present[i] && values[i] > top)
            top = values[i];
    top = s_nice_max (top * 1.05);
    if (percent && top > 100)
        top = 100;
    int height = (int) count * S_BAR_ROW + 8;
    double plot_w = S_BAR_WIDTH - S_BAR_LABEL - S_BAR_VALUE;
    s_open (out, title, S_BAR_WIDTH, height);
    for (size_t i = 0; i < count; i++) {
        double y = 4 + (double) i * S_BAR_ROW;
        fprintf (out, "<text class=\"axis\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
                 S_BAR_LABEL - 4, y + 11);
        rp_xml_text (out, labels[i]);
        fputs ("</text>", out);
        double length = 0;
        if (present[i] && values[i] > 0)
            length = plot_w * (values[i] > top ? top : values[i]) / top;
        if (length > 0)
            fprintf (out, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\"/>",
                     S_BAR_LABEL, y + 2, length, S_BAR_ROW - 4);
        fprintf (out, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\">", S_BAR_LABEL + length + 3,
                 y + 11);
        rp_xml_text (out, value_texts[i]);
        fputs ("</text>", out);
    }
    if (target) {
        double x = S_BAR_LABEL + plot_w * (*target > top ? top : *target) / top;
        fprintf (out, "<line class=\"target\" x1=\"%.1f\" y1=\"2\" x2=\"%.1f\" y2=\"%d\"/>", x, x,
                 height - 2);
    }
    fputs ("</svg>", out);
}
