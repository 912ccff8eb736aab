/*  generator: a synthetic local authority's children's social care history, as the JSON lines
    `journey push` reads (docs/events.md), for demos, tests and benchmarks.

    Deterministic: the same parameters give byte-identical output on any machine. Nothing reads
    the clock; the history covers the `years` years up to `end`. Each child is simulated from its
    own random stream (seed, child number), so a child's history does not depend on the others.
    The journey proportions and timescales are one table at the top of generator.c.
*/
#ifndef JOURNEY_GENERATOR_H_INCLUDED
#define JOURNEY_GENERATOR_H_INCLUDED

#include <stdint.h>
#include <stdio.h>

#include "journey/journey.h"

#define GENERATOR_MAX_CHILDREN 10000000
#define GENERATOR_MAX_YEARS    20

typedef struct {
    char la_code[4];   //  three digits
    uint32_t children; //  1..GENERATOR_MAX_CHILDREN
    int years;         //  1..GENERATOR_MAX_YEARS
    uint64_t seed;
    jy_date_t end; //  last day of the history; generator_end_valid() says which are supported
} generator_params_t;

typedef struct _generator_t generator_t;

//  The params must be valid (checked by the caller; asserted here).
generator_t *generator_new (const generator_params_t *params);
void generator_destroy (generator_t **self_p);

//  True when a history of `years` years can end on `end` (both inside the calendar's range,
//  with room for the children's dates of birth and later milestones).
bool generator_end_valid (jy_date_t end, int years);

//  Write the whole history to out, one event per line, sorted by occurred_on then recorded_at.
//  Returns 0, or -1 when writing fails (errno set by stdio).
int generator_write (generator_t *self, FILE *out);

//  After generator_write: events written, and children registered within the history.
uint64_t generator_event_count (generator_t *self);

#endif
