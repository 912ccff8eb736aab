/*  sql_text: bulk statement text and binary result cells (sql_text.h). */
#include <arpa/inet.h>
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_text.h"

//  PostgreSQL's binary dates count days from 2000-01-01; jy_date from 1970-01-01.
#define S_PG_EPOCH_DAYS 10957

void tl_sql_text_free (tl_sql_text_t *text)
{
    assert (text);
    free (text->data);
    memset (text, 0, sizeof *text);
}

void tl_sql_text_reset (tl_sql_text_t *text)
{
    assert (text);
    text->size = 0;
    if (text->data)
        text->data[0] = '\0';
}

static void s_reserve (tl_sql_text_t *text, size_t more)
{
    if (text->size + more + 1 <= text->capacity)
        return;
    size_t capacity = text->capacity ? text->capacity : 256;
    while (text->size + more + 1 > capacity)
        capacity *= 2;
    text->data = realloc (text->data, capacity);
    assert (text->data);
    text->capacity = capacity;
}

void tl_sql_text_put (tl_sql_text_t *text, const void *data, size_t size)
{
    assert (text);
    s_reserve (text, size);
    memcpy (text->data + text->size, data, size);
    text->size += size;
    text->data[text->size] = '\0';
}

void tl_sql_text_str (tl_sql_text_t *text, const char *string)
{
    tl_sql_text_put (text, string, strlen (string));
}

void tl_sql_text_printf (tl_sql_text_t *text, const char *format, ...)
{
    assert (text);
    va_list args;
    va_start (args, format);
    int length = vsnprintf (NULL, 0, format, args);
    va_end (args);
    assert (length >= 0);
    s_reserve (text, (size_t) length);
    va_start (args, format);
    vsnprintf (text->data + text->size, (size_t) length + 1, format, args);
    va_end (args);
    text->size += (size_t) length;
}

//  --- Array literals ----------------------------------------------------------------------------

void tl_sql_array_open (tl_sql_text_t *array)
{
    tl_sql_text_reset (array);
    tl_sql_text_put (array, "{", 1);
}

void tl_sql_array_close (tl_sql_text_t *array)
{
    tl_sql_text_put (array, "}", 1);
}

static void s_comma (tl_sql_text_t *array)
{
    assert (array->size > 0);
    if (array->data[array->size - 1] != '{')
        tl_sql_text_put (array, ",", 1);
}

void tl_sql_array_text (tl_sql_text_t *array, const char *value)
{
    s_comma (array);
    if (!value) {
        tl_sql_text_put (array, "NULL", 4);
        return;
    }
    size_t length = strlen (value);
    s_reserve (array, length * 2 + 2);
    char *out = array->data + array->size;
    *out++ = '"';
    for (const char *in = value; *in; in++) {
        if (*in == '"' || *in == '\\')
            *out++ = '\\';
        *out++ = *in;
    }
    *out++ = '"';
    *out = '\0';
    array->size = (size_t) (out - array->data);
}

void tl_sql_array_date (tl_sql_text_t *array, jy_date_t value)
{
    s_comma (array);
    if (value == JY_DATE_INVALID)
        tl_sql_text_put (array, "NULL", 4);
    else {
        char text[JY_DATE_TEXT_SIZE];
        tl_sql_text_put (array, jy_date_format (value, text), JY_DATE_TEXT_SIZE - 1);
    }
}

void tl_sql_array_int (tl_sql_text_t *array, int64_t value)
{
    s_comma (array);
    tl_sql_text_printf (array, "%" PRId64, value);
}

void tl_sql_array_int_or_null (tl_sql_text_t *array, bool has, int64_t value)
{
    if (has)
        tl_sql_array_int (array, value);
    else {
        s_comma (array);
        tl_sql_text_put (array, "NULL", 4);
    }
}

void tl_sql_array_bool (tl_sql_text_t *array, bool value)
{
    s_comma (array);
    tl_sql_text_put (array, value ? "t" : "f", 1);
}

//  --- COPY text
//  -----------------------------------------------------------------------------------

static void s_end_field (tl_sql_text_t *row, bool last)
{
    tl_sql_text_put (row, last ? "\n" : "\t", 1);
}

void tl_sql_copy_text (tl_sql_text_t *row, const char *value, bool last)
{
    if (!value)
        tl_sql_text_put (row, "\\N", 2);
    else {
        size_t length = strlen (value);
        s_reserve (row, length * 2);
        char *out = row->data + row->size;
        for (const char *in = value; *in; in++) {
            char escaped = *in == '\\'   ? '\\'
                           : *in == '\t' ? 't'
                           : *in == '\n' ? 'n'
                           : *in == '\r' ? 'r'
                                         : 0;
            if (escaped) {
                *out++ = '\\';
                *out++ = escaped;
            } else
                *out++ = *in;
        }
        *out = '\0';
        row->size = (size_t) (out - row->data);
    }
    s_end_field (row, last);
}

void tl_sql_copy_date (tl_sql_text_t *row, jy_date_t value, bool last)
{
    if (value == JY_DATE_INVALID)
        tl_sql_text_put (row, "\\N", 2);
    else {
        char text[JY_DATE_TEXT_SIZE];
        tl_sql_text_put (row, jy_date_format (value, text), JY_DATE_TEXT_SIZE - 1);
    }
    s_end_field (row, last);
}

void tl_sql_copy_int (tl_sql_text_t *row, int64_t value, bool last)
{
    tl_sql_text_printf (row, "%" PRId64, value);
    s_end_field (row, last);
}

void tl_sql_copy_bytes (tl_sql_text_t *row, const uint8_t *data, size_t size, bool last)
{
    static const char digits[] = "0123456789abcdef";
    //  COPY text unescapes \\ to \, and bytea reads \x as hex.
    s_reserve (row, size * 2 + 3);
    char *out = row->data + row->size;
    *out++ = '\\';
    *out++ = '\\';
    *out++ = 'x';
    for (size_t i = 0; i < size; i++) {
        *out++ = digits[data[i] >> 4];
        *out++ = digits[data[i] & 15];
    }
    *out = '\0';
    row->size = (size_t) (out - row->data);
    s_end_field (row, last);
}

//  --- Prepared statements ------------------------------------------------------------------------

//  One thread runs the statements (the daemon's actor), so one error buffer will do.
static char s_error[1024];

static void s_set_error (const char *what, const PGresult *result, PGconn *conn)
{
    const char *message = result ? PQresultErrorMessage (result) : PQerrorMessage (conn);
    snprintf (s_error, sizeof s_error, "%s: %s", what, message && *message ? message : "no answer");
    //  One line: libpq's messages end in a newline.
    s_error[strcspn (s_error, "\n")] = '\0';
}

const char *tl_sql_error (void)
{
    return s_error;
}

void tl_sql_clear_error (void)
{
    s_error[0] = '\0';
}

static int s_prepare (PGconn *conn, tl_sql_statement_t *statement)
{
    PGresult *result = PQprepare (conn, statement->name, statement->sql, statement->nparams, NULL);
    int rc = PQresultStatus (result) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc == 0) {
        statement->prepared_on = conn;
        statement->prepared_pid = PQbackendPID (conn);
    } else
        s_set_error (statement->name, result, conn);
    PQclear (result);
    return rc;
}

PGresult *tl_sql_run (jy_db_t *db, tl_sql_statement_t *statement, const char *const *params,
                      bool binary)
{
    assert (db);
    assert (statement);
    s_error[0] = '\0';
    PGconn *conn = jy_db_conn (db);
    if (!conn || PQstatus (conn) != CONNECTION_OK) {
        snprintf (s_error, sizeof s_error, "%s: not connected", statement->name);
        return NULL;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        bool prepared =
            statement->prepared_on == conn && statement->prepared_pid == PQbackendPID (conn);
        if (!prepared && s_prepare (conn, statement) != 0)
            return NULL;
        PGresult *result = PQexecPrepared (conn, statement->name, statement->nparams, params, NULL,
                                           NULL, binary ? 1 : 0);
        ExecStatusType status = PQresultStatus (result);
        if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
            return result;
        //  Should the server have forgotten it (DISCARD ALL from a pooler): again, once.
        const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);
        bool unknown = state && strcmp (state, "26000") == 0;
        s_set_error (statement->name, result, conn);
        PQclear (result);
        if (!unknown)
            return NULL;
        statement->prepared_on = NULL;
    }
    return NULL;
}

int tl_sql_exec (jy_db_t *db, tl_sql_statement_t *statement, const char *const *params)
{
    PGresult *result = tl_sql_run (db, statement, params, false);
    PQclear (result);
    return result ? 0 : -1;
}

//  --- Binary cells ------------------------------------------------------------------------------

const char *tl_sql_get_text (const PGresult *result, int row, int column)
{
    //  libpq ends every value with a NUL, binary ones included.
    return PQgetisnull (result, row, column) ? NULL : PQgetvalue (result, row, column);
}

jy_date_t tl_sql_get_date (const PGresult *result, int row, int column)
{
    if (PQgetisnull (result, row, column) || PQgetlength (result, row, column) != 4)
        return JY_DATE_INVALID;
    return tl_sql_get_int4 (result, row, column) + S_PG_EPOCH_DAYS;
}

int8_t tl_sql_get_tristate (const PGresult *result, int row, int column)
{
    if (PQgetisnull (result, row, column) || PQgetlength (result, row, column) != 1)
        return -1;
    return PQgetvalue (result, row, column)[0] ? 1 : 0;
}

int32_t tl_sql_get_int4 (const PGresult *result, int row, int column)
{
    if (PQgetisnull (result, row, column) || PQgetlength (result, row, column) != 4)
        return 0;
    uint32_t value;
    memcpy (&value, PQgetvalue (result, row, column), 4);
    return (int32_t) ntohl (value);
}

int64_t tl_sql_get_int8 (const PGresult *result, int row, int column)
{
    if (PQgetisnull (result, row, column) || PQgetlength (result, row, column) != 8)
        return 0;
    return jy_db_get_int8 (result, row, column);
}
