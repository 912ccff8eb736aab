/*  builder: board packs on a thread of their own (builder.h). */
#include <string.h>

#include "builder.h"
#include "jy_handoff.h"
#include "render.h"

struct _rp_builder_t {
    zactor_t *actor;
    size_t pending;
};

//  What the builder thread owns.
typedef struct {
    jy_db_t *db;
    long wait_ms;
    bool connected; //  once: the holidays are loaded then
    rp_settings_t *settings;
} s_thread_t;

rp_job_t *rp_job_new (void)
{
    rp_job_t *self = (rp_job_t *) zmalloc (sizeof (rp_job_t));
    assert (self);
    self->paths = zlist_new ();
    assert (self->paths);
    zlist_autofree (self->paths);
    return self;
}

void rp_job_destroy (rp_job_t **self_p)
{
    assert (self_p);
    rp_job_t *self = *self_p;
    if (!self)
        return;
    free (self->la_code);
    free (self->out_dir);
    free (self->out_root);
    free (self->requested_by);
    free (self->via);
    free (self->message_id);
    zframe_destroy (&self->routing_id);
    zlist_destroy (&self->paths);
    for (size_t i = 0; i < self->headline_count; i++) {
        rp_headline_t *headline = &self->headlines[i];
        free (headline->measure);
        free (headline->label);
        free (headline->value);
        free (headline->rating);
        free (headline->direction);
        free (headline->target);
    }
    free (self->headlines);
    free (self);
    *self_p = NULL;
}

static char *s_strdup (const char *text)
{
    char *copy = strdup (text ? text : "");
    assert (copy);
    return copy;
}

static void s_fail (rp_job_t *job, const char *code, const char *message)
{
    job->rc = -1;
    snprintf (job->code, sizeof job->code, "%s", code);
    snprintf (job->message, sizeof job->message, "%s", message);
}

//  Every measure as a headline: what `journey report` prints and a caller can act on.
static void s_headlines (rp_job_t *job, rp_pack_t *pack)
{
    size_t count = rp_pack_measure_count (pack);
    job->headlines = (rp_headline_t *) calloc (count ? count : 1, sizeof (rp_headline_t));
    assert (job->headlines);
    for (size_t i = 0; i < count; i++) {
        const rp_measure_t *measure = rp_pack_measure (pack, i);
        rp_headline_t *headline = &job->headlines[job->headline_count++];
        char value[128], target[64] = "";
        rp_format_value (pack, measure->def, &measure->current, value, sizeof value);
        if (measure->has_target)
            rp_format_number (measure->def->unit, measure->target, target, sizeof target);
        headline->measure = s_strdup (measure->def->name);
        headline->label = s_strdup (measure->def->label);
        headline->value = s_strdup (value);
        headline->rating = s_strdup (rp_rating_text (measure->rating));
        headline->direction = s_strdup (rp_direction_name (measure->direction));
        headline->target = s_strdup (target);
    }
}

void rp_job_run (rp_job_t *job, jy_db_t *db, rp_settings_t *settings)
{
    int64_t started = zclock_mono ();
    char error[512];
    job->rc = 0;
    if (jy_db_ensure (db)) {
        s_fail (job, "db_unavailable", jy_db_error (db));
        return;
    }
    rp_pack_t *pack = rp_pack_build (db, settings, job->la_code, job->from, job->to, job->now_ms,
                                     error, sizeof error);
    //  A connection that PostgreSQL dropped while the builder was idle (a restart between two
    //  quarters) looks healthy until its first query fails: reconnect and build once more.
    if (!pack && strncmp (jy_db_sqlstate (db), "08", 2) == 0 && jy_db_ensure (db) == 0)
        pack = rp_pack_build (db, settings, job->la_code, job->from, job->to, job->now_ms, error,
                              sizeof error);
    if (!pack) {
        s_fail (job, jy_db_ok (db) ? "build_failed" : "db_unavailable", error);
        jy_error ("board pack for LA %s failed: %s", job->la_code, error);
        return;
    }
    if (rp_render_write (pack, job->formats, job->out_dir, job->out_root, job->paths, error,
                         sizeof error)) {
        s_fail (job, "write_failed", error);
        jy_error ("board pack for LA %s not written: %s", job->la_code, error);
    } else
        s_headlines (job, pack);
    rp_pack_destroy (&pack);
    job->elapsed_ms = zclock_mono () - started;
}

static void s_log_done (rp_job_t *job)
{
    if (job->rc)
        return;
    //  The reporting role cannot write (DESIGN.md), so the record of every pack made is this
    //  log line: who asked, for what, and where it went.
    char from[JY_DATE_TEXT_SIZE], to[JY_DATE_TEXT_SIZE];
    const char *first = (const char *) zlist_first (job->paths);
    jy_notice ("board pack made: LA %s %s to %s via %s for %s in %lld ms: %zu files, first %s",
               job->la_code, jy_date_format (job->from, from), jy_date_format (job->to, to),
               job->via ? job->via : "request",
               job->requested_by && *job->requested_by ? job->requested_by : "(not said)",
               (long long) job->elapsed_ms, zlist_size (job->paths), first ? first : "-");
}

static void s_actor (zsock_t *pipe, void *args)
{
    s_thread_t *self = (s_thread_t *) args;
    zsock_signal (pipe, 0);
    while (true) {
        char *command = NULL;
        void *pointer = NULL;
        if (zsock_recv (pipe, "sp", &command, &pointer) == -1)
            break;
        bool stop = !command || streq (command, "$TERM");
        free (command);
        if (stop)
            break;
        rp_job_t *job = (rp_job_t *) pointer;
        jy_handoff_take (job);
        if (!self->connected) {
            if (jy_db_connect (self->db, self->wait_ms) == 0) {
                self->connected = true;
                if (rp_settings_load_holidays (self->settings, self->db))
                    jy_warning ("imported bank holidays not loaded: %s", jy_db_error (self->db));
            }
        }
        if (self->connected)
            rp_job_run (job, self->db, self->settings);
        else
            s_fail (job, "db_unavailable", jy_db_error (self->db));
        s_log_done (job);
        jy_handoff_give (job);
        zsock_send (pipe, "p", job);
    }
    jy_db_destroy (&self->db);
    free (self);
}

rp_builder_t *rp_builder_new (const char *url, long wait_ms, rp_settings_t *settings)
{
    rp_builder_t *self = (rp_builder_t *) zmalloc (sizeof (rp_builder_t));
    assert (self);
    s_thread_t *thread = (s_thread_t *) zmalloc (sizeof (s_thread_t));
    assert (thread);
    thread->db = jy_db_new (url);
    jy_db_set_application_name (thread->db, "journey-reportingd");
    thread->wait_ms = wait_ms;
    thread->settings = settings;
    self->actor = zactor_new (s_actor, thread);
    assert (self->actor);
    return self;
}

void rp_builder_destroy (rp_builder_t **self_p)
{
    assert (self_p);
    rp_builder_t *self = *self_p;
    if (!self)
        return;
    //  The caller has received every job it submitted (rp_builder_pending is 0), so the
    //  thread is idle and stops at once.
    zactor_destroy (&self->actor);
    free (self);
    *self_p = NULL;
}

zsock_t *rp_builder_sock (rp_builder_t *self)
{
    return zactor_sock (self->actor);
}

void rp_builder_submit (rp_builder_t *self, rp_job_t **job_p)
{
    assert (job_p && *job_p);
    jy_handoff_give (*job_p);
    zsock_send (self->actor, "sp", "JOB", *job_p);
    self->pending++;
    *job_p = NULL;
}

rp_job_t *rp_builder_receive (rp_builder_t *self)
{
    void *pointer = NULL;
    if (zsock_recv (self->actor, "p", &pointer) == -1)
        return NULL;
    if (pointer) {
        jy_handoff_take (pointer);
        self->pending--;
    }
    return (rp_job_t *) pointer;
}

size_t rp_builder_pending (rp_builder_t *self)
{
    return self->pending;
}
