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

static void s_put_text (pg_text_t *text, const char *value, s_escape_t escape)
{
    const unsigned char *p = (const unsigned char *) value;
    while (*p) {
        size_t length = s_utf8_length (p);
        if (length == 0) {
            pg_text_put (text, "\xEF\xBF\xBD", 3);
            p++;
        } else if (length > 1) {
            pg_text_put (text, p, length);
            p += length;
        } else {
            char c = (char) *p++;
            if (escape == S_COPY && (c == '\\' || c == '\t' || c == '\n' || c == '\r')) {
                char pair[2] = {'\\', c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c};
                pg_text_put (text, pair, 2);
            } else if (escape == S_ARRAY && (c == '\\' || c == '"')) {
                char pair[2] = {'\\', c};
                pg_text_put (text, pair, 2);
            } else
                pg_text_put (text, &c, 1);
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
