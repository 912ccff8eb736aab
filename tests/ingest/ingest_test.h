/*  What the ingest tests share: parsing test events and lists of text lines. */
#ifndef JOURNEY_INGEST_TEST_H_INCLUDED
#define JOURNEY_INGEST_TEST_H_INCLUDED

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "journey/journey.h"

//  An event from a JSON line written in a test (a typo in the test aborts it).
static inline Journey__V1__Event *it_parse (const char *line)
{
    char err[256];
    Journey__V1__Event *event = jy_json_parse_event (line, strlen (line), err, sizeof err);
    if (!event) {
        fprintf (stderr, "bad test event: %s: %s\n", err, line);
        abort ();
    }
    return event;
}

//  A growing list of malloc'd lines.
typedef struct {
    char **lines;
    size_t count, capacity;
} it_list_t;

static inline void it_list_add (it_list_t *list, char *line)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 64;
        list->lines = (char **) realloc (list->lines, list->capacity * sizeof (char *));
        if (!list->lines)
            abort ();
    }
    list->lines[list->count++] = line;
}

static inline void it_list_free (it_list_t *list)
{
    for (size_t i = 0; i < list->count; i++)
        free (list->lines[i]);
    free (list->lines);
    memset (list, 0, sizeof *list);
}

static inline int it_compare_lines (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

static inline void it_list_sort (it_list_t *list)
{
    qsort (list->lines, list->count, sizeof (char *), it_compare_lines);
}

#endif
