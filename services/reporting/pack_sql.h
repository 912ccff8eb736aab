/*  pack_sql: the SQL of the pack's section tables, in one place (pack_sql.c).

    The measures come from jy_measures; these are the tables around them: open overdue
    deadlines by clock and team, the monthly timeliness trend, alerts raised, disputes, case
    audit grades and rejections by code. Each is one statement that a reader can see whole, with
    its title and the definition the appendix prints.

    Every statement takes the same parameters, named in its first CTE `p`:
        $1 la        the LA code
        $2 from_on   first day of the period      $3 to_on      last day of the period
        $4 prev_from first day of the previous    $5 prev_to    last day of the previous period
        $6 first_month  first day of the first trend month
        $7 tz        the LA's time zone (for timestamps such as a dead letter's received_at)
*/
#ifndef RP_PACK_SQL_H_INCLUDED
#define RP_PACK_SQL_H_INCLUDED

#include "pack.h"

#define RP_SQL_PARAMS      7
#define RP_SQL_MAX_HEADERS 12

typedef struct {
    const char *id;         //  the table's anchor and CSV name
    const char *section;    //  rp_section_t id
    const char *title;      //
    const char *definition; //  printed in the appendix
    rp_shape_t shape;
    //  RP_SHAPE_ROWS and RP_SHAPE_MONTHLY: the column headings, in the SQL's column order.
    //  RP_SHAPE_PIVOT: the heading of the row labels only; the columns come from the data.
    const char *headers[RP_SQL_MAX_HEADERS];
    size_t text_columns; //  RP_SHAPE_ROWS: how many leading columns are text
    const char *sql;
} rp_table_def_t;

//  The tables, in the pack's order; *count receives how many.
const rp_table_def_t *rp_pack_sql_tables (size_t *count);

#endif
