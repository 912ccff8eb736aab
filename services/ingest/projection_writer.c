/*  projection_writer: persist the case store's changes in the caller's transaction
    (projection_writer.h).

    Rows the database has never seen (created since the last commit, or the rows of a rebuilt
    child, deleted first) go in by COPY, the fastest bulk write; rows it has, and an event
    changed, travel as PostgreSQL text arrays, one per column, unnest'ed into one INSERT ... ON
    CONFLICT per table. Either way one round trip per table whatever the number of rows, and no
    SQL text built from data (identifiers come only from projection.c's static table).
*/
#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "projection_writer.h"

//  --- Growable text --------------------------------------------------------------------------

typedef struct {
    char *data;
    size_t size, capacity;
} s_text_t;

static void s_text_put (s_text_t *text, const char *data, size_t size)
{
    if (text->size + size + 1 > text->capacity) {
        size_t capacity = text->capacity ? text->capacity : 256;
        while (text->size + size + 1 > capacity)
            capacity *= 2;
        text->data = realloc (text->data, capacity);
        assert (text->data);
        text->capacity = capacity;
    }
    memcpy (text->data + text->size, data, size);
    text->size += size;
    text->data[text->size] = 0;
}

static void s_text_str (s_text_t *text, const char *string)
{
    s_text_put (text, string, strlen (string));
}

static void s_text_printf (s_text_t *text, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

static void s_text_printf (s_text_t *text, const char *format, ...)
{
    char buf[512];
    va_list args;
    va_start (args, format);
    int length = vsnprintf (buf, sizeof buf, format, args);
    va_end (args);
    assert (length >= 0 && (size_t) length < sizeof buf); //  only identifiers from the table
    s_text_put (text, buf, (size_t) length);
}

//  One element of a PostgreSQL array literal: NULL bare, anything else double-quoted with "
//  and \ escaped (so commas, braces, spaces and the word NULL itself stay data).
static void s_array_element (s_text_t *array, const char *value)
{
    s_text_put (array, array->size > 1 ? "," : "", array->size > 1);
    if (!value) {
        s_text_put (array, "NULL", 4);
        return;
    }
    s_text_put (array, "\"", 1);
    const char *run = value;
    for (const char *at = value; *at; at++) {
        if (*at == '"' || *at == '\\') {
            s_text_put (array, run, (size_t) (at - run));
            s_text_put (array, "\\", 1);
            run = at;
        }
    }
    s_text_str (array, run);
    s_text_put (array, "\"", 1);
}

//  --- SQL, built once from the static table ----------------------------------------------------

static char *s_upsert_sql[PROJ__COUNT];
static char *s_copy_sql[PROJ__COUNT];
static char *s_delete_sql;
static pthread_once_t s_sql_built = PTHREAD_ONCE_INIT;

static bool s_one_per_child (const proj_table_def_t *def)
{
    return strcmp (def->key, "child_id") == 0;
}

static void s_build_sql (void)
{
    for (int t = 0; t < PROJ__COUNT; t++) {
        const proj_table_def_t *def = projection_table ((proj_table_t) t);
        bool keyed = !s_one_per_child (def);
        s_text_t sql = {0}, names = {0}, params = {0}, select = {0}, update = {0};
        s_text_str (&names, "la_code, child_id");
        s_text_str (&params, "$1::text[], $2::text[]");
        s_text_str (&select, "v.la_code, v.child_id");
        int param = 3;
        if (keyed) {
            s_text_printf (&names, ", %s", def->key);
            s_text_printf (&params, ", $%d::text[]", param++);
            s_text_printf (&select, ", v.%s", def->key);
        }
        for (int c = 0; c < def->column_count; c++) {
            const proj_column_t *column = &def->columns[c];
            s_text_printf (&names, ", %s", column->name);
            s_text_printf (&params, ", $%d::text[]", param++);
            s_text_printf (&select, ", v.%s::%s", column->name, column->type);
            s_text_printf (&update, "%s%s = EXCLUDED.%s", c ? ", " : "", column->name,
                           column->name);
        }
        s_text_printf (&sql, "INSERT INTO ingest.%s (", def->name);
        s_text_str (&sql, names.data);
        s_text_str (&sql, ") SELECT ");
        s_text_str (&sql, select.data);
        s_text_str (&sql, " FROM unnest(");
        s_text_str (&sql, params.data);
        s_text_str (&sql, ") AS v(");
        s_text_str (&sql, names.data);
        s_text_printf (&sql, ") ON CONFLICT (la_code, child_id%s%s) DO ", keyed ? ", " : "",
                       keyed ? def->key : "");
        if (def->column_count) {
            s_text_str (&sql, "UPDATE SET ");
            s_text_str (&sql, update.data);
        } else
            s_text_str (&sql, "NOTHING");
        s_upsert_sql[t] = sql.data;
        s_text_t copy = {0};
        s_text_printf (&copy, "COPY ingest.%s (", def->name);
        s_text_str (&copy, names.data);
        s_text_str (&copy, ") FROM STDIN");
        s_copy_sql[t] = copy.data;
        free (names.data);
        free (params.data);
        free (select.data);
        free (update.data);
    }
    //  Every table's rows of the rebuilt children in one statement: data-modifying WITH
    //  clauses run whether or not anything reads them.
    s_text_t sql = {0};
    s_text_str (&sql, "WITH k AS (SELECT * FROM unnest($1::text[], $2::text[]) AS k(la_code, "
                      "child_id))");
    for (int t = 0; t < PROJ__COUNT; t++)
        s_text_printf (&sql,
                       ", d%d AS (DELETE FROM ingest.%s t USING k WHERE t.la_code = k.la_code "
                       "AND t.child_id = k.child_id)",
                       t, projection_table ((proj_table_t) t)->name);
    s_text_str (&sql, " SELECT 1");
    s_delete_sql = sql.data;
}

//  --- Writing ----------------------------------------------------------------------------------

#define MAX_ARRAYS (3 + PROJ_MAX_COLUMNS)

typedef struct {
    jy_db_t *db;
    int table;          //  whose rows the arrays and the COPY text hold, or -1
    size_t rows;        //  in the arrays: rows the database has
    size_t copied_rows; //  in copy: new rows
    int array_count;
    s_text_t arrays[MAX_ARRAYS];
    s_text_t copy;
    int rc;
} s_writer_t;

//  One field of a COPY text row: \N for NULL, else the value with \, tab, newline and
//  carriage return escaped.
static void s_copy_field (s_text_t *copy, const char *value, bool last)
{
    if (!value)
        s_text_put (copy, "\\N", 2);
    else {
        const char *run = value;
        for (const char *at = value; *at; at++) {
            const char *escaped = *at == '\\'   ? "\\\\"
                                  : *at == '\t' ? "\\t"
                                  : *at == '\n' ? "\\n"
                                  : *at == '\r' ? "\\r"
                                                : NULL;
            if (escaped) {
                s_text_put (copy, run, (size_t) (at - run));
                s_text_put (copy, escaped, 2);
                run = at + 1;
            }
        }
        s_text_str (copy, run);
    }
    s_text_put (copy, last ? "\n" : "\t", 1);
}

static void s_start (s_writer_t *writer, int table)
{
    const proj_table_def_t *def = projection_table ((proj_table_t) table);
    writer->table = table;
    writer->rows = 0;
    writer->copied_rows = 0;
    writer->copy.size = 0;
    writer->array_count = 2 + (s_one_per_child (def) ? 0 : 1) + def->column_count;
    for (int a = 0; a < writer->array_count; a++) {
        writer->arrays[a].size = 0;
        s_text_put (&writer->arrays[a], "{", 1);
    }
}

static void s_flush (s_writer_t *writer)
{
    if (writer->table < 0 || writer->rc != 0)
        return;
    if (writer->copied_rows > 0 && jy_db_copy_in (writer->db, s_copy_sql[writer->table],
                                                  writer->copy.data, writer->copy.size) != 0)
        writer->rc = -1;
    writer->copied_rows = 0;
    if (writer->rows == 0 || writer->rc != 0)
        return;
    const char *params[MAX_ARRAYS];
    for (int a = 0; a < writer->array_count; a++) {
        s_text_put (&writer->arrays[a], "}", 1);
        params[a] = writer->arrays[a].data;
    }
    if (jy_db_exec (writer->db, s_upsert_sql[writer->table], writer->array_count, params) != 0)
        writer->rc = -1;
    writer->rows = 0;
}

static void s_visit_row (void *arg, const char *la_code, const char *child_id, proj_table_t table,
                         case_row_t *row)
{
    s_writer_t *writer = arg;
    if (writer->rc != 0)
        return;
    if ((int) table != writer->table) {
        s_flush (writer);
        s_start (writer, (int) table);
    }
    const proj_table_def_t *def = projection_table (table);
    if (!case_row_persisted (row)) {
        s_copy_field (&writer->copy, la_code, false);
        s_copy_field (&writer->copy, child_id, def->column_count == 0 && s_one_per_child (def));
        if (!s_one_per_child (def))
            s_copy_field (&writer->copy, case_row_key (row), def->column_count == 0);
        for (int c = 0; c < def->column_count; c++)
            s_copy_field (&writer->copy, case_row_value (row, c), c == def->column_count - 1);
        writer->copied_rows++;
        return;
    }
    int a = 0;
    s_array_element (&writer->arrays[a++], la_code);
    s_array_element (&writer->arrays[a++], child_id);
    if (!s_one_per_child (def))
        s_array_element (&writer->arrays[a++], case_row_key (row));
    for (int c = 0; c < def->column_count; c++)
        s_array_element (&writer->arrays[a++], case_row_value (row, c));
    writer->rows++;
}

typedef struct {
    s_text_t la_codes, child_ids;
    size_t count;
} s_rebuilt_t;

static void s_visit_rebuilt (void *arg, const char *la_code, const char *child_id)
{
    s_rebuilt_t *rebuilt = arg;
    s_array_element (&rebuilt->la_codes, la_code);
    s_array_element (&rebuilt->child_ids, child_id);
    rebuilt->count++;
}

int projection_write (jy_db_t *db, case_store_t *store)
{
    assert (db && store);
    pthread_once (&s_sql_built, s_build_sql);
    int rc = 0;

    s_rebuilt_t rebuilt = {{0}, {0}, 0};
    s_text_put (&rebuilt.la_codes, "{", 1);
    s_text_put (&rebuilt.child_ids, "{", 1);
    case_store_each_rebuilt (store, s_visit_rebuilt, &rebuilt);
    if (rebuilt.count) {
        s_text_put (&rebuilt.la_codes, "}", 1);
        s_text_put (&rebuilt.child_ids, "}", 1);
        const char *params[2] = {rebuilt.la_codes.data, rebuilt.child_ids.data};
        rc = jy_db_exec (db, s_delete_sql, 2, params);
    }
    free (rebuilt.la_codes.data);
    free (rebuilt.child_ids.data);
    if (rc != 0)
        return -1;

    s_writer_t writer = {.db = db, .table = -1};
    case_store_each_dirty (store, s_visit_row, &writer);
    s_flush (&writer);
    for (int a = 0; a < MAX_ARRAYS; a++)
        free (writer.arrays[a].data);
    free (writer.copy.data);
    return writer.rc;
}
