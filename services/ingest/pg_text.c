/*  pg_text: text for PostgreSQL's bulk paths (pg_text.h). */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_text.h"

void pg_text_free (pg_text_t *text)
{
    free (text->data);
    memset (text, 0, sizeof *text);
}

void pg_text_reserve (pg_text_t *text, size_t more)
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

void pg_text_put (pg_text_t *text, const void *data, size_t size)
{
    pg_text_reserve (text, size);
    memcpy (text->data + text->size, data, size);
    text->size += size;
    text->data[text->size] = '\0';
}

void pg_text_str (pg_text_t *text, const char *string)
{
    pg_text_put (text, string, strlen (string));
}

void pg_text_printf (pg_text_t *text, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    int length = vsnprintf (NULL, 0, format, args);
    va_end (args);
    assert (length >= 0);
    pg_text_reserve (text, (size_t) length);
    va_start (args, format);
    vsnprintf (text->data + text->size, (size_t) length + 1, format, args);
    va_end (args);
    text->size += (size_t) length;
}

void pg_text_hex (pg_text_t *text, const uint8_t *data, size_t size)
{
    static const char digits[] = "0123456789abcdef";
    pg_text_reserve (text, size * 2);
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

static void s_put_text (pg_text_t *text, const char *value, s_escape_t escape)
{
    const unsigned char *p = (const unsigned char *) value;
    while (*p) {
        //  A run of ASCII that needs nothing goes in at once.
        const unsigned char *run = p;
        while (*p && *p < 0x80 && !s_escaped (*p, escape))
            p++;
        if (p > run)
            pg_text_put (text, run, (size_t) (p - run));
        if (!*p)
            break;
        size_t length = s_utf8_length (p);
        if (length == 0) {
            pg_text_put (text, "\xEF\xBF\xBD", 3);
            p++;
        } else if (length > 1) {
            pg_text_put (text, p, length);
            p += length;
        } else {
            char c = (char) *p++;
            char pair[2] = {'\\', c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c};
            pg_text_put (text, pair, 2);
        }
    }
}

void pg_text_plain (pg_text_t *text, const char *value)
{
    s_put_text (text, value, S_PLAIN);
}

void pg_text_copy_field (pg_text_t *text, const char *value, bool last)
{
    if (value)
        s_put_text (text, value, S_COPY);
    else
        pg_text_put (text, "\\N", 2);
    pg_text_put (text, last ? "\n" : "\t", 1);
}

void pg_text_array_element (pg_text_t *array, const char *value)
{
    if (array->size > 1)
        pg_text_put (array, ",", 1);
    if (!value) {
        pg_text_str (array, "NULL");
        return;
    }
    pg_text_put (array, "\"", 1);
    s_put_text (array, value, S_ARRAY);
    pg_text_put (array, "\"", 1);
}

void pg_text_array_bytes (pg_text_t *array, const uint8_t *data, size_t size)
{
    if (array->size > 1)
        pg_text_put (array, ",", 1);
    pg_text_str (array, "\"\\\\x"); //  "\\x...": the array literal unescapes to bytea hex input
    pg_text_hex (array, data, size);
    pg_text_put (array, "\"", 1);
}

//  --- Binary COPY ----------------------------------------------------------------------------

//  PostgreSQL counts dates and timestamps from 2000-01-01 (src/include/datatype/timestamp.h).
#define S_PG_EPOCH_DAYS 10957 //  1970-01-01 to 2000-01-01

static void s_put_be (pg_text_t *data, uint64_t value, int bytes)
{
    uint8_t out[8];
    for (int i = 0; i < bytes; i++)
        out[i] = (uint8_t) (value >> (8 * (bytes - 1 - i)));
    pg_text_put (data, out, (size_t) bytes);
}

void pg_text_binary_start (pg_text_t *data)
{
    //  "PGCOPY\n\377\r\n\0", then the flags and the header extension length, both 0.
    static const uint8_t header[19] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xFF, '\r', '\n',
                                       0,   0,   0,   0,   0,   0,   0,    0,    0};
    pg_text_put (data, header, sizeof header);
}

void pg_text_binary_row (pg_text_t *data, int fields)
{
    assert (fields >= 0 && fields <= INT16_MAX);
    s_put_be (data, (uint64_t) fields, 2);
}

void pg_text_binary_null (pg_text_t *data)
{
    s_put_be (data, UINT32_MAX, 4); //  -1
}

void pg_text_binary_int8 (pg_text_t *data, int64_t value)
{
    s_put_be (data, 8, 4);
    s_put_be (data, (uint64_t) value, 8);
}

void pg_text_binary_text (pg_text_t *data, const char *value)
{
    if (!value) {
        pg_text_binary_null (data);
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

void pg_text_binary_bytes (pg_text_t *data, const uint8_t *bytes, size_t size)
{
    assert (size <= INT32_MAX);
    s_put_be (data, size, 4);
    pg_text_put (data, bytes, size);
}

void pg_text_binary_bytes2 (pg_text_t *data, const uint8_t *first, size_t first_size,
                            const uint8_t *second, size_t second_size)
{
    assert (first_size + second_size <= INT32_MAX);
    s_put_be (data, first_size + second_size, 4);
    pg_text_put (data, first, first_size);
    pg_text_put (data, second, second_size);
}

void pg_text_binary_date (pg_text_t *data, int32_t days_since_1970)
{
    s_put_be (data, 4, 4);
    s_put_be (data, (uint32_t) (days_since_1970 - S_PG_EPOCH_DAYS), 4);
}

void pg_text_binary_timestamp (pg_text_t *data, int64_t unix_ms)
{
    s_put_be (data, 8, 4);
    s_put_be (data, (uint64_t) ((unix_ms - (int64_t) S_PG_EPOCH_DAYS * 86400000) * 1000), 8);
}

void pg_text_binary_end (pg_text_t *data)
{
    s_put_be (data, UINT16_MAX, 2); //  -1
}
