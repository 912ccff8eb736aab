/*  builder: makes board packs on a thread of its own, so that the daemon's loop keeps answering
    Status, ClockSet and further requests while a pack for a large authority takes its seconds.

    A job says what to build (LA, period, formats, output directory) and why (a request, with
    the routing id to answer, or a schedule); the builder runs jobs one at a time, in order, on
    its own read-only connection, and hands each back with its result: the paths written and
    the headline figures, or a coded error.
*/
#ifndef RP_BUILDER_H_INCLUDED
#define RP_BUILDER_H_INCLUDED

#include "pack.h"
#include "schedule.h"

typedef struct {
    char *measure, *label, *value, *rating, *direction, *target;
} rp_headline_t;

typedef struct {
    //  What to build.
    char *la_code;
    jy_date_t from, to;
    unsigned formats; //  RP_FORMAT_* bits
    char *out_dir;
    char *out_root;     //  out_dir must resolve to a directory under it (reporting/out_root)
    char *requested_by; //  who asked, for the log
    char *via;          //  "request" or "schedule <name>"
    const rp_schedule_t *schedule; //  the schedule it was made for (the daemon's), or NULL
    int64_t now_ms;                //  the daemon's clock when asked: the pack's date
    //  Whom to answer (requests only; NULL for schedules).
    zframe_t *routing_id;
    char *message_id;
    //  The result.
    int rc;
    char code[32]; //  "db_unavailable", "build_failed", "write_failed"
    char message[512];
    zlist_t *paths; //  strings
    rp_headline_t *headlines;
    size_t headline_count;
    int64_t elapsed_ms;
} rp_job_t;

rp_job_t *rp_job_new (void);
void rp_job_destroy (rp_job_t **self_p);

//  Build and write the pack the job describes, here and now, filling in its result. The
//  builder thread runs this; so do the tests and the benchmark.
void rp_job_run (rp_job_t *job, jy_db_t *db, rp_settings_t *settings);

typedef struct _rp_builder_t rp_builder_t;

//  A builder thread with its own connection (url, retried up to wait_ms at each job until it
//  connects). settings must outlive the builder.
rp_builder_t *rp_builder_new (const char *url, long wait_ms, rp_settings_t *settings);
void rp_builder_destroy (rp_builder_t **self_p);
//  The socket to poll for finished jobs.
zsock_t *rp_builder_sock (rp_builder_t *self);
//  Queue a job (the builder takes it).
void rp_builder_submit (rp_builder_t *self, rp_job_t **job_p);
//  A finished job, once rp_builder_sock is readable (the caller takes it).
rp_job_t *rp_builder_receive (rp_builder_t *self);
//  Jobs queued or running.
size_t rp_builder_pending (rp_builder_t *self);

#endif
