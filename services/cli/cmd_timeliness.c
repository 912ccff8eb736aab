/*  journey deadlines, journey alerts: what journey-timelinessd knows (docs/timeliness-cli.md).

        journey deadlines CHILD [--la CODE]
        journey alerts [--follow] [--since SEQ] [--team T] [--la CODE] [--child ID]

    Both ask the daemon's request socket (timeliness/request): DeadlinesRequest, and
    AlertsRequest page after page until a page comes back empty (then the position is the
    feed's head). With --follow, `journey alerts` then follows the alert feed's PUB socket
    (timeliness/feed) like any feed subscriber: an alert numbered one past the position is
    printed (when it passes the filters) and becomes the position; one at or below it was
    already printed; a gap, or a heartbeat whose head is past the position, means something
    was dropped, and the pages are asked for again from the position. The SUB socket is
    connected before the first page, so nothing published after that page can be missed, and
    nothing is printed twice.

    --json: deadlines as one array; alerts as one object per line (json_form.h).
*/
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_form.h"

#define S_TIMEOUT_MS 10000  //  default: a query on a busy daemon may wait for its turn
#define S_PAGE       1000   //  alerts per request (the daemon's cap)
#define S_SUB_HWM    100000 //  live alerts queued before ZeroMQ drops (a gap, repaired)

static const char *s_deadlines_usage =
    "usage: journey deadlines CHILD [--la CODE]\n"
    "  a child's deadlines, oldest start first: clock, started, due, state, how it ended\n"
    "  (met on, working days late, cancelled and why) and the booking that would meet it\n"
    "  --la CODE   the child's authority (default: journey-timelinessd's la/code)\n"
    "  --json      an array of objects (clock, started, due, state, met, ...)\n"
    "configuration: timeliness/request, timeliness/reply_timeout_ms (default 10000).\n"
    "Exit status: 0 done, 1 failed, 2 usage error.\n";

static const char *s_alerts_usage =
    "usage: journey alerts [--follow] [--since SEQ] [--team T] [--la CODE] [--child ID]\n"
    "  the alert feed after SEQ (default 0: from the start), oldest first\n"
    "  --follow, -f  then print each new alert as it is raised, until interrupted\n"
    "  --team T      only team T's alerts; --la, --child likewise\n"
    "  --json        one object per line (seq, kind, child_id, clock, due, team, ...)\n"
    "configuration: timeliness/request, timeliness/reply_timeout_ms (default 10000), and\n"
    "timeliness/feed for --follow. Exit status: 0 done (or interrupted while following),\n"
    "1 failed, 2 usage error.\n";

//  The endpoint at key, or NULL after saying it is not set.
static const char *s_endpoint (cli_t *cli, const char *command, const char *key)
{
    const char *endpoint = jy_config_get (cli->config, key);
    if (!endpoint || !*endpoint) {
        cli_fail ("%s: %s is not set (journey-timelinessd's endpoint)", command, key);
        return NULL;
    }
    return endpoint;
}

//  timeliness/reply_timeout_ms, or -1 having said what is wrong with it.
static int s_timeout (cli_t *cli)
{
    long timeout_ms;
    if (jy_config_int (cli->config, "timeliness/reply_timeout_ms", S_TIMEOUT_MS, 1, 3600000,
                       &timeout_ms) != 0) {
        cli_fail ("%s", jy_config_error (cli->config));
        return -1;
    }
    return (int) timeout_ms;
}

//  0 when reply is an ok answer of the expected payload, else -1 having said why: no answer, a
//  coded Reply (an older daemon answering unknown_request, or one that could not read the
//  request), another payload, or the answer's own ok=false with its code.
static int s_check_reply (const char *command, const char *endpoint, const jy_envelope_t *reply,
                          const char *why, Journey__V1__Envelope__PayloadCase expected)
{
    if (!reply) {
        cli_fail ("%s: journey-timelinessd at %s: %s", command, endpoint, why);
        return -1;
    }
    if (reply->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_REPLY) {
        const Journey__V1__Reply *refusal = reply->reply;
        cli_fail ("%s: journey-timelinessd at %s refused: %s%s%s", command, endpoint,
                  refusal->code && *refusal->code ? refusal->code : "no reason given",
                  refusal->message && *refusal->message ? ": " : "",
                  refusal->message ? refusal->message : "");
        return -1;
    }
    if (reply->payload_case != expected) {
        cli_fail ("%s: journey-timelinessd at %s: unexpected reply", command, endpoint);
        return -1;
    }
    bool ok;
    const char *code, *message;
    if (expected == JOURNEY__V1__ENVELOPE__PAYLOAD_DEADLINES_REPLY) {
        ok = reply->deadlines_reply->has_ok && reply->deadlines_reply->ok;
        code = reply->deadlines_reply->code;
        message = reply->deadlines_reply->message;
    } else {
        assert (expected == JOURNEY__V1__ENVELOPE__PAYLOAD_ALERTS_REPLY);
        ok = reply->alerts_reply->has_ok && reply->alerts_reply->ok;
        code = reply->alerts_reply->code;
        message = reply->alerts_reply->message;
    }
    if (!ok) {
        cli_fail ("%s: %s: %s", command, code && *code ? code : "failed",
                  message && *message ? message : "no reason given");
        return -1;
    }
    return 0;
}

//  --- journey deadlines ----------------------------------------------------------------------

static const char *s_or_dash (const char *text)
{
    return text && *text ? text : "-";
}

//  How a deadline ended, in words ("" while it runs).
static void s_outcome (const Journey__V1__Deadline *deadline, char *text, size_t size)
{
    const char *state = deadline->state ? deadline->state : "";
    if (strcmp (state, "met_on_time") == 0)
        snprintf (text, size, "met %s", s_or_dash (deadline->met_on));
    else if (strcmp (state, "met_late") == 0) {
        int late = deadline->has_late_working_days ? deadline->late_working_days : 0;
        snprintf (text, size, "met %s, %d working day%s late", s_or_dash (deadline->met_on), late,
                  late == 1 ? "" : "s");
    } else if (strcmp (state, "cancelled") == 0)
        snprintf (text, size, "cancelled%s%s: %s", deadline->cancelled_on ? " " : "",
                  deadline->cancelled_on ? deadline->cancelled_on : "",
                  s_or_dash (deadline->cancel_reason));
    else
        text[0] = '\0';
}

static void s_print_deadlines (const char *la_code, const char *child_id,
                               const Journey__V1__DeadlinesReply *reply)
{
    if (reply->n_deadlines == 0) {
        printf ("child %s%s%s: no deadlines\n", child_id, la_code ? " in LA " : "",
                la_code ? la_code : "");
        return;
    }
    printf ("child %s%s%s: %zu deadline%s\n", child_id, la_code ? " in LA " : "",
            la_code ? la_code : "", reply->n_deadlines, reply->n_deadlines == 1 ? "" : "s");
    //  Column widths from the content, so that the table lines up whatever the clock names.
    int clock_width = 5, state_width = 5, outcome_width = 7;
    char outcome[160];
    for (size_t i = 0; i < reply->n_deadlines; i++) {
        const Journey__V1__Deadline *d = reply->deadlines[i];
        int length = (int) strlen (s_or_dash (d->clock));
        clock_width = length > clock_width ? length : clock_width;
        length = (int) strlen (s_or_dash (d->state));
        state_width = length > state_width ? length : state_width;
        s_outcome (d, outcome, sizeof outcome);
        length = (int) strlen (outcome);
        outcome_width = length > outcome_width ? length : outcome_width;
    }
    printf ("%-*s  %-10s  %-10s  %-*s  %-*s  %s\n", clock_width, "CLOCK", "STARTED", "DUE",
            state_width, "STATE", outcome_width, "OUTCOME", "PLANNED");
    for (size_t i = 0; i < reply->n_deadlines; i++) {
        const Journey__V1__Deadline *d = reply->deadlines[i];
        s_outcome (d, outcome, sizeof outcome);
        printf ("%-*s  %-10s  %-10s  %-*s  %-*s  %s\n", clock_width, s_or_dash (d->clock),
                s_or_dash (d->started_on), s_or_dash (d->due_on), state_width, s_or_dash (d->state),
                outcome_width, *outcome ? outcome : "-", s_or_dash (d->planned_on));
    }
}

enum { S_DEADLINES_LA };
static const cli_option_t s_deadlines_options[] = {
    [S_DEADLINES_LA] = {"--la", CLI_OPTION_NAME, "an LA code", 0, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL},
};

int cmd_deadlines (cli_t *cli, int argc, char **argv)
{
    static const cli_options_t spec = {"deadlines", s_deadlines_options, 1, false};
    cli_parsed_t parsed;
    int parse = cli_options_parse (&spec, argc, argv, 1, &parsed);
    if (parse == CLI_HELP) {
        fputs (s_deadlines_usage, stdout);
        return CLI_OK;
    }
    if (parse != CLI_OK)
        return parse;
    const char *child_id = parsed.args[0];
    const char *la_code = parsed.values[S_DEADLINES_LA].text;
    if (!child_id || !*child_id)
        return cli_usage ("deadlines: CHILD is missing (journey deadlines CHILD)");
    const char *endpoint = s_endpoint (cli, "deadlines", "timeliness/request");
    int timeout_ms = s_timeout (cli);
    if (!endpoint || timeout_ms < 0)
        return CLI_FAIL;

    Journey__V1__DeadlinesRequest body = JOURNEY__V1__DEADLINES_REQUEST__INIT;
    body.child_id = (char *) child_id;
    body.la_code = (char *) la_code;
    jy_envelope_t request;
    jy_envelope_init (&request);
    request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_DEADLINES_REQUEST;
    request.deadlines_request = &body;
    const char *why = NULL;
    jy_envelope_t *reply = cli_request (endpoint, &request, timeout_ms, &why);
    int rc = CLI_OK;
    if (s_check_reply ("deadlines", endpoint, reply, why,
                       JOURNEY__V1__ENVELOPE__PAYLOAD_DEADLINES_REPLY) != 0)
        rc = CLI_FAIL;
    else if (cli->json) {
        json_t *array = json_array ();
        assert (array);
        for (size_t i = 0; i < reply->deadlines_reply->n_deadlines && rc == CLI_OK; i++) {
            json_t *object = tl_json_deadline (reply->deadlines_reply->deadlines[i]);
            if (object)
                json_array_append_new (array, object);
            else
                rc = cli_fail ("deadlines: deadline %" PRIu64 " has text that is not UTF-8",
                               reply->deadlines_reply->deadlines[i]->id);
        }
        if (rc == CLI_OK)
            cli_print_json (array);
        else
            json_decref (array);
    } else {
        const Journey__V1__DeadlinesReply *answer = reply->deadlines_reply;
        //  The LA the daemon answered for: the first deadline says, else the one asked for.
        const char *la = answer->n_deadlines ? answer->deadlines[0]->la_code : la_code;
        s_print_deadlines (la, child_id, answer);
        fflush (stdout);
    }
    jy_envelope_free (&reply);
    return rc;
}

//  --- journey alerts -------------------------------------------------------------------------

typedef struct {
    cli_t *cli;
    const char *endpoint; //  timeliness/request
    int timeout_ms;       //  timeliness/reply_timeout_ms
    const char *team_id;  //  filters, NULL for all
    const char *la_code;
    const char *child_id;
    uint64_t position; //  every alert up to here was printed or filtered out
    uint64_t printed;
} s_alerts_t;

//  The kind's name as JSON writes it ("due_soon").
static const char *s_kind_name (int kind, char *buffer, size_t size)
{
    const ProtobufCEnumValue *value =
        protobuf_c_enum_descriptor_get_value (&journey__v1__alert__kind__descriptor, kind);
    if (!value)
        snprintf (buffer, size, "kind_%d", kind);
    else {
        size_t i = 0;
        for (; value->name[i] && i + 1 < size; i++)
            buffer[i] =
                (char) (value->name[i] >= 'A' && value->name[i] <= 'Z' ? value->name[i] - 'A' + 'a'
                                                                       : value->name[i]);
        buffer[i] = '\0';
    }
    return buffer;
}

//  One alert on one line for a person.
static void s_print_alert (const Journey__V1__Alert *alert)
{
    char kind[32], detail[512];
    s_kind_name (alert->has_kind ? (int) alert->kind : 0, kind, sizeof kind);
    size_t used = 0;
    detail[0] = '\0';
#define S_ADD(...)                                                                                 \
    if (used < sizeof detail)                                                                      \
    used += (size_t) snprintf (detail + used, sizeof detail - used, __VA_ARGS__)
    switch (alert->has_kind ? alert->kind : JOURNEY__V1__ALERT__KIND__KIND_UNSPECIFIED) {
    case JOURNEY__V1__ALERT__KIND__RAG_CHANGED:
        S_ADD ("%s (%s): %s -> %s", s_or_dash (alert->measure), s_or_dash (alert->scope),
               s_or_dash (alert->previous_rating), s_or_dash (alert->rating));
        if (alert->has_value)
            S_ADD (", %.4g", alert->value);
        break;
    case JOURNEY__V1__ALERT__KIND__CASELOAD:
        S_ADD ("worker %s: %d open cases", s_or_dash (alert->worker_id),
               alert->has_caseload ? alert->caseload : 0);
        if (alert->team_id)
            S_ADD (", team %s", alert->team_id);
        break;
    default:
        S_ADD ("child %s  %s  due %s", s_or_dash (alert->child_id), s_or_dash (alert->clock),
               s_or_dash (alert->due_on));
        if (alert->planned_on)
            S_ADD (", booked %s", alert->planned_on);
        if (alert->has_overdue_working_days && alert->overdue_working_days > 0)
            S_ADD (", %d working day%s overdue", alert->overdue_working_days,
                   alert->overdue_working_days == 1 ? "" : "s");
        if (alert->team_id)
            S_ADD ("  team %s", alert->team_id);
        if (alert->worker_id)
            S_ADD ("  worker %s", alert->worker_id);
        break;
    }
#undef S_ADD
    printf ("%6" PRIu64 "  %-10s  %-11s  %s\n", alert->alert_id, s_or_dash (alert->raised_on), kind,
            detail);
}

//  Print an alert (alert_id is its seq). 0, or -1 when it cannot be written as JSON.
static int s_emit (s_alerts_t *self, const Journey__V1__Alert *alert)
{
    if (self->cli->json) {
        json_t *object = tl_json_alert (alert);
        char *text = object ? tl_json_text (object) : NULL;
        json_decref (object);
        if (!text) {
            cli_fail ("alerts: alert %" PRIu64 " has text that is not UTF-8", alert->alert_id);
            return -1;
        }
        puts (text);
        free (text);
    } else
        s_print_alert (alert);
    //  Line by line: a reader of --follow sees each alert as it comes.
    fflush (stdout);
    self->printed++;
    return 0;
}

//  Whether a live alert passes the filters, as the daemon's query would decide.
static bool s_matches (const s_alerts_t *self, const Journey__V1__Alert *alert)
{
    if (self->team_id && (!alert->team_id || strcmp (alert->team_id, self->team_id) != 0))
        return false;
    if (self->la_code && (!alert->la_code || strcmp (alert->la_code, self->la_code) != 0))
        return false;
    if (self->child_id && (!alert->child_id || strcmp (alert->child_id, self->child_id) != 0))
        return false;
    return true;
}

//  Ask for pages after the position until one comes back empty; the position is then the
//  head the daemon reported. 0, or -1 having said why.
static int s_page (s_alerts_t *self)
{
    for (;;) {
        Journey__V1__AlertsRequest body = JOURNEY__V1__ALERTS_REQUEST__INIT;
        body.has_since = 1;
        body.since = self->position;
        body.has_limit = 1;
        body.limit = S_PAGE;
        body.team_id = (char *) self->team_id;
        body.la_code = (char *) self->la_code;
        body.child_id = (char *) self->child_id;
        jy_envelope_t request;
        jy_envelope_init (&request);
        request.payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_ALERTS_REQUEST;
        request.alerts_request = &body;
        const char *why = NULL;
        jy_envelope_t *reply = cli_request (self->endpoint, &request, self->timeout_ms, &why);
        if (!reply && zsys_interrupted)
            return -1; //  SIGINT or SIGTERM while asking: the end, not a failure
        if (s_check_reply ("alerts", self->endpoint, reply, why,
                           JOURNEY__V1__ENVELOPE__PAYLOAD_ALERTS_REPLY) != 0) {
            jy_envelope_free (&reply);
            return -1;
        }
        int rc = 0;
        Journey__V1__AlertsReply *answer = reply->alerts_reply;
        bool empty = true;
        for (size_t i = 0; i < answer->n_alerts && rc == 0; i++) {
            const Journey__V1__Alert *alert = answer->alerts[i];
            if (alert->alert_id <= self->position)
                continue; //  never backwards, never twice
            empty = false;
            rc = s_emit (self, alert);
            self->position = alert->alert_id;
        }
        if (empty && answer->has_head && answer->head > self->position)
            self->position = answer->head;
        jy_envelope_free (&reply);
        if (rc != 0)
            return -1;
        if (empty)
            return 0;
    }
}

//  One message from the feed. 0, or -1 when printing failed.
static int s_on_feed (s_alerts_t *self, zsock_t *sub)
{
    zmsg_t *msg = zmsg_recv (sub);
    if (!msg)
        return 0;
    zframe_t *topic = zmsg_first (msg);
    zframe_t *body = zmsg_next (msg);
    jy_envelope_t *envelope = NULL;
    jy_wire_status_t status = JY_WIRE_BAD_FRAMES;
    //  SUB filters by prefix: "alerts" lets "alerts2" through; topics are "alerts.<la>".
    if (zmsg_size (msg) == 2 && jy_feed_topic_is (topic, jy_feed_lookup ("alerts")))
        envelope =
            jy_wire_unpack (zframe_data (body), zframe_size (body), JY_WIRE_DEFAULT_CAP, &status);
    zmsg_destroy (&msg);
    if (!envelope || !envelope->has_feed_seq) {
        jy_envelope_free (&envelope);
        return 0;
    }
    int rc = 0;
    uint64_t seq = envelope->feed_seq;
    bool heartbeat = envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD__NOT_SET &&
                     status == JY_WIRE_OK && envelope->base.n_unknown_fields == 0;
    if (heartbeat || seq > self->position + 1) {
        //  The head is past what we have, or we missed some: the table has them.
        if (seq > self->position && s_page (self) != 0 && !zsys_interrupted)
            fprintf (stderr, "journey: alerts: will ask again at the next heartbeat\n");
    } else if (seq == self->position + 1) {
        Journey__V1__Alert *alert =
            envelope->payload_case == JOURNEY__V1__ENVELOPE__PAYLOAD_ALERT ? envelope->alert : NULL;
        if (alert) {
            alert->has_alert_id = 1;
            alert->alert_id = seq;
        }
        if (alert && s_matches (self, alert))
            rc = s_emit (self, alert);
        self->position = seq;
    }
    jy_envelope_free (&envelope);
    return rc;
}

static int s_follow (s_alerts_t *self, zsock_t *sub)
{
    zpoller_t *poller = zpoller_new (sub, NULL);
    assert (poller);
    int rc = CLI_OK;
    while (rc == CLI_OK) {
        void *which = zpoller_wait (poller, -1);
        if (!which)
            break; //  interrupted (SIGINT, SIGTERM): a normal end of following
        if (s_on_feed (self, sub) != 0)
            rc = CLI_FAIL;
    }
    zpoller_destroy (&poller);
    return rc;
}

enum { S_ALERTS_FOLLOW, S_ALERTS_SINCE, S_ALERTS_TEAM, S_ALERTS_LA, S_ALERTS_CHILD };
static const cli_option_t s_alerts_options[] = {
    [S_ALERTS_FOLLOW] = {"--follow", CLI_OPTION_FLAG, NULL, 0, 0, "-f"},
    [S_ALERTS_SINCE] = {"--since", CLI_OPTION_NUMBER, "a feed position", 0, INT64_MAX, NULL},
    [S_ALERTS_TEAM] = {"--team", CLI_OPTION_NAME, NULL, 0, 0, NULL},
    [S_ALERTS_LA] = {"--la", CLI_OPTION_NAME, NULL, 0, 0, NULL},
    [S_ALERTS_CHILD] = {"--child", CLI_OPTION_NAME, NULL, 0, 0, NULL},
    {NULL, 0, NULL, 0, 0, NULL},
};

int cmd_alerts (cli_t *cli, int argc, char **argv)
{
    static const cli_options_t spec = {"alerts", s_alerts_options, 0, false};
    cli_parsed_t parsed;
    int parse = cli_options_parse (&spec, argc, argv, 1, &parsed);
    if (parse == CLI_HELP) {
        fputs (s_alerts_usage, stdout);
        return CLI_OK;
    }
    if (parse != CLI_OK)
        return parse;
    const cli_value_t *values = parsed.values;
    s_alerts_t self = {.cli = cli};
    bool follow = values[S_ALERTS_FOLLOW].given;
    self.position = values[S_ALERTS_SINCE].number;
    self.team_id = values[S_ALERTS_TEAM].text;
    self.la_code = values[S_ALERTS_LA].text;
    self.child_id = values[S_ALERTS_CHILD].text;
    self.endpoint = s_endpoint (cli, "alerts", "timeliness/request");
    self.timeout_ms = s_timeout (cli);
    if (!self.endpoint || self.timeout_ms < 0)
        return CLI_FAIL;
    uint64_t since = self.position;

    //  Subscribe before the first page: whatever is published after it is then queued here.
    zsock_t *sub = NULL;
    if (follow) {
        const char *feed;
        if (jy_feed_connect_endpoint (cli->config, "timeliness/feed", &feed) != 0)
            return cli_fail ("alerts: %s", jy_config_error (cli->config));
        sub = zsock_new (ZMQ_SUB);
        assert (sub);
        zsock_set_rcvhwm (sub, S_SUB_HWM); //  before connecting, so that it applies
        zsock_set_subscribe (sub, "alerts");
        if (jy_security_client (jy_security_process (), sub) != 0) {
            zsock_destroy (&sub);
            return cli_fail ("alerts: %s", jy_security_error (jy_security_process ()));
        }
        if (zsock_connect (sub, "%s", feed) != 0) {
            zsock_destroy (&sub);
            return cli_fail ("alerts: timeliness/feed \"%s\" is not an endpoint", feed);
        }
    }
    int rc = s_page (&self) == 0 ? CLI_OK : CLI_FAIL;
    if (rc != CLI_OK && follow && zsys_interrupted)
        rc = CLI_OK; //  interrupted before following began: the same normal end
    if (rc == CLI_OK && !follow && !cli->json && self.printed == 0)
        printf ("no alerts after %" PRIu64 " (the feed's head is %" PRIu64 ")\n", since,
                self.position);
    if (rc == CLI_OK && follow)
        rc = s_follow (&self, sub);
    zsock_destroy (&sub);
    return rc;
}
