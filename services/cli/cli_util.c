/*  cli_util: what the journey commands share (cli.h). */
#include "cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define S_REQUEST_HWM 100 //  one request at a time; explicit, never 0 (unbounded)

static void s_complain (const char *format, va_list args)
{
    fputs ("journey: ", stderr);
    vfprintf (stderr, format, args);
    fputc ('\n', stderr);
}

int cli_usage (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    s_complain (format, args);
    va_end (args);
    return CLI_USAGE;
}

int cli_fail (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    s_complain (format, args);
    va_end (args);
    return CLI_FAIL;
}

void cli_print_json (json_t *value)
{
    if (!value) {
        //  json_pack returns NULL on a format mistake: a bug, but say so rather than print "".
        cli_fail ("internal error: no JSON to print");
        return;
    }
    json_dumpf (value, stdout, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    fputc ('\n', stdout);
    fflush (stdout);
    json_decref (value);
}

jy_db_t *cli_connect (cli_t *cli, const char *url_key, int64_t max_wait_ms)
{
    const char *url = jy_config_get (cli->config, url_key);
    if (!url || !*url) {
        char name[128];
        snprintf (name, sizeof name, "JOURNEY_%s", url_key);
        for (char *p = name; *p; p++)
            *p = *p == '/' || *p == '-' ? '_' : (char) toupper ((unsigned char) *p);
        cli_fail ("%s is not set (set it in the configuration file or as %s)", url_key, name);
        return NULL;
    }
    jy_db_t *db = jy_db_new (url);
    jy_db_set_application_name (db, "journey");
    if (jy_db_connect (db, max_wait_ms) != 0) {
        cli_fail ("cannot connect with %s (from %s): %s", url_key,
                  jy_config_origin (cli->config, url_key), jy_db_error (db));
        jy_db_destroy (&db);
        return NULL;
    }
    return db;
}

jy_calendar_t *cli_calendar (cli_t *cli)
{
    jy_calendar_t *calendar = jy_calendar_new ();
    if (jy_calendar_apply_config (calendar, cli->config) != 0) {
        cli_fail ("%s", jy_config_error (cli->config));
        jy_calendar_destroy (&calendar);
        return NULL;
    }
    //  Imported bank holidays are a bonus: without a database the built-in and configured days
    //  still answer, so one quick attempt, and no complaint when it fails.
    const char *url = jy_config_get (cli->config, "database/admin_url");
    if (url && *url) {
        jy_db_t *db = jy_db_new (url);
        jy_db_set_application_name (db, "journey");
        jy_log_level_t level = jy_log_level ();
        jy_log_init (NULL, (jy_log_level_t) (JY_LOG_ERROR + 1)); //  silence jy_db's warnings
        size_t loaded = 0;
        if (jy_db_connect (db, 0) == 0)
            jy_calendar_load_db (calendar, db, &loaded);
        jy_log_init (NULL, level);
        jy_db_destroy (&db);
    }
    return calendar;
}

int cli_parse_date (const char *what, const char *text, jy_date_t *date)
{
    if (jy_date_parse (text, date) != 0)
        return cli_usage ("%s \"%s\" is not a date: use YYYY-MM-DD, years %d to %d", what, text,
                          JY_DATE_MIN_YEAR, JY_DATE_MAX_YEAR);
    return CLI_OK;
}

size_t cli_daemon_endpoints (cli_t *cli, cli_endpoint_t *endpoints, size_t max)
{
    static const char *services[] = {"ingest", "timeliness", "escalation", "reporting"};
    static const char *keys[] = {"ingest/request", "timeliness/request", "escalation/request",
                                 "reporting/request"};
    size_t count = 0;
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        const char *endpoint = jy_config_get (cli->config, keys[i]);
        if (!endpoint || !*endpoint)
            continue;
        if (count < max) {
            endpoints[count].service = services[i];
            endpoints[count].endpoint = endpoint;
        }
        count++;
    }
    return count;
}

zsock_t *cli_link_monitor (zsock_t *sock)
{
    static int counter = 0;
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "inproc://journey-link-%d-%d", (int) getpid (), ++counter);
    int events = ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED |
                 ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    int rc = zmq_socket_monitor (zsock_resolve (sock), endpoint, events);
    assert (rc == 0);
    zsock_t *monitor = zsock_new (ZMQ_PAIR);
    assert (monitor);
    zsock_set_linger (monitor, 0);
    rc = zsock_connect (monitor, "%s", endpoint);
    assert (rc == 0);
    return monitor;
}

void cli_link_close (zsock_t **sock_p, zsock_t **monitor_p)
{
    assert (sock_p && monitor_p);
    if (*sock_p && *monitor_p)
        zmq_socket_monitor (zsock_resolve (*sock_p), NULL, 0);
    zsock_destroy (monitor_p);
    zsock_destroy (sock_p);
}

//  Why a handshake failed, from this end: the mechanisms differ (CURVE at one end only), the
//  daemon's ZAP handler refused the key, or the CURVE exchange itself failed.
static void s_handshake_failure (uint16_t event, uint32_t value, const char *endpoint, char *why,
                                 size_t size)
{
    bool curve = jy_security_curve (jy_security_process ());
    if (!curve)
        snprintf (why, size,
                  "the daemon at %s refused the handshake: it runs with CURVE and this client "
                  "has no key (set security/curve and security/client_secret; docs/security.md)",
                  endpoint);
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        snprintf (why, size,
                  "the daemon at %s refused this client's key: its NAME.pub is not in the "
                  "daemon's security/clients_dir (security/client_secret names the key)",
                  endpoint);
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
             value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
        snprintf (why, size,
                  "the daemon at %s refused the handshake: it runs without CURVE and this "
                  "client has security/curve on",
                  endpoint);
    else
        snprintf (why, size,
                  "the daemon at %s refused the handshake: the CURVE handshake failed (is "
                  "security/server_public the daemons' key, and security/client_secret this "
                  "client's?)",
                  endpoint);
}

cli_link_t cli_link_event (zsock_t *monitor, const char *endpoint, cli_link_state_t *state,
                           char *why, size_t size)
{
    *why = '\0';
    zmsg_t *msg = zmsg_recv (monitor);
    zframe_t *head = msg ? zmsg_first (msg) : NULL;
    if (!head || zframe_size (head) < 6) {
        zmsg_destroy (&msg);
        return CLI_LINK_OTHER;
    }
    //  The first frame: the event (16 bits) then its value (32 bits), in host order.
    uint16_t event;
    uint32_t value;
    memcpy (&event, zframe_data (head), sizeof event);
    memcpy (&value, zframe_data (head) + sizeof event, sizeof value);
    zmsg_destroy (&msg);
    switch (event) {
    case ZMQ_EVENT_CONNECTED:
        return CLI_LINK_CONNECTED;
    case ZMQ_EVENT_CONNECT_RETRIED:
        if (state->handshakes_broken > 0 && !state->retried) {
            state->retried = true; //  the reconnection after the broken handshake
            return CLI_LINK_OTHER;
        }
        state->handshakes_broken = 0;
        state->retried = false;
        snprintf (why, size, "nothing is listening at %s", endpoint);
        return CLI_LINK_NOT_LISTENING;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        //  Once may be a daemon that died during the handshake: libzmq connects again, and
        //  then finds nothing listening, or the same refusal.
        state->retried = false;
        if (++state->handshakes_broken < 2)
            return CLI_LINK_OTHER;
        s_handshake_failure (event, value, endpoint, why, size);
        return CLI_LINK_REFUSED;
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        s_handshake_failure (event, value, endpoint, why, size);
        return CLI_LINK_REFUSED;
    default:
        return CLI_LINK_OTHER;
    }
}

//  Send one request to each endpoint at once and collect the replies as they come, so that
//  absent daemons cost one timeout in all rather than one each. Each socket's connection events
//  end its wait early: nothing listening, or a refused handshake, is said at once.
void cli_request_each (const char *const *endpoints, size_t count, const jy_envelope_t *request,
                       int timeout_ms, jy_envelope_t **replies, const char **whys,
                       cli_state_t *states)
{
    static char reasons[CLI_MAX_DAEMONS][512];
    assert (count <= CLI_MAX_DAEMONS);
    cli_state_t ignored[CLI_MAX_DAEMONS];
    if (!states)
        states = ignored;
    zsock_t *socks[CLI_MAX_DAEMONS] = {NULL};
    zsock_t *monitors[CLI_MAX_DAEMONS] = {NULL};
    zuuid_t *ids[CLI_MAX_DAEMONS] = {NULL};
    cli_link_state_t links[CLI_MAX_DAEMONS] = {{0}};
    zpoller_t *poller = zpoller_new (NULL);
    assert (poller);
    size_t waiting = 0;
    for (size_t i = 0; i < count; i++) {
        replies[i] = NULL;
        whys[i] = reasons[i];
        states[i] = CLI_STATE_ERROR;
        socks[i] = zsock_new (ZMQ_DEALER);
        assert (socks[i]);
        zsock_set_linger (socks[i], 0);
        zsock_set_sndhwm (socks[i], S_REQUEST_HWM);
        zsock_set_rcvhwm (socks[i], S_REQUEST_HWM);
        if (jy_security_client (jy_security_process (), socks[i]) != 0) {
            snprintf (reasons[i], sizeof reasons[i], "%s",
                      jy_security_error (jy_security_process ()));
            zsock_destroy (&socks[i]);
            continue;
        }
        monitors[i] = cli_link_monitor (socks[i]);
        if (zsock_connect (socks[i], "%s", endpoints[i]) != 0) {
            snprintf (reasons[i], sizeof reasons[i], "bad endpoint \"%s\"", endpoints[i]);
            cli_link_close (&socks[i], &monitors[i]);
            continue;
        }
        //  A fresh id per request, so that the reply can be matched to it.
        ids[i] = zuuid_new ();
        assert (ids[i]);
        jy_envelope_t envelope = *request;
        envelope.message_id = (char *) zuuid_str_canonical (ids[i]);
        envelope.has_schema_version = 1;
        envelope.schema_version = JY_SCHEMA_VERSION;
        envelope.has_sent_at_ms = 1;
        envelope.sent_at_ms = zclock_time ();
        if (jy_wire_send (socks[i], &envelope) != 0) {
            snprintf (reasons[i], sizeof reasons[i], "cannot send: %s",
                      zmq_strerror (zmq_errno ()));
            cli_link_close (&socks[i], &monitors[i]);
            continue;
        }
        snprintf (reasons[i], sizeof reasons[i], "not running (no answer in %d ms)", timeout_ms);
        states[i] = CLI_STATE_NOT_RUNNING;
        zpoller_add (poller, socks[i]);
        zpoller_add (poller, monitors[i]);
        waiting++;
    }
    int64_t deadline = zclock_mono () + timeout_ms;
    while (waiting > 0) {
        int64_t left = deadline - zclock_mono ();
        zsock_t *which = (zsock_t *) zpoller_wait (poller, (int) (left < 0 ? 0 : left));
        if (!which) {
            if (zpoller_terminated (poller))
                for (size_t i = 0; i < count; i++)
                    if (socks[i] && !replies[i] && states[i] == CLI_STATE_NOT_RUNNING) {
                        snprintf (reasons[i], sizeof reasons[i], "interrupted");
                        states[i] = CLI_STATE_ERROR;
                    }
            break;
        }
        size_t i = 0;
        while (i < count && socks[i] != which && monitors[i] != which)
            i++;
        assert (i < count);
        if (monitors[i] == which) {
            char why[400];
            cli_link_t link =
                cli_link_event (monitors[i], endpoints[i], &links[i], why, sizeof why);
            if (link == CLI_LINK_NOT_LISTENING)
                snprintf (reasons[i], sizeof reasons[i], "not running: %s", why);
            else if (link == CLI_LINK_REFUSED) {
                snprintf (reasons[i], sizeof reasons[i], "%s", why);
                states[i] = CLI_STATE_REFUSED;
            } else
                continue;
            zpoller_remove (poller, monitors[i]);
            zpoller_remove (poller, socks[i]);
            waiting--;
            continue;
        }
        jy_wire_status_t status;
        jy_envelope_t *reply = jy_wire_recv (which, JY_WIRE_DEFAULT_CAP, NULL, NULL, &status);
        if (!reply || status != JY_WIRE_OK) {
            snprintf (reasons[i], sizeof reasons[i], "bad reply: %s", jy_wire_status_text (status));
            states[i] = CLI_STATE_ERROR;
            jy_envelope_free (&reply);
        } else if (reply->message_id &&
                   strcmp (reply->message_id, zuuid_str_canonical (ids[i])) != 0) {
            jy_envelope_free (&reply); //  an answer to some other message: keep waiting
            continue;
        } else {
            replies[i] = reply;
            whys[i] = NULL;
            states[i] = CLI_STATE_ANSWERED;
        }
        zpoller_remove (poller, which);
        zpoller_remove (poller, monitors[i]);
        waiting--;
    }
    zpoller_destroy (&poller);
    for (size_t i = 0; i < count; i++) {
        zuuid_destroy (&ids[i]);
        cli_link_close (&socks[i], &monitors[i]);
    }
}

void cli_ask_daemons (const cli_endpoint_t *daemons, size_t count, const jy_envelope_t *request,
                      int timeout_ms, jy_envelope_t **replies, const char **whys,
                      cli_state_t *states)
{
    const char *addresses[CLI_MAX_DAEMONS];
    assert (count <= CLI_MAX_DAEMONS);
    for (size_t i = 0; i < count; i++)
        addresses[i] = daemons[i].endpoint;
    cli_request_each (addresses, count, request, timeout_ms, replies, whys, states);
}

void cli_status_request (jy_envelope_t *request, Journey__V1__StatusRequest *body)
{
    journey__v1__status_request__init (body);
    jy_envelope_init (request);
    request->payload_case = JOURNEY__V1__ENVELOPE__PAYLOAD_STATUS_REQUEST;
    request->status_request = body;
}

jy_envelope_t *cli_request (const char *endpoint, const jy_envelope_t *request, int timeout_ms,
                            const char **why)
{
    jy_envelope_t *reply = NULL;
    cli_request_each (&endpoint, 1, request, timeout_ms, &reply, why, NULL);
    return reply;
}
