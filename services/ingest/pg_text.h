/*  pg_text: text (and binary COPY data) for PostgreSQL's bulk paths, built in a growable buffer.

    journey-ingestd writes COPY text, binary COPY rows and array literals (unnest'ed into one
    statement per table) from what senders sent. Every appender of a sender's text repairs text
    that is not UTF-8 (each bad byte becomes U+FFFD): PostgreSQL would refuse the whole
    statement, and with it the good events of the batch (DESIGN.md invariant 4). The raw bytes
    of every event are kept elsewhere.

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

//  --- Binary COPY (COPY ... FROM STDIN (FORMAT binary)) ------------------------------------
//  PostgreSQL's binary COPY format: a signature and header, then per row its field count and
//  each field as a big-endian length (-1: NULL) and the value's binary form, then a trailer.
//  PostgreSQL parses nothing of it (no hex bytea, no date text), and nothing needs escaping.

//  The signature and header: the start of every binary COPY stream.
void pg_text_binary_start (pg_text_t *data);
//  A row of `fields` fields, each appended next by one of the calls below.
void pg_text_binary_row (pg_text_t *data, int fields);
void pg_text_binary_null (pg_text_t *data);
void pg_text_binary_int8 (pg_text_t *data, int64_t value);
//  A sender's text, UTF-8 repaired; NULL is SQL NULL.
void pg_text_binary_text (pg_text_t *data, const char *value);
void pg_text_binary_bytes (pg_text_t *data, const uint8_t *bytes, size_t size);
//  One bytea value made of two pieces, e.g. a header and the body it frames.
void pg_text_binary_bytes2 (pg_text_t *data, const uint8_t *first, size_t first_size,
                            const uint8_t *second, size_t second_size);
//  A date given as days since 1970-01-01 (a jy_date_t).
void pg_text_binary_date (pg_text_t *data, int32_t days_since_1970);
//  A timestamptz given as milliseconds since 1970-01-01T00:00:00Z.
void pg_text_binary_timestamp (pg_text_t *data, int64_t unix_ms);
//  The trailer: the end of the stream.
void pg_text_binary_end (pg_text_t *data);

#endif
