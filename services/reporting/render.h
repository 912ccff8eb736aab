/*  render: the board pack written out, in three formats from one rp_pack_t.

    html  one self-contained file: inline CSS (with print rules for A4), inline SVG charts, no
          script and no external resource (a Content-Security-Policy forbids any); a summary of
          RAG tiles, a section per area, the exceptions, data quality, and an appendix defining
          every measure and table, which every figure links to.
    csv   one file per table: measures.csv (every measure, LA level, this and the previous
          period), measure_teams.csv, measure_months.csv, and one per section table, in a
          directory. Suppressed counts carry the marker.
    json  every measure with numerator, denominator, value and rating (suppressed figures carry
          "suppressed": true and no numbers), and every section table.

    Files are named board-pack-<la>-<from>-to-<to>.html / .json / -csv/, written under the
    output directory through a temporary name and renamed, so a reader never sees half a pack.
*/
#ifndef RP_RENDER_H_INCLUDED
#define RP_RENDER_H_INCLUDED

#include <jansson.h>
#include "pack.h"

#define RP_FORMAT_HTML 1u
#define RP_FORMAT_CSV  2u
#define RP_FORMAT_JSON 4u
#define RP_FORMAT_ALL  (RP_FORMAT_HTML | RP_FORMAT_CSV | RP_FORMAT_JSON)

//  Add the formats named in text ("html", "csv", "json", or a comma-separated list of them) to
//  *formats. 0, or -1 naming the word that is not a format in error.
int rp_formats_parse (const char *text, unsigned *formats, char *error, size_t error_size);

int rp_render_html (rp_pack_t *pack, FILE *out);
//  The JSON document (caller decrefs).
json_t *rp_render_json (rp_pack_t *pack);
//  Every CSV table into dir (which must exist, checked by the caller). Each path written is
//  appended to paths (zlist of strings, autofree). 0, or -1 with the reason in error.
int rp_render_csv (rp_pack_t *pack, const char *dir, zlist_t *paths, char *error,
                   size_t error_size);

//  Write the pack in the formats asked for under out_dir (created when missing), appending
//  each file's path to paths. out_dir must resolve to a directory under out_root (realpath:
//  no symlink leads outside; reporting/out_root); each file is made by jy_file, so a symlink
//  or anything but a plain file at a file's name is refused, never followed. 0, or -1 with the
//  reason in error.
int rp_render_write (rp_pack_t *pack, unsigned formats, const char *out_dir, const char *out_root,
                     zlist_t *paths, char *error, size_t error_size);

//  Whether the pack for la_code over [from, to] is already under out_dir in every format asked
//  for (its HTML, its JSON, its CSV directory's measures.csv).
bool rp_render_exists (const char *out_dir, const char *la_code, jy_date_t from, jy_date_t to,
                       unsigned formats);

#endif
