/*  What the fuzz targets share: a property check that aborts (libFuzzer keeps the input as a
    crash), and the input as a C string for parsers that take one.
*/
#ifndef JOURNEY_FUZZ_H_INCLUDED
#define JOURNEY_FUZZ_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  A property every input must keep, e.g. that text parsed and formatted reads back the same.
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf (stderr, "%s:%d: FUZZ_CHECK failed: %s: ", __FILE__, __LINE__, #cond);         \
            fprintf (stderr, __VA_ARGS__);                                                         \
            fputc ('\n', stderr);                                                                  \
            abort ();                                                                              \
        }                                                                                          \
    } while (0)

//  The input with a terminator (malloc'd: ASan sees a read past it). An embedded NUL ends the
//  text early, as it would for the C string the parser gets in real use.
static inline char *fuzz_text (const uint8_t *data, size_t size)
{
    char *text = (char *) malloc (size + 1);
    if (!text)
        abort ();
    if (size)
        memcpy (text, data, size);
    text[size] = '\0';
    return text;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#endif
