/*  jy_sql_text: array literals, COPY text and binary COPY as PostgreSQL reads them, with text
    that is not UTF-8 repaired (each bad byte becomes U+FFFD). No database: what PostgreSQL makes
    of the same text is checked by unit.db and the ingest and timeliness tests.
*/
#include <stdio.h>
#include <string.h>

#include "journey/journey.h"
#include "jy_test.h"

static void s_test_arrays (void)
{
    jy_sql_text_t array = {0};
    jy_sql_text_array_open (&array);
    jy_sql_text_array_close (&array);
    CHECK_STR (array.data, "{}");

    //  Opening again empties the buffer; commas only between elements.
    jy_sql_text_array_open (&array);
    jy_sql_text_array_text (&array, "a,b");
    jy_sql_text_array_text (&array, NULL);
    jy_sql_text_array_text (&array, "NULL");
    jy_sql_text_array_text (&array, "say \"hi\" \\ {x}");
    jy_sql_text_array_text (&array, "bad \xff byte");
    jy_sql_text_array_close (&array);
    CHECK_STR (array.data,
               "{\"a,b\",NULL,\"NULL\",\"say \\\"hi\\\" \\\\ {x}\",\"bad \xEF\xBF\xBD byte\"}");

    jy_sql_text_array_open (&array);
    jy_sql_text_array_date (&array, D ("2026-03-01"));
    jy_sql_text_array_date (&array, JY_DATE_INVALID);
    jy_sql_text_array_int (&array, -42);
    jy_sql_text_array_int_or_null (&array, false, 7);
    jy_sql_text_array_int_or_null (&array, true, 7);
    jy_sql_text_array_bool (&array, true);
    jy_sql_text_array_bool (&array, false);
    const uint8_t bytes[2] = {0x00, 0xAB};
    jy_sql_text_array_bytes (&array, bytes, sizeof bytes);
    jy_sql_text_array_close (&array);
    CHECK_STR (array.data, "{2026-03-01,NULL,-42,NULL,7,t,f,\"\\\\x00ab\"}");
    CHECK_INT (array.size, strlen (array.data));
    jy_sql_text_free (&array);
    CHECK (array.data == NULL && array.size == 0 && array.capacity == 0);
}

static void s_test_copy (void)
{
    jy_sql_text_t row = {0};
    const uint8_t bytes[1] = {0x1F};
    jy_sql_text_copy_text (&row, "tab\there\\ new\nline\r", false);
    jy_sql_text_copy_text (&row, NULL, false);
    jy_sql_text_copy_date (&row, D ("2027-01-31"), false);
    jy_sql_text_copy_date (&row, JY_DATE_INVALID, false);
    jy_sql_text_copy_int (&row, 12345678901LL, false);
    jy_sql_text_copy_bytes (&row, bytes, sizeof bytes, false);
    jy_sql_text_copy_text (&row, "\xc3\x28", true); //  a lead byte without its continuation
    CHECK_STR (row.data, "tab\\there\\\\ new\\nline\\r\t\\N\t2027-01-31\t\\N\t12345678901\t"
                         "\\\\x1f\t\xEF\xBF\xBD(\n");

    jy_sql_text_reset (&row);
    CHECK_INT (row.size, 0);
    CHECK_STR (row.data, "");
    jy_sql_text_printf (&row, "%s-%d", "n", 5);
    jy_sql_text_plain (&row, " \xe2\x82\xac\xed\xa0\x80"); //  a euro sign, then a surrogate
    CHECK_STR (row.data, "n-5 \xe2\x82\xac\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    jy_sql_text_free (&row);
}

static void s_test_binary (void)
{
    jy_sql_text_t data = {0};
    jy_sql_text_binary_start (&data);
    CHECK_INT (data.size, 19);
    CHECK (memcmp (data.data, "PGCOPY\n\377\r\n\0", 11) == 0);
    jy_sql_text_binary_row (&data, 4);
    jy_sql_text_binary_date (&data, D ("2000-01-02"));    //  day 1 of PostgreSQL's epoch
    jy_sql_text_binary_timestamp (&data, 946684800001LL); //  2000-01-01T00:00:00.001Z
    jy_sql_text_binary_text (&data, "a\xff");
    jy_sql_text_binary_null (&data);
    jy_sql_text_binary_end (&data);
    static const uint8_t expected[] = {
        0,    4,                                    //  fields
        0,    0,    0,    4,    0,   0,    0,    1, //  date
        0,    0,    0,    8,    0,   0,    0,    0,
        0,    0,    3,    0xE8,                        //  timestamp: 1000 microseconds
        0,    0,    0,    4,    'a', 0xEF, 0xBF, 0xBD, //  text, repaired, its length after repair
        0xFF, 0xFF, 0xFF, 0xFF,                        //  NULL
        0xFF, 0xFF};                                   //  trailer
    CHECK_INT (data.size, 19 + sizeof expected);
    CHECK (data.size == 19 + sizeof expected &&
           memcmp (data.data + 19, expected, sizeof expected) == 0);
    jy_sql_text_free (&data);
}

int main (void)
{
    s_test_arrays ();
    s_test_copy ();
    s_test_binary ();
    return jy_test_summary ("test_sql_text");
}
