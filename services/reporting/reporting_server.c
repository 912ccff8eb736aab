/*  reporting_server: journey-reportingd behind the service skeleton (reporting_server.h). */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builder.h"
#include "render.h"
#include "reporting_server.h"
#include "schedule.h"

#define S_MAX_SCHEDULES 16
#define S_MAX_PERIOD    3660 //  days: ten years is the longest pack anyone needs
#define S_PATH_MAX      4096

typedef struct {
    jy_service_t *service;
    rp_settings_t *settings;
    rp_schedules_t *schedules;
    rp_builder_t *builder;
    const char *la_code;                     //  la/code: the LA asked for when a request names none
    char out_dir[S_PATH_MAX];                //  reporting/out_dir, made absolute at start
    char out_root[S_PATH_MAX];               //  reporting/out_root (empty: out_dir), absolute
    jy_date_t scheduled_to[S_MAX_SCHEDULES]; //  the last period each schedule asked for
    bool started;                            //  day_changed has run once
    uint64_t made, failed;
    char health[256];
} s_server_t;

static char *s_strdup (const char *text)
{
    char *copy = strdup (text ? text : "");
    assert (copy);
    return copy;
}

//  A relative directory is taken from the daemon's working directory at start.
static void s_absolute (const char *path, char *out, size_t size)
{
    char cwd[S_PATH_MAX];
    if (path[0] == '/' || !getcwd (cwd, sizeof cwd))
        snprintf (out, size, "%s", path);
    else
        snprintf (out, size, "%.2000s/%.2000s", cwd, path);
}

static bool s_is_la_code (const char *text)
{
    return text && strlen (text) == 3 && isdigit ((unsigned char) text[0]) &&
           isdigit ((unsigned char) text[1]) && isdigit ((unsigned char) text[2]);
}

//  --- Answers -------------------------------------------------------------------------------

static void s_reply (s_server_t *self, zframe_t *routing_id, const char *message_id,
                     Journey__V1__ReportReply *body)
{
    jy_envelope_t reply;
    jy_envelope_init (&reply);
    reply.message_id = (char *) message_id;
    reply.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_REPORT_REPLY;
    reply.report_reply = body;
    jy_service_reply (self->service, routing_id, &reply);
}

static void s_refuse (s_server_t *self, zframe_t *routing_id, const char *message_id,
                      const char *code, const char *message)
{
    Journey__V1__ReportReply body = JOURNEY__V1__REPORT_REPLY__INIT;
    body.has_ok = true;
    body.ok = false;
    body.code = (char *) code;
    body.message = (char *) message;
    s_reply (self, routing_id, message_id, &body);
}

static void s_answer (s_server_t *self, rp_job_t *job)
{
    Journey__V1__ReportReply body = JOURNEY__V1__REPORT_REPLY__INIT;
    char from[JY_DATE_TEXT_SIZE], to[JY_DATE_TEXT_SIZE];
    body.has_ok = true;
    body.ok = job->rc == 0;
    body.code = job->rc ? job->code : NULL;
    body.message = job->rc ? job->message : NULL;
    body.from = jy_date_format (job->from, from);
    body.to = jy_date_format (job->to, to);
    body.has_elapsed_ms = true;
    body.elapsed_ms = job->elapsed_ms;
    size_t paths = zlist_size (job->paths);
    char **path_list = (char **) calloc (paths + 1, sizeof (char *));
    Journey__V1__Headline *headlines =
        (Journey__V1__Headline *) calloc (job->headline_count + 1, sizeof (Journey__V1__Headline));
    Journey__V1__Headline **headline_list = (Journey__V1__Headline **) calloc (
        job->headline_count + 1, sizeof (Journey__V1__Headline *));
    assert (path_list && headlines && headline_list);
    size_t n = 0;
    for (char *path = (char *) zlist_first (job->paths); path;
         path = (char *) zlist_next (job->paths))
        path_list[n++] = path;
    body.n_paths = n;
    body.paths = path_list;
    for (size_t i = 0; i < job->headline_count; i++) {
        Journey__V1__Headline *headline = &headlines[i];
        journey__v1__headline__init (headline);
        headline->measure = job->headlines[i].measure;
        headline->label = job->headlines[i].label;
        headline->value = job->headlines[i].value;
        headline->rating = job->headlines[i].rating;
        headline->direction = job->headlines[i].direction;
        headline->target = job->headlines[i].target;
        headline_list[i] = headline;
    }
    body.n_headlines = job->headline_count;
    body.headlines = headline_list;
    s_reply (self, job->routing_id, job->message_id, &body);
    free (path_list);
    free (headlines);
    free (headline_list);
}

static void s_finished (s_server_t *self, rp_job_t *job)
{
    if (job->schedule && job->rc == 0)
        rp_schedule_set_done (job->schedule, job->to);
    //  A scheduled pack that failed is asked for again on the next day the clock passes.
    for (size_t i = 0; job->schedule && job->rc != 0 && i < rp_schedules_count (self->schedules);
         i++)
        if (rp_schedules_get (self->schedules, i) == job->schedule &&
            self->scheduled_to[i] == job->to)
            self->scheduled_to[i] = JY_DATE_INVALID;
    if (job->rc == 0)
        self->made++;
    else
        self->failed++;
    if (job->routing_id)
        s_answer (self, job);
    rp_job_destroy (&job);
}

//  --- Requests ------------------------------------------------------------------------------

static void s_request (void *state, zframe_t *routing_id, jy_envelope_t *request, int64_t now_ms)
{
    s_server_t *self = (s_server_t *) state;
    const char *id = request->message_id;
    if (request->payload_case != JOURNEY__V1__ENVELOPE__PAYLOAD_REPORT_REQUEST) {
        jy_service_reply_error (self->service, routing_id, "not_supported",
                                "journey-reportingd answers ReportRequest, Status and ClockSet");
        return;
    }
    Journey__V1__ReportRequest *ask = request->report_request;
    char problem[512];
    //  With CURVE, only a client whose certificate says reports = "yes" (docs/security.md).
    if (jy_service_curve (self->service) &&
        !jy_security_list_has (jy_service_peer_meta (self->service, "reports"), "yes")) {
        snprintf (problem, sizeof problem,
                  "the key %.64s may not ask for reports (its certificate has no reports = "
                  "\"yes\")",
                  jy_service_peer_name (self->service));
        s_refuse (self, routing_id, id, "not_allowed", problem);
        return;
    }
    if (ask->kind && *ask->kind && strcmp (ask->kind, "board-pack") != 0) {
        snprintf (problem, sizeof problem, "kind: \"%.64s\" is not a report (board-pack)",
                  ask->kind);
        s_refuse (self, routing_id, id, "bad_request", problem);
        return;
    }
    const char *la_code = ask->la_code && *ask->la_code ? ask->la_code : self->la_code;
    if (!s_is_la_code (la_code)) {
        snprintf (problem, sizeof problem,
                  "la_code: \"%.16s\" is not a three-digit DfE LA code (and la/code is not set)",
                  la_code ? la_code : "");
        s_refuse (self, routing_id, id, "bad_request", problem);
        return;
    }
    //  A board pack is the LA's children: only a key that may read that LA (docs/security.md).
    if (!jy_service_may_read (self->service, NULL, la_code)) {
        const char *las = jy_service_peer_meta (self->service, "read_la_codes");
        if (!las)
            las = jy_service_peer_meta (self->service, "la_codes");
        snprintf (problem, sizeof problem,
                  "the key %.64s may not read LA %s's children (its certificate's read_la_codes: "
                  "%.64s)",
                  jy_service_peer_name (self->service), la_code, las && *las ? las : "none");
        s_refuse (self, routing_id, id, "la_not_allowed", problem);
        return;
    }
    jy_date_t from, to;
    if (!ask->from || jy_date_parse (ask->from, &from)) {
        s_refuse (self, routing_id, id, "bad_request", "from: a date YYYY-MM-DD is required");
        return;
    }
    if (!ask->to || jy_date_parse (ask->to, &to)) {
        s_refuse (self, routing_id, id, "bad_request", "to: a date YYYY-MM-DD is required");
        return;
    }
    if (to < from) {
        s_refuse (self, routing_id, id, "bad_request", "to: the period ends before it starts");
        return;
    }
    if (to - from >= S_MAX_PERIOD) {
        s_refuse (self, routing_id, id, "bad_request", "to: a pack covers ten years at most");
        return;
    }
    unsigned formats = 0;
    for (size_t i = 0; i < ask->n_formats; i++) {
        char why[160];
        if (rp_formats_parse (ask->formats[i], &formats, why, sizeof why)) {
            snprintf (problem, sizeof problem, "formats: %s", why);
            s_refuse (self, routing_id, id, "bad_request", problem);
            return;
        }
    }
    if (formats == 0)
        formats = RP_FORMAT_ALL;
    if (ask->out && *ask->out && ask->out[0] != '/') {
        s_refuse (self, routing_id, id, "bad_request",
                  "out: an absolute directory is required (the daemon's working directory is "
                  "not the caller's)");
        return;
    }
    //  Only under reporting/out_root, judged now (so the caller hears at once) and again when
    //  the pack is written (the directory may have changed meanwhile).
    char resolved[S_PATH_MAX], why[S_PATH_MAX];
    if (ask->out && *ask->out &&
        jy_file_dir_under (ask->out, self->out_root, false, resolved, sizeof resolved, why,
                           sizeof why)) {
        snprintf (problem, sizeof problem,
                  "out: packs are written only under reporting/out_root %.200s: %.200s",
                  self->out_root, why);
        s_refuse (self, routing_id, id, "out_not_allowed", problem);
        return;
    }
    rp_job_t *job = rp_job_new ();
    job->la_code = s_strdup (la_code);
    job->from = from;
    job->to = to;
    job->formats = formats;
    job->out_dir = s_strdup (ask->out && *ask->out ? ask->out : self->out_dir);
    job->out_root = s_strdup (self->out_root);
    job->requested_by = s_strdup (ask->requested_by);
    job->via = s_strdup ("request");
    job->now_ms = now_ms;
    job->routing_id = zframe_dup (routing_id);
    job->message_id = id ? s_strdup (id) : NULL;
    rp_builder_submit (self->builder, &job);
}

static void s_readable (void *state, zsock_t *sock, int64_t now_ms)
{
    s_server_t *self = (s_server_t *) state;
    if (sock != rp_builder_sock (self->builder))
        return;
    rp_job_t *job = rp_builder_receive (self->builder);
    if (job)
        s_finished (self, job);
}

//  --- Schedules -----------------------------------------------------------------------------

//  A pack is made when the date passes into a new period while the daemon runs, so the clock
//  drives it. At start a schedule builds the pack of the period that has just ended only when
//  its file says it had the one before (the daemon was down or killed across the period's
//  end); on a first start it notes the period, so that a demo makes no pack of data still
//  arriving (schedule.h).
static void s_day_changed (void *state, jy_date_t today, int64_t now_ms)
{
    s_server_t *self = (s_server_t *) state;
    bool starting = !self->started;
    self->started = true;
    for (size_t i = 0; i < rp_schedules_count (self->schedules); i++) {
        const rp_schedule_t *schedule = rp_schedules_get (self->schedules, i);
        jy_date_t from, to;
        rp_schedule_period (schedule->every, today, &from, &to);
        if (self->scheduled_to[i] == to)
            continue; //  asked for already (it may still be in the builder's queue)
        self->scheduled_to[i] = to;
        if (starting) {
            jy_date_t done = rp_schedule_done_to (schedule);
            if (done == JY_DATE_INVALID)
                rp_schedule_set_done (schedule, to);
            if (done == JY_DATE_INVALID || done >= to)
                continue;
        }
        if (rp_render_exists (schedule->out_dir, schedule->la_code, from, to, schedule->formats)) {
            rp_schedule_set_done (schedule, to);
            continue;
        }
        char first[JY_DATE_TEXT_SIZE], last[JY_DATE_TEXT_SIZE];
        jy_info ("schedule %s: the pack for %s to %s is due", schedule->name,
                 jy_date_format (from, first), jy_date_format (to, last));
        rp_job_t *job = rp_job_new ();
        job->la_code = s_strdup (schedule->la_code);
        job->from = from;
        job->to = to;
        job->formats = schedule->formats;
        job->out_dir = s_strdup (schedule->out_dir);
        job->out_root = s_strdup (self->out_root);
        job->requested_by = s_strdup ("journey-reportingd");
        char via[128];
        snprintf (via, sizeof via, "schedule %s", schedule->name);
        job->via = s_strdup (via);
        job->schedule = schedule;
        job->now_ms = now_ms;
        rp_builder_submit (self->builder, &job);
    }
}

//  --- Status and life ------------------------------------------------------------------------

static void s_status (void *state, Journey__V1__StatusReply *reply)
{
    s_server_t *self = (s_server_t *) state;
    snprintf (self->health, sizeof self->health,
              "%zu packs queued or being built; %llu made and %llu failed since start",
              rp_builder_pending (self->builder), (unsigned long long) self->made,
              (unsigned long long) self->failed);
    reply->message = self->health;
}

static void s_stop (void **state_p)
{
    s_server_t *self = (s_server_t *) *state_p;
    if (!self)
        return;
    //  Drain: every pack asked for is finished and answered before the builder goes.
    while (self->builder && rp_builder_pending (self->builder) > 0) {
        rp_job_t *job = rp_builder_receive (self->builder);
        if (!job)
            break;
        s_finished (self, job);
    }
    rp_builder_destroy (&self->builder);
    rp_schedules_destroy (&self->schedules);
    rp_settings_destroy (&self->settings);
    free (self);
    *state_p = NULL;
}

static void *s_start (jy_service_t *service)
{
    jy_config_t *config = jy_service_config (service);
    s_server_t *self = (s_server_t *) zmalloc (sizeof (s_server_t));
    assert (self);
    self->service = service;
    const char *url, *out_dir, *out_root;
    long wait_ms;
    if (jy_config_key_string (config, JY_KEY_LA_CODE, &self->la_code) ||
        jy_config_string (config, "database/reporting_url", "", &url) ||
        jy_config_key_int (config, JY_KEY_CONNECT_WAIT_MS, &wait_ms) ||
        jy_config_string (config, "reporting/out_dir", "", &out_dir) ||
        jy_config_string (config, "reporting/out_root", "", &out_root))
        goto bad_config;
    if (!*url) {
        jy_config_fail (config, "database/reporting_url", "no database URL configured");
        goto bad_config;
    }
    char default_dir[S_PATH_MAX];
    const char *var_dir = getenv ("JOURNEY_VAR_DIR");
    if (!*out_dir) {
        snprintf (default_dir, sizeof default_dir, "%.4000s/out",
                  var_dir && *var_dir ? var_dir : "var");
        out_dir = default_dir;
    }
    s_absolute (out_dir, self->out_dir, sizeof self->out_dir);
    s_absolute (*out_root ? out_root : out_dir, self->out_root, sizeof self->out_root);
    char resolved[S_PATH_MAX], why[S_PATH_MAX];
    if (jy_file_dir_under (self->out_dir, self->out_root, false, resolved, sizeof resolved, why,
                           sizeof why)) {
        jy_config_fail (config, "reporting/out_dir", "%s (reporting/out_root)", why);
        goto bad_config;
    }
    self->settings = rp_settings_new (config);
    if (!self->settings)
        goto bad_config;
    self->schedules = rp_schedules_new (config, self->out_dir, self->out_root, self->la_code);
    if (!self->schedules)
        goto bad_config;
    assert (rp_schedules_count (self->schedules) <= S_MAX_SCHEDULES);
    self->builder = rp_builder_new (url, wait_ms, self->settings);
    if (jy_service_watch (service, rp_builder_sock (self->builder)) != 0) {
        jy_error ("cannot watch the builder thread");
        void *state = self;
        s_stop (&state);
        return NULL;
    }
    for (size_t i = 0; i < rp_schedules_count (self->schedules); i++) {
        const rp_schedule_t *schedule = rp_schedules_get (self->schedules, i);
        jy_info ("schedule %s: every %s, into %s", schedule->name,
                 schedule->every == RP_EVERY_QUARTER ? "quarter" : "month", schedule->out_dir);
    }
    jy_info ("board packs into %s by default, and only under %s; counts under %ld suppressed",
             self->out_dir, self->out_root, rp_settings_suppress_below (self->settings));
    return self;

bad_config:
    jy_error ("%s", jy_config_error (config));
    void *state = self;
    s_stop (&state);
    return NULL;
}

const jy_service_def_t *reporting_server_def (void)
{
    static const jy_service_def_t def = {
        .name = "reporting",
        .program = "journey-reportingd",
        .start = s_start,
        .stop = s_stop,
        .request = s_request,
        .status = s_status,
        .day_changed = s_day_changed,
        .readable = s_readable,
    };
    return &def;
}
