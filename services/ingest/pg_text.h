/*  pg_text: text for PostgreSQL's bulk paths, built in a growable buffer.

    journey-ingestd writes COPY text and array literals (unnest'ed into one statement per table)
    from what senders sent. Every appender here repairs text that is not UTF-8 (each bad byte
    becomes U+FFFD): PostgreSQL would refuse the whole statement, and with it the good events of
    the batch (DESIGN.md invariant 4). The raw bytes of every event are kept elsewhere.

    The buffer is a plain struct, like PostgreSQL's StringInfoData, so that arrays of them can
    live inside other structs; zero-initialised it is empty. data is always NUL-terminated once
    anything was appended.
*/
#ifndef JOURNEY_INGEST_PG_TEXT_H_INCLUDED
#define JOURNEY_INGEST_PG_TEXT_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct {
    char *data;
    size_t size, capacity;
} pg_text_t;

void pg_text_free (pg_text_t *text);
//  Room for more bytes (and the terminator) without another allocation.
void pg_text_reserve (pg_text_t *text, size_t more);
void pg_text_put (pg_text_t *text, const void *data, size_t size);
void pg_text_str (pg_text_t *text, const char *string);
void pg_text_printf (pg_text_t *text, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));
//  Bytes as lower-case hex digits.
void pg_text_hex (pg_text_t *text, const uint8_t *data, size_t size);

//  A sender's text, UTF-8 repaired, not escaped (for a parameter).
void pg_text_plain (pg_text_t *text, const char *value);
//  One field of a COPY text row: \N for NULL, else the value repaired and with \, tab, newline
//  and carriage return escaped; then a tab, or a newline after the last field.
void pg_text_copy_field (pg_text_t *text, const char *value, bool last);
//  One element of an array literal whose "{" is already written: NULL bare, else the value
//  repaired, quoted, with " and \ escaped (so commas, braces and the word NULL stay data).
void pg_text_array_element (pg_text_t *array, const char *value);
//  One bytea element of an array literal, as hex input.
void pg_text_array_bytes (pg_text_t *array, const uint8_t *data, size_t size);

#endif
