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
    the pack for the one that ended, unless that pack is already in the output directory.

    Each schedule remembers the last period it has a pack for in its output directory
    (`.schedule-<name>-<la_code>`, one date: the period's last day), because reportingd may
    not write the database. At start, with no such file (a first start, a demo), it only notes
    the period, so that no pack is made of data still arriving. With one naming an earlier
    period, the daemon was down, or killed before the pack was built, when the period ended:
    it builds that pack now. A pack for an older period missed while it was down is asked for
    with `journey report board-pack`.
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
    unsigned formats;     //  RP_FORMAT_* bits
    const char *out_dir;  //  absolute
    const char *out_root; //  out_dir lies under it (reporting/out_root); NULL: out_dir itself
    const char *la_code;
} rp_schedule_t;

typedef struct _rp_schedules_t rp_schedules_t;

//  Every reporting/schedules/<name>; out_dir_default and la_code_default fill what a schedule
//  leaves empty. NULL with jy_config_error naming the key when one is wrong, also when a
//  schedule's directory does not resolve to one under out_root (which must outlive them).
rp_schedules_t *rp_schedules_new (jy_config_t *config, const char *out_dir_default,
                                  const char *out_root, const char *la_code_default);
void rp_schedules_destroy (rp_schedules_t **self_p);

size_t rp_schedules_count (rp_schedules_t *self);
const rp_schedule_t *rp_schedules_get (rp_schedules_t *self, size_t index);

//  The last day of the latest period the schedule has its pack for (from its file), or
//  JY_DATE_INVALID when it has none yet.
jy_date_t rp_schedule_done_to (const rp_schedule_t *schedule);
//  Records that the schedule has its pack for the period ending `to` (written to a temporary
//  file and renamed over the old one), unless it records a later period already: a pack of an
//  earlier period finishing after the date moved on does not take the record back. 0, or -1
//  with a warning logged.
int rp_schedule_set_done (const rp_schedule_t *schedule, jy_date_t to);

//  The latest whole period (month or quarter) that ended before today.
void rp_schedule_period (rp_every_t every, jy_date_t today, jy_date_t *from, jy_date_t *to);

#endif
