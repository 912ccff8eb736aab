/*  schedule: board packs made without anyone asking, from configuration.

        reporting
            schedules
                quarterly
                    every = "quarter"           #   or "month"
                    formats = "html,csv,json"
                    out_dir = ""                #   default reporting/out_dir
                    la_code = ""                #   default la/code

    A schedule's period, for a given today, is the latest whole period that ended before today
    (the last calendar quarter or month). The daemon looks at every change of date (midnight, or
    ClockSet on a simulated clock): when the period has moved on since it last looked, it builds
    the pack for the one that ended, unless that pack is already in the output directory. At
    start it only notes the period, so a restart does not make a pack twice and a demo does not
    make one of data still arriving; a pack missed while the daemon was down across a period's
    end is asked for with `journey report board-pack`.
*/
#ifndef RP_SCHEDULE_H_INCLUDED
#define RP_SCHEDULE_H_INCLUDED

#include "journey/journey.h"

typedef enum {
    RP_EVERY_MONTH,
    RP_EVERY_QUARTER,
} rp_every_t;

typedef struct {
    const char *name;
    rp_every_t every;
    unsigned formats; //  RP_FORMAT_* bits
    const char *out_dir;
    const char *la_code;
} rp_schedule_t;

typedef struct _rp_schedules_t rp_schedules_t;

//  Every reporting/schedules/<name>; out_dir_default and la_code_default fill what a schedule
//  leaves empty. NULL with jy_config_error naming the key when one is wrong.
rp_schedules_t *rp_schedules_new (jy_config_t *config, const char *out_dir_default,
                                  const char *la_code_default);
void rp_schedules_destroy (rp_schedules_t **self_p);

size_t rp_schedules_count (rp_schedules_t *self);
const rp_schedule_t *rp_schedules_get (rp_schedules_t *self, size_t index);

//  The latest whole period (month or quarter) that ended before today.
void rp_schedule_period (rp_every_t every, jy_date_t today, jy_date_t *from, jy_date_t *to);

#endif
