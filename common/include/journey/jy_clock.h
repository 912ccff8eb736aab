/*  jy_clock: the injected clock. Each daemon reads "now" once per loop turn from its clock.

    A system clock follows the real time. A simulated clock stands still at whatever it was last
    set to, so tests and the demo decide exactly which day it is (`journey clock set DATE`).
    "Today" is the local date in the process time zone; daemons set TZ to the LA's zone
    (Europe/London by default) at start.
*/
#ifndef JY_CLOCK_H_INCLUDED
#define JY_CLOCK_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "jy_date.h"

typedef struct _jy_clock_t jy_clock_t;

jy_clock_t *jy_clock_new_system (void);
//  A simulated clock starting at now_ms (milliseconds since the epoch, UTC).
jy_clock_t *jy_clock_new_simulated (int64_t now_ms);
void jy_clock_destroy (jy_clock_t **self_p);

bool jy_clock_is_simulated (jy_clock_t *self);
int64_t jy_clock_now_ms (jy_clock_t *self);
//  Local date of now.
jy_date_t jy_clock_today (jy_clock_t *self);

//  Move a simulated clock. Returns -1 on a system clock.
int jy_clock_set_ms (jy_clock_t *self, int64_t now_ms);
//  Move a simulated clock to a local date and time of day (seconds after local midnight).
int jy_clock_set_date (jy_clock_t *self, jy_date_t date, int seconds_of_day);

//  Milliseconds from now until the local date changes; for a simulated clock, -1 (it never
//  changes by itself). Poll loops use it for their timeout.
int64_t jy_clock_ms_to_next_day (jy_clock_t *self);

//  Local midnight of a date, in ms since the epoch (UTC).
int64_t jy_clock_local_midnight_ms (jy_date_t date);
//  Local date of an instant.
jy_date_t jy_clock_local_date (int64_t ms);
//  RFC 3339 UTC text of an instant: "2026-11-22T02:13:46.123Z" (25 bytes with terminator).
char *jy_clock_format_ms (int64_t ms, char *buf, size_t size);
//  Parse RFC 3339 ("2024-01-05T10:00:00Z", "...+01:00", fractional seconds allowed).
int jy_clock_parse_timestamp (const char *text, int64_t *ms);

#endif
