/*  jy_service: the shared skeleton of every Journey daemon (see jy_service.h). */
#include "journey.h"
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

struct _jy_service_t {
    const jy_service_def_t *def;
    jy_config_t *config;
    jy_clock_t *clock;
    char *endpoint;    //  request endpoint, from <name>/request
    long hwm;          //  request socket high-water marks
    long frame_cap;    //  largest request frame unpacked
    long unpack_cap;   //  most bytes unpacking one request may allocate
    char *la_code;     //  the LA this deployment serves, for Status
    zsock_t *request;  //  ROUTER
    zpoller_t *poller; //  owned by the actor loop
    void *state;       //  the service's own
    int64_t started_at_ms;
    jy_date_t today;
    bool clock_moved; //  a ClockSet arrived: take the next turn at once
    uint64_t bad_requests;
    jy_security_t *security;        //  CURVE and zauth (security/curve), the process's
    const jy_security_peer_t *peer; //  the client of the request being handled (CURVE only)
    int64_t refreshed_at;           //  monotonic ms when clients_dir was last looked at
};

//  An unpack that allocated this much is followed by malloc_trim.
#define S_TRIM_AFTER_BYTES (4 * 1024 * 1024)

static void s_usage (const jy_service_def_t *def, FILE *out)
{
    fprintf (
        out,
        "usage: %s [-c FILE] [--simulated-clock [--date YYYY-MM-DD]]\n"
        "  -c, --config FILE    deployment configuration over the defaults (also JOURNEY_CONFIG)\n"
        "  --simulated-clock    run on a simulated clock that `journey clock set DATE` moves\n"
        "  --date YYYY-MM-DD    the simulated clock's first date (default: today)\n"
        "  --version            print the version\n",
        def->program);
}

//  Apply configuration that shapes the process: log level, time zone, clock, socket settings.
//  Returns 0, or -1 having printed what is wrong (the key and where it came from).
static int s_configure (jy_service_t *self, bool simulated, const char *start_date)
{
    static const char *const levels[] = {"debug", "info", "notice", "warning", "error", NULL};
    static const char *const modes[] = {"system", "simulated", NULL};
    const jy_service_def_t *def = self->def;
    jy_config_t *config = self->config;
    int level, mode;
    const char *timezone, *endpoint, *la_code;
    char key[128];

    if (jy_config_choice (config, "log/level", levels, JY_LOG_INFO, &level))
        goto bad;
    jy_log_init (def->program, (jy_log_level_t) level);

    if (jy_config_key_string (config, JY_KEY_LA_TIMEZONE, &timezone))
        goto bad;
    char zonefile[256];
    snprintf (zonefile, sizeof zonefile, "/usr/share/zoneinfo/%s", timezone);
    if (strstr (timezone, "..") || access (zonefile, R_OK) != 0) {
        jy_config_fail (config, "la/timezone",
                        "\"%s\" is not a time zone (see /usr/share/zoneinfo)", timezone);
        goto bad;
    }
    setenv ("TZ", timezone, 1);
    tzset ();

    if (jy_config_key_string (config, JY_KEY_LA_CODE, &la_code))
        goto bad;
    self->la_code = strdup (la_code);
    assert (self->la_code);

    snprintf (key, sizeof key, "%s/request", def->name);
    if (jy_config_string (config, key, NULL, &endpoint))
        goto bad;
    if (!endpoint || !*endpoint) {
        jy_config_fail (config, key, "no request endpoint configured");
        goto bad;
    }
    self->endpoint = strdup (endpoint);
    assert (self->endpoint);
    snprintf (key, sizeof key, "%s/request_hwm", def->name);
    if (jy_config_int (config, key, 1000, 1, 1000000, &self->hwm))
        goto bad;
    snprintf (key, sizeof key, "%s/max_frame_bytes", def->name);
    if (jy_config_int (config, key,
                       def->max_frame_bytes ? def->max_frame_bytes : JY_WIRE_REQUEST_CAP, 1024,
                       256L * 1024 * 1024, &self->frame_cap))
        goto bad;
    snprintf (key, sizeof key, "%s/max_unpack_bytes", def->name);
    if (jy_config_int (config, key, (long) jy_wire_default_budget ((size_t) self->frame_cap), 4096,
                       4L * 1024 * 1024 * 1024, &self->unpack_cap))
        goto bad;
    self->security = jy_security_new (config, JY_SECURITY_SERVER);
    if (!self->security)
        goto bad;
    if (!jy_security_curve (self->security) && strncmp (endpoint, "tcp://", 6) == 0 &&
        strncmp (endpoint, "tcp://127.", 10) != 0 &&
        strncmp (endpoint, "tcp://localhost:", 16) != 0 &&
        strncmp (endpoint, "tcp://[::1]:", 12) != 0)
        jy_warning ("%s/request: %s may be reachable from other machines, and CURVE is off "
                    "(security/curve = 0): anyone who reaches it is served (docs/security.md)",
                    def->name, endpoint);

    if (jy_config_choice (config, "clock/mode", modes, 0, &mode))
        goto bad;
    if (simulated || mode == 1) {
        jy_date_t first;
        if (start_date) {
            if (jy_date_parse (start_date, &first)) {
                fprintf (stderr, "%s: --date: \"%s\" is not a date (YYYY-MM-DD)\n", def->program,
                         start_date);
                return -1;
            }
        } else {
            jy_clock_t *system = jy_clock_new_system ();
            if (jy_config_date (config, "clock/start_date", jy_clock_today (system), &first)) {
                jy_clock_destroy (&system);
                goto bad;
            }
            jy_clock_destroy (&system);
        }
        self->clock = jy_clock_new_simulated (0);
        jy_clock_set_date (self->clock, first, 9 * 3600);
    } else
        self->clock = jy_clock_new_system ();
    assert (self->clock);
    return 0;
bad:
    fprintf (stderr, "%s: %s\n", def->program, jy_config_error (config));
    return -1;
}

static void s_send_status (jy_service_t *self, zframe_t *routing_id, jy_envelope_t *request,
                           int64_t now_ms)
{
    char today[JY_DATE_TEXT_SIZE];
    Journey__V1__StatusReply status = JOURNEY__V1__STATUS_REPLY__INIT;
    status.service = (char *) self->def->program;
    status.version = (char *) JOURNEY_VERSION;
    status.has_healthy = true;
    status.healthy = true;
    status.has_started_at_ms = true;
    status.started_at_ms = self->started_at_ms;
    status.today = jy_date_format (jy_clock_today (self->clock), today);
    status.clock_mode = jy_clock_is_simulated (self->clock) ? "simulated" : "system";
    status.la_code = self->la_code;
    if (self->def->status)
        self->def->status (self->state, &status);

    jy_envelope_t reply;
    jy_envelope_init (&reply);
    reply.message_id = request->message_id;
    reply.has_sent_at_ms = true;
    reply.sent_at_ms = now_ms;
    reply.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REPLY;
    reply.status_reply = &status;
    jy_service_reply (self, routing_id, &reply);
}

static void s_clock_set (jy_service_t *self, zframe_t *routing_id, jy_envelope_t *request)
{
    Journey__V1__ClockSet *set = request->clock_set;
    jy_date_t date;
    int hour = 9, minute = 0, second = 0;
    if (!jy_clock_is_simulated (self->clock)) {
        jy_service_reply_error (self, routing_id, "clock_not_simulated",
                                "this daemon runs on the system clock");
        return;
    }
    if (!set->date || jy_date_parse (set->date, &date)) {
        jy_service_reply_error (self, routing_id, "bad_date", "date must be YYYY-MM-DD");
        return;
    }
    if (set->time) {
        char extra;
        if (sscanf (set->time, "%2d:%2d:%2d%c", &hour, &minute, &second, &extra) != 3 ||
            hour > 23 || minute > 59 || second > 59 || hour < 0 || minute < 0 || second < 0) {
            jy_service_reply_error (self, routing_id, "bad_time", "time must be HH:MM:SS");
            return;
        }
    }
    jy_clock_set_date (self->clock, date, hour * 3600 + minute * 60 + second);
    self->clock_moved = true;
    jy_info ("clock set to %s %02d:%02d:%02d", set->date, hour, minute, second);

    char text[64];
    snprintf (text, sizeof text, "clock set to %s", set->date);
    Journey__V1__Reply answer = JOURNEY__V1__REPLY__INIT;
    answer.has_ok = true;
    answer.ok = true;
    answer.message = text;
    jy_envelope_t reply;
    jy_envelope_init (&reply);
    reply.message_id = request->message_id;
    reply.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY;
    reply.reply = &answer;
    jy_service_reply (self, routing_id, &reply);
}

//  A request kind's name, for the log: its payload's field name ("event_batch").
static const char *s_payload_name (int payload)
{
    if (payload < 0)
        return "an unreadable request";
    const ProtobufCFieldDescriptor *field =
        payload ? protobuf_c_message_descriptor_get_field (&journey__v1__envelope__descriptor,
                                                           (unsigned) payload)
                : NULL;
    return field ? field->name : "an unknown request";
}

//  With CURVE, the kinds of request only a key with a right may make, refused before they are
//  unpacked: the daemon checks the right's value itself afterwards (docs/security.md).
static const struct {
    int payload;
    const char *right; //  certificate metadata that must be present and not blank
    const char *doing;
} s_rights[] = {
    {JOURNEY__V1__ENVELOPE__PAYLOAD_EVENT_BATCH, "la_codes", "push events"},
    {JOURNEY__V1__ENVELOPE__PAYLOAD_REPORT_REQUEST, "reports", "ask for reports"},
};

//  0, or -1 having refused the request (not_allowed) because the key lacks the right its kind
//  needs.
static int s_check_right (jy_service_t *self, zframe_t *routing_id, int payload)
{
    for (size_t i = 0; i < sizeof s_rights / sizeof s_rights[0]; i++) {
        if (s_rights[i].payload != payload)
            continue;
        const char *value = jy_security_peer_meta (self->peer, s_rights[i].right);
        if (value && value[strspn (value, " \t")])
            return 0;
        char message[256];
        snprintf (message, sizeof message,
                  "the key %.64s may not %s (its certificate has no %s); not read",
                  jy_security_peer_name (self->peer), s_rights[i].doing, s_rights[i].right);
        jy_warning ("%s refused: %s", s_payload_name (payload), message);
        self->bad_requests++;
        if (routing_id)
            jy_service_reply_error (self, routing_id, "not_allowed", message);
        return -1;
    }
    return 0;
}

//  The coded refusal of a request that could not be read; too_large names the limit.
static void s_refuse_unreadable (jy_service_t *self, zframe_t *routing_id, jy_wire_status_t status)
{
    char message[256];
    const char *code = status == JY_WIRE_UNKNOWN_PAYLOAD ? "unknown_request" : "bad_frame";
    if (status == JY_WIRE_OVER_BUDGET)
        snprintf (message, sizeof message, "%s (%s/max_unpack_bytes = %ld bytes)",
                  jy_wire_status_text (status), self->def->name, self->unpack_cap);
    else if (status == JY_WIRE_TOO_LARGE)
        snprintf (message, sizeof message, "%s (%s/max_frame_bytes = %ld bytes)",
                  jy_wire_status_text (status), self->def->name, self->frame_cap);
    else
        snprintf (message, sizeof message, "%s", jy_wire_status_text (status));
    if (status == JY_WIRE_OVER_BUDGET || status == JY_WIRE_TOO_LARGE)
        code = "too_large";
    jy_warning ("request refused: %s", message);
    if (routing_id)
        jy_service_reply_error (self, routing_id, code, message);
}

static void s_handle_request (jy_service_t *self, int64_t now_ms)
{
    //  Received here rather than by jy_wire_recv so that the raw bytes of an unreadable request
    //  can go to the service (ingestd keeps them as a dead letter).
    zmsg_t *message = zmsg_recv (self->request);
    if (!message)
        return;
    zframe_t *routing_id = zmsg_pop (message);
    zframe_t *body = zmsg_pop (message);
    bool framed = routing_id && body && zmsg_size (message) == 0;
    jy_wire_status_t status = JY_WIRE_BAD_FRAMES;
    jy_envelope_t *request = NULL;
    size_t allocated = 0;
    //  The request's kind, from the top level of the wire format: nothing unpacked yet.
    int payload = framed ? jy_wire_peek_payload (zframe_data (body), zframe_size (body)) : -1;
    if (jy_security_curve (self->security) && body) {
        //  Who asks, by the key the handshake proved, before anything is unpacked. A key taken
        //  out of clients_dir since the connection was made is refused here, on the
        //  connection's next request.
        jy_security_refresh (self->security);
        self->refreshed_at = zclock_mono ();
        self->peer = jy_security_peer_of (self->security, body);
        const char *what = s_payload_name (payload);
        if (!self->peer) {
            const char *key = zframe_meta (body, "User-Id");
            jy_warning ("%s refused: key %s is not in security/clients_dir", what,
                        key ? key : "(none)");
            if (routing_id)
                jy_service_reply_error (self, routing_id, "key_not_allowed",
                                        "this client's key is not (or no longer) among the "
                                        "allowed certificates (security/clients_dir)");
            goto done;
        }
        jy_log (payload == JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REQUEST ? JY_LOG_DEBUG
                                                                         : JY_LOG_INFO,
                "%s from %s (key %s)", what, jy_security_peer_name (self->peer),
                jy_security_peer_key (self->peer));
        if (s_check_right (self, routing_id, payload) != 0)
            goto done;
    }
    if (framed)
        request =
            jy_wire_unpack_within (zframe_data (body), zframe_size (body), (size_t) self->frame_cap,
                                   (size_t) self->unpack_cap, &allocated, &status);
    if (!request || status == JY_WIRE_UNKNOWN_PAYLOAD) {
        //  Counted and answered, never fatal: the sender may be newer than us, or broken.
        self->bad_requests++;
        if (self->def->unreadable && body)
            self->def->unreadable (self->state, zframe_data (body), zframe_size (body), status,
                                   now_ms);
        s_refuse_unreadable (self, routing_id, status);
    } else if (request->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REQUEST)
        s_send_status (self, routing_id, request, now_ms);
    else if (request->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_CLOCK_SET)
        s_clock_set (self, routing_id, request);
    else if (self->def->request)
        self->def->request (self->state, routing_id, request, now_ms);
    else {
        self->bad_requests++;
        jy_service_reply_error (self, routing_id, "not_supported",
                                "this daemon does not handle that request");
    }
done:
    self->peer = NULL;
    jy_envelope_free (&request);
    zframe_destroy (&routing_id);
    zframe_destroy (&body);
    zmsg_destroy (&message);
    //  glibc keeps freed memory for reuse; after a large unpack (or a refused one), hand it
    //  back so that one big frame does not leave the daemon holding its peak for good.
    if (allocated >= S_TRIM_AFTER_BYTES)
        malloc_trim (0);
}

static int64_t s_timeout_ms (jy_service_t *self, int64_t now_ms)
{
    int64_t timeout = 1000; //  housekeeping tick
    if (self->clock_moved)
        return 0;
    int64_t to_midnight = jy_clock_ms_to_next_day (self->clock);
    if (to_midnight >= 0 && to_midnight < timeout)
        timeout = to_midnight;
    if (self->def->next_timeout_ms) {
        int64_t own = self->def->next_timeout_ms (self->state, now_ms);
        if (own >= 0 && own < timeout)
            timeout = own;
    }
    return timeout;
}

static void s_actor (zsock_t *pipe, void *args)
{
    jy_service_t *self = (jy_service_t *) args;
    const jy_service_def_t *def = self->def;
    bool ready = false;

    self->request = zsock_new (ZMQ_ROUTER);
    assert (self->request);
    zsock_set_router_mandatory (self->request, 1);
    zsock_set_sndhwm (self->request, (int) self->hwm);
    zsock_set_rcvhwm (self->request, (int) self->hwm);
    zsock_set_maxmsgsize (self->request, self->frame_cap + 4096);
    zsock_set_linger (self->request, 1000);
    if (jy_security_server (self->security, self->request) != 0)
        jy_error ("%s/request: not bound: %s", def->name, jy_security_error (self->security));
    else if (zsock_bind (self->request, "%s", self->endpoint) == -1)
        jy_error ("%s/request: cannot bind %s: %s", def->name, self->endpoint,
                  zmq_strerror (zmq_errno ()));
    else {
        self->poller = zpoller_new (pipe, self->request, NULL);
        assert (self->poller);
        //  The actor stops on $TERM only; otherwise zpoller returns at once forever once
        //  zsys_interrupted is set.
        zpoller_set_nonstop (self->poller, true);
        self->state = def->start ? def->start (self) : self;
        ready = self->state != NULL;
    }
    zsock_signal (pipe, 0);
    zsock_send (pipe, "s", ready ? "READY" : "FAILED");
    if (!ready) {
        //  Wait for $TERM by reading it: zsock_wait here would deadlock zactor_destroy.
        char *command = NULL;
        zsock_recv (pipe, "s", &command);
        free (command);
        zpoller_destroy (&self->poller);
        zsock_destroy (&self->request);
        return;
    }
    jy_info ("listening on %s (%s clock, today %s)", self->endpoint,
             jy_clock_is_simulated (self->clock) ? "simulated" : "system",
             jy_date_format (jy_clock_today (self->clock), (char[JY_DATE_TEXT_SIZE]){0}));

    int64_t now_ms = jy_clock_now_ms (self->clock);
    self->today = jy_clock_today (self->clock);
    if (def->day_changed)
        def->day_changed (self->state, self->today, now_ms);

    bool terminated = false;
    while (!terminated) {
        zsock_t *which = (zsock_t *) zpoller_wait (self->poller, (int) s_timeout_ms (self, now_ms));
        self->clock_moved = false;
        now_ms = jy_clock_now_ms (self->clock); //  read once per turn
        jy_date_t today = jy_clock_today (self->clock);
        if (today != self->today) {
            self->today = today;
            if (def->day_changed)
                def->day_changed (self->state, today, now_ms);
        }
        if (which == pipe) {
            char *command = NULL;
            zsock_recv (pipe, "s", &command);
            terminated = !command || streq (command, "$TERM");
            free (command);
        } else if (which == self->request)
            s_handle_request (self, now_ms);
        else if (which && def->readable)
            def->readable (self->state, which, now_ms);
        if (!terminated && def->tick)
            def->tick (self->state, now_ms);
        //  A key removed from clients_dir is refused on new connections within a second even
        //  when no request comes (feed subscribers send none).
        if (!terminated && jy_security_curve (self->security) &&
            zclock_mono () - self->refreshed_at >= 1000) {
            jy_security_refresh (self->security);
            self->refreshed_at = zclock_mono ();
        }
    }
    jy_info ("stopping");
    if (def->stop)
        def->stop (&self->state);
    zpoller_destroy (&self->poller);
    zsock_destroy (&self->request);
}

//  zauth, before any socket is bound: a CURVE socket bound without it lets every key in.
//  0, or -1 having said why.
static int s_start_security (jy_service_t *self)
{
    zsys_init (); //  installs czmq's SIGTERM/SIGINT handler (sets zsys_interrupted)
    if (jy_security_start (self->security) != 0) {
        fprintf (stderr, "%s: could not start zauth (security/curve = 1; see the log above)\n",
                 self->def->program);
        return -1;
    }
    jy_security_set_process (self->security);
    return 0;
}

int jy_service_main (const jy_service_def_t *def, int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"simulated-clock", no_argument, NULL, 's'},
        {"date", required_argument, NULL, 'd'},   {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0}};
    const char *config_path = jy_config_env_path ();
    const char *start_date = NULL;
    bool simulated = false;
    int option;
    while ((option = getopt_long (argc, argv, "c:h", options, NULL)) != -1) {
        switch (option) {
        case 'c':
            config_path = optarg;
            break;
        case 's':
            simulated = true;
            break;
        case 'd':
            start_date = optarg;
            break;
        case 'h':
            s_usage (def, stdout);
            return 0;
        case 'V':
            printf ("%s %s\n", def->program, JOURNEY_VERSION);
            return 0;
        default:
            s_usage (def, stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf (stderr, "%s: unexpected argument \"%s\"\n", def->program, argv[optind]);
        s_usage (def, stderr);
        return 2;
    }

    //  SIGTERM and SIGINT must reach the main thread, which turns them into $TERM for the
    //  actor: block them here, before czmq starts any thread, so that every thread created
    //  from now on (the actor, libzmq's I/O threads) inherits the block; main unblocks below.
    //  A daemon never works as an administrator, whichever of its modules connects
    //  (docs/database.md, "Roles and privileges"). Set before any thread starts.
    char url_key[128];
    snprintf (url_key, sizeof url_key, "database/%s_url", def->name);
    jy_db_refuse_privileged_by_default (url_key);

    sigset_t stop_signals, previous;
    sigemptyset (&stop_signals);
    sigaddset (&stop_signals, SIGTERM);
    sigaddset (&stop_signals, SIGINT);
    pthread_sigmask (SIG_BLOCK, &stop_signals, &previous);

    jy_service_t *self = (jy_service_t *) zmalloc (sizeof (jy_service_t));
    assert (self);
    self->def = def;
    char error[512];
    self->config =
        jy_config_load (config_path, jy_config_default_defaults_path (), error, sizeof error);
    int status = 1;
    if (!self->config)
        fprintf (stderr, "%s: %s\n", def->program, error);
    else if (s_configure (self, simulated, start_date) == 0 && s_start_security (self) == 0) {
        self->started_at_ms = jy_clock_now_ms (self->clock);
        zactor_t *actor = zactor_new (s_actor, self);
        assert (actor);
        pthread_sigmask (SIG_SETMASK, &previous, NULL);
        char *ready = NULL;
        zsock_recv (actor, "s", &ready);
        if (ready && streq (ready, "READY")) {
            //  czmq's handler turns SIGTERM and SIGINT into zsys_interrupted; the actor then
            //  gets $TERM from zactor_destroy and drains.
            while (!zsys_interrupted) {
                char *message = NULL;
                if (zsock_recv (actor, "s", &message) == -1)
                    break;
                free (message);
            }
            status = 0;
        } else
            fprintf (stderr, "%s: could not start (see the log above)\n", def->program);
        free (ready);
        zactor_destroy (&actor);
    }
    //  After every socket of the actor is closed: without zauth a CURVE socket lets anyone in.
    jy_security_destroy (&self->security);
    if (status == 0)
        jy_info ("stopped");
    jy_clock_destroy (&self->clock);
    jy_config_destroy (&self->config);
    free (self->endpoint);
    free (self->la_code);
    free (self);
    return status;
}

jy_config_t *jy_service_config (jy_service_t *self)
{
    assert (self);
    return self->config;
}

jy_clock_t *jy_service_clock (jy_service_t *self)
{
    assert (self);
    return self->clock;
}

int jy_service_watch (jy_service_t *self, zsock_t *sock)
{
    assert (self && self->poller);
    return zpoller_add (self->poller, sock);
}

int jy_service_reply (jy_service_t *self, zframe_t *routing_id, jy_envelope_t *reply)
{
    assert (self);
    if (jy_wire_send_routed (self->request, routing_id, reply) == -1) {
        jy_warning ("reply not delivered: client gone");
        return -1;
    }
    return 0;
}

int jy_service_reply_error (jy_service_t *self, zframe_t *routing_id, const char *code,
                            const char *message)
{
    Journey__V1__Reply answer = JOURNEY__V1__REPLY__INIT;
    answer.has_ok = true;
    answer.ok = false;
    answer.code = (char *) code;
    answer.message = (char *) message;
    jy_envelope_t reply;
    jy_envelope_init (&reply);
    reply.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY;
    reply.reply = &answer;
    return jy_service_reply (self, routing_id, &reply);
}

bool jy_service_curve (jy_service_t *self)
{
    assert (self);
    return jy_security_curve (self->security);
}

const char *jy_service_peer_meta (jy_service_t *self, const char *name)
{
    assert (self);
    return self->peer ? jy_security_peer_meta (self->peer, name) : NULL;
}

bool jy_service_may_read (jy_service_t *self, const char *what, const char *la)
{
    assert (self);
    return jy_security_may_read (self->security, self->peer, what, la);
}

bool jy_service_reads_all (jy_service_t *self)
{
    assert (self);
    return jy_security_reads_all (self->security, self->peer);
}

const char *jy_service_read_las (jy_service_t *self)
{
    assert (self);
    return jy_security_read_las (self->peer);
}

const char *jy_service_peer_name (jy_service_t *self)
{
    assert (self);
    return self->peer ? jy_security_peer_name (self->peer) : NULL;
}
