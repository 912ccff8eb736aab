/*  svg: the board pack's charts as inline SVG, drawn here rather than by a script or a library,
    so that the HTML is one self-contained file that prints as it shows.

    Two kinds: a trend (one or more lines over the months, gaps where a value is missing or
    suppressed, an optional dashed target), and bars by team (horizontal, labelled with the
    value as printed, an optional target line). Text is escaped for XML; colours are fixed
    classes the HTML's stylesheet also knows. Charts scale to their container (viewBox).
*/
#ifndef RP_SVG_H_INCLUDED
#define RP_SVG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

//  Write text with &, <, >, " and ' escaped (also for HTML).
void rp_xml_text (FILE *out, const char *text);

typedef struct {
    const char *name;     //  legend; NULL for a single unnamed line
    const double *values; //  one per x label
    const bool *present;  //  false: no point (missing or suppressed)
} rp_svg_series_t;

//  A trend chart. x_labels: one per point ("Jan", "Feb", ...); x_sublabels: NULL, or one per
//  point printed under it ("2025" under the first point and each January, else "").
//  target: NULL, or a value drawn as a dashed line. percent: the axis runs 0..100 at most.
void rp_svg_trend (FILE *out, const char *title, const char *const *x_labels,
                   const char *const *x_sublabels, size_t points, const rp_svg_series_t *series,
                   size_t series_count, const double *target, bool percent);

//  Bars by team. value_texts: what to print at each bar's end (the value, or the suppression
//  marker when present is false and no bar is drawn).
void rp_svg_bars (FILE *out, const char *title, const char *const *labels, const double *values,
                  const bool *present, const char *const *value_texts, size_t count,
                  const double *target, bool percent);

#endif
