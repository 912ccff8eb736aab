/*  jy_sql_text: what bulk statements are made of (jy_sql_text.h). */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jy_sql_text.h"

void jy_sql_text_free (jy_sql_text_t *text)
{
    free (text->data);
    memset (text, 0, sizeof *text);
}

void jy_sql_text_reset (jy_sql_text_t *text)
{
    text->size = 0;
    if (text->data)
        text->data[0] = '\0';
}

void jy_sql_text_reserve (jy_sql_text_t *text, size_t more)
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

void jy_sql_text_put (jy_sql_text_t *text, const void *data, size_t size)
{
    jy_sql_text_reserve (text, size);
    memcpy (text->data + text->size, data, size);
    text->size += size;
    text->data[text->size] = '\0';
}

void jy_sql_text_str (jy_sql_text_t *text, const char *string)
{
    jy_sql_text_put (text, string, strlen (string));
}

void jy_sql_text_printf (jy_sql_text_t *text, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    int length = vsnprintf (NULL, 0, format, args);
    va_end (args);
    assert (length >= 0);
    jy_sql_text_reserve (text, (size_t) length);
    va_start (args, format);
    vsnprintf (text->data + text->size, (size_t) length + 1, format, args);
    va_end (args);
    text->size += (size_t) length;
}

void jy_sql_text_hex (jy_sql_text_t *text, const uint8_t *data, size_t size)
{
    static const char digits[] = "0123456789abcdef";
    jy_sql_text_reserve (text, size * 2);
    char *out = text->data + text->size;
    for (size_t i = 0; i < size; i++) {
        *out++ = digits[data[i] >> 4];
        *out++ = digits[data[i] & 15];
    }
    text->size += size * 2;
    text->data[text->size] = '\0';
}

//  Length of the valid UTF-8 sequence at p as PostgreSQL accepts it (no overlong forms,
//  surrogates or code points past U+10FFFF), or 0. Never reads past a terminating NUL.
static size_t s_utf8_length (const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

typedef enum { S_PLAIN, S_COPY, S_ARRAY } s_escape_t;

//  Whether a byte of valid ASCII text needs escaping in the given context.
static bool s_escaped (unsigned char c, s_escape_t escape)
{
    if (escape == S_COPY)
        return c == '\\' || c == '\t' || c == '\n' || c == '\r';
    if (escape == S_ARRAY)
        return c == '\\' || c == '"';
    return false;
}

static void s_put_text (jy_sql_text_t *text, const char *value, s_escape_t escape)
{
    const unsigned char *p = (const unsigned char *) value;
    while (*p) {
        //  A run of ASCII that needs nothing goes in at once.
        const unsigned char *run = p;
        while (*p && *p < 0x80 && !s_escaped (*p, escape))
            p++;
        if (p > run)
            jy_sql_text_put (text, run, (size_t) (p - run));
        if (!*p)
            break;
        size_t length = s_utf8_length (p);
        if (length == 0) {
            jy_sql_text_put (text, "\xEF\xBF\xBD", 3);
            p++;
        } else if (length > 1) {
            jy_sql_text_put (text, p, length);
            p += length;
        } else {
            char c = (char) *p++;
            char pair[2] = {'\\', c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c};
            jy_sql_text_put (text, pair, 2);
        }
    }
}

void jy_sql_text_plain (jy_sql_text_t *text, const char *value)
{
    s_put_text (text, value, S_PLAIN);
}

//  --- Array literals --------------------------------------------------------------------------

void jy_sql_text_array_open (jy_sql_text_t *array)
{
    jy_sql_text_reset (array);
    jy_sql_text_put (array, "{", 1);
}

void jy_sql_text_array_close (jy_sql_text_t *array)
{
    jy_sql_text_put (array, "}", 1);
}

static void s_comma (jy_sql_text_t *array)
{
    assert (array->size > 0);
    if (array->data[array->size - 1] != '{')
        jy_sql_text_put (array, ",", 1);
}

void jy_sql_text_array_text (jy_sql_text_t *array, const char *value)
{
    s_comma (array);
    if (!value) {
        jy_sql_text_put (array, "NULL", 4);
        return;
    }
    jy_sql_text_put (array, "\"", 1);
    s_put_text (array, value, S_ARRAY);
    jy_sql_text_put (array, "\"", 1);
}

void jy_sql_text_array_bytes (jy_sql_text_t *array, const uint8_t *data, size_t size)
{
    s_comma (array);
    jy_sql_text_put (array, "\"\\\\x", 4); //  "\\x...": the array literal unescapes to bytea hex
    jy_sql_text_hex (array, data, size);
    jy_sql_text_put (array, "\"", 1);
}

void jy_sql_text_array_date (jy_sql_text_t *array, jy_date_t value)
{
    s_comma (array);
    if (value == JY_DATE_INVALID)
        jy_sql_text_put (array, "NULL", 4);
    else {
        char text[JY_DATE_TEXT_SIZE];
        jy_sql_text_put (array, jy_date_format (value, text), JY_DATE_TEXT_SIZE - 1);
    }
}

void jy_sql_text_array_int (jy_sql_text_t *array, int64_t value)
{
    s_comma (array);
    jy_sql_text_printf (array, "%" PRId64, value);
}

void jy_sql_text_array_int_or_null (jy_sql_text_t *array, bool has, int64_t value)
{
    if (has)
        jy_sql_text_array_int (array, value);
    else {
        s_comma (array);
        jy_sql_text_put (array, "NULL", 4);
    }
}

void jy_sql_text_array_bool (jy_sql_text_t *array, bool value)
{
    s_comma (array);
    jy_sql_text_put (array, value ? "t" : "f", 1);
}

//  --- COPY text ------------------------------------------------------------------------------

static void s_end_field (jy_sql_text_t *row, bool last)
{
    jy_sql_text_put (row, last ? "\n" : "\t", 1);
}

void jy_sql_text_copy_text (jy_sql_text_t *row, const char *value, bool last)
{
    if (value)
        s_put_text (row, value, S_COPY);
    else
        jy_sql_text_put (row, "\\N", 2);
    s_end_field (row, last);
}

void jy_sql_text_copy_date (jy_sql_text_t *row, jy_date_t value, bool last)
{
    if (value == JY_DATE_INVALID)
        jy_sql_text_put (row, "\\N", 2);
    else {
        char text[JY_DATE_TEXT_SIZE];
        jy_sql_text_put (row, jy_date_format (value, text), JY_DATE_TEXT_SIZE - 1);
    }
    s_end_field (row, last);
}

void jy_sql_text_copy_int (jy_sql_text_t *row, int64_t value, bool last)
{
    jy_sql_text_printf (row, "%" PRId64, value);
    s_end_field (row, last);
}

void jy_sql_text_copy_bytes (jy_sql_text_t *row, const uint8_t *data, size_t size, bool last)
{
    //  COPY text unescapes \\ to \, and bytea reads \x as hex.
    jy_sql_text_put (row, "\\\\x", 3);
    jy_sql_text_hex (row, data, size);
    s_end_field (row, last);
}

//  --- Binary COPY ----------------------------------------------------------------------------

//  PostgreSQL counts dates and timestamps from 2000-01-01 (src/include/datatype/timestamp.h).
#define S_PG_EPOCH_DAYS 10957 //  1970-01-01 to 2000-01-01

static void s_put_be (jy_sql_text_t *data, uint64_t value, int bytes)
{
    uint8_t out[8];
    for (int i = 0; i < bytes; i++)
        out[i] = (uint8_t) (value >> (8 * (bytes - 1 - i)));
    jy_sql_text_put (data, out, (size_t) bytes);
}

void jy_sql_text_binary_start (jy_sql_text_t *data)
{
    //  "PGCOPY\n\377\r\n\0", then the flags and the header extension length, both 0.
    static const uint8_t header[19] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xFF, '\r', '\n',
                                       0,   0,   0,   0,   0,   0,   0,    0,    0};
    jy_sql_text_put (data, header, sizeof header);
}

void jy_sql_text_binary_row (jy_sql_text_t *data, int fields)
{
    assert (fields >= 0 && fields <= INT16_MAX);
    s_put_be (data, (uint64_t) fields, 2);
}

void jy_sql_text_binary_null (jy_sql_text_t *data)
{
    s_put_be (data, UINT32_MAX, 4); //  -1
}

void jy_sql_text_binary_int8 (jy_sql_text_t *data, int64_t value)
{
    s_put_be (data, 8, 4);
    s_put_be (data, (uint64_t) value, 8);
}

void jy_sql_text_binary_text (jy_sql_text_t *data, const char *value)
{
    if (!value) {
        jy_sql_text_binary_null (data);
        return;
    }
    //  The length goes in front of the text, which repair may lengthen: written after.
    size_t at = data->size;
    s_put_be (data, 0, 4);
    s_put_text (data, value, S_PLAIN);
    uint64_t length = data->size - at - 4;
    assert (length <= INT32_MAX);
    for (int i = 0; i < 4; i++)
        data->data[at + (size_t) i] = (char) (uint8_t) (length >> (8 * (3 - i)));
}

void jy_sql_text_binary_bytes (jy_sql_text_t *data, const uint8_t *bytes, size_t size)
{
    assert (size <= INT32_MAX);
    s_put_be (data, size, 4);
    jy_sql_text_put (data, bytes, size);
}

void jy_sql_text_binary_bytes2 (jy_sql_text_t *data, const uint8_t *first, size_t first_size,
                                const uint8_t *second, size_t second_size)
{
    assert (first_size + second_size <= INT32_MAX);
    s_put_be (data, first_size + second_size, 4);
    jy_sql_text_put (data, first, first_size);
    jy_sql_text_put (data, second, second_size);
}

void jy_sql_text_binary_date (jy_sql_text_t *data, jy_date_t days_since_1970)
{
    s_put_be (data, 4, 4);
    s_put_be (data, (uint32_t) (days_since_1970 - S_PG_EPOCH_DAYS), 4);
}

void jy_sql_text_binary_timestamp (jy_sql_text_t *data, int64_t unix_ms)
{
    s_put_be (data, 8, 4);
    s_put_be (data, (uint64_t) ((unix_ms - (int64_t) S_PG_EPOCH_DAYS * 86400000) * 1000), 8);
}

void jy_sql_text_binary_end (jy_sql_text_t *data)
{
    s_put_be (data, UINT16_MAX, 2); //  -1
}
