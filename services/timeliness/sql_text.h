/*  sql_text: what journey-timelinessd's bulk statements are made of, and its binary results.

    Writes go as array literals unnest'ed into one statement per table, or as COPY text; both
    are built in a growable buffer (a plain struct, zero-initialised empty, data always
    NUL-terminated once anything was appended). The text written here comes from the ingest
    projection and from this daemon, so it is valid UTF-8 already.

    Reads ask for binary results (jy_db_query_binary): no parsing of dates or numbers.
*/
#ifndef TL_SQL_TEXT_H_INCLUDED
#define TL_SQL_TEXT_H_INCLUDED

#include "journey/journey.h"

typedef struct {
    char *data;
    size_t size, capacity;
} tl_sql_text_t;

void tl_sql_text_free (tl_sql_text_t *text);
//  Empty again, keeping the memory.
void tl_sql_text_reset (tl_sql_text_t *text);
void tl_sql_text_put (tl_sql_text_t *text, const void *data, size_t size);
void tl_sql_text_str (tl_sql_text_t *text, const char *string);
void tl_sql_text_printf (tl_sql_text_t *text, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Array literals: open with "{", add elements (commas are added), close with "}".
void tl_sql_array_open (tl_sql_text_t *array);
void tl_sql_array_close (tl_sql_text_t *array);
//  Text, quoted with " and \ escaped; NULL bare.
void tl_sql_array_text (tl_sql_text_t *array, const char *value);
//  A date as YYYY-MM-DD; JY_DATE_INVALID as NULL.
void tl_sql_array_date (tl_sql_text_t *array, jy_date_t value);
void tl_sql_array_int (tl_sql_text_t *array, int64_t value);
//  An int that is NULL when has is false.
void tl_sql_array_int_or_null (tl_sql_text_t *array, bool has, int64_t value);
void tl_sql_array_bool (tl_sql_text_t *array, bool value);

//  COPY text rows: fields separated by tabs, rows ended by a newline.
//  Text with \, tab, newline and carriage return escaped; NULL as \N.
void tl_sql_copy_text (tl_sql_text_t *row, const char *value, bool last);
void tl_sql_copy_date (tl_sql_text_t *row, jy_date_t value, bool last);
void tl_sql_copy_int (tl_sql_text_t *row, int64_t value, bool last);
//  bytea as hex input (\\x...).
void tl_sql_copy_bytes (tl_sql_text_t *row, const uint8_t *data, size_t size, bool last);

//  --- Prepared statements ------------------------------------------------------------------------

//  A statement prepared once per connection: planning the eighteen-table UNION of
//  child_records.c, or an INSERT from eighteen arrays, costs more than running it, and the
//  flush after a live event runs them all.
typedef struct {
    const char *name; //  unique in the process
    const char *sql;
    int nparams;
    PGconn *prepared_on; //  the connection it was last prepared on,
    int prepared_pid;    //  and its server process (a new connection may reuse the address)
} tl_sql_statement_t;

//  Run it with text parameters (NULL entries are SQL NULL), preparing it first on a connection
//  it was not prepared on; binary results when binary. The result (rows or command done) for
//  the caller to PQclear, or NULL with tl_sql_error () saying why.
PGresult *tl_sql_run (jy_db_t *db, tl_sql_statement_t *statement, const char *const *params,
                      bool binary);
//  The same for a statement whose rows are not wanted. 0 or -1.
int tl_sql_exec (jy_db_t *db, tl_sql_statement_t *statement, const char *const *params);
//  Why the last tl_sql_run or tl_sql_exec failed ("" when it did not, or since cleared).
const char *tl_sql_error (void);
void tl_sql_clear_error (void);

//  Cells of a binary result. NULL reads as NULL, JY_DATE_INVALID, -1 (tristate) or 0.
const char *tl_sql_get_text (const PGresult *result, int row, int column);
jy_date_t tl_sql_get_date (const PGresult *result, int row, int column);
int8_t tl_sql_get_tristate (const PGresult *result, int row, int column);
int32_t tl_sql_get_int4 (const PGresult *result, int row, int column);
int64_t tl_sql_get_int8 (const PGresult *result, int row, int column);

#endif
