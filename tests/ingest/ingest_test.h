/*  What the ingest tests share: parsing test events and lists of text lines. */
#ifndef JOURNEY_INGEST_TEST_H_INCLUDED
#define JOURNEY_INGEST_TEST_H_INCLUDED

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "journey/journey.h"
#include "case_store.h"

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

//  Apply an event line to the store as the daemon does: packed, hashed, then applied.
static inline int it_apply (case_store_t *store, const char *line)
{
    Journey__V1__Event *event = it_parse (line);
    size_t size = journey__v1__event__get_packed_size (event);
    uint8_t *packed = (uint8_t *) malloc (size + 1);
    if (!packed)
        abort ();
    journey__v1__event__pack (event, packed);
    uint8_t hash[CASE_HASH_SIZE];
    crypto_hash_sha256 (hash, packed, size);
    int rc = case_store_apply (store, event, packed, size, hash);
    free (packed);
    journey__v1__event__free_unpacked (event, NULL);
    return rc;
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
