/*  jy_sql_text: what bulk statements are made of, built in a growable buffer.

    Writes go to PostgreSQL as array literals unnest'ed into one statement per table, as COPY
    text, or as binary COPY data; a statement's text may be built here too. Every appender of
    text repairs text that is not UTF-8 (each bad byte becomes U+FFFD): PostgreSQL would refuse
    the whole statement, and with it the good rows (a sender's text reaches here in
    journey-ingestd, DESIGN.md invariant 4). Valid UTF-8 goes in unchanged.

    The buffer is a plain struct, like PostgreSQL's StringInfoData, so that arrays of them can
    live inside other structs; zero-initialised it is empty. data is always NUL-terminated once
    anything was appended. Running out of memory aborts.
*/
#ifndef JY_SQL_TEXT_H_INCLUDED
#define JY_SQL_TEXT_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jy_date.h"

typedef struct {
    char *data;
    size_t size, capacity;
} jy_sql_text_t;

void jy_sql_text_free (jy_sql_text_t *self);
//  Empty again, keeping the memory.
void jy_sql_text_reset (jy_sql_text_t *self);
//  Room for more bytes (and the terminator) without another allocation.
void jy_sql_text_reserve (jy_sql_text_t *self, size_t more);
void jy_sql_text_put (jy_sql_text_t *self, const void *data, size_t size);
void jy_sql_text_str (jy_sql_text_t *self, const char *string);
void jy_sql_text_printf (jy_sql_text_t *self, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));
//  Bytes as lower-case hex digits.
void jy_sql_text_hex (jy_sql_text_t *self, const uint8_t *data, size_t size);
//  Text, UTF-8 repaired, not escaped (for a parameter).
void jy_sql_text_plain (jy_sql_text_t *self, const char *value);

//  --- Array literals: open (empties the buffer and writes "{"), add elements (commas are
//  added), close with "}".
void jy_sql_text_array_open (jy_sql_text_t *self);
void jy_sql_text_array_close (jy_sql_text_t *self);
//  Text, repaired, quoted, with " and \ escaped (so commas, braces and the word NULL stay
//  data); NULL bare.
void jy_sql_text_array_text (jy_sql_text_t *self, const char *value);
//  bytea, as hex input.
void jy_sql_text_array_bytes (jy_sql_text_t *self, const uint8_t *data, size_t size);
//  A date as YYYY-MM-DD; JY_DATE_INVALID as NULL.
void jy_sql_text_array_date (jy_sql_text_t *self, jy_date_t value);
void jy_sql_text_array_int (jy_sql_text_t *self, int64_t value);
//  An int that is NULL when has is false.
void jy_sql_text_array_int_or_null (jy_sql_text_t *self, bool has, int64_t value);
void jy_sql_text_array_bool (jy_sql_text_t *self, bool value);

//  --- COPY text rows: fields separated by tabs, the last followed by a newline.
//  Text, repaired, with \, tab, newline and carriage return escaped; NULL as \N.
void jy_sql_text_copy_text (jy_sql_text_t *self, const char *value, bool last);
//  JY_DATE_INVALID as \N.
void jy_sql_text_copy_date (jy_sql_text_t *self, jy_date_t value, bool last);
void jy_sql_text_copy_int (jy_sql_text_t *self, int64_t value, bool last);
//  bytea as hex input (\\x...).
void jy_sql_text_copy_bytes (jy_sql_text_t *self, const uint8_t *data, size_t size, bool last);

//  --- Binary COPY (COPY ... FROM STDIN (FORMAT binary)) ------------------------------------
//  PostgreSQL's binary COPY format: a signature and header, then per row its field count and
//  each field as a big-endian length (-1: NULL) and the value's binary form, then a trailer.
//  PostgreSQL parses nothing of it (no hex bytea, no date text), and nothing needs escaping.

//  The signature and header: the start of every binary COPY stream.
void jy_sql_text_binary_start (jy_sql_text_t *self);
//  A row of `fields` fields, each appended next by one of the calls below.
void jy_sql_text_binary_row (jy_sql_text_t *self, int fields);
void jy_sql_text_binary_null (jy_sql_text_t *self);
void jy_sql_text_binary_int8 (jy_sql_text_t *self, int64_t value);
//  Text, UTF-8 repaired; NULL is SQL NULL.
void jy_sql_text_binary_text (jy_sql_text_t *self, const char *value);
void jy_sql_text_binary_bytes (jy_sql_text_t *self, const uint8_t *bytes, size_t size);
//  One bytea value made of two pieces, e.g. a header and the body it frames.
void jy_sql_text_binary_bytes2 (jy_sql_text_t *self, const uint8_t *first, size_t first_size,
                                const uint8_t *second, size_t second_size);
//  A date (days since 1970-01-01).
void jy_sql_text_binary_date (jy_sql_text_t *self, jy_date_t value);
//  A timestamptz given as milliseconds since 1970-01-01T00:00:00Z.
void jy_sql_text_binary_timestamp (jy_sql_text_t *self, int64_t unix_ms);
//  The trailer: the end of the stream.
void jy_sql_text_binary_end (jy_sql_text_t *self);

#endif
